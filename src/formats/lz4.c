/*
 * lz4.c - bounded streaming LZ4 frame decoder (see lz4.h). Format:
 * https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md and
 * lz4_Block_format.md (implemented here from the specification).
 */
#include "lz4.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

#define LZ4_MAGIC 0x184D2204u
#define SKIP_MAGIC_MASK 0xFFFFFFF0u
#define SKIP_MAGIC 0x184D2A50u
#define HISTORY (64u * 1024u) /* the farthest a match may reach back */

enum { PH_HEADER, PH_BSIZE, PH_BDATA, PH_SKIP, PH_FRAME_END };

struct wt_lz4 {
    int phase;
    uint8_t hdr[19];
    size_t hdr_have, hdr_need;
    bool skippable;
    uint32_t block_max;
    bool block_checksum, content_checksum, independent;
    uint32_t bsize;
    bool braw;
    uint8_t *blk; /* compressed block being collected */
    size_t blk_have, blk_cap;
    uint8_t *win; /* history (up to 64 KiB) followed by the last decoded block */
    size_t win_len, win_out, win_cap;
    uint64_t skip;
    int after_skip;
    const char *err;
};

static uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

wt_lz4 *wt_lz4_new(void) {
    wt_lz4 *d = wt_xcalloc(1, sizeof *d);
    d->phase = PH_HEADER;
    d->hdr_need = 4;
    return d;
}

void wt_lz4_free(wt_lz4 *d) {
    if (!d) return;
    free(d->blk);
    free(d->win);
    free(d);
}

const char *wt_lz4_error(const wt_lz4 *d) { return d->err ? d->err : ""; }

bool wt_lz4_at_boundary(const wt_lz4 *d) { return d->phase == PH_HEADER && d->hdr_have == 0; }

static wt_lz4_status fail(wt_lz4 *d, const char *why) {
    if (!d->err) d->err = why;
    return WT_LZ4_ERROR;
}

/* The header is complete: check it and size the buffers. */
static bool frame_begin(wt_lz4 *d) {
    uint8_t flg = d->hdr[4], bd = d->hdr[5];
    if ((flg >> 6) != 1) { d->err = "lz4 frame version is not 1"; return false; }
    if (flg & 0x02 || bd & 0x8f) { d->err = "lz4 frame header has reserved bits set"; return false; }
    if (flg & 0x01) { d->err = "lz4 frame needs a dictionary"; return false; }
    unsigned id = (bd >> 4) & 7;
    if (id < 4) { d->err = "lz4 frame block size id is invalid"; return false; }
    d->block_max = 1u << (8 + 2 * id); /* 4: 64 KiB, 5: 256 KiB, 6: 1 MiB, 7: 4 MiB */
    d->independent = (flg & 0x20) != 0;
    d->block_checksum = (flg & 0x10) != 0;
    d->content_checksum = (flg & 0x04) != 0;
    if (d->blk_cap < d->block_max) {
        free(d->blk);
        d->blk = wt_xmalloc(d->block_max);
        d->blk_cap = d->block_max;
    }
    if (d->win_cap < HISTORY + (size_t)d->block_max) {
        d->win = wt_xrealloc(d->win, HISTORY + (size_t)d->block_max);
        d->win_cap = HISTORY + (size_t)d->block_max;
    }
    d->win_len = d->win_out = 0; /* frames do not share history */
    return true;
}

/* Decode one compressed block after the history in win. */
static bool decode_block(wt_lz4 *d, const uint8_t *ip, size_t n) {
    const uint8_t *iend = ip + n;
    uint8_t *w = d->win;
    size_t op = d->win_len, oend = d->win_len + d->block_max;
    size_t lowest = d->independent ? d->win_len : 0;
    if (n == 0) return true;
    for (;;) {
        unsigned tok = *ip++;
        size_t lit = tok >> 4;
        if (lit == 15) {
            unsigned b;
            do {
                if (ip >= iend) { d->err = "lz4 literal length runs past the block"; return false; }
                b = *ip++;
                lit += b;
            } while (b == 255 && lit <= d->block_max);
        }
        if (lit > (size_t)(iend - ip)) { d->err = "lz4 literals run past the block"; return false; }
        if (lit > oend - op) { d->err = "lz4 block decodes past its maximum size"; return false; }
        memcpy(w + op, ip, lit);
        op += lit;
        ip += lit;
        if (ip == iend) break; /* the last sequence has literals only */
        if (iend - ip < 2) { d->err = "lz4 match offset is truncated"; return false; }
        size_t off = (size_t)ip[0] | (size_t)ip[1] << 8;
        ip += 2;
        if (off == 0 || off > op - lowest) { d->err = "lz4 match reaches before the window"; return false; }
        size_t ml = tok & 15;
        if (ml == 15) {
            unsigned b;
            do {
                if (ip >= iend) { d->err = "lz4 match length runs past the block"; return false; }
                b = *ip++;
                ml += b;
            } while (b == 255 && ml <= d->block_max);
        }
        ml += 4;
        if (ml > oend - op) { d->err = "lz4 block decodes past its maximum size"; return false; }
        if (off >= ml) {
            memcpy(w + op, w + op - off, ml);
        } else {
            for (size_t i = 0; i < ml; i++) w[op + i] = w[op - off + i]; /* overlapping run */
        }
        op += ml;
        if (ip >= iend) { d->err = "lz4 block ends with a match"; return false; }
    }
    d->win_len = op;
    return true;
}

