/*
 * code_rules.c - unsafe-code rules over Python and shell text.
 *
 * One pass per buffer: a light Python tokenizer (strings, comments, numbers,
 * names, operators; bracket matching) collects the tokens of one logical
 * statement at a time; each statement is then walked once to record imports
 * and to match calls against rules/unsafe_code.tsv (looked up by the callee's
 * last / first component, or by a keyword argument name for `*` rows).
 * Magic lines (`!cmd`, `%pip`) and shell buffers go through magics.c.
 */
#include "text/code_rules.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embedded.h"
#include "core/util.h"
#include "text/magics.h"

/* ------------------------------------------------------------------ */
/* rule metadata                                                       */

#define OWASP_SUPPLY "ML06:2023 AI Supply Chain Attacks"
#define ATLAS_SUPPLY "AML.T0010 ML Supply Chain Compromise"
#define ATLAS_USER "AML.T0011 User Execution"

static const wt_rule code_rules[] = {
    {"WT-CODE-001", "PickleLoad", WT_CAT_CODE, WT_SEV_HIGH, "Code deserializes data with pickle",
     "pickle runs arbitrary code while loading; a tampered file or model is remote code execution",
     "CWE-502", OWASP_SUPPLY, ATLAS_USER, "MANAGE 2.3"},
    {"WT-CODE-002", "JoblibLoad", WT_CAT_CODE, WT_SEV_HIGH, "Code loads a joblib file",
     "joblib.load is pickle underneath: loading an untrusted model executes code", "CWE-502", OWASP_SUPPLY,
     ATLAS_USER, "MANAGE 2.3"},
    {"WT-CODE-003", "DillLoad", WT_CAT_CODE, WT_SEV_HIGH, "Code deserializes data with dill",
     "dill extends pickle to functions and code objects: loading untrusted data executes code", "CWE-502",
     OWASP_SUPPLY, ATLAS_USER, "MANAGE 2.3"},
    {"WT-CODE-004", "TorchLoadUnsafe", WT_CAT_CODE, WT_SEV_HIGH, "torch.load without weights_only=True",
     "without weights_only=True torch.load unpickles arbitrary objects (the default only became safe in "
     "torch 2.6; explicit False is always unsafe)",
     "CWE-502", OWASP_SUPPLY, ATLAS_USER, "MANAGE 2.3"},
    {"WT-CODE-005", "NumpyAllowPickle", WT_CAT_CODE, WT_SEV_HIGH, "numpy.load with allow_pickle=True",
     "allow_pickle=True lets an .npy/.npz file carry a pickle that runs on load", "CWE-502", OWASP_SUPPLY,
     ATLAS_USER, "MANAGE 2.3"},
    {"WT-CODE-006", "YamlUnsafeLoad", WT_CAT_CODE, WT_SEV_HIGH, "yaml.load without a safe Loader",
     "PyYAML's full/unsafe loaders construct arbitrary Python objects from tags such as !!python/object",
     "CWE-502", OWASP_SUPPLY, ATLAS_USER, "MANAGE 2.3"},
    {"WT-CODE-007", "EvalExec", WT_CAT_CODE, WT_SEV_HIGH, "eval/exec on a non-literal expression",
     "evaluating text built at run time is code injection when any part of it comes from outside",
     "CWE-95", "LLM05:2025 Improper Output Handling", ATLAS_USER, "MANAGE 2.3"},
    {"WT-CODE-008", "OsSystem", WT_CAT_CODE, WT_SEV_MEDIUM, "os.system / os.popen",
     "runs a command through the shell; with run-time values it is command injection (a constant command "
     "is only low)",
     "CWE-78", "LLM05:2025 Improper Output Handling", ATLAS_USER, "MANAGE 2.3"},
    {"WT-CODE-009", "SubprocessShell", WT_CAT_CODE, WT_SEV_MEDIUM, "subprocess with shell=True",
     "shell=True hands the command to /bin/sh: quoting mistakes become command injection", "CWE-78",
     "LLM05:2025 Improper Output Handling", ATLAS_USER, "MANAGE 2.3"},
    {"WT-CODE-010", "TrustRemoteCode", WT_CAT_CODE, WT_SEV_HIGH, "trust_remote_code=True",
     "loads and runs Python files from the model repository: whoever controls the repo runs code here",
     "CWE-94", OWASP_SUPPLY, ATLAS_SUPPLY, "MANAGE 2.3"},
    {"WT-CODE-011", "TlsVerifyDisabled", WT_CAT_CODE, WT_SEV_MEDIUM, "TLS verification disabled",
     "verify=False accepts any certificate: downloads (models, data, packages) can be swapped in transit",
     "CWE-295", OWASP_SUPPLY, ATLAS_SUPPLY, "MANAGE 2.3"},
    {"WT-CODE-012", "KerasUnsafeMode", WT_CAT_CODE, WT_SEV_HIGH, "Keras load_model with safe_mode=False",
     "safe_mode=False lets a .keras file deserialize Lambda layers, i.e. arbitrary Python", "CWE-502",
     OWASP_SUPPLY, ATLAS_USER, "MANAGE 2.3"},
    {"WT-CODE-013", "KerasUnsafeDeserialization", WT_CAT_CODE, WT_SEV_HIGH,
     "keras.config.enable_unsafe_deserialization()",
     "turns Keras safe mode off for the whole process: every later load_model may run code", "CWE-502",
     OWASP_SUPPLY, ATLAS_USER, "MANAGE 2.3"},
    {"WT-CODE-014", "TarExtractAll", WT_CAT_CODE, WT_SEV_MEDIUM, "tarfile extractall without a filter",
     "archive members with ../ paths or links write outside the target directory (CVE-2007-4559)", "CWE-22",
     OWASP_SUPPLY, ATLAS_SUPPLY, "MANAGE 2.3"},
    {"WT-CODE-015", "PipeToShell", WT_CAT_CODE, WT_SEV_HIGH, "Download piped into a shell",
     "`curl ... | sh` runs whatever the server (or anyone in between) sends, with no integrity check",
     "CWE-494", OWASP_SUPPLY, ATLAS_SUPPLY, "MANAGE 2.3"},
};

static size_t code_rules_get(const wt_rule **out)
{
    *out = code_rules;
    return sizeof code_rules / sizeof code_rules[0];
}

const wt_rule_table wt_code_rule_table = {"code", code_rules_get};

/* ------------------------------------------------------------------ */
/* rule table (rules/unsafe_code.tsv)                                  */

enum { P_EXACT, P_SUFFIX, P_PREFIX, P_ANY, P_PIPE };
enum { C_ALWAYS, C_IMPORTED, C_MISSING, C_EQ, C_NE, C_NONLIT, C_LIT, C_LOCALFILE };

#define MAX_VALS 8
#define MAX_TERMS 4
#define MAX_ROWS 512

typedef struct cond_term {
    int type;
    char kw[32]; /* "" = positional only */
    int pos;     /* -1 = keyword only */
    char vals[MAX_VALS][40];
    int nvals;
} cond_term;

typedef struct row {
    const char *rule_id; /* points into code_rules[] */
    int ptype;
    bool assign; /* "=target": an assignment to target, RHS is argument @0 */
    char pat[96];
    size_t patlen;
    cond_term terms[MAX_TERMS];
    int nterms;
    wt_severity sev;
    char msg[200];
} row;

/* tiny string -> row list index */
#define KEY_SLOTS 512
typedef struct key_slot {
    char key[72];
    int rows[24];
    int n;
} key_slot;

