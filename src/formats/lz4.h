/*
 * lz4.h - a bounded, streaming LZ4 frame decoder (our own code: the build has
 * no liblz4). joblib's compress=('lz4', n) writes one LZ4 frame (lz4.frame),
 * which joblib.load decompresses before unpickling; the unpacker (unpack.c)
 * drives this decoder like its zlib/xz/zstd ones.
 *
 * Owns: frame header parsing (version 1, block sizes 64 KiB..4 MiB, optional
 * content size, block and content checksums skipped, dictionary IDs refused),
 * raw and compressed blocks, linked blocks (matches reaching up to 64 KiB into
 * earlier blocks), skippable frames, and concatenated frames. Every length is
 * checked against the block and the window; memory is one block plus 64 KiB.
 */
#ifndef WT_FORMATS_LZ4_H
#define WT_FORMATS_LZ4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct wt_lz4 wt_lz4;

wt_lz4 *wt_lz4_new(void);
void wt_lz4_free(wt_lz4 *d);

typedef enum {
    WT_LZ4_MORE = 0, /* needs more input or more output room */
    WT_LZ4_END,      /* a frame ended (and its output was all delivered) */
    WT_LZ4_ERROR,    /* corrupt stream; wt_lz4_error() says why */
} wt_lz4_status;

/* Consume from in[0..in_len) and write to out[0..room). *used / *produced
 * say how much; call again with the rest. After WT_LZ4_END, further input
 * starts a new frame (concatenated frames). */
wt_lz4_status wt_lz4_step(wt_lz4 *d, const uint8_t *in, size_t in_len, size_t *used, uint8_t *out, size_t room,
                          size_t *produced);
const char *wt_lz4_error(const wt_lz4 *d);
/* True when the decoder sits at a frame boundary (nothing half-read). */
bool wt_lz4_at_boundary(const wt_lz4 *d);

#endif
