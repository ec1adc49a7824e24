/*
 * lockfiles.c - lock files and other manifests: poetry.lock, uv.lock,
 * pylock.toml (TOML), Pipfile.lock (JSON), setup.cfg (INI) and conda
 * environment.yml (libyaml: conda packages that map to PyPI, and the
 * `pip:` section).
 */
#include <ctype.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/embedded.h"
#include "deps/deps.h"
#include "deps/pyproject.h"
#include "deps/toml.h"

#define MAX_YAML_EVENTS 2000000

static uint32_t tline(json_t *t) {
    json_int_t l = json_integer_value(json_object_get(t, WT_TOML_LINE_KEY));
    return l > 0 && l < (json_int_t)UINT32_MAX ? (uint32_t)l : 0;
}

/* The line of the entry's `name = ...` key: the first such line after the
 * [[package]] header at line hdr and before the next table header (Poetry
 * 1.1 wrote `category` and `description` first), else the line after the
 * header; 0 when hdr is unknown. Bounded by the text. */
typedef struct lcur { size_t i; uint32_t line; } lcur; /* start of line `line` */
static uint32_t name_line(const char *text, size_t len, uint32_t hdr, lcur *c) {
    if (!hdr) return 0;
    /* entries come in file order: resume from the previous header instead of
     * counting lines from the start for each (quadratic on a big lock file) */
    if (c->line == 0 || c->line > hdr + 1) { c->i = 0; c->line = 1; }
    size_t i = c->i;
    uint32_t line = c->line;
    while (i < len && line <= hdr) {
        if (text[i] == '\n') line++;
        i++;
    }
    c->i = i;
    c->line = line;
    for (uint32_t n = 0; i < len && n < 256; n++, line++) {
        size_t e = i;
        while (e < len && text[e] != '\n') e++;
        size_t k = i;
        while (k < e && (text[k] == ' ' || text[k] == '\t')) k++;
        if (k < e && text[k] == '[') break;
        if (e - k >= 4 && !memcmp(text + k, "name", 4)) {
            size_t q = k + 4;
            while (q < e && (text[q] == ' ' || text[q] == '\t')) q++;
            if (q < e && text[q] == '=') return line;
        }
        i = e + 1;
    }
    return hdr + 1;
}

/* An exact lock entry. */
static wt_dep *lock_dep(const char *name, const char *version, uint32_t line, const char *section) {
    wt_dep *d = wt_xcalloc(1, sizeof *d);
    d->name = wt_xstrdup(name);
    d->norm = wt_pep503_name(name, strlen(name));
    d->version = version ? wt_xstrdup(version) : NULL;
    d->spec_text = version ? wt_xasprintf("==%s", version) : wt_xstrdup("");
    d->raw = version ? wt_xasprintf("%s==%s", name, version) : wt_xstrdup(name);
    d->line = line;
    d->origin = WT_DEP_LOCK;
    d->section = section ? wt_xstrdup(section) : NULL;
    return d;
}

static json_t *load_toml(const char *text, size_t len, const char *what, wt_vec *issues) {
    char *err = NULL;
    json_t *root = wt_toml_parse(text, len, &err);
    if (!root) {
        wt_dep_issue_add(issues, NULL, 0, "%s is not valid TOML: %s", what, err);
        free(err);
    }
    return root;
}

static bool valid_name(const char *n) { return n && wt_pep508_name_valid(n, strlen(n)); }

int wt_poetry_lock_parse(const char *text, size_t len, wt_vec *deps, wt_vec *issues) {
    json_t *root = load_toml(text, len, "poetry.lock", issues);
    if (!root) return -1;
    size_t i;
    json_t *p;
    lcur cur = {0, 0};
    json_array_foreach(json_object_get(root, "package"), i, p) {
        const char *name = json_string_value(json_object_get(p, "name"));
        const char *ver = json_string_value(json_object_get(p, "version"));
        uint32_t line = tline(p);
        if (!valid_name(name) || !ver) {
            wt_dep_issue_add(issues, NULL, line, "poetry.lock package entry without a valid name/version");
            continue;
        }
        wt_dep *d = lock_dep(name, ver, name_line(text, len, line, &cur), json_string_value(json_object_get(p, "category")));
        json_t *src = json_object_get(p, "source");
        const char *type = json_string_value(json_object_get(src, "type"));
        if (type && (!strcmp(type, "git") || !strcmp(type, "url") || !strcmp(type, "file") || !strcmp(type, "directory"))) {
            const char *url = json_string_value(json_object_get(src, "url"));
            d->unauditable = wt_xasprintf("%s source %s", type, url ? url : "");
        }
        wt_vec_push(deps, d);
    }
    json_decref(root);
    return 0;
}

