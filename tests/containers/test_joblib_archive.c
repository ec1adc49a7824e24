/* test_joblib_archive.c - compressed joblib files, compressed streams, tar. */
#include <bzlib.h>
#include <lzma.h>
#include <zstd.h>

#include "common.h"
#include "formats/unpack.h"
#include "gen.h"
#include "zipw.h"

typedef enum { C_ZLIB, C_GZIP, C_BZ2, C_XZ, C_LZMA, C_ZSTD } comp;

static uint8_t *compress_as(comp c, const void *in, size_t n, size_t *out) {
    size_t cap = n * 2 + 1024;
    uint8_t *o = malloc(cap);
    switch (c) {
    case C_ZLIB: {
        uLongf l = cap;
        compress2(o, &l, in, n, 3);
        *out = l;
        break;
    }
    case C_GZIP: {
        z_stream s;
        memset(&s, 0, sizeof s);
        deflateInit2(&s, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY);
        s.next_in = (Bytef *)in;
        s.avail_in = (uInt)n;
        s.next_out = o;
        s.avail_out = (uInt)cap;
        deflate(&s, Z_FINISH);
        *out = cap - s.avail_out;
        deflateEnd(&s);
        break;
    }
    case C_BZ2: {
        unsigned l = (unsigned)cap;
        BZ2_bzBuffToBuffCompress((char *)o, &l, (char *)in, (unsigned)n, 9, 0, 0);
        *out = l;
        break;
    }
    case C_XZ: {
        size_t pos = 0;
        lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, in, n, o, &pos, cap);
        *out = pos;
        break;
    }
    case C_LZMA: {
        lzma_options_lzma opt;
        lzma_lzma_preset(&opt, 6);
        lzma_stream s = LZMA_STREAM_INIT;
        if (lzma_alone_encoder(&s, &opt) != LZMA_OK) abort();
        s.next_in = in;
        s.avail_in = n;
        s.next_out = o;
        s.avail_out = cap;
        while (lzma_code(&s, LZMA_FINISH) == LZMA_OK) {}
        *out = cap - s.avail_out;
        lzma_end(&s);
        break;
    }
    case C_ZSTD:
        *out = ZSTD_compress(o, cap, in, n, 3);
        break;
    }
    return o;
}

static const char *const comp_names[] = {"zlib", "gzip", "bz2", "xz", "lzma", "zstd"};

WT_TEST(compressed_joblib_in_every_codec_is_decoded) {
    size_t nl;
    uint8_t *npy = npy_object(PK_EVIL, PK_EVIL_LEN, &nl);
    for (int c = C_ZLIB; c <= C_ZSTD; c++) {
        size_t cl;
        uint8_t *z = compress_as((comp)c, npy, nl, &cl);
        char name[64];
        snprintf(name, sizeof name, "model.joblib");
        wt_scan_result *r = wt_t_scan_mem(name, z, cl);
        if (wt_t_count(r, "WT-NPY-001") != 1) fprintf(stderr, "    codec %s\n", comp_names[c]);
        CHECK_INT(wt_t_count(r, "WT-NPY-001"), 1);
        CHECK_INT(wt_t_count(r, "WT-JOBLIB-*") + wt_t_count(r, "WT-ARCHIVE-*"), 0);
        CHECK_INT(r->models_found, 1);
        wt_scan_result_free(r);
        free(z);
    }
    free(npy);
}

WT_TEST(compressed_pickle_reaches_the_pickle_analyzer) {
    for (int c = C_ZLIB; c <= C_ZSTD; c++) {
        size_t cl;
        uint8_t *z = compress_as((comp)c, PK_EVIL, PK_EVIL_LEN, &cl);
        wt_scan_result *r = wt_t_scan_mem("model.pkl", z, cl);
        CHECK_INT(wt_t_count(r, "WT-JOBLIB-*") + wt_t_count(r, "WT-ARCHIVE-*"), 0);
        if (have_pickle_analyzer()) {
            if (wt_t_max_sev(r) < WT_SEV_HIGH) fprintf(stderr, "    codec %s\n", comp_names[c]);
            CHECK(wt_t_max_sev(r) >= WT_SEV_HIGH);
        }
        wt_scan_result_free(r);
        free(z);
    }
}

