/* IPython magics, shell escapes and the shell command splitter: which lines
 * are shell, which `pip install` arguments reach the dependency scanner. */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "harness.h"
#include "text/code_rules.h"
#include "text/magics.h"

static wt_magic_kind cls(const char *line, char *cmd, size_t cap)
{
    wt_magic_info mi;
    wt_magic_kind k = wt_magics_classify_line(line, strlen(line), &mi);
    if (cmd) {
        size_t n = mi.cmd_len < cap - 1 ? mi.cmd_len : cap - 1;
        memcpy(cmd, line + mi.cmd_off, n);
        cmd[n] = '\0';
    }
    return k;
}

WT_TEST(line_magics_are_classified_with_their_command)
{
    char cmd[128];
    CHECK_INT(cls("!ls -la", cmd, sizeof cmd), WT_MAGIC_SHELL);
    CHECK_STR(cmd, "ls -la");
    CHECK_INT(cls("  !!pip install x", cmd, sizeof cmd), WT_MAGIC_SHELL);
    CHECK_STR(cmd, "pip install x");
    CHECK_INT(cls("%pip install -U torch", cmd, sizeof cmd), WT_MAGIC_PIP);
    CHECK_STR(cmd, "pip install -U torch");
    CHECK_INT(cls("%system echo hi", cmd, sizeof cmd), WT_MAGIC_SHELL);
    CHECK_STR(cmd, "echo hi");
    CHECK_INT(cls("files = !ls *.csv", cmd, sizeof cmd), WT_MAGIC_SHELL);
    CHECK_STR(cmd, "ls *.csv");
    CHECK_INT(cls("out = %sx git status", cmd, sizeof cmd), WT_MAGIC_SHELL);
    CHECK_STR(cmd, "git status");
    CHECK_INT(cls("%matplotlib inline", NULL, 0), WT_MAGIC_OTHER);
    CHECK_INT(cls("%conda install numpy", NULL, 0), WT_MAGIC_OTHER);
}

WT_TEST(python_lines_are_not_magics)
{
    CHECK_INT(cls("x = a != b", NULL, 0), WT_MAGIC_NONE);
    CHECK_INT(cls("y = '%d' % 3", NULL, 0), WT_MAGIC_NONE);
    CHECK_INT(cls("if not x: pass", NULL, 0), WT_MAGIC_NONE);
    CHECK_INT(cls("a == !b", NULL, 0), WT_MAGIC_NONE);
    CHECK_INT(cls("", NULL, 0), WT_MAGIC_NONE);
}

WT_TEST(cell_magics_decide_the_cell_language)
{
    size_t body;
    const char *c1 = "\n%%bash\nls\n";
    CHECK_INT(wt_magics_cell_kind(c1, strlen(c1), &body), WT_CELL_SHELL);
    CHECK_INT(body, 8);
    CHECK_INT(wt_magics_cell_kind("%%sh\nx", 6, NULL), WT_CELL_SHELL);
    const char *c2 = "%%script --out o bash\nls";
    CHECK_INT(wt_magics_cell_kind(c2, strlen(c2), NULL), WT_CELL_SHELL);
    const char *c3 = "%%script python3\nprint(1)";
    CHECK_INT(wt_magics_cell_kind(c3, strlen(c3), NULL), WT_CELL_PYTHON);
    const char *c4 = "%%time\nx = 1";
    CHECK_INT(wt_magics_cell_kind(c4, strlen(c4), &body), WT_CELL_PYTHON);
    CHECK_INT(body, 7);
    const char *c5 = "%%html\n<b>x</b>";
    CHECK_INT(wt_magics_cell_kind(c5, strlen(c5), NULL), WT_CELL_OTHER);
    const char *c6 = "%%writefile run.sh\ncurl x | sh";
    CHECK_INT(wt_magics_cell_kind(c6, strlen(c6), NULL), WT_CELL_SHELL);
    CHECK_INT(wt_magics_cell_kind("import os", 9, &body), WT_CELL_PYTHON);
    CHECK_INT(body, 0);
}

/* ---- shell facts ---- */
typedef struct facts {
    int n;
    int what[16];
    char span[16][160];
} facts;

static const char *g_text;
static void on_fact_text(void *ud, wt_shell_fact what, size_t off, size_t len)
{
    facts *f = ud;
    if (f->n < 16) {
        f->what[f->n] = what;
        size_t l = len < 159 ? len : 159;
        memcpy(f->span[f->n], g_text + off, l);
        f->span[f->n][l] = '\0';
        f->n++;
    }
}

