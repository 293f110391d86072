//! `assert_compressed_location`: the owner of a compressed node sets its H3 cell, burning the
//! network's location fee (at most `max_fee_credits`).
use super::compressed_leaf::{require_network_tree, rewrite_leaf};
use super::fees::CreditsAccounts;
use crate::{
    error::RegistryError,
    events::CompressedNodeUpdated,
    state::{CompressedChange, CompressedNode, Network, NodeProof, NodeStatus, TreeLeaf},
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenInterface;

/// Accounts: `owner` (signer, the node's owner, pays the fee), `network`, `tree` (mut, the
/// network's), `credits_mint` (mut), `owner_credits` (mut), `token_program`, then the
/// event-CPI accounts.
#[event_cpi]
#[derive(Accounts)]
pub struct AssertCompressedLocation<'info> {
    pub owner: Signer<'info>,
    pub network: Box<Account<'info, Network>>,
    /// CHECK: the network's tree (address), owned by this program; contents by `TreeAccount`.
    #[account(mut, owner = crate::ID @ RegistryError::WrongTreeOwner)]
    pub tree: UncheckedAccount<'info>,
    /// CHECK: the network's credits mint; see `CreditsAccounts::check`.
    #[account(mut, address = network.credits_mint @ RegistryError::WrongCreditsMint)]
    pub credits_mint: UncheckedAccount<'info>,
    /// CHECK: the owner's credits token account; see `CreditsAccounts::check`.
    #[account(mut)]
    pub owner_credits: UncheckedAccount<'info>,
    pub token_program: Interface<'info, TokenInterface>,
}

impl<'info> AssertCompressedLocation<'info> {
    fn credits(&self) -> CreditsAccounts<'_, 'info> {
        CreditsAccounts {
            token_program: &self.token_program,
            credits_mint: &self.credits_mint,
            owner_credits: &self.owner_credits,
            owner: &self.owner,
        }
    }

    pub fn validate(&self, location: u64, max_fee_credits: u64, node: &NodeProof) -> Result<()> {
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
        require!(
            self.network.location_fee_credits <= max_fee_credits,
            RegistryError::FeeAboveMaximum
        );
        require!(
            depin_core::h3::is_valid_cell(location),
            RegistryError::InvalidLocation
        );
        require!(
            node.node.location != location,
            RegistryError::LocationUnchanged
        );
        self.credits().check(self.network.location_fee_credits)
    }

    pub fn handler(ctx: Context<Self>, location: u64, node: NodeProof) -> Result<()> {
        let after = CompressedNode {
            location,
            location_changes: node
                .node
                .location_changes
                .checked_add(1)
                .ok_or(RegistryError::ArithmeticOverflow)?,
            ..node.node
        };
        let network = ctx.accounts.network.key();
        let (leaf, written) = rewrite_leaf(&ctx.accounts.tree, &network, &node, &after)?;
        let fee = ctx.accounts.network.location_fee_credits;
        ctx.accounts.credits().burn(fee)?;
        emit_cpi!(CompressedNodeUpdated {
            network,
            tree: ctx.accounts.tree.key(),
            index: written.index,
            leaf: TreeLeaf::from_leaf(&leaf),
            node: after,
            change: CompressedChange::Location { fee_burned: fee },
            root: written.root,
            seq: written.seq,
        });
        Ok(())
    }
}
