/* Notebook analyzer: cell / output / line / raw-line mapping for every
 * buffer type, nbformat 3, JSON decoding, malformed notebooks. */
#include <stdlib.h>
#include <string.h>

#include "core/analyzer.h"
#include "core/util.h"
#include "harness.h"
#include "text/notebook.h"

/* Raw line numbers are in the comments: tests pin them. */
static const char NB4[] =
    "{\n"                                                                                    /* 1 */
    " \"cells\": [\n"                                                                        /* 2 */
    "  {\n"                                                                                  /* 3 */
    "   \"cell_type\": \"markdown\",\n"                                                      /* 4 */
    "   \"id\": \"intro\",\n"                                                                /* 5 */
    "   \"metadata\": {},\n"                                                                 /* 6 */
    "   \"source\": [\"# Intro\\n\", \"token = NEEDLE_MD\\n\"]\n"                            /* 7 */
    "  },\n"                                                                                 /* 8 */
    "  {\n"                                                                                  /* 9 */
    "   \"cell_type\": \"code\",\n"                                                          /* 10 */
    "   \"id\": \"train-1\",\n"                                                              /* 11 */
    "   \"execution_count\": 1,\n"                                                           /* 12 */
    "   \"metadata\": {},\n"                                                                 /* 13 */
    "   \"source\": [\n"                                                                     /* 14 */
    "    \"import pickle\\n\",\n"                                                            /* 15 */
    "    \"\\n\",\n"                                                                         /* 16 */
    "    \"obj = pickle.loads(blob)\\n\"\n"                                                  /* 17 */
    "   ],\n"                                                                                /* 18 */
    "   \"outputs\": [\n"                                                                    /* 19 */
    "    {\"output_type\": \"stream\", \"name\": \"stdout\", \"text\": [\n"                  /* 20 */
    "      \"epoch 1\\n\",\n"                                                                /* 21 */
    "      \"NEEDLE_STREAM\\n\"\n"                                                           /* 22 */
    "    ]},\n"                                                                              /* 23 */
    "    {\"output_type\": \"execute_result\", \"execution_count\": 1, \"metadata\": {}, \"data\": {\n" /* 24 */
    "      \"text/plain\": [\"a\\n\", \"b NEEDLE_PLAIN\"],\n"                                /* 25 */
    "      \"text/html\": [\"<table>\\n\", \"<tr><td>NEEDLE_HTML &amp; co</td></tr>\\n\", \"</table>\"],\n" /* 26 */
    "      \"image/png\": \"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==\",\n" /* 27 */
    "      \"application/json\": {\"k\": \"v\",\n"                                           /* 28 */
    "         \"secret\": \"NEEDLE_JSON\"}\n"                                                /* 29 */
    "    }},\n"                                                                              /* 30 */
    "    {\"output_type\": \"error\", \"ename\": \"ValueError\", \"evalue\": \"bad\", \"traceback\": [\n" /* 31 */
    "      \"\\u001b[0;31mValueError\\u001b[0m Traceback\",\n"                                /* 32 */
    "      \"\\u001b[0;32mline\\u001b[0m NEEDLE_TB\"\n"                                      /* 33 */
    "    ]},\n"                                                                              /* 34 */
    "    {\"output_type\": \"display_data\", \"metadata\": {}, \"data\": {\"text/markdown\": \"**NEEDLE_MDOUT**\"}}\n" /* 35 */
    "   ]\n"                                                                                 /* 36 */
    "  }\n"                                                                                  /* 37 */
    " ],\n"                                                                                  /* 38 */
    " \"metadata\": {\"kernelspec\": {\"language\": \"python\", \"name\": \"python3\"}},\n"  /* 39 */
    " \"nbformat\": 4,\n"                                                                    /* 40 */
    " \"nbformat_minor\": 5\n"                                                               /* 41 */
    "}\n";                                                                                   /* 42 */

/* ---- collecting buffers from the pure walk ---- */
typedef struct rec {
    int cell, output;
    char *cell_id, *part, *kind, *mime;
    char *text;
    size_t len;
    wt_location loc; /* location of the needle, if found */
    bool found;
} rec;

typedef struct recs {
    rec r[64];
    int n;
    const char *needle;
} recs;

