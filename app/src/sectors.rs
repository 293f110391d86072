//! The oracle's sector modules (issue 14): one per kind of proof, behind [`SectorModule`].
//! Each judges an epoch's signed submissions of its sector against the epoch's challenge
//! seed and the registry, and turns what it accepts into work units. Every rejection is
//! counted by name. The math is depin_core::sectors'; this is the bookkeeping around it:
//! signatures, registry lookups, caps, duplicates, deadlines and unit rules.
use anchor_lang::prelude::Pubkey;
use depin_core::sectors::{
    self, compute, coverage, sensor, storage, Hash, Sector, ANSWER_MESSAGE_LEN,
};
use depin_core::sha256::{Sha256, Soft};
use node_registry::state::Capacity;
use serde::Serialize;
use solana_signature::Signature;
use std::collections::{BTreeMap, HashMap, HashSet};

/// What the registry says of a device, as the sector modules need it.
#[derive(Debug, Clone)]
pub struct SectorDevice {
    pub active: bool,
    pub capacity: Capacity,
    /// H3 cell; 0 when no location is asserted.
    pub location: u64,
}

/// One epoch, as every module sees it.
pub struct EpochContext<'a> {
    pub network: [u8; 32],
    pub epoch: u64,
    /// The epoch's challenge seed (proof_verifier's `EpochChallenges`).
    pub seed: Hash,
    /// Chain time (ms) the seed was recorded at: answers are timed from it.
    pub seed_time_ms: i64,
    pub devices: &'a HashMap<[u8; 32], SectorDevice>,
    /// Storage commitments (root, size, chunk size) by device.
    pub commitments: &'a HashMap<[u8; 32], StorageCommitment>,
}

impl EpochContext<'_> {
    fn device(&self, key: &[u8; 32]) -> Option<&SectorDevice> {
        self.devices.get(key).filter(|d| d.active)
    }

    /// Whether `signature` by `device` covers `message`.
    fn signed(device: &[u8; 32], message: &[u8], signature: &Signature) -> bool {
        signature.verify(device, message)
    }

    fn answer_signed(
        &self,
        device: &[u8; 32],
        sector: Sector,
        body: &Hash,
        sig: &Signature,
    ) -> bool {
        let m: [u8; ANSWER_MESSAGE_LEN] =
            sectors::answer_message(&self.network, self.epoch, device, sector, body);
        Self::signed(device, &m, sig)
    }

    /// What every device answer passes first, in this order: the device is active, of the
    /// sector's class (`class` reads what the module needs of the device; `not_class`
    /// names the failure), and signed `body`. The first failure is recorded in `j`.
    #[allow(clippy::too_many_arguments)]
    fn admit<T>(
        &self,
        j: &mut Judgement,
        device: &[u8; 32],
        sector: Sector,
        class: impl Fn(&SectorDevice) -> Option<T>,
        not_class: &'static str,
        body: &Hash,
        sig: &Signature,
    ) -> Option<T> {
        let Some(d) = self.device(device) else {
            j.reject("device_not_active");
            return None;
        };
        let Some(c) = class(d) else {
            j.reject(not_class);
            return None;
        };
        if !self.answer_signed(device, sector, body, sig) {
            j.reject("bad_answer_signature");
            return None;
        }
        Some(c)
    }
}

/// What a module decided for one epoch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Judgement {
    /// Work units per device (base58 key), summed over its accepted proofs.
    pub work: BTreeMap<String, u64>,
    pub accepted: u64,
    /// Rejections by reason.
    pub rejected: BTreeMap<&'static str, u64>,
}

impl Judgement {
    fn accept(&mut self, device: &[u8; 32], units: u64) {
        self.accepted += 1;
        let e = self
            .work
            .entry(bs58::encode(device).into_string())
            .or_default();
        *e = e.saturating_add(units);
    }

    fn reject(&mut self, why: &'static str) {
        *self.rejected.entry(why).or_default() += 1;
    }

    pub fn rejected_total(&self) -> u64 {
        self.rejected.values().sum()
    }
}

