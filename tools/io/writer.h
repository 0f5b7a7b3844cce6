/* writer.h - the output formats of the clinit command behind one
 * interface (not part of the library API; not installed).
 *
 * A format is a row of operations, clinit_io_format: create the output
 * for a list of tensors (and metadata), append the bytes of the tensors in
 * that order, finish, or abort. Every format writes crash-safe through
 * fileio.h ("-" is standard output): a temporary next to the target,
 * fsynced and renamed over it by finish; abort, and any failed call,
 * remove the temporary and leave the target as it was.
 *
 * The formats: clinit_io_safetensors (safetensors.c; any number of named
 * tensors and string metadata), clinit_io_gguf (gguf.c; named tensors of
 * at most 4 dimensions, typed metadata) and clinit_io_npy (npy.c; one
 * unnamed array, no metadata: `clinit fill`). clinit_io_format_for picks a
 * format by the file extension from the table in writer.c,
 * clinit_io_format_named by its name. Every format writes its bytes in
 * order through fileio.h, which never seeks, so every format can stream to
 * standard output ("-"); a format that had to seek would need a new fileio
 * call and a way to say so here. A new format is one file,
 * tools/io/<format>.c defining its clinit_io_format, and its declaration
 * and row in writer.c's table.
 *
 * No function here exits or prints.
 */
#ifndef CLINIT_IO_WRITER_H
#define CLINIT_IO_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "clinit.h"
#include "fileio.h"

/* One tensor of the file, in file order; the format checks it (its .c
 * says which names, dtypes and shapes it accepts). */
typedef struct clinit_io_tensor {
    const char *name;
    clinit_dtype dtype;
    int ndim;
    const int64_t *shape;
} clinit_io_tensor;

/* The value types of typed metadata, numbered as GGUF numbers them (the
 * only format that holds them): X(NAME, GGUF id, spec name, bytes; 0:
 * variable). */
#define CLINIT_IO_VTYPE_MAP(X)                                                 \
    X(U8, 0, "u8", 1)                                                          \
    X(I8, 1, "i8", 1)                                                          \
    X(U16, 2, "u16", 2)                                                        \
    X(I16, 3, "i16", 2)                                                        \
    X(U32, 4, "u32", 4)                                                        \
    X(I32, 5, "i32", 4)                                                        \
    X(F32, 6, "f32", 4)                                                        \
    X(BOOL, 7, "bool", 1)                                                      \
    X(STRING, 8, "string", 0)                                                  \
    X(ARRAY, 9, "array", 0)                                                    \
    X(U64, 10, "u64", 8)                                                       \
    X(I64, 11, "i64", 8)                                                       \
    X(F64, 12, "f64", 8)

typedef enum clinit_io_vtype {
#define CLINIT_IO_VTYPE_ENUM(n, id, name, size) CLINIT_IO_##n = id,
    CLINIT_IO_VTYPE_MAP(CLINIT_IO_VTYPE_ENUM)
#undef CLINIT_IO_VTYPE_ENUM
        CLINIT_IO_VTYPE_COUNT
} clinit_io_vtype;

/* One item of a typed value: .u for U8, U16, U32, U64 and BOOL (0 or 1),
 * .i for the signed types, .f for F32 and F64, .s for STRING. */
typedef union clinit_io_item {
    uint64_t u;
    int64_t i;
    double f;
    const char *s;
} clinit_io_item;

/* A typed metadata value: one item of `type`, or (array) n items of it
 * (type is never ARRAY: GGUF readers refuse arrays of arrays). */
typedef struct clinit_io_value {
    clinit_io_vtype type;
    int array;
    uint64_t n; /* items (1 when not an array) */
    const clinit_io_item *items;
} clinit_io_value;

/* One metadata pair: the string `value`, or (typed != NULL, value NULL) a
 * typed value. Formats that hold strings only (safetensors) refuse typed
 * pairs (CLINIT_ENULL: no string). */
typedef struct clinit_io_meta {
    const char *key, *value;
    const clinit_io_value *typed;
} clinit_io_meta;

typedef struct clinit_io_writer clinit_io_writer;

/* A format's operations; called through the clinit_io_* functions below,
 * which document them. A format that writes its header and then the data
 * back to back uses clinit_io_plain_{append,finish,abort}. */
typedef struct clinit_io_format {
    const char *name;    /* "safetensors", as messages say it */
    const char *ext;     /* file extension, with its dot; NULL: none */
    uint64_t max_header; /* largest header a reader accepts; 0: no limit */
    clinit_status (*create)(clinit_io_writer *w, const char *path,
                            const clinit_io_meta *meta, size_t nmeta,
                            const clinit_io_tensor *t, size_t n);
    clinit_status (*append)(clinit_io_writer *w, const void *data,
                            uint64_t bytes);
    clinit_status (*finish)(clinit_io_writer *w);
    void (*abort)(clinit_io_writer *w);
    /* NULL, or why the format cannot hold tensor t (a static phrase, e.g.
     * "the gguf format holds f32, f16 and bf16 tensors"): what create's
     * CLINIT_EDTYPE, CLINIT_ESHAPE or CLINIT_EPARAM about t would mean, so
     * that a command can name the tensor. NULL op: create checks alone. */
    const char *(*refuse)(const clinit_io_tensor *t);
} clinit_io_format;

