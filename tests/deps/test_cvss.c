/* CVSS base scores against published vectors and scores. */
#include <math.h>

#include "deps/cvss.h"
#include "harness.h"

static double score(const char *v) {
    double s = -1;
    if (wt_cvss_score(v, &s) != 0) return -1;
    return s;
}

#define CHECK_SCORE(v, expect) do { double _s = score(v); \
    if (fabs(_s - (expect)) > 1e-9) wt_test_fail(__FILE__, __LINE__, "%s = %.1f, expected %.1f", v, _s, (double)(expect)); } while (0)

WT_TEST(cvss_v31_known_scores) {
    CHECK_SCORE("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8);
    CHECK_SCORE("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0);
    CHECK_SCORE("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1);
    CHECK_SCORE("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5);
    CHECK_SCORE("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8);
    CHECK_SCORE("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9);
    CHECK_SCORE("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6);
    CHECK_SCORE("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0);
}

WT_TEST(cvss_v30_known_scores) {
    CHECK_SCORE("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8);
    CHECK_SCORE("CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8);
    CHECK_SCORE("CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4);
}

WT_TEST(cvss_v40_known_scores) {
    /* examples from the FIRST specification and its calculator */
    CHECK_SCORE("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3);
    CHECK_SCORE("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 10.0);
    CHECK_SCORE("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N", 6.9);
    CHECK_SCORE("CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 8.5);
    CHECK_SCORE("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0.0);
}

WT_TEST(cvss_rejects_malformed_vectors) {
    CHECK(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H") < 0);       /* missing A */
    CHECK(score("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H") < 0);   /* bad value */
    CHECK(score("CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H") < 0); /* duplicate */
    CHECK(score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N") < 0);
    CHECK(score("CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P") < 0);
    CHECK(score("") < 0);
    CHECK(score("CVSS:3.1/") < 0);
}

WT_TEST(cvss_severity_bands) {
    CHECK_INT(wt_cvss_severity(0.0), WT_SEV_NONE);
    CHECK_INT(wt_cvss_severity(3.9), WT_SEV_LOW);
    CHECK_INT(wt_cvss_severity(4.0), WT_SEV_MEDIUM);
    CHECK_INT(wt_cvss_severity(6.9), WT_SEV_MEDIUM);
    CHECK_INT(wt_cvss_severity(7.0), WT_SEV_HIGH);
    CHECK_INT(wt_cvss_severity(9.0), WT_SEV_CRITICAL);
}
