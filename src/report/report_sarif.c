/*
 * report_sarif.c - SARIF 2.1.0 output (--format sarif): one run, the rules
 * that fired (with help text and the standards mapping), one result per
 * finding. Nested members are located by their top-level file's URI plus a
 * logical location naming the member. See docs/reports.md.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "report/report_util.h"
#include "watchtower/watchtower.h"

#define WT_INFO_URI "https://github.com/watchtower-ml/watchtower"

static const char *sarif_level(wt_severity s) {
    switch (s) {
    case WT_SEV_CRITICAL:
    case WT_SEV_HIGH: return "error";
    case WT_SEV_MEDIUM: return "warning";
    default: return "note";
    }
}

/* GitHub code scanning reads this as a CVSS-like score (a string). */
static const char *security_severity(wt_severity s) {
    switch (s) {
    case WT_SEV_CRITICAL: return "9.5";
    case WT_SEV_HIGH: return "8.0";
    case WT_SEV_MEDIUM: return "5.5";
    default: return "3.0";
    }
}

/* Percent-encode a relative path into a URI reference (RFC 3986). */
static char *uri_encode(const char *s, size_t n) {
    wt_buf b;
    wt_buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    strchr("-._~/!$&'()*+,;=@", c) != NULL;
        if (c == 0) break;
        if (keep) wt_buf_putc(&b, (char)c);
        else wt_buf_printf(&b, "%%%02X", c);
    }
    if (!b.data) wt_buf_puts(&b, "");
    return wt_buf_steal(&b);
}

static json_t *text_obj(const char *t) {
    json_t *o = json_object();
    json_object_set_new(o, "text", wt_jstr(t && *t ? t : "(none)"));
    return o;
}

static void add_tag(json_t *tags, const char *t) {
    if (!t || !*t) return;
    size_t i;
    json_t *v;
    json_array_foreach(tags, i, v) if (strcmp(json_string_value(v), t) == 0) return;
    json_array_append_new(tags, wt_jstr(t));
}

static json_t *rule_json(const char *id, const wt_rule *rule, wt_severity fired_max) {
    json_t *o = json_object();
    json_object_set_new(o, "id", wt_jstr(id));
    if (rule && rule->name) json_object_set_new(o, "name", wt_jstr(rule->name));
    const char *summary = rule && rule->summary ? rule->summary : id;
    json_object_set_new(o, "shortDescription", text_obj(summary));
    char *full = wt_xasprintf("%s%s%s", summary, rule && rule->why ? " " : "", rule && rule->why ? rule->why : "");
    json_object_set_new(o, "fullDescription", text_obj(full));
    free(full);
    wt_severity dsev = rule ? rule->severity : fired_max;
    json_t *dc = json_object();
    json_object_set_new(dc, "level", json_string(sarif_level(dsev)));
    json_object_set_new(o, "defaultConfiguration", dc);

    const char *cwe = rule ? rule->cwe : NULL, *owasp = rule ? rule->owasp : NULL;
    const char *atlas = rule ? rule->atlas : NULL, *nist = rule ? rule->nist : NULL;
    wt_buf t, m;
    wt_buf_init(&t);
    wt_buf_init(&m);
    wt_buf_printf(&t, "%s\n", summary);
    wt_buf_printf(&m, "**%s** %s\n\n", id, summary);
    wt_buf_printf(&t, "Default severity: %s.\n", wt_severity_name(dsev));
    wt_buf_printf(&m, "**Default severity:** %s\n\n", wt_severity_name(dsev));
    if (rule && rule->why) {
        wt_buf_printf(&t, "Why: %s\n", rule->why);
        wt_buf_printf(&m, "**Why:** %s\n\n", rule->why);
    }
    if (cwe || owasp || atlas || nist) {
        wt_buf_puts(&t, "Standards: ");
        wt_buf_puts(&m, "| Standard | Reference |\n| --- | --- |\n");
        const char *sep = "";
        if (cwe) { wt_buf_printf(&t, "%s%s", sep, cwe); sep = "; "; wt_buf_printf(&m, "| CWE | %s |\n", cwe); }
        if (owasp) { wt_buf_printf(&t, "%sOWASP %s", sep, owasp); sep = "; "; wt_buf_printf(&m, "| OWASP | %s |\n", owasp); }
        if (atlas) { wt_buf_printf(&t, "%sMITRE ATLAS %s", sep, atlas); sep = "; "; wt_buf_printf(&m, "| MITRE ATLAS | %s |\n", atlas); }
        if (nist) { wt_buf_printf(&t, "%sNIST AI RMF %s", sep, nist); wt_buf_printf(&m, "| NIST AI RMF | %s |\n", nist); }
        wt_buf_putc(&t, '\n');
    }
    json_t *help = json_object();
    json_object_set_new(help, "text", wt_jstr(t.data));
    json_object_set_new(help, "markdown", wt_jstr(m.data));
    json_object_set_new(o, "help", help);
    wt_buf_free(&t);
    wt_buf_free(&m);

    json_t *props = json_object();
    json_t *tags = json_array();
    add_tag(tags, "security");
    add_tag(tags, rule ? wt_category_name(rule->category) : NULL);
    add_tag(tags, cwe);
    if (cwe) {
        char *ext = wt_xasprintf("external/cwe/%s", cwe);
        for (char *p = ext; *p; p++) if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
        add_tag(tags, ext);
        free(ext);
    }
    json_object_set_new(props, "tags", tags);
    json_object_set_new(props, "severity", json_string(wt_severity_name(dsev)));
    if (rule) json_object_set_new(props, "category", json_string(wt_category_name(rule->category)));
    if (cwe) json_object_set_new(props, "cwe", wt_jstr(cwe));
    if (owasp) json_object_set_new(props, "owasp", wt_jstr(owasp));
    if (atlas) json_object_set_new(props, "atlas", wt_jstr(atlas));
    if (nist) json_object_set_new(props, "nist", wt_jstr(nist));
    json_object_set_new(props, "security-severity", json_string(security_severity(dsev)));
    json_object_set_new(o, "properties", props);
    return o;
}

