/*
 * pep440.c - PEP 440 versions: parsing, normalisation, ordering. See
 * pep440.h. Numbers are kept as digit strings (leading zeros stripped) so
 * arbitrarily long numbers compare exactly.
 */
#include "deps/pep440.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

typedef struct {
    uint16_t off, len; /* into ver->buf; len 0 = the number zero */
} num;

struct wt_ver {
    bool valid;
    char *buf;   /* trimmed lower-case input */
    char *norm;  /* normalised text */
    num epoch;
    num *rel;
    size_t nrel;
    int pre;     /* -1 none, 0 a, 1 b, 2 rc */
    num pre_n;
    bool post;
    num post_n;
    bool dev;
    num dev_n;
    int local_off; /* offset of local part (after '+') in buf, -1 none */
    int local_len;
};

static bool sep(char c) { return c == '-' || c == '_' || c == '.'; }

/* Read digits at s[*i]; strip leading zeros. */
static bool read_num(const char *s, size_t n, size_t *i, num *out) {
    size_t j = *i;
    if (j >= n || !isdigit((unsigned char)s[j])) return false;
    while (j < n && isdigit((unsigned char)s[j])) j++;
    size_t a = *i;
    while (a < j && s[a] == '0') a++;
    out->off = (uint16_t)a;
    out->len = (uint16_t)(j - a);
    *i = j;
    return true;
}

static bool match_word(const char *s, size_t n, size_t i, const char *w) {
    size_t l = strlen(w);
    return i + l <= n && memcmp(s + i, w, l) == 0;
}

static bool parse_valid(wt_ver *v) {
    const char *s = v->buf;
    size_t n = strlen(s), i = 0;
    if (i < n && s[i] == 'v') i++;
    /* epoch */
    size_t save = i;
    num tmp;
    v->epoch.off = v->epoch.len = 0;
    if (read_num(s, n, &i, &tmp) && i < n && s[i] == '!') {
        v->epoch = tmp;
        i++;
    } else {
        i = save;
    }
    /* release */
    size_t cap = 4;
    v->rel = wt_xmalloc(cap * sizeof(num));
    v->nrel = 0;
    for (;;) {
        if (!read_num(s, n, &i, &tmp)) return false;
        if (v->nrel == cap) {
            cap *= 2;
            v->rel = wt_xrealloc(v->rel, cap * sizeof(num));
        }
        v->rel[v->nrel++] = tmp;
        if (i + 1 < n && s[i] == '.' && isdigit((unsigned char)s[i + 1])) {
            i++;
            continue;
        }
        break;
    }
    /* pre-release */
    v->pre = -1;
    {
        size_t j = i;
        if (j < n && sep(s[j])) j++;
        static const struct { const char *w; int kind; } labels[] = {
            {"alpha", 0}, {"beta", 1}, {"preview", 2}, {"pre", 2}, {"rc", 2}, {"a", 0}, {"b", 1}, {"c", 2}};
        for (size_t k = 0; k < sizeof labels / sizeof labels[0]; k++) {
            if (match_word(s, n, j, labels[k].w)) {
                v->pre = labels[k].kind;
                j += strlen(labels[k].w);
                v->pre_n.off = v->pre_n.len = 0;
                size_t jj = j;
                if (jj < n && sep(s[jj])) jj++;
                if (read_num(s, n, &jj, &v->pre_n)) j = jj;
                i = j;
                break;
            }
        }
    }
    /* post-release */
    v->post = false;
    {
        size_t j = i;
        if (j + 1 < n && s[j] == '-' && isdigit((unsigned char)s[j + 1])) {
            j++;
            read_num(s, n, &j, &v->post_n);
            v->post = true;
            i = j;
        } else {
            if (j < n && sep(s[j])) j++;
            static const char *const labels[] = {"post", "rev", "r"};
            for (size_t k = 0; k < 3; k++) {
                if (match_word(s, n, j, labels[k])) {
                    j += strlen(labels[k]);
                    v->post = true;
                    v->post_n.off = v->post_n.len = 0;
                    size_t jj = j;
                    if (jj < n && sep(s[jj])) jj++;
                    if (read_num(s, n, &jj, &v->post_n)) j = jj;
                    i = j;
                    break;
                }
            }
        }
    }
    /* dev-release */
    v->dev = false;
    {
        size_t j = i;
        if (j < n && sep(s[j])) j++;
        if (match_word(s, n, j, "dev")) {
            j += 3;
            v->dev = true;
            v->dev_n.off = v->dev_n.len = 0;
            size_t jj = j;
            if (jj < n && sep(s[jj])) jj++;
            if (read_num(s, n, &jj, &v->dev_n)) j = jj;
            i = j;
        }
    }
    /* local */
    v->local_off = -1;
    v->local_len = 0;
    if (i < n && s[i] == '+') {
        i++;
        size_t start = i;
        bool need = true;
        while (i < n) {
            if (isalnum((unsigned char)s[i])) {
                need = false;
            } else if (sep(s[i]) && !need) {
                need = true;
            } else {
                return false;
            }
            i++;
        }
        if (need) return false;
        v->local_off = (int)start;
        v->local_len = (int)(i - start);
    }
    return i == n;
}

