/*
 * server.c - HTTP front of the web UI: routing, security checks (token,
 * CSRF, Host, CSP), the JSON API and the background scan workers.
 * The UI is an attack surface: every input is validated, bodies are
 * bounded, secrets are used and dropped, never stored or echoed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "web.h"

#define MAX_BODY (64 * 1024)
#define PROGRESS_INTERVAL_NS 250000000ull

typedef struct job {
    char id[33];
    char *target;
    wt_scan_options opt;
    /* owned copies of option strings (secrets wiped after the scan) */
    char *s_branch, *s_region, *s_bucket, *s_key, *s_secret, *s_type;
    volatile int cancel;
    pthread_mutex_t lock;
    json_t *progress;
    uint64_t last_store_ns;
    struct job *next;
    struct server *srv;
    bool running;
} job;

typedef struct server {
    const wt_web_config *cfg;
    wt_store *store;
    struct MHD_Daemon *d;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    job *queue_head, *queue_tail;
    int queued;
    job *running[64];
    bool stopping;
    pthread_t workers[64];
    int nworkers;
    char **roots; /* real paths of allowed roots */
    size_t nroots;
    bool loopback;
} server;

/* ---- helpers ---- */
static void random_hex(char *out, size_t nbytes) {
    unsigned char b[32] = {0};
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f || fread(b, 1, nbytes, f) != nbytes) {
        for (size_t i = 0; i < nbytes; i++) b[i] = (unsigned char)(rand() ^ (int)wt_now_ns());
    }
    if (f) fclose(f);
    for (size_t i = 0; i < nbytes; i++) sprintf(out + 2 * i, "%02x", b[i]);
}

static void wipe_free(char *s) {
    if (!s) return;
    volatile char *p = s;
    while (*p) *p++ = 0;
    free(s);
}

static void add_security_headers(struct MHD_Response *r) {
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                            "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cache-Control", "no-store");
}

static enum MHD_Result send_buf(struct MHD_Connection *c, unsigned status, const char *ctype, const char *buf,
                                size_t len, const char *disposition) {
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)buf, MHD_RESPMEM_MUST_COPY);
    add_security_headers(r);
    MHD_add_response_header(r, "Content-Type", ctype);
    if (disposition) MHD_add_response_header(r, "Content-Disposition", disposition);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, json_t *j) {
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    enum MHD_Result ret = send_buf(c, status, "application/json", s, strlen(s), NULL);
    free(s);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *msg, const char *field) {
    json_t *j = json_pack("{s:s}", "error", msg);
    if (field) json_object_set_new(j, "field", json_string(field));
    return send_json(c, status, j);
}

/* ---- scans ---- */
static json_t *progress_json(const wt_progress *p) {
    return json_pack("{s:I,s:I,s:I,s:I,s:s?}", "artifacts_done", (json_int_t)p->artifacts_done, "artifacts_total",
                     (json_int_t)p->artifacts_total, "bytes_read", (json_int_t)p->bytes_read, "bytes_total",
                     (json_int_t)p->bytes_total, "current", p->current);
}

static void on_progress(void *ud, const wt_progress *p) {
    job *j = ud;
    json_t *pj = progress_json(p);
    pthread_mutex_lock(&j->lock);
    if (j->progress) json_decref(j->progress);
    j->progress = json_incref(pj);
    uint64_t now = wt_now_ns();
    bool store = now - j->last_store_ns > PROGRESS_INTERVAL_NS;
    if (store) j->last_store_ns = now;
    pthread_mutex_unlock(&j->lock);
    if (store) wt_store_set_progress(j->srv->store, j->id, pj);
    json_decref(pj);
}

