/* test_api.c - names, version, defaults, device listing, context creation
 * and ownership (own and borrowed queues), event wait lists, and the CPU
 * fallback when no OpenCL platform exists at all. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

TestSuite(api);

static const char *sn(int st)
{
    return clinit_status_name(st);
}

/* ---- names ------------------------------------------------------------- */

Test(api, method_names_round_trip)
{
    /* torch.nn.init's spellings (Keras' for variance_scaling and its
     * presets), in enum order */
    static const char *const names[] = {"uniform",
                                        "normal",
                                        "constant",
                                        "zeros",
                                        "ones",
                                        "xavier_uniform",
                                        "xavier_normal",
                                        "kaiming_uniform",
                                        "kaiming_normal",
                                        "trunc_normal",
                                        "sparse",
                                        "eye",
                                        "dirac",
                                        "orthogonal",
                                        "variance_scaling",
                                        "lecun_uniform",
                                        "lecun_normal",
                                        "glorot_uniform",
                                        "glorot_normal",
                                        "he_uniform",
                                        "he_normal"};
    cr_assert_eq(sizeof names / sizeof names[0], CLINIT_HE_NORMAL + 1);
    for (int m = 0; m <= CLINIT_HE_NORMAL; m++) {
        const char *n = clinit_method_name((clinit_method)m);
        char with_[64];
        clinit_method back = (clinit_method)77;
        cr_assert(n != NULL, "method %d has no name", m);
        cr_expect_str_eq(n, names[m]);
        cr_expect_eq(clinit_method_from_name(n, &back), CLINIT_OK, "%s", n);
        cr_expect_eq((int)back, m, "%s", n);
        /* torch's in-place spelling, e.g. kaiming_normal_ */
        snprintf(with_, sizeof with_, "%s_", n);
        back = (clinit_method)77;
        cr_expect_eq(clinit_method_from_name(with_, &back), CLINIT_OK, "%s",
                     with_);
        cr_expect_eq((int)back, m, "%s", with_);
    }
    cr_expect_null(clinit_method_name((clinit_method)(CLINIT_HE_NORMAL + 1)));
    cr_expect_null(clinit_method_name((clinit_method)-1));
    /* the enum values are part of the ABI */
    cr_expect_eq(CLINIT_TRUNC_NORMAL, 9);
    cr_expect_eq(CLINIT_SPARSE, 10);
    cr_expect_eq(CLINIT_EYE, 11);
    cr_expect_eq(CLINIT_DIRAC, 12);
    cr_expect_eq(CLINIT_ORTHOGONAL, 13);
    cr_expect_eq(CLINIT_VARIANCE_SCALING, 14);
    cr_expect_eq(CLINIT_LECUN_UNIFORM, 15);
    cr_expect_eq(CLINIT_LECUN_NORMAL, 16);
    cr_expect_eq(CLINIT_GLOROT_UNIFORM, 17);
    cr_expect_eq(CLINIT_GLOROT_NORMAL, 18);
    cr_expect_eq(CLINIT_HE_UNIFORM, 19);
    cr_expect_eq(CLINIT_HE_NORMAL, 20);
}

Test(api, mode_names_round_trip)
{
    static const char *const names[] = {"fan_in", "fan_out", "fan_avg"};
    cr_expect_eq(CLINIT_FAN_AVG, 2);
    for (int m = 0; m < 3; m++) {
        clinit_mode back = (clinit_mode)77;
        const char *n = clinit_mode_name((clinit_mode)m);
        cr_assert(n != NULL);
        cr_expect_str_eq(n, names[m]);
        cr_expect_eq(clinit_mode_from_name(n, &back), CLINIT_OK);
        cr_expect_eq((int)back, m);
    }
    cr_expect_null(clinit_mode_name((clinit_mode)3));
    cr_expect_null(clinit_mode_name((clinit_mode)-1));
}

Test(api, distribution_names_round_trip)
{
    /* Keras' VarianceScaling spellings, in enum order */
    static const char *const names[] = {"truncated_normal",
                                        "untruncated_normal", "uniform"};
    clinit_distribution back = (clinit_distribution)77;
    cr_expect_eq(CLINIT_VS_TRUNCATED_NORMAL, 0);
    cr_expect_eq(CLINIT_VS_UNTRUNCATED_NORMAL, 1);
    cr_expect_eq(CLINIT_VS_UNIFORM, 2);
    for (int d = 0; d < 3; d++) {
        const char *n = clinit_distribution_name((clinit_distribution)d);
        back = (clinit_distribution)77;
        cr_assert(n != NULL, "distribution %d has no name", d);
        cr_expect_str_eq(n, names[d]);
        cr_expect_eq(clinit_distribution_from_name(n, &back), CLINIT_OK, "%s",
                     n);
        cr_expect_eq((int)back, d, "%s", n);
    }
    /* Keras 2's "normal" is the truncated normal; the canonical name
     * stays "truncated_normal" */
    back = (clinit_distribution)77;
    cr_expect_eq(clinit_distribution_from_name("normal", &back), CLINIT_OK);
    cr_expect_eq(back, CLINIT_VS_TRUNCATED_NORMAL);
    cr_expect_str_eq(clinit_distribution_name(CLINIT_VS_TRUNCATED_NORMAL),
                     "truncated_normal");
    cr_expect_null(clinit_distribution_name((clinit_distribution)3));
    cr_expect_null(clinit_distribution_name((clinit_distribution)-1));
}

Test(api, nonlinearity_names_round_trip)
{
    static const char *const names[] = {"linear",
                                        "conv1d",
                                        "conv2d",
                                        "conv3d",
                                        "conv_transpose1d",
                                        "conv_transpose2d",
                                        "conv_transpose3d",
                                        "sigmoid",
                                        "tanh",
                                        "relu",
                                        "leaky_relu",
                                        "selu"};
    for (int k = 0; k < 12; k++) {
        clinit_nonlinearity back = (clinit_nonlinearity)77;
        const char *n = clinit_nonlinearity_name((clinit_nonlinearity)k);
        cr_assert(n != NULL, "nonlinearity %d has no name", k);
        cr_expect_str_eq(n, names[k]);
        cr_expect_eq(clinit_nonlinearity_from_name(n, &back), CLINIT_OK);
        cr_expect_eq((int)back, k, "%s", n);
    }
    cr_expect_null(clinit_nonlinearity_name((clinit_nonlinearity)12));
}

Test(api, dtype_names_and_sizes)
{
    static const struct {
        clinit_dtype d;
        const char *name;
        size_t size;
    } canon[] = {{CLINIT_F32, "f32", 4},
                 {CLINIT_F16, "f16", 2},
                 {CLINIT_BF16, "bf16", 2},
                 {CLINIT_F64, "f64", 8},
                 {CLINIT_F8E4M3, "f8e4m3", 1},
                 {CLINIT_F8E5M2, "f8e5m2", 1}};
    static const struct {
        const char *alias;
        clinit_dtype d;
    } aliases[] = {{"float32", CLINIT_F32},   {"float16", CLINIT_F16},
                   {"bfloat16", CLINIT_BF16}, {"float64", CLINIT_F64},
                   {"float", CLINIT_F32},     {"half", CLINIT_F16},
                   {"double", CLINIT_F64},    {"float8_e4m3fn", CLINIT_F8E4M3},
                   {"float8_e5m2", CLINIT_F8E5M2}};
    cr_expect_eq(sizeof canon / sizeof canon[0], CLINIT_DTYPE_COUNT);
    for (size_t i = 0; i < sizeof canon / sizeof canon[0]; i++) {
        clinit_dtype back = (clinit_dtype)77;
        const char *n = clinit_dtype_name(canon[i].d);
        cr_assert(n != NULL);
        cr_expect_str_eq(n, canon[i].name);
        cr_expect_eq(clinit_dtype_from_name(n, &back), CLINIT_OK);
        cr_expect_eq(back, canon[i].d, "%s", n);
        cr_expect_eq(clinit_dtype_size(canon[i].d), canon[i].size, "%s", n);
    }
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
        clinit_dtype back = (clinit_dtype)77;
        cr_expect_eq(clinit_dtype_from_name(aliases[i].alias, &back), CLINIT_OK,
                     "%s", aliases[i].alias);
        cr_expect_eq(back, aliases[i].d, "%s", aliases[i].alias);
    }
    cr_expect_eq(clinit_dtype_size(CLINIT_DTYPE_COUNT), 0);
}

