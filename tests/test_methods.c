/* test_methods.c - torch.nn.init semantics: calculate_gain, fans, the
 * distribution each method resolves to, statistics of host fills (fixed
 * seeds, so every check is deterministic; thresholds at alpha = 1e-6 per
 * check, derived below), exact constants, and the sub-range and
 * thread-count invariance of the host path. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

TestSuite(methods);

#define NSTAT (1u << 20) /* samples per statistical check */

/* Two-sided alpha = 1e-6 for a normally distributed statistic:
 * Phi^-1(1 - 0.5e-6) = 4.8916. */
#define Z_CRIT 4.9
/* chi-square with 63 degrees of freedom (64 bins), upper 1e-6 quantile */
#define CHI2_63_CRIT 131.37

/* splitmix64: test inputs only */
static uint64_t mix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static float *alloc_f(size_t n)
{
    float *p = malloc(n * sizeof *p);
    cr_assert(p != NULL);
    return p;
}

/* ---- calculate_gain -------------------------------------------------------
 */

Test(methods, calculate_gain_matches_torch)
{
    /* torch.nn.init.calculate_gain, evaluated the way Python evaluates it
     * (doubles; 0.01 ** 2 is the correctly rounded square, = 0.01 * 0.01) */
    static const struct {
        clinit_nonlinearity nl;
        double param;
        double want;
    } cases[] = {
        {CLINIT_NL_LINEAR, NAN, 1.0},
        {CLINIT_NL_CONV1D, NAN, 1.0},
        {CLINIT_NL_CONV2D, NAN, 1.0},
        {CLINIT_NL_CONV3D, NAN, 1.0},
        {CLINIT_NL_CONV_TRANSPOSE1D, NAN, 1.0},
        {CLINIT_NL_CONV_TRANSPOSE2D, NAN, 1.0},
        {CLINIT_NL_CONV_TRANSPOSE3D, NAN, 1.0},
        {CLINIT_NL_SIGMOID, NAN, 1.0},
        {CLINIT_NL_TANH, NAN, 5.0 / 3},
        {CLINIT_NL_RELU, NAN, 0}, /* sqrt(2.0), filled in below */
        {CLINIT_NL_SELU, NAN, 3.0 / 4},
        /* other nonlinearities ignore param */
        {CLINIT_NL_TANH, 0.2, 5.0 / 3},
        {CLINIT_NL_SIGMOID, INFINITY, 1.0},
        {CLINIT_NL_SELU, -7, 3.0 / 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double g = -1,
               want = cases[i].nl == CLINIT_NL_RELU ? sqrt(2.0) : cases[i].want;
        cr_assert_eq(clinit_calculate_gain(cases[i].nl, cases[i].param, &g),
                     CLINIT_OK, "%s", clinit_nonlinearity_name(cases[i].nl));
        cr_expect(g == want, "%s(%g): %.17g, want %.17g",
                  clinit_nonlinearity_name(cases[i].nl), cases[i].param, g,
                  want);
    }
    {
        /* leaky_relu: sqrt(2.0 / (1 + negative_slope ** 2)) */
        static const double slopes[] = {
            0.2, 0.0, -0.3, 1.0, 2.2360679774997898, 1e-3, 100.0};
        double g = -1;
        cr_assert_eq(clinit_calculate_gain(CLINIT_NL_LEAKY_RELU, NAN, &g),
                     CLINIT_OK);
        cr_expect(g == sqrt(2.0 / (1 + 0.01 * 0.01)),
                  "leaky_relu default: %.17g", g);
        cr_expect(g != sqrt(2.0), "leaky_relu default slope is 0.01, not 0");
        for (size_t i = 0; i < sizeof slopes / sizeof slopes[0]; i++) {
            double s = slopes[i];
            cr_assert_eq(clinit_calculate_gain(CLINIT_NL_LEAKY_RELU, s, &g),
                         CLINIT_OK);
            cr_expect(g == sqrt(2.0 / (1 + s * s)), "leaky_relu(%g): %.17g", s,
                      g);
        }
        cr_expect_eq(clinit_calculate_gain(CLINIT_NL_LEAKY_RELU, 0.0, &g),
                     CLINIT_OK);
        cr_expect(g == sqrt(2.0), "leaky_relu(0) is relu's gain");
        cr_expect_eq(clinit_calculate_gain(CLINIT_NL_LEAKY_RELU, INFINITY, &g),
                     CLINIT_EPARAM);
    }
    {
        double g = 42;
        cr_expect_eq(clinit_calculate_gain((clinit_nonlinearity)12, NAN, &g),
                     CLINIT_ENONLINEARITY);
        cr_expect_eq(clinit_calculate_gain((clinit_nonlinearity)-1, NAN, &g),
                     CLINIT_ENONLINEARITY);
        cr_expect_eq(g, 42);
    }
}

/* ---- fans -----------------------------------------------------------------
 */

typedef struct shape_case {
    int ndim;
    int64_t shape[CLINIT_MAX_DIMS];
} shape_case;

static void fans_ref(const shape_case *s, uint64_t *fi, uint64_t *fo)
{
    uint64_t rf = 1;
    for (int d = 2; d < s->ndim; d++)
        rf *= (uint64_t)s->shape[d];
    *fi = (uint64_t)s->shape[1] * rf;
    *fo = (uint64_t)s->shape[0] * rf;
}

Test(methods, fans_over_shapes)
{
    static const shape_case shapes[] = {
        {2, {3, 5}},
        {2, {1, 1}},
        {2, {4096, 1000}},
        {3, {64, 32, 7}},      /* conv1d */
        {4, {128, 64, 3, 3}},  /* conv2d */
        {4, {1, 3, 11, 5}},    /* conv2d, non-square kernel */
        {5, {16, 8, 3, 5, 7}}, /* conv3d */
        {8, {2, 3, 2, 2, 2, 2, 2, 3}},
        {2, {INT64_C(1) << 40, 1 << 16}}, /* numel 2^56 */
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        uint64_t fi = 0, fo = 0, wi, wo;
        fans_ref(&shapes[i], &wi, &wo);
        cr_assert_eq(clinit_fans(shapes[i].ndim, shapes[i].shape, &fi, &fo),
                     CLINIT_OK, "shape %zu", i);
        cr_expect_eq(fi, wi, "shape %zu: fan_in %llu, want %llu", i,
                     (unsigned long long)fi, (unsigned long long)wi);
        cr_expect_eq(fo, wo, "shape %zu: fan_out %llu, want %llu", i,
                     (unsigned long long)fo, (unsigned long long)wo);
    }
    {
        const int64_t s[1] = {10};
        uint64_t fi = 1, fo = 2;
        cr_expect_eq(clinit_fans(1, s, &fi, &fo), CLINIT_EFANS);
        cr_expect(fi == 1 && fo == 2);
    }
}

/* ---- resolve ----------------------------------------------------------------
 */

typedef struct fan_case {
    clinit_method method;
    double gain;            /* xavier */
    double a;               /* kaiming */
    clinit_mode mode;       /* kaiming */
    clinit_nonlinearity nl; /* kaiming */
} fan_case;

static const shape_case fan_shapes[] = {
    {2, {256, 128}},     {2, {1000, 33}},        {3, {128, 64, 5}},
    {4, {64, 32, 3, 3}}, {5, {32, 16, 3, 3, 3}}, {2, {1, 40000}},
};

static const fan_case fan_cases[] = {
    {CLINIT_XAVIER_UNIFORM, 1.0, 0, CLINIT_FAN_IN, CLINIT_NL_LEAKY_RELU},
    {CLINIT_XAVIER_UNIFORM, 5.0 / 3, 0, CLINIT_FAN_IN, CLINIT_NL_LEAKY_RELU},
    {CLINIT_XAVIER_NORMAL, 1.0, 0, CLINIT_FAN_IN, CLINIT_NL_LEAKY_RELU},
    {CLINIT_XAVIER_NORMAL, 0.25, 0, CLINIT_FAN_IN, CLINIT_NL_LEAKY_RELU},
    /* torch's default: a=0 with leaky_relu is relu's gain sqrt(2) */
    {CLINIT_KAIMING_UNIFORM, 1, 0, CLINIT_FAN_IN, CLINIT_NL_LEAKY_RELU},
    /* nn.Linear's reset_parameters: kaiming_uniform_(w, a=sqrt(5)) */
    {CLINIT_KAIMING_UNIFORM, 1, 2.2360679774997898, CLINIT_FAN_IN,
     CLINIT_NL_LEAKY_RELU},
    {CLINIT_KAIMING_UNIFORM, 1, 0, CLINIT_FAN_OUT, CLINIT_NL_RELU},
    {CLINIT_KAIMING_UNIFORM, 1, 0, CLINIT_FAN_IN, CLINIT_NL_TANH},
    {CLINIT_KAIMING_NORMAL, 1, 0, CLINIT_FAN_IN, CLINIT_NL_LEAKY_RELU},
    {CLINIT_KAIMING_NORMAL, 1, 0, CLINIT_FAN_OUT, CLINIT_NL_RELU},
    {CLINIT_KAIMING_NORMAL, 1, 0.2, CLINIT_FAN_OUT, CLINIT_NL_LEAKY_RELU},
    {CLINIT_KAIMING_NORMAL, 1, 0, CLINIT_FAN_IN, CLINIT_NL_TANH},
    {CLINIT_KAIMING_NORMAL, 1, 0, CLINIT_FAN_OUT, CLINIT_NL_SELU},
};

static clinit_init fan_init(const fan_case *c)
{
    clinit_init in = test_init(c->method);
    in.gain = c->gain;
    in.a = c->a;
    in.mode = c->mode;
    in.nonlinearity = c->nl;
    return in;
}

/* torch's gain for kaiming: calculate_gain(nonlinearity, a) */
static double torch_kaiming_gain(const fan_case *c)
{
    switch (c->nl) {
    case CLINIT_NL_RELU:
        return sqrt(2.0);
    case CLINIT_NL_LEAKY_RELU:
        return sqrt(2.0 / (1 + c->a * c->a));
    case CLINIT_NL_TANH:
        return 5.0 / 3;
    case CLINIT_NL_SELU:
        return 3.0 / 4;
    default:
        return 1.0;
    }
}

/* torch's std for (shape, case), and the gain and fan it used. */
static double torch_std(const shape_case *s, const fan_case *c, double *gain,
                        double *fan)
{
    uint64_t fi, fo;
    fans_ref(s, &fi, &fo);
    if (c->method == CLINIT_XAVIER_UNIFORM ||
        c->method == CLINIT_XAVIER_NORMAL) {
        *gain = c->gain;
        *fan = NAN;
        /* std = gain * math.sqrt(2.0 / float(fan_in + fan_out)) */
        return c->gain * sqrt(2.0 / (double)(fi + fo));
    }
    *gain = torch_kaiming_gain(c);
    *fan = (double)(c->mode == CLINIT_FAN_IN ? fi : fo);
    /* std = gain / math.sqrt(fan) */
    return *gain / sqrt(*fan);
}

static int is_uniform(clinit_method m)
{
    return m == CLINIT_XAVIER_UNIFORM || m == CLINIT_KAIMING_UNIFORM;
}

Test(methods, resolve_matches_torch_formulas)
{
    /* the parameters are computed in double, the same in every dtype */
    for (int dt = CLINIT_F32; dt <= CLINIT_F64; dt++)
        for (size_t si = 0; si < sizeof fan_shapes / sizeof fan_shapes[0]; si++)
            for (size_t ci = 0; ci < sizeof fan_cases / sizeof fan_cases[0];
                 ci++) {
                const shape_case *s = &fan_shapes[si];
                const fan_case *c = &fan_cases[ci];
                clinit_tensor t = test_tensor(s->ndim, s->shape, 1, 2);
                clinit_init in = fan_init(c);
                clinit_resolved r;
                double gain, fan, std = torch_std(s, c, &gain, &fan);
                uint64_t fi, fo;
                t.dtype = (clinit_dtype)dt;
                fans_ref(s, &fi, &fo);
                cr_assert_eq(clinit_resolve(&t, &in, &r), CLINIT_OK,
                             "shape %zu case %zu %s", si, ci,
                             clinit_dtype_name((clinit_dtype)dt));
                cr_expect_eq(r.fan_in, fi, "shape %zu case %zu", si, ci);
                cr_expect_eq(r.fan_out, fo, "shape %zu case %zu", si, ci);
                cr_expect(r.gain == gain,
                          "shape %zu case %zu: gain %.17g/%.17g", si, ci,
                          r.gain, gain);
                if (isnan(fan))
                    cr_expect(isnan(r.fan), "shape %zu case %zu", si, ci);
                else
                    cr_expect(r.fan == fan, "shape %zu case %zu: fan %g/%g", si,
                              ci, r.fan, fan);
                if (is_uniform(c->method)) {
                    /* bound = math.sqrt(3.0) * std; U(-bound, bound) */
                    double bound = sqrt(3.0) * std;
                    cr_expect_eq(r.dist, CLINIT_DIST_UNIFORM);
                    cr_expect(
                        r.lo == -bound && r.hi == bound,
                        "shape %zu case %zu: [%.17g, %.17g), want +-%.17g", si,
                        ci, r.lo, r.hi, bound);
                } else {
                    cr_expect_eq(r.dist, CLINIT_DIST_NORMAL);
                    cr_expect(r.mean == 0.0 && r.std == std,
                              "shape %zu case %zu: N(%g, %.17g), want %.17g",
                              si, ci, r.mean, r.std, std);
                }
            }
}

Test(methods, resolve_plain_methods)
{
    const int64_t s[2] = {3, 4};
    clinit_tensor t = test_tensor(2, s, 1, 2);
    clinit_init in = test_init(CLINIT_UNIFORM);
    clinit_resolved r;
    in.a = -2.5;
    in.b = 7;
    cr_assert_eq(clinit_resolve(&t, &in, &r), CLINIT_OK);
    cr_expect_eq(r.dist, CLINIT_DIST_UNIFORM);
    cr_expect(r.lo == -2.5 && r.hi == 7.0);
    cr_expect(r.fan_in == 0 && r.fan_out == 0 && isnan(r.gain) && isnan(r.fan));
    in = test_init(CLINIT_NORMAL);
    in.mean = 3;
    in.std = 0.5;
    cr_assert_eq(clinit_resolve(&t, &in, &r), CLINIT_OK);
    cr_expect_eq(r.dist, CLINIT_DIST_NORMAL);
    cr_expect(r.mean == 3.0 && r.std == 0.5);
    in = test_init(CLINIT_CONSTANT);
    in.val = 0.1;
    cr_assert_eq(clinit_resolve(&t, &in, &r), CLINIT_OK);
    cr_expect_eq(r.dist, CLINIT_DIST_CONSTANT);
    cr_expect(r.value == (double)0.1f, "value as stored in f32");
    in = test_init(CLINIT_ONES);
    cr_assert_eq(clinit_resolve(&t, &in, &r), CLINIT_OK);
    cr_expect(r.dist == CLINIT_DIST_CONSTANT && r.value == 1.0);
    in = test_init(CLINIT_ZEROS);
    cr_assert_eq(clinit_resolve(&t, &in, &r), CLINIT_OK);
    cr_expect(r.dist == CLINIT_DIST_CONSTANT && r.value == 0.0);
}

Test(methods, gain_zero_gives_zeros)
{
    const int64_t s[2] = {100, 50};
    clinit_tensor t = test_tensor(2, s, 5, 6);
    enum { M = 5000 };
    static float v[M];
    for (int m = CLINIT_XAVIER_UNIFORM; m <= CLINIT_XAVIER_NORMAL; m++) {
        clinit_init in = test_init((clinit_method)m);
        clinit_resolved r;
        size_t bad = 0;
        in.gain = 0;
        cr_assert_eq(clinit_resolve(&t, &in, &r), CLINIT_OK);
        if (m == CLINIT_XAVIER_UNIFORM)
            cr_expect(r.dist == CLINIT_DIST_CONSTANT && r.value == 0.0);
        else
            cr_expect(r.dist == CLINIT_DIST_NORMAL && r.std == 0.0);
        memset(v, 0x5A, sizeof v);
        cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, M, v), CLINIT_OK);
        for (int i = 0; i < M; i++)
            bad += !(v[i] == 0.0f);
        cr_expect_eq(bad, 0, "%s gain 0: %zu nonzero values",
                     clinit_method_name((clinit_method)m), bad);
    }
}

