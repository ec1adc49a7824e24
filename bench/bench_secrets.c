/*
 * bench_secrets.c - throughput of the secrets + PII text detectors (one
 * Hyperscan pass per buffer + confirmation) on one thread, over a generated
 * corpus of notebook-like text (code, logs, DataFrame outputs, configs,
 * hashes, URLs, base64 blobs, a few secrets and PII items), cut into
 * cell-sized buffers. Prints MB/s and the ratio to `grep -c` over the same
 * corpus written to a temporary file.
 *
 * usage: bench_secrets [MB]   (default 64)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "text/pii.h"
#include "text/secrets.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static unsigned rs = 2463534242u;
static unsigned rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 17;
    rs ^= rs << 5;
    return rs;
}

static void rstr(char *out, size_t n, const char *alpha)
{
    size_t al = strlen(alpha);
    for (size_t i = 0; i < n; i++)
        out[i] = alpha[rnd() % al];
    out[n] = 0;
}

static const char *const lines[] = {
    "import torch, numpy as np\nfrom transformers import AutoModelForCausalLM, AutoTokenizer\n",
    "model = AutoModelForCausalLM.from_pretrained(\"meta-llama/Llama-2-7b-hf\", torch_dtype=torch.float16)\n",
    "tokenizer.pad_token = tokenizer.eos_token  # needed for batching\n",
    "for epoch in range(num_epochs):\n    for step, batch in enumerate(train_loader):\n        loss = model(**batch).loss\n",
    "        optimizer.step(); scheduler.step(); optimizer.zero_grad()\n",
    "{'loss': 1.8734, 'learning_rate': 1.9e-05, 'epoch': 0.12}\n",
    "Downloading model.safetensors: 100%|##########| 13.5G/13.5G [02:11<00:00, 103MB/s]\n",
    "   100       1.873400         1.802113  0.512300\n",
    "wandb: View run at https://wandb.ai/ml-team/llama-sft/runs/3k9x2m1p\n",
    "api_key = os.environ[\"OPENAI_API_KEY\"]\n",
    "See the docs at https://huggingface.co/docs/transformers/main/en/model_doc/llama for details.\n",
    "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 15.77 GiB total capacity)\n",
    "df.groupby('label').agg({'score': ['mean', 'std']}).reset_index()\n",
    "## Results\nThe model reaches 0.913 accuracy on the validation split (n=12,000).\n",
};

int main(int argc, char **argv)
{
    size_t mb = argc > 1 ? (size_t)atol(argv[1]) : 64;
    size_t total = mb << 20;
    char *corpus = malloc(total + 4096);
    size_t len = 0;
    char tmp[512];
    size_t nl = sizeof lines / sizeof lines[0];
    while (len < total) {
        unsigned r = rnd() % 1000;
        const char *add;
        if (r < 900) {
            add = lines[rnd() % nl];
        } else if (r < 960) {
            char h[65];
            rstr(h, 64, "0123456789abcdef");
            snprintf(tmp, sizeof tmp, "sha256 %s commit %.40s id %.8s-%.4s-4%.3s-a%.3s-%.12s\n", h, h + 3, h, h + 8,
                     h + 12, h + 15, h + 18);
            add = tmp;
        } else if (r < 990) {
            char b[401];
            rstr(b, 400, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
            snprintf(tmp, sizeof tmp, "\"image/png\": \"iVBORw0KGgo%s\"\n", b);
            add = tmp;
        } else if (r < 995) {
            snprintf(tmp, sizeof tmp, "%u  Jane Roe%u   jane.roe%u@mailbox.org  +44 20 7946 %04u\n", rnd() % 100,
                     rnd() % 10, rnd() % 1000, rnd() % 10000);
            add = tmp;
        } else {
            char b[41];
            rstr(b, 34, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
            snprintf(tmp, sizeof tmp, "login(token=\"hf_%s\")\n", b);
            add = tmp;
        }
        size_t al = strlen(add);
        memcpy(corpus + len, add, al);
        len += al;
    }
    corpus[len] = 0;

    /* compile the databases first (once per process, not per scan) */
    double c0 = now();
    wt_secrets_scan_buffer_for_test("x", 1, "python", NULL, NULL);
    double compile_s = now() - c0;

    /* cell-sized buffers (1..16 KiB, cut at line ends) */
    size_t nmatches = 0, nbuf = 0;
    double t0 = now();
    size_t off = 0;
    while (off < len) {
        size_t want = 1024 + rnd() % 15360;
        size_t end = off + want < len ? off + want : len;
        while (end < len && corpus[end - 1] != '\n')
            end++;
        nmatches += wt_secrets_scan_buffer_for_test(corpus + off, end - off, "python", NULL, NULL);
        nmatches += wt_pii_scan_buffer_for_test(corpus + off, end - off, "output", "output", NULL, NULL);
        nbuf++;
        off = end;
    }
    double t1 = now();
    double mbs = (double)len / (1 << 20) / (t1 - t0);

    /* one large buffer */
    double t2 = now();
    size_t nbig = wt_secrets_scan_buffer_for_test(corpus, len, "python", NULL, NULL);
    nbig += wt_pii_scan_buffer_for_test(corpus, len, "output", "output", NULL, NULL);
    double t3 = now();
    double mbs_big = (double)len / (1 << 20) / (t3 - t2);

    /* grep -c baseline over the same bytes */
    char path[] = "/tmp/wt_bench_secretsXXXXXX";
    int fd = mkstemp(path);
    double grep_s = -1;
    if (fd >= 0) {
        FILE *f = fdopen(fd, "wb");
        fwrite(corpus, 1, len, f);
        fclose(f);
        char cmd[512];
        /* not > /dev/null: GNU grep then stops at the first match */
        snprintf(cmd, sizeof cmd, "grep -c -E 'password|token|AKIA' %s > %s.out", path, path);
        (void)!system(cmd); /* warm the page cache */
        double g0 = now();
        (void)!system(cmd);
        grep_s = now() - g0;
        char out[64];
        snprintf(out, sizeof out, "%s.out", path);
        unlink(out);
        if (getenv("WT_BENCH_KEEP")) fprintf(stderr, "corpus kept at %s\n", path); else unlink(path);
    }
    double grep_mbs = grep_s > 0 ? (double)len / (1 << 20) / grep_s : 0;
    printf("corpus: %.1f MB in %zu cell-sized buffers; %zu matches (%zu in one buffer)\n", (double)len / (1 << 20),
           nbuf, nmatches, nbig);
    printf("rule databases compiled once in %.2f s\n", compile_s);
    printf("secrets+pii, 1 thread, cell buffers: %.1f MB/s\n", mbs);
    printf("secrets+pii, 1 thread, one buffer:   %.1f MB/s\n", mbs_big);
    if (grep_mbs > 0)
        printf("grep -c -E 'password|token|AKIA':     %.1f MB/s  (watchtower/grep = %.2f)\n", grep_mbs, mbs / grep_mbs);
    free(corpus);
    return 0;
}
