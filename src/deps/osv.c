/*
 * osv.c - OSV bulk export import, SQLite index, lookups and matching. See
 * osv.h for what it owns.
 */
#include "deps/osv.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/util.h"
#include "deps/cvss.h"

#define OSV_SCHEMA "1"
#define MAX_MEMBER (64u << 20)    /* one JSON record */
#define MAX_MEMBERS 2000000u
#define MAX_DOWNLOAD (2ull << 30) /* 2 GiB */
#define MAX_FIELD 256             /* version strings kept in the index */

/* ---------------------------------------------------------------- paths */

char *wt_osv_default_path(void) {
    const char *xdg = getenv("XDG_CACHE_HOME");
    if (xdg && xdg[0] == '/') return wt_xasprintf("%s/watchtower/osv-pypi.sqlite", xdg);
    const char *home = getenv("HOME");
    if (!home || !home[0]) home = "/tmp";
    return wt_xasprintf("%s/.cache/watchtower/osv-pypi.sqlite", home);
}

/* mkdir -p of the directory part of path. */
static int mkdir_parents(const char *path) {
    char *p = wt_xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = 0;
        if (mkdir(p, 0755) != 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = '/';
    }
    free(p);
    return 0;
}

/* ------------------------------------------------------------ severity */

static wt_severity sev_from_text(const char *s) {
    if (!s) return WT_SEV_NONE;
    if (!strcasecmp(s, "low")) return WT_SEV_LOW;
    if (!strcasecmp(s, "moderate") || !strcasecmp(s, "medium")) return WT_SEV_MEDIUM;
    if (!strcasecmp(s, "high")) return WT_SEV_HIGH;
    if (!strcasecmp(s, "critical")) return WT_SEV_CRITICAL;
    return WT_SEV_NONE;
}

wt_severity wt_osv_severity_of(json_t *rec, double *score, char **vector) {
    *score = -1;
    *vector = NULL;
    json_t *sev = json_object_get(rec, "severity");
    if (json_is_array(sev)) {
        size_t i;
        json_t *e;
        json_array_foreach(sev, i, e) {
            const char *type = json_string_value(json_object_get(e, "type"));
            const char *vec = json_string_value(json_object_get(e, "score"));
            if (!type || !vec) continue;
            if (strcmp(type, "CVSS_V3") != 0 && strcmp(type, "CVSS_V4") != 0) continue;
            double s;
            if (wt_cvss_score(vec, &s) == 0 && s > *score) {
                *score = s;
                free(*vector);
                *vector = wt_xstrdup(vec);
            }
        }
    }
    if (*score >= 0) {
        wt_severity s = wt_cvss_severity(*score);
        return s == WT_SEV_NONE ? WT_SEV_LOW : s;
    }
    json_t *ds = json_object_get(rec, "database_specific");
    wt_severity s = sev_from_text(json_string_value(json_object_get(ds, "severity")));
    return s != WT_SEV_NONE ? s : WT_SEV_HIGH;
}

static bool starts_ci(const char *s, const char *p) { return s && strncasecmp(s, p, strlen(p)) == 0; }

static bool is_malicious(json_t *rec, const char *id) {
    if (starts_ci(id, "MAL-")) return true;
    json_t *al = json_object_get(rec, "aliases");
    size_t i;
    json_t *e;
    json_array_foreach(al, i, e) if (starts_ci(json_string_value(e), "MAL-")) return true;
    json_t *ds = json_object_get(rec, "database_specific");
    if (json_object_get(ds, "malicious-packages-origins")) return true;
    /* PyPA's own malicious-package records say so up front */
    const char *summary = json_string_value(json_object_get(rec, "summary"));
    const char *details = json_string_value(json_object_get(rec, "details"));
    if (starts_ci(summary, "malicious package") || starts_ci(details, "malicious package")) return true;
    if (summary && strstr(summary, "credential harvesting code")) return true;
    return false;
}

/* ---------------------------------------------------------------- build */

static int cmp_str_ptr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

typedef struct {
    sqlite3 *db;
    sqlite3_stmt *ins_vuln, *ins_aff, *ins_univ;
    wt_osv_build_stats *st;
    char newest[64];
} builder;

static bool field_ok(const char *s) {
    if (!s || !*s) return false;
    size_t n = strlen(s);
    if (n > MAX_FIELD) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\t' || s[i] == '\n' || s[i] == '\r') return false;
    return true;
}

