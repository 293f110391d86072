#!/usr/bin/env bash
# End-to-end tests over JSON-RPC: builds solana-test-validator from the crate registry
# (scripts/validator.sh), starts it on loopback with the SBF programs of target/deploy
# (bash scripts/build-sbf.sh first), runs tests/tests/rpc_e2e.rs against it, stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
[ -f "${DEPIN_SBF_DIR:-target/deploy}/node_registry.so" ] || bash scripts/build-sbf.sh
bash scripts/validator.sh build >/dev/null
# the depin and depin-bootstrap binaries the tests run as separate processes; --workspace,
# as scripts/test.sh builds, so features unify the same way and nothing is rebuilt
cargo build --locked -q --workspace --bins

port() {
  local p=$((17000 + RANDOM % 20000))
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 500)); done
  echo "$p"
}
dir="$PWD/target/validator-run"
trap 'bash scripts/validator.sh stop "$dir"' EXIT
rpc_port=$(port)
url=$(bash scripts/validator.sh start "$dir" "$rpc_port")
echo "validator: $url (ledger $dir/ledger)"
spare=$((rpc_port + 500))
DEPIN_VALIDATOR_URL="$url" DEPIN_VALIDATOR_MINT="$dir/ledger/mint.json" \
  DEPIN_VALIDATOR_SPARE_PORT="$spare" DEPIN_REPO="$PWD" \
  cargo test --locked -q --workspace --test rpc_e2e -- --ignored --test-threads=1 "$@"
