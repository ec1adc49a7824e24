/*
 * keras_config.c - the Keras layer-tree walk shared by .h5 model_config,
 * .keras config.json, keras_metadata.pb and plain JSON model configs.
 *
 * Every JSON object with a "class_name" is a serialized Keras object
 * (layer, nested model, wrapper, initializer, optimizer...). The walk visits
 * all of them at any depth, so nested Sequential/Functional models and
 * wrappers (TimeDistributed, Bidirectional: the wrapped layer sits in
 * config.layer) are covered without special cases.
 */
#include <jansson.h>
#include <string.h>

#include "model_formats.h"

#define K_MAX_DEPTH 128
#define K_MAX_NODES 2000000

enum { E_LAMBDA_CODE, E_LAMBDA, E_CUSTOM, E_DANGER, E_EXTERNAL, E_RESOURCE, E__N };

typedef struct kwalk {
    wt_ctx *ctx;
    const char *where;     /* NULL = the JSON is the artifact itself */
    const char *raw;
    size_t rawlen;
    wt_keras_stats *st;
    const wt_fmt_table *layers, *mods, *extargs;
    size_t nodes;
    size_t nemit[E__N];
    bool over_limit;
    int in_lambda;         /* inside a Lambda layer (its payloads are reported there) */
} kwalk;

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Line/column of the first occurrence of "needle" (quoted) in the raw JSON. */
static bool raw_loc(kwalk *w, const char *needle, wt_location *loc)
{
    if (w->where || !w->raw || !needle || !*needle)
        return false;
    char *q = wt_xasprintf("\"%s\"", needle);
    const char *hit = memmem(w->raw, w->rawlen, q, strlen(q));
    free(q);
    if (!hit)
        return false;
    uint32_t line = 1, col = 1;
    for (const char *p = w->raw; p < hit; p++) {
        if (*p == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    *loc = wt_loc_line(line, col);
    loc->offset = (uint64_t)(hit - w->raw);
    loc->has_offset = true;
    return true;
}

static bool may_emit(kwalk *w, int kind)
{
    if (w->nemit[kind]++ < WT_FMT_MAX_FINDINGS_PER_RULE)
        return true;
    w->over_limit = true;
    return false;
}

static const char *where_sfx(kwalk *w, char *buf, size_t n)
{
    if (w->where)
        snprintf(buf, n, " in %s", w->where);
    else
        buf[0] = 0;
    return buf;
}

static void report_bytecode(kwalk *w, const char *layer, const char *b64, const char *field)
{
    char ws[160];
    wt_location loc;
    bool has = raw_loc(w, layer, &loc);
    w->st->lambdas++;
    if (!may_emit(w, E_LAMBDA_CODE))
        return;
    size_t n = 0;
    uint8_t *code = wt_fmt_b64_decode(b64, strlen(b64), &n);
    wt_marshal_info mi;
    wt_marshal_info_init(&mi);
    int rc = code ? wt_marshal_scan(code, n, &mi) : -1;
    wt_buf ev;
    wt_buf_init(&ev);
    if (mi.ncode) {
        wt_buf_printf(&ev, "names: [%s]; consts: [%s]", mi.names.data ? mi.names.data : "",
                      mi.consts.data ? mi.consts.data : "");
        if (rc < 0)
            wt_buf_puts(&ev, " (marshal stream truncated/malformed)");
    } else {
        char *s = wt_shorten(b64, strlen(b64), 80);
        wt_buf_printf(&ev, "undecodable payload: %s", s);
        free(s);
    }
    if (mi.dangerous.len)
        wt_emit(w->ctx, "WT-KERAS-001", WT_SEV_NONE, has ? &loc : NULL, ev.data,
                "Lambda layer '%s' %s is Python bytecode calling %s%s", layer, field, mi.dangerous.data,
                where_sfx(w, ws, sizeof ws));
    else
        wt_emit(w->ctx, "WT-KERAS-001", WT_SEV_NONE, has ? &loc : NULL, ev.data,
                "Lambda layer '%s' %s is serialized Python bytecode%s", layer, field, where_sfx(w, ws, sizeof ws));
    wt_buf_free(&ev);
    wt_marshal_info_fini(&mi);
    free(code);
}

/* Verdict of a dotted name against keras_modules.tsv: 'a' allow,
 * 'd' dangerous, 'x' external. reason set for 'd'. */
static char module_verdict(kwalk *w, const char *full, const char **reason)
{
    long row = wt_fmt_table_find_prefix(w->mods, full);
    if (row < 0)
        return 'x';
    const char *v = wt_fmt_cell(w->mods, (size_t)row, 1);
    if (reason)
        *reason = wt_fmt_cell(w->mods, (size_t)row, 2);
    return strcmp(v, "dangerous") == 0 ? 'd' : (strcmp(v, "allow") == 0 ? 'a' : 'x');
}

static void check_lambda_fn(kwalk *w, json_t *cfg, const char *layer, const char *fkey, const char *tkey)
{
    json_t *f = json_object_get(cfg, fkey);
    const char *ftype = jstr(cfg, tkey);
    char ws[160];
    if (!f)
        return;
    if (json_is_array(f) && json_is_string(json_array_get(f, 0))) {
        report_bytecode(w, layer, json_string_value(json_array_get(f, 0)), fkey);
        return;
    }
    if (json_is_object(f)) {
        const char *cn = jstr(f, "class_name");
        json_t *fc = json_object_get(f, "config");
        if (cn && strcmp(cn, "__lambda__") == 0 && json_is_object(fc) && jstr(fc, "code")) {
            report_bytecode(w, layer, jstr(fc, "code"), fkey);
            return;
        }
        /* named function object (Keras 3): the generic walk checks its module */
        if (strcmp(fkey, "function") == 0) {
            w->st->lambdas++;
            wt_location loc;
            bool has = raw_loc(w, layer, &loc);
            const char *mod = jstr(f, "module");
            const char *fn = json_is_string(fc) ? json_string_value(fc) : jstr(f, "registered_name");
            char *full = wt_xasprintf("%s.%s", mod ? mod : "?", fn ? fn : "?");
            if (module_verdict(w, full, NULL) != 'd' && may_emit(w, E_LAMBDA))
                wt_emit(w->ctx, "WT-KERAS-002", WT_SEV_NONE, has ? &loc : NULL, full,
                        "Lambda layer '%s' calls Python function %s%s", layer, full, where_sfx(w, ws, sizeof ws));
            free(full);
        }
        return;
    }
    if (!json_is_string(f))
        return;
    const char *s = json_string_value(f);
    if (ftype && strcmp(ftype, "lambda") == 0) {
        report_bytecode(w, layer, s, fkey);
        return;
    }
    if (strcmp(fkey, "function") != 0)
        return;
    /* function by name: module + name */
    w->st->lambdas++;
    const char *mod = jstr(cfg, "module");
    char *full = mod ? wt_xasprintf("%s.%s", mod, s) : wt_xstrdup(s);
    const char *reason = NULL;
    wt_location loc;
    bool has = raw_loc(w, layer, &loc);
    if (module_verdict(w, full, &reason) == 'd') {
        w->st->external++;
        if (may_emit(w, E_DANGER))
            wt_emit(w->ctx, "WT-KERAS-004", WT_SEV_NONE, has ? &loc : NULL, full,
                    "Lambda layer '%s' calls %s: %s%s", layer, full, reason, where_sfx(w, ws, sizeof ws));
    } else if (may_emit(w, E_LAMBDA)) {
        wt_emit(w->ctx, "WT-KERAS-002", WT_SEV_NONE, has ? &loc : NULL, full,
                "Lambda layer '%s' calls Python function %s%s", layer, full, where_sfx(w, ws, sizeof ws));
    }
    free(full);
}

/* Arguments that make the loader open a file, directory or URL
 * (keras_external_args.tsv): TFSMLayer.filepath, StringLookup.vocabulary... */
static void check_external_args(kwalk *w, json_t *cfg, const char *cn, const char *layer)
{
    if (!w->extargs || !json_is_object(cfg))
        return;
    for (size_t i = 0; i < w->extargs->nrows; i++) {
        if (strcmp(wt_fmt_cell(w->extargs, i, 0), cn) != 0)
            continue;
        const char *key = wt_fmt_cell(w->extargs, i, 1);
        const char *val = jstr(cfg, key);
        if (!val || !*val)
            continue;
        w->st->external++;
        if (!may_emit(w, E_RESOURCE))
            continue;
        char ws[160];
        wt_location loc;
        bool has = raw_loc(w, key, &loc);
        char *ev = wt_shorten(val, strlen(val), 120);
        wt_emit(w->ctx, "WT-KERAS-008", WT_SEV_NONE, has ? &loc : NULL, ev,
                "Keras %s layer '%s' %s '%s': %s%s", cn, layer, key, ev, wt_fmt_cell(w->extargs, i, 2),
                where_sfx(w, ws, sizeof ws));
        free(ev);
    }
}

static void check_object(kwalk *w, json_t *o, const char *cn, const char *outer)
{
    char ws[160];
    json_t *cfg = json_object_get(o, "config");
    const char *layer = json_is_object(cfg) ? jstr(cfg, "name") : NULL;
    if (!layer)
        layer = jstr(o, "name");
    if (!layer)
        layer = outer ? outer : cn;
    w->st->layers++;
    check_external_args(w, cfg, cn, layer);
    if (strcmp(cn, "Lambda") == 0 && json_is_object(cfg)) {
        size_t before = w->st->lambdas;
        check_lambda_fn(w, cfg, layer, "function", "function_type");
        check_lambda_fn(w, cfg, layer, "output_shape", "output_shape_type");
        if (w->st->lambdas == before) {
            w->st->lambdas++;
            wt_location loc;
            bool has = raw_loc(w, layer, &loc);
            if (may_emit(w, E_LAMBDA))
                wt_emit(w->ctx, "WT-KERAS-002", WT_SEV_NONE, has ? &loc : NULL, NULL,
                        "Lambda layer '%s' (function not recognised)%s", layer, where_sfx(w, ws, sizeof ws));
        }
        return;
    }
    if ((strcmp(cn, "TFOpLambda") == 0 || strcmp(cn, "SlicingOpLambda") == 0) && json_is_object(cfg) &&
        jstr(cfg, "function")) {
        /* Keras 2 TF-op layers call tf.<function> by name when the model runs */
        char *full = wt_xasprintf("tensorflow.%s", jstr(cfg, "function"));
        const char *reason = NULL;
        if (module_verdict(w, full, &reason) == 'd') {
            w->st->external++;
            wt_location loc;
            bool has = raw_loc(w, layer, &loc);
            if (may_emit(w, E_DANGER))
                wt_emit(w->ctx, "WT-KERAS-004", WT_SEV_NONE, has ? &loc : NULL, full,
                        "TF-op layer '%s' calls %s: %s%s", layer, full, reason, where_sfx(w, ws, sizeof ws));
        }
        free(full);
        return;
    }
    if (strcmp(cn, "TorchModuleWrapper") == 0 && json_is_object(cfg)) {
        /* Keras 3 rebuilds the wrapped torch module with torch.load() of the base64
         * bytes in config.module (a pickle; safe_mode only blocks it since keras
         * PR 21575): report the call and scan the payload like any file */
        json_t *mv = json_object_get(cfg, "module");
        const char *b64 = json_is_string(mv) ? json_string_value(mv) : NULL;
        if (!b64 && json_is_object(mv) && json_is_object(json_object_get(mv, "config")))
            b64 = jstr(json_object_get(mv, "config"), "value"); /* {"class_name": "__bytes__", ...} */
        size_t n = 0;
        uint8_t *blob = b64 ? wt_fmt_b64_decode(b64, strlen(b64), &n) : NULL;
        if (blob) {
            w->st->external++;
            wt_location loc;
            bool has = raw_loc(w, layer, &loc);
            if (may_emit(w, E_DANGER))
                wt_emit(w->ctx, "WT-KERAS-004", WT_SEV_NONE, has ? &loc : NULL, "torch.load",
                        "TorchModuleWrapper layer '%s' is rebuilt with torch.load of %zu embedded bytes (a pickle "
                        "that runs at load time; scanned below)%s", layer, n, where_sfx(w, ws, sizeof ws));
            char *member = wt_xasprintf("%s.module", layer);
            wt_reader *r = wt_reader_new_mem(blob, n, true);
            wt_scan_child(w->ctx, member, r);
            wt_reader_unref(r);
            free(member);
        }
    }
    if (strcmp(cn, "__lambda__") == 0 && !w->in_lambda && json_is_object(cfg) && jstr(cfg, "code")) {
        /* Keras 3 serializes any Python lambda this way (activation, loss...) */
        report_bytecode(w, layer, jstr(cfg, "code"), "lambda");
        return;
    }
    if (strncmp(cn, "__", 2) == 0)
        return; /* serialization tags: __tuple__, __tensor__, __lambda__ */
    const char *mod = jstr(o, "module");
    if (mod) {
        const char *fn = NULL;
        if (strcmp(cn, "function") == 0)
            fn = json_is_string(cfg) ? json_string_value(cfg) : jstr(o, "registered_name");
        char *full = wt_xasprintf("%s.%s", mod, fn ? fn : cn);
        const char *reason = NULL;
        char v = module_verdict(w, full, &reason);
        wt_location loc;
        bool has = raw_loc(w, mod, &loc);
        if (v == 'd') {
            w->st->external++;
            if (may_emit(w, E_DANGER))
                wt_emit(w->ctx, "WT-KERAS-004", WT_SEV_NONE, has ? &loc : NULL, full,
                        "Keras object '%s' imports %s: %s%s", layer, full, reason, where_sfx(w, ws, sizeof ws));
        } else if (v == 'x') {
            w->st->external++;
            if (may_emit(w, E_EXTERNAL))
                wt_emit(w->ctx, "WT-KERAS-005", WT_SEV_NONE, has ? &loc : NULL, full,
                        "Keras object '%s' is loaded from module %s (outside Keras)%s", layer, mod,
                        where_sfx(w, ws, sizeof ws));
        }
        free(full);
        return;
    }
    if (strcmp(cn, "function") == 0)
        return;
    if (wt_fmt_table_find(w->layers, cn) < 0) {
        w->st->custom++;
        wt_location loc;
        bool has = raw_loc(w, cn, &loc);
        if (may_emit(w, E_CUSTOM))
            wt_emit(w->ctx, "WT-KERAS-003", WT_SEV_NONE, has ? &loc : NULL, cn,
                    "Keras object '%s' has non-built-in class %s (custom object needs user code)%s", layer, cn,
                    where_sfx(w, ws, sizeof ws));
    }
}

static void walk(kwalk *w, json_t *v, int depth, const char *outer)
{
    if (depth > K_MAX_DEPTH || ++w->nodes > K_MAX_NODES || (w->nodes % 4096 == 0 && wt_ctx_expired(w->ctx)))
        return;
    if (json_is_object(v)) {
        const char *cn = jstr(v, "class_name");
        if (cn)
            check_object(w, v, cn, outer);
        json_t *cfg = json_object_get(v, "config");
        const char *name = (cn && json_is_object(cfg)) ? jstr(cfg, "name") : NULL;
        bool lam = cn && strcmp(cn, "Lambda") == 0;
        w->in_lambda += lam;
        const char *key;
        json_t *val;
        json_object_foreach(v, key, val) walk(w, val, depth + 1, name ? name : outer);
        w->in_lambda -= lam;
    } else if (json_is_array(v)) {
        size_t i;
        json_t *val;
        json_array_foreach(v, i, val) walk(w, val, depth + 1, outer);
    }
}

static void run(kwalk *w, json_t *root)
{
    walk(w, root, 0, NULL);
    if (w->nodes > K_MAX_NODES)
        wt_emit_limit(w->ctx, "Keras config JSON nodes", w->nodes, K_MAX_NODES);
    if (w->over_limit)
        wt_emit_limit(w->ctx, "Keras findings per rule", WT_FMT_MAX_FINDINGS_PER_RULE + 1,
                      WT_FMT_MAX_FINDINGS_PER_RULE);
}

static void kwalk_init(kwalk *w, wt_ctx *ctx, const char *where, wt_keras_stats *st)
{
    memset(w, 0, sizeof *w);
    w->ctx = ctx;
    w->where = where;
    w->st = st;
    w->layers = wt_fmt_table_get("keras_layers.tsv", 1);
    w->mods = wt_fmt_table_get("keras_modules.tsv", 3);
    w->extargs = wt_fmt_table_get("keras_external_args.tsv", 3);
}

void wt_keras_check_value(wt_ctx *ctx, json_t *root, const char *where, wt_keras_stats *st)
{
    kwalk w;
    kwalk_init(&w, ctx, where, st);
    run(&w, root);
}

int wt_keras_check_json(wt_ctx *ctx, const char *json, size_t len, const char *where, wt_keras_stats *st)
{
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!root)
        return -1;
    kwalk w;
    kwalk_init(&w, ctx, where, st);
    w.raw = json;
    w.rawlen = len;
    run(&w, root);
    json_decref(root);
    return 0;
}