/// A sector's checks. New sectors plug in by implementing it.
pub trait SectorModule: Send + Sync {
    fn sector(&self) -> Sector;
    fn name(&self) -> &'static str;
    /// Judges every submission of the epoch for this sector (a module may need all of them
    /// at once: sensors are judged against each other).
    fn judge(&self, ctx: &EpochContext, submissions: &[Submission]) -> Judgement;
}

/// One signed submission from a device.
#[derive(Debug, Clone)]
pub enum Submission {
    Beacon(BeaconReport),
    Storage(StorageAnswer),
    Compute(ComputeAnswer),
    Reading(SensorReading),
}

/// A hotspot's beacon and the witnesses that reported hearing it.
#[derive(Debug, Clone)]
pub struct BeaconReport {
    pub beaconer: [u8; 32],
    pub witnesses: Vec<WitnessReport>,
}

#[derive(Debug, Clone)]
pub struct WitnessReport {
    pub witness: [u8; 32],
    pub heard: coverage::Heard,
    /// The witness's device key over `sectors::witness_message`.
    pub signature: Signature,
}

impl WitnessReport {
    /// A witness report signed by `key`.
    pub fn sign(
        key: &solana_keypair::Keypair,
        network: &[u8; 32],
        epoch: u64,
        beaconer: &[u8; 32],
        heard: coverage::Heard,
    ) -> Self {
        use solana_signer::Signer;
        let witness = key.pubkey().to_bytes();
        let m = sectors::witness_message(
            network,
            epoch,
            beaconer,
            &witness,
            &heard.payload,
            heard.rssi_centi_dbm,
            heard.snr_centi_db,
        );
        WitnessReport {
            witness,
            heard,
            signature: key.sign_message(&m),
        }
    }
}

/// A storage node's committed data: the root of its chunk tree, its size and chunk size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StorageCommitment {
    pub root: Hash,
    pub size_bytes: u64,
    pub chunk_bytes: u32,
}

/// A storage node's answers to its challenges: each challenged chunk with its path.
#[derive(Debug, Clone)]
pub struct StorageAnswer {
    pub device: [u8; 32],
    pub chunks: Vec<(u64, Vec<u8>, Vec<Hash>)>,
    pub signature: Signature,
}

impl StorageAnswer {
    /// The hash the device signs: every (index, chunk leaf, path) in order.
    pub fn body_hash(chunks: &[(u64, Vec<u8>, Vec<Hash>)]) -> Hash {
        let mut parts: Vec<Vec<u8>> = vec![b"storage answer".to_vec()];
        for (i, chunk, path) in chunks {
            parts.push(i.to_le_bytes().to_vec());
            parts.push(storage::chunk_leaf::<Soft>(chunk).to_vec());
            parts.extend(path.iter().map(|h| h.to_vec()));
        }
        let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
        Soft::hashv(&refs)
    }
}

/// A compute node's product of its challenge matrices, and when the oracle received it.
#[derive(Debug, Clone)]
pub struct ComputeAnswer {
    pub device: [u8; 32],
    pub n: u32,
    pub product: Vec<u64>,
    /// Chain time (ms) the answer reached the oracle.
    pub received_ms: i64,
    pub signature: Signature,
}

impl ComputeAnswer {
    pub fn body_hash(n: u32, product: &[u64]) -> Hash {
        let bytes: Vec<u8> = product.iter().flat_map(|v| v.to_le_bytes()).collect();
        Soft::hashv(&[b"compute answer", &n.to_le_bytes(), &bytes])
    }
}

/// A sensor's reading: a value in the quantity's smallest unit, when, and in which cell.
#[derive(Debug, Clone)]
pub struct SensorReading {
    pub device: [u8; 32],
    pub value: i64,
    pub time: i64,
    pub cell: u64,
    pub signature: Signature,
}

impl SensorReading {
    pub fn body_hash(value: i64, time: i64, cell: u64) -> Hash {
        Soft::hashv(&[
            b"sensor reading",
            &value.to_le_bytes(),
            &time.to_le_bytes(),
            &cell.to_le_bytes(),
        ])
    }
}

