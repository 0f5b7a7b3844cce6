/* init_cmd.c - `clinit init MODEL.json --out FILE.safetensors`: every
 * tensor of a model spec (docs/MODEL.md) generated and streamed into a
 * safetensors file (or GGUF for a .gguf name: tools/io/gguf.c) with
 * bounded memory.
 *
 * The file is produced in slots of at most --chunk bytes (default 16 MiB):
 * consecutive tensors, and pieces [lo, hi) of tensors larger than a slot,
 * are packed into a slot in file order and filled with one batch call.
 * On an OpenCL context a slot is a device buffer filled with
 * clinit_enqueue_fill_batch and read back into a host buffer (mapped in
 * place on a CPU device: the buffer wraps the host slot); two slots
 * alternate, so the device fills one while the host writes the other. On
 * the CPU path two host slots alternate the same way: the main thread
 * fills one with clinit_fill_host_batch (whose own threads take the
 * cores) while a thread writes the other (not under mpirun: MPI is
 * called from the main thread only).
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
#define _XOPEN_SOURCE 700 /* isatty, fileno, realpath */

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clinit.h"
#include "clinit_model.h"
#include "cli_util.h"
#include "gguf_spec.h"
#include "init_mpi.h"
#include "shard.h"
#include "writer.h"

#define DEFAULT_SLOT_BYTES ((uint64_t)16 << 20)
#define MIN_SLOT_BYTES ((uint64_t)64)
#define CPU_SLOT_MAX ((uint64_t)64 << 20) /* default slots, CPU path */
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
    "  -o, --out FILE    output file (required; a .gguf name writes GGUF for\n"
    "                    llama.cpp), or - for standard output (the summary\n"
    "                    then goes to stderr). A file is\n"
    "                    written to a temporary next to it and renamed over\n"
    "                    it when complete: on any failure or on SIGINT,\n"
    "                    SIGTERM, SIGHUP the old file is left as it was.\n"
    "  -f, --format F    the file format: %s; default: by\n"
    "                    FILE's extension, else safetensors\n"
    "  -d, --device D    cpu, opencl or opencl:P.D (see clinit devices);\n"
    "                    default: $CLINIT_DEVICE, else first GPU, else first\n"
    "                    OpenCL device, else cpu. The bytes are the same on\n"
    "                    every device.\n"
    "  -s, --seed N      overrides the spec's seed (decimal or 0x hex)\n"
    "  -t, --dtype T     overrides every tensor's dtype: f32, f16, bf16, f64,\n"
    "                    f8e4m3, f8e5m2\n"
    "      --chunk BYTES staging buffer size (default 16777216; on the CPU\n"
    "                    up to 64 MiB for models whose largest tensor is\n"
    "                    big); the output\n"
    "                    does not depend on it\n"
    "      --max-params N  refuse a model of more than N parameters\n"
    "                    (default 10000000000000, 10^13)\n"
    "      --max-shard-size SIZE  split a safetensors checkpoint as Hugging\n"
    "                    Face does: FILE's stem-00001-of-0000K.safetensors\n"
    "                    ... and FILE.index.json, each shard at most SIZE\n"
    "                    (5GB = 5*10^9, 2GiB = 2*2^30, 500MB, KB, KiB, TB,\n"
    "                    TiB, or bytes; a larger tensor is a shard alone);\n"
    "                    one file when it all fits\n"
    "      --table T     what is printed on stdout: summary (the default:\n"
    "                    repeated blocks collapsed into one row, h.{0..11}.x\n"
    "                    x12, then the totals, the output and the time), full\n"
    "                    (every tensor: shape, dtype, method, init, expected\n"
    "                    and sample std; then the same totals) or none\n"
    "  -q, --quiet       nothing but errors: no table, no progress bar\n"
    "  -h, --help        this text\n"
    "\"--\" ends the options (a MODEL.json named like an option follows it).\n"
    "\n"
    "A progress bar (percent, MB done/total, rate, time left) is drawn on\n"
    "stderr when it is a terminal, never otherwise.\n"
    "Under mpirun -np N (a build with MPI) the ranks split the tensors and\n"
    "write one file with MPI-IO, byte-identical to one process's (sharded:\n"
    "shard i by rank i %% N); published when every rank succeeded.\n"
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

enum { TABLE_SUMMARY, TABLE_FULL, TABLE_NONE };

typedef struct init_args {
    const char *spec, *out, *device, *seed, *dtype, *chunk, *max_params;
    const char *format, *table, *max_shard;
    int quiet;
} init_args;

