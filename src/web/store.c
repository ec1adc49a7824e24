/*
 * store.c - scan history in SQLite: scans, their findings and reports.
 * One connection guarded by a mutex (the UI's load is small; scans run
 * outside the lock and write only at progress ticks and at the end).
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "web.h"

struct wt_store {
    sqlite3 *db;
    pthread_mutex_t lock;
};

static const char *schema =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA foreign_keys=ON;"
    "CREATE TABLE IF NOT EXISTS scans(id TEXT PRIMARY KEY, created TEXT NOT NULL, status TEXT NOT NULL,"
    " request TEXT NOT NULL, progress TEXT, summary TEXT, error TEXT, finished TEXT);"
    "CREATE TABLE IF NOT EXISTS findings(scan_id TEXT NOT NULL REFERENCES scans(id) ON DELETE CASCADE,"
    " idx INTEGER NOT NULL, severity INTEGER NOT NULL, category TEXT NOT NULL, artifact TEXT NOT NULL,"
    " rule_id TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY(scan_id, idx));"
    "CREATE TABLE IF NOT EXISTS reports(scan_id TEXT NOT NULL REFERENCES scans(id) ON DELETE CASCADE,"
    " name TEXT NOT NULL, content BLOB NOT NULL, PRIMARY KEY(scan_id, name));";

wt_store *wt_store_open(const char *path, char **err) {
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) !=
        SQLITE_OK) {
        if (err) *err = wt_xasprintf("cannot open database %s: %s", path, db ? sqlite3_errmsg(db) : "?");
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 5000);
    char *msg = NULL;
    if (sqlite3_exec(db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        if (err) *err = wt_xasprintf("cannot initialise database %s: %s", path, msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_close(db);
        return NULL;
    }
    wt_store *s = wt_xcalloc(1, sizeof *s);
    s->db = db;
    pthread_mutex_init(&s->lock, NULL);
    return s;
}

void wt_store_close(wt_store *s) {
    if (!s) return;
    sqlite3_close(s->db);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static int exec_bind(wt_store *s, const char *sql, int n, const char *const *vals) {
    sqlite3_stmt *st = NULL;
    pthread_mutex_lock(&s->lock);
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        for (int i = 0; i < n; i++)
            if (vals[i]) sqlite3_bind_text(st, i + 1, vals[i], -1, SQLITE_TRANSIENT);
            else sqlite3_bind_null(st, i + 1);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    int changes = sqlite3_changes(s->db);
    pthread_mutex_unlock(&s->lock);
    if (rc != SQLITE_DONE) return -1;
    return changes;
}

static char *dump(json_t *j) { return j ? json_dumps(j, JSON_COMPACT) : NULL; }

int wt_store_add_scan(wt_store *s, const char *id, json_t *request) {
    char *req = dump(request);
    const char *v[] = {id, req};
    int rc = exec_bind(s, "INSERT INTO scans(id, created, status, request) VALUES(?1, strftime('%Y-%m-%dT%H:%M:%SZ','now'), 'queued', ?2)", 2, v);
    free(req);
    return rc < 0 ? -1 : 0;
}

int wt_store_set_status(wt_store *s, const char *id, const char *status, const char *error) {
    const char *v[] = {id, status, error};
    return exec_bind(s, "UPDATE scans SET status=?2, error=?3, finished=CASE WHEN ?2 IN ('done','failed') THEN strftime('%Y-%m-%dT%H:%M:%SZ','now') ELSE finished END WHERE id=?1", 3, v) < 0 ? -1 : 0;
}

int wt_store_set_progress(wt_store *s, const char *id, json_t *progress) {
    char *p = dump(progress);
    const char *v[] = {id, p};
    int rc = exec_bind(s, "UPDATE scans SET progress=?2 WHERE id=?1", 2, v);
    free(p);
    return rc < 0 ? -1 : 0;
}

int wt_store_finish(wt_store *s, const char *id, json_t *summary, json_t *findings, const char *const *report_names,
                    const char *const *reports, size_t nreports) {
    pthread_mutex_lock(&s->lock);
    int ok = sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
    sqlite3_stmt *st = NULL;
    if (ok && sqlite3_prepare_v2(s->db,
                                 "INSERT INTO findings(scan_id, idx, severity, category, artifact, rule_id, json) "
                                 "VALUES(?1,?2,?3,?4,?5,?6,?7)",
                                 -1, &st, NULL) == SQLITE_OK) {
        size_t i;
        json_t *f;
        json_array_foreach(findings, i, f) {
            char *js = json_dumps(f, JSON_COMPACT);
            wt_severity sev = WT_SEV_NONE;
            const char *sv = json_string_value(json_object_get(f, "severity"));
            if (sv) wt_severity_parse(sv, &sev);
            sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
            sqlite3_bind_int(st, 3, (int)sev);
            const char *cat = json_string_value(json_object_get(f, "category"));
            const char *art = json_string_value(json_object_get(f, "artifact"));
            const char *rule = json_string_value(json_object_get(f, "rule_id"));
            sqlite3_bind_text(st, 4, cat ? cat : "", -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 5, art ? art : "", -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 6, rule ? rule : "", -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 7, js, -1, free);
            if (sqlite3_step(st) != SQLITE_DONE) ok = false;
            sqlite3_reset(st);
        }
    } else ok = false;
    sqlite3_finalize(st);
    st = NULL;
    if (ok && sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO reports(scan_id, name, content) VALUES(?1,?2,?3)", -1,
                                 &st, NULL) == SQLITE_OK) {
        for (size_t i = 0; i < nreports; i++) {
            sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 2, report_names[i], -1, SQLITE_TRANSIENT);
            sqlite3_bind_blob(st, 3, reports[i], (int)strlen(reports[i]), SQLITE_TRANSIENT);
            if (sqlite3_step(st) != SQLITE_DONE) ok = false;
            sqlite3_reset(st);
        }
    } else ok = false;
    sqlite3_finalize(st);
    st = NULL;
    char *sum = dump(summary);
    if (ok && sqlite3_prepare_v2(s->db,
                                 "UPDATE scans SET summary=?2, status='done', finished=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id=?1",
                                 -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, sum, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE) ok = false;
    } else ok = false;
    sqlite3_finalize(st);
    free(sum);
    sqlite3_exec(s->db, ok ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
    pthread_mutex_unlock(&s->lock);
    return ok ? 0 : -1;
}

static json_t *parse_or_null(const unsigned char *txt) {
    if (!txt) return json_null();
    json_t *j = json_loads((const char *)txt, 0, NULL);
    return j ? j : json_null();
}

static json_t *row_to_scan(sqlite3_stmt *st) {
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string((const char *)sqlite3_column_text(st, 0)));
    json_object_set_new(o, "created", json_string((const char *)sqlite3_column_text(st, 1)));
    json_object_set_new(o, "status", json_string((const char *)sqlite3_column_text(st, 2)));
    json_object_set_new(o, "request", parse_or_null(sqlite3_column_text(st, 3)));
    json_t *prog = parse_or_null(sqlite3_column_text(st, 4));
    json_object_set_new(o, "progress", json_is_null(prog) ? (json_decref(prog), json_object()) : prog);
    json_t *sum = parse_or_null(sqlite3_column_text(st, 5));
    json_object_set_new(o, "summary", json_is_null(sum) ? (json_decref(sum), json_object()) : sum);
    const unsigned char *e = sqlite3_column_text(st, 6);
    if (e) json_object_set_new(o, "error", json_string((const char *)e));
    const unsigned char *fin = sqlite3_column_text(st, 7);
    if (fin) json_object_set_new(o, "finished", json_string((const char *)fin));
    return o;
}

json_t *wt_store_get_scan(wt_store *s, const char *id) {
    sqlite3_stmt *st = NULL;
    json_t *o = NULL;
    pthread_mutex_lock(&s->lock);
    if (sqlite3_prepare_v2(s->db, "SELECT id, created, status, request, progress, summary, error, finished FROM scans WHERE id=?1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW) o = row_to_scan(st);
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->lock);
    return o;
}

json_t *wt_store_list_scans(wt_store *s, int limit) {
    sqlite3_stmt *st = NULL;
    json_t *arr = json_array();
    pthread_mutex_lock(&s->lock);
    if (sqlite3_prepare_v2(s->db,
                           "SELECT id, created, status, request, progress, summary, error, finished FROM scans "
                           "ORDER BY created DESC, id DESC LIMIT ?1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int(st, 1, limit);
        while (sqlite3_step(st) == SQLITE_ROW) json_array_append_new(arr, row_to_scan(st));
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->lock);
    return arr;
}

json_t *wt_store_findings(wt_store *s, const char *id, const char *severity, const char *category, const char *file,
                          const char *sort, int offset, int limit, long long *total) {
    wt_severity sev = WT_SEV_NONE;
    if (severity && *severity) wt_severity_parse(severity, &sev);
    const char *order = "idx";
    if (sort && strcmp(sort, "severity") == 0) order = "severity DESC, idx";
    else if (sort && strcmp(sort, "file") == 0) order = "artifact, idx";
    else if (sort && strcmp(sort, "rule") == 0) order = "rule_id, idx";
    char *where = wt_xstrdup("scan_id=?1 AND (?2 = 0 OR severity=?2) AND (?3 IS NULL OR category=?3) AND "
                             "(?4 IS NULL OR instr(artifact, ?4) > 0)");
    char *q = wt_xasprintf("SELECT json FROM findings WHERE %s ORDER BY %s LIMIT ?5 OFFSET ?6", where, order);
    char *qc = wt_xasprintf("SELECT count(*) FROM findings WHERE %s", where);
    json_t *arr = json_array();
    *total = 0;
    pthread_mutex_lock(&s->lock);
    for (int pass = 0; pass < 2; pass++) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(s->db, pass ? q : qc, -1, &st, NULL) != SQLITE_OK) continue;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 2, (int)sev);
        if (category && *category) sqlite3_bind_text(st, 3, category, -1, SQLITE_TRANSIENT);
        else sqlite3_bind_null(st, 3);
        if (file && *file) sqlite3_bind_text(st, 4, file, -1, SQLITE_TRANSIENT);
        else sqlite3_bind_null(st, 4);
        if (pass) {
            sqlite3_bind_int(st, 5, limit);
            sqlite3_bind_int(st, 6, offset);
            while (sqlite3_step(st) == SQLITE_ROW) json_array_append_new(arr, parse_or_null(sqlite3_column_text(st, 0)));
        } else if (sqlite3_step(st) == SQLITE_ROW) {
            *total = sqlite3_column_int64(st, 0);
        }
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&s->lock);
    free(where);
    free(q);
    free(qc);
    return arr;
}

char *wt_store_report(wt_store *s, const char *id, const char *name, size_t *len) {
    sqlite3_stmt *st = NULL;
    char *out = NULL;
    pthread_mutex_lock(&s->lock);
    if (sqlite3_prepare_v2(s->db, "SELECT content FROM reports WHERE scan_id=?1 AND name=?2", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW) {
            int n = sqlite3_column_bytes(st, 0);
            out = wt_xmalloc((size_t)n + 1);
            memcpy(out, sqlite3_column_blob(st, 0), (size_t)n);
            out[n] = 0;
            if (len) *len = (size_t)n;
        }
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->lock);
    return out;
}

int wt_store_delete(wt_store *s, const char *id) {
    const char *v[] = {id};
    int n = exec_bind(s, "DELETE FROM scans WHERE id=?1", 1, v);
    return n > 0 ? 0 : 1;
}

void wt_store_recover(wt_store *s) {
    exec_bind(s, "UPDATE scans SET status='failed', error='interrupted: the server stopped during the scan' "
                 "WHERE status IN ('queued','running')", 0, NULL);
}
