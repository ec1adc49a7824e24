/*
 * savedmodel.c - TensorFlow SavedModel (saved_model.pb) and frozen GraphDef
 * (.pb) files, plus the parts of a SavedModel directory.
 *
 * Walks SavedModel -> MetaGraphDef -> GraphDef.node and
 * GraphDef.library.function[].node_def with the bounded protobuf walker and
 * looks every op up in rules/tf_unsafe_ops.tsv. Checkpoint ops (SaveV2,
 * RestoreV2, MergeV2Checkpoints...) are the standard saver when they sit in
 * the saver functions/scopes of rules/tf_checkpoint_scopes.tsv and are not
 * flagged there. Keras Lambda layers are found in keras_metadata.pb (opened
 * as a sibling) and in the object graph's user-object metadata.
 *
 * The directory is one model: saved_model.pb is the model; fingerprint.pb,
 * keras_metadata.pb and variables/ are claimed as its parts.
 */
#include <fnmatch.h>
#include <string.h>
#include <strings.h>

#include "model_formats.h"
#include "protobuf.h"

#define SM_MAX_SIZE (4ull << 30)
#define SM_MAX_OPS 256

typedef struct op_agg {
    char op[96];
    char first_node[128];
    char first_fn[128];
    size_t count;
    uint64_t offset;
    bool checkpoint;
    wt_tf_op_info info;
} op_agg;

typedef struct smwalk {
    wt_ctx *ctx;
    const uint8_t *base;
    op_agg ops[SM_MAX_OPS];
    size_t nops;
    size_t nodes, functions;
    const wt_fmt_table *scopes;
    bool malformed;
    wt_keras_stats kst;
} smwalk;

bool wt_tf_op_lookup(const char *op, size_t oplen, wt_tf_op_info *out)
{
    const wt_fmt_table *t = wt_fmt_table_get("tf_unsafe_ops.tsv", 4);
    for (size_t i = 0; i < t->nrows; i++) {
        const char *c = wt_fmt_cell(t, i, 0);
        if (strlen(c) == oplen && memcmp(c, op, oplen) == 0) {
            out->op = c;
            out->severity = WT_SEV_HIGH;
            wt_severity_parse(wt_fmt_cell(t, i, 1), &out->severity);
            out->category = wt_fmt_cell(t, i, 2);
            out->reason = wt_fmt_cell(t, i, 3);
            return true;
        }
    }
    return false;
}

static bool in_checkpoint_scope(smwalk *w, const char *fn, const char *node)
{
    for (size_t i = 0; i < w->scopes->nrows; i++) {
        const char *kind = wt_fmt_cell(w->scopes, i, 0);
        const char *glob = wt_fmt_cell(w->scopes, i, 1);
        if (fn && strcmp(kind, "function") == 0 && fnmatch(glob, fn, 0) == 0)
            return true;
        if (!fn && strcmp(kind, "node") == 0 && node && fnmatch(glob, node, 0) == 0)
            return true;
    }
    return false;
}

static void copy_str(char *dst, size_t cap, const uint8_t *s, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)dst[i] < 0x20 || (unsigned char)dst[i] >= 0x7f)
            dst[i] = '?';
}

static void check_node(smwalk *w, const uint8_t *p, size_t len, const char *fn)
{
    wt_pb pb;
    wt_pb_field f;
    const uint8_t *op = NULL, *name = NULL;
    size_t oplen = 0, namelen = 0;
    wt_pb_init(&pb, p, len);
    while (wt_pb_next(&pb, &f) == 1) {
        if (f.wire != WT_PB_LEN)
            continue;
        if (f.num == 2) {
            op = f.data;
            oplen = f.len;
        } else if (f.num == 1) {
            name = f.data;
            namelen = f.len;
        }
    }
    if (pb.error)
        w->malformed = true;
    w->nodes++;
    wt_tf_op_info info;
    if (!op || !wt_tf_op_lookup((const char *)op, oplen, &info))
        return;
    char node[128];
    copy_str(node, sizeof node, name ? name : (const uint8_t *)"", namelen);
    bool ckpt = strcmp(info.category, "checkpoint") == 0;
    if (ckpt && in_checkpoint_scope(w, fn, node))
        return;
    for (size_t i = 0; i < w->nops; i++) {
        if (strcmp(w->ops[i].op, info.op) == 0) {
            w->ops[i].count++;
            return;
        }
    }
    if (w->nops >= SM_MAX_OPS)
        return;
    op_agg *a = &w->ops[w->nops++];
    memset(a, 0, sizeof *a);
    snprintf(a->op, sizeof a->op, "%s", info.op);
    snprintf(a->first_node, sizeof a->first_node, "%s", node);
    snprintf(a->first_fn, sizeof a->first_fn, "%s", fn ? fn : "");
    a->count = 1;
    a->offset = (uint64_t)(p - w->base);
    a->checkpoint = ckpt;
    a->info = info;
}