static json_t *summary_json(const wt_scan_result *r) {
    json_t *sev = json_object(), *cat = json_object();
    for (int s = WT_SEV_LOW; s <= WT_SEV_CRITICAL; s++) json_object_set_new(sev, wt_severity_name((wt_severity)s), json_integer(0));
    for (int c = 0; c < WT_CAT__COUNT; c++) json_object_set_new(cat, wt_category_name((wt_category)c), json_integer(0));
    for (size_t i = 0; i < r->nfindings; i++) {
        const wt_finding *f = r->findings[i];
        const char *sn = wt_severity_name(f->severity), *cn = wt_category_name(f->category);
        json_object_set_new(sev, sn, json_integer(json_integer_value(json_object_get(sev, sn)) + 1));
        json_object_set_new(cat, cn, json_integer(json_integer_value(json_object_get(cat, cn)) + 1));
    }
    json_t *notes = json_array();
    for (size_t i = 0; i < r->nnotes; i++) json_array_append_new(notes, json_string(r->notes[i]));
    return json_pack("{s:I,s:o,s:o,s:I,s:I,s:I,s:I,s:I,s:I,s:f,s:o,s:s,s:s}", "findings", (json_int_t)r->nfindings,
                     "by_severity", sev, "by_category", cat, "artifacts", (json_int_t)r->artifacts, "models_found",
                     (json_int_t)r->models_found, "models_scanned", (json_int_t)r->models_scanned, "nbreq_found",
                     (json_int_t)r->nbreq_found, "bytes_total", (json_int_t)r->bytes_total, "bytes_read",
                     (json_int_t)r->bytes_read, "seconds", r->seconds, "notes", notes, "repository_type",
                     r->repo_type ? r->repo_type : "", "repository", r->repo_url ? r->repo_url : "");
}

static char *render_sarif(const wt_scan_result *r) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return wt_xstrdup("{}");
    wt_report_sarif(r, f);
    fclose(f);
    return buf;
}

static void run_job(server *srv, job *j) {
    wt_store_set_status(srv->store, j->id, "running", NULL);
    j->opt.progress = on_progress;
    j->opt.progress_ud = j;
    j->opt.cancel = &j->cancel;
    wt_scan_result *r = NULL;
    char *err = NULL;
    const char *targets[1] = {j->target};
    int rc = wt_scan(targets, 1, &j->opt, &r, &err);
    if (rc != WT_OK || j->cancel) {
        wt_store_set_status(srv->store, j->id, "failed", j->cancel ? "cancelled" : err ? err : "scan failed");
    } else {
        json_t *findings = json_array();
        for (size_t i = 0; i < r->nfindings; i++) json_array_append_new(findings, wt_finding_to_json(r->findings[i]));
        const char *names[4] = {"summary", "detailed", "severity", "sarif"};
        char *reps[4];
        reps[0] = wt_report_watchtower_string(r, "summary");
        reps[1] = wt_report_watchtower_string(r, "detailed");
        reps[2] = wt_report_watchtower_string(r, "severity");
        reps[3] = render_sarif(r);
        json_t *sum = summary_json(r);
        if (j->progress) {
            json_t *p = json_deep_copy(j->progress);
            json_object_set_new(p, "artifacts_done", json_integer((json_int_t)r->artifacts));
            json_object_del(p, "current");
            wt_store_set_progress(srv->store, j->id, p);
            json_decref(p);
        }
        if (wt_store_finish(srv->store, j->id, sum, findings, names, (const char *const *)reps, 4) != 0)
            wt_store_set_status(srv->store, j->id, "failed", "could not store the results");
        for (int i = 0; i < 4; i++) free(reps[i]);
        json_decref(sum);
        json_decref(findings);
        wt_scan_result_free(r);
    }
    free(err);
}

static void job_free(job *j) {
    free(j->target);
    free(j->s_branch);
    free(j->s_region);
    free(j->s_bucket);
    free(j->s_type);
    wipe_free(j->s_key);
    wipe_free(j->s_secret);
    if (j->progress) json_decref(j->progress);
    pthread_mutex_destroy(&j->lock);
    free(j);
}

