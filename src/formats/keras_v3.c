/*
 * keras_v3.c - members of a Keras v3 `.keras` zip (config.json,
 * metadata.json) and stand-alone Keras JSON model configs (model.to_json()).
 *
 * The zip itself is opened by the container analyzer, which hands every
 * member back to classification as "model.keras!config.json"; the weights
 * member model.weights.h5 goes to the HDF5 analyzer, pickles to the pickle
 * analyzer. config.json gets the same layer-tree walk as an .h5
 * model_config (keras_config.c).
 */
#include <jansson.h>
#include <string.h>
#include <strings.h>

#include "model_formats.h"

#define KJ_MAX (64u << 20)

static bool in_keras_zip(const char *name)
{
    const char *bang = strrchr(name, '!');
    if (!bang)
        return false;
    size_t l = (size_t)(bang - name);
    return l >= 6 && strncasecmp(bang - 6, ".keras", 6) == 0;
}

static bool head_has(const uint8_t *h, size_t n, const char *s)
{
    return memmem(h, n, s, strlen(s)) != NULL;
}

static size_t skip_ws(const uint8_t *h, size_t n)
{
    size_t i = 0;
    if (n >= 3 && h[0] == 0xef && h[1] == 0xbb && h[2] == 0xbf)
        i = 3;
    while (i < n && (h[i] == ' ' || h[i] == '\n' || h[i] == '\r' || h[i] == '\t'))
        i++;
    return i;
}

static int config_probe(const char *name, const uint8_t *head, size_t headlen, uint64_t size)
{
    size_t i = skip_ws(head, headlen);
    if (i >= headlen || head[i] != '{')
        return 0;
    const char *b = wt_basename(name);
    if (strcasecmp(b, "config.json") == 0 && in_keras_zip(name))
        return 95;
    if (!wt_str_endswith_ci(b, ".json"))
        return 0;
    /* a Keras model config: {"class_name": "Sequential"|"Functional"|..., "config": {...}} */
    if (head_has(head, headlen, "\"class_name\"") && head_has(head, headlen, "\"config\"") &&
        (head_has(head, headlen, "\"layers\"") || head_has(head, headlen, "\"keras_version\"") ||
         head_has(head, headlen, "\"module\": \"keras")))
        return 60;
    (void)size;
    return 0;
}

static int config_analyze(wt_ctx *ctx, wt_reader *r)
{
    size_t n = 0;
    uint8_t *buf = wt_reader_slurp(r, KJ_MAX, &n);
    wt_ctx_set_kind(ctx, "keras-config");
    if (!buf) {
        wt_emit_limit(ctx, "Keras config size", wt_reader_size(r), KJ_MAX);
        return WT_OK;
    }
    wt_keras_stats st = {0};
    if (wt_keras_check_json(ctx, (const char *)buf, n, NULL, &st) < 0) {
        char *ev = wt_shorten(buf, n, 80);
        wt_emit(ctx, "WT-KERAS-007", WT_SEV_NONE, NULL, ev, "Keras config is not valid JSON");
        free(ev);
    }
    /* this analyzer wins over the plain-text one: run the text detectors too */
    wt_text_origin o = {.cell = -1, .kind = "json", .line_base = 1};
    wt_text_detect(ctx, (const char *)buf, n, &o);
    free(buf);
    return WT_OK;
}

const wt_analyzer wt_keras_config_analyzer = {
    .name = "keras-config",
    .klass = WT_CLASS_MODEL,
    .exclusive = true,
    .probe = config_probe,
    .analyze = config_analyze,
};

static int metadata_probe(const char *name, const uint8_t *head, size_t headlen, uint64_t size)
{
    size_t i = skip_ws(head, headlen);
    if (i >= headlen || head[i] != '{')
        return 0;
    if (strcasecmp(wt_basename(name), "metadata.json") == 0 && in_keras_zip(name))
        return 95;
    (void)size;
    return 0;
}

static int metadata_analyze(wt_ctx *ctx, wt_reader *r)
{
    size_t n = 0;
    uint8_t *buf = wt_reader_slurp(r, 1u << 20, &n);
    wt_ctx_set_kind(ctx, "keras-metadata");
    if (!buf) {
        wt_emit_limit(ctx, "Keras metadata.json size", wt_reader_size(r), 1u << 20);
        return WT_OK;
    }
    json_error_t jerr;
    json_t *root = json_loadb((const char *)buf, n, 0, &jerr);
    if (!root) {
        wt_emit(ctx, "WT-KERAS-007", WT_SEV_LOW, NULL, NULL, "metadata.json is not valid JSON: %s", jerr.text);
    } else {
        json_t *v = json_object_get(root, "keras_version");
        if (json_is_string(v)) {
            char *k = wt_xasprintf("keras-metadata (keras %.32s)", json_string_value(v));
            wt_ctx_set_kind(ctx, k);
            free(k);
        }
        json_decref(root);
    }
    free(buf);
    return WT_OK;
}

const wt_analyzer wt_keras_metadata_analyzer = {
    .name = "keras-metadata",
    .klass = WT_CLASS_MODEL,
    .exclusive = true,
    .probe = metadata_probe,
    .analyze = metadata_analyze,
};
