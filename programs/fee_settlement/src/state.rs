//! Account layouts; price and usage rules as methods (the math itself is depin-core's).
use crate::error::SettlementError;
use anchor_lang::prelude::*;
use depin_core::limit::WindowedLimit;
use depin_core::price::{Price, PriceError};

/// Oracle posts kept: one slot per member of proof_verifier's oracle set.
pub const MAX_ORACLES: usize = proof_verifier::state::MAX_ORACLES;
/// Helium's credit: $0.00001.
pub const DEFAULT_CREDITS_PER_USD: u64 = 100_000;
/// Longest accepted price staleness (a day) and the most a publish time may lead the clock.
pub const MAX_PRICE_AGE_S: u32 = 24 * 3600;
pub const MAX_CLOCK_LEAD_S: i64 = 60;
/// Largest multiple of the confidence subtracted from a Pyth EMA price.
pub const MAX_CONF_MULTIPLIER: u8 = 10;

/// Where `mint_credits` takes its USD price from.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum PriceSource {
    /// A Pyth `PriceUpdateV2` of the pinned feed: `ema − k · ema_conf`.
    Pyth,
    /// The median of the network oracles' fresh posts, with a majority of the set.
    OracleMedian,
    /// Both, the lower price winning.
    Both,
}

impl PriceSource {
    pub fn uses_pyth(self) -> bool {
        matches!(self, PriceSource::Pyth | PriceSource::Both)
    }
    pub fn uses_oracles(self) -> bool {
        matches!(self, PriceSource::OracleMedian | PriceSource::Both)
    }
}

/// A network's settlement: the credits mint (authority: this account) and the price rules.
/// PDA `[seeds::SETTLEMENT, network]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Settlement {
    pub network: Pubkey,
    /// The network's token, burned for credits (SPL Token or Token-2022).
    pub token_mint: Pubkey,
    pub token_decimals: u8,
    /// Token-2022 with NonTransferable; decimals 0 in our deployments.
    pub credits_mint: Pubkey,
    pub credits_per_usd: u64,
    pub source: PriceSource,
    pub pyth_feed_id: [u8; 32],
    pub max_price_age_s: u32,
    /// Pyth: the confidence may be at most this share of the EMA price.
    pub max_conf_bps: u16,
    /// Pyth: the price used is `ema − conf_multiplier · ema_conf`.
    pub conf_multiplier: u8,
    /// proof_verifier's oracle set whose members post prices, and the epoch clock copied
    /// from it (epoch `e` starts at `genesis_ts + e · epoch_length_s`).
    pub oracle_set: Pubkey,
    pub genesis_ts: i64,
    pub epoch_length_s: u32,
    /// May burn delegated credits (the network's router or usage oracle).
    pub usage_authority: Pubkey,
    /// Windowed limit on credits minted.
    pub breaker_window_s: u64,
    pub breaker_threshold: u64,
    pub breaker_current: u64,
    pub breaker_last_ts: i64,
    /// Lifetime totals through this program (fees burned directly by node_registry are the
    /// difference between these and the credits mint's supply).
    pub tokens_burned_total: u64,
    pub credits_minted_total: u64,
    pub credits_burned_total: u64,
    pub bump: u8,
}

impl Settlement {
    pub const SPACE: usize = 8 + Settlement::INIT_SPACE;

    pub fn check_price_config(
        credits_per_usd: u64,
        max_age_s: u32,
        conf_bps: u16,
        k: u8,
    ) -> Result<()> {
        require!(
            credits_per_usd > 0
                && (1..=MAX_PRICE_AGE_S).contains(&max_age_s)
                && (1..=depin_core::split::BPS).contains(&conf_bps)
                && k <= MAX_CONF_MULTIPLIER,
            SettlementError::InvalidPriceConfig
        );
        Ok(())
    }

    /// The epoch `now` falls in.
    pub fn epoch_at(&self, now: i64) -> Result<u64> {
        epoch_of(self.genesis_ts, self.epoch_length_s, now)
    }

