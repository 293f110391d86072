//! The demo's sector proofs (issue 14): hotspots beacon and witness each other on their
//! H3 cells, storage nodes answer challenges from the data they committed, GPU nodes
//! multiply their challenge matrices, sensors report readings. Some devices forge: a
//! witness too close, a signal stronger than physics allows, a wrong chunk path, a wrong
//! matrix product, a late answer, an outlier reading. Everything goes to the oracle
//! services over HTTP; their judgement is tallied per class and reason.
use crate::demo::DemoCluster;
use crate::oracle::local::LocalOracles;
use crate::oracle::proofs::{ProofIngestOutcome, ProofSubmission};
use crate::sectors::{self, device, WitnessReport};
use crate::transport::Transport;
use anchor_lang::prelude::Pubkey;
use anyhow::{ensure, Context, Result};
use depin_core::sectors::coverage;
use node_registry::state::Capacity;
use serde::Serialize;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::collections::{BTreeMap, BTreeSet};

/// Storage nodes that commit data, hotspots, GPU nodes and sensors that take part.
const STORAGE_NODES: usize = 4;
const HOTSPOTS: usize = 8;
const GPUS: usize = 3;
const SENSORS: usize = 8;
/// Honest witnesses per beacon.
const WITNESSES: usize = 3;
const CHUNK_BYTES: u32 = 256;
const DATA_BYTES: u32 = 16 * 1024;
/// What the demo's oracles run (their `[sectors]`).
pub const MIN_DISTANCE_M: u64 = 1_000;
pub const COMPUTE_N: u32 = 32;
pub const COMPUTE_DEADLINE_MS: i64 = 60_000;
pub const SENSOR_RING: u32 = 20;

/// Sets the demo oracles' `[sectors]`.
pub fn configure(c: &mut crate::oracle::config::OracleConfig) {
    let s = &mut c.sectors;
    s.modules = crate::oracle::config::SectorsConfig::ALL
        .iter()
        .map(|m| m.to_string())
        .collect();
    s.coverage_min_distance_m = MIN_DISTANCE_M;
    s.compute_n = COMPUTE_N;
    s.compute_deadline_ms = COMPUTE_DEADLINE_MS;
    s.sensor_neighbour_ring = SENSOR_RING;
}

struct StorageNode {
    key: Keypair,
    stored: device::StoredData,
}

/// Per class: proofs accepted, and rejected by reason, over every epoch.
#[derive(Debug, Default, Serialize)]
pub struct SectorTally {
    pub proofs_sent: u64,
    /// Forged on purpose (each should be rejected).
    pub forged_proofs_sent: u64,
    pub proofs_accepted: BTreeMap<String, u64>,
    pub proofs_rejected: BTreeMap<String, BTreeMap<String, u64>>,
    pub challenges_opened: u64,
    pub storage_chunks_verified_on_chain: u64,
}

pub struct SectorDemo {
    storage: Vec<StorageNode>,
    pub tally: SectorTally,
}

fn class_of(i: usize) -> Capacity {
    crate::demo::capacity_for(i)
}

impl SectorDemo {
    /// Storage nodes whose owner is among `owners` commit their data, before any epoch's
    /// seed is taken (a commitment counts only for seeds from later slots).
    pub fn setup(
        net: &DemoCluster<'_>,
        network: &Pubkey,
        devices: &[(Pubkey, Keypair)],
        owners: &[Keypair],
        active: &BTreeSet<Pubkey>,
    ) -> Result<Self> {
        let v = crate::verifier::Verifier::new(net);
        let mut nodes = vec![];
        for (i, (node, key)) in devices.iter().enumerate() {
            if nodes.len() == STORAGE_NODES {
                break;
            }
            if !matches!(class_of(i), Capacity::Storage { .. }) || !active.contains(node) {
                continue;
            }
            let owner = crate::accounts::node(net, node)?.owner;
            let Some(owner) = owners.iter().find(|o| o.pubkey() == owner) else {
                continue;
            };
            let data: Vec<u8> = (0..DATA_BYTES)
                .map(|j| (j.wrapping_mul(31).wrapping_add(i as u32 * 7) % 251) as u8)
                .collect();
            let stored =
                device::StoredData::new(data, CHUNK_BYTES).context("the demo's storage tree")?;
            let c = stored.commitment();
            v.commit_storage(
                owner,
                network,
                &key.pubkey(),
                proof_verifier::StorageCommitArgs {
                    root: c.root,
                    size_bytes: c.size_bytes,
                    chunk_bytes: c.chunk_bytes,
                },
            )
            .with_context(|| format!("committing storage node {i}"))?;
            nodes.push(StorageNode {
                key: key.insecure_clone(),
                stored,
            });
        }
        let slot = net.slot()?;
        net.wait_past_slot(slot.saturating_add(1))?;
        Ok(SectorDemo {
            storage: nodes,
            tally: SectorTally::default(),
        })
    }

