//! `decommission_compressed_node`: the owner retires a compressed node. Its leaf stays (the
//! device key keeps its place in the tree, so the device cannot be registered as new) with
//! no owner; the standing and consent nonce are kept.
use super::compressed_leaf::{require_network_tree, rewrite_leaf};
use crate::{
    error::RegistryError,
    events::CompressedNodeUpdated,
    state::{CompressedChange, CompressedNode, Network, NodeProof, TreeLeaf},
};
use anchor_lang::prelude::*;

/// Accounts: `owner` (signer, the node's owner), `network` (mut), `tree` (mut, the
/// network's), then the event-CPI accounts.
#[event_cpi]
#[derive(Accounts)]
pub struct DecommissionCompressedNode<'info> {
    pub owner: Signer<'info>,
    #[account(mut)]
    pub network: Box<Account<'info, Network>>,
    /// CHECK: the network's tree (address), owned by this program; contents by `TreeAccount`.
    #[account(mut, owner = crate::ID @ RegistryError::WrongTreeOwner)]
    pub tree: UncheckedAccount<'info>,
}

impl DecommissionCompressedNode<'_> {
    pub fn validate(&self, node: &NodeProof) -> Result<()> {
        require_network_tree(&self.network, &self.tree.key())?;
        require_keys_eq!(
            node.node.owner,
            self.owner.key(),
            RegistryError::NotNodeOwner
        );
        Ok(())
    }

    pub fn handler(ctx: Context<Self>, node: NodeProof) -> Result<()> {
        let after = CompressedNode {
            owner: Pubkey::default(),
            location: 0,
            ..node.node
        };
        let network_key = ctx.accounts.network.key();
        let (leaf, written) = rewrite_leaf(&ctx.accounts.tree, &network_key, &node, &after)?;
        let network = &mut ctx.accounts.network;
        network.node_count = network
            .node_count
            .checked_sub(1)
            .ok_or(RegistryError::ArithmeticOverflow)?;
        emit_cpi!(CompressedNodeUpdated {
            network: network_key,
            tree: ctx.accounts.tree.key(),
            index: written.index,
            leaf: TreeLeaf::from_leaf(&leaf),
            node: after,
            change: CompressedChange::Decommission,
            root: written.root,
            seq: written.seq,
        });
        Ok(())
    }
}
