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

/// What a credit instruction learns from its first checks.
pub struct Opened {
    pub network: Pubkey,
    pub bump: u8,
    pub epoch: u64,
}

/// The checks every credit instruction but `mint_credits` starts with: the settlement
/// (read in place), its credits mint, the current epoch's usage record of its network, and
/// with `usage_authority` the signer's role.
pub fn open(
    settlement: &AccountInfo,
    credits_mint: &AccountInfo,
    usage: &AccountInfo,
    usage_authority: Option<&Pubkey>,
) -> Result<Opened> {
    use crate::state::{EpochUsage, SettlementView};
    let data = settlement.try_borrow_data()?;
    let s = SettlementView::new(settlement, &data)?;
    if let Some(k) = usage_authority {
        require!(s.is_usage_authority(k), SettlementError::NotUsageAuthority);
    }
    require!(
        s.is_credits_mint(credits_mint.key),
        SettlementError::WrongCreditsMint
    );
    let epoch = s.epoch_at(Clock::get()?.unix_timestamp)?;
    EpochUsage::check_in_place(usage, s.network_bytes(), epoch)?;
    Ok(Opened {
        network: s.network(),
        bump: s.bump(),
        epoch,
    })
}

/// Counts `amount` credits burned for usage in the settlement's totals and the epoch's record.
pub fn record_usage_burn(settlement: &AccountInfo, usage: &AccountInfo, amount: u64) -> Result<()> {
    use crate::state::{EpochUsage, Settlement, UsageCounter};
    Settlement::record_in_place(settlement, None, 0, 0, amount)?;
    EpochUsage::add_in_place(usage, UsageCounter::CreditsBurned, amount)
}
