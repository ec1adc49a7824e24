/*
 * registry.h - the list of analyzers and rule tables compiled into the
 * library. Adding a format = one analyzer file + one line in registry.c.
 */
#ifndef WT_REGISTRY_H
#define WT_REGISTRY_H

#include "analyzer.h"

extern const wt_analyzer *const wt_registry_analyzers[];
extern const size_t wt_registry_nanalyzers;
extern const wt_rule_table *const wt_registry_rule_tables[];
extern const size_t wt_registry_nrule_tables;

#endif
