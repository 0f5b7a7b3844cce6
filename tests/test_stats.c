/* test_stats.c - deterministic statistical validation of the values every
 * method draws (host fills, which the equality tests tie to every device).
 *
 * Every check runs on fixed seeds and streams, so it gives the same answer
 * on every run and never flakes; its threshold is the (1 - alpha) quantile
 * of the statistic's distribution under the hypothesis "the generator is
 * right", alpha = 1e-3 (two-sided where it matters). A test that makes m
 * checks of one kind (a table of shapes, a list of lags) splits that
 * alpha between them (Bonferroni, alpha / m each), so that a correct
 * generator fails a whole test with probability <= 1e-3 and not one check
 * in a thousand: with fixed seeds a chance failure would be permanent.
 *  - Kolmogorov-Smirnov against the exact CDF (normal via erfc, the
 *    truncated normal from it), alpha = 1e-3 per KS test:
 *    D_crit = sqrt(-ln(alpha / 2) / 2) / sqrt(n), the
 *    Dvoretzky-Kiefer-Wolfowitz-Massart bound P(D > x) <= 2 exp(-2 n x^2),
 *    valid for every n (the asymptotic Kolmogorov quantile is the same to
 *    4 digits at this alpha);
 *  - means: |mean - mu| <= z sigma / sqrt(n), z = Phi^-1(1 - alpha / 2)
 *    (3.2905 at alpha = 1e-3);
 *  - variances: (n - 1) s^2 / sigma^2 ~ chi-square(n - 1) for normal
 *    samples; for uniform and truncated samples the scaled chi-square with
 *    the same variance (nu = 2 / (2 / (n - 1) + kappa / n), kappa the excess
 *    kurtosis); its quantiles by Wilson-Hilferty (relative error < 1e-4 at
 *    these nu);
 *  - Pearson correlations: |r| < z / sqrt(n);
 *  - f16 / bf16: the same bounds, widened by the most that storing every
 *    value in the dtype can move a mean or a standard deviation: half an
 *    ulp of each value (at most 2^-11 relative for f16, 2^-8 for bf16;
 *    2^-25 for f16's subnormals), plus what clamping to the dtype's bounds
 *    can add (check_moments).
 * Sample sizes (3e5 .. 4e6) are chosen so that a standard deviation off
 * by 1% trips the std checks and the KS tests; build with
 * -DCLINIT_STATS_PERTURB=1.01 (or 0.99) to see them fail: every KS test
 * and every std check does, except uniform(0.1, 0.3) in bf16, whose ~150
 * distinct values are 1.2% of its std apart, more than 1%.
 *
 * Each KS test prints D and D_crit with cr_log_info (run with --verbose).
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinit_dtype.h"
#include "common.h"

TestSuite(stats, .timeout = 120);

#define ALPHA 1e-3

/* Every expected standard deviation is multiplied by this: 1 to test, 1.01
 * to check that the tests see a 1% error. */
#ifndef CLINIT_STATS_PERTURB
#define CLINIT_STATS_PERTURB 1.0
#endif

#define SQRT2 1.4142135623730950488

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    cr_assert(p != NULL, "out of memory (%zu bytes)", n);
    return p;
}

/* ---- distributions ------------------------------------------------------- */

static double Phi(double z)
{
    return 0.5 * erfc(-z / SQRT2);
}
/* 1 - Phi(z), accurate in the right tail */
static double Qf(double z)
{
    return 0.5 * erfc(z / SQRT2);
}
static double phi(double z)
{
    return exp(-0.5 * z * z) / 2.5066282746310002;
}

enum { D_UNIFORM, D_NORMAL, D_TRUNC };

/* uniform on [p0, p1); normal(p0, p1); normal(p0, p1) truncated to
 * [alpha, beta] in standard units */
typedef struct dist {
    int kind;
    double p0, p1, alpha, beta;
} dist;

static dist uniform_d(double a, double b)
{
    dist d = {D_UNIFORM, a, b, 0, 0};
    if (CLINIT_STATS_PERTURB != 1.0) { /* widen about the centre */
        double c = (a + b) / 2, h = (b - a) / 2 * CLINIT_STATS_PERTURB;
        d.p0 = c - h;
        d.p1 = c + h;
    }
    return d;
}

static dist normal_d(double mean, double std)
{
    dist d = {D_NORMAL, mean, std * CLINIT_STATS_PERTURB, 0, 0};
    return d;
}

/* trunc_normal_(mean, std, a, b): a and b absolute */
static dist trunc_d(double mean, double std, double a, double b)
{
    dist d = {D_TRUNC, mean, std * CLINIT_STATS_PERTURB, (a - mean) / std,
              (b - mean) / std};
    return d;
}

static double cdf(const dist *d, double x)
{
    double z;
    switch (d->kind) {
    case D_UNIFORM:
        z = (x - d->p0) / (d->p1 - d->p0);
        return z < 0 ? 0 : z > 1 ? 1 : z;
    case D_NORMAL:
        return Phi((x - d->p0) / d->p1);
    default:
        z = (x - d->p0) / d->p1;
        if (z <= d->alpha)
            return 0;
        if (z >= d->beta)
            return 1;
        /* the tail form on the side where it keeps its precision */
        if (d->alpha >= 0)
            return (Qf(d->alpha) - Qf(z)) / (Qf(d->alpha) - Qf(d->beta));
        return (Phi(z) - Phi(d->alpha)) / (Phi(d->beta) - Phi(d->alpha));
    }
}