WT_TEST(joblib_zfile_format_is_decoded) {
    size_t nl, cl;
    uint8_t *npy = npy_object(PK_EVIL, PK_EVIL_LEN, &nl);
    uint8_t *z = compress_as(C_ZLIB, npy, nl, &cl);
    uint8_t *f = malloc(cl + 21);
    char hdr[32];
    snprintf(hdr, sizeof hdr, "ZF%-19s", "0x1f");
    memcpy(f, hdr, 21);
    memcpy(f + 21, z, cl);
    wt_scan_result *r = wt_t_scan_mem("old.pkl", f, cl + 21);
    CHECK_STR(kind_of(r, "old.pkl"), "joblib-zfile");
    CHECK_INT(wt_t_count(r, "WT-NPY-001"), 1);
    wt_scan_result_free(r);
    free(f);
    free(z);
    free(npy);
}

WT_TEST(concatenated_gzip_and_bzip2_members_are_one_stream) {
    size_t nl;
    uint8_t *npy = npy_object(PK_EVIL, PK_EVIL_LEN, &nl);
    comp cs[] = {C_GZIP, C_BZ2, C_XZ, C_ZSTD};
    for (int i = 0; i < 4; i++) {
        size_t l1, l2, half = nl / 2;
        uint8_t *a = compress_as(cs[i], npy, half, &l1);
        uint8_t *b = compress_as(cs[i], npy + half, nl - half, &l2);
        uint8_t *cat = malloc(l1 + l2);
        memcpy(cat, a, l1);
        memcpy(cat + l1, b, l2);
        wt_scan_result *r = wt_t_scan_mem("model.joblib", cat, l1 + l2);
        if (wt_t_count(r, "WT-NPY-001") != 1) fprintf(stderr, "    codec %s\n", comp_names[cs[i]]);
        CHECK_INT(wt_t_count(r, "WT-NPY-001"), 1);
        CHECK_INT(wt_t_count(r, "WT-ARCHIVE-*"), 0);
        if (have_pickle_analyzer()) CHECK(wt_t_max_sev(r) >= WT_SEV_HIGH); /* payload spans both members */
        wt_scan_result_free(r);
        free(a);
        free(b);
        free(cat);
    }
    free(npy);
}

WT_TEST(lz4_joblib_is_decoded) {
    /* lz4 frame, one raw block "hello", content checksum (the real lz4 frames are in
     * tests/realworld/test_lz4.c) */
    const uint8_t lz4[] = {0x04, 0x22, 0x4d, 0x18, 0x64, 0x40, 0xa7, 0x05, 0, 0, 0x80, 'h', 'e', 'l', 'l', 'o', 0, 0, 0, 0};
    wt_scan_result *r = wt_t_scan_mem("model.joblib", lz4, sizeof lz4);
    CHECK_INT(wt_t_count(r, "WT-JOBLIB-001"), 0);
    CHECK_INT(r->models_found, 1);
    wt_scan_result_free(r);
}

WT_TEST(lz4_joblib_that_does_not_decode_is_unscannable) {
    /* frame version 2: nothing decodes */
    const uint8_t lz4[] = {0x04, 0x22, 0x4d, 0x18, 0xa4, 0x40, 0xa7, 0x05, 0, 0, 0x80, 'h', 'e', 'l', 'l', 'o', 0, 0, 0, 0};
    wt_scan_result *r = wt_t_scan_mem("model.joblib", lz4, sizeof lz4);
    CHECK_INT(wt_t_count(r, "WT-JOBLIB-001"), 1);
    CHECK_INT(r->models_found, 1);
    wt_scan_result_free(r);
}

