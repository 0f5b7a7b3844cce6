/* test_errors.c - every bad input gets its documented status and leaves
 * the destination untouched: host memory keeps a sentinel byte pattern, a
 * device buffer keeps the pattern test_buffer() wrote, and no event is
 * produced. Each case runs on the host path (NULL ctx and an OpenCL ctx)
 * and on the device path. */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define NBUF 256          /* elements of every destination */
#define HOST_PATTERN 0x5A /* sentinel byte of host destinations */
#define DEV_PATTERN 0xAB  /* sentinel byte of device buffers */

/* An out_event that no OpenCL call can produce. */
static int no_event_marker;
#define NO_EVENT ((cl_event)(void *)&no_event_marker)

static clinit_ctx *g_ocl;

/* The OpenCL context of the test, created on first use. */
static clinit_ctx *ocl(void)
{
    if (!g_ocl)
        g_ocl = test_opencl_ctx();
    return g_ocl;
}

static void fini(void)
{
    clinit_ctx_destroy(g_ocl);
    g_ocl = NULL;
}

TestSuite(errors, .fini = fini);

static const char *sn(int st) { return clinit_status_name(st); }

/* 1 if all `n` bytes of p equal `b`. */
static int all_bytes(const void *p, size_t n, unsigned char b)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        if (c[i] != b)
            return 0;
    return 1;
}

/* A 16 x 16 f32 tensor (NBUF elements). */
static clinit_tensor tensor2(void)
{
    const int64_t s[2] = {16, 16};
    return test_tensor(2, s, 42, 7);
}

/* Host fill into a sentinel-filled buffer large enough for NBUF elements
 * of any dtype, so a wrong success is caught rather than a crash. */
static void expect_host(const char *what, clinit_status want,
                        clinit_ctx *ctx, const clinit_tensor *t,
                        const clinit_init *in, uint64_t lo, uint64_t hi)
{
    static unsigned char dst[NBUF * 8];
    clinit_status st;
    memset(dst, HOST_PATTERN, sizeof dst);
    st = clinit_fill_host(ctx, t, in, lo, hi, dst);
    cr_expect_eq(st, want, "%s (host, %s ctx): got %s, want %s", what,
                 ctx ? "OpenCL" : "NULL", sn(st), sn(want));
    cr_expect(all_bytes(dst, sizeof dst, HOST_PATTERN),
              "%s (host, %s ctx): destination was written", what,
              ctx ? "OpenCL" : "NULL");
}

/* Enqueue on `ctx` into a fresh buffer of `bytes` of the test's OpenCL
 * context; checks the status, that out_event is untouched on error, and
 * that the buffer still holds DEV_PATTERN. */
static void expect_device_ex(const char *what, clinit_status want,
                             clinit_ctx *ctx, const clinit_tensor *t,
                             const clinit_init *in, uint64_t lo, uint64_t hi,
                             size_t bytes, size_t offset, cl_uint num_wait,
                             const cl_event *wait)
{
    cl_mem b = test_buffer(ocl(), bytes, DEV_PATTERN);
    unsigned char *back = malloc(bytes);
    cl_event ev = NO_EVENT;
    clinit_status st;
    cr_assert(back);
    st = clinit_enqueue_fill(ctx, t, in, lo, hi, b, offset, num_wait, wait,
                             &ev);
    cr_expect_eq(st, want, "%s (device): got %s, want %s", what, sn(st),
                 sn(want));
    if (want != CLINIT_OK)
        cr_expect(ev == NO_EVENT, "%s (device): an event was produced", what);
    if (ev != NO_EVENT && ev)
        clReleaseEvent(ev);
    cr_assert_eq(clFinish(clinit_ctx_queue(ocl())), CL_SUCCESS);
    test_read(ocl(), b, 0, bytes, back);
    if (want != CLINIT_OK)
        cr_expect(all_bytes(back, bytes, DEV_PATTERN),
                  "%s (device): buffer was written", what);
    free(back);
    clReleaseMemObject(b);
}

static void expect_device(const char *what, clinit_status want,
                          const clinit_tensor *t, const clinit_init *in,
                          uint64_t lo, uint64_t hi)
{
    expect_device_ex(what, want, ocl(), t, in, lo, hi, NBUF * 8, 0, 0, NULL);
}

/* The same failing call on every path. */
static void expect_all(const char *what, clinit_status want,
                       const clinit_tensor *t, const clinit_init *in,
                       uint64_t lo, uint64_t hi)
{
    expect_host(what, want, NULL, t, in, lo, hi);
    expect_host(what, want, ocl(), t, in, lo, hi);
    expect_device(what, want, t, in, lo, hi);
}

/* ---- NULL pointers ------------------------------------------------------ */

Test(errors, null_fill_arguments)
{
    clinit_tensor t = tensor2();
    clinit_init in = test_init(CLINIT_UNIFORM);
    cl_event ev = NO_EVENT;
    clinit_status st;

    expect_all("NULL tensor", CLINIT_ENULL, NULL, &in, 0, NBUF);
    expect_all("NULL init", CLINIT_ENULL, &t, NULL, 0, NBUF);
    cr_expect_eq(clinit_fill_host(NULL, &t, &in, 0, NBUF, NULL), CLINIT_ENULL);
    cr_expect_eq(clinit_fill_host(ocl(), &t, &in, 0, NBUF, NULL),
                 CLINIT_ENULL);
    /* the fill_host ctx may be NULL: the positive control */
    expect_host("NULL ctx (valid)", CLINIT_OK, NULL, &t, &in, 0, 0);

    expect_device_ex("NULL ctx", CLINIT_ENULL, NULL, &t, &in, 0, NBUF,
                     NBUF * 4, 0, 0, NULL);
    st = clinit_enqueue_fill(ocl(), &t, &in, 0, NBUF, NULL, 0, 0, NULL, &ev);
    cr_expect_eq(st, CLINIT_ENULL, "NULL buf: %s", sn(st));
    cr_expect(ev == NO_EVENT, "NULL buf: an event was produced");
    expect_device_ex("NULL wait, num_wait 1", CLINIT_ENULL, ocl(), &t, &in, 0,
                     NBUF, NBUF * 4, 0, 1, NULL);
    expect_device_ex("NULL wait, num_wait 3", CLINIT_ENULL, ocl(), &t, &in, 0,
                     NBUF, NBUF * 4, 0, 3, NULL);
    /* NULL wait with num_wait 0 and NULL out_event are fine */
    expect_device_ex("NULL wait, num_wait 0", CLINIT_OK, ocl(), &t, &in, 0,
                     NBUF, NBUF * 4, 0, 0, NULL);
    {
        cl_mem b = test_buffer(ocl(), NBUF * 4, DEV_PATTERN);
        cr_expect_eq(clinit_enqueue_fill(ocl(), &t, &in, 0, NBUF, b, 0, 0,
                                         NULL, NULL),
                     CLINIT_OK);
        clFinish(clinit_ctx_queue(ocl()));
        clReleaseMemObject(b);
    }
}