/* z with P(|Z| > z) = alpha: Phi^-1(1 - alpha / 2), by bisection */
static double z_two_sided(double alpha)
{
    double lo = 0, hi = 40;
    for (int i = 0; i < 200; i++) {
        double mid = (lo + hi) / 2;
        if (2 * Qf(mid) > alpha)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}

/* mean, variance and excess kurtosis */
typedef struct mom {
    double mean, var, kurt;
} mom;

/* Moments of the standard normal truncated to [a, b], from the recurrence
 * E[X^k] = (k - 1) E[X^(k-2)] + (a^(k-1) phi(a) - b^(k-1) phi(b)) / Z. */
static mom trunc_std_moments(double a, double b)
{
    double Z = a >= 0 ? Qf(a) - Qf(b) : Phi(b) - Phi(a);
    double pa = phi(a), pb = phi(b), m[5];
    mom r;
    m[0] = 1;
    m[1] = (pa - pb) / Z;
    for (int k = 2; k <= 4; k++)
        m[k] =
            (k - 1) * m[k - 2] + (pow(a, k - 1) * pa - pow(b, k - 1) * pb) / Z;
    r.mean = m[1];
    r.var = m[2] - m[1] * m[1];
    r.kurt =
        (m[4] - 4 * m[1] * m[3] + 6 * m[1] * m[1] * m[2] - 3 * pow(m[1], 4)) /
            (r.var * r.var) -
        3;
    return r;
}

static mom moments_of_dist(const dist *d)
{
    mom r;
    switch (d->kind) {
    case D_UNIFORM:
        r.mean = (d->p0 + d->p1) / 2;
        r.var = (d->p1 - d->p0) * (d->p1 - d->p0) / 12;
        r.kurt = -1.2;
        return r;
    case D_NORMAL:
        r.mean = d->p0;
        r.var = d->p1 * d->p1;
        r.kurt = 0;
        return r;
    default: {
        mom s = trunc_std_moments(d->alpha, d->beta);
        r.mean = d->p0 + d->p1 * s.mean;
        r.var = d->p1 * d->p1 * s.var;
        r.kurt = s.kurt;
        return r;
    }
    }
}

/* ---- samples ---------------------------------------------------------------
 */

static float widen16(clinit_dtype dt, uint16_t h)
{
    return dt == CLINIT_F16 ? clinit_f32_from_f16(h) : clinit_f32_from_bf16(h);
}

/* Elements [0, n) of t (in its dtype) as doubles. */
static double *sample(const clinit_tensor *t, const clinit_init *in, size_t n)
{
    double *x = xmalloc(n * sizeof *x);
    size_t es = clinit_dtype_size(t->dtype);
    void *raw = t->dtype == CLINIT_F64 ? (void *)x : xmalloc(n * es);
    clinit_status st = clinit_fill_host(NULL, t, in, 0, n, raw);
    cr_assert_eq(st, CLINIT_OK, "fill %s in %s: %s",
                 clinit_method_name(in->method), clinit_dtype_name(t->dtype),
                 clinit_strerror(st));
    if (t->dtype == CLINIT_F32)
        for (size_t i = 0; i < n; i++)
            x[i] = ((const float *)raw)[i];
    else if (t->dtype != CLINIT_F64)
        for (size_t i = 0; i < n; i++)
            x[i] = widen16(t->dtype, ((const uint16_t *)raw)[i]);
    if (raw != (void *)x)
        free(raw);
    return x;
}

/* A 1-D tensor of n elements. */
static double *sample_1d(clinit_dtype dt, clinit_init in, uint64_t seed,
                         uint64_t stream, size_t n)
{
    const int64_t dims[1] = {(int64_t)n};
    clinit_tensor t = test_tensor(1, dims, seed, stream);
    t.dtype = dt;
    return sample(&t, &in, n);
}

static clinit_init uniform_init(double a, double b)
{
    clinit_init in = test_init(CLINIT_UNIFORM);
    in.a = a;
    in.b = b;
    return in;
}

static clinit_init normal_init(double mean, double std)
{
    clinit_init in = test_init(CLINIT_NORMAL);
    in.mean = mean;
    in.std = std;
    return in;
}

static clinit_init trunc_init(double mean, double std, double a, double b)
{
    clinit_init in = test_init(CLINIT_TRUNC_NORMAL);
    in.mean = mean;
    in.std = std;
    in.a = a;
    in.b = b;
    return in;
}

/* ---- Kolmogorov-Smirnov ------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double ks_crit(size_t n)
{
    return sqrt(-log(ALPHA / 2) / 2) / sqrt((double)n);
}

/* D = sup |F_n - F| of the sample (sorted here) against F; tied values are
 * one jump of the empirical CDF. */
static double ks_stat(double *x, size_t n, const dist *d)
{
    double D = 0;
    qsort(x, n, sizeof *x, cmp_double);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        double F = cdf(d, x[i]), lo, hi;
        while (j < n && x[j] == x[i])
            j++;
        lo = F - (double)i / n; /* just below x[i] */
        hi = (double)j / n - F; /* at x[i] */
        D = lo > D ? lo : D;
        D = hi > D ? hi : D;
        i = j;
    }
    return D;
}

static void ks_check(const char *what, double *x, size_t n, const dist *d)
{
    double D = ks_stat(x, n, d), crit = ks_crit(n);
    cr_log_info("KS %-52s n=%-8zu D=%.3e D_crit=%.3e %s", what, n, D, crit,
                D <= crit ? "pass" : "FAIL");
    cr_expect(D <= crit, "KS %s: D = %.4e > D_crit = %.4e (n = %zu)", what, D,
              crit, n);
}

Test(stats, ks_uniform)
{
    static const struct {
        double a, b;
    } cases[] = {{0, 1}, {-3, 5}, {-1e-3, 2e-3}};
    const size_t n = 1u << 20;
    for (int k = 0; k < 2; k++) {
        clinit_dtype dt = k ? CLINIT_F64 : CLINIT_F32;
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            double *x = sample_1d(dt, uniform_init(cases[c].a, cases[c].b),
                                  100 + c, 1, n);
            /* the bounds as the dtype holds them */
            double a = dt == CLINIT_F32 ? (float)cases[c].a : cases[c].a;
            double b = dt == CLINIT_F32 ? (float)cases[c].b : cases[c].b;
            dist d = uniform_d(a, b);
            char what[96];
            snprintf(what, sizeof what, "uniform(%g, %g) %s", cases[c].a,
                     cases[c].b, clinit_dtype_name(dt));
            ks_check(what, x, n, &d);
            free(x);
        }
    }
}

