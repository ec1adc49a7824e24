/*
 * registry.c - every analyzer and rule table compiled into libwatchtower.
 * Order matters only for ties between exclusive probes (earlier wins).
 */
#include "registry.h"

#include "core/core_rules.h"
#include "formats/model_formats.h"

const wt_analyzer *const wt_registry_analyzers[] = {
    &wt_keras_h5_analyzer,
    &wt_keras_config_analyzer,
    &wt_keras_metadata_analyzer,
    &wt_savedmodel_analyzer,
    &wt_savedmodel_part_analyzer,
    &wt_onnx_analyzer,
    &wt_gguf_analyzer,
    &wt_safetensors_analyzer,
    &wt_tflite_analyzer,
    &wt_torchscript_analyzer,
    &wt_msgpack_analyzer,
    &wt_paddle_analyzer,
    &wt_gbdt_analyzer,
    &wt_chat_template_analyzer,
    NULL, /* keep the array non-empty; the core skips NULL entries */
};
const size_t wt_registry_nanalyzers = sizeof wt_registry_analyzers / sizeof wt_registry_analyzers[0];

const wt_rule_table *const wt_registry_rule_tables[] = {
    &wt_core_rule_table,
    &wt_formats_rule_table,
};
const size_t wt_registry_nrule_tables = sizeof wt_registry_rule_tables / sizeof wt_registry_rule_tables[0];

const wt_text_detector *const wt_registry_text_detectors[] = {
    NULL,
};
const size_t wt_registry_ntext_detectors = sizeof wt_registry_text_detectors / sizeof wt_registry_text_detectors[0];

/* Dependency checks for `pip install` lines (deps module). */
const wt_pip_install_fn wt_registry_pip_install = NULL;
