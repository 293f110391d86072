# shellcheck shell=bash
# Step 1 of scripts/sbf/toolchain.sh (Debian packages) and the std-patch step, as functions so
# that scripts/sbf/test-debian-packages.sh can run them against fake package tools.
#
# Sourced; the caller defines  step MSG  (progress to stderr),  fail MSG  (prints, exits non-zero)
# and  as_root CMD...  (runs CMD as root).  The package tools can be overridden:
DPKG_QUERY=${DPKG_QUERY:-dpkg-query}
DPKG=${DPKG:-dpkg}
APT_GET=${APT_GET:-apt-get}
APT_CACHE=${APT_CACHE:-apt-cache}
# DEPIN_SBF_IGNORE_APT_WARNINGS=1 goes on with the old package lists when `apt-get update`
# reports that some of them could not be refreshed.
#
# Debian's security archive keeps only the newest revision of rustc-web, so any revision of the
# expected upstream series (e.g. 1.96.0+dfsg1-1~deb12u2, 1.96.0+dfsg1-1~deb12u3, 1.96.1+dfsg1-1~...)
# is accepted and packages are installed by name, never pinned to a revision.

SBF_RUST_PKGS=(rustc-web cargo-web rust-web-src)

# `apt-get update` exits 0 when a source cannot be fetched or its signature does not verify, and
# keeps the old lists. W:/E: lines matching this mean that happened.
SBF_APT_FAILURE_RE='Failed to fetch|failed to download|is not signed|NO_PUBKEY|EXPKEYSIG|KEYEXPIRED|REVKEYSIG|BADSIG|NODATA|GPG error|signatures? (couldn.t be verified|were invalid|verification)|not valid yet|is expired|no longer has a Release file|does not have a Release file|Temporary failure resolving|Could not resolve|Could not connect|Unable to connect|Hash Sum mismatch|unexpected size|Clearsigned file'

SBF_SECURITY_HOWTO="rustc-web, cargo-web and rust-web-src come from bookworm-security: enable it (a file in /etc/apt/sources.list.d/ with 'Types: deb', 'URIs: http://deb.debian.org/debian-security', 'Suites: bookworm-security', 'Components: main', 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg'), run 'sudo apt-get update' and check that it prints no W:/E: lines"

sbf_indent() { sed 's/^/    /' <<<"$1"; }

# Installed version of package $1, or nothing when it is not installed (removed packages whose
# configuration files remain still have a version in dpkg's database: ignored).
sbf_deb_installed_version() {
  local status version
  # shellcheck disable=SC2016  # dpkg-query's own ${...} format fields
  while IFS=$'\t' read -r status version; do
    case "$status" in *" installed") printf '%s\n' "$version"; return 0 ;; esac
  done < <("$DPKG_QUERY" -W -f='${Status}\t${Version}\n' "$1" 2>/dev/null || true)
  return 0
}

# Upstream part of a Debian version: 1.96.1+dfsg1-1~deb12u1 -> 1.96.1, 2:1.96.0~beta1-1 -> 1.96.0
sbf_deb_upstream() {
  local v=$1
  case "$v" in [0-9]*:*) v=${v#*:} ;; esac
  case "$v" in *-*) v=${v%-*} ;; esac
  printf '%s\n' "${v%%[+~]*}"
}

# Is Debian version $1 of upstream series $2 (1.96 -> 1.96.anything)?
sbf_in_series() {
  case "$(sbf_deb_upstream "$1")" in "$2".*) return 0 ;; esac
  return 1
}

# What to do when package $1 is (or would be) at version $2 (empty: not available) instead of
# series $3.
sbf_series_advice() {
  local pkg=$1 v=$2 series=$3 up lowest
  if [ -z "$v" ]; then
    echo "$SBF_SECURITY_HOWTO."
    return
  fi
  up=$(sbf_deb_upstream "$v")
  lowest=$(printf '%s\n%s\n' "$up" "$series" | sort -V | sed -n 1p)
  if [ "$lowest" = "$up" ]; then
    echo "$pkg $v is older than $series; $SBF_SECURITY_HOWTO."
  else
    echo "Debian now ships Rust ${up%.*} (Debian's security archive keeps only its newest rustc-web, so $series.x can no longer be installed from it). Update RUST_SERIES in scripts/sbf/toolchain.sh to ${up%.*}, refresh scripts/sbf/std-solana.patch against /usr/src/rustc-$up/library and set STD_PATCH_MADE_FOR, then run scripts/test.sh; or install a $series.x build of rustc-web, cargo-web and rust-web-src by hand (e.g. from snapshot.debian.org)."
  fi
}