int wt_uv_lock_parse(const char *text, size_t len, wt_vec *deps, wt_vec *issues) {
    json_t *root = load_toml(text, len, "uv.lock", issues);
    if (!root) return -1;
    size_t i;
    json_t *p;
    lcur cur = {0, 0};
    json_array_foreach(json_object_get(root, "package"), i, p) {
        const char *name = json_string_value(json_object_get(p, "name"));
        const char *ver = json_string_value(json_object_get(p, "version"));
        uint32_t line = tline(p);
        json_t *src = json_object_get(p, "source");
        /* the project itself and workspace members */
        if (json_object_get(src, "editable") || json_object_get(src, "virtual") || json_object_get(src, "directory"))
            continue;
        if (!valid_name(name)) {
            wt_dep_issue_add(issues, NULL, line, "uv.lock package entry without a valid name");
            continue;
        }
        wt_dep *d = lock_dep(name, ver, name_line(text, len, line, &cur), NULL);
        static const char *const other[] = {"git", "url", "path", NULL};
        for (int k = 0; other[k]; k++) {
            const char *where = json_string_value(json_object_get(src, other[k]));
            if (where) {
                d->unauditable = wt_xasprintf("%s source %s", other[k], where);
                break;
            }
        }
        if (!ver && !d->unauditable) d->unauditable = wt_xstrdup("no version in the lock entry");
        wt_vec_push(deps, d);
    }
    json_decref(root);
    return 0;
}

int wt_pylock_parse(const char *text, size_t len, const wt_marker_env *env, wt_vec *deps, wt_vec *issues) {
    json_t *root = load_toml(text, len, "pylock.toml", issues);
    if (!root) return -1;
    size_t i;
    json_t *p;
    lcur cur = {0, 0};
    json_array_foreach(json_object_get(root, "packages"), i, p) {
        const char *name = json_string_value(json_object_get(p, "name"));
        const char *ver = json_string_value(json_object_get(p, "version"));
        const char *marker = json_string_value(json_object_get(p, "marker"));
        uint32_t line = tline(p);
        if (json_object_get(p, "directory")) continue; /* local project */
        if (!valid_name(name)) {
            wt_dep_issue_add(issues, NULL, line, "pylock.toml package entry without a valid name");
            continue;
        }
        if (marker) {
            bool ok = true;
            char *err = NULL;
            if (wt_marker_eval(marker, strlen(marker), env, &ok, &err) != 0) {
                wt_dep_issue_add(issues, NULL, line, "%s: %s", name, err);
                free(err);
            } else if (!ok) {
                continue;
            }
        }
        wt_dep *d = lock_dep(name, ver, name_line(text, len, line, &cur), NULL);
        d->marker = marker ? wt_xstrdup(marker) : NULL;
        json_t *vcs = json_object_get(p, "vcs"), *arch = json_object_get(p, "archive");
        if (vcs || (arch && !ver)) {
            const char *url = json_string_value(json_object_get(vcs ? vcs : arch, "url"));
            d->unauditable = wt_xasprintf("%s %s", vcs ? "VCS source" : "archive", url ? url : "");
        } else if (!ver) {
            d->unauditable = wt_xstrdup("no version in the lock entry");
        }
        wt_vec_push(deps, d);
    }
    json_decref(root);
    return 0;
}

