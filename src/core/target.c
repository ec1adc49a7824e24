/*
 * target.c - recognise what a scan target is: a local path, a git URL
 * (GitHub or any git server), a Hugging Face repository or an S3 bucket.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"
#include "watchtower/watchtower.h"

static int fail(char **err, int rc, const char *fmt, const char *arg) {
    if (err) *err = wt_xasprintf(fmt, arg);
    return rc;
}

/* Split "a/b/tree/REF/sub/path" style remainders. */
static void split_tree(char *rest, char **ref, char **sub) {
    char *t = strstr(rest, "/tree/");
    if (!t) t = strstr(rest, "/blob/");
    if (!t) return;
    *t = 0;
    char *r = t + 6;
    char *slash = strchr(r, '/');
    if (slash) {
        *slash = 0;
        if (slash[1]) *sub = wt_xstrdup(slash + 1);
    }
    if (*r) *ref = wt_xstrdup(r);
}

static void strip_trailing(char *s, char c) {
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == c) s[--n] = 0;
}

static int parse_hf_path(const char *p, wt_target *out, char **err) {
    char *rest = wt_xstrdup(p);
    strip_trailing(rest, '/');
    const char *type = "models";
    char *q = rest;
    if (wt_str_startswith(q, "datasets/")) { type = "datasets"; q += 9; }
    else if (wt_str_startswith(q, "spaces/")) { type = "spaces"; q += 7; }
    else if (wt_str_startswith(q, "models/")) { q += 7; }
    split_tree(q, &out->ref, &out->subpath);
    char *at = strchr(q, '@');
    if (at && !out->ref) { *at = 0; out->ref = wt_xstrdup(at + 1); }
    /* owner/name (legacy single-segment ids like "gpt2" are allowed) */
    size_t slashes = 0;
    for (char *c = q; *c; c++) slashes += *c == '/';
    if (!*q || slashes > 1 || strstr(q, "..")) {
        free(rest);
        return fail(err, WT_ERR_USAGE, "not a Hugging Face repository id: %s", p);
    }
    out->kind = WT_TARGET_HUGGINGFACE;
    out->location = wt_xstrdup(q);
    out->hf_type = wt_xstrdup(type);
    free(rest);
    return WT_OK;
}

int wt_target_parse(const char *arg, const char *hint, wt_target *out, char **err) {
    memset(out, 0, sizeof *out);
    if (!arg || !*arg) return fail(err, WT_ERR_USAGE, "empty target%s", "");
    out->raw = wt_xstrdup(arg);
    int rc = WT_OK;
    if (wt_str_startswith(arg, "s3://")) {
        const char *b = arg + 5;
        const char *slash = strchr(b, '/');
        size_t bl = slash ? (size_t)(slash - b) : strlen(b);
        if (bl == 0) rc = fail(err, WT_ERR_USAGE, "s3 target needs a bucket name: %s", arg);
        else {
            out->kind = WT_TARGET_S3;
            out->location = wt_xstrndup(b, bl);
            if (slash && slash[1]) out->subpath = wt_xstrdup(slash + 1);
        }
    } else if (wt_str_startswith(arg, "hf://")) {
        rc = parse_hf_path(arg + 5, out, err);
    } else if (wt_str_startswith(arg, "https://huggingface.co/") || wt_str_startswith(arg, "http://huggingface.co/") ||
               wt_str_startswith(arg, "https://hf.co/")) {
        rc = parse_hf_path(strstr(arg, ".co/") + 4, out, err);
    } else if (wt_str_startswith(arg, "https://github.com/") || wt_str_startswith(arg, "http://github.com/")) {
        char *rest = wt_xstrdup(strstr(arg, "github.com/") + 11);
        strip_trailing(rest, '/');
        split_tree(rest, &out->ref, &out->subpath);
        if (wt_str_endswith_ci(rest, ".git")) rest[strlen(rest) - 4] = 0;
        size_t slashes = 0;
        for (char *c = rest; *c; c++) slashes += *c == '/';
        if (slashes != 1 || rest[0] == '/' || strstr(rest, "..")) {
            rc = fail(err, WT_ERR_USAGE, "not a GitHub repository URL (expected https://github.com/OWNER/REPO): %s", arg);
        } else {
            out->kind = WT_TARGET_GIT;
            out->is_github = true;
            out->location = wt_xasprintf("https://github.com/%s.git", rest);
        }
        free(rest);
    } else if (wt_str_startswith(arg, "https://") || wt_str_startswith(arg, "http://") ||
               wt_str_startswith(arg, "ssh://") || wt_str_startswith(arg, "git://") ||
               wt_str_startswith(arg, "file://") || wt_str_startswith(arg, "git@")) {
        char *rest = wt_xstrdup(arg);
        strip_trailing(rest, '/');
        char *scheme_end = strstr(rest, "://");
        if (!wt_str_startswith(arg, "file://") && scheme_end) split_tree(scheme_end + 3, &out->ref, &out->subpath);
        out->kind = WT_TARGET_GIT;
        out->location = rest;
    } else if (hint && strcmp(hint, "s3") == 0) {
        out->kind = WT_TARGET_S3;
        out->location = wt_xstrdup(arg);
    } else if (hint && strcmp(hint, "huggingface") == 0) {
        rc = parse_hf_path(arg, out, err);
    } else {
        out->kind = WT_TARGET_LOCAL;
        out->location = wt_xstrdup(arg);
        struct stat st;
        if (stat(arg, &st) != 0) rc = fail(err, WT_ERR_USAGE, "no such file or directory: %s", arg);
        else if (hint && strcmp(hint, "file") == 0 && !S_ISREG(st.st_mode))
            rc = fail(err, WT_ERR_USAGE, "--repo_type=file needs a file, but %s is not a regular file", arg);
        else if (hint && strcmp(hint, "folder") == 0 && !S_ISDIR(st.st_mode))
            rc = fail(err, WT_ERR_USAGE, "--repo_type=folder needs a directory, but %s is not one", arg);
    }
    if (rc == WT_OK && hint) {
        bool ok = true;
        if (strcmp(hint, "github") == 0) ok = out->kind == WT_TARGET_GIT;
        else if (strcmp(hint, "huggingface") == 0) ok = out->kind == WT_TARGET_HUGGINGFACE;
        else if (strcmp(hint, "s3") == 0) ok = out->kind == WT_TARGET_S3;
        else if (strcmp(hint, "file") == 0 || strcmp(hint, "folder") == 0) ok = out->kind == WT_TARGET_LOCAL;
        else rc = fail(err, WT_ERR_USAGE, "unknown --repo_type %s (expected file, folder, github, huggingface or s3)", hint);
        if (rc == WT_OK && !ok) rc = fail(err, WT_ERR_USAGE, "target %s does not match --repo_type", arg);
    }
    if (rc != WT_OK) wt_target_fini(out);
    return rc;
}

void wt_target_fini(wt_target *t) {
    free(t->raw);
    free(t->location);
    free(t->subpath);
    free(t->ref);
    free(t->hf_type);
    memset(t, 0, sizeof *t);
}
