//! Fee payment by burning the owner's credits (SPL Token or Token-2022).
//!
//! The credits mint and the owner's credits account are read in place rather than through
//! `InterfaceAccount`: the base layout of a token account (mint, owner, amount, state) is the
//! same in both token programs, and skipping the Token-2022 extension parsing saves compute.
use crate::error::RegistryError;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{self, Burn, TokenInterface};

/// Base token-account layout shared by SPL Token and Token-2022.
const ACCOUNT_LEN: usize = 165;
const MINT_AT: usize = 0;
const OWNER_AT: usize = 32;
const AMOUNT_AT: usize = 64;
const STATE_AT: usize = 108;
const STATE_INITIALIZED: u8 = 1;
/// Token-2022 writes the account type after the base layout when extensions follow.
const ACCOUNT_TYPE_AT: usize = ACCOUNT_LEN;
const ACCOUNT_TYPE_ACCOUNT: u8 = 2;

/// The accounts a fee burn needs.
pub struct CreditsAccounts<'a, 'info> {
    pub token_program: &'a Interface<'info, TokenInterface>,
    pub credits_mint: &'a UncheckedAccount<'info>,
    pub owner_credits: &'a UncheckedAccount<'info>,
    pub owner: &'a Signer<'info>,
}

impl CreditsAccounts<'_, '_> {
    /// The mint belongs to the token program; the credits account is an initialised token
    /// account of that mint, owned by the signer, holding at least `fee`.
    pub fn check(&self, fee: u64) -> Result<()> {
        let program = self.token_program.key();
        require_keys_eq!(
            *self.credits_mint.owner,
            program,
            RegistryError::WrongCreditsMint
        );
        require_keys_eq!(
            *self.owner_credits.owner,
            program,
            RegistryError::NotACreditsAccount
        );
        let data = self.owner_credits.try_borrow_data()?;
        let is_account = data.len() == ACCOUNT_LEN
            || (data.len() > ACCOUNT_LEN && data[ACCOUNT_TYPE_AT] == ACCOUNT_TYPE_ACCOUNT);
        require!(
            is_account && data[STATE_AT] == STATE_INITIALIZED,
            RegistryError::NotACreditsAccount
        );
        require!(
            data[MINT_AT..MINT_AT + 32] == self.credits_mint.key().to_bytes(),
            RegistryError::WrongCreditsAccountMint
        );
        require!(
            data[OWNER_AT..OWNER_AT + 32] == self.owner.key().to_bytes(),
            RegistryError::NotCreditsOwner
        );
        let mut amount = [0u8; 8];
        amount.copy_from_slice(&data[AMOUNT_AT..AMOUNT_AT + 8]);
        require!(
            u64::from_le_bytes(amount) >= fee,
            RegistryError::InsufficientCredits
        );
        Ok(())
    }

    /// Burns `amount` credits, signed by the owner. A zero fee burns nothing.
    pub fn burn(&self, amount: u64) -> Result<()> {
        if amount == 0 {
            return Ok(());
        }
        token_interface::burn(
            CpiContext::new(
                self.token_program.key(),
                Burn {
                    mint: self.credits_mint.to_account_info(),
                    from: self.owner_credits.to_account_info(),
                    authority: self.owner.to_account_info(),
                },
            ),
            amount,
        )
    }
}
