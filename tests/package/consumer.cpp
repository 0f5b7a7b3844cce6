// consumer.cpp - consumer.c's checks as a C++11 program (see there): the
// installed clinit.h first, then the OpenCL 2.0 API and the C++ library.
#include <clinit.h>
#include <clinit_model.h>

#include <CL/cl.h>

#include <string>
#include <vector>

#include "consumer_check.h"

// Extern, so the compiler keeps them and the link needs libOpenCL.
cl_command_queue consumer_queue_2_0(cl_context cx, cl_device_id dev);
cl_command_queue consumer_queue_1_2(cl_context cx, cl_device_id dev);

cl_command_queue consumer_queue_2_0(cl_context cx, cl_device_id dev)
{
    std::vector<cl_queue_properties> props(3, 0);
    props[0] = CL_QUEUE_PROPERTIES;
    cl_int err;
    return clCreateCommandQueueWithProperties(cx, dev, props.data(), &err);
}

cl_command_queue consumer_queue_1_2(cl_context cx, cl_device_id dev)
{
    cl_int err;
    return clCreateCommandQueue(cx, dev, 0, &err);
}

int main(int argc, char **argv)
{
    if (argc != 2 || std::string(argv[1]) != clinit_version_string()) {
        std::fprintf(stderr, "consumer: library version %s, expected %s\n",
                     clinit_version_string(), argc == 2 ? argv[1] : "(none)");
        return 1;
    }
    return consumer_check() ? 1 : 0;
}
