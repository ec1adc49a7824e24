/* fuzz_jinja.c - libFuzzer target: the Jinja template check. */
#include "formats/model_formats.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    wt_jinja_hit hits[8];
    wt_jinja_check((const char *)data, size, hits, 8);
    return 0;
}
