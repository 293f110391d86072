//! The stateful fuzzer (issue 12, tests/src/fuzz.rs) over the embedded runtime in native
//! mode: seeded random sequences of instructions across all four programs by honest actors
//! and an attacker, every economic invariant checked after every step, every refused
//! transaction checked to have changed nothing.
//!
//! CI runs `DEPIN_FUZZ_SEQUENCES` (default 6) sequences of `DEPIN_FUZZ_STEPS` (default 80)
//! steps from `DEPIN_FUZZ_SEED` (default fixed), after the seeds kept in
//! `tests/fuzz-regressions.txt`. The long run:
//! `DEPIN_FUZZ_SECONDS=3600 cargo test --release -p depin-tests --test fuzz -- --nocapture`.
use depin_tests::fuzz::{run_sequence, Stats};

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn random_sequences_keep_every_invariant() {
    if std::env::var_os("DEPIN_SBF_DIR").is_some() {
        // the fuzzer explores the logic, natively; the SBF files run the scenario suite
        return;
    }
    let steps = env_u64("DEPIN_FUZZ_STEPS", 80);
    let sequences = env_u64("DEPIN_FUZZ_SEQUENCES", 6);
    let base = env_u64("DEPIN_FUZZ_SEED", 0x0000_de1a_f022);
    let until = std::env::var("DEPIN_FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(|s| std::time::Instant::now() + std::time::Duration::from_secs(s));
    let regressions: Vec<u64> = include_str!("../fuzz-regressions.txt")
        .lines()
        .filter_map(|l| l.split('#').next())
        .filter_map(|l| l.trim().parse().ok())
        .collect();
    let started = std::time::Instant::now();
    let mut total = Stats::default();
    let mut failures = vec![];
    let mut i = 0u64;
    loop {
        let seed = match regressions.get(i as usize) {
            Some(s) => *s,
            None => base.wrapping_add(i - regressions.len() as u64),
        };
        match run_sequence(seed, steps) {
            Ok(s) => total.add(&s),
            Err(e) => failures.push(e),
        }
        i += 1;
        let done_fixed = i >= regressions.len() as u64 + sequences;
        match until {
            Some(t) if std::time::Instant::now() < t => {}
            Some(_) => break,
            None if done_fixed => break,
            None => {}
        }
    }
    println!(
        "fuzz: {} sequences, {} steps, {} transactions ({} landed, {} refused), {} instructions \
         landed, {} distinct errors, {} invariant checks passed, {:.0} s",
        total.sequences,
        total.steps,
        total.transactions,
        total.landed,
        total.refused,
        total.instructions,
        total.errors.len(),
        total.invariant_checks,
        started.elapsed().as_secs_f64()
    );
    for (name, n) in &total.errors {
        println!("  {n:>6} {name}");
    }
    for (what, n) in &total.landed_swaps {
        println!("  swap landed {n}x: {what}");
    }
    assert!(
        failures.is_empty(),
        "broken invariants (add the seed to tests/fuzz-regressions.txt):\n{}",
        failures.join("\n")
    );
    // the sequences reach deep enough to be refused for many different reasons
    assert!(total.landed > 0 && total.refused > 0);
    assert!(
        total.errors.len() >= 10,
        "only {} distinct errors: {:?}",
        total.errors.len(),
        total.errors
    );
}
