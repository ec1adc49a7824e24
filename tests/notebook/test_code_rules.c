/* Unsafe-code rules (WT-CODE-*) over Python sources: one positive and one
 * near miss per rule, locations, import aliases, strings and comments. */
#include <stdlib.h>
#include <string.h>

#include "core/analyzer.h"
#include "core/util.h"
#include "harness.h"
#include "text/code_rules.h"

static wt_scan_result *py(const char *src) { return wt_t_scan_mem("src/train.py", src, strlen(src)); }

/* count of findings for rule in src */
static size_t n_in(const char *rule, const char *src)
{
    wt_scan_result *r = py(src);
    size_t n = wt_t_count(r, rule);
    wt_scan_result_free(r);
    return n;
}

/* the single finding's line (0 if not exactly one) */
static int line_of(const char *rule, const char *src)
{
    wt_scan_result *r = py(src);
    int line = 0;
    if (wt_t_count(r, rule) == 1)
        line = (int)wt_t_find(r, rule)->loc.line;
    else
        wt_t_dump(r);
    wt_scan_result_free(r);
    return line;
}

WT_TEST(rule_table_loads_without_errors)
{
    const char *err = NULL;
    int n = wt_code_rules_load(&err);
    CHECK(n > 30);
    CHECK(err == NULL);
}

/* ---- WT-CODE-001 pickle ---- */
WT_TEST(pickle_loads_fires_with_line_and_column)
{
    wt_scan_result *r = py("import pickle\n\nobj = pickle.loads(blob)\n");
    const wt_finding *f = wt_t_find(r, "WT-CODE-001");
    CHECK(f != NULL);
    if (f) {
        CHECK_INT(f->loc.line, 3);
        CHECK_INT(f->loc.column, 7);
        CHECK_INT(f->severity, WT_SEV_HIGH);
        CHECK_STR(f->evidence, "pickle.loads(...)");
        CHECK_INT(f->category, WT_CAT_CODE);
    }
    wt_scan_result_free(r);
}
WT_TEST(pickle_alias_and_from_import_resolve)
{
    CHECK_INT(line_of("WT-CODE-001", "import pickle as pk\npk.loads(b)\n"), 2);
    CHECK_INT(line_of("WT-CODE-001", "from pickle import loads\nx = loads(b)\n"), 2);
    CHECK_INT(line_of("WT-CODE-001", "from pickle import load as L\n\nL(f)\n"), 3);
    CHECK_INT(line_of("WT-CODE-001", "from pickle import *\nloads(b)\n"), 2);
    CHECK_INT(line_of("WT-CODE-001", "import pandas as pd\ndf = pd.read_pickle(p)\n"), 2);
}
WT_TEST(pickle_words_in_strings_and_comments_do_not_fire)
{
    CHECK_INT(n_in("WT-CODE-*", "# pickle.loads(x) is dangerous\ns = 'pickle.loads(x)'\n"
                                "t = \"\"\"\ntorch.load(f)\neval(x)\n\"\"\"\nu = f'{a} os.system(x)'\n"),
              0);
}
WT_TEST(pickle_dumps_and_method_named_load_do_not_fire)
{
    CHECK_INT(n_in("WT-CODE-*", "import pickle\npickle.dumps(x)\nds.load(x)\nloader.loads(s)\njson.loads(s)\n"), 0);
}

/* ---- WT-CODE-002 joblib / WT-CODE-003 dill ---- */
WT_TEST(joblib_and_dill_load_fire)
{
    CHECK_INT(line_of("WT-CODE-002", "import joblib\nclf = joblib.load('m.joblib')\n"), 2);
    CHECK_INT(line_of("WT-CODE-003", "import dill\n\nf = dill.loads(b)\n"), 3);
}
WT_TEST(joblib_dump_and_dill_dumps_do_not_fire)
{
    CHECK_INT(n_in("WT-CODE-*", "import joblib, dill\njoblib.dump(clf, 'm')\ndill.dumps(f)\n"), 0);
}

