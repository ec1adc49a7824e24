/*
 * numpy.h - NumPy .npy analyzer ("numpy").
 *
 * Owns: the .npy header (magic, version, bounded header length, the Python
 * dict literal with descr / fortran_order / shape). Object arrays (any 'O'
 * in the dtype) are pickles after the header: that payload goes to the
 * pickle analyzer. Other arrays are never read: only shape x itemsize is
 * compared with the file size. .npz files are zips of .npy and are handled
 * by the zip analyzer, members coming back here by content.
 */
#ifndef WT_FORMATS_NUMPY_H
#define WT_FORMATS_NUMPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/analyzer.h"

extern const wt_analyzer wt_numpy_analyzer;

/* Parsed header (exposed for tests and fuzzing). */
typedef struct wt_npy_header {
    int major, minor;
    uint64_t data_offset;   /* first byte after the header */
    bool object;            /* dtype contains Python objects */
    bool fortran_order;
    bool size_known;        /* itemsize and shape understood */
    uint64_t itemsize;
    uint64_t count;         /* product of the shape */
    uint64_t nbytes;        /* itemsize * count (when size_known) */
    char descr[128];        /* descr as written (shortened) */
} wt_npy_header;

/* Parse the header from the first bytes of a file; returns 0 or -1 with a
 * message in err. */
int wt_npy_parse_header(const uint8_t *buf, size_t len, wt_npy_header *h, char *err, size_t errlen);

#endif