/* Keep at most the last 64 KiB of decoded output as history. */
static void trim_history(wt_lz4 *d) {
    if (d->win_len <= HISTORY) return;
    memmove(d->win, d->win + d->win_len - HISTORY, HISTORY);
    d->win_out -= d->win_len - HISTORY;
    d->win_len = HISTORY;
}

wt_lz4_status wt_lz4_step(wt_lz4 *d, const uint8_t *in, size_t in_len, size_t *used, uint8_t *out, size_t room,
                          size_t *produced) {
    size_t ip = 0, op = 0;
    wt_lz4_status st = WT_LZ4_MORE;
    if (d->err) { st = WT_LZ4_ERROR; goto done; }
    for (;;) {
        /* deliver decoded bytes first */
        if (d->win_out < d->win_len) {
            size_t n = d->win_len - d->win_out;
            if (n > room - op) n = room - op;
            memcpy(out + op, d->win + d->win_out, n);
            op += n;
            d->win_out += n;
            if (d->win_out < d->win_len) break; /* out of room */
        }
        if (d->phase == PH_FRAME_END) {
            d->phase = PH_HEADER;
            d->hdr_have = 0;
            d->hdr_need = 4;
            st = WT_LZ4_END;
            break;
        }
        if (ip >= in_len) break;
        switch (d->phase) {
        case PH_HEADER: {
            size_t n = d->hdr_need - d->hdr_have;
            if (n > in_len - ip) n = in_len - ip;
            memcpy(d->hdr + d->hdr_have, in + ip, n);
            d->hdr_have += n;
            ip += n;
            if (d->hdr_have < d->hdr_need) break;
            uint32_t magic = le32(d->hdr);
            if (d->hdr_need == 4) {
                if (magic == LZ4_MAGIC) d->hdr_need = 6;
                else if ((magic & SKIP_MAGIC_MASK) == SKIP_MAGIC) d->hdr_need = 8;
                else { st = fail(d, "not an lz4 frame (bad magic)"); goto done; }
                break;
            }
            if ((magic & SKIP_MAGIC_MASK) == SKIP_MAGIC) {
                d->skip = le32(d->hdr + 4);
                d->hdr_have = 0;
                d->hdr_need = 4;
                d->after_skip = PH_HEADER;
                d->phase = PH_SKIP;
                break;
            }
            if (d->hdr_need == 6) {
                uint8_t flg = d->hdr[4];
                d->hdr_need = 6 + ((flg & 0x08) ? 8 : 0) + ((flg & 0x01) ? 4 : 0) + 1;
                break;
            }
            if (!frame_begin(d)) { st = WT_LZ4_ERROR; goto done; }
            d->hdr_have = 0;
            d->hdr_need = 4;
            d->phase = PH_BSIZE;
            break;
        }
        case PH_BSIZE: {
            size_t n = 4 - d->hdr_have;
            if (n > in_len - ip) n = in_len - ip;
            memcpy(d->hdr + d->hdr_have, in + ip, n);
            d->hdr_have += n;
            ip += n;
            if (d->hdr_have < 4) break;
            d->hdr_have = 0;
            uint32_t v = le32(d->hdr);
            if (v == 0) { /* end mark, then the optional content checksum */
                d->skip = d->content_checksum ? 4 : 0;
                d->after_skip = PH_FRAME_END;
                d->phase = PH_SKIP;
                break;
            }
            d->braw = (v >> 31) != 0;
            d->bsize = v & 0x7fffffffu;
            if (d->bsize > d->block_max) { st = fail(d, "lz4 block is larger than the frame's block size"); goto done; }
            d->blk_have = 0;
            d->phase = PH_BDATA;
            break;
        }
        case PH_BDATA: {
            size_t n = d->bsize - d->blk_have;
            if (n > in_len - ip) n = in_len - ip;
            memcpy(d->blk + d->blk_have, in + ip, n);
            d->blk_have += n;
            ip += n;
            if (d->blk_have < d->bsize) break;
            trim_history(d);
            if (d->braw) {
                memcpy(d->win + d->win_len, d->blk, d->bsize);
                d->win_len += d->bsize;
            } else if (!decode_block(d, d->blk, d->bsize)) {
                st = WT_LZ4_ERROR;
                goto done;
            }
            d->skip = d->block_checksum ? 4 : 0;
            d->after_skip = PH_BSIZE;
            d->phase = PH_SKIP;
            break;
        }
        case PH_SKIP: {
            uint64_t n = d->skip;
            if (n > in_len - ip) n = in_len - ip;
            ip += (size_t)n;
            d->skip -= n;
            if (d->skip == 0) d->phase = d->after_skip;
            break;
        }
        default: st = fail(d, "lz4 decoder state"); goto done;
        }
        if (d->phase == PH_SKIP && d->skip == 0) d->phase = d->after_skip;
    }
done:
    *used = ip;
    *produced = op;
    return st;
}
