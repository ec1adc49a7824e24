/*
 * s3.c - Amazon S3 (and S3-compatible stores) source.
 *
 * Lists every object under s3://BUCKET/PREFIX with ListObjectsV2 (following
 * continuation tokens) and reads objects with SigV4-signed range requests
 * (libcurl's CURLOPT_AWS_SIGV4). Credentials: the flags, then
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, then the
 * AWS_PROFILE (default "default") profile of ~/.aws/credentials and
 * ~/.aws/config (AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE override the
 * paths); none => anonymous requests. --endpoint-url / AWS_ENDPOINT_URL(_S3)
 * select an S3-compatible store (path-style addressing). Object keys are
 * names only: nothing is ever written to disk, so "../" keys escape nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "sources/remote.h"

#define S3_MAX_PAGES 100000
#define S3_MAX_KEYS 1000000
#define INI_MAX_BYTES (1u << 20)

/* ---- ~/.aws/credentials and ~/.aws/config ---- */

typedef struct aws_profile {
    char *key, *secret, *token, *region, *endpoint;
} aws_profile;

static void profile_fini(aws_profile *p) {
    free(p->key);
    free(p->secret);
    free(p->token);
    free(p->region);
    free(p->endpoint);
}

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n')) *--e = 0;
    return s;
}

/* Read section `section` of an INI file; set fields not yet set. */
static void ini_read(const char *path, const char *section, aws_profile *p) {
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[4096];
    bool in = false;
    size_t total = 0;
    while (fgets(line, sizeof line, f)) {
        total += strlen(line);
        if (total > INI_MAX_BYTES) break;
        char *l = trim(line);
        if (*l == '#' || *l == ';' || *l == 0) continue;
        if (*l == '[') {
            char *end = strchr(l, ']');
            if (!end) { in = false; continue; }
            *end = 0;
            in = strcmp(trim(l + 1), section) == 0;
            continue;
        }
        if (!in) continue;
        char *eq = strchr(l, '=');
        if (!eq) continue;
        *eq = 0;
        char *k = trim(l), *v = trim(eq + 1);
        char **dst = NULL;
        if (strcmp(k, "aws_access_key_id") == 0) dst = &p->key;
        else if (strcmp(k, "aws_secret_access_key") == 0) dst = &p->secret;
        else if (strcmp(k, "aws_session_token") == 0) dst = &p->token;
        else if (strcmp(k, "region") == 0) dst = &p->region;
        else if (strcmp(k, "endpoint_url") == 0) dst = &p->endpoint;
        if (dst && !*dst && *v) *dst = wt_xstrdup(v);
    }
    fclose(f);
}

static void profile_load(aws_profile *p) {
    const char *name = wt_getenv_nonempty("AWS_PROFILE");
    if (!name) name = wt_getenv_nonempty("AWS_DEFAULT_PROFILE");
    if (!name) name = "default";
    const char *home = wt_getenv_nonempty("HOME");
    const char *cred = wt_getenv_nonempty("AWS_SHARED_CREDENTIALS_FILE");
    const char *conf = wt_getenv_nonempty("AWS_CONFIG_FILE");
    char *credp = cred ? wt_xstrdup(cred) : home ? wt_xasprintf("%s/.aws/credentials", home) : NULL;
    char *confp = conf ? wt_xstrdup(conf) : home ? wt_xasprintf("%s/.aws/config", home) : NULL;
    if (credp) ini_read(credp, name, p);
    if (confp) {
        char *sec = strcmp(name, "default") == 0 ? wt_xstrdup("default") : wt_xasprintf("profile %s", name);
        ini_read(confp, sec, p);
        free(sec);
    }
    free(credp);
    free(confp);
}

/* ---- minimal XML field extraction (S3 answers are flat and simple) ---- */