# Candidate version apt would install for $1 (empty: none). Returns 1 when apt-cache cannot tell.
sbf_apt_candidate() {
  local out c
  out=$("$APT_CACHE" policy "$1" 2>/dev/null) || return 1
  c=$(sed -nE 's/^[[:space:]]*Candidate:[[:space:]]*//p' <<<"$out" | sed -n 1p)
  [ "$c" = "(none)" ] && c=""
  printf '%s\n' "$c"
}

# What to do about the W:/E: lines in $1.
sbf_apt_advice() {
  local lines=$1
  echo "What to do: run 'sudo apt-get update' by hand and read its W:/E: lines;"
  if grep -qE 'NO_PUBKEY|EXPKEYSIG|KEYEXPIRED|REVKEYSIG|BADSIG|NODATA|GPG error|not signed|[Ss]ignature|Clearsigned' <<<"$lines"; then
    echo "  - signature problems: the archive key is missing or expired: update debian-archive-keyring and check the Signed-By of the source in /etc/apt/sources.list.d/;"
  fi
  if grep -qE 'not valid yet|is expired' <<<"$lines"; then
    echo "  - 'not valid yet' / 'is expired': check the clock ('date -u'), or the source is a stale mirror or snapshot: point it at http://deb.debian.org;"
  fi
  if grep -qE 'Failed to fetch|failed to download|resolv|connect|Hash Sum|unexpected size|Release file' <<<"$lines"; then
    echo "  - fetch failures: check the network, proxy and the URIs of the sources in /etc/apt/sources.list.d/;"
  fi
  echo "  - $SBF_SECURITY_HOWTO;"
  echo "  - to go on with the old lists anyway: DEPIN_SBF_IGNORE_APT_WARNINGS=1."
}

# apt-get update, failing when it did not really refresh the lists.
sbf_apt_update() {
  local out rc=0 bad
  out=$(as_root "$APT_GET" update -q 2>&1) || rc=$?
  bad=$(grep -E '^(W|E):' <<<"$out" | grep -E "$SBF_APT_FAILURE_RE" || true)
  if [ "$rc" -ne 0 ]; then
    fail "the package lists could not be refreshed: 'apt-get update' exited with $rc:
$(sbf_indent "$(tail -n 15 <<<"$out")")
$(sbf_apt_advice "$out")"
  fi
  if [ -n "$bad" ]; then
    if [ "${DEPIN_SBF_IGNORE_APT_WARNINGS:-}" = 1 ]; then
      step "warning: some package lists could not be refreshed (going on, DEPIN_SBF_IGNORE_APT_WARNINGS=1):
$(sbf_indent "$bad")"
      return 0
    fi
    fail "the package lists could not be refreshed: 'apt-get update' exited 0 but reported
$(sbf_indent "$bad")
so apt would go on with old lists.
$(sbf_apt_advice "$bad")"
  fi
}