/// Great-circle distance between two H3 cells' centres, in whole metres (`None` for an
/// invalid cell).
pub fn cell_distance_m(a: u64, b: u64) -> Option<u64> {
    let a = h3o::LatLng::from(h3o::CellIndex::try_from(a).ok()?);
    let b = h3o::LatLng::from(h3o::CellIndex::try_from(b).ok()?);
    Some(a.distance_m(b).round() as u64)
}

fn hotspot_gain_centi_dbi(c: &Capacity) -> Option<i32> {
    match c {
        Capacity::Hotspot {
            antenna_gain_dbi_x10,
            ..
        } => Some(i32::from(*antenna_gain_dbi_x10) * 10),
        _ => None,
    }
}

/// Proof of coverage.
#[derive(Debug, Clone)]
pub struct CoverageModule {
    pub rules: coverage::WitnessRules,
    /// Units a beaconer earns per witness that counts, and each such witness earns.
    pub beacon_units_per_witness: u64,
    pub witness_units: u64,
}

impl Default for CoverageModule {
    fn default() -> Self {
        CoverageModule {
            rules: coverage::WitnessRules::default(),
            beacon_units_per_witness: 10,
            witness_units: 5,
        }
    }
}

impl SectorModule for CoverageModule {
    fn sector(&self) -> Sector {
        Sector::Coverage
    }
    fn name(&self) -> &'static str {
        "coverage"
    }
    fn judge(&self, ctx: &EpochContext, submissions: &[Submission]) -> Judgement {
        let mut j = Judgement::default();
        let mut beaconed = HashSet::new();
        for s in submissions {
            let Submission::Beacon(b) = s else { continue };
            let Some(beaconer) = ctx.device(&b.beaconer) else {
                j.reject("beaconer_not_active");
                continue;
            };
            let (Some(tx_gain), true) = (
                hotspot_gain_centi_dbi(&beaconer.capacity),
                beaconer.location != 0,
            ) else {
                j.reject("beaconer_not_a_located_hotspot");
                continue;
            };
            if !beaconed.insert(b.beaconer) {
                j.reject("duplicate_beacon");
                continue;
            }
            let challenge =
                sectors::device_challenge::<Soft>(&ctx.seed, &b.beaconer, Sector::Coverage, 0);
            let payload = coverage::beacon_payload::<Soft>(&challenge);
            let mut seen = HashSet::new();
            let mut valid: Vec<&WitnessReport> = vec![];
            for w in &b.witnesses {
                if w.witness == b.beaconer {
                    j.reject(coverage::WitnessRejection::SelfWitness.name());
                    continue;
                }
                if !seen.insert(w.witness) {
                    j.reject(coverage::WitnessRejection::Duplicate.name());
                    continue;
                }
                let m = sectors::witness_message(
                    &ctx.network,
                    ctx.epoch,
                    &b.beaconer,
                    &w.witness,
                    &w.heard.payload,
                    w.heard.rssi_centi_dbm,
                    w.heard.snr_centi_db,
                );
                if !EpochContext::signed(&w.witness, &m, &w.signature) {
                    j.reject("bad_witness_signature");
                    continue;
                }
                let Some(wd) = ctx.device(&w.witness) else {
                    j.reject("witness_not_active");
                    continue;
                };
                let (Some(rx_gain), true) =
                    (hotspot_gain_centi_dbi(&wd.capacity), wd.location != 0)
                else {
                    j.reject("witness_not_a_located_hotspot");
                    continue;
                };
                let Some(d) = cell_distance_m(beaconer.location, wd.location) else {
                    j.reject("invalid_location");
                    continue;
                };
                match coverage::check_witness(&self.rules, &payload, &w.heard, d, tx_gain, rx_gain)
                {
                    Ok(()) => valid.push(w),
                    Err(r) => j.reject(r.name()),
                }
            }
            // the strongest witnesses count, up to the cap
            valid.sort_by_key(|w| std::cmp::Reverse(w.heard.rssi_centi_dbm));
            let counted = valid.len().min(self.rules.max_witnesses);
            for _ in counted..valid.len() {
                j.reject(coverage::WitnessRejection::OverCap.name());
            }
            for w in valid.iter().take(counted) {
                j.accept(&w.witness, self.witness_units);
            }
            if counted > 0 {
                j.accept(&b.beaconer, self.beacon_units_per_witness * counted as u64);
            } else {
                j.reject("beacon_unwitnessed");
            }
        }
        j
    }
}