/* ---- statistics
 * ---------------------------------------------------------------
 *
 * For n iid samples with mean mu, variance s2 = sigma^2, and excess
 * kurtosis k (= mu4 / sigma^4 - 3):
 *
 *   sample mean m:  Var(m) = s2 / n.
 *   unbiased sample variance v = sum (x - m)^2 / (n - 1):
 *     Var(v) = mu4 / n - s2^2 (n - 3) / (n (n - 1))
 *            = s2^2 (k + 3) / n - s2^2 (n - 3) / (n (n - 1))
 *            = s2^2 (2 / (n - 1) + k / n)
 *     (using (k + 3)/n - (n - 3)/(n (n - 1)) = k/n + [3 (n - 1) - (n - 3)]
 *      / (n (n - 1)) = k/n + 2/(n - 1)).
 *
 * Both are sums of iid terms with finite variance, so for n in the
 * thousands and above they are normal to within far less than the margin
 * used, and |m - mu| <= Z sqrt(Var m), |v - s2| <= Z sqrt(Var v) with
 * Z = 4.9 hold with probability 1 - 1e-6 each. Excess kurtosis: uniform
 * -6/5 (mu4 = w^4/80, s2 = w^2/12), normal 0.
 *
 * Generator details are negligible against these margins: the uniform
 * draw is (24-bit integer) * 2^-24, whose mean is low by w 2^-25 (1e-4
 * standard errors at n = 2^20) and whose variance is low by a relative
 * 2^-48; Box-Muller's truncation at |z| <= 6.67 changes the variance by
 * ~1e-9 relative.
 */

#define KURT_UNIFORM (-1.2)
#define KURT_NORMAL 0.0

typedef struct moments {
    double mean, var, min, max;
} moments;

static moments moments_of(const float *v, size_t n)
{
    moments s;
    double sum = 0, ss = 0;
    s.min = INFINITY;
    s.max = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        sum += v[i];
        if (v[i] < s.min)
            s.min = v[i];
        if (v[i] > s.max)
            s.max = v[i];
    }
    s.mean = sum / (double)n;
    for (size_t i = 0; i < n; i++) {
        double d = v[i] - s.mean;
        ss += d * d;
    }
    s.var = ss / (double)(n - 1);
    return s;
}

static void expect_moments(const char *what, const float *v, size_t n,
                           double mu, double sigma, double kurt)
{
    moments s = moments_of(v, n);
    double s2 = sigma * sigma;
    double se_mean = sigma / sqrt((double)n);
    double se_var = s2 * sqrt(2.0 / (double)(n - 1) + kurt / (double)n);
    cr_expect(fabs(s.mean - mu) <= Z_CRIT * se_mean,
              "%s: mean %.9g, want %.9g +- %.3g (%.2f SE)", what, s.mean, mu,
              Z_CRIT * se_mean, (s.mean - mu) / se_mean);
    cr_expect(fabs(s.var - s2) <= Z_CRIT * se_var,
              "%s: variance %.9g, want %.9g +- %.3g (%.2f SE)", what, s.var, s2,
              Z_CRIT * se_var, (s.var - s2) / se_var);
}

/* Pearson's chi-square of 64 equiprobable bins. */
static double chi2_64(const unsigned *count, size_t n)
{
    double e = (double)n / 64, x = 0;
    for (int k = 0; k < 64; k++)
        x += (count[k] - e) * (count[k] - e) / e;
    return x;
}

static void fill_1d(clinit_init in, uint64_t seed, uint64_t stream, float *v,
                    size_t n)
{
    const int64_t s[1] = {(int64_t)n};
    clinit_tensor t = test_tensor(1, s, seed, stream);
    cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, n, v), CLINIT_OK);
}

