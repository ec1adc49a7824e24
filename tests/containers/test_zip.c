/* test_zip.c - the lenient zip reader: layouts, CVE bypasses, bombs. */
#include "common.h"
#include "core/util.h"
#include "zipw.h"
#include "formats/zip.h"

static uint8_t *obj_npy(size_t *len) { return npy_object(PK_EVIL, PK_EVIL_LEN, len); }

WT_TEST(zip_members_are_dispatched_by_content) {
    size_t nl, zl;
    uint8_t *npy = obj_npy(&nl);
    zw z;
    zw_init(&z);
    zw_add(&z, "a.npy", npy, nl, NULL);
    zw_opts d = {.method = 8, .local_method = -1};
    zw_add(&z, "sub/b.bin", npy, nl, &d);
    uint8_t *zip = zw_finish(&z, &zl);
    wt_scan_result *r = wt_t_scan_mem("x.zip", zip, zl);
    CHECK_INT(wt_t_count(r, "WT-NPY-001"), 2);
    CHECK_INT(wt_t_count(r, "WT-ZIP-*"), 0);
    CHECK(wt_t_find(r, "WT-NPY-001") && strstr(wt_t_find(r, "WT-NPY-001")->artifact, "x.zip!"));
    CHECK_STR(kind_of(r, "x.zip"), "zip");
    wt_scan_result_free(r);
    free(npy);
    free(zip);
}

WT_TEST(zip_benign_has_no_findings) {
    size_t nl, zl;
    uint8_t *npy = npy_f4(16, 16, &nl);
    zw z;
    zw_init(&z);
    zw_add(&z, "w.npy", npy, nl, NULL);
    zw_opts d = {.method = 8, .local_method = -1};
    zw_add(&z, "v.npy", npy, nl, &d);
    uint8_t *zip = zw_finish(&z, &zl);
    wt_scan_result *r = wt_t_scan_mem("arrays.npz", zip, zl);
    CHECK_INT(r->nfindings, 0);
    CHECK_STR(kind_of(r, "arrays.npz"), "numpy-npz");
    CHECK_INT(ran(r, "numpy"), 2);
    CHECK_INT(r->models_found, 1);
    wt_scan_result_free(r);
    free(npy);
    free(zip);
}

WT_TEST(npz_object_member_is_reported) {
    size_t nl, zl;
    uint8_t *npy = obj_npy(&nl);
    zw z;
    zw_init(&z);
    zw_add(&z, "arr_0.npy", npy, nl, NULL);
    uint8_t *zip = zw_finish(&z, &zl);
    wt_scan_result *r = wt_t_scan_mem("data.npz", zip, zl);
    CHECK_INT(wt_t_count(r, "WT-NPY-001"), 1);
    if (have_pickle_analyzer()) CHECK(wt_t_max_sev(r) >= WT_SEV_HIGH);
    wt_scan_result_free(r);
    free(npy);
    free(zip);
}

WT_TEST(crc_mismatch_is_reported_and_member_still_scanned) {
    size_t nl, zl;
    uint8_t *npy = obj_npy(&nl);
    for (int method = 0; method <= 8; method += 8) {
        zw z;
        zw_init(&z);
        zw_opts o = {.method = (uint16_t)method, .bad_crc = true, .local_method = -1};
        zw_add(&z, "archive/data.pkl", PK_BENIGN, sizeof PK_BENIGN, NULL);
        zw_add(&z, "archive/extra.npy", npy, nl, &o);
        uint8_t *zip = zw_finish(&z, &zl);
        wt_scan_result *r = wt_t_scan_mem("m.pt", zip, zl);
        CHECK_INT(wt_t_count(r, "WT-ZIP-002"), 1);
        CHECK_INT(wt_t_count(r, "WT-NPY-001"), 1);
        wt_scan_result_free(r);
        free(zip);
    }
    free(npy);
}

