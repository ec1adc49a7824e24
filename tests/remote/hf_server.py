#!/usr/bin/python3
"""A tiny Hugging Face Hub stand-in for the remote-source tests (loopback only).

Serves a fixture folder laid out as ROOT/<models|datasets|spaces>/<owner>/<name>/<revision>/<files>:
  GET /api/<type>/<owner>/<name>/tree/<revision>[/<path>]?recursive=true[&cursor=N]
      JSON list of {"type","path","size","oid"[,"lfs"]}, PAGE entries per page, next page in
      a Link: <...>; rel="next" header (as the Hub does).
  GET [/datasets|/spaces]/<owner>/<name>/resolve/<revision>/<path>
      small files: served directly; files >= 1 MiB ("LFS"): 302 to http://localhost:PORT/cdn/...
      (another host name, so an Authorization header must not follow: the CDN answers 400 if it does).
      Range requests answered with 206 unless the repository has a "_norange" marker.
Markers in ROOT/<type>/<owner>/<name>/: "_gated" (content = the token that must be sent as
"Authorization: Bearer TOKEN", else 401), "_norange", "_flaky" (the first request for each path
answers 503 once, to exercise retries).
Every request is appended to LOG (if given) as one JSON line {method,path,range,status,sent}.
"""
import argparse
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
LOCK = threading.Lock()
FLAKY_SEEN = set()
LFS_MIN = 1 << 20


def log(entry):
    if not ARGS.log:
        return
    with LOCK, open(ARGS.log, "a") as f:
        f.write(json.dumps(entry) + "\n")


