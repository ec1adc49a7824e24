/*
 * cli_serve.c - `watchtower serve`: start the local web UI.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core/util.h"
#include "web/web.h"

static void usage(FILE *f) {
    fprintf(f, "usage: watchtower serve [--bind ADDR] [--port N] [--db PATH] [--allow-path DIR]...\n"
               "                        [--token TOKEN] [--workers N] [--max-queue N]\n"
               "Serves the web UI at http://ADDR:PORT/watchtower-aishield (default 127.0.0.1:5015).\n"
               "Binding to a non-loopback address requires an access token; one is generated and\n"
               "printed once if --token is not given.\n");
}

static void mkdirs(const char *path) {
    char *p = wt_xstrdup(path);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            mkdir(p, 0700);
            *s = '/';
        }
    free(p);
}

static char *default_db(void) {
    const char *x = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    char *p = x && *x ? wt_xasprintf("%s/watchtower/web.db", x)
                      : wt_xasprintf("%s/.local/share/watchtower/web.db", home && *home ? home : "/tmp");
    mkdirs(p);
    return p;
}

static bool parse_num(const char *s, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || !*s || v < lo || v > hi) return false;
    *out = v;
    return true;
}

int wt_cli_serve(int argc, char **argv) {
    wt_web_config cfg = {.bind = "127.0.0.1", .port = 5015, .workers = 2, .max_queue = 16};
    const char **allow = wt_xcalloc((size_t)argc + 1, sizeof *allow);
    size_t nallow = 0;
    char *gen_token = NULL, *db = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = NULL;
        const char *eq = strchr(a, '=');
        char name[64];
        if (wt_str_startswith(a, "--") && eq && (size_t)(eq - a) < sizeof name) {
            memcpy(name, a, (size_t)(eq - a));
            name[eq - a] = 0;
            v = eq + 1;
            a = name;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            free(allow);
            return 0;
        }
        bool takes = strcmp(a, "--bind") == 0 || strcmp(a, "--port") == 0 || strcmp(a, "--db") == 0 ||
                     strcmp(a, "--allow-path") == 0 || strcmp(a, "--token") == 0 || strcmp(a, "--workers") == 0 ||
                     strcmp(a, "--max-queue") == 0 || strcmp(a, "--port-file") == 0;
        if (!takes) {
            fprintf(stderr, "watchtower serve: unknown option %s (see --help)\n", argv[i]);
            free(allow);
            return 2;
        }
        if (!v) {
            if (i + 1 >= argc) {
                fprintf(stderr, "watchtower serve: %s needs a value\n", a);
                free(allow);
                return 2;
            }
            v = argv[++i];
        }
        long n;
        if (strcmp(a, "--bind") == 0) cfg.bind = v;
        else if (strcmp(a, "--db") == 0) cfg.db_path = v;
        else if (strcmp(a, "--allow-path") == 0) allow[nallow++] = v;
        else if (strcmp(a, "--token") == 0) cfg.token = v;
        else if (strcmp(a, "--port-file") == 0) cfg.port_file = v;
        else if (strcmp(a, "--port") == 0) {
            if (!parse_num(v, 0, 65535, &n)) { fprintf(stderr, "watchtower serve: --port must be 0..65535\n"); free(allow); return 2; }
            cfg.port = (uint16_t)n;
        } else if (strcmp(a, "--workers") == 0) {
            if (!parse_num(v, 1, 64, &n)) { fprintf(stderr, "watchtower serve: --workers must be 1..64\n"); free(allow); return 2; }
            cfg.workers = (int)n;
        } else if (strcmp(a, "--max-queue") == 0) {
            if (!parse_num(v, 1, 10000, &n)) { fprintf(stderr, "watchtower serve: --max-queue must be 1..10000\n"); free(allow); return 2; }
            cfg.max_queue = (int)n;
        }
    }
    char cwd[4096];
    if (nallow == 0 && getcwd(cwd, sizeof cwd)) allow[nallow++] = cwd;
    cfg.allow_paths = allow;
    cfg.nallow = nallow;
    bool loop = strcmp(cfg.bind, "127.0.0.1") == 0 || wt_str_startswith(cfg.bind, "127.") ||
                strcmp(cfg.bind, "::1") == 0 || strcmp(cfg.bind, "localhost") == 0;
    if (!loop && !cfg.token) {
        unsigned char b[24];
        FILE *f = fopen("/dev/urandom", "rb");
        if (!f || fread(b, 1, sizeof b, f) != sizeof b) {
            fprintf(stderr, "watchtower serve: cannot generate an access token\n");
            if (f) fclose(f);
            free(allow);
            return 2;
        }
        fclose(f);
        gen_token = wt_xmalloc(sizeof b * 2 + 1);
        for (size_t i = 0; i < sizeof b; i++) sprintf(gen_token + 2 * i, "%02x", b[i]);
        cfg.token = gen_token;
        printf("Access token (shown once): %s\n", gen_token);
        fflush(stdout);
    }
    if (!cfg.db_path) cfg.db_path = db = default_db();
    char *err = NULL;
    int rc = wt_web_serve(&cfg, &err);
    if (rc != 0) fprintf(stderr, "watchtower serve: %s\n", err ? err : "failed");
    free(err);
    free(db);
    free(gen_token);
    free(allow);
    return rc;
}