static void put_num(wt_buf *b, const wt_ver *v, num x) {
    if (x.len == 0) wt_buf_putc(b, '0');
    else wt_buf_append(b, v->buf + x.off, x.len);
}

/* Local segments: numeric ones lose leading zeros (like int()). */
static void put_local(wt_buf *b, const wt_ver *v) {
    const char *p = v->buf + v->local_off, *e = p + v->local_len;
    bool first = true;
    while (p < e) {
        const char *q = p;
        while (q < e && !sep(*q)) q++;
        if (!first) wt_buf_putc(b, '.');
        first = false;
        bool numeric = true;
        for (const char *r = p; r < q; r++)
            if (!isdigit((unsigned char)*r)) numeric = false;
        if (numeric) {
            const char *r = p;
            while (r + 1 < q && *r == '0') r++;
            wt_buf_append(b, r, (size_t)(q - r));
        } else {
            wt_buf_append(b, p, (size_t)(q - p));
        }
        p = q < e ? q + 1 : q;
    }
}

static char *normalise(const wt_ver *v, bool strip_zeros) {
    wt_buf b;
    wt_buf_init(&b);
    if (v->epoch.len) {
        put_num(&b, v, v->epoch);
        wt_buf_putc(&b, '!');
    }
    size_t nrel = v->nrel;
    if (strip_zeros)
        while (nrel > 1 && v->rel[nrel - 1].len == 0) nrel--;
    for (size_t i = 0; i < nrel; i++) {
        if (i) wt_buf_putc(&b, '.');
        put_num(&b, v, v->rel[i]);
    }
    if (v->pre >= 0) {
        wt_buf_puts(&b, v->pre == 0 ? "a" : v->pre == 1 ? "b" : "rc");
        put_num(&b, v, v->pre_n);
    }
    if (v->post) {
        wt_buf_puts(&b, ".post");
        put_num(&b, v, v->post_n);
    }
    if (v->dev) {
        wt_buf_puts(&b, ".dev");
        put_num(&b, v, v->dev_n);
    }
    if (v->local_off >= 0) {
        wt_buf_putc(&b, '+');
        put_local(&b, v);
    }
    return wt_buf_steal(&b);
}

wt_ver *wt_ver_parse(const char *s, size_t n) {
    wt_ver *v = wt_xcalloc(1, sizeof *v);
    while (n && isspace((unsigned char)*s)) s++, n--;
    while (n && isspace((unsigned char)s[n - 1])) n--;
    v->buf = wt_xstrndup(s, n);
    for (size_t i = 0; i < n; i++) v->buf[i] = (char)tolower((unsigned char)v->buf[i]);
    if (n > 0 && n <= WT_VER_MAX_LEN && strlen(v->buf) == n && parse_valid(v)) {
        v->valid = true;
        v->norm = normalise(v, false);
    } else {
        v->valid = false;
        free(v->rel);
        v->rel = NULL;
        v->nrel = 0;
        v->norm = wt_xstrdup(v->buf);
    }
    return v;
}

wt_ver *wt_ver_parse_cstr(const char *s) { return wt_ver_parse(s, strlen(s)); }

void wt_ver_free(wt_ver *v) {
    if (!v) return;
    free(v->buf);
    free(v->norm);
    free(v->rel);
    free(v);
}

