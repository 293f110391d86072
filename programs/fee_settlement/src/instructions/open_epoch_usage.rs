use crate::{
    events::EpochUsageOpened,
    seeds,
    state::{EpochUsage, Settlement},
};
use anchor_lang::prelude::*;

/// Accounts: `payer` (signer, pays rent), `settlement`, `usage` (new PDA `[USAGE, network,
/// epoch]`), `system_program`.
///
/// Anyone, for any epoch: a record only grows while its epoch is the current one, so one
/// opened late for a past epoch correctly says nothing happened.
#[derive(Accounts)]
#[instruction(epoch: u64)]
pub struct OpenEpochUsage<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub settlement: Box<Account<'info, Settlement>>,
    #[account(
        init,
        payer = payer,
        space = EpochUsage::SPACE,
        seeds = [seeds::USAGE, settlement.network.as_ref(), &epoch.to_le_bytes()],
        bump,
    )]
    pub usage: Box<Account<'info, EpochUsage>>,
    pub system_program: Program<'info, System>,
}

impl OpenEpochUsage<'_> {
    pub fn handler(ctx: Context<Self>, epoch: u64) -> Result<()> {
        let network = ctx.accounts.settlement.network;
        ctx.accounts.usage.set_inner(EpochUsage {
            network,
            epoch,
            tokens_burned_for_credits: 0,
            credits_minted: 0,
            credits_burned: 0,
            credits_delegated: 0,
            bump: ctx.bumps.usage,
        });
        crate::events::emit(EpochUsageOpened {
            network,
            epoch,
            payer: ctx.accounts.payer.key(),
        });
        Ok(())
    }
}