/* ---- version ----------------------------------------------------------- */

Test(api, version)
{
    char s[64];
    cr_expect_eq(clinit_version(), CLINIT_VERSION_NUMBER);
    cr_expect_eq(CLINIT_VERSION_NUMBER, CLINIT_VERSION_MAJOR * 10000 +
                                            CLINIT_VERSION_MINOR * 100 +
                                            CLINIT_VERSION_PATCH);
    snprintf(s, sizeof s, "%d.%d.%d", CLINIT_VERSION_MAJOR,
             CLINIT_VERSION_MINOR, CLINIT_VERSION_PATCH);
    cr_assert(clinit_version_string() != NULL);
    cr_expect_str_eq(clinit_version_string(), s);
    cr_expect_str_eq(CLINIT_VERSION_STRING, s);
    cr_expect_eq(CLINIT_STREAM_VERSION, 1);
}

/* ---- defaults ------------------------------------------------------------ */

Test(api, init_defaults_are_torchs)
{
    for (int m = 0; m <= CLINIT_HE_NORMAL; m++) {
        clinit_init in;
        memset(&in, 0xff, sizeof in); /* garbage that must be replaced */
        cr_assert_eq(clinit_init_default(&in, (clinit_method)m), CLINIT_OK);
        cr_expect_eq((int)in.method, m);
        switch (m) {
        case CLINIT_UNIFORM: /* uniform_(a=0.0, b=1.0) */
            cr_expect(in.a == 0.0 && in.b == 1.0, "uniform a=%g b=%g", in.a,
                      in.b);
            break;
        case CLINIT_NORMAL: /* normal_(mean=0.0, std=1.0) */
            cr_expect(in.mean == 0.0 && in.std == 1.0, "normal %g %g", in.mean,
                      in.std);
            break;
        case CLINIT_CONSTANT: /* val is required in torch; 0 here */
            cr_expect(in.val == 0.0, "constant val=%g", in.val);
            break;
        case CLINIT_XAVIER_UNIFORM:
        case CLINIT_XAVIER_NORMAL: /* gain=1.0 */
            cr_expect(in.gain == 1.0, "xavier gain=%g", in.gain);
            break;
        case CLINIT_KAIMING_UNIFORM:
        case CLINIT_KAIMING_NORMAL:
            /* a=0, mode='fan_in', nonlinearity='leaky_relu' */
            cr_expect(in.a == 0.0, "kaiming a=%g", in.a);
            cr_expect_eq(in.mode, CLINIT_FAN_IN);
            cr_expect_eq(in.nonlinearity, CLINIT_NL_LEAKY_RELU);
            break;
        case CLINIT_TRUNC_NORMAL:
            /* trunc_normal_(mean=0.0, std=1.0, a=-2.0, b=2.0) */
            cr_expect(in.mean == 0.0 && in.std == 1.0, "trunc %g %g", in.mean,
                      in.std);
            cr_expect(in.a == -2.0 && in.b == 2.0, "trunc a=%g b=%g", in.a,
                      in.b);
            break;
        case CLINIT_SPARSE:
            /* sparse_(sparsity (required), std=0.01) */
            cr_expect(in.std == 0.01, "sparse std=%g", in.std);
            cr_expect(in.sparsity >= 0.0 && in.sparsity <= 1.0,
                      "sparse sparsity=%g", in.sparsity);
            break;
        case CLINIT_DIRAC: /* dirac_(groups=1) */
            cr_expect_eq(in.groups, 1);
            break;
        case CLINIT_ORTHOGONAL: /* orthogonal_(gain=1) */
            cr_expect(in.gain == 1.0, "orthogonal gain=%g", in.gain);
            break;
        case CLINIT_VARIANCE_SCALING:
            /* VarianceScaling(scale=1.0, mode="fan_in",
             * distribution="truncated_normal") */
            cr_expect(in.scale == 1.0, "VS scale=%g", in.scale);
            cr_expect_eq(in.mode, CLINIT_FAN_IN);
            cr_expect_eq(in.distribution, CLINIT_VS_TRUNCATED_NORMAL);
            break;
        case CLINIT_LECUN_UNIFORM:
        case CLINIT_LECUN_NORMAL:
        case CLINIT_GLOROT_UNIFORM:
        case CLINIT_GLOROT_NORMAL:
        case CLINIT_HE_UNIFORM:
        case CLINIT_HE_NORMAL: {
            /* Keras: lecun (1, fan_in), glorot (1, fan_avg), he (2,
             * fan_in); *_uniform uniform, *_normal truncated_normal */
            int he = m == CLINIT_HE_UNIFORM || m == CLINIT_HE_NORMAL;
            int glorot =
                m == CLINIT_GLOROT_UNIFORM || m == CLINIT_GLOROT_NORMAL;
            int uni = m == CLINIT_LECUN_UNIFORM || m == CLINIT_GLOROT_UNIFORM ||
                      m == CLINIT_HE_UNIFORM;
            cr_expect(in.scale == (he ? 2.0 : 1.0), "%s scale=%g",
                      clinit_method_name((clinit_method)m), in.scale);
            cr_expect_eq(in.mode, glorot ? CLINIT_FAN_AVG : CLINIT_FAN_IN, "%s",
                         clinit_method_name((clinit_method)m));
            cr_expect_eq(in.distribution,
                         uni ? CLINIT_VS_UNIFORM : CLINIT_VS_TRUNCATED_NORMAL,
                         "%s", clinit_method_name((clinit_method)m));
            break;
        }
        default:
            break;
        }
    }
}

Test(api, init_defaults_are_valid)
{
    /* every method's defaults fill a tensor of a shape it accepts (whole
     * blocks: test_methods.c covers partial last blocks) */
    const int64_t s2[2] = {8, 8}, s3[3] = {8, 4, 2};
    for (int m = 0; m <= CLINIT_HE_NORMAL; m++) {
        clinit_init in = test_init((clinit_method)m);
        clinit_tensor t = m == CLINIT_DIRAC ? test_tensor(3, s3, 1, 2)
                                            : test_tensor(2, s2, 1, 2);
        clinit_resolved r;
        static double v[64];
        for (int d = 0; d < 4; d++) {
            t.dtype = (clinit_dtype)d;
            cr_expect_eq(clinit_resolve(&t, &in, &r), CLINIT_OK, "%s %s",
                         clinit_method_name((clinit_method)m),
                         clinit_dtype_name((clinit_dtype)d));
            cr_expect_eq(clinit_fill_host(NULL, &t, &in, 0, 64, v), CLINIT_OK,
                         "%s %s", clinit_method_name((clinit_method)m),
                         clinit_dtype_name((clinit_dtype)d));
        }
    }
}

