/* safetensors.h - a streaming writer for the safetensors format, used by
 * `clinit init` (not part of the library API; not installed).
 *
 * Layout: an 8-byte little-endian header length N, N bytes of JSON
 * {"__metadata__": {"key": "value", ...}, "NAME": {"dtype": "F32",
 * "shape": [...], "data_offsets": [BEGIN, END]}, ...} padded with spaces
 * so that N is a multiple of 8, then the tensors' little-endian bytes
 * back to back in the header's order (offsets relative to the end of the
 * header). dtypes: f32 F32, f16 F16, bf16 BF16, f64 F64.
 *
 * Every size is known up front, so the header is written first and the
 * data is appended as it is produced: memory stays bounded whatever the
 * model size. Names and metadata are JSON-escaped; a string that is not
 * valid UTF-8 is an error (CLINIT_EPARAM), never replaced, so that two
 * distinct names always stay two keys. The header may not exceed
 * 100,000,000 bytes (the reference implementation's limit).
 *
 * The host must be little-endian: the data is written as it lies in
 * memory; on a big-endian host clinit_st_open returns CLINIT_EIO.
 *
 * No function here exits or prints. The file is written crash-safe
 * (fileio.h): on any failure the target is left as it was.
 */
#ifndef CLINIT_SAFETENSORS_H
#define CLINIT_SAFETENSORS_H

#include <stdint.h>

#include "clinit.h"
#include "fileio.h"

/* Largest header the reference safetensors reader accepts. */
#define CLINIT_ST_MAX_HEADER 100000000u

/* One tensor of the file, in file order. */
typedef struct clinit_st_entry {
    const char *name;
    clinit_dtype dtype;
    int ndim; /* 1..CLINIT_MAX_DIMS */
    const int64_t *shape;
} clinit_st_entry;

/* One __metadata__ pair (both strings). */
typedef struct clinit_st_meta {
    const char *key, *value;
} clinit_st_meta;

/* A file being written. Fields are private. */
typedef struct clinit_st_writer {
    clinit_outfile file; /* the file (fileio.h): the data bytes the header
                            announces; file.error: the errno of the
                            failed call after CLINIT_EIO */
    uint64_t header;     /* N */
} clinit_st_writer;

/* Builds the header for the n tensors e[0..n) with the nmeta pairs
 * meta[0..nmeta) (may be NULL when nmeta is 0), then starts the output
 * `path` (fileio.h; "-" is standard output) with the length and the
 * header. Errors, all before anything is created: CLINIT_ENULL,
 * CLINIT_EDTYPE, CLINIT_ESHAPE (ndim or a dimension out of range),
 * CLINIT_EPARAM (a name, key or value is not valid UTF-8),
 * CLINIT_EOVERFLOW (sizes overflow 64 bits or the header is larger than
 * CLINIT_ST_MAX_HEADER), CLINIT_ENOMEM; and CLINIT_EIO (the output could
 * not be created or written; the target is untouched). On error *w is
 * left closed and need not be aborted. */
clinit_status clinit_st_open(clinit_st_writer *w, const char *path,
                             const clinit_st_meta *meta, size_t nmeta,
                             const clinit_st_entry *e, size_t n);

/* Appends `bytes` bytes of tensor data (the next ones in file order).
 * Errors: CLINIT_ENULL, CLINIT_ERANGE (more than the header announced),
 * CLINIT_EIO. On error the writer is aborted (target untouched). */
clinit_status clinit_st_append(clinit_st_writer *w, const void *data,
                               size_t bytes);

/* Flushes, fsyncs and closes the file and puts it in place of the target.
 * Errors: CLINIT_ERANGE (fewer bytes than announced), CLINIT_EIO; the
 * target is untouched on error. The writer is closed in every case; a
 * closed writer gives CLINIT_ENULL. */
clinit_status clinit_st_close(clinit_st_writer *w);

/* Abandons the file (the target is untouched). Accepts NULL and a closed
 * writer. */
void clinit_st_abort(clinit_st_writer *w);

#endif /* CLINIT_SAFETENSORS_H */
