/*
 * torch.c - PyTorch checkpoint awareness (see torch.h).
 */
#include "torch.h"

#include <ctype.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

#define OWASP_ML06 "ML06:2023 AI Supply Chain Attacks"
#define ATLAS_SC "AML.T0010 ML Supply Chain Compromise"

const wt_rule wt_torch_rules[] = {
    {"WT-TORCH-001", "TorchOddLayout", WT_CAT_MODEL, WT_SEV_LOW,
     "A PyTorch zip checkpoint has an unusual layout (data.pkl outside the archive folder, several data.pkl)",
     "torch.load only unpickles <folder of the first member>/data.pkl; other pickles are invisible to torch but "
     "may be loaded by other tools, and torch.save never writes them. All are scanned; the oddity alone is low.",
     "CWE-20", OWASP_ML06, ATLAS_SC, "MANAGE 2.3"},
    {"WT-TORCH-002", "TorchLegacyStreamMalformed", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "A legacy PyTorch file (non-zip stream, or tar storages/tensors records) does not have the shape torch reads",
     "torch's legacy loader unpickles magic, protocol, sys_info, the object and the storage keys in a row (tar "
     "layout: a count and one pickle per record between raw data); unparseable data where a pickle should be is "
     "crafted (medium); a file that merely ends early or raw data that does not match its record is damaged "
     "(low). What could not be delimited is scanned as one stream.",
     "CWE-20", OWASP_ML06, ATLAS_SC, "MANAGE 2.3"},
};
const size_t wt_torch_nrules = sizeof wt_torch_rules / sizeof wt_torch_rules[0];

void wt_torch_zip_layout(const char *const *names, size_t n, wt_torch_layout *out) {
    memset(out, 0, sizeof *out);
    if (!n) return;
    /* torch: archive name = first member's name up to its first '/' */
    const char *slash = strchr(names[0], '/');
    if (!slash || (size_t)(slash - names[0]) >= sizeof out->top) return;
    size_t tl = (size_t)(slash - names[0]);
    memcpy(out->top, names[0], tl);
    out->top[tl] = 0;
    for (size_t i = 0; i < n; i++) {
        const char *nm = names[i];
        const char *base = strrchr(nm, '/');
        base = base ? base + 1 : nm;
        bool in_top = strncmp(nm, out->top, tl) == 0 && nm[tl] == '/';
        if (strcasecmp(base, "data.pkl") == 0) {
            out->ndata_pkl++;
            /* miniz looks names up case-insensitively */
            if (in_top && strcasecmp(nm + tl + 1, "data.pkl") == 0) out->is_torch = true;
            else out->data_pkl_elsewhere = true;
        }
        if (in_top && (strcmp(nm + tl + 1, "constants.pkl") == 0 || strncmp(nm + tl + 1, "code/", 5) == 0))
            out->is_torchscript = true;
    }
    if (!out->is_torch) out->is_torchscript = false;
}

bool wt_torch_is_storage_member(const wt_torch_layout *l, const char *name) {
    if (!l->is_torch) return false;
    size_t tl = strlen(l->top);
    if (strncmp(name, l->top, tl) != 0 || strncmp(name + tl, "/data/", 6) != 0) return false;
    const char *d = name + tl + 6;
    if (!*d) return false;
    for (; *d; d++)
        if (!isdigit((unsigned char)*d)) return false;
    return true;
}

bool wt_torch_is_metadata_member(const wt_torch_layout *l, const char *name) {
    static const char *const meta[] = {"byteorder", "version", ".data/version", ".data/serialization_id",
                                       ".format_version", ".storage_alignment", NULL};
    if (!l->is_torch) return false;
    size_t tl = strlen(l->top);
    if (strncmp(name, l->top, tl) != 0 || name[tl] != '/') return false;
    for (int i = 0; meta[i]; i++)
        if (strcmp(name + tl + 1, meta[i]) == 0) return true;
    return false;
}

