/*
 * textloc.c - shared helpers for text detectors: turning a byte offset in a
 * decoded buffer into a location a person can jump to (file line/column, or
 * notebook cell, cell line and raw .ipynb line), and inline ignore markers.
 */
#include <string.h>

#include "analyzer.h"
#include "util.h"

/* Last answer of wt_text_location on this thread; only valid inside one
 * wt_text_detect call (the buffer does not change there), reset on entry. */
static _Thread_local struct {
    bool valid;
    const char *text;
    size_t len, off, line_start;
    uint32_t line, col;
} loc_cache;

void wt_text_location_reset(void) { loc_cache.valid = false; }

wt_location wt_text_location(const char *text, size_t len, size_t off, const wt_text_origin *o) {
    if (o && o->offset_map && o->orig_text) {
        if (off < len) off = o->offset_map[off];
        else off = o->orig_len;
        text = o->orig_text;
        len = o->orig_len;
    }
    if (off > len) off = len;
    /* Detectors ask for locations in increasing offset order: resume from the
     * previous answer for the same buffer instead of rescanning from the start
     * (that was quadratic: 80k hits in a 2 MB file took minutes). */
    uint32_t line = 1, col = 1;
    size_t line_start = 0, from = 0;
    if (loc_cache.valid && loc_cache.text == text && loc_cache.len == len && off >= loc_cache.line_start) {
        line = loc_cache.line;
        line_start = loc_cache.line_start;
        from = off >= loc_cache.off ? loc_cache.off : line_start;
        if (off >= loc_cache.off) col = loc_cache.col;
    }
    const char *p = text + from, *end = text + off;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) break;
        line++;
        line_start = (size_t)(nl - text) + 1;
        p = nl + 1;
        col = 1;
        from = line_start;
    }
    /* column in characters (UTF-8 continuation bytes do not count) */
    for (size_t i = from; i < off; i++)
        if (((unsigned char)text[i] & 0xc0) != 0x80) col++;
    loc_cache.valid = true;
    loc_cache.text = text;
    loc_cache.len = len;
    loc_cache.off = off;
    loc_cache.line = line;
    loc_cache.line_start = line_start;
    loc_cache.col = col;
    wt_location l = {0};
    l.cell = -1;
    l.offset = off;
    l.has_offset = !o || o->cell < 0;
    if (!o || o->cell < 0) {
        uint32_t base = o && o->line_base ? o->line_base : 1;
        l.line = base + line - 1;
        l.column = col;
        return l;
    }
    l.cell = o->cell;
    l.cell_id = (char *)o->cell_id; /* copied by wt_emit */
    l.cell_part = o->cell_part;
    l.cell_line = line;
    l.column = col;
    if (o->raw_lines && line - 1 < o->nraw_lines) l.line = o->raw_lines[line - 1];
    else if (o->raw_lines && o->nraw_lines) l.line = o->raw_lines[o->nraw_lines - 1];
    return l;
}

static const char *const markers[] = {"watchtower:ignore", "pragma: allowlist secret", "gitleaks:allow",
                                      "noqa: secret", NULL};

static bool line_has_marker(const char *s, size_t n, const char *rule_id) {
    for (int m = 0; markers[m]; m++) {
        size_t ml = strlen(markers[m]);
        for (size_t i = 0; i + ml <= n; i++) {
            if (memcmp(s + i, markers[m], ml) != 0) continue;
            if (m != 0) return true;
            /* "watchtower:ignore" alone ignores everything on the line;
             * "watchtower:ignore ID[,ID]" only those rules */
            size_t j = i + ml;
            while (j < n && (s[j] == ' ' || s[j] == '=' || s[j] == ':')) j++;
            if (j >= n || !(s[j] == 'W' && j + 3 <= n && memcmp(s + j, "WT-", 3) == 0)) return true;
            if (!rule_id) return false;
            size_t rl = strlen(rule_id);
            while (j < n && s[j] != '\n') {
                if (j + rl <= n && memcmp(s + j, rule_id, rl) == 0 &&
                    (j + rl == n || s[j + rl] == ',' || s[j + rl] == ' ' || s[j + rl] == '\n' || s[j + rl] == '"'))
                    return true;
                j++;
            }
            return false;
        }
    }
    return false;
}

bool wt_text_line_ignored(const char *text, size_t len, size_t off, const char *rule_id) {
    if (off > len) off = len;
    size_t s = off;
    while (s > 0 && text[s - 1] != '\n') s--;
    size_t e = off;
    while (e < len && text[e] != '\n') e++;
    if (line_has_marker(text + s, e - s, rule_id)) return true;
    if (s == 0) return false;
    /* the line above counts only when it is a comment of its own */
    size_t ps = s - 1;
    while (ps > 0 && text[ps - 1] != '\n') ps--;
    size_t q = ps;
    while (q < s - 1 && (text[q] == ' ' || text[q] == '\t')) q++;
    bool comment = q < s - 1 && (text[q] == '#' || text[q] == ';' || (text[q] == '/' && q + 1 < s - 1 && text[q + 1] == '/') ||
                                 (text[q] == '<' && q + 3 < s - 1 && memcmp(text + q, "<!--", 4) == 0));
    return comment && line_has_marker(text + ps, s - 1 - ps, rule_id);
}