WT_TEST(local_central_name_mismatch_scans_the_member_cve_2025_1944) {
    size_t nl, zl, pl = sizeof PK_BENIGN;
    uint8_t *npy = obj_npy(&nl);
    zw z;
    zw_init(&z);
    zw_add(&z, "archive/data.pkl", PK_BENIGN, pl, NULL);
    /* central says raw storage (never read for torch zips), local says pickle */
    zw_opts o = {.local_name = "archive/evil.pkl", .local_method = -1};
    zw_add(&z, "archive/data/0", npy, nl, &o);
    uint8_t *zip = zw_finish(&z, &zl);
    wt_scan_result *r = wt_t_scan_mem("m.pt", zip, zl);
    CHECK_INT(wt_t_count(r, "WT-ZIP-001"), 1);
    CHECK_INT(wt_t_count(r, "WT-NPY-001"), 1);
    CHECK_STR(kind_of(r, "m.pt"), "pytorch-zip");
    wt_scan_result_free(r);
    free(npy);
    free(zip);
}

WT_TEST(names_differing_only_in_control_bytes_still_mismatch) {
    size_t zl;
    zw z;
    zw_init(&z);
    zw_opts o = {.local_name = "a\x01.txt", .local_method = -1};
    zw_add(&z, "a\x02.txt", "x", 1, &o);
    uint8_t *zip = zw_finish(&z, &zl);
    wt_scan_result *r = wt_t_scan_mem("x.zip", zip, zl);
    CHECK_INT(wt_t_count(r, "WT-ZIP-001"), 1);
    wt_scan_result_free(r);
    free(zip);
}

WT_TEST(local_central_method_mismatch_scans_both_variants) {
    size_t nl, zl;
    uint8_t *npy = obj_npy(&nl);
    zw z;
    zw_init(&z);
    /* data is deflated, central says stored, local says deflate */
    zw_opts o = {.method = 8, .local_method = 8};
    int i = zw_add(&z, "payload.bin", npy, nl, &o);
    z.cd[i].method = 0;
    uint8_t *zip = zw_finish(&z, &zl);
    wt_scan_result *r = wt_t_scan_mem("x.zip", zip, zl);
    CHECK_INT(wt_t_count(r, "WT-ZIP-001"), 1);
    CHECK_INT(wt_t_count(r, "WT-NPY-001"), 1); /* only the local (deflate) variant decodes to the npy */
    wt_scan_result_free(r);
    free(npy);
    free(zip);
}

WT_TEST(encryption_flag_is_reported_and_scanned_anyway_cve_2025_1945) {
    size_t nl, zl;
    uint8_t *npy = obj_npy(&nl);
    zw z;
    zw_init(&z);
    zw_opts o = {.flags = 1, .local_method = -1};
    zw_add(&z, "archive/data.pkl", PK_BENIGN, sizeof PK_BENIGN, NULL);
    zw_add(&z, "archive/x.npy", npy, nl, &o);
    uint8_t *zip = zw_finish(&z, &zl);
    wt_scan_result *r = wt_t_scan_mem("model.bin", zip, zl);
    CHECK_INT(wt_t_count(r, "WT-ZIP-003"), 1);
    CHECK_INT(wt_t_count(r, "WT-NPY-001"), 1);
    wt_scan_result_free(r);
    free(npy);
    free(zip);
}

WT_TEST(hidden_local_entry_is_found) {
    size_t nl, zl;
    uint8_t *npy = obj_npy(&nl);
    zw z;
    zw_init(&z);
    zw_add(&z, "a.txt", "hello\n", 6, NULL);
    zw_opts h = {.hidden = true, .local_method = -1};
    zw_add(&z, "hidden.npy", npy, nl, &h);
    zw_add(&z, "b.txt", "world\n", 6, NULL);
    uint8_t *zip = zw_finish(&z, &zl);
    wt_scan_result *r = wt_t_scan_mem("x.zip", zip, zl);
    CHECK_INT(wt_t_count(r, "WT-ZIP-004"), 1);
    CHECK_INT(wt_t_count(r, "WT-NPY-001"), 1);
    wt_scan_result_free(r);
    free(npy);
    free(zip);
}

