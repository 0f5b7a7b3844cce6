/* gemm.c - `clinit depth`'s GEMM (tools/depth/depth.cl, embedded at build
 * time as clinit_depth_cl_source): choosing the work-group shape, building
 * the program, enqueueing a layer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "depth.h"

extern const char clinit_depth_cl_source[];
extern const size_t clinit_depth_cl_source_len;

static void print_program_log(const depth_cl *cl)
{
    size_t n = 0;
    char *log;
    if (clGetProgramBuildInfo(cl->program, cl->device, CL_PROGRAM_BUILD_LOG, 0,
                              NULL, &n) != CL_SUCCESS ||
        n == 0 || !(log = malloc(n + 1)))
        return;
    if (clGetProgramBuildInfo(cl->program, cl->device, CL_PROGRAM_BUILD_LOG, n,
                              log, NULL) == CL_SUCCESS) {
        log[n] = '\0';
        fputs(log, stderr);
        if (n > 1 && log[strlen(log) - 1] != '\n')
            fputc('\n', stderr);
    }
    free(log);
}

int depth_build_gemm(depth_cl *cl, const depth_args *a)
{
    /* CPU shapes measured on pocl (AVX-512, 2 cores, 512 x 512 x 256):
     * 2x2 x 8x8 x float16 ~50 GFLOP/s, 8x8 x 4x4 ~12: small work-groups
     * keep pocl's work-item loops short. The first that fits is used. */
    static const gemm_shape shapes[] = {
        {2, 2, 8, 8, 16, 1},   {2, 2, 4, 4, 8, 1},  {1, 1, 1, 1, 8, 1},
        {16, 16, 4, 4, 16, 0}, {8, 8, 4, 4, 16, 0}, {4, 4, 4, 4, 8, 0},
        {1, 1, 1, 1, 1, 0}};
    cl_device_type type = 0;
    cl_uint vec_width = 0;
    int want_vector;
    const char *src = clinit_depth_cl_source;
    size_t src_len = clinit_depth_cl_source_len, max_wg = 0, max_items[3];
    cl_ulong local_mem = 0;
    cl_int err;

    err = clGetDeviceInfo(cl->device, CL_DEVICE_MAX_WORK_GROUP_SIZE,
                          sizeof max_wg, &max_wg, NULL);
    if (err == CL_SUCCESS)
        err = clGetDeviceInfo(cl->device, CL_DEVICE_MAX_WORK_ITEM_SIZES,
                              sizeof max_items, max_items, NULL);
    if (err == CL_SUCCESS)
        err = clGetDeviceInfo(cl->device, CL_DEVICE_LOCAL_MEM_SIZE,
                              sizeof local_mem, &local_mem, NULL);
    if (err == CL_SUCCESS)
        err = clGetDeviceInfo(cl->device, CL_DEVICE_TYPE, sizeof type, &type,
                              NULL);
    if (err == CL_SUCCESS)
        err = clGetDeviceInfo(cl->device, CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT,
                              sizeof vec_width, &vec_width, NULL);
    if (err != CL_SUCCESS)
        return depth_cl_fail("clGetDeviceInfo", err);
    want_vector = a->gemm == GEMM_AUTO ? !!(type & CL_DEVICE_TYPE_CPU)
                                       : a->gemm == GEMM_VECTOR;

    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const gemm_shape *g = &shapes[s];
        size_t wg = (size_t)g->tx * g->ty, kwg = 0;
        size_t tm = (size_t)g->ty * g->rm, tn = (size_t)g->tx * g->rn;
        size_t lmem = (size_t)g->tk * (tm + 1 + tn + 1);
        int exact;
        char opts[160];
        if (g->vector != want_vector ||
            (g->vector && g->tk == 16 && vec_width < 16))
            continue;
        if (wg > max_wg || (size_t)g->tx > max_items[0] ||
            (size_t)g->ty > max_items[1])
            continue;
        if (lmem < 3 * wg || g->vector)
            lmem = 3 * wg;
        if (4 * lmem > local_mem)
            continue;
        exact = a->batch % tm == 0 && a->width % tn == 0 &&
                (g->vector || a->width % (uint64_t)g->tk == 0);
        snprintf(opts, sizeof opts,
                 "-cl-denorms-are-zero -DTX=%d -DTY=%d -DRM=%d -DRN=%d "
                 "-D%s=%d -DDEPTH_EXACT=%d -DDEPTH_VECTOR=%d",
                 g->tx, g->ty, g->rm, g->rn, g->vector ? "VW" : "TK", g->tk,
                 exact, g->vector);
        cl->program =
            clCreateProgramWithSource(cl->context, 1, &src, &src_len, &err);
        if (err != CL_SUCCESS)
            return depth_cl_fail("clCreateProgramWithSource", err);
        err = clBuildProgram(cl->program, 1, &cl->device, opts, NULL, NULL);
        if (err != CL_SUCCESS) {
            depth_cl_fail("building tools/depth/depth.cl (clBuildProgram)",
                          err);
            print_program_log(cl);
            return EXIT_FAIL;
        }
        cl->kernel = clCreateKernel(cl->program, "depth_layer", &err);
        if (err != CL_SUCCESS)
            return depth_cl_fail("clCreateKernel", err);
        err = clGetKernelWorkGroupInfo(cl->kernel, cl->device,
                                       CL_KERNEL_WORK_GROUP_SIZE, sizeof kwg,
                                       &kwg, NULL);
        if (err != CL_SUCCESS)
            return depth_cl_fail("clGetKernelWorkGroupInfo", err);
        if (kwg >= wg) {
            cl->g = *g;
            cl->groups_x = (size_t)((a->width + tn - 1) / tn);
            cl->groups_y = (size_t)((a->batch + tm - 1) / tm);
            return 0;
        }
        clReleaseKernel(cl->kernel);
        clReleaseProgram(cl->program);
        cl->kernel = NULL;
        cl->program = NULL;
    }
    return depth_fail(EXIT_FAIL,
                      "the device accepts no work-group shape of the "
                      "GEMM kernel");
}

