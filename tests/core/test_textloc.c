/*
 * test_textloc.c - wt_text_location resumes from its previous answer for the
 * same buffer: answers must equal a from-scratch computation in any call
 * order, and locating every hit of a large file must stay linear.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/analyzer.h"
#include "harness.h"

static void naive(const char *t, size_t len, size_t off, uint32_t *line, uint32_t *col)
{
    if (off > len) off = len;
    uint32_t l = 1;
    size_t ls = 0;
    for (size_t i = 0; i < off; i++)
        if (t[i] == '\n') { l++; ls = i + 1; }
    uint32_t c = 1;
    for (size_t i = ls; i < off; i++)
        if (((unsigned char)t[i] & 0xc0) != 0x80) c++;
    *line = l;
    *col = c;
}

WT_TEST(text_location_matches_scratch_computation_in_any_order) {
    const char *t = "ab\n\xc3\xa9t\xc3\xa9 = 1\n\n  x = 'y'\nlast line without newline";
    size_t len = strlen(t);
    wt_text_origin plain = {.cell = -1, .line_base = 1};
    unsigned seed = 7;
    for (int round = 0; round < 3; round++) {
        wt_text_location_reset();
        for (int k = 0; k < 400; k++) {
            size_t off;
            if (round == 0) off = (size_t)k % (len + 2);                 /* increasing, wrapping */
            else if (round == 1) off = len + 1 - (size_t)k % (len + 2);  /* decreasing */
            else { seed = seed * 1103515245u + 12345u; off = (seed >> 8) % (len + 2); } /* random */
            uint32_t line, col;
            naive(t, len, off, &line, &col);
            wt_location l = wt_text_location(t, len, off, &plain);
            CHECK_INT(l.line, line);
            CHECK_INT(l.column, col);
        }
    }
    /* a different buffer with the same address and length after a reset */
    char buf[16];
    memcpy(buf, "aaaa\nbbbb\ncccc\n", 16);
    wt_location l = wt_text_location(buf, 15, 12, &plain);
    CHECK_INT(l.line, 3);
    wt_text_location_reset();
    memcpy(buf, "aaaaaaaaaaaaaa\n", 16);
    l = wt_text_location(buf, 15, 12, &plain);
    CHECK_INT(l.line, 1);
    CHECK_INT(l.column, 13);
}

WT_TEST(text_location_of_every_line_of_a_large_file_is_linear) {
    size_t n = 200000, len = n * 10;
    char *t = malloc(len);
    CHECK(t != NULL);
    if (!t) return;
    for (size_t i = 0; i < n; i++) memcpy(t + i * 10, "x = f(1)\n\n", 10);
    wt_text_origin plain = {.cell = -1, .line_base = 1};
    wt_text_location_reset();
    clock_t c0 = clock();
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        wt_location l = wt_text_location(t, len, i * 10 + 4, &plain);
        ok = ok && l.line == 2 * i + 1 && l.column == 5;
    }
    double cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    CHECK(ok);
    CHECK(cpu < 5.0); /* was quadratic: ~200 GB of memchr */
    free(t);
}
