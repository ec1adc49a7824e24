/*
 * test_reports.c - report writers and policy, on hand-built scan results:
 * the three Watchtower JSON reports (exact keys and order, structure, atomic
 * writes), --format json (shape, stability), SARIF 2.1.0 (structure and
 * validation against the OASIS schema), the text summary (colour control),
 * severity overrides and baselines.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/policy.h"
#include "core/util.h"
#include "harness.h"
#include "report/report_util.h"

/* ---- building results by hand ---- */
static wt_finding *mkf(const char *rule, wt_category cat, wt_severity sev, const char *artifact, const char *msg) {
    wt_finding *f = wt_xcalloc(1, sizeof *f);
    f->rule_id = wt_xstrdup(rule);
    f->category = cat;
    f->severity = sev;
    f->artifact = wt_xstrdup(artifact);
    f->loc.cell = -1;
    f->message = wt_xstrdup(msg);
    f->confidence = -1;
    char hex[65];
    char *k = wt_xasprintf("%s|%s|%s", rule, artifact, msg);
    wt_sha256_hex(k, strlen(k), hex);
    free(k);
    f->fingerprint = wt_xstrndup(hex, 32);
    return f;
}

static void tf_free(void *p) {
    wt_finding *f = p;
    free(f->rule_id);
    free(f->artifact);
    free(f->loc.cell_id);
    free(f->message);
    free(f->evidence);
    free(f->fingerprint);
    free(f->target);
    if (f->props) json_decref(f->props);
    free(f);
}

static void add_f(wt_scan_result *r, wt_finding *f) {
    r->findings = wt_xrealloc(r->findings, (r->nfindings + 1) * sizeof *r->findings);
    r->findings[r->nfindings++] = f;
}

static void add_info(wt_scan_result *r, const char *name, const char *kind, uint64_t size) {
    r->infos = wt_xrealloc(r->infos, (r->ninfos + 1) * sizeof *r->infos);
    r->infos[r->ninfos].name = wt_xstrdup(name);
    r->infos[r->ninfos].kind = wt_xstrdup(kind);
    r->infos[r->ninfos].size = size;
    r->ninfos++;
}

/* A folder with a malicious pickle, a zip holding a pickle, a notebook with a
 * secret, a requirements file, a model with unknown content and a README. */
static wt_scan_result *sample(const char *scan_id) {
    wt_scan_result *r = wt_xcalloc(1, sizeof *r);
    r->scan_id = wt_xstrdup(scan_id);
    r->repo_type = wt_xstrdup("folder");
    r->repo_url = wt_xstrdup("/data/models");
    r->artifacts = 7;
    r->artifacts_scanned = 7;
    r->models_found = 4;
    r->models_scanned = 4;
    r->nbreq_found = 2;
    r->nbreq_scanned = 2;
    r->bytes_total = 123456;
    r->bytes_read = 4096;
    r->seconds = 0.25;

    wt_finding *f = mkf("WT-TEST-001", WT_CAT_MODEL, WT_SEV_CRITICAL, "bad.pkl", "Calls os.system");
    f->loc.offset = 42;
    f->loc.has_offset = true;
    f->evidence = wt_xstrdup("os.system('true')");
    f->confidence = 0.9;
    add_f(r, f);
    f = mkf("WT-TEST-002", WT_CAT_MODEL, WT_SEV_MEDIUM, "bad.pkl", "Unknown global foo.bar");
    add_f(r, f);
    f = mkf("WT-SCAN-003", WT_CAT_MODEL, WT_SEV_MEDIUM, "dir with space/weird#.bin", "Unscannable model");
    add_f(r, f);
    f = mkf("WT-TEST-001", WT_CAT_MODEL, WT_SEV_HIGH, "models.zip!archive/data.pkl", "Calls subprocess.Popen");
    f->loc.offset = 7;
    f->loc.has_offset = true;
    add_f(r, f);
    f = mkf("WT-SCAN-002", WT_CAT_SCAN, WT_SEV_MEDIUM, "models.zip", "Zip bomb ratio");
    add_f(r, f);
    f = mkf("WT-SECRETX-001", WT_CAT_SECRET, WT_SEV_HIGH, "nb.ipynb", "AWS key");
    f->loc.line = 12;
    f->loc.column = 5;
    f->loc.cell = 3;
    f->loc.cell_part = "source";
    f->loc.cell_line = 2;
    f->evidence = wt_xstrdup("AKIA********");
    f->props = json_pack("{s:s}", "service", "aws");
    add_f(r, f);
    f = mkf("WT-DEPX-001", WT_CAT_DEPENDENCY, WT_SEV_LOW, "requirements.txt", "pillow 8.0.0 vulnerable");
    f->loc.line = 3;
    add_f(r, f);
    f = mkf("WT-SCAN-001", WT_CAT_SCAN, WT_SEV_LOW, "requirements.txt", "Malformed line");
    add_f(r, f);
    f = mkf("WT-SCAN-001", WT_CAT_SCAN, WT_SEV_LOW, "README.md", "Unreadable");
    add_f(r, f);

    add_info(r, "README.md", "other", 10);
    add_info(r, "bad.pkl", "pickle", 100);
    add_info(r, "clean.safetensors", "safetensors", 1000);
    add_info(r, "dir with space/weird#.bin", "other", 10);
    add_info(r, "models.zip", "zip", 1000);
    add_info(r, "nb.ipynb", "notebook", 100);
    add_info(r, "requirements.txt", "requirements", 100);
    r->notes = wt_xcalloc(1, sizeof *r->notes);
    r->notes[0] = wt_xstrdup("dependency checks skipped: no OSV database");
    r->nnotes = 1;
    return r;
}

