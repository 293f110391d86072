//! Prometheus counters, rendered by hand in the text exposition format.
use super::ingest::{IngestOutcome, RejectReason};
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

const BUCKETS_MS: [u64; 10] = [1, 2, 5, 10, 25, 50, 100, 250, 1_000, 5_000];

#[derive(Default)]
pub struct Metrics {
    accepted: AtomicU64,
    rejected: [AtomicU64; 6],
    requests: AtomicU64,
    latency_buckets: [AtomicU64; 10],
    latency_sum_us: AtomicU64,
    /// The last epoch run and its stage (0 none … 4 attested).
    epoch: AtomicU64,
    epoch_stage: AtomicU64,
    submissions: [AtomicU64; 4],
}

/// Submission results, as the `result` label.
pub const SUBMISSION_RESULTS: [&str; 4] = ["submitted", "approved", "already", "failed"];

impl Metrics {
    pub fn record(&self, o: &IngestOutcome) {
        self.accepted.fetch_add(o.accepted, Relaxed);
        for r in &o.rejected {
            let i = RejectReason::ALL
                .iter()
                .position(|x| *x == r.reason)
                .unwrap_or(0);
            self.rejected[i].fetch_add(r.receipts, Relaxed);
        }
    }

    pub fn request(&self, elapsed: std::time::Duration) {
        self.requests.fetch_add(1, Relaxed);
        let ms = elapsed.as_millis() as u64;
        for (i, b) in BUCKETS_MS.iter().enumerate() {
            if ms <= *b {
                self.latency_buckets[i].fetch_add(1, Relaxed);
            }
        }
        self.latency_sum_us
            .fetch_add(elapsed.as_micros() as u64, Relaxed);
    }

    pub fn stage(&self, epoch: u64, stage: u64) {
        self.epoch.store(epoch, Relaxed);
        self.epoch_stage.store(stage, Relaxed);
    }

    pub fn submission(&self, result: &str) {
        if let Some(i) = SUBMISSION_RESULTS.iter().position(|r| *r == result) {
            self.submissions[i].fetch_add(1, Relaxed);
        }
    }

    pub fn accepted(&self) -> u64 {
        self.accepted.load(Relaxed)
    }

    pub fn rejected(&self) -> u64 {
        self.rejected.iter().map(|c| c.load(Relaxed)).sum()
    }

    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "# HELP depin_oracle_receipts_accepted_total Receipts stored."
        );
        let _ = writeln!(s, "# TYPE depin_oracle_receipts_accepted_total counter");
        let _ = writeln!(
            s,
            "depin_oracle_receipts_accepted_total {}",
            self.accepted()
        );
        let _ = writeln!(
            s,
            "# HELP depin_oracle_receipts_rejected_total Receipts refused, by reason."
        );
        let _ = writeln!(s, "# TYPE depin_oracle_receipts_rejected_total counter");
        for (r, c) in RejectReason::ALL.iter().zip(&self.rejected) {
            let _ = writeln!(
                s,
                "depin_oracle_receipts_rejected_total{{reason=\"{}\"}} {}",
                r.name(),
                c.load(Relaxed)
            );
        }
        let _ = writeln!(
            s,
            "# HELP depin_oracle_request_seconds HTTP request latency."
        );
        let _ = writeln!(s, "# TYPE depin_oracle_request_seconds histogram");
        for (b, c) in BUCKETS_MS.iter().zip(&self.latency_buckets) {
            let _ = writeln!(
                s,
                "depin_oracle_request_seconds_bucket{{le=\"{}\"}} {}",
                *b as f64 / 1000.0,
                c.load(Relaxed)
            );
        }
        let n = self.requests.load(Relaxed);
        let _ = writeln!(s, "depin_oracle_request_seconds_bucket{{le=\"+Inf\"}} {n}");
        let _ = writeln!(
            s,
            "depin_oracle_request_seconds_sum {}",
            self.latency_sum_us.load(Relaxed) as f64 / 1e6
        );
        let _ = writeln!(s, "depin_oracle_request_seconds_count {n}");
        let _ = writeln!(s, "# HELP depin_oracle_epoch_stage Last epoch run and its stage (1 pulled, 2 aggregated, 3 built, 4 attested).");
        let _ = writeln!(s, "# TYPE depin_oracle_epoch_stage gauge");
        let _ = writeln!(
            s,
            "depin_oracle_epoch_stage{{epoch=\"{}\"}} {}",
            self.epoch.load(Relaxed),
            self.epoch_stage.load(Relaxed)
        );
        let _ = writeln!(
            s,
            "# HELP depin_oracle_submissions_total Reports sent on chain, by result."
        );
        let _ = writeln!(s, "# TYPE depin_oracle_submissions_total counter");
        for (r, c) in SUBMISSION_RESULTS.iter().zip(&self.submissions) {
            let _ = writeln!(
                s,
                "depin_oracle_submissions_total{{result=\"{r}\"}} {}",
                c.load(Relaxed)
            );
        }
        s
    }
}
