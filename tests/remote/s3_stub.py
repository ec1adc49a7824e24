#!/usr/bin/python3
"""A minimal S3 ListObjectsV2/GetObject stub for keys real stores accept but a
filesystem-backed test server cannot hold ("../x", "a/../../b", "/abs").
Usage: s3_stub.py PORT_FILE LOG. Bucket "hostile"; every object is a small
pickle calling os.system("true") (never loaded). Logs raw request paths."""
import sys
import xml.sax.saxutils as su
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, urlsplit

EVIL = b"\x80\x02cos\nsystem\nq\x00X\x04\x00\x00\x00trueq\x01\x85q\x02Rq\x03."
KEYS = ["../../outside.pkl", "a/../../b.pkl", "/abs.pkl", "ok/normal.pkl"]
PORT_FILE, LOG = sys.argv[1], sys.argv[2]


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body, ctype="application/xml"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with open(LOG, "a") as f:
            f.write(self.path + "\n")
        u = urlsplit(self.path)
        if u.path == "/hostile/" and "list-type=2" in u.query:
            items = "".join("<Contents><Key>%s</Key><Size>%d</Size></Contents>" % (su.escape(k), len(EVIL)) for k in KEYS)
            body = ('<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>hostile</Name>'
                    "<IsTruncated>false</IsTruncated>%s</ListBucketResult>" % items).encode()
            return self.reply(200, body)
        for k in KEYS:
            if u.path == "/hostile/" + quote(k, safe="/-_.~"):
                data = EVIL
                rng = self.headers.get("Range")
                if rng:
                    a, _, b = rng[6:].partition("-")
                    a, b = int(a), min(int(b), len(EVIL) - 1)
                    self.send_response(206)
                    self.send_header("Content-Range", "bytes %d-%d/%d" % (a, b, len(EVIL)))
                    self.send_header("Content-Length", str(b - a + 1))
                    self.end_headers()
                    self.wfile.write(data[a:b + 1])
                    return
                return self.reply(200, data, "application/octet-stream")
        self.reply(404, b"<Error><Code>NoSuchKey</Code></Error>")


srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(PORT_FILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(PORT_FILE + ".tmp", PORT_FILE)
srv.serve_forever()
