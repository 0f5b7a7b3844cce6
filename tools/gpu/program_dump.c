/* program_dump.c - clinit-program-dump: builds the library's embedded
 * OpenCL program (the very string libclinit builds, clinit_cl_source)
 * for one device with the options the library uses for a kernel shape,
 * and writes the device's program binary (CL_PROGRAM_BINARIES) to a
 * file. On NVIDIA's OpenCL that binary is PTX text, which
 * tools/gpu/ptx_ops.py counts (tools/gpu-check.sh, docs/GPU.md).
 *
 * usage: clinit-program-dump [--device D] [--shape gpu|cpu] [--log FILE] OUT
 *   --device D   opencl or opencl:P.D (default: opencl, the first device)
 *   --shape S    gpu: "-DCLINIT_OCL_LANES=1" (one counter per work-item,
 *                what the library builds for GPUs), cpu: "" (16 lanes);
 *                default gpu. These are host/ocl.c's build_locked strings.
 *   --log FILE   the build log, also when the build fails
 * Prints one line: the device name, the options and the binary's bytes.
 * Exit status: 0 written; 1 an OpenCL, library or file error; 2 usage.
 * A development tool, not part of the library (not installed).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinit.h"
#include "fileio.h"

/* The embedded program (cmake/embed.cmake), linked from clinit_static. */
extern const char clinit_cl_source[];
extern const size_t clinit_cl_source_len;

static int usage(const char *why)
{
    fprintf(stderr,
            "clinit-program-dump: %s\nusage: clinit-program-dump [--device D] "
            "[--shape gpu|cpu] [--log FILE] OUT\n",
            why);
    return 2;
}

static int write_file(const char *path, const void *data, size_t n)
{
    clinit_outfile o;
    memset(&o, 0, sizeof o);
    if (clinit_outfile_create(&o, path, n) != CLINIT_OK)
        return -1;
    if (clinit_outfile_append(&o, data, n) != CLINIT_OK)
        return -1;
    return clinit_outfile_finish(&o) == CLINIT_OK ? 0 : -1;
}

/* Writes the build log of prog on dev to path. */
static void save_log(cl_program prog, cl_device_id dev, const char *path)
{
    size_t n = 0;
    char *log;
    if (!path || clGetProgramBuildInfo(prog, dev, CL_PROGRAM_BUILD_LOG, 0, NULL,
                                       &n) != CL_SUCCESS)
        return;
    if (!(log = malloc(n + 1)))
        return;
    if (clGetProgramBuildInfo(prog, dev, CL_PROGRAM_BUILD_LOG, n, log, NULL) ==
        CL_SUCCESS)
        write_file(path, log, strnlen(log, n));
    free(log);
}

/* Builds the embedded source on (cx, dev) with opts and writes its binary
 * to out. 0, or 1 after a message. */
static int dump(cl_context cx, cl_device_id dev, const char *opts,
                const char *out, const char *logpath)
{
    const char *src = clinit_cl_source;
    size_t len = clinit_cl_source_len, bin_size = 0;
    unsigned char *bin = NULL;
    cl_int err;
    int rc = 1;
    cl_program prog = clCreateProgramWithSource(cx, 1, &src, &len, &err);
    if (!prog) {
        fprintf(stderr, "clinit-program-dump: clCreateProgramWithSource: %d\n",
                (int)err);
        return 1;
    }
    err = clBuildProgram(prog, 1, &dev, opts, NULL, NULL);
    save_log(prog, dev, logpath);
    if (err != CL_SUCCESS) {
        fprintf(stderr, "clinit-program-dump: clBuildProgram(\"%s\"): %d\n",
                opts, (int)err);
        goto out;
    }
    err = clGetProgramInfo(prog, CL_PROGRAM_BINARY_SIZES, sizeof bin_size,
                           &bin_size, NULL);
    if (err == CL_SUCCESS && bin_size == 0)
        err = CL_INVALID_PROGRAM_EXECUTABLE;
    if (err == CL_SUCCESS && !(bin = malloc(bin_size)))
        err = CL_OUT_OF_HOST_MEMORY;
    if (err == CL_SUCCESS)
        err =
            clGetProgramInfo(prog, CL_PROGRAM_BINARIES, sizeof bin, &bin, NULL);
    if (err != CL_SUCCESS) {
        fprintf(stderr, "clinit-program-dump: CL_PROGRAM_BINARIES: %d\n",
                (int)err);
        goto out;
    }
    if (write_file(out, bin, bin_size) != 0) {
        perror(out);
        goto out;
    }
    rc = 0;
    printf("options \"%s\": %zu bytes of program binary in %s\n", opts,
           bin_size, out);
out:
    free(bin);
    clReleaseProgram(prog);
    return rc;
}

int main(int argc, char **argv)
{
    const char *device = "opencl", *shape = "gpu", *out = NULL, *logpath = NULL;
    clinit_ctx_options copt = {NULL, 0};
    clinit_ctx *ctx = NULL;
    cl_device_id dev;
    clinit_status st;
    int rc;
    for (int i = 1; i < argc; i++) {
        int more = i + 1 < argc;
        if (!strcmp(argv[i], "--device") && more)
            device = argv[++i];
        else if (!strcmp(argv[i], "--shape") && more)
            shape = argv[++i];
        else if (!strcmp(argv[i], "--log") && more)
            logpath = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1])
            return usage(argv[i]);
        else if (!out)
            out = argv[i];
        else
            return usage("one output file");
    }
    if (!out)
        return usage("no output file");
    if (strcmp(shape, "gpu") && strcmp(shape, "cpu"))
        return usage("--shape: gpu or cpu");
    copt.device = device;
    if ((st = clinit_ctx_create(&ctx, &copt)) != CLINIT_OK ||
        !clinit_ctx_is_opencl(ctx)) {
        fprintf(stderr, "clinit-program-dump: --device %s: %s\n", device,
                st != CLINIT_OK ? clinit_strerror(st) : "not an OpenCL device");
        clinit_ctx_destroy(ctx);
        return st == CLINIT_EDEVICESPEC ? 2 : 1;
    }
    if (clGetCommandQueueInfo(clinit_ctx_queue(ctx), CL_QUEUE_DEVICE,
                              sizeof dev, &dev, NULL) != CL_SUCCESS) {
        fprintf(stderr, "clinit-program-dump: CL_QUEUE_DEVICE failed\n");
        clinit_ctx_destroy(ctx);
        return 1;
    }
    printf("%s: ", clinit_ctx_device_name(ctx));
    rc = dump(clinit_ctx_context(ctx), dev,
              strcmp(shape, "gpu") == 0 ? "-DCLINIT_OCL_LANES=1" : "", out,
              logpath);
    clinit_ctx_destroy(ctx);
    return rc;
}
