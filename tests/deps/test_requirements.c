/* pip requirements syntax, PEP 508, markers, includes and pip lines. */
#include <stdlib.h>

#include "deps/deps.h"
#include "harness.h"

/* an in-memory tree for -r/-c includes */
typedef struct { const char *path, *text; } vfile;
static const vfile *g_files;

static char *vread(void *ud, const char *relpath, size_t *len) {
    for (const vfile *f = g_files; f && f->path; f++)
        if (!strcmp(f->path, relpath)) {
            *len = strlen(f->text);
            return strdup(f->text);
        }
    return NULL;
}

static wt_dep_opener opener = {vread, NULL, NULL};

typedef struct {
    wt_vec deps, issues;
} parsed;

static parsed parse(const char *text, const vfile *files) {
    parsed p = {{0}, {0}};
    g_files = files;
    wt_marker_env env;
    wt_marker_env_init(&env, NULL, NULL);
    wt_requirements_parse(text, strlen(text), "requirements.txt", &opener, &env, &p.deps, &p.issues);
    return p;
}

static void pfree(parsed *p) {
    wt_dep_list_free(&p->deps);
    wt_vec_free(&p->issues, wt_dep_issue_free);
}

static wt_dep *dep(parsed *p, size_t i) { return i < p->deps.len ? p->deps.items[i] : NULL; }

WT_TEST(requirements_basic_forms) {
    parsed p = parse("# comment\n"
                     "requests==2.19.0\n"
                     "Django >= 3.0, < 4  # trailing comment\n"
                     "jinja2[i18n]==2.10\n"
                     "pillow (==8.0.0)\n"
                     "\n"
                     "  numpy~=1.21.0  \n"
                     "url#not-a-comment==1.0\n",
                     NULL);
    CHECK_INT(p.deps.len, 5);
    CHECK_STR(dep(&p, 0)->norm, "requests");
    CHECK_STR(dep(&p, 0)->spec_text, "==2.19.0");
    CHECK_INT(dep(&p, 0)->line, 2);
    CHECK_STR(dep(&p, 1)->norm, "django");
    CHECK_INT(dep(&p, 1)->spec.n, 2);
    CHECK_STR(dep(&p, 2)->extras, "i18n");
    CHECK_STR(dep(&p, 3)->spec_text, "==8.0.0");
    CHECK_INT(dep(&p, 4)->line, 7);
    CHECK_INT(p.issues.len, 1); /* "url#not-a-comment==1.0" is not a valid name */
    pfree(&p);
}

WT_TEST(requirements_continuations_and_hashes) {
    parsed p = parse("pillow==8.0.0 \\\n"
                     "    --hash=sha256:aaaa \\\n"
                     "    --hash=sha256:bbbb\n"
                     "pyyaml==5.3 --hash=sha256:cccc\n"
                     "torch\\\n"
                     "==1.13.0\n",
                     NULL);
    CHECK_INT(p.deps.len, 3);
    CHECK_STR(dep(&p, 0)->spec_text, "==8.0.0");
    CHECK_INT(dep(&p, 0)->line, 1);
    CHECK_STR(dep(&p, 1)->spec_text, "==5.3");
    CHECK_INT(dep(&p, 1)->line, 4);
    CHECK_STR(dep(&p, 2)->norm, "torch");
    CHECK_STR(dep(&p, 2)->spec_text, "==1.13.0");
    CHECK_INT(dep(&p, 2)->line, 5);
    CHECK_INT(p.issues.len, 0);
    pfree(&p);
}

WT_TEST(requirements_options_are_not_dependencies) {
    parsed p = parse("-i https://pypi.org/simple\n"
                     "--extra-index-url https://example.com/simple\n"
                     "--find-links ./wheels\n"
                     "--trusted-host example.com\n"
                     "--pre\n"
                     "--require-hashes\n"
                     "--only-binary :all:\n"
                     "flask==0.12\n",
                     NULL);
    CHECK_INT(p.deps.len, 1);
    CHECK_STR(dep(&p, 0)->norm, "flask");
    pfree(&p);
}

WT_TEST(requirements_urls_vcs_editable_and_variables) {
    parsed p = parse("git+https://github.com/org/proj.git@v1#egg=proj\n"
                     "-e git+https://github.com/org/other.git#egg=other\n"
                     "-e .\n"
                     "https://example.com/pkgs/foo-1.0-py3-none-any.whl\n"
                     "bar @ https://example.com/bar.tar.gz\n"
                     "./vendor/baz\n"
                     "torch==${TORCH_VERSION}\n",
                     NULL);
    CHECK_INT(p.deps.len, 6); /* "-e ." is the project itself */
    for (size_t i = 0; i < p.deps.len; i++) CHECK(dep(&p, i)->unauditable != NULL);
    CHECK_STR(dep(&p, 0)->norm, "proj");
    CHECK_STR(dep(&p, 1)->norm, "other");
    CHECK(dep(&p, 1)->editable);
    CHECK_STR(dep(&p, 2)->norm, "foo");
    CHECK_STR(dep(&p, 3)->norm, "bar");
    CHECK(strstr(dep(&p, 5)->unauditable, "environment variable") != NULL);
    pfree(&p);
}