/// Proof of storage.
#[derive(Debug, Clone)]
pub struct StorageModule {
    /// Chunks each node must answer per epoch.
    pub challenges: u32,
    /// Units per GiB proven (committed bytes, at most the declared capacity).
    pub units_per_gib: u64,
}

impl Default for StorageModule {
    fn default() -> Self {
        StorageModule {
            challenges: 4,
            units_per_gib: 1_000,
        }
    }
}

impl SectorModule for StorageModule {
    fn sector(&self) -> Sector {
        Sector::Storage
    }
    fn name(&self) -> &'static str {
        "storage"
    }
    fn judge(&self, ctx: &EpochContext, submissions: &[Submission]) -> Judgement {
        let mut j = Judgement::default();
        let mut answered = HashSet::new();
        for s in submissions {
            let Submission::Storage(a) = s else { continue };
            let body = StorageAnswer::body_hash(&a.chunks);
            let Some(declared) = ctx.admit(
                &mut j,
                &a.device,
                Sector::Storage,
                |d| match d.capacity {
                    Capacity::Storage { bytes } => Some(bytes),
                    _ => None,
                },
                "not_a_storage_node",
                &body,
                &a.signature,
            ) else {
                continue;
            };
            let Some(c) = ctx.commitments.get(&a.device) else {
                j.reject("no_storage_commitment");
                continue;
            };
            if !answered.insert(a.device) {
                j.reject("duplicate_answer");
                continue;
            }
            let chunks = storage::chunk_count(c.size_bytes, c.chunk_bytes);
            let depth = storage::depth_for(chunks);
            let verdict = if a.chunks.len() < self.challenges as usize {
                Err(storage::StorageRejection::Missing)
            } else {
                (0..self.challenges).try_for_each(|i| {
                    let want = storage::challenged_chunk::<Soft>(&ctx.seed, &a.device, chunks, i);
                    let (index, chunk, path) = &a.chunks[i as usize];
                    if *index != want {
                        return Err(storage::StorageRejection::WrongChunk);
                    }
                    let leaf = storage::chunk_leaf::<Soft>(chunk);
                    if storage::verify_path::<Soft>(&c.root, &leaf, want, path, depth) {
                        Ok(())
                    } else {
                        Err(storage::StorageRejection::WrongPath)
                    }
                })
            };
            match verdict {
                Ok(()) => {
                    let proven = c.size_bytes.min(declared);
                    let gib = proven.div_ceil(1 << 30).max(1);
                    j.accept(&a.device, gib.saturating_mul(self.units_per_gib));
                }
                Err(r) => j.reject(r.name()),
            }
        }
        j
    }
}

/// Proof of compute.
#[derive(Debug, Clone)]
pub struct ComputeModule {
    /// Matrix side.
    pub n: u32,
    /// Freivalds rounds (each misses a wrong product with probability 1/(2^61 − 1)).
    pub rounds: u32,
    /// Time allowed from the seed to the answer: what the declared machine needs, with
    /// slack, so a smaller one cannot keep up.
    pub deadline_ms: i64,
    /// Units per declared GPU · TFLOP, for an answer in time.
    pub units_per_gpu_tflop: u64,
}

impl Default for ComputeModule {
    fn default() -> Self {
        ComputeModule {
            n: 64,
            rounds: 2,
            deadline_ms: 60_000,
            units_per_gpu_tflop: 10,
        }
    }
}