static void on_buf(void *ud, const wt_nb_buffer *b)
{
    recs *x = ud;
    if (x->n >= 64)
        return;
    rec *r = &x->r[x->n++];
    memset(r, 0, sizeof *r);
    r->cell = b->cell;
    r->output = b->output;
    r->cell_id = b->cell_id ? wt_xstrdup(b->cell_id) : NULL;
    r->part = wt_xstrdup(b->cell_part);
    r->kind = wt_xstrdup(b->kind);
    r->mime = b->mime ? wt_xstrdup(b->mime) : NULL;
    r->text = wt_xstrndup(b->text, b->len);
    r->len = b->len;
    const char *hit = x->needle ? memmem(b->text, b->len, x->needle, strlen(x->needle)) : NULL;
    if (hit) {
        wt_text_origin o = {.cell = b->cell, .cell_id = b->cell_id, .cell_part = b->cell_part, .kind = b->kind,
                            .raw_lines = b->raw_lines, .nraw_lines = b->nraw_lines, .line_base = 1,
                            .offset_map = b->offset_map, .orig_text = b->orig_text, .orig_len = b->orig_len};
        r->loc = wt_text_location(b->text, b->len, (size_t)(hit - b->text), &o);
        r->found = true;
    }
}

static void recs_free(recs *x)
{
    for (int i = 0; i < x->n; i++) {
        free(x->r[i].cell_id);
        free(x->r[i].part);
        free(x->r[i].kind);
        free(x->r[i].mime);
        free(x->r[i].text);
    }
}

/* walk src and return the buffer containing needle (copied into *out) */
static bool locate(const char *src, const char *needle, rec *out, recs *all)
{
    wt_json j;
    memset(all, 0, sizeof *all);
    all->needle = needle;
    if (wt_json_parse(&j, src, strlen(src), 0, 0) != 0) {
        wt_json_free(&j);
        return false;
    }
    wt_nb_info info;
    char err[128];
    int rc = wt_notebook_walk(&j, 0, on_buf, NULL, all, &info, err, sizeof err);
    wt_json_free(&j);
    if (rc != 0)
        return false;
    for (int i = 0; i < all->n; i++)
        if (all->r[i].found) {
            *out = all->r[i];
            return true;
        }
    return false;
}

#define EXPECT_AT(needle, cell_, part_, kind_, cline, rawline, col)                                      \
    do {                                                                                                 \
        rec r_;                                                                                          \
        recs a_;                                                                                         \
        bool ok_ = locate(NB4, needle, &r_, &a_);                                                        \
        CHECK(ok_);                                                                                      \
        if (ok_) {                                                                                       \
            CHECK_INT(r_.loc.cell, cell_);                                                               \
            CHECK_STR(r_.part, part_);                                                                   \
            CHECK_STR(r_.kind, kind_);                                                                   \
            CHECK_INT(r_.loc.cell_line, cline);                                                          \
            CHECK_INT(r_.loc.line, rawline);                                                             \
            if (col)                                                                                     \
                CHECK_INT(r_.loc.column, col);                                                           \
        }                                                                                                \
        recs_free(&a_);                                                                                  \
    } while (0)

WT_TEST(markdown_source_maps_to_cell_line_and_raw_line)
{
    EXPECT_AT("NEEDLE_MD", 0, "source", "markdown", 2, 7, 9);
}
WT_TEST(stream_output_maps_to_its_raw_line)
{
    EXPECT_AT("NEEDLE_STREAM", 1, "output", "output", 2, 22, 1);
}
WT_TEST(text_plain_output_maps_to_its_raw_line)
{
    EXPECT_AT("NEEDLE_PLAIN", 1, "output", "output", 2, 25, 3);
}
WT_TEST(text_html_output_is_tag_stripped_with_original_positions)
{
    EXPECT_AT("NEEDLE_HTML & co", 1, "output", "html", 2, 26, 9);
}
WT_TEST(application_json_output_maps_to_its_raw_line)
{
    EXPECT_AT("NEEDLE_JSON", 1, "output", "json", 2, 29, 0);
}
WT_TEST(traceback_is_ansi_stripped_with_original_positions)
{
    EXPECT_AT("line NEEDLE_TB", 1, "output", "traceback", 2, 33, 8); /* after ESC[0;32m */
}
WT_TEST(text_markdown_output_maps_to_its_raw_line)
{
    EXPECT_AT("NEEDLE_MDOUT", 1, "output", "markdown", 1, 35, 3);
}

