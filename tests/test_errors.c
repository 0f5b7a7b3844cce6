/* test_errors.c - every bad input gets its documented status and leaves
 * the destination untouched: host memory keeps a sentinel byte pattern, a
 * device buffer keeps the pattern test_buffer() wrote, and no event is
 * produced. Each case runs on the host path (NULL ctx and an OpenCL ctx)
 * and on the device path. */
#define _POSIX_C_SOURCE 200809L
#include <float.h>
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

static const char *sn(int st)
{
    return clinit_status_name(st);
}

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
static void expect_host(const char *what, clinit_status want, clinit_ctx *ctx,
                        const clinit_tensor *t, const clinit_init *in,
                        uint64_t lo, uint64_t hi)
{
    static unsigned char dst[NBUF * 8];
    clinit_status st;
    memset(dst, HOST_PATTERN, sizeof dst);
    st = clinit_fill_host(ctx, t, in, lo, hi, dst);
    cr_expect_eq(st, want, "%s (host, %s ctx): got %s, want %s", what,
                 ctx ? "OpenCL" : "NULL", sn(st), sn(want));
    if (want != CLINIT_OK) {
        cr_expect(all_bytes(dst, sizeof dst, HOST_PATTERN),
                  "%s (host, %s ctx): destination was written", what,
                  ctx ? "OpenCL" : "NULL");
    } else if (st == CLINIT_OK) {
        /* a valid fill writes hi - lo elements and nothing after them */
        size_t used = (size_t)(hi - lo) * clinit_dtype_size(t->dtype);
        cr_assert_leq(used, sizeof dst, "%s: test range too long", what);
        cr_expect(all_bytes(dst + used, sizeof dst - used, HOST_PATTERN),
                  "%s (host, %s ctx): wrote past hi - lo", what,
                  ctx ? "OpenCL" : "NULL");
    }
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
    st =
        clinit_enqueue_fill(ctx, t, in, lo, hi, b, offset, num_wait, wait, &ev);
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
    cr_expect_eq(clinit_fill_host(ocl(), &t, &in, 0, NBUF, NULL), CLINIT_ENULL);
    /* the fill_host ctx may be NULL: the positive control */
    expect_host("NULL ctx (valid)", CLINIT_OK, NULL, &t, &in, 0, 0);

    expect_device_ex("NULL ctx", CLINIT_ENULL, NULL, &t, &in, 0, NBUF, NBUF * 4,
                     0, 0, NULL);
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
        cr_expect_eq(
            clinit_enqueue_fill(ocl(), &t, &in, 0, NBUF, b, 0, 0, NULL, NULL),
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
    cr_expect_eq(
        clinit_ctx_create_from_queue(NULL, clinit_ctx_queue(ocl()), NULL),
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
        CLINIT_XAVIER_UNIFORM, CLINIT_XAVIER_NORMAL,    CLINIT_KAIMING_UNIFORM,
        CLINIT_KAIMING_NORMAL, CLINIT_VARIANCE_SCALING, CLINIT_LECUN_UNIFORM,
        CLINIT_LECUN_NORMAL,   CLINIT_GLOROT_UNIFORM,   CLINIT_GLOROT_NORMAL,
        CLINIT_HE_UNIFORM,     CLINIT_HE_NORMAL};
    static const clinit_method plain[] = {CLINIT_UNIFORM,  CLINIT_NORMAL,
                                          CLINIT_CONSTANT, CLINIT_ZEROS,
                                          CLINIT_ONES,     CLINIT_TRUNC_NORMAL};
    const int64_t s[1] = {NBUF};
    clinit_tensor t = test_tensor(1, s, 1, 2);
    uint64_t fi = 5, fo = 6;
    for (size_t m = 0; m < sizeof fan_methods / sizeof fan_methods[0]; m++) {
        clinit_init in = test_init(fan_methods[m]);
        clinit_resolved r;
        expect_all(clinit_method_name(fan_methods[m]), CLINIT_EFANS, &t, &in, 0,
                   NBUF);
        cr_expect_eq(clinit_resolve(&t, &in, &r), CLINIT_EFANS, "%s",
                     clinit_method_name(fan_methods[m]));
    }
    cr_expect_eq(clinit_fans(1, s, &fi, &fo), CLINIT_EFANS);
    cr_expect(fi == 5 && fo == 6, "fans written on error");
    /* the other methods take 1-D tensors */
    for (size_t m = 0; m < sizeof plain / sizeof plain[0]; m++) {
        clinit_init in = test_init(plain[m]);
        expect_host(clinit_method_name(plain[m]), CLINIT_OK, NULL, &t, &in, 0,
                    0);
    }
}

/* ---- shape rules of the structured methods ------------------------------- */

/* A tensor of `ndim` dimensions of size 4 (4^ndim elements). */
static clinit_tensor tensor_nd(int ndim)
{
    const int64_t s[CLINIT_MAX_DIMS] = {4, 4, 4, 4, 4, 4, 4, 4};
    return test_tensor(ndim, s, 42, 7);
}

Test(errors, structured_method_shapes)
{
    static const struct {
        clinit_method m;
        int ndim;
        clinit_status want;
    } cases[] = {
        {CLINIT_SPARSE, 1, CLINIT_ESHAPE},
        {CLINIT_SPARSE, 3, CLINIT_ESHAPE},
        {CLINIT_SPARSE, 4, CLINIT_ESHAPE},
        {CLINIT_SPARSE, 2, CLINIT_OK},
        {CLINIT_EYE, 1, CLINIT_ESHAPE},
        {CLINIT_EYE, 3, CLINIT_ESHAPE},
        {CLINIT_EYE, 4, CLINIT_ESHAPE},
        {CLINIT_EYE, 2, CLINIT_OK},
        {CLINIT_DIRAC, 1, CLINIT_ESHAPE},
        {CLINIT_DIRAC, 2, CLINIT_ESHAPE},
        {CLINIT_DIRAC, 6, CLINIT_ESHAPE},
        {CLINIT_DIRAC, 8, CLINIT_ESHAPE},
        {CLINIT_DIRAC, 3, CLINIT_OK},
        {CLINIT_DIRAC, 4, CLINIT_OK},
        {CLINIT_DIRAC, 5, CLINIT_OK},
        {CLINIT_ORTHOGONAL, 1, CLINIT_ESHAPE},
        {CLINIT_ORTHOGONAL, 2, CLINIT_OK},
        {CLINIT_ORTHOGONAL, 3, CLINIT_OK},
        {CLINIT_ORTHOGONAL, 5, CLINIT_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clinit_tensor t = tensor_nd(cases[i].ndim);
        clinit_init in = test_init(cases[i].m);
        clinit_resolved r;
        char what[64];
        snprintf(what, sizeof what, "%s on %d-D",
                 clinit_method_name(cases[i].m), cases[i].ndim);
        if (cases[i].want == CLINIT_OK) {
            cr_expect_eq(clinit_resolve(&t, &in, &r), CLINIT_OK, "%s", what);
            expect_host(what, CLINIT_OK, NULL, &t, &in, 0, 0);
        } else {
            expect_all(what, cases[i].want, &t, &in, 0, NBUF);
            cr_expect_eq(clinit_resolve(&t, &in, &r), cases[i].want, "%s",
                         what);
        }
    }
    {
        /* sparse_'s rows and columns are 32-bit */
        const int64_t big[2][2] = {{INT64_C(1) << 32, 1},
                                   {2, (INT64_C(1) << 32) + 3}};
        for (int k = 0; k < 2; k++) {
            clinit_tensor t = test_tensor(2, big[k], 1, 1);
            clinit_init in = test_init(CLINIT_SPARSE);
            expect_all("sparse with a dimension >= 2^32", CLINIT_ESHAPE, &t,
                       &in, 0, NBUF);
        }
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
        expect_all("kaiming leaky_relu a inf", CLINIT_EPARAM, &t, &in, 0, NBUF);
    }
}

/* The 16 x 16 tensor of tensor2() in dtype `dt`. */
static clinit_tensor tensor2_dt(clinit_dtype dt)
{
    clinit_tensor t = tensor2();
    t.dtype = dt;
    return t;
}

static const clinit_dtype all_dtypes[] = {CLINIT_F32,    CLINIT_F16,
                                          CLINIT_BF16,   CLINIT_F64,
                                          CLINIT_F8E4M3, CLINIT_F8E5M2};
#define NDTYPES (sizeof all_dtypes / sizeof all_dtypes[0])

Test(errors, trunc_normal_params)
{
    static const struct {
        const char *what;
        double mean, std, a, b;
    } bad[] = {
        {"a == b", 0, 1, 1, 1},
        {"a > b", 0, 1, 2, 1},
        {"a > b (default bounds swapped)", 0, 1, 2, -2},
        {"std 0", 0, 0, -2, 2},
        {"std -0", 0, -0.0, -2, 2},
        {"std -1", 0, -1, -2, 2},
        {"std NaN", 0, NAN, -2, 2},
        {"std +inf", 0, INFINITY, -2, 2},
        {"std -inf", 0, -INFINITY, -2, 2},
        {"mean NaN", NAN, 1, -2, 2},
        {"mean +inf", INFINITY, 1, -2, 2},
        {"mean -inf", -INFINITY, 1, -2, 2},
        {"a NaN", 0, 1, NAN, 2},
        {"b NaN", 0, 1, -2, NAN},
        {"a -inf", 0, 1, -INFINITY, 2},
        {"b +inf", 0, 1, -2, INFINITY},
        {"a -inf, b +inf", 0, 1, -INFINITY, INFINITY},
    };
    for (size_t d = 0; d < NDTYPES; d++) {
        clinit_tensor t = tensor2_dt(all_dtypes[d]);
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            clinit_init in = test_init(CLINIT_TRUNC_NORMAL);
            clinit_resolved r;
            char what[96];
            in.mean = bad[i].mean;
            in.std = bad[i].std;
            in.a = bad[i].a;
            in.b = bad[i].b;
            snprintf(what, sizeof what, "trunc_normal %s, %s", bad[i].what,
                     clinit_dtype_name(all_dtypes[d]));
            expect_all(what, CLINIT_EPARAM, &t, &in, 0, NBUF);
            cr_expect_eq(clinit_resolve(&t, &in, &r), CLINIT_EPARAM, "%s",
                         what);
        }
        {
            /* the defaults are valid in every dtype */
            clinit_init in = test_init(CLINIT_TRUNC_NORMAL);
            expect_host("trunc_normal defaults (valid)", CLINIT_OK, NULL, &t,
                        &in, 0, NBUF);
        }
    }
}

Test(errors, trunc_normal_interval_without_dtype_values)
{
    /* [a, b] must contain at least one value of the dtype */
    static const struct {
        clinit_dtype dt;
        double a, b;
    } bad[] = {
        {CLINIT_F16, 1.0001, 1.0002}, /* f16 ulp at 1 is 2^-10 */
        {CLINIT_F16, -1.0002, -1.0001},
        {CLINIT_F16, 1 + 0x1p-12, 1 + 0x1p-11},
        {CLINIT_F16, 0x1p-25, 0x1p-24 * 0.75}, /* below the least subnormal */
        {CLINIT_BF16, 1.001, 1.002},           /* bf16 ulp at 1 is 2^-7 */
        {CLINIT_BF16, 100.1, 100.4},
        {CLINIT_F32, 1 + 1e-9, 1 + 2e-9}, /* f32 ulp at 1 is 2^-23 */
        {CLINIT_F32, -(1 + 2e-9), -(1 + 1e-9)},
    };
    static const struct {
        clinit_dtype dt;
        double a, b;
        double only; /* the one value of the dtype in [a, b] */
    } one[] = {
        {CLINIT_F16, 1.0001, 1.001, 1 + 0x1p-10},
        {CLINIT_F16, 1.0, 1.0 + 1e-9, 1.0},
        {CLINIT_F16, 1.0 - 1e-9, 1.0, 1.0},
        {CLINIT_BF16, 1.001, 1.01, 1 + 0x1p-7},
        {CLINIT_F32, 1 + 1e-9, 1 + 2e-7, 1 + 0x1p-23},
        {CLINIT_F64, 1.0, 1 + 0x1p-52, NAN}, /* two values: no check */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        clinit_tensor t = tensor2_dt(bad[i].dt);
        clinit_init in = test_init(CLINIT_TRUNC_NORMAL);
        clinit_resolved r;
        char what[96];
        in.a = bad[i].a;
        in.b = bad[i].b;
        snprintf(what, sizeof what, "trunc_normal [%.17g, %.17g] in %s",
                 bad[i].a, bad[i].b, clinit_dtype_name(bad[i].dt));
        expect_all(what, CLINIT_EPARAM, &t, &in, 0, NBUF);
        cr_expect_eq(clinit_resolve(&t, &in, &r), CLINIT_EPARAM, "%s", what);
        /* the same interval is fine in f64 */
        t.dtype = CLINIT_F64;
        expect_host(what, CLINIT_OK, NULL, &t, &in, 0, NBUF);
    }
    for (size_t i = 0; i < sizeof one / sizeof one[0]; i++) {
        clinit_tensor t = tensor2_dt(one[i].dt);
        clinit_init in = test_init(CLINIT_TRUNC_NORMAL);
        static unsigned char v[NBUF * 8];
        size_t bad_n = 0;
        in.a = one[i].a;
        in.b = one[i].b;
        cr_expect_eq(clinit_fill_host(NULL, &t, &in, 0, NBUF, v), CLINIT_OK,
                     "trunc_normal [%.17g, %.17g] in %s", one[i].a, one[i].b,
                     clinit_dtype_name(one[i].dt));
        if (isnan(one[i].only))
            continue;
        /* whatever the distribution, every value is the only one allowed */
        for (int k = 0; k < NBUF; k++) {
            double x;
            if (one[i].dt == CLINIT_F32) {
                float f;
                memcpy(&f, v + 4 * k, 4);
                x = f;
            } else {
                uint16_t h;
                uint32_t u;
                float f;
                memcpy(&h, v + 2 * k, 2);
                if (one[i].dt == CLINIT_BF16) {
                    u = (uint32_t)h << 16;
                    memcpy(&f, &u, 4);
                    x = f;
                } else { /* f16, normal numbers only here */
                    x = ldexp((double)((h & 0x3ff) | 0x400),
                              ((h >> 10) & 0x1f) - 25);
                    if (h & 0x8000)
                        x = -x;
                }
            }
            bad_n += x != one[i].only;
        }
        cr_expect_eq(bad_n, 0,
                     "trunc_normal [%.17g, %.17g] in %s: %zu values "
                     "are not %.17g",
                     one[i].a, one[i].b, clinit_dtype_name(one[i].dt), bad_n,
                     one[i].only);
    }
    {
        /* bounds outside f32's range: an error in f32, fine in f64 */
        clinit_init in = test_init(CLINIT_TRUNC_NORMAL);
        clinit_tensor t = tensor2();
        in.a = -1e39;
        in.b = 1e39;
        in.std = 1e38;
        expect_all("trunc_normal a=-1e39 in f32", CLINIT_EPARAM, &t, &in, 0,
                   NBUF);
        t.dtype = CLINIT_F64;
        expect_host("trunc_normal a=-1e39 in f64 (valid)", CLINIT_OK, NULL, &t,
                    &in, 0, NBUF);
    }
}

Test(errors, sparse_params)
{
    static const struct {
        const char *what;
        double sparsity, std;
    } bad[] = {
        {"sparsity -0.1", -0.1, 0.01},
        {"sparsity -1e-300", -1e-300, 0.01},
        {"sparsity 1.0000001", 1.0000001, 0.01},
        {"sparsity 2", 2, 0.01},
        {"sparsity NaN", NAN, 0.01},
        {"sparsity +inf", INFINITY, 0.01},
        {"sparsity -inf", -INFINITY, 0.01},
        {"std -1", 0.5, -1},
        {"std NaN", 0.5, NAN},
        {"std +inf", 0.5, INFINITY},
    };
    for (size_t d = 0; d < NDTYPES; d++) {
        clinit_tensor t = tensor2_dt(all_dtypes[d]);
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            clinit_init in = test_init(CLINIT_SPARSE);
            char what[96];
            in.sparsity = bad[i].sparsity;
            in.std = bad[i].std;
            snprintf(what, sizeof what, "sparse %s, %s", bad[i].what,
                     clinit_dtype_name(all_dtypes[d]));
            expect_all(what, CLINIT_EPARAM, &t, &in, 0, NBUF);
        }
        {
            /* both ends of [0, 1] and std 0 are valid */
            static const double ok[] = {0.0, -0.0, 1.0, 0.5};
            for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++) {
                clinit_init in = test_init(CLINIT_SPARSE);
                in.sparsity = ok[k];
                expect_host("sparse (valid)", CLINIT_OK, NULL, &t, &in, 0,
                            NBUF);
                in.std = 0;
                expect_host("sparse std 0 (valid)", CLINIT_OK, NULL, &t, &in, 0,
                            NBUF);
            }
        }
    }
}

