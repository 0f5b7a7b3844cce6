/* test_math.c - kernels/clinit_math.h: accuracy of log, sqrt and
 * sincos(2*pi*t) against double-precision libm (bounds as documented at the
 * top of clinit_math.h), special points, and bit identity between the C
 * path and the OpenCL device (pocl in CI). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clinit_math.h"
#include "common.h"

/* The documented maxima (clinit_math.h), rounded up by < 0.01 ulp so that
 * a different libm's last-bit choices cannot trip them, while a wrong
 * coefficient, a lost correction term or a bad reduction does. */
#define LOG_MAX_ULP 0.75
#define SIN_MAX_ULP 0.87
#define COS_MAX_ULP 0.87

#define TWO_PI 6.283185307179586476925286766559

TestSuite(math);

/* splitmix64: test inputs only */
static uint64_t mix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* A random positive normal finite float, uniform over the bit patterns. */
static float rand_normal_float(uint64_t *s)
{
    uint32_t u = 0x00800000u + (uint32_t)(mix(s) % (0x7f800000u - 0x00800000u));
    return clinit_as_f_(u);
}

/* ulp of a float result whose exact value is r (r != 0, in the normal float
 * range): 2^(floor(log2|r|) - 23), from the exponent field of the double. */
static double ulp_of(double r)
{
    uint64_t b;
    memcpy(&b, &r, sizeof b);
    b = (b & 0x7ff0000000000000u) - ((uint64_t)23 << 52);
    memcpy(&r, &b, sizeof r);
    return r;
}

/* Max ulp error of clinit_log_f32 over the float bit patterns lo, lo+step,
 * ..., up to hi inclusive. Returns the worst input in *at. */
static double log_max_ulp(uint32_t lo, uint32_t hi, uint32_t step, float *at)
{
    double worst = 0.0;
    *at = 0.0f;
    for (uint64_t u = lo; u <= hi; u += step) {
        float x = clinit_as_f_((uint32_t)u);
        double r = log((double)x);
        float y = clinit_log_f32(x);
        double e = r == 0.0 ? (y == 0.0f ? 0.0 : INFINITY)
                            : fabs((double)y - r) / ulp_of(r);
        if (e > worst) {
            worst = e;
            *at = x;
        }
    }
    return worst;
}

/* Every float in [2^-33, 1], split in two so that --jobs 2 runs the halves
 * side by side. */
Test(math, log_exhaustive_2m33_to_2m16)
{
    float at;
    double e = log_max_ulp(0x2f000000u, 0x377fffffu, 1, &at);
    cr_assert(e <= LOG_MAX_ULP, "log: max %.4f ulp > %.2f, at x = %a", e,
              LOG_MAX_ULP, (double)at);
}

Test(math, log_exhaustive_2m16_to_1)
{
    float at;
    double e = log_max_ulp(0x37800000u, 0x3f800000u, 1, &at);
    cr_assert(e <= LOG_MAX_ULP, "log: max %.4f ulp > %.2f, at x = %a", e,
              LOG_MAX_ULP, (double)at);
}

/* [1, 2] exhaustively (the reduced argument reaches sqrt(2) - 1 there),
 * then random positive normal floats over the whole range. */
Test(math, log_above_1_and_sampled)
{
    float at;
    double e = log_max_ulp(0x3f800000u, 0x40000000u, 1, &at);
    cr_assert(e <= LOG_MAX_ULP, "log on [1, 2]: max %.4f ulp, at x = %a", e,
              (double)at);
    uint64_t s = 1;
    double worst = 0.0;
    for (int i = 0; i < (1 << 22); i++) {
        float x = rand_normal_float(&s);
        double r = log((double)x);
        float y = clinit_log_f32(x);
        double err = r == 0.0 ? (y == 0.0f ? 0.0 : INFINITY)
                              : fabs((double)y - r) / ulp_of(r);
        if (err > worst) {
            worst = err;
            at = x;
        }
    }
    cr_assert(worst <= LOG_MAX_ULP,
              "log on random normals: max %.4f ulp, at x = %a", worst,
              (double)at);
}