/* ---- devices --------------------------------------------------------------
 */

Test(api, list_devices)
{
    size_t count = 12345, count2 = 12345;
    clinit_device_info *all;
    clinit_device_info none;
    long prev_p = -1, prev_d = -1;

    cr_assert_eq(clinit_list_devices(NULL, 0, &count), CLINIT_OK);
    cr_assert_geq(count, 1, "no OpenCL device: install pocl-opencl-icd");
    all = calloc(count + 1, sizeof *all);
    cr_assert(all);
    memset(&all[count], 0x5A, sizeof all[count]);
    cr_assert_eq(clinit_list_devices(all, count + 1, &count2), CLINIT_OK);
    cr_expect_eq(count2, count);
    {
        /* entries past the total are not written */
        clinit_device_info keep;
        memset(&keep, 0x5A, sizeof keep);
        cr_expect(memcmp(&all[count], &keep, sizeof keep) == 0);
    }
    for (size_t i = 0; i < count; i++) {
        long p, d;
        int used = 0;
        clinit_ctx_options opt = {all[i].id, 0};
        clinit_ctx *c = NULL;
        char want[300];
        cr_expect_eq(sscanf(all[i].id, "opencl:%ld.%ld%n", &p, &d, &used), 2,
                     "id \"%s\"", all[i].id);
        cr_expect_eq((size_t)used, strlen(all[i].id), "id \"%s\"", all[i].id);
        /* platform-major order; devices count from 0 in each platform */
        if (p == prev_p)
            cr_expect_eq(d, prev_d + 1, "id \"%s\" after %ld.%ld", all[i].id,
                         prev_p, prev_d);
        else
            cr_expect(p > prev_p && d == 0, "id \"%s\" after %ld.%ld",
                      all[i].id, prev_p, prev_d);
        prev_p = p;
        prev_d = d;
        cr_expect(all[i].name[0] != '\0');
        cr_expect(all[i].platform[0] != '\0');
        cr_expect(strncmp(all[i].version, "OpenCL ", 7) == 0, "version %s",
                  all[i].version);
        cr_expect_gt(all[i].global_mem_bytes, 0);
        cr_expect_gt(all[i].compute_units, 0);
        /* the id is usable as a device option */
        cr_assert_eq(clinit_ctx_create(&c, &opt), CLINIT_OK, "%s", all[i].id);
        cr_expect(clinit_ctx_is_opencl(c));
        snprintf(want, sizeof want, "%s %s", all[i].id, all[i].name);
        cr_expect_str_eq(clinit_ctx_device_name(c), want);
        clinit_ctx_destroy(c);
    }
    /* a cap smaller than the count: min(cap, count) entries, full count */
    for (size_t cap = 0; cap < count; cap++) {
        clinit_device_info *some = calloc(count, sizeof *some);
        cr_assert(some);
        memset(some, 0x5A, count * sizeof *some);
        count2 = 0;
        cr_assert_eq(clinit_list_devices(some, cap, &count2), CLINIT_OK);
        cr_expect_eq(count2, count, "cap %zu", cap);
        for (size_t i = 0; i < cap; i++)
            cr_expect_str_eq(some[i].id, all[i].id);
        memset(&none, 0x5A, sizeof none);
        cr_expect(memcmp(&some[cap], &none, sizeof none) == 0,
                  "cap %zu: entry %zu written", cap, cap);
        free(some);
    }
    free(all);
}

/* ---- contexts
 * ---------------------------------------------------------------- */

static clinit_ctx *create(const char *device)
{
    clinit_ctx_options opt = {device, 0};
    clinit_ctx *c = NULL;
    clinit_status st = clinit_ctx_create(&c, &opt);
    cr_assert_eq(st, CLINIT_OK, "device %s: %s", device ? device : "NULL",
                 sn(st));
    cr_assert(c != NULL);
    return c;
}

Test(api, cpu_context)
{
    clinit_ctx *c = create("cpu");
    cr_expect(!clinit_ctx_is_opencl(c));
    cr_expect_str_eq(clinit_ctx_device_name(c), "cpu");
    cr_expect_null(clinit_ctx_queue(c));
    cr_expect_eq(clinit_ctx_warmup(c), CLINIT_ENODEVICE);
    cr_expect_str_eq(clinit_ctx_build_log(c), "");
    cr_expect_eq(clinit_ctx_cl_error(c), CL_SUCCESS);
    clinit_ctx_destroy(c);
}

Test(api, opencl_context)
{
    clinit_ctx *c = create("opencl");
    cl_command_queue q = clinit_ctx_queue(c);
    cl_device_id dev = NULL;
    char name[256] = "", want[300];
    cr_expect(clinit_ctx_is_opencl(c));
    cr_assert(q != NULL);
    cr_assert_eq(
        clGetCommandQueueInfo(q, CL_QUEUE_DEVICE, sizeof dev, &dev, NULL),
        CL_SUCCESS);
    clGetDeviceInfo(dev, CL_DEVICE_NAME, sizeof name - 1, name, NULL);
    /* "opencl:P.D <device name>" */
    cr_expect(strncmp(clinit_ctx_device_name(c), "opencl:", 7) == 0, "%s",
              clinit_ctx_device_name(c));
    snprintf(want, sizeof want, " %s", name);
    cr_expect(strstr(clinit_ctx_device_name(c), want) != NULL, "%s",
              clinit_ctx_device_name(c));
    cr_expect_eq(clinit_ctx_cl_error(c), CL_SUCCESS);
    clinit_ctx_destroy(c);
}

Test(api, default_context_picks_opencl)
{
    clinit_ctx *c = NULL;
    cr_assert_eq(unsetenv("CLINIT_DEVICE"), 0);
    cr_assert_eq(clinit_ctx_create(&c, NULL), CLINIT_OK);
    cr_expect(clinit_ctx_is_opencl(c), "NULL options: %s",
              clinit_ctx_device_name(c));
    clinit_ctx_destroy(c);
    c = create(NULL); /* options with device NULL */
    cr_expect(clinit_ctx_is_opencl(c));
    clinit_ctx_destroy(c);
}

Test(api, env_selects_device)
{
    clinit_ctx *c = NULL;
    cr_assert_eq(setenv("CLINIT_DEVICE", "cpu", 1), 0);
    cr_assert_eq(clinit_ctx_create(&c, NULL), CLINIT_OK);
    cr_expect(!clinit_ctx_is_opencl(c));
    cr_expect_str_eq(clinit_ctx_device_name(c), "cpu");
    clinit_ctx_destroy(c);
    c = create(NULL);
    cr_expect(!clinit_ctx_is_opencl(c));
    clinit_ctx_destroy(c);
    /* an explicit option beats the environment */
    c = create("opencl");
    cr_expect(clinit_ctx_is_opencl(c));
    clinit_ctx_destroy(c);

    cr_assert_eq(setenv("CLINIT_DEVICE", "opencl:0.0", 1), 0);
    c = create(NULL);
    cr_expect(clinit_ctx_is_opencl(c));
    cr_expect(strncmp(clinit_ctx_device_name(c), "opencl:0.0 ", 11) == 0, "%s",
              clinit_ctx_device_name(c));
    clinit_ctx_destroy(c);
    c = create("cpu");
    cr_expect(!clinit_ctx_is_opencl(c));
    clinit_ctx_destroy(c);
}

