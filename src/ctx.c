/* ctx.c - contexts: which device a context uses, and what it owns. The
 * device backend (src/backend.h) is opened here and called down into;
 * without one a context is the CPU path alone. */
#include <stdlib.h>
#include <string.h>

#include "backend.h"

/* "cpu" -> 0, "opencl" -> 1, "opencl:P.D" -> 2 with *p, *d. */
static clinit_status parse_device(const char *s, int *kind, long *p, long *d)
{
    char *end;
    if (strcmp(s, "cpu") == 0) {
        *kind = 0;
        return CLINIT_OK;
    }
    if (strcmp(s, "opencl") == 0) {
        *kind = 1;
        return CLINIT_OK;
    }
    if (strncmp(s, "opencl:", 7) != 0 || s[7] < '0' || s[7] > '9')
        return CLINIT_EDEVICESPEC;
    *p = strtol(s + 7, &end, 10);
    if (*end != '.' || end[1] < '0' || end[1] > '9' || *p > 65535)
        return CLINIT_EDEVICESPEC;
    *d = strtol(end + 1, &end, 10);
    if (*end != '\0' || *d > 65535)
        return CLINIT_EDEVICESPEC;
    *kind = 2;
    return CLINIT_OK;
}

static clinit_ctx *ctx_alloc(const clinit_ctx_options *opt,
                             clinit_backend *dev)
{
    clinit_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        if (dev)
            dev->ops->destroy(dev);
        return NULL;
    }
    c->cpu_threads = opt ? opt->cpu_threads : 0;
    c->dev = dev;
    return c;
}

clinit_status clinit_ctx_create(clinit_ctx **out, const clinit_ctx_options *opt)
{
    const char *spec = opt ? opt->device : NULL;
    int kind = -1; /* -1: automatic with CPU fallback */
    long want_p = -1, want_d = -1;
    clinit_backend *dev = NULL;
    clinit_status st;

    if (!out)
        return CLINIT_ENULL;
    if (!spec || !*spec) {
        const char *env = getenv("CLINIT_DEVICE");
        spec = env && *env ? env : NULL;
    }
    if (spec && (st = parse_device(spec, &kind, &want_p, &want_d)) != CLINIT_OK)
        return st;
    if (kind != 0 && (st = clinit_ocl_open(want_p, want_d, &dev)) != CLINIT_OK) {
        /* automatic choice and no usable OpenCL: the CPU path */
        if (kind != -1 || (st != CLINIT_ENODEVICE && st != CLINIT_EOPENCL))
            return st;
        dev = NULL;
    }
    return (*out = ctx_alloc(opt, dev)) ? CLINIT_OK : CLINIT_ENOMEM;
}

clinit_status clinit_ctx_create_from_queue(clinit_ctx **out,
                                           cl_command_queue queue,
                                           const clinit_ctx_options *opt)
{
    clinit_backend *dev;
    clinit_status st;
    if (!out || !queue)
        return CLINIT_ENULL;
    if ((st = clinit_ocl_wrap(queue, &dev)) != CLINIT_OK)
        return st;
    return (*out = ctx_alloc(opt, dev)) ? CLINIT_OK : CLINIT_ENOMEM;
}

void clinit_ctx_destroy(clinit_ctx *c)
{
    if (!c)
        return;
    if (c->dev)
        c->dev->ops->destroy(c->dev);
    free(c);
}

int clinit_ctx_is_opencl(const clinit_ctx *c)
{
    return c && c->dev;
}

const char *clinit_ctx_device_name(const clinit_ctx *c)
{
    return c && c->dev ? c->dev->device_name : "cpu";
}

const char *clinit_ctx_device_id(const clinit_ctx *c)
{
    return c && c->dev ? c->dev->device_id : "cpu";
}

cl_context clinit_ctx_context(const clinit_ctx *c)
{
    return c && c->dev ? c->dev->ops->context(c->dev) : NULL;
}

cl_command_queue clinit_ctx_queue(const clinit_ctx *c)
{
    return c && c->dev ? c->dev->ops->queue(c->dev) : NULL;
}

unsigned clinit_ctx_cpu_threads(const clinit_ctx *c)
{
    return c && c->cpu_threads ? c->cpu_threads : clinit_cpu_count();
}

const char *clinit_ctx_build_log(const clinit_ctx *c)
{
    return c && c->dev ? c->dev->ops->build_log(c->dev) : "";
}

cl_int clinit_ctx_cl_error(const clinit_ctx *c)
{
    return c && c->dev ? c->dev->ops->cl_error(c->dev) : CL_SUCCESS;
}

clinit_status clinit_ctx_warmup(clinit_ctx *c)
{
    if (!c)
        return CLINIT_ENULL;
    if (!c->dev)
        return CLINIT_ENODEVICE;
    return c->dev->ops->warmup(c->dev);
}
