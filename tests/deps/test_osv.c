/* End to end against the PyPA snapshot ($WT_SHARED/data/osv/PyPI.zip):
 * index build, advisory matching (README table, totals and oddities),
 * ranged requirements, and scans with and without a database. */
#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <time.h>
#include <sys/stat.h>

#include "core/util.h"
#include "deps/deps_check.h"
#include "deps/osv.h"
#include "harness.h"

static char *g_db;
static wt_osv_db *g_osv;

static const char *zip_path(void) {
    static char p[1024];
    snprintf(p, sizeof p, "%s/data/osv/PyPI.zip", wt_t_env("WT_SHARED", "../shared"));
    return p;
}

static wt_osv_db *db(void) {
    if (g_osv) return g_osv;
    g_db = wt_xasprintf("%s/osv/index.sqlite", wt_t_tmpdir());
    wt_osv_build_stats st;
    char *err = NULL;
    int rc = wt_osv_build(zip_path(), g_db, "test", &st, &err);
    if (rc != WT_OK) fprintf(stderr, "    build: %s\n", err);
    CHECK_INT(rc, WT_OK);
    CHECK_INT(st.records, 2651);
    CHECK_INT(st.withdrawn, 10);
    CHECK_INT(st.packages, 655);
    g_osv = wt_osv_open(g_db, &err);
    if (!g_osv) fprintf(stderr, "    open: %s\n", err);
    return g_osv;
}

/* advisories affecting name==version (pinned), as "ID ID ..." */
static size_t pinned(const char *name, const char *ver, char *ids, size_t cap, wt_severity *sev, char *fixed,
                     size_t fcap) {
    wt_osv_pkg *p = NULL;
    char *err = NULL;
    CHECK(wt_osv_lookup(db(), name, &p, &err) == 0);
    wt_dep d = {0};
    d.name = (char *)name;
    d.norm = (char *)name;
    d.version = (char *)ver;
    wt_dep_result r;
    wt_dep_match_pkg(p, &d, &r);
    if (ids) {
        ids[0] = 0;
        for (size_t i = 0; i < r.n; i++) {
            strncat(ids, r.m[i].adv->id, cap - strlen(ids) - 2);
            strncat(ids, " ", cap - strlen(ids) - 1);
        }
    }
    if (sev) *sev = r.severity;
    if (fixed) snprintf(fixed, fcap, "%s", r.fixed_overall ? wt_ver_str(r.fixed_overall) : "");
    size_t n = r.n;
    wt_dep_result_fini(&r);
    wt_osv_pkg_free(p);
    return n;
}

static bool affected_by(const char *name, const char *ver, const char *id) {
    char ids[65536];
    pinned(name, ver, ids, sizeof ids, NULL, NULL, 0);
    char needle[64];
    snprintf(needle, sizeof needle, "%s ", id);
    return strstr(ids, needle) != NULL;
}