Test(errors, dirac_groups)
{
    const int64_t s[4] = {6, 3, 3, 3}; /* 162 elements */
    static const int bad[] = {0, -1, -6, 4, 5, 7, 12, INT_MIN, INT_MAX};
    static const int ok[] = {1, 2, 3, 6};
    for (size_t d = 0; d < NDTYPES; d++) {
        clinit_tensor t = test_tensor(4, s, 1, 2);
        t.dtype = all_dtypes[d];
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            clinit_init in = test_init(CLINIT_DIRAC);
            clinit_resolved r;
            char what[64];
            in.groups = bad[i];
            snprintf(what, sizeof what, "dirac groups %d of 6, %s", bad[i],
                     clinit_dtype_name(all_dtypes[d]));
            expect_all(what, CLINIT_EPARAM, &t, &in, 0, 162);
            cr_expect_eq(clinit_resolve(&t, &in, &r), CLINIT_EPARAM, "%s",
                         what);
        }
        for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
            clinit_init in = test_init(CLINIT_DIRAC);
            in.groups = ok[i];
            expect_host("dirac groups dividing 6 (valid)", CLINIT_OK, NULL, &t,
                        &in, 0, 162);
        }
    }
    {
        /* the shape is checked before groups */
        clinit_tensor t = tensor2();
        clinit_init in = test_init(CLINIT_DIRAC);
        in.groups = 0;
        expect_all("dirac 2-D, groups 0", CLINIT_ESHAPE, &t, &in, 0, NBUF);
    }
}

