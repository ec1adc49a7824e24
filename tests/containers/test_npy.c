/* test_npy.c - .npy header parsing, object arrays, size checks. */
#include "common.h"
#include "formats/numpy.h"
#include "zipw.h"

static uint8_t *npy_with_header(const char *hdr, size_t payload, size_t *len) {
    size_t hl = strlen(hdr), total = 10 + hl + 1, pad = (64 - total % 64) % 64, H = hl + pad + 1;
    uint8_t *b = calloc(1, 10 + H + payload);
    memcpy(b, "\x93NUMPY\x01\x00", 8);
    b[8] = (uint8_t)H;
    b[9] = (uint8_t)(H >> 8);
    memcpy(b + 10, hdr, hl);
    memset(b + 10 + hl, ' ', pad);
    b[10 + hl + pad] = '\n';
    *len = 10 + H + payload;
    return b;
}

WT_TEST(numeric_npy_has_no_findings) {
    size_t n;
    uint8_t *b = npy_f4(100, 100, &n);
    wt_scan_result *r = wt_t_scan_mem("w.npy", b, n);
    CHECK_INT(r->nfindings, 0);
    CHECK_STR(kind_of(r, "w.npy"), "numpy");
    CHECK_INT(r->models_found, 1);
    wt_scan_result_free(r);
    free(b);
}

WT_TEST(object_npy_is_reported_and_payload_sent_to_pickle) {
    size_t n;
    uint8_t *b = npy_object(PK_EVIL, PK_EVIL_LEN, &n);
    wt_scan_result *r = wt_t_scan_mem("o.npy", b, n);
    const wt_finding *f = wt_t_find(r, "WT-NPY-001");
    CHECK(f != NULL);
    if (f) CHECK(f->severity == WT_SEV_MEDIUM);
    if (have_pickle_analyzer()) {
        CHECK(wt_t_max_sev(r) >= WT_SEV_HIGH);
        CHECK(ran(r, "pickle") >= 1);
    }
    wt_scan_result_free(r);
    free(b);
}

WT_TEST(structured_dtype_with_object_field_is_object) {
    size_t n;
    uint8_t *b = npy_with_header("{'descr': [('name', '<U8'), ('obj', '|O'), ('v', '<f8', (2, 3))], "
                                 "'fortran_order': False, 'shape': (2,), }", PK_EVIL_LEN, &n);
    wt_npy_header h;
    char err[128];
    CHECK_INT(wt_npy_parse_header(b, n, &h, err, sizeof err), 0);
    CHECK(h.object);
    CHECK_INT(h.itemsize, 32 + 8 + 48);
    CHECK_INT(h.count, 2);
    wt_scan_result *r = wt_t_scan_mem("s.npy", b, n);
    CHECK_INT(wt_t_count(r, "WT-NPY-001"), 1);
    wt_scan_result_free(r);
    free(b);
}

WT_TEST(object_spelled_as_name_or_subarray_is_object) {
    /* np.lib.format.descr_to_dtype accepts all of these; each has objects */
    const char *descrs[] = {"'object'", "'|object_'", "('O', (2,))", "[('a', ('O', (2,)))]", "[('a', [('b', '|O')])]"};
    for (size_t i = 0; i < sizeof descrs / sizeof descrs[0]; i++) {
        char hdr[160];
        snprintf(hdr, sizeof hdr, "{'descr': %s, 'fortran_order': False, 'shape': (1,), }", descrs[i]);
        size_t n;
        uint8_t *b = npy_with_header(hdr, PK_EVIL_LEN, &n);
        wt_npy_header h;
        char err[128];
        CHECK_INT(wt_npy_parse_header(b, n, &h, err, sizeof err), 0);
        if (!h.object) wt_test_fail(__FILE__, __LINE__, "descr %s not seen as object", descrs[i]);
        free(b);
    }
    /* a numeric subarray is sized, not object */
    size_t n;
    uint8_t *b = npy_with_header("{'descr': ('<f4', (2, 3)), 'fortran_order': False, 'shape': (2,), }", 48, &n);
    wt_scan_result *r = wt_t_scan_mem("sub.npy", b, n);
    CHECK_INT(r->nfindings, 0);
    wt_scan_result_free(r);
    free(b);
}