impl SectorModule for ComputeModule {
    fn sector(&self) -> Sector {
        Sector::Compute
    }
    fn name(&self) -> &'static str {
        "compute"
    }
    fn judge(&self, ctx: &EpochContext, submissions: &[Submission]) -> Judgement {
        let mut j = Judgement::default();
        let mut answered = HashSet::new();
        for s in submissions {
            let Submission::Compute(a) = s else { continue };
            let body = ComputeAnswer::body_hash(a.n, &a.product);
            let Some((gpus, fp16_tflops)) = ctx.admit(
                &mut j,
                &a.device,
                Sector::Compute,
                |d| match d.capacity {
                    Capacity::Gpu {
                        gpus, fp16_tflops, ..
                    } => Some((gpus, fp16_tflops)),
                    _ => None,
                },
                "not_a_compute_node",
                &body,
                &a.signature,
            ) else {
                continue;
            };
            if !answered.insert(a.device) {
                j.reject("duplicate_answer");
                continue;
            }
            if a.received_ms.saturating_sub(ctx.seed_time_ms) > self.deadline_ms {
                j.reject(compute::ComputeRejection::Late.name());
                continue;
            }
            if a.n != self.n {
                j.reject(compute::ComputeRejection::WrongSize.name());
                continue;
            }
            let n = self.n as usize;
            let (ma, mb) = compute::challenge_matrices::<Soft>(&ctx.seed, &a.device, n);
            // the check vectors follow from the answer itself (Fiat–Shamir): the device
            // cannot fit its product to vectors it does not know until it has answered
            let verifier = Soft::hashv(&[b"freivalds", &ctx.seed, &a.device, &body]);
            match compute::check_product(&ma, &mb, &a.product, n, &verifier, self.rounds) {
                Ok(()) => j.accept(
                    &a.device,
                    u64::from(gpus)
                        .saturating_mul(u64::from(fp16_tflops))
                        .saturating_mul(self.units_per_gpu_tflop),
                ),
                Err(r) => j.reject(r.name()),
            }
        }
        j
    }
}

/// Sensor readings cross-checked against neighbours.
#[derive(Debug, Clone)]
pub struct SensorModule {
    pub rules: sensor::AgreementRules,
    /// Neighbours are sensors within this many H3 steps of the reading's cell.
    pub neighbour_ring: u32,
    /// Readings must fall inside the epoch: `[start, start + length)` (chain seconds).
    pub epoch_start: i64,
    pub epoch_length_s: i64,
    pub units_per_reading: u64,
}

impl SectorModule for SensorModule {
    fn sector(&self) -> Sector {
        Sector::Sensor
    }
    fn name(&self) -> &'static str {
        "sensor"
    }
    fn judge(&self, ctx: &EpochContext, submissions: &[Submission]) -> Judgement {
        let mut j = Judgement::default();
        let mut good: Vec<&SensorReading> = vec![];
        let mut seen = HashSet::new();
        for s in submissions {
            let Submission::Reading(r) = s else { continue };
            let body = SensorReading::body_hash(r.value, r.time, r.cell);
            let Some(location) = ctx.admit(
                &mut j,
                &r.device,
                Sector::Sensor,
                |d| matches!(d.capacity, Capacity::Sensor { .. }).then_some(d.location),
                "not_a_sensor",
                &body,
                &r.signature,
            ) else {
                continue;
            };
            if !seen.insert((r.device, r.time)) {
                j.reject("duplicate_reading");
                continue;
            }
            if r.time < self.epoch_start
                || r.time >= self.epoch_start.saturating_add(self.epoch_length_s)
            {
                j.reject(sensor::ReadingRejection::StaleReading.name());
                continue;
            }
            if r.cell != location {
                j.reject(sensor::ReadingRejection::OutsideCell.name());
                continue;
            }
            good.push(r);
        }
        for r in &good {
            let Ok(cell) = h3o::CellIndex::try_from(r.cell) else {
                j.reject("invalid_location");
                continue;
            };
            let neighbours: Vec<i64> = good
                .iter()
                .filter(|o| o.device != r.device)
                .filter(|o| {
                    h3o::CellIndex::try_from(o.cell)
                        .ok()
                        .and_then(|c| cell.grid_distance(c).ok())
                        .is_some_and(|d| d >= 0 && d as u32 <= self.neighbour_ring)
                })
                .map(|o| o.value)
                .collect();
            match sensor::check_reading(&self.rules, r.value, &neighbours) {
                Ok(()) => j.accept(&r.device, self.units_per_reading),
                Err(e) => j.reject(e.name()),
            }
        }
        j
    }
}