Test(stats, ks_normal)
{
    static const struct {
        double mean, std;
    } cases[] = {{0, 1}, {3, 0.5}, {-1e-2, 1e-3}};
    const size_t n = 1u << 20;
    for (int k = 0; k < 2; k++) {
        clinit_dtype dt = k ? CLINIT_F64 : CLINIT_F32;
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            double *x = sample_1d(dt, normal_init(cases[c].mean, cases[c].std),
                                  200 + c, 2, n);
            dist d = normal_d(cases[c].mean, cases[c].std);
            char what[96];
            snprintf(what, sizeof what, "normal(%g, %g) %s", cases[c].mean,
                     cases[c].std, clinit_dtype_name(dt));
            ks_check(what, x, n, &d);
            free(x);
        }
    }
}

/* trunc_normal_(mean, std, a, b), a and b absolute */
static const struct tcase {
    const char *name;
    double mean, std, a, b;
} trunc_cases[] = {
    {"central [-2, 2]", 0, 1, -2, 2},
    {"one-sided [0, 3]", 0, 1, 0, 3},
    {"far tail [3, 6] sd", 0, 1e-3, 3e-3, 6e-3},
    {"left far tail [-6, -3] sd", 0, 1, -6, -3},
    {"narrow, left of the mean", 0.5, 2, -1e-2, 0.25},
    {"[-1, 50] sd", 2, 0.01, 1.99, 2.5},
    {"wide [-100, 100] sd (a normal)", 0, 1, -100, 100},
    {"torch default, std 0.02", 0, 0.02, -2, 2},
};
#define NTRUNC (sizeof trunc_cases / sizeof trunc_cases[0])

static void ks_trunc(clinit_dtype dt)
{
    const size_t n = 1u << 20;
    for (size_t c = 0; c < NTRUNC; c++) {
        const struct tcase *tc = &trunc_cases[c];
        double *x = sample_1d(dt, trunc_init(tc->mean, tc->std, tc->a, tc->b),
                              300 + c, 3, n);
        dist d = trunc_d(tc->mean, tc->std, tc->a, tc->b);
        char what[96];
        size_t out = 0;
        for (size_t i = 0; i < n; i++)
            out += !(x[i] >= tc->a && x[i] <= tc->b);
        cr_expect_eq(out, 0, "trunc_normal %s %s: %zu values outside [a, b]",
                     tc->name, clinit_dtype_name(dt), out);
        snprintf(what, sizeof what, "trunc_normal %s %s", tc->name,
                 clinit_dtype_name(dt));
        ks_check(what, x, n, &d);
        free(x);
    }
}

Test(stats, ks_trunc_normal_f32)
{
    ks_trunc(CLINIT_F32);
}
Test(stats, ks_trunc_normal_f64)
{
    ks_trunc(CLINIT_F64);
}

/* variance_scaling (Keras): sd = sqrt(scale / fan); truncated_normal draws
 * normal(0, sd / .87962566103423978) truncated to +-2 of its own std */
static dist vs_dist(clinit_distribution dis, double scale, double fan)
{
    double sd = sqrt(scale / fan);
    if (dis == CLINIT_VS_TRUNCATED_NORMAL) {
        double s = sd / .87962566103423978;
        return trunc_d(0, s, -2 * s, 2 * s);
    }
    if (dis == CLINIT_VS_UNTRUNCATED_NORMAL)
        return normal_d(0, sd);
    {
        double lim = sqrt(3 * scale / fan);
        return uniform_d(-lim, lim);
    }
}

Test(stats, ks_variance_scaling)
{
    static const struct {
        const char *name;
        clinit_method m;
        clinit_distribution dis;
        double scale;
        clinit_mode mode;
        int ndim;
        int64_t dims[4];
        double fan;
    } cases[] = {
        {"variance_scaling truncated, scale 2, fan_in",
         CLINIT_VARIANCE_SCALING,
         CLINIT_VS_TRUNCATED_NORMAL,
         2,
         CLINIT_FAN_IN,
         2,
         {1024, 1024},
         1024},
        {"variance_scaling untruncated, fan_out",
         CLINIT_VARIANCE_SCALING,
         CLINIT_VS_UNTRUNCATED_NORMAL,
         1,
         CLINIT_FAN_OUT,
         4,
         {64, 128, 11, 11},
         64 * 121},
        {"variance_scaling uniform, scale 0.5, fan_avg",
         CLINIT_VARIANCE_SCALING,
         CLINIT_VS_UNIFORM,
         0.5,
         CLINIT_FAN_AVG,
         2,
         {2048, 512},
         1280},
        {"he_normal [512, 256, 3, 3]",
         CLINIT_HE_NORMAL,
         CLINIT_VS_TRUNCATED_NORMAL,
         2,
         CLINIT_FAN_IN,
         4,
         {512, 256, 3, 3},
         256 * 9},
        {"glorot_normal [1024, 768]",
         CLINIT_GLOROT_NORMAL,
         CLINIT_VS_TRUNCATED_NORMAL,
         1,
         CLINIT_FAN_AVG,
         2,
         {1024, 768},
         896},
    };
    for (int k = 0; k < 2; k++)
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            clinit_dtype dt = k ? CLINIT_F64 : CLINIT_F32;
            clinit_tensor t =
                test_tensor(cases[c].ndim, cases[c].dims, 400 + c, 4);
            clinit_init in = test_init(cases[c].m);
            uint64_t n;
            double *x;
            dist d = vs_dist(cases[c].dis, cases[c].scale, cases[c].fan);
            char what[96];
            t.dtype = dt;
            in.distribution = cases[c].dis;
            in.scale = cases[c].scale;
            in.mode = cases[c].mode;
            cr_assert_eq(clinit_numel(&t, &n), CLINIT_OK);
            x = sample(&t, &in, (size_t)n);
            if (d.kind == D_UNIFORM && dt == CLINIT_F32) { /* f32 bounds */
                double lim = (float)sqrt(3 * cases[c].scale / cases[c].fan);
                d = uniform_d(-lim, lim);
            }
            snprintf(what, sizeof what, "%s %s", cases[c].name,
                     clinit_dtype_name(dt));
            ks_check(what, x, (size_t)n, &d);
            free(x);
        }
}

