//! The oracle's sector modules (issue 14): honest proofs of each kind earn their units by
//! rule, and each forged kind is refused by name: a witness too close, a signal stronger
//! than physics allows, a self or duplicate witness, a witness over the cap, a wrong chunk
//! or path, a wrong matrix product, a late answer, an outlier reading, bad signatures.
use depin::sectors::*;
use depin_core::sectors::{self, compute, coverage, storage, Sector};
use depin_core::sha256::Soft;
use node_registry::state::Capacity;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::collections::HashMap;

const NETWORK: [u8; 32] = [7u8; 32];
const EPOCH: u64 = 12;
const SEED: [u8; 32] = [42u8; 32];

fn cell(lat: f64, lon: f64) -> u64 {
    depin::cli::cell_at(lat, lon, 12).unwrap()
}

/// A point `metres` north of (lat, lon).
fn north(lat: f64, lon: f64, metres: f64) -> (f64, f64) {
    (lat + metres / 111_195.0, lon)
}

fn hotspot(location: u64) -> SectorDevice {
    SectorDevice {
        active: true,
        capacity: Capacity::Hotspot {
            radios: 1,
            antenna_gain_dbi_x10: 30,
            elevation_m: 10,
        },
        location,
    }
}

struct Fixture {
    devices: HashMap<[u8; 32], SectorDevice>,
    commitments: HashMap<[u8; 32], StorageCommitment>,
}

impl Fixture {
    fn ctx(&self) -> EpochContext<'_> {
        EpochContext {
            network: NETWORK,
            epoch: EPOCH,
            seed: SEED,
            seed_time_ms: 1_000_000,
            devices: &self.devices,
            commitments: &self.commitments,
        }
    }
}

fn payload_of(beaconer: &[u8; 32]) -> [u8; 32] {
    let c = sectors::device_challenge::<Soft>(&SEED, beaconer, Sector::Coverage, 0);
    coverage::beacon_payload::<Soft>(&c)
}

#[test]
fn coverage_counts_only_what_physics_allows() {
    let (lat, lon) = (37.7749, -122.4194);
    let beaconer = Keypair::new();
    let far = Keypair::new(); // 1 km
    let near = Keypair::new(); // 50 m: too close
    let loud = Keypair::new(); // 1 km, louder than free space allows
    let stranger = Keypair::new(); // not registered
    let forger = Keypair::new(); // 1 km, its report changed after signing
    let mut devices = HashMap::new();
    devices.insert(beaconer.pubkey().to_bytes(), hotspot(cell(lat, lon)));
    let (a, b) = north(lat, lon, 1_000.0);
    devices.insert(far.pubkey().to_bytes(), hotspot(cell(a, b)));
    devices.insert(loud.pubkey().to_bytes(), hotspot(cell(a, b)));
    devices.insert(forger.pubkey().to_bytes(), hotspot(cell(a, b)));
    let (a, b) = north(lat, lon, 50.0);
    devices.insert(near.pubkey().to_bytes(), hotspot(cell(a, b)));
    let f = Fixture {
        devices,
        commitments: HashMap::new(),
    };
    let bk = beaconer.pubkey().to_bytes();
    let payload = payload_of(&bk);
    let heard = |rssi| coverage::Heard {
        payload,
        rssi_centi_dbm: rssi,
        snr_centi_db: 500,
    };
    let w = |k: &Keypair, h| WitnessReport::sign(k, &NETWORK, EPOCH, &bk, h);
    let mut forged_sig = w(&forger, heard(-9_000));
    forged_sig.heard.rssi_centi_dbm = -8_000; // changed after signing
    let report = BeaconReport {
        beaconer: bk,
        witnesses: vec![
            w(&far, heard(-9_000)),
            w(&far, heard(-9_100)),      // the same witness again
            w(&near, heard(-6_000)),     // 50 m away
            w(&loud, heard(-4_000)),     // −40 dBm at 1 km: above 27 + 3 + 3 − 91.7 dBm
            w(&beaconer, heard(-9_000)), // itself
            w(&stranger, heard(-9_000)), // not a registered hotspot
            forged_sig,
            w(
                &loud,
                coverage::Heard {
                    payload: [0u8; 32],
                    ..heard(-9_000)
                },
            ),
        ],
    };
    let m = CoverageModule::default();
    let j = m.judge(&f.ctx(), &[Submission::Beacon(report.clone())]);
    assert_eq!(j.rejected.get("witness_too_close"), Some(&1), "{j:?}");
    assert_eq!(
        j.rejected.get("signal_stronger_than_physics"),
        Some(&1),
        "{j:?}"
    );
    assert_eq!(j.rejected.get("duplicate_witness"), Some(&2), "{j:?}");
    assert_eq!(j.rejected.get("self_witness"), Some(&1), "{j:?}");
    assert_eq!(j.rejected.get("bad_witness_signature"), Some(&1), "{j:?}");
    assert_eq!(j.rejected.get("witness_not_active"), Some(&1), "{j:?}");
    // one witness counts: it earns 5, the beaconer 10
    assert_eq!(j.work.get(&far.pubkey().to_string()), Some(&5));
    assert_eq!(j.work.get(&beaconer.pubkey().to_string()), Some(&10));
    assert_eq!(j.accepted, 2);

    // a second beacon by the same hotspot in the epoch earns nothing more
    let j = m.judge(
        &f.ctx(),
        &[
            Submission::Beacon(report.clone()),
            Submission::Beacon(report),
        ],
    );
    assert_eq!(j.rejected.get("duplicate_beacon"), Some(&1));

    // the witness cap keeps the strongest
    let capped = CoverageModule {
        rules: coverage::WitnessRules {
            max_witnesses: 1,
            ..Default::default()
        },
        ..Default::default()
    };
    let two = BeaconReport {
        beaconer: bk,
        witnesses: vec![w(&far, heard(-9_000)), w(&loud, heard(-8_000))],
    };
    let j = capped.judge(&f.ctx(), &[Submission::Beacon(two)]);
    assert_eq!(j.rejected.get("over_witness_cap"), Some(&1));
    assert_eq!(j.work.get(&loud.pubkey().to_string()), Some(&5));
    assert!(!j.work.contains_key(&far.pubkey().to_string()));
}