static json_t *parse(const char *s) {
    json_error_t e;
    json_t *j = json_loads(s, 0, &e);
    if (!j) fprintf(stderr, "    JSON parse error: %s (line %d)\n", e.text, e.line);
    return j;
}

static json_int_t geti(json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }

/* ---- summary ---- */
WT_TEST(summary_has_exact_keys_in_order) {
    wt_scan_result *r = sample("S1");
    char *s = wt_report_watchtower_string(r, "summary");
    json_t *j = parse(s);
    CHECK(j != NULL);
    static const char *const keys[] = {
        "Repository Type", "Repository URL", "Total Number of Model Found",
        "Total Number of Notebooks & Requirement files Found", "Total Number of Model Scanned",
        "Total Number of Notebooks & Requirement files Scanned",
        "Total Notebook & Requirement files Vulnerabilities Found", "Total Model Vulnerabilities Found",
    };
    size_t i = 0;
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v) {
        CHECK(i < 8);
        if (i < 8) CHECK_STR(k, keys[i]);
        i++;
    }
    CHECK_INT(i, 8);
    static const char *const sev[] = {"Critical", "High", "Medium", "Low"};
    for (int b = 6; b <= 7; b++) {
        json_t *o = json_object_get(j, keys[b]);
        CHECK(json_is_object(o));
        size_t n = 0;
        json_object_foreach(o, k, v) {
            if (n < 4) CHECK_STR(k, sev[n]);
            CHECK(json_is_integer(v));
            n++;
        }
        CHECK_INT(n, 4);
    }
    /* And the raw text really lists them in this order. */
    const char *p = s;
    for (i = 0; i < 8; i++) {
        char *q = wt_xasprintf("\"%s\"", keys[i]);
        const char *hit = strstr(p, q);
        CHECK(hit != NULL);
        if (hit) p = hit;
        free(q);
    }
    CHECK_STR(json_string_value(json_object_get(j, "Repository Type")), "folder");
    CHECK_STR(json_string_value(json_object_get(j, "Repository URL")), "/data/models");
    CHECK_INT(geti(j, "Total Number of Model Found"), 4);
    CHECK_INT(geti(j, "Total Number of Notebooks & Requirement files Scanned"), 2);
    json_decref(j);
    free(s);
    wt_scan_result_free(r);
}

WT_TEST(summary_counts_models_and_notebook_requirement_findings) {
    wt_scan_result *r = sample("S2");
    char *s = wt_report_watchtower_string(r, "summary");
    json_t *j = parse(s);
    json_t *m = json_object_get(j, "Total Model Vulnerabilities Found");
    json_t *n = json_object_get(j, "Total Notebook & Requirement files Vulnerabilities Found");
    /* model: critical bad.pkl, high zip member, medium x3 (bad.pkl global,
     * unscannable .bin, scan limit on models.zip: a file with model findings
     * is a model file) */
    CHECK_INT(geti(m, "Critical"), 1);
    CHECK_INT(geti(m, "High"), 1);
    CHECK_INT(geti(m, "Medium"), 3);
    CHECK_INT(geti(m, "Low"), 0);
    CHECK_INT(geti(n, "Critical"), 0);
    CHECK_INT(geti(n, "High"), 1);  /* secret in notebook */
    CHECK_INT(geti(n, "Medium"), 0);
    CHECK_INT(geti(n, "Low"), 2);   /* dependency + scan error on requirements.txt; README.md's is neither */
    json_decref(j);
    free(s);
    wt_scan_result_free(r);
}

WT_TEST(summary_scan_finding_on_model_file_counts_as_model) {
    wt_scan_result *r = sample("S3");
    /* a budget finding on a real model file (by extension and by kind) */
    add_f(r, mkf("WT-SCAN-002", WT_CAT_SCAN, WT_SEV_HIGH, "big.pt", "budget"));
    add_f(r, mkf("WT-SCAN-002", WT_CAT_SCAN, WT_SEV_HIGH, "noext", "budget"));
    add_info(r, "noext", "pytorch-zip", 5);
    char *s = wt_report_watchtower_string(r, "summary");
    json_t *j = parse(s);
    CHECK_INT(geti(json_object_get(j, "Total Model Vulnerabilities Found"), "High"), 3);
    json_decref(j);
    free(s);
    wt_scan_result_free(r);
}

