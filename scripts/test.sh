#!/usr/bin/env bash
# The whole test suite: set-up, the IDL, unit and integration tests in native mode.
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

step "tests (native runtime)"
DEPIN_NATIVE=1 cargo test --locked --workspace -j2
