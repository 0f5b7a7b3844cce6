/* test_math64.c - kernels/clinit_math64.h: log, sqrt and sincos(2 pi t)
 * in double, accuracy against 80-bit long double libm and special points.
 *
 * The references are long double (x87: 64-bit mantissa, 11 bits more than
 * a double) logl, sinl, cosl; against mpmath their own errors are below
 * 0.001 ulp of a double, far below the bounds asserted here (the maxima
 * documented in clinit_math64.h, rounded up slightly). */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clinit_philox.h"
#include "clinit_math64.h"

/* documented maxima (clinit_math64.h), rounded up */
#define LOG64_MAX_ULP 0.60
#define SIN64_MAX_ULP 0.60
#define COS64_MAX_ULP 0.60
/* clinit_trunc.h: relative error of Qinv, of the host's Q / Phi0 / exp */

static const long double TWO_PI_L = 6.283185307179586476925286766559005768L;
static const long double LN2_L = 0.693147180559945309417232121458176568L;

/* splitmix64: test inputs only */
static uint64_t mix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint64_t bits64(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static double from_bits64(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* A random positive normal finite double, uniform over the bit patterns. */
static double rand_normal_double(uint64_t *s)
{
    return from_bits64(0x0010000000000000u +
                       mix(s) % (0x7ff0000000000000u - 0x0010000000000000u));
}

/* ulp of a double result whose exact value is r (r != 0, normal range) */
static long double ulp64(long double r)
{
    int e;
    frexpl(r, &e);
    return ldexpl(1.0L, e - 53);
}

static double ulp_err64(double y, long double r)
{
    if (r == 0.0L)
        return y == 0.0 ? 0.0 : INFINITY;
    return (double)(fabsl((long double)y - r) / ulp64(r));
}

Test(math64, long_double_reference)
{
    /* the reference must carry at least 64 bits */
    cr_assert(LDBL_MANT_DIG >= 64, "long double has %d bits: no reference",
              LDBL_MANT_DIG);
}

/* ---- log --------------------------------------------------------------- */

static double log64_max_ulp(int mode, uint64_t n, double *at)
{
    uint64_t s = 11;
    double worst = 0.0;
    *at = 0.0;
    for (uint64_t i = 0; i < n; i++) {
        double x = mode == 0 ? 0.5 + 1.5 * ((double)i / (double)n)
                             : rand_normal_double(&s);
        double e = ulp_err64(clinit_log_f64(x), logl((long double)x));
        if (e > worst) {
            worst = e;
            *at = x;
        }
    }
    return worst;
}

/* 2^25 points evenly spread over [0.5, 2], where the reduced argument
 * sweeps [sqrt(1/2) - 1, sqrt(2) - 1) twice (exponents -1 and 0). */
Test(math64, log_grid_half_to_two)
{
    double at, e = log64_max_ulp(0, (uint64_t)1 << 25, &at);
    cr_log_info("log_f64 on [0.5, 2]: max %.4f ulp at %a", e, at);
    cr_assert(e <= LOG64_MAX_ULP, "log: max %.4f ulp > %.2f at x = %a", e,
              LOG64_MAX_ULP, at);
}

Test(math64, log_random_and_special)
{
    double at, e = log64_max_ulp(1, (uint64_t)1 << 23, &at);
    cr_log_info("log_f64 on random normals: max %.4f ulp at %a", e, at);
    cr_assert(e <= LOG64_MAX_ULP, "log on random normals: max %.4f ulp at %a",
              e, at);
    cr_assert_eq(bits64(clinit_log_f64(1.0)), 0u, "log(1) = %a, want +0",
                 clinit_log_f64(1.0));
    /* log(2^k) correctly rounded for every k (checks the ln2 split) */
    for (int k = -1022; k <= 1023; k++) {
        double y = clinit_log_f64(ldexp(1.0, k));
        double want = (double)(k * LN2_L);
        cr_expect_eq(y, want, "log(2^%d) = %a, want %a", k, y, want);
    }
    static const double xs[] = {DBL_MIN,
                                DBL_MAX,
                                0x1.fffffffffffffp-1,
                                0x1.0000000000001p+0,
                                0x1.6a09e667f3bccp+0,
                                0x1.6a09e667f3bcdp+0,
                                0x1.6a09e667f3bcdp-1,
                                0x1.6a09e667f3bccp-1,
                                0x1p-53,
                                0x1.0000000000001p-1022};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        double y = clinit_log_f64(xs[i]);
        double err = ulp_err64(y, logl((long double)xs[i]));
        cr_expect(err <= LOG64_MAX_ULP, "log(%a) = %a: %.4f ulp", xs[i], y,
                  err);
    }
}

/* ---- sqrt -------------------------------------------------------------- */

/* Correct rounding is proven in clinit_math64.h; this checks the proof's
 * premises on inputs where they are tightest: random doubles, [1, 4)
 * (every mantissa path), exact squares and their neighbours, and doubles
 * whose square root lies within 1/8 ulp of a rounding tie. */
Test(math64, sqrt_correctly_rounded)
{
    uint64_t s = 12, bad = 0, n = 0;
    double first = 0.0;
#define SQRT_CHECK_(xv)                                                        \
    do {                                                                       \
        double x_ = (xv);                                                      \
        n++;                                                                   \
        if (bits64(clinit_sqrt_f64(x_)) != bits64(sqrt(x_)) && bad++ == 0)     \
            first = x_;                                                        \
    } while (0)
    for (uint64_t i = 0; i < ((uint64_t)1 << 23); i++) {
        SQRT_CHECK_(rand_normal_double(&s));
        SQRT_CHECK_(1.0 + 3.0 * ((double)i * 0x1p-23));
    }
    for (uint64_t i = 0; i < ((uint64_t)1 << 21); i++) {
        /* t in [1, 2): t^2 rounded, and its neighbours */
        double t = 1.0 + (double)(mix(&s) >> 12) * 0x1p-52;
        uint64_t sq = bits64(t * t);
        SQRT_CHECK_(from_bits64(sq));
        SQRT_CHECK_(from_bits64(sq + 1));
        SQRT_CHECK_(from_bits64(sq - 1));
        /* the midpoint m = t + 2^-53 between t and its successor: m^2
         * rounded has its root within 1/8 ulp of m */
        long double m = (long double)t + 0x1p-53L;
        uint64_t mq = bits64((double)(m * m));
        SQRT_CHECK_(from_bits64(mq));
        SQRT_CHECK_(from_bits64(mq + 1));
        SQRT_CHECK_(from_bits64(mq - 1));
        /* and the same scaled by 4^k over the whole exponent range */
        int k = (int)(mix(&s) % 1020) - 510;
        SQRT_CHECK_(ldexp(from_bits64(mq), 2 * k));
    }
#undef SQRT_CHECK_
    cr_assert_eq(bad, 0, "sqrt: %llu of %llu not correctly rounded, first %a",
                 (unsigned long long)bad, (unsigned long long)n, first);
}

Test(math64, sqrt_special_points)
{
    cr_assert_eq(bits64(clinit_sqrt_f64(0.0)), 0u);
    cr_assert_eq(clinit_sqrt_f64(4.0), 2.0);
    cr_assert_eq(clinit_sqrt_f64(1.0), 1.0);
    cr_assert_eq(clinit_sqrt_f64(2.0), sqrt(2.0));
    cr_assert_eq(clinit_sqrt_f64(DBL_MIN), 0x1p-511);
    cr_assert_eq(clinit_sqrt_f64(DBL_MAX), sqrt(DBL_MAX));
    cr_assert_eq(clinit_sqrt_f64(0x1.fffffffffffffp+1),
                 sqrt(0x1.fffffffffffffp+1));
    static const double tiny[] = {
        0x1p-1074, 0x1.ffffffffffffep-1023, -0.0, -0x1p-1074, -1.0, -DBL_MAX};
    for (size_t i = 0; i < sizeof tiny / sizeof tiny[0]; i++)
        cr_assert_eq(bits64(clinit_sqrt_f64(tiny[i])), 0u, "sqrt(%a) = %a",
                     tiny[i], clinit_sqrt_f64(tiny[i]));
}

/* ---- sincos(2 pi t) ---------------------------------------------------- */

/* sin, cos(2 pi k 2^-53), reduced exactly to the nearest quarter turn */
static void ref_sincos64(uint64_t k, long double *s, long double *c)
{
    long double t = ldexpl((long double)k, -53);
    long double q = floorl(4.0L * t + 0.5L);
    long double r = t - 0.25L * q; /* exact, |r| <= 1/8 */
    long double sr = sinl(TWO_PI_L * r), cr = cosl(TWO_PI_L * r);
    switch ((int)q & 3) {
    case 0:
        *s = sr, *c = cr;
        break;
    case 1:
        *s = cr, *c = -sr;
        break;
    case 2:
        *s = -sr, *c = -cr;
        break;
    default:
        *s = -cr, *c = sr;
        break;
    }
}

/* Every k < 2^22 (tiny angles), k near each eighth-turn point (where the
 * reflection switches), random k; relative ulp error everywhere. */
Test(math64, sincos_accuracy)
{
    uint64_t s = 13, n = ((uint64_t)1 << 22) * 3;
    double ws = 0.0, wc = 0.0;
    uint64_t ats = 0, atc = 0, asym = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t k;
        if (i < ((uint64_t)1 << 22))
            k = i;
        else if (i < ((uint64_t)1 << 23))
            k = ((i & 7) << 50) + (i >> 3) - ((uint64_t)1 << 18);
        else
            k = mix(&s) >> 11;
        k &= ((uint64_t)1 << 53) - 1;
        double sv, cv, s2, c2;
        long double rs, rc;
        clinit_sincos2pi_f64(k | (mix(&s) << 53), &sv,
                             &cv); /* high bits ignored */
        ref_sincos64(k, &rs, &rc);
        double es = ulp_err64(sv, rs), ec = ulp_err64(cv, rc);
        if (es > ws)
            ws = es, ats = k;
        if (ec > wc)
            wc = ec, atc = k;
        clinit_sincos2pi_f64(
            (((uint64_t)1 << 53) - k) & (((uint64_t)1 << 53) - 1), &s2, &c2);
        if (k != 0 && (s2 != -sv || c2 != cv))
            asym++;
    }
    cr_log_info("sincos2pi_f64: sin max %.4f ulp, cos max %.4f ulp", ws, wc);
    cr_expect(ws <= SIN64_MAX_ULP, "sin: max %.4f ulp at k = %#llx", ws,
              (unsigned long long)ats);
    cr_expect(wc <= COS64_MAX_ULP, "cos: max %.4f ulp at k = %#llx", wc,
              (unsigned long long)atc);
    cr_expect_eq(asym, 0, "%llu angles where sin/cos(1 - t) != -sin/cos(t)",
                 (unsigned long long)asym);
}

Test(math64, sincos_quadrant_points)
{
    static const double ws[4] = {0.0, 1.0, 0.0, -1.0};
    static const double wc[4] = {1.0, 0.0, -1.0, 0.0};
    for (uint64_t q = 0; q < 4; q++) {
        double s, c;
        clinit_sincos2pi_f64(q << 51, &s, &c);
        cr_expect_eq(bits64(s), bits64(ws[q]), "sin(2 pi %d/4) = %a", (int)q,
                     s);
        cr_expect_eq(bits64(c), bits64(wc[q]), "cos(2 pi %d/4) = %a", (int)q,
                     c);
    }
    double s, c;
    clinit_sincos2pi_f64((uint64_t)1 << 50, &s, &c); /* t = 1/8 */
    cr_expect_eq(s, 0x1.6a09e667f3bcdp-1, "sin(pi/4) = %a", s);
    cr_expect_eq(c, 0x1.6a09e667f3bcdp-1, "cos(pi/4) = %a", c);
    clinit_sincos2pi_f64(1, &s, &c); /* the smallest angle */
    cr_expect(ulp_err64(s, TWO_PI_L * 0x1p-53L) <= SIN64_MAX_ULP, "sin = %a",
              s);
    cr_expect_eq(c, 1.0);
}
