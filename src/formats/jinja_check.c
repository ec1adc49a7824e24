/*
 * jinja_check.c - find Jinja template constructs that reach Python
 * internals (server-side template injection in chat templates).
 *
 * Only the inside of {{ ... }} and {% ... %} tags is examined; literal text
 * and {# comments #} are ignored. Identifiers are matched as attributes
 * (after '.', or a string literal used as a subscript / attr() argument) or
 * as bare names; every string literal of a tag is also decoded (\x, \u
 * escapes, octal, \N{LOW LINE}) and concatenated so '__cla' ~ 'ss__' is seen as __class__.
 * Tokens and severities come from rules/jinja_unsafe.tsv.
 */
#include <ctype.h>
#include <string.h>

#include "model_formats.h"

#define J_MAX_TAG 65536

#define J_MAX_VARS 64

/* What `{% set name = ... %}` put in a variable, as far as strings go: enough
 * to see a dunder assembled across tags ({% set k = [u,u,'class',u,u]|join %}
 * then ()[k]) without evaluating the template. A built variable used as a
 * subscript key is computed when at least two underscore pieces went into it
 * ('<|im_start|>' + role has one and is an ordinary special-token string). */
typedef struct jvar {
    char name[48];
    int upieces;     /* pieces of text with '_' it holds or was built from (2 if "__") */
    bool built;      /* built with ~, +, *, % or a string filter (join, format...) */
    bool dunder;     /* a plain literal that is a __dunder__ */
} jvar;

typedef struct jscan {
    const wt_fmt_table *tbl;
    wt_jinja_hit *hits;
    size_t max, n;
    jvar vars[J_MAX_VARS];
    size_t nvars;
} jscan;

static wt_severity sev_of(const char *s)
{
    wt_severity v = WT_SEV_MEDIUM;
    if (wt_severity_parse(s, &v) != 0)
        v = WT_SEV_MEDIUM;
    return v;
}

static void add_hit(jscan *j, size_t off, long row)
{
    if (row < 0)
        return;
    /* one hit per (token, offset) */
    for (size_t i = 0; i < j->n && i < j->max; i++)
        if (j->hits[i].offset == off && j->hits[i].token == wt_fmt_cell(j->tbl, (size_t)row, 1))
            return;
    if (j->n < j->max) {
        wt_jinja_hit *h = &j->hits[j->n];
        h->offset = off;
        h->token = wt_fmt_cell(j->tbl, (size_t)row, 1);
        h->severity = sev_of(wt_fmt_cell(j->tbl, (size_t)row, 2));
        h->reason = wt_fmt_cell(j->tbl, (size_t)row, 3);
    }
    j->n++;
}

static long find_kind(const wt_fmt_table *t, const char *kind, const char *tok, size_t len)
{
    for (size_t i = 0; i < t->nrows; i++) {
        if (strcmp(wt_fmt_cell(t, i, 0), kind) != 0)
            continue;
        const char *c = wt_fmt_cell(t, i, 1);
        if (strlen(c) == len && memcmp(c, tok, len) == 0)
            return (long)i;
    }
    return -1;
}

static bool is_dunder(const char *s, size_t n)
{
    return n > 4 && s[0] == '_' && s[1] == '_' && s[n - 1] == '_' && s[n - 2] == '_';
}

/* Any __word__ inside s (decoded literal text). */
static bool has_dunder(const char *s, size_t n)
{
    for (size_t i = 0; i + 4 < n; i++) {
        if (s[i] != '_' || s[i + 1] != '_' || !(isalpha((unsigned char)s[i + 2])))
            continue;
        size_t k = i + 2;
        while (k < n && (isalnum((unsigned char)s[k]) || (s[k] == '_' && !(k + 1 < n && s[k + 1] == '_'))))
            k++;
        if (k + 1 < n && s[k] == '_' && s[k + 1] == '_')
            return true;
    }
    return false;
}

