/*
 * secrets.c - see secrets.h.
 */
#include "text/secrets.h"

#include <ctype.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/embedded.h"
#include "core/util.h"
#include "text/validators.h"

#define CTX_BEFORE 100   /* bytes before a match searched for context words */
#define PEM_MAX 16384    /* longest PEM block fingerprinted */

/* Identifiers that contain a secret keyword but name something else
 * (tokenizers, token counts, key paths, public keys...). Lower case,
 * substring match on the identifier of generic rules. */
static const char *const key_stoplist[] = {
    "tokeniz", "token_type", "tokens", "token_id", "tokenid", "pad_token", "eos_token", "bos_token",
    "unk_token", "sep_token", "cls_token", "mask_token", "special_token", "token_len", "max_token",
    "num_token", "token_count", "token_url", "token_uri", "token_endpoint", "tokenurl",
    "secret_name", "secretname", "secret_ref", "secretref", "secret_arn", "key_id", "keyid",
    "public_key", "publickey", "pub_key", "keyboard", "keypoint", "keyword", "key_name", "keyname",
    "password_field", "passwordfield", "password_hash", "passwordless", "password_reset",
    "password_policy", "password_length", "password_min", "passthrough", "passenger", "bypass",
    "_path", "_file", "_dir", "_url", "_uri", "_name", "_prefix", "_length", "_len", "_size",
    "_type", "_env", "_var", "_format", "_field", "_label", "_header", "_param", "_column",
    "path_", "file_", "credentialsid", "credentials_id", "author", "access_token_url",
    "compass", "passage", "tokenizer", "_id",
};

/* ---- published example values (rules/secret_examples.txt) ---- */
typedef struct span {
    const char *p;
    size_t n;
} span;

static span *g_examples;
static size_t g_nexamples;
static pthread_once_t g_examples_once = PTHREAD_ONCE_INIT;

static int span_cmp(const void *a, const void *b)
{
    const span *x = a, *y = b;
    size_t m = x->n < y->n ? x->n : y->n;
    int c = memcmp(x->p, y->p, m);
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

static void load_examples(void)
{
    size_t len = 0;
    const char *t = wt_rules_text("secret_examples.txt", &len);
    if (!t)
        return;
    size_t cap = 0;
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && t[j] != '\n')
            j++;
        size_t e = j;
        while (e > i && (t[e - 1] == '\r' || t[e - 1] == ' ' || t[e - 1] == '\t'))
            e--;
        if (e > i && t[i] != '#') {
            if (g_nexamples == cap) {
                cap = cap ? cap * 2 : 16;
                g_examples = wt_xrealloc(g_examples, cap * sizeof *g_examples);
            }
            g_examples[g_nexamples++] = (span){t + i, e - i};
        }
        i = j + 1;
    }
    if (g_nexamples)
        qsort(g_examples, g_nexamples, sizeof *g_examples, span_cmp);
}

/* A value printed in vendor documentation or an emulator's defaults. */
static bool published_example(const char *s, size_t n)
{
    pthread_once(&g_examples_once, load_examples);
    if (!g_nexamples)
        return false;
    span key = {s, n};
    return bsearch(&key, g_examples, g_nexamples, sizeof *g_examples, span_cmp) != NULL;
}

static bool has_class(const char *s, size_t n, int *classes)
{
    bool lo = false, up = false, di = false, ot = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (islower(c))
            lo = true;
        else if (isupper(c))
            up = true;
        else if (isdigit(c))
            di = true;
        else
            ot = true;
    }
    *classes = lo + up + di + ot;
    return di;
}

/* The random part of a prefixed token (after "ghp_", "sk-ant-api03-"...). */
static void token_body(const char *s, size_t n, const char **b, size_t *bn)
{
    size_t cut = 0;
    for (size_t i = 0; i < n && i < 16; i++)
        if (s[i] == '_' || s[i] == '-' || s[i] == '.')
            cut = i + 1;
    if (n - cut < 8)
        cut = 0;
    *b = s + cut;
    *bn = n - cut;
}

