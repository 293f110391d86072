use crate::{
    credits::{self, check_credits_account},
    error::SettlementError,
    events::CreditsDelegated,
    state::{EpochUsage, UsageCounter},
};
use anchor_lang::prelude::*;
use anchor_spl::token_2022::Token2022;

/// Accounts: `holder` (signer), `settlement`, `usage` (mut, the current epoch's),
/// `credits_mint` (mut), `holder_credits` (mut, the holder's credits account), `escrow`
/// (mut, a credits account owned by the settlement: `[ESCROW, network, router]`),
/// `credits_program` (Token-2022).
///
/// Credits cannot be transferred, so a delegation burns them from the holder and mints the
/// same amount into the escrow: the supply does not change. Only settlement-owned accounts
/// can receive them, so this is never a way around non-transferability.
#[derive(Accounts)]
pub struct DelegateCredits<'info> {
    pub holder: Signer<'info>,
    /// CHECK: read in place (owner, size, discriminator).
    pub settlement: UncheckedAccount<'info>,
    /// CHECK: the current epoch's record of the settlement's network (`check_in_place`).
    #[account(mut)]
    pub usage: UncheckedAccount<'info>,
    /// CHECK: the settlement's credits mint (checked against it).
    #[account(mut)]
    pub credits_mint: UncheckedAccount<'info>,
    /// CHECK: read in place: a credits account owned by `holder`.
    #[account(mut)]
    pub holder_credits: UncheckedAccount<'info>,
    /// CHECK: read in place: a credits account owned by `settlement`.
    #[account(mut)]
    pub escrow: UncheckedAccount<'info>,
    pub credits_program: Program<'info, Token2022>,
}

impl DelegateCredits<'_> {
    pub fn handler(ctx: Context<Self>, amount: u64) -> Result<()> {
        let a = ctx.accounts;
        require!(amount > 0, SettlementError::ZeroAmount);
        let o = credits::open(&a.settlement, &a.credits_mint, &a.usage, None)?;
        check_credits_account(
            &a.holder_credits,
            a.credits_mint.key,
            Some(&a.holder.key()),
            SettlementError::NotCreditsOwner,
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
            &a.holder_credits,
            &a.holder,
            None,
            amount,
        )?;
        credits::mint_credits(
            &a.credits_program,
            &a.credits_mint,
            &a.escrow,
            &a.settlement,
            &o.network,
            o.bump,
            amount,
        )?;
        EpochUsage::add_in_place(&a.usage, UsageCounter::CreditsDelegated, amount)?;
        crate::events::emit(CreditsDelegated {
            network: o.network,
            holder: a.holder.key(),
            escrow: a.escrow.key(),
            credits: amount,
        });
        Ok(())
    }
}
