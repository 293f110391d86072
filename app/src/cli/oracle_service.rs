//! `depin oracle`: the oracle service (serve, run-epoch) and its benchmark and load test.
use super::*;
use crate::oracle::config::OracleConfig;
use crate::oracle::{self, epoch, registry, Oracle};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[derive(Subcommand, Debug)]
pub enum OracleCmd {
    /// Take device receipts over HTTP; with `rpc` and `keypair` in the config, also refresh
    /// the registry and run each epoch once it closes.
    #[command(after_help = "Example:\n  depin oracle serve --config oracle.toml")]
    Serve {
        /// The oracle's TOML config (docs/oracle.md).
        #[arg(long)]
        config: PathBuf,
        /// Serve N synthetic devices instead of a network's nodes (load tests; no chain).
        #[arg(long)]
        synthetic_devices: Option<u64>,
    },
    /// Pull the peers' receipts of an epoch, build its rewards and attest them on chain
    /// (resumes a run that stopped; never sends twice).
    #[command(after_help = "Example:\n  depin oracle run-epoch --config oracle.toml --epoch 7")]
    RunEpoch {
        /// The oracle's TOML config (docs/oracle.md).
        #[arg(long)]
        config: PathBuf,
        /// The epoch, numbered by the oracle set's clock.
        #[arg(long)]
        epoch: u64,
    },
    /// Time verify + checks + store + aggregate + tree against one-by-one verification.
    #[command(after_help = "Example:\n  depin oracle bench --receipts 1000000 --output json")]
    Bench {
        /// Receipts in the benchmark.
        #[arg(long, default_value_t = 1_000_000)]
        receipts: u64,
        /// Receipts per device batch (one signature each).
        #[arg(long, default_value_t = 100)]
        batch: usize,
        /// Batches per HTTP request body.
        #[arg(long, default_value_t = 64)]
        batches_per_request: usize,
        /// Where the store goes (default: a temporary directory).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Post signed batches of synthetic devices to an oracle on loopback (`--url`).
    #[command(
        after_help = "Example:\n  depin --url http://127.0.0.1:8470 oracle load --clients 8 --receipts 200000"
    )]
    Load {
        /// Concurrent HTTP clients.
        #[arg(long, default_value_t = 8)]
        clients: usize,
        /// Receipts to post in all.
        #[arg(long, default_value_t = 100_000)]
        receipts: u64,
        /// Synthetic devices signing them (the oracle must know them as active nodes).
        #[arg(long, default_value_t = 1_000)]
        devices: u64,
        /// Receipts per device batch (one signature each).
        #[arg(long, default_value_t = 100)]
        batch: usize,
        /// Batches per HTTP request body.
        #[arg(long, default_value_t = 10)]
        batches_per_request: usize,
        /// Write every acknowledged receipt here (JSON lines: device, epoch, seq).
        #[arg(long)]
        acked: Option<PathBuf>,
    },
}

