/*
 * toml.c - TOML 1.0 parser. See toml.h.
 */
#include "deps/toml.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

#define MAX_DEPTH 64
#define MAX_KEY_PARTS 64
#define MAX_TOML (64u << 20)

typedef struct {
    const char *s;
    size_t n, i;
    int line;
    char *err;
    json_t *root;
    int depth;
    json_t *inline_tables; /* set of inline tables / static arrays (immutable), by address */
} tp;

static void fail(tp *p, const char *msg) {
    if (!p->err) p->err = wt_xasprintf("line %d: %s", p->line, msg);
}

static bool at_end(tp *p) { return p->i >= p->n; }
static char cur(tp *p) { return p->i < p->n ? p->s[p->i] : 0; }

static void skip_ws(tp *p) {
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t')) p->i++;
}

static void skip_comment(tp *p) {
    if (cur(p) != '#') return;
    while (p->i < p->n && p->s[p->i] != '\n') {
        unsigned char c = (unsigned char)p->s[p->i];
        /* control characters other than tab are not allowed in comments
         * (a CR only as part of CRLF) */
        if ((c < 0x20 && c != '\t' && !(c == '\r' && p->i + 1 < p->n && p->s[p->i + 1] == '\n')) || c == 0x7f) {
            fail(p, "control character in comment");
            p->i = p->n;
            return;
        }
        p->i++;
    }
}

/* whitespace, comments and newlines (inside arrays) */
static void skip_ws_nl(tp *p) {
    for (;;) {
        skip_ws(p);
        skip_comment(p);
        if (cur(p) == '\r' && p->i + 1 < p->n && p->s[p->i + 1] == '\n') p->i++;
        if (cur(p) == '\n') {
            p->i++;
            p->line++;
            continue;
        }
        return;
    }
}

static bool expect_eol(tp *p) {
    skip_ws(p);
    skip_comment(p);
    if (at_end(p)) return true;
    if (cur(p) == '\r' && p->i + 1 < p->n && p->s[p->i + 1] == '\n') p->i++;
    if (cur(p) == '\n') {
        p->i++;
        p->line++;
        return true;
    }
    fail(p, "expected end of line");
    return false;
}

static void put_utf8(wt_buf *b, uint32_t cp) {
    char o[4];
    if (cp < 0x80) {
        wt_buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        wt_buf_append(b, o, 2);
    } else if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        wt_buf_append(b, o, 3);
    } else {
        o[0] = (char)(0xF0 | (cp >> 18));
        o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[3] = (char)(0x80 | (cp & 0x3F));
        wt_buf_append(b, o, 4);
    }
}

static bool hexn(tp *p, int n, uint32_t *out) {
    uint32_t v = 0;
    for (int k = 0; k < n; k++) {
        if (at_end(p) || !isxdigit((unsigned char)cur(p))) {
            fail(p, "bad unicode escape");
            return false;
        }
        char c = cur(p);
        v = v * 16 + (uint32_t)(isdigit((unsigned char)c) ? c - '0' : (tolower((unsigned char)c) - 'a' + 10));
        p->i++;
    }
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        fail(p, "invalid unicode scalar");
        return false;
    }
    *out = v;
    return true;
}

