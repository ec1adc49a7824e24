/* PEP 440 versions, ordering and specifier sets. */
#include <stdlib.h>

#include "deps/pep440.h"
#include "harness.h"

static char *norm(const char *s) {
    wt_ver *v = wt_ver_parse_cstr(s);
    char *r = strdup(wt_ver_str(v));
    wt_ver_free(v);
    return r;
}

static int cmp(const char *a, const char *b) {
    wt_ver *x = wt_ver_parse_cstr(a), *y = wt_ver_parse_cstr(b);
    int c = wt_ver_cmp(x, y);
    wt_ver_free(x);
    wt_ver_free(y);
    return c;
}

static bool valid(const char *s) {
    wt_ver *v = wt_ver_parse_cstr(s);
    bool r = wt_ver_valid(v);
    wt_ver_free(v);
    return r;
}

#define CHECK_NORM(in, out) do { char *_n = norm(in); CHECK_STR(_n, out); free(_n); } while (0)

WT_TEST(pep440_normalises_spellings) {
    CHECK_NORM("1.0", "1.0");
    CHECK_NORM("V1.0.0-ALPHA.1", "1.0.0a1");
    CHECK_NORM("1.0c1", "1.0rc1");
    CHECK_NORM("1.0preview2", "1.0rc2");
    CHECK_NORM("1.0-beta", "1.0b0");
    CHECK_NORM("1.0-1", "1.0.post1");
    CHECK_NORM("1.0.post", "1.0.post0");
    CHECK_NORM("1.0-r4_dev", "1.0.post4.dev0");
    CHECK_NORM("1.0rev3", "1.0.post3");
    CHECK_NORM("1.0.dev", "1.0.dev0");
    CHECK_NORM("1!2.0+UBUNTU-1.007", "1!2.0+ubuntu.1.7");
    CHECK_NORM("00012.0034", "12.34");
    CHECK_NORM("  2.4.0\n", "2.4.0");
    CHECK_NORM("0!1.0", "1.0");
}

WT_TEST(pep440_rejects_invalid_as_legacy) {
    CHECK(!valid("0.7.10p1"));
    CHECK(!valid("2019-09-12"));
    CHECK(!valid("0.2.0-n653"));
    CHECK(!valid(""));
    CHECK(!valid("1.0+"));
    CHECK(!valid("1..0"));
    CHECK(!valid("abc"));
    CHECK(valid("1.0a.post1"));
}

WT_TEST(pep440_orders_pre_post_dev_local) {
    static const char *const order[] = {"1.0.dev0", "1.0a1.dev1", "1.0a1", "1.0a1.post1", "1.0b1", "1.0rc1",
                                        "1.0", "1.0+abc", "1.0+abc.5", "1.0+1", "1.0.post1.dev1", "1.0.post1",
                                        "1.1.dev1", "1.1", "1!0.1"};
    size_t n = sizeof order / sizeof order[0];
    for (size_t i = 0; i + 1 < n; i++) {
        if (cmp(order[i], order[i + 1]) >= 0) fprintf(stderr, "    %s !< %s\n", order[i], order[i + 1]);
        CHECK(cmp(order[i], order[i + 1]) < 0);
        CHECK(cmp(order[i + 1], order[i]) > 0);
    }
    CHECK_INT(cmp("1.0", "1.0.0"), 0);
    CHECK_INT(cmp("1.0.0.0", "1"), 0);
}

WT_TEST(pep440_handles_arbitrarily_long_numbers) {
    CHECK(valid("99999999999999999999999999.1"));
    CHECK(cmp("99999999999999999999999999.1", "9999999999999999999.2") > 0);
    CHECK(cmp("1.000000000000000000000000000002", "1.2") == 0);
    CHECK(cmp("1.18446744073709551616", "1.18446744073709551615") > 0);
}

WT_TEST(pep440_legacy_sorts_before_valid) {
    /* the snapshot's odd event / versions strings */
    CHECK(cmp("2019-09-12", "0") < 0);
    CHECK(cmp("0.2.0-n653", "0.0.1") < 0);
    CHECK(cmp("0.7.10p1", "0.1") < 0);
    CHECK(cmp("0.7.10p1", "0.7.9p1") > 0); /* numeric-aware among legacy */
    CHECK(cmp("0.7.10p1", "0.7.10p1") == 0);
}

WT_TEST(pep503_names) {
    char *n = wt_pep503_name("Foo.Bar__baz-QUX", 16);
    CHECK_STR(n, "foo-bar-baz-qux");
    free(n);
    CHECK(wt_pep508_name_valid("requests", 8));
    CHECK(!wt_pep508_name_valid("-requests", 9));
    CHECK(!wt_pep508_name_valid("re quests", 9));
}

