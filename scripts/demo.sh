#!/usr/bin/env bash
# Builds the `depin` CLI and runs the demo network on the embedded runtime.
# Extra arguments go to `depin demo` (e.g. --nodes 500 --output json).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --locked -q -p depin
exec ./target/debug/depin demo "$@"
