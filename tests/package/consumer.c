/* consumer.c - a program outside the clinit tree, built against an
 * installed clinit by tests/package/package.sh (pkg-config) and
 * tests/package/CMakeLists.txt (find_package), with -Werror. clinit.h
 * comes first and must not hide the includer's OpenCL 2.0 API nor make its
 * 1.2 API warn; the installed library must give the frozen values.
 * Usage: consumer VERSION (clinit_version_string() must say VERSION). */
#include <clinit.h>
#include <clinit_model.h>

#include <CL/cl.h>

#include "consumer_check.h"

/* Extern, so the compiler keeps them and the link needs libOpenCL: */
/* a 2.0 type and function, which CL_TARGET_OPENCL_VERSION 120 hides, */
cl_command_queue consumer_queue_2_0(cl_context cx, cl_device_id dev);
/* and 1.2 API deprecated in 2.0, which must not warn. */
cl_command_queue consumer_queue_1_2(cl_context cx, cl_device_id dev);

cl_command_queue consumer_queue_2_0(cl_context cx, cl_device_id dev)
{
    cl_queue_properties props[] = {CL_QUEUE_PROPERTIES, 0, 0};
    cl_int err;
    return clCreateCommandQueueWithProperties(cx, dev, props, &err);
}

cl_command_queue consumer_queue_1_2(cl_context cx, cl_device_id dev)
{
    cl_int err;
    return clCreateCommandQueue(cx, dev, 0, &err);
}

int main(int argc, char **argv)
{
    if (argc != 2 || strcmp(argv[1], clinit_version_string()) != 0) {
        fprintf(stderr, "consumer: library version %s, expected %s\n",
                clinit_version_string(), argc == 2 ? argv[1] : "(none)");
        return 1;
    }
    return consumer_check() ? 1 : 0;
}
