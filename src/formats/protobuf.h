/*
 * protobuf.h - a bounded protobuf wire-format walker.
 *
 * Owns: iterating the fields of one serialized message without a schema.
 * Never allocates; every length is checked against the buffer. Nested
 * messages are walked by calling wt_pb_init on a field's bytes. Used by the
 * SavedModel, ONNX, Paddle and keras_metadata.pb analyzers.
 */
#ifndef WT_FORMATS_PROTOBUF_H
#define WT_FORMATS_PROTOBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { WT_PB_VARINT = 0, WT_PB_I64 = 1, WT_PB_LEN = 2, WT_PB_SGROUP = 3, WT_PB_EGROUP = 4, WT_PB_I32 = 5 };

typedef struct wt_pb {
    const uint8_t *p;
    size_t len;
    size_t pos;
    bool error;        /* set once a malformed field was met */
} wt_pb;

typedef struct wt_pb_field {
    uint32_t num;
    int wire;
    uint64_t v;         /* varint / fixed value */
    const uint8_t *data; /* WT_PB_LEN payload (and group body) */
    size_t len;
    size_t off;         /* offset of the field's tag in the walked buffer */
} wt_pb_field;

void wt_pb_init(wt_pb *pb, const uint8_t *p, size_t len);
/* 1 = a field was read into *f, 0 = clean end, -1 = malformed (pb->error). */
int wt_pb_next(wt_pb *pb, wt_pb_field *f);
/* Decode one varint at p[*pos..len); false on truncation/overlong. */
bool wt_pb_varint(const uint8_t *p, size_t len, size_t *pos, uint64_t *out);
/* Heuristic: bytes parse cleanly as a message of at most max_fields fields
 * whose numbers are all <= max_num (0 = any). Used by content probes. */
bool wt_pb_looks_like_message(const uint8_t *p, size_t len, int max_fields, uint32_t max_num);
/* First LEN field with this number, or false. */
bool wt_pb_find(const uint8_t *p, size_t len, uint32_t num, wt_pb_field *out);

#endif

/* ---- the same walk over a wt_reader, reading only tags, lengths and the
 * payloads asked for (large fields such as tensor raw_data are skipped
 * without being read). A small window cache is shared by nested walks. ---- */
struct wt_reader;
typedef struct wt_pbr_src {
    struct wt_reader *r;
    uint64_t size;
    uint8_t win[2048];
    uint64_t woff;
    size_t wlen;
} wt_pbr_src;

typedef struct wt_pbr {
    wt_pbr_src *src;
    uint64_t pos, end;
    bool error;
} wt_pbr;

typedef struct wt_pbr_field {
    uint32_t num;
    int wire;
    uint64_t v;       /* varint / fixed value */
    uint64_t off;     /* payload offset (WT_PB_LEN / group body) */
    uint64_t len;     /* payload length */
    uint64_t tag_off; /* offset of the tag */
} wt_pbr_field;

void wt_pbr_src_init(wt_pbr_src *s, struct wt_reader *r);
void wt_pbr_init(wt_pbr *pb, wt_pbr_src *src, uint64_t off, uint64_t len);
/* 1 = field read, 0 = clean end, -1 = malformed (pb->error). */
int wt_pbr_next(wt_pbr *pb, wt_pbr_field *f);
/* Copy up to cap-1 bytes of a LEN payload into buf (NUL-terminated);
 * returns the number copied, or 0 on a read error. */
size_t wt_pbr_bytes(wt_pbr_src *s, const wt_pbr_field *f, char *buf, size_t cap);
/* First LEN field `num` inside [off, off+len). */
bool wt_pbr_find(wt_pbr_src *s, uint64_t off, uint64_t len, uint32_t num, wt_pbr_field *out);
