/*
 * report_text.c - the human-readable terminal summary: scan header, a table
 * of counts by category and severity, then findings grouped by top-level
 * file (rule id, location, one-line message, shortened evidence). ANSI
 * colours only when the caller asks (the CLI decides: TTY and no NO_COLOR).
 */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "report/report_util.h"
#include "watchtower/watchtower.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"

static const char *sev_color(wt_severity s) {
    switch (s) {
    case WT_SEV_CRITICAL: return "\033[1;35m";
    case WT_SEV_HIGH: return "\033[1;31m";
    case WT_SEV_MEDIUM: return "\033[33m";
    case WT_SEV_LOW: return "\033[36m";
    default: return "";
    }
}

typedef struct {
    FILE *out;
    bool color;
} tx;

static void c_on(tx *t, const char *c) { if (t->color && c && *c) fputs(c, t->out); }
static void c_off(tx *t) { if (t->color) fputs(C_RESET, t->out); }

/* Print s with control characters escaped (file names and messages come
 * from untrusted input and must not drive the terminal). */
static void put_safe(FILE *out, const char *s, size_t max) {
    if (!s) return;
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (max && n >= max) { fputs("...", out); return; }
        if (*p < 0x20 || *p == 0x7f) fprintf(out, "\\x%02x", *p);
        else fputc(*p, out);
        n++;
    }
}

static void human_bytes(uint64_t b, char *buf, size_t n) {
    const char *u[] = {"B", "KB", "MB", "GB", "TB"};
    double v = (double)b;
    int i = 0;
    while (v >= 1024.0 && i < 4) { v /= 1024.0; i++; }
    if (i == 0) snprintf(buf, n, "%llu B", (unsigned long long)b);
    else snprintf(buf, n, "%.1f %s", v, u[i]);
}

static void location_str(const wt_finding *f, char *buf, size_t n) {
    const wt_location *l = &f->loc;
    if (l->cell >= 0 && l->cell_part) {
        if (l->cell_line)
            snprintf(buf, n, "cell %d %s line %u%s", l->cell, l->cell_part, l->cell_line, "");
        else
            snprintf(buf, n, "cell %d %s", l->cell, l->cell_part);
        if (l->line) {
            size_t k = strlen(buf);
            snprintf(buf + k, n - k, " (line %u)", l->line);
        }
    } else if (l->line) {
        if (l->column) snprintf(buf, n, "line %u:%u", l->line, l->column);
        else snprintf(buf, n, "line %u", l->line);
    } else if (l->has_offset) {
        snprintf(buf, n, "offset %llu", (unsigned long long)l->offset);
    } else {
        snprintf(buf, n, "-");
    }
}

