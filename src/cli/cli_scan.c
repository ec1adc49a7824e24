/*
 * cli_scan.c - `watchtower scan`: parse the command line (new flags and the
 * original tool's legacy flags), run the scan through libwatchtower, apply
 * the policy, write the requested output and the three Watchtower reports,
 * and return the exit code (0 clean, 1 findings at --fail-on, 2 error).
 * Usage errors are one line on stderr. See docs/cli.md.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>

#include "cli/cli.h"
#include "core/policy.h"
#include "core/util.h"
#include "report/report_util.h"
#include "watchtower/watchtower.h"

typedef enum { FMT_TEXT = 0, FMT_JSON, FMT_SARIF } out_format;

/* Dependency module (src/deps/osv.h): build an OSV index from a local
 * all.zip. Weak, so the CLI still links in a build without that module;
 * --osv-db-from then fails with a clear message. */
struct wt_osv_build_stats;
int wt_osv_build(const char *zip_path, const char *db_path, const char *source, struct wt_osv_build_stats *st,
                 char **err);
#pragma weak wt_osv_build

typedef struct {
    wt_vec targets;          /* char* (not owned) */
    const char *format;      /* NULL = default */
    const char *output;
    const char *reports_dir;
    bool no_reports;
    const char *fail_on;
    const char *jobs;
    wt_vec excludes;
    const char *max_file_size;
    bool quiet, verbose, stats, no_color;
    const char *rules_dir;
    const char *baseline;
    const char *write_baseline;
    const char *policy;
    const char *ignore_file;
    const char *osv_db;
    const char *osv_db_from;
    const char *python_version, *sys_platform;
    /* sources */
    const char *repo_type, *path, *repo_url, *branch, *depth, *revision;
    const char *bucket, *region, *aws_key, *aws_secret, *aws_token, *endpoint_url;
    const char *target_dir, *keep_clone;
    bool lfs;
} scan_args;

enum {
    O_FORMAT = 1, O_OUTPUT, O_REPORTS_DIR, O_NO_REPORTS, O_FAIL_ON, O_JOBS, O_EXCLUDE, O_MAX_FILE_SIZE,
    O_QUIET, O_VERBOSE, O_STATS, O_VERSION, O_HELP, O_RULES_DIR, O_BASELINE, O_WRITE_BASELINE, O_POLICY,
    O_IGNORE_FILE, O_OSV_DB, O_OSV_DB_FROM, O_PYVER, O_PLATFORM, O_NO_COLOR, O_REPO_TYPE, O_PATH, O_REPO_URL, O_BRANCH,
    O_DEPTH, O_REVISION, O_BUCKET, O_REGION, O_AWS_KEY, O_AWS_SECRET, O_AWS_TOKEN, O_ENDPOINT, O_TARGET_DIR,
    O_SCAN_TF, O_LFS, O_KEEP_CLONE,
};

typedef struct {
    const char *name; /* canonical, '-' separated; '_' in user input is accepted too */
    int id;
    bool arg;
} opt_def;

static const opt_def opts[] = {
    {"format", O_FORMAT, true},          {"output", O_OUTPUT, true},
    {"reports-dir", O_REPORTS_DIR, true}, {"no-reports", O_NO_REPORTS, false},
    {"fail-on", O_FAIL_ON, true},        {"jobs", O_JOBS, true},
    {"exclude", O_EXCLUDE, true},        {"max-file-size", O_MAX_FILE_SIZE, true},
    {"quiet", O_QUIET, false},           {"verbose", O_VERBOSE, false},
    {"stats", O_STATS, false},           {"version", O_VERSION, false},
    {"help", O_HELP, false},             {"rules-dir", O_RULES_DIR, true},
    {"baseline", O_BASELINE, true},      {"write-baseline", O_WRITE_BASELINE, true},
    {"policy", O_POLICY, true},          {"ignore-file", O_IGNORE_FILE, true},
    {"osv-db", O_OSV_DB, true},          {"osv-db-from", O_OSV_DB_FROM, true},
    {"python-version", O_PYVER, true},
    {"sys-platform", O_PLATFORM, true},  {"no-color", O_NO_COLOR, false},
    {"repo-type", O_REPO_TYPE, true},    {"path", O_PATH, true},
    {"repo-url", O_REPO_URL, true},      {"branch", O_BRANCH, true},
    {"branch-name", O_BRANCH, true},     {"depth", O_DEPTH, true},
    {"revision", O_REVISION, true},      {"bucket-name", O_BUCKET, true},
    {"region", O_REGION, true},          {"aws-access-key-id", O_AWS_KEY, true},
    {"aws-secret-access-key", O_AWS_SECRET, true}, {"aws-session-token", O_AWS_TOKEN, true},
    {"endpoint-url", O_ENDPOINT, true},  {"target-dir", O_TARGET_DIR, true},
    {"scan-tf-models", O_SCAN_TF, false}, {"lfs", O_LFS, false},
    {"keep-clone", O_KEEP_CLONE, true},
};

