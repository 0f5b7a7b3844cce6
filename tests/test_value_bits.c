/* test_value_bits.c - the CPU path's faster forms give the portable forms'
 * bits for every input that can reach them (exhaustive where the domain
 * allows):
 *  - uniform's fast path (kernels/clinit_stream.h clinit_uniform_fast_f32:
 *    scale 2^-24 folded into the fma, the clamps as min / max, no flush),
 *    wherever clinit_uniform_fast_ok admits the parameters: every one of
 *    the 2^24 values of x >> 8, for edge-case and random parameters, the
 *    admitted ones on both sides of each bound of the rule;
 *  - the same fast path of f64 (clinit_uniform_fast_f64): 2^20 random k
 *    and the ends of [0, 2^53) per parameter set (2^53 values are too
 *    many; the rule's argument is the f32 one with 53-bit k);
 *  - x86's minps / maxps (CLINIT_MIN_F / CLINIT_MAX_F on AVX2) against the
 *    selects they replace, every non-NaN f32 against +0, -0 and 1.5;
 *  - F16C's vcvtps2ph (round to nearest even) against clinit_f16_bits,
 *    every one of the 2^32 - 2^24 non-NaN f32 patterns;
 *  - vsqrtps against clinit_sqrt_f32 for +0 and every positive normal
 *    float, and Box-Muller's r^2 = 0 - 2 log(u), its argument, inside that
 *    domain for all 2^31 u;
 *  - trunc_normal's sqrt (clinit_sqrt_fin_f32: vsqrtps with a mask)
 *    against clinit_sqrt_f32 on every finite float;
 *  - the exact 53-bit-integer-to-double conversion of the f64 pipeline
 *    (clinit_k2d_magic, what the AVX2 variant runs) against C's conversion, every high part (2^21 + 1 of
 *    them, 2^53 included) with edge and random low parts;
 *  - eye_ / dirac_'s pattern by rows (clinit_pattern_run) against the
 *    per-element rule (clinit_pattern_one), every run of every length up
 *    to 16 of small shapes, groups and kernel sizes, and far offsets.
 * The x86 passes (tests/value_bits_avx2.c: kernels/ as the AVX2 variant
 * compiles them) run where the CPU has AVX2, FMA and F16C (the AVX2
 * variant's requirement, src/cpu/backend.c); elsewhere they fail, since
 * that variant is what they vouch for. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clinit_dtype.h"
#include "clinit_stream.h"
#include "common.h"
#include "value_bits.h"

TestSuite(value_bits, .timeout = 300);

static uint32_t bits_of(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}
static float of_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* xorshift64*: the random parameters (fixed seed) */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd32(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

/* a float of biased exponent e (1..254) and random mantissa, random sign
 * when sign < 0 */
static float rnd_float(unsigned e, int sign)
{
    uint32_t s = sign < 0 ? (rnd32() & 0x80000000u) : (sign ? 0x80000000u : 0u);
    return of_bits(s | (e << 23) | (rnd32() & 0x7fffffu));
}

/* number of n in [0, 2^24) where the two forms differ */
static uint32_t uniform_diffs(float lo, float scale, float top, float bottom)
{
    float c = scale * 0x1p-24f;
    uint32_t bad = 0;
    for (uint32_t n = 0; n < (1u << 24); n++) {
        uint32_t x = n << 8 | (n & 0xffu); /* low bits are ignored */
        float slow = clinit_uniform_f32(x, lo, scale, top, bottom);
        float fast = clinit_uniform_fast_f32(x, lo, c, top, bottom);
        bad += bits_of(slow) != bits_of(fast);
    }
    return bad;
}

static void check_uniform(float lo, float scale, float top, float bottom,
                          int *admitted)
{
    if (!clinit_uniform_fast_ok(lo, scale, top, bottom))
        return;
    (*admitted)++;
    uint32_t bad = uniform_diffs(lo, scale, top, bottom);
    cr_expect_eq(bad, 0u,
                 "uniform fast path: lo %a scale %a top %a bottom %a: %u of "
                 "2^24 values differ",
                 lo, scale, top, bottom, bad);
}

Test(value_bits, uniform_fast_every_n)
{
    /* the library's own parameter shapes: [lo, hi), top below hi, bottom
     * lo (f32) or a dtype's value above lo */
    static const float ranges[][2] = {
        {0.0f, 1.0f},       {-1.0f, 1.0f},     {-2.5f, 0.75f},
        {-0.0625f, 0.0625f}, {1000.0f, 1001.0f}, {-1.7e38f, 1.7e38f},
        {1e-30f, 2e-30f},   {-3e-3f, 3e-3f},   {0.0f, 0x1p-100f},
        {-0x1p-102f, 0x1p-102f}};
    int admitted = 0, tested = 0;
    for (size_t k = 0; k < sizeof ranges / sizeof ranges[0]; k++) {
        float lo = ranges[k][0], hi = ranges[k][1];
        float scale = hi - lo, top = nextafterf(hi, -INFINITY);
        check_uniform(lo, scale, top, lo, &admitted);
        tested++;
    }
    /* the bounds of the rule: scale's biased exponent 48 (admitted) and
     * 47 (refused), lo's 24 and 23, top / bottom FLT_MIN (admitted) and the
     * largest subnormal (refused), zeros of both signs */
    for (int j = 0; j < 6; j++) {
        float s48 = rnd_float(48, 0), s49 = rnd_float(49, 0);
        float l24 = rnd_float(24, -1);
        check_uniform(0.0f, s48, s48, 0.0f, &admitted);
        check_uniform(-0.0f, s49, FLT_MIN, -0.0f, &admitted);
        check_uniform(l24, s48, l24 + s48, l24, &admitted);
        check_uniform(-FLT_MIN, s49, FLT_MIN, -FLT_MIN, &admitted);
        tested += 4;
        cr_expect(!clinit_uniform_fast_ok(0.0f, rnd_float(47, 0), 1.0f, 0.0f));
        cr_expect(!clinit_uniform_fast_ok(rnd_float(23, 0), 1.0f, 1.0f, 0.0f));
        cr_expect(!clinit_uniform_fast_ok(0.0f, 1.0f, of_bits(0x7fffffu), 0.0f));
        cr_expect(!clinit_uniform_fast_ok(0.0f, 1.0f, 1.0f, of_bits(0x80000001u)));
    }
    /* random admitted parameters over the whole exponent range */
    while (tested < 54) {
        float lo = (rnd32() & 3u) == 0 ? 0.0f : rnd_float(24 + rnd32() % 231, -1);
        float scale = rnd_float(48 + rnd32() % 207, 0);
        float top = lo + scale, bottom = lo;
        if (rnd32() & 1u) { /* clamps that bite */
            top = lo + scale * 0.5f;
            bottom = lo + scale * 0.25f;
        }
        if (!isfinite(top) || !isfinite(bottom))
            continue;
        check_uniform(lo, scale, top, bottom, &admitted);
        tested++;
    }
    cr_expect(admitted >= 40, "only %d of %d parameter sets admitted", admitted,
              tested);
    cr_log_info("uniform fast path: %d of %d parameter sets admitted", admitted,
                tested);
}

#if defined(__x86_64__)
#include <immintrin.h>

static int have_avx2_f16c(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
           __builtin_cpu_supports("f16c");
}

/* differences of minps(a, v) from (v > a ? a : v) and of maxps(a, v) from
 * (v < a ? a : v) over every non-NaN v */
__attribute__((target("avx2"))) static uint64_t minmax_diffs(float a)
{
    uint64_t bad = 0;
    __m256 va = _mm256_set1_ps(a);
    __m256i step = _mm256_set1_epi32(8);
    __m256i u = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (uint64_t i = 0; i < (1ull << 32); i += 8) {
        __m256 v = _mm256_castsi256_ps(u);
        __m256 mn = _mm256_min_ps(va, v), mx = _mm256_max_ps(va, v);
        __m256 gt = _mm256_cmp_ps(v, va, _CMP_GT_OQ);
        __m256 lt = _mm256_cmp_ps(v, va, _CMP_LT_OQ);
        __m256 want_mn = _mm256_blendv_ps(v, va, gt);
        __m256 want_mx = _mm256_blendv_ps(v, va, lt);
        __m256 nan = _mm256_cmp_ps(v, v, _CMP_UNORD_Q);
        __m256i d = _mm256_or_si256(
            _mm256_xor_si256(_mm256_castps_si256(mn),
                             _mm256_castps_si256(want_mn)),
            _mm256_xor_si256(_mm256_castps_si256(mx),
                             _mm256_castps_si256(want_mx)));
        d = _mm256_andnot_si256(_mm256_castps_si256(nan), d);
        __m256i ne = _mm256_cmpeq_epi32(d, _mm256_setzero_si256());
        bad += 8u - (unsigned)__builtin_popcount(
                        (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(ne)));
        u = _mm256_add_epi32(u, step);
    }
    return bad;
}

Test(value_bits, minmax_every_f32)
{
    cr_assert(have_avx2_f16c(), "this CPU lacks AVX2 / FMA / F16C");
    static const float as[] = {0.0f, -0.0f, 1.5f};
    for (size_t k = 0; k < sizeof as / sizeof as[0]; k++) {
        uint64_t bad = minmax_diffs(as[k]);
        cr_expect_eq(bad, 0u, "minps / maxps against %a: %llu values differ",
                     as[k], (unsigned long long)bad);
    }
}

/* a quarter of the patterns each, so that Criterion's jobs share them */
#define CLINIT_F16C_TEST_(q)                                                   \
    Test(value_bits, f16c_every_f32_##q)                                       \
    {                                                                          \
        cr_assert(have_avx2_f16c(), "this CPU lacks AVX2 / FMA / F16C");       \
        uint32_t example = 0;                                                  \
        uint64_t bad =                                                         \
            clinit_test_f16c_diffs((uint64_t)(q) << 30, 1ull << 30, &example); \
        cr_expect_eq(bad, 0u,                                                  \
                     "vcvtps2ph vs clinit_f16_bits: %llu patterns differ "     \
                     "(first 0x%08x)",                                         \
                     (unsigned long long)bad, example);                        \
    }
CLINIT_F16C_TEST_(0)
CLINIT_F16C_TEST_(1)
CLINIT_F16C_TEST_(2)
CLINIT_F16C_TEST_(3)

/* vsqrtps against clinit_sqrt_f32: +0 and every positive normal float */
Test(value_bits, sqrt_every_normal)
{
    cr_assert(have_avx2_f16c(), "this CPU lacks AVX2 / FMA / F16C");
    uint32_t example = 0;
    uint64_t bad = clinit_test_sqrt_diffs(0, 8, &example);
    bad += clinit_test_sqrt_diffs(0x00800000u, 0x7f800000u - 0x00800000u,
                                  &example);
    cr_expect_eq(bad, 0u, "vsqrtps vs clinit_sqrt_f32: %llu differ (first "
                 "0x%08x)", (unsigned long long)bad, example);
}

/* trunc_normal's sqrt (clinit_sqrt_fin_f32: vsqrtps, and +0 where
 * clinit_sqrt_f32 gives +0) against clinit_sqrt_f32 on every finite
 * float, a half per test */
#define CLINIT_SQRT_FIN_TEST_(h)                                               \
    Test(value_bits, sqrt_fin_every_finite_##h)                                \
    {                                                                          \
        cr_assert(have_avx2_f16c(), "this CPU lacks AVX2 / FMA / F16C");       \
        uint32_t example = 0;                                                  \
        uint64_t bad = clinit_test_sqrt_fin_diffs((uint64_t)(h) << 31,         \
                                                  1ull << 31, &example);       \
        cr_expect_eq(bad, 0u,                                                  \
                     "clinit_sqrt_fin_f32 vs clinit_sqrt_f32: %llu differ "    \
                     "(first 0x%08x)",                                         \
                     (unsigned long long)bad, example);                        \
    }
CLINIT_SQRT_FIN_TEST_(0)
CLINIT_SQRT_FIN_TEST_(1)

/* Box-Muller's r^2 is +0 or positive normal for every one of the 2^31 u */
Test(value_bits, boxmuller_r2_domain)
{
    cr_assert(have_avx2_f16c(), "this CPU lacks AVX2 / FMA / F16C");
    uint32_t example = 0;
    uint64_t bad = clinit_test_r2_outside(0, 1ull << 31, &example);
    cr_expect_eq(bad, 0u, "r^2 outside +0 / normal for %llu u (first n = "
                 "%u)", (unsigned long long)bad, example);
}
#endif

#if CLINIT_HAVE_F64
static uint64_t rnd64(void) { return (uint64_t)rnd32() << 32 | rnd32(); }
static double rnd_double(unsigned e)
{
    uint64_t u = (rnd64() & 0x800fffffffffffffull) | (uint64_t)e << 52;
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

Test(value_bits, uniform_fast_f64)
{
    unsigned tested = 0, bad = 0;
    while (tested < 48) {
        double lo = (tested & 3u) == 0 ? 0.0 : rnd_double(53 + rnd32() % 1900);
        double scale = fabs(rnd_double(106 + rnd32() % 1900));
        if (tested < 8) { /* the rule's bounds */
            lo = tested & 1u ? 0.0 : rnd_double(53);
            scale = fabs(rnd_double(106));
        }
        double top = lo + scale * 0.75, bottom = lo + scale * 0.125;
        if (!isfinite(top) || !clinit_uniform_fast_ok64(lo, scale, top, bottom))
            continue;
        double c = scale * 0x1p-53;
        for (uint32_t j = 0; j < (1u << 20) + 3u; j++) {
            uint64_t k = j < 3u ? (j == 2u ? (1ull << 53) - 1u : j)
                                : rnd64() >> 11;
            double slow = clinit_uniform_f64(k, lo, scale, top, bottom);
            double fast = clinit_uniform_fast_f64(k, lo, c, top, bottom);
            bad += memcmp(&slow, &fast, sizeof slow) != 0;
        }
        tested++;
    }
    cr_expect(!clinit_uniform_fast_ok64(0.0, rnd_double(105), 1.0, 0.0));
    cr_expect(!clinit_uniform_fast_ok64(rnd_double(52), 1.0, 1.0, 0.0));
    cr_expect(!clinit_uniform_fast_ok64(0.0, 1.0, 0x1p-1030, 0.0));
    cr_expect_eq(bad, 0u, "f64 uniform fast path: %u values differ", bad);
}

Test(value_bits, k2d_exact)
{
    static const uint64_t lows[] = {0u, 1u, 2u, 0x7fffffffu, 0x80000000u,
                                    0xfffffffeu, 0xffffffffu};
    uint64_t bad = 0, first = 0;
    for (uint64_t h = 0; h <= (1u << 21); h++) {
        for (int j = 0; j < 11; j++) {
            uint64_t l = j < 7 ? lows[j] : rnd32();
            uint64_t k = h << 32 | l;
            if (k > (1ull << 53))
                continue;
            double want = (double)(int64_t)k, got = clinit_k2d_magic(k);
            if (memcmp(&want, &got, sizeof want) != 0) {
                if (!bad)
                    first = k;
                bad++;
            }
        }
    }
    cr_expect_eq(bad, 0u, "clinit_k2d_magic: %llu values differ (first %llu)",
                 (unsigned long long)bad, (unsigned long long)first);
}
#endif

/* every run [first, first + n) of a tensor of the shape against
 * clinit_pattern_one */
static unsigned pattern_diffs(uint64_t base, uint64_t numel, uint64_t in_s,
                              uint64_t S, uint64_t opg, uint64_t centre,
                              uint64_t min_dim)
{
    unsigned bad = 0;
    for (uint64_t first = base; first < base + numel; first++)
        for (int n = 1; n <= 16; n++) {
            float t[16];
            clinit_pattern_run(first, n, in_s, S, opg, centre, min_dim, t);
            for (int k = 0; k < n; k++) {
                int one = clinit_pattern_one(first + (uint64_t)k, in_s, S,
                                             opg, centre, min_dim);
                bad += t[k] != (one ? 1.0f : 0.0f);
            }
        }
    return bad;
}

Test(value_bits, pattern_runs)
{
    unsigned bad = 0, cases = 0;
    for (uint64_t out = 1; out <= 9; out++)
        for (uint64_t in = 1; in <= 9; in++)
            for (uint64_t S = 1; S <= 9; S += 4)
                for (uint64_t groups = 1; groups <= 3; groups++) {
                    if (out % groups)
                        continue;
                    uint64_t opg = out / groups, in_s = in * S;
                    uint64_t min_dim = opg < in ? opg : in;
                    uint64_t centre = S / 2, numel = out * in_s;
                    bad += pattern_diffs(0, numel, in_s, S, opg, centre,
                                         min_dim);
                    /* far into a large tensor: rows 2^40 / in_s .. */
                    bad += pattern_diffs((1ull << 40) / in_s * in_s, 2 * in_s,
                                         in_s, S, opg, centre, min_dim);
                    cases++;
                }
    /* descriptors the library never makes: centre outside the kernel, a
     * group size past the input dimension */
    bad += pattern_diffs(0, 60, 6, 3, 4, 3, 4);
    bad += pattern_diffs(0, 60, 6, 3, 7, 1, 7);
    cr_expect_eq(bad, 0u, "%u pattern values differ over %u shapes", bad,
                 cases);
}