bool wt_ver_valid(const wt_ver *v) { return v->valid; }
const char *wt_ver_str(const wt_ver *v) { return v->norm; }
char *wt_ver_key(const wt_ver *v) { return v->valid ? normalise(v, true) : wt_xstrdup(v->buf); }

char *wt_ver_public_key(const wt_ver *v) {
    if (!v->valid || v->local_off < 0) return NULL;
    wt_ver tmp = *v;
    tmp.local_off = -1;
    return normalise(&tmp, true);
}
bool wt_ver_is_prerelease(const wt_ver *v) { return v->valid && (v->pre >= 0 || v->dev); }
bool wt_ver_is_postrelease(const wt_ver *v) { return v->valid && v->post; }
bool wt_ver_has_local(const wt_ver *v) { return v->valid && v->local_off >= 0; }

static int cmp_digits(const char *a, size_t al, const char *b, size_t bl) {
    if (al != bl) return al < bl ? -1 : 1;
    int c = memcmp(a, b, al);
    return c < 0 ? -1 : c > 0;
}

static int cmp_num(const wt_ver *a, num x, const wt_ver *b, num y) {
    return cmp_digits(a->buf + x.off, x.len, b->buf + y.off, y.len);
}

static int cmp_release(const wt_ver *a, const wt_ver *b) {
    size_t n = a->nrel > b->nrel ? a->nrel : b->nrel;
    static const num zero = {0, 0};
    for (size_t i = 0; i < n; i++) {
        num x = i < a->nrel ? a->rel[i] : zero;
        num y = i < b->nrel ? b->rel[i] : zero;
        int c = cmp_num(a, x, b, y);
        if (c) return c;
    }
    return 0;
}

/* pre key rank: 0 = dev-only (sorts first), 1..3 = a/b/rc, 4 = none. */
static int pre_rank(const wt_ver *v) {
    if (v->pre < 0 && !v->post && v->dev) return 0;
    if (v->pre < 0) return 4;
    return 1 + v->pre;
}

static int cmp_local(const wt_ver *a, const wt_ver *b) {
    if (a->local_off < 0 || b->local_off < 0) {
        if (a->local_off < 0 && b->local_off < 0) return 0;
        return a->local_off < 0 ? -1 : 1;
    }
    const char *p = a->buf + a->local_off, *pe = p + a->local_len;
    const char *q = b->buf + b->local_off, *qe = q + b->local_len;
    for (;;) {
        if (p >= pe || q >= qe) {
            if (p >= pe && q >= qe) return 0;
            return p >= pe ? -1 : 1;
        }
        const char *p2 = p, *q2 = q;
        bool pn = true, qn = true;
        while (p2 < pe && !sep(*p2)) pn &= isdigit((unsigned char)*p2++) != 0;
        while (q2 < qe && !sep(*q2)) qn &= isdigit((unsigned char)*q2++) != 0;
        int c;
        if (pn && qn) {
            const char *x = p, *y = q;
            while (x < p2 && *x == '0') x++;
            while (y < q2 && *y == '0') y++;
            c = cmp_digits(x, (size_t)(p2 - x), y, (size_t)(q2 - y));
        } else if (pn != qn) {
            c = pn ? 1 : -1; /* numeric segments sort after alphanumeric ones */
        } else {
            size_t al = (size_t)(p2 - p), bl = (size_t)(q2 - q);
            c = memcmp(p, q, al < bl ? al : bl);
            if (c == 0 && al != bl) c = al < bl ? -1 : 1;
            c = c < 0 ? -1 : c > 0;
        }
        if (c) return c;
        p = p2 < pe ? p2 + 1 : p2;
        q = q2 < qe ? q2 + 1 : q2;
    }
}

/* Legacy strings order like packaging's LegacyVersion (setuptools' old
 * parse_version): split into digit runs, letter runs, '.', '-' and runs of
 * anything else; numbers are zero-filled to 8, words prefixed with '*'
 * (pre/preview/rc => c, dev => @, '-' => final-); trailing zeros and
 * "final-" markers before a pre-release word are dropped; "*final" ends the
 * key. Keys compare as tuples of strings. */
#define LEGACY_MAX_PARTS 128