Test(math, log_special_points)
{
    float y = clinit_log_f32(1.0f);
    cr_assert_eq(test_bits(y), 0u, "log(1) = %a, want +0", (double)y);
    /* ln 2 and ln 0.5 correctly rounded: 0x1.62e43p-1 */
    cr_expect_eq(clinit_log_f32(2.0f), 0x1.62e43p-1f, "log(2) = %a",
                 (double)clinit_log_f32(2.0f));
    cr_expect_eq(clinit_log_f32(0.5f), -0x1.62e43p-1f, "log(0.5) = %a",
                 (double)clinit_log_f32(0.5f));
    /* log(2^k) = k*ln2_hi + k*ln2_lo must be correctly rounded for every
     * exponent: this is what checks the ln2 split, whose error the range
     * [2^-33, 1] (|k| <= 33) is too narrow to show */
    for (int k = -126; k <= 127; k++) {
        float x = ldexpf(1.0f, k);
        float want = (float)(k * 0.69314718055994530941723212145818);
        cr_expect_eq(clinit_log_f32(x), want, "log(2^%d) = %a, want %a", k,
                     (double)clinit_log_f32(x), (double)want);
    }
    /* the ends of the domain and the Box-Muller minimum 2^-32 */
    static const float xs[] = {FLT_MIN,        FLT_MAX,        0x1p-32f,
                               0x1.fffffep-1f, 0x1.000002p+0f, 0x1.6a09e6p+0f,
                               0x1.6a09e4p-1f};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        double r = log((double)xs[i]);
        float v = clinit_log_f32(xs[i]);
        double e = fabs((double)v - r) / ulp_of(r);
        cr_expect(e <= LOG_MAX_ULP, "log(%a) = %a: %.4f ulp", (double)xs[i],
                  (double)v, e);
    }
}

/* sqrt: the iteration only ever sees m in [1, 4) (x = m * 4^n), so every
 * float in [1, 4) being correctly rounded covers every mantissa; the dense
 * [0, 64] sample and random normals check the exponent handling. */
Test(math, sqrt_correctly_rounded)
{
    size_t bad = 0;
    float at = 0.0f;
    double worst = 0.0;
    uint64_t s = 2;
    for (uint64_t k = 0;; k++) {
        float x;
        if (k < (1u << 24))
            x = clinit_as_f_(0x3f800000u + (uint32_t)k); /* [1, 4) */
        else if (k < (1u << 24) + (0x42800000u >> 6) + 1)
            x = clinit_as_f_((uint32_t)(k - (1u << 24)) << 6); /* [0, 64] */
        else if (k < (1u << 24) + (0x42800000u >> 6) + 1 + (1u << 22))
            x = rand_normal_float(&s);
        else
            break;
        if (x != 0.0f && x < FLT_MIN)
            continue; /* denormals: outside the domain, tested below */
        float y = clinit_sqrt_f32(x);
        double r = sqrt((double)x);
        if (x == 0.0f) {
            cr_assert_eq(test_bits(y), 0u, "sqrt(0) = %a", (double)y);
            continue;
        }
        double e = fabs((double)y - r) / ulp_of(r);
        if (e > worst)
            worst = e;
        if (y != sqrtf(x) && bad++ == 0)
            at = x;
    }
    cr_assert(bad == 0 && worst <= 0.5,
              "sqrt: %zu results not correctly rounded (first at x = %a), "
              "max %.4f ulp",
              bad, (double)at, worst);
}

