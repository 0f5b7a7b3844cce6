/* test_stream.c - the stream contract of docs/STREAM.md, version 1.
 *
 *  - the element -> (counter, word) mapping, checked against Random123's
 *    own philox4x32() as an independent oracle;
 *  - Box-Muller pairing inside a counter;
 *  - golden values: fixed (seed, stream, method, params, shape) -> exact
 *    bits. Any change that alters an output fails here. Never edit an
 *    expected value to make a change pass: a new contract needs a new
 *    CLINIT_STREAM_VERSION.
 *
 * The tables and how a case is computed: tests/golden.h; the program that
 * prints them (never a test): tests/golden_gen.c.
 */
#include <Random123/philox.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "golden.h"

TestSuite(stream, .timeout = 120);

/* Random123's words for element i of a 32-bit dtype (docs/STREAM.md). */
static uint32_t oracle_word(uint64_t seed, uint64_t stream, uint64_t i)
{
    uint64_t B = i / 64, j = i % 64, ctr = 16 * B + j % 16;
    philox4x32_ctr_t c = {{(uint32_t)ctr, (uint32_t)(ctr >> 32),
                           (uint32_t)stream, (uint32_t)(stream >> 32)}};
    philox4x32_key_t k = {{(uint32_t)seed, (uint32_t)(seed >> 32)}};
    return philox4x32(c, k).v[j / 16];
}

static uint64_t mix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

Test(stream, mapping_matches_random123)
{
    /* uniform(0, 1) in f32 is exactly (word >> 8) * 2^-24 */
    int64_t shape[2] = {1 << 20, 1 << 20}; /* 2^40 elements */
    uint64_t s = 1;
    clinit_init in = test_init(CLINIT_UNIFORM);
    for (int trial = 0; trial < 2000; trial++) {
        uint64_t seed = mix(&s), stream = trial % 3 ? mix(&s) : 0;
        uint64_t i = mix(&s) % ((1ull << 40) - 3);
        clinit_tensor t = test_tensor(2, shape, seed, stream);
        float v[3];
        uint32_t w[3];
        cr_assert_eq(clinit_fill_host(NULL, &t, &in, i, i + 3, v), CLINIT_OK);
        cr_assert_eq(clinit_stream_words(seed, stream, i, 3, w), CLINIT_OK);
        for (int k = 0; k < 3; k++) {
            uint32_t o = oracle_word(seed, stream, i + k);
            cr_assert_eq(w[k], o, "stream word %llu", (unsigned long long)i);
            cr_assert_eq(v[k], (float)(o >> 8) * 0x1p-24f, "element %llu: %a",
                         (unsigned long long)(i + k), v[k]);
        }
    }
}

Test(stream, boxmuller_pairs_share_a_counter)
{
    /* slots l and 16 + l of a block are (r cos, r sin) of one counter with
     * r^2 = -2 ln u, u = float((w0 >> 1) * 2^-31 + 2^-32) */
    int64_t shape[1] = {64 * 50};
    clinit_tensor t = test_tensor(1, shape, 77, 3);
    clinit_init in = test_init(CLINIT_NORMAL);
    float z[64 * 50];
    cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, 64 * 50, z), CLINIT_OK);
    for (uint64_t B = 0; B < 50; B++)
        for (int l = 0; l < 16; l++)
            for (int pair = 0; pair < 2; pair++) {
                uint64_t i0 = 64 * B + 32 * pair + l;
                uint32_t w = oracle_word(77, 3, i0);
                /* u as the generator rounds it to float */
                double u = fmaf((float)(int32_t)(w >> 1), 0x1p-31f, 0x1p-32f);
                double r2 = -2 * log(u);
                double got =
                    (double)z[i0] * z[i0] + (double)z[i0 + 16] * z[i0 + 16];
                cr_assert(fabs(got - r2) <= 1e-5 * (r2 + 1e-3),
                          "block %llu lane %d: r^2 %.9g vs %.9g",
                          (unsigned long long)B, l, got, r2);
            }
}

Test(stream, uniform_never_returns_b)
{
    /* a range only 3 floats wide: fma(u, scale, a) rounds to b for the
     * largest u; the clamp must keep it below */
    int64_t shape[1] = {1 << 16};
    clinit_tensor t = test_tensor(1, shape, 1, 0);
    clinit_init in = test_init(CLINIT_UNIFORM);
    static float v[1 << 16];
    float b = 1.0f + 3 * 0x1p-23f;
    int seen_top = 0;
    in.a = 1.0;
    in.b = b;
    cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, 1 << 16, v), CLINIT_OK);
    for (int i = 0; i < 1 << 16; i++) {
        cr_assert(v[i] >= 1.0f && v[i] < b, "v[%d] = %a", i, v[i]);
        seen_top |= v[i] == nextafterf(b, 0);
    }
    cr_expect(seen_top, "the largest float below b never occurred");
}

/* ---- golden values (tests/golden.h) -------------------------------------- */