    /// Pyth's EMA price read conservatively, after the feed, verification and age checks.
    pub fn pyth_price(
        &self,
        update: &pyth_solana_receiver_sdk::price_update::PriceUpdateV2,
        now: i64,
    ) -> Result<Price> {
        use pyth_solana_receiver_sdk::price_update::VerificationLevel;
        let m = &update.price_message;
        PythReading {
            feed_matches: m.feed_id == self.pyth_feed_id,
            full: update.verification_level == VerificationLevel::Full,
            publish_time: m.publish_time,
            ema_price: m.ema_price,
            ema_conf: m.ema_conf,
            expo: m.exponent,
        }
        .conservative(
            now,
            self.max_price_age_s,
            self.conf_multiplier,
            self.max_conf_bps,
        )
    }
}

/// What the price checks need of a Pyth `PriceUpdateV2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PythReading {
    pub feed_matches: bool,
    pub full: bool,
    pub publish_time: i64,
    pub ema_price: i64,
    pub ema_conf: u64,
    pub expo: i32,
}

impl PythReading {
    /// The pinned feed, full verification, not stale nor from the future, then
    /// `ema − k · conf` with the confidence bound.
    pub fn conservative(self, now: i64, max_age_s: u32, k: u8, max_conf_bps: u16) -> Result<Price> {
        require!(self.feed_matches, SettlementError::WrongPriceFeed);
        require!(self.full, SettlementError::PartialVerification);
        require!(
            self.publish_time <= now.saturating_add(MAX_CLOCK_LEAD_S),
            SettlementError::PriceFromFuture
        );
        require!(
            now.saturating_sub(self.publish_time) <= i64::from(max_age_s),
            SettlementError::StalePrice
        );
        Price {
            price: self.ema_price,
            conf: self.ema_conf,
            expo: self.expo,
        }
        .conservative(u64::from(k), max_conf_bps)
        .map_err(price_error)
    }

    /// Reads a `PriceUpdateV2` account in place: Borsh-decoding Pyth's type copies the
    /// whole account (about 1,300 CU on SBF). The layout is the SDK's — discriminator,
    /// write authority, `VerificationLevel` (tag 1 = Full, or tag 0 and a signature count),
    /// then `PriceFeedMessage` — and a unit test checks this reader against the SDK's own
    /// decoding.
    pub fn read(info: &AccountInfo, feed: &[u8]) -> Result<PythReading> {
        use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;
        require_keys_eq!(
            *info.owner,
            pyth_solana_receiver_sdk::ID,
            SettlementError::PriceAccountNotPyth
        );
        let d = info.try_borrow_data()?;
        require!(
            d.get(..8) == Some(PriceUpdateV2::DISCRIMINATOR),
            SettlementError::NotAPriceUpdate
        );
        let (full, m) = match d.get(40) {
            Some(1) => (true, 41),
            Some(0) => (false, 42),
            _ => return err!(SettlementError::NotAPriceUpdate),
        };
        // feed_id, price, conf, exponent, publish_time, prev_publish_time, ema_price, ema_conf
        require!(d.len() >= m + 84, SettlementError::NotAPriceUpdate);
        Ok(PythReading {
            feed_matches: d.get(m..m + 32) == Some(feed),
            full,
            publish_time: u64_at(&d, m + 52) as i64,
            ema_price: u64_at(&d, m + 68) as i64,
            ema_conf: u64_at(&d, m + 76),
            expo: u32_at(&d, m + 48) as i32,
        })
    }
}

/// The epoch `now` falls in when epoch `e` starts at `genesis_ts + e · epoch_length_s`
/// (proof_verifier's clock, copied into the settlement).
fn epoch_of(genesis_ts: i64, epoch_length_s: u32, now: i64) -> Result<u64> {
    let since = now
        .checked_sub(genesis_ts)
        .filter(|s| *s >= 0)
        .ok_or(SettlementError::BeforeGenesis)?;
    Ok(since.unsigned_abs() / u64::from(epoch_length_s).max(1))
}

/// depin-core's refusal as this program's error.
pub fn price_error(e: PriceError) -> Error {
    match e {
        PriceError::NonPositivePrice => error!(SettlementError::NonPositivePrice),
        PriceError::ConfidenceTooWide => error!(SettlementError::ConfidenceTooWide),
        PriceError::ExponentOutOfRange => error!(SettlementError::ExponentOutOfRange),
        PriceError::Overflow => error!(SettlementError::ArithmeticOverflow),
        PriceError::NoMajority => error!(SettlementError::NoOracleMajority),
    }
}

