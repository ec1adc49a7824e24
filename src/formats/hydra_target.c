/*
 * hydra_target.c - model configs whose "_target_" (Hydra / OmegaConf
 * instantiate), "target" or "cls" keys name the callable a library builds
 * at load time. NeMo (.nemo model_config.yaml, CVE-2025-23304), Uni2TS and
 * FlexTok (config.json) pass such metadata to hydra.utils.instantiate, so
 * "_target_: builtins.exec" in a model file is code execution on load
 * (Palo Alto Unit 42, 2025). The value is a dotted path resolved like a
 * pickle global (import the longest module prefix, getattr the rest), so it
 * is judged with the pickle globals policy; only high and critical verdicts
 * are reported (real configs name their own model classes). YAML files are
 * also searched for PyYAML python tags (!!python/object/apply:...), which an
 * unsafe loader turns into imports and calls.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "formats/pickle/pickle_policy.h"
#include "model_formats.h"

#define HY_MAX (16u << 20)
#define HY_MAX_HITS 64

static const char *const k_files[] = {"model_config.yaml", "hparams.yaml", "config.yaml", "config.yml"};

static int hy_probe(const char *name, const uint8_t *head, size_t headlen, uint64_t size)
{
    (void)size;
    const char *b = wt_basename(name);
    if (!(wt_str_endswith_ci(b, ".yaml") || wt_str_endswith_ci(b, ".yml") || wt_str_endswith_ci(b, ".json")))
        return 0;
    for (size_t i = 0; i < sizeof k_files / sizeof k_files[0]; i++)
        if (strcasecmp(b, k_files[i]) == 0)
            return 1;
    if (!head)
        return 0;
    if (memmem(head, headlen, "_target_", 8))
        return 1;
    /* YAML python tags: yaml.load with an unsafe loader builds these objects */
    return (!wt_str_endswith_ci(b, ".json") &&
            (memmem(head, headlen, "!!python/", 9) || memmem(head, headlen, "tag:yaml.org,2002:python/", 25)))
               ? 1
               : 0;
}

static void judge_path(const char *path, pk_verdict *best);

/* PyYAML's python tags (!!python/object/apply:os.system [...]): every unsafe
 * loader (yaml.load with Loader/UnsafeLoader, unsafe_load, PyYAML < 5.1
 * yaml.load) imports the named callable and calls or builds it. */
static void scan_yaml_tags(wt_ctx *ctx, const char *t, size_t n)
{
    static const char *const pfx[] = {"!!python/", "tag:yaml.org,2002:python/"};
    size_t hits = 0;
    for (size_t k = 0; k < 2; k++) {
        size_t pl = strlen(pfx[k]);
        const char *p = t, *end = t + n;
        while (p < end && hits < HY_MAX_HITS && (p = memmem(p, (size_t)(end - p), pfx[k], pl)) != NULL) {
            const char *q = p + pl;
            const char *kind = q;
            while (q < end && (isalpha((unsigned char)*q) || *q == '/'))
                q++;
            size_t kl = (size_t)(q - kind);
            char target[256] = "";
            if (q < end && *q == ':') {
                const char *v = ++q;
                while (q < end && q - v < 255 && (isalnum((unsigned char)*q) || *q == '_' || *q == '.'))
                    q++;
                memcpy(target, v, (size_t)(q - v));
                target[q - v] = 0;
            }
            pk_verdict best;
            judge_path(target, &best);
            wt_severity sev = best.level >= PK_LVL_HIGH ? pk_level_severity(best.level) : WT_SEV_NONE;
            char *ev = wt_xasprintf("!!python/%.*s%s%s", (int)kl, kind, target[0] ? ":" : "", target);
            wt_location loc = wt_text_location(t, n, (size_t)(p - t), NULL);
            wt_emit(ctx, "WT-YAML-001", sev, &loc, ev,
                    "YAML python tag %s: an unsafe loader (yaml.load with Loader/UnsafeLoader, unsafe_load) imports "
                    "and calls it when the file is loaded%s%s",
                    ev, best.reason && best.level >= PK_LVL_HIGH ? ": " : "",
                    best.reason && best.level >= PK_LVL_HIGH ? best.reason : "");
            free(ev);
            hits++;
            p = q > p ? q : p + pl;
        }
    }
    if (hits >= HY_MAX_HITS)
        wt_emit_limit(ctx, "YAML python tags per file", hits, HY_MAX_HITS);
}

