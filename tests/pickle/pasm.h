/*
 * pasm.h - a tiny pickle assembler for tests, benchmarks and fuzz seeds.
 * Builds pickle byte streams opcode by opcode; nothing here unpickles.
 */
#ifndef WT_TEST_PASM_H
#define WT_TEST_PASM_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct pasm {
    uint8_t *d;
    size_t n, cap;
} pasm;

static inline void pa_raw(pasm *a, const void *p, size_t n) {
    if (a->n + n > a->cap) {
        while (a->n + n > a->cap) a->cap = a->cap ? a->cap * 2 : 256;
        a->d = realloc(a->d, a->cap);
    }
    memcpy(a->d + a->n, p, n);
    a->n += n;
}
static inline void pa_op(pasm *a, uint8_t op) { pa_raw(a, &op, 1); }
static inline void pa_u16(pasm *a, uint32_t v) { uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)}; pa_raw(a, b, 2); }
static inline void pa_u32(pasm *a, uint32_t v) {
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    pa_raw(a, b, 4);
}
static inline void pa_u64(pasm *a, uint64_t v) { pa_u32(a, (uint32_t)v); pa_u32(a, (uint32_t)(v >> 32)); }
static inline void pa_line(pasm *a, const char *s) { pa_raw(a, s, strlen(s)); pa_op(a, '\n'); }

static inline void pa_proto(pasm *a, int p) { pa_op(a, 0x80); pa_op(a, (uint8_t)p); }
static inline void pa_frame(pasm *a, uint64_t len) { pa_op(a, 0x95); pa_u64(a, len); }
static inline void pa_stop(pasm *a) { pa_op(a, '.'); }
static inline void pa_mark(pasm *a) { pa_op(a, '('); }
/* SHORT_BINUNICODE */
static inline void pa_str(pasm *a, const char *s) {
    size_t n = strlen(s);
    if (n < 256) { pa_op(a, 0x8c); pa_op(a, (uint8_t)n); }
    else { pa_op(a, 'X'); pa_u32(a, (uint32_t)n); }
    pa_raw(a, s, n);
}
/* BINUNICODE */
static inline void pa_binunicode(pasm *a, const char *s) { pa_op(a, 'X'); pa_u32(a, (uint32_t)strlen(s)); pa_raw(a, s, strlen(s)); }
/* SHORT_BINBYTES / BINBYTES */
static inline void pa_bytes(pasm *a, const void *p, size_t n) {
    if (n < 256) { pa_op(a, 'C'); pa_op(a, (uint8_t)n); }
    else { pa_op(a, 'B'); pa_u32(a, (uint32_t)n); }
    pa_raw(a, p, n);
}
static inline void pa_int(pasm *a, int32_t v) {
    if (v >= 0 && v < 256) { pa_op(a, 'K'); pa_op(a, (uint8_t)v); }
    else if (v >= 0 && v < 65536) { pa_op(a, 'M'); pa_u16(a, (uint32_t)v); }
    else { pa_op(a, 'J'); pa_u32(a, (uint32_t)v); }
}
/* GLOBAL (protocol 0-3 style) */
static inline void pa_global(pasm *a, const char *mod, const char *name) { pa_op(a, 'c'); pa_line(a, mod); pa_line(a, name); }
/* STACK_GLOBAL (protocol 4) with literal strings */
static inline void pa_sglobal(pasm *a, const char *mod, const char *name) { pa_str(a, mod); pa_str(a, name); pa_op(a, 0x93); }
static inline void pa_tuple1(pasm *a) { pa_op(a, 0x85); }
static inline void pa_tuple2(pasm *a) { pa_op(a, 0x86); }
static inline void pa_reduce(pasm *a) { pa_op(a, 'R'); }
static inline void pa_memoize(pasm *a) { pa_op(a, 0x94); }
static inline void pa_binput(pasm *a, uint8_t i) { pa_op(a, 'q'); pa_op(a, i); }
static inline void pa_binget(pasm *a, uint8_t i) { pa_op(a, 'h'); pa_op(a, i); }
/* f(s) where f = mod.name via GLOBAL: GLOBAL, str, TUPLE1, REDUCE */
static inline void pa_call1s(pasm *a, const char *mod, const char *name, const char *arg) {
    pa_global(a, mod, name);
    pa_str(a, arg);
    pa_tuple1(a);
    pa_reduce(a);
}
static inline void pa_free(pasm *a) { free(a->d); a->d = NULL; a->n = a->cap = 0; }

#endif