typedef struct {
    char *parts[LEGACY_MAX_PARTS];
    size_t n;
} legacy_key;

static void lk_push(legacy_key *k, char *part) {
    if (part[0] == '*') {
        if (strcmp(part, "*final") < 0)
            while (k->n && !strcmp(k->parts[k->n - 1], "*final-")) free(k->parts[--k->n]);
        while (k->n && !strcmp(k->parts[k->n - 1], "00000000")) free(k->parts[--k->n]);
    }
    if (k->n < LEGACY_MAX_PARTS) k->parts[k->n++] = part;
    else free(part);
}

static void legacy_key_build(const char *s, legacy_key *k) {
    k->n = 0;
    const char *p = s;
    while (*p) {
        const char *q = p;
        char *part;
        if (isdigit((unsigned char)*p)) {
            while (isdigit((unsigned char)*q)) q++;
            size_t l = (size_t)(q - p);
            size_t pad = l < 8 ? 8 - l : 0;
            part = wt_xmalloc(l + pad + 1);
            memset(part, '0', pad);
            memcpy(part + pad, p, l);
            part[l + pad] = 0;
        } else if (*p == '.') {
            p++;
            continue;
        } else {
            if (isalpha((unsigned char)*p)) {
                while (isalpha((unsigned char)*q)) q++;
            } else if (*p == '-') {
                q++;
            } else {
                while (*q && !isalnum((unsigned char)*q) && *q != '.' && *q != '-') q++;
            }
            size_t l = (size_t)(q - p);
            const char *w = p;
            if ((l == 3 && !memcmp(p, "pre", 3)) || (l == 7 && !memcmp(p, "preview", 7)) || (l == 2 && !memcmp(p, "rc", 2))) {
                w = "c";
                l = 1;
            } else if (l == 3 && !memcmp(p, "dev", 3)) {
                w = "@";
                l = 1;
            } else if (l == 1 && *p == '-') {
                w = "final-";
                l = 6;
            }
            part = wt_xmalloc(l + 2);
            part[0] = '*';
            memcpy(part + 1, w, l);
            part[l + 1] = 0;
        }
        lk_push(k, part);
        p = q;
    }
    lk_push(k, wt_xstrdup("*final"));
}

static int cmp_legacy(const char *a, const char *b) {
    legacy_key ka, kb;
    legacy_key_build(a, &ka);
    legacy_key_build(b, &kb);
    int c = 0;
    size_t n = ka.n < kb.n ? ka.n : kb.n;
    for (size_t i = 0; i < n && !c; i++) {
        int r = strcmp(ka.parts[i], kb.parts[i]);
        c = r < 0 ? -1 : r > 0;
    }
    if (!c && ka.n != kb.n) c = ka.n < kb.n ? -1 : 1;
    for (size_t i = 0; i < ka.n; i++) free(ka.parts[i]);
    for (size_t i = 0; i < kb.n; i++) free(kb.parts[i]);
    return c;
}

int wt_ver_cmp(const wt_ver *a, const wt_ver *b) {
    if (!a->valid || !b->valid) {
        if (a->valid != b->valid) return a->valid ? 1 : -1;
        int c = cmp_legacy(a->buf, b->buf);
        if (c) return c;
        c = strcmp(a->buf, b->buf);
        return c < 0 ? -1 : c > 0;
    }
    int c = cmp_num(a, a->epoch, b, b->epoch);
    if (c) return c;
    if ((c = cmp_release(a, b))) return c;
    int ra = pre_rank(a), rb = pre_rank(b);
    if (ra != rb) return ra < rb ? -1 : 1;
    if (ra >= 1 && ra <= 3 && (c = cmp_num(a, a->pre_n, b, b->pre_n))) return c;
    if (a->post != b->post) return a->post ? 1 : -1;
    if (a->post && (c = cmp_num(a, a->post_n, b, b->post_n))) return c;
    if (a->dev != b->dev) return a->dev ? -1 : 1;
    if (a->dev && (c = cmp_num(a, a->dev_n, b, b->dev_n))) return c;
    return cmp_local(a, b);
}