Test(errors, orthogonal_params)
{
    static const struct {
        const char *what;
        int ndim;
        int64_t shape[4];
    } too_large[] = {
        /* the host QR's cap (clinit_model.h): numel <= 2^24 and
         * max * min^2 <= 2^32 */
        {"min dim 4097", 2, {4097, 4097}},
        {"max * min^2 = 4097 * 1024^2", 2, {4097, 1024}},
        {"max * min^2 = 4096 * 1025^2 (cols)", 2, {1025, 4096}},
        {"1626^3", 2, {1626, 1626}},
        {"4096 x 16384, once accepted (hours)", 2, {4096, 16384}},
        {"numel 2^24 + 2, min dim 2", 2, {2, (INT64_C(1) << 23) + 1}},
        {"numel 2^24 + 1, min dim 1", 2, {1, (INT64_C(1) << 24) + 1}},
        {"numel 2^24 + 1, min dim 1 (rows)", 2, {(INT64_C(1) << 24) + 1, 1}},
        {"4-D, cols 1024, rows 4097", 4, {4097, 256, 2, 2}},
        {"numel 2^56", 2, {INT64_C(1) << 28, INT64_C(1) << 28}},
    };
    static const struct {
        const char *what;
        int ndim;
        int64_t shape[4];
    } largest[] = {
        {"4096 x 1024: max * min^2 = 2^32", 2, {4096, 1024}},
        {"1024 x 4096 (cols)", 2, {1024, 4096}},
        {"1625^3 < 2^32", 2, {1625, 1625}},
        {"65536 x 256: numel 2^24, max * min^2 = 2^32", 2, {65536, 256}},
        {"1 x 2^24", 2, {1, INT64_C(1) << 24}},
        {"2^24 x 1", 2, {INT64_C(1) << 24, 1}},
        {"4-D, 4096 x 1024", 4, {4096, 256, 2, 2}},
    };
    for (size_t i = 0; i < sizeof too_large / sizeof too_large[0]; i++) {
        clinit_tensor t =
            test_tensor(too_large[i].ndim, too_large[i].shape, 1, 2);
        clinit_init in = test_init(CLINIT_ORTHOGONAL);
        clinit_resolved r;
        expect_all(too_large[i].what, CLINIT_EORTHOSIZE, &t, &in, 0, NBUF);
        cr_expect_eq(clinit_resolve(&t, &in, &r), CLINIT_EORTHOSIZE, "%s",
                     too_large[i].what);
    }
    /* resolve only: filling these takes a while */
    for (size_t i = 0; i < sizeof largest / sizeof largest[0]; i++) {
        clinit_tensor t = test_tensor(largest[i].ndim, largest[i].shape, 1, 2);
        clinit_init in = test_init(CLINIT_ORTHOGONAL);
        clinit_resolved r;
        cr_expect_eq(clinit_resolve(&t, &in, &r), CLINIT_OK, "%s (valid)",
                     largest[i].what);
    }
    {
        static const double bad_gain[] = {NAN, INFINITY, -INFINITY, 1e39};
        clinit_tensor t = tensor2();
        for (size_t i = 0; i < sizeof bad_gain / sizeof bad_gain[0]; i++) {
            clinit_init in = test_init(CLINIT_ORTHOGONAL);
            char what[64];
            in.gain = bad_gain[i];
            snprintf(what, sizeof what, "orthogonal gain %g", bad_gain[i]);
            expect_all(what, CLINIT_EPARAM, &t, &in, 0, NBUF);
        }
    }
}

