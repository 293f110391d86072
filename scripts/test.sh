#!/usr/bin/env bash
# The whole test suite: set-up, lints, the IDL, every test in native mode, then the SBF
# build and every test again against the .so files, with compute-unit budgets, then the
# .so files on solana-test-validator and the end-to-end tests over JSON-RPC.
# CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
bash scripts/setup.sh

step() { echo; echo "=== $* ($(date -u +%H:%M:%S))"; }

step "format and lints"
cargo fmt --all --check
cargo clippy --locked --workspace --all-targets -q -- -D warnings

step "IDL"
bash scripts/idl.sh

step "PostgreSQL for the oracle's storage tests (throwaway cluster on loopback)"
pg_dir="$PWD/target/postgres-test"
pg_port=$((20000 + RANDOM % 20000))
while (exec 3<>"/dev/tcp/127.0.0.1/$pg_port") 2>/dev/null; do pg_port=$((pg_port + 1)); done
DEPIN_TEST_POSTGRES_URL=$(bash scripts/postgres.sh start "$pg_dir" "$pg_port")
export DEPIN_TEST_POSTGRES_URL
trap 'bash scripts/postgres.sh stop "$pg_dir"' EXIT
echo "$DEPIN_TEST_POSTGRES_URL"

step "tests (native runtime)"
DEPIN_NATIVE=1 cargo test --locked --workspace -j2

step "toolchain script checks"
bash scripts/sbf/test-debian-packages.sh

step "SBF toolchain and build (upstream LLVM, SBPF V0)"
bash scripts/build-sbf.sh

step "tests (SBF programs in solana-program-test 3.1)"
rm -rf target/cu-samples
DEPIN_SBF_DIR="$PWD/target/deploy" DEPIN_CU_DIR="$PWD/target/cu-samples" cargo test --locked --workspace -j2

step "compute units (target/cu-report.json, docs/compute-units.md, budgets)"
cargo run --locked -q -p depin-tests --bin cu-report

step "local validator (tools/validator) and the end-to-end tests over JSON-RPC"
DEPIN_SBF_DIR="$PWD/target/deploy" bash scripts/rpc-e2e.sh
