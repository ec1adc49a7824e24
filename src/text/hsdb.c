/*
 * hsdb.c - see hsdb.h.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "text/hsdb.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <hs/hs.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/analyzer.h"
#include "core/embedded.h"
#include "core/util.h"

#define MAX_HITS WT_HS_MAX_HITS   /* Hyperscan hits kept per buffer */
#define MAX_CANDS WT_HS_MAX_CANDS /* confirmed candidates per buffer */

static const char *const table_file[WT_HS_NTABLES] = {"secrets.tsv", "pii.tsv"};

static struct {
    pthread_once_t once;
    wt_hs_row *rows;
    size_t nrows;
    hs_database_t *db;
    hs_scratch_t *proto;
    pcre2_match_context *mctx;
    size_t nerrors;
    char err[256];
} G = {.once = PTHREAD_ONCE_INIT};

static void note_error(const char *fmt, const char *a, const char *b)
{
    if (G.nerrors++ == 0)
        snprintf(G.err, sizeof G.err, fmt, a, b);
}

static const struct { const char *name; uint32_t bit; } check_names[] = {
    {"crc32", WT_CK_CRC32}, {"jwt", WT_CK_JWT}, {"digit", WT_CK_DIGIT}, {"mixed", WT_CK_MIXED},
    {"nothex", WT_CK_NOTHEX}, {"ctxreq", WT_CK_CTXREQ}, {"generic", WT_CK_GENERIC},
    {"cfgonly", WT_CK_CFGONLY}, {"keyname", WT_CK_KEYNAME}, {"url", WT_CK_URL},
    {"luhn", WT_CK_LUHN}, {"iban", WT_CK_IBAN}, {"ssn", WT_CK_SSN}, {"itin", WT_CK_ITIN},
    {"nhs", WT_CK_NHS}, {"aadhaar", WT_CK_AADHAAR}, {"pan", WT_CK_PAN}, {"base58", WT_CK_BASE58},
    {"bech32", WT_CK_BECH32}, {"ipv4", WT_CK_IPV4}, {"ipv6", WT_CK_IPV6}, {"mac", WT_CK_MAC},
    {"email", WT_CK_EMAIL}, {"phone", WT_CK_PHONE}, {"date", WT_CK_DATE},
    {"noplaceholder", WT_CK_NOPLACE}, {"ctxsep", WT_CK_CTXSEP}, {"pem", WT_CK_PEM}, {"assign", WT_CK_ASSIGN}, {"assignq", WT_CK_ASSIGNQ},
    {"column", WT_CK_COLUMN},
};

/* Split one line into at most max tab-separated fields (in place). */
static size_t split_tabs(char *line, char **f, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (n < max) {
        f[n++] = p;
        char *t = strchr(p, '\t');
        if (!t)
            break;
        *t = 0;
        p = t + 1;
    }
    return n;
}

/* Parse the checks column; false on an unknown name. */
static bool parse_checks(char *s, wt_hs_row *r, const char **bad)
{
    if (!s || strcmp(s, "-") == 0)
        return true;
    for (char *save = NULL, *tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (strncmp(tok, "entropy=", 8) == 0) {
            r->min_entropy = strtod(tok + 8, NULL);
            continue;
        }
        if (strncmp(tok, "near=", 5) == 0) {
            free(r->near);
            r->near = wt_xstrdup(tok + 5);
            continue;
        }
        bool ok = false;
        for (size_t i = 0; i < sizeof check_names / sizeof check_names[0]; i++)
            if (strcmp(tok, check_names[i].name) == 0) {
                r->checks |= check_names[i].bit;
                ok = true;
            }
        if (!ok) {
            *bad = tok;
            return false;
        }
    }
    return true;
}

static void parse_ctx(const char *s, wt_hs_row *r)
{
    if (!s || strcmp(s, "-") == 0)
        return;
    char *copy = wt_xstrdup(s);
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        for (char *c = tok; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        r->ctx = wt_xrealloc(r->ctx, (r->nctx + 1) * sizeof *r->ctx);
        r->ctx[r->nctx++] = wt_xstrdup(tok);
    }
    free(copy);
}

static void row_free(wt_hs_row *r)
{
    free((char *)r->meta.id);
    free((char *)r->meta.name);
    free((char *)r->meta.summary);
    free((char *)r->meta.why);
    free(r->hs);
    free(r->regex);
    free(r->near);
    for (size_t i = 0; i < r->nctx; i++)
        free(r->ctx[i]);
    free(r->ctx);
    if (r->re)
        pcre2_code_free(r->re);
    memset(r, 0, sizeof *r);
}

