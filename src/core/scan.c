/*
 * scan.c - scan orchestration: targets -> sources -> artifacts -> classify
 * -> analyzers -> findings. Owns the per-artifact context (budgets, nesting,
 * findings collection), the worker threads and the final, deterministic
 * ordering of findings.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "analyzer.h"
#include "core_rules.h"
#include "embedded.h"
#include "policy.h"
#include "registry.h"
#include "sources/source.h"
#include "util.h"

/* ---- per-scan state ---- */
typedef struct cache_entry {
    char *key;
    void *obj;
    void (*destroy)(void *);
    struct cache_entry *next;
} cache_entry;

typedef struct scan_state {
    const wt_scan_options *opt;
    pthread_mutex_t lock;
    wt_vec findings;
    wt_vec notes;
    cache_entry *cache;
    _Atomic uint64_t *an_count; /* per analyzer */
    _Atomic uint64_t *an_nanos;
    /* current source (one target at a time) */
    wt_source *src;
    const char *target;
    _Atomic size_t next;
    _Atomic size_t done;
    _Atomic uint64_t bytes_done;
    _Atomic uint64_t bytes_unpacked;
    uint64_t bytes_total;
    size_t total_artifacts;
    uint64_t bytes_read_start;
    /* per-source counters, merged into the result */
    size_t models_found, models_scanned, nbreq_found, nbreq_scanned, scanned;
    struct wt_artifact_info *infos;
    size_t ninfos, infos_cap;
} scan_state;

typedef struct top_info {
    uint64_t deadline_ns;
    uint64_t unpacked;
    uint64_t size; /* bytes of the top-level artifact */
    wt_artifact_class klass;
    const char *first_kind; /* kind chosen for the top-level artifact */
    char *kind;
    bool expired_reported;
    bool unpack_reported;
    wt_vec findings;
    const char *relpath; /* entry name (source-relative) */
} top_info;

struct wt_ctx {
    scan_state *st;
    top_info *top;
    wt_ctx *parent;
    char *name;
    int depth;
    size_t emitted; /* findings emitted while this ctx ran */
};

/* ---- accessors ---- */
const char *wt_ctx_name(const wt_ctx *ctx) { return ctx->name; }
const char *wt_ctx_basename(const wt_ctx *ctx) { return wt_basename(ctx->name); }
int wt_ctx_depth(const wt_ctx *ctx) { return ctx->depth; }
const wt_limits *wt_ctx_limits(const wt_ctx *ctx) { return &ctx->st->opt->limits; }
const wt_scan_options *wt_ctx_options(const wt_ctx *ctx) { return ctx->st->opt; }

bool wt_ctx_expired(wt_ctx *ctx) {
    const wt_scan_options *o = ctx->st->opt;
    if (o->cancel && *o->cancel) return true;
    if (ctx->top->deadline_ns && wt_now_ns() > ctx->top->deadline_ns) {
        if (!ctx->top->expired_reported) {
            ctx->top->expired_reported = true;
            wt_emit_limit(ctx, "time budget (ms)", o->limits.time_budget_ms, o->limits.time_budget_ms);
        }
        return true;
    }
    return false;
}

void wt_ctx_set_kind(wt_ctx *ctx, const char *kind) {
    if (ctx->depth == 0) {
        free(ctx->top->kind);
        ctx->top->kind = wt_xstrdup(kind);
    }
}

void wt_ctx_set_class(wt_ctx *ctx, wt_artifact_class c) {
    if (c > ctx->top->klass) ctx->top->klass = c;
}

/* Everything decompressed below one top-level artifact, at every nesting
 * level, is charged here: against the absolute budget, and against the
 * compression ratio of the whole (so a nested bomb whose every level stays
 * under the per-member ratio is still stopped early). */
