#!/usr/bin/env bash
# Installs or builds everything the upstream-LLVM SBPF build needs, without Anza's
# platform-tools, and caches it under $DEPIN_SBF_CACHE (default ~/.cache/depin-kit/sbf):
#
#   1. Debian rustc-web / cargo-web / rust-web-src 1.96 and llvm-22 (for llvm-as)
#   2. the static LLVM 23.1.1 SDK from the PyPI wheels mlc-llvm-static(-extra-targets)
#   3. sbpf-linker 0.2.6 built against that SDK
#   4. a copy of the 1.96 std sources with scripts/sbf/std-solana.patch applied
#   5. the i128 shims (scripts/sbf/i128-shims.ll) assembled to bitcode
#
# Each step leaves a stamp naming its inputs; a second run checks and skips in seconds.
# Prints the environment for build-sbf.sh on the last line of stdout: `SBF_ENV <file>`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${DEPIN_SBF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/depin-kit/sbf}
RUST_DEB_VERSION=1.96.0+dfsg1-1~deb12u2
LLVM_WHEEL_VERSION=23.1.1.post0
LINKER_VERSION=0.2.6
mkdir -p "$CACHE"

step() { echo "sbf-toolchain: $*" >&2; }
fail() { echo "sbf-toolchain: FAILED at step '$CURRENT': $*" >&2; exit 1; }
stamp_ok() { [ -f "$CACHE/stamps/$1" ] && [ "$(cat "$CACHE/stamps/$1")" = "$2" ]; }
stamp() { mkdir -p "$CACHE/stamps"; echo "$2" > "$CACHE/stamps/$1"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else fail "needs root for: $*"; fi; }

# 1. Debian packages --------------------------------------------------------------------
CURRENT="debian packages"
pkgs=(rustc-web cargo-web rust-web-src llvm-22 libzstd-dev zlib1g-dev patch)
missing=()
for p in "${pkgs[@]}"; do
  v=$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || true)
  case "$p" in
    rustc-web|cargo-web|rust-web-src) [ "$v" = "$RUST_DEB_VERSION" ] || missing+=("$p=$RUST_DEB_VERSION") ;;
    *) [ -n "$v" ] || missing+=("$p") ;;
  esac
done
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]}"
  as_root apt-get update -qq || fail "apt-get update"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null \
    || fail "apt-get install ${missing[*]} (bookworm-security must be enabled)"
fi
RUSTC_WEB=/usr/bin/rustc
CARGO_WEB=/usr/bin/cargo
"$RUSTC_WEB" --version | grep -q '^rustc 1\.96\.' || fail "$RUSTC_WEB is not rustc 1.96 ($("$RUSTC_WEB" --version))"
LLVM_AS=$(command -v llvm-as-22) || fail "llvm-as-22 not found"
STD_SRC=/usr/src/rustc-1.96.0/library
[ -d "$STD_SRC/std" ] || fail "$STD_SRC/std missing (package rust-web-src)"