Test(errors, null_other_arguments)
{
    clinit_tensor t = tensor2();
    clinit_init in = test_init(CLINIT_XAVIER_UNIFORM);
    clinit_resolved r;
    uint64_t n = 99, fi = 98, fo = 97;
    double g = 12.5;
    size_t count = 77;
    clinit_device_info info;
    uint32_t key[2] = {1, 2}, ctr[4] = {3, 4, 5, 6}, words[4] = {9, 9, 9, 9};
    clinit_ctx *c = (clinit_ctx *)&no_event_marker;

    cr_expect_eq(clinit_numel(NULL, &n), CLINIT_ENULL);
    cr_expect_eq(clinit_numel(&t, NULL), CLINIT_ENULL);
    cr_expect_eq(n, 99);
    cr_expect_eq(clinit_fans(2, NULL, &fi, &fo), CLINIT_ENULL);
    cr_expect_eq(clinit_fans(2, t.shape, NULL, &fo), CLINIT_ENULL);
    cr_expect_eq(clinit_fans(2, t.shape, &fi, NULL), CLINIT_ENULL);
    cr_expect(fi == 98 && fo == 97);
    cr_expect_eq(clinit_calculate_gain(CLINIT_NL_RELU, NAN, NULL),
                 CLINIT_ENULL);
    cr_expect_eq(clinit_resolve(NULL, &in, &r), CLINIT_ENULL);
    cr_expect_eq(clinit_resolve(&t, NULL, &r), CLINIT_ENULL);
    cr_expect_eq(clinit_resolve(&t, &in, NULL), CLINIT_ENULL);
    cr_expect_eq(clinit_init_default(NULL, CLINIT_UNIFORM), CLINIT_ENULL);
    cr_expect_eq(g, 12.5);

    cr_expect_eq(clinit_ctx_create(NULL, NULL), CLINIT_ENULL);
    cr_expect_eq(clinit_ctx_create_from_queue(NULL, clinit_ctx_queue(ocl()),
                                              NULL),
                 CLINIT_ENULL);
    cr_expect_eq(clinit_ctx_create_from_queue(&c, NULL, NULL), CLINIT_ENULL);
    cr_expect(c == (clinit_ctx *)&no_event_marker, "*out was written");
    cr_expect_eq(clinit_ctx_warmup(NULL), CLINIT_ENULL);

    cr_expect_eq(clinit_list_devices(NULL, 1, &count), CLINIT_ENULL);
    cr_expect_eq(clinit_list_devices(&info, 1, NULL), CLINIT_ENULL);
    cr_expect_eq(count, 77);

    cr_expect_eq(clinit_philox_raw(NULL, ctr, 4, words), CLINIT_ENULL);
    cr_expect_eq(clinit_philox_raw(key, NULL, 4, words), CLINIT_ENULL);
    cr_expect_eq(clinit_philox_raw(key, ctr, 4, NULL), CLINIT_ENULL);
    cr_expect_eq(clinit_stream_words(1, 2, 0, 4, NULL), CLINIT_ENULL);
    cr_expect(words[0] == 9 && words[3] == 9);
    {
        cl_mem b = test_buffer(ocl(), 64, DEV_PATTERN);
        unsigned char back[64];
        cr_expect_eq(clinit_philox_raw_device(NULL, key, ctr, 4, b),
                     CLINIT_ENULL);
        cr_expect_eq(clinit_philox_raw_device(ocl(), NULL, ctr, 4, b),
                     CLINIT_ENULL);
        cr_expect_eq(clinit_philox_raw_device(ocl(), key, NULL, 4, b),
                     CLINIT_ENULL);
        cr_expect_eq(clinit_philox_raw_device(ocl(), key, ctr, 4, NULL),
                     CLINIT_ENULL);
        test_read(ocl(), b, 0, sizeof back, back);
        cr_expect(all_bytes(back, sizeof back, DEV_PATTERN));
        clReleaseMemObject(b);
    }
}

/* ---- shapes -------------------------------------------------------------- */