bool wt_text_is_config_kind(const char *kind)
{
    static const char *const kinds[] = {"env", "yaml", "yml", "ini", "toml", "properties", "shell",
                                        "cfg", "conf", "dockerfile", "npmrc", "pypirc", NULL};
    if (!kind)
        return false;
    for (size_t i = 0; kinds[i]; i++)
        if (strcmp(kind, kinds[i]) == 0)
            return true;
    return false;
}

/* Base64url-decode one JWT segment (up to '.' or n) into out; returns length. */
static size_t b64url_segment(const char *s, size_t n, char *out, size_t cap)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t k = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n && s[i] != '.' && k < cap - 1; i++) {
        const char *p = s[i] ? strchr(b64, s[i]) : NULL;
        if (!p)
            return 0;
        acc = (acc << 6) | (unsigned)(p - b64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[k++] = (char)((acc >> bits) & 0xff);
        }
    }
    out[k] = 0;
    return k;
}

static bool jwt_header_ok(const char *s, size_t n)
{
    char out[400];
    size_t k = b64url_segment(s, n, out, sizeof out);
    return k > 8 && out[0] == '{' && strstr(out, "\"alg\"") != NULL;
}

/* Documentation tokens (jwt.io's "John Doe", subject "1234567890", example.com
 * issuers): their claims are sample data, whatever the signature. */
static bool jwt_is_sample(const char *s, size_t n)
{
    static const char *const marks[] = {"\"1234567890\"", "John Doe", "Jane Doe", "example.com",
                                        "example.org", "\"test@", "lorem"};
    const char *dot = memchr(s, '.', n);
    if (!dot)
        return false;
    char out[1024];
    size_t k = b64url_segment(dot + 1, n - (size_t)(dot + 1 - s), out, sizeof out);
    if (k == 0)
        return false;
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (strstr(out, marks[i]))
            return true;
    return false;
}

static bool generic_key_stopped(const char *k, size_t n)
{
    char low[96];
    if (n >= sizeof low)
        n = sizeof low - 1;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)tolower((unsigned char)k[i]);
    low[n] = 0;
    for (size_t i = 0; i < sizeof key_stoplist / sizeof key_stoplist[0]; i++)
        if (strstr(low, key_stoplist[i]))
            return true;
    return false;
}

static bool only_ident_chars(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(isalpha(c) || c == '_' || c == '.' || c == '-'))
            return false;
    }
    return true;
}

