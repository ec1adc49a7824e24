/*
 * onnx.c - ONNX models (.onnx): operators from non-standard domains,
 * external_data locations that are absolute or escape the model folder
 * (CVE-2024-27318), and embedded local functions. Subgraphs (If/Loop/Scan
 * attributes) and training-info graphs are walked with a depth budget.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "model_formats.h"
#include "protobuf.h"

#define OX_MAX_DEPTH 32
#define OX_MAX_AGG 128
#define OX_MAX_FUNCS 1024

typedef struct ox_agg {
    char key[200];
    size_t count;
    uint64_t offset;
} ox_agg;

typedef struct ox_fn {
    char name[96], domain[96];
} ox_fn;

typedef struct oxwalk {
    wt_ctx *ctx;
    wt_pbr_src src;
    const wt_fmt_table *domains;
    ox_agg custom[OX_MAX_AGG];
    size_t ncustom;
    ox_fn fns[OX_MAX_FUNCS];
    size_t nfns;
    size_t nodes, tensors, bad_paths;
    bool malformed, deep;
} oxwalk;

static void printable(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            *s = '?';
}

static bool std_domain(oxwalk *w, const char *d)
{
    for (size_t i = 0; i < w->domains->nrows; i++)
        if (strcmp(wt_fmt_cell(w->domains, i, 0), d) == 0)
            return true;
    return false;
}

static bool local_function(oxwalk *w, const char *d, const char *op)
{
    for (size_t i = 0; i < w->nfns; i++)
        if (strcmp(w->fns[i].domain, d) == 0 && strcmp(w->fns[i].name, op) == 0)
            return true;
    return false;
}

/* absolute, drive-letter, URL, home or '..' component */
static bool bad_location(const uint8_t *s, size_t n, const char **why)
{
    if (n == 0)
        return false;
    if (memchr(s, 0, n)) {
        *why = "contains a NUL byte";
        return true;
    }
    if (s[0] == '/' || s[0] == '\\') {
        *why = "is an absolute path";
        return true;
    }
    if (n >= 2 && isalpha(s[0]) && s[1] == ':') {
        *why = "is an absolute Windows path";
        return true;
    }
    if (s[0] == '~') {
        *why = "refers to a home directory";
        return true;
    }
    if (memmem(s, n, "://", 3)) {
        *why = "is a URL";
        return true;
    }
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] != '/' && s[j] != '\\')
            j++;
        if (j - i == 2 && s[i] == '.' && s[i + 1] == '.') {
            *why = "escapes the model folder with '..'";
            return true;
        }
        i = j + 1;
    }
    return false;
}

static void check_tensor(oxwalk *w, uint64_t off, uint64_t len)
{
    wt_pbr pb;
    wt_pbr_field f;
    char tname[128] = "";
    w->tensors++;
    wt_pbr_init(&pb, &w->src, off, len);
    while (wt_pbr_next(&pb, &f) == 1) {
        if (f.num == 8 && f.wire == WT_PB_LEN) {
            wt_pbr_bytes(&w->src, &f, tname, sizeof tname);
            printable(tname);
        }
        if (f.num != 13 || f.wire != WT_PB_LEN || f.len > 8192)
            continue;
        wt_pbr_field k, v;
        char key[16] = "";
        if (!wt_pbr_find(&w->src, f.off, f.len, 1, &k) || k.len != 8)
            continue;
        wt_pbr_bytes(&w->src, &k, key, sizeof key);
        if (strcmp(key, "location") != 0 || !wt_pbr_find(&w->src, f.off, f.len, 2, &v))
            continue;
        char loc_s[4096];
        size_t ln = wt_pbr_bytes(&w->src, &v, loc_s, sizeof loc_s);
        const char *why = NULL;
        if (bad_location((const uint8_t *)loc_s, ln, &why)) {
            if (++w->bad_paths > WT_FMT_MAX_FINDINGS_PER_RULE)
                continue;
            char *ev = wt_shorten(loc_s, ln, 120);
            wt_location loc = wt_loc_offset(f.off);
            wt_emit(w->ctx, "WT-ONNX-002", WT_SEV_NONE, &loc, ev,
                    "external_data location of tensor '%s' %s: the runtime would read %s", tname, why, ev);
            free(ev);
        }
    }
    if (pb.error)
        w->malformed = true;
}