static row *g_rows;
static size_t g_nrows;
static key_slot *g_keys; /* "L:last", "F:first", "K:kwname", "P:" */
static int g_load_status;
static const char *g_load_err;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static uint32_t fnv(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

static bool bloom_maybe(const char *pfx, const char *s, size_t n);

static key_slot *key_find(const char *pfx, const char *s, size_t n, bool create)
{
    if (!create && !bloom_maybe(pfx, s, n))
        return NULL;
    char key[72];
    size_t pl = strlen(pfx);
    if (pl + n >= sizeof key)
        return NULL;
    memcpy(key, pfx, pl);
    memcpy(key + pl, s, n);
    key[pl + n] = '\0';
    size_t kl = pl + n;
    uint32_t h = fnv(key, kl);
    for (size_t i = 0; i < KEY_SLOTS; i++) {
        key_slot *k = &g_keys[(h + i) % KEY_SLOTS];
        if (k->key[0] == '\0') {
            if (!create)
                return NULL;
            memcpy(k->key, key, kl + 1);
            return k;
        }
        if (strcmp(k->key, key) == 0)
            return k;
    }
    return NULL;
}

/* per-prefix bit filters: most calls and keyword names match no rule, and
 * one hash + one bit test rejects them before any string is built */
static uint64_t g_bloom[4][64];

static int bloom_index(const char *pfx)
{
    switch (pfx[0]) {
    case 'L': return 0;
    case 'F': return 1;
    case 'K': return 2;
    default: return 3;
    }
}

static bool bloom_maybe(const char *pfx, const char *s, size_t n)
{
    uint32_t h = fnv(s, n) & 4095u;
    return (g_bloom[bloom_index(pfx)][h >> 6] >> (h & 63)) & 1u;
}

static void key_add(const char *pfx, const char *s, size_t n, int rowi)
{
    uint32_t h = fnv(s, n) & 4095u;
    g_bloom[bloom_index(pfx)][h >> 6] |= 1ull << (h & 63);
    key_slot *k = key_find(pfx, s, n, true);
    if (k && k->n < (int)(sizeof k->rows / sizeof k->rows[0]))
        k->rows[k->n++] = rowi;
}

static const char *rule_id_known(const char *id)
{
    for (size_t i = 0; i < sizeof code_rules / sizeof code_rules[0]; i++)
        if (strcmp(code_rules[i].id, id) == 0)
            return code_rules[i].id;
    return NULL;
}

static bool copy_field(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        return false;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return true;
}

/* parse "kw", "kw@N", "@N" */
static bool parse_arg(cond_term *t, const char *s, size_t n)
{
    const char *at = memchr(s, '@', n);
    size_t kwn = at ? (size_t)(at - s) : n;
    if (!copy_field(t->kw, sizeof t->kw, s, kwn))
        return false;
    t->pos = -1;
    if (at) {
        char *end;
        char num[16];
        size_t nn = n - kwn - 1;
        if (nn == 0 || nn >= sizeof num)
            return false;
        memcpy(num, at + 1, nn);
        num[nn] = '\0';
        long v = strtol(num, &end, 10);
        if (*end || v < 0 || v > 64)
            return false;
        t->pos = (int)v;
    }
    return kwn > 0 || t->pos >= 0;
}

static bool parse_vals(cond_term *t, const char *s, size_t n)
{
    size_t i = 0;
    while (i <= n && t->nvals < MAX_VALS) {
        size_t j = i;
        while (j < n && s[j] != '|')
            j++;
        if (j > i && !copy_field(t->vals[t->nvals++], sizeof t->vals[0], s + i, j - i))
            return false;
        i = j + 1;
    }
    return t->nvals > 0;
}

static bool parse_term(cond_term *t, const char *s, size_t n)
{
    memset(t, 0, sizeof *t);
    if (n == 6 && memcmp(s, "always", 6) == 0) {
        t->type = C_ALWAYS;
        return true;
    }
    if (n > 9 && memcmp(s, "imported:", 9) == 0) {
        t->type = C_IMPORTED;
        return parse_vals(t, s + 9, n - 9);
    }
    if (n > 1 && s[0] == '!') {
        t->type = C_MISSING;
        return parse_arg(t, s + 1, n - 1);
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '!' && i + 1 < n && s[i + 1] == '=') {
            t->type = C_NE;
            return parse_arg(t, s, i) && parse_vals(t, s + i + 2, n - i - 2);
        }
        if (s[i] == '=') {
            t->type = C_EQ;
            return parse_arg(t, s, i) && parse_vals(t, s + i + 1, n - i - 1);
        }
        if (s[i] == ':') {
            if (n - i - 1 == 10 && memcmp(s + i + 1, "nonliteral", 10) == 0)
                t->type = C_NONLIT;
            else if (n - i - 1 == 7 && memcmp(s + i + 1, "literal", 7) == 0)
                t->type = C_LIT;
            else if (n - i - 1 == 9 && memcmp(s + i + 1, "localfile", 9) == 0)
                t->type = C_LOCALFILE;
            else
                return false;
            return parse_arg(t, s, i);
        }
    }
    return false;
}

static bool parse_row(row *r, const char *line, size_t n)
{
    const char *f[5];
    size_t fl[5];
    size_t nf = 0, i = 0;
    while (nf < 5) {
        size_t j = i;
        while (j < n && line[j] != '\t')
            j++;
        f[nf] = line + i;
        fl[nf] = j - i;
        nf++;
        if (j >= n)
            break;
        i = j + 1;
    }
    if (nf < 5)
        return false;
    char id[24];
    if (!copy_field(id, sizeof id, f[0], fl[0]) || !(r->rule_id = rule_id_known(id)))
        return false;
    if (!copy_field(r->pat, sizeof r->pat, f[1], fl[1]) || fl[1] == 0)
        return false;
    r->patlen = fl[1];
    if (r->pat[0] == '=') {
        r->assign = true;
        memmove(r->pat, r->pat + 1, r->patlen);
        r->patlen--;
        fl[1]--;
        if (r->patlen == 0 || r->pat[0] == '@' || (r->pat[0] == '*' && r->patlen == 1))
            return false;
    }
    if (strcmp(r->pat, "@pipe_to_shell") == 0)
        r->ptype = P_PIPE;
    else if (strcmp(r->pat, "*") == 0)
        r->ptype = P_ANY;
    else if (fl[1] > 2 && r->pat[0] == '*' && r->pat[1] == '.')
        r->ptype = P_SUFFIX;
    else if (fl[1] > 2 && r->pat[fl[1] - 1] == '*' && r->pat[fl[1] - 2] == '.')
        r->ptype = P_PREFIX;
    else if (!memchr(r->pat, '*', fl[1]))
        r->ptype = P_EXACT;
    else
        return false;
    /* conditions */
    size_t a = 0;
    const char *c = f[2];
    size_t cn = fl[2];
    while (a < cn) {
        size_t b = a;
        while (b < cn && c[b] != '&')
            b++;
        if (r->nterms >= MAX_TERMS || !parse_term(&r->terms[r->nterms++], c + a, b - a))
            return false;
        a = b + 1;
    }
    if (r->nterms == 0)
        return false;
    char sev[16];
    if (!copy_field(sev, sizeof sev, f[3], fl[3]) || wt_severity_parse(sev, &r->sev) != 0 ||
        r->sev == WT_SEV_NONE)
        return false;
    size_t ml = fl[4];
    while (ml > 0 && (f[4][ml - 1] == '\r' || f[4][ml - 1] == ' '))
        ml--;
    if (ml >= sizeof r->msg)
        ml = sizeof r->msg - 1;
    memcpy(r->msg, f[4], ml);
    r->msg[ml] = '\0';
    if (r->ptype == P_ANY) {
        /* a "*" row must be keyed by a keyword argument */
        for (int k = 0; k < r->nterms; k++)
            if ((r->terms[k].type == C_EQ || r->terms[k].type == C_NE) && r->terms[k].kw[0])
                return true;
        return false;
    }
    return true;
}

static void load_rules(void)
{
    size_t len = 0;
    const char *text = wt_rules_text("unsafe_code.tsv", &len);
    g_rows = wt_xcalloc(MAX_ROWS, sizeof *g_rows);
    g_keys = wt_xcalloc(KEY_SLOTS, sizeof *g_keys);
    if (!text) {
        g_load_status = -1;
        g_load_err = "rules/unsafe_code.tsv not found";
        return;
    }
    size_t i = 0;
    bool header = true, bad = false;
    while (i < len) {
        size_t j = i;
        while (j < len && text[j] != '\n')
            j++;
        const char *line = text + i;
        size_t n = j - i;
        i = j + 1;
        if (n == 0 || line[0] == '#')
            continue;
        if (header) { /* the column header row */
            header = false;
            if (n >= 4 && memcmp(line, "rule", 4) == 0)
                continue;
        }
        if (g_nrows >= MAX_ROWS)
            break;
        row *r = &g_rows[g_nrows];
        memset(r, 0, sizeof *r);
        if (!parse_row(r, line, n)) {
            bad = true;
            continue;
        }
        int ri = (int)g_nrows++;
        if (r->assign) {
            if (r->ptype == P_EXACT || r->ptype == P_SUFFIX) {
                const char *dot = strrchr(r->pat, '.');
                const char *last = dot ? dot + 1 : r->pat;
                key_add("A:", last, strlen(last), ri);
            } else {
                g_nrows--;
                bad = true;
            }
            continue;
        }
        switch (r->ptype) {
        case P_EXACT:
        case P_SUFFIX: {
            const char *dot = strrchr(r->pat, '.');
            const char *last = dot ? dot + 1 : r->pat;
            key_add("L:", last, strlen(last), ri);
            break;
        }
        case P_PREFIX: {
            const char *dot = strchr(r->pat, '.');
            key_add("F:", r->pat, (size_t)(dot - r->pat), ri);
            break;
        }
        case P_ANY:
            for (int k = 0; k < r->nterms; k++)
                if ((r->terms[k].type == C_EQ || r->terms[k].type == C_NE) && r->terms[k].kw[0]) {
                    key_add("K:", r->terms[k].kw, strlen(r->terms[k].kw), ri);
                    break;
                }
            break;
        case P_PIPE:
            key_add("P:", "", 0, ri);
            break;
        }
    }
    if (bad) {
        g_load_status = -1;
        g_load_err = "rules/unsafe_code.tsv has malformed rows (skipped)";
    }
}

int wt_code_rules_load(const char **err)
{
    pthread_once(&g_once, load_rules);
    if (err)
        *err = g_load_err;
    return g_load_status < 0 ? -1 : (int)g_nrows;
}