Test(errors, bad_shapes)
{
    static const clinit_method methods[] = {CLINIT_UNIFORM,
                                            CLINIT_KAIMING_NORMAL};
    for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
        clinit_init in = test_init(methods[m]);
        clinit_tensor t = tensor2();
        clinit_resolved r;
        uint64_t n, fi, fo;

        t.ndim = 0;
        expect_all("ndim 0", CLINIT_ESHAPE, &t, &in, 0, 1);
        cr_expect_eq(clinit_numel(&t, &n), CLINIT_ESHAPE);
        cr_expect_eq(clinit_resolve(&t, &in, &r), CLINIT_ESHAPE);
        t.ndim = -1;
        expect_all("ndim -1", CLINIT_ESHAPE, &t, &in, 0, 1);
        t = tensor2();
        t.ndim = CLINIT_MAX_DIMS + 1;
        expect_all("ndim MAX_DIMS + 1", CLINIT_ESHAPE, &t, &in, 0, 1);
        cr_expect_eq(clinit_numel(&t, &n), CLINIT_ESHAPE);
        cr_expect_eq(clinit_fans(t.ndim, t.shape, &fi, &fo), CLINIT_ESHAPE);
        t.ndim = INT_MAX;
        expect_all("ndim INT_MAX", CLINIT_ESHAPE, &t, &in, 0, 1);

        for (int d = 0; d < 2; d++) {
            static const int64_t bad[] = {0, -1, -16, INT64_MIN};
            for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
                char what[64];
                t = tensor2();
                t.shape[d] = bad[k];
                snprintf(what, sizeof what, "dim %d = %lld", d,
                         (long long)bad[k]);
                expect_all(what, CLINIT_ESHAPE, &t, &in, 0, 1);
                cr_expect_eq(clinit_numel(&t, &n), CLINIT_ESHAPE, "%s", what);
                cr_expect_eq(clinit_fans(2, t.shape, &fi, &fo), CLINIT_ESHAPE,
                             "%s", what);
            }
        }
        /* the last of CLINIT_MAX_DIMS dimensions is checked too */
        t = tensor2();
        t.ndim = CLINIT_MAX_DIMS;
        for (int d = 2; d < CLINIT_MAX_DIMS; d++)
            t.shape[d] = 1;
        t.shape[CLINIT_MAX_DIMS - 1] = 0;
        expect_all("zero last dim of 8", CLINIT_ESHAPE, &t, &in, 0, 1);
        t.shape[CLINIT_MAX_DIMS - 1] = 1;
        expect_host("8 dims (valid)", CLINIT_OK, NULL, &t, &in, 0, 0);

        /* entries past ndim are not part of the shape */
        t = tensor2();
        t.shape[2] = -5;
        t.shape[CLINIT_MAX_DIMS - 1] = 0;
        expect_host("garbage past ndim (valid)", CLINIT_OK, NULL, &t, &in, 0,
                    0);
        cr_expect_eq(clinit_numel(&t, &n), CLINIT_OK);
        cr_expect_eq(n, NBUF);
    }
}

Test(errors, fan_methods_need_two_dims)
{
    static const clinit_method fan_methods[] = {
        CLINIT_XAVIER_UNIFORM, CLINIT_XAVIER_NORMAL, CLINIT_KAIMING_UNIFORM,
        CLINIT_KAIMING_NORMAL};
    static const clinit_method plain[] = {CLINIT_UNIFORM, CLINIT_NORMAL,
                                          CLINIT_CONSTANT, CLINIT_ZEROS,
                                          CLINIT_ONES};
    const int64_t s[1] = {NBUF};
    clinit_tensor t = test_tensor(1, s, 1, 2);
    uint64_t fi = 5, fo = 6;
    for (size_t m = 0; m < 4; m++) {
        clinit_init in = test_init(fan_methods[m]);
        clinit_resolved r;
        expect_all(clinit_method_name(fan_methods[m]), CLINIT_EFANS, &t, &in,
                   0, NBUF);
        cr_expect_eq(clinit_resolve(&t, &in, &r), CLINIT_EFANS);
    }
    cr_expect_eq(clinit_fans(1, s, &fi, &fo), CLINIT_EFANS);
    cr_expect(fi == 5 && fo == 6, "fans written on error");
    /* the other methods take 1-D tensors */
    for (size_t m = 0; m < 5; m++) {
        clinit_init in = test_init(plain[m]);
        expect_host(clinit_method_name(plain[m]), CLINIT_OK, NULL, &t, &in, 0,
                    0);
    }
}

/* ---- method parameters --------------------------------------------------- */

Test(errors, normal_params)
{
    clinit_tensor t = tensor2();
    static const struct {
        const char *what;
        double mean, std;
    } bad[] = {
        {"std -1", 0, -1},           {"std -1e-30", 0, -1e-30},
        {"std -inf", 0, -INFINITY},  {"std NaN", 0, NAN},
        {"std +inf", 0, INFINITY},   {"std 1e39 (> FLT_MAX)", 0, 1e39},
        {"mean NaN", NAN, 1},        {"mean +inf", INFINITY, 1},
        {"mean -inf", -INFINITY, 1}, {"mean -1e39 (> FLT_MAX)", -1e39, 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        clinit_init in = test_init(CLINIT_NORMAL);
        in.mean = bad[i].mean;
        in.std = bad[i].std;
        expect_all(bad[i].what, CLINIT_EPARAM, &t, &in, 0, NBUF);
    }
    {
        /* std 0 is allowed (all values = mean) */
        clinit_init in = test_init(CLINIT_NORMAL);
        in.std = 0;
        expect_host("std 0 (valid)", CLINIT_OK, NULL, &t, &in, 0, 0);
    }
}

Test(errors, constant_params)
{
    clinit_tensor t = tensor2();
    static const double bad[] = {NAN, INFINITY, -INFINITY, 1e39, -3.5e38};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        clinit_init in = test_init(CLINIT_CONSTANT);
        char what[64];
        in.val = bad[i];
        snprintf(what, sizeof what, "constant val %g", bad[i]);
        expect_all(what, CLINIT_EPARAM, &t, &in, 0, NBUF);
    }
}

Test(errors, uniform_denormal_scale_is_flushed)
{
    /* b - a below FLT_MIN: flushed like every parameter, so every device
     * returns a (devices that flush denormals would otherwise differ) */
    clinit_tensor t = tensor2();
    clinit_init in = test_init(CLINIT_UNIFORM);
    float v[NBUF];
    in.a = 1.5 * 0x1p-126;
    in.b = 2.0 * 0x1p-126;
    cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, NBUF, v), CLINIT_OK);
    for (int i = 0; i < NBUF; i++)
        cr_assert_eq(v[i], (float)in.a, "v[%d] = %a", i, v[i]);
}