static void walk_function(smwalk *w, const uint8_t *p, size_t len)
{
    wt_pb pb;
    wt_pb_field f, sig, nm;
    char fn[128] = "";
    if (wt_pb_find(p, len, 1, &sig) && wt_pb_find(sig.data, sig.len, 1, &nm))
        copy_str(fn, sizeof fn, nm.data, nm.len);
    w->functions++;
    wt_pb_init(&pb, p, len);
    while (wt_pb_next(&pb, &f) == 1) {
        if (f.num == 3 && f.wire == WT_PB_LEN)
            check_node(w, f.data, f.len, fn[0] ? fn : "(unnamed function)");
        if ((w->nodes & 1023) == 0 && wt_ctx_expired(w->ctx))
            return;
    }
    if (pb.error)
        w->malformed = true;
}

static void walk_graph(smwalk *w, const uint8_t *p, size_t len)
{
    wt_pb pb;
    wt_pb_field f;
    wt_pb_init(&pb, p, len);
    while (wt_pb_next(&pb, &f) == 1) {
        if (f.wire != WT_PB_LEN)
            continue;
        if (f.num == 1) {
            check_node(w, f.data, f.len, NULL);
        } else if (f.num == 2) { /* FunctionDefLibrary */
            wt_pb lb;
            wt_pb_field lf;
            wt_pb_init(&lb, f.data, f.len);
            while (wt_pb_next(&lb, &lf) == 1)
                if (lf.num == 1 && lf.wire == WT_PB_LEN)
                    walk_function(w, lf.data, lf.len);
            if (lb.error)
                w->malformed = true;
        }
        if ((w->nodes & 1023) == 0 && wt_ctx_expired(w->ctx))
            return;
    }
    if (pb.error)
        w->malformed = true;
}

/* Any LEN field holding a JSON object with Keras class names. */
static void check_json_field(smwalk *w, const uint8_t *p, size_t len, const char *where)
{
    if (len < 2 || p[0] != '{' || !memmem(p, len, "\"class_name\"", 12))
        return;
    wt_keras_check_json(w->ctx, (const char *)p, len, where, &w->kst);
}

static void walk_object_graph(smwalk *w, const uint8_t *p, size_t len)
{
    wt_pb pb;
    wt_pb_field f;
    wt_pb_init(&pb, p, len);
    while (wt_pb_next(&pb, &f) == 1) {
        if (f.num != 1 || f.wire != WT_PB_LEN)
            continue; /* SavedObject */
        wt_pb_field uo, md;
        if (wt_pb_find(f.data, f.len, 4, &uo) && wt_pb_find(uo.data, uo.len, 3, &md))
            check_json_field(w, md.data, md.len, "SavedModel object graph metadata");
    }
}

static void walk_keras_metadata(smwalk *w, const uint8_t *p, size_t len)
{
    wt_pb pb;
    wt_pb_field f;
    wt_pb_init(&pb, p, len);
    while (wt_pb_next(&pb, &f) == 1) {
        if (f.num != 1 || f.wire != WT_PB_LEN)
            continue;
        wt_pb nb;
        wt_pb_field nf;
        wt_pb_init(&nb, f.data, f.len);
        while (wt_pb_next(&nb, &nf) == 1)
            if (nf.wire == WT_PB_LEN)
                check_json_field(w, nf.data, nf.len, "keras_metadata.pb");
        if ((w->kst.layers & 255) == 0 && wt_ctx_expired(w->ctx))
            return;
    }
}