static char *xml_unescape(const char *s, size_t n) {
    wt_buf b;
    wt_buf_init(&b);
    for (size_t i = 0; i < n;) {
        if (s[i] != '&') { wt_buf_putc(&b, s[i++]); continue; }
        const char *semi = memchr(s + i, ';', n - i < 12 ? n - i : 12);
        if (!semi) { wt_buf_putc(&b, s[i++]); continue; }
        size_t len = (size_t)(semi - (s + i)) + 1;
        const char *ent = s + i + 1;
        size_t elen = len - 2;
        unsigned long cp = 0;
        bool ok = true;
        if (elen == 3 && strncmp(ent, "amp", 3) == 0) cp = '&';
        else if (elen == 2 && strncmp(ent, "lt", 2) == 0) cp = '<';
        else if (elen == 2 && strncmp(ent, "gt", 2) == 0) cp = '>';
        else if (elen == 4 && strncmp(ent, "quot", 4) == 0) cp = '"';
        else if (elen == 4 && strncmp(ent, "apos", 4) == 0) cp = '\'';
        else if (elen >= 2 && ent[0] == '#') {
            char tmp[16];
            memcpy(tmp, ent + 1, elen - 1);
            tmp[elen - 1] = 0;
            char *end;
            cp = (tmp[0] == 'x' || tmp[0] == 'X') ? strtoul(tmp + 1, &end, 16) : strtoul(tmp, &end, 10);
            ok = *end == 0 && cp > 0 && cp <= 0x10FFFF;
        } else ok = false;
        if (!ok) { wt_buf_putc(&b, s[i++]); continue; }
        if (cp < 0x80) wt_buf_putc(&b, (char)cp);
        else if (cp < 0x800) { wt_buf_putc(&b, (char)(0xC0 | (cp >> 6))); wt_buf_putc(&b, (char)(0x80 | (cp & 0x3F))); }
        else if (cp < 0x10000) {
            wt_buf_putc(&b, (char)(0xE0 | (cp >> 12)));
            wt_buf_putc(&b, (char)(0x80 | ((cp >> 6) & 0x3F)));
            wt_buf_putc(&b, (char)(0x80 | (cp & 0x3F)));
        } else {
            wt_buf_putc(&b, (char)(0xF0 | (cp >> 18)));
            wt_buf_putc(&b, (char)(0x80 | ((cp >> 12) & 0x3F)));
            wt_buf_putc(&b, (char)(0x80 | ((cp >> 6) & 0x3F)));
            wt_buf_putc(&b, (char)(0x80 | (cp & 0x3F)));
        }
        i += len;
    }
    if (!b.data) wt_buf_puts(&b, "");
    return wt_buf_steal(&b);
}

/* Find <tag>...</tag> in [p, end); returns the inner text span. */
static bool xml_find(const char *p, const char *end, const char *tag, const char **in, size_t *inlen,
                     const char **after) {
    char open[64], close[64];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    size_t ol = strlen(open), cl = strlen(close);
    const char *a = p;
    while (a && a + ol <= end) {
        a = memmem(a, (size_t)(end - a), open, ol);
        if (!a) return false;
        const char *s = a + ol;
        const char *e = memmem(s, (size_t)(end - s), close, cl);
        if (!e) return false;
        *in = s;
        *inlen = (size_t)(e - s);
        if (after) *after = e + cl;
        return true;
    }
    return false;
}

static char *xml_get(const char *p, const char *end, const char *tag) {
    const char *in;
    size_t n;
    if (!xml_find(p, end, tag, &in, &n, NULL)) return NULL;
    return xml_unescape(in, n);
}

static char *s3_error(const char *bucket, const char *region, long status, const char *body, size_t blen,
                      const char *detail) {
    const char *end = body ? body + blen : NULL;
    char *code = body ? xml_get(body, end, "Code") : NULL;
    char *smsg = body ? xml_get(body, end, "Message") : NULL;
    char *want = body ? xml_get(body, end, "Region") : NULL;
    char *m;
    const char *c = code ? code : "";
    if (strcmp(c, "NoSuchBucket") == 0 || (status == 404 && !*c))
        m = wt_xasprintf("S3 bucket '%s': not found (HTTP 404 NoSuchBucket)", bucket);
    else if (strcmp(c, "InvalidAccessKeyId") == 0 || strcmp(c, "SignatureDoesNotMatch") == 0 ||
             strcmp(c, "InvalidToken") == 0 || strcmp(c, "ExpiredToken") == 0 || strcmp(c, "InvalidSecurity") == 0)
        m = wt_xasprintf("S3 bucket '%s': bad credentials (HTTP %ld %s): check the access key, secret key and "
                         "session token",
                         bucket, status, c);
    else if (strcmp(c, "PermanentRedirect") == 0 || strcmp(c, "AuthorizationHeaderMalformed") == 0 ||
             strcmp(c, "IllegalLocationConstraintException") == 0 || status == 301)
        m = wt_xasprintf("S3 bucket '%s': wrong region (HTTP %ld %s): requests were signed for '%s'%s%s%s", bucket,
                         status, *c ? c : "redirect", region, want ? ", the bucket is in '" : "", want ? want : "",
                         want ? "' (use --region)" : " (use --region)");
    else if (strcmp(c, "AccessDenied") == 0 || status == 403)
        m = wt_xasprintf("S3 bucket '%s': access denied (HTTP 403%s%s): the credentials may not list/read this "
                         "bucket, or they are wrong",
                         bucket, *c ? " " : "", c);
    else if (status == 401)
        m = wt_xasprintf("S3 bucket '%s': authentication required (HTTP 401)", bucket);
    else
        m = wt_xasprintf("S3 bucket '%s': %s%s%s%s", bucket, detail ? detail : "request failed", *c ? " (" : "", c,
                         *c ? ")" : "");
    (void)smsg;
    free(code);
    free(smsg);
    free(want);
    return m;
}

