/* gguf.c - GGUF version 3 (ggml's and llama.cpp's checkpoint format,
 * https://github.com/ggml-org/ggml/blob/master/docs/gguf.md) as
 * clinit_io_gguf (writer.h), streamed: `clinit init ... --out X.gguf`.
 *
 * Layout, all little-endian: "GGUF", u32 version 3, u64 tensor count, u64
 * metadata count; the metadata pairs (key as a string, u32 value type,
 * value; a string is u64 length + bytes, an array u32 item type + u64
 * count + items); the tensor infos (name, u32 n_dims, u64 dims in ggml
 * order: torch's last dimension first, u32 ggml type, u64 offset from the
 * start of the data); zero padding to the alignment; the tensors, each
 * padded with zeros to a multiple of the alignment. The alignment is 32,
 * or the metadata's "general.alignment" (a u32 power of two).
 *
 * Tensors: f32, f16, bf16 (ggml types F32 0, F16 1, BF16 30), 1 to 4
 * dimensions (GGML_MAX_DIMS), names of valid UTF-8 of at most 63 bytes
 * (llama.cpp's reader refuses 64: GGML_MAX_NAME). Metadata: typed values
 * (writer.h) and strings; keys unique, of valid UTF-8; arrays of arrays
 * are refused (llama.cpp's reader refuses them too). The caller supplies
 * general.architecture (the GGUF spec requires it); the writer does not
 * invent keys.
 *
 * Every size is known up front, so the header is written first and the
 * data is appended as it is produced, with each tensor's padding written
 * when its last byte is: memory stays bounded whatever the model size.
 */
#include "writer.h"

#include "utf8.h" /* src/: the model parser's rule for a valid name */

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GGUF_VERSION 3u
#define GGUF_DEFAULT_ALIGNMENT 32u
#define GGUF_MAX_NAME 63u /* llama.cpp: name.length() < GGML_MAX_NAME (64) */
#define GGUF_MAX_DIMS 4   /* GGML_MAX_DIMS */
#define GGUF_ALIGNMENT_KEY "general.alignment"

/* The ggml type of a dtype, -1 if GGUF (as llama.cpp reads it) has none
 * that clinit stores bit for bit. */
static int ggml_type(clinit_dtype dt)
{
    switch (dt) {
    case CLINIT_F32:
        return 0;
    case CLINIT_F16:
        return 1;
    case CLINIT_BF16:
        return 30;
    default:
        return -1;
    }
}

static size_t vtype_size(clinit_io_vtype t)
{
    switch (t) {
#define GGUF_VTYPE_SIZE(n, id, name, size)                                     \
    case CLINIT_IO_##n:                                                        \
        return size;
        CLINIT_IO_VTYPE_MAP(GGUF_VTYPE_SIZE)
#undef GGUF_VTYPE_SIZE
    default:
        return 0;
    }
}

static int valid_utf8(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    while (*u) {
        uint32_t cp;
        size_t n = clinit_utf8_len(u, &cp);
        if (n == 0)
            return 0;
        u += n;
    }
    return 1;
}

static const char *gguf_refuse(const clinit_io_tensor *t)
{
    if (ggml_type(t->dtype) < 0)
        return "the gguf format holds f32, f16 and bf16 tensors only (ggml "
               "types F32, F16, BF16)";
    if (t->ndim > GGUF_MAX_DIMS)
        return "gguf tensors have at most 4 dimensions (ggml's "
               "GGML_MAX_DIMS)";
    if (t->name && strlen(t->name) > GGUF_MAX_NAME)
        return "gguf tensor names are at most 63 bytes (llama.cpp refuses "
               "longer ones: GGML_MAX_NAME)";
    return NULL;
}

/* ---- checks, before anything is created --------------------------------- */

