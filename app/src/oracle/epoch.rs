//! One epoch's run, in stages recorded in the store so a restart resumes where it stopped:
//!
//! 1. **pulled**: every peer's batches of the epoch, signatures checked again, merged (for a
//!    receipt two oracles hold differently, the lower work wins, so the result does not
//!    depend on arrival order);
//! 2. **aggregated**: work per node, capped at the node's plausible maximum;
//! 3. **built**: cumulative rewards, root and every proof (depin-core), as a file too;
//! 4. **attested**: the report submitted, or approved if another oracle submitted the same
//!    root. The on-chain report is read first, so nothing is ever sent twice.
use super::receipts::{PeerPage, Submission};
use super::store::{check_run, EpochRun, InsertMode, Stage};
use super::Oracle;
use crate::rewards::EpochRewardsFile;
use crate::transport::Transport;
use crate::verifier::{self, Verifier};
use anchor_lang::prelude::Pubkey;
use anyhow::{bail, ensure, Context, Result};
use proof_verifier::state::ReportStatus;
use serde::Serialize;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::collections::BTreeMap;
use std::str::FromStr;

/// Where the crash tests stop a run (honoured only in test builds, the `fault-injection`
/// feature): right after the named stage is recorded, or after the report transaction
/// landed but before that was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultPoint {
    AfterPull,
    AfterAggregate,
    AfterBuild,
    AfterSend,
}

#[derive(Debug, Clone, Serialize)]
pub struct EpochResult {
    pub epoch: u64,
    pub root: String,
    pub receipts: u64,
    pub nodes: u32,
    pub total_work: u64,
    /// `submitted`, `approved` or `already` (this oracle's approval was on chain).
    pub action: String,
    pub signature: Option<String>,
    /// Receipts taken from peers (new or lowered). When several oracles pull at once (the
    /// demo's), which of them finds a lowered figure first depends on timing; the root
    /// does not. Sector proofs taken from peers count here too.
    pub pulled_receipts: u64,
    /// What the sector modules decided (`epochs/N.sectors.json`), when any ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sectors: Option<serde_json::Value>,
}

fn fault(at: Option<FaultPoint>, here: FaultPoint) -> Result<()> {
    if cfg!(any(test, feature = "fault-injection")) && at == Some(here) {
        bail!("fault injected at {here:?}");
    }
    Ok(())
}

/// Pulls every peer's batches of `epoch` into the store; returns receipts new to it. A peer
/// that does not answer fails the pull unless `min_peers` others did.
pub fn pull(o: &Oracle, http: &super::http::Http, epoch: u64) -> Result<u64> {
    let required = o
        .config
        .limits
        .min_peers
        .unwrap_or(o.config.peers.len())
        .min(o.config.peers.len());
    let (mut added, mut answered, mut failures) = (0u64, 0usize, vec![]);
    for peer in &o.config.peers {
        match pull_peer(o, http, peer, epoch) {
            Ok(n) => {
                added += n;
                answered += 1;
            }
            Err(e) => {
                tracing::warn!(peer = %peer, error = %format!("{e:#}"), "peer pull failed");
                failures.push(format!("{e:#}"));
            }
        }
    }
    ensure!(
        answered >= required,
        "{answered} of {} peers answered, {required} needed: {}",
        o.config.peers.len(),
        failures.join("; ")
    );
    Ok(added)
}

fn pull_peer(o: &Oracle, http: &super::http::Http, peer: &str, epoch: u64) -> Result<u64> {
    let mut added = 0u64;
    {
        let mut after = 0i64;
        loop {
            let url = format!(
                "{}/v1/receipts?epoch={epoch}&after={after}&limit={}",
                peer.trim_end_matches('/'),
                o.config.limits.peer_page
            );
            let page: PeerPage = http
                .get_json(&url)
                .with_context(|| format!("pulling from {peer}"))?;
            ensure!(
                page.network == o.network.to_string(),
                "peer {peer} serves network {}, not {}",
                page.network,
                o.network
            );
            let batches = page
                .batches
                .iter()
                .map(|b| b.batch())
                .collect::<Result<Vec<_>>>()
                .with_context(|| format!("a batch from {peer}"))?;
            ensure!(
                batches.iter().all(|b| b.epoch == epoch),
                "peer {peer} sent batches of another epoch"
            );
            let sub = Submission {
                network: o.network.to_bytes(),
                batches,
            };
            let out = o.ingest(&sub, InsertMode::Peer)?;
            added += out.accepted;
            match page.next {
                Some(n) if n > after => after = n,
                _ => break,
            }
        }
    }
    added += super::proofs::pull_peer(o, http, peer, epoch)?;
    Ok(added)
}