/* Columns: id name severity score hyperscan regex back fwd checks context
 * summary why */
enum { NCOLS = 12 };

static bool parse_row(char *line, int table, wt_hs_row *r, char **err)
{
    char *f[NCOLS];
    memset(r, 0, sizeof *r);
    size_t n = split_tabs(line, f, NCOLS);
    if (n != NCOLS) {
        *err = wt_xasprintf("row '%.40s': %zu columns, expected %d", f[0], n, NCOLS);
        return false;
    }
    wt_severity sev;
    if (wt_severity_parse(f[2], &sev) != 0) {
        *err = wt_xasprintf("row '%.40s': bad severity '%.20s'", f[0], f[2]);
        return false;
    }
    r->table = table;
    r->meta.id = wt_xstrdup(f[0]);
    r->meta.name = wt_xstrdup(f[1]);
    r->meta.severity = sev;
    r->meta.category = table == WT_HS_SECRETS ? WT_CAT_SECRET : WT_CAT_PII;
    r->score = strtod(f[3], NULL);
    r->hs = wt_xstrdup(f[4]);
    r->regex = wt_xstrdup(f[5]);
    r->back = (uint32_t)strtoul(f[6], NULL, 10);
    r->fwd = (uint32_t)strtoul(f[7], NULL, 10);
    const char *bad = NULL;
    if (!parse_checks(f[8], r, &bad)) {
        *err = wt_xasprintf("row '%.40s': unknown check '%.40s'", f[0], bad);
        row_free(r);
        return false;
    }
    parse_ctx(f[9], r);
    r->meta.summary = wt_xstrdup(f[10]);
    r->meta.why = wt_xstrdup(f[11]);
    if (table == WT_HS_SECRETS) {
        r->meta.cwe = "CWE-798";
        r->meta.owasp = "LLM02:2025 Sensitive Information Disclosure";
        r->meta.atlas = "AML.T0055 Unsecured Credentials";
        r->meta.nist = "MANAGE 2.2";
    } else {
        r->meta.cwe = "CWE-359";
        r->meta.owasp = "LLM02:2025 Sensitive Information Disclosure";
        r->meta.atlas = "AML.T0057 LLM Data Leakage";
        r->meta.nist = "MEASURE 2.10";
    }
    if (r->back > 65536 || r->fwd > 65536) {
        *err = wt_xasprintf("row '%.40s': window too large", f[0]);
        row_free(r);
        return false;
    }
    return true;
}

static bool compile_pcre(wt_hs_row *r, char **err)
{
    int ec;
    PCRE2_SIZE eo;
    /* USE_OFFSET_LIMIT: a search may only START inside the window, but it
     * sees the whole buffer, so lookarounds never meet an artificial end. */
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)r->regex, PCRE2_ZERO_TERMINATED, PCRE2_USE_OFFSET_LIMIT, &ec, &eo,
                                   NULL);
    if (!re) {
        PCRE2_UCHAR msg[120];
        pcre2_get_error_message(ec, msg, sizeof msg);
        *err = wt_xasprintf("row %s: regex error at %zu: %s", r->meta.id, (size_t)eo, (char *)msg);
        return false;
    }
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
    r->re = re;
    int g = pcre2_substring_number_from_name(re, (PCRE2_SPTR) "s");
    uint32_t ncap = 0;
    pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &ncap);
    r->grp_s = g > 0 ? g : (ncap >= 1 ? 1 : 0);
    g = pcre2_substring_number_from_name(re, (PCRE2_SPTR) "k");
    r->grp_k = g > 0 ? g : 0;
    return true;
}

/* Parse a table's text into rows appended to *rows. */
static size_t parse_table(const char *text, size_t len, int table, wt_hs_row **rows, size_t *nrows,
                          char **first_err, size_t *nerr)
{
    size_t added = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char *line = wt_xstrndup(p, ll);
        if (ll && line[ll - 1] == '\r')
            line[ll - 1] = 0;
        p = nl ? nl + 1 : end;
        if (!line[0] || line[0] == '#' || strncmp(line, "id\t", 3) == 0) {
            free(line);
            continue;
        }
        wt_hs_row r;
        char *err = NULL;
        if (parse_row(line, table, &r, &err) && compile_pcre(&r, &err)) {
            *rows = wt_xrealloc(*rows, (*nrows + 1) * sizeof **rows);
            (*rows)[(*nrows)++] = r;
            added++;
        } else {
            if (r.meta.id)
                row_free(&r);
            if (!*first_err)
                *first_err = err;
            else
                free(err);
            (*nerr)++;
        }
        free(line);
    }
    return added;
}