int wt_pipfile_lock_parse(const char *text, size_t len, const wt_marker_env *env, wt_vec *deps, wt_vec *issues) {
    json_error_t jerr;
    json_t *root = json_loadb(text, len, 0, &jerr);
    if (!json_is_object(root)) {
        wt_dep_issue_add(issues, NULL, (uint32_t)(jerr.line > 0 ? jerr.line : 0), "Pipfile.lock is not valid JSON: %s",
                         root ? "not an object" : jerr.text);
        json_decref(root);
        return -1;
    }
    static const char *const secs[] = {"default", "develop", NULL};
    for (int s = 0; secs[s]; s++) {
        json_t *t = json_object_get(root, secs[s]);
        uint32_t sl = 0;
        char needle[300];
        snprintf(needle, sizeof needle, "\"%s\"", secs[s]);
        sl = wt_dep_find_line(text, len, needle, 1);
        const char *name;
        json_t *e;
        json_object_foreach(t, name, e) {
            if (!json_is_object(e) || !valid_name(name)) continue;
            snprintf(needle, sizeof needle, "\"%.250s\"", name);
            uint32_t line = wt_dep_find_line(text, len, needle, sl ? sl : 1);
            const char *marker = json_string_value(json_object_get(e, "markers"));
            if (marker) {
                bool ok = true;
                char *err = NULL;
                if (wt_marker_eval(marker, strlen(marker), env, &ok, &err) != 0) {
                    wt_dep_issue_add(issues, NULL, line, "%s: %s", name, err);
                    free(err);
                } else if (!ok) {
                    continue;
                }
            }
            const char *ver = json_string_value(json_object_get(e, "version"));
            if (ver && !strncmp(ver, "==", 2)) ver += 2;
            wt_dep *d = lock_dep(name, ver, line, secs[s]);
            static const char *const other[] = {"git", "hg", "svn", "file", "path", NULL};
            for (int k = 0; other[k] && !ver; k++) {
                const char *where = json_string_value(json_object_get(e, other[k]));
                if (where) d->unauditable = wt_xasprintf("%s source %s", other[k], where);
            }
            if (!ver && !d->unauditable) d->unauditable = wt_xstrdup("no version in the lock entry");
            wt_vec_push(deps, d);
        }
    }
    json_decref(root);
    return 0;
}

/* ------------------------------------------------------------ setup.cfg */

/* INI values: "key = first" then indented continuation lines. */
/* One setup.cfg requirement value (after "key =" or on a continuation line):
 * trailing " # comment" and surrounding blanks removed, then parsed as PEP 508.
 * The line found by text search may be earlier for duplicates: use ours. */
static void cfg_add_item(const char *text, size_t len, const char *v, size_t vn, const char *section,
                         const char *key, uint32_t lineno, const wt_marker_env *env, wt_vec *deps, wt_vec *issues) {
    char *item = wt_xstrndup(v, vn);
    char *s = item;
    while (isspace((unsigned char)*s)) s++;
    char *c = strstr(s, " #");
    if (c) *c = 0;
    size_t sl = strlen(s);
    while (sl && isspace((unsigned char)s[sl - 1])) s[--sl] = 0;
    if (*s) {
        char sec[300];
        snprintf(sec, sizeof sec, "%s.%s", section, key);
        size_t before = deps->len;
        wt_dep_add_pep508(text, len, s, sec, lineno, env, deps, issues);
        if (deps->len > before) ((wt_dep *)deps->items[deps->len - 1])->line = lineno;
    }
    free(item);
}

int wt_setup_cfg_parse(const char *text, size_t len, const wt_marker_env *env, wt_vec *deps, wt_vec *issues) {
    char section[128] = "";
    bool in_value = false;
    char key[128] = "";
    uint32_t lineno = 0;
    size_t i = 0;
    while (i < len) {
        size_t e = i;
        while (e < len && text[e] != '\n') e++;
        lineno++;
        const char *l = text + i;
        size_t n = e - i;
        if (n && l[n - 1] == '\r') n--;
        i = e + 1;
        bool indented = n && (l[0] == ' ' || l[0] == '\t');
        size_t a = 0;
        while (a < n && isspace((unsigned char)l[a])) a++;
        if (a == n || l[a] == '#' || l[a] == ';') continue;
        if (!indented) {
            in_value = false;
            if (l[0] == '[') {
                const char *end = memchr(l, ']', n);
                if (end) snprintf(section, sizeof section, "%.*s", (int)(end - l - 1), l + 1);
                continue;
            }
            const char *eq = memchr(l, '=', n);
            if (!eq) eq = memchr(l, ':', n);
            if (!eq) continue;
            size_t kl = (size_t)(eq - l);
            while (kl && isspace((unsigned char)l[kl - 1])) kl--;
            snprintf(key, sizeof key, "%.*s", (int)kl, l);
            bool wanted = (!strcmp(section, "options") && (!strcmp(key, "install_requires") || !strcmp(key, "setup_requires"))) ||
                          !strcmp(section, "options.extras_require");
            if (!wanted) continue;
            in_value = true;
            /* a value on the same line */
            /* "a; b" on one line is one requirement with a marker: keep as is */
            cfg_add_item(text, len, eq + 1, (size_t)(l + n - (eq + 1)), section, key, lineno, env, deps, issues);
            continue;
        }
        if (!in_value) continue;
        cfg_add_item(text, len, l + a, n - a, section, key, lineno, env, deps, issues);
    }
    return 0;
}

