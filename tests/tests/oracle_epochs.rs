//! Oracles agree on an epoch's root whatever the order receipts reached them, and a run
//! stopped after any stage resumes to the same root with exactly one transaction per oracle.
use anchor_lang::prelude::Pubkey;
use depin::oracle::epoch::{aggregate, pull, run_epoch, FaultPoint};
use depin::oracle::http::Http;
use depin::oracle::local::LocalOracles;
use depin::oracle::store::{InsertMode, Stage};
use depin::rewards::EpochRewardsFile;
use depin::transport::{AccountFilter, Transport, TransportResult, TxOutcome};
use depin_tests::oracle::*;
use depin_tests::rewards::{schedule_args, RewardsWorld};
use depin_tests::{EPOCH_S_FOR_REWARDS, ONBOARDING_FEE};
use solana_signer::Signer;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;

fn post(http: &Http, url: &str, sub: &depin::oracle::receipts::Submission) {
    let r = http
        .post(
            &format!("{url}/v1/receipts"),
            "application/octet-stream",
            sub.encode(),
        )
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn oracles_agree_after_pulling_whatever_the_order() {
    let dir = tempfile::tempdir().unwrap();
    let reg = test_registry("oracle-agree", 12, 0, 1_000);
    let net = reg.network;
    let keys: Vec<_> = (0..3)
        .map(|i| solana_keypair::Keypair::new_from_array([40 + i; 32]))
        .collect();
    let ls = LocalOracles::start(&net, &keys, dir.path(), |_| {}).unwrap();
    for o in &ls.oracles {
        o.set_registry(reg.snapshot.clone()).unwrap();
    }
    let e = CURRENT_EPOCH;
    // every device: four receipts, signed as one batch for oracle 0 and as two for oracle 1
    let mut whole = vec![];
    let mut halves = vec![];
    for (i, d) in reg.active.iter().enumerate() {
        let rs: Vec<(u64, u64)> = (0..4).map(|s| (s, 1 + (i as u64 * 7 + s) % 13)).collect();
        whole.push(batch(&net, d, e, &rs));
        halves.push(batch(&net, d, e, &rs[..2]));
        halves.push(batch(&net, d, e, &rs[2..]));
    }
    // a device tells oracle 0 and oracle 1 different figures for one receipt
    let liar = &reg.active[11];
    let told_0 = batch(&net, liar, e, &[(9, 50)]);
    let told_1 = batch(&net, liar, e, &[(9, 30)]);
    for b in whole.iter().cloned().chain([told_0]) {
        post(&ls.http, &ls.url(0), &submission(&net, vec![b]));
    }
    halves.reverse();
    post(
        &ls.http,
        &ls.url(1),
        &submission(&net, halves.into_iter().chain([told_1]).collect()),
    );
    // oracle 2 got only a third, directly
    post(&ls.http, &ls.url(2), &submission(&net, whole[..4].to_vec()));

    let before: Vec<u64> = ls
        .oracles
        .iter()
        .map(|o| o.store.receipt_count(e).unwrap())
        .collect();
    assert_eq!(before, [49, 49, 16]);
    // the pull takes the peers' batches, and a second pull adds nothing
    for o in ls.oracles.iter().rev() {
        pull(o, &ls.http, e).unwrap();
    }
    for o in &ls.oracles {
        assert_eq!(pull(o, &ls.http, e).unwrap(), 0);
    }
    let roots: Vec<String> = ls
        .oracles
        .iter()
        .map(|o| {
            assert_eq!(o.store.receipt_count(e).unwrap(), 49);
            assert_eq!(
                o.store.receipt(&liar.pubkey().to_bytes(), e, 9).unwrap(),
                Some(30)
            );
            let work = aggregate(o, e).unwrap();
            assert_eq!(work.len(), 12);
            EpochRewardsFile::compute(&net, e, 1_000_000, &BTreeMap::new(), &work)
                .unwrap()
                .root
        })
        .collect();
    assert!(roots.windows(2).all(|w| w[0] == w[1]), "{roots:?}");

    // a peer that does not answer fails the pull, unless enough others did
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let mut c = ls.oracles[2].config.clone();
    c.data_dir = dir.path().join("late");
    c.peers = vec![dead_url, ls.url(0)];
    let late = depin::oracle::Oracle::open(c.clone()).unwrap();
    late.set_registry(reg.snapshot.clone()).unwrap();
    let e1 = pull(&late, &ls.http, e).unwrap_err();
    assert!(
        format!("{e1:#}").contains("1 of 2 peers answered, 2 needed"),
        "{e1:#}"
    );
    c.limits.min_peers = Some(1);
    let late = depin::oracle::Oracle::open(c).unwrap();
    // what the failed pull took from the peer that answered is kept
    assert_eq!(pull(&late, &ls.http, e).unwrap(), 0);
    assert_eq!(late.store.receipt_count(e).unwrap(), 49);
}

/// The embedded network, counting the transactions each fee payer sends.
struct Counting<'a> {
    net: &'a depin::transport::embedded::EmbeddedNetwork,
    sent: Mutex<HashMap<Pubkey, u32>>,
}