Test(math, sqrt_special_points)
{
    cr_assert_eq(test_bits(clinit_sqrt_f32(0.0f)), 0u);
    cr_assert_eq(clinit_sqrt_f32(4.0f), 2.0f);
    cr_assert_eq(clinit_sqrt_f32(1.0f), 1.0f);
    cr_assert_eq(clinit_sqrt_f32(2.0f), 0x1.6a09e6p+0f);
    cr_assert_eq(clinit_sqrt_f32(FLT_MIN), 0x1p-63f);
    cr_assert_eq(clinit_sqrt_f32(FLT_MAX), sqrtf(FLT_MAX));
    /* x < FLT_MIN gives +0: denormals (as on a device that flushes them),
     * -0 and negative x */
    static const float tiny[] = {0x1p-149f, 0x1.fffffcp-127f, -0.0f, -0x1p-149f,
                                 -1.0f,     -FLT_MAX};
    for (size_t i = 0; i < sizeof tiny / sizeof tiny[0]; i++)
        cr_assert_eq(test_bits(clinit_sqrt_f32(tiny[i])), 0u, "sqrt(%a) = %a",
                     (double)tiny[i], (double)clinit_sqrt_f32(tiny[i]));
    /* sqrt(x*x) == x whenever x*x is normal and finite (this holds for a
     * correctly rounded sqrt) */
    uint64_t s = 3;
    for (int i = 0; i < (1 << 20); i++) {
        uint32_t u =
            0x20800000u + (uint32_t)(mix(&s) % (0x5f000000u - 0x20800000u));
        float x = clinit_as_f_(u);
        float y = clinit_sqrt_f32(x * x);
        cr_assert_eq(y, x, "sqrt(%a^2) = %a", (double)x, (double)y);
    }
}

/* sin(2 pi t), cos(2 pi t) in double with an exact reduction to the
 * nearest quarter turn, so tiny results keep full relative accuracy. */
static void ref_sincos(uint32_t i, double *s, double *c)
{
    double t = ldexp((double)i, -24);
    double k = floor(4.0 * t + 0.5);
    double r = t - 0.25 * k; /* exact, |r| <= 1/8 */
    double sr = sin(TWO_PI * r), cr = cos(TWO_PI * r);
    switch ((int)k & 3) {
    case 0:
        *s = sr;
        *c = cr;
        break;
    case 1:
        *s = cr;
        *c = -sr;
        break;
    case 2:
        *s = -sr;
        *c = -cr;
        break;
    default:
        *s = -cr;
        *c = sr;
        break;
    }
}

static double ulp_err(float y, double r)
{
    if (r == 0.0)
        return y == 0.0f ? 0.0 : INFINITY;
    return fabs((double)y - r) / ulp_of(r);
}

/* All 2^24 angles. Relative ulp error everywhere, zeros included: the
 * reduction is exact, so near the zeros the error stays relative. */
Test(math, sincos_exhaustive)
{
    double ws = 0.0, wc = 0.0;
    uint32_t ats = 0, atc = 0;
    size_t asym = 0;
    for (uint32_t i = 0; i < (1u << 24); i++) {
        float s, c, s2, c2;
        double rs, rc;
        /* the low 8 bits of the word must not matter */
        clinit_sincos2pi_f32((i << 8) | (i & 0xffu), &s, &c);
        ref_sincos(i, &rs, &rc);
        double es = ulp_err(s, rs), ec = ulp_err(c, rc);
        if (es > ws) {
            ws = es;
            ats = i;
        }
        if (ec > wc) {
            wc = ec;
            atc = i;
        }
        /* exact symmetry: sin(2 pi (1 - t)) = -sin(2 pi t), cos even */
        clinit_sincos2pi_f32(((1u << 24) - i) << 8, &s2, &c2);
        if (i != 0 && (s2 != -s || c2 != c))
            asym++;
    }
    cr_expect(ws <= SIN_MAX_ULP, "sin: max %.4f ulp > %.2f at t = %a", ws,
              SIN_MAX_ULP, ldexp(ats, -24));
    cr_expect(wc <= COS_MAX_ULP, "cos: max %.4f ulp > %.2f at t = %a", wc,
              COS_MAX_ULP, ldexp(atc, -24));
    cr_expect_eq(asym, 0,
                 "%zu angles where sin/cos(1 - t) are not "
                 "-sin/cos(t) exactly",
                 asym);
}