WT_TEST(base64_images_are_not_handed_to_text_detectors)
{
    rec r;
    recs a;
    CHECK(!locate(NB4, "iVBORw0KGgo", &r, &a));
    for (int i = 0; i < a.n; i++)
        CHECK(a.r[i].mime == NULL || strncmp(a.r[i].mime, "image/", 6) != 0);
    /* every output buffer carries its index in the cell */
    int outputs = 0;
    for (int i = 0; i < a.n; i++)
        if (strcmp(a.r[i].part, "output") == 0)
            outputs++;
    CHECK_INT(outputs, 6); /* stream, plain, html, json, traceback, markdown */
    recs_free(&a);
}

WT_TEST(code_finding_in_a_notebook_names_cell_id_part_and_both_lines)
{
    wt_scan_result *r = wt_t_scan_mem("nb/train.ipynb", NB4, strlen(NB4));
    const wt_finding *f = wt_t_find(r, "WT-CODE-001");
    CHECK(f != NULL);
    if (f) {
        CHECK_INT(f->loc.cell, 1);
        CHECK_STR(f->loc.cell_id, "train-1");
        CHECK_STR(f->loc.cell_part, "source");
        CHECK_INT(f->loc.cell_line, 3);
        CHECK_INT(f->loc.line, 17);
        CHECK_INT(f->loc.column, 7);
    }
    CHECK_INT(wt_t_count(r, "WT-SCAN-*"), 0);
    CHECK_INT(r->nbreq_found, 1);
    wt_scan_result_free(r);
}

WT_TEST(notebook_is_recognised_by_content_without_the_extension)
{
    wt_scan_result *r = wt_t_scan_mem("export.json", NB4, strlen(NB4));
    CHECK_INT(wt_t_count(r, "WT-CODE-001"), 1);
    const wt_finding *f = wt_t_find(r, "WT-CODE-001");
    if (f)
        CHECK_INT(f->loc.cell, 1);
    wt_scan_result_free(r);
}

WT_TEST(json_strings_are_decoded_before_matching)
{
    /* \u0070ickle is "pickle"; \" are real quotes in the cell */
    const char *nb = "{\"cells\": [{\"cell_type\": \"code\", \"metadata\": {}, \"outputs\": [], \"source\": "
                     "[\"import pickle\\n\", \"s = \\\"x\\\"; \\u0070ickle.loads(b)\\n\"]}], \"metadata\": {}, "
                     "\"nbformat\": 4, \"nbformat_minor\": 4}";
    rec r;
    recs a;
    CHECK(locate(nb, "s = \"x\"; pickle.loads(b)", &r, &a));
    recs_free(&a);
    wt_scan_result *res = wt_t_scan_mem("n.ipynb", nb, strlen(nb));
    const wt_finding *f = wt_t_find(res, "WT-CODE-001");
    CHECK(f != NULL);
    if (f) {
        CHECK_INT(f->loc.cell, 0);
        CHECK(f->loc.cell_id == NULL);
        CHECK_INT(f->loc.cell_line, 2);
        CHECK_INT(f->loc.line, 1);
    }
    wt_scan_result_free(res);
}

WT_TEST(single_string_source_maps_every_line_to_the_same_raw_line)
{
    const char *nb = "{\n\"nbformat\": 4, \"metadata\": {},\n\"cells\": [\n{\"cell_type\": \"code\", "
                     "\"outputs\": [], \"metadata\": {},\n\"source\": \"import dill\\nx = 1\\ny = dill.load(f)\"}]}";
    wt_scan_result *r = wt_t_scan_mem("s.ipynb", nb, strlen(nb));
    const wt_finding *f = wt_t_find(r, "WT-CODE-003");
    CHECK(f != NULL);
    if (f) {
        CHECK_INT(f->loc.cell_line, 3);
        CHECK_INT(f->loc.line, 5);
    }
    wt_scan_result_free(r);
}

