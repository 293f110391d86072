//! The checks every receipt passes before it is stored, in one place for the HTTP server,
//! the peer pull and the benchmark.
use super::receipts::{verify_batches, SignedBatch, Submission};
use super::registry::Registry;
use super::store::{InsertMode, Store};
use anyhow::Result;
use serde::Serialize;

/// Why a receipt was refused (also the `reason` label of the rejection metric).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// The device's signature does not match the batch.
    BadSignature,
    /// No node of this network has this device key.
    UnknownDevice,
    /// The node is suspended or decommissioned.
    InactiveDevice,
    /// Neither the current epoch nor the previous one within its grace period.
    EpochClosed,
    /// More work than the node's attested capacity allows in an epoch.
    ImplausibleWork,
    /// `(device, epoch, seq)` was stored before (or twice in one request).
    Replay,
}

impl RejectReason {
    pub const ALL: [RejectReason; 6] = [
        RejectReason::BadSignature,
        RejectReason::UnknownDevice,
        RejectReason::InactiveDevice,
        RejectReason::EpochClosed,
        RejectReason::ImplausibleWork,
        RejectReason::Replay,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RejectReason::BadSignature => "bad_signature",
            RejectReason::UnknownDevice => "unknown_device",
            RejectReason::InactiveDevice => "inactive_device",
            RejectReason::EpochClosed => "epoch_closed",
            RejectReason::ImplausibleWork => "implausible_work",
            RejectReason::Replay => "replay",
        }
    }
}

/// Refused receipts of one batch: all of them (`seq` null) or one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// The batch's index in the request.
    pub batch: usize,
    pub device: String,
    pub seq: Option<u64>,
    /// Receipts this line refuses.
    pub receipts: u64,
    pub reason: RejectReason,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IngestOutcome {
    /// Receipts stored by this request.
    pub accepted: u64,
    pub rejected: Vec<Rejection>,
}

impl IngestOutcome {
    pub fn rejected_receipts(&self) -> u64 {
        self.rejected.iter().map(|r| r.receipts).sum()
    }
}

/// Where the checks stand for one request.
pub struct Checks<'a> {
    pub registry: &'a Registry,
    /// Chain time now (for the epoch check).
    pub now: i64,
    pub grace_s: u32,
    pub threads: usize,
}

/// Checks `sub` (already known to be for this network) and stores what passes, in one
/// transaction: a 2xx after this returns means every accepted receipt is on disk.
/// Peers' batches skip the epoch check (their epoch closed; that is why they are pulled).
pub fn ingest(
    store: &dyn Store,
    checks: &Checks<'_>,
    sub: &Submission,
    mode: InsertMode,
) -> Result<IngestOutcome> {
    let mut out = IngestOutcome::default();
    let reject = |out: &mut IngestOutcome, i: usize, b: &SignedBatch, seq, n, reason| {
        out.rejected.push(Rejection {
            batch: i,
            device: bs58::encode(b.device).into_string(),
            seq,
            receipts: n,
            reason,
        });
    };
    // cheap checks first; signatures only for what is left
    let mut candidates: Vec<(usize, u64)> = vec![];
    for (i, b) in sub.batches.iter().enumerate() {
        let n = b.receipts.len() as u64;
        let reason = match checks.registry.node_of(&b.device) {
            None => Some(RejectReason::UnknownDevice),
            Some(d) if !d.active => Some(RejectReason::InactiveDevice),
            Some(_)
                if mode == InsertMode::Device
                    && !checks
                        .registry
                        .clock
                        .is_open(b.epoch, checks.now, checks.grace_s) =>
            {
                Some(RejectReason::EpochClosed)
            }
            Some(d) => {
                candidates.push((i, d.max_work));
                None
            }
        };
        if let Some(r) = reason {
            reject(&mut out, i, b, None, n, r);
        }
    }
    if mode == InsertMode::Peer {
        // A peer's batch whose every receipt is held at no more work would change nothing
        // (the lower work wins): skip its signature, the costly part of a pull. Whatever is
        // kept is verified as before, so an unverified batch never changes the store.
        let devices: Vec<[u8; 32]> = candidates
            .iter()
            .map(|(i, _)| sub.batches[*i].device)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let epoch = sub.batches.first().map_or(0, |b| b.epoch);
        if sub.batches.iter().all(|b| b.epoch == epoch) {
            let held = store.held(epoch, &devices)?;
            candidates.retain(|(i, _)| {
                let b = &sub.batches[*i];
                !b.receipts.iter().all(|r| {
                    held.get(&(b.device, r.seq))
                        .is_some_and(|w| *w <= r.work_units)
                })
            });
        }
    }
    let to_verify: Vec<&SignedBatch> = candidates.iter().map(|(i, _)| &sub.batches[*i]).collect();
    let valid = verify_batches(&sub.network, &to_verify, checks.threads);
    let mut staged: Vec<(usize, &SignedBatch, Vec<bool>)> = vec![];
    for ((i, max_work), ok) in candidates.into_iter().zip(valid) {
        let b = &sub.batches[i];
        if !ok {
            reject(
                &mut out,
                i,
                b,
                None,
                b.receipts.len() as u64,
                RejectReason::BadSignature,
            );
            continue;
        }
        let mut take = Vec::with_capacity(b.receipts.len());
        for r in &b.receipts {
            let plausible = r.work_units <= max_work;
            if !plausible {
                reject(
                    &mut out,
                    i,
                    b,
                    Some(r.seq),
                    1,
                    RejectReason::ImplausibleWork,
                );
            }
            take.push(plausible);
        }
        staged.push((i, b, take));
    }
    if staged.is_empty() {
        out.rejected.sort_by_key(|r| r.batch);
        return Ok(out);
    }
    let batches: Vec<(&SignedBatch, &[bool])> =
        staged.iter().map(|(_, b, t)| (*b, t.as_slice())).collect();
    let fresh = store.insert(&batches, mode)?;
    for ((i, b, take), fresh) in staged.iter().zip(fresh) {
        for ((r, took), new) in b.receipts.iter().zip(take).zip(fresh) {
            match (took, new) {
                (true, true) => out.accepted += 1,
                // a peer's copy of a receipt already held is no news, not a rejection
                (true, false) if mode == InsertMode::Device => {
                    reject(&mut out, *i, b, Some(r.seq), 1, RejectReason::Replay)
                }
                _ => {}
            }
        }
    }
    out.rejected.sort_by_key(|r| r.batch);
    Ok(out)
}