/* Parse a string starting at the opening quote; result in b. */
static bool parse_string(tp *p, wt_buf *b) {
    char q = cur(p);
    bool multi = p->i + 2 < p->n && p->s[p->i + 1] == q && p->s[p->i + 2] == q;
    p->i += multi ? 3 : 1;
    if (multi) {
        /* a newline right after the delimiter is trimmed */
        if (cur(p) == '\r' && p->i + 1 < p->n && p->s[p->i + 1] == '\n') p->i++;
        if (cur(p) == '\n') {
            p->i++;
            p->line++;
        }
    }
    for (;;) {
        if (at_end(p)) {
            fail(p, "unterminated string");
            return false;
        }
        char c = cur(p);
        if (c == q) {
            if (!multi) {
                p->i++;
                return true;
            }
            if (p->i + 2 < p->n && p->s[p->i + 1] == q && p->s[p->i + 2] == q) {
                /* up to two extra quotes belong to the content */
                size_t extra = 0;
                while (extra < 2 && p->i + 3 + extra < p->n && p->s[p->i + 3 + extra] == q) extra++;
                wt_buf_append(b, p->s + p->i, extra);
                p->i += 3 + extra;
                return true;
            }
            wt_buf_putc(b, c);
            p->i++;
            continue;
        }
        if (c == '\n') {
            if (!multi) {
                fail(p, "newline in a single-line string");
                return false;
            }
            p->line++;
            wt_buf_putc(b, c);
            p->i++;
            continue;
        }
        if (c == '\\' && q == '"') {
            p->i++;
            char e = cur(p);
            p->i++;
            uint32_t cp;
            switch (e) {
            case 'b': wt_buf_putc(b, '\b'); break;
            case 't': wt_buf_putc(b, '\t'); break;
            case 'n': wt_buf_putc(b, '\n'); break;
            case 'f': wt_buf_putc(b, '\f'); break;
            case 'r': wt_buf_putc(b, '\r'); break;
            case 'e': wt_buf_putc(b, 0x1b); break;
            case '"': wt_buf_putc(b, '"'); break;
            case '\\': wt_buf_putc(b, '\\'); break;
            case 'u':
                if (!hexn(p, 4, &cp)) return false;
                if (cp == 0) { fail(p, "NUL in string"); return false; }
                put_utf8(b, cp);
                break;
            case 'U':
                if (!hexn(p, 8, &cp)) return false;
                if (cp == 0) { fail(p, "NUL in string"); return false; }
                put_utf8(b, cp);
                break;
            default:
                if (multi && (e == ' ' || e == '\t' || e == '\n' || e == '\r')) {
                    /* line-ending backslash: trim whitespace and newlines */
                    p->i--;
                    size_t j = p->i;
                    while (j < p->n && (p->s[j] == ' ' || p->s[j] == '\t' || p->s[j] == '\r')) j++;
                    if (j >= p->n || p->s[j] != '\n') {
                        fail(p, "bad escape");
                        return false;
                    }
                    p->i = j;
                    while (p->i < p->n && isspace((unsigned char)p->s[p->i])) {
                        if (p->s[p->i] == '\n') p->line++;
                        p->i++;
                    }
                    break;
                }
                fail(p, "bad escape");
                return false;
            }
            continue;
        }
        if (c == '\r' && !(p->i + 1 < p->n && p->s[p->i + 1] == '\n' && multi)) {
            fail(p, "carriage return in string");
            return false;
        }
        if (c == '\r') { /* CRLF in a multi-line string is a newline */
            p->i++;
            continue;
        }
        if (c == 0 || c == 0x7f || (c > 0 && c < 0x20 && c != '\t')) {
            fail(p, "control character in string");
            return false;
        }
        wt_buf_putc(b, c);
        p->i++;
    }
}

static bool bare_key_char(char c) { return isalnum((unsigned char)c) || c == '_' || c == '-'; }

/* Dotted key into parts (each malloc'd). */
static int parse_key(tp *p, char **parts, int max) {
    int n = 0;
    for (;;) {
        skip_ws(p);
        if (n >= max) {
            fail(p, "key has too many parts");
            goto bad;
        }
        char c = cur(p);
        if (c == '"' || c == '\'') {
            wt_buf b;
            wt_buf_init(&b);
            if (p->i + 2 < p->n && p->s[p->i + 1] == c && p->s[p->i + 2] == c) {
                wt_buf_free(&b);
                fail(p, "multi-line string as key");
                goto bad;
            }
            if (!parse_string(p, &b)) {
                wt_buf_free(&b);
                goto bad;
            }
            parts[n++] = wt_buf_steal(&b);
        } else {
            size_t st = p->i;
            while (p->i < p->n && bare_key_char(p->s[p->i])) p->i++;
            if (p->i == st) {
                fail(p, "key expected");
                goto bad;
            }
            parts[n++] = wt_xstrndup(p->s + st, p->i - st);
        }
        skip_ws(p);
        if (cur(p) != '.') return n;
        p->i++;
    }
bad:
    for (int k = 0; k < n; k++) free(parts[k]);
    return -1;
}

