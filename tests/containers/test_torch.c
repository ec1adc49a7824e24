/* test_torch.c - PyTorch zip awareness, legacy tar and legacy stream. */
#include "common.h"
#include "formats/torch.h"
#include "gen.h"
#include "zipw.h"

static uint8_t *torch_zip(const char *top, const void *storage, size_t slen, size_t *len) {
    uint8_t pkl[512];
    size_t pl = torch_state_dict_pickle(pkl, sizeof pkl);
    char nm[128];
    zw z;
    zw_init(&z);
    snprintf(nm, sizeof nm, "%s/data.pkl", top);
    zw_add(&z, nm, pkl, pl, NULL);
    snprintf(nm, sizeof nm, "%s/byteorder", top);
    zw_add(&z, nm, "little", 6, NULL);
    snprintf(nm, sizeof nm, "%s/data/0", top);
    zw_add(&z, nm, storage, slen, NULL);
    snprintf(nm, sizeof nm, "%s/version", top);
    zw_add(&z, nm, "3\n", 2, NULL);
    return zw_finish(&z, len);
}

WT_TEST(torch_zip_with_any_top_folder_is_a_model) {
    float w[4] = {1, 2, 3, 4};
    size_t zl;
    uint8_t *zip = torch_zip("resnet_final_v2", w, sizeof w, &zl);
    wt_scan_result *r = wt_t_scan_mem("weights.bin", zip, zl);
    CHECK_STR(kind_of(r, "weights.bin"), "pytorch-zip");
    CHECK_INT(r->models_found, 1);
    CHECK_INT(wt_t_count(r, "WT-ZIP-*"), 0);
    CHECK_INT(wt_t_count(r, "WT-TORCH-*"), 0);
    if (have_pickle_analyzer()) CHECK(wt_t_max_sev(r) <= WT_SEV_LOW);
    wt_scan_result_free(r);
    free(zip);
}

WT_TEST(torch_storages_are_not_read_but_other_members_are) {
    size_t nl, zl;
    uint8_t *npy = npy_object(PK_EVIL, PK_EVIL_LEN, &nl);
    uint8_t pkl[512];
    size_t pl = torch_state_dict_pickle(pkl, sizeof pkl);
    zw z;
    zw_init(&z);
    zw_add(&z, "archive/data.pkl", pkl, pl, NULL);
    zw_add(&z, "archive/data/0", npy, nl, NULL);      /* a storage: torch copies bytes, never unpickles */
    zw_add(&z, "archive/data/extra", npy, nl, NULL);  /* not a storage name: scanned */
    zw_add(&z, "archive/extra.npy", npy, nl, NULL);   /* any other member: scanned */
    uint8_t *zip = zw_finish(&z, &zl);
    wt_scan_result *r = wt_t_scan_mem("m.pt", zip, zl);
    CHECK_INT(wt_t_count(r, "WT-NPY-001"), 2);
    CHECK(!wt_t_find_text(r, "archive/data/0"));
    wt_scan_result_free(r);
    free(zip);
    /* the same member in a zip that is not a torch checkpoint is scanned */
    zw_init(&z);
    zw_add(&z, "archive/data/0", npy, nl, NULL);
    zip = zw_finish(&z, &zl);
    r = wt_t_scan_mem("x.zip", zip, zl);
    CHECK_INT(wt_t_count(r, "WT-NPY-001"), 1);
    wt_scan_result_free(r);
    free(zip);
    free(npy);
}

WT_TEST(torch_zip_nested_in_zip_is_scanned) {
    size_t nl, il, ol;
    uint8_t *npy = npy_object(PK_EVIL, PK_EVIL_LEN, &nl);
    zw z;
    zw_init(&z);
    zw_add(&z, "archive/data.pkl", PK_BENIGN, sizeof PK_BENIGN, NULL);
    zw_add(&z, "archive/payload.npy", npy, nl, NULL);
    uint8_t *inner = zw_finish(&z, &il);
    zw_init(&z);
    zw_opts d = {.method = 8, .local_method = -1};
    zw_add(&z, "models/inner.pt", inner, il, &d);
    uint8_t *outer = zw_finish(&z, &ol);
    wt_scan_result *r = wt_t_scan_mem("bundle.zip", outer, ol);
    const wt_finding *f = wt_t_find(r, "WT-NPY-001");
    CHECK(f != NULL);
    if (f) CHECK_STR(f->artifact, "bundle.zip!models/inner.pt!archive/payload.npy");
    CHECK_INT(ran(r, "zip"), 2);
    wt_scan_result_free(r);
    free(inner);
    free(outer);
    free(npy);
}