/* ------------------------------------------------------------------ */
/* import scope                                                        */

typedef struct alias {
    uint8_t nlen;
    char name[47];
    char target[112]; /* "" = a local definition shadows the name */
} alias;

#define MAX_ALIASES 4096
#define MAX_MODS 128
#define MAX_STARS 16

typedef struct code_scope {
    alias *tab;
    size_t cap, n;
    char mods[MAX_MODS][48]; /* imported top-level modules */
    size_t nmods;
    char stars[MAX_STARS][112]; /* from X import * */
    size_t nstars;
} code_scope;

static _Thread_local code_scope *tls_scope;

static code_scope *scope_new(void)
{
    code_scope *s = wt_xcalloc(1, sizeof *s);
    s->cap = 64;
    s->tab = wt_xcalloc(s->cap, sizeof *s->tab);
    return s;
}

static void scope_free(code_scope *s)
{
    if (!s)
        return;
    free(s->tab);
    free(s);
}

void wt_code_scope_begin(void)
{
    scope_free(tls_scope);
    tls_scope = scope_new();
}

void wt_code_scope_end(void)
{
    scope_free(tls_scope);
    tls_scope = NULL;
}

static alias *scope_slot(code_scope *s, const char *name, size_t n)
{
    uint32_t h = fnv(name, n);
    for (size_t i = 0; i < s->cap; i++) {
        alias *a = &s->tab[(h + i) & (s->cap - 1)];
        if (a->name[0] == '\0' || (a->nlen == n && memcmp(a->name, name, n) == 0))
            return a;
    }
    return NULL;
}

static const alias *scope_get(const code_scope *s, const char *name, size_t n)
{
    if (n >= sizeof s->tab[0].name)
        return NULL;
    alias *a = scope_slot((code_scope *)s, name, n);
    return a && a->name[0] ? a : NULL;
}

static void scope_set(code_scope *s, const char *name, size_t n, const char *target, size_t tn)
{
    if (n == 0 || n >= sizeof s->tab[0].name || tn >= sizeof s->tab[0].target)
        return;
    if (s->n * 2 >= s->cap) {
        if (s->cap >= MAX_ALIASES)
            return;
        alias *old = s->tab;
        size_t oldcap = s->cap;
        s->cap *= 2;
        s->tab = wt_xcalloc(s->cap, sizeof *s->tab);
        s->n = 0;
        for (size_t i = 0; i < oldcap; i++) {
            if (!old[i].name[0])
                continue;
            alias *a = scope_slot(s, old[i].name, old[i].nlen);
            *a = old[i];
            s->n++;
        }
        free(old);
    }
    alias *a = scope_slot(s, name, n);
    if (!a)
        return;
    if (!a->name[0]) {
        memcpy(a->name, name, n);
        a->name[n] = '\0';
        a->nlen = (uint8_t)n;
        s->n++;
    }
    memcpy(a->target, target, tn);
    a->target[tn] = '\0';
}

static void scope_add_mod(code_scope *s, const char *m, size_t n)
{
    const char *dot = memchr(m, '.', n);
    if (dot)
        n = (size_t)(dot - m);
    if (n == 0 || n >= sizeof s->mods[0])
        return;
    for (size_t i = 0; i < s->nmods; i++)
        if (strlen(s->mods[i]) == n && memcmp(s->mods[i], m, n) == 0)
            return;
    if (s->nmods < MAX_MODS) {
        memcpy(s->mods[s->nmods], m, n);
        s->mods[s->nmods++][n] = '\0';
    }
}

static bool scope_has_mod(const code_scope *s, const char *m)
{
    for (size_t i = 0; i < s->nmods; i++)
        if (strcmp(s->mods[i], m) == 0)
            return true;
    return false;
}

/* ------------------------------------------------------------------ */
/* tokens                                                              */

enum { T_NAME = 1, T_STR, T_NUM, T_OP };
#define F_FEXPR 1 /* f-string with a {expression} */

typedef struct tok {
    size_t off;
    uint32_t len;
    uint8_t type;
    uint8_t flags;
    int32_t match; /* matching bracket index, -1 */
    uint32_t qoff, qlen; /* string content (relative to off) */
} tok;

#define MAX_HITS 1000 /* per buffer: a generated file with 10^5 eval() calls needs no 10^5 findings */
#define MAX_STMT_TOKS 65536
#define MAX_BRACKETS 256
#define MAX_ARGS 64
#define MAX_EMITTED 64

typedef struct arg {
    int a, b;      /* token range [a, b) of the value */
    int kwtok;     /* keyword name token or -1 */
} arg;

typedef struct scanner {
    const char *text;
    size_t len;
    code_scope *scope;
    wt_code_hit_fn fn;
    void *ud;
    size_t hits;
    tok *t;
    int nt, cap;
    /* per statement de-duplication */
    struct {
        const char *rule;
        size_t off;
    } emitted[MAX_EMITTED];
    int nemitted;
    size_t magic_line_checked; /* 1 + start of the last line tried as `x = !cmd` */
    size_t dropped;            /* hits over MAX_HITS */
} scanner;

static bool tok_is(const scanner *s, int i, const char *lit)
{
    if (i < 0 || i >= s->nt)
        return false;
    size_t n = strlen(lit);
    return s->t[i].len == n && memcmp(s->text + s->t[i].off, lit, n) == 0;
}

static bool op_is(const scanner *s, int i, char c)
{
    return i >= 0 && i < s->nt && s->t[i].type == T_OP && s->t[i].len == 1 && s->text[s->t[i].off] == c;
}

static inline bool name_is_n(const scanner *s, int i, const char *lit, size_t n)
{
    return i >= 0 && i < s->nt && s->t[i].type == T_NAME && s->t[i].len == n &&
           memcmp(s->text + s->t[i].off, lit, n) == 0;
}
/* literal names only: the length is a compile-time constant */
#define name_is(s, i, lit) name_is_n((s), (i), (lit), sizeof("" lit) - 1)


static void hit(scanner *s, const wt_code_hit *h)
{
    if (s->hits >= MAX_HITS) {
        s->dropped++;
        return;
    }
    s->hits++;
    if (s->fn)
        s->fn(s->ud, h);
}

/* ---- canonical callee names ---- */

/* Build the dotted chain [a..e] (NAME . NAME ...) into out, resolving the
 * first component through the scope. Returns length or 0. unknown_recv:
 * the chain is a method on an expression ("?." prefix). */
static size_t canonical(scanner *s, int a, int e, bool unknown_recv, char *out, size_t cap)
{
    size_t n = 0;
    if (unknown_recv) {
        if (cap < 3)
            return 0;
        out[n++] = '?';
        out[n++] = '.';
    }
    for (int i = a; i <= e; i += 2) {
        const char *p = s->text + s->t[i].off;
        size_t l = s->t[i].len;
        if (i == a && !unknown_recv) {
            const alias *al = scope_get(s->scope, p, l);
            if (al) {
                if (!al->target[0])
                    return 0; /* shadowed by a local definition */
                p = al->target;
                l = strlen(p);
            } else if (l == 2 && memcmp(p, "np", 2) == 0) {
                p = "numpy", l = 5;
            } else if (l == 2 && memcmp(p, "tf", 2) == 0) {
                p = "tensorflow", l = 10;
            } else if (l == 2 && memcmp(p, "pd", 2) == 0) {
                p = "pandas", l = 6;
            }
        }
        if (n + l + 2 >= cap)
            return 0;
        if (i != a)
            out[n++] = '.';
        memcpy(out + n, p, l);
        n += l;
    }
    out[n] = '\0';
    return n;
}

/* ---- arguments ---- */

static int parse_args(scanner *s, int open, arg *args, bool *has_star)
{
    int close = s->t[open].match >= 0 ? s->t[open].match : s->nt;
    int n = 0, i = open + 1;
    *has_star = false;
    while (i < close && n < MAX_ARGS) {
        int a = i;
        while (i < close && !op_is(s, i, ',')) {
            if (s->t[i].type == T_OP && s->t[i].match > i && s->t[i].match < close)
                i = s->t[i].match;
            else if (s->t[i].type == T_OP && s->t[i].match < 0 && s->t[i].len == 1 &&
                     strchr("([{", s->text[s->t[i].off])) {
                i = close; /* never closed: the rest is inside it */
                break;
            }
            i++;
        }
        if (i > a) {
            arg *g = &args[n++];
            g->kwtok = -1;
            g->a = a;
            g->b = i;
            if (s->t[a].type == T_NAME && a + 1 < i && op_is(s, a + 1, '=')) {
                g->kwtok = a;
                g->a = a + 2;
            } else if (s->t[a].type == T_OP && s->text[s->t[a].off] == '*') {
                *has_star = true;
                n--;
            }
        }
        i++;
    }
    return n;
}

