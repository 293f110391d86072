#!/usr/bin/env bash
# Installs or builds everything the upstream-LLVM SBPF build needs, without Anza's
# platform-tools, and caches it under $DEPIN_SBF_CACHE (default ~/.cache/depin-kit/sbf):
#
#   1. Debian rustc-web / cargo-web / rust-web-src 1.96.x (any revision) and llvm-22 (for
#      llvm-as); the checks live in scripts/sbf/debian-packages.sh (tested by
#      scripts/sbf/test-debian-packages.sh)
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
# rustc-web / cargo-web / rust-web-src: any revision of this upstream series. Debian's security
# archive keeps only the newest revision, so none is pinned.
RUST_SERIES=1.96
# the rust-web-src revision scripts/sbf/std-solana.patch was made against (for messages)
STD_PATCH_MADE_FOR=1.96.0+dfsg1-1~deb12u2
LLVM_WHEEL_VERSION=23.1.1.post0
LINKER_VERSION=0.2.6
mkdir -p "$CACHE"

step() { echo "sbf-toolchain: $*" >&2; }
fail() { echo "sbf-toolchain: FAILED at step '$CURRENT': $*" >&2; exit 1; }
stamp_ok() { [ -f "$CACHE/stamps/$1" ] && [ "$(cat "$CACHE/stamps/$1")" = "$2" ]; }
stamp() { mkdir -p "$CACHE/stamps"; echo "$2" > "$CACHE/stamps/$1"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else fail "needs root for: $*"; fi; }
# shellcheck source=scripts/sbf/debian-packages.sh
source "$ROOT/scripts/sbf/debian-packages.sh"

# 1. Debian packages --------------------------------------------------------------------
CURRENT="debian packages"
# sets SBF_RUST_DEB_VERSION, SBF_RUSTC_DEB_VERSION, SBF_RUST_UPSTREAM and SBF_STD_SRC
sbf_debian_packages "$RUST_SERIES" llvm-22 libzstd-dev zlib1g-dev patch
RUSTC_WEB=/usr/bin/rustc
CARGO_WEB=/usr/bin/cargo
rustc_version=$("$RUSTC_WEB" --version 2>&1) || fail "$RUSTC_WEB does not run: $rustc_version"
case "$rustc_version" in
  "rustc $SBF_RUST_UPSTREAM "*|"rustc $SBF_RUST_UPSTREAM") ;;
  *) fail "$RUSTC_WEB is '$rustc_version', expected rustc $SBF_RUST_UPSTREAM of rustc-web $SBF_RUSTC_DEB_VERSION ('dpkg -S $RUSTC_WEB' says which package owns it)" ;;
esac
LLVM_AS=$(command -v llvm-as-22) || fail "llvm-as-22 not found"
STD_SRC=$SBF_STD_SRC
[ -d "$STD_SRC/std" ] || fail "$STD_SRC/std missing (rust-web-src $SBF_RUST_DEB_VERSION; 'dpkg -L rust-web-src' shows where it put the sources)"

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
# the stamp names the installed rust-web-src revision: a new revision re-copies and re-patches
if ! stamp_ok std "$SBF_RUST_DEB_VERSION/$patch_sum"; then
  step "copying std sources of rust-web-src $SBF_RUST_DEB_VERSION and applying std-solana.patch"
  rm -rf "$CACHE/rust-src"
  mkdir -p "$CACHE/rust-src"
  cp -r "$STD_SRC" "$CACHE/rust-src/library"
  # Cargo.lock of the std workspace sits beside library/ in the Debian package.
  STD_LOCK="$(dirname "$STD_SRC")/Cargo.lock"
  if [ -f "$STD_LOCK" ]; then cp "$STD_LOCK" "$CACHE/rust-src/"; fi
  sbf_apply_std_patch "$CACHE/rust-src" "$PATCH" "$SBF_RUST_DEB_VERSION" "$STD_PATCH_MADE_FOR" "$STD_SRC"
  # a changed std invalidates the prebuilt std of earlier builds
  rm -rf "$ROOT/target/sbf/bpfel-solana/release/.fingerprint/std-"* "$ROOT/target/sbf/bpfel-solana/release/deps/libstd-"*
  stamp std "$SBF_RUST_DEB_VERSION/$patch_sum"
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
