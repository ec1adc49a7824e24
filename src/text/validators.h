/*
 * validators.h - checksum and plausibility checks used by the secret and
 * PII detectors: Luhn, IBAN mod 97 (per-country lengths), US SSN / ITIN
 * ranges, UK NHS mod 11, Aadhaar Verhoeff, Indian PAN, Base58Check, Bech32,
 * the CRC32-base62 checksum of GitHub and npm tokens, Shannon entropy, and
 * the "this is not a secret" shape tests (UUID, hex digest, sequential or
 * repetitive strings, placeholders).
 *
 * Every function takes (pointer, length), never reads outside it and never
 * allocates; all are pure and thread-safe.
 */
#ifndef WT_TEXT_VALIDATORS_H
#define WT_TEXT_VALIDATORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Luhn over the digits of s (spaces and '-' ignored; any other non-digit
 * fails). Needs 12..19 digits. */
bool wt_luhn_ok(const char *s, size_t n);
/* Card issuer name for a digit string (separators ignored) whose prefix and
 * length match a known scheme ("visa", "mastercard", "amex", "discover",
 * "jcb", "diners", "unionpay", "maestro"), or NULL. */
const char *wt_card_issuer(const char *s, size_t n);
/* IBAN: country code with its registered length and mod 97 == 1. Spaces
 * are ignored. */
bool wt_iban_ok(const char *s, size_t n);
/* US SSN "AAA-GG-SSSS" or 9 digits: excludes area 000/666/9xx, group 00,
 * serial 0000 and well-known sample numbers. */
bool wt_ssn_ok(const char *s, size_t n);
/* US ITIN: 9xx with group 50-65, 70-88, 90-92, 94-99. */
bool wt_itin_ok(const char *s, size_t n);
/* UK NHS number: 10 digits (spaces/dashes ignored), mod 11 check digit. */
bool wt_nhs_ok(const char *s, size_t n);
/* Aadhaar: 12 digits (spaces ignored), first digit 2-9, Verhoeff check. */
bool wt_aadhaar_ok(const char *s, size_t n);
/* Verhoeff check over a digit string. */
bool wt_verhoeff_ok(const char *s, size_t n);
/* Indian PAN: AAAAA9999A with a valid holder-type letter in position 4. */
bool wt_pan_ok(const char *s, size_t n);
/* Base58Check address (BTC P2PKH/P2SH: 25 bytes, version 0x00 or 0x05,
 * double SHA-256 checksum). */
bool wt_base58check_ok(const char *s, size_t n);
/* Bech32 / Bech32m segwit address with hrp "bc" (or "tb"). */
bool wt_bech32_ok(const char *s, size_t n);
/* CRC32 (zlib polynomial) of data. */
uint32_t wt_crc32(const void *data, size_t n);
/* Encode v in base62 (0-9A-Za-z), left-padded with '0' to 6 chars. */
void wt_base62_crc6(uint32_t v, char out[7]);
/* GitHub classic / npm style token: prefix "xxx_" then 30 base62 body and a
 * 6-char base62 CRC32 of the body. tok is the whole token. */
bool wt_token_crc32_ok(const char *tok, size_t n);
/* Shannon entropy in bits per byte. */
double wt_entropy(const char *s, size_t n);
/* 8-4-4-4-12 hex UUID (optionally braced). */
bool wt_is_uuid(const char *s, size_t n);
/* Only hex digits. */
bool wt_is_hex(const char *s, size_t n);
/* Sequential (abcdef, 123456, qwerty) or repetitive (aaaa, 1212, xxxx)
 * string, or one made of a run of such pieces. */
bool wt_is_sequential(const char *s, size_t n);
/* Placeholder / template / documented sample value: YOUR_API_KEY, <token>,
 * ${VAR}, {{ var }}, %(var)s, $VAR, xxxx, ****, changeme, dummy, example,
 * "...", AWS "EXAMPLE" keys and the like. */
bool wt_is_placeholder(const char *s, size_t n);
/* A commonly used weak password ("password123", "hunter2", "s3cr3t"...). */
bool wt_is_weak_password(const char *s, size_t n);
/* Value is an environment or secret-manager lookup (os.environ[...],
 * os.getenv(...), getenv(...), process.env.X, ENV[...], secrets.get...). */
bool wt_is_env_lookup(const char *s, size_t n);

#endif
