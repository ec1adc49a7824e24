/*
 * torch.h - PyTorch checkpoint awareness.
 *
 * Owns: recognising the layout of a PyTorch zip checkpoint from its member
 * names (what torch.load reads: <top>/data.pkl, <top>/byteorder,
 * <top>/version, <top>/.data/serialization_id, raw storages <top>/data/<N>),
 * the legacy tar layout (sys_info, pickle, storages, tensors) and the legacy
 * non-zip stream (magic number, protocol, sys_info, data, storage keys as
 * consecutive pickles, then raw storages). The zip and tar readers ask these
 * helpers which members matter; the torch analyzer handles the legacy stream.
 */
#ifndef WT_FORMATS_TORCH_H
#define WT_FORMATS_TORCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/analyzer.h"

typedef struct wt_torch_layout {
    bool is_torch;        /* a <top>/data.pkl exists for the first member's folder */
    bool is_torchscript;  /* also <top>/constants.pkl or <top>/code/ */
    char top[256];        /* the archive folder name torch derives from member 0 */
    size_t ndata_pkl;     /* number of members named */ /* ".../data.pkl" */
    bool data_pkl_elsewhere; /* a data.pkl outside <top>/ */
} wt_torch_layout;

/* Decide the layout from the central-directory names (in order). */
void wt_torch_zip_layout(const char *const *names, size_t n, wt_torch_layout *out);
/* True for a raw tensor storage member of a torch zip: <top>/data/<digits>
 * (torch copies those bytes, never unpickles them). */
bool wt_torch_is_storage_member(const wt_torch_layout *l, const char *name);
/* True for torch's small metadata records (byteorder, version,
 * .data/version, .data/serialization_id, .format_version,
 * .storage_alignment) that torch reads as plain values. */
bool wt_torch_is_metadata_member(const wt_torch_layout *l, const char *name);
/* True for the members torch.load unpickles: <top>/data.pkl (compared
 * case-insensitively, like miniz) and, for TorchScript, <top>/constants.pkl. */
bool wt_torch_is_loaded_pickle(const wt_torch_layout *l, const char *name);
/* Emit the layout findings for a torch zip (WT-TORCH-*). */
void wt_torch_zip_report(wt_ctx *ctx, const wt_torch_layout *l);

/* Length of the pickle starting at buf (up to and including STOP), or 0 if
 * the opcodes are not a complete well-formed pickle within len. Only walks
 * opcode arguments; never interprets anything. */
size_t wt_pickle_span(const uint8_t *buf, size_t len);

/* Scan the `storages` or `tensors` member of a legacy PyTorch tar the way
 * torch reads it: a count pickle, then per record a pickle (scanned: torch
 * unpickles it) followed by raw data whose length the record defines
 * (storages: int64 element count x the element size of the storage type
 * named in the record; tensors: ndim, sizes, strides, offset). Every pickle
 * goes to the pickle analyzer as "<member>[i]"; raw data is never read. */
void wt_torch_legacy_records(wt_ctx *ctx, wt_reader *r, uint64_t off, uint64_t size, const char *member,
                             bool storages);

extern const wt_analyzer wt_torch_legacy_analyzer;
extern const wt_rule wt_torch_rules[];
extern const size_t wt_torch_nrules;

#endif