static json_t *parse_value(tp *p);

static bool is_immutable(tp *p, json_t *v) {
    char k[32];
    snprintf(k, sizeof k, "%p", (void *)v);
    return json_object_get(p->inline_tables, k) != NULL;
}

static void mark_immutable(tp *p, json_t *v) {
    char k[32];
    snprintf(k, sizeof k, "%p", (void *)v);
    json_object_set_new(p->inline_tables, k, json_true());
}

static json_t *parse_array(tp *p) {
    if (++p->depth > MAX_DEPTH) {
        fail(p, "nesting too deep");
        return NULL;
    }
    p->i++; /* [ */
    json_t *a = json_array();
    for (;;) {
        skip_ws_nl(p);
        if (cur(p) == ']') {
            p->i++;
            break;
        }
        json_t *v = parse_value(p);
        if (!v) {
            json_decref(a);
            return NULL;
        }
        json_array_append_new(a, v);
        skip_ws_nl(p);
        if (cur(p) == ',') {
            p->i++;
            continue;
        }
        if (cur(p) == ']') {
            p->i++;
            break;
        }
        fail(p, "expected ',' or ']' in array");
        json_decref(a);
        return NULL;
    }
    p->depth--;
    mark_immutable(p, a);
    return a;
}

static bool set_dotted(tp *p, json_t *table, char **parts, int n, json_t *v);

static json_t *parse_inline_table(tp *p) {
    if (++p->depth > MAX_DEPTH) {
        fail(p, "nesting too deep");
        return NULL;
    }
    p->i++; /* { */
    json_t *t = json_object();
    skip_ws(p);
    if (cur(p) == '}') {
        p->i++;
        p->depth--;
        mark_immutable(p, t);
        return t;
    }
    for (;;) {
        skip_ws_nl(p); /* newlines are a TOML 1.1 relaxation; accept them */
        char *parts[MAX_KEY_PARTS];
        int n = parse_key(p, parts, MAX_KEY_PARTS);
        if (n < 0) {
            json_decref(t);
            return NULL;
        }
        skip_ws(p);
        if (cur(p) != '=') {
            for (int k = 0; k < n; k++) free(parts[k]);
            fail(p, "expected '=' in inline table");
            json_decref(t);
            return NULL;
        }
        p->i++;
        skip_ws(p);
        json_t *v = parse_value(p);
        bool ok = v && set_dotted(p, t, parts, n, v);
        for (int k = 0; k < n; k++) free(parts[k]);
        if (!ok) {
            json_decref(t);
            return NULL;
        }
        skip_ws_nl(p);
        if (cur(p) == ',') {
            p->i++;
            continue;
        }
        if (cur(p) == '}') {
            p->i++;
            break;
        }
        fail(p, "expected ',' or '}' in inline table");
        json_decref(t);
        return NULL;
    }
    p->depth--;
    mark_immutable(p, t);
    return t;
}

