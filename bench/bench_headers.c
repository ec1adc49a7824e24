/*
 * bench_headers - bytes read when scanning huge model files whose content is
 * only described by a header, and SavedModel graph throughput.
 *
 *   bench_headers [DIR]
 *
 * Writes (sparse, so no disk is used) a 5 GiB safetensors file with 320
 * tensors and a 5 GiB GGUF file with a 32000-token vocabulary and a chat
 * template, scans each and prints the bytes actually read (target < 1 MB
 * each); the same for a 5 GiB ONNX model with 512 initializers; then writes a SavedModel-shaped saved_model.pb with 300k graph
 * nodes plus a function library and prints the scan rate in MB/s of graph.
 * Figures only: nothing here asserts.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "watchtower/watchtower.h"

static void scan_one(const char *label, const char *path)
{
    wt_scan_options o;
    wt_scan_options_default(&o);
    o.jobs = 1;
    wt_scan_result *r = NULL;
    char *err = NULL;
    const char *t[] = {path};
    uint64_t t0 = wt_now_ns();
    if (wt_scan(t, 1, &o, &r, &err) != WT_OK) {
        fprintf(stderr, "%s: scan failed: %s\n", label, err ? err : "?");
        free(err);
        return;
    }
    double s = (double)(wt_now_ns() - t0) / 1e9;
    printf("%-12s size %.2f GiB  read %llu bytes (%.3f MB)  findings %zu  %.3f s  %.1f MB/s of file\n", label,
           (double)r->bytes_total / (1 << 30), (unsigned long long)r->bytes_read, (double)r->bytes_read / 1e6,
           r->nfindings, s, (double)r->bytes_total / 1e6 / (s > 0 ? s : 1e-9));
    wt_scan_result_free(r);
}

static void put(wt_buf *b, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        wt_buf_putc(b, (char)(v >> (8 * i)));
}

static void gstr(wt_buf *b, const char *s)
{
    put(b, strlen(s), 8);
    wt_buf_puts(b, s);
}

static void write_sparse(const char *path, const wt_buf *head, uint64_t total)
{
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0 || write(fd, head->data, head->len) != (ssize_t)head->len || ftruncate(fd, (off_t)total) != 0) {
        perror(path);
        exit(2);
    }
    close(fd);
}

/* protobuf helpers */
static void pb_varint(wt_buf *b, uint64_t v)
{
    do {
        uint8_t c = v & 0x7f;
        v >>= 7;
        wt_buf_putc(b, (char)(v ? c | 0x80 : c));
    } while (v);
}
static void pb_len(wt_buf *b, int num, const void *p, size_t n)
{
    pb_varint(b, ((uint64_t)num << 3) | 2);
    pb_varint(b, n);
    wt_buf_append(b, p, n);
}
static void pb_node(wt_buf *out, const char *name, const char *op, const char *in1)
{
    wt_buf n;
    wt_buf_init(&n);
    pb_len(&n, 1, name, strlen(name));
    pb_len(&n, 2, op, strlen(op));
    if (in1)
        pb_len(&n, 3, in1, strlen(in1));
    pb_len(&n, 4, "/device:CPU:0", 13);
    pb_len(out, 1, n.data, n.len);
    wt_buf_free(&n);
}

