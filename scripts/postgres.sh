#!/usr/bin/env bash
# Starts or stops a private PostgreSQL for the tests: its own data directory and port, loopback only.
#   source scripts/postgres.sh start   -> exports ZKSTATE_TEST_POSTGRES_URL
#   scripts/postgres.sh stop DIR
# Needs PostgreSQL's server binaries (Debian/Ubuntu: apt-get install postgresql; Fedora: dnf install
# postgresql-server; macOS: brew install postgresql@15). Runs the server as the `postgres` user when
# started as root, because PostgreSQL refuses to run as root.

pg_bindir() {
    local dir
    for dir in "${PG_BINDIR:-}" /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin /usr/pgsql-*/bin /opt/homebrew/opt/postgresql@15/bin; do
        if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
    done
    if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then dirname "$(command -v pg_ctl)"; return 0; fi
    return 1
}

pg_as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
    local bindir port dir
    if ! bindir=$(pg_bindir); then
        echo "postgres.sh: PostgreSQL server binaries not found (install them: apt-get install postgresql, or set PG_BINDIR)" >&2
        return 1
    fi
    dir=$(mktemp -d /tmp/zkstate-pg.XXXXXX)
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    echo "zkstate-test-password" > "$dir/pwfile"
    if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir"; fi
    pg_as_owner "$bindir/initdb" -D "$dir/data" -U zkstate --pwfile="$dir/pwfile" --auth-host=scram-sha-256 \
        --auth-local=trust -E UTF8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
    pg_as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=256MB" start >/dev/null \
        || { cat "$dir/server.log" >&2; return 1; }
    pg_as_owner "$bindir/psql" -h "$dir" -p "$port" -U zkstate -d postgres -qc "CREATE DATABASE zkstate_test" >/dev/null
    export ZKSTATE_TEST_POSTGRES_URL="postgresql://zkstate:zkstate-test-password@127.0.0.1:$port/zkstate_test"
    export ZKSTATE_TEST_POSTGRES_DIR="$dir"
    echo "postgres.sh: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $dir" >&2
}

pg_stop() {
    local dir=$1 bindir
    [ -n "$dir" ] && [ -d "$dir" ] || return 0
    bindir=$(pg_bindir) && pg_as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1
    rm -rf "$dir"
}

case "${1:-}" in
    start) pg_start ;;
    stop) pg_stop "${2:-${ZKSTATE_TEST_POSTGRES_DIR:-}}" ;;
esac
