#!/usr/bin/env bash
# Generates target/idl/<program>.json for every program, like `anchor idl build`.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p depin-idl
for dir in programs/*/; do
  name=$(basename "$dir")
  ./target/debug/depin-idl "$dir" "target/idl/$name.json"
done