static const arg *find_arg(scanner *s, const arg *args, int nargs, const cond_term *t)
{
    int pos = 0;
    for (int i = 0; i < nargs; i++) {
        const arg *g = &args[i];
        if (g->kwtok >= 0) {
            if (t->kw[0] && tok_is(s, g->kwtok, t->kw))
                return g;
        } else {
            if (t->pos >= 0 && pos == t->pos)
                return g;
            pos++;
        }
    }
    return NULL;
}

/* value text of an argument: token texts joined, string contents unquoted */
static size_t arg_text(scanner *s, const arg *g, char *out, size_t cap)
{
    size_t n = 0;
    for (int i = g->a; i < g->b; i++) {
        const tok *t = &s->t[i];
        const char *p = s->text + t->off;
        size_t l = t->len;
        if (t->type == T_STR) {
            p += t->qoff;
            l = t->qlen;
        }
        if (n + l + 1 >= cap)
            break;
        memcpy(out + n, p, l);
        n += l;
    }
    out[n] = '\0';
    return n;
}

static bool arg_literal(scanner *s, const arg *g)
{
    if (g->b <= g->a)
        return false;
    bool all_str = true;
    for (int i = g->a; i < g->b; i++)
        if (s->t[i].type != T_STR || (s->t[i].flags & F_FEXPR))
            all_str = false;
    if (all_str)
        return true;
    int i = g->a;
    if (op_is(s, i, '-') || op_is(s, i, '+'))
        i++;
    return i + 1 == g->b && s->t[i].type == T_NUM;
}

/* open("literal path").read() : a file of the repository, not outside input */
static bool arg_localfile(scanner *s, const arg *g)
{
    int i = g->a;
    if (i + 3 >= s->nt || !name_is(s, i, "open") || !op_is(s, i + 1, '('))
        return false;
    int m = s->t[i + 1].match;
    if (m < 0 || s->t[i + 2].type != T_STR || (s->t[i + 2].flags & F_FEXPR))
        return false;
    if (!(op_is(s, i + 3, ')') || op_is(s, i + 3, ',')))
        return false;
    return op_is(s, m + 1, '.') && name_is(s, m + 2, "read") && op_is(s, m + 3, '(') && op_is(s, m + 4, ')') &&
           m + 5 == g->b;
}

static bool val_match(const char *v, size_t vn, const cond_term *t)
{
    const char *dot = NULL;
    for (size_t i = 0; i < vn; i++)
        if (v[i] == '.')
            dot = v + i;
    const char *last = dot ? dot + 1 : v;
    for (int k = 0; k < t->nvals; k++) {
        if (strcmp(v, t->vals[k]) == 0 || strcmp(last, t->vals[k]) == 0)
            return true;
    }
    return false;
}

typedef struct call {
    int open;
    arg args[MAX_ARGS];
    int nargs;
    bool parsed, has_star;
} call;

static bool eval_row(scanner *s, const row *r, call *c, char *note, size_t notecap)
{
    note[0] = '\0';
    for (int k = 0; k < r->nterms; k++) {
        const cond_term *t = &r->terms[k];
        if (t->type == C_ALWAYS)
            continue;
        if (t->type == C_IMPORTED) {
            bool any = false;
            for (int v = 0; v < t->nvals && !any; v++)
                any = scope_has_mod(s->scope, t->vals[v]);
            if (!any)
                return false;
            continue;
        }
        if (!c)
            return false;
        if (!c->parsed) {
            c->nargs = parse_args(s, c->open, c->args, &c->has_star);
            c->parsed = true;
        }
        const arg *g = find_arg(s, c->args, c->nargs, t);
        char v[128];
        size_t vn = g ? arg_text(s, g, v, sizeof v) : 0;
        switch (t->type) {
        case C_MISSING:
            if (g || c->has_star)
                return false;
            break;
        case C_EQ:
        case C_NE:
            if (!g || val_match(v, vn, t) != (t->type == C_EQ))
                return false;
            /* show identifiers (True, yaml.Loader), never string contents */
            if (g->kwtok >= 0 && s->t[g->a].type != T_STR && !note[0])
                snprintf(note, notecap, ", %s=%.40s", t->kw, v);
            break;
        case C_NONLIT:
            if (!g || arg_literal(s, g))
                return false;
            break;
        case C_LIT:
            if (!g || !arg_literal(s, g))
                return false;
            break;
        case C_LOCALFILE:
            if (!g || !arg_localfile(s, g))
                return false;
            break;
        }
    }
    return true;
}

static bool already(scanner *s, const char *rule, size_t off)
{
    for (int i = 0; i < s->nemitted; i++)
        if (s->emitted[i].rule == rule && s->emitted[i].off == off)
            return true;
    if (s->nemitted < MAX_EMITTED) {
        s->emitted[s->nemitted].rule = rule;
        s->emitted[s->nemitted].off = off;
        s->nemitted++;
    }
    return false;
}

static bool pat_match(const row *r, const char *name, size_t n)
{
    switch (r->ptype) {
    case P_EXACT:
        return n == r->patlen && memcmp(name, r->pat, n) == 0;
    case P_SUFFIX: { /* "*.x": name ends with ".x" or equals "x" */
        size_t sl = r->patlen - 1; /* ".x" */
        if (n == sl - 1 && memcmp(name, r->pat + 2, n) == 0)
            return true;
        return n >= sl && memcmp(name + n - sl, r->pat + 1, sl) == 0;
    }
    case P_PREFIX: /* "m.*": name starts with "m." */
        return n > r->patlen - 1 && memcmp(name, r->pat, r->patlen - 1) == 0;
    case P_ANY:
        return true;
    default:
        return false;
    }
}

static void try_rows(scanner *s, const key_slot *k, const char *name, size_t n, call *c, int a, int close)
{
    if (!k)
        return;
    const char *done[24];
    int ndone = 0;
    for (int i = 0; i < k->n; i++) {
        const row *r = &g_rows[k->rows[i]];
        bool seen = false;
        for (int d = 0; d < ndone; d++)
            seen |= done[d] == r->rule_id;
        if (seen || !pat_match(r, name, n))
            continue;
        char note[64];
        if (!eval_row(s, r, c, note, sizeof note))
            continue;
        if (ndone < 24)
            done[ndone++] = r->rule_id;
        size_t off = s->t[a].off;
        if (already(s, r->rule_id, off))
            continue;
        if (s->hits >= MAX_HITS) {
            s->dropped++;
            continue;
        }
        char ev[200];
        const char *shown = name[0] == '?' ? name + 1 : name; /* "?.extractall" -> ".extractall" */
        if (r->assign) {
            /* show the assigned name or constant, never string contents */
            char v[64] = "...";
            if (c && c->nargs > 0 && s->t[c->args[0].a].type != T_STR)
                arg_text(s, &c->args[0], v, sizeof v);
            snprintf(ev, sizeof ev, "%s = %s", shown, v);
        } else {
            snprintf(ev, sizeof ev, "%s(...%s)", shown, note);
        }
        size_t end = close < s->nt ? s->t[close].off + s->t[close].len : s->t[s->nt - 1].off + s->t[s->nt - 1].len;
        wt_code_hit h = {WT_CODE_HIT_RULE, r->rule_id, r->sev, r->msg, ev, off, end - off, NULL, 0};
        hit(s, &h);
    }
}

static bool is_command_call(scanner *s, const char *name, int a);
static bool is_ipython_magic_call(scanner *s, const char *name, int a);
static void scan_magic_call(scanner *s, call *c);
static void scan_command_arg(scanner *s, call *c);

static void process_call(scanner *s, int a, int e, bool unknown_recv)
{
    char name[256];
    size_t n = canonical(s, a, e, unknown_recv, name, sizeof name);
    if (n == 0)
        return;
    call c;
    c.open = e + 1;
    c.parsed = false;
    c.nargs = 0;
    c.has_star = false;
    int close = s->t[e + 1].match >= 0 ? s->t[e + 1].match : s->nt;
    const char *dot = strrchr(name, '.');
    const char *last = dot ? dot + 1 : name;
    try_rows(s, key_find("L:", last, strlen(last), false), name, n, &c, a, close);
    const char *d1 = strchr(name, '.');
    if (d1 && name[0] != '?')
        try_rows(s, key_find("F:", name, (size_t)(d1 - name), false), name, n, &c, a, close);
    /* `from pickle import *` then loads(...) */
    if (a == e && !unknown_recv && !scope_get(s->scope, name, n)) {
        for (size_t i = 0; i < s->scope->nstars; i++) {
            char full[256];
            int fl = snprintf(full, sizeof full, "%s.%s", s->scope->stars[i], name);
            if (fl > 0 && (size_t)fl < sizeof full)
                try_rows(s, key_find("L:", last, strlen(last), false), full, (size_t)fl, &c, a, close);
        }
    }
    if ((name[0] == 'o' || name[0] == 's' || name[0] == '?') && is_command_call(s, name, a))
        scan_command_arg(s, &c);
    else if (name[0] == '?' && is_ipython_magic_call(s, name, a))
        scan_magic_call(s, &c);
}

/* `a.b = value` at statement level: rows whose callee is "=a.b" / "=*.b",
 * with the value as positional argument @0 */
