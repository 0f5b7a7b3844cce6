/* fileio.h - the output-file plumbing shared by the .npy and safetensors
 * writers (npy.c, safetensors.c) and the plot of `clinit depth --plot`,
 * used by the clinit command (not part of the library API; not installed).
 *
 * Crash-safe replacement (docs/MODEL.md §7): a regular file (or a new
 * one) is never written in place. The bytes go to a temporary
 * ".NAME.tmp-XXXXXX" in the target's directory, which is fsynced and
 * renamed over the target by clinit_outfile_finish (then the directory is
 * fsynced). A target that is a symbolic link is resolved first (a chain
 * of them too, dangling or not): the link stays a link and the file it
 * points to is replaced. On any failure, and on SIGINT, SIGTERM or SIGHUP
 * while a temporary exists, the temporary is removed and the old file is
 * untouched, byte for byte; a signal then terminates the process as it
 * would have by default. The first temporary makes the process ignore
 * SIGXFSZ (so that a file-size limit is an EFBIG error, reported and
 * cleaned up, not a kill that leaves the temporary behind).
 *
 * Written in place instead (nothing there can be replaced, nothing is
 * removed on failure): "-" (standard output), and an existing target that
 * is not a regular file or a directory (a device node such as /dev/null,
 * a FIFO). A directory is an error (EISDIR).
 *
 * The replaced file keeps the old file's permission bits (not its owner,
 * nor its other hard links, which keep the old bytes); a new file gets
 * 0666 minus the umask, as fopen would give it. The directory must allow
 * creating a file in it. No function here exits or
 * prints; the errno of the failed call is kept.
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
    char *path;        /* the file replaced (symlinks resolved), owned */
    char *tmp;         /* the temporary, owned; NULL when written in place */
    uint64_t expected; /* data bytes announced */
    uint64_t written;  /* data bytes appended so far */
    int error;         /* errno of the failed call after CLINIT_EIO */
    int is_stdout;     /* "-": flushed, never closed */
    int guard;         /* slot in the signal cleanup table, -1 if none */
    int sealed;        /* complete and closed, not yet published */
    /* early writeback of a temporary (fileio.c): the file offsets up to
     * which writeback was started and waited for, and `written` then */
    uint64_t wb_started, wb_waited, wb_mark;
} clinit_outfile;

/* 1 on a little-endian host (the writers write data as it lies in
 * memory), else 0. */
int clinit_host_is_little_endian(void);

/* Whether `path` names standard output ("-"). */
int clinit_outfile_is_stdout(const char *path);

/* Prepares the output for `path` (see above), which is to hold `expected`
 * data bytes after its header. Errors: CLINIT_ENOMEM, CLINIT_EIO (error
 * set; nothing is left behind and the target is untouched). *o must be
 * zeroed before; on error it is left closed. */
clinit_status clinit_outfile_create(clinit_outfile *o, const char *path,
                                    uint64_t expected);

/* Writes header bytes (not counted as data) in steps. errno is not reset
 * here. Error: CLINIT_EIO, after which the output is abandoned
 * (clinit_outfile_fail). */
clinit_status clinit_outfile_write(clinit_outfile *o, const void *data,
                                   uint64_t bytes);

/* Appends `bytes` data bytes (data may be NULL when bytes is 0). To a
 * temporary on Linux, every 32 MiB of data the new bytes are handed to
 * writeback and the 32 MiB before are waited for and dropped from the
 * page cache (fileio.c), so the final fsync has little left to do.
 * Errors: CLINIT_ENULL (closed file or NULL data), CLINIT_ERANGE (more
 * than announced), CLINIT_EIO; the output is abandoned after the last
 * two. */
clinit_status clinit_outfile_append(clinit_outfile *o, const void *data,
                                    uint64_t bytes);

/* Flushes, fsyncs and closes the temporary and renames it over the
 * target (in place: flushes and closes). Errors: CLINIT_ENULL (already
 * closed), CLINIT_ERANGE (fewer data bytes than announced), CLINIT_EIO;
 * the output is abandoned after the last two, the target untouched. The
 * file is closed in every case. */
clinit_status clinit_outfile_finish(clinit_outfile *o);

/* The two halves of clinit_outfile_finish, for outputs published
 * together (a sharded checkpoint: every file complete before the first
 * is renamed). seal flushes, fsyncs and closes the temporary (in place:
 * flushes and closes) with finish's errors; the temporary stays, still
 * removed on a signal or by clinit_outfile_fail. publish renames a
 * sealed temporary over the target and fsyncs the directory. Errors:
 * CLINIT_ENULL (not sealed), CLINIT_EIO (the rename; the temporary is
 * then removed, the target untouched). */
clinit_status clinit_outfile_seal(clinit_outfile *o);
clinit_status clinit_outfile_publish(clinit_outfile *o);

/* Abandons the output: keeps errno of the failed call in o->error,
 * closes the file and removes the temporary (the target is untouched).
 * Accepts a closed file and a sealed one (its temporary is removed). */
void clinit_outfile_fail(clinit_outfile *o);

#endif /* CLINIT_FILEIO_H */
