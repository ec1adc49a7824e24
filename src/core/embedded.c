#include "embedded.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static char *g_user_dir;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static struct loaded { char *name; char *data; size_t len; struct loaded *next; } *g_loaded;

void wt_rules_set_user_dir(const char *dir) {
    free(g_user_dir);
    g_user_dir = dir ? wt_xstrdup(dir) : NULL;
}

const char *wt_rules_text(const char *name, size_t *len) {
    if (g_user_dir && !strstr(name, "..")) {
        pthread_mutex_lock(&g_lock);
        for (struct loaded *l = g_loaded; l; l = l->next)
            if (strcmp(l->name, name) == 0) {
                pthread_mutex_unlock(&g_lock);
                if (len) *len = l->len;
                return l->data;
            }
        char *path = wt_xasprintf("%s/%s", g_user_dir, name);
        FILE *f = fopen(path, "rb");
        free(path);
        if (f) {
            wt_buf b;
            wt_buf_init(&b);
            char tmp[65536];
            size_t n;
            while ((n = fread(tmp, 1, sizeof tmp, f)) > 0 && b.len < (64u << 20)) wt_buf_append(&b, tmp, n);
            fclose(f);
            struct loaded *l = wt_xcalloc(1, sizeof *l);
            l->name = wt_xstrdup(name);
            l->len = b.len;
            l->data = wt_buf_steal(&b);
            l->next = g_loaded;
            g_loaded = l;
            pthread_mutex_unlock(&g_lock);
            if (len) *len = l->len;
            return l->data;
        }
        pthread_mutex_unlock(&g_lock);
    }
    return wt_embedded_get(name, len);
}
