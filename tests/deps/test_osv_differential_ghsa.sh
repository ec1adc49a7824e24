#!/bin/bash
# The OSV differential test (osv_differential.py) on the snapshot plus a
# GHSA record next to every PYSEC one that names a GHSA id, as the live
# export has them (CVE aliases only, ranges but no versions list, `_` in the
# package name): each PYSEC/GHSA pair must be one advisory entry, and every
# verdict must still agree. Another seed than test_osv_differential.sh, a
# smaller sample. Skips (77) without the snapshot or python3-packaging.
set -u
PY=${WT_PYTHON:-/usr/bin/python3}
"$PY" -c 'import packaging.version' 2>/dev/null || { echo "SKIP: python3-packaging missing"; exit 77; }
exec "$PY" "${WT_SRC:?}/tests/deps/osv_differential.py" --bin "${WT_BIN:?}" \
    --zip "${WT_SHARED:?}/data/osv/PyPI.zip" --ghsa-twins --seed 2 --max-per-pkg 30 --ranges-per-pkg 4
