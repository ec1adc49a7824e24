/*
 * deps_analyzer.c - dependency files against OSV: a non-exclusive analyzer
 * for requirement, manifest and lock files, plus the
 * `pip install` hook used by the notebook analyzer.
 *
 * Shell scripts, Dockerfiles and notebooks reach the `pip install` hook
 * through the code detector and the notebook analyzer.
 *
 * One finding per (package, requirement line), aggregating its advisories;
 * severity = the highest advisory severity (possible matches count as
 * medium). The OSV index is opened once per scan (wt_ctx_scan_cache).
 */
#include <ctype.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/analyzer.h"
#include "core/embedded.h"
#include "core/util.h"
#include "deps/deps.h"
#include "deps/deps_check.h"
#include "deps/osv.h"

#define RULE_VULN "WT-DEP-001"
#define RULE_POSSIBLE "WT-DEP-002"
#define RULE_MALICIOUS "WT-DEP-003"
#define RULE_UNPINNED "WT-DEP-004"
#define RULE_TYPOSQUAT "WT-DEP-005"
#define RULE_UNAUDITABLE "WT-DEP-006"
#define RULE_MALFORMED "WT-DEP-007"

#define OWASP_ML06 "ML06:2023 AI Supply Chain Attacks"
#define ATLAS_SC "AML.T0010 ML Supply Chain Compromise"
#define MAX_DEP_FILE (16u << 20)
#define MAX_IDS_IN_MESSAGE 3

static const wt_rule deps_rules[] = {
    {RULE_VULN, "VulnerableDependency", WT_CAT_DEPENDENCY, WT_SEV_HIGH,
     "A dependency is pinned (or resolves) to a version with known vulnerabilities (OSV advisories).",
     "The advisory's own severity (CVSS base score, else the database's rating); high when the advisory "
     "gives none: the version that gets installed is known to be exploitable.",
     "CWE-1395", OWASP_ML06, ATLAS_SC, "MANAGE 2.3"},
    {RULE_POSSIBLE, "PossiblyVulnerableDependency", WT_CAT_DEPENDENCY, WT_SEV_MEDIUM,
     "A version range allows versions with known vulnerabilities, although the newest allowed version is fixed.",
     "Medium: pip installs the newest allowed version, but an existing environment, a lock file or another "
     "constraint can still select a vulnerable one.",
     "CWE-1395", OWASP_ML06, ATLAS_SC, "MANAGE 2.3"},
    {RULE_MALICIOUS, "MaliciousPackage", WT_CAT_DEPENDENCY, WT_SEV_CRITICAL,
     "A dependency names a package version known to be malicious (OSV MAL- or PyPA malicious-package records).",
     "Critical: installing it runs attacker code on the developer machine or in the training pipeline.",
     "CWE-506", OWASP_ML06, ATLAS_SC, "MANAGE 2.3"},
    {RULE_UNPINNED, "UnpinnedDependency", WT_CAT_DEPENDENCY, WT_SEV_LOW,
     "A requirement has no exact version pin and the project has no lock file.",
     "Low: builds are not reproducible and silently pick up new (possibly compromised) releases.",
     "CWE-1357", OWASP_ML06, ATLAS_SC, "MAP 4.1"},
    {RULE_TYPOSQUAT, "TyposquatSuspect", WT_CAT_DEPENDENCY, WT_SEV_LOW,
     "A package name is one edit away from a popular ML/Python package.",
     "Low: usually a typo or a legitimate look-alike, but typosquatting is a common way to ship malware; "
     "check the name.",
     "CWE-494", OWASP_ML06, ATLAS_SC, "MAP 4.1"},
    {RULE_UNAUDITABLE, "UnauditableDependency", WT_CAT_DEPENDENCY, WT_SEV_LOW,
     "A dependency is a direct URL, VCS reference, local path or variable, so its version cannot be checked.",
     "Low: nothing is known about what gets installed; it is reported so it is not mistaken for clean.",
     "CWE-1357", OWASP_ML06, ATLAS_SC, "MEASURE 2.7"},
    {RULE_MALFORMED, "MalformedDependencySpec", WT_CAT_DEPENDENCY, WT_SEV_LOW,
     "A dependency file has a line or entry the scanner (and likely pip) cannot read, or an include that was "
     "not followed.",
     "Low: the affected entries were not checked.",
     "CWE-20", OWASP_ML06, ATLAS_SC, "MEASURE 2.7"},
};

/* ------------------------------------------------------------ database */

typedef struct {
    wt_osv_db *db;
    char *path;
    char *err;
    long age_days;
} db_handle;

static void *db_create(const wt_scan_options *opt) {
    db_handle *h = wt_xcalloc(1, sizeof *h);
    h->path = opt && opt->osv_db ? wt_xstrdup(opt->osv_db) : wt_osv_default_path();
    h->db = wt_osv_open(h->path, &h->err);
    if (h->db) {
        int64_t ep = wt_osv_db_info(h->db)->imported_epoch;
        time_t now = time(NULL);
        h->age_days = ep > 0 && now > ep ? (long)((now - ep) / 86400) : 0;
    }
    return h;
}

