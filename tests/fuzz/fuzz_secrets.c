/*
 * fuzz_secrets.c - the secrets matcher (Hyperscan pass + PCRE2
 * confirmation + checks) on arbitrary text of every kind.
 */
#include <stddef.h>
#include <stdint.h>

#include "text/secrets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const kinds[] = {"python", "env", "yaml", "output", "json", "markdown", "shell", NULL};
    if (size == 0 || size > 262144)
        return 0;
    const char *kind = kinds[data[0] % 8];
    wt_secrets_scan_buffer_for_test((const char *)data, size, kind, NULL, NULL);
    return 0;
}
