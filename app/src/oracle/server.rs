//! The oracle's HTTP API (axum on tokio):
//!
//! | route | what |
//! |---|---|
//! | `POST /v1/receipts` | device batches, JSON or `application/octet-stream`; 200 = every accepted receipt is on disk |
//! | `GET /v1/receipts?epoch=N&after=ID&limit=L` | stored batches of an epoch, for peers |
//! | `GET /v1/proofs/{node}[?epoch=N]` | a node's cumulative amount and proof (latest built epoch by default) |
//! | `GET /v1/rewards/{epoch or latest}` | an epoch's whole rewards file |
//! | `POST /v1/sector-proofs` | signed sector proofs (one or an array; oracle/proofs.rs) |
//! | `GET /v1/sector-proofs?epoch=N&after=ID&limit=L` | stored sector proofs, for peers |
//! | `GET /healthz` | liveness, network, epoch, registry size |
//! | `GET /metrics` | Prometheus counters |
use super::receipts::{JsonSubmission, PeerBatch, PeerPage, Submission};
use super::store::InsertMode;
use super::Oracle;
use crate::rewards::EpochRewardsFile;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn error(status: StatusCode, message: impl std::fmt::Display) -> Response {
    (status, Json(json!({ "error": message.to_string() }))).into_response()
}

pub fn router(oracle: Arc<Oracle>) -> Router {
    let limit = oracle.config.limits.max_body_bytes;
    Router::new()
        .route("/v1/receipts", post(post_receipts).get(get_receipts))
        .route("/v1/proofs/{node}", get(get_proof))
        .route(
            "/v1/sector-proofs",
            post(post_sector_proofs).get(get_sector_proofs),
        )
        .route("/v1/rewards/{epoch}", get(get_rewards))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(oracle.clone(), timed))
        .with_state(oracle)
}

/// Serves until `shutdown` resolves, then finishes the requests in flight (their writes
/// included) before returning.
pub async fn serve(
    oracle: Arc<Oracle>,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    axum::serve(listener, router(oracle))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| anyhow::anyhow!("the oracle's HTTP server: {e}"))
}

async fn timed(State(o): State<Arc<Oracle>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let limit = Duration::from_millis(o.config.limits.request_timeout_ms);
    let r = match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => error(StatusCode::REQUEST_TIMEOUT, "the request took too long"),
    };
    o.metrics.request(started.elapsed());
    r
}

/// A malformed body or another network's receipts get a 4xx and store nothing.
fn parse_submission(o: &Oracle, headers: &HeaderMap, body: &[u8]) -> Result<Submission, Response> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json");
    let sub = if ct.starts_with("application/octet-stream") {
        Submission::decode_binary(body)
    } else if ct.starts_with("application/json") {
        serde_json::from_slice::<JsonSubmission>(body)
            .map_err(anyhow::Error::from)
            .and_then(JsonSubmission::parse)
    } else {
        return Err(error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("content type `{ct}`: send application/json or application/octet-stream"),
        ));
    }
    .map_err(|e| error(StatusCode::BAD_REQUEST, format!("{e:#}")))?;
    if sub.network != o.network.to_bytes() {
        return Err(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "receipts for network {}; this oracle serves {}",
                bs58::encode(sub.network).into_string(),
                o.network
            ),
        ));
    }
    Ok(sub)
}

/// Runs a store call on tokio's blocking pool: a store failure is a 503 (nothing
/// acknowledged), a panicked task a 500.
async fn blocking<T: Send + 'static>(
    o: &Arc<Oracle>,
    f: impl FnOnce(&Oracle) -> anyhow::Result<T> + Send + 'static,
) -> Result<T, Response> {
    let oracle = o.clone();
    match tokio::task::spawn_blocking(move || f(&oracle)).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => {
            tracing::warn!(error = %format!("{e:#}"), "store call failed");
            Err(error(StatusCode::SERVICE_UNAVAILABLE, format!("{e:#}")))
        }
        Err(e) => Err(error(StatusCode::INTERNAL_SERVER_ERROR, e)),
    }
}

async fn post_receipts(State(o): State<Arc<Oracle>>, headers: HeaderMap, body: Bytes) -> Response {
    let sub = match parse_submission(&o, &headers, &body) {
        Ok(s) => s,
        Err(r) => return r,
    };
    match blocking(&o, move |o| o.ingest(&sub, InsertMode::Device)).await {
        Ok(out) => {
            tracing::debug!(
                accepted = out.accepted,
                rejected = out.rejected.len(),
                "receipts"
            );
            (StatusCode::OK, Json(out)).into_response()
        }
        Err(r) => r,
    }
}

#[derive(Deserialize)]
struct PageQuery {
    epoch: u64,
    #[serde(default)]
    after: i64,
    limit: Option<u32>,
}

async fn get_receipts(State(o): State<Arc<Oracle>>, Query(q): Query<PageQuery>) -> Response {
    let page = o.config.limits.peer_page.max(1);
    let limit = q.limit.unwrap_or(page).clamp(1, page);
    match blocking(&o, move |o| o.store.batches(q.epoch, q.after, limit)).await {
        Ok(rows) => {
            let next = (rows.len() as u32 == limit)
                .then(|| rows.last().map(|r| r.0))
                .flatten();
            Json(PeerPage {
                network: o.network.to_string(),
                epoch: q.epoch,
                batches: rows.iter().map(|(id, b)| PeerBatch::new(*id, b)).collect(),
                next,
            })
            .into_response()
        }
        Err(r) => r,
    }
}

