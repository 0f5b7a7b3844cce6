/* clinit.h - neural-network weight initialization in OpenCL device memory
 * and in host memory, with the same bits on every device.
 *
 * The value of element i of a tensor is a pure function of
 * (seed, stream, i, method, method parameters, dtype): see docs/STREAM.md.
 *
 * Conventions for every function below:
 *  - A function returning clinit_status returns CLINIT_OK (0) on success and
 *    a negative CLINIT_E* value on error; clinit_strerror() describes it.
 *  - On error nothing has been written to the destination (host memory or
 *    cl_mem) and no command has been enqueued.
 *  - Pointers passed in are borrowed for the duration of the call only,
 *    unless a function says otherwise.
 */
#ifndef CLINIT_H
#define CLINIT_H

#include <stddef.h>
#include <stdint.h>

#include "clinit_version.h" /* generated: CLINIT_VERSION_MAJOR/MINOR/PATCH */

/* The includer's CL_TARGET_OPENCL_VERSION wins. Unset, it becomes 300
 * (OpenCL 3.0, <CL/cl.h>'s own default, without its "not defined" message)
 * so no later #include <CL/cl.h> of the includer loses the 2.0+ API; the
 * API deprecated since 1.2 stays free of deprecation warnings, as under the
 * 120 this header chose before. clinit's declarations need OpenCL 1.0
 * only; the library is built with 120. */
#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 300
#ifndef CL_USE_DEPRECATED_OPENCL_1_2_APIS
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#endif
#ifndef CL_USE_DEPRECATED_OPENCL_2_0_APIS
#define CL_USE_DEPRECATED_OPENCL_2_0_APIS
#endif
#ifndef CL_USE_DEPRECATED_OPENCL_2_1_APIS
#define CL_USE_DEPRECATED_OPENCL_2_1_APIS
#endif
#ifndef CL_USE_DEPRECATED_OPENCL_2_2_APIS
#define CL_USE_DEPRECATED_OPENCL_2_2_APIS
#endif
#endif
#include <CL/cl.h>

#if defined(_WIN32) && defined(CLINIT_SHARED_BUILD)
#define CLINIT_API __declspec(dllexport)
#elif defined(_WIN32) && defined(CLINIT_SHARED)
#define CLINIT_API __declspec(dllimport)
#elif defined(__GNUC__)
#define CLINIT_API __attribute__((visibility("default")))
#else
#define CLINIT_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define CLINIT_VERSION_NUMBER                                                  \
    (CLINIT_VERSION_MAJOR * 10000 + CLINIT_VERSION_MINOR * 100 +               \
     CLINIT_VERSION_PATCH)

/* Version of the stream contract (docs/STREAM.md). Outputs of a given
 * contract version never change. */
#define CLINIT_STREAM_VERSION 1

/* Most dimensions a tensor may have. */
#define CLINIT_MAX_DIMS 8

/* Most elements a tensor may have (2^56; the stream contract's counter
 * space, docs/STREAM.md). */
#define CLINIT_MAX_NUMEL (UINT64_C(1) << 56)

/* ---- status codes --------------------------------------------------- */

/* X(name, value, message). Values are pinned and never reused. */
#define CLINIT_STATUS_MAP(X)                                                   \
    X(OK, 0, "success")                                                        \
    X(ENULL, -1, "a required pointer argument is NULL")                        \
    X(ESHAPE, -2,                                                              \
      "bad shape: ndim must be 1..CLINIT_MAX_DIMS and every "                  \
      "dimension >= 1, and the method's own rule must hold (2-D "              \
      "for sparse and eye, 3-5-D for dirac, >= 2-D for "                       \
      "orthogonal)")                                                           \
    X(EFANS, -3,                                                               \
      "the method needs fan_in/fan_out: the tensor must have "                 \
      "at least 2 dimensions")                                                 \
    X(EPARAM, -4,                                                              \
      "bad method parameter (non-finite value, std < 0, a >= b, "              \
      "or a range that is empty or overflows in the output "                   \
      "dtype)")                                                                \
    X(ENONLINEARITY, -5, "unknown nonlinearity name or value")                 \
    X(EMODE, -6, "unknown fan mode (expected fan_in or fan_out)")              \
    X(EMETHOD, -7, "unknown initialization method")                            \
    X(EDTYPE, -8, "unknown or unsupported dtype")                              \
    X(EOVERFLOW, -9, "element count or byte size overflows")                   \
    X(ERANGE, -10, "bad element range: need lo <= hi <= number of elements")   \
    X(EBUFFER, -11, "destination cl_mem is too small for offset + count")      \
    X(EQUEUE, -12, "invalid OpenCL command queue, context or buffer")          \
    X(ENODEVICE, -13,                                                          \
      "no OpenCL device: the context uses the CPU path or "                    \
      "the requested device does not exist")                                   \
    X(EDEVICESPEC, -14,                                                        \
      "malformed device name (expected cpu, opencl or "                        \
      "opencl:P.D)")                                                           \
    X(EBUILD, -15, "OpenCL program build failed (see clinit_ctx_build_log)")   \
    X(EOPENCL, -16, "OpenCL call failed (see clinit_ctx_cl_error)")            \
    X(ENOMEM, -17, "out of memory")                                            \
    X(ETHREAD, -18, "could not start a worker thread")                         \
    X(ENOFP64, -19, "the OpenCL device does not support double precision")     \
    X(EIO, -20, "file I/O failed")                                             \
    X(EDISTRIBUTION, -21,                                                      \
      "unknown variance_scaling distribution (expected "                       \
      "truncated_normal, untruncated_normal or uniform)")                      \
    X(EORTHOSIZE, -22,                                                         \
      "orthogonal tensor too large for the host QR (at most 2^24 elements "    \
      "and min(rows, cols)^2 * max(rows, cols) <= 2^32)")                      \
    X(ESUPPORT, -23,                                                           \
      "the distribution's values can exceed the dtype's largest finite "       \
      "value (e.g. normal with mean + 6.67 std above 65504 in f16): the "      \
      "fill would write infinities")                                           \
    X(EPARAMNAME, -24,                                                         \
      "unknown parameter name, or a parameter the method does not take")       \
    X(EHOSTONLY, -25,                                                          \
      "the method has no per-element formula (orthogonal_ is a host QR of "    \
      "the whole tensor): no device descriptor")                            \
    X(EBOX, -26,                                                               \
      "bad box or shard: the box's ndim must be the tensor's, and per "       \
      "dimension 0 <= start, 0 <= count, start + count <= shape; a shard "    \
      "needs 0 <= dim < ndim, world >= 1 and 0 <= rank < world")