def safe_join(base, rel):
    full = os.path.realpath(os.path.join(base, rel))
    if full != os.path.realpath(base) and not full.startswith(os.path.realpath(base) + os.sep):
        return None
    return full


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send_body(self, status, body, ctype="application/json", headers=None):
        if isinstance(body, str):
            body = body.encode()
        # logged before the body goes out, so a client that has its answer sees the line
        log({"method": "GET", "path": self.path, "range": self.headers.get("Range"), "status": status,
             "sent": len(body), "auth": bool(self.headers.get("Authorization"))})
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def repo_dir(self, rtype, owner, name):
        return os.path.join(ARGS.root, rtype, owner, name)

    def check_access(self, rdir):
        gated = os.path.join(rdir, "_gated")
        if os.path.exists(gated):
            want = open(gated).read().strip()
            if self.headers.get("Authorization") != "Bearer " + want:
                self.send_body(401, json.dumps({"error": "Access to this repository is restricted."}))
                return False
        return True

    def flaky(self, rdir):
        if os.path.exists(os.path.join(rdir, "_flaky")):
            with LOCK:
                key = self.path
                if key not in FLAKY_SEEN:
                    FLAKY_SEEN.add(key)
                    return True
        return False

    def do_GET(self):
        if ARGS.delay_ms:
            time.sleep(ARGS.delay_ms / 1000.0)  # simulated network latency (benchmarks)
        url = urllib.parse.urlsplit(self.path)
        parts = [urllib.parse.unquote(p) for p in url.path.split("/")[1:]]
        query = urllib.parse.parse_qs(url.query)
        try:
            if parts and parts[0] == "api":
                return self.tree(parts[1:], query, url)
            if parts and parts[0] == "cdn":
                return self.cdn(parts[1:])
            return self.resolve(parts)
        except BrokenPipeError:
            pass

    def tree(self, parts, query, url):
        # <type>/<owner>/<name>/tree/<rev>[/path...]
        if len(parts) < 5 or parts[3] != "tree" or parts[0] not in ("models", "datasets", "spaces"):
            return self.send_body(404, '{"error":"not found"}')
        rtype, owner, name, rev = parts[0], parts[1], parts[2], parts[4]
        sub = "/".join(parts[5:])
        rdir = self.repo_dir(rtype, owner, name)
        if not os.path.isdir(rdir):
            return self.send_body(404, json.dumps({"error": "Repository not found"}))
        if not self.check_access(rdir):
            return
        if self.flaky(rdir):
            return self.send_body(503, '{"error":"try again"}', headers={"Retry-After": "0"})
        base = safe_join(rdir, rev)
        if not base or not os.path.isdir(base):
            return self.send_body(404, json.dumps({"error": "Revision not found"}))
        start = safe_join(base, sub) if sub else base
        if not start or not os.path.exists(start):
            return self.send_body(404, json.dumps({"error": "Entry not found"}))
        items = []
        for dirpath, dirnames, filenames in os.walk(start):
            dirnames.sort()
            for d in dirnames:
                rel = os.path.relpath(os.path.join(dirpath, d), base)
                items.append({"type": "directory", "oid": "0" * 40, "size": 0, "path": rel})
            for fn in sorted(filenames):
                full = os.path.join(dirpath, fn)
                rel = os.path.relpath(full, base)
                size = os.path.getsize(full)
                it = {"type": "file", "oid": "1" * 40, "size": size, "path": rel}
                if size >= LFS_MIN:
                    it["lfs"] = {"oid": "2" * 64, "size": size, "pointerSize": 134}
                items.append(it)
        items.sort(key=lambda x: x["path"])
        cursor = int(query.get("cursor", ["0"])[0])
        page = items[cursor:cursor + ARGS.page]
        headers = {}
        if cursor + ARGS.page < len(items):
            nxt = "http://127.0.0.1:%d%s?recursive=true&cursor=%d" % (ARGS.bound_port, url.path, cursor + ARGS.page)
            headers["Link"] = '<%s>; rel="next"' % nxt
        self.send_body(200, json.dumps(page), headers=headers)

    def resolve(self, parts):
        rtype = "models"
        if parts and parts[0] in ("datasets", "spaces"):
            rtype = parts[0]
            parts = parts[1:]
        if len(parts) < 5 or parts[2] != "resolve":
            return self.send_body(404, '{"error":"not found"}')
        owner, name, rev, path = parts[0], parts[1], parts[3], "/".join(parts[4:])
        rdir = self.repo_dir(rtype, owner, name)
        if not os.path.isdir(rdir):
            return self.send_body(404, json.dumps({"error": "Repository not found"}))
        if not self.check_access(rdir):
            return
        full = safe_join(os.path.join(rdir, rev), path)
        if not full or not os.path.isfile(full):
            return self.send_body(404, json.dumps({"error": "Entry not found"}))
        if self.flaky(rdir):
            return self.send_body(503, '{"error":"try again"}', headers={"Retry-After": "0"})
        if os.path.getsize(full) >= LFS_MIN:
            loc = "http://localhost:%d/cdn/%s/%s/%s/%s/%s?X-Sig=abc" % (
                ARGS.bound_port, rtype, urllib.parse.quote(owner), urllib.parse.quote(name),
                urllib.parse.quote(rev), urllib.parse.quote(path))
            log({"method": "GET", "path": self.path, "range": self.headers.get("Range"), "status": 302, "sent": 0,
                 "auth": bool(self.headers.get("Authorization"))})
            self.send_response(302)
            self.send_header("Location", loc)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.serve_file(full, rdir)

    def cdn(self, parts):
        if self.headers.get("Authorization"):
            return self.send_body(400, '{"error":"Authorization header leaked to the CDN"}')
        if len(parts) < 5:
            return self.send_body(404, "{}")
        rtype, owner, name, rev, path = parts[0], parts[1], parts[2], parts[3], "/".join(parts[4:])
        rdir = self.repo_dir(rtype, owner, name)
        full = safe_join(os.path.join(rdir, rev), path)
        if not full or not os.path.isfile(full):
            return self.send_body(404, "{}")
        self.serve_file(full, rdir)

    def serve_file(self, full, rdir):
        size = os.path.getsize(full)
        rng = self.headers.get("Range")
        norange = os.path.exists(os.path.join(rdir, "_norange"))
        if rng and not norange and rng.startswith("bytes="):
            a, _, b = rng[6:].partition("-")
            start = int(a)
            end = min(int(b) if b else size - 1, size - 1)
            if start >= size:
                return self.send_body(416, "", headers={"Content-Range": "bytes */%d" % size})
            with open(full, "rb") as f:
                f.seek(start)
                data = f.read(end - start + 1)
            return self.send_body(206, data, "application/octet-stream",
                                  {"Content-Range": "bytes %d-%d/%d" % (start, end, size), "Accept-Ranges": "bytes"})
        # whole file, streamed ("sent" = the object size; a client may stop early)
        log({"method": "GET", "path": self.path, "range": rng, "status": 200, "sent": size,
             "auth": bool(self.headers.get("Authorization"))})
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        try:
            with open(full, "rb") as f:
                while True:
                    chunk = f.read(1 << 16)
                    if not chunk:
                        break
                    self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--page", type=int, default=3)
    ap.add_argument("--log")
    ap.add_argument("--delay-ms", type=int, default=0)
    ARGS = ap.parse_args()
    # socketserver listens with a backlog of 5: parallel clients (the scan's
    # prefetch opens up to 8 connections at once) would see SYNs dropped and
    # retried after 1 s, which real servers do not do
    ThreadingHTTPServer.request_queue_size = 128
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    ARGS.bound_port = srv.server_address[1]
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(ARGS.bound_port))
    os.rename(tmp, ARGS.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