WT_TEST(hidden_entry_after_last_member_is_found) {
    size_t nl, zl;
    uint8_t *npy = obj_npy(&nl);
    zw z;
    zw_init(&z);
    zw_add(&z, "a.txt", "hello\n", 6, NULL);
    zw_opts h = {.hidden = true, .local_method = -1, .method = 8};
    zw_add(&z, "tail.npy", npy, nl, &h);
    uint8_t *zip = zw_finish(&z, &zl);
    wt_scan_result *r = wt_t_scan_mem("x.zip", zip, zl);
    CHECK_INT(wt_t_count(r, "WT-ZIP-004"), 1);
    CHECK_INT(wt_t_count(r, "WT-NPY-001"), 1);
    wt_scan_result_free(r);
    free(npy);
    free(zip);
}

WT_TEST(prepended_junk_is_accepted_like_zipfile) {
    size_t nl, zl;
    uint8_t *npy = obj_npy(&nl);
    zw z;
    zw_init(&z);
    zw_junk(&z, "#!/bin/sh\necho self-extracting\nexit 0\n", 38);
    zw_add(&z, "archive/data.pkl", PK_BENIGN, sizeof PK_BENIGN, NULL);
    zw_add(&z, "archive/extra.npy", npy, nl, NULL);
    /* offsets account for the junk (as `zip -A` writes them) */
    uint8_t *zip = zw_finish(&z, &zl);
    wt_scan_result *r = wt_t_scan_mem("m.pt", zip, zl);
    CHECK_INT(wt_t_count(r, "WT-ZIP-009"), 1);
    CHECK_INT(wt_t_count(r, "WT-NPY-001"), 1);
    CHECK_STR(kind_of(r, "m.pt"), "pytorch-zip");
    wt_scan_result_free(r);
    /* offsets relative to the zip start (junk not accounted): zipfile's "concat" */
    zw z2;
    zw_init(&z2);
    zw_add(&z2, "archive/data.pkl", PK_BENIGN, sizeof PK_BENIGN, NULL);
    zw_add(&z2, "archive/extra.npy", npy, nl, NULL);
    size_t l2;
    uint8_t *inner = zw_finish(&z2, &l2);
    uint8_t *cat = malloc(l2 + 100);
    memset(cat, 'J', 100);
    memcpy(cat + 100, inner, l2);
    r = wt_t_scan_mem("m2.pt", cat, l2 + 100);
    CHECK_INT(wt_t_count(r, "WT-ZIP-009"), 1);
    CHECK_INT(wt_t_count(r, "WT-NPY-001"), 1);
    CHECK_INT(wt_t_count(r, "WT-ZIP-004"), 0);
    wt_scan_result_free(r);
    free(cat);
    free(inner);
    free(npy);
    free(zip);
}

WT_TEST(zip_appended_to_a_pickle_or_an_image_is_scanned) {
    size_t nl, zl;
    uint8_t *npy = obj_npy(&nl);
    zw z;
    zw_init(&z);
    zw_add(&z, "config.json", "{}", 2, NULL);
    zw_add(&z, "payload.npy", npy, nl, NULL);
    uint8_t *zip = zw_finish(&z, &zl);
    /* a benign pickle in front (what torch.load and pickle see) */
    uint8_t *poly = malloc(zl + 8192);
    memcpy(poly, PK_BENIGN, sizeof PK_BENIGN);
    memcpy(poly + sizeof PK_BENIGN, zip, zl);
    wt_scan_result *r = wt_t_scan_mem("model.pkl", poly, zl + sizeof PK_BENIGN);
    CHECK_INT(wt_t_count(r, "WT-ZIP-013"), 1);
    CHECK_INT(wt_t_count(r, "WT-NPY-001"), 1);
    wt_scan_result_free(r);
    /* 8 KB of "image" in front: past what classification sees */
    memset(poly, 0xd8, 8192);
    memcpy(poly, "\xff\xd8\xff\xe0", 4);
    memcpy(poly + 8192, zip, zl);
    r = wt_t_scan_mem("cat.jpg", poly, zl + 8192);
    CHECK_INT(wt_t_count(r, "WT-ZIP-013"), 1);
    CHECK_INT(wt_t_count(r, "WT-NPY-001"), 1);
    CHECK_INT(wt_t_count(r, "WT-ZIP-009"), 0);
    wt_scan_result_free(r);
    /* a plain zip is not reported twice, plain data not at all */
    r = wt_t_scan_mem("x.zip", zip, zl);
    CHECK_INT(wt_t_count(r, "WT-ZIP-013"), 0);
    CHECK_INT(wt_t_count(r, "WT-NPY-001"), 1);
    wt_scan_result_free(r);
    memset(poly, 0x41, 8192);
    memcpy(poly + 8000, "PK\x05\x06", 4); /* a stray end-record signature */
    r = wt_t_scan_mem("blob.raw", poly, 8192);
    CHECK_INT(wt_t_count(r, "WT-ZIP-*"), 0);
    wt_scan_result_free(r);
    free(poly);
    free(zip);
    free(npy);
}

