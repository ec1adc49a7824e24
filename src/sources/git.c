/*
 * git.c - git source: GitHub and any git URL (https, http, ssh, git, file).
 *
 * Clones with the git CLI, run with fork/execve and an argument vector
 * (never a shell): shallow (--depth, default 1), single branch (--branch or
 * the remote's default branch), no tags, symlinks checked out as plain files,
 * LFS smudging off (GIT_LFS_SKIP_SMUDGE=1) unless --lfs. The clone goes to a
 * private directory (mkdtemp under $TMPDIR, mode 0700) that is removed when
 * the source is destroyed, at exit, after errors and on SIGINT/SIGTERM (a
 * registry of live clones and a signal handler that removes them with
 * fork/exec of rm, both async-signal-safe). --keep-clone DIR keeps one.
 *
 * A token from GITHUB_TOKEN / GIT_TOKEN is given to git only through the
 * child's environment (GIT_CONFIG_COUNT/KEY/VALUE = an http.<origin>/
 * .extraHeader scoped to the clone URL's origin): never in a URL, argv,
 * message or report. After cloning, the entries come from the local source
 * (wt_source_local_from_dir); Git LFS pointer files get a note "not scanned:
 * LFS object" unless --lfs fetched the objects.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <openssl/evp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/util.h"
#include "sources/remote.h"

extern char **environ;

#define MAX_CLONES 64
#define STDERR_MAX (16 * 1024)
#define STDOUT_MAX (4 * 1024 * 1024)
#define LFS_POINTER_MAX 1024

/* ---- registry of live clone directories (for signals and exit) ---- */

typedef struct clone_slot {
    volatile sig_atomic_t used;
    volatile sig_atomic_t removing;
    char dir[PATH_MAX];
    wt_source *src;
    void (*orig_destroy)(wt_source *);
    bool keep;
} clone_slot;

static clone_slot slots[MAX_CLONES];
static volatile pid_t git_children[MAX_CLONES];
static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static bool handlers_installed;
static struct sigaction old_int, old_term, old_hup;
static char rm_path[64];

static void remove_tree_signal_safe(const char *dir) {
    /* fork/execve/waitpid are async-signal-safe; rm -rf does the walk */
    if (!rm_path[0]) return;
    pid_t pid = fork();
    if (pid == 0) {
        char *const argv[] = {"rm", "-rf", "--", (char *)dir, NULL};
        char *const envp[] = {NULL};
        execve(rm_path, argv, envp);
        _exit(127);
    }
    if (pid > 0) {
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    }
}

static void on_fatal_signal(int sig) {
    int saved = errno;
    for (int i = 0; i < MAX_CLONES; i++) {
        pid_t p = git_children[i];
        if (p > 0) {
            kill(p, SIGKILL);
            int st;
            waitpid(p, &st, 0);
        }
    }
    for (int i = 0; i < MAX_CLONES; i++) {
        if (slots[i].used && !slots[i].keep && slots[i].dir[0]) {
            slots[i].removing = 1;
            remove_tree_signal_safe(slots[i].dir);
            slots[i].dir[0] = 0;
        }
    }
    struct sigaction *old = sig == SIGINT ? &old_int : sig == SIGTERM ? &old_term : &old_hup;
    sigaction(sig, old, NULL);
    errno = saved;
    if (old->sa_handler == SIG_DFL) {
        raise(sig); /* die of the signal, as without us */
    } else if (old->sa_handler != SIG_IGN) {
        if (old->sa_flags & SA_SIGINFO) old->sa_sigaction(sig, NULL, NULL);
        else old->sa_handler(sig);
    }
}

static int remove_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb; (void)ftw;
    if (flag == FTW_DP) rmdir(path);
    else unlink(path);
    return 0;
}

static void remove_tree(const char *dir) {
    /* git's read-only object files need only a writable directory to go */
    nftw(dir, remove_cb, 32, FTW_DEPTH | FTW_PHYS);
    rmdir(dir);
}

void wt_git_cleanup_all(void) {
    pthread_mutex_lock(&reg_mu);
    for (int i = 0; i < MAX_CLONES; i++) {
        if (slots[i].used && !slots[i].keep && slots[i].dir[0]) {
            remove_tree(slots[i].dir);
            slots[i].dir[0] = 0;
        }
    }
    pthread_mutex_unlock(&reg_mu);
}

