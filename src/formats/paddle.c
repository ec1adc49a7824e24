/*
 * paddle.c - PaddlePaddle inference programs (.pdmodel, a ProgramDesc
 * protobuf: blocks[].ops[].type) checked against rules/paddle_ops.tsv, and
 * .pdiparams weight files (raw tensor streams, no code: clean). .pdparams
 * files are pickles and go to the pickle analyzer by content.
 */
#include <string.h>

#include "model_formats.h"
#include "protobuf.h"

#define PD_MAX (2ull << 30)

static int pd_probe(const char *name, const uint8_t *head, size_t headlen, uint64_t size)
{
    (void)size;
    if (wt_str_endswith_ci(name, ".pdiparams"))
        return 60;
    if (!wt_str_endswith_ci(name, ".pdmodel") && !wt_str_endswith_ci(name, "__model__"))
        return 0;
    return (headlen >= 2 && head[0] == 0x0a) ? 90 : 20;
}

static int pd_analyze(wt_ctx *ctx, wt_reader *r)
{
    const char *name = wt_ctx_name(ctx);
    if (wt_str_endswith_ci(name, ".pdiparams")) {
        wt_ctx_set_kind(ctx, "paddle-params");
        return WT_OK;
    }
    wt_ctx_set_kind(ctx, "paddle-program");
    uint64_t size = wt_reader_size(r);
    if (size > PD_MAX) {
        wt_emit_limit(ctx, "Paddle program size", size, PD_MAX);
        return WT_OK;
    }
    const uint8_t *p = wt_reader_view(r, 0, (size_t)size);
    if (!p && size) {
        wt_emit_error(ctx, "cannot read Paddle program");
        return WT_OK;
    }
    const wt_fmt_table *t = wt_fmt_table_get("paddle_ops.tsv", 3);
    size_t counts[64] = {0};
    uint64_t first[64] = {0};
    bool bad = false;
    wt_pb pb;
    wt_pb_field f;
    wt_pb_init(&pb, p, (size_t)size);
    while (wt_pb_next(&pb, &f) == 1) {
        if (f.num != 1 || f.wire != WT_PB_LEN)
            continue; /* BlockDesc */
        wt_pb bb;
        wt_pb_field bf;
        wt_pb_init(&bb, f.data, f.len);
        while (wt_pb_next(&bb, &bf) == 1) {
            if (bf.num != 4 || bf.wire != WT_PB_LEN)
                continue; /* OpDesc.type = 3 */
            wt_pb_field ty;
            if (!wt_pb_find(bf.data, bf.len, 3, &ty))
                continue;
            for (size_t i = 0; i < t->nrows && i < 64; i++) {
                const char *op = wt_fmt_cell(t, i, 0);
                if (strlen(op) == ty.len && memcmp(op, ty.data, ty.len) == 0) {
                    if (!counts[i]++)
                        first[i] = (uint64_t)(bf.data - p);
                }
            }
        }
        bad |= bb.error;
        if (wt_ctx_expired(ctx))
            break;
    }
    bad |= pb.error;
    for (size_t i = 0; i < t->nrows && i < 64; i++) {
        if (!counts[i])
            continue;
        wt_severity sev = WT_SEV_HIGH;
        wt_severity_parse(wt_fmt_cell(t, i, 1), &sev);
        wt_location loc = wt_loc_offset(first[i]);
        wt_emit(ctx, "WT-PADDLE-001", sev, &loc, wt_fmt_cell(t, i, 0), "Paddle op %s (%zu use%s): %s",
                wt_fmt_cell(t, i, 0), counts[i], counts[i] == 1 ? "" : "s", wt_fmt_cell(t, i, 2));
    }
    if (bad)
        wt_emit_error(ctx, "Paddle program protobuf is malformed");
    return WT_OK;
}

const wt_analyzer wt_paddle_analyzer = {
    .name = "paddle",
    .klass = WT_CLASS_MODEL,
    .exclusive = true,
    .probe = pd_probe,
    .analyze = pd_analyze,
};