Test(api, destroy_null)
{
    clinit_ctx_destroy(NULL);
}

Test(api, warmup_and_build_log)
{
    clinit_ctx *c = create("opencl");
    const char *log;
    cr_expect_eq(clinit_ctx_warmup(c), CLINIT_OK, "%s",
                 clinit_ctx_build_log(c));
    log = clinit_ctx_build_log(c);
    cr_assert(log != NULL);
    cr_expect_lt(strlen(log), 1u << 20);
    /* a second warm-up reuses the cached program */
    cr_expect_eq(clinit_ctx_warmup(c), CLINIT_OK);
    cr_expect(clinit_ctx_build_log(c) != NULL);
    cr_expect_eq(clinit_ctx_cl_error(c), CL_SUCCESS);
    clinit_ctx_destroy(c);
}

/* ---- fills against the host path -------------------------------------------
 */

#define N 4099 /* not a multiple of the 64-element block */

static void host_ref(const clinit_tensor *t, const clinit_init *in, float *out)
{
    cr_assert_eq(clinit_fill_host(NULL, t, in, 0, N, out), CLINIT_OK);
}

static cl_uint refcount_queue(cl_command_queue q)
{
    cl_uint n = 0;
    cr_assert_eq(
        clGetCommandQueueInfo(q, CL_QUEUE_REFERENCE_COUNT, sizeof n, &n, NULL),
        CL_SUCCESS);
    return n;
}

static cl_uint refcount_context(cl_context cx)
{
    cl_uint n = 0;
    cr_assert_eq(
        clGetContextInfo(cx, CL_CONTEXT_REFERENCE_COUNT, sizeof n, &n, NULL),
        CL_SUCCESS);
    return n;
}

/* The first device of the first platform with one. */
static cl_device_id any_device(void)
{
    cl_platform_id ps[16];
    cl_uint np = 0;
    cr_assert_eq(clGetPlatformIDs(16, ps, &np), CL_SUCCESS);
    for (cl_uint p = 0; p < np && p < 16; p++) {
        cl_device_id d;
        cl_uint nd = 0;
        if (clGetDeviceIDs(ps[p], CL_DEVICE_TYPE_ALL, 1, &d, &nd) ==
                CL_SUCCESS &&
            nd > 0)
            return d;
    }
    cr_assert_fail("no OpenCL device");
    return NULL;
}

Test(api, borrowed_queue)
{
    cl_device_id dev = any_device();
    cl_int err;
    cl_context cx = clCreateContext(NULL, 1, &dev, NULL, NULL, &err);
    cl_command_queue q, got;
    cl_mem b;
    cl_uint q_refs, cx_refs;
    clinit_ctx *c = NULL;
    const int64_t shape[2] = {N, 1};
    clinit_tensor t = test_tensor(2, shape, 2024, 3);
    clinit_init in = test_init(CLINIT_KAIMING_NORMAL);
    static float host[N], dev_out[N];
    char name[256] = "";
    const unsigned char zero = 0;

    cr_assert(cx != NULL, "clCreateContext: %d", err);
    q = clCreateCommandQueue(cx, dev, 0, &err);
    cr_assert(q != NULL, "clCreateCommandQueue: %d", err);
    b = clCreateBuffer(cx, CL_MEM_READ_WRITE, sizeof dev_out, NULL, &err);
    cr_assert(b != NULL);
    /* pocl keeps the queue's last event, which holds a reference to the
     * queue: run one command first so the baseline includes it */
    cr_assert_eq(
        clEnqueueFillBuffer(q, b, &zero, 1, 0, sizeof dev_out, 0, NULL, NULL),
        CL_SUCCESS);
    cr_assert_eq(clFinish(q), CL_SUCCESS);
    q_refs = refcount_queue(q);
    cx_refs = refcount_context(cx);

    cr_assert_eq(clinit_ctx_create_from_queue(&c, q, NULL), CLINIT_OK);
    cr_expect(clinit_ctx_is_opencl(c));
    got = clinit_ctx_queue(c);
    cr_expect(got == q, "clinit_ctx_queue is not the borrowed queue");
    cr_expect_gt(refcount_queue(q), q_refs, "the queue was not retained");
    clGetDeviceInfo(dev, CL_DEVICE_NAME, sizeof name - 1, name, NULL);
    cr_expect(strncmp(clinit_ctx_device_name(c), "opencl", 6) == 0 &&
                  strstr(clinit_ctx_device_name(c), name) != NULL,
              "device name \"%s\"", clinit_ctx_device_name(c));

    host_ref(&t, &in, host);
    cr_assert_eq(clinit_enqueue_fill(c, &t, &in, 0, N, b, 0, 0, NULL, NULL),
                 CLINIT_OK, "%s", clinit_ctx_build_log(c));
    cr_assert_eq(clEnqueueReadBuffer(q, b, CL_TRUE, 0, sizeof dev_out, dev_out,
                                     0, NULL, NULL),
                 CL_SUCCESS);
    cr_expect_arr_eq(dev_out, host, sizeof host,
                     "borrowed-queue fill differs from the host fill");

    clinit_ctx_destroy(c);
    cr_expect_eq(refcount_queue(q), q_refs, "queue references leaked");
    cr_expect_eq(refcount_context(cx), cx_refs, "context references leaked");
    /* the caller's queue still works */
    cr_expect_eq(clFinish(q), CL_SUCCESS);
    cr_expect_eq(
        clEnqueueFillBuffer(q, b, &zero, 1, 0, sizeof dev_out, 0, NULL, NULL),
        CL_SUCCESS);
    cr_expect_eq(clEnqueueReadBuffer(q, b, CL_TRUE, 0, sizeof dev_out, dev_out,
                                     0, NULL, NULL),
                 CL_SUCCESS);
    cr_expect_eq(test_bits(dev_out[N - 1]), 0);
    clReleaseMemObject(b);
    clReleaseCommandQueue(q);
    clReleaseContext(cx);
}

Test(api, own_queue_fill_matches_host)
{
    clinit_ctx *c = create("opencl");
    const int64_t shape[3] = {N, 1, 1}, shape2[2] = {N, 1};
    static float host[N], dev_out[N];
    for (int m = 0; m <= CLINIT_HE_NORMAL; m++) {
        clinit_init in = test_init((clinit_method)m);
        cl_mem b = test_buffer(c, sizeof dev_out, 0xAB);
        /* sparse_ and eye_ are 2-D only */
        clinit_tensor t = m == CLINIT_SPARSE || m == CLINIT_EYE
                              ? test_tensor(2, shape2, 7, 8)
                              : test_tensor(3, shape, 7, 8);
        if (m == CLINIT_CONSTANT)
            in.val = -2.5;
        if (m == CLINIT_SPARSE)
            in.sparsity = 0.3;
        host_ref(&t, &in, host);
        cr_assert_eq(clinit_enqueue_fill(c, &t, &in, 0, N, b, 0, 0, NULL, NULL),
                     CLINIT_OK, "%s", clinit_method_name((clinit_method)m));
        test_read(c, b, 0, sizeof dev_out, dev_out);
        cr_expect_arr_eq(dev_out, host, sizeof host, "%s",
                         clinit_method_name((clinit_method)m));
        clReleaseMemObject(b);
    }
    clinit_ctx_destroy(c);
}

/* ---- events
 * ------------------------------------------------------------------- */

