#!/usr/bin/env bash
# Creates (once) the Python virtual environment of the interoperability test: grpcio and
# grpcio-tools from PyPI, in .venv-interop/. Prints the interpreter's path.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-interop
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import grpc, grpc_tools" 2>/dev/null; then
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check "grpcio>=1.60" "grpcio-tools>=1.60" >&2
fi
echo "$PWD/$venv/bin/python"
