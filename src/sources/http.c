/*
 * http.c - shared libcurl client and the HTTP range reader (see http.h).
 */
#include "sources/http.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"
#include "watchtower/watchtower.h"

#define DEFAULT_MAX_BODY (64ull * 1024 * 1024)
#define MAX_BACKOFF_MS 8000L

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

struct wt_http_client {
    atomic_int refs;
    char *bearer_hdr;   /* "Authorization: Bearer ..." */
    char *sigv4;        /* "aws:amz:REGION:s3" */
    char *aws_key, *aws_secret;
    char *aws_token_hdr;
    int retries;
    long backoff_ms;
    long connect_s, total_s;
    volatile int *cancel;
    CURLSH *share;
    pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
};

static void share_lock(CURL *h, curl_lock_data d, curl_lock_access a, void *ud) {
    (void)h; (void)a;
    wt_http_client *c = ud;
    if ((int)d >= 0 && d < CURL_LOCK_DATA_LAST) pthread_mutex_lock(&c->locks[d]);
}
static void share_unlock(CURL *h, curl_lock_data d, void *ud) {
    (void)h;
    wt_http_client *c = ud;
    if ((int)d >= 0 && d < CURL_LOCK_DATA_LAST) pthread_mutex_unlock(&c->locks[d]);
}

static long env_long(const char *name, long dflt) {
    const char *v = getenv(name);
    if (!v || !*v) return dflt;
    char *end;
    long n = strtol(v, &end, 10);
    return (*end || n < 0) ? dflt : n;
}

wt_http_client *wt_http_client_new(const wt_http_auth *auth) {
    pthread_once(&curl_once, curl_init_once);
    wt_http_client *c = wt_xcalloc(1, sizeof *c);
    atomic_init(&c->refs, 1);
    if (auth && auth->bearer && *auth->bearer) c->bearer_hdr = wt_xasprintf("Authorization: Bearer %s", auth->bearer);
    if (auth && auth->aws_region && auth->aws_key && auth->aws_secret) {
        c->sigv4 = wt_xasprintf("aws:amz:%s:s3", auth->aws_region);
        c->aws_key = wt_xstrdup(auth->aws_key);
        c->aws_secret = wt_xstrdup(auth->aws_secret);
        if (auth->aws_token && *auth->aws_token)
            c->aws_token_hdr = wt_xasprintf("x-amz-security-token: %s", auth->aws_token);
    }
    /* WT_HTTP_RETRIES / WT_HTTP_BACKOFF_MS let tests keep retries fast. */
    c->retries = (int)env_long("WT_HTTP_RETRIES", 3);
    c->backoff_ms = env_long("WT_HTTP_BACKOFF_MS", 200);
    c->connect_s = 20;
    c->total_s = env_long("WT_HTTP_TIMEOUT", 300);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) pthread_mutex_init(&c->locks[i], NULL);
    c->share = curl_share_init();
    if (c->share) {
        curl_share_setopt(c->share, CURLSHOPT_LOCKFUNC, share_lock);
        curl_share_setopt(c->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
        curl_share_setopt(c->share, CURLSHOPT_USERDATA, c);
        curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
        curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
        /* not CURL_LOCK_DATA_CONNECT: libcurl does not support sharing a
         * connection cache between concurrent threads (CURLSHOPT_SHARE(3)),
         * and the scan's worker threads use this client at once. TLS session
         * resumption keeps reconnecting cheap. */
    }
    return c;
}

wt_http_client *wt_http_client_ref(wt_http_client *c) {
    if (c) atomic_fetch_add(&c->refs, 1);
    return c;
}

static void wipe_free(char *s) {
    if (!s) return;
    volatile char *p = s;
    while (*p) *p++ = 0;
    free(s);
}

void wt_http_client_unref(wt_http_client *c) {
    if (!c || atomic_fetch_sub(&c->refs, 1) != 1) return;
    if (c->share) curl_share_cleanup(c->share);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) pthread_mutex_destroy(&c->locks[i]);
    wipe_free(c->bearer_hdr);
    free(c->sigv4);
    wipe_free(c->aws_key);
    wipe_free(c->aws_secret);
    wipe_free(c->aws_token_hdr);
    free(c);
}

void wt_http_client_set_retry(wt_http_client *c, int retries, long backoff_ms) {
    c->retries = retries < 0 ? 0 : retries;
    c->backoff_ms = backoff_ms < 0 ? 0 : backoff_ms;
}