WT_TEST(truncated_stream_scans_the_prefix_and_reports) {
    uint8_t *big = malloc(200000);
    size_t nl;
    uint8_t *npy = npy_object(PK_EVIL, PK_EVIL_LEN, &nl);
    memcpy(big, npy, nl);
    uint32_t s = 1;
    for (size_t i = nl; i < 200000; i++) { s = s * 1103515245u + 12345u; big[i] = (uint8_t)(s >> 16); }
    for (int c = C_ZLIB; c <= C_ZSTD; c++) {
        size_t cl;
        uint8_t *z = compress_as((comp)c, big, 200000, &cl);
        wt_scan_result *r = wt_t_scan_mem("model.joblib", z, cl / 2);
        size_t n = wt_t_count(r, "WT-JOBLIB-*") + wt_t_count(r, "WT-ARCHIVE-*");
        if (n != 1) fprintf(stderr, "    codec %s\n", comp_names[c]);
        CHECK_INT(n, 1);
        if (c != C_BZ2) CHECK_INT(wt_t_count(r, "WT-NPY-001"), 1); /* bzip2 emits nothing before a block ends */
        wt_scan_result_free(r);
        free(z);
    }
    free(npy);
    free(big);
}

WT_TEST(compression_bomb_is_capped) {
    size_t big = 8u << 20;
    uint8_t *zeros = calloc(1, big);
    for (int c = C_GZIP; c <= C_ZSTD; c++) {
        size_t cl;
        uint8_t *z = compress_as((comp)c, zeros, big, &cl);
        wt_limits lim;
        wt_limits_default(&lim);
        lim.max_ratio = 100;
        wt_scan_result *r = scan_lim("zeros.bin.gz", z, cl, &lim);
        if (wt_t_count(r, "WT-ARCHIVE-001") != 1) fprintf(stderr, "    codec %s\n", comp_names[c]);
        CHECK_INT(wt_t_count(r, "WT-ARCHIVE-001"), 1);
        wt_scan_result_free(r);
        wt_limits_default(&lim);
        lim.max_member_size = 1u << 20;
        lim.max_ratio = 0;
        r = scan_lim("zeros.bin.gz", z, cl, &lim);
        CHECK_INT(wt_t_count(r, "WT-ARCHIVE-001"), 0); /* too large is a budget, not a bomb */
        CHECK_INT(wt_t_count(r, "WT-SCAN-002"), 1);
        wt_scan_result_free(r);
        free(z);
    }
    free(zeros);
}

WT_TEST(model_named_stream_of_unknown_content_is_unscannable) {
    const char junk[] = "this is not a model, just text that happens to be compressed";
    for (int c = C_GZIP; c <= C_ZSTD; c++) {
        size_t cl;
        uint8_t *z = compress_as((comp)c, junk, sizeof junk, &cl);
        wt_scan_result *r = wt_t_scan_mem("model.pkl.gz", z, cl);
        CHECK_INT(wt_t_count(r, "WT-SCAN-003"), 1);
        wt_scan_result_free(r);
        r = wt_t_scan_mem("notes.gz", z, cl); /* not a model name: nothing to say */
        CHECK_INT(r->nfindings, 0);
        wt_scan_result_free(r);
        free(z);
    }
}