static void walk_graph(oxwalk *w, uint64_t off, uint64_t len, int depth);

static void check_attribute(oxwalk *w, uint64_t off, uint64_t len, int depth)
{
    wt_pbr pb;
    wt_pbr_field f;
    wt_pbr_init(&pb, &w->src, off, len);
    while (wt_pbr_next(&pb, &f) == 1) {
        if (f.wire != WT_PB_LEN)
            continue;
        if (f.num == 6 || f.num == 11)
            walk_graph(w, f.off, f.len, depth + 1);
        else if (f.num == 5 || f.num == 10)
            check_tensor(w, f.off, f.len);
    }
    if (pb.error)
        w->malformed = true;
}

static void check_node(oxwalk *w, uint64_t off, uint64_t len, int depth)
{
    wt_pbr pb;
    wt_pbr_field f;
    char op[96] = "", dom[96] = "";
    w->nodes++;
    wt_pbr_init(&pb, &w->src, off, len);
    while (wt_pbr_next(&pb, &f) == 1) {
        if (f.wire != WT_PB_LEN)
            continue;
        if (f.num == 4)
            wt_pbr_bytes(&w->src, &f, op, sizeof op);
        else if (f.num == 7)
            wt_pbr_bytes(&w->src, &f, dom, sizeof dom);
        else if (f.num == 5)
            check_attribute(w, f.off, f.len, depth);
    }
    if (pb.error)
        w->malformed = true;
    if (std_domain(w, dom) || local_function(w, dom, op))
        return;
    printable(dom);
    printable(op);
    char key[200];
    snprintf(key, sizeof key, "%s::%s", dom, op);
    for (size_t i = 0; i < w->ncustom; i++)
        if (strcmp(w->custom[i].key, key) == 0) {
            w->custom[i].count++;
            return;
        }
    if (w->ncustom < OX_MAX_AGG) {
        ox_agg *a = &w->custom[w->ncustom++];
        snprintf(a->key, sizeof a->key, "%s", key);
        a->count = 1;
        a->offset = off;
    }
}

static void walk_graph(oxwalk *w, uint64_t off, uint64_t len, int depth)
{
    if (depth > OX_MAX_DEPTH) {
        w->deep = true;
        return;
    }
    wt_pbr pb;
    wt_pbr_field f;
    wt_pbr_init(&pb, &w->src, off, len);
    while (wt_pbr_next(&pb, &f) == 1) {
        if (f.wire != WT_PB_LEN)
            continue;
        if (f.num == 1)
            check_node(w, f.off, f.len, depth);
        else if (f.num == 5)
            check_tensor(w, f.off, f.len);
        else if (f.num == 15) { /* SparseTensorProto { values = 1; indices = 2 } */
            wt_pbr sb;
            wt_pbr_field sf;
            wt_pbr_init(&sb, &w->src, f.off, f.len);
            while (wt_pbr_next(&sb, &sf) == 1)
                if ((sf.num == 1 || sf.num == 2) && sf.wire == WT_PB_LEN)
                    check_tensor(w, sf.off, sf.len);
        }
        if ((w->nodes & 1023) == 0 && wt_ctx_expired(w->ctx))
            return;
    }
    if (pb.error)
        w->malformed = true;
}

static int onnx_probe(const char *name, const uint8_t *head, size_t headlen, uint64_t size)
{
    bool ext = wt_str_endswith_ci(name, ".onnx");
    if (headlen < 4 || head[0] != 0x08)
        return ext ? 20 : 0; /* name only: any content probe wins */
    if (ext)
        return 95;
    /* ir_version 1..20, then producer_name (2) / graph (7) / opset (8) */
    if (head[1] < 1 || head[1] > 20)
        return 0;
    uint8_t t = head[2];
    if (t == 0x12 || t == 0x3a || t == 0x42) {
        if (t == 0x12 && headlen > 4 && head[3] < 64) {
            for (size_t i = 0; i < head[3] && 4 + i < headlen; i++)
                if (head[4 + i] < 0x20 || head[4 + i] >= 0x7f)
                    return 0;
        }
        return wt_pb_looks_like_message(head, headlen, 4, 30) ? 45 : 0;
    }
    (void)size;
    return 0;
}

