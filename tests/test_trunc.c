/* test_trunc.c - kernels/clinit_trunc.h (the truncated normal: accuracy
 * of the host's Q, Phi0 and exp and of the kernels' Qinv, and the
 * distribution of z on a stratified grid of words and on Philox words, in
 * f32 and f64). The math64 functions it builds on: tests/test_math64.c.
 *
 * The references are long double (x87: 64-bit mantissa, 11 bits more than
 * a double) erfl, erfcl, expl; against mpmath their own errors are below
 * 1e-19 (erfl) and 1e-16 (erfcl) relative, far below the bounds asserted
 * here. The bounds are the maxima documented in clinit_trunc.h, rounded up
 * slightly. */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clinit_philox.h"
#include "clinit_trunc.h"

/* documented maxima (clinit_math64.h), rounded up */
/* clinit_trunc.h: relative error of Qinv, of the host's Q / Phi0 / exp */
#define QINV32_MAX_REL 4.5e-7
#define QINV64_MAX_REL 9.0e-16
#define HOST_MAX_REL 1.0e-15

static const long double SQRT1_2_L = 0.707106781186547524400844362104849039L;
static const long double INV_SQRT2PI_L =
    0.398942280401432677939946059934381868L;

/* splitmix64: test inputs only */
static uint64_t mix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* ---- truncated normal: host functions ----------------------------------- */

static long double Q_L(long double x)
{
    return erfcl(x * SQRT1_2_L) / 2;
}

static long double phi_L(long double x)
{
    return INV_SQRT2PI_L * expl(-x * x / 2);
}

/* Q (also scaled by e^L), Phi0 and exp of the host, x on a fine grid of
 * [0, 38] (every Q >= DBL_MIN) */
Test(trunc, host_functions)
{
    double wq = 0, wp = 0, we = 0, atq = 0, atp = 0, ate = 0;
    for (int i = 0; i <= 38000; i++) {
        double x = i * 1e-3 + (i % 7) * 1e-5;
        double L = x >= 2.0 ? floor(0.5 * x * x) : 0.0;
        long double q = Q_L(x);
        double e = (double)fabsl(clinit_upper_host(x, L) / (q * expl(L)) - 1);
        if (q >= DBL_MIN) {
            double e0 = (double)fabsl(clinit_upper_host(x, 0.0) / q - 1);
            e = e0 > e ? e0 : e;
        }
        if (e > wq)
            wq = e, atq = x;
        if (x > 0) {
            e = (double)fabsl(clinit_phi0_host(x) / (erfl(x * SQRT1_2_L) / 2) -
                              1);
            if (e > wp)
                wp = e, atp = x;
        }
    }
    for (int i = 0; i <= 100000; i++) {
        double y = -708.0 + i * (709.0 / 100000);
        double e = (double)fabsl(clinit_exp_host(y) / expl(y) - 1);
        if (e > we)
            we = e, ate = y;
    }
    cr_log_info("host: Q max rel %.3g, Phi0 %.3g, exp %.3g", wq, wp, we);
    cr_expect(wq <= HOST_MAX_REL, "Q: max rel error %.3g at x = %.17g", wq,
              atq);
    cr_expect(wp <= HOST_MAX_REL, "Phi0: max rel error %.3g at x = %.17g", wp,
              atp);
    cr_expect(we <= HOST_MAX_REL, "exp: max rel error %.3g at y = %.17g", we,
              ate);
    cr_expect_eq(clinit_exp_host(-800.0), 0.0);
    cr_expect_eq(clinit_exp_host(0.0), 1.0);
}

/* ---- Qinv --------------------------------------------------------------- */

/* z with Phi0(z) = q, Newton from z0 in long double */
static long double ref_central(long double q, long double z0)
{
    long double z = z0;
    for (int i = 0; i < 3; i++)
        z -= (erfl(z * SQRT1_2_L) / 2 - q) / phi_L(z);
    return z;
}