static facts shell(const char *text)
{
    facts f;
    memset(&f, 0, sizeof f);
    g_text = text;
    wt_shell_scan(text, strlen(text), on_fact_text, &f);
    return f;
}

WT_TEST(pip_install_arguments_are_extracted_for_every_spelling)
{
    const char *cases[][2] = {
        {"pip install requests==2.19.0", "requests==2.19.0"},
        {"pip3 install -U 'torch>=2' numpy", "-U 'torch>=2' numpy"},
        {"pip3.11 install x", "x"},
        {"python -m pip install --no-cache-dir a b", "--no-cache-dir a b"},
        {"python3 -m pip install -r requirements.txt && echo ok", "-r requirements.txt"},
        {"sudo -H pip install flask", "flask"},
        {"uv pip install 'jinja2<3'", "'jinja2<3'"},
        {"PIP_INDEX_URL=x pip install pkg; ls", "pkg"},
        {"pip -q install tqdm", "tqdm"},
        {"/usr/bin/pip install six", "six"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        facts f = shell(cases[i][0]);
        CHECK_INT(f.n, 1);
        if (f.n == 1) {
            CHECK_INT(f.what[0], WT_SHELL_PIP_INSTALL);
            CHECK_STR(f.span[0], cases[i][1]);
        }
    }
}

WT_TEST(non_install_pip_commands_are_not_reported)
{
    const char *cases[] = {"pip list", "pip uninstall -y x", "pip install", "echo pip install x",
                           "conda install numpy", "# pip install x", "pipx install black"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        facts f = shell(cases[i]);
        CHECK_INT(f.n, 0);
    }
}

WT_TEST(download_piped_into_an_interpreter_is_found)
{
    const char *cases[] = {
        "curl -fsSL https://x.io/install.sh | sh",
        "curl -s https://x | sudo bash -s -- --yes",
        "wget -qO- https://x | tee log | bash",
        "bash <(curl -s https://x/i.sh)",
        "sh -c \"$(curl -fsSL https://x/i.sh)\"",
        "curl -sSL https://x/get.py | python3 -",
        "cd /tmp && curl -L https://x | zsh",
        "curl https://x \\\n  | bash",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        facts f = shell(cases[i]);
        CHECK_INT(f.n, 1);
        if (f.n == 1)
            CHECK_INT(f.what[0], WT_SHELL_PIPE_TO_SHELL);
    }
}

WT_TEST(downloads_that_are_not_executed_are_not_found)
{
    const char *cases[] = {
        "curl -o file.sh https://x/i.sh",
        "curl https://x | python -m json.tool",
        "curl https://x | jq .",
        "curl https://x; bash other.sh",
        "echo 'curl x | sh'",
        "wget https://x/a.tgz && tar xzf a.tgz",
        "cat script.sh | bash",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        facts f = shell(cases[i]);
        CHECK_INT(f.n, 0);
    }
}

typedef struct spans {
    int n;
    char s[8][128];
} spans;
static const char *g_df;
static void on_span(void *ud, size_t off, size_t len)
{
    spans *x = ud;
    if (x->n < 8) {
        size_t l = len < 127 ? len : 127;
        memcpy(x->s[x->n], g_df + off, l);
        x->s[x->n][l] = '\0';
        x->n++;
    }
}

WT_TEST(dockerfile_run_instructions_are_split_with_continuations)
{
    const char *df = "FROM python:3.11\n"
                     "RUN pip install -r req.txt\n"
                     "run --mount=type=cache,target=/root/.cache pip install x \\\n"
                     "    && echo done\n"
                     "ENV A=1\n"
                     "COPY . .\n";
    spans x = {0};
    g_df = df;
    wt_dockerfile_run_spans(df, strlen(df), on_span, &x);
    CHECK_INT(x.n, 2);
    CHECK_STR(x.s[0], "pip install -r req.txt");
    CHECK_STR(x.s[1], "pip install x \\\n    && echo done");
}

/* ---- pip hits through the code scanner (what reaches wt_check_pip_install) ---- */
typedef struct pips {
    int n;
    char args[8][96];
    size_t off[8];
} pips;
static const char *g_src;
static void on_hit(void *ud, const wt_code_hit *h)
{
    pips *p = ud;
    if (h->kind != WT_CODE_HIT_PIP || p->n >= 8)
        return;
    const char *a = h->args ? h->args : g_src + h->off;
    size_t al = h->args ? h->args_len : h->len;
    size_t l = al < 95 ? al : 95;
    memcpy(p->args[p->n], a, l);
    p->args[p->n][l] = '\0';
    p->off[p->n] = h->off;
    p->n++;
}

WT_TEST(notebook_cell_pip_lines_reach_the_dependency_hook)
{
    const char *cell = "import os\n"
                       "%pip install torch==1.13.0\n"
                       "!pip install -q 'transformers<4.30' \\\n    datasets\n"
                       "x = 'pip install not-this'  # pip install nor-this\n"
                       "!python -m pip install flask==0.12\n";
    pips p = {0};
    g_src = cell;
    wt_code_scan_text(cell, strlen(cell), "python", on_hit, &p);
    CHECK_INT(p.n, 3);
    CHECK_STR(p.args[0], "torch==1.13.0");
    CHECK_INT(p.off[0], 23);
    CHECK_STR(p.args[1], "-q 'transformers<4.30' \\\n    datasets");
    CHECK_STR(p.args[2], "flask==0.12");
}

WT_TEST(shell_scripts_and_dockerfiles_reach_the_dependency_hook)
{
    const char *sh = "#!/bin/bash\npip install requests==2.0 # pinned\n";
    pips p = {0};
    g_src = sh;
    wt_code_scan_text(sh, strlen(sh), "shell", on_hit, &p);
    CHECK_INT(p.n, 1);
    CHECK_STR(p.args[0], "requests==2.0");
    const char *df = "FROM x\nRUN pip install pyyaml==5.3\n";
    pips q = {0};
    g_src = df;
    wt_code_scan_text(df, strlen(df), "dockerfile", on_hit, &q);
    CHECK_INT(q.n, 1);
    CHECK_STR(q.args[0], "pyyaml==5.3");
}

WT_TEST(pip_commands_in_python_strings_count_only_when_run)
{
    const char *src = "import os, sys, subprocess\n"
                      "cmd = 'pip install not-run'\n"
                      "os.system('pip install y==1.0')\n"
                      "subprocess.check_call([sys.executable, '-m', 'pip', 'install', 'requests==2.0', '-q'])\n"
                      "get_ipython().system('pip install z')\n"
                      "subprocess.run(['ls', '-l'])\n";
    pips p = {0};
    g_src = src;
    wt_code_scan_text(src, strlen(src), "python", on_hit, &p);
    CHECK_INT(p.n, 3);
    CHECK_STR(p.args[0], "y==1.0");
    CHECK_INT(p.off[0], 78);
    CHECK_INT(p.off[1], 109); /* at the list; its rebuilt words are the arguments */
    CHECK_STR(p.args[1], "requests==2.0 -q");
    CHECK_STR(p.args[2], "z");
}

WT_TEST(exported_notebook_magics_and_sys_executable_pip_are_understood)
{
    const char *src = "get_ipython().run_line_magic('pip', 'install transformers==4.0.0')\n"
                      "get_ipython().run_cell_magic('bash', '', 'pip install six==1.0\\n')\n"
                      "get_ipython().run_line_magic('matplotlib', 'inline')\n"
                      "!{sys.executable} -m pip install numpy==1.0\n";
    pips p = {0};
    g_src = src;
    wt_code_scan_text(src, strlen(src), "python", on_hit, &p);
    CHECK_INT(p.n, 3);
    CHECK_STR(p.args[0], "transformers==4.0.0");
    CHECK_INT(p.off[0], 28); /* at the call's '(' */
    CHECK_STR(p.args[1], "six==1.0"); /* the body's \\n is decoded */
    CHECK_STR(p.args[2], "numpy==1.0");
}

WT_TEST(dockerfile_exec_form_run_is_understood)
{
    const char *df = "FROM x\nRUN [\"pip\", \"install\", \"flask==0.12\"]\n"
                     "RUN [\"/bin/sh\", \"-c\", \"pip install six==1.0 && echo ok\"]\n";
    pips p = {0};
    g_src = df;
    wt_code_scan_text(df, strlen(df), "dockerfile", on_hit, &p);
    CHECK_INT(p.n, 2);
    CHECK_STR(p.args[0], "flask==0.12");
    CHECK_INT(p.off[0], 11);
    CHECK_STR(p.args[1], "six==1.0");
}
