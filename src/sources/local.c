/*
 * local.c - the local source: a file or a directory tree, walked in sorted
 * order; `.git/` skipped; symlinks followed only while they stay inside the
 * root (and never into a loop); --exclude and .watchtowerignore honoured.
 * Files are opened (memory-mapped) only when a worker scans them.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "source.h"

#define MAX_WALK_DEPTH 64
#define MAX_ENTRIES 5000000

typedef struct local_impl {
    char *root;      /* real path of the root directory */
    char **real;     /* real path per entry */
    wt_vec visited;  /* "dev:ino" of directories on the current path */
} local_impl;

typedef struct walker {
    local_impl *li;
    wt_ignore *ig;
    wt_vec names, reals, sizes;
    size_t nentries;
} walker;

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static bool inside_root(const char *root, const char *real) {
    size_t n = strlen(root);
    return strncmp(real, root, n) == 0 && (real[n] == '/' || real[n] == 0 || (n == 1 && root[0] == '/'));
}

static void load_ignore_file(wt_ignore *ig, const char *dir_real, const char *rel) {
    char *p = wt_xasprintf("%s/.watchtowerignore", dir_real);
    FILE *f = fopen(p, "rb");
    free(p);
    if (!f) return;
    wt_buf b;
    wt_buf_init(&b);
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0 && b.len < (1u << 20)) wt_buf_append(&b, tmp, n);
    fclose(f);
    if (b.data) wt_ignore_add_file_text(ig, b.data, rel);
    wt_buf_free(&b);
}

static void walk(walker *w, const char *dir_real, const char *rel, int depth) {
    if (depth > MAX_WALK_DEPTH) return;
    load_ignore_file(w->ig, dir_real, rel);
    DIR *d = opendir(dir_real);
    if (!d) return;
    wt_vec names = {0};
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        wt_vec_push(&names, wt_xstrdup(de->d_name));
    }
    closedir(d);
    if (names.len) qsort(names.items, names.len, sizeof *names.items, cmp_str);
    for (size_t i = 0; i < names.len && w->nentries < MAX_ENTRIES; i++) {
        const char *nm = names.items[i];
        if (strcmp(nm, ".git") == 0) continue;
        char *full = wt_xasprintf("%s/%s", dir_real, nm);
        char *relp = rel[0] ? wt_xasprintf("%s/%s", rel, nm) : wt_xstrdup(nm);
        struct stat lst, st;
        if (lstat(full, &lst) != 0) goto next;
        char *real = NULL;
        if (S_ISLNK(lst.st_mode)) {
            real = realpath(full, NULL);
            if (!real || !inside_root(w->li->root, real) || stat(real, &st) != 0) {
                free(real);
                goto next; /* dangling or leaves the root: not followed */
            }
        } else {
            st = lst;
            real = wt_xstrdup(full);
        }
        if (S_ISDIR(st.st_mode)) {
            if (wt_ignore_match(w->ig, relp, true)) { free(real); goto next; }
            char key[64];
            snprintf(key, sizeof key, "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
            bool loop = false;
            for (size_t k = 0; k < w->li->visited.len; k++)
                if (strcmp(w->li->visited.items[k], key) == 0) loop = true;
            if (!loop) {
                wt_vec_push(&w->li->visited, wt_xstrdup(key));
                walk(w, real, relp, depth + 1);
                free(w->li->visited.items[--w->li->visited.len]);
            }
            free(real);
        } else if (S_ISREG(st.st_mode)) {
            if (wt_ignore_match(w->ig, relp, false)) { free(real); goto next; }
            wt_vec_push(&w->names, relp);
            wt_vec_push(&w->reals, real);
            uint64_t *sz = wt_xmalloc(sizeof *sz);
            *sz = (uint64_t)st.st_size;
            wt_vec_push(&w->sizes, sz);
            w->nentries++;
            relp = NULL;
        } else {
            free(real);
        }
    next:
        free(full);
        free(relp);
    }
    wt_vec_free(&names, free);
}

static wt_reader *local_open(wt_source *s, size_t i, char **err) {
    local_impl *li = s->impl;
    return wt_reader_open_file(li->real[i], err);
}

static wt_reader *local_open_path(wt_source *s, const char *relpath) {
    local_impl *li = s->impl;
    if (!relpath || relpath[0] == '/' || strstr(relpath, "..")) return NULL;
    char *full = wt_xasprintf("%s/%s", li->root, relpath);
    char *real = realpath(full, NULL);
    free(full);
    if (!real) return NULL;
    wt_reader *r = NULL;
    if (inside_root(li->root, real)) r = wt_reader_open_file(real, NULL);
    free(real);
    return r;
}

static void local_destroy(wt_source *s) {
    local_impl *li = s->impl;
    if (!li) return;
    for (size_t i = 0; i < s->nentries; i++) free(li->real[i]);
    free(li->real);
    free(li->root);
    wt_vec_free(&li->visited, free);
    free(li);
}

