/*
 * cli_db.c - `watchtower db update|status`: the OSV advisory database.
 *
 *   watchtower db update [--from FILE] [--url URL] [--db PATH]
 *   watchtower db status [--db PATH]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "deps/osv.h"
#include "watchtower/watchtower.h"

static void usage(FILE *f) {
    fprintf(f,
            "usage: watchtower db update [--from FILE] [--url URL] [--db PATH]\n"
            "       watchtower db status [--db PATH]\n"
            "\n"
            "update  download OSV's PyPI advisories (all.zip) and build the local index\n"
            "        --from FILE  import a local all.zip instead of downloading\n"
            "        --url URL    download from URL (default: $WT_OSV_URL or\n"
            "                     " WT_OSV_DEFAULT_URL ")\n"
            "status  show the index's source, date, record count and age\n"
            "--db PATH  index location (default: $XDG_CACHE_HOME/watchtower/osv-pypi.sqlite)\n");
}

static int db_status(const char *db) {
    wt_osv_info in;
    char *err = NULL;
    if (wt_osv_info_read(db, &in, &err) != WT_OK) {
        fprintf(stderr, "watchtower: %s\n", err ? err : "cannot read the OSV database");
        fprintf(stderr, "Run `watchtower db update` (or `watchtower db update --from all.zip`) to install it.\n");
        free(err);
        return 2;
    }
    time_t now = time(NULL);
    long age = in.imported_epoch > 0 && now > in.imported_epoch ? (long)((now - in.imported_epoch) / 86400) : 0;
    printf("database:        %s\n", db);
    printf("source:          %s\n", in.source ? in.source : "?");
    printf("imported:        %s (%ld day%s ago)\n", in.imported_at ? in.imported_at : "?", age, age == 1 ? "" : "s");
    printf("newest advisory: %s\n", in.newest_modified && *in.newest_modified ? in.newest_modified : "?");
    printf("advisories:      %zu (%zu withdrawn skipped)\n", in.records, in.withdrawn);
    printf("packages:        %zu\n", in.packages);
    if (age > WT_OSV_STALE_DAYS)
        printf("warning: the database is older than %d days: run `watchtower db update`\n", WT_OSV_STALE_DAYS);
    wt_osv_info_fini(&in);
    return 0;
}

static int db_update(const char *db, const char *from, const char *url) {
    char *err = NULL;
    char *zip = NULL;
    const char *source = from;
    if (!from) {
        if (!url) url = getenv("WT_OSV_URL");
        if (!url || !*url) url = WT_OSV_DEFAULT_URL;
        zip = malloc(strlen(db) + 32);
        if (!zip) return 2;
        strcpy(zip, db);
        char *slash = strrchr(zip, '/');
        strcpy(slash ? slash + 1 : zip, "PyPI-all.zip");
        fprintf(stderr, "downloading %s\n", url);
        if (wt_osv_download(url, zip, &err) != WT_OK) {
            fprintf(stderr, "watchtower: %s\n", err ? err : "download failed");
            free(err);
            free(zip);
            return 2;
        }
        from = zip;
        source = url;
    }
    wt_osv_build_stats st;
    int rc = wt_osv_build(from, db, source, &st, &err);
    if (rc != WT_OK) {
        fprintf(stderr, "watchtower: %s\n", err ? err : "import failed");
        fprintf(stderr, "The existing database (if any) was left unchanged.\n");
        free(err);
        free(zip);
        return 2;
    }
    printf("imported %zu advisories for %zu packages (%zu withdrawn skipped) in %.2f s\n", st.records, st.packages,
           st.withdrawn, st.seconds);
    printf("database: %s\n", db);
    free(zip);
    return 0;
}

int wt_cli_db(int argc, char **argv) {
    int i = 0;
    if (argc > 0 && !strcmp(argv[0], "db")) i = 1;
    if (i >= argc || !strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
        usage(i >= argc ? stderr : stdout);
        return i >= argc ? 2 : 0;
    }
    const char *cmd = argv[i++];
    const char *db = NULL, *from = NULL, *url = NULL;
    for (; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = !strcmp(a, "--db") ? &db : !strcmp(a, "--from") ? &from : !strcmp(a, "--url") ? &url : NULL;
        if (dst) {
            if (i + 1 >= argc) {
                fprintf(stderr, "watchtower: %s needs a value\n", a);
                return 2;
            }
            *dst = argv[++i];
        } else if (!strncmp(a, "--db=", 5)) {
            db = a + 5;
        } else if (!strncmp(a, "--from=", 7)) {
            from = a + 7;
        } else if (!strncmp(a, "--url=", 6)) {
            url = a + 6;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "watchtower: unknown argument '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    char *dflt = db ? NULL : wt_osv_default_path();
    if (!db) db = dflt;
    int rc;
    if (!strcmp(cmd, "update")) {
        rc = db_update(db, from, url);
    } else if (!strcmp(cmd, "status")) {
        if (from || url) {
            fprintf(stderr, "watchtower: status takes only --db\n");
            rc = 2;
        } else {
            rc = db_status(db);
        }
    } else {
        fprintf(stderr, "watchtower: unknown db command '%s'\n", cmd);
        usage(stderr);
        rc = 2;
    }
    free(dflt);
    return rc;
}