Test(stats, ks_sparse_nonzeros)
{
    /* sparse_: the non-zeros are normal(0, std) */
    static const struct {
        double sparsity, std;
    } cases[] = {{0.25, 0.01}, {0.5, 1.0}};
    /* 2^21 elements: 1.5 M and 1 M non-zeros, enough for KS to see a 1%
     * error in the std */
    const int64_t dims[2] = {2048, 1024};
    for (int k = 0; k < 2; k++)
        for (size_t c = 0; c < 2; c++) {
            clinit_dtype dt = k ? CLINIT_F64 : CLINIT_F32;
            clinit_tensor t = test_tensor(2, dims, 500 + c, 5);
            clinit_init in = test_init(CLINIT_SPARSE);
            size_t n = 2048 * 1024, m = 0;
            double *x;
            dist d = normal_d(0, cases[c].std);
            char what[96];
            t.dtype = dt;
            in.sparsity = cases[c].sparsity;
            in.std = cases[c].std;
            x = sample(&t, &in, n);
            for (size_t i = 0; i < n; i++)
                if (x[i] != 0)
                    x[m++] = x[i];
            /* ceil(sparsity * rows) zeros per column, and a normal value is
             * exactly 0 with probability ~2^-24 */
            cr_expect(n - m >= (size_t)ceil(cases[c].sparsity * 2048) * 1024 &&
                          n - m <=
                              (size_t)ceil(cases[c].sparsity * 2048) * 1024 + 4,
                      "sparse %g: %zu zeros", cases[c].sparsity, n - m);
            snprintf(what, sizeof what, "sparse %g non-zeros, std %g, %s",
                     cases[c].sparsity, cases[c].std, clinit_dtype_name(dt));
            ks_check(what, x, m, &d);
            free(x);
        }
}

/* ---- moments ------------------------------------------------------------ */

/* Wilson-Hilferty: the p-quantile of chi-square(nu) / nu for the standard
 * normal quantile z. */
static double chi2_over_nu(double nu, double z)
{
    double c = 2.0 / (9.0 * nu);
    return pow(1 - c + z * sqrt(c), 3);
}

/* Half an ulp of the stored value x in a dtype with p fraction bits
 * (10 for f16, 7 for bf16): the most that rounding can have moved the
 * value that x came from (for a value rounded up to a power of two the
 * true bound is half of this, so this is an upper bound). f16's subnormal
 * halves have a fixed unit of 2^-24; bf16 has f32's range. */
static double half_ulp(double x, int p)
{
    double a = fabs(x);
    if (p == 10 && a < 0x1p-14)
        return 0x1p-25;
    if (a < FLT_MIN)
        return FLT_MIN;
    return ldexp(1.0, ilogb(a) - p - 1);
}

/* Checks the sample mean and standard deviation of x against m at two-
 * sided level z. For a 16-bit dtype (p fraction bits, 0 for f32 / f64,
 * whose rounding is negligible here), the bounds widen by what storing
 * the values in the dtype can have moved them: rounding moves value i by
 * at most h_i = half_ulp(x_i), so the mean by at most mean(h) and the std
 * (a norm of the centred vector, and centring does not lengthen a vector)
 * by at most rms(h); clamping to the dtype's bounds adds at most `clamp`
 * to that rms. */
static void check_moments(const char *what, const double *x, size_t n, mom m,
                          double z, int p, double clamp)
{
    double sum = 0, ss = 0, mean, sd, hsum = 0, hsq = 0;
    double nu, lo, hi, sigma = sqrt(m.var), tol_mean, sd_lo, sd_hi;
    for (size_t i = 0; i < n; i++) {
        sum += x[i];
        if (p) {
            double h = half_ulp(x[i], p);
            hsum += h;
            hsq += h * h;
        }
    }
    mean = sum / (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - mean) * (x[i] - mean);
    sd = sqrt(ss / (double)(n - 1));
    hsum /= (double)n;
    hsq = sqrt(hsq / (double)n);
    /* the scaled chi-square with the variance of s^2 / sigma^2 */
    nu = 2.0 / (2.0 / (double)(n - 1) + m.kurt / (double)n);
    lo = chi2_over_nu(nu, -z);
    hi = chi2_over_nu(nu, z);
    tol_mean = z * sigma / sqrt((double)n) + hsum + clamp;
    sd_lo = sigma * sqrt(lo) - hsq - clamp;
    sd_hi = sigma * sqrt(hi) + hsq + clamp;
    cr_expect(fabs(mean - m.mean) <= tol_mean,
              "%s: mean %.9g, want %.9g +- %.3g", what, mean, m.mean, tol_mean);
    cr_expect(sd >= sd_lo && sd <= sd_hi,
              "%s: std %.9g, want %.9g in [%.9g, %.9g] (%+.3f%%, bound "
              "%+.3f%%)",
              what, sd, sigma, sd_lo, sd_hi, 100 * (sd / sigma - 1),
              100 * ((sd > sigma ? sd_hi : sd_lo) / sigma - 1));
}

/* ---- values of a dtype ------------------------------------------------ */

/* The value of dtype dt nearest to x (ties to even), by the definition:
 * the multiple of the dtype's unit in x's binade nearest to x. */
