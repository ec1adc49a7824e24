/*
 * test_validators.c - checksum and shape validators.
 */
#include <string.h>

#include "harness.h"
#include "text/validators.h"

#define S(x) x, strlen(x)

WT_TEST(luhn_and_issuers)
{
    CHECK(wt_luhn_ok(S("4539 1488 0343 6467")));
    CHECK(!wt_luhn_ok(S("4539 1488 0343 6468")));
    CHECK(!wt_luhn_ok(S("4539x1488")));
    CHECK_STR(wt_card_issuer(S("4539148803436467")), "visa");
    CHECK_STR(wt_card_issuer(S("5500000000000004")), "mastercard");
    CHECK_STR(wt_card_issuer(S("378282246310005")), "amex");
    CHECK(wt_card_issuer(S("9539148803436467")) == NULL);
}

WT_TEST(iban_country_length_and_mod97)
{
    CHECK(wt_iban_ok(S("GB82 WEST 1234 5698 7654 32")));
    CHECK(wt_iban_ok(S("DE89370400440532013000")));
    CHECK(!wt_iban_ok(S("DE8937040044053201300")));  /* length for DE is 22 */
    CHECK(!wt_iban_ok(S("DE89370400440532013001"))); /* mod 97 */
    CHECK(!wt_iban_ok(S("ZZ89370400440532013000"))); /* unknown country */
}

WT_TEST(ssn_itin_nhs_aadhaar_pan)
{
    CHECK(wt_ssn_ok(S("536-22-8147")));
    CHECK(!wt_ssn_ok(S("900-22-8147")));
    CHECK(!wt_ssn_ok(S("123-45-6789")));
    CHECK(wt_itin_ok(S("912-71-1234")));
    CHECK(!wt_itin_ok(S("912-40-1234")));
    CHECK(wt_nhs_ok(S("943 476 5919")));
    CHECK(!wt_nhs_ok(S("943 476 5918")));
    CHECK(!wt_nhs_ok(S("1111111111")));
    CHECK(wt_verhoeff_ok(S("2363")));
    CHECK(!wt_verhoeff_ok(S("2364")));
    CHECK(!wt_aadhaar_ok(S("1234 5678 9012")));
    CHECK(wt_pan_ok(S("ABCPE1234F")));
    CHECK(!wt_pan_ok(S("ABCDE1234F")));
}

WT_TEST(crypto_address_checksums)
{
    CHECK(wt_base58check_ok(S("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2")));
    CHECK(wt_base58check_ok(S("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy")));
    CHECK(!wt_base58check_ok(S("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3")));
    CHECK(!wt_base58check_ok(S("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNV0l")));
    CHECK(wt_bech32_ok(S("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")));
    CHECK(wt_bech32_ok(S("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4")));
    CHECK(!wt_bech32_ok(S("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx")));
    CHECK(!wt_bech32_ok(S("bc1Qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")));
}

WT_TEST(token_crc32_base62)
{
    CHECK(wt_crc32("123456789", 9) == 0xCBF43926u);
    char crc[7];
    wt_base62_crc6(0, crc);
    CHECK_STR(crc, "000000");
    wt_base62_crc6(61, crc);
    CHECK_STR(crc, "00000z");
    char tok[64] = "ghp_";
    memcpy(tok + 4, "Zq3fakeFAKEfake0000notarealtok", 30);
    wt_base62_crc6(wt_crc32(tok + 4, 30), tok + 34);
    CHECK(wt_token_crc32_ok(tok, 40));
    tok[10] ^= 1;
    CHECK(!wt_token_crc32_ok(tok, 40));
}

WT_TEST(entropy_and_shapes)
{
    CHECK(wt_entropy(S("aaaa")) == 0.0);
    CHECK(wt_entropy(S("abcd")) == 2.0);
    CHECK(wt_is_uuid(S("3f1c2b9e-8d4a-4e7b-9c61-5a2f0d8e7b14")));
    CHECK(!wt_is_uuid(S("3f1c2b9e-8d4a-4e7b-9c61-5a2f0d8e7b1")));
    CHECK(wt_is_hex(S("deadBEEF01")));
    CHECK(wt_is_sequential(S("abcdefghij")));
    CHECK(wt_is_sequential(S("1234567890")));
    CHECK(wt_is_sequential(S("xxxxxxxxxxxx")));
    CHECK(wt_is_sequential(S("abcabcabcabc")));
    CHECK(!wt_is_sequential(S("Vq8kLz2mWp3xT")));
    CHECK(wt_is_placeholder(S("YOUR_API_KEY")));
    CHECK(wt_is_placeholder(S("<token>")));
    CHECK(wt_is_placeholder(S("${VAR}")));
    CHECK(wt_is_placeholder(S("{{ var }}")));
    CHECK(wt_is_placeholder(S("%(var)s")));
    CHECK(wt_is_placeholder(S("AKIAIOSFODNN7EXAMPLE")));
    CHECK(!wt_is_placeholder(S("Vq8kLz2mWp3xT")));
    /* YAML anchors/aliases and angle-bracket names are placeholders; passwords that only
     * start with those sigils or hold '<'/'>' are not */
    CHECK(wt_is_placeholder(S("*default_password")));
    CHECK(wt_is_placeholder(S("&db-pass")));
    CHECK(wt_is_placeholder(S("Bearer <YOUR TOKEN>")));
    CHECK(!wt_is_placeholder(S("*Xk9fj2LqP")));
    CHECK(!wt_is_placeholder(S("&Tr0ub4dor3")));
    CHECK(!wt_is_placeholder(S("Zq9<x7Lp>!2vK")));
    CHECK(!wt_is_placeholder(S("Kq8v>Lm3<Rt")));
    CHECK(wt_is_env_lookup(S("os.environ['X']")));
    CHECK(wt_is_env_lookup(S("process.env.TOKEN")));
    CHECK(!wt_is_env_lookup(S("Vq8kLz2mWp3xT")));
}