static void install_handlers_locked(void) {
    if (handlers_installed) return;
    handlers_installed = true;
    if (access("/bin/rm", X_OK) == 0) strcpy(rm_path, "/bin/rm");
    else if (access("/usr/bin/rm", X_OK) == 0) strcpy(rm_path, "/usr/bin/rm");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaddset(&sa.sa_mask, SIGHUP);
    /* a signal the process ignores (nohup, background jobs) stays ignored */
    sigaction(SIGINT, &sa, &old_int);
    if (old_int.sa_handler == SIG_IGN) sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &sa, &old_term);
    if (old_term.sa_handler == SIG_IGN) sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &sa, &old_hup);
    if (old_hup.sa_handler == SIG_IGN) sigaction(SIGHUP, &old_hup, NULL);
    atexit(wt_git_cleanup_all);
}

static int register_dir(const char *dir, bool keep) {
    pthread_mutex_lock(&reg_mu);
    install_handlers_locked();
    int slot = -1;
    for (int i = 0; i < MAX_CLONES; i++) {
        if (!slots[i].used) { slot = i; break; }
    }
    if (slot >= 0) {
        snprintf(slots[slot].dir, sizeof slots[slot].dir, "%s", dir);
        slots[slot].keep = keep;
        slots[slot].src = NULL;
        slots[slot].orig_destroy = NULL;
        slots[slot].removing = 0;
        slots[slot].used = 1;
    }
    pthread_mutex_unlock(&reg_mu);
    return slot;
}

/* Remove (unless kept) and forget a clone. */
static void release_slot(int slot) {
    if (slot < 0) return;
    pthread_mutex_lock(&reg_mu);
    if (!slots[slot].keep && slots[slot].dir[0]) remove_tree(slots[slot].dir);
    slots[slot].dir[0] = 0;
    slots[slot].src = NULL;
    slots[slot].used = 0;
    pthread_mutex_unlock(&reg_mu);
}

static void git_destroy(wt_source *s) {
    int slot = -1;
    void (*orig)(wt_source *) = NULL;
    pthread_mutex_lock(&reg_mu);
    for (int i = 0; i < MAX_CLONES; i++) {
        if (slots[i].used && slots[i].src == s) { slot = i; orig = slots[i].orig_destroy; break; }
    }
    pthread_mutex_unlock(&reg_mu);
    if (orig) orig(s);
    release_slot(slot);
}

/* ---- running git ---- */

static char *find_in_path(const char *prog) {
    const char *path = getenv("PATH");
    if (!path || !*path) path = "/usr/local/bin:/usr/bin:/bin";
    const char *p = path;
    while (*p) {
        size_t n = strcspn(p, ":");
        char *cand = wt_xasprintf("%.*s/%s", (int)n, p, prog);
        if (n > 0 && access(cand, X_OK) == 0) return cand;
        free(cand);
        p += n;
        if (*p == ':') p++;
    }
    return NULL;
}

typedef struct env_builder {
    wt_vec v;
} env_builder;

static bool env_dropped(const char *kv) {
    static const char *const drop[] = {"GIT_DIR=", "GIT_WORK_TREE=", "GIT_INDEX_FILE=", "GIT_OBJECT_DIRECTORY=",
                                       "GIT_ALTERNATE_OBJECT_DIRECTORIES=", "GIT_TERMINAL_PROMPT=",
                                       "GIT_LFS_SKIP_SMUDGE=", "GIT_CONFIG_COUNT=", "GIT_ALLOW_PROTOCOL=",
                                       "GIT_ASKPASS=", "SSH_ASKPASS=", NULL};
    for (int i = 0; drop[i]; i++)
        if (strncmp(kv, drop[i], strlen(drop[i])) == 0) return true;
    return false;
}

/* Child environment: ours minus a few GIT_* variables, plus settings. The
 * token header (if any) is appended as GIT_CONFIG_KEY/VALUE after any
 * config entries the user's environment already had. */
