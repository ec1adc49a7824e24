/*
 * notebook.c - Jupyter notebooks: position-tracking JSON, nbformat 3/4 walk,
 * and the "notebook" analyzer. See notebook.h.
 *
 * Why not jansson: it gives no source positions, and every finding must name
 * the raw .ipynb line; a second parse just for positions would double the
 * cost. The scanner below is strict (it rejects what Python's json.loads
 * rejects, accepts NaN/Infinity like it) and builds a flat node array with
 * raw spans and lines; strings are decoded lazily, so base64 image payloads
 * are never copied.
 */
#include "text/notebook.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "text/code_rules.h"
#include "text/magics.h"
#include "text/secrets.h"
#include "text/textfile.h"

#define NB_MAX_NODES (2u << 20)
#define NB_MAX_DEPTH 200
#define NB_MAX_ID 256

/* ------------------------------------------------------------------ */
/* JSON                                                                */

typedef struct jp {
    wt_json *j;
    const char *s;
    size_t len, i;
    uint32_t line;
    size_t max_nodes;
    int max_depth;
} jp;

static int jerr(jp *p, bool limit, const char *msg)
{
    if (!p->j->err[0]) {
        snprintf(p->j->err, sizeof p->j->err, "%s", msg);
        p->j->err_line = p->line;
        p->j->too_big = limit;
    }
    return -1;
}

static int new_node(jp *p, int type)
{
    wt_json *j = p->j;
    if (j->nn >= p->max_nodes)
        return jerr(p, true, "too many JSON values");
    if (j->nn == j->cap) {
        j->cap = j->cap ? j->cap * 2 : 1024;
        if (j->cap > p->max_nodes)
            j->cap = p->max_nodes;
        j->n = wt_xrealloc(j->n, j->cap * sizeof *j->n);
    }
    wt_jnode *n = &j->n[j->nn];
    n->type = (uint8_t)type;
    n->has_esc = 0;
    n->line = p->line;
    n->start = (uint32_t)p->i;
    n->end = (uint32_t)p->i;
    n->first = -1;
    n->next = -1;
    return (int)j->nn++;
}

static void skip_ws(jp *p)
{
    const char *s = p->s;
    size_t i = p->i, len = p->len;
    while (i < len) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\r')
            i++;
        else if (c == '\n') {
            p->line++;
            i++;
        } else
            break;
    }
    p->i = i;
}

static bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

