/*
 * analyzer.h - the contract between the scan core and analyzers.
 *
 * An analyzer is pure: bytes in (a wt_reader), findings out (wt_emit). It
 * never knows about sources or reports. Containers hand their members back
 * with wt_scan_child(), which classifies them by content and dispatches to
 * the right analyzer, with depth/size/time budgets enforced by the core.
 *
 * Dispatch: every registered analyzer's probe() sees the artifact's name and
 * its first bytes. Among "exclusive" analyzers (file formats: pickle, zip,
 * hdf5, notebook...) the highest score wins; every non-exclusive analyzer
 * whose probe answers > 0 also runs (text detectors, dependency files).
 */
#ifndef WT_ANALYZER_H
#define WT_ANALYZER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "watchtower/watchtower.h"
#include "reader.h"

typedef struct wt_ctx wt_ctx;

/* What an artifact counts as in the summary report. */
typedef enum {
    WT_CLASS_OTHER = 0,
    WT_CLASS_MODEL,      /* "Total Number of Model Found" */
    WT_CLASS_NBREQ,      /* "Notebooks & Requirement files" */
    WT_CLASS_MODEL_PART, /* part of a model counted elsewhere (SavedModel variables/) */
} wt_artifact_class;

#define WT_PROBE_HEAD 4096 /* bytes of the artifact given to probe() */

typedef struct wt_analyzer {
    const char *name;          /* "pickle", "zip", "notebook" ... */
    wt_artifact_class klass;   /* class of artifacts this analyzer claims */
    bool exclusive;            /* format analyzer (best probe wins) */
    /* Return 0 (not mine) .. 100 (certain). head = first bytes (<= 4096),
     * name = full nested artifact name, size = total size. */
    int (*probe)(const char *name, const uint8_t *head, size_t headlen, uint64_t size);
    /* Analyze; emit findings through ctx. Return WT_OK or an error code
     * (the core then emits a scan-error finding with wt_ctx_last_error). */
    int (*analyze)(wt_ctx *ctx, wt_reader *r);
    /* Rules this analyzer can emit (for SARIF rule lists and docs). */
    const wt_rule *rules;
    size_t nrules;
} wt_analyzer;

/* A table of rules not tied to one analyzer (e.g. secrets used by several). */
typedef struct wt_rule_table {
    const char *name;
    /* Returns the rules; may load data on first call (thread-safe). */
    size_t (*get)(const wt_rule **out);
} wt_rule_table;

/* ---- context accessors ---- */
const char *wt_ctx_name(const wt_ctx *ctx);          /* nested artifact name */
const char *wt_ctx_basename(const wt_ctx *ctx);      /* last component */
int wt_ctx_depth(const wt_ctx *ctx);                 /* 0 = top-level */
const wt_limits *wt_ctx_limits(const wt_ctx *ctx);
const wt_scan_options *wt_ctx_options(const wt_ctx *ctx);
/* True once the artifact's time budget is spent or the scan is cancelled.
 * Analyzers call this in every loop over untrusted input. */
bool wt_ctx_expired(wt_ctx *ctx);
/* Set the "kind" of this artifact for reports ("pytorch-zip", "notebook"). */
void wt_ctx_set_kind(wt_ctx *ctx, const char *kind);
/* Mark this artifact (top-level ancestor) as a model / nbreq. */
void wt_ctx_set_class(wt_ctx *ctx, wt_artifact_class c);
/* Account decompressed bytes against the top-level artifact's budget;
 * returns false (and the caller must stop) when the budget is exceeded. */
bool wt_ctx_charge_unpacked(wt_ctx *ctx, uint64_t n);
/* True once that budget is spent: decompressors check it before decoding
 * more, so a nested bomb stops everywhere, not only in the stream that
 * crossed the line. */
bool wt_ctx_unpack_spent(const wt_ctx *ctx);

/* Open a sibling file of the top-level artifact by path relative to the
 * artifact's directory (e.g. "keras_metadata.pb" next to saved_model.pb).
 * Only inside the scan root. NULL if absent. */
wt_reader *wt_ctx_open_sibling(wt_ctx *ctx, const char *relpath);
/* Whether the source has an artifact at this path relative to the scan root
 * (used to treat a SavedModel directory as one model). */
bool wt_ctx_source_has(wt_ctx *ctx, const char *relpath);

/* Add a scan-level note shown once per scan (deduplicated by text), e.g.
 * "dependency checks skipped: no OSV database". */