Test(errors, variance_scaling_params)
{
    static const double bad_scale[] = {0.0, -0.0,     -1.0,     -1e-300,
                                       NAN, INFINITY, -INFINITY};
    static const int bad_mode[] = {3, -1, 1000, INT_MAX};
    static const int bad_dist[] = {3, -1, 1000, INT_MIN};
    for (size_t d = 0; d < NDTYPES; d++) {
        clinit_tensor t = tensor2_dt(all_dtypes[d]);
        const char *dn = clinit_dtype_name(all_dtypes[d]);
        for (size_t i = 0; i < sizeof bad_scale / sizeof bad_scale[0]; i++) {
            clinit_init in = test_init(CLINIT_VARIANCE_SCALING);
            char what[96];
            in.scale = bad_scale[i];
            snprintf(what, sizeof what, "variance_scaling scale %g, %s",
                     bad_scale[i], dn);
            expect_all(what, CLINIT_EPARAM, &t, &in, 0, NBUF);
        }
        for (size_t i = 0; i < sizeof bad_mode / sizeof bad_mode[0]; i++) {
            clinit_init in = test_init(CLINIT_VARIANCE_SCALING);
            clinit_resolved r;
            char what[96];
            in.mode = (clinit_mode)bad_mode[i];
            snprintf(what, sizeof what, "variance_scaling mode %d, %s",
                     bad_mode[i], dn);
            expect_all(what, CLINIT_EMODE, &t, &in, 0, NBUF);
            cr_expect_eq(clinit_resolve(&t, &in, &r), CLINIT_EMODE, "%s", what);
        }
        for (size_t i = 0; i < sizeof bad_dist / sizeof bad_dist[0]; i++) {
            clinit_init in = test_init(CLINIT_VARIANCE_SCALING);
            clinit_resolved r;
            char what[96];
            in.distribution = (clinit_distribution)bad_dist[i];
            snprintf(what, sizeof what, "variance_scaling distribution %d, %s",
                     bad_dist[i], dn);
            expect_all(what, CLINIT_EDISTRIBUTION, &t, &in, 0, NBUF);
            cr_expect_eq(clinit_resolve(&t, &in, &r), CLINIT_EDISTRIBUTION,
                         "%s", what);
        }
    }
    {
        /* a std that overflows f32: an error there, fine in f64 */
        clinit_tensor t = tensor2();
        clinit_init in = test_init(CLINIT_VARIANCE_SCALING);
        in.scale = 1e300;
        in.distribution = CLINIT_VS_UNTRUNCATED_NORMAL;
        expect_all("variance_scaling scale 1e300 in f32", CLINIT_EPARAM, &t,
                   &in, 0, NBUF);
        t.dtype = CLINIT_F64;
        expect_host("variance_scaling scale 1e300 in f64 (valid)", CLINIT_OK,
                    NULL, &t, &in, 0, NBUF);
    }
    /* the presets fix scale, mode and distribution: those fields are
     * ignored */
    for (int m = CLINIT_LECUN_UNIFORM; m <= CLINIT_HE_NORMAL; m++) {
        clinit_tensor t = tensor2();
        clinit_init in = test_init((clinit_method)m);
        in.scale = -1;
        in.mode = (clinit_mode)77;
        in.distribution = (clinit_distribution)77;
        expect_host(clinit_method_name((clinit_method)m), CLINIT_OK, NULL, &t,
                    &in, 0, NBUF);
    }
}

