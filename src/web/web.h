/*
 * web.h - the local web UI: an HTTP server (libmicrohttpd) that serves the
 * embedded single-page UI and a JSON API, runs scans in background worker
 * threads, and keeps scan history, findings and reports in SQLite.
 */
#ifndef WT_WEB_H
#define WT_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "watchtower/watchtower.h"

typedef struct wt_web_config {
    const char *bind;          /* default 127.0.0.1 */
    uint16_t port;             /* default 5015; 0 = any free port */
    const char *db_path;       /* SQLite file; NULL = XDG data dir default */
    const char **allow_paths;  /* roots local scans may use; default: cwd */
    size_t nallow;
    const char *token;         /* access token; required when not on loopback */
    int workers;               /* concurrent scans (default 2) */
    int max_queue;             /* queued scans (default 16) */
    const char *port_file;     /* write the bound port here (tests) */
} wt_web_config;

/* Run until SIGINT/SIGTERM. Returns 0 or 2 on error (message in *err). */
int wt_web_serve(const wt_web_config *cfg, char **err);

/* ---- store (store.c) ---- */
typedef struct wt_store wt_store;
wt_store *wt_store_open(const char *path, char **err);
void wt_store_close(wt_store *s);
/* Insert a queued scan; request = sanitized request JSON (no secrets). */
int wt_store_add_scan(wt_store *s, const char *id, json_t *request);
int wt_store_set_status(wt_store *s, const char *id, const char *status, const char *error);
int wt_store_set_progress(wt_store *s, const char *id, json_t *progress);
/* Store findings (array of finding JSON), summary and reports of a done scan. */
int wt_store_finish(wt_store *s, const char *id, json_t *summary, json_t *findings, const char *const *report_names,
                    const char *const *reports, size_t nreports);
json_t *wt_store_get_scan(wt_store *s, const char *id);  /* NULL if absent */
json_t *wt_store_list_scans(wt_store *s, int limit);
/* Findings filtered; *total gets the unpaginated count. */
json_t *wt_store_findings(wt_store *s, const char *id, const char *severity, const char *category, const char *file,
                          const char *sort, int offset, int limit, long long *total);
char *wt_store_report(wt_store *s, const char *id, const char *name, size_t *len);
int wt_store_delete(wt_store *s, const char *id); /* 0 ok, 1 not found */
/* Scans left "queued"/"running" by a previous process become "failed". */
void wt_store_recover(wt_store *s);

/* Embedded UI assets (generated from src/web/assets). */
const char *wt_web_asset_get(const char *name, size_t *len);

#endif
