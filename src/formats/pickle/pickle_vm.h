/*
 * pickle_vm.h - streaming pickle opcode decoder + bounded symbolic VM.
 *
 * Owns: decoding one pickle stream (protocols 0-5, every opcode) from a
 * wt_reader in small windows (zero-copy on mmap), tracking stack, mark stack
 * and memo symbolically, and following every import and call (GLOBAL,
 * STACK_GLOBAL, INST, OBJ, REDUCE, NEWOBJ, NEWOBJ_EX, BUILD, getattr /
 * attrgetter / methodcaller / partial chains, nested loads of embedded
 * bytes). Strings keep only a short prefix, containers only their first
 * items, so memory stays small whatever the stream size.
 */
#ifndef WT_PICKLE_VM_H
#define WT_PICKLE_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/analyzer.h"

/* A set of finding keys shared by several runs over the same bytes, so a
 * second reading (a different loader's view) only adds what is new. */
typedef struct pk_dedupe pk_dedupe;
pk_dedupe *pk_dedupe_new(void);
void pk_dedupe_free(pk_dedupe *d);

/* Outcome of decoding one stream. */
typedef enum {
    PK_END_STOP = 0,   /* reached STOP */
    PK_END_MALFORMED,  /* truncated, bad opcode, underflow...: see err */
    PK_END_LIMIT,      /* a budget stopped decoding (finding emitted) */
} pk_end;

/* Bounds (defaults in pickle_vm.c; tests may lower them). */
typedef struct pk_bounds {
    uint64_t max_ops;       /* opcodes per stream */
    uint32_t max_stack;     /* stack depth */
    uint32_t max_marks;     /* mark-stack depth */
    uint32_t max_memo;      /* memo entries */
    uint32_t max_values;    /* live symbolic values */
    uint32_t max_nested;    /* nested-pickle decode depth */
} pk_bounds;

void pk_bounds_default(pk_bounds *b);

typedef struct pk_run {
    /* inputs */
    wt_ctx *ctx;            /* NULL = silent (probe): no findings */
    wt_reader *r;
    uint64_t off;           /* stream start */
    uint64_t end;           /* reader end (exclusive) */
    pk_bounds bounds;
    int nested_depth;       /* 0 = top-level stream */
    uint64_t report_base;   /* added to offsets in findings (nested bytes) */
    bool fixed_offset;      /* report every finding at report_base (derived bytes) */
    const char *note;       /* prefix for messages (nested pickles) or NULL */
    bool emit_malformed;    /* emit WT-PICKLE-004 on malformed end */
    bool plain;             /* plain pickle.load view: no joblib array stepping */
    pk_dedupe *dedupe;      /* optional: skip findings already emitted */
    bool strict;            /* content probe: GLOBAL/INST/PERSID lines must look like
                               what a pickler writes (identifiers, printable text) */
    /* outputs */
    pk_end result;
    uint64_t pos;           /* offset just after the last decoded opcode */
    uint64_t ops;           /* opcodes decoded */
    uint64_t globals;       /* imports + calls resolved */
    int max_proto;
    uint64_t err_off;
    char err[160];          /* malformed reason */
    size_t findings;        /* findings emitted */
    uint64_t joblib_arrays; /* joblib arrays stepped over (their bytes are not opcodes) */
} pk_run;

/* Decode one stream from run->off. Fills the outputs. */
void pk_vm_run(pk_run *run);

#endif
