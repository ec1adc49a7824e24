/*
 * report_watchtower.c - the original tool's three JSON reports:
 *   summary_reports_<id>.json, detailed_reports_<id>.json,
 *   severity_mapped_detailed_reports_<id>.json
 * with exactly the keys (and key order) documented in docs/reports.md,
 * written atomically (temp file + rename) under a reports directory.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "report/report_util.h"
#include "watchtower/watchtower.h"

static json_t *sev_counts(const size_t c[5]) {
    json_t *o = json_object();
    json_object_set_new(o, "Critical", json_integer((json_int_t)c[WT_SEV_CRITICAL]));
    json_object_set_new(o, "High", json_integer((json_int_t)c[WT_SEV_HIGH]));
    json_object_set_new(o, "Medium", json_integer((json_int_t)c[WT_SEV_MEDIUM]));
    json_object_set_new(o, "Low", json_integer((json_int_t)c[WT_SEV_LOW]));
    return o;
}

static json_t *summary_json(const wt_scan_result *r) {
    size_t model[5] = {0}, nbreq[5] = {0};
    for (size_t i = 0; i < r->nfindings; i++) {
        const wt_finding *f = r->findings[i];
        if (f->severity < WT_SEV_LOW || f->severity > WT_SEV_CRITICAL) continue;
        switch (wt_report_bucket_of(r, f)) {
        case WT_BUCKET_MODEL: model[f->severity]++; break;
        case WT_BUCKET_NBREQ: nbreq[f->severity]++; break;
        default: break;
        }
    }
    json_t *o = json_object();
    json_object_set_new(o, "Repository Type", wt_jstr(r->repo_type ? r->repo_type : ""));
    json_object_set_new(o, r->is_s3 ? "Bucket Name" : "Repository URL", wt_jstr(r->repo_url ? r->repo_url : ""));
    json_object_set_new(o, "Total Number of Model Found", wt_juint(r->models_found));
    json_object_set_new(o, "Total Number of Notebooks & Requirement files Found", wt_juint(r->nbreq_found));
    json_object_set_new(o, "Total Number of Model Scanned", wt_juint(r->models_scanned));
    json_object_set_new(o, "Total Number of Notebooks & Requirement files Scanned", wt_juint(r->nbreq_scanned));
    json_object_set_new(o, "Total Notebook & Requirement files Vulnerabilities Found", sev_counts(nbreq));
    json_object_set_new(o, "Total Model Vulnerabilities Found", sev_counts(model));
    return o;
}

/* Entry for one top-level file, created on first use. Files without
 * findings (from the artifact list) get an empty "scanning_reports". */
static json_t *file_entry(json_t *root, const char *top) {
    json_t *e = json_object_get(root, top);
    if (e) return e;
    e = json_object();
    json_object_set_new(e, "file_name", wt_jstr(top));
    json_object_set_new(e, "scanning_reports", json_array());
    json_object_set_new(root, top, e);
    return e;
}

static json_t *detailed_json(const wt_scan_result *r, bool severity_mapped) {
    json_t *root = json_object();
    /* Object keys must be valid UTF-8: use the same sanitised form as values. */
    /* Order: findings' files in result order, then files without findings. */
    bool multi = false;
    for (size_t i = 0; i < r->nfindings; i++) {
        const wt_finding *f = r->findings[i];
        const char *a = f->artifact ? f->artifact : "";
        json_t *topj;
        if (f->target) {
            /* several targets: paths are only unique with their target */
            size_t tl = strlen(f->target);
            char *k = wt_xasprintf("%s%s%.*s", f->target, tl && f->target[tl - 1] == '/' ? "" : "/",
                                   (int)wt_report_top_len(a), a);
            topj = wt_jstr(k);
            free(k);
            multi = true;
        } else {
            topj = wt_jstrn(a, wt_report_top_len(a));
        }
        json_t *entry = file_entry(root, json_string_value(topj));
        json_decref(topj);
        char tb[64];
        const char *tool = wt_report_tool_name(f->rule_id, tb, sizeof tb);
        json_t *reps = json_object_get(entry, "scanning_reports");
        json_t *rep = NULL;
        size_t k;
        json_t *it;
        json_array_foreach(reps, k, it) {
            if (strcmp(json_string_value(json_object_get(it, "tool")), tool) == 0) { rep = it; break; }
        }
        if (!rep) {
            rep = json_object();
            json_object_set_new(rep, "tool", json_string(tool));
            json_object_set_new(rep, "output_log", json_array());
            json_array_append_new(reps, rep);
        }
        json_t *fj = wt_finding_to_json(f);
        if (severity_mapped)
            json_object_set_new(fj, "vulnerability_severity", json_string(wt_severity_title(f->severity)));
        json_array_append_new(json_object_get(rep, "output_log"), fj);
    }
    /* Artifact infos carry no target, so clean files are listed only for
     * single-target scans. */
    for (size_t i = 0; !multi && i < r->ninfos; i++) {
        const char *n = r->infos[i].name;
        if (!n) continue;
        json_t *topj = wt_jstrn(n, wt_report_top_len(n));
        file_entry(root, json_string_value(topj));
        json_decref(topj);
    }
    return root;
}

char *wt_report_watchtower_string(const wt_scan_result *r, const char *which) {
    if (!r || !which) return NULL;
    json_t *j;
    if (strcmp(which, "summary") == 0) j = summary_json(r);
    else if (strcmp(which, "detailed") == 0) j = detailed_json(r, false);
    else if (strcmp(which, "severity") == 0) j = detailed_json(r, true);
    else return NULL;
    char *s = wt_json_dumps(j);
    json_decref(j);
    return s;
}

/* Scan ids come from the core; keep only characters safe in a file name. */
static char *safe_id(const char *id) {
    char *s = wt_xstrdup(id && *id ? id : "scan");
    for (char *p = s; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
            *p = '_';
    }
    if (s[0] == '.') s[0] = '_';
    return s;
}

int wt_reports_write(const wt_scan_result *r, const char *dir, char **summary_path, char **err) {
    if (summary_path) *summary_path = NULL;
    if (!r || !dir || !*dir) {
        if (err) *err = wt_xstrdup("no reports directory");
        return WT_ERR_USAGE;
    }
    if (wt_mkdirs(dir, err) != 0) return WT_ERR_IO;
    char *id = safe_id(r->scan_id);
    static const struct { const char *which, *prefix; } files[] = {
        {"detailed", "detailed_reports_"},
        {"severity", "severity_mapped_detailed_reports_"},
        {"summary", "summary_reports_"}, /* last: its presence means all three are there */
    };
    int rc = WT_OK;
    for (size_t i = 0; i < sizeof files / sizeof files[0] && rc == WT_OK; i++) {
        char *path = wt_xasprintf("%s%s%s%s.json", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", files[i].prefix, id);
        char *s = wt_report_watchtower_string(r, files[i].which);
        if (wt_write_atomic(path, s, strlen(s), err) != 0) rc = WT_ERR_IO;
        free(s);
        if (rc == WT_OK && strcmp(files[i].which, "summary") == 0 && summary_path)
            *summary_path = path;
        else
            free(path);
    }
    free(id);
    return rc;
}
