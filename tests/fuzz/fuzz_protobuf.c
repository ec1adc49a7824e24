/* fuzz_protobuf.c - libFuzzer target: the bounded protobuf walker, following
 * every length-delimited field as a nested message (depth-limited). */
#include <stddef.h>
#include <stdint.h>

#include "core/reader.h"
#include "formats/protobuf.h"

/* the reader-backed walker over the same bytes must agree on field counts */
static size_t walk_r(wt_pbr_src *s, uint64_t off, uint64_t len, int depth)
{
    wt_pbr pb;
    wt_pbr_field f;
    size_t fields = 0;
    wt_pbr_init(&pb, s, off, len);
    while (wt_pbr_next(&pb, &f) == 1) {
        fields++;
        if (f.wire == WT_PB_LEN && depth < 4)
            fields += walk_r(s, f.off, f.len, depth + 1);
        char buf[64];
        if (f.wire == WT_PB_LEN)
            wt_pbr_bytes(s, &f, buf, sizeof buf);
    }
    return fields;
}

static size_t walk_p(const uint8_t *p, size_t n, int depth)
{
    wt_pb pb;
    wt_pb_field f;
    size_t fields = 0;
    wt_pb_init(&pb, p, n);
    while (wt_pb_next(&pb, &f) == 1) {
        fields++;
        if (f.wire == WT_PB_LEN && depth < 4)
            fields += walk_p(f.data, f.len, depth + 1);
    }
    return fields;
}

static size_t walk(const uint8_t *p, size_t n, int depth)
{
    wt_pb pb;
    wt_pb_field f;
    size_t fields = 0;
    wt_pb_init(&pb, p, n);
    while (wt_pb_next(&pb, &f) == 1) {
        fields++;
        if (f.wire == WT_PB_LEN && depth < 16 && wt_pb_looks_like_message(f.data, f.len, 4, 0))
            fields += walk(f.data, f.len, depth + 1);
    }
    return fields;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    walk(data, size, 0);
    wt_reader *r = wt_reader_new_mem(data, size, false);
    wt_pbr_src src;
    wt_pbr_src_init(&src, r);
    size_t a = walk_r(&src, 0, size, 0), b = walk_p(data, size, 0);
    if (a != b)
        __builtin_trap();
    wt_reader_unref(r);
    wt_pb_field f;
    wt_pb_find(data, size, 1, &f);
    return 0;
}