typedef enum clinit_status {
#define CLINIT_STATUS_ENUM_(name, value, msg) CLINIT_##name = value,
    CLINIT_STATUS_MAP(CLINIT_STATUS_ENUM_)
#undef CLINIT_STATUS_ENUM_
} clinit_status;

/* A static, thread-safe description of `status` (never NULL). */
CLINIT_API const char *clinit_strerror(int status);
/* The enum constant's name without prefix, e.g. "EPARAM" (never NULL). */
CLINIT_API const char *clinit_status_name(int status);

/* ---- version -------------------------------------------------------- */

/* CLINIT_VERSION_NUMBER of the library actually linked. */
CLINIT_API unsigned clinit_version(void);
/* "MAJOR.MINOR.PATCH" of the library actually linked (static string). */
CLINIT_API const char *clinit_version_string(void);

/* ---- dtypes, methods, parameters ------------------------------------ */

/* The dtypes: X(NAME, value, canonical name, bytes per element). Values
 * are computed in f32 (in f64 for f64) and rounded once, to nearest even,
 * when stored. f8e4m3 is OCP FP8 E4M3FN (no infinities, largest 448),
 * f8e5m2 is E5M2 (largest 57344). Values are pinned. */
#define CLINIT_DTYPE_MAP(X)                                                    \
    X(F32, 0, "f32", 4)                                                        \
    X(F16, 1, "f16", 2)                                                        \
    X(BF16, 2, "bf16", 2)                                                      \
    X(F64, 3, "f64", 8)                                                        \
    X(F8E4M3, 4, "f8e4m3", 1)                                                  \
    X(F8E5M2, 5, "f8e5m2", 1)

typedef enum clinit_dtype {
#define CLINIT_DTYPE_ENUM_(name, value, str, bytes) CLINIT_##name = value,
    CLINIT_DTYPE_MAP(CLINIT_DTYPE_ENUM_)
#undef CLINIT_DTYPE_ENUM_
    CLINIT_DTYPE_COUNT /* number of dtypes */
} clinit_dtype;

/* The parameters of clinit_init: X(k, name), k the bit of CLINIT_P_name
 * in clinit_method_params' masks (the order the fields are declared;
 * torch's and Keras' names). */
#define CLINIT_PARAM_MAP(X)                                                    \
    X(0, a)                                                                    \
    X(1, b)                                                                    \
    X(2, mean)                                                                 \
    X(3, std)                                                                  \
    X(4, val)                                                                  \
    X(5, gain)                                                                 \
    X(6, mode)                                                                 \
    X(7, nonlinearity)                                                         \
    X(8, scale)                                                                \
    X(9, distribution)                                                         \
    X(10, sparsity)                                                            \
    X(11, groups)
#define CLINIT_PARAM_COUNT 12
#define CLINIT_P_A (1u << 0)
#define CLINIT_P_B (1u << 1)
#define CLINIT_P_MEAN (1u << 2)
#define CLINIT_P_STD (1u << 3)
#define CLINIT_P_VAL (1u << 4)
#define CLINIT_P_GAIN (1u << 5)
#define CLINIT_P_MODE (1u << 6)
#define CLINIT_P_NONLINEARITY (1u << 7)
#define CLINIT_P_SCALE (1u << 8)
#define CLINIT_P_DISTRIBUTION (1u << 9)
#define CLINIT_P_SPARSITY (1u << 10)
#define CLINIT_P_GROUPS (1u << 11)
/* The methods: X(NAME, value, torch's name, the CLINIT_P_* parameters it
 * reads (0 for the fixed Keras presets: Keras takes only a seed)), with
 * torch's defaults in the comment. Values are pinned. */
