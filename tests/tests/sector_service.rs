//! Sector proofs through the oracle service (issue 14): devices of all four classes take
//! part with the `depin device` commands, post to two oracle services over HTTP, the
//! oracles share what they got, judge it at the epoch's end against the on-chain seed, and
//! the units land in the epoch's rewards, the same root on both. Forged proofs are counted
//! by reason and earn nothing.
use anchor_lang::prelude::Pubkey;
use depin::oracle::http::Http;
use depin::oracle::local::LocalOracles;
use depin::oracle::proofs::{ProofIngestOutcome, ProofSubmission};
use depin::rewards::EpochRewardsFile;
use depin::sectors::{self, ComputeAnswer};
use depin_core::sectors::{compute, Sector};
use depin_core::sha256::Soft;
use depin_tests::rewards::{schedule_args, RewardsWorld};
use depin_tests::*;
use node_registry::state::Capacity;
use serde_json::Value;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

const EPOCH: u64 = 20;
const HOTSPOT: Capacity = Capacity::Hotspot {
    radios: 1,
    antenna_gain_dbi_x10: 30,
    elevation_m: 10,
};
const SENSOR: Capacity = Capacity::Sensor {
    channels: 1,
    sample_interval_s: 60,
};

fn cell(lat: f64, lng: f64, res: h3o::Resolution) -> u64 {
    u64::from(h3o::LatLng::new(lat, lng).unwrap().to_cell(res))
}

fn key_file(dir: &Path, name: &str, k: &Keypair) -> String {
    let p = dir.join(format!("{name}.json"));
    depin::config::write_keypair(k, &p).unwrap();
    p.display().to_string()
}

struct Node {
    device: Keypair,
    node: Pubkey,
    file: String,
}

struct Net {
    rw: RewardsWorld,
    owner: Owner,
    /// The owner's keypair file, for `--keypair`.
    owner_file: String,
    dir: tempfile::TempDir,
    ls: LocalOracles,
}

impl Net {
    fn new() -> Self {
        let mut args = schedule_args();
        args.first_epoch = EPOCH;
        let rw = RewardsWorld::new(depin::tokens::TOKEN_PROGRAM, args);
        let owner = rw.w.owner(100 * (ONBOARDING_FEE + LOCATION_FEE));
        let dir = tempfile::tempdir().unwrap();
        let keys = [
            rw.oracles[0].insecure_clone(),
            rw.oracles[1].insecure_clone(),
        ];
        let ls = LocalOracles::start(&rw.w.network, &keys, dir.path(), |c| {
            c.limits.grace_s = 0;
            c.sectors.modules = vec![
                "coverage".into(),
                "storage".into(),
                "compute".into(),
                "sensor".into(),
            ];
            c.sectors.compute_n = 16;
            // the test's sensors are a few hundred metres apart
            c.sectors.sensor_neighbour_ring = 10;
        })
        .unwrap();
        let owner_file = key_file(dir.path(), "owner", &owner.keypair);
        Net {
            rw,
            owner,
            owner_file,
            dir,
            ls,
        }
    }

    /// `depin --keypair <owner> device storage-commit test-net --device <node> --data <path>`.
    fn commit_storage(&self, store: &Node, data: &str) -> Value {
        let device = store.device.pubkey().to_string();
        self.cli(&[
            "--keypair",
            &self.owner_file,
            "device",
            "storage-commit",
            "test-net",
            "--device",
            &device,
            "--data",
            data,
        ])
        .unwrap()
    }

    fn node(&self, name: &str, capacity: Capacity, location: Option<u64>) -> Node {
        let w = &self.rw.w;
        let (device, node) = w.register_capacity(&self.owner, capacity);
        if let Some(cell) = location {
            w.reg()
                .assert_location(&self.owner.keypair, &w.network, &node, cell)
                .unwrap();
        }
        let file = key_file(self.dir.path(), name, &device);
        Node { device, node, file }
    }

    fn cli(&self, args: &[&str]) -> Result<Value, String> {
        run_cli(&self.rw.w, args)
    }