static char **build_env(bool lfs, const char *header_key, const char *header_value) {
    wt_vec v = {0};
    long user_count = 0;
    const char *uc = getenv("GIT_CONFIG_COUNT");
    if (uc) {
        char *end;
        user_count = strtol(uc, &end, 10);
        if (*end || user_count < 0 || user_count > 1000) user_count = 0;
    }
    for (char **e = environ; *e; e++)
        if (!env_dropped(*e)) wt_vec_push(&v, wt_xstrdup(*e));
    wt_vec_push(&v, wt_xstrdup("GIT_TERMINAL_PROMPT=0"));
    wt_vec_push(&v, wt_xstrdup("GIT_ASKPASS=/bin/false"));
    wt_vec_push(&v, wt_xstrdup("SSH_ASKPASS=/bin/false"));
    wt_vec_push(&v, wt_xstrdup("GIT_ALLOW_PROTOCOL=file:git:http:https:ssh"));
    if (!lfs) wt_vec_push(&v, wt_xstrdup("GIT_LFS_SKIP_SMUDGE=1"));
    long count = user_count;
    if (header_key) {
        wt_vec_push(&v, wt_xasprintf("GIT_CONFIG_KEY_%ld=%s", count, header_key));
        wt_vec_push(&v, wt_xasprintf("GIT_CONFIG_VALUE_%ld=%s", count, header_value));
        count++;
    }
    if (count > 0) wt_vec_push(&v, wt_xasprintf("GIT_CONFIG_COUNT=%ld", count));
    wt_vec_push(&v, NULL);
    return (char **)v.items;
}

static void free_env(char **env) {
    if (!env) return;
    for (char **e = env; *e; e++) {
        volatile char *p = *e;
        while (*p) *p++ = 0; /* may hold the token header */
        free(*e);
    }
    free(env);
}

/* Run git with argv, capture stderr (and stdout if outtxt). Returns the
 * exit status (0 ok), -1 if it could not run, -2 if cancelled. */
