/*
 * report_json.h - internal entry points of the JSON findings report, used by
 * the other report writers and by policy (baseline files).
 */
#ifndef WT_REPORT_JSON_H
#define WT_REPORT_JSON_H

#include <jansson.h>

#include "watchtower/watchtower.h"

/* The whole --format json document (caller decrefs). */
json_t *wt_report_json_doc(const wt_scan_result *r);
/* {"critical","high","medium","low","total"} counts of r's findings. */
json_t *wt_report_counts_json(const wt_scan_result *r);

#endif