/// Logs to stderr; `DEPIN_LOG` (or `RUST_LOG`) sets the filter, `info` by default.
pub fn init_logs() {
    let filter = std::env::var("DEPIN_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .try_init();
}

fn transport_of(cfg: &OracleConfig) -> Result<Option<Box<dyn Transport + Send + Sync>>> {
    match cfg.rpc.as_deref() {
        None | Some("none") => Ok(None),
        Some(u) => match config::resolve_url(u)? {
            Cluster::Embedded => bail!(
                "rpc = \"embedded\" needs a network in the same process (`depin demo` runs \
                 three oracles that way); give an RPC URL or `none`"
            ),
            Cluster::Rpc(u) => Ok(Some(Box::new(RpcTransport::new(&u)))),
        },
    }
}

fn oracle_keypair(cfg: &OracleConfig) -> Result<Option<Keypair>> {
    cfg.keypair.as_deref().map(config::read_keypair).transpose()
}

pub fn run(cli: &Cli, c: &OracleCmd) -> Result<Value> {
    match c {
        OracleCmd::Serve {
            config,
            synthetic_devices,
        } => serve(&OracleConfig::load(config)?, *synthetic_devices),
        OracleCmd::RunEpoch { config, epoch } => {
            init_logs();
            let cfg = OracleConfig::load(config)?;
            let t = transport_of(&cfg)?.context("run-epoch needs `rpc` in the config")?;
            let key = oracle_keypair(&cfg)?.context("run-epoch needs `keypair` in the config")?;
            let http = oracle::http::Http::new(Duration::from_millis(cfg.limits.peer_timeout_ms))?;
            let o = Oracle::open(cfg)?;
            let r = epoch::run_epoch(&o, t.as_ref(), &key, &http, *epoch, None)?;
            Ok(serde_json::to_value(r)?)
        }
        OracleCmd::Bench {
            receipts,
            batch,
            batches_per_request,
            dir,
        } => {
            let tmp = tempfile::tempdir().context("creating a temporary directory")?;
            let dir = dir.clone().unwrap_or_else(|| tmp.path().to_path_buf());
            let r = oracle::bench::bench(*receipts, *batch, *batches_per_request, &dir)?;
            Ok(serde_json::to_value(r)?)
        }
        OracleCmd::Load {
            clients,
            receipts,
            devices,
            batch,
            batches_per_request,
            acked,
        } => {
            let url = cli
                .url
                .clone()
                .context("give the oracle's loopback URL with --url http://127.0.0.1:PORT")?;
            let plan = oracle::load::LoadPlan {
                url,
                clients: *clients,
                receipts: *receipts,
                devices: *devices,
                receipts_per_batch: *batch,
                batches_per_request: *batches_per_request,
            };
            let (report, ids) = oracle::load::run(&plan)?;
            if let Some(path) = acked {
                let mut text = String::new();
                for (d, e, s) in ids {
                    text.push_str(&format!(
                        "{{\"device\":\"{}\",\"epoch\":{e},\"seq\":{s}}}\n",
                        bs58::encode(d).into_string()
                    ));
                }
                std::fs::write(path, text)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            Ok(serde_json::to_value(report)?)
        }
    }
}

fn serve(cfg: &OracleConfig, synthetic: Option<u64>) -> Result<Value> {
    init_logs();
    let t = transport_of(cfg)?;
    let key = oracle_keypair(cfg)?;
    let mut o = Oracle::open(cfg.clone())?;
    o.threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if let Some(n) = synthetic {
        ensure_synthetic(&o, t.is_some())?;
        o.set_registry(registry::synthetic(n, 3_600, i64::MAX as u64))?;
    }
    if let Some(t) = &t {
        if let Err(e) = o.refresh(t.as_ref()) {
            if o.registry().is_none() {
                return Err(e);
            }
            tracing::warn!(error = %format!("{e:#}"), "registry refresh failed; serving the stored one");
        }
    }
    let o = Arc::new(o);
    let stop = Arc::new(AtomicBool::new(false));
    let worker = match (t, key) {
        (Some(t), Some(key)) => Some(spawn_epoch_loop(o.clone(), t, key, stop.clone())?),
        (Some(_), None) => {
            tracing::warn!("no `keypair` in the config: receipts only, no epoch runs");
            None
        }
        _ => None,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the server's runtime")?;
    let listener = rt
        .block_on(tokio::net::TcpListener::bind(&cfg.listen))
        .with_context(|| format!("binding {}", cfg.listen))?;
    let addr = listener.local_addr()?;
    eprintln!("depin oracle: listening on http://{addr}");
    tracing::info!(%addr, store = %o.store.describe(), network = %o.network, "serving");
    rt.block_on(oracle::server::serve(
        o.clone(),
        listener,
        shutdown_signal(),
    ))?;
    stop.store(true, Ordering::Relaxed);
    if let Some(w) = worker {
        let _ = w.join();
    }
    tracing::info!("stopped");
    Ok(json!({ "stopped": true, "receipts_accepted": o.metrics.accepted() }))
}

fn ensure_synthetic(o: &Oracle, has_rpc: bool) -> Result<()> {
    if has_rpc {
        bail!("--synthetic-devices serves no real network: set rpc = \"none\"");
    }
    if o.network != registry::synthetic_network() {
        bail!(
            "--synthetic-devices needs network = \"synthetic\" in the config (not {})",
            o.network
        );
    }
    Ok(())
}

pub(super) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}

/// Refreshes the registry and runs every closed, unattested epoch from the schedule's next.
fn spawn_epoch_loop(
    o: Arc<Oracle>,
    t: Box<dyn Transport + Send + Sync>,
    key: Keypair,
    stop: Arc<AtomicBool>,
) -> Result<std::thread::JoinHandle<()>> {
    let http = oracle::http::Http::new(Duration::from_millis(o.config.limits.peer_timeout_ms))?;
    std::thread::Builder::new()
        .name("epochs".into())
        .spawn(move || {
            let tick = Duration::from_millis(500);
            let refresh = Duration::from_secs(o.config.limits.registry_refresh_s.max(1));
            let poll = Duration::from_secs(o.config.limits.epoch_poll_s.max(1));
            let (mut last_refresh, mut last_poll) = (std::time::Instant::now(), None);
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(tick);
                if last_refresh.elapsed() >= refresh {
                    if let Err(e) = o.refresh(t.as_ref()) {
                        tracing::warn!(error = %format!("{e:#}"), "registry refresh failed");
                    }
                    last_refresh = std::time::Instant::now();
                }
                if last_poll.is_some_and(|p: std::time::Instant| p.elapsed() < poll) {
                    continue;
                }
                last_poll = Some(std::time::Instant::now());
                if let Err(e) = oracle::proofs::open_current_challenges(&o, t.as_ref(), &key) {
                    tracing::warn!(error = %format!("{e:#}"), "opening the epoch's challenges");
                }
                if let Err(e) = epoch::run_due_epochs(&o, t.as_ref(), &key, &http) {
                    tracing::warn!(error = %format!("{e:#}"), "epoch run");
                }
            }
        })
        .context("starting the epoch loop")
}
