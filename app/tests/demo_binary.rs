//! The `depin` binary end to end: `depin demo --output json` prints one parseable JSON object
//! whose figures are read back from the runtime (program logs must not leak into stdout).
use std::process::Command;

#[test]
fn demo_registers_every_node_on_chain() {
    let out = Command::new(env!("CARGO_BIN_EXE_depin"))
        .args(["demo", "--nodes", "100", "--output", "json"])
        // the demo's keys are random; keep its figures out of the suite's reproducible
        // compute-unit samples
        .env_remove("DEPIN_CU_DIR")
        .output()
        .expect("run depin");
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("stdout is one JSON object");
    assert_eq!(v["nodes_registered"], 100);
    assert_eq!(v["node_accounts_on_chain"], 100);
    assert_eq!(v["network_node_count"], 100);
    assert_eq!(v["locations_asserted"], 100);
    assert_eq!(v["credits_reconcile"], true);
    let bytes = v["node_account_bytes"].as_u64().unwrap();
    assert!(bytes > 0 && bytes <= 160, "node account {bytes} bytes");
    let tx = v["register_tx_bytes"].as_u64().unwrap();
    assert!(tx > 0 && tx <= 1232, "register tx {tx} bytes");
    let n = |k: &str| v[k].as_u64().unwrap();
    assert_eq!(
        n("credits_minted") - n("credits_burned"),
        n("credits_supply")
    );
    // the fields: burn-and-mint happened and the token supply reconciles
    assert!(n("tokens_burned_for_credits") > 0);
    assert!(n("credits_burned") > n("credits_burned_for_fees"));
    assert!(n("token_supply") > 0);
    assert_eq!(v["supply_reconciles"], true);
}

#[test]
fn bad_arguments_fail_cleanly() {
    let out = Command::new(env!("CARGO_BIN_EXE_depin"))
        .args(["--url", "embedded", "network", "show", "nosuchnet"])
        .output()
        .expect("run depin");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("network `nosuchnet`") && err.contains("does not exist"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// `depin bench registry`: the compressed tree off chain, one JSON object, and a shape that
/// cannot hold the nodes refused with the reason.
#[test]
fn registry_bench_prints_its_figures_and_refuses_a_tree_too_small() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_depin"))
            .args(["bench", "registry", "--output", "json"])
            .args(args)
            .output()
            .expect("run depin")
    };
    let out = run(&[
        "--nodes", "300", "--depth", "9", "--canopy", "3", "--proofs", "200",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(
        (v["nodes"].as_u64(), v["proofs"].as_u64()),
        (Some(300), Some(200))
    );
    assert_eq!(v["proof_bytes_in_transaction"], 6 * 32);
    assert_eq!(
        v["lamports_per_node"].as_u64().unwrap(),
        v["rent_per_leaf_lamports"].as_u64().unwrap() + 15_000
    );
    let out = run(&["--nodes", "512", "--depth", "9", "--canopy", "3"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("512 nodes do not fit a tree of depth 9"),
        "{err}"
    );
    let out = run(&["--depth", "10", "--canopy", "10", "--nodes", "1"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("must be below the depth"));
}
