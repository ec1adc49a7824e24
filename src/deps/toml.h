/*
 * toml.h - a small, careful TOML 1.0 parser producing a jansson tree.
 *
 * Debian 12 ships no C TOML library (only C++/Go/Perl/Python ones), so this
 * is our own. Tables become objects, arrays arrays, strings strings,
 * integers integers, floats reals, booleans booleans, and date-times their
 * RFC 3339 text. Every table defined by a [header] or [[header]] gets an
 * integer member "__line__" with the header's line, so callers can report
 * locations. Input is hostile: nesting depth, sizes and keys are bounded,
 * duplicate keys and redefined tables are errors, invalid UTF-8 is an error.
 * Checked against CPython's tomllib test data: every valid document gives
 * the same values; the known leniencies are extending a [header] table
 * through dotted keys in another table, and calendar-invalid dates.
 */
#ifndef WT_DEPS_TOML_H
#define WT_DEPS_TOML_H

#include <stddef.h>

struct json_t;

#define WT_TOML_LINE_KEY "__line__"

/* Parse text; returns a new object, or NULL with *err ("line N: why",
 * caller frees) set. */
struct json_t *wt_toml_parse(const char *text, size_t len, char **err);

#endif