static void *worker_main(void *arg) {
    server *srv = arg;
    for (;;) {
        pthread_mutex_lock(&srv->lock);
        while (!srv->queue_head && !srv->stopping) pthread_cond_wait(&srv->cond, &srv->lock);
        if (srv->stopping) {
            pthread_mutex_unlock(&srv->lock);
            return NULL;
        }
        job *j = srv->queue_head;
        srv->queue_head = j->next;
        if (!srv->queue_head) srv->queue_tail = NULL;
        srv->queued--;
        for (int i = 0; i < 64; i++)
            if (!srv->running[i]) {
                srv->running[i] = j;
                break;
            }
        j->running = true;
        pthread_mutex_unlock(&srv->lock);
        if (!j->cancel) run_job(srv, j);
        pthread_mutex_lock(&srv->lock);
        for (int i = 0; i < 64; i++)
            if (srv->running[i] == j) srv->running[i] = NULL;
        pthread_mutex_unlock(&srv->lock);
        job_free(j);
    }
}

static bool path_allowed(server *srv, const char *path, char **real_out) {
    char *real = realpath(path, NULL);
    if (!real) return false;
    for (size_t i = 0; i < srv->nroots; i++) {
        size_t n = strlen(srv->roots[i]);
        if (strncmp(real, srv->roots[i], n) == 0 && (real[n] == 0 || real[n] == '/' || (n == 1))) {
            *real_out = real;
            return true;
        }
    }
    free(real);
    return false;
}

static const char *jstr(json_t *o, const char *k) {
    json_t *v = json_object_get(o, k);
    return json_is_string(v) && json_string_length(v) ? json_string_value(v) : NULL;
}

static bool bad_chars(const char *s) {
    for (; *s; s++)
        if ((unsigned char)*s < 0x20) return true;
    return false;
}

static enum MHD_Result create_scan(server *srv, struct MHD_Connection *c, const char *body, size_t len) {
    json_error_t je;
    json_t *req = json_loadb(body, len, 0, &je);
    if (!json_is_object(req)) {
        if (req) json_decref(req);
        return send_error(c, 400, "request body must be a JSON object", NULL);
    }
    const char *type = jstr(req, "type");
    const char *url = jstr(req, "url"), *path = jstr(req, "path"), *bucket = jstr(req, "bucket");
    const char *branch = jstr(req, "branch"), *region = jstr(req, "region");
    const char *key = jstr(req, "aws_access_key_id"), *secret = jstr(req, "aws_secret_access_key");
    json_t *depth_j = json_object_get(req, "depth");
    long depth = 1;
    const char *field = NULL, *msg = NULL;
    char *target = NULL;
    if (!type || (strcmp(type, "local") && strcmp(type, "github") && strcmp(type, "huggingface") && strcmp(type, "s3"))) {
        field = "type";
        msg = "type must be one of local, github, huggingface, s3";
    } else if (depth_j && !json_is_null(depth_j) &&
               (!json_is_integer(depth_j) || json_integer_value(depth_j) < 1 || json_integer_value(depth_j) > 1000000)) {
        field = "depth";
        msg = "depth must be a whole number of at least 1";
    } else if (strcmp(type, "local") == 0) {
        char *real = NULL;
        if (!path) { field = "path"; msg = "a file or folder path is required"; }
        else if (bad_chars(path) || !path_allowed(srv, path, &real)) {
            field = "path";
            msg = "path does not exist or is outside the folders this server may scan (--allow-path)";
        } else target = real;
    } else if (strcmp(type, "github") == 0) {
        if (!url || bad_chars(url) || !(wt_str_startswith(url, "https://") || wt_str_startswith(url, "http://") ||
                                        wt_str_startswith(url, "git://") || wt_str_startswith(url, "ssh://"))) {
            field = "url";
            msg = "a repository URL such as https://github.com/OWNER/REPO is required";
        } else target = wt_xstrdup(url);
    } else if (strcmp(type, "huggingface") == 0) {
        if (!url || bad_chars(url) || !(wt_str_startswith(url, "https://") || wt_str_startswith(url, "hf://"))) {
            field = "url";
            msg = "a Hugging Face URL such as https://huggingface.co/OWNER/NAME or hf://OWNER/NAME is required";
        } else target = wt_xstrdup(url);
    } else {
        if (!bucket || bad_chars(bucket) || strchr(bucket, '/')) {
            field = "bucket";
            msg = "a bucket name is required";
        } else target = wt_xasprintf("s3://%s", bucket);
    }
    if (!field && depth_j && json_is_integer(depth_j)) depth = (long)json_integer_value(depth_j);
    if (field) {
        free(target);
        /* wipe the secret from the parsed request before freeing it */
        json_decref(req);
        return send_error(c, 400, msg, field);
    }
    /* validate the target the same way the CLI does */
    wt_target t;
    char *err = NULL;
    const char *hint = strcmp(type, "local") == 0 ? NULL : type;
    if (wt_target_parse(target, hint, &t, &err) != WT_OK) {
        enum MHD_Result ret = send_error(c, 400, err ? err : "invalid target", strcmp(type, "local") == 0 ? "path" : "url");
        free(err);
        free(target);
        json_decref(req);
        return ret;
    }
    wt_target_fini(&t);

