/*
 * test_false_positives.c - realistic ML notebook code, outputs and configs
 * without secrets (tests/secrets/fp/) plus generated hashes, UUIDs and base64
 * images must give no secret or PII finding above low.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "text/pii.h"
#include "text/secrets.h"

static int above_low;
static char last[256];

static void on_match(void *ud, const wt_text_match *m)
{
    const char *text = ud;
    if (m->severity > WT_SEV_LOW) {
        above_low++;
        snprintf(last, sizeof last, "%s at %zu: %.60s", m->rule_id, m->off, text + m->off);
        fprintf(stderr, "  unexpected: %s\n", last);
    }
}

static char *slurp(const char *rel, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/secrets/fp/%s", wt_t_env("WT_SRC", "."), rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    *len = fread(b, 1, (size_t)n, f);
    b[*len] = 0;
    fclose(f);
    return b;
}

static void check_clean(const char *text, size_t len, const char *kind, const char *part)
{
    above_low = 0;
    wt_secrets_scan_buffer_for_test(text, len, kind, on_match, (void *)text);
    wt_pii_scan_buffer_for_test(text, len, kind, part, on_match, (void *)text);
    if (above_low)
        wt_test_fail(__FILE__, __LINE__, "%d findings above low in %s buffer, e.g. %s", above_low, kind, last);
}

WT_TEST(fp_corpus_files_are_clean)
{
    static const struct { const char *file, *kind, *part; } files[] = {
        {"train_notebook_cells.py", "python", "source"},
        {"outputs.txt", "output", "output"},
        {"config.yaml", "yaml", NULL},
        {"sample.env", "env", NULL},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t len = 0;
        char *t = slurp(files[i].file, &len);
        CHECK(t != NULL);
        if (!t)
            continue;
        check_clean(t, len, files[i].kind, files[i].part);
        free(t);
    }
}

static void b64(const unsigned char *in, size_t n, char *out)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t k = 0;
    for (size_t i = 0; i + 2 < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
        out[k++] = a[v >> 18];
        out[k++] = a[(v >> 12) & 63];
        out[k++] = a[(v >> 6) & 63];
        out[k++] = a[v & 63];
    }
    out[k] = 0;
}

WT_TEST(base64_images_hashes_and_uuids_are_clean)
{
    size_t nbin = 30000;
    unsigned char *bin = malloc(nbin);
    unsigned x = 2463534242u;
    for (size_t i = 0; i < nbin; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bin[i] = (unsigned char)x;
    }
    char *img = malloc(nbin * 2 + 4096);
    strcpy(img, "{\"image/png\": \"iVBORw0KGgoAAAANSUhEUgAA");
    b64(bin, nbin, img + strlen(img));
    strcat(img, "\"}\n<img src=\"data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ");
    b64(bin + 7, 3000, img + strlen(img));
    strcat(img, "\">\n");
    check_clean(img, strlen(img), "output", "output");
    /* hashes and ids */
    char *h = malloc(200000);
    h[0] = 0;
    for (int i = 0; i < 500; i++) {
        char line[300];
        unsigned v = (unsigned)i * 2654435761u;
        snprintf(line, sizeof line,
                 "commit %08x%08x%08x%08x%08x sha256 %08x%08x%08x%08x%08x%08x%08x%08x run %08x-%04x-4%03x-a%03x-%08x%04x\n",
                 v, v ^ 1u, v * 3u, v * 5u, v * 7u, v, v * 11u, v * 13u, v * 17u, v * 19u, v * 23u, v * 29u,
                 v * 31u, v, v & 0xffff, v & 0xfff, (v >> 4) & 0xfff, v * 37u, v & 0xffff);
        strcat(h, line);
    }
    check_clean(h, strlen(h), "output", "output");
    free(h);
    free(img);
    free(bin);
}
