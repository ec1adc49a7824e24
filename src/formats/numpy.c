/*
 * numpy.c - NumPy .npy analyzer (see numpy.h).
 */
#include "numpy.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

#define OWASP_ML06 "ML06:2023 AI Supply Chain Attacks"
#define ATLAS_SC "AML.T0010 ML Supply Chain Compromise"

static const wt_rule npy_rules[] = {
    {"WT-NPY-001", "NumpyObjectArray", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "A NumPy array has an object dtype: its payload is a pickle",
     "np.load(allow_pickle=True) unpickles the payload, which can execute code; the pickle itself is scanned and "
     "reported separately, this finding says the file needs allow_pickle.",
     "CWE-502", OWASP_ML06, "AML.T0011 User Execution", "MANAGE 2.3"},
    {"WT-NPY-002", "NumpyMalformedHeader", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "A .npy file has a malformed or oversized header",
     "np.load rejects it, so it is either damaged or crafted to confuse tools that parse it differently.",
     "CWE-20", OWASP_ML06, ATLAS_SC, "MANAGE 2.3"},
    {"WT-NPY-003", "NumpySizeMismatch", WT_CAT_MODEL, WT_SEV_LOW,
     "A .npy file's size does not match its declared shape and dtype",
     "Truncated data makes np.load fail; extra bytes after the array are ignored by np.load and can carry "
     "hidden content (medium in that case).",
     "CWE-20", OWASP_ML06, ATLAS_SC, "MANAGE 2.3"},
};

/* ---- a tiny Python-literal parser ---- */
enum { N_STR, N_INT, N_BOOL, N_NONE, N_TUPLE, N_LIST, N_DICT };
#define MAX_NODES 4096
#define MAX_DEPTH 32

typedef struct node {
    int type;
    const char *s;   /* N_STR: raw contents between quotes */
    size_t slen;
    long long i;
    int first, next; /* children (dict: key, value, key, value ...) */
} node;

typedef struct lit {
    const char *p, *end;
    node nodes[MAX_NODES];
    int n;
} lit;

static void ws(lit *L) { while (L->p < L->end && isspace((unsigned char)*L->p)) L->p++; }

static int new_node(lit *L, int type) {
    if (L->n >= MAX_NODES) return -1;
    node *n = &L->nodes[L->n];
    memset(n, 0, sizeof *n);
    n->type = type;
    n->first = n->next = -1;
    return L->n++;
}

static int parse_value(lit *L, int depth);

static int parse_seq(lit *L, int type, char close, int depth) {
    int id = new_node(L, type);
    if (id < 0) return -1;
    int last = -1;
    L->p++;
    for (;;) {
        ws(L);
        if (L->p >= L->end) return -1;
        if (*L->p == close) { L->p++; return id; }
        int k = parse_value(L, depth + 1);
        if (k < 0) return -1;
        if (last < 0) L->nodes[id].first = k; else L->nodes[last].next = k;
        last = k;
        ws(L);
        if (type == N_DICT) {
            if (L->p >= L->end || *L->p != ':') return -1;
            L->p++;
            int v = parse_value(L, depth + 1);
            if (v < 0) return -1;
            L->nodes[last].next = v;
            last = v;
            ws(L);
        }
        if (L->p < L->end && *L->p == ',') { L->p++; continue; }
        if (L->p < L->end && *L->p == close) { L->p++; return id; }
        return -1;
    }
}