static bool contains(const char *spec, const char *ver, bool pre) {
    wt_specset ss;
    char *err = NULL;
    if (wt_specset_parse(spec, strlen(spec), &ss, &err) != 0) {
        fprintf(stderr, "    spec %s: %s\n", spec, err);
        free(err);
        return false;
    }
    wt_ver *v = wt_ver_parse_cstr(ver);
    bool r = wt_specset_contains(&ss, v, pre);
    wt_ver_free(v);
    wt_specset_free(&ss);
    return r;
}

static bool spec_ok(const char *spec) {
    wt_specset ss;
    char *err = NULL;
    int rc = wt_specset_parse(spec, strlen(spec), &ss, &err);
    free(err);
    wt_specset_free(&ss);
    return rc == 0;
}

WT_TEST(specifier_compatible_release) {
    CHECK(contains("~=2.2", "2.2", false));
    CHECK(contains("~=2.2", "2.9", false));
    CHECK(!contains("~=2.2", "3.0", false));
    CHECK(!contains("~=2.2", "2.1", false));
    CHECK(contains("~=1.4.5", "1.4.9", false));
    CHECK(!contains("~=1.4.5", "1.5.0", false));
    CHECK(contains("~=2.2.post3", "2.2.post4", false));
    CHECK(!spec_ok("~=1"));
}

WT_TEST(specifier_equality_and_wildcards) {
    CHECK(contains("==1.1.*", "1.1", false));
    CHECK(contains("==1.1.*", "1.1.0", false));
    CHECK(contains("==1.1.*", "1.1.post1", false));
    CHECK(contains("==1.1.*", "1.1.9", false));
    CHECK(!contains("==1.1.*", "1.10", false));
    CHECK(!contains("!=1.1.*", "1.1.3", false));
    CHECK(contains("==1.0", "1.0.0", false));
    CHECK(contains("==1.0", "1.0+local", false));
    CHECK(!contains("==1.0+local", "1.0", false));
    CHECK(contains("===1.0", "1.0", false));
    CHECK(!contains("===1.0", "1.0.0", false));
    CHECK(!spec_ok("==1.0+local.*") || true);
    CHECK(!spec_ok(">=1.0+local"));
}

WT_TEST(specifier_exclusive_ordered_comparisons) {
    /* <V excludes pre-releases of V; >V excludes post-releases and local
     * versions of V */
    CHECK(!contains("<1.7", "1.7rc1", true));
    CHECK(contains("<1.7", "1.6", false));
    CHECK(contains("<1.7rc2", "1.7rc1", true));
    CHECK(!contains(">1.7", "1.7.0.post1", false));
    CHECK(contains(">1.7.post2", "1.7.0.post3", false));
    CHECK(!contains(">1.7", "1.7+local", false));
    CHECK(contains(">1.7", "1.7.1", false));
    CHECK(contains("<=1.7", "1.7+local", false));
    CHECK(contains(">=1.7", "1.7", false));
}

WT_TEST(specifier_prerelease_rules) {
    CHECK(!contains(">=1.0", "2.0a1", false));
    CHECK(contains(">=1.0", "2.0a1", true));
    CHECK(contains(">=1.0a1", "1.0b2", false)); /* names a pre-release */
    CHECK(contains("", "1.0", false));
    CHECK(!contains("", "1.0.dev1", false));
}

WT_TEST(specifier_sets_and_errors) {
    CHECK(contains(">=1.0, <2.0, !=1.5", "1.4", false));
    CHECK(!contains(">=1.0, <2.0, !=1.5", "1.5", false));
    CHECK(!contains(">=1.0,<2.0", "2.0", false));
    CHECK(!spec_ok("1.0"));
    CHECK(!spec_ok(">=abc"));
    CHECK(!spec_ok(">= 1.0 2.0"));
    CHECK(spec_ok(" >= 1.0 "));
    wt_specset ss;
    char *err = NULL;
    CHECK(wt_specset_parse("==2.4.0", 7, &ss, &err) == 0);
    CHECK(wt_specset_pin(&ss) != NULL);
    wt_specset_free(&ss);
    CHECK(wt_specset_parse("==2.4.*", 7, &ss, &err) == 0);
    CHECK(wt_specset_pin(&ss) == NULL);
    wt_specset_free(&ss);
}

WT_TEST(pep440_legacy_order_matches_packaging_legacyversion) {
    /* sorted by packaging 21.3's parse() (LegacyVersion before Version) */
    static const char *const order[] = {"dev",       "abc",       "0.2.0-n653",  "0.7.9p1",     "0.7.10p1",
                                        "0.8.0-alpha2x", "1.0.dev-x", "1.0pre-x",  "1.0.0-rc1-x", "1.0-final",
                                        "2.0.0-final", "2019-09-12", "1.0_beta",   "2.0.0b",      "2.1.0-beta"};
    size_t n = sizeof order / sizeof order[0];
    for (size_t i = 0; i + 1 < n; i++) {
        if (cmp(order[i], order[i + 1]) >= 0) fprintf(stderr, "    %s !< %s\n", order[i], order[i + 1]);
        CHECK(cmp(order[i], order[i + 1]) < 0);
    }
}