/// Work per node of `epoch` from the store: receipts of devices the registry knows,
/// summed and capped at each node's plausible maximum.
pub fn aggregate(o: &Oracle, epoch: u64) -> Result<BTreeMap<Pubkey, u64>> {
    let reg = o.registry().context("no registry loaded")?;
    let mut work = BTreeMap::new();
    for (device, sum) in o.store.work(epoch)? {
        let Some(d) = reg.node_of(&device) else {
            continue;
        };
        let capped = u64::try_from(sum.min(u128::from(d.max_work))).unwrap_or(d.max_work);
        if capped > 0 {
            work.insert(Pubkey::new_from_array(d.node), capped);
        }
    }
    Ok(work)
}

/// Runs (or resumes) `epoch` to the attested stage. `t` reaches the chain, `keypair` is this
/// oracle's key in the set, `http` reaches the peers.
pub fn run_epoch(
    o: &Oracle,
    t: &dyn Transport,
    keypair: &Keypair,
    http: &super::http::Http,
    epoch: u64,
    fault_at: Option<FaultPoint>,
) -> Result<EpochResult> {
    let built = build(o, t, http, epoch, fault_at)?;
    let mut run = built.run;
    let file = match built.file {
        Some(f) => f,
        None => serde_json::from_str(run.rewards.as_deref().context("no rewards stored")?)?,
    };
    if run.stage < Some(Stage::Attested) {
        let (action, signature) = attest(o, t, keypair, &file, fault_at)?;
        o.metrics.submission(&action);
        run.action = Some(action);
        run.signature = signature;
        run.stage = Some(Stage::Attested);
        o.store.save_epoch_run(&run)?;
        o.metrics.stage(epoch, 4);
        tracing::info!(
            epoch,
            action = run.action.as_deref().unwrap_or(""),
            "report attested"
        );
    }
    Ok(EpochResult {
        epoch,
        root: file.root.clone(),
        receipts: o.store.receipt_count(epoch)?,
        nodes: file.node_count,
        total_work: file.total_work,
        action: run.action.unwrap_or_default(),
        signature: run.signature,
        pulled_receipts: built.pulled_receipts,
        sectors: read_sectors_file(o, epoch)?,
    })
}

/// Judges the epoch's sector proofs and adds their units to each node's work; the
/// judgement is kept in `data_dir/epochs/N.sectors.json`.
fn add_sector_work(
    o: &Oracle,
    t: &dyn Transport,
    epoch: u64,
    work: &mut BTreeMap<Pubkey, u64>,
) -> Result<()> {
    if o.config.sectors.modules.is_empty() {
        return Ok(());
    }
    let run = super::proofs::judge_epoch(o, t, epoch)?;
    let reg = o.registry().context("no registry loaded")?;
    for (device, units) in &run.work {
        let key = super::receipts::parse_key(device)?;
        if let Some(d) = reg.node_of(&key) {
            let e = work.entry(Pubkey::new_from_array(d.node)).or_default();
            *e = e.saturating_add(*units);
        }
    }
    tracing::info!(
        epoch,
        proofs = run.proofs,
        seeded = run.seeded,
        "sector proofs judged"
    );
    write_named(
        o,
        &format!("{epoch}.sectors.json"),
        &serde_json::to_string(&run)?,
    )
}

fn read_sectors_file(o: &Oracle, epoch: u64) -> Result<Option<serde_json::Value>> {
    let path = o
        .config
        .data_dir
        .join("epochs")
        .join(format!("{epoch}.sectors.json"));
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(
            serde_json::from_str(&text).with_context(|| format!("reading {}", path.display()))?,
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(anyhow::Error::from(e).context(format!("reading {}", path.display()))),
    }
}

