#!/usr/bin/env bash
# The project's test command: what a new user and CI both run.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d ../shared/vectors ]; then
    echo "test.sh: ../shared/vectors is missing (the public test vectors must sit next to the package)" >&2
    exit 1
fi
swift build -c release --build-tests
swift test -c release --skip-build
