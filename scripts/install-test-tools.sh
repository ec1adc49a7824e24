#!/usr/bin/env bash
# Tools the tests need that do not come from Debian: npm packages installed
# into .cache/node (s3rver for the S3 tests, playwright-core for browser tests).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f tests/tools/package.json ] || exit 0
if [ ! -d tests/tools/node_modules ] || [ tests/tools/package.json -nt tests/tools/node_modules ]; then
  (cd tests/tools && npm install --no-audit --no-fund --loglevel=error >/dev/null)
  touch tests/tools/node_modules
fi