static clinit_status check_item(clinit_io_vtype t, const clinit_io_item *it)
{
    switch (t) {
    case CLINIT_IO_U8:
        return it->u <= UINT8_MAX ? CLINIT_OK : CLINIT_EPARAM;
    case CLINIT_IO_U16:
        return it->u <= UINT16_MAX ? CLINIT_OK : CLINIT_EPARAM;
    case CLINIT_IO_U32:
        return it->u <= UINT32_MAX ? CLINIT_OK : CLINIT_EPARAM;
    case CLINIT_IO_BOOL:
        return it->u <= 1 ? CLINIT_OK : CLINIT_EPARAM;
    case CLINIT_IO_I8:
        return it->i >= INT8_MIN && it->i <= INT8_MAX ? CLINIT_OK
                                                      : CLINIT_EPARAM;
    case CLINIT_IO_I16:
        return it->i >= INT16_MIN && it->i <= INT16_MAX ? CLINIT_OK
                                                        : CLINIT_EPARAM;
    case CLINIT_IO_I32:
        return it->i >= INT32_MIN && it->i <= INT32_MAX ? CLINIT_OK
                                                        : CLINIT_EPARAM;
    case CLINIT_IO_F32:
        return isfinite(it->f) && fabs(it->f) > FLT_MAX ? CLINIT_EPARAM
                                                        : CLINIT_OK;
    case CLINIT_IO_STRING:
        return !it->s              ? CLINIT_ENULL
               : valid_utf8(it->s) ? CLINIT_OK
                                   : CLINIT_EPARAM;
    case CLINIT_IO_U64:
    case CLINIT_IO_I64:
    case CLINIT_IO_F64:
        return CLINIT_OK;
    default:
        return CLINIT_EPARAM; /* arrays of arrays, unknown types */
    }
}

static clinit_status check_value(const clinit_io_meta *m)
{
    const clinit_io_value *v = m->typed;
    clinit_status st;
    if (!v) /* a string pair */
        return m->value ? check_item(CLINIT_IO_STRING,
                                     &(clinit_io_item){.s = m->value})
                        : CLINIT_ENULL;
    if ((!v->array && v->n != 1) || (v->n > 0 && !v->items))
        return CLINIT_ENULL;
    for (uint64_t k = 0; k < v->n; k++)
        if ((st = check_item(v->type, &v->items[k])) != CLINIT_OK)
            return st;
    return CLINIT_OK;
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp((*(const clinit_io_meta *const *)a)->key,
                  (*(const clinit_io_meta *const *)b)->key);
}

/* Keys present, valid and unique; values valid; *align from
 * general.alignment (a u32 power of two) or the default. */
static clinit_status check_meta(const clinit_io_meta *meta, size_t nmeta,
                                uint64_t *align)
{
    const clinit_io_meta **sorted;
    clinit_status st = CLINIT_OK;
    *align = GGUF_DEFAULT_ALIGNMENT;
    for (size_t i = 0; i < nmeta; i++) {
        const clinit_io_value *v = meta[i].typed;
        if (!meta[i].key)
            return CLINIT_ENULL;
        if (!*meta[i].key || !valid_utf8(meta[i].key))
            return CLINIT_EPARAM;
        if ((st = check_value(&meta[i])) != CLINIT_OK)
            return st;
        if (strcmp(meta[i].key, GGUF_ALIGNMENT_KEY) == 0) {
            /* llama.cpp reads it as a u32 power of two, or fails */
            if (!v || v->array || v->type != CLINIT_IO_U32 ||
                v->items[0].u == 0 || (v->items[0].u & (v->items[0].u - 1)))
                return CLINIT_EPARAM;
            *align = v->items[0].u;
        }
    }
    if (nmeta < 2)
        return CLINIT_OK;
    if (!(sorted = malloc(nmeta * sizeof *sorted)))
        return CLINIT_ENOMEM;
    for (size_t i = 0; i < nmeta; i++)
        sorted[i] = &meta[i];
    qsort(sorted, nmeta, sizeof *sorted, key_cmp);
    for (size_t i = 1; i < nmeta && st == CLINIT_OK; i++)
        if (strcmp(sorted[i - 1]->key, sorted[i]->key) == 0)
            st = CLINIT_EPARAM; /* llama.cpp refuses duplicate keys */
    free(sorted);
    return st;
}

