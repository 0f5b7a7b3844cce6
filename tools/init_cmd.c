/* init_cmd.c - `clinit init MODEL.json --out FILE.safetensors`: every
 * tensor of a model spec (docs/MODEL.md) generated and streamed into a
 * safetensors file (or GGUF for a .gguf name: tools/io/gguf.c) with
 * bounded memory.
 *
 * The file is produced in slots of at most --chunk bytes (default 16 MiB):
 * consecutive tensors, and pieces [lo, hi) of tensors larger than a slot,
 * are packed into a slot in file order and filled with one batch call.
 * On an OpenCL context a slot is a device buffer filled with
 * clinit_enqueue_fill_batch and read back into a host buffer; two slots
 * alternate, so the device fills one while the host writes the other. On
 * the CPU path one host slot is filled with clinit_fill_host_batch.
 * orthogonal_ tensors are computed whole on the host (a QR per call, so
 * never in pieces) into a buffer of their own size. Host memory: two
 * slots, plus the largest orthogonal tensor if any, plus the model.
 *
 * The bytes depend only on the spec, --seed and --dtype: not on the
 * device, --chunk or the thread count (the stream contract).
 *
 * Exit status: 0 success; 1 a library, device or I/O call failed
 * (including a spec file that cannot be read); 2 bad command line or a
 * spec error (one "clinit: FILE: PATH: PROBLEM" line).
 */
#define _POSIX_C_SOURCE 200809L /* isatty, fileno */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clinit.h"
#include "clinit_model.h"
#include "cli_util.h"
#include "gguf_spec.h"
#include "writer.h"

#define DEFAULT_SLOT_BYTES ((uint64_t)16 << 20)
#define MIN_SLOT_BYTES ((uint64_t)64)
#define MAX_SLOT_BYTES ((uint64_t)1 << 30)
#define MAX_SPEC_BYTES ((long)64 << 20)
/* --max-params default: a typo'd 10^15 fails before anything is written */
#define DEFAULT_MAX_PARAMS UINT64_C(10000000000000)
/* Pieces start at multiples of this in a slot (any dtype's alignment). */
#define PIECE_ALIGN 64
/* Elements sampled per tensor for the measured std. */
#define SAMPLE_MAX ((uint64_t)65536)

static const char init_usage[] =
    "usage: clinit init MODEL.json --out FILE.safetensors [options]\n"
    "\n"
    "Generates every tensor of the model spec MODEL.json (docs/MODEL.md)\n"
    "and streams them into a safetensors file with bounded memory.\n"
    "\n"
    "options:\n"
    "  --out FILE        output .safetensors (required; a .gguf name writes\n"
    "                    GGUF for llama.cpp), or - for standard output (the\n"
    "                    table then goes to stderr). A file is\n"
    "                    written to a temporary next to it and renamed over\n"
    "                    it when complete: on any failure or on SIGINT,\n"
    "                    SIGTERM, SIGHUP the old file is left as it was.\n"
    "  --device D        cpu, opencl or opencl:P.D (see clinit devices);\n"
    "                    default: $CLINIT_DEVICE, else first GPU, else first\n"
    "                    OpenCL device, else cpu. The bytes are the same on\n"
    "                    every device.\n"
    "  --seed N          overrides the spec's seed (decimal or 0x hex)\n"
    "  --dtype T         overrides every tensor's dtype: f32, f16, bf16, f64,\n"
    "                    f8e4m3, f8e5m2\n"
    "  --chunk BYTES     staging buffer size (default 16777216); the output\n"
    "                    does not depend on it\n"
    "  --max-params N    refuse a model of more than N parameters (default\n"
    "                    10000000000000, 10^13)\n"
    "  --quiet           no progress bar, no table\n"
    "\n"
    "Prints a progress bar on stderr when it is a terminal, and a table of\n"
    "the tensors (shape, dtype, method, expected and sample std) on stdout.\n"
    "exit status: 0 ok; 2 bad input: the command line, or the spec (one\n"
    "line naming the flag or the JSON path); 1 the environment or a run-time\n"
    "failure: a spec file that cannot be read, the device, the library, an\n"
    "output that cannot be written (the old file is then untouched).\n";

/* "clinit: WHAT failed: <message>" plus detail from ctx (cli_util.h). */
static int lib_fail(const char *what, clinit_status st, const clinit_ctx *ctx)
{
    return cli_lib_fail("", what, st, ctx, "another dtype");
}

/* ---- arguments ------------------------------------------------------------
 */