size_t wt_hsdb_parse_check(const char *text, size_t len, int table, char **err)
{
    wt_hs_row *rows = NULL;
    size_t n = 0, nerr = 0;
    *err = NULL;
    parse_table(text, len, table, &rows, &n, err, &nerr);
    for (size_t i = 0; i < n; i++)
        row_free(&rows[i]);
    free(rows);
    return n;
}

/* ---- compiled-database cache ----
 * Compiling ~90 patterns takes Hyperscan a few hundred milliseconds, which
 * dominates a short CLI run. The compiled database is cached, serialized, in
 * $XDG_CACHE_HOME/watchtower/hs/ (mode 0700) under a SHA-256 of the Hyperscan
 * version, the platform and every expression with its id and flags, so a
 * changed rule table or library can never pick up a stale database.
 * WATCHTOWER_NO_CACHE=1 disables it. */
static char *cache_path(const char *const *ex, const unsigned *ids, const unsigned *fl, unsigned k)
{
    const char *off = getenv("WATCHTOWER_NO_CACHE");
    if (off && *off && strcmp(off, "0") != 0)
        return NULL;
    const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char *dir = x && *x ? wt_xasprintf("%s/watchtower/hs", x)
                        : home && *home ? wt_xasprintf("%s/.cache/watchtower/hs", home) : NULL;
    if (!dir)
        return NULL;
    wt_buf b;
    wt_buf_init(&b);
    wt_buf_printf(&b, "%s|%d|", hs_version(), (int)sizeof(void *));
    for (unsigned i = 0; i < k; i++) {
        wt_buf_printf(&b, "%u|%u|", ids[i], fl[i]);
        wt_buf_append(&b, ex[i], strlen(ex[i]) + 1);
    }
    char hex[65];
    wt_sha256_hex(b.data, b.len, hex);
    wt_buf_free(&b);
    char *path = wt_xasprintf("%s/%s.hsdb", dir, hex);
    free(dir);
    return path;
}

static hs_database_t *cache_load(const char *path)
{
    if (!path)
        return NULL;
    /* libhs trusts a serialized database: only load one that this user
     * owns and nobody else can write (a shared or planted cache is ignored
     * and rebuilt) */
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) {
        close(fd);
        return NULL;
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        close(fd);
        return NULL;
    }
    wt_buf b;
    wt_buf_init(&b);
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0 && b.len < (64u << 20))
        wt_buf_append(&b, tmp, n);
    fclose(f);
    hs_database_t *db = NULL;
    if (b.len == 0 || hs_deserialize_database(b.data, b.len, &db) != HS_SUCCESS)
        db = NULL;
    wt_buf_free(&b);
    return db;
}

static void mkdirs_0700(const char *path)
{
    char *p = wt_xstrdup(path);
    for (char *c = p + 1; *c; c++)
        if (*c == '/') {
            *c = 0;
            mkdir(p, 0700);
            *c = '/';
        }
    free(p);
}

static void cache_store(const char *path, const hs_database_t *db)
{
    if (!path || !db)
        return;
    char *bytes = NULL;
    size_t len = 0;
    if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS)
        return;
    mkdirs_0700(path);
    char *tmp = wt_xasprintf("%s.%d.tmp", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        bool ok = write(fd, bytes, len) == (ssize_t)len;
        ok = close(fd) == 0 && ok;
        if (!ok || rename(tmp, path) != 0)
            unlink(tmp);
    }
    free(tmp);
    free(bytes);
}