WT_TEST(osv_readme_table_pairs) {
    static const struct { const char *pkg, *ver, *id, *fix; } t[] = {
        {"tensorflow", "2.4.0", "PYSEC-2021-149", "2.4.2"}, {"pillow", "8.0.0", "PYSEC-2021-35", "8.1.1"},
        {"pyyaml", "5.3", "PYSEC-2020-96", "5.3.1"},        {"jinja2", "2.10", "PYSEC-2019-217", "2.10.1"},
        {"requests", "2.19.0", "PYSEC-2018-28", "2.20.0"},  {"urllib3", "1.24.1", "PYSEC-2019-132", "1.24.3"},
        {"flask", "0.12", "PYSEC-2018-66", "0.12.3"},       {"torch", "1.13.0", "PYSEC-2022-43015", "1.13.1"},
        {"joblib", "1.1.0", "PYSEC-2022-288", "1.2.0"},     {"django", "3.2", "PYSEC-2021-109", "3.2.5"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        if (!affected_by(t[i].pkg, t[i].ver, t[i].id)) fprintf(stderr, "    %s %s missing %s\n", t[i].pkg, t[i].ver, t[i].id);
        CHECK(affected_by(t[i].pkg, t[i].ver, t[i].id));
        /* the fixed version is not affected by that advisory */
        CHECK(!affected_by(t[i].pkg, t[i].fix, t[i].id));
    }
}

WT_TEST(osv_readme_totals_and_safe_pins) {
    CHECK_INT(pinned("tensorflow", "2.4.0", NULL, 0, NULL, NULL, 0), 198);
    CHECK_INT(pinned("pillow", "8.0.0", NULL, 0, NULL, NULL, 0), 26);
    char ids[4096];
    CHECK_INT(pinned("pyyaml", "5.3", ids, sizeof ids, NULL, NULL, 0), 2);
    CHECK(strstr(ids, "PYSEC-2021-142") != NULL);
    CHECK_INT(pinned("jinja2", "2.10", ids, sizeof ids, NULL, NULL, 0), 2);
    CHECK(strstr(ids, "PYSEC-2021-66") != NULL);
    CHECK_INT(pinned("pyyaml", "6.0", NULL, 0, NULL, NULL, 0), 0);
    CHECK_INT(pinned("requests", "2.32.3", NULL, 0, NULL, NULL, 0), 0);
    CHECK_INT(pinned("jinja2", "3.1.4", NULL, 0, NULL, NULL, 0), 0);
    CHECK_INT(pinned("no-such-package", "1.0", NULL, 0, NULL, NULL, 0), 0);
}

WT_TEST(osv_fixed_versions_overall) {
    char fixed[64];
    wt_severity sev;
    pinned("pyyaml", "5.3", NULL, 0, &sev, fixed, sizeof fixed);
    CHECK_STR(fixed, "5.4"); /* 5.3.1 fixes PYSEC-2020-96 but not PYSEC-2021-142 */
    CHECK_INT(sev, WT_SEV_HIGH);   /* no severity in these records => high */
    pinned("jinja2", "2.10", NULL, 0, NULL, fixed, sizeof fixed);
    CHECK_STR(fixed, "2.11.3");
    CHECK(!affected_by("jinja2", "2.11.3", "PYSEC-2021-66"));
}

WT_TEST(osv_snapshot_oddities) {
    /* unsorted overlapping events: the versions list wins (union) */
    CHECK(affected_by("wagtail", "2.11.6", "PYSEC-2021-114"));
    CHECK(!affected_by("wagtail", "2.11.7", "PYSEC-2021-114"));
    /* pre-releases listed below the introduced bound */
    CHECK(affected_by("django", "3.2a1", "PYSEC-2023-61"));
    CHECK(affected_by("django", "4.2rc1", "PYSEC-2023-61"));
    /* listed although equal to the fixed event */
    CHECK(affected_by("gevent", "23.9.0", "PYSEC-2023-177"));
    CHECK(affected_by("gevent", "23.9.0.post1", "PYSEC-2023-177"));
    /* last_affected is inclusive */
    CHECK(affected_by("py", "1.11.0", "PYSEC-2022-42969"));
    CHECK(!affected_by("py", "1.11.1", "PYSEC-2022-42969"));
    /* non-PEP 440 list entries match as exact strings */
    CHECK(affected_by("buildbot", "0.7.10p1", "PYSEC-2019-6"));
    /* withdrawn records are skipped */
    CHECK(!affected_by("flask-caching", "1.0.0", "PYSEC-2021-13"));
    CHECK(!affected_by("loguru", "0.5.0", "PYSEC-2022-15"));
    /* equivalent spellings of a pin */
    CHECK(affected_by("pyyaml", "5.3.0", "PYSEC-2020-96"));
    CHECK(affected_by("tensorflow", "v2.4.0", "PYSEC-2021-149"));
    /* non-PEP 440 event versions are legacy and sort before every valid
     * version (packaging's legacy order, as OSV applies it): a legacy
     * "fixed" closes the range before any real release */
    CHECK(!affected_by("steam", "1.0", "PYSEC-2019-125"));
    CHECK(!affected_by("binderhub", "0.1.0", "PYSEC-2021-371"));
    /* a range that never closes: every later version; no aliases field */
    CHECK(affected_by("exotel", "0.1.6", "PYSEC-2022-250"));
    CHECK(affected_by("exotel", "9.0", "PYSEC-2022-250"));
    CHECK(!affected_by("exotel", "0.1.5", "PYSEC-2022-250"));
    /* local builds of an affected release (list-only advisory) */
    CHECK(affected_by("gratient", "0.5+local.1", "PYSEC-2024-1"));
    CHECK(affected_by("torch", "1.13.0+cu117", "PYSEC-2022-43015"));
}

WT_TEST(osv_malicious_packages_are_critical) {
    wt_severity sev;
    CHECK_INT(pinned("gratient", "0.5", NULL, 0, &sev, NULL, 0), 1);
    CHECK_INT(sev, WT_SEV_CRITICAL);
    CHECK_INT(pinned("cipherbcrypt", "1.0", NULL, 0, &sev, NULL, 0), 1);
    CHECK_INT(sev, WT_SEV_CRITICAL);
}

static wt_dep_result ranged(const char *name, const char *spec) {
    wt_osv_pkg *p = NULL;
    char *err = NULL;
    CHECK(wt_osv_lookup(db(), name, &p, &err) == 0);
    wt_dep d = {0};
    d.name = (char *)name;
    d.norm = (char *)name;
    CHECK(wt_specset_parse(spec, strlen(spec), &d.spec, &err) == 0);
    wt_dep_result r;
    wt_dep_match_pkg(p, &d, &r);
    /* the matches point into p: copy what the test needs */
    for (size_t i = 0; i < r.n; i++) r.m[i].adv = NULL;
    wt_specset_free(&d.spec);
    wt_osv_pkg_free(p);
    return r;
}

static size_t count_status(const wt_dep_result *r, wt_match_status s) {
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++) n += r->m[i].status == s;
    return n;
}

