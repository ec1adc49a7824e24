/*
 * requirements.c - PEP 508 requirements, pip requirements files (comments,
 * continuations, -r/-c includes, -e, options, --hash, URLs) and the
 * arguments of `pip install` lines.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "deps/deps.h"

#define MAX_INCLUDE_DEPTH 10
#define MAX_INCLUDED_FILES 64
#define MAX_INCLUDE_SIZE (4u << 20)
#define MAX_LOGICAL_LINE 65536
#define MAX_DEPS 20000

/* ---------------------------------------------------------------- common */

void wt_dep_free(wt_dep *d) {
    if (!d) return;
    free(d->name);
    free(d->norm);
    free(d->extras);
    free(d->spec_text);
    wt_specset_free(&d->spec);
    free(d->version);
    free(d->marker);
    free(d->unauditable);
    free(d->raw);
    free(d->file);
    free(d->section);
    free(d);
}

static void dep_free_void(void *p) { wt_dep_free(p); }
void wt_dep_list_free(wt_vec *deps) { wt_vec_free(deps, dep_free_void); }

void wt_dep_issue_free(void *p) {
    wt_dep_issue *i = p;
    if (!i) return;
    free(i->message);
    free(i->file);
    free(i);
}

void wt_dep_issue_add(wt_vec *issues, const char *file, uint32_t line, const char *fmt, ...) {
    if (!issues || issues->len >= 1000) return;
    wt_dep_issue *i = wt_xcalloc(1, sizeof *i);
    va_list ap;
    va_start(ap, fmt);
    i->message = wt_xvasprintf(fmt, ap);
    va_end(ap);
    i->file = file ? wt_xstrdup(file) : NULL;
    i->line = line;
    wt_vec_push(issues, i);
}

uint32_t wt_text_line_of(const char *text, size_t len, size_t off) {
    uint32_t line = 1;
    if (off > len) off = len;
    for (size_t i = 0; i < off; i++)
        if (text[i] == '\n') line++;
    return line;
}

static char *trim_dup(const char *s, size_t n) {
    while (n && isspace((unsigned char)*s)) s++, n--;
    while (n && isspace((unsigned char)s[n - 1])) n--;
    return wt_xstrndup(s, n);
}

/* ---------------------------------------------------------------- PEP 508 */