#define CLINIT_METHOD_MAP(X)                                                   \
    X(UNIFORM, 0, "uniform", CLINIT_P_A | CLINIT_P_B) /* a=0, b=1 */           \
    X(NORMAL, 1, "normal", CLINIT_P_MEAN | CLINIT_P_STD) /* mean=0, std=1 */   \
    X(CONSTANT, 2, "constant", CLINIT_P_VAL) /* val (required) */              \
    X(ZEROS, 3, "zeros", 0)                                                    \
    X(ONES, 4, "ones", 0)                                                      \
    X(XAVIER_UNIFORM, 5, "xavier_uniform", CLINIT_P_GAIN) /* gain=1 */         \
    X(XAVIER_NORMAL, 6, "xavier_normal", CLINIT_P_GAIN)   /* gain=1 */         \
    /* kaiming: a=0, mode=fan_in, nonlinearity=leaky_relu */                  \
    X(KAIMING_UNIFORM, 7, "kaiming_uniform",                                   \
      CLINIT_P_A | CLINIT_P_MODE | CLINIT_P_NONLINEARITY)                      \
    X(KAIMING_NORMAL, 8, "kaiming_normal",                                     \
      CLINIT_P_A | CLINIT_P_MODE | CLINIT_P_NONLINEARITY)                      \
    /* mean=0, std=1, a=-2, b=2 (absolute bounds) */                          \
    X(TRUNC_NORMAL, 9, "trunc_normal",                                         \
      CLINIT_P_MEAN | CLINIT_P_STD | CLINIT_P_A | CLINIT_P_B)                  \
    /* sparsity (required), std=0.01; 2-D */                                  \
    X(SPARSE, 10, "sparse", CLINIT_P_SPARSITY | CLINIT_P_STD)                  \
    X(EYE, 11, "eye", 0)                         /* 2-D */                     \
    X(DIRAC, 12, "dirac", CLINIT_P_GROUPS)       /* groups=1; 3-5-D */         \
    X(ORTHOGONAL, 13, "orthogonal", CLINIT_P_GAIN) /* gain=1; >= 2-D */        \
    /* Keras VarianceScaling: scale=1, mode=fan_in, truncated_normal */        \
    X(VARIANCE_SCALING, 14, "variance_scaling",                                \
      CLINIT_P_SCALE | CLINIT_P_MODE | CLINIT_P_DISTRIBUTION)                  \
    X(LECUN_UNIFORM, 15, "lecun_uniform", 0)   /* VS(1, fan_in, uniform) */    \
    X(LECUN_NORMAL, 16, "lecun_normal", 0)     /* VS(1, fan_in, trunc) */      \
    X(GLOROT_UNIFORM, 17, "glorot_uniform", 0) /* VS(1, fan_avg, uniform) */   \
    X(GLOROT_NORMAL, 18, "glorot_normal", 0)   /* VS(1, fan_avg, trunc) */     \
    X(HE_UNIFORM, 19, "he_uniform", 0)         /* VS(2, fan_in, uniform) */    \
    X(HE_NORMAL, 20, "he_normal", 0)           /* VS(2, fan_in, trunc) */

typedef enum clinit_method {
#define CLINIT_METHOD_ENUM_(name, value, str, params) CLINIT_##name = value,
    CLINIT_METHOD_MAP(CLINIT_METHOD_ENUM_)
#undef CLINIT_METHOD_ENUM_
    CLINIT_METHOD_COUNT /* number of methods */
} clinit_method;

/* fan_avg = (fan_in + fan_out) / 2 is for variance_scaling only. */
typedef enum clinit_mode {
    CLINIT_FAN_IN = 0,
    CLINIT_FAN_OUT = 1,
    CLINIT_FAN_AVG = 2
} clinit_mode;

/* variance_scaling's distribution (Keras names: "truncated_normal",
 * "untruncated_normal", "uniform"). */
typedef enum clinit_distribution {
    CLINIT_VS_TRUNCATED_NORMAL = 0,
    CLINIT_VS_UNTRUNCATED_NORMAL = 1,
    CLINIT_VS_UNIFORM = 2
} clinit_distribution;

typedef enum clinit_nonlinearity {
    CLINIT_NL_LINEAR = 0,
    CLINIT_NL_CONV1D = 1,
    CLINIT_NL_CONV2D = 2,
    CLINIT_NL_CONV3D = 3,
    CLINIT_NL_CONV_TRANSPOSE1D = 4,
    CLINIT_NL_CONV_TRANSPOSE2D = 5,
    CLINIT_NL_CONV_TRANSPOSE3D = 6,
    CLINIT_NL_SIGMOID = 7,
    CLINIT_NL_TANH = 8,
    CLINIT_NL_RELU = 9,
    CLINIT_NL_LEAKY_RELU = 10,
    CLINIT_NL_SELU = 11
} clinit_nonlinearity;

/* An initialization method and its parameters, with torch.nn.init's names.
 * Fill it with clinit_init_default() and then set what differs. Fields a
 * method does not use are ignored. */
typedef struct clinit_init {
    clinit_method method;
    double a;         /* uniform: lower bound; kaiming_*: negative slope;
                         trunc_normal: lower bound (absolute) */
    double b;         /* uniform: upper bound (exclusive); trunc_normal: upper
                         bound (inclusive, absolute) */
    double mean;      /* normal, trunc_normal */
    double std;       /* normal, trunc_normal, sparse */
    double val;       /* constant (must be finite in the dtype) */
    double gain;      /* xavier_*, orthogonal */
    clinit_mode mode; /* kaiming_*, variance_scaling */
    clinit_nonlinearity nonlinearity; /* kaiming_* */
    double scale;                     /* variance_scaling (> 0) */
    clinit_distribution distribution; /* variance_scaling */
    double sparsity;                  /* sparse: fraction of zeros per
                                         column, in [0, 1] */
    int groups;                       /* dirac */
} clinit_init;

