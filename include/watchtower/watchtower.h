/*
 * watchtower.h - public API of libwatchtower.
 *
 * Owns: the findings model (severity, category, location, finding, rule
 * metadata), scan options and limits, the scan entry point and its result,
 * and the report writers. Front ends (CLI, web) use only this header.
 */
#ifndef WATCHTOWER_H
#define WATCHTOWER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WT_VERSION "0.1.0"

/* Status codes returned by library functions. */
enum {
    WT_OK = 0,
    WT_ERR = -1,        /* generic error; message in *err */
    WT_ERR_USAGE = -2,  /* bad arguments / unsupported target */
    WT_ERR_IO = -3,
    WT_ERR_LIMIT = -4,  /* a budget was exceeded */
    WT_ERR_FORMAT = -5, /* malformed input */
};

typedef enum {
    WT_SEV_NONE = 0, /* "use the rule's default" when passed to emit */
    WT_SEV_LOW = 1,
    WT_SEV_MEDIUM = 2,
    WT_SEV_HIGH = 3,
    WT_SEV_CRITICAL = 4,
} wt_severity;

typedef enum {
    WT_CAT_MODEL = 0,  /* model serialization attacks */
    WT_CAT_SECRET,     /* hard-coded credentials */
    WT_CAT_PII,        /* personal data */
    WT_CAT_DEPENDENCY, /* vulnerable / unsafe dependencies */
    WT_CAT_CODE,       /* unsafe code */
    WT_CAT_SCAN,       /* scanner-level: unscannable, limits, errors */
    WT_CAT__COUNT
} wt_category;

const char *wt_severity_name(wt_severity s);         /* "low".."critical" */
const char *wt_severity_title(wt_severity s);        /* "Low".."Critical" */
int wt_severity_parse(const char *s, wt_severity *out); /* 0 ok */
const char *wt_category_name(wt_category c);         /* "model", "secret"... */

/* Where a finding is. 0 / -1 / NULL mean "unknown / not applicable". */
typedef struct wt_location {
    uint64_t offset;      /* byte offset inside the artifact */
    bool has_offset;
    uint32_t line;        /* 1-based line in the artifact's raw text */
    uint32_t column;      /* 1-based column */
    uint32_t end_line;
    uint32_t end_column;
    int32_t cell;         /* notebook cell index (0-based), -1 if none */
    char *cell_id;        /* notebook cell "id", owned, may be NULL */
    const char *cell_part;/* static "source" | "output" | NULL */
    uint32_t cell_line;   /* 1-based line within the cell source/output */
} wt_location;

/* Static metadata of a rule; every finding's rule_id names one. */
typedef struct wt_rule {
    const char *id;       /* e.g. "WT-PICKLE-001" */
    const char *name;     /* short CamelCase-ish name for SARIF */
    wt_category category;
    wt_severity severity; /* default severity */
    const char *summary;  /* one-line description */
    const char *why;      /* reason for the default severity */
    const char *cwe;      /* "CWE-502" */
    const char *owasp;    /* "ML06:2023 AI Supply Chain Attacks" */
    const char *atlas;    /* "AML.T0010" */
    const char *nist;     /* NIST AI RMF function, e.g. "MANAGE 2.3" */
} wt_rule;

struct json_t; /* jansson */

typedef struct wt_finding {
    char *rule_id;
    wt_category category;
    wt_severity severity;
    char *artifact;       /* name relative to target root, nested with '!' */
    wt_location loc;
    char *message;        /* one line */
    char *evidence;       /* shortened/redacted; may be NULL */
    char *fingerprint;    /* stable hex id (sha256) */
    double confidence;    /* 0..1, or < 0 if not applicable */
    struct json_t *props; /* extra structured data (object) or NULL */
    char *target;         /* the scan target this artifact came from */
} wt_finding;

/* Look up a rule's metadata (all built-in and user rule tables). */
const wt_rule *wt_rule_find(const char *id);
/* Iterate all known rules; returns count and fills *out with an array
 * owned by the library. */
size_t wt_rules_all(const wt_rule *const **out);

typedef struct wt_limits {
    uint64_t max_file_size;        /* artifacts larger than this are not read whole; 0 = no limit */
    uint64_t max_member_size;      /* decompressed size of one archive member */
    uint64_t max_total_unpacked;   /* all decompression for one top-level artifact */
    uint32_t max_ratio;            /* compression ratio considered a bomb */
    uint32_t max_depth;            /* container nesting depth */
    uint32_t max_members;          /* entries per container */
    uint64_t max_pickle_ops;       /* opcodes per pickle stream */
    uint64_t max_text_size;        /* text buffer for text detectors */
    uint32_t time_budget_ms;       /* per top-level artifact */
} wt_limits;

void wt_limits_default(wt_limits *l);

typedef struct wt_progress {
    size_t artifacts_total;
    size_t artifacts_done;
    uint64_t bytes_total;     /* sum of artifact sizes */
    uint64_t bytes_read;      /* bytes actually read so far */
    const char *current;      /* artifact name being scanned, may be NULL */
} wt_progress;

typedef void (*wt_progress_fn)(void *ud, const wt_progress *p);