bool wt_torch_is_loaded_pickle(const wt_torch_layout *l, const char *name) {
    if (!l->is_torch) return false;
    size_t tl = strlen(l->top);
    if (strncmp(name, l->top, tl) != 0 || name[tl] != '/') return false;
    return strcasecmp(name + tl + 1, "data.pkl") == 0 ||
           (l->is_torchscript && strcmp(name + tl + 1, "constants.pkl") == 0);
}

void wt_torch_zip_report(wt_ctx *ctx, const wt_torch_layout *l) {
    if (!l->is_torch) return;
    if (l->data_pkl_elsewhere || l->ndata_pkl > 1)
        wt_emit(ctx, "WT-TORCH-001", WT_SEV_NONE, NULL, NULL,
                "PyTorch checkpoint holds %zu data.pkl members; torch loads only %s/data.pkl (all are scanned)",
                l->ndata_pkl, l->top);
}

/* ---- pickle opcode walker (lengths only) ---- */
static bool skip_line(const uint8_t *b, size_t len, size_t *p) {
    const uint8_t *nl = memchr(b + *p, '\n', len - *p);
    if (!nl) return false;
    *p = (size_t)(nl - b) + 1;
    return true;
}

static bool skip_n(size_t len, size_t *p, uint64_t n) {
    if (n > len - *p) return false;
    *p += (size_t)n;
    return true;
}

static uint64_t le(const uint8_t *b, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v |= (uint64_t)b[i] << (8 * i);
    return v;
}

size_t wt_pickle_span(const uint8_t *b, size_t len) {
    size_t p = 0;
    while (p < len) {
        uint8_t op = b[p++];
        int fixed = -1, lenbytes = 0, lines = 0;
        switch (op) {
        case '.': return p;
        case 'N': case 0x88: case 0x89: case '(': case ')': case ']': case '}': case 0x8f: case 0x90: case 0x91:
        case 0x92: case 0x93: case 0x94: case 0x97: case 0x98: case 'a': case 'e': case 'l': case 't': case 0x85:
        case 0x86: case 0x87: case 'd': case 's': case 'u': case '0': case '1': case '2': case 'R': case 'b':
        case 'o': case 0x81: case 'Q':
            fixed = 0; break;
        case 'K': case 'U': case 0x8c: case 'C': case 'q': case 'h': case 0x80: case 0x82: case 0x8a:
            if (op == 'U' || op == 0x8c || op == 'C' || op == 0x8a) lenbytes = 1; else fixed = 1;
            break;
        case 'M': case 0x83: fixed = 2; break;
        case 'J': case 'r': case 'j': case 0x84: fixed = 4; break;
        case 'G': case 0x95: fixed = 8; break;
        case 'T': case 'X': case 'B': case 0x8b: lenbytes = 4; break;
        case 0x8d: case 0x8e: case 0x96: lenbytes = 8; break;
        case 'I': case 'L': case 'F': case 'S': case 'V': case 'p': case 'g': case 'P': lines = 1; break;
        case 'c': case 'i': lines = 2; break;
        default: return 0;
        }
        if (fixed >= 0 && !skip_n(len, &p, (uint64_t)fixed)) return 0;
        if (lenbytes) {
            if ((size_t)lenbytes > len - p) return 0;
            uint64_t n = le(b + p, lenbytes);
            p += (size_t)lenbytes;
            if (!skip_n(len, &p, n)) return 0;
        }
        for (int i = 0; i < lines; i++)
            if (!skip_line(b, len, &p)) return 0;
    }
    return 0;
}