static void db_destroy(void *p) {
    db_handle *h = p;
    if (!h) return;
    wt_osv_close(h->db);
    free(h->path);
    free(h->err);
    free(h);
}

static db_handle *get_db(wt_ctx *ctx) {
    db_handle *h = wt_ctx_scan_cache(ctx, "deps.osv", db_create, db_destroy);
    if (!h) return NULL;
    if (!h->db) {
        wt_ctx_note(ctx,
                    "Dependency vulnerability checks were skipped (%s): dependency files were not checked "
                    "against advisories and are not counted as clean. Run `watchtower db update` (or "
                    "`watchtower db update --from PyPI-all.zip`).",
                    h->err ? h->err : h->path);
        return NULL;
    }
    if (h->age_days > WT_OSV_STALE_DAYS) {
        const wt_osv_info *in = wt_osv_db_info(h->db);
        wt_ctx_note(ctx, "The OSV database is %ld days old (imported %s): run `watchtower db update` for current advisories.",
                    h->age_days, in->imported_at ? in->imported_at : "?");
    }
    return h;
}

/* ---------------------------------------------------------- typosquats */

static pthread_once_t pop_once = PTHREAD_ONCE_INIT;
static char **pop_names;   /* sorted PEP 503 names */
static size_t npop;
static char **pop_allow;   /* known legitimate look-alikes */
static size_t nallow;

static int cmp_strp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void load_popular(void) {
    size_t len = 0;
    const char *t = wt_rules_text("popular_packages.txt", &len);
    wt_vec names = {0}, allow = {0};
    const char *p = t, *end = t ? t + len : NULL;
    while (p && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *a = p, *b = le;
        while (a < b && isspace((unsigned char)*a)) a++;
        while (b > a && isspace((unsigned char)b[-1])) b--;
        if (a < b && *a != '#') {
            bool is_allow = *a == '!';
            if (is_allow) a++;
            if (a < b && (size_t)(b - a) < 128) wt_vec_push(is_allow ? &allow : &names, wt_pep503_name(a, (size_t)(b - a)));
        }
        p = le + 1;
    }
    /* qsort with a NULL base is UB even for 0 elements (empty table, --rules-dir) */
    if (names.len > 1) qsort(names.items, names.len, sizeof(char *), cmp_strp);
    if (allow.len > 1) qsort(allow.items, allow.len, sizeof(char *), cmp_strp);
    pop_names = (char **)names.items;
    npop = names.len;
    pop_allow = (char **)allow.items;
    nallow = allow.len;
}

/* Damerau-Levenshtein (optimal string alignment) distance == 1? */
static bool one_edit(const char *a, size_t la, const char *b, size_t lb) {
    if (la == lb) {
        size_t i = 0;
        while (i < la && a[i] == b[i]) i++;
        if (i == la) return false; /* equal */
        if (!strcmp(a + i + 1, b + i + 1)) return true; /* substitution */
        return i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] && !strcmp(a + i + 2, b + i + 2); /* swap */
    }
    if (la + 1 == lb) return one_edit(b, lb, a, la);
    if (la != lb + 1) return false;
    size_t i = 0;
    while (i < lb && a[i] == b[i]) i++;
    return !strcmp(a + i + 1, b + i); /* deletion from a */
}

const char *wt_deps_typosquat_of(const char *norm) {
    pthread_once(&pop_once, load_popular);
    if (!norm || !npop) return NULL;
    if (bsearch(&norm, pop_names, npop, sizeof(char *), cmp_strp)) return NULL;
    if (nallow && bsearch(&norm, pop_allow, nallow, sizeof(char *), cmp_strp)) return NULL;
    size_t ln = strlen(norm);
    if (ln < 4) return NULL;
    for (size_t i = 0; i < npop; i++) {
        size_t lp = strlen(pop_names[i]);
        if (lp < 5) continue; /* short names are one edit from too many real packages */
        if (one_edit(norm, ln, pop_names[i], lp)) return pop_names[i];
    }
    return NULL;
}

/* ------------------------------------------------------------- matching */

static bool allowed_version(const wt_dep *d, const wt_ver *v, bool pre) {
    return wt_specset_contains(&d->spec, v, pre);
}

void wt_dep_result_fini(wt_dep_result *r) {
    free(r->m);
    wt_ver_free(r->version);
    wt_ver_free(r->fixed_overall);
    memset(r, 0, sizeof *r);
}

static wt_ver *pinned_version(const wt_dep *d) {
    if (d->version) return wt_ver_parse_cstr(d->version);
    const wt_ver *p = wt_specset_pin(&d->spec);
    if (p) return wt_ver_parse_cstr(wt_ver_str(p));
    for (size_t i = 0; i < d->spec.n; i++)
        if (d->spec.items[i].op == WT_OP_ARB) return wt_ver_parse_cstr(d->spec.items[i].text);
    return NULL;
}

/* Lowest version above base (among fixed events and the known versions)
 * that none of the matched advisories affects. */
