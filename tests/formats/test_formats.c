/*
 * test_formats.c - Keras (.h5, .keras members, JSON), SavedModel/GraphDef,
 * ONNX, GGUF, safetensors, TFLite, TorchScript code, Flax msgpack, Paddle
 * and XGBoost/LightGBM analyzers, end to end on fixtures written by
 * tests/formats/gen_fixtures.py (run once per test process).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/analyzer.h"
#include "core/util.h"
#include "harness.h"

static const char *fxdir(void)
{
    static char dir[512];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "%s/fx", wt_t_tmpdir());
        char cmd[2048];
        snprintf(cmd, sizeof cmd, "%s '%s/tests/formats/gen_fixtures.py' '%s' >/dev/null",
                 wt_t_env("WT_PYTHON", "/usr/bin/python3"), wt_t_env("WT_SRC", "."), dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "fixture generator failed: %s\n", cmd);
            exit(2);
        }
    }
    return dir;
}

static wt_scan_result *scan_fx(const char *rel)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", fxdir(), rel);
    return wt_t_scan_path(p);
}

static bool clean(wt_scan_result *r)
{
    if (wt_t_max_sev(r) > WT_SEV_LOW) {
        wt_t_dump(r);
        return false;
    }
    return true;
}

static const char *kind_of(wt_scan_result *r, const char *suffix)
{
    for (size_t i = 0; i < r->ninfos; i++)
        if (wt_str_endswith_ci(r->infos[i].name, suffix))
            return r->infos[i].kind;
    return NULL;
}

#define CLEAN(rel) do { wt_scan_result *_r = scan_fx(rel); CHECK(clean(_r)); wt_scan_result_free(_r); } while (0)
#define EXPECT(rel, rule, min) do { wt_scan_result *_r = scan_fx(rel); \
    if (wt_t_count(_r, rule) < (size_t)(min)) { wt_t_dump(_r); } \
    CHECK(wt_t_count(_r, rule) >= (size_t)(min)); wt_scan_result_free(_r); } while (0)

/* ---- Keras HDF5 ---- */
WT_TEST(keras_h5_dense_model_is_clean_and_kind_names_keras)
{
    wt_scan_result *r = scan_fx("keras/benign_dense.h5");
    CHECK(clean(r));
    CHECK_INT(r->models_found, 1);
    const char *k = kind_of(r, "benign_dense.h5");
    CHECK(k && strstr(k, "keras-h5") && strstr(k, "2.13.1"));
    wt_scan_result_free(r);
}

WT_TEST(keras_h5_with_1gb_of_weights_reads_only_metadata)
{
    wt_scan_result *r = scan_fx("keras/big_weights.h5");
    CHECK(clean(r));
    CHECK(r->bytes_total >= 1000000000ull);
    CHECK(r->bytes_read < (1u << 20)); /* HDF5 1.10: reads go through the parent's reader */
    wt_scan_result_free(r);
}

WT_TEST(keras_h5_conv_model_with_vlen_string_attributes_is_clean) { CLEAN("keras/benign_conv.h5"); }
WT_TEST(plain_hdf5_dataset_file_is_clean) { CLEAN("keras/plain_data.h5"); }

WT_TEST(keras_h5_lambda_bytecode_is_critical_and_lists_names)
{
    wt_scan_result *r = scan_fx("keras/lambda_bytecode.h5");
    const wt_finding *f = wt_t_find(r, "WT-KERAS-001");
    CHECK(f != NULL);
    if (f) {
        CHECK_INT(f->severity, WT_SEV_CRITICAL);
        CHECK(f->evidence && strstr(f->evidence, "system") && strstr(f->evidence, "__import__"));
        CHECK(strstr(f->message, "evil_lambda") != NULL);
    }
    CHECK_INT(wt_t_count(r, "WT-KERAS-003"), 0); /* Dense/InputLayer are built-ins */
    wt_scan_result_free(r);
}

WT_TEST(keras_h5_lambda_naming_os_system_is_dangerous_module)
{
    EXPECT("keras/lambda_os_system.h5", "WT-KERAS-004", 1);
}

WT_TEST(keras_h5_custom_layer_class_is_medium)
{
    wt_scan_result *r = scan_fx("keras/custom_layer.h5");
    const wt_finding *f = wt_t_find(r, "WT-KERAS-003");
    CHECK(f && f->severity == WT_SEV_MEDIUM && strstr(f->message, "MyAttention"));
    wt_scan_result_free(r);
}

WT_TEST(keras_h5_lambda_inside_wrappers_and_nested_models_is_found)
{
    wt_scan_result *r = scan_fx("keras/nested_lambda.h5");
    const wt_finding *f = wt_t_find(r, "WT-KERAS-001");
    CHECK(f && strstr(f->message, "deep_lambda"));
    wt_scan_result_free(r);
}

WT_TEST(keras_h5_pickles_in_attributes_and_datasets_go_to_the_pickle_analyzer)
{
    wt_scan_result *r = scan_fx("keras/pickle_in_h5.h5");
    if (wt_analyzer_by_name("pickle")) {
        CHECK(wt_t_count(r, "WT-PICKLE-*") >= 2);
        CHECK(wt_t_max_sev(r) >= WT_SEV_HIGH);
    } else {
        CHECK(wt_t_find_text(r, "/blob") != NULL);
        CHECK(wt_t_find_text(r, "/model_weights@optimizer_state") != NULL);
    }
    wt_scan_result_free(r);
}

WT_TEST(keras_h5_hard_link_cycles_terminate_clean) { CLEAN("keras/self_reference.h5"); }