Test(errors, uniform_params)
{
    clinit_tensor t = tensor2();
    static const struct {
        const char *what;
        double a, b;
    } bad[] = {
        {"a > b", 1, 0},
        {"a == b", 0.5, 0.5},
        {"a == b == 0", 0, 0},
        {"a < b in double, equal in float", 1.0, 1.0 + 1e-12},
        {"a NaN", NAN, 1},
        {"b NaN", 0, NAN},
        {"a -inf", -INFINITY, 1},
        {"b +inf", 0, INFINITY},
        {"a -inf, b +inf", -INFINITY, INFINITY},
        {"b - a overflows float", -3e38, 3e38},
        {"a below -FLT_MAX", -1e39, 0},
        {"b above FLT_MAX", 0, 1e39},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        clinit_init in = test_init(CLINIT_UNIFORM);
        clinit_resolved r;
        in.a = bad[i].a;
        in.b = bad[i].b;
        expect_all(bad[i].what, CLINIT_EPARAM, &t, &in, 0, NBUF);
        cr_expect_eq(clinit_resolve(&t, &in, &r), CLINIT_EPARAM, "%s",
                     bad[i].what);
    }
    {
        /* the widest range that fits */
        clinit_init in = test_init(CLINIT_UNIFORM);
        in.a = -1.7e38;
        in.b = 1.7e38;
        expect_host("a=-1.7e38, b=1.7e38 (valid)", CLINIT_OK, NULL, &t, &in, 0,
                    0);
    }
}

Test(errors, fan_method_params)
{
    clinit_tensor t = tensor2();
    static const double bad_gain[] = {NAN, -1, -1e-300, INFINITY, -INFINITY};
    for (int m = CLINIT_XAVIER_UNIFORM; m <= CLINIT_XAVIER_NORMAL; m++)
        for (size_t i = 0; i < sizeof bad_gain / sizeof bad_gain[0]; i++) {
            char what[64];
            clinit_init in = test_init((clinit_method)m);
            in.gain = bad_gain[i];
            snprintf(what, sizeof what, "%s gain %g",
                     clinit_method_name((clinit_method)m), bad_gain[i]);
            expect_all(what, CLINIT_EPARAM, &t, &in, 0, NBUF);
        }
    for (int m = CLINIT_KAIMING_UNIFORM; m <= CLINIT_KAIMING_NORMAL; m++) {
        clinit_init in = test_init((clinit_method)m);
        in.a = NAN;
        expect_all("kaiming a NaN", CLINIT_EPARAM, &t, &in, 0, NBUF);
        in.a = INFINITY; /* leaky_relu's slope must be finite */
        expect_all("kaiming leaky_relu a inf", CLINIT_EPARAM, &t, &in, 0,
                   NBUF);
    }
}

/* ---- enum values and names ------------------------------------------------ */

Test(errors, unknown_enum_values)
{
    clinit_tensor t = tensor2();
    static const int bad_method[] = {9, 99, -1, INT_MAX};
    static const int bad_mode[] = {2, -1, 1000};
    static const int bad_nl[] = {12, -1, 255};
    double g = 7.0;
    for (size_t i = 0; i < sizeof bad_method / sizeof bad_method[0]; i++) {
        clinit_init in = test_init(CLINIT_UNIFORM), keep;
        in.method = (clinit_method)bad_method[i];
        expect_all("unknown method", CLINIT_EMETHOD, &t, &in, 0, NBUF);
        keep = in;
        cr_expect_eq(clinit_init_default(&in, (clinit_method)bad_method[i]),
                     CLINIT_EMETHOD);
        cr_expect(memcmp(&in, &keep, sizeof in) == 0,
                  "init_default wrote *init on error");
        cr_expect_null(clinit_method_name((clinit_method)bad_method[i]));
    }
    for (int m = CLINIT_KAIMING_UNIFORM; m <= CLINIT_KAIMING_NORMAL; m++) {
        for (size_t i = 0; i < sizeof bad_mode / sizeof bad_mode[0]; i++) {
            clinit_init in = test_init((clinit_method)m);
            in.mode = (clinit_mode)bad_mode[i];
            expect_all("unknown mode", CLINIT_EMODE, &t, &in, 0, NBUF);
            cr_expect_null(clinit_mode_name((clinit_mode)bad_mode[i]));
        }
        for (size_t i = 0; i < sizeof bad_nl / sizeof bad_nl[0]; i++) {
            clinit_init in = test_init((clinit_method)m);
            in.nonlinearity = (clinit_nonlinearity)bad_nl[i];
            expect_all("unknown nonlinearity", CLINIT_ENONLINEARITY, &t, &in,
                       0, NBUF);
            cr_expect_eq(clinit_calculate_gain(
                             (clinit_nonlinearity)bad_nl[i], NAN, &g),
                         CLINIT_ENONLINEARITY);
            cr_expect_null(
                clinit_nonlinearity_name((clinit_nonlinearity)bad_nl[i]));
        }
    }
    cr_expect_eq(g, 7.0, "gain written on error");
    {
        /* fields a method does not use are ignored */
        clinit_init in = test_init(CLINIT_XAVIER_NORMAL);
        in.mode = (clinit_mode)77;
        in.nonlinearity = (clinit_nonlinearity)77;
        in.a = NAN;
        in.std = -1;
        expect_host("xavier ignores mode/nonlinearity (valid)", CLINIT_OK,
                    NULL, &t, &in, 0, 0);
    }
}

