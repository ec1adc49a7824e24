/*
 * pyproject.c - pyproject.toml: PEP 621 [project] dependencies and
 * optional-dependencies, PEP 735 [dependency-groups], and Poetry's
 * [tool.poetry.*dependencies] (caret/tilde/wildcard constraints converted to
 * PEP 440 specifiers). Also the Pipfile (TOML) reader, which shares the
 * "name = constraint-or-table" shape.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deps/deps.h"
#include "deps/pyproject.h"
#include "deps/toml.h"

uint32_t wt_dep_find_line(const char *text, size_t len, const char *needle, uint32_t from_line) {
    if (!needle || !*needle) return 0;
    size_t nl = strlen(needle);
    size_t start = 0;
    uint32_t line = 1;
    while (line < from_line && start < len) {
        if (text[start] == '\n') line++;
        start++;
    }
    const char *hit = nl <= len - start ? memmem(text + start, len - start, needle, nl) : NULL;
    if (!hit) return 0;
    return line + (uint32_t)(wt_text_line_of(text + start, len - start, (size_t)(hit - (text + start))) - 1);
}

/* Add a PEP 508 string. */
void wt_dep_add_pep508(const char *text, size_t len, const char *str, const char *section, uint32_t near_line,
                       const wt_marker_env *env, wt_vec *deps, wt_vec *issues) {
    wt_dep *d = wt_xcalloc(1, sizeof *d);
    bool ok;
    char *err = NULL;
    char quoted[600];
    snprintf(quoted, sizeof quoted, "%s", str);
    uint32_t line = wt_dep_find_line(text, len, quoted, near_line);
    if (!line) line = near_line;
    if (wt_pep508_parse(str, strlen(str), env, d, &ok, &err) != 0) {
        wt_dep_issue_add(issues, NULL, line, "malformed requirement in %s: %s", section, err);
        free(err);
        free(d);
        return;
    }
    if (!ok) {
        wt_dep_free(d);
        return;
    }
    d->line = line;
    d->section = wt_xstrdup(section);
    wt_vec_push(deps, d);
}

static void add_pep508_array(const char *text, size_t len, json_t *arr, const char *section, uint32_t near,
                             const wt_marker_env *env, wt_vec *deps, wt_vec *issues) {
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
        const char *s = json_string_value(e);
        if (s) wt_dep_add_pep508(text, len, s, section, near, env, deps, issues);
    }
}

static uint32_t table_line(json_t *t) {
    json_int_t l = json_integer_value(json_object_get(t, WT_TOML_LINE_KEY));
    return l > 0 && l < (json_int_t)UINT32_MAX ? (uint32_t)l : 1;
}

/* Poetry constraint => PEP 440 specifier text (caller frees), or NULL when
 * it cannot be expressed (then any version is assumed). */
char *wt_poetry_constraint(const char *c) {
    while (isspace((unsigned char)*c)) c++;
    if (!*c || !strcmp(c, "*")) return wt_xstrdup("");
    if (strstr(c, "||")) return NULL; /* unions are not specifier sets */
    wt_buf out;
    wt_buf_init(&out);
    char *copy = wt_xstrdup(c);
    char *save = NULL;
    /* clauses separated by ',' or whitespace */
    for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        if (out.len) wt_buf_putc(&out, ',');
        if (tok[0] == '^' || (tok[0] == '~' && tok[1] != '=')) {
            bool caret = tok[0] == '^';
            const char *v = tok + 1;
            unsigned long parts[3] = {0, 0, 0};
            int np = 0;
            const char *q = v;
            while (np < 3 && isdigit((unsigned char)*q)) {
                parts[np++] = strtoul(q, (char **)&q, 10);
                if (*q == '.') q++;
                else break;
            }
            if (np == 0) goto bad;
            char upper[96];
            if (caret) {
                /* bump the first non-zero part (or the last given one) */
                int idx = 0;
                while (idx < np - 1 && parts[idx] == 0) idx++;
                if (idx == 0) snprintf(upper, sizeof upper, "%lu", parts[0] + 1);
                else if (idx == 1) snprintf(upper, sizeof upper, "%lu.%lu", parts[0], parts[1] + 1);
                else snprintf(upper, sizeof upper, "%lu.%lu.%lu", parts[0], parts[1], parts[2] + 1);
            } else {
                if (np == 1) snprintf(upper, sizeof upper, "%lu", parts[0] + 1);
                else snprintf(upper, sizeof upper, "%lu.%lu", parts[0], parts[1] + 1);
            }
            wt_buf_printf(&out, ">=%s,<%s", v, upper);
        } else if (isdigit((unsigned char)tok[0])) {
            wt_buf_printf(&out, "==%s", tok);
        } else if (tok[0] == '=' && tok[1] != '=') {
            wt_buf_printf(&out, "==%s", tok + 1);
        } else {
            wt_buf_puts(&out, tok);
        }
    }
    free(copy);
    return wt_buf_steal(&out);
bad:
    free(copy);
    wt_buf_free(&out);
    return NULL;
}

/* "name = constraint | {version=..., markers=..., git=...}" tables
 * (Poetry dependencies, Pipfile packages). poetry: constraints use
 * Poetry's syntax; else PEP 440 ("*" = any). */
