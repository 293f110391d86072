//! Sector proofs in the oracle service (issue 14): devices post signed proofs to
//! `POST /v1/sector-proofs`; the oracle checks what it can at once (format, epoch, a known
//! device's signature), stores them durably, shares them with its peers
//! (`GET /v1/sector-proofs`), and at the epoch's end judges them with the configured
//! [`SectorModule`]s against the epoch's on-chain challenge seed. Their work units join the
//! receipts' in the epoch's rewards.
//!
//! Wire format (JSON, one object or an array), keys base58, bytes hex:
//!
//! ```text
//! {"kind":"witness","epoch":E,"beaconer":K,"witness":K,"payload":H32,
//!  "rssi_centi_dbm":i,"snr_centi_db":i,"signature":S}
//! {"kind":"storage","epoch":E,"device":K,"chunks":[{"index":u,"chunk":H,"path":[H32..]}],
//!  "signature":S}
//! {"kind":"compute","epoch":E,"device":K,"n":u,"product":[u64..],"signature":S}
//! {"kind":"reading","epoch":E,"device":K,"value":i,"time":t,"cell":"8a2a1072b59ffff",
//!  "signature":S}
//! ```
use super::config::SectorsConfig;
use super::Oracle;
use crate::sectors::{
    BeaconReport, ComputeAnswer, EpochContext, Judgement, SectorDevice, SensorReading,
    StorageAnswer, StorageCommitment, Submission, WitnessReport,
};
use crate::transport::Transport;
use anchor_lang::prelude::Pubkey;
use anyhow::{ensure, Context, Result};
use depin_core::sectors::{coverage, Hash, Sector};
use depin_core::sha256::{Sha256, Soft};
use serde::{Deserialize, Serialize};
use solana_signature::Signature;
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

/// One proof as devices post it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ProofSubmission {
    /// A hotspot heard another's beacon.
    Witness {
        epoch: u64,
        beaconer: String,
        witness: String,
        payload: String,
        rssi_centi_dbm: i32,
        snr_centi_db: i32,
        signature: String,
    },
    /// A storage node's answers to its challenged chunks.
    Storage {
        epoch: u64,
        device: String,
        chunks: Vec<ChunkProof>,
        signature: String,
    },
    /// A compute node's product of its challenge matrices.
    Compute {
        epoch: u64,
        device: String,
        n: u32,
        product: Vec<u64>,
        signature: String,
    },
    /// A sensor's reading.
    Reading {
        epoch: u64,
        device: String,
        value: i64,
        time: i64,
        /// H3 cell, hex.
        cell: String,
        signature: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChunkProof {
    pub index: u64,
    pub chunk: String,
    pub path: Vec<String>,
}

fn key(s: &str) -> Result<[u8; 32]> {
    super::receipts::parse_key(s)
}

fn signature(s: &str) -> Result<Signature> {
    Signature::from_str(s).with_context(|| format!("`{s}` is not a signature"))
}

fn hash(s: &str) -> Result<Hash> {
    crate::rewards::hash_from_hex(s)
}

/// A proof, decoded: the module submission and the device whose key signed it.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub epoch: u64,
    pub sector: Sector,
    pub signer: [u8; 32],
    /// For a witness, the beaconer it heard (witnesses are grouped by beaconer).
    pub beaconer: Option<[u8; 32]>,
    pub submission: Submission,
}

impl ProofSubmission {
    pub fn epoch(&self) -> u64 {
        match self {
            ProofSubmission::Witness { epoch, .. }
            | ProofSubmission::Storage { epoch, .. }
            | ProofSubmission::Compute { epoch, .. }
            | ProofSubmission::Reading { epoch, .. } => *epoch,
        }
    }

    /// The canonical JSON (what is stored and shared) and its digest (the proof's identity).
    pub fn canonical(&self) -> Result<(String, Hash)> {
        let text = serde_json::to_string(self)?;
        let digest = Soft::hashv(&[b"depin-kit sector proof", text.as_bytes()]);
        Ok((text, digest))
    }

