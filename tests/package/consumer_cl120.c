/* consumer_cl120.c - an includer that chose OpenCL 1.2 itself: clinit.h
 * keeps that choice (no 2.0 API appears) and compiles with it, warning
 * free, as C99 and as C++ (tests/package/package.sh). */
#define CL_TARGET_OPENCL_VERSION 120
#include <clinit.h>
#include <clinit_model.h>

#include <CL/cl.h>

#if CL_TARGET_OPENCL_VERSION != 120 || defined(CL_VERSION_2_0)
#error "clinit.h overrode the includer's CL_TARGET_OPENCL_VERSION"
#endif

#include "consumer_check.h"

cl_command_queue consumer_queue_1_2(cl_context cx, cl_device_id dev);

cl_command_queue consumer_queue_1_2(cl_context cx, cl_device_id dev)
{
    cl_int err;
    return clCreateCommandQueue(cx, dev, 0, &err);
}

int main(void)
{
    return consumer_check() ? 1 : 0;
}