impl Transport for Counting<'_> {
    fn get_account(&self, a: &Pubkey) -> TransportResult<Option<solana_account::Account>> {
        self.net.get_account(a)
    }
    fn send_versioned(
        &self,
        tx: &solana_transaction::versioned::VersionedTransaction,
    ) -> TransportResult<TxOutcome> {
        self.net.send_versioned(tx)
    }
    fn slot(&self) -> TransportResult<u64> {
        self.net.slot()
    }
    fn wait_past_slot(&self, slot: u64) -> TransportResult<()> {
        self.net.wait_past_slot(slot)
    }
    fn latest_blockhash(&self) -> TransportResult<solana_hash::Hash> {
        self.net.latest_blockhash()
    }
    fn send(&self, tx: &solana_transaction::Transaction) -> TransportResult<TxOutcome> {
        let out = self.net.send(tx)?;
        *self
            .sent
            .lock()
            .unwrap()
            .entry(tx.message.account_keys[0])
            .or_default() += 1;
        Ok(out)
    }
    fn program_accounts(
        &self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> TransportResult<Vec<(Pubkey, solana_account::Account)>> {
        self.net.program_accounts(program, filters)
    }
    fn unix_time(&self) -> TransportResult<i64> {
        self.net.unix_time()
    }
    fn describe(&self) -> String {
        "counting".into()
    }
    fn simulate(
        &self,
        tx: &solana_transaction::Transaction,
    ) -> TransportResult<depin::transport::Simulation> {
        self.net.simulate(tx)
    }
    fn fee_for_message(&self, m: &solana_message::Message) -> TransportResult<u64> {
        self.net.fee_for_message(m)
    }
    fn signatures_for_address(
        &self,
        address: &Pubkey,
        before: Option<solana_signature::Signature>,
        until: Option<solana_signature::Signature>,
        limit: usize,
    ) -> TransportResult<Vec<depin::transport::SignatureEntry>> {
        self.net
            .signatures_for_address(address, before, until, limit)
    }
    fn transaction_events(
        &self,
        signature: &solana_signature::Signature,
    ) -> TransportResult<depin::transport::LandedEvents> {
        self.net.transaction_events(signature)
    }
}

/// A network whose clock starts in epoch 20 (the schedule's first), `devices` registered
/// nodes, and two oracle services of its set (threshold 2) without a grace period.
struct Chain {
    rw: RewardsWorld,
    devices: Vec<(solana_keypair::Keypair, Pubkey)>,
    dir: tempfile::TempDir,
    keys: [solana_keypair::Keypair; 2],
    ls: LocalOracles,
}

impl Chain {
    fn new(devices: usize) -> Self {
        let mut args = schedule_args();
        args.first_epoch = 20;
        let rw = RewardsWorld::new(depin::tokens::TOKEN_PROGRAM, args);
        let owner = rw.w.owner(10 * ONBOARDING_FEE);
        let devices = (0..devices).map(|_| rw.w.register(&owner)).collect();
        let dir = tempfile::tempdir().unwrap();
        let keys = [
            rw.oracles[0].insecure_clone(),
            rw.oracles[1].insecure_clone(),
        ];
        let ls = LocalOracles::start(&rw.w.network, &keys, dir.path(), |c| c.limits.grace_s = 0)
            .unwrap();
        Chain {
            rw,
            devices,
            dir,
            keys,
            ls,
        }
    }
}

