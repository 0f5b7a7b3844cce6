#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common.h"

/* The listed device of ctx's OpenCL device into *out; 0 if not listed. */
static int device_info_of(clinit_ctx *ctx, clinit_device_info *out)
{
    clinit_device_info info[64];
    size_t count = 0;
    if (clinit_list_devices(info, 64, &count) != CLINIT_OK)
        return 0;
    for (size_t i = 0; i < count && i < 64; i++)
        if (strcmp(info[i].id, clinit_ctx_device_id(ctx)) == 0) {
            *out = info[i];
            return 1;
        }
    return 0;
}

/* Whether ctx's platform name contains `want`, ignoring case. */
static int test_platform_is(clinit_ctx *ctx, const char *want)
{
    clinit_device_info info;
    size_t n = strlen(want);
    if (!device_info_of(ctx, &info))
        return 0;
    for (const char *p = info.platform; *p; p++)
        if (strncasecmp(p, want, n) == 0)
            return 1;
    return 0;
}

clinit_ctx *test_opencl_ctx(void)
{
    clinit_ctx_options opt = {"opencl", 0};
    clinit_ctx *ctx = NULL;
    clinit_status st = clinit_ctx_create(&ctx, &opt);
    cr_assert_eq(st, CLINIT_OK,
                 "no OpenCL device (%s): install pocl-opencl-icd",
                 clinit_strerror(st));
    cr_assert(clinit_ctx_is_opencl(ctx));
    {
        /* the *_rusticl ctests must run on Mesa's Rusticl, not on a
         * fallback device */
        const char *want = getenv("CLINIT_TEST_PLATFORM");
        if (want && *want)
            cr_assert(test_platform_is(ctx, want),
                      "CLINIT_TEST_PLATFORM=%s, but the device is %s: install "
                      "mesa-opencl-icd (tools/setup-debian.sh)",
                      want, clinit_ctx_device_name(ctx));
    }
    {
        /* the *_gpu_shape ctests run the GPU-shaped kernels on pocl */
        const char *shape = getenv("CLINIT_KERNEL_SHAPE");
        if (shape && strcmp(shape, "gpu") == 0)
            cr_assert_eq(clinit_debug_kernel_lanes(ctx), 1,
                         "CLINIT_KERNEL_SHAPE=gpu: GPU-shaped kernels expected");
        if (shape && strcmp(shape, "cpu") == 0)
            cr_assert_eq(clinit_debug_kernel_lanes(ctx), 16);
    }
    return ctx;
}

int test_has_fp64(clinit_ctx *ctx)
{
    clinit_device_info info;
    if (!clinit_ctx_is_opencl(ctx))
        return 1;
    cr_assert(device_info_of(ctx, &info), "%s is not listed",
              clinit_ctx_device_id(ctx));
    return info.has_fp64;
}

void test_f64_refused(clinit_ctx *ctx, const clinit_tensor *t,
                      const clinit_init *in, uint64_t lo, uint64_t hi)
{
    size_t bytes = (size_t)(hi - lo) * 8 + 16;
    cl_mem b = test_buffer(ctx, bytes, 0xa5);
    unsigned char *v = malloc(bytes);
    cr_assert(v);
    cr_assert_eq(clinit_enqueue_fill(ctx, t, in, lo, hi, b, 0, 0, NULL, NULL),
                 CLINIT_ENOFP64, "f64 on %s", clinit_ctx_device_name(ctx));
    test_read(ctx, b, 0, bytes, v);
    for (size_t k = 0; k < bytes; k++)
        cr_assert_eq(v[k], 0xa5, "byte %zu changed by a refused f64 fill", k);
    free(v);
    clReleaseMemObject(b);
}

clinit_tensor test_tensor(int ndim, const int64_t *shape, uint64_t seed,
                          uint64_t stream)
{
    clinit_tensor t;
    memset(&t, 0, sizeof t);
    t.dtype = CLINIT_F32;
    t.ndim = ndim;
    for (int d = 0; d < ndim && d < CLINIT_MAX_DIMS; d++)
        t.shape[d] = shape[d];
    t.seed = seed;
    t.stream = stream;
    return t;
}

clinit_init test_init(clinit_method method)
{
    clinit_init in;
    cr_assert_eq(clinit_init_default(&in, method), CLINIT_OK);
    return in;
}

cl_mem test_buffer(clinit_ctx *ctx, size_t bytes, unsigned char pattern)
{
    cl_int err;
    cl_command_queue q = clinit_ctx_queue(ctx);
    cl_context cx;
    cl_mem b;
    cr_assert_eq(
        clGetCommandQueueInfo(q, CL_QUEUE_CONTEXT, sizeof cx, &cx, NULL),
        CL_SUCCESS);
    b = clCreateBuffer(cx, CL_MEM_READ_WRITE, bytes, NULL, &err);
    cr_assert(b != NULL, "clCreateBuffer(%zu) failed: %d", bytes, err);
    cr_assert_eq(
        clEnqueueFillBuffer(q, b, &pattern, 1, 0, bytes, 0, NULL, NULL),
        CL_SUCCESS);
    cr_assert_eq(clFinish(q), CL_SUCCESS);
    return b;
}

void test_read(clinit_ctx *ctx, cl_mem buf, size_t off, size_t bytes, void *dst)
{
    cr_assert_eq(clEnqueueReadBuffer(clinit_ctx_queue(ctx), buf, CL_TRUE, off,
                                     bytes, dst, 0, NULL, NULL),
                 CL_SUCCESS);
}

uint32_t test_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}