# 2. Static LLVM 23 SDK -------------------------------------------------------------------
CURRENT="LLVM 23 SDK"
SDK="$CACHE/llvm/mlc_llvm_static/static"
if ! stamp_ok llvm "$LLVM_WHEEL_VERSION"; then
  step "downloading LLVM $LLVM_WHEEL_VERSION wheels"
  rm -rf "$CACHE/wheels" "$CACHE/llvm"
  mkdir -p "$CACHE/wheels" "$CACHE/llvm"
  python3 -m pip download --no-deps -q -d "$CACHE/wheels" \
    "mlc-llvm-static==$LLVM_WHEEL_VERSION" "mlc-llvm-static-extra-targets==$LLVM_WHEEL_VERSION" \
    || fail "pip download of mlc-llvm-static $LLVM_WHEEL_VERSION"
  for w in "$CACHE"/wheels/*.whl; do
    (cd "$CACHE/llvm" && python3 -m zipfile -e "$w" .) || fail "unpacking $w"
  done
  chmod +x "$SDK/bin/"* 2>/dev/null || true
  ls "$SDK"/lib/libLLVMBPF*.a >/dev/null 2>&1 || fail "no libLLVMBPF*.a in $SDK/lib (extra-targets wheel)"
  stamp llvm "$LLVM_WHEEL_VERSION"
fi

# 3. sbpf-linker ---------------------------------------------------------------------------
CURRENT="sbpf-linker"
LINKER="$CACHE/tools/bin/sbpf-linker"
if ! stamp_ok linker "$LINKER_VERSION/$LLVM_WHEEL_VERSION" || [ ! -x "$LINKER" ]; then
  step "building sbpf-linker $LINKER_VERSION against LLVM $LLVM_WHEEL_VERSION (about 2 minutes)"
  src="$CACHE/src/sbpf-linker-$LINKER_VERSION"
  rm -rf "$src" && mkdir -p "$CACHE/src"
  fetch="$CACHE/src/fetch"
  mkdir -p "$fetch/src" && echo > "$fetch/src/lib.rs"
  printf '[package]\nname = "fetch"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\nsbpf-linker = "=%s"\n' \
    "$LINKER_VERSION" > "$fetch/Cargo.toml"
  (cd "$fetch" && cargo fetch -q) || fail "cargo fetch sbpf-linker $LINKER_VERSION"
  reg=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/sbpf-linker-"$LINKER_VERSION" | head -n1)
  [ -d "$reg" ] || fail "sbpf-linker sources not found after fetch"
  cp -r "$reg" "$src"
  rm -f "$src/rust-toolchain.toml"
  python3 - "$src/Cargo.toml" <<'PY' || fail "patching sbpf-linker features"
import re, sys
p = sys.argv[1]
s = open(p).read()
s, n = re.subn(r'(?ms)^\[features\]\n.*?(?=^\[)',
  '[features]\ndefault = ["llvm23static"]\n'
  'llvm23static = ["bpf-linker/llvm-23", "bpf-linker/llvm-link-static"]\n'
  'rust-llvm = ["dep:aya-rustc-llvm-proxy", "bpf-linker/llvm-23", "bpf-linker/no-llvm-linking"]\n\n', s)
assert n == 1, "no [features] table"
open(p, "w").write(s)
PY
  (cd "$src" && MLC_LLVM_STATIC_PROFILE=all LLVM_PREFIX="$SDK" LLVM_SYS_231_PREFIX="$SDK" \
     cargo install -q --path . --locked --root "$CACHE/tools") || fail "cargo install sbpf-linker"
  stamp linker "$LINKER_VERSION/$LLVM_WHEEL_VERSION"
fi

# 4. Patched std sources -----------------------------------------------------------------
CURRENT="std sources"
PATCH="$ROOT/scripts/sbf/std-solana.patch"
patch_sum=$(sha256sum "$PATCH" | cut -c1-16)
if ! stamp_ok std "$RUST_DEB_VERSION/$patch_sum"; then
  step "copying std sources and applying std-solana.patch"
  rm -rf "$CACHE/rust-src"
  mkdir -p "$CACHE/rust-src"
  cp -r "$STD_SRC" "$CACHE/rust-src/library"
  # Cargo.lock of the std workspace sits beside library/ in the Debian package.
  [ -f /usr/src/rustc-1.96.0/Cargo.lock ] && cp /usr/src/rustc-1.96.0/Cargo.lock "$CACHE/rust-src/" || true
  (cd "$CACHE/rust-src" && patch -s -p1 < "$PATCH") || fail "std-solana.patch does not apply"
  # a changed std invalidates the prebuilt std of earlier builds
  rm -rf "$ROOT/target/sbf/bpfel-solana/release/.fingerprint/std-"* "$ROOT/target/sbf/bpfel-solana/release/deps/libstd-"*
  stamp std "$RUST_DEB_VERSION/$patch_sum"
fi

# 5. i128 shims ----------------------------------------------------------------------------
CURRENT="i128 shims"
SHIMS_LL="$ROOT/scripts/sbf/i128-shims.ll"
SHIMS_BC="$CACHE/i128-shims.bc"
shim_sum=$(sha256sum "$SHIMS_LL" | cut -c1-16)
if ! stamp_ok shims "$shim_sum" || [ ! -f "$SHIMS_BC" ]; then
  "$LLVM_AS" "$SHIMS_LL" -o "$SHIMS_BC" || fail "llvm-as $SHIMS_LL"
  stamp shims "$shim_sum"
fi

CURRENT="environment"
"$LINKER" --version >/dev/null 2>&1 || "$LINKER" --help >/dev/null 2>&1 || fail "$LINKER does not run"
ENV_FILE="$CACHE/env.sh"
cat > "$ENV_FILE" <<ENV
SBF_CACHE='$CACHE'
SBF_RUSTC='$RUSTC_WEB'
SBF_CARGO='$CARGO_WEB'
SBF_LINKER='$LINKER'
SBF_STD_ROOT='$CACHE/rust-src/library'
SBF_SHIMS_BC='$SHIMS_BC'
ENV
step "ready ($CACHE)"
echo "SBF_ENV $ENV_FILE"