WT_TEST(garbage_with_compression_magic_does_not_crash) {
    const uint8_t heads[][8] = {{0x1f, 0x8b, 8, 0xff, 0xff, 0xff, 0xff, 0xff}, {'B', 'Z', 'h', '9', 1, 2, 3, 4},
                                {0xfd, '7', 'z', 'X', 'Z', 0, 0xff, 0xff}, {0x28, 0xb5, 0x2f, 0xfd, 0xff, 0xff, 0, 0},
                                {0x78, 0x9c, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
        wt_scan_result *r = wt_t_scan_mem("x.pkl.gz", heads[i], sizeof heads[i]);
        wt_scan_result_free(r);
    }
}

WT_TEST(codec_sniffing) {
    CHECK_INT(wt_codec_sniff((const uint8_t *)"\x1f\x8b\x08", 3), WT_CODEC_GZIP);
    CHECK_INT(wt_codec_sniff((const uint8_t *)"BZh9", 4), WT_CODEC_BZIP2);
    CHECK_INT(wt_codec_sniff((const uint8_t *)"\x28\xb5\x2f\xfd", 4), WT_CODEC_ZSTD);
    CHECK_INT(wt_codec_sniff((const uint8_t *)"\x78\x9c", 2), WT_CODEC_ZLIB);
    CHECK_INT(wt_codec_sniff((const uint8_t *)"hello", 5), WT_CODEC_NONE);
    CHECK_INT(wt_codec_sniff((const uint8_t *)"\x80\x02}q\x00.", 6), WT_CODEC_NONE);
}

/* zip methods beyond deflate: 12 bzip2, 14 lzma, 93 zstd, 95 xz */
static uint8_t *zip_lzma_member(const void *in, size_t n, size_t *out) {
    lzma_options_lzma opt;
    lzma_lzma_preset(&opt, 6);
    lzma_filter f[2] = {{.id = LZMA_FILTER_LZMA1, .options = &opt}, {.id = LZMA_VLI_UNKNOWN, .options = NULL}};
    uint8_t props[5];
    if (lzma_properties_encode(&f[0], props) != LZMA_OK) abort();
    size_t cap = n * 2 + 1024;
    uint8_t *o = malloc(cap);
    o[0] = 9; o[1] = 20; o[2] = 5; o[3] = 0;
    memcpy(o + 4, props, 5);
    lzma_stream s = LZMA_STREAM_INIT;
    if (lzma_raw_encoder(&s, f) != LZMA_OK) abort();
    s.next_in = in;
    s.avail_in = n;
    s.next_out = o + 9;
    s.avail_out = cap - 9;
    while (lzma_code(&s, LZMA_FINISH) == LZMA_OK) {}
    *out = cap - s.avail_out;
    lzma_end(&s);
    return o;
}

WT_TEST(zip_members_in_bzip2_lzma_zstd_xz_methods) {
    size_t nl;
    uint8_t *npy = npy_object(PK_EVIL, PK_EVIL_LEN, &nl);
    struct { uint16_t method; comp c; } m[] = {{12, C_BZ2}, {14, C_LZMA}, {93, C_ZSTD}, {95, C_XZ}};
    for (size_t i = 0; i < 4; i++) {
        size_t pl;
        uint8_t *packed = m[i].method == 14 ? zip_lzma_member(npy, nl, &pl) : compress_as(m[i].c, npy, nl, &pl);
        zw z;
        zw_init(&z);
        zw_opts o = {.method = m[i].method, .local_method = -1, .packed = packed, .packed_len = pl};
        zw_add(&z, "obj.npy", npy, nl, &o);
        size_t zl;
        uint8_t *zip = zw_finish(&z, &zl);
        wt_scan_result *r = wt_t_scan_mem("x.zip", zip, zl);
        if (wt_t_count(r, "WT-NPY-001") != 1) fprintf(stderr, "    method %u\n", m[i].method);
        CHECK_INT(wt_t_count(r, "WT-NPY-001"), 1);
        CHECK_INT(wt_t_count(r, "WT-ZIP-*"), 0);
        wt_scan_result_free(r);
        free(zip);
        free(packed);
    }
    /* an unknown method (deflate64) is reported, not guessed */
    zw z;
    zw_init(&z);
    zw_opts o = {.method = 9, .local_method = -1, .packed = npy, .packed_len = nl};
    zw_add(&z, "obj.npy", npy, nl, &o);
    size_t zl;
    uint8_t *zip = zw_finish(&z, &zl);
    wt_scan_result *r = wt_t_scan_mem("x.zip", zip, zl);
    CHECK_INT(wt_t_count(r, "WT-ZIP-010"), 1);
    wt_scan_result_free(r);
    free(zip);
    free(npy);
}

/* ---- tar ---- */
WT_TEST(tar_members_are_scanned_and_names_nested) {
    size_t nl;
    uint8_t *npy = npy_object(PK_EVIL, PK_EVIL_LEN, &nl);
    wt_buf b;
    wt_buf_init(&b);
    tarw_add(&b, "readme.txt", "hello", 5, '0');
    tarw_add(&b, "dir", "", 0, '5');
    tarw_add(&b, "dir/obj.npy", npy, nl, '0');
    tarw_end(&b);
    wt_scan_result *r = wt_t_scan_mem("bundle.tar", b.data, b.len);
    const wt_finding *f = wt_t_find(r, "WT-NPY-001");
    CHECK(f && strcmp(f->artifact, "bundle.tar!dir/obj.npy") == 0);
    CHECK_STR(kind_of(r, "bundle.tar"), "tar");
    CHECK_INT(wt_t_count(r, "WT-ARCHIVE-*"), 0);
    wt_scan_result_free(r);
    /* tar.gz: a gzip stream holding a tar */
    size_t gl;
    uint8_t *gz = compress_as(C_GZIP, b.data, b.len, &gl);
    r = wt_t_scan_mem("bundle.tgz", gz, gl);
    f = wt_t_find(r, "WT-NPY-001");
    CHECK(f && strcmp(f->artifact, "bundle.tgz!bundle.tar!dir/obj.npy") == 0);
    wt_scan_result_free(r);
    free(gz);
    wt_buf_free(&b);
    free(npy);
}

/* tar link member: tarw_add's header plus a link target and a fresh checksum */
static void tar_link(wt_buf *b, const char *name, const char *target, char type) {
    size_t at = b->len;
    tarw_add(b, name, "", 0, type);
    uint8_t *h = (uint8_t *)b->data + at;
    snprintf((char *)h + 157, 100, "%s", target);
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++) sum += h[i];
    char num[16];
    snprintf(num, sizeof num, "%06o", sum & 0777777u);
    memcpy(h + 148, num, 7);
}