/* Worst verdict over every module/name split of a dotted path. */
static void judge_path(const char *path, pk_verdict *best)
{
    best->level = PK_LVL_ALLOW;
    best->known = false;
    best->reason = NULL;
    char buf[256];
    size_t len = strlen(path);
    if (len >= sizeof buf)
        return;
    memcpy(buf, path, len + 1);
    for (size_t i = 0; i < len; i++) {
        if (buf[i] != '.')
            continue;
        buf[i] = 0;
        pk_verdict v;
        pk_policy_judge(buf, buf + i + 1, &v);
        buf[i] = '.';
        if (v.known && v.level > best->level)
            *best = v;
    }
}

static bool key_before(const char *t, size_t at, const char *key, size_t kl)
{
    if (at < kl || memcmp(t + at - kl, key, kl) != 0)
        return false;
    if (at == kl)
        return true;
    unsigned char c = (unsigned char)t[at - kl - 1];
    return !(isalnum(c) || c == '_');
}

static int hy_analyze(wt_ctx *ctx, wt_reader *r)
{
    size_t n = 0;
    uint8_t *buf = wt_reader_slurp(r, HY_MAX, &n);
    if (!buf)
        return WT_OK;
    const char *t = (const char *)buf;
    size_t hits = 0;
    for (size_t i = 0; i < n && hits <= HY_MAX_HITS; i++) {
        if ((i & 0xffff) == 0 && wt_ctx_expired(ctx))
            break;
        if (t[i] != ':')
            continue;
        /* key just before the colon, optionally quoted */
        size_t k = i;
        while (k > 0 && t[k - 1] == ' ')
            k--;
        bool quoted = k > 0 && (t[k - 1] == '"' || t[k - 1] == '\'');
        size_t ke = quoted ? k - 1 : k;
        const char *key = NULL;
        if (key_before(t, ke, "_target_", 8))
            key = "_target_";
        else if (key_before(t, ke, "target", 6))
            key = "target";
        else if (key_before(t, ke, "cls", 3))
            key = "cls";
        if (!key)
            continue;
        size_t v = i + 1;
        while (v < n && (t[v] == ' ' || t[v] == '\t'))
            v++;
        if (v < n && (t[v] == '"' || t[v] == '\''))
            v++;
        size_t ve = v;
        while (ve < n && ve - v < 255 && (isalnum((unsigned char)t[ve]) || t[ve] == '_' || t[ve] == '.'))
            ve++;
        if (ve == v || !memchr(t + v, '.', ve - v))
            continue;
        char path[256];
        memcpy(path, t + v, ve - v);
        path[ve - v] = 0;
        pk_verdict best;
        judge_path(path, &best);
        if (best.level < PK_LVL_HIGH)
            continue;
        if (hits++ >= HY_MAX_HITS)
            break;
        wt_location loc = wt_text_location(t, n, v, NULL);
        wt_emit(ctx, "WT-HYDRA-001", pk_level_severity(best.level), &loc, path,
                "config key %s names %s, which an instantiate-style loader (Hydra, OmegaConf, NeMo) imports and "
                "calls when the model loads: %s",
                key, path, best.reason ? best.reason : "dangerous callable");
    }
    if (hits > HY_MAX_HITS)
        wt_emit_limit(ctx, "instantiate targets per config", hits, HY_MAX_HITS);
    if (!wt_str_endswith_ci(wt_ctx_name(ctx), ".json"))
        scan_yaml_tags(ctx, t, n);
    free(buf);
    return WT_OK;
}

const wt_analyzer wt_hydra_target_analyzer = {
    .name = "config-target",
    .klass = WT_CLASS_OTHER,
    .exclusive = false,
    .probe = hy_probe,
    .analyze = hy_analyze,
};