WT_TEST(zip_appended_to_pickle_is_scanned) {
    /* pickle + zip polyglot: pickle.load runs the head, zipfile readers the tail */
    if (!have_pickle_analyzer()) return;
    zw z;
    zw_init(&z);
    zw_add(&z, "archive/data.pkl", PK_EVIL, sizeof PK_EVIL - 1, NULL);
    size_t zl;
    uint8_t *zip = zw_finish(&z, &zl);
    uint8_t *cat = malloc(zl + sizeof PK_BENIGN);
    memcpy(cat, PK_BENIGN, sizeof PK_BENIGN);
    memcpy(cat + sizeof PK_BENIGN, zip, zl);
    wt_scan_result *r = wt_t_scan_mem("poly.pkl", cat, zl + sizeof PK_BENIGN);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-001"), 1);
    wt_scan_result_free(r);
    /* a plain pickle is not re-read as a zip */
    r = wt_t_scan_mem("plain.pkl", PK_BENIGN, sizeof PK_BENIGN);
    CHECK_INT(wt_t_count(r, "WT-ZIP-*"), 0);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-*"), 0);
    wt_scan_result_free(r);
    free(cat);
    free(zip);
}

WT_TEST(overlapping_and_duplicate_entries_are_reported) {
    size_t nl, zl;
    uint8_t *npy = obj_npy(&nl);
    zw z;
    zw_init(&z);
    int i = zw_add(&z, "a.npy", npy, nl, NULL);
    zw_alias(&z, "b.npy", i);
    zw_add(&z, "a.npy", npy, nl, NULL);
    uint8_t *zip = zw_finish(&z, &zl);
    wt_scan_result *r = wt_t_scan_mem("x.zip", zip, zl);
    CHECK_INT(wt_t_count(r, "WT-ZIP-005"), 1);
    CHECK_INT(wt_t_count(r, "WT-ZIP-011"), 1);
    CHECK_INT(wt_t_count(r, "WT-NPY-001"), 3);
    wt_scan_result_free(r);
    free(npy);
    free(zip);
}

