/*
 * hsdb.h - the multi-pattern matcher shared by the secret and PII detectors.
 *
 * Owns: loading the rule tables rules/secrets.tsv and rules/pii.tsv (data:
 * one row per pattern, see docs/rules-secrets.md for the columns), compiling
 * every row of both tables into ONE Hyperscan block-mode database (compiled
 * once, lazily, thread-safe), per-thread scratch, and the confirmation of
 * Hyperscan hits with PCRE2 (JIT) inside a bounded window around each hit.
 *
 * The result of a scan is a list of candidates (rule, match span, secret
 * span) in buffer order; the detectors apply the checks (checksums,
 * entropy, placeholders, context) and emit findings. Because both detectors
 * run on the same buffer one after the other, the candidates of one pass are
 * cached per thread (wt_hsdb_candidates) so each buffer is scanned once.
 */
#ifndef WT_TEXT_HSDB_H
#define WT_TEXT_HSDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "watchtower/watchtower.h"

enum { WT_HS_SECRETS = 0, WT_HS_PII = 1, WT_HS_NTABLES = 2 };

/* Check flags of a row (column "checks"). */
enum {
    WT_CK_CRC32 = 1u << 0,    /* GitHub/npm CRC32-base62 checksum raises confidence */
    WT_CK_JWT = 1u << 1,      /* header is base64url JSON with "alg" */
    WT_CK_DIGIT = 1u << 2,    /* secret contains a digit */
    WT_CK_MIXED = 1u << 3,    /* secret mixes >= 2 of lower/upper/digit/symbol */
    WT_CK_NOTHEX = 1u << 4,   /* reject pure-hex secrets (digests) */
    WT_CK_CTXREQ = 1u << 5,   /* a context word must be near */
    WT_CK_GENERIC = 1u << 6,  /* generic rule: dropped under a specific match */
    WT_CK_CFGONLY = 1u << 7,  /* only in config-like buffers (env/yaml/ini/toml/shell) */
    WT_CK_KEYNAME = 1u << 8,  /* named group k = identifier, filtered by a stoplist */
    WT_CK_URL = 1u << 9,      /* URL credentials checks */
    WT_CK_LUHN = 1u << 10,
    WT_CK_IBAN = 1u << 11,
    WT_CK_SSN = 1u << 12,
    WT_CK_ITIN = 1u << 13,
    WT_CK_NHS = 1u << 14,
    WT_CK_AADHAAR = 1u << 15,
    WT_CK_PAN = 1u << 16,
    WT_CK_BASE58 = 1u << 17,
    WT_CK_BECH32 = 1u << 18,
    WT_CK_IPV4 = 1u << 19,
    WT_CK_IPV6 = 1u << 20,
    WT_CK_MAC = 1u << 21,
    WT_CK_EMAIL = 1u << 22,
    WT_CK_PHONE = 1u << 23,
    WT_CK_DATE = 1u << 24,
    WT_CK_NOPLACE = 1u << 25, /* skip the placeholder filter (format is exact) */
    WT_CK_CTXSEP = 1u << 26,  /* context word OR a separated (grouped) form */
    WT_CK_PEM = 1u << 27,     /* fingerprint the whole PEM block up to its END line */
    WT_CK_ASSIGN = 1u << 28,  /* pre-check in C before PCRE2: the anchor (a keyword) is followed by
                                 <= 30 identifier chars, an optional quote, <= 3 blanks and one of
                                 = : ( , */
    WT_CK_ASSIGNQ = 1u << 29, /* same, then '=' or ':' (or '=>', ':=') and a quoted value */
    WT_CK_COLUMN = 1u << 30,  /* PII: the match is a table column header (name, phone, dob, ssn);
                                 the cells below it are validated (by the row's phone/date/ssn
                                 check, or as person names) and counted */
};

