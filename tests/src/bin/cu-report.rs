//! `cu-report <samples dir>`: merges the SBF run's CU samples into target/cu-report.json,
//! writes docs/compute-units.md, and exits 1 if any budget in tests/cu-budgets.toml is broken.
use depin_tests::cu_report::{check, markdown, merge, Budgets};
use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or(root.join("target/cu-samples"));
    let measured = merge(&dir)?;
    let budgets: Budgets = toml::from_str(&std::fs::read_to_string(
        root.join("tests/cu-budgets.toml"),
    )?)?;
    let flat: std::collections::BTreeMap<&String, u64> =
        measured.iter().map(|(k, v)| (k, v.compute_units)).collect();
    std::fs::write(
        root.join("target/cu-report.json"),
        serde_json::to_string_pretty(&flat)? + "\n",
    )?;
    let note =
        std::fs::read_to_string(root.join("docs/compute-units.notes.md")).unwrap_or_default();
    std::fs::write(
        root.join("docs/compute-units.md"),
        markdown(&measured, &budgets, &note),
    )?;
    for (k, v) in &measured {
        eprintln!(
            "cu-report: {k:<40} {:>7} CU {:>5} bytes",
            v.compute_units, v.tx_bytes
        );
    }
    let violations = check(&measured, &budgets);
    if violations.is_empty() {
        eprintln!("cu-report: {} instructions within budget", measured.len());
        return Ok(());
    }
    for v in &violations {
        eprintln!("cu-report: BUDGET: {v}");
    }
    std::process::exit(1);
}
