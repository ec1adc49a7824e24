/*
 * report_util.c - helpers shared by the report writers.
 */
#include "report/report_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/analyzer.h"
#include "core/util.h"

/* Length of a valid UTF-8 sequence at s (max n bytes), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80) return c ? 1 : 0;
    if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
    else return 0;
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return 0;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

json_t *wt_jstrn(const char *s, size_t n) {
    if (!s) return json_null();
    json_t *j = json_stringn(s, n);
    if (j) return j;
    /* Invalid UTF-8 or embedded NUL: escape the offending bytes. */
    wt_buf b;
    wt_buf_init(&b);
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t l = utf8_seq(p + i, n - i);
        if (l) {
            wt_buf_append(&b, p + i, l);
            i += l;
        } else {
            wt_buf_printf(&b, "\\x%02x", p[i]);
            i++;
        }
    }
    j = json_stringn(b.data ? b.data : "", b.len);
    wt_buf_free(&b);
    return j ? j : json_string("");
}

json_t *wt_jstr(const char *s) {
    return s ? wt_jstrn(s, strlen(s)) : json_null();
}

json_t *wt_juint(uint64_t v) {
    return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v);
}

size_t wt_report_top_len(const char *artifact) {
    if (!artifact) return 0;
    const char *bang = strchr(artifact, '!');
    return bang ? (size_t)(bang - artifact) : strlen(artifact);
}

const char *wt_report_tool_name(const char *rule_id, char *buf, size_t n) {
    /* "WT-PICKLE-001" -> "pickle"; anything unexpected -> "watchtower". */
    const char *def = "watchtower";
    if (!rule_id || n < 2) return def;
    const char *a = strchr(rule_id, '-');
    const char *z = a ? strrchr(rule_id, '-') : NULL;
    if (!a || !z || z <= a + 1) {
        snprintf(buf, n, "%s", def);
        return buf;
    }
    size_t len = (size_t)(z - a - 1);
    if (len >= n) len = n - 1;
    for (size_t i = 0; i < len; i++) {
        char c = a[1 + i];
        buf[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    buf[len] = 0;
    return buf;
}

static bool name_has_prefix_ci(const char *s, size_t n, const char *p) {
    size_t pl = strlen(p);
    return n >= pl && strncasecmp(s, p, pl) == 0;
}

static bool name_ends_ci(const char *s, size_t n, const char *suf) {
    size_t sl = strlen(suf);
    return n >= sl && strncasecmp(s + n - sl, suf, sl) == 0;
}

bool wt_report_is_nbreq_name(const char *name, size_t len) {
    if (!name) return false;
    /* basename of the top-level path */
    const char *base = name;
    for (size_t i = 0; i < len; i++)
        if (name[i] == '/') base = name + i + 1;
    size_t bl = len - (size_t)(base - name);
    static const char *const exact[] = {
        "pyproject.toml", "poetry.lock", "pipfile", "pipfile.lock", "uv.lock", "pylock.toml",
        "setup.cfg", "setup.py", "environment.yml", "environment.yaml", "conda.yml", "conda.yaml",
    };
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
        if (bl == strlen(exact[i]) && strncasecmp(base, exact[i], bl) == 0) return true;
    if (name_ends_ci(base, bl, ".ipynb")) return true;
    if ((name_has_prefix_ci(base, bl, "requirements") || name_has_prefix_ci(base, bl, "constraints")) &&
        (name_ends_ci(base, bl, ".txt") || name_ends_ci(base, bl, ".in")))
        return true;
    if (name_has_prefix_ci(base, bl, "pylock.") && name_ends_ci(base, bl, ".toml")) return true;
    return false;
}

/* Kinds (from classification) that denote a model format. */
static bool kind_is_model(const char *kind) {
    static const char *const model_words[] = {
        "pickle", "torch", "numpy", "npy", "npz", "joblib", "keras", "hdf5", "onnx", "gguf",
        "safetensors", "tflite", "savedmodel", "model", "dill", "cloudpickle", "tensorflow",
    };
    if (!kind) return false;
    for (size_t i = 0; i < sizeof model_words / sizeof model_words[0]; i++)
        if (strstr(kind, model_words[i])) return true;
    return false;
}

static const char *info_kind(const wt_scan_result *r, const char *name, size_t len) {
    size_t lo = 0, hi = r->ninfos;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *n = r->infos[mid].name ? r->infos[mid].name : "";
        int c = strncmp(n, name, len);
        if (c == 0 && n[len] != 0) c = 1;
        if (c == 0) return r->infos[mid].kind;
        if (c < 0) lo = mid + 1; else hi = mid;
    }
    /* infos may not be sorted by strcmp in every build; fall back to a scan. */
    for (size_t i = 0; i < r->ninfos; i++) {
        const char *n = r->infos[i].name;
        if (n && strncmp(n, name, len) == 0 && n[len] == 0) return r->infos[i].kind;
    }
    return NULL;
}

wt_report_bucket wt_report_bucket_of(const wt_scan_result *r, const wt_finding *f) {
    switch (f->category) {
    case WT_CAT_MODEL: return WT_BUCKET_MODEL;
    case WT_CAT_SECRET:
    case WT_CAT_PII:
    case WT_CAT_CODE:
    case WT_CAT_DEPENDENCY: return WT_BUCKET_NBREQ;
    default: break;
    }
    /* Scanner-level findings count where their top-level file belongs. */
    const char *a = f->artifact ? f->artifact : "";
    size_t tl = wt_report_top_len(a);
    if (wt_report_is_nbreq_name(a, tl)) return WT_BUCKET_NBREQ;
    char *top = wt_xstrndup(a, tl);
    bool model = wt_is_model_extension(top) || kind_is_model(info_kind(r, a, tl));
    if (!model && strchr(a, '!')) model = wt_is_model_extension(a);
    free(top);
    /* A file with model findings (e.g. a zip holding a pickle) is a model file. */
    for (size_t i = 0; !model && i < r->nfindings; i++) {
        const wt_finding *g = r->findings[i];
        const char *ga = g->artifact ? g->artifact : "";
        if (g->category == WT_CAT_MODEL && wt_report_top_len(ga) == tl && strncmp(ga, a, tl) == 0) model = true;
    }
    return model ? WT_BUCKET_MODEL : WT_BUCKET_NONE;
}

int wt_mkdirs(const char *dir, char **err) {
    if (!dir || !*dir) return 0;
    char *p = wt_xstrdup(dir);
    for (char *s = p + 1; ; s++) {
        if (*s == '/' || *s == 0) {
            char save = *s;
            *s = 0;
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                if (err) *err = wt_xasprintf("cannot create directory %s: %s", p, strerror(errno));
                free(p);
                return -1;
            }
            *s = save;
            if (!save) break;
        }
    }
    struct stat st;
    if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
        if (err) *err = wt_xasprintf("%s is not a directory", p);
        free(p);
        return -1;
    }
    free(p);
    return 0;
}

