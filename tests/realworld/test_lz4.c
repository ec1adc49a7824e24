/*
 * test_lz4.c - the LZ4 frame decoder (src/formats/lz4.c) through the unpacker:
 * frames written by the real lz4 library (tests/realworld/lz4/, made by
 * gen_lz4_frames.py: linked and independent blocks, checksums, stored size,
 * HC, two frames in a row) decode to exactly raw.bin; hand-made frames check
 * overlapping matches, skippable frames, and that corrupt input stops cleanly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "core/reader.h"
#include "formats/lz4.h"
#include "formats/unpack.h"

static uint8_t *slurp(const char *rel, size_t *len) {
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/realworld/lz4/%s", wt_t_env("WT_SRC", "."), rel);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n + 1);
    *len = fread(b, 1, (size_t)n, f);
    fclose(f);
    return b;
}

/* Decode buf with the unpacker; returns the state, output copied to *out. */
static wt_unpack_state unlz4(const uint8_t *buf, size_t n, uint8_t **out, size_t *outlen) {
    wt_reader *r = wt_reader_new_mem(buf, n, false);
    wt_unpacker *u = wt_unpacker_new(NULL, r, 0, n, WT_CODEC_LZ4, 0);
    wt_unpacker_fill_all(u);
    wt_unpack_state st = wt_unpacker_state(u);
    const uint8_t *d = wt_unpacker_data(u, outlen);
    *out = malloc(*outlen + 1);
    if (*outlen) memcpy(*out, d, *outlen);
    wt_unpacker_free(u);
    wt_reader_unref(r);
    return st;
}

static void check_real(const char *name) {
    size_t rawn = 0, n = 0, outn = 0;
    uint8_t *raw = slurp("raw.bin", &rawn), *frame = slurp(name, &n), *out = NULL;
    CHECK(raw && frame);
    if (!raw || !frame) { free(raw); free(frame); return; }
    wt_unpack_state st = unlz4(frame, n, &out, &outn);
    if (st != WT_UNPACK_END || outn != rawn || memcmp(out, raw, rawn) != 0)
        wt_test_fail(__FILE__, __LINE__, "%s: state %d, %zu of %zu bytes", name, (int)st, outn, rawn);
    free(raw);
    free(frame);
    free(out);
}

WT_TEST(real_frame_linked_blocks_decodes_exactly) { check_real("linked_64k.lz4"); }
WT_TEST(real_frame_independent_blocks_decodes_exactly) { check_real("independent_64k.lz4"); }
WT_TEST(real_frame_with_checksums_and_size_decodes_exactly) { check_real("checksums_size.lz4"); }
WT_TEST(real_frame_high_compression_decodes_exactly) { check_real("default_hc.lz4"); }
WT_TEST(two_concatenated_frames_decode_as_one_stream) { check_real("two_frames.lz4"); }

/* magic, FLG (version 1, independent blocks), BD (64 KiB), HC */
static size_t frame_header(uint8_t *p) {
    const uint8_t h[] = {0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82};
    memcpy(p, h, sizeof h);
    return sizeof h;
}

static size_t put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
    return 4;
}

WT_TEST(overlapping_match_repeats_a_run) {
    /* one block: literal "ab", match offset 2 length 10 -> "abababababab",
     * then the five literals a block must end with (LZ4 block format) */
    uint8_t f[64];
    size_t n = frame_header(f);
    const uint8_t blk[] = {0x26, 'a', 'b', 0x02, 0x00, 0x50, '!', '!', '!', '!', '!'};
    n += put32(f + n, sizeof blk);
    memcpy(f + n, blk, sizeof blk);
    n += sizeof blk;
    n += put32(f + n, 0);
    uint8_t *out;
    size_t outn;
    CHECK(unlz4(f, n, &out, &outn) == WT_UNPACK_END);
    CHECK(outn == 17 && memcmp(out, "abababababab!!!!!", 17) == 0);
    free(out);
}

