/*
 * cvss.c - CVSS v3.0/v3.1/v4.0 base scores. See cvss.h.
 */
#include "deps/cvss.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/embedded.h"

/* ---- generic vector parsing ---- */

#define MAX_METRICS 32

typedef struct {
    char name[5];
    char value;
} metric;

/* Split "CVSS:x.y/K:V/K:V" into metrics after the prefix. Duplicate keys and
 * values longer than one character are errors. */
static int parse_metrics(const char *s, metric *out, size_t *n) {
    *n = 0;
    while (*s) {
        if (*s != '/') return -1;
        s++;
        const char *colon = strchr(s, ':');
        if (!colon) return -1;
        size_t klen = (size_t)(colon - s);
        if (klen == 0 || klen >= sizeof out[0].name) return -1;
        const char *v = colon + 1;
        if (!v[0] || (v[1] && v[1] != '/')) return -1;
        if (*n >= MAX_METRICS) return -1;
        for (size_t i = 0; i < *n; i++)
            if (strlen(out[i].name) == klen && memcmp(out[i].name, s, klen) == 0) return -1;
        memcpy(out[*n].name, s, klen);
        out[*n].name[klen] = 0;
        out[*n].value = v[0];
        (*n)++;
        s = v + 1;
    }
    return 0;
}

static char get(const metric *m, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(m[i].name, name) == 0) return m[i].value;
    return 0;
}

/* ---- v3.x ---- */

/* CVSS v3.1 Roundup: the smallest number with one decimal >= x, computed
 * in integers to avoid floating point surprises (spec appendix A). */
static double roundup31(double x) {
    long long i = llround(x * 100000.0);
    if (i % 10000 == 0) return (double)i / 100000.0;
    return (double)(i / 10000 + 1) / 10.0;
}

static double roundup30(double x) { return ceil(x * 10.0) / 10.0; }

static int score_v3(const char *rest, bool v31, double *score) {
    metric m[MAX_METRICS];
    size_t n;
    if (parse_metrics(rest, m, &n) != 0) return -1;
    char av = get(m, n, "AV"), ac = get(m, n, "AC"), pr = get(m, n, "PR"), ui = get(m, n, "UI");
    char sc = get(m, n, "S"), c = get(m, n, "C"), in = get(m, n, "I"), a = get(m, n, "A");
    double wav, wac, wpr, wui, wc, wi, wa;
    switch (av) { case 'N': wav = 0.85; break; case 'A': wav = 0.62; break; case 'L': wav = 0.55; break; case 'P': wav = 0.2; break; default: return -1; }
    switch (ac) { case 'L': wac = 0.77; break; case 'H': wac = 0.44; break; default: return -1; }
    if (sc != 'U' && sc != 'C') return -1;
    bool changed = sc == 'C';
    switch (pr) { case 'N': wpr = 0.85; break; case 'L': wpr = changed ? 0.68 : 0.62; break; case 'H': wpr = changed ? 0.5 : 0.27; break; default: return -1; }
    switch (ui) { case 'N': wui = 0.85; break; case 'R': wui = 0.62; break; default: return -1; }
#define CIA(x, w) switch (x) { case 'H': w = 0.56; break; case 'L': w = 0.22; break; case 'N': w = 0; break; default: return -1; }
    CIA(c, wc) CIA(in, wi) CIA(a, wa)
#undef CIA
    double iss = 1.0 - (1.0 - wc) * (1.0 - wi) * (1.0 - wa);
    double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15) : 6.42 * iss;
    double expl = 8.22 * wav * wac * wpr * wui;
    double (*ru)(double) = v31 ? roundup31 : roundup30;
    if (impact <= 0) { *score = 0; return 0; }
    double s = changed ? ru(fmin(1.08 * (impact + expl), 10.0)) : ru(fmin(impact + expl, 10.0));
    *score = s;
    return 0;
}

/* ---- v4.0 ---- */

static float lookup_tbl[3][2][3][3][3][2]; /* < 0 = no such MacroVector */
static pthread_once_t lookup_once = PTHREAD_ONCE_INIT;
static bool lookup_ok;