static json_t *parse_scalar(tp *p) {
    size_t st = p->i;
    /* date-times may contain one space between date and time */
    while (p->i < p->n) {
        char c = p->s[p->i];
        if (isalnum((unsigned char)c) || c == '_' || c == ':' || c == '.' || c == '+' || c == '-') {
            p->i++;
            continue;
        }
        if (c == ' ' && p->i - st == 10 && p->s[st + 4] == '-' && p->i + 1 < p->n && isdigit((unsigned char)p->s[p->i + 1])) {
            p->i++;
            continue;
        }
        break;
    }
    size_t len = p->i - st;
    if (!len || len > 128) {
        fail(p, "value expected");
        return NULL;
    }
    char tok[130];
    memcpy(tok, p->s + st, len);
    tok[len] = 0;
    if (!strcmp(tok, "true")) return json_true();
    if (!strcmp(tok, "false")) return json_false();
    /* JSON has no infinities or NaN: keep their text */
    if (!strcmp(tok, "inf") || !strcmp(tok, "+inf") || !strcmp(tok, "-inf") || !strcmp(tok, "nan") ||
        !strcmp(tok, "+nan") || !strcmp(tok, "-nan"))
        return json_string(tok);
    /* date / time */
    if ((len >= 10 && isdigit((unsigned char)tok[0]) && tok[4] == '-') || (len >= 8 && tok[2] == ':'))
        return json_stringn(tok, len);
    /* numbers: drop underscores (between digits) */
    char num[130];
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        if (tok[i] == '_') {
            if (i == 0 || i + 1 >= len || !isxdigit((unsigned char)tok[i - 1]) || !isxdigit((unsigned char)tok[i + 1])) {
                fail(p, "misplaced underscore in number");
                return NULL;
            }
            continue;
        }
        num[k++] = tok[i];
    }
    num[k] = 0;
    errno = 0;
    char *end = NULL;
    int base = 10;
    const char *digits = num;
    if (num[0] == '0' && (num[1] == 'x' || num[1] == 'o' || num[1] == 'b')) {
        base = num[1] == 'x' ? 16 : num[1] == 'o' ? 8 : 2;
        digits = num + 2;
        if (!*digits || *digits == '-' || *digits == '+') {
            fail(p, "bad number");
            return NULL;
        }
        long long v = strtoll(digits, &end, base);
        if (*end || errno) {
            fail(p, "bad number");
            return NULL;
        }
        return json_integer(v);
    }
    if (strpbrk(num, ".eE")) {
        double d = strtod(num, &end);
        if (*end || errno == ERANGE) {
            fail(p, "bad float");
            return NULL;
        }
        return json_real(d);
    }
    long long v = strtoll(num, &end, 10);
    if (*end || errno || end == num) {
        fail(p, "bad value");
        return NULL;
    }
    return json_integer(v);
}

static json_t *parse_value(tp *p) {
    char c = cur(p);
    if (c == '"' || c == '\'') {
        wt_buf b;
        wt_buf_init(&b);
        if (!parse_string(p, &b)) {
            wt_buf_free(&b);
            return NULL;
        }
        /* an empty string leaves the buffer unallocated: "" (poetry.lock's
         * `description = ""`) is a value, not invalid UTF-8 */
        json_t *s = json_stringn(b.data ? b.data : "", b.len);
        wt_buf_free(&b);
        if (!s) fail(p, "invalid UTF-8 in string");
        return s;
    }
    if (c == '[') return parse_array(p);
    if (c == '{') return parse_inline_table(p);
    return parse_scalar(p);
}

/* Walk / create the intermediate tables of a dotted key. */
static json_t *descend(tp *p, json_t *t, const char *k, bool create) {
    json_t *v = json_object_get(t, k);
    if (!v) {
        if (!create) return NULL;
        v = json_object();
        json_object_set_new(t, k, v);
        return v;
    }
    if (json_is_array(v)) {
        if (is_immutable(p, v) || !json_array_size(v)) {
            fail(p, "cannot extend a static array");
            return NULL;
        }
        v = json_array_get(v, json_array_size(v) - 1);
    }
    if (!json_is_object(v) || is_immutable(p, v)) {
        fail(p, "key redefines a value");
        return NULL;
    }
    return v;
}