/* ---------------------------------------------------- conda environment */

static pthread_once_t conda_once = PTHREAD_ONCE_INIT;
static json_t *conda_map; /* conda name -> PyPI name ("" = not on PyPI) */

static void load_conda_map(void) {
    conda_map = json_object();
    size_t len = 0;
    const char *t = wt_rules_text("conda_pypi_names.tsv", &len);
    const char *p = t, *end = t ? t + len : NULL;
    while (p && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        if (le > p && *p != '#') {
            const char *tab = memchr(p, '\t', (size_t)(le - p));
            if (tab) {
                char *k = wt_xstrndup(p, (size_t)(tab - p));
                const char *v = tab + 1;
                size_t vn = (size_t)(le - v);
                while (vn && isspace((unsigned char)v[vn - 1])) vn--;
                json_t *val = (vn == 1 && v[0] == '-') ? json_string("") : json_stringn(v, vn);
                if (val) json_object_set_new(conda_map, k, val);
                free(k);
            }
        }
        p = le + 1;
    }
}

/* "channel::name=1.2=build", "name==1.2", "name>=1,<2", "name 1.2 build" */
static void add_conda_spec(const char *spec, uint32_t line, wt_vec *deps, wt_vec *issues) {
    const char *s = spec;
    const char *colons = strstr(s, "::");
    if (colons) s = colons + 2;
    while (isspace((unsigned char)*s)) s++;
    size_t nl = 0;
    while (s[nl] && (isalnum((unsigned char)s[nl]) || s[nl] == '-' || s[nl] == '_' || s[nl] == '.')) nl++;
    if (!nl || !wt_pep508_name_valid(s, nl)) {
        wt_dep_issue_add(issues, NULL, line, "unreadable conda package spec '%.80s'", spec);
        return;
    }
    char *cname = wt_xstrndup(s, nl);
    for (char *c = cname; *c; c++) *c = (char)tolower((unsigned char)*c);
    pthread_once(&conda_once, load_conda_map);
    const char *mapped = json_string_value(json_object_get(conda_map, cname));
    if (mapped && !*mapped) {
        free(cname); /* not a Python package on PyPI */
        return;
    }
    const char *pypi = mapped ? mapped : cname;
    const char *r = s + nl;
    while (isspace((unsigned char)*r)) r++;
    char *spec_text;
    if (!*r) {
        spec_text = wt_xstrdup("");
    } else if (r[0] == '=' && r[1] != '=') {
        /* conda "=1.2" is the fuzzy "1.2*"; a second '=' starts the build */
        size_t vn = strcspn(r + 1, "= ");
        char *v = wt_xstrndup(r + 1, vn);
        size_t l = strlen(v);
        if (l && v[l - 1] == '*') v[l - 1] = 0;
        l = strlen(v);
        if (l && v[l - 1] == '.') v[l - 1] = 0;
        spec_text = wt_xasprintf("==%s.*", v);
        free(v);
    } else if (isdigit((unsigned char)r[0])) {
        size_t vn = strcspn(r, " =");
        spec_text = wt_xasprintf("==%.*s", (int)vn, r);
    } else if (strchr(r, '|')) {
        spec_text = wt_xstrdup(""); /* alternatives: any */
    } else {
        size_t vn = strcspn(r, " ");
        spec_text = wt_xstrndup(r, vn);
    }
    wt_dep *d = wt_xcalloc(1, sizeof *d);
    char *err = NULL;
    if (wt_specset_parse(spec_text, strlen(spec_text), &d->spec, &err) != 0) {
        wt_dep_issue_add(issues, NULL, line, "conda spec '%.80s': %s", spec, err);
        free(err);
        free(spec_text);
        free(cname);
        free(d);
        return;
    }
    d->name = wt_xstrdup(pypi);
    d->norm = wt_pep503_name(pypi, strlen(pypi));
    d->spec_text = spec_text;
    d->raw = wt_xstrdup(spec);
    d->line = line;
    d->section = wt_xstrdup("conda");
    wt_vec_push(deps, d);
    free(cname);
}

enum { R_NONE = 0, R_ROOT_MAP, R_DEPS_SEQ, R_DEPS_ITEM, R_DEPS_ITEM_MAP, R_PIP_SEQ, R_PIP_ITEM };

typedef struct {
    bool is_map, expect_key, was_key;
    int role, pending;
} yframe;

