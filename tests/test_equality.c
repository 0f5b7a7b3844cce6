/* test_equality.c - the CPU path and the OpenCL path produce identical
 * bytes (memcmp) for every method, over odd sizes, non-zero buffer
 * offsets, sub-ranges, several seeds and streams, and 64-bit ranges. The
 * CPU path is the oracle (ggml test-backend-ops style). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static clinit_ctx *ctx;

static void setup(void)
{
    ctx = test_opencl_ctx();
}
static void teardown(void)
{
    clinit_ctx_destroy(ctx);
}

TestSuite(equality, .init = setup, .fini = teardown, .timeout = 300);

/* Fills [lo, hi) of t on the CPU path and into a device buffer at element
 * `off` (guard elements around it must stay untouched); memcmp. */
static void check(const clinit_tensor *t, const clinit_init *in, uint64_t lo,
                  uint64_t hi, size_t off, const char *what)
{
    size_t n = (size_t)(hi - lo), guard = 37;
    size_t total = off + n + guard;
    float *host = malloc(n * 4 + 4), *dev = malloc(total * 4);
    cl_mem b = test_buffer(ctx, total * 4, 0x7f);
    cl_event ev = NULL;
    clinit_status st;
    cr_assert(host && dev);
    st = clinit_fill_host(NULL, t, in, lo, hi, host);
    cr_assert_eq(st, CLINIT_OK, "%s: host: %s", what, clinit_strerror(st));
    st = clinit_enqueue_fill(ctx, t, in, lo, hi, b, off, 0, NULL, &ev);
    cr_assert_eq(st, CLINIT_OK, "%s: device: %s %s", what, clinit_strerror(st),
                 clinit_ctx_build_log(ctx));
    cr_assert_eq(clWaitForEvents(1, &ev), CL_SUCCESS);
    clReleaseEvent(ev);
    test_read(ctx, b, 0, total * 4, dev);
    for (size_t i = 0; i < off; i++)
        cr_assert_eq(test_bits(dev[i]), 0x7f7f7f7fu, "%s: wrote before offset",
                     what);
    for (size_t i = off + n; i < total; i++)
        cr_assert_eq(test_bits(dev[i]), 0x7f7f7f7fu, "%s: wrote past the end",
                     what);
    if (memcmp(host, dev + off, n * 4) != 0) {
        size_t i = 0;
        while (test_bits(host[i]) == test_bits(dev[off + i]))
            i++;
        cr_assert_fail("%s: element %llu differs: cpu %08x (%.9g) opencl %08x "
                       "(%.9g)",
                       what, (unsigned long long)(lo + i), test_bits(host[i]),
                       host[i], test_bits(dev[off + i]), dev[off + i]);
    }
    clReleaseMemObject(b);
    free(host);
    free(dev);
}

static clinit_init method_init(clinit_method m, int variant)
{
    clinit_init in = test_init(m);
    switch (m) {
    case CLINIT_UNIFORM:
        in.a = variant ? -0.25 : -3.0;
        in.b = variant ? 1e-3 : 7.5;
        break;
    case CLINIT_NORMAL:
        in.mean = variant ? 0.5 : 0.0;
        in.std = variant ? 0.02 : 1.0;
        break;
    case CLINIT_CONSTANT:
        in.val = variant ? -2.5 : 0.1;
        break;
    case CLINIT_XAVIER_UNIFORM:
    case CLINIT_XAVIER_NORMAL:
        in.gain = variant ? 5.0 / 3 : 1.0;
        break;
    case CLINIT_KAIMING_UNIFORM:
    case CLINIT_KAIMING_NORMAL:
        in.mode = variant ? CLINIT_FAN_OUT : CLINIT_FAN_IN;
        in.nonlinearity = variant ? CLINIT_NL_RELU : CLINIT_NL_LEAKY_RELU;
        in.a = variant ? 0.0 : 0.2;
        break;
    default:
        break;
    }
    return in;
}

static const clinit_method all_methods[] = {
    CLINIT_UNIFORM,       CLINIT_NORMAL,
    CLINIT_CONSTANT,      CLINIT_ZEROS,
    CLINIT_ONES,          CLINIT_XAVIER_UNIFORM,
    CLINIT_XAVIER_NORMAL, CLINIT_KAIMING_UNIFORM,
    CLINIT_KAIMING_NORMAL};
#define NMETHODS (sizeof all_methods / sizeof all_methods[0])

/* odd shapes: sizes 1, 63, 64, 65, 1001, 3*5*7*11, 4099*3 ... */
static const int64_t shapes[][4] = {
    {1, 1, 0, 0},   {7, 9, 0, 0},  {1, 64, 0, 0},   {5, 13, 0, 0},
    {13, 77, 0, 0}, {3, 5, 7, 11}, {4099, 3, 0, 0}, {33, 17, 3, 3}};
static const int shape_ndim[] = {2, 2, 2, 2, 2, 4, 2, 4};
#define NSHAPES (sizeof shape_ndim / sizeof shape_ndim[0])