Test(errors, unknown_names)
{
    static const char *const bad_methods[] = {
        "", "_", "foo", "Uniform", "uniform ", " uniform", "xavier_uniform__",
        "xavier", "kaiming_normal_x", "uniform\n"};
    static const char *const bad_modes[] = {"", "fan", "fan_in_", "FAN_IN",
                                            "fanin", "fan_out "};
    static const char *const bad_nls[] = {"", "Relu", "relu_", "gelu",
                                          "leaky", "conv4d"};
    static const char *const bad_dtypes[] = {"", "F32", "fp32", "float8",
                                             "int32", "f32_", "bfloat"};
    for (size_t i = 0; i < sizeof bad_methods / sizeof bad_methods[0]; i++) {
        clinit_method m = (clinit_method)77;
        cr_expect_eq(clinit_method_from_name(bad_methods[i], &m),
                     CLINIT_EMETHOD, "method \"%s\"", bad_methods[i]);
        cr_expect_eq((int)m, 77, "method \"%s\": *out written",
                     bad_methods[i]);
    }
    for (size_t i = 0; i < sizeof bad_modes / sizeof bad_modes[0]; i++) {
        clinit_mode m = (clinit_mode)77;
        cr_expect_eq(clinit_mode_from_name(bad_modes[i], &m), CLINIT_EMODE,
                     "mode \"%s\"", bad_modes[i]);
        cr_expect_eq((int)m, 77);
    }
    for (size_t i = 0; i < sizeof bad_nls / sizeof bad_nls[0]; i++) {
        clinit_nonlinearity n = (clinit_nonlinearity)77;
        cr_expect_eq(clinit_nonlinearity_from_name(bad_nls[i], &n),
                     CLINIT_ENONLINEARITY, "nonlinearity \"%s\"", bad_nls[i]);
        cr_expect_eq((int)n, 77);
    }
    for (size_t i = 0; i < sizeof bad_dtypes / sizeof bad_dtypes[0]; i++) {
        clinit_dtype d = (clinit_dtype)77;
        cr_expect_eq(clinit_dtype_from_name(bad_dtypes[i], &d), CLINIT_EDTYPE,
                     "dtype \"%s\"", bad_dtypes[i]);
        cr_expect_eq((int)d, 77);
    }
    {
        clinit_method m;
        clinit_mode mo;
        clinit_nonlinearity n;
        clinit_dtype d;
        cr_expect_eq(clinit_method_from_name(NULL, &m), CLINIT_ENULL);
        cr_expect_eq(clinit_method_from_name("uniform", NULL), CLINIT_ENULL);
        cr_expect_eq(clinit_mode_from_name(NULL, &mo), CLINIT_ENULL);
        cr_expect_eq(clinit_mode_from_name("fan_in", NULL), CLINIT_ENULL);
        cr_expect_eq(clinit_nonlinearity_from_name(NULL, &n), CLINIT_ENULL);
        cr_expect_eq(clinit_nonlinearity_from_name("relu", NULL),
                     CLINIT_ENULL);
        cr_expect_eq(clinit_dtype_from_name(NULL, &d), CLINIT_ENULL);
        cr_expect_eq(clinit_dtype_from_name("f32", NULL), CLINIT_ENULL);
    }
}

Test(errors, unsupported_dtypes)
{
    static const int bad[] = {CLINIT_F16, CLINIT_BF16, CLINIT_F64, 4, -1,
                              1000};
    static const clinit_method methods[] = {CLINIT_UNIFORM, CLINIT_ZEROS,
                                            CLINIT_KAIMING_NORMAL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        for (size_t m = 0; m < 3; m++) {
            char what[64];
            clinit_tensor t = tensor2();
            clinit_init in = test_init(methods[m]);
            clinit_resolved r;
            t.dtype = (clinit_dtype)bad[i];
            snprintf(what, sizeof what, "dtype %d, %s", bad[i],
                     clinit_method_name(methods[m]));
            expect_all(what, CLINIT_EDTYPE, &t, &in, 0, NBUF);
            cr_expect_eq(clinit_resolve(&t, &in, &r), CLINIT_EDTYPE, "%s",
                         what);
        }
    cr_expect_eq(clinit_dtype_size((clinit_dtype)4), 0);
    cr_expect_eq(clinit_dtype_size((clinit_dtype)-1), 0);
    cr_expect_null(clinit_dtype_name((clinit_dtype)4));
}

/* ---- element counts and ranges ------------------------------------------- */

Test(errors, element_count_overflow)
{
    static const struct {
        const char *what;
        int ndim;
        int64_t shape[CLINIT_MAX_DIMS];
    } bad[] = {
        {"2^57 (> MAX_NUMEL)", 3, {1 << 28, 1 << 28, 2}},
        {"2^56 + 1", 1, {(INT64_C(1) << 56) + 1}},
        {"2^56 * 3 over 2 dims", 2, {INT64_C(1) << 56, 3}},
        {"2^96 (overflows uint64)", 3,
         {INT64_C(1) << 32, INT64_C(1) << 32, INT64_C(1) << 32}},
        {"INT64_MAX^2", 2, {INT64_MAX, INT64_MAX}},
        {"256^8 = 2^64 (wraps to 0)",
         8,
         {256, 256, 256, 256, 256, 256, 256, 256}},
        {"2^63 * 2 (wraps to 0)", 2, {INT64_C(1) << 62, 4}},
    };
    clinit_init in = test_init(CLINIT_KAIMING_UNIFORM);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        clinit_tensor t =
            test_tensor(bad[i].ndim, bad[i].shape, 3, (uint64_t)i);
        uint64_t n = 5, fi = 5, fo = 5;
        expect_all(bad[i].what, CLINIT_EOVERFLOW, &t, &in, 0, 16);
        cr_expect_eq(clinit_numel(&t, &n), CLINIT_EOVERFLOW, "%s",
                     bad[i].what);
        cr_expect_eq(n, 5, "%s: numel written on error", bad[i].what);
        cr_expect_eq(clinit_fans(t.ndim, t.shape, &fi, &fo), CLINIT_EOVERFLOW,
                     "%s", bad[i].what);
    }
    {
        /* exactly CLINIT_MAX_NUMEL is allowed, up to its last element */
        const int64_t s[2] = {1 << 28, 1 << 28};
        clinit_tensor t = test_tensor(2, s, 3, 4);
        uint64_t n = 0;
        static float dst[16];
        cr_expect_eq(clinit_numel(&t, &n), CLINIT_OK);
        cr_expect_eq(n, CLINIT_MAX_NUMEL);
        cr_expect_eq(clinit_fill_host(NULL, &t, &in, CLINIT_MAX_NUMEL - 16,
                                      CLINIT_MAX_NUMEL, dst),
                     CLINIT_OK);
        expect_all("MAX_NUMEL, hi = MAX_NUMEL + 1", CLINIT_ERANGE, &t, &in,
                   CLINIT_MAX_NUMEL - 15, CLINIT_MAX_NUMEL + 1);
    }
}