WT_TEST(structured_numeric_dtype_size_is_checked) {
    size_t n;
    uint8_t *b = npy_with_header("{'descr': [('a', '<i4'), ('b', '<f8')], 'fortran_order': True, 'shape': (3, 2), }",
                                 6 * 12, &n);
    wt_scan_result *r = wt_t_scan_mem("s.npy", b, n);
    CHECK_INT(r->nfindings, 0);
    wt_scan_result_free(r);
    free(b);
}

WT_TEST(field_name_containing_O_is_not_object) {
    size_t n;
    uint8_t *b = npy_with_header("{'descr': [('O', '<i4')], 'fortran_order': False, 'shape': (1,), }", 4, &n);
    wt_scan_result *r = wt_t_scan_mem("s.npy", b, n);
    CHECK_INT(r->nfindings, 0);
    wt_scan_result_free(r);
    free(b);
}

WT_TEST(size_mismatch_truncated_low_and_trailing_medium) {
    size_t n;
    uint8_t *b = npy_f4(10, 100, &n); /* declares 100 floats, holds 10 */
    wt_scan_result *r = wt_t_scan_mem("t.npy", b, n);
    const wt_finding *f = wt_t_find(r, "WT-NPY-003");
    CHECK(f && f->severity == WT_SEV_LOW);
    wt_scan_result_free(r);
    free(b);
    b = npy_f4(100, 10, &n); /* extra bytes after the array */
    r = wt_t_scan_mem("t.npy", b, n);
    f = wt_t_find(r, "WT-NPY-003");
    CHECK(f && f->severity == WT_SEV_MEDIUM);
    wt_scan_result_free(r);
    free(b);
}

WT_TEST(malformed_headers_are_findings) {
    const char *bad[] = {
        "{'descr': '<f4', 'shape': (3,), }",            /* no fortran_order */
        "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), ", /* unterminated */
        "not a dict at all",
        "{'descr': '<f4', 'fortran_order': False, 'shape': ((((((((((((((((((((((((((((((((((((1,),),),),),),),),),),),),),),),),),),),),),),),),),),),),),),),),),),),), }",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t n;
        uint8_t *b = npy_with_header(bad[i], 12, &n);
        wt_scan_result *r = wt_t_scan_mem("bad.npy", b, n);
        CHECK_INT(wt_t_count(r, "WT-NPY-002"), 1);
        wt_scan_result_free(r);
        free(b);
    }
    /* header length past the end of the file */
    uint8_t t[16] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0xff, 0x7f, '{'};
    wt_scan_result *r = wt_t_scan_mem("bad.npy", t, sizeof t);
    CHECK_INT(wt_t_count(r, "WT-NPY-002"), 1);
    wt_scan_result_free(r);
    /* version 2 with an absurd header length */
    uint8_t v2[16] = {0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0xff, 0xff, 0xff, 0x7f};
    r = wt_t_scan_mem("bad.npy", v2, sizeof v2);
    CHECK_INT(wt_t_count(r, "WT-NPY-002"), 1);
    wt_scan_result_free(r);
}

WT_TEST(shape_product_overflow_is_not_trusted) {
    size_t n;
    uint8_t *b = npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387903, 4611686018427387903), }", 8, &n);
    wt_npy_header h;
    char err[128];
    CHECK_INT(wt_npy_parse_header(b, n, &h, err, sizeof err), 0);
    CHECK(!h.size_known);
    wt_scan_result *r = wt_t_scan_mem("o.npy", b, n);
    CHECK_INT(r->nfindings, 0);
    wt_scan_result_free(r);
    free(b);
}

WT_TEST(unicode_and_datetime_itemsizes) {
    wt_npy_header h;
    char err[128];
    size_t n;
    uint8_t *b = npy_with_header("{'descr': '<U10', 'fortran_order': False, 'shape': (2, 5), }", 400, &n);
    CHECK_INT(wt_npy_parse_header(b, n, &h, err, sizeof err), 0);
    CHECK_INT(h.nbytes, 400);
    free(b);
    b = npy_with_header("{'descr': '<M8[ns]', 'fortran_order': False, 'shape': (), }", 8, &n);
    CHECK_INT(wt_npy_parse_header(b, n, &h, err, sizeof err), 0);
    CHECK(h.size_known);
    CHECK_INT(h.nbytes, 8);
    free(b);
}