#define WT_RATIO_FLOOR (64ull << 20)
bool wt_ctx_charge_unpacked(wt_ctx *ctx, uint64_t n) {
    top_info *t = ctx->top;
    const wt_limits *lim = &ctx->st->opt->limits;
    uint64_t limit = lim->max_total_unpacked;
    const char *what = "total decompressed bytes";
    uint64_t by_ratio;
    if (lim->max_ratio && wt_mul_ok(t->size, lim->max_ratio, &by_ratio)) {
        if (by_ratio < WT_RATIO_FLOOR) by_ratio = WT_RATIO_FLOOR;
        if (!limit || by_ratio < limit) {
            limit = by_ratio;
            what = "total decompressed bytes (overall compression ratio of the artifact)";
        }
    }
    if (!wt_add_ok(t->unpacked, n, &t->unpacked) || (limit && t->unpacked > limit)) {
        if (!t->unpack_reported) {
            t->unpack_reported = true;
            wt_emit_limit(ctx, what, t->unpacked, limit);
        }
        return false;
    }
    return true;
}

bool wt_ctx_unpack_spent(const wt_ctx *ctx) { return ctx->top->unpack_reported; }

/* Join dir(relpath of top) with rel, normalising "." and ".."; NULL if it
 * escapes the root or is absolute. */
