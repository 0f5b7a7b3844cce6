/* safetensors.c - the safetensors format
 * (https://github.com/huggingface/safetensors) as clinit_io_safetensors
 * (writer.h), streamed: `clinit init`'s output.
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
 */
#include "writer.h"

#include "utf8.h" /* src/: the model parser's rule for a valid name */

#include <stdlib.h>
#include <string.h>

/* Largest header the reference safetensors reader accepts. */
#define ST_MAX_HEADER 100000000u

static const char *st_dtype(clinit_dtype dtype)
{
    switch (dtype) {
    case CLINIT_F32:
        return "F32";
    case CLINIT_F16:
        return "F16";
    case CLINIT_BF16:
        return "BF16";
    case CLINIT_F64:
        return "F64";
    case CLINIT_F8E4M3:
        return "F8_E4M3";
    case CLINIT_F8E5M2:
        return "F8_E5M2";
    default:
        return NULL;
    }
}

/* A growing text buffer; `bad` sticks: 1 after an allocation failure, 2
 * when the text passes ST_MAX_HEADER, 3 for a string that is not
 * valid UTF-8. */
typedef struct sbuf {
    char *p;
    size_t len, cap;
    int bad;
    int count_only; /* only len is kept: the sizing pass */
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->bad)
        return;
    if (b->len + n > ST_MAX_HEADER) {
        b->bad = 2;
        return;
    }
    if (b->count_only) {
        b->len += n;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 4096;
        char *np;
        while (ncap < b->len + n + 1)
            ncap *= 2;
        if (!(np = realloc(b->p, ncap))) {
            b->bad = 1;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

static void sb_u64(sbuf *b, uint64_t v)
{
    char t[24];
    int n = snprintf(t, sizeof t, "%llu", (unsigned long long)v);
    sb_put(b, t, (size_t)n);
}

/* s as a JSON string literal. */
static void sb_json(sbuf *b, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    sb_put(b, "\"", 1);
    while (*u) {
        size_t n;
        uint32_t cp;
        if (*u == '"' || *u == '\\') {
            char e[2] = {'\\', (char)*u};
            sb_put(b, e, 2);
            u++;
        } else if (*u < 0x20 || *u == 0x7f) {
            char e[8];
            snprintf(e, sizeof e, "\\u%04x", *u);
            sb_put(b, e, 6);
            u++;
        } else if ((n = clinit_utf8_len(u, &cp)) == 0) {
            /* never replaced: "w\x80" and "w\x81" must not both become
             * "w\ufffd" */
            if (!b->bad)
                b->bad = 3;
            return;
        } else {
            sb_put(b, (const char *)u, n);
            u += n;
        }
    }
    sb_put(b, "\"", 1);
}

/* The header text for e[0..n) and meta[0..nmeta) into b (padded), *off
 * the data bytes. Returns a status; b->bad reports the buffer's own. */
static clinit_status build_header(sbuf *b, const clinit_io_meta *meta,
                                  size_t nmeta, const clinit_io_tensor *e,
                                  size_t n, uint64_t *off)
{
    size_t pad;
    *off = 0;
    sb_str(b, "{");
    if (nmeta > 0) {
        sb_str(b, "\"__metadata__\":{");
        for (size_t i = 0; i < nmeta; i++) {
            if (!meta[i].key || !meta[i].value)
                return CLINIT_ENULL;
            if (i)
                sb_str(b, ",");
            sb_json(b, meta[i].key);
            sb_str(b, ":");
            sb_json(b, meta[i].value);
        }
        sb_str(b, "}");
    }
    for (size_t i = 0; i < n; i++) {
        const char *dt = st_dtype(e[i].dtype);
        uint64_t numel = 1, bytes;
        if (!e[i].name || !e[i].shape)
            return CLINIT_ENULL;
        if (!dt)
            return CLINIT_EDTYPE;
        if (e[i].ndim < 1 || e[i].ndim > CLINIT_MAX_DIMS)
            return CLINIT_ESHAPE;
        for (int d = 0; d < e[i].ndim; d++) {
            if (e[i].shape[d] < 1)
                return CLINIT_ESHAPE;
            if (numel > UINT64_MAX / (uint64_t)e[i].shape[d])
                return CLINIT_EOVERFLOW;
            numel *= (uint64_t)e[i].shape[d];
        }
        if (numel > UINT64_MAX / clinit_dtype_size(e[i].dtype) ||
            *off > UINT64_MAX - numel * clinit_dtype_size(e[i].dtype))
            return CLINIT_EOVERFLOW;
        bytes = numel * clinit_dtype_size(e[i].dtype);
        sb_str(b, i || nmeta ? "," : "");
        sb_json(b, e[i].name);
        sb_str(b, ":{\"dtype\":\"");
        sb_str(b, dt);
        sb_str(b, "\",\"shape\":[");
        for (int d = 0; d < e[i].ndim; d++) {
            if (d)
                sb_str(b, ",");
            sb_u64(b, (uint64_t)e[i].shape[d]);
        }
        sb_str(b, "],\"data_offsets\":[");
        sb_u64(b, *off);
        sb_str(b, ",");
        sb_u64(b, *off + bytes);
        sb_str(b, "]}");
        *off += bytes;
    }
    sb_str(b, "}");
    pad = (8 - b->len % 8) % 8;
    for (size_t i = 0; i < pad; i++)
        sb_str(b, " ");
    return b->bad == 1   ? CLINIT_ENOMEM
           : b->bad == 3 ? CLINIT_EPARAM
           : b->bad == 2 ? CLINIT_EOVERFLOW
                         : CLINIT_OK;
}

clinit_status clinit_io_safetensors_header(const clinit_io_meta *meta,
                                           size_t nmeta,
                                           const clinit_io_tensor *e, size_t n,
                                           unsigned char **out, uint64_t *len,
                                           uint64_t *data_bytes)
{
    sbuf b = {NULL, 0, 0, 0, 1};
    uint64_t off = 0;
    unsigned char *p;
    clinit_status st;

    *out = NULL;
    /* a sizing pass first: a header over the limit costs no memory */
    if ((st = build_header(&b, meta, nmeta, e, n, &off)) != CLINIT_OK)
        return st;
    if (!(b.p = malloc(b.len + 1)))
        return CLINIT_ENOMEM;
    b.cap = b.len + 1;
    b.len = 0;
    b.count_only = 0;
    if ((st = build_header(&b, meta, nmeta, e, n, &off)) != CLINIT_OK ||
        !(p = malloc(b.len + 8))) {
        free(b.p);
        return st != CLINIT_OK ? st : CLINIT_ENOMEM;
    }
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)((uint64_t)b.len >> (8 * i));
    memcpy(p + 8, b.p, b.len);
    *len = 8 + (uint64_t)b.len;
    *data_bytes = off;
    *out = p;
    free(b.p);
    return CLINIT_OK;
}

static clinit_status st_create(clinit_io_writer *w, const char *path,
                               const clinit_io_meta *meta, size_t nmeta,
                               const clinit_io_tensor *e, size_t n)
{
    unsigned char *h;
    uint64_t len, off;
    clinit_status st =
        clinit_io_safetensors_header(meta, nmeta, e, n, &h, &len, &off);
    if (st != CLINIT_OK)
        return st;
    if ((st = clinit_outfile_create(&w->file, path, off)) == CLINIT_OK)
        st = clinit_outfile_write(&w->file, h, len);
    free(h);
    return st;
}

const clinit_io_format clinit_io_safetensors = {
    "safetensors",          ".safetensors",
    ST_MAX_HEADER,          st_create,
    clinit_io_plain_append, clinit_io_plain_finish,
    clinit_io_plain_abort,  NULL};
