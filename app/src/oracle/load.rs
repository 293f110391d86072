//! `depin oracle load`: a bounded generator that posts signed batches of synthetic devices
//! to an oracle on loopback from `clients` concurrent connections, and reports accepted
//! receipts per second, latency percentiles and errors. The oracle must know the synthetic
//! devices (`depin oracle serve --synthetic-devices N`).
use super::receipts::{Receipt, SignedBatch, Submission};
use super::registry::synthetic_device;
use anyhow::{ensure, Context, Result};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct LoadPlan {
    pub url: String,
    pub clients: usize,
    pub receipts: u64,
    /// Synthetic devices the receipts are spread over.
    pub devices: u64,
    pub receipts_per_batch: usize,
    pub batches_per_request: usize,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct LoadReport {
    pub clients: usize,
    pub requests: u64,
    pub receipts_sent: u64,
    pub accepted: u64,
    pub rejected: u64,
    /// Requests that got no 2xx (refused connections, timeouts, 5xx).
    pub errors: u64,
    pub seconds: f64,
    pub accepted_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// `(device, epoch, seq)` of a receipt the oracle acknowledged with a 2xx.
pub type Acked = ([u8; 32], u64, u64);

#[derive(Deserialize)]
struct Health {
    network: String,
    epoch: Option<u64>,
}

#[derive(Deserialize)]
struct Outcome {
    accepted: u64,
    rejected: Vec<Rejected>,
}

#[derive(Deserialize)]
struct Rejected {
    batch: usize,
    seq: Option<u64>,
    receipts: u64,
}

/// Refuses anything but a loopback URL: the generator is for one's own oracle.
pub fn require_loopback(url: &str) -> Result<()> {
    let rest = url
        .strip_prefix("http://")
        .with_context(|| format!("`{url}`: the load generator speaks plain http:// to loopback"))?;
    let host = rest.split('/').next().unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    ensure!(
        matches!(host, "127.0.0.1" | "localhost" | "[::1]"),
        "`{url}` is not a loopback address: the load generator only targets 127.0.0.1, ::1 or localhost"
    );
    Ok(())
}

pub fn run(plan: &LoadPlan) -> Result<(LoadReport, Vec<Acked>)> {
    require_loopback(&plan.url)?;
    ensure!(
        plan.clients > 0 && plan.devices > 0,
        "--clients and --devices must be at least 1"
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the load generator's runtime")?;
    rt.block_on(run_async(plan))
}

async fn run_async(plan: &LoadPlan) -> Result<(LoadReport, Vec<Acked>)> {
    let base = plan.url.trim_end_matches('/').to_string();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let health: Health = client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .with_context(|| format!("reaching {base}/healthz"))?
        .json()
        .await
        .context("the oracle's /healthz")?;
    let epoch = health
        .epoch
        .context("the oracle has no registry (no epoch clock) yet")?;
    let network = super::receipts::parse_key(&health.network)?;

    // not timed: sign every request; seqs start from the clock (milliseconds, 2^20 seqs a
    // device a run) so reruns are new receipts
    let per_batch = plan.receipts_per_batch.max(1);
    ensure!(
        plan.receipts.div_ceil(plan.devices) < 1 << 20,
        "at most 2^20 receipts per device in one run: add --devices"
    );
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let seq_base = millis << 20;
    let mut requests: Vec<(Vec<u8>, Vec<Vec<Acked>>)> = vec![];
    let mut batches = vec![];
    let mut ids = vec![];
    let mut sent = 0u64;
    let mut round = 0u64;
    while sent < plan.receipts {
        for d in 0..plan.devices {
            if sent >= plan.receipts {
                break;
            }
            let n = (plan.receipts - sent).min(per_batch as u64);
            let key = synthetic_device(d);
            let receipts: Vec<Receipt> = (0..n)
                .map(|j| Receipt {
                    seq: seq_base + round * per_batch as u64 + j,
                    work_units: 1 + (d + j) % 10,
                })
                .collect();
            let b = SignedBatch::sign(&network, &key, epoch, receipts)?;
            ids.push(
                b.receipts
                    .iter()
                    .map(|r| (b.device, epoch, r.seq))
                    .collect(),
            );
            batches.push(b);
            sent += n;
            if batches.len() == plan.batches_per_request.max(1) {
                let body = Submission {
                    network,
                    batches: std::mem::take(&mut batches),
                }
                .encode();
                requests.push((body, std::mem::take(&mut ids)));
            }
        }
        round += 1;
    }
    if !batches.is_empty() {
        requests.push((Submission { network, batches }.encode(), ids));
    }

    let requests = Arc::new(requests);
    let next = Arc::new(AtomicUsize::new(0));
    let results = Arc::new(Mutex::new((vec![], vec![], LoadReport::default())));
    let started = Instant::now();
    let mut tasks = vec![];
    for _ in 0..plan.clients {
        let (requests, next, results, client, url) = (
            requests.clone(),
            next.clone(),
            results.clone(),
            client.clone(),
            format!("{base}/v1/receipts"),
        );
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((body, ids)) = requests.get(i) else {
                    break;
                };
                let t = Instant::now();
                let r = client
                    .post(&url)
                    .header("content-type", "application/octet-stream")
                    .body(body.clone())
                    .send()
                    .await;
                let outcome = match r {
                    Ok(r) if r.status().is_success() => r.json::<Outcome>().await.ok(),
                    _ => None,
                };
                let ms = t.elapsed().as_secs_f64() * 1e3;
                let Ok(mut g) = results.lock() else { break };
                let (lat, acked, rep) = &mut *g;
                rep.requests += 1;
                rep.receipts_sent += ids.iter().map(|b| b.len() as u64).sum::<u64>();
                lat.push(ms);
                match outcome {
                    Some(o) => {
                        rep.accepted += o.accepted;
                        rep.rejected += o.rejected.iter().map(|r| r.receipts).sum::<u64>();
                        for (bi, b) in ids.iter().enumerate() {
                            for id in b {
                                let refused = o
                                    .rejected
                                    .iter()
                                    .any(|r| r.batch == bi && r.seq.is_none_or(|s| s == id.2));
                                if !refused {
                                    acked.push(*id);
                                }
                            }
                        }
                    }
                    None => rep.errors += 1,
                }
            }
        }));
    }
    for t in tasks {
        t.await.context("a load client")?;
    }
    let seconds = started.elapsed().as_secs_f64();
    let (mut lat, acked, mut rep) = std::mem::take(
        &mut *results
            .lock()
            .map_err(|_| anyhow::anyhow!("a load client panicked"))?,
    );
    lat.sort_by(|a: &f64, b| a.total_cmp(b));
    let pct = |p: f64| {
        if lat.is_empty() {
            0.0
        } else {
            lat[((lat.len() as f64 - 1.0) * p).round() as usize]
        }
    };
    rep.clients = plan.clients;
    rep.seconds = seconds;
    rep.accepted_per_second = rep.accepted as f64 / seconds.max(1e-9);
    rep.p50_ms = pct(0.5);
    rep.p99_ms = pct(0.99);
    rep.max_ms = pct(1.0);
    Ok((rep, acked))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback() {
        assert!(require_loopback("http://127.0.0.1:8470").is_ok());
        assert!(require_loopback("http://localhost:1/x").is_ok());
        assert!(require_loopback("http://10.0.0.1:8470").is_err());
        assert!(require_loopback("https://127.0.0.1").is_err());
        assert!(require_loopback("http://127.0.0.1.evil.com:80").is_err());
    }
}
