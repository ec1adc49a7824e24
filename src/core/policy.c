/*
 * policy.c - severity overrides and baseline suppression (see policy.h).
 */
#include "core/policy.h"

#include <errno.h>
#include <fnmatch.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "report/report_json.h"
#include "report/report_util.h"

typedef struct {
    char *rule_glob;
    char *path_glob;   /* NULL = any artifact */
    wt_severity sev;   /* WT_SEV_NONE = off */
} override;

struct wt_policy {
    override *ov;
    size_t nov, cap;
    char **fps;        /* sorted, unique */
    size_t nfps, fcap;
    bool fps_sorted;
};

wt_policy *wt_policy_new(void) {
    wt_policy *p = wt_xcalloc(1, sizeof *p);
    p->fps_sorted = true;
    return p;
}

void wt_policy_free(wt_policy *p) {
    if (!p) return;
    for (size_t i = 0; i < p->nov; i++) {
        free(p->ov[i].rule_glob);
        free(p->ov[i].path_glob);
    }
    free(p->ov);
    for (size_t i = 0; i < p->nfps; i++) free(p->fps[i]);
    free(p->fps);
    free(p);
}

size_t wt_policy_noverrides(const wt_policy *p) { return p ? p->nov : 0; }
size_t wt_policy_nbaseline(const wt_policy *p) { return p ? p->nfps : 0; }

#define MAX_POLICY_FILE (16u << 20)

static char *slurp(const char *path, size_t *len, char **err) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (err) *err = wt_xasprintf("%s: %s", path, strerror(errno));
        return NULL;
    }
    wt_buf b;
    wt_buf_init(&b);
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
        if (b.len + n > MAX_POLICY_FILE) {
            fclose(f);
            wt_buf_free(&b);
            if (err) *err = wt_xasprintf("%s: file too large", path);
            return NULL;
        }
        wt_buf_append(&b, tmp, n);
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        wt_buf_free(&b);
        if (err) *err = wt_xasprintf("%s: read error", path);
        return NULL;
    }
    *len = b.len;
    if (!b.data) wt_buf_puts(&b, "");
    return wt_buf_steal(&b);
}

int wt_policy_parse_overrides(wt_policy *p, const char *text, size_t len, const char *origin, char **err) {
    const char *s = text, *end = text + len;
    unsigned lineno = 0;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *le = nl ? nl : end;
        lineno++;
        char *line = wt_xstrndup(s, (size_t)(le - s));
        s = nl ? nl + 1 : end;
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char *save = NULL;
        char *f1 = strtok_r(line, " \t\r", &save);
        char *f2 = f1 ? strtok_r(NULL, " \t\r", &save) : NULL;
        char *f3 = f2 ? strtok_r(NULL, " \t\r", &save) : NULL;
        char *f4 = f3 ? strtok_r(NULL, " \t\r", &save) : NULL;
        if (!f1) { free(line); continue; }
        wt_severity sev = WT_SEV_NONE;
        bool ok = f2 && !f4;
        if (ok && strcasecmp(f2, "off") != 0 && strcasecmp(f2, "ignore") != 0)
            ok = wt_severity_parse(f2, &sev) == 0 && sev != WT_SEV_NONE;
        if (!ok) {
            if (err)
                *err = wt_xasprintf("%s:%u: expected \"RULE-ID SEVERITY [PATH-GLOB]\" with SEVERITY one of "
                                    "low, medium, high, critical, off", origin ? origin : "policy", lineno);
            free(line);
            return -1;
        }
        if (p->nov == p->cap) {
            p->cap = p->cap ? p->cap * 2 : 16;
            p->ov = wt_xrealloc(p->ov, p->cap * sizeof *p->ov);
        }
        p->ov[p->nov].rule_glob = wt_xstrdup(f1);
        p->ov[p->nov].path_glob = f3 ? wt_xstrdup(f3) : NULL;
        p->ov[p->nov].sev = sev;
        p->nov++;
        free(line);
    }
    return 0;
}

int wt_policy_load_overrides(wt_policy *p, const char *path, char **err) {
    size_t len;
    char *t = slurp(path, &len, err);
    if (!t) return -1;
    int rc = wt_policy_parse_overrides(p, t, len, path, err);
    free(t);
    return rc;
}