typedef struct init_args {
    const char *spec, *out, *device, *seed, *dtype, *chunk, *max_params;
    int quiet;
} init_args;

/* Returns 0, EXIT_USAGE after printing the error, or -1 for --help. */
static int parse_args(int argc, char **argv, init_args *a)
{
    static const char *const names[] = {"out",   "device", "seed",
                                        "dtype", "chunk",  "max-params"};
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *v;
        const char **slot[6];
        size_t len;
        int id;
        slot[0] = &a->out;
        slot[1] = &a->device;
        slot[2] = &a->seed;
        slot[3] = &a->dtype;
        slot[4] = &a->chunk;
        slot[5] = &a->max_params;
        if (cli_is_help(arg))
            return -1;
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            if (a->spec)
                return cli_fail(EXIT_USAGE,
                                "init: unexpected argument '%s' (one "
                                "MODEL.json only)",
                                arg);
            a->spec = arg;
            continue;
        }
        if (strcmp(arg + 2, "quiet") == 0) {
            if (a->quiet)
                return cli_fail(EXIT_USAGE, "--quiet given twice");
            a->quiet = 1;
            continue;
        }
        id = cli_option_id(arg, names, 6, ~0u, &len);
        if (id < 0)
            return cli_fail(EXIT_USAGE, "init: unknown option '--%.*s'",
                            (int)len, arg + 2);
        if (!(v = cli_option_value(argc, argv, &i)))
            return cli_fail(EXIT_USAGE, "--%s needs a value", names[id]);
        if (*slot[id])
            return cli_fail(EXIT_USAGE, "--%s given twice", names[id]);
        *slot[id] = v;
    }
    if (!a->spec)
        return cli_fail(EXIT_USAGE, "init: a MODEL.json argument is required");
    if (!a->out)
        return cli_fail(EXIT_USAGE, "init: --out is required");
    if (!*a->out)
        return cli_fail(EXIT_USAGE, "--out: empty file name");
    return cli_check_out(a->out);
}

/* The whole spec file in a new buffer. Returns 0 or an exit status. */
static int read_spec(const char *path, char **buf, size_t *len)
{
    FILE *f;
    struct stat sb;
    size_t cap = 1 << 16, n = 0;
    char *p;
    errno = 0;
    if (!(f = fopen(path, "rb")))
        return cli_fail(EXIT_FAIL, "init: cannot read '%s': %s", path,
                        cli_io_msg(errno));
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(f);
        return cli_fail(EXIT_FAIL, "init: cannot read '%s': %s", path,
                        strerror(EISDIR));
    }
    if (!(p = malloc(cap))) {
        fclose(f);
        return lib_fail("init", CLINIT_ENOMEM, NULL);
    }
    for (;;) {
        size_t got = fread(p + n, 1, cap - n, f);
        n += got;
        if (n < cap) {
            if (ferror(f)) {
                int e = errno;
                free(p);
                fclose(f);
                return cli_fail(EXIT_FAIL, "init: cannot read '%s': %s", path,
                                cli_io_msg(e));
            }
            break;
        }
        if (cap >= (size_t)MAX_SPEC_BYTES) {
            free(p);
            fclose(f);
            return cli_fail(EXIT_USAGE, "%s: spec larger than %ld bytes", path,
                            MAX_SPEC_BYTES);
        }
        {
            char *np = realloc(p, cap * 2);
            if (!np) {
                free(p);
                fclose(f);
                return lib_fail("init", CLINIT_ENOMEM, NULL);
            }
            p = np;
            cap *= 2;
        }
    }
    fclose(f);
    *buf = p;
    *len = n;
    return 0;
}

/* ---- statistics -----------------------------------------------------------
 */

/* Welford over the sampled elements: indices k * step, k < count. */
typedef struct tstat {
    uint64_t step, count, n;
    double mean, m2;
} tstat;

static void sample_piece(tstat *s, clinit_dtype dt, const unsigned char *p,
                         uint64_t lo, uint64_t hi)
{
    uint64_t k = (lo + s->step - 1) / s->step;
    for (; k < s->count && k * s->step < hi; k++) {
        double x = cli_element_as_double(dt, p, k * s->step - lo), d;
        s->n++;
        d = x - s->mean;
        s->mean += d / (double)s->n;
        s->m2 += d * (x - s->mean);
    }
}

