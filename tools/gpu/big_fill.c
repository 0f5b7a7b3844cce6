/* big_fill.c - clinit-big-fill: one large fill on an OpenCL device,
 * compared bit for bit with the CPU path (tools/gpu-check.sh, step c).
 *
 * usage: clinit-big-fill [--device D] [--method M] [--dtype T]
 *                        --numel N [--lo L] [--hi H] [--chunk-mib C]
 *                        [--ref-seed S]
 * Makes a 1-D tensor of N elements (seed 20261201, stream 11), fills
 * elements [L, H) (default [0, N)) into one device buffer of (H - L)
 * elements with a single clinit_enqueue_fill (over 2^30 elements the
 * library splits it into several launches), then reads the buffer back
 * C MiB at a time (default 256) and compares each piece with
 * clinit_fill_host of the same range. Host memory: two pieces.
 * --ref-seed S computes the CPU reference with seed S instead: a
 * self-test of the comparison (with S != 20261201 nearly every element
 * must differ, and the exit status is 1).
 * Prints the device, the sizes, the times and the number of differing
 * elements (and the first ones). Exit status: 0 identical; 1 a
 * difference, or a library or OpenCL error; 2 usage.
 * A development tool, not part of the library (not installed).
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clinit.h"

#define SHOW_DIFFS 5

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int usage(const char *why)
{
    fprintf(stderr,
            "clinit-big-fill: %s\nusage: clinit-big-fill [--device D] "
            "[--method M] [--dtype T] --numel N [--lo L] [--hi H] "
            "[--chunk-mib C] [--ref-seed S]\n",
            why);
    return 2;
}

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    if (!s || !*s || *s == '-')
        return -1;
    *v = strtoull(s, &end, 0);
    return *end ? -1 : 0;
}

typedef struct big {
    clinit_ctx *ocl, *cpu;
    clinit_tensor t, ref; /* ref: t, or t with --ref-seed */
    clinit_init init;
    uint64_t lo, hi, chunk; /* chunk: elements per piece */
    size_t esize;
} big;

/* Reads the device buffer back piece by piece and compares it with the
 * CPU path. Returns the number of differing elements, or -1. */
static int64_t compare(big *b, cl_mem buf)
{
    cl_command_queue q = clinit_ctx_queue(b->ocl);
    unsigned char *dev = malloc(b->chunk * b->esize);
    unsigned char *ref = malloc(b->chunk * b->esize);
    int64_t diffs = 0;
    for (uint64_t e = b->lo; dev && ref && e < b->hi; e += b->chunk) {
        uint64_t n = b->hi - e < b->chunk ? b->hi - e : b->chunk;
        clinit_status st;
        cl_int err = clEnqueueReadBuffer(
            q, buf, CL_TRUE, (size_t)((e - b->lo) * b->esize),
            (size_t)(n * b->esize), dev, 0, NULL, NULL);
        if (err != CL_SUCCESS) {
            fprintf(stderr, "clinit-big-fill: clEnqueueReadBuffer: %d\n",
                    (int)err);
            diffs = -1;
            break;
        }
        st = clinit_fill_host(b->cpu, &b->ref, &b->init, e, e + n, ref);
        if (st != CLINIT_OK) {
            fprintf(stderr, "clinit-big-fill: clinit_fill_host: %s\n",
                    clinit_strerror(st));
            diffs = -1;
            break;
        }
        if (memcmp(dev, ref, (size_t)(n * b->esize)) == 0)
            continue;
        for (uint64_t k = 0; k < n; k++)
            if (memcmp(dev + k * b->esize, ref + k * b->esize, b->esize)) {
                if (diffs < SHOW_DIFFS)
                    printf("  element %" PRIu64 " differs\n", e + k);
                diffs++;
            }
    }
    if (!dev || !ref) {
        fprintf(stderr, "clinit-big-fill: out of host memory\n");
        diffs = -1;
    }
    free(dev);
    free(ref);
    return diffs;
}

