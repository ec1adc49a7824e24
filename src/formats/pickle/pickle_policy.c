/*
 * pickle_policy.c - load rules/pickle_globals.tsv and judge globals.
 * See pickle_policy.h for the matching semantics and docs/rules-pickle.md
 * for the table format.
 */
#include "formats/pickle/pickle_policy.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/embedded.h"
#include "core/util.h"

typedef struct pk_row {
    char *module;        /* "os", "asyncio", "torch._utils" */
    size_t mlen;
    char **names;        /* NULL = '*' (whole module) */
    size_t nnames;
    pk_level level;
    pk_sem sem;
    char *reason;
} pk_row;

static pk_row *g_rows;
static size_t g_nrows;

/* rules/pickle_compat.tsv: Python 2 names pickle's fix_imports rewrites */
typedef struct pk_compat {
    bool whole_module; /* module row (prefix) vs one name */
    char *from, *to;   /* "thread" -> "_thread"; "__builtin__.reduce" -> "functools.reduce" */
    size_t flen;
} pk_compat;
static pk_compat *g_compat;
static size_t g_ncompat;
static char *g_err;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static const struct { const char *name; pk_level lvl; } k_levels[] = {
    {"allow", PK_LVL_ALLOW}, {"low", PK_LVL_LOW}, {"medium", PK_LVL_MEDIUM},
    {"high", PK_LVL_HIGH}, {"critical", PK_LVL_CRITICAL},
};
static const struct { const char *name; pk_sem sem; } k_sems[] = {
    {"-", PK_SEM_NONE}, {"getattr", PK_SEM_GETATTR}, {"attrgetter", PK_SEM_ATTRGETTER},
    {"methodcaller", PK_SEM_METHODCALLER}, {"partial", PK_SEM_PARTIAL}, {"reduce", PK_SEM_REDUCE},
    {"call", PK_SEM_CALL}, {"import", PK_SEM_IMPORT}, {"resolve", PK_SEM_RESOLVE}, {"resolve2", PK_SEM_RESOLVE2},
    {"getitem", PK_SEM_GETITEM}, {"loads", PK_SEM_LOADS}, {"passbytes", PK_SEM_PASSBYTES},
    {"encode", PK_SEM_ENCODE}, {"b64decode", PK_SEM_B64DECODE},
};

const char *pk_level_name(pk_level l) {
    for (size_t i = 0; i < sizeof k_levels / sizeof k_levels[0]; i++)
        if (k_levels[i].lvl == l) return k_levels[i].name;
    return "?";
}

wt_severity pk_level_severity(pk_level l) {
    switch (l) {
    case PK_LVL_LOW: return WT_SEV_LOW;
    case PK_LVL_MEDIUM: return WT_SEV_MEDIUM;
    case PK_LVL_HIGH: return WT_SEV_HIGH;
    case PK_LVL_CRITICAL: return WT_SEV_CRITICAL;
    default: return WT_SEV_NONE;
    }
}

/* Split s on sep into a malloc'd array of trimmed strdup'd fields. */
static char **split_list(const char *s, char sep, size_t *n) {
    wt_vec v = {0};
    const char *p = s;
    while (*p) {
        const char *e = strchr(p, sep);
        size_t len = e ? (size_t)(e - p) : strlen(p);
        while (len && (*p == ' ')) { p++; len--; }
        while (len && p[len - 1] == ' ') len--;
        if (len) wt_vec_push(&v, wt_xstrndup(p, len));
        if (!e) break;
        p = e + 1;
    }
    *n = v.len;
    return (char **)v.items;
}

static void add_row(const char *module, char **names, size_t nnames, pk_level lvl, pk_sem sem,
                    const char *reason) {
    g_rows = wt_xrealloc(g_rows, (g_nrows + 1) * sizeof *g_rows);
    pk_row *r = &g_rows[g_nrows++];
    r->module = wt_xstrdup(module);
    r->mlen = strlen(module);
    r->names = names;
    r->nnames = nnames;
    r->level = lvl;
    r->sem = sem;
    r->reason = wt_xstrdup(reason);
}

