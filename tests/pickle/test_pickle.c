/*
 * test_pickle.c - the pickle decoder, symbolic VM and policy, through the
 * public scan API. Pickles are assembled in C (pasm.h); nothing is ever
 * unpickled.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "pasm.h"
#include "formats/pickle/pickle.h"
#include "formats/pickle/pickle_policy.h"
#include "formats/pickle/pickle_vm.h"
#include "core/reader.h"
#include "core/util.h"

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

/* Protocol-4 os.system('true') with FRAME, STACK_GLOBAL and MEMOIZE. */
static void evil_p4(pasm *a, const char *mod, const char *name, const char *arg) {
    pa_proto(a, 4);
    size_t fpos = a->n;
    pa_frame(a, 0);
    size_t body = a->n;
    pa_sglobal(a, mod, name);
    pa_memoize(a);
    pa_str(a, arg);
    pa_memoize(a);
    pa_tuple1(a);
    pa_memoize(a);
    pa_reduce(a);
    pa_memoize(a);
    pa_stop(a);
    uint64_t len = a->n - body;
    for (int i = 0; i < 8; i++) a->d[fpos + 1 + i] = (uint8_t)(len >> (8 * i));
}

static void expect_critical_call(const char *mod, const char *name, const char *evidence) {
    pasm a = {0};
    evil_p4(&a, mod, name, "true");
    wt_scan_result *r = scan(&a);
    if (wt_t_count(r, "WT-PICKLE-001") < 1) {
        wt_t_dump(r);
        wt_test_fail(__FILE__, __LINE__, "%s.%s not reported critical", mod, name);
    }
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", evidence);
    CHECK(wt_t_max_sev(r) == WT_SEV_CRITICAL);
    wt_scan_result_free(r);
    pa_free(&a);
}

/* ---------------- dangerous globals ---------------- */

WT_TEST(protocol0_global_reduce_os_system_is_critical_with_call_evidence) {
    pasm a = {0};
    pa_call1s(&a, "os", "system", "true");
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-001"), 1);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "os.system('true')");
    CHECK_INT(wt_t_count(r, "WT-PICKLE-004"), 0);
    const wt_finding *f = wt_t_find(r, "WT-PICKLE-001");
    CHECK(f && f->loc.has_offset);
    CHECK(f && f->rule_id && wt_rule_find("WT-PICKLE-001") && strcmp(wt_rule_find("WT-PICKLE-001")->cwe, "CWE-502") == 0);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(protocol4_stack_global_posix_system_is_critical) { expect_critical_call("posix", "system", "posix.system('true')"); }
WT_TEST(subprocess_submodule_prefix_is_critical) { expect_critical_call("subprocess", "check_output", "subprocess.check_output"); }
WT_TEST(pip_main_cve_2025_1716_is_critical) { expect_critical_call("pip", "main", "pip.main('true')"); }
WT_TEST(pip_internal_submodule_is_critical) { expect_critical_call("pip._internal.cli.main", "main", "pip._internal"); }
WT_TEST(asyncio_unix_events_submodule_cve_2025_10157_is_critical) {
    expect_critical_call("asyncio.unix_events", "_UnixSubprocessTransport", "asyncio.unix_events");
}
WT_TEST(cprofile_run_is_critical) { expect_critical_call("cProfile", "run", "cProfile.run('true')"); }
WT_TEST(profile_run_is_critical) { expect_critical_call("profile", "run", "profile.run"); }
WT_TEST(pdb_run_is_critical) { expect_critical_call("pdb", "run", "pdb.run"); }
WT_TEST(bdb_is_critical) { expect_critical_call("bdb", "Bdb", "bdb.Bdb"); }
WT_TEST(timeit_timeit_is_critical) { expect_critical_call("timeit", "timeit", "timeit.timeit"); }
WT_TEST(trace_trace_runctx_is_critical) { expect_critical_call("trace", "Trace.runctx", "trace.Trace.runctx"); }
WT_TEST(doctest_debug_script_is_critical) { expect_critical_call("doctest", "debug_script", "doctest.debug_script"); }
WT_TEST(idlelib_pyshell_is_critical) { expect_critical_call("idlelib.pyshell", "ModifiedInterpreter.runcode", "idlelib.pyshell"); }
WT_TEST(code_interactive_interpreter_is_critical) { expect_critical_call("code", "InteractiveInterpreter.runcode", "code.Interactive"); }
WT_TEST(runpy_run_path_is_critical) { expect_critical_call("runpy", "run_path", "runpy.run_path"); }
WT_TEST(builtins_exec_is_critical) { expect_critical_call("builtins", "exec", "builtins.exec('true')"); }
WT_TEST(python2_builtin_eval_is_critical) { expect_critical_call("__builtin__", "eval", "__builtin__.eval"); }
WT_TEST(numpy_testing_runstring_is_critical) { expect_critical_call("numpy.testing._private.utils", "runstring", "runstring"); }
WT_TEST(torch_hub_load_is_critical) { expect_critical_call("torch.hub", "load", "torch.hub.load"); }
WT_TEST(webbrowser_open_is_critical) { expect_critical_call("webbrowser", "open", "webbrowser.open"); }
WT_TEST(socket_is_critical) { expect_critical_call("socket", "create_connection", "socket.create_connection"); }
WT_TEST(requests_get_is_critical) { expect_critical_call("requests.api", "get", "requests.api.get"); }
WT_TEST(http_client_is_critical) { expect_critical_call("http.client", "HTTPSConnection", "http.client"); }
WT_TEST(shutil_rmtree_is_critical) { expect_critical_call("shutil", "rmtree", "shutil.rmtree"); }
WT_TEST(ctypes_cdll_is_critical) { expect_critical_call("ctypes", "CDLL", "ctypes.CDLL"); }
WT_TEST(marshal_loads_is_critical) { expect_critical_call("marshal", "loads", "marshal.loads"); }
WT_TEST(types_codetype_is_critical) { expect_critical_call("types", "CodeType", "types.CodeType"); }
WT_TEST(c_alias_io_fileio_is_critical) { expect_critical_call("_io", "FileIO", "_io.FileIO"); }
WT_TEST(c_alias_posixsubprocess_is_critical) { expect_critical_call("_posixsubprocess", "fork_exec", "_posixsubprocess"); }
WT_TEST(dill_create_function_is_critical) { expect_critical_call("dill._dill", "_create_function", "dill._dill._create_function"); }
WT_TEST(cloudpickle_subimport_is_critical) { expect_critical_call("cloudpickle.cloudpickle", "subimport", "subimport"); }
WT_TEST(multiprocessing_is_critical) { expect_critical_call("multiprocessing.util", "spawnv_passfds", "multiprocessing"); }
WT_TEST(uuid_get_command_stdout_is_critical) { expect_critical_call("uuid", "_get_command_stdout", "uuid._get_command_stdout"); }

WT_TEST(pkgutil_resolve_name_is_critical_and_resolves_target) {
    /* pkgutil.resolve_name('os:system')('true') */
    pasm a = {0};
    pa_proto(&a, 2);
    pa_call1s(&a, "pkgutil", "resolve_name", "os:system");
    pa_str(&a, "true");
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "pkgutil.resolve_name('os:system')");
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "os.system('true')");
    wt_scan_result_free(r);
    pa_free(&a);
}

/* ---------------- indirections ---------------- */