static void run_golden(const golden *g, clinit_ctx *ctx)
{
    clinit_tensor t = test_tensor(g->ndim, g->shape, g->seed, g->stream);
    clinit_init in = golden_init(g);
    size_t n = (size_t)(g->hi - g->lo);
    float *v = malloc(n * 4);
    cr_assert(v);
    if (ctx) {
        cl_mem b = test_buffer(ctx, n * 4, 0);
        cr_assert_eq(clinit_enqueue_fill(ctx, &t, &in, g->lo, g->hi, b, 0, 0,
                                         NULL, NULL),
                     CLINIT_OK, "%s", g->name);
        test_read(ctx, b, 0, n * 4, v);
        clReleaseMemObject(b);
    } else {
        cr_assert_eq(clinit_fill_host(NULL, &t, &in, g->lo, g->hi, v),
                     CLINIT_OK, "%s", g->name);
    }
    for (int k = 0; k < 4; k++)
        cr_expect_eq(test_bits(v[k]), g->first[k],
                     "%s (%s): element %d is %08x, golden %08x", g->name,
                     ctx ? "opencl" : "cpu", k, test_bits(v[k]),
                     g->first[k]);
    cr_expect_eq(fnv1a(v, n * 4), g->fnv, "%s (%s): output hash changed",
                 g->name, ctx ? "opencl" : "cpu");
    free(v);
}

Test(stream, golden_cpu)
{
    for (size_t i = 0; i < sizeof goldens / sizeof goldens[0]; i++)
        run_golden(&goldens[i], NULL);
}

Test(stream, golden_every_cpu_variant)
{
    /* the generic, AVX2 and AVX-512 loops of the CPU path give the same
     * bits (each variant the machine can run) */
    int best = clinit_cpu_isa();
    for (int isa = CLINIT_ISA_GENERIC; isa <= best; isa++) {
        clinit_cpu_force_isa(isa);
        cr_assert_eq(clinit_cpu_isa(), isa);
        for (size_t i = 0; i < sizeof goldens / sizeof goldens[0]; i++)
            run_golden(&goldens[i], NULL);
    }
    clinit_cpu_force_isa(-1);
    cr_log_info("CPU variants checked: 0..%d", best);
}

Test(stream, golden_opencl)
{
    clinit_ctx *ctx = test_opencl_ctx();
    for (size_t i = 0; i < sizeof goldens / sizeof goldens[0]; i++)
        run_golden(&goldens[i], ctx);
    clinit_ctx_destroy(ctx);
}

/* ---- golden values of every method and dtype ------------------------------
 */



static void run_golden2(const golden2 *g, clinit_ctx *ctx)
{
    clinit_tensor t = test_tensor(g->ndim, g->shape, g->seed, g->stream);
    clinit_init in;
    size_t n = (size_t)(g->hi - g->lo), es;
    void *v;
    t.dtype = g->dtype;
    in = golden2_init(g);
    es = clinit_dtype_size(g->dtype);
    v = calloc(n + 4, es);
    cr_assert(v);
    if (ctx && g->dtype == CLINIT_F64 && !test_has_fp64(ctx)) {
        test_f64_refused(ctx, &t, &in, g->lo, g->hi);
        free(v);
        return;
    }
    if (ctx) {
        cl_mem b = test_buffer(ctx, n * es, 0);
        cr_assert_eq(clinit_enqueue_fill(ctx, &t, &in, g->lo, g->hi, b, 0, 0,
                                         NULL, NULL),
                     CLINIT_OK, "%s", g->name);
        test_read(ctx, b, 0, n * es, v);
        clReleaseMemObject(b);
    } else {
        cr_assert_eq(clinit_fill_host(NULL, &t, &in, g->lo, g->hi, v),
                     CLINIT_OK, "%s", g->name);
    }
    for (size_t k = 0; k < 4 && k < n; k++)
        cr_expect_eq(elem_bits(v, es, k), g->first[k],
                     "%s (%s): element %zu is %llx, golden %llx", g->name,
                     ctx ? "opencl" : "cpu", k,
                     (unsigned long long)elem_bits(v, es, k),
                     (unsigned long long)g->first[k]);
    cr_expect_eq(fnv1a(v, n * es), g->fnv, "%s (%s): output hash changed",
                 g->name, ctx ? "opencl" : "cpu");
    free(v);
}

Test(stream, golden_methods_dtypes_cpu)
{
    int best = clinit_cpu_isa();
    for (int isa = CLINIT_ISA_GENERIC; isa <= best; isa++) {
        clinit_cpu_force_isa(isa);
        for (size_t i = 0; i < sizeof goldens2 / sizeof goldens2[0]; i++)
            run_golden2(&goldens2[i], NULL);
        for (size_t i = 0; i < sizeof goldens_f8 / sizeof goldens_f8[0]; i++)
            run_golden2(&goldens_f8[i], NULL);
    }
    clinit_cpu_force_isa(-1);
}

Test(stream, golden_methods_dtypes_opencl)
{
    clinit_ctx *ctx = test_opencl_ctx();
    for (size_t i = 0; i < sizeof goldens2 / sizeof goldens2[0]; i++)
        run_golden2(&goldens2[i], ctx);
    for (size_t i = 0; i < sizeof goldens_f8 / sizeof goldens_f8[0]; i++)
        run_golden2(&goldens_f8[i], ctx);
    clinit_ctx_destroy(ctx);
}
