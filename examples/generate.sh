#!/usr/bin/env bash
# Regenerate the bundled examples (deterministic). Needs /usr/bin/python3;
# h5py is optional (the Keras example is skipped without it).
set -euo pipefail
cd "$(dirname "$0")"
/usr/bin/python3 generate.py
