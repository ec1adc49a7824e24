#!/usr/bin/env bash
# The compiled Hyperscan database is cached per rule set and never trusted
# blindly: a corrupt cache file, or one others could have written, is ignored (and replaced), a changed rule
# table gets a new cache entry, WATCHTOWER_NO_CACHE=1 writes nothing.
set -euo pipefail
BIN=${WT_BIN:?}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
P=0; F=0
check() { if eval "$1"; then P=$((P+1)); else F=$((F+1)); echo "FAIL: $2"; fi; }
key="AKIA""2E4RPLX7QM5TNV3B"
printf 'aws_access_key_id = "%s"\n' "$key" > "$T/creds.env"
scan() { XDG_CACHE_HOME="$T/cache" "$BIN" scan "$T/creds.env" --format json --no-reports --fail-on none "$@"; }
scan > "$T/a.json"
check 'grep -q WT-SECRET-001 "$T/a.json"' "finds the key on a cold cache"
check '[ "$(ls "$T/cache/watchtower/hs" | grep -c "\.hsdb$")" = 1 ]' "writes one cache file"
check '[ "$(stat -c %a "$T/cache/watchtower/hs")" = 700 ]' "cache directory is private"
f=$(ls "$T"/cache/watchtower/hs/*.hsdb)
scan > "$T/b.json"
check 'cmp -s "$T/a.json" "$T/b.json"' "same findings from the cached database"
chmod 666 "$f"
scan > "$T/w.json"
check 'cmp -s "$T/a.json" "$T/w.json"' "same findings when the cache file is writable by others"
check '[ "$(stat -c %a "$f")" = 600 ]' "a cache file others could write is not loaded but rebuilt (private again)"
head -c 4096 /dev/urandom > "$f"
scan > "$T/c.json"
check 'cmp -s "$T/a.json" "$T/c.json"' "a corrupt cache file is ignored"
mkdir -p "$T/rules"
cp "$WT_SRC/rules/secrets.tsv" "$T/rules/secrets.tsv"
printf 'WT-SECRET-999\tExtraTestRule\tlow\t0.5\tzzqqxx[0-9]{6}\t(?<s>zzqqxx[0-9]{6})\t0\t0\t-\t-\tTest rule\tTest only.\n' >> "$T/rules/secrets.tsv"
scan --rules-dir "$T/rules" > /dev/null
check '[ "$(ls "$T/cache/watchtower/hs" | grep -c "\.hsdb$")" = 2 ]' "a changed rule table gets its own cache entry"
rm -rf "$T/cache"
WATCHTOWER_NO_CACHE=1 scan > /dev/null
check '[ ! -d "$T/cache/watchtower/hs" ]' "WATCHTOWER_NO_CACHE=1 writes nothing"
echo "$P passed, $F failed"
[ "$F" = 0 ]
