/* TOML parser, manifests and lock files. */
#include <jansson.h>
#include <stdlib.h>

#include "deps/deps.h"
#include "deps/pyproject.h"
#include "deps/toml.h"
#include "harness.h"

static json_t *toml(const char *s, char **err) { return wt_toml_parse(s, strlen(s), err); }

WT_TEST(toml_parses_the_spec_forms) {
    char *err = NULL;
    json_t *r = toml("# comment\n"
                     "title = \"TOML \\\"x\\\" \\u00e9\"\n"
                     "lit = 'C:\\path'\n"
                     "ml = \"\"\"\nline1\\\n   line2\"\"\"\n"
                     "mll = '''\nraw\\n'''\n"
                     "int = 1_000\nhex = 0xff\nneg = -17\nflt = 6.02e23\nb = true\n"
                     "dt = 1979-05-27T07:32:00Z\nd2 = 1979-05-27 07:32:00\n"
                     "arr = [ 1, 2,\n  3, # c\n ]\n"
                     "inl = { a = 1, b.c = \"x\" }\n"
                     "dotted.key = \"v\"\n"
                     "\"quoted key\" = 1\n"
                     "[server]\nhost = \"h\"\n"
                     "[server.sub]\nport = 80\n"
                     "[[pkg]]\nname = \"a\"\n[[pkg]]\nname = \"b\"\n[pkg.source]\ntype = \"git\"\n",
                     &err);
    if (!r) fprintf(stderr, "    %s\n", err);
    CHECK(r != NULL);
    CHECK_STR(json_string_value(json_object_get(r, "title")), "TOML \"x\" \xc3\xa9");
    CHECK_STR(json_string_value(json_object_get(r, "lit")), "C:\\path");
    CHECK_STR(json_string_value(json_object_get(r, "ml")), "line1line2");
    CHECK_STR(json_string_value(json_object_get(r, "mll")), "raw\\n");
    CHECK_INT(json_integer_value(json_object_get(r, "int")), 1000);
    CHECK_INT(json_integer_value(json_object_get(r, "hex")), 255);
    CHECK_INT(json_integer_value(json_object_get(r, "neg")), -17);
    CHECK(json_is_real(json_object_get(r, "flt")));
    CHECK(json_is_true(json_object_get(r, "b")));
    CHECK_STR(json_string_value(json_object_get(r, "dt")), "1979-05-27T07:32:00Z");
    CHECK_STR(json_string_value(json_object_get(r, "d2")), "1979-05-27 07:32:00");
    CHECK_INT(json_array_size(json_object_get(r, "arr")), 3);
    CHECK_STR(json_string_value(json_object_get(json_object_get(json_object_get(r, "inl"), "b"), "c")), "x");
    CHECK_STR(json_string_value(json_object_get(json_object_get(r, "dotted"), "key")), "v");
    CHECK_INT(json_integer_value(json_object_get(r, "quoted key")), 1);
    json_t *srv = json_object_get(r, "server");
    CHECK_STR(json_string_value(json_object_get(srv, "host")), "h");
    CHECK_INT(json_integer_value(json_object_get(json_object_get(srv, "sub"), "port")), 80);
    CHECK_INT(json_integer_value(json_object_get(srv, WT_TOML_LINE_KEY)), 22);
    json_t *pkg = json_object_get(r, "pkg");
    CHECK_INT(json_array_size(pkg), 2);
    CHECK_STR(json_string_value(json_object_get(json_object_get(json_array_get(pkg, 1), "source"), "type")), "git");
    json_decref(r);
}

WT_TEST(toml_empty_strings) {
    /* poetry.lock writes `description = ""` for packages without one */
    char *err = NULL;
    json_t *r = toml("[[package]]\nname = \"mylib\"\ndescription = \"\"\nlit = ''\nml = \"\"\"\"\"\"\n"
                     "arr = [\"\", '']\ninl = { a = \"\" }\n", &err);
    if (!r) fprintf(stderr, "    %s\n", err);
    CHECK(r != NULL);
    json_t *p = json_array_get(json_object_get(r, "package"), 0);
    CHECK_STR(json_string_value(json_object_get(p, "description")), "");
    CHECK_STR(json_string_value(json_object_get(p, "lit")), "");
    CHECK_STR(json_string_value(json_object_get(p, "ml")), "");
    CHECK_INT(json_array_size(json_object_get(p, "arr")), 2);
    CHECK_STR(json_string_value(json_object_get(json_object_get(p, "inl"), "a")), "");
    json_decref(r);
    free(err);
}

