/*
 * cli_rules.c - `watchtower rules`: list every rule the scanner can emit
 * with its default severity, the reason for it and its standards mapping.
 * `--format md` renders the table that docs/rules.md embeds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "watchtower/watchtower.h"

static void md_cell(const char *s) {
    for (; s && *s; s++) {
        if (*s == '|') fputs("\\|", stdout);
        else if (*s == '\n') fputc(' ', stdout);
        else fputc(*s, stdout);
    }
}

int wt_cli_rules(int argc, char **argv) {
    const char *fmt = "text";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) fmt = argv[++i];
        else if (strncmp(argv[i], "--format=", 9) == 0) fmt = argv[i] + 9;
        else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            puts("usage: watchtower rules [--format text|md|json]\n"
                 "Lists every rule: id, category, default severity, summary, why, CWE, OWASP, ATLAS, NIST.");
            return 0;
        } else {
            fprintf(stderr, "watchtower rules: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    const wt_rule *const *rules = NULL;
    size_t n = wt_rules_all(&rules);
    if (strcmp(fmt, "json") == 0) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++) {
            const wt_rule *r = rules[i];
            json_array_append_new(arr, json_pack("{s:s,s:s?,s:s,s:s,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?}", "id", r->id, "name",
                                                 r->name, "category", wt_category_name(r->category), "severity",
                                                 wt_severity_name(r->severity), "summary", r->summary, "why", r->why,
                                                 "cwe", r->cwe, "owasp", r->owasp, "atlas", r->atlas, "nist", r->nist));
        }
        char *s = json_dumps(arr, JSON_INDENT(2));
        puts(s);
        free(s);
        json_decref(arr);
    } else if (strcmp(fmt, "md") == 0) {
        puts("| id | category | severity | what | why this severity | CWE | OWASP | MITRE ATLAS | NIST AI RMF |");
        puts("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (size_t i = 0; i < n; i++) {
            const wt_rule *r = rules[i];
            printf("| %s | %s | %s | ", r->id, wt_category_name(r->category), wt_severity_name(r->severity));
            md_cell(r->summary);
            fputs(" | ", stdout);
            md_cell(r->why);
            fputs(" | ", stdout);
            md_cell(r->cwe);
            fputs(" | ", stdout);
            md_cell(r->owasp);
            fputs(" | ", stdout);
            md_cell(r->atlas);
            fputs(" | ", stdout);
            md_cell(r->nist);
            puts(" |");
        }
    } else if (strcmp(fmt, "text") == 0) {
        for (size_t i = 0; i < n; i++) {
            const wt_rule *r = rules[i];
            printf("%-16s %-10s %-9s %s\n", r->id, wt_category_name(r->category), wt_severity_name(r->severity),
                   r->summary ? r->summary : "");
        }
    } else {
        fprintf(stderr, "watchtower rules: --format must be text, md or json\n");
        return 2;
    }
    return 0;
}
