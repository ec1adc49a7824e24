/*
 * bench_pickle.c - pickle VM throughput on a large benign pickle.
 *
 * Builds a >= 100 MB protocol-4 pickle in memory (lists of BININT,
 * SHORT_BINUNICODE and SHORT_BINBYTES appended in batches, dicts filled with
 * SETITEMS, memoized strings and framed like pickle.dumps writes them), runs
 * the symbolic VM over it a few times and prints MB/s and peak RSS.
 *
 *   bench_pickle [MB]     (default 128)
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tests/pickle/pasm.h"
#include "core/reader.h"
#include "core/util.h"
#include "formats/pickle/pickle_vm.h"

static double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long status_kb(const char *key) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long v = -1;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, kl) == 0) v = strtol(line + kl, NULL, 10);
    fclose(f);
    return v;
}

static void reset_hwm(void) {
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f) { fputs("5", f); fclose(f); }
}

/* Append one framed batch (like the pickler's 64 KiB frames). */
static void batch(pasm *a, int b, bool dense) {
    size_t fpos = a->n;
    pa_frame(a, 0);
    size_t body = a->n;
    pa_op(a, ']');
    pa_memoize(a);
    pa_mark(a);
    for (int i = 0; i < 1000; i++) {
        switch (i & 3) {
        case 0: pa_int(a, i * 7919 + b); break;
        case 1: pa_str(a, "layer.attention.weight"); break;
        case 2:
            if (dense) pa_int(a, -i);
            else { static const char z[200]; pa_bytes(a, z, sizeof z); }
            break;
        default: pa_op(a, 'G'); pa_raw(a, "\x3f\xf0\0\0\0\0\0\0", 8); break;
        }
    }
    pa_op(a, 'e');
    pa_op(a, '}');
    pa_memoize(a);
    pa_mark(a);
    for (int i = 0; i < 100; i++) {
        pa_str(a, "key");
        pa_int(a, i);
    }
    pa_op(a, 'u');
    pa_op(a, 0x86);
    pa_op(a, 'a');
    uint64_t len = a->n - body;
    for (int i = 0; i < 8; i++) a->d[fpos + 1 + i] = (uint8_t)(len >> (8 * i));
}

static int bench(size_t mb, bool dense) {
    pasm a = {0};
    pa_proto(&a, 4);
    pa_op(&a, ']');
    pa_memoize(&a);
    for (int b = 0; a.n < mb * 1024 * 1024; b++) batch(&a, b, dense);
    pa_stop(&a);
    long base_rss = status_kb("VmRSS:");
    printf("%s pickle: %.1f MB, protocol 4, framed, lists/dicts of ints, strings%s, floats\n",
           dense ? "opcode-dense" : "mixed", a.n / 1048576.0, dense ? "" : ", 200-byte bytes");
    wt_reader *r = wt_reader_new_mem(a.d, a.n, false);
    double best = 0, best_cpu = 0;
    uint64_t ops = 0;
    long vm_peak = 0;
    for (int rep = 0; rep < 3; rep++) {
        reset_hwm();
        pk_run run;
        memset(&run, 0, sizeof run);
        run.r = r;
        run.end = a.n;
        double c0 = cpu_s();
        uint64_t t0 = wt_now_ns();
        pk_vm_run(&run);
        uint64_t t1 = wt_now_ns();
        double c1 = cpu_s();
        if (run.result != PK_END_STOP) {
            fprintf(stderr, "decode failed: %s\n", run.err);
            return 1;
        }
        double mbs = (double)a.n / 1048576.0 / ((double)(t1 - t0) / 1e9);
        double cmbs = (double)a.n / 1048576.0 / (c1 - c0 > 1e-9 ? c1 - c0 : 1e-9);
        if (mbs > best) best = mbs;
        if (cmbs > best_cpu) best_cpu = cmbs;
        ops = run.ops;
        long hwm = status_kb("VmHWM:");
        if (hwm - base_rss > vm_peak) vm_peak = hwm - base_rss;
        printf("  run %d: %.3f s wall (%.0f MB/s), %.3f s CPU (%.0f MB/s)\n", rep + 1, (double)(t1 - t0) / 1e9, mbs,
               c1 - c0, cmbs);
    }
    printf("  best: %.0f MB/s wall, %.0f MB/s per CPU second, %.1f M opcodes per CPU second (%llu opcodes)\n", best,
           best_cpu, best_cpu * 1048576.0 / (double)a.n * (double)ops / 1e6, (unsigned long long)ops);
    printf("  peak RSS: %.1f MB (input buffer %.1f MB); VM memory above the input: %.1f MB\n",
           (double)status_kb("VmHWM:") / 1024.0, a.n / 1048576.0, vm_peak > 0 ? vm_peak / 1024.0 : 0.0);
    wt_reader_unref(r);
    pa_free(&a);
    return 0;
}

int main(int argc, char **argv) {
    size_t mb = argc > 1 ? (size_t)atoi(argv[1]) : 128;
    if (mb < 1) mb = 1;
    if (bench(mb, false)) return 1;
    return bench(mb, true);
}
