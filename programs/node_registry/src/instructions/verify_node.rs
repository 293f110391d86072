//! `verify_node`: succeeds only if the proven node is in the network's tree as given, for
//! programs that want a compressed node's fields by CPI. It writes nothing; the node's
//! Borsh bytes are its return data. (Programs that can read accounts themselves call
//! `node_registry::tree::prove_leaf` instead, with no CPI, as emissions' claims do.)
use super::compressed_leaf::require_network_tree;
use crate::{
    error::RegistryError,
    state::{CompressedNode, Network, NodeProof},
    tree::prove_leaf,
};
use anchor_lang::prelude::*;

/// Accounts: `network`, `tree` (the network's).
#[derive(Accounts)]
pub struct VerifyNode<'info> {
    pub network: Box<Account<'info, Network>>,
    /// CHECK: the network's tree (address), owned by this program; read by `prove_leaf`.
    #[account(owner = crate::ID @ RegistryError::WrongTreeOwner)]
    pub tree: UncheckedAccount<'info>,
}

impl VerifyNode<'_> {
    pub fn validate(&self) -> Result<()> {
        require_network_tree(&self.network, &self.tree.key())
    }

    pub fn handler(ctx: Context<Self>, node: NodeProof) -> Result<()> {
        let leaf = node.leaf()?;
        let data = ctx.accounts.tree.try_borrow_data()?;
        prove_leaf(
            &data,
            &ctx.accounts.network.key(),
            node.root,
            node.index,
            &leaf,
            &node.proof,
        )?;
        let mut fields = Vec::with_capacity(CompressedNode::MAX_LEN);
        node.node.serialize(&mut fields)?;
        anchor_lang::solana_program::program::set_return_data(&fields);
        Ok(())
    }
}