/* ---- WT-CODE-004 torch.load ---- */
WT_TEST(torch_load_without_weights_only_is_medium_and_false_is_high)
{
    wt_scan_result *r = py("import torch\nm = torch.load('m.pt')\nn = torch.load(f, weights_only=False)\n");
    CHECK_INT(wt_t_count(r, "WT-CODE-004"), 2);
    for (size_t i = 0; i < r->nfindings; i++) {
        const wt_finding *f = r->findings[i];
        if (f->loc.line == 2)
            CHECK_INT(f->severity, WT_SEV_MEDIUM);
        if (f->loc.line == 3) {
            CHECK_INT(f->severity, WT_SEV_HIGH);
            CHECK_STR(f->evidence, "torch.load(..., weights_only=False)");
        }
    }
    wt_scan_result_free(r);
}
WT_TEST(torch_load_weights_only_true_does_not_fire)
{
    CHECK_INT(n_in("WT-CODE-004", "import torch\nm = torch.load(f, weights_only=True)\n"
                                  "m = torch.load(f, map_location='cpu', **kw)\n"),
              0);
}

/* ---- WT-CODE-005 numpy ---- */
WT_TEST(numpy_allow_pickle_true_fires)
{
    CHECK_INT(line_of("WT-CODE-005", "import numpy as np\na = np.load('x.npy', allow_pickle=True)\n"), 2);
    CHECK_INT(line_of("WT-CODE-005", "a = np.load('x.npy', allow_pickle=True)\n"), 1); /* np without import */
}
WT_TEST(numpy_load_without_allow_pickle_does_not_fire)
{
    CHECK_INT(n_in("WT-CODE-*", "import numpy as np\na = np.load('x.npy')\nb = np.load(p, allow_pickle=False)\n"), 0);
}

/* ---- WT-CODE-006 yaml ---- */
WT_TEST(yaml_load_with_unsafe_loader_fires)
{
    CHECK_INT(line_of("WT-CODE-006", "import yaml\nc = yaml.load(f, Loader=yaml.Loader)\n"), 2);
    CHECK_INT(line_of("WT-CODE-006", "import yaml\nc = yaml.load(f, yaml.UnsafeLoader)\n"), 2);
    CHECK_INT(line_of("WT-CODE-006", "import yaml\nc = yaml.load(f)\n"), 2);
    CHECK_INT(line_of("WT-CODE-006", "import yaml\nc = yaml.unsafe_load(f)\n"), 2);
}
WT_TEST(yaml_safe_loaders_do_not_fire)
{
    CHECK_INT(n_in("WT-CODE-*", "import yaml\na = yaml.load(f, Loader=yaml.SafeLoader)\nb = yaml.safe_load(f)\n"
                                "c = yaml.load(f, Loader=yaml.CSafeLoader)\nd = yaml.load(f, yaml.BaseLoader)\n"),
              0);
}

/* ---- WT-CODE-007 eval / exec ---- */
WT_TEST(eval_and_exec_on_expressions_fire)
{
    CHECK_INT(line_of("WT-CODE-007", "x = eval(request.args['q'])\n"), 1);
    CHECK_INT(line_of("WT-CODE-007", "exec(open(path).read())\n"), 1);
    CHECK_INT(line_of("WT-CODE-007", "v = eval(f\"{a} + 1\")\n"), 1);
}
WT_TEST(eval_on_literal_and_model_eval_do_not_fire)
{
    CHECK_INT(n_in("WT-CODE-007", "x = eval('1 + 2')\nexec(\"import os\")\nmodel.eval()\nself.eval(x)\n"
                                  "v = eval(f'literal')\n"),
              0);
}
WT_TEST(module_level_def_shadows_eval_but_method_does_not)
{
    CHECK_INT(n_in("WT-CODE-007", "def eval(x):\n    return x\n\neval(y)\n"), 0);
    CHECK_INT(n_in("WT-CODE-007", "class M:\n    def eval(self):\n        pass\n\neval(y)\n"), 1);
}