/* special bytes inside strings: '"', '\\' and control characters */
static const uint8_t str_special_tab[256] = {[0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1};

static int parse_string(jp *p)
{
    int k = new_node(p, WT_J_STR);
    if (k < 0)
        return -1;
    const uint8_t *sp = str_special_tab;
    const char *s = p->s;
    size_t i = p->i + 1, len = p->len;
    bool esc = false;
    for (;;) {
        while (i < len && !sp[(uint8_t)s[i]])
            i++;
        if (i >= len)
            return jerr(p, false, "unterminated string");
        char c = s[i];
        if (c == '"')
            break;
        if (c == '\\') {
            esc = true;
            if (i + 1 >= len)
                return jerr(p, false, "unterminated string");
            char e = s[i + 1];
            if (e == 'u') {
                if (i + 6 > len || !is_hex(s[i + 2]) || !is_hex(s[i + 3]) || !is_hex(s[i + 4]) || !is_hex(s[i + 5]))
                    return jerr(p, false, "invalid \\u escape");
                i += 6;
            } else if (strchr("\"\\/bfnrt", e) && e) {
                i += 2;
            } else {
                return jerr(p, false, "invalid escape in string");
            }
            continue;
        }
        return jerr(p, false, "control character in string");
    }
    p->i = i + 1;
    wt_jnode *n = &p->j->n[k];
    n->end = (uint32_t)p->i;
    n->has_esc = esc;
    return k;
}

static bool lit_at(jp *p, const char *lit)
{
    size_t n = strlen(lit);
    if (p->i + n <= p->len && memcmp(p->s + p->i, lit, n) == 0) {
        p->i += n;
        return true;
    }
    return false;
}

static bool digit(char c) { return c >= '0' && c <= '9'; }

static int parse_number(jp *p)
{
    int k = new_node(p, WT_J_NUM);
    if (k < 0)
        return -1;
    const char *s = p->s;
    size_t len = p->len;
    if (lit_at(p, "NaN") || lit_at(p, "Infinity") || lit_at(p, "-Infinity")) {
        p->j->n[k].end = (uint32_t)p->i;
        return k;
    }
    size_t i = p->i;
    if (i < len && s[i] == '-')
        i++;
    if (i < len && s[i] == '0')
        i++;
    else if (i < len && digit(s[i]))
        while (i < len && digit(s[i]))
            i++;
    else
        return jerr(p, false, "invalid number");
    if (i < len && s[i] == '.') {
        i++;
        if (!(i < len && digit(s[i])))
            return jerr(p, false, "invalid number");
        while (i < len && digit(s[i]))
            i++;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        if (!(i < len && digit(s[i])))
            return jerr(p, false, "invalid number");
        while (i < len && digit(s[i]))
            i++;
    }
    p->i = i;
    p->j->n[k].end = (uint32_t)i;
    return k;
}

static int parse_value(jp *p, int depth);

static int parse_container(jp *p, int depth, bool obj)
{
    if (depth >= p->max_depth)
        return jerr(p, true, "JSON nested too deeply");
    int k = new_node(p, obj ? WT_J_OBJ : WT_J_ARR);
    if (k < 0)
        return -1;
    char close = obj ? '}' : ']';
    p->i++;
    skip_ws(p);
    int last = -1;
    if (p->i < p->len && p->s[p->i] == close) {
        p->i++;
        p->j->n[k].end = (uint32_t)p->i;
        return k;
    }
    for (;;) {
        if (obj) {
            skip_ws(p);
            if (p->i >= p->len || p->s[p->i] != '"')
                return jerr(p, false, "expected a string key");
            int key = parse_string(p);
            if (key < 0)
                return -1;
            if (last < 0)
                p->j->n[k].first = key;
            else
                p->j->n[last].next = key;
            last = key;
            skip_ws(p);
            if (p->i >= p->len || p->s[p->i] != ':')
                return jerr(p, false, "expected ':'");
            p->i++;
        }
        skip_ws(p);
        int v = parse_value(p, depth + 1);
        if (v < 0)
            return -1;
        if (last < 0)
            p->j->n[k].first = v;
        else
            p->j->n[last].next = v;
        last = v;
        skip_ws(p);
        if (p->i >= p->len)
            return jerr(p, false, obj ? "unterminated object" : "unterminated array");
        char c = p->s[p->i];
        if (c == ',') {
            p->i++;
            continue;
        }
        if (c == close) {
            p->i++;
            p->j->n[k].end = (uint32_t)p->i;
            return k;
        }
        return jerr(p, false, obj ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int parse_value(jp *p, int depth)
{
    if (p->i >= p->len)
        return jerr(p, false, "unexpected end of input");
    char c = p->s[p->i];
    switch (c) {
    case '{':
        return parse_container(p, depth, true);
    case '[':
        return parse_container(p, depth, false);
    case '"':
        return parse_string(p);
    case 't':
    case 'f':
    case 'n': {
        int k = new_node(p, c == 'n' ? WT_J_NULL : WT_J_BOOL);
        if (k < 0)
            return -1;
        if (!(lit_at(p, "true") || lit_at(p, "false") || lit_at(p, "null")))
            return jerr(p, false, "invalid literal");
        p->j->n[k].end = (uint32_t)p->i;
        return k;
    }
    default:
        if (c == '-' || digit(c) || c == 'N' || c == 'I')
            return parse_number(p);
        return jerr(p, false, "unexpected character");
    }
}

int wt_json_parse(wt_json *j, const char *src, size_t len, size_t max_nodes, int max_depth)
{
    memset(j, 0, sizeof *j);
    j->src = src;
    j->len = len;
    j->root = -1;
    jp p = {j, src, len, 0, 1, max_nodes ? max_nodes : NB_MAX_NODES, max_depth > 0 ? max_depth : NB_MAX_DEPTH};
    if (len >= UINT32_MAX)
        return jerr(&p, true, "file too large for the notebook parser");
    if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0)
        p.i = 3;
    skip_ws(&p);
    int r = parse_value(&p, 0);
    if (r < 0)
        return -1;
    skip_ws(&p);
    if (p.i != len)
        return jerr(&p, false, "extra data after the JSON value");
    j->root = r;
    return 0;
}

void wt_json_free(wt_json *j)
{
    free(j->n);
    j->n = NULL;
    j->nn = j->cap = 0;
}

static uint32_t hexval(const char *s)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        v |= (uint32_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

static size_t utf8_put(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* decode string node into a caller buffer of cap bytes; returns bytes */
static size_t decode_into(const wt_json *j, int k, char *out, size_t cap)
{
    const wt_jnode *n = &j->n[k];
    const char *s = j->src + n->start + 1;
    size_t len = n->end - n->start - 2, o = 0;
    if (!n->has_esc) {
        size_t m = len < cap ? len : cap;
        memcpy(out, s, m);
        return m;
    }
    size_t i = 0;
    while (i < len && o < cap) {
        const char *bs = memchr(s + i, '\\', len - i);
        size_t run = bs ? (size_t)(bs - (s + i)) : len - i;
        if (run > cap - o)
            run = cap - o;
        memcpy(out + o, s + i, run);
        o += run;
        i += run;
        if (!bs || o >= cap || i >= len)
            break;
        char e = s[i + 1];
        char tmp[4];
        size_t tl = 1;
        switch (e) {
        case 'b': tmp[0] = '\b'; break;
        case 'f': tmp[0] = '\f'; break;
        case 'n': tmp[0] = '\n'; break;
        case 'r': tmp[0] = '\r'; break;
        case 't': tmp[0] = '\t'; break;
        case 'u': {
            uint32_t cp = hexval(s + i + 2);
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && i + 8 <= len && s[i + 2] == '\\' && s[i + 3] == 'u') {
                uint32_t lo = hexval(s + i + 4);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                } else {
                    cp = 0xFFFD;
                }
            } else if (cp >= 0xD800 && cp <= 0xDFFF) {
                cp = 0xFFFD;
            } else if (cp == 0) {
                cp = ' '; /* keep buffers free of NUL bytes */
            }
            tl = utf8_put(tmp, cp);
            break;
        }
        default: tmp[0] = e; break; /* \" \\ \/ */
        }
        i += 2;
        if (tl > cap - o)
            break;
        memcpy(out + o, tmp, tl);
        o += tl;
    }
    return o;
}

size_t wt_json_str_append(const wt_json *j, int k, void *out_wt_buf, size_t max)
{
    wt_buf *b = out_wt_buf;
    const wt_jnode *n = &j->n[k];
    size_t raw = n->end - n->start - 2; /* decoded size <= raw size */
    size_t cap = raw < max ? raw : max;
    wt_buf_reserve(b, cap + 1);
    size_t got = decode_into(j, k, b->data + b->len, cap);
    b->len += got;
    b->data[b->len] = '\0';
    return got;
}

bool wt_json_str_eq(const wt_json *j, int k, const char *lit)
{
    if (k < 0 || j->n[k].type != WT_J_STR)
        return false;
    size_t ll = strlen(lit);
    const wt_jnode *n = &j->n[k];
    if (!n->has_esc)
        return n->end - n->start - 2 == ll && memcmp(j->src + n->start + 1, lit, ll) == 0;
    char tmp[128];
    if (ll + 1 > sizeof tmp)
        return false;
    size_t got = decode_into(j, k, tmp, ll + 1);
    return got == ll && memcmp(tmp, lit, ll) == 0;
}

int wt_json_get(const wt_json *j, int obj, const char *key)
{
    if (obj < 0 || j->n[obj].type != WT_J_OBJ)
        return -1;
    int found = -1;
    for (int k = j->n[obj].first; k >= 0; k = j->n[j->n[k].next].next) {
        int v = j->n[k].next;
        if (v < 0)
            break;
        if (wt_json_str_eq(j, k, key))
            found = v;
    }
    return found;
}

static int jtype(const wt_json *j, int k) { return k < 0 ? -1 : j->n[k].type; }

/* ------------------------------------------------------------------ */
/* HTML / ANSI stripping                                               */

static const struct {
    const char *name;
    char c;
} entities[] = {{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}, {"#39;", '\''},
                {"#x27;", '\''}, {"nbsp;", ' '}, {"#34;", '"'}, {"#x2F;", '/'}, {"#47;", '/'}, {NULL, 0}};

/* Decode the entity at h[i] == '&' into *c; returns the bytes consumed (0: none). */
static size_t html_entity(const char *h, size_t len, size_t i, char *c)
{
    for (int k = 0; entities[k].name; k++) {
        size_t n = strlen(entities[k].name);
        if (i + 1 + n <= len && memcmp(h + i + 1, entities[k].name, n) == 0) {
            *c = entities[k].c;
            return 1 + n;
        }
    }
    return 0;
}

/* Is the quoted attribute value starting at q (the quote) in the tag that
 * starts at t worth scanning? Links and sources (href="https://user:pw@...",
 * src="...?key=AIza...") are; style="..." and data: URIs (inline base64
 * images) are not. */
static bool html_attr_kept(const char *h, size_t t, size_t q, size_t vs, size_t ve)
{
    size_t k = q;
    while (k > t && (h[k - 1] == ' ' || h[k - 1] == '\t' || h[k - 1] == '\n' || h[k - 1] == '\r'))
        k--;
    if (k == t || h[k - 1] != '=')
        return false; /* not an attribute value */
    k--;
    while (k > t && (h[k - 1] == ' ' || h[k - 1] == '\t'))
        k--;
    size_t ne = k;
    while (k > t && (isalnum((unsigned char)h[k - 1]) || h[k - 1] == '-' || h[k - 1] == '_' || h[k - 1] == ':'))
        k--;
    if (ne - k == 5 && strncasecmp(h + k, "style", 5) == 0)
        return false;
    size_t vb = vs;
    while (vb < ve && (h[vb] == ' ' || h[vb] == '\t'))
        vb++;
    return !(ve - vb >= 5 && strncasecmp(h + vb, "data:", 5) == 0);
}

/* A tag [i, e): its newlines (so lines never move) and its kept quoted
 * attribute values, each between two spaces; one space if nothing else. */
static size_t html_tag(const char *h, size_t i, size_t e, char *out, uint32_t *map)
{
    size_t o = 0;
    for (size_t k = i + 1; k < e; k++) {
        if (h[k] == '\n') {
            out[o] = '\n';
            map[o++] = (uint32_t)k;
            continue;
        }
        if (h[k] != '"' && h[k] != '\'')
            continue;
        const char *close = memchr(h + k + 1, h[k], e - k - 1);
        if (!close)
            break;
        size_t ve = (size_t)(close - h);
        if (!html_attr_kept(h, i, k, k + 1, ve)) {
            for (size_t m = k + 1; m < ve; m++)
                if (h[m] == '\n') {
                    out[o] = '\n';
                    map[o++] = (uint32_t)m;
                }
            k = ve;
            continue;
        }
        out[o] = ' ';
        map[o++] = (uint32_t)k;
        for (size_t m = k + 1; m < ve;) {
            char c = h[m];
            size_t used = c == '&' ? html_entity(h, ve, m, &c) : 0;
            out[o] = c;
            map[o++] = (uint32_t)m;
            m += used ? used : 1;
        }
        out[o] = ' ';
        map[o++] = (uint32_t)ve;
        k = ve;
    }
    if (o == 0) {
        out[o] = ' ';
        map[o++] = (uint32_t)i;
    }
    return o;
}

size_t wt_nb_strip_html(const char *h, size_t len, char *out, uint32_t *map)
{
    size_t o = 0, i = 0;
    /* once a search for '>' / "-->" failed from p, it fails from any later
     * position: remember it, so "<a<a<a..." stays linear */
    size_t no_gt = len + 1, no_cend = len + 1;
    while (i < len) {
        char c = h[i];
        if (c == '<' && i + 1 < len && (h[i + 1] == '/' || h[i + 1] == '!' || h[i + 1] == '?' ||
                                        ((h[i + 1] | 0x20) >= 'a' && (h[i + 1] | 0x20) <= 'z'))) {
            /* an unterminated tag or comment is text: nothing is hidden */
            size_t e = 0;
            if (i + 4 <= len && memcmp(h + i, "<!--", 4) == 0) {
                if (i < no_cend) {
                    for (size_t k = i + 4; k + 3 <= len; k++)
                        if (h[k] == '-' && h[k + 1] == '-' && h[k + 2] == '>') {
                            e = k + 3;
                            break;
                        }
                    if (e == 0)
                        no_cend = i;
                }
            } else if (i < no_gt) {
                const char *gt = memchr(h + i, '>', len - i);
                e = gt ? (size_t)(gt - h) + 1 : 0;
                if (e == 0)
                    no_gt = i;
            }
            if (e == 0) {
                out[o] = c;
                map[o++] = (uint32_t)i;
                i++;
                continue;
            }
            if (h[i + 1] == '!' || h[i + 1] == '?' || h[i + 1] == '/') {
                /* comments, doctypes, end tags: only their newlines */
                bool nl = false;
                for (size_t k = i; k < e; k++)
                    if (h[k] == '\n') {
                        out[o] = '\n';
                        map[o++] = (uint32_t)k;
                        nl = true;
                    }
                if (!nl) {
                    out[o] = ' ';
                    map[o++] = (uint32_t)i;
                }
            } else {
                o += html_tag(h, i, e, out + o, map + o);
            }
            i = e;
            continue;
        }
        if (c == '&') {
            char d;
            size_t used = html_entity(h, len, i, &d);
            if (used) {
                out[o] = d;
                map[o++] = (uint32_t)i;
                i += used;
                continue;
            }
        }
        out[o] = c;
        map[o++] = (uint32_t)i;
        i++;
    }
    return o;
}

size_t wt_nb_strip_ansi(const char *s, size_t len, char *out, uint32_t *map)
{
    size_t o = 0, i = 0;
    while (i < len) {
        if (s[i] == '\x1b' && i + 1 < len) {
            char t = s[i + 1];
            if (t == '[') {
                size_t k = i + 2;
                while (k < len && (uint8_t)s[k] >= 0x20 && (uint8_t)s[k] <= 0x3F)
                    k++;
                if (k < len && (uint8_t)s[k] >= 0x40 && (uint8_t)s[k] <= 0x7E)
                    k++;
                i = k;
                continue;
            }
            if (t == ']') {
                size_t k = i + 2;
                while (k < len && s[k] != '\a' && !(s[k] == '\x1b' && k + 1 < len && s[k + 1] == '\\') && s[k] != '\n')
                    k++;
                if (k < len && s[k] == '\a')
                    k++;
                else if (k + 1 < len && s[k] == '\x1b')
                    k += 2;
                i = k;
                continue;
            }
            i += 2;
            continue;
        }
        out[o] = s[i];
        map[o++] = (uint32_t)i;
        i++;
    }
    return o;
}

/* ------------------------------------------------------------------ */
/* walk                                                                */

typedef struct walker {
    const wt_json *j;
    size_t max_text;
    wt_nb_buffer_fn fn;
    wt_nb_stop_fn stop;
    void *ud;
    wt_nb_info *info;
    wt_buf text;
    uint32_t *raw;
    size_t nraw, rawcap;
    char *strip;
    uint32_t *map;
    size_t stripcap;
    bool truncated;
    const char *code_kind;
    char lang[32];
    /* current cell */
    int cell;
    char cell_id[NB_MAX_ID + 1];
    bool has_id;
    int output;
    const char *stream_kind; /* kind of this cell's stream outputs (a `!cat .env` cell: "env") */
} walker;

static void raw_push(walker *w, uint32_t line)
{
    if (w->nraw == w->rawcap) {
        w->rawcap = w->rawcap ? w->rawcap * 2 : 256;
        w->raw = wt_xrealloc(w->raw, w->rawcap * sizeof *w->raw);
    }
    w->raw[w->nraw++] = line;
}

/* Build w->text / w->raw from a string or an array of strings. join: put a
 * newline between elements that do not end with one (tracebacks). */
static void build_lines(walker *w, int node, bool join)
{
    const wt_json *j = w->j;
    w->text.len = 0;
    if (w->text.data)
        w->text.data[0] = '\0';
    w->nraw = 0;
    w->truncated = false;
    int first = node, single = 0;
    if (jtype(j, node) == WT_J_STR)
        single = 1;
    else if (jtype(j, node) == WT_J_ARR)
        first = j->n[node].first;
    else {
        w->info->bad_cells++;
        return;
    }
    bool at_ls = true;
    for (int e = first; e >= 0; e = single ? -1 : j->n[e].next) {
        if (j->n[e].type != WT_J_STR) {
            w->info->bad_cells++;
            continue;
        }
        if (w->text.len >= w->max_text) {
            w->truncated = true;
            break;
        }
        size_t before = w->text.len;
        size_t rawlen = j->n[e].end - j->n[e].start - 2;
        size_t room = w->max_text - w->text.len;
        wt_json_str_append(j, e, &w->text, room);
        if (rawlen > room && w->text.len >= w->max_text)
            w->truncated = true;
        uint32_t line = j->n[e].line;
        size_t pos = before;
        while (pos < w->text.len) {
            if (at_ls) {
                raw_push(w, line);
                at_ls = false;
            }
            const char *nl = memchr(w->text.data + pos, '\n', w->text.len - pos);
            if (!nl)
                break;
            pos = (size_t)(nl - w->text.data) + 1;
            at_ls = true;
        }
        if (join && w->text.len > before && w->text.data[w->text.len - 1] != '\n' && w->text.len < w->max_text) {
            wt_buf_putc(&w->text, '\n');
            at_ls = true;
        }
    }
}

static void emit(walker *w, const char *part, const char *kind, const char *mime, const char *text, size_t len,
                 const uint32_t *map, const char *orig, size_t orig_len)
{
    if (len == 0 || !w->fn)
        return;
    if (w->truncated)
        w->info->truncated++;
    wt_nb_buffer b = {
        .cell = w->cell,
        .cell_id = w->has_id ? w->cell_id : NULL,
        .cell_part = part,
        .kind = kind,
        .mime = mime,
        .output = strcmp(part, "output") == 0 ? w->output : -1,
        .text = text,
        .len = len,
        .raw_lines = w->raw,
        .nraw_lines = w->nraw,
        .offset_map = map,
        .orig_text = map ? orig : NULL,
        .orig_len = map ? orig_len : 0,
        .truncated = w->truncated,
    };
    w->fn(w->ud, &b);
}

static void ensure_strip(walker *w, size_t n)
{
    if (n > w->stripcap) {
        w->stripcap = n;
        w->strip = wt_xrealloc(w->strip, n ? n : 1);
        w->map = wt_xrealloc(w->map, (n ? n : 1) * sizeof *w->map);
    }
}

static void emit_text(walker *w, int node, const char *part, const char *kind, const char *mime)
{
    bool tb = strcmp(kind, "traceback") == 0;
    build_lines(w, node, tb);
    if (w->text.len == 0)
        return;
    if (tb || strcmp(kind, "html") == 0) {
        ensure_strip(w, w->text.len);
        size_t n = tb ? wt_nb_strip_ansi(w->text.data, w->text.len, w->strip, w->map)
                      : wt_nb_strip_html(w->text.data, w->text.len, w->strip, w->map);
        emit(w, part, kind, mime, w->strip, n, w->map, w->text.data, w->text.len);
        return;
    }
    emit(w, part, kind, mime, w->text.data, w->text.len, NULL, NULL, 0);
}

/* a JSON value given as JSON (application/json in nbformat 4): scan its raw text */
static void emit_raw_json_part(walker *w, int node, const char *part, const char *mime)
{
    const wt_json *j = w->j;
    const wt_jnode *n = &j->n[node];
    size_t len = n->end - n->start;
    w->truncated = false;
    if (len > w->max_text) {
        len = w->max_text;
        w->truncated = true;
    }
    const char *s = j->src + n->start;
    w->nraw = 0;
    uint32_t line = n->line;
    raw_push(w, line);
    for (const char *p = s; (p = memchr(p, '\n', (size_t)(s + len - p))) != NULL; p++)
        raw_push(w, ++line);
    emit(w, part, "json", mime, s, len, NULL, NULL, 0);
}

static void emit_raw_json(walker *w, int node, const char *mime) { emit_raw_json_part(w, node, "output", mime); }

static void emit_mime(walker *w, const char *mime, int v)
{
    static const struct {
        const char *mime;
        const char *kind;
    } scanned[] = {
        {"text/plain", "output"},
        {"text/markdown", "markdown"},
        {"text/latex", "output"},
        {"text/html", "html"},
        {"application/json", "json"},
        {"application/vnd.dataresource+json", "json"},
        {NULL, NULL},
    };
    for (int i = 0; scanned[i].mime; i++) {
        if (strcmp(mime, scanned[i].mime) != 0)
            continue;
        int t = jtype(w->j, v);
        if (strcmp(scanned[i].kind, "json") == 0 && (t == WT_J_OBJ || (t == WT_J_ARR && w->j->n[v].first >= 0 &&
                                                                          w->j->n[w->j->n[v].first].type != WT_J_STR)))
            emit_raw_json(w, v, mime);
        else
            emit_text(w, v, "output", scanned[i].kind, mime);
        return;
    }
    /* everything else (image/png, image/jpeg, application/pdf, widgets,
     * javascript...) is a binary or script payload: not text to match */
}

/* decoded key of member k into buf (short keys only) */
static bool key_text(const wt_json *j, int k, char *buf, size_t cap)
{
    if (j->n[k].type != WT_J_STR)
        return false;
    size_t raw = j->n[k].end - j->n[k].start - 2;
    if (raw >= cap)
        return false;
    size_t got = decode_into(j, k, buf, cap - 1);
    buf[got] = '\0';
    return true;
}

/* The config kind ("env", "yaml", "ini"...) of the file named by the word
 * [p, p+n), or NULL. */
static const char *path_config_kind(const char *p, size_t n)
{
    char name[256];
    while (n && (*p == '"' || *p == '\''))
        p++, n--;
    while (n && (p[n - 1] == '"' || p[n - 1] == '\''))
        n--;
    if (n == 0 || n >= sizeof name)
        return NULL;
    memcpy(name, p, n);
    name[n] = '\0';
    const char *k = wt_textfile_kind_by_name(name);
    return k && wt_text_is_config_kind(k) ? k : NULL;
}

/* Last whitespace-separated word of [t, t+n). */
static void last_word(const char *t, size_t n, const char **w, size_t *wn)
{
    while (n && isspace((unsigned char)t[n - 1]))
        n--;
    size_t a = n;
    while (a && !isspace((unsigned char)t[a - 1]))
        a--;
    *w = t + a;
    *wn = n - a;
}

/* A cell that writes a config file (`%%writefile .env`) is that file: its
 * kind. A cell that only prints one (`!cat .env`, `!head config.yaml`) or
 * the environment (`!env`, `!printenv`): *stream_kind = the kind of its
 * printed output. */
static const char *cell_file_kind(const char *t, size_t n, const char **stream_kind)
{
    *stream_kind = NULL;
    size_t i = 0;
    while (i < n && isspace((unsigned char)t[i]))
        i++;
    size_t eol = i;
    while (eol < n && t[eol] != '\n')
        eol++;
    const char *w;
    size_t wn;
    if ((eol - i > 11 && memcmp(t + i, "%%writefile", 11) == 0) || (eol - i > 6 && memcmp(t + i, "%%file", 6) == 0)) {
        last_word(t + i, eol - i, &w, &wn);
        return path_config_kind(w, wn);
    }
    /* one `!cat PATH` line and nothing else but blanks and comments */
    size_t e = eol;
    while (e < n && (isspace((unsigned char)t[e]) || t[e] == '#')) {
        if (t[e] == '#')
            while (e < n && t[e] != '\n')
                e++;
        else
            e++;
    }
    if (e < n || i >= eol || t[i] != '!')
        return NULL;
    size_t c = i + 1;
    while (c < eol && (t[c] == ' ' || t[c] == '\t'))
        c++;
    /* `!env`, `!printenv`, `!export -p`: the environment, printed as KEY=value lines */
    size_t ce = eol;
    while (ce > c && isspace((unsigned char)t[ce - 1]))
        ce--;
    static const char *const envs[] = {"env", "printenv", "export", "export -p", NULL};
    for (int k = 0; envs[k]; k++)
        if (ce - c == strlen(envs[k]) && memcmp(t + c, envs[k], ce - c) == 0) {
            *stream_kind = "env";
            return NULL;
        }
    static const char *const cmds[] = {"cat ", "head ", "tail ", "more ", "less ", NULL};
    for (int k = 0; cmds[k]; k++)
        if (eol - c > strlen(cmds[k]) && memcmp(t + c, cmds[k], strlen(cmds[k])) == 0) {
            last_word(t + c, eol - c, &w, &wn);
            *stream_kind = path_config_kind(w, wn);
            break;
        }
    return NULL;
}

static void walk_output(walker *w, int out, int nbformat)
{
    const wt_json *j = w->j;
    if (jtype(j, out) != WT_J_OBJ) {
        w->info->bad_cells++;
        return;
    }
    int ot = wt_json_get(j, out, "output_type");
    if (wt_json_str_eq(j, ot, "stream")) {
        int t = wt_json_get(j, out, "text");
        if (t >= 0)
            emit_text(w, t, "output", w->stream_kind ? w->stream_kind : "output", "stream");
    } else if (wt_json_str_eq(j, ot, "execute_result") || wt_json_str_eq(j, ot, "display_data") ||
               wt_json_str_eq(j, ot, "pyout") || wt_json_str_eq(j, ot, "update_display_data")) {
        int data = wt_json_get(j, out, "data");
        if (jtype(j, data) == WT_J_OBJ) {
            for (int k = j->n[data].first; k >= 0 && j->n[k].next >= 0; k = j->n[j->n[k].next].next) {
                char mime[96];
                if (key_text(j, k, mime, sizeof mime))
                    emit_mime(w, mime, j->n[k].next);
            }
        } else if (data >= 0) {
            w->info->bad_cells++;
        }
        if (nbformat < 4 || data < 0) {
            /* nbformat 3: mime bundle keys sit on the output itself */
            static const char *const v3[][2] = {{"text", "text/plain"}, {"html", "text/html"},
                                                {"json", "application/json"}, {"latex", "text/latex"},
                                                {"markdown", "text/markdown"}, {NULL, NULL}};
            for (int i = 0; v3[i][0]; i++) {
                int v = wt_json_get(j, out, v3[i][0]);
                if (v >= 0)
                    emit_mime(w, v3[i][1], v);
            }
        }
    } else if (wt_json_str_eq(j, ot, "error") || wt_json_str_eq(j, ot, "pyerr")) {
        int tb = wt_json_get(j, out, "traceback");
        if (tb >= 0)
            emit_text(w, tb, "output", "traceback", "error");
        else {
            int ev = wt_json_get(j, out, "evalue");
            if (ev >= 0)
                emit_text(w, ev, "output", "output", "error");
        }
    } else {
        w->info->bad_cells++;
    }
}

static void walk_cell(walker *w, int cell, int nbformat)
{
    const wt_json *j = w->j;
    if (jtype(j, cell) != WT_J_OBJ) {
        w->info->bad_cells++;
        return;
    }
    int ct = wt_json_get(j, cell, "cell_type");
    bool code = wt_json_str_eq(j, ct, "code");
    bool md = wt_json_str_eq(j, ct, "markdown") || wt_json_str_eq(j, ct, "heading");
    if (!code && !md && !wt_json_str_eq(j, ct, "raw"))
        w->info->bad_cells++;
    w->has_id = false;
    int id = wt_json_get(j, cell, "id");
    if (jtype(j, id) == WT_J_STR) {
        size_t got = decode_into(j, id, w->cell_id, NB_MAX_ID);
        w->cell_id[got] = '\0';
        /* ids are [a-zA-Z0-9-_]; keep anything printable, drop the rest */
        for (size_t i = 0; i < got; i++)
            if ((uint8_t)w->cell_id[i] < 0x20)
                w->cell_id[i] = '?';
        w->has_id = true;
    }
    w->output = -1;
    w->stream_kind = NULL;
    /* every "source" (and v3 "input") member, duplicates included: a loader
     * keeps the last one, but all of them are in the file */
    for (int k = j->n[cell].first; k >= 0 && j->n[k].next >= 0; k = j->n[j->n[k].next].next) {
        int v = j->n[k].next;
        if (!(wt_json_str_eq(j, k, "source") || wt_json_str_eq(j, k, "input")))
            continue;
        const char *kind = code ? w->code_kind : md ? "markdown" : "text";
        build_lines(w, v, false);
        if (code && strcmp(kind, "python") == 0 &&
            wt_magics_cell_kind(w->text.data ? w->text.data : "", w->text.len, NULL) == WT_CELL_SHELL)
            kind = "shell";
        if (code && strcmp(kind, "python") == 0) {
            const char *fk = cell_file_kind(w->text.data ? w->text.data : "", w->text.len, &w->stream_kind);
            if (fk)
                kind = fk;
        }
        emit(w, "source", kind, NULL, w->text.data, w->text.len, NULL, NULL, 0);
    }
    /* cell metadata (Colab keeps the executing user's name and e-mail there) */
    int meta = wt_json_get(j, cell, "metadata");
    if (jtype(j, meta) == WT_J_OBJ && j->n[meta].first >= 0)
        emit_raw_json_part(w, meta, "metadata", NULL);
    int outs = wt_json_get(j, cell, "outputs");
    if (jtype(j, outs) == WT_J_ARR) {
        int idx = 0;
        for (int o = j->n[outs].first; o >= 0; o = j->n[o].next) {
            w->output = idx++;
            walk_output(w, o, nbformat);
        }
    } else if (outs >= 0) {
        w->info->bad_cells++;
    }
}

static int json_int(const wt_json *j, int k)
{
    if (jtype(j, k) != WT_J_NUM)
        return 0;
    const char *s = j->src + j->n[k].start;
    size_t n = j->n[k].end - j->n[k].start;
    int v = 0;
    for (size_t i = 0; i < n && i < 6 && s[i] >= '0' && s[i] <= '9'; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static void detect_language(walker *w, int root)
{
    const wt_json *j = w->j;
    int md = wt_json_get(j, root, "metadata");
    int lang = wt_json_get(j, wt_json_get(j, md, "kernelspec"), "language");
    if (jtype(j, lang) != WT_J_STR)
        lang = wt_json_get(j, wt_json_get(j, md, "language_info"), "name");
    if (jtype(j, lang) != WT_J_STR)
        lang = wt_json_get(j, md, "language");
    w->code_kind = "python";
    snprintf(w->lang, sizeof w->lang, "python");
    if (jtype(j, lang) != WT_J_STR)
        return;
    char buf[32];
    size_t n = decode_into(j, lang, buf, sizeof buf - 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = buf[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c | 0x20);
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '#' || c == '-')
            w->lang[o++] = c;
    }
    w->lang[o] = '\0';
    if (o == 0 || strstr(w->lang, "python"))
        snprintf(w->lang, sizeof w->lang, "python");
    else
        w->code_kind = w->lang;
}

/* a static copy of the language name (info must outlive the walker) */
static const char *static_language(const char *lang)
{
    static const char *const known[] = {"python", "r", "julia", "scala", "javascript", "typescript", "c++", "c",
                                        "java", "go", "rust", "sql", "bash", "matlab", "octave", NULL};
    for (int i = 0; known[i]; i++)
        if (strcmp(lang, known[i]) == 0)
            return known[i];
    return "other";
}

int wt_notebook_walk(const wt_json *j, size_t max_text, wt_nb_buffer_fn fn, wt_nb_stop_fn stop, void *ud,
                     wt_nb_info *info, char *err, size_t errcap)
{
    wt_nb_info dummy;
    if (!info)
        info = &dummy;
    memset(info, 0, sizeof *info);
    if (err && errcap)
        err[0] = '\0';
    int root = j->root;
    if (jtype(j, root) != WT_J_OBJ) {
        if (err)
            snprintf(err, errcap, "the notebook's JSON root is not an object");
        return -1;
    }
    walker w;
    memset(&w, 0, sizeof w);
    w.j = j;
    w.max_text = max_text ? max_text : (64u << 20);
    w.fn = fn;
    w.stop = stop;
    w.ud = ud;
    w.info = info;
    wt_buf_init(&w.text);
    detect_language(&w, root);
    info->language = static_language(w.lang);
    info->nbformat = json_int(j, wt_json_get(j, root, "nbformat"));
    int cells = wt_json_get(j, root, "cells");
    int wss = wt_json_get(j, root, "worksheets");
    int rc = 0;
    if (jtype(j, cells) == WT_J_ARR) {
        int nbf = info->nbformat ? info->nbformat : 4;
        for (int c = j->n[cells].first; c >= 0; c = j->n[c].next) {
            if (stop && stop(ud))
                break;
            w.cell = info->ncells++;
            walk_cell(&w, c, nbf);
        }
    } else if (jtype(j, wss) == WT_J_ARR) {
        for (int ws = j->n[wss].first; ws >= 0; ws = j->n[ws].next) {
            int wc = wt_json_get(j, ws, "cells");
            if (jtype(j, wc) != WT_J_ARR) {
                info->bad_cells++;
                continue;
            }
            for (int c = j->n[wc].first; c >= 0; c = j->n[c].next) {
                if (stop && stop(ud))
                    break;
                w.cell = info->ncells++;
                walk_cell(&w, c, info->nbformat ? info->nbformat : 3);
            }
        }
    } else {
        if (err)
            snprintf(err, errcap, "no \"cells\" (nbformat 4) or \"worksheets\" (nbformat 3) array");
        rc = -1;
    }
    wt_buf_free(&w.text);
    free(w.raw);
    free(w.strip);
    free(w.map);
    return rc;
}

/* ------------------------------------------------------------------ */
/* analyzer                                                            */

static const char *skip_bom_ws(const uint8_t *h, size_t n, size_t *i)
{
    size_t k = 0;
    if (n >= 3 && memcmp(h, "\xEF\xBB\xBF", 3) == 0)
        k = 3;
    while (k < n && (h[k] == ' ' || h[k] == '\t' || h[k] == '\r' || h[k] == '\n'))
        k++;
    *i = k;
    return (const char *)h + k;
}

static bool head_has(const uint8_t *h, size_t n, const char *needle)
{
    return memmem(h, n, needle, strlen(needle)) != NULL;
}

static int nb_probe(const char *name, const uint8_t *head, size_t headlen, uint64_t size)
{
    bool ext = name && wt_str_endswith_ci(name, ".ipynb");
    size_t i;
    skip_bom_ws(head, headlen, &i);
    bool obj = i < headlen && head[i] == '{';
    if (obj) {
        bool v4 = head_has(head, headlen, "\"cells\"") &&
                  (head_has(head, headlen, "\"cell_type\"") || head_has(head, headlen, "\"nbformat\""));
        bool v3 = head_has(head, headlen, "\"worksheets\"") && head_has(head, headlen, "\"nbformat\"");
        bool nbf = head_has(head, headlen, "\"nbformat\"") && head_has(head, headlen, "\"cells\"");
        if (v4 || v3 || nbf)
            return ext ? 95 : 80;
        if (ext)
            return 70;
        return 0;
    }
    if (ext && headlen > 0 && !memchr(head, '\0', headlen))
        return 30; /* a broken notebook is still ours to report */
    (void)size;
    return 0;
}

typedef struct nb_run {
    wt_ctx *ctx;
} nb_run;

static void nb_on_buffer(void *ud, const wt_nb_buffer *b)
{
    nb_run *run = ud;
    wt_text_origin o = {
        .cell = b->cell,
        .cell_id = b->cell_id,
        .cell_part = b->cell_part,
        .kind = b->kind,
        .raw_lines = b->raw_lines,
        .nraw_lines = b->nraw_lines,
        .line_base = 1,
        .offset_map = b->offset_map,
        .orig_text = b->orig_text,
        .orig_len = b->orig_len,
    };
    wt_text_detect(run->ctx, b->text, b->len, &o);
}

static bool nb_stop(void *ud) { return wt_ctx_expired(((nb_run *)ud)->ctx); }

/* When the JSON cannot be walked, still scan its bytes as JSON text. */
static void scan_raw(wt_ctx *ctx, const char *data, size_t len)
{
    const wt_limits *lim = wt_ctx_limits(ctx);
    size_t max = lim && lim->max_text_size ? (size_t)lim->max_text_size : len;
    if (len > max) {
        wt_emit_limit(ctx, "text size", len, max);
        len = max;
    }
    wt_text_origin o = {.cell = -1, .kind = "json", .line_base = 1};
    wt_text_detect(ctx, data, len, &o);
}

static int nb_analyze(wt_ctx *ctx, wt_reader *r)
{
    wt_ctx_set_kind(ctx, "notebook");
    wt_ctx_set_class(ctx, WT_CLASS_NBREQ);
    const wt_limits *lim = wt_ctx_limits(ctx);
    uint64_t size = wt_reader_size(r);
    if (lim && lim->max_file_size && size > lim->max_file_size) {
        wt_emit_limit(ctx, "notebook size", size, lim->max_file_size);
        return WT_OK;
    }
    if (size >= UINT32_MAX) {
        wt_emit_limit(ctx, "notebook size", size, UINT32_MAX - 1);
        return WT_OK;
    }
    uint8_t *owned = NULL;
    const char *data = (const char *)wt_reader_view(r, 0, (size_t)size);
    size_t len = (size_t)size;
    if (!data && size > 0) {
        owned = wt_reader_slurp(r, size, &len);
        if (!owned) {
            wt_emit_error(ctx, "cannot read the notebook");
            return WT_OK;
        }
        data = (const char *)owned;
    }
    if (!data)
        data = "";
    wt_json j;
    if (wt_json_parse(&j, data, len, NB_MAX_NODES, NB_MAX_DEPTH) != 0) {
        if (j.too_big)
            wt_emit_limit(ctx, j.err, len, len);
        else
            wt_emit_error(ctx, "invalid notebook JSON at line %u: %s", j.err_line, j.err);
        scan_raw(ctx, data, len);
        wt_json_free(&j);
        free(owned);
        return WT_OK;
    }
    nb_run run = {ctx};
    wt_nb_info info;
    char err[160];
    size_t max_text = lim && lim->max_text_size ? (size_t)lim->max_text_size : 0;
    wt_code_scope_begin();
    int rc = wt_notebook_walk(&j, max_text, nb_on_buffer, nb_stop, &run, &info, err, sizeof err);
    wt_code_scope_end();
    if (rc != 0) {
        wt_emit_error(ctx, "not a Jupyter notebook: %s", err);
        scan_raw(ctx, data, len);
    } else {
        if (info.bad_cells)
            wt_emit_error(ctx, "%d notebook cells or outputs have unexpected types and were skipped",
                          info.bad_cells);
        if (info.truncated)
            wt_emit_limit(ctx, "notebook cell text size", (uint64_t)max_text + 1, max_text);
    }
    wt_json_free(&j);
    free(owned);
    return WT_OK;
}

const wt_analyzer wt_notebook_analyzer = {
    .name = "notebook",
    .klass = WT_CLASS_NBREQ,
    .exclusive = true,
    .probe = nb_probe,
    .analyze = nb_analyze,
    .rules = NULL,
    .nrules = 0,
};
