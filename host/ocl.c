/* ocl.c - OpenCL plumbing: device choice, context and queue ownership,
 * the program cache, argument packing and launches. No value is computed
 * here: kernels/ does that. */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "cache.h"
#include "clinit_stream.h"

/* from cl_ext.h (cl_khr_icd): what the loader says when no ICD exists */
#ifndef CL_PLATFORM_NOT_FOUND_KHR
#define CL_PLATFORM_NOT_FOUND_KHR -1001
#endif

extern const char clinit_cl_source[];
extern const size_t clinit_cl_source_len;

/* Blocks per launch at most (2^24 blocks = 2^30 f32 elements): keeps
 * global sizes within what every device accepts. */
#define MAX_BLOCKS_PER_LAUNCH (UINT64_C(1) << 24)
/* Global sizes are rounded up to this, so drivers can pick good groups. */
#define GLOBAL_ROUND 64
/* work-items per work-group of the CPU-shaped kernels (launch_chunks) */
#define CPU_LOCAL 64

/* Fill kernels clinit_k_<distribution>_<dtype>, one per row of
 * kernels/clinit_abi.h's distribution list and dtype, created on first
 * use. */
#define CLINIT_KNAME_(NAME, id, name) [id] = #name,
static const char *const kernel_dist_names[CLINIT_ABI_DIST_COUNT] = {
    CLINIT_KERNEL_DIST_LIST(CLINIT_KNAME_)};
#undef CLINIT_KNAME_

enum { K_PHILOX_RAW, K_MATH_PROBE, K_PHILOX_PROBE, K_COUNT };
static const char *const kernel_names[K_COUNT] = {
    "clinit_k_philox_raw", "clinit_k_math_probe", "clinit_k_philox_probe"};

/* The OpenCL backend's state (src/backend.h): base first. */
typedef struct clinit_ocl {
    clinit_backend base;
    cl_platform_id platform;
    cl_device_id device;
    cl_context context;
    cl_command_queue queue;
    /* programs, each built once (or loaded from the binary cache): every
     * fill kernel (clinit_ctx_warmup), or one fill kernel each on first use
     * when there is no warm-up program, and the test hooks */
    cl_program program;
    cl_program one[CLINIT_ABI_DIST_COUNT][CLINIT_DTYPE_COUNT];
    cl_program aux;
    int programs_each; /* one program per fill kernel (programs_each_for) */
    cl_kernel kernels[K_COUNT]; /* of aux */
    cl_kernel fill[CLINIT_ABI_DIST_COUNT][CLINIT_DTYPE_COUNT]; /* lazily created */
    int has_fp64;
    clinit_status build_status; /* CLINIT_EBUILD once a build failed */
    cl_int cl_error; /* last failed OpenCL call */
    char *build_log;
    pthread_mutex_t lock; /* program build and kernel arguments */
} clinit_ocl;

static void release_kernels(clinit_ocl *c);

static clinit_status cl_fail(clinit_ocl *ctx, cl_int err)
{
    if (ctx)
        ctx->cl_error = err;
    return CLINIT_EOPENCL;
}

/* ---- device enumeration ---------------------------------------------- */

/* Platforms in ICD order; no ICD at all is 0 platforms, not an error. */
static clinit_status get_platforms(cl_platform_id **out, cl_uint *n)
{
    cl_uint np = 0;
    cl_int err = clGetPlatformIDs(0, NULL, &np);
    *out = NULL;
    *n = 0;
    if (err == CL_PLATFORM_NOT_FOUND_KHR || (err == CL_SUCCESS && np == 0))
        return CLINIT_OK;
    if (err != CL_SUCCESS)
        return CLINIT_EOPENCL;
    *out = calloc(np, sizeof **out);
    if (!*out)
        return CLINIT_ENOMEM;
    if (clGetPlatformIDs(np, *out, NULL) != CL_SUCCESS) {
        free(*out);
        *out = NULL;
        return CLINIT_EOPENCL;
    }
    *n = np;
    return CLINIT_OK;
}

/* Devices of one platform (every type), in driver order. */
static cl_uint get_devices(cl_platform_id p, cl_device_id **out)
{
    cl_uint nd = 0;
    *out = NULL;
    if (clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, NULL, &nd) != CL_SUCCESS ||
        nd == 0)
        return 0;
    *out = calloc(nd, sizeof **out);
    if (!*out)
        return 0;
    if (clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, nd, *out, NULL) != CL_SUCCESS) {
        free(*out);
        *out = NULL;
        return 0;
    }
    return nd;
}

/* A device or platform string, truncated to fit (never left empty because
 * it is longer than the buffer). */
static void device_str(cl_device_id d, cl_device_info what, char *out,
                       size_t cap)
{
    size_t n = 0;
    char *tmp;
    out[0] = '\0';
    if (clGetDeviceInfo(d, what, 0, NULL, &n) != CL_SUCCESS || n == 0 ||
        !(tmp = calloc(n + 1, 1)))
        return;
    if (clGetDeviceInfo(d, what, n, tmp, NULL) == CL_SUCCESS)
        snprintf(out, cap, "%s", tmp);
    free(tmp);
}

static void platform_str(cl_platform_id p, cl_platform_info what, char *out,
                         size_t cap)
{
    size_t n = 0;
    char *tmp;
    out[0] = '\0';
    if (clGetPlatformInfo(p, what, 0, NULL, &n) != CL_SUCCESS || n == 0 ||
        !(tmp = calloc(n + 1, 1)))
        return;
    if (clGetPlatformInfo(p, what, n, tmp, NULL) == CL_SUCCESS)
        snprintf(out, cap, "%s", tmp);
    free(tmp);
}