WT_TEST(keras_h5_external_storage_is_reported_not_read)
{
    wt_scan_result *r = scan_fx("keras/external_storage.h5");
    const wt_finding *f = wt_t_find(r, "WT-KERAS-008");
    CHECK(f && strstr(f->message, "external"));
    wt_scan_result_free(r);
}

WT_TEST(keras_h5_truncated_and_garbage_files_are_findings_not_crashes)
{
    EXPECT("keras/truncated.h5", "WT-KERAS-007", 1);
    EXPECT("keras/garbage.h5", "WT-KERAS-007", 1);
    EXPECT("keras/model_config_not_json.h5", "WT-KERAS-007", 1);
}

WT_TEST(keras_h5_child_crash_and_timeout_are_findings)
{
    setenv("WT_HDF5_TEST_FAULT", "crash", 1);
    wt_scan_result *r = scan_fx("keras/benign_dense.h5");
    const wt_finding *f = wt_t_find(r, "WT-KERAS-006");
    CHECK(f && strstr(f->message, "crashed"));
    wt_scan_result_free(r);
    setenv("WT_HDF5_TEST_FAULT", "hang", 1);
    setenv("WT_HDF5_TIMEOUT_MS", "300", 1);
    r = scan_fx("keras/benign_dense.h5");
    f = wt_t_find(r, "WT-KERAS-006");
    CHECK(f && strstr(f->message, "timed out"));
    wt_scan_result_free(r);
    unsetenv("WT_HDF5_TEST_FAULT");
    unsetenv("WT_HDF5_TIMEOUT_MS");
}

/* ---- Keras v3 members / JSON configs ---- */
static wt_scan_result *scan_fx_as(const char *rel, const char *name)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", fxdir(), rel);
    FILE *f = fopen(p, "rb");
    static char buf[1 << 20];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
        fclose(f);
    return wt_t_scan_mem(name, buf, n);
}

WT_TEST(keras3_config_member_benign_is_clean)
{
    wt_scan_result *r = scan_fx_as("keras3/benign_config.json", "model.keras!config.json");
    CHECK(clean(r));
    CHECK(wt_t_count(r, "WT-KERAS-*") == 0);
    wt_scan_result_free(r);
    CLEAN("keras3/benign_config.json");
}

WT_TEST(keras3_lambda_code_is_critical)
{
    wt_scan_result *r = scan_fx_as("keras3/lambda_config.json", "model.keras!config.json");
    const wt_finding *f = wt_t_find(r, "WT-KERAS-001");
    CHECK(f && f->evidence && strstr(f->evidence, "system"));
    wt_scan_result_free(r);
}

WT_TEST(keras3_torch_module_wrapper_payload_is_scanned)
{
    /* TorchModuleWrapper.from_config torch.load()s config.module (keras PR 21575) */
    const char *cfg = "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"layers\": ["
                      "{\"module\": \"keras.layers\", \"class_name\": \"TorchModuleWrapper\", \"config\": "
                      "{\"name\": \"t\", \"module\": \"Y29zCnN5c3RlbQooUyd0cnVlJwp0Ui4=\"}}]}}";
    wt_scan_result *r = wt_t_scan_mem("model.keras!config.json", cfg, strlen(cfg));
    CHECK(wt_t_count(r, "WT-KERAS-004") == 1);
    CHECK(wt_t_count(r, "WT-PICKLE-001") == 1);
    wt_scan_result_free(r);
}

WT_TEST(keras3_lambda_anywhere_is_reported_once)
{
    wt_scan_result *r = scan_fx_as("keras3/activation_lambda_config.json", "model.keras!config.json");
    const wt_finding *f = wt_t_find(r, "WT-KERAS-001");
    CHECK(f && strstr(f->message, "dense_act"));
    CHECK_INT(wt_t_count(r, "WT-KERAS-001"), 1);
    wt_scan_result_free(r);
    r = scan_fx_as("keras3/lambda_config.json", "model.keras!config.json");
    CHECK_INT(wt_t_count(r, "WT-KERAS-001"), 1); /* not again for the nested __lambda__ */
    wt_scan_result_free(r);
}

WT_TEST(keras3_module_os_and_safe_mode_toggle_are_critical)
{
    wt_scan_result *r = scan_fx_as("keras3/os_module_config.json", "m.keras!config.json");
    const wt_finding *f = wt_t_find(r, "WT-KERAS-004");
    CHECK(f && f->severity == WT_SEV_CRITICAL && strstr(f->message, "os.system"));
    CHECK(f && f->loc.line > 0); /* JSON files get line numbers */
    wt_scan_result_free(r);
    r = scan_fx_as("keras3/unsafe_toggle_config.json", "m.keras!config.json");
    f = wt_t_find(r, "WT-KERAS-004");
    CHECK(f && strstr(f->message, "enable_unsafe_deserialization"));
    wt_scan_result_free(r);
}

WT_TEST(keras3_module_outside_keras_is_medium) { EXPECT("keras3/external_config.json", "WT-KERAS-005", 1); }
WT_TEST(keras_config_not_json_is_reported) { EXPECT("keras3/bad_config.json", "WT-KERAS-007", 1); }

WT_TEST(keras3_metadata_member_is_clean_and_named)
{
    wt_scan_result *r = scan_fx_as("keras3/metadata.json", "model.keras!metadata.json");
    CHECK(clean(r));
    bool named = false;
    for (size_t i = 0; i < r->ninfos; i++)
        if (r->infos[i].kind && strstr(r->infos[i].kind, "keras-metadata"))
            named = true;
    CHECK(named || r->ninfos == 0);
    wt_scan_result_free(r);
}

