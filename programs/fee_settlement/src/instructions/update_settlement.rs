use crate::{
    error::SettlementError,
    events::SettlementUpdated,
    state::{PriceSource, Settlement},
};
use anchor_lang::prelude::*;
use node_registry::state::Network;

/// Fields left `None` keep their value.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, Default)]
pub struct UpdateSettlementArgs {
    pub credits_per_usd: Option<u64>,
    pub source: Option<PriceSource>,
    pub pyth_feed_id: Option<[u8; 32]>,
    pub max_price_age_s: Option<u32>,
    pub max_conf_bps: Option<u16>,
    pub conf_multiplier: Option<u8>,
    pub usage_authority: Option<Pubkey>,
    pub breaker_window_s: Option<u64>,
    pub breaker_threshold: Option<u64>,
}

/// Accounts: `authority` (signer, the network's authority), `network`, `settlement` (mut).
#[derive(Accounts)]
pub struct UpdateSettlement<'info> {
    pub authority: Signer<'info>,
    #[account(has_one = authority @ SettlementError::NotNetworkAuthority)]
    pub network: Box<Account<'info, Network>>,
    #[account(mut, has_one = network @ SettlementError::NotNetworkAuthority)]
    pub settlement: Box<Account<'info, Settlement>>,
}

impl UpdateSettlement<'_> {
    pub fn handler(ctx: Context<Self>, args: UpdateSettlementArgs) -> Result<()> {
        let s = &mut ctx.accounts.settlement;
        let credits_per_usd = args.credits_per_usd.unwrap_or(s.credits_per_usd);
        let max_age = args.max_price_age_s.unwrap_or(s.max_price_age_s);
        let conf_bps = args.max_conf_bps.unwrap_or(s.max_conf_bps);
        let k = args.conf_multiplier.unwrap_or(s.conf_multiplier);
        Settlement::check_price_config(credits_per_usd, max_age, conf_bps, k)?;
        let window = args.breaker_window_s.unwrap_or(s.breaker_window_s);
        let threshold = args.breaker_threshold.unwrap_or(s.breaker_threshold);
        require!(window > 0 && threshold > 0, SettlementError::InvalidBreaker);
        s.credits_per_usd = credits_per_usd;
        s.max_price_age_s = max_age;
        s.max_conf_bps = conf_bps;
        s.conf_multiplier = k;
        s.breaker_window_s = window;
        s.breaker_threshold = threshold;
        if let Some(source) = args.source {
            s.source = source;
        }
        if let Some(feed) = args.pyth_feed_id {
            s.pyth_feed_id = feed;
        }
        if let Some(key) = args.usage_authority {
            s.usage_authority = key;
        }
        crate::events::emit(SettlementUpdated {
            network: s.network,
            credits_per_usd: s.credits_per_usd,
            source: s.source,
            pyth_feed_id: s.pyth_feed_id,
            max_price_age_s: s.max_price_age_s,
            max_conf_bps: s.max_conf_bps,
            usage_authority: s.usage_authority,
            breaker_window_s: s.breaker_window_s,
            breaker_threshold: s.breaker_threshold,
        });
        Ok(())
    }
}