WT_TEST(summary_for_s3_names_the_bucket) {
    wt_scan_result *r = sample("S4");
    r->is_s3 = true;
    free(r->repo_type);
    r->repo_type = wt_xstrdup("s3");
    free(r->repo_url);
    r->repo_url = wt_xstrdup("my-bucket");
    char *s = wt_report_watchtower_string(r, "summary");
    json_t *j = parse(s);
    CHECK(json_object_get(j, "Repository URL") == NULL);
    CHECK_STR(json_string_value(json_object_get(j, "Bucket Name")), "my-bucket");
    const char *k;
    json_t *v;
    int i = 0;
    json_object_foreach(j, k, v) {
        if (i == 1) CHECK_STR(k, "Bucket Name");
        i++;
    }
    json_decref(j);
    free(s);
    wt_scan_result_free(r);
}

/* ---- detailed / severity-mapped ---- */
WT_TEST(detailed_is_keyed_by_top_level_file_with_structured_logs) {
    wt_scan_result *r = sample("D1");
    char *s = wt_report_watchtower_string(r, "detailed");
    json_t *j = parse(s);
    CHECK(json_is_object(j));
    /* nested member grouped under its top-level zip, never its own key */
    CHECK(json_object_get(j, "models.zip!archive/data.pkl") == NULL);
    json_t *zip = json_object_get(j, "models.zip");
    CHECK(json_is_object(zip));
    CHECK_STR(json_string_value(json_object_get(zip, "file_name")), "models.zip");
    json_t *reps = json_object_get(zip, "scanning_reports");
    CHECK(json_is_array(reps));
    CHECK_INT(json_array_size(reps), 2); /* tools "test" and "scan" */
    size_t i;
    json_t *rep;
    size_t total = 0;
    json_array_foreach(reps, i, rep) {
        CHECK_INT(json_object_size(rep), 2);
        CHECK(json_is_string(json_object_get(rep, "tool")));
        json_t *log = json_object_get(rep, "output_log");
        CHECK(json_is_array(log)); /* structured, not a stringified object */
        size_t k;
        json_t *f;
        json_array_foreach(log, k, f) {
            CHECK(json_is_object(f));
            CHECK(json_is_string(json_object_get(f, "rule_id")));
            CHECK(json_object_get(f, "vulnerability_severity") == NULL);
            total++;
        }
    }
    CHECK_INT(total, 2);
    CHECK_STR(json_string_value(json_object_get(json_array_get(reps, 0), "tool")), "test");
    json_t *member = json_array_get(json_object_get(json_array_get(reps, 0), "output_log"), 0);
    CHECK_STR(json_string_value(json_object_get(member, "artifact")), "models.zip!archive/data.pkl");
    CHECK_STR(json_string_value(json_object_get(member, "member")), "archive/data.pkl");
    /* every artifact has an entry, also clean ones */
    json_t *clean = json_object_get(j, "clean.safetensors");
    CHECK(json_is_object(clean));
    CHECK_INT(json_array_size(json_object_get(clean, "scanning_reports")), 0);
    CHECK_INT(json_object_size(j), 7);
    /* keys in the order of entries: first key = first finding's file */
    json_t *first = json_object_iter_value(json_object_iter(j));
    CHECK_STR(json_string_value(json_object_get(first, "file_name")), "bad.pkl");
    json_decref(j);
    free(s);
    wt_scan_result_free(r);
}

WT_TEST(severity_mapped_report_adds_vulnerability_severity_to_every_finding) {
    wt_scan_result *r = sample("D2");
    char *s = wt_report_watchtower_string(r, "severity");
    json_t *j = parse(s);
    const char *key;
    json_t *e;
    size_t n = 0;
    json_object_foreach(j, key, e) {
        CHECK_STR(json_string_value(json_object_get(e, "file_name")), key);
        size_t i, k;
        json_t *rep, *f;
        json_array_foreach(json_object_get(e, "scanning_reports"), i, rep) {
            json_array_foreach(json_object_get(rep, "output_log"), k, f) {
                const char *vs = json_string_value(json_object_get(f, "vulnerability_severity"));
                const char *sv = json_string_value(json_object_get(f, "severity"));
                CHECK(vs && sv);
                if (vs && sv) {
                    CHECK(strcasecmp(vs, sv) == 0);
                    CHECK(vs[0] >= 'A' && vs[0] <= 'Z');
                }
                n++;
            }
        }
    }
    CHECK_INT(n, r->nfindings);
    CHECK(wt_report_watchtower_string(r, "bogus") == NULL);
    json_decref(j);
    free(s);
    wt_scan_result_free(r);
}

