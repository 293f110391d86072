//! `depin oracle bench`: the ingestion pipeline (verify, checks, store, aggregate, tree) on
//! the embedded store against plain one-by-one ed25519 verification of the same receipts,
//! each signed on its own, on the same cores.
use super::config::OracleConfig;
use super::ingest::IngestOutcome;
use super::receipts::{Receipt, SignedBatch, Submission};
use super::registry;
use super::store::InsertMode;
use super::Oracle;
use crate::rewards::EpochRewardsFile;
use anyhow::{ensure, Context, Result};
use depin_core::attestation::work_receipt_message;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use serde::Serialize;
use solana_signer::Signer as _;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

#[derive(Debug, Serialize)]
pub struct BenchReport {
    pub receipts: u64,
    pub devices: u64,
    pub receipts_per_batch: usize,
    pub batches_per_request: usize,
    pub cores: usize,
    /// verify + checks + store + aggregate + tree.
    pub seconds: f64,
    pub receipts_per_second: f64,
    pub raw_verify_seconds: f64,
    pub raw_verify_per_second: f64,
    /// `receipts_per_second / raw_verify_per_second`.
    pub ratio: f64,
    pub ingest_seconds: f64,
    pub aggregate_seconds: f64,
    pub tree_seconds: f64,
    pub store: String,
    pub root: String,
}

use crate::par::{cores, map as parallel};

pub fn bench(
    receipts: u64,
    per_batch: usize,
    per_request: usize,
    dir: &Path,
) -> Result<BenchReport> {
    ensure!(receipts > 0, "--receipts must be at least 1");
    ensure!(
        (1..=depin_core::attestation::MAX_BATCH_RECEIPTS).contains(&per_batch),
        "--batch must be 1 to {}",
        depin_core::attestation::MAX_BATCH_RECEIPTS
    );
    let devices = receipts.div_ceil(per_batch as u64);
    let snap = registry::synthetic(devices, 3_600, i64::MAX as u64);
    let clock = snap.clock;
    let epoch = clock.epoch_at(clock.chain_now());
    let network = registry::synthetic_network();
    let mut config = OracleConfig::local(&network.to_string(), dir);
    config.limits.grace_s = 3_600;
    let mut oracle = Oracle::open(config)?;
    oracle.threads = cores();
    oracle.set_registry(snap)?;

    // not timed: every device signs its batch, and every receipt on its own for the baseline
    let net = network.to_bytes();
    let keys: Vec<solana_keypair::Keypair> = (0..devices).map(registry::synthetic_device).collect();
    let work_of = |i: u64| 1 + i % 97;
    let batches: Vec<Result<SignedBatch>> = parallel(devices as usize, |d| {
        let first = d as u64 * per_batch as u64;
        let n = (receipts - first).min(per_batch as u64);
        let rs = (0..n)
            .map(|j| Receipt {
                seq: j,
                work_units: work_of(first + j),
            })
            .collect();
        SignedBatch::sign(&net, &keys[d], epoch, rs)
    });
    let batches = batches.into_iter().collect::<Result<Vec<_>>>()?;
    let dalek: Vec<SigningKey> = keys
        .iter()
        .map(|k| SigningKey::from_bytes(k.secret_bytes()))
        .collect();
    let singles: Vec<([u8; 32], u64, u64, Signature)> = parallel(receipts as usize, |r| {
        let d = r / per_batch;
        let seq = (r % per_batch) as u64;
        let device = keys[d].pubkey().to_bytes();
        let m = work_receipt_message(&net, &device, epoch, work_of(r as u64), seq);
        (device, seq, work_of(r as u64), dalek[d].sign(&m))
    });

    // timed: the pipeline
    let started = Instant::now();
    let mut accepted = 0u64;
    for chunk in batches.chunks(per_request.max(1)) {
        let sub = Submission {
            network: net,
            batches: chunk.to_vec(),
        };
        let out: IngestOutcome = oracle.ingest(&sub, InsertMode::Device)?;
        ensure!(
            out.rejected.is_empty(),
            "the benchmark's receipts were refused: {:?}",
            out.rejected.first()
        );
        accepted += out.accepted;
    }
    let ingest_s = started.elapsed().as_secs_f64();
    ensure!(
        accepted == receipts,
        "stored {accepted} of {receipts} receipts"
    );
    let t = Instant::now();
    let work = super::epoch::aggregate(&oracle, epoch)?;
    let aggregate_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let file =
        EpochRewardsFile::compute(&network, epoch, 1_000_000_000_000, &BTreeMap::new(), &work)?;
    let tree_s = t.elapsed().as_secs_f64();
    let seconds = started.elapsed().as_secs_f64();

    // timed: one by one
    let t = Instant::now();
    let ok: Vec<bool> = parallel(singles.len(), |i| {
        let (device, seq, work, sig) = &singles[i];
        let m = work_receipt_message(&net, device, epoch, *work, *seq);
        VerifyingKey::from_bytes(device).is_ok_and(|k| k.verify(&m, sig).is_ok())
    });
    let raw_s = t.elapsed().as_secs_f64();
    ensure!(
        ok.iter().all(|v| *v),
        "a baseline signature failed to verify"
    );

    let rps = receipts as f64 / seconds;
    let raw = receipts as f64 / raw_s;
    Ok::<_, anyhow::Error>(BenchReport {
        receipts,
        devices,
        receipts_per_batch: per_batch,
        batches_per_request: per_request,
        cores: cores(),
        seconds,
        receipts_per_second: rps,
        raw_verify_seconds: raw_s,
        raw_verify_per_second: raw,
        ratio: rps / raw,
        ingest_seconds: ingest_s,
        aggregate_seconds: aggregate_s,
        tree_seconds: tree_s,
        store: oracle.store.describe(),
        root: file.root,
    })
    .context("the benchmark")
}