/* Sets *init to `method` with torch's default parameters. Returns
 * CLINIT_ENULL or CLINIT_EMETHOD on error (then *init is untouched). */
CLINIT_API clinit_status clinit_init_default(clinit_init *init,
                                             clinit_method method);

/* The name of parameter k ("std" for 3), NULL for k >= CLINIT_PARAM_COUNT. */
CLINIT_API const char *clinit_param_name(unsigned k);
/* Sets parameter `key` ("std", "mode", ...) of *init from its text
 * `value`: a number (strtod's syntax, the whole text) for the numeric
 * parameters, an integer for groups, a name for mode, nonlinearity and
 * distribution. The one parser of parameter text: the clinit command and
 * model specs both use it. Ranges and the dtype's rules are
 * clinit_resolve's. Errors, *init untouched: CLINIT_ENULL; CLINIT_EPARAMNAME
 * for a key that init->method does not take (unknown keys included);
 * CLINIT_EPARAM for text that is not a number (an integer for groups);
 * CLINIT_EMODE / CLINIT_ENONLINEARITY / CLINIT_EDISTRIBUTION for unknown
 * names. */
CLINIT_API clinit_status clinit_init_set(clinit_init *init, const char *key,
                                         const char *value);
/* The text of parameter `key` of *init into buf (cap bytes, NUL
 * terminated): "%.17g" for numbers (exact: clinit_init_set reads it back
 * to the same double), "%d" for groups, the name for mode, nonlinearity
 * and distribution. Errors: CLINIT_ENULL, CLINIT_EPARAMNAME (as
 * clinit_init_set), CLINIT_EMODE / CLINIT_ENONLINEARITY /
 * CLINIT_EDISTRIBUTION for a field holding no such value,
 * CLINIT_EOVERFLOW when cap is too small. */
CLINIT_API clinit_status clinit_init_get(const clinit_init *init,
                                         const char *key, char *buf,
                                         size_t cap);
/* The CLINIT_P_* fields `method` reads (0 for an unknown method and for
 * the fixed Keras presets). */
CLINIT_API unsigned clinit_method_params(clinit_method method);

/* Name <-> enum, with torch's spelling ("xavier_uniform", "fan_in",
 * "leaky_relu", "conv_transpose2d", "f32"/"float32", ...). A trailing '_'
 * on a method name is accepted ("kaiming_normal_"). The *_from_name
 * functions return CLINIT_ENULL, or CLINIT_EMETHOD / CLINIT_EMODE /
 * CLINIT_ENONLINEARITY / CLINIT_EDTYPE for an unknown name; the *_name
 * functions return NULL for an unknown value. */
CLINIT_API clinit_status clinit_method_from_name(const char *name,
                                                 clinit_method *out);
CLINIT_API const char *clinit_method_name(clinit_method method);
CLINIT_API clinit_status clinit_mode_from_name(const char *name,
                                               clinit_mode *out);
CLINIT_API const char *clinit_mode_name(clinit_mode mode);
CLINIT_API clinit_status
clinit_nonlinearity_from_name(const char *name, clinit_nonlinearity *out);
CLINIT_API const char *clinit_nonlinearity_name(clinit_nonlinearity nl);
CLINIT_API clinit_status clinit_dtype_from_name(const char *name,
                                                clinit_dtype *out);
CLINIT_API const char *clinit_dtype_name(clinit_dtype dtype);
CLINIT_API clinit_status clinit_distribution_from_name(
    const char *name, clinit_distribution *out); /* or CLINIT_EDISTRIBUTION */
CLINIT_API const char *clinit_distribution_name(clinit_distribution d);
/* Bytes per element, 0 for an unknown dtype. */
CLINIT_API size_t clinit_dtype_size(clinit_dtype dtype);

/* torch.nn.init.calculate_gain. `param` is leaky_relu's negative slope;
 * pass NAN for torch's default (0.01). Other nonlinearities ignore it.
 * Errors: CLINIT_ENULL, CLINIT_ENONLINEARITY, CLINIT_EPARAM (non-finite
 * slope). */
CLINIT_API clinit_status clinit_calculate_gain(clinit_nonlinearity nl,
                                               double param, double *gain);

/* torch's fan_in / fan_out for layout [out, in, k...]: fan_in = in*prod(k),
 * fan_out = out*prod(k). Errors: CLINIT_ENULL, CLINIT_ESHAPE, CLINIT_EFANS
 * (ndim < 2), CLINIT_EOVERFLOW. */
CLINIT_API clinit_status clinit_fans(int ndim, const int64_t *shape,
                                     uint64_t *fan_in, uint64_t *fan_out);

/* ---- tensors ---------------------------------------------------------- */

/* What is being initialized: the whole tensor's shape (also when only a
 * slice or shard is filled, so fans are the global ones), its dtype, and
 * the generator coordinates. */
typedef struct clinit_tensor {
    clinit_dtype dtype;
    int ndim;                       /* 1..CLINIT_MAX_DIMS */
    int64_t shape[CLINIT_MAX_DIMS]; /* each >= 1, torch layout */
    uint64_t seed;                  /* Philox key */
    uint64_t stream;                /* independent stream per tensor */
} clinit_tensor;

/* Number of elements of `t` in *numel. Errors: CLINIT_ENULL, CLINIT_ESHAPE,
 * CLINIT_EOVERFLOW (more than CLINIT_MAX_NUMEL elements). */
CLINIT_API clinit_status clinit_numel(const clinit_tensor *t, uint64_t *numel);