#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct PricePost {
    /// `price · 10^expo` USD per whole token (the feed's exponent).
    pub price: i64,
    pub posted_at: i64,
    /// The oracle set's version when posted: posts made under an earlier set do not count.
    pub set_version: u32,
}

/// The oracles' price posts, one slot per oracle-set member. PDA `[seeds::ORACLE_PRICES,
/// network]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct OraclePrices {
    pub network: Pubkey,
    pub expo: i32,
    pub posts: [PricePost; MAX_ORACLES],
    pub bump: u8,
}

impl OraclePrices {
    pub const SPACE: usize = 8 + OraclePrices::INIT_SPACE;

    /// The lower median of the posts fresh at `now` by the current members of a set of
    /// `set_size` under `set_version`, if more than half of the set posted.
    pub fn median(
        &self,
        set_size: usize,
        set_version: u32,
        now: i64,
        max_age_s: u32,
    ) -> Result<Price> {
        let posts = &self.posts;
        median_of(set_size, set_version, now, max_age_s, self.expo, |i| {
            posts
                .get(i)
                .map_or((0, 0, 0), |p| (p.price, p.posted_at, p.set_version))
        })
    }
}

/// The lower median of the first `set_size` posts (`post(i)`: price, posted at, set
/// version) made under `set_version` and fresh at `now`, with a majority of the set.
fn median_of(
    set_size: usize,
    set_version: u32,
    now: i64,
    max_age_s: u32,
    expo: i32,
    post: impl Fn(usize) -> (i64, i64, u32),
) -> Result<Price> {
    let n = set_size.min(MAX_ORACLES);
    let mut posts = [(0i64, i64::MIN); MAX_ORACLES];
    for (i, slot) in posts.iter_mut().enumerate().take(n) {
        let (price, at, version) = post(i);
        if version == set_version {
            *slot = (price, at);
        }
    }
    let live = posts.get_mut(..n).unwrap_or_default();
    let price = depin_core::price::median_price(live, now, i64::from(max_age_s), set_size)
        .map_err(price_error)?;
    Ok(Price {
        price,
        conf: 0,
        expo,
    })
}

/// What one epoch's usage did. PDA `[seeds::USAGE, network, epoch]`, opened by anyone
/// (`open_epoch_usage`) and written only while `epoch` is the current one, so it is final
/// once the epoch ends; emissions' `finalize_epoch` reads `tokens_burned_for_credits`.
#[account]
#[derive(InitSpace, Debug)]
pub struct EpochUsage {
    pub network: Pubkey,
    pub epoch: u64,
    pub tokens_burned_for_credits: u64,
    pub credits_minted: u64,
    /// Credits burned for usage (`burn_credits` and `burn_delegated_credits`).
    pub credits_burned: u64,
    /// Credits moved into escrows (burned from holders and minted to escrows: not usage).
    pub credits_delegated: u64,
    pub bump: u8,
}

impl EpochUsage {
    pub const SPACE: usize = 8 + EpochUsage::INIT_SPACE;
    /// Offsets other programs read in place.
    pub const NETWORK_AT: usize = layout::U_NETWORK;
    pub const EPOCH_AT: usize = layout::U_EPOCH;
    pub const TOKENS_BURNED_AT: usize = layout::U_TOKENS_BURNED;
}

fn key_at(d: &[u8], at: usize) -> Pubkey {
    Pubkey::new_from_array(
        d.get(at..at + 32)
            .and_then(|b| b.try_into().ok())
            .unwrap_or_default(),
    )
}
fn u64_at(d: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(
        d.get(at..at + 8)
            .and_then(|b| b.try_into().ok())
            .unwrap_or_default(),
    )
}
fn u32_at(d: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(
        d.get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .unwrap_or_default(),
    )
}
fn put_u64(d: &mut [u8], at: usize, v: u64) {
    if let Some(b) = d.get_mut(at..at + 8) {
        b.copy_from_slice(&v.to_le_bytes());
    }
}