Test(methods, uniform_statistics)
{
    static const struct {
        double a, b;
    } cases[] = {{0, 1},       {-1e-3, 1e-3},     {-3, 5},
                 {1000, 1001}, {-1.7e38, 1.7e38}, {1e-30, 2e-30}};
    float *v = alloc_f(NSTAT);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clinit_init in = test_init(CLINIT_UNIFORM);
        float a = (float)cases[i].a, b = (float)cases[i].b;
        size_t out = 0;
        char what[64];
        in.a = cases[i].a;
        in.b = cases[i].b;
        fill_1d(in, 1000 + i, 17, v, NSTAT);
        for (size_t k = 0; k < NSTAT; k++)
            out += !(v[k] >= a && v[k] < b);
        snprintf(what, sizeof what, "U(%g, %g)", cases[i].a, cases[i].b);
        cr_expect_eq(out, 0, "%s: %zu values outside [a, b)", what, out);
        expect_moments(what, v, NSTAT, ((double)a + b) / 2,
                       ((double)b - a) / sqrt(12.0), KURT_UNIFORM);
    }
    free(v);
}

Test(methods, uniform_histogram)
{
    float *v = alloc_f(NSTAT);
    unsigned count[64] = {0};
    double x2;
    fill_1d(test_init(CLINIT_UNIFORM), 77, 0, v, NSTAT);
    for (size_t k = 0; k < NSTAT; k++) {
        int bin = (int)(v[k] * 64); /* exact: v = j * 2^-24 */
        cr_assert(bin >= 0 && bin < 64, "v[%zu] = %a", k, v[k]);
        count[bin]++;
    }
    x2 = chi2_64(count, NSTAT);
    cr_expect_leq(x2, CHI2_63_CRIT, "chi-square %.1f over 64 bins", x2);
    free(v);
}

Test(methods, uniform_tiny_ranges)
{
    /* [a, next float after a): every value is exactly a, never b */
    static const float as[] = {1.0f, 1e6f, -1.0f, -3e-38f, 123.456f, -3.4e38f};
    enum { M = 100000 };
    float *v = alloc_f(M);
    for (size_t i = 0; i < sizeof as / sizeof as[0]; i++) {
        clinit_init in = test_init(CLINIT_UNIFORM);
        float b = nextafterf(as[i], INFINITY);
        size_t bad = 0;
        in.a = as[i];
        in.b = b;
        fill_1d(in, 9, i, v, M);
        for (size_t k = 0; k < M; k++)
            bad += test_bits(v[k]) != test_bits(as[i]);
        cr_expect_eq(bad, 0, "U(%a, %a): %zu values are not a", as[i], b, bad);
    }
    {
        /* [0, FLT_MIN): every value is below FLT_MIN, so flushed to +0 */
        clinit_init in = test_init(CLINIT_UNIFORM);
        size_t bad = 0;
        in.a = 0;
        in.b = FLT_MIN;
        fill_1d(in, 9, 99, v, M);
        for (size_t k = 0; k < M; k++)
            bad += test_bits(v[k]) != 0u;
        cr_expect_eq(bad, 0, "U(0, FLT_MIN): %zu values are not +0", bad);
    }
    free(v);
}

Test(methods, normal_statistics)
{
    static const struct {
        double mean, std;
    } cases[] = {{0, 1}, {3, 0.5}, {-1000, 0.01}, {0, 1e-20}, {1e30, 1e30}};
    float *v = alloc_f(NSTAT);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clinit_init in = test_init(CLINIT_NORMAL);
        float mean = (float)cases[i].mean, std = (float)cases[i].std;
        double zmax = 0;
        char what[64];
        in.mean = cases[i].mean;
        in.std = cases[i].std;
        fill_1d(in, 2000 + i, 3, v, NSTAT);
        for (size_t k = 0; k < NSTAT; k++) {
            double z = ((double)v[k] - mean) / std;
            cr_assert(isfinite(v[k]), "v[%zu] = %g", k, v[k]);
            if (fabs(z) > zmax)
                zmax = fabs(z);
        }
        snprintf(what, sizeof what, "N(%g, %g)", cases[i].mean, cases[i].std);
        /* docs: u >= 2^-32, so |z| <= sqrt(-2 ln 2^-32) = 6.66 */
        cr_expect_lt(zmax, 6.7, "%s: max |z| = %g", what, zmax);
        expect_moments(what, v, NSTAT, mean, std, KURT_NORMAL);
    }
    free(v);
}

Test(methods, normal_shape)
{
    /* tail fractions and a chi-square on 64 equiprobable bins of Phi(z) */
    static const struct {
        double z, p; /* P(|Z| > z) = erfc(z / sqrt 2) */
    } tails[] = {{1, 0.31731050786291410},
                 {2, 0.045500263896358417},
                 {3, 0.0026997960632601866},
                 {4, 6.3342483666239957e-05}};
    float *v = alloc_f(NSTAT);
    unsigned count[64] = {0};
    size_t beyond[4] = {0, 0, 0, 0};
    double x2;
    fill_1d(test_init(CLINIT_NORMAL), 4242, 1, v, NSTAT);
    for (size_t k = 0; k < NSTAT; k++) {
        double phi = 0.5 * erfc(-v[k] / sqrt(2.0));
        int bin = (int)(phi * 64);
        count[bin > 63 ? 63 : bin]++;
        for (int j = 0; j < 4; j++)
            beyond[j] += fabs(v[k]) > tails[j].z;
    }
    for (int j = 0; j < 4; j++) {
        double e = NSTAT * tails[j].p;
        double sd = sqrt(NSTAT * tails[j].p * (1 - tails[j].p));
        cr_expect(fabs(beyond[j] - e) <= Z_CRIT * sd,
                  "P(|z| > %g): %zu of %u, want %.1f +- %.1f", tails[j].z,
                  beyond[j], NSTAT, e, Z_CRIT * sd);
    }
    x2 = chi2_64(count, NSTAT);
    cr_expect_leq(x2, CHI2_63_CRIT, "chi-square %.1f over 64 bins of Phi", x2);
    free(v);
}

Test(methods, fan_methods_statistics)
{
    for (size_t si = 0; si < sizeof fan_shapes / sizeof fan_shapes[0]; si++)
        for (size_t ci = 0; ci < sizeof fan_cases / sizeof fan_cases[0]; ci++) {
            const shape_case *s = &fan_shapes[si];
            const fan_case *c = &fan_cases[ci];
            clinit_tensor t = test_tensor(s->ndim, s->shape, 31 + si, ci);
            clinit_init in = fan_init(c);
            double gain, fan, std = torch_std(s, c, &gain, &fan);
            uint64_t n;
            float *v;
            char what[96];
            cr_assert_eq(clinit_numel(&t, &n), CLINIT_OK);
            v = alloc_f((size_t)n);
            cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, n, v), CLINIT_OK);
            snprintf(what, sizeof what, "%s shape %zu case %zu",
                     clinit_method_name(c->method), si, ci);
            if (is_uniform(c->method)) {
                float bound = (float)(sqrt(3.0) * std);
                size_t out = 0;
                for (uint64_t k = 0; k < n; k++)
                    out += !(v[k] >= -bound && v[k] < bound);
                cr_expect_eq(out, 0, "%s: %zu values outside [-%g, %g)", what,
                             out, bound, bound);
                expect_moments(what, v, (size_t)n, 0, std, KURT_UNIFORM);
            } else {
                expect_moments(what, v, (size_t)n, 0, std, KURT_NORMAL);
            }
            free(v);
        }
}

Test(methods, constants_are_exact)
{
    static const double vals[] = {0.1, -3.75, 1e-3, 65504.0, -0.0, 1e30};
    enum { M = 1000 };
    static float v[M];
    const int64_t s[2] = {10, 100};
    clinit_tensor t = test_tensor(2, s, 1, 1);
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        clinit_init in = test_init(CLINIT_CONSTANT);
        size_t bad = 0;
        in.val = vals[i];
        cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, M, v), CLINIT_OK);
        for (int k = 0; k < M; k++)
            bad += test_bits(v[k]) != test_bits((float)vals[i]);
        cr_expect_eq(bad, 0, "constant %g: %zu values differ", vals[i], bad);
    }
    {
        clinit_init in = test_init(CLINIT_ZEROS);
        size_t bad = 0;
        memset(v, 0x5A, sizeof v);
        cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, M, v), CLINIT_OK);
        for (int k = 0; k < M; k++)
            bad += test_bits(v[k]) != 0u;
        cr_expect_eq(bad, 0, "zeros: %zu values are not +0", bad);
        in = test_init(CLINIT_ONES);
        bad = 0;
        cr_assert_eq(clinit_fill_host(NULL, &t, &in, 3, M, v), CLINIT_OK);
        for (int k = 0; k < M - 3; k++)
            bad += test_bits(v[k]) != test_bits(1.0f);
        cr_expect_eq(bad, 0, "ones: %zu values are not 1", bad);
    }
}

/* ---- sub-ranges and threads
 * ----------------------------------------------------- */

static clinit_ctx *cpu_ctx(unsigned threads)
{
    clinit_ctx_options opt = {"cpu", threads};
    clinit_ctx *c = NULL;
    cr_assert_eq(clinit_ctx_create(&c, &opt), CLINIT_OK);
    cr_assert(!clinit_ctx_is_opencl(c));
    return c;
}