/* ---- nbformat 3 ---- */
static const char NB3[] =
    "{\n"                                                                              /* 1 */
    " \"metadata\": {\"name\": \"old\"},\n"                                            /* 2 */
    " \"nbformat\": 3, \"nbformat_minor\": 0,\n"                                       /* 3 */
    " \"worksheets\": [\n"                                                             /* 4 */
    "  {\"cells\": [\n"                                                                /* 5 */
    "   {\"cell_type\": \"heading\", \"level\": 1, \"metadata\": {}, \"source\": [\"Title\"]},\n" /* 6 */
    "   {\"cell_type\": \"code\", \"language\": \"python\", \"collapsed\": false, \"metadata\": {},\n" /* 7 */
    "    \"input\": [\n"                                                               /* 8 */
    "     \"import yaml\\n\",\n"                                                       /* 9 */
    "     \"cfg = yaml.load(open('c.yml'), Loader=yaml.Loader)\"\n"                   /* 10 */
    "    ],\n"                                                                         /* 11 */
    "    \"outputs\": [\n"                                                             /* 12 */
    "     {\"output_type\": \"pyout\", \"prompt_number\": 1, \"metadata\": {},\n"      /* 13 */
    "      \"text\": [\"V3_PLAIN\"], \"html\": [\"<b>V3_HTML</b>\"], \"png\": \"iVBORw0KGgo=\"},\n" /* 14 */
    "     {\"output_type\": \"pyerr\", \"ename\": \"E\", \"evalue\": \"x\", \"traceback\": [\"V3_TB\"]}\n" /* 15 */
    "    ]}\n"                                                                         /* 16 */
    "  ]}\n"                                                                           /* 17 */
    " ]\n"                                                                             /* 18 */
    "}\n";

WT_TEST(nbformat3_input_and_outputs_are_scanned_with_positions)
{
    wt_scan_result *r = wt_t_scan_mem("old.ipynb", NB3, strlen(NB3));
    const wt_finding *f = wt_t_find(r, "WT-CODE-006");
    CHECK(f != NULL);
    if (f) {
        CHECK_INT(f->loc.cell, 1);
        CHECK_INT(f->loc.cell_line, 2);
        CHECK_INT(f->loc.line, 10);
        CHECK_STR(f->loc.cell_part, "source");
    }
    CHECK_INT(wt_t_count(r, "WT-SCAN-*"), 0);
    wt_scan_result_free(r);

    const char *needles[][3] = {{"V3_PLAIN", "output", "14"}, {"V3_HTML", "html", "14"}, {"V3_TB", "traceback", "15"},
                                {"Title", "markdown", "6"}};
    for (int i = 0; i < 4; i++) {
        rec x;
        recs a;
        wt_json j;
        memset(&a, 0, sizeof a);
        a.needle = needles[i][0];
        CHECK(wt_json_parse(&j, NB3, strlen(NB3), 0, 0) == 0);
        wt_nb_info info;
        CHECK(wt_notebook_walk(&j, 0, on_buf, NULL, &a, &info, NULL, 0) == 0);
        CHECK_INT(info.nbformat, 3);
        CHECK_INT(info.ncells, 2);
        bool found = false;
        for (int k = 0; k < a.n; k++)
            if (a.r[k].found) {
                x = a.r[k];
                found = true;
                CHECK_STR(x.kind, needles[i][1]);
                CHECK_INT(x.loc.line, atoi(needles[i][2]));
            }
        CHECK(found);
        recs_free(&a);
        wt_json_free(&j);
    }
}

/* ---- languages and magics ---- */
WT_TEST(non_python_kernels_get_no_python_rules)
{
    const char *nb = "{\"cells\": [{\"cell_type\": \"code\", \"metadata\": {}, \"outputs\": [], "
                     "\"source\": [\"x <- eval(parse(text = s))\\n\", \"system(cmd)\"]}], "
                     "\"metadata\": {\"kernelspec\": {\"language\": \"R\", \"name\": \"ir\"}}, \"nbformat\": 4, "
                     "\"nbformat_minor\": 4}";
    wt_scan_result *r = wt_t_scan_mem("r.ipynb", nb, strlen(nb));
    CHECK_INT(wt_t_count(r, "WT-CODE-*"), 0);
    wt_scan_result_free(r);
}

WT_TEST(imports_in_earlier_cells_apply_to_later_cells_only_in_the_same_notebook)
{
    const char *nb = "{\"cells\": [{\"cell_type\": \"code\", \"metadata\": {}, \"outputs\": [], \"source\": "
                     "[\"import pickle as pk\\n\"]}, {\"cell_type\": \"code\", \"metadata\": {}, \"outputs\": [], "
                     "\"source\": [\"data = pk.loads(b)\\n\"]}], \"metadata\": {}, \"nbformat\": 4, "
                     "\"nbformat_minor\": 4}";
    wt_scan_result *r = wt_t_scan_mem("a.ipynb", nb, strlen(nb));
    const wt_finding *f = wt_t_find(r, "WT-CODE-001");
    CHECK(f != NULL);
    if (f)
        CHECK_INT(f->loc.cell, 1);
    wt_scan_result_free(r);
    /* the alias does not leak into the next file */
    const char *py = "data = pk.loads(b)\n";
    r = wt_t_scan_mem("b.py", py, strlen(py));
    CHECK_INT(wt_t_count(r, "WT-CODE-001"), 0);
    wt_scan_result_free(r);
}

