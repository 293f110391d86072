//! `create_compressed_tree`: puts a network in compressed mode, its nodes leaves of a tree.
//!
//! The client creates the tree account in the same transaction, at top level (over 10 KiB
//! cannot be created by CPI): `system_program::create_account` with exactly
//! [`crate::tree::account_len`] bytes, owned by node_registry, signed by the new account's
//! key. This instruction then checks it is zeroed and of that size, writes the header,
//! initialises the tree and its canopy, and appends the sentinel leaf.
//!
//! The mode is chosen before the network's first maker is approved and never changes, so
//! no device can have a node account or device record beside a leaf.
use crate::{
    error::RegistryError,
    events::CompressedTreeCreated,
    state::Network,
    tree::{TreeAccount, TREE_SHAPES},
};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct CreateCompressedTreeArgs {
    /// Levels of the tree: 2^max_depth leaves, the sentinel included.
    pub max_depth: u32,
    /// Changelog entries: how many writes may land on one root (a registration makes 2).
    pub max_buffer: u32,
    /// Top levels kept in the account, so proofs carry only `max_depth - canopy_depth`.
    pub canopy_depth: u32,
}

/// Accounts: `authority` (signer, the network's), `network` (mut), `tree` (mut, a fresh
/// zeroed account owned by node_registry of the shape's exact size).
#[derive(Accounts)]
pub struct CreateCompressedTree<'info> {
    pub authority: Signer<'info>,
    #[account(mut, has_one = authority @ RegistryError::NotNetworkAuthority)]
    pub network: Box<Account<'info, Network>>,
    /// CHECK: owner checked here; size, shape and zeroed contents by `TreeAccount`.
    #[account(mut, owner = crate::ID @ RegistryError::WrongTreeOwner)]
    pub tree: UncheckedAccount<'info>,
}

impl CreateCompressedTree<'_> {
    pub fn validate(&self, args: &CreateCompressedTreeArgs) -> Result<()> {
        require!(
            self.network.compressed_tree.is_none() && self.network.maker_count == 0,
            RegistryError::RegistryModeLocked
        );
        require!(
            TREE_SHAPES.contains(&(args.max_depth, args.max_buffer)),
            RegistryError::UnsupportedTreeShape
        );
        Ok(())
    }

    pub fn handler(ctx: Context<Self>, args: CreateCompressedTreeArgs) -> Result<()> {
        let network_key = ctx.accounts.network.key();
        let tree_key = ctx.accounts.tree.key();
        let root = {
            let mut data = ctx.accounts.tree.try_borrow_mut_data()?;
            let (_, written) = TreeAccount::initialize(
                &mut data,
                &network_key,
                args.max_depth,
                args.max_buffer,
                args.canopy_depth,
            )?;
            written.root
        };
        ctx.accounts.network.compressed_tree = Some(tree_key);
        crate::events::emit(CompressedTreeCreated {
            network: network_key,
            tree: tree_key,
            max_depth: args.max_depth,
            max_buffer: args.max_buffer,
            canopy_depth: args.canopy_depth,
            root,
        });
        Ok(())
    }
}