/// `Settlement` and `EpochUsage` read and written in place: Anchor's account types decode
/// and re-encode the whole account, about 2,000 CU each on SBF, and the credit instructions'
/// budgets (`mint_credits` ≤ 15,000) cannot carry that. Every field has a fixed size, so the
/// offsets are constants; a unit test checks them against Borsh.
pub mod layout {
    pub const S_NETWORK: usize = 8;
    pub const S_TOKEN_MINT: usize = 40;
    pub const S_TOKEN_DECIMALS: usize = 72;
    pub const S_CREDITS_MINT: usize = 73;
    pub const S_CREDITS_PER_USD: usize = 105;
    pub const S_SOURCE: usize = 113;
    pub const S_PYTH_FEED: usize = 114;
    pub const S_MAX_AGE: usize = 146;
    pub const S_MAX_CONF_BPS: usize = 150;
    pub const S_CONF_MULTIPLIER: usize = 152;
    pub const S_ORACLE_SET: usize = 153;
    pub const S_GENESIS: usize = 185;
    pub const S_EPOCH_LENGTH: usize = 193;
    pub const S_USAGE_AUTHORITY: usize = 197;
    pub const S_BREAKER_WINDOW: usize = 229;
    pub const S_BREAKER_THRESHOLD: usize = 237;
    pub const S_BREAKER_CURRENT: usize = 245;
    pub const S_BREAKER_LAST_TS: usize = 253;
    pub const S_TOKENS_BURNED: usize = 261;
    pub const S_CREDITS_MINTED: usize = 269;
    pub const S_CREDITS_BURNED: usize = 277;
    pub const S_BUMP: usize = 285;

    pub const U_NETWORK: usize = 8;
    pub const U_EPOCH: usize = 40;
    pub const U_TOKENS_BURNED: usize = 48;
    pub const U_CREDITS_MINTED: usize = 56;
    pub const U_CREDITS_BURNED: usize = 64;
    pub const U_CREDITS_DELEGATED: usize = 72;
}

/// A settlement account's bytes, read field by field where they lie.
pub struct SettlementView<'a> {
    d: &'a [u8],
}

impl<'a> SettlementView<'a> {
    /// `info` must be this program's settlement: owner, size and discriminator checked.
    pub fn new(info: &AccountInfo, d: &'a [u8]) -> Result<Self> {
        require_keys_eq!(
            *info.owner,
            crate::ID,
            anchor_lang::error::ErrorCode::AccountOwnedByWrongProgram
        );
        require!(
            d.len() == Settlement::SPACE && d.get(..8) == Some(Settlement::DISCRIMINATOR),
            anchor_lang::error::ErrorCode::AccountDiscriminatorMismatch
        );
        Ok(SettlementView { d })
    }

    fn key_is(&self, at: usize, key: &Pubkey) -> bool {
        self.d.get(at..at + 32) == Some(key.as_ref())
    }
    pub fn network(&self) -> Pubkey {
        key_at(self.d, layout::S_NETWORK)
    }
    pub fn network_bytes(&self) -> &'a [u8] {
        self.d
            .get(layout::S_NETWORK..layout::S_NETWORK + 32)
            .unwrap_or_default()
    }
    pub fn pyth_feed(&self) -> &'a [u8] {
        self.d
            .get(layout::S_PYTH_FEED..layout::S_PYTH_FEED + 32)
            .unwrap_or_default()
    }
    pub fn is_token_mint(&self, k: &Pubkey) -> bool {
        self.key_is(layout::S_TOKEN_MINT, k)
    }
    pub fn is_credits_mint(&self, k: &Pubkey) -> bool {
        self.key_is(layout::S_CREDITS_MINT, k)
    }
    pub fn is_oracle_set(&self, k: &Pubkey) -> bool {
        self.key_is(layout::S_ORACLE_SET, k)
    }
    pub fn is_usage_authority(&self, k: &Pubkey) -> bool {
        self.key_is(layout::S_USAGE_AUTHORITY, k)
    }
    pub fn token_decimals(&self) -> u8 {
        self.d[layout::S_TOKEN_DECIMALS]
    }
    pub fn credits_per_usd(&self) -> u64 {
        u64_at(self.d, layout::S_CREDITS_PER_USD)
    }
    pub fn source(&self) -> PriceSource {
        match self.d[layout::S_SOURCE] {
            0 => PriceSource::Pyth,
            1 => PriceSource::OracleMedian,
            _ => PriceSource::Both,
        }
    }
    pub fn max_price_age_s(&self) -> u32 {
        u32_at(self.d, layout::S_MAX_AGE)
    }
    pub fn max_conf_bps(&self) -> u16 {
        u16::from_le_bytes([
            self.d[layout::S_MAX_CONF_BPS],
            self.d[layout::S_MAX_CONF_BPS + 1],
        ])
    }
    pub fn conf_multiplier(&self) -> u8 {
        self.d[layout::S_CONF_MULTIPLIER]
    }
    pub fn bump(&self) -> u8 {
        self.d[layout::S_BUMP]
    }

    /// The epoch `now` falls in (see [`Settlement::epoch_at`]).
    pub fn epoch_at(&self, now: i64) -> Result<u64> {
        epoch_of(
            u64_at(self.d, layout::S_GENESIS) as i64,
            u32_at(self.d, layout::S_EPOCH_LENGTH),
            now,
        )
    }

    pub fn breaker(&self) -> WindowedLimit {
        WindowedLimit {
            window_s: u64_at(self.d, layout::S_BREAKER_WINDOW),
            threshold: u64_at(self.d, layout::S_BREAKER_THRESHOLD),
            current: u64_at(self.d, layout::S_BREAKER_CURRENT),
            last_ts: u64_at(self.d, layout::S_BREAKER_LAST_TS) as i64,
        }
    }
}

