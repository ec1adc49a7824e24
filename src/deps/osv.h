/*
 * osv.h - the OSV advisory database for PyPI.
 *
 * Owns: importing OSV's per-ecosystem bulk export (all.zip: one OSV JSON
 * document per member) into a compact SQLite index, downloading it with
 * libcurl, reading the index (thread-safe), and matching versions against
 * advisories with OSV's semantics: ECOSYSTEM ranges (events sorted by PEP
 * 440 order, then swept; introduced/fixed/last_affected/limit), explicit
 * versions lists (union with the ranges; exact-string match for entries
 * that are not PEP 440), withdrawn records skipped, GIT ranges ignored.
 */
#ifndef WT_DEPS_OSV_H
#define WT_DEPS_OSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "deps/pep440.h"
#include "watchtower/watchtower.h"

#define WT_OSV_DEFAULT_URL "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip"
#define WT_OSV_STALE_DAYS 7

typedef struct wt_osv_build_stats {
    size_t records;    /* advisories indexed */
    size_t withdrawn;  /* skipped */
    size_t packages;   /* distinct PEP 503 names */
    size_t members;    /* zip members read */
    double seconds;
} wt_osv_build_stats;

/* Build the index at db_path from a local all.zip. The zip is verified
 * (every member's CRC via libarchive, every .json member parsed) before
 * the new index atomically replaces the old one. source = what to record
 * as the origin (URL or file path). */
int wt_osv_build(const char *zip_path, const char *db_path, const char *source, wt_osv_build_stats *st,
                 char **err);
/* Download url to dest_path (atomically, via a .part file). */
int wt_osv_download(const char *url, const char *dest_path, char **err);

typedef struct wt_osv_info {
    char *source;       /* URL or file imported */
    char *imported_at;  /* RFC 3339 UTC */
    int64_t imported_epoch;
    char *newest_modified; /* newest "modified" among records */
    size_t records, packages, withdrawn;
} wt_osv_info;
int wt_osv_info_read(const char *db_path, wt_osv_info *info, char **err);
void wt_osv_info_fini(wt_osv_info *info);

typedef struct wt_osv_db wt_osv_db;
wt_osv_db *wt_osv_open(const char *db_path, char **err);
void wt_osv_close(wt_osv_db *db);
const wt_osv_info *wt_osv_db_info(const wt_osv_db *db);

/* One advisory's view of one package, parsed for matching. */
typedef struct wt_osv_event {
    char type;      /* 'i' introduced, 'f' fixed, 'l' last_affected, 'x' limit */
    bool zero;      /* introduced "0" */
    unsigned pos;   /* position in the record (ties keep the order written) */
    wt_ver *ver;
} wt_osv_event;

typedef struct wt_osv_range {
    wt_osv_event *ev; /* sorted by version */
    size_t n;
} wt_osv_range;

typedef struct wt_osv_adv {
    char *id;
    char *aliases;      /* comma-separated, may be "" */
    char *summary;
    wt_severity severity;
    double cvss_score;  /* < 0 if none */
    char *cvss_vector;  /* NULL if none */
    char *cwe;          /* comma-separated, may be "" */
    bool malicious;
    wt_osv_range *ranges;
    size_t nranges;
    char **vkeys;       /* sorted version keys of the versions list (into vkeys_buf) */
    size_t nvkeys;
    char *vkeys_buf;
} wt_osv_adv;

typedef struct wt_osv_pkg {
    char *name;          /* PEP 503 */
    wt_osv_adv *advs;
    size_t nadvs;
    wt_ver **universe;   /* every valid version named in the data, sorted */
    size_t nuniverse;
} wt_osv_pkg;

/* Look up a PEP 503 name: 0 and *out (NULL if the package has no
 * advisories), or -1 on a database error. Thread-safe. */
int wt_osv_lookup(wt_osv_db *db, const char *name, wt_osv_pkg **out, char **err);
void wt_osv_pkg_free(wt_osv_pkg *p);

/* Whether version v (with key = wt_ver_key(v)) is affected by adv. */
bool wt_osv_affects(const wt_osv_adv *adv, const wt_ver *v, const char *key);
/* Lowest fixed event greater than v that the record (every entry of p
 * with adv's id; p may be NULL for adv alone) does not affect, or NULL
 * (the version after a last_affected/limit is unknown). Borrowed. */
const wt_ver *wt_osv_fixed_above(const wt_osv_pkg *p, const wt_osv_adv *adv, const wt_ver *v);

/* Parse an OSV severity[] / database_specific and return the advisory's
 * severity, best CVSS score and vector (exposed for tests). */
wt_severity wt_osv_severity_of(struct json_t *record, double *score, char **vector);

#endif