static cl_int event_status(cl_event e)
{
    cl_int s = 12345;
    cr_assert_eq(clGetEventInfo(e, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof s,
                                &s, NULL),
                 CL_SUCCESS);
    return s;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Fills wait for a user event; the out_event completes after it. */
static void check_waits_for_user_event(clinit_method method)
{
    clinit_ctx *c = create("opencl");
    cl_command_queue q = clinit_ctx_queue(c);
    cl_context cx;
    cl_command_queue q2;
    cl_event ue, ev = NULL;
    cl_command_queue q_of_ev = NULL;
    cl_int err;
    const int64_t shape[2] = {N, 1};
    clinit_tensor t = test_tensor(2, shape, 99, 1);
    clinit_init in = test_init(method);
    static float host[N], back[N];
    cl_device_id dev;
    cl_mem b = test_buffer(c, sizeof back, 0xAB);

    cr_assert_eq(
        clGetCommandQueueInfo(q, CL_QUEUE_CONTEXT, sizeof cx, &cx, NULL),
        CL_SUCCESS);
    cr_assert_eq(
        clGetCommandQueueInfo(q, CL_QUEUE_DEVICE, sizeof dev, &dev, NULL),
        CL_SUCCESS);
    /* a second queue reads the buffer while the first is blocked */
    q2 = clCreateCommandQueue(cx, dev, 0, &err);
    cr_assert(q2 != NULL);
    ue = clCreateUserEvent(cx, &err);
    cr_assert(ue != NULL, "clCreateUserEvent: %d", err);
    cr_assert_eq(clinit_ctx_warmup(c), CLINIT_OK);

    cr_assert_eq(clinit_enqueue_fill(c, &t, &in, 0, N, b, 0, 1, &ue, &ev),
                 CLINIT_OK);
    cr_assert(ev != NULL);
    cr_expect_eq(clGetEventInfo(ev, CL_EVENT_COMMAND_QUEUE, sizeof q_of_ev,
                                &q_of_ev, NULL),
                 CL_SUCCESS);
    cr_expect(q_of_ev == q, "out_event belongs to another queue");
    cr_assert_eq(clFlush(q), CL_SUCCESS);
    sleep_ms(100);
    cr_expect_neq(event_status(ev), CL_COMPLETE,
                  "the fill ran before its wait list completed");
    cr_assert_eq(clEnqueueReadBuffer(q2, b, CL_TRUE, 0, sizeof back, back, 0,
                                     NULL, NULL),
                 CL_SUCCESS);
    cr_expect_eq(test_bits(back[0]), 0xABABABABu, "buffer written early");
    cr_expect_eq(test_bits(back[N - 1]), 0xABABABABu, "buffer written early");

    cr_assert_eq(clSetUserEventStatus(ue, CL_COMPLETE), CL_SUCCESS);
    cr_assert_eq(clWaitForEvents(1, &ev), CL_SUCCESS);
    cr_expect_eq(event_status(ev), CL_COMPLETE);
    /* the event alone orders the result: read on the second queue */
    cr_assert_eq(clEnqueueReadBuffer(q2, b, CL_TRUE, 0, sizeof back, back, 0,
                                     NULL, NULL),
                 CL_SUCCESS);
    host_ref(&t, &in, host);
    cr_expect_arr_eq(back, host, sizeof host);

    clReleaseEvent(ev);
    clReleaseEvent(ue);
    clReleaseMemObject(b);
    clReleaseCommandQueue(q2);
    clinit_ctx_destroy(c);
}

Test(api, waits_for_user_event_uniform)
{
    check_waits_for_user_event(CLINIT_UNIFORM);
}

Test(api, waits_for_user_event_normal)
{
    check_waits_for_user_event(CLINIT_XAVIER_NORMAL);
}

Test(api, waits_for_user_event_constant)
{
    check_waits_for_user_event(CLINIT_ONES);
}

Test(api, empty_fill_event_waits_too)
{
    clinit_ctx *c = create("opencl");
    cl_context cx;
    cl_event ue, ev = NULL;
    cl_int err;
    const int64_t shape[1] = {64};
    clinit_tensor t = test_tensor(1, shape, 1, 1);
    clinit_init in = test_init(CLINIT_UNIFORM);
    cl_mem b = test_buffer(c, 256, 0);
    cr_assert_eq(clGetCommandQueueInfo(clinit_ctx_queue(c), CL_QUEUE_CONTEXT,
                                       sizeof cx, &cx, NULL),
                 CL_SUCCESS);
    ue = clCreateUserEvent(cx, &err);
    cr_assert(ue != NULL);
    cr_assert_eq(clinit_enqueue_fill(c, &t, &in, 5, 5, b, 0, 1, &ue, &ev),
                 CLINIT_OK);
    cr_assert(ev != NULL);
    clFlush(clinit_ctx_queue(c));
    sleep_ms(50);
    cr_expect_neq(event_status(ev), CL_COMPLETE);
    cr_assert_eq(clSetUserEventStatus(ue, CL_COMPLETE), CL_SUCCESS);
    cr_assert_eq(clWaitForEvents(1, &ev), CL_SUCCESS);
    cr_expect_eq(event_status(ev), CL_COMPLETE);
    clReleaseEvent(ev);
    clReleaseEvent(ue);
    clReleaseMemObject(b);
    clinit_ctx_destroy(c);
}

/* ---- whole-tensor fills: clinit_fill_host_all, clinit_enqueue_fill_all -- */

/* The whole tensor equals the explicit range [0, numel), on the host and
 * on the device (at a buffer offset, with the out event completing). */
Test(api, fill_all_is_the_whole_range)
{
    clinit_ctx *c = create("opencl");
    const int64_t shape[2] = {N, 3}, s4[4] = {4, 3, 5, 7};
    static float want[3 * N], got[3 * N + 8];
    static const clinit_method ms[] = {CLINIT_UNIFORM, CLINIT_KAIMING_NORMAL,
                                       CLINIT_TRUNC_NORMAL, CLINIT_DIRAC,
                                       CLINIT_ORTHOGONAL};
    for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++) {
        clinit_tensor t = ms[k] == CLINIT_DIRAC ? test_tensor(4, s4, 3, 4)
                                                : test_tensor(2, shape, 3, 4);
        clinit_init in = test_init(ms[k]);
        uint64_t numel;
        cl_event ev = NULL;
        cl_mem b = test_buffer(c, sizeof got, 0xAB);
        const char *mn = clinit_method_name(ms[k]);
        cr_assert_eq(clinit_numel(&t, &numel), CLINIT_OK);
        cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, numel, want), CLINIT_OK);
        memset(got, 0xAB, sizeof got);
        cr_assert_eq(clinit_fill_host_all(c, &t, &in, got), CLINIT_OK, "%s", mn);
        cr_expect(memcmp(got, want, numel * 4) == 0, "%s: host", mn);
        cr_expect_eq(test_bits(got[numel]), 0xABABABABu, "%s: wrote past", mn);
        cr_assert_eq(clinit_enqueue_fill_all(c, &t, &in, b, 3, 0, NULL, &ev),
                     CLINIT_OK, "%s", mn);
        cr_assert(ev != NULL);
        cr_assert_eq(clWaitForEvents(1, &ev), CL_SUCCESS);
        cr_expect_eq(event_status(ev), CL_COMPLETE);
        test_read(c, b, 0, sizeof got, got);
        cr_expect_eq(test_bits(got[2]), 0xABABABABu, "%s: wrote before", mn);
        cr_expect(memcmp(got + 3, want, numel * 4) == 0, "%s: device", mn);
        cr_expect_eq(test_bits(got[3 + numel]), 0xABABABABu, "%s: past", mn);
        clReleaseEvent(ev);
        clReleaseMemObject(b);
    }
    clinit_ctx_destroy(c);
}