static void load_table(void) {
    size_t len = 0;
    const char *text = wt_rules_text("pickle_globals.tsv", &len);
    if (!text) {
        g_err = wt_xstrdup("rule table pickle_globals.tsv not found");
        return;
    }
    const char *p = text, *end = text + len;
    unsigned lineno = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char *line = wt_xstrndup(p, ll);
        p = nl ? nl + 1 : end;
        lineno++;
        if (ll && line[ll - 1] == '\r') line[--ll] = 0;
        if (!ll || line[0] == '#') { free(line); continue; }
        char *cols[5] = {0};
        int nc = 0;
        char *s = line;
        while (nc < 5) {
            cols[nc++] = s;
            char *t = strchr(s, '\t');
            if (!t) break;
            *t = 0;
            s = t + 1;
            if (nc == 4) { cols[nc++] = s; break; } /* reason may contain tabs */
        }
        if (nc < 5) {
            if (!g_err) g_err = wt_xasprintf("pickle_globals.tsv:%u: expected 5 tab-separated columns", lineno);
            free(line);
            continue;
        }
        int lvl = -1, sem = -1;
        for (size_t i = 0; i < sizeof k_levels / sizeof k_levels[0]; i++)
            if (strcmp(cols[2], k_levels[i].name) == 0) lvl = (int)k_levels[i].lvl;
        for (size_t i = 0; i < sizeof k_sems / sizeof k_sems[0]; i++)
            if (strcmp(cols[3], k_sems[i].name) == 0) sem = (int)k_sems[i].sem;
        if (lvl < 0 || sem < 0) {
            if (!g_err) g_err = wt_xasprintf("pickle_globals.tsv:%u: bad severity or semantic", lineno);
            free(line);
            continue;
        }
        size_t nmods = 0;
        char **mods = split_list(cols[0], ',', &nmods);
        for (size_t m = 0; m < nmods; m++) {
            size_t nn = 0;
            char **names = NULL;
            if (strcmp(cols[1], "*") != 0) names = split_list(cols[1], ',', &nn);
            add_row(mods[m], names, nn, (pk_level)lvl, (pk_sem)sem, cols[4]);
            free(mods[m]);
        }
        free(mods);
        free(line);
    }
}

static void load_compat(void) {
    size_t len = 0;
    const char *text = wt_rules_text("pickle_compat.tsv", &len);
    if (!text) return; /* optional table: without it names are judged as written */
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char *line = wt_xstrndup(p, ll);
        p = nl ? nl + 1 : end;
        if (ll && line[ll - 1] == '\r') line[--ll] = 0;
        char *t1 = ll && line[0] != '#' ? strchr(line, '\t') : NULL;
        char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (t1 && t2) {
            *t1 = 0;
            *t2 = 0;
            bool mod = strcmp(line, "module") == 0;
            if (mod || strcmp(line, "name") == 0) {
                g_compat = wt_xrealloc(g_compat, (g_ncompat + 1) * sizeof *g_compat);
                pk_compat *c = &g_compat[g_ncompat++];
                c->whole_module = mod;
                c->from = wt_xstrdup(t1 + 1);
                c->to = wt_xstrdup(t2 + 1);
                c->flen = strlen(c->from);
            }
        }
        free(line);
    }
}

/* Rows bucketed by the first component of their module ("os" for
 * "os.path"), so judging a global looks at a handful of rows. */
#define PK_BUCKETS 512
static size_t *g_bucket[PK_BUCKETS];
static size_t g_nbucket[PK_BUCKETS];

static uint32_t first_hash(const char *s) {
    uint32_t h = 2166136261u;
    for (; *s && *s != '.'; s++) h = (h ^ (uint8_t)*s) * 16777619u;
    return h % PK_BUCKETS;
}

static void load_and_index(void) {
    load_table();
    load_compat();
    for (size_t i = 0; i < g_nrows; i++) {
        uint32_t b = first_hash(g_rows[i].module);
        g_bucket[b] = wt_xrealloc(g_bucket[b], (g_nbucket[b] + 1) * sizeof *g_bucket[b]);
        g_bucket[b][g_nbucket[b]++] = i;
    }
}

static void ensure_loaded(void) { pthread_once(&g_once, load_and_index); }

const char *pk_policy_error(void) { ensure_loaded(); return g_err; }
size_t pk_policy_rows(void) { ensure_loaded(); return g_nrows; }

/* entry matches name if equal, or name continues with '.' after it, or the
 * entry ends with '*' and is a prefix of name's first component(s). */
static bool name_matches(const char *entry, const char *name, bool chain) {
    size_t el = strlen(entry);
    /* `Class.*`: one attribute of the class (the members of an enum), no deeper walk */
    if (el >= 2 && entry[el - 2] == '.' && entry[el - 1] == '*')
        return strncmp(entry, name, el - 1) == 0 && name[el - 1] && !strchr(name + el - 1, '.');
    if (el && entry[el - 1] == '*') return strncmp(entry, name, el - 1) == 0;
    if (strncmp(entry, name, el) != 0) return false;
    return name[el] == 0 || (chain && name[el] == '.');
}