/* Each tensor's bytes into bytes[i]; *data the padded total. */
static clinit_status check_tensors(const clinit_io_tensor *t, size_t n,
                                   uint64_t align, uint64_t *bytes,
                                   uint64_t *data)
{
    *data = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t numel = 1, b, padded;
        if (!t[i].name || !t[i].shape)
            return CLINIT_ENULL;
        if (ggml_type(t[i].dtype) < 0)
            return CLINIT_EDTYPE;
        if (t[i].ndim < 1 || t[i].ndim > GGUF_MAX_DIMS)
            return CLINIT_ESHAPE;
        if (!*t[i].name || strlen(t[i].name) > GGUF_MAX_NAME ||
            !valid_utf8(t[i].name))
            return CLINIT_EPARAM;
        for (int d = 0; d < t[i].ndim; d++) {
            if (t[i].shape[d] < 1)
                return CLINIT_ESHAPE;
            /* ggml counts elements in int64_t */
            if (numel > (uint64_t)INT64_MAX / (uint64_t)t[i].shape[d])
                return CLINIT_EOVERFLOW;
            numel *= (uint64_t)t[i].shape[d];
        }
        if (numel > (uint64_t)INT64_MAX / clinit_dtype_size(t[i].dtype))
            return CLINIT_EOVERFLOW;
        b = numel * clinit_dtype_size(t[i].dtype);
        padded = b + (align - b % align) % align;
        if (padded < b || *data > UINT64_MAX - padded)
            return CLINIT_EOVERFLOW;
        bytes[i] = b;
        *data += padded;
    }
    return CLINIT_OK;
}

/* ---- the header ---------------------------------------------------------- */

/* Header output: the first failure sticks (the file is then abandoned). */
typedef struct hout {
    clinit_outfile *f;
    uint64_t pos;
    clinit_status st;
} hout;

static void put(hout *h, const void *p, size_t n)
{
    if (h->st == CLINIT_OK &&
        (h->st = clinit_outfile_write(h->f, p, n)) == CLINIT_OK)
        h->pos += n;
}