WT_TEST(keras_zip_members_are_found_when_the_zip_analyzer_exists)
{
    if (!wt_analyzer_by_name("zip"))
        return; /* the container analyzer lives on another branch until merged */
    EXPECT("keras3/lambda.keras", "WT-KERAS-001", 1);
    EXPECT("keras3/os_module.keras", "WT-KERAS-004", 1);
    wt_scan_result *r = scan_fx("keras3/benign.keras");
    CHECK(wt_t_count(r, "WT-KERAS-*") == 0);
    wt_scan_result_free(r);
}

/* ---- TensorFlow ---- */
WT_TEST(savedmodel_standard_save_restore_ops_are_not_flagged_and_dir_is_one_model)
{
    wt_scan_result *r = scan_fx("tf/benign");
    CHECK(clean(r));
    CHECK_INT(wt_t_count(r, "WT-TF-*"), 0);
    CHECK_INT(r->models_found, 1);
    wt_scan_result_free(r);
}

WT_TEST(savedmodel_unsafe_ops_and_checkpoint_ops_outside_saver_are_reported)
{
    wt_scan_result *r = scan_fx("tf/malicious");
    CHECK(wt_t_find_text(r, "ReadFile") != NULL);
    CHECK(wt_t_find_text(r, "WriteFile") != NULL);
    const wt_finding *py = wt_t_find_text(r, "PyFunc");
    CHECK(py && py->severity == WT_SEV_CRITICAL);
    CHECK_INT(wt_t_count(r, "WT-TF-002"), 1);
    const wt_finding *f = wt_t_find(r, "WT-TF-002");
    CHECK(f && strstr(f->message, "__inference_serve_evil_42"));
    CHECK(wt_t_find_text(r, "traced_save") == NULL);
    wt_scan_result_free(r);
}

WT_TEST(savedmodel_keras_metadata_lambda_is_found_through_the_sibling)
{
    wt_scan_result *r = scan_fx("tf/keras_lambda");
    const wt_finding *f = wt_t_find(r, "WT-KERAS-001");
    CHECK(f && strstr(f->message, "keras_metadata.pb"));
    CHECK_INT(r->models_found, 1);
    wt_scan_result_free(r);
}

WT_TEST(savedmodel_object_graph_keras_metadata_lambda_is_found)
{
    wt_scan_result *r = scan_fx("tf/object_graph_lambda/saved_model.pb");
    const wt_finding *f = wt_t_find(r, "WT-KERAS-001");
    CHECK(f && strstr(f->message, "object graph"));
    wt_scan_result_free(r);
}

WT_TEST(keras_file_inside_a_zip_inside_a_tar_is_found)
{
    if (!wt_analyzer_by_name("zip") || !wt_analyzer_by_name("archive"))
        return;
    wt_scan_result *r = scan_fx("nested/bundle.tar");
    const wt_finding *f = wt_t_find(r, "WT-KERAS-001");
    CHECK(f && strstr(f->artifact, "lambda.keras!config.json"));
    wt_scan_result_free(r);
}

WT_TEST(frozen_graphdef_is_scanned)
{
    EXPECT("tf/frozen_graph.pb", "WT-TF-001", 1);
    CLEAN("tf/benign_frozen.pb");
    EXPECT("tf/truncated/saved_model.pb", "WT-TF-003", 1);
}

/* ---- ONNX ---- */
WT_TEST(onnx_standard_and_contrib_ops_are_clean)
{
    CLEAN("onnx/benign.onnx");
    CLEAN("onnx/contrib_op.onnx");
    CLEAN("onnx/external_ok.onnx");
}

WT_TEST(onnx_custom_domain_ops_are_reported_including_subgraphs)
{
    EXPECT("onnx/custom_op.onnx", "WT-ONNX-001", 1);
    EXPECT("onnx/subgraph_custom.onnx", "WT-ONNX-001", 1);
}

WT_TEST(onnx_external_data_traversal_is_high)
{
    wt_scan_result *r = scan_fx("onnx/external_traversal.onnx");
    CHECK_INT(wt_t_count(r, "WT-ONNX-002"), 2);
    CHECK(wt_t_max_sev(r) == WT_SEV_HIGH);
    wt_scan_result_free(r);
}

WT_TEST(onnx_local_function_calls_are_not_custom_ops)
{
    wt_scan_result *r = scan_fx("onnx/local_function.onnx");
    CHECK_INT(wt_t_count(r, "WT-ONNX-003"), 1);
    CHECK_INT(wt_t_count(r, "WT-ONNX-001"), 0);
    CHECK(clean(r));
    wt_scan_result_free(r);
}

WT_TEST(onnx_truncated_is_malformed) { EXPECT("onnx/truncated.onnx", "WT-ONNX-004", 1); }

/* ---- GGUF ---- */
WT_TEST(gguf_normal_chat_template_is_clean) { CLEAN("gguf/benign.gguf"); }

WT_TEST(gguf_ssti_chat_template_is_critical)
{
    wt_scan_result *r = scan_fx("gguf/template_rce.gguf");
    const wt_finding *f = wt_t_find(r, "WT-GGUF-001");
    CHECK(f && f->severity == WT_SEV_CRITICAL && f->loc.has_offset);
    wt_scan_result_free(r);
    EXPECT("gguf/template_obfuscated.gguf", "WT-GGUF-001", 1);
}

WT_TEST(gguf_version_1_headers_are_parsed)
{
    CLEAN("gguf/v1_benign.gguf");
    EXPECT("gguf/v1_evil.gguf", "WT-GGUF-001", 1);
}

