#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on loopback for the tracker tests.
#
#   eval "$(bash scripts/ci-postgres.sh)"     # sets SMSSTATUS_TEST_POSTGRES_DSN
#
# * installs the Debian packages (postgresql) with apt-get when no server
#   binaries are found (needs root);
# * keeps its own cluster in $SMSSTATUS_PG_DIR (default /tmp/smsstatus-pg),
#   listening on 127.0.0.1:$SMSSTATUS_PG_PORT (default 55432) only, with trust
#   authentication for loopback connections: a test server, never a real one;
# * creates the database (default smsstatus_test) when missing;
# * is idempotent and returns at once when the server is already up.
#
# Everything but the final `export ...` line goes to stderr.
set -euo pipefail

PG_DIR="${SMSSTATUS_PG_DIR:-/tmp/smsstatus-pg}"
PG_PORT="${SMSSTATUS_PG_PORT:-55432}"
PG_DB="${SMSSTATUS_PG_DB:-smsstatus_test}"
PG_USER="${SMSSTATUS_PG_USER:-smsstatus}"
RUN_AS="${SMSSTATUS_PG_OS_USER:-postgres}"

log() { echo "ci-postgres: $*" >&2; }

find_bindir() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            echo "$dir"
        fi
    done | sort -V | tail -n 1
}

BIN="$(find_bindir || true)"
if [ -z "$BIN" ]; then
    log "installing PostgreSQL (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends postgresql postgresql-client >&2
    BIN="$(find_bindir)"
fi

# The server refuses to run as root: run it as an unprivileged OS user.
if [ "$(id -u)" = "0" ]; then
    if ! id "$RUN_AS" >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_AS"
    fi
    as_owner() { runuser -u "$RUN_AS" -- "$@"; }
else
    RUN_AS="$(id -un)"
    as_owner() { "$@"; }
fi

ready() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" >/dev/null 2>&1; }

if ! ready; then
    if [ ! -s "$PG_DIR/PG_VERSION" ]; then
        log "creating cluster in $PG_DIR"
        mkdir -p "$PG_DIR"
        chown "$RUN_AS" "$PG_DIR"
        chmod 700 "$PG_DIR"
        as_owner "$BIN/initdb" -D "$PG_DIR" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    # Loopback only; the socket directory is the data directory (no /run access needed);
    # fsync stays on: the crash tests rely on committed data surviving.
    # The server outlives this script: it must not inherit the caller's open
    # descriptors (land.sh's flock on fd 9 would stay held by it for good), so
    # everything but stdin/stdout/stderr is closed first.
    (
        for fd in /proc/$BASHPID/fd/*; do
            fd="${fd##*/}"
            if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
        done
        as_owner "$BIN/pg_ctl" -D "$PG_DIR" -l "$PG_DIR/server.log" -w -t 60 start \
            -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$PG_DIR -c max_connections=200" >/dev/null
    )
fi

psql_admin() { "$BIN/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }

if [ -z "$(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'")" ]; then
    psql_admin -c "CREATE ROLE \"$PG_USER\" LOGIN" >&2
fi
if [ -z "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" ]; then
    psql_admin -c "CREATE DATABASE \"$PG_DB\" OWNER \"$PG_USER\"" >&2
fi

echo "export SMSSTATUS_TEST_POSTGRES_DSN=postgresql://$PG_USER@127.0.0.1:$PG_PORT/$PG_DB"
