/*
 * torchscript.c - the code/ members of a TorchScript zip
 * (`<archive>/code/__torch__/NAME.py`), handed back by the zip analyzer as
 * "model.pt!archive/code/__torch__/m.py". Serialized TorchScript only calls
 * torch ops; names such as os, subprocess, builtins or eval mean a
 * tampered archive, and torch.ops namespaces that do not ship with PyTorch
 * need a native library. constants.pkl and the other pickles of the
 * archive are classified by content and go to the pickle analyzer.
 */
#include <ctype.h>
#include <string.h>

#include "model_formats.h"

#define TS_MAX (16u << 20)

static int ts_probe(const char *name, const uint8_t *head, size_t headlen, uint64_t size)
{
    (void)head;
    (void)headlen;
    (void)size;
    const char *bang = strrchr(name, '!');
    if (!bang)
        return 0;
    const char *m = bang + 1;
    if (!wt_str_endswith_ci(m, ".py"))
        return 0;
    /* TorchScript keeps serialized modules under <archive>/code/__torch__/;
     * any other code/ folder in a zip is ordinary source */
    if (strncmp(m, "code/__torch__", 14) == 0 || strstr(m, "/code/__torch__"))
        return 90;
    return 0;
}

static long find_kind(const wt_fmt_table *t, const char *kind, const char *tok, size_t len)
{
    for (size_t i = 0; i < t->nrows; i++) {
        if (strcmp(wt_fmt_cell(t, i, 0), kind) != 0)
            continue;
        const char *c = wt_fmt_cell(t, i, 1);
        if (strlen(c) == len && memcmp(c, tok, len) == 0)
            return (long)i;
    }
    return -1;
}

static wt_location line_loc(const char *s, size_t off)
{
    uint32_t line = 1, col = 1;
    for (size_t i = 0; i < off; i++) {
        if (s[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    wt_location l = wt_loc_line(line, col);
    l.offset = off;
    l.has_offset = true;
    return l;
}

static int ts_analyze(wt_ctx *ctx, wt_reader *r)
{
    size_t n = 0;
    uint8_t *buf = wt_reader_slurp(r, TS_MAX, &n);
    wt_ctx_set_kind(ctx, "torchscript-code");
    wt_ctx_set_class(ctx, WT_CLASS_MODEL);
    if (!buf) {
        wt_emit_limit(ctx, "TorchScript code member size", wt_reader_size(r), TS_MAX);
        return WT_OK;
    }
    const char *s = (const char *)buf;
    const wt_fmt_table *t = wt_fmt_table_get("torchscript_calls.tsv", 3);
    size_t ndanger = 0, ncustom = 0;
    char seen[16][48];
    size_t nseen = 0;
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c == '#') {
            while (i < n && s[i] != '\n')
                i++;
            continue;
        }
        if (c == '"' || c == '\'') {
            bool triple = i + 2 < n && s[i + 1] == (char)c && s[i + 2] == (char)c;
            i += triple ? 3 : 1;
            while (i < n) {
                if (s[i] == '\\') {
                    i += 2;
                    continue;
                }
                if (s[i] == (char)c && (!triple || (i + 2 < n && s[i + 1] == (char)c && s[i + 2] == (char)c))) {
                    i += triple ? 3 : 1;
                    break;
                }
                if (!triple && s[i] == '\n')
                    break;
                i++;
            }
            continue;
        }
        if (!(isalpha(c) || c == '_')) {
            i++;
            continue;
        }
        size_t st = i;
        while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_'))
            i++;
        const char *tok = s + st;
        size_t tl = i - st;
        bool after_dot = st > 0 && s[st - 1] == '.';
        char next = i < n ? s[i] : 0;
        /* torch.ops.<ns>.<op> */
        if (tl == 3 && memcmp(tok, "ops", 3) == 0 && st >= 6 && memcmp(s + st - 6, "torch.", 6) == 0 && next == '.') {
            size_t a = i + 1, b = a;
            while (b < n && (isalnum((unsigned char)s[b]) || s[b] == '_'))
                b++;
            if (b > a && find_kind(t, "ops", s + a, b - a) < 0) {
                size_t e = b;
                if (e < n && s[e] == '.')
                    for (e++; e < n && (isalnum((unsigned char)s[e]) || s[e] == '_'); e++) {
                    }
                bool dup = false;
                for (size_t k = 0; k < nseen; k++)
                    if (strlen(seen[k]) == b - a && memcmp(seen[k], s + a, b - a) == 0)
                        dup = true;
                if (!dup && nseen < 16) {
                    snprintf(seen[nseen], sizeof seen[nseen], "%.*s", (int)(b - a), s + a);
                    nseen++;
                }
                if (!dup && ++ncustom <= WT_FMT_MAX_FINDINGS_PER_RULE) {
                    wt_location loc = line_loc(s, st);
                    char *ev = wt_shorten(s + st - 6, e - st + 6, 100);
                    wt_emit(ctx, "WT-TORCHSCRIPT-002", WT_SEV_NONE, &loc, ev,
                            "TorchScript calls custom op namespace torch.ops.%.*s", (int)(b - a), s + a);
                    free(ev);
                }
            }
            i = b;
            continue;
        }
        if (after_dot)
            continue; /* attribute of something else (self.os is not the os module) */
        long row = find_kind(t, "word", tok, tl);
        if (row < 0 && next == '.')
            row = find_kind(t, "dot", tok, tl);
        if (row < 0 && next == '(')
            row = find_kind(t, "call", tok, tl);
        if (row >= 0 && ++ndanger <= WT_FMT_MAX_FINDINGS_PER_RULE) {
            wt_location loc = line_loc(s, st);
            size_t e = st + 60 < n ? st + 60 : n;
            const char *nl = memchr(s + st, '\n', e - st);
            char *ev = wt_shorten(s + st, (nl ? (size_t)(nl - s) : e) - st, 80);
            wt_emit(ctx, "WT-TORCHSCRIPT-001", WT_SEV_NONE, &loc, ev, "TorchScript code references %.*s: %s",
                    (int)tl, tok, wt_fmt_cell(t, (size_t)row, 2));
            free(ev);
        }
    }
    wt_text_origin o = {.cell = -1, .kind = "python", .line_base = 1};
    wt_text_detect(ctx, s, n, &o);
    free(buf);
    return WT_OK;
}

const wt_analyzer wt_torchscript_analyzer = {
    .name = "torchscript-code",
    .klass = WT_CLASS_OTHER, /* set to model in analyze: .txt/.json/.py names are normal here */
    .exclusive = true,
    .probe = ts_probe,
    .analyze = ts_analyze,
};