Test(errors, bad_range)
{
    static const struct {
        const char *what;
        uint64_t lo, hi;
    } bad[] = {
        {"lo > hi", 5, 4},
        {"lo > hi (1, 0)", 1, 0},
        {"hi = numel + 1", 0, NBUF + 1},
        {"lo = hi = numel + 1", NBUF + 1, NBUF + 1},
        {"lo > numel", NBUF + 5, NBUF + 6},
        {"hi = UINT64_MAX", 0, UINT64_MAX},
        {"lo = hi = UINT64_MAX", UINT64_MAX, UINT64_MAX},
        {"lo = UINT64_MAX, hi = 0", UINT64_MAX, 0},
    };
    static const clinit_method methods[] = {CLINIT_UNIFORM, CLINIT_NORMAL,
                                            CLINIT_CONSTANT};
    clinit_tensor t = tensor2();
    for (size_t m = 0; m < 3; m++) {
        clinit_init in = test_init(methods[m]);
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
            expect_all(bad[i].what, CLINIT_ERANGE, &t, &in, bad[i].lo,
                       bad[i].hi);
        /* empty ranges are fine and write nothing */
        expect_host("lo = hi = 0", CLINIT_OK, NULL, &t, &in, 0, 0);
        expect_host("lo = hi = numel", CLINIT_OK, NULL, &t, &in, NBUF, NBUF);
        expect_host("lo = hi = 17", CLINIT_OK, NULL, &t, &in, 17, 17);
    }
}

Test(errors, empty_device_range_writes_nothing)
{
    clinit_tensor t = tensor2();
    clinit_init in = test_init(CLINIT_NORMAL);
    cl_mem b = test_buffer(ocl(), NBUF * 4, DEV_PATTERN);
    unsigned char back[NBUF * 4];
    cl_event ev = NO_EVENT;
    cl_int status = -1;
    cr_assert_eq(
        clinit_enqueue_fill(ocl(), &t, &in, 100, 100, b, 0, 0, NULL, &ev),
        CLINIT_OK);
    /* an empty fill still gives the caller an event to wait on */
    cr_assert(ev != NO_EVENT && ev != NULL);
    cr_expect_eq(clWaitForEvents(1, &ev), CL_SUCCESS);
    cr_expect_eq(clGetEventInfo(ev, CL_EVENT_COMMAND_EXECUTION_STATUS,
                                sizeof status, &status, NULL),
                 CL_SUCCESS);
    cr_expect_eq(status, CL_COMPLETE);
    clReleaseEvent(ev);
    test_read(ocl(), b, 0, sizeof back, back);
    cr_expect(all_bytes(back, sizeof back, DEV_PATTERN));
    clReleaseMemObject(b);
}

/* ---- device buffers, contexts and queues ----------------------------------- */

Test(errors, device_buffer_too_small)
{
    clinit_tensor t = tensor2();
    static const clinit_method methods[] = {CLINIT_UNIFORM, CLINIT_NORMAL,
                                            CLINIT_ZEROS};
    const size_t bytes = 64 * 4; /* a 64-element buffer */
    for (size_t m = 0; m < 3; m++) {
        clinit_init in = test_init(methods[m]);
        const char *mn = clinit_method_name(methods[m]);
        static const struct {
            const char *what;
            uint64_t lo, hi;
            size_t offset;
        } bad[] = {
            {"16 at offset 49", 0, 16, 49},
            {"65 at offset 0", 0, 65, 0},
            {"whole tensor into 64", 0, NBUF, 0},
            {"1 at offset 64", 5, 6, 64},
            {"0 at offset 65", 3, 3, 65},
            {"offset SIZE_MAX", 0, 1, SIZE_MAX},
            {"offset SIZE_MAX / 4 (bytes do not overflow)", 0, 1,
             SIZE_MAX / 4},
            {"offset SIZE_MAX / 4 + 1 (bytes overflow)", 0, 1,
             SIZE_MAX / 4 + 1},
            {"offset + count overflows", 0, 16, (SIZE_MAX - 15) / 4},
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            char what[96];
            snprintf(what, sizeof what, "%s: %s", mn, bad[i].what);
            expect_device_ex(what, CLINIT_EBUFFER, ocl(), &t, &in, bad[i].lo,
                             bad[i].hi, bytes, bad[i].offset, 0, NULL);
        }
        /* the exact fit works */
        expect_device_ex("16 at offset 48 (valid)", CLINIT_OK, ocl(), &t, &in,
                         0, 16, bytes, 48, 0, NULL);
        expect_device_ex("0 at offset 64 (valid)", CLINIT_OK, ocl(), &t, &in,
                         7, 7, bytes, 64, 0, NULL);
    }
}

Test(errors, buffer_of_another_context)
{
    clinit_ctx *other = test_opencl_ctx();
    clinit_tensor t = tensor2();
    clinit_init in = test_init(CLINIT_UNIFORM);
    cl_mem b = test_buffer(other, NBUF * 4, DEV_PATTERN);
    unsigned char back[NBUF * 4];
    cl_event ev = NO_EVENT;
    clinit_status st;

    cr_assert(clinit_ctx_queue(other) != clinit_ctx_queue(ocl()));
    st = clinit_enqueue_fill(ocl(), &t, &in, 0, NBUF, b, 0, 0, NULL, &ev);
    cr_expect_eq(st, CLINIT_EQUEUE, "got %s", sn(st));
    cr_expect(ev == NO_EVENT);
    in = test_init(CLINIT_ONES); /* the clEnqueueFillBuffer path */
    st = clinit_enqueue_fill(ocl(), &t, &in, 0, NBUF, b, 0, 0, NULL, &ev);
    cr_expect_eq(st, CLINIT_EQUEUE, "ones: got %s", sn(st));
    cr_expect(ev == NO_EVENT);
    clFinish(clinit_ctx_queue(ocl()));
    test_read(other, b, 0, sizeof back, back);
    cr_expect(all_bytes(back, sizeof back, DEV_PATTERN));
    {
        uint32_t key[2] = {0, 0}, ctr[4] = {0, 0, 0, 0};
        cr_expect_eq(clinit_philox_raw_device(ocl(), key, ctr, 4, b),
                     CLINIT_EQUEUE);
    }
    clReleaseMemObject(b);
    clinit_ctx_destroy(other);
}