Test(methods, sub_ranges_equal_slices_of_the_whole)
{
    /* 3 x 65577: large enough that some ranges use several threads */
    const int64_t s[2] = {3, 65577};
    const uint64_t n = 3 * 65577;
    static const clinit_method methods[] = {
        CLINIT_UNIFORM,       CLINIT_NORMAL,     CLINIT_KAIMING_UNIFORM,
        CLINIT_XAVIER_NORMAL, CLINIT_CONSTANT,   CLINIT_TRUNC_NORMAL,
        CLINIT_EYE,           CLINIT_ORTHOGONAL, CLINIT_GLOROT_UNIFORM,
        CLINIT_HE_NORMAL};
    clinit_ctx *c = cpu_ctx(3);
    float *whole = alloc_f(n), *part = alloc_f(n + 1);
    uint64_t rs = 20240601;
    for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
        clinit_tensor t = test_tensor(2, s, 0xfeedfacecafebeefu, m);
        clinit_init in = test_init(methods[m]);
        in.val = 2.5;
        cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, n, whole), CLINIT_OK);
        for (int k = 0; k < 48; k++) {
            uint64_t lo, hi;
            size_t bad = 0;
            /* fixed edge cases first, then random ranges */
            static const uint64_t edge[][2] = {{0, 0},
                                               {0, 1},
                                               {63, 65},
                                               {64, 128},
                                               {1, 3 * 65577},
                                               {0, 3 * 65577},
                                               {3 * 65577 - 1, 3 * 65577},
                                               {3 * 65577, 3 * 65577}};
            if (k < 8) {
                lo = edge[k][0];
                hi = edge[k][1];
            } else {
                uint64_t x = mix(&rs) % (n + 1), y = mix(&rs) % (n + 1);
                lo = x < y ? x : y;
                hi = x < y ? y : x;
                if (k % 4 == 0) { /* some short ranges */
                    uint64_t len = mix(&rs) % 200;
                    hi = lo + (len < n - lo ? len : n - lo);
                }
            }
            part[hi - lo] = 12345.0f; /* canary after the range */
            cr_assert_eq(clinit_fill_host(c, &t, &in, lo, hi, part), CLINIT_OK);
            for (uint64_t i = lo; i < hi; i++)
                bad += test_bits(part[i - lo]) != test_bits(whole[i]);
            cr_expect_eq(bad, 0, "%s [%llu, %llu): %zu values differ",
                         clinit_method_name(methods[m]), (unsigned long long)lo,
                         (unsigned long long)hi, bad);
            cr_expect(part[hi - lo] == 12345.0f,
                      "%s [%llu, %llu): wrote past hi - lo",
                      clinit_method_name(methods[m]), (unsigned long long)lo,
                      (unsigned long long)hi);
        }
    }
    free(whole);
    free(part);
    clinit_ctx_destroy(c);
}

Test(methods, thread_count_does_not_change_bytes)
{
    enum { M = (1 << 20) + 77 };
    static const unsigned threads[] = {1, 2, 3, 7, 0};
    static const clinit_method methods[] = {CLINIT_UNIFORM, CLINIT_NORMAL};
    const int64_t s[2] = {M, 1};
    float *ref = alloc_f(M), *v = alloc_f(M);
    clinit_ctx *ocl = test_opencl_ctx();
    for (size_t m = 0; m < 2; m++) {
        clinit_tensor t = test_tensor(2, s, 555, 666);
        clinit_init in = test_init(methods[m]);
        clinit_ctx *c1 = cpu_ctx(1);
        cr_assert_eq(clinit_fill_host(c1, &t, &in, 0, M, ref), CLINIT_OK);
        clinit_ctx_destroy(c1);
        for (size_t k = 1; k < sizeof threads / sizeof threads[0]; k++) {
            clinit_ctx *c = cpu_ctx(threads[k]);
            memset(v, 0, (size_t)M * sizeof *v);
            cr_assert_eq(clinit_fill_host(c, &t, &in, 0, M, v), CLINIT_OK);
            cr_expect(memcmp(v, ref, (size_t)M * sizeof *v) == 0,
                      "%s: %u threads differ from 1",
                      clinit_method_name(methods[m]), threads[k]);
            /* an unaligned start too */
            cr_assert_eq(clinit_fill_host(c, &t, &in, 1001, M, v), CLINIT_OK);
            cr_expect(memcmp(v, ref + 1001, (size_t)(M - 1001) * sizeof *v) ==
                          0,
                      "%s: %u threads, [1001, M) differs",
                      clinit_method_name(methods[m]), threads[k]);
            clinit_ctx_destroy(c);
        }
        /* NULL ctx and an OpenCL ctx fill host memory the same way */
        memset(v, 0, (size_t)M * sizeof *v);
        cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, M, v), CLINIT_OK);
        cr_expect(memcmp(v, ref, (size_t)M * sizeof *v) == 0, "NULL ctx");
        memset(v, 0, (size_t)M * sizeof *v);
        cr_assert_eq(clinit_fill_host(ocl, &t, &in, 0, M, v), CLINIT_OK);
        cr_expect(memcmp(v, ref, (size_t)M * sizeof *v) == 0, "OpenCL ctx");
    }
    clinit_ctx_destroy(ocl);
    free(ref);
    free(v);
}

/* ---- the 16-bit dtypes, independently of the library ------------------------
 */

/* The value of an f16 / bf16 bit pattern. */
static double f16_value(uint16_t h)
{
    int e = (h >> 10) & 0x1f, m = h & 0x3ff;
    double v = e == 31  ? (m ? NAN : INFINITY)
               : e == 0 ? ldexp((double)m, -24)
                        : ldexp((double)(m | 0x400), e - 25);
    return (h & 0x8000) ? -v : v;
}

static double bf16_value(uint16_t h)
{
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static double value16(clinit_dtype dt, uint16_t h)
{
    return dt == CLINIT_F16 ? f16_value(h) : bf16_value(h);
}

/* x rounded to nearest even in f16 / bf16, by search over the patterns
 * (positive finite patterns are ordered like their values); a magnitude
 * at or beyond max + half an ulp becomes infinity. */
static uint16_t round16(clinit_dtype dt, double x)
{
    const uint16_t inf = dt == CLINIT_F16 ? 0x7c00 : 0x7f80;
    const double past_max = dt == CLINIT_F16 ? 0x1p16 : 0x1p128;
    double ax = fabs(x), below, above;
    uint16_t lo = 0, hi = (uint16_t)(inf - 1), p;
    while (lo < hi) { /* largest finite p with value(p) <= ax */
        uint16_t mid = (uint16_t)((lo + hi + 1) / 2);
        if (value16(dt, mid) <= ax)
            lo = mid;
        else
            hi = (uint16_t)(mid - 1);
    }
    p = lo;
    below = value16(dt, p);
    above = p + 1 == inf ? past_max : value16(dt, (uint16_t)(p + 1));
    if (ax - below > above - ax || (ax - below == above - ax && (p & 1)))
        p++;
    return (uint16_t)(p | (signbit(x) ? 0x8000 : 0));
}

/* x rounded to the dtype, as a double */
static double round_dt(clinit_dtype dt, double x)
{
    switch (dt) {
    case CLINIT_F32:
        return (float)x;
    case CLINIT_F16:
    case CLINIT_BF16:
        return value16(dt, round16(dt, x));
    default:
        return x;
    }
}

/* Element k of a buffer of dtype dt, as a double, and its bits. */
static double elem(const void *buf, clinit_dtype dt, size_t k)
{
    const unsigned char *b = buf;
    switch (dt) {
    case CLINIT_F32: {
        float f;
        memcpy(&f, b + 4 * k, 4);
        return f;
    }
    case CLINIT_F16:
    case CLINIT_BF16: {
        uint16_t h;
        memcpy(&h, b + 2 * k, 2);
        return value16(dt, h);
    }
    default: {
        double d;
        memcpy(&d, b + 8 * k, 8);
        return d;
    }
    }
}

static uint64_t elem_bits(const void *buf, clinit_dtype dt, size_t k)
{
    size_t es = clinit_dtype_size(dt);
    uint64_t u = 0;
    memcpy(&u, (const unsigned char *)buf + es * k, es); /* little endian */
    return u;
}

/* The bits of x in dtype dt (x a value of the dtype, or rounded to it). */
static uint64_t bits_of(clinit_dtype dt, double x)
{
    switch (dt) {
    case CLINIT_F32:
        return test_bits((float)x);
    case CLINIT_F16:
    case CLINIT_BF16:
        return round16(dt, x);
    default: {
        uint64_t u;
        memcpy(&u, &x, 8);
        return u;
    }
    }
}

static const clinit_dtype every_dtype[] = {CLINIT_F32, CLINIT_F16, CLINIT_BF16,
                                           CLINIT_F64};
#define NDT (sizeof every_dtype / sizeof every_dtype[0])

Test(methods, test_helpers_for_16_bit_dtypes)
{
    /* known patterns, so the oracle itself is checked */
    cr_assert_eq(round16(CLINIT_F16, 1.0), 0x3c00);
    cr_assert_eq(round16(CLINIT_BF16, 1.0), 0x3f80);
    cr_assert_eq(round16(CLINIT_F16, 0.1), 0x2e66);
    cr_assert_eq(round16(CLINIT_BF16, 0.1), 0x3dcd);
    cr_assert_eq(round16(CLINIT_F16, -3.75), 0xc380);
    cr_assert_eq(round16(CLINIT_BF16, -3.75), 0xc070);
    cr_assert_eq(round16(CLINIT_F16, 65504.0), 0x7bff);
    cr_assert_eq(round16(CLINIT_F16, 65519.0), 0x7bff);
    cr_assert_eq(round16(CLINIT_F16, 65520.0), 0x7c00);
    cr_assert_eq(round16(CLINIT_F16, -0.0), 0x8000);
    cr_assert_eq(round16(CLINIT_F16, 0x1p-24), 0x0001);
    cr_assert_eq(round16(CLINIT_F16, 0x1p-25), 0x0000); /* tie to even */
    cr_assert_eq(round16(CLINIT_F16, 1 + 0x1p-11), 0x3c00);
    cr_assert_eq(round16(CLINIT_F16, 1 + 0x1p-11 + 0x1p-40), 0x3c01);
    cr_assert_eq(round16(CLINIT_F16, 1 + 0x1p-10 + 0x1p-11), 0x3c02);
    cr_assert_eq(round16(CLINIT_BF16, 65504.0), 0x4780);
    cr_assert_eq(round16(CLINIT_BF16, 3.4e38), 0x7f80);
    cr_assert(f16_value(0x7bff) == 65504.0);
    cr_assert(f16_value(0x3555) == 0x1.554p-2);
}

/* ---- eye_ and dirac_: exact patterns in every dtype, host and device --------
 */

/* Fills the whole tensor on the host (NULL ctx) and on the device; both
 * must equal want (0/1 per element, in the dtype's bits). */
static void expect_pattern(clinit_ctx *ocl, const clinit_tensor *t,
                           const clinit_init *in, const unsigned char *want,
                           const char *what)
{
    uint64_t n;
    size_t es = clinit_dtype_size(t->dtype);
    unsigned char *host, *dev;
    size_t bad = 0, first = SIZE_MAX;
    cl_mem b;
    cr_assert_eq(clinit_numel(t, &n), CLINIT_OK);
    host = malloc((size_t)n * es);
    dev = malloc((size_t)n * es);
    cr_assert(host && dev);
    memset(host, 0x5A, (size_t)n * es);
    cr_assert_eq(clinit_fill_host(NULL, t, in, 0, n, host), CLINIT_OK, "%s",
                 what);
    for (size_t k = 0; k < n; k++) {
        uint64_t got = elem_bits(host, t->dtype, k);
        uint64_t exp = want[k] ? bits_of(t->dtype, 1.0) : 0;
        if (got != exp) {
            bad++;
            if (first == SIZE_MAX)
                first = k;
        }
    }
    cr_expect_eq(bad, 0, "%s: %zu elements differ, first %zu", what, bad,
                 first);
    if (t->dtype == CLINIT_F64 && !test_has_fp64(ocl)) {
        test_f64_refused(ocl, t, in, 0, n);
        free(host);
        free(dev);
        return;
    }
    b = test_buffer(ocl, (size_t)n * es, 0x5A);
    cr_assert_eq(clinit_enqueue_fill(ocl, t, in, 0, n, b, 0, 0, NULL, NULL),
                 CLINIT_OK, "%s: device", what);
    test_read(ocl, b, 0, (size_t)n * es, dev);
    cr_expect(memcmp(host, dev, (size_t)n * es) == 0, "%s: device differs",
              what);
    clReleaseMemObject(b);
    free(host);
    free(dev);
}

Test(methods, eye_is_the_identity)
{
    static const int64_t shapes[][2] = {{3, 5}, {5, 3}, {4, 4},   {1, 1},
                                        {1, 7}, {7, 1}, {64, 64}, {33, 70}};
    clinit_ctx *ocl = test_opencl_ctx();
    cr_expect_eq(bits_of(CLINIT_F16, 1.0), 0x3c00);
    cr_expect_eq(bits_of(CLINIT_BF16, 1.0), 0x3f80);
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++)
        for (size_t d = 0; d < NDT; d++) {
            int64_t rows = shapes[si][0], cols = shapes[si][1];
            clinit_tensor t = test_tensor(2, shapes[si], 9, 9);
            clinit_init in = test_init(CLINIT_EYE);
            unsigned char *want = calloc((size_t)(rows * cols), 1);
            char what[64];
            cr_assert(want);
            /* torch.eye(rows, cols) */
            for (int64_t i = 0; i < rows && i < cols; i++)
                want[i * cols + i] = 1;
            t.dtype = every_dtype[d];
            snprintf(what, sizeof what, "eye [%lld, %lld] %s", (long long)rows,
                     (long long)cols, clinit_dtype_name(every_dtype[d]));
            expect_pattern(ocl, &t, &in, want, what);
            free(want);
        }
    clinit_ctx_destroy(ocl);
}

