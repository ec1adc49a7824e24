/*
 * deps_check.h - matching one dependency against a package's advisories
 * (pure; used by deps_analyzer.c, tests and the benchmark).
 */
#ifndef WT_DEPS_CHECK_H
#define WT_DEPS_CHECK_H

#include "deps/deps.h"
#include "core/analyzer.h"
#include "deps/osv.h"

typedef enum {
    WT_MATCH_NONE = 0,
    WT_MATCH_POSSIBLE = 1, /* some allowed version affected, the newest allowed is not */
    WT_MATCH_AFFECTED = 2, /* the pinned / newest allowed version is affected */
} wt_match_status;

typedef struct wt_dep_match {
    const wt_osv_adv *adv;
    wt_match_status status;
    wt_severity severity;  /* advisory severity, capped at medium when only possible */
    const wt_ver *fixed;   /* lowest fixed version above the checked one, or NULL */
    int dup_of;            /* index of the match this one duplicates (same
                            * vulnerability under another id: PYSEC/GHSA/CVE
                            * aliases), or -1 */
} wt_dep_match;

typedef struct wt_dep_result {
    wt_dep_match *m;
    size_t n;               /* matches, duplicates included */
    size_t ndistinct;       /* matches with dup_of < 0 */
    bool pinned;
    wt_ver *version;        /* the pinned version, or the lowest affected allowed one */
    size_t nallowed;        /* versions of the universe the specifier allows */
    wt_ver *fixed_overall;  /* lowest version above it that no matched advisory affects */
    wt_severity severity;   /* max over matches */
    bool malicious;
} wt_dep_result;

/* Match d against p (may be NULL: no advisories). 0 ok. */
int wt_dep_match_pkg(const wt_osv_pkg *p, const wt_dep *d, wt_dep_result *out);
void wt_dep_result_fini(wt_dep_result *r);

/* Typosquat check: the popular name one edit away (Damerau-Levenshtein)
 * from norm, or NULL if norm is popular itself or no popular name is that
 * close. Uses rules/popular_packages.txt. */
const char *wt_deps_typosquat_of(const char *norm);

/* Whether a basename is a dependency file this module reads. */
bool wt_deps_is_dep_file(const char *name);

/* The analyzer and the `pip install` hook (wired in core/registry.c). */
extern const wt_analyzer wt_deps_analyzer;
void wt_deps_pip_install(wt_ctx *ctx, const char *args, size_t len, const wt_location *loc);

#endif