/* z with log Q(z) = lp */
static long double ref_tail(long double lp, long double z0)
{
    long double z = z0;
    for (int i = 0; i < 4; i++) {
        long double Q = Q_L(z);
        z += (logl(Q) - lp) * Q / phi_L(z);
    }
    return z;
}

/* Central inputs q in [0, 0.425] (uniform and log-uniform down to 2^-62),
 * tail inputs -log p in [-log 0.075, 722] (z up to 38.06), p scaled by
 * e^L beyond 60 as the host does; z(q) uses q, z(p) uses p. */
static void qinv_errors(int f64, uint64_t n, double *wc, double *wt,
                        double *atc, double *att)
{
    uint64_t s = 14;
    *wc = *wt = 0;
    for (uint64_t i = 0; i < n; i++) {
        double u = (double)(mix(&s) >> 11) * 0x1p-53;
        double q =
            (i & 1) ? 0.425 * u : ldexp(1.0 + u, -(int)(mix(&s) % 60) - 2);
        double z, e;
        if (f64) {
            z = clinit_qinv_f64(q, 0.5 - q, 0.0);
        } else {
            q = (float)q;
            z = clinit_qinv_f32((float)q, (float)(0.5 - q), 0.0f);
        }
        e = q == 0 ? 0 : (double)fabsl(z / ref_central(q, z) - 1);
        if (e > *wc)
            *wc = e, *atc = q;
        u = (double)(mix(&s) >> 11) * 0x1p-53;
        double ell = 2.5902671654458267 + ((i & 2) ? 40.0 : 720.0) * u;
        double L = ell > 60 ? floor(ell) - 3 : 0;
        double p = clinit_exp_host(L - ell);
        if (f64) {
            z = clinit_qinv_f64(0.5, p, L);
        } else {
            p = (float)p;
            z = clinit_qinv_f32(0.5f, (float)p, (float)L);
        }
        long double lp = logl((long double)p) - L;
        e = (double)fabsl(z / ref_tail(lp, z) - 1);
        if (e > *wt)
            *wt = e, *att = ell;
    }
}

Test(trunc, qinv_f32_accuracy)
{
    double wc, wt, atc, att;
    qinv_errors(0, (uint64_t)1 << 20, &wc, &wt, &atc, &att);
    cr_log_info("qinv_f32: central max rel %.3g, tail %.3g", wc, wt);
    cr_expect(wc <= QINV32_MAX_REL, "qinv_f32 central: %.3g at q = %a", wc,
              atc);
    cr_expect(wt <= QINV32_MAX_REL, "qinv_f32 tail: %.3g at -log p = %.9g", wt,
              att);
    cr_expect_eq(clinit_qinv_f32(0.0f, 0.5f, 0.0f), 0.0f);
}

Test(trunc, qinv_f64_accuracy)
{
    double wc, wt, atc, att;
    qinv_errors(1, (uint64_t)1 << 20, &wc, &wt, &atc, &att);
    cr_log_info("qinv_f64: central max rel %.3g, tail %.3g", wc, wt);
    cr_expect(wc <= QINV64_MAX_REL, "qinv_f64 central: %.3g at q = %a", wc,
              atc);
    cr_expect(wt <= QINV64_MAX_REL, "qinv_f64 tail: %.3g at -log p = %.17g", wt,
              att);
    cr_expect_eq(clinit_qinv_f64(0.0, 0.5, 0.0), 0.0);
}

/* ---- distributions ------------------------------------------------------ */

/* The exact truncated normal on [a, b], CDF in long double, computed from
 * upper tails so the far tails keep their precision. */
typedef struct {
    long double a, b, M;
    int mode; /* 0: a >= 0, 1: b <= 0, 2: a < 0 < b */
} tnorm;