static void scan_help(FILE *out) {
    fputs(
"Usage: watchtower scan [options] TARGET...\n"
"\n"
"TARGET is a file or folder, a git URL (https://github.com/OWNER/REPO, any git URL),\n"
"a Hugging Face repository (https://huggingface.co/OWNER/NAME, hf://[datasets/|spaces/]OWNER/NAME)\n"
"or an S3 bucket (s3://BUCKET[/PREFIX]).\n"
"\n"
"Output:\n"
"  --format text|json|sarif   output format (default text; with -o FILE and no --format, taken\n"
"                             from FILE's extension: .json -> json, .sarif -> sarif)\n"
"  -o, --output FILE          write the output to FILE instead of stdout\n"
"  --reports-dir DIR          where the three Watchtower JSON reports go\n"
"                             (default scanned_reports/<scan id>/)\n"
"  --no-reports               do not write the Watchtower JSON reports\n"
"  --fail-on low|medium|high|critical|none\n"
"                             exit 1 when a finding is at or above this severity (default high)\n"
"  -q, --quiet                no summary, no progress bar (errors only)\n"
"  -v, --verbose              show rule details, standards and fingerprints\n"
"  --stats                    artifacts, bytes read vs total, time per analyzer\n"
"  --no-color                 no ANSI colours (also: NO_COLOR=1; never used in pipes)\n"
"\n"
"Scanning:\n"
"  -j, --jobs N               worker threads (default: number of cores)\n"
"  --exclude GLOB             skip matching paths (gitignore syntax; repeatable)\n"
"  --ignore-file FILE         extra ignore file (gitignore syntax)\n"
"  --max-file-size SIZE       do not read artifacts larger than SIZE (e.g. 500M, 2G; 0 = no limit)\n"
"  --rules-dir DIR            rule tables that override or extend the built-in ones\n"
"  --policy FILE              severity overrides: lines \"RULE-ID-GLOB SEVERITY|off [PATH-GLOB]\"\n"
"  --baseline FILE            suppress findings present in FILE (a previous --format json output)\n"
"  --write-baseline FILE      write this scan's findings as a baseline file\n"
"  --osv-db PATH              OSV vulnerability database (default: see `watchtower db status`)\n"
"  --osv-db-from ZIP          build the OSV database for this scan from a local OSV export (all.zip);\n"
"                             kept at --osv-db PATH if given, else temporary\n"
"  --python-version X.Y       Python version for requirement markers (default 3.11)\n"
"  --sys-platform NAME        sys.platform for requirement markers (default linux)\n"
"\n"
"Remote sources:\n"
"  --branch NAME              git branch (default: the remote's default branch)\n"
"  --depth N                  git clone depth (default 1)\n"
"  --revision REV             Hugging Face branch, tag or commit\n"
"  --lfs                      fetch git LFS objects\n"
"  --keep-clone DIR           keep the git clone in DIR\n"
"  --endpoint-url URL         S3-compatible endpoint\n"
"  --region, --aws-access-key-id, --aws-secret-access-key, --aws-session-token\n"
"                             S3 region and credentials (default: environment / ~/.aws)\n"
"\n"
"Legacy flags of the original tool (same meaning):\n"
"  --repo_type=file|folder|github|huggingface|s3  --path=PATH  --repo_url=URL\n"
"  --branch_name=NAME  --depth=N  --bucket_name=NAME  --region=R  --aws_access_key_id=K\n"
"  --aws_secret_access_key=S  --target_dir=DIR  --scan_tf_models (accepted; every format is scanned)\n"
"\n"
"Exit codes: 0 no finding at or above --fail-on, 1 such findings, 2 usage or scan error.\n",
        out);
}

