/*
 * model_formats.h - shared internals of the non-pickle model analyzers
 * (Keras, TensorFlow, ONNX, GGUF, safetensors, TFLite, TorchScript, Flax,
 * Paddle, XGBoost/LightGBM).
 *
 * Owns: the analyzer declarations, the rule-table loader for rules/ *.tsv files
 * used by these formats, the Keras layer-tree walk shared by .h5, .keras,
 * keras_metadata.pb and JSON configs, the Python marshal decoder (Lambda
 * bytecode), the Jinja template check (GGUF chat templates) and the
 * safetensors header validator. The pure helpers take bytes and return
 * results, so unit tests and fuzz targets call them directly.
 */
#ifndef WT_MODEL_FORMATS_H
#define WT_MODEL_FORMATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdio.h>
#include <stdlib.h>

#include "core/analyzer.h"
#include "core/util.h"

/* ---- analyzers (registered in core/registry.c) ---- */
extern const wt_analyzer wt_keras_h5_analyzer;
extern const wt_analyzer wt_keras_config_analyzer;   /* config.json / model.json */
extern const wt_analyzer wt_keras_metadata_analyzer; /* .keras metadata.json */
extern const wt_analyzer wt_savedmodel_analyzer;     /* saved_model.pb, GraphDef .pb */
extern const wt_analyzer wt_savedmodel_part_analyzer;/* variables/, fingerprint.pb, keras_metadata.pb */
extern const wt_analyzer wt_onnx_analyzer;
extern const wt_analyzer wt_gguf_analyzer;
extern const wt_analyzer wt_safetensors_analyzer;
extern const wt_analyzer wt_tflite_analyzer;
extern const wt_analyzer wt_torchscript_analyzer;
extern const wt_analyzer wt_msgpack_analyzer;
extern const wt_analyzer wt_paddle_analyzer;
extern const wt_analyzer wt_gbdt_analyzer;
extern const wt_analyzer wt_chat_template_analyzer;  /* tokenizer_config.json, *.jinja */
extern const wt_analyzer wt_skops_analyzer;          /* .skops schema.json */
extern const wt_analyzer wt_hf_config_analyzer;      /* auto_map / custom_pipelines remote code */
extern const wt_analyzer wt_hydra_target_analyzer;   /* _target_ / target / cls in model configs */
extern const wt_rule_table wt_formats_rule_table;    /* every rule of these formats */

/* ---- rule tables (rules/<name>.tsv): '#' comments, tab-separated ---- */
typedef struct wt_fmt_table {
    size_t nrows;
    size_t ncols;
    const char **cells; /* nrows * ncols, "" for missing cells */
} wt_fmt_table;
/* Parsed once, cached for the process (thread-safe). Never NULL. */
const wt_fmt_table *wt_fmt_table_get(const char *name, size_t ncols);
static inline const char *wt_fmt_cell(const wt_fmt_table *t, size_t row, size_t col)
{
    return t->cells[row * t->ncols + col];
}
/* Row whose first cell equals key (exact), or -1. */
long wt_fmt_table_find(const wt_fmt_table *t, const char *key);
/* Row whose first cell is key or a dotted prefix of key ("os" matches
 * "os.path.join"); longest match wins; -1 if none. */
long wt_fmt_table_find_prefix(const wt_fmt_table *t, const char *key);

/* ---- base64 (RFC 4648, whitespace ignored) ---- */
/* Decodes into a new buffer; NULL if not valid base64. */
uint8_t *wt_fmt_b64_decode(const char *s, size_t n, size_t *outlen);

/* ---- Python marshal (Lambda bytecode) ---- */
typedef struct wt_marshal_info {
    wt_buf names;      /* ", "-separated global/attribute names used (deduped) */
    wt_buf consts;     /* ", "-separated string constants (deduped, shortened) */
    wt_buf dangerous;  /* names/consts found in rules/code_names.tsv */
    size_t ncode;      /* code objects decoded */
    int layout;        /* 37 (3.7), 38 (3.8-3.10), 311 (3.11+), 0 unknown */
} wt_marshal_info;
void wt_marshal_info_init(wt_marshal_info *mi);
void wt_marshal_info_fini(wt_marshal_info *mi);
/* Decode a marshal stream far enough to list the names and constants of
 * every code object. Returns 0, or -1 when malformed (partial info kept). */
int wt_marshal_scan(const uint8_t *p, size_t len, wt_marshal_info *mi);

/* ---- Jinja template check ---- */
typedef struct wt_jinja_hit {
    size_t offset;         /* byte offset in the template */
    wt_severity severity;
    const char *token;     /* the matched token (rule table cell) */
    const char *reason;
} wt_jinja_hit;
/* Scan a Jinja template for constructs that reach Python internals; fills
 * up to max hits, returns the number found (may exceed max). */
size_t wt_jinja_check(const char *tpl, size_t len, wt_jinja_hit *hits, size_t max);

/* ---- Keras layer-tree walk ---- */
typedef struct wt_keras_stats {
    size_t layers;       /* objects with a class_name */
    size_t lambdas;
    size_t custom;
    size_t external;     /* module/function outside keras */
} wt_keras_stats;
/* Parse a Keras JSON config (model_config, config.json, metadata JSON) and
 * walk the whole layer tree, emitting WT-KERAS-* findings. where = what the
 * JSON is ("model_config attribute"). Returns 0, -1 if not JSON. */
int wt_keras_check_json(wt_ctx *ctx, const char *json, size_t len, const char *where,
                        wt_keras_stats *st);
/* Same, on an already parsed jansson value. */
struct json_t;
void wt_keras_check_value(wt_ctx *ctx, struct json_t *root, const char *where, wt_keras_stats *st);

/* ---- safetensors header validation ---- */
typedef struct wt_st_issue {
    const char *rule;   /* WT-SAFETENSORS-00N */
    char *message;      /* owned */
} wt_st_issue;
typedef struct wt_st_result {
    size_t ntensors;
    uint64_t data_bytes;
    wt_st_issue *issues;
    size_t nissues;
} wt_st_result;
/* Validate header JSON (hdr, hlen bytes, as read after the 8-byte length)
 * against a data section of data_len bytes. */
void wt_safetensors_validate(const char *hdr, size_t hlen, uint64_t data_len, wt_st_result *res);
void wt_st_result_fini(wt_st_result *res);

/* ---- TensorFlow op table (rules/tf_unsafe_ops.tsv) ---- */
typedef struct wt_tf_op_info {
    const char *op;
    wt_severity severity;
    const char *category; /* python, file-read, file-write, network, checkpoint, memory, debug */
    const char *reason;
} wt_tf_op_info;
/* Lookup; false when the op is not in the table. */
bool wt_tf_op_lookup(const char *op, size_t oplen, wt_tf_op_info *out);

/* Small helpers */
bool wt_fmt_name_is(const char *name, const char *base); /* basename equals (case-insensitive) */
#define WT_FMT_MAX_FINDINGS_PER_RULE 50

#endif