/* Sorted order is already given by the walk (names sorted per directory,
 * which is not global byte order: sort the index jointly). */
typedef struct idx { char *name; char *real; uint64_t size; } idx;
static int cmp_idx(const void *a, const void *b) { return strcmp(((const idx *)a)->name, ((const idx *)b)->name); }

int wt_source_local_from_dir(const char *root, const char *subpath, const wt_scan_options *opt,
                             const char *repo_type, const char *repo_url, wt_source **out, char **err) {
    char *rootreal = realpath(root, NULL);
    if (!rootreal) {
        if (err) *err = wt_xasprintf("cannot open %s: %s", root, strerror(errno));
        return WT_ERR_IO;
    }
    char *start = rootreal;
    if (subpath && *subpath) {
        char *sp = wt_xasprintf("%s/%s", rootreal, subpath);
        start = realpath(sp, NULL);
        free(sp);
        if (!start || !inside_root(rootreal, start)) {
            if (err) *err = wt_xasprintf("path %s not found in %s", subpath, repo_url ? repo_url : root);
            free(start);
            free(rootreal);
            return WT_ERR_USAGE;
        }
        free(rootreal);
        rootreal = start;
    }
    local_impl *li = wt_xcalloc(1, sizeof *li);
    li->root = rootreal;
    walker w = {0};
    w.li = li;
    w.ig = wt_ignore_new();
    for (size_t i = 0; i < opt->nexcludes; i++) wt_ignore_add_pattern(w.ig, opt->excludes[i], "");
    struct stat rst;
    if (stat(li->root, &rst) == 0) {
        char key[64];
        snprintf(key, sizeof key, "%llu:%llu", (unsigned long long)rst.st_dev, (unsigned long long)rst.st_ino);
        wt_vec_push(&li->visited, wt_xstrdup(key));
    }
    walk(&w, li->root, "", 0);
    wt_ignore_free(w.ig);

    size_t n = w.names.len;
    idx *ix = wt_xcalloc(n ? n : 1, sizeof *ix);
    for (size_t i = 0; i < n; i++) {
        ix[i].name = w.names.items[i];
        ix[i].real = w.reals.items[i];
        ix[i].size = *(uint64_t *)w.sizes.items[i];
    }
    if (n) qsort(ix, n, sizeof *ix, cmp_idx);
    wt_source *s = wt_xcalloc(1, sizeof *s);
    s->repo_type = repo_type;
    s->repo_url = wt_xstrdup(repo_url ? repo_url : root);
    s->entries = wt_xcalloc(n ? n : 1, sizeof *s->entries);
    li->real = wt_xcalloc(n ? n : 1, sizeof *li->real);
    for (size_t i = 0; i < n; i++) {
        s->entries[i].name = ix[i].name;
        s->entries[i].size = ix[i].size;
        li->real[i] = ix[i].real;
    }
    s->nentries = n;
    s->open = local_open;
    s->open_path = local_open_path;
    s->destroy = local_destroy;
    s->impl = li;
    free(ix);
    wt_vec_free(&w.names, NULL);
    wt_vec_free(&w.reals, NULL);
    wt_vec_free(&w.sizes, free);
    *out = s;
    return WT_OK;
}

int wt_source_local_open(const char *path, const wt_scan_options *opt, wt_source **out, char **err) {
    struct stat st;
    if (stat(path, &st) != 0) {
        if (err) *err = wt_xasprintf("no such file or directory: %s", path);
        return WT_ERR_USAGE;
    }
    if (S_ISDIR(st.st_mode)) return wt_source_local_from_dir(path, NULL, opt, "folder", path, out, err);
    if (!S_ISREG(st.st_mode)) {
        if (err) *err = wt_xasprintf("%s is not a regular file or directory", path);
        return WT_ERR_USAGE;
    }
    char *real = realpath(path, NULL);
    if (!real) {
        if (err) *err = wt_xasprintf("cannot open %s: %s", path, strerror(errno));
        return WT_ERR_IO;
    }
    char *dir = wt_xstrdup(real);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) *slash = 0;
    else strcpy(dir, "/");
    local_impl *li = wt_xcalloc(1, sizeof *li);
    li->root = dir;
    li->real = wt_xcalloc(1, sizeof *li->real);
    li->real[0] = real;
    wt_source *s = wt_xcalloc(1, sizeof *s);
    s->repo_type = "file";
    s->repo_url = wt_xstrdup(path);
    s->entries = wt_xcalloc(1, sizeof *s->entries);
    s->entries[0].name = wt_xstrdup(wt_basename(real));
    s->entries[0].size = (uint64_t)st.st_size;
    s->nentries = 1;
    s->open = local_open;
    s->open_path = local_open_path;
    s->destroy = local_destroy;
    s->impl = li;
    *out = s;
    return WT_OK;
}
