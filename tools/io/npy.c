/* npy.c - .npy (format 1.0) writer; see npy.h and
 * numpy/lib/format.py for the format. */
#include "npy.h"

#include <string.h>

static const char *descr_of(clinit_dtype dtype)
{
    switch (dtype) {
    case CLINIT_F32:
        return "<f4";
    case CLINIT_F16:
        return "<f2";
    case CLINIT_BF16:
        return "<u2"; /* raw bit patterns: numpy has no bfloat16 */
    case CLINIT_F64:
        return "<f8";
    case CLINIT_F8E4M3:
    case CLINIT_F8E5M2:
        return "|u1"; /* raw bit patterns: numpy has no float8 */
    default:
        return NULL;
    }
}

/* The header: magic, version 1.0, little-endian uint16 length, then the
 * dict padded with spaces and ended by '\n' so that the whole header is a
 * multiple of 64 bytes (numpy aligns the data this way). Returns its
 * length, 0 if it does not fit `cap` or a uint16. */
static size_t make_header(char *buf, size_t cap, const char *descr, int ndim,
                          const uint64_t *shape)
{
    size_t n = 10, total;
    int k;
    k = snprintf(buf + n, cap - n,
                 "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
    if (k < 0 || (size_t)k >= cap - n)
        return 0;
    n += (size_t)k;
    for (int d = 0; d < ndim; d++) {
        /* numpy writes a 1-tuple as "(n,)" */
        k = snprintf(buf + n, cap - n, d == 0 ? "%llu" : ", %llu",
                     (unsigned long long)shape[d]);
        if (k < 0 || (size_t)k >= cap - n)
            return 0;
        n += (size_t)k;
    }
    k = snprintf(buf + n, cap - n, "%s), }", ndim == 1 ? "," : "");
    if (k < 0 || (size_t)k >= cap - n)
        return 0;
    n += (size_t)k;
    total = (n + 1 + 63) / 64 * 64; /* + 1 for the '\n' */
    if (total > cap || total - 10 > 65535)
        return 0;
    memset(buf + n, ' ', total - 1 - n);
    buf[total - 1] = '\n';
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (char)((total - 10) & 0xff);
    buf[9] = (char)((total - 10) >> 8);
    return total;
}

clinit_status clinit_npy_open(clinit_npy_writer *w, const char *path,
                              clinit_dtype dtype, int ndim,
                              const uint64_t *shape)
{
    char header[2048];
    const char *descr;
    uint64_t numel = 1;
    size_t hlen;
    clinit_status st;

    if (!w)
        return CLINIT_ENULL;
    memset(w, 0, sizeof *w);
    if (!path || (ndim > 0 && !shape))
        return CLINIT_ENULL;
    if (!(descr = descr_of(dtype)))
        return CLINIT_EDTYPE;
    if (ndim < 0 || ndim > CLINIT_NPY_MAX_DIMS)
        return CLINIT_ESHAPE;
    if (!clinit_host_is_little_endian()) /* see npy.h: data is written as is */
        return CLINIT_EIO;
    w->esize = clinit_dtype_size(dtype);
    for (int d = 0; d < ndim; d++) {
        if (shape[d] != 0 && numel > UINT64_MAX / shape[d])
            return CLINIT_EOVERFLOW;
        numel *= shape[d];
    }
    if (numel > UINT64_MAX / w->esize)
        return CLINIT_EOVERFLOW;
    if (!(hlen = make_header(header, sizeof header, descr, ndim, shape)))
        return CLINIT_EOVERFLOW;

    if ((st = clinit_outfile_create(&w->file, path, numel * w->esize)) !=
        CLINIT_OK)
        return st;
    return clinit_outfile_write(&w->file, header, hlen);
}

clinit_status clinit_npy_append(clinit_npy_writer *w, const void *data,
                                uint64_t count)
{
    if (!w || !w->file.f || (count > 0 && !data))
        return CLINIT_ENULL;
    /* the elements left, checked before count * esize can overflow */
    if (count > (w->file.expected - w->file.written) / w->esize) {
        clinit_outfile_fail(&w->file);
        return CLINIT_ERANGE;
    }
    return clinit_outfile_append(&w->file, data, count * w->esize);
}

clinit_status clinit_npy_close(clinit_npy_writer *w)
{
    return w ? clinit_outfile_finish(&w->file) : CLINIT_ENULL;
}

void clinit_npy_abort(clinit_npy_writer *w)
{
    if (w)
        clinit_outfile_fail(&w->file);
}
