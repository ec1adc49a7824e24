/*
 * test_realworld_pickle.c - opcode patterns that real libraries write, and the
 * payloads that imitate them: Python 3.11+ enum members (getattr(Enum, 'NAME')),
 * bound methods (getattr(instance, 'method')), numpy's _ufunc_reconstruct, enum
 * `Class.*` rows. Pickles are assembled in C (tests/pickle/pasm.h); nothing is
 * ever unpickled.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "../pickle/pasm.h"
#include "formats/pickle/pickle_policy.h"

static wt_scan_result *scan(pasm *a) { return wt_t_scan_mem("model.bin", a->d, a->n); }

static bool has_evidence(const wt_scan_result *r, const char *rule, const char *needle) {
    for (size_t i = 0; i < r->nfindings; i++) {
        const wt_finding *f = r->findings[i];
        if (strcmp(f->rule_id, rule) == 0 && ((f->evidence && strstr(f->evidence, needle)) || strstr(f->message, needle)))
            return true;
    }
    return false;
}

#define EXPECT_EVIDENCE(r, rule, needle) do { if (!has_evidence(r, rule, needle)) { wt_t_dump(r); \
    wt_test_fail(__FILE__, __LINE__, "no %s finding mentioning \"%s\"", rule, needle); } } while (0)
#define EXPECT_CLEAN(r) do { if (r->nfindings) { wt_t_dump(r); \
    wt_test_fail(__FILE__, __LINE__, "expected no finding"); } } while (0)

/* getattr(module.cls, attr) as Python 3.11+ pickles an enum member, protocol 2:
 * GLOBAL getattr, BINPUT, GLOBAL cls, str, TUPLE2, REDUCE. */
static void enum_member(pasm *a, const char *mod, const char *cls, const char *member, bool first) {
    if (first) {
        pa_global(a, "builtins", "getattr");
        pa_binput(a, 0);
    } else {
        pa_binget(a, 0);
    }
    pa_global(a, mod, cls);
    pa_str(a, member);
    pa_tuple2(a);
    pa_reduce(a);
}

