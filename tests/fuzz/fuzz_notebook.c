/*
 * fuzz_notebook - the notebook JSON scanner, the nbformat walk (every buffer
 * and its raw-line / offset maps are checked for consistency), the code
 * rules over every python/shell buffer, and the HTML/ANSI strippers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text/code_rules.h"
#include "text/magics.h"
#include "text/notebook.h"

static void on_hit(void *ud, const wt_code_hit *h)
{
    const size_t *len = ud;
    if (h->off > *len || h->len > *len - h->off)
        abort();
}

static void on_buf(void *ud, const wt_nb_buffer *b)
{
    (void)ud;
    /* one raw line per buffer line */
    size_t lines = 1;
    const char *orig = b->offset_map ? b->orig_text : b->text;
    size_t olen = b->offset_map ? b->orig_len : b->len;
    for (size_t i = 0; i + 1 < olen; i++)
        if (orig[i] == '\n')
            lines++;
    if (b->nraw_lines != lines)
        abort();
    if (b->offset_map)
        for (size_t i = 0; i < b->len; i++)
            if (b->offset_map[i] >= olen)
                abort();
    size_t len = b->len;
    wt_code_scan_text(b->text, b->len, b->kind, on_hit, &len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    wt_json j;
    if (wt_json_parse(&j, s, size, 1u << 16, 64) == 0) {
        wt_nb_info info;
        char err[128];
        wt_notebook_walk(&j, 1u << 16, on_buf, NULL, NULL, &info, err, sizeof err);
    }
    wt_json_free(&j);
    /* the same bytes as python / shell text and as html / ansi */
    size_t len = size;
    wt_code_scan_text(s, size, "python", on_hit, &len);
    wt_code_scan_text(s, size, "shell", on_hit, &len);
    wt_code_scan_text(s, size, "dockerfile", on_hit, &len);
    if (size > 0) {
        char *out = malloc(size);
        uint32_t *map = malloc(size * sizeof *map);
        size_t n = wt_nb_strip_html(s, size, out, map);
        for (size_t i = 0; i < n; i++)
            if (map[i] >= size)
                abort();
        n = wt_nb_strip_ansi(s, size, out, map);
        for (size_t i = 0; i < n; i++)
            if (map[i] >= size)
                abort();
        free(out);
        free(map);
    }
    return 0;
}