fn storage_fixture() -> (Keypair, Vec<u8>, storage::StorageTree, Fixture) {
    let node = Keypair::new();
    let data: Vec<u8> = (0..256 * 1024u32).map(|i| (i % 253) as u8).collect();
    let tree = storage::StorageTree::new::<Soft>(&data, 4_096).unwrap();
    let mut devices = HashMap::new();
    devices.insert(
        node.pubkey().to_bytes(),
        SectorDevice {
            active: true,
            capacity: Capacity::Storage { bytes: 4 << 30 },
            location: 0,
        },
    );
    let mut commitments = HashMap::new();
    commitments.insert(
        node.pubkey().to_bytes(),
        StorageCommitment {
            root: tree.root(),
            size_bytes: data.len() as u64,
            chunk_bytes: 4_096,
        },
    );
    (
        node,
        data,
        tree,
        Fixture {
            devices,
            commitments,
        },
    )
}

fn storage_answer(
    node: &Keypair,
    data: &[u8],
    tree: &storage::StorageTree,
    seed: &[u8; 32],
    tamper: impl Fn(&mut Vec<(u64, Vec<u8>, Vec<[u8; 32]>)>),
) -> Submission {
    let chunks = storage::chunk_count(data.len() as u64, 4_096);
    let mut answers: Vec<_> = (0..4)
        .map(|i| {
            let idx = storage::challenged_chunk::<Soft>(seed, &node.pubkey().to_bytes(), chunks, i);
            let start = idx as usize * 4_096;
            (
                idx,
                data[start..start + 4_096].to_vec(),
                tree.proof(idx).unwrap(),
            )
        })
        .collect();
    tamper(&mut answers);
    let body = StorageAnswer::body_hash(&answers);
    Submission::Storage(StorageAnswer {
        device: node.pubkey().to_bytes(),
        signature: sign_answer(node, &NETWORK, EPOCH, Sector::Storage, &body),
        chunks: answers,
    })
}

#[test]
fn storage_answers_prove_the_challenged_chunks() {
    let (node, data, tree, f) = storage_fixture();
    let m = StorageModule::default();
    let ok = storage_answer(&node, &data, &tree, &SEED, |_| {});
    let j = m.judge(&f.ctx(), &[ok]);
    assert_eq!(j.accepted, 1, "{j:?}");
    // 256 KiB committed: one GiB's worth at least
    assert_eq!(j.work.get(&node.pubkey().to_string()), Some(&1_000));

    let cases: Vec<(&str, Submission)> = vec![
        (
            "wrong_chunk_path",
            storage_answer(&node, &data, &tree, &SEED, |a| a[1].1[7] ^= 1),
        ),
        (
            "wrong_chunk_path",
            storage_answer(&node, &data, &tree, &SEED, |a| a[2].2[0][0] ^= 1),
        ),
        (
            "wrong_chunk",
            // answers prepared for another seed (before the real one existed)
            storage_answer(&node, &data, &tree, &[1u8; 32], |_| {}),
        ),
        (
            "missing_chunk",
            storage_answer(&node, &data, &tree, &SEED, |a| {
                a.pop();
            }),
        ),
    ];
    for (want, s) in cases {
        let j = m.judge(&f.ctx(), &[s]);
        assert_eq!(j.accepted, 0, "{want}: {j:?}");
        assert_eq!(j.rejected.get(want), Some(&1), "{want}: {j:?}");
    }
    // a signature over other answers, and a node without a commitment
    let Submission::Storage(mut a) = storage_answer(&node, &data, &tree, &SEED, |_| {}) else {
        unreachable!()
    };
    a.chunks[0].1[0] ^= 1;
    let j = m.judge(&f.ctx(), &[Submission::Storage(a)]);
    assert_eq!(j.rejected.get("bad_answer_signature"), Some(&1));
    let stranger = Keypair::new();
    let j = m.judge(
        &f.ctx(),
        &[storage_answer(&stranger, &data, &tree, &SEED, |_| {})],
    );
    assert_eq!(j.rejected.get("device_not_active"), Some(&1));
}