/* Decide on a generic candidate: severity and confidence, or false. */
static bool judge_generic(const char *text, const wt_hs_cand *c, wt_text_match *m)
{
    const char *v = text + c->ss;
    size_t n = c->se - c->ss;
    const char *k = text + c->ks;
    size_t kn = c->ke - c->ks;
    if (kn && generic_key_stopped(k, kn))
        return false;
    if (only_ident_chars(v, n) || wt_is_uuid(v, n) || wt_is_env_lookup(v, n))
        return false;
    if (n > 20 && strncmp(v, "eyJ", 3) == 0 && jwt_is_sample(v, n))
        return false; /* a documentation JWT (the JWT rule drops it too) */
    if ((n == 40 && v[0] == 'g' && v[1] == 'h' && v[3] == '_') || (n == 40 && strncmp(v, "npm_", 4) == 0)) {
        if (!wt_token_crc32_ok(v, n))
            return false; /* a GitHub/npm-shaped value whose checksum fails: made up */
    }
    /* Keys that are public or test-mode by design (Stripe publishable and
     * test keys): the provider rule reports the live secret ones. */
    static const char *const public_prefix[] = {"sk_test_", "rk_test_", "pk_test_", "pk_live_", "whsec_test"};
    for (size_t i = 0; i < sizeof public_prefix / sizeof public_prefix[0]; i++)
        if (n > strlen(public_prefix[i]) && strncmp(v, public_prefix[i], strlen(public_prefix[i])) == 0)
            return false;
    if (v[0] == '/' || v[0] == '.' || v[0] == '~' || memchr(v, '/', n) || memmem(v, n, "://", 3))
        return false; /* paths and URLs (URL credentials have their own rule) */
    if (n >= 7 && kn >= 1 && strncasecmp(v, k, kn < n ? kn : n) == 0)
        return false; /* value repeats the key name */
    int classes;
    has_class(v, n, &classes);
    double h = wt_entropy(v, n);
    bool pw = kn && (memmem(k, kn, "pass", 4) || memmem(k, kn, "PASS", 4) || memmem(k, kn, "pwd", 3) ||
                     memmem(k, kn, "Pass", 4) || memmem(k, kn, "PWD", 3));
    if (wt_is_hex(v, n)) {
        /* many services issue hex keys (weather, news, maps APIs; secrets.token_hex()):
         * 32+ random hex digits under a key, token or secret name are medium, unless the
         * name says digest (hash, checksum, sha, commit...) */
        static const char *const digest_words[] = {"hash", "digest", "checksum", "sha", "md5", "fingerprint",
                                                   "etag", "commit", "revision", "nonce", "salt", "crc"};
        bool digest = false;
        char low[96];
        size_t ln = kn < sizeof low - 1 ? kn : sizeof low - 1;
        for (size_t i = 0; i < ln; i++)
            low[i] = (char)tolower((unsigned char)k[i]);
        low[ln] = 0;
        for (size_t i = 0; i < sizeof digest_words / sizeof digest_words[0] && !digest; i++)
            digest = strstr(low, digest_words[i]) != NULL;
        if (kn && !digest && n >= 32 && h >= 3.0) {
            m->severity = WT_SEV_MEDIUM;
            m->confidence = 0.5;
            snprintf(m->note, sizeof m->note, " (hex value)");
            return true;
        }
        m->severity = WT_SEV_LOW;
        m->confidence = 0.3;
        snprintf(m->note, sizeof m->note, " (hex value: may be a digest)");
        return n >= 16;
    }
    if (h >= 3.5 && classes >= 2) {
        m->severity = WT_SEV_MEDIUM;
        m->confidence = 0.6;
    } else if (pw && h >= 2.8 && classes >= 2) {
        m->severity = WT_SEV_MEDIUM;
        m->confidence = 0.5;
    } else if (h >= 3.0) {
        m->severity = WT_SEV_LOW;
        m->confidence = 0.35;
    } else {
        return false;
    }
    return true;
}

/* Value of `key=` (case-insensitive, at a word start) inside [s, e), or NULL. */
static const char *dsn_value(const char *text, size_t s, size_t e, const char *key, size_t *vn)
{
    size_t kl = strlen(key);
    for (size_t i = s; i + kl < e; i++) {
        if (strncasecmp(text + i, key, kl) != 0 || (i > s && (isalnum((unsigned char)text[i - 1]) || text[i - 1] == '_')))
            continue;
        size_t a = i + kl, b = a;
        while (b < e && text[b] != ';' && text[b] != ' ' && text[b] != '\t' && text[b] != '"' && text[b] != '\'')
            b++;
        *vn = b - a;
        return text + a;
    }
    return NULL;
}

/* libpq "host=... user=... password=..." and ODBC "Server=...;Uid=...;Pwd=...":
 * the same checks as a URL (password equal to the user, local host). */
static bool judge_dsn(const char *text, size_t len, const wt_hs_cand *c, wt_text_match *m)
{
    const char *p = text + c->ss;
    size_t pn = c->se - c->ss, un = 0, hn = 0;
    if (p[0] == '$' || p[0] == '{' || p[0] == '%' || p[0] == '<' || p[0] == '[' || p[0] == '*')
        return false; /* {password}, %s, $PGPASSWORD, <password> */
    /* the string goes on after the password (libpq: "password=x host=y") */
    size_t e = c->me;
    while (e < len && e < c->me + 300 && text[e] != '\n' && text[e] != '"' && text[e] != '\'')
        e++;
    const char *u = dsn_value(text, c->ms, e, "user=", &un);
    if (!u)
        u = dsn_value(text, c->ms, e, "uid=", &un);
    if (u && un == pn && memcmp(u, p, pn) == 0)
        return false;
    const char *h = dsn_value(text, c->ms, e, "host=", &hn);
    if (!h)
        h = dsn_value(text, c->ms, e, "server=", &hn);
    if (!h)
        h = dsn_value(text, c->ms, e, "data source=", &hn);
    if (h && hn >= 4 && strncasecmp(h, "tcp:", 4) == 0)
        h += 4, hn -= 4;
    if (h && ((hn >= 9 && strncasecmp(h, "localhost", 9) == 0) || (hn >= 4 && strncmp(h, "127.", 4) == 0) ||
              (hn == 1 && h[0] == '.') || (hn == 7 && strncasecmp(h, "(local)", 7) == 0))) {
        m->severity = WT_SEV_MEDIUM;
        snprintf(m->note, sizeof m->note, " (local host)");
    }
    return true;
}