static void put_le(hout *h, uint64_t v, size_t bytes)
{
    unsigned char b[8];
    for (size_t i = 0; i < bytes; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    put(h, b, bytes);
}

static void put_str(hout *h, const char *s)
{
    size_t n = strlen(s);
    put_le(h, n, 8);
    put(h, s, n);
}

static void put_item(hout *h, clinit_io_vtype t, const clinit_io_item *it)
{
    if (t == CLINIT_IO_STRING) {
        put_str(h, it->s);
    } else if (t == CLINIT_IO_F32) {
        float f = (float)it->f;
        uint32_t u;
        memcpy(&u, &f, 4);
        put_le(h, u, 4);
    } else if (t == CLINIT_IO_F64) {
        uint64_t u;
        memcpy(&u, &it->f, 8);
        put_le(h, u, 8);
    } else {
        /* two's complement: the low bytes of .i are those of .u */
        put_le(h, it->u, vtype_size(t));
    }
}

static void put_meta(hout *h, const clinit_io_meta *m)
{
    const clinit_io_value *v = m->typed;
    put_str(h, m->key);
    if (!v) {
        put_le(h, CLINIT_IO_STRING, 4);
        put_str(h, m->value);
        return;
    }
    if (v->array) {
        put_le(h, CLINIT_IO_ARRAY, 4);
        put_le(h, (uint64_t)v->type, 4);
        put_le(h, v->n, 8);
    } else {
        put_le(h, (uint64_t)v->type, 4);
    }
    for (uint64_t k = 0; k < v->n; k++)
        put_item(h, v->type, &v->items[k]);
}

static const unsigned char zeros[256];

static void put_padding(hout *h, uint64_t n)
{
    while (n > 0) {
        size_t step = n < sizeof zeros ? (size_t)n : sizeof zeros;
        put(h, zeros, step);
        n -= step;
    }
}

/* ---- the writer ---------------------------------------------------------- */

typedef struct gguf_state {
    uint64_t align;
    size_t n, cur;   /* tensors; the one being appended */
    uint64_t left;   /* its bytes still to come */
    uint64_t *bytes; /* each tensor's bytes, unpadded */
} gguf_state;

static clinit_status gguf_create(clinit_io_writer *w, const char *path,
                                 const clinit_io_meta *meta, size_t nmeta,
                                 const clinit_io_tensor *t, size_t n)
{
    gguf_state *s;
    uint64_t align, data, off = 0;
    hout h;
    clinit_status st;

    if ((st = check_meta(meta, nmeta, &align)) != CLINIT_OK)
        return st;
    if (n > SIZE_MAX / sizeof *s->bytes)
        return CLINIT_ENOMEM;
    if (!(s = calloc(1, sizeof *s)) ||
        !(s->bytes = malloc((n ? n : 1) * sizeof *s->bytes))) {
        free(s);
        return CLINIT_ENOMEM;
    }
    if ((st = check_tensors(t, n, align, s->bytes, &data)) != CLINIT_OK ||
        (st = clinit_outfile_create(&w->file, path, data)) != CLINIT_OK) {
        free(s->bytes);
        free(s);
        return st;
    }
    s->align = align;
    s->n = n;
    s->left = n ? s->bytes[0] : 0;
    h.f = &w->file;
    h.pos = 0;
    h.st = CLINIT_OK;
    put(&h, "GGUF", 4);
    put_le(&h, GGUF_VERSION, 4);
    put_le(&h, n, 8);
    put_le(&h, nmeta, 8);
    for (size_t i = 0; i < nmeta; i++)
        put_meta(&h, &meta[i]);
    for (size_t i = 0; i < n; i++) {
        put_str(&h, t[i].name);
        put_le(&h, (uint64_t)t[i].ndim, 4);
        for (int d = t[i].ndim - 1; d >= 0; d--) /* ggml: innermost first */
            put_le(&h, (uint64_t)t[i].shape[d], 8);
        put_le(&h, (uint64_t)ggml_type(t[i].dtype), 4);
        put_le(&h, off, 8);
        off += s->bytes[i] + (align - s->bytes[i] % align) % align;
    }
    put_padding(&h, (align - h.pos % align) % align);
    if (h.st != CLINIT_OK) { /* the file was abandoned by the failed write */
        free(s->bytes);
        free(s);
        return h.st;
    }
    w->state = s;
    return CLINIT_OK;
}

static void gguf_free_state(clinit_io_writer *w)
{
    gguf_state *s = w->state;
    if (s)
        free(s->bytes);
    free(s);
    w->state = NULL;
}

static void gguf_abort(clinit_io_writer *w)
{
    gguf_free_state(w);
    clinit_outfile_fail(&w->file);
    w->fmt = NULL;
}

/* The bytes in file order, across tensor boundaries; each tensor's
 * padding follows its last byte. */
static clinit_status gguf_append(clinit_io_writer *w, const void *data,
                                 uint64_t bytes)
{
    gguf_state *s = w->state;
    const unsigned char *p = data;
    clinit_status st;
    if (bytes > 0 && !data)
        return CLINIT_ENULL;
    while (bytes > 0) {
        uint64_t step;
        if (s->cur == s->n) {
            gguf_abort(w);
            return CLINIT_ERANGE;
        }
        step = bytes < s->left ? bytes : s->left;
        if ((st = clinit_outfile_append(&w->file, p, step)) != CLINIT_OK) {
            gguf_abort(w);
            return st;
        }
        p += step;
        bytes -= step;
        if ((s->left -= step) == 0) {
            uint64_t b = s->bytes[s->cur],
                     pad = (s->align - b % s->align) % s->align;
            st = CLINIT_OK;
            while (pad > 0 && st == CLINIT_OK) {
                size_t k = pad < sizeof zeros ? (size_t)pad : sizeof zeros;
                st = clinit_outfile_append(&w->file, zeros, k);
                pad -= k;
            }
            if (st != CLINIT_OK) {
                gguf_abort(w);
                return st;
            }
            if (++s->cur < s->n)
                s->left = s->bytes[s->cur];
        }
    }
    return CLINIT_OK;
}

static clinit_status gguf_finish(clinit_io_writer *w)
{
    gguf_state *s = w->state;
    if (s->cur < s->n) {
        gguf_abort(w);
        return CLINIT_ERANGE;
    }
    gguf_free_state(w);
    w->fmt = NULL;
    return clinit_outfile_finish(&w->file);
}

const clinit_io_format clinit_io_gguf = {"gguf",      ".gguf",     0,
                                         gguf_create, gguf_append, gguf_finish,
                                         gguf_abort,  gguf_refuse};