impl Settlement {
    /// Adds to the lifetime totals in place and, with `breaker`, stores its new state.
    pub fn record_in_place(
        info: &AccountInfo,
        breaker: Option<&WindowedLimit>,
        tokens_burned: u64,
        credits_minted: u64,
        credits_burned: u64,
    ) -> Result<()> {
        use layout::*;
        let mut d = info.try_borrow_mut_data()?;
        require!(
            d.len() == Settlement::SPACE,
            anchor_lang::error::ErrorCode::AccountDidNotSerialize
        );
        for (at, add) in [
            (S_TOKENS_BURNED, tokens_burned),
            (S_CREDITS_MINTED, credits_minted),
            (S_CREDITS_BURNED, credits_burned),
        ] {
            if add > 0 {
                let v = u64_at(&d, at)
                    .checked_add(add)
                    .ok_or(SettlementError::ArithmeticOverflow)?;
                put_u64(&mut d, at, v);
            }
        }
        if let Some(b) = breaker {
            put_u64(&mut d, S_BREAKER_CURRENT, b.current);
            put_u64(&mut d, S_BREAKER_LAST_TS, b.last_ts as u64);
        }
        Ok(())
    }
}

/// Which `EpochUsage` counter an instruction adds to.
#[derive(Clone, Copy, Debug)]
pub enum UsageCounter {
    TokensBurned,
    CreditsMinted,
    CreditsBurned,
    CreditsDelegated,
}

impl EpochUsage {
    /// Checks `info` is this program's usage record of `network` and `epoch`.
    pub fn check_in_place(info: &AccountInfo, network: &[u8], epoch: u64) -> Result<()> {
        use layout::*;
        require_keys_eq!(*info.owner, crate::ID, SettlementError::WrongEpochUsage);
        let d = info.try_borrow_data()?;
        let ok = d.len() == EpochUsage::SPACE
            && d.get(..8) == Some(EpochUsage::DISCRIMINATOR)
            && d.get(U_NETWORK..U_NETWORK + 32) == Some(network)
            && u64_at(&d, U_EPOCH) == epoch;
        require!(ok, SettlementError::WrongEpochUsage);
        Ok(())
    }

    /// Adds `amount` to a counter of a record already checked by [`Self::check_in_place`].
    pub fn add_in_place(info: &AccountInfo, counter: UsageCounter, amount: u64) -> Result<()> {
        use layout::*;
        let at = match counter {
            UsageCounter::TokensBurned => U_TOKENS_BURNED,
            UsageCounter::CreditsMinted => U_CREDITS_MINTED,
            UsageCounter::CreditsBurned => U_CREDITS_BURNED,
            UsageCounter::CreditsDelegated => U_CREDITS_DELEGATED,
        };
        let mut d = info.try_borrow_mut_data()?;
        require!(
            d.len() == EpochUsage::SPACE,
            SettlementError::WrongEpochUsage
        );
        let v = u64_at(&d, at)
            .checked_add(amount)
            .ok_or(SettlementError::ArithmeticOverflow)?;
        put_u64(&mut d, at, v);
        Ok(())
    }
}

