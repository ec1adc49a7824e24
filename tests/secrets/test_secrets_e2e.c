/*
 * test_secrets_e2e.c - the secrets and PII detectors through the whole
 * scan: text files and notebooks (code, markdown, stream, text/plain,
 * text/html and traceback outputs; base64 images ignored), masked evidence,
 * fingerprints in props, locations.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "text/validators.h"

/* A token assembled at test time from a PRNG (no literal token in the repo;
 * words like "fake" would be dropped by the placeholder filter). */
static void fake_token(const char *prefix, char *out)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    char body[31];
    unsigned x = 88172645u;
    for (int i = 0; i < 30; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        body[i] = a[x % 62];
    }
    body[30] = 0;
    char crc[7];
    wt_base62_crc6(wt_crc32(body, 30), crc);
    sprintf(out, "%s%s%s", prefix, body, crc);
}

static const wt_finding *find_in_cell(const wt_scan_result *r, const char *id, int cell, const char *part)
{
    for (size_t i = 0; i < r->nfindings; i++) {
        const wt_finding *f = r->findings[i];
        if (strcmp(f->rule_id, id) == 0 && f->loc.cell == cell && f->loc.cell_part &&
            strcmp(f->loc.cell_part, part) == 0)
            return f;
    }
    return NULL;
}

WT_TEST(env_file_github_token_is_masked_with_fingerprint)
{
    char tok[64], text[256];
    fake_token("ghp_", tok);
    snprintf(text, sizeof text, "# deploy\nDEBUG=0\nGITHUB_TOKEN=%s\n", tok);
    wt_scan_result *r = wt_t_scan_mem("config.env", text, strlen(text));
    const wt_finding *f = wt_t_find(r, "WT-SECRET-004");
    CHECK(f != NULL);
    if (f) {
        CHECK_INT(f->loc.line, 3);
        CHECK_INT(f->loc.column, 14);
        CHECK(f->severity == WT_SEV_HIGH);
        CHECK(f->category == WT_CAT_SECRET);
        CHECK(f->confidence > 0.98);
        CHECK(f->evidence && strncmp(f->evidence, "ghp_*", 5) == 0 && !strstr(f->evidence, tok + 4));
        json_t *sha = f->props ? json_object_get(f->props, "secret_sha256") : NULL;
        CHECK(sha && strlen(json_string_value(sha)) == 64);
        CHECK(f->fingerprint && strlen(f->fingerprint) > 0);
    }
    CHECK(wt_t_count(r, "WT-SECRET-042") == 0 && wt_t_count(r, "WT-SECRET-043") == 0);
    wt_scan_result_free(r);
}

WT_TEST(same_secret_same_fingerprint_across_files)
{
    char tok[64], a[256], b[256];
    fake_token("ghp_", tok);
    snprintf(a, sizeof a, "TOKEN=%s\n", tok);
    snprintf(b, sizeof b, "TOKEN=%s\n", tok);
    wt_scan_result *r1 = wt_t_scan_mem("a.env", a, strlen(a));
    wt_scan_result *r2 = wt_t_scan_mem("a.env", b, strlen(b));
    const wt_finding *f1 = wt_t_find(r1, "WT-SECRET-004"), *f2 = wt_t_find(r2, "WT-SECRET-004");
    CHECK(f1 && f2 && strcmp(f1->fingerprint, f2->fingerprint) == 0);
    wt_scan_result_free(r1);
    wt_scan_result_free(r2);
}