/// Runs (or resumes) `epoch` to the built stage: everything but the transaction, so several
/// oracles of one process can do it at once and then attest in turn. Returns the receipts
/// pulled from peers.
pub fn build_epoch(
    o: &Oracle,
    t: &dyn Transport,
    http: &super::http::Http,
    epoch: u64,
) -> Result<u64> {
    Ok(build(o, t, http, epoch, None)?.pulled_receipts)
}

struct Built {
    run: EpochRun,
    pulled_receipts: u64,
    /// The rewards, when this call computed them (otherwise they are in `run`).
    file: Option<EpochRewardsFile>,
}

fn build(
    o: &Oracle,
    t: &dyn Transport,
    http: &super::http::Http,
    epoch: u64,
    fault_at: Option<FaultPoint>,
) -> Result<Built> {
    let mut run = o.store.epoch_run(epoch)?.unwrap_or(EpochRun {
        epoch,
        ..Default::default()
    });
    check_run(&run)?;
    let mut pulled_receipts = 0;
    let mut computed = None;
    if run.stage < Some(Stage::Pulled) {
        o.refresh(t)?;
        let reg = o.registry().context("no registry loaded")?;
        let now = t.unix_time()?;
        let closes = reg
            .clock
            .start_of(epoch.saturating_add(1))
            .saturating_add(i64::from(o.config.limits.grace_s));
        ensure!(
            now >= closes,
            "epoch {epoch} still takes receipts until {closes} (chain time now {now})"
        );
        pulled_receipts = pull(o, http, epoch)?;
        run.stage = Some(Stage::Pulled);
        o.store.save_epoch_run(&run)?;
        o.metrics.stage(epoch, 1);
        tracing::info!(epoch, pulled_receipts, "pulled peers' receipts");
    }
    fault(fault_at, FaultPoint::AfterPull)?;

    if run.stage < Some(Stage::Aggregated) {
        if o.registry().is_none() {
            o.refresh(t)?;
        }
        let mut work = aggregate(o, epoch)?;
        add_sector_work(o, t, epoch, &mut work)?;
        let work: BTreeMap<String, u64> =
            work.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        run.work = Some(serde_json::to_string(&work)?);
        run.stage = Some(Stage::Aggregated);
        o.store.save_epoch_run(&run)?;
        o.metrics.stage(epoch, 2);
    }
    fault(fault_at, FaultPoint::AfterAggregate)?;

    if run.stage < Some(Stage::Built) {
        let work: BTreeMap<String, u64> =
            serde_json::from_str(run.work.as_deref().context("no work stored")?)?;
        let work: BTreeMap<Pubkey, u64> = work
            .into_iter()
            .map(|(k, v)| Ok((Pubkey::from_str(&k)?, v)))
            .collect::<Result<_>>()
            .context("a stored node is not an address")?;
        let previous = match o.store.latest_built_before(epoch)? {
            Some(p) => {
                ensure!(
                    p.epoch + 1 == epoch,
                    "the last epoch built here is {}, not {}: run the epochs in order",
                    p.epoch,
                    epoch - 1
                );
                EpochRewardsFile::cumulative_from_json(
                    p.rewards.as_deref().context("no rewards stored")?,
                )?
            }
            None => BTreeMap::new(),
        };
        let file = EpochRewardsFile::compute_for_network(t, &o.network, epoch, &previous, &work)?;
        let text = serde_json::to_string(&file)?;
        write_file(o, epoch, &text)?;
        run.rewards = Some(text);
        run.stage = Some(Stage::Built);
        o.store.save_epoch_run(&run)?;
        o.metrics.stage(epoch, 3);
        tracing::info!(epoch, root = %file.root, nodes = file.node_count, "rewards built");
        computed = Some(file);
    }
    fault(fault_at, FaultPoint::AfterBuild)?;
    Ok(Built {
        run,
        pulled_receipts,
        file: computed,
    })
}

