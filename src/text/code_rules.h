/*
 * code_rules.h - unsafe-code rules over Python and shell text ("code" text
 * detector).
 *
 * Owns: a one-pass light Python tokenizer (strings and comments skipped,
 * import aliases resolved), the call/argument matcher driven by the data
 * table rules/unsafe_code.tsv, notebook magics and shell lines (through
 * magics.h: `pip install` commands are handed to wt_check_pip_install, a
 * download piped into a shell is a finding), and the metadata of the
 * WT-CODE-* rules.
 *
 * The detector runs on buffers whose origin kind is "python", "shell" or
 * "dockerfile"; every other kind is ignored.
 */
#ifndef WT_TEXT_CODE_RULES_H
#define WT_TEXT_CODE_RULES_H

#include <stddef.h>

#include "core/analyzer.h"

extern const wt_text_detector wt_code_detector; /* "code" */
extern const wt_rule_table wt_code_rule_table;  /* WT-CODE-* */

/* Import aliases normally live for one buffer. A notebook's cells share one
 * namespace, so the notebook analyzer brackets its cells with begin/end: the
 * aliases of earlier cells then apply to later ones (per thread). */
void wt_code_scope_begin(void);
void wt_code_scope_end(void);

/* ---- pure interface (tests, fuzzing, benchmark) ---- */
typedef enum {
    WT_CODE_HIT_RULE = 1, /* an unsafe-code rule matched */
    WT_CODE_HIT_PIP,      /* a `pip install` command: span = its arguments */
    WT_CODE_HIT_LIMIT,    /* last call only: off = hits reported, len = hits dropped */
} wt_code_hit_kind;

typedef struct wt_code_hit {
    wt_code_hit_kind kind;
    const char *rule_id;  /* RULE: "WT-CODE-004" */
    wt_severity severity; /* RULE: severity of the matching row */
    const char *message;  /* RULE: message of the matching row */
    const char *evidence; /* RULE: e.g. "torch.load(..., weights_only=False)" */
    size_t off, len;      /* span in the scanned text */
    /* PIP: the arguments when they are not text[off, off+len) but were
     * rebuilt from a Python argument list (subprocess.run([... "pip",
     * "install", "x"])); off is then the position of the list */
    const char *args;
    size_t args_len;
} wt_code_hit;

typedef void (*wt_code_hit_fn)(void *ud, const wt_code_hit *h);

/* Scan text of the given origin kind ("python", "shell", "dockerfile"),
 * calling fn for every hit in text order (per statement). At most 1000 hits
 * per buffer; if more were found, a final WT_CODE_HIT_LIMIT says how many
 * were dropped. Uses the current notebook scope if one is open. Returns the
 * number of hits reported. */
size_t wt_code_scan_text(const char *text, size_t len, const char *kind, wt_code_hit_fn fn, void *ud);

/* Load (once) and return the parsed rule table: number of rows, or -1 with
 * a message if rules/unsafe_code.tsv is malformed (bad rows are skipped). */
int wt_code_rules_load(const char **err);

#endif