Test(errors, kaiming_rejects_fan_avg)
{
    clinit_tensor t = tensor2();
    for (int m = CLINIT_KAIMING_UNIFORM; m <= CLINIT_KAIMING_NORMAL; m++) {
        clinit_init in = test_init((clinit_method)m);
        clinit_resolved r;
        in.mode = CLINIT_FAN_AVG;
        expect_all("kaiming fan_avg", CLINIT_EMODE, &t, &in, 0, NBUF);
        cr_expect_eq(clinit_resolve(&t, &in, &r), CLINIT_EMODE);
    }
    {
        /* fan_avg is variance_scaling's */
        clinit_init in = test_init(CLINIT_VARIANCE_SCALING);
        in.mode = CLINIT_FAN_AVG;
        expect_host("variance_scaling fan_avg (valid)", CLINIT_OK, NULL, &t,
                    &in, 0, NBUF);
    }
}

Test(errors, constant_overflows_dtype)
{
    /* the value rounded to the dtype must be finite there */
    static const struct {
        clinit_dtype dt;
        double val;
    } bad[] = {
        {CLINIT_F16, 70000.0},
        {CLINIT_F16, -70000.0},
        {CLINIT_F16, 65520.0}, /* halfway to 2^16: rounds to even, inf */
        {CLINIT_F16, 1e39},
        {CLINIT_F16, 3.4e38},
        {CLINIT_BF16, 3.4e38}, /* above bf16's max + half an ulp */
        {CLINIT_BF16, -3.4e38},
        {CLINIT_BF16, 1e39},
        {CLINIT_F32, 1e39},
        {CLINIT_F32, -1e39},
        {CLINIT_F32, (double)FLT_MAX + 0x1p103}, /* FLT_MAX + half an ulp */
        {CLINIT_F64, INFINITY},
        {CLINIT_F64, NAN},
    };
    static const struct {
        clinit_dtype dt;
        double val;
    } ok[] = {
        {CLINIT_F16, 65504.0},
        {CLINIT_F16, 65519.0}, /* rounds down to 65504 */
        {CLINIT_F16, -65519.99},
        {CLINIT_BF16, 3.38e38},
        {CLINIT_F32, 3.4028234e38},
        {CLINIT_F64, 1e39},
        {CLINIT_F64, 1.7976931348623157e308},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        clinit_tensor t = tensor2_dt(bad[i].dt);
        clinit_init in = test_init(CLINIT_CONSTANT);
        clinit_resolved r;
        char what[64];
        in.val = bad[i].val;
        snprintf(what, sizeof what, "constant %.17g in %s", bad[i].val,
                 clinit_dtype_name(bad[i].dt));
        expect_all(what, CLINIT_EPARAM, &t, &in, 0, NBUF);
        cr_expect_eq(clinit_resolve(&t, &in, &r), CLINIT_EPARAM, "%s", what);
    }
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        clinit_tensor t = tensor2_dt(ok[i].dt);
        clinit_init in = test_init(CLINIT_CONSTANT);
        char what[64];
        in.val = ok[i].val;
        snprintf(what, sizeof what, "constant %.17g in %s (valid)", ok[i].val,
                 clinit_dtype_name(ok[i].dt));
        expect_host(what, CLINIT_OK, NULL, &t, &in, 0, NBUF);
    }
}