/* ---- atomic writes ---- */
static int count_dir(const char *dir, int *hidden) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        if (de->d_name[0] == '.' || strstr(de->d_name, "tmp")) (*hidden)++;
        n++;
    }
    closedir(d);
    return n;
}

static char *read_all(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    wt_buf b;
    wt_buf_init(&b);
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) wt_buf_append(&b, tmp, n);
    fclose(f);
    if (!b.data) wt_buf_puts(&b, "");
    return wt_buf_steal(&b);
}

WT_TEST(reports_are_written_atomically_with_their_names) {
    wt_scan_result *r = sample("20260101T000000Z-1-abcd");
    char *dir = wt_xasprintf("%s/deep/er/reports", wt_t_tmpdir());
    char *summary = NULL, *err = NULL;
    CHECK_INT(wt_reports_write(r, dir, &summary, &err), WT_OK);
    char *want = wt_xasprintf("%s/summary_reports_20260101T000000Z-1-abcd.json", dir);
    CHECK_STR(summary, want);
    int hidden = 0;
    CHECK_INT(count_dir(dir, &hidden), 3);
    CHECK_INT(hidden, 0); /* no temp file left behind */
    static const char *const names[][2] = {
        {"summary_reports_", "summary"},
        {"detailed_reports_", "detailed"},
        {"severity_mapped_detailed_reports_", "severity"},
    };
    for (int i = 0; i < 3; i++) {
        char *p = wt_xasprintf("%s/%s20260101T000000Z-1-abcd.json", dir, names[i][0]);
        char *got = read_all(p);
        char *exp = wt_report_watchtower_string(r, names[i][1]);
        CHECK(got != NULL);
        if (got) CHECK_STR(got, exp);
        free(got);
        free(exp);
        free(p);
    }
    /* writing again replaces the files in place */
    free(summary);
    summary = NULL;
    CHECK_INT(wt_reports_write(r, dir, &summary, &err), WT_OK);
    hidden = 0;
    CHECK_INT(count_dir(dir, &hidden), 3);
    CHECK_INT(hidden, 0);
    free(summary);
    free(want);
    free(dir);
    wt_scan_result_free(r);
}

WT_TEST(reports_write_fails_cleanly_when_dir_is_a_file) {
    wt_scan_result *r = sample("X");
    char *file = wt_t_write(wt_t_tmpdir(), "plainfile", "x", 1);
    char *dir = wt_xasprintf("%s/sub", file);
    char *summary = NULL, *err = NULL;
    CHECK(wt_reports_write(r, file, &summary, &err) != WT_OK);
    CHECK(summary == NULL);
    CHECK(err != NULL);
    free(err);
    err = NULL;
    CHECK(wt_reports_write(r, dir, &summary, &err) != WT_OK);
    CHECK(err != NULL);
    free(err);
    free(dir);
    free(file);
    wt_scan_result_free(r);
}

/* ---- --format json ---- */
static char *render(int (*fn)(const wt_scan_result *, FILE *), const wt_scan_result *r) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK_INT(fn(r, f), WT_OK);
    fclose(f);
    return buf;
}

WT_TEST(json_findings_are_byte_identical_across_runs) {
    wt_scan_result *a = sample("RUN-A");
    wt_scan_result *b = sample("RUN-B"); /* different id and timing */
    b->seconds = 9.0;
    b->bytes_read = 1;
    char *ja = render(wt_report_json, a);
    char *ja2 = render(wt_report_json, a);
    char *jb = render(wt_report_json, b);
    CHECK_STR(ja, ja2);
    CHECK_STR(ja, jb);
    CHECK(strstr(ja, "RUN-A") == NULL);
    free(ja);
    free(ja2);
    free(jb);
    wt_scan_result_free(a);
    wt_scan_result_free(b);
}

