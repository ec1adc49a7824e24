/*
 * magics.c - IPython magics and a small shell command splitter.
 * See magics.h. Everything here is bounded by the input length and works on
 * spans of the caller's text (no copies except short command names).
 */
#include "text/magics.h"

#include <string.h>

#define MAX_WORDS 32        /* words remembered per simple command */
#define MAX_FACTS 10000     /* callbacks per wt_shell_scan */

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }
static bool is_ident(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static size_t skip_ws(const char *s, size_t i, size_t len)
{
    while (i < len && is_space(s[i]))
        i++;
    return i;
}

static bool span_eq(const char *s, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    return n == m && memcmp(s, lit, m) == 0;
}

/* ---- cell magics ---- */

static const char *const python_cell_magics[] = {
    "time", "timeit", "capture", "prun", "debug", "python", "python3", "ipython", NULL,
};
static const char *const shell_names[] = {
    "sh", "bash", "zsh", "dash", "ksh", "ash", "fish", NULL,
};

static bool in_list(const char *s, size_t n, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (span_eq(s, n, list[i]))
            return true;
    return false;
}

/* basename of a word (after the last '/') */
static void word_base(const char *w, size_t n, const char **b, size_t *bn)
{
    size_t i = n;
    while (i > 0 && w[i - 1] != '/')
        i--;
    *b = w + i;
    *bn = n - i;
}

wt_cell_kind wt_magics_cell_kind(const char *text, size_t len, size_t *body_off)
{
    size_t i = 0;
    if (body_off)
        *body_off = 0;
    /* skip blank lines */
    for (;;) {
        size_t j = skip_ws(text, i, len);
        if (j < len && text[j] == '\n') {
            i = j + 1;
            continue;
        }
        i = j;
        break;
    }
    if (i + 2 > len || text[i] != '%' || text[i + 1] != '%')
        return WT_CELL_PYTHON;
    size_t eol = i;
    while (eol < len && text[eol] != '\n')
        eol++;
    if (body_off)
        *body_off = eol < len ? eol + 1 : len;
    size_t n0 = i + 2, n1 = n0;
    while (n1 < eol && is_ident(text[n1]))
        n1++;
    const char *name = text + n0;
    size_t nlen = n1 - n0;
    if (span_eq(name, nlen, "bash") || span_eq(name, nlen, "sh") || span_eq(name, nlen, "system"))
        return WT_CELL_SHELL;
    if (span_eq(name, nlen, "script")) {
        /* first non-option word is the program (--out/--err/--proc take an argument) */
        size_t a = skip_ws(text, n1, eol), b = a;
        bool skip_next = false;
        for (;;) {
            b = a;
            while (b < eol && !is_space(text[b]))
                b++;
            if (a >= eol)
                break;
            if (skip_next) {
                skip_next = false;
            } else if (text[a] == '-') {
                skip_next = span_eq(text + a, b - a, "--out") || span_eq(text + a, b - a, "--err") ||
                            span_eq(text + a, b - a, "--proc");
            } else {
                break;
            }
            a = skip_ws(text, b, eol);
        }
        const char *base;
        size_t bn;
        word_base(text + a, b - a, &base, &bn);
        if (in_list(base, bn, shell_names))
            return WT_CELL_SHELL;
        if (bn >= 6 && memcmp(base, "python", 6) == 0)
            return WT_CELL_PYTHON;
        return WT_CELL_OTHER;
    }
    if (span_eq(name, nlen, "writefile") || span_eq(name, nlen, "file")) {
        /* the body is a file: judge by its extension */
        size_t e = eol;
        while (e > n1 && is_space(text[e - 1]))
            e--;
        if (e - n1 >= 3 && memcmp(text + e - 3, ".py", 3) == 0)
            return WT_CELL_PYTHON;
        if (e - n1 >= 3 && memcmp(text + e - 3, ".sh", 3) == 0)
            return WT_CELL_SHELL;
        return WT_CELL_OTHER;
    }
    if (in_list(name, nlen, python_cell_magics))
        return WT_CELL_PYTHON;
    return WT_CELL_OTHER;
}

/* ---- line magics ---- */

wt_magic_kind wt_magics_classify_line(const char *line, size_t len, wt_magic_info *out)
{
    wt_magic_info tmp;
    if (!out)
        out = &tmp;
    memset(out, 0, sizeof *out);
    size_t i = skip_ws(line, 0, len);
    if (i >= len)
        return WT_MAGIC_NONE;
    if (line[i] == '!') {
        i++;
        if (i < len && line[i] == '!')
            i++;
        i = skip_ws(line, i, len);
        out->kind = WT_MAGIC_SHELL;
        out->cmd_off = i;
        out->cmd_len = len - i;
        return out->kind;
    }
    if (line[i] == '%') {
        if (i + 1 < len && line[i + 1] == '%') {
            out->kind = WT_MAGIC_OTHER; /* a cell magic line met mid-cell */
            return out->kind;
        }
        size_t n0 = i + 1, n1 = n0;
        while (n1 < len && is_ident(line[n1]))
            n1++;
        if (span_eq(line + n0, n1 - n0, "pip")) {
            out->kind = WT_MAGIC_PIP;
            out->cmd_off = n0;
            out->cmd_len = len - n0;
        } else if (span_eq(line + n0, n1 - n0, "system") || span_eq(line + n0, n1 - n0, "sx")) {
            size_t c = skip_ws(line, n1, len);
            out->kind = WT_MAGIC_SHELL;
            out->cmd_off = c;
            out->cmd_len = len - c;
        } else {
            out->kind = WT_MAGIC_OTHER;
        }
        return out->kind;
    }
    /* `name = !cmd` / `a, b = %sx cmd` */
    size_t j = i;
    while (j < len && (is_ident(line[j]) || is_space(line[j]) || line[j] == ',' || line[j] == '.' ||
                       line[j] == '[' || line[j] == ']'))
        j++;
    if (j == i || j >= len || line[j] != '=' || (j + 1 < len && line[j + 1] == '='))
        return WT_MAGIC_NONE;
    size_t k = skip_ws(line, j + 1, len);
    if (k < len && line[k] == '!' && !(k + 1 < len && line[k + 1] == '=')) {
        k++;
        if (k < len && line[k] == '!')
            k++;
        k = skip_ws(line, k, len);
        out->kind = WT_MAGIC_SHELL;
        out->cmd_off = k;
        out->cmd_len = len - k;
        return out->kind;
    }
    if (k + 3 <= len && line[k] == '%') {
        size_t n0 = k + 1, n1 = n0;
        while (n1 < len && is_ident(line[n1]))
            n1++;
        if (span_eq(line + n0, n1 - n0, "sx") || span_eq(line + n0, n1 - n0, "system")) {
            size_t c = skip_ws(line, n1, len);
            out->kind = WT_MAGIC_SHELL;
            out->cmd_off = c;
            out->cmd_len = len - c;
            return out->kind;
        }
    }
    return WT_MAGIC_NONE;
}

/* ---- shell splitter ---- */

typedef struct word {
    size_t start, end; /* raw span */
    char val[48];      /* unquoted prefix of the word, NUL-terminated */
    size_t vlen;
    bool truncated;
    bool fetch_subst;  /* contains <(curl / $(wget / `curl ... */
} word;

typedef struct cmd_state {
    word w[MAX_WORDS];
    size_t nw;        /* words stored (<= MAX_WORDS) */
    size_t total;     /* words seen */
    size_t last_end;  /* end of the last word seen */
    size_t start;     /* start of the first word */
} cmd_state;

typedef struct shell_scan {
    const char *text;
    size_t len;
    wt_shell_fact_fn fn;
    void *ud;
    size_t facts;
    cmd_state cmd;
    bool pipe_fetch;      /* an earlier stage of this pipeline downloads */
    size_t pipe_start;    /* start of the pipeline */
    bool pipe_open;
} shell_scan;

static void fact(shell_scan *s, wt_shell_fact what, size_t off, size_t len)
{
    if (s->facts >= MAX_FACTS || !s->fn)
        return;
    s->facts++;
    s->fn(s->ud, what, off, len);
}

static bool val_is(const word *w, const char *lit) { return strcmp(w->val, lit) == 0; }

static bool base_in(const word *w, const char *const *list)
{
    const char *b;
    size_t bn;
    word_base(w->val, w->vlen, &b, &bn);
    return in_list(b, bn, list);
}

static bool base_prefix(const word *w, const char *prefix, bool digits_after)
{
    const char *b;
    size_t bn;
    word_base(w->val, w->vlen, &b, &bn);
    size_t pl = strlen(prefix);
    if (bn < pl || memcmp(b, prefix, pl) != 0)
        return false;
    if (!digits_after)
        return bn == pl;
    for (size_t i = pl; i < bn; i++)
        if (!((b[i] >= '0' && b[i] <= '9') || b[i] == '.'))
            return false;
    return true;
}

static bool is_assignment(const word *w)
{
    if (w->vlen == 0 || !(is_ident(w->val[0]) && !(w->val[0] >= '0' && w->val[0] <= '9')))
        return false;
    for (size_t i = 0; i < w->vlen; i++) {
        if (w->val[i] == '=')
            return i > 0;
        if (!is_ident(w->val[i]))
            return false;
    }
    return false;
}

/* index of the real command word after sudo/env/VAR=x/time/nohup prefixes */
static size_t command_word(const cmd_state *c)
{
    size_t i = 0;
    while (i < c->nw) {
        const word *w = &c->w[i];
        if (is_assignment(w)) {
            i++;
        } else if (val_is(w, "sudo") || val_is(w, "env") || val_is(w, "doas")) {
            i++;
            while (i < c->nw && c->w[i].vlen && (c->w[i].val[0] == '-' || is_assignment(&c->w[i]))) {
                /* sudo -u user: skip the option's argument too */
                bool takes_arg = val_is(&c->w[i], "-u") || val_is(&c->w[i], "-g");
                i++;
                if (takes_arg && i < c->nw)
                    i++;
            }
        } else if (val_is(w, "time") || val_is(w, "nohup") || val_is(w, "exec") || val_is(w, "command") ||
                   val_is(w, "then") || val_is(w, "do") || val_is(w, "else") || val_is(w, "{") ||
                   val_is(w, "(") || val_is(w, "!")) {
            i++;
        } else {
            break;
        }
    }
    return i;
}

/* `!{sys.executable} -m pip ...`: IPython expands {expr} in shell escapes */
static bool is_ipython_executable(const word *w)
{
    return w->vlen > 2 && w->val[0] == '{' && w->val[w->vlen - 1] == '}' && strstr(w->val, "executable") != NULL;
}

static const char *const fetchers[] = {"curl", "wget", "fetch", NULL};
static const char *const shell_sinks[] = {"sh", "bash", "zsh", "dash", "ksh", "ash", "fish", NULL};
static const char *const subst_users[] = {"sh", "bash", "zsh", "dash", "ksh", "ash", "fish", "source", ".",
                                          "eval", NULL};

static void end_command(shell_scan *s, bool end_pipeline)
{
    cmd_state *c = &s->cmd;
    if (c->nw > 0) {
        size_t i = command_word(c);
        if (i < c->nw) {
            const word *w = &c->w[i];
            /* pip install */
            size_t p = (size_t)-1;
            if (base_prefix(w, "pip", true)) {
                p = i + 1;
            } else if ((base_prefix(w, "python", true) || is_ipython_executable(w)) && i + 1 < c->nw) {
                if (val_is(&c->w[i + 1], "-m") && i + 2 < c->nw && base_prefix(&c->w[i + 2], "pip", true))
                    p = i + 3;
                else if (val_is(&c->w[i + 1], "-mpip"))
                    p = i + 2;
            } else if (val_is(w, "uv") && i + 1 < c->nw && val_is(&c->w[i + 1], "pip")) {
                p = i + 2;
            }
            if (p != (size_t)-1) {
                while (p < c->nw && c->w[p].vlen && c->w[p].val[0] == '-')
                    p++;
                if (p < c->nw && val_is(&c->w[p], "install") && p + 1 < c->total && p + 1 < c->nw) {
                    size_t a = c->w[p + 1].start;
                    fact(s, WT_SHELL_PIP_INSTALL, a, c->last_end - a);
                }
            }
            /* download piped into an interpreter */
            bool sink = base_in(w, shell_sinks);
            if (!sink && base_prefix(w, "python", true)) {
                /* `| python` or `| python -` runs stdin; `| python -m json.tool` does not */
                sink = i + 1 >= c->total || (i + 1 < c->nw && val_is(&c->w[i + 1], "-"));
            }
            if (s->pipe_fetch && sink)
                fact(s, WT_SHELL_PIPE_TO_SHELL, s->pipe_start, c->last_end - s->pipe_start);
            else if (base_in(w, subst_users) || base_prefix(w, "python", true)) {
                for (size_t k = i + 1; k < c->nw; k++) {
                    if (c->w[k].fetch_subst) {
                        fact(s, WT_SHELL_PIPE_TO_SHELL, c->start, c->last_end - c->start);
                        break;
                    }
                }
            }
            if (base_in(w, fetchers))
                s->pipe_fetch = true;
        }
    }
    memset(&s->cmd, 0, sizeof s->cmd);
    if (end_pipeline) {
        s->pipe_fetch = false;
        s->pipe_open = false;
    }
}

static bool has_fetch_subst(const char *p, size_t n)
{
    static const char *const pats[] = {"<(curl", "<(wget", "$(curl", "$(wget", "`curl", "`wget", NULL};
    for (size_t k = 0; pats[k]; k++) {
        size_t m = strlen(pats[k]);
        for (size_t i = 0; i + m <= n; i++)
            if (memcmp(p + i, pats[k], m) == 0)
                return true;
    }
    return false;
}

static void add_word(shell_scan *s, size_t start, size_t end)
{
    cmd_state *c = &s->cmd;
    if (c->total == 0)
        c->start = start;
    if (!s->pipe_open) {
        s->pipe_open = true;
        s->pipe_start = start;
    }
    c->total++;
    c->last_end = end;
    if (c->nw >= MAX_WORDS)
        return;
    word *w = &c->w[c->nw++];
    memset(w, 0, sizeof *w);
    w->start = start;
    w->end = end;
    for (size_t i = start; i < end; i++) {
        char ch = s->text[i];
        if (ch == '\'' || ch == '"' || ch == '\\')
            continue;
        if (w->vlen + 1 >= sizeof w->val) {
            w->truncated = true;
            break;
        }
        w->val[w->vlen++] = ch;
    }
    w->val[w->vlen] = '\0';
    w->fetch_subst = has_fetch_subst(s->text + start, end - start);
}

void wt_shell_scan(const char *text, size_t len, wt_shell_fact_fn fn, void *ud)
{
    shell_scan s;
    memset(&s, 0, sizeof s);
    s.text = text;
    s.len = len;
    s.fn = fn;
    s.ud = ud;
    size_t i = 0;
    while (i < len) {
        char ch = text[i];
        if (is_space(ch)) {
            i++;
            continue;
        }
        if (ch == '\\' && i + 1 < len && text[i + 1] == '\n') { /* continuation */
            i += 2;
            continue;
        }
        if (ch == '\n' || ch == ';') {
            end_command(&s, true);
            i++;
            continue;
        }
        if (ch == '&' || ch == '|') {
            bool dbl = i + 1 < len && text[i + 1] == ch;
            if (ch == '|' && !dbl) {
                end_command(&s, false);
            } else if (ch == '&' && !dbl && i > 0 && (text[i - 1] == '>' || text[i - 1] == '<')) {
                i++; /* 2>&1 is a redirection: handled inside the word loop normally */
                continue;
            } else {
                end_command(&s, true);
            }
            i += dbl ? 2 : 1;
            continue;
        }
        if (ch == '#' ) { /* comment to end of line */
            while (i < len && text[i] != '\n')
                i++;
            continue;
        }
        /* a word */
        size_t start = i;
        while (i < len) {
            char c = text[i];
            if (c == '\\') {
                if (i + 1 < len && text[i + 1] == '\n')
                    break;
                i += 2;
                continue;
            }
            if (c == '\'') {
                i++;
                while (i < len && text[i] != '\'')
                    i++;
                if (i < len)
                    i++;
                continue;
            }
            if (c == '"') {
                i++;
                while (i < len && text[i] != '"') {
                    if (text[i] == '\\' && i + 1 < len)
                        i++;
                    i++;
                }
                if (i < len)
                    i++;
                continue;
            }
            if (c == '>' && i + 1 < len && text[i + 1] == '&') { /* >&2, 2>&1 */
                i += 2;
                continue;
            }
            if (is_space(c) || c == '\n' || c == ';' || c == '|' || c == '&')
                break;
            i++;
        }
        if (i > len)
            i = len;
        add_word(&s, start, i);
    }
    end_command(&s, true);
}

/* ---- Dockerfile RUN ---- */

void wt_dockerfile_run_spans(const char *text, size_t len, wt_span_fn fn, void *ud)
{
    size_t i = 0;
    while (i < len) {
        size_t eol = i;
        while (eol < len && text[eol] != '\n')
            eol++;
        size_t j = skip_ws(text, i, eol);
        if (j + 3 < eol && (text[j] == 'R' || text[j] == 'r') && (text[j + 1] == 'U' || text[j + 1] == 'u') &&
            (text[j + 2] == 'N' || text[j + 2] == 'n') && is_space(text[j + 3])) {
            size_t a = skip_ws(text, j + 3, eol);
            /* RUN --mount=... --network=... flags */
            while (a + 1 < eol && text[a] == '-' && text[a + 1] == '-') {
                while (a < eol && !is_space(text[a]))
                    a++;
                a = skip_ws(text, a, eol);
            }
            /* extend over continuation lines */
            size_t end = eol;
            for (;;) {
                size_t t = end;
                while (t > a && (text[t - 1] == '\r' || is_space(text[t - 1])))
                    t--;
                if (t > a && text[t - 1] == '\\' && end < len) {
                    size_t n = end + 1;
                    while (n < len && text[n] != '\n')
                        n++;
                    end = n;
                    continue;
                }
                break;
            }
            if (fn && end > a)
                fn(ud, a, end - a);
            i = end < len ? end + 1 : len;
            continue;
        }
        i = eol < len ? eol + 1 : len;
    }
}
