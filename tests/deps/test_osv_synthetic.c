/* OSV records the PyPA snapshot does not have (GHSA duplicates of PYSEC
 * records, CVSS v3/v4 vectors, database_specific severity and CWE ids,
 * MAL- records, withdrawn records), in a zip written here. */
#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <stdlib.h>

#include "core/util.h"
#include "deps/deps_check.h"
#include "deps/osv.h"
#include "harness.h"

static const char *const records[][2] = {
    {"PYSEC-9999-1.json",
     "{\"id\": \"PYSEC-9999-1\", \"modified\": \"2024-01-01T00:00:00Z\", \"aliases\": [\"CVE-9999-1\", \"GHSA-aaaa-aaaa-aaaa\"],"
     " \"details\": \"Demo flaw. More text.\", \"affected\": [{\"package\": {\"ecosystem\": \"PyPI\", \"name\": \"demo-pkg\"},"
     " \"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"0\"}, {\"fixed\": \"1.1\"}]}]}]}"},
    {"GHSA-aaaa-aaaa-aaaa.json",
     "{\"id\": \"GHSA-aaaa-aaaa-aaaa\", \"modified\": \"2024-02-01T00:00:00Z\", \"aliases\": [\"CVE-9999-1\"],"
     " \"summary\": \"Demo flaw in demo-pkg\","
     " \"severity\": [{\"type\": \"CVSS_V3\", \"score\": \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"}],"
     " \"database_specific\": {\"severity\": \"CRITICAL\", \"cwe_ids\": [\"CWE-79\"]},"
     " \"affected\": [{\"package\": {\"ecosystem\": \"PyPI\", \"name\": \"Demo_Pkg\"},"
     " \"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"0\"}, {\"fixed\": \"1.1\"}]}]}]}"},
    {"GHSA-bbbb-bbbb-bbbb.json",
     "{\"id\": \"GHSA-bbbb-bbbb-bbbb\", \"modified\": \"2024-02-01T00:00:00Z\", \"summary\": \"v4 scored\","
     " \"severity\": [{\"type\": \"CVSS_V4\", \"score\": \"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N\"}],"
     " \"database_specific\": {\"severity\": \"HIGH\"},"
     " \"affected\": [{\"package\": {\"ecosystem\": \"PyPI\", \"name\": \"demo.pkg\"},"
     " \"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"0\"}, {\"fixed\": \"1.0.5\"}]},"
     " {\"type\": \"GIT\", \"repo\": \"https://x\", \"events\": [{\"introduced\": \"0\"}, {\"fixed\": \"abcdef\"}]}]}]}"},
    {"GHSA-cccc-cccc-cccc.json",
     "{\"id\": \"GHSA-cccc-cccc-cccc\", \"modified\": \"2024-02-01T00:00:00Z\", \"withdrawn\": \"2024-03-01T00:00:00Z\","
     " \"affected\": [{\"package\": {\"ecosystem\": \"PyPI\", \"name\": \"demo-pkg\"},"
     " \"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"0\"}]}]}]}"},
    {"GHSA-dddd-dddd-dddd.json",
     "{\"id\": \"GHSA-dddd-dddd-dddd\", \"modified\": \"2024-02-01T00:00:00Z\", \"summary\": \"low one\","
     " \"database_specific\": {\"severity\": \"LOW\"},"
     " \"affected\": [{\"package\": {\"ecosystem\": \"PyPI\", \"name\": \"demo-pkg\"},"
     " \"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"0\"}, {\"limit\": \"1.0.1\"}]}]},"
     " {\"package\": {\"ecosystem\": \"npm\", \"name\": \"evil-pkg\"}, \"versions\": [\"2.0\"]}]}"},
    {"MAL-2024-1.json",
     "{\"id\": \"MAL-2024-1\", \"modified\": \"2024-02-01T00:00:00Z\", \"summary\": \"Malicious code in evil-pkg (PyPI)\","
     " \"affected\": [{\"package\": {\"ecosystem\": \"PyPI\", \"name\": \"evil-pkg\"},"
     " \"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"0\"}]}]}]}"},
    /* adjacent ranges written "fixed 1.0, ..., introduced 1.0" (as PYSEC-2022-236 for pyspark): at equal
     * versions the events keep the order written, so 1.0 to 1.5 is affected */
    {"PYSEC-9999-2.json",
     "{\"id\": \"PYSEC-9999-2\", \"modified\": \"2024-01-01T00:00:00Z\", \"summary\": \"tie\","
     " \"affected\": [{\"package\": {\"ecosystem\": \"PyPI\", \"name\": \"tie-pkg\"},"
     " \"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"0\"}, {\"fixed\": \"1.0\"},"
     " {\"introduced\": \"2.0\"}, {\"fixed\": \"3.0\"}, {\"introduced\": \"1.0\"}, {\"fixed\": \"1.5\"}]}]},"
     /* an empty range (introduced and fixed at 4.0) affects nothing; last_affected includes its version */
     " {\"package\": {\"ecosystem\": \"PyPI\", \"name\": \"tie-pkg\"},"
     " \"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"4.0\"}, {\"fixed\": \"4.0\"},"
     " {\"introduced\": \"5.0\"}, {\"last_affected\": \"5.2\"}]}]}]}"},
    /* one record, no aliases, two overlapping affected[] entries for one package (GitHub writes one per
     * range): one vulnerability, fixed where neither entry affects */
    {"PYSEC-9999-3.json",
     "{\"id\": \"PYSEC-9999-3\", \"modified\": \"2024-01-01T00:00:00Z\", \"summary\": \"two entries\","
     " \"affected\": [{\"package\": {\"ecosystem\": \"PyPI\", \"name\": \"dup-pkg\"},"
     " \"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"0\"}, {\"fixed\": \"2.0\"}]}]},"
     " {\"package\": {\"ecosystem\": \"PyPI\", \"name\": \"Dup_Pkg\"},"
     " \"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"1.0\"}, {\"fixed\": \"3.0\"}]}]}]}"},
};