static tnorm tn_make(double a, double b)
{
    tnorm t = {a, b, 0, 0};
    if (a >= 0)
        t.mode = 0, t.M = Q_L(a) - Q_L(b);
    else if (b <= 0)
        t.mode = 1, t.M = Q_L(-b) - Q_L(-a);
    else
        t.mode = 2, t.M = 1 - Q_L(b) - Q_L(-a);
    return t;
}

static long double tn_cdf(const tnorm *t, long double z)
{
    if (z <= t->a)
        return 0;
    if (z >= t->b)
        return 1;
    if (t->mode == 0)
        return (Q_L(t->a) - Q_L(z)) / t->M;
    if (t->mode == 1)
        return (Q_L(-z) - Q_L(-t->a)) / t->M;
    return (z < 0 ? Q_L(-z) - Q_L(-t->a) : (1 - Q_L(z)) - Q_L(-t->a)) / t->M;
}

static long double tn_mean(const tnorm *t)
{
    return (phi_L(t->a) - phi_L(t->b)) / t->M;
}

static long double tn_var(const tnorm *t)
{
    long double m = tn_mean(t);
    return 1 + (t->a * phi_L(t->a) - t->b * phi_L(t->b)) / t->M - m * m;
}

/* the largest density of the truncated normal on [a, b] */
static double tn_fmax(const tnorm *t)
{
    long double m = t->a > 0 ? t->a : t->b < 0 ? t->b : 0;
    return (double)(phi_L(m) / t->M);
}

static int cmp_ld(const void *x, const void *y)
{
    long double a = *(const long double *)x, b = *(const long double *)y;
    return a < b ? -1 : a > b;
}

/* z for the stratified grid (mode 0: word i * 4096 + 2048 for f32,
 * k53 = i * 2^33 + 2^32 for f64: the centre of each of n = 2^20 strata) or
 * for Philox words (mode 1), as long doubles. */
static void trunc_sample(int f64, int mode, double a, double b, long double *z,
                         uint32_t n)
{
    float p[6];
    double d[6];
    clinit_trunc_params_f32(0.0, 1.0, a, b, p);
    clinit_trunc_params_f64(0.0, 1.0, a, b, d);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t w[4] = {i, 0x7472756eu, 0, 0}; /* counter (i, "trun") */
        if (mode == 1)
            clinit_philox4x32_10(w, 0x243f6a88u, 0x85a308d3u);
        if (f64) {
            uint64_t k = mode == 0 ? ((uint64_t)i << 33) + ((uint64_t)1 << 32)
                                   : ((uint64_t)w[0] << 21) | (w[1] >> 11);
            z[i] = clinit_trunc_z_f64(k, d[0], d[1], d[2], d[3], d[4], d[5]);
        } else {
            uint32_t x = mode == 0 ? i * 4096u + 2048u : w[0];
            z[i] = clinit_trunc_z_f32(x, p[0], p[1], p[2], p[3], p[4], p[5]);
        }
    }
}

/* Checks, for trunc_normal_(0, 1, a, b) and n = 2^20:
 *  - every z finite and within [a, b] up to dz (below);
 *  - stratified grid: |F(z_i) - u_i| <= 2^-23 + fmax * dz, where u_i is the
 *    stratum centre, F the exact CDF and dz = |z|max * Qinv's relative
 *    error + one ulp of |z|max (the kernel's own rounding; for f32 in far
 *    tails the float itself is that coarse), 2^-23 the side threshold's
 *    quantisation (2^-45 for f64: the long double CDF's own error); hence
 *    the KS distance is <= 1/(2n) + that;
 *  - mean and std against the exact moments: for a monotone function g the
 *    one-point-per-stratum rule errs by at most (g(1) - g(0)) / n, so
 *    |mean error| <= (b - a) / n + dz and |variance error| <=
 *    ((a - mu)^2 + (b - mu)^2) / n + 2 max|z - mu| dz + dz^2;
 *  - Philox words: KS distance below the critical value at alpha = 1e-3,
 *    sqrt(-ln(alpha / 2) / 2) / sqrt(n), plus the same systematic term. */
