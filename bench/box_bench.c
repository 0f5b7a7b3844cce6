/* box_bench.c - thin-box fills against contiguous fills of the same
 * element count (docs/SHARDS.md). A performance program, not a test.
 *
 * usage: clinit-box-bench [--rows R] [--cols C] [--world W] [--rank K]
 *                         [--dim D] [--mesh M] [--method M] [--dtype T]
 *                         [--reps N] [--threads N] [--device D]
 * Defaults: the Shard(1) column slab [50257, 96] of a [50257, 768]
 * weight (rank 3 of 8), normal, f32, 7 repetitions, the CPU path and then
 * the OpenCL device (if any). --dim 0: Shard(0), a row slab; --mesh M: a
 * 2-D mesh box, Shard(dim) of rank K of W, then Shard of the other dim,
 * rank K % M of M. --threads N: CPU path workers (0: every CPU). Prints
 * one line per path: the median time of the box fill, of a contiguous
 * fill of the same number of elements (the two interleaved), and the
 * median of their ratios (contiguous time / box time: 1.0 means the box
 * costs nothing extra). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clinit.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct run {
    clinit_ctx *ctx;
    const clinit_tensor *t;
    const clinit_init *in;
    const clinit_box *box;
    uint64_t n;
    void *host;
    cl_mem buf;
} run;

/* One fill, the box (which = 1) or the contiguous range [0, n); blocks
 * until done. */
static clinit_status one(const run *r, int which)
{
    clinit_status st;
    if (!r->buf)
        return which ? clinit_fill_host_box(r->ctx, r->t, r->in, r->box,
                                            r->host)
                     : clinit_fill_host(r->ctx, r->t, r->in, 0, r->n,
                                        r->host);
    st = which ? clinit_enqueue_fill_box(r->ctx, r->t, r->in, r->box, r->buf,
                                         0, 0, NULL, NULL)
               : clinit_enqueue_fill(r->ctx, r->t, r->in, 0, r->n, r->buf, 0,
                                     0, NULL, NULL);
    if (st == CLINIT_OK && clFinish(clinit_ctx_queue(r->ctx)) != CL_SUCCESS)
        st = CLINIT_EOPENCL;
    return st;
}

/* Median seconds of reps box fills (*tb) and contiguous ones (*tc), each
 * after one warm-up, the two interleaved so that both see the same load,
 * and the median of the reps' ratios (*ratio). -1 when a fill failed. */
static int medians(const run *r, int reps, double *tb, double *tc,
                   double *ratio)
{
    double b[64], c[64], q[64];
    if (one(r, 1) != CLINIT_OK || one(r, 0) != CLINIT_OK)
        return -1;
    for (int i = 0; i < reps; i++) {
        double t0 = now(), t1, t2;
        if (one(r, 1) != CLINIT_OK)
            return -1;
        t1 = now();
        if (one(r, 0) != CLINIT_OK)
            return -1;
        t2 = now();
        b[i] = t1 - t0;
        c[i] = t2 - t1;
        q[i] = c[i] / b[i];
    }
    qsort(b, (size_t)reps, sizeof b[0], cmp_d);
    qsort(c, (size_t)reps, sizeof c[0], cmp_d);
    qsort(q, (size_t)reps, sizeof q[0], cmp_d);
    *tb = b[reps / 2];
    *tc = c[reps / 2];
    *ratio = q[reps / 2];
    return 0;
}

