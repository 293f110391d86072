use crate::{
    error::SettlementError,
    events::PricePosted,
    state::{OraclePrices, PricePost, Settlement},
};
use anchor_lang::prelude::*;
use proof_verifier::state::OracleSet;

/// Accounts: `oracle` (signer, a member of the settlement's oracle set), `settlement`,
/// `oracle_set` (the settlement's), `oracle_prices` (mut, the network's feed).
///
/// Writes the oracle's slot: `price · 10^expo` USD per whole token, at the feed's exponent,
/// stamped with the clock and the set's version (a changed set makes old posts void).
#[derive(Accounts)]
pub struct PostPrice<'info> {
    pub oracle: Signer<'info>,
    #[account(has_one = oracle_set @ SettlementError::WrongOracleFeed)]
    pub settlement: Box<Account<'info, Settlement>>,
    pub oracle_set: Box<Account<'info, OracleSet>>,
    #[account(mut, constraint = oracle_prices.network == settlement.network @ SettlementError::WrongOracleFeed)]
    pub oracle_prices: Box<Account<'info, OraclePrices>>,
}

impl PostPrice<'_> {
    pub fn handler(ctx: Context<Self>, price: i64) -> Result<()> {
        let a = ctx.accounts;
        require!(price > 0, SettlementError::NonPositivePrice);
        let index = a
            .oracle_set
            .index_of(&a.oracle.key())
            .ok_or(SettlementError::NotAnOracle)?;
        let now = Clock::get()?.unix_timestamp;
        let slot = a
            .oracle_prices
            .posts
            .get_mut(index)
            .ok_or(SettlementError::NotAnOracle)?;
        *slot = PricePost {
            price,
            posted_at: now,
            set_version: a.oracle_set.version,
        };
        crate::events::emit(PricePosted {
            network: a.settlement.network,
            oracle: a.oracle.key(),
            price,
            expo: a.oracle_prices.expo,
            posted_at: now,
        });
        Ok(())
    }
}
