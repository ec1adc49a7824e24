/*
 * pickle.h - the pickle analyzer and its API for other analyzers.
 *
 * Owns: recognising pickle streams by content (protocols 0-5), decoding them
 * with a bounded symbolic VM (pickle_vm.c) that resolves every import and
 * call, and judging the resolved globals against rules/pickle_globals.tsv
 * (pickle_policy.c). Containers that hold pickles (PyTorch zip and legacy
 * files, joblib, npy object arrays, Keras) call wt_pickle_scan() on a reader
 * instead of re-implementing any of this.
 */
#ifndef WT_PICKLE_H
#define WT_PICKLE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/analyzer.h"

extern const wt_analyzer wt_pickle_analyzer;

/* Scan the pickle stream starting at off, then every further pickle
 * concatenated after it (as long as the following bytes decode as a pickle).
 * Findings go to ctx. *consumed (may be NULL) receives the number of bytes
 * from off to the end of the last stream that decoded. Returns WT_OK, or
 * WT_ERR_FORMAT when the first stream is malformed (a finding was emitted),
 * or WT_ERR_LIMIT when a budget stopped decoding (a finding was emitted). */
int wt_pickle_scan(wt_ctx *ctx, wt_reader *r, uint64_t off, uint64_t *consumed);

/* Scan exactly one stream (stops at the first STOP). */
int wt_pickle_scan_one(wt_ctx *ctx, wt_reader *r, uint64_t off, uint64_t *consumed);

/* Content probe: 0 (not a pickle) .. 100. Strict for protocol 0/1 so that
 * ordinary text is not claimed. */
int wt_pickle_probe(const char *name, const uint8_t *head, size_t headlen, uint64_t size);

/* True if buf (len bytes, possibly a truncated head of a longer stream of
 * total size `size`) looks like the start of a pickle. */
bool wt_pickle_looks_like(const uint8_t *buf, size_t len, uint64_t size);

#endif