WT_TEST(osv_ranged_requirements) {
    /* open range: vulnerable versions allowed, newest allowed fixed */
    wt_dep_result r = ranged("requests", ">=2.0");
    CHECK(r.n > 0);
    CHECK_INT(count_status(&r, WT_MATCH_AFFECTED), 0);
    CHECK_INT(r.severity, WT_SEV_MEDIUM);
    wt_dep_result_fini(&r);
    /* every allowed version is affected */
    r = ranged("pyyaml", ">=5.1,<5.3.1");
    CHECK(count_status(&r, WT_MATCH_AFFECTED) >= 1);
    CHECK_INT(r.severity, WT_SEV_HIGH);
    wt_dep_result_fini(&r);
    /* a compatible-release range that only allows safe versions */
    r = ranged("jinja2", "~=3.1.4");
    CHECK_INT(r.n, 0);
    wt_dep_result_fini(&r);
    /* unpinned malicious package: every version */
    r = ranged("cipherbcrypt", "");
    CHECK_INT(count_status(&r, WT_MATCH_AFFECTED), 1);
    CHECK(r.malicious);
    wt_dep_result_fini(&r);
    /* ==X.* wildcard behaves like a range */
    r = ranged("pyyaml", "==5.3.*");
    CHECK(r.n >= 1);
    wt_dep_result_fini(&r);
}

WT_TEST(osv_import_rejects_bad_archives) {
    const char *dir = wt_t_tmpdir();
    char *bad = wt_t_write(dir, "bad/all.zip", "PK\x03\x04garbage", 11);
    char *out = wt_xasprintf("%s/bad/index.sqlite", dir);
    char *err = NULL;
    CHECK(wt_osv_build(bad, out, NULL, NULL, &err) != WT_OK);
    CHECK(err != NULL);
    free(err);
    struct stat sb;
    CHECK(stat(out, &sb) != 0); /* nothing half-built is left behind */
    err = NULL;
    CHECK(wt_osv_build("/nonexistent/all.zip", out, NULL, NULL, &err) != WT_OK);
    free(err);
    err = NULL;
    CHECK(wt_osv_open(bad, &err) == NULL); /* not an index */
    free(err);
    free(bad);
    free(out);
}

