use crate::{
    credits::{self, check_credits_account},
    error::SettlementError,
    events::CreditsBurned,
    state::{EpochUsage, Settlement, SettlementView, UsageCounter},
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
        let data = a.settlement.try_borrow_data()?;
        let s = SettlementView::new(&a.settlement, &data)?;
        require!(
            s.is_credits_mint(a.credits_mint.key),
            SettlementError::WrongCreditsMint
        );
        let epoch = s.epoch_at(Clock::get()?.unix_timestamp)?;
        EpochUsage::check_in_place(&a.usage, s.network_bytes(), epoch)?;
        let network = s.network();
        drop(data);
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
        Settlement::record_in_place(&a.settlement, None, 0, 0, amount)?;
        EpochUsage::add_in_place(&a.usage, UsageCounter::CreditsBurned, amount)?;
        crate::events::emit(CreditsBurned {
            network,
            epoch,
            authority: a.holder.key(),
            from: a.holder_credits.key(),
            credits: amount,
            delegated: false,
        });
        Ok(())
    }
}