static char *join_relative(const char *base_file, const char *rel) {
    if (!rel || rel[0] == '/' || !base_file) return NULL;
    wt_vec parts = {0};
    char *copy = wt_xstrdup(base_file);
    char *slash = strrchr(copy, '/');
    if (slash) *slash = 0;
    else copy[0] = 0;
    char *joined = copy[0] ? wt_xasprintf("%s/%s", copy, rel) : wt_xstrdup(rel);
    free(copy);
    char *save = NULL;
    for (char *tok = strtok_r(joined, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        if (strcmp(tok, ".") == 0 || !*tok) continue;
        if (strcmp(tok, "..") == 0) {
            if (parts.len == 0) {
                wt_vec_free(&parts, NULL);
                free(joined);
                return NULL;
            }
            parts.len--;
            continue;
        }
        wt_vec_push(&parts, tok);
    }
    wt_buf b;
    wt_buf_init(&b);
    for (size_t i = 0; i < parts.len; i++) {
        if (i) wt_buf_putc(&b, '/');
        wt_buf_puts(&b, parts.items[i]);
    }
    wt_vec_free(&parts, NULL);
    free(joined);
    if (b.len == 0) {
        wt_buf_free(&b);
        return NULL;
    }
    return wt_buf_steal(&b);
}

wt_reader *wt_ctx_open_sibling(wt_ctx *ctx, const char *relpath) {
    wt_source *s = ctx->st->src;
    if (!s || !s->open_path || !ctx->top->relpath) return NULL;
    char *p = join_relative(ctx->top->relpath, relpath);
    if (!p) return NULL;
    wt_reader *r = s->open_path(s, p);
    free(p);
    return r;
}

static int cmp_entry_name(const void *key, const void *e) {
    return strcmp((const char *)key, ((const wt_source_entry *)e)->name);
}

bool wt_ctx_source_has(wt_ctx *ctx, const char *relpath) {
    wt_source *s = ctx->st->src;
    if (!s || !relpath || !s->nentries) return false; /* entries is NULL when empty */
    return bsearch(relpath, s->entries, s->nentries, sizeof *s->entries, cmp_entry_name) != NULL;
}

void wt_ctx_note(wt_ctx *ctx, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *n = wt_xvasprintf(fmt, ap);
    va_end(ap);
    scan_state *st = ctx->st;
    pthread_mutex_lock(&st->lock);
    for (size_t i = 0; i < st->notes.len; i++)
        if (strcmp(st->notes.items[i], n) == 0) {
            free(n);
            n = NULL;
            break;
        }
    if (n) wt_vec_push(&st->notes, n);
    pthread_mutex_unlock(&st->lock);
}

void *wt_ctx_scan_cache(wt_ctx *ctx, const char *key, void *(*create)(const wt_scan_options *opt),
                        void (*destroy)(void *obj)) {
    scan_state *st = ctx->st;
    pthread_mutex_lock(&st->lock);
    for (cache_entry *c = st->cache; c; c = c->next)
        if (strcmp(c->key, key) == 0) {
            pthread_mutex_unlock(&st->lock);
            return c->obj;
        }
    /* created under the lock: creation is rare and must happen once */
    cache_entry *c = wt_xcalloc(1, sizeof *c);
    c->key = wt_xstrdup(key);
    c->obj = create ? create(st->opt) : NULL;
    c->destroy = destroy;
    c->next = st->cache;
    st->cache = c;
    pthread_mutex_unlock(&st->lock);
    return c->obj;
}

/* ---- findings ---- */
static void finding_free(void *p) {
    wt_finding *f = p;
    if (!f) return;
    free(f->rule_id);
    free(f->artifact);
    free(f->loc.cell_id);
    free(f->message);
    free(f->evidence);
    free(f->fingerprint);
    free(f->target);
    if (f->props) json_decref(f->props);
    free(f);
}

wt_location wt_loc_offset(uint64_t off) {
    wt_location l = {0};
    l.offset = off;
    l.has_offset = true;
    l.cell = -1;
    return l;
}

wt_location wt_loc_line(uint32_t line, uint32_t col) {
    wt_location l = {0};
    l.line = line;
    l.column = col;
    l.cell = -1;
    return l;
}

wt_finding *wt_emitv(wt_ctx *ctx, const char *rule_id, wt_severity sev, const wt_location *loc,
                     const char *evidence, const char *fmt, va_list ap) {
    const wt_rule *rule = wt_rule_find(rule_id);
    wt_finding *f = wt_xcalloc(1, sizeof *f);
    f->rule_id = wt_xstrdup(rule_id);
    f->category = rule ? rule->category : WT_CAT_SCAN;
    f->severity = sev != WT_SEV_NONE ? sev : rule ? rule->severity : WT_SEV_MEDIUM;
    f->artifact = wt_xstrdup(ctx->name);
    if (loc) {
        f->loc = *loc;
        f->loc.cell_id = loc->cell_id ? wt_xstrdup(loc->cell_id) : NULL;
    } else {
        f->loc.cell = -1;
    }
    f->message = wt_xvasprintf(fmt, ap);
    f->evidence = evidence ? wt_xstrdup(evidence) : NULL;
    f->confidence = -1;
    f->target = ctx->st->target ? wt_xstrdup(ctx->st->target) : NULL;
    wt_vec_push(&ctx->top->findings, f);
    for (wt_ctx *c = ctx; c; c = c->parent) c->emitted++;
    return f;
}

wt_finding *wt_emit(wt_ctx *ctx, const char *rule_id, wt_severity sev, const wt_location *loc,
                    const char *evidence, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    wt_finding *f = wt_emitv(ctx, rule_id, sev, loc, evidence, fmt, ap);
    va_end(ap);
    return f;
}

void wt_emit_limit(wt_ctx *ctx, const char *what, uint64_t value, uint64_t limit) {
    char ev[128];
    snprintf(ev, sizeof ev, "%s: %llu > limit %llu", what, (unsigned long long)value, (unsigned long long)limit);
    wt_emit(ctx, WT_RULE_SCAN_LIMIT, WT_SEV_NONE, NULL, ev, "Scan budget exceeded (%s); the rest was not scanned",
            what);
}

void wt_emit_error(wt_ctx *ctx, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    wt_emitv(ctx, WT_RULE_SCAN_ERROR, WT_SEV_NONE, NULL, NULL, fmt, ap);
    va_end(ap);
}

static void finalize_fingerprint(wt_finding *f) {
    if (f->fingerprint) return;
    wt_buf b;
    wt_buf_init(&b);
    wt_buf_printf(&b, "%s%c%s%c%s%c%d%c%u%c%llu", f->rule_id, 0, f->artifact, 0,
                  f->evidence ? f->evidence : f->message, 0, (int)f->loc.cell, 0, f->loc.line ? f->loc.line : f->loc.cell_line,
                  0, (unsigned long long)f->loc.offset);
    char hex[65];
    wt_sha256_hex(b.data, b.len, hex);
    wt_buf_free(&b);
    f->fingerprint = wt_xstrndup(hex, 32);
}

/* ---- classification and dispatch ---- */
static size_t analyzer_index(const wt_analyzer *a) {
    for (size_t i = 0; i < wt_registry_nanalyzers; i++)
        if (wt_registry_analyzers[i] == a) return i;
    return 0;
}

const wt_analyzer *wt_analyzer_by_name(const char *name) {
    for (size_t i = 0; i < wt_registry_nanalyzers; i++)
        if (wt_registry_analyzers[i] && strcmp(wt_registry_analyzers[i]->name, name) == 0)
            return wt_registry_analyzers[i];
    return NULL;
}

const wt_analyzer *wt_classify(const char *name, const uint8_t *head, size_t headlen, uint64_t size) {
    const wt_analyzer *best = NULL;
    int best_score = 0;
    for (size_t i = 0; i < wt_registry_nanalyzers; i++) {
        const wt_analyzer *a = wt_registry_analyzers[i];
        if (!a || !a->exclusive || !a->probe) continue;
        int s = a->probe(name, head, headlen, size);
        if (s > best_score) {
            best_score = s;
            best = a;
        }
    }
    return best;
}

static const char *const model_exts[] = {
    ".pkl", ".pickle", ".pt", ".pth", ".bin", ".ckpt", ".joblib", ".jbl", ".npy", ".npz", ".h5",
    ".hdf5", ".keras", ".pb", ".onnx", ".gguf", ".ggml", ".safetensors", ".tflite", ".msgpack",
    ".pdmodel", ".pdparams", ".pdiparams", ".mar", ".model", ".dill", ".sav", ".torchscript", ".ptl",
    ".mlmodel", ".xgb", ".ubj", ".lgbm", ".llamafile", ".nemo", ".cloudpickle", ".pkl.gz", ".data",
    NULL};

bool wt_is_model_extension(const char *name) {
    for (int i = 0; model_exts[i]; i++)
        if (wt_str_endswith_ci(name, model_exts[i])) return true;
    return false;
}

/* Extensions that disguise a model as something harmless-looking. */
static const char *const disguise_exts[] = {
    ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".svg", ".ico", ".mp3", ".mp4", ".wav",
    ".pdf", ".txt", ".md", ".csv", ".tsv", ".html", ".htm", ".css", ".js", ".doc", ".docx",
    ".xls", ".xlsx", ".ppt", ".pptx", ".py", ".ipynb", ".yaml", ".yml", ".log", ".xml", NULL};

static bool is_disguise(const char *name) {
    for (int i = 0; disguise_exts[i]; i++)
        if (wt_str_endswith_ci(name, disguise_exts[i])) return true;
    return false;
}

static void run_analyzer(wt_ctx *ctx, const wt_analyzer *a, wt_reader *r) {
    if (a->klass != WT_CLASS_OTHER) wt_ctx_set_class(ctx, a->klass);
    if (ctx->depth == 0 && a->exclusive && !ctx->top->kind) ctx->top->kind = wt_xstrdup(a->name);
    size_t before = ctx->emitted;
    uint64_t t0 = wt_now_ns();
    int rc = a->analyze(ctx, r);
    uint64_t dt = wt_now_ns() - t0;
    size_t idx = analyzer_index(a);
    atomic_fetch_add(&ctx->st->an_count[idx], 1);
    atomic_fetch_add(&ctx->st->an_nanos[idx], dt);
    if (rc != WT_OK && ctx->emitted == before)
        wt_emit_error(ctx, "%s analyzer could not parse this artifact (%s)", a->name,
                      rc == WT_ERR_LIMIT ? "limit exceeded" : rc == WT_ERR_IO ? "read error" : "malformed");
}

static void dispatch(wt_ctx *ctx, wt_reader *r, const char *forced) {
    if (wt_ctx_expired(ctx)) return;
    uint8_t head[WT_PROBE_HEAD];
    long long n = wt_reader_read(r, 0, head, sizeof head);
    size_t headlen = n > 0 ? (size_t)n : 0;
    uint64_t size = wt_reader_size(r);
    const wt_analyzer *ex = forced ? wt_analyzer_by_name(forced) : wt_classify(ctx->name, head, headlen, size);
    if (ex) {
        if (ex->klass == WT_CLASS_MODEL && is_disguise(ctx->name))
            wt_emit(ctx, WT_RULE_EXT_MISMATCH, WT_SEV_NONE, NULL, ex->name,
                    "Content is a %s model file but the name says otherwise", ex->name);
        run_analyzer(ctx, ex, r);
    }
    if (forced) return;
    for (size_t i = 0; i < wt_registry_nanalyzers; i++) {
        const wt_analyzer *a = wt_registry_analyzers[i];
        if (!a || a->exclusive || !a->probe) continue;
        if (wt_ctx_expired(ctx)) return;
        if (a->probe(ctx->name, head, headlen, size) > 0) run_analyzer(ctx, a, r);
    }
}

static int scan_child(wt_ctx *parent, const char *member, wt_reader *r, const char *forced) {
    const wt_limits *lim = wt_ctx_limits(parent);
    if ((uint32_t)parent->depth + 1 > lim->max_depth) {
        wt_emit_limit(parent, "container nesting depth", (uint64_t)parent->depth + 1, lim->max_depth);
        return WT_ERR_LIMIT;
    }
    wt_ctx child = {0};
    child.st = parent->st;
    child.top = parent->top;
    child.parent = parent;
    child.name = wt_xasprintf("%s!%s", parent->name, member);
    child.depth = parent->depth + 1;
    dispatch(&child, r, forced);
    free(child.name);
    return WT_OK;
}

int wt_scan_child(wt_ctx *parent, const char *member, wt_reader *r) { return scan_child(parent, member, r, NULL); }

int wt_scan_child_as(wt_ctx *parent, const char *member, wt_reader *r, const char *analyzer) {
    if (!wt_analyzer_by_name(analyzer)) return WT_ERR_USAGE;
    return scan_child(parent, member, r, analyzer);
}

/* ---- hooks ---- */
void wt_check_pip_install(wt_ctx *ctx, const char *args, size_t len, const wt_location *loc) {
    if (wt_registry_pip_install) wt_registry_pip_install(ctx, args, len, loc);
}

void wt_text_detect(wt_ctx *ctx, const char *text, size_t len, const wt_text_origin *o) {
    for (size_t i = 0; i < wt_registry_ntext_detectors; i++) {
        const wt_text_detector *d = wt_registry_text_detectors[i];
        wt_text_location_cache(true); /* fast locations while text cannot change */
        if (d && d->scan) d->scan(ctx, text, len, o);
        wt_text_location_cache(false);
    }
}

/* ---- top-level artifacts ---- */
static bool looks_nbreq(const char *name) {
    const char *b = wt_basename(name);
    if (wt_str_endswith_ci(b, ".ipynb")) return true;
    if (strncasecmp(b, "requirements", 12) == 0 && (wt_str_endswith_ci(b, ".txt") || wt_str_endswith_ci(b, ".in")))
        return true;
    static const char *const exact[] = {"pyproject.toml", "poetry.lock", "Pipfile", "Pipfile.lock", "uv.lock",
                                        "pylock.toml", "setup.cfg", "environment.yml", "environment.yaml", NULL};
    for (int i = 0; exact[i]; i++)
        if (strcmp(b, exact[i]) == 0) return true;
    return false;
}

static void add_info(scan_state *st, const char *name, const char *kind, uint64_t size) {
    pthread_mutex_lock(&st->lock);
    if (st->ninfos == st->infos_cap) {
        st->infos_cap = st->infos_cap ? st->infos_cap * 2 : 64;
        st->infos = wt_xrealloc(st->infos, st->infos_cap * sizeof *st->infos);
    }
    st->infos[st->ninfos].name = wt_xstrdup(name);
    st->infos[st->ninfos].kind = wt_xstrdup(kind);
    st->infos[st->ninfos].size = size;
    st->ninfos++;
    pthread_mutex_unlock(&st->lock);
}

static void report_progress(scan_state *st, const char *current) {
    const wt_scan_options *o = st->opt;
    if (!o->progress) return;
    wt_progress p = {
        .artifacts_total = st->total_artifacts,
        .artifacts_done = atomic_load(&st->done),
        .bytes_total = st->bytes_total,
        .bytes_read = wt_reader_bytes_read_total() - st->bytes_read_start,
        .current = current,
    };
    pthread_mutex_lock(&st->lock);
    o->progress(o->progress_ud, &p);
    pthread_mutex_unlock(&st->lock);
}

static void scan_entry(scan_state *st, size_t i) {
    wt_source *src = st->src;
    wt_source_entry *e = &src->entries[i];
    const wt_scan_options *o = st->opt;
    top_info top = {0};
    top.relpath = e->name;
    top.size = e->size;
    if (o->limits.time_budget_ms) top.deadline_ns = wt_now_ns() + (uint64_t)o->limits.time_budget_ms * 1000000ull;
    wt_ctx ctx = {0};
    ctx.st = st;
    ctx.top = &top;
    ctx.name = e->name;
    bool model_ext = wt_is_model_extension(e->name);
    bool scanned = false;

    if (e->note) {
        wt_emit(&ctx, WT_RULE_NOT_SCANNED, WT_SEV_NONE, NULL, NULL, "Not scanned: %s", e->note);
        top.kind = wt_xstrdup("not-scanned");
    } else if (o->limits.max_file_size && e->size > o->limits.max_file_size) {
        wt_emit(&ctx, WT_RULE_NOT_SCANNED, WT_SEV_NONE, NULL, NULL,
                "Not scanned: %llu bytes is over --max-file-size (%llu)", (unsigned long long)e->size,
                (unsigned long long)o->limits.max_file_size);
        top.kind = wt_xstrdup("too-large");
    } else {
        char *err = NULL;
        wt_reader *r = src->open(src, i, &err);
        if (!r) {
            wt_emit_error(&ctx, "Cannot read artifact: %s", err ? err : "unknown error");
            free(err);
        } else {
            report_progress(st, e->name);
            dispatch(&ctx, r, NULL);
            scanned = true;
            if (model_ext && top.klass != WT_CLASS_MODEL && top.klass != WT_CLASS_MODEL_PART && wt_reader_size(r) > 0)
                wt_emit(&ctx, WT_RULE_UNSCANNABLE_MODEL, WT_SEV_NONE, NULL, top.kind ? top.kind : "unknown content",
                        "Model file extension %s but the content is not a model format Watchtower can verify",
                        wt_extension(e->name));
            wt_reader_unref(r);
        }
    }
    if (model_ext && top.klass == WT_CLASS_OTHER) top.klass = WT_CLASS_MODEL;
    if (top.klass == WT_CLASS_OTHER && looks_nbreq(e->name)) top.klass = WT_CLASS_NBREQ;

    add_info(st, e->name, top.kind ? top.kind : "other", e->size);
    pthread_mutex_lock(&st->lock);
    if (scanned) st->scanned++;
    if (top.klass == WT_CLASS_MODEL) {
        st->models_found++;
        if (scanned) st->models_scanned++;
    } else if (top.klass == WT_CLASS_NBREQ) {
        st->nbreq_found++;
        if (scanned) st->nbreq_scanned++;
    }
    for (size_t k = 0; k < top.findings.len; k++) wt_vec_push(&st->findings, top.findings.items[k]);
    pthread_mutex_unlock(&st->lock);
    wt_vec_free(&top.findings, NULL);
    free(top.kind);
    atomic_fetch_add(&st->done, 1);
    atomic_fetch_add(&st->bytes_done, e->size);
    atomic_fetch_add(&st->bytes_unpacked, top.unpacked);
    report_progress(st, NULL);
}

static void *worker(void *arg) {
    scan_state *st = arg;
    for (;;) {
        if (st->opt->cancel && *st->opt->cancel) break;
        size_t i = atomic_fetch_add(&st->next, 1);
        if (i >= st->src->nentries) break;
        scan_entry(st, i);
    }
    return NULL;
}

static void scan_source(scan_state *st, wt_source *src, const char *target) {
    st->src = src;
    st->target = target;
    atomic_store(&st->next, 0);
    int jobs = st->opt->jobs > 0 ? st->opt->jobs : wt_ncpus();
    if ((size_t)jobs > src->nentries) jobs = src->nentries ? (int)src->nentries : 1;
    if (jobs > 256) jobs = 256;
    if (jobs <= 1) {
        worker(st);
    } else {
        pthread_t th[256];
        int started = 0;
        for (int k = 0; k < jobs; k++)
            if (pthread_create(&th[k], NULL, worker, st) == 0) started++;
            else break;
        if (started == 0) worker(st);
        for (int k = 0; k < started; k++) pthread_join(th[k], NULL);
    }
    st->src = NULL;
}

static int cmp_findings(const void *a, const void *b) {
    const wt_finding *x = *(wt_finding *const *)a, *y = *(wt_finding *const *)b;
    int c;
    if (x->target && y->target && (c = strcmp(x->target, y->target))) return c;
    if ((c = strcmp(x->artifact, y->artifact))) return c;
    if (x->loc.cell != y->loc.cell) return x->loc.cell < y->loc.cell ? -1 : 1;
    if (x->loc.line != y->loc.line) return x->loc.line < y->loc.line ? -1 : 1;
    if (x->loc.cell_line != y->loc.cell_line) return x->loc.cell_line < y->loc.cell_line ? -1 : 1;
    if (x->loc.offset != y->loc.offset) return x->loc.offset < y->loc.offset ? -1 : 1;
    if (x->loc.column != y->loc.column) return x->loc.column < y->loc.column ? -1 : 1;
    if ((c = strcmp(x->rule_id, y->rule_id))) return c;
    if ((c = strcmp(x->message, y->message))) return c;
    return strcmp(x->evidence ? x->evidence : "", y->evidence ? y->evidence : "");
}

static int cmp_info(const void *a, const void *b) {
    return strcmp(((const struct wt_artifact_info *)a)->name, ((const struct wt_artifact_info *)b)->name);
}

static char *make_scan_id(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    unsigned char rnd[4] = {0};
    FILE *f = fopen("/dev/urandom", "rb");
    if (f) {
        if (fread(rnd, 1, sizeof rnd, f) != sizeof rnd) memset(rnd, 0, sizeof rnd);
        fclose(f);
    }
    return wt_xasprintf("%04d%02d%02dT%02d%02d%02dZ-%d-%02x%02x%02x%02x", tm.tm_year + 1900, tm.tm_mon + 1,
                        tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)getpid(), rnd[0], rnd[1], rnd[2], rnd[3]);
}