static int usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_err(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("watchtower: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs(" (see `watchtower scan --help`)\n", stderr);
    va_end(ap);
    return 2;
}

static const opt_def *find_opt(const char *name, size_t len) {
    char norm[64];
    if (len >= sizeof norm) return NULL;
    for (size_t i = 0; i < len; i++) norm[i] = name[i] == '_' ? '-' : name[i];
    norm[len] = 0;
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        if (strcmp(opts[i].name, norm) == 0) return &opts[i];
    return NULL;
}

/* Returns 0, or an exit code (2 usage error, -1 = help/version printed). */
static int parse_args(int argc, char **argv, scan_args *a) {
    bool only_pos = false;
    for (int i = 1; i < argc; i++) {
        char *s = argv[i];
        if (only_pos || s[0] != '-' || strcmp(s, "-") == 0) {
            wt_vec_push(&a->targets, s);
            continue;
        }
        if (strcmp(s, "--") == 0) { only_pos = true; continue; }
        int id;
        const char *val = NULL;
        bool has_eq = false;
        const char *shown = s;
        if (s[1] == '-') {
            const char *name = s + 2;
            const char *eq = strchr(name, '=');
            size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
            const opt_def *d = find_opt(name, nlen);
            if (!d) return usage_err("unknown option '--%.*s'", (int)(nlen > 60 ? 60 : nlen), name);
            id = d->id;
            if (eq) { val = eq + 1; has_eq = true; }
            if (d->arg && !has_eq) {
                if (i + 1 >= argc) return usage_err("option '--%s' needs a value", d->name);
                val = argv[++i];
            } else if (!d->arg && has_eq && id != O_SCAN_TF && id != O_LFS) {
                return usage_err("option '--%s' takes no value", d->name);
            }
        } else {
            /* short options: -o FILE, -oFILE, -j N, -q, -v, -h, -V */
            char c = s[1];
            switch (c) {
            case 'o': id = O_OUTPUT; break;
            case 'j': id = O_JOBS; break;
            case 'q': id = O_QUIET; break;
            case 'v': id = O_VERBOSE; break;
            case 'h': id = O_HELP; break;
            case 'V': id = O_VERSION; break;
            default: return usage_err("unknown option '%s'", shown);
            }
            if (id == O_OUTPUT || id == O_JOBS) {
                if (s[2]) val = s + 2;
                else if (i + 1 < argc) val = argv[++i];
                else return usage_err("option '-%c' needs a value", c);
            } else if (s[2]) {
                return usage_err("unknown option '%s'", shown);
            }
        }
        switch (id) {
        case O_FORMAT: a->format = val; break;
        case O_OUTPUT: a->output = val; break;
        case O_REPORTS_DIR: a->reports_dir = val; break;
        case O_NO_REPORTS: a->no_reports = true; break;
        case O_FAIL_ON: a->fail_on = val; break;
        case O_JOBS: a->jobs = val; break;
        case O_EXCLUDE: wt_vec_push(&a->excludes, (void *)val); break;
        case O_MAX_FILE_SIZE: a->max_file_size = val; break;
        case O_QUIET: a->quiet = true; break;
        case O_VERBOSE: a->verbose = true; break;
        case O_STATS: a->stats = true; break;
        case O_NO_COLOR: a->no_color = true; break;
        case O_VERSION: printf("watchtower %s\n", WT_VERSION); return -1;
        case O_HELP: scan_help(stdout); return -1;
        case O_RULES_DIR: a->rules_dir = val; break;
        case O_BASELINE: a->baseline = val; break;
        case O_WRITE_BASELINE: a->write_baseline = val; break;
        case O_POLICY: a->policy = val; break;
        case O_IGNORE_FILE: a->ignore_file = val; break;
        case O_OSV_DB: a->osv_db = val; break;
        case O_OSV_DB_FROM: a->osv_db_from = val; break;
        case O_PYVER: a->python_version = val; break;
        case O_PLATFORM: a->sys_platform = val; break;
        case O_REPO_TYPE: a->repo_type = val; break;
        case O_PATH: a->path = val; break;
        case O_REPO_URL: a->repo_url = val; break;
        case O_BRANCH: a->branch = val; break;
        case O_DEPTH: a->depth = val; break;
        case O_REVISION: a->revision = val; break;
        case O_BUCKET: a->bucket = val; break;
        case O_REGION: a->region = val; break;
        case O_AWS_KEY: a->aws_key = val; break;
        case O_AWS_SECRET: a->aws_secret = val; break;
        case O_AWS_TOKEN: a->aws_token = val; break;
        case O_ENDPOINT: a->endpoint_url = val; break;
        case O_TARGET_DIR: a->target_dir = val; break;
        case O_SCAN_TF: break; /* accepted: every format is always scanned */
        case O_LFS: a->lfs = !(val && (strcmp(val, "false") == 0 || strcmp(val, "0") == 0 || strcmp(val, "no") == 0)); break;
        case O_KEEP_CLONE: a->keep_clone = val; break;
        default: break;
        }
    }
    return 0;
}

/* "10M", "2G", "1.5G", "4096", "512k", "10MB", "10MiB" -> bytes. */
static int parse_size(const char *s, uint64_t *out) {
    if (!s || !*s) return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0) return -1;
    uint64_t mul = 1;
    switch (*end) {
    case 'k': case 'K': mul = 1ULL << 10; end++; break;
    case 'm': case 'M': mul = 1ULL << 20; end++; break;
    case 'g': case 'G': mul = 1ULL << 30; end++; break;
    case 't': case 'T': mul = 1ULL << 40; end++; break;
    default: break;
    }
    if (mul > 1 && (*end == 'i' || *end == 'I')) end++;
    if (*end == 'b' || *end == 'B') end++;
    if (*end) return -1;
    double r = v * (double)mul;
    if (r >= 1.8e19) return -1;
    *out = (uint64_t)r;
    return 0;
}

