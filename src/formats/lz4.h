/*
 * lz4.h - the unpacker's LZ4 frame codec, on liblz4's frame API.
 * joblib's compress=('lz4', n) writes one LZ4 frame (lz4.frame), which
 * joblib.load decompresses before unpickling; the unpacker (unpack.c)
 * drives this decoder like its zlib/xz/zstd ones.
 *
 * Owns: driving LZ4F_decompress in steps like the zlib/xz/zstd codecs, and
 * turning its errors into messages. Memory is one block (at most 4 MiB).
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

#endif