WT_TEST(gguf_absurd_counts_lengths_and_offsets_are_reported)
{
    EXPECT("gguf/absurd_kv_count.gguf", "WT-GGUF-002", 1);
    EXPECT("gguf/absurd_string.gguf", "WT-GGUF-002", 1);
    EXPECT("gguf/absurd_array.gguf", "WT-GGUF-002", 1);
    EXPECT("gguf/tensor_oob.gguf", "WT-GGUF-002", 1);
    EXPECT("gguf/truncated.gguf", "WT-GGUF-003", 1);
    /* an absurd tensor count does not hide the template that precedes the tensors */
    wt_scan_result *r = scan_fx("gguf/absurd_tensors_evil_template.gguf");
    CHECK(wt_t_count(r, "WT-GGUF-002") >= 1);
    CHECK(wt_t_count(r, "WT-GGUF-001") >= 1);
    wt_scan_result_free(r);
}

/* ---- safetensors ---- */
WT_TEST(safetensors_valid_file_is_clean_and_marked_validated)
{
    wt_scan_result *r = scan_fx("safetensors/valid.safetensors");
    CHECK_INT(r->nfindings, 0);
    const char *k = kind_of(r, "valid.safetensors");
    CHECK(k && strcmp(k, "safetensors (validated)") == 0);
    wt_scan_result_free(r);
}

WT_TEST(safetensors_invalid_headers_are_reported)
{
    EXPECT("safetensors/overlap.safetensors", "WT-SAFETENSORS-002", 1);
    EXPECT("safetensors/gap.safetensors", "WT-SAFETENSORS-002", 1);
    EXPECT("safetensors/out_of_file.safetensors", "WT-SAFETENSORS-002", 1);
    EXPECT("safetensors/bad_dtype.safetensors", "WT-SAFETENSORS-002", 1);
    EXPECT("safetensors/shape_mismatch.safetensors", "WT-SAFETENSORS-002", 1);
    EXPECT("safetensors/trailing.safetensors", "WT-SAFETENSORS-002", 1);
    EXPECT("safetensors/metadata_not_string.safetensors", "WT-SAFETENSORS-003", 1);
    EXPECT("safetensors/duplicate_key.safetensors", "WT-SAFETENSORS-004", 1);
    EXPECT("safetensors/bad_json.safetensors", "WT-SAFETENSORS-001", 1);
    EXPECT("safetensors/huge_header.safetensors", "WT-SAFETENSORS-001", 1);
    EXPECT("safetensors/header_beyond_file.safetensors", "WT-SAFETENSORS-001", 1);
}

/* Big sparse files: only the header is read. */
static char *sparse_file(const char *name, const void *head, size_t hlen, uint64_t total)
{
    char *p = wt_t_write(wt_t_tmpdir(), name, head, hlen);
    int fd = open(p, O_WRONLY);
    CHECK(fd >= 0 && ftruncate(fd, (off_t)total) == 0);
    close(fd);
    return p;
}

WT_TEST(large_safetensors_and_gguf_read_only_their_headers)
{
    const uint64_t data = 1ull << 30; /* 1 GiB sparse */
    char hdr[256];
    int hl = snprintf(hdr, sizeof hdr, "{\"w\":{\"dtype\":\"F32\",\"shape\":[%llu],\"data_offsets\":[0,%llu]}}",
                      (unsigned long long)(data / 4), (unsigned long long)data);
    uint8_t st[264];
    uint64_t n = (uint64_t)hl;
    for (int i = 0; i < 8; i++)
        st[i] = (uint8_t)(n >> (8 * i));
    memcpy(st + 8, hdr, (size_t)hl);
    char *p = sparse_file("big.safetensors", st, 8 + (size_t)hl, 8 + n + data);
    wt_scan_result *r = wt_t_scan_path(p);
    CHECK_INT(r->nfindings, 0);
    CHECK(r->bytes_read < (1u << 20));
    wt_scan_result_free(r);
    free(p);

    /* GGUF v3: 1 kv, 1 tensor F32 [65536, 4096] */
    uint8_t g[256];
    size_t o = 0;
#define PUT(v, sz) do { uint64_t _v = (v); for (int _i = 0; _i < (sz); _i++) g[o++] = (uint8_t)(_v >> (8 * _i)); } while (0)
    memcpy(g, "GGUF", 4);
    o = 4;
    PUT(3, 4); PUT(1, 8); PUT(1, 8);
    PUT(20, 8); memcpy(g + o, "general.architecture", 20); o += 20; PUT(8, 4); PUT(5, 8); memcpy(g + o, "llama", 5); o += 5;
    PUT(1, 8); g[o++] = 'w'; PUT(2, 4); PUT(65536, 8); PUT(4096, 8); PUT(0, 4); PUT(0, 8);
#undef PUT
    uint64_t start = (o + 31) / 32 * 32;
    p = sparse_file("big.gguf", g, o, start + 65536ull * 4096 * 4);
    r = wt_t_scan_path(p);
    if (r->nfindings)
        wt_t_dump(r);
    CHECK_INT(r->nfindings, 0);
    CHECK(r->bytes_read < (1u << 20));
    wt_scan_result_free(r);
    free(p);
}

/* ---- TFLite ---- */
WT_TEST(tflite_builtin_ops_are_clean) { CLEAN("tflite/benign.tflite"); }
WT_TEST(tflite_custom_op_is_medium) { EXPECT("tflite/custom_op.tflite", "WT-TFLITE-001", 1); }

WT_TEST(tflite_flex_op_severity_follows_the_tf_op_table)
{
    wt_scan_result *r = scan_fx("tflite/flex_readfile.tflite");
    const wt_finding *f = wt_t_find_text(r, "FlexReadFile");
    CHECK(f && f->severity == WT_SEV_HIGH);
    const wt_finding *g = wt_t_find_text(r, "FlexAddV2");
    CHECK(g && g->severity == WT_SEV_LOW);
    wt_scan_result_free(r);
}

WT_TEST(tflite_truncated_is_malformed) { EXPECT("tflite/truncated.tflite", "WT-TFLITE-003", 1); }