WT_TEST(memo_trick_strings_through_memo_into_stack_global) {
    /* module and name strings are memoized early, fetched back later */
    pasm a = {0};
    pa_proto(&a, 4);
    pa_str(&a, "o");
    pa_binput(&a, 7);
    pa_op(&a, '0');
    pa_str(&a, "os");
    pa_binput(&a, 1);
    pa_op(&a, '0');
    pa_str(&a, "system");
    pa_binput(&a, 2);
    pa_op(&a, '0');
    pa_binget(&a, 1);
    pa_binget(&a, 2);
    pa_op(&a, 0x93);
    pa_binput(&a, 3);
    pa_op(&a, '0');
    pa_binget(&a, 3);
    pa_str(&a, "true");
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "os.system('true')");
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(memo_overwritten_before_stack_global_uses_latest_value) {
    /* memo[1] = "collections" then overwritten by "os": the loader uses os */
    pasm a = {0};
    pa_proto(&a, 4);
    pa_str(&a, "collections");
    pa_binput(&a, 1);
    pa_op(&a, '0');
    pa_str(&a, "os");
    pa_binput(&a, 1);
    pa_op(&a, '0');
    pa_binget(&a, 1);
    pa_str(&a, "system");
    pa_op(&a, 0x93);
    pa_str(&a, "true");
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "os.system('true')");
    CHECK(!has_evidence(r, "WT-PICKLE-003", "collections.system"));
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(dotted_name_pathlib_os_system_is_resolved_component_by_component) {
    expect_critical_call("pathlib", "os.system", "pathlib.os.system('true')");
}

WT_TEST(dotted_name_builtins_eval_call_is_builtins_eval) {
    expect_critical_call("builtins", "eval.__call__", "builtins.eval.__call__");
}

WT_TEST(dunder_attribute_walk_is_at_least_high) {
    pasm a = {0};
    evil_p4(&a, "collections", "OrderedDict.__class__.__base__", "x");
    wt_scan_result *r = scan(&a);
    CHECK(wt_t_max_sev(r) >= WT_SEV_HIGH);
    CHECK(wt_t_count(r, "WT-PICKLE-002") >= 1);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(getattr_of_import_resolves_os_system) {
    /* builtins.getattr(builtins.__import__('os'), 'system')('true') */
    pasm a = {0};
    pa_proto(&a, 2);
    pa_global(&a, "builtins", "getattr");
    pa_call1s(&a, "builtins", "__import__", "os");
    pa_str(&a, "system");
    pa_tuple2(&a);
    pa_reduce(&a);
    pa_str(&a, "true");
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    /* getattr on a resolved module is judged as what it reaches (os.system) */
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "builtins.__import__('os')");
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "os.system('true')");
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(enum_members_pickled_with_getattr_are_not_dangerous) {
    /* CPython >= 3.11 writes every Enum member as builtins.getattr(EnumClass, 'NAME') */
    pasm a = {0};
    pa_proto(&a, 4);
    pa_sglobal(&a, "builtins", "getattr");
    pa_sglobal(&a, "mylib.config", "Mode");
    pa_str(&a, "TRAIN");
    pa_tuple2(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-001"), 0);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-002"), 0);
    CHECK(wt_t_find(r, "WT-PICKLE-003") != NULL); /* the project's enum class: unknown */
    wt_scan_result_free(r);
    pa_free(&a);
    /* the same shape with a dunder is a walk into interpreter internals: at least high */
    pa_proto(&a, 4);
    pa_sglobal(&a, "builtins", "getattr");
    pa_sglobal(&a, "mylib.config", "Mode");
    pa_str(&a, "__init__");
    pa_tuple2(&a);
    pa_reduce(&a);
    pa_stop(&a);
    r = scan(&a);
    CHECK(wt_t_count(r, "WT-PICKLE-001") + wt_t_count(r, "WT-PICKLE-002") >= 1);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(getattr_on_module_global_reports_target_even_if_never_called) {
    /* builtins.getattr(subprocess module via importlib, 'Popen') only */
    pasm a = {0};
    pa_proto(&a, 2);
    pa_global(&a, "builtins", "getattr");
    pa_call1s(&a, "importlib", "import_module", "subprocess");
    pa_str(&a, "Popen");
    pa_tuple2(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "subprocess.Popen");
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(operator_attrgetter_chain_resolves_target) {
    /* _operator.attrgetter('system')(importlib.import_module('os'))('true') */
    pasm a = {0};
    pa_proto(&a, 2);
    pa_call1s(&a, "_operator", "attrgetter", "system");
    pa_call1s(&a, "importlib", "import_module", "os");
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_str(&a, "true");
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-002", "_operator.attrgetter('system')");
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "os.system('true')");
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(operator_methodcaller_resolves_target_call) {
    /* operator.methodcaller('system', 'true')(__import__('os')) */
    pasm a = {0};
    pa_proto(&a, 2);
    pa_global(&a, "operator", "methodcaller");
    pa_str(&a, "system");
    pa_str(&a, "true");
    pa_tuple2(&a);
    pa_reduce(&a);
    pa_call1s(&a, "builtins", "__import__", "os");
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "os.system('true')");
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(functools_partial_hides_call_but_is_resolved) {
    /* functools.partial(os.system, 'true')() */
    pasm a = {0};
    pa_proto(&a, 2);
    pa_global(&a, "functools", "partial");
    pa_global(&a, "os", "system");
    pa_str(&a, "true");
    pa_tuple2(&a);
    pa_reduce(&a);
    pa_op(&a, ')');
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-002", "functools.partial");
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "os.system('true')");
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(sys_modules_getitem_resolves_module) {
    /* operator.getitem(sys.modules, 'os') -> getattr(.., 'system') */
    pasm a = {0};
    pa_proto(&a, 2);
    pa_global(&a, "builtins", "getattr");
    pa_global(&a, "operator", "getitem");
    pa_global(&a, "sys", "modules");
    pa_str(&a, "posix");
    pa_tuple2(&a);
    pa_reduce(&a);
    pa_str(&a, "system");
    pa_tuple2(&a);
    pa_reduce(&a);
    pa_str(&a, "true");
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "posix.system('true')");
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(stack_global_with_computed_name_is_high) {
    /* STACK_GLOBAL of strings produced by a call the VM cannot follow: no
     * literal to check (builtins.str('os') is followed and resolves to os) */
    pasm a = {0};
    pa_proto(&a, 4);
    pa_call1s(&a, "mylib.util", "make_name", "os");
    pa_str(&a, "system");
    pa_op(&a, 0x93);
    pa_str(&a, "true");
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-002", "not a literal");
    wt_scan_result_free(r);
    pa_free(&a);
}

/* ---------------- nested pickles ---------------- */

WT_TEST(nested_pickle_loads_of_embedded_bytes_is_decoded) {
    pasm inner = {0};
    evil_p4(&inner, "os", "system", "echo nested");
    pasm a = {0};
    pa_proto(&a, 4);
    pa_sglobal(&a, "pickle", "loads");
    pa_bytes(&a, inner.d, inner.n);
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-007"), 1);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "os.system('echo nested')");
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "nested pickle passed to pickle.loads");
    wt_scan_result_free(r);
    pa_free(&a);
    pa_free(&inner);
}

