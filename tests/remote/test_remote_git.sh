#!/usr/bin/env bash
# Git sources end to end: repositories made here, served on loopback by a
# real `git daemon` and by smart HTTP (git http-backend behind lighttpd);
# GitHub URLs routed to loopback with git's url.<base>.insteadOf.
set -u
: "${WT_BIN:?}" "${WT_SRC:?}"
source "$WT_SRC/tests/remote/servers.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/wt-remote-git-XXXXXX")
cleanup() { stop_all "$T"; rm -rf "$T"; }
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

TOKEN="ghp_WtTestToken0123456789abcdefXYZ"
make_git_repos "$T" || { echo "cannot make repositories" >&2; exit 1; }
start_git_daemon "$T" || exit 1
start_git_http "$T" "$TOKEN" || exit 1
GP=$(cat "$T/gitd.port")
HP=$(cat "$T/lighttpd.port")
mkdir -p "$T/tmp" "$T/cwd"
export TMPDIR="$T/tmp"
# GitHub URLs go to the loopback smart-HTTP server; no user/system git config
cat >"$T/gitconfig" <<EOF
[url "http://127.0.0.1:$HP/git/"]
	insteadOf = https://github.com/
EOF
export GIT_CONFIG_GLOBAL="$T/gitconfig" GIT_CONFIG_NOSYSTEM=1
unset GITHUB_TOKEN GIT_TOKEN

# run: scan with the CLI in a scratch cwd; sets rc, out, err
run() {
  (cd "$T/cwd" && "$WT_BIN" scan "$@" >"$T/out" 2>"$T/err")
  rc=$?
  out=$(cat "$T/out")
  err=$(cat "$T/err")
  if grep -q "Sanitizer" <<<"$err"; then fail "sanitizer report for scan $*: $err"; fi
}
tmp_empty() { [ -z "$(ls -A "$T/tmp")" ]; }
scanned_ok() { [ "$rc" = 0 ] || [ "$rc" = 1 ]; }

# 1. git daemon, default branch of the remote ("trunk", not "main")
run "git://127.0.0.1:$GP/acme/model.git"
if scanned_ok && grep -q "evil.pkl" <<<"$out" && ! grep -q "feature" <<<"$out"; then ok "git:// default branch"
else fail "git:// default branch (rc=$rc) $out $err"; fi
tmp_empty || fail "clone left behind after git:// scan: $(ls -A "$T/tmp")"

# 2. LFS pointer reported as not scanned (low), not silently clean
if grep -q "weights.bin" <<<"$out" && grep -qi "LFS object" <<<"$out"; then ok "LFS pointer noted"
else fail "LFS pointer not reported: $out"; fi

# 3. smart HTTP, /tree/BRANCH/sub/path limits the scan to the folder of that branch
run "http://127.0.0.1:$HP/git/acme/model.git/tree/feature/nested"
if scanned_ok && grep -q "evil2.pkl" <<<"$out" && ! grep -q "models/evil.pkl" <<<"$out"; then ok "sub-path of a branch"
else fail "sub-path of a branch (rc=$rc) $out $err"; fi

# 4. GitHub URL (routed by insteadOf) with /tree/BRANCH
run "https://github.com/acme/model/tree/feature"
if scanned_ok && grep -q "evil2.pkl" <<<"$out"; then ok "github URL via insteadOf"
else fail "github URL (rc=$rc) $out $err"; fi

# 5. missing branch: exit 2, clear message, nothing left behind
run "https://github.com/acme/model/tree/no-such-branch"
if [ "$rc" = 2 ] && grep -qi "branch 'no-such-branch' not found" <<<"$err"; then ok "missing branch"
else fail "missing branch (rc=$rc) $err"; fi
tmp_empty || fail "clone left behind after a failed clone"

# 6. missing repository
run "git://127.0.0.1:$GP/acme/nothing.git"
if [ "$rc" = 2 ] && grep -qi "not found" <<<"$err"; then ok "missing repository"
else fail "missing repository (rc=$rc) $err"; fi
run "https://github.com/acme/nothing"
if [ "$rc" = 2 ] && grep -qi "not found\|access denied" <<<"$err"; then ok "missing github repository"
else fail "missing github repository (rc=$rc) $err"; fi
tmp_empty || fail "clone left behind after a missing repository"

# 7. missing sub-path
run "http://127.0.0.1:$HP/git/acme/model.git/tree/trunk/no/such/dir"
if [ "$rc" = 2 ] && grep -qi "not found" <<<"$err"; then ok "missing sub-path"
else fail "missing sub-path (rc=$rc) $err"; fi
tmp_empty || fail "clone left behind after a missing sub-path"

