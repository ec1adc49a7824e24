/*
 * source.h - a source turns a target (local path, git URL, Hugging Face
 * repo, S3 bucket) into a sorted list of artifacts, each opened on demand as
 * a wt_reader. Remote sources back readers with HTTP range requests so
 * analyzers that need only headers never download whole files.
 */
#ifndef WT_SOURCE_H
#define WT_SOURCE_H

#include <stdint.h>
#include "watchtower/watchtower.h"
#include "core/reader.h"

typedef struct wt_source_entry {
    char *name;      /* path relative to the target root, '/' separated */
    uint64_t size;   /* size in bytes (may be 0 if unknown) */
    void *data;      /* backend-private */
    char *note;      /* if set: the entry cannot be scanned and why (e.g. LFS pointer) */
} wt_source_entry;

typedef struct wt_source wt_source;
struct wt_source {
    const char *repo_type;   /* "file","folder","github","huggingface","s3" */
    char *repo_url;          /* for the summary report */
    bool is_s3;
    wt_source_entry *entries;
    size_t nentries;
    /* Open entry i; NULL with *err on failure. Must be thread-safe. */
    wt_reader *(*open)(wt_source *s, size_t i, char **err);
    /* Open by relative path (sibling lookup); NULL if absent. */
    wt_reader *(*open_path)(wt_source *s, const char *relpath);
    void (*destroy)(wt_source *s);
    void *impl;
};

/* Exclude/ignore matching shared by every source (gitignore syntax). */
typedef struct wt_ignore wt_ignore;
wt_ignore *wt_ignore_new(void);
void wt_ignore_add_pattern(wt_ignore *ig, const char *pattern, const char *base);
void wt_ignore_add_file_text(wt_ignore *ig, const char *text, const char *base);
/* relpath relative to scan root; is_dir for directory entries. */
bool wt_ignore_match(const wt_ignore *ig, const char *relpath, bool is_dir);
void wt_ignore_free(wt_ignore *ig);

/* Open the right source for a target. */
int wt_source_open(const wt_target *t, const wt_scan_options *opt, wt_source **out, char **err);
void wt_source_free(wt_source *s);

/* Backends. Each returns WT_OK or an error with *err. */
int wt_source_local_open(const char *path, const wt_scan_options *opt, wt_source **out, char **err);
/* Build entries from a local directory (used by git clones too). */
int wt_source_local_from_dir(const char *root, const char *subpath, const wt_scan_options *opt,
                             const char *repo_type, const char *repo_url, wt_source **out, char **err);

/* Sort entries by name and finish the list (shared by all backends). */
void wt_source_sort(wt_source *s);

#endif