static wt_ver *overall_fix(const wt_osv_pkg *p, const wt_dep_match *m, size_t n, const wt_ver *base) {
    const wt_ver *best = NULL;
    bool base_pre = wt_ver_is_prerelease(base);
    /* every affected[] entry of a matched record counts, not only the
     * entries that matched base: a later range of the same record is not a fix */
    bool *rel = wt_xcalloc(p->nadvs + 1, sizeof(bool));
    for (size_t a = 0; a < p->nadvs; a++)
        for (size_t k = 0; k < n && !rel[a]; k++) rel[a] = !strcmp(p->advs[a].id, m[k].adv->id);
    for (size_t pass = 0; pass < 2; pass++) {
        /* pass 0: fixed events; pass 1: known versions */
        size_t count = pass == 0 ? n : p->nuniverse;
        for (size_t i = 0; i < count; i++) {
            size_t nr = pass == 0 ? m[i].adv->nranges : 1;
            for (size_t r = 0; r < nr; r++) {
                size_t ne = pass == 0 ? m[i].adv->ranges[r].n : 1;
                for (size_t e = 0; e < ne; e++) {
                    const wt_ver *c;
                    if (pass == 0) {
                        const wt_osv_event *ev = &m[i].adv->ranges[r].ev[e];
                        if (ev->type != 'f') continue;
                        c = ev->ver;
                    } else {
                        c = p->universe[i];
                    }
                    if (!wt_ver_valid(c) || wt_ver_cmp(c, base) <= 0) continue;
                    if (!base_pre && wt_ver_is_prerelease(c)) continue;
                    if (best && wt_ver_cmp(c, best) >= 0) continue;
                    char *key = wt_ver_key(c);
                    bool clean = true;
                    for (size_t k = 0; k < p->nadvs && clean; k++)
                        if (rel[k] && wt_osv_affects(&p->advs[k], c, key)) clean = false;
                    free(key);
                    if (clean) best = c;
                }
            }
        }
    }
    free(rel);
    return best ? wt_ver_parse_cstr(wt_ver_str(best)) : NULL;
}

/* Whether id appears in a comma-separated alias list. */
static bool in_csv(const char *csv, const char *id) {
    size_t n = strlen(id);
    for (const char *p = csv; p && *p;) {
        const char *c = strchr(p, ',');
        size_t l = c ? (size_t)(c - p) : strlen(p);
        if (l == n && !strncmp(p, id, n)) return true;
        p = c ? c + 1 : NULL;
    }
    return false;
}

/* Same vulnerability under two ids (a PYSEC and a GHSA record for one
 * CVE): either names the other, or they share an alias. Two affected[]
 * entries of one record for the same package (GitHub writes one per
 * vulnerable range) are one vulnerability too. */
static bool same_vuln(const wt_osv_adv *a, const wt_osv_adv *b) {
    if (!strcmp(a->id, b->id)) return true;
    if (in_csv(a->aliases, b->id) || in_csv(b->aliases, a->id)) return true;
    for (const char *p = a->aliases; p && *p;) {
        const char *c = strchr(p, ',');
        size_t l = c ? (size_t)(c - p) : strlen(p);
        char tmp[128];
        if (l && l < sizeof tmp) {
            memcpy(tmp, p, l);
            tmp[l] = 0;
            if (in_csv(b->aliases, tmp)) return true;
        }
        p = c ? c + 1 : NULL;
    }
    return false;
}

static void mark_duplicates(wt_dep_result *r) {
    r->ndistinct = 0;
    for (size_t i = 0; i < r->n; i++) {
        r->m[i].dup_of = -1;
        for (size_t j = 0; j < i; j++) {
            if (r->m[j].dup_of >= 0 || !same_vuln(r->m[i].adv, r->m[j].adv)) continue;
            r->m[i].dup_of = (int)j;
            /* the group keeps the worst status and severity */
            if (r->m[i].status > r->m[j].status) r->m[j].status = r->m[i].status;
            if (r->m[i].severity > r->m[j].severity) r->m[j].severity = r->m[i].severity;
            if (!r->m[j].fixed || (r->m[i].fixed && wt_ver_cmp(r->m[i].fixed, r->m[j].fixed) > 0))
                r->m[j].fixed = r->m[i].fixed;
            break;
        }
        if (r->m[i].dup_of < 0) r->ndistinct++;
    }
}