static void load_lookup(void) {
    float *flat = &lookup_tbl[0][0][0][0][0][0];
    for (size_t i = 0; i < sizeof lookup_tbl / sizeof(float); i++) flat[i] = -1;
    size_t len = 0;
    const char *t = wt_rules_text("cvss4_macrovectors.tsv", &len);
    if (!t) return;
    const char *p = t, *end = t + len;
    size_t count = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        if (le - p >= 8 && p[0] != '#') {
            int d[6];
            bool ok = true;
            for (int i = 0; i < 6; i++) {
                if (p[i] < '0' || p[i] > '2') ok = false;
                d[i] = p[i] - '0';
            }
            if (ok && p[6] == '\t' && d[1] <= 1 && d[5] <= 1) {
                char num[16];
                size_t nl2 = (size_t)(le - (p + 7));
                if (nl2 < sizeof num) {
                    memcpy(num, p + 7, nl2);
                    num[nl2] = 0;
                    char *e;
                    double v = strtod(num, &e);
                    if (e != num && v >= 0 && v <= 10) {
                        lookup_tbl[d[0]][d[1]][d[2]][d[3]][d[4]][d[5]] = (float)v;
                        count++;
                    }
                }
            }
        }
        p = le + 1;
    }
    lookup_ok = count == 270;
}

static double lk(int e1, int e2, int e3, int e4, int e5, int e6) {
    if (e1 < 0 || e1 > 2 || e2 < 0 || e2 > 1 || e3 < 0 || e3 > 2 || e4 < 0 || e4 > 2 || e5 < 0 || e5 > 2 ||
        e6 < 0 || e6 > 1)
        return NAN;
    float v = lookup_tbl[e1][e2][e3][e4][e5][e6];
    return v < 0 ? NAN : (double)v;
}

/* Effective value of a metric: modified (M*) environmental values override
 * base ones; E, CR, IR, AR default to their worst case. */
typedef struct {
    char av, ac, at, pr, ui, vc, vi, va, sc, si, sa, e, cr, ir, ar;
} v4m;

static double level(char metric_kind, char v) {
    switch (metric_kind) {
    case 'V': /* AV */ return v == 'N' ? 0 : v == 'A' ? 0.1 : v == 'L' ? 0.2 : 0.3;
    case 'P': /* PR */ return v == 'N' ? 0 : v == 'L' ? 0.1 : 0.2;
    case 'U': /* UI */ return v == 'N' ? 0 : v == 'P' ? 0.1 : 0.2;
    case 'C': /* AC */ return v == 'L' ? 0 : 0.1;
    case 'T': /* AT */ return v == 'N' ? 0 : 0.1;
    case 'I': /* VC VI VA */ return v == 'H' ? 0 : v == 'L' ? 0.1 : 0.2;
    case 'S': /* SC SI SA */ return v == 'S' ? 0 : v == 'H' ? 0.1 : v == 'L' ? 0.2 : 0.3;
    case 'R': /* CR IR AR */ return v == 'H' ? 0 : v == 'M' ? 0.1 : 0.2;
    }
    return 0;
}

/* Highest-severity vectors of each EQ level (FIRST reference
 * implementation), as metric letters in fixed positions. */
static const char *const max_eq1[3][3] = {{"NNN"}, {"ANN", "NLN", "NNP"}, {"PNN", "ALP"}}; /* AV PR UI */
static const char *const max_eq2[2][2] = {{"LN"}, {"HN", "LP"}};                         /* AC AT */
static const char *const max_eq36[3][2][5] = {                                           /* VC VI VA CR IR AR */
    {{"HHHHHH"}, {"HHLMMH", "HHHMMM"}},
    {{"LHHHHH", "HLHHHH"}, {"LHLHMH", "LHHHMM", "HLHMHM", "HLLMHH", "LLHHHM"}},
    {{NULL}, {"LLLHHH"}}};
static const char *const max_eq4[3] = {"HSS", "HHH", "LLL"}; /* SC SI SA */
static const int max_sev_eq1[3] = {1, 4, 5}, max_sev_eq2[2] = {1, 2}, max_sev_eq4[3] = {6, 5, 4};
static const int max_sev_eq36[3][2] = {{7, 6}, {8, 8}, {0, 10}};

static bool valid(char v, const char *allowed) { return v && strchr(allowed, v) != NULL; }