/* ---- TorchScript code members ---- */
WT_TEST(torchscript_code_calling_os_and_custom_ops_is_reported)
{
    wt_scan_result *r = scan_fx_as("torchscript/evil.py", "model.pt!archive/code/__torch__/model.py");
    CHECK(wt_t_count(r, "WT-TORCHSCRIPT-001") >= 2); /* os., eval( */
    CHECK_INT(wt_t_count(r, "WT-TORCHSCRIPT-002"), 1);
    CHECK(wt_t_count(r, "WT-SCAN-004") == 0); /* .py is the normal name here */
    wt_scan_result_free(r);
    r = scan_fx_as("torchscript/benign.py", "model.pt!archive/code/__torch__/model.py");
    CHECK(clean(r));
    CHECK_INT(wt_t_count(r, "WT-TORCHSCRIPT-*"), 0);
    wt_scan_result_free(r);
}

/* ---- code-free formats ---- */
WT_TEST(flax_lightgbm_xgboost_and_paddle_params_pass_clean_as_models)
{
    const char *files[] = {"misc/flax.msgpack", "misc/lgbm.txt", "misc/xgb.json", "misc/model.pdiparams",
                           "misc/benign.pdmodel"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        wt_scan_result *r = scan_fx(files[i]);
        CHECK_INT(r->nfindings, 0);
        CHECK_INT(r->models_found, 1);
        wt_scan_result_free(r);
    }
}

WT_TEST(truncated_msgpack_and_paddle_py_func_are_reported)
{
    EXPECT("misc/flax_truncated.msgpack", "WT-MSGPACK-001", 1);
    EXPECT("misc/inference.pdmodel", "WT-PADDLE-001", 1);
}

/* ---- chat templates outside GGUF ---- */
WT_TEST(tokenizer_config_chat_template_ssti_is_critical_and_normal_one_is_clean)
{
    const char *bad = "{\n  \"model_max_length\": 2048,\n  \"chat_template\": \"{{ cycler.__init__.__globals__.os.popen('true') }}\"\n}\n";
    wt_scan_result *r = wt_t_scan_mem("repo/tokenizer_config.json", bad, strlen(bad));
    const wt_finding *f = wt_t_find(r, "WT-TEMPLATE-001");
    CHECK(f && f->severity == WT_SEV_CRITICAL && f->loc.line == 3);
    wt_scan_result_free(r);
    const char *list = "{\"chat_template\": [{\"name\": \"default\", \"template\": \"{{ messages[0]['content'] }}\"},"
                       " {\"name\": \"tool_use\", \"template\": \"{{ ''|attr('__class__') }}\"}]}";
    r = wt_t_scan_mem("tokenizer_config.json", list, strlen(list));
    f = wt_t_find(r, "WT-TEMPLATE-001");
    CHECK(f && strstr(f->message, "tool_use"));
    CHECK_INT(wt_t_count(r, "WT-TEMPLATE-001"), 1);
    wt_scan_result_free(r);
    const char *ok = "{\"chat_template\": \"{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\\\n' + m['content'] }}{% endfor %}\"}";
    r = wt_t_scan_mem("tokenizer_config.json", ok, strlen(ok));
    CHECK_INT(wt_t_count(r, "WT-TEMPLATE-*"), 0);
    wt_scan_result_free(r);
    const char *jinja = "{% for m in messages %}\n{{ m.content }}\n{{ lipsum.__globals__['os'].popen('true') }}\n{% endfor %}\n";
    r = wt_t_scan_mem("chat_template.jinja", jinja, strlen(jinja));
    f = wt_t_find(r, "WT-TEMPLATE-001");
    CHECK(f && f->loc.line == 3);
    wt_scan_result_free(r);
}

WT_TEST(renamed_tokenizer_config_is_still_checked_but_other_json_is_not)
{
    const char *bad = "{\"chat_template\": \"{{ cycler.__init__.__globals__.os.popen('true') }}\"}";
    wt_scan_result *r = wt_t_scan_mem("backup/old_tokenizer_config.json", bad, strlen(bad));
    CHECK(wt_t_count(r, "WT-TEMPLATE-001") >= 1);
    wt_scan_result_free(r);
    r = wt_t_scan_mem("export/template_for_chat.json", bad, strlen(bad)); /* key in the first bytes */
    CHECK(wt_t_count(r, "WT-TEMPLATE-001") >= 1);
    wt_scan_result_free(r);
    const char *other = "{\"description\": \"{{ ''.__class__ }} is shown in our docs\"}";
    r = wt_t_scan_mem("docs/examples.json", other, strlen(other));
    CHECK_INT(wt_t_count(r, "WT-TEMPLATE-*"), 0);
    wt_scan_result_free(r);
}

/* ---- Keras layers that open files or URLs while loading ---- */
static wt_scan_result *keras_layer(const char *cls, const char *key, const char *json_value)
{
    char cfg[1024];
    snprintf(cfg, sizeof cfg,
             "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"layers\": ["
             "{\"module\": \"keras.layers\", \"class_name\": \"%s\", \"config\": {\"name\": \"x\", \"%s\": %s}}]}}",
             cls, key, json_value);
    return wt_t_scan_mem("m.keras!config.json", cfg, strlen(cfg));
}