static wt_scan_result *scan_dir(const char *dir, const char *dbpath) {
    wt_scan_options o;
    wt_scan_options_default(&o);
    o.jobs = 1;
    o.osv_db = dbpath;
    const char *targets[] = {dir};
    wt_scan_result *r = NULL;
    char *err = NULL;
    if (wt_scan(targets, 1, &o, &r, &err) != WT_OK) {
        fprintf(stderr, "    scan: %s\n", err);
        free(err);
        return NULL;
    }
    return r;
}

static const wt_finding *finding_for(const wt_scan_result *r, const char *rule, const char *pkg) {
    for (size_t i = 0; i < r->nfindings; i++) {
        const wt_finding *f = r->findings[i];
        if (strcmp(f->rule_id, rule) != 0 || !f->props) continue;
        const char *p = json_string_value(json_object_get(f->props, "normalized_name"));
        if (p && !strcmp(p, pkg)) return f;
    }
    return NULL;
}

WT_TEST(scan_reports_vulnerable_pins) {
    db();
    char *dir = wt_xasprintf("%s/proj1", wt_t_tmpdir());
    const char *req = "tensorflow==2.4.0\npillow==8.0.0\npyyaml==5.3\njinja2==2.10\nrequests==2.19.0\n"
                      "urllib3==1.24.1\n";
    free(wt_t_write(dir, "requirements.txt", req, strlen(req)));
    wt_scan_result *r = scan_dir(dir, g_db);
    CHECK(r != NULL);
    if (!r) return;
    CHECK_INT(wt_t_count(r, "WT-DEP-001"), 6);
    CHECK_INT(r->nbreq_found, 1);
    const wt_finding *tf = finding_for(r, "WT-DEP-001", "tensorflow");
    CHECK(tf != NULL);
    if (tf) {
        CHECK_INT(json_integer_value(json_object_get(tf->props, "advisory_count")), 198);
        CHECK_INT(tf->loc.line, 1);
        CHECK_STR(json_string_value(json_object_get(tf->props, "version")), "2.4.0");
        json_t *a0 = json_array_get(json_object_get(tf->props, "advisories"), 0);
        CHECK(json_is_array(json_object_get(a0, "aliases")));
        CHECK(json_string_value(json_object_get(a0, "summary")) != NULL);
    }
    const wt_finding *py = finding_for(r, "WT-DEP-001", "pyyaml");
    CHECK(py && py->loc.line == 3 && strstr(py->message, "PYSEC-2020-96"));
    CHECK(py && !strcmp(json_string_value(json_object_get(py->props, "fixed_version")), "5.4"));
    CHECK_INT(wt_t_count(r, "WT-DEP-004"), 0); /* all pinned */
    wt_scan_result_free(r);
    free(dir);
}

WT_TEST(scan_safe_pins_report_nothing) {
    db();
    char *dir = wt_xasprintf("%s/proj2", wt_t_tmpdir());
    const char *req = "pyyaml==6.0\nrequests==2.32.3\njinja2==3.1.4\n";
    free(wt_t_write(dir, "requirements.txt", req, strlen(req)));
    wt_scan_result *r = scan_dir(dir, g_db);
    CHECK(r != NULL);
    if (!r) return;
    CHECK_INT(wt_t_count(r, "WT-DEP-*"), 0);
    CHECK_INT(r->nnotes, 0);
    wt_scan_result_free(r);
    free(dir);
}