Test(equality, every_method_whole_tensors)
{
    char what[160];
    for (size_t m = 0; m < NMETHODS; m++)
        for (size_t s = 0; s < NSHAPES; s++)
            for (int v = 0; v < 2; v++) {
                clinit_tensor t =
                    test_tensor(shape_ndim[s], shapes[s],
                                v ? 0xdeadbeefcafef00dull : 42, v ? 3 : 0);
                clinit_init in = method_init(all_methods[m], v);
                uint64_t n;
                cr_assert_eq(clinit_numel(&t, &n), CLINIT_OK);
                snprintf(what, sizeof what, "%s shape#%zu variant %d",
                         clinit_method_name(all_methods[m]), s, v);
                check(&t, &in, 0, n, v ? 5 : 0, what);
            }
}

Test(equality, seeds_and_streams)
{
    static const uint64_t seeds[] = {0, 1, 0xffffffffull, 1ull << 32,
                                     0xffffffffffffffffull};
    static const uint64_t streams[] = {0, 1, 0x100000000ull,
                                       0xffffffffffffffffull};
    int64_t shape[2] = {129, 3};
    char what[160];
    for (size_t a = 0; a < 5; a++)
        for (size_t b = 0; b < 4; b++)
            for (int m = 0; m < 2; m++) {
                clinit_tensor t = test_tensor(2, shape, seeds[a], streams[b]);
                clinit_init in =
                    method_init(m ? CLINIT_NORMAL : CLINIT_UNIFORM, 0);
                snprintf(what, sizeof what, "seed %zu stream %zu method %d", a,
                         b, m);
                check(&t, &in, 0, 387, 3, what);
            }
}

Test(equality, sub_ranges_and_offsets)
{
    int64_t shape[2] = {1000, 37}; /* 37000 elements */
    static const uint64_t ranges[][2] = {
        {0, 1},     {1, 2},      {63, 65},       {64, 128},    {5, 37000},
        {100, 101}, {127, 1000}, {36999, 37000}, {640, 36990}, {17, 17}};
    char what[160];
    for (int m = 0; m < 2; m++)
        for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
            clinit_tensor t = test_tensor(2, shape, 7, 11);
            clinit_init in = method_init(
                m ? CLINIT_KAIMING_NORMAL : CLINIT_XAVIER_UNIFORM, 1);
            snprintf(what, sizeof what, "range [%llu, %llu) method %d",
                     (unsigned long long)ranges[r][0],
                     (unsigned long long)ranges[r][1], m);
            check(&t, &in, ranges[r][0], ranges[r][1], r * 3 % 17, what);
        }
}

Test(equality, ranges_above_2_32_and_near_2_40)
{
    /* 2^40 elements; only slices are allocated */
    int64_t shape[2] = {1 << 20, 1 << 20};
    static const uint64_t starts[] = {(1ull << 32) - 70, (1ull << 32) + 5,
                                      (1ull << 36) + 33, (1ull << 40) - 1000};
    char what[160];
    for (int m = 0; m < 2; m++)
        for (size_t s = 0; s < 4; s++) {
            clinit_tensor t = test_tensor(2, shape, 99, 5);
            clinit_init in = method_init(m ? CLINIT_NORMAL : CLINIT_UNIFORM, 1);
            snprintf(what, sizeof what, "start %llu method %d",
                     (unsigned long long)starts[s], m);
            check(&t, &in, starts[s], starts[s] + 1000, 1, what);
        }
}

Test(equality, large_tensor_multithreaded)
{
    /* large enough for the CPU path to use every thread */
    int64_t shape[2] = {1024, 1531};
    char what[64];
    for (int m = 0; m < 2; m++) {
        clinit_tensor t = test_tensor(2, shape, 2024, 1);
        clinit_init in =
            method_init(m ? CLINIT_XAVIER_NORMAL : CLINIT_KAIMING_UNIFORM, 0);
        snprintf(what, sizeof what, "large method %d", m);
        check(&t, &in, 0, 1024 * 1531, 0, what);
    }
}

Test(equality, split_fills_equal_whole)
{
    /* the device range split in pieces, enqueued out of order, equals one
     * whole fill: no dependence on chunking or call order */
    int64_t shape[2] = {300, 301};
    uint64_t n = 300 * 301;
    static const uint64_t cuts[] = {0, 1, 64, 999, 1000, 50000, 90299, 90300};
    clinit_tensor t = test_tensor(2, shape, 5, 6);
    clinit_init in = method_init(CLINIT_NORMAL, 1);
    float *whole = malloc(n * 4), *dev = malloc(n * 4);
    cl_mem b = test_buffer(ctx, n * 4, 0);
    cr_assert(whole && dev);
    cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, n, whole), CLINIT_OK);
    for (int k = 6; k >= 0; k--)
        cr_assert_eq(clinit_enqueue_fill(ctx, &t, &in, cuts[k], cuts[k + 1], b,
                                         cuts[k], 0, NULL, NULL),
                     CLINIT_OK);
    cr_assert_eq(clFinish(clinit_ctx_queue(ctx)), CL_SUCCESS);
    test_read(ctx, b, 0, n * 4, dev);
    cr_expect_arr_eq(whole, dev, n * 4);
    clReleaseMemObject(b);
    free(whole);
    free(dev);
}