WT_TEST(keras_layer_arguments_naming_files_or_urls_are_high)
{
    wt_scan_result *r = keras_layer("TFSMLayer", "filepath", "\"/tmp/other_savedmodel\"");
    const wt_finding *f = wt_t_find(r, "WT-KERAS-008");
    CHECK(f && f->severity == WT_SEV_HIGH && strstr(f->message, "SavedModel"));
    CHECK_INT(wt_t_count(r, "WT-KERAS-003"), 0); /* TFSMLayer is a Keras built-in */
    wt_scan_result_free(r);
    r = keras_layer("StringLookup", "vocabulary", "\"/etc/passwd\"");
    f = wt_t_find(r, "WT-KERAS-008");
    CHECK(f && f->evidence && strstr(f->evidence, "/etc/passwd"));
    wt_scan_result_free(r);
    r = keras_layer("IntegerLookup", "vocabulary", "\"gs://bucket/vocab.txt\"");
    CHECK_INT(wt_t_count(r, "WT-KERAS-008"), 1);
    wt_scan_result_free(r);
}

WT_TEST(keras_inline_vocabularies_and_unrelated_keys_are_clean)
{
    wt_scan_result *r = keras_layer("StringLookup", "vocabulary", "[\"a\", \"b\"]");
    CHECK(clean(r));
    wt_scan_result_free(r);
    r = keras_layer("StringLookup", "vocabulary", "null");
    CHECK(clean(r));
    wt_scan_result_free(r);
    r = keras_layer("Dense", "vocabulary", "\"/etc/passwd\""); /* not an argument Dense reads */
    CHECK_INT(wt_t_count(r, "WT-KERAS-008"), 0);
    wt_scan_result_free(r);
}

/* ---- skops schema.json ---- */
WT_TEST(skops_schema_references_are_judged_by_the_pickle_policy)
{
    const char *bad = "{\"__class__\": \"FunctionTransformer\", \"__module__\": \"sklearn.preprocessing._function_transformer\","
                      " \"__loader__\": \"ObjectNode\", \"content\": {\"__class__\": \"dict\", \"__module__\": \"builtins\","
                      " \"__loader__\": \"DictNode\", \"content\": {\"func\": {\"__class__\": \"system\", \"__module__\": \"os\","
                      " \"__loader__\": \"FunctionNode\"}}}, \"protocol\": 2}";
    wt_scan_result *r = wt_t_scan_mem("m.skops!schema.json", bad, strlen(bad));
    const wt_finding *f = wt_t_find(r, "WT-SKOPS-001");
    CHECK(f && f->severity == WT_SEV_CRITICAL && f->evidence && strcmp(f->evidence, "os.system") == 0);
    wt_scan_result_free(r);
    /* OperatorFuncNode runs operator.<__class__> whatever __module__ claims */
    const char *op = "{\"__class__\": \"call\", \"__module__\": \"sklearn\", \"__loader__\": \"OperatorFuncNode\","
                     " \"attrs\": {\"__class__\": \"tuple\", \"__module__\": \"builtins\", \"__loader__\": \"TupleNode\","
                     " \"content\": []}}";
    r = wt_t_scan_mem("m.skops!schema.json", op, strlen(op));
    f = wt_t_find(r, "WT-SKOPS-001");
    CHECK(f && f->severity == WT_SEV_CRITICAL && strstr(f->evidence, "operator.call"));
    wt_scan_result_free(r);
}

WT_TEST(skops_schema_of_plain_estimator_is_clean)
{
    const char *ok = "{\"__class__\": \"LogisticRegression\", \"__module__\": \"sklearn.linear_model._logistic\","
                     " \"__loader__\": \"ObjectNode\", \"content\": {\"__class__\": \"dict\", \"__module__\": \"builtins\","
                     " \"__loader__\": \"DictNode\", \"content\": {\"C\": {\"__class__\": \"str\", \"__module__\": \"builtins\","
                     " \"__loader__\": \"JsonNode\", \"content\": \"1.0\"}, \"f\": {\"__class__\": \"sqrt\", \"__module__\":"
                     " \"numpy\", \"__loader__\": \"FunctionNode\"}}}, \"protocol\": 2}";
    wt_scan_result *r = wt_t_scan_mem("m.skops!schema.json", ok, strlen(ok));
    CHECK(clean(r));
    wt_scan_result_free(r);
    /* a schema.json that is not a skops schema is not read as one */
    const char *other = "{\"type\": \"object\", \"properties\": {\"__module__\": {\"type\": \"string\"}}}";
    r = wt_t_scan_mem("api/schema.json", other, strlen(other));
    CHECK_INT(wt_t_count(r, "WT-SKOPS-*"), 0);
    wt_scan_result_free(r);
}

/* ---- Hugging Face remote code references ---- */
WT_TEST(auto_map_into_another_repository_is_high_and_local_code_is_low)
{
    const char *cfg = "{\n  \"architectures\": [\"M\"],\n  \"auto_map\": {\n    \"AutoModel\": \"evil/code--modeling_m.M\",\n"
                      "    \"AutoTokenizer\": [\"tokenization_m.T\", null]\n  }\n}\n";
    wt_scan_result *r = wt_t_scan_mem("repo/config.json", cfg, strlen(cfg));
    const wt_finding *f = wt_t_find(r, "WT-HF-001");
    CHECK(f && f->severity == WT_SEV_HIGH && strstr(f->message, "evil/code") && f->loc.line == 4);
    f = wt_t_find(r, "WT-HF-002");
    CHECK(f && f->severity == WT_SEV_LOW && strstr(f->message, "tokenization_m.T"));
    CHECK_INT(wt_t_count(r, "WT-HF-*"), 2);
    wt_scan_result_free(r);
}

WT_TEST(configs_without_remote_code_are_clean)
{
    const char *cfg = "{\"architectures\": [\"BertModel\"], \"model_type\": \"bert\", \"note\": \"a--b.c\"}";
    wt_scan_result *r = wt_t_scan_mem("repo/config.json", cfg, strlen(cfg));
    CHECK_INT(wt_t_count(r, "WT-HF-*"), 0);
    wt_scan_result_free(r);
    /* an unrelated JSON that merely mentions the key in a string is not parsed as a config */
    const char *other = "{\"text\": \"set auto_map in config\"}";
    r = wt_t_scan_mem("notes.json", other, strlen(other));
    CHECK_INT(wt_t_count(r, "WT-HF-*"), 0);
    wt_scan_result_free(r);
}