    /// Decodes the proof; `received_ms` times a compute answer.
    pub fn decode(&self, received_ms: i64) -> Result<Decoded> {
        Ok(match self {
            ProofSubmission::Witness {
                epoch,
                beaconer,
                witness,
                payload,
                rssi_centi_dbm,
                snr_centi_db,
                signature: sig,
            } => {
                let (beaconer, witness) = (key(beaconer)?, key(witness)?);
                Decoded {
                    epoch: *epoch,
                    sector: Sector::Coverage,
                    signer: witness,
                    beaconer: Some(beaconer),
                    submission: Submission::Beacon(BeaconReport {
                        beaconer,
                        witnesses: vec![WitnessReport {
                            witness,
                            heard: coverage::Heard {
                                payload: hash(payload)?,
                                rssi_centi_dbm: *rssi_centi_dbm,
                                snr_centi_db: *snr_centi_db,
                            },
                            signature: signature(sig)?,
                        }],
                    }),
                }
            }
            ProofSubmission::Storage {
                epoch,
                device,
                chunks,
                signature: sig,
            } => {
                ensure!(
                    chunks.len() <= depin_core::sectors::storage::MAX_CHALLENGES as usize,
                    "at most {} chunks per answer",
                    depin_core::sectors::storage::MAX_CHALLENGES
                );
                let device = key(device)?;
                let chunks = chunks
                    .iter()
                    .map(|c| {
                        Ok((
                            c.index,
                            crate::rewards::bytes_from_hex(&c.chunk)?,
                            c.path.iter().map(|h| hash(h)).collect::<Result<Vec<_>>>()?,
                        ))
                    })
                    .collect::<Result<Vec<_>>>()?;
                Decoded {
                    epoch: *epoch,
                    sector: Sector::Storage,
                    signer: device,
                    beaconer: None,
                    submission: Submission::Storage(StorageAnswer {
                        device,
                        chunks,
                        signature: signature(sig)?,
                    }),
                }
            }
            ProofSubmission::Compute {
                epoch,
                device,
                n,
                product,
                signature: sig,
            } => {
                let device = key(device)?;
                Decoded {
                    epoch: *epoch,
                    sector: Sector::Compute,
                    signer: device,
                    beaconer: None,
                    submission: Submission::Compute(ComputeAnswer {
                        device,
                        n: *n,
                        product: product.clone(),
                        received_ms,
                        signature: signature(sig)?,
                    }),
                }
            }
            ProofSubmission::Reading {
                epoch,
                device,
                value,
                time,
                cell,
                signature: sig,
            } => {
                let device = key(device)?;
                let cell = u64::from_str_radix(cell.trim_start_matches("0x"), 16)
                    .with_context(|| format!("`{cell}` is not an H3 cell in hex"))?;
                Decoded {
                    epoch: *epoch,
                    sector: Sector::Sensor,
                    signer: device,
                    beaconer: None,
                    submission: Submission::Reading(SensorReading {
                        device,
                        value: *value,
                        time: *time,
                        cell,
                        signature: signature(sig)?,
                    }),
                }
            }
        })
    }

    /// A witness report as posted, from [`WitnessReport::sign`].
    pub fn witness(epoch: u64, beaconer: &[u8; 32], w: &WitnessReport) -> Self {
        ProofSubmission::Witness {
            epoch,
            beaconer: bs58::encode(beaconer).into_string(),
            witness: bs58::encode(w.witness).into_string(),
            payload: crate::rewards::to_hex(&w.heard.payload),
            rssi_centi_dbm: w.heard.rssi_centi_dbm,
            snr_centi_db: w.heard.snr_centi_db,
            signature: w.signature.to_string(),
        }
    }

    pub fn storage(epoch: u64, a: &StorageAnswer) -> Self {
        ProofSubmission::Storage {
            epoch,
            device: bs58::encode(a.device).into_string(),
            chunks: a
                .chunks
                .iter()
                .map(|(index, chunk, path)| ChunkProof {
                    index: *index,
                    chunk: crate::rewards::to_hex(chunk),
                    path: path.iter().map(|h| crate::rewards::to_hex(h)).collect(),
                })
                .collect(),
            signature: a.signature.to_string(),
        }
    }

    pub fn compute(epoch: u64, a: &ComputeAnswer) -> Self {
        ProofSubmission::Compute {
            epoch,
            device: bs58::encode(a.device).into_string(),
            n: a.n,
            product: a.product.clone(),
            signature: a.signature.to_string(),
        }
    }

