//! `depin index`: the compressed registry's indexer (crate::indexer) from the command line.
use super::*;
use crate::indexer::{server, Indexer};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

#[derive(Args, Debug)]
#[command(after_help = "Examples:
  depin --url localhost index --network my-net --once --output json
  depin --url localhost index --network my-net --data-dir indexer --listen 127.0.0.1:8480
  depin --url localhost --indexer http://127.0.0.1:8480 node show --network my-net <DEVICE_KEY>")]
pub struct IndexArgs {
    /// The compressed network: name or address.
    #[arg(long)]
    pub network: String,
    /// Sync once, print the tree's root, sequence number and counts, and exit.
    #[arg(long)]
    pub once: bool,
    /// Serve leaves and proofs over HTTP at this address (without --once).
    #[arg(long, default_value = "127.0.0.1:8480")]
    pub listen: String,
    /// Keep the tree's events in SQLite here (oracle.sqlite, shared with an oracle's store),
    /// so a restart replays them instead of reading the whole history again.
    #[arg(long, conflicts_with = "database_url")]
    pub data_dir: Option<PathBuf>,
    /// Keep the events in PostgreSQL instead (postgres://…).
    #[arg(long)]
    pub database_url: Option<String>,
    /// Seconds between syncs while serving.
    #[arg(long, default_value_t = 2)]
    pub poll_s: u64,
}

impl Ctx<'_> {
    pub(super) fn index(&self, args: &IndexArgs) -> Result<Value> {
        let network = self.existing_network(&args.network)?;
        let store = match (&args.data_dir, &args.database_url) {
            (None, None) => None,
            (dir, url) => Some(crate::oracle::store::open(
                url.as_deref(),
                dir.as_deref().unwrap_or(std::path::Path::new(".")),
            )?),
        };
        let store = store.as_deref();
        let mut ix = Indexer::open(self.t(), &network)?;
        let replayed = match store {
            Some(s) => ix.load(s).context("replaying the stored events")?,
            None => 0,
        };
        let report = ix.sync(self.t(), store)?;
        let summary = merged(
            ix.summary(),
            json!({ "replayed_from_store": replayed, "sync": report, "root_matches_account": true }),
        );
        if args.once {
            return Ok(summary);
        }
        let shared: server::Shared = Arc::new(RwLock::new(ix));
        let stop = AtomicBool::new(false);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .context("starting the indexer's HTTP runtime")?;
        let listener = rt
            .block_on(tokio::net::TcpListener::bind(&args.listen))
            .with_context(|| format!("binding {}", args.listen))?;
        let addr = listener.local_addr()?;
        eprintln!(
            "depin index: serving tree {} on http://{addr}",
            summary["tree"]
        );
        let t = self.t();
        let poll = Duration::from_secs(args.poll_s.max(1));
        std::thread::scope(|scope| -> Result<()> {
            scope.spawn(|| {
                let mut last = std::time::Instant::now();
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(200));
                    if last.elapsed() < poll {
                        continue;
                    }
                    last = std::time::Instant::now();
                    let r = match shared.write() {
                        Ok(mut ix) => ix.sync(t, store),
                        Err(_) => break,
                    };
                    if let Err(e) = r {
                        eprintln!("depin index: sync failed (retrying): {e:#}");
                    }
                }
            });
            let served = rt.block_on(async {
                axum::serve(listener, server::router(shared.clone()))
                    .with_graceful_shutdown(oracle_service::shutdown_signal())
                    .await
            });
            stop.store(true, Ordering::Relaxed);
            served.map_err(|e| anyhow::anyhow!("the indexer's HTTP server: {e}"))
        })?;
        let ix = shared
            .read()
            .map_err(|_| anyhow::anyhow!("the indexer was poisoned by a panic"))?;
        Ok(merged(ix.summary(), json!({ "stopped": true })))
    }
}