WT_TEST(torch_metadata_records_are_only_classified_when_not_plain_text) {
    size_t nl, zl;
    uint8_t *npy = npy_object(PK_EVIL, PK_EVIL_LEN, &nl);
    zw z;
    zw_init(&z);
    zw_add(&z, "archive/data.pkl", PK_BENIGN, sizeof PK_BENIGN, NULL);
    zw_add(&z, "archive/byteorder", "little", 6, NULL);
    zw_add(&z, "archive/version", npy, nl, NULL); /* not text: classified and scanned */
    uint8_t *zip = zw_finish(&z, &zl);
    wt_scan_result *r = wt_t_scan_mem("m.pt", zip, zl);
    CHECK_INT(wt_t_count(r, "WT-NPY-001"), 1);
    wt_scan_result_free(r);
    free(zip);
    free(npy);
}

WT_TEST(torch_layout_oddities_are_low) {
    size_t zl;
    zw z;
    zw_init(&z);
    zw_add(&z, "archive/data.pkl", PK_BENIGN, sizeof PK_BENIGN, NULL);
    zw_add(&z, "other/data.pkl", PK_BENIGN, sizeof PK_BENIGN, NULL);
    uint8_t *zip = zw_finish(&z, &zl);
    wt_scan_result *r = wt_t_scan_mem("m.pt", zip, zl);
    CHECK_INT(wt_t_count(r, "WT-TORCH-001"), 1);
    CHECK(wt_t_find(r, "WT-TORCH-001") && wt_t_find(r, "WT-TORCH-001")->severity == WT_SEV_LOW);
    wt_scan_result_free(r);
    free(zip);
}

WT_TEST(torch_layout_uses_first_member_folder_case_insensitive) {
    const char *names[] = {"ckpt/version", "ckpt/DATA.PKL", "ckpt/data/0", "ckpt/data/12", "ckpt/data/x1"};
    wt_torch_layout l;
    wt_torch_zip_layout(names, 5, &l);
    CHECK(l.is_torch);
    CHECK_STR(l.top, "ckpt");
    CHECK(wt_torch_is_storage_member(&l, "ckpt/data/0"));
    CHECK(wt_torch_is_storage_member(&l, "ckpt/data/12"));
    CHECK(!wt_torch_is_storage_member(&l, "ckpt/data/x1"));
    CHECK(!wt_torch_is_storage_member(&l, "other/data/0"));
    CHECK(!wt_torch_is_storage_member(&l, "ckpt/data/"));
    const char *flat[] = {"data.pkl", "x/data.pkl"};
    wt_torch_zip_layout(flat, 2, &l);
    CHECK(!l.is_torch); /* torch needs the first member inside a folder */
}

WT_TEST(large_sparse_checkpoint_reads_almost_nothing) {
    char *path = wt_xasprintf("%s/big.pt", wt_t_tmpdir());
    CHECK_INT(gen_sparse_torch_zip(path, "archive", 8, 256ull << 20), 0); /* 2 GiB of holes */
    wt_scan_result *r = wt_t_scan_path(path);
    CHECK_INT(r->nfindings, 0);
    CHECK_STR(r->ninfos ? r->infos[0].kind : "", "pytorch-zip");
    CHECK(r->bytes_read < 64 * 1024); /* the central directory, local headers and data.pkl */
    CHECK(r->bytes_total >= 2ull << 30);
    wt_scan_result_free(r);
    unlink(path);
    free(path);
}

WT_TEST(pickle_span_walks_opcodes_only) {
    CHECK_INT(wt_pickle_span((const uint8_t *)PK_EVIL, PK_EVIL_LEN), PK_EVIL_LEN);
    CHECK_INT(wt_pickle_span(PK_BENIGN, sizeof PK_BENIGN), sizeof PK_BENIGN);
    uint8_t pkl[512];
    size_t pl = torch_state_dict_pickle(pkl, sizeof pkl);
    CHECK_INT(wt_pickle_span(pkl, pl), pl);
    CHECK_INT(wt_pickle_span(pkl, pl - 1), 0);
    CHECK_INT(wt_pickle_span((const uint8_t *)"\xff", 1), 0);
    /* BINUNICODE length past the end */
    CHECK_INT(wt_pickle_span((const uint8_t *)"X\xff\xff\xff\x7f", 5), 0);
}