WT_TEST(shell_escapes_and_bash_cells_feed_the_shell_rules)
{
    const char *nb = "{\"cells\": [{\"cell_type\": \"code\", \"id\": \"setup\", \"metadata\": {}, \"outputs\": [], "
                     "\"source\": [\"%pip install -q transformers\\n\", \"!curl -fsSL https://x.sh/i | bash\\n\"]},\n"
                     "{\"cell_type\": \"code\", \"metadata\": {}, \"outputs\": [], \"source\": [\"%%bash\\n\", "
                     "\"set -e\\n\", \"wget -qO- https://e.org/a.sh | sudo sh\\n\"]}], \"metadata\": {}, "
                     "\"nbformat\": 4, \"nbformat_minor\": 5}";
    wt_scan_result *r = wt_t_scan_mem("setup.ipynb", nb, strlen(nb));
    CHECK_INT(wt_t_count(r, "WT-CODE-015"), 2);
    for (size_t i = 0; i < r->nfindings; i++) {
        const wt_finding *f = r->findings[i];
        if (strcmp(f->rule_id, "WT-CODE-015") != 0)
            continue;
        if (f->loc.cell == 0) {
            CHECK_INT(f->loc.cell_line, 2);
            CHECK_STR(f->loc.cell_id, "setup");
            CHECK_INT(f->loc.line, 1);
        } else {
            CHECK_INT(f->loc.cell, 1);
            CHECK_INT(f->loc.cell_line, 3);
            CHECK_INT(f->loc.line, 2);
        }
    }
    wt_scan_result_free(r);
}

WT_TEST(bash_cell_source_buffer_has_shell_kind)
{
    const char *nb = "{\"cells\": [{\"cell_type\": \"code\", \"metadata\": {}, \"outputs\": [], \"source\": "
                     "[\"%%bash\\n\", \"ls\\n\"]}], \"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 5}";
    rec r;
    recs a;
    CHECK(locate(nb, "ls", &r, &a));
    CHECK_STR(r.kind, "shell");
    recs_free(&a);
}

/* ---- malformed notebooks: findings, not crashes ---- */
WT_TEST(invalid_json_is_a_scan_error_with_its_line)
{
    const char *nb = "{\n \"cells\": [\n  {\"cell_type\": \"code\",,}\n";
    wt_scan_result *r = wt_t_scan_mem("broken.ipynb", nb, strlen(nb));
    const wt_finding *f = wt_t_find(r, "WT-SCAN-001");
    CHECK(f != NULL);
    if (f)
        CHECK(strstr(f->message, "line 3") != NULL);
    wt_scan_result_free(r);
}

WT_TEST(truncated_and_non_json_notebooks_do_not_crash)
{
    const char *cases[] = {"", "{", "[1,2,3]", "\"cells\"", "{\"cells\": 5, \"nbformat\": 4}", "not json at all",
                           "{\"cells\": [\"x\", 1, null, {\"cell_type\": 7, \"source\": {\"a\": 1}}], \"nbformat\": 4}",
                           ("{\"cells\": [{\"cell_type\": \"code\", \"source\": [1, true, \"ok\\n\"], "
                            "\"outputs\": [1, {\"output_type\": \"stream\", \"text\": 3}]}], \"nbformat\": 4}"),
                           "{\"a\": \"\\ud800\\udc00\\ud800 \\u0000\"}", "{\"x\": NaN, \"y\": -Infinity}"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wt_scan_result *r = wt_t_scan_mem("x.ipynb", cases[i], strlen(cases[i]));
        CHECK(r != NULL);
        if (i >= 1 && i <= 7)
            CHECK(wt_t_count(r, "WT-SCAN-001") >= 1);
        wt_scan_result_free(r);
    }
}