typedef struct wt_hs_row {
    wt_rule meta;          /* id, name, severity, summary, why, standards */
    int table;             /* WT_HS_SECRETS / WT_HS_PII */
    double score;          /* base confidence 0..1 */
    char *hs;              /* Hyperscan anchor pattern */
    char *regex;           /* PCRE2 confirmation pattern */
    uint32_t back, fwd;    /* window around the anchor's end */
    uint32_t checks;       /* WT_CK_* */
    double min_entropy;    /* 0 = none */
    char *near;            /* "a|b": one must occur within WT_HS_NEAR bytes */
    char **ctx;            /* context words (lower case) */
    size_t nctx;
    void *re;              /* pcre2_code * */
    int grp_s, grp_k;      /* group numbers of (?<s>) and (?<k>), 0 = none */
} wt_hs_row;

#define WT_HS_NEAR 2048

/* One confirmed match as the detectors report it (also the test view). */
typedef struct wt_text_match {
    const char *rule_id;   /* static (rule table) */
    const char *name;
    size_t off, len;       /* the value (secret / PII item) */
    size_t mstart, mend;   /* whole match incl. keyword context */
    double confidence;
    wt_severity severity;
    size_t count;          /* PII: items of this rule in the buffer (1 for secrets) */
    char note[64];         /* e.g. "checksum valid" */
} wt_text_match;
typedef void (*wt_text_match_fn)(void *ud, const wt_text_match *m);

/* Case-insensitive search of any of the '|'-separated words in
 * text[from, to). */
bool wt_hs_has_word(const char *text, size_t from, size_t to, const char *words_bar);
/* Case-insensitive search of any of the context words of a row in
 * text[from, to). */
bool wt_hs_has_ctx(const wt_hs_row *r, const char *text, size_t from, size_t to);

typedef struct wt_hs_cand {
    uint32_t row;          /* index into wt_hsdb_rows() */
    size_t ms, me;         /* whole match */
    size_t ss, se;         /* secret / value (group s or 1, else whole) */
    size_t ks, ke;         /* identifier (group k) or 0,0 */
} wt_hs_cand;

/* All rows of both tables (loads and compiles on first call; thread-safe).
 * Rows that fail to compile are dropped and counted in *nerrors; the first
 * message is in *err (static storage). */
const wt_hs_row *wt_hsdb_rows(size_t *n);
/* The distinct rules (by id) of one table, for the rule catalog (SARIF,
 * docs); built once, owned by the module. */
size_t wt_hsdb_rules(int table, const wt_rule **out);
size_t wt_hsdb_errors(const char **first);

/* Scan a buffer once for both tables. The returned array lives until the
 * next call on this thread that scans another buffer. `table` says which
 * detector is asking: a buffer already scanned for the other detector on
 * this thread (same key, pointer, length and content sample) is not
 * scanned again. config = the buffer is a config file (rows marked cfgonly
 * are confirmed only then). Returns the number of candidates (all tables). */
size_t wt_hsdb_candidates(const void *key, const char *text, size_t len, int table, bool config,
                          const wt_hs_cand **out);

/* Inline-ignore check (wt_text_line_ignored) looking at most
 * WT_HS_IGNORE_SPAN bytes either side of off, so a huge single-line buffer
 * full of candidates stays linear. */
#define WT_HS_IGNORE_SPAN 1024
bool wt_hs_line_ignored(const char *text, size_t len, size_t off, const char *rule_id);
/* Whether the buffer holds any inline-ignore marker at all (checked once
 * per buffer so marker-free buffers skip the per-match check). */
bool wt_hs_has_markers(const char *text, size_t len);

/* Cache key used by the detectors' test entries (they share one pass). */
extern const char wt_hsdb_test_key;

/* True if the last scan on this thread stopped early (more than
 * WT_HS_MAX_HITS anchor hits or WT_HS_MAX_CANDS candidates). */
#define WT_HS_MAX_HITS (1u << 20)
#define WT_HS_MAX_CANDS 100000u
bool wt_hsdb_last_truncated(void);

/* Parse a rule table text (for tests / user tables): number of rows parsed,
 * errors into *err (malloc'd) or NULL. Exposed for the fuzzer. */
size_t wt_hsdb_parse_check(const char *text, size_t len, int table, char **err);

#endif
