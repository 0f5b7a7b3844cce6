/* npy.h - a small writer for NumPy's .npy format, version 1.0, used by the
 * clinit command (not part of the library API; not installed).
 *
 * dtype -> descr: f32 '<f4', f64 '<f8', f16 '<f2', bf16 '<u2'. NumPy has
 * no bfloat16, so bf16 arrays are stored as their raw 16-bit patterns
 * (uint16); view them with e.g. ml_dtypes.bfloat16 or shift them left by
 * 16 into float32 bits. Arrays are C order (fortran_order False).
 *
 * The host must be little-endian: the data is written as it lies in
 * memory. On a big-endian host every call returns CLINIT_EIO and writes
 * nothing (checked at run time, so the file still compiles everywhere).
 *
 * No function here exits or prints. The file is written crash-safe
 * (fileio.h; "-" is standard output): on any failure the target is left
 * as it was.
 */
#ifndef CLINIT_NPY_H
#define CLINIT_NPY_H

#include <stdint.h>

#include "clinit.h"
#include "fileio.h"

/* Most dimensions an .npy array written here may have. */
#define CLINIT_NPY_MAX_DIMS 32

/* A file being written: open, append the elements in C order, close (or
 * abort). Fields are private. */
typedef struct clinit_npy_writer {
    clinit_outfile file; /* the file (fileio.h): product of the shape
                            times esize data bytes */
    size_t esize;        /* bytes per element */
} clinit_npy_writer;

/* After CLINIT_EIO from any call below, w->file.error holds the errno of
 * the failed call (0 if the C library did not set one). */

/* Starts the output `path` (fileio.h) and writes the header of an array of
 * `dtype` with `ndim` (0..CLINIT_NPY_MAX_DIMS) dimensions `shape` (each
 * may be 0). Errors: CLINIT_ENULL, CLINIT_EDTYPE, CLINIT_ESHAPE (bad
 * ndim), CLINIT_EOVERFLOW (element count or byte size overflows),
 * CLINIT_ENOMEM, CLINIT_EIO (the file could not be created or written;
 * the target is untouched). On error *w is left closed and need not be
 * aborted. */
clinit_status clinit_npy_open(clinit_npy_writer *w, const char *path,
                              clinit_dtype dtype, int ndim,
                              const uint64_t *shape);

/* Appends `count` elements from `data` (may be NULL when count is 0).
 * Errors: CLINIT_ENULL, CLINIT_ERANGE (more elements than the shape
 * holds), CLINIT_EIO. On error the writer is aborted (target untouched). */
clinit_status clinit_npy_append(clinit_npy_writer *w, const void *data,
                                uint64_t count);

/* Flushes, fsyncs and closes the file and puts it in place of the
 * target. Errors: CLINIT_ERANGE (fewer elements than the shape holds),
 * CLINIT_EIO; the target is untouched on error. The
 * writer is closed in every case. Accepts a closed writer (returns
 * CLINIT_ENULL). */
clinit_status clinit_npy_close(clinit_npy_writer *w);

/* Abandons the file (the target is untouched). Accepts NULL and a closed
 * writer. */
void clinit_npy_abort(clinit_npy_writer *w);

#endif /* CLINIT_NPY_H */