static double dt_nearest(clinit_dtype dt, double x)
{
    int e, p;
    double a = fabs(x), q;
    switch (dt) {
    case CLINIT_F64:
        return x;
    case CLINIT_F32:
        return (float)x;
    default:
        break;
    }
    if (a == 0)
        return x;
    p = dt == CLINIT_F16 ? 10 : 7;
    (void)frexp(a, &e);
    e = e - 1 - p;
    if (dt == CLINIT_F16 && e < -24)
        e = -24;
    q = ldexp(nearbyint(ldexp(a, -e)), e);
    return copysign(q, x);
}

static double dt_ulp_at(clinit_dtype dt, double x)
{
    int e, p = dt == CLINIT_F16    ? 10
               : dt == CLINIT_BF16 ? 7
               : dt == CLINIT_F32  ? 23
                                   : 52;
    (void)frexp(fabs(x) > 0 ? fabs(x) : 1e-300, &e);
    e = e - 1 - p;
    if (dt == CLINIT_F16 && e < -24)
        e = -24;
    return ldexp(1, e);
}

/* next 16-bit pattern up or down (sign-magnitude) */
static uint16_t step16(uint16_t h, int up)
{
    if ((h & 0x7fffu) == 0)
        return up ? 0x0001u : 0x8001u;
    if (!(h & 0x8000u) == !!up)
        return (uint16_t)(h + 1);
    return (uint16_t)(h - 1);
}

/* the smallest value of the 16-bit dtype >= x (up), or the largest <= x
 * (!up), or < x (!up && strict) */
static double dt_bound16(clinit_dtype dt, double x, int up, int strict)
{
    float q = (float)dt_nearest(dt, x); /* exact */
    uint16_t h =
        (uint16_t)(dt == CLINIT_F16 ? clinit_f16_bits(q) : clinit_bf16_bits(q));
    if (up)
        while ((double)widen16(dt, h) < x)
            h = step16(h, 1);
    else
        while ((double)widen16(dt, h) > x ||
               (strict && (double)widen16(dt, h) == x))
            h = step16(h, 0);
    return widen16(dt, h);
}

Test(stats, moments_f16_bf16)
{
    typedef struct mcase {
        const char *name;
        clinit_method m;
        double a, b, mean, std;
    } mcase;
    static const mcase cases[] = {
        {"normal(0.5, 2)", CLINIT_NORMAL, 0, 0, 0.5, 2},
        {"normal(0, 1e-3)", CLINIT_NORMAL, 0, 0, 0, 1e-3},
        {"uniform(-3, 7.5)", CLINIT_UNIFORM, -3, 7.5, 0, 0},
        {"uniform(0.1, 0.3)", CLINIT_UNIFORM, 0.1, 0.3, 0, 0},
        {"trunc_normal(0, 1, -2, 2)", CLINIT_TRUNC_NORMAL, -2, 2, 0, 1},
        {"trunc_normal(0.1, 1.5, -1, 3)", CLINIT_TRUNC_NORMAL, -1, 3, 0.1, 1.5},
    };
    const size_t n = 1u << 21, ncases = sizeof cases / sizeof cases[0];
    /* two dtypes x the cases x (mean, std) */
    const double z = z_two_sided(ALPHA / (double)(2 * ncases * 2));
    for (int k = 0; k < 2; k++) {
        clinit_dtype dt = k ? CLINIT_BF16 : CLINIT_F16;
        int p = k ? 7 : 10; /* fraction bits */
        for (size_t c = 0; c < ncases; c++) {
            const mcase *mc = &cases[c];
            clinit_init in = test_init(mc->m);
            double *x, clamp = 0;
            dist d;
            char what[96];
            in.a = mc->a;
            in.b = mc->b;
            in.mean = mc->mean;
            in.std = mc->std;
            x = sample_1d(dt, in, 600 + c, 6, n);
            if (mc->m == CLINIT_NORMAL) {
                d = normal_d(mc->mean, mc->std);
            } else {
                /* Clamping to the dtype's bounds moves only the values
                 * of a band of width w next to a bound, by at most w: a
                 * fraction of at most w dens (dens the largest density),
                 * so it adds at most w sqrt(w dens) to the rms
                 * displacement per end. uniform: f32 values in [af, bf)
                 * clamped to [a', top], a' the dtype's a, top the largest
                 * value below its b; trunc_normal: f32 values in [a, b]
                 * give or take an f32 ulp, clamped to the dtype's values
                 * inside [a, b]. */
                double wlo, whi, dens;
                if (mc->m == CLINIT_UNIFORM) {
                    double af = (float)mc->a, bf = (float)mc->b;
                    double a1 = dt_nearest(dt, mc->a);
                    double top = dt_bound16(dt, dt_nearest(dt, mc->b), 0, 1);
                    d = uniform_d(af, bf);
                    wlo = fmax(0, a1 - af);
                    whi = fmax(0, bf - top);
                    dens = 1 / (bf - af);
                } else {
                    double z0;
                    d = trunc_d(mc->mean, mc->std, mc->a, mc->b);
                    z0 = d.alpha > 0 ? d.alpha : d.beta < 0 ? d.beta : 0;
                    wlo = dt_bound16(dt, mc->a, 1, 0) - mc->a +
                          dt_ulp_at(CLINIT_F32, mc->a);
                    whi = mc->b - dt_bound16(dt, mc->b, 0, 0) +
                          dt_ulp_at(CLINIT_F32, mc->b);
                    dens = phi(z0) / (mc->std * (Phi(d.beta) - Phi(d.alpha)));
                }
                clamp = wlo * sqrt(wlo * dens) + whi * sqrt(whi * dens);
            }
            snprintf(what, sizeof what, "%s in %s", mc->name,
                     clinit_dtype_name(dt));
            check_moments(what, x, n, moments_of_dist(&d), z, p, clamp);
            free(x);
        }
    }
}

