/* fuzz_safetensors.c - libFuzzer target: safetensors header validation
 * (first 8 input bytes = declared data length, rest = header JSON). */
#include <string.h>

#include "formats/model_formats.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size < 8)
        return 0;
    uint64_t dl = 0;
    memcpy(&dl, data, 8);
    wt_st_result r;
    wt_safetensors_validate((const char *)data + 8, size - 8, dl, &r);
    wt_st_result_fini(&r);
    return 0;
}