static char *g_db;

static void build(void) {
    if (g_db) return;
    char *zip = wt_xasprintf("%s/syn/all.zip", wt_t_tmpdir());
    free(wt_t_write(wt_t_tmpdir(), "syn/.keep", "", 0));
    struct archive *a = archive_write_new();
    archive_write_set_format_zip(a);
    CHECK(archive_write_open_filename(a, zip) == ARCHIVE_OK);
    for (size_t i = 0; i < sizeof records / sizeof records[0]; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, records[i][0]);
        archive_entry_set_size(e, (la_int64_t)strlen(records[i][1]));
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_write_header(a, e);
        archive_write_data(a, records[i][1], strlen(records[i][1]));
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
    g_db = wt_xasprintf("%s/syn/osv.sqlite", wt_t_tmpdir());
    wt_osv_build_stats st;
    char *err = NULL;
    int rc = wt_osv_build(zip, g_db, "synthetic", &st, &err);
    if (rc) fprintf(stderr, "    %s\n", err);
    CHECK_INT(rc, WT_OK);
    CHECK_INT(st.records, 7);
    CHECK_INT(st.withdrawn, 1);
    free(zip);
}

static wt_scan_result *scan_req(const char *sub, const char *req) {
    build();
    char *dir = wt_xasprintf("%s/%s", wt_t_tmpdir(), sub);
    free(wt_t_write(dir, "requirements.txt", req, strlen(req)));
    wt_scan_options o;
    wt_scan_options_default(&o);
    o.jobs = 1;
    o.osv_db = g_db;
    const char *t[] = {dir};
    wt_scan_result *r = NULL;
    char *err = NULL;
    CHECK(wt_scan(t, 1, &o, &r, &err) == WT_OK);
    free(err);
    free(dir);
    return r;
}

WT_TEST(duplicates_merge_and_severity_sources) {
    wt_scan_result *r = scan_req("s1", "demo-pkg==1.0\n");
    if (!r) return;
    const wt_finding *f = wt_t_find(r, "WT-DEP-001");
    CHECK(f != NULL);
    if (f) {
        /* PYSEC-9999-1 and GHSA-aaaa are one vulnerability: 3 distinct */
        CHECK_INT(json_integer_value(json_object_get(f->props, "advisory_count")), 3);
        CHECK_INT(f->severity, WT_SEV_CRITICAL); /* CVSS 9.8 of the GHSA record */
        json_t *advs = json_object_get(f->props, "advisories");
        CHECK_INT(json_array_size(advs), 3);
        json_t *a0 = json_array_get(advs, 0);
        CHECK_STR(json_string_value(json_object_get(a0, "id")), "GHSA-aaaa-aaaa-aaaa");
        char *al = json_dumps(json_object_get(a0, "aliases"), 0);
        CHECK(strstr(al, "PYSEC-9999-1") && strstr(al, "CVE-9999-1"));
        free(al);
        CHECK_STR(json_string_value(json_array_get(json_object_get(a0, "cwe"), 0)), "CWE-79");
        CHECK(json_real_value(json_object_get(a0, "cvss_score")) > 9.7);
        /* CVSS v4 6.9 wins over database_specific HIGH */
        json_t *a1 = json_array_get(advs, 1);
        CHECK_STR(json_string_value(json_object_get(a1, "id")), "GHSA-bbbb-bbbb-bbbb");
        CHECK_STR(json_string_value(json_object_get(a1, "severity")), "medium");
        CHECK_STR(json_string_value(json_object_get(a1, "fixed")), "1.0.5");
        /* database_specific LOW when there is no vector; limit closes */
        json_t *a2 = json_array_get(advs, 2);
        CHECK_STR(json_string_value(json_object_get(a2, "severity")), "low");
        CHECK_STR(json_string_value(json_object_get(f->props, "fixed_version")), "1.1");
        CHECK(strstr(f->message, "3 known vulnerabilities") != NULL);
    }
    wt_scan_result_free(r);
}

