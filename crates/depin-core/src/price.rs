//! Token ↔ credit conversion at an oracle USD price, shared by fee_settlement and clients.
//!
//! Prices come as Pyth writes them: an integer `price` and `conf` scaled by `10^expo` USD per
//! whole token. Every conversion rounds against the caller (fewer credits for tokens, more
//! tokens for credits) and reports overflow instead of wrapping. Multiplications stay in u64
//! when the product fits: on SBF a u128 division is a software routine costing thousands of
//! compute units.

/// Why a price or a conversion was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceError {
    /// The (conservative) price is zero or negative.
    NonPositivePrice,
    /// The confidence interval is wider than the allowed share of the price.
    ConfidenceTooWide,
    /// `expo − decimals` is outside ±[`MAX_SCALE`].
    ExponentOutOfRange,
    /// The result does not fit in u64 (or an intermediate in u128).
    Overflow,
    /// The oracle feed has fewer fresh posts than a majority of the set.
    NoMajority,
}

/// Largest power of ten a conversion scales by (10^38 < u128::MAX).
pub const MAX_SCALE: u32 = 38;

/// One price, Pyth's representation: `price · 10^expo` USD per whole token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Price {
    pub price: i64,
    pub conf: u64,
    pub expo: i32,
}

/// `a · b / c` rounded down (`up = false`) or up, in u64 when `a · b` fits.
pub fn mul_div(a: u64, b: u64, c: u64, up: bool) -> Result<u64, PriceError> {
    if c == 0 {
        return Err(PriceError::Overflow);
    }
    match a.checked_mul(b) {
        Some(p) => Ok(if up { p.div_ceil(c) } else { p / c }),
        None => {
            let p = u128::from(a) * u128::from(b);
            let c = u128::from(c);
            let q = if up { p.div_ceil(c) } else { p / c };
            u64::try_from(q).map_err(|_| PriceError::Overflow)
        }
    }
}

impl Price {
    /// Helium's conservative reading of an EMA price: `ema − k · ema_conf`, refused when not
    /// positive or when `conf` exceeds `max_conf_bps` basis points of the price.
    pub fn conservative(self, k: u64, max_conf_bps: u16) -> Result<Price, PriceError> {
        let p = u64::try_from(self.price).map_err(|_| PriceError::NonPositivePrice)?;
        if p == 0 {
            return Err(PriceError::NonPositivePrice);
        }
        // conf ≤ p · bps / 10,000, compared without division
        let conf_scaled = u128::from(self.conf) * 10_000;
        if conf_scaled > u128::from(p) * u128::from(max_conf_bps) {
            return Err(PriceError::ConfidenceTooWide);
        }
        let cut = self.conf.checked_mul(k).ok_or(PriceError::Overflow)?;
        let low = p.checked_sub(cut).filter(|v| *v > 0);
        let low = low.ok_or(PriceError::NonPositivePrice)?;
        Ok(Price {
            price: i64::try_from(low).map_err(|_| PriceError::Overflow)?,
            conf: self.conf,
            expo: self.expo,
        })
    }

    /// The lower of two prices of the same or different exponents (the conservative one
    /// when tokens buy credits).
    pub fn lower(self, other: Price) -> Result<Price, PriceError> {
        // compare a·10^ea with b·10^eb: scale the one with the larger exponent
        let (a, b) = (
            u64::try_from(self.price).map_err(|_| PriceError::NonPositivePrice)?,
            u64::try_from(other.price).map_err(|_| PriceError::NonPositivePrice)?,
        );
        let d = i64::from(self.expo) - i64::from(other.expo);
        let scale = |x: u64, by: i64| -> Option<u128> {
            let by = u32::try_from(by).ok().filter(|b| *b <= MAX_SCALE)?;
            u128::from(x).checked_mul(10u128.checked_pow(by)?)
        };
        let self_is_lower = if d >= 0 {
            match scale(a, d) {
                Some(sa) => sa <= u128::from(b),
                None => false, // self is astronomically larger
            }
        } else {
            match scale(b, -d) {
                Some(sb) => u128::from(a) <= sb,
                None => true,
            }
        };
        Ok(if self_is_lower { self } else { other })
    }

    fn scale(self, decimals: u8) -> Result<(u64, i32), PriceError> {
        let p = u64::try_from(self.price).map_err(|_| PriceError::NonPositivePrice)?;
        if p == 0 {
            return Err(PriceError::NonPositivePrice);
        }
        let e = self.expo.saturating_sub(i32::from(decimals));
        if e.unsigned_abs() > MAX_SCALE {
            return Err(PriceError::ExponentOutOfRange);
        }
        Ok((p, e))
    }