WT_TEST(notebook_secrets_and_pii_in_every_part)
{
    char tok[64];
    fake_token("ghp_", tok);
    char nb[8192];
    snprintf(nb, sizeof nb,
             "{\n \"cells\": [\n"
             "  {\"cell_type\": \"code\", \"id\": \"c0\", \"metadata\": {}, \"execution_count\": 1,\n"
             "   \"source\": [\"import os\\n\", \"gh = \\\"%s\\\"\\n\"],\n"
             "   \"outputs\": [\n"
             "    {\"output_type\": \"stream\", \"name\": \"stdout\", \"text\": [\"   ssn\\n\", \"0  536-22-8147\\n\", \"1  412-38-1290\\n\", \"2  219-77-3456\\n\", \"3  301-45-7788\\n\", \"4  145-62-9031\\n\"]},\n"
             "    {\"output_type\": \"display_data\", \"metadata\": {}, \"data\": {\"image/png\": \"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==\", \"text/plain\": [\"<Figure size 640x480 with 1 Axes>\"]}}\n"
             "   ]},\n"
             "  {\"cell_type\": \"markdown\", \"id\": \"m1\", \"metadata\": {}, \"source\": [\"Contact: jane.doe@acme-corp.io\\n\"]},\n"
             "  {\"cell_type\": \"code\", \"id\": \"c2\", \"metadata\": {}, \"execution_count\": 2, \"source\": [\"df\"],\n"
             "   \"outputs\": [{\"output_type\": \"execute_result\", \"execution_count\": 2, \"metadata\": {},\n"
             "     \"data\": {\"text/html\": [\"<table border=\\\"1\\\" class=\\\"dataframe\\\">\\n\", \"<thead><tr><th></th><th>name</th><th>city</th></tr></thead>\\n\",\n"
             "       \"<tbody>\\n\", \"<tr><th>0</th><td>John Smith</td><td>Oslo</td></tr>\\n\", \"<tr><th>1</th><td>Maria Garcia</td><td>Rome</td></tr>\\n\", \"</tbody></table>\"]}}]},\n"
             "  {\"cell_type\": \"code\", \"id\": \"c3\", \"metadata\": {}, \"execution_count\": 3, \"source\": [\"connect()\"],\n"
             "   \"outputs\": [{\"output_type\": \"error\", \"ename\": \"OperationalError\", \"evalue\": \"failed\",\n"
             "     \"traceback\": [\"\\u001b[0;31mOperationalError\\u001b[0m: could not connect to postgresql://admin:Vq8kLz2mWp9t@db.internal:5432/prod\"]}]}\n"
             " ],\n \"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 5\n}\n",
             tok);
    wt_scan_result *r = wt_t_scan_mem("analysis.ipynb", nb, strlen(nb));
    const wt_finding *gh = find_in_cell(r, "WT-SECRET-004", 0, "source");
    CHECK(gh != NULL);
    if (gh) {
        CHECK_INT(gh->loc.cell_line, 2);
        CHECK_INT(gh->loc.line, 4);
        CHECK_STR(gh->loc.cell_id, "c0");
    }
    const wt_finding *ssn = find_in_cell(r, "WT-PII-005", 0, "output");
    CHECK(ssn && ssn->severity == WT_SEV_CRITICAL);
    if (ssn)
        CHECK_INT(ssn->loc.cell_line, 2);
    const wt_finding *mail = find_in_cell(r, "WT-PII-001", 1, "source");
    CHECK(mail && mail->severity == WT_SEV_LOW);
    const wt_finding *names = find_in_cell(r, "WT-PII-016", 2, "output");
    CHECK(names != NULL);
    if (names) {
        json_t *cnt = json_object_get(names->props, "count");
        CHECK(cnt && json_integer_value(cnt) == 2);
    }
    CHECK(find_in_cell(r, "WT-SECRET-041", 3, "output") != NULL);
    /* nothing from the base64 image */
    for (size_t i = 0; i < r->nfindings; i++)
        if (r->findings[i]->category == WT_CAT_SECRET || r->findings[i]->category == WT_CAT_PII)
            CHECK(!(r->findings[i]->loc.cell == 0 && r->findings[i]->loc.cell_part &&
                    strcmp(r->findings[i]->loc.cell_part, "output") == 0 &&
                    strcmp(r->findings[i]->rule_id, "WT-PII-005") != 0));
    wt_scan_result_free(r);
}

WT_TEST(clean_ml_notebook_has_nothing_above_low)
{
    const char *nb =
        "{\"cells\": [{\"cell_type\": \"code\", \"metadata\": {}, \"execution_count\": 1, \"source\": ["
        "\"from transformers import AutoTokenizer\\n\", \"tok = AutoTokenizer.from_pretrained('bert-base-uncased', revision='a265f773a47193eed794233aa2a0f0bb6d3eaa63')\\n\","
        "\"token = os.environ['HF_TOKEN']\\n\", \"run = '3f1c2b9e-8d4a-4e7b-9c61-5a2f0d8e7b14'\\n\"],"
        "\"outputs\": [{\"output_type\": \"stream\", \"name\": \"stderr\", \"text\": [\"Downloading: 100%|##########| 570/570 [00:00<00:00, 1.2MB/s]\\n\","
        "\"sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\\n\"]}]}],"
        "\"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 5}";
    wt_scan_result *r = wt_t_scan_mem("clean.ipynb", nb, strlen(nb));
    CHECK(wt_t_max_sev_cat(r, WT_CAT_SECRET) <= WT_SEV_LOW);
    CHECK(wt_t_max_sev_cat(r, WT_CAT_PII) <= WT_SEV_LOW);
    wt_scan_result_free(r);
}

static void prng_b64(unsigned seed, char *out, size_t n)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i++) {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        out[i] = a[seed % 64];
    }
    out[n] = 0;
}

WT_TEST(pkcs8_keys_with_a_shared_prefix_get_distinct_fingerprints)
{
    char b1[65], b2[65], k1[512], k2[512];
    prng_b64(11, b1, 64);
    prng_b64(12, b2, 64);
    const char *pre = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC";
    snprintf(k1, sizeof k1, "%s%s\n-----END PRIVATE KEY-----\n", pre, b1);
    snprintf(k2, sizeof k2, "%s%s\n-----END PRIVATE KEY-----\n", pre, b2);
    wt_scan_result *r1 = wt_t_scan_mem("k1.pem", k1, strlen(k1));
    wt_scan_result *r2 = wt_t_scan_mem("k2.pem", k2, strlen(k2));
    const wt_finding *f1 = wt_t_find(r1, "WT-SECRET-013"), *f2 = wt_t_find(r2, "WT-SECRET-013");
    CHECK(f1 && f2);
    if (f1 && f2) {
        CHECK(f1->severity == WT_SEV_CRITICAL);
        const char *s1 = json_string_value(json_object_get(f1->props, "secret_sha256"));
        const char *s2 = json_string_value(json_object_get(f2->props, "secret_sha256"));
        CHECK(s1 && s2 && strcmp(s1, s2) != 0);
        CHECK(strcmp(f1->evidence, f2->evidence) != 0);
    }
    wt_scan_result_free(r1);
    wt_scan_result_free(r2);
}