Test(errors, uniform_params_in_16_bit_dtypes)
{
    /* a and b are rounded to the dtype: the range must stay non-empty and
     * finite there */
    static const struct {
        clinit_dtype dt;
        double a, b;
    } bad[] = {
        {CLINIT_F16, 1.0, 1.0001},    /* both round to 1.0 */
        {CLINIT_F16, 1.0001, 1.0004}, /* both round to 1.0 */
        {CLINIT_F16, -1.0004, -1.0001},
        {CLINIT_F16, 0.0, 0x1p-26},     /* b rounds to 0 */
        {CLINIT_F16, 60000.0, 70000.0}, /* b overflows f16 */
        {CLINIT_F16, -70000.0, 0.0},    /* a overflows f16 */
        {CLINIT_BF16, 1.0, 1.003},      /* both round to 1.0 */
        {CLINIT_BF16, 3e38, 3.4e38},    /* b overflows bf16 */
        {CLINIT_F64, -1e308, 1e308},    /* b - a overflows */
        {CLINIT_F64, 1.0, 1.0},
        {CLINIT_F64, 0.0, INFINITY},
    };
    static const struct {
        clinit_dtype dt;
        double a, b;
    } ok[] = {
        {CLINIT_F16, 1.0, 1.0 + 0x1p-10},
        {CLINIT_F16, 1.0, 1.0006}, /* b rounds up to 1 + 2^-10 */
        {CLINIT_F16, -65504.0, 65504.0},
        {CLINIT_BF16, 1.0, 1.0 + 0x1p-7},
        {CLINIT_BF16, -1.5e38, 1.5e38},
        {CLINIT_F32, 1.0, 1.0001}, /* fine in f32 */
        {CLINIT_F64, 1.0, 1.0 + 0x1p-52},
        {CLINIT_F64, -1e300, 1e300},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        clinit_tensor t = tensor2_dt(bad[i].dt);
        clinit_init in = test_init(CLINIT_UNIFORM);
        clinit_resolved r;
        char what[96];
        in.a = bad[i].a;
        in.b = bad[i].b;
        snprintf(what, sizeof what, "uniform [%.17g, %.17g) in %s", bad[i].a,
                 bad[i].b, clinit_dtype_name(bad[i].dt));
        expect_all(what, CLINIT_EPARAM, &t, &in, 0, NBUF);
        cr_expect_eq(clinit_resolve(&t, &in, &r), CLINIT_EPARAM, "%s", what);
    }
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        clinit_tensor t = tensor2_dt(ok[i].dt);
        clinit_init in = test_init(CLINIT_UNIFORM);
        char what[96];
        in.a = ok[i].a;
        in.b = ok[i].b;
        snprintf(what, sizeof what, "uniform [%.17g, %.17g) in %s (valid)",
                 ok[i].a, ok[i].b, clinit_dtype_name(ok[i].dt));
        expect_host(what, CLINIT_OK, NULL, &t, &in, 0, NBUF);
    }
}

/* ---- enum values and names ------------------------------------------------
 */

Test(errors, unknown_enum_values)
{
    clinit_tensor t = tensor2();
    static const int bad_method[] = {21, 22, 99, -1, INT_MAX, INT_MIN};
    static const int bad_mode[] = {3, -1, 1000};
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
        {
            /* fan_avg is a known mode, but not kaiming's */
            clinit_init in = test_init((clinit_method)m);
            in.mode = CLINIT_FAN_AVG;
            expect_all("kaiming mode fan_avg", CLINIT_EMODE, &t, &in, 0, NBUF);
        }
        for (size_t i = 0; i < sizeof bad_nl / sizeof bad_nl[0]; i++) {
            clinit_init in = test_init((clinit_method)m);
            in.nonlinearity = (clinit_nonlinearity)bad_nl[i];
            expect_all("unknown nonlinearity", CLINIT_ENONLINEARITY, &t, &in, 0,
                       NBUF);
            cr_expect_eq(
                clinit_calculate_gain((clinit_nonlinearity)bad_nl[i], NAN, &g),
                CLINIT_ENONLINEARITY);
            cr_expect_null(
                clinit_nonlinearity_name((clinit_nonlinearity)bad_nl[i]));
        }
    }
    cr_expect_eq(g, 7.0, "gain written on error");
    {
        static const int bad_dist[] = {3, -1, 255};
        for (size_t i = 0; i < sizeof bad_dist / sizeof bad_dist[0]; i++) {
            clinit_init in = test_init(CLINIT_VARIANCE_SCALING);
            in.distribution = (clinit_distribution)bad_dist[i];
            expect_all("unknown distribution", CLINIT_EDISTRIBUTION, &t, &in, 0,
                       NBUF);
            cr_expect_null(
                clinit_distribution_name((clinit_distribution)bad_dist[i]));
            in = test_init(CLINIT_VARIANCE_SCALING);
            in.mode = (clinit_mode)bad_mode[i];
            expect_all("variance_scaling unknown mode", CLINIT_EMODE, &t, &in,
                       0, NBUF);
        }
    }
    {
        /* fields a method does not use are ignored */
        clinit_init in = test_init(CLINIT_XAVIER_NORMAL);
        in.mode = (clinit_mode)77;
        in.nonlinearity = (clinit_nonlinearity)77;
        in.a = NAN;
        in.std = -1;
        in.scale = NAN;
        in.distribution = (clinit_distribution)77;
        in.sparsity = NAN;
        in.groups = 0;
        expect_host("xavier ignores mode/nonlinearity (valid)", CLINIT_OK, NULL,
                    &t, &in, 0, 0);
    }
}

