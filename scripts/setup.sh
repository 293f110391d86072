#!/usr/bin/env bash
# Checks (and where possible installs) what building depin-kit needs on Debian:
# the Rust toolchain named in rust-toolchain.toml and a C compiler for -sys crates.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v cc >/dev/null 2>&1 || need_apt+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
# hardware wallets (`-k usb://ledger`): hidapi builds against libudev
pkg-config --exists libudev 2>/dev/null || need_apt+=(libudev-dev)
# the oracle's PostgreSQL tests start a throwaway server (scripts/postgres.sh)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${need_apt[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "setup: please install: ${need_apt[*]} (sudo apt-get install ${need_apt[*]})" >&2
    exit 1
  fi
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo not found; install rustup (https://rustup.rs) — rust-toolchain.toml pins the version" >&2
  exit 1
fi
want=$(sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml)
have=$(rustc --version | awk '{print $2}')
if [ "$have" != "$want" ]; then
  echo "setup: rustc $have found, rust-toolchain.toml wants $want" >&2
  exit 1
fi