static bool set_dotted(tp *p, json_t *table, char **parts, int n, json_t *v) {
    json_t *t = table;
    for (int k = 0; k + 1 < n; k++) {
        t = descend(p, t, parts[k], true);
        if (!t) {
            json_decref(v);
            return false;
        }
    }
    if (json_object_get(t, parts[n - 1]) || !strcmp(parts[n - 1], WT_TOML_LINE_KEY)) {
        fail(p, "duplicate key");
        json_decref(v);
        return false;
    }
    if (json_object_size(t) > 1000000) {
        fail(p, "too many keys");
        json_decref(v);
        return false;
    }
    json_object_set_new(t, parts[n - 1], v);
    return true;
}

static json_t *header(tp *p) {
    bool arr = p->i + 1 < p->n && p->s[p->i + 1] == '[';
    p->i += arr ? 2 : 1;
    int hline = p->line;
    char *parts[MAX_KEY_PARTS];
    int n = parse_key(p, parts, MAX_KEY_PARTS);
    if (n < 0) return NULL;
    json_t *res = NULL;
    skip_ws(p);
    if (cur(p) != ']' || (arr && (p->i + 1 >= p->n || p->s[p->i + 1] != ']'))) {
        fail(p, "expected ']' after table name");
        goto out;
    }
    p->i += arr ? 2 : 1;
    json_t *t = p->root;
    for (int k = 0; k + 1 < n; k++) {
        t = descend(p, t, parts[k], true);
        if (!t) goto out;
    }
    const char *last = parts[n - 1];
    json_t *ex = json_object_get(t, last);
    if (arr) {
        if (!ex) {
            ex = json_array();
            json_object_set_new(t, last, ex);
        } else if (!json_is_array(ex) || is_immutable(p, ex)) {
            fail(p, "array of tables redefines a value");
            goto out;
        }
        res = json_object();
        json_array_append_new(ex, res);
    } else {
        if (!ex) {
            res = json_object();
            json_object_set_new(t, last, res);
        } else if (!json_is_object(ex) || is_immutable(p, ex) || json_object_get(ex, WT_TOML_LINE_KEY)) {
            fail(p, "table defined twice");
            goto out;
        } else {
            res = ex; /* implicitly created by a dotted header before */
        }
    }
    json_object_set_new(res, WT_TOML_LINE_KEY, json_integer(hline));
out:
    for (int k = 0; k < n; k++) free(parts[k]);
    return res;
}

json_t *wt_toml_parse(const char *text, size_t len, char **err) {
    *err = NULL;
    if (len > MAX_TOML) {
        *err = wt_xstrdup("TOML document too large");
        return NULL;
    }
    if (memchr(text, 0, len)) {
        *err = wt_xstrdup("NUL byte in TOML document");
        return NULL;
    }
    tp p = {text, len, 0, 1, NULL, json_object(), 0, json_object()};
    /* skip a UTF-8 BOM */
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) p.i = 3;
    json_t *cur_t = p.root;
    while (!p.err) {
        skip_ws_nl(&p);
        if (at_end(&p)) break;
        if (cur(&p) == '[') {
            json_t *t = header(&p);
            if (!t) break;
            cur_t = t;
            expect_eol(&p);
            continue;
        }
        char *parts[MAX_KEY_PARTS];
        int n = parse_key(&p, parts, MAX_KEY_PARTS);
        if (n < 0) break;
        skip_ws(&p);
        if (cur(&p) != '=') {
            for (int k = 0; k < n; k++) free(parts[k]);
            fail(&p, "expected '=' after key");
            break;
        }
        p.i++;
        skip_ws(&p);
        json_t *v = parse_value(&p);
        bool ok = v && set_dotted(&p, cur_t, parts, n, v);
        for (int k = 0; k < n; k++) free(parts[k]);
        if (!ok) break;
        expect_eol(&p);
    }
    json_decref(p.inline_tables);
    if (p.err) {
        json_decref(p.root);
        *err = p.err;
        return NULL;
    }
    return p.root;
}