int wt_dep_match_pkg(const wt_osv_pkg *p, const wt_dep *d, wt_dep_result *out) {
    memset(out, 0, sizeof *out);
    if (!p || !p->nadvs) return 0;
    out->m = wt_xcalloc(p->nadvs, sizeof(wt_dep_match));
    wt_ver *pin = pinned_version(d);
    if (pin) {
        out->pinned = true;
        out->version = pin;
        char *key = wt_ver_key(pin);
        /* a local build (1.13.0+cu117) is its release's code: affected
         * when the release is (listed, or up to a last_affected 1.13.0) */
        char *pubkey = wt_ver_public_key(pin);
        wt_ver *pub = pubkey ? wt_ver_parse_cstr(pubkey) : NULL;
        for (size_t i = 0; i < p->nadvs; i++) {
            const wt_osv_adv *a = &p->advs[i];
            if (!wt_osv_affects(a, pin, key) && !(pub && wt_osv_affects(a, pub, pubkey))) continue;
            wt_dep_match *m = &out->m[out->n++];
            m->adv = a;
            m->status = WT_MATCH_AFFECTED;
            m->severity = a->malicious ? WT_SEV_CRITICAL : a->severity;
            m->fixed = wt_osv_fixed_above(p, a, pin);
        }
        free(key);
        free(pubkey);
        wt_ver_free(pub);
    } else {
        /* the versions the specifier allows, among those the data knows */
        const wt_ver **allowed = wt_xcalloc(p->nuniverse + 1, sizeof(wt_ver *));
        char **keys = wt_xcalloc(p->nuniverse + 1, sizeof(char *));
        size_t na = 0;
        for (int pre = 0; pre < 2 && na == 0; pre++)
            for (size_t i = 0; i < p->nuniverse; i++)
                if (allowed_version(d, p->universe[i], pre == 1)) allowed[na++] = p->universe[i];
        for (size_t i = 0; i < na; i++) keys[i] = wt_ver_key(allowed[i]);
        out->nallowed = na;
        const wt_ver *lowest_aff = NULL;
        for (size_t i = 0; i < p->nadvs && na; i++) {
            const wt_osv_adv *a = &p->advs[i];
            size_t naff = 0;
            const wt_ver *low = NULL;
            for (size_t k = 0; k < na; k++)
                if (wt_osv_affects(a, allowed[k], keys[k])) {
                    if (!low) low = allowed[k];
                    naff++;
                }
            if (!naff) continue;
            bool newest = wt_osv_affects(a, allowed[na - 1], keys[na - 1]);
            wt_dep_match *m = &out->m[out->n++];
            m->adv = a;
            m->status = newest ? WT_MATCH_AFFECTED : WT_MATCH_POSSIBLE;
            wt_severity s = a->malicious ? WT_SEV_CRITICAL : a->severity;
            m->severity = newest ? s : (s < WT_SEV_MEDIUM ? s : WT_SEV_MEDIUM);
            m->fixed = wt_osv_fixed_above(p, a, low);
            if (!lowest_aff || wt_ver_cmp(low, lowest_aff) < 0) lowest_aff = low;
        }
        if (na == 0) {
            /* no known version is allowed (or none is known, e.g. a
             * malicious package listed as "introduced 0"): only ranges
             * that never end say anything about the versions allowed */
            for (size_t i = 0; i < p->nadvs; i++) {
                const wt_osv_adv *a = &p->advs[i];
                bool open = false;
                for (size_t k = 0; k < a->nranges && !open; k++)
                    open = a->ranges[k].n && a->ranges[k].ev[a->ranges[k].n - 1].type == 'i' &&
                           a->ranges[k].ev[a->ranges[k].n - 1].zero;
                if (!open) continue;
                wt_dep_match *m = &out->m[out->n++];
                m->adv = a;
                m->status = WT_MATCH_AFFECTED;
                m->severity = a->malicious ? WT_SEV_CRITICAL : a->severity;
            }
        }
        if (lowest_aff) out->version = wt_ver_parse_cstr(wt_ver_str(lowest_aff));
        for (size_t i = 0; i < na; i++) free(keys[i]);
        free(keys);
        free(allowed);
    }
    mark_duplicates(out);
    for (size_t i = 0; i < out->n; i++) {
        if (out->m[i].severity > out->severity) out->severity = out->m[i].severity;
        if (out->m[i].adv->malicious && out->m[i].status == WT_MATCH_AFFECTED) out->malicious = true;
    }
    if (out->n && out->version) out->fixed_overall = overall_fix(p, out->m, out->n, out->version);
    return 0;
}

/* ------------------------------------------------------------- findings */

static json_t *split_json(const char *csv) {
    json_t *a = json_array();
    if (!csv || !*csv) return a;
    const char *p = csv;
    for (;;) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        if (n) json_array_append_new(a, json_stringn(p, n));
        if (!c) break;
        p = c + 1;
    }
    return a;
}

static wt_location dep_loc(const wt_dep *d, const wt_location *base) {
    if (base) {
        return *base;
    }
    if (d->file) return wt_loc_line(d->via_line, 1); /* the -r line; the included line is in props */
    return wt_loc_line(d->line, 1);
}

/* URL userinfo ("user:token@" after the scheme) becomes "***@": findings never carry
 * credentials from index or VCS URLs. Caller frees. */
static char *redact(const char *s) {
    if (!s) return NULL;
    wt_buf b;
    wt_buf_init(&b);
    const char *p = s;
    for (;;) {
        const char *sch = strstr(p, "://");
        if (!sch) break;
        const char *host = sch + 3;
        size_t n = strcspn(host, "/@ \t#?");
        wt_buf_append(&b, p, (size_t)(host - p));
        if (host[n] == '@') {
            wt_buf_puts(&b, "***");
            p = host + n;
        } else {
            p = host;
        }
    }
    wt_buf_puts(&b, p);
    return wt_buf_steal(&b);
}