    pub fn reading(epoch: u64, r: &SensorReading) -> Self {
        ProofSubmission::Reading {
            epoch,
            device: bs58::encode(r.device).into_string(),
            value: r.value,
            time: r.time,
            cell: format!("{:x}", r.cell),
            signature: r.signature.to_string(),
        }
    }
}

/// Whether the device that signed `d` did sign it (the full checks wait for the epoch's
/// end; this keeps unsigned junk out of the store).
fn signed(network: &[u8; 32], d: &Decoded) -> bool {
    match &d.submission {
        Submission::Beacon(b) => b.witnesses.iter().all(|w| {
            let m = depin_core::sectors::witness_message(
                network,
                d.epoch,
                &b.beaconer,
                &w.witness,
                &w.heard.payload,
                w.heard.rssi_centi_dbm,
                w.heard.snr_centi_db,
            );
            w.signature.verify(&w.witness, &m)
        }),
        Submission::Storage(a) => answer_signed(
            network,
            d,
            &a.device,
            &StorageAnswer::body_hash(&a.chunks),
            &a.signature,
        ),
        Submission::Compute(a) => answer_signed(
            network,
            d,
            &a.device,
            &ComputeAnswer::body_hash(a.n, &a.product),
            &a.signature,
        ),
        Submission::Reading(r) => answer_signed(
            network,
            d,
            &r.device,
            &SensorReading::body_hash(r.value, r.time, r.cell),
            &r.signature,
        ),
    }
}

fn answer_signed(
    network: &[u8; 32],
    d: &Decoded,
    device: &[u8; 32],
    body: &Hash,
    sig: &Signature,
) -> bool {
    let m = depin_core::sectors::answer_message(network, d.epoch, device, d.sector, body);
    sig.verify(device, &m)
}

/// A stored proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofRow {
    pub epoch: u64,
    pub digest: Hash,
    /// Chain time (ms) the first oracle received it.
    pub received_ms: i64,
    /// Canonical JSON of the [`ProofSubmission`].
    pub body: String,
}

/// What one `POST /v1/sector-proofs` did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofIngestOutcome {
    pub accepted: u64,
    /// Already stored (a replay, or a peer's copy of one held).
    pub duplicates: u64,
    /// Refused at once, by reason.
    pub rejected: BTreeMap<String, u64>,
}

/// Who sent proofs: a device (the epoch must still take them) or a peer oracle (its
/// receipt time is kept when earlier than ours).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum From {
    Device,
    Peer { received_ms: i64 },
}

/// Checks and stores `proofs`.
pub fn ingest(o: &Oracle, proofs: &[ProofSubmission], from: From) -> Result<ProofIngestOutcome> {
    let reg = o.registry().context(
        "no registry yet: the oracle has not read the network's nodes, so it cannot check \
         proofs",
    )?;
    let now = reg.clock.chain_now();
    let now_ms = now.saturating_mul(1_000);
    let network = o.network.to_bytes();
    let mut out = ProofIngestOutcome::default();
    let mut rows = vec![];
    let reject = |out: &mut ProofIngestOutcome, why: &str| {
        *out.rejected.entry(why.to_string()).or_default() += 1;
    };
    for p in proofs {
        let received_ms = match from {
            From::Device => now_ms,
            From::Peer { received_ms } => received_ms,
        };
        let Ok(d) = p.decode(received_ms) else {
            reject(&mut out, "malformed");
            continue;
        };
        if from == From::Device && !reg.clock.is_open(d.epoch, now, o.config.limits.grace_s) {
            reject(&mut out, "epoch_closed");
            continue;
        }
        if !reg.devices.contains_key(&d.signer) {
            reject(&mut out, "unknown_device");
            continue;
        }
        if !signed(&network, &d) {
            reject(&mut out, "bad_signature");
            continue;
        }
        let (body, digest) = p.canonical()?;
        rows.push(ProofRow {
            epoch: d.epoch,
            digest,
            received_ms,
            body,
        });
    }
    for new in o.store.save_proofs(&rows)? {
        if new {
            out.accepted += 1;
        } else {
            out.duplicates += 1;
        }
    }
    Ok(out)
}