/* An output being written. Fields are private, except file.error: after
 * CLINIT_EIO from a call below it holds the errno of the failed call (0
 * if the C library did not set one). Zero it before clinit_io_create. */
struct clinit_io_writer {
    const clinit_io_format *fmt; /* NULL until created */
    clinit_outfile file;
    void *state; /* the format's own; freed by its finish and abort */
};

/* The formats the commands name: init's default, fill's only one, and
 * GGUF (gguf.c: llama.cpp's checkpoints, typed metadata). */
extern const clinit_io_format clinit_io_safetensors, clinit_io_npy,
    clinit_io_gguf;

/* The spec name of a value type ("u32"), NULL for a value out of range. */
const char *clinit_io_vtype_name(clinit_io_vtype t);

/* The format whose extension ends `path` (compared ignoring ASCII case),
 * else `fallback`. */
const clinit_io_format *clinit_io_format_for(const char *path,
                                             const clinit_io_format *fallback);

/* The format of the table (writer.c) whose name is `name` (compared
 * ignoring ASCII case), else NULL: `clinit init --format NAME`. */
const clinit_io_format *clinit_io_format_named(const char *name);

/* The table's rows, for listing them: row i for i < the count, else
 * NULL. */
size_t clinit_io_format_count(void);
const clinit_io_format *clinit_io_format_at(size_t i);

/* Starts the output `path` in format `fmt` for the n tensors t[0..n) and
 * the nmeta pairs meta[0..nmeta) (may be NULL when nmeta is 0), writing
 * the header. Errors, all before anything is created: CLINIT_ENULL,
 * CLINIT_EDTYPE, CLINIT_ESHAPE (ndim or a dimension out of range, or more
 * tensors than the format holds), CLINIT_EPARAM (a string is not valid
 * UTF-8), CLINIT_EOVERFLOW (sizes overflow 64 bits or the header is
 * larger than fmt->max_header), CLINIT_ENOMEM; and CLINIT_EIO (the output
 * could not be created or written, or the host is big-endian: the data is
 * written as it lies in memory; the target is untouched). On error *w is
 * left closed and need not be aborted. */
clinit_status clinit_io_create(clinit_io_writer *w, const clinit_io_format *fmt,
                               const char *path, const clinit_io_meta *meta,
                               size_t nmeta, const clinit_io_tensor *t,
                               size_t n);

/* Appends `bytes` bytes of tensor data, the next ones in file order (data
 * may be NULL when bytes is 0). Errors: CLINIT_ENULL (closed writer or
 * NULL data), CLINIT_ERANGE (more than the tensors hold), CLINIT_EIO. On
 * error the output is abandoned (target untouched). */
clinit_status clinit_io_append(clinit_io_writer *w, const void *data,
                               uint64_t bytes);

/* Flushes, fsyncs and closes the output and puts it in place of the
 * target. Errors: CLINIT_ENULL (closed writer), CLINIT_ERANGE (fewer
 * bytes than the tensors hold), CLINIT_EIO; the target is untouched on
 * error. The writer is closed in every case. */
clinit_status clinit_io_finish(clinit_io_writer *w);

/* Abandons the output (the target is untouched). Accepts NULL, a closed
 * writer and a zeroed one. */
void clinit_io_abort(clinit_io_writer *w);

/* The safetensors file's header for clinit_io_create's arguments, as
 * clinit_io_safetensors writes it: the 8-byte length and the padded JSON,
 * *len bytes in a new buffer *out (the caller frees it), and the data
 * bytes that follow it in *data_bytes. Errors as clinit_io_create's,
 * except CLINIT_EIO (nothing is written): the header of a file that
 * several processes write at once (`mpirun clinit init`). */
clinit_status clinit_io_safetensors_header(const clinit_io_meta *meta,
                                           size_t nmeta,
                                           const clinit_io_tensor *t, size_t n,
                                           unsigned char **out, uint64_t *len,
                                           uint64_t *data_bytes);

/* Completes a format that writes its header and data back to back
 * (safetensors, npy) without putting it in place: on success the
 * complete temporary moves to *out (clinit_outfile_seal, fileio.h), to be
 * put in place with clinit_outfile_publish or removed with
 * clinit_outfile_fail, and the writer is closed. Errors: CLINIT_ENULL
 * (closed writer), CLINIT_EPARAM (a format whose finish does more, such
 * as gguf: nothing is done, the writer stays open), and finish's. */
clinit_status clinit_io_seal(clinit_io_writer *w, clinit_outfile *out);

/* The operations of a format that writes its header and then the data
 * back to back (w->file holds it all). */
clinit_status clinit_io_plain_append(clinit_io_writer *w, const void *data,
                                     uint64_t bytes);
clinit_status clinit_io_plain_finish(clinit_io_writer *w);
void clinit_io_plain_abort(clinit_io_writer *w);

#endif /* CLINIT_IO_WRITER_H */
