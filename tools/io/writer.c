/* writer.c - the output formats' table and dispatch; see writer.h. */
#include "writer.h"

#include <string.h>

/* The formats chosen by file extension (clinit_io_format_for) or by name
 * (clinit_io_format_named: clinit init --format). A new one
 * is declared here (writer.h declares those a command names) and gets its
 * row. .npy is not here: it holds one unnamed array and no metadata, so
 * only `clinit fill` writes it, whatever the name. */
static const clinit_io_format *const formats[] = {
    &clinit_io_safetensors,
    &clinit_io_gguf,
};

#define N_FORMATS (sizeof formats / sizeof formats[0])

const char *clinit_io_vtype_name(clinit_io_vtype t)
{
    switch (t) {
#define CLINIT_IO_VTYPE_CASE(n, id, name, size)                                \
    case CLINIT_IO_##n:                                                        \
        return name;
        CLINIT_IO_VTYPE_MAP(CLINIT_IO_VTYPE_CASE)
#undef CLINIT_IO_VTYPE_CASE
    default:
        return NULL;
    }
}

/* Whether the k bytes at s and t are equal ignoring ASCII case. */
static int equal_nocase(const char *s, const char *t, size_t k)
{
    for (size_t i = 0; i < k; i++) {
        unsigned char a = (unsigned char)s[i], b = (unsigned char)t[i];
        if (a >= 'A' && a <= 'Z')
            a = (unsigned char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (unsigned char)(b - 'A' + 'a');
        if (a != b)
            return 0;
    }
    return 1;
}

static int ends_with_nocase(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return k <= n && equal_nocase(s + n - k, suffix, k);
}

const clinit_io_format *clinit_io_format_for(const char *path,
                                             const clinit_io_format *fallback)
{
    for (size_t i = 0; path && i < N_FORMATS; i++)
        if (formats[i]->ext && ends_with_nocase(path, formats[i]->ext))
            return formats[i];
    return fallback;
}

const clinit_io_format *clinit_io_format_named(const char *name)
{
    for (size_t i = 0; name && i < N_FORMATS; i++)
        if (strlen(name) == strlen(formats[i]->name) &&
            equal_nocase(name, formats[i]->name, strlen(name)))
            return formats[i];
    return NULL;
}

size_t clinit_io_format_count(void)
{
    return N_FORMATS;
}

const clinit_io_format *clinit_io_format_at(size_t i)
{
    return i < N_FORMATS ? formats[i] : NULL;
}

clinit_status clinit_io_create(clinit_io_writer *w, const clinit_io_format *fmt,
                               const char *path, const clinit_io_meta *meta,
                               size_t nmeta, const clinit_io_tensor *t,
                               size_t n)
{
    clinit_status st;
    if (!w)
        return CLINIT_ENULL;
    memset(w, 0, sizeof *w);
    if (!fmt || !path || (n > 0 && !t) || (nmeta > 0 && !meta))
        return CLINIT_ENULL;
    if (!clinit_host_is_little_endian()) /* data is written as it lies */
        return CLINIT_EIO;
    /* a failed create leaves the output closed (and file.error set) */
    if ((st = fmt->create(w, path, meta, nmeta, t, n)) == CLINIT_OK)
        w->fmt = fmt;
    return st;
}

clinit_status clinit_io_append(clinit_io_writer *w, const void *data,
                               uint64_t bytes)
{
    return w && w->fmt ? w->fmt->append(w, data, bytes) : CLINIT_ENULL;
}

clinit_status clinit_io_finish(clinit_io_writer *w)
{
    return w && w->fmt ? w->fmt->finish(w) : CLINIT_ENULL;
}

void clinit_io_abort(clinit_io_writer *w)
{
    if (w && w->fmt)
        w->fmt->abort(w);
}

clinit_status clinit_io_seal(clinit_io_writer *w, clinit_outfile *out)
{
    clinit_status st;
    if (!w || !w->fmt || !out)
        return CLINIT_ENULL;
    if (w->fmt->finish != clinit_io_plain_finish)
        return CLINIT_EPARAM;
    w->fmt = NULL;
    st = clinit_outfile_seal(&w->file);
    *out = w->file;
    memset(&w->file, 0, sizeof w->file);
    w->file.error = out->error;
    return st;
}

clinit_status clinit_io_plain_append(clinit_io_writer *w, const void *data,
                                     uint64_t bytes)
{
    return clinit_outfile_append(&w->file, data, bytes);
}

clinit_status clinit_io_plain_finish(clinit_io_writer *w)
{
    return clinit_outfile_finish(&w->file);
}

void clinit_io_plain_abort(clinit_io_writer *w)
{
    clinit_outfile_fail(&w->file);
}