int depth_enqueue_layer(const depth_cl *cl, const depth_args *a, cl_mem x,
                        cl_ulong x_cstride, cl_mem w, cl_mem bias, cl_mem y,
                        cl_mem stats, size_t slot, int full)
{
    cl_ulong off = (cl_ulong)(slot * N_CFG * cl->groups_x * cl->groups_y * 4);
    cl_int m = (cl_int)a->batch, n = (cl_int)a->width, k = (cl_int)a->width;
    cl_int n_init = N_INIT;
    size_t local[3], global[3];
    cl_int err = CL_SUCCESS;
    cl_kernel kn = cl->kernel;

    local[0] = (size_t)cl->g.tx;
    local[1] = (size_t)cl->g.ty;
    local[2] = 1;
    global[0] = (full ? cl->groups_x : 1) * local[0];
    global[1] = (full ? cl->groups_y : 1) * local[1];
    global[2] = full ? N_CFG : 1;
    err |= clSetKernelArg(kn, 0, sizeof x, &x);
    err |= clSetKernelArg(kn, 1, sizeof x_cstride, &x_cstride);
    err |= clSetKernelArg(kn, 2, sizeof w, &w);
    err |= clSetKernelArg(kn, 3, sizeof bias, &bias);
    err |= clSetKernelArg(kn, 4, sizeof y, &y);
    err |= clSetKernelArg(kn, 5, sizeof stats, &stats);
    err |= clSetKernelArg(kn, 6, sizeof off, &off);
    err |= clSetKernelArg(kn, 7, sizeof m, &m);
    err |= clSetKernelArg(kn, 8, sizeof n, &n);
    err |= clSetKernelArg(kn, 9, sizeof k, &k);
    err |= clSetKernelArg(kn, 10, sizeof n_init, &n_init);
    if (err != CL_SUCCESS)
        return depth_cl_fail("clSetKernelArg", CL_INVALID_ARG_VALUE);
    err = clEnqueueNDRangeKernel(cl->queue, kn, 3, NULL, global, local, 0, NULL,
                                 NULL);
    if (err != CL_SUCCESS)
        return depth_cl_fail("clEnqueueNDRangeKernel", err);
    return 0;
}
