//! `prove_compressed_node`: records a compressed node's current owner and standing in its
//! claim record, from a proof of its leaf in node_registry's tree (read in place, no CPI).
//!
//! Claims then pay that owner without carrying the leaf proof again: a reward proof and a
//! node proof together do not fit one transaction once the reward tree is deep. The claim
//! checks in the tree's changelog that the leaf was not written since (a transfer, a
//! suspension); if it was, or too many writes went by to tell, the node is proven again.
//! Anyone may send this: the tree is the truth, the caller only pays the record's rent.
use crate::{error::EmissionsError, events::CompressedNodeProven, seeds, state::CompressedClaim};
use anchor_lang::prelude::*;
use node_registry::state::{NodeProof, NodeStatus};

/// Accounts: `payer` (signer, anyone: pays the record's rent the first time), `network`
/// (node_registry's `Network`, compressed), `tree` (its tree account), `node_address` (the
/// node's address, where no account lives), `claim` (PDA `[CLAIM, node_address]`, created
/// at the first proof), `system_program`.
#[derive(Accounts)]
pub struct ProveCompressedNode<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    /// CHECK: bound to `tree` by the tree's header (`node_registry::tree::prove_leaf`).
    pub network: UncheckedAccount<'info>,
    /// CHECK: node_registry's tree account of `network` (owner here, header and proof in
    /// `prove_leaf`).
    #[account(owner = node_registry::ID @ EmissionsError::WrongTree)]
    pub tree: UncheckedAccount<'info>,
    /// CHECK: `[NODE, network, device_key]` under node_registry (canonical bump), checked in
    /// the handler against the proof's device key.
    pub node_address: UncheckedAccount<'info>,
    #[account(
        init_if_needed,
        payer = payer,
        space = CompressedClaim::SPACE,
        seeds = [seeds::CLAIM, node_address.key().as_ref()],
        bump,
    )]
    pub claim: Box<Account<'info, CompressedClaim>>,
    pub system_program: Program<'info, System>,
}

/// The node's address under node_registry, `[NODE, network, device_key]` with its canonical
/// bump (searched: a caller-chosen bump could name a second address, and a second record).
pub fn node_address(network: &Pubkey, device_key: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(
        &[
            node_registry::seeds::NODE,
            network.as_ref(),
            device_key.as_ref(),
        ],
        &node_registry::ID,
    )
    .0
}

/// Emissions' name for a refused node proof (node_registry's codes would be read as ours).
fn tree_error(e: Error) -> Error {
    use node_registry::RegistryError as R;
    let code = match &e {
        Error::AnchorError(a) => a.error_code_number,
        Error::ProgramError(_) => 0,
    };
    let is = |r: R| code == u32::from(r);
    if is(R::WrongNetwork) || is(R::WrongTreeAccount) {
        error!(EmissionsError::WrongTree)
    } else if is(R::LeafContentsModified) {
        error!(EmissionsError::NodeProofStale)
    } else {
        error!(EmissionsError::InvalidProof)
    }
}

impl ProveCompressedNode<'_> {
    pub fn handler(ctx: Context<Self>, node: NodeProof) -> Result<()> {
        let network = ctx.accounts.network.key();
        let address = node_address(&network, &node.device_key);
        require_keys_eq!(
            address,
            ctx.accounts.node_address.key(),
            EmissionsError::WrongNodeAddress
        );
        let seq = {
            let data = ctx.accounts.tree.try_borrow_data()?;
            node_registry::tree::prove_leaf(
                &data,
                &network,
                node.root,
                node.index,
                &node.leaf().map_err(tree_error)?,
                &node.proof,
            )
            .map_err(tree_error)?;
            node_registry::tree::sequence_number(&data, &network).map_err(tree_error)?
        };
        let claim = &mut ctx.accounts.claim;
        if claim.node != address {
            claim.node = address;
            claim.network = network;
            claim.device_key = node.device_key;
            claim.claimed = 0;
            claim.last_epoch = 0;
            claim.bump = ctx.bumps.claim;
        }
        claim.owner = node.node.owner;
        claim.active = node.node.status == NodeStatus::Active;
        claim.leaf_index = node.index;
        claim.proven_seq = seq;
        crate::events::emit(CompressedNodeProven {
            network,
            node: address,
            device_key: node.device_key,
            owner: claim.owner,
            active: claim.active,
            leaf_index: node.index,
            proven_seq: seq,
        });
        Ok(())
    }
}