# 8. private repository: without a token exit 2; with GITHUB_TOKEN / GIT_TOKEN it
#    works and the token shows up nowhere (output, reports, access log, argv)
run "http://127.0.0.1:$HP/git/private/secret.git"
if [ "$rc" = 2 ] && grep -qi "access denied\|private" <<<"$err"; then ok "private repository needs a token"
else fail "private repository without a token (rc=$rc) $err"; fi
: >"$T/cmdlines"
( while :; do cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\0' ' ' >>"$T/cmdlines"; sleep 0.01; done ) &
watcher=$!
GITHUB_TOKEN="$TOKEN" run "http://127.0.0.1:$HP/git/private/secret.git"
rc1=$rc
GIT_TOKEN="$TOKEN" run "http://127.0.0.1:$HP/git/private/secret.git"
rc2=$rc
kill "$watcher" 2>/dev/null; wait "$watcher" 2>/dev/null
if { [ "$rc1" = 0 ] || [ "$rc1" = 1 ]; } && { [ "$rc2" = 0 ] || [ "$rc2" = 1 ]; }; then ok "token from GITHUB_TOKEN and GIT_TOKEN"
else fail "token use (rc=$rc1/$rc2) $err"; fi
b64=$(printf 'x-access-token:%s' "$TOKEN" | base64 -w0)
if grep -rqF -e "$TOKEN" -e "$b64" "$T/out" "$T/err" "$T/cwd" "$T/access.log" "$T/cmdlines"; then
  fail "token leaked"
else ok "token not leaked (outputs, reports, access log, process arguments)"; fi
grep -q "git-upload-pack" "$T/cmdlines" || echo "note: the /proc watcher saw no git process (clone too fast)"
# the token is scoped to the clone URL's origin: a GitHub URL rewritten to the
# loopback server does not carry it (it would be sent to github.com only)
tmp_empty || fail "clone left behind after private scans"

# 9. SIGTERM during the clone: the temporary clone is removed, git is stopped
mkdir -p "$T/fakebin"
cat >"$T/fakebin/git" <<'EOF'
#!/bin/bash
for a; do last=$a; done
mkdir -p "$last" && echo partial >"$last/partial.txt" && touch "$last/../started"
exec sleep 30
EOF
chmod +x "$T/fakebin/git"
(cd "$T/cwd" && PATH="$T/fakebin:$PATH" exec "$WT_BIN" scan "git://127.0.0.1:$GP/acme/model.git" >/dev/null 2>&1) &
pid=$!
for _ in $(seq 1 100); do ls "$T"/tmp/*/started >/dev/null 2>&1 && break; sleep 0.05; done
ls "$T"/tmp/*/started >/dev/null 2>&1 || fail "fake git did not start"
kill -TERM "$pid"
wait "$pid"
src=$?
if [ "$src" -ne 0 ] && tmp_empty; then ok "SIGTERM removes the clone"
else fail "SIGTERM (rc=$src) left: $(ls -A "$T/tmp")"; fi
pgrep -f "sleep 30" -P "$pid" >/dev/null 2>&1 && fail "git child survived"

# 10. file names from a repository cannot inject commands (no shell anywhere)
w="$T/work-inject"
mkdir -p "$w"
(cd "$w" && _git init -q && echo x >'$(touch INJECTED);x.txt' && echo y >'`touch INJECTED2`' && _git add -A &&
  _git commit -qm inject) && _git clone -q --bare "$w" "$T/repos/acme/inject.git"
run "file://$T/repos/acme/inject.git"
if scanned_ok && [ ! -e "$T/cwd/INJECTED" ] && [ ! -e "$T/cwd/INJECTED2" ]; then ok "hostile file names"
else fail "hostile file names (rc=$rc) $err"; fi
tmp_empty || fail "clone left behind (file://)"

# 11. flags: --branch / legacy --branch_name, --depth with --keep-clone, legacy
#     --repo_type=github --repo_url with --target_dir; summary report fields
run "git://127.0.0.1:$GP/acme/model.git" --branch feature
if scanned_ok && grep -q "evil2.pkl" <<<"$out"; then ok "--branch"; else fail "--branch (rc=$rc) $err"; fi
run --repo_type=github --repo_url="http://127.0.0.1:$HP/git/acme/model.git" --branch_name=feature --target_dir=nested/deep
if scanned_ok && grep -q "evil2.pkl" <<<"$out" && ! grep -q "models/evil.pkl" <<<"$out"; then ok "legacy flags"
else fail "legacy flags (rc=$rc) $out $err"; fi
summary=$(grep -o 'Summary report: .*' <<<"$out" | sed 's/Summary report: //')
if [ -n "$summary" ] && grep -q '"Repository Type": *"github"' "$T/cwd/$summary" &&
  grep -q "\"Repository URL\": *\"http://127.0.0.1:$HP/git/acme/model.git\"" "$T/cwd/$summary"; then ok "summary report fields"
else fail "summary report fields ($summary)"; fi
run "git://127.0.0.1:$GP/acme/model.git" --depth 2 --keep-clone "$T/kept"
if scanned_ok && [ "$(git -C "$T/kept" rev-list --count HEAD)" = 2 ] && [ "$(git -C "$T/kept" branch --show-current)" = trunk ]; then
  ok "--depth 2 and --keep-clone (default branch trunk)"
else fail "--depth/--keep-clone (rc=$rc) $err"; fi
tmp_empty || fail "temporary clone left behind with --keep-clone"

# 12. --lfs fetches LFS objects (git-lfs, file:// remote); without it they are noted
git lfs install --skip-repo >/dev/null 2>&1 # filters into $GIT_CONFIG_GLOBAL only
w="$T/work-lfs"
mkdir -p "$w"
(cd "$w" && _git init -q && git lfs track "*.pkl" >/dev/null && cp "$T/work-model/models/evil.pkl" lfs-model.pkl &&
  _git add -A && _git commit -qm lfs) || fail "cannot make an LFS repository"
_git init -q --bare "$T/repos/acme/lfs.git"
(cd "$w" && git push -q "file://$T/repos/acme/lfs.git" trunk >/dev/null 2>&1) || fail "cannot push LFS objects"
run "file://$T/repos/acme/lfs.git"
if scanned_ok && grep -q "lfs-model.pkl" <<<"$out" && grep -q "LFS object" <<<"$out"; then ok "LFS object noted without --lfs"
else fail "LFS without --lfs (rc=$rc) $out $err"; fi
run "file://$T/repos/acme/lfs.git" --lfs
if scanned_ok && grep -q "lfs-model.pkl" <<<"$out" && ! grep -q "LFS object" <<<"$out"; then ok "--lfs fetches and scans the object"
else fail "--lfs (rc=$rc) $out $err"; fi
tmp_empty || fail "clone left behind (LFS)"

# 13. a branch name with slashes in a /tree/ URL; a remote whose HEAD is dangling
run "http://127.0.0.1:$HP/git/acme/model.git/tree/release/v1/nested/deep"
if scanned_ok && grep -q "evil2.pkl" <<<"$out" && ! grep -q "README" <<<"$out"; then ok "/tree/release/v1/sub"
else fail "/tree/ with a slashed branch (rc=$rc) $out $err"; fi
run "git://127.0.0.1:$GP/acme/nohead.git"
if [ "$rc" = 2 ] && grep -q "default branch" <<<"$err"; then ok "dangling remote HEAD: exit 2"
else fail "dangling remote HEAD (rc=$rc) $err"; fi
tmp_empty || fail "clone left behind (dangling HEAD)"

# 14. a commit id instead of a branch (/tree/SHA/sub URL, --branch SHA); a missing one
sha=$(git -C "$T/repos/acme/model.git" rev-parse feature)
run "http://127.0.0.1:$HP/git/acme/model.git/tree/$sha/nested"
if scanned_ok && grep -q "evil2.pkl" <<<"$out"; then ok "/tree/COMMIT/sub"; else fail "/tree/COMMIT (rc=$rc) $out $err"; fi
run "git://127.0.0.1:$GP/acme/model.git" --branch "$(git -C "$T/repos/acme/model.git" rev-parse trunk~1)" --keep-clone "$T/kept-sha"
if scanned_ok && [ "$(git -C "$T/kept-sha" rev-parse HEAD)" = "$(git -C "$T/repos/acme/model.git" rev-parse trunk~1)" ]; then
  ok "--branch COMMIT"
else fail "--branch COMMIT (rc=$rc) $err"; fi
run "git://127.0.0.1:$GP/acme/model.git" --branch 0123456789abcdef0123456789abcdef01234567
if [ "$rc" = 2 ] && grep -q "not found" <<<"$err"; then ok "missing commit"; else fail "missing commit (rc=$rc) $err"; fi
tmp_empty || fail "clone left behind (commits)"

echo "$fails failure(s)"
[ "$fails" = 0 ]