WT_TEST(tar_links_leaving_the_folder_are_traversal) {
    wt_buf b;
    wt_buf_init(&b);
    tar_link(&b, "model/ok", "weights.bin", '2'); /* stays inside: fine */
    tar_link(&b, "model/ssh", "/home/user/.ssh", '2');
    tar_link(&b, "model/up", "../../etc/passwd", '1');
    tarw_end(&b);
    wt_scan_result *r = wt_t_scan_mem("m.tar", b.data, b.len);
    const wt_finding *f = wt_t_find(r, "WT-ARCHIVE-003");
    CHECK(f && strstr(f->message, "symbolic link to /home/user/.ssh"));
    CHECK_INT(wt_t_count(r, "WT-ARCHIVE-003"), 1); /* once per archive */
    wt_scan_result_free(r);
    wt_buf_free(&b);
    wt_buf_init(&b);
    tar_link(&b, "model/latest", "checkpoint-100/weights.bin", '2');
    tarw_end(&b);
    r = wt_t_scan_mem("m.tar", b.data, b.len);
    CHECK_INT(wt_t_count(r, "WT-ARCHIVE-*"), 0);
    wt_scan_result_free(r);
    wt_buf_free(&b);
}

WT_TEST(tar_long_names_pax_and_traversal) {
    wt_buf b;
    wt_buf_init(&b);
    char longname[300];
    memset(longname, 'a', 250);
    strcpy(longname + 250, "/x.npy");
    size_t nl;
    uint8_t *npy = npy_object(PK_EVIL, PK_EVIL_LEN, &nl);
    tarw_add(&b, "././@LongLink", longname, strlen(longname) + 1, 'L');
    tarw_add(&b, "truncated-name", npy, nl, '0');
    const char *pax = "31 path=../../outside/evil.npy\n";
    tarw_add(&b, "PaxHeaders/x", pax, strlen(pax), 'x');
    tarw_add(&b, "short", npy, nl, '0');
    tarw_end(&b);
    wt_scan_result *r = wt_t_scan_mem("t.tar", b.data, b.len);
    CHECK_INT(wt_t_count(r, "WT-NPY-001"), 2);
    CHECK_INT(wt_t_count(r, "WT-ARCHIVE-003"), 1);
    bool long_found = false, pax_found = false;
    for (size_t i = 0; i < r->nfindings; i++) {
        if (strcmp(r->findings[i]->rule_id, "WT-NPY-001") != 0) continue;
        if (strstr(r->findings[i]->artifact, "aaaa/x.npy")) long_found = true;
        if (strstr(r->findings[i]->artifact, "t.tar!../../outside/evil.npy")) pax_found = true;
    }
    CHECK(long_found);
    CHECK(pax_found);
    wt_scan_result_free(r);
    wt_buf_free(&b);
    free(npy);
}

