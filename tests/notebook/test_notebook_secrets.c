/* End to end: the secrets detector over every notebook buffer type (code and
 * markdown sources, stream, text/plain, text/html, text/markdown,
 * application/json, traceback) with the cell / part / cell line / raw line
 * of each finding pinned; the same key inside a base64 image must not fire.
 * AKIA key ids: WT-SECRET-001 (see tests/secrets). */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "harness.h"

#define KEY "AKIAQ3ZK7T2MX6LPR4WV"

static const char NB[] =
    "{\n"                                                                                          /* 1 */
    " \"cells\": [\n"                                                                              /* 2 */
    "  {\"cell_type\": \"code\", \"id\": \"src\", \"metadata\": {}, \"outputs\": [\n"              /* 3 */
    "    {\"output_type\": \"stream\", \"name\": \"stdout\", \"text\": [\"ok\\n\", \"stream " KEY "\\n\"]},\n" /* 4 */
    "    {\"output_type\": \"execute_result\", \"execution_count\": 1, \"metadata\": {}, \"data\": {\n" /* 5 */
    "      \"text/plain\": [\"plain\\n\", \"\\\"" KEY "\\\"\"],\n"                                 /* 6 */
    "      \"text/html\": [\"<table>\\n\", \"<tr><td>a</td><td>" KEY "</td></tr>\\n\", \"</table>\"],\n" /* 7 */
    "      \"image/png\": \"iVBORw0KGgo" KEY "AAAAAElFTkSuQmCC\",\n"                               /* 8 */
    "      \"application/json\": {\"aws\": {\n"                                                     /* 9 */
    "        \"key_id\": \"" KEY "\"}}\n"                                                           /* 10 */
    "    }},\n"                                                                                     /* 11 */
    "    {\"output_type\": \"error\", \"ename\": \"E\", \"evalue\": \"x\", \"traceback\": [\n"      /* 12 */
    "      \"\\u001b[0;31mClientError\\u001b[0m: bad\",\n"                                         /* 13 */
    "      \"\\u001b[1mkey \\u001b[0m" KEY "\"]},\n"                                               /* 14 */
    "    {\"output_type\": \"display_data\", \"metadata\": {}, \"data\": {\"text/markdown\": [\"**k** `" KEY "`\"]}}\n" /* 15 */
    "   ],\n"                                                                                       /* 16 */
    "   \"source\": [\"import boto3\\n\", \"key_id = \\\"" KEY "\\\"\\n\"]},\n"                    /* 17 */
    "  {\"cell_type\": \"markdown\", \"id\": \"notes\", \"metadata\": {}, \"source\": [\n"          /* 18 */
    "    \"# Notes\\n\",\n"                                                                        /* 19 */
    "    \"\\n\",\n"                                                                               /* 20 */
    "    \"aws key: `" KEY "`\\n\"\n"                                                              /* 21 */
    "  ]}\n"                                                                                        /* 22 */
    " ],\n"                                                                                         /* 23 */
    " \"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 5\n"                                  /* 24 */
    "}\n";

typedef struct want {
    int cell;
    const char *part;
    int cell_line;
    int raw_line;
} want;

WT_TEST(secrets_in_every_notebook_buffer_are_found_with_their_locations)
{
    wt_scan_result *r = wt_t_scan_mem("leak.ipynb", NB, strlen(NB));
    static const want wants[] = {
        {0, "output", 2, 4},   /* stream */
        {0, "output", 2, 6},   /* text/plain */
        {0, "output", 2, 7},   /* text/html (tags stripped) */
        {0, "output", 2, 10},  /* application/json */
        {0, "output", 2, 14},  /* traceback (ANSI stripped) */
        {0, "output", 1, 15},  /* text/markdown */
        {0, "source", 2, 17},  /* code source */
        {1, "source", 3, 21},  /* markdown source */
    };
    size_t nw = sizeof wants / sizeof wants[0];
    int found[8] = {0};
    size_t n = 0;
    for (size_t i = 0; i < r->nfindings; i++) {
        const wt_finding *f = r->findings[i];
        if (strcmp(f->rule_id, "WT-SECRET-001") != 0)
            continue;
        n++;
        bool matched = false;
        for (size_t k = 0; k < nw; k++) {
            if (f->loc.cell == wants[k].cell && f->loc.cell_part && strcmp(f->loc.cell_part, wants[k].part) == 0 &&
                (int)f->loc.cell_line == wants[k].cell_line && (int)f->loc.line == wants[k].raw_line) {
                found[k]++;
                matched = true;
            }
        }
        if (!matched)
            fprintf(stderr, "    unexpected WT-SECRET-001 at cell %d %s line %u raw %u\n", f->loc.cell,
                    f->loc.cell_part ? f->loc.cell_part : "-", f->loc.cell_line, f->loc.line);
        /* evidence never shows the key */
        CHECK(f->evidence == NULL || strstr(f->evidence, KEY) == NULL);
    }
    for (size_t k = 0; k < nw; k++) {
        if (found[k] != 1)
            fprintf(stderr, "    expected one finding at raw line %d (cell %d %s line %d), got %d\n", wants[k].raw_line,
                    wants[k].cell, wants[k].part, wants[k].cell_line, found[k]);
        CHECK_INT(found[k], 1);
    }
    CHECK_INT(n, nw); /* nothing from the base64 image on raw line 8 */
    const wt_finding *src = NULL;
    for (size_t i = 0; i < r->nfindings; i++)
        if (strcmp(r->findings[i]->rule_id, "WT-SECRET-001") == 0 && r->findings[i]->loc.line == 17)
            src = r->findings[i];
    if (src) {
        CHECK_STR(src->loc.cell_id, "src");
        CHECK_INT(src->loc.column, 11); /* the decoded line: key_id = "AKIA... */
    }
    wt_scan_result_free(r);
}

