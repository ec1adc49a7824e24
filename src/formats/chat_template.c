/*
 * chat_template.c - Jinja chat templates outside GGUF files: the
 * "chat_template" of Hugging Face tokenizer_config.json (a string or a list
 * of {name, template}) and stand-alone chat_template.jinja / *.jinja files.
 * Same check as GGUF templates (jinja_check.c). Non-exclusive: the JSON is
 * still seen by the text detectors.
 */
#include <jansson.h>
#include <string.h>
#include <strings.h>

#include "model_formats.h"

#define CT_MAX (16u << 20)

static int ct_probe(const char *name, const uint8_t *head, size_t headlen, uint64_t size)
{
    (void)size;
    const char *b = wt_basename(name);
    if (strcasecmp(b, "tokenizer_config.json") == 0 || strcasecmp(b, "chat_template.json") == 0)
        return 1;
    /* renamed or prefixed copies (my_tokenizer_config.json, processor_chat_template.json)
     * and any JSON whose first bytes already carry a chat_template key */
    if (wt_str_endswith_ci(b, ".json") &&
        (strcasestr(b, "tokenizer") || strcasestr(b, "chat_template") ||
         (head && memmem(head, headlen, "\"chat_template\"", 15))))
        return 1;
    if (wt_str_endswith_ci(b, ".jinja") || wt_str_endswith_ci(b, ".jinja2") || wt_str_endswith_ci(b, ".j2"))
        return 1;
    return 0;
}

static void check(wt_ctx *ctx, const char *label, const char *tpl, size_t n, const char *raw, size_t rawlen,
                  bool raw_is_tpl)
{
    wt_jinja_hit hits[32];
    size_t nh = wt_jinja_check(tpl, n, hits, 32);
    if (nh > 32)
        nh = 32;
    for (size_t i = 0; i < nh; i++) {
        bool dup = false;
        for (size_t k = 0; k < i; k++)
            if (hits[k].token == hits[i].token)
                dup = true;
        if (dup)
            continue;
        size_t s = hits[i].offset > 40 ? hits[i].offset - 40 : 0;
        size_t e = hits[i].offset + 60 < n ? hits[i].offset + 60 : n;
        char *ev = wt_shorten(tpl + s, e - s, 120);
        wt_location loc;
        wt_location *lp = NULL;
        if (raw_is_tpl) {
            loc = wt_text_location(raw, rawlen, hits[i].offset, NULL);
            lp = &loc;
        } else {
            const char *k = memmem(raw, rawlen, "\"chat_template\"", 15);
            if (k) {
                loc = wt_text_location(raw, rawlen, (size_t)(k - raw), NULL);
                lp = &loc;
            }
        }
        const char *tok = strcmp(hits[i].token, "*") == 0 ? "dunder attribute" : hits[i].token;
        wt_emit(ctx, "WT-TEMPLATE-001", hits[i].severity, lp, ev, "%s uses '%s': %s", label, tok, hits[i].reason);
        free(ev);
    }
}

static int ct_analyze(wt_ctx *ctx, wt_reader *r)
{
    size_t n = 0;
    uint8_t *buf = wt_reader_slurp(r, CT_MAX, &n);
    if (!buf)
        return WT_OK;
    const char *raw = (const char *)buf;
    if (!wt_str_endswith_ci(wt_ctx_name(ctx), ".json")) {
        check(ctx, "Jinja template", raw, n, raw, n, true);
        free(buf);
        return WT_OK;
    }
    json_error_t jerr;
    json_t *root = json_loadb(raw, n, 0, &jerr);
    json_t *ct = root ? json_object_get(root, "chat_template") : NULL;
    if (json_is_string(ct)) {
        check(ctx, "chat_template", json_string_value(ct), json_string_length(ct), raw, n, false);
    } else if (json_is_array(ct)) {
        size_t i;
        json_t *v;
        json_array_foreach(ct, i, v) {
            json_t *t = json_object_get(v, "template");
            json_t *nm = json_object_get(v, "name");
            if (!json_is_string(t))
                continue;
            char *label = wt_xasprintf("chat_template '%s'", json_is_string(nm) ? json_string_value(nm) : "?");
            check(ctx, label, json_string_value(t), json_string_length(t), raw, n, false);
            free(label);
        }
    }
    json_decref(root);
    free(buf);
    return WT_OK;
}

const wt_analyzer wt_chat_template_analyzer = {
    .name = "chat-template",
    .klass = WT_CLASS_OTHER,
    .exclusive = false,
    .probe = ct_probe,
    .analyze = ct_analyze,
};