/// A device's answer signature over `body` in `sector`.
pub fn sign_answer(
    key: &solana_keypair::Keypair,
    network: &[u8; 32],
    epoch: u64,
    sector: Sector,
    body: &Hash,
) -> Signature {
    use solana_signer::Signer;
    let m = sectors::answer_message(network, epoch, &key.pubkey().to_bytes(), sector, body);
    key.sign_message(&m)
}

/// The device side of each proof (`depin device`, the demo): what an honest device
/// computes from the epoch's seed and signs.
pub mod device {
    use super::*;
    use solana_keypair::Keypair;
    use solana_signer::Signer;

    /// The payload a hotspot beacons in the epoch of `seed`.
    pub fn beacon_payload(seed: &Hash, device: &[u8; 32]) -> Hash {
        let challenge = sectors::device_challenge::<Soft>(seed, device, Sector::Coverage, 0);
        coverage::beacon_payload::<Soft>(&challenge)
    }

    /// What a storage node keeps: its data and the chunk tree it committed.
    pub struct StoredData {
        pub data: Vec<u8>,
        pub tree: storage::StorageTree,
        pub chunk_bytes: u32,
    }

    impl StoredData {
        /// `None` for empty data, a zero chunk size or more than 2^40 chunks.
        pub fn new(data: Vec<u8>, chunk_bytes: u32) -> Option<Self> {
            let tree = storage::StorageTree::new::<Soft>(&data, chunk_bytes)?;
            Some(StoredData {
                data,
                tree,
                chunk_bytes,
            })
        }

        /// What `commit_storage` takes.
        pub fn commitment(&self) -> StorageCommitment {
            StorageCommitment {
                root: self.tree.root(),
                size_bytes: self.data.len() as u64,
                chunk_bytes: self.chunk_bytes,
            }
        }

        /// Challenge `i`'s chunk with its path (what `verify_storage_chunk` takes).
        pub fn chunk(
            &self,
            seed: &Hash,
            device: &[u8; 32],
            i: u32,
        ) -> Option<(u64, Vec<u8>, Vec<Hash>)> {
            let chunks = storage::chunk_count(self.data.len() as u64, self.chunk_bytes);
            let index = storage::challenged_chunk::<Soft>(seed, device, chunks, i);
            let size = self.chunk_bytes as usize;
            let start = usize::try_from(index).ok()?.checked_mul(size)?;
            let end = start.checked_add(size)?.min(self.data.len());
            Some((
                index,
                self.data.get(start..end)?.to_vec(),
                self.tree.proof(index)?,
            ))
        }

        /// The node's signed answers to its first `challenges` challenges.
        pub fn answer(
            &self,
            key: &Keypair,
            network: &[u8; 32],
            epoch: u64,
            seed: &Hash,
            challenges: u32,
        ) -> Option<StorageAnswer> {
            let device = key.pubkey().to_bytes();
            let chunks = (0..challenges)
                .map(|i| self.chunk(seed, &device, i))
                .collect::<Option<Vec<_>>>()?;
            let body = StorageAnswer::body_hash(&chunks);
            Some(StorageAnswer {
                device,
                signature: sign_answer(key, network, epoch, Sector::Storage, &body),
                chunks,
            })
        }
    }

    /// A compute node's signed product of its `n × n` challenge matrices.
    pub fn compute_answer(
        key: &Keypair,
        network: &[u8; 32],
        epoch: u64,
        seed: &Hash,
        n: u32,
    ) -> ComputeAnswer {
        let device = key.pubkey().to_bytes();
        let (a, b) = compute::challenge_matrices::<Soft>(seed, &device, n as usize);
        let product = compute::multiply(&a, &b, n as usize);
        sign_product(key, network, epoch, n, product)
    }

