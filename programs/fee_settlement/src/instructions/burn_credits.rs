use crate::{
    credits::{self, check_credits_account},
    error::SettlementError,
    events::CreditsBurned,
};
use anchor_lang::prelude::*;
use anchor_spl::token_2022::Token2022;

/// Accounts: `holder` (signer), `settlement` (mut), `usage` (mut, the current epoch's),
/// `credits_mint` (mut), `holder_credits` (mut, the holder's credits account),
/// `credits_program` (Token-2022).
///
/// Burns the holder's credits for usage, recorded in the epoch's usage.
#[derive(Accounts)]
pub struct BurnCredits<'info> {
    pub holder: Signer<'info>,
    /// CHECK: read and written in place (owner, size, discriminator).
    #[account(mut)]
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
    pub credits_program: Program<'info, Token2022>,
}

impl BurnCredits<'_> {
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
        credits::burn(
            &a.credits_program,
            &a.credits_mint,
            &a.holder_credits,
            &a.holder,
            None,
            amount,
        )?;
        credits::record_usage_burn(&a.settlement, &a.usage, amount)?;
        crate::events::emit(CreditsBurned {
            network: o.network,
            epoch: o.epoch,
            authority: a.holder.key(),
            from: a.holder_credits.key(),
            credits: amount,
            delegated: false,
        });
        Ok(())
    }
}