    /// Credits for `tokens` base units (`decimals` per whole token), rounded down:
    /// `tokens · price · 10^(expo − decimals) · credits_per_usd`.
    pub fn credits_for_tokens(
        self,
        tokens: u64,
        decimals: u8,
        credits_per_usd: u64,
    ) -> Result<u64, PriceError> {
        let (p, mut e) = self.scale(decimals)?;
        // Cancel powers of ten between `credits_per_usd` and a negative exponent (Helium's
        // 100,000 against 10⁻¹⁴): the quotient is the same, and it usually fits the u64
        // division below instead of the u128 one (thousands of CU on SBF).
        let mut cpu = credits_per_usd;
        for _ in 0..MAX_SCALE {
            if e >= 0 || cpu == 0 || !cpu.is_multiple_of(10) {
                break;
            }
            cpu /= 10;
            e += 1;
        }
        let value = u128::from(tokens)
            .checked_mul(u128::from(p))
            .and_then(|v| v.checked_mul(u128::from(cpu)))
            .ok_or(PriceError::Overflow)?;
        let pow = 10u128
            .checked_pow(e.unsigned_abs())
            .ok_or(PriceError::Overflow)?;
        let credits = if e >= 0 {
            value.checked_mul(pow).ok_or(PriceError::Overflow)?
        } else if let (Ok(v), Ok(d)) = (u64::try_from(value), u64::try_from(pow)) {
            u128::from(v / d) // u64 division where it fits
        } else {
            value / pow
        };
        u64::try_from(credits).map_err(|_| PriceError::Overflow)
    }

    /// Token base units needed for `credits`, rounded up (the inverse of
    /// [`Self::credits_for_tokens`], so buying exactly this many tokens yields at least
    /// `credits`).
    pub fn tokens_for_credits(
        self,
        credits: u64,
        decimals: u8,
        credits_per_usd: u64,
    ) -> Result<u64, PriceError> {
        let (p, e) = self.scale(decimals)?;
        if credits_per_usd == 0 {
            return Err(PriceError::Overflow);
        }
        let pow = 10u128
            .checked_pow(e.unsigned_abs())
            .ok_or(PriceError::Overflow)?;
        // tokens = credits · 10^(−e) / (p · cpu)
        let (num, den) = if e >= 0 {
            (
                u128::from(credits),
                u128::from(p)
                    .checked_mul(u128::from(credits_per_usd))
                    .and_then(|v| v.checked_mul(pow))
                    .ok_or(PriceError::Overflow)?,
            )
        } else {
            (
                u128::from(credits)
                    .checked_mul(pow)
                    .ok_or(PriceError::Overflow)?,
                u128::from(p)
                    .checked_mul(u128::from(credits_per_usd))
                    .ok_or(PriceError::Overflow)?,
            )
        };
        u64::try_from(num.div_ceil(den)).map_err(|_| PriceError::Overflow)
    }
}

/// The oracle-median price: the lower median of the posts no older than `max_age_s` at
/// `now`, counted only when they are more than half of `set_size`. `posts` is (price,
/// posted at); it is sorted in place. All posts share one exponent.
pub fn median_price(
    posts: &mut [(i64, i64)],
    now: i64,
    max_age_s: i64,
    set_size: usize,
) -> Result<i64, PriceError> {
    let mut fresh = 0usize;
    // move fresh posts to the front
    for i in 0..posts.len() {
        let Some(&(price, at)) = posts.get(i) else {
            break;
        };
        let age = now.saturating_sub(at);
        if (0..=max_age_s).contains(&age) && price > 0 {
            posts.swap(fresh, i);
            fresh += 1;
        }
    }
    if fresh == 0 || fresh * 2 <= set_size {
        return Err(PriceError::NoMajority);
    }
    let live = posts.get_mut(..fresh).ok_or(PriceError::NoMajority)?;
    live.sort_unstable_by_key(|(p, _)| *p);
    live.get((fresh - 1) / 2)
        .map(|(p, _)| *p)
        .ok_or(PriceError::NoMajority)
}