static int parse_value(lit *L, int depth) {
    if (depth > MAX_DEPTH) return -1;
    ws(L);
    if (L->p >= L->end) return -1;
    char c = *L->p;
    if (c == '{') return parse_seq(L, N_DICT, '}', depth);
    if (c == '(') return parse_seq(L, N_TUPLE, ')', depth);
    if (c == '[') return parse_seq(L, N_LIST, ']', depth);
    if (c == '\'' || c == '"') {
        int id = new_node(L, N_STR);
        if (id < 0) return -1;
        const char *s = ++L->p;
        while (L->p < L->end && *L->p != c) {
            if (*L->p == '\\') L->p++;
            L->p++;
        }
        if (L->p >= L->end) return -1;
        L->nodes[id].s = s;
        L->nodes[id].slen = (size_t)(L->p - s);
        L->p++;
        return id;
    }
    if (c == '-' || c == '+' || isdigit((unsigned char)c)) {
        int id = new_node(L, N_INT);
        if (id < 0) return -1;
        bool neg = c == '-';
        if (c == '-' || c == '+') L->p++;
        if (L->p >= L->end || !isdigit((unsigned char)*L->p)) return -1;
        unsigned long long v = 0;
        while (L->p < L->end && isdigit((unsigned char)*L->p)) {
            if (v > (1ull << 62) / 10) return -1;
            v = v * 10 + (unsigned)(*L->p++ - '0');
        }
        if (L->p < L->end && (*L->p == 'L' || *L->p == 'l')) L->p++;
        L->nodes[id].i = neg ? -(long long)v : (long long)v;
        return id;
    }
    static const struct { const char *w; int t; int v; } words[] = {
        {"True", N_BOOL, 1}, {"False", N_BOOL, 0}, {"None", N_NONE, 0}};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(words[i].w);
        if ((size_t)(L->end - L->p) >= n && memcmp(L->p, words[i].w, n) == 0) {
            int id = new_node(L, words[i].t);
            if (id < 0) return -1;
            L->nodes[id].i = words[i].v;
            L->p += n;
            return id;
        }
    }
    return -1;
}

static int dict_get(lit *L, int dict, const char *key) {
    for (int k = L->nodes[dict].first; k >= 0; k = L->nodes[L->nodes[k].next].next) {
        int v = L->nodes[k].next;
        if (v < 0) return -1;
        if (L->nodes[k].type == N_STR && L->nodes[k].slen == strlen(key) && memcmp(L->nodes[k].s, key, L->nodes[k].slen) == 0)
            return v;
    }
    return -1;
}

/* dtype analysis: itemsize and "contains objects". Returns false when the
 * size is not understood (object-ness is still accumulated). */
static bool typestr_info(const char *s, size_t n, uint64_t *size, bool *object) {
    size_t i = 0;
    if (i < n && strchr("<>|=", s[i])) i++;
    if (i >= n) return false;
    /* np.dtype names: 'object', 'object_' are 'O' too */
    if (n - i >= 6 && memcmp(s + i, "object", 6) == 0) { *object = true; *size = 8; return true; }
    char kind = s[i++];
    if (kind == 'O') { *object = true; *size = 8; return true; }
    uint64_t num = 0;
    size_t digits = 0;
    while (i < n && isdigit((unsigned char)s[i]) && digits < 12) { num = num * 10 + (uint64_t)(s[i++] - '0'); digits++; }
    if (!digits) { if (kind == '?') { *size = 1; return true; } return false; }
    if (i < n && s[i] != '[') return false;
    switch (kind) {
    case 'U': *size = num * 4; return true;
    case 'b': case 'i': case 'u': case 'f': case 'c': case 'S': case 'V': case 'a': case 'M': case 'm':
        *size = num; return true;
    default: return false;
    }
}

static bool shape_count(lit *L, int t, uint64_t *count) {
    *count = 1;
    if (L->nodes[t].type == N_INT) {
        if (L->nodes[t].i < 0) return false;
        *count = (uint64_t)L->nodes[t].i;
        return true;
    }
    if (L->nodes[t].type != N_TUPLE && L->nodes[t].type != N_LIST) return false;
    for (int c = L->nodes[t].first; c >= 0; c = L->nodes[c].next) {
        if (L->nodes[c].type != N_INT || L->nodes[c].i < 0) return false;
        if (!wt_mul_ok(*count, (uint64_t)L->nodes[c].i, count)) return false;
    }
    return true;
}