WT_TEST(limit_and_withdrawn) {
    wt_scan_result *r = scan_req("s2", "demo-pkg==1.0.2\n");
    if (!r) return;
    const wt_finding *f = wt_t_find(r, "WT-DEP-001");
    /* 1.0.2: past the limit (dddd) and the 1.0.5 fix is not reached: GHSA-bbbb + the merged pair */
    CHECK(f && json_integer_value(json_object_get(f->props, "advisory_count")) == 2);
    wt_scan_result_free(r);
    r = scan_req("s3", "demo-pkg==1.1\n");
    CHECK_INT(wt_t_count(r, "WT-DEP-*"), 0); /* the withdrawn open range is not used */
    wt_scan_result_free(r);
}

WT_TEST(malicious_records_are_critical) {
    wt_scan_result *r = scan_req("s4", "evil-pkg==2.0\nevil_pkg\n");
    if (!r) return;
    CHECK_INT(wt_t_count(r, "WT-DEP-003"), 2);
    CHECK_INT(wt_t_max_sev(r), WT_SEV_CRITICAL);
    wt_scan_result_free(r);
}

WT_TEST(ranges_are_possibly_affected) {
    wt_scan_result *r = scan_req("s5", "Demo_Pkg>=0.5\n");
    if (!r) return;
    const wt_finding *f = wt_t_find(r, "WT-DEP-002");
    CHECK(f && f->severity == WT_SEV_MEDIUM);
    CHECK_INT(wt_t_count(r, "WT-DEP-001"), 0);
    wt_scan_result_free(r);
    r = scan_req("s6", "demo-pkg<1.0.5\n");
    CHECK(wt_t_find(r, "WT-DEP-001") != NULL); /* every allowed version is affected */
    wt_scan_result_free(r);
}

WT_TEST(equal_versions_keep_the_order_written) {
    static const struct { const char *pin; bool affected; } cases[] = {
        {"0.9", true},  {"1.0", true},       {"1.0.post1", true}, {"1.4.9", true}, {"1.5", false},
        {"1.9", false}, {"2.0", true},       {"3.0", false},      {"4.0", false},  {"4.0.1", false},
        {"5.0", true},  {"5.2", true},       {"5.2+cpu", true},   {"5.2.post1", false},
        {"5.2.1", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *req = wt_xasprintf("tie-pkg==%s\n", cases[i].pin);
        char *sub = wt_xasprintf("tie%zu", i);
        wt_scan_result *r = scan_req(sub, req);
        if (r) {
            size_t n = wt_t_count(r, "WT-DEP-001");
            if ((n == 1) != cases[i].affected) fprintf(stderr, "    tie-pkg==%s\n", cases[i].pin);
            CHECK_INT(n, cases[i].affected ? 1 : 0);
        }
        wt_scan_result_free(r);
        free(req);
        free(sub);
    }
}

WT_TEST(fixed_is_where_the_record_no_longer_applies) {
    /* tie-pkg 0.9: "fixed 1.0" is not a fix, [1.0, 1.5) still holds it */
    wt_scan_result *r = scan_req("fx1", "tie-pkg==0.9\n");
    const wt_finding *f = r ? wt_t_find(r, "WT-DEP-001") : NULL;
    CHECK(f != NULL);
    if (f) {
        json_t *a = json_array_get(json_object_get(f->props, "advisories"), 0);
        CHECK_STR(json_string_value(json_object_get(a, "fixed")), "1.5");
    }
    wt_scan_result_free(r);
    /* dup-pkg 1.5: both entries of PYSEC-9999-3 match: one advisory, fixed in 3.0 */
    r = scan_req("fx2", "dup-pkg==1.5\n");
    f = r ? wt_t_find(r, "WT-DEP-001") : NULL;
    CHECK(f != NULL);
    if (f) {
        CHECK_INT(json_integer_value(json_object_get(f->props, "advisory_count")), 1);
        json_t *advs = json_object_get(f->props, "advisories");
        CHECK_INT(json_array_size(advs), 1);
        CHECK_STR(json_string_value(json_object_get(json_array_get(advs, 0), "fixed")), "3.0");
        CHECK_STR(json_string_value(json_object_get(f->props, "fixed_version")), "3.0");
    }
    wt_scan_result_free(r);
    /* dup-pkg 0.5: only the first entry matches, but 2.0 is in the second one's range */
    r = scan_req("fx3", "dup-pkg==0.5\n");
    f = r ? wt_t_find(r, "WT-DEP-001") : NULL;
    CHECK(f != NULL);
    if (f) {
        json_t *a = json_array_get(json_object_get(f->props, "advisories"), 0);
        CHECK_STR(json_string_value(json_object_get(a, "fixed")), "3.0");
        CHECK_STR(json_string_value(json_object_get(f->props, "fixed_version")), "3.0");
        CHECK(strstr(f->message, "fixed in 3.0") != NULL);
    }
    wt_scan_result_free(r);
}
