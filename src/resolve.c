/* resolve.c - validation, fans, gains, and methods resolved to the base
 * distribution that the kernels draw (pure C, no OpenCL). Parameters are
 * computed in double exactly as torch.nn.init computes them, then rounded
 * once to the dtype's compute type. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "clinit_dtype.h"
#include "clinit_internal.h"
#include "clinit_model.h" /* the orthogonal size cap */
#include "clinit_stream.h"

/* kernels/clinit_abi.h's distribution ids are clinit.h's clinit_dist */
#define CLINIT_ABI_CHECK_(NAME, id, name)                                      \
    typedef char clinit_abi_##name##_[(CLINIT_ABI_DIST_##NAME ==               \
                                       (int)CLINIT_DIST_##NAME)                \
                                          ? 1                                  \
                                          : -1];
CLINIT_KERNEL_DIST_LIST(CLINIT_ABI_CHECK_)
#undef CLINIT_ABI_CHECK_
typedef char clinit_abi_orthogonal_[(CLINIT_ABI_DIST_ORTHOGONAL ==
                                     (int)CLINIT_DIST_ORTHOGONAL &&
                                     CLINIT_ABI_DIST_COUNT ==
                                         CLINIT_DIST_ORTHOGONAL + 1)
                                        ? 1
                                        : -1];

#define CLINIT_LAST_METHOD_ (CLINIT_METHOD_COUNT - 1)


clinit_status clinit_init_default(clinit_init *init, clinit_method method)
{
    clinit_init d;
    if (!init)
        return CLINIT_ENULL;
    if ((unsigned)method > (unsigned)CLINIT_LAST_METHOD_)
        return CLINIT_EMETHOD;
    memset(&d, 0, sizeof d);
    d.method = method;
    d.a = 0.0;
    d.b = 1.0;
    d.mean = 0.0;
    d.std = 1.0;
    d.val = 0.0;
    d.gain = 1.0;
    d.mode = CLINIT_FAN_IN;
    d.nonlinearity = CLINIT_NL_LEAKY_RELU;
    d.scale = 1.0;
    d.distribution = CLINIT_VS_TRUNCATED_NORMAL;
    d.sparsity = 0.0;
    d.groups = 1;
    switch (method) {
    case CLINIT_TRUNC_NORMAL:
        d.a = -2.0;
        d.b = 2.0;
        break;
    case CLINIT_SPARSE:
        d.std = 0.01;
        break;
    case CLINIT_LECUN_UNIFORM:
    case CLINIT_GLOROT_UNIFORM:
    case CLINIT_HE_UNIFORM:
        d.distribution = CLINIT_VS_UNIFORM;
        break;
    default:
        break;
    }
    if (method == CLINIT_GLOROT_UNIFORM || method == CLINIT_GLOROT_NORMAL)
        d.mode = CLINIT_FAN_AVG;
    if (method == CLINIT_HE_UNIFORM || method == CLINIT_HE_NORMAL)
        d.scale = 2.0;
    *init = d;
    return CLINIT_OK;
}

unsigned clinit_method_params(clinit_method m)
{
#define CLINIT_METHOD_PARAMS_(name, value, str, params) [value] = (params),
    static const unsigned params[CLINIT_METHOD_COUNT] = {
        CLINIT_METHOD_MAP(CLINIT_METHOD_PARAMS_)};
#undef CLINIT_METHOD_PARAMS_
    return (unsigned)m < (unsigned)CLINIT_METHOD_COUNT ? params[m] : 0;
}

clinit_status clinit_calculate_gain(clinit_nonlinearity nl, double param,
                                    double *gain)
{
    double g;
    if (!gain)
        return CLINIT_ENULL;
    switch (nl) {
    case CLINIT_NL_LINEAR:
    case CLINIT_NL_CONV1D:
    case CLINIT_NL_CONV2D:
    case CLINIT_NL_CONV3D:
    case CLINIT_NL_CONV_TRANSPOSE1D:
    case CLINIT_NL_CONV_TRANSPOSE2D:
    case CLINIT_NL_CONV_TRANSPOSE3D:
    case CLINIT_NL_SIGMOID:
        g = 1.0;
        break;
    case CLINIT_NL_TANH:
        g = 5.0 / 3;
        break;
    case CLINIT_NL_RELU:
        g = sqrt(2.0);
        break;
    case CLINIT_NL_LEAKY_RELU: {
        double slope = isnan(param) ? 0.01 : param;
        if (!isfinite(slope))
            return CLINIT_EPARAM;
        g = sqrt(2.0 / (1 + slope * slope));
        break;
    }
    case CLINIT_NL_SELU:
        g = 3.0 / 4;
        break;
    default:
        return CLINIT_ENONLINEARITY;
    }
    *gain = g;
    return CLINIT_OK;
}

