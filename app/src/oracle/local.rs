//! Several oracle services in one process, each with its own store and HTTP server on
//! loopback, peers of each other: what the demo and the tests run.
use super::config::OracleConfig;
use super::epoch::{run_epoch, EpochResult, FaultPoint};
use super::http::Http;
use super::server::Running;
use super::Oracle;
use crate::transport::Transport;
use anchor_lang::prelude::Pubkey;
use anyhow::{Context, Result};
use solana_keypair::Keypair;
use std::path::Path;
use std::sync::Arc;
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
            let o = Arc::new(Oracle::open(c)?);
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

    /// Each oracle in turn runs `epoch` to attestation.
    pub fn run_epoch(&self, t: &dyn Transport, epoch: u64) -> Result<Vec<EpochResult>> {
        self.oracles
            .iter()
            .zip(&self.keys)
            .enumerate()
            .map(|(i, (o, k))| {
                run_epoch(o, t, k, &self.http, epoch, None::<FaultPoint>)
                    .with_context(|| format!("oracle {i}, epoch {epoch}"))
            })
            .collect()
    }

    /// Receipts the oracles acknowledged from devices, and refused.
    pub fn totals(&self) -> (u64, u64) {
        let accepted = self.oracles.iter().map(|o| o.metrics.accepted()).sum();
        let rejected = self.oracles.iter().map(|o| o.metrics.rejected()).sum();
        (accepted, rejected)
    }
}