static void check_trunc(int f64, double a, double b)
{
    const uint32_t n = 1u << 20;
    long double *z = malloc(n * sizeof *z);
    cr_assert(z != NULL);
    tnorm t = tn_make(a, b);
    double zmax = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
    double ulp =
        f64 ? ldexp(1.0, ilogb(zmax) - 52) : ldexp(1.0, ilogb(zmax) - 23);
    double dz = zmax * (f64 ? QINV64_MAX_REL : QINV32_MAX_REL) + ulp;
    double fmax = tn_fmax(&t);
    /* f64: the threshold is exact to 2^-53; 2^-45 covers the long double
     * CDF's own error */
    double sys = (f64 ? 0x1p-45 : 0x1p-23) + fmax * dz;
    const char *ty = f64 ? "f64" : "f32";

    trunc_sample(f64, 0, a, b, z, n);
    long double sum = 0, worst = 0, ks = 0;
    uint32_t outside = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (!(z[i] >= a - dz && z[i] <= b + dz))
            outside++;
        long double F = tn_cdf(&t, z[i]);
        long double e = fabsl(F - ((long double)i + 0.5L) / n);
        worst = e > worst ? e : worst;
        sum += z[i];
    }
    cr_expect_eq(outside, 0, "%s (%g, %g): %u grid values outside", ty, a, b,
                 outside);
    cr_log_info("%s (%g, %g): grid max |F(z) - u| %.3Lg (bound %.3g)", ty, a, b,
                worst, sys);
    cr_expect(worst <= sys, "%s (%g, %g): max |F(z) - u| = %.3Lg > %.3g", ty, a,
              b, worst, sys);
    long double mu = tn_mean(&t), var = tn_var(&t), mean = sum / n, ss = 0;
    for (uint32_t i = 0; i < n; i++)
        ss += (z[i] - mean) * (z[i] - mean);
    long double dmax =
        fabsl(a - mu) > fabsl(b - mu) ? fabsl(a - mu) : fabsl(b - mu);
    long double tol_m = (b - a) / n + dz;
    long double tol_v = ((a - mu) * (a - mu) + (b - mu) * (b - mu)) / n +
                        2 * dmax * dz + (long double)dz * dz;
    cr_expect(fabsl(mean - mu) <= tol_m,
              "%s (%g, %g): mean %.12Lg, exact %.12Lg", ty, a, b, mean, mu);
    cr_expect(fabsl(ss / n - var) <= tol_v,
              "%s (%g, %g): variance %.12Lg, exact %.12Lg (tol %.3Lg)", ty, a,
              b, ss / n, var, tol_v);

    trunc_sample(f64, 1, a, b, z, n);
    outside = 0;
    for (uint32_t i = 0; i < n; i++)
        if (!(z[i] >= a - dz && z[i] <= b + dz))
            outside++;
    qsort(z, n, sizeof *z, cmp_ld);
    for (uint32_t i = 0; i < n; i++) {
        long double F = tn_cdf(&t, z[i]);
        long double lo = F - (long double)i / n,
                    hi = (long double)(i + 1) / n - F;
        ks = lo > ks ? lo : ks;
        ks = hi > ks ? hi : ks;
    }
    double crit = sqrt(-log(1e-3 / 2) / 2) / sqrt((double)n) + sys;
    cr_expect_eq(outside, 0, "%s (%g, %g): %u Philox values outside", ty, a, b,
                 outside);
    cr_log_info("%s (%g, %g): Philox KS %.3Lg (critical %.3g)", ty, a, b, ks,
                crit);
    cr_expect(ks <= crit, "%s (%g, %g): Philox KS %.3Lg > %.3g", ty, a, b, ks,
              crit);
    free(z);
}

