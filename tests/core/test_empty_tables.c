/*
 * test_empty_tables.c - a user rule table (--rules-dir) with no allow-list
 * entries left the typosquat allow list empty and NULL: qsort/bsearch with a
 * NULL base is undefined behaviour (UBSan reports it even for 0 elements).
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

WT_TEST(typosquat_check_with_a_user_table_without_allow_list) {
    const char *dir = wt_t_tmpdir();
    const char *table = "# popular packages, no '!' allow-list lines\nrequests\nnumpy\n";
    free(wt_t_write(dir, "rules/popular_packages.txt", table, strlen(table)));
    char *rules = malloc(strlen(dir) + 8);
    strcpy(rules, dir);
    strcat(rules, "/rules");
    const char *req = "reqeusts==2.31.0\nnumpy==1.26.0\n";
    wt_scan_options o;
    wt_scan_options_default(&o);
    o.jobs = 1;
    o.rules_dir = rules;
    o.osv_db = "/nonexistent/osv.db";
    wt_scan_result *r = NULL;
    char *err = NULL;
    CHECK_INT(wt_scan_memory("requirements.txt", req, strlen(req), &o, &r, &err), WT_OK);
    const wt_finding *f = r ? wt_t_find_text(r, "requests") : NULL;
    CHECK(f != NULL); /* reqeusts is one edit from requests */
    wt_scan_result_free(r);
    free(err);
    free(rules);
}
