/*
 * specifiers.c - PEP 440 specifier sets with packaging's semantics. See
 * pep440.h.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "deps/pep440.h"

int wt__ver_cmp_public(const wt_ver *a, const wt_ver *b);
int wt__ver_cmp_base(const wt_ver *a, const wt_ver *b);
bool wt__ver_prefix_match(const wt_ver *v, const wt_ver *spec);
size_t wt__ver_nrelease(const wt_ver *v);
wt_ver *wt__ver_compat_prefix(const wt_ver *v);

#define MAX_CLAUSES 64

static const char *op_text(wt_spec_op op) {
    switch (op) {
    case WT_OP_COMPAT: return "~=";
    case WT_OP_EQ: return "==";
    case WT_OP_NE: return "!=";
    case WT_OP_LE: return "<=";
    case WT_OP_GE: return ">=";
    case WT_OP_LT: return "<";
    case WT_OP_GT: return ">";
    case WT_OP_ARB: return "===";
    }
    return "?";
}

void wt_specset_free(wt_specset *ss) {
    if (!ss) return;
    for (size_t i = 0; i < ss->n; i++) {
        wt_ver_free(ss->items[i].ver);
        free(ss->items[i].text);
    }
    free(ss->items);
    ss->items = NULL;
    ss->n = 0;
}

static int parse_clause(const char *s, size_t n, wt_spec *out, char **err) {
    while (n && isspace((unsigned char)*s)) s++, n--;
    while (n && isspace((unsigned char)s[n - 1])) n--;
    memset(out, 0, sizeof *out);
    size_t k;
    if (n >= 3 && memcmp(s, "===", 3) == 0) { out->op = WT_OP_ARB; k = 3; }
    else if (n >= 2 && memcmp(s, "~=", 2) == 0) { out->op = WT_OP_COMPAT; k = 2; }
    else if (n >= 2 && memcmp(s, "==", 2) == 0) { out->op = WT_OP_EQ; k = 2; }
    else if (n >= 2 && memcmp(s, "!=", 2) == 0) { out->op = WT_OP_NE; k = 2; }
    else if (n >= 2 && memcmp(s, "<=", 2) == 0) { out->op = WT_OP_LE; k = 2; }
    else if (n >= 2 && memcmp(s, ">=", 2) == 0) { out->op = WT_OP_GE; k = 2; }
    else if (n >= 1 && s[0] == '<') { out->op = WT_OP_LT; k = 1; }
    else if (n >= 1 && s[0] == '>') { out->op = WT_OP_GT; k = 1; }
    else {
        *err = wt_xasprintf("specifier without operator: '%.*s'", (int)(n > 60 ? 60 : n), s);
        return -1;
    }
    const char *v = s + k;
    size_t vn = n - k;
    while (vn && isspace((unsigned char)*v)) v++, vn--;
    if (vn == 0 || vn > WT_VER_MAX_LEN) {
        *err = wt_xasprintf("specifier '%s' without a valid version", op_text(out->op));
        return -1;
    }
    for (size_t i = 0; i < vn; i++)
        if (isspace((unsigned char)v[i]) || v[i] == ',' || v[i] == ';') {
            *err = wt_xasprintf("malformed specifier '%.*s'", (int)(n > 60 ? 60 : n), s);
            return -1;
        }
    out->text = wt_xstrndup(v, vn);
    if (out->op == WT_OP_ARB) return 0;
    if ((out->op == WT_OP_EQ || out->op == WT_OP_NE) && vn > 2 && memcmp(v + vn - 2, ".*", 2) == 0) {
        out->wildcard = true;
        vn -= 2;
    }
    out->ver = wt_ver_parse(v, vn);
    bool ok = wt_ver_valid(out->ver);
    /* local versions are only allowed with == and != (no wildcard) */
    if (ok && wt_ver_has_local(out->ver) && !((out->op == WT_OP_EQ || out->op == WT_OP_NE) && !out->wildcard))
        ok = false;
    if (ok && out->op == WT_OP_COMPAT && wt__ver_nrelease(out->ver) < 2) ok = false;
    if (!ok) {
        *err = wt_xasprintf("invalid version in specifier '%s%s'", op_text(out->op), out->text);
        wt_ver_free(out->ver);
        free(out->text);
        memset(out, 0, sizeof *out);
        return -1;
    }
    return 0;
}

