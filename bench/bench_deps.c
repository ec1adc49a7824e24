/*
 * bench_deps - the dependency checker's figures.
 * Usage: bench_deps [PyPI.zip]   (default $WT_SHARED/data/osv/PyPI.zip or
 *                                 ../shared/data/osv/PyPI.zip)
 * Prints: index build time from the snapshot, advisory lookups (+ match of
 * a pinned version) per second, and the time to open the index and check
 * a 200-line requirements file (target: well under 100 ms), both for the
 * dependency module alone and through a full scan. Figures only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"
#include "deps/deps.h"
#include "deps/deps_check.h"
#include "deps/osv.h"
#include "watchtower/watchtower.h"

/* CPU time: the figures stay meaningful on a busy machine */
static uint64_t cpu_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static const char *const pkgs[][2] = {
    {"tensorflow", "2.4.0"}, {"pillow", "8.0.0"}, {"pyyaml", "5.3"},    {"jinja2", "2.10"},   {"requests", "2.19.0"},
    {"urllib3", "1.24.1"},   {"flask", "0.12"},   {"torch", "1.13.0"},  {"joblib", "1.1.0"},  {"django", "3.2"},
    {"numpy", "1.21.0"},     {"scipy", "1.5.0"},  {"pandas", "1.0.0"},  {"lxml", "4.6.0"},    {"cryptography", "3.2"},
    {"aiohttp", "3.8.0"},    {"werkzeug", "2.0"}, {"setuptools", "60"}, {"notebook", "6.0"},  {"ansible", "2.9.0"},
};

int main(int argc, char **argv) {
    char zip[1024];
    if (argc > 1) snprintf(zip, sizeof zip, "%s", argv[1]);
    else snprintf(zip, sizeof zip, "%s/data/osv/PyPI.zip", getenv("WT_SHARED") ? getenv("WT_SHARED") : "../shared");
    char dir[] = "/tmp/wt-bench-deps-XXXXXX";
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 2; }
    char *db = wt_xasprintf("%s/osv.sqlite", dir);
    wt_osv_build_stats st;
    char *err = NULL;
    if (wt_osv_build(zip, db, zip, &st, &err) != WT_OK) {
        fprintf(stderr, "bench_deps: %s\n", err);
        return 2;
    }
    struct stat sb;
    stat(db, &sb);
    printf("index build:      %.3f s wall  (%zu advisories, %zu packages, index %.1f MB)\n", st.seconds, st.records,
           st.packages, (double)sb.st_size / 1e6);

    /* lookups per second: lookup + parse + match of a pinned version */
    wt_osv_db *o = wt_osv_open(db, &err);
    if (!o) { fprintf(stderr, "bench_deps: %s\n", err); return 2; }
    size_t npk = sizeof pkgs / sizeof pkgs[0], iters = 0, matches = 0;
    uint64_t t0 = cpu_ns();
    while (cpu_ns() - t0 < 1000000000ull) {
        for (size_t i = 0; i < npk; i++) {
            wt_osv_pkg *p = NULL;
            wt_osv_lookup(o, pkgs[i][0], &p, &err);
            wt_dep d = {0};
            d.name = d.norm = (char *)pkgs[i][0];
            d.version = (char *)pkgs[i][1];
            wt_dep_result r;
            wt_dep_match_pkg(p, &d, &r);
            matches += r.n;
            wt_dep_result_fini(&r);
            wt_osv_pkg_free(p);
            iters++;
        }
    }
    double secs = (double)(cpu_ns() - t0) / 1e9;
    printf("lookups:          %.0f /s of CPU  (lookup + match of a pinned version; mix of %zu packages incl. tensorflow; "
           "%zu advisory matches)\n",
           (double)iters / secs, npk, matches);
    wt_osv_close(o);

    /* open the index and check a 200-line requirements file (full scan) */
    char *proj = wt_xasprintf("%s/proj", dir);
    mkdir(proj, 0755);
    char *req = wt_xasprintf("%s/requirements.txt", proj);
    FILE *f = fopen(req, "w");
    for (int i = 0; i < 200; i++) {
        if (i < (int)npk) fprintf(f, "%s==%s\n", pkgs[i][0], pkgs[i][1]);
        else if (i % 3 == 0) fprintf(f, "package-%d>=1.0 ; python_version >= \"3.8\"\n", i);
        else fprintf(f, "package-%d==1.%d.0  # pinned\n", i, i);
    }
    fclose(f);
    /* the dependency module alone: open the index, parse the file, look up
     * and match every requirement */
    {
        FILE *rf = fopen(req, "rb");
        char *text = wt_xmalloc(1 << 20);
        size_t tl = fread(text, 1, (1 << 20) - 1, rf);
        text[tl] = 0;
        fclose(rf);
        double dbest = 1e9;
        size_t nm = 0;
        for (int run = 0; run < 5; run++) {
            uint64_t s0 = cpu_ns();
            wt_osv_db *od = wt_osv_open(db, &err);
            wt_marker_env env;
            wt_marker_env_init(&env, NULL, NULL);
            wt_vec deps = {0}, issues = {0};
            wt_requirements_parse(text, tl, "requirements.txt", NULL, &env, &deps, &issues);
            nm = 0;
            for (size_t i = 0; i < deps.len; i++) {
                wt_dep *d = deps.items[i];
                wt_osv_pkg *p = NULL;
                wt_osv_lookup(od, d->norm, &p, &err);
                wt_dep_result r;
                wt_dep_match_pkg(p, d, &r);
                nm += r.ndistinct;
                wt_dep_result_fini(&r);
                wt_osv_pkg_free(p);
            }
            wt_dep_list_free(&deps);
            wt_vec_free(&issues, wt_dep_issue_free);
            wt_osv_close(od);
            double ms = (double)(cpu_ns() - s0) / 1e6;
            if (ms < dbest) dbest = ms;
        }
        printf("200-line deps:    %.1f ms CPU best of 5 (open index + parse + look up and match 200 requirements; %zu "
               "advisories)\n",
               dbest, nm);
        free(text);
    }
    double best = 1e9, worst = 0;
    size_t nf = 0;
    for (int run = 0; run < 5; run++) {
        wt_scan_options opt;
        wt_scan_options_default(&opt);
        opt.jobs = 1;
        opt.osv_db = db;
        const char *targets[] = {proj};
        wt_scan_result *r = NULL;
        uint64_t s0 = wt_now_ns();
        if (wt_scan(targets, 1, &opt, &r, &err) != WT_OK) { fprintf(stderr, "bench_deps: %s\n", err); return 2; }
        double ms = (double)(wt_now_ns() - s0) / 1e6;
        if (ms < best) best = ms;
        if (ms > worst) worst = ms;
        nf = r->nfindings;
        wt_scan_result_free(r);
    }
    printf("200-line scan:    %.1f ms best, %.1f ms worst of 5, wall (full wt_scan of the folder: scan setup, every "
           "analyzer and detector, %zu findings)\n",
           best, worst, nf);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) { /* best effort */ }
    free(req);
    free(proj);
    free(db);
    return 0;
}