WT_TEST(wrong_types_are_reported_and_valid_cells_still_scanned)
{
    const char *nb = "{\"cells\": [42, {\"cell_type\": \"code\", \"metadata\": {}, \"outputs\": {}, "
                     "\"source\": [\"import joblib\\n\", 7, \"joblib.load(p)\\n\"]}], \"nbformat\": 4}";
    wt_scan_result *r = wt_t_scan_mem("w.ipynb", nb, strlen(nb));
    CHECK_INT(wt_t_count(r, "WT-CODE-002"), 1);
    CHECK_INT(wt_t_count(r, "WT-SCAN-001"), 1);
    const wt_finding *f = wt_t_find(r, "WT-CODE-002");
    if (f) {
        CHECK_INT(f->loc.cell, 1);
        CHECK_INT(f->loc.cell_line, 2);
    }
    wt_scan_result_free(r);
}

WT_TEST(deep_nesting_is_a_limit_not_a_stack_overflow)
{
    size_t n = 100000;
    char *s = wt_xmalloc(n * 2 + 32);
    size_t o = 0;
    o += (size_t)sprintf(s, "{\"cells\": []} ");
    o = 0;
    s[o++] = '{';
    memcpy(s + o, "\"x\":", 4);
    o += 4;
    for (size_t i = 0; i < n; i++)
        s[o++] = '[';
    for (size_t i = 0; i < n; i++)
        s[o++] = ']';
    s[o++] = '}';
    wt_scan_result *r = wt_t_scan_mem("deep.ipynb", s, o);
    CHECK_INT(wt_t_count(r, "WT-SCAN-002"), 1);
    wt_scan_result_free(r);
    free(s);
}

WT_TEST(huge_cell_is_cut_at_max_text_size_and_reported)
{
    wt_buf b;
    wt_buf_init(&b);
    wt_buf_puts(&b, "{\"cells\": [{\"cell_type\": \"code\", \"metadata\": {}, \"outputs\": [], \"source\": [\"import pickle\\n\", \"pickle.loads(x)\\n\"");
    for (int i = 0; i < 2000; i++)
        wt_buf_puts(&b, ", \"x = 1  # padding padding padding\\n\"");
    wt_buf_puts(&b, "]}], \"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 4}");
    wt_scan_options o;
    wt_scan_options_default(&o);
    o.jobs = 1;
    o.limits.max_text_size = 4096;
    wt_scan_result *r = NULL;
    char *err = NULL;
    CHECK(wt_scan_memory("big.ipynb", b.data, b.len, &o, &r, &err) == WT_OK);
    if (r) {
        CHECK_INT(wt_t_count(r, "WT-SCAN-002"), 1);
        CHECK_INT(wt_t_count(r, "WT-CODE-001"), 1); /* the beginning was scanned */
        wt_scan_result_free(r);
    }
    free(err);
    wt_buf_free(&b);
}

WT_TEST(duplicate_source_keys_are_all_scanned)
{
    const char *nb = "{\"cells\": [{\"cell_type\": \"code\", \"metadata\": {}, \"outputs\": [], "
                     "\"source\": [\"import dill\\ndill.loads(a)\\n\"], \"source\": [\"x = 1\\n\"]}], "
                     "\"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 4}";
    wt_scan_result *r = wt_t_scan_mem("dup.ipynb", nb, strlen(nb));
    CHECK_INT(wt_t_count(r, "WT-CODE-003"), 1);
    wt_scan_result_free(r);
}

/* ---- helpers ---- */
WT_TEST(html_stripping_keeps_newlines_and_maps_offsets)
{
    const char *h = "<td\nclass=x>ab</td>&lt;c&gt;";
    char out[64];
    uint32_t map[64];
    size_t n = wt_nb_strip_html(h, strlen(h), out, map);
    out[n] = '\0';
    CHECK_STR(out, "\nab <c>");
    CHECK_INT(map[0], 3);  /* the newline inside the tag */
    CHECK_INT(map[1], 12); /* 'a' */
    CHECK_INT(map[4], 19); /* '<' from &lt; */
    const char *open_tag = "x <b token=abc";
    n = wt_nb_strip_html(open_tag, strlen(open_tag), out, map);
    out[n] = '\0';
    CHECK_STR(out, "x <b token=abc"); /* unterminated: kept as text */
}