/* torch.nn.init.dirac_ (groups) on a zeroed tensor, flat row-major. */
static void dirac_ref(int ndim, const int64_t *s, int groups, unsigned char *t)
{
    int64_t S = 1, centre = 0, opg = s[0] / groups;
    int64_t min_dim = opg < s[1] ? opg : s[1];
    for (int d = 2; d < ndim; d++) {
        centre = centre * s[d] + s[d] / 2;
        S *= s[d];
    }
    memset(t, 0, (size_t)(s[0] * s[1] * S));
    for (int64_t g = 0; g < groups; g++)
        for (int64_t d = 0; d < min_dim; d++)
            t[((g * opg + d) * s[1] + d) * S + centre] = 1;
}

Test(methods, dirac_matches_torch)
{
    static const struct {
        int ndim;
        int64_t shape[5];
        int groups;
    } cases[] = {
        {3, {4, 2, 3}, 1},       {3, {4, 2, 3}, 2},
        {3, {2, 4, 3}, 1},       {3, {3, 3, 4}, 1}, /* even kernel */
        {4, {6, 3, 3, 3}, 1},    {4, {6, 3, 3, 3}, 2},
        {4, {6, 3, 3, 3}, 3},    {4, {6, 3, 3, 3}, 6},
        {4, {8, 3, 2, 5}, 4},    {4, {16, 16, 3, 3}, 1},
        {5, {4, 4, 1, 3, 3}, 1}, {5, {4, 4, 1, 3, 3}, 2},
        {5, {6, 2, 2, 3, 4}, 3}, {5, {1, 1, 1, 1, 1}, 1},
    };
    clinit_ctx *ocl = test_opencl_ctx();
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++)
        for (size_t d = 0; d < NDT; d++) {
            clinit_tensor t =
                test_tensor(cases[ci].ndim, cases[ci].shape, 3, 4);
            clinit_init in = test_init(CLINIT_DIRAC);
            uint64_t n;
            unsigned char *want;
            char what[96];
            int len = 0;
            cr_assert_eq(clinit_numel(&t, &n), CLINIT_OK);
            want = malloc((size_t)n);
            cr_assert(want);
            dirac_ref(cases[ci].ndim, cases[ci].shape, cases[ci].groups, want);
            in.groups = cases[ci].groups;
            t.dtype = every_dtype[d];
            len += snprintf(what + len, sizeof what - (size_t)len, "dirac [");
            for (int k = 0; k < cases[ci].ndim; k++)
                len += snprintf(what + len, sizeof what - (size_t)len, "%s%lld",
                                k ? "," : "", (long long)cases[ci].shape[k]);
            snprintf(what + len, sizeof what - (size_t)len, "] groups %d %s",
                     cases[ci].groups, clinit_dtype_name(every_dtype[d]));
            expect_pattern(ocl, &t, &in, want, what);
            free(want);
        }
    clinit_ctx_destroy(ocl);
}

/* ---- sparse_
 * ------------------------------------------------------------------ */

/* Checks a sparse_ fill of [rows, cols] in dt against torch's rule:
 * exactly nz zeros (+0) per column, every other element equal to the
 * normal_(0, std) fill of the same tensor; returns the fill. */
static unsigned char *check_sparse(int64_t rows, int64_t cols, double sparsity,
                                   uint64_t nz, clinit_dtype dt, uint64_t seed,
                                   uint64_t stream)
{
    const int64_t s[2] = {rows, cols};
    const size_t n = (size_t)(rows * cols), es = clinit_dtype_size(dt);
    clinit_tensor t = test_tensor(2, s, seed, stream);
    clinit_init in = test_init(CLINIT_SPARSE), nin = test_init(CLINIT_NORMAL);
    clinit_resolved r;
    unsigned char *v = malloc(n * es), *z = malloc(n * es);
    uint64_t *zeros = calloc((size_t)cols, sizeof *zeros);
    size_t bad_value = 0, bad_col = 0;
    char what[96];
    cr_assert(v && z && zeros);
    t.dtype = dt;
    in.sparsity = sparsity;
    in.std = 0.25;
    nin.std = 0.25;
    snprintf(what, sizeof what, "sparse [%lld, %lld] sparsity %g %s",
             (long long)rows, (long long)cols, sparsity, clinit_dtype_name(dt));
    cr_assert_eq(clinit_resolve(&t, &in, &r), CLINIT_OK, "%s", what);
    cr_expect_eq(r.dist, CLINIT_DIST_SPARSE, "%s", what);
    cr_expect_eq(r.nzeros, nz, "%s: nzeros %llu, want %llu", what,
                 (unsigned long long)r.nzeros, (unsigned long long)nz);
    cr_expect(r.mean == 0.0 && r.std == 0.25, "%s", what);
    cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, n, v), CLINIT_OK, "%s",
                 what);
    cr_assert_eq(clinit_fill_host(NULL, &t, &nin, 0, n, z), CLINIT_OK, "%s",
                 what);
    for (size_t k = 0; k < n; k++) {
        uint64_t b = elem_bits(v, dt, k);
        if (b == 0)
            zeros[k % (size_t)cols]++;
        else if (b != elem_bits(z, dt, k))
            bad_value++;
    }
    for (int64_t c = 0; c < cols; c++)
        bad_col += zeros[c] != nz;
    cr_expect_eq(bad_value, 0, "%s: %zu non-zeros differ from normal_", what,
                 bad_value);
    cr_expect_eq(bad_col, 0, "%s: %zu columns do not have %llu zeros", what,
                 bad_col, (unsigned long long)nz);
    free(z);
    free(zeros);
    return v;
}

/* 1 if columns c1 and c2 have their zeros in the same rows */
static int same_zero_rows(const void *v, clinit_dtype dt, int64_t rows,
                          int64_t cols, int64_t c1, int64_t c2)
{
    for (int64_t r = 0; r < rows; r++)
        if ((elem_bits(v, dt, (size_t)(r * cols + c1)) == 0) !=
            (elem_bits(v, dt, (size_t)(r * cols + c2)) == 0))
            return 0;
    return 1;
}

/* log of the binomial coefficient */
static double log_choose(double n, double k)
{
    return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1);
}

Test(methods, sparse_matches_torch)
{
    /* torch: num_zeros = int(math.ceil(sparsity * rows)), computed in
     * double (0.07 * 100 = 7.000000000000001, so 8 zeros; 0.3 * 10 = 3.0
     * exactly) */
    static const struct {
        int64_t rows, cols;
        double sparsity;
        uint64_t nz;
    } cases[] = {
        {10, 32, 0.0, 0},     {10, 32, 1.0, 10},   {10, 32, 0.1, 1},
        {10, 32, 0.3, 3},     {10, 32, 0.5, 5},    {7, 64, 0.2, 2},
        {100, 16, 0.07, 8},   {100, 16, 0.14, 15}, {100, 16, 0.29, 29},
        {7, 64, 0.99, 7},     {1, 64, 0.5, 1},     {1, 64, 0.0, 0},
        {64, 3, 0.9, 58},     {100, 16, 0.5, 50},  {1000, 8, 0.001, 1},
        {1000, 8, 0.25, 250}, {64, 64, 1e-300, 1}, {70016, 2, 0.7, 49012},
        {4, 16, 0.75, 3},     {2, 32, 0.5, 1},
    };
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++)
        for (size_t d = 0; d < NDT; d++) {
            int64_t rows = cases[ci].rows, cols = cases[ci].cols;
            clinit_dtype dt = every_dtype[d];
            unsigned char *v = check_sparse(rows, cols, cases[ci].sparsity,
                                            cases[ci].nz, dt, 100 + ci, d);
            uint64_t nz = cases[ci].nz;
            double lc = log_choose((double)rows, (double)nz);
            size_t same = 0, pairs = 0;
            /* each column draws its own permutation */
            for (int64_t c1 = 0; c1 < cols; c1++)
                for (int64_t c2 = c1 + 1; c2 < cols; c2++) {
                    same += (size_t)same_zero_rows(v, dt, rows, cols, c1, c2);
                    pairs++;
                }
            if (lc > log(1e6)) {
                /* P(any pair equal) <= pairs / C(rows, nz) < 1e-3 */
                cr_expect_eq(same, 0,
                             "[%lld, %lld] nz %llu %s: %zu column "
                             "pairs share their zero rows",
                             (long long)rows, (long long)cols,
                             (unsigned long long)nz, clinit_dtype_name(dt),
                             same);
            } else if (lc > log(1.5) && cols >= 16) {
                /* at least two zero sets to choose from: not all equal */
                cr_expect_lt(same, pairs,
                             "[%lld, %lld] nz %llu %s: every "
                             "column has the same zero rows",
                             (long long)rows, (long long)cols,
                             (unsigned long long)nz, clinit_dtype_name(dt));
            }
            free(v);
        }
}