    /// One epoch: open the challenges, then every taking part device posts its proofs
    /// (round robin over the oracles); with `late`, one GPU answers after the deadline
    /// (the embedded clock is moved past it, then the oracles re-read it).
    #[allow(clippy::too_many_arguments)]
    pub fn epoch(
        &mut self,
        net: &DemoCluster<'_>,
        services: &LocalOracles,
        payer: &Keypair,
        network: &Pubkey,
        devices: &[(Pubkey, Keypair)],
        active: &BTreeSet<Pubkey>,
        epoch: u64,
        late: bool,
    ) -> Result<()> {
        if services.open_challenges(net, epoch)?.is_some() {
            self.tally.challenges_opened += 1;
        }
        let seed = crate::verifier::challenges(net, network, epoch)?
            .context("the epoch's challenges did not open")?
            .seed;
        let nw = network.to_bytes();
        let pick = |want: fn(&Capacity) -> bool, n: usize| -> Vec<(usize, &Keypair)> {
            devices
                .iter()
                .enumerate()
                .filter(|(i, (node, _))| want(&class_of(*i)) && active.contains(node))
                .map(|(i, (_, k))| (i, k))
                .take(n)
                .collect()
        };
        let mut proofs: Vec<(ProofSubmission, bool)> = vec![];

        // compute first: answers are timed from the seed
        let gpus = pick(|c| matches!(c, Capacity::Gpu { .. }), GPUS);
        let mut late_answer = None;
        for (k, (_, key)) in gpus.iter().enumerate() {
            let a = device::compute_answer(key, &nw, epoch, &seed, COMPUTE_N);
            match k {
                1 => {
                    let mut product = a.product;
                    product[0] = (product[0] + 1) % depin_core::sectors::compute::P;
                    let forged = device::sign_product(key, &nw, epoch, COMPUTE_N, product);
                    proofs.push((ProofSubmission::compute(epoch, &forged), true));
                }
                2 if late => late_answer = Some(ProofSubmission::compute(epoch, &a)),
                _ => proofs.push((ProofSubmission::compute(epoch, &a), false)),
            }
        }

        // coverage
        let hotspots: Vec<(usize, &Keypair, u64, i32)> =
            pick(|c| matches!(c, Capacity::Hotspot { .. }), HOTSPOTS)
                .into_iter()
                .filter_map(|(i, k)| match class_of(i) {
                    Capacity::Hotspot {
                        antenna_gain_dbi_x10,
                        ..
                    } => Some((
                        i,
                        k,
                        crate::demo::demo_cell(i),
                        i32::from(antenna_gain_dbi_x10) * 10,
                    )),
                    _ => None,
                })
                .collect();
        let rules = coverage::WitnessRules {
            min_distance_m: MIN_DISTANCE_M,
            ..Default::default()
        };
        // the last hotspot forges: it never witnesses honestly, and claims to hear a
        // beacon far louder than free space allows
        let forger = hotspots.last().map(|h| h.0);
        let mut too_close_sent = false;
        let mut too_strong_sent = false;
        for (bi, bkey, bcell, bgain) in &hotspots {
            let payload = device::beacon_payload(&seed, &bkey.pubkey().to_bytes());
            let mut honest = 0;
            for (wi, wkey, wcell, wgain) in &hotspots {
                if wi == bi {
                    continue;
                }
                let d = sectors::cell_distance_m(*bcell, *wcell).context("a demo cell")?;
                let bound = coverage::max_rssi_centi_dbm(
                    d,
                    rules.freq_khz,
                    rules.tx_power_centi_dbm,
                    *bgain,
                    *wgain,
                );
                let rssi = i32::try_from(bound - 1_000).unwrap_or(i32::MIN);
                let (rssi, forged) = if d < rules.min_distance_m {
                    if too_close_sent {
                        continue;
                    }
                    too_close_sent = true;
                    (rssi, true)
                } else if d > rules.max_distance_m {
                    continue;
                } else if Some(*wi) == forger {
                    if too_strong_sent {
                        continue;
                    }
                    too_strong_sent = true;
                    (rssi.saturating_add(2_500), true)
                } else {
                    if honest == WITNESSES {
                        continue;
                    }
                    honest += 1;
                    (rssi, false)
                };
                let snr = (rssi - rules.noise_floor_centi_dbm - 100).clamp(0, 800);
                let heard = coverage::Heard {
                    payload,
                    rssi_centi_dbm: rssi,
                    snr_centi_db: snr,
                };
                let w = WitnessReport::sign(wkey, &nw, epoch, &bkey.pubkey().to_bytes(), heard);
                proofs.push((
                    ProofSubmission::witness(epoch, &bkey.pubkey().to_bytes(), &w),
                    forged,
                ));
            }
        }

        // storage: the last committed node (of two or more) sends a path it did not keep
        for (k, s) in self.storage.iter().enumerate() {
            let challenges = crate::sectors::StorageModule::default().challenges;
            let mut a = s
                .stored
                .answer(&s.key, &nw, epoch, &seed, challenges)
                .context("a storage answer")?;
            let forged = k + 1 == self.storage.len() && k > 0;
            if forged {
                if let Some(h) = a.chunks.get_mut(0).and_then(|c| c.2.get_mut(0)) {
                    h[0] ^= 1;
                }
                let body = crate::sectors::StorageAnswer::body_hash(&a.chunks);
                a.signature = sectors::sign_answer(
                    &s.key,
                    &nw,
                    epoch,
                    depin_core::sectors::Sector::Storage,
                    &body,
                );
            }
            proofs.push((ProofSubmission::storage(epoch, &a), forged));
        }
        // and one challenged chunk is proven on chain, as an auditor would
        if let Some(s) = self.storage.first() {
            let (_, chunk, path) = s
                .stored
                .chunk(&seed, &s.key.pubkey().to_bytes(), 0)
                .context("a challenged chunk")?;
            crate::verifier::Verifier::new(net)
                .verify_storage_chunk(
                    payer,
                    network,
                    &s.key.pubkey(),
                    proof_verifier::StorageChunkArgs {
                        epoch,
                        challenge: 0,
                        chunk,
                        path,
                    },
                )
                .context("verifying a storage chunk on chain")?;
            self.tally.storage_chunks_verified_on_chain += 1;
        }

        // sensors: they agree within a few units, except the last of five or more
        let sensors = pick(|c| matches!(c, Capacity::Sensor { .. }), SENSORS);
        let now = net.unix_time()?;
        for (k, (i, key)) in sensors.iter().enumerate() {
            let forged = sensors.len() >= 5 && k + 1 == sensors.len();
            let value = if forged {
                9_000
            } else {
                2_148 + (*i % 5) as i64
            };
            let r = device::reading(key, &nw, epoch, value, now, crate::demo::demo_cell(*i));
            proofs.push((ProofSubmission::reading(epoch, &r), forged));
        }

        for (k, (p, forged)) in proofs.iter().enumerate() {
            self.post(services, k % services.oracles.len().max(1), p)?;
            self.tally.forged_proofs_sent += u64::from(*forged);
        }
        if let Some(p) = late_answer {
            net.wait(u32::try_from(COMPUTE_DEADLINE_MS / 1_000 + 1).unwrap_or(61))?;
            services.refresh(net)?;
            self.post(services, 0, &p)?;
            self.tally.forged_proofs_sent += 1;
        }
        Ok(())
    }