impl<'a> Counting<'a> {
    fn new(net: &'a depin::transport::embedded::EmbeddedNetwork) -> Self {
        Counting {
            net,
            sent: Mutex::new(HashMap::new()),
        }
    }
}

#[test]
fn a_stopped_run_resumes_to_the_same_root_and_sends_once() {
    let c = Chain::new(4);
    let (rw, w, devices, dir, keys, ls) = (&c.rw, &c.rw.w, &c.devices, &c.dir, &c.keys, &c.ls);
    let t = Counting::new(&w.net);
    let http = Http::new(Duration::from_secs(10)).unwrap();
    let faults = [
        FaultPoint::AfterPull,
        FaultPoint::AfterAggregate,
        FaultPoint::AfterBuild,
        FaultPoint::AfterSend,
    ];
    for (k, fault) in faults.into_iter().enumerate() {
        let epoch = 20 + k as u64;
        ls.refresh(&w.net).unwrap();
        // each oracle hears from some devices directly
        for (i, (device, _)) in devices.iter().enumerate() {
            let b = batch(
                &w.network,
                device,
                epoch,
                &[(0, 3 + i as u64 + k as u64), (1, 2)],
            );
            post(&http, &ls.url(i % 2), &submission(&w.network, vec![b]));
        }
        w.net.advance_time(i64::from(EPOCH_S_FOR_REWARDS)).unwrap();
        t.sent.lock().unwrap().clear();

        // both oracles stop at the fault, then a fresh process on the same store resumes
        let mut roots = vec![];
        for (i, key) in keys.iter().enumerate() {
            let e = run_epoch(&ls.oracles[i], &t, key, &http, epoch, Some(fault)).unwrap_err();
            assert!(format!("{e:#}").contains("fault injected"), "{e:#}");
            let stored = ls.oracles[i].store.epoch_run(epoch).unwrap().unwrap();
            let built_root = stored
                .rewards
                .as_ref()
                .map(|r| serde_json::from_str::<EpochRewardsFile>(r).unwrap().root);
            let restarted = depin::oracle::Oracle::open(ls.oracles[i].config.clone()).unwrap();
            let r = run_epoch(&restarted, &t, key, &http, epoch, None).unwrap();
            if let Some(b) = built_root {
                assert_eq!(b, r.root, "the resumed run kept the built root");
            }
            let expected = match (i, fault) {
                (_, FaultPoint::AfterSend) => "already",
                (0, _) => "submitted",
                _ => "approved",
            };
            assert_eq!(r.action, expected, "oracle {i} at {fault:?}");
            assert_eq!(
                restarted.store.epoch_run(epoch).unwrap().unwrap().stage,
                Some(Stage::Attested)
            );
            // and once attested, another run sends nothing
            assert_eq!(
                run_epoch(&restarted, &t, key, &http, epoch, None)
                    .unwrap()
                    .action,
                r.action
            );
            roots.push(r.root);
        }
        assert_eq!(roots[0], roots[1]);
        let report = depin::verifier::report(&w.net, &w.network, epoch).unwrap();
        assert_eq!(depin::rewards::to_hex(&report.root), roots[0]);
        assert_eq!(
            (report.approvals, report.approval_count),
            (0b11, 2),
            "{fault:?}"
        );
        let sent = t.sent.lock().unwrap();
        for key in keys.iter() {
            assert_eq!(
                sent.get(&key.pubkey()),
                Some(&1),
                "one transaction per oracle at {fault:?}"
            );
        }
        // every device's two receipts, from both oracles' halves
        assert_eq!(ls.oracles[0].store.receipt_count(epoch).unwrap(), 8);
        assert_eq!(ls.oracles[1].store.receipt_count(epoch).unwrap(), 8);
    }
    // the run refuses an epoch that still takes receipts
    let open = w.net.unix_time().unwrap();
    let current = 20 + faults.len() as u64;
    let e = run_epoch(&ls.oracles[0], &t, &keys[0], &http, current, None).unwrap_err();
    assert!(
        format!("{e:#}").contains("still takes receipts"),
        "{e:#} at {open}"
    );
    // a device receipt for a closed epoch is refused even though the store is open
    let (device, _) = &devices[0];
    let late = batch(&w.network, device, 20, &[(5, 1)]);
    let out = ls.oracles[0]
        .ingest(&submission(&w.network, vec![late]), InsertMode::Device)
        .unwrap();
    assert_eq!(
        out.rejected[0].reason,
        depin::oracle::ingest::RejectReason::EpochClosed
    );

    // the epochs finalise, and an owner's node claims with the tree an oracle serves
    w.net
        .advance_time(i64::from(depin_tests::rewards::CHALLENGE_S))
        .unwrap();
    let v = depin::verifier::Verifier::new(&w.net);
    for epoch in 20..current {
        v.finalize_report(&w.operator, &w.network, epoch).unwrap();
        rw.em()
            .finalize_epoch(&w.operator, &w.network, epoch)
            .unwrap();
    }
    let payer = dir.path().join("payer.json");
    depin::config::write_keypair(&w.operator, &payer).unwrap();
    let (device, node) = &devices[1];
    let claimed = depin_tests::run_cli_on(
        &w.net,
        &[
            "--keypair",
            payer.to_str().unwrap(),
            "rewards",
            "claim",
            &w.network.to_string(),
            &device.pubkey().to_string(),
            "--oracle",
            &ls.url(1),
        ],
    )
    .unwrap();
    let file: EpochRewardsFile = http
        .get_json(&format!("{}/v1/rewards/{}", ls.url(0), current - 1))
        .unwrap();
    let owed = file.node(node).unwrap().cumulative_amount;
    assert!(owed > 0);
    assert_eq!(
        depin::emissions::claim_record(&w.net, node)
            .unwrap()
            .unwrap()
            .claimed,
        owed
    );
    assert!(claimed.to_string().contains(&node.to_string()), "{claimed}");
    // the proof route names the same amount
    let p: serde_json::Value = http
        .get_json(&format!("{}/v1/proofs/{node}", ls.url(0)))
        .unwrap();
    assert_eq!(p["node"]["cumulative_amount"], owed);
    assert_eq!(p["epoch"], current - 1);
}

