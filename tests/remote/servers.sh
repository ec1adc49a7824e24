#!/usr/bin/env bash
# Loopback servers for the remote-source tests. Source this file (bash tests)
# or run it: `bash servers.sh start-hf DIR` (C tests). Each start_* writes
# DIR/<name>.port and DIR/<name>.pid; stop_all DIR kills what was started.
#
#   start_hf DIR [BIG_BYTES]  Hugging Face stand-in (hf_server.py) over fixtures in DIR/hf
#   start_s3 DIR BUCKET...    s3rver (npm) with data in DIR/s3data; credentials S3RVER/S3RVER
#   make_git_repos DIR        bare repositories under DIR/repos (default branch "trunk")
#   start_git_daemon DIR      git daemon serving DIR/repos
#   start_git_http DIR TOKEN  lighttpd + git http-backend (CGI) serving DIR/repos at /git/;
#                             /git/private/ needs basic auth x-access-token:TOKEN
set -u
_here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY=${WT_PYTHON:-/usr/bin/python3}

_wait_port() { # FILE
  for _ in $(seq 1 200); do [ -s "$1" ] && return 0; sleep 0.05; done
  echo "server did not start ($1)" >&2; return 1
}

_free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

_wait_tcp() { # PORT
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "nothing listening on port $1" >&2; return 1
}

start_hf() { # DIR [BIG] (HF_DELAY_MS: simulated latency per request)
  local d=$1 big=${2:-1073741824}
  mkdir -p "$d/hf"
  "$PY" "$_here/make_fixtures.py" hf "$d/hf" "$big" || return 1
  "$PY" "$_here/hf_server.py" --root "$d/hf" --port-file "$d/hf.port" --log "$d/hf.log" --page "${HF_PAGE:-3}" --delay-ms "${HF_DELAY_MS:-0}" \
    >"$d/hf.out" 2>&1 </dev/null &
  echo $! >"$d/hf.pid"
  _wait_port "$d/hf.port"
}

start_s3() { # DIR BUCKET...
  local d=$1; shift
  mkdir -p "$d/s3data"
  # s3rver makes continuation tokens with DES: OpenSSL 3 keeps it in the legacy provider
  node --openssl-legacy-provider "$_here/s3_server.js" "$d/s3data" "$d/s3.port" "$@" >"$d/s3.out" 2>&1 </dev/null &
  echo $! >"$d/s3.pid"
  _wait_port "$d/s3.port"
}

# curl arguments to talk to s3rver (SigV4; s3rver requires x-amz-content-sha256)
s3_curl() {
  curl -sS -f --aws-sigv4 "aws:amz:us-east-1:s3" --user S3RVER:S3RVER -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"
}

_git() { git -c user.email=t@example.com -c user.name=t -c init.defaultBranch=trunk "$@"; }

make_git_repos() { # DIR
  local d=$1 w
  mkdir -p "$d/repos/acme" "$d/repos/private"
  w="$d/work-model"
  rm -rf "$w"; mkdir -p "$w"
  "$PY" "$_here/make_fixtures.py" tree "$w"
  (cd "$w" && _git init -q && _git add -A && _git commit -qm one &&
    echo v2 >>README.md && _git commit -qam two &&
    echo v3 >>README.md && _git commit -qam three &&
    printf 'version https://git-lfs.github.com/spec/v1\noid sha256:%064d\nsize 5000000000\n' 7 >weights.bin &&
    _git add weights.bin && _git commit -qm lfs &&
    _git checkout -qb feature && mkdir -p nested/deep && echo 'feature only' >nested/deep/feature.txt &&
    cp models/evil.pkl nested/deep/evil2.pkl && _git add -A && _git commit -qm feature &&
    _git branch release/v1 && _git checkout -q trunk) || return 1
  _git clone -q --bare "$w" "$d/repos/acme/model.git" || return 1
  git -C "$d/repos/acme/model.git" symbolic-ref HEAD refs/heads/trunk
  # a repository whose HEAD names a branch that does not exist
  _git clone -q --bare "$w" "$d/repos/acme/nohead.git" || return 1
  git -C "$d/repos/acme/nohead.git" symbolic-ref HEAD refs/heads/gone
  w="$d/work-private"
  rm -rf "$w"; mkdir -p "$w"
  (cd "$w" && _git init -q && echo 'secret model card' >README.md && _git add -A && _git commit -qm one) || return 1
  _git clone -q --bare "$w" "$d/repos/private/secret.git" || return 1
  for r in "$d/repos/acme/model.git" "$d/repos/private/secret.git"; do
    git -C "$r" config http.receivepack false
    git -C "$r" update-server-info
  done
}

start_git_daemon() { # DIR
  local d=$1 port
  port=$(_free_port)
  git daemon --reuseaddr --base-path="$d/repos" --export-all --listen=127.0.0.1 --port="$port" \
    --pid-file="$d/gitd.pid" "$d/repos" >"$d/gitd.out" 2>&1 </dev/null &
  echo $! >"$d/gitd.pid"
  echo "$port" >"$d/gitd.port"
  _wait_tcp "$port"
}

start_git_http() { # DIR TOKEN
  local d=$1 token=$2 port backend
  port=$(_free_port)
  backend=$(git --exec-path)/git-http-backend
  mkdir -p "$d/www"
  printf 'x-access-token:%s\n' "$token" >"$d/htusers"
  cat >"$d/lighttpd.conf" <<EOF
server.document-root = "$d/www"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$d/lighttpd.err"
server.modules = ( "mod_access", "mod_alias", "mod_setenv", "mod_auth", "mod_authn_file", "mod_cgi", "mod_accesslog" )
accesslog.filename = "$d/access.log"
alias.url = ( "/git" => "$backend" )
\$HTTP["url"] =~ "^/git" {
  cgi.assign = ( "" => "" )
  setenv.add-environment = ( "GIT_PROJECT_ROOT" => "$d/repos", "GIT_HTTP_EXPORT_ALL" => "1" )
}
\$HTTP["url"] =~ "^/git/private/" {
  auth.backend = "plain"
  auth.backend.plain.userfile = "$d/htusers"
  auth.require = ( "" => ( "method" => "basic", "realm" => "git", "require" => "valid-user" ) )
}
EOF
  /usr/sbin/lighttpd -D -f "$d/lighttpd.conf" >"$d/lighttpd.out" 2>&1 </dev/null &
  echo $! >"$d/lighttpd.pid"
  echo "$port" >"$d/lighttpd.port"
  _wait_tcp "$port"
}

stop_all() { # DIR
  local f
  for f in "$1"/*.pid; do
    [ -f "$f" ] || continue
    kill "$(cat "$f")" 2>/dev/null
    rm -f "$f"
  done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  cmd=$1; shift
  case "$cmd" in
    start-hf) start_hf "$@" ;;
    start-s3) start_s3 "$@" ;;
    git-repos) make_git_repos "$@" ;;
    start-git-daemon) start_git_daemon "$@" ;;
    start-git-http) start_git_http "$@" ;;
    stop) stop_all "$@" ;;
    *) echo "usage: servers.sh start-hf|start-s3|git-repos|start-git-daemon|start-git-http|stop DIR ..." >&2; exit 2 ;;
  esac
fi
