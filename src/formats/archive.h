/*
 * archive.h - ordinary archives and compressed streams ("archive" analyzer).
 *
 * Owns: tar (ustar, GNU long names, pax path/size records) read in place by
 * a small bounded reader (members are zero-copy sub-readers; the legacy
 * PyTorch tar layout - sys_info, pickle, storages, tensors - is recognised
 * and its pickles forced through the pickle analyzer); 7z and RAR through
 * libarchive fed from the wt_reader with callbacks; single gzip, bzip2, xz,
 * zstd and lzma-alone streams decompressed within the limits (a .tar.gz is a
 * gzip stream whose content is a tar). Every member goes back to the core
 * with wt_scan_child(); nesting depth is enforced there.
 */
#ifndef WT_FORMATS_ARCHIVE_H
#define WT_FORMATS_ARCHIVE_H

#include "core/analyzer.h"

extern const wt_analyzer wt_archive_analyzer;

#endif