static bool judge_url(const char *text, size_t len, const wt_hs_cand *c, wt_text_match *m)
{
    if (c->ke == c->ks)
        return judge_dsn(text, len, c, m); /* no user group: a key=value connection string */
    const char *p = text + c->ss, *u = text + c->ks;
    size_t pn = c->se - c->ss, un = c->ke - c->ks;
    static const char *const weak[] = {"password", "pass", "passwd", "pwd", "secret", "x-oauth-basic",
                                       "user", "username", "token", "pw", "***", "...", NULL};
    for (size_t i = 0; weak[i]; i++)
        if (pn == strlen(weak[i]) && strncasecmp(p, weak[i], pn) == 0)
            return false;
    if (pn == un && memcmp(p, u, pn) == 0)
        return false;
    if (p[0] == '$' || p[0] == '{' || p[0] == '%' || p[0] == '<' || p[0] == '[' || p[0] == '*')
        return false;
    if (wt_is_sequential(p, pn) && pn < 12)
        return false;
    size_t hs = c->se + 1, he = hs;
    while (he < c->me && text[he] != ':' && text[he] != '/')
        he++;
    if ((he - hs == 9 && strncasecmp(text + hs, "localhost", 9) == 0) ||
        (he - hs >= 4 && strncmp(text + hs, "127.", 4) == 0)) {
        m->severity = WT_SEV_MEDIUM;
        snprintf(m->note, sizeof m->note, " (local host)");
    }
    return true;
}

/* Apply the row's checks to one candidate; fill m. */
static bool judge(const wt_hs_row *r, const wt_hs_cand *c, const char *text, size_t len,
                  const char *kind, wt_text_match *m)
{
    const char *s = text + c->ss;
    size_t n = c->se - c->ss;
    memset(m, 0, sizeof *m);
    m->rule_id = r->meta.id;
    m->name = r->meta.name;
    m->off = c->ss;
    m->len = n;
    m->mstart = c->ms;
    m->mend = c->me;
    m->severity = r->meta.severity;
    m->confidence = r->score;
    m->count = 1;
    if ((r->checks & WT_CK_CFGONLY) && !wt_text_is_config_kind(kind))
        return false;
    if (published_example(s, n))
        return false;
    if (!(r->checks & WT_CK_NOPLACE) && (wt_is_placeholder(s, n) || wt_is_env_lookup(s, n)))
        return false;
    /* weak passwords: sample code in an assignment, a real credential in a URL */
    bool weak = wt_is_weak_password(s, n);
    if (weak && !(r->checks & WT_CK_URL))
        return false;
    const char *b;
    size_t bn;
    token_body(s, n, &b, &bn);
    if (wt_is_sequential(s, n) || wt_is_sequential(b, bn))
        return false;
    if (bn >= 16 && !(r->checks & WT_CK_GENERIC) && wt_entropy(b, bn) < 2.5)
        return false;
    if (r->min_entropy > 0 && wt_entropy(s, n) < r->min_entropy)
        return false;
    int classes;
    bool digit = has_class(s, n, &classes);
    if ((r->checks & WT_CK_DIGIT) && !digit)
        return false;
    if ((r->checks & WT_CK_MIXED) && classes < 2)
        return false;
    if ((r->checks & WT_CK_NOTHEX) && wt_is_hex(s, n))
        return false;
    if (r->near) {
        size_t from = c->ms > WT_HS_NEAR ? c->ms - WT_HS_NEAR : 0;
        size_t to = c->me + WT_HS_NEAR < len ? c->me + WT_HS_NEAR : len;
        if (!wt_hs_has_word(text, from, to, r->near))
            return false;
    }
    size_t cfrom = c->ms > CTX_BEFORE ? c->ms - CTX_BEFORE : 0;
    bool ctx = r->nctx && wt_hs_has_ctx(r, text, cfrom, c->me);
    if ((r->checks & WT_CK_CTXREQ) && !ctx)
        return false;
    if (ctx)
        m->confidence += 0.1;
    if ((r->checks & WT_CK_JWT) && (!jwt_header_ok(s, n) || jwt_is_sample(s, n)))
        return false;
    if (r->checks & WT_CK_CRC32) {
        /* every real token carries its checksum: a mismatch is a made-up or
         * documentation value (GitHub's docs example), never a credential */
        if (!wt_token_crc32_ok(s, n))
            return false;
        m->confidence = 0.99;
        snprintf(m->note, sizeof m->note, " (checksum valid)");
    }
    if ((r->checks & WT_CK_URL) && weak) {
        m->confidence = m->confidence > 0.5 ? 0.5 : m->confidence;
        snprintf(m->note, sizeof m->note, " (a commonly used weak password)");
    }
    if ((r->checks & WT_CK_URL) && !judge_url(text, len, c, m))
        return false;
    if ((r->checks & WT_CK_GENERIC) && !judge_generic(text, c, m))
        return false;
    if (m->confidence > 0.99)
        m->confidence = 0.99;
    return true;
}