static void state_init(scan_state *st, const wt_scan_options *opt) {
    memset(st, 0, sizeof *st);
    st->opt = opt;
    pthread_mutex_init(&st->lock, NULL);
    st->an_count = wt_xcalloc(wt_registry_nanalyzers, sizeof *st->an_count);
    st->an_nanos = wt_xcalloc(wt_registry_nanalyzers, sizeof *st->an_nanos);
    st->bytes_read_start = wt_reader_bytes_read_total();
    wt_rules_set_user_dir(opt->rules_dir);
}

/* Move everything the state collected into a new result. */
static wt_scan_result *state_finish(scan_state *st, uint64_t t0) {
    wt_scan_result *r = wt_xcalloc(1, sizeof *r);
    r->scan_id = make_scan_id();
    for (size_t i = 0; i < st->findings.len; i++) finalize_fingerprint(st->findings.items[i]);
    wt_policy_apply(st->opt, &st->findings, finding_free);
    if (st->findings.len) qsort(st->findings.items, st->findings.len, sizeof *st->findings.items, cmp_findings);
    r->findings = (wt_finding **)st->findings.items;
    r->nfindings = st->findings.len;
    r->notes = (char **)st->notes.items;
    r->nnotes = st->notes.len;
    if (st->ninfos) qsort(st->infos, st->ninfos, sizeof *st->infos, cmp_info);
    r->infos = st->infos;
    r->ninfos = st->ninfos;
    r->artifacts = st->total_artifacts;
    r->artifacts_scanned = st->scanned;
    r->models_found = st->models_found;
    r->models_scanned = st->models_scanned;
    r->nbreq_found = st->nbreq_found;
    r->nbreq_scanned = st->nbreq_scanned;
    r->bytes_total = st->bytes_total;
    r->bytes_read = wt_reader_bytes_read_total() - st->bytes_read_start;
    r->bytes_unpacked = atomic_load(&st->bytes_unpacked);
    r->seconds = (double)(wt_now_ns() - t0) / 1e9;
    size_t ns = 0;
    r->stats = wt_xcalloc(wt_registry_nanalyzers, sizeof *r->stats);
    for (size_t i = 0; i < wt_registry_nanalyzers; i++) {
        if (!wt_registry_analyzers[i] || !st->an_count[i]) continue;
        r->stats[ns].name = wt_registry_analyzers[i]->name;
        r->stats[ns].artifacts = st->an_count[i];
        r->stats[ns].nanos = st->an_nanos[i];
        ns++;
    }
    r->nstats = ns;
    free(st->an_count);
    free(st->an_nanos);
    for (cache_entry *c = st->cache, *n; c; c = n) {
        n = c->next;
        if (c->destroy && c->obj) c->destroy(c->obj);
        free(c->key);
        free(c);
    }
    pthread_mutex_destroy(&st->lock);
    return r;
}

