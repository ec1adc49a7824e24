/* test_real_files.c - files written by the real libraries (numpy, joblib,
 * zipfile, tarfile) through gen_real_fixtures.py with Debian's python3. */
#include <unistd.h>

#include "common.h"
#include "core/util.h"
#include "zipw.h"

static char *dir;
static void free_dir(void) { free(dir); }

static const char *fixtures(void) {
    if (dir) return dir;
    dir = wt_xasprintf("%s/real", wt_t_tmpdir());
    atexit(free_dir);
    char *cmd = wt_xasprintf("'%s' '%s/tests/containers/gen_real_fixtures.py' '%s'", wt_t_env("WT_PYTHON", "/usr/bin/python3"),
                             wt_t_env("WT_SRC", "."), dir);
    int rc = system(cmd);
    free(cmd);
    if (rc != 0) {
        fprintf(stderr, "fixture generator failed (needs python3-numpy and python3-joblib)\n");
        exit(1);
    }
    return dir;
}

static wt_scan_result *g_result;
static void free_result(void) { wt_scan_result_free(g_result); }

static wt_scan_result *scan_dir(void) {
    if (!g_result) {
        g_result = wt_t_scan_path(fixtures());
        atexit(free_result);
    }
    return g_result;
}

static size_t count_in(const wt_scan_result *r, const char *rule, const char *artifact_prefix) {
    size_t n = 0;
    for (size_t i = 0; i < r->nfindings; i++)
        if ((!rule || wt_str_startswith(r->findings[i]->rule_id, rule)) &&
            wt_str_startswith(r->findings[i]->artifact, artifact_prefix))
            n++;
    return n;
}

static wt_severity max_in(const wt_scan_result *r, const char *artifact_prefix) {
    wt_severity m = WT_SEV_NONE;
    for (size_t i = 0; i < r->nfindings; i++)
        if (wt_str_startswith(r->findings[i]->artifact, artifact_prefix) && r->findings[i]->severity > m)
            m = r->findings[i]->severity;
    return m;
}

WT_TEST(real_files_are_classified_by_content) {
    wt_scan_result *r = scan_dir();
    CHECK_STR(kind_of(r, "weights.npy"), "numpy");
    CHECK_STR(kind_of(r, "arrays.npz"), "numpy-npz");
    CHECK_STR(kind_of(r, "model.pt"), "pytorch-zip");
    CHECK_STR(kind_of(r, "legacy.tar"), "pytorch-legacy-tar");
    CHECK_STR(kind_of(r, "benign_zlib.joblib"), "joblib-zlib");
    CHECK_STR(kind_of(r, "benign_gzip.joblib"), "gzip");
    CHECK_STR(kind_of(r, "benign_bz2.joblib"), "bzip2");
    CHECK_STR(kind_of(r, "benign_lzma.joblib"), "lzma");
    CHECK_STR(kind_of(r, "benign_xz.joblib"), "xz");
    CHECK_STR(kind_of(r, "bundle.tar.gz"), "gzip");
    CHECK_INT(r->models_found, r->artifacts);
}

WT_TEST(real_numpy_files) {
    wt_scan_result *r = scan_dir();
    CHECK_INT(count_in(r, NULL, "weights.npy"), 0);
    CHECK_INT(count_in(r, NULL, "arrays.npz"), 0);
    CHECK_INT(count_in(r, "WT-NPY-001", "objects.npy"), 1);
    CHECK_INT(count_in(r, "WT-NPY-001", "mixed.npz!o.npy"), 1);
    CHECK_INT(count_in(r, "WT-NPY-", "mixed.npz!a.npy"), 0);
    if (have_pickle_analyzer()) CHECK(max_in(r, "mixed.npz") >= WT_SEV_HIGH);
    if (have_pickle_analyzer()) CHECK_INT(count_in(r, NULL, "benign.joblib"), 0); /* uncompressed joblib */
}

WT_TEST(real_checkpoint_and_archives) {
    wt_scan_result *r = scan_dir();
    CHECK_INT(count_in(r, "WT-ZIP-", "model.pt"), 0);
    CHECK_INT(count_in(r, "WT-TORCH-", "model.pt"), 0);
    CHECK_INT(count_in(r, "WT-ARCHIVE-", "legacy.tar"), 0);
    const char *bundles[] = {"bundle.tar.gz!bundle.tar!ckpt/objects.npy", "bundle.tar.bz2!bundle.tar!ckpt/objects.npy",
                             "bundle.tar.xz!bundle.tar!ckpt/objects.npy"};
    for (int i = 0; i < 3; i++) CHECK_INT(count_in(r, "WT-NPY-001", bundles[i]), 1);
    if (have_pickle_analyzer()) {
        CHECK(max_in(r, "model.pt") <= WT_SEV_LOW);
        CHECK(max_in(r, "legacy.tar") <= WT_SEV_LOW);
    }
}

WT_TEST(real_compressed_joblib_files) {
    wt_scan_result *r = scan_dir();
    const char *codecs[] = {"zlib", "gzip", "bz2", "lzma", "xz"};
    for (int i = 0; i < 5; i++) {
        char b[64], e[64];
        snprintf(b, sizeof b, "benign_%s.joblib", codecs[i]);
        snprintf(e, sizeof e, "evil_%s.joblib", codecs[i]);
        CHECK_INT(count_in(r, "WT-JOBLIB-", b) + count_in(r, "WT-ARCHIVE-", b), 0);
        CHECK_INT(count_in(r, "WT-JOBLIB-", e) + count_in(r, "WT-ARCHIVE-", e), 0);
        if (have_pickle_analyzer()) {
            /* joblib's NumpyArrayWrapper is allowlisted; its inline array bytes are stepped over */
            if (max_in(r, b) > WT_SEV_LOW) fprintf(stderr, "    %s has findings\n", b);
            CHECK(max_in(r, b) <= WT_SEV_LOW);
            if (max_in(r, e) < WT_SEV_HIGH) fprintf(stderr, "    %s not reported\n", e);
            CHECK(max_in(r, e) >= WT_SEV_HIGH);
        }
    }
}