/* trunc_normal's six kernel parameters (kernels/clinit_trunc.h) cost
 * about 20 us of host arithmetic (continued fractions 1000 deep), a
 * tenth of a 64K-element fill: the last result per thread and precision
 * is kept, keyed by the bits of (mean, std, a, b). A pure function, so
 * the memo cannot change a value. */
#if defined(__GNUC__)
#define CLINIT_HAVE_TRUNC_MEMO_ 1
typedef struct trunc_memo {
    int valid;
    double key[4];
    union {
        float f[6];
        double d[6];
    } out;
} trunc_memo;
#endif

static void trunc_params(int f64, double mean, double std, double a,
                         double b, void *out)
{
#if defined(CLINIT_HAVE_TRUNC_MEMO_)
    static __thread trunc_memo memo[2]; /* f32, f64 */
    double key[4] = {mean, std, a, b};
    trunc_memo *m = &memo[f64 ? 1 : 0];
    if (!m->valid || memcmp(m->key, key, sizeof key) != 0) {
        if (f64)
            clinit_trunc_params_f64(mean, std, a, b, m->out.d);
        else
            clinit_trunc_params_f32(mean, std, a, b, m->out.f);
        memcpy(m->key, key, sizeof key);
        m->valid = 1;
    }
    memcpy(out, f64 ? (void *)m->out.d : (void *)m->out.f,
           f64 ? sizeof m->out.d : sizeof m->out.f);
#else /* no thread-local storage: no memo */
    if (f64)
        clinit_trunc_params_f64(mean, std, a, b, (double *)out);
    else
        clinit_trunc_params_f32(mean, std, a, b, (float *)out);
#endif
}

static clinit_status check_shape(int ndim, const int64_t *shape,
                                 uint64_t *numel)
{
    uint64_t n = 1;
    if (ndim < 1 || ndim > CLINIT_MAX_DIMS)
        return CLINIT_ESHAPE;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] < 1)
            return CLINIT_ESHAPE;
        if ((uint64_t)shape[d] > CLINIT_MAX_NUMEL / n)
            return CLINIT_EOVERFLOW;
        n *= (uint64_t)shape[d];
    }
    if (n > CLINIT_MAX_NUMEL)
        return CLINIT_EOVERFLOW;
    if (numel)
        *numel = n;
    return CLINIT_OK;
}

clinit_status clinit_fans(int ndim, const int64_t *shape, uint64_t *fan_in,
                          uint64_t *fan_out)
{
    clinit_status st;
    uint64_t rf = 1;
    if (!shape || !fan_in || !fan_out)
        return CLINIT_ENULL;
    if ((st = check_shape(ndim, shape, NULL)) != CLINIT_OK)
        return st;
    if (ndim < 2)
        return CLINIT_EFANS;
    for (int d = 2; d < ndim; d++)
        rf *= (uint64_t)shape[d]; /* cannot overflow: numel did not */
    *fan_in = (uint64_t)shape[1] * rf;
    *fan_out = (uint64_t)shape[0] * rf;
    return CLINIT_OK;
}

clinit_status clinit_numel(const clinit_tensor *t, uint64_t *numel)
{
    if (!t || !numel)
        return CLINIT_ENULL;
    return check_shape(t->ndim, t->shape, numel);
}

static int finite_float(double x)
{
    return isfinite(x) && fabs(x) <= FLT_MAX;
}

/* ---- values of the narrow dtypes (computed in f32), as floats -------- */

/* A bits dtype (kernels/clinit_dtype.h's CLINIT_BITS_DTYPE_LIST, whose
 * ids are clinit.h's; tests/test_fp8.c checks the names): the bits of the
 * nearest value (the kernels' own rounding), the exact value of a
 * pattern, the sign bit, and where rounding passes the largest finite
 * value. */
typedef struct narrow_fmt {
    uint32_t (*round)(float);
    float (*widen)(uint32_t);
    uint32_t sign;
    double overflow;
} narrow_fmt;

#define CLINIT_NARROW_FNS_(A, id, name, T, bytes, round, widen, overflow, store)      \
    static uint32_t round_##name(float f) { return round(f); }                 \
    static float widen_##name(uint32_t h) { return widen(h); }
CLINIT_BITS_DTYPE_LIST(CLINIT_NARROW_FNS_, _)
#undef CLINIT_NARROW_FNS_