char *wt_pep503_name(const char *s, size_t n) {
    wt_buf b;
    wt_buf_init(&b);
    bool in_sep = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '-' || c == '_' || c == '.') {
            if (!in_sep) wt_buf_putc(&b, '-');
            in_sep = true;
        } else {
            wt_buf_putc(&b, (char)tolower((unsigned char)c));
            in_sep = false;
        }
    }
    return wt_buf_steal(&b);
}

bool wt_pep508_name_valid(const char *s, size_t n) {
    if (n == 0 || n > 200) return false;
    if (!isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1])) return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !sep(s[i])) return false;
    return true;
}

/* ---- helpers shared with specifiers.c ---- */

/* Compare the "public" part (no local) of a with b. */
int wt__ver_cmp_public(const wt_ver *a, const wt_ver *b);
int wt__ver_cmp_public(const wt_ver *a, const wt_ver *b) {
    if (!a->valid || !b->valid) return wt_ver_cmp(a, b);
    wt_ver tmp = *a;
    tmp.local_off = -1;
    wt_ver tb = *b;
    tb.local_off = -1;
    return wt_ver_cmp(&tmp, &tb);
}

/* Compare base versions (epoch + release). */
int wt__ver_cmp_base(const wt_ver *a, const wt_ver *b);
int wt__ver_cmp_base(const wt_ver *a, const wt_ver *b) {
    int c = cmp_num(a, a->epoch, b, b->epoch);
    return c ? c : cmp_release(a, b);
}

/* Prefix match for "==V.*": the components of the spec version (epoch,
 * release, then pre/post/dev parts) equal the first ones of v (release
 * zero-padded), as packaging does. */
bool wt__ver_prefix_match(const wt_ver *v, const wt_ver *spec);
bool wt__ver_prefix_match(const wt_ver *v, const wt_ver *spec) {
    if (!v->valid || !spec->valid) return false;
    if (cmp_num(v, v->epoch, spec, spec->epoch)) return false;
    static const num zero = {0, 0};
    for (size_t i = 0; i < spec->nrel; i++) {
        num x = i < v->nrel ? v->rel[i] : zero;
        if (cmp_num(v, x, spec, spec->rel[i])) return false;
    }
    bool spec_suffix = spec->pre >= 0 || spec->post || spec->dev;
    if (!spec_suffix) return true;
    /* candidate release must not extend beyond the spec's (else the next
     * component would be a release number, not the suffix) */
    for (size_t i = spec->nrel; i < v->nrel; i++)
        if (v->rel[i].len) return false;
    /* suffix components in order: pre, post, dev; the spec's list must be
     * a prefix of the candidate's */
    struct comp { int kind; num n; } cv[3], cs[3];
    size_t ncv = 0, ncs = 0;
    if (v->pre >= 0) cv[ncv++] = (struct comp){v->pre, v->pre_n};
    if (v->post) cv[ncv++] = (struct comp){10, v->post_n};
    if (v->dev) cv[ncv++] = (struct comp){20, v->dev_n};
    if (spec->pre >= 0) cs[ncs++] = (struct comp){spec->pre, spec->pre_n};
    if (spec->post) cs[ncs++] = (struct comp){10, spec->post_n};
    if (spec->dev) cs[ncs++] = (struct comp){20, spec->dev_n};
    if (ncs > ncv) return false;
    for (size_t i = 0; i < ncs; i++)
        if (cv[i].kind != cs[i].kind || cmp_num(v, cv[i].n, spec, cs[i].n)) return false;
    return true;
}

size_t wt__ver_nrelease(const wt_ver *v);
size_t wt__ver_nrelease(const wt_ver *v) { return v->nrel; }

/* "==prefix.*" version for ~=: epoch and release without its last part. */
wt_ver *wt__ver_compat_prefix(const wt_ver *v);
wt_ver *wt__ver_compat_prefix(const wt_ver *v) {
    wt_buf b;
    wt_buf_init(&b);
    if (v->epoch.len) {
        put_num(&b, v, v->epoch);
        wt_buf_putc(&b, '!');
    }
    for (size_t i = 0; i + 1 < v->nrel; i++) {
        if (i) wt_buf_putc(&b, '.');
        put_num(&b, v, v->rel[i]);
    }
    wt_ver *r = wt_ver_parse(b.data, b.len);
    wt_buf_free(&b);
    return r;
}
