/* test_philox.c - Philox4x32-10 on both paths: Random123's known-answer
 * vectors, and a cross-check against librandom123's philox4x32() (test-only
 * dependency) on 2^20 random (counter, key) pairs. */
#include <Random123/philox.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "clinit_philox.h"

typedef struct kat {
    uint32_t ctr[4], key[2], out[4];
} kat;

/* Random123 1.14 examples/kat_vectors, philox4x32_10 */
static const kat kats[] = {
    {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
    {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
     {0xffffffff, 0xffffffff},
     {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
     {0xa4093822, 0x299f31d0},
     {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
};

#define NPAIRS (1u << 20)

/* splitmix64: test inputs only */
static uint64_t mix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

TestSuite(philox);

Test(philox, kat_cpu)
{
    for (size_t i = 0; i < sizeof kats / sizeof kats[0]; i++) {
        uint32_t x[4];
        memcpy(x, kats[i].ctr, sizeof x);
        clinit_philox4x32_10(x, kats[i].key[0], kats[i].key[1]);
        for (int w = 0; w < 4; w++)
            cr_expect_eq(x[w], kats[i].out[w], "kat %zu word %d: %08x", i, w,
                         x[w]);
    }
}

Test(philox, kat_raw_api_cpu)
{
    for (size_t i = 0; i < sizeof kats / sizeof kats[0]; i++) {
        uint32_t out[4];
        cr_assert_eq(clinit_philox_raw(kats[i].key, kats[i].ctr, 4, out),
                     CLINIT_OK);
        cr_expect_arr_eq(out, kats[i].out, sizeof out, "kat %zu", i);
    }
}

Test(philox, kat_device)
{
    clinit_ctx *ctx = test_opencl_ctx();
    uint32_t in[16 * 6], out[16 * 4];
    for (size_t p = 0; p < 16; p++) {
        const kat *k = &kats[p % 3];
        memcpy(&in[6 * p], k->ctr, 16);
        memcpy(&in[6 * p + 4], k->key, 8);
    }
    cr_assert_eq(clinit_debug_philox_device(ctx, in, 16, out), CLINIT_OK, "%s",
                 clinit_ctx_build_log(ctx));
    for (size_t p = 0; p < 16; p++)
        cr_expect_arr_eq(&out[4 * p], kats[p % 3].out, 16, "pair %zu", p);
    clinit_ctx_destroy(ctx);
}

Test(philox, raw_device_counter_carry)
{
    /* the raw kernel advances the counter as a 128-bit integer: start just
     * below a 64-bit carry and compare with the host's words */
    clinit_ctx *ctx = test_opencl_ctx();
    uint32_t key[2] = {0x01234567, 0x89abcdef};
    uint32_t ctr[4] = {0xfffffff0, 0xffffffff, 0xffffffff, 7};
    enum { N = 4 * 1000 + 3 };
    static uint32_t host[N], dev[N];
    cl_mem b = test_buffer(ctx, sizeof dev, 0);
    cr_assert_eq(clinit_philox_raw(key, ctr, N, host), CLINIT_OK);
    cr_assert_eq(clinit_philox_raw_device(ctx, key, ctr, N, b), CLINIT_OK);
    test_read(ctx, b, 0, sizeof dev, dev);
    cr_expect_arr_eq(host, dev, sizeof dev);
    /* and against Random123 directly at the carry */
    {
        philox4x32_ctr_t c = {{0, 0, 0, 8}};
        philox4x32_key_t k = {{key[0], key[1]}};
        philox4x32_ctr_t r = philox4x32(c, k);
        cr_expect_arr_eq(&host[4 * 16], r.v, 16, "counter after carry");
    }
    clReleaseMemObject(b);
    clinit_ctx_destroy(ctx);
}

Test(philox, random123_cross_check_cpu_and_device, .timeout = 120)
{
    clinit_ctx *ctx = test_opencl_ctx();
    uint32_t *in = malloc(NPAIRS * 24), *dev = malloc(NPAIRS * 16);
    uint64_t s = 12345;
    size_t bad_cpu = 0, bad_dev = 0;
    cr_assert(in && dev);
    for (size_t p = 0; p < NPAIRS; p++)
        for (int i = 0; i < 6; i += 2) {
            uint64_t r = mix(&s);
            in[6 * p + i] = (uint32_t)r;
            in[6 * p + i + 1] = (uint32_t)(r >> 32);
        }
    cr_assert_eq(clinit_debug_philox_device(ctx, in, NPAIRS, dev), CLINIT_OK);
    for (size_t p = 0; p < NPAIRS; p++) {
        philox4x32_ctr_t c = {
            {in[6 * p], in[6 * p + 1], in[6 * p + 2], in[6 * p + 3]}};
        philox4x32_key_t k = {{in[6 * p + 4], in[6 * p + 5]}};
        philox4x32_ctr_t r = philox4x32(c, k);
        uint32_t x[4] = {c.v[0], c.v[1], c.v[2], c.v[3]};
        clinit_philox4x32_10(x, k.v[0], k.v[1]);
        bad_cpu += memcmp(x, r.v, 16) != 0;
        bad_dev += memcmp(&dev[4 * p], r.v, 16) != 0;
    }
    cr_expect_eq(bad_cpu, 0, "%zu of %u pairs differ from Random123 (CPU)",
                 bad_cpu, NPAIRS);
    cr_expect_eq(bad_dev, 0, "%zu of %u pairs differ from Random123 (device)",
                 bad_dev, NPAIRS);
    free(in);
    free(dev);
    clinit_ctx_destroy(ctx);
}