WT_TEST(nested_pickle_through_base64_and_bytesio_torch_load) {
    /* torch.load(io.BytesIO(base64.b64decode('<b64 of evil pickle>'))) */
    pasm inner = {0};
    evil_p4(&inner, "subprocess", "call", "true");
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char b64[1024];
    size_t o = 0;
    for (size_t i = 0; i < inner.n; i += 3) {
        uint32_t v = (uint32_t)inner.d[i] << 16 | (i + 1 < inner.n ? inner.d[i + 1] << 8 : 0) | (i + 2 < inner.n ? inner.d[i + 2] : 0);
        b64[o++] = tbl[v >> 18 & 63];
        b64[o++] = tbl[v >> 12 & 63];
        b64[o++] = i + 1 < inner.n ? tbl[v >> 6 & 63] : '=';
        b64[o++] = i + 2 < inner.n ? tbl[v & 63] : '=';
    }
    b64[o] = 0;
    pasm a = {0};
    pa_proto(&a, 2);
    pa_global(&a, "torch", "load");
    pa_global(&a, "io", "BytesIO");
    pa_call1s(&a, "base64", "b64decode", b64);
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "torch.load");
    CHECK_INT(wt_t_count(r, "WT-PICKLE-007"), 1);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "subprocess.call('true')");
    wt_scan_result_free(r);
    pa_free(&a);
    pa_free(&inner);
}

WT_TEST(nested_pickle_protocol2_codecs_encode_latin1) {
    /* dill.loads(_codecs.encode(u'<latin-1 text of the pickle>', 'latin1')) */
    pasm inner = {0};
    evil_p4(&inner, "os", "system", "true");
    /* latin-1 -> UTF-8 as protocol 2 stores it */
    char utf[2048];
    size_t o = 0;
    for (size_t i = 0; i < inner.n; i++) {
        uint8_t c = inner.d[i];
        if (c < 0x80) utf[o++] = (char)c;
        else { utf[o++] = (char)(0xC0 | (c >> 6)); utf[o++] = (char)(0x80 | (c & 0x3F)); }
    }
    utf[o] = 0;
    pasm a = {0};
    pa_proto(&a, 2);
    pa_global(&a, "dill", "loads");
    pa_global(&a, "_codecs", "encode");
    pa_op(&a, 'X');
    pa_u32(&a, (uint32_t)o);
    pa_raw(&a, utf, o);
    pa_str(&a, "latin1");
    pa_tuple2(&a);
    pa_reduce(&a);
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-007"), 1);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "os.system('true')");
    wt_scan_result_free(r);
    pa_free(&a);
    pa_free(&inner);
}

WT_TEST(torch_storage_load_from_bytes_is_critical_and_nested) {
    pasm inner = {0};
    evil_p4(&inner, "os", "system", "true");
    pasm a = {0};
    pa_proto(&a, 2);
    pa_global(&a, "torch.storage", "_load_from_bytes");
    pa_bytes(&a, inner.d, inner.n);
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "torch.storage._load_from_bytes");
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "os.system('true')");
    wt_scan_result_free(r);
    pa_free(&a);
    pa_free(&inner);
}

/* ---------------- INST / OBJ / NEWOBJ / BUILD ---------------- */

WT_TEST(inst_opcode_with_dangerous_class_is_critical) {
    pasm a = {0};
    pa_mark(&a);
    pa_op(&a, 'S'); pa_line(&a, "'true'");
    pa_op(&a, 'i'); pa_line(&a, "os"); pa_line(&a, "system");
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "os.system('true')");
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(obj_opcode_with_dangerous_class_is_critical) {
    pasm a = {0};
    pa_proto(&a, 1);
    pa_mark(&a);
    pa_global(&a, "subprocess", "Popen");
    pa_str(&a, "true");
    pa_op(&a, 'o');
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "subprocess.Popen('true')");
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(newobj_ex_with_dangerous_class_is_critical) {
    pasm a = {0};
    pa_proto(&a, 4);
    pa_sglobal(&a, "subprocess", "Popen");
    pa_str(&a, "true");
    pa_tuple1(&a);
    pa_op(&a, '}');
    pa_str(&a, "shell");
    pa_op(&a, 0x88);
    pa_op(&a, 's');
    pa_op(&a, 0x92);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "subprocess.Popen('true', **{'shell': True})");
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(build_on_imported_global_is_high) {
    /* GLOBAL collections.OrderedDict; BUILD {'x': 1}: patches a class */
    pasm a = {0};
    pa_proto(&a, 2);
    pa_global(&a, "collections", "OrderedDict");
    pa_op(&a, '}');
    pa_str(&a, "__reduce__");
    pa_int(&a, 1);
    pa_op(&a, 's');
    pa_op(&a, 'b');
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-008"), 1);
    wt_scan_result_free(r);
    pa_free(&a);
}

/* ---------------- stream structure ---------------- */

WT_TEST(ext_opcodes_are_reported) {
    int ops[3] = {0x82, 0x83, 0x84};
    for (int i = 0; i < 3; i++) {
        pasm a = {0};
        pa_proto(&a, 2);
        pa_op(&a, (uint8_t)ops[i]);
        if (i == 0) pa_op(&a, 5); else if (i == 1) pa_u16(&a, 300); else pa_u32(&a, 70000);
        pa_op(&a, ')');
        pa_reduce(&a);
        pa_stop(&a);
        wt_scan_result *r = scan(&a);
        CHECK_INT(wt_t_count(r, "WT-PICKLE-006"), 1);
        CHECK_INT(wt_t_count(r, "WT-PICKLE-004"), 0);
        wt_scan_result_free(r);
        pa_free(&a);
    }
}

WT_TEST(frame_straddled_by_opcode_is_divergence) {
    pasm a = {0};
    pa_proto(&a, 4);
    pa_frame(&a, 3); /* covers only part of the next opcode */
    pa_sglobal(&a, "collections", "OrderedDict");
    pa_op(&a, ')');
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-005"), 1);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(frame_inside_unfinished_frame_is_divergence) {
    pasm a = {0};
    pa_proto(&a, 4);
    pa_frame(&a, 25);
    pa_op(&a, 'N');
    pa_frame(&a, 2);
    pa_op(&a, '0');
    pa_op(&a, 'N');
    pa_stop(&a);
    for (int i = 0; i < 20; i++) pa_op(&a, 'N');
    wt_scan_result *r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-005"), 1);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(module_alias_reached_through_allowlisted_module) {
    /* pandas.core.frame is allowlisted; its `np` attribute is numpy */
    expect_critical_call("pandas.core.frame", "np.load", "np.load");
    expect_critical_call("argparse", "_sys.modules.os.system", "_sys.modules");
}

