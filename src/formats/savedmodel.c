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
    wt_pbr_src src;
    op_agg ops[SM_MAX_OPS];
    size_t nops;
    size_t nodes, functions;
    const wt_fmt_table *scopes, *ops_table;
    bool malformed;
    wt_keras_stats kst;
} smwalk;

static bool op_lookup(const wt_fmt_table *t, const char *op, size_t oplen, wt_tf_op_info *out)
{
    if (oplen == 0)
        return false;
    for (size_t i = 0; i < t->nrows; i++) {
        const char *c = wt_fmt_cell(t, i, 0);
        if (c[0] != op[0] || strlen(c) != oplen || memcmp(c, op, oplen) != 0)
            continue;
        {
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

bool wt_tf_op_lookup(const char *op, size_t oplen, wt_tf_op_info *out)
{
    return op_lookup(wt_fmt_table_get("tf_unsafe_ops.tsv", 4), op, oplen, out);
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

static void printable(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            *s = '?';
}

static void check_node(smwalk *w, uint64_t off, uint64_t len, const char *fn)
{
    wt_pbr pb;
    wt_pbr_field f;
    char op[96] = "", node[128] = "";
    bool has_op = false;
    wt_pbr_init(&pb, &w->src, off, len);
    while (wt_pbr_next(&pb, &f) == 1) {
        if (f.wire != WT_PB_LEN)
            continue;
        if (f.num == 2) {
            if (f.len < sizeof op) {
                wt_pbr_bytes(&w->src, &f, op, sizeof op);
                has_op = true;
            }
        } else if (f.num == 1) {
            wt_pbr_bytes(&w->src, &f, node, sizeof node);
        }
    }
    if (pb.error)
        w->malformed = true;
    w->nodes++;
    wt_tf_op_info info;
    if (!has_op || !op_lookup(w->ops_table, op, strlen(op), &info))
        return;
    printable(node);
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
    a->offset = off;
    a->checkpoint = ckpt;
    a->info = info;
}

static void walk_function(smwalk *w, uint64_t off, uint64_t len)
{
    wt_pbr pb;
    wt_pbr_field f, sig, nm;
    char fn[128] = "";
    if (wt_pbr_find(&w->src, off, len, 1, &sig) && wt_pbr_find(&w->src, sig.off, sig.len, 1, &nm)) {
        wt_pbr_bytes(&w->src, &nm, fn, sizeof fn);
        printable(fn);
    }
    w->functions++;
    wt_pbr_init(&pb, &w->src, off, len);
    while (wt_pbr_next(&pb, &f) == 1) {
        if (f.num == 3 && f.wire == WT_PB_LEN)
            check_node(w, f.off, f.len, fn[0] ? fn : "(unnamed function)");
        if ((w->nodes & 1023) == 0 && wt_ctx_expired(w->ctx))
            return;
    }
    if (pb.error)
        w->malformed = true;
}

static void walk_graph(smwalk *w, uint64_t off, uint64_t len)
{
    wt_pbr pb;
    wt_pbr_field f;
    wt_pbr_init(&pb, &w->src, off, len);
    while (wt_pbr_next(&pb, &f) == 1) {
        if (f.wire != WT_PB_LEN)
            continue;
        if (f.num == 1) {
            check_node(w, f.off, f.len, NULL);
        } else if (f.num == 2) { /* FunctionDefLibrary */
            wt_pbr lb;
            wt_pbr_field lf;
            wt_pbr_init(&lb, &w->src, f.off, f.len);
            while (wt_pbr_next(&lb, &lf) == 1)
                if (lf.num == 1 && lf.wire == WT_PB_LEN)
                    walk_function(w, lf.off, lf.len);
            if (lb.error)
                w->malformed = true;
        }
        if ((w->nodes & 1023) == 0 && wt_ctx_expired(w->ctx))
            return;
    }
    if (pb.error)
        w->malformed = true;
}

/* A LEN field holding a JSON object with Keras class names. */
static void check_json_field(smwalk *w, const wt_pbr_field *f, const char *where)
{
    char head[2];
    if (f->len < 2 || f->len > (64u << 20) || wt_pbr_bytes(&w->src, f, head, sizeof head) != 1 || head[0] != '{')
        return;
    char *buf = wt_xmalloc((size_t)f->len + 1);
    if (wt_pbr_bytes(&w->src, f, buf, (size_t)f->len + 1) == f->len && memmem(buf, f->len, "\"class_name\"", 12))
        wt_keras_check_json(w->ctx, buf, (size_t)f->len, where, &w->kst);
    free(buf);
}

static void walk_object_graph(smwalk *w, uint64_t off, uint64_t len)
{
    wt_pbr pb;
    wt_pbr_field f;
    wt_pbr_init(&pb, &w->src, off, len);
    while (wt_pbr_next(&pb, &f) == 1) {
        if (f.num != 1 || f.wire != WT_PB_LEN)
            continue; /* SavedObject */
        wt_pbr_field uo, md;
        if (wt_pbr_find(&w->src, f.off, f.len, 4, &uo) && wt_pbr_find(&w->src, uo.off, uo.len, 3, &md))
            check_json_field(w, &md, "SavedModel object graph metadata");
    }
}

static void walk_keras_metadata(smwalk *w, uint64_t off, uint64_t len)
{
    wt_pbr pb;
    wt_pbr_field f;
    wt_pbr_init(&pb, &w->src, off, len);
    while (wt_pbr_next(&pb, &f) == 1) {
        if (f.num != 1 || f.wire != WT_PB_LEN)
            continue;
        wt_pbr nb;
        wt_pbr_field nf;
        wt_pbr_init(&nb, &w->src, f.off, f.len);
        while (wt_pbr_next(&nb, &nf) == 1)
            if (nf.wire == WT_PB_LEN)
                check_json_field(w, &nf, "keras_metadata.pb");
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
    smwalk *w = wt_xcalloc(1, sizeof *w);
    w->ctx = ctx;
    wt_pbr_src_init(&w->src, r);
    w->scopes = wt_fmt_table_get("tf_checkpoint_scopes.tsv", 2);
    w->ops_table = wt_fmt_table_get("tf_unsafe_ops.tsv", 4);
    uint8_t head[8] = {0};
    long long hn = wt_reader_read(r, 0, head, sizeof head);
    bool saved = (hn > 0 && is_savedmodel_head(head, (size_t)hn)) || wt_fmt_name_is(wt_ctx_name(ctx), "saved_model.pb");
    if (saved) {
        wt_ctx_set_kind(ctx, "tf-savedmodel");
        wt_pbr pb;
        wt_pbr_field f;
        wt_pbr_init(&pb, &w->src, 0, size);
        while (wt_pbr_next(&pb, &f) == 1) {
            if (f.num != 2 || f.wire != WT_PB_LEN)
                continue;
            wt_pbr mb;
            wt_pbr_field mf;
            wt_pbr_init(&mb, &w->src, f.off, f.len);
            while (wt_pbr_next(&mb, &mf) == 1) {
                if (mf.wire != WT_PB_LEN)
                    continue;
                if (mf.num == 2)
                    walk_graph(w, mf.off, mf.len);
                else if (mf.num == 7)
                    walk_object_graph(w, mf.off, mf.len);
            }
            if (mb.error)
                w->malformed = true;
        }
        if (pb.error)
            w->malformed = true;
        if (wt_ctx_depth(ctx) == 0) {
            wt_reader *km = wt_ctx_open_sibling(ctx, "keras_metadata.pb");
            if (km) {
                wt_pbr_src ksrc = w->src;
                wt_pbr_src_init(&w->src, km);
                walk_keras_metadata(w, 0, wt_reader_size(km));
                w->src = ksrc;
                wt_reader_unref(km);
            }
        }
    } else {
        wt_ctx_set_kind(ctx, "tf-graphdef");
        walk_graph(w, 0, size);
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
        smwalk *w = wt_xcalloc(1, sizeof *w);
        w->ctx = ctx;
        wt_pbr_src_init(&w->src, r);
        walk_keras_metadata(w, 0, wt_reader_size(r));
        free(w);
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
