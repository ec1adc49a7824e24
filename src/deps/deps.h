/*
 * deps.h - the dependency model shared by the deps parsers and checker.
 *
 * Owns: wt_dep (one requirement as read from a requirements file, a
 * manifest, a lock file or a `pip install` line), PEP 508 requirement and
 * marker parsing, the marker environment, and the parsers' entry points.
 * Parsers are pure (text in, deps out); deps_analyzer.c checks the deps
 * against the OSV index and emits findings.
 */
#ifndef WT_DEPS_DEPS_H
#define WT_DEPS_DEPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util.h"
#include "deps/pep440.h"

/* Target environment for PEP 508 markers. */
typedef struct wt_marker_env {
    char python_version[16];       /* "3.11" */
    char python_full_version[24];  /* "3.11.0" */
    char sys_platform[32];         /* "linux" */
    char platform_system[32];      /* "Linux" */
    char os_name[16];              /* "posix" */
    char platform_machine[32];     /* "x86_64" */
    char implementation_name[16];  /* "cpython" */
    char platform_python_implementation[16]; /* "CPython" */
    char platform_release[32];
    char platform_version[32];
    char extra[64];                /* "" */
} wt_marker_env;

/* Defaults: CPython 3.11 on Linux x86_64; NULL arguments keep defaults. */
void wt_marker_env_init(wt_marker_env *env, const char *python_version, const char *sys_platform);
/* Evaluate a marker expression. 0 and *result, or -1 with *err. */
int wt_marker_eval(const char *s, size_t n, const wt_marker_env *env, bool *result, char **err);

typedef enum {
    WT_DEP_MANIFEST = 0, /* requirements file, pyproject, Pipfile, setup.cfg, environment.yml */
    WT_DEP_LOCK,         /* lock file: exact versions */
    WT_DEP_PIP,          /* `pip install` line in a notebook or script */
} wt_dep_origin;

typedef struct wt_dep {
    char *name;        /* as written */
    char *norm;        /* PEP 503 */
    char *extras;      /* "a,b" or NULL */
    char *spec_text;   /* specifier as written ("" = any) */
    wt_specset spec;
    char *version;     /* exact version (lock files), else NULL */
    char *marker;      /* marker text or NULL */
    char *unauditable; /* why it cannot be checked (URL, VCS, path, ${VAR}) or NULL */
    char *raw;         /* the requirement as written (evidence) */
    char *file;        /* included file it came from (relative), NULL = this artifact */
    char *section;     /* "dependencies", "dev-packages", "constraint"... or NULL */
    uint32_t line;     /* 1-based line, 0 unknown */
    uint32_t via_line; /* included deps: line of the -r/-c in the scanned artifact */
    wt_dep_origin origin;
    bool editable;
} wt_dep;

void wt_dep_free(wt_dep *d);
void wt_dep_list_free(wt_vec *deps); /* frees every wt_dep in the vector */

/* Parse one PEP 508 requirement ("name[extra]>=1; marker" or "name @ url").
 * On success *out is filled; *marker_ok = marker evaluated true (or no
 * marker). Returns 0 or -1 with *err. */
int wt_pep508_parse(const char *s, size_t n, const wt_marker_env *env, wt_dep *out, bool *marker_ok, char **err);

/* A problem found while parsing (malformed line, include not followed). */
typedef struct wt_dep_issue {
    char *message;
    char *file;      /* NULL = this artifact */
    uint32_t line;
    uint32_t via_line; /* in an included file: line of the -r/-c in this artifact */
} wt_dep_issue;
void wt_dep_issue_free(void *p);

/* Include resolution for requirements files: open relpath (relative to
 * the scanned artifact's directory); NULL if absent or outside the root. */
typedef struct wt_dep_opener {
    char *(*read)(void *ud, const char *relpath, size_t *len); /* malloc'd text */
    void *ud;
    /* whether an included file is itself scanned as a dependency file (its
     * requirements are then not reported twice) */
    bool (*scanned_alone)(void *ud, const char *relpath);
} wt_dep_opener;

/* pip requirements file syntax. relname = this file's name (for cycle
 * detection). deps/issues receive wt_dep* / wt_dep_issue*. */
int wt_requirements_parse(const char *text, size_t len, const char *relname, const wt_dep_opener *op,
                          const wt_marker_env *env, wt_vec *deps, wt_vec *issues);
/* The arguments of `pip install` (everything after "install"). */
int wt_pip_args_parse(const char *args, size_t len, const wt_dep_opener *op, const wt_marker_env *env,
                      wt_vec *deps, wt_vec *issues);

/* Manifests and lock files (text in, deps out). 0 ok, -1 malformed (an
 * issue says why). */
int wt_pyproject_parse(const char *text, size_t len, const wt_marker_env *env, wt_vec *deps, wt_vec *issues);
int wt_poetry_lock_parse(const char *text, size_t len, wt_vec *deps, wt_vec *issues);
int wt_pipfile_parse(const char *text, size_t len, const wt_marker_env *env, wt_vec *deps, wt_vec *issues);
int wt_pipfile_lock_parse(const char *text, size_t len, const wt_marker_env *env, wt_vec *deps, wt_vec *issues);
int wt_uv_lock_parse(const char *text, size_t len, wt_vec *deps, wt_vec *issues);
int wt_pylock_parse(const char *text, size_t len, const wt_marker_env *env, wt_vec *deps, wt_vec *issues);
int wt_setup_cfg_parse(const char *text, size_t len, const wt_marker_env *env, wt_vec *deps, wt_vec *issues);
int wt_conda_env_parse(const char *text, size_t len, const wt_marker_env *env, wt_vec *deps, wt_vec *issues);

/* helpers shared by the parsers */
void wt_dep_issue_add(wt_vec *issues, const char *file, uint32_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* 1-based line of byte offset off in text. */
uint32_t wt_text_line_of(const char *text, size_t len, size_t off);

#endif