Test(math, sincos_quadrant_points)
{
    /* t = 0, 1/4, 1/2, 3/4: exact values, and +0 rather than -0 */
    static const float ws[4] = {0.0f, 1.0f, 0.0f, -1.0f};
    static const float wc[4] = {1.0f, 0.0f, -1.0f, 0.0f};
    for (uint32_t q = 0; q < 4; q++) {
        float s, c;
        clinit_sincos2pi_f32(q << 30, &s, &c);
        cr_expect_eq(test_bits(s), test_bits(ws[q]), "sin(2 pi %u/4) = %a", q,
                     (double)s);
        cr_expect_eq(test_bits(c), test_bits(wc[q]), "cos(2 pi %u/4) = %a", q,
                     (double)c);
    }
    /* t = 1/8: both sqrt(1/2), correctly rounded */
    float s, c;
    clinit_sincos2pi_f32(1u << 29, &s, &c);
    cr_expect_eq(s, 0x1.6a09e6p-1f, "sin(pi/4) = %a", (double)s);
    cr_expect_eq(c, 0x1.6a09e6p-1f, "cos(pi/4) = %a", (double)c);
    /* the smallest angle: sin = 2 pi 2^-24 to within the bound */
    clinit_sincos2pi_f32(1u << 8, &s, &c);
    cr_expect(ulp_err(s, sin(TWO_PI * 0x1p-24)) <= SIN_MAX_ULP, "sin = %a",
              (double)s);
    cr_expect_eq(c, 1.0f);
}

/* The OpenCL device must give the same bits as the C path. */
static void device_vs_cpu(clinit_ctx *ctx, int op, const uint32_t *in, size_t n,
                          float *out)
{
    cr_assert_eq(clinit_debug_math_device(ctx, op, in, n, out), CLINIT_OK);
    size_t diff = 0, first = 0;
    for (size_t g = 0; g < n; g++) {
        uint32_t want, got;
        uint32_t want2 = 0, got2 = 0;
        if (op == 0) {
            want = test_bits(clinit_log_f32(clinit_as_f_(in[g])));
            got = test_bits(out[g]);
        } else if (op == 1) {
            want = test_bits(clinit_sqrt_f32(clinit_as_f_(in[g])));
            got = test_bits(out[g]);
        } else {
            float s, c;
            clinit_sincos2pi_f32(in[g], &s, &c);
            /* per 16-lane vector: 16 sines, then 16 cosines */
            size_t v = g / 16, l = g % 16;
            want = test_bits(s);
            got = test_bits(out[32 * v + l]);
            want2 = test_bits(c);
            got2 = test_bits(out[32 * v + 16 + l]);
        }
        if ((want != got || want2 != got2) && diff++ == 0)
            first = g;
    }
    cr_expect_eq(diff, 0,
                 "op %d: %zu of %zu results differ from C, first "
                 "for input %08x",
                 op, diff, n, diff ? in[first] : 0u);
}

Test(math, device_bit_identical)
{
    clinit_ctx *ctx = test_opencl_ctx();
    const size_t n = (size_t)1 << 24;
    uint32_t *in = malloc(n * sizeof *in);
    float *out = malloc(2 * n * sizeof *out);
    cr_assert(in && out);
    uint64_t s = 4;
    /* log: every 64th float in [2^-33, 1], then random normals */
    size_t k = 0;
    for (uint32_t u = 0x2f000000u; u <= 0x3f800000u; u += 64)
        in[k++] = u;
    while (k < n)
        in[k++] = test_bits(rand_normal_float(&s));
    device_vs_cpu(ctx, 0, in, n, out);
    /* sqrt: every 128th float in [0, 64], then random normals */
    k = 0;
    for (uint32_t u = 0; u <= 0x42800000u; u += 128)
        in[k++] = u;
    while (k < n)
        in[k++] = test_bits(rand_normal_float(&s));
    device_vs_cpu(ctx, 1, in, n, out);
    /* sincos: all 2^24 angles, random low bits */
    for (uint32_t i = 0; i < n; i++)
        in[i] = (i << 8) | (uint32_t)(mix(&s) & 0xffu);
    device_vs_cpu(ctx, 2, in, n, out);
    free(in);
    free(out);
    clinit_ctx_destroy(ctx);
}
