#!/usr/bin/env bash
# solana-test-validator from the crate registry (Agave 3.1.12, tools/validator), with our
# SBF programs loaded at the program ids in Anchor.toml.
#   scripts/validator.sh build              builds (or finds up to date) the binary; prints its path
#   scripts/validator.sh start DIR PORT     starts it on 127.0.0.1:PORT with a ledger in DIR,
#                                           waits until the programs answer, prints the RPC URL
#   scripts/validator.sh stop DIR           stops it (and removes nothing but its process)
# The programs come from $DEPIN_SBF_DIR (default target/deploy: scripts/build-sbf.sh).
# The genesis mint's keypair, for paying, is DIR/mint.json; DIR/ready.json says it all.
set -euo pipefail
cd "$(dirname "$0")/.."
# the main workspace's target directory: tools/validator has the same dev profile and
# lock-file versions, so the crates both use (about 690 of 850) are compiled once
target="$PWD/target"
bin="$target/debug/depin-validator"

build() {
  # RocksDB's bindings are generated with bindgen, which needs libclang
  # (libclang itself: libclang-cpp, which the SBF toolchain's LLVM brings, is not it)
  if ! compgen -G '/usr/lib/llvm-*/lib/libclang.so*' >/dev/null &&
    ! compgen -G '/usr/lib/x86_64-linux-gnu/libclang.so*' >/dev/null &&
    ! compgen -G '/usr/lib/x86_64-linux-gnu/libclang-[0-9]*.so*' >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
      echo "validator.sh: installing libclang-dev" >&2
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libclang-dev >/dev/null
    else
      echo "validator.sh: please install libclang-dev" >&2; exit 1
    fi
  fi
  local t0=$SECONDS
  cargo build --locked -q --manifest-path tools/validator/Cargo.toml --target-dir "$target" -j"${DEPIN_JOBS:-2}" >&2
  echo "validator.sh: depin-validator ready in $((SECONDS - t0)) s" >&2
  echo "$bin"
}

program_args() {
  local so_dir=${DEPIN_SBF_DIR:-$PWD/target/deploy}
  # [programs.localnet] of Anchor.toml: name = "id"
  sed -n '/^\[programs.localnet\]/,/^\[/p' Anchor.toml | sed -n 's/^\([a-z_]*\) = "\([1-9A-HJ-NP-Za-km-z]*\)"/\1 \2/p' |
    while read -r name id; do
      [ -f "$so_dir/$name.so" ] || { echo "validator.sh: $so_dir/$name.so missing (bash scripts/build-sbf.sh)" >&2; exit 1; }
      echo "--program $id=$so_dir/$name.so"
    done
}

cmd=${1:?build, start or stop}
case "$cmd" in
  build) build ;;
  start)
    dir=${2:?ledger directory}; port=${3:?rpc port}
    [ -x "$bin" ] || build >/dev/null
    args=$(program_args)
    rm -rf "$dir"; mkdir -p "$dir"
    # shellcheck disable=SC2086
    setsid "$bin" --ledger "$dir/ledger" --rpc-port "$port" $args >"$dir/validator.out" 2>"$dir/validator.err" &
    echo $! >"$dir/pid"
    for _ in $(seq 1 600); do
      if [ -f "$dir/ledger/ready.json" ]; then
        echo "http://127.0.0.1:$port"
        exit 0
      fi
      if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
        echo "validator.sh: the validator exited while starting:" >&2
        tail -20 "$dir/validator.err" >&2
        exit 1
      fi
      sleep 0.2
    done
    echo "validator.sh: not ready after 120 s (see $dir/validator.err)" >&2
    exit 1
    ;;
  stop)
    dir=${2:?ledger directory}
    if [ -f "$dir/pid" ]; then
      pid=$(cat "$dir/pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$dir/pid"
    fi
    ;;
  *) echo "validator.sh: build, start or stop" >&2; exit 1 ;;
esac
