use crate::{events::EscrowOpened, seeds, state::Settlement};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

/// Accounts: `payer` (signer, pays rent), `settlement`, `router` (the consumer or router key
/// the escrow holds credits for), `credits_mint` (the settlement's), `escrow` (new credits
/// token account PDA `[ESCROW, network, router]`, owned by `settlement`), `credits_program`
/// (Token-2022), `system_program`.
#[derive(Accounts)]
pub struct OpenEscrow<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(has_one = credits_mint @ crate::error::SettlementError::WrongCreditsMint)]
    pub settlement: Box<Account<'info, Settlement>>,
    /// CHECK: any key; it only names the escrow.
    pub router: UncheckedAccount<'info>,
    pub credits_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(
        init,
        payer = payer,
        seeds = [seeds::ESCROW, settlement.network.as_ref(), router.key().as_ref()],
        bump,
        token::mint = credits_mint,
        token::authority = settlement,
        token::token_program = credits_program,
    )]
    pub escrow: Box<InterfaceAccount<'info, TokenAccount>>,
    pub credits_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

impl OpenEscrow<'_> {
    pub fn handler(ctx: Context<Self>) -> Result<()> {
        crate::events::emit(EscrowOpened {
            network: ctx.accounts.settlement.network,
            router: ctx.accounts.router.key(),
            escrow: ctx.accounts.escrow.key(),
        });
        Ok(())
    }
}
