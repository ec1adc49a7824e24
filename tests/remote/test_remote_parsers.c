/*
 * test_remote_parsers.c - parsers of what remote servers send: S3 listing
 * pages, Link headers, Git LFS pointers. Positive and negative cases.
 */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "harness.h"
#include "sources/remote.h"

typedef struct keys {
    char *names[8];
    uint64_t sizes[8];
    int n;
} keys;

static void collect(void *ud, const char *key, uint64_t size) {
    keys *k = ud;
    if (k->n < 8) {
        k->names[k->n] = wt_xstrdup(key);
        k->sizes[k->n++] = size;
    }
}

static void keys_free(keys *k) {
    for (int i = 0; i < k->n; i++) free(k->names[i]);
}

WT_TEST(s3_page_keys_entities_markers_and_token) {
    const char *xml =
        "<?xml version=\"1.0\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<IsTruncated>true</IsTruncated>"
        "<Contents><Key>models/a&amp;b &#x263A;&#65;.pkl</Key><Size>33</Size></Contents>"
        "<Contents><Key>models/</Key><Size>0</Size></Contents>"
        "<Contents><Key>../../x</Key><Size>5</Size></Contents>"
        "<NextContinuationToken>1a+b/c=</NextContinuationToken></ListBucketResult>";
    keys k = {0};
    bool trunc = false;
    char *tok = NULL;
    CHECK_INT(wt_s3_parse_list_page(xml, strlen(xml), collect, &k, &trunc, &tok), 0);
    CHECK_INT(k.n, 2);
    CHECK_STR(k.names[0], "models/a&b \xE2\x98\xBA" "A.pkl");
    CHECK_INT(k.sizes[0], 33);
    CHECK_STR(k.names[1], "../../x");
    CHECK(trunc);
    CHECK_STR(tok, "1a+b/c=");
    free(tok);
    keys_free(&k);
}

WT_TEST(s3_page_not_truncated_and_malformed) {
    const char *last = "<ListBucketResult><IsTruncated>false</IsTruncated>"
                       "<NextContinuationToken>ignored</NextContinuationToken></ListBucketResult>";
    keys k = {0};
    bool trunc = true;
    char *tok = NULL;
    CHECK_INT(wt_s3_parse_list_page(last, strlen(last), collect, &k, &trunc, &tok), 0);
    CHECK(!trunc);
    CHECK(tok == NULL);
    CHECK_INT(k.n, 0);
    /* an error document is not a listing */
    const char *errdoc = "<Error><Code>AccessDenied</Code></Error>";
    CHECK_INT(wt_s3_parse_list_page(errdoc, strlen(errdoc), collect, &k, &trunc, &tok), -1);
    /* unterminated elements and bad entities do not crash or loop */
    const char *bad = "<ListBucketResult><Contents><Key>a&bogus;&#xZZ;&#0;&#99999999;</Key><Size>x</Size>"
                      "</Contents><Contents><Key>unterminated";
    CHECK_INT(wt_s3_parse_list_page(bad, strlen(bad), collect, &k, &trunc, &tok), 0);
    CHECK_INT(k.n, 1);
    CHECK_STR(k.names[0], "a&bogus;&#xZZ;&#0;&#99999999;");
    /* truncated without a token: stop instead of looping */
    const char *notok = "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>";
    CHECK_INT(wt_s3_parse_list_page(notok, strlen(notok), collect, &k, &trunc, &tok), 0);
    CHECK(!trunc);
    keys_free(&k);
}

WT_TEST(link_header_next) {
    const char *v = "<https://hub/api/x?cursor=abc>; rel=\"next\"";
    char *n = wt_http_parse_link_next(v, strlen(v));
    CHECK_STR(n, "https://hub/api/x?cursor=abc");
    free(n);
    const char *two = "<https://a/prev>; rel=\"prev\", <https://a/next>; rel=next";
    n = wt_http_parse_link_next(two, strlen(two));
    CHECK_STR(n, "https://a/next");
    free(n);
    const char *none = "<https://a/prev>; rel=\"prev\"";
    CHECK(wt_http_parse_link_next(none, strlen(none)) == NULL);
    const char *broken = "<https://a/next; rel=\"next\"";
    CHECK(wt_http_parse_link_next(broken, strlen(broken)) == NULL);
    const char *nextish = "<https://a/x>; rel=\"nextpage\"";
    CHECK(wt_http_parse_link_next(nextish, strlen(nextish)) == NULL);
}

WT_TEST(lfs_pointer_recognised_and_plain_files_not) {
    const char *ptr = "version https://git-lfs.github.com/spec/v1\n"
                      "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
                      "size 5000000000\n";
    uint64_t sz = 0;
    CHECK(wt_git_lfs_pointer((const uint8_t *)ptr, strlen(ptr), &sz));
    CHECK_INT(sz, 5000000000LL);
    const char *noid = "version https://git-lfs.github.com/spec/v1\nsize 12\n";
    CHECK(!wt_git_lfs_pointer((const uint8_t *)noid, strlen(noid), &sz));
    const char *text = "version 1.0 of my model card\n";
    CHECK(!wt_git_lfs_pointer((const uint8_t *)text, strlen(text), &sz));
    CHECK(!wt_git_lfs_pointer((const uint8_t *)"", 0, &sz));
}