static int score_v4(const char *rest, double *score) {
    pthread_once(&lookup_once, load_lookup);
    if (!lookup_ok) return -1;
    metric m[MAX_METRICS];
    size_t n;
    if (parse_metrics(rest, m, &n) != 0) return -1;
    v4m x;
    x.av = get(m, n, "AV"); x.ac = get(m, n, "AC"); x.at = get(m, n, "AT"); x.pr = get(m, n, "PR");
    x.ui = get(m, n, "UI"); x.vc = get(m, n, "VC"); x.vi = get(m, n, "VI"); x.va = get(m, n, "VA");
    x.sc = get(m, n, "SC"); x.si = get(m, n, "SI"); x.sa = get(m, n, "SA");
    if (!valid(x.av, "NALP") || !valid(x.ac, "LH") || !valid(x.at, "NP") || !valid(x.pr, "NLH") ||
        !valid(x.ui, "NPA") || !valid(x.vc, "HLN") || !valid(x.vi, "HLN") || !valid(x.va, "HLN") ||
        !valid(x.sc, "HLN") || !valid(x.si, "HLN") || !valid(x.sa, "HLN"))
        return -1;
    /* Optional threat / environmental metrics. */
    char e = get(m, n, "E"), cr = get(m, n, "CR"), ir = get(m, n, "IR"), ar = get(m, n, "AR");
    x.e = (!e || e == 'X') ? 'A' : e;
    x.cr = (!cr || cr == 'X') ? 'H' : cr;
    x.ir = (!ir || ir == 'X') ? 'H' : ir;
    x.ar = (!ar || ar == 'X') ? 'H' : ar;
    if (!valid(x.e, "APU") || !valid(x.cr, "HML") || !valid(x.ir, "HML") || !valid(x.ar, "HML")) return -1;
    struct { const char *k; char *dst; const char *ok; } mods[] = {
        {"MAV", &x.av, "NALP"}, {"MAC", &x.ac, "LH"}, {"MAT", &x.at, "NP"}, {"MPR", &x.pr, "NLH"},
        {"MUI", &x.ui, "NPA"},  {"MVC", &x.vc, "HLN"}, {"MVI", &x.vi, "HLN"}, {"MVA", &x.va, "HLN"},
        {"MSC", &x.sc, "HLN"},  {"MSI", &x.si, "SHLN"}, {"MSA", &x.sa, "SHLN"}};
    for (size_t i = 0; i < sizeof mods / sizeof mods[0]; i++) {
        char v = get(m, n, mods[i].k);
        if (!v || v == 'X') continue;
        if (!valid(v, mods[i].ok)) return -1;
        *mods[i].dst = v;
    }

    if (x.vc == 'N' && x.vi == 'N' && x.va == 'N' && x.sc == 'N' && x.si == 'N' && x.sa == 'N') {
        *score = 0;
        return 0;
    }
    int eq1, eq2, eq3, eq4, eq5, eq6;
    if (x.av == 'N' && x.pr == 'N' && x.ui == 'N') eq1 = 0;
    else if ((x.av == 'N' || x.pr == 'N' || x.ui == 'N') && x.av != 'P') eq1 = 1;
    else eq1 = 2;
    eq2 = (x.ac == 'L' && x.at == 'N') ? 0 : 1;
    if (x.vc == 'H' && x.vi == 'H') eq3 = 0;
    else if (x.vc == 'H' || x.vi == 'H' || x.va == 'H') eq3 = 1;
    else eq3 = 2;
    if (x.si == 'S' || x.sa == 'S') eq4 = 0;
    else if (x.sc == 'H' || x.si == 'H' || x.sa == 'H') eq4 = 1;
    else eq4 = 2;
    eq5 = x.e == 'A' ? 0 : x.e == 'P' ? 1 : 2;
    eq6 = ((x.cr == 'H' && x.vc == 'H') || (x.ir == 'H' && x.vi == 'H') || (x.ar == 'H' && x.va == 'H')) ? 0 : 1;

    double value = lk(eq1, eq2, eq3, eq4, eq5, eq6);
    if (isnan(value)) return -1;
    double s1 = lk(eq1 + 1, eq2, eq3, eq4, eq5, eq6);
    double s2 = lk(eq1, eq2 + 1, eq3, eq4, eq5, eq6);
    double s36;
    if (eq3 == 0 && eq6 == 0) {
        double left = lk(eq1, eq2, eq3, eq4, eq5, eq6 + 1), right = lk(eq1, eq2, eq3 + 1, eq4, eq5, eq6);
        s36 = (left > right) ? left : right; /* NaN compares false: right wins, as in the reference */
    } else if (eq3 == 1 && eq6 == 0) {
        s36 = lk(eq1, eq2, eq3, eq4, eq5, eq6 + 1);
    } else if (eq6 == 1 && eq3 <= 1) {
        s36 = lk(eq1, eq2, eq3 + 1, eq4, eq5, eq6);
    } else {
        s36 = NAN;
    }
    double s4 = lk(eq1, eq2, eq3, eq4 + 1, eq5, eq6);
    double s5 = lk(eq1, eq2, eq3, eq4, eq5 + 1, eq6);

    /* Severity distance from the first max vector that is not exceeded. */
    double d_av = 0, d_pr = 0, d_ui = 0, d_ac = 0, d_at = 0, d_vc = 0, d_vi = 0, d_va = 0, d_sc = 0, d_si = 0,
           d_sa = 0, d_cr = 0, d_ir = 0, d_ar = 0;
    bool found = false;
    for (int a = 0; a < 3 && !found && max_eq1[eq1][a]; a++)
        for (int b = 0; b < 2 && !found && max_eq2[eq2][b]; b++)
            for (int c = 0; c < 5 && !found && max_eq36[eq3][eq6][c]; c++) {
                const char *m1 = max_eq1[eq1][a], *m2 = max_eq2[eq2][b], *m3 = max_eq36[eq3][eq6][c];
                const char *m4 = max_eq4[eq4];
                d_av = level('V', x.av) - level('V', m1[0]);
                d_pr = level('P', x.pr) - level('P', m1[1]);
                d_ui = level('U', x.ui) - level('U', m1[2]);
                d_ac = level('C', x.ac) - level('C', m2[0]);
                d_at = level('T', x.at) - level('T', m2[1]);
                d_vc = level('I', x.vc) - level('I', m3[0]);
                d_vi = level('I', x.vi) - level('I', m3[1]);
                d_va = level('I', x.va) - level('I', m3[2]);
                d_cr = level('R', x.cr) - level('R', m3[3]);
                d_ir = level('R', x.ir) - level('R', m3[4]);
                d_ar = level('R', x.ar) - level('R', m3[5]);
                d_sc = level('S', x.sc) - level('S', m4[0]);
                d_si = level('S', x.si) - level('S', m4[1]);
                d_sa = level('S', x.sa) - level('S', m4[2]);
                double all[] = {d_av, d_pr, d_ui, d_ac, d_at, d_vc, d_vi, d_va, d_cr, d_ir, d_ar, d_sc, d_si, d_sa};
                found = true;
                for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
                    if (all[k] < -1e-9) found = false;
            }
    /* As in the reference: the last candidate's distances are used when
     * none fits (cannot happen for valid vectors). */
    double cur1 = d_av + d_pr + d_ui, cur2 = d_ac + d_at;
    double cur36 = d_vc + d_vi + d_va + d_cr + d_ir + d_ar, cur4 = d_sc + d_si + d_sa;
    const double step = 0.1;
    int nlower = 0;
    double sum = 0;
    if (!isnan(s1)) { nlower++; sum += (value - s1) * (cur1 / (max_sev_eq1[eq1] * step)); }
    if (!isnan(s2)) { nlower++; sum += (value - s2) * (cur2 / (max_sev_eq2[eq2] * step)); }
    if (!isnan(s36)) { nlower++; sum += (value - s36) * (cur36 / (max_sev_eq36[eq3][eq6] * step)); }
    if (!isnan(s4)) { nlower++; sum += (value - s4) * (cur4 / (max_sev_eq4[eq4] * step)); }
    if (!isnan(s5)) { nlower++; /* EQ5 distance is always 0 */ }
    double mean = nlower ? sum / nlower : 0;
    value -= mean;
    if (value < 0) value = 0;
    if (value > 10) value = 10;
    /* Round half up to one decimal, tolerant of binary representation. */
    *score = floor(value * 10.0 + 0.5 + 1e-9) / 10.0;
    return 0;
}

int wt_cvss_score(const char *vector, double *score) {
    if (!vector || !score) return -1;
    if (strlen(vector) > 512) return -1;
    if (strncmp(vector, "CVSS:3.1", 8) == 0) return score_v3(vector + 8, true, score);
    if (strncmp(vector, "CVSS:3.0", 8) == 0) return score_v3(vector + 8, false, score);
    if (strncmp(vector, "CVSS:4.0", 8) == 0) return score_v4(vector + 8, score);
    return -1;
}

wt_severity wt_cvss_severity(double score) {
    if (score <= 0) return WT_SEV_NONE;
    if (score < 4.0) return WT_SEV_LOW;
    if (score < 7.0) return WT_SEV_MEDIUM;
    if (score < 9.0) return WT_SEV_HIGH;
    return WT_SEV_CRITICAL;
}
