//! Several oracle services in one process, each with its own store and HTTP server on
//! loopback, peers of each other: what the demo and the tests run.
use super::config::OracleConfig;
use super::epoch::{build_epoch, run_epoch, EpochResult, FaultPoint};
use super::http::Http;
use super::server::Running;
use super::Oracle;
use crate::transport::Transport;
use anchor_lang::prelude::Pubkey;
use anyhow::{Context, Result};
use solana_keypair::Keypair;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct LocalOracles {
    pub oracles: Vec<Arc<Oracle>>,
    pub servers: Vec<Running>,
    pub keys: Vec<Keypair>,
    pub http: Http,
}

impl LocalOracles {
    /// One service per key under `dir/oracle-<i>`; `tune` adjusts each config.
    pub fn start(
        network: &Pubkey,
        keys: &[Keypair],
        dir: &Path,
        tune: impl Fn(&mut OracleConfig),
    ) -> Result<Self> {
        let listeners = keys
            .iter()
            .map(|_| std::net::TcpListener::bind("127.0.0.1:0").context("binding a loopback port"))
            .collect::<Result<Vec<_>>>()?;
        let urls: Vec<String> = listeners
            .iter()
            .map(|l| Ok(format!("http://{}", l.local_addr()?)))
            .collect::<Result<_>>()?;
        let mut oracles = vec![];
        let mut servers = vec![];
        for (i, l) in listeners.into_iter().enumerate() {
            let mut c = OracleConfig::local(&network.to_string(), &dir.join(format!("oracle-{i}")));
            c.peers = urls
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, u)| u.clone())
                .collect();
            tune(&mut c);
            let mut o = Oracle::open(c)?;
            // signatures on every core, as `depin oracle serve` checks them
            o.threads = std::thread::available_parallelism().map_or(1, |n| n.get());
            let o = Arc::new(o);
            servers.push(Running::start_on(o.clone(), l)?);
            oracles.push(o);
        }
        Ok(LocalOracles {
            oracles,
            servers,
            keys: keys.iter().map(|k| k.insecure_clone()).collect(),
            http: Http::new(Duration::from_secs(30))?,
        })
    }

    pub fn url(&self, i: usize) -> String {
        self.servers[i].url()
    }

    /// Every oracle reads the registry from chain.
    pub fn refresh(&self, t: &dyn Transport) -> Result<()> {
        for o in &self.oracles {
            o.refresh(t)?;
        }
        Ok(())
    }

    /// Runs `epoch` to attestation: every oracle pulls, aggregates and builds at once (as
    /// separate machines would), then they attest in turn, so the first submits and the
    /// others approve.
    pub fn run_epoch(&self, t: &dyn Transport, epoch: u64) -> Result<Vec<EpochResult>> {
        // as many at once as there are cores: more only adds memory
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(self.oracles.len());
        let next = std::sync::atomic::AtomicUsize::new(0);
        let built: Vec<Mutex<Option<Result<u64>>>> =
            self.oracles.iter().map(|_| Mutex::new(None)).collect();
        std::thread::scope(|s| {
            for _ in 0..workers {
                s.spawn(|| {
                    // a client of its own: each oracle is its own process elsewhere
                    let http = Http::new(Duration::from_secs(30));
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(o) = self.oracles.get(i) else { break };
                        let r = match &http {
                            Ok(http) => build_epoch(o, t, http, epoch),
                            Err(e) => Err(anyhow::anyhow!("{e:#}")),
                        };
                        *built[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(r);
                    }
                });
            }
        });
        let pulled = built
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                r.into_inner()
                    .unwrap_or_else(|p| p.into_inner())
                    .unwrap_or_else(|| Err(anyhow::anyhow!("the build stopped early")))
                    .with_context(|| format!("oracle {i}, epoch {epoch}"))
            })
            .collect::<Result<Vec<u64>>>()?;
        self.oracles
            .iter()
            .zip(&self.keys)
            .zip(pulled)
            .enumerate()
            .map(|(i, ((o, k), pulled))| {
                let mut r = run_epoch(o, t, k, &self.http, epoch, None::<FaultPoint>)
                    .with_context(|| format!("oracle {i}, epoch {epoch}"))?;
                r.pulled_receipts = pulled;
                Ok(r)
            })
            .collect()
    }

    /// The first oracle opens `epoch`'s challenges (if the oracles run sector modules and
    /// nobody has yet).
    pub fn open_challenges(&self, t: &dyn Transport, epoch: u64) -> Result<Option<String>> {
        match (self.oracles.first(), self.keys.first()) {
            (Some(o), Some(k)) => super::proofs::open_challenges(o, t, k, epoch),
            _ => Ok(None),
        }
    }

    /// Receipts the oracles acknowledged from devices, and refused.
    pub fn totals(&self) -> (u64, u64) {
        let accepted = self.oracles.iter().map(|o| o.metrics.accepted()).sum();
        let rejected = self.oracles.iter().map(|o| o.metrics.rejected()).sum();
        (accepted, rejected)
    }
}
