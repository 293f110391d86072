//! Helpers for the oracle service's tests: storage backends (SQLite always, PostgreSQL
//! when `DEPIN_TEST_POSTGRES_URL` names a server, which CI requires) and hand-made
//! registries.
use anchor_lang::prelude::Pubkey;
use depin::oracle::config::OracleConfig;
use depin::oracle::receipts::{Receipt, SignedBatch, Submission};
use depin::oracle::registry::{DeviceEntry, EpochClock, RegistrySnapshot};
use depin::oracle::Oracle;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::sync::atomic::{AtomicU32, Ordering};

/// A storage backend for a test: `None` is SQLite in the test's directory.
#[derive(Debug, Clone)]
pub struct Backend {
    pub name: &'static str,
    pub database_url: Option<String>,
}

static DATABASES: AtomicU32 = AtomicU32::new(0);

/// SQLite, and PostgreSQL in a database of its own for this test.
pub fn backends(tag: &str) -> Vec<Backend> {
    let mut v = vec![Backend {
        name: "sqlite",
        database_url: None,
    }];
    match std::env::var("DEPIN_TEST_POSTGRES_URL") {
        Ok(base) => {
            let db = format!(
                "depin_{tag}_{}_{}",
                std::process::id(),
                DATABASES.fetch_add(1, Ordering::Relaxed)
            );
            let mut c = postgres::Client::connect(&base, postgres::NoTls)
                .unwrap_or_else(|e| panic!("connecting to {base}: {e}"));
            c.batch_execute(&format!("CREATE DATABASE {db}"))
                .expect("creating a test database");
            let url = match base.rfind('/') {
                Some(i) if i > "postgres://".len() => format!("{}/{db}", &base[..i]),
                _ => format!("{base}/{db}"),
            };
            v.push(Backend {
                name: "postgres",
                database_url: Some(url),
            });
        }
        Err(_) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI runs the storage tests on PostgreSQL too: set DEPIN_TEST_POSTGRES_URL (scripts/test.sh starts a server)")
        }
        Err(_) => eprintln!("DEPIN_TEST_POSTGRES_URL not set: storage tests on SQLite only"),
    }
    v
}

pub const TEST_EPOCH_S: u32 = 3_600;

/// A network with `active` devices able to do `max_work` an epoch, and `inactive` ones;
/// its clock is 10 epochs past genesis on the wall clock.
pub struct TestRegistry {
    pub network: Pubkey,
    pub active: Vec<Keypair>,
    pub inactive: Vec<Keypair>,
    pub snapshot: RegistrySnapshot,
}

pub fn test_registry(name: &str, active: u8, inactive: u8, max_work: u64) -> TestRegistry {
    let network = depin::pda::network(name).0;
    let now = depin::oracle::registry::wall_now();
    let mk = |i: u8| Keypair::new_from_array([i.wrapping_add(1); 32]);
    let active: Vec<Keypair> = (0..active).map(mk).collect();
    let inactive: Vec<Keypair> = (0..inactive).map(|i| mk(100 + i)).collect();
    let mut devices = std::collections::BTreeMap::new();
    for (k, on) in active
        .iter()
        .map(|k| (k, true))
        .chain(inactive.iter().map(|k| (k, false)))
    {
        devices.insert(
            k.pubkey().to_string(),
            DeviceEntry {
                node: depin::pda::node(&network, &k.pubkey()).0.to_string(),
                active: on,
                max_work,
                capacity: None,
                location: 0,
            },
        );
    }
    TestRegistry {
        network,
        active,
        inactive,
        snapshot: RegistrySnapshot {
            network: network.to_string(),
            clock: EpochClock {
                genesis_ts: now - 10 * i64::from(TEST_EPOCH_S) - 60,
                epoch_length_s: TEST_EPOCH_S,
                chain_minus_wall_s: 0,
            },
            devices,
            refreshed_at: now,
        },
    }
}

/// The epoch [`test_registry`]'s clock is in.
pub const CURRENT_EPOCH: u64 = 10;

pub fn open_oracle(
    network: &Pubkey,
    dir: &std::path::Path,
    backend: &Backend,
    tune: impl FnOnce(&mut OracleConfig),
) -> Oracle {
    let mut c = OracleConfig::local(&network.to_string(), dir);
    c.database_url = backend.database_url.clone();
    tune(&mut c);
    Oracle::open(c).expect("open the oracle")
}

pub fn batch(
    network: &Pubkey,
    device: &Keypair,
    epoch: u64,
    receipts: &[(u64, u64)],
) -> SignedBatch {
    SignedBatch::sign(
        &network.to_bytes(),
        device,
        epoch,
        receipts
            .iter()
            .map(|(seq, work_units)| Receipt {
                seq: *seq,
                work_units: *work_units,
            })
            .collect(),
    )
    .expect("sign a batch")
}

pub fn submission(network: &Pubkey, batches: Vec<SignedBatch>) -> Submission {
    Submission {
        network: network.to_bytes(),
        batches,
    }
}