void wt_http_client_set_timeouts(wt_http_client *c, long connect_s, long total_s) {
    c->connect_s = connect_s;
    c->total_s = total_s;
}

void wt_http_client_set_cancel(wt_http_client *c, volatile int *cancel) { c->cancel = cancel; }

static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un) {
    (void)dt; (void)dn; (void)ut; (void)un;
    volatile int *cancel = ud;
    return cancel && *cancel ? 1 : 0;
}

void wt_http_response_fini(wt_http_response *r) {
    if (!r) return;
    free(r->body);
    free(r->link_next);
    free(r->retry_after);
    free(r->bucket_region);
    if (r->whole_fd >= 0) close(r->whole_fd);
    memset(r, 0, sizeof *r);
    r->whole_fd = -1;
}

char *wt_http_escape(const char *s, bool keep_slash) {
    static const char hex[] = "0123456789ABCDEF";
    wt_buf b;
    wt_buf_init(&b);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char ch = *p;
        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
            ch == '_' || ch == '.' || ch == '~' || (keep_slash && ch == '/')) {
            wt_buf_putc(&b, (char)ch);
        } else {
            wt_buf_putc(&b, '%');
            wt_buf_putc(&b, hex[ch >> 4]);
            wt_buf_putc(&b, hex[ch & 15]);
        }
    }
    if (!b.data) wt_buf_puts(&b, "");
    return wt_buf_steal(&b);
}

/* ---- one request ---- */

typedef struct xfer {
    wt_http_response *resp;
    wt_buf body;
    uint64_t max_body;
    bool overflow;
    long status;
    uint64_t content_length;
    bool have_range;
    uint64_t cr_start, cr_total;
    char *link_next;
    char *bucket_region;
    long retry_after_s;
    long cur_status;   /* status of the response being received */
    bool sink_whole;   /* spill a 200 body to a temp file */
    int sink_fd;
    uint64_t sink_len;
    bool sink_error;
} xfer;

static int make_spill_file(void) {
    const char *t = getenv("TMPDIR");
    char *path = wt_xasprintf("%s/watchtower-http-XXXXXX", t && *t ? t : "/tmp");
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd >= 0) unlink(path); /* anonymous: gone when closed */
    free(path);
    return fd;
}

static size_t on_body(char *ptr, size_t sz, size_t n, void *ud) {
    xfer *x = ud;
    size_t len = sz * n;
    wt_reader_account(len); /* bytes transferred over the network */
    if (x->sink_whole && x->cur_status == 200) {
        if (x->sink_len + len > x->max_body) {
            x->overflow = true;
            return 0;
        }
        if (x->sink_fd < 0 && (x->sink_fd = make_spill_file()) < 0) {
            x->sink_error = true;
            return 0;
        }
        for (size_t done = 0; done < len;) {
            ssize_t w = write(x->sink_fd, ptr + done, len - done);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                x->sink_error = true;
                return 0;
            }
            done += (size_t)w;
        }
        x->sink_len += len;
        return len;
    }
    if (x->body.len + len > x->max_body) {
        x->overflow = true;
        return 0; /* abort the transfer */
    }
    wt_buf_append(&x->body, ptr, len);
    return len;
}

/* Parse `<url>; rel="next"` out of a Link header value. */
char *wt_http_parse_link_next(const char *v, size_t n) {
    const char *end = v + n;
    const char *p = v;
    while (p < end) {
        const char *lt = memchr(p, '<', (size_t)(end - p));
        if (!lt) return NULL;
        const char *gt = memchr(lt, '>', (size_t)(end - lt));
        if (!gt) return NULL;
        const char *comma = memchr(gt, ',', (size_t)(end - gt));
        const char *seg_end = comma ? comma : end;
        /* look for rel="next" or rel=next in the parameters */
        for (const char *q = gt; q + 8 <= seg_end; q++) {
            if (strncasecmp(q, "rel=", 4) == 0) {
                const char *r = q + 4;
                if (r < seg_end && *r == '"') r++;
                if ((size_t)(seg_end - r) >= 4 && strncasecmp(r, "next", 4) == 0 &&
                    (r + 4 == seg_end || r[4] == '"' || r[4] == ';' || r[4] == ' ' || r[4] == ','))
                    return wt_xstrndup(lt + 1, (size_t)(gt - lt - 1));
            }
        }
        p = seg_end + (comma ? 1 : 0);
    }
    return NULL;
}

