/*
 * markers.c - PEP 508 environment markers: a small recursive-descent
 * evaluator over a configurable target environment. Version comparisons
 * use PEP 440 when both sides are versions, else string comparison.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deps/deps.h"

#define MAX_DEPTH 32
#define MAX_MARKER 4096

static void copy(char *dst, size_t cap, const char *src) { snprintf(dst, cap, "%s", src); }

void wt_marker_env_init(wt_marker_env *env, const char *python_version, const char *sys_platform) {
    memset(env, 0, sizeof *env);
    copy(env->python_version, sizeof env->python_version, "3.11");
    if (python_version && *python_version) {
        /* accept "3.12" or "3.12.4": python_version is major.minor */
        int maj = 0, min = 0;
        if (sscanf(python_version, "%d.%d", &maj, &min) == 2 && maj >= 0 && min >= 0 && maj < 100 && min < 1000)
            snprintf(env->python_version, sizeof env->python_version, "%d.%d", maj, min);
    }
    if (python_version && strchr(python_version, '.') != strrchr(python_version, '.') && strlen(python_version) < 24)
        copy(env->python_full_version, sizeof env->python_full_version, python_version);
    else
        snprintf(env->python_full_version, sizeof env->python_full_version, "%s.0", env->python_version);
    copy(env->sys_platform, sizeof env->sys_platform, sys_platform && *sys_platform ? sys_platform : "linux");
    const char *sys = "Linux", *os = "posix";
    if (!strcmp(env->sys_platform, "win32") || !strcmp(env->sys_platform, "cygwin")) {
        sys = !strcmp(env->sys_platform, "win32") ? "Windows" : "CYGWIN_NT";
        os = !strcmp(env->sys_platform, "win32") ? "nt" : "posix";
    } else if (!strcmp(env->sys_platform, "darwin")) {
        sys = "Darwin";
    } else if (strncmp(env->sys_platform, "freebsd", 7) == 0) {
        sys = "FreeBSD";
    }
    copy(env->platform_system, sizeof env->platform_system, sys);
    copy(env->os_name, sizeof env->os_name, os);
    copy(env->platform_machine, sizeof env->platform_machine,
         !strcmp(env->sys_platform, "win32") ? "AMD64" : !strcmp(env->sys_platform, "darwin") ? "arm64" : "x86_64");
    copy(env->implementation_name, sizeof env->implementation_name, "cpython");
    copy(env->platform_python_implementation, sizeof env->platform_python_implementation, "CPython");
}

typedef struct {
    const char *s;
    size_t n, i;
    const wt_marker_env *env;
    char *err;
    int depth;
} mp;

static void ws(mp *p) {
    while (p->i < p->n && isspace((unsigned char)p->s[p->i])) p->i++;
}

static bool word(mp *p, const char *w) {
    size_t l = strlen(w);
    if (p->i + l > p->n || memcmp(p->s + p->i, w, l) != 0) return false;
    if (p->i + l < p->n && (isalnum((unsigned char)p->s[p->i + l]) || p->s[p->i + l] == '_')) return false;
    p->i += l;
    return true;
}

static void fail(mp *p, const char *msg) {
    if (!p->err) p->err = wt_xasprintf("marker: %s at column %zu", msg, p->i + 1);
}

/* A value: quoted string or environment variable. is_var tells which. */
static bool value(mp *p, char *out, size_t cap, bool *is_var, const char **varname) {
    ws(p);
    if (p->i >= p->n) {
        fail(p, "value expected");
        return false;
    }
    char q = p->s[p->i];
    if (q == '"' || q == '\'') {
        size_t j = p->i + 1;
        while (j < p->n && p->s[j] != q) j++;
        if (j >= p->n) {
            fail(p, "unterminated string");
            return false;
        }
        size_t l = j - p->i - 1;
        if (l >= cap) l = cap - 1;
        memcpy(out, p->s + p->i + 1, l);
        out[l] = 0;
        p->i = j + 1;
        *is_var = false;
        return true;
    }
    static const struct { const char *name; size_t off; } vars[] = {
        {"python_full_version", offsetof(wt_marker_env, python_full_version)},
        {"python_version", offsetof(wt_marker_env, python_version)},
        {"sys_platform", offsetof(wt_marker_env, sys_platform)},
        {"platform_system", offsetof(wt_marker_env, platform_system)},
        {"os_name", offsetof(wt_marker_env, os_name)},
        {"os.name", offsetof(wt_marker_env, os_name)},
        {"sys.platform", offsetof(wt_marker_env, sys_platform)},
        {"platform_machine", offsetof(wt_marker_env, platform_machine)},
        {"platform.machine", offsetof(wt_marker_env, platform_machine)},
        {"implementation_name", offsetof(wt_marker_env, implementation_name)},
        {"implementation_version", offsetof(wt_marker_env, python_full_version)},
        {"platform_python_implementation", offsetof(wt_marker_env, platform_python_implementation)},
        {"platform.python_implementation", offsetof(wt_marker_env, platform_python_implementation)},
        {"python_implementation", offsetof(wt_marker_env, platform_python_implementation)},
        {"platform_release", offsetof(wt_marker_env, platform_release)},
        {"platform_version", offsetof(wt_marker_env, platform_version)},
        {"platform.version", offsetof(wt_marker_env, platform_version)},
        {"extra", offsetof(wt_marker_env, extra)},
    };
    for (size_t k = 0; k < sizeof vars / sizeof vars[0]; k++) {
        if (word(p, vars[k].name)) {
            copy(out, cap, (const char *)p->env + vars[k].off);
            *is_var = true;
            *varname = vars[k].name;
            return true;
        }
    }
    fail(p, "unknown marker variable");
    return false;
}