Test(methods, sparse_streams_and_ranges)
{
    /* the zero rows depend on (seed, stream); sub-ranges and the device
     * give the same bytes */
    const int64_t s[2] = {50, 64};
    const size_t n = 50 * 64;
    clinit_tensor t = test_tensor(2, s, 5, 6);
    clinit_init in = test_init(CLINIT_SPARSE);
    static float a[50 * 64], b[50 * 64], part[50 * 64];
    size_t diff = 0;
    clinit_ctx *ocl = test_opencl_ctx();
    cl_mem buf;
    in.sparsity = 0.5;
    cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, n, a), CLINIT_OK);
    t.stream = 7;
    cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, n, b), CLINIT_OK);
    for (size_t k = 0; k < n; k++)
        diff += (a[k] == 0.0f) != (b[k] == 0.0f);
    cr_expect_gt(diff, n / 4, "another stream moves the zeros (%zu of %zu)",
                 diff, n);
    t.stream = 6;
    for (size_t lo = 0; lo < n; lo += 777) {
        size_t hi = lo + 1000 < n ? lo + 1000 : n;
        cr_assert_eq(clinit_fill_host(NULL, &t, &in, lo, hi, part), CLINIT_OK);
        cr_expect(memcmp(part, a + lo, (hi - lo) * 4) == 0, "[%zu, %zu)", lo,
                  hi);
    }
    buf = test_buffer(ocl, n * 4, 0x5A);
    cr_assert_eq(clinit_enqueue_fill(ocl, &t, &in, 0, n, buf, 0, 0, NULL, NULL),
                 CLINIT_OK);
    test_read(ocl, buf, 0, n * 4, part);
    cr_expect(memcmp(part, a, n * 4) == 0, "device differs");
    clReleaseMemObject(buf);
    clinit_ctx_destroy(ocl);
}

/* A tensor whose element count is not a multiple of the 64-element block:
 * the last block has elements past the tensor. They must not affect (or
 * hang) the fill. */
Test(methods, sparse_partial_last_block, .timeout = 30)
{
    static const int64_t shapes[][2] = {{6, 10},   {7, 3}, {3, 65577},
                                        {4099, 1}, {5, 5}, {2, 3}};
    {
        /* a case that once hung the CPU path (padding rows past the
         * tensor cycle-walked forever), with torch's default sparsity 0 */
        const int64_t s[2] = {6, 10};
        clinit_tensor t = test_tensor(2, s, 1, 2);
        clinit_init in = test_init(CLINIT_SPARSE);
        float v[60];
        cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, 60, v), CLINIT_OK);
        for (int k = 0; k < 60; k++)
            cr_expect(v[k] != 0.0f, "sparsity 0: v[%d] is 0", k);
    }
    clinit_ctx *ocl = test_opencl_ctx();
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++)
        for (uint64_t seed = 0; seed < 8; seed++) {
            int64_t rows = shapes[si][0], cols = shapes[si][1];
            uint64_t nz = (uint64_t)ceil(0.5 * (double)rows);
            unsigned char *v =
                check_sparse(rows, cols, 0.5, nz, CLINIT_F32, seed, si);
            const size_t n = (size_t)(rows * cols);
            float *dev = malloc(n * 4);
            cl_mem b = test_buffer(ocl, n * 4, 0x5A);
            clinit_tensor t = test_tensor(2, shapes[si], seed, si);
            clinit_init in = test_init(CLINIT_SPARSE);
            cr_assert(dev);
            in.sparsity = 0.5;
            in.std = 0.25;
            cr_assert_eq(
                clinit_enqueue_fill(ocl, &t, &in, 0, n, b, 0, 0, NULL, NULL),
                CLINIT_OK);
            test_read(ocl, b, 0, n * 4, dev);
            cr_expect(memcmp(dev, v, n * 4) == 0,
                      "[%lld, %lld] seed %llu: device differs", (long long)rows,
                      (long long)cols, (unsigned long long)seed);
            clReleaseMemObject(b);
            free(dev);
            free(v);
        }
    clinit_ctx_destroy(ocl);
}

/* ---- orthogonal_ ------------------------------------------------------------
 */

/* max |(W^T W)/gain^2 - I| (rows >= cols) or |(W W^T)/gain^2 - I| */
static double ortho_error(const void *w, clinit_dtype dt, int64_t rows,
                          int64_t cols, double gain)
{
    int64_t k = rows >= cols ? cols : rows, len = rows >= cols ? rows : cols;
    double worst = 0;
    for (int64_t i = 0; i < k; i++)
        for (int64_t j = 0; j < k; j++) {
            double dot = 0;
            for (int64_t x = 0; x < len; x++) {
                size_t a = (size_t)(rows >= cols ? x * cols + i : i * cols + x);
                size_t b = (size_t)(rows >= cols ? x * cols + j : j * cols + x);
                dot += elem(w, dt, a) * elem(w, dt, b);
            }
            dot = dot / (gain * gain) - (i == j ? 1.0 : 0.0);
            if (fabs(dot) > worst)
                worst = fabs(dot);
        }
    return worst;
}

static const struct {
    int ndim;
    int64_t shape[4];
} ortho_shapes[] = {
    {2, {8, 5}},   {2, {5, 8}},   {4, {16, 4, 2, 2}}, {2, {1, 1}},
    {2, {1, 7}},   {2, {7, 1}},   {3, {6, 3, 3}},     {2, {64, 64}},
    {2, {100, 3}}, {2, {3, 100}},
};
#define NORTHO (sizeof ortho_shapes / sizeof ortho_shapes[0])

Test(methods, orthogonal_is_orthonormal)
{
    static const double gains[] = {1.0, 2.5, 0.5, -1.0};
    for (size_t si = 0; si < NORTHO; si++)
        for (size_t gi = 0; gi < sizeof gains / sizeof gains[0]; gi++)
            for (int f64 = 0; f64 < 2; f64++) {
                clinit_tensor t = test_tensor(
                    ortho_shapes[si].ndim, ortho_shapes[si].shape, 11 + si, gi);
                clinit_init in = test_init(CLINIT_ORTHOGONAL);
                clinit_resolved r;
                uint64_t n;
                int64_t rows = ortho_shapes[si].shape[0], cols;
                clinit_dtype dt = f64 ? CLINIT_F64 : CLINIT_F32;
                double tol = f64 ? 1e-12 : 1e-5, err;
                void *w;
                in.gain = gains[gi];
                t.dtype = dt;
                cr_assert_eq(clinit_numel(&t, &n), CLINIT_OK);
                cols = (int64_t)n / rows;
                cr_assert_eq(clinit_resolve(&t, &in, &r), CLINIT_OK);
                cr_expect_eq(r.dist, CLINIT_DIST_ORTHOGONAL);
                cr_expect(r.gain == gains[gi]);
                w = malloc((size_t)n * 8);
                cr_assert(w);
                cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, n, w),
                             CLINIT_OK);
                err = ortho_error(w, dt, rows, cols, gains[gi]);
                cr_expect_leq(err, tol,
                              "shape %zu (%lld x %lld) gain %g %s: error %g",
                              si, (long long)rows, (long long)cols, gains[gi],
                              clinit_dtype_name(dt), err);
                free(w);
            }
}

Test(methods, orthogonal_is_q_of_the_normal_fill)
{
    /* torch: flattened = normal_(0, 1) viewed [rows, cols] (transposed
     * when rows < cols), q, r = qr(flattened), q *= sign(diag(r)). So
     * W^T A (rows >= cols) or W A^T (rows < cols) is upper triangular
     * with a positive diagonal, and W times it gives A back. A is the
     * f32 normal_ fill of the same tensor. */
    for (size_t si = 0; si < NORTHO; si++) {
        clinit_tensor t =
            test_tensor(ortho_shapes[si].ndim, ortho_shapes[si].shape, 77, si);
        clinit_init in = test_init(CLINIT_ORTHOGONAL);
        clinit_init nin = test_init(CLINIT_NORMAL);
        uint64_t n;
        int64_t rows = ortho_shapes[si].shape[0], cols, k, len;
        double *w, *m, lower = 0, recon = 0, mindiag = INFINITY;
        float *a;
        cr_assert_eq(clinit_numel(&t, &n), CLINIT_OK);
        cols = (int64_t)n / rows;
        k = rows >= cols ? cols : rows;
        len = rows >= cols ? rows : cols;
        w = malloc((size_t)n * 8);
        a = malloc((size_t)n * 4);
        m = malloc((size_t)(k * k) * 8);
        cr_assert(w && a && m);
        cr_assert_eq(clinit_fill_host(NULL, &t, &nin, 0, n, a), CLINIT_OK);
        t.dtype = CLINIT_F64;
        cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, n, w), CLINIT_OK);
        /* Wm[:, i] . Am[:, j] over the long dimension */
#define WM(x, i) w[rows >= cols ? (x)*cols + (i) : (i)*cols + (x)]
#define AM(x, j) a[rows >= cols ? (x)*cols + (j) : (j)*cols + (x)]
        for (int64_t i = 0; i < k; i++)
            for (int64_t j = 0; j < k; j++) {
                double dot = 0;
                for (int64_t x = 0; x < len; x++)
                    dot += WM(x, i) * (double)AM(x, j);
                m[i * k + j] = dot;
                if (i > j && fabs(dot) > lower)
                    lower = fabs(dot);
                if (i == j && dot < mindiag)
                    mindiag = dot;
            }
        for (int64_t x = 0; x < len; x++)
            for (int64_t j = 0; j < k; j++) {
                double s = 0;
                for (int64_t i = 0; i < k; i++)
                    s += WM(x, i) * m[i * k + j];
                if (fabs(s - AM(x, j)) > recon)
                    recon = fabs(s - AM(x, j));
            }
