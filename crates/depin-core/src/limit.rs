//! A windowed limit with linear decay (the circuit breaker on minting).
//!
//! The usage recorded so far decays linearly (rounded up) to zero over `window_s`; a new amount is
//! allowed when the decayed usage plus the amount stays within `threshold`. So over any
//! window at most about `threshold` passes, and a burst is followed by a linear recovery.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct WindowedLimit {
    pub window_s: u64,
    pub threshold: u64,
    /// Usage as of `last_ts`.
    pub current: u64,
    pub last_ts: i64,
}

/// The amount does not fit in what the window allows now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LimitExceeded {
    /// What could still pass at that time.
    pub available: u64,
}

impl WindowedLimit {
    pub fn new(window_s: u64, threshold: u64) -> Self {
        WindowedLimit {
            window_s,
            threshold,
            current: 0,
            last_ts: 0,
        }
    }

    /// Usage at `now` after the linear decay (clocks going backwards decay nothing).
    pub fn usage_at(&self, now: i64) -> u64 {
        if self.window_s == 0 {
            return 0;
        }
        let elapsed = u64::try_from(now.saturating_sub(self.last_ts)).unwrap_or(0);
        if elapsed >= self.window_s {
            return 0;
        }
        // Rounded up: usage never drains faster than linearly, or small amounts would slip
        // through every second (a threshold of 1 would pass one unit per second).
        // In u64 when the product fits (a u128 division is a software routine on SBF).
        let left = self.window_s - elapsed;
        match self.current.checked_mul(left) {
            Some(p) => p.div_ceil(self.window_s),
            None => {
                let decayed = (u128::from(self.current) * u128::from(left))
                    .div_ceil(u128::from(self.window_s));
                u64::try_from(decayed).unwrap_or(self.current)
            }
        }
    }

    /// What may pass at `now`.
    pub fn available_at(&self, now: i64) -> u64 {
        self.threshold.saturating_sub(self.usage_at(now))
    }

    /// Records `amount` at `now` if it fits; otherwise changes nothing.
    pub fn consume(&mut self, now: i64, amount: u64) -> Result<(), LimitExceeded> {
        let usage = self.usage_at(now);
        let available = self.threshold.saturating_sub(usage);
        if amount > available {
            return Err(LimitExceeded { available });
        }
        self.current = usage.saturating_add(amount);
        self.last_ts = now.max(self.last_ts);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rounding_never_lets_small_amounts_through() {
        // the case the property test found: threshold 1, one unit a second
        let mut l = WindowedLimit::new(2_947, 1);
        l.consume(0, 1).unwrap();
        assert!(l.consume(1, 1).is_err());
        assert!(l.consume(2_946, 1).is_err());
        l.consume(2_947, 1).unwrap();
    }

    #[test]
    fn decays_linearly() {
        let mut l = WindowedLimit::new(100, 1_000);
        l.consume(0, 1_000).unwrap();
        assert_eq!(l.consume(0, 1), Err(LimitExceeded { available: 0 }));
        assert_eq!(l.available_at(50), 500);
        l.consume(50, 500).unwrap();
        assert_eq!(l.available_at(50), 0);
        assert_eq!(l.available_at(150), 1_000);
        assert_eq!(l.available_at(-5), 0, "a clock going back decays nothing");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        // Within any one window no more than twice the threshold passes (the linear decay
        // lets the first window's usage drain while the next fills), and the usage never
        // exceeds the threshold.
        #[test]
        fn usage_is_the_u128_formula(current in any::<u64>(), window in 1u64..u64::MAX / 2,
                                     elapsed in 0u64..1_000_000) {
            let l = WindowedLimit { window_s: window, threshold: u64::MAX, current, last_ts: 0 };
            let now = i64::try_from(elapsed).unwrap();
            let want = if elapsed >= window {
                0
            } else {
                (u128::from(current) * u128::from(window - elapsed)).div_ceil(u128::from(window))
            };
            prop_assert_eq!(u128::from(l.usage_at(now)), want);
        }

        #[test]
        fn bounded(window in 1u64..10_000, threshold in 1u64..1_000_000,
                   steps in proptest::collection::vec((0u64..500, any::<u64>()), 1..60)) {
            let mut l = WindowedLimit::new(window, threshold);
            let mut now = 0i64;
            let mut passed: Vec<(i64, u64)> = vec![];
            for (dt, amount) in steps {
                now += dt as i64;
                let amount = amount % (threshold + 1);
                if l.consume(now, amount).is_ok() {
                    passed.push((now, amount));
                }
                prop_assert!(l.current <= threshold);
                let in_window: u128 = passed
                    .iter()
                    .filter(|(t, _)| now - t < window as i64)
                    .map(|(_, a)| u128::from(*a))
                    .sum();
                prop_assert!(in_window <= 2 * u128::from(threshold));
            }
        }
    }
}
