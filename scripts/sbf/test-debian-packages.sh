#!/usr/bin/env bash
# Tests the Debian-package step of scripts/sbf/toolchain.sh (scripts/sbf/debian-packages.sh)
# against fake dpkg-query, dpkg, apt-get and apt-cache in a temporary directory. Never runs the
# real package tools, needs no root and no network:  bash scripts/sbf/test-debian-packages.sh
# Prints one line per case and `N passed, N failed`; exits non-zero when a case failed.
# SHOW=1 also prints what the functions printed in each case (the messages users would see).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
LIB="$HERE/debian-packages.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
BIN="$TMP/bin"
mkdir -p "$BIN"

# --- fakes: state in $FAKE_STATE/{installed,status,archive,files}/<package>, calls in $FAKE_STATE/log
cat > "$BIN/dpkg-query" <<'EOF'
#!/usr/bin/env bash
# fake dpkg-query -W [-f FORMAT] PACKAGE...
echo "dpkg-query $*" >> "$FAKE_STATE/log"
fmt='${Package}\t${Version}\n'; pkgs=()
while [ $# -gt 0 ]; do
  case "$1" in
    -W|--show) ;;
    -f|--showformat) shift; fmt=$1 ;;
    -f*|--showformat=*) fmt=${1#--showformat=}; fmt=${fmt#-f}; fmt=${fmt#=} ;;
    -*) echo "fake dpkg-query: unsupported option $1" >&2; exit 2 ;;
    *) pkgs+=("$1") ;;
  esac
  shift
done
rc=0
for p in "${pkgs[@]}"; do
  if [ -f "$FAKE_STATE/installed/$p" ]; then
    v=$(cat "$FAKE_STATE/installed/$p")
    st=$(cat "$FAKE_STATE/status/$p" 2>/dev/null || echo "install ok installed")
    o=${fmt//'${Package}'/$p}; o=${o//'${Version}'/$v}; o=${o//'${Status}'/$st}
    printf '%b' "$o"
  else
    echo "dpkg-query: no packages found matching $p" >&2; rc=1
  fi
done
exit $rc
EOF
cat > "$BIN/dpkg" <<'EOF'
#!/usr/bin/env bash
# fake dpkg -L PACKAGE: prints $FAKE_STATE/files/PACKAGE
echo "dpkg $*" >> "$FAKE_STATE/log"
[ "${1:-}" = -L ] && [ -f "$FAKE_STATE/files/${2:-}" ] && exec cat "$FAKE_STATE/files/$2"
echo "dpkg-query: package '${2:-}' is not installed" >&2
exit 1
EOF
cat > "$BIN/apt-get" <<'EOF'
#!/usr/bin/env bash
# fake apt-get update (prints $FAKE_STATE/update-output, exits $FAKE_STATE/update-rc or 0)
# and apt-get install PACKAGE... (installs the version in $FAKE_STATE/archive/PACKAGE)
echo "apt-get $*" >> "$FAKE_STATE/log"
cmd=""; pkgs=()
for a in "$@"; do
  case "$a" in -*) ;; *) if [ -z "$cmd" ]; then cmd=$a; else pkgs+=("$a"); fi ;; esac
done
case "$cmd" in
  update)
    [ -f "$FAKE_STATE/update-output" ] && cat "$FAKE_STATE/update-output"
    exit "$(cat "$FAKE_STATE/update-rc" 2>/dev/null || echo 0)" ;;
  install)
    for p in "${pkgs[@]}"; do
      case "$p" in *=*) echo "E: Version '${p#*=}' for '${p%%=*}' was not found" >&2; exit 100 ;; esac
      [ -f "$FAKE_STATE/archive/$p" ] || { echo "E: Unable to locate package $p" >&2; exit 100; }
    done
    mkdir -p "$FAKE_STATE/installed"
    for p in "${pkgs[@]}"; do
      cp "$FAKE_STATE/archive/$p" "$FAKE_STATE/installed/$p"; rm -f "$FAKE_STATE/status/$p"
    done ;;
  *) echo "E: fake apt-get: unsupported $cmd" >&2; exit 100 ;;
esac
EOF
cat > "$BIN/apt-cache" <<'EOF'
#!/usr/bin/env bash
# fake apt-cache policy PACKAGE...
echo "apt-cache $*" >> "$FAKE_STATE/log"
[ "${1:-}" = policy ] || exit 100
shift
for p in "$@"; do
  inst=$(cat "$FAKE_STATE/installed/$p" 2>/dev/null || echo "(none)")
  cand=$(cat "$FAKE_STATE/archive/$p" 2>/dev/null || echo "$inst")
  [ "$inst$cand" = "(none)(none)" ] && continue   # unknown package: apt-cache prints nothing
  printf '%s:\n  Installed: %s\n  Candidate: %s\n  Version table:\n' "$p" "$inst" "$cand"
