//! Sector proofs (issue 14): the verification math of proof of coverage, proof of storage,
//! proof of compute and sensor cross-checks, shared by proof_verifier, the oracle and the
//! device side of the CLI.
//!
//! Every challenge comes from an epoch's **seed**: a hash of a slot hash that the chain
//! produced after the epoch started (proof_verifier records it from the `SlotHashes`
//! sysvar), so no one can compute a challenge before the seed exists, and anyone can
//! recompute every challenge from the seed and the device key.
//!
//! | kind | what is hashed after the 11-byte header |
//! |---|---|
//! | [`KIND_EPOCH_SEED`] | network (32) · epoch (u64 LE) · slot (u64 LE) · slot hash (32) |
//! | [`KIND_DEVICE_CHALLENGE`] | seed (32) · device key (32) · sector (1) · counter (u32 LE) |
//! | [`KIND_WITNESS`] (signed) | network · epoch · beaconer · witness · payload · RSSI · SNR |
//! | [`KIND_SECTOR_ANSWER`] (signed) | network · epoch · device · sector · answer body hash |
use crate::attestation::{DOMAIN, VERSION};
use crate::sha256::Sha256;

pub mod compute;
pub mod coverage;
#[cfg(feature = "std")]
pub mod sensor;
pub mod storage;

pub type Hash = [u8; 32];

/// Hash kind of an epoch's challenge seed.
pub const KIND_EPOCH_SEED: u8 = 16;
/// Hash kind of one device's challenge.
pub const KIND_DEVICE_CHALLENGE: u8 = 17;
/// Signed by a witness: what it heard of a beacon.
pub const KIND_WITNESS: u8 = 19;
/// Signed by a device: its answer to a storage, compute or sensor challenge, by hash.
pub const KIND_SECTOR_ANSWER: u8 = 20;

/// Length of a [`witness_message`].
pub const WITNESS_MESSAGE_LEN: usize = 11 + 32 + 8 + 32 + 32 + 32 + 4 + 4;
/// Length of an [`answer_message`].
pub const ANSWER_MESSAGE_LEN: usize = 11 + 32 + 8 + 32 + 1 + 32;

/// What a witness signs (its device key): network, epoch, the beaconer, itself, the payload
/// it heard, RSSI (centi-dBm) and SNR (centi-dB), little-endian.
pub fn witness_message(
    network: &[u8; 32],
    epoch: u64,
    beaconer: &[u8; 32],
    witness: &[u8; 32],
    payload: &Hash,
    rssi_centi_dbm: i32,
    snr_centi_db: i32,
) -> [u8; WITNESS_MESSAGE_LEN] {
    let mut m = [0u8; WITNESS_MESSAGE_LEN];
    let mut at = 0;
    for part in [
        &DOMAIN[..],
        &[VERSION, KIND_WITNESS],
        network,
        &epoch.to_le_bytes(),
        beaconer,
        witness,
        payload,
        &rssi_centi_dbm.to_le_bytes(),
        &snr_centi_db.to_le_bytes(),
    ] {
        m[at..at + part.len()].copy_from_slice(part);
        at += part.len();
    }
    m
}

/// What a device signs for an answer: network, epoch, itself, the sector, and the hash of
/// the answer's body (the sector's encoding).
pub fn answer_message(
    network: &[u8; 32],
    epoch: u64,
    device: &[u8; 32],
    sector: Sector,
    body_hash: &Hash,
) -> [u8; ANSWER_MESSAGE_LEN] {
    let mut m = [0u8; ANSWER_MESSAGE_LEN];
    let mut at = 0;
    for part in [
        &DOMAIN[..],
        &[VERSION, KIND_SECTOR_ANSWER],
        network,
        &epoch.to_le_bytes(),
        device,
        &[sector as u8],
        body_hash,
    ] {
        m[at..at + part.len()].copy_from_slice(part);
        at += part.len();
    }
    m
}

/// The sector a challenge is for; part of the challenge hash, so a challenge of one sector
/// never answers another's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Sector {
    Coverage = 1,
    Storage = 2,
    Compute = 3,
    Sensor = 4,
}

/// The challenge seed of `network`'s `epoch`, from the hash of `slot` (a slot after the
/// epoch's start, read from `SlotHashes` on chain).
pub fn epoch_seed<H: Sha256>(network: &[u8; 32], epoch: u64, slot: u64, slot_hash: &Hash) -> Hash {
    H::hashv(&[
        DOMAIN,
        &[VERSION, KIND_EPOCH_SEED],
        network,
        &epoch.to_le_bytes(),
        &slot.to_le_bytes(),
        slot_hash,
    ])
}

/// Challenge number `counter` of `device` in `sector` for the epoch of `seed`.
pub fn device_challenge<H: Sha256>(
    seed: &Hash,
    device: &[u8; 32],
    sector: Sector,
    counter: u32,
) -> Hash {
    H::hashv(&[
        DOMAIN,
        &[VERSION, KIND_DEVICE_CHALLENGE],
        seed,
        device,
        &[sector as u8],
        &counter.to_le_bytes(),
    ])
}

/// A number below `n` taken from `h` (multiply-shift on its first 8 bytes: bias below
/// n / 2^64); 0 when `n` is 0.
pub fn index_below(h: &Hash, n: u64) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&h[..8]);
    ((u128::from(u64::from_le_bytes(b)) * u128::from(n)) >> 64) as u64
}

/// A small deterministic generator (SplitMix64) for data that challenges describe in bulk
/// (matrices): seeded from a challenge hash, the same numbers on every machine.
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(h: &Hash) -> Self {
        let mut b = [0u8; 8];
        b.copy_from_slice(&h[8..16]);
        SplitMix64(u64::from_le_bytes(b))
    }

    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sha256::Soft;

    #[test]
    fn challenges_depend_on_every_input() {
        let net = [1u8; 32];
        let seed = epoch_seed::<Soft>(&net, 7, 100, &[9u8; 32]);
        assert_ne!(seed, epoch_seed::<Soft>(&net, 8, 100, &[9u8; 32]));
        assert_ne!(seed, epoch_seed::<Soft>(&net, 7, 101, &[9u8; 32]));
        assert_ne!(seed, epoch_seed::<Soft>(&net, 7, 100, &[8u8; 32]));
        assert_ne!(seed, epoch_seed::<Soft>(&[2u8; 32], 7, 100, &[9u8; 32]));
        let d = [3u8; 32];
        let c = device_challenge::<Soft>(&seed, &d, Sector::Storage, 0);
        assert_ne!(c, device_challenge::<Soft>(&seed, &d, Sector::Compute, 0));
        assert_ne!(c, device_challenge::<Soft>(&seed, &d, Sector::Storage, 1));
        assert_ne!(
            c,
            device_challenge::<Soft>(&seed, &[4u8; 32], Sector::Storage, 0)
        );
        assert_eq!(c, device_challenge::<Soft>(&seed, &d, Sector::Storage, 0));
    }

    #[test]
    fn indexes_stay_below_the_bound() {
        for i in 0u32..1_000 {
            let h = device_challenge::<Soft>(&[0u8; 32], &[0u8; 32], Sector::Storage, i);
            assert!(index_below(&h, 37) < 37);
        }
        assert_eq!(index_below(&[0xffu8; 32], 0), 0);
        assert_eq!(index_below(&[0xffu8; 32], 1), 0);
    }
}
