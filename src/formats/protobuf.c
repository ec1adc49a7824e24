/*
 * protobuf.c - bounded protobuf wire-format walker (see protobuf.h).
 */
#include "protobuf.h"

void wt_pb_init(wt_pb *pb, const uint8_t *p, size_t len)
{
    pb->p = p;
    pb->len = p ? len : 0;
    pb->pos = 0;
    pb->error = false;
}

bool wt_pb_varint(const uint8_t *p, size_t len, size_t *pos, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*pos >= len)
            return false;
        uint8_t b = p[(*pos)++];
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false; /* more than 10 bytes */
}

/* Skip a group body up to its matching end tag (bounded nesting). */
static bool skip_group(wt_pb *pb, uint32_t num, int depth)
{
    if (depth > 32)
        return false;
    while (pb->pos < pb->len) {
        uint64_t tag;
        if (!wt_pb_varint(pb->p, pb->len, &pb->pos, &tag))
            return false;
        int wire = (int)(tag & 7);
        uint32_t n = (uint32_t)(tag >> 3);
        uint64_t v;
        switch (wire) {
        case WT_PB_VARINT:
            if (!wt_pb_varint(pb->p, pb->len, &pb->pos, &v))
                return false;
            break;
        case WT_PB_I64:
            if (pb->len - pb->pos < 8)
                return false;
            pb->pos += 8;
            break;
        case WT_PB_I32:
            if (pb->len - pb->pos < 4)
                return false;
            pb->pos += 4;
            break;
        case WT_PB_LEN:
            if (!wt_pb_varint(pb->p, pb->len, &pb->pos, &v) || v > pb->len - pb->pos)
                return false;
            pb->pos += (size_t)v;
            break;
        case WT_PB_SGROUP:
            if (!skip_group(pb, n, depth + 1))
                return false;
            break;
        case WT_PB_EGROUP:
            return n == num;
        default:
            return false;
        }
    }
    return false;
}

int wt_pb_next(wt_pb *pb, wt_pb_field *f)
{
    if (pb->error)
        return -1;
    if (pb->pos >= pb->len)
        return 0;
    f->off = pb->pos;
    f->data = NULL;
    f->len = 0;
    f->v = 0;
    uint64_t tag;
    if (!wt_pb_varint(pb->p, pb->len, &pb->pos, &tag) || (tag >> 3) == 0 || (tag >> 3) > 0x1fffffff)
        goto bad;
    f->num = (uint32_t)(tag >> 3);
    f->wire = (int)(tag & 7);
    switch (f->wire) {
    case WT_PB_VARINT:
        if (!wt_pb_varint(pb->p, pb->len, &pb->pos, &f->v))
            goto bad;
        return 1;
    case WT_PB_I64:
        if (pb->len - pb->pos < 8)
            goto bad;
        for (int i = 7; i >= 0; i--)
            f->v = (f->v << 8) | pb->p[pb->pos + (size_t)i];
        pb->pos += 8;
        return 1;
    case WT_PB_I32:
        if (pb->len - pb->pos < 4)
            goto bad;
        for (int i = 3; i >= 0; i--)
            f->v = (f->v << 8) | pb->p[pb->pos + (size_t)i];
        pb->pos += 4;
        return 1;
    case WT_PB_LEN: {
        uint64_t l;
        if (!wt_pb_varint(pb->p, pb->len, &pb->pos, &l) || l > pb->len - pb->pos)
            goto bad;
        f->data = pb->p + pb->pos;
        f->len = (size_t)l;
        pb->pos += (size_t)l;
        return 1;
    }
    case WT_PB_SGROUP: {
        size_t start = pb->pos;
        if (!skip_group(pb, f->num, 0))
            goto bad;
        f->data = pb->p + start;
        f->len = pb->pos - start;
        return 1;
    }
    default:
        goto bad;
    }
bad:
    pb->error = true;
    return -1;
}

bool wt_pb_looks_like_message(const uint8_t *p, size_t len, int max_fields, uint32_t max_num)
{
    if (!p || len == 0)
        return false;
    wt_pb pb;
    wt_pb_field f;
    wt_pb_init(&pb, p, len);
    int n = 0, rc;
    while ((rc = wt_pb_next(&pb, &f)) == 1) {
        if (f.wire == WT_PB_SGROUP || (max_num && f.num > max_num))
            return false;
        if (++n >= max_fields)
            return true;
    }
    return rc == 0 && n > 0;
}

bool wt_pb_find(const uint8_t *p, size_t len, uint32_t num, wt_pb_field *out)
{
    wt_pb pb;
    wt_pb_init(&pb, p, len);
    while (wt_pb_next(&pb, out) == 1)
        if (out->num == num && out->wire == WT_PB_LEN)
            return true;
    return false;
}