static void init_once(void)
{
    char *err = NULL;
    size_t nerr = 0;
    for (int t = 0; t < WT_HS_NTABLES; t++) {
        size_t len = 0;
        const char *text = wt_rules_text(table_file[t], &len);
        if (!text) {
            note_error("rule table %s%s missing", table_file[t], "");
            continue;
        }
        parse_table(text, len, t, &G.rows, &G.nrows, &err, &nerr);
    }
    if (err) {
        note_error("%s%s", err, "");
        G.nerrors += nerr - 1;
        free(err);
    }
    G.mctx = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(G.mctx, 200000);
    pcre2_set_depth_limit(G.mctx, 5000);
    /* Compile all Hyperscan anchors into one database; a pattern Hyperscan
     * rejects is dropped (reported) and the rest recompiled. */
    bool *off = wt_xcalloc(G.nrows ? G.nrows : 1, sizeof *off);
    for (int attempt = 0; attempt < 64 && G.nrows; attempt++) {
        const char **ex = wt_xcalloc(G.nrows, sizeof *ex);
        unsigned *ids = wt_xcalloc(G.nrows, sizeof *ids), *fl = wt_xcalloc(G.nrows, sizeof *fl);
        unsigned k = 0;
        for (size_t i = 0; i < G.nrows; i++) {
            if (off[i])
                continue;
            ex[k] = G.rows[i].hs;
            ids[k] = (unsigned)i;
            fl[k] = 0;
            k++;
        }
        hs_compile_error_t *ce = NULL;
        char *cpath = k ? cache_path(ex, ids, fl, k) : NULL;
        hs_error_t rc = HS_SUCCESS;
        if (k && !(G.db = cache_load(cpath))) {
            rc = hs_compile_multi(ex, fl, ids, k, HS_MODE_BLOCK, NULL, &G.db, &ce);
            if (rc == HS_SUCCESS)
                cache_store(cpath, G.db);
        }
        free(cpath);
        bool retry = false;
        if (rc != HS_SUCCESS) {
            if (ce && ce->expression >= 0 && (unsigned)ce->expression < k) {
                size_t bad = ids[ce->expression];
                off[bad] = true;
                note_error("hyperscan rejected %s: %s", G.rows[bad].meta.id, ce->message);
                retry = true;
            } else {
                note_error("hyperscan: %s%s", ce ? ce->message : "compile failed", "");
            }
            G.db = NULL;
        }
        if (ce)
            hs_free_compile_error(ce);
        free(ex);
        free(ids);
        free(fl);
        if (!retry)
            break;
    }
    free(off);
    if (G.db && hs_alloc_scratch(G.db, &G.proto) != HS_SUCCESS) {
        note_error("hyperscan: %s%s", "scratch allocation failed", "");
        hs_free_database(G.db);
        G.db = NULL;
    }
}

static wt_rule *g_table_rules[WT_HS_NTABLES];
static size_t g_table_nrules[WT_HS_NTABLES];
static pthread_once_t g_rules_once = PTHREAD_ONCE_INIT;

static void table_rules_init(void)
{
    pthread_once(&G.once, init_once);
    for (int t = 0; t < WT_HS_NTABLES; t++) {
        g_table_rules[t] = wt_xcalloc(G.nrows ? G.nrows : 1, sizeof **g_table_rules);
        for (size_t i = 0; i < G.nrows; i++) {
            if (G.rows[i].table != t)
                continue;
            bool dup = false;
            for (size_t j = 0; j < g_table_nrules[t] && !dup; j++)
                dup = strcmp(g_table_rules[t][j].id, G.rows[i].meta.id) == 0;
            if (!dup)
                g_table_rules[t][g_table_nrules[t]++] = G.rows[i].meta;
        }
    }
}

size_t wt_hsdb_rules(int table, const wt_rule **out)
{
    pthread_once(&g_rules_once, table_rules_init);
    if (table < 0 || table >= WT_HS_NTABLES) {
        *out = NULL;
        return 0;
    }
    *out = g_table_rules[table];
    return g_table_nrules[table];
}

const wt_hs_row *wt_hsdb_rows(size_t *n)
{
    pthread_once(&G.once, init_once);
    *n = G.nrows;
    return G.rows;
}

size_t wt_hsdb_errors(const char **first)
{
    pthread_once(&G.once, init_once);
    if (first)
        *first = G.nerrors ? G.err : NULL;
    return G.nerrors;
}

/* ---- per-thread state ---- */
typedef struct hit { uint32_t row; uint32_t pad; size_t to; } hit;

typedef struct tls_state {
    hs_scratch_t *scratch;
    pcre2_match_data *md;
    pcre2_match_context *mctx; /* per thread: carries the offset limit */
    hit *hits;
    size_t nhits, caphits;
    bool hits_full;
    bool hits_unsorted; /* defensive: Hyperscan reports ascending end offsets */
    wt_hs_cand *cands;
    size_t ncands, capcands;
    size_t *done_until, *last_end; /* per row */
    /* cache key of the buffer the candidates belong to */
    const void *key;
    const char *text;
    size_t len;
    uint64_t sample;
    unsigned consumed;
    bool config;
    int markers; /* inline-ignore markers in this buffer: -1 unknown, 0, 1 */
    bool valid;
} tls_state;