static int run_git2(const char *git, char *const *argv, char **env, const char *cwd, volatile int *cancel,
                    char **errout, char **outtxt) {
    int efd[2], ofd[2] = {-1, -1};
    *errout = NULL;
    if (outtxt) *outtxt = NULL;
    if (pipe2(efd, O_CLOEXEC) != 0) return -1;
    if (outtxt && pipe2(ofd, O_CLOEXEC) != 0) { close(efd[0]); close(efd[1]); return -1; }
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0) {
        close(efd[0]); close(efd[1]);
        if (outtxt) { close(ofd[0]); close(ofd[1]); }
        return -1;
    }
    int slot = -1;
    pthread_mutex_lock(&reg_mu);
    install_handlers_locked();
    for (int i = 0; i < MAX_CLONES; i++) {
        if (git_children[i] == 0) { slot = i; git_children[i] = -1; break; }
    }
    pthread_mutex_unlock(&reg_mu);
    pid_t pid = fork();
    if (pid == 0) {
        /* child: only async-signal-safe calls until execve */
        dup2(devnull, 0);
        dup2(outtxt ? ofd[1] : devnull, 1);
        dup2(efd[1], 2);
        if (cwd && chdir(cwd) != 0) _exit(126);
        execve(git, argv, env);
        _exit(127);
    }
    close(efd[1]);
    if (outtxt) close(ofd[1]);
    close(devnull);
    if (pid < 0) {
        close(efd[0]);
        if (outtxt) close(ofd[0]);
        if (slot >= 0) git_children[slot] = 0;
        return -1;
    }
    if (slot >= 0) git_children[slot] = pid;
    wt_buf eb, ob;
    wt_buf_init(&eb);
    wt_buf_init(&ob);
    bool killed = false;
    int open_fds = outtxt ? 2 : 1;
    struct pollfd p[2] = {{.fd = efd[0], .events = POLLIN}, {.fd = outtxt ? ofd[0] : -1, .events = POLLIN}};
    while (open_fds > 0) {
        int pr = poll(p, 2, 200);
        if (pr < 0 && errno == EINTR) continue;
        if (cancel && *cancel && !killed) {
            kill(pid, SIGTERM);
            killed = true;
        }
        if (pr <= 0) continue;
        for (int k = 0; k < 2; k++) {
            if (p[k].fd < 0 || !(p[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char tmp[4096];
            ssize_t n = read(p[k].fd, tmp, sizeof tmp);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                close(p[k].fd);
                p[k].fd = -1;
                open_fds--;
                continue;
            }
            wt_buf *b = k == 0 ? &eb : &ob;
            size_t max = k == 0 ? STDERR_MAX : STDOUT_MAX;
            if (b->len < max) wt_buf_append(b, tmp, (size_t)n < max - b->len ? (size_t)n : max - b->len);
        }
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (slot >= 0) git_children[slot] = 0;
    if (!eb.data) wt_buf_puts(&eb, "");
    *errout = wt_buf_steal(&eb);
    if (outtxt) {
        if (!ob.data) wt_buf_puts(&ob, "");
        *outtxt = wt_buf_steal(&ob);
    } else wt_buf_free(&ob);
    if (killed) return -2;
    if (WIFEXITED(st)) return WEXITSTATUS(st);
    return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static int run_git(const char *git, char *const *argv, char **env, const char *cwd, volatile int *cancel,
                   char **errout) {
    return run_git2(git, argv, env, cwd, cancel, errout, NULL);
}

/* A /tree/REF/sub URL is ambiguous when REF has slashes ("release/v1"):
 * ask the remote for its branches and tags and take the longest REF that
 * exists. On any doubt, leave branch/sub unchanged (the clone reports). */
static void resolve_slashed_ref(const char *git, char **env, const char *url, volatile int *cancel, char **branch,
                                char **sub) {
    const char *argv[] = {"git", "ls-remote", "--heads", "--tags", "--", url, NULL};
    char *errtxt = NULL, *outtxt = NULL;
    int st = run_git2(git, (char *const *)argv, env, NULL, cancel, &errtxt, &outtxt);
    free(errtxt);
    if (st != 0 || !outtxt) {
        free(outtxt);
        return;
    }
    char *full = wt_xasprintf("%s/%s", *branch, *sub);
    size_t best = 0;
    for (const char *l = outtxt; *l;) {
        size_t n = strcspn(l, "\n");
        const char *tab = memchr(l, '\t', n);
        if (tab) {
            const char *ref = tab + 1;
            size_t rn = n - (size_t)(ref - l);
            const char *name = NULL;
            if (rn > 11 && strncmp(ref, "refs/heads/", 11) == 0) name = ref + 11;
            else if (rn > 10 && strncmp(ref, "refs/tags/", 10) == 0) name = ref + 10;
            if (name) {
                size_t nn = rn - (size_t)(name - ref);
                if (nn >= 3 && strncmp(name + nn - 3, "^{}", 3) == 0) nn -= 3;
                if (nn > best && strncmp(full, name, nn) == 0 && (full[nn] == '/' || full[nn] == 0)) best = nn;
            }
        }
        l += n;
        if (*l == '\n') l++;
    }
    if (best > strlen(*branch)) {
        char *nb = wt_xstrndup(full, best);
        char *ns = full[best] == '/' && full[best + 1] ? wt_xstrdup(full + best + 1) : NULL;
        free(*branch);
        free(*sub);
        *branch = nb;
        *sub = ns;
    }
    free(full);
    free(outtxt);
}

/* A full commit id (SHA-1 or SHA-256 hex). */
static bool is_commit_id(const char *s) {
    size_t n = strlen(s);
    if (n != 40 && n != 64) return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return true;
}

/* git init DIR; git fetch --depth N -- URL SHA; git checkout FETCH_HEAD. */
static int fetch_commit(const char *git, char **env, const char *url, const char *sha, const char *depth_s,
                        const char *dir, volatile int *cancel, char **errtxt) {
    const char *init[] = {"git", "init", "--quiet", "--", dir, NULL};
    int st = run_git(git, (char *const *)init, env, NULL, cancel, errtxt);
    if (st != 0) return st;
    free(*errtxt);
    *errtxt = NULL;
    const char *fetch[] = {"git", "fetch", "--quiet", "--no-tags", "--depth", depth_s, "--", url, sha, NULL};
    st = run_git(git, (char *const *)fetch, env, dir, cancel, errtxt);
    if (st != 0) return st;
    free(*errtxt);
    *errtxt = NULL;
    const char *co[] = {"git", "-c", "core.symlinks=false", "-c", "advice.detachedHead=false", "checkout", "--quiet",
                        "FETCH_HEAD", NULL};
    return run_git(git, (char *const *)co, env, dir, cancel, errtxt);
}

/* ---- helpers ---- */

/* URL without user:password@ (for messages and reports). */
static char *redact_url(const char *url) {
    const char *scheme = strstr(url, "://");
    if (!scheme) return wt_xstrdup(url);
    const char *host = scheme + 3;
    size_t hostlen = strcspn(host, "/?#");
    const char *at = NULL;
    for (const char *p = host; p < host + hostlen; p++)
        if (*p == '@') at = p;
    if (!at) return wt_xstrdup(url);
    return wt_xasprintf("%.*s%s", (int)(host - url), url, at + 1);
}

/* "scheme://host[:port]/" of an http(s) URL, or NULL. */
static char *url_origin(const char *url) {
    if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0) return NULL;
    const char *host = strstr(url, "://") + 3;
    size_t hostlen = strcspn(host, "/?#");
    const char *start = host;
    for (const char *p = host; p < host + hostlen; p++)
        if (*p == '@') start = p + 1;
    size_t n = (size_t)(host + hostlen - start);
    if (n == 0) return NULL;
    return wt_xasprintf("%.*s%.*s/", (int)(host - url), url, (int)n, start);
}

static char *basic_auth_value(const char *token) {
    char *cred = wt_xasprintf("x-access-token:%s", token);
    size_t n = strlen(cred);
    unsigned char *b64 = wt_xmalloc(4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock(b64, (const unsigned char *)cred, (int)n);
    char *v = wt_xasprintf("Authorization: Basic %s", (char *)b64);
    memset(cred, 0, n);
    free(cred);
    memset(b64, 0, strlen((char *)b64));
    free(b64);
    return v;
}

/* Replace every occurrence of secret in s by "***" (defence in depth). */
static void scrub(char *s, const char *secret) {
    if (!s || !secret || strlen(secret) < 4) return;
    size_t n = strlen(secret);
    char *p;
    while ((p = strstr(s, secret))) {
        memset(p, '*', n);
    }
}

/* The most useful line of git's stderr ("fatal: ..." / "error: ..."). */
static char *git_reason(const char *errtxt) {
    const char *best = NULL;
    size_t bestlen = 0;
    for (const char *p = errtxt; *p;) {
        size_t n = strcspn(p, "\n");
        if ((n > 7 && strncmp(p, "fatal: ", 7) == 0) || (!best && n > 7 && strncmp(p, "error: ", 7) == 0) ||
            (!best && n > 8 && strncmp(p, "remote: ", 8) == 0)) {
            if (!best || strncmp(p, "fatal: ", 7) == 0) { best = p; bestlen = n; }
        }
        p += n;
        if (*p == '\n') p++;
    }
    if (!best) {
        /* last non-empty line */
        for (const char *p = errtxt; *p;) {
            size_t n = strcspn(p, "\n");
            if (n > 0) { best = p; bestlen = n; }
            p += n;
            if (*p == '\n') p++;
        }
    }
    if (!best) return wt_xstrdup("git failed");
    /* git continues some messages on the next line ("unable to connect
     * to HOST:\nHOST[0: ADDR]: errno=Connection refused") */
    const char *next = best + bestlen;
    if (*next == '\n' && next[1] && strncmp(next + 1, "fatal: ", 7) != 0 && best[bestlen - 1] == ':') {
        size_t n2 = strcspn(next + 1, "\n");
        bestlen += 1 + n2;
    }
    char *line = wt_xstrndup(best, bestlen);
    for (char *p = line; *p; p++)
        if (*p == '\n') *p = ' ';
    char *r = wt_shorten(line, strlen(line), 300);
    free(line);
    return r;
}

static bool contains_ci(const char *hay, const char *needle) {
    return strcasestr(hay, needle) != NULL;
}

static char *clone_error(const char *url, const char *branch, const char *errtxt, int status) {
    char *why = git_reason(errtxt);
    char *m;
    if (status == -2) m = wt_xasprintf("git clone of %s cancelled", url);
    else if (branch && (contains_ci(errtxt, "Remote branch") || contains_ci(errtxt, "not found in upstream")))
        m = wt_xasprintf("git: branch '%s' not found in %s (%s)", branch, url, why);
    else if (contains_ci(errtxt, "Authentication failed") || contains_ci(errtxt, "could not read Username") ||
             contains_ci(errtxt, "terminal prompts disabled") || contains_ci(errtxt, "401") ||
             contains_ci(errtxt, "403"))
        m = wt_xasprintf("git: access denied to %s: the repository is private or the token is wrong "
                         "(set GITHUB_TOKEN or GIT_TOKEN) (%s)",
                         url, why);
    else if (contains_ci(errtxt, "not found") || contains_ci(errtxt, "does not exist") ||
             contains_ci(errtxt, "not exported") ||
             contains_ci(errtxt, "does not appear to be a git repository") || contains_ci(errtxt, "404"))
        m = wt_xasprintf("git: repository %s not found or not readable (private: set GITHUB_TOKEN or GIT_TOKEN) (%s)",
                         url, why);
    else if (status == 127 || status == -1)
        m = wt_xasprintf("git: cannot run git to clone %s (is git installed?)", url);
    else m = wt_xasprintf("git clone of %s failed: %s", url, why);
    free(why);
    return m;
}

bool wt_git_lfs_pointer(const uint8_t *p, size_t n, uint64_t *size_out) {
    static const char v1[] = "version https://git-lfs.github.com/spec/v1\n";
    static const char v0[] = "version https://hawser.github.com/spec/v1\n";
    if (n < sizeof v1 - 1) return false;
    if (memcmp(p, v1, sizeof v1 - 1) != 0 && memcmp(p, v0, sizeof v0 - 1) != 0) return false;
    const char *s = (const char *)p;
    const char *end = s + n;
    bool oid = false;
    *size_out = 0;
    for (const char *l = s; l < end;) {
        const char *nl = memchr(l, '\n', (size_t)(end - l));
        size_t len = nl ? (size_t)(nl - l) : (size_t)(end - l);
        if (len > 4 && strncmp(l, "oid ", 4) == 0) oid = true;
        if (len > 5 && len < 40 && strncmp(l, "size ", 5) == 0) {
            char tmp[40];
            memcpy(tmp, l + 5, len - 5);
            tmp[len - 5] = 0;
            *size_out = strtoull(tmp, NULL, 10);
        }
        l += len + 1;
    }
    return oid;
}

/* Mark LFS pointer files: they are not the model, only its address. */
static void mark_lfs_pointers(wt_source *s) {
    for (size_t i = 0; i < s->nentries; i++) {
        wt_source_entry *e = &s->entries[i];
        if (e->note || e->size == 0 || e->size > LFS_POINTER_MAX) continue;
        char *err = NULL;
        wt_reader *r = s->open(s, i, &err);
        free(err);
        if (!r) continue;
        uint8_t buf[LFS_POINTER_MAX];
        long long n = wt_reader_read(r, 0, buf, sizeof buf);
        wt_reader_unref(r);
        uint64_t lfs_size;
        if (n > 0 && wt_git_lfs_pointer(buf, (size_t)n, &lfs_size))
            e->note = wt_xasprintf("LFS object (%llu bytes; use --lfs to fetch and scan it)",
                                   (unsigned long long)lfs_size);
    }
}

static int make_private_dir(char **out, char **err) {
    const char *tmp = wt_getenv_nonempty("TMPDIR");
    char *templ = wt_xasprintf("%s/watchtower-git-XXXXXX", tmp ? tmp : "/tmp");
    if (!mkdtemp(templ)) { /* mkdtemp creates it with mode 0700 */
        *err = wt_xasprintf("cannot create a temporary directory under %s: %s", tmp ? tmp : "/tmp", strerror(errno));
        free(templ);
        return WT_ERR_IO;
    }
    *out = templ;
    return WT_OK;
}

/* Does the clone have sub (a directory or file) inside it, without
 * following symlinks out of it? */
static bool subpath_ok(const char *root, const char *sub) {
    if (!sub || !*sub) return true;
    if (sub[0] == '/') return false;
    for (const char *p = sub; *p;) {
        size_t n = strcspn(p, "/");
        if ((n == 2 && p[0] == '.' && p[1] == '.') || (n == 4 && strncmp(p, ".git", 4) == 0)) return false;
        p += n;
        while (*p == '/') p++;
    }
    char *full = wt_xasprintf("%s/%s", root, sub);
    char rroot[PATH_MAX], rfull[PATH_MAX];
    bool ok = realpath(root, rroot) && realpath(full, rfull) && strncmp(rfull, rroot, strlen(rroot)) == 0 &&
              (rfull[strlen(rroot)] == '/' || rfull[strlen(rroot)] == 0);
    free(full);
    return ok;
}

/* ---- the source ---- */

int wt_source_git_open(const wt_target *t, const wt_scan_options *opt, wt_source **out, char **err) {
    *out = NULL;
    const char *url = t->location;
    if (!url || !*url || url[0] == '-') {
        *err = wt_xasprintf("invalid git URL '%s'", url ? url : "");
        return WT_ERR_USAGE;
    }
    int depth = opt && opt->depth > 0 ? opt->depth : 1;
    bool branch_flag = opt && opt->branch && *opt->branch;
    const char *b0 = branch_flag ? opt->branch : t->ref && *t->ref ? t->ref : NULL;
    if (b0 && b0[0] == '-') {
        *err = wt_xasprintf("invalid branch name '%s'", b0);
        return WT_ERR_USAGE;
    }
    const char *s0 = t->subpath && *t->subpath ? t->subpath : opt && opt->target_dir && *opt->target_dir ? opt->target_dir : NULL;
    bool sub_from_url = t->subpath && *t->subpath;
    char *branch = b0 ? wt_xstrdup(b0) : NULL;
    char *sub = s0 ? wt_xstrdup(s0) : NULL;
    bool lfs = opt && opt->lfs;
    char *shown = redact_url(url);
    char *report_url = t->raw ? redact_url(t->raw) : wt_xstrdup(shown);

    char *git = find_in_path("git");
    if (!git) {
        *err = wt_xstrdup("git is not installed (needed to scan git repositories)");
        free(shown);
        free(report_url);
        free(branch);
        free(sub);
        return WT_ERR;
    }

    /* where to clone */
    char *tmpdir = NULL, *clonedir = NULL;
    int rc;
    bool keep = opt && opt->keep_clone && *opt->keep_clone;
    if (keep) {
        struct stat st;
        if (stat(opt->keep_clone, &st) == 0) {
            /* git clone accepts an empty existing directory only */
        } else if (mkdir(opt->keep_clone, 0700) != 0) {
            *err = wt_xasprintf("--keep-clone %s: %s", opt->keep_clone, strerror(errno));
            free(git);
            free(shown);
            free(report_url);
            free(branch);
            free(sub);
            return WT_ERR_IO;
        }
        clonedir = wt_xstrdup(opt->keep_clone);
    } else {
        rc = make_private_dir(&tmpdir, err);
        if (rc != WT_OK) {
            free(git);
            free(shown);
            free(report_url);
            free(branch);
            free(sub);
            return rc;
        }
        clonedir = wt_xasprintf("%s/repo", tmpdir);
    }
    int slot = register_dir(tmpdir ? tmpdir : clonedir, keep);

    /* token header, scoped to the clone URL's origin */
    const char *token = wt_getenv_nonempty("GITHUB_TOKEN");
    if (!token) token = wt_getenv_nonempty("GIT_TOKEN");
    char *origin = token ? url_origin(url) : NULL;
    char *hkey = origin ? wt_xasprintf("http.%s.extraHeader", origin) : NULL;
    char *hval = origin ? basic_auth_value(token) : NULL;
    char **env = build_env(lfs, hkey, hval);

    if (!branch_flag && branch && sub_from_url && sub && !is_commit_id(branch))
        resolve_slashed_ref(git, env, url, opt ? opt->cancel : NULL, &branch, &sub);

    char depth_s[24];
    snprintf(depth_s, sizeof depth_s, "%d", depth);
    char *errtxt = NULL;
    int st;
    bool is_commit = branch && is_commit_id(branch);
    if (is_commit) {
        /* a commit id (/tree/SHA URLs, --branch SHA): clone cannot take it;
         * fetch that one commit shallowly into an empty repository */
        st = fetch_commit(git, env, url, branch, depth_s, clonedir, opt ? opt->cancel : NULL, &errtxt);
    } else {
        const char *argv[24];
        int a = 0;
        argv[a++] = "git";
        argv[a++] = "-c";
        argv[a++] = "core.symlinks=false"; /* a symlink in a repo is a file with its target as text */
        argv[a++] = "-c";
        argv[a++] = "advice.detachedHead=false";
        argv[a++] = "clone";
        argv[a++] = "--quiet";
        argv[a++] = "--no-tags";
        argv[a++] = "--single-branch";
        argv[a++] = "--depth";
        argv[a++] = depth_s;
        if (branch) {
            argv[a++] = "--branch";
            argv[a++] = branch;
        }
        argv[a++] = "--";
        argv[a++] = url;
        argv[a++] = clonedir;
        argv[a] = NULL;
        st = run_git(git, (char *const *)argv, env, NULL, opt ? opt->cancel : NULL, &errtxt);
    }
    if (st != 0) {
        scrub(errtxt, token);
        scrub(errtxt, hval ? hval + strlen("Authorization: Basic ") : NULL);
        if (is_commit && st > 0 && (contains_ci(errtxt ? errtxt : "", "not our ref") ||
                                    contains_ci(errtxt ? errtxt : "", "couldn't find remote ref") ||
                                    contains_ci(errtxt ? errtxt : "", "unadvertised object")))
            *err = wt_xasprintf("git: commit %s not found in %s", branch, shown);
        else *err = clone_error(shown, is_commit ? NULL : branch, errtxt ? errtxt : "", st);
        rc = WT_ERR;
        goto fail;
    }
    if (errtxt && (strstr(errtxt, "remote HEAD refers to nonexistent ref") ||
                   (!branch && strstr(errtxt, "cloned an empty repository")))) {
        /* git exits 0 with nothing checked out. Fine for a really empty
         * repository; but if the remote has branches, its HEAD dangles and
         * scanning "nothing" would hide that. */
        const char *argv[] = {"git", "ls-remote", "--heads", "--", url, NULL};
        char *e2 = NULL, *heads = NULL;
        int st2 = run_git2(git, (char *const *)argv, env, NULL, opt ? opt->cancel : NULL, &e2, &heads);
        free(e2);
        bool has_heads = st2 != 0 || (heads && strstr(heads, "refs/heads/"));
        free(heads);
        if (has_heads) {
            *err = wt_xasprintf("git: the default branch (HEAD) of %s does not exist: give one with --branch", shown);
            rc = WT_ERR;
            goto fail;
        }
    }
    if (lfs) {
        free(errtxt);
        errtxt = NULL;
        const char *argv[] = {"git", "lfs", "pull", NULL};
        st = run_git(git, (char *const *)argv, env, clonedir, opt ? opt->cancel : NULL, &errtxt);
        if (st != 0) {
            scrub(errtxt, token);
            char *why = git_reason(errtxt ? errtxt : "");
            *err = wt_xasprintf("git lfs pull in the clone of %s failed (is git-lfs installed?): %s", shown, why);
            free(why);
            rc = WT_ERR;
            goto fail;
        }
    }
    if (!subpath_ok(clonedir, sub)) {
        *err = wt_xasprintf("path '%s' not found in %s%s%s", sub, shown, branch ? " branch " : "",
                            branch ? branch : "");
        rc = WT_ERR;
        goto fail;
    }
    wt_source *s = NULL;
    rc = wt_source_local_from_dir(clonedir, sub, opt, "github", report_url, &s, err);
    if (rc != WT_OK) goto fail;
    s->repo_type = "github";
    if (!s->repo_url || strcmp(s->repo_url, report_url) != 0) {
        free(s->repo_url);
        s->repo_url = wt_xstrdup(report_url);
    }
    if (!lfs) mark_lfs_pointers(s);
    pthread_mutex_lock(&reg_mu);
    if (slot >= 0) {
        slots[slot].src = s;
        slots[slot].orig_destroy = s->destroy;
        s->destroy = git_destroy;
    }
    pthread_mutex_unlock(&reg_mu);
    if (slot < 0 && !keep) {
        /* registry full: cannot guarantee removal later; fail safe */
        wt_source_free(s);
        *err = wt_xstrdup("too many concurrent git clones");
        rc = WT_ERR_LIMIT;
        goto fail;
    }
    free_env(env);
    free(hkey);
    free(origin);
    if (hval) { memset(hval, 0, strlen(hval)); free(hval); }
    free(errtxt);
    free(git);
    free(tmpdir);
    free(clonedir);
    free(shown);
    free(report_url);
    free(branch);
    free(sub);
    *out = s;
    return WT_OK;

fail:
    free_env(env);
    free(hkey);
    free(origin);
    if (hval) { memset(hval, 0, strlen(hval)); free(hval); }
    free(errtxt);
    free(git);
    if (slot >= 0) release_slot(slot);
    else if (tmpdir) remove_tree(tmpdir);
    free(tmpdir);
    free(clonedir);
    free(shown);
    free(report_url);
    free(branch);
    free(sub);
    return rc;
}