WT_TEST(zip_bomb_ratio_and_size_limits) {
    size_t big = 4u << 20, zl;
    uint8_t *zeros = calloc(1, big);
    zeros[0] = 0x80; /* looks like a pickle: decoded in full to verify it */
    zeros[1] = 2;
    zw z;
    zw_init(&z);
    zw_opts d = {.method = 8, .local_method = -1};
    zw_add(&z, "zeros.bin", zeros, big, &d);
    uint8_t *zip = zw_finish(&z, &zl);
    wt_limits lim;
    wt_limits_default(&lim);
    wt_scan_result *r = scan_lim("x.zip", zip, zl, &lim);
    CHECK_INT(wt_t_count(r, "WT-ZIP-006"), 1); /* zeros deflate at ~1030:1, over the default 1000 */
    wt_scan_result_free(r);
    /* ordinary data (ratio ~2) is no bomb */
    uint8_t *text = malloc(big);
    uint32_t seed = 7;
    for (size_t i = 0; i < big; i++) { seed = seed * 1103515245u + 12345u; text[i] = (uint8_t)('a' + (seed >> 16) % 16); }
    zw z2;
    zw_init(&z2);
    zw_add(&z2, "text.bin", text, big, &d);
    size_t tl;
    uint8_t *tzip = zw_finish(&z2, &tl);
    r = scan_lim("t.zip", tzip, tl, &lim);
    CHECK_INT(wt_t_count(r, "WT-ZIP-006"), 0);
    CHECK_INT(r->nfindings, 0);
    wt_scan_result_free(r);
    free(tzip);
    free(text);
    lim.max_ratio = 50;
    r = scan_lim("x.zip", zip, zl, &lim);
    CHECK(wt_t_count(r, "WT-ZIP-006") >= 1);
    CHECK(wt_t_find(r, "WT-ZIP-006") && wt_t_find(r, "WT-ZIP-006")->severity == WT_SEV_HIGH);
    wt_scan_result_free(r);
    wt_limits_default(&lim);
    lim.max_member_size = 1u << 20;
    lim.max_ratio = 0;
    r = scan_lim("x.zip", zip, zl, &lim);
    CHECK_INT(wt_t_count(r, "WT-ZIP-006"), 0); /* only too large: a budget finding */
    CHECK_INT(wt_t_count(r, "WT-SCAN-002"), 1);
    wt_scan_result_free(r);
    wt_limits_default(&lim);
    lim.max_total_unpacked = 2u << 20;
    lim.max_ratio = 0; /* ratio checks off: the total budget must stop it */
    r = scan_lim("x.zip", zip, zl, &lim);
    CHECK(wt_t_count(r, "WT-SCAN-002") >= 1);
    wt_scan_result_free(r);
    free(zeros);
    free(zip);
}

WT_TEST(big_members_are_not_read_just_to_verify_crcs) {
    char *path = wt_xasprintf("%s/big.npz", wt_t_tmpdir());
    size_t n = 8u << 20, zl;
    uint8_t *w = malloc(n);
    uint32_t seed = 3;
    for (size_t i = 0; i < n; i++) { seed = seed * 1103515245u + 12345u; w[i] = (uint8_t)(seed >> 16); }
    zw z;
    zw_init(&z);
    zw_add(&z, "weights.bin", w, n, NULL);
    zw_opts d = {.method = 8, .local_method = -1};
    zw_add(&z, "weights2.bin", w, n, &d);
    uint8_t *zip = zw_finish(&z, &zl);
    free(wt_t_write(wt_t_tmpdir(), "big.npz", zip, zl));
    wt_scan_result *r = wt_t_scan_path(path);
    CHECK(r->bytes_read < (1u << 20));
    wt_scan_result_free(r);
    free(zip);
    free(w);
    free(path);
}

WT_TEST(nested_zip_bomb_is_cut_short) {
    /* 42.zip in miniature: 8 zips of 4 members of 32 MiB of zeros (1 GiB) */
    size_t big = 32u << 20, il, ol;
    uint8_t *zeros = calloc(1, big);
    zw z;
    zw_init(&z);
    zw_opts d = {.method = 8, .local_method = -1};
    char nm[32];
    for (int i = 0; i < 4; i++) {
        snprintf(nm, sizeof nm, "zeros%d.bin", i);
        zw_add(&z, nm, zeros, big, &d);
    }
    uint8_t *inner = zw_finish(&z, &il);
    zw_init(&z);
    for (int i = 0; i < 8; i++) {
        snprintf(nm, sizeof nm, "layer%d.zip", i);
        zw_add(&z, nm, inner, il, &d);
    }
    uint8_t *outer = zw_finish(&z, &ol);
    wt_scan_result_free(wt_t_scan_mem("warm.txt", "warm up", 7)); /* one-time set-up of other analyzers */
    wt_scan_result *r = wt_t_scan_mem("42.zip", outer, ol);
    CHECK(wt_t_count(r, "WT-ZIP-006") >= 1);
    /* of the 1 GiB inside, only what classification asks for is inflated */
    CHECK(r->bytes_unpacked < (8u << 20));
    wt_scan_result_free(r);
    free(outer);
    free(inner);
    free(zeros);
}

