/*
 * bench_text - throughput of the whole text pipeline (notebook JSON parse and
 * walk, .py/.sh/config reading, every registered text detector: unsafe code,
 * and secrets / PII once registered) over a generated corpus of realistic ML
 * notebooks and Python sources.
 *
 * Usage: bench_text [MB] [DIR]    (default 200 MB in a temp dir under /tmp)
 *
 * Prints MB/s single-threaded (first run, which includes compiling the rule
 * databases once per process, and warm runs) and with every core, the time
 * of a plain `grep -rc password` over the same files and the ratio, peak
 * RSS, and a breakdown: notebook parse + walk alone, and the unsafe-code
 * detector alone (both in memory, no detectors / only "code").
 * Figures only: nothing here asserts timings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "text/code_rules.h"
#include "text/notebook.h"
#include "watchtower/watchtower.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}
static unsigned pick(unsigned n) { return (unsigned)(rnd() % n); }

/* JSON-safe Python lines (\" escapes are decoded by the notebook reader) */
static const char *const py_lines[] = {
    "import os",
    "import json",
    "import numpy as np",
    "import pandas as pd",
    "import torch",
    "import torch.nn as nn",
    "from torch.utils.data import DataLoader, Dataset",
    "from transformers import AutoTokenizer, AutoModelForCausalLM",
    "from sklearn.model_selection import train_test_split",
    "MODEL_ID = \\\"meta-llama/Llama-2-7b-hf\\\"",
    "tokenizer = AutoTokenizer.from_pretrained(MODEL_ID, revision=\\\"4f1a2c3d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b\\\")",
    "model = AutoModelForCausalLM.from_pretrained(MODEL_ID, torch_dtype=torch.float16)",
    "state = torch.load(\\\"checkpoints/epoch_12.pt\\\", map_location=\\\"cpu\\\", weights_only=True)",
    "model.load_state_dict(state)",
    "model.eval()",
    "df = pd.read_csv(\\\"data/train.csv\\\")",
    "df[\\\"label\\\"] = df[\\\"label\\\"].astype(int)",
    "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)",
    "for epoch in range(num_epochs):",
    "    for step, batch in enumerate(loader):",
    "        optimizer.zero_grad()",
    "        loss = criterion(model(batch[\\\"input_ids\\\"]), batch[\\\"labels\\\"])",
    "        loss.backward()",
    "        optimizer.step()",
    "    print(f\\\"epoch {epoch}: loss={loss.item():.4f}\\\")",
    "embeddings = np.load(\\\"cache/emb.npy\\\")",
    "password = os.environ.get(\\\"DB_PASSWORD\\\")  # read from the environment",
    "url = \\\"https://huggingface.co/datasets/imdb/resolve/main/plain_text/train-00000-of-00001.parquet\\\"",
    "run_id = \\\"1b4e28ba-2fa1-11d2-883f-0016d3cca427\\\"",
    "digest = \\\"sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\\\"",
    "results = {\\\"accuracy\\\": acc, \\\"f1\\\": f1, \\\"run\\\": run_id}",
    "# evaluate on the held-out split",
    "",
};
#define NPY (sizeof py_lines / sizeof py_lines[0])

static const char *const md_lines[] = {
    "# Fine-tuning experiment",
    "We fine-tune the model on the training split and report accuracy and F1.",
    "See https://arxiv.org/abs/1706.03762 for the architecture.",
    "| metric | value |",
    "|---|---|",
    "| accuracy | 0.913 |",
    "- learning rate: 2e-5, batch size 32, 3 epochs",
};
#define NMD (sizeof md_lines / sizeof md_lines[0])

static void json_lines(wt_buf *b, const char *const *pool, size_t npool, int n, const char *indent)
{
    wt_buf_puts(b, "[\n");
    for (int i = 0; i < n; i++) {
        wt_buf_printf(b, "%s\"%s%s\"%s\n", indent, pool[pick((unsigned)npool)], i + 1 < n ? "\\n" : "",
                      i + 1 < n ? "," : "");
    }
    wt_buf_printf(b, "%.*s]", (int)strlen(indent) - 1, indent);
}

static void gen_image(wt_buf *b, size_t n)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    wt_buf_puts(b, "\"iVBORw0KGgoAAAANSUhEUgAA");
    wt_buf_reserve(b, n + 8);
    for (size_t i = 0; i < n; i++)
        b->data[b->len++] = b64[rnd() & 63];
    b->data[b->len] = '\0';
    wt_buf_puts(b, "==\"");
}

static void gen_html_table(wt_buf *b, int rows)
{
    wt_buf_puts(b, "[\n       \"<div>\\n\",\n       \"<table border=\\\"1\\\" class=\\\"dataframe\\\">\\n\",\n");
    wt_buf_puts(b, "       \"  <thead><tr><th></th><th>epoch</th><th>loss</th><th>accuracy</th></tr></thead>\\n\",\n");
    for (int r = 0; r < rows; r++)
        wt_buf_printf(b, "       \"    <tr><th>%d</th><td>%d</td><td>%.4f</td><td>%.3f</td></tr>\\n\",\n", r, r,
                      (double)pick(10000) / 5000.0, (double)pick(1000) / 1000.0);
    wt_buf_puts(b, "       \"</table>\\n\",\n       \"</div>\"\n      ]");
}