/* The std of the standard normal truncated to [al, be]. */
static double trunc_std(double al, double be)
{
    const double c = 0.39894228040143267794; /* 1/sqrt(2 pi) */
    double pa = c * exp(-0.5 * al * al), pb = c * exp(-0.5 * be * be);
    double z = 0.5 * (erf(be / sqrt(2.0)) - erf(al / sqrt(2.0)));
    double m, v;
    if (!(z > 0))
        return 0;
    m = (pa - pb) / z;
    v = 1 + (al * pa - be * pb) / z - m * m;
    return v > 0 ? sqrt(v) : 0;
}

/* What the table shows for a tensor's distribution: a short description
 * and the std the values should have. */
static void describe(const clinit_model_tensor_info *ti,
                     const clinit_resolved *r, char *desc, size_t cap,
                     double *std)
{
    const clinit_tensor *t = &ti->tensor;
    switch (r->dist) {
    case CLINIT_DIST_UNIFORM:
        if (r->lo == -r->hi)
            snprintf(desc, cap, "U(+-%.4g)", r->hi);
        else
            snprintf(desc, cap, "U(%.4g, %.4g)", r->lo, r->hi);
        *std = (r->hi - r->lo) / sqrt(12.0);
        break;
    case CLINIT_DIST_NORMAL:
        snprintf(desc, cap, "N(%.4g, %.4g)", r->mean, r->std);
        *std = r->std;
        break;
    case CLINIT_DIST_CONSTANT:
        snprintf(desc, cap, "const %.4g", r->value);
        *std = 0;
        break;
    case CLINIT_DIST_TRUNCATED:
        snprintf(desc, cap, "TN(%.4g, %.4g, [%.4g, %.4g])", r->mean, r->std,
                 r->lo, r->hi);
        *std = r->std > 0 ? r->std * trunc_std((r->lo - r->mean) / r->std,
                                               (r->hi - r->mean) / r->std)
                          : 0;
        break;
    case CLINIT_DIST_SPARSE: {
        double rows = (double)t->shape[0];
        snprintf(desc, cap, "sparse N(0, %.4g), %llu zeros/col", r->std,
                 (unsigned long long)r->nzeros);
        *std = r->std * sqrt(1 - (double)r->nzeros / rows);
        break;
    }
    case CLINIT_DIST_PATTERN: {
        /* ones: eye min(rows, cols); dirac groups * min(out/groups, in) */
        double ones, p;
        uint64_t g =
            ti->init.method == CLINIT_DIRAC ? (uint64_t)ti->init.groups : 1;
        uint64_t opg = (uint64_t)t->shape[0] / g, in = (uint64_t)t->shape[1];
        ones = (double)g * (double)(opg < in ? opg : in);
        p = ones / (double)ti->numel;
        snprintf(desc, cap, "pattern, %.0f ones", ones);
        *std = sqrt(p * (1 - p));
        break;
    }
    case CLINIT_DIST_ORTHOGONAL: {
        double rows = (double)t->shape[0], cols = (double)ti->numel / rows;
        double g = isnan(r->gain) ? ti->init.gain : r->gain;
        snprintf(desc, cap, "orthogonal, gain %.4g", g);
        *std = fabs(g) / sqrt(rows > cols ? rows : cols);
        break;
    }
    default:
        snprintf(desc, cap, "?");
        *std = NAN;
    }
}

/* ---- progress
 * ------------------------------------------------------------------ */

typedef struct progress {
    int on;
    size_t done, total;
    uint64_t bytes, total_bytes;
    double t0, last;
} progress;