Test(errors, device_calls_on_cpu_context)
{
    clinit_ctx_options opt = {"cpu", 0};
    clinit_ctx *cpu = NULL;
    clinit_tensor t = tensor2();
    uint32_t key[2] = {0, 0}, ctr[4] = {0, 0, 0, 0};
    cr_assert_eq(clinit_ctx_create(&cpu, &opt), CLINIT_OK);
    cr_assert(!clinit_ctx_is_opencl(cpu));
    for (int m = CLINIT_UNIFORM; m <= CLINIT_KAIMING_NORMAL; m++) {
        clinit_init in = test_init((clinit_method)m);
        expect_device_ex(clinit_method_name((clinit_method)m),
                         CLINIT_ENODEVICE, cpu, &t, &in, 0, NBUF, NBUF * 4, 0,
                         0, NULL);
    }
    cr_expect_eq(clinit_ctx_warmup(cpu), CLINIT_ENODEVICE);
    {
        cl_mem b = test_buffer(ocl(), 64, DEV_PATTERN);
        unsigned char back[64];
        cr_expect_eq(clinit_philox_raw_device(cpu, key, ctr, 4, b),
                     CLINIT_ENODEVICE);
        test_read(ocl(), b, 0, sizeof back, back);
        cr_expect(all_bytes(back, sizeof back, DEV_PATTERN));
        clReleaseMemObject(b);
    }
    /* host fills work on a CPU context (positive control) */
    {
        clinit_init in = test_init(CLINIT_UNIFORM);
        expect_host("cpu ctx host fill (valid)", CLINIT_OK, cpu, &t, &in, 0,
                    0);
    }
    clinit_ctx_destroy(cpu);
}

