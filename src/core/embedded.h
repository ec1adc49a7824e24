/*
 * embedded.h - rule tables from rules/ compiled into the binary.
 *
 * Every file under rules/ is embedded at build time (cmake/embed.cmake). A
 * user may override or extend a table with --rules-dir DIR: a file of the
 * same name there replaces the built-in one; wt_rules_text() hides that.
 */
#ifndef WT_EMBEDDED_H
#define WT_EMBEDDED_H

#include <stddef.h>

/* Built-in file contents by name ("pickle_globals.tsv"), NUL-terminated,
 * or NULL. */
const char *wt_embedded_get(const char *name, size_t *len);

/* Set the user rules directory (NULL = none). Not thread-safe; call before
 * scanning. */
void wt_rules_set_user_dir(const char *dir);
/* Rule table text: the user's file if present, else the built-in one.
 * Returned pointer lives until process exit. */
const char *wt_rules_text(const char *name, size_t *len);

#endif