/* The distribution a method resolves to for a tensor. */
typedef enum clinit_dist {
    CLINIT_DIST_UNIFORM = 0,   /* [lo, hi) */
    CLINIT_DIST_NORMAL = 1,    /* mean, std */
    CLINIT_DIST_CONSTANT = 2,  /* value */
    CLINIT_DIST_TRUNCATED = 3, /* mean, std, truncated to [lo, hi] */
    CLINIT_DIST_SPARSE = 4,    /* normal(0, std), nzeros zeros per column */
    CLINIT_DIST_PATTERN = 5,   /* eye_ / dirac_: zeros and ones */
    CLINIT_DIST_ORTHOGONAL = 6 /* gain * Q of a QR */
} clinit_dist;

typedef struct clinit_resolved {
    clinit_dist dist;
    uint64_t fan_in, fan_out; /* 0 when the method needs no fans */
    double gain;              /* NAN when not used */
    double fan;               /* the fan used by kaiming / VS, NAN otherwise */
    double lo, hi;            /* uniform / truncated bounds (double) */
    double mean, std;         /* normal, truncated, sparse */
    double value;             /* constant, as stored in the dtype */
    uint64_t nzeros;          /* sparse: zeros per column */
} clinit_resolved;

/* Validates (t, init) and computes the distribution it resolves to:
 * fans, gain, bound or std (the numbers `clinit fill` prints). Returns
 * every validation error a fill would return. */
CLINIT_API clinit_status clinit_resolve(const clinit_tensor *t,
                                        const clinit_init *init,
                                        clinit_resolved *out);

/* ---- contexts --------------------------------------------------------- */

typedef struct clinit_ctx clinit_ctx;

typedef struct clinit_ctx_options {
    /* "cpu", "opencl" (first GPU, else first OpenCL device) or "opencl:P.D"
     * (platform P, device D, as `clinit devices` lists them). NULL or "":
     * the CLINIT_DEVICE environment variable, else the first GPU, else the
     * first OpenCL device, else the CPU path (also when OpenCL itself
     * fails to enumerate). */
    const char *device;
    /* Worker threads for host fills; 0 = number of online CPUs. */
    unsigned cpu_threads;
} clinit_ctx_options;

/* Creates a context that owns its OpenCL context and in-order queue (or
 * none, for the CPU path). `opt` may be NULL. Blocks while it queries
 * devices; does not build programs (see clinit_ctx_warmup). Errors:
 * CLINIT_ENULL, CLINIT_EDEVICESPEC, CLINIT_ENODEVICE (an explicit opencl
 * device was asked for and none matches), CLINIT_EOPENCL, CLINIT_ENOMEM.
 * Release with clinit_ctx_destroy. */
CLINIT_API clinit_status clinit_ctx_create(clinit_ctx **out,
                                           const clinit_ctx_options *opt);

/* Creates a context that borrows `queue` (and its context and device).
 * clinit retains the queue and releases it in clinit_ctx_destroy; the
 * caller keeps its own reference. `opt` may be NULL; opt->device is
 * ignored. Errors: CLINIT_ENULL, CLINIT_EQUEUE, CLINIT_ENOMEM. */
CLINIT_API clinit_status clinit_ctx_create_from_queue(
    clinit_ctx **out, cl_command_queue queue, const clinit_ctx_options *opt);

/* Releases everything the context owns or retained. Accepts NULL. Does
 * not wait for enqueued fills: call clFinish first if you need to. */
CLINIT_API void clinit_ctx_destroy(clinit_ctx *ctx);

/* 1 if the context has an OpenCL device, 0 for the CPU path. */
CLINIT_API int clinit_ctx_is_opencl(const clinit_ctx *ctx);
/* "cpu", "opencl:P.D <device name>", or "opencl <device name>" for a
 * borrowed queue (owned by ctx). */
CLINIT_API const char *clinit_ctx_device_name(const clinit_ctx *ctx);
/* "cpu", "opencl:P.D", or "opencl" for a borrowed queue (owned by ctx). */
CLINIT_API const char *clinit_ctx_device_id(const clinit_ctx *ctx);
/* The context's queue (owned by ctx; retain it to keep it), or NULL. */
CLINIT_API cl_command_queue clinit_ctx_queue(const clinit_ctx *ctx);
/* The context's cl_context (owned by ctx; retain it to keep it), or NULL
 * for the CPU path. Buffers given to clinit_enqueue_fill belong to it. */
CLINIT_API cl_context clinit_ctx_context(const clinit_ctx *ctx);
/* Worker threads host fills use with this context (ctx may be NULL: the
 * default, one per online CPU). */
CLINIT_API unsigned clinit_ctx_cpu_threads(const clinit_ctx *ctx);
/* Builds the OpenCL program now instead of at the first fill. Blocks.
 * Errors: CLINIT_ENODEVICE, CLINIT_EBUILD, CLINIT_EOPENCL. */
CLINIT_API clinit_status clinit_ctx_warmup(clinit_ctx *ctx);
/* The last program build log ("" if none; owned by ctx, valid until the
 * next call on ctx). */
CLINIT_API const char *clinit_ctx_build_log(const clinit_ctx *ctx);
/* The raw cl_int of the last failed OpenCL call on ctx (CL_SUCCESS if
 * none). */
CLINIT_API cl_int clinit_ctx_cl_error(const clinit_ctx *ctx);