WT_TEST(nested_bomb_under_every_per_stream_ratio_is_stopped_by_the_overall_ratio) {
    /* zip of 16 deflated zips of 16 deflated 1 MiB text files (256 MiB of
     * text that the text detectors read whole). No single stream has more
     * than 1 MiB of output, so the per-stream ratio check never fires; the
     * whole artifact's ratio must. */
    size_t mib = 1u << 20, il, ol;
    uint8_t *text = malloc(mib);
    memset(text, 'a', mib);
    zw z;
    zw_opts d = {.method = 8, .local_method = -1};
    char nm[32];
    zw_init(&z);
    for (int i = 0; i < 16; i++) {
        snprintf(nm, sizeof nm, "notes%d.txt", i);
        zw_add(&z, nm, text, mib, &d);
    }
    uint8_t *inner = zw_finish(&z, &il);
    zw_init(&z);
    for (int i = 0; i < 16; i++) {
        snprintf(nm, sizeof nm, "part%d.zip", i);
        zw_add(&z, nm, inner, il, &d);
    }
    uint8_t *outer = zw_finish(&z, &ol);
    wt_scan_result *r = wt_t_scan_mem("nested.zip", outer, ol);
    CHECK(wt_t_find_text(r, "overall compression ratio") != NULL);
    CHECK_INT(wt_t_count(r, "WT-ZIP-006"), 0); /* no single stream is a bomb */
    CHECK_INT(wt_t_count(r, "WT-SCAN-002"), 1); /* one limit finding, not one per member */
    CHECK(r->bytes_unpacked <= (64u << 20) + (1u << 20)); /* the 64 MiB floor, plus one chunk */
    wt_scan_result_free(r);
    /* the same layout with little data is an ordinary archive */
    zw_init(&z);
    zw_add(&z, "notes.txt", text, 4096, &d);
    inner = (free(inner), zw_finish(&z, &il));
    zw_init(&z);
    zw_add(&z, "part.zip", inner, il, &d);
    free(outer);
    outer = zw_finish(&z, &ol);
    r = wt_t_scan_mem("nested.zip", outer, ol);
    CHECK(wt_t_find_text(r, "overall compression ratio") == NULL);
    CHECK_INT(wt_t_count(r, "WT-SCAN-002"), 0);
    CHECK(r->bytes_unpacked >= 4096);
    wt_scan_result_free(r);
    free(outer);
    free(inner);
    free(text);
}

WT_TEST(lying_declared_size_does_not_inflate_past_it) {
    size_t big = 4u << 20, zl;
    uint8_t *zeros = calloc(1, big);
    zw z;
    zw_init(&z);
    zw_opts d = {.method = 8, .local_method = -1, .central_usize_set = true, .central_usize = 1000};
    zw_add(&z, "zeros.bin", zeros, big, &d);
    uint8_t *zip = zw_finish(&z, &zl);
    wt_scan_result *r = wt_t_scan_mem("x.zip", zip, zl);
    CHECK(wt_t_count(r, "WT-ZIP-001") + wt_t_count(r, "WT-ZIP-002") >= 1);
    wt_scan_result_free(r);
    free(zeros);
    free(zip);
}

WT_TEST(truncated_zip_walks_local_headers) {
    size_t nl, zl;
    uint8_t *npy = obj_npy(&nl);
    zw z;
    zw_init(&z);
    zw_add(&z, "a.npy", npy, nl, NULL);
    zw_add(&z, "b.npy", npy, nl, NULL);
    uint8_t *zip = zw_finish(&z, &zl);
    size_t cut = zl - 60; /* central directory destroyed */
    wt_scan_result *r = wt_t_scan_mem("x.zip", zip, cut);
    CHECK(wt_t_count(r, "WT-ZIP-008") >= 1);
    CHECK_INT(wt_t_count(r, "WT-NPY-001"), 2);
    wt_scan_result_free(r);
    /* every prefix: no crash, no hang */
    for (size_t n = 0; n < zl; n += 7) {
        r = wt_t_scan_mem("x.zip", zip, n);
        wt_scan_result_free(r);
    }
    free(npy);
    free(zip);
}