    fn post(&mut self, services: &LocalOracles, oracle: usize, p: &ProofSubmission) -> Result<()> {
        let r = services.http.post(
            &format!("{}/v1/sector-proofs", services.url(oracle)),
            "application/json",
            serde_json::to_vec(p)?,
        )?;
        ensure!(
            r.status == 200,
            "posting a sector proof: {} {}",
            r.status,
            r.body
        );
        let out: ProofIngestOutcome = serde_json::from_str(&r.body)?;
        ensure!(
            out.accepted == 1,
            "the oracle refused a demo proof at once: {:?}",
            out.rejected
        );
        self.tally.proofs_sent += 1;
        Ok(())
    }

    /// Adds an epoch's judgement (an oracle's `EpochResult::sectors`).
    pub fn record(&mut self, sectors: Option<&serde_json::Value>) {
        let Some(modules) = sectors.and_then(|s| s["modules"].as_object()) else {
            return;
        };
        for (class, j) in modules {
            *self.tally.proofs_accepted.entry(class.clone()).or_default() +=
                j["accepted"].as_u64().unwrap_or(0);
            let rejected = self.tally.proofs_rejected.entry(class.clone()).or_default();
            for (why, n) in j["rejected"].as_object().into_iter().flatten() {
                *rejected.entry(why.clone()).or_default() += n.as_u64().unwrap_or(0);
            }
        }
    }
}
