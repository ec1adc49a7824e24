/*
 * magics.h - IPython magics, shell escapes and shell command lines.
 *
 * Owns: recognising notebook magic lines (`!cmd`, `!!cmd`, `%pip ...`,
 * `%system`, `x = !cmd`), cell magics (`%%bash`, `%%sh`, `%%script bash`),
 * splitting shell text into simple commands and pipelines, and the two shell
 * facts the scanner cares about: `pip install ...` commands (handed to the
 * dependency scanner through wt_check_pip_install) and "download piped into a
 * shell" (`curl ... | sh`, `bash <(wget ...)`). Pure functions: no context,
 * no findings; code_rules.c turns hits into findings.
 */
#ifndef WT_TEXT_MAGICS_H
#define WT_TEXT_MAGICS_H

#include <stdbool.h>
#include <stddef.h>

/* What a whole cell is, from its first non-blank line. */
typedef enum {
    WT_CELL_PYTHON = 0, /* no cell magic, or one whose body is Python (%%time, %%capture...) */
    WT_CELL_SHELL,      /* %%bash, %%sh, %%script bash|sh|zsh, %%system */
    WT_CELL_OTHER,      /* %%html, %%javascript, %%sql, %%latex...: not code we check */
} wt_cell_kind;

/* Classify a cell by its cell magic. *body_off receives the offset of the
 * line after the cell-magic line (0 when there is none). */
wt_cell_kind wt_magics_cell_kind(const char *text, size_t len, size_t *body_off);

/* Kinds of line magics / escapes. */
typedef enum {
    WT_MAGIC_NONE = 0, /* not a magic line */
    WT_MAGIC_SHELL,    /* !cmd, !!cmd, %system cmd, %sx cmd, x = !cmd : cmd is shell */
    WT_MAGIC_PIP,      /* %pip ... : cmd is "pip ..." (span starts at "pip") */
    WT_MAGIC_OTHER,    /* any other %magic (ignored) */
} wt_magic_kind;

typedef struct wt_magic_info {
    wt_magic_kind kind;
    size_t cmd_off; /* offset of the command inside the line */
    size_t cmd_len;
} wt_magic_info;

/* Classify one physical line (without its newline). Leading whitespace is
 * allowed. For `x = !cmd` / `x = %sx cmd` the assignment prefix is skipped. */
wt_magic_kind wt_magics_classify_line(const char *line, size_t len, wt_magic_info *out);

/* Facts found in shell text. */
typedef enum {
    WT_SHELL_PIP_INSTALL = 1, /* span = the arguments after "install" */
    WT_SHELL_PIPE_TO_SHELL,   /* span = the whole command/pipeline */
} wt_shell_fact;

typedef void (*wt_shell_fact_fn)(void *ud, wt_shell_fact what, size_t off, size_t len);

/* Scan shell text (one or more lines; `\`-newline continuations, `;`, `&&`,
 * `||`, `|`, `&` separators, quotes and `#` comments understood). Offsets
 * passed to fn are relative to text. Bounded: at most max_facts callbacks. */
void wt_shell_scan(const char *text, size_t len, wt_shell_fact_fn fn, void *ud);

/* For Dockerfiles: call fn for every RUN instruction's shell text (after
 * "RUN", continuation lines included; exec-form JSON arrays included as
 * text). off/len are relative to text. */
typedef void (*wt_span_fn)(void *ud, size_t off, size_t len);
void wt_dockerfile_run_spans(const char *text, size_t len, wt_span_fn fn, void *ud);

#endif