static void progress_show(progress *pg, int force)
{
    double t = cli_now_s(), el = t - pg->t0, frac;
    char bar[31];
    int fill;
    if (!pg->on || (!force && t - pg->last < 0.1))
        return;
    pg->last = t;
    frac = pg->total_bytes ? (double)pg->bytes / (double)pg->total_bytes : 1;
    fill = (int)(frac * 30);
    for (int i = 0; i < 30; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[30] = '\0';
    fprintf(stderr, "\r[%s] %zu/%zu tensors  %.1f/%.1f MB  %.1f MB/s\033[K",
            bar, pg->done, pg->total, (double)pg->bytes / 1e6,
            (double)pg->total_bytes / 1e6,
            el > 0 ? (double)pg->bytes / 1e6 / el : 0.0);
    fflush(stderr);
}

/* "clinit: init of NAME failed: ..." */
static int tensor_fail(const clinit_model_tensor_info *ti, clinit_status st,
                       const clinit_ctx *ctx)
{
    char what[160];
    snprintf(what, sizeof what, "init of '%.100s'", ti->name);
    return lib_fail(what, st, ctx);
}

/* ---- the stream
 * -------------------------------------------------------------------- */

typedef struct piece {
    size_t t;        /* tensor index */
    uint64_t lo, hi; /* element range */
    size_t off;      /* byte offset in the slot */
} piece;

typedef struct slot {
    cl_mem buf; /* NULL on the CPU path */
    unsigned char *host;
    piece *pc;
    size_t np, pcap, used;
    cl_event ev;
    int pending;
} slot;

typedef struct run {
    clinit_ctx *ctx;
    const clinit_model *m;
    clinit_model_tensor_info *info;
    tstat *stats;
    clinit_io_writer w;
    const char *out;
    clinit_fill_desc *descs; /* scratch, one per piece */
    size_t dcap;
    progress pg;
    slot slots[2];
    uint64_t slot_bytes;
    int cur;
} run;

/* Writes a filled slot's pieces to the file in order. */
static int process(run *R, slot *s)
{
    clinit_status st;
    if (s->ev) {
        cl_int err = clWaitForEvents(1, &s->ev);
        clReleaseEvent(s->ev);
        s->ev = NULL;
        if (err != CL_SUCCESS)
            return cli_cl_fail("init", "clEnqueueReadBuffer", err);
    }
    for (size_t k = 0; k < s->np; k++) {
        const piece *p = &s->pc[k];
        const clinit_model_tensor_info *ti = &R->info[p->t];
        size_t es = clinit_dtype_size(ti->tensor.dtype);
        size_t bytes = (size_t)(p->hi - p->lo) * es;
        sample_piece(&R->stats[p->t], ti->tensor.dtype, s->host + p->off, p->lo,
                     p->hi);
        if ((st = clinit_io_append(&R->w, s->host + p->off, bytes)) !=
            CLINIT_OK)
            return cli_write_fail("init", R->out, st, R->w.file.error);
        R->pg.bytes += bytes;
        if (p->hi == ti->numel)
            R->pg.done++;
    }
    s->np = 0;
    s->used = 0;
    s->pending = 0;
    progress_show(&R->pg, 0);
    return 0;
}

/* Fills the current slot (OpenCL: enqueues fill and read-back, then
 * writes the other slot while the device works) and moves on. */
static int submit(run *R)
{
    slot *s = &R->slots[R->cur];
    clinit_status st;
    size_t bad = 0;
    if (s->np == 0)
        return 0;
    if (s->np > R->dcap) {
        clinit_fill_desc *nd = realloc(R->descs, s->np * sizeof *nd);
        if (!nd)
            return lib_fail("init", CLINIT_ENOMEM, R->ctx);
        R->descs = nd;
        R->dcap = s->np;
    }
    for (size_t k = 0; k < s->np; k++) {
        const piece *p = &s->pc[k];
        const clinit_model_tensor_info *ti = &R->info[p->t];
        clinit_fill_desc *d = &R->descs[k];
        memset(d, 0, sizeof *d);
        d->tensor = ti->tensor;
        d->init = ti->init;
        d->lo = p->lo;
        d->hi = p->hi;
        if (s->buf) {
            d->buf = s->buf;
            d->offset = p->off / clinit_dtype_size(ti->tensor.dtype);
        } else {
            d->host = s->host + p->off;
        }
    }
    if (!s->buf) {
        if ((st = clinit_fill_host_batch(R->ctx, R->descs, s->np, &bad)) !=
            CLINIT_OK)
            return tensor_fail(&R->info[s->pc[bad].t], st, R->ctx);
        return process(R, s);
    }
    st =
        clinit_enqueue_fill_batch(R->ctx, R->descs, s->np, 0, NULL, NULL, &bad);
    if (st != CLINIT_OK)
        return tensor_fail(&R->info[s->pc[bad].t], st, R->ctx);
    {
        cl_int err =
            clEnqueueReadBuffer(clinit_ctx_queue(R->ctx), s->buf, CL_FALSE, 0,
                                s->used, s->host, 0, NULL, &s->ev);
        if (err != CL_SUCCESS)
            return cli_cl_fail("init", "clEnqueueReadBuffer", err);
    }
    s->pending = 1;
    clFlush(clinit_ctx_queue(R->ctx));
    R->cur ^= 1;
    if (R->slots[R->cur].pending)
        return process(R, &R->slots[R->cur]);
    return 0;
}

/* Writes every pending slot, oldest first. */
static int drain(run *R)
{
    int rc;
    if ((rc = submit(R)) != 0)
        return rc;
    /* submit() left the current slot free; the other may be in flight */
    if (R->slots[R->cur ^ 1].pending)
        return process(R, &R->slots[R->cur ^ 1]);
    return 0;
}

static int add_piece(run *R, size_t t, uint64_t lo, uint64_t hi, size_t off)
{
    slot *s = &R->slots[R->cur];
    if (s->np == s->pcap) {
        size_t nc = s->pcap ? s->pcap * 2 : 64;
        piece *np = realloc(s->pc, nc * sizeof *np);
        if (!np)
            return lib_fail("init", CLINIT_ENOMEM, R->ctx);
        s->pc = np;
        s->pcap = nc;
    }
    s->pc[s->np].t = t;
    s->pc[s->np].lo = lo;
    s->pc[s->np].hi = hi;
    s->pc[s->np].off = off;
    s->np++;
    s->used =
        off + (size_t)(hi - lo) * clinit_dtype_size(R->info[t].tensor.dtype);
    return 0;
}

/* An orthogonal tensor, whole, on the host. */
static int orthogonal(run *R, size_t t, unsigned char **buf, size_t *cap)
{
    const clinit_model_tensor_info *ti = &R->info[t];
    clinit_status st;
    slot one;
    piece p;
    int rc;
    if ((rc = drain(R)) != 0)
        return rc;
    if (ti->bytes > *cap) {
        unsigned char *nb;
        free(*buf);
        *buf = NULL;
        *cap = 0;
        /* at most 2^26 elements (the stream contract's limit) */
        if (!(nb = malloc((size_t)ti->bytes)))
            return tensor_fail(ti, CLINIT_ENOMEM, R->ctx);
        *buf = nb;
        *cap = (size_t)ti->bytes;
    }
    if ((st = clinit_fill_host(R->ctx, &ti->tensor, &ti->init, 0, ti->numel,
                               *buf)) != CLINIT_OK)
        return tensor_fail(ti, st, R->ctx);
    memset(&one, 0, sizeof one);
    p.t = t;
    p.lo = 0;
    p.hi = ti->numel;
    p.off = 0;
    one.host = *buf;
    one.pc = &p;
    one.np = 1;
    return process(R, &one);
}

static int stream_model(run *R)
{
    size_t n = clinit_model_size(R->m);
    unsigned char *obuf = NULL;
    size_t ocap = 0;
    int rc = 0;
    for (size_t t = 0; t < n && rc == 0; t++) {
        const clinit_model_tensor_info *ti = &R->info[t];
        uint64_t es = clinit_dtype_size(ti->tensor.dtype), lo = 0;
        if (ti->init.method == CLINIT_ORTHOGONAL) {
            rc = orthogonal(R, t, &obuf, &ocap);
            continue;
        }
        while (lo < ti->numel && rc == 0) {
            slot *s = &R->slots[R->cur];
            size_t off =
                (s->used + PIECE_ALIGN - 1) / PIECE_ALIGN * PIECE_ALIGN;
            uint64_t room =
                off < R->slot_bytes ? (R->slot_bytes - off) / es : 0;
            uint64_t take = ti->numel - lo < room ? ti->numel - lo : room;
            if (take == 0) {
                rc = submit(R);
                continue;
            }
            rc = add_piece(R, t, lo, lo + take, off);
            lo += take;
        }
    }
    if (rc == 0)
        rc = drain(R);
    free(obuf);
    return rc;
}

/* ---- output
 * ----------------------------------------------------------------------------
 */

static void shape_str(const clinit_tensor *t, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int d = 0; d < t->ndim && n < cap; d++) {
        int w = snprintf(buf + n, cap - n, "%s%lld", d ? ", " : "[",
                         (long long)t->shape[d]);
        if (w < 0)
            return;
        n += (size_t)w;
    }
    if (n < cap)
        snprintf(buf + n, cap - n, "]");
}