static size_t on_header(char *ptr, size_t sz, size_t n, void *ud) {
    xfer *x = ud;
    size_t len = sz * n;
    if (len >= 5 && strncmp(ptr, "HTTP/", 5) == 0) {
        /* a new response (after a redirect or 100-continue): reset */
        const char *sp = memchr(ptr, ' ', len);
        x->cur_status = sp ? strtol(sp + 1, NULL, 10) : 0;
        x->have_range = false;
        x->content_length = 0;
        free(x->link_next);
        x->link_next = NULL;
        x->retry_after_s = -1;
        return len;
    }
    const char *colon = memchr(ptr, ':', len);
    if (!colon) return len;
    size_t klen = (size_t)(colon - ptr);
    const char *v = colon + 1;
    const char *end = ptr + len;
    while (v < end && (*v == ' ' || *v == '\t')) v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ')) end--;
    size_t vlen = (size_t)(end - v);
    char tmp[128];
    if (klen == 13 && strncasecmp(ptr, "content-range", 13) == 0 && vlen < sizeof tmp) {
        memcpy(tmp, v, vlen);
        tmp[vlen] = 0;
        unsigned long long a, b, t;
        if (sscanf(tmp, "bytes %llu-%llu/%llu", &a, &b, &t) == 3) {
            x->have_range = true;
            x->cr_start = a;
            x->cr_total = t;
        } else if (sscanf(tmp, "bytes %llu-%llu/*", &a, &b) == 2) {
            x->have_range = true;
            x->cr_start = a;
            x->cr_total = 0;
        }
    } else if (klen == 14 && strncasecmp(ptr, "content-length", 14) == 0 && vlen < sizeof tmp) {
        memcpy(tmp, v, vlen);
        tmp[vlen] = 0;
        x->content_length = strtoull(tmp, NULL, 10);
    } else if (klen == 4 && strncasecmp(ptr, "link", 4) == 0) {
        char *next = wt_http_parse_link_next(v, vlen);
        if (next) {
            free(x->link_next);
            x->link_next = next;
        }
    } else if (klen == 19 && strncasecmp(ptr, "x-amz-bucket-region", 19) == 0 && vlen > 0 && vlen < 64) {
        free(x->bucket_region);
        x->bucket_region = wt_xstrndup(v, vlen);
    } else if (klen == 11 && strncasecmp(ptr, "retry-after", 11) == 0 && vlen < sizeof tmp) {
        memcpy(tmp, v, vlen);
        tmp[vlen] = 0;
        char *e;
        long s = strtol(tmp, &e, 10);
        if (e != tmp && s >= 0) x->retry_after_s = s;
    }
    return len;
}

static const char *status_explain(long st) {
    switch (st) {
    case 401: return "authentication required: the repository is private or gated, or the token/credentials are missing or invalid";
    case 403: return "access denied: the credentials are not allowed to read this (or they are wrong, or the region is wrong)";
    case 404: return "not found: the repository, revision, bucket or object does not exist (or is private)";
    case 416: return "requested range not satisfiable";
    case 429: return "too many requests: rate limited by the server";
    default: return st >= 500 ? "server error" : "unexpected HTTP status";
    }
}

/* Strip the query string (may hold signatures) for messages. */
static char *url_for_message(const char *url) {
    size_t n = strcspn(url, "?#");
    return wt_shorten(url, n, 200);
}

static void sleep_ms(long ms) {
    if (ms <= 0) return;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {}
}

static int http_get(wt_http_client *c, const char *url, uint64_t range_off, uint64_t range_len, uint64_t max_body,
                    bool sink_whole, wt_http_response *resp, char **err);

/* Options shared by every request; returns the header list to free after
 * the transfer. range must outlive the transfer. */
