/*
 * ignore.c - gitignore-style patterns for --exclude and .watchtowerignore:
 * `*`, `?`, `[...]`, `**`, leading `/` anchors, trailing `/` for directories,
 * `!` negation (last match wins), patterns without a slash match a name at
 * any depth below the file that declared them.
 */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "source.h"

typedef struct pat {
    char *glob;   /* pattern relative to base, without leading '/' */
    char *base;   /* directory (relative to root) of the declaring file, "" for root */
    bool negate, dir_only, anchored;
} pat;

struct wt_ignore {
    pat *p;
    size_t n, cap;
};

wt_ignore *wt_ignore_new(void) { return wt_xcalloc(1, sizeof(wt_ignore)); }

void wt_ignore_free(wt_ignore *ig) {
    if (!ig) return;
    for (size_t i = 0; i < ig->n; i++) {
        free(ig->p[i].glob);
        free(ig->p[i].base);
    }
    free(ig->p);
    free(ig);
}

void wt_ignore_add_pattern(wt_ignore *ig, const char *pattern, const char *base) {
    while (*pattern == ' ' || *pattern == '\t') pattern++;
    if (!*pattern || *pattern == '#') return;
    pat p = {0};
    if (*pattern == '!') { p.negate = true; pattern++; }
    if (*pattern == '\\') pattern++; /* escaped leading ! or # */
    char *g = wt_xstrdup(pattern);
    size_t n = strlen(g);
    while (n > 0 && (g[n - 1] == ' ' || g[n - 1] == '\r' || g[n - 1] == '\t')) g[--n] = 0;
    if (n > 0 && g[n - 1] == '/') { p.dir_only = true; g[--n] = 0; }
    if (!n) { free(g); return; }
    /* a slash at the start or in the middle anchors the pattern to base */
    if (g[0] == '/') { p.anchored = true; memmove(g, g + 1, n); }
    else if (strchr(g, '/')) p.anchored = true;
    p.glob = g;
    p.base = wt_xstrdup(base ? base : "");
    if (ig->n == ig->cap) {
        ig->cap = ig->cap ? ig->cap * 2 : 16;
        ig->p = wt_xrealloc(ig->p, ig->cap * sizeof *ig->p);
    }
    ig->p[ig->n++] = p;
}

void wt_ignore_add_file_text(wt_ignore *ig, const char *text, const char *base) {
    const char *s = text;
    while (*s) {
        const char *e = strchr(s, '\n');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        char *line = wt_xstrndup(s, n);
        wt_ignore_add_pattern(ig, line, base);
        free(line);
        s += n + (e ? 1 : 0);
    }
}

/* Glob match where '*' and '?' do not cross '/', and '**' does. Iterative
 * with bounded backtracking via the classic two-pointer scheme per segment
 * kind; recursion only on '**' (depth bounded by pattern length). */
static bool class_match(const char **pp, char c) {
    const char *p = *pp + 1;
    bool neg = false, ok = false;
    if (*p == '!' || *p == '^') { neg = true; p++; }
    const char *start = p;
    while (*p && (*p != ']' || p == start)) {
        if (p[1] == '-' && p[2] && p[2] != ']') {
            if (c >= p[0] && c <= p[2]) ok = true;
            p += 3;
        } else {
            if (c == *p) ok = true;
            p++;
        }
    }
    if (*p != ']') return false; /* unterminated: no match */
    *pp = p + 1;
    return ok != neg;
}

static bool glob_match(const char *p, const char *s, int depth) {
    if (depth > 64) return false;
    while (*p) {
        if (p[0] == '*' && p[1] == '*') {
            p += 2;
            if (*p == '/') p++;
            if (!*p) return true;
            for (const char *t = s;; t++) {
                if (glob_match(p, t, depth + 1)) return true;
                if (!*t) return false;
            }
        }
        if (*p == '*') {
            p++;
            for (const char *t = s;; t++) {
                if (glob_match(p, t, depth + 1)) return true;
                if (!*t || *t == '/') return false;
            }
        }
        if (!*s) return false;
        if (*p == '?') {
            if (*s == '/') return false;
            p++; s++;
            continue;
        }
        if (*p == '[') {
            if (*s == '/' || !class_match(&p, *s)) return false;
            s++;
            continue;
        }
        if (*p == '\\' && p[1]) p++;
        if (*p != *s) return false;
        p++; s++;
    }
    return *s == 0;
}

static bool pat_match(const pat *p, const char *relpath, bool is_dir) {
    if (p->dir_only && !is_dir) return false;
    const char *rel = relpath;
    size_t bl = strlen(p->base);
    if (bl) {
        if (strncmp(relpath, p->base, bl) != 0 || relpath[bl] != '/') return false;
        rel = relpath + bl + 1;
    }
    if (p->anchored) return glob_match(p->glob, rel, 0);
    /* match the last component, or any suffix starting at a component */
    const char *b = strrchr(rel, '/');
    return glob_match(p->glob, b ? b + 1 : rel, 0);
}

bool wt_ignore_match(const wt_ignore *ig, const char *relpath, bool is_dir) {
    if (!ig) return false;
    bool ignored = false;
    for (size_t i = 0; i < ig->n; i++)
        if (pat_match(&ig->p[i], relpath, is_dir)) ignored = !ig->p[i].negate;
    return ignored;
}
