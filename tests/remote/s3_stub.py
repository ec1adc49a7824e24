#!/usr/bin/python3
"""A minimal S3 ListObjectsV2/GetObject stub for what s3rver cannot do:
  bucket "hostile": keys real stores accept but a filesystem-backed server cannot
    hold ("../x", "a/../../b", "/abs"); anonymous access.
  bucket "signed": every request must carry a valid AWS SigV4 signature (s3rver does
    not verify them) for access key AKIDSTUB / secret "stub/Secret+Key=" and the
    session token "stub-session-token" in a signed
    x-amz-security-token header; listing pages hold 2 keys and continuation tokens
    contain '+', '/' and '=' to check query canonicalisation.
  bucket "regional": in eu-west-3; other regions get a 301 naming it (x-amz-bucket-region).
Usage: s3_stub.py PORT_FILE LOG. Every object is a small pickle calling
os.system("true") (never loaded). Logs raw request paths and auth failures."""
import hashlib
import hmac
import sys
from urllib.parse import unquote
import xml.sax.saxutils as su
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, urlsplit

EVIL = b"\x80\x02cos\nsystem\nq\x00X\x04\x00\x00\x00trueq\x01\x85q\x02Rq\x03."
KEYS = ["../../outside.pkl", "a/../../b.pkl", "/abs.pkl", "ok/normal.pkl"]
SIGNED_KEYS = ["p/%d.pkl" % i for i in range(5)]
AKID, SECRET, SESSION = "AKIDSTUB", "stub/Secret+Key=", "stub-session-token"


def uri_encode(v):
    return quote(v, safe="-_.~")


def sigv4_error(method, raw_path, headers):
    """None if the request is validly signed, else a reason."""
    auth = headers.get("Authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return "not signed"
    parts = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    cred = parts["Credential"].split("/")
    if cred[0] != AKID:
        return "InvalidAccessKeyId"
    date, region, service = cred[1], cred[2], cred[3]
    signed = parts["SignedHeaders"].split(";")
    if "x-amz-security-token" not in signed or headers.get("x-amz-security-token") != SESSION:
        return "InvalidToken"
    u = urlsplit(raw_path)
    pairs = []
    for kv in u.query.split("&") if u.query else []:
        k, _, v = kv.partition("=")
        pairs.append((uri_encode(unquote(k)), uri_encode(unquote(v))))
    query = "&".join("%s=%s" % kv for kv in sorted(pairs))
    canon_headers = "".join("%s:%s\n" % (h, " ".join((headers.get(h) or "").split())) for h in signed)
    payload = headers.get("x-amz-content-sha256", "")
    creq = "\n".join([method, u.path, query, canon_headers, ";".join(signed), payload])
    scope = "/".join(cred[1:])
    sts = "\n".join(["AWS4-HMAC-SHA256", headers.get("x-amz-date", ""), scope,
                     hashlib.sha256(creq.encode()).hexdigest()])
    k = ("AWS4" + SECRET).encode()
    for m in (date, region, service, "aws4_request"):
        k = hmac.new(k, m.encode(), hashlib.sha256).digest()
    want = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    return None if hmac.compare_digest(want, parts["Signature"]) else "SignatureDoesNotMatch"
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
        if u.path.startswith("/signed/"):
            return self.signed(u)
        if u.path.startswith("/regional/"):
            return self.regional(u)
        if u.path == "/hostile/" and "list-type=2" in u.query:
            items = "".join("<Contents><Key>%s</Key><Size>%d</Size></Contents>" % (su.escape(k), len(EVIL)) for k in KEYS)
            body = ('<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>hostile</Name>'
                    "<IsTruncated>false</IsTruncated>%s</ListBucketResult>" % items).encode()
            return self.reply(200, body)
        self.serve_key(u, KEYS, "/hostile/")

    def signed(self, u):
        why = sigv4_error("GET", self.path, self.headers)
        if why:
            with open(LOG, "a") as f:
                f.write("AUTH-FAIL %s %s\n" % (why, self.path))
            code = {"InvalidAccessKeyId": 403, "InvalidToken": 400}.get(why, 403)
            return self.reply(code, ("<Error><Code>%s</Code><Message>stub</Message></Error>" % why).encode())
        if u.path == "/signed/":
            q = dict(kv.partition("=")[::2] for kv in u.query.split("&"))
            tok = unquote(q.get("continuation-token", ""))
            start = int(tok.split("=")[-1]) if tok else 0
            page = SIGNED_KEYS[start:start + 2]
            more = start + 2 < len(SIGNED_KEYS)
            items = "".join("<Contents><Key>%s</Key><Size>%d</Size></Contents>" % (k, len(EVIL)) for k in page)
            nxt = "<NextContinuationToken>a+b/c=%d</NextContinuationToken>" % (start + 2) if more else ""
            body = ('<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>signed</Name>'
                    "<IsTruncated>%s</IsTruncated>%s%s</ListBucketResult>" % ("true" if more else "false", items, nxt)).encode()
            return self.reply(200, body)
        self.serve_key(u, SIGNED_KEYS, "/signed/")

    def regional(self, u):
        """Bucket in eu-west-3: requests signed for another region get S3's 301
        PermanentRedirect with an x-amz-bucket-region header."""
        why = sigv4_error("GET", self.path, self.headers)
        if why:
            return self.reply(403, ("<Error><Code>%s</Code></Error>" % why).encode())
        region = self.headers.get("Authorization", "").split("Credential=")[1].split("/")[2]
        with open(LOG, "a") as f:
            f.write("REGION %s %s\n" % (region, self.path))
        if region != "eu-west-3":
            body = (b"<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be "
                    b"addressed using the specified endpoint.</Message></Error>")
            self.send_response(301)
            self.send_header("x-amz-bucket-region", "eu-west-3")
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if u.path == "/regional/":
            body = ('<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>regional</Name>'
                    "<IsTruncated>false</IsTruncated><Contents><Key>p/0.pkl</Key><Size>%d</Size></Contents>"
                    "</ListBucketResult>" % len(EVIL)).encode()
            return self.reply(200, body)
        self.serve_key(u, ["p/0.pkl"], "/regional/")

    def serve_key(self, u, keys, prefix):
        for k in keys:
            if u.path == prefix + quote(k, safe="/-_.~"):
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