WT_TEST(json_parser_records_lines_and_rejects_bad_input)
{
    wt_json j;
    const char *s = "{\n\"a\":\n [1,\n \"x\"]}";
    CHECK(wt_json_parse(&j, s, strlen(s), 0, 0) == 0);
    int a = wt_json_get(&j, j.root, "a");
    CHECK(a >= 0);
    if (a >= 0) {
        CHECK_INT(j.n[a].line, 3);
        int x = j.n[j.n[a].first].next;
        CHECK_INT(j.n[x].line, 4);
    }
    wt_json_free(&j);
    const char *bad[] = {"{\"a\" 1}", "[1,]", "{\"a\":\"\x01\"}", "[01]", "\"\\x\"", "[1] 2", "{'a': 1}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(wt_json_parse(&j, bad[i], strlen(bad[i]), 0, 0) != 0);
        wt_json_free(&j);
    }
}

WT_TEST(non_empty_cell_metadata_is_scanned_as_json_with_raw_lines)
{
    const char *nb = "{\"cells\": [{\"cell_type\": \"code\", \"outputs\": [], \"source\": [\"x = 1\"],\n"
                     " \"metadata\": {\"colab\": {\"base_uri\": \"https://localhost:8080/\"},\n"
                     "  \"executionInfo\": {\"user\": {\"displayName\": \"META_NEEDLE\"}}}},\n"
                     " {\"cell_type\": \"markdown\", \"metadata\": {}, \"source\": \"hi\"}],\n"
                     " \"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 4}";
    rec r;
    recs a;
    CHECK(locate(nb, "META_NEEDLE", &r, &a));
    CHECK_STR(r.part, "metadata");
    CHECK_STR(r.kind, "json");
    CHECK_INT(r.loc.cell, 0);
    CHECK_INT(r.loc.cell_line, 2);
    CHECK_INT(r.loc.line, 3);
    int metas = 0;
    for (int i = 0; i < a.n; i++)
        metas += strcmp(a.r[i].part, "metadata") == 0;
    CHECK_INT(metas, 1); /* the empty {} of the markdown cell is skipped */
    recs_free(&a);
}

/* ---- every unsafe-code rule inside a notebook cell: positive with its
 * location, near miss without a finding ---- */
static char *nb_with(const char *imports, const char *line)
{
    wt_buf b;
    wt_buf_init(&b);
    wt_buf_puts(&b, "{\"cells\": [\n"
                    "{\"cell_type\": \"markdown\", \"metadata\": {}, \"source\": [\"intro\"]},\n"
                    "{\"cell_type\": \"code\", \"id\": \"c-1\", \"metadata\": {}, \"outputs\": [], \"source\": [\n");
    const char *parts[2] = {imports, line};
    for (int k = 0; k < 2; k++) {
        wt_buf_puts(&b, " \"");
        for (const char *p = parts[k]; *p; p++) {
            if (*p == '"' || *p == '\\')
                wt_buf_putc(&b, '\\');
            wt_buf_putc(&b, *p);
        }
        wt_buf_puts(&b, k == 0 ? "\\n\",\n" : "\\n\"\n");
    }
    wt_buf_puts(&b, "]}],\n\"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 5}\n");
    return wt_buf_steal(&b);
}