    job *j = wt_xcalloc(1, sizeof *j);
    random_hex(j->id, 16);
    j->srv = srv;
    pthread_mutex_init(&j->lock, NULL);
    j->target = target;
    wt_scan_options_default(&j->opt);
    j->opt.jobs = 2;
    j->s_type = wt_xstrdup(strcmp(type, "local") == 0 ? (wt_str_endswith_ci(target, "/") ? "folder" : "folder") : type);
    if (strcmp(type, "local") == 0) {
        struct stat st;
        if (stat(target, &st) == 0 && S_ISREG(st.st_mode)) {
            free(j->s_type);
            j->s_type = wt_xstrdup("file");
        }
    }
    j->opt.repo_type = j->s_type;
    if (branch) j->opt.branch = j->s_branch = wt_xstrdup(branch);
    if (region) j->opt.region = j->s_region = wt_xstrdup(region);
    if (bucket) j->opt.bucket = j->s_bucket = wt_xstrdup(bucket);
    if (key) j->opt.aws_access_key_id = j->s_key = wt_xstrdup(key);
    if (secret) j->opt.aws_secret_access_key = j->s_secret = wt_xstrdup(secret);
    j->opt.depth = (int)depth;

    /* what is kept: the request without credentials */
    json_t *kept = json_pack("{s:s}", "type", type);
    if (url) json_object_set_new(kept, "url", json_string(url));
    if (path) json_object_set_new(kept, "path", json_string(path));
    if (bucket) json_object_set_new(kept, "bucket", json_string(bucket));
    if (branch) json_object_set_new(kept, "branch", json_string(branch));
    if (region) json_object_set_new(kept, "region", json_string(region));
    json_object_set_new(kept, "depth", json_integer(depth));
    if (key) json_object_set_new(kept, "aws_access_key_id", json_string("(provided, not stored)"));
    json_decref(req);

    pthread_mutex_lock(&srv->lock);
    if (srv->queued >= srv->cfg->max_queue) {
        pthread_mutex_unlock(&srv->lock);
        json_decref(kept);
        job_free(j);
        return send_error(c, 503, "too many scans queued; try again later", NULL);
    }
    if (wt_store_add_scan(srv->store, j->id, kept) != 0) {
        pthread_mutex_unlock(&srv->lock);
        json_decref(kept);
        job_free(j);
        return send_error(c, 500, "could not record the scan", NULL);
    }
    json_decref(kept);
    if (srv->queue_tail) srv->queue_tail->next = j;
    else srv->queue_head = j;
    srv->queue_tail = j;
    srv->queued++;
    char id[33];
    memcpy(id, j->id, sizeof id);
    pthread_cond_signal(&srv->cond);
    pthread_mutex_unlock(&srv->lock);
    return send_json(c, 201, json_pack("{s:s,s:s}", "id", id, "status", "queued"));
}

