/* fileio.c - output files for npy.c and safetensors.c; see fileio.h. */
#define _POSIX_C_SOURCE 200809L /* fstat, fileno */

#include "fileio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Bytes written in one fwrite at most, so huge appends make progress in
 * steps the C library handles everywhere. */
#define WRITE_STEP ((size_t)1 << 26)

int clinit_host_is_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char b[sizeof one];
    memcpy(b, &one, sizeof one);
    return b[0] == 1;
}

void clinit_outfile_fail(clinit_outfile *o)
{
    int e = errno;
    if (o->f) {
        fclose(o->f);
        o->f = NULL;
    }
    if (o->path) {
        if (o->regular)
            remove(o->path);
        free(o->path);
        o->path = NULL;
    }
    o->error = e;
}

clinit_status clinit_outfile_create(clinit_outfile *o, const char *path,
                                    uint64_t expected)
{
    size_t plen = strlen(path);
    if (!(o->path = malloc(plen + 1)))
        return CLINIT_ENOMEM;
    memcpy(o->path, path, plen + 1);
    o->expected = expected;
    errno = 0;
    if (!(o->f = fopen(path, "wb"))) {
        o->error = errno;
        free(o->path);
        o->path = NULL;
        return CLINIT_EIO;
    }
    {
        struct stat sb;
        o->regular = fstat(fileno(o->f), &sb) == 0 && S_ISREG(sb.st_mode);
    }
    return CLINIT_OK;
}

clinit_status clinit_outfile_write(clinit_outfile *o, const void *data,
                                   uint64_t bytes)
{
    const unsigned char *p = data;
    while (bytes > 0) {
        size_t step = bytes < WRITE_STEP ? (size_t)bytes : WRITE_STEP;
        if (fwrite(p, 1, step, o->f) != step) {
            clinit_outfile_fail(o);
            return CLINIT_EIO;
        }
        p += step;
        bytes -= step;
    }
    return CLINIT_OK;
}

clinit_status clinit_outfile_append(clinit_outfile *o, const void *data,
                                    uint64_t bytes)
{
    clinit_status st;
    if (!o->f || (bytes > 0 && !data))
        return CLINIT_ENULL;
    if (bytes > o->expected - o->written) {
        clinit_outfile_fail(o);
        return CLINIT_ERANGE;
    }
    errno = 0;
    if ((st = clinit_outfile_write(o, data, bytes)) != CLINIT_OK)
        return st;
    o->written += bytes;
    return CLINIT_OK;
}

clinit_status clinit_outfile_finish(clinit_outfile *o)
{
    int bad;
    if (!o->f)
        return CLINIT_ENULL;
    if (o->written != o->expected) {
        clinit_outfile_fail(o);
        return CLINIT_ERANGE;
    }
    errno = 0;
    bad = fflush(o->f) != 0 || ferror(o->f);
    bad |= fclose(o->f) != 0;
    o->f = NULL;
    if (bad) {
        clinit_outfile_fail(o);
        return CLINIT_EIO;
    }
    free(o->path);
    o->path = NULL;
    return CLINIT_OK;
}
