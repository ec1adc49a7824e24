/*
 * report_json.c - the findings list (--format json) and the JSON shape of
 * one finding, shared by every report, the baseline and the web API.
 * Output is deterministic: no timestamps, no scan id, findings in the
 * result's (sorted) order, keys in a fixed order. See docs/reports.md.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "report/report_json.h"
#include "report/report_util.h"
#include "watchtower/watchtower.h"

static json_t *location_to_json(const wt_location *l) {
    json_t *o = json_object();
    if (l->has_offset) json_object_set_new(o, "offset", wt_juint(l->offset));
    if (l->line) json_object_set_new(o, "line", json_integer(l->line));
    if (l->column) json_object_set_new(o, "column", json_integer(l->column));
    if (l->end_line) json_object_set_new(o, "end_line", json_integer(l->end_line));
    if (l->end_column) json_object_set_new(o, "end_column", json_integer(l->end_column));
    if (l->cell >= 0 && (l->cell_part || l->cell_line || l->cell_id || l->cell > 0)) {
        json_object_set_new(o, "cell", json_integer(l->cell));
        if (l->cell_id) json_object_set_new(o, "cell_id", wt_jstr(l->cell_id));
        if (l->cell_part) json_object_set_new(o, "cell_part", wt_jstr(l->cell_part));
        if (l->cell_line) json_object_set_new(o, "cell_line", json_integer(l->cell_line));
    }
    return o;
}

json_t *wt_finding_to_json(const wt_finding *f) {
    if (!f) return NULL;
    const wt_rule *rule = f->rule_id ? wt_rule_find(f->rule_id) : NULL;
    json_t *o = json_object();
    json_object_set_new(o, "rule_id", wt_jstr(f->rule_id));
    json_object_set_new(o, "rule_name", rule && rule->name ? wt_jstr(rule->name) : json_null());
    json_object_set_new(o, "category", wt_jstr(wt_category_name(f->category)));
    json_object_set_new(o, "severity", wt_jstr(wt_severity_name(f->severity)));
    const char *a = f->artifact ? f->artifact : "";
    size_t tl = wt_report_top_len(a);
    json_object_set_new(o, "artifact", wt_jstr(a));
    json_object_set_new(o, "file", wt_jstrn(a, tl));
    json_object_set_new(o, "member", a[tl] == '!' ? wt_jstr(a + tl + 1) : json_null());
    json_object_set_new(o, "location", location_to_json(&f->loc));
    json_object_set_new(o, "message", wt_jstr(f->message));
    json_object_set_new(o, "evidence", wt_jstr(f->evidence));
    json_object_set_new(o, "fingerprint", wt_jstr(f->fingerprint));
    if (f->confidence >= 0 && isfinite(f->confidence))
        json_object_set_new(o, "confidence", json_real(round(f->confidence * 1000.0) / 1000.0));
    else
        json_object_set_new(o, "confidence", json_null());
    json_t *std = json_object();
    json_object_set_new(std, "cwe", rule && rule->cwe ? wt_jstr(rule->cwe) : json_null());
    json_object_set_new(std, "owasp", rule && rule->owasp ? wt_jstr(rule->owasp) : json_null());
    json_object_set_new(std, "atlas", rule && rule->atlas ? wt_jstr(rule->atlas) : json_null());
    json_object_set_new(std, "nist", rule && rule->nist ? wt_jstr(rule->nist) : json_null());
    json_object_set_new(o, "standards", std);
    json_object_set_new(o, "target", wt_jstr(f->target));
    if (f->props && json_is_object(f->props))
        json_object_set_new(o, "properties", json_deep_copy(f->props));
    else
        json_object_set_new(o, "properties", json_object());
    return o;
}

json_t *wt_report_counts_json(const wt_scan_result *r) {
    size_t c[5] = {0};
    for (size_t i = 0; i < r->nfindings; i++) {
        wt_severity s = r->findings[i]->severity;
        if (s >= WT_SEV_LOW && s <= WT_SEV_CRITICAL) c[s]++;
    }
    json_t *o = json_object();
    json_object_set_new(o, "critical", json_integer((json_int_t)c[WT_SEV_CRITICAL]));
    json_object_set_new(o, "high", json_integer((json_int_t)c[WT_SEV_HIGH]));
    json_object_set_new(o, "medium", json_integer((json_int_t)c[WT_SEV_MEDIUM]));
    json_object_set_new(o, "low", json_integer((json_int_t)c[WT_SEV_LOW]));
    json_object_set_new(o, "total", json_integer((json_int_t)r->nfindings));
    return o;
}

json_t *wt_report_json_doc(const wt_scan_result *r) {
    json_t *doc = json_object();
    json_object_set_new(doc, "format", json_string("watchtower-findings"));
    json_object_set_new(doc, "format_version", json_integer(1));
    json_t *tool = json_object();
    json_object_set_new(tool, "name", json_string("Watchtower"));
    json_object_set_new(tool, "version", json_string(WT_VERSION));
    json_object_set_new(doc, "tool", tool);
    json_t *scan = json_object();
    json_object_set_new(scan, "repo_type", wt_jstr(r->repo_type));
    json_object_set_new(scan, r->is_s3 ? "bucket" : "repo_url", wt_jstr(r->repo_url));
    json_object_set_new(scan, "artifacts", wt_juint(r->artifacts));
    json_object_set_new(scan, "artifacts_scanned", wt_juint(r->artifacts_scanned));
    json_object_set_new(scan, "models_found", wt_juint(r->models_found));
    json_object_set_new(scan, "models_scanned", wt_juint(r->models_scanned));
    json_object_set_new(scan, "notebooks_requirements_found", wt_juint(r->nbreq_found));
    json_object_set_new(scan, "notebooks_requirements_scanned", wt_juint(r->nbreq_scanned));
    json_object_set_new(scan, "bytes_total", wt_juint(r->bytes_total));
    json_object_set_new(doc, "scan", scan);
    json_object_set_new(doc, "counts", wt_report_counts_json(r));
    json_t *arr = json_array();
    for (size_t i = 0; i < r->nfindings; i++) json_array_append_new(arr, wt_finding_to_json(r->findings[i]));
    json_object_set_new(doc, "findings", arr);
    json_t *notes = json_array();
    for (size_t i = 0; i < r->nnotes; i++) json_array_append_new(notes, wt_jstr(r->notes[i]));
    json_object_set_new(doc, "notes", notes);
    return doc;
}

int wt_report_json(const wt_scan_result *r, FILE *out) {
    if (!r || !out) return WT_ERR_USAGE;
    json_t *doc = wt_report_json_doc(r);
    char *s = wt_json_dumps(doc);
    json_decref(doc);
    size_t n = strlen(s);
    int rc = fwrite(s, 1, n, out) == n ? WT_OK : WT_ERR_IO;
    free(s);
    if (rc == WT_OK && fflush(out) != 0) rc = WT_ERR_IO;
    return rc;
}