static void process_assign(scanner *s, int a, int e, bool unknown_recv)
{
    if (!bloom_maybe("A:", s->text + s->t[e].off, s->t[e].len))
        return; /* the attribute assigned is never a rule target */
    char name[256];
    size_t n = canonical(s, a, e, unknown_recv, name, sizeof name);
    if (n == 0)
        return;
    const char *dot = strrchr(name, '.');
    const char *last = dot ? dot + 1 : name;
    const key_slot *k = key_find("A:", last, strlen(last), false);
    if (!k || e + 2 >= s->nt)
        return;
    call c;
    memset(&c, 0, sizeof c);
    c.parsed = true;
    c.nargs = 1;
    c.args[0].a = e + 2;
    c.args[0].b = s->nt;
    c.args[0].kwtok = -1;
    try_rows(s, k, name, n, &c, a, s->nt - 1);
}

/* keyword argument of a `*` row: evaluate against the enclosing call */
static void process_kwarg(scanner *s, int kw, int open)
{
    const key_slot *k = key_find("K:", s->text + s->t[kw].off, s->t[kw].len, false);
    if (!k)
        return;
    int e = open - 1;
    if (e < 0 || s->t[e].type != T_NAME)
        return;
    int a = e;
    while (a >= 2 && op_is(s, a - 1, '.') && s->t[a - 2].type == T_NAME && e - a < 64)
        a -= 2;
    bool unknown = a >= 1 && op_is(s, a - 1, '.');
    char name[256];
    size_t n = canonical(s, a, e, unknown, name, sizeof name);
    if (n == 0) {
        memcpy(name, "?", 2);
        n = 1;
    }
    call c;
    memset(&c, 0, sizeof c);
    c.open = open;
    int close = s->t[open].match >= 0 ? s->t[open].match : s->nt;
    try_rows(s, k, name, n, &c, a, close);
}

/* ---- imports ---- */

/* dotted name starting at token i; writes into out; returns index after */
static int dotted(scanner *s, int i, char *out, size_t cap, size_t *outn)
{
    size_t n = 0;
    *outn = 0;
    out[0] = '\0';
    while (i < s->nt && s->t[i].type == T_NAME) {
        size_t l = s->t[i].len;
        if (n + l + 2 >= cap)
            return i + 1;
        if (n)
            out[n++] = '.';
        memcpy(out + n, s->text + s->t[i].off, l);
        n += l;
        out[n] = '\0';
        i++;
        if (op_is(s, i, '.') && i + 1 < s->nt && s->t[i + 1].type == T_NAME)
            i++;
        else
            break;
    }
    *outn = n;
    return i;
}

static int parse_import(scanner *s, int i)
{
    /* import a.b.c [as d], e */
    i++;
    while (i < s->nt) {
        char mod[112];
        size_t mn;
        int j = dotted(s, i, mod, sizeof mod, &mn);
        if (mn == 0)
            return j;
        scope_add_mod(s->scope, mod, mn);
        if (name_is(s, j, "as") && j + 1 < s->nt && s->t[j + 1].type == T_NAME) {
            scope_set(s->scope, s->text + s->t[j + 1].off, s->t[j + 1].len, mod, mn);
            j += 2;
        } else {
            const char *dot = memchr(mod, '.', mn);
            size_t first = dot ? (size_t)(dot - mod) : mn;
            scope_set(s->scope, mod, first, mod, first);
        }
        if (!op_is(s, j, ','))
            return j;
        i = j + 1;
    }
    return i;
}

static int parse_from(scanner *s, int i)
{
    /* from [.]*mod import (a [as b], ...) | * */
    i++;
    bool relative = false;
    while (op_is(s, i, '.')) {
        relative = true;
        i++;
    }
    char mod[112];
    size_t mn = 0;
    i = dotted(s, i, mod, sizeof mod, &mn);
    if (!name_is(s, i, "import"))
        return i;
    i++;
    if (!relative && mn)
        scope_add_mod(s->scope, mod, mn);
    if (op_is(s, i, '*')) {
        if (!relative && mn && s->scope->nstars < MAX_STARS) {
            memcpy(s->scope->stars[s->scope->nstars++], mod, mn + 1);
        }
        return i + 1;
    }
    if (op_is(s, i, '('))
        i++;
    while (i < s->nt && s->t[i].type == T_NAME) {
        int nm = i;
        int bind = i;
        i++;
        if (name_is(s, i, "as") && i + 1 < s->nt && s->t[i + 1].type == T_NAME) {
            bind = i + 1;
            i += 2;
        }
        char target[112];
        size_t tl = 0;
        if (!relative && mn) {
            int w = snprintf(target, sizeof target, "%s.%.*s", mod, (int)s->t[nm].len, s->text + s->t[nm].off);
            tl = (w > 0 && (size_t)w < sizeof target) ? (size_t)w : 0;
        }
        target[tl] = '\0';
        scope_set(s->scope, s->text + s->t[bind].off, s->t[bind].len, target, tl);
        if (!op_is(s, i, ','))
            break;
        i++;
    }
    return i;
}

/* ---- statement analysis ---- */

static void analyze_statement(scanner *s)
{
    int stack[MAX_BRACKETS];
    int depth = 0;
    s->nemitted = 0;
    for (int i = 0; i < s->nt; i++) {
        const tok *t = &s->t[i];
        if (t->type == T_NAME) {
            bool stmt_start = i == 0 || op_is(s, i - 1, ':') || op_is(s, i - 1, ';');
            if (stmt_start && depth == 0 && tok_is(s, i, "import")) {
                i = parse_import(s, i) - 1;
                continue;
            }
            if (stmt_start && depth == 0 && tok_is(s, i, "from")) {
                i = parse_from(s, i) - 1;
                continue;
            }
            if (name_is(s, i - 1, "def") || name_is(s, i - 1, "class")) {
                /* a module-level definition shadows an imported/builtin name
                 * (methods such as Model.eval do not) */
                size_t d = s->t[i - 1].off;
                if (depth == 0 && (d == 0 || s->text[d - 1] == '\n'))
                    scope_set(s->scope, s->text + t->off, t->len, "", 0);
                continue;
            }
            /* keyword argument of the enclosing call */
            if (depth > 0 && op_is(s, i + 1, '=') && (op_is(s, i - 1, '(') || op_is(s, i - 1, ',')) &&
                op_is(s, stack[depth - 1], '('))
                process_kwarg(s, i, stack[depth - 1]);
            /* a call chain starts here unless this NAME continues one */
            bool prev_dot = op_is(s, i - 1, '.');
            bool recv_expr = prev_dot && i >= 2 &&
                             (op_is(s, i - 2, ')') || op_is(s, i - 2, ']') || s->t[i - 2].type == T_STR);
            if (!prev_dot || recv_expr) {
                int e = i;
                while (op_is(s, e + 1, '.') && e + 2 < s->nt && s->t[e + 2].type == T_NAME && e - i < 64)
                    e += 2;
                if (op_is(s, e + 1, '(') && !name_is(s, i - 1, "def") && !name_is(s, i - 1, "class"))
                    process_call(s, i, e, recv_expr);
                else if (depth == 0 && (e > i || recv_expr) && op_is(s, e + 1, '='))
                    process_assign(s, i, e, recv_expr);
            }
        } else if (t->type == T_OP) {
            char c = s->text[t->off];
            if (t->len == 1 && (c == '(' || c == '[' || c == '{')) {
                if (depth < MAX_BRACKETS)
                    stack[depth++] = i;
            } else if (t->len == 1 && (c == ')' || c == ']' || c == '}')) {
                if (depth > 0)
                    depth--;
            }
        }
    }
}

/* ---- tokenizer ---- */

static void push_tok(scanner *s, size_t off, size_t len, int type, int flags)
{
    if (s->nt >= s->cap) {
        if (s->cap >= MAX_STMT_TOKS) {
            analyze_statement(s); /* a giant statement: analyze in pieces */
            s->nt = 0;
        } else {
            s->cap = s->cap ? s->cap * 2 : 256;
            s->t = wt_xrealloc(s->t, (size_t)s->cap * sizeof *s->t);
        }
    }
    tok *t = &s->t[s->nt++];
    t->off = off;
    t->len = (uint32_t)(len > UINT32_MAX ? UINT32_MAX : len);
    t->type = (uint8_t)type;
    t->flags = (uint8_t)flags;
    t->match = -1;
    t->qoff = 0;
    t->qlen = 0;
}

static void end_statement(scanner *s, int *bstack, int *bdepth)
{
    if (s->nt > 0)
        analyze_statement(s);
    s->nt = 0;
    *bdepth = 0;
    (void)bstack;
}