WT_TEST(secret_in_an_invalid_notebook_is_still_found_on_its_raw_line)
{
    const char *nb = "{\n \"cells\": [\n  {\"source\": [\"key_id = '" KEY "'\"]\n";
    wt_scan_result *r = wt_t_scan_mem("broken.ipynb", nb, strlen(nb));
    const wt_finding *f = wt_t_find(r, "WT-SECRET-001");
    CHECK(f != NULL);
    if (f)
        CHECK_INT(f->loc.line, 3);
    CHECK(wt_t_count(r, "WT-SCAN-001") == 1);
    wt_scan_result_free(r);
}

/* A DataFrame of customers printed in an output: PII in the output, located
 * on the raw lines of the rows; the HTML rendering of the same table too. */
static const char NB_PII[] =
    "{\n"                                                                                   /* 1 */
    " \"cells\": [\n"                                                                       /* 2 */
    "  {\"cell_type\": \"code\", \"id\": \"df\", \"metadata\": {}, \"source\": [\"df.head()\"],\n" /* 3 */
    "   \"outputs\": [{\"output_type\": \"execute_result\", \"execution_count\": 3, \"metadata\": {}, \"data\": {\n" /* 4 */
    "    \"text/plain\": [\n"                                                               /* 5 */
    "     \"         name                email  age\\n\",\n"                                /* 6 */
    "     \"0  John Smith   jsmith@mailbox.org   34\\n\",\n"                                /* 7 */
    "     \"1  Maria Garcia  mgarcia@mailbox.org  29\\n\",\n"                               /* 8 */
    "     \"2  Wei Chen      wchen@mailbox.org    41\"\n"                                   /* 9 */
    "    ],\n"                                                                              /* 10 */
    "    \"text/html\": [\n"                                                                /* 11 */
    "     \"<table>\\n\",\n"                                                                /* 12 */
    "     \"<tr><th>name</th><th>email</th></tr>\\n\",\n"                                   /* 13 */
    "     \"<tr><td>John Smith</td><td>jsmith@mailbox.org</td></tr>\\n\",\n"                /* 14 */
    "     \"</table>\"\n"                                                                   /* 15 */
    "    ]}}]}\n"                                                                           /* 16 */
    " ],\n"                                                                                 /* 17 */
    " \"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 5\n"                          /* 18 */
    "}\n";

WT_TEST(pii_in_a_dataframe_output_is_found_on_its_raw_lines)
{
    wt_scan_result *r = wt_t_scan_mem("customers.ipynb", NB_PII, strlen(NB_PII));
    bool plain = false, html = false;
    for (size_t i = 0; i < r->nfindings; i++) {
        const wt_finding *f = r->findings[i];
        if (strcmp(f->rule_id, "WT-PII-001") != 0)
            continue;
        CHECK_INT(f->loc.cell, 0);
        CHECK_STR(f->loc.cell_part, "output");
        CHECK_STR(f->loc.cell_id, "df");
        if (f->loc.line == 7 && f->loc.cell_line == 2)
            plain = true;
        if (f->loc.line == 14 && f->loc.cell_line == 3) {
            html = true;
            CHECK_INT(f->loc.column, 28); /* in the original HTML line, after <tr><td>John Smith</td><td> */
        }
    }
    if (!plain || !html)
        wt_t_dump(r);
    CHECK(plain);
    CHECK(html);
    wt_scan_result_free(r);
}

/* pip install lines in cells reach the dependency scanner with their location */
WT_TEST(pip_install_in_a_cell_reaches_the_dependency_scanner_with_its_location)
{
    const char *nb = "{\n"
                     " \"cells\": [\n"
                     "  {\"cell_type\": \"code\", \"id\": \"setup\", \"metadata\": {}, \"outputs\": [], \"source\": [\n"
                     "   \"import os\\n\",\n"
                     "   \"!pip install -q torch\\n\"\n"
                     "  ]}],\n"
                     " \"metadata\": {}, \"nbformat\": 4, \"nbformat_minor\": 5\n"
                     "}\n";
    wt_scan_result *r = wt_t_scan_mem("setup.ipynb", nb, strlen(nb));
    const wt_finding *f = NULL;
    for (size_t i = 0; i < r->nfindings && !f; i++)
        if (r->findings[i]->category == WT_CAT_DEPENDENCY)
            f = r->findings[i];
    CHECK(f != NULL); /* unpinned `torch` */
    if (f) {
        CHECK_INT(f->loc.cell, 0);
        CHECK_STR(f->loc.cell_id, "setup");
        CHECK_INT(f->loc.cell_line, 2);
        CHECK_INT(f->loc.line, 5);
    } else {
        wt_t_dump(r);
    }
    wt_scan_result_free(r);
}