WT_TEST(tar_pax_record_shorter_than_its_length_prefix) {
    /* fuzz regression: "2 path=..." claims 2 bytes, less than "2 " itself;
     * the value length wrapped and asked for a 2^64-byte string */
    size_t nl;
    uint8_t *npy = npy_object(PK_EVIL, PK_EVIL_LEN, &nl);
    wt_buf b;
    wt_buf_init(&b);
    const char *pax = "2 path=evil.npy\n";
    tarw_add(&b, "PaxHeaders/x", pax, strlen(pax), 'x');
    tarw_add(&b, "short.npy", npy, nl, '0');
    tarw_end(&b);
    wt_scan_result *r = wt_t_scan_mem("t.tar", b.data, b.len);
    CHECK(r != NULL);
    const wt_finding *f = r ? wt_t_find(r, "WT-NPY-001") : NULL;
    CHECK(f && strstr(f->artifact, "t.tar!short.npy")); /* the bad record is ignored */
    wt_scan_result_free(r);
    wt_buf_free(&b);
    free(npy);
}

WT_TEST(tar_malformed_pax_records_are_bounded) {
    const char *recs[] = {"1 ", "2 x", "3 p\n", "99999999999999999999 path=x\n", "12 path\n", "5 a=\n", "0 \n", ""};
    for (size_t i = 0; i < sizeof recs / sizeof recs[0]; i++) {
        wt_buf b;
        wt_buf_init(&b);
        tarw_add(&b, "PaxHeaders/x", recs[i], strlen(recs[i]), 'x');
        tarw_add(&b, "a.txt", "hello", 5, '0');
        tarw_end(&b);
        wt_scan_result *r = wt_t_scan_mem("t.tar", b.data, b.len);
        CHECK_INT(wt_t_count(r, "WT-ARCHIVE-*"), 0);
        wt_scan_result_free(r);
        wt_buf_free(&b);
    }
}

WT_TEST(tar_truncated_and_bad_checksum) {
    size_t nl;
    uint8_t *npy = npy_object(PK_EVIL, PK_EVIL_LEN, &nl);
    wt_buf b;
    wt_buf_init(&b);
    tarw_add(&b, "a.npy", npy, nl, '0');
    tarw_add(&b, "b.npy", npy, nl, '0');
    tarw_end(&b);
    /* cut inside b.npy's data */
    size_t cut = 512 + ((nl + 511) & ~511u) + 512 + 20;
    wt_scan_result *r = wt_t_scan_mem("t.tar", b.data, cut);
    CHECK_INT(wt_t_count(r, "WT-ARCHIVE-002"), 1);
    CHECK_INT(wt_t_count(r, "WT-NPY-001"), 1);
    wt_scan_result_free(r);
    b.data[148] ^= 1; /* corrupt the first checksum */
    r = wt_t_scan_mem("t.tar", b.data, b.len);
    CHECK_INT(wt_t_count(r, "WT-ARCHIVE-002"), 1);
    CHECK_INT(wt_t_count(r, "WT-NPY-001"), 2);
    wt_scan_result_free(r);
    for (size_t n = 0; n < b.len; n += 37) {
        r = wt_t_scan_mem("t.tar", b.data, n);
        wt_scan_result_free(r);
    }
    wt_buf_free(&b);
    free(npy);
}