/* On `out`: stdout, or stderr when the file itself goes to stdout. */
static void print_table(FILE *out, const run *R, double secs)
{
    size_t n = clinit_model_size(R->m);
    int wn = 4, ws = 5, wm = 6, wd = 4;
    char sh[160], desc[96];
    uint64_t bytes = 0;
    for (size_t i = 0; i < n; i++) {
        const clinit_model_tensor_info *ti = &R->info[i];
        clinit_resolved r;
        double sd;
        int l = (int)strlen(ti->name);
        if (l > wn)
            wn = l;
        shape_str(&ti->tensor, sh, sizeof sh);
        if ((int)strlen(sh) > ws)
            ws = (int)strlen(sh);
        if ((int)strlen(clinit_method_name(ti->init.method)) > wm)
            wm = (int)strlen(clinit_method_name(ti->init.method));
        if (clinit_resolve(&ti->tensor, &ti->init, &r) == CLINIT_OK) {
            describe(ti, &r, desc, sizeof desc, &sd);
            if ((int)strlen(desc) > wd)
                wd = (int)strlen(desc);
        }
    }
    if (wn > 60)
        wn = 60;
    fprintf(out, "%-*s  %-*s  %-5s  %-*s  %-*s  %11s  %11s\n", wn, "name", ws,
            "shape", "dtype", wm, "method", wd, "init", "expect_std",
            "sample_std");
    for (size_t i = 0; i < n; i++) {
        const clinit_model_tensor_info *ti = &R->info[i];
        const tstat *s = &R->stats[i];
        clinit_resolved r;
        double sd = NAN, ms = s->n ? sqrt(s->m2 / (double)s->n) : NAN;
        desc[0] = '\0';
        if (clinit_resolve(&ti->tensor, &ti->init, &r) == CLINIT_OK)
            describe(ti, &r, desc, sizeof desc, &sd);
        shape_str(&ti->tensor, sh, sizeof sh);
        fprintf(out, "%-*s  %-*s  %-5s  %-*s  %-*s  %11.5g  %11.5g\n", wn,
                ti->name, ws, sh, clinit_dtype_name(ti->tensor.dtype), wm,
                clinit_method_name(ti->init.method), wd, desc, sd, ms);
        bytes += ti->bytes;
    }
    fprintf(out,
            "total: %zu tensors, %llu parameters (%.1fM), %llu bytes, %.3f s, "
            "%.3f GB/s, device %s\n",
            n, (unsigned long long)clinit_model_numel(R->m),
            (double)clinit_model_numel(R->m) / 1e6, (unsigned long long)bytes,
            secs, secs > 0 ? (double)bytes / 1e9 / secs : 0.0,
            clinit_ctx_device_name(R->ctx));
}