static int device_is_gpu(cl_device_id d)
{
    cl_device_type t = 0;
    clGetDeviceInfo(d, CL_DEVICE_TYPE, sizeof t, &t, NULL);
    return (t & CL_DEVICE_TYPE_GPU) != 0;
}

static int device_has_fp64(cl_device_id d)
{
    cl_device_fp_config cfg = 0;
    clGetDeviceInfo(d, CL_DEVICE_DOUBLE_FP_CONFIG, sizeof cfg, &cfg, NULL);
    return cfg != 0;
}

/* Finds the device: (want_p, want_d) >= 0 picks opencl:P.D; otherwise the
 * first GPU, else the first device. */
static clinit_status find_device(long want_p, long want_d, cl_platform_id *plat,
                                 cl_device_id *dev, unsigned *pi, unsigned *di)
{
    cl_platform_id *ps;
    cl_uint np;
    clinit_status st = get_platforms(&ps, &np);
    int found = 0;
    if (st != CLINIT_OK)
        return st;
    for (int pass = 0; pass < 2 && !found; pass++) {
        for (cl_uint p = 0; p < np && !found; p++) {
            cl_device_id *ds;
            cl_uint nd = get_devices(ps[p], &ds);
            for (cl_uint d = 0; d < nd && !found; d++) {
                int ok = want_p >= 0 ? ((long)p == want_p && (long)d == want_d)
                         : pass == 0 ? device_is_gpu(ds[d])
                                     : 1;
                if (ok) {
                    *plat = ps[p];
                    *dev = ds[d];
                    *pi = p;
                    *di = d;
                    found = 1;
                }
            }
            free(ds);
        }
        if (want_p >= 0)
            break;
    }
    free(ps);
    return found ? CLINIT_OK : CLINIT_ENODEVICE;
}

clinit_status clinit_list_devices(clinit_device_info *out, size_t cap,
                                  size_t *count)
{
    cl_platform_id *ps;
    cl_uint np;
    size_t k = 0;
    clinit_status st;
    if (!count || (cap > 0 && !out))
        return CLINIT_ENULL;
    if ((st = get_platforms(&ps, &np)) != CLINIT_OK)
        return st;
    for (cl_uint p = 0; p < np; p++) {
        cl_device_id *ds;
        cl_uint nd = get_devices(ps[p], &ds);
        for (cl_uint d = 0; d < nd; d++, k++) {
            clinit_device_info *e;
            cl_ulong mem = 0;
            cl_uint cu = 0;
            if (k >= cap)
                continue;
            e = &out[k];
            memset(e, 0, sizeof *e);
            snprintf(e->id, sizeof e->id, "opencl:%u.%u", p, d);
            device_str(ds[d], CL_DEVICE_NAME, e->name, sizeof e->name);
            platform_str(ps[p], CL_PLATFORM_NAME, e->platform,
                         sizeof e->platform);
            device_str(ds[d], CL_DEVICE_VERSION, e->version, sizeof e->version);
            clGetDeviceInfo(ds[d], CL_DEVICE_GLOBAL_MEM_SIZE, sizeof mem, &mem,
                            NULL);
            clGetDeviceInfo(ds[d], CL_DEVICE_MAX_COMPUTE_UNITS, sizeof cu, &cu,
                            NULL);
            e->is_gpu = device_is_gpu(ds[d]);
            e->has_fp64 = device_has_fp64(ds[d]);
            e->global_mem_bytes = mem;
            e->compute_units = cu;
        }
        free(ds);
    }
    free(ps);
    *count = k;
    return CLINIT_OK;
}

/* "cpu" -> *kind 0; "opencl" -> 1; "opencl:P.D" -> 2 with *p, *d. */
/* ---- the backend's state --------------------------------------------- */

static const clinit_backend_ops ocl_ops;

static clinit_ocl *ocl_alloc(void)
{
    clinit_ocl *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    if (pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c);
        return NULL;
    }
    c->base.ops = &ocl_ops;
    c->cl_error = CL_SUCCESS;
    return c;
}

static void set_device_name(clinit_ocl *c, unsigned p, unsigned d, int known)
{
    char name[200];
    device_str(c->device, CL_DEVICE_NAME, name, sizeof name);
    if (known)
        snprintf(c->base.device_id, sizeof c->base.device_id, "opencl:%u.%u",
                 p, d);
    else
        snprintf(c->base.device_id, sizeof c->base.device_id, "opencl");
    snprintf(c->base.device_name, sizeof c->base.device_name, "%s %s",
             c->base.device_id, name);
}

/* Mesa's Rusticl (llvmpipe is a CPU device): its compiler takes more
 * than ten minutes over one CPU-shaped (16-lane) kernel and builds the
 * GPU-shaped ones in seconds, vectorizing across work-items itself */
static int device_is_rusticl(cl_device_id d)
{
    cl_platform_id p = NULL;
    char name[64];
    if (clGetDeviceInfo(d, CL_DEVICE_PLATFORM, sizeof p, &p, NULL) !=
        CL_SUCCESS)
        return 0;
    platform_str(p, CL_PLATFORM_NAME, name, sizeof name);
    return strstr(name, "rusticl") != NULL;
}

/* The fill kernels' shape: CLINIT_KERNEL_SHAPE=cpu|gpu, else by device
 * type (GPUs and Rusticl: one counter per work-item, so a warp's stores
 * are contiguous; other CPU devices: 16-lane vectors per work-item). */