WT_TEST(allowlisted_wildcard_module_does_not_vouch_for_attribute_walks) {
    /* pandas.core.frame is allowlisted for its classes, not for DataFrame.to_csv */
    pasm a = {0};
    evil_p4(&a, "pandas.core.frame", "DataFrame.to_csv", "/tmp/x");
    wt_scan_result *r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-002"), 1);
    wt_scan_result_free(r);
    pa_free(&a);
    evil_p4(&a, "pandas.core.frame", "DataFrame", "x");
    r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-*"), 0);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(method_walk_through_allowlisted_class_is_suspicious) {
    /* an allow row names the class (Path, ndarray), not its file-writing methods:
     * calling one while loading is high (a mere reference stays unknown, medium) */
    pasm a = {0};
    evil_p4(&a, "pathlib", "Path.write_text", "/tmp/x"); /* called while loading */
    wt_scan_result *r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-002"), 1);
    wt_scan_result_free(r);
    pa_free(&a);
    evil_p4(&a, "numpy", "ndarray.tofile", "/tmp/x");
    r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-002"), 1);
    wt_scan_result_free(r);
    pa_free(&a);
    evil_p4(&a, "pathlib", "PurePosixPath", "/tmp/x");
    r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-*"), 0);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(constants_of_allowlisted_classes_are_values_not_method_walks) {
    pasm a = {0};
    evil_p4(&a, "re", "RegexFlag.IGNORECASE", "x"); /* an enum member */
    wt_scan_result *r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-*"), 0);
    wt_scan_result_free(r);
    pa_free(&a);
    evil_p4(&a, "zoneinfo", "ZoneInfo._unpickle", "UTC"); /* a walk the table names itself */
    r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-*"), 0);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(c_twins_and_private_stdlib_modules_follow_their_public_rows) {
    pasm a = {0};
    evil_p4(&a, "_functools", "partial", "x");
    wt_scan_result *r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-002"), 1);
    wt_scan_result_free(r);
    pa_free(&a);
    evil_p4(&a, "_tkinter", "create", "x");
    r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-001"), 1);
    wt_scan_result_free(r);
    pa_free(&a);
    /* a private module of a third-party package stays unknown, not dangerous */
    evil_p4(&a, "_mylib_private", "helper", "x");
    r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-003"), 1);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-001"), 0);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(python2_names_are_judged_as_the_modules_fix_imports_loads) {
    /* protocol 0-2 loaders rewrite thread -> _thread, __builtin__.reduce -> functools.reduce */
    pasm a = {0};
    evil_p4(&a, "thread", "start_new_thread", "x");
    wt_scan_result *r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-001"), 1);
    wt_scan_result_free(r);
    pa_free(&a);
    evil_p4(&a, "__builtin__", "reduce", "x");
    r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-002"), 1);
    wt_scan_result_free(r);
    pa_free(&a);
    evil_p4(&a, "copy_reg", "_reconstructor", "x"); /* maps to an allowlisted name: still clean */
    r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-*"), 0);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(builtins_namespace_reached_from_any_module_is_critical) {
    pasm a = {0};
    evil_p4(&a, "numpy", "__builtins__", "x");
    wt_scan_result *r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-001"), 1);
    wt_scan_result_free(r);
    pa_free(&a);
    evil_p4(&a, "builtins", "print.__init__.__builtins__.__getitem__", "eval");
    r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-001"), 1);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(frame_past_end_still_decodes_payload) {
    /* pickle.py's _Unframer runs a short trailing frame; the C unpickler refuses it */
    pasm a = {0};
    pa_proto(&a, 4);
    pa_frame(&a, 4096);
    pa_sglobal(&a, "os", "system");
    pa_str(&a, "true");
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-001"), 1);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-005"), 1);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(getattribute_bound_method_resolves_attribute) {
    /* builtins.__getattribute__('eval')('print(1)') */
    pasm a = {0};
    pa_proto(&a, 4);
    pa_sglobal(&a, "builtins", "__getattribute__");
    pa_str(&a, "eval");
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_str(&a, "print(1)");
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "builtins.eval");
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(consistent_frames_are_not_reported) {
    pasm a = {0};
    evil_p4(&a, "collections", "OrderedDict", "x");
    wt_scan_result *r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-005"), 0);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-*"), 0);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(payload_before_corrupt_opcode_reported_at_full_severity_plus_malformed) {
    pasm a = {0};
    pa_proto(&a, 2);
    pa_call1s(&a, "os", "system", "true");
    pa_op(&a, 0xff); /* invalid opcode */
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-001"), 1);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-004"), 1);
    CHECK(wt_t_max_sev(r) == WT_SEV_CRITICAL);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(truncated_stream_without_stop_is_malformed) {
    pasm a = {0};
    pa_proto(&a, 2);
    pa_call1s(&a, "os", "system", "true");
    pa_op(&a, 'X');
    pa_u32(&a, 1000); /* string runs past the end */
    pa_raw(&a, "abc", 3);
    wt_scan_result *r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-001"), 1);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-004"), 1);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(stack_underflow_is_malformed) {
    pasm a = {0};
    pa_proto(&a, 2);
    pa_op(&a, 'N');
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-004"), 1);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(pop_across_mark_fence_is_underflow_like_the_c_unpickler) {
    /* N ( REDUCE: the callable sits below the mark */
    pasm a = {0};
    pa_proto(&a, 2);
    pa_op(&a, 'N');
    pa_op(&a, 'N');
    pa_mark(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-004"), 1);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(missing_memo_key_is_malformed) {
    pasm a = {0};
    pa_proto(&a, 2);
    pa_binget(&a, 9);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-004"), 1);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(concatenated_pickles_are_all_decoded) {
    pasm a = {0};
    pa_proto(&a, 2); pa_int(&a, 119547037); pa_stop(&a); /* torch legacy magic */
    pa_proto(&a, 2); pa_op(&a, '}'); pa_stop(&a);
    evil_p4(&a, "os", "system", "second");
    pa_raw(&a, "\x10\x00\x00\x00\x00\x00\x00\x00raw tensor bytes", 24);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "os.system('second')");
    CHECK_INT(wt_t_count(r, "WT-PICKLE-004"), 0);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(concatenated_stream_that_breaks_after_payload_is_malformed) {
    pasm a = {0};
    pa_proto(&a, 2); pa_op(&a, 'N'); pa_stop(&a);
    pa_proto(&a, 2);
    pa_call1s(&a, "os", "system", "true");
    wt_scan_result *r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-001"), 1);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-004"), 1);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(api_scan_one_reports_consumed_bytes) {
    pasm a = {0};
    pa_proto(&a, 2); pa_op(&a, 'N'); pa_stop(&a);
    size_t first = a.n;
    pa_proto(&a, 2); pa_op(&a, ']'); pa_stop(&a);
    wt_reader *r = wt_reader_new_mem(a.d, a.n, false);
    uint64_t used = 0;
    CHECK_INT(wt_pickle_scan_one(NULL, r, 0, &used), WT_OK);
    CHECK_INT(used, first);
    CHECK_INT(wt_pickle_scan(NULL, r, 0, &used), WT_OK);
    CHECK_INT(used, a.n);
    wt_reader_unref(r);
    pa_free(&a);
}

/* ---------------- unknown and benign ---------------- */