Test(errors, unknown_names)
{
    static const char *const bad_methods[] = {"",
                                              "_",
                                              "foo",
                                              "Uniform",
                                              "uniform ",
                                              " uniform",
                                              "xavier_uniform__",
                                              "xavier",
                                              "kaiming_normal_x",
                                              "uniform\n"};
    static const char *const bad_modes[] = {"",       "fan",   "fan_in_",
                                            "FAN_IN", "fanin", "fan_out "};
    static const char *const bad_nls[] = {"",     "Relu",  "relu_",
                                          "gelu", "leaky", "conv4d"};
    static const char *const bad_dtypes[] = {"",      "F32",  "fp32",  "float8",
                                             "int32", "f32_", "bfloat"};
    static const char *const bad_dists[] = {
        "",        "truncated", "truncated_normal_",
        "Uniform", "uniform_",  "untruncated",
        "normal_", "fan_in",    "truncated_normal "};
    for (size_t i = 0; i < sizeof bad_methods / sizeof bad_methods[0]; i++) {
        clinit_method m = (clinit_method)77;
        cr_expect_eq(clinit_method_from_name(bad_methods[i], &m),
                     CLINIT_EMETHOD, "method \"%s\"", bad_methods[i]);
        cr_expect_eq((int)m, 77, "method \"%s\": *out written", bad_methods[i]);
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
    for (size_t i = 0; i < sizeof bad_dists / sizeof bad_dists[0]; i++) {
        clinit_distribution d = (clinit_distribution)77;
        cr_expect_eq(clinit_distribution_from_name(bad_dists[i], &d),
                     CLINIT_EDISTRIBUTION, "distribution \"%s\"", bad_dists[i]);
        cr_expect_eq((int)d, 77);
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
        cr_expect_eq(clinit_nonlinearity_from_name("relu", NULL), CLINIT_ENULL);
        cr_expect_eq(clinit_dtype_from_name(NULL, &d), CLINIT_ENULL);
        cr_expect_eq(clinit_dtype_from_name("f32", NULL), CLINIT_ENULL);
        {
            clinit_distribution di = (clinit_distribution)77;
            cr_expect_eq(clinit_distribution_from_name(NULL, &di),
                         CLINIT_ENULL);
            cr_expect_eq(clinit_distribution_from_name("uniform", NULL),
                         CLINIT_ENULL);
            cr_expect_eq((int)di, 77);
        }
    }
}

/* A valid (tensor, init) of NBUF elements for every method. */
static void valid_case(clinit_method m, clinit_tensor *t, clinit_init *in)
{
    *in = test_init(m);
    *t = tensor2();
    if (m == CLINIT_DIRAC) {
        const int64_t s[3] = {16, 4, 4};
        *t = test_tensor(3, s, 42, 7);
    }
    if (m == CLINIT_CONSTANT)
        in->val = -2.5;
    if (m == CLINIT_SPARSE)
        in->sparsity = 0.25;
}

Test(errors, unsupported_dtypes)
{
    /* every dtype of the enum is supported: only values outside it are
     * errors */
    static const int bad[] = {CLINIT_DTYPE_COUNT, CLINIT_DTYPE_COUNT + 1, -1,
                              1000, INT_MAX, INT_MIN};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        for (int m = CLINIT_UNIFORM; m <= CLINIT_HE_NORMAL; m++) {
            char what[64];
            clinit_tensor t;
            clinit_init in;
            clinit_resolved r;
            valid_case((clinit_method)m, &t, &in);
            t.dtype = (clinit_dtype)bad[i];
            snprintf(what, sizeof what, "dtype %d, %s", bad[i],
                     clinit_method_name((clinit_method)m));
            expect_all(what, CLINIT_EDTYPE, &t, &in, 0, NBUF);
            cr_expect_eq(clinit_resolve(&t, &in, &r), CLINIT_EDTYPE, "%s",
                         what);
        }
    for (size_t d = 0; d < NDTYPES; d++)
        for (int m = CLINIT_UNIFORM; m <= CLINIT_HE_NORMAL; m++) {
            char what[64];
            clinit_tensor t;
            clinit_init in;
            clinit_resolved r;
            valid_case((clinit_method)m, &t, &in);
            t.dtype = all_dtypes[d];
            snprintf(what, sizeof what, "%s, %s (valid)",
                     clinit_dtype_name(all_dtypes[d]),
                     clinit_method_name((clinit_method)m));
            cr_expect_eq(clinit_resolve(&t, &in, &r), CLINIT_OK, "%s", what);
            expect_host(what, CLINIT_OK, NULL, &t, &in, 0, NBUF);
        }
    cr_expect_eq(clinit_dtype_size(CLINIT_DTYPE_COUNT), 0);
    cr_expect_eq(clinit_dtype_size((clinit_dtype)-1), 0);
    cr_expect_null(clinit_dtype_name(CLINIT_DTYPE_COUNT));
}

Test(errors, f64_on_the_device)
{
    /* CLINIT_ENOFP64 on a device without double precision, else a fill
     * like any other; validation errors come first either way */
    clinit_device_info info[16];
    size_t count = 0;
    const char *id = clinit_ctx_device_id(ocl());
    int has_fp64 = -1;
    cr_assert_eq(clinit_list_devices(info, 16, &count), CLINIT_OK);
    for (size_t i = 0; i < count && i < 16; i++)
        if (strcmp(info[i].id, id) == 0)
            has_fp64 = info[i].has_fp64;
    cr_assert_neq(has_fp64, -1, "%s is not listed", id);
    for (int m = CLINIT_UNIFORM; m <= CLINIT_HE_NORMAL; m++) {
        clinit_tensor t;
        clinit_init in;
        valid_case((clinit_method)m, &t, &in);
        t.dtype = CLINIT_F64;
        expect_device_ex(clinit_method_name((clinit_method)m),
                         has_fp64 ? CLINIT_OK : CLINIT_ENOFP64, ocl(), &t, &in,
                         0, NBUF, NBUF * 8, 0, 0, NULL);
    }
    {
        clinit_tensor t = tensor2_dt(CLINIT_F64);
        clinit_init in = test_init(CLINIT_NORMAL);
        in.std = -1;
        expect_device("f64 normal std -1", CLINIT_EPARAM, &t, &in, 0, NBUF);
    }
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
        {"2^96 (overflows uint64)",
         3,
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
        cr_expect_eq(clinit_numel(&t, &n), CLINIT_EOVERFLOW, "%s", bad[i].what);
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

/* ---- device buffers, contexts and queues -----------------------------------
 */

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
            {"offset SIZE_MAX / 4 (bytes do not overflow)", 0, 1, SIZE_MAX / 4},
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
        expect_device_ex("0 at offset 64 (valid)", CLINIT_OK, ocl(), &t, &in, 7,
                         7, bytes, 64, 0, NULL);
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
    for (int m = CLINIT_UNIFORM; m <= CLINIT_HE_NORMAL; m++) {
        clinit_init in;
        valid_case((clinit_method)m, &t, &in);
        expect_device_ex(clinit_method_name((clinit_method)m), CLINIT_ENODEVICE,
                         cpu, &t, &in, 0, NBUF, NBUF * 4, 0, 0, NULL);
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
        expect_host("cpu ctx host fill (valid)", CLINIT_OK, cpu, &t, &in, 0, 0);
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

/* ---- contexts and device names ----------------------------------------------
 */

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
    static const char *const bad[] = {"gpu",
                                      "GPU",
                                      "CPU",
                                      "cpu ",
                                      " cpu",
                                      "opencl:",
                                      "opencl:x.y",
                                      "opencl:0",
                                      "opencl:0.",
                                      "opencl:.0",
                                      "opencl:0.0junk",
                                      "opencl:0.0 ",
                                      "opencl:-1.0",
                                      "opencl:0.-1",
                                      "opencl:+0.0",
                                      "opencl:0.+0",
                                      "opencl:0:0",
                                      "opencl0.0",
                                      "OpenCL",
                                      "opencl ",
                                      "opencl:0.0.0",
                                      "opencl:99999999999999999999.0"};
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
        cr_expect_eq(st, CLINIT_ENODEVICE, "\"%s\": got %s", absent[i], sn(st));
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

/* ---- status codes
 * ------------------------------------------------------------ */

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
    cr_expect_eq(CLINIT_EDISTRIBUTION, -21);
    cr_expect_eq(CLINIT_EORTHOSIZE, -22);
    cr_expect_eq(CLINIT_ESUPPORT, -23);
    cr_expect_eq(CLINIT_EPARAMNAME, -24);
    cr_expect_eq(CLINIT_EHOSTONLY, -25);
    cr_expect_eq(CLINIT_EBOX, -26);
    /* new statuses may be appended; none may be renumbered or reused */
    cr_expect_geq(NSTATUS, 26);
    for (size_t i = 0; i < NSTATUS; i++)
        cr_expect_eq(statuses[i].value, -(int)i, "%s", statuses[i].name);
}

Test(errors, strerror_of_every_status)
{
    static const int unknown[] = {1, 2, -27, -1000, INT_MAX, INT_MIN};
    const char *unk = clinit_strerror(unknown[0]);
    cr_assert(unk != NULL);
    cr_expect(strstr(unk, "unknown") != NULL, "unknown status text: \"%s\"",
              unk);
    /* the newest status is known, the next value is not */
    cr_expect_str_eq(clinit_status_name(-25), "EHOSTONLY");
    cr_expect(strstr(clinit_strerror(-25), "per-element") != NULL, "%s",
              clinit_strerror(-25));
    cr_expect_str_eq(clinit_status_name(-26), "EBOX");
    cr_expect(strstr(clinit_strerror(-26), "box") != NULL, "%s",
              clinit_strerror(-26));
    for (size_t k = 0; k < sizeof unknown / sizeof unknown[0]; k++) {
        cr_expect_str_eq(clinit_strerror(unknown[k]), unk, "status %d",
                         unknown[k]);
        cr_expect_str_eq(clinit_status_name(unknown[k]), "UNKNOWN", "status %d",
                         unknown[k]);
    }
    for (size_t i = 0; i < NSTATUS; i++) {
        const char *s = clinit_strerror(statuses[i].value);
        cr_assert(s != NULL, "%s", statuses[i].name);
        cr_expect(s[0] != '\0', "%s: empty message", statuses[i].name);
        cr_expect_str_eq(s, statuses[i].msg, "%s", statuses[i].name);
        cr_expect_str_neq(s, unk, "%s reads as unknown", statuses[i].name);
        cr_expect_str_neq(clinit_status_name(statuses[i].value), "UNKNOWN",
                          "%s", statuses[i].name);
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