static bool name_char(char c) { return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.'; }

int wt_pep508_parse(const char *s, size_t n, const wt_marker_env *env, wt_dep *out, bool *marker_ok, char **err) {
    memset(out, 0, sizeof *out);
    *marker_ok = true;
    *err = NULL;
    size_t i = 0;
    while (i < n && isspace((unsigned char)s[i])) i++;
    while (n > i && isspace((unsigned char)s[n - 1])) n--;
    if (n - i > MAX_LOGICAL_LINE) {
        *err = wt_xstrdup("requirement too long");
        return -1;
    }
    out->raw = wt_xstrndup(s + i, n - i);
    size_t ns = i;
    while (i < n && name_char(s[i])) i++;
    if (!wt_pep508_name_valid(s + ns, i - ns)) {
        *err = wt_xasprintf("invalid project name in '%s'", out->raw);
        goto bad;
    }
    out->name = wt_xstrndup(s + ns, i - ns);
    out->norm = wt_pep503_name(s + ns, i - ns);
    while (i < n && isspace((unsigned char)s[i])) i++;
    if (i < n && s[i] == '[') {
        size_t e = i + 1;
        while (e < n && s[e] != ']') e++;
        if (e >= n) {
            *err = wt_xasprintf("unterminated extras in '%s'", out->raw);
            goto bad;
        }
        out->extras = trim_dup(s + i + 1, e - i - 1);
        i = e + 1;
        while (i < n && isspace((unsigned char)s[i])) i++;
    }
    /* marker: the first ';' (URLs may contain ';' only when not followed
     * by whitespace-separated markers, per PEP 508 a URL ends at space) */
    size_t semi = n;
    if (i < n && s[i] == '@') {
        size_t u = i + 1;
        while (u < n && isspace((unsigned char)s[u])) u++;
        size_t ue = u;
        while (ue < n && !isspace((unsigned char)s[ue])) ue++;
        char *url = wt_xstrndup(s + u, ue - u);
        if (!*url) {
            free(url);
            *err = wt_xasprintf("empty URL in '%s'", out->raw);
            goto bad;
        }
        out->unauditable = wt_xasprintf("direct reference %s", url);
        free(url);
        out->spec_text = wt_xstrdup("");
        size_t k = ue;
        while (k < n && isspace((unsigned char)s[k])) k++;
        if (k < n && s[k] != ';') {
            *err = wt_xasprintf("unexpected text after URL in '%s'", out->raw);
            goto bad;
        }
        semi = k;
    } else {
        for (size_t k = i; k < n; k++)
            if (s[k] == ';') {
                semi = k;
                break;
            }
        size_t a = i, b = semi;
        while (a < b && isspace((unsigned char)s[a])) a++;
        while (b > a && isspace((unsigned char)s[b - 1])) b--;
        if (a < b && s[a] == '(') {
            if (s[b - 1] != ')') {
                *err = wt_xasprintf("unbalanced parenthesis in '%s'", out->raw);
                goto bad;
            }
            a++;
            b--;
        }
        out->spec_text = trim_dup(s + a, b - a);
        char *serr = NULL;
        if (wt_specset_parse(out->spec_text, strlen(out->spec_text), &out->spec, &serr) != 0) {
            *err = wt_xasprintf("%s in '%s'", serr, out->raw);
            free(serr);
            goto bad;
        }
    }
    if (semi < n) {
        out->marker = trim_dup(s + semi + 1, n - semi - 1);
        char *merr = NULL;
        bool r;
        if (wt_marker_eval(out->marker, strlen(out->marker), env, &r, &merr) != 0) {
            *err = wt_xasprintf("%s in '%s'", merr, out->raw);
            free(merr);
            goto bad;
        }
        *marker_ok = r;
    }
    return 0;
bad:
    free(out->raw);
    free(out->name);
    free(out->norm);
    free(out->extras);
    free(out->spec_text);
    free(out->marker);
    free(out->unauditable);
    wt_specset_free(&out->spec);
    memset(out, 0, sizeof *out);
    return -1;
}

/* A requirement that is a URL or a local path rather than a name. */
static bool looks_like_url_or_path(const char *s) {
    /* "name[extras] @ url" is a PEP 508 direct reference */
    size_t k = 0;
    while (name_char(s[k])) k++;
    if (k) {
        size_t j = k;
        while (s[j] == ' ' || s[j] == '\t') j++;
        if (s[j] == '[') {
            while (s[j] && s[j] != ']') j++;
            if (s[j]) j++;
            while (s[j] == ' ' || s[j] == '\t') j++;
        }
        if (s[j] == '@') return false;
    }
    if (strstr(s, "://") || !strncmp(s, "git+", 4) || !strncmp(s, "hg+", 3) || !strncmp(s, "svn+", 4) ||
        !strncmp(s, "bzr+", 4) || !strncmp(s, "file:", 5))
        return true;
    if (s[0] == '.' || s[0] == '/' || s[0] == '~') return true;
    /* "name @ url" is PEP 508; a bare path contains '/' before any '@' */
    const char *at = strchr(s, '@');
    const char *slash = strchr(s, '/');
    if (slash && (!at || slash < at)) return true;
    if (wt_str_endswith_ci(s, ".whl") || wt_str_endswith_ci(s, ".tar.gz") || wt_str_endswith_ci(s, ".zip") ||
        wt_str_endswith_ci(s, ".tar.bz2"))
        return true;
    return false;
}

/* Project name of a URL/path requirement: "#egg=name", or the wheel /
 * sdist file name. NULL if unknown. */
static char *url_project_name(const char *s) {
    const char *egg = strstr(s, "#egg=");
    if (!egg) egg = strstr(s, "&egg=");
    if (egg) {
        egg += 5;
        size_t n = 0;
        while (egg[n] && name_char(egg[n])) n++;
        if (n && wt_pep508_name_valid(egg, n)) return wt_xstrndup(egg, n);
    }
    const char *base = s;
    for (const char *p = s; *p && *p != '#' && *p != '?'; p++)
        if (*p == '/') base = p + 1;
    size_t n = 0;
    while (base[n] && base[n] != '-' && name_char(base[n])) n++;
    if (base[n] == '-' && n && wt_pep508_name_valid(base, n)) return wt_xstrndup(base, n);
    return NULL;
}

static wt_dep *unauditable_dep(const char *text, const char *why, bool editable) {
    wt_dep *d = wt_xcalloc(1, sizeof *d);
    d->raw = wt_xstrdup(text);
    char *name = url_project_name(text);
    d->name = name ? name : wt_xstrdup(text);
    d->norm = wt_pep503_name(d->name, strlen(d->name));
    d->spec_text = wt_xstrdup("");
    d->unauditable = wt_xstrdup(why);
    d->editable = editable;
    return d;
}

/* ---------------------------------------------------------- requirements */

typedef struct {
    const wt_dep_opener *op;
    const wt_marker_env *env;
    wt_vec *deps, *issues;
    wt_vec stack;   /* names of files being read (cycle detection) */
    size_t nfiles;
} rq;

/* Join dir(relname) and inc, resolving "." and ".." (leading ".." kept);
 * NULL for absolute paths and URLs. */
static char *resolve_include(const char *relname, const char *inc) {
    if (inc[0] == '/' || inc[0] == '~' || strstr(inc, "://")) return NULL;
    wt_buf b;
    wt_buf_init(&b);
    const char *slash = strrchr(relname, '/');
    if (slash) {
        wt_buf_append(&b, relname, (size_t)(slash - relname));
        wt_buf_putc(&b, '/');
    }
    wt_buf_puts(&b, inc);
    char *joined = wt_buf_steal(&b);
    /* normalise */
    char *parts[256];
    size_t np = 0;
    char *save = NULL;
    bool bad = false;
    for (char *tok = strtok_r(joined, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        if (!strcmp(tok, ".") || !*tok) continue;
        if (!strcmp(tok, "..")) {
            /* leading ".." are kept: the core refuses paths outside the
             * scan root when the file is opened */
            if (np > 0 && strcmp(parts[np - 1], "..") != 0) {
                np--;
                continue;
            }
        }
        if (np >= 256) {
            bad = true;
            break;
        }
        parts[np++] = tok;
    }
    char *res = NULL;
    if (!bad && np) {
        wt_buf_init(&b);
        for (size_t i = 0; i < np; i++) {
            if (i) wt_buf_putc(&b, '/');
            wt_buf_puts(&b, parts[i]);
        }
        res = wt_buf_steal(&b);
    }
    free(joined);
    return res;
}

static int parse_text(rq *q, const char *text, size_t len, const char *relname, const char *file, bool constraint,
                      int depth);

static void include_file(rq *q, const char *relname, const char *file, uint32_t line, const char *inc, bool constraint,
                         int depth) {
    const char *kind = constraint ? "-c" : "-r";
    if (strstr(inc, "://")) {
        wt_dep_issue_add(q->issues, file, line, "remote %s %s not followed", kind, inc);
        return;
    }
    if (strstr(inc, "${")) {
        wt_dep_issue_add(q->issues, file, line, "%s %s uses an environment variable: not followed", kind, inc);
        return;
    }
    char *path = resolve_include(relname, inc);
    if (!path) {
        wt_dep_issue_add(q->issues, file, line, "%s %s is an absolute path: not followed", kind, inc);
        return;
    }
    for (size_t i = 0; i < q->stack.len; i++)
        if (!strcmp(q->stack.items[i], path)) {
            wt_dep_issue_add(q->issues, file, line, "include cycle: %s includes %s again", relname, path);
            free(path);
            return;
        }
    if (depth >= MAX_INCLUDE_DEPTH || q->nfiles >= MAX_INCLUDED_FILES) {
        wt_dep_issue_add(q->issues, file, line, "%s %s: include depth/count limit reached", kind, inc);
        free(path);
        return;
    }
    if (!constraint && q->op && q->op->scanned_alone && q->op->scanned_alone(q->op->ud, path)) {
        free(path); /* reported when that file is scanned itself */
        return;
    }
    size_t n = 0;
    char *t = q->op && q->op->read ? q->op->read(q->op->ud, path, &n) : NULL;
    if (!t) {
        wt_dep_issue_add(q->issues, file, line, "%s %s: file not found in the scanned tree", kind, inc);
        free(path);
        return;
    }
    q->nfiles++;
    size_t before = q->deps->len, ibefore = q->issues ? q->issues->len : 0;
    parse_text(q, t, n, path, path, constraint, depth + 1);
    for (size_t k = ibefore; q->issues && k < q->issues->len; k++) ((wt_dep_issue *)q->issues->items[k])->via_line = line;
    /* the outermost include runs last: its line (in the scanned file) wins */
    for (size_t k = before; k < q->deps->len; k++) ((wt_dep *)q->deps->items[k])->via_line = line;
    free(t);
    free(path);
}

/* Option that takes a value (next token if not attached). */
static bool opt_takes_value(const char *o) {
    static const char *const v[] = {"-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i",
                                    "--index-url", "--extra-index-url", "-f", "--find-links", "--trusted-host",
                                    "--only-binary", "--no-binary", "--use-feature", "--hash", "--global-option",
                                    "--config-settings", "-C", "--install-option", "--progress-bar", "-t",
                                    "--target", "--prefix", "--root", "--src", "--upgrade-strategy", "--platform",
                                    "--python-version", "--implementation", "--abi", "--log", "--cache-dir",
                                    "--proxy", "--timeout", "--retries", "--report", "--exists-action", "--cert",
                                    "--client-cert", "--keyring-provider", "--python", "--group", NULL};
    for (size_t i = 0; v[i]; i++)
        if (!strcmp(o, v[i])) return true;
    return false;
}

/* Handle one requirement text (no options). */
static void add_requirement(rq *q, const char *req, const char *file, uint32_t line, bool constraint, bool editable) {
    if (q->deps->len >= MAX_DEPS) return;
    wt_dep *d = NULL;
    if (strstr(req, "${")) {
        d = unauditable_dep(req, "uses an environment variable (not expanded by the scanner)", editable);
    } else if (editable || looks_like_url_or_path(req)) {
        if (!strcmp(req, ".") || !strncmp(req, "./", 2) || !strcmp(req, "..")) {
            if (!strchr(req + 1, '/') || !strcmp(req, ".") || !strcmp(req, "..")) return; /* the project itself */
        }
        const char *why = !strncmp(req, "git+", 4) || !strncmp(req, "hg+", 3) || !strncmp(req, "svn+", 4) ||
                                  !strncmp(req, "bzr+", 4)
                              ? "VCS reference"
                          : strstr(req, "://") ? "direct URL"
                                               : "local path";
        d = unauditable_dep(req, why, editable);
    } else {
        d = wt_xcalloc(1, sizeof *d);
        bool ok;
        char *err = NULL;
        if (wt_pep508_parse(req, strlen(req), q->env, d, &ok, &err) != 0) {
            wt_dep_issue_add(q->issues, file, line, "malformed requirement: %s", err);
            free(err);
            free(d);
            return;
        }
        if (!ok) {
            wt_dep_free(d);
            return;
        }
    }
    d->line = line;
    d->file = file ? wt_xstrdup(file) : NULL;
    d->editable = editable;
    if (constraint) d->section = wt_xstrdup("constraint");
    d->origin = WT_DEP_MANIFEST;
    wt_vec_push(q->deps, d);
}

/* Tokenise one logical line into whitespace-separated words (quotes are
 * not special in requirements files except around option values). */
static size_t split_words(char *s, char **w, size_t max) {
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(s, " \t\r\f\v", &save); t && n < max; t = strtok_r(NULL, " \t\r\f\v", &save)) w[n++] = t;
    return n;
}

static void handle_line(rq *q, char *l, const char *relname, const char *file, uint32_t line, bool constraint,
                        int depth) {
    char *words[128];
    char *copy = wt_xstrdup(l);
    size_t nw = split_words(copy, words, 128);
    if (!nw) {
        free(copy);
        return;
    }
    if (words[0][0] == '-') {
        char *o = words[0];
        char *val = NULL;
        char shortbuf[3] = {0};
        char *eq = (o[1] == '-') ? strchr(o, '=') : NULL;
        if (eq) {
            *eq = 0;
            val = eq + 1;
        } else if (o[1] != '-' && o[1] && o[2]) {
            /* -rfile */
            shortbuf[0] = '-';
            shortbuf[1] = o[1];
            if (opt_takes_value(shortbuf)) {
                val = o + 2;
                o = shortbuf;
            }
        }
        if (!val && opt_takes_value(o) && nw > 1) val = words[1];
        if (!strcmp(o, "-r") || !strcmp(o, "--requirement")) {
            if (val) include_file(q, relname, file, line, val, constraint, depth);
        } else if (!strcmp(o, "-c") || !strcmp(o, "--constraint")) {
            if (val) include_file(q, relname, file, line, val, true, depth);
        } else if (!strcmp(o, "-e") || !strcmp(o, "--editable")) {
            if (val) add_requirement(q, val, file, line, constraint, true);
        }
        /* index/find-links/trusted-host/pre/hash policy: not dependencies */
        free(copy);
        return;
    }
    /* requirement: per-requirement options start at the first word
     * beginning with '-' (e.g. --hash=sha256:...) */
    size_t end = nw;
    for (size_t i = 1; i < nw; i++)
        if (words[i][0] == '-') {
            end = i;
            break;
        }
    free(copy);
    /* re-cut the original line (PEP 508 allows spaces inside) */
    char *p = l;
    size_t len = strlen(l);
    if (end < nw) {
        for (size_t k = 1; k + 1 < len; k++)
            if (isspace((unsigned char)p[k - 1]) && p[k] == '-' && (p[k + 1] == '-' || isalpha((unsigned char)p[k + 1]))) {
                len = k;
                break;
            }
    }
    char *req = trim_dup(p, len);
    if (*req) add_requirement(q, req, file, line, constraint, false);
    free(req);
}

/* pip reads requirement files through a BOM check: UTF-8 with a BOM (Windows
 * editors) and UTF-16 (`pip freeze > requirements.txt` in Windows
 * PowerShell 5) are read as text. Returns a UTF-8 copy (caller frees) or
 * NULL when text is used as it is; *skip = bytes of a UTF-8 BOM. */
static char *decode_bom(const char *text, size_t len, size_t *out_len, size_t *skip) {
    const unsigned char *u = (const unsigned char *)text;
    *skip = 0;
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
        *skip = 3;
        return NULL;
    }
    if (len < 2 || !((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) return NULL;
    bool le = u[0] == 0xFF;
    wt_buf b;
    wt_buf_init(&b);
    for (size_t i = 2; i + 1 < len; i += 2) {
        uint32_t cp = le ? (uint32_t)(u[i] | (u[i + 1] << 8)) : (uint32_t)((u[i] << 8) | u[i + 1]);
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 3 < len) {
            uint32_t lo = le ? (uint32_t)(u[i + 2] | (u[i + 3] << 8)) : (uint32_t)((u[i + 2] << 8) | u[i + 3]);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 2;
            }
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD; /* unpaired surrogate */
        char o[4];
        size_t n;
        if (cp < 0x80) {
            o[0] = (char)cp;
            n = 1;
        } else if (cp < 0x800) {
            o[0] = (char)(0xC0 | (cp >> 6));
            o[1] = (char)(0x80 | (cp & 0x3F));
            n = 2;
        } else if (cp < 0x10000) {
            o[0] = (char)(0xE0 | (cp >> 12));
            o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
            o[2] = (char)(0x80 | (cp & 0x3F));
            n = 3;
        } else {
            o[0] = (char)(0xF0 | (cp >> 18));
            o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
            o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
            o[3] = (char)(0x80 | (cp & 0x3F));
            n = 4;
        }
        wt_buf_append(&b, o, n);
    }
    *out_len = b.len;
    return wt_buf_steal(&b);
}

static int parse_text(rq *q, const char *text, size_t len, const char *relname, const char *file, bool constraint,
                      int depth) {
    size_t skip, dlen = 0;
    char *decoded = decode_bom(text, len, &dlen, &skip);
    if (decoded) {
        text = decoded;
        len = dlen;
    } else {
        text += skip;
        len -= skip;
    }
    wt_vec_push(&q->stack, wt_xstrdup(relname));
    wt_buf logical;
    wt_buf_init(&logical);
    uint32_t lineno = 0, first = 0;
    size_t i = 0;
    while (i < len) {
        size_t e = i;
        while (e < len && text[e] != '\n') e++;
        size_t le = e;
        if (le > i && text[le - 1] == '\r') le--;
        lineno++;
        const char *ln = text + i;
        size_t n = le - i;
        /* comment: '#' at the start or after whitespace */
        size_t cut = n;
        for (size_t k = 0; k < n; k++)
            if (ln[k] == '#' && (k == 0 || isspace((unsigned char)ln[k - 1]))) {
                cut = k;
                break;
            }
        bool is_comment_line = cut < n;
        bool cont = !is_comment_line && n && ln[n - 1] == '\\';
        if (!logical.len) first = lineno;
        if (logical.len < MAX_LOGICAL_LINE) wt_buf_append(&logical, ln, cont ? n - 1 : cut);
        if (!cont) {
            handle_line(q, logical.data, relname, file, first, constraint, depth);
            logical.len = 0;
            logical.data[0] = 0;
        }
        i = e + 1;
    }
    if (logical.len) handle_line(q, logical.data, relname, file, first, constraint, depth);
    wt_buf_free(&logical);
    free(q->stack.items[--q->stack.len]);
    free(decoded);
    return 0;
}

/* Apply constraints (-c files) to the requirements that name the same
 * project, then drop the constraint entries (they install nothing). */
static bool is_constraint(const wt_dep *d) { return d->section && !strcmp(d->section, "constraint"); }

static void apply_constraints(wt_vec *deps) {
    for (size_t i = 0; i < deps->len; i++) {
        wt_dep *c = deps->items[i];
        if (!is_constraint(c) || c->unauditable || !c->spec.n) continue;
        for (size_t j = 0; j < deps->len; j++) {
            wt_dep *d = deps->items[j];
            if (is_constraint(d) || d->unauditable || !d->norm || strcmp(d->norm, c->norm) != 0) continue;
            char *combined = d->spec.n ? wt_xasprintf("%s,%s", d->spec_text, c->spec_text) : wt_xstrdup(c->spec_text);
            wt_specset ss;
            char *err = NULL;
            if (wt_specset_parse(combined, strlen(combined), &ss, &err) == 0) {
                wt_specset_free(&d->spec);
                d->spec = ss;
                free(d->spec_text);
                d->spec_text = combined;
                combined = NULL;
            }
            free(err);
            free(combined);
        }
    }
    size_t w = 0;
    for (size_t i = 0; i < deps->len; i++) {
        wt_dep *d = deps->items[i];
        if (is_constraint(d)) wt_dep_free(d);
        else deps->items[w++] = d;
    }
    deps->len = w;
}

int wt_requirements_parse(const char *text, size_t len, const char *relname, const wt_dep_opener *op,
                          const wt_marker_env *env, wt_vec *deps, wt_vec *issues) {
    rq q = {op, env, deps, issues, {0}, 0};
    parse_text(&q, text, len, relname ? relname : "requirements.txt", NULL, false, 0);
    wt_vec_free(&q.stack, free);
    apply_constraints(deps);
    return 0;
}

/* ---------------------------------------------------------- pip install */

/* Shell-like words: quotes group, backslash escapes; stops at an
 * unquoted comment, command separator or redirection. */
static size_t shell_words(const char *s, size_t n, wt_vec *out) {
    size_t i = 0;
    while (i < n && out->len < 256) {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n' ||
                         (s[i] == '\\' && i + 1 < n && s[i + 1] == '\n')))
            i += (s[i] == '\\') ? 2 : 1;
        if (i >= n) break;
        char c = s[i];
        if (c == '#' || c == ';' || c == '|' || c == '&' || c == '>' || c == '<' || c == ')' || c == '`') break;
        wt_buf w;
        wt_buf_init(&w);
        while (i < n) {
            c = s[i];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ';' || c == '|' || c == '&' || c == '>' ||
                c == '<' || c == '`')
                break;
            if (c == '\'' || c == '"') {
                size_t j = i + 1;
                while (j < n && s[j] != c) j++;
                wt_buf_append(&w, s + i + 1, (j < n ? j : n) - i - 1);
                i = j < n ? j + 1 : n;
                continue;
            }
            if (c == '\\' && i + 1 < n) {
                if (s[i + 1] != '\n') wt_buf_putc(&w, s[i + 1]);
                i += 2;
                continue;
            }
            wt_buf_putc(&w, c);
            i++;
        }
        wt_vec_push(out, wt_buf_steal(&w));
    }
    return out->len;
}