static void gen_notebook(wt_buf *b, size_t target)
{
    wt_buf_puts(b, "{\n \"cells\": [\n");
    int cell = 0;
    while (b->len < target) {
        if (cell++)
            wt_buf_puts(b, ",\n");
        unsigned t = pick(10);
        if (t < 3) {
            wt_buf_printf(b, "  {\n   \"cell_type\": \"markdown\",\n   \"id\": \"%08llx\",\n   \"metadata\": {},\n   \"source\": ",
                          (unsigned long long)(rnd() & 0xffffffffu));
            json_lines(b, md_lines, NMD, 2 + (int)pick(6), "    ");
            wt_buf_puts(b, "\n  }");
            continue;
        }
        wt_buf_printf(b, "  {\n   \"cell_type\": \"code\",\n   \"execution_count\": %d,\n   \"id\": \"%08llx\",\n"
                         "   \"metadata\": {},\n   \"outputs\": [",
                      cell, (unsigned long long)(rnd() & 0xffffffffu));
        unsigned o = pick(10);
        if (o < 4) {
            wt_buf_puts(b, "\n    {\n     \"name\": \"stdout\",\n     \"output_type\": \"stream\",\n     \"text\": [\n");
            int n = 3 + (int)pick(20);
            for (int i = 0; i < n; i++)
                wt_buf_printf(b, "      \"epoch %d: 100%%|##########| 469/469 [00:%02u<00:00, loss=%.4f]\\n\"%s\n", i,
                              pick(60), (double)pick(10000) / 5000.0, i + 1 < n ? "," : "");
            wt_buf_puts(b, "     ]\n    }\n   ");
        } else if (o < 6) {
            wt_buf_printf(b, "\n    {\n     \"data\": {\n      \"text/html\": ");
            gen_html_table(b, 10 + (int)pick(40));
            wt_buf_puts(b, ",\n      \"text/plain\": [\"   epoch  loss  accuracy\\n\", \"0  0  0.5  0.9\"]\n     },\n"
                           "     \"execution_count\": 1,\n     \"metadata\": {},\n     \"output_type\": \"execute_result\"\n    }\n   ");
        } else if (o < 8) {
            wt_buf_puts(b, "\n    {\n     \"data\": {\n      \"image/png\": ");
            gen_image(b, 8000 + pick(40000));
            wt_buf_puts(b, ",\n      \"text/plain\": [\"<Figure size 640x480 with 1 Axes>\"]\n     },\n"
                           "     \"metadata\": {},\n     \"output_type\": \"display_data\"\n    }\n   ");
        } else if (o == 8) {
            wt_buf_puts(b, "\n    {\n     \"ename\": \"RuntimeError\",\n     \"evalue\": \"CUDA out of memory\",\n"
                           "     \"output_type\": \"error\",\n     \"traceback\": [\n"
                           "      \"\\u001b[0;31mRuntimeError\\u001b[0m   Traceback (most recent call last)\",\n"
                           "      \"Cell \\u001b[0;32mIn[7], line 3\\u001b[0m\",\n"
                           "      \"\\u001b[0;31mRuntimeError\\u001b[0m: CUDA out of memory\"\n     ]\n    }\n   ");
        }
        wt_buf_puts(b, "],\n   \"source\": ");
        json_lines(b, py_lines, NPY, 3 + (int)pick(25), "    ");
        wt_buf_puts(b, "\n  }");
    }
    wt_buf_puts(b, "\n ],\n \"metadata\": {\n  \"kernelspec\": {\"display_name\": \"Python 3\", \"language\": \"python\", "
                   "\"name\": \"python3\"}\n },\n \"nbformat\": 4,\n \"nbformat_minor\": 5\n}\n");
}

static void gen_source(wt_buf *b, size_t target)
{
    while (b->len < target) {
        const char *l = py_lines[pick(NPY)];
        /* undo the JSON escaping of the shared pool */
        for (const char *p = l; *p; p++) {
            if (p[0] == '\\' && p[1] == '"')
                continue;
            wt_buf_putc(b, *p);
        }
        wt_buf_putc(b, '\n');
    }
}

static void write_file(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n) {
        perror(path);
        exit(2);
    }
    fclose(f);
}

static void walk_noop(void *ud, const wt_nb_buffer *b) { *(size_t *)ud += b->len; }

static void walk_code(void *ud, const wt_nb_buffer *b)
{
    *(size_t *)ud += wt_code_scan_text(b->text, b->len, b->kind, NULL, NULL);
}