Test(stats, normal_tails_f16_bf16)
{
    /* 2^22 standard normals reach beyond +-4 (P(Z < -4) = 3.2e-5: 133
     * expected on each side); PyTorch's bf16 randn never went below -3.5.
     * The counts beyond +-4 must fit a binomial with p between
     * P(|Z| > 4 + ulp) and P(|Z| > 4) (rounding may move values across 4). */
    const size_t n = 1u << 22;
    static const clinit_dtype dts[] = {CLINIT_F16, CLINIT_BF16, CLINIT_F32};
    for (size_t k = 0; k < 3; k++) {
        double *x = sample_1d(dts[k], normal_init(0, 1), 700, 7, n);
        double mn = INFINITY, mx = -INFINITY,
               ulp = dts[k] == CLINIT_BF16  ? 0x1p-5
                     : dts[k] == CLINIT_F16 ? 0x1p-8
                                            : 0x1p-21;
        double plo = 2 * Qf(4 + ulp), phi_ = 2 * Qf(4);
        /* three dtypes: alpha / 3 each */
        double z = z_two_sided(ALPHA / 3);
        double elo = n * plo - z * sqrt(n * plo * (1 - plo));
        double ehi = n * phi_ + z * sqrt(n * phi_ * (1 - phi_));
        size_t beyond = 0;
        for (size_t i = 0; i < n; i++) {
            mn = x[i] < mn ? x[i] : mn;
            mx = x[i] > mx ? x[i] : mx;
            beyond += fabs(x[i]) > 4;
        }
        cr_log_info("normal(0, 1) in %s, 2^22 samples: min %.4f max %.4f, "
                    "%zu beyond +-4 (want %.0f .. %.0f)",
                    clinit_dtype_name(dts[k]), mn, mx, beyond, elo, ehi);
        cr_expect_lt(mn, -4.0, "%s: min %g", clinit_dtype_name(dts[k]), mn);
        cr_expect_gt(mx, 4.0, "%s: max %g", clinit_dtype_name(dts[k]), mx);
        cr_expect(beyond >= elo && beyond <= ehi,
                  "%s: %zu values beyond +-4, want %.0f .. %.0f",
                  clinit_dtype_name(dts[k]), beyond, elo, ehi);
        free(x);
    }
}

/* ---- fan methods: sample std against the formula ------------------------- */

typedef struct fshape {
    int ndim;
    int64_t dims[5];
} fshape;

/* 4.6e5 .. 6.1e5 elements each: at the Bonferroni level of the 240 checks
 * (z = 4.60) a normal's std is pinned to +-0.48% or better, so 1% off
 * trips it */
static const fshape fan_shapes[] = {
    {2, {1024, 512}},        /* linear */
    {2, {8192, 64}},         /* skinny */
    {3, {512, 128, 7}},      /* conv1d */
    {4, {256, 256, 3, 3}},   /* conv2d */
    {5, {128, 64, 3, 5, 5}}, /* conv3d */
    {4, {32, 2048, 1, 7}},   /* fan_in >> fan_out */
};
#define NFAN_SHAPES (sizeof fan_shapes / sizeof fan_shapes[0])

static double gain_of(clinit_nonlinearity nl, double a)
{
    switch (nl) {
    case CLINIT_NL_TANH:
        return 5.0 / 3;
    case CLINIT_NL_RELU:
        return sqrt(2.0);
    case CLINIT_NL_LEAKY_RELU:
        return sqrt(2.0 / (1 + a * a));
    case CLINIT_NL_SELU:
        return 0.75;
    default:
        return 1.0;
    }
}

typedef struct fcase {
    clinit_method m;
    double gain;             /* xavier */
    clinit_nonlinearity nl;  /* kaiming */
    double a;                /* kaiming slope */
    clinit_mode mode;        /* kaiming, VS */
    double scale;            /* VS */
    clinit_distribution dis; /* VS */
} fcase;

static const fcase fan_cases[] = {
    {CLINIT_XAVIER_UNIFORM, 1, 0, 0, 0, 0, 0},
    {CLINIT_XAVIER_UNIFORM, 5.0 / 3, 0, 0, 0, 0, 0},
    {CLINIT_XAVIER_NORMAL, 1, 0, 0, 0, 0, 0},
    {CLINIT_XAVIER_NORMAL, 1.4142135623730951, 0, 0, 0, 0, 0},
    {CLINIT_KAIMING_UNIFORM, 0, CLINIT_NL_LEAKY_RELU, 0, CLINIT_FAN_IN, 0, 0},
    {CLINIT_KAIMING_UNIFORM, 0, CLINIT_NL_RELU, 0, CLINIT_FAN_OUT, 0, 0},
    {CLINIT_KAIMING_UNIFORM, 0, CLINIT_NL_TANH, 0, CLINIT_FAN_IN, 0, 0},
    {CLINIT_KAIMING_NORMAL, 0, CLINIT_NL_LEAKY_RELU, 0.2, CLINIT_FAN_IN, 0, 0},
    {CLINIT_KAIMING_NORMAL, 0, CLINIT_NL_RELU, 0, CLINIT_FAN_OUT, 0, 0},
    {CLINIT_KAIMING_NORMAL, 0, CLINIT_NL_SELU, 0, CLINIT_FAN_IN, 0, 0},
    {CLINIT_VARIANCE_SCALING, 0, 0, 0, CLINIT_FAN_IN, 1,
     CLINIT_VS_TRUNCATED_NORMAL},
    {CLINIT_VARIANCE_SCALING, 0, 0, 0, CLINIT_FAN_OUT, 2,
     CLINIT_VS_UNTRUNCATED_NORMAL},
    {CLINIT_VARIANCE_SCALING, 0, 0, 0, CLINIT_FAN_AVG, 0.5, CLINIT_VS_UNIFORM},
    {CLINIT_VARIANCE_SCALING, 0, 0, 0, CLINIT_FAN_AVG, 3,
     CLINIT_VS_TRUNCATED_NORMAL},
    {CLINIT_LECUN_UNIFORM, 0, 0, 0, 0, 0, 0},
    {CLINIT_LECUN_NORMAL, 0, 0, 0, 0, 0, 0},
    {CLINIT_GLOROT_UNIFORM, 0, 0, 0, 0, 0, 0},
    {CLINIT_GLOROT_NORMAL, 0, 0, 0, 0, 0, 0},
    {CLINIT_HE_UNIFORM, 0, 0, 0, 0, 0, 0},
    {CLINIT_HE_NORMAL, 0, 0, 0, 0, 0, 0},
};