WT_TEST(requirements_markers_skip_other_environments) {
    parsed p = parse("requests==2.19.0 ; python_version >= \"3.6\"\n"
                     "futures==3.0 ; python_version < \"3.0\"\n"
                     "pywin32==300 ; sys_platform == \"win32\"\n"
                     "uvloop==0.10 ; platform_system != \"Windows\" and implementation_name == \"cpython\"\n"
                     "dataclasses==0.6 ; python_version < '3.7'\n"
                     "tomli==1.0 ; python_full_version < '3.11.0' or os_name == 'nt'\n"
                     "extra-only==1.0 ; extra == 'test'\n",
                     NULL);
    CHECK_INT(p.deps.len, 2);
    CHECK_STR(dep(&p, 0)->norm, "requests");
    CHECK_STR(dep(&p, 1)->norm, "uvloop");
    pfree(&p);
}

WT_TEST(marker_evaluation_targets) {
    wt_marker_env win, py38;
    wt_marker_env_init(&win, "3.12", "win32");
    wt_marker_env_init(&py38, "3.8", "linux");
    bool r;
    char *err = NULL;
    const char *m = "sys_platform == 'win32' and python_version >= '3.12'";
    CHECK(wt_marker_eval(m, strlen(m), &win, &r, &err) == 0 && r);
    CHECK(wt_marker_eval(m, strlen(m), &py38, &r, &err) == 0 && !r);
    m = "(python_version < '3.9' or os_name == 'nt') and 'linux' in sys_platform";
    CHECK(wt_marker_eval(m, strlen(m), &py38, &r, &err) == 0 && r);
    CHECK(wt_marker_eval(m, strlen(m), &win, &r, &err) == 0 && !r);
    m = "python_version not in '3.7, 3.8'";
    CHECK(wt_marker_eval(m, strlen(m), &py38, &r, &err) == 0 && !r);
    m = "platform_machine == 'x86_64' and platform_python_implementation == 'CPython'";
    CHECK(wt_marker_eval(m, strlen(m), &py38, &r, &err) == 0 && r);
    m = "python_version >";
    CHECK(wt_marker_eval(m, strlen(m), &py38, &r, &err) != 0);
    free(err);
    err = NULL;
    m = "bogus_var == '1'";
    CHECK(wt_marker_eval(m, strlen(m), &py38, &r, &err) != 0);
    free(err);
    /* deep nesting is bounded */
    char deep[400];
    memset(deep, '(', 200);
    strcpy(deep + 200, "os_name == 'posix'");
    err = NULL;
    CHECK(wt_marker_eval(deep, strlen(deep), &py38, &r, &err) != 0);
    free(err);
}

WT_TEST(requirements_includes_relative_and_cycle_safe) {
    static const vfile files[] = {
        {"base/common.txt", "flask==0.12\n-r ../requirements.txt\n-r more/extra.txt\n"},
        {"base/more/extra.txt", "joblib==1.1.0\n-r ../common.txt\n"},
        {"constraints.txt", "requests==2.19.0\n"},
        {NULL, NULL}};
    parsed p = parse("-r base/common.txt\n-c constraints.txt\nrequests\n-r missing.txt\n-r /etc/passwd\n"
                     "-r https://example.com/r.txt\n",
                     files);
    CHECK_INT(p.deps.len, 3);
    CHECK_STR(dep(&p, 0)->norm, "flask");
    CHECK_STR(dep(&p, 0)->file, "base/common.txt");
    CHECK_INT(dep(&p, 0)->line, 1);
    CHECK_INT(dep(&p, 0)->via_line, 1);
    CHECK_STR(dep(&p, 1)->norm, "joblib");
    CHECK_STR(dep(&p, 1)->file, "base/more/extra.txt");
    /* the constraint pins the unpinned requirement */
    CHECK_STR(dep(&p, 2)->norm, "requests");
    CHECK(wt_specset_pin(&dep(&p, 2)->spec) != NULL);
    /* two cycles, a missing file, an absolute path, a URL */
    CHECK_INT(p.issues.len, 5);
    size_t cycles = 0;
    for (size_t i = 0; i < p.issues.len; i++)
        if (strstr(((wt_dep_issue *)p.issues.items[i])->message, "cycle")) cycles++;
    CHECK_INT(cycles, 2);
    pfree(&p);
}

WT_TEST(requirements_self_include_terminates) {
    static const vfile files[] = {{"requirements.txt", "-r requirements.txt\n"}, {NULL, NULL}};
    parsed p = parse("-r requirements.txt\nnumpy==1.0\n", files);
    CHECK_INT(p.deps.len, 1);
    CHECK_INT(p.issues.len, 1);
    pfree(&p);
}