static void add_pip_item(const char *text, size_t len, const char *s, uint32_t line, const wt_marker_env *env,
                         wt_vec *deps, wt_vec *issues) {
    size_t before = deps->len;
    if (s[0] == '-') {
        /* "-r requirements.txt", "--index-url ...": pip's own syntax; includes
         * are reported (they are scanned as files of their own) */
        wt_requirements_parse(s, strlen(s), "environment.yml", NULL, env, deps, issues);
    } else {
        wt_dep_add_pep508(text, len, s, "pip", line, env, deps, issues);
    }
    for (size_t k = before; k < deps->len; k++) {
        wt_dep *d = deps->items[k];
        d->line = line;
        if (!d->section) d->section = wt_xstrdup("pip");
    }
    for (size_t k = 0; k < issues->len; k++) {
        wt_dep_issue *is = issues->items[k];
        if (!is->line) is->line = line;
    }
}

int wt_conda_env_parse(const char *text, size_t len, const wt_marker_env *env, wt_vec *deps, wt_vec *issues) {
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) return -1;
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    yframe st[64];
    int top = -1;
    int ret = 0;
    for (size_t count = 0;; count++) {
        yaml_event_t ev;
        if (count > MAX_YAML_EVENTS || !yaml_parser_parse(&parser, &ev)) {
            wt_dep_issue_add(issues, NULL, (uint32_t)parser.problem_mark.line + 1,
                             "environment file is not valid YAML: %s", parser.problem ? parser.problem : "too many events");
            ret = -1;
            break;
        }
        yaml_event_type_t t = ev.type;
        uint32_t line = (uint32_t)ev.start_mark.line + 1;
        if (t == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        bool is_node = t == YAML_SCALAR_EVENT || t == YAML_ALIAS_EVENT || t == YAML_MAPPING_START_EVENT ||
                       t == YAML_SEQUENCE_START_EVENT;
        bool as_key = false;
        int role = R_NONE;
        if (is_node && top >= 0) {
            yframe *f = &st[top];
            if (f->is_map) {
                if (f->expect_key) as_key = true;
                else role = f->pending;
            } else {
                role = f->role == R_DEPS_SEQ ? R_DEPS_ITEM : f->role == R_PIP_SEQ ? R_PIP_ITEM : R_NONE;
            }
        }
        if (t == YAML_SCALAR_EVENT) {
            const char *v = (const char *)ev.data.scalar.value;
            size_t vl = ev.data.scalar.length;
            if (as_key) {
                yframe *f = &st[top];
                f->pending = R_NONE;
                if (f->role == R_ROOT_MAP && vl == 12 && !memcmp(v, "dependencies", 12)) f->pending = R_DEPS_SEQ;
                if (f->role == R_DEPS_ITEM_MAP && vl == 3 && !memcmp(v, "pip", 3)) f->pending = R_PIP_SEQ;
                f->expect_key = false;
            } else {
                if (role == R_DEPS_ITEM || role == R_PIP_ITEM) {
                    char *s = wt_xstrndup(v, vl);
                    if (*s) {
                        if (role == R_DEPS_ITEM) add_conda_spec(s, line, deps, issues);
                        else add_pip_item(text, len, s, line, env, deps, issues);
                    }
                    free(s);
                }
                if (top >= 0 && st[top].is_map) st[top].expect_key = true;
            }
        } else if (t == YAML_ALIAS_EVENT) {
            if (top >= 0 && st[top].is_map) st[top].expect_key = !as_key;
        } else if (t == YAML_MAPPING_START_EVENT || t == YAML_SEQUENCE_START_EVENT) {
            if (top + 1 >= 64) {
                wt_dep_issue_add(issues, NULL, line, "environment file nested too deeply");
                yaml_event_delete(&ev);
                ret = -1;
                break;
            }
            yframe nf = {0};
            nf.is_map = t == YAML_MAPPING_START_EVENT;
            nf.expect_key = nf.is_map;
            nf.was_key = as_key;
            if (nf.is_map) nf.role = top < 0 ? R_ROOT_MAP : role == R_DEPS_ITEM ? R_DEPS_ITEM_MAP : R_NONE;
            else nf.role = (role == R_DEPS_SEQ || role == R_PIP_SEQ) ? role : R_NONE;
            st[++top] = nf;
        } else if (t == YAML_MAPPING_END_EVENT || t == YAML_SEQUENCE_END_EVENT) {
            if (top >= 0) {
                bool was_key = st[top].was_key;
                top--;
                if (top >= 0 && st[top].is_map) st[top].expect_key = !was_key;
            }
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    return ret;
}