static json_t *base_props(const wt_dep *d) {
    json_t *o = json_object();
    char *name = redact(d->name ? d->name : "");
    json_object_set_new(o, "package", json_string(name));
    free(name);
    json_object_set_new(o, "normalized_name", json_string(d->norm ? d->norm : ""));
    if (d->version) json_object_set_new(o, "version", json_string(d->version));
    else {
        const wt_ver *pin = wt_specset_pin(&d->spec);
        json_object_set_new(o, "version", pin ? json_string(wt_ver_str(pin)) : json_null());
    }
    json_object_set_new(o, "spec", json_string(d->spec_text ? d->spec_text : ""));
    if (d->file) {
        json_object_set_new(o, "file", json_string(d->file));
        if (d->line) json_object_set_new(o, "line", json_integer(d->line));
    }
    if (d->section) json_object_set_new(o, "section", json_string(d->section));
    if (d->marker) json_object_set_new(o, "marker", json_string(d->marker));
    return o;
}

static const char *where(const wt_dep *d, char *buf, size_t cap) {
    if (d->file) snprintf(buf, cap, " (via %s:%u)", d->file, d->line);
    else buf[0] = 0;
    return buf;
}

static char *dep_label(const wt_dep *d) {
    if (d->version) return wt_xasprintf("%s %s", d->name, d->version);
    if (d->spec_text && *d->spec_text) return wt_xasprintf("%s%s", d->name, d->spec_text);
    return wt_xstrdup(d->name);
}

static void emit_vulns(wt_ctx *ctx, const wt_dep *d, const wt_location *base, const wt_osv_pkg *p) {
    wt_dep_result r;
    wt_dep_match_pkg(p, d, &r);
    if (!r.n) {
        wt_dep_result_fini(&r);
        return;
    }
    bool any_affected = false;
    for (size_t i = 0; i < r.n; i++)
        if (r.m[i].status == WT_MATCH_AFFECTED) any_affected = true;
    const char *rule = r.malicious ? RULE_MALICIOUS : any_affected ? RULE_VULN : RULE_POSSIBLE;

    json_t *props = base_props(d);
    json_t *advs = json_array();
    double best_score = -1;
    const char *best_vector = NULL;
    wt_buf ids;
    wt_buf_init(&ids);
    size_t shown = 0;
    for (size_t i = 0; i < r.n; i++) {
        if (r.m[i].dup_of >= 0) continue;
        const wt_osv_adv *a = r.m[i].adv;
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(a->id));
        json_t *aliases = split_json(a->aliases);
        json_t *cwe = split_json(a->cwe);
        double gs = a->cvss_vector ? a->cvss_score : -1;
        const char *gv = a->cvss_vector;
        for (size_t k = i + 1; k < r.n; k++) {
            if (r.m[k].dup_of != (int)i) continue;
            /* fold the duplicate record in: its id, aliases and CWEs */
            const wt_osv_adv *b = r.m[k].adv;
            json_t *more[] = {json_string(b->id), split_json(b->aliases)};
            json_array_append_new(more[1], more[0]);
            size_t q;
            json_t *e;
            json_array_foreach(more[1], q, e) {
                bool have = !strcmp(json_string_value(e), a->id);
                size_t z;
                json_t *x;
                json_array_foreach(aliases, z, x) if (json_equal(x, e)) have = true;
                if (!have) json_array_append(aliases, e);
            }
            json_decref(more[1]);
            json_t *bc = split_json(b->cwe);
            json_array_foreach(bc, q, e) {
                bool have = false;
                size_t z;
                json_t *x;
                json_array_foreach(cwe, z, x) if (json_equal(x, e)) have = true;
                if (!have) json_array_append(cwe, e);
            }
            json_decref(bc);
            if (b->cvss_vector && b->cvss_score > gs) {
                gs = b->cvss_score;
                gv = b->cvss_vector;
            }
        }
        json_object_set_new(o, "aliases", aliases);
        json_object_set_new(o, "summary", json_string(a->summary));
        json_object_set_new(o, "severity", json_string(wt_severity_name(r.m[i].status == WT_MATCH_AFFECTED
                                                                            ? r.m[i].severity
                                                                            : (a->malicious ? WT_SEV_CRITICAL : a->severity))));
        json_object_set_new(o, "status", json_string(r.m[i].status == WT_MATCH_AFFECTED ? "affected" : "possibly-affected"));
        json_object_set_new(o, "cvss_score", gv ? json_real(gs) : json_null());
        json_object_set_new(o, "cvss_vector", gv ? json_string(gv) : json_null());
        json_object_set_new(o, "fixed", r.m[i].fixed ? json_string(wt_ver_str(r.m[i].fixed)) : json_null());
        json_object_set_new(o, "cwe", cwe);
        json_object_set_new(o, "malicious", json_boolean(a->malicious));
        json_array_append_new(advs, o);
        if (gv && gs > best_score) {
            best_score = gs;
            best_vector = gv;
        }
        if (shown < MAX_IDS_IN_MESSAGE) {
            if (shown) wt_buf_puts(&ids, ", ");
            wt_buf_puts(&ids, a->id);
            /* the first CVE alias helps people search */
            const char *cve = strstr(a->aliases, "CVE-");
            if (cve) {
                size_t n = strcspn(cve, ",");
                wt_buf_printf(&ids, "/%.*s", (int)n, cve);
            }
            shown++;
        }
    }
    if (r.ndistinct > shown) wt_buf_printf(&ids, ", +%zu more", r.ndistinct - shown);
    json_object_set_new(props, "advisories", advs);
    json_object_set_new(props, "advisory_count", json_integer((json_int_t)r.ndistinct));
    json_object_set_new(props, "status", json_string(any_affected ? "affected" : "possibly-affected"));
    json_object_set_new(props, "checked_version", r.version ? json_string(wt_ver_str(r.version)) : json_null());
    json_object_set_new(props, "fixed_version", r.fixed_overall ? json_string(wt_ver_str(r.fixed_overall)) : json_null());
    if (best_score >= 0) {
        json_object_set_new(props, "cvss_score", json_real(best_score));
        json_object_set_new(props, "cvss_vector", json_string(best_vector));
    }
    char *label = dep_label(d);
    char wbuf[300];
    char fix[160] = "";
    if (r.fixed_overall) snprintf(fix, sizeof fix, "; fixed in %s", wt_ver_str(r.fixed_overall));
    else if (!r.malicious) snprintf(fix, sizeof fix, "; no fixed version known");
    wt_location loc = dep_loc(d, base);
    wt_finding *f;
    if (r.malicious)
        f = wt_emit(ctx, rule, WT_SEV_CRITICAL, &loc, d->raw, "%s is a known malicious package (%s)%s", label, ids.data,
                    where(d, wbuf, sizeof wbuf));
    else if (any_affected)
        f = wt_emit(ctx, rule, r.severity, &loc, d->raw, "%s: %zu known vulnerabilit%s (%s)%s%s", label, r.ndistinct,
                    r.ndistinct == 1 ? "y" : "ies", ids.data, fix, where(d, wbuf, sizeof wbuf));
    else
        f = wt_emit(ctx, rule, r.severity, &loc, d->raw,
                    "%s allows versions with %zu known vulnerabilit%s (%s); the newest allowed version is not "
                    "affected%s%s",
                    label, r.ndistinct, r.ndistinct == 1 ? "y" : "ies", ids.data, fix, where(d, wbuf, sizeof wbuf));
    if (f) {
        if (f->props) json_decref(f->props);
        f->props = props;
    } else {
        json_decref(props);
    }
    free(label);
    wt_buf_free(&ids);
    wt_dep_result_fini(&r);
}

