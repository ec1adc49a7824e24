/*
 * reader.h - byte readers: the one way analyzers see an artifact's bytes.
 *
 * A reader is a random-access view of bytes with a known size. Local files
 * are memory-mapped; sub-readers expose a range of a parent (a stored zip
 * member) without copying; memory readers hold decompressed data; custom
 * readers back remote objects (HTTP range requests). Every reader counts the
 * bytes it actually delivered so --stats can show how little a scan reads.
 * Readers are reference counted and safe to use from one thread at a time.
 */
#ifndef WT_READER_H
#define WT_READER_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef struct wt_reader wt_reader;

typedef struct wt_reader_ops {
    /* Read up to len bytes at off into buf; return bytes read (short only at
     * EOF) or -1 on error. */
    long long (*read_at)(void *self, uint64_t off, void *buf, size_t len);
    /* Optional: direct pointer to [off, off+len) if the backing store is in
     * memory; NULL otherwise. */
    const uint8_t *(*map)(void *self, uint64_t off, size_t len);
    void (*close)(void *self);
} wt_reader_ops;

/* Memory-map a local file (falls back to pread for unmappable files). */
wt_reader *wt_reader_open_file(const char *path, char **err);
/* Wrap memory; if owned, free(buf) on close. */
wt_reader *wt_reader_new_mem(const void *buf, size_t len, bool owned);
/* A window [off, off+len) of parent (parent is referenced). */
wt_reader *wt_reader_new_sub(wt_reader *parent, uint64_t off, uint64_t len);
/* Custom backend (remote sources). */
wt_reader *wt_reader_new_custom(const wt_reader_ops *ops, void *self, uint64_t size);

wt_reader *wt_reader_ref(wt_reader *r);
void wt_reader_unref(wt_reader *r);

uint64_t wt_reader_size(const wt_reader *r);
/* Copying read; returns bytes read (short at EOF) or -1. */
long long wt_reader_read(wt_reader *r, uint64_t off, void *buf, size_t len);
/* Read exactly len bytes or fail (returns 0 on success, -1 otherwise). */
int wt_reader_read_exact(wt_reader *r, uint64_t off, void *buf, size_t len);
/* Zero-copy when possible: a pointer to len bytes at off, valid until the
 * next wt_reader_view call on this reader or its release. Returns NULL if
 * the range is outside the reader or cannot be read. */
const uint8_t *wt_reader_view(wt_reader *r, uint64_t off, size_t len);
/* Read the whole reader into a new malloc'd buffer if size <= max. */
uint8_t *wt_reader_slurp(wt_reader *r, uint64_t max, size_t *len);

/* Bytes delivered by base readers (files, custom) in this process. The
 * counter is global and atomic; the scan takes differences. */
uint64_t wt_reader_bytes_read_total(void);
void wt_reader_account(uint64_t n);

#endif