static bool is_savedmodel_head(const uint8_t *h, size_t n)
{
    /* saved_model_schema_version = 1 (field 1 varint) then meta_graphs (field 2) */
    return n >= 4 && h[0] == 0x08 && h[1] <= 0x7f && h[2] == 0x12;
}

static bool is_graphdef_head(const uint8_t *h, size_t n)
{
    /* GraphDef.node (field 1) -> NodeDef { name = 1; op = 2; ... } */
    if (n < 8 || h[0] != 0x0a)
        return false;
    size_t pos = 1;
    uint64_t l;
    if (!wt_pb_varint(h, n, &pos, &l) || pos >= n || h[pos] != 0x0a)
        return false;
    size_t q = pos + 1;
    uint64_t nl;
    if (!wt_pb_varint(h, n, &q, &nl) || nl == 0 || nl > 1024 || q + nl >= n)
        return false;
    return h[q + nl] == 0x12; /* op follows the name */
}

static int sm_probe(const char *name, const uint8_t *head, size_t headlen, uint64_t size)
{
    const char *b = wt_basename(name);
    if (strcasecmp(b, "saved_model.pb") == 0 && (is_savedmodel_head(head, headlen) || headlen == 0 || head[0] == 0x08))
        return 95;
    bool pb_ext = wt_str_endswith_ci(b, ".pb");
    if (pb_ext && (is_savedmodel_head(head, headlen) || is_graphdef_head(head, headlen)))
        return 80;
    if (!pb_ext && is_savedmodel_head(head, headlen) && headlen > 8 && head[4] == 0x0a &&
        wt_pb_looks_like_message(head, headlen, 3, 8))
        return 30;
    (void)size;
    return 0;
}

static void emit_ops(smwalk *w)
{
    for (size_t i = 0; i < w->nops; i++) {
        op_agg *a = &w->ops[i];
        wt_location loc = wt_loc_offset(a->offset);
        char where[300];
        if (a->first_fn[0])
            snprintf(where, sizeof where, "node '%s' in function %s", a->first_node, a->first_fn);
        else
            snprintf(where, sizeof where, "graph node '%s'", a->first_node);
        char *ev = wt_xasprintf("%s (%s)", a->op, where);
        if (a->checkpoint)
            wt_emit(w->ctx, "WT-TF-002", a->info.severity, &loc, ev,
                    "%s op outside the standard checkpoint functions (%zu use%s, first: %s): %s", a->op, a->count,
                    a->count == 1 ? "" : "s", where, a->info.reason);
        else
            wt_emit(w->ctx, "WT-TF-001", a->info.severity, &loc, ev, "TensorFlow op %s [%s] (%zu use%s, first: %s): %s",
                    a->op, a->info.category, a->count, a->count == 1 ? "" : "s", where, a->info.reason);
        free(ev);
    }
}

static int sm_analyze(wt_ctx *ctx, wt_reader *r)
{
    uint64_t size = wt_reader_size(r);
    if (size > SM_MAX_SIZE) {
        wt_emit_limit(ctx, "TensorFlow protobuf size", size, SM_MAX_SIZE);
        return WT_OK;
    }
    const uint8_t *p = wt_reader_view(r, 0, (size_t)size);
    if (!p && size) {
        wt_emit_error(ctx, "cannot read TensorFlow protobuf");
        return WT_OK;
    }
    smwalk *w = wt_xcalloc(1, sizeof *w);
    w->ctx = ctx;
    w->base = p;
    w->scopes = wt_fmt_table_get("tf_checkpoint_scopes.tsv", 2);
    bool saved = is_savedmodel_head(p, (size_t)size) || wt_fmt_name_is(wt_ctx_name(ctx), "saved_model.pb");
    if (saved) {
        wt_ctx_set_kind(ctx, "tf-savedmodel");
        wt_pb pb;
        wt_pb_field f;
        wt_pb_init(&pb, p, (size_t)size);
        while (wt_pb_next(&pb, &f) == 1) {
            if (f.num != 2 || f.wire != WT_PB_LEN)
                continue;
            wt_pb mb;
            wt_pb_field mf;
            wt_pb_init(&mb, f.data, f.len);
            while (wt_pb_next(&mb, &mf) == 1) {
                if (mf.wire != WT_PB_LEN)
                    continue;
                if (mf.num == 2)
                    walk_graph(w, mf.data, mf.len);
                else if (mf.num == 7)
                    walk_object_graph(w, mf.data, mf.len);
            }
            if (mb.error)
                w->malformed = true;
        }
        if (pb.error)
            w->malformed = true;
        if (wt_ctx_depth(ctx) == 0) {
            wt_reader *km = wt_ctx_open_sibling(ctx, "keras_metadata.pb");
            if (km) {
                uint64_t ks = wt_reader_size(km);
                const uint8_t *kp = ks <= (256u << 20) ? wt_reader_view(km, 0, (size_t)ks) : NULL;
                if (kp)
                    walk_keras_metadata(w, kp, (size_t)ks);
                wt_reader_unref(km);
            }
        }
    } else {
        wt_ctx_set_kind(ctx, "tf-graphdef");
        walk_graph(w, p, (size_t)size);
    }
    emit_ops(w);
    if (w->malformed)
        wt_emit(ctx, "WT-TF-003", WT_SEV_NONE, NULL, NULL, "protobuf wire format is malformed (walked %zu nodes)",
                w->nodes);
    free(w);
    return WT_OK;
}

