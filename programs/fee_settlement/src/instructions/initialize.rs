use crate::{
    error::SettlementError,
    events::SettlementInitialized,
    seeds,
    state::{OraclePrices, PricePost, PriceSource, Settlement, MAX_ORACLES},
    token_view::{check_credits_mint, CreditsMintCheck},
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::Mint;
use node_registry::state::Network;
use proof_verifier::state::OracleSet;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SettlementArgs {
    /// Credits per USD (Helium: 100,000, one credit = $0.00001).
    pub credits_per_usd: u64,
    pub source: PriceSource,
    /// The Pyth feed id (32 bytes, as Pyth publishes it in hex); ignored by `OracleMedian`.
    pub pyth_feed_id: [u8; 32],
    /// Prices older than this are refused (Pyth publish time, oracle post time).
    pub max_price_age_s: u32,
    /// Pyth: most confidence accepted, in basis points of the EMA price.
    pub max_conf_bps: u16,
    /// Pyth: `ema − conf_multiplier · ema_conf` (Helium: 2).
    pub conf_multiplier: u8,
    /// The exponent the oracles' posts are in (e.g. −8: prices in 10⁻⁸ USD).
    pub oracle_expo: i32,
    /// May burn delegated credits.
    pub usage_authority: Pubkey,
    /// At most about `breaker_threshold` credits minted per `breaker_window_s`.
    pub breaker_window_s: u64,
    pub breaker_threshold: u64,
}

/// Accounts: `authority` (signer, node_registry network authority, pays rent), `network`,
/// `oracle_set` (proof_verifier's, of `network`: its members post prices and its clock
/// numbers the epochs), `settlement` (new PDA `[SETTLEMENT, network]`), `oracle_prices` (new
/// PDA `[ORACLE_PRICES, network]`), `token_mint` (the network's token), `credits_mint` (the
/// network's credits: Token-2022, NonTransferable, mint authority = `settlement`, no freeze
/// authority), `system_program`.
#[derive(Accounts)]
pub struct Initialize<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(
        has_one = authority @ SettlementError::NotNetworkAuthority,
        has_one = token_mint @ SettlementError::WrongTokenMint,
        has_one = credits_mint @ SettlementError::WrongCreditsMint,
        seeds = [node_registry::seeds::NETWORK, network.name.as_bytes()],
        bump = network.bump,
        seeds::program = node_registry::ID,
    )]
    pub network: Box<Account<'info, Network>>,
    #[account(constraint = oracle_set.network == network.key() @ SettlementError::WrongOracleFeed)]
    pub oracle_set: Box<Account<'info, OracleSet>>,
    #[account(
        init,
        payer = authority,
        space = Settlement::SPACE,
        seeds = [seeds::SETTLEMENT, network.key().as_ref()],
        bump,
    )]
    pub settlement: Box<Account<'info, Settlement>>,
    #[account(
        init,
        payer = authority,
        space = OraclePrices::SPACE,
        seeds = [seeds::ORACLE_PRICES, network.key().as_ref()],
        bump,
    )]
    pub oracle_prices: Box<Account<'info, OraclePrices>>,
    pub token_mint: Box<InterfaceAccount<'info, Mint>>,
    /// CHECK: the network's credits mint (`has_one`); its bytes are checked in `validate`.
    #[account(owner = anchor_spl::token_2022::ID @ SettlementError::CreditsNotNonTransferable)]
    pub credits_mint: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl Initialize<'_> {
    pub fn validate(&self, args: &SettlementArgs) -> Result<()> {
        Settlement::check_price_config(
            args.credits_per_usd,
            args.max_price_age_s,
            args.max_conf_bps,
            args.conf_multiplier,
        )?;
        require!(
            args.breaker_window_s > 0 && args.breaker_threshold > 0,
            SettlementError::InvalidBreaker
        );
        require!(
            args.oracle_expo.unsigned_abs() <= depin_core::price::MAX_SCALE,
            SettlementError::ExponentOutOfRange
        );
        let data = self.credits_mint.try_borrow_data()?;
        match check_credits_mint(&data, &self.settlement.key()) {
            CreditsMintCheck::Ok => Ok(()),
            CreditsMintCheck::NotNonTransferable => {
                err!(SettlementError::CreditsNotNonTransferable)
            }
            CreditsMintCheck::Unsafe => err!(SettlementError::UnsafeCreditsMint),
            CreditsMintCheck::WrongAuthority => err!(SettlementError::WrongCreditsMintAuthority),
        }
    }

    pub fn handler(ctx: Context<Self>, args: SettlementArgs) -> Result<()> {
        let a = ctx.accounts;
        let network = a.network.key();
        a.settlement.set_inner(Settlement {
            network,
            token_mint: a.token_mint.key(),
            token_decimals: a.token_mint.decimals,
            credits_mint: a.credits_mint.key(),
            credits_per_usd: args.credits_per_usd,
            source: args.source,
            pyth_feed_id: args.pyth_feed_id,
            max_price_age_s: args.max_price_age_s,
            max_conf_bps: args.max_conf_bps,
            conf_multiplier: args.conf_multiplier,
            oracle_set: a.oracle_set.key(),
            genesis_ts: a.oracle_set.genesis_ts,
            epoch_length_s: a.oracle_set.epoch_length_s,
            usage_authority: args.usage_authority,
            breaker_window_s: args.breaker_window_s,
            breaker_threshold: args.breaker_threshold,
            breaker_current: 0,
            breaker_last_ts: 0,
            tokens_burned_total: 0,
            credits_minted_total: 0,
            credits_burned_total: 0,
            bump: ctx.bumps.settlement,
        });
        a.oracle_prices.set_inner(OraclePrices {
            network,
            expo: args.oracle_expo,
            posts: [PricePost::default(); MAX_ORACLES],
            bump: ctx.bumps.oracle_prices,
        });
        crate::events::emit(SettlementInitialized {
            network,
            token_mint: a.token_mint.key(),
            credits_mint: a.credits_mint.key(),
            credits_per_usd: args.credits_per_usd,
            source: args.source,
        });
        Ok(())
    }
}
