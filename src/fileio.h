/* fileio.h - the output-file plumbing shared by the .npy and safetensors
 * writers (npy.c, safetensors.c), used by the clinit command (not part of
 * the library API; not installed).
 *
 * A file is created, written in bounded steps and closed; on any failure
 * it is closed and removed, if it is a regular file (never a device node
 * or a FIFO such as /dev/full or /dev/stdout), and the errno of the failed
 * call is kept. No function here exits or prints.
 */
#ifndef CLINIT_FILEIO_H
#define CLINIT_FILEIO_H

#include <stdint.h>
#include <stdio.h>

#include "clinit.h"

/* An output file: a header, then data bytes whose total is announced up
 * front. Fields are private, except `error`: after CLINIT_EIO from a call
 * below it holds the errno of the failed call (0 if the C library did not
 * set one). */
typedef struct clinit_outfile {
    FILE *f;
    char *path;        /* owned copy, for removal on failure */
    uint64_t expected; /* data bytes announced */
    uint64_t written;  /* data bytes appended so far */
    int error;         /* errno of the failed call after CLINIT_EIO */
    int regular;       /* a regular file: removed on failure */
} clinit_outfile;

/* 1 on a little-endian host (the writers write data as it lies in
 * memory), else 0. */
int clinit_host_is_little_endian(void);

/* Copies `path` and creates (or truncates) the file, which is to hold
 * `expected` data bytes after its header. Errors: CLINIT_ENOMEM,
 * CLINIT_EIO (error set; nothing is left behind). *o must be zeroed
 * before; on error it is left closed. */
clinit_status clinit_outfile_create(clinit_outfile *o, const char *path,
                                    uint64_t expected);

/* Writes header bytes (not counted as data) in steps. errno is not reset
 * here. Error: CLINIT_EIO, after which the file is closed and removed. */
clinit_status clinit_outfile_write(clinit_outfile *o, const void *data,
                                   uint64_t bytes);

/* Appends `bytes` data bytes (data may be NULL when bytes is 0). Errors:
 * CLINIT_ENULL (closed file or NULL data), CLINIT_ERANGE (more than
 * announced), CLINIT_EIO; the file is removed after the last two. */
clinit_status clinit_outfile_append(clinit_outfile *o, const void *data,
                                    uint64_t bytes);

/* Flushes and closes the file. Errors: CLINIT_ENULL (already closed),
 * CLINIT_ERANGE (fewer data bytes than announced), CLINIT_EIO; the file
 * is removed after the last two. The file is closed in every case. */
clinit_status clinit_outfile_finish(clinit_outfile *o);

/* Keeps errno of the failed call in o->error, closes and removes the
 * file. Accepts a closed file. */
void clinit_outfile_fail(clinit_outfile *o);

#endif /* CLINIT_FILEIO_H */