typedef struct wt_scan_options {
    int jobs;                 /* worker threads; <= 0 = number of cores */
    wt_limits limits;
    const char *const *excludes; /* glob patterns (gitignore-like) */
    size_t nexcludes;
    const char *rules_dir;    /* extra user rule tables, may be NULL */

    /* legacy / remote source options */
    const char *repo_type;    /* "file","folder","github","huggingface","s3" or NULL = infer */
    const char *branch;       /* git branch or NULL = remote default */
    int depth;                /* git clone depth, default 1 */
    const char *revision;     /* hugging face revision */
    const char *bucket;
    const char *region;
    const char *aws_access_key_id;
    const char *aws_secret_access_key;
    const char *aws_session_token;
    const char *endpoint_url;
    const char *target_dir;   /* legacy: sub-folder of a remote repo */
    bool lfs;                 /* fetch git LFS objects */
    const char *keep_clone;   /* keep git clone in this dir */

    /* dependency scanning */
    const char *osv_db;       /* path of the OSV index; NULL = default location */
    const char *python_version; /* marker environment, default "3.11" */
    const char *sys_platform;   /* default "linux" */

    /* policy */
    const char *ignore_file;  /* extra ignore file */
    const char *baseline;     /* baseline JSON: findings in it are suppressed */

    wt_progress_fn progress;
    void *progress_ud;
    volatile int *cancel;     /* set non-zero to stop the scan */
} wt_scan_options;

void wt_scan_options_default(wt_scan_options *o);

typedef struct wt_analyzer_stat {
    const char *name;
    uint64_t artifacts;
    uint64_t nanos;
} wt_analyzer_stat;

typedef struct wt_scan_result {
    char *scan_id;
    char *repo_type;          /* "file","folder","github","huggingface","s3" */
    char *repo_url;           /* path / URL, or bucket name for s3 */
    bool is_s3;

    wt_finding **findings;    /* sorted deterministically */
    size_t nfindings;

    size_t artifacts;         /* top-level artifacts enumerated */
    size_t artifacts_scanned;
    size_t models_found, models_scanned;
    size_t nbreq_found, nbreq_scanned; /* notebooks & requirement files */
    uint64_t bytes_total;     /* sum of sizes of top-level artifacts */
    uint64_t bytes_read;      /* bytes actually read */
    uint64_t bytes_unpacked;  /* bytes decompressed from archives and codecs, all levels */
    double seconds;
    wt_analyzer_stat *stats;
    size_t nstats;
    char **notes;             /* scan-level notes shown to the user */
    size_t nnotes;
    /* per-artifact classification, sorted by name */
    struct wt_artifact_info { char *name; char *kind; uint64_t size; } *infos;
    size_t ninfos;
} wt_scan_result;

/* Scan targets (paths or URLs). Returns WT_OK and a result, or an error
 * code with *err set (caller frees). Per-artifact problems are findings. */
int wt_scan(const char *const *targets, size_t ntargets, const wt_scan_options *opt,
            wt_scan_result **out, char **err);
void wt_scan_result_free(wt_scan_result *r);
/* Scan one in-memory artifact (tests, web uploads). */
int wt_scan_memory(const char *name, const void *buf, size_t len, const wt_scan_options *opt,
                   wt_scan_result **out, char **err);

/* Count findings at or above a severity. */
size_t wt_result_count_at_least(const wt_scan_result *r, wt_severity min);

/* ---- targets ---- */
typedef enum {
    WT_TARGET_LOCAL = 0,
    WT_TARGET_GIT,         /* github or any git URL */
    WT_TARGET_HUGGINGFACE,
    WT_TARGET_S3,
} wt_target_kind;

typedef struct wt_target {
    wt_target_kind kind;
    char *raw;         /* as given */
    char *location;    /* local path, clone URL, "owner/name", bucket */
    char *subpath;     /* sub-folder to limit the scan to, or NULL */
    char *ref;         /* branch / revision from the URL, or NULL */
    char *hf_type;     /* "models","datasets","spaces" for HF */
    bool is_github;
} wt_target;

int wt_target_parse(const char *arg, const char *repo_type_hint, wt_target *out, char **err);
void wt_target_fini(wt_target *t);

/* ---- reports ---- */
/* Full findings list (--format json). */
int wt_report_json(const wt_scan_result *r, FILE *out);
/* SARIF 2.1.0. */
int wt_report_sarif(const wt_scan_result *r, FILE *out);
/* Human-readable summary; color = use ANSI colours. */
int wt_report_text(const wt_scan_result *r, FILE *out, bool color, bool verbose);
/* Write the three Watchtower JSON reports atomically under dir; returns
 * the summary report path in *summary_path (caller frees). */
int wt_reports_write(const wt_scan_result *r, const char *dir, char **summary_path, char **err);
/* Render one of the three watchtower reports to a string:
 * which = "summary" | "detailed" | "severity". Caller frees. */
char *wt_report_watchtower_string(const wt_scan_result *r, const char *which);
/* One finding as JSON (same shape as --format json), jansson object. */
struct json_t *wt_finding_to_json(const wt_finding *f);

/* ---- OSV database ---- */
/* Default database path under XDG cache (caller frees). */
char *wt_osv_default_path(void);

#ifdef __cplusplus
}
#endif
#endif