/* ---- instantiate-style config targets ---- */
WT_TEST(config_targets_naming_dangerous_callables_are_reported)
{
    const char *yaml = "target: nemo.collections.asr.models.EncDecCTCModel\n"
                       "encoder:\n  _target_: builtins.exec\n  _args_: ['print(1)']\n";
    wt_scan_result *r = wt_t_scan_mem("m.nemo!model_config.yaml", yaml, strlen(yaml));
    const wt_finding *f = wt_t_find(r, "WT-HYDRA-001");
    CHECK(f && f->severity == WT_SEV_CRITICAL && f->loc.line == 3 && strcmp(f->evidence, "builtins.exec") == 0);
    CHECK_INT(wt_t_count(r, "WT-HYDRA-001"), 1);
    wt_scan_result_free(r);
    const char *json = "{\"module\": {\"_target_\": \"subprocess.Popen\", \"args\": \"true\"}}";
    r = wt_t_scan_mem("repo/model_cfg.json", json, strlen(json));
    CHECK(wt_t_count(r, "WT-HYDRA-001") == 1);
    wt_scan_result_free(r);
}

WT_TEST(config_targets_of_model_classes_are_clean)
{
    const char *yaml = "target: nemo.collections.asr.models.EncDecCTCModel\n"
                       "optim:\n  _target_: torch.optim.Adam\n  lr: 0.001\n"
                       "loss:\n  _target_: my_project.losses.Focal\n"
                       "num_cls: os.path\n" /* a key that only ends in cls */
                       "target: 0.5\n";
    wt_scan_result *r = wt_t_scan_mem("m.nemo!model_config.yaml", yaml, strlen(yaml));
    CHECK_INT(wt_t_count(r, "WT-HYDRA-*"), 0);
    wt_scan_result_free(r);
}

WT_TEST(yaml_python_tags_are_reported_at_the_target_severity)
{
    const char *y = "lr: 0.1\ncb: !!python/object/apply:subprocess.check_output [[\"true\"]]\n"
                    "opt: !<tag:yaml.org,2002:python/name:mylib.Opt> ''\n";
    wt_scan_result *r = wt_t_scan_mem("hparams.yaml", y, strlen(y));
    CHECK_INT(wt_t_count(r, "WT-YAML-001"), 2);
    const wt_finding *f = wt_t_find(r, "WT-YAML-001");
    CHECK(f && f->severity == WT_SEV_CRITICAL && f->loc.line == 2);
    wt_scan_result_free(r);
    const char *ok = "name: bert\nnote: 'mentions python/object in plain text'\n";
    r = wt_t_scan_mem("hparams.yaml", ok, strlen(ok));
    CHECK_INT(wt_t_count(r, "WT-YAML-*"), 0);
    wt_scan_result_free(r);
}

WT_TEST(savedmodel_parts_without_their_graph_are_scanned_on_their_own)
{
    char src[1024];
    snprintf(src, sizeof src, "%s/tf/keras_lambda/keras_metadata.pb", fxdir());
    FILE *f = fopen(src, "rb");
    static char buf[65536];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
        fclose(f);
    char dir[512];
    snprintf(dir, sizeof dir, "%s/lonely", wt_t_tmpdir());
    free(wt_t_write(dir, "keras_metadata.pb", buf, n));
    free(wt_t_write(dir, "ckpt/variables/variables.index", "\0\0\0\0", 4));
    wt_scan_result *r = wt_t_scan_path(dir);
    CHECK(wt_t_count(r, "WT-KERAS-001") >= 1);
    CHECK_INT(r->models_found, 2); /* the Keras metadata and the checkpoint */
    CHECK_INT(wt_t_count(r, "WT-SCAN-*"), 0);
    wt_scan_result_free(r);
}

WT_TEST(oversized_and_deeply_nested_structures_are_bounded)
{
    wt_scan_result *r = scan_fx("onnx/deep_subgraphs.onnx");
    CHECK(wt_t_count(r, "WT-SCAN-002") >= 1);
    wt_scan_result_free(r);
    EXPECT("gguf/nested_arrays.gguf", "WT-GGUF-002", 1);
    EXPECT("tflite/huge_vector.tflite", "WT-TFLITE-003", 1);
}

WT_TEST(hdf5_keras_files_and_user_blocks_are_recognised_by_content)
{
    EXPECT("keras/legacy_lambda.keras", "WT-KERAS-001", 1);
    EXPECT("keras/userblock.h5", "WT-KERAS-001", 1);
}

/* protobuf bytes for the big sparse ONNX below */
static size_t pbv(uint8_t *o, uint64_t v)
{
    size_t n = 0;
    do {
        uint8_t c = v & 0x7f;
        v >>= 7;
        o[n++] = v ? c | 0x80 : c;
    } while (v);
    return n;
}

