#!/bin/bash
# Differential test of the OSV verdicts: every sampled (package, version) pin
# of the shared PyPI snapshot is scanned and its advisories compared with an
# independent implementation (python3-packaging + OSV's range evaluation) in
# osv_differential.py. Skips (77) without the snapshot or python3-packaging.
# `osv_differential.py --full` checks every pair (about 420,000; minutes).
set -u
PY=${WT_PYTHON:-/usr/bin/python3}
"$PY" -c 'import packaging.version' 2>/dev/null || { echo "SKIP: python3-packaging missing"; exit 77; }
exec "$PY" "${WT_SRC:?}/tests/deps/osv_differential.py" --bin "${WT_BIN:?}" \
    --zip "${WT_SHARED:?}/data/osv/PyPI.zip"
