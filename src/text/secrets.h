/*
 * secrets.h - the "secrets" text detector: hard-coded credentials.
 *
 * Owns: the secret rule table (rules/secrets.tsv, exposed as a wt_rule_table
 * for SARIF/docs), the confirmation checks of each candidate (CRC32 token
 * checksums, entropy, JWT header, placeholders, documented example keys,
 * sequential strings, key-name stoplist for generic rules), overlap
 * resolution (specific rule beats URL beats generic), inline ignores and
 * emission with a masked value and a SHA-256 fingerprint of the secret.
 */
#ifndef WT_TEXT_SECRETS_H
#define WT_TEXT_SECRETS_H

#include "core/analyzer.h"
#include "text/hsdb.h"

extern const wt_text_detector wt_secrets_detector;
extern const wt_rule_table wt_secrets_rule_table;

/* Test entry: run matching + confirmation over a buffer as if it came from
 * a file of this kind ("python", "env", "yaml", "output"...; NULL = text)
 * and call fn for every match that would be emitted (inline ignores
 * included). Returns the number of matches. */
size_t wt_secrets_scan_buffer_for_test(const char *text, size_t len, const char *kind,
                                       wt_text_match_fn fn, void *ud);

/* Kinds of buffers treated as config files (env, yaml, ini, toml...). */
bool wt_text_is_config_kind(const char *kind);

/* Evidence for a secret: "ghp_******** (sha256:0123456789ab)"; the full
 * hex digest goes to sha_out[65]. Caller frees. */
char *wt_secret_evidence(const char *s, size_t n, char sha_out[65]);

#endif