/* ---- the command
 * ------------------------------------------------------------------------ */

/* The numbers of the options. */
typedef struct init_opts {
    uint64_t seed, slot_bytes, max_params;
    clinit_dtype dtype;
} init_opts;

/* The command line, checked before any file or device is touched.
 * Returns 0, -1 for --help, or EXIT_USAGE after the error. */
static int init_options(int argc, char **argv, init_args *a, init_opts *o)
{
    int rc;
    o->seed = 0;
    o->slot_bytes = DEFAULT_SLOT_BYTES;
    o->max_params = DEFAULT_MAX_PARAMS;
    o->dtype = CLINIT_F32;
    if ((rc = parse_args(argc, argv, a)) != 0)
        return rc;
    if (a->seed && (rc = cli_opt_u64(a->seed, "seed", &o->seed)) != 0)
        return rc;
    if (a->dtype && (rc = cli_opt_dtype(a->dtype, &o->dtype)) != 0)
        return rc;
    if (a->chunk &&
        (!cli_parse_u64(a->chunk, &o->slot_bytes) ||
         o->slot_bytes < MIN_SLOT_BYTES || o->slot_bytes > MAX_SLOT_BYTES))
        return cli_fail(EXIT_USAGE,
                        "--chunk: '%s' is not a byte count in 64..2^30",
                        a->chunk);
    if (a->max_params &&
        (rc = cli_opt_u64(a->max_params, "max-params", &o->max_params)) != 0)
        return rc;
    return 0;
}

/* A tensor the output format cannot hold: exit 2 naming it and why. */
static int check_format(const init_args *a, const clinit_io_format *fmt,
                        const clinit_io_tensor *e, size_t n)
{
    char sh[160];
    for (size_t i = 0; fmt->refuse && i < n; i++) {
        const char *why = fmt->refuse(&e[i]);
        clinit_tensor t;
        if (!why)
            continue;
        memset(&t, 0, sizeof t);
        t.ndim = e[i].ndim;
        for (int d = 0; d < e[i].ndim; d++)
            t.shape[d] = e[i].shape[d];
        shape_str(&t, sh, sizeof sh);
        return cli_fail(EXIT_USAGE, "%s: %s%s%stensor '%.100s' is %s %s: %s",
                        a->spec, a->dtype ? "with --dtype " : "",
                        a->dtype ? a->dtype : "", a->dtype ? ": " : "",
                        e[i].name, clinit_dtype_name(e[i].dtype), sh, why);
    }
    return 0;
}

int clinit_init_check_args(int argc, char **argv)
{
    init_args a;
    init_opts o;
    return init_options(argc, argv, &a, &o);
}

