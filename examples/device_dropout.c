/* device_dropout.c - clinit's values inside your own OpenCL kernels.
 *
 * A program with its own OpenCL context builds its own kernels
 * (examples/device_dropout.cl) with clBuildProgram(-I <include dir>) on
 * the include/clinit/device.h API, then runs dropout and noise kernels in
 * place in its own buffers. Every result is checked bit for bit (memcmp)
 * against clinit_fill_host with the same seed, stream, method, parameters
 * and dtype, for ranges that start and end off the 16/64-element grid.
 *
 *   device_dropout KERNEL.cl INCLUDE_DIR
 *
 * INCLUDE_DIR holds clinit/device.h and the headers it includes
 * (<prefix>/include once installed). Exit status 0 when every case is
 * bit-identical (and a deliberately different seed is not), 1 on a
 * mismatch, 2 when OpenCL or clinit fails.
 */
#define CL_TARGET_OPENCL_VERSION 120
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinit.h"

typedef struct cl_env {
    cl_context cx;
    cl_command_queue q;
    cl_program prog;
    cl_device_id dev;
} cl_env;

static int die(const char *what, int code)
{
    fprintf(stderr, "device_dropout: %s failed (%d)\n", what, code);
    exit(2);
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0 || !(buf = calloc((size_t)n + 1, 1)) ||
        fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "device_dropout: cannot read %s\n", path);
        exit(2);
    }
    fclose(f);
    return buf;
}

/* The default device of the first platform that has one; our own
 * context, queue and program. */
static void env_open(cl_env *e, const char *cl_path, const char *inc)
{
    cl_platform_id ps[16];
    cl_uint np = 0;
    cl_int err = clGetPlatformIDs(16, ps, &np);
    char opts[4200], *src;
    size_t len;
    if (err != CL_SUCCESS || np == 0)
        die("clGetPlatformIDs", err);
    for (cl_uint p = 0; p < np; p++)
        if (clGetDeviceIDs(ps[p], CL_DEVICE_TYPE_DEFAULT, 1, &e->dev, NULL) ==
            CL_SUCCESS)
            break;
        else if (p + 1 == np)
            die("clGetDeviceIDs", -1);
    if (!(e->cx = clCreateContext(NULL, 1, &e->dev, NULL, NULL, &err)))
        die("clCreateContext", err);
    if (!(e->q = clCreateCommandQueue(e->cx, e->dev, 0, &err)))
        die("clCreateCommandQueue", err);
    src = read_text(cl_path);
    len = strlen(src);
    e->prog =
        clCreateProgramWithSource(e->cx, 1, (const char **)&src, &len, &err);
    free(src);
    if (!e->prog)
        die("clCreateProgramWithSource", err);
    snprintf(opts, sizeof opts, "-I %s", inc);
    if ((err = clBuildProgram(e->prog, 1, &e->dev, opts, NULL, NULL)) !=
        CL_SUCCESS) {
        static char log[1 << 16];
        clGetProgramBuildInfo(e->prog, e->dev, CL_PROGRAM_BUILD_LOG,
                              sizeof log - 1, log, NULL);
        fprintf(stderr, "%s\n", log);
        die("clBuildProgram", err);
    }
}

static void env_close(cl_env *e)
{
    clReleaseProgram(e->prog);
    clReleaseCommandQueue(e->q);
    clReleaseContext(e->cx);
}

/* One run of kernel `name`: x (n elements of `es` bytes) in place, the
 * descriptor of (t, init), elements [first, first + n); `extra` scalar
 * float arguments after (first, n) (dropout's keep and scale) or, for the
 * per-counter kernel, the first counter. Reads x back. */
typedef struct run_args {
    const char *kernel;
    size_t es;
    float keep, scale;
} run_args;

static void run(cl_env *e, const run_args *a, const clinit_tensor *t,
                const clinit_init *init, cl_ulong first, cl_ulong n, void *x)
{
    uint64_t desc[CLINIT_DEVICE_DESC_WORDS];
    clinit_status st = clinit_device_desc(t, init, desc);
    cl_int err;
    cl_kernel k;
    cl_mem bx, bd;
    size_t global = (size_t)n, local = 64;
    cl_ulong c0 = first / 64 * 16;
    if (st != CLINIT_OK)
        die(clinit_strerror(st), st);
    if (!(k = clCreateKernel(e->prog, a->kernel, &err)))
        die(a->kernel, err);
    bx = clCreateBuffer(e->cx, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
                        (size_t)n * a->es, x, &err);
    bd = clCreateBuffer(e->cx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                        sizeof desc, desc, &err);
    if (!bx || !bd)
        die("clCreateBuffer", err);
    clSetKernelArg(k, 0, sizeof bx, &bx);
    clSetKernelArg(k, 1, sizeof bd, &bd);
    clSetKernelArg(k, 2, sizeof first, &first);
    clSetKernelArg(k, 3, sizeof n, &n);
    if (strcmp(a->kernel, "dropout_f32") == 0) {
        clSetKernelArg(k, 4, sizeof a->keep, &a->keep);
        clSetKernelArg(k, 5, sizeof a->scale, &a->scale);
    } else if (strcmp(a->kernel, "noise_counters_f32") == 0) {
        /* every counter that holds an element of [first, first + n) */
        clSetKernelArg(k, 4, sizeof c0, &c0);
        global = (size_t)(((first + n + 63) / 64 * 16) - c0);
    }
    /* one work-group size for every launch (the kernels skip work-items
     * past the end): some drivers compile a kernel once per size */
    global = (global + local - 1) / local * local;
    if ((err = clEnqueueNDRangeKernel(e->q, k, 1, NULL, &global, &local, 0,
                                      NULL, NULL)) != CL_SUCCESS ||
        (err = clEnqueueReadBuffer(e->q, bx, CL_TRUE, 0, (size_t)n * a->es, x,
                                   0, NULL, NULL)) != CL_SUCCESS)
        die(a->kernel, err);
    clReleaseMemObject(bx);
    clReleaseMemObject(bd);
    clReleaseKernel(k);
}