/* The distribution a fan method draws, from torch's and Keras' formulas
 * (computed here, independently of clinit_resolve). */
static dist fan_dist(const fcase *c, const fshape *s, clinit_init *in)
{
    double rf = 1, fi, fo, sd, fan;
    clinit_mode mode = c->mode;
    double scale = c->scale;
    clinit_distribution dis = c->dis;
    for (int d = 2; d < s->ndim; d++)
        rf *= (double)s->dims[d];
    fi = (double)s->dims[1] * rf;
    fo = (double)s->dims[0] * rf;
    *in = test_init(c->m);
    switch (c->m) {
    case CLINIT_XAVIER_UNIFORM:
    case CLINIT_XAVIER_NORMAL:
        in->gain = c->gain;
        sd = c->gain * sqrt(2.0 / (fi + fo));
        return c->m == CLINIT_XAVIER_NORMAL
                   ? normal_d(0, sd)
                   : uniform_d(-sqrt(3.0) * sd, sqrt(3.0) * sd);
    case CLINIT_KAIMING_UNIFORM:
    case CLINIT_KAIMING_NORMAL:
        in->nonlinearity = c->nl;
        in->a = c->a;
        in->mode = c->mode;
        sd = gain_of(c->nl, c->a) / sqrt(c->mode == CLINIT_FAN_IN ? fi : fo);
        return c->m == CLINIT_KAIMING_NORMAL
                   ? normal_d(0, sd)
                   : uniform_d(-sqrt(3.0) * sd, sqrt(3.0) * sd);
    case CLINIT_VARIANCE_SCALING:
        in->mode = mode;
        in->scale = scale;
        in->distribution = dis;
        break;
    default: /* the presets */
        mode = c->m == CLINIT_GLOROT_UNIFORM || c->m == CLINIT_GLOROT_NORMAL
                   ? CLINIT_FAN_AVG
                   : CLINIT_FAN_IN;
        scale = c->m == CLINIT_HE_UNIFORM || c->m == CLINIT_HE_NORMAL ? 2 : 1;
        dis = c->m == CLINIT_LECUN_UNIFORM || c->m == CLINIT_GLOROT_UNIFORM ||
                      c->m == CLINIT_HE_UNIFORM
                  ? CLINIT_VS_UNIFORM
                  : CLINIT_VS_TRUNCATED_NORMAL;
        break;
    }
    fan = mode == CLINIT_FAN_IN    ? fi
          : mode == CLINIT_FAN_OUT ? fo
                                   : (fi + fo) / 2;
    return vs_dist(dis, scale, fan);
}

Test(stats, fan_methods_std_over_shapes_and_gains)
{
    /* Every (method, parameters) x shape: the sample std against the
     * formula's (chi-square bound, scaled for the distribution's
     * kurtosis), the mean against 0, and uniform bounds never crossed. */
    const size_t ncases = sizeof fan_cases / sizeof fan_cases[0];
    const double z = z_two_sided(ALPHA / (double)(NFAN_SHAPES * ncases * 2));
    for (size_t si = 0; si < NFAN_SHAPES; si++)
        for (size_t ci = 0; ci < ncases; ci++) {
            const fshape *s = &fan_shapes[si];
            clinit_init in;
            dist d = fan_dist(&fan_cases[ci], s, &in);
            clinit_tensor t = test_tensor(s->ndim, s->dims, 800 + si, ci);
            uint64_t n;
            double *x;
            char what[128];
            mom m = moments_of_dist(&d);
            cr_assert_eq(clinit_numel(&t, &n), CLINIT_OK);
            x = sample(&t, &in, (size_t)n);
            snprintf(what, sizeof what, "%s case %zu shape %zu (n %llu)",
                     clinit_method_name(fan_cases[ci].m), ci, si,
                     (unsigned long long)n);
            if (d.kind == D_UNIFORM) {
                float lim = (float)d.p1;
                size_t out = 0;
                for (uint64_t i = 0; i < n; i++)
                    out += !(x[i] >= -lim && x[i] < lim);
                cr_expect_eq(out, 0, "%s: %zu values outside [-%g, %g)", what,
                             out, lim, lim);
            }
            check_moments(what, x, (size_t)n, m, z, 0, 0);
            free(x);
        }
}

/* ---- independence ----------------------------------------------------------
 */

static double pearson(const double *x, const double *y, size_t n)
{
    double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= (double)n;
    my /= (double)n;
    for (size_t i = 0; i < n; i++) {
        double a = x[i] - mx, b = y[i] - my;
        sxy += a * b;
        sxx += a * a;
        syy += b * b;
    }
    return sxy / sqrt(sxx * syy);
}

/* |r| < z / sqrt(n): r is about normal(0, 1 / n) for independent
 * variables with finite fourth moments */
static void check_r(const char *what, double r, size_t n, double z)
{
    double crit = z / sqrt((double)n);
    cr_log_info("corr %-56s r=%+.2e |r|_crit=%.2e", what, r, crit);
    cr_expect(fabs(r) < crit, "%s: r = %.3e, |r| must be < %.3e (n = %zu)",
              what, r, crit, n);
}

static const struct icase {
    const char *name;
    clinit_dtype dt;
    clinit_method m;
} indep_cases[] = {
    {"uniform f32", CLINIT_F32, CLINIT_UNIFORM},
    {"normal f32", CLINIT_F32, CLINIT_NORMAL},
    {"uniform f64", CLINIT_F64, CLINIT_UNIFORM},
    {"normal f64", CLINIT_F64, CLINIT_NORMAL},
};