int wt_specset_parse(const char *s, size_t n, wt_specset *out, char **err) {
    out->items = NULL;
    out->n = 0;
    *err = NULL;
    size_t i = 0;
    while (i < n && isspace((unsigned char)s[i])) i++;
    if (i == n) return 0;
    out->items = wt_xcalloc(MAX_CLAUSES, sizeof(wt_spec));
    size_t start = 0;
    for (size_t j = 0; j <= n; j++) {
        if (j == n || s[j] == ',') {
            if (out->n >= MAX_CLAUSES) {
                *err = wt_xstrdup("too many specifier clauses");
                wt_specset_free(out);
                return -1;
            }
            if (parse_clause(s + start, j - start, &out->items[out->n], err) != 0) {
                wt_specset_free(out);
                return -1;
            }
            out->n++;
            start = j + 1;
        }
    }
    return 0;
}

char *wt_specset_str(const wt_specset *ss) {
    wt_buf b;
    wt_buf_init(&b);
    for (size_t i = 0; i < ss->n; i++) {
        if (i) wt_buf_putc(&b, ',');
        wt_buf_puts(&b, op_text(ss->items[i].op));
        wt_buf_puts(&b, ss->items[i].text);
    }
    return wt_buf_steal(&b);
}

static bool clause_prerelease(const wt_spec *c) {
    if (c->op == WT_OP_NE || c->op == WT_OP_LT || c->op == WT_OP_GT) return false;
    if (c->op == WT_OP_ARB) {
        wt_ver *v = wt_ver_parse_cstr(c->text);
        bool r = wt_ver_is_prerelease(v);
        wt_ver_free(v);
        return r;
    }
    return c->ver && wt_ver_is_prerelease(c->ver);
}

bool wt_specset_mentions_prerelease(const wt_specset *ss) {
    for (size_t i = 0; i < ss->n; i++)
        if (clause_prerelease(&ss->items[i])) return true;
    return false;
}

static bool eq_match(const wt_spec *c, const wt_ver *v) {
    if (c->wildcard) return wt__ver_prefix_match(v, c->ver);
    if (wt_ver_has_local(c->ver)) return wt_ver_cmp(v, c->ver) == 0;
    return wt__ver_cmp_public(v, c->ver) == 0;
}

static bool clause_contains(const wt_spec *c, const wt_ver *v) {
    if (c->op == WT_OP_ARB) {
        const char *a = wt_ver_str(v);
        /* === compares the strings as written (case-insensitively) */
        return strcasecmp(a, c->text) == 0;
    }
    if (!wt_ver_valid(v)) return false;
    switch (c->op) {
    case WT_OP_EQ: return eq_match(c, v);
    case WT_OP_NE: return !eq_match(c, v);
    case WT_OP_LE: return wt__ver_cmp_public(v, c->ver) <= 0;
    case WT_OP_GE: return wt__ver_cmp_public(v, c->ver) >= 0;
    case WT_OP_LT:
        if (wt_ver_cmp(v, c->ver) >= 0) return false;
        /* <V excludes pre-releases of V itself unless V is one */
        if (!wt_ver_is_prerelease(c->ver) && wt_ver_is_prerelease(v) && wt__ver_cmp_base(v, c->ver) == 0)
            return false;
        return true;
    case WT_OP_GT:
        if (wt_ver_cmp(v, c->ver) <= 0) return false;
        /* >V excludes post-releases of V unless V is one, and local
         * versions of V */
        if (!wt_ver_is_postrelease(c->ver) && wt_ver_is_postrelease(v) && wt__ver_cmp_base(v, c->ver) == 0)
            return false;
        if (wt_ver_has_local(v) && wt__ver_cmp_base(v, c->ver) == 0) return false;
        return true;
    case WT_OP_COMPAT: {
        if (wt__ver_cmp_public(v, c->ver) < 0) return false;
        wt_ver *prefix = wt__ver_compat_prefix(c->ver);
        bool r = wt__ver_prefix_match(v, prefix);
        wt_ver_free(prefix);
        return r;
    }
    case WT_OP_ARB: break;
    }
    return false;
}

bool wt_specset_contains(const wt_specset *ss, const wt_ver *v, bool allow_pre) {
    if (!allow_pre && wt_ver_is_prerelease(v) && !wt_specset_mentions_prerelease(ss)) return false;
    for (size_t i = 0; i < ss->n; i++)
        if (!clause_contains(&ss->items[i], v)) return false;
    return true;
}

const wt_ver *wt_specset_pin(const wt_specset *ss) {
    for (size_t i = 0; i < ss->n; i++) {
        const wt_spec *c = &ss->items[i];
        if (c->op == WT_OP_EQ && !c->wildcard) return c->ver;
        if (c->op == WT_OP_ARB) return NULL;
    }
    return NULL;
}