#undef WM
#undef AM
        cr_expect_leq(lower, 1e-10, "shape %zu: R has %g below its diagonal",
                      si, lower);
        cr_expect_gt(mindiag, 0, "shape %zu: R's diagonal has %g", si, mindiag);
        cr_expect_leq(recon, 1e-10, "shape %zu: W R differs from A by %g", si,
                      recon);
        free(w);
        free(a);
        free(m);
    }
}

Test(methods, orthogonal_device_equals_host)
{
    clinit_ctx *ocl = test_opencl_ctx();
    int has_fp64 = test_has_fp64(ocl);
    for (size_t si = 0; si < NORTHO; si++)
        for (size_t d = 0; d < NDT; d++) {
            clinit_tensor t = test_tensor(ortho_shapes[si].ndim,
                                          ortho_shapes[si].shape, 5, 100 + si);
            clinit_init in = test_init(CLINIT_ORTHOGONAL);
            clinit_dtype dt = every_dtype[d];
            size_t es = clinit_dtype_size(dt), guard = 3;
            uint64_t n, lo, hi;
            unsigned char *host, *part, *dev;
            cl_mem b;
            if (dt == CLINIT_F64 && !has_fp64)
                continue;
            in.gain = 1.5;
            t.dtype = dt;
            cr_assert_eq(clinit_numel(&t, &n), CLINIT_OK);
            host = malloc((size_t)n * es);
            part = malloc((size_t)n * es);
            dev = malloc((size_t)(n + 2 * guard) * es);
            cr_assert(host && part && dev);
            cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, n, host),
                         CLINIT_OK);
            /* whole tensor, at an offset, guards untouched */
            b = test_buffer(ocl, (size_t)(n + 2 * guard) * es, 0x5A);
            cr_assert_eq(clinit_enqueue_fill(ocl, &t, &in, 0, n, b, guard, 0,
                                             NULL, NULL),
                         CLINIT_OK);
            test_read(ocl, b, 0, (size_t)(n + 2 * guard) * es, dev);
            cr_expect(memcmp(dev + guard * es, host, (size_t)n * es) == 0,
                      "shape %zu %s: device differs", si,
                      clinit_dtype_name(dt));
            for (size_t g = 0; g < guard * es; g++) {
                cr_expect_eq(dev[g], 0x5A);
                cr_expect_eq(dev[(guard + n) * es + g], 0x5A);
            }
            clReleaseMemObject(b);
            /* a sub-range on both paths */
            lo = n / 3;
            hi = n - n / 4;
            cr_assert_eq(clinit_fill_host(NULL, &t, &in, lo, hi, part),
                         CLINIT_OK);
            cr_expect(memcmp(part, host + lo * es, (size_t)(hi - lo) * es) == 0,
                      "shape %zu %s: host sub-range differs", si,
                      clinit_dtype_name(dt));
            if (hi > lo) {
                b = test_buffer(ocl, (size_t)(hi - lo) * es, 0x5A);
                cr_assert_eq(clinit_enqueue_fill(ocl, &t, &in, lo, hi, b, 0, 0,
                                                 NULL, NULL),
                             CLINIT_OK);
                test_read(ocl, b, 0, (size_t)(hi - lo) * es, dev);
                cr_expect(memcmp(dev, host + lo * es, (size_t)(hi - lo) * es) ==
                              0,
                          "shape %zu %s: device sub-range differs", si,
                          clinit_dtype_name(dt));
                clReleaseMemObject(b);
            }
            /* f16/bf16/f32 are the f64 result rounded once */
            if (dt != CLINIT_F64) {
                double *w = malloc((size_t)n * 8);
                size_t bad = 0;
                cr_assert(w);
                t.dtype = CLINIT_F64;
                cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, n, w),
                             CLINIT_OK);
                for (uint64_t i = 0; i < n; i++) {
                    double want = dt == CLINIT_F32 ? (double)(float)w[i]
                                                   : round_dt(dt, (float)w[i]);
                    bad += elem(host, dt, i) != want;
                }
                cr_expect_eq(bad, 0,
                             "shape %zu %s: %zu values are not the "
                             "f64 result rounded",
                             si, clinit_dtype_name(dt), bad);
                free(w);
            }
            free(host);
            free(part);
            free(dev);
        }
    clinit_ctx_destroy(ocl);
}

/* ---- variance_scaling and its presets
 * -------------------------------------------- */

/* Keras' VarianceScaling.__call__, in double, in Keras' order. */
static void keras_vs(double scale, clinit_mode mode, clinit_distribution dist,
                     uint64_t fan_in, uint64_t fan_out, double *n_out,
                     clinit_dist *kind, double *std, double *lo, double *hi)
{
    double n = mode == CLINIT_FAN_IN ? (double)fan_in
               : mode == CLINIT_FAN_OUT
                   ? (double)fan_out
                   : ((double)fan_in + (double)fan_out) / 2.0;
    if (n < 1.0)
        n = 1.0; /* max(1., n): never below 1 here */
    *n_out = n;
    scale /= n;
    *std = *lo = *hi = NAN;
    if (dist == CLINIT_VS_TRUNCATED_NORMAL) {
        *kind = CLINIT_DIST_TRUNCATED;
        *std = sqrt(scale) / .87962566103423978;
        *lo = -2.0 * *std;
        *hi = 2.0 * *std;
    } else if (dist == CLINIT_VS_UNTRUNCATED_NORMAL) {
        *kind = CLINIT_DIST_NORMAL;
        *std = sqrt(scale);
    } else {
        double limit = sqrt(3.0 * scale);
        *kind = CLINIT_DIST_UNIFORM;
        *lo = -limit;
        *hi = limit;
    }
}

static int same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b));
}

Test(methods, resolve_variance_scaling_matches_keras)
{
    static const double scales[] = {1.0, 2.0, 0.5, 1e-3, 3.0, 1.0 / 3};
    static const shape_case shapes[] = {
        {2, {256, 128}},
        {2, {1000, 33}},
        {3, {128, 64, 5}},
        {4, {64, 32, 3, 3}},
        {5, {32, 16, 3, 3, 3}},
        {2, {1, 40000}},
        {2, {3, 7}},
        {2, {1, 1}},
        {2, {2, 1}},
    };
    size_t checked = 0, mismatched = 0;
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++)
        for (size_t sc = 0; sc < sizeof scales / sizeof scales[0]; sc++)
            for (int mode = 0; mode < 3; mode++)
                for (int dist = 0; dist < 3; dist++)
                    for (size_t d = 0; d < NDT; d++) {
                        clinit_tensor t = test_tensor(shapes[si].ndim,
                                                      shapes[si].shape, 1, 2);
                        clinit_init in = test_init(CLINIT_VARIANCE_SCALING);
                        clinit_resolved r;
                        clinit_dist kind;
                        double n, std, lo, hi;
                        uint64_t fi, fo;
                        int ok;
                        fans_ref(&shapes[si], &fi, &fo);
                        t.dtype = every_dtype[d];
                        in.scale = scales[sc];
                        in.mode = (clinit_mode)mode;
                        in.distribution = (clinit_distribution)dist;
                        keras_vs(scales[sc], in.mode, in.distribution, fi, fo,
                                 &n, &kind, &std, &lo, &hi);
                        cr_assert_eq(clinit_resolve(&t, &in, &r), CLINIT_OK);
                        ok = r.dist == kind && r.fan_in == fi &&
                             r.fan_out == fo && r.fan == n && isnan(r.gain) &&
                             (kind == CLINIT_DIST_UNIFORM ||
                              (r.mean == 0.0 && r.std == std)) &&
                             (kind == CLINIT_DIST_NORMAL ||
                              (r.lo == lo && r.hi == hi));
                        checked++;
                        if (!ok) {
                            mismatched++;
                            if (mismatched <= 10)
                                cr_expect_fail(
                                    "shape %zu scale %g %s %s %s: dist %d/%d "
                                    "fan %.17g/%.17g std %.17g/%.17g "
                                    "[%.17g, %.17g] / [%.17g, %.17g]",
                                    si, scales[sc], clinit_mode_name(in.mode),
                                    clinit_distribution_name(in.distribution),
                                    clinit_dtype_name(t.dtype), (int)r.dist,
                                    (int)kind, r.fan, n, r.std, std, r.lo, r.hi,
                                    lo, hi);
                        }
                    }
    cr_expect_eq(mismatched, 0, "%zu of %zu resolutions differ from Keras",
                 mismatched, checked);
}

