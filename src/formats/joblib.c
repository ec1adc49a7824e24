/*
 * joblib.c - compressed joblib analyzer (see joblib.h).
 */
#include "joblib.h"

#include <string.h>
#include <zlib.h>

#include "core/util.h"
#include "formats/unpack.h"

#define OWASP_ML06 "ML06:2023 AI Supply Chain Attacks"
#define ATLAS_SC "AML.T0010 ML Supply Chain Compromise"

static const wt_rule joblib_rules[] = {
    {"WT-JOBLIB-001", "JoblibUndecodable", WT_CAT_SCAN, WT_SEV_MEDIUM,
     "A compressed joblib file cannot be decoded, so its pickle was not scanned",
     "joblib.load would decompress and unpickle it (lz4 when the lz4 package is installed); content the scanner "
     "cannot see cannot be called safe.",
     "CWE-502", OWASP_ML06, ATLAS_SC, "MANAGE 2.3"},
    {"WT-JOBLIB-002", "JoblibBomb", WT_CAT_MODEL, WT_SEV_HIGH,
     "A compressed joblib file exceeds the compression ratio limit",
     "A decompression bomb exhausts the memory of whoever loads it; only the prefix within the limits is scanned.",
     "CWE-409", OWASP_ML06, ATLAS_SC, "MANAGE 2.3"},
    {"WT-JOBLIB-003", "JoblibCorruptStream", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "A compressed joblib stream is truncated or corrupt",
     "joblib decompresses while unpickling, so opcodes before the damage still run; the decoded prefix is scanned.",
     "CWE-20", OWASP_ML06, ATLAS_SC, "MANAGE 2.3"},
};

static const wt_stream_rules joblib_stream_rules = {"WT-JOBLIB-002", "WT-JOBLIB-003", "WT-JOBLIB-001"};

/* joblib < 0.10: "ZF" + hex(len) left-justified to 19 chars, optional
 * space, then a zlib stream. */
#define ZF_HEADER 21

static bool is_zfile(const uint8_t *h, size_t n) {
    if (n < ZF_HEADER + 2 || h[0] != 'Z' || h[1] != 'F' || h[2] != '0' || h[3] != 'x') return false;
    for (size_t i = 4; i < ZF_HEADER; i++) {
        uint8_t c = h[i];
        if (!(c == ' ' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == 'L'))
            return false;
    }
    return true;
}

/* A zlib header is only 2 bytes with a 1/31 check: confirm by inflating the
 * bytes we were shown. */
static bool zlib_inflates(const uint8_t *h, size_t n) {
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15) != Z_OK) return false;
    uint8_t out[1024];
    z.next_in = (Bytef *)h;
    z.avail_in = (uInt)n;
    bool ok = false;
    for (int i = 0; i < 64; i++) {
        z.next_out = out;
        z.avail_out = sizeof out;
        int rc = inflate(&z, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) { ok = z.total_out > 0; break; }
        if (rc != Z_OK) { ok = rc == Z_BUF_ERROR && z.total_out > 0; break; }
        if (z.avail_in == 0) { ok = z.total_out > 0; break; }
    }
    inflateEnd(&z);
    return ok;
}

static int joblib_probe(const char *name, const uint8_t *h, size_t n, uint64_t size) {
    if (is_zfile(h, n)) return 90;
    wt_codec c = wt_codec_sniff(h, n);
    if (c == WT_CODEC_LZ4) return 80;
    if (c == WT_CODEC_ZLIB && zlib_inflates(h, n)) return 60;
    return 0;
}

static int joblib_analyze(wt_ctx *ctx, wt_reader *r) {
    uint8_t h[ZF_HEADER + 2];
    uint64_t size = wt_reader_size(r);
    size_t hl = size < sizeof h ? (size_t)size : sizeof h;
    if (wt_reader_read_exact(r, 0, h, hl) != 0) return WT_ERR_IO;
    uint64_t off = 0;
    wt_codec c;
    const char *kind;
    if (is_zfile(h, hl)) {
        off = ZF_HEADER;
        if (h[ZF_HEADER] == ' ') off++;
        c = WT_CODEC_ZLIB;
        kind = "joblib-zfile";
    } else {
        c = wt_codec_sniff(h, hl);
        kind = c == WT_CODEC_LZ4 ? "joblib-lz4" : "joblib-zlib";
    }
    wt_ctx_set_kind(ctx, kind);
    /* The decoded pickle's analyzer marks the artifact as a model; an lz4
     * frame that does not decode gets its own finding, so the core's generic
     * one for model names would only repeat it. */
    if (c == WT_CODEC_LZ4 && wt_is_model_extension(wt_ctx_name(ctx))) wt_ctx_set_class(ctx, WT_CLASS_MODEL);
    return wt_unpack_scan_stream(ctx, r, off, c, &joblib_stream_rules);
}

const wt_analyzer wt_joblib_analyzer = {
    .name = "joblib",
    .klass = WT_CLASS_OTHER,
    .exclusive = true,
    .probe = joblib_probe,
    .analyze = joblib_analyze,
    .rules = joblib_rules,
    .nrules = sizeof joblib_rules / sizeof joblib_rules[0],
};