#[test]
fn the_serve_loop_runs_each_closed_epoch_once() {
    use depin::oracle::epoch::run_due_epochs;
    let c = Chain::new(1);
    let (w, device, keys, ls) = (&c.rw.w, &c.devices[0].0, &c.keys, &c.ls);
    let t = Counting::new(&w.net);
    ls.refresh(&w.net).unwrap();
    post(
        &ls.http,
        &ls.url(0),
        &submission(&w.network, vec![batch(&w.network, device, 20, &[(0, 9)])]),
    );
    // epoch 20 is still open: nothing to run
    for (o, k) in ls.oracles.iter().zip(keys.iter()) {
        assert!(run_due_epochs(o, &t, k, &ls.http).unwrap().is_empty());
    }
    w.net.advance_time(i64::from(EPOCH_S_FOR_REWARDS)).unwrap();
    let first: Vec<_> = ls
        .oracles
        .iter()
        .zip(keys.iter())
        .map(|(o, k)| run_due_epochs(o, &t, k, &ls.http).unwrap())
        .collect();
    assert_eq!(
        first[0]
            .iter()
            .map(|r| (r.epoch, r.action.as_str()))
            .collect::<Vec<_>>(),
        [(20, "submitted")]
    );
    assert_eq!(
        first[1]
            .iter()
            .map(|r| (r.epoch, r.action.as_str()))
            .collect::<Vec<_>>(),
        [(20, "approved")]
    );
    assert_eq!(first[0][0].root, first[1][0].root);
    // the next poll finds nothing new and sends nothing
    for (o, k) in ls.oracles.iter().zip(keys.iter()) {
        assert!(run_due_epochs(o, &t, k, &ls.http).unwrap().is_empty());
    }
    let sent = t.sent.lock().unwrap();
    assert_eq!(
        (sent.get(&keys[0].pubkey()), sent.get(&keys[1].pubkey())),
        (Some(&1), Some(&1))
    );
}