Test(methods, presets_are_variance_scaling)
{
    static const struct {
        clinit_method m;
        double scale;
        clinit_mode mode;
        clinit_distribution dist;
    } presets[] = {
        {CLINIT_LECUN_UNIFORM, 1.0, CLINIT_FAN_IN, CLINIT_VS_UNIFORM},
        {CLINIT_LECUN_NORMAL, 1.0, CLINIT_FAN_IN, CLINIT_VS_TRUNCATED_NORMAL},
        {CLINIT_GLOROT_UNIFORM, 1.0, CLINIT_FAN_AVG, CLINIT_VS_UNIFORM},
        {CLINIT_GLOROT_NORMAL, 1.0, CLINIT_FAN_AVG, CLINIT_VS_TRUNCATED_NORMAL},
        {CLINIT_HE_UNIFORM, 2.0, CLINIT_FAN_IN, CLINIT_VS_UNIFORM},
        {CLINIT_HE_NORMAL, 2.0, CLINIT_FAN_IN, CLINIT_VS_TRUNCATED_NORMAL},
    };
    for (size_t si = 0; si < sizeof fan_shapes / sizeof fan_shapes[0]; si++)
        for (size_t p = 0; p < sizeof presets / sizeof presets[0]; p++)
            for (size_t d = 0; d < NDT; d++) {
                clinit_tensor t = test_tensor(fan_shapes[si].ndim,
                                              fan_shapes[si].shape, 1, 2);
                clinit_init pre = test_init(presets[p].m);
                clinit_init vs = test_init(CLINIT_VARIANCE_SCALING);
                clinit_resolved a, b;
                const char *mn = clinit_method_name(presets[p].m);
                t.dtype = every_dtype[d];
                vs.scale = presets[p].scale;
                vs.mode = presets[p].mode;
                vs.distribution = presets[p].dist;
                cr_assert_eq(clinit_resolve(&t, &pre, &a), CLINIT_OK, "%s", mn);
                cr_assert_eq(clinit_resolve(&t, &vs, &b), CLINIT_OK, "%s", mn);
                cr_expect(
                    a.dist == b.dist && a.fan_in == b.fan_in &&
                        a.fan_out == b.fan_out && same_double(a.gain, b.gain) &&
                        same_double(a.fan, b.fan) && same_double(a.lo, b.lo) &&
                        same_double(a.hi, b.hi) &&
                        same_double(a.mean, b.mean) &&
                        same_double(a.std, b.std),
                    "%s shape %zu %s differs from variance_scaling(%g, "
                    "%s, %s)",
                    mn, si, clinit_dtype_name(t.dtype), presets[p].scale,
                    clinit_mode_name(presets[p].mode),
                    clinit_distribution_name(presets[p].dist));
                /* the preset's own fields do not change it */
                pre.scale = 7;
                pre.mode = CLINIT_FAN_OUT;
                pre.distribution = CLINIT_VS_UNTRUNCATED_NORMAL;
                cr_assert_eq(clinit_resolve(&t, &pre, &a), CLINIT_OK, "%s", mn);
                cr_expect(a.dist == b.dist && same_double(a.std, b.std) &&
                              same_double(a.lo, b.lo) &&
                              same_double(a.fan, b.fan),
                          "%s: scale/mode/distribution fields were used", mn);
            }
    {
        /* two values Keras users know: he_normal on a 3x3 conv with 64
         * inputs, glorot_uniform on a 784 -> 256 dense layer */
        const int64_t conv[4] = {128, 64, 3, 3}, dense[2] = {256, 784};
        clinit_tensor t = test_tensor(4, conv, 1, 1);
        clinit_init in = test_init(CLINIT_HE_NORMAL);
        clinit_resolved r;
        cr_assert_eq(clinit_resolve(&t, &in, &r), CLINIT_OK);
        cr_expect(r.fan == 576.0 &&
                      r.std == sqrt(2.0 / 576) / .87962566103423978,
                  "he_normal std %.17g", r.std);
        t = test_tensor(2, dense, 1, 1);
        in = test_init(CLINIT_GLOROT_UNIFORM);
        cr_assert_eq(clinit_resolve(&t, &in, &r), CLINIT_OK);
        cr_expect(r.fan == 520.0 && r.hi == sqrt(3.0 * (1.0 / 520)) &&
                      r.lo == -r.hi,
                  "glorot_uniform limit %.17g", r.hi);
    }
}

/* ---- uniform in the 16-bit dtypes
 * ---------------------------------------------- */

Test(methods, uniform_16_bit_stays_in_rounded_range)
{
    static const struct {
        clinit_dtype dt;
        double a, b;
    } cases[] = {
        {CLINIT_F16, 1.0, 1.0078125},    /* 8 f16 values */
        {CLINIT_F16, 1.0, 1.0 + 0x1p-9}, /* 2 f16 values */
        {CLINIT_F16, -3.0, 5.0},
        {CLINIT_F16, 0.1, 0.3}, /* neither a nor b is an f16 */
        {CLINIT_F16, -1e-3, 1e-3},
        {CLINIT_F16, 1000.0, 1001.0}, /* ulp 0.5: 2 values */
        {CLINIT_F16, 65000.0, 65504.0},
        {CLINIT_F16, -0.00012, 0.0001}, /* subnormals */
        {CLINIT_BF16, 1.0, 1.0625},     /* 8 bf16 values */
        {CLINIT_BF16, -3.0, 5.0},
        {CLINIT_BF16, 0.1, 0.2},
        {CLINIT_BF16, -1e30, 1e30},
        {CLINIT_BF16, 255.0, 256.0}, /* ulp 1: only 255 */
    };
    enum { M = 1 << 18 };
    unsigned char *v = malloc((size_t)M * 2);
    cr_assert(v);
    cr_assert_eq(round16(CLINIT_F16, 1.0078125) - round16(CLINIT_F16, 1.0), 8);
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        clinit_dtype dt = cases[ci].dt;
        const int64_t s[1] = {M};
        clinit_tensor t = test_tensor(1, s, 321, ci);
        clinit_init in = test_init(CLINIT_UNIFORM);
        double a16 = round_dt(dt, cases[ci].a), b16 = round_dt(dt, cases[ci].b);
        size_t out = 0, at_b = 0, nvals = 0, missing = 0;
        uint16_t ha = round16(dt, cases[ci].a), hb = round16(dt, cases[ci].b);
        char what[160];
        snprintf(what, sizeof what, "U(%.17g, %.17g) %s = [%.17g, %.17g)",
                 cases[ci].a, cases[ci].b, clinit_dtype_name(dt), a16, b16);
        in.a = cases[ci].a;
        in.b = cases[ci].b;
        t.dtype = dt;
        cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, M, v), CLINIT_OK, "%s",
                     what);
        for (size_t k = 0; k < M; k++) {
            double x = elem(v, dt, k);
            out += !(x >= a16 && x < b16);
            at_b += x == b16;
        }
        cr_expect_eq(out, 0, "%s: %zu values outside", what, out);
        cr_expect_eq(at_b, 0, "%s: %zu values are b", what, at_b);
        /* narrow ranges: every value of the dtype in [a, b) is drawn */
        if (!(ha & 0x8000) && !(hb & 0x8000) && hb > ha && hb - ha <= 16) {
            for (uint16_t h = ha; h < hb; h++) {
                size_t seen = 0;
                nvals++;
                for (size_t k = 0; k < M && !seen; k++)
                    seen = elem_bits(v, dt, k) == h;
                missing += !seen;
            }
            cr_expect_eq(missing, 0, "%s: %zu of %zu values never drawn", what,
                         missing, nvals);
        }
    }
    free(v);
}

/* ---- constants in every dtype
 * ------------------------------------------------- */

Test(methods, constants_are_exact_in_every_dtype)
{
    static const double vals[] = {
        0.1,
        -3.75,
        1e-3,
        65504.0,
        -0.0,
        0.0,
        1.0,
        -2.5,
        1e-5,
        1e-8,
        -1e-8,
        3.0e38,
        1 + 0x1p-11 + 0x1p-40, /* f16: above the tie, rounds up */
        1 + 0x1p-8 + 0x1p-40,  /* bf16: above the tie, rounds up */
        1 + 0x1p-11,           /* f16: a tie, to even (1.0) */
        1 + 0x1p-24 + 0x1p-60, /* f32: above the tie, rounds up */
    };
    enum { M = 777 };
    const int64_t s[2] = {7, 111};
    static unsigned char v[M * 8];
    clinit_ctx *ocl = test_opencl_ctx();
    for (size_t d = 0; d < NDT; d++)
        for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
            clinit_dtype dt = every_dtype[d];
            clinit_tensor t = test_tensor(2, s, 1, 1);
            clinit_init in = test_init(CLINIT_CONSTANT);
            clinit_resolved r;
            double want;
            uint64_t wbits;
            size_t bad = 0, es = clinit_dtype_size(dt);
            cl_mem b;
            static unsigned char dev[M * 8];
            if (dt == CLINIT_F16 && fabs(vals[i]) > 65519)
                continue; /* overflows f16: test_errors.c */
            t.dtype = dt;
            in.val = vals[i];
            want = round_dt(dt, vals[i]);
            wbits = bits_of(dt, want);
            if (dt != CLINIT_F32 && dt != CLINIT_F64)
                wbits = round16(dt, vals[i]);
            cr_assert_eq(clinit_resolve(&t, &in, &r), CLINIT_OK, "%.17g %s",
                         vals[i], clinit_dtype_name(dt));
            cr_expect(same_double(r.value, want),
                      "constant %.17g %s: value %.17g, want %.17g", vals[i],
                      clinit_dtype_name(dt), r.value, want);
            memset(v, 0x5A, sizeof v);
            cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, M, v), CLINIT_OK);
            for (size_t k = 0; k < M; k++)
                bad += elem_bits(v, dt, k) != wbits;
            cr_expect_eq(bad, 0,
                         "constant %.17g %s: %zu values differ from "
                         "%#llx",
                         vals[i], clinit_dtype_name(dt), bad,
                         (unsigned long long)wbits);
            if (dt == CLINIT_F64 && !test_has_fp64(ocl)) {
                test_f64_refused(ocl, &t, &in, 0, M);
                continue;
            }
            b = test_buffer(ocl, M * es, 0x5A);
            cr_assert_eq(
                clinit_enqueue_fill(ocl, &t, &in, 0, M, b, 0, 0, NULL, NULL),
                CLINIT_OK);
            test_read(ocl, b, 0, M * es, dev);
            cr_expect(memcmp(dev, v, M * es) == 0,
                      "constant %.17g %s: device differs", vals[i],
                      clinit_dtype_name(dt));
            clReleaseMemObject(b);
        }
    {
        /* ones and zeros: 1.0 and +0 in every dtype */
        static const uint64_t one[] = {0x3f800000u, 0x3c00u, 0x3f80u,
                                       UINT64_C(0x3ff0000000000000)};
        for (size_t d = 0; d < NDT; d++) {
            clinit_tensor t = test_tensor(2, s, 1, 1);
            clinit_init in = test_init(CLINIT_ONES);
            size_t bad = 0;
            t.dtype = every_dtype[d];
            cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, M, v), CLINIT_OK);
            for (size_t k = 0; k < M; k++)
                bad += elem_bits(v, t.dtype, k) != one[d];
            in = test_init(CLINIT_ZEROS);
            memset(v, 0x5A, sizeof v);
            cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, M, v), CLINIT_OK);
            for (size_t k = 0; k < M; k++)
                bad += elem_bits(v, t.dtype, k) != 0;
            cr_expect_eq(bad, 0, "ones/zeros %s: %zu values differ",
                         clinit_dtype_name(t.dtype), bad);
        }
    }
    clinit_ctx_destroy(ocl);
}