static size_t legacy_stream(uint8_t *out, const void *data_pkl, size_t dl, bool broken) {
    static const uint8_t magic[] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9,
                                    0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e};
    size_t n = 0;
    memcpy(out + n, magic, sizeof magic); n += sizeof magic;
    memcpy(out + n, "\x80\x02M\xe9\x03.", 6); n += 6;                     /* protocol 1001 */
    memcpy(out + n, "\x80\x02}q\x00.", 6); n += 6;                        /* sys_info */
    if (broken) { memcpy(out + n, "\x80\x02\xfe\xfe", 4); return n + 4; }
    memcpy(out + n, data_pkl, dl); n += dl;                               /* the object */
    memcpy(out + n, "\x80\x02]q\x00X\x01\x00\x00\x00" "0a.", 13); n += 13;   /* storage keys */
    memcpy(out + n, "\x10\x00\x00\x00\x00\x00\x00\x00", 8); n += 8;        /* raw storage */
    memset(out + n, 0xee, 64); n += 64;
    return n;
}

WT_TEST(legacy_stream_is_delimited) {
    uint8_t buf[1024], pkl[512];
    size_t pl = torch_state_dict_pickle(pkl, sizeof pkl);
    size_t n = legacy_stream(buf, pkl, pl, false);
    wt_scan_result *r = wt_t_scan_mem("old.pt", buf, n);
    CHECK_STR(kind_of(r, "old.pt"), "pytorch-legacy");
    CHECK_INT(wt_t_count(r, "WT-TORCH-002"), 0);
    CHECK_INT(r->models_found, 1);
    if (have_pickle_analyzer()) CHECK(wt_t_max_sev(r) <= WT_SEV_LOW);
    wt_scan_result_free(r);
    n = legacy_stream(buf, PK_EVIL, PK_EVIL_LEN, false);
    r = wt_t_scan_mem("old.pt", buf, n);
    CHECK_INT(wt_t_count(r, "WT-TORCH-002"), 0);
    if (have_pickle_analyzer()) CHECK(wt_t_max_sev(r) >= WT_SEV_HIGH);
    wt_scan_result_free(r);
    n = legacy_stream(buf, NULL, 0, true);
    r = wt_t_scan_mem("old.pt", buf, n);
    CHECK_INT(wt_t_count(r, "WT-TORCH-002"), 1);
    CHECK(wt_t_find(r, "WT-TORCH-002") && wt_t_find(r, "WT-TORCH-002")->severity == WT_SEV_MEDIUM);
    wt_scan_result_free(r);
    /* four clean pickles and EOF: damaged, low */
    n = legacy_stream(buf, pkl, pl, false) - 13 - 8 - 64;
    r = wt_t_scan_mem("old.pt", buf, n);
    CHECK(wt_t_find(r, "WT-TORCH-002") && wt_t_find(r, "WT-TORCH-002")->severity == WT_SEV_LOW);
    wt_scan_result_free(r);
}

WT_TEST(legacy_tar_layout_is_recognised) {
    uint8_t pkl[512];
    size_t pl = torch_state_dict_pickle(pkl, sizeof pkl);
    size_t nl;
    uint8_t *npy = npy_object(PK_EVIL, PK_EVIL_LEN, &nl);
    wt_buf b;
    wt_buf_init(&b);
    tarw_add(&b, "sys_info", PK_BENIGN, sizeof PK_BENIGN, '0');
    tarw_add(&b, "pickle", pkl, pl, '0');
    tarw_add(&b, "storages", "\x80\x02K\x00.", 5, '0');
    tarw_add(&b, "tensors", "\x80\x02K\x00.", 5, '0');
    tarw_add(&b, "notes.npy", npy, nl, '0');
    tarw_end(&b);
    wt_scan_result *r = wt_t_scan_mem("legacy.tar", b.data, b.len);
    CHECK_STR(kind_of(r, "legacy.tar"), "pytorch-legacy-tar");
    CHECK_INT(r->models_found, 1);
    CHECK_INT(wt_t_count(r, "WT-NPY-001"), 1);
    CHECK_INT(wt_t_count(r, "WT-ARCHIVE-*"), 0);
    wt_scan_result_free(r);
    wt_buf_free(&b);
    free(npy);
}

/* storages: count, then per record (key, location, storage type) + int64 n + n * element size bytes */
static void add_storage_record(wt_buf *b, const char *type, uint64_t n, unsigned elsize) {
    wt_buf_append(b, "\x80\x02(X\x01\x00\x00\x00" "0X\x03\x00\x00\x00" "cpuctorch\n", 24);
    wt_buf_puts(b, type);
    wt_buf_append(b, "\nt.", 3);
    uint8_t le8[8];
    for (int i = 0; i < 8; i++) le8[i] = (uint8_t)(n >> (8 * i));
    wt_buf_append(b, le8, 8);
    for (uint64_t i = 0; i < n * elsize; i++) wt_buf_putc(b, (char)0xee);
}

