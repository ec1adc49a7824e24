/*
 * policy.h - what happens to findings after analyzers ran and before
 * reports: baseline suppression (findings whose fingerprint is in a previous
 * --format json report are dropped) and severity overrides.
 */
#ifndef WT_POLICY_H
#define WT_POLICY_H

#include "util.h"
#include "watchtower/watchtower.h"

/* Filter/adjust the findings vector in place; free_fn frees dropped ones. */
void wt_policy_apply(const wt_scan_options *opt, wt_vec *findings, void (*free_fn)(void *));

#endif