/// What `finalize_epoch` re-mints for an epoch's burns: `share_bps` of the tokens burned for
/// credits, at most `cap`.
pub fn bme_remint(tokens_burned: u64, share_bps: u16, cap: u64) -> u64 {
    crate::split::bps_of(tokens_burned, share_bps).min(cap)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SOL: Price = Price {
        price: 15_000_000_000, // $150.00000000
        conf: 7_500_000,
        expo: -8,
    };

    #[test]
    fn helium_figures() {
        // $150 per token, 9 decimals, 100,000 credits per USD: 1 token = 15,000,000 credits
        assert_eq!(
            SOL.credits_for_tokens(1_000_000_000, 9, 100_000).unwrap(),
            15_000_000
        );
        // and the inverse rounds up
        assert_eq!(
            SOL.tokens_for_credits(15_000_000, 9, 100_000).unwrap(),
            1_000_000_000
        );
        assert_eq!(SOL.tokens_for_credits(1, 9, 100_000).unwrap(), 67);
        // ema − 2·conf
        let c = SOL.conservative(2, 100).unwrap();
        assert_eq!(c.price, 15_000_000_000 - 15_000_000);
    }

    #[test]
    fn bad_prices_are_refused() {
        let p = |price, conf| Price {
            price,
            conf,
            expo: -8,
        };
        assert_eq!(
            p(0, 0).conservative(2, 100),
            Err(PriceError::NonPositivePrice)
        );
        assert_eq!(
            p(-5, 0).conservative(2, 100),
            Err(PriceError::NonPositivePrice)
        );
        // 2 % confidence against a 1 % limit
        assert_eq!(
            p(10_000, 200).conservative(2, 100),
            Err(PriceError::ConfidenceTooWide)
        );
        // ema − 2·conf reaches zero
        assert_eq!(
            p(10_000, 5_000).conservative(2, 10_000),
            Err(PriceError::NonPositivePrice)
        );
        let huge = Price {
            price: i64::MAX,
            conf: 0,
            expo: 12,
        };
        assert_eq!(
            huge.credits_for_tokens(u64::MAX, 0, 100_000),
            Err(PriceError::Overflow)
        );
        let far = Price {
            price: 1,
            conf: 0,
            expo: -60,
        };
        assert_eq!(
            far.credits_for_tokens(1, 0, 1),
            Err(PriceError::ExponentOutOfRange)
        );
    }

    #[test]
    fn medians_need_a_fresh_majority() {
        let mut posts = [(100, 1_000), (103, 1_000), (99, 1_000), (500, 100)];
        // of a set of 5: three fresh posts are a majority; the stale 500 does not count
        assert_eq!(median_price(&mut posts, 1_010, 60, 5), Ok(100));
        let mut posts = [(100, 1_000), (103, 1_000), (500, 100)];
        assert_eq!(
            median_price(&mut posts, 1_010, 60, 5),
            Err(PriceError::NoMajority)
        );
        // even count: the lower median
        let mut posts = [(100, 1_000), (103, 1_000), (99, 1_000), (120, 1_000)];
        assert_eq!(median_price(&mut posts, 1_000, 60, 4), Ok(100));
        // a post from the future is not fresh
        let mut posts = [(100, 2_000), (103, 1_000)];
        assert_eq!(
            median_price(&mut posts, 1_000, 60, 2),
            Err(PriceError::NoMajority)
        );
    }

    #[test]
    fn lower_of_two_prices() {
        let a = Price {
            price: 150,
            conf: 0,
            expo: 0,
        };
        let b = Price {
            price: 14_999,
            conf: 0,
            expo: -2,
        };
        assert_eq!(a.lower(b).unwrap(), b);
        assert_eq!(b.lower(a).unwrap(), b);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]

        // Credits × price never exceed the USD value of the tokens burned, and one more
        // credit would: credits = floor(value). Checked in exact u128 cross-multiplication
        // over ranges where it fits; outside them the function must error, never wrap.
        #[test]
        fn credits_never_exceed_the_value_burned(
            tokens in 0u64..=u64::MAX >> 20,
            price in 1i64..=1i64 << 40,
            expo in -12i32..=0,
            decimals in 0u8..=9,
            cpu in 1u64..=1_000_000,
        ) {
            let p = Price { price, conf: 0, expo };
            let e = expo - i32::from(decimals); // ≤ 0 here
            let pow = 10u128.pow(e.unsigned_abs());
            match p.credits_for_tokens(tokens, decimals, cpu) {
                Ok(credits) => {
                    let value = u128::from(tokens) * price as u128 * u128::from(cpu);
                    prop_assert!(u128::from(credits) * pow <= value);
                    prop_assert!((u128::from(credits) + 1) * pow > value);
                }
                Err(err) => prop_assert_eq!(err, PriceError::Overflow),
            }
        }

        // The same exact floor when credits per USD carries powers of ten (the path that
        // cancels them against the exponent), Helium's 100,000 included.
        #[test]
        fn credits_with_round_credits_per_usd_are_exact(
            tokens in 0u64..=u64::MAX >> 8,
            price in 1i64..=1i64 << 44,
            expo in -14i32..=2,
            decimals in 0u8..=9,
            base in 1u64..=1_000,
            zeros in 0u32..=9,
        ) {
            let cpu = base * 10u64.pow(zeros);
            let p = Price { price, conf: 0, expo };
            let e = i64::from(expo) - i64::from(decimals);
            // reference without cancelling, in u128 where it fits
            let value = u128::from(tokens)
                .checked_mul(price as u128)
                .and_then(|v| v.checked_mul(u128::from(cpu)));
            let reference = value.and_then(|v| {
                if e >= 0 {
                    v.checked_mul(10u128.pow(e as u32))
                } else {
                    Some(v / 10u128.pow((-e) as u32))
                }
            });
            match (p.credits_for_tokens(tokens, decimals, cpu), reference) {
                (Ok(c), Some(r)) => prop_assert_eq!(u128::from(c), r),
                // the un-cancelled product overflows u128 but the cancelled one fits: only
                // possible with a negative exponent (a division follows)
                (Ok(_), None) => prop_assert!(e < 0),
                (Err(err), Some(r)) => {
                    prop_assert_eq!(err, PriceError::Overflow);
                    prop_assert!(r > u128::from(u64::MAX));
                }
                (Err(err), None) => prop_assert_eq!(err, PriceError::Overflow),
            }
        }

        // Buying tokens_for_credits(c) tokens always yields at least c credits.
        #[test]
        fn the_inverse_rounds_against_the_buyer(
            credits in 0u64..=1u64 << 40,
            price in 1i64..=1i64 << 40,
            expo in -12i32..=0,
            decimals in 0u8..=9,
            cpu in 1u64..=1_000_000,
        ) {
            let p = Price { price, conf: 0, expo };
            if let Ok(tokens) = p.tokens_for_credits(credits, decimals, cpu) {
                if let Ok(got) = p.credits_for_tokens(tokens, decimals, cpu) {
                    prop_assert!(got >= credits);
                }
            }
        }

        // Any input at all: an answer or an error, never a panic or a wrap.
        #[test]
        fn extreme_inputs_never_panic(
            tokens in any::<u64>(),
            price in any::<i64>(),
            conf in any::<u64>(),
            expo in any::<i32>(),
            decimals in any::<u8>(),
            cpu in any::<u64>(),
            k in any::<u64>(),
            bps in any::<u16>(),
        ) {
            let p = Price { price, conf, expo };
            let _ = p.conservative(k, bps);
            let _ = p.credits_for_tokens(tokens, decimals, cpu);
            let _ = p.tokens_for_credits(tokens, decimals, cpu);
            let _ = p.lower(Price { price: price.wrapping_add(1), conf, expo: expo.wrapping_sub(1) });
            if let Ok(c) = p.conservative(k, bps) {
                prop_assert!(c.price > 0 && c.price <= price);
            }
        }

        // The conservative price is never above the price, and never more than k·conf below.
        #[test]
        fn conservative_is_bounded(price in 1i64..=i64::MAX, conf in 0u64..=1u64 << 40, k in 0u64..=4) {
            let p = Price { price, conf, expo: -8 };
            if let Ok(c) = p.conservative(k, 10_000) {
                prop_assert!(c.price <= price);
                prop_assert_eq!(c.price as u128 + u128::from(conf) * u128::from(k), price as u128);
            }
        }

        // No path re-mints more than the cap or more than the share of what was burned.
        #[test]
        fn bme_remint_is_capped(burned in any::<u64>(), share in 0u16..=10_000, cap in any::<u64>()) {
            let r = bme_remint(burned, share, cap);
            prop_assert!(r <= cap);
            prop_assert!(u128::from(r) * 10_000 <= u128::from(burned) * u128::from(share));
        }

        // mul_div is the exact u128 quotient in both roundings.
        #[test]
        fn mul_div_is_exact(a in any::<u64>(), b in any::<u64>(), c in 1u64..=u64::MAX, up in any::<bool>()) {
            let p = u128::from(a) * u128::from(b);
            let want = if up { p.div_ceil(u128::from(c)) } else { p / u128::from(c) };
            match mul_div(a, b, c, up) {
                Ok(v) => prop_assert_eq!(u128::from(v), want),
                Err(_) => prop_assert!(want > u128::from(u64::MAX)),
            }
        }

        // The median of fresh posts lies between the smallest and the largest fresh post.
        #[test]
        fn median_is_a_fresh_post(
            posts in proptest::collection::vec((1i64..1_000_000, 0i64..200), 1..16),
            set in 1usize..16,
        ) {
            let mut v = posts.clone();
            let now = 150;
            if let Ok(m) = median_price(&mut v, now, 60, set) {
                let fresh: Vec<i64> = posts.iter().filter(|(_, t)| (0..=60).contains(&(now - t))).map(|(p, _)| *p).collect();
                prop_assert!(fresh.len() * 2 > set);
                prop_assert!(fresh.contains(&m));
                let below = fresh.iter().filter(|p| **p < m).count();
                let above = fresh.iter().filter(|p| **p > m).count();
                prop_assert!(below <= fresh.len() / 2 && above <= fresh.len() / 2);
            }
        }
    }
}