static int add_universe(builder *b, const char *pkg, const char *ver) {
    wt_ver *v = wt_ver_parse_cstr(ver);
    int rc = SQLITE_DONE;
    if (wt_ver_valid(v)) {
        sqlite3_reset(b->ins_univ);
        sqlite3_bind_text(b->ins_univ, 1, pkg, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(b->ins_univ, 2, wt_ver_str(v), -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(b->ins_univ);
    }
    wt_ver_free(v);
    return rc == SQLITE_DONE ? 0 : -1;
}

static char *join_strings(json_t *arr, const char *sep) {
    wt_buf b;
    wt_buf_init(&b);
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
        const char *s = json_string_value(e);
        if (!s) continue;
        if (b.len) wt_buf_puts(&b, sep);
        wt_buf_puts(&b, s);
    }
    return wt_buf_steal(&b);
}

static int index_record(builder *b, json_t *rec, const char *member, char **err) {
    const char *id = json_string_value(json_object_get(rec, "id"));
    if (!id || !*id) {
        *err = wt_xasprintf("%s: record without an id", member);
        return -1;
    }
    if (json_object_get(rec, "withdrawn")) {
        b->st->withdrawn++;
        return 0;
    }
    const char *mod = json_string_value(json_object_get(rec, "modified"));
    if (mod && strlen(mod) < sizeof b->newest && strcmp(mod, b->newest) > 0 && strncmp(mod, "0001", 4) != 0)
        strcpy(b->newest, mod);
    json_t *affected = json_object_get(rec, "affected");
    if (!json_is_array(affected)) return 0;

    double score;
    char *vector;
    wt_severity sev = wt_osv_severity_of(rec, &score, &vector);
    bool mal = is_malicious(rec, id);
    if (mal) sev = WT_SEV_CRITICAL;
    char *aliases = join_strings(json_object_get(rec, "aliases"), ",");
    char *cwe = join_strings(json_object_get(json_object_get(rec, "database_specific"), "cwe_ids"), ",");
    const char *summary = json_string_value(json_object_get(rec, "summary"));
    char *sum_alloc = NULL;
    if (!summary || !*summary) {
        /* no summary: the first sentence of the details */
        const char *d = json_string_value(json_object_get(rec, "details"));
        if (d) {
            size_t n = strcspn(d, "\n");
            const char *dot = strstr(d, ". ");
            if (dot && (size_t)(dot - d) < n) n = (size_t)(dot - d) + 1;
            if (n > 200) n = 200;
            sum_alloc = wt_xstrndup(d, n);
        }
        summary = sum_alloc ? sum_alloc : "";
    }
    sqlite3_reset(b->ins_vuln);
    sqlite3_bind_text(b->ins_vuln, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(b->ins_vuln, 2, aliases, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(b->ins_vuln, 3, summary, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(b->ins_vuln, 4, (int)sev);
    sqlite3_bind_double(b->ins_vuln, 5, score);
    if (vector) sqlite3_bind_text(b->ins_vuln, 6, vector, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(b->ins_vuln, 6);
    sqlite3_bind_text(b->ins_vuln, 7, cwe, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(b->ins_vuln, 8, mal);
    int rc = sqlite3_step(b->ins_vuln);
    free(aliases);
    free(cwe);
    free(vector);
    free(sum_alloc);
    if (rc != SQLITE_DONE) {
        *err = wt_xasprintf("index write failed: %s", sqlite3_errmsg(b->db));
        return -1;
    }
    sqlite3_int64 vid = sqlite3_last_insert_rowid(b->db);
    b->st->records++;

    size_t i;
    json_t *a;
    json_array_foreach(affected, i, a) {
        json_t *pkg = json_object_get(a, "package");
        const char *eco = json_string_value(json_object_get(pkg, "ecosystem"));
        const char *name = json_string_value(json_object_get(pkg, "name"));
        if (!eco || !name || strcmp(eco, "PyPI") != 0 || !*name || strlen(name) > 200) continue;
        char *norm = wt_pep503_name(name, strlen(name));
        wt_buf ranges, versions;
        wt_buf_init(&ranges);
        wt_buf_init(&versions);
        size_t j;
        json_t *r;
        json_array_foreach(json_object_get(a, "ranges"), j, r) {
            const char *type = json_string_value(json_object_get(r, "type"));
            if (!type || strcmp(type, "ECOSYSTEM") != 0) continue; /* GIT/SEMVER do not apply */
            size_t k;
            json_t *ev;
            bool any = false;
            json_array_foreach(json_object_get(r, "events"), k, ev) {
                static const struct { const char *key; char t; } kinds[] = {
                    {"introduced", 'i'}, {"fixed", 'f'}, {"last_affected", 'l'}, {"limit", 'x'}};
                for (size_t q = 0; q < 4; q++) {
                    const char *val = json_string_value(json_object_get(ev, kinds[q].key));
                    if (!field_ok(val)) continue;
                    if (any) wt_buf_putc(&ranges, '\t');
                    wt_buf_putc(&ranges, kinds[q].t);
                    wt_buf_puts(&ranges, val);
                    any = true;
                    if (strcmp(val, "0") != 0 && add_universe(b, norm, val) != 0) goto dberr;
                }
            }
            if (any) wt_buf_putc(&ranges, '\n');
        }
        {
            /* version keys, stored sorted so lookups can binary-search
             * them without sorting */
            wt_vec keys = {0};
            json_array_foreach(json_object_get(a, "versions"), j, r) {
                const char *val = json_string_value(r);
                if (!field_ok(val)) continue;
                wt_ver *v = wt_ver_parse_cstr(val);
                wt_vec_push(&keys, wt_ver_key(v));
                wt_ver_free(v);
                if (add_universe(b, norm, val) != 0) {
                    wt_vec_free(&keys, free);
                    goto dberr;
                }
            }
            if (keys.len) qsort(keys.items, keys.len, sizeof(char *), cmp_str_ptr);
            for (size_t k = 0; k < keys.len; k++) {
                if (k && !strcmp(keys.items[k], keys.items[k - 1])) continue;
                if (versions.len) wt_buf_putc(&versions, '\n');
                wt_buf_puts(&versions, keys.items[k]);
            }
            wt_vec_free(&keys, free);
        }
        sqlite3_reset(b->ins_aff);
        sqlite3_bind_int64(b->ins_aff, 1, vid);
        sqlite3_bind_text(b->ins_aff, 2, norm, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(b->ins_aff, 3, ranges.data, (int)ranges.len, SQLITE_TRANSIENT);
        sqlite3_bind_text(b->ins_aff, 4, versions.data, (int)versions.len, SQLITE_TRANSIENT);
        if (sqlite3_step(b->ins_aff) != SQLITE_DONE) goto dberr;
        free(norm);
        wt_buf_free(&ranges);
        wt_buf_free(&versions);
        continue;
    dberr:
        free(norm);
        wt_buf_free(&ranges);
        wt_buf_free(&versions);
        *err = wt_xasprintf("index write failed: %s", sqlite3_errmsg(b->db));
        return -1;
    }
    return 0;
}

static int exec(sqlite3 *db, const char *sql, char **err) {
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        *err = wt_xasprintf("sqlite: %s", msg ? msg : "error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int cmp_ver_ptr(const void *a, const void *b) {
    return wt_ver_cmp(*(wt_ver *const *)a, *(wt_ver *const *)b);
}

static int write_universe(builder *b, char **err) {
    sqlite3_stmt *sel = NULL, *ins = NULL;
    int ret = -1;
    if (sqlite3_prepare_v2(b->db, "SELECT pkg, ver FROM univ ORDER BY pkg", -1, &sel, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(b->db, "INSERT INTO pkgs(name, versions) VALUES(?,?)", -1, &ins, NULL) != SQLITE_OK) {
        *err = wt_xasprintf("sqlite: %s", sqlite3_errmsg(b->db));
        goto out;
    }
    wt_vec vers = {0};
    char *cur = NULL;
    for (;;) {
        int rc = sqlite3_step(sel);
        const char *pkg = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(sel, 0) : NULL;
        if (cur && (!pkg || strcmp(pkg, cur) != 0)) {
            if (vers.len > 1) qsort(vers.items, vers.len, sizeof(void *), cmp_ver_ptr);
            wt_buf txt;
            wt_buf_init(&txt);
            for (size_t i = 0; i < vers.len; i++) {
                if (i) wt_buf_putc(&txt, '\n');
                wt_buf_puts(&txt, wt_ver_str(vers.items[i]));
            }
            sqlite3_reset(ins);
            sqlite3_bind_text(ins, 1, cur, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 2, txt.data, (int)txt.len, SQLITE_TRANSIENT);
            int irc = sqlite3_step(ins);
            wt_buf_free(&txt);
            wt_vec_free(&vers, (void (*)(void *))wt_ver_free);
            free(cur);
            cur = NULL;
            b->st->packages++;
            if (irc != SQLITE_DONE) {
                *err = wt_xasprintf("sqlite: %s", sqlite3_errmsg(b->db));
                goto out;
            }
        }
        if (!pkg) {
            if (rc != SQLITE_DONE) {
                *err = wt_xasprintf("sqlite: %s", sqlite3_errmsg(b->db));
                goto out;
            }
            break;
        }
        if (!cur) cur = wt_xstrdup(pkg);
        wt_vec_push(&vers, wt_ver_parse_cstr((const char *)sqlite3_column_text(sel, 1)));
    }
    ret = 0;
out:
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    return ret;
}

static void set_meta(sqlite3 *db, const char *k, const char *v) {
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?,?)", -1, &s, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(s, 1, k, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, v, -1, SQLITE_STATIC);
    sqlite3_step(s);
    sqlite3_finalize(s);
}

static const char schema_sql[] =
    "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE vulns(rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, aliases TEXT, summary TEXT,"
    " severity INTEGER, cvss REAL, vector TEXT, cwe TEXT, malicious INTEGER);"
    "CREATE TABLE affected(vuln INTEGER NOT NULL, pkg TEXT NOT NULL, ranges TEXT, versions TEXT);"
    "CREATE TABLE pkgs(name TEXT PRIMARY KEY, versions TEXT) WITHOUT ROWID;"
    "CREATE TEMP TABLE univ(pkg TEXT, ver TEXT, PRIMARY KEY(pkg, ver)) WITHOUT ROWID;"
    "BEGIN;";

int wt_osv_build(const char *zip_path, const char *db_path, const char *source, wt_osv_build_stats *st,
                 char **err) {
    wt_osv_build_stats local;
    if (!st) st = &local;
    memset(st, 0, sizeof *st);
    *err = NULL;
    uint64_t t0 = wt_now_ns();
    if (mkdir_parents(db_path) != 0) {
        *err = wt_xasprintf("cannot create the directory of %s: %s", db_path, strerror(errno));
        return WT_ERR_IO;
    }
    char *tmp = wt_xasprintf("%s.tmp.%ld", db_path, (long)getpid());
    unlink(tmp);
    builder b = {0};
    b.st = st;
    struct archive *ar = archive_read_new();
    archive_read_support_format_zip(ar);
    int ret = WT_ERR;
    char *buf = NULL;
    if (archive_read_open_filename(ar, zip_path, 1 << 16) != ARCHIVE_OK) {
        *err = wt_xasprintf("cannot open %s: %s", zip_path, archive_error_string(ar));
        ret = WT_ERR_IO;
        goto out;
    }
    if (sqlite3_open_v2(tmp, &b.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        *err = wt_xasprintf("cannot create %s: %s", tmp, b.db ? sqlite3_errmsg(b.db) : "sqlite");
        ret = WT_ERR_IO;
        goto out;
    }
    if (exec(b.db, schema_sql, err) != 0) goto out;
    if (sqlite3_prepare_v2(b.db,
                           "INSERT INTO vulns(id, aliases, summary, severity, cvss, vector, cwe, malicious)"
                           " VALUES(?,?,?,?,?,?,?,?)",
                           -1, &b.ins_vuln, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(b.db, "INSERT INTO affected(vuln, pkg, ranges, versions) VALUES(?,?,?,?)", -1,
                           &b.ins_aff, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(b.db, "INSERT OR IGNORE INTO univ(pkg, ver) VALUES(?,?)", -1, &b.ins_univ, NULL) !=
            SQLITE_OK) {
        *err = wt_xasprintf("sqlite: %s", sqlite3_errmsg(b.db));
        goto out;
    }
    struct archive_entry *ent;
    int rc;
    size_t json_members = 0;
    while ((rc = archive_read_next_header(ar, &ent)) == ARCHIVE_OK) {
        if (++st->members > MAX_MEMBERS) {
            *err = wt_xstrdup("too many members in the zip");
            goto out;
        }
        const char *name = archive_entry_pathname(ent);
        if (!name || !wt_str_endswith_ci(name, ".json") || archive_entry_filetype(ent) != AE_IFREG) {
            archive_read_data_skip(ar);
            continue;
        }
        /* read (and so CRC-check) the whole member, bounded */
        size_t cap = 1 << 16, len = 0;
        free(buf);
        buf = wt_xmalloc(cap);
        for (;;) {
            if (len == cap) {
                if (cap >= MAX_MEMBER) {
                    *err = wt_xasprintf("%s: record larger than %u bytes", name, MAX_MEMBER);
                    goto out;
                }
                cap *= 2;
                buf = wt_xrealloc(buf, cap);
            }
            la_ssize_t n = archive_read_data(ar, buf + len, cap - len);
            if (n < 0) {
                *err = wt_xasprintf("corrupt zip member %s: %s", name, archive_error_string(ar));
                goto out;
            }
            if (n == 0) break;
            len += (size_t)n;
        }
        json_error_t jerr;
        json_t *rec = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!rec || !json_is_object(rec)) {
            *err = wt_xasprintf("%s: invalid JSON (line %d: %s)", name, jerr.line, rec ? "not an object" : jerr.text);
            json_decref(rec);
            goto out;
        }
        json_members++;
        int r = index_record(&b, rec, name, err);
        json_decref(rec);
        if (r != 0) goto out;
    }
    if (rc != ARCHIVE_EOF) {
        *err = wt_xasprintf("corrupt zip %s: %s", zip_path, archive_error_string(ar));
        goto out;
    }
    if (json_members == 0) {
        *err = wt_xasprintf("%s holds no OSV records", zip_path);
        goto out;
    }
    if (write_universe(&b, err) != 0) goto out;
    if (exec(b.db, "CREATE INDEX affected_pkg ON affected(pkg); DROP TABLE univ;", err) != 0) goto out;
    {
        char num[32], when[64];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        set_meta(b.db, "schema", OSV_SCHEMA);
        set_meta(b.db, "source", source ? source : zip_path);
        set_meta(b.db, "imported_at", when);
        snprintf(num, sizeof num, "%lld", (long long)now);
        set_meta(b.db, "imported_epoch", num);
        set_meta(b.db, "newest_modified", b.newest);
        snprintf(num, sizeof num, "%zu", st->records);
        set_meta(b.db, "records", num);
        snprintf(num, sizeof num, "%zu", st->packages);
        set_meta(b.db, "packages", num);
        snprintf(num, sizeof num, "%zu", st->withdrawn);
        set_meta(b.db, "withdrawn", num);
    }
    if (exec(b.db, "COMMIT;", err) != 0) goto out;
    sqlite3_finalize(b.ins_vuln);
    sqlite3_finalize(b.ins_aff);
    sqlite3_finalize(b.ins_univ);
    b.ins_vuln = b.ins_aff = b.ins_univ = NULL;
    if (sqlite3_close(b.db) != SQLITE_OK) {
        *err = wt_xstrdup("sqlite: cannot close the new index");
        b.db = NULL;
        goto out;
    }
    b.db = NULL;
    if (rename(tmp, db_path) != 0) {
        *err = wt_xasprintf("cannot replace %s: %s", db_path, strerror(errno));
        ret = WT_ERR_IO;
        goto out;
    }
    ret = WT_OK;
out:
    free(buf);
    archive_read_free(ar);
    sqlite3_finalize(b.ins_vuln);
    sqlite3_finalize(b.ins_aff);
    sqlite3_finalize(b.ins_univ);
    if (b.db) sqlite3_close(b.db);
    if (ret != WT_OK) unlink(tmp);
    free(tmp);
    st->seconds = (double)(wt_now_ns() - t0) / 1e9;
    return ret;
}

/* ------------------------------------------------------------- download */

typedef struct {
    FILE *f;
    uint64_t total;
    bool too_big;
} dl_state;

static size_t dl_write(char *p, size_t sz, size_t n, void *ud) {
    dl_state *s = ud;
    size_t len = sz * n;
    if (s->total + len > MAX_DOWNLOAD) {
        s->too_big = true;
        return 0;
    }
    s->total += len;
    return fwrite(p, 1, len, s->f);
}

int wt_osv_download(const char *url, const char *dest_path, char **err) {
    *err = NULL;
    if (mkdir_parents(dest_path) != 0) {
        *err = wt_xasprintf("cannot create the directory of %s: %s", dest_path, strerror(errno));
        return WT_ERR_IO;
    }
    char *part = wt_xasprintf("%s.part", dest_path);
    dl_state s = {0};
    s.f = fopen(part, "wb");
    if (!s.f) {
        *err = wt_xasprintf("cannot write %s: %s", part, strerror(errno));
        free(part);
        return WT_ERR_IO;
    }
    CURL *c = curl_easy_init();
    if (!c) {
        fclose(s.f);
        unlink(part);
        free(part);
        *err = wt_xstrdup("libcurl initialisation failed");
        return WT_ERR;
    }
    char ebuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, dl_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "watchtower/" WT_VERSION);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode rc = curl_easy_perform(c);
    curl_easy_cleanup(c);
    int close_rc = fclose(s.f);
    if (rc != CURLE_OK || close_rc != 0) {
        if (s.too_big) *err = wt_xasprintf("download of %s exceeds %llu bytes", url, (unsigned long long)MAX_DOWNLOAD);
        else *err = wt_xasprintf("download of %s failed: %s", url, ebuf[0] ? ebuf : curl_easy_strerror(rc));
        unlink(part);
        free(part);
        return WT_ERR_IO;
    }
    if (rename(part, dest_path) != 0) {
        *err = wt_xasprintf("cannot write %s: %s", dest_path, strerror(errno));
        unlink(part);
        free(part);
        return WT_ERR_IO;
    }
    free(part);
    return WT_OK;
}

/* ----------------------------------------------------------------- read */

struct wt_osv_db {
    sqlite3 *db;
    sqlite3_stmt *q_adv, *q_pkg;
    pthread_mutex_t mu;
    wt_osv_info info;
};

static char *meta_get(sqlite3 *db, const char *key) {
    sqlite3_stmt *s;
    char *r = NULL;
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key=?", -1, &s, NULL) != SQLITE_OK) return NULL;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        r = wt_xstrdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return r;
}

static size_t meta_num(sqlite3 *db, const char *key) {
    char *v = meta_get(db, key);
    size_t n = v ? (size_t)strtoull(v, NULL, 10) : 0;
    free(v);
    return n;
}

static int read_info(sqlite3 *db, wt_osv_info *info, char **err) {
    memset(info, 0, sizeof *info);
    char *schema = meta_get(db, "schema");
    if (!schema || strcmp(schema, OSV_SCHEMA) != 0) {
        free(schema);
        *err = wt_xstrdup("not a watchtower OSV index (or an incompatible version): run `watchtower db update`");
        return -1;
    }
    free(schema);
    info->source = meta_get(db, "source");
    info->imported_at = meta_get(db, "imported_at");
    info->newest_modified = meta_get(db, "newest_modified");
    char *ep = meta_get(db, "imported_epoch");
    info->imported_epoch = ep ? strtoll(ep, NULL, 10) : 0;
    free(ep);
    info->records = meta_num(db, "records");
    info->packages = meta_num(db, "packages");
    info->withdrawn = meta_num(db, "withdrawn");
    return 0;
}

void wt_osv_info_fini(wt_osv_info *info) {
    if (!info) return;
    free(info->source);
    free(info->imported_at);
    free(info->newest_modified);
    memset(info, 0, sizeof *info);
}

static sqlite3 *open_ro(const char *path, char **err) {
    struct stat sb;
    if (stat(path, &sb) != 0) {
        *err = wt_xasprintf("no OSV database at %s", path);
        return NULL;
    }
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        *err = wt_xasprintf("cannot open %s: %s", path, db ? sqlite3_errmsg(db) : "sqlite");
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

int wt_osv_info_read(const char *db_path, wt_osv_info *info, char **err) {
    *err = NULL;
    memset(info, 0, sizeof *info);
    sqlite3 *db = open_ro(db_path, err);
    if (!db) return WT_ERR_IO;
    int r = read_info(db, info, err);
    sqlite3_close(db);
    return r == 0 ? WT_OK : WT_ERR_FORMAT;
}

wt_osv_db *wt_osv_open(const char *db_path, char **err) {
    *err = NULL;
    sqlite3 *db = open_ro(db_path, err);
    if (!db) return NULL;
    wt_osv_db *o = wt_xcalloc(1, sizeof *o);
    o->db = db;
    pthread_mutex_init(&o->mu, NULL);
    if (read_info(db, &o->info, err) != 0) {
        wt_osv_close(o);
        return NULL;
    }
    if (sqlite3_prepare_v2(db,
                           "SELECT v.id, v.aliases, v.summary, v.severity, v.cvss, v.vector, v.cwe, v.malicious,"
                           " a.ranges, a.versions FROM affected a JOIN vulns v ON v.rowid = a.vuln"
                           " WHERE a.pkg = ? ORDER BY v.id",
                           -1, &o->q_adv, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT versions FROM pkgs WHERE name = ?", -1, &o->q_pkg, NULL) != SQLITE_OK) {
        *err = wt_xasprintf("corrupt OSV index %s: %s", db_path, sqlite3_errmsg(db));
        wt_osv_close(o);
        return NULL;
    }
    return o;
}

void wt_osv_close(wt_osv_db *o) {
    if (!o) return;
    sqlite3_finalize(o->q_adv);
    sqlite3_finalize(o->q_pkg);
    sqlite3_close(o->db);
    pthread_mutex_destroy(&o->mu);
    wt_osv_info_fini(&o->info);
    free(o);
}

const wt_osv_info *wt_osv_db_info(const wt_osv_db *o) { return &o->info; }

static int cmp_event(const void *a, const void *b) {
    const wt_osv_event *x = a, *y = b;
    if (x->zero || y->zero) {
        if (x->zero && y->zero) return 0;
        return x->zero ? -1 : 1;
    }
    int c = wt_ver_cmp(x->ver, y->ver);
    if (c) return c;
    /* equal versions keep the order written, as osv.dev's (stable) sort
     * does: "fixed: 3.1.1" then "introduced: 3.1.1" (two adjacent ranges,
     * PYSEC-2022-236) leaves 3.1.1 affected, "introduced: V, fixed: V" (an
     * empty range) leaves V unaffected */
    return (x->pos > y->pos) - (x->pos < y->pos);
}

static void parse_ranges(wt_osv_adv *a, const char *text) {
    if (!text) return;
    size_t nlines = 0;
    for (const char *p = text; *p; p++)
        if (*p == '\n') nlines++;
    a->ranges = wt_xcalloc(nlines + 1, sizeof(wt_osv_range));
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        const char *le = nl ? nl : p + strlen(p);
        size_t nev = 1;
        for (const char *q = p; q < le; q++)
            if (*q == '\t') nev++;
        wt_osv_range *r = &a->ranges[a->nranges++];
        r->ev = wt_xcalloc(nev, sizeof(wt_osv_event));
        const char *q = p;
        while (q < le) {
            const char *t = memchr(q, '\t', (size_t)(le - q));
            const char *te = t ? t : le;
            if (te - q >= 2) {
                wt_osv_event *e = &r->ev[r->n];
                e->pos = (unsigned)r->n++;
                e->type = q[0];
                e->zero = e->type == 'i' && te - q == 2 && q[1] == '0';
                e->ver = wt_ver_parse(q + 1, (size_t)(te - q - 1));
            }
            q = t ? t + 1 : le;
        }
        qsort(r->ev, r->n, sizeof(wt_osv_event), cmp_event);
        p = nl ? nl + 1 : le;
    }
}

static void parse_versions(wt_osv_adv *a, const char *text) {
    if (!text || !*text) return;
    size_t n = 1;
    for (const char *p = text; *p; p++)
        if (*p == '\n') n++;
    /* one buffer, split in place: keys point into it */
    a->vkeys_buf = wt_xstrdup(text);
    a->vkeys = wt_xcalloc(n, sizeof(char *));
    char *p = a->vkeys_buf;
    for (;;) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = 0;
        if (*p) a->vkeys[a->nvkeys++] = p;
        if (!nl) break;
        p = nl + 1;
    }
    /* the index stores them sorted; sort only if it does not (an older or
     * damaged index must still give right answers) */
    for (size_t i = 1; i < a->nvkeys; i++)
        if (strcmp(a->vkeys[i - 1], a->vkeys[i]) > 0) {
            qsort(a->vkeys, a->nvkeys, sizeof(char *), cmp_str_ptr);
            break;
        }
}

static char *col_dup(sqlite3_stmt *s, int i) {
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? wt_xstrdup((const char *)t) : NULL;
}

int wt_osv_lookup(wt_osv_db *o, const char *name, wt_osv_pkg **out, char **err) {
    *out = NULL;
    *err = NULL;
    wt_osv_pkg *p = NULL;
    size_t cap = 0;
    int ret = 0;
    pthread_mutex_lock(&o->mu);
    sqlite3_reset(o->q_adv);
    sqlite3_bind_text(o->q_adv, 1, name, -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(o->q_adv)) == SQLITE_ROW) {
        if (!p) {
            p = wt_xcalloc(1, sizeof *p);
            p->name = wt_xstrdup(name);
        }
        if (p->nadvs == cap) {
            cap = cap ? cap * 2 : 8;
            p->advs = wt_xrealloc(p->advs, cap * sizeof(wt_osv_adv));
        }
        wt_osv_adv *a = &p->advs[p->nadvs++];
        memset(a, 0, sizeof *a);
        a->id = col_dup(o->q_adv, 0);
        a->aliases = col_dup(o->q_adv, 1);
        a->summary = col_dup(o->q_adv, 2);
        a->severity = (wt_severity)sqlite3_column_int(o->q_adv, 3);
        a->cvss_score = sqlite3_column_double(o->q_adv, 4);
        a->cvss_vector = col_dup(o->q_adv, 5);
        a->cwe = col_dup(o->q_adv, 6);
        a->malicious = sqlite3_column_int(o->q_adv, 7) != 0;
        if (!a->id) a->id = wt_xstrdup("?");
        if (!a->aliases) a->aliases = wt_xstrdup("");
        if (!a->summary) a->summary = wt_xstrdup("");
        if (!a->cwe) a->cwe = wt_xstrdup("");
        if (a->severity < WT_SEV_LOW || a->severity > WT_SEV_CRITICAL) a->severity = WT_SEV_HIGH;
        parse_ranges(a, (const char *)sqlite3_column_text(o->q_adv, 8));
        parse_versions(a, (const char *)sqlite3_column_text(o->q_adv, 9));
    }
    if (rc != SQLITE_DONE) {
        *err = wt_xasprintf("OSV index read failed: %s", sqlite3_errmsg(o->db));
        ret = -1;
    } else if (p) {
        sqlite3_reset(o->q_pkg);
        sqlite3_bind_text(o->q_pkg, 1, name, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(o->q_pkg) == SQLITE_ROW) {
            const char *t = (const char *)sqlite3_column_text(o->q_pkg, 0);
            size_t n = 1;
            for (const char *q = t ? t : ""; *q; q++)
                if (*q == '\n') n++;
            p->universe = wt_xcalloc(n, sizeof(wt_ver *));
            const char *q = t ? t : "";
            while (*q) {
                const char *nl = strchr(q, '\n');
                size_t len = nl ? (size_t)(nl - q) : strlen(q);
                if (len) p->universe[p->nuniverse++] = wt_ver_parse(q, len);
                if (!nl) break;
                q = nl + 1;
            }
        }
    }
    sqlite3_reset(o->q_adv);
    sqlite3_reset(o->q_pkg);
    pthread_mutex_unlock(&o->mu);
    if (ret != 0) {
        wt_osv_pkg_free(p);
        return -1;
    }
    *out = p;
    return 0;
}

void wt_osv_pkg_free(wt_osv_pkg *p) {
    if (!p) return;
    for (size_t i = 0; i < p->nadvs; i++) {
        wt_osv_adv *a = &p->advs[i];
        free(a->id);
        free(a->aliases);
        free(a->summary);
        free(a->cvss_vector);
        free(a->cwe);
        for (size_t j = 0; j < a->nranges; j++) {
            for (size_t k = 0; k < a->ranges[j].n; k++) wt_ver_free(a->ranges[j].ev[k].ver);
            free(a->ranges[j].ev);
        }
        free(a->ranges);
        free(a->vkeys);
        free(a->vkeys_buf);
    }
    free(p->advs);
    for (size_t i = 0; i < p->nuniverse; i++) wt_ver_free(p->universe[i]);
    free(p->universe);
    free(p->name);
    free(p);
}

/* ------------------------------------------------------------- matching */

static bool range_affects(const wt_osv_range *r, const wt_ver *v) {
    bool affected = false;
    for (size_t i = 0; i < r->n; i++) {
        const wt_osv_event *e = &r->ev[i];
        int c = e->zero ? 1 : wt_ver_cmp(v, e->ver);
        switch (e->type) {
        case 'i':
            if (c >= 0) affected = true;
            break;
        case 'f':
        case 'x':
            if (c >= 0) affected = false;
            break;
        case 'l':
            if (c > 0) affected = false;
            break;
        }
    }
    return affected;
}

bool wt_osv_affects(const wt_osv_adv *a, const wt_ver *v, const char *key) {
    if (key && a->nvkeys) {
        const char *k = key;
        if (bsearch(&k, a->vkeys, a->nvkeys, sizeof(char *), cmp_str_ptr)) return true;
    }
    for (size_t i = 0; i < a->nranges; i++)
        if (range_affects(&a->ranges[i], v)) return true;
    return false;
}

const wt_ver *wt_osv_fixed_above(const wt_osv_pkg *p, const wt_osv_adv *a, const wt_ver *v) {
    /* every affected[] entry of the record for this package (GitHub writes
     * one per range): a fixed event is the fix only when no entry of the
     * record affects that version (overlapping or adjacent ranges, e.g.
     * PYSEC-2021-114: "fixed 2.11.6" while [2.11, 2.11.7) still holds it) */
    const wt_ver *best = NULL;
    size_t n = p ? p->nadvs : 1;
    for (size_t q = 0; q < n; q++) {
        const wt_osv_adv *b = p ? &p->advs[q] : a;
        if (b != a && strcmp(b->id, a->id) != 0) continue;
        for (size_t i = 0; i < b->nranges; i++)
            for (size_t j = 0; j < b->ranges[i].n; j++) {
                const wt_osv_event *e = &b->ranges[i].ev[j];
                if (e->type != 'f' || !wt_ver_valid(e->ver)) continue;
                if (wt_ver_cmp(e->ver, v) <= 0) continue;
                if (best && wt_ver_cmp(e->ver, best) >= 0) continue;
                char *key = wt_ver_key(e->ver);
                bool still = false;
                for (size_t r = 0; r < n && !still; r++) {
                    const wt_osv_adv *c = p ? &p->advs[r] : a;
                    if (c == a || !strcmp(c->id, a->id)) still = wt_osv_affects(c, e->ver, key);
                }
                free(key);
                if (!still) best = e->ver;
            }
    }
    return best;
}