static struct curl_slist *setup_easy(wt_http_client *c, CURL *h, const char *url, uint64_t range_off,
                                     uint64_t range_len, char range[64], xfer *x, char *errbuf) {
    struct curl_slist *hdrs = NULL;
    if (range_len > 0) {
        snprintf(range, 64, "%llu-%llu", (unsigned long long)range_off, (unsigned long long)(range_off + range_len - 1));
        curl_easy_setopt(h, CURLOPT_RANGE, range);
    }
    if (c->bearer_hdr) hdrs = curl_slist_append(hdrs, c->bearer_hdr);
    if (c->sigv4) {
        curl_easy_setopt(h, CURLOPT_AWS_SIGV4, c->sigv4);
        curl_easy_setopt(h, CURLOPT_USERNAME, c->aws_key);
        curl_easy_setopt(h, CURLOPT_PASSWORD, c->aws_secret);
        hdrs = curl_slist_append(hdrs, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
        if (c->aws_token_hdr) hdrs = curl_slist_append(hdrs, c->aws_token_hdr);
    }
    if (hdrs) curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L); /* object keys are names: keep "../" literally */
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->connect_s);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, c->total_s);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "watchtower/" WT_VERSION);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "identity");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    if (c->share) curl_easy_setopt(h, CURLOPT_SHARE, c->share);
    if (c->cancel) {
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, (void *)c->cancel);
    }
    return hdrs;
}

void wt_http_prefetch(wt_http_client *c, wt_http_prefetch_item *items, size_t n, int max_parallel) {
    for (size_t i = 0; i < n; i++) {
        items[i].data = NULL;
        items[i].len = 0;
    }
    if (n == 0) return;
    if (max_parallel < 1) max_parallel = 1;
    CURLM *m = curl_multi_init();
    if (!m) return;
    typedef struct slot {
        CURL *h;
        xfer x;
        struct curl_slist *hdrs;
        char range[64];
        char errbuf[CURL_ERROR_SIZE];
    } slot;
    slot *sl = wt_xcalloc(n, sizeof *sl);
    for (size_t i = 0; i < n; i++) {
        if (items[i].want == 0) continue;
        sl[i].h = curl_easy_init();
        if (!sl[i].h) continue;
        wt_buf_init(&sl[i].x.body);
        sl[i].x.max_body = items[i].want; /* an object sent whole despite Range stops here */
        sl[i].x.retry_after_s = -1;
        sl[i].x.sink_fd = -1;
        sl[i].hdrs = setup_easy(c, sl[i].h, items[i].url, 0, items[i].want, sl[i].range, &sl[i].x, sl[i].errbuf);
        curl_easy_setopt(sl[i].h, CURLOPT_PRIVATE, (void *)&sl[i]);
    }
    /* at most max_parallel transfers at once, a new one added as one ends
     * (CURLMOPT_MAX_TOTAL_CONNECTIONS would park the rest as pending, and
     * libcurl 7.88 wakes pending transfers only on a 1 s timer) */
    size_t next = 0, active = 0;
    for (;;) {
        while (active < (size_t)max_parallel && next < n) {
            if (sl[next].h && curl_multi_add_handle(m, sl[next].h) == CURLM_OK) active++;
            next++;
        }
        int running = 0;
        if (curl_multi_perform(m, &running) != CURLM_OK) break;
        if (c->cancel && *c->cancel) break;
        int left;
        CURLMsg *msg;
        while ((msg = curl_multi_info_read(m, &left)))
            if (msg->msg == CURLMSG_DONE && active > 0) active--;
        if (running == 0 && next >= n) break; /* everything added has ended */
        if (active < (size_t)max_parallel && next < n) continue;
        curl_multi_poll(m, NULL, 0, 200, NULL);
    }
    for (size_t i = 0; i < n; i++) {
        if (!sl[i].h) continue;
        long status = 0;
        curl_easy_getinfo(sl[i].h, CURLINFO_RESPONSE_CODE, &status);
        /* only complete answers: all `want` bytes, from a 206 starting at 0
         * or a 200 (a small object sent whole); anything else is left to
         * the reader's normal path, which retries and reports errors */
        bool ok = !sl[i].x.overflow && sl[i].x.body.len == items[i].want &&
                  ((status == 206 && sl[i].x.have_range && sl[i].x.cr_start == 0) || status == 200);
        if (ok) {
            items[i].len = sl[i].x.body.len;
            items[i].data = (uint8_t *)wt_buf_steal(&sl[i].x.body);
        }
        curl_multi_remove_handle(m, sl[i].h);
        curl_easy_cleanup(sl[i].h);
        curl_slist_free_all(sl[i].hdrs);
        wt_buf_free(&sl[i].x.body);
        free(sl[i].x.link_next);
        free(sl[i].x.bucket_region);
    }
    free(sl);
    curl_multi_cleanup(m);
}