WT_TEST(every_code_rule_fires_in_a_cell_with_its_location_and_not_on_its_near_miss)
{
    static const char *const cases[][4] = {
        {"WT-CODE-001", "import pickle", "obj = pickle.loads(blob)", "s = pickle.dumps(obj)"},
        {"WT-CODE-002", "import joblib", "m = joblib.load(path)", "joblib.dump(m, path)"},
        {"WT-CODE-003", "import dill", "f = dill.load(fh)", "b = dill.dumps(f)"},
        {"WT-CODE-004", "import torch", "sd = torch.load(p, weights_only=False)", "sd = torch.load(p, weights_only=True)"},
        {"WT-CODE-005", "import numpy as np", "a = np.load(p, allow_pickle=True)", "a = np.load(p)"},
        {"WT-CODE-006", "import yaml", "c = yaml.load(f, Loader=yaml.FullLoader)", "c = yaml.load(f, Loader=yaml.SafeLoader)"},
        {"WT-CODE-007", "import sys", "v = eval(sys.argv[1])", "v = eval('2 ** 8')"},
        {"WT-CODE-008", "import os", "os.system('rm -rf ' + d)", "os.path.exists(d)"},
        {"WT-CODE-009", "import subprocess", "subprocess.call(c, shell=True)", "subprocess.call(['ls'])"},
        {"WT-CODE-010", "from transformers import AutoModel", "m = AutoModel.from_pretrained(r, trust_remote_code=True)",
         "m = AutoModel.from_pretrained(r)"},
        {"WT-CODE-011", "import requests", "r = requests.post(u, json=d, verify=False)", "r = requests.post(u, json=d)"},
        {"WT-CODE-012", "import keras", "m = keras.models.load_model(p, safe_mode=False)", "m = keras.models.load_model(p)"},
        {"WT-CODE-013", "import keras", "keras.config.enable_unsafe_deserialization()",
         "keras.config.enable_traceback_filtering()"},
        {"WT-CODE-014", "import tarfile", "tarfile.open(p).extractall(d)", "tarfile.open(p).extractall(d, filter='data')"},
        {"WT-CODE-015", "import os", "!curl -sL https://x.io/i.sh | bash", "!curl -sL -o i.sh https://x.io/i.sh"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *pos = nb_with(cases[i][1], cases[i][2]);
        wt_scan_result *r = wt_t_scan_mem("rules.ipynb", pos, strlen(pos));
        const wt_finding *f = wt_t_find(r, cases[i][0]);
        if (!f)
            fprintf(stderr, "    no %s for: %s\n", cases[i][0], cases[i][2]);
        CHECK(f != NULL);
        if (f) {
            CHECK_INT(f->loc.cell, 1);
            CHECK_STR(f->loc.cell_id, "c-1");
            CHECK_STR(f->loc.cell_part, "source");
            CHECK_INT(f->loc.cell_line, 2);
            CHECK_INT(f->loc.line, 5);
        }
        CHECK_INT(wt_t_count(r, "WT-CODE-*"), 1);
        wt_scan_result_free(r);
        free(pos);
        char *neg = nb_with(cases[i][1], cases[i][3]);
        r = wt_t_scan_mem("rules.ipynb", neg, strlen(neg));
        if (wt_t_count(r, "WT-CODE-*") != 0)
            fprintf(stderr, "    near miss fired: %s\n", cases[i][3]);
        CHECK_INT(wt_t_count(r, "WT-CODE-*"), 0);
        wt_scan_result_free(r);
        free(neg);
    }
}

static const char *info_kind(const wt_scan_result *r, const char *name)
{
    for (size_t i = 0; i < r->ninfos; i++)
        if (strcmp(r->infos[i].name, name) == 0)
            return r->infos[i].kind;
    return NULL;
}

WT_TEST(classification_uses_content_and_the_name_only_as_a_hint)
{
    /* "cells" far beyond the probe window: the .ipynb name decides */
    wt_buf b;
    wt_buf_init(&b);
    wt_buf_puts(&b, "{\"metadata\": {\"widgets\": \"");
    for (int i = 0; i < 6000; i++)
        wt_buf_putc(&b, 'w');
    wt_buf_puts(&b, "\"}, \"nbformat\": 4, \"nbformat_minor\": 5, \"cells\": [{\"cell_type\": \"code\", "
                    "\"metadata\": {}, \"outputs\": [], \"source\": [\"import dill\\n\", \"dill.load(f)\"]}]}");
    wt_scan_result *r = wt_t_scan_mem("late.ipynb", b.data, b.len);
    CHECK_STR(info_kind(r, "late.ipynb"), "notebook");
    CHECK_INT(wt_t_count(r, "WT-CODE-003"), 1);
    wt_scan_result_free(r);
    /* the same bytes under another name are JSON text: no notebook cells */
    r = wt_t_scan_mem("late.json", b.data, b.len);
    CHECK_STR(info_kind(r, "late.json"), "json");
    CHECK_INT(wt_t_count(r, "WT-CODE-*"), 0);
    wt_scan_result_free(r);
    wt_buf_free(&b);
    /* a plain JSON config is not a notebook */
    const char *cfg = "{\"model_type\": \"bert\", \"hidden_size\": 768}";
    r = wt_t_scan_mem("config.json", cfg, strlen(cfg));
    CHECK_STR(info_kind(r, "config.json"), "json");
    wt_scan_result_free(r);
    /* a notebook by content, named .txt */
    r = wt_t_scan_mem("nb.txt", NB4, strlen(NB4));
    CHECK_STR(info_kind(r, "nb.txt"), "notebook");
    wt_scan_result_free(r);
}