WT_TEST(json_document_has_documented_shape) {
    wt_scan_result *r = sample("J1");
    char *s = render(wt_report_json, r);
    json_t *j = parse(s);
    static const char *const top[] = {"format", "format_version", "tool", "scan", "counts", "findings", "notes"};
    const char *k;
    json_t *v;
    size_t i = 0;
    json_object_foreach(j, k, v) {
        if (i < 7) CHECK_STR(k, top[i]);
        i++;
    }
    CHECK_INT(i, 7);
    json_t *c = json_object_get(j, "counts");
    CHECK_INT(geti(c, "critical"), 1);
    CHECK_INT(geti(c, "high"), 2);
    CHECK_INT(geti(c, "medium"), 3);
    CHECK_INT(geti(c, "low"), 3);
    CHECK_INT(geti(c, "total"), 9);
    json_t *fs = json_object_get(j, "findings");
    CHECK_INT(json_array_size(fs), 9);
    json_t *f0 = json_array_get(fs, 0);
    static const char *const fk[] = {"rule_id", "rule_name", "category", "severity", "artifact", "file", "member",
                                     "location", "message", "evidence", "fingerprint", "confidence", "standards",
                                     "target", "properties"};
    i = 0;
    json_object_foreach(f0, k, v) {
        if (i < 15) CHECK_STR(k, fk[i]);
        i++;
    }
    CHECK_INT(i, 15);
    CHECK_INT(geti(json_object_get(f0, "location"), "offset"), 42);
    CHECK(json_real_value(json_object_get(f0, "confidence")) > 0.89);
    json_t *nb = json_array_get(fs, 5);
    CHECK_STR(json_string_value(json_object_get(nb, "artifact")), "nb.ipynb");
    json_t *loc = json_object_get(nb, "location");
    CHECK_INT(geti(loc, "line"), 12);
    CHECK_INT(geti(loc, "cell"), 3);
    CHECK_STR(json_string_value(json_object_get(loc, "cell_part")), "source");
    CHECK_STR(json_string_value(json_object_get(json_object_get(nb, "properties"), "service")), "aws");
    /* a core rule carries its standards mapping */
    json_t *scan3 = json_array_get(fs, 2);
    CHECK_STR(json_string_value(json_object_get(scan3, "rule_id")), "WT-SCAN-003");
    CHECK_STR(json_string_value(json_object_get(json_object_get(scan3, "standards"), "cwe")), "CWE-502");
    CHECK_STR(json_string_value(json_array_get(json_object_get(j, "notes"), 0)),
              "dependency checks skipped: no OSV database");
    json_decref(j);
    free(s);
    wt_scan_result_free(r);
}

WT_TEST(finding_json_survives_invalid_utf8_names) {
    wt_finding *f = mkf("WT-TEST-001", WT_CAT_MODEL, WT_SEV_HIGH, "bad\xff\xfename.pkl", "msg \xc3");
    json_t *j = wt_finding_to_json(f);
    CHECK_STR(json_string_value(json_object_get(j, "artifact")), "bad\\xff\\xfename.pkl");
    CHECK_STR(json_string_value(json_object_get(j, "message")), "msg \\xc3");
    json_decref(j);
    wt_scan_result r = {0};
    wt_finding *arr[1] = {f};
    r.findings = arr;
    r.nfindings = 1;
    char *s = wt_report_watchtower_string(&r, "detailed");
    CHECK(s && strstr(s, "bad\\\\xff\\\\xfename.pkl") != NULL);
    free(s);
    tf_free(f);
}

