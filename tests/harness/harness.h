/*
 * harness.h - a tiny unit-test harness. Tests read like specifications:
 *
 *   WT_TEST(pickle_reports_os_system) { ...; CHECK(x == 1); }
 *
 * Each test executable runs every WT_TEST it defines (or those whose names
 * contain argv[1]) and ends with the line "N passed, N failed".
 */
#ifndef WT_HARNESS_H
#define WT_HARNESS_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "watchtower/watchtower.h"

typedef void (*wt_test_fn)(void);
void wt_test_register(const char *name, wt_test_fn fn);
void wt_test_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define WT_TEST(name)                                                              \
    static void test_##name(void);                                                 \
    __attribute__((constructor)) static void reg_##name(void) { wt_test_register(#name, test_##name); } \
    static void test_##name(void)

#define CHECK(cond) do { if (!(cond)) { wt_test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond); } } while (0)
#define CHECK_INT(a, b) do { long long _a = (long long)(a), _b = (long long)(b); \
    if (_a != _b) wt_test_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", #a, _a, #b, _b); } while (0)
#define CHECK_STR(a, b) do { const char *_a = (a), *_b = (b); \
    if (!_a || !_b || strcmp(_a, _b) != 0) wt_test_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", #a, _a ? _a : "(null)", _b ? _b : "(null)"); } while (0)

/* ---- scanning helpers ---- */
/* Scan one in-memory artifact named `name`; aborts the test on error. */
wt_scan_result *wt_t_scan_mem(const char *name, const void *buf, size_t len);
/* Scan a path with default options (jobs=1). */
wt_scan_result *wt_t_scan_path(const char *path);
/* Number of findings with this rule id (prefix match if id ends with '*'). */
size_t wt_t_count(const wt_scan_result *r, const char *rule_id);
/* Highest severity among findings (WT_SEV_NONE if none). */
wt_severity wt_t_max_sev(const wt_scan_result *r);
/* Highest severity among findings of a category. */
wt_severity wt_t_max_sev_cat(const wt_scan_result *r, wt_category c);
/* First finding with this rule id, or NULL. */
const wt_finding *wt_t_find(const wt_scan_result *r, const char *rule_id);
/* First finding whose evidence or message contains needle. */
const wt_finding *wt_t_find_text(const wt_scan_result *r, const char *needle);
/* Print all findings (debug aid on failure). */
void wt_t_dump(const wt_scan_result *r);
/* A fresh temporary directory (removed at exit). */
const char *wt_t_tmpdir(void);
/* Write a file under dir; returns malloc'd full path. */
char *wt_t_write(const char *dir, const char *rel, const void *data, size_t len);
/* Environment helper: getenv with default. */
const char *wt_t_env(const char *name, const char *dflt);

#endif
