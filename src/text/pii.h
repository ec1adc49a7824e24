/*
 * pii.h - the "pii" text detector: personal data in code, text and, mainly,
 * notebook outputs.
 *
 * Owns: the PII recognizers (rules/pii.tsv), their validation (Luhn, IBAN,
 * SSN/ITIN ranges, NHS mod 11, Verhoeff, Base58Check, Bech32, IP ranges,
 * dates), Presidio-style context scoring (context words within ~100 bytes
 * before a match, or in the header line of a table, raise the score by 0.35
 * to at least 0.4; negative words such as "example" lower it), the person-
 * name column recognizer for tables (pandas text, CSV/TSV, Markdown tables)
 * and aggregation: ONE finding per (rule, buffer) carrying the count, the
 * first location and the best score; severity rises with the count (>= 5
 * items: +1 level, >= 50: +2, capped at critical).
 */
#ifndef WT_TEXT_PII_H
#define WT_TEXT_PII_H

#include "core/analyzer.h"
#include "text/hsdb.h"

extern const wt_text_detector wt_pii_detector;
extern const wt_rule_table wt_pii_rule_table;

#define WT_PII_MIN_SCORE 0.4 /* matches scoring below this are not reported */

/* Test entry: aggregated matches (one per rule, count filled) for a buffer
 * of this kind ("output", "python", ...). cell_part may be NULL. */
size_t wt_pii_scan_buffer_for_test(const char *text, size_t len, const char *kind, const char *cell_part,
                                   wt_text_match_fn fn, void *ud);

/* Severity of `count` items of a rule whose default severity is base. */
wt_severity wt_pii_severity(wt_severity base, size_t count);

#endif
