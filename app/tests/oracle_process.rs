//! The oracle as a process: `depin oracle serve` killed with SIGKILL under load keeps every
//! receipt that got a 2xx; a SIGTERM stops it cleanly; `depin oracle bench` reports.
use depin::oracle::load::{run, LoadPlan};
use depin::oracle::store::{SqliteStore, Store};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn start(config: &std::path::Path, synthetic: bool) -> (Child, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_depin"));
    cmd.args(["--output", "json", "oracle", "serve", "--config"])
        .arg(config);
    if synthetic {
        cmd.args(["--synthetic-devices", "64"]);
    }
    let mut child = cmd
        .env("DEPIN_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start depin oracle serve");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("depin oracle: listening on ") {
                let _ = tx.send(url.to_string());
            }
        }
    });
    let url = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the oracle printed its address");
    (child, url)
}

fn accepted(url: &str) -> u64 {
    let http = depin::oracle::http::Http::new(Duration::from_secs(5)).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let text = rt
        .block_on(async {
            http.client()
                .get(format!("{url}/metrics"))
                .send()
                .await?
                .text()
                .await
        })
        .unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix("depin_oracle_receipts_accepted_total "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn acknowledged_receipts_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("oracle.toml");
    std::fs::write(
        &config,
        "network = \"synthetic\"\nlisten = \"127.0.0.1:0\"\ndata_dir = \"data\"\nrpc = \"none\"\n",
    )
    .unwrap();
    let (mut child, url) = start(&config, true);
    let plan = LoadPlan {
        url: url.clone(),
        clients: 4,
        receipts: 60_000,
        devices: 64,
        receipts_per_batch: 5,
        batches_per_request: 4,
    };
    let load = std::thread::spawn(move || run(&plan).expect("the load generator"));
    // kill it once it is well into the load
    let deadline = Instant::now() + Duration::from_secs(120);
    while accepted(&url) < 3_000 {
        assert!(Instant::now() < deadline, "the oracle took no load");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let (report, acked) = load.join().unwrap();
    assert!(
        report.errors > 0,
        "the kill came after the load ended: {report:?}"
    );
    assert!(acked.len() as u64 >= 3_000, "{report:?}");
    assert_eq!(acked.len() as u64, report.accepted);

    // restarted without --synthetic-devices: the registry comes from the store
    let (child, url) = start(&config, false);
    let store = SqliteStore::open(&dir.path().join("data/oracle.sqlite")).unwrap();
    let missing = acked
        .iter()
        .filter(|(d, e, s)| store.receipt(d, *e, *s).unwrap().is_none())
        .count();
    assert_eq!(missing, 0, "acknowledged receipts lost of {}", acked.len());
    let epoch = acked[0].1;
    assert!(store.receipt_count(epoch).unwrap() >= acked.len() as u64);
    let http = depin::oracle::http::Http::new(Duration::from_secs(5)).unwrap();
    let h: serde_json::Value = http.get_json(&format!("{url}/healthz")).unwrap();
    assert_eq!(h["devices"], 64);

    // SIGTERM: a graceful stop
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["stopped"], true);
}

#[test]
fn bench_reports_its_figures() {
    let out = Command::new(env!("CARGO_BIN_EXE_depin"))
        .args([
            "--output",
            "json",
            "oracle",
            "bench",
            "--receipts",
            "20000",
            "--batch",
            "50",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["receipts"], 20_000);
    assert_eq!(v["devices"], 400);
    for k in [
        "seconds",
        "receipts_per_second",
        "raw_verify_per_second",
        "ratio",
    ] {
        assert!(v[k].as_f64().unwrap() > 0.0, "{k}: {v}");
    }
    assert_eq!(v["root"].as_str().unwrap().len(), 64);
    // the load generator refuses anything but loopback
    let out = Command::new(env!("CARGO_BIN_EXE_depin"))
        .args(["--url", "http://192.0.2.1:8470", "oracle", "load"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a loopback address"));
}