static bool dtype_info(lit *L, int d, int depth, uint64_t *size, bool *object) {
    if (depth > MAX_DEPTH) return false;
    node *n = &L->nodes[d];
    if (n->type == N_STR) return typestr_info(n->s, n->slen, size, object);
    if (n->type == N_TUPLE) {
        /* subarray (base, shape): descr_to_dtype accepts it at the top and in fields */
        int base = n->first;
        if (base < 0) return false;
        uint64_t bs = 0, cnt = 1;
        bool ok = dtype_info(L, base, depth + 1, &bs, object);
        int shp = L->nodes[base].next;
        if (shp >= 0 && !shape_count(L, shp, &cnt)) ok = false;
        if (!wt_mul_ok(bs, cnt, size)) ok = false;
        return ok;
    }
    if (n->type != N_LIST) return false;
    bool ok = true;
    uint64_t total = 0;
    for (int f = n->first; f >= 0; f = L->nodes[f].next) {
        if (L->nodes[f].type != N_TUPLE) { ok = false; continue; }
        int name = L->nodes[f].first;
        int dt = name >= 0 ? L->nodes[name].next : -1;
        if (dt < 0) { ok = false; continue; }
        uint64_t fs = 0, cnt = 1;
        if (!dtype_info(L, dt, depth + 1, &fs, object)) ok = false;
        int shp = L->nodes[dt].next;
        if (shp >= 0 && !shape_count(L, shp, &cnt)) ok = false;
        if (!wt_mul_ok(fs, cnt, &fs) || !wt_add_ok(total, fs, &total)) ok = false;
    }
    *size = total;
    return ok;
}

int wt_npy_parse_header(const uint8_t *b, size_t len, wt_npy_header *h, char *err, size_t errlen) {
    memset(h, 0, sizeof *h);
    if (len < 10 || memcmp(b, "\x93NUMPY", 6) != 0) { snprintf(err, errlen, "not a .npy file"); return -1; }
    h->major = b[6];
    h->minor = b[7];
    uint64_t hlen, start;
    if (h->major == 1) { hlen = (uint64_t)b[8] | (uint64_t)b[9] << 8; start = 10; }
    else if (h->major == 2 || h->major == 3) {
        if (len < 12) { snprintf(err, errlen, "truncated header"); return -1; }
        hlen = (uint64_t)b[8] | (uint64_t)b[9] << 8 | (uint64_t)b[10] << 16 | (uint64_t)b[11] << 24;
        start = 12;
    } else { snprintf(err, errlen, "unknown .npy version %d.%d", h->major, h->minor); return -1; }
    h->data_offset = start + hlen;
    if (hlen > len - start) {
        snprintf(err, errlen, "header length %llu runs past the %zu bytes available", (unsigned long long)hlen, len - start);
        return -1;
    }
    lit *L = wt_xmalloc(sizeof *L);
    L->p = (const char *)b + start;
    L->end = L->p + hlen;
    L->n = 0;
    int root = parse_value(L, 0);
    int rc = -1;
    if (root < 0 || L->nodes[root].type != N_DICT) { snprintf(err, errlen, "header is not a Python dict literal"); goto out; }
    int d = dict_get(L, root, "descr"), fo = dict_get(L, root, "fortran_order"), sh = dict_get(L, root, "shape");
    if (d < 0 || fo < 0 || sh < 0) { snprintf(err, errlen, "header lacks descr, fortran_order or shape"); goto out; }
    h->fortran_order = L->nodes[fo].type == N_BOOL && L->nodes[fo].i;
    if (L->nodes[d].type == N_STR) {
        char *s = wt_shorten(L->nodes[d].s, L->nodes[d].slen, 100);
        snprintf(h->descr, sizeof h->descr, "%s", s);
        free(s);
    } else {
        snprintf(h->descr, sizeof h->descr, "(structured)");
    }
    uint64_t isz = 0, cnt = 1;
    bool ok = dtype_info(L, d, 0, &isz, &h->object);
    bool sok = shape_count(L, sh, &cnt);
    if (L->nodes[sh].type != N_TUPLE) sok = false;
    h->itemsize = isz;
    h->count = cnt;
    h->size_known = ok && sok && wt_mul_ok(isz, cnt, &h->nbytes);
    rc = 0;
out:
    free(L);
    return rc;
}

