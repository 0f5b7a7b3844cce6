#include <stdlib.h>
#include <string.h>

#include "common.h"

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