static int hexv(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* ASCII character named by a \N{...} escape (Jinja decodes string literals
 * like Python's unicode-escape codec); '?' for any other name. */
static char unicode_name_char(const char *nm, size_t len)
{
    char u[64];
    if (len >= sizeof u)
        return '?';
    for (size_t k = 0; k < len; k++)
        u[k] = (char)toupper((unsigned char)nm[k]);
    u[len] = 0;
    if (strcmp(u, "LOW LINE") == 0)
        return '_';
    if (strcmp(u, "FULL STOP") == 0)
        return '.';
    if (strncmp(u, "LATIN SMALL LETTER ", 19) == 0 && len == 20 && isalpha((unsigned char)u[19]))
        return (char)tolower((unsigned char)u[19]);
    if (strncmp(u, "LATIN CAPITAL LETTER ", 21) == 0 && len == 22 && isalpha((unsigned char)u[21]))
        return u[21];
    return '?';
}

/* Decode a string literal starting at body[i] (a quote); returns index after
 * it and appends decoded ASCII to dec. */
static size_t read_string(const char *b, size_t n, size_t i, wt_buf *dec)
{
    char q = b[i++];
    while (i < n && b[i] != q) {
        if (b[i] == '\\' && i + 1 < n) {
            char e = b[i + 1];
            int digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
            if (digits && i + 1 + (size_t)digits < n) {
                unsigned long v = 0;
                bool ok = true;
                for (int d = 0; d < digits; d++) {
                    int h = hexv((unsigned char)b[i + 2 + (size_t)d]);
                    if (h < 0) { ok = false; break; }
                    v = v * 16 + (unsigned long)h;
                }
                if (ok) {
                    wt_buf_putc(dec, v < 128 ? (char)v : '?');
                    i += 2 + (size_t)digits;
                    continue;
                }
            }
            if (e >= '0' && e <= '7') { /* octal: '\137' is '_' */
                unsigned v = 0;
                size_t k = i + 1;
                while (k < n && k < i + 4 && b[k] >= '0' && b[k] <= '7')
                    v = v * 8 + (unsigned)(b[k++] - '0');
                wt_buf_putc(dec, v < 128 ? (char)v : '?');
                i = k;
                continue;
            }
            if (e == 'N' && i + 2 < n && b[i + 2] == '{') { /* '\N{LOW LINE}' */
                const char *cl = memchr(b + i + 3, '}', n - i - 3);
                if (cl) {
                    wt_buf_putc(dec, unicode_name_char(b + i + 3, (size_t)(cl - (b + i + 3))));
                    i = (size_t)(cl - b) + 1;
                    continue;
                }
            }
            wt_buf_putc(dec, e);
            i += 2;
            continue;
        }
        wt_buf_putc(dec, b[i++]);
    }
    return i < n ? i + 1 : n;
}

/* Is the expression ending at i called: `x(` or `['x'](` / `|attr('x')(`. */
static bool called(const char *b, size_t n, size_t i)
{
    while (i < n && (isspace((unsigned char)b[i]) || b[i] == ']' || b[i] == ')'))
        i++;
    return i < n && b[i] == '(';
}

static jvar *find_var(jscan *j, const char *name, size_t len)
{
    for (size_t i = 0; i < j->nvars; i++)
        if (strlen(j->vars[i].name) == len && memcmp(j->vars[i].name, name, len) == 0)
            return &j->vars[i];
    return NULL;
}

static bool is_string_filter(const char *t, size_t l)
{
    static const char *const f[] = {"join", "format", "replace", "reverse", "lower", "upper", "string", "title",
                                    "capitalize"};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (strlen(f[i]) == l && memcmp(f[i], t, l) == 0)
            return true;
    return false;
}

/* Record `{% set name = rhs %}` (b is the tag body). */
static void note_set(jscan *j, const char *b, size_t n)
{
    while (n && (isspace((unsigned char)b[n - 1]) || b[n - 1] == '-'))
        n--; /* whitespace control: {%- set x = 1 -%} */
    size_t i = 0;
    while (i < n && (isspace((unsigned char)b[i]) || b[i] == '-' || b[i] == '+'))
        i++;
    if (n - i < 4 || memcmp(b + i, "set", 3) != 0 || !isspace((unsigned char)b[i + 3]))
        return;
    i += 3;
    while (i < n && isspace((unsigned char)b[i]))
        i++;
    size_t ns = i;
    while (i < n && (isalnum((unsigned char)b[i]) || b[i] == '_'))
        i++;
    size_t nl = i - ns;
    while (i < n && isspace((unsigned char)b[i]))
        i++;
    if (!nl || nl >= sizeof j->vars[0].name || i >= n || b[i] != '=' || (i + 1 < n && b[i + 1] == '='))
        return; /* not a plain `set name =` (ns.attr = ..., block set) */
    i++;
    jvar v = {0};
    memcpy(v.name, b + ns, nl);
    size_t nlit = 0, other = 0, depth = 0;
    char prev = '=';
    wt_buf lit;
    wt_buf_init(&lit);
    while (i < n) {
        unsigned char c = (unsigned char)b[i];
        if (isspace(c)) {
            i++;
            continue;
        }
        if (c == '\'' || c == '"') {
            lit.len = 0;
            if (lit.data)
                lit.data[0] = 0;
            i = read_string(b, n, i, &lit);
            if (!depth) {
                nlit++;
                if (lit.len && memmem(lit.data, lit.len, "__", 2))
                    v.upieces += 2;
                else if (lit.len && memchr(lit.data, '_', lit.len))
                    v.upieces++;
                v.dunder = lit.len && is_dunder(lit.data, lit.len);
            }
            prev = '"';
            continue;
        }
        if (isalpha(c) || c == '_') {
            size_t s0 = i;
            while (i < n && (isalnum((unsigned char)b[i]) || b[i] == '_'))
                i++;
            if (!depth) {
                other++;
                jvar *r = find_var(j, b + s0, i - s0);
                if (r)
                    v.upieces += r->upieces >= 2 ? 2 : r->upieces;
                if (prev == '|' && is_string_filter(b + s0, i - s0)) {
                    v.built = true;
                    if (i - s0 == 6 && memcmp(b + s0, "format", 6) == 0)
                        v.upieces += 2; /* '%c'|format(95) yields any character */
                }
            }
            prev = 'a';
            continue;
        }
        if (c == '[') {
            /* a subscript (after a name, ] or )) holds a key, not text being built */
            if (depth || prev == 'a' || prev == ']' || prev == ')' || prev == '"')
                depth++;
        } else if (c == ']' && depth) {
            depth--;
        } else if (!depth && (c == '~' || c == '+' || c == '*' || c == '%')) {
            v.built = true;
        }
        if (!depth && c != ',' && c != '[' && c != ']')
            other += c == '|' ? 0 : 1;
        prev = (char)c;
        i++;
    }
    wt_buf_free(&lit);
    if (nlit != 1 || other != 0)
        v.dunder = false; /* only a bare literal is known exactly */
    jvar *slot = find_var(j, v.name, nl);
    if (!slot && j->nvars < J_MAX_VARS)
        slot = &j->vars[j->nvars++];
    if (slot)
        *slot = v;
}

static void scan_tag(jscan *j, const char *b, size_t n, size_t base, bool stmt)
{
    wt_buf concat, lit;
    wt_buf_init(&concat);
    wt_buf_init(&lit);
    size_t concat_off = base;
    bool first_ident = true;
    char prev = 0;        /* previous significant char */
    bool prev_attr_call = false; /* previous tokens were attr( */
    /* open subscripts: a string built inside [ ] ('_'+'_'+'class', '%c'|format(95))
     * is a computed attribute name; messages[i + 1] (no string) is not */
    struct jsub { size_t off; bool str, op, filt, tilde; } sub[8];
    size_t depth = 0;
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)b[i];
        if (depth && depth <= 8) {
            if (c == '+' || c == '~' || c == '*' || c == '%')
                sub[depth - 1].op = true;
            if (c == '~') /* Jinja's string concatenation: the key is built text */
                sub[depth - 1].tilde = true;
            else if (c == '|')
                sub[depth - 1].filt = true;
            else if (c == '\'' || c == '"')
                sub[depth - 1].str = true;
        }
        if (c == '[') {
            if (depth < 8)
                sub[depth] = (struct jsub){base + i, false, false, false, false};
            depth++;
        } else if (c == ']' && depth) {
            depth--;
            if (depth < 8 && ((sub[depth].str && (sub[depth].op || sub[depth].filt)) || sub[depth].tilde))
                add_hit(j, sub[depth].off, find_kind(j->tbl, "computed", "subscript", 9));
        }
        if (isspace(c) || c == '-' || c == '+') {
            if (!isspace(c))
                prev = (char)c;
            i++;
            continue;
        }
        /* attr( followed by anything but one plain literal: the name is computed
         * at render time ('%c%c'|format(95,95), '_'*2 ~ 'class') */
        if (prev_attr_call && c != '\'' && c != '"')
            add_hit(j, base + i, find_kind(j->tbl, "computed", "attr", 4));
        if (c == '\'' || c == '"') {
            size_t start = i;
            lit.len = 0;
            if (lit.data)
                lit.data[0] = 0;
            i = read_string(b, n, i, &lit);
            if (concat.len == 0)
                concat_off = base + start;
            wt_buf_append(&concat, lit.data ? lit.data : "", lit.len);
            const char *s = lit.data ? lit.data : "";
            if (prev == '[' || prev_attr_call) {
                if (is_dunder(s, lit.len))
                    add_hit(j, base + start, find_kind(j->tbl, "dunder", "*", 1));
                add_hit(j, base + start, find_kind(j->tbl, "attr", s, lit.len));
                if (called(b, n, i))
                    add_hit(j, base + start, find_kind(j->tbl, "call", s, lit.len));
                size_t k = i;
                while (k < n && isspace((unsigned char)b[k]))
                    k++;
                if (prev_attr_call && (k >= n || b[k] != ')'))
                    add_hit(j, base + start, find_kind(j->tbl, "computed", "attr", 4));
            }
            prev = '"';
            prev_attr_call = false;
            continue;
        }
        if (isalpha(c) || c == '_') {
            size_t start = i;
            while (i < n && (isalnum((unsigned char)b[i]) || b[i] == '_'))
                i++;
            const char *tok = b + start;
            size_t tl = i - start;
            if (stmt && first_ident)
                add_hit(j, base + start, find_kind(j->tbl, "stmt", tok, tl));
            first_ident = false;
            if (is_dunder(tok, tl))
                add_hit(j, base + start, find_kind(j->tbl, "dunder", "*", 1));
            if (prev == '[') {
                size_t k2 = i;
                while (k2 < n && isspace((unsigned char)b[k2]))
                    k2++;
                jvar *v = k2 < n && b[k2] == ']' ? find_var(j, tok, tl) : NULL;
                if (v && v->dunder)
                    add_hit(j, base + start, find_kind(j->tbl, "dunder", "*", 1));
                else if (v && v->built && v->upieces >= 2)
                    add_hit(j, base + start, find_kind(j->tbl, "computed", "subscript", 9));
            }
            if (prev == '.') {
                add_hit(j, base + start, find_kind(j->tbl, "attr", tok, tl));
                if (called(b, n, i))
                    add_hit(j, base + start, find_kind(j->tbl, "call", tok, tl));
            }
            else
                add_hit(j, base + start, find_kind(j->tbl, "ident", tok, tl));
            /* attr filter: |attr( 'name' ) */
            size_t k = i;
            while (k < n && isspace((unsigned char)b[k]))
                k++;
            prev_attr_call = (prev == '|' && tl == 4 && memcmp(tok, "attr", 4) == 0 && k < n && b[k] == '(');
            if (prev_attr_call)
                i = k + 1;
            prev = 'a';
            continue;
        }
        if (c != '~' && c != ')' && c != '(')
            prev_attr_call = false;
        prev = (char)c;
        i++;
    }
    if (concat.len && has_dunder(concat.data, concat.len))
        add_hit(j, concat_off, find_kind(j->tbl, "dunder", "*", 1));
    wt_buf_free(&concat);
    wt_buf_free(&lit);
}