int wt_pip_args_parse(const char *args, size_t len, const wt_dep_opener *op, const wt_marker_env *env, wt_vec *deps,
                      wt_vec *issues) {
    wt_vec w = {0};
    shell_words(args, len, &w);
    rq q = {op, env, deps, issues, {0}, 0};
    for (size_t i = 0; i < w.len; i++) {
        char *t = w.items[i];
        if (!*t) continue;
        if (t[0] == '-') {
            char *o = t, *val = NULL;
            char *eq = (o[1] == '-') ? strchr(o, '=') : NULL;
            char *optname = eq ? wt_xstrndup(o, (size_t)(eq - o)) : NULL;
            if (eq) val = eq + 1;
            const char *name = optname ? optname : o;
            char shortbuf[3] = {0};
            if (!eq && o[1] != '-' && o[1] && o[2]) {
                /* -rfile, or combined flags like -qU */
                shortbuf[0] = '-';
                shortbuf[1] = o[1];
                if (opt_takes_value(shortbuf)) {
                    name = shortbuf;
                    val = o + 2;
                }
            }
            if (!val && opt_takes_value(name) && i + 1 < w.len) val = w.items[++i];
            if (val && (!strcmp(name, "-r") || !strcmp(name, "--requirement")))
                include_file(&q, "", NULL, 0, val, false, 0);
            else if (val && (!strcmp(name, "-c") || !strcmp(name, "--constraint")))
                include_file(&q, "", NULL, 0, val, true, 0);
            else if (val && (!strcmp(name, "-e") || !strcmp(name, "--editable")))
                add_requirement(&q, val, NULL, 0, false, true);
            free(optname);
            continue;
        }
        if (strchr(t, '{') || t[0] == '$') {
            /* notebook/shell variable interpolation: the package is not known */
            wt_dep *d = unauditable_dep(t, "uses a variable (not known to the scanner)", false);
            wt_vec_push(deps, d);
            continue;
        }
        add_requirement(&q, t, NULL, 0, false, false);
    }
    wt_vec_free(&w, free);
    wt_vec_free(&q.stack, free);
    apply_constraints(deps);
    for (size_t i = 0; i < deps->len; i++) ((wt_dep *)deps->items[i])->origin = WT_DEP_PIP;
    return 0;
}