/* ---- devices --------------------------------------------------------- */

typedef struct clinit_device_info {
    char id[32];        /* "opencl:P.D", usable as clinit_ctx_options.device */
    char name[128];     /* CL_DEVICE_NAME */
    char platform[128]; /* CL_PLATFORM_NAME */
    char version[128];  /* CL_DEVICE_VERSION */
    int is_gpu;         /* CL_DEVICE_TYPE_GPU */
    int has_fp64;       /* double precision supported */
    uint64_t global_mem_bytes;
    unsigned compute_units;
} clinit_device_info;

/* Lists every OpenCL device of every platform, in the order that the
 * "opencl:P.D" names use. Writes min(cap, total) entries to `out` (may be
 * NULL when cap is 0) and the total to *count. No platform at all is not
 * an error (*count = 0). Errors: CLINIT_ENULL, CLINIT_EOPENCL. */
CLINIT_API clinit_status clinit_list_devices(clinit_device_info *out,
                                             size_t cap, size_t *count);

/* ---- fills ------------------------------------------------------------ */

/* Fills elements [lo, hi) of tensor `t` (flat, row-major indices) into
 * host memory: dst[k] = element lo + k, for k < hi - lo, in t->dtype.
 * `ctx` may be NULL (CPU path with one thread per online CPU); an OpenCL
 * context fills host memory on the CPU path too. Blocks until done. The
 * result is identical for every ctx, thread count and split of [lo, hi).
 * Errors: CLINIT_ENULL, CLINIT_ESHAPE, CLINIT_EFANS, CLINIT_EPARAM,
 * CLINIT_EMETHOD, CLINIT_EMODE, CLINIT_ENONLINEARITY, CLINIT_EDTYPE,
 * CLINIT_EOVERFLOW, CLINIT_ERANGE, CLINIT_ETHREAD. */
CLINIT_API clinit_status clinit_fill_host(clinit_ctx *ctx,
                                          const clinit_tensor *t,
                                          const clinit_init *init, uint64_t lo,
                                          uint64_t hi, void *dst);

/* Enqueues a fill of elements [lo, hi) of tensor `t` into `buf`, starting
 * at element `offset` of the buffer (in units of t->dtype), on the
 * context's queue, after the `num_wait` events in `wait`. Does not block
 * (except to build the program on first use); no host staging buffer. If
 * `out_event` is not NULL it receives an event the caller must release.
 * `buf` stays owned by the caller. One exception to "nothing enqueued on
 * error": a range of more than 2^30 elements is enqueued in several
 * launches, and if a later launch fails the earlier ones stay enqueued.
 * Errors: those of clinit_fill_host
 * (except ETHREAD), CLINIT_ENODEVICE (CPU context), CLINIT_EQUEUE (buf is
 * not a buffer of this context), CLINIT_EBUFFER, CLINIT_EBUILD,
 * CLINIT_EOPENCL. */
CLINIT_API clinit_status clinit_enqueue_fill(
    clinit_ctx *ctx, const clinit_tensor *t, const clinit_init *init,
    uint64_t lo, uint64_t hi, cl_mem buf, size_t offset, cl_uint num_wait,
    const cl_event *wait, cl_event *out_event);

/* The whole tensor: clinit_fill_host / clinit_enqueue_fill with lo = 0
 * and hi = its number of elements (torch's `init.normal_(tensor)`,
 * cuRAND's "generate n"). Same blocking, ownership and errors. */
CLINIT_API clinit_status clinit_fill_host_all(clinit_ctx *ctx,
                                              const clinit_tensor *t,
                                              const clinit_init *init,
                                              void *dst);
CLINIT_API clinit_status clinit_enqueue_fill_all(
    clinit_ctx *ctx, const clinit_tensor *t, const clinit_init *init,
    cl_mem buf, size_t offset, cl_uint num_wait, const cl_event *wait,
    cl_event *out_event);

/* ---- boxes: N-d sub-blocks of the global tensor (docs/SHARDS.md) ------- */

/* The sub-box start[d] .. start[d] + count[d] - 1 of every dimension d <
 * ndim of a tensor's global shape (torch layout, row-major). A box fill
 * writes the box's elements densely and row-major (its own shape is
 * count[0..ndim)), each with exactly the bits the whole tensor's fill gives
 * that element, so shards filled anywhere reassemble to the whole. A box
 * with some count 0 is empty (writes nothing). Entries past ndim are
 * ignored. */
typedef struct clinit_box {
    int ndim;                       /* must equal the tensor's ndim */
    int64_t start[CLINIT_MAX_DIMS]; /* >= 0 */
    int64_t count[CLINIT_MAX_DIMS]; /* >= 0, start + count <= shape */
} clinit_box;

/* The whole tensor of shape[0..ndim) as a box (start 0, count shape).
 * Errors (*out untouched): CLINIT_ENULL, CLINIT_ESHAPE (ndim outside
 * 1..CLINIT_MAX_DIMS or a dimension < 1). */
CLINIT_API clinit_status clinit_box_full(int ndim, const int64_t *shape,
                                         clinit_box *out);

/* Number of elements of `box` (the product of its counts) after checking
 * it against `t`. Errors: CLINIT_ENULL, CLINIT_ESHAPE (t's shape),
 * CLINIT_EOVERFLOW, CLINIT_EBOX. */
CLINIT_API clinit_status clinit_box_numel(const clinit_tensor *t,
                                          const clinit_box *box,
                                          uint64_t *numel);