/* ---- SARIF ---- */
WT_TEST(sarif_structure_levels_rules_and_locations) {
    wt_scan_result *r = sample("SA1");
    char *s = render(wt_report_sarif, r);
    json_t *j = parse(s);
    CHECK_STR(json_string_value(json_object_get(j, "version")), "2.1.0");
    json_t *runs = json_object_get(j, "runs");
    CHECK_INT(json_array_size(runs), 1);
    json_t *run = json_array_get(runs, 0);
    json_t *driver = json_object_get(json_object_get(run, "tool"), "driver");
    CHECK_STR(json_string_value(json_object_get(driver, "name")), "Watchtower");
    CHECK_STR(json_string_value(json_object_get(driver, "version")), WT_VERSION);
    CHECK(json_is_string(json_object_get(driver, "informationUri")));
    json_t *rules = json_object_get(driver, "rules");
    /* exactly the rules that fired, once each */
    CHECK_INT(json_array_size(rules), 7);
    json_t *results = json_object_get(run, "results");
    CHECK_INT(json_array_size(results), r->nfindings);
    size_t i;
    json_t *res;
    json_array_foreach(results, i, res) {
        const wt_finding *f = r->findings[i];
        CHECK_STR(json_string_value(json_object_get(res, "ruleId")), f->rule_id);
        json_t *rule = json_array_get(rules, (size_t)geti(res, "ruleIndex"));
        CHECK_STR(json_string_value(json_object_get(rule, "id")), f->rule_id);
        const char *lvl = json_string_value(json_object_get(res, "level"));
        const char *want = f->severity >= WT_SEV_HIGH ? "error" : f->severity == WT_SEV_MEDIUM ? "warning" : "note";
        CHECK_STR(lvl, want);
        CHECK_STR(json_string_value(json_object_get(json_object_get(res, "properties"), "severity")),
                  wt_severity_name(f->severity));
        CHECK_STR(json_string_value(json_object_get(json_object_get(res, "partialFingerprints"),
                                                    "watchtowerFingerprint/v1")), f->fingerprint);
    }
    /* rule metadata of a known rule */
    json_t *rule3 = NULL;
    json_t *rl;
    json_array_foreach(rules, i, rl) if (!strcmp(json_string_value(json_object_get(rl, "id")), "WT-SCAN-003")) rule3 = rl;
    CHECK(rule3 != NULL);
    if (rule3) {
        CHECK_STR(json_string_value(json_object_get(rule3, "name")), "UnscannableModelFile");
        json_t *p = json_object_get(rule3, "properties");
        CHECK_STR(json_string_value(json_object_get(p, "cwe")), "CWE-502");
        CHECK_STR(json_string_value(json_object_get(p, "security-severity")), "5.5");
        CHECK(strstr(json_string_value(json_object_get(json_object_get(rule3, "help"), "markdown")), "CWE-502"));
        CHECK(json_array_size(json_object_get(p, "tags")) >= 2);
    }
    /* byte offset region on a top-level file */
    json_t *pl = json_object_get(json_array_get(json_object_get(json_array_get(results, 0), "locations"), 0),
                                 "physicalLocation");
    CHECK_STR(json_string_value(json_object_get(json_object_get(pl, "artifactLocation"), "uri")), "bad.pkl");
    CHECK_INT(geti(json_object_get(pl, "region"), "byteOffset"), 42);
    /* percent-encoded relative URI */
    pl = json_object_get(json_array_get(json_object_get(json_array_get(results, 2), "locations"), 0), "physicalLocation");
    CHECK_STR(json_string_value(json_object_get(json_object_get(pl, "artifactLocation"), "uri")),
              "dir%20with%20space/weird%23.bin");
    /* nested member: top-level uri + logical location, no region in the zip */
    json_t *loc = json_array_get(json_object_get(json_array_get(results, 3), "locations"), 0);
    pl = json_object_get(loc, "physicalLocation");
    CHECK_STR(json_string_value(json_object_get(json_object_get(pl, "artifactLocation"), "uri")), "models.zip");
    CHECK(json_object_get(pl, "region") == NULL);
    json_t *ll = json_array_get(json_object_get(loc, "logicalLocations"), 0);
    CHECK_STR(json_string_value(json_object_get(ll, "name")), "archive/data.pkl");
    CHECK_STR(json_string_value(json_object_get(ll, "fullyQualifiedName")), "models.zip!archive/data.pkl");
    CHECK_INT(geti(json_object_get(loc, "properties"), "memberByteOffset"), 7);
    /* line region on a notebook: the raw .ipynb line; the column counts in the decoded cell
     * line, so it is a property (cellColumn), not a column of the raw JSON line */
    pl = json_object_get(json_array_get(json_object_get(json_array_get(results, 5), "locations"), 0), "physicalLocation");
    CHECK_INT(geti(json_object_get(pl, "region"), "startLine"), 12);
    CHECK(json_object_get(json_object_get(pl, "region"), "startColumn") == NULL);
    CHECK_INT(geti(json_object_get(json_array_get(results, 5), "properties"), "cellColumn"), 5);
    json_decref(j);
    free(s);
    wt_scan_result_free(r);
}

static int validate_sarif_file(const char *path) {
    /* the schema and validator sit next to this file */
    char *dir = wt_xstrdup(__FILE__);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = 0;
    else strcpy(dir, ".");
    const char *src = getenv("WT_SRC");
    char *base = src && *src ? wt_xasprintf("%s/tests/reports", src) : wt_xstrdup(dir);
    char *cmd = wt_xasprintf("%s '%s/validate_json_schema.py' '%s/sarif-schema-2.1.0.json' '%s'",
                             wt_t_env("WT_PYTHON", "/usr/bin/python3"), base, base, path);
    int rc = system(cmd);
    free(cmd);
    free(base);
    free(dir);
    return rc;
}

WT_TEST(sarif_validates_against_the_oasis_schema) {
    wt_scan_result *r = sample("SV1");
    char *s = render(wt_report_sarif, r);
    char *p = wt_t_write(wt_t_tmpdir(), "out.sarif", s, strlen(s));
    CHECK_INT(validate_sarif_file(p), 0);
    free(p);
    free(s);
    /* empty result too */
    wt_scan_result e = {0};
    s = render(wt_report_sarif, &e);
    p = wt_t_write(wt_t_tmpdir(), "empty.sarif", s, strlen(s));
    CHECK_INT(validate_sarif_file(p), 0);
    free(p);
    free(s);
    wt_scan_result_free(r);
}

WT_TEST(schema_validator_rejects_invalid_sarif) {
    /* the validator itself can fail: a level outside the enum and a missing
     * required "runs" property are rejected */
    const char *bad1 = "{\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"x\"}},"
                       "\"results\":[{\"message\":{\"text\":\"m\"},\"level\":\"fatal\"}]}]}";
    const char *bad2 = "{\"version\":\"2.1.0\"}";
    char *p1 = wt_t_write(wt_t_tmpdir(), "bad1.sarif", bad1, strlen(bad1));
    char *p2 = wt_t_write(wt_t_tmpdir(), "bad2.sarif", bad2, strlen(bad2));
    CHECK(validate_sarif_file(p1) != 0);
    CHECK(validate_sarif_file(p2) != 0);
    free(p1);
    free(p2);
}