/* Bad arguments: the fills' own statuses, nothing written, no event. */
Test(api, fill_all_errors_write_nothing)
{
    clinit_ctx *c = create("opencl"), *cpu = create("cpu");
    const int64_t shape[2] = {64, 5}, bad[2] = {64, 0};
    clinit_tensor t = test_tensor(2, shape, 1, 2), tb = test_tensor(2, bad, 1, 2);
    clinit_init in = test_init(CLINIT_NORMAL), wrong = in;
    static float host[400];
    cl_mem b = test_buffer(c, 320 * 4, 0xAB), small = test_buffer(c, 319 * 4, 0xAB);
    cl_event ev = NULL, none = NULL;
    wrong.std = -1.0;
    memset(host, 0xAB, sizeof host);
    cr_expect_eq(clinit_fill_host_all(c, NULL, &in, host), CLINIT_ENULL);
    cr_expect_eq(clinit_fill_host_all(c, &t, NULL, host), CLINIT_ENULL);
    cr_expect_eq(clinit_fill_host_all(c, &t, &in, NULL), CLINIT_ENULL);
    cr_expect_eq(clinit_fill_host_all(c, &tb, &in, host), CLINIT_ESHAPE);
    cr_expect_eq(clinit_fill_host_all(c, &t, &wrong, host), CLINIT_EPARAM);
    for (size_t k = 0; k < 400; k++)
        cr_assert_eq(test_bits(host[k]), 0xABABABABu, "host[%zu] written", k);
    cr_expect_eq(clinit_enqueue_fill_all(NULL, &t, &in, b, 0, 0, NULL, &ev),
                 CLINIT_ENULL);
    cr_expect_eq(clinit_enqueue_fill_all(c, &tb, &in, b, 0, 0, NULL, &ev),
                 CLINIT_ESHAPE);
    cr_expect_eq(clinit_enqueue_fill_all(c, &t, &wrong, b, 0, 0, NULL, &ev),
                 CLINIT_EPARAM);
    cr_expect_eq(clinit_enqueue_fill_all(c, &t, &in, b, 1, 0, NULL, &ev),
                 CLINIT_EBUFFER);
    cr_expect_eq(clinit_enqueue_fill_all(c, &t, &in, small, 0, 0, NULL, &ev),
                 CLINIT_EBUFFER);
    cr_expect_eq(clinit_enqueue_fill_all(c, &t, &in, b, 0, 1, NULL, &ev),
                 CLINIT_ENULL);
    cr_expect_eq(clinit_enqueue_fill_all(c, &t, &in, b, 0, 1, &none, &ev),
                 CLINIT_ENULL);
    cr_expect_eq(clinit_enqueue_fill_all(cpu, &t, &in, b, 0, 0, NULL, &ev),
                 CLINIT_ENODEVICE);
    cr_expect(ev == NULL, "an event from a failed call");
    cr_assert_eq(clFinish(clinit_ctx_queue(c)), CL_SUCCESS);
    {
        static float back[320];
        test_read(c, b, 0, sizeof back, back);
        for (size_t k = 0; k < 320; k++)
            cr_assert_eq(test_bits(back[k]), 0xABABABABu, "buf[%zu] written", k);
        test_read(c, small, 0, 319 * 4, back);
        for (size_t k = 0; k < 319; k++)
            cr_assert_eq(test_bits(back[k]), 0xABABABABu, "small[%zu]", k);
    }
    clReleaseMemObject(b);
    clReleaseMemObject(small);
    clinit_ctx_destroy(cpu);
    clinit_ctx_destroy(c);
}

/* ---- raw words without blocking: clinit_enqueue_philox_raw ------------- */

/* Waits for its wait list, writes exactly [offset, offset + nwords) with
 * clinit_philox_raw's words (the counter carrying across 2^64), and its
 * event completes after. */
Test(api, enqueue_philox_raw_waits_and_signals)
{
    enum { W = 64 * 41 + 7, OFF = 5, CAP = W + OFF + 9 };
    clinit_ctx *c = create("opencl");
    cl_command_queue q = clinit_ctx_queue(c), q2;
    cl_context cx = clinit_ctx_context(c);
    cl_device_id dev;
    const uint32_t key[2] = {0xDEADBEEFu, 0x01234567u};
    const uint32_t ctr[4] = {0xFFFFFF00u, 0xFFFFFFFFu, 7u, 0u};
    static uint32_t want[W], back[CAP];
    cl_event ue, ev = NULL;
    cl_int err;
    cl_mem b = test_buffer(c, sizeof back, 0xAB);
    cr_assert_eq(clGetCommandQueueInfo(q, CL_QUEUE_DEVICE, sizeof dev, &dev,
                                       NULL),
                 CL_SUCCESS);
    q2 = clCreateCommandQueue(cx, dev, 0, &err);
    ue = clCreateUserEvent(cx, &err);
    cr_assert(q2 && ue);
    cr_assert_eq(clinit_ctx_warmup(c), CLINIT_OK);
    cr_assert_eq(clinit_philox_raw(key, ctr, W, want), CLINIT_OK);

    cr_assert_eq(clinit_enqueue_philox_raw(c, key, ctr, W, b, OFF, 1, &ue, &ev),
                 CLINIT_OK);
    cr_assert(ev != NULL);
    cr_assert_eq(clFlush(q), CL_SUCCESS);
    sleep_ms(100);
    cr_expect_neq(event_status(ev), CL_COMPLETE, "ran before its wait list");
    cr_assert_eq(clEnqueueReadBuffer(q2, b, CL_TRUE, 0, sizeof back, back, 0,
                                     NULL, NULL),
                 CL_SUCCESS);
    cr_expect_eq(back[OFF], 0xABABABABu, "written early");
    cr_expect_eq(back[OFF + W - 1], 0xABABABABu, "written early");
    cr_assert_eq(clSetUserEventStatus(ue, CL_COMPLETE), CL_SUCCESS);
    cr_assert_eq(clWaitForEvents(1, &ev), CL_SUCCESS);
    cr_expect_eq(event_status(ev), CL_COMPLETE);
    cr_assert_eq(clEnqueueReadBuffer(q2, b, CL_TRUE, 0, sizeof back, back, 0,
                                     NULL, NULL),
                 CL_SUCCESS);
    cr_expect(memcmp(back + OFF, want, sizeof want) == 0, "words differ");
    for (size_t k = 0; k < CAP; k++)
        if (k < OFF || k >= OFF + W)
            cr_expect_eq(back[k], 0xABABABABu, "word %zu outside", k);
    clReleaseEvent(ev);
    /* no words: only the event, still after the wait list */
    ev = NULL;
    clReleaseEvent(ue);
    ue = clCreateUserEvent(cx, &err);
    cr_assert_eq(clinit_enqueue_philox_raw(c, key, ctr, 0, b, 0, 1, &ue, &ev),
                 CLINIT_OK);
    cr_assert(ev != NULL);
    clFlush(q);
    sleep_ms(50);
    cr_expect_neq(event_status(ev), CL_COMPLETE);
    cr_assert_eq(clSetUserEventStatus(ue, CL_COMPLETE), CL_SUCCESS);
    cr_assert_eq(clWaitForEvents(1, &ev), CL_SUCCESS);
    /* without an out event it is still ordered on the queue */
    cr_assert_eq(clinit_enqueue_philox_raw(c, key, ctr, 3, b, 0, 0, NULL, NULL),
                 CLINIT_OK);
    test_read(c, b, 0, 16, back);
    cr_expect(memcmp(back, want, 12) == 0);
    cr_expect_eq(back[3], 0xABABABABu);
    clReleaseEvent(ev);
    clReleaseEvent(ue);
    clReleaseMemObject(b);
    clReleaseCommandQueue(q2);
    clinit_ctx_destroy(c);
}

