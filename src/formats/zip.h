/*
 * zip.h - a hand-written, lenient ZIP reader and the "zip" analyzer.
 *
 * Owns: finding the end of central directory (and its ZIP64 variant, and
 * zips with prepended data the way Python's zipfile accepts them; zips appended
 * to other formats through a non-exclusive tail check),
 * reading the central directory AND every local header, and scanning each
 * member the way a lenient reader would see it: when local and central
 * headers disagree every variant is scanned; a wrong CRC, a flag claiming
 * encryption, local entries the central directory does not reference,
 * overlapping entries, entries past the end and bombs are findings, never a
 * reason to stop. Stored members are zero-copy sub-readers; compressed ones
 * are inflated on demand within the limits. Members go back to the core with
 * wt_scan_child() and are classified by content. The analyzer also decides
 * whether the zip is a PyTorch checkpoint (skipping raw tensor storages), a
 * NumPy .npz, a Keras v3 archive or a plain zip.
 */
#ifndef WT_FORMATS_ZIP_H
#define WT_FORMATS_ZIP_H

#include "core/analyzer.h"

extern const wt_analyzer wt_zip_analyzer;
/* Non-exclusive: a zip behind another format (polyglot), found by its end
 * record when the start of the file is not a zip. */
extern const wt_analyzer wt_zip_tail_analyzer;
extern const wt_rule wt_zip_rules[];
extern const size_t wt_zip_nrules;

/* Offset of the end-of-central-directory record within the last bytes of a
 * file (tail = the last taillen bytes), or -1. Exposed for tests. */
long wt_zip_find_eocd(const uint8_t *tail, size_t taillen);

#endif
