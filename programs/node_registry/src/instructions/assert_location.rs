use super::fees::CreditsAccounts;
use crate::{
    error::RegistryError,
    events::LocationAsserted,
    seeds,
    state::{Network, Node},
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenInterface;

/// Accounts: `owner` (signer, node owner, pays the fee), `network`, `node` (mut, PDA of
/// `network`), `credits_mint` (mut, the network's), `owner_credits` (mut), token program.
/// `max_fee_credits` bounds the location fee the owner agreed to when signing.
#[derive(Accounts)]
pub struct AssertLocation<'info> {
    pub owner: Signer<'info>,
    pub network: Box<Account<'info, Network>>,
    #[account(
        mut,
        seeds = [seeds::NODE, network.key().as_ref(), node.device_key.as_ref()],
        bump = node.bump,
        has_one = owner @ RegistryError::NotNodeOwner,
    )]
    pub node: Box<Account<'info, Node>>,
    /// CHECK: the network's credits mint; see `CreditsAccounts::check`.
    #[account(mut, address = network.credits_mint @ RegistryError::WrongCreditsMint)]
    pub credits_mint: UncheckedAccount<'info>,
    /// CHECK: the owner's credits token account; see `CreditsAccounts::check`.
    #[account(mut)]
    pub owner_credits: UncheckedAccount<'info>,
    pub token_program: Interface<'info, TokenInterface>,
}

impl<'info> AssertLocation<'info> {
    fn credits(&self) -> CreditsAccounts<'_, 'info> {
        CreditsAccounts {
            token_program: &self.token_program,
            credits_mint: &self.credits_mint,
            owner_credits: &self.owner_credits,
            owner: &self.owner,
        }
    }

    pub fn validate(&self, location: u64, max_fee_credits: u64) -> Result<()> {
        require!(!self.network.paused, RegistryError::NetworkPaused);
        require!(
            self.network.location_fee_credits <= max_fee_credits,
            RegistryError::FeeAboveMaximum
        );
        self.node.require_active()?;
        require!(
            depin_core::h3::is_valid_cell(location),
            RegistryError::InvalidLocation
        );
        require!(
            self.node.location != location,
            RegistryError::LocationUnchanged
        );
        self.credits().check(self.network.location_fee_credits)
    }

    pub fn handler(ctx: Context<Self>, location: u64) -> Result<()> {
        let a = ctx.accounts;
        let fee = a.network.location_fee_credits;
        a.credits().burn(fee)?;
        let node = &mut a.node;
        node.location = location;
        node.location_changes = node
            .location_changes
            .checked_add(1)
            .ok_or(RegistryError::ArithmeticOverflow)?;
        crate::events::emit(LocationAsserted {
            network: a.network.key(),
            node: node.key(),
            location,
            location_changes: node.location_changes,
            fee_burned: fee,
        });
        Ok(())
    }
}