static uint8_t *legacy_tar(bool evil_record, size_t *len) {
    wt_buf st, te, b;
    wt_buf_init(&st);
    wt_buf_init(&te);
    wt_buf_init(&b);
    wt_buf_append(&st, "\x80\x02K\x03.", 5);
    add_storage_record(&st, "FloatStorage", 2, 4);
    if (evil_record) wt_buf_append(&st, PK_EVIL, PK_EVIL_LEN);
    add_storage_record(&st, "LongStorage", 1, 8);
    if (!evil_record) add_storage_record(&st, "HalfStorage", 3, 2);
    /* tensors: count, then (key, storage id, type) + ndim, 4 bytes, sizes, strides, offset */
    wt_buf_append(&te, "\x80\x02K\x01.", 5);
    wt_buf_append(&te, "\x80\x02(K\x00X\x01\x00\x00\x00" "0ctorch\nFloatTensor\nt.", 32);
    static const uint8_t dims[4 + 4 + 16 + 8] = {1, 0, 0, 0, 0, 0, 0, 0, 2};
    wt_buf_append(&te, dims, sizeof dims);
    uint8_t pkl[512];
    size_t pl = torch_state_dict_pickle(pkl, sizeof pkl);
    tarw_add(&b, "sys_info", PK_BENIGN, sizeof PK_BENIGN, '0');
    tarw_add(&b, "pickle", pkl, pl, '0');
    tarw_add(&b, "storages", st.data, st.len, '0');
    tarw_add(&b, "tensors", te.data, te.len, '0');
    tarw_end(&b);
    wt_buf_free(&st);
    wt_buf_free(&te);
    *len = b.len;
    return (uint8_t *)wt_buf_steal(&b);
}

WT_TEST(legacy_tar_records_are_walked) {
    size_t n;
    uint8_t *t = legacy_tar(false, &n);
    wt_scan_result *r = wt_t_scan_mem("legacy.tar", t, n);
    CHECK_INT(wt_t_count(r, "WT-TORCH-*"), 0);
    CHECK_INT(wt_t_count(r, "WT-ARCHIVE-*"), 0);
    if (have_pickle_analyzer()) {
        CHECK(wt_t_max_sev(r) <= WT_SEV_LOW);
        CHECK(ran(r, "pickle") == 2 + 4 + 2); /* sys_info, pickle, 1 + 3 storages, 1 + 1 tensors */
    }
    wt_scan_result_free(r);
    free(t);
    t = legacy_tar(true, &n); /* a payload in a record torch unpickles */
    r = wt_t_scan_mem("legacy.tar", t, n);
    CHECK_INT(wt_t_count(r, "WT-TORCH-002"), 1);
    if (have_pickle_analyzer()) CHECK(wt_t_max_sev(r) >= WT_SEV_HIGH);
    wt_scan_result_free(r);
    free(t);
}

WT_TEST(legacy_tar_storage_data_is_not_read) {
    /* each record is a small pickle followed by 1 MiB of raw floats: the
     * records are delimited without viewing the raw data after them */
    wt_buf st, b;
    wt_buf_init(&st);
    wt_buf_init(&b);
    wt_buf_append(&st, "\x80\x02K\x08.", 5);
    for (int i = 0; i < 8; i++) add_storage_record(&st, "FloatStorage", 256u << 10, 4);
    uint8_t pkl[512];
    size_t pl = torch_state_dict_pickle(pkl, sizeof pkl);
    tarw_add(&b, "sys_info", PK_BENIGN, sizeof PK_BENIGN, '0');
    tarw_add(&b, "pickle", pkl, pl, '0');
    tarw_add(&b, "storages", st.data, st.len, '0');
    tarw_end(&b);
    char *path = wt_xasprintf("%s/legacy_big.tar", wt_t_tmpdir());
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        CHECK(fwrite(b.data, 1, b.len, f) == b.len);
        fclose(f);
        wt_scan_result *r = wt_t_scan_path(path);
        CHECK_INT(wt_t_count(r, "WT-TORCH-*"), 0);
        CHECK(r->bytes_total >= 8u << 20);
        CHECK(r->bytes_read < 1u << 20);
        wt_scan_result_free(r);
        unlink(path);
    }
    free(path);
    wt_buf_free(&st);
    wt_buf_free(&b);
}
