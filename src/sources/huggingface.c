/*
 * huggingface.c - Hugging Face Hub source (models, datasets, spaces).
 *
 * Lists files with GET {endpoint}/api/{type}/{repo}/tree/{revision}[/{sub}]
 * ?recursive=true (paginated through Link: rel="next") and reads them with
 * range requests on {endpoint}[/datasets|/spaces]/{repo}/resolve/{revision}/
 * {path}, following redirects (the Hub sends LFS files to a CDN). The token
 * (HF_TOKEN) goes only into an Authorization header, which libcurl does not
 * forward to other hosts on redirects. HF_ENDPOINT selects the hub, as the
 * official client does.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "sources/remote.h"

#define HF_MAX_PAGES 100000
#define HF_MAX_ENTRIES 1000000

static bool valid_repo_id(const char *id) {
    /* owner/name or a legacy top-level name; [A-Za-z0-9._-] segments */
    if (!id || !*id || strlen(id) > 200) return false;
    int slashes = 0;
    const char *seg = id;
    for (const char *p = id;; p++) {
        if (*p == '/' || *p == 0) {
            size_t n = (size_t)(p - seg);
            if (n == 0 || (n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.')) return false;
            if (*p == 0) break;
            if (++slashes > 1) return false;
            seg = p + 1;
            continue;
        }
        char c = *p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.'))
            return false;
    }
    return true;
}

static const char *resolve_prefix(const char *type) {
    if (strcmp(type, "datasets") == 0) return "/datasets";
    if (strcmp(type, "spaces") == 0) return "/spaces";
    return "";
}

static char *hf_error(const char *repo, const char *type, const char *rev, long status, const char *detail) {
    const char *kind = strcmp(type, "datasets") == 0 ? "dataset" : strcmp(type, "spaces") == 0 ? "space" : "model";
    switch (status) {
    case 401:
        return wt_xasprintf("Hugging Face %s repository %s: access denied (HTTP 401): the repository is private or "
                            "gated, or HF_TOKEN is missing or invalid",
                            kind, repo);
    case 403:
        return wt_xasprintf("Hugging Face %s repository %s: forbidden (HTTP 403): HF_TOKEN is not allowed to read "
                            "it (gated repository: accept its conditions first)",
                            kind, repo);
    case 404:
        return wt_xasprintf("Hugging Face %s repository %s (revision %s): not found (HTTP 404): check the name, the "
                            "repository type (hf://datasets/..., hf://spaces/...) and --revision",
                            kind, repo, rev);
    default:
        return wt_xasprintf("Hugging Face %s repository %s: %s", kind, repo, detail ? detail : "request failed");
    }
}

static bool under_subpath(const char *path, const char *sub) {
    if (!sub || !*sub) return true;
    size_t n = strlen(sub);
    return strncmp(path, sub, n) == 0 && (path[n] == 0 || path[n] == '/');
}

typedef struct hf_list {
    wt_http_client *c;
    const char *endpoint, *type, *repo, *rev, *erev, *subc;
    wt_source *s;
    size_t cap;
} hf_list;

/* List the tree under `under` (NULL = the whole repository), keeping the
 * files under L->subc, following pagination. *status = the HTTP status of
 * a failed request. */
static int list_tree(hf_list *L, const char *under, long *status, char **err) {
    char *esub = under ? wt_http_escape(under, true) : NULL;
    char *url = wt_xasprintf("%s/api/%s/%s/tree/%s%s%s?recursive=true", L->endpoint, L->type, L->repo, L->erev,
                             esub ? "/" : "", esub ? esub : "");
    free(esub);
    int rc = WT_OK;
    *status = 0;
    for (int page = 0; url; page++) {
        if (page >= HF_MAX_PAGES) {
            *err = hf_error(L->repo, L->type, L->rev, 0, "too many pages in the file listing");
            rc = WT_ERR_LIMIT;
            break;
        }
        wt_http_response resp;
        char *msg = NULL;
        rc = wt_http_get(L->c, url, 0, 0, 0, &resp, &msg);
        free(url);
        url = NULL;
        if (rc != WT_OK) {
            *status = resp.status;
            *err = hf_error(L->repo, L->type, L->rev, resp.status, msg);
            free(msg);
            wt_http_response_fini(&resp);
            break;
        }
        json_error_t jerr;
        json_t *arr = json_loadb(resp.body, resp.body_len, 0, &jerr);
        if (!json_is_array(arr)) {
            json_decref(arr);
            *err = hf_error(L->repo, L->type, L->rev, 0, "the file listing is not a JSON array");
            wt_http_response_fini(&resp);
            rc = WT_ERR_FORMAT;
            break;
        }
        size_t i;
        json_t *it;
        json_array_foreach(arr, i, it) {
            const char *ftype = json_string_value(json_object_get(it, "type"));
            const char *path = json_string_value(json_object_get(it, "path"));
            if (!ftype || strcmp(ftype, "file") != 0 || !path || !*path || path[0] == '/') continue;
            if (!under_subpath(path, L->subc)) continue;
            json_t *lfs = json_object_get(it, "lfs");
            json_t *sz = json_is_object(lfs) ? json_object_get(lfs, "size") : NULL;
            if (!json_is_integer(sz)) sz = json_object_get(it, "size");
            json_int_t size = json_is_integer(sz) ? json_integer_value(sz) : 0;
            if (size < 0) size = 0;
            if (L->s->nentries >= HF_MAX_ENTRIES) break;
            char *epath = wt_http_escape(path, true);
            char *furl = wt_xasprintf("%s%s/%s/resolve/%s/%s", L->endpoint, resolve_prefix(L->type), L->repo, L->erev,
                                      epath);
            free(epath);
            wt_remote_add(L->s, &L->cap, path, (uint64_t)size, furl);
        }
        json_decref(arr);
        if (resp.link_next && L->s->nentries < HF_MAX_ENTRIES) {
            /* relative next links are resolved against the endpoint */
            if (resp.link_next[0] == '/') url = wt_xasprintf("%s%s", L->endpoint, resp.link_next);
            else url = wt_xstrdup(resp.link_next);
            /* never send the token to another origin */
            size_t n = strlen(L->endpoint);
            if (strncmp(url, L->endpoint, n) != 0 || url[n] != '/') {
                free(url);
                url = NULL;
                *err = hf_error(L->repo, L->type, L->rev, 0, "the listing's next-page link points to another host");
                rc = WT_ERR_FORMAT;
            }
        }
        wt_http_response_fini(&resp);
    }
    free(url);
    return rc;
}

int wt_source_hf_open(const wt_target *t, const wt_scan_options *opt, wt_source **out, char **err) {
    *out = NULL;
    const char *repo = t->location;
    const char *type = t->hf_type && *t->hf_type ? t->hf_type : "models";
    if (strcmp(type, "models") && strcmp(type, "datasets") && strcmp(type, "spaces")) {
        *err = wt_xasprintf("unknown Hugging Face repository type '%s'", type);
        return WT_ERR_USAGE;
    }
    if (!valid_repo_id(repo)) {
        *err = wt_xasprintf("invalid Hugging Face repository id '%s' (expected OWNER/NAME)", repo ? repo : "");
        return WT_ERR_USAGE;
    }
    const char *rev = opt && opt->revision && *opt->revision ? opt->revision : t->ref && *t->ref ? t->ref : "main";
    const char *sub = t->subpath && *t->subpath ? t->subpath : opt && opt->target_dir && *opt->target_dir ? opt->target_dir : NULL;
    char *subc = NULL;
    if (sub) { /* normalise: no leading/trailing slashes */
        while (*sub == '/') sub++;
        subc = wt_xstrdup(sub);
        size_t n = strlen(subc);
        while (n > 0 && subc[n - 1] == '/') subc[--n] = 0;
        if (!*subc) { free(subc); subc = NULL; }
    }
    const char *ep = wt_getenv_nonempty("HF_ENDPOINT");
    char *endpoint = wt_xstrdup(ep ? ep : "https://huggingface.co");
    for (size_t n = strlen(endpoint); n > 0 && endpoint[n - 1] == '/'; n--) endpoint[n - 1] = 0;
    const char *token = wt_getenv_nonempty("HF_TOKEN");
    if (!token) token = wt_getenv_nonempty("HUGGING_FACE_HUB_TOKEN");

    wt_http_auth auth = {.bearer = token};
    wt_http_client *c = wt_http_client_new(&auth);
    char *erev = wt_http_escape(rev, false);
    wt_source *s = wt_remote_source_new("huggingface", t->raw ? t->raw : repo, c, opt);
    hf_list L = {c, endpoint, type, repo, rev, erev, subc, s, 0};
    long status = 0;
    int rc = list_tree(&L, subc, &status, err);
    if (subc && ((rc != WT_OK && status == 404) || (rc == WT_OK && s->nentries == 0))) {
        /* maybe a file (a /blob/ URL): list its folder and keep that path */
        free(*err);
        *err = NULL;
        char *parent = wt_xstrdup(subc);
        char *slash = strrchr(parent, '/');
        if (slash) *slash = 0;
        rc = list_tree(&L, slash ? parent : NULL, &status, err);
        free(parent);
        if (rc == WT_OK && s->nentries == 0) {
            *err = wt_xasprintf("Hugging Face repository %s (revision %s): path '%s' not found", repo, rev, subc);
            rc = WT_ERR;
        }
    }
    free(erev);
    free(subc);
    free(endpoint);
    if (rc != WT_OK) {
        wt_source_free(s);
        return rc;
    }
    wt_remote_finish(s);
    *out = s;
    return WT_OK;
}