static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

static void tls_free(void *p)
{
    tls_state *s = p;
    if (!s)
        return;
    if (s->scratch)
        hs_free_scratch(s->scratch);
    if (s->md)
        pcre2_match_data_free(s->md);
    if (s->mctx)
        pcre2_match_context_free(s->mctx);
    free(s->hits);
    free(s->cands);
    free(s->done_until);
    free(s->last_end);
    free(s);
}

static void tls_init(void) { pthread_key_create(&tls_key, tls_free); }

static tls_state *tls_get(void)
{
    pthread_once(&tls_once, tls_init);
    tls_state *s = pthread_getspecific(tls_key);
    if (!s) {
        s = wt_xcalloc(1, sizeof *s);
        if (G.proto && hs_clone_scratch(G.proto, &s->scratch) != HS_SUCCESS)
            s->scratch = NULL;
        s->md = pcre2_match_data_create(16, NULL);
        s->mctx = pcre2_match_context_copy(G.mctx);
        s->done_until = wt_xcalloc(G.nrows ? G.nrows : 1, sizeof *s->done_until);
        s->last_end = wt_xcalloc(G.nrows ? G.nrows : 1, sizeof *s->last_end);
        pthread_setspecific(tls_key, s);
    }
    return s;
}

static int on_hit(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ud)
{
    (void)from;
    (void)flags;
    tls_state *s = ud;
    if (s->nhits == s->caphits) {
        if (s->caphits >= MAX_HITS) {
            s->hits_full = true;
            return 1; /* stop: the buffer is a pathological match storm */
        }
        s->caphits = s->caphits ? s->caphits * 2 : 1024;
        s->hits = wt_xrealloc(s->hits, s->caphits * sizeof *s->hits);
    }
    if (s->nhits && s->hits[s->nhits - 1].to > (size_t)to)
        s->hits_unsorted = true;
    s->hits[s->nhits++] = (hit){.row = id, .to = (size_t)to};
    return 0;
}

static int hit_cmp(const void *a, const void *b)
{
    const hit *x = a, *y = b;
    return x->to < y->to ? -1 : x->to > y->to;
}

static int cand_cmp(const void *a, const void *b)
{
    const wt_hs_cand *x = a, *y = b;
    if (x->ms != y->ms)
        return x->ms < y->ms ? -1 : 1;
    if (x->row != y->row)
        return x->row < y->row ? -1 : 1;
    return 0;
}

static void add_cand(tls_state *s, const wt_hs_cand *c)
{
    if (s->ncands >= MAX_CANDS) {
        s->hits_full = true;
        return;
    }
    if (s->ncands == s->capcands) {
        s->capcands = s->capcands ? s->capcands * 2 : 64;
        s->cands = wt_xrealloc(s->cands, s->capcands * sizeof *s->cands);
    }
    s->cands[s->ncands++] = *c;
}

/* Run row r's PCRE2 over [ns, ne) (plus lookahead) and add every match
 * that starts inside it. */
static void confirm(tls_state *s, uint32_t ri, const char *text, size_t len, size_t ns, size_t ne)
{
    const wt_hs_row *r = &G.rows[ri];
    size_t o = ns;
    pcre2_set_offset_limit(s->mctx, ne - 1);
    for (int guard = 0; o < ne && guard < 10000; guard++) {
        int rc = pcre2_match(r->re, (PCRE2_SPTR)text, len, o, 0, s->md, s->mctx);
        if (rc < 0)
            break;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
        uint32_t npairs = pcre2_get_ovector_count(s->md);
        size_t ms = ov[0], me = ov[1];
        if (ms >= ne)
            break;
        if (ms >= s->last_end[ri] || s->last_end[ri] == 0) {
            wt_hs_cand c = {.row = ri, .ms = ms, .me = me, .ss = ms, .se = me};
            if (r->grp_s > 0 && (uint32_t)r->grp_s < npairs && ov[2 * r->grp_s] != PCRE2_UNSET) {
                c.ss = ov[2 * r->grp_s];
                c.se = ov[2 * r->grp_s + 1];
            }
            if (r->grp_k > 0 && (uint32_t)r->grp_k < npairs && ov[2 * r->grp_k] != PCRE2_UNSET) {
                c.ks = ov[2 * r->grp_k];
                c.ke = ov[2 * r->grp_k + 1];
            }
            if (c.se > c.ss) {
                add_cand(s, &c);
                s->last_end[ri] = me > ms ? me : ms + 1;
            }
        }
        o = me > o ? me : o + 1;
    }
}

