//! The token CPIs every credits instruction makes, and the checks they share.
use crate::{error::SettlementError, seeds, token_view::TokenAccountView};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{self, Burn, MintTo};

/// A credits token account of `mint` whose owner is `owner` (`err` otherwise).
pub fn check_credits_account(
    account: &AccountInfo,
    mint: &Pubkey,
    owner: Option<&Pubkey>,
    err: SettlementError,
) -> Result<()> {
    let view = TokenAccountView::read(account).ok_or(SettlementError::NotACreditsAccount)?;
    require_keys_eq!(view.mint, *mint, SettlementError::NotACreditsAccount);
    if let Some(owner) = owner {
        require_keys_eq!(view.owner, *owner, err);
    }
    Ok(())
}

/// Burns `amount` from `from`, signed by `authority` (a wallet) or by the settlement
/// (`settlement_bump` given).
pub fn burn<'info>(
    program: &AccountInfo<'info>,
    mint: &AccountInfo<'info>,
    from: &AccountInfo<'info>,
    authority: &AccountInfo<'info>,
    settlement: Option<(&Pubkey, u8)>,
    amount: u64,
) -> Result<()> {
    let accounts = Burn {
        mint: mint.clone(),
        from: from.clone(),
        authority: authority.clone(),
    };
    match settlement {
        None => token_interface::burn(CpiContext::new(program.key(), accounts), amount),
        Some((network, bump)) => {
            let signer: &[&[u8]] = &[seeds::SETTLEMENT, network.as_ref(), &[bump]];
            token_interface::burn(
                CpiContext::new_with_signer(program.key(), accounts, &[signer]),
                amount,
            )
        }
    }
}

/// Mints `amount` credits to `to`, signed by the settlement.
pub fn mint_credits<'info>(
    program: &AccountInfo<'info>,
    mint: &AccountInfo<'info>,
    to: &AccountInfo<'info>,
    settlement: &AccountInfo<'info>,
    network: &Pubkey,
    bump: u8,
    amount: u64,
) -> Result<()> {
    let signer: &[&[u8]] = &[seeds::SETTLEMENT, network.as_ref(), &[bump]];
    token_interface::mint_to(
        CpiContext::new_with_signer(
            program.key(),
            MintTo {
                mint: mint.clone(),
                to: to.clone(),
                authority: settlement.clone(),
            },
            &[signer],
        ),
        amount,
    )
}