int wt_scan(const char *const *targets, size_t ntargets, const wt_scan_options *opt, wt_scan_result **out,
            char **err) {
    *out = NULL;
    if (err) *err = NULL;
    if (ntargets == 0) {
        if (err) *err = wt_xstrdup("no target given");
        return WT_ERR_USAGE;
    }
    uint64_t t0 = wt_now_ns();
    /* Open every source first: a bad target fails the scan before any work. */
    wt_source **srcs = wt_xcalloc(ntargets, sizeof *srcs);
    for (size_t i = 0; i < ntargets; i++) {
        wt_target t;
        int rc = wt_target_parse(targets[i], opt->repo_type, &t, err);
        if (rc == WT_OK) {
            rc = wt_source_open(&t, opt, &srcs[i], err);
            wt_target_fini(&t);
        }
        if (rc != WT_OK) {
            for (size_t k = 0; k < i; k++) wt_source_free(srcs[k]);
            free(srcs);
            return rc;
        }
    }
    scan_state st;
    state_init(&st, opt);
    for (size_t i = 0; i < ntargets; i++) {
        st.total_artifacts += srcs[i]->nentries;
        for (size_t k = 0; k < srcs[i]->nentries; k++) st.bytes_total += srcs[i]->entries[k].size;
    }
    for (size_t i = 0; i < ntargets; i++) scan_source(&st, srcs[i], ntargets > 1 ? targets[i] : NULL);
    wt_scan_result *r = state_finish(&st, t0);
    r->repo_type = wt_xstrdup(srcs[0]->repo_type);
    if (ntargets == 1) {
        r->repo_url = wt_xstrdup(srcs[0]->repo_url ? srcs[0]->repo_url : targets[0]);
    } else {
        wt_buf b;
        wt_buf_init(&b);
        for (size_t i = 0; i < ntargets; i++) {
            if (i) wt_buf_puts(&b, ", ");
            wt_buf_puts(&b, srcs[i]->repo_url ? srcs[i]->repo_url : targets[i]);
        }
        r->repo_url = wt_buf_steal(&b);
    }
    r->is_s3 = srcs[0]->is_s3;
    for (size_t i = 0; i < ntargets; i++) wt_source_free(srcs[i]);
    free(srcs);
    *out = r;
    return WT_OK;
}

