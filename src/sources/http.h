/*
 * http.h - the shared HTTP client of the remote sources (Hugging Face, S3).
 *
 * Owns: libcurl setup (timeouts, redirects, retries with backoff on 429/5xx
 * and transport errors, connection sharing between threads), clear messages
 * for 401/403/404, and a wt_reader backend that reads remote objects with
 * HTTP range requests through a small per-reader block cache, so analyzers'
 * many small reads become a few requests. Servers that ignore Range get the
 * whole object streamed once, bounded by a size limit.
 *
 * Every byte received from the network is counted with wt_reader_account()
 * so --stats shows bytes transferred. Secrets (tokens, AWS keys) are only
 * ever put in request headers / libcurl's SigV4 signer, never in URLs or
 * error messages.
 */
#ifndef WT_SOURCES_HTTP_H
#define WT_SOURCES_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/reader.h"

typedef struct wt_http_auth {
    const char *bearer;      /* "Authorization: Bearer <bearer>" (same host only) */
    const char *aws_region;  /* set => SigV4 signing for service "s3" */
    const char *aws_key;
    const char *aws_secret;
    const char *aws_token;   /* session token (x-amz-security-token) */
} wt_http_auth;

typedef struct wt_http_client wt_http_client;

/* auth may be NULL (anonymous). Strings are copied. */
wt_http_client *wt_http_client_new(const wt_http_auth *auth);
wt_http_client *wt_http_client_ref(wt_http_client *c);
void wt_http_client_unref(wt_http_client *c);
/* Tuning (tests / env): retries on 429/5xx (default 3), first backoff in ms
 * (default 200, doubled each retry, capped), total timeout per request in
 * seconds (default 300), connect timeout (default 20). */
void wt_http_client_set_retry(wt_http_client *c, int retries, long backoff_ms);
void wt_http_client_set_timeouts(wt_http_client *c, long connect_s, long total_s);
/* Abort transfers (and stop retrying) once *cancel becomes non-zero. */
void wt_http_client_set_cancel(wt_http_client *c, volatile int *cancel);

typedef struct wt_http_response {
    long status;          /* final HTTP status (0 = no response) */
    char *body;           /* NUL-terminated, may contain NULs; body_len bytes */
    size_t body_len;
    char *link_next;      /* URL from a Link: <...>; rel="next" header */
    char *retry_after;    /* unused by callers, kept for diagnostics */
    bool partial;         /* 206 Partial Content */
    uint64_t range_start; /* from Content-Range when partial */
    uint64_t total_size;  /* from Content-Range "/N" or Content-Length; 0 unknown */
    char *bucket_region;  /* S3 "x-amz-bucket-region" header, if any */
    int whole_fd;         /* wt_http_get_ranged: a 200 body spilled to an unlinked temp file, else -1 */
    uint64_t whole_len;
} wt_http_response;

void wt_http_response_fini(wt_http_response *r);

/*
 * GET url. range_len > 0 asks for bytes [range_off, range_off+range_len).
 * The body is limited to max_body bytes (0 = 64 MiB); a larger body fails.
 * Returns WT_OK for 2xx. For other statuses returns an error code and a
 * message naming the status (401/403/404 explained); resp->status and
 * resp->body are still filled so callers can refine the message.
 * 429/5xx and transport errors are retried with exponential backoff.
 */
int wt_http_get(wt_http_client *c, const char *url, uint64_t range_off, uint64_t range_len,
                uint64_t max_body, wt_http_response *resp, char **err);

/* Like wt_http_get with a range, for servers that may ignore Range: a 200
 * answer (the whole object) is streamed to an unlinked temporary file under
 * $TMPDIR (resp->whole_fd, caller closes) instead of memory; max_body bounds it. */
int wt_http_get_ranged(wt_http_client *c, const char *url, uint64_t range_off, uint64_t range_len,
                       uint64_t max_body, wt_http_response *resp, char **err);

/* The URL of rel="next" in a Link header value (n bytes), or NULL. */
char *wt_http_parse_link_next(const char *v, size_t n);

/* Percent-encode s (RFC 3986 unreserved kept; keep_slash keeps '/'). */
char *wt_http_escape(const char *s, bool keep_slash);

/* A reader for a remote object of known size (size from the listing).
 * max_whole bounds the fallback for servers without Range support
 * (0 = no bound). The reader holds a reference on the client. */
wt_reader *wt_http_reader_new(wt_http_client *c, const char *url, uint64_t size, uint64_t max_whole);

/* Same, with block 0 already known (from wt_http_prefetch): head must hold
 * a full block or the whole object; the reader takes ownership of it. */
wt_reader *wt_http_reader_new_seeded(wt_http_client *c, const char *url, uint64_t size, uint64_t max_whole,
                                     uint8_t *head, size_t headlen);

/* Fetch the first `want` bytes of several objects in parallel (libcurl
 * multi, at most max_parallel connections). On return each item has data
 * (malloc'd, len == want) or NULL when that transfer did not complete
 * cleanly (the reader's normal path then retries and reports). */
typedef struct wt_http_prefetch_item {
    const char *url;
    uint64_t want;
    uint8_t *data;
    size_t len;
} wt_http_prefetch_item;
void wt_http_prefetch(wt_http_client *c, wt_http_prefetch_item *items, size_t n, int max_parallel);

/* Block cache geometry (exposed for tests and docs). */
#define WT_HTTP_BLOCK_SIZE (64u * 1024u)
#define WT_HTTP_CACHE_BLOCKS 64u /* 4 MiB per open reader */

#endif
