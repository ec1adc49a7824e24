/*
 * pyproject.h - helpers shared by the TOML-based manifest and lock readers.
 */
#ifndef WT_DEPS_PYPROJECT_H
#define WT_DEPS_PYPROJECT_H

#include <jansson.h>

#include "deps/deps.h"

/* First line at or after from_line where needle occurs (0 if not found). */
uint32_t wt_dep_find_line(const char *text, size_t len, const char *needle, uint32_t from_line);
/* Parse and add one PEP 508 string (marker false => skipped). */
void wt_dep_add_pep508(const char *text, size_t len, const char *str, const char *section, uint32_t near_line,
                       const wt_marker_env *env, wt_vec *deps, wt_vec *issues);
/* "name = constraint | {version, markers, git...}" tables. */
void wt_dep_add_name_table(const char *text, size_t len, json_t *table, const char *section, bool poetry,
                           const wt_marker_env *env, wt_vec *deps, wt_vec *issues);
/* Poetry constraint (^1.2, ~1.2, 1.2.*, >=1,<2) => PEP 440 specifier text,
 * NULL if it cannot be expressed. */
char *wt_poetry_constraint(const char *c);

#endif
