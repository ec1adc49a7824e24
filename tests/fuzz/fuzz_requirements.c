/* libFuzzer: pip requirements files, pip install lines, PEP 508 and the
 * other manifest/lock parsers (first byte selects the parser). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "deps/deps.h"

static char *no_read(void *ud, const char *relpath, size_t *len) {
    (void)ud;
    /* every include resolves to the same text: exercises cycle handling */
    static const char self[] = "-r again.txt\nflask==0.12\n-c c.txt\n";
    if (strlen(relpath) > 200) return NULL;
    *len = sizeof self - 1;
    return strdup(self);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > 65536) return 0;
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = 0;
    size_t n = size - 1;
    wt_marker_env env;
    wt_marker_env_init(&env, "3.11", "linux");
    wt_vec deps = {0}, issues = {0};
    wt_dep_opener op = {no_read, NULL, NULL};
    switch (data[0] % 8) {
    case 0: wt_requirements_parse(text, n, "requirements.txt", &op, &env, &deps, &issues); break;
    case 1: wt_pip_args_parse(text, n, &op, &env, &deps, &issues); break;
    case 2: wt_setup_cfg_parse(text, n, &env, &deps, &issues); break;
    case 3: wt_conda_env_parse(text, n, &env, &deps, &issues); break;
    case 4: wt_pipfile_lock_parse(text, n, &env, &deps, &issues); break;
    case 5: wt_pyproject_parse(text, n, &env, &deps, &issues); break;
    case 6: wt_uv_lock_parse(text, n, &deps, &issues); break;
    default: {
        bool r;
        char *err = NULL;
        wt_marker_eval(text, n, &env, &r, &err);
        free(err);
        wt_dep d;
        bool ok;
        err = NULL;
        if (wt_pep508_parse(text, n, &env, &d, &ok, &err) == 0) {
            wt_dep *h = malloc(sizeof *h);
            *h = d;
            wt_dep_free(h);
        }
        free(err);
    }
    }
    wt_dep_list_free(&deps);
    wt_vec_free(&issues, wt_dep_issue_free);
    free(text);
    return 0;
}
