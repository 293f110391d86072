//! Proof of coverage for wireless networks: a hotspot beacons a payload derived from its
//! challenge, hotspots that hear it report the payload with signal strength and SNR, and a
//! witness counts only if physics allows it.
//!
//! The physical bound is free-space path loss: no receiver `d` metres away hears a
//! transmitter of power `P` with antenna gains `Gt`, `Gr` stronger than
//! `P + Gt + Gr − FSPL(d, f)`, where `FSPL = 20·log10(d) + 20·log10(f) − 147.55` (metres,
//! hertz, dB). Everything is integer: decibels in hundredths (centi-dB), logarithms in
//! fixed point, so the oracle and any recomputation agree to the unit.
use super::{Hash, Sector};
use crate::sha256::Sha256;

/// The beacon a hotspot transmits for its challenge.
pub fn beacon_payload<H: Sha256>(challenge: &Hash) -> Hash {
    H::hashv(&[b"depin-kit beacon", &[Sector::Coverage as u8], challenge])
}

/// `log10(x)` in millionths, for `x ≥ 1` (0 for 0 and 1), to within a millionth.
pub fn log10_micro(x: u64) -> i64 {
    if x <= 1 {
        return 0;
    }
    // log2(x) in Q32: the integer part from the top bit, 32 fraction bits by squaring the
    // mantissa (kept in Q62, 1 ≤ m < 2)
    let n = 63 - x.leading_zeros();
    let mut m: u128 = (u128::from(x) << 62) >> n;
    let one = 1u128 << 62;
    let mut frac: u64 = 0;
    for i in 0..32 {
        m = (m * m) >> 62;
        if m >= 2 * one {
            m >>= 1;
            frac |= 1 << (31 - i);
        }
    }
    let log2_q32 = (u128::from(n) << 32) | u128::from(frac);
    // log10(2) in Q32 = 0.30102999566 · 2^32
    const LOG10_2_Q32: u128 = 1_292_913_986;
    let log10_q64 = log2_q32 * LOG10_2_Q32;
    ((log10_q64 * 1_000_000 + (1u128 << 63)) >> 64) as i64
}

/// Free-space path loss in centi-dB over `distance_m` metres at `freq_khz` kilohertz
/// (distances under a metre count as one).
pub fn fspl_centi_db(distance_m: u64, freq_khz: u64) -> i64 {
    // 20·log10(d) + 20·log10(f_kHz · 1000) − 147.55 = 20·(log10 d + log10 f_kHz) − 87.55 dB
    let micro = log10_micro(distance_m.max(1)) + log10_micro(freq_khz.max(1));
    micro / 500 - 8_755
}

/// The strongest signal (centi-dBm) a receiver can hear from a transmitter `distance_m`
/// away, by free-space path loss.
pub fn max_rssi_centi_dbm(
    distance_m: u64,
    freq_khz: u64,
    tx_power_centi_dbm: i32,
    tx_gain_centi_dbi: i32,
    rx_gain_centi_dbi: i32,
) -> i64 {
    i64::from(tx_power_centi_dbm) + i64::from(tx_gain_centi_dbi) + i64::from(rx_gain_centi_dbi)
        - fspl_centi_db(distance_m, freq_khz)
}

/// A network's rules for witnesses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WitnessRules {
    /// Closer than this is refused (two hotspots on one roof prove nothing).
    pub min_distance_m: u64,
    /// Farther than this is refused (beyond any plausible range of the radio).
    pub max_distance_m: u64,
    pub freq_khz: u64,
    /// Transmit power the network's beacons use (regulatory maximum).
    pub tx_power_centi_dbm: i32,
    /// Allowance over the free-space bound for measurement error (centi-dB).
    pub rssi_margin_centi_db: i32,
    /// Noise floor: an SNR above `rssi − floor` is impossible.
    pub noise_floor_centi_dbm: i32,
    /// Witnesses counted per beacon (the rest are dropped, strongest kept first).
    pub max_witnesses: usize,
}

impl Default for WitnessRules {
    /// LoRa at 915 MHz, 27 dBm: at least 300 m, at most 100 km, 2 dB of margin, a noise floor
    /// of −120 dBm, 16 witnesses per beacon.
    fn default() -> Self {
        WitnessRules {
            min_distance_m: 300,
            max_distance_m: 100_000,
            freq_khz: 915_000,
            tx_power_centi_dbm: 2_700,
            rssi_margin_centi_db: 200,
            noise_floor_centi_dbm: -12_000,
            max_witnesses: 16,
        }
    }
}

/// Why a witness report does not count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WitnessRejection {
    SelfWitness,
    Duplicate,
    WrongPayload,
    TooClose,
    TooFar,
    SignalTooStrong,
    SnrImpossible,
    OverCap,
}

