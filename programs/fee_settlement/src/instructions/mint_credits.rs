use crate::{
    credits::{self, check_credits_account},
    error::SettlementError,
    events::CreditsMinted,
    state::{
        price_error, EpochUsage, OraclePrices, PythReading, Settlement, SettlementView,
        UsageCounter,
    },
};
use anchor_lang::prelude::*;
use anchor_spl::{token_2022::Token2022, token_interface::TokenInterface};
use depin_core::price::Price;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct MintCreditsArgs {
    /// Token base units to burn.
    pub tokens: u64,
    /// Refused (`CreditsBelowMinimum`) if the price gives fewer credits.
    pub min_credits: u64,
}

/// Accounts: `buyer` (signer, owner of `buyer_tokens`), `settlement` (mut), `usage` (mut, the
/// current epoch's `EpochUsage`), `token_mint` (mut, the network's), `buyer_tokens` (mut),
/// `credits_mint` (mut), `recipient_credits` (mut, any credits account), `pyth_price` (the
/// pinned feed's `PriceUpdateV2`; required by `Pyth` and `Both`), `oracle_prices` and
/// `oracle_set` (required by `OracleMedian` and `Both`), `token_program` (the token mint's),
/// `credits_program` (Token-2022).
///
/// Burns `tokens` and mints `tokens · price · credits_per_usd` credits (rounded down) at the
/// conservative price, through the circuit breaker; recorded in the epoch's usage.
#[derive(Accounts)]
pub struct MintCredits<'info> {
    pub buyer: Signer<'info>,
    /// CHECK: read and written in place (`SettlementView`: owner, size, discriminator).
    #[account(mut)]
    pub settlement: UncheckedAccount<'info>,
    /// CHECK: the current epoch's record of the settlement's network (`check_in_place`).
    #[account(mut)]
    pub usage: UncheckedAccount<'info>,
    /// CHECK: the settlement's token mint (checked against it), of `token_program`.
    #[account(mut, owner = token_program.key() @ SettlementError::WrongTokenMint)]
    pub token_mint: UncheckedAccount<'info>,
    /// CHECK: the token program checks it is the buyer's account of `token_mint`.
    #[account(mut)]
    pub buyer_tokens: UncheckedAccount<'info>,
    /// CHECK: the settlement's credits mint (checked against it).
    #[account(mut)]
    pub credits_mint: UncheckedAccount<'info>,
    /// CHECK: a credits account (mint read in place).
    #[account(mut)]
    pub recipient_credits: UncheckedAccount<'info>,
    /// CHECK: owner, discriminator and fields checked when read.
    pub pyth_price: Option<UncheckedAccount<'info>>,
    /// CHECK: the settlement's network's feed, read in place (`OraclePrices::median_in_place`).
    pub oracle_prices: Option<UncheckedAccount<'info>>,
    /// CHECK: the settlement's oracle set, read in place.
    pub oracle_set: Option<UncheckedAccount<'info>>,
    pub token_program: Interface<'info, TokenInterface>,
    pub credits_program: Program<'info, Token2022>,
}

impl MintCredits<'_> {
    /// The price the settlement's source gives at `now` (the lower one with `Both`).
    pub fn price(&self, s: &SettlementView, now: i64) -> Result<Price> {
        let source = s.source();
        let pyth = if source.uses_pyth() {
            let info = self
                .pyth_price
                .as_ref()
                .ok_or(SettlementError::MissingPythPrice)?;
            let reading = PythReading::read(info, s.pyth_feed())?;
            Some(reading.conservative(
                now,
                s.max_price_age_s(),
                s.conf_multiplier(),
                s.max_conf_bps(),
            )?)
        } else {
            None
        };
        let oracles = if source.uses_oracles() {
            let (Some(feed), Some(set)) = (self.oracle_prices.as_ref(), self.oracle_set.as_ref())
            else {
                return err!(SettlementError::MissingOraclePrices);
            };
            Some(OraclePrices::median_in_place(feed, set, s, now)?)
        } else {
            None
        };
        match (pyth, oracles) {
            (Some(p), Some(o)) => p.lower(o).map_err(price_error),
            (Some(p), None) | (None, Some(p)) => Ok(p),
            (None, None) => err!(SettlementError::MissingPythPrice),
        }
    }

    pub fn handler(ctx: Context<Self>, args: MintCreditsArgs) -> Result<()> {
        let a = ctx.accounts;
        require!(args.tokens > 0, SettlementError::ZeroAmount);
        let now = Clock::get()?.unix_timestamp;
        let data = a.settlement.try_borrow_data()?;
        let s = SettlementView::new(&a.settlement, &data)?;
        require!(
            s.is_token_mint(a.token_mint.key),
            SettlementError::WrongTokenMint
        );
        require!(
            s.is_credits_mint(a.credits_mint.key),
            SettlementError::WrongCreditsMint
        );
        let epoch = s.epoch_at(now)?;
        EpochUsage::check_in_place(&a.usage, s.network_bytes(), epoch)?;
        check_credits_account(
            &a.recipient_credits,
            a.credits_mint.key,
            None,
            SettlementError::NotACreditsAccount,
        )?;
        let price = a.price(&s, now)?;
        let credits = price
            .credits_for_tokens(args.tokens, s.token_decimals(), s.credits_per_usd())
            .map_err(price_error)?;
        require!(credits > 0, SettlementError::ZeroCredits);
        require!(
            credits >= args.min_credits,
            SettlementError::CreditsBelowMinimum
        );
        let mut breaker = s.breaker();
        breaker
            .consume(now, credits)
            .map_err(|_| error!(SettlementError::CircuitBreakerTripped))?;
        let (network, bump) = (s.network(), s.bump());
        drop(data);
        credits::burn(
            &a.token_program,
            &a.token_mint,
            &a.buyer_tokens,
            &a.buyer,
            None,
            args.tokens,
        )?;
        credits::mint_credits(
            &a.credits_program,
            &a.credits_mint,
            &a.recipient_credits,
            &a.settlement,
            &network,
            bump,
            credits,
        )?;
        Settlement::record_in_place(&a.settlement, Some(&breaker), args.tokens, credits, 0)?;
        EpochUsage::add_in_place(&a.usage, UsageCounter::TokensBurned, args.tokens)?;
        EpochUsage::add_in_place(&a.usage, UsageCounter::CreditsMinted, credits)?;
        crate::events::emit(CreditsMinted {
            network,
            epoch,
            buyer: a.buyer.key(),
            recipient: a.recipient_credits.key(),
            tokens_burned: args.tokens,
            credits,
            price: price.price,
            expo: price.expo,
        });
        Ok(())
    }
}