/* Live progress for a running scan (fresher than the stored one). */
static void merge_live(server *srv, json_t *scan) {
    const char *id = json_string_value(json_object_get(scan, "id"));
    pthread_mutex_lock(&srv->lock);
    for (int i = 0; i < 64; i++) {
        job *j = srv->running[i];
        if (j && strcmp(j->id, id) == 0) {
            pthread_mutex_lock(&j->lock);
            if (j->progress) json_object_set(scan, "progress", j->progress);
            pthread_mutex_unlock(&j->lock);
        }
    }
    pthread_mutex_unlock(&srv->lock);
}

static bool cancel_job(server *srv, const char *id) {
    bool found = false;
    pthread_mutex_lock(&srv->lock);
    for (int i = 0; i < 64; i++)
        if (srv->running[i] && strcmp(srv->running[i]->id, id) == 0) {
            srv->running[i]->cancel = 1;
            found = true;
        }
    for (job *j = srv->queue_head; j; j = j->next)
        if (strcmp(j->id, id) == 0) {
            j->cancel = 1;
            found = true;
        }
    pthread_mutex_unlock(&srv->lock);
    return found;
}

static bool valid_id(const char *s, size_t n) {
    if (n != 32) return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return true;
}

static int qint(struct MHD_Connection *c, const char *k, int dflt, int lo, int hi) {
    const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, k);
    if (!v || !*v) return dflt;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < lo) return lo;
    return n > hi ? hi : (int)n;
}

static enum MHD_Result api(server *srv, struct MHD_Connection *c, const char *method, const char *url, const char *body,
                           size_t blen) {
    const char *rest = url + strlen("/api/scans");
    if (*rest == 0 || strcmp(rest, "/") == 0) {
        if (strcmp(method, "POST") == 0) return create_scan(srv, c, body, blen);
        if (strcmp(method, "GET") == 0) {
            json_t *arr = wt_store_list_scans(srv->store, qint(c, "limit", 100, 1, 1000));
            size_t i;
            json_t *s;
            json_array_foreach(arr, i, s) merge_live(srv, s);
            return send_json(c, 200, json_pack("{s:o}", "scans", arr));
        }
        return send_error(c, 405, "method not allowed", NULL);
    }
    if (*rest != '/') return send_error(c, 404, "not found", NULL);
    rest++;
    const char *slash = strchr(rest, '/');
    size_t idlen = slash ? (size_t)(slash - rest) : strlen(rest);
    if (!valid_id(rest, idlen)) return send_error(c, 404, "no such scan", NULL);
    char id[33];
    memcpy(id, rest, 32);
    id[32] = 0;
    const char *sub = slash ? slash + 1 : "";
    json_t *scan = wt_store_get_scan(srv->store, id);
    if (!scan) return send_error(c, 404, "no such scan", NULL);
    if (*sub == 0) {
        if (strcmp(method, "DELETE") == 0) {
            json_decref(scan);
            cancel_job(srv, id);
            wt_store_delete(srv->store, id);
            return send_json(c, 200, json_pack("{s:s,s:b}", "id", id, "deleted", 1));
        }
        if (strcmp(method, "GET") != 0) {
            json_decref(scan);
            return send_error(c, 405, "method not allowed", NULL);
        }
        merge_live(srv, scan);
        return send_json(c, 200, scan);
    }
    const char *status = json_string_value(json_object_get(scan, "status"));
    bool done = status && strcmp(status, "done") == 0;
    json_decref(scan);
    if (strcmp(method, "GET") != 0) return send_error(c, 405, "method not allowed", NULL);
    if (strcmp(sub, "findings") == 0) {
        const char *sev = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "severity");
        const char *cat = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "category");
        const char *file = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "file");
        const char *sort = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "sort");
        wt_severity sv;
        if (sev && *sev && (wt_severity_parse(sev, &sv) != 0 || sv == WT_SEV_NONE))
            return send_error(c, 400, "severity must be low, medium, high or critical", "severity");
        int limit = qint(c, "limit", 100, 1, 1000), offset = qint(c, "offset", 0, 0, INT_MAX);
        long long total = 0;
        json_t *arr = wt_store_findings(srv->store, id, sev, cat, file, sort, offset, limit, &total);
        return send_json(c, 200, json_pack("{s:o,s:I,s:i,s:i}", "findings", arr, "total", (json_int_t)total, "offset",
                                           offset, "limit", limit));
    }
    if (wt_str_startswith(sub, "reports/")) {
        const char *name = sub + 8;
        if (strcmp(name, "summary") && strcmp(name, "detailed") && strcmp(name, "severity") && strcmp(name, "sarif"))
            return send_error(c, 404, "reports are summary, detailed, severity and sarif", NULL);
        if (!done) return send_error(c, 409, "the scan has not finished", NULL);
        size_t len = 0;
        char *rep = wt_store_report(srv->store, id, name, &len);
        if (!rep) return send_error(c, 404, "report not found", NULL);
        const char *fname = strcmp(name, "summary") == 0    ? "summary_reports_%s.json"
                            : strcmp(name, "detailed") == 0 ? "detailed_reports_%s.json"
                            : strcmp(name, "severity") == 0 ? "severity_mapped_detailed_reports_%s.json"
                                                            : "watchtower_%s.sarif";
        char fn[128], disp[200];
        snprintf(fn, sizeof fn, fname, id);
        snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", fn);
        enum MHD_Result ret = send_buf(c, 200, strcmp(name, "sarif") == 0 ? "application/sarif+json" : "application/json",
                                       rep, len, disp);
        free(rep);
        return ret;
    }
    return send_error(c, 404, "not found", NULL);
}