/* Shard placement with torch's semantics (torch.chunk, DTensor Shard(dim)):
 * along `dim`, chunk = ceil(size / world) and rank r gets
 * [min(size, r chunk), min(size, (r + 1) chunk)); trailing ranks may get
 * an empty (count 0) box, e.g. size 5 over 4 ranks is 2, 2, 1, 0. Other
 * dimensions are whole. Errors (*out untouched): CLINIT_ENULL,
 * CLINIT_ESHAPE, CLINIT_EBOX (dim, rank or world out of range). */
CLINIT_API clinit_status clinit_shard_box(int ndim, const int64_t *shape,
                                          int dim, int64_t rank, int64_t world,
                                          clinit_box *out);

/* The same split applied to an existing box's extent along `dim` (the
 * second placement of a 2-D mesh: Shard(0) then Shard(1), or twice the
 * same dim as DTensor's [Shard(0), Shard(0)]): out's start[dim] is
 * in->start[dim] plus the chunk's start, its count the chunk's size.
 * `out` may be `in`. Errors (*out untouched): CLINIT_ENULL, CLINIT_EBOX
 * (in's ndim, a negative start or count, dim, rank or world out of
 * range). */
CLINIT_API clinit_status clinit_shard_box_of(const clinit_box *in, int dim,
                                             int64_t rank, int64_t world,
                                             clinit_box *out);

/* Fills the elements of `box` of tensor `t` into host memory, densely in
 * the box's row-major order: dst[k] is the k-th element of the box. The
 * same blocking, threads and bits as clinit_fill_host (for every method
 * and dtype, orthogonal_ included: its whole QR is computed on the host
 * for every box, then the box is copied out). Errors (dst untouched):
 * those of clinit_fill_host, CLINIT_EBOX instead of CLINIT_ERANGE,
 * CLINIT_EORTHOSIZE, CLINIT_ENOMEM. */
CLINIT_API clinit_status clinit_fill_host_box(clinit_ctx *ctx,
                                              const clinit_tensor *t,
                                              const clinit_init *init,
                                              const clinit_box *box,
                                              void *dst);

/* Enqueues the fill of `box` of tensor `t` into `buf`, the box's k-th
 * element at element offset + k of the buffer (dense, row-major in the
 * box), on the context's queue after the `num_wait` events in `wait`:
 * one kernel launch (a descriptor per contiguous run of the global flat
 * index; a box that spans whole trailing dimensions is fewer, longer runs,
 * a row slab one run). Blocking, events and ownership as
 * clinit_enqueue_fill; the bits are those of clinit_fill_host_box.
 * orthogonal_ is computed on the host and written with one blocking
 * write. Errors (nothing enqueued): those of clinit_enqueue_fill,
 * CLINIT_EBOX instead of CLINIT_ERANGE. */
CLINIT_API clinit_status clinit_enqueue_fill_box(
    clinit_ctx *ctx, const clinit_tensor *t, const clinit_init *init,
    const clinit_box *box, cl_mem buf, size_t offset, cl_uint num_wait,
    const cl_event *wait, cl_event *out_event);

/* ---- device API: element i of a fill in your own kernel ---------------- */

/* Words of a device descriptor, and the version of its layout and of
 * include/clinit/device.h's functions (docs/DEVICE.md). A descriptor
 * made by one version is read by the device header of the same version. */
#define CLINIT_DEVICE_DESC_WORDS 32
#define CLINIT_DEVICE_API_VERSION 1

/* Resolves (t, init) exactly as a fill does and writes the plain
 * descriptor that include/clinit/device.h's functions read:
 * clinit_dev_f32(desc, i) (or clinit_dev_f16, ..., clinit_dev_f64 for
 * t->dtype) is then element i of clinit_fill_host(t, init), bit for bit.
 * `desc` is the caller's; copy it into a device buffer (or __constant,
 * or a private copy) for the kernel. Host only, does not block. Errors
 * (desc untouched): those of clinit_resolve (CLINIT_ENULL, CLINIT_ESHAPE,
 * CLINIT_EFANS, CLINIT_EPARAM, CLINIT_EMETHOD, CLINIT_EDTYPE,
 * CLINIT_ESUPPORT, ...), CLINIT_EHOSTONLY for orthogonal_. */
CLINIT_API clinit_status
clinit_device_desc(const clinit_tensor *t, const clinit_init *init,
                   uint64_t desc[CLINIT_DEVICE_DESC_WORDS]);

/* ---- batches: many tensors, few launches ------------------------------- */

/* One tensor of a batch: what to fill (t, init, elements [lo, hi)) and
 * where: `buf` at element `offset` for clinit_enqueue_fill_batch, `host`
 * (element lo at host[0]) for clinit_fill_host_batch. */
typedef struct clinit_fill_desc {
    clinit_tensor tensor;
    clinit_init init;
    uint64_t lo, hi;
    cl_mem buf;
    size_t offset;
    void *host;
} clinit_fill_desc;

