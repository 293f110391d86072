#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for the oracle's storage tests.
#   scripts/postgres.sh start DIR PORT   prints the URL to use (trust auth, user `depin`)
#   scripts/postgres.sh stop DIR
# As root the server runs as the unprivileged `nobody` (PostgreSQL refuses root); nothing
# outside DIR is touched.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "postgres.sh: no PostgreSQL server (apt-get install postgresql)" >&2; exit 1; }
as_user() {
  if [ "$(id -u)" = 0 ]; then setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; else "$@"; fi
}
cmd=${1:?start or stop}; dir=${2:?data directory}
case "$cmd" in
  start)
    port=${3:?port}
    rm -rf "$dir"; mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown nobody:nogroup "$dir"
    as_user "$bin/initdb" -D "$dir/data" -U depin --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://depin@127.0.0.1:$port/postgres"
    ;;
  stop)
    [ -d "$dir/data" ] && as_user "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    ;;
  *) echo "postgres.sh: start or stop" >&2; exit 1 ;;
esac