int wt_http_get(wt_http_client *c, const char *url, uint64_t range_off, uint64_t range_len,
                uint64_t max_body, wt_http_response *resp, char **err) {
    return http_get(c, url, range_off, range_len, max_body, false, resp, err);
}

int wt_http_get_ranged(wt_http_client *c, const char *url, uint64_t range_off, uint64_t range_len,
                       uint64_t max_body, wt_http_response *resp, char **err) {
    return http_get(c, url, range_off, range_len, max_body, true, resp, err);
}

static int http_get(wt_http_client *c, const char *url, uint64_t range_off, uint64_t range_len, uint64_t max_body,
                    bool sink_whole, wt_http_response *resp, char **err) {
    memset(resp, 0, sizeof *resp);
    resp->whole_fd = -1;
    if (max_body == 0) max_body = DEFAULT_MAX_BODY;
    long backoff = c->backoff_ms;
    int rc = WT_ERR_IO;
    for (int attempt = 0;; attempt++) {
        CURL *h = curl_easy_init();
        if (!h) {
            if (err) *err = wt_xstrdup("cannot initialise libcurl");
            return WT_ERR;
        }
        xfer x;
        memset(&x, 0, sizeof x);
        wt_buf_init(&x.body);
        x.max_body = max_body;
        x.retry_after_s = -1;
        x.sink_whole = sink_whole;
        x.sink_fd = -1;
        char errbuf[CURL_ERROR_SIZE] = "";
        char range[64];
        struct curl_slist *hdrs = setup_easy(c, h, url, range_off, range_len, range, &x, errbuf);
        CURLcode cc = curl_easy_perform(h);
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_cleanup(h);
        curl_slist_free_all(hdrs);

        bool retryable;
        char *msg = NULL;
        char *shown = url_for_message(url);
        if (x.overflow) {
            msg = wt_xasprintf("%s: response larger than %llu bytes%s", shown, (unsigned long long)max_body,
                               x.sink_whole && x.cur_status == 200
                                   ? " (the server does not support range requests; see --max-file-size)"
                                   : "");
            retryable = false;
            rc = WT_ERR_LIMIT;
        } else if (x.sink_error) {
            msg = wt_xasprintf("%s: cannot write a temporary file under $TMPDIR: %s", shown, strerror(errno));
            retryable = false;
            rc = WT_ERR_IO;
        } else if (cc != CURLE_OK) {
            msg = wt_xasprintf("%s: %s", shown, errbuf[0] ? errbuf : curl_easy_strerror(cc));
            retryable = cc != CURLE_URL_MALFORMAT && cc != CURLE_UNSUPPORTED_PROTOCOL && cc != CURLE_TOO_MANY_REDIRECTS;
            rc = WT_ERR_IO;
        } else if (status >= 200 && status < 300) {
            free(shown);
            resp->status = status;
            resp->body_len = x.body.len;
            if (!x.body.data) wt_buf_puts(&x.body, "");
            resp->body = wt_buf_steal(&x.body);
            resp->link_next = x.link_next;
            resp->bucket_region = x.bucket_region;
            resp->partial = status == 206 && x.have_range;
            resp->range_start = x.cr_start;
            resp->total_size = x.have_range ? x.cr_total : x.content_length;
            if (x.sink_fd >= 0) {
                resp->whole_fd = x.sink_fd;
                resp->whole_len = x.sink_len;
            } else if (sink_whole && status == 200 && !resp->partial) {
                /* an empty 200 body: still "the whole object" */
                resp->whole_fd = make_spill_file();
                resp->whole_len = 0;
            }
            return WT_OK;
        } else {
            msg = wt_xasprintf("HTTP %ld for %s: %s", status, shown, status_explain(status));
            retryable = status == 429 || status >= 500;
            rc = WT_ERR;
        }
        free(shown);
        if (c->cancel && *c->cancel) retryable = false;
        if (retryable && attempt < c->retries) {
            long wait = backoff;
            if (x.retry_after_s >= 0) wait = x.retry_after_s * 1000L;
            if (wait > MAX_BACKOFF_MS) wait = MAX_BACKOFF_MS;
            backoff = backoff * 2 > MAX_BACKOFF_MS ? MAX_BACKOFF_MS : backoff * 2;
            free(msg);
            free(x.link_next);
            free(x.bucket_region);
            wt_buf_free(&x.body);
            if (x.sink_fd >= 0) close(x.sink_fd);
            sleep_ms(wait);
            continue;
        }
        if (x.sink_fd >= 0) close(x.sink_fd);
        resp->status = status;
        resp->body_len = x.body.len;
        if (!x.body.data) wt_buf_puts(&x.body, "");
        resp->body = wt_buf_steal(&x.body);
        free(x.link_next);
        resp->bucket_region = x.bucket_region;
        if (err) *err = msg;
        else free(msg);
        return rc;
    }
}