/* Enqueues the fills of descs[0..n) with one kernel launch per distinct
 * (buffer, dtype, base distribution) triple (a model in one arena buffer
 * is a few launches per dtype; an orthogonal_ tensor adds one
 * host-computed write), after the `num_wait` events in `wait`;
 * `out_event` (if not NULL) completes when all of them have. Every element
 * gets exactly the bits clinit_enqueue_fill would give it. All descriptors
 * and the wait list are validated first: on a validation error nothing is
 * enqueued and *bad_index (if not NULL) is the index of the first bad
 * one. Every launch's kernel and descriptor table are made before the
 * first enqueue, so only an OpenCL failure of an enqueue call itself
 * (CLINIT_EOPENCL, e.g. the device out of resources) can come after some
 * launches were enqueued; those stay enqueued and complete as usual. Ranges of one
 * buffer must not overlap. Does not block (except to build the program on
 * first use, and for orthogonal_). Errors: those of clinit_enqueue_fill. */
CLINIT_API clinit_status clinit_enqueue_fill_batch(
    clinit_ctx *ctx, const clinit_fill_desc *descs, size_t n, cl_uint num_wait,
    const cl_event *wait, cl_event *out_event, size_t *bad_index);

/* The same into host memory (desc.host), on the CPU path. Blocks. */
CLINIT_API clinit_status clinit_fill_host_batch(clinit_ctx *ctx,
                                                const clinit_fill_desc *descs,
                                                size_t n, size_t *bad_index);

/* One box of a batch: what to fill (t, init, the box) and where: `buf`
 * at element `offset` for clinit_enqueue_fill_box_batch, `host` for
 * clinit_fill_host_box_batch (dense, row-major in the box). */
typedef struct clinit_fill_box_desc {
    clinit_tensor tensor;
    clinit_init init;
    clinit_box box;
    cl_mem buf;
    size_t offset;
    void *host;
} clinit_fill_box_desc;

/* clinit_enqueue_fill_batch for boxes: every run of every box of one
 * (buffer, dtype, base distribution) goes into one launch (descriptor
 * tables of more than 2^16 runs are split into several launches). The
 * same validation first (*bad_index), events, blocking and errors as
 * clinit_enqueue_fill_batch, CLINIT_EBOX instead of CLINIT_ERANGE. Boxes
 * of one buffer must not overlap there. */
CLINIT_API clinit_status clinit_enqueue_fill_box_batch(
    clinit_ctx *ctx, const clinit_fill_box_desc *descs, size_t n,
    cl_uint num_wait, const cl_event *wait, cl_event *out_event,
    size_t *bad_index);

/* The same into host memory (desc.host), on the CPU path. Validates every
 * descriptor first (*bad_index). Blocks. */
CLINIT_API clinit_status
clinit_fill_host_box_batch(clinit_ctx *ctx, const clinit_fill_box_desc *descs,
                           size_t n, size_t *bad_index);

/* A stream number derived from a tensor's name: FNV-1a 64 of its bytes
 * (docs/STREAM.md). Stable across versions and platforms, so renaming or
 * reordering other tensors never changes this one's values. */
CLINIT_API uint64_t clinit_stream_of(const char *name);

/* ---- raw generator (tests and batteries) ----------------------------- */

/* out[j] for j < nwords: word j % 4 of philox4x32_10(counter + j / 4, key),
 * the counter advancing as a 128-bit little-endian integer (word 0 lowest).
 * Host only. Errors: CLINIT_ENULL. */
CLINIT_API clinit_status clinit_philox_raw(const uint32_t key[2],
                                           const uint32_t counter[4],
                                           uint64_t nwords, uint32_t *out);

/* The same words computed on the context's OpenCL device into `buf`
 * (nwords uint32 starting at byte 0); blocks until done (the non-blocking
 * form is clinit_enqueue_philox_raw). Errors:
 * CLINIT_ENULL, CLINIT_ENODEVICE, CLINIT_EBUFFER, CLINIT_EBUILD,
 * CLINIT_EOPENCL. */
CLINIT_API clinit_status clinit_philox_raw_device(clinit_ctx *ctx,
                                                  const uint32_t key[2],
                                                  const uint32_t counter[4],
                                                  uint64_t nwords, cl_mem buf);

/* The same words into `buf` at uint32 word `offset` (words offset ..
 * offset + nwords - 1 of the buffer), on the context's queue after the
 * `num_wait` events in `wait`, without blocking (except to build the
 * program on first use). If `out_event` is not NULL it receives an event
 * that completes when every word is written; the caller releases it.
 * nwords == 0 enqueues only that event. `buf` stays the caller's.
 * Errors (nothing enqueued): CLINIT_ENULL, CLINIT_ENODEVICE, CLINIT_EQUEUE
 * (buf or an event is not of this context), CLINIT_EBUFFER, CLINIT_EBUILD,
 * CLINIT_EOPENCL. As with clinit_enqueue_fill, more than 2^30 words are
 * several launches, and an OpenCL failure of a later one leaves the
 * earlier ones enqueued. */
CLINIT_API clinit_status clinit_enqueue_philox_raw(
    clinit_ctx *ctx, const uint32_t key[2], const uint32_t counter[4],
    uint64_t nwords, cl_mem buf, size_t offset, cl_uint num_wait,
    const cl_event *wait, cl_event *out_event);

/* The 32-bit words that the init stream (seed, stream) consumes, in
 * element order of a 32-bit dtype: out[j] is the word that element
 * first + j of a uniform f32 fill is made from. Errors: CLINIT_ENULL,
 * CLINIT_EOVERFLOW. */
CLINIT_API clinit_status clinit_stream_words(uint64_t seed, uint64_t stream,
                                             uint64_t first, uint64_t nwords,
                                             uint32_t *out);

#ifdef __cplusplus
}
#endif

#endif /* CLINIT_H */
