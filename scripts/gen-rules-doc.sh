#!/usr/bin/env bash
# Regenerate docs/rules.md from the rule catalog compiled into the binary, so
# the documentation can never drift from what the scanner emits.
# Usage: scripts/gen-rules-doc.sh [path/to/watchtower] > docs/rules.md
set -euo pipefail
BIN=${1:-build/watchtower}
cat <<'HEAD'
# Rules

Every rule Watchtower can emit, with its default severity, the reason for that severity,
and its standards mapping. This page is generated from the rule catalog compiled into the
binary (`watchtower rules --format md`, via `scripts/gen-rules-doc.sh`); a test fails when
it is out of date. `watchtower rules --format json` gives the same as data.

Rule tables that are data (patterns, allow/deny lists, op lists) live in `rules/` and are
compiled in; `--rules-dir DIR` replaces a table with a file of the same name in DIR.
Details and examples per area:
[pickle](rules-pickle.md) · [containers](rules-containers.md) ·
[other model formats](rules-formats.md) · [secrets and PII](rules-secrets.md) ·
[unsafe code](rules-code.md) · [dependencies](rules-deps.md) · severity model:
[severity.md](severity.md).

HEAD
"$BIN" rules --format md