const wt_analyzer wt_savedmodel_analyzer = {
    .name = "tf-savedmodel",
    .klass = WT_CLASS_MODEL,
    .exclusive = true,
    .probe = sm_probe,
    .analyze = sm_analyze,
};

/* ---- parts of a SavedModel directory ---- */

static bool is_variables_file(const char *name)
{
    const char *b = wt_basename(name);
    size_t bl = strlen(b);
    if (b - name < 10 || strncmp(b - 10, "variables/", 10) != 0)
        return false;
    return strcmp(b, "variables.index") == 0 || (strncmp(b, "variables.data-", 15) == 0 && bl > 15);
}

static int part_probe(const char *name, const uint8_t *head, size_t headlen, uint64_t size)
{
    (void)head;
    (void)headlen;
    (void)size;
    if (strchr(name, '!'))
        return 0;
    if (is_variables_file(name))
        return 90;
    if (wt_fmt_name_is(name, "keras_metadata.pb") || wt_fmt_name_is(name, "fingerprint.pb"))
        return 90;
    return 0;
}

static char *model_pb_path(const char *name)
{
    /* <dir>/saved_model.pb for <dir>/x.pb and <dir>/variables/x */
    const char *b = wt_basename(name);
    size_t dirlen = (size_t)(b - name);
    if (is_variables_file(name))
        dirlen -= 10;
    return wt_xasprintf("%.*ssaved_model.pb", (int)dirlen, name);
}

static int part_analyze(wt_ctx *ctx, wt_reader *r)
{
    const char *name = wt_ctx_name(ctx);
    char *sm = model_pb_path(name);
    bool part = wt_ctx_source_has(ctx, sm);
    free(sm);
    if (part) {
        wt_ctx_set_kind(ctx, "tf-savedmodel-part");
        wt_ctx_set_class(ctx, WT_CLASS_MODEL_PART);
        return WT_OK;
    }
    if (wt_fmt_name_is(name, "keras_metadata.pb")) {
        wt_ctx_set_kind(ctx, "keras-metadata-pb");
        wt_ctx_set_class(ctx, WT_CLASS_MODEL);
        uint64_t ks = wt_reader_size(r);
        const uint8_t *kp = ks <= (256u << 20) ? wt_reader_view(r, 0, (size_t)ks) : NULL;
        if (kp) {
            smwalk *w = wt_xcalloc(1, sizeof *w);
            w->ctx = ctx;
            walk_keras_metadata(w, kp, (size_t)ks);
            free(w);
        }
        return WT_OK;
    }
    /* a TF checkpoint (variables) or fingerprint without its graph: tensors only */
    wt_ctx_set_kind(ctx, is_variables_file(name) ? "tf-checkpoint" : "tf-fingerprint");
    wt_ctx_set_class(ctx, WT_CLASS_MODEL);
    return WT_OK;
}

const wt_analyzer wt_savedmodel_part_analyzer = {
    .name = "tf-savedmodel-part",
    .klass = WT_CLASS_OTHER,
    .exclusive = true,
    .probe = part_probe,
    .analyze = part_analyze,
};