static const narrow_fmt *narrow_of(clinit_dtype dt)
{
#define CLINIT_NARROW_ROW_(A, id, name, T, bytes, round, widen, overflow, store)      \
    [id] = {round_##name, widen_##name, 1u << (8 * (bytes) - 1), overflow},
    static const narrow_fmt fmts[CLINIT_DTYPE_COUNT] = {
        CLINIT_BITS_DTYPE_LIST(CLINIT_NARROW_ROW_, _)};
#undef CLINIT_NARROW_ROW_
    return (unsigned)dt < (unsigned)CLINIT_DTYPE_COUNT && fmts[dt].round
               ? &fmts[dt]
               : NULL;
}

uint32_t clinit_dtype_round_bits(clinit_dtype dt, float f)
{
    const narrow_fmt *fm = narrow_of(dt);
    uint32_t u;
    if (fm)
        return fm->round(f);
    memcpy(&u, &f, 4);
    return u;
}

/* The next pattern up / down of a sign-magnitude format. */
static uint32_t next_pattern(const narrow_fmt *f, uint32_t h, int up)
{
    if ((h & (f->sign - 1u)) == 0) /* +-0 */
        return up ? 0x1u : f->sign | 0x1u;
    if (!(h & f->sign) == !!up)
        return h + 1u;
    return h - 1u;
}

/* The dtype's value nearest to x (round to nearest even), as a double;
 * non-finite in the dtype gives an infinity. */
static double dtype_round(clinit_dtype dt, double x)
{
    const narrow_fmt *f = narrow_of(dt);
    uint32_t h;
    double best;
    if (dt == CLINIT_F64)
        return x;
    if (!f)
        return (double)(float)x;
    /* x -> float is exact for every double that can round to a finite
     * narrow value except in a last-place tie, which the rounding of x
     * itself decides: compare both neighbours. At `overflow` (the largest
     * finite value plus half a step) the tie goes past it when that
     * value's significand is odd (f16, bf16, E5M2), and to it when even
     * (E4M3FN's 448): the kernels' own rounding of a value just below
     * says which. */
    if (fabs(x) > f->overflow ||
        (fabs(x) == f->overflow &&
         (f->round((float)(f->overflow * (1.0 - 0x1p-20))) & 1u)))
        return copysign(INFINITY, x);
    h = f->round((float)x);
    best = f->widen(h);
    for (int up = 0; up < 2; up++) {
        double n = f->widen(next_pattern(f, h, up));
        if (isfinite(n) && fabs(n) < f->overflow &&
            (!isfinite(best) || fabs(n - x) < fabs(best - x)))
            best = n;
    }
    return best;
}

/* The smallest value of the dtype >= x (up) or the largest <= x (down),
 * or the largest < x (strictly below, when strict && !up). */
static double dtype_bound(clinit_dtype dt, double x, int up, int strict)
{
    const narrow_fmt *fm = narrow_of(dt);
    if (dt == CLINIT_F64) {
        if (up)
            return x;
        return strict ? nextafter(x, -INFINITY) : x;
    }
    if (!fm) {
        float f = (float)x;
        if (up) {
            if ((double)f < x)
                f = nextafterf(f, INFINITY);
        } else {
            if ((double)f > x || (strict && (double)f == x))
                f = nextafterf(f, -INFINITY);
        }
        return f;
    }
    uint32_t h = fm->round((float)x);
    if (up) {
        while ((double)fm->widen(h) < x)
            h = next_pattern(fm, h, 1);
    } else {
        while ((double)fm->widen(h) > x ||
               (strict && (double)fm->widen(h) == x))
            h = next_pattern(fm, h, 0);
    }
    return fm->widen(h);
}

/* finite and in the range of the compute type (f32 or f64) */
static int finite_in(clinit_dtype dt, double x)
{
    return dt == CLINIT_F64 ? isfinite(x) : finite_float(x);
}

/* Largest |z| of Box-Muller on clinit's words (docs/STREAM.md): u >=
 * 2^-32 in f32 (2^-53 in f64), |z| <= sqrt(-2 ln u), plus a margin for
 * the rounding of the f32 / f64 evaluation. */
#define CLINIT_ZMAX32 6.6605
#define CLINIT_ZMAX64 8.5718

/* No value of the resolved distribution rounds past the dtype's largest
 * finite value: fills never write an infinity or a NaN. Uniform and
 * truncated values lie inside validated bounds, patterns are 0 and 1. */
static int support_fits(clinit_dtype dt, const clinit_resolved *r)
{
    double m;
    switch (r->dist) {
    case CLINIT_DIST_NORMAL:
    case CLINIT_DIST_SPARSE:
        m = fabs(r->mean) +
            (dt == CLINIT_F64 ? CLINIT_ZMAX64 : CLINIT_ZMAX32) * r->std;
        break;
    case CLINIT_DIST_ORTHOGONAL: /* gain * Q, |Q_ij| <= 1 */
        m = fabs(r->gain);
        break;
    default:
        return 1;
    }
    /* the f32 evaluation may round up by an ulp: a relative margin */
    return isfinite(dtype_round(dt, m * (1.0 + 0x1p-20)));
}

/* The host QR's size cap (include/clinit_model.h). */
clinit_status clinit_ortho_check(const clinit_tensor *t)
{
    uint64_t numel, rows, cols, lo, hi;
    clinit_status st;
    if (!t)
        return CLINIT_ENULL;
    if ((st = clinit_numel(t, &numel)) != CLINIT_OK)
        return st;
    if (t->ndim < 2)
        return CLINIT_ESHAPE;
    rows = (uint64_t)t->shape[0];
    cols = numel / rows;
    lo = rows < cols ? rows : cols;
    hi = rows < cols ? cols : rows;
    /* lo * lo <= numel <= 2^56 after the first test: no overflow */
    if (numel > CLINIT_ORTHO_MAX_NUMEL || lo * lo > CLINIT_ORTHO_MAX_WORK / hi)
        return CLINIT_EORTHOSIZE;
    return CLINIT_OK;
}

/* ---- resolving methods
 * ------------------------------------------------------- */

static clinit_status fans_of(const clinit_tensor *t, clinit_resolved *r)
{
    return clinit_fans(t->ndim, t->shape, &r->fan_in, &r->fan_out);
}

/* uniform(-bound, bound), normal(0, std) or, for Keras, truncated at
 * +-2 std. A uniform bound of 0 (gain 0) is all zeros. */
static void set_scaled(clinit_resolved *r, double std, int kind)
{
    if (kind == CLINIT_VS_UNIFORM) {
        double bound = sqrt(3.0) * std;
        if ((float)bound == 0.0f) {
            r->dist = CLINIT_DIST_CONSTANT;
            r->value = 0.0;
        } else {
            r->dist = CLINIT_DIST_UNIFORM;
            r->lo = -bound;
            r->hi = bound;
        }
    } else if (kind == CLINIT_VS_TRUNCATED_NORMAL) {
        r->dist = CLINIT_DIST_TRUNCATED;
        r->mean = 0.0;
        r->std = std;
        r->lo = -2.0 * std;
        r->hi = 2.0 * std;
    } else {
        r->dist = CLINIT_DIST_NORMAL;
        r->mean = 0.0;
        r->std = std;
    }
}

/* Keras' variance_scaling and its presets (lecun_*, glorot_*, he_*). */
static clinit_status resolve_vs(const clinit_tensor *t, const clinit_init *init,
                                clinit_dtype dt, clinit_resolved *r)
{
    double std;
    clinit_status st;
    clinit_init vs;
    /* the presets ignore mode/scale/distribution: they are fixed */
    if (init->method == CLINIT_VARIANCE_SCALING)
        vs = *init;
    else
        clinit_init_default(&vs, init->method);
    if ((st = fans_of(t, r)) != CLINIT_OK)
        return st;
    if ((unsigned)vs.mode > (unsigned)CLINIT_FAN_AVG)
        return CLINIT_EMODE;
    if ((unsigned)vs.distribution > (unsigned)CLINIT_VS_UNIFORM)
        return CLINIT_EDISTRIBUTION;
    if (!isfinite(vs.scale) || !(vs.scale > 0))
        return CLINIT_EPARAM;
    r->fan = vs.mode == CLINIT_FAN_IN ? (double)r->fan_in
            : vs.mode == CLINIT_FAN_OUT
                ? (double)r->fan_out
                : ((double)r->fan_in + (double)r->fan_out) / 2.0;
    /* Keras: stddev = sqrt(scale / n) / .87962566103423978 for the
     * truncated normal (the std of a standard normal truncated to
     * [-2, 2]), limit = sqrt(3 * scale / n) for uniform */
    if (vs.distribution == CLINIT_VS_TRUNCATED_NORMAL)
        std = sqrt(vs.scale / r->fan) / .87962566103423978;
    else if (vs.distribution == CLINIT_VS_UNTRUNCATED_NORMAL)
        std = sqrt(vs.scale / r->fan);
    else /* uniform's std; the limit is set exactly below */
        std = sqrt(vs.scale / r->fan);
    if (!finite_in(dt, std))
        return CLINIT_EPARAM;
    set_scaled(r, std, (int)vs.distribution);
    if (vs.distribution == CLINIT_VS_UNIFORM &&
        r->dist == CLINIT_DIST_UNIFORM) {
        /* Keras' exact limit: scale /= n, then sqrt(3 * scale) */
        r->lo = -sqrt(3.0 * (vs.scale / r->fan));
        r->hi = -r->lo;
    }
    return CLINIT_OK;
}

/* The structural methods: sparse_, eye_, dirac_, orthogonal_. */
static clinit_status resolve_structural(const clinit_tensor *t,
                                        const clinit_init *init,
                                        clinit_dtype dt, clinit_resolved *r)
{
    switch (init->method) {
    case CLINIT_SPARSE:
        if (t->ndim != 2 || (uint64_t)t->shape[0] > UINT32_MAX ||
            (uint64_t)t->shape[1] > UINT32_MAX)
            return CLINIT_ESHAPE;
        if (!(init->sparsity >= 0 && init->sparsity <= 1) ||
            !finite_in(dt, init->std) || !(init->std >= 0))
            return CLINIT_EPARAM;
        r->dist = CLINIT_DIST_SPARSE;
        r->mean = 0.0;
        r->std = init->std;
        /* torch: num_zeros = int(math.ceil(sparsity * rows)) */
        r->nzeros = (uint64_t)ceil(init->sparsity * (double)t->shape[0]);
        return CLINIT_OK;
    case CLINIT_EYE:
        if (t->ndim != 2)
            return CLINIT_ESHAPE;
        r->dist = CLINIT_DIST_PATTERN;
        return CLINIT_OK;
    case CLINIT_DIRAC:
        if (t->ndim < 3 || t->ndim > 5)
            return CLINIT_ESHAPE;
        if (init->groups < 1 || t->shape[0] % init->groups != 0)
            return CLINIT_EPARAM;
        r->dist = CLINIT_DIST_PATTERN;
        return CLINIT_OK;
    case CLINIT_ORTHOGONAL: {
        if (t->ndim < 2)
            return CLINIT_ESHAPE;
        if (!isfinite(init->gain) || !finite_in(dt, init->gain))
            return CLINIT_EPARAM;
        /* the host QR's size cap (clinit_model.h), its own status */
        if (clinit_ortho_check(t) != CLINIT_OK)
            return CLINIT_EORTHOSIZE;
        r->dist = CLINIT_DIST_ORTHOGONAL;
        r->gain = init->gain;
        return CLINIT_OK;
    }
    default:
        return CLINIT_EMETHOD;
    }
}

/* xavier_* and kaiming_*: torch's formulas on the fans. */
static clinit_status resolve_fans(const clinit_tensor *t,
                                  const clinit_init *init, clinit_dtype dt,
                                  clinit_resolved *r)
{
    clinit_status st;
    double std;
    switch (init->method) {
    case CLINIT_XAVIER_UNIFORM:
    case CLINIT_XAVIER_NORMAL:
        if ((st = fans_of(t, r)) != CLINIT_OK)
            return st;
        if (!isfinite(init->gain) || !(init->gain >= 0))
            return CLINIT_EPARAM;
        r->gain = init->gain;
        /* torch: std = gain * sqrt(2 / (fan_in + fan_out)),
         * uniform bound a = sqrt(3) * std */
        std = init->gain * sqrt(2.0 / (double)(r->fan_in + r->fan_out));
        if (!finite_in(dt, std))
            return CLINIT_EPARAM;
        set_scaled(r, std,
                   init->method == CLINIT_XAVIER_UNIFORM
                       ? CLINIT_VS_UNIFORM
                       : CLINIT_VS_UNTRUNCATED_NORMAL);
        return CLINIT_OK;
    case CLINIT_KAIMING_UNIFORM:
    case CLINIT_KAIMING_NORMAL:
        if ((st = fans_of(t, r)) != CLINIT_OK)
            return st;
        if ((unsigned)init->mode > (unsigned)CLINIT_FAN_OUT)
            return CLINIT_EMODE;
        if ((st = clinit_calculate_gain(init->nonlinearity, init->a,
                                        &r->gain)) != CLINIT_OK)
            return st;
        if (isnan(init->a)) /* kaiming's a is a number, default 0 */
            return CLINIT_EPARAM;
        r->fan = (double)(init->mode == CLINIT_FAN_IN ? r->fan_in : r->fan_out);
        /* torch: std = gain / sqrt(fan), bound = sqrt(3) * std */
        std = r->gain / sqrt(r->fan);
        if (!finite_in(dt, std))
            return CLINIT_EPARAM;
        set_scaled(r, std,
                   init->method == CLINIT_KAIMING_UNIFORM
                       ? CLINIT_VS_UNIFORM
                       : CLINIT_VS_UNTRUNCATED_NORMAL);
        return CLINIT_OK;
    default:
        return CLINIT_EMETHOD;
    }
}

clinit_status clinit_resolve(const clinit_tensor *t, const clinit_init *init,
                             clinit_resolved *out)
{
    clinit_resolved r;
    clinit_status st;
    uint64_t numel;
    clinit_dtype dt;

    if (!t || !init || !out)
        return CLINIT_ENULL;
    if ((st = check_shape(t->ndim, t->shape, &numel)) != CLINIT_OK)
        return st;
    if ((unsigned)init->method > (unsigned)CLINIT_LAST_METHOD_)
        return CLINIT_EMETHOD;
    if ((unsigned)t->dtype >= (unsigned)CLINIT_DTYPE_COUNT)
        return CLINIT_EDTYPE;
    dt = t->dtype;

    memset(&r, 0, sizeof r);
    r.gain = NAN;
    r.fan = NAN;
    r.lo = r.hi = r.mean = r.std = r.value = NAN;

    switch (init->method) {
    case CLINIT_UNIFORM:
        if (!finite_in(dt, init->a) || !finite_in(dt, init->b) ||
            !isfinite(dtype_round(dt, init->a)) ||
            !isfinite(dtype_round(dt, init->b)) ||
            !(dtype_round(dt, init->a) < dtype_round(dt, init->b)) ||
            !finite_in(dt, init->b - init->a))
            return CLINIT_EPARAM;
        r.dist = CLINIT_DIST_UNIFORM;
        r.lo = init->a;
        r.hi = init->b;
        break;
    case CLINIT_NORMAL:
        if (!finite_in(dt, init->mean) || !finite_in(dt, init->std) ||
            !(init->std >= 0))
            return CLINIT_EPARAM;
        r.dist = CLINIT_DIST_NORMAL;
        r.mean = init->mean;
        r.std = init->std;
        break;
    case CLINIT_TRUNC_NORMAL:
        if (!finite_in(dt, init->mean) || !finite_in(dt, init->std) ||
            !(init->std > 0) || !finite_in(dt, init->a) ||
            !finite_in(dt, init->b) || !(init->a < init->b) ||
            /* some value of the dtype must lie in [a, b] */
            !(dtype_bound(dt, init->a, 1, 0) <= dtype_bound(dt, init->b, 0, 0)))
            return CLINIT_EPARAM;
        r.dist = CLINIT_DIST_TRUNCATED;
        r.mean = init->mean;
        r.std = init->std;
        r.lo = init->a;
        r.hi = init->b;
        break;
    case CLINIT_CONSTANT:
    case CLINIT_ZEROS:
    case CLINIT_ONES:
        if (init->method == CLINIT_CONSTANT && !finite_in(dt, init->val))
            return CLINIT_EPARAM;
        r.dist = CLINIT_DIST_CONSTANT;
        r.value = init->method == CLINIT_CONSTANT ? dtype_round(dt, init->val)
                  : init->method == CLINIT_ONES   ? 1.0
                                                  : 0.0;
        if (!isfinite(r.value)) /* e.g. 70000 in f16 */
            return CLINIT_EPARAM;
        break;
    case CLINIT_XAVIER_UNIFORM:
    case CLINIT_XAVIER_NORMAL:
    case CLINIT_KAIMING_UNIFORM:
    case CLINIT_KAIMING_NORMAL:
        if ((st = resolve_fans(t, init, dt, &r)) != CLINIT_OK)
            return st;
        break;
    case CLINIT_VARIANCE_SCALING:
    case CLINIT_LECUN_UNIFORM:
    case CLINIT_LECUN_NORMAL:
    case CLINIT_GLOROT_UNIFORM:
    case CLINIT_GLOROT_NORMAL:
    case CLINIT_HE_UNIFORM:
    case CLINIT_HE_NORMAL:
        if ((st = resolve_vs(t, init, dt, &r)) != CLINIT_OK)
            return st;
        break;
    case CLINIT_SPARSE:
    case CLINIT_EYE:
    case CLINIT_DIRAC:
    case CLINIT_ORTHOGONAL:
        if ((st = resolve_structural(t, init, dt, &r)) != CLINIT_OK)
            return st;
        break;
    default:
        return CLINIT_EMETHOD;
    }
    if (!support_fits(dt, &r))
        return CLINIT_ESUPPORT;
    *out = r;
    return CLINIT_OK;
}

/* Rounds to float; magnitudes below FLT_MIN become signed zeros, as the
 * kernels flush their outputs (clinit_flush_f32). */
static float param_f32(double x)
{
    float f = (float)x;
    if (fabsf(f) < FLT_MIN)
        f = copysignf(0.0f, f);
    return f;
}

/* The same for f64 and DBL_MIN. */
static double param_f64(double x)
{
    return fabs(x) < DBL_MIN ? copysign(0.0, x) : x;
}

/* Stores the constant's bits in the dtype (v is a value of the dtype). */
static void constant_bits(clinit_plan *p, double v)
{
    const narrow_fmt *f = narrow_of(p->dtype);
    if (p->dtype == CLINIT_F64) {
        memcpy(p->bits, &v, 8);
    } else if (!f) {
        float x = (float)v;
        memcpy(p->bits, &x, 4);
    } else { /* exact through float; little-endian low bytes */
        uint32_t h = f->round((float)v);
        for (size_t k = 0; k < clinit_dtype_size(p->dtype); k++)
            p->bits[k] = (unsigned char)(h >> (8 * k));
    }
}

/* The plan's parameters for the resolved distribution r, rounded to the
 * compute type (kernels/clinit_abi.h's slots). */
static clinit_status plan_params(const clinit_tensor *t,
                                 const clinit_init *init,
                                 const clinit_resolved *r, clinit_plan *p)
{
    clinit_dtype dt = p->dtype;
    int f64 = dt == CLINIT_F64;
    switch (r->dist) {
    case CLINIT_DIST_UNIFORM: {
        /* a and b rounded to the dtype: values lie in [a', b') */
        double a = dtype_round(dt, r->lo), b = dtype_round(dt, r->hi);
        double top = dtype_bound(dt, b, 0, 1), bottom = a;
        if (f64) {
            double scale = b - a;
            if (!(a < b) || !isfinite(scale))
                return CLINIT_EPARAM;
            p->d[CLINIT_P_UNIFORM_LO] = param_f64(a);
            p->d[CLINIT_P_UNIFORM_SCALE] = param_f64(scale);
            p->d[CLINIT_P_UNIFORM_TOP] = param_f64(top);
            p->d[CLINIT_P_UNIFORM_BOTTOM] = param_f64(bottom);
        } else {
            float af = param_f32(r->lo), bf = param_f32(r->hi);
            double scale = (double)bf - (double)af;
            if (!(a < b) || !(af < bf) || !finite_float(scale))
                return CLINIT_EPARAM;
            p->p[CLINIT_P_UNIFORM_LO] = af;
            /* a denormal scale would be flushed by some devices: flush it
             * everywhere (every value is then a) */
            p->p[CLINIT_P_UNIFORM_SCALE] = param_f32(scale);
            p->p[CLINIT_P_UNIFORM_TOP] = param_f32(top);
            p->p[CLINIT_P_UNIFORM_BOTTOM] = param_f32(bottom);
        }
        break;
    }
    case CLINIT_DIST_NORMAL:
    case CLINIT_DIST_SPARSE:
        if (f64) {
            p->d[CLINIT_P_NORMAL_MEAN] = param_f64(r->mean);
            p->d[CLINIT_P_NORMAL_STD] = param_f64(r->std);
        } else {
            p->p[CLINIT_P_NORMAL_MEAN] = param_f32(r->mean);
            p->p[CLINIT_P_NORMAL_STD] = param_f32(r->std);
        }
        if (r->dist == CLINIT_DIST_SPARSE) {
            uint32_t k[4] = {0, CLINIT_DOMAIN_SPARSE << 24, p->key[2], p->key[3]};
            uint64_t rows = (uint64_t)t->shape[0];
            uint32_t h = 1;
            while (h < 16 && (UINT64_C(1) << (2 * h)) < rows)
                h++;
            /* the permutation keys: counter 0 of domain 1 */
            clinit_philox4x32_10(k, p->key[0], p->key[1]);
            p->q[CLINIT_Q_SPARSE_COLS] = (uint64_t)t->shape[1];
            p->q[CLINIT_Q_SPARSE_ROWS] = rows;
            p->q[CLINIT_Q_SPARSE_NZEROS] = r->nzeros;
            p->q[CLINIT_Q_SPARSE_HALF] = h;
            p->q[CLINIT_Q_SPARSE_KEY01] = k[0] | (uint64_t)k[1] << 32;
            p->q[CLINIT_Q_SPARSE_KEY23] = k[2] | (uint64_t)k[3] << 32;
        }
        break;
    case CLINIT_DIST_TRUNCATED: {
        double bottom = dtype_bound(dt, r->lo, 1, 0);
        double top = dtype_bound(dt, r->hi, 0, 0);
        if (f64) {
            p->d[CLINIT_P_TRUNC_MEAN] = param_f64(r->mean);
            p->d[CLINIT_P_TRUNC_STD] = param_f64(r->std);
            p->d[CLINIT_P_TRUNC_BOTTOM] = param_f64(bottom);
            p->d[CLINIT_P_TRUNC_TOP] = param_f64(top);
            trunc_params(1, r->mean, r->std, r->lo, r->hi,
                         &p->d[CLINIT_P_TRUNC_T]);
        } else {
            p->p[CLINIT_P_TRUNC_MEAN] = param_f32(r->mean);
            p->p[CLINIT_P_TRUNC_STD] = param_f32(r->std);
            p->p[CLINIT_P_TRUNC_BOTTOM] = param_f32(bottom);
            p->p[CLINIT_P_TRUNC_TOP] = param_f32(top);
            trunc_params(0, r->mean, r->std, r->lo, r->hi,
                         &p->p[CLINIT_P_TRUNC_T]);
        }
        break;
    }
    case CLINIT_DIST_PATTERN: {
        /* eye_ is dirac_'s rule with no kernel dims and one group */
        uint64_t S = 1, centre = 0, out = (uint64_t)t->shape[0],
                 in = (uint64_t)t->shape[1];
        uint64_t groups =
            init->method == CLINIT_DIRAC ? (uint64_t)init->groups : 1;
        uint64_t opg = out / groups;
        for (int d = 2; d < t->ndim; d++) {
            centre = centre * (uint64_t)t->shape[d] + (uint64_t)t->shape[d] / 2;
            S *= (uint64_t)t->shape[d];
        }
        p->q[CLINIT_Q_PATTERN_IN_S] = in * S;
        p->q[CLINIT_Q_PATTERN_S] = S;
        p->q[CLINIT_Q_PATTERN_OUT_PER_GROUP] = opg;
        p->q[CLINIT_Q_PATTERN_CENTRE] = centre;
        p->q[CLINIT_Q_PATTERN_MIN_DIM] = opg < in ? opg : in;
        break;
    }
    case CLINIT_DIST_CONSTANT:
        constant_bits(p, r->value);
        break;
    case CLINIT_DIST_ORTHOGONAL:
        p->q[CLINIT_Q_ORTHO_ROWS] = (uint64_t)t->shape[0];
        p->q[CLINIT_Q_ORTHO_COLS] = p->numel / (uint64_t)t->shape[0];
        p->d[CLINIT_P_ORTHO_GAIN] = r->gain;
        break;
    }
    return CLINIT_OK;
}

clinit_status clinit_plan_make(const clinit_tensor *t, const clinit_init *init,
                               uint64_t lo, uint64_t hi, clinit_plan *plan)
{
    clinit_resolved r;
    clinit_status st;
    uint64_t numel;
    clinit_plan p;
    clinit_dtype dt;

    if (!plan)
        return CLINIT_ENULL;
    if ((st = clinit_resolve(t, init, &r)) != CLINIT_OK)
        return st;
    (void)clinit_numel(t, &numel);
    if (lo > hi || hi > numel)
        return CLINIT_ERANGE;

    memset(&p, 0, sizeof p);
    dt = t->dtype;
    p.dist = r.dist;
    p.dtype = dt;
    p.key[0] = (uint32_t)t->seed;
    p.key[1] = (uint32_t)(t->seed >> 32);
    p.key[2] = (uint32_t)t->stream;
    p.key[3] = (uint32_t)(t->stream >> 32);
    p.lo = lo;
    p.hi = hi;
    p.numel = numel;
    if ((st = plan_params(t, init, &r, &p)) != CLINIT_OK)
        return st;
    *plan = p;
    return CLINIT_OK;
}

/* A value of a 32-bit-word dtype (its bits) as f32, exactly. */
static float dtype_to_f32(clinit_dtype dt, const unsigned char *bits)
{
    const narrow_fmt *fm = narrow_of(dt);
    uint32_t h = 0;
    float f;
    if (!fm) {
        memcpy(&f, bits, 4);
        return f;
    }
    for (size_t k = 0; k < clinit_dtype_size(dt); k++)
        h |= (uint32_t)bits[k] << (8 * k);
    return fm->widen(h);
}

void clinit_plan_desc(const clinit_plan *p, uint64_t first, uint64_t off,
                      uint64_t d[CLINIT_DESC_WORDS])
{
    uint64_t be = CLINIT_BLOCK_ELEMS(p->dtype);
    memset(d, 0, CLINIT_DESC_WORDS * sizeof *d);
    d[CLINIT_DW_FIRST] = first;
    d[CLINIT_DW_LO] = p->lo;
    d[CLINIT_DW_HI] = p->hi;
    d[CLINIT_DW_OFF] = off;
    d[CLINIT_DW_B0] = p->lo / be;
    d[CLINIT_DW_DIST] = (uint64_t)p->dist;
    d[CLINIT_DW_KEY] = p->key[0] | (uint64_t)p->key[1] << 32;
    d[CLINIT_DW_STREAM] = p->key[2] | (uint64_t)p->key[3] << 32;
    memcpy(d + CLINIT_DW_Q, p->q, sizeof p->q);
    if (p->dtype == CLINIT_F64) {
        memcpy(d + CLINIT_DW_P, p->dist == CLINIT_DIST_CONSTANT ? p->bits
                                                                : (const void *)p->d,
               p->dist == CLINIT_DIST_CONSTANT ? 8 : sizeof p->d);
    } else {
        float f[16];
        memcpy(f, p->p, sizeof f);
        if (p->dist == CLINIT_DIST_CONSTANT) /* the dtype's value */
            f[CLINIT_P_CONSTANT_VALUE] = dtype_to_f32(p->dtype, p->bits);
        for (int k = 0; k < 16; k += 2) {
            uint32_t lo32, hi32;
            memcpy(&lo32, &f[k], 4);
            memcpy(&hi32, &f[k + 1], 4);
            d[CLINIT_DW_P + k / 2] = lo32 | (uint64_t)hi32 << 32;
        }
    }
}

uint64_t clinit_stream_of(const char *name)
{
    uint64_t h = 0xcbf29ce484222325ull;
    if (!name)
        return h;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++)
        h = (h ^ *c) * 0x100000001b3ull;
    return h;
}