    /// `product` signed as `key`'s answer (a forged one too, in tests and the demo).
    pub fn sign_product(
        key: &Keypair,
        network: &[u8; 32],
        epoch: u64,
        n: u32,
        product: Vec<u64>,
    ) -> ComputeAnswer {
        let body = ComputeAnswer::body_hash(n, &product);
        ComputeAnswer {
            device: key.pubkey().to_bytes(),
            n,
            signature: sign_answer(key, network, epoch, Sector::Compute, &body),
            product,
            received_ms: 0,
        }
    }

    /// A sensor's signed reading.
    pub fn reading(
        key: &Keypair,
        network: &[u8; 32],
        epoch: u64,
        value: i64,
        time: i64,
        cell: u64,
    ) -> SensorReading {
        let body = SensorReading::body_hash(value, time, cell);
        SensorReading {
            device: key.pubkey().to_bytes(),
            value,
            time,
            cell,
            signature: sign_answer(key, network, epoch, Sector::Sensor, &body),
        }
    }
}

/// Keys as `Pubkey` (for output).
pub fn key_of(k: &[u8; 32]) -> Pubkey {
    Pubkey::new_from_array(*k)
}

/// `depin bench proofs`: what checking one proof of each kind costs the oracle (one
/// thread), with the device's side of compute for scale.
#[derive(Debug, Serialize)]
pub struct ProofBench {
    pub coverage_witness_us: f64,
    pub storage_answer_us: f64,
    pub storage_chunks_per_answer: u32,
    pub storage_tree_depth: u32,
    pub compute_check_us: f64,
    pub compute_product_us: f64,
    pub compute_n: u32,
    pub sensor_reading_us: f64,
    pub sensor_readings: u64,
}