/* ---- WT-CODE-008 os.system ---- */
WT_TEST(os_system_with_runtime_command_is_medium)
{
    wt_scan_result *r = py("import os\nos.system('rm -rf ' + path)\nos.system('nvidia-smi')\n");
    CHECK_INT(wt_t_count(r, "WT-CODE-008"), 2);
    for (size_t i = 0; i < r->nfindings; i++)
        CHECK_INT(r->findings[i]->severity, r->findings[i]->loc.line == 2 ? WT_SEV_MEDIUM : WT_SEV_LOW);
    wt_scan_result_free(r);
}
WT_TEST(os_path_calls_do_not_fire)
{
    CHECK_INT(n_in("WT-CODE-*", "import os\nos.path.join(a, b)\nos.makedirs(d)\nos.environ.get('X')\n"), 0);
}

/* ---- WT-CODE-009 subprocess shell=True ---- */
WT_TEST(subprocess_shell_true_fires)
{
    CHECK_INT(line_of("WT-CODE-009", "import subprocess\nsubprocess.run(cmd, shell=True)\n"), 2);
    CHECK_INT(line_of("WT-CODE-009", "from subprocess import Popen\np = Popen(\n    c,\n    shell=True,\n)\n"), 2);
}
WT_TEST(subprocess_without_shell_does_not_fire)
{
    CHECK_INT(n_in("WT-CODE-*", "import subprocess\nsubprocess.run(['ls', '-l'])\n"
                                "subprocess.check_call(args, shell=False)\n"),
              0);
}

/* ---- WT-CODE-010 trust_remote_code ---- */
WT_TEST(trust_remote_code_true_fires_on_any_call)
{
    CHECK_INT(line_of("WT-CODE-010", "from transformers import AutoModel\n"
                                     "m = AutoModel.from_pretrained(\n    'org/model',\n    trust_remote_code=True)\n"),
              2);
}
WT_TEST(trust_remote_code_false_does_not_fire)
{
    CHECK_INT(n_in("WT-CODE-*", "m = AutoModel.from_pretrained('org/m', trust_remote_code=False)\n"
                                "cfg = {'trust_remote_code': True}\n"),
              0);
}

/* ---- WT-CODE-011 verify=False ---- */
WT_TEST(requests_verify_false_fires)
{
    CHECK_INT(line_of("WT-CODE-011", "import requests\nr = requests.get(url, verify=False)\n"), 2);
    CHECK_INT(line_of("WT-CODE-011", "import httpx\nc = httpx.Client(verify=False)\n"), 2);
    CHECK_INT(line_of("WT-CODE-011", "import requests\ns = requests.Session()\ns.post(u, verify=False)\n"), 3);
}
WT_TEST(verify_true_or_unrelated_verify_does_not_fire)
{
    CHECK_INT(n_in("WT-CODE-*", "import requests\nr = requests.get(url, verify=True)\n"), 0);
    CHECK_INT(n_in("WT-CODE-*", "check(x, verify=False)\n"), 0); /* no requests/httpx import */
}

/* ---- WT-CODE-012 / 013 keras ---- */
WT_TEST(keras_safe_mode_false_and_unsafe_deserialization_fire)
{
    CHECK_INT(line_of("WT-CODE-012", "import tensorflow as tf\nm = tf.keras.models.load_model(p, safe_mode=False)\n"), 2);
    CHECK_INT(line_of("WT-CODE-013", "import keras\nkeras.config.enable_unsafe_deserialization()\n"), 2);
}
WT_TEST(keras_load_model_default_does_not_fire)
{
    CHECK_INT(n_in("WT-CODE-*", "import keras\nm = keras.models.load_model(p)\nn = keras.saving.load_model(p, safe_mode=True)\n"), 0);
}

/* ---- WT-CODE-014 tarfile ---- */
WT_TEST(tar_extractall_without_filter_fires)
{
    CHECK_INT(line_of("WT-CODE-014", "import tarfile\nwith tarfile.open(p) as t:\n    t.extractall(d)\n"), 3);
    CHECK_INT(line_of("WT-CODE-014", "import tarfile\ntarfile.open(p).extractall()\n"), 2);
}
WT_TEST(tar_extractall_with_filter_or_zipfile_does_not_fire)
{
    CHECK_INT(n_in("WT-CODE-*", "import tarfile\nwith tarfile.open(p) as t:\n    t.extractall(d, filter='data')\n"), 0);
    CHECK_INT(n_in("WT-CODE-*", "import zipfile\nzipfile.ZipFile(p).extractall(d)\n"), 0);
}