fn compute_answer(
    key: &Keypair,
    n: u32,
    received_ms: i64,
    tamper: impl Fn(&mut Vec<u64>),
) -> Submission {
    let (a, b) = compute::challenge_matrices::<Soft>(&SEED, &key.pubkey().to_bytes(), n as usize);
    let mut c = compute::multiply(&a, &b, n as usize);
    tamper(&mut c);
    let body = ComputeAnswer::body_hash(n, &c);
    Submission::Compute(ComputeAnswer {
        device: key.pubkey().to_bytes(),
        n,
        product: c,
        received_ms,
        signature: sign_answer(key, &NETWORK, EPOCH, Sector::Compute, &body),
    })
}

#[test]
fn compute_answers_are_checked_cheaply_and_timed() {
    let gpu = Keypair::new();
    let mut devices = HashMap::new();
    devices.insert(
        gpu.pubkey().to_bytes(),
        SectorDevice {
            active: true,
            capacity: Capacity::Gpu {
                gpus: 2,
                vram_gib: 80,
                fp16_tflops: 989,
            },
            location: 0,
        },
    );
    let f = Fixture {
        devices,
        commitments: HashMap::new(),
    };
    let m = ComputeModule {
        n: 32,
        ..Default::default()
    };
    let t0 = f.ctx().seed_time_ms;
    let j = m.judge(&f.ctx(), &[compute_answer(&gpu, 32, t0 + 5_000, |_| {})]);
    assert_eq!(
        j.work.get(&gpu.pubkey().to_string()),
        Some(&(2 * 989 * 10)),
        "{j:?}"
    );
    for (want, s) in [
        (
            "wrong_matrix_product",
            compute_answer(&gpu, 32, t0 + 5_000, |c| c[17] = compute::add_mod(c[17], 1)),
        ),
        ("late_answer", compute_answer(&gpu, 32, t0 + 60_001, |_| {})),
        (
            "wrong_matrix_size",
            compute_answer(&gpu, 16, t0 + 5_000, |_| {}),
        ),
    ] {
        let j = m.judge(&f.ctx(), &[s]);
        assert_eq!(j.rejected.get(want), Some(&1), "{want}: {j:?}");
        assert_eq!(j.accepted, 0);
    }
}

#[test]
fn sensor_readings_must_agree_with_their_neighbours() {
    let (lat, lon) = (51.5007, -0.1246);
    let sensors: Vec<Keypair> = (0..6).map(|_| Keypair::new()).collect();
    let mut devices = HashMap::new();
    let cells: Vec<u64> = (0..6)
        .map(|i| {
            let (a, b) = north(lat, lon, 30.0 * i as f64);
            depin::cli::cell_at(a, b, 11).unwrap()
        })
        .collect();
    for (k, c) in sensors.iter().zip(&cells) {
        devices.insert(
            k.pubkey().to_bytes(),
            SectorDevice {
                active: true,
                capacity: Capacity::Sensor {
                    channels: 1,
                    sample_interval_s: 60,
                },
                location: *c,
            },
        );
    }
    let f = Fixture {
        devices,
        commitments: HashMap::new(),
    };
    let m = SensorModule {
        rules: Default::default(),
        neighbour_ring: 3,
        epoch_start: 10_000,
        epoch_length_s: 3_600,
        units_per_reading: 3,
    };
    let reading = |k: &Keypair, value: i64, time: i64, cell: u64| {
        let body = SensorReading::body_hash(value, time, cell);
        Submission::Reading(SensorReading {
            device: k.pubkey().to_bytes(),
            value,
            time,
            cell,
            signature: sign_answer(k, &NETWORK, EPOCH, Sector::Sensor, &body),
        })
    };
    // five agree around 20.00 °C (hundredths), one reads 35.00
    let values = [2_010, 1_995, 2_003, 2_020, 1_990, 3_500];
    let subs: Vec<Submission> = sensors
        .iter()
        .zip(values)
        .zip(&cells)
        .map(|((k, v), c)| reading(k, v, 10_100, *c))
        .collect();
    let j = m.judge(&f.ctx(), &subs);
    assert_eq!(j.accepted, 5, "{j:?}");
    assert_eq!(j.rejected.get("outlier_reading"), Some(&1));
    assert!(!j.work.contains_key(&sensors[5].pubkey().to_string()));
    // outside the epoch, outside its cell, alone
    let j = m.judge(&f.ctx(), &[reading(&sensors[0], 2_000, 9_999, cells[0])]);
    assert_eq!(j.rejected.get("stale_reading"), Some(&1));
    let j = m.judge(&f.ctx(), &[reading(&sensors[0], 2_000, 10_100, cells[3])]);
    assert_eq!(j.rejected.get("reading_outside_cell"), Some(&1));
    let j = m.judge(&f.ctx(), &[reading(&sensors[0], 2_000, 10_100, cells[0])]);
    assert_eq!(j.rejected.get("too_few_neighbours"), Some(&1));
}