# Why the installed rustc-web/cargo-web/rust-web-src are not usable for series $1 (nothing: fine).
sbf_rust_problems() {
  local series=$1 p v ups=()
  for p in "${SBF_RUST_PKGS[@]}"; do
    v=$(sbf_deb_installed_version "$p")
    if [ -z "$v" ]; then
      echo "$p is not installed"
    elif ! sbf_in_series "$v" "$series"; then
      echo "$p $v is not $series.x"
    else
      ups+=("$p $(sbf_deb_upstream "$v")")
    fi
  done
  if [ ${#ups[@]} -gt 1 ] && [ "$(printf '%s\n' "${ups[@]}" | cut -d' ' -f2 | sort -u | wc -l)" -gt 1 ]; then
    echo "the packages are at different upstream versions ($(IFS=,; echo "${ups[*]}"))"
  fi
}

# std sources shipped by rust-web-src: the /usr/src/<dir>/library that `dpkg -L rust-web-src`
# lists, else /usr/src/rustc-<upstream version>/library (Debian's layout).
sbf_std_src_dir() {
  local version=$1 list dir
  list=$("$DPKG" -L rust-web-src 2>/dev/null) || list=""
  dir=$(sed -nE 's#^(/usr/src/[^/]+/library)(/.*)?$#\1#p' <<<"$list" | sed -n 1p)
  [ -n "$dir" ] || dir="/usr/src/rustc-$(sbf_deb_upstream "$version")/library"
  printf '%s\n' "$dir"
}

# Makes sure rustc-web, cargo-web and rust-web-src of series $1 (any revision) and the packages
# $2... are installed. Sets SBF_RUST_DEB_VERSION (rust-web-src), SBF_RUSTC_DEB_VERSION,
# SBF_RUST_UPSTREAM (e.g. 1.96.0) and SBF_STD_SRC (e.g. /usr/src/rustc-1.96.0/library).
sbf_debian_packages() {
  local series=$1 p v c out problems
  shift
  local install=() reasons=()
  problems=$(sbf_rust_problems "$series")
  if [ -n "$problems" ]; then
    install+=("${SBF_RUST_PKGS[@]}")
    while IFS= read -r p; do reasons+=("$p"); done <<<"$problems"
  fi
  for p in "$@"; do
    if [ -z "$(sbf_deb_installed_version "$p")" ]; then
      install+=("$p")
      reasons+=("$p is not installed")
    fi
  done

  if [ ${#install[@]} -gt 0 ]; then
    step "installing ${install[*]} ($(IFS=';'; echo "${reasons[*]}" | sed 's/;/; /g'))"
    sbf_apt_update
    if [ -n "$problems" ]; then
      for p in "${SBF_RUST_PKGS[@]}"; do
        c=$(sbf_apt_candidate "$p") || continue  # apt-cache cannot tell: checked after installing
        if [ -z "$c" ]; then
          fail "the package lists have no installable $p (series $series expected).
$(sbf_series_advice "$p" "" "$series")"
        fi
        if ! sbf_in_series "$c" "$series"; then
          fail "the archive serves $p $c, but this toolchain needs $series.x (any revision); nothing was installed.
$(sbf_series_advice "$p" "$c" "$series")"
        fi
      done
    fi
    out=$(as_root env DEBIAN_FRONTEND=noninteractive "$APT_GET" install -y -q "${install[@]}" 2>&1) \
      || fail "'apt-get install ${install[*]}' failed:
$(sbf_indent "$(grep -E '^(E|W):' <<<"$out" || tail -n 15 <<<"$out")")
$SBF_SECURITY_HOWTO."
  fi

  for p in "${SBF_RUST_PKGS[@]}"; do
    v=$(sbf_deb_installed_version "$p")
    [ -n "$v" ] || fail "$p is not installed after 'apt-get install'.
$(sbf_series_advice "$p" "" "$series")"
    sbf_in_series "$v" "$series" || fail "found $p $v installed, but this toolchain needs $series.x (any revision).
$(sbf_series_advice "$p" "$v" "$series")"
  done
  problems=$(sbf_rust_problems "$series")
  [ -z "$problems" ] || fail "$problems: run 'sudo apt-get install rustc-web cargo-web rust-web-src' to bring them to the same version"
  for p in "$@"; do
    [ -n "$(sbf_deb_installed_version "$p")" ] || fail "$p is not installed after 'apt-get install $p'"
  done

  SBF_RUST_DEB_VERSION=$(sbf_deb_installed_version rust-web-src)
  SBF_RUSTC_DEB_VERSION=$(sbf_deb_installed_version rustc-web)
  SBF_RUST_UPSTREAM=$(sbf_deb_upstream "$SBF_RUST_DEB_VERSION")
  SBF_STD_SRC=$(sbf_std_src_dir "$SBF_RUST_DEB_VERSION")
  export SBF_RUST_DEB_VERSION SBF_RUSTC_DEB_VERSION SBF_RUST_UPSTREAM SBF_STD_SRC
}

# Applies patch file $2 with -p1 in directory $1 (a copy of the std sources $5 of rust-web-src
# version $3; the patch was made against version $4), failing with what to do when it does not.
sbf_apply_std_patch() {
  local dir=$1 patch_file=$2 version=$3 made_for=$4 src=${5:-the rust-web-src library/} out
  if out=$(cd "$dir" && patch -p1 --forward --batch < "$patch_file" 2>&1); then
    if grep -q 'with fuzz' <<<"$out"; then
      step "warning: $(basename "$patch_file") applied with fuzz to rust-web-src $version (made against $made_for); check the hunks:
$(sbf_indent "$(grep 'with fuzz' <<<"$out")")"
    fi
    return 0
  fi
  fail "$(basename "$patch_file") does not apply to the std sources of rust-web-src $version:
$(sbf_indent "$(grep -v '^patching file' <<<"$out" | tail -n 20 || true)")
The patch was made against rust-web-src $made_for and needs refreshing for $version: apply it
by hand to a copy of $src, fix the rejected hunks (*.rej),
regenerate scripts/sbf/std-solana.patch with 'diff -ru a/library b/library', set
STD_PATCH_MADE_FOR=$version in scripts/sbf/toolchain.sh and run scripts/test.sh."
}
