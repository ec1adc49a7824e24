/*
 * tflite.c - TensorFlow Lite flatbuffers (.tflite): custom operators
 * (OperatorCode.custom_code) and TensorFlow ops run through the Flex
 * delegate ("Flex" + TF op name, judged with rules/tf_unsafe_ops.tsv).
 * Every flatbuffer offset is bounds-checked; only the root table, the
 * operator_codes vector and its strings are read.
 */
#include <string.h>

#include "model_formats.h"

#define TFL_MAX_OPCODES 10000
#define BUILTIN_CUSTOM 32

typedef struct fb {
    wt_reader *r;
    uint64_t size;
    bool bad;
} fb;

static bool fb_bytes(fb *f, uint64_t off, void *out, size_t n)
{
    if (off > f->size || f->size - off < n || wt_reader_read_exact(f->r, off, out, n) != 0) {
        f->bad = true;
        return false;
    }
    return true;
}

static uint32_t fb_u32(fb *f, uint64_t off)
{
    uint8_t b[4] = {0};
    fb_bytes(f, off, b, 4);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint16_t fb_u16(fb *f, uint64_t off)
{
    uint8_t b[2] = {0};
    fb_bytes(f, off, b, 2);
    return (uint16_t)(b[0] | b[1] << 8);
}

/* Absolute position of field `idx` of the table at `tbl`, or 0 if absent. */
static uint64_t fb_field(fb *f, uint64_t tbl, unsigned idx)
{
    int32_t so = (int32_t)fb_u32(f, tbl);
    int64_t vt = (int64_t)tbl - so;
    if (f->bad || vt < 0 || (uint64_t)vt >= f->size) {
        f->bad = true;
        return 0;
    }
    uint16_t vtlen = fb_u16(f, (uint64_t)vt);
    if (4 + 2 * idx + 2 > vtlen)
        return 0;
    uint16_t fo = fb_u16(f, (uint64_t)vt + 4 + 2 * idx);
    return fo ? tbl + fo : 0;
}

/* Follow a uoffset at pos. */
static uint64_t fb_deref(fb *f, uint64_t pos)
{
    uint64_t t = pos + fb_u32(f, pos);
    if (t >= f->size)
        f->bad = true;
    return f->bad ? 0 : t;
}

static char *fb_string(fb *f, uint64_t pos)
{
    uint64_t s = fb_deref(f, pos);
    if (!s)
        return NULL;
    uint32_t n = fb_u32(f, s);
    if (f->bad || n > 4096 || n > f->size - s - 4) {
        f->bad = true;
        return NULL;
    }
    char *out = wt_xmalloc(n + 1);
    if (!fb_bytes(f, s + 4, out, n)) {
        free(out);
        return NULL;
    }
    out[n] = 0;
    return out;
}

static int tfl_probe(const char *name, const uint8_t *head, size_t headlen, uint64_t size)
{
    if (headlen >= 8 && memcmp(head + 4, "TFL3", 4) == 0)
        return 95;
    (void)size;
    return wt_str_endswith_ci(name, ".tflite") ? 20 : 0;
}

static int tfl_analyze(wt_ctx *ctx, wt_reader *r)
{
    fb f = {r, wt_reader_size(r), false};
    wt_ctx_set_kind(ctx, "tflite");
    uint8_t ident[4];
    if (f.size < 8 || !fb_bytes(&f, 4, ident, 4) || memcmp(ident, "TFL3", 4) != 0) {
        wt_emit(ctx, "WT-TFLITE-003", WT_SEV_NONE, NULL, NULL, "missing the TFL3 flatbuffer identifier");
        return WT_OK;
    }
    uint64_t root = fb_deref(&f, 0);
    uint64_t ocf = root ? fb_field(&f, root, 1) : 0;
    uint64_t vec = ocf ? fb_deref(&f, ocf) : 0;
    uint32_t n = vec ? fb_u32(&f, vec) : 0;
    if (n > TFL_MAX_OPCODES || (vec && (uint64_t)n * 4 > f.size - vec - 4)) {
        wt_location loc = wt_loc_offset(vec);
        wt_emit(ctx, "WT-TFLITE-003", WT_SEV_NONE, &loc, NULL, "operator_codes vector length %u is out of bounds", n);
        return WT_OK;
    }
    size_t ncustom = 0, nflex = 0;
    for (uint32_t i = 0; i < n && !f.bad; i++) {
        uint64_t tbl = fb_deref(&f, vec + 4 + 4ull * i);
        if (!tbl)
            break;
        uint64_t dpos = fb_field(&f, tbl, 0), cpos = fb_field(&f, tbl, 1), bpos = fb_field(&f, tbl, 3);
        int32_t dep = 0, builtin = 0;
        if (dpos) {
            uint8_t b = 0;
            fb_bytes(&f, dpos, &b, 1);
            dep = (int8_t)b;
        }
        if (bpos)
            builtin = (int32_t)fb_u32(&f, bpos);
        bool custom = builtin == BUILTIN_CUSTOM || (builtin == 0 && dep == BUILTIN_CUSTOM);
        if (!custom && !cpos)
            continue;
        char *code = cpos ? fb_string(&f, cpos) : NULL;
        if (!custom && code && !code[0]) {
            free(code);
            continue;
        }
        wt_location loc = wt_loc_offset(tbl);
        const char *cc = code ? code : "(none)";
        if (strncmp(cc, "Flex", 4) == 0) {
            wt_tf_op_info info;
            if (++nflex > WT_FMT_MAX_FINDINGS_PER_RULE) {
                free(code);
                continue;
            }
            if (wt_tf_op_lookup(cc + 4, strlen(cc + 4), &info))
                wt_emit(ctx, "WT-TFLITE-002", info.severity, &loc, cc,
                        "Flex delegate op %s runs TensorFlow op %s [%s]: %s", cc, cc + 4, info.category, info.reason);
            else
                wt_emit(ctx, "WT-TFLITE-002", WT_SEV_NONE, &loc, cc,
                        "Flex delegate op %s runs the full TensorFlow kernel %s", cc, cc + 4);
        } else if (++ncustom <= WT_FMT_MAX_FINDINGS_PER_RULE) {
            wt_emit(ctx, "WT-TFLITE-001", WT_SEV_NONE, &loc, cc,
                    "custom operator '%s' needs native code registered by the application", cc);
        }
        free(code);
    }
    if (f.bad)
        wt_emit(ctx, "WT-TFLITE-003", WT_SEV_NONE, NULL, NULL, "flatbuffer offsets point outside the file");
    return WT_OK;
}

const wt_analyzer wt_tflite_analyzer = {
    .name = "tflite",
    .klass = WT_CLASS_MODEL,
    .exclusive = true,
    .probe = tfl_probe,
    .analyze = tfl_analyze,
};