/* byte classes for the tokenizer's hot loop */
enum { CC_IDS = 1, CC_IDC = 2, CC_SP = 4 };
static const uint8_t cc_tab[256] = {
    ['a' ... 'z'] = CC_IDS | CC_IDC, ['A' ... 'Z'] = CC_IDS | CC_IDC, ['_'] = CC_IDS | CC_IDC,
    ['0' ... '9'] = CC_IDC,          [0x80 ... 0xff] = CC_IDS | CC_IDC,
    [' '] = CC_SP,                   ['\t'] = CC_SP,                   ['\r'] = CC_SP, ['\f'] = CC_SP,
};
static inline bool ident_start(unsigned char c) { return cc_tab[c] & CC_IDS; }
static inline bool ident_char(unsigned char c) { return cc_tab[c] & CC_IDC; }

static bool string_prefix(const char *p, size_t n, bool *raw, bool *fstr)
{
    *raw = *fstr = false;
    if (n == 0 || n > 2)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = (char)(p[i] | 0x20);
        if (c == 'r')
            *raw = true;
        else if (c == 'f' || c == 't')
            *fstr = true;
        else if (c != 'b' && c != 'u')
            return false;
    }
    return true;
}

/* scan a string literal starting at the quote q; returns index after it */
static size_t scan_string(scanner *s, size_t start, size_t q, bool fstr)
{
    const char *x = s->text;
    size_t len = s->len;
    char quote = x[q];
    bool triple = q + 2 < len && x[q + 1] == quote && x[q + 2] == quote;
    size_t i = q + (triple ? 3 : 1);
    size_t content = i;
    int flags = 0;
    size_t cend;
    for (;;) {
        if (i >= len) {
            cend = len;
            break;
        }
        char c = x[i];
        if (c == '\\') {
            i += 2;
            continue;
        }
        if (!triple && c == '\n') { /* unterminated: stop at the line end */
            cend = i;
            break;
        }
        if (c == quote) {
            if (!triple) {
                cend = i;
                i++;
                break;
            }
            if (i + 2 < len && x[i + 1] == quote && x[i + 2] == quote) {
                cend = i;
                i += 3;
                break;
            }
        }
        if (fstr && c == '{') {
            if (i + 1 < len && x[i + 1] == '{')
                i++;
            else
                flags |= F_FEXPR;
        }
        i++;
    }
    if (i > len)
        i = len;
    if (cend > len)
        cend = len;
    push_tok(s, start, i - start, T_STR, flags);
    tok *t = &s->t[s->nt - 1];
    t->qoff = (uint32_t)(content - start);
    t->qlen = (uint32_t)(cend >= content ? cend - content : 0);
    return i;
}

static void shell_fact_cb(void *ud, wt_shell_fact what, size_t off, size_t len);

typedef struct shell_ctx {
    scanner *s;
    size_t base;
    const char *text; /* the shell text as given to wt_shell_scan */
    bool synthetic;   /* text was rebuilt (not in s->text): report at base */
} shell_ctx;

static void scan_shell(scanner *s, size_t off, size_t len)
{
    shell_ctx sc = {s, off, s->text + off, false};
    wt_shell_scan(s->text + off, len, shell_fact_cb, &sc);
}

/* The command of os.system("...") / subprocess.run("..." | [...]): a
 * literal string is shell text; a list of literals is rebuilt as argv
 * words (sys.executable counts as "python"). */
static void scan_command_arg(scanner *s, call *c)
{
    if (!c->parsed) {
        c->nargs = parse_args(s, c->open, c->args, &c->has_star);
        c->parsed = true;
    }
    const arg *g = NULL;
    for (int i = 0; i < c->nargs && !g; i++)
        if (c->args[i].kwtok < 0 || tok_is(s, c->args[i].kwtok, "args") || tok_is(s, c->args[i].kwtok, "cmd"))
            g = &c->args[i];
    if (!g || g->b <= g->a)
        return;
    const tok *t0 = &s->t[g->a];
    if (g->b - g->a == 1 && t0->type == T_STR && !(t0->flags & F_FEXPR)) {
        scan_shell(s, t0->off + t0->qoff, t0->qlen);
        return;
    }
    if (!(op_is(s, g->a, '[') || op_is(s, g->a, '(')) || t0->match != g->b - 1)
        return;
    char buf[1024];
    size_t n = 0;
    for (int i = g->a + 1; i < g->b - 1; i++) {
        const tok *t = &s->t[i];
        if (op_is(s, i, ','))
            continue;
        const char *w = "?";
        size_t wl = 1;
        if (t->type == T_STR && !(t->flags & F_FEXPR)) {
            w = s->text + t->off + t->qoff;
            wl = t->qlen;
        } else if (name_is(s, i, "sys") && op_is(s, i + 1, '.') && name_is(s, i + 2, "executable")) {
            w = "python";
            wl = 6;
            i += 2;
        } else {
            /* skip the rest of this element */
            while (i + 1 < g->b - 1 && !op_is(s, i + 1, ',')) {
                if (s->t[i + 1].match > i + 1)
                    i = s->t[i + 1].match - 1;
                i++;
            }
        }
        bool quote = memchr(w, ' ', wl) != NULL;
        if (n + wl + 4 >= sizeof buf)
            break;
        if (n)
            buf[n++] = ' ';
        if (quote)
            buf[n++] = '\'';
        memcpy(buf + n, w, wl);
        n += wl;
        if (quote)
            buf[n++] = '\'';
    }
    shell_ctx sc = {s, t0->off, buf, true};
    wt_shell_scan(buf, n, shell_fact_cb, &sc);
}

static bool get_ipython_recv(scanner *s, int a)
{
    return a >= 4 && name_is(s, a - 4, "get_ipython") && op_is(s, a - 3, '(') && op_is(s, a - 2, ')');
}

/* get_ipython().run_line_magic('pip', 'install x') and
 * get_ipython().run_cell_magic('bash', '', 'script'), as nbconvert writes them */
static bool is_ipython_magic_call(scanner *s, const char *name, int a)
{
    return (strcmp(name, "?.run_line_magic") == 0 || strcmp(name, "?.run_cell_magic") == 0) && get_ipython_recv(s, a);
}

static const tok *literal_arg(scanner *s, const call *c, int pos)
{
    int p = 0;
    for (int i = 0; i < c->nargs; i++) {
        const arg *g = &c->args[i];
        if (g->kwtok >= 0)
            continue;
        if (p++ != pos)
            continue;
        const tok *t = &s->t[g->a];
        return g->b - g->a == 1 && t->type == T_STR && !(t->flags & F_FEXPR) ? t : NULL;
    }
    return NULL;
}

static void scan_magic_call(scanner *s, call *c)
{
    if (!c->parsed) {
        c->nargs = parse_args(s, c->open, c->args, &c->has_star);
        c->parsed = true;
    }
    const tok *m = literal_arg(s, c, 0);
    if (!m)
        return;
    const char *mn = s->text + m->off + m->qoff;
    size_t ml = m->qlen;
    bool line = tok_is(s, c->open - 1, "run_line_magic");
    if (line) {
        const tok *a = literal_arg(s, c, 1);
        if (!a)
            return;
        if (ml == 3 && memcmp(mn, "pip", 3) == 0) {
            /* rebuild "pip <args>" and report at the call */
            char buf[1024];
            size_t al = a->qlen < sizeof buf - 5 ? a->qlen : sizeof buf - 5;
            memcpy(buf, "pip ", 4);
            memcpy(buf + 4, s->text + a->off + a->qoff, al);
            shell_ctx sc = {s, s->t[c->open].off, buf, true};
            wt_shell_scan(buf, 4 + al, shell_fact_cb, &sc);
        } else if ((ml == 6 && memcmp(mn, "system", 6) == 0) || (ml == 2 && memcmp(mn, "sx", 2) == 0)) {
            scan_shell(s, a->off + a->qoff, a->qlen);
        }
        return;
    }
    const tok *body = literal_arg(s, c, 2);
    if (!body || !((ml == 4 && memcmp(mn, "bash", 4) == 0) || (ml == 2 && memcmp(mn, "sh", 2) == 0)))
        return;
    /* the cell body is a Python string: decode \n, \t, \\, \' and \" first */
    const char *p = s->text + body->off + body->qoff;
    size_t n = body->qlen, o = 0;
    char *buf = wt_xmalloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\\' && i + 1 < n) {
            char e = p[++i];
            buf[o++] = e == 'n' ? '\n' : e == 't' ? '\t' : e;
        } else {
            buf[o++] = p[i];
        }
    }
    shell_ctx sc = {s, s->t[c->open].off, buf, true};
    wt_shell_scan(buf, o, shell_fact_cb, &sc);
    free(buf);
}

static bool is_command_call(scanner *s, const char *name, int a)
{
    if (strncmp(name, "os.", 3) == 0)
        return strcmp(name + 3, "system") == 0 || strcmp(name + 3, "popen") == 0;
    if (strncmp(name, "subprocess.", 11) == 0)
        return true;
    /* get_ipython().system("...") in scripts exported from notebooks */
    return strcmp(name, "?.system") == 0 && get_ipython_recv(s, a);
}

