//! Sharing an epoch's amount across nodes by work units.
//!
//! Node `i` gets `floor(amount · work_i / total_work)` (u128 intermediate, so no overflow for
//! any u64 inputs); what the rounding leaves over goes to the remainder (the treasury). The
//! parts never add up to more than `amount`.

/// Why a split was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SplitError {
    /// `out` is shorter than `work`.
    OutputTooShort,
    /// The work units add up to more than u64.
    WorkOverflow,
}

/// Writes each node's share into `out` (same order as `work`) and returns the remainder.
/// With no work at all, everything is remainder.
pub fn split_by_work(amount: u64, work: &[u64], out: &mut [u64]) -> Result<u64, SplitError> {
    if out.len() < work.len() {
        return Err(SplitError::OutputTooShort);
    }
    let mut total: u64 = 0;
    for w in work {
        total = total.checked_add(*w).ok_or(SplitError::WorkOverflow)?;
    }
    if total == 0 {
        out[..work.len()].fill(0);
        return Ok(amount);
    }
    let mut paid: u64 = 0;
    for (w, o) in work.iter().zip(out.iter_mut()) {
        let share = u128::from(amount) * u128::from(*w) / u128::from(total);
        // share ≤ amount because w ≤ total
        *o = u64::try_from(share).unwrap_or(0);
        paid = paid.saturating_add(*o);
    }
    Ok(amount.saturating_sub(paid))
}

/// Basis points in a whole.
pub const BPS: u16 = 10_000;

/// `amount × bps / 10,000`, rounded down. In u64 when the product fits (on SBF a u128
/// division is a software routine costing thousands of compute units), in u128 otherwise;
/// the result is the same either way and, with `bps ≤ 10,000`, never more than `amount`.
pub fn bps_of(amount: u64, bps: u16) -> u64 {
    let bps = bps.min(BPS);
    match amount.checked_mul(u64::from(bps)) {
        Some(p) => p / u64::from(BPS),
        None => {
            let v = u128::from(amount) * u128::from(bps) / u128::from(BPS);
            // bps ≤ BPS, so v ≤ amount
            u64::try_from(v).unwrap_or(amount)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn examples() {
        let mut out = [0u64; 3];
        assert_eq!(split_by_work(100, &[1, 1, 1], &mut out), Ok(1));
        assert_eq!(out, [33, 33, 33]);
        assert_eq!(split_by_work(100, &[0, 0, 0], &mut out), Ok(100));
        assert_eq!(split_by_work(100, &[3, 1], &mut out[..2]), Ok(0));
        assert_eq!(out[..2], [75, 25]);
        assert_eq!(
            split_by_work(1, &[u64::MAX, 1], &mut out),
            Err(SplitError::WorkOverflow)
        );
        assert_eq!(
            split_by_work(1, &[1, 1], &mut out[..1]),
            Err(SplitError::OutputTooShort)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        // The u64 fast path and the u128 formula agree everywhere.
        #[test]
        fn bps_of_is_exact(amount in any::<u64>(), bps in 0u16..=10_000) {
            let want = u128::from(amount) * u128::from(bps) / 10_000;
            prop_assert_eq!(u128::from(bps_of(amount, bps)), want);
            prop_assert!(bps_of(amount, bps) <= amount);
        }

        // The sum paid never exceeds the amount; shares follow work; the remainder is what
        // rounding left (less than one unit per node).
        #[test]
        fn never_overpays(amount in any::<u64>(), work in proptest::collection::vec(0u64..=u64::MAX / 64, 0..64)) {
            let mut out = vec![0u64; work.len()];
            let rest = split_by_work(amount, &work, &mut out).unwrap();
            let paid: u128 = out.iter().map(|x| u128::from(*x)).sum();
            prop_assert_eq!(paid + u128::from(rest), u128::from(amount));
            let total: u64 = work.iter().sum();
            if total > 0 {
                prop_assert!(u128::from(rest) < work.len().max(1) as u128);
                for (i, w) in work.iter().enumerate() {
                    for (j, v) in work.iter().enumerate() {
                        if w >= v {
                            prop_assert!(out[i] >= out[j]);
                        }
                    }
                }
            }
        }
    }
}
