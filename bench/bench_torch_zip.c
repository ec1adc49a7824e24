/*
 * bench_torch_zip - scan a synthetic 2 GB PyTorch zip checkpoint.
 *
 * Writes <tmp>/wt-bench-XXXXXX/model.pt: archive/data.pkl (a real-shaped
 * state_dict pickle), byteorder, .data/version, .data/serialization_id and
 * 8 stored storages of 256 MiB each. The storages are holes (sparse file), so
 * it costs no disk. Then scans it and prints bytes read, wall time and peak
 * RSS. Targets: < 1 MB read, < 50 ms.
 *
 *   bench_torch_zip [--storages N] [--storage-mib M] [--runs R]
 *   bench_torch_zip --write PATH   only write the sparse checkpoint (tests)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../tests/containers/gen.h"
#include "core/util.h"
#include "watchtower/watchtower.h"

int main(int argc, char **argv) {
    int nstor = 8, runs = 5;
    uint64_t mib = 256;
    const char *write_only = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--write") == 0) write_only = argv[i + 1];
        else if (strcmp(argv[i], "--storages") == 0) nstor = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--storage-mib") == 0) mib = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--runs") == 0) runs = atoi(argv[i + 1]);
    }
    if (nstor < 1 || nstor > 1000 || mib < 1 || mib > 4095 || runs < 1) {
        fprintf(stderr, "usage: bench_torch_zip [--storages N] [--storage-mib M] [--runs R]\n");
        return 2;
    }
    if (write_only) {
        if (gen_sparse_torch_zip(write_only, "archive", nstor, mib << 20) != 0) { perror(write_only); return 2; }
        return 0;
    }
    const char *t = getenv("TMPDIR");
    char dir[256];
    snprintf(dir, sizeof dir, "%s/wt-bench-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 2; }
    char path[300];
    snprintf(path, sizeof path, "%s/model.pt", dir);
    uint64_t t0 = wt_now_ns();
    if (gen_sparse_torch_zip(path, "archive", nstor, mib << 20) != 0) { perror("write"); return 2; }
    double gen_ms = (double)(wt_now_ns() - t0) / 1e6;

    wt_scan_options o;
    wt_scan_options_default(&o);
    o.jobs = 1;
    const char *targets[1] = {path};
    double best = 1e18, total = 0, first = 0;
    uint64_t bytes_read = 0, bytes_total = 0;
    size_t findings = 0;
    char kind[64] = "";
    for (int i = 0; i < runs; i++) {
        wt_scan_result *r = NULL;
        char *err = NULL;
        uint64_t s = wt_now_ns();
        if (wt_scan(targets, 1, &o, &r, &err) != WT_OK) {
            fprintf(stderr, "scan failed: %s\n", err ? err : "?");
            return 2;
        }
        double ms = (double)(wt_now_ns() - s) / 1e6;
        if (i == 0) first = ms; /* includes one-time set-up (rule catalog, pattern databases) */
        else {
            if (ms < best) best = ms;
            total += ms;
        }
        bytes_read = r->bytes_read;
        bytes_total = r->bytes_total;
        findings = r->nfindings;
        snprintf(kind, sizeof kind, "%s", r->ninfos ? r->infos[0].kind : "?");
        wt_scan_result_free(r);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    unlink(path);
    rmdir(dir);
    printf("synthetic PyTorch zip checkpoint: %.2f GiB (%d stored storages of %llu MiB), kind %s, %zu findings\n",
           (double)bytes_total / (1024.0 * 1024 * 1024), nstor, (unsigned long long)mib, kind, findings);
    printf("  generated (sparse) in %.1f ms\n", gen_ms);
    printf("  bytes read:   %llu (%.1f KiB)   target < 1 MB\n", (unsigned long long)bytes_read, bytes_read / 1024.0);
    if (runs > 1)
        printf("  wall time:    best %.2f ms, mean %.2f ms over %d warm runs   target < 50 ms\n", best, total / (runs - 1),
               runs - 1);
    printf("  first run:    %.2f ms (includes one-time set-up of rule tables and pattern databases)\n", first);
    printf("  peak RSS:     %.1f MiB\n", ru.ru_maxrss / 1024.0);
    return bytes_read < 1000000 ? 0 : 1;
}
