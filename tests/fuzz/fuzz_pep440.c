/* libFuzzer: PEP 440 parsing/ordering and specifier sets. Input: a
 * version, '\n', another version, '\n', a specifier set. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "deps/pep440.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 4096) return 0;
    const char *s = (const char *)data;
    const char *nl1 = memchr(s, '\n', size);
    size_t l1 = nl1 ? (size_t)(nl1 - s) : size;
    const char *rest = nl1 ? nl1 + 1 : s + size;
    size_t rn = size - (size_t)(rest - s);
    const char *nl2 = memchr(rest, '\n', rn);
    size_t l2 = nl2 ? (size_t)(nl2 - rest) : rn;
    const char *spec = nl2 ? nl2 + 1 : rest + rn;
    size_t sn = size - (size_t)(spec - s);
    wt_ver *a = wt_ver_parse(s, l1), *b = wt_ver_parse(rest, l2);
    int c1 = wt_ver_cmp(a, b), c2 = wt_ver_cmp(b, a);
    if ((c1 > 0) != (c2 < 0) || (c1 == 0) != (c2 == 0)) abort(); /* antisymmetry */
    if (wt_ver_cmp(a, a) != 0) abort();
    /* normalising is idempotent and keeps the order */
    wt_ver *an = wt_ver_parse_cstr(wt_ver_str(a));
    if (wt_ver_valid(a) && (!wt_ver_valid(an) || wt_ver_cmp(a, an) != 0 || strcmp(wt_ver_str(a), wt_ver_str(an))))
        abort();
    char *k = wt_ver_key(a);
    free(k);
    wt_specset ss;
    char *err = NULL;
    if (wt_specset_parse(spec, sn, &ss, &err) == 0) {
        wt_specset_contains(&ss, a, false);
        wt_specset_contains(&ss, b, true);
        char *t = wt_specset_str(&ss);
        free(t);
        wt_specset_free(&ss);
    }
    free(err);
    wt_ver_free(an);
    wt_ver_free(a);
    wt_ver_free(b);
    return 0;
}