pub fn bench(iterations: u32) -> anyhow::Result<ProofBench> {
    use anyhow::Context;
    use solana_keypair::Keypair;
    use solana_signer::Signer;
    use std::time::Instant;
    let network = [7u8; 32];
    let epoch = 1;
    let seed = [42u8; 32];
    let iterations = iterations.max(1);
    let cell = |lat: f64, lon: f64, res: u8| crate::cli::cell_at(lat, lon, res);
    let hotspot = |location| SectorDevice {
        active: true,
        capacity: Capacity::Hotspot {
            radios: 1,
            antenna_gain_dbi_x10: 30,
            elevation_m: 10,
        },
        location,
    };
    let mut devices = HashMap::new();
    let mut commitments = HashMap::new();

    // coverage: one beacon, 16 witnesses a kilometre north
    let beaconer = Keypair::new();
    let bk = beaconer.pubkey().to_bytes();
    devices.insert(bk, hotspot(cell(37.7749, -122.4194, 12)?));
    let witness_cell = cell(37.7749 + 1_000.0 / 111_195.0, -122.4194, 12)?;
    let challenge = sectors::device_challenge::<Soft>(&seed, &bk, Sector::Coverage, 0);
    let payload = coverage::beacon_payload::<Soft>(&challenge);
    let witnesses: Vec<WitnessReport> = (0..16)
        .map(|_| {
            let k = Keypair::new();
            devices.insert(k.pubkey().to_bytes(), hotspot(witness_cell));
            let heard = coverage::Heard {
                payload,
                rssi_centi_dbm: -9_000,
                snr_centi_db: 500,
            };
            WitnessReport::sign(&k, &network, epoch, &bk, heard)
        })
        .collect();
    let beacon = [Submission::Beacon(BeaconReport {
        beaconer: bk,
        witnesses,
    })];

    // storage: 4 MiB in 4 KiB chunks, 4 challenges
    let node = Keypair::new();
    let nk = node.pubkey().to_bytes();
    let data: Vec<u8> = (0..4u32 << 20).map(|i| (i % 251) as u8).collect();
    let tree = storage::StorageTree::new::<Soft>(&data, 4_096).context("the bench tree")?;
    let chunks = storage::chunk_count(data.len() as u64, 4_096);
    devices.insert(
        nk,
        SectorDevice {
            active: true,
            capacity: Capacity::Storage { bytes: 1 << 40 },
            location: 0,
        },
    );
    commitments.insert(
        nk,
        StorageCommitment {
            root: tree.root(),
            size_bytes: data.len() as u64,
            chunk_bytes: 4_096,
        },
    );
    let module = StorageModule::default();
    let answers: Vec<_> = (0..module.challenges)
        .map(|i| {
            let idx = storage::challenged_chunk::<Soft>(&seed, &nk, chunks, i);
            let start = idx as usize * 4_096;
            let proof = tree.proof(idx).unwrap_or_default();
            (idx, data[start..start + 4_096].to_vec(), proof)
        })
        .collect();
    let body = StorageAnswer::body_hash(&answers);
    let storage_sub = [Submission::Storage(StorageAnswer {
        device: nk,
        signature: sign_answer(&node, &network, epoch, Sector::Storage, &body),
        chunks: answers,
    })];

    // compute: n = 64
    let gpu = Keypair::new();
    let gk = gpu.pubkey().to_bytes();
    devices.insert(
        gk,
        SectorDevice {
            active: true,
            capacity: Capacity::Gpu {
                gpus: 1,
                vram_gib: 80,
                fp16_tflops: 989,
            },
            location: 0,
        },
    );
    let cm = ComputeModule::default();
    let n = cm.n as usize;
    let (ma, mb) = compute::challenge_matrices::<Soft>(&seed, &gk, n);
    let started = Instant::now();
    let product = compute::multiply(&ma, &mb, n);
    let compute_product_us = started.elapsed().as_secs_f64() * 1e6;
    let body = ComputeAnswer::body_hash(cm.n, &product);
    let compute_sub = [Submission::Compute(ComputeAnswer {
        device: gk,
        n: cm.n,
        product,
        received_ms: 1_000,
        signature: sign_answer(&gpu, &network, epoch, Sector::Compute, &body),
    })];

    // sensors: 200 on a line 30 m apart, readings around 20.00
    let mut readings = vec![];
    for i in 0..200u32 {
        let k = Keypair::new();
        let c = cell(51.5007 + f64::from(i) * 30.0 / 111_195.0, -0.1246, 11)?;
        devices.insert(
            k.pubkey().to_bytes(),
            SectorDevice {
                active: true,
                capacity: Capacity::Sensor {
                    channels: 1,
                    sample_interval_s: 60,
                },
                location: c,
            },
        );
        let value = 2_000 + i64::from(i % 7) * 3;
        let body = SensorReading::body_hash(value, 100, c);
        readings.push(Submission::Reading(SensorReading {
            device: k.pubkey().to_bytes(),
            value,
            time: 100,
            cell: c,
            signature: sign_answer(&k, &network, epoch, Sector::Sensor, &body),
        }));
    }
    let sensors = SensorModule {
        rules: Default::default(),
        neighbour_ring: 3,
        epoch_start: 0,
        epoch_length_s: 3_600,
        units_per_reading: 1,
    };

    let ctx = EpochContext {
        network,
        epoch,
        seed,
        seed_time_ms: 0,
        devices: &devices,
        commitments: &commitments,
    };
    let time = |m: &dyn SectorModule, subs: &[Submission], expect: u64| -> anyhow::Result<f64> {
        let started = Instant::now();
        for _ in 0..iterations {
            let j = m.judge(&ctx, subs);
            anyhow::ensure!(
                j.accepted == expect,
                "the {} bench accepted {} of {expect}: {:?}",
                m.name(),
                j.accepted,
                j.rejected
            );
        }
        Ok(started.elapsed().as_secs_f64() * 1e6 / f64::from(iterations))
    };
    let coverage_us = time(&CoverageModule::default(), &beacon, 17)?;
    let storage_us = time(&module, &storage_sub, 1)?;
    let compute_us = time(&cm, &compute_sub, 1)?;
    let sensor_us = time(&sensors, &readings, 200)?;
    Ok(ProofBench {
        coverage_witness_us: coverage_us / 16.0,
        storage_answer_us: storage_us,
        storage_chunks_per_answer: module.challenges,
        storage_tree_depth: tree.depth(),
        compute_check_us: compute_us,
        compute_product_us,
        compute_n: cm.n,
        sensor_reading_us: sensor_us / 200.0,
        sensor_readings: 200,
    })
}
