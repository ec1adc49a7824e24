/* libFuzzer: the TOML parser and the TOML-based lock readers. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "deps/deps.h"
#include "deps/toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 262144) return 0;
    char *err = NULL;
    json_t *r = wt_toml_parse((const char *)data, size, &err);
    json_decref(r);
    free(err);
    wt_vec deps = {0}, issues = {0};
    wt_marker_env env;
    wt_marker_env_init(&env, NULL, NULL);
    wt_poetry_lock_parse((const char *)data, size, &deps, &issues);
    wt_pylock_parse((const char *)data, size, &env, &deps, &issues);
    wt_pipfile_parse((const char *)data, size, &env, &deps, &issues);
    wt_dep_list_free(&deps);
    wt_vec_free(&issues, wt_dep_issue_free);
    return 0;
}
