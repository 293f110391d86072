//! One event per state change.
use crate::state::PriceSource;
use anchor_lang::prelude::*;

/// The same `emit` as node_registry's (events visible natively too).
pub use node_registry::events::emit;

#[event]
pub struct SettlementInitialized {
    pub network: Pubkey,
    pub token_mint: Pubkey,
    pub credits_mint: Pubkey,
    pub credits_per_usd: u64,
    pub source: PriceSource,
}

#[event]
pub struct SettlementUpdated {
    pub network: Pubkey,
    pub credits_per_usd: u64,
    pub source: PriceSource,
    pub pyth_feed_id: [u8; 32],
    pub max_price_age_s: u32,
    pub max_conf_bps: u16,
    pub usage_authority: Pubkey,
    pub breaker_window_s: u64,
    pub breaker_threshold: u64,
}

#[event]
pub struct EpochUsageOpened {
    pub network: Pubkey,
    pub epoch: u64,
    pub payer: Pubkey,
}

#[event]
pub struct EscrowOpened {
    pub network: Pubkey,
    pub router: Pubkey,
    pub escrow: Pubkey,
}

#[event]
pub struct PricePosted {
    pub network: Pubkey,
    pub oracle: Pubkey,
    pub price: i64,
    pub expo: i32,
    pub posted_at: i64,
}

#[event]
pub struct CreditsMinted {
    pub network: Pubkey,
    pub epoch: u64,
    pub buyer: Pubkey,
    pub recipient: Pubkey,
    pub tokens_burned: u64,
    pub credits: u64,
    /// The conservative price used: `price · 10^expo` USD per whole token.
    pub price: i64,
    pub expo: i32,
}

#[event]
pub struct CreditsDelegated {
    pub network: Pubkey,
    pub holder: Pubkey,
    pub escrow: Pubkey,
    pub credits: u64,
}

#[event]
pub struct CreditsBurned {
    pub network: Pubkey,
    pub epoch: u64,
    /// The holder (`burn_credits`) or the usage authority (`burn_delegated_credits`).
    pub authority: Pubkey,
    pub from: Pubkey,
    pub credits: u64,
    pub delegated: bool,
}