/* ---- text ---- */
WT_TEST(text_summary_without_colour_has_no_escape_codes) {
    wt_scan_result *r = sample("T1");
    add_f(r, mkf("WT-TEST-003", WT_CAT_MODEL, WT_SEV_LOW, "evil\033[31mname.pkl", "msg\x07"));
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK_INT(wt_report_text(r, f, false, false), WT_OK);
    fclose(f);
    CHECK(strchr(buf, '\033') == NULL);
    CHECK(strchr(buf, '\a') == NULL);
    CHECK(strstr(buf, "evil\\x1b[31mname.pkl") != NULL);
    CHECK(strstr(buf, "WT-TEST-001") != NULL);
    CHECK(strstr(buf, "archive/data.pkl") != NULL);
    CHECK(strstr(buf, "Critical") != NULL);
    CHECK(strstr(buf, "cell 3 source line 2") != NULL);
    CHECK(strstr(buf, "offset 42") != NULL);
    CHECK(strstr(buf, "dependency checks skipped") != NULL);
    free(buf);
    buf = NULL;
    f = open_memstream(&buf, &len);
    CHECK_INT(wt_report_text(r, f, true, true), WT_OK);
    fclose(f);
    CHECK(strchr(buf, '\033') != NULL);
    CHECK(strstr(buf, "fingerprint:") != NULL);
    free(buf);
    wt_scan_result_free(r);
}

WT_TEST(text_summary_of_clean_scan) {
    wt_scan_result r = {0};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK_INT(wt_report_text(&r, f, false, false), WT_OK);
    fclose(f);
    CHECK(strstr(buf, "No findings.") != NULL);
    free(buf);
}

/* ---- policy ---- */
WT_TEST(policy_overrides_last_match_wins_and_off_drops) {
    wt_scan_result *r = sample("P1");
    wt_policy *p = wt_policy_new();
    char *err = NULL;
    const char *txt = "# comment\n"
                      "WT-TEST-* low\n"
                      "WT-TEST-001 critical   # all of them critical again\n"
                      "WT-SCAN-001 off README.md\n"
                      "\n"
                      "WT-SECRETX-001 medium nb.*\n";
    CHECK_INT(wt_policy_parse_overrides(p, txt, strlen(txt), "t", &err), 0);
    CHECK_INT(wt_policy_noverrides(p), 4);
    size_t before = r->nfindings;
    CHECK_INT(wt_policy_apply_result(p, r), 1);
    CHECK_INT(r->nfindings, before - 1);
    for (size_t i = 0; i < r->nfindings; i++) {
        const wt_finding *f = r->findings[i];
        CHECK(!(strcmp(f->rule_id, "WT-SCAN-001") == 0 && strcmp(f->artifact, "README.md") == 0));
        if (!strcmp(f->rule_id, "WT-TEST-001")) CHECK_INT(f->severity, WT_SEV_CRITICAL);
        if (!strcmp(f->rule_id, "WT-TEST-002")) CHECK_INT(f->severity, WT_SEV_LOW);
        if (!strcmp(f->rule_id, "WT-SECRETX-001")) CHECK_INT(f->severity, WT_SEV_MEDIUM);
        if (!strcmp(f->rule_id, "WT-SCAN-001")) CHECK_INT(f->severity, WT_SEV_LOW); /* on requirements.txt */
    }
    /* idempotent */
    CHECK_INT(wt_policy_apply_result(p, r), 0);
    wt_policy_free(p);
    wt_scan_result_free(r);
}

WT_TEST(policy_rejects_bad_lines) {
    wt_policy *p = wt_policy_new();
    char *err = NULL;
    CHECK(wt_policy_parse_overrides(p, "WT-X-1 severe\n", 14, "pol.txt", &err) != 0);
    CHECK(err && strstr(err, "pol.txt:1") != NULL);
    free(err);
    err = NULL;
    CHECK(wt_policy_parse_overrides(p, "WT-X-1\n", 7, "pol.txt", &err) != 0);
    free(err);
    err = NULL;
    CHECK(wt_policy_load_overrides(p, "/nonexistent/policy", &err) != 0);
    free(err);
    wt_policy_free(p);
}