int main(int argc, char **argv)
{
    char dir[256];
    if (argc > 1)
        snprintf(dir, sizeof dir, "%s", argv[1]);
    else {
        const char *t = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/wt-bench-headers-XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            return 2;
        }
    }
    char path[512];
    const uint64_t five = 5ull << 30;

    /* safetensors: 320 x F16 [4096, 2048] = 5 GiB */
    wt_buf h;
    wt_buf_init(&h);
    wt_buf_puts(&h, "{\"__metadata__\":{\"format\":\"pt\"}");
    uint64_t off = 0, per = 4096ull * 2048 * 2;
    for (int i = 0; i < 320; i++) {
        wt_buf_printf(&h, ",\"model.layers.%d.mlp.proj.weight\":{\"dtype\":\"F16\",\"shape\":[4096,2048],"
                          "\"data_offsets\":[%llu,%llu]}",
                      i, (unsigned long long)off, (unsigned long long)(off + per));
        off += per;
    }
    wt_buf_putc(&h, '}');
    wt_buf st;
    wt_buf_init(&st);
    put(&st, h.len, 8);
    wt_buf_append(&st, h.data, h.len);
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    write_sparse(path, &st, 8 + h.len + off);
    scan_one("safetensors", path);
    unlink(path);

    /* GGUF v3: llama-like metadata, 32000 tokens, chat template, one 5 GiB F32 tensor */
    wt_buf g;
    wt_buf_init(&g);
    wt_buf_puts(&g, "GGUF");
    put(&g, 3, 4);
    put(&g, 1, 8);
    put(&g, 4, 8);
    gstr(&g, "general.architecture");
    put(&g, 8, 4);
    gstr(&g, "llama");
    gstr(&g, "tokenizer.ggml.model");
    put(&g, 8, 4);
    gstr(&g, "llama");
    gstr(&g, "tokenizer.ggml.tokens");
    put(&g, 9, 4);
    put(&g, 8, 4);
    put(&g, 32000, 8);
    for (int i = 0; i < 32000; i++) {
        char tok[16];
        snprintf(tok, sizeof tok, "tok%d", i);
        gstr(&g, tok);
    }
    gstr(&g, "tokenizer.chat_template");
    put(&g, 8, 4);
    gstr(&g, "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
             "'<|im_end|>\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}");
    gstr(&g, "token_embd.weight");
    put(&g, 1, 4);
    put(&g, five / 4, 8);
    put(&g, 0, 4);
    put(&g, 0, 8);
    uint64_t start = (g.len + 31) / 32 * 32;
    snprintf(path, sizeof path, "%s/model.gguf", dir);
    write_sparse(path, &g, start + five);
    scan_one("gguf", path);
    unlink(path);

    /* ONNX: 500 initializers of ~10 MiB raw_data each (sparse), 5 GiB */
    {
        snprintf(path, sizeof path, "%s/model.onnx", dir);
        int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
        const int nt = 512;
        const uint64_t tb = five / nt;
        wt_buf th, node, hdr;
        wt_buf_init(&th);
        wt_buf_init(&node);
        wt_buf_init(&hdr);
        pb_len(&node, 4, "MatMul", 6);
        wt_buf_puts(&th, "\x42\x01w\x10\x02");        /* name, data_type */
        pb_varint(&th, (9 << 3) | 2);                    /* raw_data tag */
        pb_varint(&th, tb);
        wt_buf ih;
        wt_buf_init(&ih);
        pb_varint(&ih, (5 << 3) | 2);
        pb_varint(&ih, th.len + tb);
        uint64_t per = ih.len + th.len + tb;
        uint64_t glen = 2 + node.len + (uint64_t)nt * per;
        wt_buf_puts(&hdr, "\x08\x08");
        pb_varint(&hdr, (7 << 3) | 2);
        pb_varint(&hdr, glen);
        pb_len(&hdr, 1, node.data, node.len);
        uint64_t off = 0;
        if (pwrite(fd, hdr.data, hdr.len, 0) != (ssize_t)hdr.len)
            perror("pwrite");
        off = hdr.len;
        for (int i = 0; i < nt; i++) {
            if (pwrite(fd, ih.data, ih.len, (off_t)off) != (ssize_t)ih.len ||
                pwrite(fd, th.data, th.len, (off_t)(off + ih.len)) != (ssize_t)th.len)
                perror("pwrite");
            off += per;
        }
        if (ftruncate(fd, (off_t)off) != 0)
            perror("ftruncate");
        close(fd);
        scan_one("onnx", path);
        unlink(path);
        wt_buf_free(&th);
        wt_buf_free(&node);
        wt_buf_free(&hdr);
        wt_buf_free(&ih);
    }

    /* SavedModel: 300k graph nodes + 2000 functions of 50 nodes */
    wt_buf gd;
    wt_buf_init(&gd);
    char name[64], prev[64] = "x";
    for (int i = 0; i < 300000; i++) {
        snprintf(name, sizeof name, "model/dense_%d/MatMul", i);
        pb_node(&gd, name, (i % 3) ? "MatMul" : "BiasAdd", prev);
        snprintf(prev, sizeof prev, "%s", name);
    }
    wt_buf lib;
    wt_buf_init(&lib);
    for (int f = 0; f < 2000; f++) {
        wt_buf fn, sig;
        wt_buf_init(&fn);
        wt_buf_init(&sig);
        snprintf(name, sizeof name, "__inference_call_%d", f);
        pb_len(&sig, 1, name, strlen(name));
        pb_len(&fn, 1, sig.data, sig.len);
        for (int k = 0; k < 50; k++) {
            wt_buf nd;
            wt_buf_init(&nd);
            snprintf(name, sizeof name, "n%d", k);
            pb_len(&nd, 1, name, strlen(name));
            pb_len(&nd, 2, "Relu", 4);
            pb_len(&fn, 3, nd.data, nd.len);
            wt_buf_free(&nd);
        }
        pb_len(&lib, 1, fn.data, fn.len);
        wt_buf_free(&fn);
        wt_buf_free(&sig);
    }
    pb_len(&gd, 2, lib.data, lib.len);
    wt_buf mg, sm;
    wt_buf_init(&mg);
    wt_buf_init(&sm);
    pb_len(&mg, 1, "\x0a\x05serve", 7);
    pb_len(&mg, 2, gd.data, gd.len);
    pb_varint(&sm, 1 << 3);
    pb_varint(&sm, 1);
    pb_len(&sm, 2, mg.data, mg.len);
    snprintf(path, sizeof path, "%s/saved_model.pb", dir);
    write_sparse(path, &sm, sm.len);
    printf("saved_model.pb: %.1f MB of graph, 400000 nodes\n", (double)sm.len / 1e6);
    scan_one("savedmodel", path);
    unlink(path);
    rmdir(dir);
    wt_buf_free(&h);
    wt_buf_free(&st);
    wt_buf_free(&g);
    wt_buf_free(&gd);
    wt_buf_free(&lib);
    wt_buf_free(&mg);
    wt_buf_free(&sm);
    return 0;
}