/* ---- 7z through libarchive (7z binary from p7zip-full) ---- */
WT_TEST(pytorch_zip_wrapped_in_7z_is_found_nullifai) {
    const char *dir = wt_t_tmpdir();
    size_t nl, zl;
    uint8_t *npy = npy_object(PK_EVIL, PK_EVIL_LEN, &nl);
    zw z;
    zw_init(&z);
    zw_add(&z, "archive/data.pkl", PK_EVIL, PK_EVIL_LEN, NULL);
    zw_add(&z, "archive/extra.npy", npy, nl, NULL);
    uint8_t *zip = zw_finish(&z, &zl);
    char *pt = wt_t_write(dir, "nf/model.pt", zip, zl);
    char *cmd = wt_xasprintf("cd '%s/nf' && 7z a -bd -bso0 -bsp0 ../model.7z model.pt >/dev/null 2>&1", dir);
    int rc = system(cmd);
    CHECK_INT(rc, 0);
    char *p7 = wt_xasprintf("%s/model.7z", dir);
    wt_scan_result *r = wt_t_scan_path(p7);
    CHECK_STR(r->ninfos ? r->infos[0].kind : "", "7z");
    const wt_finding *f = wt_t_find(r, "WT-NPY-001");
    CHECK(f && strcmp(f->artifact, "model.7z!model.pt!archive/extra.npy") == 0);
    CHECK_INT(ran(r, "zip"), 1);
    if (have_pickle_analyzer()) CHECK(wt_t_max_sev(r) >= WT_SEV_HIGH);
    wt_scan_result_free(r);
    /* nullifAI: the checkpoint's own members packed with 7z, payload then a broken stream */
    static const char broken[] = "cos\nsystem\n(S'true'\ntR\xff\xfe";
    free(wt_t_write(dir, "nf2/archive/data.pkl", broken, sizeof broken - 1));
    free(wt_t_write(dir, "nf2/archive/version", "3\n", 2));
    free(cmd);
    cmd = wt_xasprintf("cd '%s/nf2' && 7z a -bd -bso0 -bsp0 ../nullifai.pt archive >/dev/null 2>&1", dir);
    CHECK_INT(system(cmd), 0);
    free(p7);
    p7 = wt_xasprintf("%s/nullifai.pt", dir);
    r = wt_t_scan_path(p7);
    CHECK_STR(r->ninfos ? r->infos[0].kind : "", "pytorch-7z");
    CHECK_INT(r->models_found, 1);
    if (have_pickle_analyzer()) CHECK(wt_t_max_sev(r) >= WT_SEV_HIGH);
    wt_scan_result_free(r);
    /* encrypted 7z member: unscannable */
    free(cmd);
    cmd = wt_xasprintf("cd '%s/nf' && 7z a -bd -bso0 -bsp0 -psecret ../enc.7z model.pt >/dev/null 2>&1", dir);
    CHECK_INT(system(cmd), 0);
    free(p7);
    p7 = wt_xasprintf("%s/enc.7z", dir);
    r = wt_t_scan_path(p7);
    CHECK(wt_t_count(r, "WT-ARCHIVE-004") + wt_t_count(r, "WT-ARCHIVE-002") >= 1);
    wt_scan_result_free(r);
    /* 7z bomb: 64 MiB of zeros in a few KB */
    free(cmd);
    cmd = wt_xasprintf("mkdir -p '%s/bomb' && cd '%s/bomb' && head -c 67108864 /dev/zero > zeros.bin && "
                       "7z a -bd -bso0 -bsp0 ../bomb.7z zeros.bin >/dev/null 2>&1 && rm -f zeros.bin", dir, dir);
    CHECK_INT(system(cmd), 0);
    free(p7);
    p7 = wt_xasprintf("%s/bomb.7z", dir);
    r = wt_t_scan_path(p7);
    CHECK_INT(wt_t_count(r, "WT-ARCHIVE-001"), 1);
    wt_scan_result_free(r);
    /* truncated 7z */
    free(cmd);
    cmd = wt_xasprintf("head -c 100 '%s/model.7z' > '%s/cut.7z'", dir, dir);
    CHECK_INT(system(cmd), 0);
    free(p7);
    p7 = wt_xasprintf("%s/cut.7z", dir);
    r = wt_t_scan_path(p7);
    CHECK(wt_t_count(r, "WT-ARCHIVE-002") >= 1);
    wt_scan_result_free(r);
    free(p7);
    free(cmd);
    free(pt);
    free(zip);
    free(npy);
}
