#!/usr/bin/env bash
# Builds every program (and the SBF test probe) to SBPF with upstream LLVM, without Anza's
# platform-tools: target/deploy/<program>.so, the names `anchor build` uses.
#
#   scripts/build-sbf.sh          SBPF V0 (what clusters run today), stack-argument fix applied
#   scripts/build-sbf.sh --v3     SBPF V3 into target/deploy-v3/ (the Agave 3.1 runtime
#                                 refuses V3, so it never replaces the V0 files tests load)
#
# Needs the toolchain from scripts/sbf/toolchain.sh (run automatically; cached).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
ARCH=v0
[ "${1:-}" = "--v3" ] && ARCH=v3

env_line=$(bash scripts/sbf/toolchain.sh | tail -n1)
# shellcheck disable=SC1090
source "${env_line#SBF_ENV }"

TARGET_DIR="$ROOT/target/sbf"
OUT="$ROOT/target/deploy"
[ "$ARCH" = v3 ] && OUT="$ROOT/target/deploy-v3"
mkdir -p "$TARGET_DIR" "$OUT"
SPEC="$ROOT/scripts/sbf/bpfel-solana.json"

# Cargo links every cdylib in the graph (solana-zk-sdk is one); the i128 shims go only into
# our programs' final link, or the duplicate __multi3 breaks the others.
LINKER_WRAPPER="$TARGET_DIR/sbpf-link.sh"
cat > "$LINKER_WRAPPER" <<WRAP
#!/usr/bin/env bash
extra=()
for a in "\$@"; do
  case "\$a" in */deps/libnode_registry.so|*/deps/libproof_verifier.so|*/deps/libemissions.so|*/deps/libfee_settlement.so|*/deps/libdepin_sbf_probe.so|*/deps/libdepin_claim_router.so) extra=("$SBF_SHIMS_BC");; esac
done
exec "$SBF_LINKER" "\$@" "\${extra[@]}"
WRAP
chmod +x "$LINKER_WRAPPER"

if [ "$ARCH" = v0 ]; then
  cpu=v2; arch_flags='"-C", "link-arg=--arch=v0",'
else
  cpu=v4; arch_flags='"-C", "target-feature=+allows-misaligned-mem-access",'
fi
CONFIG="$TARGET_DIR/cargo-config-$ARCH.toml"
cat > "$CONFIG" <<CFG
[unstable]
build-std = ["std", "panic_abort"]

[target.bpfel-solana]
rustflags = [
    "-Z", "unstable-options",
    "-C", "linker=$LINKER_WRAPPER",
    "-C", "panic=abort",
    "-C", "relocation-model=static",
    "-C", "target-cpu=$cpu",
    $arch_flags
    "-C", "link-arg=--llvm-args=--bpf-stack-size=4096",
    "-C", "link-arg=--llvm-args=--bpf-max-stores-per-memfunc=5",
    "-C", "link-arg=--llvm-args=--disable-gotox",
    "-C", "link-arg=--llvm-args=--disable-ldsx",
    "-C", "link-arg=--llvm-args=--disable-movsx",
    "-C", "link-arg=--llvm-args=--disable-bswap",
    "-C", "link-arg=--export=memcpy,memmove,memset,memcmp,bcmp",
]
CFG

cargo build -q --release -p sbf-gapfix
GAPFIX="$ROOT/target/release/sbf-gapfix"

build_one() { # crate lib-name
  local crate=$1 lib=$2 start=$SECONDS
  echo "build-sbf: $crate ($ARCH)" >&2
  RUSTC_BOOTSTRAP=1 RUSTC_BOOTSTRAP_SYNTHETIC_TARGET=1 \
  __CARGO_TESTS_ONLY_SRC_ROOT="$SBF_STD_ROOT" RUSTC="$SBF_RUSTC" \
  env -u RUSTFLAGS -u CARGO_ENCODED_RUSTFLAGS \
    "$SBF_CARGO" build --release --locked -p "$crate" \
      --target "$SPEC" -Zjson-target-spec --config "$CONFIG" \
      --target-dir "$TARGET_DIR/$ARCH" \
      || { echo "build-sbf: cargo build of $crate failed" >&2; exit 1; }
  local so="$TARGET_DIR/$ARCH/bpfel-solana/release/lib$lib.so"
  [ -f "$so" ] || { echo "build-sbf: $so was not produced" >&2; exit 1; }
  if [ "$ARCH" = v0 ]; then
    local report
    # a fresh file: a later build must never rewrite this one through a shared inode
    rm -f "$OUT/$lib.so"
    report=$("$GAPFIX" "$so" "$OUT/$lib.so") || { echo "build-sbf: stack-argument fix refused $lib.so" >&2; rm -f "$OUT/$lib.so"; exit 1; }
    echo "build-sbf: $lib.so $(stat -c %s "$OUT/$lib.so") bytes, gapfix $report, $((SECONDS - start))s" >&2
    echo "$report" > "$OUT/$lib.gapfix.json"
    case "$report" in *'"e_flags": 0}'*) ;; *) echo "build-sbf: $lib.so is not SBPF V0: $report" >&2; rm -f "$OUT/$lib.so"; exit 1;; esac
  else
    cp "$so" "$OUT/$lib.so"
    echo "build-sbf: $lib.so $(stat -c %s "$OUT/$lib.so") bytes (V3), $((SECONDS - start))s" >&2
  fi
}

# Programs that depend on other programs (with `no-entrypoint`) rebuild those cdylibs without
# an entrypoint; so dependents build first and every program's own build is its last word.
build_one depin-claim-router depin_claim_router
build_one emissions emissions
build_one fee-settlement fee_settlement
build_one proof-verifier proof_verifier
build_one node-registry node_registry
build_one depin-sbf-probe depin_sbf_probe
