/*
 * textfile.h - the "text" analyzer: Python sources and config/text files
 * (.py, .env, .yaml/.yml, .json, .toml, .cfg/.ini, .properties, .sh, .md,
 * .txt, Dockerfile, .npmrc, .pypirc, pip.conf...) and any other file that is
 * text by content. Reads at most limits.max_text_size bytes, skips binary
 * content (NUL bytes, invalid UTF-8) and hands the buffer to every text
 * detector with an origin kind derived from the name (or a shebang).
 */
#ifndef WT_TEXT_TEXTFILE_H
#define WT_TEXT_TEXTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/analyzer.h"

extern const wt_analyzer wt_textfile_analyzer;

/* Origin kind for a file name ("python", "shell", "dockerfile", "env",
 * "yaml", "json", "toml", "ini", "markdown", "text"), or NULL if the name
 * says nothing. */
const char *wt_textfile_kind_by_name(const char *name);
/* Kind from a "#!" line ("python" / "shell"), or NULL. */
const char *wt_textfile_kind_by_shebang(const char *text, size_t len);
/* Text by content: no NUL byte and (almost) valid UTF-8. */
bool wt_textfile_looks_text(const uint8_t *p, size_t n);

#endif