static bool module_matches(const pk_row *r, const char *module) {
    if (strncmp(r->module, module, r->mlen) != 0) return false;
    return module[r->mlen] == 0 || module[r->mlen] == '.';
}

void pk_policy_eval(const char *module, const char *name, pk_verdict *out) {
    ensure_loaded();
    const pk_row *best = NULL;
    size_t best_spec = 0;
    uint32_t b = first_hash(module);
    for (size_t bi = 0; bi < g_nbucket[b]; bi++) {
        const pk_row *r = &g_rows[g_bucket[b][bi]];
        if (!module_matches(r, module)) continue;
        /* a module allowlisted with `*` vouches for what it defines (its classes and
         * functions), not for attribute walks through them: pandas.core.frame +
         * DataFrame.to_csv writes files, sklearn... + np.load loads pickles */
        if (!r->names && r->level == PK_LVL_ALLOW && strchr(name, '.')) continue;
        bool named = false;
        if (r->names) {
            for (size_t j = 0; j < r->nnames && !named; j++) named = name_matches(r->names[j], name, r->level >= PK_LVL_HIGH);
            if (!named) continue;
        }
        size_t spec = r->mlen * 2 + (named ? 1 : 0) + 1;
        if (!best || spec > best_spec || (spec == best_spec && r->level > best->level)) {
            best = r;
            best_spec = spec;
        }
    }
    if (best) {
        out->level = best->level;
        out->known = true;
        out->sem = best->sem;
        out->reason = best->reason;
        out->row_module = best->module;
    } else {
        out->level = PK_LVL_MEDIUM;
        out->known = false;
        out->sem = PK_SEM_NONE;
        out->reason = "not on the allowlist of globals used by known-good models";
        out->row_module = NULL;
    }
}

static bool is_dunder(const char *s, size_t n) {
    return n > 4 && s[0] == '_' && s[1] == '_' && s[n - 2] == '_' && s[n - 1] == '_';
}

static bool valid_ident_path(const char *s) {
    if (!*s) return false;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (!(c == '_' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c >= 0x80))
            return false;
    }
    return true;
}

#define PK_MAX_COMPONENTS 12

/* Does the dotted name have a component equal to comp? */
static bool has_component(const char *name, const char *comp) {
    size_t cl = strlen(comp);
    for (const char *p = name; (p = strstr(p, comp)) != NULL; p += cl)
        if ((p == name || p[-1] == '.') && (p[cl] == 0 || p[cl] == '.')) return true;
    return false;
}

