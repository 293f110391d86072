//! The oracle's TOML configuration (see docs/oracle.md for every key).
use super::registry::WorkLimits;
use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OracleConfig {
    /// The network, by name or address.
    pub network: String,
    #[serde(default = "default_listen")]
    pub listen: String,
    /// SQLite lives here (`oracle.sqlite`), with rewards files under `epochs/`.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// `postgres://user:password@host:port/db` to share one store between replicas.
    #[serde(default)]
    pub database_url: Option<String>,
    /// RPC URL or moniker; `none` for an ingest-only replica that uses the registry another
    /// oracle keeps in the shared store.
    #[serde(default)]
    pub rpc: Option<String>,
    /// This oracle's keypair (a member of the network's oracle set); needed to attest.
    #[serde(default)]
    pub keypair: Option<PathBuf>,
    /// Other oracles' base URLs, pulled at each epoch's end.
    #[serde(default)]
    pub peers: Vec<String>,
    #[serde(default)]
    pub limits: Limits,
    /// Plausibility bounds: work units per unit of capacity per epoch.
    #[serde(default)]
    pub work: WorkLimits,
    /// Sector proofs (docs/sector-proofs.md): which modules judge them, and their settings.
    #[serde(default)]
    pub sectors: SectorsConfig,
}

/// `[sectors]`: the sector modules this oracle runs (none by default: receipts only).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SectorsConfig {
    /// Any of `coverage`, `storage`, `compute`, `sensor`.
    pub modules: Vec<String>,
    /// Open each epoch's challenges when it begins (and nobody else has).
    pub open_challenges: bool,
    /// Chunks each storage node answers per epoch.
    pub storage_challenges: u32,
    pub storage_units_per_gib: u64,
    /// Matrix side of the compute challenge, and the time allowed from the seed.
    pub compute_n: u32,
    pub compute_deadline_ms: i64,
    pub compute_units_per_gpu_tflop: u64,
    /// Witnesses that count per beacon; closest and farthest plausible witness.
    pub coverage_max_witnesses: usize,
    pub coverage_min_distance_m: u64,
    pub coverage_max_distance_m: u64,
    /// Neighbours of a sensor reading: sensors within this many H3 steps.
    pub sensor_neighbour_ring: u32,
    pub sensor_units_per_reading: u64,
}

impl Default for SectorsConfig {
    fn default() -> Self {
        let storage = crate::sectors::StorageModule::default();
        let compute = crate::sectors::ComputeModule::default();
        let rules = depin_core::sectors::coverage::WitnessRules::default();
        SectorsConfig {
            modules: vec![],
            open_challenges: true,
            storage_challenges: storage.challenges,
            storage_units_per_gib: storage.units_per_gib,
            compute_n: compute.n,
            compute_deadline_ms: compute.deadline_ms,
            compute_units_per_gpu_tflop: compute.units_per_gpu_tflop,
            coverage_max_witnesses: rules.max_witnesses,
            coverage_min_distance_m: rules.min_distance_m,
            coverage_max_distance_m: rules.max_distance_m,
            sensor_neighbour_ring: 3,
            sensor_units_per_reading: 1,
        }
    }
}

impl SectorsConfig {
    /// Every sector module, as configured.
    pub const ALL: [&'static str; 4] = ["coverage", "storage", "compute", "sensor"];

    /// The configured modules for `epoch` (the sensor module reads the epoch's bounds).
    pub fn modules(
        &self,
        clock: &super::registry::EpochClock,
        epoch: u64,
    ) -> Result<Vec<Box<dyn crate::sectors::SectorModule>>> {
        use crate::sectors::*;
        self.modules
            .iter()
            .map(|m| -> Result<Box<dyn SectorModule>> {
                Ok(match m.as_str() {
                    "coverage" => {
                        let mut c = CoverageModule::default();
                        c.rules.max_witnesses = self.coverage_max_witnesses;
                        c.rules.min_distance_m = self.coverage_min_distance_m;
                        c.rules.max_distance_m = self.coverage_max_distance_m;
                        Box::new(c)
                    }
                    "storage" => Box::new(StorageModule {
                        challenges: self.storage_challenges,
                        units_per_gib: self.storage_units_per_gib,
                    }),
                    "compute" => Box::new(ComputeModule {
                        n: self.compute_n,
                        deadline_ms: self.compute_deadline_ms,
                        units_per_gpu_tflop: self.compute_units_per_gpu_tflop,
                        ..ComputeModule::default()
                    }),
                    "sensor" => Box::new(SensorModule {
                        rules: Default::default(),
                        neighbour_ring: self.sensor_neighbour_ring,
                        epoch_start: clock.start_of(epoch),
                        epoch_length_s: i64::from(clock.epoch_length_s),
                        units_per_reading: self.sensor_units_per_reading,
                    }),
                    other => anyhow::bail!(
                        "unknown sector module `{other}` (one of {})",
                        Self::ALL.join(", ")
                    ),
                })
            })
            .collect()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    pub max_body_bytes: usize,
    pub request_timeout_ms: u64,
    /// The previous epoch keeps taking receipts this long after it ended.
    pub grace_s: u32,
    pub registry_refresh_s: u64,
    pub epoch_poll_s: u64,
    /// Batches per page of `GET /v1/receipts`.
    pub peer_page: u32,
    pub peer_timeout_ms: u64,
    /// Peers that must answer an epoch's pull (default: all). Fewer lets the others go on
    /// while one is down; a root that then differs is refused on chain and retried.
    pub min_peers: Option<usize>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 4 << 20,
            request_timeout_ms: 10_000,
            grace_s: 300,
            registry_refresh_s: 60,
            epoch_poll_s: 30,
            peer_page: 1_000,
            peer_timeout_ms: 30_000,
            min_peers: None,
        }
    }
}

fn default_listen() -> String {
    "127.0.0.1:8470".into()
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("oracle-data")
}

impl OracleConfig {
    /// Reads `path`; relative paths in it are taken from the file's directory.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the oracle config {}", path.display()))?;
        let mut c: OracleConfig = toml::from_str(&text)
            .with_context(|| format!("parsing the oracle config {}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        c.data_dir = base.join(&c.data_dir);
        c.keypair = c.keypair.map(|k| base.join(k));
        super::proofs::check_config(&c.sectors)
            .with_context(|| format!("[sectors] in {}", path.display()))?;
        Ok(c)
    }

    /// A config for tests and the demo: loopback, `data_dir`, no RPC, no peers.
    pub fn local(network: &str, data_dir: &Path) -> Self {
        OracleConfig {
            network: network.into(),
            listen: "127.0.0.1:0".into(),
            data_dir: data_dir.to_path_buf(),
            database_url: None,
            rpc: None,
            keypair: None,
            peers: vec![],
            limits: Limits::default(),
            work: WorkLimits::default(),
            sectors: SectorsConfig::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_with_defaults_and_refuses_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("oracle.toml");
        std::fs::write(
            &p,
            "network = \"demo\"\npeers = [\"http://127.0.0.1:1\"]\n[limits]\ngrace_s = 5\n",
        )
        .unwrap();
        let c = OracleConfig::load(&p).unwrap();
        assert_eq!(c.limits.grace_s, 5);
        assert_eq!(c.limits.max_body_bytes, 4 << 20);
        assert_eq!(c.data_dir, dir.path().join("oracle-data"));
        std::fs::write(&p, "network = \"demo\"\nlisten_on = \"x\"\n").unwrap();
        let e = format!("{:#}", OracleConfig::load(&p).unwrap_err());
        assert!(e.contains("listen_on"), "{e}");
    }
}
