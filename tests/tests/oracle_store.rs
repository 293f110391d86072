//! The oracle's checks and storage, on SQLite and on PostgreSQL: every bad receipt gets its
//! named reason and stores nothing; bad requests get a 4xx and store nothing.
use depin::oracle::ingest::{IngestOutcome, RejectReason as R};
use depin::oracle::receipts::{parse_key, PeerPage, Submission};
use depin::oracle::server::Running;
use depin::oracle::store::{EpochRun, InsertMode, Stage};
use depin_tests::oracle::*;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::sync::Arc;

fn reasons(o: &IngestOutcome) -> Vec<(Option<u64>, R)> {
    o.rejected.iter().map(|r| (r.seq, r.reason)).collect()
}

#[test]
fn every_bad_receipt_is_named_and_not_stored() {
    for backend in backends("ingest") {
        let dir = tempfile::tempdir().unwrap();
        let reg = test_registry("oracle-test", 2, 1, 1_000);
        let net = reg.network;
        let o = open_oracle(&net, dir.path(), &backend, |c| c.limits.grace_s = 300);
        o.set_registry(reg.snapshot.clone()).unwrap();
        let (d0, d1) = (&reg.active[0], &reg.active[1]);
        let e = CURRENT_EPOCH;
        let dev = |b| {
            o.ingest(&submission(&net, vec![b]), InsertMode::Device)
                .unwrap()
        };
        let held =
            |k: &Keypair, epoch, seq| o.store.receipt(&k.pubkey().to_bytes(), epoch, seq).unwrap();

        let ok = dev(batch(&net, d0, e, &[(1, 10), (2, 20)]));
        assert_eq!((ok.accepted, ok.rejected.len()), (2, 0), "{}", backend.name);

        // a forged signature: another key signed for d0
        let mut forged = batch(&net, d1, e, &[(3, 10)]);
        forged.device = d0.pubkey().to_bytes();
        let out = dev(forged);
        assert_eq!(reasons(&out), [(None, R::BadSignature)]);
        assert_eq!(held(d0, e, 3), None);
        // content changed after signing
        let mut altered = batch(&net, d0, e, &[(3, 10)]);
        altered.receipts[0].work_units = 999;
        assert_eq!(reasons(&dev(altered)), [(None, R::BadSignature)]);
        assert_eq!(held(d0, e, 3), None);

        // a device no node has, and a suspended node's
        let stranger = Keypair::new_from_array([0xee; 32]);
        assert_eq!(
            reasons(&dev(batch(&net, &stranger, e, &[(1, 1)]))),
            [(None, R::UnknownDevice)]
        );
        assert_eq!(held(&stranger, e, 1), None);
        let off = &reg.inactive[0];
        assert_eq!(
            reasons(&dev(batch(&net, off, e, &[(1, 1)]))),
            [(None, R::InactiveDevice)]
        );
        assert_eq!(held(off, e, 1), None);

        // an old epoch and a future one; the previous epoch is still in its grace period
        assert_eq!(
            reasons(&dev(batch(&net, d0, e - 2, &[(1, 1)]))),
            [(None, R::EpochClosed)]
        );
        assert_eq!(
            reasons(&dev(batch(&net, d0, e + 1, &[(1, 1)]))),
            [(None, R::EpochClosed)]
        );
        assert_eq!(held(d0, e - 2, 1), None);
        assert_eq!(held(d0, e + 1, 1), None);
        assert_eq!(
            dev(batch(&net, d0, e - 1, &[(1, 1)])).accepted,
            1,
            "within grace"
        );

        // more work than the capacity allows: that receipt only
        let out = dev(batch(&net, d0, e, &[(4, 1_001), (5, 1_000)]));
        assert_eq!(reasons(&out), [(Some(4), R::ImplausibleWork)]);
        assert_eq!(out.accepted, 1);
        assert_eq!((held(d0, e, 4), held(d0, e, 5)), (None, Some(1_000)));

        // replays: the same batch again, another batch reusing a seq, a seq twice in one
        let out = dev(batch(&net, d0, e, &[(1, 10), (2, 20)]));
        assert_eq!(reasons(&out), [(Some(1), R::Replay), (Some(2), R::Replay)]);
        let out = dev(batch(&net, d0, e, &[(1, 5), (6, 6)]));
        assert_eq!(
            (reasons(&out), out.accepted),
            (vec![(Some(1), R::Replay)], 1)
        );
        assert_eq!(
            held(d0, e, 1),
            Some(10),
            "a replay never changes what is stored"
        );
        let out = dev(batch(&net, d0, e, &[(7, 7), (7, 8)]));
        assert_eq!(
            (reasons(&out), out.accepted),
            (vec![(Some(7), R::Replay)], 1)
        );
        assert_eq!(held(d0, e, 7), Some(7));

        // a request with good and bad batches: each judged on its own
        let out = o
            .ingest(
                &submission(
                    &net,
                    vec![
                        batch(&net, &stranger, e, &[(9, 1)]),
                        batch(&net, d1, e, &[(1, 3)]),
                    ],
                ),
                InsertMode::Device,
            )
            .unwrap();
        assert_eq!((out.accepted, out.rejected[0].batch), (1, 0));

        // d0: 1, 2, 5, 6, 7; d1: 1
        assert_eq!(o.store.receipt_count(e).unwrap(), 6, "{}", backend.name);
        let work = o.store.work(e).unwrap();
        let w0 = work
            .iter()
            .find(|(d, _)| *d == d0.pubkey().to_bytes())
            .unwrap()
            .1;
        assert_eq!(w0, 10 + 20 + 1_000 + 6 + 7);

        // a peer's copy: a lower figure for a held receipt wins, a higher one does not
        let peer = |b| {
            o.ingest(&submission(&net, vec![b]), InsertMode::Peer)
                .unwrap()
        };
        assert_eq!(peer(batch(&net, d0, e, &[(2, 15)])).accepted, 1);
        assert_eq!(peer(batch(&net, d0, e, &[(2, 30)])).accepted, 0);
        assert!(peer(batch(&net, d0, e, &[(2, 30)])).rejected.is_empty());
        assert_eq!(held(d0, e, 2), Some(15));
        // peers' batches skip the epoch check but not the signature check
        let mut forged = batch(&net, d1, e - 5, &[(1, 1)]);
        forged.device = d0.pubkey().to_bytes();
        assert_eq!(reasons(&peer(forged)), [(None, R::BadSignature)]);
        assert_eq!(peer(batch(&net, d0, e - 5, &[(1, 1)])).accepted, 1);
        // a copy that would change nothing is passed over before its signature is checked
        // (even a forged one); a forged one that would lower a held receipt is refused
        let d0_key = d0.pubkey().to_bytes();
        let mut no_news = batch(&net, d1, e, &[(2, 15)]);
        no_news.device = d0_key;
        let out = peer(no_news);
        assert_eq!((out.accepted, out.rejected.len()), (0, 0));
        let mut lower = batch(&net, d1, e, &[(2, 1)]);
        lower.device = d0_key;
        assert_eq!(reasons(&peer(lower)), [(None, R::BadSignature)]);
        assert_eq!(held(d0, e, 2), Some(15));
        // one held receipt does not excuse the rest of the batch: a held one beside a new
        // one is verified and the new one stored
        let out = peer(batch(&net, d0, e, &[(2, 15), (8, 8)]));
        assert_eq!((out.accepted, held(d0, e, 8)), (1, Some(8)));
        let mut half_forged = batch(&net, d1, e, &[(2, 15), (9, 9)]);
        half_forged.device = d0_key;
        assert_eq!(reasons(&peer(half_forged)), [(None, R::BadSignature)]);
        assert_eq!(held(d0, e, 9), None);
        // what a pull compares against: every stored receipt of the devices asked for
        let h = o.store.held(e, &[d0_key]).unwrap();
        assert_eq!(h.len(), 6, "{}", backend.name);
        assert_eq!(
            (h.get(&(d0_key, 2)), h.get(&(d0_key, 5))),
            (Some(&15), Some(&1_000))
        );
        assert!(o.store.held(e, &[]).unwrap().is_empty());

        // batches page by id, whole and still verifiable
        let first = o.store.batches(e, 0, 2).unwrap();
        assert_eq!(first.len(), 2);
        let rest = o.store.batches(e, first[1].0, 100).unwrap();
        assert!(rest.iter().all(|(id, _)| *id > first[1].0));
        for (_, body) in first.iter().chain(&rest) {
            let b = depin::oracle::receipts::SignedBatch::from_bytes(body).unwrap();
            let ok = depin::oracle::receipts::verify_batches(&net.to_bytes(), &[b], 1);
            assert_eq!(ok, [true]);
        }

        // rejections are counted by reason
        let m = o.metrics.render();
        for (reason, n) in [
            ("bad_signature", 2),
            ("unknown_device", 2),
            ("inactive_device", 1),
            ("epoch_closed", 2),
            ("implausible_work", 1),
            ("replay", 4),
        ] {
            let line = format!("depin_oracle_receipts_rejected_total{{reason=\"{reason}\"}} {n}\n");
            assert!(m.contains(&line), "{} lacks {line}", backend.name);
        }

        // runs and the registry survive a reopen
        let run = EpochRun {
            epoch: e,
            stage: Some(Stage::Built),
            work: Some("{}".into()),
            rewards: Some("{\"x\":1}".into()),
            action: None,
            signature: None,
        };
        o.store.save_epoch_run(&run).unwrap();
        drop(o);
        let again = open_oracle(&net, dir.path(), &backend, |_| {});
        assert_eq!(again.store.epoch_run(e).unwrap(), Some(run.clone()));
        assert_eq!(again.store.latest_built_before(e + 1).unwrap(), Some(run));
        assert_eq!(again.store.latest_built_before(e).unwrap(), None);
        assert_eq!(
            again.store.load_registry().unwrap(),
            Some(reg.snapshot.clone())
        );
        let served = again.registry().unwrap();
        assert_eq!(served.clock, reg.snapshot.clock);
        assert_eq!(served.devices.len(), reg.snapshot.devices.len());
        for (device, entry) in &reg.snapshot.devices {
            let d = served.node_of(&parse_key(device).unwrap()).unwrap();
            assert_eq!(
                (
                    solana_pubkey::Pubkey::new_from_array(d.node).to_string(),
                    d.active,
                    d.max_work
                ),
                (entry.node.clone(), entry.active, entry.max_work)
            );
        }
        // a store holds one network
        let other = depin::pda::network("another").0;
        let mut c = depin::oracle::config::OracleConfig::local(&other.to_string(), dir.path());
        c.database_url = backend.database_url.clone();
        let e = depin::oracle::Oracle::open(c)
            .err()
            .expect("another network's store");
        assert!(format!("{e:#}").contains("belongs to network"), "{e:#}");
    }
}