static int onnx_analyze(wt_ctx *ctx, wt_reader *r)
{
    uint64_t size = wt_reader_size(r);
    wt_ctx_set_kind(ctx, "onnx");
    oxwalk *w = wt_xcalloc(1, sizeof *w);
    w->ctx = ctx;
    wt_pbr_src_init(&w->src, r);
    w->domains = wt_fmt_table_get("onnx_domains.tsv", 2);
    wt_pbr pb;
    wt_pbr_field f;
    bool graph = false;
    /* pass 1: local functions (so calls to them are not custom ops) */
    wt_buf fnames;
    wt_buf_init(&fnames);
    wt_pbr_init(&pb, &w->src, 0, size);
    while (wt_pbr_next(&pb, &f) == 1) {
        if (f.num != 25 || f.wire != WT_PB_LEN || w->nfns >= OX_MAX_FUNCS)
            continue;
        ox_fn *fn = &w->fns[w->nfns++];
        wt_pbr_field a;
        memset(fn, 0, sizeof *fn);
        if (wt_pbr_find(&w->src, f.off, f.len, 1, &a))
            wt_pbr_bytes(&w->src, &a, fn->name, sizeof fn->name);
        if (wt_pbr_find(&w->src, f.off, f.len, 10, &a))
            wt_pbr_bytes(&w->src, &a, fn->domain, sizeof fn->domain);
        if (fnames.len < 300) {
            char d[96], n[96];
            snprintf(d, sizeof d, "%s", fn->domain);
            snprintf(n, sizeof n, "%s", fn->name);
            printable(d);
            printable(n);
            wt_buf_printf(&fnames, "%s%s::%s", fnames.len ? ", " : "", d, n);
        }
    }
    /* pass 2: graphs */
    wt_pbr_init(&pb, &w->src, 0, size);
    while (wt_pbr_next(&pb, &f) == 1) {
        if (f.wire != WT_PB_LEN)
            continue;
        if (f.num == 7) {
            graph = true;
            walk_graph(w, f.off, f.len, 0);
        } else if (f.num == 20) { /* TrainingInfoProto: initialization = 1, algorithm = 2 */
            wt_pbr tb;
            wt_pbr_field tf;
            wt_pbr_init(&tb, &w->src, f.off, f.len);
            while (wt_pbr_next(&tb, &tf) == 1)
                if ((tf.num == 1 || tf.num == 2) && tf.wire == WT_PB_LEN)
                    walk_graph(w, tf.off, tf.len, 1);
        } else if (f.num == 25) { /* FunctionProto.node = 7 */
            wt_pbr fb;
            wt_pbr_field ff;
            wt_pbr_init(&fb, &w->src, f.off, f.len);
            while (wt_pbr_next(&fb, &ff) == 1)
                if (ff.num == 7 && ff.wire == WT_PB_LEN)
                    check_node(w, ff.off, ff.len, 1);
        }
    }
    if (pb.error)
        w->malformed = true;
    for (size_t i = 0; i < w->ncustom; i++) {
        ox_agg *a = &w->custom[i];
        wt_location loc = wt_loc_offset(a->offset);
        char *dom = wt_xstrndup(a->key, (size_t)(strstr(a->key, "::") - a->key));
        wt_emit(ctx, "WT-ONNX-001", WT_SEV_NONE, &loc, a->key,
                "operator %s from non-standard domain '%s' (%zu node%s): needs a custom native op library", a->key,
                dom, a->count, a->count == 1 ? "" : "s");
        free(dom);
    }
    if (w->nfns)
        wt_emit(ctx, "WT-ONNX-003", WT_SEV_NONE, NULL, fnames.data, "model embeds %zu local function%s: %s", w->nfns,
                w->nfns == 1 ? "" : "s", fnames.data ? fnames.data : "");
    if (w->deep)
        wt_emit_limit(ctx, "ONNX subgraph depth", OX_MAX_DEPTH + 1, OX_MAX_DEPTH);
    if (w->malformed || !graph)
        wt_emit(ctx, "WT-ONNX-004", WT_SEV_NONE, NULL, NULL, "%s",
                w->malformed ? "ONNX protobuf wire format is malformed" : "ONNX model has no graph");
    wt_buf_free(&fnames);
    free(w);
    return WT_OK;
}

const wt_analyzer wt_onnx_analyzer = {
    .name = "onnx",
    .klass = WT_CLASS_MODEL,
    .exclusive = true,
    .probe = onnx_probe,
    .analyze = onnx_analyze,
};