Test(api, enqueue_philox_raw_errors_enqueue_nothing)
{
    clinit_ctx *c = create("opencl"), *cpu = create("cpu"), *other = create("opencl");
    const uint32_t key[2] = {1, 2}, ctr[4] = {3, 4, 5, 6};
    cl_mem b = test_buffer(c, 256, 0xAB), ob = test_buffer(other, 256, 0xAB);
    cl_event ev = NULL, nul = NULL, oev;
    cl_int err;
    uint32_t back[64];
    oev = clCreateUserEvent(clinit_ctx_context(other), &err);
    cr_assert(oev != NULL);
    cr_expect_eq(clinit_enqueue_philox_raw(NULL, key, ctr, 4, b, 0, 0, NULL, &ev),
                 CLINIT_ENULL);
    cr_expect_eq(clinit_enqueue_philox_raw(c, NULL, ctr, 4, b, 0, 0, NULL, &ev),
                 CLINIT_ENULL);
    cr_expect_eq(clinit_enqueue_philox_raw(c, key, NULL, 4, b, 0, 0, NULL, &ev),
                 CLINIT_ENULL);
    cr_expect_eq(clinit_enqueue_philox_raw(c, key, ctr, 4, NULL, 0, 0, NULL, &ev),
                 CLINIT_ENULL);
    cr_expect_eq(clinit_enqueue_philox_raw(c, key, ctr, 4, b, 0, 1, NULL, &ev),
                 CLINIT_ENULL);
    cr_expect_eq(clinit_enqueue_philox_raw(c, key, ctr, 4, b, 0, 1, &nul, &ev),
                 CLINIT_ENULL);
    cr_expect_eq(clinit_enqueue_philox_raw(cpu, key, ctr, 4, b, 0, 0, NULL, &ev),
                 CLINIT_ENODEVICE);
    /* 64 words fit; one more, or one word further, does not */
    cr_expect_eq(clinit_enqueue_philox_raw(c, key, ctr, 65, b, 0, 0, NULL, &ev),
                 CLINIT_EBUFFER);
    cr_expect_eq(clinit_enqueue_philox_raw(c, key, ctr, 64, b, 1, 0, NULL, &ev),
                 CLINIT_EBUFFER);
    cr_expect_eq(clinit_enqueue_philox_raw(c, key, ctr, 0, b, 65, 0, NULL, &ev),
                 CLINIT_EBUFFER);
    cr_expect_eq(clinit_enqueue_philox_raw(c, key, ctr, UINT64_MAX / 2, b, 0, 0,
                                           NULL, &ev),
                 CLINIT_EBUFFER);
    cr_expect_eq(clinit_enqueue_philox_raw(c, key, ctr, 4, b, SIZE_MAX / 2, 0,
                                           NULL, &ev),
                 CLINIT_EBUFFER);
    /* another context's buffer or event */
    cr_expect_eq(clinit_enqueue_philox_raw(c, key, ctr, 4, ob, 0, 0, NULL, &ev),
                 CLINIT_EQUEUE);
    cr_expect_eq(clinit_enqueue_philox_raw(c, key, ctr, 4, b, 0, 1, &oev, &ev),
                 CLINIT_EQUEUE);
    cr_expect(ev == NULL, "an event from a failed call");
    cr_assert_eq(clFinish(clinit_ctx_queue(c)), CL_SUCCESS);
    test_read(c, b, 0, sizeof back, back);
    for (size_t k = 0; k < 64; k++)
        cr_assert_eq(back[k], 0xABABABABu, "word %zu written", k);
    clSetUserEventStatus(oev, CL_COMPLETE);
    clReleaseEvent(oev);
    clReleaseMemObject(b);
    clReleaseMemObject(ob);
    clinit_ctx_destroy(other);
    clinit_ctx_destroy(cpu);
    clinit_ctx_destroy(c);
}

/* ---- no OpenCL platform at all ----------------------------------------------
 */

Test(api, no_icd_falls_back_to_cpu)
{
    static int marker;
    char dir[] = "/tmp/clinit-noicd-XXXXXX";
    clinit_ctx *c = NULL, *c2 = (clinit_ctx *)(void *)&marker;
    clinit_ctx_options opt = {"opencl", 0};
    size_t count = 99;
    enum { M = 3000 };
    static float u[M], u2[M], z[M], z2[M];
    static uint32_t w[M];
    const int64_t shape[1] = {M};
    clinit_tensor t = test_tensor(1, shape, 0x0123456789abcdefu, 5);
    clinit_init in = test_init(CLINIT_UNIFORM);
    clinit_status st;

    /* before any OpenCL call in this process (each test is a process):
     * ocl-icd then finds no vendor at all */
    cr_assert(mkdtemp(dir) != NULL);
    cr_assert_eq(setenv("OCL_ICD_VENDORS", dir, 1), 0);
    cr_assert_eq(unsetenv("OCL_ICD_FILENAMES"), 0);
    cr_assert_eq(unsetenv("CLINIT_DEVICE"), 0);

    cr_assert_eq(clinit_list_devices(NULL, 0, &count), CLINIT_OK);
    cr_expect_eq(count, 0, "OCL_ICD_VENDORS=%s still lists devices", dir);
    cr_assert_eq(clinit_ctx_create(&c, NULL), CLINIT_OK);
    cr_expect(!clinit_ctx_is_opencl(c), "%s", clinit_ctx_device_name(c));
    cr_expect_str_eq(clinit_ctx_device_name(c), "cpu");
    st = clinit_ctx_create(&c2, &opt);
    cr_expect_eq(st, CLINIT_ENODEVICE, "\"opencl\" without ICD: %s", sn(st));
    cr_expect(c2 == (clinit_ctx *)(void *)&marker, "*out was written");
    opt.device = "opencl:0.0";
    cr_expect_eq(clinit_ctx_create(&c2, &opt), CLINIT_ENODEVICE);

    /* uniform(0, 1) is exactly the stream's words: (w >> 8) * 2^-24 */
    cr_assert_eq(clinit_fill_host(c, &t, &in, 0, M, u), CLINIT_OK);
    cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, M, u2), CLINIT_OK);
    cr_expect_arr_eq(u, u2, sizeof u);
    cr_assert_eq(clinit_stream_words(t.seed, t.stream, 0, M, w), CLINIT_OK);
    for (int i = 0; i < M; i++) {
        float want = (float)(w[i] >> 8) * 0x1p-24f;
        cr_expect(u[i] >= 0.0f && u[i] < 1.0f, "u[%d] = %a", i, u[i]);
        cr_expect_eq(test_bits(u[i]), test_bits(want), "u[%d] = %a, want %a", i,
                     u[i], want);
    }
    in = test_init(CLINIT_NORMAL);
    cr_assert_eq(clinit_fill_host(c, &t, &in, 0, M, z), CLINIT_OK);
    cr_assert_eq(clinit_fill_host(c, &t, &in, 0, M, z2), CLINIT_OK);
    cr_expect_arr_eq(z, z2, sizeof z, "normal fill is not deterministic");
    for (int i = 0; i < M; i++)
        cr_expect(isfinite(z[i]) && fabsf(z[i]) < 6.7f, "z[%d] = %g", i, z[i]);
    clinit_ctx_destroy(c);
    rmdir(dir);
}