impl WitnessRejection {
    pub fn name(self) -> &'static str {
        match self {
            WitnessRejection::SelfWitness => "self_witness",
            WitnessRejection::Duplicate => "duplicate_witness",
            WitnessRejection::WrongPayload => "wrong_payload",
            WitnessRejection::TooClose => "witness_too_close",
            WitnessRejection::TooFar => "witness_too_far",
            WitnessRejection::SignalTooStrong => "signal_stronger_than_physics",
            WitnessRejection::SnrImpossible => "snr_impossible",
            WitnessRejection::OverCap => "over_witness_cap",
        }
    }
}

/// What a witness reports of a beacon it heard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Heard {
    pub payload: Hash,
    pub rssi_centi_dbm: i32,
    pub snr_centi_db: i32,
}

/// Checks one witness report against the physics of its distance (`distance_m` between the
/// two hotspots' asserted locations) and the beaconer's and witness's antenna gains.
pub fn check_witness(
    rules: &WitnessRules,
    expected_payload: &Hash,
    heard: &Heard,
    distance_m: u64,
    tx_gain_centi_dbi: i32,
    rx_gain_centi_dbi: i32,
) -> Result<(), WitnessRejection> {
    if heard.payload != *expected_payload {
        return Err(WitnessRejection::WrongPayload);
    }
    if distance_m < rules.min_distance_m {
        return Err(WitnessRejection::TooClose);
    }
    if distance_m > rules.max_distance_m {
        return Err(WitnessRejection::TooFar);
    }
    let max = max_rssi_centi_dbm(
        distance_m,
        rules.freq_khz,
        rules.tx_power_centi_dbm,
        tx_gain_centi_dbi,
        rx_gain_centi_dbi,
    ) + i64::from(rules.rssi_margin_centi_db);
    if i64::from(heard.rssi_centi_dbm) > max {
        return Err(WitnessRejection::SignalTooStrong);
    }
    let max_snr = i64::from(heard.rssi_centi_dbm) - i64::from(rules.noise_floor_centi_dbm)
        + i64::from(rules.rssi_margin_centi_db);
    if i64::from(heard.snr_centi_db) > max_snr {
        return Err(WitnessRejection::SnrImpossible);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logarithms_to_a_millionth() {
        for (x, want) in [
            (1u64, 0i64),
            (2, 301_030),
            (10, 1_000_000),
            (1_000, 3_000_000),
            (915_000, 5_961_421),
            (123_456_789, 8_091_515),
            (u64::MAX, 19_265_920),
        ] {
            let got = log10_micro(x);
            assert!((got - want).abs() <= 1, "log10({x}) = {got}, want {want}");
        }
    }

    #[test]
    fn free_space_loss_matches_the_textbook() {
        // 1 km at 915 MHz: 91.67 dB; 10 km: 111.67 dB; 1 km at 2.4 GHz: 100.05 dB
        assert!((fspl_centi_db(1_000, 915_000) - 9_167).abs() <= 1);
        assert!((fspl_centi_db(10_000, 915_000) - 11_167).abs() <= 1);
        assert!((fspl_centi_db(1_000, 2_400_000) - 10_005).abs() <= 1);
        // doubling the distance costs 6.02 dB
        let d = fspl_centi_db(2_000, 915_000) - fspl_centi_db(1_000, 915_000);
        assert!((d - 602).abs() <= 1, "{d}");
    }

    #[test]
    fn witnesses_within_physics_pass() {
        let r = WitnessRules::default();
        let p = [7u8; 32];
        // 27 dBm + 3 + 3 dBi − 91.67 dB at 1 km = −58.67 dBm at best
        let heard = |rssi, snr| Heard {
            payload: p,
            rssi_centi_dbm: rssi,
            snr_centi_db: snr,
        };
        assert_eq!(
            check_witness(&r, &p, &heard(-9_000, 1_000), 1_000, 300, 300),
            Ok(())
        );
        assert_eq!(
            check_witness(&r, &p, &heard(-5_867, 500), 1_000, 300, 300),
            Ok(())
        );
        assert_eq!(
            check_witness(&r, &p, &heard(-5_600, 500), 1_000, 300, 300),
            Err(WitnessRejection::SignalTooStrong)
        );
        assert_eq!(
            check_witness(&r, &p, &heard(-9_000, 1_000), 100, 300, 300),
            Err(WitnessRejection::TooClose)
        );
        assert_eq!(
            check_witness(&r, &p, &heard(-9_000, 1_000), 200_000, 300, 300),
            Err(WitnessRejection::TooFar)
        );
        assert_eq!(
            check_witness(&r, &[8u8; 32], &heard(-9_000, 1_000), 1_000, 300, 300),
            Err(WitnessRejection::WrongPayload)
        );
        // −110 dBm over a −120 dBm floor cannot have 20 dB of SNR
        assert_eq!(
            check_witness(&r, &p, &heard(-11_000, 2_000), 1_000, 300, 300),
            Err(WitnessRejection::SnrImpossible)
        );
    }
}