WT_TEST(mutated_zips_never_crash) {
    size_t nl, zl;
    uint8_t *npy = obj_npy(&nl);
    zw z;
    zw_init(&z);
    zw_add(&z, "archive/data.pkl", npy, nl, NULL);
    zw_opts d = {.method = 8, .local_method = -1};
    zw_add(&z, "archive/b.npy", npy, nl, &d);
    uint8_t *zip = zw_finish(&z, &zl);
    uint8_t *m = malloc(zl);
    uint32_t seed = 12345;
    for (int it = 0; it < 300; it++) {
        memcpy(m, zip, zl);
        for (int k = 0; k < 4; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % zl;
            seed = seed * 1103515245u + 12345u;
            m[at] = (uint8_t)(seed >> 16);
        }
        wt_scan_result *r = wt_t_scan_mem("m.pt", m, zl);
        wt_scan_result_free(r);
    }
    free(m);
    free(npy);
    free(zip);
}

WT_TEST(zip64_records_are_read) {
    size_t nl, zl;
    uint8_t *npy = obj_npy(&nl);
    zw z;
    zw_init(&z);
    z.zip64 = true;
    zw_add(&z, "archive/data.pkl", PK_BENIGN, sizeof PK_BENIGN, NULL);
    zw_add(&z, "archive/extra.npy", npy, nl, NULL);
    uint8_t *zip = zw_finish(&z, &zl);
    wt_scan_result *r = wt_t_scan_mem("m.pt", zip, zl);
    CHECK_INT(wt_t_count(r, "WT-ZIP-*"), 0);
    CHECK_INT(wt_t_count(r, "WT-NPY-001"), 1);
    CHECK_STR(kind_of(r, "m.pt"), "pytorch-zip");
    wt_scan_result_free(r);
    free(npy);
    free(zip);
}

WT_TEST(path_traversal_and_out_of_bounds_entries) {
    size_t zl;
    zw z;
    zw_init(&z);
    zw_add(&z, "../../etc/evil.txt", "x", 1, NULL);
    int i = zw_add(&z, "gone.txt", "y", 1, NULL);
    z.cd[i].off = 1u << 30;
    uint8_t *zip = zw_finish(&z, &zl);
    wt_scan_result *r = wt_t_scan_mem("x.zip", zip, zl);
    CHECK_INT(wt_t_count(r, "WT-ZIP-012"), 1);
    CHECK_INT(wt_t_count(r, "WT-ZIP-007"), 1);
    wt_scan_result_free(r);
    free(zip);
}

WT_TEST(control_bytes_in_member_names_are_neutralised) {
    size_t nl, zl;
    uint8_t *npy = npy_object(PK_EVIL, PK_EVIL_LEN, &nl);
    zw z;
    zw_init(&z);
    zw_add(&z, "evil\x1b[2J\nname.npy", npy, nl, NULL);
    uint8_t *zip = zw_finish(&z, &zl);
    wt_scan_result *r = wt_t_scan_mem("x.zip", zip, zl);
    const wt_finding *f = wt_t_find(r, "WT-NPY-001");
    CHECK(f && strcmp(f->artifact, "x.zip!evil?[2J?name.npy") == 0);
    wt_scan_result_free(r);
    free(zip);
    free(npy);
}

WT_TEST(nul_in_member_name_is_cut_like_python_zipfile) {
    /* zipfile (Keras, np.load) reads 'a.npy\0.txt' as a.npy; the name is routed that way */
    size_t nl, zl;
    uint8_t *npy = npy_object(PK_EVIL, PK_EVIL_LEN, &nl);
    zw z;
    zw_init(&z);
    zw_add(&z, "a.npyZ.txt", npy, nl, NULL);
    zw_add(&z, "plain.npy", npy, nl, NULL);
    uint8_t *zip = zw_finish(&z, &zl);
    for (size_t i = 0; i + 10 <= zl; i++)
        if (memcmp(zip + i, "a.npyZ.txt", 10) == 0) zip[i + 5] = 0;
    wt_scan_result *r = wt_t_scan_mem("x.zip", zip, zl);
    const wt_finding *f = wt_t_find(r, "WT-ZIP-014");
    CHECK(f && f->severity == WT_SEV_HIGH && strstr(f->message, "\"a.npy\""));
    CHECK_INT(wt_t_count(r, "WT-ZIP-014"), 1); /* the clean name is not reported */
    bool routed = false;
    for (size_t i = 0; i < r->nfindings; i++)
        if (strcmp(r->findings[i]->rule_id, "WT-NPY-001") == 0 && strcmp(r->findings[i]->artifact, "x.zip!a.npy") == 0)
            routed = true;
    CHECK(routed);
    wt_scan_result_free(r);
    free(zip);
    free(npy);
}