WT_TEST(toml_rejects_malformed_documents) {
    static const char *const bad[] = {
        "a = 1\na = 2\n",                 /* duplicate key */
        "[t]\n[t]\n",                     /* table defined twice */
        "a = \"unterminated\n",           /* newline in string */
        "a = [1, 2\n",                    /* unterminated array */
        "a = { b = 1 }\n[a]\n",            /* inline tables are closed */
        "a = 1 b = 2\n",                  /* garbage after value */
        "a = 1__0\n",                     /* bad underscore */
        "= 1\n",                          /* missing key */
        "a = \"\\q\"\n",                  /* bad escape */
        "a = \"\\uD800\"\n",              /* surrogate */
        "a = [ ]\n[[a]]\n",               /* static array extended */
        "a = \"\xff\"\n",                 /* invalid UTF-8 */
        "# form \f feed\na = 1\n",          /* control character in a comment */
        "s = \"\"\"a\rb\"\"\"\n",          /* lone CR in a string */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *err = NULL;
        json_t *r = toml(bad[i], &err);
        if (r) fprintf(stderr, "    accepted: %s\n", bad[i]);
        CHECK(r == NULL);
        CHECK(err != NULL);
        free(err);
        json_decref(r);
    }
    /* deep nesting is bounded */
    char deep[1000];
    memset(deep, 0, sizeof deep);
    strcpy(deep, "a = ");
    memset(deep + 4, '[', 500);
    char *err = NULL;
    CHECK(toml(deep, &err) == NULL);
    free(err);
}

static wt_dep *at(wt_vec *v, size_t i) { return i < v->len ? v->items[i] : NULL; }

static wt_dep *find(wt_vec *v, const char *norm) {
    for (size_t i = 0; i < v->len; i++)
        if (!strcmp(((wt_dep *)v->items[i])->norm, norm)) return v->items[i];
    return NULL;
}

static void cleanup(wt_vec *d, wt_vec *i) {
    wt_dep_list_free(d);
    wt_vec_free(i, wt_dep_issue_free);
}

WT_TEST(pyproject_pep621_and_poetry) {
    const char *t = "[build-system]\nrequires = [\"setuptools>=40\"]\n\n"
                    "[project]\nname = \"demo\"\n"
                    "dependencies = [\n  \"requests==2.19.0\",\n  \"numpy>=1.20; python_version >= '3.8'\",\n"
                    "  \"pywin32==300; sys_platform == 'win32'\",\n]\n"
                    "[project.optional-dependencies]\ntest = [\"pytest==6.0\"]\n"
                    "[dependency-groups]\ndev = [\"ruff\"]\n"
                    "[tool.poetry.dependencies]\npython = \"^3.9\"\npillow = \"^8.0.0\"\n"
                    "torch = { version = \"1.13.0\", markers = \"sys_platform == 'linux'\" }\n"
                    "mylib = { git = \"https://github.com/x/mylib.git\" }\n"
                    "[tool.poetry.group.dev.dependencies]\njinja2 = \"~2.10\"\n";
    wt_marker_env env;
    wt_marker_env_init(&env, NULL, NULL);
    wt_vec d = {0}, i = {0};
    CHECK(wt_pyproject_parse(t, strlen(t), &env, &d, &i) == 0);
    CHECK_INT(d.len, 8);
    CHECK(find(&d, "setuptools") == NULL);
    CHECK(find(&d, "pywin32") == NULL);
    wt_dep *r = find(&d, "requests");
    CHECK(r && r->line == 7);
    CHECK(find(&d, "pytest") != NULL);
    CHECK(find(&d, "ruff") != NULL);
    wt_dep *p = find(&d, "pillow");
    CHECK(p && !strcmp(p->spec_text, ">=8.0.0,<9"));
    CHECK(p && p->line == 17);
    wt_dep *tt = find(&d, "torch");
    CHECK(tt && !strcmp(tt->spec_text, "==1.13.0"));
    CHECK(find(&d, "mylib") && find(&d, "mylib")->unauditable);
    wt_dep *j = find(&d, "jinja2");
    CHECK(j && !strcmp(j->spec_text, ">=2.10,<2.11"));
    CHECK(find(&d, "python") == NULL);
    CHECK_INT(i.len, 0);
    cleanup(&d, &i);
}

WT_TEST(poetry_constraints_convert) {
    static const struct { const char *in, *out; } cases[] = {
        {"^1.2.3", ">=1.2.3,<2"}, {"^0.2.3", ">=0.2.3,<0.3"}, {"^0.0.3", ">=0.0.3,<0.0.4"}, {"^1.2", ">=1.2,<2"},
        {"~1.2.3", ">=1.2.3,<1.3"}, {"~1", ">=1,<2"}, {"1.2.3", "==1.2.3"}, {"*", ""}, {">=1.0,<2.0", ">=1.0,<2.0"},
        {"1.2.*", "==1.2.*"}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char *c = wt_poetry_constraint(cases[k].in);
        CHECK_STR(c, cases[k].out);
        free(c);
    }
    CHECK(wt_poetry_constraint("^1.0 || ^2.0") == NULL);
}