impl OraclePrices {
    const EXPO_AT: usize = 40;
    const POSTS_AT: usize = 44;
    const POST_LEN: usize = 20;

    /// [`Self::median`] read in place from the feed and proof_verifier's `OracleSet`
    /// (owners, discriminators, the settlement's network and oracle set checked).
    pub fn median_in_place(
        feed: &AccountInfo,
        set: &AccountInfo,
        s: &SettlementView,
        now: i64,
    ) -> Result<Price> {
        use proof_verifier::state::OracleSet;
        require!(
            *feed.owner == crate::ID
                && *set.owner == proof_verifier::ID
                && s.is_oracle_set(set.key),
            SettlementError::WrongOracleFeed
        );
        let f = feed.try_borrow_data()?;
        let o = set.try_borrow_data()?;
        require!(
            f.len() == OraclePrices::SPACE
                && f.get(..8) == Some(OraclePrices::DISCRIMINATOR)
                && f.get(8..40) == Some(s.network_bytes())
                && o.get(..8) == Some(OracleSet::DISCRIMINATOR)
                && o.get(8..40) == Some(s.network_bytes()),
            SettlementError::WrongOracleFeed
        );
        // OracleSet: network, oracles (u32 length + keys), threshold, genesis_ts,
        // epoch_length_s, challenge_period_s, version
        let n = (u32_at(&o, 40) as usize).min(MAX_ORACLES);
        let version = u32_at(&o, 44 + 32 * n + 17);
        let expo = u32_at(&f, Self::EXPO_AT) as i32;
        median_of(n, version, now, s.max_price_age_s(), expo, |i| {
            let at = Self::POSTS_AT + i * Self::POST_LEN;
            (
                u64_at(&f, at) as i64,
                u64_at(&f, at + 8) as i64,
                u32_at(&f, at + 16),
            )
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn k(b: u8) -> Pubkey {
        Pubkey::new_from_array([b; 32])
    }

    #[test]
    fn pyth_reader_matches_the_sdk() {
        use pyth_solana_receiver_sdk::price_update::{
            PriceFeedMessage, PriceUpdateV2, VerificationLevel,
        };
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for i in 0..2_000 {
            let full = i % 3 != 0;
            let mut feed = [0u8; 32];
            feed[..8].copy_from_slice(&next().to_le_bytes());
            let u = PriceUpdateV2 {
                write_authority: k((i % 251) as u8),
                verification_level: if full {
                    VerificationLevel::Full
                } else {
                    VerificationLevel::Partial {
                        num_signatures: (i % 19) as u8,
                    }
                },
                price_message: PriceFeedMessage {
                    feed_id: feed,
                    price: next() as i64,
                    conf: next(),
                    exponent: next() as i32,
                    publish_time: next() as i64,
                    prev_publish_time: next() as i64,
                    ema_price: next() as i64,
                    ema_conf: next(),
                },
                posted_slot: next(),
            };
            let mut data = vec![];
            u.try_serialize(&mut data).unwrap();
            data.resize(PriceUpdateV2::LEN, 0);
            let owner = pyth_solana_receiver_sdk::ID;
            let (key, mut lamports) = (k(7), 0);
            let info =
                AccountInfo::new(&key, false, false, &mut lamports, &mut data, &owner, false);
            let r = PythReading::read(&info, &feed).unwrap();
            let m = &u.price_message;
            assert_eq!(
                r,
                PythReading {
                    feed_matches: true,
                    full,
                    publish_time: m.publish_time,
                    ema_price: m.ema_price,
                    ema_conf: m.ema_conf,
                    expo: m.exponent,
                }
            );
            assert!(!PythReading::read(&info, &[1u8; 32]).unwrap().feed_matches);
        }
    }

    #[test]
    fn in_place_offsets_match_borsh() {
        for source in [
            PriceSource::Pyth,
            PriceSource::OracleMedian,
            PriceSource::Both,
        ] {
            let s = Settlement {
                network: k(1),
                token_mint: k(2),
                token_decimals: 3,
                credits_mint: k(4),
                credits_per_usd: 5,
                source,
                pyth_feed_id: [6; 32],
                max_price_age_s: 7,
                max_conf_bps: 8,
                conf_multiplier: 9,
                oracle_set: k(10),
                genesis_ts: -11,
                epoch_length_s: 12,
                usage_authority: k(13),
                breaker_window_s: 14,
                breaker_threshold: 15,
                breaker_current: 16,
                breaker_last_ts: 17,
                tokens_burned_total: 18,
                credits_minted_total: 19,
                credits_burned_total: 20,
                bump: 21,
            };
            let mut data = vec![];
            s.try_serialize(&mut data).unwrap();
            assert_eq!(data.len(), Settlement::SPACE);
            let id = crate::ID;
            let key = k(99);
            let mut lamports = 0;
            let info = AccountInfo::new(&key, false, true, &mut lamports, &mut data, &id, false);
            {
                let d = info.try_borrow_data().unwrap();
                let v = SettlementView::new(&info, &d).unwrap();
                assert_eq!(v.network(), s.network);
                assert!(v.is_token_mint(&s.token_mint) && !v.is_token_mint(&s.network));
                assert!(v.is_credits_mint(&s.credits_mint));
                assert!(v.is_oracle_set(&s.oracle_set));
                assert!(v.is_usage_authority(&s.usage_authority));
                assert_eq!(v.pyth_feed(), &s.pyth_feed_id[..]);
                assert_eq!(v.token_decimals(), s.token_decimals);
                assert_eq!(v.credits_per_usd(), s.credits_per_usd);
                assert_eq!(v.source(), s.source);
                assert_eq!(v.max_price_age_s(), s.max_price_age_s);
                assert_eq!(v.max_conf_bps(), s.max_conf_bps);
                assert_eq!(v.conf_multiplier(), s.conf_multiplier);
                assert_eq!(v.bump(), s.bump);
                assert_eq!(v.epoch_at(1_000).unwrap(), s.epoch_at(1_000).unwrap());
                let b = v.breaker();
                assert_eq!(
                    (b.window_s, b.threshold, b.current, b.last_ts),
                    (14, 15, 16, 17)
                );
            }
            let b = WindowedLimit {
                window_s: 14,
                threshold: 15,
                current: 101,
                last_ts: -102,
            };
            Settlement::record_in_place(&info, Some(&b), 1, 2, 3).unwrap();
            let again =
                Settlement::try_deserialize(&mut &info.try_borrow_data().unwrap()[..]).unwrap();
            let want = Settlement {
                breaker_current: 101,
                breaker_last_ts: -102,
                tokens_burned_total: 19,
                credits_minted_total: 21,
                credits_burned_total: 23,
                ..s
            };
            assert_eq!(format!("{again:?}"), format!("{want:?}"));
        }
        let u = EpochUsage {
            network: k(1),
            epoch: 2,
            tokens_burned_for_credits: 3,
            credits_minted: 4,
            credits_burned: 5,
            credits_delegated: 6,
            bump: 7,
        };
        let mut data = vec![];
        u.try_serialize(&mut data).unwrap();
        let (id, key, mut lamports) = (crate::ID, k(98), 0);
        let info = AccountInfo::new(&key, false, true, &mut lamports, &mut data, &id, false);
        EpochUsage::check_in_place(&info, k(1).as_ref(), 2).unwrap();
        assert!(EpochUsage::check_in_place(&info, k(1).as_ref(), 3).is_err());
        assert!(EpochUsage::check_in_place(&info, k(2).as_ref(), 2).is_err());
        for (c, n) in [
            (UsageCounter::TokensBurned, 10),
            (UsageCounter::CreditsMinted, 20),
            (UsageCounter::CreditsBurned, 30),
            (UsageCounter::CreditsDelegated, 40),
        ] {
            EpochUsage::add_in_place(&info, c, n).unwrap();
        }
        let back = EpochUsage::try_deserialize(&mut &info.try_borrow_data().unwrap()[..]).unwrap();
        assert_eq!(
            (
                back.tokens_burned_for_credits,
                back.credits_minted,
                back.credits_burned,
                back.credits_delegated
            ),
            (13, 24, 35, 46)
        );
        assert_eq!(
            EpochUsage::add_in_place(&info, UsageCounter::CreditsBurned, u64::MAX).unwrap_err(),
            error!(SettlementError::ArithmeticOverflow)
        );
    }
}