/* parse + walk (and optionally the code rules) over every file, in memory */
static double breakdown(const char *dir, int nnb, int npy, bool code, size_t *sink)
{
    double secs = 0;
    for (int i = 0; i < nnb + npy; i++) {
        char path[400];
        if (i < nnb)
            snprintf(path, sizeof path, "%s/nb_%04d.ipynb", dir, i);
        else
            snprintf(path, sizeof path, "%s/src_%04d.py", dir, i - nnb);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        char *buf = wt_xmalloc((size_t)n + 1);
        size_t got = fread(buf, 1, (size_t)n, f);
        fclose(f);
        uint64_t t0 = wt_now_ns();
        if (i < nnb) {
            wt_json j;
            if (wt_json_parse(&j, buf, got, 0, 0) == 0) {
                if (code)
                    wt_code_scope_begin();
                wt_notebook_walk(&j, 0, code ? walk_code : walk_noop, NULL, sink, NULL, NULL, 0);
                if (code)
                    wt_code_scope_end();
            }
            wt_json_free(&j);
        } else if (code) {
            *sink += wt_code_scan_text(buf, got, "python", NULL, NULL);
        }
        secs += (double)(wt_now_ns() - t0) / 1e9;
        free(buf);
    }
    return secs;
}

static double scan_once(const char *dir, int jobs, size_t *nfind)
{
    wt_scan_options o;
    wt_scan_options_default(&o);
    o.jobs = jobs;
    const char *t[1] = {dir};
    wt_scan_result *r = NULL;
    char *err = NULL;
    uint64_t t0 = wt_now_ns();
    if (wt_scan(t, 1, &o, &r, &err) != WT_OK) {
        fprintf(stderr, "scan failed: %s\n", err ? err : "?");
        exit(2);
    }
    double s = (double)(wt_now_ns() - t0) / 1e9;
    *nfind = r->nfindings;
    wt_scan_result_free(r);
    return s;
}

int main(int argc, char **argv)
{
    size_t mb = argc > 1 ? (size_t)atoi(argv[1]) : 200;
    if (mb == 0)
        mb = 200;
    char dir[256];
    if (argc > 2)
        snprintf(dir, sizeof dir, "%s", argv[2]);
    else {
        snprintf(dir, sizeof dir, "/tmp/wt-bench-text-XXXXXX");
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            return 2;
        }
    }
    mkdir(dir, 0755);
    /* 70% notebooks (~2 MB each), 30% Python sources (~256 KB each) */
    uint64_t total = 0, want = (uint64_t)mb << 20;
    int nnb = 0, npy = 0;
    wt_buf b;
    wt_buf_init(&b);
    while (total < want) {
        char path[400];
        b.len = 0;
        if (total < want * 7 / 10) {
            gen_notebook(&b, 2u << 20);
            snprintf(path, sizeof path, "%s/nb_%04d.ipynb", dir, nnb++);
        } else {
            gen_source(&b, 256u << 10);
            snprintf(path, sizeof path, "%s/src_%04d.py", dir, npy++);
        }
        write_file(path, b.data, b.len);
        total += b.len;
    }
    wt_buf_free(&b);
    double mbytes = (double)total / 1e6;
    printf("text: corpus %.1f MB (%d notebooks, %d .py) in %s\n", mbytes, nnb, npy, dir);

    size_t nf = 0;
    double s0 = scan_once(dir, 1, &nf);
    printf("text: jobs=1 first run (includes one-time rule compilation): %.3f s, %.1f MB/s\n", s0, mbytes / s0);
    double s1 = scan_once(dir, 1, &nf);
    printf("text: jobs=1: %.3f s, %.1f MB/s, %zu findings\n", s1, mbytes / s1, nf);
    int cores = wt_ncpus();
    if (cores > 1) {
        double sn = scan_once(dir, cores, &nf);
        printf("text: jobs=%d: %.3f s, %.1f MB/s (x%.2f)\n", cores, sn, mbytes / sn, s1 / sn);
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd, "grep -rc password '%s' >/dev/null", dir);
    uint64_t t0 = wt_now_ns();
    if (system(cmd) == -1)
        perror("grep");
    double sg = (double)(wt_now_ns() - t0) / 1e9;
    printf("text: grep -rc password: %.3f s, %.1f MB/s; watchtower/grep time ratio %.2f\n", sg, mbytes / sg, s1 / sg);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("text: peak RSS %.1f MB\n", ru.ru_maxrss / 1024.0);
    size_t sink = 0;
    double nb_bytes = 0;
    for (int i = 0; i < nnb; i++) {
        char path[400];
        struct stat st;
        snprintf(path, sizeof path, "%s/nb_%04d.ipynb", dir, i);
        if (stat(path, &st) == 0)
            nb_bytes += (double)st.st_size;
    }
    double sw = breakdown(dir, nnb, 0, false, &sink);
    printf("text: breakdown: notebook JSON parse + walk only: %.1f MB/s (%.1f MB)\n", nb_bytes / 1e6 / sw,
           nb_bytes / 1e6);
    double sc = breakdown(dir, nnb, npy, true, &sink);
    printf("text: breakdown: parse + walk + unsafe-code rules only: %.1f MB/s\n", mbytes / sc);
    if (argc <= 2) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            return 1;
    }
    return 0;
}