Test(stats, independence_of_streams_and_seeds)
{
    const size_t n = 1u << 20;
    /* (seed, stream) and the neighbour: stream + 1, then seed + 1 */
    static const uint64_t seeds[] = {0, 12345, 0xffffffffull};
    static const uint64_t streams[] = {0, 0xffffffffull, 1ull << 40};
    const size_t ncases = sizeof indep_cases / sizeof indep_cases[0];
    const double z = z_two_sided(ALPHA / (double)(ncases * 3 * 2));
    char what[128];
    for (size_t c = 0; c < sizeof indep_cases / sizeof indep_cases[0]; c++) {
        clinit_init in = test_init(indep_cases[c].m);
        clinit_dtype dt = indep_cases[c].dt;
        for (size_t k = 0; k < 3; k++) {
            double *x = sample_1d(dt, in, seeds[k], streams[k], n);
            double *y = sample_1d(dt, in, seeds[k], streams[k] + 1, n);
            double *w = sample_1d(dt, in, seeds[k] + 1, streams[k], n);
            snprintf(what, sizeof what, "%s seed %llu: stream %llu vs +1",
                     indep_cases[c].name, (unsigned long long)seeds[k],
                     (unsigned long long)streams[k]);
            check_r(what, pearson(x, y, n), n, z);
            snprintf(what, sizeof what, "%s stream %llu: seed %llu vs +1",
                     indep_cases[c].name, (unsigned long long)streams[k],
                     (unsigned long long)seeds[k]);
            check_r(what, pearson(x, w, n), n, z);
            free(x);
            free(y);
            free(w);
        }
    }
}

Test(stats, independence_of_neighbouring_elements)
{
    /* lag 1, the word structure (16: same counter, next word; 32: f64's
     * block), the block (64), and for normals the squares at lag 16, the
     * Box-Muller partner of word 0 (same r) */
    const size_t n = 1u << 20;
    static const size_t lags[] = {1, 16, 32, 64};
    /* 4 cases x 4 lags, and 2 normal cases x 4 lags of squares */
    const double z = z_two_sided(ALPHA / 24);
    char what[128];
    for (size_t c = 0; c < sizeof indep_cases / sizeof indep_cases[0]; c++) {
        clinit_init in = test_init(indep_cases[c].m);
        double *x = sample_1d(indep_cases[c].dt, in, 4711, 9, n + 64);
        for (size_t l = 0; l < sizeof lags / sizeof lags[0]; l++) {
            snprintf(what, sizeof what, "%s: element i vs i + %zu",
                     indep_cases[c].name, lags[l]);
            check_r(what, pearson(x, x + lags[l], n), n, z);
        }
        if (indep_cases[c].m == CLINIT_NORMAL) {
            double *sq = xmalloc((n + 64) * sizeof *sq);
            for (size_t i = 0; i < n + 64; i++)
                sq[i] = x[i] * x[i];
            for (size_t l = 0; l < sizeof lags / sizeof lags[0]; l++) {
                snprintf(what, sizeof what, "%s: squares, i vs i + %zu",
                         indep_cases[c].name, lags[l]);
                check_r(what, pearson(sq, sq + lags[l], n), n, z);
            }
            free(sq);
        }
        free(x);
    }
}

/* ---- bounds in every dtype --------------------------------------------------
 */

Test(stats, uniform_and_trunc_normal_stay_in_bounds_in_every_dtype)
{
    static const clinit_dtype dts[] = {CLINIT_F32, CLINIT_F16, CLINIT_BF16,
                                       CLINIT_F64};
    static const struct {
        double a, b;
    } ucases[] = {{0, 1},        {-3, 7.5},    {0.1, 0.3},
                  {-1e-3, 1e-3}, {1000, 1024}, {-1, 1.0078125}};
    const size_t n = 1u << 18;
    for (size_t k = 0; k < 4; k++) {
        clinit_dtype dt = dts[k];
        for (size_t c = 0; c < sizeof ucases / sizeof ucases[0]; c++) {
            /* [a', b'): the bounds rounded to the dtype; b' never returned */
            double a = dt_nearest(dt, ucases[c].a);
            double b = dt_nearest(dt, ucases[c].b);
            double *x = sample_1d(dt, uniform_init(ucases[c].a, ucases[c].b),
                                  900 + c, k, n);
            size_t out = 0, first = 0;
            double lo = INFINITY, hi = -INFINITY;
            for (size_t i = 0; i < n; i++) {
                if (!(x[i] >= a && x[i] < b) && out++ == 0)
                    first = i;
                lo = x[i] < lo ? x[i] : lo;
                hi = x[i] > hi ? x[i] : hi;
            }
            cr_expect_eq(out, 0,
                         "uniform(%g, %g) %s: %zu values outside [%a, %a), "
                         "first %a",
                         ucases[c].a, ucases[c].b, clinit_dtype_name(dt), out,
                         a, b, x[first]);
            /* and it gets close to both ends */
            cr_expect(lo - a <= (b - a) * 1e-3 + dt_ulp_at(dt, a) &&
                          b - hi <= (b - a) * 1e-3 + dt_ulp_at(dt, b),
                      "uniform(%g, %g) %s: range [%a, %a]", ucases[c].a,
                      ucases[c].b, clinit_dtype_name(dt), lo, hi);
            free(x);
        }
        for (size_t c = 0; c < NTRUNC; c++) {
            /* [a, b] exactly: no value below a or above b */
            const struct tcase *tc = &trunc_cases[c];
            double *x = sample_1d(
                dt, trunc_init(tc->mean, tc->std, tc->a, tc->b), 950 + c, k, n);
            size_t out = 0, first = 0;
            for (size_t i = 0; i < n; i++)
                if (!(x[i] >= tc->a && x[i] <= tc->b) && out++ == 0)
                    first = i;
            cr_expect_eq(out, 0,
                         "trunc_normal %s %s: %zu values outside [%g, %g], "
                         "first %a",
                         tc->name, clinit_dtype_name(dt), out, tc->a, tc->b,
                         x[first]);
            free(x);
        }
    }
}