int wt_s3_parse_list_page(const char *xml, size_t len, void (*on_key)(void *ud, const char *key, uint64_t size),
                          void *ud, bool *truncated, char **next_token) {
    *truncated = false;
    *next_token = NULL;
    if (!xml || !memmem(xml, len, "<ListBucketResult", 17)) return -1;
    const char *p = xml, *end = xml + len;
    const char *in, *after;
    size_t n;
    while (xml_find(p, end, "Contents", &in, &n, &after)) {
        char *k = xml_get(in, in + n, "Key");
        char *sz = xml_get(in, in + n, "Size");
        uint64_t size = sz ? strtoull(sz, NULL, 10) : 0;
        size_t kl = k ? strlen(k) : 0;
        /* skip folder markers ("dir/" with no content) and empty keys */
        if (k && kl > 0 && !(k[kl - 1] == '/' && size == 0)) on_key(ud, k, size);
        free(k);
        free(sz);
        p = after;
    }
    char *trunc = xml_get(xml, end, "IsTruncated");
    *truncated = trunc && strcmp(trunc, "true") == 0;
    free(trunc);
    if (*truncated) {
        *next_token = xml_get(xml, end, "NextContinuationToken");
        if (!*next_token || !**next_token) { /* truncated without a token: stop */
            free(*next_token);
            *next_token = NULL;
            *truncated = false;
        }
    }
    return 0;
}

typedef struct list_ctx {
    wt_source *s;
    size_t *cap;
    const char *base;
} list_ctx;

static void add_key(void *ud, const char *key, uint64_t size) {
    list_ctx *lc = ud;
    if (lc->s->nentries >= S3_MAX_KEYS) return;
    char *ek = wt_http_escape(key, true);
    wt_remote_add(lc->s, lc->cap, key, size, wt_xasprintf("%s/%s", lc->base, ek));
    free(ek);
}

static _Thread_local bool region_retrying;

static bool valid_region(const char *r) {
    size_t n = strlen(r);
    if (n < 2 || n > 40) return false;
    for (const char *p = r; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')) return false;
    return true;
}

static bool valid_bucket(const char *b) {
    size_t n = strlen(b);
    if (n < 1 || n > 255) return false;
    for (const char *p = b; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
              c == '_'))
            return false;
    }
    return true;
}

