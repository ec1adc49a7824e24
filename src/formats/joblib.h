/*
 * joblib.h - compressed joblib files ("joblib" analyzer).
 *
 * Owns: joblib's own compressed containers: the old "ZF" + hex length +
 * zlib format, the raw zlib stream joblib writes for compress=('zlib', n),
 * and lz4 frames (decoded by lz4.c). gzip/bz2/xz/lzma/zstd joblib files are plain compressed
 * streams and are decoded by the archive analyzer the same way. Uncompressed
 * joblib files are pickles (NumpyArrayWrapper + raw array bytes) and belong
 * to the pickle analyzer.
 */
#ifndef WT_FORMATS_JOBLIB_H
#define WT_FORMATS_JOBLIB_H

#include "core/analyzer.h"

extern const wt_analyzer wt_joblib_analyzer;

#endif
