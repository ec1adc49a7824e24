/*
 * registry.c - every analyzer and rule table compiled into libwatchtower.
 * Order matters only for ties between exclusive probes (earlier wins).
 */
#include "registry.h"

#include "core/core_rules.h"
#include "deps/deps_check.h"
#include "formats/archive.h"
#include "formats/joblib.h"
#include "formats/model_formats.h"
#include "formats/numpy.h"
#include "formats/pickle/pickle.h"
#include "formats/torch.h"
#include "formats/zip.h"
#include "text/code_rules.h"
#include "text/notebook.h"
#include "text/pii.h"
#include "text/secrets.h"
#include "text/textfile.h"

const wt_analyzer *const wt_registry_analyzers[] = {
    /* containers and the pickle family */
    &wt_zip_analyzer,
    &wt_zip_tail_analyzer, /* non-exclusive: zips appended to other formats */
    &wt_torch_legacy_analyzer,
    &wt_numpy_analyzer,
    &wt_joblib_analyzer,
    &wt_archive_analyzer,
    &wt_pickle_analyzer,
    /* other model formats */
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
    &wt_chat_template_analyzer, /* tokenizer_config.json, *.jinja (additive) */
    &wt_skops_analyzer,         /* .skops schema.json (additive) */
    &wt_hf_config_analyzer,     /* HF auto_map / custom_pipelines (additive) */
    &wt_hydra_target_analyzer,  /* Hydra _target_ in model configs (additive) */
    /* notebooks and text */
    &wt_notebook_analyzer,
    &wt_textfile_analyzer, /* low-score fallback for any text file */
    /* dependency files (additive) */
    &wt_deps_analyzer,
};
const size_t wt_registry_nanalyzers = sizeof wt_registry_analyzers / sizeof wt_registry_analyzers[0];

const wt_rule_table *const wt_registry_rule_tables[] = {
    &wt_core_rule_table,
    &wt_code_rule_table,
    &wt_secrets_rule_table,
    &wt_pii_rule_table,
    &wt_formats_rule_table,
};
const size_t wt_registry_nrule_tables = sizeof wt_registry_rule_tables / sizeof wt_registry_rule_tables[0];

const wt_text_detector *const wt_registry_text_detectors[] = {
    &wt_secrets_detector,
    &wt_pii_detector,
    &wt_code_detector,
};
const size_t wt_registry_ntext_detectors = sizeof wt_registry_text_detectors / sizeof wt_registry_text_detectors[0];

/* Dependency checks for `pip install` lines (deps module). */
const wt_pip_install_fn wt_registry_pip_install = wt_deps_pip_install;