static void describe_pipe(const char *p, size_t n, char *ev, size_t cap)
{
    const char *fetch = "download";
    for (size_t i = 0; i + 4 <= n; i++) {
        if (memcmp(p + i, "curl", 4) == 0) {
            fetch = "curl";
            break;
        }
        if (memcmp(p + i, "wget", 4) == 0) {
            fetch = "wget";
            break;
        }
    }
    /* the interpreter: first word after the last '|' (or the command word) */
    size_t k = n;
    while (k > 0 && p[k - 1] != '|')
        k--;
    if (k == 0) {
        size_t w = 0;
        while (w < n && (p[w] == ' ' || p[w] == '\t'))
            w++;
        k = w;
    }
    while (k < n && (p[k] == ' ' || p[k] == '\t'))
        k++;
    if (k + 5 <= n && memcmp(p + k, "sudo ", 5) == 0) {
        k += 5;
        while (k < n && (p[k] == ' ' || p[k] == '\t'))
            k++;
    }
    size_t e = k;
    while (e < n && ((p[e] >= 'a' && p[e] <= 'z') || (p[e] >= '0' && p[e] <= '9') || p[e] == '/' || p[e] == '.'))
        e++;
    size_t b = e;
    while (b > k && p[b - 1] != '/')
        b--;
    snprintf(ev, cap, "%s ... | %.*s", fetch, (int)(e - b > 16 ? 16 : e - b), p + b);
}

static void shell_fact_cb(void *ud, wt_shell_fact what, size_t off, size_t len)
{
    shell_ctx *sc = ud;
    scanner *s = sc->s;
    if (what == WT_SHELL_PIP_INSTALL) {
        wt_code_hit h = {WT_CODE_HIT_PIP, NULL, WT_SEV_NONE, NULL, NULL, sc->base + off, len, NULL, 0};
        if (sc->synthetic) {
            h.off = sc->base;
            h.len = 1;
            h.args = sc->text + off;
            h.args_len = len;
        }
        hit(s, &h);
        return;
    }
    const key_slot *k = key_find("P:", "", 0, false);
    if (!k)
        return;
    for (int i = 0; i < k->n; i++) {
        const row *r = &g_rows[k->rows[i]];
        char note[8];
        if (!eval_row(s, r, NULL, note, sizeof note))
            continue;
        char ev[80];
        describe_pipe(sc->text + off, len, ev, sizeof ev);
        wt_code_hit h = {WT_CODE_HIT_RULE, r->rule_id, r->sev, r->msg, ev, sc->base + off, len, NULL, 0};
        if (sc->synthetic) {
            h.off = sc->base;
            h.len = 1;
        }
        hit(s, &h);
        break;
    }
}

/* one magic line at [i, eol); returns true if it was a magic */
static bool magic_line(scanner *s, size_t i, size_t *eolp)
{
    const char *x = s->text;
    size_t eol = i;
    while (eol < s->len && x[eol] != '\n')
        eol++;
    size_t j = i;
    while (j < eol && (x[j] == ' ' || x[j] == '\t'))
        j++;
    if (j >= eol)
        return false;
    char c = x[j];
    if (c != '!' && c != '%') /* `x = !cmd` is handled by the tokenizer */
        return false;
    wt_magic_info mi;
    if (wt_magics_classify_line(x + i, eol - i, &mi) == WT_MAGIC_NONE)
        return false;
    /* magics continue over trailing backslashes */
    while (eol < s->len) {
        size_t t = eol;
        while (t > i && (x[t - 1] == ' ' || x[t - 1] == '\r'))
            t--;
        if (!(t > i && x[t - 1] == '\\'))
            break;
        size_t n = eol + 1;
        while (n < s->len && x[n] != '\n')
            n++;
        eol = n;
    }
    *eolp = eol;
    if (mi.kind == WT_MAGIC_SHELL || mi.kind == WT_MAGIC_PIP) {
        size_t off = i + mi.cmd_off;
        scan_shell(s, off, eol - off);
    }
    return true;
}

/* `name = !cmd` / `name = %sx cmd`: the escape at bang, line starting at ls */
static bool magic_assignment(scanner *s, size_t ls, size_t bang, size_t *eolp)
{
    const char *x = s->text;
    size_t eol = bang;
    while (eol < s->len && x[eol] != '\n')
        eol++;
    wt_magic_info mi;
    if (wt_magics_classify_line(x + ls, eol - ls, &mi) != WT_MAGIC_SHELL)
        return false;
    while (eol < s->len) { /* trailing backslashes continue the command */
        size_t t = eol;
        while (t > ls && (x[t - 1] == ' ' || x[t - 1] == '\r'))
            t--;
        if (!(t > ls && x[t - 1] == '\\'))
            break;
        size_t n = eol + 1;
        while (n < s->len && x[n] != '\n')
            n++;
        eol = n;
    }
    *eolp = eol;
    size_t off = ls + mi.cmd_off;
    scan_shell(s, off, eol - off);
    s->nt = 0; /* the assignment target is not a statement of its own */
    return true;
}

static void scan_python(scanner *s, size_t from)
{
    const char *x = s->text;
    size_t len = s->len;
    size_t i = from;
    int bstack[MAX_BRACKETS];
    int bdepth = 0;
    bool line_start = true;
    size_t cur_ls = from; /* start of the current physical line */
    while (i < len) {
        unsigned char c = (unsigned char)x[i];
        if (line_start) {
            line_start = false;
            cur_ls = i;
            size_t eol;
            if (bdepth == 0 && s->nt == 0 && magic_line(s, i, &eol)) {
                i = eol;
                continue;
            }
        }
        if (c == '\n') {
            if (bdepth == 0)
                end_statement(s, bstack, &bdepth);
            line_start = true;
            i++;
            continue;
        }
        if (cc_tab[c] & CC_SP) {
            i++;
            while (i < len && (cc_tab[(unsigned char)x[i]] & CC_SP))
                i++;
            continue;
        }
        if (c == '#') {
            const char *nl = memchr(x + i, '\n', len - i);
            i = nl ? (size_t)(nl - x) : len;
            continue;
        }
        if (c == '\\') {
            i += (i + 1 < len && x[i + 1] == '\r') ? 3 : 2; /* line continuation */
            continue;
        }
        if (c == '"' || c == '\'') {
            i = scan_string(s, i, i, false);
            continue;
        }
        if (ident_start(c)) {
            size_t a = i;
            while (i < len && ident_char((unsigned char)x[i]))
                i++;
            bool raw, fstr;
            if (i < len && (x[i] == '"' || x[i] == '\'') && string_prefix(x + a, i - a, &raw, &fstr)) {
                i = scan_string(s, a, i, fstr);
                continue;
            }
            push_tok(s, a, i - a, T_NAME, 0);
            continue;
        }
        if ((c >= '0' && c <= '9') || (c == '.' && i + 1 < len && x[i + 1] >= '0' && x[i + 1] <= '9')) {
            size_t a = i;
            while (i < len && (ident_char((unsigned char)x[i]) || x[i] == '.'))
                i++;
            push_tok(s, a, i - a, T_NUM, 0);
            continue;
        }
        /* `x = !cmd`, `x = %sx cmd`: the rest of the line is shell */
        if (bdepth == 0 && ((c == '!' && !(i + 1 < len && x[i + 1] == '=')) ||
                            (c == '%' && s->nt > 0 && op_is(s, s->nt - 1, '=')))) {
            size_t ls = cur_ls;
            size_t eol;
            bool tried = s->magic_line_checked == ls + 1;
            s->magic_line_checked = ls + 1;
            if (!tried && magic_assignment(s, ls, i, &eol)) {
                i = eol;
                continue;
            }
        }
        /* operators */
        size_t ol = 1;
        if (i + 1 < len) {
            char d = x[i + 1];
            if (d == '=' && (c == '=' || c == '!' || c == '<' || c == '>' || c == ':' || c == '+' || c == '-' ||
                             c == '*' || c == '/' || c == '%' || c == '&' || c == '|' || c == '^' || c == '@'))
                ol = 2;
            else if ((c == '*' && d == '*') || (c == '/' && d == '/') || (c == '-' && d == '>') ||
                     (c == '<' && d == '<') || (c == '>' && d == '>'))
                ol = 2;
        }
        if (c == ';' && bdepth == 0) {
            end_statement(s, bstack, &bdepth);
            i++;
            continue;
        }
        push_tok(s, i, ol, T_OP, 0);
        if (ol == 1 && (c == '(' || c == '[' || c == '{')) {
            if (bdepth < MAX_BRACKETS)
                bstack[bdepth] = s->nt - 1;
            bdepth++;
        } else if (ol == 1 && (c == ')' || c == ']' || c == '}')) {
            if (bdepth > 0) {
                bdepth--;
                if (bdepth < MAX_BRACKETS) {
                    int o = bstack[bdepth];
                    if (o < s->nt - 1) {
                        s->t[o].match = s->nt - 1;
                        s->t[s->nt - 1].match = o;
                    }
                }
            }
        }
        i += ol;
    }
    end_statement(s, bstack, &bdepth);
}

/* RUN ["pip", "install", "x"] (exec form): rebuild the argv as words;
 * RUN ["sh", "-c", "script"] runs the script through a shell */