static void judge_raw(const char *module, const char *name, pk_verdict *out) {
    pk_policy_eval(module, name, out);
    /* X.__builtins__ is the builtins namespace of any module or function: eval,
     * exec and __import__ are one subscript away (numpy + __builtins__ with
     * numpy.size's shape lookup, modelscan issue 330; gadget.__init__.__builtins__) */
    if (has_component(name, "__builtins__") && out->level < PK_LVL_CRITICAL) {
        out->level = PK_LVL_CRITICAL;
        out->known = true;
        out->sem = PK_SEM_NONE;
        out->reason = "reaches a __builtins__ namespace (eval, exec and __import__ are one lookup away)";
        return;
    }
    if (!valid_ident_path(module) || !valid_ident_path(name)) {
        if (out->level < PK_LVL_HIGH) {
            out->level = PK_LVL_HIGH;
            out->known = true;
            out->sem = PK_SEM_NONE;
            out->reason = "module or name is not a plain dotted identifier: crafted to confuse name-based checks";
        }
        return;
    }
    if (!strchr(name, '.')) {
        bool allowed = out->known && out->level == PK_LVL_ALLOW;
        if (is_dunder(name, strlen(name)) && out->level < PK_LVL_HIGH && !allowed) {
            out->level = PK_LVL_HIGH;
            out->known = true;
            out->reason = "dunder attribute imported directly: used to reach interpreter internals";
        } else if (strncmp(name, "__", 2) == 0 && strncmp(name, "__pyx_", 6) != 0 && !out->known) {
            /* private (name-mangled) helpers are not part of any pickling
             * protocol; Cython's __pyx_unpickle_* are */
            out->level = PK_LVL_HIGH;
            out->known = true;
            out->reason = "private double-underscore name imported from an unknown module";
        }
        return;
    }
    /* Dotted name: the unpickler walks it attribute by attribute. */
    const char *comp[PK_MAX_COMPONENTS];
    size_t clen[PK_MAX_COMPONENTS];
    size_t nc = 0;
    for (const char *p = name; *p && nc < PK_MAX_COMPONENTS;) {
        const char *d = strchr(p, '.');
        size_t l = d ? (size_t)(d - p) : strlen(p);
        comp[nc] = p;
        clen[nc++] = l;
        if (!d) break;
        p = d + 1;
    }
    char buf[512], buf2[512];
    pk_verdict v;
    size_t total = 1;
    for (const char *p = name; *p; p++) total += *p == '.';
    if (total > PK_MAX_COMPONENTS && out->level < PK_LVL_HIGH) {
        out->level = PK_LVL_HIGH;
        out->known = true;
        out->sem = PK_SEM_NONE;
        out->reason = "attribute chain longer than any real class path (hides where it leads)";
    }
    /* Prefixes of the chain: builtins + eval.__call__ is builtins.eval. */
    for (size_t j = 1; j < nc; j++) {
        size_t l = (size_t)(comp[j - 1] + clen[j - 1] - name);
        if (l >= sizeof buf) break;
        memcpy(buf, name, l);
        buf[l] = 0;
        pk_policy_eval(module, buf, &v);
        if (v.known && v.level >= PK_LVL_HIGH && v.level > out->level) *out = v;
    }
    /* Re-rooted chains: pathlib + os.system reaches os.system. The rest of
     * the chain is one name: deny rows cover attribute chains, so a.b.c is
     * judged as module a + name b.c and module a.b + name c. O(n^2) evals,
     * n <= PK_MAX_COMPONENTS. */
    for (size_t s = 0; s < nc; s++) {
        for (size_t e = s + 1; e < nc; e++) {
            size_t ml = (size_t)(comp[e - 1] + clen[e - 1] - comp[s]);
            size_t nl = (size_t)(comp[nc - 1] + clen[nc - 1] - comp[e]);
            if (ml >= sizeof buf || nl >= sizeof buf2) continue;
            memcpy(buf, comp[s], ml);
            buf[ml] = 0;
            memcpy(buf2, comp[e], nl);
            buf2[nl] = 0;
            pk_policy_eval(buf, buf2, &v);
            if (v.known && v.level >= PK_LVL_HIGH && v.level > out->level) *out = v;
        }
    }
    if (out->level < PK_LVL_HIGH) {
        for (size_t j = 0; j < nc; j++) {
            if (is_dunder(comp[j], clen[j])) {
                out->level = PK_LVL_HIGH;
                out->known = true;
                out->sem = PK_SEM_NONE;
                out->reason = "attribute walk through a dunder attribute (e.g. __globals__, __builtins__, __call__)";
                break;
            }
        }
    }
}

/* The global the loader really imports for a protocol 0-2 stream: pickle's
 * fix_imports maps Python 2 names (thread -> _thread, __builtin__.reduce ->
 * functools.reduce). Returns a malloc'd "module\0name" pair or NULL. */
static char *compat_target(const char *module, const char *name, const char **mname) {
    size_t ml = strlen(module);
    const char *dot = strchr(name, '.');
    size_t first = dot ? (size_t)(dot - name) : strlen(name);
    for (size_t i = 0; i < g_ncompat; i++) { /* one name first: it is more specific */
        const pk_compat *c = &g_compat[i];
        if (c->whole_module || c->flen != ml + 1 + first) continue;
        if (memcmp(c->from, module, ml) != 0 || c->from[ml] != '.' || memcmp(c->from + ml + 1, name, first) != 0)
            continue;
        const char *sep = strrchr(c->to, '.');
        if (!sep) continue;
        char *r = wt_xasprintf("%.*s%c%s%s", (int)(sep - c->to), c->to, 0, sep + 1, dot ? dot : "");
        *mname = r + (sep - c->to) + 1;
        return r;
    }
    const pk_compat *best = NULL;
    for (size_t i = 0; i < g_ncompat; i++) {
        const pk_compat *c = &g_compat[i];
        if (!c->whole_module || c->flen > ml || memcmp(c->from, module, c->flen) != 0) continue;
        if (module[c->flen] != 0 && module[c->flen] != '.') continue;
        if (!best || c->flen > best->flen) best = c;
    }
    if (!best) return NULL;
    char *r = wt_xasprintf("%s%s%c%s", best->to, module + best->flen, 0, name);
    *mname = r + strlen(best->to) + strlen(module + best->flen) + 1;
    return r;
}

void pk_policy_judge(const char *module, const char *name, pk_verdict *out) {
    judge_raw(module, name, out);
    const char *mname = NULL;
    char *alt = compat_target(module, name, &mname);
    if (!alt) return;
    pk_verdict v;
    judge_raw(alt, mname, &v);
    if (v.known && v.level > out->level) {
        *out = v;
    }
    free(alt);
}
