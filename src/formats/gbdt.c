/*
 * gbdt.c - XGBoost (JSON, UBJSON, legacy binary) and LightGBM (text) model
 * files. These formats hold trees and numbers only and cannot carry code:
 * they are recognised, counted as models and pass clean. (Pickled or
 * joblib'd estimators are pickles and go to the pickle analyzer.)
 */
#include <string.h>

#include "model_formats.h"

static bool has(const uint8_t *h, size_t n, const char *s)
{
    return memmem(h, n, s, strlen(s)) != NULL;
}

static const char *gbdt_kind(const char *name, const uint8_t *h, size_t n)
{
    if (n >= 5 && memcmp(h, "tree\n", 5) == 0 && has(h, n, "version=v"))
        return "lightgbm-text";
    size_t i = 0;
    while (i < n && (h[i] == ' ' || h[i] == '\n' || h[i] == '\r' || h[i] == '\t'))
        i++;
    /* XGBoost's save_model JSON starts with the learner object */
    if (i < n && h[i] == '{') {
        size_t k = i + 1;
        while (k < n && (h[k] == ' ' || h[k] == '\n' || h[k] == '\r' || h[k] == '\t'))
            k++;
        if (n - k >= 10 && memcmp(h + k, "\"learner\"", 9) == 0)
            return "xgboost-json";
    }
    if (i + 1 < n && h[i] == '{' && h[i + 1] != '"' && has(h, n, "learner") && has(h, n, "gradient_booster"))
        return "xgboost-ubjson";
    if (n >= 4 && memcmp(h, "binf", 4) == 0)
        return "xgboost-binary";
    (void)name;
    return NULL;
}

static int gbdt_probe(const char *name, const uint8_t *head, size_t headlen, uint64_t size)
{
    (void)size;
    const char *k = gbdt_kind(name, head, headlen);
    if (!k)
        return 0;
    return strcmp(k, "xgboost-binary") == 0 ? 60 : 85;
}

static int gbdt_analyze(wt_ctx *ctx, wt_reader *r)
{
    uint8_t head[WT_PROBE_HEAD];
    long long n = wt_reader_read(r, 0, head, sizeof head);
    const char *k = n > 0 ? gbdt_kind(wt_ctx_name(ctx), head, (size_t)n) : NULL;
    wt_ctx_set_kind(ctx, k ? k : "gbdt");
    wt_ctx_set_class(ctx, WT_CLASS_MODEL);
    return WT_OK;
}

const wt_analyzer wt_gbdt_analyzer = {
    .name = "gbdt",
    .klass = WT_CLASS_OTHER, /* set to model in analyze: .txt/.json/.py names are normal here */
    .exclusive = true,
    .probe = gbdt_probe,
    .analyze = gbdt_analyze,
};