static void docker_exec_form(scanner *s, size_t off, size_t len)
{
    const char *p = s->text + off;
    char *buf = wt_xmalloc(len + 1);
    size_t n = 0, i = 1, argc = 0;
    size_t arg_start[3] = {0, 0, 0}, arg_len[3] = {0, 0, 0};
    while (i < len) {
        while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == ',' || p[i] == '\\' || p[i] == '\n' || p[i] == '\r'))
            i++;
        if (i >= len || p[i] != '"')
            break;
        i++;
        if (n)
            buf[n++] = ' ';
        size_t a = n;
        while (i < len && p[i] != '"') {
            if (p[i] == '\\' && i + 1 < len) {
                i++;
                buf[n++] = p[i] == 'n' ? '\n' : p[i] == 't' ? '\t' : p[i];
            } else {
                buf[n++] = p[i];
            }
            i++;
        }
        i++;
        if (argc < 3) {
            arg_start[argc] = a;
            arg_len[argc] = n - a;
        }
        argc++;
    }
    shell_ctx sc = {s, off, buf, true};
    if (argc >= 3 && arg_len[1] == 2 && memcmp(buf + arg_start[1], "-c", 2) == 0) {
        sc.text = buf + arg_start[2]; /* fact offsets are relative to the script */
        wt_shell_scan(sc.text, arg_len[2], shell_fact_cb, &sc);
    } else {
        wt_shell_scan(buf, n, shell_fact_cb, &sc);
    }
    free(buf);
}

static void docker_span(void *ud, size_t off, size_t len)
{
    scanner *s = ud;
    if (len > 0 && s->text[off] == '[') {
        docker_exec_form(s, off, len);
        return;
    }
    scan_shell(s, off, len);
}

size_t wt_code_scan_text(const char *text, size_t len, const char *kind, wt_code_hit_fn fn, void *ud)
{
    if (!text || !kind)
        return 0;
    bool py = strcmp(kind, "python") == 0, sh = strcmp(kind, "shell") == 0,
         docker = strcmp(kind, "dockerfile") == 0;
    if (!py && !sh && !docker)
        return 0;
    wt_code_rules_load(NULL);
    scanner s;
    memset(&s, 0, sizeof s);
    s.text = text;
    s.len = len;
    s.fn = fn;
    s.ud = ud;
    code_scope *own = NULL;
    s.scope = tls_scope;
    if (!s.scope)
        s.scope = own = scope_new();
    if (py) {
        size_t body = 0;
        switch (wt_magics_cell_kind(text, len, &body)) {
        case WT_CELL_PYTHON:
            scan_python(&s, body);
            break;
        case WT_CELL_SHELL:
            scan_shell(&s, body, len - body);
            break;
        case WT_CELL_OTHER:
            break;
        }
    } else if (sh) {
        /* a shell cell (%%bash) keeps its magic line: skip it */
        size_t body = 0;
        if (wt_magics_cell_kind(text, len, &body) == WT_CELL_PYTHON)
            body = 0;
        scan_shell(&s, body, len - body);
    } else {
        wt_dockerfile_run_spans(text, len, docker_span, &s);
    }
    if (s.dropped && fn) {
        wt_code_hit h = {WT_CODE_HIT_LIMIT, NULL, WT_SEV_NONE, NULL, NULL, s.hits, s.dropped, NULL, 0};
        fn(ud, &h);
    }
    free(s.t);
    scope_free(own);
    return s.hits;
}

/* ------------------------------------------------------------------ */
/* the "code" text detector                                            */

typedef struct det_ctx {
    wt_ctx *ctx;
    const char *text;
    size_t len;
    const wt_text_origin *o;
    size_t cur_ls, cur_line; /* a line start before the last hit, and its 0-based line */
    bool have_last;          /* last location computed, for hits further on the same line */
    size_t last_off;
    wt_location last;
    size_t clean_ls;         /* 1 + start of a line known to carry no ignore marker */
} det_ctx;

/* wt_text_location counts lines from the start of the text; hits come in
 * text order, so locate them from the last known line start (linear in
 * total instead of quadratic on files with many findings) */
static wt_location locate(det_ctx *d, size_t off)
{
    if (d->o->offset_map || off > d->len)
        return wt_text_location(d->text, d->len, off, d->o);
    if (d->have_last && off >= d->last_off && !memchr(d->text + d->last_off, '\n', off - d->last_off)) {
        /* further on the same line: advance the column only */
        wt_location l = d->last;
        for (size_t k = d->last_off; k < off; k++)
            l.column += ((unsigned char)d->text[k] & 0xc0) != 0x80;
        l.offset += off - d->last_off;
        l.end_column = 0;
        d->last = l;
        d->last_off = off;
        return l;
    }
    if (off < d->cur_ls) {
        d->cur_ls = 0;
        d->cur_line = 0;
    }
    for (;;) {
        const char *nl = memchr(d->text + d->cur_ls, '\n', off - d->cur_ls);
        if (!nl)
            break;
        d->cur_ls = (size_t)(nl - d->text) + 1;
        d->cur_line++;
    }
    wt_text_origin o2 = *d->o;
    o2.line_base = (d->o->line_base ? d->o->line_base : 1) + (uint32_t)d->cur_line;
    if (o2.raw_lines && o2.nraw_lines) {
        size_t k = d->cur_line < o2.nraw_lines ? d->cur_line : o2.nraw_lines - 1;
        o2.raw_lines += k;
        o2.nraw_lines -= k;
    }
    wt_location l = wt_text_location(d->text + d->cur_ls, d->len - d->cur_ls, off - d->cur_ls, &o2);
    l.offset += d->cur_ls;
    if (l.cell >= 0)
        l.cell_line += (uint32_t)d->cur_line;
    d->have_last = true;
    d->last_off = off;
    d->last = l;
    return l;
}

/* wt_text_line_ignored, skipped for lines already known to be clean (a
 * minified one-line file with many hits would otherwise rescan its line) */
static bool ignored(det_ctx *d, size_t off, const char *rule)
{
    if (off > d->len)
        off = d->len;
    size_t ls = off;
    if (d->cur_ls <= off && !memchr(d->text + d->cur_ls, '\n', off - d->cur_ls))
        ls = d->cur_ls;
    else
        while (ls > 0 && d->text[ls - 1] != '\n')
            ls--;
    if (d->clean_ls == ls + 1)
        return false;
    bool ign = wt_text_line_ignored(d->text, d->len, off, rule);
    if (!ign) {
        /* clean for every rule if no marker word is on this line or the one above */
        size_t ps = ls;
        if (ps > 0) {
            ps--;
            while (ps > 0 && d->text[ps - 1] != '\n')
                ps--;
        }
        const char *e = memchr(d->text + off, '\n', d->len - off);
        size_t n = (e ? (size_t)(e - d->text) : d->len) - ps;
        static const char *const words[] = {"watchtower:ignore", "allowlist", "gitleaks:allow", "noqa", NULL};
        bool any = false;
        for (int k = 0; words[k] && !any; k++)
            any = memmem(d->text + ps, n, words[k], strlen(words[k])) != NULL;
        if (!any)
            d->clean_ls = ls + 1;
    }
    return ign;
}

static void det_hit(void *ud, const wt_code_hit *h)
{
    det_ctx *d = ud;
    if (h->kind == WT_CODE_HIT_LIMIT) {
        wt_emit_limit(d->ctx, "unsafe-code findings in one text", (uint64_t)(h->off + h->len), h->off);
        return;
    }
    wt_location loc = locate(d, h->off);
    if (h->kind == WT_CODE_HIT_PIP) {
        if (h->args)
            wt_check_pip_install(d->ctx, h->args, h->args_len, &loc);
        else
            wt_check_pip_install(d->ctx, d->text + h->off, h->len, &loc);
    } else if (!ignored(d, h->off, h->rule_id)) {
        /* end column when the span stays on its line (counted in characters) */
        if (h->len <= 4096 && h->off + h->len <= d->len && !memchr(d->text + h->off, '\n', h->len)) {
            uint32_t chars = 0;
            for (size_t k = h->off; k < h->off + h->len; k++)
                chars += ((unsigned char)d->text[k] & 0xc0) != 0x80;
            loc.end_column = loc.column + chars;
        }
        wt_finding *f = wt_emit(d->ctx, h->rule_id, h->severity, &loc, h->evidence, "%s", h->message);
        if (f)
            f->confidence = h->severity >= WT_SEV_HIGH ? 0.9 : 0.7;
    }
}

static void code_detect(wt_ctx *ctx, const char *text, size_t len, const wt_text_origin *o)
{
    if (!o || !o->kind)
        return;
    const char *err = NULL;
    if (wt_code_rules_load(&err) < 0 && err)
        wt_ctx_note(ctx, "unsafe-code rules: %s", err);
    det_ctx d;
    memset(&d, 0, sizeof d);
    d.ctx = ctx;
    d.text = text;
    d.len = len;
    d.o = o;
    wt_code_scan_text(text, len, o->kind, det_hit, &d);
}

const wt_text_detector wt_code_detector = {"code", code_detect};