Test(api, ctx_accessors)
{
    clinit_ctx_options cpu = {"cpu", 3};
    clinit_ctx *c = NULL, *o = test_opencl_ctx();
    cl_context cx = NULL;
    cr_assert_eq(clinit_ctx_create(&c, &cpu), CLINIT_OK);
    cr_expect_str_eq(clinit_ctx_device_id(c), "cpu");
    cr_expect(clinit_ctx_context(c) == NULL);
    cr_expect(clinit_ctx_queue(c) == NULL);
    cr_expect_eq(clinit_ctx_cpu_threads(c), 3);
    cr_expect_geq(clinit_ctx_cpu_threads(NULL), 1);
    cr_expect_eq(strncmp(clinit_ctx_device_id(o), "opencl:", 7), 0, "%s",
                 clinit_ctx_device_id(o));
    cr_expect_eq(strncmp(clinit_ctx_device_name(o), clinit_ctx_device_id(o),
                         strlen(clinit_ctx_device_id(o))),
                 0);
    cr_assert_eq(clGetCommandQueueInfo(clinit_ctx_queue(o), CL_QUEUE_CONTEXT,
                                       sizeof cx, &cx, NULL),
                 CL_SUCCESS);
    cr_expect(clinit_ctx_context(o) == cx);
    clinit_ctx_destroy(c);
    clinit_ctx_destroy(o);
}

Test(api, method_params_follow_torch_signatures)
{
    cr_expect_eq(clinit_method_params(CLINIT_UNIFORM), CLINIT_P_A | CLINIT_P_B);
    cr_expect_eq(clinit_method_params(CLINIT_TRUNC_NORMAL),
                 CLINIT_P_MEAN | CLINIT_P_STD | CLINIT_P_A | CLINIT_P_B);
    cr_expect_eq(clinit_method_params(CLINIT_KAIMING_NORMAL),
                 CLINIT_P_A | CLINIT_P_MODE | CLINIT_P_NONLINEARITY);
    cr_expect_eq(clinit_method_params(CLINIT_SPARSE),
                 CLINIT_P_SPARSITY | CLINIT_P_STD);
    cr_expect_eq(clinit_method_params(CLINIT_VARIANCE_SCALING),
                 CLINIT_P_SCALE | CLINIT_P_MODE | CLINIT_P_DISTRIBUTION);
    cr_expect_eq(clinit_method_params(CLINIT_HE_NORMAL), 0u);
    cr_expect_eq(clinit_method_params(CLINIT_EYE), 0u);
    cr_expect_eq(clinit_method_params((clinit_method)999), 0u);
}

/* ---- parameters from text --------------------------------------------- */

Test(api, init_set_parses_every_parameter)
{
    clinit_init in;
    cr_assert_eq(clinit_init_default(&in, CLINIT_TRUNC_NORMAL), CLINIT_OK);
    cr_expect_eq(clinit_init_set(&in, "std", "0.02"), CLINIT_OK);
    cr_expect_eq(in.std, 0.02);
    cr_expect_eq(clinit_init_set(&in, "a", "-0x1p-3"), CLINIT_OK);
    cr_expect_eq(in.a, -0.125);
    /* a parameter the method does not take, an unknown one, bad text:
     * the init stays as it was */
    {
        clinit_init before = in;
        cr_expect_eq(clinit_init_set(&in, "gain", "2"), CLINIT_EPARAMNAME);
        cr_expect_eq(clinit_init_set(&in, "sdt", "2"), CLINIT_EPARAMNAME);
        cr_expect_eq(clinit_init_set(&in, "std", "0.02x"), CLINIT_EPARAM);
        cr_expect_eq(clinit_init_set(&in, "std", ""), CLINIT_EPARAM);
        cr_expect_eq(clinit_init_set(&in, "std", " 1"), CLINIT_EPARAM);
        cr_expect_eq(memcmp(&before, &in, sizeof in), 0);
    }
    cr_assert_eq(clinit_init_default(&in, CLINIT_KAIMING_NORMAL), CLINIT_OK);
    cr_expect_eq(clinit_init_set(&in, "mode", "fan_out"), CLINIT_OK);
    cr_expect_eq(in.mode, CLINIT_FAN_OUT);
    cr_expect_eq(clinit_init_set(&in, "nonlinearity", "relu"), CLINIT_OK);
    cr_expect_eq(in.nonlinearity, CLINIT_NL_RELU);
    cr_expect_eq(clinit_init_set(&in, "mode", "fan_sideways"), CLINIT_EMODE);
    cr_expect_eq(clinit_init_set(&in, "nonlinearity", "gelu"),
                 CLINIT_ENONLINEARITY);
    cr_assert_eq(clinit_init_default(&in, CLINIT_VARIANCE_SCALING), CLINIT_OK);
    cr_expect_eq(clinit_init_set(&in, "distribution", "uniform"), CLINIT_OK);
    cr_expect_eq(in.distribution, CLINIT_VS_UNIFORM);
    cr_expect_eq(clinit_init_set(&in, "distribution", "cauchy"),
                 CLINIT_EDISTRIBUTION);
    cr_assert_eq(clinit_init_default(&in, CLINIT_DIRAC), CLINIT_OK);
    cr_expect_eq(clinit_init_set(&in, "groups", "3"), CLINIT_OK);
    cr_expect_eq(in.groups, 3);
    cr_expect_eq(clinit_init_set(&in, "groups", "2.5"), CLINIT_EPARAM);
    cr_expect_eq(clinit_init_set(&in, "groups", "0"), CLINIT_EPARAM);
    cr_expect_eq(clinit_init_set(NULL, "groups", "1"), CLINIT_ENULL);
    /* the text back: numbers exact, names, a field holding no name */
    {
        char buf[40];
        cr_assert_eq(clinit_init_default(&in, CLINIT_KAIMING_NORMAL),
                     CLINIT_OK);
        cr_expect_eq(clinit_init_set(&in, "a", "0.1"), CLINIT_OK);
        cr_expect_eq(clinit_init_get(&in, "a", buf, sizeof buf), CLINIT_OK);
        cr_expect_str_eq(buf, "0.10000000000000001");
        cr_expect_eq(clinit_init_get(&in, "mode", buf, sizeof buf), CLINIT_OK);
        cr_expect_str_eq(buf, "fan_in");
        cr_expect_eq(clinit_init_get(&in, "mode", buf, 3), CLINIT_EOVERFLOW);
        cr_expect_eq(clinit_init_get(&in, "gain", buf, sizeof buf),
                     CLINIT_EPARAMNAME);
        in.mode = (clinit_mode)7;
        cr_expect_eq(clinit_init_get(&in, "mode", buf, sizeof buf),
                     CLINIT_EMODE);
    }
    /* names in mask order */
    cr_expect_str_eq(clinit_param_name(3), "std");
    cr_expect_eq(1u << 3, CLINIT_P_STD);
    cr_expect_str_eq(clinit_param_name(CLINIT_PARAM_COUNT - 1), "groups");
    cr_expect_null(clinit_param_name(CLINIT_PARAM_COUNT));
}