    /// `depin device <cmd> test-net --device-keypair <node> <args> --oracle <oracle i>`.
    fn device(&self, cmd: &str, n: &Node, oracle: usize, args: &[&str]) -> Value {
        let url = self.ls.url(oracle);
        let mut argv = vec!["device", cmd, "test-net", "--device-keypair", &n.file];
        argv.extend_from_slice(args);
        argv.extend_from_slice(&["--oracle", &url]);
        self.cli(&argv)
            .unwrap_or_else(|e| panic!("device {cmd}: {e}"))
    }

    fn post(&self, oracle: usize, body: &impl serde::Serialize) -> ProofIngestOutcome {
        let http = Http::new(Duration::from_secs(10)).unwrap();
        let r = http
            .post(
                &format!("{}/v1/sector-proofs", self.ls.url(oracle)),
                "application/json",
                serde_json::to_vec(body).unwrap(),
            )
            .unwrap();
        assert_eq!(r.status, 200, "{}", r.body);
        serde_json::from_str(&r.body).unwrap()
    }
}

fn posted(v: &Value) -> ProofIngestOutcome {
    serde_json::from_value(v["posted"].clone()).unwrap()
}

#[test]
fn four_sectors_from_device_commands_to_the_epochs_rewards() {
    let net = Net::new();
    let w = &net.rw.w;
    let res = h3o::Resolution::Twelve;
    // hotspots in San Francisco: b 2 km east of a, c 20 m from a
    let a = net.node("a", HOTSPOT, Some(cell(37.7749, -122.4194, res)));
    let b = net.node("b", HOTSPOT, Some(cell(37.7749, -122.3967, res)));
    let c = net.node("c", HOTSPOT, Some(cell(37.7750, -122.4192, res)));
    // a storage node with 16 KiB, a GPU node, five sensors about 100 m apart
    let store = net.node("store", Capacity::Storage { bytes: 1 << 30 }, None);
    let gpu = net.node("gpu", TEST_CAPACITY, None);
    let sensors: Vec<Node> = (0..5)
        .map(|i| {
            let at = cell(37.78 + 0.001 * f64::from(i), -122.41, h3o::Resolution::Ten);
            net.node(&format!("sensor{i}"), SENSOR, Some(at))
        })
        .collect();
    let data: Vec<u8> = (0..16 * 1024u32).map(|i| (i * 31 % 253) as u8).collect();
    let data_file = net.dir.path().join("store.bin");
    std::fs::write(&data_file, &data).unwrap();
    let data_path = data_file.display().to_string();
    let owner_file = net.owner_file.clone();
    net.ls.refresh(&w.net).unwrap();

    // nothing can be proven before the epoch's seed exists
    let early = net.cli(&["device", "beacon", "test-net", "--device-keypair", &a.file]);
    assert!(early.unwrap_err().contains("not open yet"));

    // the owner commits the node's data before the seed
    let committed = net.commit_storage(&store, &data_path);
    assert_eq!(committed["depth"], 6);
    w.net.advance_slot().unwrap();
    assert!(net.ls.open_challenges(&w.net, EPOCH).unwrap().is_some());
    assert_eq!(net.ls.open_challenges(&w.net, EPOCH).unwrap(), None, "once");

    // coverage: b hears a plausibly, c (20 m away) too close; a claims to hear b louder
    // than free space allows
    let beacon = net.cli(&["device", "beacon", "test-net", "--device-keypair", &a.file]);
    let payload = beacon.unwrap()["payload"].as_str().unwrap().to_string();
    let heard = |who: &Node, beaconer: &Node, payload: &str, rssi: &str, oracle: usize| {
        net.device(
            "witness",
            who,
            oracle,
            &[
                "--beaconer",
                &beaconer.device.pubkey().to_string(),
                "--payload",
                payload,
                "--rssi-centi-dbm",
                rssi,
                "--snr-centi-db",
                "500",
            ],
        )
    };
    assert_eq!(posted(&heard(&b, &a, &payload, "-9500", 0)).accepted, 1);
    heard(&c, &a, &payload, "-4000", 1);
    let b_payload = net
        .cli(&["device", "beacon", "test-net", "--device-keypair", &b.file])
        .unwrap()["payload"]
        .as_str()
        .unwrap()
        .to_string();
    heard(&a, &b, &b_payload, "-2000", 0);
    // a replay is stored once
    let again = heard(&b, &a, &payload, "-9500", 1);
    assert_eq!((posted(&again).accepted, posted(&again).duplicates), (1, 0));
    let again = heard(&b, &a, &payload, "-9500", 0);
    assert_eq!((posted(&again).accepted, posted(&again).duplicates), (0, 1));

    // storage: an honest answer (and one challenge proven on chain), and an answer from
    // other data than committed
    let honest = net.device(
        "storage-proof",
        &store,
        1,
        &[
            "--data",
            &data_path,
            "--chunk-bytes",
            "256",
            "--on-chain",
            "2",
            "--keypair",
            &owner_file,
        ],
    );
    assert!(honest["on_chain"]["signature"].is_string(), "{honest}");
    // compute: the honest product, and a product with one wrong entry
    let ok = net.device("compute-proof", &gpu, 0, &["--n", "16"]);
    assert_eq!(posted(&ok).accepted, 1);

    // sensors: four agree, one reads far off
    for (i, s) in sensors.iter().enumerate() {
        let value = if i == 4 {
            "9000"
        } else {
            ["2150", "2148", "2153", "2151"][i]
        };
        assert_eq!(
            posted(&net.device("reading", s, i % 2, &["--value", value])).accepted,
            1
        );
    }

    // refused at once: a forged signature, an unknown device
    let network = w.network.to_bytes();
    let seed = depin::verifier::challenges(&w.net, &w.network, EPOCH)
        .unwrap()
        .unwrap()
        .seed;
    let stranger = Keypair::new();
    let (ma, mb) = compute::challenge_matrices::<Soft>(&seed, &stranger.pubkey().to_bytes(), 16);
    let product = compute::multiply(&ma, &mb, 16);
    let sig = sectors::sign_answer(
        &stranger,
        &network,
        EPOCH,
        Sector::Compute,
        &ComputeAnswer::body_hash(16, &product),
    );
    let unknown = ProofSubmission::compute(
        EPOCH,
        &ComputeAnswer {
            device: stranger.pubkey().to_bytes(),
            n: 16,
            product: product.clone(),
            received_ms: 0,
            signature: sig,
        },
    );
    let forged_sig = ProofSubmission::compute(
        EPOCH,
        &ComputeAnswer {
            device: gpu.device.pubkey().to_bytes(),
            n: 16,
            product,
            received_ms: 0,
            signature: sig,
        },
    );
    let out = net.post(0, &vec![unknown, forged_sig]);
    assert_eq!(out.accepted, 0);
    assert_eq!(
        out.rejected,
        BTreeMap::from([("bad_signature".into(), 1), ("unknown_device".into(), 1)])
    );

    // the epoch ends; both oracles pull each other's proofs and reach one root
    w.net.advance_time(i64::from(EPOCH_S_FOR_REWARDS)).unwrap();
    let results = net.ls.run_epoch(&w.net, EPOCH).unwrap();
    assert_eq!(results[0].root, results[1].root);
    assert_eq!(
        results
            .iter()
            .map(|r| r.action.as_str())
            .collect::<Vec<_>>(),
        ["submitted", "approved"]
    );
    let s = results[0].sectors.clone().expect("the sector judgement");
    assert_eq!(
        s,
        results[1].sectors.clone().unwrap(),
        "both judged the same"
    );
    assert_eq!(s["seeded"], true);
    let m = &s["modules"];
    assert_eq!(m["coverage"]["accepted"], 2, "{m}");
    assert_eq!(m["coverage"]["rejected"]["witness_too_close"], 1, "{m}");
    assert_eq!(
        m["coverage"]["rejected"]["signal_stronger_than_physics"], 1,
        "{m}"
    );
    assert_eq!(m["storage"]["accepted"], 1, "{m}");
    assert_eq!(m["compute"]["accepted"], 1, "{m}");
    assert_eq!(m["sensor"]["accepted"], 4, "{m}");
    assert_eq!(m["sensor"]["rejected"]["outlier_reading"], 1, "{m}");

    // the units are the rewards' work: b witnessed (5), a beaconed (10), 1 GiB stored,
    // 8 GPUs × 989 TFLOPS × 10, a unit per agreeing reading
    let file: EpochRewardsFile = net
        .ls
        .http
        .get_json(&format!("{}/v1/rewards/{EPOCH}", net.ls.url(1)))
        .unwrap();
    let work: BTreeMap<Pubkey, u64> = file
        .nodes
        .iter()
        .map(|n| (n.node.parse().unwrap(), n.work_units))
        .collect();
    assert_eq!(work.get(&a.node), Some(&10));
    assert_eq!(work.get(&b.node), Some(&5));
    assert_eq!(work.get(&c.node), None);
    assert_eq!(work.get(&store.node), Some(&1_000));
    assert_eq!(work.get(&gpu.node), Some(&(8 * 989 * 10)));
    for s in &sensors[..4] {
        assert_eq!(work.get(&s.node), Some(&1));
    }
    assert_eq!(work.get(&sensors[4].node), None);
}