WT_TEST(pep508_parser_forms_and_errors) {
    wt_marker_env env;
    wt_marker_env_init(&env, NULL, NULL);
    wt_dep d;
    bool ok;
    char *err = NULL;
    const char *s = "name[a, b] (>=1.0,<2) ; python_version > '3'";
    CHECK(wt_pep508_parse(s, strlen(s), &env, &d, &ok, &err) == 0 && ok);
    CHECK_STR(d.extras, "a, b");
    CHECK_INT(d.spec.n, 2);
    CHECK_STR(d.marker, "python_version > '3'");
    wt_dep *h = malloc(sizeof *h);
    *h = d;
    wt_dep_free(h);
    s = "name @ file:///tmp/x.whl ; os_name == 'posix'";
    CHECK(wt_pep508_parse(s, strlen(s), &env, &d, &ok, &err) == 0 && ok && d.unauditable);
    h = malloc(sizeof *h);
    *h = d;
    wt_dep_free(h);
    static const char *const bad[] = {"[x]==1", "name[x==1", "name ==", "name (>=1", "name==1.0 garbage", "name @ ",
                                      "name==1 ; bogus"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err = NULL;
        CHECK(wt_pep508_parse(bad[i], strlen(bad[i]), &env, &d, &ok, &err) != 0);
        CHECK(err != NULL);
        free(err);
    }
}

static parsed pip(const char *args, const vfile *files) {
    parsed p = {{0}, {0}};
    g_files = files;
    wt_marker_env env;
    wt_marker_env_init(&env, NULL, NULL);
    wt_pip_args_parse(args, strlen(args), &opener, &env, &p.deps, &p.issues);
    return p;
}

WT_TEST(pip_install_lines) {
    parsed p = pip(" -q -U torch==1.13.0 'transformers[torch]>=4.0' \"numpy<2\" --no-cache-dir  # pin later", NULL);
    CHECK_INT(p.deps.len, 3);
    CHECK_STR(dep(&p, 0)->norm, "torch");
    CHECK_INT(dep(&p, 0)->origin, WT_DEP_PIP);
    CHECK_STR(dep(&p, 1)->extras, "torch");
    CHECK_STR(dep(&p, 2)->spec_text, "<2");
    pfree(&p);

    static const vfile files[] = {{"reqs.txt", "pyyaml==5.3\n"}, {NULL, NULL}};
    p = pip(" --upgrade -r reqs.txt -i https://x.example/simple joblib==1.1.0 && python train.py", files);
    CHECK_INT(p.deps.len, 2);
    CHECK_STR(dep(&p, 0)->norm, "pyyaml");
    CHECK_STR(dep(&p, 1)->norm, "joblib");
    pfree(&p);

    p = pip(" git+https://github.com/huggingface/transformers {pkg} $PKG -e . --target /tmp/x", NULL);
    CHECK_INT(p.deps.len, 3);
    for (size_t i = 0; i < p.deps.len; i++) CHECK(dep(&p, i)->unauditable != NULL);
    pfree(&p);
}

static parsed parse_n(const char *text, size_t n) {
    parsed p = {{0}, {0}};
    g_files = NULL;
    wt_marker_env env;
    wt_marker_env_init(&env, NULL, NULL);
    wt_requirements_parse(text, n, "requirements.txt", &opener, &env, &p.deps, &p.issues);
    return p;
}

WT_TEST(requirements_bom_and_utf16) {
    /* a UTF-8 BOM (Windows editors) is not part of the first name */
    parsed p = parse("\xef\xbb\xbfpyyaml==5.3\r\nrequests==2.19.0\r\n", NULL);
    CHECK_INT(p.deps.len, 2);
    CHECK_INT(p.issues.len, 0);
    if (dep(&p, 0)) {
        CHECK_STR(dep(&p, 0)->norm, "pyyaml");
        CHECK_INT(dep(&p, 0)->line, 1);
    }
    pfree(&p);
    /* UTF-16 LE and BE with a BOM (`pip freeze > requirements.txt` in
     * Windows PowerShell 5), CRLF line ends */
    static const char le[] = "\xff\xfe" "t\0o\0r\0c\0h\0=\0=\0" "1\0.\0" "1\0" "3\0.\0" "0\0\r\0\n\0"
                             "j\0i\0n\0j\0a\0" "2\0=\0=\0" "2\0.\0" "1\0" "0\0\r\0\n\0";
    p = parse_n(le, sizeof le - 1);
    CHECK_INT(p.deps.len, 2);
    CHECK_INT(p.issues.len, 0);
    if (dep(&p, 1)) {
        CHECK_STR(dep(&p, 1)->norm, "jinja2");
        CHECK_INT(dep(&p, 1)->line, 2);
    }
    pfree(&p);
    static const char be[] = "\xfe\xff" "\0n\0u\0m\0p\0y\0=\0=\0" "1\0.\0" "2\0" "1\0.\0" "0\0\n";
    p = parse_n(be, sizeof be - 1);
    CHECK_INT(p.deps.len, 1);
    if (dep(&p, 0)) CHECK_STR(dep(&p, 0)->norm, "numpy");
    pfree(&p);
    /* odd trailing byte, lone surrogate: no crash, the rest is read */
    static const char odd[] = "\xff\xfe" "s\0i\0x\0=\0=\0" "1\0\n\0" "\x00\xd8" "x";
    p = parse_n(odd, sizeof odd - 1);
    CHECK(p.deps.len >= 1);
    pfree(&p);
}