int wt_source_s3_open(const wt_target *t, const wt_scan_options *opt, wt_source **out, char **err) {
    *out = NULL;
    const char *bucket = t->location && *t->location ? t->location : opt ? opt->bucket : NULL;
    if (!bucket || !valid_bucket(bucket)) {
        *err = wt_xasprintf("invalid S3 bucket name '%s'", bucket ? bucket : "");
        return WT_ERR_USAGE;
    }
    const char *prefix = t->subpath && *t->subpath ? t->subpath : opt && opt->target_dir ? opt->target_dir : "";

    aws_profile prof = {0};
    profile_load(&prof);
    const char *key = NULL, *secret = NULL, *token = NULL;
    if (opt && opt->aws_access_key_id && opt->aws_secret_access_key) {
        key = opt->aws_access_key_id;
        secret = opt->aws_secret_access_key;
        token = opt->aws_session_token;
    } else if (wt_getenv_nonempty("AWS_ACCESS_KEY_ID") && wt_getenv_nonempty("AWS_SECRET_ACCESS_KEY")) {
        key = getenv("AWS_ACCESS_KEY_ID");
        secret = getenv("AWS_SECRET_ACCESS_KEY");
        token = wt_getenv_nonempty("AWS_SESSION_TOKEN");
    } else if (prof.key && prof.secret) {
        key = prof.key;
        secret = prof.secret;
        token = prof.token;
    }
    const char *region = opt && opt->region && *opt->region ? opt->region : NULL;
    if (!region) region = wt_getenv_nonempty("AWS_REGION");
    if (!region) region = wt_getenv_nonempty("AWS_DEFAULT_REGION");
    if (!region) region = prof.region;
    if (!region) region = "us-east-1";
    const char *endpoint = opt && opt->endpoint_url && *opt->endpoint_url ? opt->endpoint_url : NULL;
    if (!endpoint) endpoint = wt_getenv_nonempty("AWS_ENDPOINT_URL_S3");
    if (!endpoint) endpoint = wt_getenv_nonempty("AWS_ENDPOINT_URL");
    if (!endpoint) endpoint = prof.endpoint;

    char *base;
    if (endpoint) {
        if (strncmp(endpoint, "http://", 7) != 0 && strncmp(endpoint, "https://", 8) != 0) {
            *err = wt_xasprintf("--endpoint-url must start with http:// or https://");
            profile_fini(&prof);
            return WT_ERR_USAGE;
        }
        char *ep = wt_xstrdup(endpoint);
        for (size_t n = strlen(ep); n > 0 && ep[n - 1] == '/'; n--) ep[n - 1] = 0;
        base = wt_xasprintf("%s/%s", ep, bucket); /* path-style for custom endpoints */
        free(ep);
    } else if (strchr(bucket, '.')) {
        base = wt_xasprintf("https://s3.%s.amazonaws.com/%s", region, bucket);
    } else {
        base = wt_xasprintf("https://%s.s3.%s.amazonaws.com", bucket, region);
    }

    wt_http_auth auth = {.aws_region = key ? region : NULL, .aws_key = key, .aws_secret = secret, .aws_token = token};
    wt_http_client *c = wt_http_client_new(&auth);
    wt_source *s = wt_remote_source_new("s3", bucket, c, opt);
    s->is_s3 = true;
    size_t cap = 0;
    int rc = WT_OK;
    char *ctoken = NULL;
    char *retry_region = NULL;
    char *eprefix = wt_http_escape(prefix, false);
    for (int page = 0;; page++) {
        if (page >= S3_MAX_PAGES) {
            *err = wt_xasprintf("S3 bucket '%s': too many pages in the listing", bucket);
            rc = WT_ERR_LIMIT;
            break;
        }
        /* query parameters in canonical (sorted) order for SigV4 */
        char *etok = ctoken ? wt_http_escape(ctoken, false) : NULL;
        char *url = wt_xasprintf("%s/?%s%s%slist-type=2&max-keys=1000&prefix=%s", base, etok ? "continuation-token=" : "",
                                 etok ? etok : "", etok ? "&" : "", eprefix);
        free(etok);
        wt_http_response resp;
        char *msg = NULL;
        rc = wt_http_get(c, url, 0, 0, 0, &resp, &msg);
        free(url);
        if (rc != WT_OK) {
            /* signed for the wrong region: S3 names the right one; retry once */
            if (page == 0 && opt && !region_retrying && resp.bucket_region && strcmp(resp.bucket_region, region) != 0 &&
                valid_region(resp.bucket_region) && (resp.status == 301 || resp.status == 400)) {
                retry_region = wt_xstrdup(resp.bucket_region);
                free(msg);
                wt_http_response_fini(&resp);
                break;
            }
            *err = s3_error(bucket, region, resp.status, resp.body, resp.body_len, msg);
            free(msg);
            wt_http_response_fini(&resp);
            break;
        }
        list_ctx lc = {s, &cap, base};
        bool truncated = false;
        free(ctoken);
        ctoken = NULL;
        if (wt_s3_parse_list_page(resp.body, resp.body_len, add_key, &lc, &truncated, &ctoken) != 0) {
            *err = wt_xasprintf("S3 bucket '%s': unexpected answer to ListObjectsV2", bucket);
            wt_http_response_fini(&resp);
            rc = WT_ERR_FORMAT;
            break;
        }
        wt_http_response_fini(&resp);
        if (!truncated) {
            free(ctoken);
            ctoken = NULL;
        }
        if (!ctoken || s->nentries >= S3_MAX_KEYS) break;
    }
    free(ctoken);
    free(eprefix);
    free(base);
    profile_fini(&prof);
    if (retry_region) {
        wt_source_free(s);
        wt_scan_options o2 = *opt;
        o2.region = retry_region;
        region_retrying = true; /* once: a server cannot send us around in circles */
        rc = wt_source_s3_open(t, &o2, out, err);
        region_retrying = false;
        free(retry_region);
        return rc;
    }
    if (rc != WT_OK) {
        wt_source_free(s);
        return rc;
    }
    wt_remote_finish(s);
    *out = s;
    return WT_OK;
}
