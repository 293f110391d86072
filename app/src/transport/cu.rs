//! Compute units per instruction, read from the program logs of transactions that landed.
//!
//! In SBF mode the embedded transport feeds every successful transaction's logs here; the
//! figures are kept per `<program>::<instruction>` (highest seen) and, when
//! `DEPIN_CU_DIR` is set, written to `<dir>/<process id>.json` after each change so that
//! every test process leaves its samples for `cu-report` to merge.
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// The highest compute units and the largest transaction seen for one instruction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CuSample {
    pub compute_units: u64,
    pub tx_bytes: u64,
}

static SAMPLES: Mutex<BTreeMap<String, CuSample>> = Mutex::new(BTreeMap::new());

/// `RegisterNode` → `register_node`.
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Top-level instructions of `programs` in `logs`: (`program::instruction`, compute units).
/// `programs` maps program ids (base58) to names.
pub fn parse(logs: &[String], programs: &[(String, &str)]) -> Vec<(String, u64)> {
    let mut out = vec![];
    let mut depth = 0usize;
    let mut current: Option<(&str, Option<String>)> = None;
    for line in logs {
        let Some(rest) = line.strip_prefix("Program ") else {
            continue;
        };
        if let Some(ix) = rest.strip_prefix("log: Instruction: ") {
            if depth == 1 {
                if let Some((_, name @ None)) = current.as_mut() {
                    *name = Some(snake_case(ix.trim()));
                }
            }
            continue;
        }
        let mut words = rest.split_whitespace();
        let (Some(id), Some(verb)) = (words.next(), words.next()) else {
            continue;
        };
        match verb {
            "invoke" => {
                depth += 1;
                if depth == 1 {
                    current = programs
                        .iter()
                        .find(|(p, _)| p == id)
                        .map(|(_, name)| (*name, None));
                }
            }
            "consumed" if depth == 1 => {
                if let (Some((program, Some(ix))), Some(n)) = (
                    current.as_ref(),
                    words.next().and_then(|n| n.parse::<u64>().ok()),
                ) {
                    out.push((format!("{program}::{ix}"), n));
                }
            }
            "success" | "failed:" => {
                if depth == 1 {
                    current = None;
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
    }
    out
}

/// Records the instructions of one landed transaction.
pub fn record(logs: &[String], programs: &[(String, &str)], tx_bytes: u64) {
    let found = parse(logs, programs);
    if found.is_empty() {
        return;
    }
    let mut samples = SAMPLES.lock().unwrap_or_else(|p| p.into_inner());
    let mut changed = false;
    for (key, cu) in found {
        let s = samples.entry(key).or_default();
        if cu > s.compute_units || tx_bytes > s.tx_bytes {
            s.compute_units = s.compute_units.max(cu);
            s.tx_bytes = s.tx_bytes.max(tx_bytes);
            changed = true;
        }
    }
    if changed {
        if let Some(dir) = std::env::var_os("DEPIN_CU_DIR") {
            let path = std::path::Path::new(&dir).join(format!("{}.json", std::process::id()));
            // Best effort: a sample file that cannot be written is reported, not fatal.
            let write = std::fs::create_dir_all(&dir).and_then(|_| {
                std::fs::write(
                    &path,
                    serde_json::to_vec_pretty(&*samples).unwrap_or_default(),
                )
            });
            if let Err(e) = write {
                eprintln!("depin: cannot write CU samples to {}: {e}", path.display());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_top_level_instructions_only() {
        let logs: Vec<String> = [
            "Program Ed25519SigVerify111111111111111111111111111 invoke [1]",
            "Program Ed25519SigVerify111111111111111111111111111 success",
            "Program REG invoke [1]",
            "Program log: Instruction: RegisterNode",
            "Program 11111111111111111111111111111111 invoke [2]",
            "Program 11111111111111111111111111111111 success",
            "Program TOKEN invoke [2]",
            "Program log: Instruction: Burn",
            "Program TOKEN consumed 1541 of 180656 compute units",
            "Program TOKEN success",
            "Program REG consumed 29964 of 206000 compute units",
            "Program REG success",
            "Program REG invoke [1]",
            "Program log: Instruction: AssertLocation",
            "Program REG consumed 9000 of 200000 compute units",
            "Program REG failed: custom program error: 0x1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let programs = [("REG".to_string(), "node_registry")];
        assert_eq!(
            parse(&logs, &programs),
            vec![
                ("node_registry::register_node".to_string(), 29964),
                ("node_registry::assert_location".to_string(), 9000)
            ]
        );
        assert_eq!(snake_case("SetNodeStatus"), "set_node_status");
    }
}