/* ---- legacy tar: storages / tensors records ---- */
static const struct { const char *name; unsigned size; } storage_types[] = {
    {"ComplexDoubleStorage", 16}, {"ComplexFloatStorage", 8}, {"BFloat16Storage", 2}, {"DoubleStorage", 8},
    {"FloatStorage", 4}, {"HalfStorage", 2}, {"LongStorage", 8}, {"IntStorage", 4}, {"ShortStorage", 2},
    {"CharStorage", 1}, {"ByteStorage", 1}, {"BoolStorage", 1}, {"QUInt4x2Storage", 1}, {"QUInt2x4Storage", 1},
    {"QUInt8Storage", 1}, {"QInt8Storage", 1}, {"QInt32Storage", 4}};

/* Element size of the storage type a record pickle names, or 0. */
static unsigned record_element_size(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < sizeof storage_types / sizeof storage_types[0]; i++)
        if (memmem(p, n, storage_types[i].name, strlen(storage_types[i].name))) return storage_types[i].size;
    return 0;
}

#define RECORD_VIEW (1u << 20)
#define RECORD_VIEW_SMALL (16u << 10)

/* Length of the pickle at off (bounded view), 0 if it cannot be delimited.
 * Records are tiny: a small view first, so that many records do not each
 * view (and, off an unmapped reader, copy) a whole megabyte. */
static size_t span_at(wt_reader *r, uint64_t off, uint64_t end, const uint8_t **view) {
    size_t span = 0;
    for (size_t lim = RECORD_VIEW_SMALL;; lim = RECORD_VIEW) {
        size_t vl = end - off > lim ? lim : (size_t)(end - off);
        const uint8_t *v = vl ? wt_reader_view(r, off, vl) : NULL;
        *view = v;
        span = v ? wt_pickle_span(v, vl) : 0;
        if (span || !v || vl < lim || lim == RECORD_VIEW) return span;
    }
}

static void scan_pickle_range(wt_ctx *ctx, wt_reader *r, uint64_t off, uint64_t len, const char *name) {
    wt_reader *sub = wt_reader_new_sub(r, off, len);
    if (wt_analyzer_by_name("pickle")) wt_scan_child_as(ctx, name, sub, "pickle");
    else wt_scan_child(ctx, name, sub);
    wt_reader_unref(sub);
}

void wt_torch_legacy_records(wt_ctx *ctx, wt_reader *r, uint64_t off, uint64_t size, const char *member,
                             bool storages) {
    const wt_limits *lim = wt_ctx_limits(ctx);
    uint64_t end = off + size, pos = off;
    const uint8_t *v;
    size_t span = span_at(r, pos, end, &v);
    char *name = wt_xasprintf("%s[count]", member);
    if (!span) {
        scan_pickle_range(ctx, r, pos, size, name);
        free(name);
        wt_location loc = wt_loc_offset(pos);
        wt_emit(ctx, "WT-TORCH-002", WT_SEV_NONE, &loc, member,
                "legacy PyTorch %s member does not start with a pickle; scanned as one stream", member);
        return;
    }
    scan_pickle_range(ctx, r, pos, span, name);
    free(name);
    pos += span;
    for (uint64_t i = 0; pos < end && !wt_ctx_expired(ctx); i++) {
        if (lim->max_members && i >= lim->max_members) {
            wt_emit_limit(ctx, "legacy PyTorch records", i + 1, lim->max_members);
            return;
        }
        span = span_at(r, pos, end, &v);
        name = wt_xasprintf("%s[%llu]", member, (unsigned long long)i);
        if (!span) {
            /* torch would unpickle from here: scan the rest as one stream */
            scan_pickle_range(ctx, r, pos, end - pos, name);
            free(name);
            wt_location loc = wt_loc_offset(pos);
            wt_emit(ctx, "WT-TORCH-002", WT_SEV_NONE, &loc, member,
                    "legacy PyTorch %s record %llu is not a well-formed pickle; the rest was scanned as one stream",
                    member, (unsigned long long)i);
            return;
        }
        unsigned elsize = storages ? record_element_size(v, span) : 1;
        scan_pickle_range(ctx, r, pos, span, name);
        free(name);
        pos += span;
        /* the raw data after the record: only its length is read */
        uint8_t h[8];
        uint64_t skip;
        if (storages) {
            if (!elsize || end - pos < 8 || wt_reader_read_exact(r, pos, h, 8) != 0) break;
            uint64_t n = le(h, 8), bytes;
            if (!wt_mul_ok(n, elsize, &bytes) || !wt_add_ok(bytes, 8, &skip)) break;
        } else {
            if (end - pos < 4 || wt_reader_read_exact(r, pos, h, 4) != 0) break;
            uint64_t ndim = le(h, 4);
            if (ndim > 64) break;
            skip = 4 + 4 + 16 * ndim + 8;
        }
        if (skip > end - pos) break;
        pos += skip;
        if (pos == end) return;
    }
    if (pos < end && !wt_ctx_expired(ctx)) {
        wt_location loc = wt_loc_offset(pos);
        wt_emit(ctx, "WT-TORCH-002", WT_SEV_LOW, &loc, member,
                "legacy PyTorch %s member: the raw data after a record does not match its description "
                "(unknown storage type or truncated); %llu bytes were not parsed", member,
                (unsigned long long)(end - pos));
    }
}