WT_TEST(scan_shell_pip_lines_and_lock_files) {
    db();
    char *dir = wt_xasprintf("%s/proj3", wt_t_tmpdir());
    const char *sh = "#!/bin/sh\nset -e\npip install -q -U torch==1.13.0 \\\n   joblib==1.1.0  # models\n"
                     "python3 -m pip install 'pyyaml==6.0'\necho done\n";
    free(wt_t_write(dir, "setup_env.sh", sh, strlen(sh)));
    const char *inc = "pip install -r deps/extra.txt -r requirements.txt\n";
    free(wt_t_write(dir, "scripts/install.sh", inc, strlen(inc)));
    free(wt_t_write(dir, "scripts/deps/extra.txt", "pillow==8.0.0\n", 14));
    free(wt_t_write(dir, "scripts/requirements.txt", "jinja2==2.10\n", 13));
    const char *lock = "[[package]]\nname = \"flask\"\nversion = \"0.12\"\n";
    free(wt_t_write(dir, "poetry.lock", lock, strlen(lock)));
    wt_scan_result *r = scan_dir(dir, g_db);
    CHECK(r != NULL);
    if (!r) return;
    const wt_finding *t = finding_for(r, "WT-DEP-001", "torch");
    CHECK(t && t->loc.line == 3);
    CHECK(finding_for(r, "WT-DEP-001", "joblib") != NULL);
    CHECK(finding_for(r, "WT-DEP-001", "pyyaml") == NULL);
    const wt_finding *fl = finding_for(r, "WT-DEP-001", "flask");
    CHECK(fl && fl->loc.line == 2);
    /* -r from an install line: followed (relative to the script); a file
     * that is scanned on its own is reported there only */
    const wt_finding *pl = finding_for(r, "WT-DEP-001", "pillow");
    CHECK(pl && !strcmp(pl->artifact, "scripts/install.sh") && pl->loc.line == 1);
    CHECK_INT(wt_t_count(r, "WT-DEP-001"), 5);
    const wt_finding *jj = finding_for(r, "WT-DEP-001", "jinja2");
    CHECK(jj && !strcmp(jj->artifact, "scripts/requirements.txt"));
    CHECK_INT(wt_t_count(r, "WT-DEP-004"), 0); /* the project has a lock file */
    wt_scan_result_free(r);
    free(dir);
}

WT_TEST(scan_without_database_says_so) {
    char *dir = wt_xasprintf("%s/proj4", wt_t_tmpdir());
    const char *req = "tensorflow==2.4.0\nreqeusts\n";
    free(wt_t_write(dir, "requirements.txt", req, strlen(req)));
    char *missing = wt_xasprintf("%s/none/osv.sqlite", wt_t_tmpdir());
    wt_scan_result *r = scan_dir(dir, missing);
    CHECK(r != NULL);
    if (!r) return;
    CHECK_INT(wt_t_count(r, "WT-DEP-001"), 0);
    CHECK(r->nnotes >= 1);
    bool said = false;
    for (size_t i = 0; i < r->nnotes; i++)
        if (strstr(r->notes[i], "skipped") && strstr(r->notes[i], "db update")) said = true;
    CHECK(said);
    /* checks that need no database still run */
    CHECK_INT(wt_t_count(r, "WT-DEP-005"), 1);
    CHECK_INT(wt_t_count(r, "WT-DEP-004"), 1);
    wt_scan_result_free(r);
    free(missing);
    free(dir);
}

WT_TEST(typosquat_detection) {
    CHECK_STR(wt_deps_typosquat_of("reqeusts"), "requests");
    CHECK_STR(wt_deps_typosquat_of("nunpy"), "numpy");
    CHECK_STR(wt_deps_typosquat_of("tensorflw"), "tensorflow");
    CHECK(wt_deps_typosquat_of("requests") == NULL);  /* popular itself */
    CHECK(wt_deps_typosquat_of("pyaml") == NULL);     /* known legitimate */
    CHECK(wt_deps_typosquat_of("flask-cors") == NULL);
    CHECK(wt_deps_typosquat_of("six") == NULL);       /* short names are not targets */
    CHECK(wt_deps_typosquat_of("abc") == NULL);
}