#[test]
fn forged_storage_and_compute_answers_earn_nothing() {
    let net = Net::new();
    let w = &net.rw.w;
    let store = net.node("store", Capacity::Storage { bytes: 1 << 30 }, None);
    let gpu = net.node("gpu", TEST_CAPACITY, None);
    let honest_gpu = net.node("gpu2", TEST_CAPACITY, None);
    let data: Vec<u8> = (0..8 * 1024u32).map(|i| (i % 241) as u8).collect();
    let committed_file = net.dir.path().join("committed.bin");
    std::fs::write(&committed_file, &data).unwrap();
    let kept: Vec<u8> = data.iter().map(|x| x ^ 1).collect();
    let kept_file = net.dir.path().join("kept.bin");
    std::fs::write(&kept_file, &kept).unwrap();
    let owner_file = net.owner_file.clone();
    net.commit_storage(&store, &committed_file.display().to_string());
    w.net.advance_slot().unwrap();
    net.ls.refresh(&w.net).unwrap();
    net.ls.open_challenges(&w.net, EPOCH).unwrap();

    // the node kept other bytes than it committed: its paths do not reach the root, and
    // the on-chain check refuses them too
    let kept_path = kept_file.display().to_string();
    let on_chain = net.cli(&[
        "--keypair",
        &owner_file,
        "device",
        "storage-proof",
        "test-net",
        "--device-keypair",
        &store.file,
        "--data",
        &kept_path,
        "--on-chain",
        "0",
    ]);
    assert!(
        on_chain.unwrap_err().contains("WrongChunkPath"),
        "the program refuses the path"
    );
    net.device("storage-proof", &store, 0, &["--data", &kept_path]);

    // a product with one wrong entry
    let seed = depin::verifier::challenges(&w.net, &w.network, EPOCH)
        .unwrap()
        .unwrap()
        .seed;
    let (ma, mb) = compute::challenge_matrices::<Soft>(&seed, &gpu.device.pubkey().to_bytes(), 16);
    let mut product = compute::multiply(&ma, &mb, 16);
    product[37] = product[37].wrapping_add(1) % ((1 << 61) - 1);
    let sig = sectors::sign_answer(
        &gpu.device,
        &w.network.to_bytes(),
        EPOCH,
        Sector::Compute,
        &ComputeAnswer::body_hash(16, &product),
    );
    let wrong = ProofSubmission::compute(
        EPOCH,
        &ComputeAnswer {
            device: gpu.device.pubkey().to_bytes(),
            n: 16,
            product,
            received_ms: 0,
            signature: sig,
        },
    );
    assert_eq!(
        net.post(1, &wrong).accepted,
        1,
        "well signed: judged at the end"
    );
    net.device("compute-proof", &honest_gpu, 0, &["--n", "16"]);

    w.net.advance_time(i64::from(EPOCH_S_FOR_REWARDS)).unwrap();
    let results = net.ls.run_epoch(&w.net, EPOCH).unwrap();
    // the run read the cluster's clock: a proof for the epoch now over is refused at once
    let late = net.post(0, &wrong);
    assert_eq!(late.rejected.get("epoch_closed"), Some(&1));
    assert_eq!(results[0].root, results[1].root);
    let m = &results[0].sectors.as_ref().unwrap()["modules"];
    assert_eq!(m["storage"]["accepted"], 0, "{m}");
    assert_eq!(m["storage"]["rejected"]["wrong_chunk_path"], 1, "{m}");
    assert_eq!(m["compute"]["accepted"], 1, "{m}");
    assert_eq!(m["compute"]["rejected"]["wrong_matrix_product"], 1, "{m}");
    assert_eq!(
        results[0].total_work,
        8 * 989 * 10,
        "only the honest GPU earned: forged proofs earn nothing"
    );
}
