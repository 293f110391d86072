//! `set_compressed_node_status`: the network's status authority suspends or reactivates a
//! compressed node. The status is the device's standing: it stays in the leaf through
//! transfers and decommissioning.
use super::compressed_leaf::{require_network_tree, rewrite_leaf};
use crate::{
    error::RegistryError,
    events::CompressedNodeUpdated,
    state::{CompressedChange, CompressedNode, Network, NodeProof, NodeStatus, TreeLeaf},
};
use anchor_lang::prelude::*;

/// Accounts: `authority` (signer, the network's authority or operator), `network`, `tree`
/// (mut, the network's), then the event-CPI accounts.
#[event_cpi]
#[derive(Accounts)]
pub struct SetCompressedNodeStatus<'info> {
    pub authority: Signer<'info>,
    pub network: Box<Account<'info, Network>>,
    /// CHECK: the network's tree (address), owned by this program; contents by `TreeAccount`.
    #[account(mut, owner = crate::ID @ RegistryError::WrongTreeOwner)]
    pub tree: UncheckedAccount<'info>,
}

impl SetCompressedNodeStatus<'_> {
    pub fn validate(&self, status: NodeStatus, node: &NodeProof) -> Result<()> {
        require_network_tree(&self.network, &self.tree.key())?;
        require!(
            self.network.is_status_authority(&self.authority.key()),
            RegistryError::NotStatusAuthority
        );
        require!(node.node.status != status, RegistryError::StatusUnchanged);
        Ok(())
    }

    pub fn handler(ctx: Context<Self>, status: NodeStatus, node: NodeProof) -> Result<()> {
        let after = CompressedNode {
            status,
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
            change: CompressedChange::Status,
            root: written.root,
            seq: written.seq,
        });
        Ok(())
    }
}