/* ---- request plumbing ---- */
typedef struct reqbuf {
    wt_buf body;
    bool too_big;
} reqbuf;

static bool const_eq(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    unsigned char d = (unsigned char)(la != lb);
    for (size_t i = 0; i < la && i < lb; i++) d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

static bool host_ok(server *srv, struct MHD_Connection *c) {
    if (!srv->loopback) return true; /* token-protected instead */
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    if (!host) return false;
    /* DNS-rebinding guard: a loopback server answers loopback names only */
    return wt_str_startswith(host, "127.") || wt_str_startswith(host, "localhost") || wt_str_startswith(host, "[::1]");
}

static bool token_ok(server *srv, struct MHD_Connection *c, bool method_is_get) {
    if (!srv->cfg->token) return true;
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Watchtower-Token");
    const char *a = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (h && const_eq(h, srv->cfg->token)) return true;
    if (a && wt_str_startswith(a, "Bearer ") && const_eq(a + 7, srv->cfg->token)) return true;
    /* report downloads are plain links: accept ?token= on GET only */
    const char *q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
    return q && method_is_get && const_eq(q, srv->cfg->token);
}

/* State-changing requests must come from our own page: a custom header
 * (which a cross-site form cannot send without a CORS preflight we never
 * grant) and, when the browser says where it came from, our own origin. */
static bool csrf_ok(struct MHD_Connection *c) {
    const char *x = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Requested-With");
    if (!x || strcmp(x, "watchtower") != 0) return false;
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    if (!origin || strcmp(origin, "null") == 0) return origin == NULL;
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    if (!host) return false;
    const char *o = strstr(origin, "://");
    return o && strcmp(o + 3, host) == 0;
}

static enum MHD_Result serve_asset(struct MHD_Connection *c, const char *name) {
    size_t len = 0;
    const char *data = wt_web_asset_get(name, &len);
    if (!data) return send_error(c, 404, "not found", NULL);
    const char *ct = wt_str_endswith_ci(name, ".js")    ? "text/javascript; charset=utf-8"
                     : wt_str_endswith_ci(name, ".css") ? "text/css; charset=utf-8"
                     : wt_str_endswith_ci(name, ".svg") ? "image/svg+xml"
                                                        : "text/html; charset=utf-8";
    return send_buf(c, 200, ct, data, len, NULL);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *upload_data, size_t *upload_size, void **con_cls) {
    (void)version;
    server *srv = cls;
    reqbuf *rb = *con_cls;
    if (!rb) {
        rb = wt_xcalloc(1, sizeof *rb);
        *con_cls = rb;
        return MHD_YES;
    }
    if (*upload_size) {
        if (rb->body.len + *upload_size > MAX_BODY) rb->too_big = true;
        else wt_buf_append(&rb->body, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (!host_ok(srv, c)) return send_error(c, 403, "unexpected Host header", NULL);
    if (rb->too_big) return send_error(c, 413, "request body too large", NULL);
    if (strcmp(url, "/") == 0) {
        struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        add_security_headers(r);
        MHD_add_response_header(r, "Location", "/watchtower-aishield");
        enum MHD_Result ret = MHD_queue_response(c, 302, r);
        MHD_destroy_response(r);
        return ret;
    }
    if (strcmp(url, "/watchtower-aishield") == 0 || strcmp(url, "/watchtower-aishield/") == 0) {
        if (strcmp(method, "GET") && strcmp(method, "HEAD")) return send_error(c, 405, "method not allowed", NULL);
        return serve_asset(c, "index.html");
    }
    if (wt_str_startswith(url, "/watchtower-aishield/assets/")) {
        const char *name = url + strlen("/watchtower-aishield/assets/");
        if (strstr(name, "..") || strchr(name, '/')) return send_error(c, 404, "not found", NULL);
        return serve_asset(c, name);
    }
    if (wt_str_startswith(url, "/api/")) {
        if (!token_ok(srv, c, strcmp(method, "GET") == 0)) return send_error(c, 401, "missing or wrong access token", NULL);
        if (strcmp(method, "GET") != 0 && !csrf_ok(c))
            return send_error(c, 403, "cross-site request refused (X-Requested-With: watchtower required)", NULL);
        if (strcmp(method, "POST") == 0) {
            const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
            if (!ct || !wt_str_startswith(ct, "application/json"))
                return send_error(c, 415, "Content-Type must be application/json", NULL);
        }
        if (wt_str_startswith(url, "/api/scans")) return api(srv, c, method, url, rb->body.data ? rb->body.data : "", rb->body.len);
        return send_error(c, 404, "not found", NULL);
    }
    return send_error(c, 404, "not found", NULL);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe) {
    (void)cls;
    (void)c;
    (void)toe;
    reqbuf *rb = *con_cls;
    if (rb) {
        wt_buf_free(&rb->body);
        free(rb);
    }
    *con_cls = NULL;
}

static bool is_loopback(const char *bind) {
    return strcmp(bind, "127.0.0.1") == 0 || wt_str_startswith(bind, "127.") || strcmp(bind, "::1") == 0 ||
           strcmp(bind, "localhost") == 0;
}

int wt_web_serve(const wt_web_config *cfg, char **err) {
    server srv = {0};
    srv.cfg = cfg;
    srv.loopback = is_loopback(cfg->bind);
    if (!srv.loopback && !cfg->token) {
        if (err) *err = wt_xstrdup("binding to a non-loopback address needs an access token");
        return 2;
    }
    srv.roots = wt_xcalloc(cfg->nallow ? cfg->nallow : 1, sizeof *srv.roots);
    for (size_t i = 0; i < cfg->nallow; i++) {
        char *r = realpath(cfg->allow_paths[i], NULL);
        if (!r) {
            if (err) *err = wt_xasprintf("--allow-path %s: %s", cfg->allow_paths[i], strerror(errno));
            for (size_t k = 0; k < srv.nroots; k++) free(srv.roots[k]);
            free(srv.roots);
            return 2;
        }
        srv.roots[srv.nroots++] = r;
    }
    srv.store = wt_store_open(cfg->db_path, err);
    if (!srv.store) return 2;
    wt_store_recover(srv.store);
    pthread_mutex_init(&srv.lock, NULL);
    pthread_cond_init(&srv.cond, NULL);

    struct sockaddr_in sa4;
    struct sockaddr_in6 sa6;
    struct sockaddr *sa = NULL;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    memset(&sa4, 0, sizeof sa4);
    memset(&sa6, 0, sizeof sa6);
    const char *bind = strcmp(cfg->bind, "localhost") == 0 ? "127.0.0.1" : cfg->bind;
    if (inet_pton(AF_INET, bind, &sa4.sin_addr) == 1) {
        sa4.sin_family = AF_INET;
        sa4.sin_port = htons(cfg->port);
        sa = (struct sockaddr *)&sa4;
    } else if (inet_pton(AF_INET6, bind, &sa6.sin6_addr) == 1) {
        sa6.sin6_family = AF_INET6;
        sa6.sin6_port = htons(cfg->port);
        sa = (struct sockaddr *)&sa6;
        flags |= MHD_USE_IPv6;
    } else {
        if (err) *err = wt_xasprintf("--bind %s is not an IP address", cfg->bind);
        wt_store_close(srv.store);
        return 2;
    }
    /* block the stop signals in every thread; the main thread waits for them */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    srv.d = MHD_start_daemon(flags, cfg->port, NULL, NULL, handler, &srv, MHD_OPTION_SOCK_ADDR, sa,
                             MHD_OPTION_NOTIFY_COMPLETED, completed, &srv, MHD_OPTION_CONNECTION_LIMIT, 64,
                             MHD_OPTION_CONNECTION_TIMEOUT, 30, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256 * 1024),
                             MHD_OPTION_END);
    if (!srv.d) {
        if (err) *err = wt_xasprintf("cannot listen on %s:%u (address in use?)", cfg->bind, cfg->port);
        wt_store_close(srv.store);
        return 2;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv.d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = info ? info->port : cfg->port;
    srv.nworkers = cfg->workers > 0 ? (cfg->workers > 64 ? 64 : cfg->workers) : 2;
    for (int i = 0; i < srv.nworkers; i++) pthread_create(&srv.workers[i], NULL, worker_main, &srv);
    fprintf(stderr, "watchtower: web UI at http://%s%s%s:%u/watchtower-aishield\n", strchr(cfg->bind, ':') ? "[" : "",
            cfg->bind, strchr(cfg->bind, ':') ? "]" : "", port);
    if (cfg->port_file) {
        FILE *f = fopen(cfg->port_file, "w");
        if (f) {
            fprintf(f, "%u\n", port);
            fclose(f);
        }
    }
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "watchtower: stopping (signal %d)\n", sig);
    MHD_stop_daemon(srv.d);
    pthread_mutex_lock(&srv.lock);
    srv.stopping = true;
    for (int i = 0; i < 64; i++)
        if (srv.running[i]) srv.running[i]->cancel = 1;
    pthread_cond_broadcast(&srv.cond);
    pthread_mutex_unlock(&srv.lock);
    for (int i = 0; i < srv.nworkers; i++) pthread_join(srv.workers[i], NULL);
    for (job *j = srv.queue_head, *n; j; j = n) {
        n = j->next;
        job_free(j);
    }
    wt_store_recover(srv.store);
    wt_store_close(srv.store);
    for (size_t k = 0; k < srv.nroots; k++) free(srv.roots[k]);
    free(srv.roots);
    pthread_mutex_destroy(&srv.lock);
    pthread_cond_destroy(&srv.cond);
    return 0;
}
