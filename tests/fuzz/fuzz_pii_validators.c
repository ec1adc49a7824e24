/*
 * fuzz_pii_validators.c - every validator on arbitrary bytes (bounds,
 * no crash, no hang), plus the PII detector on the same buffer.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "text/pii.h"
#include "text/validators.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    volatile int sink = 0;
    sink += wt_luhn_ok(s, size);
    sink += wt_card_issuer(s, size) != NULL;
    sink += wt_iban_ok(s, size);
    sink += wt_ssn_ok(s, size);
    sink += wt_itin_ok(s, size);
    sink += wt_nhs_ok(s, size);
    sink += wt_aadhaar_ok(s, size);
    sink += wt_verhoeff_ok(s, size);
    sink += wt_pan_ok(s, size);
    sink += wt_base58check_ok(s, size);
    sink += wt_bech32_ok(s, size);
    sink += wt_token_crc32_ok(s, size);
    sink += wt_is_uuid(s, size);
    sink += wt_is_hex(s, size);
    sink += wt_is_sequential(s, size);
    sink += wt_is_placeholder(s, size);
    sink += wt_is_env_lookup(s, size);
    sink += (int)wt_entropy(s, size);
    if (size && size < 65536)
        sink += (int)wt_pii_scan_buffer_for_test(s, size, (data[0] & 1) ? "output" : "text",
                                                 (data[0] & 2) ? "output" : NULL, NULL, NULL);
    (void)sink;
    return 0;
}
