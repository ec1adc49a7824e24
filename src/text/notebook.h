/*
 * notebook.h - Jupyter notebooks (.ipynb, nbformat 3 and 4), natively.
 *
 * Owns: a strict, position-tracking JSON scanner (every value knows its raw
 * byte span and raw line; strings are decoded only when needed), the walk
 * over nbformat 3/4 structure that turns cells and outputs into decoded text
 * buffers with a raw-line map (and a tag/ANSI-stripped view with an offset
 * map for text/html outputs and tracebacks), and the "notebook" analyzer
 * that hands every buffer to the text detectors (wt_text_detect).
 *
 * Never converts a notebook to a script and never writes anything.
 */
#ifndef WT_TEXT_NOTEBOOK_H
#define WT_TEXT_NOTEBOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/analyzer.h"

extern const wt_analyzer wt_notebook_analyzer;

/* ---- position-tracking JSON ---- */
typedef enum { WT_J_NULL = 0, WT_J_BOOL, WT_J_NUM, WT_J_STR, WT_J_ARR, WT_J_OBJ } wt_jtype;

typedef struct wt_jnode {
    uint8_t type;    /* wt_jtype */
    uint8_t has_esc; /* string with backslash escapes */
    uint32_t line;   /* 1-based raw line of the value's first byte */
    uint32_t start;  /* raw span [start, end); strings include their quotes */
    uint32_t end;
    int32_t first;   /* first child (objects: key, value, key, value...), -1 */
    int32_t next;    /* next sibling, -1 */
} wt_jnode;

typedef struct wt_json {
    const char *src;
    size_t len;
    wt_jnode *n;
    size_t nn, cap;
    int root;
    /* on error */
    char err[160];
    uint32_t err_line;
    bool too_big; /* a limit (nodes, depth, size) was hit, not a syntax error */
} wt_json;

/* Parse src strictly (RFC 8259 plus NaN/Infinity as Python's json accepts,
 * and an optional UTF-8 BOM). Returns 0, or -1 with j->err / j->err_line.
 * max_nodes/max_depth bound memory and recursion. Call wt_json_free after. */
int wt_json_parse(wt_json *j, const char *src, size_t len, size_t max_nodes, int max_depth);
void wt_json_free(wt_json *j);
/* Object member value by key (the last one, like Python), or -1. */
int wt_json_get(const wt_json *j, int obj, const char *key);
/* Whether string node k equals lit after decoding. */
bool wt_json_str_eq(const wt_json *j, int k, const char *lit);
/* Decode string node k and append it (UTF-8) to out; max = byte cap on what
 * is appended (the rest is dropped); returns bytes appended. */
size_t wt_json_str_append(const wt_json *j, int k, void *out_wt_buf, size_t max);

/* ---- notebook walk (pure: no context) ---- */
typedef struct wt_nb_buffer {
    int32_t cell;            /* 0-based cell index (across v3 worksheets) */
    const char *cell_id;     /* v4.5 "id" or NULL */
    const char *cell_part;   /* "source" | "output" | "metadata" (cell metadata, as JSON) */
    const char *kind;        /* python, shell, markdown, text, output, html, json, traceback */
    const char *mime;        /* output mime type / "stream" / "error", or NULL */
    int32_t output;          /* output index in the cell, -1 for the source */
    const char *text;        /* what detectors match on (stripped for html/traceback) */
    size_t len;
    const uint32_t *raw_lines; /* per line of orig_text (= per line of text) */
    size_t nraw_lines;
    const uint32_t *offset_map; /* text byte -> orig_text byte, or NULL */
    const char *orig_text;
    size_t orig_len;
    bool truncated;          /* the buffer was cut at max_text */
} wt_nb_buffer;

typedef struct wt_nb_info {
    int nbformat;            /* 3, 4 ... or 0 if absent */
    int ncells;
    const char *language;    /* kernel language (static lower-case copy) */
    int bad_cells;           /* cells / outputs with wrong types (skipped) */
    size_t truncated;        /* buffers cut at max_text */
} wt_nb_info;

typedef void (*wt_nb_buffer_fn)(void *ud, const wt_nb_buffer *b);
typedef bool (*wt_nb_stop_fn)(void *ud);

/* Walk the notebook in j, calling fn for every text buffer. Returns 0, or
 * -1 with err if the JSON is not a notebook (root not an object, no cells
 * or worksheets array). max_text caps each buffer. stop (may be NULL) is
 * polled between cells. */
int wt_notebook_walk(const wt_json *j, size_t max_text, wt_nb_buffer_fn fn, wt_nb_stop_fn stop, void *ud,
                     wt_nb_info *info, char *err, size_t errcap);

/* text/html -> text with tags removed (each tag becomes one space, or its
 * own newlines so line numbers are kept) and common entities decoded;
 * map[i] = offset in html of out byte i. Returns out length. out and map
 * must hold len bytes / entries. */
size_t wt_nb_strip_html(const char *html, size_t len, char *out, uint32_t *map);
/* Remove ANSI escape sequences (CSI, OSC, two-byte ESC); same contract. */
size_t wt_nb_strip_ansi(const char *s, size_t len, char *out, uint32_t *map);

#endif
