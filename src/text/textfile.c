/*
 * textfile.c - Python sources, config and other text files. See textfile.h.
 */
#include "text/textfile.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"

#define TEXT_CHECK_BYTES 65536

static const struct {
    const char *ext;
    const char *kind;
} by_ext[] = {
    {".py", "python"},     {".pyw", "python"},  {".pyi", "python"},    {".ipy", "python"},
    {".sh", "shell"},      {".bash", "shell"},  {".zsh", "shell"},     {".ksh", "shell"},
    {".dockerfile", "dockerfile"},
    {".env", "env"},       {".yaml", "yaml"},   {".yml", "yaml"},      {".json", "json"},
    {".jsonl", "json"},    {".ndjson", "json"}, {".toml", "toml"},     {".cfg", "ini"},
    {".ini", "ini"},       {".conf", "ini"},    {".properties", "ini"}, {".md", "markdown"},
    {".markdown", "markdown"}, {".txt", "text"}, {".rst", "text"},
    {NULL, NULL},
};

static const struct {
    const char *name;
    const char *kind;
} by_name[] = {
    {"Dockerfile", "dockerfile"}, {"Containerfile", "dockerfile"}, {".npmrc", "ini"}, {".pypirc", "ini"},
    {"pip.conf", "ini"},          {"pip.ini", "ini"},             {".netrc", "text"}, {".git-credentials", "text"},
    {"credentials", "ini"},       {".env", "env"},                {NULL, NULL},
};

const char *wt_textfile_kind_by_name(const char *name)
{
    if (!name)
        return NULL;
    const char *b = wt_basename(name);
    for (int i = 0; by_name[i].name; i++)
        if (strcmp(b, by_name[i].name) == 0)
            return by_name[i].kind;
    /* Dockerfile.dev, .env.local, .env.production */
    if (strncmp(b, "Dockerfile.", 11) == 0 || strncmp(b, "Containerfile.", 14) == 0)
        return "dockerfile";
    if (strncmp(b, ".env.", 5) == 0)
        return "env";
    for (int i = 0; by_ext[i].ext; i++)
        if (wt_str_endswith_ci(b, by_ext[i].ext))
            return by_ext[i].kind;
    return NULL;
}

const char *wt_textfile_kind_by_shebang(const char *t, size_t len)
{
    if (len < 3 || t[0] != '#' || t[1] != '!')
        return NULL;
    size_t e = 2;
    while (e < len && e < 200 && t[e] != '\n')
        e++;
    const char *line = t + 2;
    size_t n = e - 2;
    if (memmem(line, n, "python", 6))
        return "python";
    static const char *const shells[] = {"/sh", "bash", "zsh", "/dash", "/ksh", " sh", NULL};
    for (int i = 0; shells[i]; i++)
        if (memmem(line, n, shells[i], strlen(shells[i])))
            return "shell";
    return NULL;
}

bool wt_textfile_looks_text(const uint8_t *p, size_t n)
{
    if (n > TEXT_CHECK_BYTES)
        n = TEXT_CHECK_BYTES;
    if (memchr(p, '\0', n))
        return false;
    size_t bad = 0, ctrl = 0, i = 0;
    while (i < n) {
        uint8_t c = p[i];
        if (c < 0x80) {
            if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 0x1b)
                ctrl++;
            i++;
            continue;
        }
        size_t need = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : 0;
        if (need == 0 || c == 0xC0 || c == 0xC1) {
            bad++;
            i++;
            continue;
        }
        if (i + need >= n) /* cut at the end of the window */
            break;
        bool ok = true;
        for (size_t k = 1; k <= need; k++)
            ok &= (p[i + k] & 0xC0) == 0x80;
        if (!ok)
            bad++;
        i += ok ? need + 1 : 1;
    }
    /* a little Latin-1 in a text file is fine; a lot means binary */
    return bad * 100 <= n && ctrl * 100 <= n;
}

static int text_probe(const char *name, const uint8_t *head, size_t headlen, uint64_t size)
{
    if (size == 0 || headlen == 0)
        return 0;
    if (!wt_textfile_looks_text(head, headlen))
        return 0;
    if (wt_textfile_kind_by_name(name))
        return 30;
    if (wt_textfile_kind_by_shebang((const char *)head, headlen))
        return 30;
    if (name && wt_str_endswith_ci(name, ".ipynb"))
        return 0; /* the notebook analyzer reports broken notebooks */
    return 5;
}

static int text_analyze(wt_ctx *ctx, wt_reader *r)
{
    const wt_limits *lim = wt_ctx_limits(ctx);
    uint64_t size = wt_reader_size(r);
    uint64_t max = lim && lim->max_text_size ? lim->max_text_size : size;
    size_t n = (size_t)(size < max ? size : max);
    const char *kind = wt_textfile_kind_by_name(wt_ctx_name(ctx));
    if (n == 0) {
        wt_ctx_set_kind(ctx, kind ? kind : "text");
        return WT_OK;
    }
    char *owned = NULL;
    const char *data = (const char *)wt_reader_view(r, 0, n);
    if (!data) {
        owned = wt_xmalloc(n);
        long long got = wt_reader_read(r, 0, owned, n);
        if (got < 0) {
            free(owned);
            wt_emit_error(ctx, "cannot read the file");
            return WT_OK;
        }
        n = (size_t)got;
        data = owned;
    }
    if (!wt_textfile_looks_text((const uint8_t *)data, n)) {
        wt_ctx_set_kind(ctx, "binary");
        free(owned);
        return WT_OK;
    }
    if (!kind)
        kind = wt_textfile_kind_by_shebang(data, n);
    if (!kind)
        kind = "text";
    wt_ctx_set_kind(ctx, kind);
    if (size > max)
        wt_emit_limit(ctx, "text size", size, max);
    /* a NUL further in means a binary tail: scan only the text before it */
    const char *nul = memchr(data, '\0', n);
    if (nul)
        n = (size_t)(nul - data);
    wt_text_origin o = {.cell = -1, .kind = kind, .line_base = 1};
    wt_text_detect(ctx, data, n, &o);
    free(owned);
    return WT_OK;
}

const wt_analyzer wt_textfile_analyzer = {
    .name = "text",
    .klass = WT_CLASS_OTHER,
    .exclusive = true,
    .probe = text_probe,
    .analyze = text_analyze,
    .rules = NULL,
    .nrules = 0,
};