WT_TEST(baseline_from_json_output_suppresses_known_findings) {
    wt_scan_result *r = sample("B1");
    char *path = wt_xasprintf("%s/baseline.json", wt_t_tmpdir());
    char *err = NULL;
    CHECK_INT(wt_baseline_write(r, path, &err), 0);
    /* a new finding appears in the next scan */
    wt_scan_result *r2 = sample("B2");
    add_f(r2, mkf("WT-TEST-009", WT_CAT_MODEL, WT_SEV_HIGH, "new.pkl", "new problem"));
    wt_policy *p = wt_policy_new();
    CHECK_INT(wt_policy_load_baseline(p, path, &err), 0);
    CHECK_INT(wt_policy_nbaseline(p), 9);
    CHECK_INT(wt_policy_apply_result(p, r2), 9);
    CHECK_INT(r2->nfindings, 1);
    CHECK_STR(r2->findings[0]->rule_id, "WT-TEST-009");
    CHECK(strstr(r2->notes[r2->nnotes - 1], "baseline: 9") != NULL);
    wt_policy_free(p);

    /* the scan core's entry point (options.baseline) does the same */
    wt_scan_result *r3 = sample("B3");
    add_f(r3, mkf("WT-TEST-009", WT_CAT_MODEL, WT_SEV_HIGH, "new.pkl", "new problem"));
    wt_vec v = {0};
    for (size_t i = 0; i < r3->nfindings; i++) wt_vec_push(&v, r3->findings[i]);
    r3->nfindings = 0;
    wt_scan_options o;
    wt_scan_options_default(&o);
    o.baseline = path;
    wt_policy_apply(&o, &v, tf_free);
    CHECK_INT(v.len, 1);
    if (v.len == 1) CHECK_STR(((wt_finding *)v.items[0])->rule_id, "WT-TEST-009");
    wt_vec_free(&v, tf_free);
    wt_vec_free(&v, NULL);
    wt_scan_result_free(r3);

    /* a non-baseline file is an error */
    char *bad = wt_t_write(wt_t_tmpdir(), "bad.json", "{\"x\":1}", 7);
    p = wt_policy_new();
    CHECK(wt_policy_load_baseline(p, bad, &err) != 0);
    free(err);
    wt_policy_free(p);
    free(bad);
    free(path);
    wt_scan_result_free(r);
    wt_scan_result_free(r2);
}

WT_TEST(reports_tolerate_findings_with_missing_fields) {
    wt_scan_result *r = wt_xcalloc(1, sizeof *r);
    wt_finding *f = wt_xcalloc(1, sizeof *f); /* everything NULL / zero */
    f->confidence = 2.5;                        /* out of range: not printed */
    add_f(r, f);
    wt_finding *g = mkf("WT-TEST-001", WT_CAT_MODEL, WT_SEV_HIGH, "a.pkl", "m");
    g->loc.line = 3;
    g->loc.end_line = 2; /* inconsistent end: dropped in SARIF */
    g->loc.end_column = 1;
    g->loc.column = 9;
    add_f(r, g);
    char *s1 = render(wt_report_json, r);
    char *s2 = render(wt_report_sarif, r);
    char *s3 = wt_report_watchtower_string(r, "summary");
    char *s4 = wt_report_watchtower_string(r, "severity");
    CHECK(s1 && s2 && s3 && s4);
    json_t *j = parse(s2);
    CHECK(j != NULL);
    json_decref(j);
    char *p = wt_t_write(wt_t_tmpdir(), "odd.sarif", s2, strlen(s2));
    CHECK_INT(validate_sarif_file(p), 0);
    free(p);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    CHECK_INT(wt_report_text(r, out, true, true), WT_OK);
    fclose(out);
    free(buf);
    free(s1);
    free(s2);
    free(s3);
    free(s4);
    wt_scan_result_free(r);
}

WT_TEST(detailed_report_keeps_same_path_from_two_targets_apart) {
    wt_scan_result *r = wt_xcalloc(1, sizeof *r);
    wt_finding *a = mkf("WT-TEST-001", WT_CAT_MODEL, WT_SEV_HIGH, "m.pt", "a");
    a->target = wt_xstrdup("/x/one");
    wt_finding *b = mkf("WT-TEST-001", WT_CAT_MODEL, WT_SEV_HIGH, "m.pt", "b");
    b->target = wt_xstrdup("/x/two/");
    add_f(r, a);
    add_f(r, b);
    add_info(r, "m.pt", "other", 1);
    char *s = wt_report_watchtower_string(r, "detailed");
    json_t *j = parse(s);
    CHECK_INT(json_object_size(j), 2);
    CHECK(json_object_get(j, "/x/one/m.pt") != NULL);
    CHECK(json_object_get(j, "/x/two/m.pt") != NULL);
    json_decref(j);
    free(s);
    /* SARIF says which root each URI is relative to */
    s = render(wt_report_sarif, r);
    j = parse(s);
    json_t *res = json_object_get(json_array_get(json_object_get(j, "runs"), 0), "results");
    CHECK_STR(json_string_value(json_object_get(json_object_get(json_array_get(res, 1), "properties"), "target")),
              "/x/two/");
    json_decref(j);
    free(s);
    wt_scan_result_free(r);
}
