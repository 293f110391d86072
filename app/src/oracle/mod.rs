//! The oracle service: device receipts in over HTTP, checked and stored durably; at each
//! epoch's end the other oracles' receipts pulled, work aggregated, the rewards tree built
//! and persisted, and the report submitted or approved on chain exactly once.
//! See docs/oracle.md.
pub mod bench;
pub mod config;
pub mod epoch;
pub mod http;
pub mod ingest;
pub mod load;
pub mod local;
pub mod metrics;
pub mod proofs;
pub mod receipts;
pub mod registry;
pub mod server;
pub mod store;

use anchor_lang::prelude::Pubkey;
use anyhow::{Context, Result};
use config::OracleConfig;
use ingest::{Checks, IngestOutcome};
use receipts::Submission;
use registry::{Registry, RegistrySnapshot};
use std::sync::{Arc, RwLock};
use store::{InsertMode, Store};

/// One oracle: its configuration, store, registry view and metrics. Shared by the HTTP
/// server (behind an `Arc`) and the epoch loop.
pub struct Oracle {
    pub config: OracleConfig,
    pub network: Pubkey,
    pub store: Box<dyn Store>,
    registry: RwLock<Option<Arc<Registry>>>,
    /// A compressed network's tree, rebuilt from its transactions (crate::indexer).
    indexer: std::sync::Mutex<Option<crate::indexer::Indexer>>,
    pub metrics: metrics::Metrics,
    /// Threads for signature checks in one request.
    pub threads: usize,
}

impl Oracle {
    /// Opens the store; the registry comes from the store until the first refresh.
    pub fn open(config: OracleConfig) -> Result<Self> {
        let network = crate::cli::network_address(&config.network)?;
        let store = store::open(config.database_url.as_deref(), &config.data_dir)?;
        let registry = match store.load_registry()? {
            Some(s) if s.network == network.to_string() => {
                Some(Arc::new(Registry::from_snapshot(&s)?))
            }
            Some(s) => anyhow::bail!(
                "the store at {} belongs to network {}, not {network}",
                store.describe(),
                s.network
            ),
            None => None,
        };
        Ok(Oracle {
            config,
            network,
            store,
            registry: RwLock::new(registry),
            indexer: Default::default(),
            metrics: Default::default(),
            threads: 1,
        })
    }

    pub fn registry(&self) -> Option<Arc<Registry>> {
        self.registry.read().ok().and_then(|r| r.clone())
    }

    /// Stores `snapshot` and serves from it.
    pub fn set_registry(&self, snapshot: RegistrySnapshot) -> Result<()> {
        anyhow::ensure!(
            snapshot.network == self.network.to_string(),
            "a registry of network {} for an oracle of {}",
            snapshot.network,
            self.network
        );
        self.store.save_registry(&snapshot)?;
        let r = Arc::new(Registry::from_snapshot(&snapshot)?);
        if let Ok(mut g) = self.registry.write() {
            *g = Some(r);
        }
        Ok(())
    }

    /// Reloads the registry from chain.
    pub fn refresh(&self, t: &dyn crate::transport::Transport) -> Result<()> {
        let snap = {
            let mut indexer = self
                .indexer
                .lock()
                .map_err(|_| anyhow::anyhow!("the registry's indexer was poisoned by a panic"))?;
            registry::load_with(
                t,
                &self.network,
                &self.config.work,
                &mut indexer,
                Some(self.store.as_ref()),
            )
            .context("refreshing the registry from chain")?
        };
        tracing::debug!(devices = snap.devices.len(), "registry refreshed");
        self.set_registry(snap)
    }

    fn require_registry(&self) -> Result<Arc<Registry>> {
        self.registry().context(
            "no registry yet: the oracle has not read the network's nodes (set `rpc`, or let \
             an oracle with RPC fill the shared store)",
        )
    }

    /// The checks and storage of one device request.
    pub fn ingest(&self, sub: &Submission, mode: InsertMode) -> Result<IngestOutcome> {
        let reg = self.require_registry()?;
        let checks = Checks {
            registry: &reg,
            now: reg.clock.chain_now(),
            grace_s: self.config.limits.grace_s,
            threads: self.threads,
        };
        let out = ingest::ingest(self.store.as_ref(), &checks, sub, mode)?;
        if mode == InsertMode::Device {
            self.metrics.record(&out);
        }
        Ok(out)
    }

    /// The current epoch by the registry's clock.
    pub fn current_epoch(&self) -> Option<u64> {
        self.registry()
            .map(|r| r.clock.epoch_at(r.clock.chain_now()))
    }
}