typedef enum { M_LE, M_LT, M_NE, M_EQ, M_GE, M_GT, M_COMPAT, M_ARB, M_IN, M_NOTIN } mop;

static bool op(mp *p, mop *o) {
    ws(p);
    const char *s = p->s + p->i;
    size_t rem = p->n - p->i;
    static const struct { const char *t; mop o; } ops[] = {{"===", M_ARB}, {"==", M_EQ}, {"!=", M_NE}, {"<=", M_LE},
                                                          {">=", M_GE},  {"~=", M_COMPAT}, {"<", M_LT}, {">", M_GT}};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        size_t l = strlen(ops[k].t);
        if (rem >= l && memcmp(s, ops[k].t, l) == 0) {
            p->i += l;
            *o = ops[k].o;
            return true;
        }
    }
    if (word(p, "in")) {
        *o = M_IN;
        return true;
    }
    if (word(p, "not")) {
        ws(p);
        if (word(p, "in")) {
            *o = M_NOTIN;
            return true;
        }
    }
    fail(p, "operator expected");
    return false;
}

static bool compare(mop o, const char *l, const char *r) {
    if (o == M_IN) return strstr(r, l) != NULL;
    if (o == M_NOTIN) return strstr(r, l) == NULL;
    if (o == M_ARB) return strcmp(l, r) == 0;
    /* PEP 508 / packaging: when "op rhs" is a valid specifier, compare as
     * versions (an lhs that is not a version then compares false);
     * otherwise compare strings */
    static const char *const optxt[] = {"<=", "<", "!=", "==", ">=", ">", "~="};
    {
        char *spec = wt_xasprintf("%s%s", optxt[o], r);
        wt_specset ss;
        char *err = NULL;
        if (wt_specset_parse(spec, strlen(spec), &ss, &err) == 0) {
            wt_ver *v = wt_ver_parse_cstr(l);
            /* pre-releases allowed, as packaging >= 22 evaluates markers */
            bool res = wt_ver_valid(v) && wt_specset_contains(&ss, v, true);
            wt_ver_free(v);
            wt_specset_free(&ss);
            free(spec);
            return res;
        }
        free(err);
        free(spec);
    }
    /* not versions: Python string comparison, as packaging does (~= and
     * === are undefined there: false) */
    int c = strcmp(l, r);
    switch (o) {
    case M_EQ: return c == 0;
    case M_NE: return c != 0;
    case M_LT: return c < 0;
    case M_LE: return c <= 0;
    case M_GT: return c > 0;
    case M_GE: return c >= 0;
    default: return false;
    }
}

static bool expr_or(mp *p);

static bool atom(mp *p) {
    ws(p);
    if (p->i < p->n && p->s[p->i] == '(') {
        if (++p->depth > MAX_DEPTH) {
            fail(p, "nesting too deep");
            return false;
        }
        p->i++;
        bool r = expr_or(p);
        ws(p);
        if (p->i >= p->n || p->s[p->i] != ')') fail(p, "')' expected");
        else p->i++;
        p->depth--;
        return r;
    }
    char l[256], r[256];
    bool lvar = false, rvar = false;
    const char *lname = NULL, *rname = NULL;
    mop o;
    if (!value(p, l, sizeof l, &lvar, &lname) || !op(p, &o) || !value(p, r, sizeof r, &rvar, &rname)) return false;
    (void)lname;
    (void)rname;
    return compare(o, l, r);
}

static bool expr_and(mp *p) {
    bool r = atom(p);
    for (;;) {
        ws(p);
        if (p->err || !word(p, "and")) return r;
        bool b = atom(p);
        r = r && b;
    }
}

static bool expr_or(mp *p) {
    bool r = expr_and(p);
    for (;;) {
        ws(p);
        if (p->err || !word(p, "or")) return r;
        bool b = expr_and(p);
        r = r || b;
    }
}

int wt_marker_eval(const char *s, size_t n, const wt_marker_env *env, bool *result, char **err) {
    *err = NULL;
    *result = true;
    if (n > MAX_MARKER) {
        *err = wt_xstrdup("marker: too long");
        return -1;
    }
    mp p = {s, n, 0, env, NULL, 0};
    bool r = expr_or(&p);
    ws(&p);
    if (!p.err && p.i != p.n) fail(&p, "unexpected text");
    if (p.err) {
        *err = p.err;
        return -1;
    }
    *result = r;
    return 0;
}
