/*
 * report_util.h - helpers shared by the report writers (src/report/):
 * UTF-8-safe JSON strings, finding grouping by top-level file, the "tool"
 * (area) name of a rule, the summary classification of findings, and
 * atomic file writes. Internal to libwatchtower.
 */
#ifndef WT_REPORT_UTIL_H
#define WT_REPORT_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "watchtower/watchtower.h"

/* Flags every JSON report is dumped with (2-space indent, insertion order,
 * bounded real precision so output is byte-stable). */
#define WT_JSON_DUMP_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6))

/* JSON string from C string; NULL -> json null; invalid UTF-8 bytes are
 * replaced by "\xNN" text so a hostile file name never drops a key. */
json_t *wt_jstr(const char *s);
json_t *wt_jstrn(const char *s, size_t n);
/* Unsigned integer as JSON (clamped to INT64_MAX). */
json_t *wt_juint(uint64_t v);

/* Length of the top-level part of a nested artifact name ("a.zip!b" -> 1+4). */
size_t wt_report_top_len(const char *artifact);
/* Lower-case area of a rule id ("WT-PICKLE-001" -> "pickle") into buf. */
const char *wt_report_tool_name(const char *rule_id, char *buf, size_t n);

/* Summary bucket of a finding in the Watchtower summary report. */
typedef enum {
    WT_BUCKET_NONE = 0,
    WT_BUCKET_MODEL,
    WT_BUCKET_NBREQ,
} wt_report_bucket;
wt_report_bucket wt_report_bucket_of(const wt_scan_result *r, const wt_finding *f);
/* Whether a (top-level) file name is a notebook or a dependency file. */
bool wt_report_is_nbreq_name(const char *name, size_t len);

/* Write data to path atomically (temp file in the same directory, fsync,
 * rename). Returns 0 or -1 with *err set. */
int wt_write_atomic(const char *path, const void *data, size_t len, char **err);
/* mkdir -p; returns 0 or -1 with *err set. */
int wt_mkdirs(const char *dir, char **err);

/* Render with a FILE-writing callback into a malloc'd string. */
char *wt_json_dumps(const json_t *j);

#endif