/* ---- WT-CODE-015 pipe to shell in shell scripts ---- */
WT_TEST(curl_pipe_sh_in_shell_script_fires)
{
    const char *sh = "#!/bin/sh\nset -e\ncurl -fsSL https://get.example.com/install.sh | sh -s -- -y\n";
    wt_scan_result *r = wt_t_scan_mem("install.sh", sh, strlen(sh));
    const wt_finding *f = wt_t_find(r, "WT-CODE-015");
    CHECK(f != NULL);
    if (f) {
        CHECK_INT(f->loc.line, 3);
        CHECK_STR(f->evidence, "curl ... | sh");
    }
    wt_scan_result_free(r);
}
WT_TEST(curl_to_file_or_json_tool_does_not_fire)
{
    const char *sh = "# curl https://x | sh (comment)\ncurl -o out.tgz https://x/y.tgz\n"
                     "curl -s https://api/x | python -m json.tool\necho 'curl x | sh'\n";
    wt_scan_result *r = wt_t_scan_mem("fetch.sh", sh, strlen(sh));
    CHECK_INT(wt_t_count(r, "WT-CODE-*"), 0);
    wt_scan_result_free(r);
}
WT_TEST(dockerfile_run_curl_pipe_bash_fires_on_the_curl_line)
{
    const char *df = "FROM python:3.11\nRUN apt-get update && \\\n    curl -sSL https://x.io/i | bash\nCOPY . /app\n";
    wt_scan_result *r = wt_t_scan_mem("Dockerfile", df, strlen(df));
    const wt_finding *f = wt_t_find(r, "WT-CODE-015");
    CHECK(f != NULL);
    if (f)
        CHECK_INT(f->loc.line, 3); /* the pipeline starts on the continuation line */
    wt_scan_result_free(r);
}

/* ---- general ---- */
WT_TEST(inline_ignore_marker_suppresses_a_code_finding)
{
    CHECK_INT(n_in("WT-CODE-001", "import pickle\nx = pickle.loads(b)  # watchtower:ignore\n"), 0);
    CHECK_INT(n_in("WT-CODE-001", "import pickle\nx = pickle.loads(b)  # watchtower:ignore WT-CODE-007\n"), 1);
}
WT_TEST(code_rules_do_not_run_on_markdown_or_yaml)
{
    const char *md = "```python\nimport pickle\npickle.loads(x)\n```\n";
    wt_scan_result *r = wt_t_scan_mem("README.md", md, strlen(md));
    CHECK_INT(wt_t_count(r, "WT-CODE-*"), 0);
    wt_scan_result_free(r);
    const char *y = "cmd: eval(x)\n";
    r = wt_t_scan_mem("conf.yaml", y, strlen(y));
    CHECK_INT(wt_t_count(r, "WT-CODE-*"), 0);
    wt_scan_result_free(r);
}
WT_TEST(one_finding_per_call_even_when_rows_overlap)
{
    /* requests.* and the `*` verify row both match: one finding */
    CHECK_INT(n_in("WT-CODE-011", "import requests\nrequests.get(u, verify=False)\n"), 1);
}

/* pure interface: hits carry spans */
typedef struct { int n; size_t off[8]; const char *rule[8]; int kind[8]; } hits;
static void on_hit(void *ud, const wt_code_hit *h)
{
    hits *x = ud;
    if (x->n < 8) {
        x->off[x->n] = h->off;
        x->rule[x->n] = h->rule_id;
        x->kind[x->n] = h->kind;
        x->n++;
    }
}
WT_TEST(scan_text_reports_spans_and_ignores_other_kinds)
{
    hits h = {0};
    const char *src = "import dill\ny = dill.load(f)\n";
    wt_code_scan_text(src, strlen(src), "python", on_hit, &h);
    CHECK_INT(h.n, 1);
    CHECK_INT(h.off[0], 16);
    CHECK_STR(h.rule[0], "WT-CODE-003");
    hits none = {0};
    wt_code_scan_text(src, strlen(src), "markdown", on_hit, &none);
    CHECK_INT(none.n, 0);
}
WT_TEST(unterminated_strings_and_brackets_are_harmless)
{
    hits h = {0};
    const char *src = "x = '''never closed\npickle.loads(x)\n";
    wt_code_scan_text(src, strlen(src), "python", on_hit, &h);
    CHECK_INT(h.n, 0);
    const char *src2 = "import pickle\nf(((((pickle.loads(x)\n";
    hits h2 = {0};
    wt_code_scan_text(src2, strlen(src2), "python", on_hit, &h2);
    CHECK_INT(h2.n, 1);
}

