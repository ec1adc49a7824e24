#include "policy.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Load the fingerprints of a baseline: a --format json report
 * ({"findings": [{"fingerprint": ...}]}) or a plain array of fingerprints. */
static json_t *load_baseline(const char *path) {
    json_error_t e;
    json_t *root = json_load_file(path, JSON_DISABLE_EOF_CHECK, &e);
    if (!root) return NULL;
    json_t *set = json_object();
    json_t *arr = json_is_array(root) ? root : json_object_get(root, "findings");
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        const char *fp = json_is_string(v) ? json_string_value(v) : json_string_value(json_object_get(v, "fingerprint"));
        if (fp) json_object_set_new(set, fp, json_true());
    }
    json_decref(root);
    return set;
}

void wt_policy_apply(const wt_scan_options *opt, wt_vec *findings, void (*free_fn)(void *)) {
    if (!opt->baseline) return;
    json_t *set = load_baseline(opt->baseline);
    if (!set) return;
    size_t w = 0;
    for (size_t i = 0; i < findings->len; i++) {
        wt_finding *f = findings->items[i];
        if (f->fingerprint && json_object_get(set, f->fingerprint)) free_fn(f);
        else findings->items[w++] = f;
    }
    findings->len = w;
    json_decref(set);
}
