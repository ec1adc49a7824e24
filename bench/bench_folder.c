/*
 * bench_folder - scan throughput over a folder of many small files.
 * Usage: bench_folder [NFILES] [DIR]   (default 10000 files in a temp dir)
 * Prints files/s, MB/s, bytes read and peak RSS. Not a test: figures only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "watchtower/watchtower.h"

static void write_file(const char *path, const char *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); exit(2); }
    fwrite(data, 1, n, f);
    fclose(f);
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 10000;
    char dir[256];
    if (argc > 2) snprintf(dir, sizeof dir, "%s", argv[2]);
    else {
        snprintf(dir, sizeof dir, "/tmp/wt-bench-folder-XXXXXX");
        if (!mkdtemp(dir)) { perror("mkdtemp"); return 2; }
    }
    /* a realistic mix: python sources, configs, small pickles, notebooks */
    static const char py[] = "import torch\nfrom model import Net\n\ndef train(x):\n    return Net()(x)\n";
    static const char cfg[] = "learning_rate: 0.001\nbatch_size: 32\nmodel: resnet50\n";
    static const char pkl[] = "\x80\x04\x95\x0a\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x01" "a\x94K\x01" "s.";
    static const char nb[] = "{\"cells\": [{\"cell_type\": \"code\", \"source\": [\"print(1)\\n\"], \"outputs\": [], "
                             "\"metadata\": {}, \"execution_count\": 1}], \"metadata\": {}, \"nbformat\": 4, "
                             "\"nbformat_minor\": 5}\n";
    uint64_t total = 0;
    for (int i = 0; i < n; i++) {
        char sub[300], path[400];
        snprintf(sub, sizeof sub, "%s/d%03d", dir, i / 100);
        mkdir(sub, 0755);
        switch (i % 4) {
        case 0: snprintf(path, sizeof path, "%s/f%05d.py", sub, i); write_file(path, py, sizeof py - 1); total += sizeof py - 1; break;
        case 1: snprintf(path, sizeof path, "%s/f%05d.yaml", sub, i); write_file(path, cfg, sizeof cfg - 1); total += sizeof cfg - 1; break;
        case 2: snprintf(path, sizeof path, "%s/f%05d.pkl", sub, i); write_file(path, pkl, sizeof pkl - 1); total += sizeof pkl - 1; break;
        default: snprintf(path, sizeof path, "%s/f%05d.ipynb", sub, i); write_file(path, nb, sizeof nb - 1); total += sizeof nb - 1; break;
        }
    }
    wt_scan_options o;
    wt_scan_options_default(&o);
    const char *t[1] = {dir};
    for (int jobs = 1; jobs <= wt_ncpus(); jobs *= 2) {
        o.jobs = jobs;
        wt_scan_result *r = NULL;
        char *err = NULL;
        uint64_t t0 = wt_now_ns();
        if (wt_scan(t, 1, &o, &r, &err) != WT_OK) { fprintf(stderr, "scan failed: %s\n", err); return 2; }
        double s = (double)(wt_now_ns() - t0) / 1e9;
        printf("folder: %d files (%.1f MB) jobs=%d: %.3f s, %.0f files/s, %.1f MB/s, %zu findings\n", n,
               (double)total / 1e6, jobs, s, n / s, (double)total / 1e6 / s, r->nfindings);
        wt_scan_result_free(r);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("folder: peak RSS %.1f MB\n", ru.ru_maxrss / 1024.0);
    if (argc <= 2) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0) return 1;
    }
    return 0;
}
