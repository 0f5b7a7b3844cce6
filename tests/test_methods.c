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

/* ---- calculate_gain ------------------------------------------------------- */

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
        double g = -1, want = cases[i].nl == CLINIT_NL_RELU ? sqrt(2.0)
                                                            : cases[i].want;
        cr_assert_eq(clinit_calculate_gain(cases[i].nl, cases[i].param, &g),
                     CLINIT_OK, "%s", clinit_nonlinearity_name(cases[i].nl));
        cr_expect(g == want, "%s(%g): %.17g, want %.17g",
                  clinit_nonlinearity_name(cases[i].nl), cases[i].param, g,
                  want);
    }
    {
        /* leaky_relu: sqrt(2.0 / (1 + negative_slope ** 2)) */
        static const double slopes[] = {0.2, 0.0, -0.3, 1.0, 2.2360679774997898,
                                        1e-3, 100.0};
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
            cr_expect(g == sqrt(2.0 / (1 + s * s)), "leaky_relu(%g): %.17g",
                      s, g);
        }
        cr_expect_eq(clinit_calculate_gain(CLINIT_NL_LEAKY_RELU, 0.0, &g),
                     CLINIT_OK);
        cr_expect(g == sqrt(2.0), "leaky_relu(0) is relu's gain");
        cr_expect_eq(
            clinit_calculate_gain(CLINIT_NL_LEAKY_RELU, INFINITY, &g),
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

/* ---- fans ----------------------------------------------------------------- */

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
        {3, {64, 32, 7}},          /* conv1d */
        {4, {128, 64, 3, 3}},      /* conv2d */
        {4, {1, 3, 11, 5}},        /* conv2d, non-square kernel */
        {5, {16, 8, 3, 5, 7}},     /* conv3d */
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

/* ---- resolve ---------------------------------------------------------------- */

typedef struct fan_case {
    clinit_method method;
    double gain;                /* xavier */
    double a;                   /* kaiming */
    clinit_mode mode;           /* kaiming */
    clinit_nonlinearity nl;     /* kaiming */
} fan_case;

static const shape_case fan_shapes[] = {
    {2, {256, 128}},      {2, {1000, 33}},        {3, {128, 64, 5}},
    {4, {64, 32, 3, 3}},  {5, {32, 16, 3, 3, 3}}, {2, {1, 40000}},
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
            cr_expect(r.gain == gain, "shape %zu case %zu: gain %.17g/%.17g",
                      si, ci, r.gain, gain);
            if (isnan(fan))
                cr_expect(isnan(r.fan), "shape %zu case %zu", si, ci);
            else
                cr_expect(r.fan == fan, "shape %zu case %zu: fan %g/%g", si,
                          ci, r.fan, fan);
            if (is_uniform(c->method)) {
                /* bound = math.sqrt(3.0) * std; U(-bound, bound) */
                double bound = sqrt(3.0) * std;
                cr_expect_eq(r.dist, CLINIT_DIST_UNIFORM);
                cr_expect(r.lo == -bound && r.hi == bound,
                          "shape %zu case %zu: [%.17g, %.17g), want +-%.17g",
                          si, ci, r.lo, r.hi, bound);
            } else {
                cr_expect_eq(r.dist, CLINIT_DIST_NORMAL);
                cr_expect(r.mean == 0.0 && r.std == std,
                          "shape %zu case %zu: N(%g, %.17g), want %.17g", si,
                          ci, r.mean, r.std, std);
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
    cr_expect(r.fan_in == 0 && r.fan_out == 0 && isnan(r.gain) &&
              isnan(r.fan));
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

/* ---- statistics ---------------------------------------------------------------
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
              "%s: variance %.9g, want %.9g +- %.3g (%.2f SE)", what, s.var,
              s2, Z_CRIT * se_var, (s.var - s2) / se_var);
}

/* Pearson's chi-square of 64 equiprobable bins. */
static double chi2_64(const unsigned *count, size_t n)
{
    double e = (double)n / 64, x = 0;
    for (int k = 0; k < 64; k++)
        x += (count[k] - e) * (count[k] - e) / e;
    return x;
}

static void fill_1d(clinit_init in, uint64_t seed, uint64_t stream,
                    float *v, size_t n)
{
    const int64_t s[1] = {(int64_t)n};
    clinit_tensor t = test_tensor(1, s, seed, stream);
    cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, n, v), CLINIT_OK);
}

Test(methods, uniform_statistics)
{
    static const struct {
        double a, b;
    } cases[] = {{0, 1},   {-1e-3, 1e-3}, {-3, 5},
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
    static const float as[] = {1.0f, 1e6f, -1.0f, -3e-38f, 123.456f,
                               -3.4e38f};
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
        cr_expect_eq(bad, 0, "U(%a, %a): %zu values are not a", as[i], b,
                     bad);
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
        snprintf(what, sizeof what, "N(%g, %g)", cases[i].mean,
                 cases[i].std);
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
    } tails[] = {{1, 0.31731050786291410}, {2, 0.045500263896358417},
                 {3, 0.0026997960632601866}, {4, 6.3342483666239957e-05}};
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
    cr_expect_leq(x2, CHI2_63_CRIT, "chi-square %.1f over 64 bins of Phi",
                  x2);
    free(v);
}

Test(methods, fan_methods_statistics)
{
    for (size_t si = 0; si < sizeof fan_shapes / sizeof fan_shapes[0]; si++)
        for (size_t ci = 0; ci < sizeof fan_cases / sizeof fan_cases[0];
             ci++) {
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

/* ---- sub-ranges and threads ----------------------------------------------------- */

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
            static const uint64_t edge[][2] = {
                {0, 0},  {0, 1},   {63, 65}, {64, 128}, {1, 3 * 65577},
                {0, 3 * 65577}, {3 * 65577 - 1, 3 * 65577},
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
            cr_assert_eq(clinit_fill_host(c, &t, &in, lo, hi, part),
                         CLINIT_OK);
            for (uint64_t i = lo; i < hi; i++)
                bad += test_bits(part[i - lo]) != test_bits(whole[i]);
            cr_expect_eq(bad, 0, "%s [%llu, %llu): %zu values differ",
                         clinit_method_name(methods[m]),
                         (unsigned long long)lo, (unsigned long long)hi, bad);
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
