/*
 * safetensors.c - full validation of a safetensors header, the way the
 * reference (Rust) loader checks it: 8-byte little-endian header length
 * (at most 100 MB, inside the file), a UTF-8 JSON object, every tensor with
 * a known dtype, a shape whose byte size equals its data_offsets range, the
 * ranges sorted, contiguous from 0 without gaps or overlaps and ending
 * exactly at the end of the file, and __metadata__ a string->string map.
 * Duplicate keys are reported (two JSON parsers may disagree). Only the
 * header is read. A valid file is clean and its kind says so.
 */
#include <jansson.h>
#include <string.h>

#include "model_formats.h"

#define ST_MAX_HEADER 100000000ull
#define ST_MAX_ISSUES 50

static const struct { const char *name; unsigned bits; } dtypes[] = {
    {"BOOL", 8}, {"U8", 8}, {"I8", 8}, {"F8_E5M2", 8}, {"F8_E4M3", 8}, {"F8_E8M0", 8}, {"I16", 16},
    {"U16", 16}, {"F16", 16}, {"BF16", 16}, {"I32", 32}, {"U32", 32}, {"F32", 32}, {"F64", 64},
    {"I64", 64}, {"U64", 64}, {"C64", 64}, {"F4", 4}, {"F6_E2M3", 6}, {"F6_E3M2", 6},
};

static void issue(wt_st_result *res, const char *rule, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void issue(wt_st_result *res, const char *rule, const char *fmt, ...)
{
    if (res->nissues >= ST_MAX_ISSUES)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *m = wt_xvasprintf(fmt, ap);
    va_end(ap);
    res->issues = wt_xrealloc(res->issues, (res->nissues + 1) * sizeof *res->issues);
    res->issues[res->nissues].rule = rule;
    res->issues[res->nissues].message = m;
    res->nissues++;
}

void wt_st_result_fini(wt_st_result *res)
{
    for (size_t i = 0; i < res->nissues; i++)
        free(res->issues[i].message);
    free(res->issues);
    memset(res, 0, sizeof *res);
}

typedef struct st_range {
    uint64_t begin, end;
    const char *name;
} st_range;

static int cmp_range(const void *a, const void *b)
{
    const st_range *x = a, *y = b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return 0;
}

static bool get_u64(json_t *v, uint64_t *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return false;
    *out = (uint64_t)json_integer_value(v);
    return true;
}

void wt_safetensors_validate(const char *hdr, size_t hlen, uint64_t data_len, wt_st_result *res)
{
    memset(res, 0, sizeof *res);
    if (hlen == 0 || hdr[0] != '{') {
        issue(res, "WT-SAFETENSORS-001", "header does not start with '{'");
        return;
    }
    json_error_t jerr;
    json_t *root = json_loadb(hdr, hlen, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        root = json_loadb(hdr, hlen, 0, &jerr);
        if (root)
            issue(res, "WT-SAFETENSORS-004", "header repeats a key; parsers may keep different entries");
    }
    if (!root) {
        issue(res, "WT-SAFETENSORS-001", "header is not valid UTF-8 JSON: %s (byte %d)", jerr.text, jerr.position);
        return;
    }
    if (!json_is_object(root)) {
        issue(res, "WT-SAFETENSORS-001", "header is not a JSON object");
        json_decref(root);
        return;
    }
    size_t n = json_object_size(root);
    st_range *rg = wt_xcalloc(n ? n : 1, sizeof *rg);
    size_t nr = 0;
    const char *key;
    json_t *val;
    json_object_foreach(root, key, val) {
        if (strcmp(key, "__metadata__") == 0) {
            if (!json_is_object(val)) {
                issue(res, "WT-SAFETENSORS-003", "__metadata__ is not an object");
                continue;
            }
            const char *mk;
            json_t *mv;
            json_object_foreach(val, mk, mv) {
                if (!json_is_string(mv)) {
                    issue(res, "WT-SAFETENSORS-003", "__metadata__ value '%.64s' is not a string", mk);
                    break;
                }
            }
            continue;
        }
        if (!json_is_object(val)) {
            issue(res, "WT-SAFETENSORS-002", "tensor '%.64s' entry is not an object", key);
            continue;
        }
        json_t *dt = json_object_get(val, "dtype"), *shape = json_object_get(val, "shape"),
               *offs = json_object_get(val, "data_offsets");
        unsigned bits = 0;
        if (json_is_string(dt))
            for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++)
                if (strcmp(dtypes[i].name, json_string_value(dt)) == 0)
                    bits = dtypes[i].bits;
        if (!bits) {
            issue(res, "WT-SAFETENSORS-002", "tensor '%.64s' has unknown dtype %.32s", key,
                  json_is_string(dt) ? json_string_value(dt) : "(missing)");
            continue;
        }
        if (!json_is_array(shape) || json_array_size(shape) > 64) {
            issue(res, "WT-SAFETENSORS-002", "tensor '%.64s' has no valid shape", key);
            continue;
        }
        uint64_t numel = 1;
        bool ok = true;
        size_t i;
        json_t *d;
        json_array_foreach(shape, i, d) {
            uint64_t v;
            if (!get_u64(d, &v) || !wt_mul_ok(numel, v, &numel))
                ok = false;
        }
        uint64_t b = 0, e = 0, nbits = 0;
        if (!ok || !wt_mul_ok(numel, bits, &nbits)) {
            issue(res, "WT-SAFETENSORS-002", "tensor '%.64s' shape is invalid or overflows", key);
            continue;
        }
        if (!json_is_array(offs) || json_array_size(offs) != 2 || !get_u64(json_array_get(offs, 0), &b) ||
            !get_u64(json_array_get(offs, 1), &e) || e < b) {
            issue(res, "WT-SAFETENSORS-002", "tensor '%.64s' has invalid data_offsets", key);
            continue;
        }
        if (nbits % 8 != 0 || nbits / 8 != e - b) {
            issue(res, "WT-SAFETENSORS-002",
                  "tensor '%.64s' byte range [%llu, %llu) does not match %s x %llu elements", key,
                  (unsigned long long)b, (unsigned long long)e, json_string_value(dt), (unsigned long long)numel);
            continue;
        }
        rg[nr].begin = b;
        rg[nr].end = e;
        rg[nr].name = key;
        nr++;
    }
    qsort(rg, nr, sizeof *rg, cmp_range);
    uint64_t expect = 0;
    for (size_t i = 0; i < nr; i++) {
        if (rg[i].begin > expect)
            issue(res, "WT-SAFETENSORS-002", "gap of %llu bytes before tensor '%.64s'",
                  (unsigned long long)(rg[i].begin - expect), rg[i].name);
        else if (rg[i].begin < expect)
            issue(res, "WT-SAFETENSORS-002", "tensor '%.64s' overlaps the previous tensor", rg[i].name);
        if (rg[i].end > data_len)
            issue(res, "WT-SAFETENSORS-002", "tensor '%.64s' ends at %llu, beyond the data section (%llu bytes)",
                  rg[i].name, (unsigned long long)rg[i].end, (unsigned long long)data_len);
        if (rg[i].end > expect)
            expect = rg[i].end;
    }
    if (expect < data_len && res->nissues == 0)
        issue(res, "WT-SAFETENSORS-002", "%llu trailing bytes after the last tensor are not described by the header",
              (unsigned long long)(data_len - expect));
    res->ntensors = nr;
    res->data_bytes = expect;
    free(rg);
    json_decref(root);
}

