//! Sensor cross-checks: a reading earns only if it agrees with its neighbours'. For each
//! reading the oracle takes the readings of the same quantity and time window from nearby
//! cells (the sensor's own excluded), their median and median absolute deviation (MAD), and
//! accepts the reading within `k · MAD + floor` of the median. With too few neighbours the
//! reading cannot be checked and earns nothing either. Values are integers in the
//! quantity's smallest unit (for example hundredths of a degree).
extern crate std;
use std::vec::Vec;

/// A network's rules for sensor readings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AgreementRules {
    /// Fewest neighbour readings needed to judge one.
    pub min_neighbours: usize,
    /// Accepted spread, in MADs (×100: 300 is 3 MADs).
    pub mad_multiple_x100: u64,
    /// Accepted spread added to the MAD's (absorbs identical neighbours, MAD 0).
    pub floor: u64,
}

impl Default for AgreementRules {
    fn default() -> Self {
        AgreementRules {
            min_neighbours: 3,
            mad_multiple_x100: 300,
            floor: 50,
        }
    }
}

/// Why a reading does not count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReadingRejection {
    Outlier,
    TooFewNeighbours,
    StaleReading,
    OutsideCell,
}

impl ReadingRejection {
    pub fn name(self) -> &'static str {
        match self {
            ReadingRejection::Outlier => "outlier_reading",
            ReadingRejection::TooFewNeighbours => "too_few_neighbours",
            ReadingRejection::StaleReading => "stale_reading",
            ReadingRejection::OutsideCell => "reading_outside_cell",
        }
    }
}

/// The median of `values` (the lower of the two middle ones for an even count); `None`
/// for none.
pub fn median(values: &[i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let mut v: Vec<i64> = values.to_vec();
    v.sort_unstable();
    Some(v[(v.len() - 1) / 2])
}

/// Median and median absolute deviation of `values`.
pub fn median_and_mad(values: &[i64]) -> Option<(i64, u64)> {
    let m = median(values)?;
    let dev: Vec<i64> = values
        .iter()
        .map(|x| i64::try_from(x.abs_diff(m)).unwrap_or(i64::MAX))
        .collect();
    Some((m, median(&dev)?.unsigned_abs()))
}

/// Judges `reading` against `neighbours` (the other sensors' readings nearby).
pub fn check_reading(
    rules: &AgreementRules,
    reading: i64,
    neighbours: &[i64],
) -> Result<(), ReadingRejection> {
    if neighbours.len() < rules.min_neighbours.max(1) {
        return Err(ReadingRejection::TooFewNeighbours);
    }
    let Some((m, mad)) = median_and_mad(neighbours) else {
        return Err(ReadingRejection::TooFewNeighbours);
    };
    let allowed = (u128::from(mad) * u128::from(rules.mad_multiple_x100) / 100)
        .saturating_add(u128::from(rules.floor));
    if u128::from(reading.abs_diff(m)) > allowed {
        return Err(ReadingRejection::Outlier);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn medians() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[5]), Some(5));
        assert_eq!(median(&[3, 1, 2]), Some(2));
        assert_eq!(median(&[4, 1, 3, 2]), Some(2));
        assert_eq!(median_and_mad(&[1, 1, 2, 2, 4, 6, 9]), Some((2, 1)));
        assert_eq!(
            median_and_mad(&[i64::MIN, i64::MAX, 0]),
            Some((0, i64::MAX as u64))
        );
    }

    #[test]
    fn outliers_and_thin_neighbourhoods_earn_nothing() {
        let r = AgreementRules::default();
        let n = [2_010, 2_030, 1_990, 2_000, 2_050];
        assert_eq!(check_reading(&r, 2_020, &n), Ok(()));
        assert_eq!(check_reading(&r, 3_500, &n), Err(ReadingRejection::Outlier));
        assert_eq!(
            check_reading(&r, -2_000, &n),
            Err(ReadingRejection::Outlier)
        );
        assert_eq!(
            check_reading(&r, 2_000, &n[..2]),
            Err(ReadingRejection::TooFewNeighbours)
        );
        // identical neighbours: the floor still admits a close reading
        assert_eq!(check_reading(&r, 2_040, &[2_000; 4]), Ok(()));
        assert_eq!(
            check_reading(&r, 2_060, &[2_000; 4]),
            Err(ReadingRejection::Outlier)
        );
    }

    proptest! {
        /// A reading at the neighbours' median always passes; one farther than the
        /// allowed spread never does.
        #[test]
        fn the_median_passes_and_far_readings_fail(
            neighbours in proptest::collection::vec(-1_000_000i64..1_000_000, 3..40),
        ) {
            let r = AgreementRules::default();
            let (m, mad) = median_and_mad(&neighbours).unwrap();
            prop_assert_eq!(check_reading(&r, m, &neighbours), Ok(()));
            let allowed = (mad * 3 + r.floor) as i64;
            prop_assert_eq!(check_reading(&r, m + allowed + 1, &neighbours), Err(ReadingRejection::Outlier));
            prop_assert_eq!(check_reading(&r, m - allowed - 1, &neighbours), Err(ReadingRejection::Outlier));
        }
    }
}