fn post(
    http: &depin::oracle::http::Http,
    url: &str,
    ct: &str,
    body: Vec<u8>,
) -> (u16, serde_json::Value) {
    let r = http.post(&format!("{url}/v1/receipts"), ct, body).unwrap();
    (
        r.status,
        serde_json::from_str(&r.body).unwrap_or(serde_json::Value::Null),
    )
}

#[test]
fn bad_requests_get_4xx_and_store_nothing() {
    for backend in backends("http") {
        let dir = tempfile::tempdir().unwrap();
        let reg = test_registry("oracle-http", 2, 0, 1_000);
        let net = reg.network;
        let o = open_oracle(&net, dir.path(), &backend, |c| {
            c.limits.max_body_bytes = 4_096
        });
        o.set_registry(reg.snapshot.clone()).unwrap();
        let o = Arc::new(o);
        let server = Running::start(o.clone(), "127.0.0.1:0").unwrap();
        let url = server.url();
        let http = depin::oracle::http::Http::new(std::time::Duration::from_secs(10)).unwrap();
        let good = submission(
            &net,
            vec![batch(&net, &reg.active[0], CURRENT_EPOCH, &[(1, 5)])],
        );
        const JSON: &str = "application/json";
        const BIN: &str = "application/octet-stream";

        let (s, v) = post(&http, &url, JSON, b"{\"network\": 1".to_vec());
        assert_eq!(s, 400, "{v}");
        let (s, _) = post(
            &http,
            &url,
            JSON,
            b"{\"network\":\"x\",\"batches\":[],\"extra\":1}".to_vec(),
        );
        assert_eq!(s, 400);
        let mut cut = good.encode();
        cut.truncate(cut.len() - 3);
        let (s, v) = post(&http, &url, BIN, cut);
        assert_eq!(s, 400);
        assert!(v["error"].as_str().unwrap().contains("batch 0"), "{v}");
        let (s, _) = post(&http, &url, "text/plain", good.encode());
        assert_eq!(s, 415);
        let other = depin::pda::network("someone-else").0;
        let theirs = submission(
            &other,
            vec![batch(&other, &reg.active[0], CURRENT_EPOCH, &[(1, 5)])],
        );
        let (s, v) = post(&http, &url, BIN, theirs.encode());
        assert_eq!(s, 422);
        assert!(
            v["error"].as_str().unwrap().contains("this oracle serves"),
            "{v}"
        );
        let big: Vec<_> = (0..40u64).map(|i| (i, 1u64)).collect();
        let too_big = submission(
            &net,
            vec![batch(&net, &reg.active[0], CURRENT_EPOCH, &big); 8],
        );
        assert!(too_big.encode().len() > 4_096);
        let (s, _) = post(&http, &url, BIN, too_big.encode());
        assert_eq!(s, 413);
        assert_eq!(
            o.store.receipt_count(CURRENT_EPOCH).unwrap(),
            0,
            "{}",
            backend.name
        );

        // the same receipts as JSON and as binary: stored once
        let (s, v) = post(
            &http,
            &url,
            JSON,
            serde_json::to_vec(&good.to_json()).unwrap(),
        );
        assert_eq!((s, v["accepted"].as_u64()), (200, Some(1)), "{v}");
        let (s, v) = post(&http, &url, BIN, good.encode());
        assert_eq!(s, 200);
        assert_eq!(v["rejected"][0]["reason"], "replay");
        assert_eq!(o.store.receipt_count(CURRENT_EPOCH).unwrap(), 1);

        // peers page through the epoch
        let more: Vec<_> = (2..7u64)
            .map(|s| batch(&net, &reg.active[1], CURRENT_EPOCH, &[(s, 1)]))
            .collect();
        assert_eq!(
            post(&http, &url, BIN, submission(&net, more).encode()).0,
            200
        );
        let mut after = 0;
        let mut got = 0;
        loop {
            let page: PeerPage = http
                .get_json(&format!(
                    "{url}/v1/receipts?epoch={CURRENT_EPOCH}&after={after}&limit=2"
                ))
                .unwrap();
            assert!(page.batches.len() <= 2);
            got += page.batches.len();
            match page.next {
                Some(n) => after = n,
                None => break,
            }
        }
        assert_eq!(got, 6);
        let h: serde_json::Value = http.get_json(&format!("{url}/healthz")).unwrap();
        assert_eq!(
            (h["status"].as_str(), h["epoch"].as_u64()),
            (Some("ok"), Some(CURRENT_EPOCH))
        );
        let r = http
            .post(&format!("{url}/v1/proofs/x"), JSON, vec![])
            .unwrap();
        assert_eq!(r.status, 405);
        let missing = http.get_json::<serde_json::Value>(&format!("{url}/v1/rewards/latest"));
        let e = format!("{:#}", missing.unwrap_err());
        assert!(e.contains("404"), "{e}");
        server.stop().unwrap();
        let _ = Submission::decode_binary(&[]);
    }
}