static int parse_int(const char *s, long lo, long hi, long *out) {
    if (!s || !*s) return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* ---- progress bar (stderr, TTY only) ---- */
typedef struct {
    pthread_mutex_t mu;
    uint64_t start, last;
    bool shown;
} progress_state;

static void human_bytes(uint64_t b, char *buf, size_t n) {
    const char *u[] = {"B", "KB", "MB", "GB", "TB"};
    double v = (double)b;
    int i = 0;
    while (v >= 1024.0 && i < 4) { v /= 1024.0; i++; }
    if (i == 0) snprintf(buf, n, "%llu B", (unsigned long long)b);
    else snprintf(buf, n, "%.1f %s", v, u[i]);
}

static void progress_cb(void *ud, const wt_progress *p) {
    progress_state *ps = ud;
    uint64_t now = wt_now_ns();
    pthread_mutex_lock(&ps->mu);
    /* Only for scans longer than a moment, and at most 10 redraws/s. */
    if (now - ps->start < 400000000ULL || (ps->shown && now - ps->last < 100000000ULL)) {
        pthread_mutex_unlock(&ps->mu);
        return;
    }
    ps->last = now;
    ps->shown = true;
    const int width = 24;
    int fill = p->artifacts_total ? (int)((double)p->artifacts_done / (double)p->artifacts_total * width) : 0;
    if (fill > width) fill = width;
    char bar[32];
    for (int i = 0; i < width; i++) bar[i] = i < fill ? '#' : '.';
    bar[width] = 0;
    char rd[32], tot[32], rate[32];
    human_bytes(p->bytes_read, rd, sizeof rd);
    human_bytes(p->bytes_total, tot, sizeof tot);
    double secs = (double)(now - ps->start) / 1e9;
    human_bytes(secs > 0 ? (uint64_t)((double)p->bytes_read / secs) : 0, rate, sizeof rate);
    fprintf(stderr, "\r\033[K[%s] %zu/%zu artifacts  %s read of %s  %s/s", bar, p->artifacts_done,
            p->artifacts_total, rd, tot, rate);
    fflush(stderr);
    pthread_mutex_unlock(&ps->mu);
}

static void progress_clear(progress_state *ps) {
    if (ps->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}

/* ---- Ctrl-C: ask the scan to stop so sources clean up (temp clones) ---- */
static volatile int g_cancel;

static void on_signal(int sig) {
    if (g_cancel) {
        /* second signal: stop now */
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    g_cancel = 1;
}

static void install_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* ---- helpers ---- */
/* Library messages on one line, control characters shown escaped. */
static void print_error(const char *msg) {
    fputs("watchtower: error: ", stderr);
    for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t') fputc(' ', stderr);
        else if (*p < 0x20 || *p == 0x7f) fprintf(stderr, "\\x%02x", *p);
        else fputc(*p, stderr);
    }
    fputc('\n', stderr);
}

static bool is_remote_like(const char *s) {
    return strstr(s, "://") != NULL || strncmp(s, "git@", 4) == 0;
}

static bool want_color(FILE *f, const scan_args *a) {
    if (a->no_color) return false;
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc) return false;
    const char *term = getenv("TERM");
    if (term && strcmp(term, "dumb") == 0) return false;
    return isatty(fileno(f));
}

static void print_stats(FILE *out, const wt_scan_result *r) {
    char rd[32], tot[32];
    human_bytes(r->bytes_read, rd, sizeof rd);
    human_bytes(r->bytes_total, tot, sizeof tot);
    fprintf(out, "\nStatistics:\n");
    fprintf(out, "  artifacts:   %zu found, %zu scanned (models %zu, notebooks & requirement files %zu)\n",
            r->artifacts, r->artifacts_scanned, r->models_scanned, r->nbreq_scanned);
    fprintf(out, "  bytes read:  %llu of %llu (%s of %s, %.3f%%)\n", (unsigned long long)r->bytes_read,
            (unsigned long long)r->bytes_total, rd, tot,
            r->bytes_total ? 100.0 * (double)r->bytes_read / (double)r->bytes_total : 0.0);
    if (r->bytes_unpacked) {
        char up[32];
        human_bytes(r->bytes_unpacked, up, sizeof up);
        fprintf(out, "  decompressed: %llu (%s)\n", (unsigned long long)r->bytes_unpacked, up);
    }
    fprintf(out, "  wall time:   %.3f s\n", r->seconds);
    if (r->nstats) {
        fprintf(out, "  %-20s %10s %12s\n", "analyzer", "artifacts", "time (ms)");
        for (size_t i = 0; i < r->nstats; i++)
            fprintf(out, "  %-20s %10llu %12.3f\n", r->stats[i].name ? r->stats[i].name : "?",
                    (unsigned long long)r->stats[i].artifacts, (double)r->stats[i].nanos / 1e6);
    }
}

/* Remove a private temporary directory and the files directly in it. */
static void remove_tmpdir(const char *dir) {
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *de;
        while ((de = readdir(d))) {
            if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
            char *p = wt_xasprintf("%s/%s", dir, de->d_name);
            unlink(p);
            free(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* Write the chosen format to path (NULL or "-" = stdout). A regular file
 * (or a new one) is replaced atomically, so a failed or interrupted scan
 * never leaves half a SARIF file for CI to upload; devices and pipes
 * (/dev/stdout, a FIFO) are written directly. */
static int write_output(const wt_scan_result *r, out_format fmt, const char *path, const scan_args *a) {
    if (path && strcmp(path, "-") == 0) path = NULL;
    struct stat st;
    bool atomic = path && (stat(path, &st) != 0 || S_ISREG(st.st_mode));
    char *buf = NULL;
    size_t len = 0;
    FILE *f = stdout;
    if (atomic) {
        f = open_memstream(&buf, &len);
    } else if (path) {
        f = fopen(path, "w");
    }
    if (!f) {
        fprintf(stderr, "watchtower: error: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    int rc;
    switch (fmt) {
    case FMT_JSON: rc = wt_report_json(r, f); break;
    case FMT_SARIF: rc = wt_report_sarif(r, f); break;
    default: rc = wt_report_text(r, f, path ? false : want_color(f, a), a->verbose); break;
    }
    if (path && fclose(f) != 0) rc = WT_ERR_IO;
    if (rc == WT_OK && atomic) {
        char *err = NULL;
        if (wt_write_atomic(path, buf, len, &err) != 0) {
            print_error(err ? err : "cannot write output");
            free(err);
            free(buf);
            return -1;
        }
    }
    free(buf);
    if (rc != WT_OK) {
        fprintf(stderr, "watchtower: error: cannot write %s\n", path ? path : "output");
        return -1;
    }
    return 0;
}

static int run(scan_args *a) {
    /* ---- validate ---- */
    if (a->quiet && a->verbose) return usage_err("--quiet and --verbose contradict each other");
    if (a->no_reports && a->reports_dir) return usage_err("--no-reports and --reports-dir contradict each other");

    out_format fmt = FMT_TEXT;
    if (a->format) {
        if (strcmp(a->format, "text") == 0) fmt = FMT_TEXT;
        else if (strcmp(a->format, "json") == 0) fmt = FMT_JSON;
        else if (strcmp(a->format, "sarif") == 0) fmt = FMT_SARIF;
        else return usage_err("--format must be text, json or sarif, not '%s'", a->format);
    } else if (a->output) {
        if (wt_str_endswith_ci(a->output, ".sarif") || wt_str_endswith_ci(a->output, ".sarif.json")) fmt = FMT_SARIF;
        else if (wt_str_endswith_ci(a->output, ".json")) fmt = FMT_JSON;
    }

    wt_severity fail_on = WT_SEV_HIGH;
    bool fail_none = false;
    if (a->fail_on) {
        if (strcmp(a->fail_on, "none") == 0 || strcmp(a->fail_on, "never") == 0) fail_none = true;
        else if (wt_severity_parse(a->fail_on, &fail_on) != 0 || fail_on == WT_SEV_NONE)
            return usage_err("--fail-on must be low, medium, high, critical or none, not '%s'", a->fail_on);
    }

    wt_scan_options o;
    wt_scan_options_default(&o);
    if (a->jobs) {
        long j;
        if (parse_int(a->jobs, 1, 1024, &j) != 0) return usage_err("--jobs must be a number from 1 to 1024, not '%s'", a->jobs);
        o.jobs = (int)j;
    }
    if (a->depth) {
        long d;
        if (parse_int(a->depth, 1, 1000000, &d) != 0) return usage_err("--depth must be a positive number, not '%s'", a->depth);
        o.depth = (int)d;
    }
    if (a->max_file_size) {
        uint64_t sz;
        if (parse_size(a->max_file_size, &sz) != 0)
            return usage_err("--max-file-size must be a size such as 500M or 2G, not '%s'", a->max_file_size);
        o.limits.max_file_size = sz;
    }

    const char *rt = a->repo_type;
    if (rt && strcmp(rt, "file") && strcmp(rt, "folder") && strcmp(rt, "github") && strcmp(rt, "huggingface") &&
        strcmp(rt, "s3"))
        return usage_err("--repo_type must be file, folder, github, huggingface or s3, not '%s'", rt);
    bool rt_local = rt && (!strcmp(rt, "file") || !strcmp(rt, "folder"));
    bool rt_repo = rt && (!strcmp(rt, "github") || !strcmp(rt, "huggingface"));
    bool rt_s3 = rt && !strcmp(rt, "s3");
    if (a->path && a->repo_url) return usage_err("--path and --repo_url contradict each other: give one target");
    if (a->path && (rt_repo || rt_s3)) return usage_err("--path is for --repo_type=file or folder, not %s", rt);
    if (a->repo_url && (rt_local || rt_s3)) return usage_err("--repo_url is for --repo_type=github or huggingface, not %s", rt);
    if (a->bucket && rt && !rt_s3) return usage_err("--bucket_name needs --repo_type=s3, not %s", rt);

    /* Targets: positionals + legacy --path / --repo_url / --bucket_name. */
    wt_vec targets = {0};
    wt_vec owned = {0};
    char *osv_tmpdir = NULL;
    for (size_t i = 0; i < a->targets.len; i++) wt_vec_push(&targets, a->targets.items[i]);
    if (a->path) wt_vec_push(&targets, (void *)a->path);
    if (a->repo_url) wt_vec_push(&targets, (void *)a->repo_url);
    if (a->bucket) {
        if (!*a->bucket || strchr(a->bucket, '/')) {
            wt_vec_free(&targets, NULL);
            return usage_err("--bucket_name must be a bucket name, not '%s'", a->bucket);
        }
        char *u = wt_xasprintf("s3://%s", a->bucket);
        wt_vec_push(&owned, u);
        wt_vec_push(&targets, u);
    }
    int rc = 2;
    if (targets.len == 0) {
        if (rt_s3) rc = usage_err("--repo_type=s3 needs --bucket_name");
        else if (rt_repo) rc = usage_err("--repo_type=%s needs --repo_url", rt);
        else if (rt_local) rc = usage_err("--repo_type=%s needs --path", rt);
        else rc = usage_err("no target given");
        goto out;
    }
    for (size_t i = 0; i < targets.len; i++) {
        const char *t = targets.items[i];
        if (!*t) { rc = usage_err("empty target"); goto out; }
        bool remote = is_remote_like(t);
        if (rt_s3 && strncmp(t, "s3://", 5) != 0) {
            rc = usage_err("--repo_type=s3 needs --bucket_name (got target '%s')", t);
            goto out;
        }
        if (rt_local && remote) {
            rc = usage_err("--repo_type=%s but '%s' is a URL", rt, t);
            goto out;
        }
        if (!remote && !rt_repo) {
            struct stat st;
            if (stat(t, &st) != 0) {
                fprintf(stderr, "watchtower: error: %s: %s\n", t, strerror(errno));
                rc = 2;
                goto out;
            }
            if (rt && !strcmp(rt, "file") && S_ISDIR(st.st_mode)) {
                rc = usage_err("--repo_type=file but '%s' is a folder (use --repo_type=folder)", t);
                goto out;
            }
            if (rt && !strcmp(rt, "folder") && !S_ISDIR(st.st_mode)) {
                rc = usage_err("--repo_type=folder but '%s' is not a folder (use --repo_type=file)", t);
                goto out;
            }
        }
        wt_target tg;
        char *err = NULL;
        memset(&tg, 0, sizeof tg);
        if (wt_target_parse(t, rt, &tg, &err) != WT_OK) {
            print_error(err ? err : "invalid target");
            free(err);
            rc = 2;
            goto out;
        }
        bool tg_local = tg.kind == WT_TARGET_LOCAL;
        wt_target_fini(&tg);
        if (rt_repo && tg_local) {
            rc = usage_err("--repo_type=%s needs a repository URL, not '%s'", rt, t);
            goto out;
        }
    }

    /* --ignore-file: its lines are gitignore patterns, like --exclude. */
    if (a->ignore_file) {
        FILE *f = fopen(a->ignore_file, "r");
        if (!f) {
            fprintf(stderr, "watchtower: error: %s: %s\n", a->ignore_file, strerror(errno));
            rc = 2;
            goto out;
        }
        char line[4096];
        while (fgets(line, sizeof line, f)) {
            size_t n = strcspn(line, "\r\n");
            line[n] = 0;
            if (!n || line[0] == '#') continue;
            char *pat = wt_xstrdup(line);
            wt_vec_push(&owned, pat);
            wt_vec_push(&a->excludes, pat);
        }
        fclose(f);
    }
    o.excludes = (const char *const *)a->excludes.items;
    o.nexcludes = a->excludes.len;
    o.rules_dir = a->rules_dir;
    o.repo_type = rt;
    o.branch = a->branch;
    o.revision = a->revision;
    o.bucket = a->bucket;
    o.region = a->region;
    o.aws_access_key_id = a->aws_key;
    o.aws_secret_access_key = a->aws_secret;
    o.aws_session_token = a->aws_token;
    o.endpoint_url = a->endpoint_url;
    o.target_dir = a->target_dir;
    o.lfs = a->lfs;
    o.keep_clone = a->keep_clone;
    if (a->osv_db) o.osv_db = a->osv_db;
    if (a->osv_db_from && !wt_osv_build) {
        /* nothing would use the database: say so and scan the rest */
        if (!a->quiet) fputs("watchtower: warning: --osv-db-from ignored: dependency checks are not part of this build\n", stderr);
    } else if (a->osv_db_from) {
        char *dbp = NULL;
        if (a->osv_db) {
            dbp = wt_xstrdup(a->osv_db);
        } else {
            const char *td = getenv("TMPDIR");
            char *tmpl = wt_xasprintf("%s/watchtower-osv-XXXXXX", td && *td ? td : "/tmp");
            if (!mkdtemp(tmpl)) {
                fprintf(stderr, "watchtower: error: cannot create a temporary directory: %s\n", strerror(errno));
                free(tmpl);
                rc = 2;
                goto out;
            }
            osv_tmpdir = tmpl;
            dbp = wt_xasprintf("%s/osv.sqlite", tmpl);
        }
        char *err = NULL;
        if (wt_osv_build(a->osv_db_from, dbp, a->osv_db_from, NULL, &err) != WT_OK) {
            print_error(err ? err : "cannot import the OSV database");
            free(err);
            free(dbp);
            rc = 2;
            goto out;
        }
        wt_vec_push(&owned, dbp);
        o.osv_db = dbp;
    }
    if (a->python_version) o.python_version = a->python_version;
    if (a->sys_platform) o.sys_platform = a->sys_platform;
    o.ignore_file = a->ignore_file;
    /* The baseline is applied below with the policy (which also notes how
     * many findings it suppressed), not through o.baseline. */

    /* Load the policy before scanning so a bad file fails fast. */
    wt_policy *pol = wt_policy_new();
    {
        char *err = NULL;
        if ((a->policy && wt_policy_load_overrides(pol, a->policy, &err) != 0) ||
            (a->baseline && wt_policy_load_baseline(pol, a->baseline, &err) != 0)) {
            print_error(err ? err : "cannot load policy");
            free(err);
            wt_policy_free(pol);
            rc = 2;
            goto out;
        }
    }

    progress_state ps = {.start = wt_now_ns()};
    pthread_mutex_init(&ps.mu, NULL);
    if (!a->quiet && isatty(STDERR_FILENO)) {
        o.progress = progress_cb;
        o.progress_ud = &ps;
    }

    o.cancel = &g_cancel;
    wt_scan_result *r = NULL;
    char *err = NULL;
    int src = wt_scan((const char *const *)targets.items, targets.len, &o, &r, &err);
    progress_clear(&ps);
    pthread_mutex_destroy(&ps.mu);
    if (src != WT_OK || !r) {
        print_error(err && *err ? err : "scan failed");
        free(err);
        wt_policy_free(pol);
        if (r) wt_scan_result_free(r);
        rc = 2;
        goto out;
    }
    free(err);
    if (g_cancel) {
        fputs("watchtower: error: interrupted; no reports written\n", stderr);
        wt_policy_free(pol);
        wt_scan_result_free(r);
        rc = 2;
        goto out;
    }
    wt_policy_apply_result(pol, r);
    wt_policy_free(pol);

    /* ---- outputs ---- */
    rc = 0;
    bool machine_on_stdout = fmt != FMT_TEXT && !a->output;
    FILE *human = machine_on_stdout ? stderr : stdout;
    if (fmt != FMT_TEXT || a->output) {
        if (write_output(r, fmt, a->output, a) != 0) rc = 2;
    }
    if (rc == 0 && a->write_baseline) {
        char *e = NULL;
        if (wt_baseline_write(r, a->write_baseline, &e) != 0) {
            print_error(e ? e : "cannot write baseline");
            rc = 2;
        }
        free(e);
    }
    char *summary = NULL;
    if (rc == 0 && !a->no_reports) {
        char *dir = a->reports_dir ? wt_xstrdup(a->reports_dir)
                                   : wt_xasprintf("scanned_reports/%s", r->scan_id ? r->scan_id : "scan");
        char *e = NULL;
        if (wt_reports_write(r, dir, &summary, &e) != WT_OK) {
            print_error(e ? e : "cannot write reports");
            rc = 2;
        }
        free(e);
        free(dir);
    }
    if (rc == 0 && !a->quiet) {
        if (!machine_on_stdout) {
            wt_report_text(r, stdout, want_color(stdout, a), a->verbose);
            if (a->output) fprintf(stdout, "Output written to %s\n", a->output);
        }
        if (a->stats) print_stats(human, r);
        if (summary) fprintf(human, "Summary report: %s\n", summary);
        fflush(human);
    } else if (rc == 0 && a->stats) {
        print_stats(stderr, r);
    }
    free(summary);
    if (rc == 0 && !fail_none) {
        for (size_t i = 0; i < r->nfindings; i++)
            if (r->findings[i]->severity >= fail_on) { rc = 1; break; }
    }
    wt_scan_result_free(r);
out:
    if (osv_tmpdir) {
        remove_tmpdir(osv_tmpdir);
        free(osv_tmpdir);
    }
    wt_vec_free(&targets, NULL);
    wt_vec_free(&owned, free);
    return rc;
}

int wt_cli_scan(int argc, char **argv) {
    scan_args a;
    memset(&a, 0, sizeof a);
    g_cancel = 0;
    install_signals();
    int rc = parse_args(argc, argv, &a);
    if (rc == 0) rc = run(&a);
    else if (rc < 0) rc = 0; /* --help / --version */
    wt_vec_free(&a.targets, NULL);
    wt_vec_free(&a.excludes, NULL);
    return rc;
}
