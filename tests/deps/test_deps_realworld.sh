#!/bin/bash
# Real-world dependency files (poetry.lock, uv.lock, Pipfile.lock, a
# pip-compile requirements.txt with hashes, includes, markers, extras, URLs,
# a notebook with pip install lines) against the shared OSV snapshot: every
# package gets the reference verdict (osv_differential.py) at the right
# file:line. Skips (77) without the snapshot or python3-packaging.
set -u
PY=${WT_PYTHON:-/usr/bin/python3}
"$PY" -c 'import packaging.version' 2>/dev/null || { echo "SKIP: python3-packaging missing"; exit 77; }
exec "$PY" "${WT_SRC:?}/tests/deps/realworld_deps.py" --bin "${WT_BIN:?}" --zip "${WT_SHARED:?}/data/osv/PyPI.zip"
