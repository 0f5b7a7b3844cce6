/* test_fp8.c - the FP8 dtypes f8e4m3 (OCP E4M3FN) and f8e5m2 (E5M2):
 *  - clinit_f8e4m3_bits / clinit_f8e5m2_bits against an independent
 *    reference (the nearest of the format's finite values, found by
 *    search, ties to the even pattern) over every binade of the format's
 *    range and beyond, ties and their neighbours included;
 *  - fills are the f32 fill of the same tensor rounded once;
 *  - uniform never returns b and trunc_normal never leaves [a, b] after
 *    rounding;
 *  - no fill writes an infinity or a NaN: supports past the largest finite
 *    value are CLINIT_ESUPPORT (every dtype), bounds and constants the
 *    dtype cannot hold CLINIT_EPARAM, the destination untouched.
 * (CPU vs OpenCL bit equality of every method: tests/test_dtypes.c.) */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clinit_dtype.h"
#include "common.h"

TestSuite(fp8, .timeout = 300);

typedef struct fmt {
    clinit_dtype dt;
    const char *name;
    uint32_t (*bits)(float);
    float (*widen)(uint8_t);
    uint8_t maxbits; /* largest finite pattern */
    double max;
    int emin, emax; /* binades to sweep: [2^emin, 2^emax) */
} fmt;

static uint32_t e4m3_bits(float f) { return clinit_f8e4m3_bits(f); }
static uint32_t e5m2_bits(float f) { return clinit_f8e5m2_bits(f); }

static const fmt fmts[2] = {
    {CLINIT_F8E4M3, "f8e4m3", e4m3_bits, clinit_f32_from_f8e4m3, 0x7e, 448.0,
     -12, 10},
    {CLINIT_F8E5M2, "f8e5m2", e5m2_bits, clinit_f32_from_f8e5m2, 0x7b, 57344.0,
     -19, 17}};

/* Reference: the finite pattern nearest to |x| (ties to the even
 * pattern, saturating at the largest), with x's sign. */
static uint8_t ref_round(const fmt *f, float x)
{
    double a = fabs((double)x), best = INFINITY;
    uint8_t h = 0;
    for (unsigned p = 0; p <= f->maxbits; p++) {
        double d = fabs((double)f->widen((uint8_t)p) - a);
        if (d < best || (d == best && (p & 1u) == 0)) {
            best = d;
            h = (uint8_t)p;
        }
    }
    return (uint8_t)(h | (signbit(x) ? 0x80u : 0u));
}

static float from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

Test(fp8, widening_is_exact)
{
    /* every pattern: E4M3FN's one NaN per sign, E5M2's infinities */
    for (int k = 0; k < 2; k++)
        for (unsigned p = 0; p < 256; p++) {
            float v = fmts[k].widen((uint8_t)p);
            if ((p & 0x7fu) > fmts[k].maxbits) {
                cr_expect(!isfinite(v), "%s %02x", fmts[k].name, p);
                continue;
            }
            cr_expect(isfinite(v) && fabs(v) <= fmts[k].max);
            cr_expect_eq(fmts[k].bits(v), p, "%s %02x round trip: %02x",
                         fmts[k].name, p, fmts[k].bits(v));
        }
    cr_expect_eq(clinit_f32_from_f8e4m3(0x7e), 448.0f);
    cr_expect_eq(clinit_f32_from_f8e4m3(0x01), 0x1p-9f);
    cr_expect_eq(clinit_f32_from_f8e5m2(0x7b), 57344.0f);
    cr_expect_eq(clinit_f32_from_f8e5m2(0x01), 0x1p-16f);
}

Test(fp8, rounding_matches_reference)
{
    for (int k = 0; k < 2; k++) {
        const fmt *f = &fmts[k];
        unsigned long n = 0, bad = 0;
        uint32_t first = 0;
        for (int e = f->emin; e < f->emax; e++)
            for (int s = 0; s < 2; s++)
                for (uint32_t j = 0; j < (1u << 14); j++) {
                    /* spread mantissas, then every low pattern around the
                     * ties of both formats (2 or 3 kept bits) */
                    uint32_t m = j < (1u << 13)
                                     ? (j * 0x9E3779B1u) & 0x7fffffu
                                     : ((j & 0x1fu) << 18) ^
                                           (((j >> 5) & 0x3u) - 1u) ^
                                           ((j & 0x20u) ? 0x80000u : 0u);
                    uint32_t u = ((uint32_t)s << 31) |
                                 ((uint32_t)(127 + e) << 23) | (m & 0x7fffffu);
                    float x = from_bits(u);
                    uint32_t got = f->bits(x), want = ref_round(f, x);
                    n++;
                    if (got != want && !bad++)
                        first = u;
                }
        cr_expect_eq(bad, 0, "%s: %lu of %lu floats differ, first %08x", f->name,
                     bad, n, first);
        cr_log_info("%s rounding: %lu floats, %lu differences", f->name, n, bad);
    }
}