WT_TEST(skippable_frame_and_raw_block_are_handled) {
    uint8_t f[64];
    size_t n = put32(f, 0x184D2A53u);
    n += put32(f + n, 3);
    memcpy(f + n, "xyz", 3);
    n += 3;
    n += frame_header(f + n);
    n += put32(f + n, 0x80000000u | 5); /* raw block */
    memcpy(f + n, "hello", 5);
    n += 5;
    n += put32(f + n, 0);
    uint8_t *out;
    size_t outn;
    CHECK(unlz4(f, n, &out, &outn) == WT_UNPACK_END);
    CHECK(outn == 5 && memcmp(out, "hello", 5) == 0);
    free(out);
}

WT_TEST(match_before_the_window_is_corrupt_not_a_crash) {
    uint8_t f[64];
    size_t n = frame_header(f);
    const uint8_t blk[] = {0x10, 'a', 0x09, 0x00, 0x00}; /* offset 9 with 1 byte of output */
    n += put32(f + n, sizeof blk);
    memcpy(f + n, blk, sizeof blk);
    n += sizeof blk;
    n += put32(f + n, 0);
    uint8_t *out;
    size_t outn;
    CHECK(unlz4(f, n, &out, &outn) == WT_UNPACK_CORRUPT);
    free(out);
}

WT_TEST(block_larger_than_frame_block_size_is_corrupt) {
    uint8_t f[64];
    size_t n = frame_header(f);
    n += put32(f + n, 0x80000000u | (64u * 1024u + 1));
    uint8_t *out;
    size_t outn;
    CHECK(unlz4(f, n, &out, &outn) == WT_UNPACK_CORRUPT);
    free(out);
}

WT_TEST(truncated_frame_keeps_decoded_prefix) {
    uint8_t f[64];
    size_t n = frame_header(f);
    n += put32(f + n, 0x80000000u | 5);
    memcpy(f + n, "hello", 5);
    n += 5;
    n += put32(f + n, 0x80000000u | 9);
    memcpy(f + n, "wor", 3); /* 6 bytes missing, no end mark */
    n += 3;
    uint8_t *out;
    size_t outn;
    CHECK(unlz4(f, n, &out, &outn) == WT_UNPACK_TRUNCATED);
    /* the whole first block, and perhaps what arrived of the raw second one */
    CHECK(outn >= 5 && outn <= 8 && memcmp(out, "hellowor", outn) == 0);
    free(out);
}

WT_TEST(dictionary_frames_and_bad_versions_are_refused) {
    uint8_t f[32] = {0};
    size_t n = frame_header(f);
    f[4] = 0x61; /* dictionary id flag */
    uint8_t *out;
    size_t outn;
    CHECK(unlz4(f, n + 8, &out, &outn) == WT_UNPACK_CORRUPT);
    free(out);
    n = frame_header(f);
    f[4] = 0xa0; /* version 2 */
    CHECK(unlz4(f, n, &out, &outn) == WT_UNPACK_CORRUPT);
    free(out);
}

WT_TEST(decoder_works_one_byte_at_a_time) {
    size_t rawn = 0, n = 0;
    uint8_t *raw = slurp("raw.bin", &rawn), *frame = slurp("linked_64k.lz4", &n);
    CHECK(raw && frame);
    if (!raw || !frame) { free(raw); free(frame); return; }
    wt_lz4 *d = wt_lz4_new();
    uint8_t *out = malloc(rawn + 16);
    size_t ip = 0, op = 0;
    wt_lz4_status st = WT_LZ4_MORE;
    for (int guard = 0; guard < 10000000 && st == WT_LZ4_MORE; guard++) {
        size_t used = 0, produced = 0;
        size_t room = op < rawn + 16 ? 7 : 0;
        if (room > rawn + 16 - op) room = rawn + 16 - op;
        st = wt_lz4_step(d, frame + ip, ip < n ? 1 : 0, &used, out + op, room, &produced);
        ip += used;
        op += produced;
        if (!used && !produced && st == WT_LZ4_MORE) break;
    }
    CHECK(st == WT_LZ4_END);
    CHECK(op == rawn && memcmp(out, raw, rawn) == 0);
    wt_lz4_free(d);
    free(out);
    free(raw);
    free(frame);
}