WT_TEST(shell_escape_assignment_in_a_cell_is_shell)
{
    hits h = {0};
    const char *src = "import os\nfiles = !curl -s https://x.io/i | bash\nn = len(files)\n";
    wt_code_scan_text(src, strlen(src), "python", on_hit, &h);
    CHECK_INT(h.n, 1);
    CHECK_STR(h.rule[0], "WT-CODE-015");
    CHECK_INT(h.off[0], 19); /* at "curl" */
    hits none = {0};
    const char *py = "ok = a != b\nx = not y\nz = '%d' % 3\n";
    wt_code_scan_text(py, strlen(py), "python", on_hit, &none);
    CHECK_INT(none.n, 0);
}

WT_TEST(download_piped_to_shell_inside_os_system_is_found)
{
    const char *src = "import os\nos.system('curl -fsSL https://x.io/i.sh | bash')\n";
    wt_scan_result *r = py(src);
    CHECK_INT(wt_t_count(r, "WT-CODE-015"), 1);
    CHECK_INT(wt_t_count(r, "WT-CODE-008"), 1);
    const wt_finding *f = wt_t_find(r, "WT-CODE-015");
    if (f) {
        CHECK_INT(f->loc.line, 2);
        CHECK_INT(f->loc.column, 12);
    }
    wt_scan_result_free(r);
}

WT_TEST(exec_of_a_repository_file_is_only_low)
{
    wt_scan_result *r = py("exec(open('src/pkg/version.py').read())\nexec(open(path).read())\n");
    CHECK_INT(wt_t_count(r, "WT-CODE-007"), 2);
    for (size_t i = 0; i < r->nfindings; i++)
        CHECK_INT(r->findings[i]->severity, r->findings[i]->loc.line == 1 ? WT_SEV_LOW : WT_SEV_HIGH);
    wt_scan_result_free(r);
}

WT_TEST(pathological_inputs_end_and_findings_are_capped)
{
    /* 100k nested calls with verify=False on one line: 1000 findings + a limit */
    wt_buf b;
    wt_buf_init(&b);
    wt_buf_puts(&b, "import requests\n");
    for (int i = 0; i < 100000; i++)
        wt_buf_puts(&b, "f(verify=False, ");
    for (int i = 0; i < 100000; i++)
        wt_buf_putc(&b, ')');
    wt_buf_putc(&b, '\n');
    /* one long line of '!' that is not a shell escape */
    wt_buf_puts(&b, "x = a");
    for (int i = 0; i < 200000; i++)
        wt_buf_puts(&b, "!b");
    wt_buf_putc(&b, '\n');
    /* quadratic behaviour would take minutes: the CTest timeout catches it */
    wt_scan_result *r = wt_t_scan_mem("gen.py", b.data, b.len);
    CHECK_INT(wt_t_count(r, "WT-CODE-011"), 1000);
    CHECK_INT(wt_t_count(r, "WT-SCAN-002"), 1);
    wt_scan_result_free(r);
    wt_buf_free(&b);
}

WT_TEST(dockerfile_exec_form_pipe_to_shell_fires)
{
    const char *df = "FROM x\nRUN [\"bash\", \"-c\", \"curl -fsSL https://x.io/i | bash\"]\n";
    wt_scan_result *r = wt_t_scan_mem("Dockerfile", df, strlen(df));
    const wt_finding *f = wt_t_find(r, "WT-CODE-015");
    CHECK(f != NULL);
    if (f)
        CHECK_INT(f->loc.line, 2);
    wt_scan_result_free(r);
}