int wt_write_atomic(const char *path, const void *data, size_t len, char **err) {
    const char *slash = strrchr(path, '/');
    char *tmp;
    if (slash)
        tmp = wt_xasprintf("%.*s/.%s.tmp-XXXXXX", (int)(slash - path), path, slash + 1);
    else
        tmp = wt_xasprintf(".%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        if (err) *err = wt_xasprintf("cannot create %s: %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    const char *p = data;
    size_t left = len;
    int rc = 0;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR) continue;
            rc = -1;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    int saved = errno;
    if (rc == 0 && fsync(fd) != 0) { rc = -1; saved = errno; }
    /* mkstemp creates 0600; reports are ordinary files. */
    if (rc == 0) {
        mode_t um = umask(0);
        umask(um);
        if (fchmod(fd, 0666 & ~um) != 0) { /* not fatal */ }
    }
    if (close(fd) != 0 && rc == 0) { rc = -1; saved = errno; }
    if (rc == 0 && rename(tmp, path) != 0) { rc = -1; saved = errno; }
    if (rc != 0) {
        unlink(tmp);
        if (err) *err = wt_xasprintf("cannot write %s: %s", path, strerror(saved));
    }
    free(tmp);
    return rc;
}

static int dump_cb(const char *buf, size_t size, void *data) {
    wt_buf_append((wt_buf *)data, buf, size);
    return 0;
}

char *wt_json_dumps(const json_t *j) {
    wt_buf b;
    wt_buf_init(&b);
    json_dump_callback(j, dump_cb, &b, WT_JSON_DUMP_FLAGS);
    wt_buf_putc(&b, '\n');
    return wt_buf_steal(&b);
}