/* Specific beats URL beats generic; of the two generic rules the config one
 * wins in a config file (a TOML `password = "..."` is a config value). */
static int priority(const wt_hs_row *r)
{
    if (r->checks & WT_CK_GENERIC)
        return (r->checks & WT_CK_CFGONLY) ? 1 : 0;
    if (r->checks & WT_CK_URL)
        return 2;
    return 3;
}

typedef struct kept {
    wt_text_match m;
    const wt_hs_row *r;
    bool dead;
} kept;

/* Matching + confirmation + overlap resolution + inline ignores. */
static size_t collect(const char *text, size_t len, const wt_text_origin *o, const void *key, kept **out)
{
    size_t nrows;
    const wt_hs_row *rows = wt_hsdb_rows(&nrows);
    const wt_hs_cand *c;
    size_t nc = wt_hsdb_candidates(key, text, len, WT_HS_SECRETS, wt_text_is_config_kind(o ? o->kind : NULL), &c);
    kept *k = NULL;
    size_t nk = 0, cap = 0;
    const char *kind = o ? o->kind : NULL;
    for (size_t i = 0; i < nc; i++) {
        const wt_hs_row *r = &rows[c[i].row];
        if (r->table != WT_HS_SECRETS)
            continue;
        wt_text_match m;
        if (!judge(r, &c[i], text, len, kind, &m))
            continue;
        if (nk == cap) {
            cap = cap ? cap * 2 : 16;
            k = wt_xrealloc(k, cap * sizeof *k);
        }
        k[nk++] = (kept){.m = m, .r = r};
    }
    /* Overlaps: candidates are sorted by match start; compare value spans. */
    for (size_t i = 0; i < nk; i++) {
        for (size_t j = i + 1; j < nk && !k[i].dead; j++) {
            if (k[j].dead)
                continue;
            if (k[j].m.mstart >= k[i].m.mend && k[j].m.off >= k[i].m.off + k[i].m.len)
                break;
            bool overlap = k[j].m.off < k[i].m.off + k[i].m.len && k[i].m.off < k[j].m.off + k[j].m.len;
            if (!overlap)
                continue;
            int pi = priority(k[i].r), pj = priority(k[j].r);
            size_t loser;
            if (pi != pj)
                loser = pi < pj ? i : j;
            else if (k[i].m.severity != k[j].m.severity)
                loser = k[i].m.severity < k[j].m.severity ? i : j;
            else
                loser = j;
            k[loser].dead = true;
        }
    }
    size_t w = 0;
    bool markers = nk && wt_hs_has_markers(text, len);
    for (size_t i = 0; i < nk; i++) {
        if (k[i].dead)
            continue;
        if (markers && wt_hs_line_ignored(text, len, k[i].m.off, k[i].m.rule_id))
            continue;
        k[w++] = k[i];
    }
    *out = k;
    return w;
}