/* ---- range reader with a block cache ---- */

typedef struct hblock {
    uint64_t idx;   /* block index, UINT64_MAX = empty */
    uint64_t stamp; /* LRU clock */
    size_t len;
    uint8_t *data;
} hblock;

typedef struct hreader {
    wt_http_client *c;
    char *url;
    uint64_t size;
    uint64_t max_whole;
    uint64_t clock;
    int whole_fd; /* the whole object in an unlinked temp file (server without Range support) */
    uint64_t whole_len;
    bool failed;
    hblock blocks[WT_HTTP_CACHE_BLOCKS];
} hreader;

static hblock *cache_find(hreader *h, uint64_t idx) {
    for (unsigned i = 0; i < WT_HTTP_CACHE_BLOCKS; i++)
        if (h->blocks[i].data && h->blocks[i].idx == idx) return &h->blocks[i];
    return NULL;
}

static hblock *cache_victim(hreader *h) {
    hblock *v = &h->blocks[0];
    for (unsigned i = 0; i < WT_HTTP_CACHE_BLOCKS; i++) {
        if (!h->blocks[i].data) return &h->blocks[i];
        if (h->blocks[i].stamp < v->stamp) v = &h->blocks[i];
    }
    return v;
}

/* Fetch [off, off+len). Returns a malloc'd buffer of *got bytes (exactly
 * len unless EOF), or NULL. Switches the reader to whole-object mode if the
 * server ignores Range. */