WT_TEST(unknown_global_is_medium) {
    pasm a = {0};
    pa_proto(&a, 2);
    pa_global(&a, "mypackage.models", "CustomNet");
    pa_op(&a, ')');
    pa_op(&a, 0x81);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-003"), 1);
    CHECK(wt_t_max_sev(r) == WT_SEV_MEDIUM);
    EXPECT_EVIDENCE(r, "WT-PICKLE-003", "mypackage.models.CustomNet");
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(os_path_join_is_low_but_posixpath_os_system_is_critical) {
    pasm a = {0};
    evil_p4(&a, "os.path", "join", "a");
    wt_scan_result *r = scan(&a);
    CHECK(wt_t_max_sev(r) <= WT_SEV_LOW);
    wt_scan_result_free(r);
    pa_free(&a);
    expect_critical_call("posixpath", "os.system", "posixpath.os.system");
}

/* A torch state_dict as torch.save writes it (protocol 2, persistent ids). */
static void torch_state_dict(pasm *a, int ntensors) {
    pa_proto(a, 2);
    pa_global(a, "collections", "OrderedDict");
    pa_binput(a, 0);
    pa_op(a, ')');
    pa_reduce(a);
    pa_binput(a, 1);
    for (int t = 0; t < ntensors; t++) {
        char key[32];
        snprintf(key, sizeof key, "layer%d.weight", t);
        pa_binunicode(a, key);
        if (t == 0) pa_global(a, "torch._utils", "_rebuild_tensor_v2"), pa_binput(a, 2);
        else pa_binget(a, 2);
        pa_mark(a);
        /* persistent id ('storage', torch.FloatStorage, '0', 'cpu', 4) */
        pa_mark(a);
        pa_binunicode(a, "storage");
        if (t == 0) pa_global(a, "torch", "FloatStorage"), pa_binput(a, 3);
        else pa_binget(a, 3);
        char sk[16];
        snprintf(sk, sizeof sk, "%d", t);
        pa_binunicode(a, sk);
        pa_binunicode(a, "cpu");
        pa_int(a, 4);
        pa_op(a, 't');
        pa_op(a, 'Q');
        pa_int(a, 0);
        pa_int(a, 2); pa_int(a, 2); pa_op(a, 0x86);
        pa_int(a, 2); pa_int(a, 1); pa_op(a, 0x86);
        pa_op(a, 0x89);
        pa_global(a, "collections", "OrderedDict");
        pa_op(a, ')');
        pa_reduce(a);
        pa_op(a, 't');
        pa_reduce(a);
        pa_op(a, 's');
    }
    pa_stop(a);
}

WT_TEST(benign_torch_state_dict_has_no_findings) {
    pasm a = {0};
    torch_state_dict(&a, 50);
    wt_scan_result *r = scan(&a);
    if (r->nfindings) wt_t_dump(r);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-*"), 0);
    CHECK(wt_t_max_sev(r) <= WT_SEV_LOW);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(benign_sklearn_estimator_shape_has_no_findings) {
    /* copyreg._reconstructor(sklearn.linear_model._logistic.LogisticRegression,
     * object, None) + BUILD state with numpy arrays */
    pasm a = {0};
    pa_proto(&a, 2);
    pa_global(&a, "sklearn.linear_model._logistic", "LogisticRegression");
    pa_op(&a, ')');
    pa_op(&a, 0x81);
    pa_op(&a, '}');
    pa_mark(&a);
    pa_str(&a, "C"); pa_op(&a, 'G'); pa_raw(&a, "\x3f\xf0\0\0\0\0\0\0", 8);
    pa_str(&a, "coef_");
    pa_global(&a, "numpy.core.multiarray", "_reconstruct");
    pa_global(&a, "numpy", "ndarray");
    pa_int(&a, 0); pa_tuple1(&a);
    pa_bytes(&a, "b", 1);
    pa_op(&a, 0x87);
    pa_reduce(&a);
    pa_mark(&a);
    pa_int(&a, 1);
    pa_int(&a, 3); pa_tuple1(&a);
    pa_global(&a, "numpy", "dtype");
    pa_str(&a, "f8"); pa_op(&a, 0x89); pa_op(&a, 0x88); pa_op(&a, 0x87);
    pa_reduce(&a);
    pa_op(&a, 0x89);
    pa_bytes(&a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 24);
    pa_op(&a, 't');
    pa_op(&a, 'b');
    pa_str(&a, "_sklearn_version"); pa_str(&a, "1.4.2");
    pa_op(&a, 'u');
    pa_op(&a, 'b');
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    if (r->nfindings) wt_t_dump(r);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-*"), 0);
    wt_scan_result_free(r);
    pa_free(&a);
}

/* Every opcode of protocols 0-5 in one benign stream. */
static void all_opcodes(pasm *a) {
    pa_proto(a, 5);
    pa_frame(a, 0); /* empty frame */
    pa_op(a, ']'); pa_binput(a, 0);
    pa_mark(a);
    pa_op(a, 'N'); pa_op(a, 0x88); pa_op(a, 0x89);
    pa_op(a, 'I'); pa_line(a, "42");
    pa_op(a, 'I'); pa_line(a, "01");
    pa_op(a, 'L'); pa_line(a, "123456789012345678901234567890L");
    pa_op(a, 'F'); pa_line(a, "2.5");
    pa_op(a, 'G'); pa_raw(a, "\x40\x04\0\0\0\0\0\0", 8);
    pa_op(a, 'J'); pa_u32(a, 0xfffffffe);
    pa_op(a, 'K'); pa_op(a, 7);
    pa_op(a, 'M'); pa_u16(a, 65000);
    pa_op(a, 0x8a); pa_op(a, 2); pa_raw(a, "\xff\x7f", 2);
    pa_op(a, 0x8b); pa_u32(a, 9); pa_raw(a, "123456789", 9);
    pa_op(a, 'S'); pa_line(a, "'it\\'s \\x41'");
    pa_op(a, 'V'); pa_line(a, "caf\\u00e9");
    pa_op(a, 'T'); pa_u32(a, 3); pa_raw(a, "abc", 3);
    pa_op(a, 'U'); pa_op(a, 2); pa_raw(a, "hi", 2);
    pa_op(a, 'X'); pa_u32(a, 2); pa_raw(a, "yo", 2);
    pa_op(a, 0x8c); pa_op(a, 1); pa_raw(a, "z", 1);
    pa_op(a, 0x8d); pa_u64(a, 3); pa_raw(a, "big", 3);
    pa_op(a, 'B'); pa_u32(a, 1); pa_raw(a, "\0", 1);
    pa_op(a, 'C'); pa_op(a, 1); pa_raw(a, "\1", 1);
    pa_op(a, 0x8e); pa_u64(a, 2); pa_raw(a, "\2\3", 2);
    pa_op(a, 0x96); pa_u64(a, 2); pa_raw(a, "\4\5", 2);
    pa_op(a, 0x97); pa_op(a, 0x98);
    pa_op(a, 'e');                          /* APPENDS */
    pa_op(a, 'N'); pa_op(a, 'a');           /* APPEND */
    pa_op(a, 'p'); pa_line(a, "10");        /* PUT */
    pa_op(a, 'g'); pa_line(a, "10");        /* GET */
    pa_op(a, 'r'); pa_u32(a, 11);           /* LONG_BINPUT */
    pa_op(a, 'j'); pa_u32(a, 11);           /* LONG_BINGET */
    pa_op(a, '2');                          /* DUP */
    pa_op(a, '0'); pa_op(a, '0');           /* POP */
    pa_mark(a); pa_op(a, 'N'); pa_op(a, '1'); /* POP_MARK */
    pa_op(a, '}'); pa_memoize(a);
    pa_mark(a); pa_str(a, "k"); pa_op(a, 'N'); pa_op(a, 'u'); /* SETITEMS */
    pa_str(a, "k2"); pa_op(a, 'N'); pa_op(a, 's');             /* SETITEM */
    pa_op(a, '0');
    pa_mark(a); pa_str(a, "a"); pa_int(a, 1); pa_op(a, 'd'); pa_op(a, '0'); /* DICT */
    pa_mark(a); pa_int(a, 1); pa_op(a, 'l'); pa_op(a, '0');                 /* LIST */
    pa_mark(a); pa_int(a, 1); pa_op(a, 't'); pa_op(a, '0');                 /* TUPLE */
    pa_op(a, ')'); pa_op(a, '0');
    pa_int(a, 1); pa_op(a, 0x85); pa_op(a, '0');
    pa_int(a, 1); pa_int(a, 2); pa_op(a, 0x86); pa_op(a, '0');
    pa_int(a, 1); pa_int(a, 2); pa_int(a, 3); pa_op(a, 0x87); pa_op(a, '0');
    pa_op(a, 0x8f); pa_mark(a); pa_int(a, 1); pa_op(a, 0x90); pa_op(a, '0'); /* EMPTY_SET, ADDITEMS */
    pa_mark(a); pa_int(a, 1); pa_op(a, 0x91); pa_op(a, '0');                /* FROZENSET */
    pa_global(a, "collections", "OrderedDict"); pa_op(a, ')'); pa_reduce(a); pa_op(a, '0'); /* GLOBAL, REDUCE */
    pa_mark(a); pa_op(a, 'i'); pa_line(a, "collections"); pa_line(a, "OrderedDict"); pa_op(a, '0'); /* INST */
    pa_mark(a); pa_global(a, "collections", "OrderedDict"); pa_op(a, 'o'); pa_op(a, '0');          /* OBJ */
    pa_sglobal(a, "collections", "OrderedDict"); pa_op(a, ')'); pa_op(a, 0x81);                   /* NEWOBJ */
    pa_op(a, '}'); pa_op(a, 'b'); pa_op(a, '0');                                                   /* BUILD */
    pa_sglobal(a, "collections", "OrderedDict"); pa_op(a, ')'); pa_op(a, '}'); pa_op(a, 0x92); pa_op(a, '0'); /* NEWOBJ_EX */
    pa_op(a, 'P'); pa_line(a, "pid0"); pa_op(a, '0');                                              /* PERSID */
    pa_str(a, "pid1"); pa_op(a, 'Q'); pa_op(a, '0');                                               /* BINPERSID */
    pa_proto(a, 5);
    pa_stop(a);
}

WT_TEST(every_opcode_decodes_cleanly_without_findings) {
    pasm a = {0};
    all_opcodes(&a);
    wt_scan_result *r = scan(&a);
    if (r->nfindings) wt_t_dump(r);
    CHECK_INT(r->nfindings, 0);
    wt_scan_result_free(r);
    /* and the VM reaches STOP */
    wt_reader *rd = wt_reader_new_mem(a.d, a.n, false);
    pk_run run;
    memset(&run, 0, sizeof run);
    run.r = rd;
    run.end = a.n;
    pk_vm_run(&run);
    CHECK_INT(run.result, PK_END_STOP);
    CHECK_INT(run.pos, a.n);
    CHECK_INT(run.max_proto, 5);
    if (run.result != PK_END_STOP) fprintf(stderr, "      vm: %s\n", run.err);
    wt_reader_unref(rd);
    pa_free(&a);
}

WT_TEST(long_benign_pickle_with_cycles_has_no_findings) {
    pasm a = {0};
    pa_proto(&a, 4);
    pa_op(&a, ']'); pa_memoize(&a);
    pa_binget(&a, 0); pa_op(&a, 'a');        /* list contains itself */
    for (int b = 0; b < 200; b++) {
        pa_mark(&a);
        for (int i = 0; i < 1000; i++) {
            if (i % 3 == 0) pa_int(&a, i * 1000 + b);
            else if (i % 3 == 1) pa_str(&a, "token");
            else pa_bytes(&a, "\1\2\3\4", 4);
        }
        pa_op(&a, 'e');
    }
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    CHECK_INT(r->nfindings, 0);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(deeply_nested_containers_via_memo_do_not_crash) {
    pasm a = {0};
    pa_proto(&a, 2);
    pa_op(&a, ']'); pa_binput(&a, 0);
    for (int i = 0; i < 200000; i++) {
        pa_op(&a, ']'); pa_binget(&a, 0); pa_op(&a, 'a'); pa_binput(&a, 0); pa_op(&a, '0');
    }
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-*"), 0);
    wt_scan_result_free(r);
    pa_free(&a);
}

/* ---------------- bounds ---------------- */

WT_TEST(stack_and_memo_bounds_degrade_instead_of_stopping) {
    pasm a = {0};
    pa_proto(&a, 4);
    pa_mark(&a);
    for (int i = 0; i < 5000; i++) { pa_op(&a, 'N'); pa_memoize(&a); }
    pa_op(&a, 'j'); pa_u32(&a, 3); /* evicted by then: an unknown value */
    pa_op(&a, 't');                /* a 5001-item tuple over the elided stack */
    pa_op(&a, ']'); pa_op(&a, 'N'); pa_op(&a, 'a');
    pa_op(&a, 0x86);
    pa_stop(&a);
    wt_reader *rd = wt_reader_new_mem(a.d, a.n, false);
    pk_run run;
    memset(&run, 0, sizeof run);
    run.r = rd;
    run.end = a.n;
    pk_bounds_default(&run.bounds);
    run.bounds.max_memo = 100;
    run.bounds.max_stack = 100;
    pk_vm_run(&run);
    if (run.result != PK_END_STOP) fprintf(stderr, "      vm: %s\n", run.err);
    CHECK_INT(run.result, PK_END_STOP);
    /* popping below the elided part still underflows at the real bottom */
    pasm b = {0};
    pa_proto(&b, 4);
    for (int i = 0; i < 300; i++) pa_op(&b, 'N');
    for (int i = 0; i < 301; i++) pa_op(&b, '0');
    pa_stop(&b);
    wt_reader *rb = wt_reader_new_mem(b.d, b.n, false);
    memset(&run, 0, sizeof run);
    run.r = rb;
    run.end = b.n;
    pk_bounds_default(&run.bounds);
    run.bounds.max_stack = 100;
    pk_vm_run(&run);
    CHECK_INT(run.result, PK_END_MALFORMED);
    wt_reader_unref(rd);
    wt_reader_unref(rb);
    pa_free(&a);
    pa_free(&b);
}

WT_TEST(payload_behind_a_stack_filling_prefix_is_still_found) {
    pasm a = {0};
    pa_proto(&a, 4);
    pa_mark(&a);
    for (int i = 0; i < 300000; i++) pa_op(&a, 'N');
    pa_sglobal(&a, "os", "system");
    pa_str(&a, "true");
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_op(&a, 't');
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "os.system('true')");
    CHECK_INT(wt_t_count(r, "WT-SCAN-*"), 0);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-004"), 0);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(payload_behind_a_memo_filling_prefix_is_still_found) {
    /* more memo entries than the memo window: decoding goes on, module
     * strings already used by STACK_GLOBAL stay resolvable, other evicted
     * strings make a computed (high) global */
    pasm a = {0};
    pa_proto(&a, 4);
    pa_str(&a, "os"); pa_memoize(&a);          /* key 0 */
    pa_str(&a, "getcwd"); pa_memoize(&a);      /* key 1 */
    pa_op(&a, 0x93); pa_memoize(&a);           /* key 2 */
    pa_op(&a, '0');
    pa_str(&a, "posix"); pa_memoize(&a);       /* key 3, never used as a name */
    pa_op(&a, '0');
    for (int i = 0; i < 1100000; i++) { pa_op(&a, 'N'); pa_memoize(&a); pa_op(&a, '0'); }
    pa_op(&a, 'j'); pa_u32(&a, 0);
    pa_str(&a, "system");
    pa_op(&a, 0x93);
    pa_str(&a, "true");
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_op(&a, '0');
    pa_op(&a, 'j'); pa_u32(&a, 3);
    pa_str(&a, "system");
    pa_op(&a, 0x93);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "os.system('true')");
    EXPECT_EVIDENCE(r, "WT-PICKLE-002", "not a literal");
    CHECK_INT(wt_t_count(r, "WT-PICKLE-004"), 0);
    CHECK_INT(wt_t_count(r, "WT-SCAN-*"), 0);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(padding_past_structural_bounds_does_not_hide_payload) {
    /* CPython has no mark/stack/memo limits: 1.1M MARKs (or 1.1M pushes, then pops that
     * pop them again) must not end the scan before the payload */
    for (int kind = 0; kind < 3; kind++) {
        pasm a = {0};
        pa_proto(&a, 4);
        if (kind == 0)
            for (int i = 0; i < 1100000; i++) pa_op(&a, '(');
        else if (kind == 1)
            for (int i = 0; i < 1100000; i++) pa_op(&a, 'N');
        else {
            for (int i = 0; i < 1100000; i++) { pa_op(&a, 'N'); pa_memoize(&a); }
            pa_op(&a, 'h'); pa_op(&a, 3); /* memo key dropped with the state */
        }
        for (int i = 0; kind == 1 && i < 1100000; i++) pa_op(&a, '0');
        pa_sglobal(&a, "os", "system");
        pa_str(&a, "true");
        pa_tuple1(&a);
        pa_reduce(&a);
        pa_stop(&a);
        wt_scan_result *r = wt_t_scan_mem("pad.pkl", a.d, a.n);
        CHECK_INT(wt_t_count(r, "WT-PICKLE-001"), 1);
        CHECK(wt_t_count(r, "WT-SCAN-002") <= 1);
        wt_scan_result_free(r);
        pa_free(&a);
    }
}

WT_TEST(redecoding_one_blob_in_a_loop_is_bounded) {
    /* memo GET + base64.b64decode 200 times over a 1 MiB blob: 200 MiB of work from a
     * 1 MiB file; the decode budget stops following the blob, the payload is still seen */
    pasm a = {0};
    pa_proto(&a, 4);
    pa_sglobal(&a, "base64", "b64decode");
    pa_memoize(&a); /* memo 0 */
    pa_op(&a, 0x8e);
    pa_u64(&a, 1u << 20);
    for (size_t i = 0; i < (1u << 20); i++) pa_op(&a, 'A');
    pa_memoize(&a); /* memo 1 */
    pa_op(&a, '0');
    pa_op(&a, '0');
    for (int i = 0; i < 200; i++) {
        pa_op(&a, 'h'); pa_op(&a, 0);
        pa_op(&a, 'h'); pa_op(&a, 1);
        pa_tuple1(&a);
        pa_reduce(&a);
        pa_op(&a, '0');
    }
    pa_sglobal(&a, "os", "system");
    pa_str(&a, "true");
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = wt_t_scan_mem("loop.pkl", a.d, a.n);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-001"), 1);
    CHECK_INT(wt_t_count(r, "WT-SCAN-002"), 1);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(opcode_budget_is_a_scan_limit_finding) {
    pasm a = {0};
    pa_proto(&a, 4);
    for (int i = 0; i < 1000; i++) { pa_op(&a, 'N'); pa_op(&a, '0'); }
    pa_stop(&a);
    wt_scan_options o;
    wt_scan_options_default(&o);
    o.jobs = 1;
    o.limits.max_pickle_ops = 100;
    wt_scan_result *r = NULL;
    char *err = NULL;
    CHECK_INT(wt_scan_memory("x.pkl", a.d, a.n, &o, &r, &err), WT_OK);
    CHECK(r && wt_t_count(r, "WT-SCAN-002") == 1);
    wt_scan_result_free(r);
    pa_free(&a);
}

/* ---------------- probe ---------------- */

WT_TEST(probe_claims_pickles_of_every_protocol) {
    pasm a = {0};
    evil_p4(&a, "collections", "OrderedDict", "x");
    CHECK(wt_pickle_probe("x", a.d, a.n, a.n) >= 90);
    pa_free(&a);
    pa_call1s(&a, "collections", "OrderedDict", "x");
    pa_stop(&a);
    CHECK(wt_pickle_probe("x", a.d, a.n, a.n) > 0);
    pa_free(&a);
    pa_op(&a, '}'); pa_stop(&a); /* protocol 1: empty dict */
    CHECK(wt_pickle_probe("x", a.d, a.n, a.n) > 0);
    pa_free(&a);
}

WT_TEST(probe_claims_protocol_4_opcodes_without_proto_header) {
    /* PROTO is optional: pickle.loads runs SHORT_BINUNICODE.. STACK_GLOBAL as is */
    pasm a = {0};
    pa_sglobal(&a, "os", "system");
    pa_str(&a, "true");
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_stop(&a);
    CHECK(a.d[0] == 0x8c);
    CHECK(wt_pickle_probe("x", a.d, a.n, a.n) > 0);
    wt_scan_result *r = wt_t_scan_mem("photo.jpg", a.d, a.n);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-001"), 1);
    wt_scan_result_free(r);
    pa_free(&a);
    const char *texts[] = {"Copyright (c) 2024 The Authors\nAll rights reserved.\n", "BSD 3-Clause License\n",
                           "CHANGELOG\n=========\n"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        CHECK_INT(wt_pickle_probe("x.txt", (const uint8_t *)texts[i], strlen(texts[i]), strlen(texts[i])), 0);
}

WT_TEST(probe_does_not_claim_ordinary_text) {
    const char *texts[] = {
        "(hello world)\n", "I am a text file\n", "cmake_minimum_required(VERSION 3.20)\n",
        "{\"a\": 1}\n", "]]]\n", "N/A\n", "Some notes.\n", "(1, 2, 3)\n", "c\n", "S'x'\n",
        "import os\nos.system('ls')\n", "# README\n\nText.\n", "}\n",
        "Git v2.31.7 Release Notes\n==========\n", "cryptography-38.0.4.dist-info/METADATA,sha256=x\nfoo\n(t.",
        "PK\x03\x04\n\x14(t.", "Notes.\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        int s = wt_pickle_probe("x.txt", (const uint8_t *)texts[i], strlen(texts[i]), strlen(texts[i]));
        if (s) wt_test_fail(__FILE__, __LINE__, "probe claimed text %zu: %s", i, texts[i]);
    }
}

WT_TEST(pickles_are_found_by_content_whatever_their_name_cve_2025_1889_10155) {
    const char *names[] = {"photo.jpg", "model.bin", "weights", "notes.txt", "config.json", "x.pt", "data.npy"};
    for (int proto = 0; proto <= 4; proto += 2) {
        pasm a = {0};
        if (proto) pa_proto(&a, proto);
        pa_call1s(&a, "os", "system", "true");
        pa_stop(&a);
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            wt_scan_result *r = wt_t_scan_mem(names[i], a.d, a.n);
            if (wt_t_count(r, "WT-PICKLE-001") != 1) {
                wt_t_dump(r);
                wt_test_fail(__FILE__, __LINE__, "protocol %d pickle named %s not reported", proto, names[i]);
            }
            wt_scan_result_free(r);
        }
        pa_free(&a);
    }
}

/* ---------------- policy ---------------- */

WT_TEST(policy_table_loads_and_matches_by_prefix) {
    CHECK(pk_policy_error() == NULL);
    CHECK(pk_policy_rows() > 100);
    pk_verdict v;
    pk_policy_judge("asyncio.unix_events", "_UnixSubprocessTransport", &v);
    CHECK_INT(v.level, PK_LVL_CRITICAL);
    pk_policy_judge("torch._utils", "_rebuild_tensor_v2", &v);
    CHECK_INT(v.level, PK_LVL_ALLOW);
    pk_policy_judge("torch.storage", "_load_from_bytes", &v);
    CHECK_INT(v.level, PK_LVL_CRITICAL);
    pk_policy_judge("torch", "FloatStorage", &v);
    CHECK_INT(v.level, PK_LVL_ALLOW);
    pk_policy_judge("torch", "load", &v);
    CHECK_INT(v.level, PK_LVL_CRITICAL);
    pk_policy_judge("builtins", "set", &v);
    CHECK_INT(v.level, PK_LVL_ALLOW);
    pk_policy_judge("builtins", "getattr", &v);
    CHECK_INT(v.level, PK_LVL_CRITICAL);
    pk_policy_judge("_operator", "attrgetter", &v);
    CHECK_INT(v.level, PK_LVL_HIGH);
    pk_policy_judge("numpy._core.multiarray", "_reconstruct", &v);
    CHECK_INT(v.level, PK_LVL_ALLOW);
    pk_policy_judge("sklearn.ensemble._forest", "RandomForestClassifier", &v);
    CHECK_INT(v.level, PK_LVL_ALLOW);
    pk_policy_judge("xgboost.sklearn", "XGBClassifier", &v);
    CHECK_INT(v.level, PK_LVL_ALLOW);
    pk_policy_judge("os.path", "join", &v);
    CHECK(v.level <= PK_LVL_LOW);
    pk_policy_judge("os", "system", &v);
    CHECK_INT(v.level, PK_LVL_CRITICAL);
    pk_policy_judge("ossify", "x", &v); /* prefix only at component boundary */
    CHECK_INT(v.level, PK_LVL_MEDIUM);
    CHECK(!v.known);
    pk_policy_judge("os\nx", "system", &v);
    CHECK(v.level >= PK_LVL_HIGH);
    pk_policy_judge("somepkg", "__secret_helper", &v);
    CHECK_INT(v.level, PK_LVL_HIGH);
    pk_policy_judge("somepkg._ext", "__pyx_unpickle_Thing", &v);
    CHECK_INT(v.level, PK_LVL_MEDIUM);
    pk_policy_judge("numpy.random._pickle", "__randomstate_ctor", &v);
    CHECK_INT(v.level, PK_LVL_ALLOW);
}

/* ---------------- joblib inline arrays ---------------- */

/* joblib NumpyArrayWrapper + BUILD, followed by `n` raw array bytes. */
static void joblib_wrapper_dt(pasm *a, const char *dtype, const void *raw, size_t n, bool align) {
    pa_global(a, "joblib.numpy_pickle", "NumpyArrayWrapper");
    pa_op(a, ')');
    pa_op(a, 0x81);
    pa_op(a, '}');
    pa_mark(a);
    pa_str(a, "subclass"); pa_global(a, "numpy", "ndarray");
    pa_str(a, "shape"); pa_int(a, (int32_t)n); pa_tuple1(a);
    pa_str(a, "order"); pa_str(a, "C");
    pa_str(a, "dtype"); pa_global(a, "numpy", "dtype"); pa_str(a, dtype); pa_op(a, 0x89); pa_op(a, 0x88); pa_op(a, 0x87); pa_reduce(a);
    pa_str(a, "allow_mmap"); pa_op(a, 0x89);
    pa_str(a, "numpy_array_alignment_bytes");
    if (align) pa_int(a, 16); else pa_op(a, 'N');
    pa_op(a, 'u');
    pa_op(a, 'b');
    if (align) {
        pa_op(a, 3); /* padding length byte */
        pa_raw(a, "\xff\xff\xff", 3);
    }
    pa_raw(a, raw, n);
}

static void joblib_wrapper(pasm *a, const void *raw, size_t n, bool align) {
    joblib_wrapper_dt(a, "u1", raw, n, align);
}

WT_TEST(joblib_object_array_spelled_object_is_followed) {
    /* np.dtype('object') is 'O': joblib.load unpickles the array pickle that follows */
    const char inner[] = "\x80\x02" "cos\nsystem\nX\x04\x00\x00\x00" "true\x85R.";
    pasm a = {0};
    pa_proto(&a, 2);
    joblib_wrapper_dt(&a, "object", inner, sizeof inner - 1, false);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    CHECK(wt_t_count(r, "WT-PICKLE-001") >= 1);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-004"), 0);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(joblib_array_bytes_are_stepped_over_like_joblib_load) {
    pasm a = {0};
    pa_proto(&a, 2);
    pa_op(&a, '}');
    pa_str(&a, "w");
    static const uint8_t zeros[64];
    joblib_wrapper(&a, zeros, sizeof zeros, true);
    pa_op(&a, 's');
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    if (r->nfindings) wt_t_dump(r);
    CHECK_INT(r->nfindings, 0);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(joblib_array_bytes_hiding_opcodes_are_read_as_plain_pickle_too) {
    /* joblib.load skips the "array", pickle.load executes it */
    const char hidden[] = "cos\nsystem\n(S'true'\ntR0";
    pasm a = {0};
    pa_proto(&a, 2);
    joblib_wrapper(&a, hidden, sizeof hidden - 1, false);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "os.system('true')");
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "plain pickle.load");
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(many_unknown_globals_are_listed_up_to_a_cap_then_counted) {
    pasm a = {0};
    pa_proto(&a, 4);
    for (int i = 0; i < 500; i++) {
        char mod[32];
        snprintf(mod, sizeof mod, "pkg%d", i);
        pa_sglobal(&a, mod, "Thing");
        pa_op(&a, '0');
    }
    pa_sglobal(&a, "os", "system"); /* critical ones are never capped */
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-003"), 65);
    EXPECT_EVIDENCE(r, "WT-PICKLE-003", "436 more");
    CHECK_INT(wt_t_count(r, "WT-PICKLE-001"), 1);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(dunder_import_of_dotted_name_returns_the_top_package) {
    /* getattr(__import__('os.path'), 'system') is os.system */
    pasm a = {0};
    pa_proto(&a, 2);
    pa_global(&a, "builtins", "getattr");
    pa_call1s(&a, "builtins", "__import__", "os.path");
    pa_str(&a, "system");
    pa_tuple2(&a);
    pa_reduce(&a);
    pa_str(&a, "true");
    pa_tuple1(&a);
    pa_reduce(&a);
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "os.system('true')");
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(torch_load_of_a_path_string_is_not_decoded_as_bytes) {
    pasm a = {0};
    pa_proto(&a, 2);
    pa_call1s(&a, "torch", "load", "/tmp/other.pt");
    pa_stop(&a);
    wt_scan_result *r = scan(&a);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "torch.load('/tmp/other.pt')");
    EXPECT_EVIDENCE(r, "WT-PICKLE-007", "file path");
    CHECK_INT(wt_t_count(r, "WT-PICKLE-004"), 0);
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(crafted_flood_of_dangerous_globals_is_capped) {
    /* 20000 distinct long dotted names that all re-root to os.system */
    pasm a = {0};
    pa_proto(&a, 4);
    char name[128];
    for (int i = 0; i < 20000; i++) {
        snprintf(name, sizeof name, "a%d.b.c.d.e.f.g.h.i.j.os.system", i);
        pa_str(&a, "pathlib");
        pa_str(&a, name);
        pa_op(&a, 0x93);
        pa_op(&a, '0');
    }
    pa_op(&a, 'N');
    pa_stop(&a);
    /* speed is the benchmarks' business; a quadratic policy walk shows there
     * and as a CTest timeout here */
    wt_scan_result *r = scan(&a);
    CHECK_INT(wt_t_count(r, "WT-PICKLE-001"), 101);
    EXPECT_EVIDENCE(r, "WT-PICKLE-001", "19900 more");
    wt_scan_result_free(r);
    pa_free(&a);
}

WT_TEST(overlong_attribute_chain_is_suspicious) {
    pk_verdict v;
    pk_policy_judge("pathlib", "a.b.c.d.e.f.g.h.i.j.k.l.m.n", &v);
    CHECK(v.level >= PK_LVL_HIGH);
    pk_policy_judge("pathlib", "a.b.c.d.e.f.g.h.i.j.k.l.os.system", &v);
    CHECK(v.level >= PK_LVL_HIGH);
}