WT_TEST(member_count_is_bounded) {
    size_t zl;
    zw z;
    zw_init(&z);
    char nm[32];
    for (int i = 0; i < 50; i++) {
        snprintf(nm, sizeof nm, "f%d.txt", i);
        zw_add(&z, nm, "x", 1, NULL);
    }
    uint8_t *zip = zw_finish(&z, &zl);
    wt_limits lim;
    wt_limits_default(&lim);
    lim.max_members = 10;
    wt_scan_result *r = scan_lim("x.zip", zip, zl, &lim);
    CHECK(wt_t_count(r, "WT-SCAN-002") >= 1);
    CHECK_INT(wt_t_count(r, "WT-ZIP-004"), 0); /* unlisted members are not "hidden" */
    wt_scan_result_free(r);
    free(zip);
}

WT_TEST(deeply_nested_zips_stop_at_depth_limit) {
    size_t nl, len;
    uint8_t *cur = obj_npy(&nl);
    len = nl;
    for (int d = 0; d < 12; d++) {
        zw z;
        zw_init(&z);
        zw_add(&z, d == 0 ? "x.npy" : "inner.zip", cur, len, NULL);
        size_t zl;
        uint8_t *next = zw_finish(&z, &zl);
        free(cur);
        cur = next;
        len = zl;
    }
    wt_scan_result *r = wt_t_scan_mem("deep.zip", cur, len);
    CHECK(wt_t_count(r, "WT-SCAN-002") >= 1);
    CHECK_INT(wt_t_count(r, "WT-NPY-001"), 0);
    wt_scan_result_free(r);
    free(cur);
}

WT_TEST(eocd_search_prefers_consistent_comment_length) {
    uint8_t tail[64] = {0};
    memcpy(tail + 10, "PK\x05\x06", 4);
    memcpy(tail + 42, "PK\x05\x06", 4); /* 42 + 22 = 64, comment length 0 */
    CHECK_INT(wt_zip_find_eocd(tail, sizeof tail), 42);
    CHECK_INT(wt_zip_find_eocd(tail, 10), -1);
}

WT_TEST(zip_with_long_comment_appended_to_nested_pickle_is_scanned) {
    /* the end record of a zip sits up to 22 + 65535 bytes from the end: a long
     * comment must not hide the appended zip of a pickle member */
    if (!have_pickle_analyzer()) return;
    zw z;
    zw_init(&z);
    zw_add(&z, "archive/data.pkl", PK_EVIL, sizeof PK_EVIL - 1, NULL);
    size_t zl;
    uint8_t *zip = zw_finish(&z, &zl);
    const size_t cl = 4000;
    size_t pl = sizeof PK_BENIGN + zl + cl;
    uint8_t *cat = calloc(1, pl);
    memcpy(cat, PK_BENIGN, sizeof PK_BENIGN);
    memcpy(cat + sizeof PK_BENIGN, zip, zl);
    cat[sizeof PK_BENIGN + zl - 2] = (uint8_t)(cl & 0xff); /* EOCD comment length */
    cat[sizeof PK_BENIGN + zl - 1] = (uint8_t)(cl >> 8);
    memset(cat + sizeof PK_BENIGN + zl, ' ', cl);
    zw outer;
    zw_init(&outer);
    zw_add(&outer, "model/poly.pkl", cat, pl, NULL);
    size_t ol;
    uint8_t *oz = zw_finish(&outer, &ol);
    wt_scan_result *r = wt_t_scan_mem("outer.zip", oz, ol);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-001"), 1);
    wt_scan_result_free(r);
    free(oz);
    free(cat);
    free(zip);
}