/// What the sector modules decided for one epoch.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SectorRun {
    /// Whether the epoch's challenges were opened (without a seed nothing is judged).
    pub seeded: bool,
    pub proofs: u64,
    /// Work units per device (base58).
    pub work: BTreeMap<String, u64>,
    /// Per module: accepted proofs, rejections by reason, units per device.
    pub modules: BTreeMap<String, Judgement>,
}

/// Judges every stored proof of `epoch` with the configured modules. The proofs are taken
/// in digest order, so every oracle holding the same proofs reaches the same result.
pub fn judge_epoch(o: &Oracle, t: &dyn Transport, epoch: u64) -> Result<SectorRun> {
    let cfg = &o.config.sectors;
    let mut run = SectorRun::default();
    if cfg.modules.is_empty() {
        return Ok(run);
    }
    let reg = o.registry().context("no registry loaded")?;
    let mut rows = vec![];
    let mut after = 0i64;
    loop {
        let page = o.store.proofs(epoch, after, 10_000)?;
        let Some(last) = page.last().map(|(id, _)| *id) else {
            break;
        };
        rows.extend(page.into_iter().map(|(_, r)| r));
        after = last;
    }
    rows.sort_by_key(|r| r.digest);
    run.proofs = rows.len() as u64;
    let Some(challenges) = crate::verifier::challenges(t, &o.network, epoch)? else {
        tracing::warn!(
            epoch,
            proofs = rows.len(),
            "the epoch's challenges were never opened: no sector proof counts"
        );
        return Ok(run);
    };
    run.seeded = true;
    let mut decoded = vec![];
    for r in &rows {
        let p: ProofSubmission = serde_json::from_str(&r.body)
            .with_context(|| format!("a stored proof of epoch {epoch}"))?;
        decoded.push(p.decode(r.received_ms)?);
    }
    let devices: HashMap<[u8; 32], SectorDevice> = reg
        .devices
        .iter()
        .filter_map(|(k, d)| {
            Some((
                *k,
                SectorDevice {
                    active: d.active,
                    capacity: d.capacity?,
                    location: d.location,
                },
            ))
        })
        .collect();
    let commitments = storage_commitments(t, &o.network, &reg, &challenges)?;
    let ctx = EpochContext {
        network: o.network.to_bytes(),
        epoch,
        seed: challenges.seed,
        seed_time_ms: challenges.opened_at.saturating_mul(1_000),
        devices: &devices,
        commitments: &commitments,
    };
    let submissions = group(decoded);
    for module in cfg.modules(&reg.clock, epoch)? {
        let j = module.judge(&ctx, &submissions);
        for (device, units) in &j.work {
            let e = run.work.entry(device.clone()).or_default();
            *e = e.saturating_add(*units);
        }
        run.modules.insert(module.name().to_string(), j);
    }
    Ok(run)
}

/// Witness reports of one beaconer become one beacon report (in digest order); the other
/// proofs stay as they are.
fn group(decoded: Vec<Decoded>) -> Vec<Submission> {
    let mut beacons: BTreeMap<[u8; 32], BeaconReport> = BTreeMap::new();
    let mut out = vec![];
    for d in decoded {
        match d.submission {
            Submission::Beacon(b) => beacons
                .entry(b.beaconer)
                .or_insert_with(|| BeaconReport {
                    beaconer: b.beaconer,
                    witnesses: vec![],
                })
                .witnesses
                .extend(b.witnesses),
            other => out.push(other),
        }
    }
    out.extend(beacons.into_values().map(Submission::Beacon));
    out
}

/// The commitments of the registry's storage nodes that predate the epoch's seed (one
/// query for the whole network).
fn storage_commitments(
    t: &dyn Transport,
    network: &Pubkey,
    reg: &super::registry::Registry,
    challenges: &proof_verifier::EpochChallenges,
) -> Result<HashMap<[u8; 32], StorageCommitment>> {
    let device_of: HashMap<[u8; 32], [u8; 32]> =
        reg.devices.iter().map(|(k, d)| (d.node, *k)).collect();
    let mut out = HashMap::new();
    for (_, c) in crate::verifier::storage_commitments_of(t, network)
        .context("reading the network's storage commitments")?
    {
        let Some(device) = device_of.get(&c.node.to_bytes()) else {
            continue;
        };
        if c.counts_for(challenges) {
            out.insert(
                *device,
                StorageCommitment {
                    root: c.root,
                    size_bytes: c.size_bytes,
                    chunk_bytes: c.chunk_bytes,
                },
            );
        }
    }
    Ok(out)
}

