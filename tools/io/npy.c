/* npy.c - NumPy's .npy format, version 1.0 (numpy/lib/format.py), as
 * clinit_io_npy (writer.h): `clinit fill`'s one array.
 *
 * dtype -> descr: f32 '<f4', f64 '<f8', f16 '<f2', bf16 '<u2'. NumPy has
 * no bfloat16, so bf16 arrays are stored as their raw 16-bit patterns
 * (uint16); view them with e.g. ml_dtypes.bfloat16 or shift them left by
 * 16 into float32 bits. Arrays are C order (fortran_order False).
 *
 * One tensor (else CLINIT_ESHAPE), ndim 1..CLINIT_MAX_DIMS, each
 * dimension >= 0 (an empty --range is a 0-element array); its name and
 * any metadata are not stored. The header must fit a uint16
 * (CLINIT_EOVERFLOW otherwise).
 */
#include "writer.h"

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

static clinit_status npy_create(clinit_io_writer *w, const char *path,
                                const clinit_io_meta *meta, size_t nmeta,
                                const clinit_io_tensor *t, size_t n)
{
    char header[2048];
    const char *descr;
    uint64_t numel = 1, shape[CLINIT_MAX_DIMS];
    size_t hlen, esize;
    clinit_status st;

    (void)meta;
    (void)nmeta;
    if (n != 1)
        return CLINIT_ESHAPE;
    if (t->ndim > 0 && !t->shape)
        return CLINIT_ENULL;
    if (!(descr = descr_of(t->dtype)))
        return CLINIT_EDTYPE;
    if (t->ndim < 1 || t->ndim > CLINIT_MAX_DIMS)
        return CLINIT_ESHAPE;
    esize = clinit_dtype_size(t->dtype);
    for (int d = 0; d < t->ndim; d++) {
        if (t->shape[d] < 0)
            return CLINIT_ESHAPE;
        shape[d] = (uint64_t)t->shape[d];
        if (shape[d] != 0 && numel > UINT64_MAX / shape[d])
            return CLINIT_EOVERFLOW;
        numel *= shape[d];
    }
    if (numel > UINT64_MAX / esize)
        return CLINIT_EOVERFLOW;
    if (!(hlen = make_header(header, sizeof header, descr, t->ndim, shape)))
        return CLINIT_EOVERFLOW;

    if ((st = clinit_outfile_create(&w->file, path, numel * esize)) !=
        CLINIT_OK)
        return st;
    return clinit_outfile_write(&w->file, header, hlen);
}

const clinit_io_format clinit_io_npy = {"npy",
                                        ".npy",
                                        0,
                                        npy_create,
                                        clinit_io_plain_append,
                                        clinit_io_plain_finish,
                                        clinit_io_plain_abort,
                                        NULL};