enum { CHECK_UNPINNED = 1 };

static void attach(wt_finding *f, json_t *props) {
    if (f) {
        if (f->props) json_decref(f->props);
        f->props = props;
    } else {
        json_decref(props);
    }
}

static void check_dep(wt_ctx *ctx, db_handle *h, const wt_dep *d, const wt_location *base, unsigned flags) {
    char wbuf[300];
    wt_location loc = dep_loc(d, base);
    if (d->unauditable) {
        char *raw = redact(d->raw), *name = redact(d->name), *why = redact(d->unauditable);
        attach(wt_emit(ctx, RULE_UNAUDITABLE, WT_SEV_NONE, &loc, raw, "%s%s: %s, its version cannot be checked%s",
                       d->editable ? "editable " : "", name, why, where(d, wbuf, sizeof wbuf)),
               base_props(d));
        free(raw);
        free(name);
        free(why);
        return;
    }
    const char *pop = wt_deps_typosquat_of(d->norm);
    if (pop) {
        json_t *props = base_props(d);
        json_object_set_new(props, "similar_to", json_string(pop));
        attach(wt_emit(ctx, RULE_TYPOSQUAT, WT_SEV_NONE, &loc, d->raw,
                       "'%s' is one edit away from the popular package '%s': check for a typo or typosquat%s", d->name,
                       pop, where(d, wbuf, sizeof wbuf)),
               props);
    }
    if (h && h->db) {
        wt_osv_pkg *p = NULL;
        char *err = NULL;
        if (wt_osv_lookup(h->db, d->norm, &p, &err) != 0) {
            wt_ctx_note(ctx, "OSV database lookup failed: %s", err ? err : "?");
            free(err);
        } else if (p) {
            emit_vulns(ctx, d, base, p);
        }
        wt_osv_pkg_free(p);
    }
    if ((flags & CHECK_UNPINNED) && !d->version) {
        wt_ver *pin = pinned_version(d);
        if (!pin)
            attach(wt_emit(ctx, RULE_UNPINNED, WT_SEV_NONE, &loc, d->raw,
                           "%s is not pinned to an exact version (%s) and the project has no lock file%s", d->name,
                           d->spec_text && *d->spec_text ? d->spec_text : "any version", where(d, wbuf, sizeof wbuf)),
                   base_props(d));
        wt_ver_free(pin);
    }
}

