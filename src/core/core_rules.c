#include "core_rules.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "util.h"

#define OWASP_ML06 "ML06:2023 AI Supply Chain Attacks"

static const wt_rule core_rules[] = {
    {WT_RULE_SCAN_ERROR, "ArtifactUnreadableOrMalformed", WT_CAT_SCAN, WT_SEV_LOW,
     "The artifact could not be read or parsed completely.",
     "Low: the scanner reports what it could not check; a malformed model file gets its own, "
     "higher-severity finding from its format analyzer.",
     "CWE-20", OWASP_ML06, "AML.T0010 ML Supply Chain Compromise", "MEASURE 2.7"},
    {WT_RULE_SCAN_LIMIT, "ScanBudgetExceeded", WT_CAT_SCAN, WT_SEV_MEDIUM,
     "A size, depth, count or time budget was exceeded; the rest of the artifact was not scanned.",
     "Medium: content past the budget is unverified, and oversized or deeply nested inputs are a "
     "known way to hide payloads from scanners (zip bombs, nesting).",
     "CWE-400", OWASP_ML06, "AML.T0010 ML Supply Chain Compromise", "MEASURE 2.7"},
    {WT_RULE_UNSCANNABLE_MODEL, "UnscannableModelFile", WT_CAT_MODEL, WT_SEV_MEDIUM,
     "A file with a model extension whose content no analyzer recognises.",
     "Medium: a loader may still accept it (compressed, encrypted or unknown formats), so it cannot "
     "be shown safe.",
     "CWE-502", OWASP_ML06, "AML.T0010 ML Supply Chain Compromise", "MAP 4.1"},
    {WT_RULE_EXT_MISMATCH, "ExtensionContentMismatch", WT_CAT_MODEL, WT_SEV_LOW,
     "The file's name says one format and its bytes another (e.g. a pickle named .jpg).",
     "Low on its own (the content is scanned as what it is); disguise is a common step in "
     "smuggling a serialized payload past extension-based scanners.",
     "CWE-434", OWASP_ML06, "AML.T0010 ML Supply Chain Compromise", "MAP 4.1"},
    {WT_RULE_NOT_SCANNED, "ArtifactNotScanned", WT_CAT_SCAN, WT_SEV_LOW,
     "The artifact was listed but not scanned (e.g. a Git LFS pointer without --lfs).",
     "Low: nothing is known about its content; it is reported so that it is not mistaken for clean.",
     "CWE-1059", OWASP_ML06, "AML.T0010 ML Supply Chain Compromise", "MEASURE 2.7"},
};

static size_t core_get(const wt_rule **out) {
    *out = core_rules;
    return sizeof core_rules / sizeof core_rules[0];
}

const wt_rule_table wt_core_rule_table = {"core", core_get};

/* ---- the rule catalog: analyzers' rules + rule tables ---- */
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static const wt_rule **g_rules;
static size_t g_nrules;

static int cmp_rule(const void *a, const void *b) {
    return strcmp((*(const wt_rule *const *)a)->id, (*(const wt_rule *const *)b)->id);
}

static void build_catalog(void) {
    wt_vec v = {0};
    for (size_t i = 0; i < wt_registry_nanalyzers; i++) {
        const wt_analyzer *a = wt_registry_analyzers[i];
        if (!a) continue;
        for (size_t k = 0; k < a->nrules; k++) wt_vec_push(&v, (void *)&a->rules[k]);
    }
    for (size_t i = 0; i < wt_registry_nrule_tables; i++) {
        const wt_rule_table *t = wt_registry_rule_tables[i];
        if (!t) continue;
        const wt_rule *rs = NULL;
        size_t n = t->get(&rs);
        for (size_t k = 0; k < n; k++) wt_vec_push(&v, (void *)&rs[k]);
    }
    qsort(v.items, v.len, sizeof *v.items, cmp_rule);
    /* drop duplicate ids (an analyzer may share a table) */
    size_t w = 0;
    for (size_t i = 0; i < v.len; i++)
        if (w == 0 || strcmp(((wt_rule *)v.items[w - 1])->id, ((wt_rule *)v.items[i])->id) != 0)
            v.items[w++] = v.items[i];
    g_rules = (const wt_rule **)v.items;
    g_nrules = w;
}

const wt_rule *wt_rule_find(const char *id) {
    pthread_once(&g_once, build_catalog);
    size_t lo = 0, hi = g_nrules;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(g_rules[mid]->id, id);
        if (c == 0) return g_rules[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

size_t wt_rules_all(const wt_rule *const **out) {
    pthread_once(&g_once, build_catalog);
    *out = g_rules;
    return g_nrules;
}

/* ---- names ---- */
static const char *sev_names[] = {"none", "low", "medium", "high", "critical"};
static const char *sev_titles[] = {"None", "Low", "Medium", "High", "Critical"};
static const char *cat_names[] = {"model", "secret", "pii", "dependency", "code", "scan"};

const char *wt_severity_name(wt_severity s) { return (unsigned)s <= WT_SEV_CRITICAL ? sev_names[s] : "unknown"; }
const char *wt_severity_title(wt_severity s) { return (unsigned)s <= WT_SEV_CRITICAL ? sev_titles[s] : "Unknown"; }
const char *wt_category_name(wt_category c) { return (unsigned)c < WT_CAT__COUNT ? cat_names[c] : "unknown"; }

int wt_severity_parse(const char *s, wt_severity *out) {
    for (int i = 1; i <= WT_SEV_CRITICAL; i++)
        if (strcasecmp(s, sev_names[i]) == 0) {
            *out = (wt_severity)i;
            return 0;
        }
    if (strcasecmp(s, "none") == 0) {
        *out = WT_SEV_NONE;
        return 0;
    }
    return -1;
}

void wt_limits_default(wt_limits *l) {
    l->max_file_size = 0;
    l->max_member_size = 512ull << 20;
    l->max_total_unpacked = 2ull << 30;
    l->max_ratio = 1000;
    l->max_depth = 8;
    l->max_members = 100000;
    l->max_pickle_ops = 50000000;
    l->max_text_size = 64ull << 20;
    l->time_budget_ms = 120000;
}

void wt_scan_options_default(wt_scan_options *o) {
    memset(o, 0, sizeof *o);
    o->jobs = 0;
    o->depth = 1;
    wt_limits_default(&o->limits);
}