/// `data_dir/epochs/N.json`, written whole (temporary file, then rename).
fn write_file(o: &Oracle, epoch: u64, text: &str) -> Result<()> {
    write_named(o, &format!("{epoch}.json"), text)
}

fn write_named(o: &Oracle, name: &str, text: &str) -> Result<()> {
    let dir = o.config.data_dir.join("epochs");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let tmp = dir.join(format!("{name}.tmp"));
    std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, dir.join(name)).with_context(|| format!("renaming {}", tmp.display()))
}

/// Submits or approves the report, unless the chain already shows this oracle's approval.
fn attest(
    o: &Oracle,
    t: &dyn Transport,
    keypair: &Keypair,
    file: &EpochRewardsFile,
    fault_at: Option<FaultPoint>,
) -> Result<(String, Option<String>)> {
    let set = verifier::oracle_set(t, &o.network)?;
    let me = keypair.pubkey();
    let index = set
        .oracles
        .iter()
        .position(|k| *k == me)
        .with_context(|| format!("{me} is not in the network's oracle set"))?;
    let root = file.root_bytes()?;
    let v = Verifier::new(t);
    // twice at most: a submit that lost a race to another oracle turns into an approval
    for _ in 0..2 {
        let existing = match t.get_account(&verifier::report_address(&o.network, file.epoch))? {
            Some(_) => Some(verifier::report(t, &o.network, file.epoch)?),
            None => None,
        };
        let sent = match existing {
            Some(r) if r.status != ReportStatus::Voided && r.root != root => bail!(
                "the report on chain for epoch {} has root {}, this oracle computed {}: \
                 dispute it (`depin report dispute`)",
                file.epoch,
                crate::rewards::to_hex(&r.root),
                file.root
            ),
            Some(r)
                if r.status != ReportStatus::Voided
                    && (r.approvals >> index) & 1 == 1
                    && r.set_version == set.version =>
            {
                return Ok(("already".into(), None));
            }
            Some(r) if r.status == ReportStatus::Pending => {
                let out = v.approve_report(keypair, &o.network, file.epoch, root);
                out.map(|x| ("approved", x))
            }
            Some(r) if r.status != ReportStatus::Voided => bail!(
                "the report of epoch {} is {:?} without this oracle's approval",
                file.epoch,
                r.status
            ),
            _ => {
                let out = v.submit_report(keypair, &o.network, file.report_content(0)?, &[]);
                out.map(|x| ("submitted", x))
            }
        };
        match sent {
            Ok((action, out)) => {
                fault(fault_at, FaultPoint::AfterSend)?;
                return Ok((action.into(), Some(out.signature.to_string())));
            }
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "sending the report; reading it again");
                o.metrics.submission("failed");
                if t.get_account(&verifier::report_address(&o.network, file.epoch))?
                    .is_none()
                {
                    return Err(e.context("submitting the report"));
                }
            }
        }
    }
    bail!(
        "the report of epoch {} changed twice while attesting it",
        file.epoch
    )
}

/// What `serve` runs every `epoch_poll_s`: each epoch from the schedule's next unfinalised
/// one up to the last closed one (by the cluster's clock and the grace period) that this
/// oracle has not attested yet, in order; stops at the first that fails. Returns the runs.
pub fn run_due_epochs(
    o: &Oracle,
    t: &dyn Transport,
    keypair: &Keypair,
    http: &super::http::Http,
) -> Result<Vec<EpochResult>> {
    let Some(reg) = o.registry() else {
        return Ok(vec![]);
    };
    let now = t.unix_time()?;
    let open_until = now.saturating_sub(i64::from(o.config.limits.grace_s));
    let Some(last_closed) = reg.clock.epoch_at(open_until).checked_sub(1) else {
        return Ok(vec![]);
    };
    let next = crate::emissions::schedule(t, &o.network)?.next_epoch;
    let mut done = vec![];
    for e in next..=last_closed {
        let attested = o
            .store
            .epoch_run(e)?
            .is_some_and(|r| r.stage == Some(Stage::Attested));
        if !attested {
            done.push(run_epoch(o, t, keypair, http, e, None)?);
        }
    }
    Ok(done)
}