/// One proof or an array of them (docs/sector-proofs.md); a 400 for a malformed body.
async fn post_sector_proofs(State(o): State<Arc<Oracle>>, body: Bytes) -> Response {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        Many(Vec<super::proofs::ProofSubmission>),
        One(super::proofs::ProofSubmission),
    }
    let proofs = match serde_json::from_slice::<OneOrMany>(&body) {
        Ok(OneOrMany::Many(v)) => v,
        Ok(OneOrMany::One(p)) => vec![p],
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("not a sector proof or an array of them: {e}"),
            )
        }
    };
    match blocking(&o, move |o| {
        super::proofs::ingest(o, &proofs, super::proofs::From::Device)
    })
    .await
    {
        Ok(out) => (StatusCode::OK, Json(out)).into_response(),
        Err(r) => r,
    }
}

async fn get_sector_proofs(State(o): State<Arc<Oracle>>, Query(q): Query<PageQuery>) -> Response {
    let page = o.config.limits.peer_page.max(1);
    let limit = q.limit.unwrap_or(page).clamp(1, page);
    match blocking(&o, move |o| o.store.proofs(q.epoch, q.after, limit)).await {
        Ok(rows) => {
            let next = (rows.len() as u32 == limit)
                .then(|| rows.last().map(|r| r.0))
                .flatten();
            let mut proofs = Vec::with_capacity(rows.len());
            for (id, r) in rows {
                match serde_json::from_str(&r.body) {
                    Ok(proof) => proofs.push(super::proofs::PeerProof {
                        id,
                        received_ms: r.received_ms,
                        proof,
                    }),
                    Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, e),
                }
            }
            Json(super::proofs::ProofPage {
                network: o.network.to_string(),
                epoch: q.epoch,
                proofs,
                next,
            })
            .into_response()
        }
        Err(r) => r,
    }
}

/// The rewards file of `epoch` (`None`: the latest built); a 404 when there is none.
async fn rewards_file(o: &Arc<Oracle>, epoch: Option<u64>) -> Result<EpochRewardsFile, Response> {
    let file = blocking(o, move |o| {
        let run = match epoch {
            Some(e) => o.store.epoch_run(e)?,
            None => o.store.latest_built_before(u64::MAX)?,
        };
        run.and_then(|r| r.rewards)
            .map(|s| serde_json::from_str::<EpochRewardsFile>(&s).map_err(anyhow::Error::from))
            .transpose()
    })
    .await?;
    file.ok_or_else(|| error(StatusCode::NOT_FOUND, "no rewards built for that epoch yet"))
}

#[derive(Deserialize)]
struct EpochQuery {
    epoch: Option<u64>,
}

async fn get_proof(
    State(o): State<Arc<Oracle>>,
    Path(node): Path<String>,
    Query(q): Query<EpochQuery>,
) -> Response {
    let f = match rewards_file(&o, q.epoch).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    match f.nodes.iter().find(|n| n.node == node) {
        Some(n) => Json(json!({
            "network": f.network,
            "epoch": f.epoch,
            "root": f.root,
            "node": n,
        }))
        .into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            format!("node {node} is not in epoch {}'s tree", f.epoch),
        ),
    }
}

async fn get_rewards(State(o): State<Arc<Oracle>>, Path(epoch): Path<String>) -> Response {
    let epoch = match epoch.as_str() {
        "latest" => None,
        e => match e.parse::<u64>() {
            Ok(e) => Some(e),
            Err(_) => return error(StatusCode::BAD_REQUEST, format!("`{e}` is not an epoch")),
        },
    };
    match rewards_file(&o, epoch).await {
        Ok(f) => Json(f).into_response(),
        Err(r) => r,
    }
}

async fn healthz(State(o): State<Arc<Oracle>>) -> Response {
    let reg = o.registry();
    Json(json!({
        "status": if reg.is_some() { "ok" } else { "no_registry" },
        "network": o.network.to_string(),
        "epoch": o.current_epoch(),
        "devices": reg.map_or(0, |r| r.devices.len()),
        "store": o.store.describe(),
    }))
    .into_response()
}

async fn metrics(State(o): State<Arc<Oracle>>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        o.metrics.render(),
    )
        .into_response()
}

/// A server on its own runtime thread, for the demo and tests: `url()` to reach it,
/// dropped (or [`Running::stop`]) to shut it down gracefully.
pub struct Running {
    pub addr: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<anyhow::Result<()>>>,
}

impl Running {
    pub fn start(oracle: Arc<Oracle>, listen: &str) -> anyhow::Result<Self> {
        use anyhow::Context;
        let l = std::net::TcpListener::bind(listen).with_context(|| format!("binding {listen}"))?;
        Self::start_on(oracle, l)
    }

    /// Serves on a listener bound beforehand (so peers can know each other's addresses).
    pub fn start_on(oracle: Arc<Oracle>, listener: std::net::TcpListener) -> anyhow::Result<Self> {
        use anyhow::Context;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .context("starting the oracle's runtime")?;
        listener.set_nonblocking(true)?;
        let listener = {
            let _g = rt.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let addr = listener.local_addr()?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("oracle-{addr}"))
            .spawn(move || {
                rt.block_on(serve(oracle, listener, async {
                    let _ = rx.await;
                }))
            })
            .context("starting the oracle's thread")?;
        Ok(Running {
            addr,
            stop: Some(tx),
            thread: Some(thread),
        })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn stop(mut self) -> anyhow::Result<()> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> anyhow::Result<()> {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        match self.thread.take().map(|t| t.join()) {
            Some(Ok(r)) => r,
            Some(Err(_)) => anyhow::bail!("the oracle's server thread panicked"),
            None => Ok(()),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}