static json_t *location_json(const wt_finding *f) {
    const char *a = f->artifact ? f->artifact : "";
    size_t tl = wt_report_top_len(a);
    bool nested = a[tl] == '!';
    json_t *loc = json_object();
    json_t *phys = json_object();
    json_t *al = json_object();
    char *uri = uri_encode(a, tl);
    json_object_set_new(al, "uri", json_string(uri));
    free(uri);
    json_object_set_new(phys, "artifactLocation", al);
    /* A region is only meaningful in the file the URI names. */
    if (!nested) {
        const wt_location *l = &f->loc;
        json_t *reg = NULL;
        if (l->line) {
            reg = json_object();
            json_object_set_new(reg, "startLine", json_integer(l->line));
            /* In a notebook the column counts in the decoded cell line, not in the
             * raw JSON line (indentation, quotes, escapes): the region is the raw
             * line, the cell column goes to the properties. */
            bool in_cell = l->cell >= 0 && l->cell_part;
            if (l->column && !in_cell) json_object_set_new(reg, "startColumn", json_integer(l->column));
            if (l->end_line >= l->line && l->end_line) json_object_set_new(reg, "endLine", json_integer(l->end_line));
            bool same_line = l->end_line == 0 || l->end_line == l->line;
            if (l->end_column && !in_cell && (!same_line || l->end_column >= l->column))
                json_object_set_new(reg, "endColumn", json_integer(l->end_column));
        } else if (l->has_offset) {
            reg = json_object();
            json_object_set_new(reg, "byteOffset", wt_juint(l->offset));
        }
        if (reg) json_object_set_new(phys, "region", reg);
    }
    json_object_set_new(loc, "physicalLocation", phys);
    if (nested) {
        json_t *lls = json_array();
        json_t *ll = json_object();
        json_object_set_new(ll, "name", wt_jstr(a + tl + 1));
        json_object_set_new(ll, "fullyQualifiedName", wt_jstr(a));
        json_object_set_new(ll, "kind", json_string("resource"));
        json_array_append_new(lls, ll);
        json_object_set_new(loc, "logicalLocations", lls);
        json_t *props = json_object();
        json_object_set_new(props, "member", wt_jstr(a + tl + 1));
        if (f->loc.has_offset) json_object_set_new(props, "memberByteOffset", wt_juint(f->loc.offset));
        if (f->loc.line) json_object_set_new(props, "memberLine", json_integer(f->loc.line));
        if (f->loc.column) json_object_set_new(props, "memberColumn", json_integer(f->loc.column));
        json_object_set_new(loc, "properties", props);
    }
    return loc;
}

