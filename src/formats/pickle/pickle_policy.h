/*
 * pickle_policy.h - the pickle globals policy (rules/pickle_globals.tsv).
 *
 * Owns: loading the table once, and judging a resolved global (module,
 * dotted name) by the most specific matching row: module rows match by
 * prefix at a component boundary ("asyncio" covers "asyncio.unix_events"),
 * name lists match the name or its attribute chain ("eval" covers
 * "eval.__call__"), a trailing '*' in a name matches a name prefix. Each row
 * may also carry a semantic ("getattr", "loads", ...) that tells the VM how
 * to follow the call symbolically.
 */
#ifndef WT_PICKLE_POLICY_H
#define WT_PICKLE_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "watchtower/watchtower.h"

typedef enum {
    PK_SEM_NONE = 0,
    PK_SEM_GETATTR,      /* f(obj, "name") -> obj.name */
    PK_SEM_ATTRGETTER,   /* f("a.b") -> g; g(obj) -> obj.a.b */
    PK_SEM_METHODCALLER, /* f("m", *a) -> g; g(obj) -> obj.m(*a) */
    PK_SEM_PARTIAL,      /* f(fn, *a) -> g; g(*b) -> fn(*a, *b) */
    PK_SEM_REDUCE,       /* f(fn, seq, init) -> fn(init, seq...) */
    PK_SEM_CALL,         /* f(fn, *a) -> fn(*a) (operator.call, apply) */
    PK_SEM_IMPORT,       /* f("mod") -> module mod */
    PK_SEM_RESOLVE,      /* f("mod:attr") / f("mod.attr") -> object */
    PK_SEM_RESOLVE2,     /* f("mod", "attr") -> mod.attr (numpy's _ufunc_reconstruct) */
    PK_SEM_GETITEM,      /* f(obj, key) -> obj[key] (sys.modules['os']) */
    PK_SEM_LOADS,        /* f(bytes) unpickles bytes: decode them too */
    PK_SEM_PASSBYTES,    /* f(bytes) -> the same bytes (io.BytesIO, bytes) */
    PK_SEM_ENCODE,       /* f(str, "latin1") -> bytes */
    PK_SEM_B64DECODE,    /* f(str|bytes) -> base64-decoded bytes */
} pk_sem;

/* Policy levels: allow = known-good, no finding. */
typedef enum {
    PK_LVL_ALLOW = 0,
    PK_LVL_LOW,
    PK_LVL_MEDIUM,
    PK_LVL_HIGH,
    PK_LVL_CRITICAL,
} pk_level;

typedef struct pk_verdict {
    pk_level level;
    bool known;          /* a row matched (else: unknown global, medium) */
    pk_sem sem;
    const char *reason;  /* row reason, or a generic one */
    const char *row_module;
} pk_verdict;

/* Judge module + name (name may be dotted). Never fails: an unreadable
 * table means "everything unknown" and *err_once reports why. */
void pk_policy_eval(const char *module, const char *name, pk_verdict *out);
/* Judge a full global the way the unpickler resolves it: the canonical
 * split, every prefix of the attribute chain, and every re-rooting of the
 * chain at a component that names a module (pathlib + os.system). */
void pk_policy_judge(const char *module, const char *name, pk_verdict *out);

/* Error loading the table (NULL if it loaded fine). */
const char *pk_policy_error(void);
/* Number of rows loaded (tests). */
size_t pk_policy_rows(void);

wt_severity pk_level_severity(pk_level l);
const char *pk_level_name(pk_level l);

#endif