/* Returns 0, EXIT_USAGE after printing the error, or -1 for --help. */
static int parse_args(int argc, char **argv, init_args *a)
{
    static const cli_opt opts[] = {
        {"out", 'o', 1},         {"device", 'd', 1}, {"seed", 's', 1},
        {"dtype", 't', 1},       {"chunk", 0, 1},    {"max-params", 0, 1},
        {"format", 'f', 1},      {"table", 0, 1},    {"quiet", 'q', 0},
        {"max-shard-size", 0, 1}};
    const cli_spec sp = {.cmd = "init",
                         .opts = opts,
                         .nopts = (int)(sizeof opts / sizeof opts[0]),
                         .max_pos = 1,
                         .pos_too_many = " (one MODEL.json only)"};
    cli_args v;
    int rc;
    memset(a, 0, sizeof *a);
    if ((rc = cli_parse(&sp, argc, argv, &v)) != 0)
        return rc;
    a->out = v.val[0];
    a->device = v.val[1];
    a->seed = v.val[2];
    a->dtype = v.val[3];
    a->chunk = v.val[4];
    a->max_params = v.val[5];
    a->format = v.val[6];
    a->table = v.val[7];
    a->quiet = v.val[8] != NULL;
    a->max_shard = v.val[9];
    a->spec = v.npos ? v.pos[0] : NULL;
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

/* "1:02:03", "4:05" or "6s" for a time left of `s` seconds; "--" while
 * there is no rate to tell it from. */
static void eta_str(double s, char *buf, size_t cap)
{
    unsigned long t;
    if (!(s >= 0) || s > 1e8) {
        snprintf(buf, cap, "--");
        return;
    }
    t = (unsigned long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, cap, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
    else if (t >= 60)
        snprintf(buf, cap, "%lu:%02lu", t / 60, t % 60);
    else
        snprintf(buf, cap, "%lus", t);
}

/* The terminal's width in columns (80 when it does not say). */
static int term_columns(void)
{
    struct winsize ws;
    if (ioctl(fileno(stderr), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 80;
}

/* One frame of the bar on stderr (a terminal): the bar, percent done,
 * MB done/total, the rate so far, the time left at that rate and the
 * tensors done, on one line redrawn in place. At most every 0.1 s unless
 * forced. */
static void progress_show(progress *pg, int force)
{
    double t = cli_now_s(), el = t - pg->t0, frac, rate;
    char bar[64], text[160], eta[24];
    int fill, width, len;
    if (!pg->on || (!force && t - pg->last < 0.1))
        return;
    pg->last = t;
    frac = pg->total_bytes ? (double)pg->bytes / (double)pg->total_bytes : 1;
    rate = el > 0 ? (double)pg->bytes / el : 0;
    eta_str(rate > 0 ? (double)(pg->total_bytes - pg->bytes) / rate : -1, eta,
            sizeof eta);
    len = snprintf(
        text, sizeof text, " %5.1f%%  %.1f/%.1f MB  %.1f MB/s  ETA %s  %zu/%zu",
        100 * frac, (double)pg->bytes / 1e6, (double)pg->total_bytes / 1e6,
        rate / 1e6, eta, pg->done, pg->total);
    /* the bar takes what the text leaves of the line, 10 to 40 columns */
    width = term_columns() - 1 - 2 - (len > 0 ? len : 0);
    width = width < 10 ? 10 : width > 40 ? 40 : width;
    fill = (int)(frac * width);
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    fprintf(stderr, "\r[%s]%s\033[K", bar, text);
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

/* 1 when the context's device is a CPU (its memory is the host's) */
static int device_is_cpu(clinit_ctx *ctx)
{
    cl_device_id dev = NULL;
    cl_device_type t = 0;
    if (clGetCommandQueueInfo(clinit_ctx_queue(ctx), CL_QUEUE_DEVICE,
                              sizeof dev, &dev, NULL) != CL_SUCCESS ||
        clGetDeviceInfo(dev, CL_DEVICE_TYPE, sizeof t, &t, NULL) != CL_SUCCESS)
        return 0;
    return (t & CL_DEVICE_TYPE_CPU) != 0;
}

/* ---- the stream
 * -------------------------------------------------------------------- */

typedef struct piece {
    size_t t;        /* tensor index */
    uint64_t lo, hi; /* element range */
    size_t off;      /* byte offset in the slot */
} piece;

/* On the CPU path a filled slot is written by a thread of its own
 * (`writer`) while the main thread fills the other slot. */
typedef struct run run;

typedef struct slot {
    cl_mem buf; /* NULL on the CPU path */
    unsigned char *host;
    /* CPU devices: buf wraps host (CL_MEM_USE_HOST_PTR) and a filled slot
     * is mapped, not read back: map is the mapped pointer until process()
     * unmaps it (no copy where the device's memory is the host's) */
    int zero_copy;
    unsigned char *map;
    piece *pc;
    size_t np, pcap, used;
    clinit_fill_desc *descs; /* the pieces' descriptors, one per piece */
    size_t dcap;
    cl_event ev;
    int pending;
    /* CPU path: the write in flight on `th` (writing), its exit status */
    run *R;
    pthread_t th;
    int writing, wrc;
} slot;

struct run {
    clinit_ctx *ctx;
    const clinit_model *m;
    clinit_model_tensor_info *info;
    tstat *stats;
    clinit_io_writer w;
    const char *out;
    progress pg;
    slot slots[2];
    uint64_t slot_bytes;
    int cur;
    init_mpi_file *pf; /* mpirun, one file: this rank's part goes here */
    uint64_t pf_off;   /* at this byte offset */
};

/* Writes a filled slot's pieces to the file in order (on a device, once
 * its read-back is done). Returns 0 or an exit status. */
static int process(run *R, slot *s)
{
    clinit_status st;
    const unsigned char *src;
    if (s->ev) {
        cl_int err = clWaitForEvents(1, &s->ev);
        clReleaseEvent(s->ev);
        s->ev = NULL;
        if (err != CL_SUCCESS)
            return cli_cl_fail("init", s->zero_copy ? "clEnqueueMapBuffer"
                                                    : "clEnqueueReadBuffer",
                               err);
    }
    src = s->map ? s->map : s->host;
    /* pieces that lie back to back in the slot (no alignment gap between
     * them) go out in one write: a slot of whole tensors is one write */
    for (size_t k = 0, run_off = 0, run_len = 0; k < s->np; k++) {
        const piece *p = &s->pc[k];
        const clinit_model_tensor_info *ti = &R->info[p->t];
        size_t es = clinit_dtype_size(ti->tensor.dtype);
        size_t bytes = (size_t)(p->hi - p->lo) * es;
        sample_piece(&R->stats[p->t], ti->tensor.dtype, src + p->off, p->lo,
                     p->hi);
        if (run_len == 0)
            run_off = p->off;
        run_len += bytes;
        if (k + 1 == s->np || s->pc[k + 1].off != p->off + bytes) {
            if (R->pf) {
                char m[160];
                int e = init_mpi_write_at(R->pf, R->pf_off, src + run_off,
                                          run_len);
                if (e != 0)
                    return cli_fail(EXIT_FAIL, "init failed: writing '%s': %s",
                                    R->out, init_mpi_strerror(e, m, sizeof m));
                R->pf_off += run_len;
            } else if ((st = clinit_io_append(&R->w, src + run_off,
                                              run_len)) != CLINIT_OK) {
                return cli_write_fail("init", R->out, st, R->w.file.error);
            }
            run_len = 0;
        }
        R->pg.bytes += bytes;
        if (p->hi == ti->numel)
            R->pg.done++;
    }
    if (s->map) { /* ordered before the slot's next fill (in-order queue) */
        cl_int err = clEnqueueUnmapMemObject(clinit_ctx_queue(R->ctx), s->buf,
                                             s->map, 0, NULL, NULL);
        s->map = NULL;
        if (err != CL_SUCCESS)
            return cli_cl_fail("init", "clEnqueueUnmapMemObject", err);
    }
    s->np = 0;
    s->used = 0;
    s->pending = 0;
    progress_show(&R->pg, 0);
    return 0;
}

/* The descriptors of slot s's pieces into s->descs. Returns 0 or an exit
 * status. */
static int slot_descs(run *R, slot *s)
{
    if (s->np > s->dcap) {
        clinit_fill_desc *nd = realloc(s->descs, s->np * sizeof *nd);
        if (!nd)
            return lib_fail("init", CLINIT_ENOMEM, R->ctx);
        s->descs = nd;
        s->dcap = s->np;
    }
    for (size_t k = 0; k < s->np; k++) {
        const piece *p = &s->pc[k];
        const clinit_model_tensor_info *ti = &R->info[p->t];
        clinit_fill_desc *d = &s->descs[k];
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
    return 0;
}

/* The CPU path's write of a slot, on its own thread. */
static void *writer(void *arg)
{
    slot *s = arg;
    s->wrc = process(s->R, s);
    return NULL;
}

/* Waits for the write of s on its thread, if one is in flight. Returns
 * its exit status (0 when none). */
static int settle(slot *s)
{
    if (!s->writing)
        return 0;
    pthread_join(s->th, NULL);
    s->writing = 0;
    return s->wrc;
}

/* CPU path: fills slot s here (the library's threads take the cores),
 * then, once the other slot is written, writes s on a thread while the
 * caller goes on to fill the other. Under mpirun the write stays on this
 * thread (MPI is called from the main thread only). */
static int fill_host_slot(run *R, slot *s)
{
    clinit_status st;
    size_t bad = 0;
    int rc;
    if ((st = clinit_fill_host_batch(R->ctx, s->descs, s->np, &bad)) !=
        CLINIT_OK)
        return tensor_fail(&R->info[s->pc[bad].t], st, R->ctx);
    if ((rc = settle(&R->slots[R->cur ^ 1])) != 0)
        return rc;
    s->pending = 1;
    s->R = R;
    s->wrc = 0;
    s->writing = !R->pf && pthread_create(&s->th, NULL, writer, s) == 0;
    if (!s->writing && (rc = process(R, s)) != 0)
        return rc; /* no thread: written here, the same bytes */
    R->cur ^= 1;
    return 0;
}

/* Fills the current slot and moves on. On a device the fill and a
 * non-blocking read-back are enqueued and the other slot is written
 * while the device works; on the CPU path see fill_host_slot. */
static int submit(run *R)
{
    slot *s = &R->slots[R->cur];
    clinit_status st;
    size_t bad = 0;
    int rc;
    if (s->np == 0)
        return 0;
    if ((rc = slot_descs(R, s)) != 0)
        return rc;
    if (!s->buf)
        return fill_host_slot(R, s);
    st =
        clinit_enqueue_fill_batch(R->ctx, s->descs, s->np, 0, NULL, NULL, &bad);
    if (st != CLINIT_OK)
        return tensor_fail(&R->info[s->pc[bad].t], st, R->ctx);
    if (s->zero_copy) {
        cl_int err = CL_SUCCESS;
        s->map = clEnqueueMapBuffer(clinit_ctx_queue(R->ctx), s->buf, CL_FALSE,
                                    CL_MAP_READ, 0, s->used, 0, NULL, &s->ev,
                                    &err);
        if (!s->map || err != CL_SUCCESS) {
            s->map = NULL;
            return cli_cl_fail("init", "clEnqueueMapBuffer", err);
        }
    } else {
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
    slot *o;
    int rc;
    if ((rc = submit(R)) != 0)
        return rc;
    /* submit() left the current slot free; the other may be in flight */
    o = &R->slots[R->cur ^ 1];
    if ((rc = settle(o)) != 0)
        return rc;
    if (o->pending)
        return process(R, o);
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

/* Streams the tensors ts[0..nt) (in that order; ts NULL: 0..nt-1) to the
 * output. */
static int stream_model(run *R, const size_t *ts, size_t nt)
{
    unsigned char *obuf = NULL;
    size_t ocap = 0;
    int rc = 0;
    for (size_t j = 0; j < nt && rc == 0; j++) {
        size_t t = ts ? ts[j] : j;
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
    /* after a failure a CPU slot's write may still be in flight */
    (void)settle(&R->slots[0]);
    (void)settle(&R->slots[1]);
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

/* Prints s and pads it with spaces to `width` columns (a UTF-8
 * character is one column). */
static void put_padded(FILE *out, const char *s, int width)
{
    int cols = 0;
    for (const char *p = s; *p; p++)
        cols += ((unsigned char)*p & 0xC0) != 0x80;
    fputs(s, out);
    for (; cols < width; cols++)
        fputc(' ', out);
}

static int text_cols(const char *s)
{
    int cols = 0;
    for (; *s; s++)
        cols += ((unsigned char)*s & 0xC0) != 0x80;
    return cols;
}

/* The full table: every tensor, on `out`. */
static void print_table(FILE *out, const run *R)
{
    size_t n = clinit_model_size(R->m);
    int wn = 4, ws = 5, wm = 6, wd = 4;
    char sh[160], desc[96];
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
    }
}

/* ---- the summary: repeated blocks collapsed ------------------------------ */

/* Numeric components of a name that a row collapses: h.11.attn -> 11.
 * Components are separated by '.' or '/'; numeric ones are all digits,
 * without a leading zero (so "01" stays as it is), at most 18 digits. */
#define MAX_NUMS 8

typedef struct name_nums {
    int n;
    size_t at[MAX_NUMS], len[MAX_NUMS]; /* byte offset and length */
    uint64_t v[MAX_NUMS];
} name_nums;

static void find_nums(const char *name, name_nums *nn)
{
    size_t i = 0;
    nn->n = 0;
    while (name[i] && nn->n < MAX_NUMS) {
        size_t j = i;
        uint64_t v = 0;
        while (name[j] >= '0' && name[j] <= '9')
            v = v * 10 + (uint64_t)(name[j++] - '0');
        if (j > i && j - i <= 18 && (name[i] != '0' || j - i == 1) &&
            (name[j] == '\0' || name[j] == '.' || name[j] == '/')) {
            nn->at[nn->n] = i;
            nn->len[nn->n] = j - i;
            nn->v[nn->n++] = v;
        }
        while (name[j] && name[j] != '.' && name[j] != '/')
            j++;
        i = name[j] ? j + 1 : j;
    }
}

/* The init as the spec says it, torch-like: normal(0, 0.02), zeros,
 * xavier_uniform(gain=0.5). uniform, normal, trunc_normal, constant and
 * sparse list their parameters in torch's order; the other methods name
 * those that differ from the defaults. */
static void init_text(const clinit_init *in, char *buf, size_t cap)
{
    static const struct {
        clinit_method m;
        const char *keys[4];
    } positional[] = {
        {CLINIT_UNIFORM, {"a", "b"}},
        {CLINIT_NORMAL, {"mean", "std"}},
        {CLINIT_TRUNC_NORMAL, {"mean", "std", "a", "b"}},
        {CLINIT_CONSTANT, {"val"}},
        {CLINIT_SPARSE, {"sparsity", "std"}},
    };
    const char *keys[CLINIT_PARAM_COUNT];
    clinit_init def;
    unsigned mask = clinit_method_params(in->method);
    size_t len, nk = 0;
    int named = 1;
    for (size_t p = 0; p < sizeof positional / sizeof positional[0]; p++)
        if (positional[p].m == in->method) {
            for (int k = 0; k < 4 && positional[p].keys[k]; k++)
                keys[nk++] = positional[p].keys[k];
            named = 0;
        }
    for (unsigned k = 0; named && k < CLINIT_PARAM_COUNT; k++)
        if (mask & (1u << k))
            keys[nk++] = clinit_param_name(k);
    (void)clinit_init_default(&def, in->method);
    snprintf(buf, cap, "%s", clinit_method_name(in->method));
    len = strlen(buf);
    for (size_t k = 0, shown = 0; k < nk && len + 1 < cap; k++) {
        char v[64], d[64], *end;
        double x;
        if (clinit_init_get(in, keys[k], v, sizeof v) != CLINIT_OK)
            continue;
        if (named && clinit_init_get(&def, keys[k], d, sizeof d) == CLINIT_OK &&
            strcmp(v, d) == 0)
            continue; /* a default */
        x = strtod(v, &end);
        if (end != v && *end == '\0') /* a number: short */
            snprintf(v, sizeof v, "%.4g", x);
        snprintf(buf + len, cap - len, "%s%s%s%s", shown ? ", " : "(",
                 named ? keys[k] : "", named ? "=" : "", v);
        len = strlen(buf);
        shown++;
    }
    if (len > strlen(clinit_method_name(in->method)) && len + 1 < cap)
        snprintf(buf + len, cap - len, ")");
}

/* One summary row: the tensors that share a name but for its numeric
 * components, and their shape, dtype and init. */
typedef struct srow {
    size_t first, last, count; /* member tensors: first, last, how many */
    char *key;
} srow;

typedef struct summary {
    srow *rows;
    size_t nrows;
    size_t *next; /* the next member of tensor i's row, or SIZE_MAX */
} summary;

/* The row key of tensor i: the name with its numeric components as
 * \001, then shape, dtype and init. A new string, or NULL. */
static char *row_key(const clinit_model_tensor_info *ti)
{
    name_nums nn;
    char sh[160], it[160], *k;
    size_t nl = strlen(ti->name), o = 0, from = 0;
    find_nums(ti->name, &nn);
    shape_str(&ti->tensor, sh, sizeof sh);
    init_text(&ti->init, it, sizeof it);
    if (!(k = malloc(nl + strlen(sh) + strlen(it) + 24)))
        return NULL;
    for (int j = 0; j < nn.n; j++) {
        memcpy(k + o, ti->name + from, nn.at[j] - from);
        o += nn.at[j] - from;
        k[o++] = '\001';
        from = nn.at[j] + nn.len[j];
    }
    memcpy(k + o, ti->name + from, nl - from);
    o += nl - from;
    sprintf(k + o, "\002%s\002%s\002%s", sh,
            clinit_dtype_name(ti->tensor.dtype), it);
    return k;
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
    return h;
}

/* Groups the tensors into rows (a hash table of the keys), in the order
 * of their first tensors. Returns 0 or CLINIT_ENOMEM. */
static int summary_make(const run *R, summary *S)
{
    size_t n = clinit_model_size(R->m), cap = 16, *slot;
    memset(S, 0, sizeof *S);
    while (cap < 2 * n)
        cap *= 2;
    slot = malloc(cap * sizeof *slot);
    S->rows = calloc(n ? n : 1, sizeof *S->rows);
    S->next = malloc((n ? n : 1) * sizeof *S->next);
    if (!slot || !S->rows || !S->next) {
        free(slot);
        return CLINIT_ENOMEM;
    }
    for (size_t h = 0; h < cap; h++)
        slot[h] = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        char *k = row_key(&R->info[i]);
        size_t h;
        if (!k) {
            free(slot);
            return CLINIT_ENOMEM;
        }
        h = (size_t)fnv1a(k) & (cap - 1);
        while (slot[h] != SIZE_MAX && strcmp(S->rows[slot[h]].key, k) != 0)
            h = (h + 1) & (cap - 1);
        S->next[i] = SIZE_MAX;
        if (slot[h] == SIZE_MAX) {
            srow *r = &S->rows[S->nrows];
            slot[h] = S->nrows++;
            r->first = r->last = i;
            r->count = 1;
            r->key = k;
        } else {
            srow *r = &S->rows[slot[h]];
            S->next[r->last] = i;
            r->last = i;
            r->count++;
            free(k);
        }
    }
    free(slot);
    return 0;
}

static void summary_free(summary *S)
{
    for (size_t r = 0; r < S->nrows; r++)
        free(S->rows[r].key);
    free(S->rows);
    free(S->next);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Values v[0..n) (sorted here) as "7", or "{0..11}", "{0,2,5..9}":
 * runs of 3 or more as a..b; longer than ~100 bytes ends in ",...}". */
static void set_str(uint64_t *v, size_t n, char *buf, size_t cap)
{
    size_t u = 0, len = 0;
    qsort(v, n, sizeof *v, cmp_u64);
    for (size_t i = 0; i < n; i++)
        if (u == 0 || v[i] != v[u - 1])
            v[u++] = v[i];
    if (u == 1) {
        snprintf(buf, cap, "%llu", (unsigned long long)v[0]);
        return;
    }
    len = (size_t)snprintf(buf, cap, "{");
    for (size_t i = 0; i < u;) {
        size_t j = i;
        while (j + 1 < u && v[j + 1] == v[j] + 1)
            j++;
        if (len > 100 && len + 6 < cap) {
            snprintf(buf + len, cap - len, ",...");
            len += 4;
            break;
        }
        if (j - i < 2)
            j = i; /* 4,5: two values, not a run */
        if (j > i)
            len += (size_t)snprintf(buf + len, cap - len, "%s%llu..%llu",
                                    i ? "," : "", (unsigned long long)v[i],
                                    (unsigned long long)v[j]);
        else
            len += (size_t)snprintf(buf + len, cap - len, "%s%llu",
                                    i ? "," : "", (unsigned long long)v[i]);
        i = j + 1;
        if (len + 8 >= cap)
            break;
    }
    snprintf(buf + len, cap - len, "}");
}

/* The name of row r: its first tensor's, each numeric component that
 * varies among the members as the set of its values. */
static void row_name(const run *R, const summary *S, const srow *r,
                     uint64_t *vals, char *buf, size_t cap)
{
    const char *name = R->info[r->first].name;
    name_nums nn;
    size_t from = 0, len = 0;
    find_nums(name, &nn);
    buf[0] = '\0';
    for (int j = 0; j < nn.n && len < cap; j++) {
        char set[128];
        size_t k = 0;
        for (size_t i = r->first; i != SIZE_MAX; i = S->next[i]) {
            name_nums mi;
            find_nums(R->info[i].name, &mi);
            vals[k++] = mi.v[j];
        }
        set_str(vals, k, set, sizeof set);
        len += (size_t)snprintf(buf + len, cap - len, "%.*s%s",
                                (int)(nn.at[j] - from), name + from, set);
        from = nn.at[j] + nn.len[j];
    }
    if (len < cap)
        snprintf(buf + len, cap - len, "%s", name + from);
}

/* The summary on `out`: one row per group of tensors, in file order of
 * the first: NAME  xN  SHAPE  DTYPE  INIT. Returns 0 or CLINIT_ENOMEM. */
static int print_summary(FILE *out, const run *R)
{
    summary S;
    size_t n = clinit_model_size(R->m);
    uint64_t *vals = malloc((n ? n : 1) * sizeof *vals);
    char name[512], cnt[32], sh[160], it[160];
    int wn = 0, wc = 0, ws = 0;
    memset(&S, 0, sizeof S);
    if (!vals || summary_make(R, &S) != 0) {
        free(vals);
        summary_free(&S);
        return CLINIT_ENOMEM;
    }
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 0; k < S.nrows; k++) {
            const srow *r = &S.rows[k];
            const clinit_model_tensor_info *ti = &R->info[r->first];
            row_name(R, &S, r, vals, name, sizeof name);
            snprintf(cnt, sizeof cnt, r->count > 1 ? "\xc3\x97%zu" : "",
                     r->count);
            shape_str(&ti->tensor, sh, sizeof sh);
            if (pass == 0) {
                wn = text_cols(name) > wn ? text_cols(name) : wn;
                wc = text_cols(cnt) > wc ? text_cols(cnt) : wc;
                ws = text_cols(sh) > ws ? text_cols(sh) : ws;
                continue;
            }
            init_text(&ti->init, it, sizeof it);
            put_padded(out, name, wn > 60 ? 60 : wn);
            fputs("  ", out);
            put_padded(out, cnt, wc);
            fputs(wc ? "  " : "", out);
            put_padded(out, sh, ws);
            fprintf(out, "  %-6s  %s\n", clinit_dtype_name(ti->tensor.dtype),
                    it);
        }
    free(vals);
    summary_free(&S);
    return 0;
}

/* The totals, the output (its real path and size) and the time. */
static void print_footer(FILE *out, const run *R, const char *path,
                         const clinit_io_format *fmt, double secs,
                         size_t nshards, int ranks)
{
    size_t n = clinit_model_size(R->m);
    uint64_t bytes = 0, params = clinit_model_numel(R->m);
    struct stat sb;
    char *real = NULL;
    for (size_t i = 0; i < n; i++)
        bytes += R->info[i].bytes;
    fprintf(out,
            "total: %zu tensors, %llu parameters (%.1fM), %llu bytes "
            "(%.1f MB)\n",
            n, (unsigned long long)params, (double)params / 1e6,
            (unsigned long long)bytes, (double)bytes / 1e6);
    if (clinit_outfile_is_stdout(path)) {
        fprintf(out, "out: standard output (%s)\n", fmt->name);
    } else if (nshards > 1) {
        /* the index and the shards next to it */
        char *ip = clinit_shard_path(path, 0, 0, 1);
        uint64_t sum = 0;
        for (size_t i = 0; i <= nshards; i++) {
            char *sp =
                i < nshards ? clinit_shard_path(path, i, nshards, 0) : NULL;
            if (stat(sp ? sp : ip ? ip : path, &sb) == 0)
                sum += (uint64_t)sb.st_size;
            free(sp);
        }
        real = ip ? realpath(ip, NULL) : NULL;
        fprintf(out, "out: %s (index of %zu %s shards, %llu bytes, %.1f MB)\n",
                real ? real
                : ip ? ip
                     : path,
                nshards, fmt->name, (unsigned long long)sum, (double)sum / 1e6);
        free(ip);
    } else if ((real = realpath(path, NULL)) != NULL && stat(real, &sb) == 0 &&
               S_ISREG(sb.st_mode))
        fprintf(out, "out: %s (%s, %llu bytes, %.1f MB)\n", real, fmt->name,
                (unsigned long long)sb.st_size, (double)sb.st_size / 1e6);
    else
        fprintf(out, "out: %s (%s)\n", real ? real : path, fmt->name);
    free(real);
    fprintf(out, "time: %.3f s, %.3f GB/s, %.1f Mparam/s, device %s", secs,
            secs > 0 ? (double)bytes / 1e9 / secs : 0.0,
            secs > 0 ? (double)params / 1e6 / secs : 0.0,
            clinit_ctx_device_name(R->ctx));
    if (ranks > 1)
        fprintf(out, " (rank 0), %d ranks", ranks);
    fputc('\n', out);
}

/* ---- the command
 * ------------------------------------------------------------------------ */

/* The numbers of the options. */
typedef struct init_opts {
    uint64_t seed, slot_bytes, max_params;
    uint64_t shard_max; /* --max-shard-size; 0: one file */
    clinit_dtype dtype;
    const clinit_io_format *fmt; /* --format; NULL: by the extension */
    int table;                   /* TABLE_* */
} init_opts;

/* The table's format names as "a, b or c" into buf. */
static void format_list(char *buf, size_t cap)
{
    size_t n = clinit_io_format_count(), len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && len < cap; i++) {
        int w = snprintf(buf + len, cap - len, "%s%s",
                         i == 0       ? ""
                         : i + 1 == n ? " or "
                                      : ", ",
                         clinit_io_format_at(i)->name);
        if (w < 0)
            return;
        len += (size_t)w;
    }
}

/* --format NAME: a row of tools/io/writer.c's table. Returns 0 or
 * EXIT_USAGE after the error. */
static int init_format(const char *name, const clinit_io_format **fmt)
{
    const char *names[32];
    char list[256], hint[80];
    size_t n = clinit_io_format_count();
    if ((*fmt = clinit_io_format_named(name)) != NULL)
        return 0;
    format_list(list, sizeof list);
    if (strcmp(name, clinit_io_npy.name) == 0)
        return cli_fail(EXIT_USAGE,
                        "--format: npy holds one unnamed array (clinit fill "
                        "writes it); init writes %s",
                        list);
    for (size_t i = 0; i < n && i < 32; i++)
        names[i] = clinit_io_format_at(i)->name;
    return cli_fail(
        EXIT_USAGE, "--format: unknown format '%s' (expected %s)%s", name, list,
        cli_did_you_mean(hint, sizeof hint, "", name, names, n < 32 ? n : 32));
}

/* --table T (and --quiet). Returns 0 or EXIT_USAGE after the error. */
static int init_table(const init_args *a, int *table)
{
    static const char *const names[] = {"summary", "full", "none"};
    char hint[64];
    *table = a->quiet ? TABLE_NONE : TABLE_SUMMARY;
    if (!a->table)
        return 0;
    for (int k = 0; k < 3; k++)
        if (strcmp(a->table, names[k]) == 0) {
            if (a->quiet && k != TABLE_NONE)
                return cli_fail(EXIT_USAGE,
                                "--table: '%s' contradicts --quiet (nothing "
                                "but errors)",
                                a->table);
            *table = k;
            return 0;
        }
    return cli_fail(
        EXIT_USAGE, "--table: '%s' is not summary, full or none%s", a->table,
        cli_did_you_mean(hint, sizeof hint, "", a->table, names, 3));
}

/* --max-shard-size SIZE: a size (shard.h) for a safetensors FILE. Returns
 * 0 or EXIT_USAGE after the error. */
static int init_shard_opt(const init_args *a, init_opts *o)
{
    const clinit_io_format *fmt =
        o->fmt ? o->fmt : clinit_io_format_for(a->out, &clinit_io_safetensors);
    if (!clinit_shard_parse_size(a->max_shard, &o->shard_max))
        return cli_fail(EXIT_USAGE,
                        "--max-shard-size: '%s' is not a size (bytes, or a "
                        "whole number with KB, MB, GB, TB: 10^3..10^12, or "
                        "KiB, MiB, GiB, TiB: 2^10..2^40; at least 1 byte)",
                        a->max_shard);
    if (fmt != &clinit_io_safetensors)
        return cli_fail(EXIT_USAGE,
                        "--max-shard-size: sharded checkpoints are "
                        "safetensors, not %s",
                        fmt->name);
    if (!clinit_shard_target_ok(a->out))
        return cli_fail(EXIT_USAGE,
                        "--max-shard-size: --out '%s' must be a file name "
                        "ending in .safetensors (the shards and the index "
                        "are named after it)",
                        a->out);
    return 0;
}

/* The command line, checked before any file or device is touched.
 * Returns 0, -1 for --help, or EXIT_USAGE after the error. */
static int init_options(int argc, char **argv, init_args *a, init_opts *o)
{
    int rc;
    o->seed = 0;
    o->slot_bytes = DEFAULT_SLOT_BYTES;
    o->max_params = DEFAULT_MAX_PARAMS;
    o->dtype = CLINIT_F32;
    o->fmt = NULL;
    o->table = TABLE_SUMMARY;
    o->shard_max = 0;
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
    if (a->format && (rc = init_format(a->format, &o->fmt)) != 0)
        return rc;
    if (a->max_shard && (rc = init_shard_opt(a, o)) != 0)
        return rc;
    return init_table(a, &o->table);
}

/* --help: the usage, with the formats of the table. */
static void print_usage(void)
{
    char list[256];
    format_list(list, sizeof list);
    printf(init_usage, list);
}

/* What the job prints on stdout (stderr when the file goes to stdout)
 * after the file is complete: the --table and the footer. Returns the
 * exit status. */
static int print_output(const run *R, const init_args *a, const init_opts *o,
                        const clinit_io_format *fmt, double secs,
                        size_t nshards, int ranks)
{
    FILE *out = clinit_outfile_is_stdout(a->out) ? stderr : stdout;
    if (o->table == TABLE_NONE)
        return 0;
    if (o->table == TABLE_FULL)
        print_table(out, R);
    else if (print_summary(out, R) != 0)
        return lib_fail("init", CLINIT_ENOMEM, R->ctx);
    print_footer(out, R, a->out, fmt, secs, nshards, ranks);
    return fflush(out) != 0 ? cli_fail(EXIT_FAIL, "init: write to %s failed",
                                       out == stdout ? "stdout" : "stderr")
                            : 0;
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

/* ---- the output: one file, shards, ranks -------------------------------- */

/* An agreement's result for this rank: its own rc when it failed, else
 * PEER_FAILED when another rank did (stop; the exit status comes from the
 * final agreement, init_mpi.h), else 0. */
#define PEER_FAILED (-2)

static int agree(init_mpi *mp, int rc)
{
    int bad, nbad, all = init_mpi_agree(mp, rc, &bad, &nbad);
    return rc ? rc : all ? PEER_FAILED : 0;
}

/* What the output needs besides the run. */
typedef struct out_job {
    const init_args *a;
    const clinit_io_format *fmt;
    const clinit_io_meta *meta; /* safetensors' (or gguf's) metadata */
    size_t nmeta;
    const clinit_io_tensor *ents;
    size_t n;
    init_mpi *mp;
    uint64_t shard_max; /* 0: one file */
    int want_gather;    /* --table full */
    double *gather;     /* with N > 1 ranks: room to gather the statistics */
} out_job;

/* --table full on N ranks: each tensor's sample statistics from the rank
 * that wrote it, summed into rank 0's (the others' are zero). */
static int gather_stats(run *R, init_mpi *mp, size_t n, double *v)
{
    int e;
    if (mp->size < 2)
        return 0;
    for (size_t t = 0; t < n; t++) {
        v[3 * t] = (double)R->stats[t].n;
        v[3 * t + 1] = R->stats[t].mean;
        v[3 * t + 2] = R->stats[t].m2;
    }
    if ((e = init_mpi_sum_to_root(mp, v, 3 * n)) == 0 && mp->rank == 0)
        for (size_t t = 0; t < n; t++) {
            R->stats[t].n = (uint64_t)v[3 * t];
            R->stats[t].mean = v[3 * t + 1];
            R->stats[t].m2 = v[3 * t + 2];
        }
    return e == 0 ? 0 : cli_fail(EXIT_FAIL, "init: MPI_Reduce failed");
}

/* The message for a failed clinit_io_create of `path`. */
static int create_fail(const run *R, const out_job *J, const char *path,
                       clinit_status st, int error)
{
    if (st == CLINIT_EOVERFLOW) /* sizes fit: the parser checked them */
        return cli_fail(EXIT_USAGE,
                        "%s: layers: the %s header of %zu tensors would be "
                        "larger than %llu bytes (the format's limit): "
                        "fewer or shorter names",
                        J->a->spec, J->fmt->name, J->n,
                        (unsigned long long)J->fmt->max_header);
    if (st == CLINIT_EIO)
        return cli_fail(EXIT_FAIL, "init failed: cannot write '%s': %s", path,
                        cli_io_msg(error));
    return lib_fail("init", st, R->ctx);
}

/* The progress bar's totals for the tensors ts[0..nt). */
static void progress_for(run *R, const size_t *ts, size_t nt)
{
    R->pg.total += nt;
    for (size_t j = 0; j < nt; j++)
        R->pg.total_bytes += R->info[ts ? ts[j] : j].bytes;
}

/* One process, one file (the writer's own crash-safe replacement). */
static int write_one(run *R, const out_job *J)
{
    clinit_status st = clinit_io_create(&R->w, J->fmt, J->a->out, J->meta,
                                        J->nmeta, J->ents, J->n);
    int rc;
    if (st != CLINIT_OK)
        return create_fail(R, J, J->a->out, st, R->w.file.error);
    progress_for(R, NULL, J->n);
    if ((rc = stream_model(R, NULL, J->n)) != 0)
        return rc;
    if ((st = clinit_io_finish(&R->w)) != CLINIT_OK)
        return cli_write_fail("init", J->a->out, st, R->w.file.error);
    return 0;
}

/* This rank's tensors of one file written by all: the contiguous run of
 * those whose data starts in its 1/N of the data section (ceil(D/N)
 * bytes each), into mine[0..*nm); *start their first byte. */
static void rank_tensors(const run *R, const out_job *J, uint64_t data,
                         size_t *mine, size_t *nm, uint64_t *start)
{
    uint64_t chunk = (data + (uint64_t)J->mp->size - 1) / (uint64_t)J->mp->size;
    uint64_t off = 0;
    *nm = 0;
    *start = 0;
    for (size_t t = 0; t < J->n; t++) {
        uint64_t r = chunk ? off / chunk : 0;
        if (r == (uint64_t)J->mp->rank) {
            if (*nm == 0)
                *start = off;
            mine[(*nm)++] = t;
        }
        off += R->info[t].bytes;
    }
}

/* Rank 0: the temporary with the header, sealed (complete but for the
 * data the ranks write into it): '1' (a regular file, to be synced) or
 * '0' (a target written in place: /dev/null, a FIFO) and its name into
 * name[0..cap). */
static int mpi_temp(const out_job *J, clinit_outfile *of, const void *h,
                    uint64_t hlen, char *name, size_t cap)
{
    clinit_status st = clinit_outfile_create(of, J->a->out, 0);
    const char *p;
    if (st == CLINIT_OK &&
        (st = clinit_outfile_write(of, h, hlen)) == CLINIT_OK)
        st = clinit_outfile_seal(of);
    if (st != CLINIT_OK)
        return cli_fail(EXIT_FAIL, "init failed: cannot write '%s': %s",
                        J->a->out, cli_io_msg(of->error));
    p = of->tmp ? of->tmp : of->path;
    if (strlen(p) + 1 >= cap) {
        clinit_outfile_fail(of);
        return cli_fail(EXIT_FAIL, "init failed: cannot write '%s': %s",
                        J->a->out, strerror(ENAMETOOLONG));
    }
    name[0] = of->tmp ? '1' : '0';
    memcpy(name + 1, p, strlen(p) + 1);
    return 0;
}

/* N ranks, one file byte-identical to one process's: rank 0 writes the
 * header into the temporary, every rank its tensors at their offsets
 * (MPI-IO), rank 0 renames it when every rank succeeded. */
static int write_mpi_one(run *R, const out_job *J)
{
    init_mpi *mp = J->mp;
    unsigned char *h = NULL;
    uint64_t hlen = 0, data = 0, start = 0;
    size_t *mine = NULL, nm = 0;
    clinit_outfile of;
    init_mpi_file *f = NULL;
    char name[4096] = "", msg[160];
    int rc = 0, e;
    clinit_status st;
    memset(&of, 0, sizeof of);
    st = clinit_io_safetensors_header(J->meta, J->nmeta, J->ents, J->n, &h,
                                      &hlen, &data);
    if (st != CLINIT_OK)
        rc = create_fail(R, J, J->a->out, st, 0);
    else if (!(mine = malloc((J->n ? J->n : 1) * sizeof *mine)))
        rc = lib_fail("init", CLINIT_ENOMEM, R->ctx);
    else
        rank_tensors(R, J, data, mine, &nm, &start);
    if (rc == 0 && mp->rank == 0)
        rc = mpi_temp(J, &of, h, hlen, name, sizeof name);
    if ((rc = agree(mp, rc)) != 0)
        goto out;
    if ((e = init_mpi_bcast(mp, name, sizeof name)) == 0)
        e = init_mpi_open(mp, name + 1, &f);
    if (e != 0) {
        rc = cli_fail(EXIT_FAIL, "init failed: cannot write '%s': %s",
                      J->a->out, init_mpi_strerror(e, msg, sizeof msg));
    } else {
        R->pf = f;
        R->pf_off = hlen + start;
        progress_for(R, mine, nm);
        rc = stream_model(R, mine, nm);
        R->pf = NULL;
    }
    if ((e = init_mpi_close(&f, name[0] == '1')) != 0 && rc == 0)
        rc = cli_fail(EXIT_FAIL, "init failed: writing '%s': %s", J->a->out,
                      init_mpi_strerror(e, msg, sizeof msg));
    init_mpi_test_hook(mp);
    /* agreed: the statistics, then rank 0 publishes (the final agreement,
     * init_mpi.h, tells the others whether that worked) */
    if ((rc = agree(mp, rc)) == 0 && J->gather)
        rc = agree(mp, gather_stats(R, mp, J->n, J->gather));
    if (rc == 0 && mp->rank == 0 &&
        (st = clinit_outfile_publish(&of)) != CLINIT_OK)
        rc = cli_write_fail("init", J->a->out, st, of.error);
out:
    clinit_outfile_fail(&of); /* removes the temporary unless published */
    free(h);
    free(mine);
    return rc;
}

/* Shard s (0-based) of k: its tensors (shard_of), written to a sealed
 * temporary *of. */
static int write_shard(run *R, const out_job *J, const size_t *shard_of,
                       size_t s, size_t k, size_t *idx, clinit_io_tensor *sub,
                       clinit_outfile *of)
{
    size_t ni = 0;
    char *path = clinit_shard_path(J->a->out, s, k, 0);
    clinit_status st;
    int rc;
    if (!path)
        return lib_fail("init", CLINIT_ENOMEM, R->ctx);
    for (size_t t = 0; t < J->n; t++)
        if (shard_of[t] == s) {
            idx[ni] = t;
            sub[ni++] = J->ents[t];
        }
    R->out = path;
    st = clinit_io_create(&R->w, &clinit_io_safetensors, path, J->meta,
                          J->nmeta, sub, ni);
    if (st != CLINIT_OK) {
        rc = create_fail(R, J, path, st, R->w.file.error);
    } else if ((rc = stream_model(R, idx, ni)) == 0 &&
               (st = clinit_io_seal(&R->w, of)) != CLINIT_OK) {
        rc = cli_write_fail("init", path, st, of->error);
    }
    clinit_io_abort(&R->w); /* no-op once sealed */
    R->out = J->a->out;
    free(path);
    return rc;
}

/* Rank 0: the index, sealed in *of. */
static int write_index(run *R, const out_job *J, const size_t *shard_of,
                       size_t k, clinit_outfile *of)
{
    const char **names = malloc((J->n ? J->n : 1) * sizeof *names);
    char *text = NULL, *ip = clinit_shard_path(J->a->out, 0, 0, 1);
    size_t len = 0;
    uint64_t total = 0;
    clinit_status st = names && ip ? CLINIT_OK : CLINIT_ENOMEM;
    int rc = 0;
    for (size_t t = 0; names && t < J->n; t++) {
        names[t] = R->info[t].name;
        total += R->info[t].bytes;
    }
    if (st == CLINIT_OK)
        st = clinit_shard_index(names, shard_of, J->n, k, total, J->a->out,
                                &text, &len);
    if (st != CLINIT_OK)
        rc = lib_fail("init", st, R->ctx);
    else if ((st = clinit_outfile_create(of, ip, 0)) != CLINIT_OK ||
             (st = clinit_outfile_write(of, text, len)) != CLINIT_OK ||
             (st = clinit_outfile_seal(of)) != CLINIT_OK)
        rc = cli_write_fail("init", ip, st, of->error);
    free(names);
    free(text);
    free(ip);
    return rc;
}

/* k > 1 shards, shard s by rank s % N: every shard and the index
 * complete (sealed temporaries) on every rank before any is renamed; the
 * index last. */
static int write_shards(run *R, const out_job *J, const size_t *shard_of,
                        size_t k)
{
    init_mpi *mp = J->mp;
    clinit_outfile *files = calloc(k + 1, sizeof *files); /* [k]: index */
    size_t *idx = malloc(J->n * sizeof *idx);
    clinit_io_tensor *sub = malloc(J->n * sizeof *sub);
    int rc = files && idx && sub ? 0 : lib_fail("init", CLINIT_ENOMEM, R->ctx);
    size_t s;
    for (s = (size_t)mp->rank; rc == 0 && s < k; s += (size_t)mp->size) {
        size_t ni = 0;
        for (size_t t = 0; t < J->n; t++)
            if (shard_of[t] == s)
                idx[ni++] = t;
        progress_for(R, idx, ni);
    }
    for (s = (size_t)mp->rank; rc == 0 && s < k; s += (size_t)mp->size)
        rc = write_shard(R, J, shard_of, s, k, idx, sub, &files[s]);
    if (rc == 0 && mp->rank == 0)
        rc = write_index(R, J, shard_of, k, &files[k]);
    init_mpi_test_hook(mp);
    if ((rc = agree(mp, rc)) == 0 && J->gather)
        rc = agree(mp, gather_stats(R, mp, J->n, J->gather));
    if (rc == 0) {
        clinit_status st = CLINIT_OK;
        for (s = (size_t)mp->rank; st == CLINIT_OK && s < k;
             s += (size_t)mp->size)
            if ((st = clinit_outfile_publish(&files[s])) != CLINIT_OK)
                rc = cli_write_fail("init", J->a->out, st, files[s].error);
        if ((rc = agree(mp, rc)) == 0 && mp->rank == 0 &&
            (st = clinit_outfile_publish(&files[k])) != CLINIT_OK)
            rc = cli_write_fail("init", J->a->out, st, files[k].error);
    }
    for (s = 0; files && s <= k; s++)
        clinit_outfile_fail(&files[s]); /* the temporaries not published */
    free(files);
    free(idx);
    free(sub);
    return rc;
}

/* The output as the job asks: one file or shards, one process or N.
 * *nshards gets the shard count (1: one file). Every allocation comes
 * before the ranks' next agreement, so that all of them take the same
 * path. */
static int write_output(run *R, out_job *J, size_t *nshards)
{
    size_t *shard_of = NULL, k = 1;
    uint64_t *bytes = NULL;
    int rc = 0;
    if (J->shard_max) {
        clinit_status st = CLINIT_ENOMEM;
        shard_of = malloc((J->n ? J->n : 1) * sizeof *shard_of);
        bytes = malloc((J->n ? J->n : 1) * sizeof *bytes);
        for (size_t t = 0; bytes && t < J->n; t++)
            bytes[t] = R->info[t].bytes;
        if (shard_of && bytes)
            st = clinit_shard_assign(bytes, J->n, J->shard_max, shard_of, &k);
        if (st != CLINIT_OK)
            rc = lib_fail("init", st, R->ctx);
    }
    if (rc == 0 && J->want_gather && J->mp->size > 1 &&
        !(J->gather = calloc(3 * (J->n ? J->n : 1), sizeof *J->gather)))
        rc = lib_fail("init", CLINIT_ENOMEM, R->ctx);
    *nshards = k;
    if ((rc = agree(J->mp, rc)) != 0)
        *nshards = 1;
    else if (k > 1)
        rc = write_shards(R, J, shard_of, k);
    else if (J->mp->size > 1)
        rc = write_mpi_one(R, J);
    else
        rc = write_one(R, J);
    free(shard_of);
    free(bytes);
    free(J->gather);
    J->gather = NULL;
    return rc;
}

/* The command on this rank (init_mpi.h; one process: rank 0 of 1). */
static int init_main(int argc, char **argv, init_mpi *mp)
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
    uint64_t total = 0, need = 0, largest = 0;
    double t0, secs;
    int rc, any_f64 = 0, zero_copy;
    size_t nshards = 1;
    out_job J;

    memset(&R, 0, sizeof R);
    memset(&gm, 0, sizeof gm);
    if ((rc = init_options(argc, argv, &a, &o)) != 0) {
        if (rc < 0)
            print_usage();
        return rc < 0 ? 0 : rc;
    }
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
        largest = ti->bytes > largest ? ti->bytes : largest;
        if (ti->init.method != CLINIT_ORTHOGONAL)
            need += (ti->bytes + PIECE_ALIGN - 1) / PIECE_ALIGN * PIECE_ALIGN;
        any_f64 |= ti->tensor.dtype == CLINIT_F64;
    }
    fmt = o.fmt ? o.fmt : clinit_io_format_for(a.out, &clinit_io_safetensors);
    if ((rc = check_format(&a, fmt, ents, n)) != 0)
        goto done;
    if (mp->size > 1 &&
        (fmt != &clinit_io_safetensors || clinit_outfile_is_stdout(a.out))) {
        rc = cli_fail(EXIT_USAGE,
                      "--out: under mpirun (%d ranks) the output is a "
                      "safetensors file (not %s)",
                      mp->size,
                      fmt != &clinit_io_safetensors ? fmt->name
                                                    : "standard output");
        goto done;
    }
    if (fmt == &clinit_io_gguf &&
        (st = clinit_gguf_spec_meta(
             json, jlen, clinit_model_name(m), clinit_model_seed(m),
             clinit_model_spec_hash(m), &gm, err, sizeof err)) != CLINIT_OK) {
        rc = st == CLINIT_EPARAM ? cli_fail(EXIT_USAGE, "%s: %s", a.spec, err)
                                 : lib_fail("init", st, NULL);
        goto done;
    }
    if ((rc = cli_open_ctx("init", a.device, &R.ctx)) != 0)
        goto done;
    /* CPU path without --chunk: slots up to 64 MiB where the largest
     * tensor pays for them (fewer, larger batch calls: about 15% faster
     * to /dev/null on bench/gpt2_1p5b.json); two slots stay within the
     * largest tensor + 48 MiB. pocl measured slower with them. */
    if (!a.chunk && !clinit_ctx_is_opencl(R.ctx)) {
        uint64_t want = (largest + ((uint64_t)48 << 20)) / 2 / 4096 * 4096;
        R.slot_bytes = want < DEFAULT_SLOT_BYTES ? DEFAULT_SLOT_BYTES
                       : want > CPU_SLOT_MAX     ? CPU_SLOT_MAX
                                                 : want;
    }
    /* no bigger staging than the model needs */
    if (need < R.slot_bytes)
        R.slot_bytes = need < MIN_SLOT_BYTES ? MIN_SLOT_BYTES : need;
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
    zero_copy = clinit_ctx_is_opencl(R.ctx) && device_is_cpu(R.ctx);
    for (int k = 0; k < 2; k++) {
        slot *s = &R.slots[k];
        void *h = NULL;
        s->zero_copy = zero_copy;
        /* page-aligned, as CPU devices want a host pointer to use in place */
        if (posix_memalign(&h, 4096, (size_t)R.slot_bytes) != 0) {
            rc = lib_fail("init", CLINIT_ENOMEM, R.ctx);
            goto done;
        }
        s->host = h;
        if (clinit_ctx_is_opencl(R.ctx)) {
            cl_int e = CL_SUCCESS;
            s->buf = clCreateBuffer(
                clinit_ctx_context(R.ctx),
                CL_MEM_READ_WRITE | (s->zero_copy ? CL_MEM_USE_HOST_PTR : 0),
                (size_t)R.slot_bytes, s->zero_copy ? s->host : NULL, &e);
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

    mp->agreed = 1; /* every rank set up (or stops here) */
    if ((rc = agree(mp, 0)) != 0)
        goto done;
    J.a = &a;
    J.fmt = fmt;
    J.meta = fmt == &clinit_io_gguf ? gm.meta : meta;
    J.nmeta = fmt == &clinit_io_gguf ? gm.n : nmeta;
    J.ents = ents;
    J.n = n;
    J.mp = mp;
    J.shard_max = o.shard_max;
    J.want_gather = o.table == TABLE_FULL;
    J.gather = NULL;
    t0 = cli_now_s();
    R.pg.on = o.table != TABLE_NONE && isatty(fileno(stderr));
    R.pg.t0 = t0;
    R.pg.last = 0;
    if ((rc = write_output(&R, &J, &nshards)) != 0)
        goto done;
    secs = cli_now_s() - t0;
    if (R.pg.on) {
        progress_show(&R.pg, 1);
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    if (mp->rank == 0)
        rc = print_output(&R, &a, &o, fmt, secs, nshards, mp->size);
done:
    if (R.pg.on && rc != 0)
        fputc('\n', stderr);
    if (R.ctx && clinit_ctx_queue(R.ctx))
        clFinish(clinit_ctx_queue(R.ctx));
    clinit_io_abort(&R.w); /* no-op once closed */
    for (int k = 0; k < 2; k++) {
        (void)settle(&R.slots[k]);
        if (R.slots[k].ev)
            clReleaseEvent(R.slots[k].ev);
        if (R.slots[k].map) { /* a failure left it mapped */
            clEnqueueUnmapMemObject(clinit_ctx_queue(R.ctx), R.slots[k].buf,
                                    R.slots[k].map, 0, NULL, NULL);
            clFinish(clinit_ctx_queue(R.ctx));
        }
        if (R.slots[k].buf)
            clReleaseMemObject(R.slots[k].buf);
        free(R.slots[k].host);
        free(R.slots[k].pc);
        free(R.slots[k].descs);
    }
    free(R.info);
    free(R.stats);
    free(ents);
    clinit_gguf_meta_free(&gm);
    free(json);
    clinit_ctx_destroy(R.ctx);
    clinit_model_destroy(m);
    return rc == PEER_FAILED ? 0 : rc;
}

int clinit_cmd_init(int argc, char **argv)
{
    init_mpi mp;
    int rc = init_mpi_start(&mp), all, bad, nbad;
    if (rc != 0)
        return rc;
    rc = init_main(argc, argv, &mp);
    if (!mp.agreed) /* stopped before the ranks' first agreement: make it */
        (void)init_mpi_agree(&mp, rc, &bad, &nbad);
    all = init_mpi_agree(&mp, rc, &bad, &nbad);
    init_mpi_report(&mp, rc, bad, nbad);
    init_mpi_end(&mp);
    return rc ? rc : all;
}
