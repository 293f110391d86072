#!/usr/bin/env bash
# Builds the `depin` CLI (profile `demo`: optimised, no LTO) and runs the demo network on
# the embedded runtime. Extra arguments go to `depin demo` (e.g. --nodes 10000 --output json).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --locked -q -p depin --profile demo
exec ./target/demo/depin demo "$@"