static int bench(const char *device, const clinit_tensor *t,
                 const clinit_init *in, const clinit_box *box, int reps,
                 unsigned threads)
{
    clinit_ctx_options opt;
    run r;
    double tb, tc, q;
    size_t bytes;
    memset(&opt, 0, sizeof opt);
    memset(&r, 0, sizeof r);
    opt.device = device;
    opt.cpu_threads = threads;
    if (clinit_ctx_create(&r.ctx, &opt) != CLINIT_OK) {
        printf("%-40s no such device\n", device);
        return 0;
    }
    r.t = t;
    r.in = in;
    r.box = box;
    (void)clinit_box_numel(t, box, &r.n);
    bytes = (size_t)r.n * clinit_dtype_size(t->dtype);
    if (strcmp(device, "cpu") == 0) {
        r.host = malloc(bytes);
    } else {
        cl_int err;
        r.buf = clCreateBuffer(clinit_ctx_context(r.ctx), CL_MEM_READ_WRITE,
                               bytes, NULL, &err);
    }
    if (!r.host && !r.buf) {
        clinit_ctx_destroy(r.ctx);
        return 1;
    }
    if (medians(&r, reps, &tb, &tc, &q) < 0)
        printf("%-40s fill failed\n", clinit_ctx_device_name(r.ctx));
    else
        printf("%-40s box %8.2f ms  contiguous %8.2f ms  ratio %.2f  "
               "(%.0f Melem/s box)\n",
               clinit_ctx_device_name(r.ctx), tb * 1e3, tc * 1e3, q,
               (double)r.n / tb * 1e-6);
    free(r.host);
    if (r.buf)
        clReleaseMemObject(r.buf);
    clinit_ctx_destroy(r.ctx);
    return 0;
}

int main(int argc, char **argv)
{
    long long rows = 50257, cols = 768, world = 8, rank = 3, reps = 7;
    long long dim = 1, mesh = 0, threads = 0;
    const char *method = "normal", *dtype = "f32", *device = NULL;
    clinit_tensor t;
    clinit_init in;
    clinit_box box;
    clinit_method m;
    int rc = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *f = argv[i], *v = argv[i + 1];
        if (!strcmp(f, "--rows"))
            rows = atoll(v);
        else if (!strcmp(f, "--cols"))
            cols = atoll(v);
        else if (!strcmp(f, "--world"))
            world = atoll(v);
        else if (!strcmp(f, "--rank"))
            rank = atoll(v);
        else if (!strcmp(f, "--threads"))
            threads = atoll(v);
        else if (!strcmp(f, "--dim"))
            dim = atoll(v);
        else if (!strcmp(f, "--mesh"))
            mesh = atoll(v);
        else if (!strcmp(f, "--reps"))
            reps = atoll(v);
        else if (!strcmp(f, "--method"))
            method = v;
        else if (!strcmp(f, "--dtype"))
            dtype = v;
        else if (!strcmp(f, "--device"))
            device = v;
        else {
            fprintf(stderr, "clinit-box-bench: unknown flag '%s'\n", f);
            return 2;
        }
    }
    if (reps < 1 || reps > 63)
        reps = 7;
    memset(&t, 0, sizeof t);
    t.ndim = 2;
    t.shape[0] = rows;
    t.shape[1] = cols;
    t.seed = 1;
    t.stream = 2;
    if (clinit_method_from_name(method, &m) != CLINIT_OK ||
        clinit_dtype_from_name(dtype, &t.dtype) != CLINIT_OK ||
        clinit_init_default(&in, m) != CLINIT_OK ||
        dim < 0 || dim > 1 ||
        clinit_shard_box(2, t.shape, (int)dim, rank, world, &box) !=
            CLINIT_OK ||
        (mesh > 0 && clinit_shard_box_of(&box, 1 - (int)dim, rank % mesh,
                                         mesh, &box) != CLINIT_OK)) {
        fprintf(stderr, "clinit-box-bench: bad method, dtype or shard\n");
        return 2;
    }
    printf("box [%lld:%lld, %lld:%lld] of [%lld, %lld] (Shard(%lld) rank "
           "%lld of %lld%s), %s %s, median of %lld\n",
           (long long)box.start[0], (long long)(box.start[0] + box.count[0]),
           (long long)box.start[1], (long long)(box.start[1] + box.count[1]),
           rows, cols, dim, rank, world, mesh > 0 ? ", 2-D mesh" : "", method,
           dtype, reps);
    if (device)
        return bench(device, &t, &in, &box, (int)reps, (unsigned)threads);
    rc |= bench("cpu", &t, &in, &box, (int)reps, (unsigned)threads);
    rc |= bench("opencl", &t, &in, &box, (int)reps, (unsigned)threads);
    return rc;
}