static json_t *result_json(const wt_finding *f, size_t rule_index) {
    json_t *o = json_object();
    json_object_set_new(o, "ruleId", wt_jstr(f->rule_id ? f->rule_id : "WT-UNKNOWN"));
    json_object_set_new(o, "ruleIndex", json_integer((json_int_t)rule_index));
    json_object_set_new(o, "level", json_string(sarif_level(f->severity)));
    json_object_set_new(o, "message", text_obj(f->message));
    json_t *locs = json_array();
    json_array_append_new(locs, location_json(f));
    json_object_set_new(o, "locations", locs);
    if (f->fingerprint && *f->fingerprint) {
        json_t *pf = json_object();
        json_object_set_new(pf, "watchtowerFingerprint/v1", wt_jstr(f->fingerprint));
        json_object_set_new(o, "partialFingerprints", pf);
    }
    json_t *props = json_object();
    json_object_set_new(props, "severity", json_string(wt_severity_name(f->severity)));
    json_object_set_new(props, "category", json_string(wt_category_name(f->category)));
    json_object_set_new(props, "artifact", wt_jstr(f->artifact));
    /* several targets in one run: which root the URI is relative to */
    if (f->target) json_object_set_new(props, "target", wt_jstr(f->target));
    if (f->evidence) json_object_set_new(props, "evidence", wt_jstr(f->evidence));
    if (f->confidence >= 0 && f->confidence <= 1)
        json_object_set_new(props, "confidence", json_real((double)(long long)(f->confidence * 1000.0 + 0.5) / 1000.0));
    if (f->loc.cell >= 0 && f->loc.cell_part) {
        json_object_set_new(props, "cell", json_integer(f->loc.cell));
        json_object_set_new(props, "cellPart", json_string(f->loc.cell_part));
        if (f->loc.cell_line) json_object_set_new(props, "cellLine", json_integer(f->loc.cell_line));
        if (f->loc.column) json_object_set_new(props, "cellColumn", json_integer(f->loc.column));
        if (f->loc.cell_id) json_object_set_new(props, "cellId", wt_jstr(f->loc.cell_id));
    }
    json_object_set_new(o, "properties", props);
    return o;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *wt_report_sarif_doc(const wt_scan_result *r) {
    /* Rules that fired, sorted by id; index by binary search. */
    const char **ids = wt_xcalloc(r->nfindings ? r->nfindings : 1, sizeof *ids);
    size_t nids = 0;
    for (size_t i = 0; i < r->nfindings; i++)
        ids[nids++] = r->findings[i]->rule_id ? r->findings[i]->rule_id : "WT-UNKNOWN";
    qsort(ids, nids, sizeof *ids, cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < nids; i++)
        if (u == 0 || strcmp(ids[u - 1], ids[i]) != 0) ids[u++] = ids[i];
    nids = u;

    json_t *rules = json_array();
    for (size_t i = 0; i < nids; i++) {
        wt_severity maxs = WT_SEV_LOW;
        for (size_t k = 0; k < r->nfindings; k++) {
            const char *rid = r->findings[k]->rule_id ? r->findings[k]->rule_id : "WT-UNKNOWN";
            if (strcmp(rid, ids[i]) == 0 && r->findings[k]->severity > maxs) maxs = r->findings[k]->severity;
        }
        json_array_append_new(rules, rule_json(ids[i], wt_rule_find(ids[i]), maxs));
    }
    json_t *results = json_array();
    for (size_t i = 0; i < r->nfindings; i++) {
        const char *rid = r->findings[i]->rule_id ? r->findings[i]->rule_id : "WT-UNKNOWN";
        const char **hit = bsearch(&rid, ids, nids, sizeof *ids, cmp_str);
        json_array_append_new(results, result_json(r->findings[i], hit ? (size_t)(hit - ids) : 0));
    }
    free(ids);

    json_t *driver = json_object();
    json_object_set_new(driver, "name", json_string("Watchtower"));
    json_object_set_new(driver, "version", json_string(WT_VERSION));
    json_object_set_new(driver, "semanticVersion", json_string(WT_VERSION));
    json_object_set_new(driver, "informationUri", json_string(WT_INFO_URI));
    json_object_set_new(driver, "rules", rules);
    json_t *tool = json_object();
    json_object_set_new(tool, "driver", driver);

    json_t *run = json_object();
    json_object_set_new(run, "tool", tool);
    json_object_set_new(run, "results", results);
    json_object_set_new(run, "columnKind", json_string("unicodeCodePoints"));
    json_t *rprops = json_object();
    json_object_set_new(rprops, "repositoryType", wt_jstr(r->repo_type));
    json_object_set_new(rprops, r->is_s3 ? "bucketName" : "repositoryUrl", wt_jstr(r->repo_url));
    json_object_set_new(run, "properties", rprops);

    json_t *doc = json_object();
    json_object_set_new(doc, "$schema", json_string("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"));
    json_object_set_new(doc, "version", json_string("2.1.0"));
    json_t *runs = json_array();
    json_array_append_new(runs, run);
    json_object_set_new(doc, "runs", runs);
    return doc;
}

int wt_report_sarif(const wt_scan_result *r, FILE *out) {
    if (!r || !out) return WT_ERR_USAGE;
    json_t *doc = wt_report_sarif_doc(r);
    char *s = wt_json_dumps(doc);
    json_decref(doc);
    size_t n = strlen(s);
    int rc = fwrite(s, 1, n, out) == n ? WT_OK : WT_ERR_IO;
    free(s);
    if (rc == WT_OK && fflush(out) != 0) rc = WT_ERR_IO;
    return rc;
}