/* End of a tag body starting at i (after the opening delimiter), skipping
 * string literals; returns the index of the closing delimiter or n. */
static size_t tag_end(const char *t, size_t n, size_t i, char close)
{
    while (i + 1 < n) {
        char c = t[i];
        if (c == '\'' || c == '"') {
            i++;
            while (i < n && t[i] != c) {
                if (t[i] == '\\')
                    i++;
                i++;
            }
            i++;
            continue;
        }
        if (c == close && t[i + 1] == '}')
            return i;
        i++;
    }
    return n;
}

size_t wt_jinja_check(const char *tpl, size_t len, wt_jinja_hit *hits, size_t max)
{
    jscan j;
    memset(&j, 0, sizeof j);
    j.tbl = wt_fmt_table_get("jinja_unsafe.tsv", 4);
    j.hits = hits;
    j.max = max;
    if (!tpl)
        return 0;
    size_t i = 0;
    while (i + 1 < len) {
        if (tpl[i] != '{') {
            i++;
            continue;
        }
        char o = tpl[i + 1];
        if (o == '#') {
            const char *e = memmem(tpl + i + 2, len - i - 2, "#}", 2);
            i = e ? (size_t)(e - tpl) + 2 : len;
            continue;
        }
        if (o != '{' && o != '%') {
            i++;
            continue;
        }
        char close = o == '{' ? '}' : '%';
        size_t body = i + 2;
        size_t end = tag_end(tpl, len, body, close);
        size_t bl = end - body;
        if (bl > J_MAX_TAG)
            bl = J_MAX_TAG;
        if (o == '%')
            note_set(&j, tpl + body, bl);
        scan_tag(&j, tpl + body, bl, body, o == '%');
        i = end < len ? end + 2 : len;
    }
    return j.n;
}