WT_TEST(scan_warns_when_database_is_stale) {
    db();
    /* a copy of the index that says it was imported 30 days ago */
    char *old = NULL;
    {
        /* copy the index built above */
        FILE *in = fopen(g_db, "rb");
        CHECK(in != NULL);
        if (!in) return;
        wt_buf b;
        wt_buf_init(&b);
        char chunk[65536];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, in)) > 0) wt_buf_append(&b, chunk, n);
        fclose(in);
        old = wt_t_write(wt_t_tmpdir(), "stale/osv.sqlite", b.data, b.len);
        wt_buf_free(&b);
    }
    sqlite3 *s = NULL;
    CHECK(sqlite3_open(old, &s) == SQLITE_OK);
    char sql[200];
    snprintf(sql, sizeof sql, "UPDATE meta SET value = '%lld' WHERE key = 'imported_epoch'",
             (long long)time(NULL) - 30 * 86400);
    CHECK(sqlite3_exec(s, sql, NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(s);
    char *dir = wt_xasprintf("%s/proj5", wt_t_tmpdir());
    free(wt_t_write(dir, "requirements.txt", "jinja2==2.10\n", 13));
    wt_scan_result *r = scan_dir(dir, old);
    CHECK(r != NULL);
    if (!r) return;
    CHECK_INT(wt_t_count(r, "WT-DEP-001"), 1); /* still checked */
    bool said = false;
    for (size_t i = 0; i < r->nnotes; i++)
        if (strstr(r->notes[i], "30 days old") && strstr(r->notes[i], "db update")) said = true;
    CHECK(said);
    wt_scan_result_free(r);
    free(dir);
    free(old);
}

WT_TEST(scan_never_reports_url_credentials) {
    char *dir = wt_xasprintf("%s/proj6", wt_t_tmpdir());
    const char *req = "git+https://deploy:s3cr3tT0ken@github.com/org/private.git#egg=private\n"
                      "-r https://user:hunter2@example.com/reqs.txt\n";
    free(wt_t_write(dir, "requirements.txt", req, strlen(req)));
    wt_scan_result *r = scan_dir(dir, g_db ? g_db : "/nonexistent");
    CHECK(r != NULL);
    if (!r) return;
    CHECK_INT(wt_t_count(r, "WT-DEP-006"), 1);
    CHECK_INT(wt_t_count(r, "WT-DEP-007"), 1);
    for (size_t i = 0; i < r->nfindings; i++) {
        const wt_finding *f = r->findings[i];
        if (strncmp(f->rule_id, "WT-DEP-", 7) != 0) continue;
        char *props = f->props ? json_dumps(f->props, 0) : NULL;
        CHECK(!strstr(f->message, "s3cr3tT0ken") && !strstr(f->message, "hunter2"));
        CHECK(!f->evidence || (!strstr(f->evidence, "s3cr3tT0ken") && !strstr(f->evidence, "hunter2")));
        CHECK(!props || (!strstr(props, "s3cr3tT0ken") && !strstr(props, "hunter2")));
        free(props);
    }
    wt_scan_result_free(r);
    free(dir);
}

WT_TEST(scan_caps_malformed_line_reports) {
    char *dir = wt_xasprintf("%s/proj7", wt_t_tmpdir());
    wt_buf b;
    wt_buf_init(&b);
    for (int i = 0; i < 100; i++) wt_buf_printf(&b, "this is not a requirement %d !!\n", i);
    free(wt_t_write(dir, "requirements.txt", b.data, b.len));
    wt_buf_free(&b);
    wt_scan_result *r = scan_dir(dir, "/nonexistent/osv.sqlite");
    CHECK(r != NULL);
    if (!r) return;
    CHECK_INT(wt_t_count(r, "WT-DEP-007"), 21);
    wt_scan_result_free(r);
    free(dir);
}
