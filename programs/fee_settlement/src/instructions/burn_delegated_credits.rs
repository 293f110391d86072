use crate::{
    credits::{self, check_credits_account},
    error::SettlementError,
    events::CreditsBurned,
};
use anchor_lang::prelude::*;
use anchor_spl::token_2022::Token2022;

/// Accounts: `usage_authority` (signer, the settlement's), `settlement` (mut), `usage` (mut,
/// the current epoch's), `credits_mint` (mut), `escrow` (mut, a settlement-owned credits
/// account), `credits_program` (Token-2022).
///
/// The network's usage authority burns delegated credits for the service they paid for,
/// signed by the settlement; recorded in the epoch's usage.
#[derive(Accounts)]
pub struct BurnDelegatedCredits<'info> {
    pub usage_authority: Signer<'info>,
    /// CHECK: read and written in place (owner, size, discriminator).
    #[account(mut)]
    pub settlement: UncheckedAccount<'info>,
    /// CHECK: the current epoch's record of the settlement's network (`check_in_place`).
    #[account(mut)]
    pub usage: UncheckedAccount<'info>,
    /// CHECK: the settlement's credits mint (checked against it).
    #[account(mut)]
    pub credits_mint: UncheckedAccount<'info>,
    /// CHECK: read in place: a credits account owned by `settlement`.
    #[account(mut)]
    pub escrow: UncheckedAccount<'info>,
    pub credits_program: Program<'info, Token2022>,
}

impl BurnDelegatedCredits<'_> {
    pub fn handler(ctx: Context<Self>, amount: u64) -> Result<()> {
        let a = ctx.accounts;
        require!(amount > 0, SettlementError::ZeroAmount);
        let o = credits::open(
            &a.settlement,
            &a.credits_mint,
            &a.usage,
            Some(a.usage_authority.key),
        )?;
        check_credits_account(
            &a.escrow,
            a.credits_mint.key,
            Some(a.settlement.key),
            SettlementError::NotAnEscrow,
        )?;
        credits::burn(
            &a.credits_program,
            &a.credits_mint,
            &a.escrow,
            &a.settlement,
            Some((&o.network, o.bump)),
            amount,
        )?;
        credits::record_usage_burn(&a.settlement, &a.usage, amount)?;
        crate::events::emit(CreditsBurned {
            network: o.network,
            epoch: o.epoch,
            authority: a.usage_authority.key(),
            from: a.escrow.key(),
            credits: amount,
            delegated: true,
        });
        Ok(())
    }
}
