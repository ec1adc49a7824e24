#!/usr/bin/env bash
# docs/rules.md must list exactly the rules the binary knows.
set -euo pipefail
if ! diff -u "$WT_SRC/docs/rules.md" <(bash "$WT_SRC/scripts/gen-rules-doc.sh" "$WT_BIN"); then
  echo "docs/rules.md is out of date: run scripts/gen-rules-doc.sh build/watchtower > docs/rules.md"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "1 passed, 0 failed"