static clinit_tensor tensor(clinit_dtype dt, uint64_t seed)
{
    clinit_tensor t;
    memset(&t, 0, sizeof t);
    t.dtype = dt;
    t.ndim = 2;
    t.shape[0] = 1031; /* fans for kaiming_/xavier_; 1031 * 1025 elements */
    t.shape[1] = 1025;
    t.seed = seed;
    t.stream = clinit_stream_of("layer1.noise");
    return t;
}

static clinit_init method(clinit_method m)
{
    clinit_init in;
    clinit_init_default(&in, m);
    if (m == CLINIT_NORMAL)
        in.std = 0.125;
    if (m == CLINIT_TRUNC_NORMAL) { /* a one-sided interval */
        in.a = -0.5;
        in.b = 3.0;
    }
    return in;
}

/* The input data the kernels modify in place. */
static void data(float *x, size_t n)
{
    for (size_t k = 0; k < n; k++)
        x[k] = 0.5f + (float)(k % 97) * 0.03125f;
}

/* One case: the device result of kernel `kernel` against the host's
 * expectation from clinit_fill_host. Returns 1 if bit-identical. */
static int check(cl_env *e, const char *kernel, clinit_dtype dt,
                 clinit_method m, cl_ulong first, cl_ulong n, uint64_t dseed)
{
    clinit_tensor t = tensor(dt, 1234), td = tensor(dt, 1234 + dseed);
    clinit_init in = method(m);
    size_t es = clinit_dtype_size(dt);
    float *x = malloc(n * 4), *want = malloc(n * 4), *fill = malloc(n * 4);
    run_args a = {kernel, es, 0.75f, 1.0f / 0.75f};
    clinit_status st;
    int same;
    if (!x || !want || !fill)
        die("malloc", 0);
    data(x, n);
    memcpy(want, x, n * 4);
    st = clinit_fill_host(NULL, &t, &in, first, first + n, fill);
    if (st != CLINIT_OK)
        die(clinit_strerror(st), st);
    for (cl_ulong k = 0; k < n; k++) {
        if (strcmp(kernel, "dropout_f32") == 0)
            want[k] = fill[k] < a.keep ? want[k] * a.scale : 0.0f;
        else if (strcmp(kernel, "add_noise_f32") == 0)
            want[k] = want[k] + fill[k];
    }
    if (strncmp(kernel, "noise", 5) == 0)
        memcpy(want, fill, n * es);
    run(e, &a, &td, &in, first, n, x);
    same = memcmp(x, want, n * es) == 0;
    printf("%-19s %-5s %-14s first %8llu n %5llu seed %llu: %s\n", kernel,
           clinit_dtype_name(dt), clinit_method_name(m),
           (unsigned long long)first, (unsigned long long)n,
           (unsigned long long)td.seed, same ? "bit-identical" : "DIFFERENT");
    free(x);
    free(want);
    free(fill);
    return same;
}

int main(int argc, char **argv)
{
    /* (first element, count): starts and ends off the 16/64 grid, the
     * last range ends at the tensor's end */
    static const cl_ulong ranges[][2] = {{0, 4099},
                                         {1, 1013},
                                         {37, 77},
                                         {64 * 1000 + 17, 2053},
                                         {1031 * 1025 - 999, 999}};
    static const struct {
        const char *kernel;
        clinit_dtype dt;
        clinit_method m;
    } cases[] = {
        {"dropout_f32", CLINIT_F32, CLINIT_UNIFORM},
        {"add_noise_f32", CLINIT_F32, CLINIT_NORMAL},
        {"add_noise_f32", CLINIT_F32, CLINIT_TRUNC_NORMAL},
        {"add_noise_f32", CLINIT_F32, CLINIT_KAIMING_UNIFORM},
        {"noise_counters_f32", CLINIT_F32, CLINIT_XAVIER_NORMAL},
        {"noise_f16", CLINIT_F16, CLINIT_NORMAL},
        {"noise_f16", CLINIT_F16, CLINIT_TRUNC_NORMAL},
        {"noise_f16", CLINIT_F16, CLINIT_UNIFORM},
        {"noise_bf16", CLINIT_BF16, CLINIT_TRUNC_NORMAL},
    };
    cl_env e;
    int bad = 0;
    if (argc != 3) {
        fprintf(stderr, "usage: device_dropout KERNEL.cl INCLUDE_DIR\n");
        return 2;
    }
    env_open(&e, argv[1], argv[2]);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++)
            bad += !check(&e, cases[c].kernel, cases[c].dt, cases[c].m,
                          ranges[r][0], ranges[r][1], 0);
    /* the comparison sees a difference: another seed must not match */
    if (check(&e, "add_noise_f32", CLINIT_F32, CLINIT_NORMAL, 37, 999, 1)) {
        fprintf(stderr, "device_dropout: a different seed gave equal bits\n");
        bad++;
    }
    env_close(&e);
    printf("%s\n",
           bad ? "FAILED" : "all cases bit-identical to clinit_fill_host");
    return bad ? 1 : 0;
}