static void add_fp(wt_policy *p, const char *fp) {
    if (!fp || !*fp) return;
    if (p->nfps == p->fcap) {
        p->fcap = p->fcap ? p->fcap * 2 : 64;
        p->fps = wt_xrealloc(p->fps, p->fcap * sizeof *p->fps);
    }
    p->fps[p->nfps++] = wt_xstrdup(fp);
    p->fps_sorted = false;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sort_fps(wt_policy *p) {
    if (p->fps_sorted) return;
    if (p->nfps > 1) qsort(p->fps, p->nfps, sizeof *p->fps, cmp_str); /* fps is NULL when empty */
    size_t u = 0;
    for (size_t i = 0; i < p->nfps; i++) {
        if (u && strcmp(p->fps[u - 1], p->fps[i]) == 0) free(p->fps[i]);
        else p->fps[u++] = p->fps[i];
    }
    p->nfps = u;
    p->fps_sorted = true;
}

int wt_policy_parse_baseline(wt_policy *p, const char *text, size_t len, const char *origin, char **err) {
    json_error_t je;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        if (err) *err = wt_xasprintf("%s:%d: not a JSON baseline: %s", origin ? origin : "baseline", je.line, je.text);
        return -1;
    }
    json_t *arr = json_is_array(doc) ? doc : json_object_get(doc, "findings");
    if (!json_is_array(arr)) {
        if (err) *err = wt_xasprintf("%s: baseline must be a `watchtower scan --format json` output", origin ? origin : "baseline");
        json_decref(doc);
        return -1;
    }
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        if (json_is_string(v)) add_fp(p, json_string_value(v));
        else if (json_is_object(v)) add_fp(p, json_string_value(json_object_get(v, "fingerprint")));
    }
    json_decref(doc);
    sort_fps(p);
    return 0;
}

int wt_policy_load_baseline(wt_policy *p, const char *path, char **err) {
    size_t len;
    char *t = slurp(path, &len, err);
    if (!t) return -1;
    int rc = wt_policy_parse_baseline(p, t, len, path, err);
    free(t);
    return rc;
}

static bool in_baseline(const wt_policy *p, const char *fp) {
    if (!fp || !p->nfps) return false;
    return bsearch(&fp, p->fps, p->nfps, sizeof *p->fps, cmp_str) != NULL;
}

/* Frees a finding removed by policy; mirrors the fields of wt_finding. */
static void finding_free(void *p) {
    wt_finding *f = p;
    if (!f) return;
    free(f->rule_id);
    free(f->artifact);
    free(f->loc.cell_id);
    free(f->message);
    free(f->evidence);
    free(f->fingerprint);
    if (f->props) json_decref(f->props);
    free(f->target);
    free(f);
}

static void add_note(wt_scan_result *r, char *note) {
    r->notes = wt_xrealloc(r->notes, (r->nnotes + 1) * sizeof *r->notes);
    r->notes[r->nnotes++] = note;
}

/* Filter items[0..*n) in place; counts what happened. */
static void filter(const wt_policy *p, wt_finding **items, size_t *n, void (*free_fn)(void *), size_t *off,
                   size_t *based, size_t *changed) {
    size_t keep = 0;
    for (size_t i = 0; i < *n; i++) {
        wt_finding *f = items[i];
        const override *hit = NULL;
        for (size_t k = 0; k < p->nov; k++) {
            const override *o = &p->ov[k];
            if (fnmatch(o->rule_glob, f->rule_id ? f->rule_id : "", 0) != 0) continue;
            if (o->path_glob && fnmatch(o->path_glob, f->artifact ? f->artifact : "", 0) != 0) continue;
            hit = o; /* last match wins */
        }
        if (hit && hit->sev == WT_SEV_NONE) { (*off)++; free_fn(f); continue; }
        if (in_baseline(p, f->fingerprint)) { (*based)++; free_fn(f); continue; }
        if (hit && f->severity != hit->sev) { f->severity = hit->sev; (*changed)++; }
        items[keep++] = f;
    }
    *n = keep;
}

size_t wt_policy_apply_result(const wt_policy *p, wt_scan_result *r) {
    if (!p || !r) return 0;
    if (!p->fps_sorted) sort_fps((wt_policy *)p);
    size_t off = 0, based = 0, changed = 0;
    filter(p, r->findings, &r->nfindings, finding_free, &off, &based, &changed);
    if (changed) add_note(r, wt_xasprintf("policy: severity of %zu finding%s overridden", changed, changed == 1 ? "" : "s"));
    if (off) add_note(r, wt_xasprintf("policy: %zu finding%s turned off", off, off == 1 ? "" : "s"));
    if (based) add_note(r, wt_xasprintf("baseline: %zu known finding%s suppressed", based, based == 1 ? "" : "s"));
    return off + based;
}

void wt_policy_apply(const wt_scan_options *opt, wt_vec *findings, void (*free_fn)(void *)) {
    if (!opt || !opt->baseline || !findings) return;
    wt_policy *p = wt_policy_new();
    if (wt_policy_load_baseline(p, opt->baseline, NULL) == 0) {
        size_t off = 0, based = 0, changed = 0, n = findings->len;
        filter(p, (wt_finding **)findings->items, &n, free_fn, &off, &based, &changed);
        findings->len = n;
    }
    wt_policy_free(p);
}

int wt_baseline_write(const wt_scan_result *r, const char *path, char **err) {
    json_t *doc = wt_report_json_doc(r);
    char *s = wt_json_dumps(doc);
    json_decref(doc);
    int rc = wt_write_atomic(path, s, strlen(s), err);
    free(s);
    return rc == 0 ? 0 : -1;
}