/* Cheap filters for keyword anchors: is an assignment (and, for quoted,
 * a quoted value) coming? */
static bool assign_follows(const char *t, size_t len, size_t at, bool quoted)
{
    size_t i = at, lim = at + 30 < len ? at + 30 : len;
    while (i < lim && (isalnum((unsigned char)t[i]) || t[i] == '_' || t[i] == '.' || t[i] == '-'))
        i++;
    if (i < len && (t[i] == '"' || t[i] == '\''))
        i++;
    if (i < len && t[i] == ']')
        i++; /* os.environ["KEY"] = "..." */
    for (int k = 0; k < 3 && i < len && (t[i] == ' ' || t[i] == '\t'); k++)
        i++;
    if (i >= len)
        return false;
    char c = t[i];
    if (!quoted)
        return c == '=' || c == ':' || c == '(' || c == ',' || (c == '?' && i + 1 < len && t[i + 1] == '=');
    if (c == '?')
        i++;
    if (i >= len || (t[i] != '=' && t[i] != ':'))
        return false;
    i++;
    if (i < len && (t[i] == '=' || t[i] == '>'))
        i++;
    for (int k = 0; k < 3 && i < len && (t[i] == ' ' || t[i] == '\t'); k++)
        i++;
    if (i < len && (t[i] == 'r' || t[i] == 'b' || t[i] == 'u' || t[i] == 'R' || t[i] == 'B' || t[i] == 'U'))
        i++;
    return i < len && (t[i] == '"' || t[i] == '\'');
}

static uint64_t sample_of(const char *t, size_t n)
{
    uint64_t h = 1469598103934665603ull ^ n;
    size_t k = n < 64 ? n : 64;
    for (size_t i = 0; i < k; i++)
        h = (h ^ (unsigned char)t[i]) * 1099511628211ull;
    for (size_t i = n - k; i < n; i++)
        h = (h ^ (unsigned char)t[i]) * 1099511628211ull;
    return h;
}

static void scan_buffer(tls_state *s, const char *text, size_t len, bool config)
{
    s->nhits = 0;
    s->ncands = 0;
    s->hits_full = false;
    s->hits_unsorted = false;
    if (!G.db || !s->scratch || len == 0 || len > UINT32_MAX)
        return;
    hs_scan(G.db, text, (unsigned)len, 0, s->scratch, on_hit, s);
    if (s->nhits == 0)
        return;
    if (s->hits_unsorted)
        qsort(s->hits, s->nhits, sizeof *s->hits, hit_cmp);
    /* Hyperscan reports in ascending end offset, so every row's hits are
     * ascending too; per-row state is reset for the rows of this buffer. */
    for (size_t i = 0; i < s->nhits; i++)
        if (s->hits[i].row < G.nrows)
            s->done_until[s->hits[i].row] = s->last_end[s->hits[i].row] = 0;
    for (size_t i = 0; i < s->nhits; i++) {
        uint32_t ri = s->hits[i].row;
        if (ri >= G.nrows)
            continue;
        const wt_hs_row *r = &G.rows[ri];
        size_t to = s->hits[i].to;
        if ((r->checks & WT_CK_CFGONLY) && !config)
            continue;
        if ((r->checks & (WT_CK_ASSIGN | WT_CK_ASSIGNQ)) &&
            !assign_follows(text, len, to, (r->checks & WT_CK_ASSIGNQ) != 0))
            continue;
        size_t ns = to > r->back ? to - r->back : 0;
        size_t ne = to + r->fwd + 1 < len ? to + r->fwd + 1 : len;
        if (ns < s->done_until[ri])
            ns = s->done_until[ri];
        if (ns >= ne)
            continue;
        confirm(s, ri, text, len, ns, ne);
        s->done_until[ri] = ne;
    }
    /* candidates are few and nearly sorted: insertion sort, qsort when many */
    if (s->ncands > 64) {
        qsort(s->cands, s->ncands, sizeof *s->cands, cand_cmp);
        return;
    }
    for (size_t i = 1; i < s->ncands; i++) {
        wt_hs_cand c = s->cands[i];
        size_t j = i;
        while (j > 0 && cand_cmp(&s->cands[j - 1], &c) > 0) {
            s->cands[j] = s->cands[j - 1];
            j--;
        }
        s->cands[j] = c;
    }
}

