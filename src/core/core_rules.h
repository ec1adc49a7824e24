/*
 * core_rules.h - rules the scan core itself emits (WT-SCAN-*): unreadable or
 * malformed artifacts, exceeded budgets, unscannable model files and
 * name/content mismatches.
 */
#ifndef WT_CORE_RULES_H
#define WT_CORE_RULES_H

#include "analyzer.h"

#define WT_RULE_SCAN_ERROR "WT-SCAN-001"
#define WT_RULE_SCAN_LIMIT "WT-SCAN-002"
#define WT_RULE_UNSCANNABLE_MODEL "WT-SCAN-003"
#define WT_RULE_EXT_MISMATCH "WT-SCAN-004"
#define WT_RULE_NOT_SCANNED "WT-SCAN-005"

extern const wt_rule_table wt_core_rule_table;

#endif