WT_TEST(enum_member_through_getattr_of_allowlisted_enum_is_clean) {
    /* {'evaluation_strategy': IntervalStrategy.STEPS, 'lr_scheduler_type': SchedulerType.LINEAR} */
    pasm a = {0};
    pa_proto(&a, 2);
    pa_op(&a, '}');
    pa_mark(&a);
    pa_str(&a, "evaluation_strategy");
    enum_member(&a, "transformers.trainer_utils", "IntervalStrategy", "STEPS", true);
    pa_str(&a, "lr_scheduler_type");
    enum_member(&a, "transformers.trainer_utils", "SchedulerType", "LINEAR", false);
    pa_op(&a, 'u');
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_CLEAN(r);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(getattr_of_unknown_class_is_judged_as_the_attribute_not_as_getattr) {
    pasm a = {0};
    pa_proto(&a, 2);
    enum_member(&a, "mylab.config", "Mode", "FAST", true);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    CHECK(wt_t_count(r, "WT-PICKLE-001") == 0);
    CHECK(wt_t_max_sev(r) == WT_SEV_MEDIUM);
    EXPECT_EVIDENCE(r, "WT-PICKLE-003", "mylab.config.Mode.FAST");
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(getattr_of_module_global_reaching_os_system_stays_critical) {
    /* getattr(posixpath, 'os') then getattr(<that>, 'system')('true') */
    pasm a = {0};
    pa_proto(&a, 2);
    pa_global(&a, "builtins", "getattr");
    pa_binput(&a, 0);
    pa_binget(&a, 0);
    pa_global(&a, "posixpath", "os");
    pa_str(&a, "system");
    pa_tuple2(&a);
    pa_reduce(&a);
    pa_str(&a, "true");
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "system('true')");
    CHECK(wt_t_max_sev(r) == WT_SEV_CRITICAL);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(getattr_used_as_a_value_besides_resolved_calls_is_still_critical) {
    /* an enum member through getattr, and getattr itself stored in a list */
    pasm a = {0};
    pa_proto(&a, 2);
    pa_op(&a, ']');
    pa_mark(&a);
    enum_member(&a, "transformers.trainer_utils", "IntervalStrategy", "STEPS", true);
    pa_binget(&a, 0);
    pa_op(&a, 'e');
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "builtins.getattr");
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(getattr_with_computed_attribute_is_still_reported) {
    /* getattr(IntervalStrategy, str(...)) : the name is not a literal */
    pasm a = {0};
    pa_proto(&a, 2);
    pa_global(&a, "builtins", "getattr");
    pa_global(&a, "transformers.trainer_utils", "IntervalStrategy");
    pa_call1s(&a, "builtins", "str", "STEPS");
    pa_tuple2(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    CHECK(wt_t_max_sev(r) >= WT_SEV_HIGH);
    CHECK(wt_t_count(r, "WT-PICKLE-001") + wt_t_count(r, "WT-PICKLE-002") >= 1);
    wt_scan_result_free(r);
    pa_free(&a);
}

/* NEWOBJ instance of module.cls (protocol 2: GLOBAL cls, EMPTY_TUPLE, NEWOBJ). */
static void newobj(pasm *a, const char *mod, const char *cls) {
    pa_global(a, mod, cls);
    pa_op(a, ')');
    pa_op(a, 0x81);
}

WT_TEST(bound_method_of_newobj_instance_is_judged_as_class_attribute) {
    /* OneCycleLR state dict (torch < 2.2): getattr(<OneCycleLR instance>, '_annealing_cos') */
    pasm a = {0};
    pa_proto(&a, 2);
    pa_global(&a, "__builtin__", "getattr");
    newobj(&a, "torch.optim.lr_scheduler", "OneCycleLR");
    pa_str(&a, "_annealing_cos");
    pa_tuple2(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_CLEAN(r);
    wt_scan_result_free(r);

    /* a method not on the allowlist is unknown (medium), named after the class */
    a.n = 0;
    pa_proto(&a, 2);
    pa_global(&a, "__builtin__", "getattr");
    newobj(&a, "torch.optim.lr_scheduler", "OneCycleLR");
    pa_str(&a, "step");
    pa_tuple2(&a);
    pa_reduce(&a);
    pa_stop(&a);
    r = scan(&a);
    CHECK(wt_t_max_sev(r) == WT_SEV_MEDIUM);
    EXPECT_EVIDENCE(r, "WT-PICKLE-003", "torch.optim.lr_scheduler.OneCycleLR.step");
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(getattr_on_a_function_result_is_not_resolved) {
    /* getattr(numpy.core.multiarray._reconstruct(...), 'tofile'): an attribute of what a call
     * returned is not an attribute of the function: getattr stays critical */
    pasm a = {0};
    pa_proto(&a, 2);
    pa_global(&a, "builtins", "getattr");
    pa_call1s(&a, "numpy.core.multiarray", "_reconstruct", "x");
    pa_str(&a, "tofile");
    pa_tuple2(&a);
    pa_reduce(&a);
    pa_str(&a, "/tmp/out");
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "builtins.getattr");
    wt_scan_result_free(r);
    pa_free(&a);
}

static void ufunc_reconstruct(pasm *a, const char *mod, const char *name) {
    pa_global(a, "numpy.core", "_ufunc_reconstruct");
    pa_str(a, mod);
    pa_str(a, name);
    pa_tuple2(a);
    pa_reduce(a);
}

WT_TEST(ufunc_reconstruct_of_numpy_ufunc_is_clean) {
    pasm a = {0};
    pa_proto(&a, 2);
    ufunc_reconstruct(&a, "numpy", "log1p");
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_CLEAN(r);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(ufunc_reconstruct_resolving_os_system_is_critical) {
    pasm a = {0};
    pa_proto(&a, 2);
    ufunc_reconstruct(&a, "os", "system");
    pa_str(&a, "true");
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "os.system('true')");
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(ufunc_reconstruct_with_computed_module_is_critical) {
    pasm a = {0};
    pa_proto(&a, 2);
    pa_global(&a, "numpy.core", "_ufunc_reconstruct");
    pa_call1s(&a, "builtins", "str", "os");
    pa_str(&a, "system");
    pa_tuple2(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "_ufunc_reconstruct");
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(enum_class_star_row_allows_one_member_but_no_deeper_walk) {
    pk_verdict v;
    pk_policy_judge("transformers.trainer_utils", "IntervalStrategy.STEPS", &v);
    CHECK(v.level == PK_LVL_ALLOW);
    pk_policy_judge("transformers.trainer_utils", "IntervalStrategy", &v);
    CHECK(v.level == PK_LVL_ALLOW);
    pk_policy_judge("transformers.trainer_utils", "IntervalStrategy.STEPS.join", &v);
    CHECK(v.level == PK_LVL_MEDIUM);
    pk_policy_judge("transformers.trainer_utils", "IntervalStrategy.__class__", &v);
    CHECK(v.level >= PK_LVL_HIGH);
    pk_policy_judge("transformers.trainer_utils", "IntervalStrategyX", &v);
    CHECK(v.level == PK_LVL_MEDIUM);
    /* a name row of one module does not vouch for the same name elsewhere */
    pk_policy_judge("transformers.trainer", "IntervalStrategy.STEPS", &v);
    CHECK(v.level == PK_LVL_MEDIUM);
}

WT_TEST(function_transformer_is_judged_by_the_function_it_wraps) {
    pk_verdict v;
    pk_policy_judge("sklearn.preprocessing._function_transformer", "FunctionTransformer", &v);
    CHECK(v.level == PK_LVL_ALLOW);
    pk_policy_judge("numpy", "log1p", &v);
    CHECK(v.level == PK_LVL_ALLOW);
    pk_policy_judge("numpy", "load", &v);
    CHECK(v.level == PK_LVL_CRITICAL);
    pk_policy_judge("builtins", "eval", &v);
    CHECK(v.level == PK_LVL_CRITICAL);
}

WT_TEST(torchscript_helpers_are_allowed_but_torch_jit_is_not) {
    pk_verdict v;
    pk_policy_judge("torch.jit._pickle", "build_intlist", &v);
    CHECK(v.level == PK_LVL_ALLOW);
    pk_policy_judge("torch.jit._pickle", "something_else", &v);
    CHECK(v.level == PK_LVL_CRITICAL);
    pk_policy_judge("torch.jit", "load", &v);
    CHECK(v.level == PK_LVL_CRITICAL);
    pk_policy_judge("__torch__.torch.nn.modules.linear", "Linear", &v);
    CHECK(v.level == PK_LVL_ALLOW);
}

/* functools.partial as the pickler writes it: partial(fn), then BUILD (fn, args, kw, dict). */
WT_TEST(partial_of_an_allowlisted_function_is_a_clean_value) {
    /* {'norm_layer': partial(torch.nn.modules.normalization.LayerNorm, eps=1)} as a state value */
    pasm a = {0};
    pa_proto(&a, 2);
    pa_op(&a, '}');
    pa_str(&a, "norm_layer");
    pa_global(&a, "functools", "partial");
    pa_global(&a, "torch.nn.modules.normalization", "LayerNorm");
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_mark(&a);
    pa_global(&a, "torch.nn.modules.normalization", "LayerNorm");
    pa_op(&a, ')');
    pa_op(&a, '}');
    pa_str(&a, "eps");
    pa_int(&a, 1);
    pa_op(&a, 's');
    pa_op(&a, 'N');
    pa_op(&a, 't'); /* TUPLE from MARK: (fn, args, kw, None) */
    pa_op(&a, 'b'); /* BUILD */
    pa_op(&a, 's');
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_CLEAN(r);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(partial_of_os_system_is_critical_through_the_function) {
    pasm a = {0};
    pa_proto(&a, 2);
    pa_global(&a, "functools", "partial");
    pa_global(&a, "os", "system");
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "os.system");
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(partial_called_while_loading_is_reported_as_indirection) {
    /* partial(torch.nn.modules.normalization.LayerNorm, 4)() : a call hidden behind partial */
    pasm a = {0};
    pa_proto(&a, 2);
    pa_global(&a, "functools", "partial");
    pa_global(&a, "torch.nn.modules.normalization", "LayerNorm");
    pa_int(&a, 4);
    pa_tuple2(&a);
    pa_reduce(&a);
    pa_op(&a, ')');
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-002", "functools.partial");
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(partial_of_a_computed_callable_is_reported) {
    /* partial(<result of a call>) : what it wraps is unknown */
    pasm a = {0};
    pa_proto(&a, 2);
    pa_global(&a, "functools", "partial");
    pa_call1s(&a, "numpy.core.multiarray", "_reconstruct", "x");
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-002", "functools.partial");
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(fx_graph_module_rebuild_is_critical_quantized_layers_are_allowed) {
    pk_verdict v;
    pk_policy_judge("torch.fx.graph_module", "reduce_graph_module", &v);
    CHECK(v.level == PK_LVL_CRITICAL);
    pk_policy_judge("torch.fx.graph_module", "_forward_from_src", &v);
    CHECK(v.level == PK_LVL_CRITICAL);
    pk_policy_judge("torch.ao.nn.quantized.dynamic.modules.linear", "Linear", &v);
    CHECK(v.level == PK_LVL_ALLOW);
    pk_policy_judge("torch", "qint8", &v);
    CHECK(v.level == PK_LVL_ALLOW);
    pk_policy_judge("torch", "per_tensor_affine", &v);
    CHECK(v.level == PK_LVL_ALLOW);
}

WT_TEST(method_fetched_with_getattr_and_called_while_loading_is_critical) {
    /* getattr(<ndarray made by NEWOBJ>, 'tofile')('/tmp/x'): writes a file at load time */
    pasm a = {0};
    pa_proto(&a, 2);
    pa_global(&a, "__builtin__", "getattr");
    newobj(&a, "numpy", "ndarray");
    pa_str(&a, "tofile");
    pa_tuple2(&a);
    pa_reduce(&a);
    pa_str(&a, "/tmp/x");
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "numpy.ndarray.tofile('/tmp/x')");
    wt_scan_result_free(r);

    /* the same through a class attribute: getattr(numpy.ndarray, 'tofile')(arr, path) */
    a.n = 0;
    pa_proto(&a, 2);
    pa_global(&a, "__builtin__", "getattr");
    pa_global(&a, "numpy", "ndarray");
    pa_str(&a, "tofile");
    pa_tuple2(&a);
    pa_reduce(&a);
    newobj(&a, "numpy", "ndarray");
    pa_str(&a, "/tmp/x");
    pa_tuple2(&a);
    pa_reduce(&a);
    pa_stop(&a);
    r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "tofile");
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(nested_class_through_getattr_can_be_instantiated) {
    /* protocol 2 pickles a nested class as getattr(Outer, 'Inner'); NEWOBJ of it is an
     * instance, judged as the class (allowlisted here: an enum of the trainer module) */
    pasm a = {0};
    pa_proto(&a, 2);
    pa_global(&a, "__builtin__", "getattr");
    pa_global(&a, "transformers.trainer_utils", "IntervalStrategy");
    pa_str(&a, "STEPS");
    pa_tuple2(&a);
    pa_reduce(&a);
    pa_op(&a, ')');
    pa_op(&a, 0x81);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_CLEAN(r);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(allowlisted_classmethod_constructor_through_getattr_is_clean) {
    /* zoneinfo.ZoneInfo pickles as getattr(ZoneInfo, '_unpickle')('Europe/Paris', 1) */
    pasm a = {0};
    pa_proto(&a, 2);
    pa_global(&a, "__builtin__", "getattr");
    pa_global(&a, "zoneinfo", "ZoneInfo");
    pa_str(&a, "_unpickle");
    pa_tuple2(&a);
    pa_reduce(&a);
    pa_str(&a, "Europe/Paris");
    pa_int(&a, 1);
    pa_tuple2(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_CLEAN(r);
    wt_scan_result_free(r);
    pa_free(&a);
}