/* ---- legacy non-zip stream ---- */
static const uint8_t legacy_magic[] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9,
                                       0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e};

static int legacy_probe(const char *name, const uint8_t *h, size_t n, uint64_t size) {
    /* protocol 2 pickle of torch's legacy magic number 0x1950a86a20f9469cfc6c */
    return n >= sizeof legacy_magic && memcmp(h, legacy_magic, sizeof legacy_magic) == 0 ? 95 : 0;
}

#define LEGACY_MAX (256u << 20)

static int legacy_analyze(wt_ctx *ctx, wt_reader *r) {
    wt_ctx_set_kind(ctx, "pytorch-legacy");
    wt_ctx_set_class(ctx, WT_CLASS_MODEL);
    uint64_t size = wt_reader_size(r);
    /* Find the end of the 5th pickle, growing the window as needed: the raw
     * storages after it are never read. */
    uint64_t win = size < 65536 ? size : 65536, end = 0;
    int found = 0;
    for (;;) {
        const uint8_t *v = wt_reader_view(r, 0, (size_t)win);
        if (!v) break;
        uint64_t p = 0;
        found = 0;
        while (found < 5) {
            size_t s = wt_pickle_span(v + p, (size_t)(win - p));
            if (!s) break;
            p += s;
            found++;
        }
        end = p;
        if (found == 5 || win >= size || win >= LEGACY_MAX || wt_ctx_expired(ctx)) break;
        win = win * 4 > size ? size : win * 4;
        if (win > LEGACY_MAX) win = LEGACY_MAX;
    }
    wt_reader *sub;
    if (found == 5) {
        sub = wt_reader_new_sub(r, 0, end);
    } else {
        wt_location loc = wt_loc_offset(end);
        /* Ending cleanly after fewer pickles is damage (torch fails after
         * unpickling the object); anything else after them is crafted. */
        bool clean_eof = found > 0 && end == size;
        wt_emit(ctx, "WT-TORCH-002", clean_eof ? WT_SEV_LOW : WT_SEV_NONE, &loc, NULL,
                "legacy PyTorch stream: %s after %d of the 5 pickles torch reads; the whole stream is scanned",
                clean_eof ? "the file ends" : "unparseable data follows", found);
        sub = wt_reader_ref(r);
    }
    wt_scan_child_as(ctx, "pickles", sub, "pickle");
    wt_reader_unref(sub);
    return WT_OK;
}

const wt_analyzer wt_torch_legacy_analyzer = {
    .name = "torch-legacy",
    .klass = WT_CLASS_MODEL,
    .exclusive = true,
    .probe = legacy_probe,
    .analyze = legacy_analyze,
    .rules = wt_torch_rules,
    .nrules = sizeof wt_torch_rules / sizeof wt_torch_rules[0],
};