static void *fill(clinit_dtype dt, clinit_method m, double p0, double p1,
                  uint64_t n, clinit_status *st)
{
    int64_t shape[2] = {(int64_t)(n / 256), 256};
    clinit_tensor t = test_tensor(2, shape, 77, 5);
    clinit_init in = test_init(m);
    void *v = malloc((size_t)n * clinit_dtype_size(dt));
    cr_assert(v);
    memset(v, 0xa5, (size_t)n * clinit_dtype_size(dt));
    t.dtype = dt;
    if (m == CLINIT_NORMAL) {
        in.mean = p0;
        in.std = p1;
    } else if (m == CLINIT_UNIFORM || m == CLINIT_TRUNC_NORMAL) {
        in.a = p0;
        in.b = p1;
    } else if (m == CLINIT_CONSTANT) {
        in.val = p0;
    }
    *st = clinit_fill_host(NULL, &t, &in, 0, n, v);
    return v;
}

Test(fp8, fills_are_rounded_f32_fills)
{
    static const clinit_method ms[] = {CLINIT_NORMAL, CLINIT_KAIMING_NORMAL,
                                       CLINIT_XAVIER_NORMAL, CLINIT_SPARSE};
    const uint64_t n = 1u << 16;
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) {
            clinit_status s1, s2;
            float *f = fill(CLINIT_F32, ms[i], 0.25, 2.0, n, &s1);
            uint8_t *b = fill(fmts[k].dt, ms[i], 0.25, 2.0, n, &s2);
            unsigned long bad = 0;
            cr_assert_eq(s1, CLINIT_OK);
            cr_assert_eq(s2, CLINIT_OK);
            for (uint64_t j = 0; j < n; j++)
                bad += b[j] != ref_round(&fmts[k], f[j]);
            cr_expect_eq(bad, 0, "%s %s: %lu values are not f32 rounded once",
                         fmts[k].name, clinit_method_name(ms[i]), bad);
            free(f);
            free(b);
        }
}

Test(fp8, bounds_hold_after_rounding)
{
    const uint64_t n = 1u << 20;
    for (int k = 0; k < 2; k++) {
        clinit_status st;
        uint8_t *u = fill(fmts[k].dt, CLINIT_UNIFORM, -1.0, 1.0, n, &st);
        uint8_t *t = fill(fmts[k].dt, CLINIT_TRUNC_NORMAL, -0.3, 0.3, n, &st);
        float umax = -1, umin = 1, tmax = -1, tmin = 1;
        cr_assert_eq(st, CLINIT_OK);
        for (uint64_t j = 0; j < n; j++) {
            float a = fmts[k].widen(u[j]), b = fmts[k].widen(t[j]);
            umax = fmaxf(umax, a);
            umin = fminf(umin, a);
            tmax = fmaxf(tmax, b);
            tmin = fminf(tmin, b);
        }
        /* the largest value below 1 occurs, 1 itself never */
        cr_expect(umax < 1.0f && umax == fmts[k].widen(fmts[k].bits(1.0f) - 1),
                  "%s uniform max %g", fmts[k].name, umax);
        cr_expect(umin == -1.0f, "%s uniform min %g", fmts[k].name, umin);
        cr_expect(tmin >= -0.3f && tmax <= 0.3f, "%s trunc [%g, %g]",
                  fmts[k].name, tmin, tmax);
        free(u);
        free(t);
    }
}

/* status of a normal(mean, std) fill of dt; the destination stays
 * untouched on error and holds no infinity or NaN on success */
static clinit_status normal_fill(clinit_dtype dt, double mean, double std)
{
    const uint64_t n = 1u << 20;
    size_t es = clinit_dtype_size(dt);
    clinit_status st;
    unsigned char *v = fill(dt, CLINIT_NORMAL, mean, std, n, &st);
    for (uint64_t j = 0; j < n; j++) {
        float x;
        if (st != CLINIT_OK) {
            for (size_t b = 0; b < es; b++)
                cr_assert_eq(v[j * es + b], 0xa5, "destination written");
            continue;
        }
        if (dt == CLINIT_F8E4M3 || dt == CLINIT_F8E5M2)
            x = fmts[dt == CLINIT_F8E5M2].widen(v[j]);
        else if (dt == CLINIT_F16) {
            uint16_t h;
            memcpy(&h, v + j * 2, 2);
            x = clinit_f32_from_f16(h);
        } else {
            memcpy(&x, v + j * 4, 4);
        }
        cr_assert(isfinite(x), "%s normal(%g, %g): element %llu is %g",
                  clinit_dtype_name(dt), mean, std, (unsigned long long)j, x);
    }
    free(v);
    return st;
}

