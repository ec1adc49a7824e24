/*
 * pep440.h - Python package versions (PEP 440) and specifier sets.
 *
 * Owns: parsing and normalising versions (epochs, pre/post/dev releases,
 * local versions, implicit numbers, alternate spellings, arbitrarily long
 * numbers), their total order (invalid "legacy" strings sort before every
 * valid version), PEP 503 name normalisation, and specifier sets (~=, ==,
 * ==X.*, ===, !=, <, <=, >, >=) with PEP 440's exclusive-comparison and
 * pre-release rules (pip/packaging semantics).
 */
#ifndef WT_DEPS_PEP440_H
#define WT_DEPS_PEP440_H

#include <stdbool.h>
#include <stddef.h>

#define WT_VER_MAX_LEN 256 /* longer strings are treated as legacy */

typedef struct wt_ver wt_ver;

/* Parse a version; never NULL. Invalid strings give a "legacy" version. */
wt_ver *wt_ver_parse(const char *s, size_t n);
wt_ver *wt_ver_parse_cstr(const char *s);
void wt_ver_free(wt_ver *v);
bool wt_ver_valid(const wt_ver *v);
/* Normalised form (PEP 440 section "Normalization"), or the trimmed,
 * lower-cased input for legacy versions. */
const char *wt_ver_str(const wt_ver *v);
/* Equality key: the normalised form with trailing ".0" release segments
 * removed (1.0 == 1.0.0), so equal versions have equal keys. */
char *wt_ver_key(const wt_ver *v);
/* Key of the public part (without the local label) of a version that has
 * one, else NULL. */
char *wt_ver_public_key(const wt_ver *v);
/* Total order: <0, 0, >0. Legacy < valid; legacy among themselves by
 * numeric-aware component comparison. */
int wt_ver_cmp(const wt_ver *a, const wt_ver *b);
bool wt_ver_is_prerelease(const wt_ver *v); /* has pre or dev segment */
bool wt_ver_is_postrelease(const wt_ver *v);
bool wt_ver_has_local(const wt_ver *v);

/* PEP 503 normalised project name (lower-case, runs of -_. => "-"). */
char *wt_pep503_name(const char *s, size_t n);
/* Valid PEP 508 project name (letters, digits, -_. ; alnum at both ends). */
bool wt_pep508_name_valid(const char *s, size_t n);

/* ---- specifier sets ---- */
typedef enum {
    WT_OP_COMPAT, /* ~= */
    WT_OP_EQ,     /* == */
    WT_OP_NE,     /* != */
    WT_OP_LE,
    WT_OP_GE,
    WT_OP_LT,
    WT_OP_GT,
    WT_OP_ARB,    /* === */
} wt_spec_op;

typedef struct wt_spec {
    wt_spec_op op;
    bool wildcard;   /* == / != with .* */
    wt_ver *ver;     /* NULL for === */
    char *text;      /* version text as written (for ===, messages) */
} wt_spec;

typedef struct wt_specset {
    wt_spec *items;
    size_t n;
} wt_specset;

/* Parse "~=1.2, !=1.3.*" (whitespace allowed). Empty string = no
 * constraint. Returns 0 or -1 with *err (caller frees) set. */
int wt_specset_parse(const char *s, size_t n, wt_specset *out, char **err);
void wt_specset_free(wt_specset *ss);
/* Canonical text "op ver,op ver" (caller frees). */
char *wt_specset_str(const wt_specset *ss);
/* Whether v satisfies every clause. allow_pre: accept pre-releases (else
 * they are rejected unless a clause names a pre-release). */
bool wt_specset_contains(const wt_specset *ss, const wt_ver *v, bool allow_pre);
bool wt_specset_mentions_prerelease(const wt_specset *ss);
/* The version an exact pin names (== without .*, or === with a valid
 * version), else NULL. */
const wt_ver *wt_specset_pin(const wt_specset *ss);

#endif
