/* Connection strings: a weak password in a URL to a real host is still a
 * leaked credential; URL userinfo is not an e-mail address. */
#include <string.h>

#include "harness.h"

static wt_scan_result *scan_text(const char *name, const char *text) { return wt_t_scan_mem(name, text, strlen(text)); }

WT_TEST(weak_password_in_a_connection_string_is_reported) {
    wt_scan_result *r = scan_text("settings.env", "DATABASE_URL=postgres://admin:s3cr3tPassw0rd@db.internal:5432/prod\n");
    CHECK_INT(wt_t_count(r, "WT-SECRET-041"), 1);
    const wt_finding *f = wt_t_find(r, "WT-SECRET-041");
    CHECK(f && f->confidence <= 0.5);
    CHECK(f && f->loc.line == 1);
    CHECK_INT(wt_t_count(r, "WT-PII-001"), 0);
    wt_scan_result_free(r);
}

WT_TEST(literal_password_word_in_a_url_is_a_placeholder) {
    wt_scan_result *r = scan_text("settings.env", "DATABASE_URL=postgres://user:password@localhost/db\n");
    CHECK_INT(wt_t_count(r, "WT-SECRET-041"), 0);
    wt_scan_result_free(r);
}

WT_TEST(weak_password_in_a_plain_assignment_stays_sample_code) {
    wt_scan_result *r = scan_text("train.py", "password = \"hunter2hunter2\"\n");
    CHECK_INT(wt_t_count(r, "WT-SECRET-*"), 0);
    wt_scan_result_free(r);
}

WT_TEST(url_userinfo_is_not_an_email) {
    wt_scan_result *r = scan_text("setup.sh", "git clone https://alice@github.com/org/repo\n");
    CHECK_INT(wt_t_count(r, "WT-PII-001"), 0);
    wt_scan_result_free(r);
    r = scan_text("README.md", "Write to alice.smith@corp-mail.com for access.\n");
    CHECK_INT(wt_t_count(r, "WT-PII-001"), 1);
    wt_scan_result_free(r);
}