#define TRUNC_CASE_(name, a, b)                                                \
    Test(trunc, name##_f32)                                                    \
    {                                                                          \
        check_trunc(0, a, b);                                                  \
    }                                                                          \
    Test(trunc, name##_f64)                                                    \
    {                                                                          \
        check_trunc(1, a, b);                                                  \
    }

TRUNC_CASE_(central_m2_2, -2.0, 2.0)
TRUNC_CASE_(half_0_2, 0.0, 2.0)
TRUNC_CASE_(tail_3_6, 3.0, 6.0)
TRUNC_CASE_(tail_8_9, 8.0, 9.0)
TRUNC_CASE_(tail_m20_m19, -20.0, -19.0)
TRUNC_CASE_(narrow_m01_01, -0.1, 0.1)
TRUNC_CASE_(wide_m6_30, -6.0, 30.0)

/* trunc_normal_(mean, std, a, b) is the same z for the same alpha, beta:
 * mean 0, std 1e-3, a = 3e-3, b = 6e-3 is the (3, 6) tail */
Test(trunc, scaled_bounds)
{
    float p[6], q[6];
    clinit_trunc_params_f32(0.0, 1e-3, 3e-3, 6e-3, p);
    clinit_trunc_params_f32(0.0, 1.0, 3.0, 6.0, q);
    for (int j = 0; j < 6; j++)
        cr_expect(fabsf(p[j] - q[j]) <= 1e-6f * fabsf(q[j]), "p[%d] %a vs %a",
                  j, (double)p[j], (double)q[j]);
    float lo = 1e9f, hi = -1e9f;
    for (uint32_t i = 0; i < (1u << 16); i++) {
        float z = clinit_trunc_z_f32(i * 65536u + 32768u, p[0], p[1], p[2],
                                     p[3], p[4], p[5]);
        lo = z < lo ? z : lo;
        hi = z > hi ? z : hi;
    }
    /* not a spike at a bound: the 2^16 strata span most of [3, 6] */
    cr_expect(lo >= 3.0f && lo < 3.0001f && hi > 5.0f && hi <= 6.0f,
              "z in [%.9g, %.9g]", (double)lo, (double)hi);
}

/* Odd parameters never give NaN or infinity; z stays in [alpha, beta]
 * (clamped to +-38) up to Qinv's error and one ulp, degenerate intervals
 * give z = 0. */
Test(trunc, robust_parameters)
{
    static const double cs[][4] = {
        /* mean, std, a, b */
        {0, 1, -1e-4, 1e-4},    {0, 1, 1, 1 + 1e-6},
        {0, 1, -3, -2.9999},    {0, 1, 0.01, 0.02},
        {0, 1, -1e-12, 5},      {0, 1, -5, 1e-12},
        {0, 1, -40, 40},        {0, 1, 30, 37},
        {0, 1, -38, -37.5},     {0, 1, 50, 60},
        {0, 1, -1e300, 1e300},  {0, 1, -INFINITY, INFINITY},
        {0, 1, 2, INFINITY},    {0, 1, -INFINITY, -2},
        {5, 2, 5, 5},           {0, 1, 1, 1},
        {0, 1, 1e-300, 2e-300}, {0, 1, 0, 1e-30},
        {0, 0, -1, 1},          {0, -1, -1, 1},
        {NAN, 1, -1, 1},        {0, NAN, -1, 1},
        {0, 1, NAN, 1},         {0, 1, 3, 2},
        {0, INFINITY, -1, 1},   {1e300, 1e-300, -1e300, 1e300},
        {0, 1, 1.9999, 2.0001}, {0, 1, -2.0001, -1.9999},
        {0, 1, 37.9, 38.1},     {0, 1, -0.5, 3},
    };
    uint64_t s = 15;
    for (size_t c = 0; c < sizeof cs / sizeof cs[0]; c++) {
        float p[6];
        double d[6];
        clinit_trunc_params_f32(cs[c][0], cs[c][1], cs[c][2], cs[c][3], p);
        clinit_trunc_params_f64(cs[c][0], cs[c][1], cs[c][2], cs[c][3], d);
        for (int j = 0; j < 6; j++) {
            cr_expect(p[j] == 0.0f || (p[j] >= FLT_MIN && p[j] < 1e30f),
                      "case %zu: p[%d] = %a", c, j, (double)p[j]);
            cr_expect(d[j] == 0.0 || (d[j] >= DBL_MIN && d[j] < 1e300),
                      "case %zu: d[%d] = %a", c, j, d[j]);
        }
        double al = (cs[c][2] - cs[c][0]) / cs[c][1];
        double be = (cs[c][3] - cs[c][0]) / cs[c][1];
        int ok = cs[c][1] > 0 && al == al && be == be;
        al = al < -38 ? -38 : al > 38 ? 38 : al;
        be = be < -38 ? -38 : be > 38 ? 38 : be;
        int degenerate = !ok || !(al < be);
        uint32_t bad32 = 0, bad64 = 0;
        for (uint32_t i = 0; i < (1u << 16); i++) {
            uint32_t x = i < 8 ? i : i < 16 ? ~(i - 8) : (uint32_t)mix(&s);
            uint64_t k = i < 8    ? i
                         : i < 16 ? (((uint64_t)1 << 53) - 1 - (i - 8))
                                  : mix(&s) >> 11;
            double z32 =
                clinit_trunc_z_f32(x, p[0], p[1], p[2], p[3], p[4], p[5]);
            double z64 =
                clinit_trunc_z_f64(k, d[0], d[1], d[2], d[3], d[4], d[5]);
            if (degenerate) {
                bad32 += z32 != 0.0;
                bad64 += z64 != 0.0;
                continue;
            }
            double m = fabs(al) > fabs(be) ? fabs(al) : fabs(be);
            /* bounds below FLT_MIN (DBL_MIN) are 0 in the kernel's type */
            double t32 =
                m * QINV32_MAX_REL + ldexp(1.0, ilogb(m) - 23) + FLT_MIN;
            double t64 =
                m * QINV64_MAX_REL + ldexp(1.0, ilogb(m) - 52) + DBL_MIN;
            bad32 += !(z32 >= al - t32 && z32 <= be + t32);
            bad64 += !(z64 >= al - t64 && z64 <= be + t64);
        }
        cr_expect_eq(bad32, 0, "case %zu (%g, %g, %g, %g): %u bad f32 values",
                     c, cs[c][0], cs[c][1], cs[c][2], cs[c][3], bad32);
        cr_expect_eq(bad64, 0, "case %zu (%g, %g, %g, %g): %u bad f64 values",
                     c, cs[c][0], cs[c][1], cs[c][2], cs[c][3], bad64);
    }
}

/* z is a nondecreasing function of the index (i = word >> 1, or k53) in
 * f64, up to Qinv's error where the formula switches region; on the grid
 * of 2^20 strata it is strictly monotone here. */
Test(trunc, monotone_f64)
{
    static const double cs[][2] = {
        {-2, 2}, {0, 2}, {-0.1, 0.1}, {-6, 30}, {-3, -1}};
    for (size_t c = 0; c < sizeof cs / sizeof cs[0]; c++) {
        double d[6], prev = -INFINITY;
        uint32_t viol = 0;
        clinit_trunc_params_f64(0.0, 1.0, cs[c][0], cs[c][1], d);
        for (uint64_t i = 0; i < (1u << 20); i++) {
            double z = clinit_trunc_z_f64((i << 33) + ((uint64_t)1 << 32), d[0],
                                          d[1], d[2], d[3], d[4], d[5]);
            viol += z < prev;
            prev = z;
        }
        cr_expect_eq(viol, 0, "(%g, %g): %u decreasing steps", cs[c][0],
                     cs[c][1], viol);
    }
}