static long long whole_read(hreader *h, uint64_t off, void *buf, size_t len) {
    if (off >= h->whole_len) return 0;
    if (len > h->whole_len - off) len = (size_t)(h->whole_len - off);
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(h->whole_fd, (uint8_t *)buf + done, len - done, (off_t)(off + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        done += (size_t)n;
    }
    return (long long)done;
}

/* Fetch [off, off+len). Returns a malloc'd buffer of *got bytes (exactly
 * len unless EOF), or NULL. Switches the reader to whole-object mode if the
 * server ignores Range. */
static uint8_t *fetch(hreader *h, uint64_t off, uint64_t len, size_t *got) {
    wt_http_response resp;
    uint64_t bound = h->max_whole ? h->max_whole : h->size;
    if (bound < len) bound = len;
    int rc = wt_http_get_ranged(h->c, h->url, off, len, bound, &resp, NULL);
    if (rc != WT_OK) {
        long st = resp.status;
        wt_http_response_fini(&resp);
        if (st == 416) { *got = 0; return wt_xmalloc(1); }
        h->failed = true;
        return NULL;
    }
    if (resp.whole_fd >= 0) {
        /* 200: the whole object (no range support), spilled to a temp file */
        h->whole_fd = resp.whole_fd;
        h->whole_len = resp.whole_len;
        resp.whole_fd = -1;
        wt_http_response_fini(&resp);
        for (unsigned i = 0; i < WT_HTTP_CACHE_BLOCKS; i++) {
            free(h->blocks[i].data);
            h->blocks[i].data = NULL;
        }
        uint8_t *out = wt_xmalloc(len ? (size_t)len : 1);
        long long n = whole_read(h, off, out, (size_t)len);
        if (n < 0) { free(out); h->failed = true; return NULL; }
        *got = (size_t)n;
        return out;
    }
    if (!resp.partial || resp.range_start != off || resp.body_len > len) {
        wt_http_response_fini(&resp);
        h->failed = true;
        return NULL;
    }
    uint8_t *out = (uint8_t *)resp.body;
    *got = resp.body_len;
    resp.body = NULL;
    wt_http_response_fini(&resp);
    return out;
}

static long long hr_read_at(void *self, uint64_t off, void *buf, size_t len) {
    hreader *h = self;
    if (off >= h->size || len == 0) return 0;
    if (len > h->size - off) len = (size_t)(h->size - off);
    if (h->whole_fd >= 0) return whole_read(h, off, buf, len);
    if (h->failed) return -1;
    const uint64_t bs = WT_HTTP_BLOCK_SIZE;
    /* Large reads bypass the cache (one exact range request). */
    if (len >= (size_t)bs * (WT_HTTP_CACHE_BLOCKS / 2)) {
        size_t got;
        uint8_t *data = fetch(h, off, len, &got);
        if (!data) return -1;
        memcpy(buf, data, got);
        free(data);
        return (long long)got;
    }
    uint64_t b0 = off / bs, b1 = (off + len - 1) / bs;
    /* touch hits first so eviction never drops a block this read needs */
    for (uint64_t b = b0; b <= b1; b++) {
        hblock *hb = cache_find(h, b);
        if (hb) hb->stamp = ++h->clock;
    }
    for (uint64_t b = b0; b <= b1;) {
        if (cache_find(h, b)) { b++; continue; }
        uint64_t e = b;
        while (e + 1 <= b1 && !cache_find(h, e + 1)) e++;
        uint64_t start = b * bs;
        uint64_t end = (e + 1) * bs;
        if (end > h->size) end = h->size;
        size_t got;
        uint8_t *data = fetch(h, start, end - start, &got);
        if (!data) return -1;
        if (h->whole_fd >= 0) { /* server ignored Range: serve from the whole object */
            free(data);
            return whole_read(h, off, buf, len);
        }
        for (uint64_t k = b; k <= e; k++) {
            uint64_t boff = (k - b) * bs;
            if (boff >= got) break;
            size_t blen = (size_t)(got - boff < bs ? got - boff : bs);
            hblock *v = cache_victim(h);
            free(v->data);
            v->data = wt_xmalloc(blen);
            memcpy(v->data, data + boff, blen);
            v->len = blen;
            v->idx = k;
            v->stamp = ++h->clock;
        }
        free(data);
        b = e + 1;
    }
    size_t done = 0;
    while (done < len) {
        uint64_t pos = off + done;
        hblock *hb = cache_find(h, pos / bs);
        if (!hb) break;
        size_t in = (size_t)(pos % bs);
        if (in >= hb->len) break;
        size_t n = hb->len - in;
        if (n > len - done) n = len - done;
        memcpy((uint8_t *)buf + done, hb->data + in, n);
        done += n;
    }
    return (long long)done;
}

static void hr_close(void *self) {
    hreader *h = self;
    for (unsigned i = 0; i < WT_HTTP_CACHE_BLOCKS; i++) free(h->blocks[i].data);
    if (h->whole_fd >= 0) close(h->whole_fd);
    free(h->url);
    wt_http_client_unref(h->c);
    free(h);
}

static const wt_reader_ops hr_ops = {
    .read_at = hr_read_at,
    .map = NULL,
    .close = hr_close,
};

static hreader *hreader_new(wt_http_client *c, const char *url, uint64_t size, uint64_t max_whole) {
    hreader *h = wt_xcalloc(1, sizeof *h);
    h->c = wt_http_client_ref(c);
    h->url = wt_xstrdup(url);
    h->size = size;
    h->max_whole = max_whole;
    h->whole_fd = -1;
    return h;
}

wt_reader *wt_http_reader_new_seeded(wt_http_client *c, const char *url, uint64_t size, uint64_t max_whole,
                                     uint8_t *head, size_t headlen) {
    hreader *h = hreader_new(c, url, size, max_whole);
    /* block 0 must be a full block, or the whole (small) object */
    if (head && headlen > 0 && (headlen == WT_HTTP_BLOCK_SIZE || headlen == size) && headlen <= WT_HTTP_BLOCK_SIZE) {
        h->blocks[0].data = head;
        h->blocks[0].len = headlen;
        h->blocks[0].idx = 0;
        h->blocks[0].stamp = ++h->clock;
    } else {
        free(head);
    }
    return wt_reader_new_custom(&hr_ops, h, size);
}

wt_reader *wt_http_reader_new(wt_http_client *c, const char *url, uint64_t size, uint64_t max_whole) {
    return wt_reader_new_custom(&hr_ops, hreader_new(c, url, size, max_whole), size);
}