/* Enqueues the fill, waits, compares. The exit status. */
static int run(big *b)
{
    cl_int err;
    double t0, t1, t2;
    int64_t diffs;
    clinit_status st;
    uint64_t bytes = (b->hi - b->lo) * b->esize;
    cl_mem buf = clCreateBuffer(clinit_ctx_context(b->ocl), CL_MEM_READ_WRITE,
                                (size_t)bytes, NULL, &err);
    if (!buf) {
        fprintf(stderr, "clinit-big-fill: clCreateBuffer(%" PRIu64 "): %d\n",
                bytes, (int)err);
        return 1;
    }
    if ((st = clinit_ctx_warmup(b->ocl)) != CLINIT_OK) {
        fprintf(stderr, "clinit-big-fill: warmup: %s\n", clinit_strerror(st));
        clReleaseMemObject(buf);
        return 1;
    }
    t0 = now_s();
    st = clinit_enqueue_fill(b->ocl, &b->t, &b->init, b->lo, b->hi, buf, 0, 0,
                             NULL, NULL);
    err = clFinish(clinit_ctx_queue(b->ocl));
    t1 = now_s();
    if (st != CLINIT_OK || err != CL_SUCCESS) {
        fprintf(stderr,
                "clinit-big-fill: clinit_enqueue_fill: %s (clFinish %d)\n",
                clinit_strerror(st), (int)err);
        clReleaseMemObject(buf);
        return 1;
    }
    diffs = compare(b, buf);
    t2 = now_s();
    clReleaseMemObject(buf);
    printf("%s %s [%" PRIu64 ", %" PRIu64 ") of %" PRId64 ": %" PRIu64
           " bytes; device fill %.3f s (%.1f GB/s), read back + cpu compare "
           "%.2f s; %" PRId64 " differing elements\n",
           clinit_method_name(b->init.method), clinit_dtype_name(b->t.dtype),
           b->lo, b->hi, b->t.shape[0], bytes, t1 - t0,
           (double)bytes / (t1 - t0) * 1e-9, t2 - t1, diffs);
    return diffs == 0 ? 0 : 1;
}

/* The options into *b and *device; 0, or the usage exit status. */
static int parse(int argc, char **argv, big *b, const char **device)
{
    uint64_t numel = 0, chunk_mib = 256, lo = 0, hi = 0, ref_seed = 0;
    int have_hi = 0, have_ref = 0;
    for (int i = 1; i < argc; i++) {
        const char *f = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = !v;
        if (!strcmp(f, "--device"))
            *device = v;
        else if (!strcmp(f, "--method"))
            bad =
                bad || clinit_method_from_name(v, &b->init.method) != CLINIT_OK;
        else if (!strcmp(f, "--dtype"))
            bad = bad || clinit_dtype_from_name(v, &b->t.dtype) != CLINIT_OK;
        else if (!strcmp(f, "--numel"))
            bad = bad || parse_u64(v, &numel);
        else if (!strcmp(f, "--lo"))
            bad = bad || parse_u64(v, &lo);
        else if (!strcmp(f, "--hi"))
            bad = bad || parse_u64(v, &hi) || !(have_hi = 1);
        else if (!strcmp(f, "--ref-seed"))
            bad = bad || parse_u64(v, &ref_seed) || !(have_ref = 1);
        else if (!strcmp(f, "--chunk-mib"))
            bad = bad || parse_u64(v, &chunk_mib) || !chunk_mib;
        else
            return usage(f);
        if (bad)
            return usage(f);
        i++;
    }
    if (!numel || numel > INT64_MAX)
        return usage("--numel N (N >= 1) is required");
    if (!have_hi)
        hi = numel;
    if (lo >= hi || hi > numel)
        return usage("0 <= --lo < --hi <= --numel");
    b->t.ndim = 1;
    b->t.shape[0] = (int64_t)numel;
    b->lo = lo;
    b->hi = hi;
    b->ref = b->t;
    if (have_ref)
        b->ref.seed = ref_seed;
    b->esize = clinit_dtype_size(b->t.dtype);
    b->chunk = chunk_mib * 1024 * 1024 / b->esize;
    return b->chunk ? 0 : usage("--chunk-mib");
}

int main(int argc, char **argv)
{
    const char *device = "opencl";
    clinit_ctx_options oopt = {NULL, 0}, copt = {"cpu", 0};
    clinit_status st;
    big b;
    int rc;
    memset(&b, 0, sizeof b);
    b.t.dtype = CLINIT_F32;
    b.t.seed = 20261201;
    b.t.stream = 11;
    clinit_init_default(&b.init, CLINIT_NORMAL);
    if ((rc = parse(argc, argv, &b, &device)) != 0)
        return rc;
    {
        clinit_method m = b.init.method;
        clinit_init_default(&b.init, m);
        if (m == CLINIT_CONSTANT)
            b.init.val = 0.5;
    }
    oopt.device = device;
    if ((st = clinit_ctx_create(&b.ocl, &oopt)) != CLINIT_OK ||
        !clinit_ctx_is_opencl(b.ocl) ||
        (st = clinit_ctx_create(&b.cpu, &copt)) != CLINIT_OK) {
        fprintf(stderr, "clinit-big-fill: --device %s: %s\n", device,
                st != CLINIT_OK ? clinit_strerror(st) : "not an OpenCL device");
        clinit_ctx_destroy(b.ocl);
        return st == CLINIT_EDEVICESPEC ? 2 : 1;
    }
    printf("%s: ", clinit_ctx_device_name(b.ocl));
    fflush(stdout);
    rc = run(&b);
    clinit_ctx_destroy(b.cpu);
    clinit_ctx_destroy(b.ocl);
    return rc;
}
