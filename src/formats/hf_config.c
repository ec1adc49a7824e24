/*
 * hf_config.c - Hugging Face config files that make transformers import
 * Python code: "auto_map" (AutoModel -> "modeling_x.Model") and
 * "custom_pipelines" ({"impl": "pipe.Class"}) in config.json,
 * tokenizer_config.json and the processor configs. With
 * trust_remote_code=True transformers downloads and runs that code; a
 * reference of the form "org/repo--module.Class" fetches it from ANOTHER
 * repository, so the code that runs is not in the repository being scanned.
 */
#include <jansson.h>
#include <string.h>
#include <strings.h>

#include "model_formats.h"

#define HF_MAX (16u << 20)
#define HF_MAX_REFS 64

static const char *const k_names[] = {
    "config.json",           "tokenizer_config.json",        "preprocessor_config.json",
    "processor_config.json", "feature_extractor_config.json", "image_processor_config.json",
    "video_preprocessor_config.json",
};

static int hf_probe(const char *name, const uint8_t *head, size_t headlen, uint64_t size)
{
    (void)size;
    const char *b = wt_basename(name);
    if (!wt_str_endswith_ci(b, ".json"))
        return 0;
    for (size_t i = 0; i < sizeof k_names / sizeof k_names[0]; i++)
        if (strcasecmp(b, k_names[i]) == 0)
            return 1;
    return head && (memmem(head, headlen, "\"auto_map\"", 10) || memmem(head, headlen, "\"custom_pipelines\"", 18))
               ? 1
               : 0;
}

typedef struct hfscan {
    wt_ctx *ctx;
    const char *raw;
    size_t rawlen;
    size_t nrefs;
} hfscan;

static void report(hfscan *h, const char *where, const char *key, const char *ref)
{
    if (h->nrefs++ >= HF_MAX_REFS)
        return;
    wt_location loc, *lp = NULL;
    char *q = wt_xasprintf("\"%s\"", ref);
    const char *hit = memmem(h->raw, h->rawlen, q, strlen(q));
    free(q);
    if (hit) {
        loc = wt_text_location(h->raw, h->rawlen, (size_t)(hit - h->raw), NULL);
        lp = &loc;
    }
    char *ev = wt_shorten(ref, strlen(ref), 160);
    const char *sep = strstr(ref, "--");
    if (sep && sep != ref) {
        char *repo = wt_xstrndup(ref, (size_t)(sep - ref));
        wt_emit(h->ctx, "WT-HF-001", WT_SEV_NONE, lp, ev,
                "%s %s loads Python code from another repository (%s) when trust_remote_code is set: the "
                "code that runs is not in this repository",
                where, key, repo);
        free(repo);
    } else {
        wt_emit(h->ctx, "WT-HF-002", WT_SEV_NONE, lp, ev,
                "%s %s needs trust_remote_code: transformers imports and runs %s from this repository", where, key,
                ev);
    }
    free(ev);
}

static void refs_of(hfscan *h, const char *where, const char *key, json_t *v, int depth)
{
    if (depth > 4)
        return;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (*s && strchr(s, '.'))
            report(h, where, key, s);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) refs_of(h, where, key, x, depth + 1);
    } else if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) refs_of(h, where, k, x, depth + 1);
    }
}

static int hf_analyze(wt_ctx *ctx, wt_reader *r)
{
    size_t n = 0;
    uint8_t *buf = wt_reader_slurp(r, HF_MAX, &n);
    if (!buf)
        return WT_OK;
    json_error_t jerr;
    json_t *root = json_loadb((const char *)buf, n, 0, &jerr);
    hfscan h = {ctx, (const char *)buf, n, 0};
    if (json_is_object(root)) {
        json_t *am = json_object_get(root, "auto_map");
        if (json_is_object(am)) {
            const char *k;
            json_t *x;
            json_object_foreach(am, k, x) refs_of(&h, "auto_map", k, x, 0);
        }
        json_t *cp = json_object_get(root, "custom_pipelines");
        if (json_is_object(cp)) {
            const char *k;
            json_t *x;
            json_object_foreach(cp, k, x) {
                json_t *impl = json_is_object(x) ? json_object_get(x, "impl") : NULL;
                if (impl)
                    refs_of(&h, "custom_pipelines", k, impl, 0);
            }
        }
    }
    if (h.nrefs > HF_MAX_REFS)
        wt_emit_limit(ctx, "remote-code references per config", h.nrefs, HF_MAX_REFS);
    json_decref(root);
    free(buf);
    return WT_OK;
}

const wt_analyzer wt_hf_config_analyzer = {
    .name = "hf-config",
    .klass = WT_CLASS_OTHER,
    .exclusive = false,
    .probe = hf_probe,
    .analyze = hf_analyze,
};