WT_TEST(poetry_lock_entries) {
    const char *t = "[[package]]\nname = \"jinja2\"\nversion = \"2.10\"\ndescription = \"x\"\n\n"
                    "[[package]]\nname = \"mylib\"\nversion = \"0.1\"\n[package.source]\ntype = \"git\"\n"
                    "url = \"https://github.com/x/mylib\"\n\n[metadata]\nlock-version = \"2.0\"\n";
    wt_vec d = {0}, i = {0};
    CHECK(wt_poetry_lock_parse(t, strlen(t), &d, &i) == 0);
    CHECK_INT(d.len, 2);
    CHECK_STR(at(&d, 0)->version, "2.10");
    CHECK_INT(at(&d, 0)->line, 2);
    CHECK_INT(at(&d, 0)->origin, WT_DEP_LOCK);
    CHECK(at(&d, 1)->unauditable != NULL);
    cleanup(&d, &i);
    t = "[[package]\nname = 1\n";
    CHECK(wt_poetry_lock_parse(t, strlen(t), &d, &i) != 0);
    CHECK_INT(i.len, 1);
    cleanup(&d, &i);
}

WT_TEST(poetry_lock_many_entries_lines) {
    /* each entry's line is found from the previous one: 60000 entries used to
     * count lines from the start of the file for each (minutes: the CTest
     * timeout catches a return of that; speed itself is for bench/) */
    wt_buf b;
    wt_buf_init(&b);
    const size_t n = 60000;
    for (size_t k = 0; k < n; k++) {
        char e[128];
        int l = snprintf(e, sizeof e, "[[package]]\ncategory = \"main\"\nname = \"p%zu\"\nversion = \"1.0\"\n\n", k);
        wt_buf_append(&b, e, (size_t)l);
    }
    wt_vec d = {0}, i = {0};
    CHECK(wt_poetry_lock_parse(b.data, b.len, &d, &i) == 0);
    CHECK_INT(d.len, n);
    CHECK_INT(at(&d, 0)->line, 3);
    CHECK_INT(at(&d, 1)->line, 8);
    CHECK_INT(at(&d, n - 1)->line, (long long)(5 * (n - 1) + 3));
    cleanup(&d, &i);
    wt_buf_free(&b);
}

WT_TEST(uv_lock_entries) {
    const char *t = "version = 1\n\n[[package]]\nname = \"demo\"\nversion = \"0.1.0\"\nsource = { editable = \".\" }\n\n"
                    "[[package]]\nname = \"urllib3\"\nversion = \"1.24.1\"\n"
                    "source = { registry = \"https://pypi.org/simple\" }\n"
                    "wheels = [\n  { url = \"https://x/urllib3.whl\", hash = \"sha256:00\" },\n]\n\n"
                    "[[package]]\nname = \"gitdep\"\nversion = \"1.0\"\nsource = { git = \"https://github.com/x/y?rev=1#abc\" }\n";
    wt_vec d = {0}, i = {0};
    CHECK(wt_uv_lock_parse(t, strlen(t), &d, &i) == 0);
    CHECK_INT(d.len, 2);
    CHECK_STR(at(&d, 0)->norm, "urllib3");
    CHECK_STR(at(&d, 0)->version, "1.24.1");
    CHECK_INT(at(&d, 0)->line, 9);
    CHECK(at(&d, 1)->unauditable != NULL);
    cleanup(&d, &i);
}

WT_TEST(pylock_entries_with_markers) {
    const char *t = "lock-version = \"1.0\"\ncreated-by = \"x\"\n\n"
                    "[[packages]]\nname = \"requests\"\nversion = \"2.19.0\"\n\n"
                    "[[packages]]\nname = \"pywin32\"\nversion = \"300\"\nmarker = \"sys_platform == 'win32'\"\n\n"
                    "[[packages]]\nname = \"local\"\ndirectory = { path = \".\" }\n\n"
                    "[[packages]]\nname = \"vcsdep\"\nvcs = { type = \"git\", url = \"https://g/x\", commit-id = \"ab\" }\n";
    wt_marker_env env;
    wt_marker_env_init(&env, NULL, NULL);
    wt_vec d = {0}, i = {0};
    CHECK(wt_pylock_parse(t, strlen(t), &env, &d, &i) == 0);
    CHECK_INT(d.len, 2);
    CHECK_STR(at(&d, 0)->version, "2.19.0");
    CHECK(at(&d, 1)->unauditable != NULL);
    cleanup(&d, &i);
}