const char wt_hsdb_test_key = 0;

size_t wt_hsdb_candidates(const void *key, const char *text, size_t len, int table, bool config,
                          const wt_hs_cand **out)
{
    pthread_once(&G.once, init_once);
    tls_state *s = tls_get();
    uint64_t sample = len ? sample_of(text, len) : 0;
    unsigned bit = 1u << table;
    bool hit = s->valid && s->key == key && s->text == text && s->len == len && s->sample == sample &&
               s->config == config &&
               !(s->consumed & bit);
    if (!hit) {
        scan_buffer(s, text, len, config);
        s->valid = true;
        s->key = key;
        s->text = text;
        s->len = len;
        s->sample = sample;
        s->config = config;
        s->markers = -1;
        s->consumed = 0;
    }
    s->consumed |= bit;
    if (s->consumed == (1u << WT_HS_NTABLES) - 1)
        s->valid = false; /* both detectors have seen it */
    *out = s->cands;
    return s->ncands;
}

static bool ci_find(const char *text, size_t from, size_t to, const char *w, size_t wl)
{
    if (wl == 0 || to < from || to - from < wl)
        return false;
    unsigned char c0 = (unsigned char)tolower((unsigned char)w[0]);
    for (size_t i = from; i + wl <= to; i++) {
        if ((unsigned char)tolower((unsigned char)text[i]) != c0)
            continue;
        if (strncasecmp(text + i, w, wl) == 0)
            return true;
    }
    return false;
}

bool wt_hs_has_word(const char *text, size_t from, size_t to, const char *words_bar)
{
    const char *p = words_bar;
    while (p && *p) {
        const char *bar = strchr(p, '|');
        size_t wl = bar ? (size_t)(bar - p) : strlen(p);
        if (ci_find(text, from, to, p, wl))
            return true;
        p = bar ? bar + 1 : NULL;
    }
    return false;
}

bool wt_hs_has_ctx(const wt_hs_row *r, const char *text, size_t from, size_t to)
{
    for (size_t i = 0; i < r->nctx; i++)
        if (ci_find(text, from, to, r->ctx[i], strlen(r->ctx[i])))
            return true;
    return false;
}

bool wt_hs_line_ignored(const char *text, size_t len, size_t off, const char *rule_id)
{
    if (off > len)
        off = len;
    size_t lo = off > WT_HS_IGNORE_SPAN ? off - WT_HS_IGNORE_SPAN : 0;
    size_t hi = off + WT_HS_IGNORE_SPAN < len ? off + WT_HS_IGNORE_SPAN : len;
    return wt_text_line_ignored(text + lo, hi - lo, off - lo, rule_id);
}

static bool has_markers_uncached(const char *text, size_t len)
{
    /* every marker has a ':' right after a fixed word; ':' is the rare byte */
    static const struct { const char *w; size_t n; } m[] = {
        {"watchtower", 10}, {"pragma", 6}, {"gitleaks", 8}, {"noqa", 4}};
    const char *p = text, *end = text + len;
    while (p < end && (p = memchr(p, ':', (size_t)(end - p))) != NULL) {
        size_t before = (size_t)(p - text);
        for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
            if (before >= m[i].n && memcmp(p - m[i].n, m[i].w, m[i].n) == 0)
                return true;
        p++;
    }
    return false;
}

bool wt_hsdb_last_truncated(void)
{
    pthread_once(&tls_once, tls_init);
    tls_state *s = pthread_getspecific(tls_key);
    return s && s->hits_full;
}

bool wt_hs_has_markers(const char *text, size_t len)
{
    /* Both detectors ask about the buffer they just got candidates for; the
     * answer is cached with those candidates (reset by every new scan). */
    pthread_once(&tls_once, tls_init);
    tls_state *s = pthread_getspecific(tls_key);
    if (!s || s->text != text || s->len != len)
        return has_markers_uncached(text, len);
    if (s->markers < 0)
        s->markers = has_markers_uncached(text, len);
    return s->markers > 0;
}
