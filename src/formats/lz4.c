/*
 * lz4.c - the LZ4 frame codec of the unpacker (see lz4.h), on liblz4's
 * streaming frame API (LZ4F_decompress): it verifies header, block and
 * content checksums, handles linked and independent blocks, skippable and
 * concatenated frames, and keeps its memory to one block (at most 4 MiB)
 * whatever the input claims.
 */
#include "lz4.h"

#include <lz4frame.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/util.h"

struct wt_lz4 {
    LZ4F_dctx *ctx;
    char err[128];
};

wt_lz4 *wt_lz4_new(void) {
    wt_lz4 *d = wt_xcalloc(1, sizeof *d);
    if (LZ4F_isError(LZ4F_createDecompressionContext(&d->ctx, LZ4F_VERSION))) d->ctx = NULL;
    return d;
}

void wt_lz4_free(wt_lz4 *d) {
    if (!d) return;
    if (d->ctx) LZ4F_freeDecompressionContext(d->ctx);
    free(d);
}

const char *wt_lz4_error(const wt_lz4 *d) { return d->err; }

wt_lz4_status wt_lz4_step(wt_lz4 *d, const uint8_t *in, size_t in_len, size_t *used, uint8_t *out, size_t room,
                          size_t *produced) {
    *used = 0;
    *produced = 0;
    if (!d->ctx) {
        snprintf(d->err, sizeof d->err, "lz4: cannot create a decompression context");
        return WT_LZ4_ERROR;
    }
    size_t src = in_len, dst = room;
    LZ4F_decompressOptions_t opt = {0};
    size_t rc = LZ4F_decompress(d->ctx, out, &dst, in, &src, &opt);
    *used = src;
    *produced = dst;
    if (LZ4F_isError(rc)) {
        snprintf(d->err, sizeof d->err, "lz4: %s", LZ4F_getErrorName(rc));
        return WT_LZ4_ERROR;
    }
    /* 0: a frame (or skippable frame) ended and all its output was given;
     * the context is ready for a following concatenated frame */
    return rc == 0 ? WT_LZ4_END : WT_LZ4_MORE;
}