int wt_report_text(const wt_scan_result *r, FILE *out, bool color, bool verbose) {
    if (!r || !out) return WT_ERR_USAGE;
    tx t = {out, color};
    char b1[32], b2[32];

    c_on(&t, C_BOLD);
    fprintf(out, "Watchtower %s", WT_VERSION);
    c_off(&t);
    fprintf(out, "  scan %s\n", r->scan_id ? r->scan_id : "-");
    fprintf(out, "Target: %s ", r->repo_type ? r->repo_type : "-");
    put_safe(out, r->repo_url ? r->repo_url : "-", 0);
    human_bytes(r->bytes_total, b1, sizeof b1);
    fprintf(out, "\nArtifacts: %zu (%zu scanned, %s), models %zu/%zu scanned, notebooks & requirement files %zu/%zu scanned\n",
            r->artifacts, r->artifacts_scanned, b1, r->models_scanned, r->models_found, r->nbreq_scanned, r->nbreq_found);

    /* Counts by category x severity. */
    size_t cnt[WT_CAT__COUNT][5];
    memset(cnt, 0, sizeof cnt);
    size_t tot[5] = {0};
    for (size_t i = 0; i < r->nfindings; i++) {
        const wt_finding *f = r->findings[i];
        if ((int)f->category < 0 || f->category >= WT_CAT__COUNT || f->severity < WT_SEV_LOW || f->severity > WT_SEV_CRITICAL)
            continue;
        cnt[f->category][f->severity]++;
        tot[f->severity]++;
    }
    fputc('\n', out);
    if (r->nfindings == 0) {
        c_on(&t, "\033[32m");
        fputs("No findings.\n", out);
        c_off(&t);
    } else {
        c_on(&t, C_BOLD);
        fprintf(out, "%-12s %9s %9s %9s %9s %9s\n", "Category", "Critical", "High", "Medium", "Low", "Total");
        c_off(&t);
        for (int c = 0; c < WT_CAT__COUNT; c++) {
            size_t sum = cnt[c][1] + cnt[c][2] + cnt[c][3] + cnt[c][4];
            if (!sum) continue;
            fprintf(out, "%-12s", wt_category_name((wt_category)c));
            for (int s = WT_SEV_CRITICAL; s >= WT_SEV_LOW; s--) {
                fputc(' ', out);
                if (cnt[c][s]) c_on(&t, sev_color((wt_severity)s));
                fprintf(out, "%9zu", cnt[c][s]);
                if (cnt[c][s]) c_off(&t);
            }
            fprintf(out, " %9zu\n", sum);
        }
        fprintf(out, "%-12s", "total");
        for (int s = WT_SEV_CRITICAL; s >= WT_SEV_LOW; s--) fprintf(out, " %9zu", tot[s]);
        fprintf(out, " %9zu\n", tot[1] + tot[2] + tot[3] + tot[4]);

        /* Findings grouped by top-level file (findings are sorted by artifact). */
        const char *cur = NULL, *cur_target = NULL;
        size_t curlen = 0;
        for (size_t i = 0; i < r->nfindings; i++) {
            const wt_finding *f = r->findings[i];
            const char *a = f->artifact ? f->artifact : "";
            size_t tl = wt_report_top_len(a);
            bool new_target = f->target && (!cur_target || strcmp(cur_target, f->target) != 0);
            if (new_target) {
                fputs("\n== ", out);
                put_safe(out, f->target, 0);
                fputs(" ==\n", out);
                cur_target = f->target;
            }
            if (new_target || !cur || tl != curlen || strncmp(cur, a, tl) != 0) {
                fputc('\n', out);
                c_on(&t, C_BOLD);
                char *top = wt_xstrndup(a, tl);
                put_safe(out, top, 0);
                free(top);
                c_off(&t);
                fputc('\n', out);
                cur = a;
                curlen = tl;
            }
            char loc[96];
            location_str(f, loc, sizeof loc);
            fputs("  ", out);
            c_on(&t, sev_color(f->severity));
            fprintf(out, "%-8s", wt_severity_name(f->severity));
            c_off(&t);
            fprintf(out, " %-14s ", f->rule_id ? f->rule_id : "?");
            if (a[tl] == '!') { put_safe(out, a + tl + 1, 0); fputs(", ", out); }
            fprintf(out, "%s  ", loc);
            put_safe(out, f->message, verbose ? 0 : 160);
            fputc('\n', out);
            if (f->evidence && *f->evidence) {
                fputs("           ", out);
                c_on(&t, C_DIM);
                fputs("evidence: ", out);
                put_safe(out, f->evidence, verbose ? 0 : 120);
                c_off(&t);
                fputc('\n', out);
            }
            if (verbose) {
                const wt_rule *rule = f->rule_id ? wt_rule_find(f->rule_id) : NULL;
                if (rule) {
                    fprintf(out, "           rule: %s (%s)", rule->name ? rule->name : "-", rule->summary ? rule->summary : "");
                    fputc('\n', out);
                    fprintf(out, "           standards: %s | %s | %s | %s\n", rule->cwe ? rule->cwe : "-",
                            rule->owasp ? rule->owasp : "-", rule->atlas ? rule->atlas : "-", rule->nist ? rule->nist : "-");
                }
                if (f->fingerprint) fprintf(out, "           fingerprint: %s\n", f->fingerprint);
            }
        }
    }
    if (r->nnotes) {
        fputc('\n', out);
        for (size_t i = 0; i < r->nnotes; i++) {
            fputs("note: ", out);
            put_safe(out, r->notes[i], 0);
            fputc('\n', out);
        }
    }
    human_bytes(r->bytes_read, b2, sizeof b2);
    fprintf(out, "\nScanned %zu artifact%s in %.2f s (%s read).\n", r->artifacts_scanned,
            r->artifacts_scanned == 1 ? "" : "s", r->seconds, b2);
    return fflush(out) == 0 ? WT_OK : WT_ERR_IO;
}
