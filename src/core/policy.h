/*
 * policy.h - what happens to findings after the analyzers: severity
 * overrides from a policy file and baseline suppression by fingerprint.
 * Applied to a finished wt_scan_result; idempotent (applying twice is the
 * same as once), so both the core and a front end may call it.
 *
 * Policy file (docs/severity.md), one rule per line, '#' comments:
 *     <rule-id-glob>  <low|medium|high|critical|off>  [<artifact-glob>]
 * e.g. "WT-PICKLE-010 low", "WT-SECRET-* high", "WT-SCAN-003 off tests/..."
 * The last matching line wins; "off" drops the finding.
 *
 * Baseline: a previous `--format json` output (or a bare JSON array of
 * findings, or an array of fingerprint strings); findings whose fingerprint
 * is in it are suppressed.
 */
#ifndef WT_POLICY_H
#define WT_POLICY_H

#include <stddef.h>

#include "util.h"
#include "watchtower/watchtower.h"

/* Used by the scan core before sorting: apply opt->baseline (if set) to the
 * findings vector in place; free_fn frees dropped findings. An unreadable
 * baseline is ignored here (front ends validate it first with
 * wt_policy_load_baseline and report the error). */
void wt_policy_apply(const wt_scan_options *opt, wt_vec *findings, void (*free_fn)(void *));

typedef struct wt_policy wt_policy;

wt_policy *wt_policy_new(void);
void wt_policy_free(wt_policy *p);

/* Add override lines from text (origin names it in errors). 0 or -1 + *err. */
int wt_policy_parse_overrides(wt_policy *p, const char *text, size_t len, const char *origin, char **err);
int wt_policy_load_overrides(wt_policy *p, const char *path, char **err);
/* Add the fingerprints of a baseline document (text or file). */
int wt_policy_parse_baseline(wt_policy *p, const char *text, size_t len, const char *origin, char **err);
int wt_policy_load_baseline(wt_policy *p, const char *path, char **err);

size_t wt_policy_noverrides(const wt_policy *p);
size_t wt_policy_nbaseline(const wt_policy *p);

/* Apply to a result: re-severity, drop "off" and baselined findings (freed),
 * add a note with the counts. Returns the number of findings removed. */
size_t wt_policy_apply_result(const wt_policy *p, wt_scan_result *r);

/* Write r as a baseline file (the --format json document), atomically. */
int wt_baseline_write(const wt_scan_result *r, const char *path, char **err);

#endif