char *wt_secret_evidence(const char *s, size_t n, char sha_out[65])
{
    wt_sha256_hex(s, n, sha_out);
    char *mask = wt_mask_secret(s, n, 4);
    char *ev = wt_xasprintf("%s (sha256:%.12s)", mask, sha_out);
    free(mask);
    return ev;
}

/* Span hashed for the fingerprint: the whole PEM block when present. */
static void fingerprint_span(const wt_hs_row *r, const char *text, size_t len, const wt_text_match *m,
                             size_t *fs, size_t *fn)
{
    *fs = m->off;
    *fn = m->len;
    if (!(r->checks & WT_CK_PEM))
        return;
    size_t lim = m->off + PEM_MAX < len ? m->off + PEM_MAX : len;
    const char *end = memmem(text + m->off, lim - m->off, "-----END", 8);
    if (end)
        *fn = (size_t)(end - (text + m->off));
}

/* Emit one kept match; text/len hold the secret, loc is where it is reported. */
static void emit_kept(wt_ctx *ctx, const kept *kp, const char *text, size_t len, const wt_location *loc,
                      const char *extra)
{
    const wt_text_match *m = &kp->m;
    size_t fs, fn;
    fingerprint_span(kp->r, text, len, m, &fs, &fn);
    char sha[65];
    char *mask = wt_mask_secret(text + m->off, m->len, 4);
    wt_sha256_hex(text + fs, fn, sha);
    char *ev = wt_xasprintf("%s (sha256:%.12s)", mask, sha);
    wt_location l = *loc;
    wt_finding *f = wt_emit(ctx, m->rule_id, m->severity, &l, ev, "%s%s%s", kp->r->meta.summary, m->note, extra);
    if (f) {
        f->confidence = m->confidence;
        if (!f->props)
            f->props = json_object();
        json_object_set_new(f->props, "secret_sha256", json_string(sha));
        json_object_set_new(f->props, "rule_name", json_string(m->name));
        json_object_set_new(f->props, "masked", json_string(mask));
    }
    free(mask);
    free(ev);
}

/* Standard base64 (padding optional) into out; false on another character. */
static bool b64_decode(const char *s, size_t n, char *out, size_t cap, size_t *outn)
{
    unsigned acc = 0;
    int bits = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 : c >= '0' && c <= '9' ? c - '0' + 52
                : c == '+' ? 62 : c == '/' ? 63 : c == '=' ? -2 : -1;
        if (v == -1)
            return false;
        if (v == -2)
            continue;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (k + 1 >= cap)
                return false;
            out[k++] = (char)((acc >> bits) & 0xff);
        }
    }
    out[k] = '\0';
    *outn = k;
    return true;
}

#define K8S_MAX_VALUE 8192

/* A Kubernetes Secret keeps its values base64-encoded under `data:` ("encoded",
 * not encrypted): each value is decoded and scanned as `KEY=value` in an env
 * file; findings point at the encoded value. */
typedef struct enc_span {
    size_t s, e;
} enc_span;

