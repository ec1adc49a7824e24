#include "harness.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"

#define MAX_TESTS 2048
static struct { const char *name; wt_test_fn fn; } tests[MAX_TESTS];
static int ntests;
static int cur_failed;

void wt_test_register(const char *name, wt_test_fn fn) {
    if (ntests < MAX_TESTS) { tests[ntests].name = name; tests[ntests].fn = fn; ntests++; }
}

void wt_test_fail(const char *file, int line, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "    %s:%d: ", file, line);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    cur_failed = 1;
}

static char tmpdir[256];
static void rm_tmpdir(void) {
    if (tmpdir[0]) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0) { /* best effort */ }
    }
}

const char *wt_t_tmpdir(void) {
    if (!tmpdir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/wt-test-XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(tmpdir)) { perror("mkdtemp"); exit(2); }
        atexit(rm_tmpdir);
    }
    return tmpdir;
}

char *wt_t_write(const char *dir, const char *rel, const void *data, size_t len) {
    char *path = wt_xasprintf("%s/%s", dir, rel);
    for (char *p = path + 1; *p; p++) {
        if (*p == '/') { *p = 0; mkdir(path, 0755); *p = '/'; }
    }
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); exit(2); }
    if (len && fwrite(data, 1, len, f) != len) { perror(path); exit(2); }
    fclose(f);
    return path;
}

const char *wt_t_env(const char *name, const char *dflt) {
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

wt_scan_result *wt_t_scan_mem(const char *name, const void *buf, size_t len) {
    wt_scan_options o;
    wt_scan_options_default(&o);
    o.jobs = 1;
    wt_scan_result *r = NULL;
    char *err = NULL;
    if (wt_scan_memory(name, buf, len, &o, &r, &err) != WT_OK) {
        fprintf(stderr, "scan_mem failed: %s\n", err ? err : "?");
        exit(2);
    }
    return r;
}

wt_scan_result *wt_t_scan_path(const char *path) {
    wt_scan_options o;
    wt_scan_options_default(&o);
    o.jobs = 1;
    wt_scan_result *r = NULL;
    char *err = NULL;
    const char *t[1] = {path};
    if (wt_scan(t, 1, &o, &r, &err) != WT_OK) {
        fprintf(stderr, "scan failed: %s\n", err ? err : "?");
        exit(2);
    }
    return r;
}

static bool rule_match(const char *id, const char *pat) {
    size_t n = strlen(pat);
    if (n && pat[n - 1] == '*') return strncmp(id, pat, n - 1) == 0;
    return strcmp(id, pat) == 0;
}

size_t wt_t_count(const wt_scan_result *r, const char *rule_id) {
    size_t c = 0;
    for (size_t i = 0; i < r->nfindings; i++)
        if (rule_match(r->findings[i]->rule_id, rule_id)) c++;
    return c;
}

const wt_finding *wt_t_find(const wt_scan_result *r, const char *rule_id) {
    for (size_t i = 0; i < r->nfindings; i++)
        if (rule_match(r->findings[i]->rule_id, rule_id)) return r->findings[i];
    return NULL;
}

const wt_finding *wt_t_find_text(const wt_scan_result *r, const char *needle) {
    for (size_t i = 0; i < r->nfindings; i++) {
        const wt_finding *f = r->findings[i];
        if ((f->evidence && strstr(f->evidence, needle)) || (f->message && strstr(f->message, needle))) return f;
    }
    return NULL;
}

wt_severity wt_t_max_sev(const wt_scan_result *r) {
    wt_severity m = WT_SEV_NONE;
    for (size_t i = 0; i < r->nfindings; i++)
        if (r->findings[i]->severity > m) m = r->findings[i]->severity;
    return m;
}

wt_severity wt_t_max_sev_cat(const wt_scan_result *r, wt_category c) {
    wt_severity m = WT_SEV_NONE;
    for (size_t i = 0; i < r->nfindings; i++)
        if (r->findings[i]->category == c && r->findings[i]->severity > m) m = r->findings[i]->severity;
    return m;
}

void wt_t_dump(const wt_scan_result *r) {
    for (size_t i = 0; i < r->nfindings; i++) {
        const wt_finding *f = r->findings[i];
        fprintf(stderr, "      [%s] %s %s: %s (%s)\n", wt_severity_name(f->severity), f->rule_id, f->artifact,
                f->message, f->evidence ? f->evidence : "");
    }
}

int main(int argc, char **argv) {
    int passed = 0, failed = 0;
    for (int i = 0; i < ntests; i++) {
        if (argc > 1 && !strstr(tests[i].name, argv[1])) continue;
        cur_failed = 0;
        tests[i].fn();
        if (cur_failed) { failed++; fprintf(stderr, "FAIL %s\n", tests[i].name); }
        else { passed++; fprintf(stderr, "ok   %s\n", tests[i].name); }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