#define MAX_ISSUES_REPORTED 20

static void report_issues(wt_ctx *ctx, wt_vec *issues, const wt_location *base) {
    for (size_t i = 0; i < issues->len; i++) {
        if (i == MAX_ISSUES_REPORTED) {
            wt_location loc = base ? *base : wt_loc_line(0, 0);
            wt_emit(ctx, RULE_MALFORMED, WT_SEV_NONE, &loc, NULL, "%zu more unreadable dependency entries not listed",
                    issues->len - i);
            break;
        }
        wt_dep_issue *is = issues->items[i];
        uint32_t line = is->file ? is->via_line : is->line;
        wt_location loc = base ? *base : wt_loc_line(line, line ? 1 : 0);
        json_t *props = json_object();
        if (is->file) {
            json_object_set_new(props, "file", json_string(is->file));
            json_object_set_new(props, "line", json_integer(is->line));
        }
        char *msg = redact(is->message);
        attach(wt_emit(ctx, RULE_MALFORMED, WT_SEV_NONE, &loc, NULL, "%s%s%s", msg, is->file ? " in " : "",
                       is->file ? is->file : ""),
               props);
        free(msg);
    }
}

static void check_all(wt_ctx *ctx, wt_vec *deps, wt_vec *issues, const wt_location *base, unsigned flags) {
    db_handle *h = deps->len ? get_db(ctx) : NULL;
    for (size_t i = 0; i < deps->len; i++) {
        if (wt_ctx_expired(ctx)) break;
        check_dep(ctx, h, deps->items[i], base, flags);
    }
    report_issues(ctx, issues, base);
}

/* ------------------------------------------------------ include opener */

typedef struct {
    wt_ctx *ctx;
} opener_ud;

static char *opener_read(void *ud, const char *relpath, size_t *len) {
    opener_ud *o = ud;
    wt_reader *r = wt_ctx_open_sibling(o->ctx, relpath);
    if (!r) return NULL;
    size_t n = 0;
    uint8_t *data = wt_reader_slurp(r, MAX_DEP_FILE, &n);
    wt_reader_unref(r);
    if (!data) return NULL;
    char *t = wt_xmalloc(n + 1);
    memcpy(t, data, n);
    t[n] = 0;
    free(data);
    *len = n;
    return t;
}

static char *dir_join(const char *artifact, const char *rel) {
    const char *slash = strrchr(artifact, '/');
    if (!slash) return wt_xstrdup(rel);
    return wt_xasprintf("%.*s/%s", (int)(slash - artifact), artifact, rel);
}

static bool opener_scanned_alone(void *ud, const char *relpath) {
    opener_ud *o = ud;
    if (wt_ctx_depth(o->ctx) != 0 || !wt_deps_is_dep_file(relpath) || strstr(relpath, "..")) return false;
    char *p = dir_join(wt_ctx_name(o->ctx), relpath);
    bool r = wt_ctx_source_has(o->ctx, p);
    free(p);
    return r;
}

static bool project_has_lock(wt_ctx *ctx) {
    static const char *const locks[] = {"poetry.lock", "Pipfile.lock", "uv.lock", "pylock.toml", "pdm.lock", NULL};
    for (size_t i = 0; locks[i]; i++) {
        char *p = dir_join(wt_ctx_name(ctx), locks[i]);
        bool r = wt_ctx_source_has(ctx, p) || wt_ctx_source_has(ctx, locks[i]);
        free(p);
        if (r) return true;
    }
    return false;
}

/* ------------------------------------------------------------ analyzer */

typedef enum {
    F_NONE = 0, F_REQUIREMENTS, F_PYPROJECT, F_POETRY_LOCK, F_PIPFILE, F_PIPFILE_LOCK, F_UV_LOCK, F_PYLOCK,
    F_SETUP_CFG, F_CONDA,
} file_kind;

static bool in_requirements_dir(const char *name) {
    /* ".../requirements/x.txt" or "requirements.d/x.in" */
    const char *b = wt_basename(name);
    if (b == name) return false;
    const char *p = b - 1; /* the '/' */
    const char *s = p;
    while (s > name && s[-1] != '/' && s[-1] != '!') s--;
    size_t n = (size_t)(p - s);
    return (n >= 12 && strncasecmp(s, "requirements", 12) == 0) || (n == 4 && strncasecmp(s, "reqs", 4) == 0);
}

