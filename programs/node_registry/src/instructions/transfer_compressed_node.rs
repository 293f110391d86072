//! `transfer_compressed_node`: hands a compressed node to a new owner. Both sign the one
//! transaction, which is what the two steps of `propose_transfer` and `accept_transfer`
//! ensure for node accounts (the recipient agrees), without an offer account's rent.
use super::compressed_leaf::{require_network_tree, rewrite_leaf};
use crate::{
    error::RegistryError,
    events::CompressedNodeUpdated,
    state::{CompressedChange, CompressedNode, Network, NodeProof, NodeStatus, TreeLeaf},
};
use anchor_lang::prelude::*;

/// Accounts: `owner` (signer, the node's owner), `new_owner` (signer), `network`, `tree`
/// (mut, the network's), then the event-CPI accounts.
#[event_cpi]
#[derive(Accounts)]
pub struct TransferCompressedNode<'info> {
    pub owner: Signer<'info>,
    pub new_owner: Signer<'info>,
    pub network: Box<Account<'info, Network>>,
    /// CHECK: the network's tree (address), owned by this program; contents by `TreeAccount`.
    #[account(mut, owner = crate::ID @ RegistryError::WrongTreeOwner)]
    pub tree: UncheckedAccount<'info>,
}

impl TransferCompressedNode<'_> {
    pub fn validate(&self, node: &NodeProof) -> Result<()> {
        require_network_tree(&self.network, &self.tree.key())?;
        require!(!self.network.paused, RegistryError::NetworkPaused);
        require_keys_eq!(
            node.node.owner,
            self.owner.key(),
            RegistryError::NotNodeOwner
        );
        require!(
            node.node.status == NodeStatus::Active,
            RegistryError::NodeSuspended
        );
        require_keys_neq!(
            self.new_owner.key(),
            self.owner.key(),
            RegistryError::SameOwner
        );
        Ok(())
    }

    pub fn handler(ctx: Context<Self>, node: NodeProof) -> Result<()> {
        let from = ctx.accounts.owner.key();
        let after = CompressedNode {
            owner: ctx.accounts.new_owner.key(),
            ..node.node
        };
        let network = ctx.accounts.network.key();
        let (leaf, written) = rewrite_leaf(&ctx.accounts.tree, &network, &node, &after)?;
        emit_cpi!(CompressedNodeUpdated {
            network,
            tree: ctx.accounts.tree.key(),
            index: written.index,
            leaf: TreeLeaf::from_leaf(&leaf),
            node: after,
            change: CompressedChange::Transfer { from },
            root: written.root,
            seq: written.seq,
        });
        Ok(())
    }
}
