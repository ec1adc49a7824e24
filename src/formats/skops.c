/*
 * skops.c - scikit-learn models saved with skops (.skops: a zip whose
 * schema.json describes every object). skops imports each node's
 * __module__ / __class__ (ObjectNode builds instances with __new__ and
 * __setstate__, FunctionNode and TypeNode import callables and types,
 * MethodNode binds obj.<func>, OperatorFuncNode calls operator.<class>(*attrs),
 * PartialNode wraps functools.partial). Users routinely pass
 * trusted=get_untrusted_types(...), and skops' own checks were bypassed
 * (CVE-2025-54412 OperatorFuncNode, CVE-2025-54413 MethodNode), so every
 * reference is judged here with the pickle globals policy
 * (rules/pickle_globals.tsv): the same import is equally dangerous.
 */
#include <jansson.h>
#include <string.h>

#include "formats/pickle/pickle_policy.h"
#include "model_formats.h"

#define SK_MAX (16u << 20)
#define SK_MAX_DEPTH 256
#define SK_MAX_NODES 2000000
#define SK_MAX_UNKNOWN 32

typedef struct skwalk {
    wt_ctx *ctx;
    size_t nodes, nemit, nunknown;
    bool over;
} skwalk;

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void judge(skwalk *w, const char *loader, const char *mod, const char *name, const char *what)
{
    pk_verdict v;
    pk_policy_judge(mod, name, &v);
    if (v.level == PK_LVL_ALLOW)
        return;
    bool unknown = !v.known || v.level <= PK_LVL_MEDIUM;
    if (unknown && w->nunknown++ >= SK_MAX_UNKNOWN)
        return;
    if (w->nemit++ >= WT_FMT_MAX_FINDINGS_PER_RULE) {
        w->over = true;
        return;
    }
    /* skops refuses types outside its trusted defaults unless the user trusts
     * them, so an unknown (project) type is low; the table's high/critical
     * verdicts keep their level */
    wt_severity sev = unknown ? WT_SEV_LOW : pk_level_severity(v.level);
    char *ev = wt_xasprintf("%s.%s", mod, name);
    wt_emit(w->ctx, "WT-SKOPS-001", sev, NULL, ev, "skops %s %s %s: %s", loader, what, ev, v.reason);
    free(ev);
}

static void visit(skwalk *w, json_t *o)
{
    const char *loader = jstr(o, "__loader__");
    const char *mod = jstr(o, "__module__");
    const char *cls = jstr(o, "__class__");
    if (!loader || !mod || !cls)
        return;
    if (strcmp(loader, "JsonNode") == 0)
        return; /* plain JSON value, nothing imported */
    if (strcmp(loader, "MethodNode") == 0) {
        json_t *c = json_object_get(o, "content");
        const char *fn = json_is_object(c) ? jstr(c, "func") : NULL;
        if (fn) {
            /* getattr(obj, func): judged as a walk from the class (Class.func) */
            char *walk = wt_xasprintf("%s.%s", cls, fn);
            judge(w, loader, mod, walk, "binds method");
            free(walk);
            return;
        }
    }
    const char *what = strcmp(loader, "FunctionNode") == 0   ? "imports function"
                       : strcmp(loader, "TypeNode") == 0       ? "imports type"
                       : strcmp(loader, "OperatorFuncNode") == 0 ? "calls"
                                                                 : "constructs";
    /* OperatorFuncNode always runs operator.<__class__>(*attrs), whatever __module__ says */
    judge(w, loader, strcmp(loader, "OperatorFuncNode") == 0 ? "operator" : mod, cls, what);
}

static void walk(skwalk *w, json_t *v, int depth)
{
    if (depth > SK_MAX_DEPTH || ++w->nodes > SK_MAX_NODES || (w->nodes % 4096 == 0 && wt_ctx_expired(w->ctx)))
        return;
    if (json_is_object(v)) {
        visit(w, v);
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) walk(w, x, depth + 1);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) walk(w, x, depth + 1);
    }
}

static int sk_probe(const char *name, const uint8_t *head, size_t headlen, uint64_t size)
{
    (void)size;
    if (strcmp(wt_basename(name), "schema.json") != 0 || !head)
        return 0;
    return (memmem(head, headlen, "\"__loader__\"", 12) || memmem(head, headlen, "\"_skops_version\"", 16)) ? 1 : 0;
}

static int sk_analyze(wt_ctx *ctx, wt_reader *r)
{
    size_t n = 0;
    uint8_t *buf = wt_reader_slurp(r, SK_MAX, &n);
    if (!buf)
        return WT_OK;
    json_error_t jerr;
    json_t *root = json_loadb((const char *)buf, n, 0, &jerr);
    skwalk w = {.ctx = ctx};
    if (root)
        walk(&w, root, 0);
    if (w.nodes > SK_MAX_NODES)
        wt_emit_limit(ctx, "skops schema JSON nodes", w.nodes, SK_MAX_NODES);
    if (w.over)
        wt_emit_limit(ctx, "skops findings per file", w.nemit, WT_FMT_MAX_FINDINGS_PER_RULE);
    json_decref(root);
    free(buf);
    return WT_OK;
}

const wt_analyzer wt_skops_analyzer = {
    .name = "skops",
    .klass = WT_CLASS_OTHER,
    .exclusive = false,
    .probe = sk_probe,
    .analyze = sk_analyze,
};