void wt_dep_add_name_table(const char *text, size_t len, json_t *table, const char *section, bool poetry,
                           const wt_marker_env *env, wt_vec *deps, wt_vec *issues) {
    uint32_t tline = table_line(table);
    const char *name;
    json_t *val;
    json_object_foreach(table, name, val) {
        if (!strcmp(name, WT_TOML_LINE_KEY)) continue;
        if (poetry && !strcasecmp(name, "python")) continue;
        if (json_is_array(val)) val = json_array_get(val, 0); /* multiple-constraint form: first alternative */
        char needle[300];
        snprintf(needle, sizeof needle, "\n%s", name);
        uint32_t found = wt_dep_find_line(text, len, needle, tline);
        uint32_t line = found ? found + 1 : tline;
        const char *constraint = NULL, *marker = NULL, *vcs = NULL;
        if (json_is_string(val)) {
            constraint = json_string_value(val);
        } else if (json_is_object(val)) {
            constraint = json_string_value(json_object_get(val, "version"));
            marker = json_string_value(json_object_get(val, "markers"));
            static const char *const srcs[] = {"git", "hg", "svn", "bzr", "url", "path", "file", NULL};
            for (int k = 0; srcs[k] && !vcs; k++)
                if (json_string_value(json_object_get(val, srcs[k]))) vcs = srcs[k];
        } else {
            continue;
        }
        if (!wt_pep508_name_valid(name, strlen(name))) {
            wt_dep_issue_add(issues, NULL, line, "invalid package name '%.80s' in %s", name, section);
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
        wt_dep *d = wt_xcalloc(1, sizeof *d);
        d->name = wt_xstrdup(name);
        d->norm = wt_pep503_name(name, strlen(name));
        d->line = line;
        d->section = wt_xstrdup(section);
        d->marker = marker ? wt_xstrdup(marker) : NULL;
        if (vcs) {
            const char *where = json_string_value(json_object_get(val, vcs));
            bool local = !strcmp(vcs, "path") || !strcmp(vcs, "file");
            if (local && where && (!strcmp(where, ".") || !strcmp(where, "./"))) {
                wt_dep_free(d);
                continue;
            }
            d->unauditable = wt_xasprintf("%s source %s", local ? "local" : vcs, where ? where : "");
            d->spec_text = wt_xstrdup("");
            d->raw = wt_xasprintf("%s = {%s = \"%s\"}", name, vcs, where ? where : "");
            wt_vec_push(deps, d);
            continue;
        }
        char *spec = poetry ? wt_poetry_constraint(constraint ? constraint : "*")
                            : wt_xstrdup(!constraint || !strcmp(constraint, "*") ? "" : constraint);
        if (!spec) spec = wt_xstrdup("");
        char *err = NULL;
        if (wt_specset_parse(spec, strlen(spec), &d->spec, &err) != 0) {
            wt_dep_issue_add(issues, NULL, line, "%s: %s", name, err);
            free(err);
            free(spec);
            wt_dep_free(d);
            continue;
        }
        d->spec_text = spec;
        d->raw = wt_xasprintf("%s = \"%s\"", name, constraint ? constraint : "*");
        wt_vec_push(deps, d);
    }
}

int wt_pyproject_parse(const char *text, size_t len, const wt_marker_env *env, wt_vec *deps, wt_vec *issues) {
    char *err = NULL;
    json_t *root = wt_toml_parse(text, len, &err);
    if (!root) {
        wt_dep_issue_add(issues, NULL, 0, "pyproject.toml is not valid TOML: %s", err);
        free(err);
        return -1;
    }
    json_t *project = json_object_get(root, "project");
    uint32_t pl = table_line(project);
    add_pep508_array(text, len, json_object_get(project, "dependencies"), "project.dependencies", pl, env, deps,
                     issues);
    json_t *opt = json_object_get(project, "optional-dependencies");
    const char *g;
    json_t *arr;
    json_object_foreach(opt, g, arr) {
        if (!json_is_array(arr)) continue;
        char sec[160];
        snprintf(sec, sizeof sec, "project.optional-dependencies.%.100s", g);
        add_pep508_array(text, len, arr, sec, pl, env, deps, issues);
    }
    json_t *groups = json_object_get(root, "dependency-groups");
    json_object_foreach(groups, g, arr) {
        if (!json_is_array(arr)) continue;
        char sec[160];
        snprintf(sec, sizeof sec, "dependency-groups.%.100s", g);
        add_pep508_array(text, len, arr, sec, table_line(groups), env, deps, issues);
    }
    json_t *poetry = json_object_get(json_object_get(root, "tool"), "poetry");
    if (json_is_object(poetry)) {
        json_t *t = json_object_get(poetry, "dependencies");
        if (json_is_object(t)) wt_dep_add_name_table(text, len, t, "tool.poetry.dependencies", true, env, deps, issues);
        t = json_object_get(poetry, "dev-dependencies");
        if (json_is_object(t))
            wt_dep_add_name_table(text, len, t, "tool.poetry.dev-dependencies", true, env, deps, issues);
        json_t *grp;
        json_object_foreach(json_object_get(poetry, "group"), g, grp) {
            t = json_object_get(grp, "dependencies");
            if (!json_is_object(t)) continue;
            char sec[160];
            snprintf(sec, sizeof sec, "tool.poetry.group.%.100s.dependencies", g);
            wt_dep_add_name_table(text, len, t, sec, true, env, deps, issues);
        }
    }
    json_decref(root);
    return 0;
}

int wt_pipfile_parse(const char *text, size_t len, const wt_marker_env *env, wt_vec *deps, wt_vec *issues) {
    char *err = NULL;
    json_t *root = wt_toml_parse(text, len, &err);
    if (!root) {
        wt_dep_issue_add(issues, NULL, 0, "Pipfile is not valid TOML: %s", err);
        free(err);
        return -1;
    }
    static const char *const secs[] = {"packages", "dev-packages", NULL};
    for (int i = 0; secs[i]; i++) {
        json_t *t = json_object_get(root, secs[i]);
        if (json_is_object(t)) wt_dep_add_name_table(text, len, t, secs[i], false, env, deps, issues);
    }
    json_decref(root);
    return 0;
}