Test(fp8, no_fill_writes_infinity_or_nan)
{
    /* |z| <= 6.6605 for 32-bit words, and rounding passes 448 (E4M3FN)
     * from 464: 464 / 6.6605 = 69.7 */
    cr_expect_eq(normal_fill(CLINIT_F8E4M3, 0, 70), CLINIT_ESUPPORT);
    cr_expect_eq(normal_fill(CLINIT_F8E4M3, 0, 60), CLINIT_OK);
    cr_expect_eq(normal_fill(CLINIT_F8E4M3, 420, 8), CLINIT_ESUPPORT);
    /* rounding passes the largest finite value from 61440 (E5M2) */
    cr_expect_eq(normal_fill(CLINIT_F8E5M2, 0, 9300), CLINIT_ESUPPORT);
    cr_expect_eq(normal_fill(CLINIT_F8E5M2, 0, 9000), CLINIT_OK);
    /* the same rule for every dtype: f16 (65504), f32 */
    cr_expect_eq(normal_fill(CLINIT_F16, 0, 30000), CLINIT_ESUPPORT);
    cr_expect_eq(normal_fill(CLINIT_F16, 0, 9000), CLINIT_OK);
    cr_expect_eq(normal_fill(CLINIT_F32, 0, 1e38), CLINIT_ESUPPORT);
}

Test(fp8, values_the_dtype_cannot_hold)
{
    for (int k = 0; k < 2; k++) {
        clinit_status st;
        const double big = fmts[k].max * 1.1;
        free(fill(fmts[k].dt, CLINIT_CONSTANT, big, 0, 256, &st));
        cr_expect_eq(st, CLINIT_EPARAM, "%s constant", fmts[k].name);
        free(fill(fmts[k].dt, CLINIT_UNIFORM, 0, big, 256, &st));
        cr_expect_eq(st, CLINIT_EPARAM, "%s uniform", fmts[k].name);
        free(fill(fmts[k].dt, CLINIT_TRUNC_NORMAL, big, 2 * big, 256, &st));
        cr_expect_eq(st, CLINIT_EPARAM, "%s trunc_normal", fmts[k].name);
        free(fill(fmts[k].dt, CLINIT_CONSTANT, fmts[k].max, 0, 256, &st));
        cr_expect_eq(st, CLINIT_OK, "%s constant max", fmts[k].name);
    }
}

Test(fp8, names)
{
    clinit_dtype d;
    cr_expect_eq(clinit_dtype_from_name("f8e4m3", &d), CLINIT_OK);
    cr_expect_eq(d, CLINIT_F8E4M3);
    cr_expect_eq(clinit_dtype_from_name("float8_e5m2", &d), CLINIT_OK);
    cr_expect_eq(d, CLINIT_F8E5M2);
    cr_expect_eq(clinit_dtype_size(CLINIT_F8E4M3), 1);
    cr_expect_str_eq(clinit_dtype_name(CLINIT_F8E5M2), "f8e5m2");
}

Test(fp8, bits_dtype_list_matches_the_public_table)
{
    /* kernels/clinit_dtype.h's rows carry include/clinit.h's ids */
    unsigned rows = 0;
#define CLINIT_CHECK_ROW_(A, id, name, T, bytes, round, widen, overflow, store)       \
    cr_expect_str_eq(clinit_dtype_name((clinit_dtype)(id)), #name);            \
    cr_expect_eq(clinit_dtype_size((clinit_dtype)(id)), (size_t)(bytes), #name); \
    rows++;
    CLINIT_BITS_DTYPE_LIST(CLINIT_CHECK_ROW_, _)
#undef CLINIT_CHECK_ROW_
    /* every dtype but f32 and f64 is a bits dtype */
    cr_expect_eq(rows, CLINIT_DTYPE_COUNT - 2);
}

Test(fp8, ties_at_the_top)
{
    /* E4M3FN's largest value 448 has an even significand: 464, half a step
     * above, rounds to it (ties to even); anything above 464 has no finite
     * value to go to. f16's 65504 is odd: 65520 itself overflows. */
    clinit_status st;
    uint8_t *v = fill(CLINIT_F8E4M3, CLINIT_CONSTANT, 464.0, 0, 256, &st);
    cr_expect_eq(st, CLINIT_OK);
    if (st == CLINIT_OK)
        cr_expect_eq(v[0], 0x7e);
    free(v);
    free(fill(CLINIT_F8E4M3, CLINIT_CONSTANT, 464.0001, 0, 256, &st));
    cr_expect_eq(st, CLINIT_EPARAM);
    free(fill(CLINIT_F8E4M3, CLINIT_UNIFORM, 0, 464.0, 256, &st));
    cr_expect_eq(st, CLINIT_OK, "uniform(0, 464): b rounds to 448");
    free(fill(CLINIT_F8E5M2, CLINIT_CONSTANT, 61440.0, 0, 256, &st));
    cr_expect_eq(st, CLINIT_EPARAM, "E5M2's 57344 is odd: the tie overflows");
    free(fill(CLINIT_F8E5M2, CLINIT_CONSTANT, 61439.0, 0, 256, &st));
    cr_expect_eq(st, CLINIT_OK);
    free(fill(CLINIT_F16, CLINIT_CONSTANT, 65520.0, 0, 256, &st));
    cr_expect_eq(st, CLINIT_EPARAM);
    free(fill(CLINIT_F16, CLINIT_CONSTANT, 65519.0, 0, 256, &st));
    cr_expect_eq(st, CLINIT_OK);
}