WT_TEST(large_onnx_is_walked_without_reading_tensor_data)
{
    const int ntensors = 100;
    const uint64_t tbytes = 10ull << 20; /* 10 MiB raw_data each, sparse */
    char *p = wt_t_write(wt_t_tmpdir(), "big.onnx", "", 0);
    int fd = open(p, O_WRONLY);
    uint8_t hdr[256];
    size_t h = 0;
    hdr[h++] = 0x08; hdr[h++] = 8; /* ir_version */
    /* graph (7): node + initializers; its length covers everything after */
    uint8_t node[32];
    size_t nl = 0;
    node[nl++] = 0x22; node[nl++] = 4; memcpy(node + nl, "Relu", 4); nl += 4; /* op_type */
    uint64_t per_hdr = 0, graph_len = 2 + nl;
    uint8_t th[64];
    size_t thl = 0;
    th[thl++] = 0x42; th[thl++] = 1; th[thl++] = 'w'; /* name (8) */
    th[thl++] = 0x08; thl += pbv(th + thl, tbytes); /* dims */
    th[thl++] = 0x10; th[thl++] = 2;                /* data_type UINT8 */
    th[thl++] = 0x4a; thl += pbv(th + thl, tbytes); /* raw_data (9) */
    uint64_t tlen = thl + tbytes;
    uint8_t ih[16];
    size_t ihl = 0;
    ih[ihl++] = 0x2a; ihl += pbv(ih + ihl, tlen); /* initializer (5) */
    per_hdr = ihl + thl;
    graph_len += (uint64_t)ntensors * (per_hdr + tbytes);
    hdr[h++] = 0x3a; h += pbv(hdr + h, graph_len);
    hdr[h++] = 0x0a; hdr[h++] = (uint8_t)nl; memcpy(hdr + h, node, nl); h += nl; /* node (1) */
    uint64_t off = 0;
    CHECK(pwrite(fd, hdr, h, (off_t)off) == (ssize_t)h);
    off += h;
    for (int i = 0; i < ntensors; i++) {
        CHECK(pwrite(fd, ih, ihl, (off_t)off) == (ssize_t)ihl);
        CHECK(pwrite(fd, th, thl, (off_t)(off + ihl)) == (ssize_t)thl);
        off += per_hdr + tbytes;
    }
    CHECK(ftruncate(fd, (off_t)off) == 0);
    close(fd);
    wt_scan_result *r = wt_t_scan_path(p);
    if (r->nfindings)
        wt_t_dump(r);
    CHECK_INT(r->nfindings, 0);
    CHECK(r->bytes_total > 1000000000ull);
    CHECK(r->bytes_read < (1u << 20));
    wt_scan_result_free(r);
    free(p);
}

WT_TEST(large_frozen_graph_constants_are_not_read)
{
    const int nconst = 10;
    const uint64_t cbytes = 100ull << 20; /* sparse attr payload of each Const node */
    char *p = wt_t_write(wt_t_tmpdir(), "frozen_big.pb", "", 0);
    int fd = open(p, O_WRONLY);
    uint64_t off = 0;
    for (int i = 0; i < nconst + 1; i++) {
        bool last = i == nconst;
        uint8_t nd[64];
        size_t n = 0;
        char name[16];
        int l = snprintf(name, sizeof name, "c%d", i);
        nd[n++] = 0x0a; nd[n++] = (uint8_t)l; memcpy(nd + n, name, (size_t)l); n += (size_t)l;
        const char *op = last ? "ReadFile" : "Const";
        nd[n++] = 0x12; nd[n++] = (uint8_t)strlen(op); memcpy(nd + n, op, strlen(op)); n += strlen(op);
        uint64_t attr = last ? 0 : cbytes;
        if (!last) {
            nd[n++] = 0x2a;
            n += pbv(nd + n, attr);
        }
        uint8_t outer[16];
        size_t o = 0;
        outer[o++] = 0x0a;
        o += pbv(outer + o, n + attr);
        CHECK(pwrite(fd, outer, o, (off_t)off) == (ssize_t)o);
        CHECK(pwrite(fd, nd, n, (off_t)(off + o)) == (ssize_t)n);
        off += o + n + attr;
    }
    CHECK(ftruncate(fd, (off_t)off) == 0);
    close(fd);
    wt_scan_result *r = wt_t_scan_path(p);
    CHECK_INT(wt_t_count(r, "WT-TF-001"), 1); /* the ReadFile after 1 GB of constants */
    CHECK(r->bytes_read < (1u << 20));
    wt_scan_result_free(r);
    free(p);
}

WT_TEST(ordinary_python_in_a_zip_code_folder_is_not_torchscript)
{
    const char *py = "import os\nos.system('make')\n";
    wt_scan_result *r = wt_t_scan_mem("repo.zip!project/code/train.py", py, strlen(py));
    CHECK_INT(wt_t_count(r, "WT-TORCHSCRIPT-*"), 0);
    wt_scan_result_free(r);
    const char *js = "{\"version\": [1, 2], \"learner_rate\": 0.1}";
    r = wt_t_scan_mem("config.json", js, strlen(js));
    for (size_t i = 0; i < r->ninfos; i++)
        CHECK(!r->infos[i].kind || !strstr(r->infos[i].kind, "xgboost"));
    wt_scan_result_free(r);
}

WT_TEST(keras_tf_op_layers_calling_file_or_python_ops_are_dangerous)
{
    const char *bad = "{\"class_name\": \"Functional\", \"config\": {\"layers\": [{\"class_name\": \"TFOpLambda\", "
                      "\"config\": {\"name\": \"tf.io.write_file\", \"function\": \"io.write_file\"}}]}}";
    wt_scan_result *r = wt_t_scan_mem("model.keras!config.json", bad, strlen(bad));
    const wt_finding *f = wt_t_find(r, "WT-KERAS-004");
    CHECK(f && strstr(f->message, "tensorflow.io.write_file"));
    wt_scan_result_free(r);
    const char *ok = "{\"class_name\": \"Functional\", \"config\": {\"layers\": [{\"class_name\": \"TFOpLambda\", "
                     "\"config\": {\"name\": \"tf.math.add\", \"function\": \"math.add\"}}]}}";
    r = wt_t_scan_mem("model.keras!config.json", ok, strlen(ok));
    CHECK_INT(wt_t_count(r, "WT-KERAS-*"), 0);
    wt_scan_result_free(r);
}
