/*
 * remote.h - the remote sources: git (any git URL, GitHub), Hugging Face Hub
 * and S3, plus small helpers they share (entry lists, sibling lookup).
 *
 * Remote names are names, never filesystem paths: Hugging Face paths and S3
 * keys become entry names only (read through HTTP), and git clones live in a
 * private temporary directory removed at the end (also on errors and on
 * SIGINT/SIGTERM).
 */
#ifndef WT_SOURCES_REMOTE_H
#define WT_SOURCES_REMOTE_H

#include "sources/source.h"
#include "sources/http.h"

int wt_source_git_open(const wt_target *t, const wt_scan_options *opt, wt_source **out, char **err);
int wt_source_hf_open(const wt_target *t, const wt_scan_options *opt, wt_source **out, char **err);
int wt_source_s3_open(const wt_target *t, const wt_scan_options *opt, wt_source **out, char **err);

/* Remove every registered git clone now (also run at exit / on signals). */
void wt_git_cleanup_all(void);

/* ---- shared by the HTTP-backed sources (huggingface.c, s3.c) ---- */
typedef struct wt_remote_impl {
    wt_http_client *client;
    uint64_t max_whole; /* --max-file-size: bound for servers without Range */
} wt_remote_impl;

/* New empty source with open/open_path/destroy for HTTP-backed entries:
 * each entry's data is its URL (malloc'd string). Takes the client. */
wt_source *wt_remote_source_new(const char *repo_type, const char *repo_url, wt_http_client *c,
                                const wt_scan_options *opt);
void wt_remote_add(wt_source *s, size_t *cap, const char *name, uint64_t size, char *url);
/* Finish: sort entries. */
void wt_remote_finish(wt_source *s);

/* ---- parsers of remote answers (exposed for tests and fuzzing) ---- */
/* One ListObjectsV2 page: on_key(ud, key, size) per object (folder markers
 * "dir/" of size 0 skipped); *truncated and *next_token (malloc'd or NULL).
 * Returns 0, or -1 if xml is not a ListBucketResult. */
int wt_s3_parse_list_page(const char *xml, size_t len, void (*on_key)(void *ud, const char *key, uint64_t size),
                          void *ud, bool *truncated, char **next_token);
/* True if p[0..n) is a Git LFS pointer file; *size = the object's size. */
bool wt_git_lfs_pointer(const uint8_t *p, size_t n, uint64_t *size);

/* Read an environment variable, NULL if unset or empty. */
const char *wt_getenv_nonempty(const char *name);

#endif