int clinit_cmd_init(int argc, char **argv)
{
    init_args a;
    init_opts o;
    run R;
    clinit_model *m = NULL;
    clinit_io_tensor *ents = NULL;
    clinit_io_meta meta[6];
    clinit_gguf_meta gm;
    const clinit_io_format *fmt;
    clinit_status st;
    char err[512], seedtxt[24], hashtxt[24];
    char *json = NULL;
    size_t jlen = 0, n, nmeta = 0;
    uint64_t total = 0, need = 0;
    double t0, secs;
    int rc, any_f64 = 0;

    memset(&R, 0, sizeof R);
    memset(&gm, 0, sizeof gm);
    if ((rc = init_options(argc, argv, &a, &o)) != 0)
        return cli_help_or(rc, init_usage);
    R.slot_bytes = o.slot_bytes;

    if ((rc = read_spec(a.spec, &json, &jlen)) != 0)
        return rc;
    st = clinit_model_parse(json, jlen, &m, err, sizeof err);
    if (st != CLINIT_OK)
        free(json); /* kept for the GGUF metadata otherwise */
    if (st == CLINIT_EPARAM)
        return cli_fail(EXIT_USAGE, "%s: %s", a.spec, err);
    if (st != CLINIT_OK)
        return lib_fail("init", st, NULL);
    if (a.seed)
        clinit_model_set_seed(m, o.seed);
    if (a.dtype) {
        clinit_model_set_dtype(m, o.dtype);
        if ((st = clinit_model_check(m, err, sizeof err)) != CLINIT_OK) {
            clinit_model_destroy(m);
            free(json);
            return cli_fail(EXIT_USAGE, "%s: with --dtype %s: %s", a.spec,
                            a.dtype, err);
        }
    }
    if (clinit_model_numel(m) > o.max_params) {
        rc = cli_fail(EXIT_USAGE,
                      "%s: %llu parameters, more than --max-params %llu%s",
                      a.spec, (unsigned long long)clinit_model_numel(m),
                      (unsigned long long)o.max_params,
                      a.max_params ? "" : " (the default)");
        clinit_model_destroy(m);
        free(json);
        return rc;
    }
    R.m = m;
    R.out = a.out;
    n = clinit_model_size(m);
    R.info = calloc(n, sizeof *R.info);
    R.stats = calloc(n, sizeof *R.stats);
    ents = calloc(n, sizeof *ents);
    if (!R.info || !R.stats || !ents) {
        rc = lib_fail("init", CLINIT_ENOMEM, NULL);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        clinit_model_tensor_info *ti = &R.info[i];
        (void)clinit_model_tensor(m, i, ti);
        ents[i].name = ti->name;
        ents[i].dtype = ti->tensor.dtype;
        ents[i].ndim = ti->tensor.ndim;
        ents[i].shape = ti->tensor.shape;
        R.stats[i].count = ti->numel < SAMPLE_MAX ? ti->numel : SAMPLE_MAX;
        R.stats[i].step = ti->numel / R.stats[i].count;
        total += ti->bytes;
        if (ti->init.method != CLINIT_ORTHOGONAL)
            need += (ti->bytes + PIECE_ALIGN - 1) / PIECE_ALIGN * PIECE_ALIGN;
        any_f64 |= ti->tensor.dtype == CLINIT_F64;
    }
    fmt = clinit_io_format_for(a.out, &clinit_io_safetensors);
    if ((rc = check_format(&a, fmt, ents, n)) != 0)
        goto done;
    if (fmt == &clinit_io_gguf &&
        (st = clinit_gguf_spec_meta(
             json, jlen, clinit_model_name(m), clinit_model_seed(m),
             clinit_model_spec_hash(m), &gm, err, sizeof err)) != CLINIT_OK) {
        rc = st == CLINIT_EPARAM ? cli_fail(EXIT_USAGE, "%s: %s", a.spec, err)
                                 : lib_fail("init", st, NULL);
        goto done;
    }
    /* no bigger staging than the model needs */
    if (need < R.slot_bytes)
        R.slot_bytes = need < MIN_SLOT_BYTES ? MIN_SLOT_BYTES : need;

    if ((rc = cli_open_ctx("init", a.device, &R.ctx)) != 0)
        goto done;
    if (clinit_ctx_is_opencl(R.ctx)) {
        if (any_f64 && cli_ctx_has_fp64(R.ctx) == 0) {
            rc = lib_fail("init", CLINIT_ENOFP64, R.ctx);
            goto done;
        }
        if ((st = clinit_ctx_warmup(R.ctx)) != CLINIT_OK) {
            rc = lib_fail("init", st, R.ctx);
            goto done;
        }
    }
    for (int k = 0; k < (clinit_ctx_is_opencl(R.ctx) ? 2 : 1); k++) {
        slot *s = &R.slots[k];
        if (!(s->host = malloc((size_t)R.slot_bytes))) {
            rc = lib_fail("init", CLINIT_ENOMEM, R.ctx);
            goto done;
        }
        if (clinit_ctx_is_opencl(R.ctx)) {
            cl_int e = CL_SUCCESS;
            s->buf =
                clCreateBuffer(clinit_ctx_context(R.ctx), CL_MEM_READ_WRITE,
                               (size_t)R.slot_bytes, NULL, &e);
            if (!s->buf) {
                rc = cli_cl_fail("init", "clCreateBuffer", e);
                goto done;
            }
        }
    }

    snprintf(seedtxt, sizeof seedtxt, "%llu",
             (unsigned long long)clinit_model_seed(m));
    snprintf(hashtxt, sizeof hashtxt, "%016llx",
             (unsigned long long)clinit_model_spec_hash(m));
    meta[nmeta].key = "format"; /* what transformers' loaders expect */
    meta[nmeta++].value = "pt";
    meta[nmeta].key = "clinit_version";
    meta[nmeta++].value = clinit_version_string();
    meta[nmeta].key = "stream_contract";
    meta[nmeta++].value = "1";
    meta[nmeta].key = "seed";
    meta[nmeta++].value = seedtxt;
    meta[nmeta].key = "spec_hash";
    meta[nmeta++].value = hashtxt;
    if (*clinit_model_name(m)) {
        meta[nmeta].key = "model";
        meta[nmeta++].value = clinit_model_name(m);
    }

    t0 = cli_now_s();
    if (fmt == &clinit_io_gguf)
        st = clinit_io_create(&R.w, fmt, a.out, gm.meta, gm.n, ents, n);
    else
        st = clinit_io_create(&R.w, fmt, a.out, meta, nmeta, ents, n);
    if (st != CLINIT_OK) {
        if (st == CLINIT_EOVERFLOW) /* sizes fit: the parser checked them */
            rc = cli_fail(EXIT_USAGE,
                          "%s: layers: the %s header of %zu tensors would be "
                          "larger than %llu bytes (the format's limit): "
                          "fewer or shorter names",
                          a.spec, fmt->name, n,
                          (unsigned long long)fmt->max_header);
        else if (st == CLINIT_EIO)
            rc = cli_fail(EXIT_FAIL, "init failed: cannot write '%s': %s",
                          a.out, cli_io_msg(R.w.file.error));
        else
            rc = lib_fail("init", st, R.ctx);
        goto done;
    }
    R.pg.on = !a.quiet && isatty(fileno(stderr));
    R.pg.total = n;
    R.pg.total_bytes = total;
    R.pg.t0 = t0;
    R.pg.last = 0;
    if ((rc = stream_model(&R)) != 0)
        goto done;
    if ((st = clinit_io_finish(&R.w)) != CLINIT_OK) {
        rc = cli_write_fail("init", a.out, st, R.w.file.error);
        goto done;
    }
    secs = cli_now_s() - t0;
    if (R.pg.on) {
        progress_show(&R.pg, 1);
        fputs("\r\033[K", stderr);
    }
    if (!a.quiet)
        print_table(clinit_outfile_is_stdout(a.out) ? stderr : stdout, &R,
                    secs);
    rc = fflush(stdout) != 0
             ? cli_fail(EXIT_FAIL, "init: write to stdout failed")
             : 0;
done:
    if (R.pg.on && rc != 0)
        fputc('\n', stderr);
    if (R.ctx && clinit_ctx_queue(R.ctx))
        clFinish(clinit_ctx_queue(R.ctx));
    clinit_io_abort(&R.w); /* no-op once closed */
    for (int k = 0; k < 2; k++) {
        if (R.slots[k].ev)
            clReleaseEvent(R.slots[k].ev);
        if (R.slots[k].buf)
            clReleaseMemObject(R.slots[k].buf);
        free(R.slots[k].host);
        free(R.slots[k].pc);
    }
    free(R.descs);
    free(R.info);
    free(R.stats);
    free(ents);
    clinit_gguf_meta_free(&gm);
    free(json);
    clinit_ctx_destroy(R.ctx);
    clinit_model_destroy(m);
    return rc;
}