done
EOF
# anything that tries to become root or reach the real tools through sudo fails loudly
printf '#!/bin/sh\necho "fake sudo: must not be called: $*" >&2\nexit 99\n' > "$BIN/sudo"
chmod +x "$BIN"/*

# the driver runs the functions under the same shell options as toolchain.sh
cat > "$TMP/driver.sh" <<'EOF'
set -euo pipefail
step() { echo "step: $*" >&2; }
fail() { echo "FAILED: $*" >&2; exit 1; }
as_root() { "$@"; }
# shellcheck source=/dev/null
source "$LIB"
case "$1" in
  packages)
    sbf_debian_packages 1.96 llvm-22 patch
    echo "RESULT rust-web-src=$SBF_RUST_DEB_VERSION rustc-web=$SBF_RUSTC_DEB_VERSION upstream=$SBF_RUST_UPSTREAM std=$SBF_STD_SRC" ;;
  patch) sbf_apply_std_patch "$2" "$3" "$4" "$5" "$6"; echo "RESULT patched" ;;
  upstream) shift; for v in "$@"; do printf '%s ' "$(sbf_deb_upstream "$v")"; done; echo ;;
esac
EOF

PASSED=0 FAILED=0 CASE_N=0
OUT="" RC=0 STATE=""
new_state() { # fresh fake system; llvm-22 and patch installed
  CASE_N=$((CASE_N + 1))
  STATE="$TMP/state$CASE_N"
  mkdir -p "$STATE/installed" "$STATE/status" "$STATE/archive" "$STATE/files"
  : > "$STATE/log"
  echo 1:22.1.0-1 > "$STATE/installed/llvm-22"
  echo 2.7.6-7 > "$STATE/installed/patch"
}
installed() { local v=$1; shift; for p in "$@"; do echo "$v" > "$STATE/installed/$p"; done; }
archive() { local v=$1; shift; for p in "$@"; do echo "$v" > "$STATE/archive/$p"; done; }
RUST=(rustc-web cargo-web rust-web-src)
run() { # run <driver args...>: sets OUT (stdout+stderr) and RC
  RC=0
  OUT=$(env PATH="$BIN:$PATH" FAKE_STATE="$STATE" LIB="$LIB" \
    DPKG_QUERY="${T_DPKG_QUERY:-$BIN/dpkg-query}" DPKG="$BIN/dpkg" APT_GET="$BIN/apt-get" \
    APT_CACHE="${T_APT_CACHE:-$BIN/apt-cache}" DEPIN_SBF_IGNORE_APT_WARNINGS="${T_IGNORE:-}" \
    bash "$TMP/driver.sh" "$@" 2>&1) || RC=$?
}
log() { cat "$STATE/log"; }
ERRS=()
check() { # check DESCRIPTION COMMAND...: records a failed expectation
  local what=$1; shift
  "$@" || ERRS+=("$what")
}
has() { grep -qF -- "$1" <<<"$2"; }
hasnt() { ! grep -qF -- "$1" <<<"$2"; }
finish() { # finish CASE-NAME
  if [ ${#ERRS[@]} -eq 0 ]; then
    PASSED=$((PASSED + 1)); echo "ok   $1"
  else
    FAILED=$((FAILED + 1)); echo "FAIL $1"
    printf '       expected: %s\n' "${ERRS[@]}"
    echo "       exit $RC, output:"; sed 's/^/         | /' <<<"$OUT"
    echo "       calls:"; sed 's/^/         | /' "$STATE/log"
  fi
  ERRS=()
  if [ -n "${SHOW:-}" ]; then sed 's/^/       > /' <<<"$OUT"; fi
}

# (a) installed revisions other than the one the script was written against: accepted, no apt
for v in 1.96.0+dfsg1-1~deb12u3 1.96.1+dfsg1-1~deb12u1; do
  new_state; installed "$v" "${RUST[@]}"
  run packages
  check "exit 0" [ "$RC" = 0 ]
  check "rust-web-src $v reported" has "rust-web-src=$v " "$OUT"
  check "no apt-get call" hasnt "apt-get" "$(log)"
  check "no apt-cache call" hasnt "apt-cache" "$(log)"
  check "dpkg-query used" has "dpkg-query -W" "$(log)"
  finish "(a) installed $v accepted without installing anything"
done

# (b) a missing package: apt-get update, then install by name (no =revision)
new_state; installed 1.96.0+dfsg1-1~deb12u2 cargo-web rust-web-src; rm "$STATE/installed/llvm-22"
archive 1.96.0+dfsg1-1~deb12u3 "${RUST[@]}"; archive 1:22.1.0-1 llvm-22
run packages
check "exit 0" [ "$RC" = 0 ]
check "apt-get update called" grep -qx 'apt-get update -q' "$STATE/log"
check "update before install" [ "$(grep -E '^apt-get (update|install)' "$STATE/log" | cut -d' ' -f2 | tr '\n' ' ')" = "update install " ]
check "install by name" grep -qx 'apt-get install -y -q rustc-web cargo-web rust-web-src llvm-22' "$STATE/log"
check "no pinned revision" hasnt "=" "$(grep '^apt-get install' "$STATE/log")"
check "all three at the served revision" has "rust-web-src=1.96.0+dfsg1-1~deb12u3 rustc-web=1.96.0+dfsg1-1~deb12u3 " "$OUT"
finish "(b) missing rustc-web and llvm-22: apt-get update + apt-get install by name"

# (b2) a removed package whose config files remain counts as missing
new_state; installed 1.96.0+dfsg1-1~deb12u2 "${RUST[@]}"; echo "deinstall ok config-files" > "$STATE/status/rustc-web"
archive 1.96.0+dfsg1-1~deb12u3 "${RUST[@]}"
run packages
check "exit 0" [ "$RC" = 0 ]
check "installed again" grep -qx 'apt-get install -y -q rustc-web cargo-web rust-web-src' "$STATE/log"
finish "(b2) rustc-web removed (config-files only) is reinstalled"

# (b3) packages at different upstream versions are brought together
new_state; installed 1.96.1+dfsg1-1~deb12u1 rustc-web cargo-web; installed 1.96.0+dfsg1-1~deb12u2 rust-web-src
archive 1.96.1+dfsg1-1~deb12u1 "${RUST[@]}"
run packages
check "exit 0" [ "$RC" = 0 ]
check "reason named" has "different upstream versions" "$OUT"
check "installed by name" grep -qx 'apt-get install -y -q rustc-web cargo-web rust-web-src' "$STATE/log"
check "upstream 1.96.1" has "upstream=1.96.1 " "$OUT"
finish "(b3) rustc-web 1.96.1 with rust-web-src 1.96.0: reinstalled to one version"

# (c) apt-get update exits 0 but could not refresh the lists
case_update_warning() { # case_update_warning NAME EXPECTED-ADVICE OUTPUT-LINES...
  local name=$1 advice=$2; shift 2
  new_state; archive 1.96.0+dfsg1-1~deb12u3 "${RUST[@]}"
  printf '%s\n' "$@" > "$STATE/update-output"
  run packages
  check "non-zero exit" [ "$RC" != 0 ]
  check "says the lists could not be refreshed" has "package lists could not be refreshed" "$OUT"
  for l in "$@"; do case "$l" in W:*|E:*) check "quotes: $l" has "$l" "$OUT" ;; esac; done
  check "advice: $advice" has "$advice" "$OUT"
  check "advice: run apt-get update by hand" has "run 'sudo apt-get update' by hand" "$OUT"
  check "no install attempted" hasnt "apt-get install" "$(log)"
  check "no missing-package report" hasnt "Unable to locate" "$OUT"
  finish "$name"
}
case_update_warning "(c) 'W: GPG error ... NO_PUBKEY' with exit 0 is a list-refresh failure" "archive key is missing or expired" \
  "Hit:1 http://deb.debian.org/debian bookworm InRelease" \
  "Get:2 http://deb.debian.org/debian-security bookworm-security InRelease [48.0 kB]" \
  "W: GPG error: http://deb.debian.org/debian-security bookworm-security InRelease: The following signatures couldn't be verified because the public key is not available: NO_PUBKEY 54404762BBB6E853 NO_PUBKEY BDE6D2B9216EC7A8" \
  "E: The repository 'http://deb.debian.org/debian-security bookworm-security InRelease' is not signed." \
  "N: Updating from such a repository can't be done securely, and is therefore disabled by default."
case_update_warning "(c2) 'E: Failed to fetch' / 'Some index files failed to download' with exit 0" "check the network" \
  "Err:1 http://deb.debian.org/debian-security bookworm-security InRelease" \
  "  Temporary failure resolving 'deb.debian.org'" \
  "E: Failed to fetch http://deb.debian.org/debian-security/dists/bookworm-security/InRelease  Temporary failure resolving 'deb.debian.org'" \
  "W: Some index files failed to download. They have been ignored, or old ones used instead."
case_update_warning "(c3) expired / not-yet-valid Release files with exit 0" "check the clock" \
  "E: Release file for http://deb.debian.org/debian-security/dists/bookworm-security/InRelease is expired (invalid since 188d 2h 4min 11s). Updates for this repository will not be applied." \
  "E: Release file for http://deb.debian.org/debian/dists/bookworm-updates/InRelease is not valid yet (invalid for another 5h 2min 10s). Updates for this repository will not be applied."

# (c4) apt-get update failing outright
new_state; archive 1.96.0+dfsg1-1~deb12u3 "${RUST[@]}"
echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (apt-get)" > "$STATE/update-output"
echo 100 > "$STATE/update-rc"
run packages
check "non-zero exit" [ "$RC" != 0 ]
check "names the exit code" has "exited with 100" "$OUT"
check "quotes the error" has "Could not get lock" "$OUT"
check "no install attempted" hasnt "apt-get install" "$(log)"
finish "(c4) apt-get update exiting 100 is reported with its output"

# (c5) harmless warnings do not count; DEPIN_SBF_IGNORE_APT_WARNINGS=1 goes on after real ones
new_state; archive 1.96.0+dfsg1-1~deb12u3 "${RUST[@]}"
printf '%s\n' "W: http://packages.cloud.google.com/apt/dists/cloud-sdk/InRelease: Key is stored in legacy trusted.gpg keyring (/etc/apt/trusted.gpg), see the DEPRECATION section in apt-key(8) for details." \
  "W: Target Packages (main/binary-amd64/Packages) is configured multiple times in /etc/apt/sources.list.d/a.list:1 and /etc/apt/sources.list.d/b.list:1" \
  > "$STATE/update-output"
run packages
check "exit 0 with harmless warnings" [ "$RC" = 0 ]
check "installed" grep -q '^apt-get install' "$STATE/log"
new_state; archive 1.96.0+dfsg1-1~deb12u3 "${RUST[@]}"
echo "W: Failed to fetch http://deb.debian.org/debian-security/dists/bookworm-security/InRelease  Could not connect" > "$STATE/update-output"
T_IGNORE=1 run packages
check "exit 0 with DEPIN_SBF_IGNORE_APT_WARNINGS=1" [ "$RC" = 0 ]
check "warning printed" has "warning: some package lists could not be refreshed" "$OUT"
finish "(c5) harmless apt warnings pass; DEPIN_SBF_IGNORE_APT_WARNINGS=1 overrides"

# (d) the archive serves 1.97: refused before installing, naming the version
new_state; archive 1.97.0+dfsg1-1~deb12u1 "${RUST[@]}"
run packages
check "non-zero exit" [ "$RC" != 0 ]
check "names the version found" has "rustc-web 1.97.0+dfsg1-1~deb12u1" "$OUT"
check "says what is needed" has "needs 1.96.x" "$OUT"
check "says to update the series" has "Update RUST_SERIES in scripts/sbf/toolchain.sh to 1.97" "$OUT"
check "says to refresh the patch" has "refresh scripts/sbf/std-solana.patch" "$OUT"
check "nothing installed" hasnt "apt-get install" "$(log)"
finish "(d) archive serving 1.97.0 refused before installing"

# (d2) without apt-cache (cannot tell the candidate) the installed version is checked afterwards
new_state; archive 1.97.0+dfsg1-1~deb12u1 "${RUST[@]}"
T_APT_CACHE=false run packages
check "non-zero exit" [ "$RC" != 0 ]
check "names the installed version" has "found rustc-web 1.97.0+dfsg1-1~deb12u1 installed" "$OUT"
check "says to update the series" has "Update RUST_SERIES" "$OUT"
finish "(d2) 1.97.0 installed by apt-get is refused afterwards, naming the version"

# (d3) only bookworm's 1.85 (bookworm-security not enabled) / no rustc-web at all
new_state; archive 1.85.0+dfsg3-1~deb12u3 "${RUST[@]}"
run packages
check "non-zero exit" [ "$RC" != 0 ]
check "names the version found" has "rustc-web 1.85.0+dfsg3-1~deb12u3" "$OUT"
check "older" has "is older than 1.96" "$OUT"
check "enable bookworm-security" has "Suites: bookworm-security" "$OUT"
check "nothing installed" hasnt "apt-get install" "$(log)"
new_state
run packages
check "non-zero exit (no rustc-web)" [ "$RC" != 0 ]
check "no installable rustc-web" has "no installable rustc-web" "$OUT"
check "enable bookworm-security (no rustc-web)" has "bookworm-security" "$OUT"
finish "(d3) archive with only 1.85.0 or no rustc-web: enable bookworm-security"

# (e) std source path from the installed rust-web-src
new_state; installed 1.96.1+dfsg1-1~deb12u1 "${RUST[@]}"
run packages
check "exit 0" [ "$RC" = 0 ]
check "from the version" has "std=/usr/src/rustc-1.96.1/library" "$OUT"
finish "(e) std sources of 1.96.1+dfsg1-1~deb12u1 at /usr/src/rustc-1.96.1/library (from the version)"

new_state; installed 1.96.2+dfsg1-1~deb12u1 "${RUST[@]}"
printf '%s\n' /. /usr /usr/src /usr/src/rustc-1.96.2 /usr/src/rustc-1.96.2/Cargo.lock \
  /usr/src/rustc-1.96.2/library /usr/src/rustc-1.96.2/library/std /usr/src/rustc-1.96.2/library/std/src/lib.rs \
  /usr/lib/rustlib/src/rust > "$STATE/files/rust-web-src"
run packages
check "from dpkg -L" has "std=/usr/src/rustc-1.96.2/library" "$OUT"
check "dpkg -L used" grep -qx 'dpkg -L rust-web-src' "$STATE/log"
sed -i 's#/usr/src/rustc-1.96.2#/usr/src/rustc-web-1.96#' "$STATE/files/rust-web-src"
run packages
check "another layout from dpkg -L" has "std=/usr/src/rustc-web-1.96/library" "$OUT"
finish "(e2) std sources from 'dpkg -L rust-web-src' (any /usr/src/<dir>/library layout)"

new_state
run upstream 1.96.0+dfsg1-1~deb12u2 1.96.1+dfsg1-1~deb12u1 2:1.96.3+dfsg-1 1.96.0~beta.1+dfsg-1 1.96.4 1.97.0-2
check "upstream versions" [ "$OUT" = "1.96.0 1.96.1 1.96.3 1.96.0 1.96.4 1.97.0 " ]
finish "(e3) upstream version of Debian versions (epoch, +dfsg, ~deb12uN, no revision)"

# (f) std-solana.patch that does not apply: names the revision and says the patch needs refreshing
if command -v patch >/dev/null; then
  new_state
  mkdir -p "$TMP/src/library/std/src"
  printf 'fn a() {}\nfn b() {}\nfn c() {}\n' > "$TMP/src/library/std/src/lib.rs"
  cat > "$TMP/good.patch" <<'EOF'
--- a/library/std/src/lib.rs
+++ b/library/std/src/lib.rs
@@ -1,3 +1,4 @@
 fn a() {}
+#[cfg(target_os = "solana")]
 fn b() {}
 fn c() {}
EOF
  cat > "$TMP/bad.patch" <<'EOF'
--- a/library/std/src/lib.rs
+++ b/library/std/src/lib.rs
@@ -1,3 +1,3 @@
 fn a() {}
-fn b_of_an_older_std() {}
+#[cfg(target_os = "solana")] fn b() {}
 fn c() {}
EOF
  cp -r "$TMP/src" "$TMP/src-good"
  run patch "$TMP/src-good" "$TMP/good.patch" 1.96.0+dfsg1-1~deb12u3 1.96.0+dfsg1-1~deb12u2 /usr/src/rustc-1.96.0/library
  check "applying patch: exit 0" [ "$RC" = 0 ]
  check "patched" grep -q solana "$TMP/src-good/library/std/src/lib.rs"
  run patch "$TMP/src" "$TMP/bad.patch" 1.96.1+dfsg1-1~deb12u1 1.96.0+dfsg1-1~deb12u2 /usr/src/rustc-1.96.1/library
  check "non-zero exit" [ "$RC" != 0 ]
  check "says it does not apply to that revision" has "bad.patch does not apply to the std sources of rust-web-src 1.96.1+dfsg1-1~deb12u1" "$OUT"
  check "says it needs refreshing" has "needs refreshing for 1.96.1+dfsg1-1~deb12u1" "$OUT"
  check "names the revision it was made for" has "made against rust-web-src 1.96.0+dfsg1-1~deb12u2" "$OUT"
  check "quotes patch's output" has "Hunk #1 FAILED" "$OUT"
  finish "(f) std-solana.patch not applying to a new revision: clear message"
else
  echo "skip (f) std patch: no 'patch' command"
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