static file_kind kind_of(const char *name) {
    const char *b = wt_basename(name);
    if (!strcmp(b, "pyproject.toml")) return F_PYPROJECT;
    if (!strcmp(b, "poetry.lock")) return F_POETRY_LOCK;
    if (!strcmp(b, "Pipfile")) return F_PIPFILE;
    if (!strcmp(b, "Pipfile.lock")) return F_PIPFILE_LOCK;
    if (!strcmp(b, "uv.lock")) return F_UV_LOCK;
    if (!strcmp(b, "pylock.toml") || (!strncmp(b, "pylock.", 7) && wt_str_endswith_ci(b, ".toml"))) return F_PYLOCK;
    if (!strcmp(b, "setup.cfg")) return F_SETUP_CFG;
    if (!strncasecmp(b, "environment", 11) && (wt_str_endswith_ci(b, ".yml") || wt_str_endswith_ci(b, ".yaml")))
        return F_CONDA;
    bool txt = wt_str_endswith_ci(b, ".txt"), in = wt_str_endswith_ci(b, ".in");
    if ((txt || in) && (strcasestr(b, "requirements") || !strncasecmp(b, "constraints", 11) || in_requirements_dir(name)))
        return F_REQUIREMENTS;
    return F_NONE;
}

bool wt_deps_is_dep_file(const char *name) { return kind_of(name) != F_NONE; }

static int deps_probe(const char *name, const uint8_t *head, size_t headlen, uint64_t size) {
    return kind_of(name) == F_NONE ? 0 : 90;
}

static int deps_analyze(wt_ctx *ctx, wt_reader *r) {
    file_kind k = kind_of(wt_ctx_name(ctx));
    if (k == F_NONE) return WT_OK;
    uint64_t size = wt_reader_size(r);
    if (size > MAX_DEP_FILE) {
        wt_emit_limit(ctx, "dependency file size", size, MAX_DEP_FILE);
        return WT_OK;
    }
    const uint8_t *view = size ? wt_reader_view(r, 0, (size_t)size) : (const uint8_t *)"";
    if (!view) return WT_ERR_IO;
    /* parsers want a NUL-terminated copy */
    char *t = wt_xmalloc((size_t)size + 1);
    memcpy(t, view, (size_t)size);
    t[size] = 0;
    size_t n = (size_t)size;
    wt_ctx_set_class(ctx, WT_CLASS_NBREQ);
    wt_ctx_set_kind(ctx, k == F_REQUIREMENTS ? "requirements" : k == F_CONDA ? "conda-environment" : "python-manifest");
    const wt_scan_options *opt = wt_ctx_options(ctx);
    wt_marker_env env;
    wt_marker_env_init(&env, opt ? opt->python_version : NULL, opt ? opt->sys_platform : NULL);
    wt_vec deps = {0}, issues = {0};
    unsigned flags = 0;
    opener_ud oud = {ctx};
    wt_dep_opener op = {opener_read, &oud, opener_scanned_alone};
    int rc = 0;
    switch (k) {
    case F_REQUIREMENTS:
        rc = wt_requirements_parse(t, n, wt_ctx_basename(ctx), &op, &env, &deps, &issues);
        if (!project_has_lock(ctx)) flags |= CHECK_UNPINNED;
        break;
    case F_PYPROJECT: rc = wt_pyproject_parse(t, n, &env, &deps, &issues); break;
    case F_POETRY_LOCK: rc = wt_poetry_lock_parse(t, n, &deps, &issues); break;
    case F_PIPFILE: rc = wt_pipfile_parse(t, n, &env, &deps, &issues); break;
    case F_PIPFILE_LOCK: rc = wt_pipfile_lock_parse(t, n, &env, &deps, &issues); break;
    case F_UV_LOCK: rc = wt_uv_lock_parse(t, n, &deps, &issues); break;
    case F_PYLOCK: rc = wt_pylock_parse(t, n, &env, &deps, &issues); break;
    case F_SETUP_CFG: rc = wt_setup_cfg_parse(t, n, &env, &deps, &issues); break;
    case F_CONDA: rc = wt_conda_env_parse(t, n, &env, &deps, &issues); break;
    case F_NONE: break;
    }
    (void)rc;
    check_all(ctx, &deps, &issues, NULL, flags);
    wt_dep_list_free(&deps);
    wt_vec_free(&issues, wt_dep_issue_free);
    free(t);
    return WT_OK;
}

void wt_deps_pip_install(wt_ctx *ctx, const char *args, size_t len, const wt_location *loc) {
    if (!ctx || !args) return;
    if (len > 65536) len = 65536;
    const wt_scan_options *opt = wt_ctx_options(ctx);
    wt_marker_env env;
    wt_marker_env_init(&env, opt ? opt->python_version : NULL, opt ? opt->sys_platform : NULL);
    wt_vec deps = {0}, issues = {0};
    opener_ud oud = {ctx};
    /* `pip install -r requirements.txt`: a file scanned on its own is not
     * reported a second time at the install line */
    wt_dep_opener op = {opener_read, &oud, opener_scanned_alone};
    wt_pip_args_parse(args, len, &op, &env, &deps, &issues);
    check_all(ctx, &deps, &issues, loc, project_has_lock(ctx) ? 0 : CHECK_UNPINNED);
    wt_dep_list_free(&deps);
    wt_vec_free(&issues, wt_dep_issue_free);
}

const wt_analyzer wt_deps_analyzer = {
    "dependencies", WT_CLASS_NBREQ, false, deps_probe, deps_analyze,
    deps_rules, sizeof deps_rules / sizeof deps_rules[0],
};