WT_TEST(pipfile_and_pipfile_lock) {
    const char *t = "[[source]]\nurl = \"https://pypi.org/simple\"\n\n[packages]\nrequests = \"==2.19.0\"\n"
                    "flask = \"*\"\nnumpy = {version = \">=1.0\", markers = \"os_name == 'nt'\"}\n"
                    "mylib = {git = \"https://github.com/x/y.git\", editable = true}\n\n[dev-packages]\npytest = \">=6\"\n";
    wt_marker_env env;
    wt_marker_env_init(&env, NULL, NULL);
    wt_vec d = {0}, i = {0};
    CHECK(wt_pipfile_parse(t, strlen(t), &env, &d, &i) == 0);
    CHECK_INT(d.len, 4);
    CHECK_STR(find(&d, "requests")->spec_text, "==2.19.0");
    CHECK_INT(find(&d, "requests")->line, 5);
    CHECK_STR(find(&d, "flask")->spec_text, "");
    CHECK(find(&d, "numpy") == NULL);
    CHECK(find(&d, "mylib")->unauditable != NULL);
    CHECK_STR(find(&d, "pytest")->section, "dev-packages");
    cleanup(&d, &i);

    const char *j = "{\n  \"_meta\": {\"hash\": {}},\n  \"default\": {\n    \"requests\": {\n"
                    "      \"hashes\": [],\n      \"version\": \"==2.19.0\"\n    },\n"
                    "    \"pywin32\": {\"version\": \"==300\", \"markers\": \"sys_platform == 'win32'\"}\n  },\n"
                    "  \"develop\": {\n    \"pytest\": {\"version\": \"==6.0.0\"}\n  }\n}\n";
    CHECK(wt_pipfile_lock_parse(j, strlen(j), &env, &d, &i) == 0);
    CHECK_INT(d.len, 2);
    CHECK_STR(at(&d, 0)->version, "2.19.0");
    CHECK_INT(at(&d, 0)->line, 4);
    CHECK_STR(at(&d, 1)->section, "develop");
    cleanup(&d, &i);
    CHECK(wt_pipfile_lock_parse("{", 1, &env, &d, &i) != 0);
    cleanup(&d, &i);
}

WT_TEST(setup_cfg_install_requires) {
    const char *t = "[metadata]\nname = demo\n\n[options]\npackages = find:\ninstall_requires =\n"
                    "    requests==2.19.0\n    # a comment\n    numpy>=1.0 ; python_version >= '3.8'\n"
                    "    pywin32 ; sys_platform == 'win32'\npython_requires = >=3.8\n\n"
                    "[options.extras_require]\ntest =\n    pytest==6.0\n";
    wt_marker_env env;
    wt_marker_env_init(&env, NULL, NULL);
    wt_vec d = {0}, i = {0};
    CHECK(wt_setup_cfg_parse(t, strlen(t), &env, &d, &i) == 0);
    CHECK_INT(d.len, 3);
    CHECK_STR(at(&d, 0)->norm, "requests");
    CHECK_INT(at(&d, 0)->line, 7);
    CHECK_STR(at(&d, 1)->norm, "numpy");
    CHECK_INT(at(&d, 1)->line, 9);
    CHECK_STR(at(&d, 2)->section, "options.extras_require.test");
    cleanup(&d, &i);
}

WT_TEST(conda_environment_yml) {
    const char *t = "name: ml\nchannels:\n  - pytorch\n  - conda-forge\ndependencies:\n"
                    "  - python=3.9\n  - pytorch::pytorch=1.13.0\n  - numpy==1.21.0\n  - pillow 8.0.0 py39h\n"
                    "  - cudatoolkit=11.3\n  - scipy>=1.5\n  - pip\n  - pip:\n    - requests==2.19.0\n"
                    "    - -r requirements-extra.txt\n    - transformers[torch]>=4.0\n";
    wt_marker_env env;
    wt_marker_env_init(&env, NULL, NULL);
    wt_vec d = {0}, i = {0};
    CHECK(wt_conda_env_parse(t, strlen(t), &env, &d, &i) == 0);
    CHECK(find(&d, "python") == NULL);
    CHECK(find(&d, "cudatoolkit") == NULL);
    wt_dep *torch = find(&d, "torch");
    CHECK(torch && !strcmp(torch->spec_text, "==1.13.0.*") && torch->line == 7);
    CHECK(find(&d, "numpy") && !strcmp(find(&d, "numpy")->spec_text, "==1.21.0"));
    CHECK(find(&d, "pillow") && !strcmp(find(&d, "pillow")->spec_text, "==8.0.0"));
    CHECK(find(&d, "scipy") != NULL);
    wt_dep *req = find(&d, "requests");
    CHECK(req && !strcmp(req->section, "pip") && req->line == 14);
    CHECK(find(&d, "transformers") != NULL);
    CHECK_INT(d.len, 6);
    CHECK_INT(i.len, 1); /* -r inside pip: not followed here */
    cleanup(&d, &i);
    CHECK(wt_conda_env_parse("a: [", 4, &env, &d, &i) != 0);
    CHECK_INT(i.len, 1);
    cleanup(&d, &i);
}
