//! Fee payment by burning the owner's credits (SPL Token or Token-2022).
use crate::error::RegistryError;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{self, Burn, Mint, TokenAccount, TokenInterface};

/// Burns `amount` credits from `from`, signed by its owner. A zero fee burns nothing.
/// The balance is checked first so the caller sees `InsufficientCredits` rather than the
/// token program's generic error.
pub fn burn_credits<'info>(
    token_program: &Interface<'info, TokenInterface>,
    credits_mint: &InterfaceAccount<'info, Mint>,
    from: &InterfaceAccount<'info, TokenAccount>,
    authority: &Signer<'info>,
    amount: u64,
) -> Result<()> {
    if amount == 0 {
        return Ok(());
    }
    require!(from.amount >= amount, RegistryError::InsufficientCredits);
    token_interface::burn(
        CpiContext::new(
            token_program.key(),
            Burn {
                mint: credits_mint.to_account_info(),
                from: from.to_account_info(),
                authority: authority.to_account_info(),
            },
        ),
        amount,
    )
}