static size_t scan_k8s_secret(wt_ctx *ctx, const char *text, size_t len, const wt_text_origin *o, enc_span **spans)
{
    *spans = NULL;
    size_t nspans = 0, cap = 0;
    if (!o || !o->kind || (strcmp(o->kind, "yaml") != 0 && strcmp(o->kind, "yml") != 0))
        return 0;
    if (!memmem(text, len, "kind: Secret", 12) && !memmem(text, len, "kind: \"Secret\"", 14))
        return 0;
    char *dec = wt_xmalloc(K8S_MAX_VALUE + 1);
    char *syn = wt_xmalloc(K8S_MAX_VALUE + 200);
    bool in_data = false;
    size_t lines = 0;
    for (size_t i = 0; i < len && !wt_ctx_expired(ctx) && lines < 100000; lines++) {
        size_t e = i;
        while (e < len && text[e] != '\n')
            e++;
        size_t ind = i;
        while (ind < e && text[ind] == ' ')
            ind++;
        if (ind == i && e > i && text[i] != '#') {
            in_data = e - i >= 5 && memcmp(text + i, "data:", 5) == 0;
        } else if (in_data && ind < e && text[ind] != '#') {
            /* "  KEY: VALUE" */
            size_t ks = ind, ke = ks;
            while (ke < e && (isalnum((unsigned char)text[ke]) || text[ke] == '_' || text[ke] == '-' || text[ke] == '.'))
                ke++;
            size_t v = ke;
            if (ke > ks && v < e && text[v] == ':') {
                v++;
                while (v < e && (text[v] == ' ' || text[v] == '"' || text[v] == '\''))
                    v++;
                size_t ve = e;
                while (ve > v && (text[ve - 1] == ' ' || text[ve - 1] == '\r' || text[ve - 1] == '"' || text[ve - 1] == '\''))
                    ve--;
                size_t dn = 0, kn = ke - ks;
                bool text_ok = ve - v >= 8 && kn < 100 && b64_decode(text + v, ve - v, dec, K8S_MAX_VALUE, &dn) && dn >= 6;
                for (size_t q = 0; text_ok && q < dn; q++)
                    text_ok = (unsigned char)dec[q] >= 0x20 || dec[q] == '\n' || dec[q] == '\t' || dec[q] == '\r';
                if (text_ok) {
                    if (nspans == cap) {
                        cap = cap ? cap * 2 : 16;
                        *spans = wt_xrealloc(*spans, cap * sizeof **spans);
                    }
                    (*spans)[nspans++] = (enc_span){v, ve};
                    memcpy(syn, text + ks, kn);
                    syn[kn] = '=';
                    memcpy(syn + kn + 1, dec, dn);
                    size_t sn = kn + 1 + dn;
                    syn[sn++] = '\n';
                    wt_text_origin so = {.cell = -1, .kind = "env", .line_base = 1};
                    kept *k = NULL;
                    /* cache key: the encoded value (unique per line), never a reused buffer */
                    size_t n = collect(syn, sn, &so, text + v, &k);
                    wt_location loc = wt_text_location(text, len, v, o);
                    for (size_t j = 0; j < n; j++)
                        emit_kept(ctx, &k[j], syn, sn, &loc, " (base64-encoded in a Kubernetes Secret)");
                    free(k);
                }
            }
        }
        i = e + 1;
    }
    free(dec);
    free(syn);
    return nspans;
}

static void scan(wt_ctx *ctx, const char *text, size_t len, const wt_text_origin *o)
{
    kept *k = NULL;
    size_t n = collect(text, len, o, ctx, &k);
    if (wt_hsdb_last_truncated())
        wt_emit_limit(ctx, "secret/PII pattern matches in one text buffer", WT_HS_MAX_CANDS, WT_HS_MAX_CANDS);
    enc_span *enc = NULL;
    size_t nenc = scan_k8s_secret(ctx, text, len, o, &enc);
    for (size_t i = 0; i < n && !wt_ctx_expired(ctx); i++) {
        /* a generic match on an encoded value: the decoded value was judged instead */
        bool encoded = false;
        for (size_t j = 0; j < nenc && !encoded && (k[i].r->checks & WT_CK_GENERIC); j++)
            encoded = k[i].m.off < enc[j].e && enc[j].s < k[i].m.off + k[i].m.len;
        if (encoded)
            continue;
        wt_location loc = wt_text_location(text, len, k[i].m.off, o);
        emit_kept(ctx, &k[i], text, len, &loc, "");
    }
    free(enc);
    free(k);
}

size_t wt_secrets_scan_buffer_for_test(const char *text, size_t len, const char *kind,
                                       wt_text_match_fn fn, void *ud)
{
    wt_text_origin o = {.cell = -1, .kind = kind, .line_base = 1};
    kept *k = NULL;
    size_t n = collect(text, len, &o, &wt_hsdb_test_key, &k);
    for (size_t i = 0; i < n; i++)
        if (fn)
            fn(ud, &k[i].m);
    free(k);
    return n;
}

/* ---- rule table (unique ids, for SARIF / docs) ---- */
static size_t rules_get(const wt_rule **out) { return wt_hsdb_rules(WT_HS_SECRETS, out); }

const wt_rule_table wt_secrets_rule_table = {.name = "secrets", .get = rules_get};
const wt_text_detector wt_secrets_detector = {.name = "secrets", .scan = scan};