#define NPY_HEADER_MAX (1u << 20)

static int npy_analyze(wt_ctx *ctx, wt_reader *r) {
    wt_ctx_set_kind(ctx, "numpy");
    uint64_t size = wt_reader_size(r);
    uint8_t pre[12];
    size_t pl = size < 12 ? (size_t)size : 12;
    if (wt_reader_read_exact(r, 0, pre, pl) != 0) return WT_ERR_IO;
    uint64_t hl = 0;
    if (pl >= 10 && pre[6] == 1) hl = 10 + ((uint64_t)pre[8] | (uint64_t)pre[9] << 8);
    else if (pl >= 12) hl = 12 + ((uint64_t)pre[8] | (uint64_t)pre[9] << 8 | (uint64_t)pre[10] << 16 | (uint64_t)pre[11] << 24);
    if (hl > NPY_HEADER_MAX) {
        wt_emit(ctx, "WT-NPY-002", WT_SEV_NONE, NULL, NULL, ".npy header length %llu is over the %u bytes accepted",
                (unsigned long long)hl, NPY_HEADER_MAX);
        return WT_OK;
    }
    size_t want = hl && hl <= size ? (size_t)hl : (size_t)(size < 4096 ? size : 4096);
    const uint8_t *b = wt_reader_view(r, 0, want);
    if (!b) return WT_ERR_IO;
    wt_npy_header h;
    char err[160];
    if (wt_npy_parse_header(b, want, &h, err, sizeof err) != 0) {
        wt_emit(ctx, "WT-NPY-002", WT_SEV_NONE, NULL, NULL, "malformed .npy header: %s", err);
        return WT_OK;
    }
    if (h.data_offset - (h.major == 1 ? 10 : 12) > 10000) {
        wt_location loc = wt_loc_offset(0);
        wt_emit(ctx, "WT-NPY-002", WT_SEV_LOW, &loc, NULL,
                ".npy header is %llu bytes; np.load refuses headers over 10000 bytes unless told otherwise",
                (unsigned long long)h.data_offset);
    }
    if (h.object) {
        wt_location loc = wt_loc_offset(h.data_offset);
        wt_emit(ctx, "WT-NPY-001", WT_SEV_NONE, &loc, h.descr,
                "object array (dtype %s): loading it needs allow_pickle=True and unpickles the payload", h.descr);
        wt_ctx_set_class(ctx, WT_CLASS_MODEL);
        wt_reader *sub = wt_reader_new_sub(r, h.data_offset, size - h.data_offset);
        /* the pickle's findings give offsets inside it: the name says where it starts */
        char member[40];
        snprintf(member, sizeof member, "pickle@%llu", (unsigned long long)h.data_offset);
        wt_scan_child_as(ctx, member, sub, "pickle");
        wt_reader_unref(sub);
        return WT_OK;
    }
    if (h.size_known) {
        uint64_t have = size - h.data_offset;
        if (have != h.nbytes) {
            wt_location loc = wt_loc_offset(h.data_offset);
            bool extra = have > h.nbytes;
            wt_emit(ctx, "WT-NPY-003", extra ? WT_SEV_MEDIUM : WT_SEV_NONE, &loc, h.descr,
                    "array of %llu x %llu-byte items needs %llu bytes, the file holds %llu after the header%s",
                    (unsigned long long)h.count, (unsigned long long)h.itemsize, (unsigned long long)h.nbytes,
                    (unsigned long long)have, extra ? " (extra bytes are ignored by np.load)" : " (truncated)");
        }
    }
    return WT_OK;
}

static int npy_probe(const char *name, const uint8_t *h, size_t n, uint64_t size) {
    return n >= 8 && memcmp(h, "\x93NUMPY", 6) == 0 ? 95 : 0;
}

const wt_analyzer wt_numpy_analyzer = {
    .name = "numpy",
    .klass = WT_CLASS_MODEL,
    .exclusive = true,
    .probe = npy_probe,
    .analyze = npy_analyze,
    .rules = npy_rules,
    .nrules = sizeof npy_rules / sizeof npy_rules[0],
};
