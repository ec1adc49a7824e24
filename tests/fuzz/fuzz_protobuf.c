/* fuzz_protobuf.c - libFuzzer target: the bounded protobuf walker, following
 * every length-delimited field as a nested message (depth-limited). */
#include <stddef.h>
#include <stdint.h>

#include "formats/protobuf.h"

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
    wt_pb_field f;
    wt_pb_find(data, size, 1, &f);
    return 0;
}