Test(errors, raw_generator_bounds)
{
    uint32_t out[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    const uint32_t keep[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    cr_expect_eq(clinit_stream_words(1, 2, CLINIT_MAX_NUMEL, 1, out),
                 CLINIT_EOVERFLOW);
    cr_expect_eq(clinit_stream_words(1, 2, CLINIT_MAX_NUMEL + 1, 0, out),
                 CLINIT_EOVERFLOW);
    cr_expect_eq(clinit_stream_words(1, 2, CLINIT_MAX_NUMEL - 4, 8, out),
                 CLINIT_EOVERFLOW);
    cr_expect_eq(clinit_stream_words(1, 2, UINT64_MAX, 2, out),
                 CLINIT_EOVERFLOW);
    cr_expect_arr_eq(out, keep, sizeof out);
    cr_expect_eq(clinit_stream_words(1, 2, CLINIT_MAX_NUMEL - 8, 8, out),
                 CLINIT_OK, "the last 8 words of the stream are valid");
    {
        uint32_t key[2] = {0, 0}, ctr[4] = {0, 0, 0, 0};
        cl_mem b = test_buffer(ocl(), 64, DEV_PATTERN);
        unsigned char back[64];
        cr_expect_eq(clinit_philox_raw_device(ocl(), key, ctr, 17, b),
                     CLINIT_EBUFFER);
        cr_expect_eq(clinit_philox_raw_device(ocl(), key, ctr, UINT64_MAX, b),
                     CLINIT_EBUFFER);
        test_read(ocl(), b, 0, sizeof back, back);
        cr_expect(all_bytes(back, sizeof back, DEV_PATTERN));
        clReleaseMemObject(b);
    }
}

/* ---- contexts and device names ---------------------------------------------- */

Test(errors, create_from_null_queue)
{
    clinit_ctx *c = (clinit_ctx *)&no_event_marker;
    clinit_ctx_options opt = {"cpu", 1};
    cr_expect_eq(clinit_ctx_create_from_queue(&c, NULL, NULL), CLINIT_ENULL);
    cr_expect_eq(clinit_ctx_create_from_queue(&c, NULL, &opt), CLINIT_ENULL);
    cr_expect(c == (clinit_ctx *)&no_event_marker, "*out was written");
    /* No invalid non-NULL queue is tested: ocl-icd dispatches every call
     * through the handle's first word (its dispatch table), so a garbage
     * pointer, a released queue (freed memory) or an object of another
     * type is undefined behaviour before clinit or the ICD could reject
     * it. No safe CLINIT_EQUEUE case exists for create_from_queue. */
}

Test(errors, bad_device_strings)
{
    static const char *const bad[] = {
        "gpu",          "GPU",          "CPU",         "cpu ",
        " cpu",         "opencl:",      "opencl:x.y",  "opencl:0",
        "opencl:0.",    "opencl:.0",    "opencl:0.0junk", "opencl:0.0 ",
        "opencl:-1.0",  "opencl:0.-1",  "opencl:+0.0", "opencl:0.+0",
        "opencl:0:0",   "opencl0.0",    "OpenCL",      "opencl ",
        "opencl:0.0.0", "opencl:99999999999999999999.0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        clinit_ctx_options opt = {bad[i], 0};
        clinit_ctx *c = (clinit_ctx *)&no_event_marker;
        clinit_status st = clinit_ctx_create(&c, &opt);
        cr_expect_eq(st, CLINIT_EDEVICESPEC, "\"%s\": got %s", bad[i], sn(st));
        cr_expect(c == (clinit_ctx *)&no_event_marker,
                  "\"%s\": *out was written", bad[i]);
        if (st == CLINIT_OK)
            clinit_ctx_destroy(c);
    }
}

Test(errors, absent_devices)
{
    static const char *const absent[] = {"opencl:99.0", "opencl:0.99",
                                         "opencl:65535.65535"};
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++) {
        clinit_ctx_options opt = {absent[i], 0};
        clinit_ctx *c = (clinit_ctx *)&no_event_marker;
        clinit_status st = clinit_ctx_create(&c, &opt);
        cr_expect_eq(st, CLINIT_ENODEVICE, "\"%s\": got %s", absent[i],
                     sn(st));
        cr_expect(c == (clinit_ctx *)&no_event_marker);
        if (st == CLINIT_OK)
            clinit_ctx_destroy(c);
    }
}

Test(errors, bad_device_env)
{
    static const struct {
        const char *env;
        clinit_status want;
    } cases[] = {
        {"gpu", CLINIT_EDEVICESPEC},
        {"opencl:0.0junk", CLINIT_EDEVICESPEC},
        {"opencl:", CLINIT_EDEVICESPEC},
        /* an explicit device from the environment does not fall back */
        {"opencl:99.0", CLINIT_ENODEVICE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clinit_ctx_options opt = {NULL, 0};
        clinit_ctx *c = (clinit_ctx *)&no_event_marker;
        clinit_status st;
        cr_assert_eq(setenv("CLINIT_DEVICE", cases[i].env, 1), 0);
        st = clinit_ctx_create(&c, NULL);
        cr_expect_eq(st, cases[i].want, "CLINIT_DEVICE=%s, NULL options: %s",
                     cases[i].env, sn(st));
        st = clinit_ctx_create(&c, &opt);
        cr_expect_eq(st, cases[i].want, "CLINIT_DEVICE=%s, device NULL: %s",
                     cases[i].env, sn(st));
        cr_expect(c == (clinit_ctx *)&no_event_marker);
        /* an explicit option overrides the bad environment */
        opt.device = "cpu";
        st = clinit_ctx_create(&c, &opt);
        cr_expect_eq(st, CLINIT_OK, "CLINIT_DEVICE=%s, device cpu: %s",
                     cases[i].env, sn(st));
        if (st == CLINIT_OK) {
            cr_expect(!clinit_ctx_is_opencl(c));
            clinit_ctx_destroy(c);
        }
    }
}

/* ---- status codes ------------------------------------------------------------ */

typedef struct status_entry {
    int value;
    const char *name, *msg;
} status_entry;

static const status_entry statuses[] = {
#define X_(name, value, msg) {value, #name, msg},
    CLINIT_STATUS_MAP(X_)
#undef X_
};
#define NSTATUS (sizeof statuses / sizeof statuses[0])

Test(errors, status_values_are_pinned)
{
    /* written out literally: renumbering any of them breaks the ABI */
    cr_expect_eq(CLINIT_OK, 0);
    cr_expect_eq(CLINIT_ENULL, -1);
    cr_expect_eq(CLINIT_ESHAPE, -2);
    cr_expect_eq(CLINIT_EFANS, -3);
    cr_expect_eq(CLINIT_EPARAM, -4);
    cr_expect_eq(CLINIT_ENONLINEARITY, -5);
    cr_expect_eq(CLINIT_EMODE, -6);
    cr_expect_eq(CLINIT_EMETHOD, -7);
    cr_expect_eq(CLINIT_EDTYPE, -8);
    cr_expect_eq(CLINIT_EOVERFLOW, -9);
    cr_expect_eq(CLINIT_ERANGE, -10);
    cr_expect_eq(CLINIT_EBUFFER, -11);
    cr_expect_eq(CLINIT_EQUEUE, -12);
    cr_expect_eq(CLINIT_ENODEVICE, -13);
    cr_expect_eq(CLINIT_EDEVICESPEC, -14);
    cr_expect_eq(CLINIT_EBUILD, -15);
    cr_expect_eq(CLINIT_EOPENCL, -16);
    cr_expect_eq(CLINIT_ENOMEM, -17);
    cr_expect_eq(CLINIT_ETHREAD, -18);
    cr_expect_eq(CLINIT_ENOFP64, -19);
    cr_expect_eq(CLINIT_EIO, -20);
    /* new statuses may be appended; none may be renumbered or reused */
    cr_expect_geq(NSTATUS, 21);
    for (size_t i = 0; i < NSTATUS; i++)
        cr_expect_eq(statuses[i].value, -(int)i, "%s", statuses[i].name);
}

Test(errors, strerror_of_every_status)
{
    static const int unknown[] = {1, 2, -21, -1000, INT_MAX, INT_MIN};
    const char *unk = clinit_strerror(unknown[0]);
    cr_assert(unk != NULL);
    cr_expect(strstr(unk, "unknown") != NULL, "unknown status text: \"%s\"",
              unk);
    for (size_t k = 0; k < sizeof unknown / sizeof unknown[0]; k++) {
        cr_expect_str_eq(clinit_strerror(unknown[k]), unk, "status %d",
                         unknown[k]);
        cr_expect_str_eq(clinit_status_name(unknown[k]), "UNKNOWN",
                         "status %d", unknown[k]);
    }
    for (size_t i = 0; i < NSTATUS; i++) {
        const char *s = clinit_strerror(statuses[i].value);
        cr_assert(s != NULL, "%s", statuses[i].name);
        cr_expect(s[0] != '\0', "%s: empty message", statuses[i].name);
        cr_expect_str_eq(s, statuses[i].msg, "%s", statuses[i].name);
        cr_expect_str_neq(s, unk, "%s reads as unknown", statuses[i].name);
        for (size_t j = 0; j < i; j++)
            cr_expect_str_neq(s, clinit_strerror(statuses[j].value),
                              "%s and %s share a message", statuses[i].name,
                              statuses[j].name);
    }
}

Test(errors, status_name_round_trip)
{
    for (size_t i = 0; i < NSTATUS; i++) {
        const char *name = clinit_status_name(statuses[i].value);
        int found = 0, value = 1;
        cr_assert(name != NULL);
        cr_expect_str_eq(name, statuses[i].name);
        /* name -> value: exactly one status in the pinned range has it */
        for (int v = -40; v <= 0; v++)
            if (strcmp(clinit_status_name(v), name) == 0) {
                found++;
                value = v;
            }
        cr_expect_eq(found, 1, "%s names %d statuses", name, found);
        cr_expect_eq(value, statuses[i].value, "%s", name);
    }
}