static unsigned kernel_lanes_for(cl_device_id d)
{
    const char *e = getenv("CLINIT_KERNEL_SHAPE");
    if (e && strcmp(e, "gpu") == 0)
        return 1;
    if (e && strcmp(e, "cpu") == 0)
        return 16;
    return device_is_gpu(d) || device_is_rusticl(d) ? 1 : 16;
}

/* One program per fill kernel (CLINIT_KERNEL_PROGRAMS=each), or every fill
 * kernel in one program (=all). Default: each on GPUs, whose compilers
 * build a whole program up front (seconds per kernel), all elsewhere (pocl
 * and Rusticl compile each kernel when it is created, and one program
 * parses the source once). */
static int programs_each_for(cl_device_id d)
{
    const char *e = getenv("CLINIT_KERNEL_PROGRAMS");
    if (e && strcmp(e, "each") == 0)
        return 1;
    if (e && strcmp(e, "all") == 0)
        return 0;
    return device_is_gpu(d);
}

static void ocl_destroy(clinit_backend *be)
{
    clinit_ocl *c = (clinit_ocl *)be;
    if (!c)
        return;
    release_kernels(c);
    if (c->program)
        clReleaseProgram(c->program);
    if (c->aux)
        clReleaseProgram(c->aux);
    for (int d = 0; d < CLINIT_ABI_DIST_COUNT; d++)
        for (int t = 0; t < CLINIT_DTYPE_COUNT; t++)
            if (c->one[d][t])
                clReleaseProgram(c->one[d][t]);
    if (c->queue)
        clReleaseCommandQueue(c->queue);
    if (c->context)
        clReleaseContext(c->context);
    free(c->build_log);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

clinit_status clinit_ocl_open(long want_p, long want_d, clinit_backend **out)
{
    unsigned pi = 0, di = 0;
    clinit_ocl *c = ocl_alloc();
    clinit_status st;
    cl_int err;
    if (!c)
        return CLINIT_ENOMEM;
    st = find_device(want_p, want_d, &c->platform, &c->device, &pi, &di);
    if (st == CLINIT_OK &&
        !(c->context = clCreateContext(NULL, 1, &c->device, NULL, NULL, &err)))
        st = CLINIT_EOPENCL;
    if (st == CLINIT_OK &&
        !(c->queue = clCreateCommandQueue(c->context, c->device, 0, &err)))
        st = CLINIT_EOPENCL;
    if (st != CLINIT_OK) {
        ocl_destroy(&c->base);
        return st;
    }
    c->has_fp64 = device_has_fp64(c->device);
    c->base.kernel_lanes = kernel_lanes_for(c->device);
    c->programs_each = programs_each_for(c->device);
    set_device_name(c, pi, di, 1);
    *out = &c->base;
    return CLINIT_OK;
}

clinit_status clinit_ocl_wrap(cl_command_queue queue, clinit_backend **out)
{
    clinit_ocl *c;
    cl_context cx = NULL;
    cl_device_id dev = NULL;
    if (clGetCommandQueueInfo(queue, CL_QUEUE_CONTEXT, sizeof cx, &cx, NULL) !=
            CL_SUCCESS ||
        clGetCommandQueueInfo(queue, CL_QUEUE_DEVICE, sizeof dev, &dev, NULL) !=
            CL_SUCCESS ||
        !cx || !dev)
        return CLINIT_EQUEUE;
    if (!(c = ocl_alloc()))
        return CLINIT_ENOMEM;
    if (clRetainCommandQueue(queue) != CL_SUCCESS) {
        ocl_destroy(&c->base);
        return CLINIT_EQUEUE;
    }
    c->queue = queue;
    if (clRetainContext(cx) != CL_SUCCESS) {
        ocl_destroy(&c->base);
        return CLINIT_EQUEUE;
    }
    c->context = cx;
    c->device = dev;
    clGetDeviceInfo(dev, CL_DEVICE_PLATFORM, sizeof c->platform, &c->platform,
                    NULL);
    c->has_fp64 = device_has_fp64(dev);
    c->base.kernel_lanes = kernel_lanes_for(dev);
    c->programs_each = programs_each_for(dev);
    set_device_name(c, 0, 0, 0);
    *out = &c->base;
    return CLINIT_OK;
}

static cl_context ocl_context(const clinit_backend *be)
{
    return ((const clinit_ocl *)be)->context;
}

static cl_command_queue ocl_queue(const clinit_backend *be)
{
    return ((const clinit_ocl *)be)->queue;
}

static const char *ocl_build_log(const clinit_backend *be)
{
    const clinit_ocl *c = (const clinit_ocl *)be;
    return c->build_log ? c->build_log : "";
}

static cl_int ocl_cl_error(const clinit_backend *be)
{
    return ((const clinit_ocl *)be)->cl_error;
}

/* ---- program cache ------------------------------------------------------ */

static void keep_build_log(clinit_ocl *c, cl_program prog)
{
    size_t n = 0;
    free(c->build_log);
    c->build_log = NULL;
    if (clGetProgramBuildInfo(prog, c->device, CL_PROGRAM_BUILD_LOG, 0, NULL,
                              &n) != CL_SUCCESS)
        return;
    c->build_log = calloc(n + 1, 1);
    if (c->build_log)
        clGetProgramBuildInfo(prog, c->device, CL_PROGRAM_BUILD_LOG, n,
                              c->build_log, NULL);
}

static void release_kernels(clinit_ocl *c)
{
    for (int k = 0; k < K_COUNT; k++)
        if (c->kernels[k]) {
            clReleaseKernel(c->kernels[k]);
            c->kernels[k] = NULL;
        }
    for (int d = 0; d < CLINIT_ABI_DIST_COUNT; d++)
        for (int t = 0; t < CLINIT_DTYPE_COUNT; t++)
            if (c->fill[d][t]) {
                clReleaseKernel(c->fill[d][t]);
                c->fill[d][t] = NULL;
            }
}

/* The program from the binary cache (host/cache.h), else built from the
 * embedded source and then stored there. */
static clinit_status program_get(clinit_ocl *c, const char *opts,
                                 int use_cache, cl_program *out)
{
    const char *src = clinit_cl_source;
    size_t len = clinit_cl_source_len;
    clinit_cache_entry ce;
    clinit_status st = CLINIT_OK;
    cl_int err;
    int have = use_cache && clinit_cache_entry_make(&ce, c->platform, c->device,
                                                    src, len, opts) == 0;
    c->base.program_cached = 0;
    if (have && (*out = clinit_cache_load(&ce, c->context, c->device, opts))) {
        c->base.program_cached = 1;
        clinit_cache_entry_free(&ce);
        return CLINIT_OK;
    }
    if (!(*out = clCreateProgramWithSource(c->context, 1, &src, &len, &err))) {
        st = cl_fail(c, err);
    } else {
        err = clBuildProgram(*out, 1, &c->device, opts, NULL, NULL);
        keep_build_log(c, *out);
        if (err != CL_SUCCESS) {
            clReleaseProgram(*out);
            *out = NULL;
            c->cl_error = err;
            st = c->build_status = CLINIT_EBUILD;
        } else if (have) {
            clinit_cache_store(&ce, *out);
        }
    }
    if (have)
        clinit_cache_entry_free(&ce);
    return st;
}

/* Creates the fixed kernels of prog; CL_SUCCESS, or the OpenCL error. */
static cl_int make_kernels(clinit_ocl *c, cl_program prog)
{
    cl_int err = CL_SUCCESS;
    for (int k = 0; k < K_COUNT; k++)
        if (!(c->kernels[k] = clCreateKernel(prog, kernel_names[k], &err))) {
            release_kernels(c);
            return err;
        }
    return CL_SUCCESS;
}

/* Program keys (kernels/clinit_fill.cl's CLINIT_ONLY_KERNEL): one fill
 * kernel is dist * 8 + dtype; the test hooks alone are KEY_AUX; every fill
 * kernel, KEY_ALL (no CLINIT_ONLY_KERNEL). */
#define KEY_ALL INT_MIN
#define KEY_AUX (-1)
typedef char clinit_key_fits_[CLINIT_DTYPE_COUNT <= 8 ? 1 : -1];

/* Call with c->lock held. *slot is program `key`, built from source or
 * loaded from the binary cache on first use; a cached binary must hold
 * the kernel `probe`, else it is built from source. */
static clinit_status program_locked(clinit_ocl *c, int key, cl_program *slot,
                                    const char *probe)
{
    char opts[160];
    int n;
    cl_program prog = NULL;
    clinit_status st;
    cl_kernel k;
    cl_int err;
    if (*slot)
        return CLINIT_OK;
    /* the embedded source fails the same way again: build once, so the
     * log clinit_ctx_build_log hands out never changes under a reader */
    if (c->build_status != CLINIT_OK)
        return c->build_status;
    n = snprintf(opts, sizeof opts, "%s",
                 c->base.kernel_lanes == 1 ? "-DCLINIT_OCL_LANES=1" : "");
    if (c->base.kernel_lanes == 16) /* kernels/clinit_features.h */
        n += snprintf(opts + n, sizeof opts - (size_t)n, "%s-DCLINIT_MUL_WIDE=1",
                      n ? " " : "");
    if (key != KEY_ALL)
        snprintf(opts + n, sizeof opts - (size_t)n, "%s-DCLINIT_ONLY_KERNEL=%d",
                 n ? " " : "", key);
    if ((st = program_get(c, opts, 1, &prog)) != CLINIT_OK)
        return st;
    if (c->base.program_cached) {
        if ((k = clCreateKernel(prog, probe, &err)) != NULL) {
            clReleaseKernel(k);
        } else {
            clReleaseProgram(prog);
            if ((st = program_get(c, opts, 0, &prog)) != CLINIT_OK)
                return st;
        }
    }
    *slot = prog;
    return CLINIT_OK;
}

/* Every fill kernel in one program (warm-up). Call with c->lock held. */
static clinit_status build_locked(clinit_ocl *c)
{
    return program_locked(c, KEY_ALL, &c->program, "clinit_k_uniform_f32");
}

/* The test hooks' program and kernels. Call with c->lock held. */
static clinit_status aux_locked(clinit_ocl *c)
{
    clinit_status st;
    cl_int err;
    if (c->kernels[0])
        return CLINIT_OK;
    if ((st = program_locked(c, KEY_AUX, &c->aux, kernel_names[0])) !=
        CLINIT_OK)
        return st;
    if ((err = make_kernels(c, c->aux)) != CL_SUCCESS)
        return cl_fail(c, err);
    return CLINIT_OK;
}

/* The fill kernel of (dist, dtype), created on first use: from the
 * program of every fill kernel if there is one (warm-up, or
 * programs_each off), else from its own program. Call with c->lock
 * held. */
static clinit_status fill_kernel_locked(clinit_ocl *c, clinit_dist dist,
                                        clinit_dtype dt, cl_kernel *out)
{
    cl_kernel *slot = &c->fill[dist][dt];
    cl_program prog = c->program;
    clinit_status st;
    cl_int err;
    char name[64];
    if (!*slot) {
        snprintf(name, sizeof name, "clinit_k_%s_%s", kernel_dist_names[dist],
                 clinit_dtype_name(dt));
        if (!prog && !c->programs_each) {
            if ((st = build_locked(c)) != CLINIT_OK)
                return st;
            prog = c->program;
        } else if (!prog) {
            st = program_locked(c, (int)dist * 8 + (int)dt, &c->one[dist][dt],
                                name);
            if (st != CLINIT_OK)
                return st;
            prog = c->one[dist][dt];
        }
        if (!(*slot = clCreateKernel(prog, name, &err)))
            /* the compiler saw no cl_khr_fp64 though the device reports
             * doubles: f64 alone is unavailable */
            return dt == CLINIT_F64 && err == CL_INVALID_KERNEL_NAME
                       ? CLINIT_ENOFP64
                       : cl_fail(c, err);
    }
    *out = *slot;
    return CLINIT_OK;
}

static clinit_status ocl_warmup(clinit_backend *be)
{
    clinit_ocl *c = (clinit_ocl *)be;
    clinit_status st;
    pthread_mutex_lock(&c->lock);
    st = build_locked(c);
    pthread_mutex_unlock(&c->lock);
    return st;
}

/* ---- launches ------------------------------------------------------------ */

/* Checks that buf is a buffer of c's context holding `need` bytes from
 * byte `off`. */
static clinit_status check_buffer(clinit_ocl *c, cl_mem buf, uint64_t off,
                                  uint64_t need)
{
    cl_mem_object_type type = 0;
    cl_context cx = NULL;
    size_t size = 0;
    if (clGetMemObjectInfo(buf, CL_MEM_TYPE, sizeof type, &type, NULL) !=
            CL_SUCCESS ||
        type != CL_MEM_OBJECT_BUFFER ||
        clGetMemObjectInfo(buf, CL_MEM_CONTEXT, sizeof cx, &cx, NULL) !=
            CL_SUCCESS ||
        cx != c->context ||
        clGetMemObjectInfo(buf, CL_MEM_SIZE, sizeof size, &size, NULL) !=
            CL_SUCCESS)
        return CLINIT_EQUEUE;
    if (off > size || need > size - off)
        return CLINIT_EBUFFER;
    return CLINIT_OK;
}

#define SET_ARG(k, i, v)                                                       \
    do {                                                                       \
        cl_int e_ = clSetKernelArg((k), (i), sizeof(v), &(v));                 \
        if (e_ != CL_SUCCESS)                                                  \
            return cl_fail(c, e_);                                             \
    } while (0)

/* No work: only an event, if asked for, after the wait list. */
static clinit_status marker_locked(clinit_ocl *c, cl_uint num_wait,
                                   const cl_event *wait, cl_event *out_event)
{
    cl_int err;
    if (out_event && (err = clEnqueueMarkerWithWaitList(
                          c->queue, num_wait, wait, out_event)) != CL_SUCCESS)
        return cl_fail(c, err);
    return CLINIT_OK;
}

/* Every event of the wait list is a valid event of c's context, so an
 * enqueue cannot fail on it half-way through a batch. */
static clinit_status check_wait(clinit_ocl *c, cl_uint num_wait,
                                const cl_event *wait)
{
    if (num_wait > 0 && !wait)
        return CLINIT_ENULL;
    for (cl_uint i = 0; i < num_wait; i++) {
        cl_context cx = NULL;
        if (!wait[i])
            return CLINIT_ENULL;
        if (clGetEventInfo(wait[i], CL_EVENT_CONTEXT, sizeof cx, &cx, NULL) !=
                CL_SUCCESS ||
            cx != c->context)
            return CLINIT_EQUEUE;
    }
    return CLINIT_OK;
}

/* Groups of one launch: same buffer, dtype and base distribution;
 * host-computed items apart. */
static int item_cmp(const void *a, const void *b)
{
    const clinit_item *x = a, *y = b;
    if (!x->host != !y->host)
        return x->host ? 1 : -1;
    uintptr_t bx = (uintptr_t)x->buf, by = (uintptr_t)y->buf;
    if (bx != by)
        return bx < by ? -1 : 1;
    if (x->plan.dtype != y->plan.dtype)
        return x->plan.dtype < y->plan.dtype ? -1 : 1;
    if (x->plan.dist != y->plan.dist)
        return x->plan.dist < y->plan.dist ? -1 : 1;
    return 0;
}

/* Values computed on the host (orthogonal_): one blocking write. */
static clinit_status write_host(clinit_ocl *c, const clinit_item *it,
                                cl_uint num_wait, const cl_event *wait,
                                cl_event *ev)
{
    const clinit_plan *p = &it->plan;
    size_t es = clinit_dtype_size(p->dtype), n = (size_t)(p->hi - p->lo);
    cl_int err = clEnqueueWriteBuffer(c->queue, it->buf, CL_TRUE,
                                      (size_t)it->offset * es, n * es,
                                      it->host, num_wait, wait, ev);
    return err == CL_SUCCESS ? CLINIT_OK : cl_fail(c, err);
}

/* Releases evs[0..*nev) into one marker event in evs[0] when the list is
 * full. */
static clinit_status compact_events(clinit_ocl *c, cl_event *evs, size_t *nev,
                                    size_t cap)
{
    cl_event m;
    cl_int err;
    if (*nev < cap)
        return CLINIT_OK;
    if ((err = clEnqueueMarkerWithWaitList(c->queue, (cl_uint)*nev, evs, &m)) !=
        CL_SUCCESS)
        return cl_fail(c, err);
    for (size_t j = 0; j < *nev; j++)
        clReleaseEvent(evs[j]);
    evs[0] = m;
    *nev = 1;
    return CLINIT_OK;
}

/* A launch prepared: items[0..n) of one buffer, dtype and distribution,
 * their kernel and descriptor table (nd descriptors, total blocks). */
typedef struct group {
    const clinit_item *items;
    size_t n, nd;
    cl_kernel k;
    cl_mem mtab;
    cl_ulong total;
} group;

/* A box item's box map needs one word per outer dimension. */
typedef char clinit_map_outer_check_[CLINIT_MAP_OUTER >= CLINIT_MAX_DIMS - 1
                                         ? 1
                                         : -1];

/* Launch blocks per run of a box item: exactly run 0's when every run
 * starts at the same offset in its block (outer strides multiples of the
 * block), else the most a run of len elements can touch. */
static uint64_t blocks_per_run(const clinit_runs *r, uint64_t be)
{
    for (int t = 0; t < r->nouter; t++)
        if (r->stride[t] % be != 0)
            return (be - 1 + r->len - 1) / be + 1;
    return (r->base + r->len - 1) / be - r->base / be + 1;
}

/* The descriptor of item `it` at tab, its box map at map (kernels/
 * clinit_abi.h), its first block at launch block *total (advanced past
 * its blocks): a range's descriptor with its range and destination, a
 * box item's with the offset of its first run and the runs in the map. */
static void item_table(const clinit_item *it, uint64_t be, uint64_t *total,
                       cl_ulong *tab, cl_ulong *map)
{
    const clinit_plan *p = &it->plan;
    const clinit_runs *r = it->runs;
    uint64_t nb;
    clinit_plan_desc(p, *total, it->offset, (uint64_t *)tab);
    memset(map, 0, CLINIT_MAP_WORDS * sizeof *map);
    if (!r) {
        *total += (p->hi - 1) / be - p->lo / be + 1;
        return;
    }
    nb = blocks_per_run(r, be);
    map[CLINIT_MW_LEN] = r->len;
    map[CLINIT_MW_NBPR] = nb;
    map[CLINIT_MW_R0] = it->r0;
    map[CLINIT_MW_NOUTER] = (cl_ulong)r->nouter;
    map[CLINIT_MW_BASE] = r->base;
    for (int t = 0; t < r->nouter; t++) {
        map[CLINIT_MW_CNT + t] = r->cnt[t];
        map[CLINIT_MW_STRIDE + t] = r->stride[t];
    }
    *total += (it->r1 - it->r0) * nb;
}

/* The kernel and the descriptor table of g->items[0..n): everything a
 * launch needs but the enqueue. Call with c->lock held. */
static clinit_status prepare_group(clinit_ocl *c, group *g)
{
    clinit_dtype dt = g->items[0].plan.dtype;
    uint64_t be = CLINIT_BLOCK_ELEMS(dt), total = 0;
    size_t nd = 0;
    cl_ulong *tab;
    clinit_status st;
    cl_int err = CL_SUCCESS;

    /* one descriptor per item, then one box map per item */
    nd = g->n;
    if (!(tab = malloc(nd * (CLINIT_DESC_WORDS + CLINIT_MAP_WORDS) *
                       sizeof *tab)))
        return CLINIT_ENOMEM;
    if ((st = fill_kernel_locked(c, g->items[0].plan.dist, dt, &g->k)) !=
        CLINIT_OK) {
        free(tab);
        return st;
    }
    for (size_t i = 0; i < nd; i++)
        item_table(&g->items[i], be, &total, tab + i * CLINIT_DESC_WORDS,
                   tab + nd * CLINIT_DESC_WORDS + i * CLINIT_MAP_WORDS);
    g->nd = nd;
    g->total = total;
    g->mtab = clCreateBuffer(
        c->context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
        nd * (CLINIT_DESC_WORDS + CLINIT_MAP_WORDS) * sizeof *tab, tab, &err);
    free(tab);
    return g->mtab ? CLINIT_OK : cl_fail(c, err);
}

/* Enqueues kernel k (arguments set) over work-items [0, n), n > 0, in
 * launches of at most `chunk` work-items at global offsets, each global
 * size rounded up to `round` (the kernel skips work-items past its end),
 * each after the wait list; *ev completes with all of them. Call with
 * c->lock held. */
static clinit_status launch_chunks(clinit_ocl *c, cl_kernel k, uint64_t n,
                                   uint64_t chunk, uint64_t round,
                                   cl_uint num_wait, const cl_event *wait,
                                   cl_event *ev)
{
    cl_event evs[64] = {NULL};
    size_t nev = 0;
    cl_int err = CL_SUCCESS;
    clinit_status st = CLINIT_OK;

    for (uint64_t g0 = 0; st == CLINIT_OK && g0 < n; g0 += chunk) {
        uint64_t left = n - g0 < chunk ? n - g0 : chunk;
        size_t off = (size_t)g0;
        size_t global = (size_t)((left + round - 1) / round * round);
        if ((st = compact_events(c, evs, &nev, 64)) != CLINIT_OK)
            break;
        /* CPU-shaped kernels in work-groups of CPU_LOCAL (global is a
         * multiple): pocl's own choice measured 1.1-1.2x slower. A device
         * that refuses the size gets the driver's choice; no value
         * depends on it. */
        size_t lws = CPU_LOCAL;
        err = CL_INVALID_WORK_GROUP_SIZE;
        if (c->base.kernel_lanes == 16 && global % lws == 0)
            err = clEnqueueNDRangeKernel(c->queue, k, 1, &off, &global, &lws,
                                         num_wait, wait, &evs[nev]);
        if (err == CL_INVALID_WORK_GROUP_SIZE ||
            err == CL_INVALID_WORK_ITEM_SIZE || err == CL_OUT_OF_RESOURCES)
            err = clEnqueueNDRangeKernel(c->queue, k, 1, &off, &global, NULL,
                                         num_wait, wait, &evs[nev]);
        if (err != CL_SUCCESS)
            st = cl_fail(c, err);
        else
            nev++;
    }
    if (st == CLINIT_OK && nev == 1) {
        *ev = evs[0];
        nev = 0;
    } else if (st == CLINIT_OK &&
               (err = clEnqueueMarkerWithWaitList(c->queue, (cl_uint)nev, evs,
                                                  ev)) != CL_SUCCESS) {
        st = cl_fail(c, err);
    }
    for (size_t j = 0; j < nev; j++)
        clReleaseEvent(evs[j]);
    return st;
}

/* Enqueues a prepared group: launches of at most MAX_BLOCKS_PER_LAUNCH
 * blocks; *ev completes with all of them. Call with c->lock held. */
static clinit_status launch_group(clinit_ocl *c, const group *g,
                                  cl_uint num_wait, const cl_event *wait,
                                  cl_event *ev)
{
    cl_mem buf = g->items[0].buf;
    cl_uint nd = (cl_uint)g->nd;
    cl_int err;
    /* block b of the group is work-item b (CPU-shaped) or work-items
     * 16 b .. 16 b + 15 (GPU-shaped) */
    uint64_t wpb = CLINIT_LANES / c->base.kernel_lanes;

    if ((err = clSetKernelArg(g->k, 0, sizeof buf, &buf)) != CL_SUCCESS ||
        (err = clSetKernelArg(g->k, 1, sizeof g->mtab, &g->mtab)) !=
            CL_SUCCESS ||
        (err = clSetKernelArg(g->k, 2, sizeof nd, &nd)) != CL_SUCCESS ||
        (err = clSetKernelArg(g->k, 3, sizeof g->total, &g->total)) !=
            CL_SUCCESS)
        return cl_fail(c, err);
    return launch_chunks(c, g->k, g->total * wpb, MAX_BLOCKS_PER_LAUNCH * wpb,
                         GLOBAL_ROUND, num_wait, wait, ev);
}

/* The one launch path: items[0..n) (validated, non-empty ranges) sorted
 * into groups, every group's kernel and descriptor table made first, then
 * one launch per group (host-computed values: one write each), and
 * *out_event (if asked) completes with all of them. Only an OpenCL
 * enqueue (or argument) call can fail once something is enqueued; the
 * groups before it stay enqueued (include/clinit.h). Call with c->lock
 * held. */
static clinit_status enqueue_locked(clinit_ocl *c, clinit_item *items,
                                    size_t n, cl_uint num_wait,
                                    const cl_event *wait, cl_event *out_event)
{
    cl_event evs[64];
    size_t nev = 0, ng = 0;
    group *gs;
    clinit_status st = CLINIT_OK;

    if (n == 0)
        return marker_locked(c, num_wait, wait, out_event);
    if (!(gs = calloc(n, sizeof *gs)))
        return CLINIT_ENOMEM;
    qsort(items, n, sizeof *items, item_cmp);
    for (size_t a = 0; a < n; ng++) {
        size_t b = a + 1;
        /* at most CLINIT_MAX_ITEMS_PER_LAUNCH descriptors per launch */
        while (!items[a].host && b < n &&
               item_cmp(&items[a], &items[b]) == 0 &&
               b - a < CLINIT_MAX_ITEMS_PER_LAUNCH)
            b++;
        gs[ng].items = &items[a];
        gs[ng].n = b - a;
        if (!items[a].host && st == CLINIT_OK)
            st = prepare_group(c, &gs[ng]);
        a = b;
    }
    for (size_t i = 0; i < ng && st == CLINIT_OK; i++) {
        if ((st = compact_events(c, evs, &nev, 64)) != CLINIT_OK)
            break;
        st = gs[i].items[0].host
                 ? write_host(c, gs[i].items, num_wait, wait, &evs[nev])
                 : launch_group(c, &gs[i], num_wait, wait, &evs[nev]);
        if (st == CLINIT_OK)
            nev++;
    }
    if (st == CLINIT_OK && out_event) {
        cl_int err;
        if (nev == 1) {
            *out_event = evs[0];
            nev = 0;
        } else if ((err = clEnqueueMarkerWithWaitList(
                        c->queue, (cl_uint)nev, evs, out_event)) !=
                   CL_SUCCESS) {
            st = cl_fail(c, err);
        }
    }
    for (size_t j = 0; j < nev; j++)
        clReleaseEvent(evs[j]);
    for (size_t i = 0; i < ng; i++) /* the queue keeps them while in use */
        if (gs[i].mtab)
            clReleaseMemObject(gs[i].mtab);
    free(gs);
    return st;
}

static clinit_status ocl_check_item(clinit_backend *be, const clinit_plan *p,
                                    cl_mem buf, uint64_t offset)
{
    clinit_ocl *c = (clinit_ocl *)be;
    uint64_t es = clinit_dtype_size(p->dtype), n = p->hi - p->lo;
    if (!buf)
        return CLINIT_ENULL;
    if (p->dtype == CLINIT_F64 && !c->has_fp64)
        return CLINIT_ENOFP64;
    if (offset > UINT64_MAX / es || n > UINT64_MAX / es)
        return CLINIT_EBUFFER;
    return check_buffer(c, buf, offset * es, n * es);
}

static clinit_status ocl_check_wait(clinit_backend *be, cl_uint num_wait,
                                    const cl_event *wait)
{
    return check_wait((clinit_ocl *)be, num_wait, wait);
}

static clinit_status ocl_enqueue(clinit_backend *be, clinit_item *items,
                                 size_t n, cl_uint num_wait,
                                 const cl_event *wait, cl_event *out_event)
{
    clinit_ocl *c = (clinit_ocl *)be;
    clinit_status st;
    pthread_mutex_lock(&c->lock);
    st = enqueue_locked(c, items, n, num_wait, wait, out_event);
    pthread_mutex_unlock(&c->lock);
    return st;
}

/* ---- raw words and the math probe (tests, CLI) ----------------------------
 */

/* Enqueues the raw words kernel; *ev completes when every word is
 * written. Call with c->lock held. */
static clinit_status raw_locked(clinit_ocl *c, const uint32_t key[2],
                                const uint32_t counter[4], cl_ulong nwords,
                                cl_mem buf, cl_ulong off, cl_uint num_wait,
                                const cl_event *wait, cl_event *ev)
{
    cl_kernel k;
    clinit_status st;
    if ((st = aux_locked(c)) != CLINIT_OK)
        return st;
    k = c->kernels[K_PHILOX_RAW];
    SET_ARG(k, 0, buf);
    SET_ARG(k, 1, off);
    SET_ARG(k, 2, nwords);
    SET_ARG(k, 3, key[0]);
    SET_ARG(k, 4, key[1]);
    SET_ARG(k, 5, counter[0]);
    SET_ARG(k, 6, counter[1]);
    SET_ARG(k, 7, counter[2]);
    SET_ARG(k, 8, counter[3]);
    /* work-item g covers words 64 g .. 64 g + 63 */
    return launch_chunks(c, k, (nwords + 4 * CLINIT_LANES - 1) /
                                   (4 * CLINIT_LANES),
                         MAX_BLOCKS_PER_LAUNCH, 1, num_wait, wait, ev);
}

static clinit_status ocl_raw_words(clinit_backend *be, const uint32_t key[2],
                                   const uint32_t counter[4], uint64_t nwords,
                                   cl_mem buf, uint64_t offset,
                                   cl_uint num_wait, const cl_event *wait,
                                   cl_event *out_event, int block)
{
    clinit_ocl *c = (clinit_ocl *)be;
    clinit_status st;
    cl_event ev = NULL;
    cl_int err;
    if (nwords > UINT64_MAX / 4 || offset > UINT64_MAX / 4)
        return CLINIT_EBUFFER;
    if ((st = check_buffer(c, buf, offset * 4, nwords * 4)) != CLINIT_OK ||
        (st = check_wait(c, num_wait, wait)) != CLINIT_OK)
        return st;
    pthread_mutex_lock(&c->lock);
    st = nwords == 0 ? marker_locked(c, num_wait, wait, out_event ? &ev : NULL)
                     : raw_locked(c, key, counter, nwords, buf, offset,
                                  num_wait, wait, &ev);
    if (st == CLINIT_OK && block && (err = clFinish(c->queue)) != CL_SUCCESS)
        st = cl_fail(c, err);
    pthread_mutex_unlock(&c->lock);
    if (st == CLINIT_OK && out_event)
        *out_event = ev;
    else if (ev)
        clReleaseEvent(ev);
    return st;
}

/* Runs test kernel `which` (0 math, 1 philox) once over `global` work-items: argument 0 an input
 * buffer of in_bytes copied from `in`, argument 1 an output buffer of
 * out_bytes read back into `out`, argument 2 (if op >= 0) the int op.
 * Blocks. */
static clinit_status ocl_probe(clinit_backend *be, int which, int op,
                               const void *in, size_t in_bytes, void *out,
                               size_t out_bytes, size_t global)
{
    clinit_ocl *c = (clinit_ocl *)be;
    cl_mem bin = NULL, bout = NULL;
    cl_int err = CL_SUCCESS, cop = op;
    clinit_status st;
    pthread_mutex_lock(&c->lock);
    st = aux_locked(c);
    if (st == CLINIT_OK) {
        cl_kernel k = c->kernels[which ? K_PHILOX_PROBE : K_MATH_PROBE];
        bin =
            clCreateBuffer(c->context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                           in_bytes, (void *)in, &err);
        if (bin)
            bout = clCreateBuffer(c->context, CL_MEM_WRITE_ONLY, out_bytes,
                                  NULL, &err);
        if (!bin || !bout ||
            (err = clSetKernelArg(k, 0, sizeof bin, &bin)) != CL_SUCCESS ||
            (err = clSetKernelArg(k, 1, sizeof bout, &bout)) != CL_SUCCESS ||
            (op >= 0 &&
             (err = clSetKernelArg(k, 2, sizeof cop, &cop)) != CL_SUCCESS) ||
            (err = clEnqueueNDRangeKernel(c->queue, k, 1, NULL, &global, NULL,
                                          0, NULL, NULL)) != CL_SUCCESS ||
            (err = clEnqueueReadBuffer(c->queue, bout, CL_TRUE, 0, out_bytes,
                                       out, 0, NULL, NULL)) != CL_SUCCESS)
            st = cl_fail(c, err);
    }
    if (bin)
        clReleaseMemObject(bin);
    if (bout)
        clReleaseMemObject(bout);
    pthread_mutex_unlock(&c->lock);
    return st;
}

static const clinit_backend_ops ocl_ops = {
    "opencl",      ocl_destroy,   ocl_check_item, ocl_check_wait,
    ocl_enqueue,   ocl_warmup,    ocl_raw_words,  ocl_probe,
    ocl_context,   ocl_queue,     ocl_build_log,  ocl_cl_error,
};