/* ---- in-memory artifact ---- */
typedef struct mem_source {
    const void *buf;
    size_t len;
} mem_source;

static wt_reader *mem_open(wt_source *s, size_t i, char **err) {
    (void)i;
    (void)err;
    mem_source *m = s->impl;
    return wt_reader_new_mem(m->buf, m->len, false);
}

int wt_scan_memory(const char *name, const void *buf, size_t len, const wt_scan_options *opt, wt_scan_result **out,
                   char **err) {
    if (err) *err = NULL;
    uint64_t t0 = wt_now_ns();
    mem_source m = {buf, len};
    wt_source_entry e = {.name = (char *)name, .size = len};
    wt_source src = {.repo_type = "file", .repo_url = (char *)name, .entries = &e, .nentries = 1, .open = mem_open,
                     .impl = &m};
    scan_state st;
    state_init(&st, opt);
    st.total_artifacts = 1;
    st.bytes_total = len;
    scan_source(&st, &src, NULL);
    wt_scan_result *r = state_finish(&st, t0);
    r->repo_type = wt_xstrdup("file");
    r->repo_url = wt_xstrdup(name);
    *out = r;
    return WT_OK;
}

void wt_scan_result_free(wt_scan_result *r) {
    if (!r) return;
    for (size_t i = 0; i < r->nfindings; i++) finding_free(r->findings[i]);
    free(r->findings);
    for (size_t i = 0; i < r->nnotes; i++) free(r->notes[i]);
    free(r->notes);
    for (size_t i = 0; i < r->ninfos; i++) {
        free(r->infos[i].name);
        free(r->infos[i].kind);
    }
    free(r->infos);
    free(r->stats);
    free(r->scan_id);
    free(r->repo_type);
    free(r->repo_url);
    free(r);
}

size_t wt_result_count_at_least(const wt_scan_result *r, wt_severity min) {
    size_t n = 0;
    for (size_t i = 0; i < r->nfindings; i++)
        if (r->findings[i]->severity >= min) n++;
    return n;
}
