#!/usr/bin/env bash
# The project's test command: what a new user and CI both run.
# Builds in release, starts a private PostgreSQL (scripts/postgres.sh) for the store tests, runs
# every test, runs the gRPC interoperability test with Python grpcio from a virtual environment
# (scripts/python-env.sh, installed from PyPI on first use), and stops the server. With CI=true the PostgreSQL tests must run: a server that
# cannot start fails the run instead of skipping them.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d ../shared/vectors ]; then
    echo "test.sh: ../shared/vectors is missing (the public test vectors must sit next to the package)" >&2
    exit 1
fi
if [ ! -e /usr/include/sqlite3.h ] && [ ! -e /usr/local/include/sqlite3.h ] && [ "$(uname)" = Linux ]; then
    echo "test.sh: SQLite's headers are missing (apt-get install libsqlite3-dev)" >&2
    exit 1
fi
swift build -c release --build-tests
if [ -z "${ZKSTATE_TEST_POSTGRES_URL:-}" ]; then
    # shellcheck source=postgres.sh
    source scripts/postgres.sh
    if pg_start; then
        trap 'pg_stop "$ZKSTATE_TEST_POSTGRES_DIR"' EXIT
    elif [ "${CI:-}" = true ]; then
        echo "test.sh: CI=true and PostgreSQL could not be started" >&2
        exit 1
    else
        echo "test.sh: PostgreSQL could not be started; its tests will be skipped" >&2
    fi
fi
swift test -c release --skip-build "$@"
# The gRPC interoperability test: an independent Python grpcio client against `zkstate serve`.
if python=$(scripts/python-env.sh); then
    "$python" Tests/Interop/hashdb_client.py .build/release/zkstate
elif [ "${CI:-}" = true ]; then
    echo "test.sh: CI=true and the Python environment (grpcio) could not be installed" >&2
    exit 1
else
    echo "test.sh: Python grpcio could not be installed; the interoperability test is skipped" >&2
fi
