use super::fees::burn_credits;
use crate::{
    error::RegistryError,
    events::LocationAsserted,
    seeds,
    state::{Network, Node},
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

/// Accounts: `owner` (signer, node owner, pays the fee), `network`, `node` (mut, PDA of
/// `network`), `credits_mint` (mut, the network's), `owner_credits` (mut), token program.
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
    #[account(mut, address = network.credits_mint @ RegistryError::WrongCreditsMint)]
    pub credits_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(
        mut,
        token::mint = credits_mint,
        token::authority = owner,
        token::token_program = token_program,
    )]
    pub owner_credits: Box<InterfaceAccount<'info, TokenAccount>>,
    pub token_program: Interface<'info, TokenInterface>,
}

impl AssertLocation<'_> {
    pub fn validate(&self, location: u64) -> Result<()> {
        require!(!self.network.paused, RegistryError::NetworkPaused);
        self.node.require_active()?;
        require!(
            depin_core::h3::is_valid_cell(location),
            RegistryError::InvalidLocation
        );
        require!(
            self.node.location != location,
            RegistryError::LocationUnchanged
        );
        Ok(())
    }

    pub fn handler(ctx: Context<Self>, location: u64) -> Result<()> {
        let a = ctx.accounts;
        let fee = a.network.location_fee_credits;
        burn_credits(
            &a.token_program,
            &a.credits_mint,
            &a.owner_credits,
            &a.owner,
            fee,
        )?;
        let node = &mut a.node;
        node.location = location;
        node.location_changes = node
            .location_changes
            .checked_add(1)
            .ok_or(RegistryError::ArithmeticOverflow)?;
        emit!(LocationAsserted {
            network: a.network.key(),
            node: node.key(),
            location,
            location_changes: node.location_changes,
            fee_burned: fee,
        });
        Ok(())
    }
}