static int st_probe(const char *name, const uint8_t *head, size_t headlen, uint64_t size)
{
    bool ext = wt_str_endswith_ci(name, ".safetensors");
    if (headlen >= 10 && size >= 10) {
        uint64_t n = 0;
        for (int i = 7; i >= 0; i--)
            n = (n << 8) | head[i];
        if (n >= 2 && n <= size - 8 && head[8] == '{' && (head[9] == '"' || head[9] == '}' || head[9] == ' '))
            return 95;
    }
    return ext ? 20 : 0; /* name only: any content probe wins */
}

static int st_analyze(wt_ctx *ctx, wt_reader *r)
{
    uint64_t size = wt_reader_size(r);
    uint8_t lenb[8];
    wt_ctx_set_kind(ctx, "safetensors");
    if (size < 8 || wt_reader_read_exact(r, 0, lenb, 8) != 0) {
        wt_emit(ctx, "WT-SAFETENSORS-001", WT_SEV_NONE, NULL, NULL, "file is shorter than the 8-byte header length");
        return WT_OK;
    }
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--)
        n = (n << 8) | lenb[i];
    char ev[32];
    snprintf(ev, sizeof ev, "%llu", (unsigned long long)n);
    if (n > ST_MAX_HEADER) {
        wt_location loc = wt_loc_offset(0);
        wt_emit(ctx, "WT-SAFETENSORS-001", WT_SEV_NONE, &loc, ev, "header length %llu exceeds the 100 MB limit",
                (unsigned long long)n);
        return WT_OK;
    }
    if (n > size - 8) {
        wt_location loc = wt_loc_offset(0);
        wt_emit(ctx, "WT-SAFETENSORS-001", WT_SEV_NONE, &loc, ev,
                "header length %llu is beyond the end of the file (%llu bytes)", (unsigned long long)n,
                (unsigned long long)size);
        return WT_OK;
    }
    const uint8_t *h = wt_reader_view(r, 8, (size_t)n);
    if (!h && n) {
        wt_emit_error(ctx, "cannot read safetensors header");
        return WT_OK;
    }
    wt_st_result res;
    wt_safetensors_validate((const char *)h, (size_t)n, size - 8 - n, &res);
    for (size_t i = 0; i < res.nissues; i++) {
        wt_location loc = wt_loc_offset(8);
        wt_emit(ctx, res.issues[i].rule, WT_SEV_NONE, &loc, NULL, "%s", res.issues[i].message);
    }
    if (res.nissues == 0) {
        wt_ctx_set_kind(ctx, "safetensors (validated)");
    }
    wt_st_result_fini(&res);
    return WT_OK;
}

const wt_analyzer wt_safetensors_analyzer = {
    .name = "safetensors",
    .klass = WT_CLASS_MODEL,
    .exclusive = true,
    .probe = st_probe,
    .analyze = st_analyze,
};
