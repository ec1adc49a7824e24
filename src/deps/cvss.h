/*
 * cvss.h - CVSS base scores from vector strings (v3.0, v3.1, v4.0).
 *
 * Owns: parsing a CVSS vector and computing its base score as the FIRST
 * specifications define it. v3.x uses the published formula with the
 * spec's Roundup; v4.0 uses the MacroVector lookup table (data in
 * rules/cvss4_macrovectors.tsv) and the spec's interpolation. For v4.0
 * only base (and, when present, threat/environmental) metrics are used.
 */
#ifndef WT_DEPS_CVSS_H
#define WT_DEPS_CVSS_H

#include "watchtower/watchtower.h"

/* Base score of a vector ("CVSS:3.1/AV:N/..." or "CVSS:4.0/..."): 0 ok and
 * *score in [0, 10] with one decimal; -1 if the vector is malformed. */
int wt_cvss_score(const char *vector, double *score);
/* Qualitative rating of a score: 0 => NONE, <4 low, <7 medium, <9 high,
 * else critical. */
wt_severity wt_cvss_severity(double score);

#endif