void wt_ctx_note(wt_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Per-scan shared object (e.g. an opened database), created once by the
 * first caller with this key (thread-safe) and destroyed at scan end.
 * create may return NULL (cached as NULL too). */
void *wt_ctx_scan_cache(wt_ctx *ctx, const char *key, void *(*create)(const wt_scan_options *opt),
                        void (*destroy)(void *obj));

/* Scan a nested member: classify by content and analyze. member is the
 * member's own name (e.g. "archive/data.pkl"); the child's full name is
 * "<parent>!<member>". Depth and budgets are enforced here. Returns WT_OK or
 * WT_ERR_LIMIT (a finding has been emitted). */
int wt_scan_child(wt_ctx *parent, const char *member, wt_reader *r);
/* Same, but force a specific analyzer by name (e.g. a pickle found inside an
 * HDF5 attribute). */
int wt_scan_child_as(wt_ctx *parent, const char *member, wt_reader *r, const char *analyzer);

/* ---- emitting findings ---- */
/* Emit a finding for the current artifact. sev = WT_SEV_NONE uses the rule's
 * default. loc may be NULL. evidence may be NULL. The returned finding may be
 * further decorated (confidence, props, loc) until the analyzer returns. */
wt_finding *wt_emit(wt_ctx *ctx, const char *rule_id, wt_severity sev, const wt_location *loc,
                    const char *evidence, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
wt_finding *wt_emitv(wt_ctx *ctx, const char *rule_id, wt_severity sev, const wt_location *loc,
                     const char *evidence, const char *fmt, va_list ap);
/* Convenience: location at a byte offset. */
wt_location wt_loc_offset(uint64_t off);
/* Convenience: location at a line/column of text. */
wt_location wt_loc_line(uint32_t line, uint32_t col);
/* Emit the standard finding for an exceeded budget (WT-SCAN-002). */
void wt_emit_limit(wt_ctx *ctx, const char *what, uint64_t value, uint64_t limit);
/* Emit the standard finding for a malformed/unreadable artifact (WT-SCAN-001). */
void wt_emit_error(wt_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- dispatch helpers (used by the core and by analyzers that sniff) ---- */
const wt_analyzer *wt_analyzer_by_name(const char *name);
/* Best exclusive analyzer for these bytes, or NULL. */
const wt_analyzer *wt_classify(const char *name, const uint8_t *head, size_t headlen, uint64_t size);

/* Known model file extension (".pkl", ".pt", ".h5" ...). */
bool wt_is_model_extension(const char *name);

/* ---- text detectors (secrets, PII, unsafe code) ---- */
/* Where a text buffer came from, so detectors can report real locations.
 * Plain files: cell = -1, raw_lines = NULL (line N of the buffer is line
 * line_base+N-1 of the file). Notebooks: one buffer per cell source or
 * output, raw_lines[i] = 1-based line of the raw .ipynb where buffer line
 * i+1 is written (JSON strings put each line on its own raw line). */
typedef struct wt_text_origin {
    int32_t cell;              /* notebook cell index or -1 */
    const char *cell_id;       /* notebook cell id or NULL */
    const char *cell_part;     /* "source" | "output" | NULL */
    const char *kind;          /* "python","markdown","shell","output","html","json","yaml","env","toml","ini","text","traceback"... */
    const uint32_t *raw_lines; /* may be NULL */
    size_t nraw_lines;
    uint32_t line_base;        /* first line number (plain files: 1) */
    /* text/html outputs are matched with tags stripped; map[i] = offset in
     * the original (unstripped) text of stripped byte i, or NULL. */
    const uint32_t *offset_map;
    const char *orig_text;     /* the unstripped text when offset_map is set */
    size_t orig_len;
} wt_text_origin;

typedef struct wt_text_detector {
    const char *name; /* "secrets", "pii", "code" */
    void (*scan)(wt_ctx *ctx, const char *text, size_t len, const wt_text_origin *o);
} wt_text_detector;
extern const wt_text_detector *const wt_registry_text_detectors[];
extern const size_t wt_registry_ntext_detectors;

/* Run every registered text detector over one buffer. */
void wt_text_detect(wt_ctx *ctx, const char *text, size_t len, const wt_text_origin *o);
/* Location (line, column, cell, cell line) of byte offset off in text. */
wt_location wt_text_location(const char *text, size_t len, size_t off, const wt_text_origin *o);
/* wt_text_location resumes from its previous answer (hits come in offset
 * order) while enabled: wt_text_detect enables it around each detector. Calls
 * nest; every call forgets the resume point. */
void wt_text_location_cache(bool on);
/* True if the line containing off (or the line above it) carries an inline
 * ignore marker: "watchtower:ignore", "pragma: allowlist secret",
 * "gitleaks:allow", "noqa: secret" (optionally "watchtower:ignore RULE-ID"). */
bool wt_text_line_ignored(const char *text, size_t len, size_t off, const char *rule_id);

/* ---- cross-module hooks (wired in registry.c) ---- */
/* Check the arguments of a `pip install ...` command found in a notebook
 * cell or shell script (everything after "install"), emitting dependency
 * findings at loc. Implemented by the deps module; a no-op without it. */
void wt_check_pip_install(wt_ctx *ctx, const char *args, size_t len, const wt_location *loc);
typedef void (*wt_pip_install_fn)(wt_ctx *ctx, const char *args, size_t len, const wt_location *loc);
extern const wt_pip_install_fn wt_registry_pip_install;

#endif
