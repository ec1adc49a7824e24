/*
 * unpack.h - bounded decompression shared by the container analyzers (zip
 * members, joblib, raw gzip/bz2/xz/lzma/zstd streams, tar.gz ...).
 *
 * Owns: codec sniffing by magic bytes, a streaming decompressor that pulls
 * compressed bytes from a wt_reader range and grows an output buffer only as
 * far as somebody asks (so classifying a 2 GB deflated member inflates a few
 * KB), and the bomb policy: output is capped by limits.max_member_size, by
 * limits.max_ratio times the compressed size (once past 1 MiB), and by the
 * top-level budget charged through wt_ctx_charge_unpacked().
 */
#ifndef WT_FORMATS_UNPACK_H
#define WT_FORMATS_UNPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/analyzer.h"
#include "core/reader.h"

typedef enum {
    WT_CODEC_NONE = 0,
    WT_CODEC_DEFLATE_RAW, /* zip method 8 */
    WT_CODEC_ZLIB,        /* zlib header + deflate (joblib "zlib") */
    WT_CODEC_GZIP,
    WT_CODEC_BZIP2,
    WT_CODEC_XZ,
    WT_CODEC_LZMA_ALONE,  /* .lzma "alone" format (joblib "lzma") */
    WT_CODEC_LZMA_ZIP,    /* zip method 14: version, props size, props, raw LZMA1 */
    WT_CODEC_ZSTD,
    WT_CODEC_LZ4,         /* LZ4 frame (our own decoder, lz4.h: the build has no liblz4) */
} wt_codec;

const char *wt_codec_name(wt_codec c);
/* Codec of a stream from its first bytes (gzip, bzip2, xz, zstd, lz4 frame,
 * lzma-alone, zlib), or WT_CODEC_NONE. */
wt_codec wt_codec_sniff(const uint8_t *head, size_t n);
/* Usual file extension of a codec (".gz") or "". */
const char *wt_codec_ext(wt_codec c);

/* Why decompression stopped. */
typedef enum {
    WT_UNPACK_RUNNING = 0,
    WT_UNPACK_END,        /* clean end of stream */
    WT_UNPACK_TRUNCATED,  /* input ran out before the end of stream */
    WT_UNPACK_CORRUPT,    /* decoder error */
    WT_UNPACK_UNSUPPORTED,/* codec not available */
    WT_UNPACK_CAP_MEMBER, /* output reached limits.max_member_size (or the caller's cap) */
    WT_UNPACK_CAP_RATIO,  /* output / input exceeded limits.max_ratio */
    WT_UNPACK_CAP_TOTAL,  /* the top-level unpacked budget is spent */
    WT_UNPACK_EXPIRED,    /* time budget */
} wt_unpack_state;

typedef struct wt_unpacker wt_unpacker;

/* Decompress src[off, off+len) with codec. cap = maximum output the caller
 * wants (0 = limits.max_member_size); the limits are applied on top. */
wt_unpacker *wt_unpacker_new(wt_ctx *ctx, wt_reader *src, uint64_t off, uint64_t len, wt_codec codec,
                             uint64_t cap);
void wt_unpacker_free(wt_unpacker *u);
/* Decompress until at least `want` bytes of output exist or the stream
 * stops. Returns the output length available. */
uint64_t wt_unpacker_fill(wt_unpacker *u, uint64_t want);
/* Decompress everything (bounded). */
uint64_t wt_unpacker_fill_all(wt_unpacker *u);
wt_unpack_state wt_unpacker_state(const wt_unpacker *u);
const char *wt_unpacker_error(const wt_unpacker *u); /* decoder message or "" */
const uint8_t *wt_unpacker_data(const wt_unpacker *u, size_t *len);
/* Compressed bytes consumed so far. */
uint64_t wt_unpacker_consumed(const wt_unpacker *u);
/* Take ownership of the output as a memory reader (unpacker stays valid but
 * empty). */
wt_reader *wt_unpacker_take_reader(wt_unpacker *u);
/* A reader of exactly `size` bytes whose content is decompressed on demand
 * (reads past what the stream yields return short). The reader owns u. */
wt_reader *wt_unpacker_lazy_reader(wt_unpacker *u, uint64_t size);

/* True for the states that mean "a bomb / budget stopped us". */
bool wt_unpack_state_is_cap(wt_unpack_state s);
/* Human text for a state ("ratio limit reached" ...). */
const char *wt_unpack_state_text(wt_unpack_state s);

#endif

/* Make a member name from an archive safe to show and to nest: control
 * bytes (terminal escapes, newlines, NUL) become '?'. In place; returns s. */
char *wt_member_name_clean(char *s);

/* ---- scanning a whole compressed stream ---- */
typedef struct wt_stream_rules {
    const char *bomb;        /* ratio / size limit reached */
    const char *corrupt;     /* truncated or corrupt stream, prefix scanned */
    const char *unscannable; /* nothing could be decoded (unknown codec, garbage) */
} wt_stream_rules;

/* Name for the decompressed content of the current artifact: the basename
 * without its compression extension ("x.tar.gz" -> "x.tar", "m.pkl.xz" ->
 * "m.pkl", "t.tgz" -> "t.tar"), else the basename itself. Caller frees. */
char *wt_unpack_child_name(wt_ctx *ctx, wt_codec codec);
/* Decompress r[off..] with codec within the limits and hand the result to
 * wt_scan_child(); emits the rules' findings on bombs, corruption or an
 * undecodable codec. Returns WT_OK. */
int wt_unpack_scan_stream(wt_ctx *ctx, wt_reader *r, uint64_t off, wt_codec codec, const wt_stream_rules *rules);