/// Opens the current epoch's challenges if this oracle runs sector modules and nobody has
/// yet; returns the transaction's signature when it did. Losing the race to another
/// opener is not an error.
pub fn open_current_challenges(
    o: &Oracle,
    t: &dyn Transport,
    keypair: &solana_keypair::Keypair,
) -> Result<Option<String>> {
    if o.config.sectors.modules.is_empty() || !o.config.sectors.open_challenges {
        return Ok(None);
    }
    let Some(reg) = o.registry() else {
        return Ok(None);
    };
    let epoch = reg.clock.epoch_at(t.unix_time()?);
    open_challenges(o, t, keypair, epoch)
}

/// Opens `epoch`'s challenges unless they are open.
pub fn open_challenges(
    o: &Oracle,
    t: &dyn Transport,
    keypair: &solana_keypair::Keypair,
    epoch: u64,
) -> Result<Option<String>> {
    if crate::verifier::challenges(t, &o.network, epoch)?.is_some() {
        return Ok(None);
    }
    match crate::verifier::Verifier::new(t).open_challenges(keypair, &o.network, epoch) {
        Ok(out) => {
            tracing::info!(epoch, "opened the epoch's challenges");
            Ok(Some(out.signature.to_string()))
        }
        Err(e) if crate::verifier::challenges(t, &o.network, epoch)?.is_some() => {
            tracing::debug!(error = %format!("{e:#}"), "another opener was first");
            Ok(None)
        }
        Err(e) => Err(e.context(format!("opening the challenges of epoch {epoch}"))),
    }
}

/// `GET /v1/sector-proofs` page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProofPage {
    pub network: String,
    pub epoch: u64,
    pub proofs: Vec<PeerProof>,
    pub next: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeerProof {
    pub id: i64,
    pub received_ms: i64,
    pub proof: ProofSubmission,
}

/// Pulls `peer`'s proofs of `epoch`; returns the ones new here.
pub fn pull_peer(o: &Oracle, http: &super::http::Http, peer: &str, epoch: u64) -> Result<u64> {
    if o.config.sectors.modules.is_empty() {
        return Ok(0);
    }
    let (mut added, mut after) = (0u64, 0i64);
    loop {
        let url = format!(
            "{}/v1/sector-proofs?epoch={epoch}&after={after}&limit={}",
            peer.trim_end_matches('/'),
            o.config.limits.peer_page
        );
        let page: ProofPage = http
            .get_json(&url)
            .with_context(|| format!("pulling sector proofs from {peer}"))?;
        ensure!(
            page.network == o.network.to_string(),
            "peer {peer} serves network {}, not {}",
            page.network,
            o.network
        );
        for p in &page.proofs {
            ensure!(
                p.proof.epoch() == epoch,
                "peer {peer} sent a proof of another epoch"
            );
            let out = ingest(
                o,
                std::slice::from_ref(&p.proof),
                From::Peer {
                    received_ms: p.received_ms,
                },
            )?;
            added += out.accepted;
        }
        match page.next {
            Some(n) if n > after => after = n,
            _ => break,
        }
    }
    Ok(added)
}

/// Adds `SectorsConfig::modules` validation to the config (unknown names are refused).
pub fn check_config(c: &SectorsConfig) -> Result<()> {
    for m in &c.modules {
        ensure!(
            SectorsConfig::ALL.contains(&m.as_str()),
            "unknown sector module `{m}` (one of {})",
            SectorsConfig::ALL.join(", ")
        );
    }
    ensure!(
        c.storage_challenges >= 1
            && c.storage_challenges <= depin_core::sectors::storage::MAX_CHALLENGES,
        "storage_challenges must be 1 to {}",
        depin_core::sectors::storage::MAX_CHALLENGES
    );
    ensure!(
        (1..=512).contains(&c.compute_n),
        "compute_n must be 1 to 512"
    );
    Ok(())
}
