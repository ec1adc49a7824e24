/* fuzz_marshal.c - libFuzzer target: the Python marshal decoder used for
 * Keras Lambda bytecode. */
#include "formats/model_formats.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    wt_marshal_info mi;
    wt_marshal_info_init(&mi);
    wt_marshal_scan(data, size, &mi);
    wt_marshal_info_fini(&mi);
    return 0;
}
