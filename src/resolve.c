/* resolve.c - validation, fans, gains, and methods resolved to the base
 * distribution that the kernels draw (pure C, no OpenCL). Parameters are
 * computed in double exactly as torch.nn.init computes them, then rounded
 * once to the dtype's compute type. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "clinit_internal.h"

clinit_status clinit_init_default(clinit_init *init, clinit_method method)
{
    clinit_init d;
    if (!init)
        return CLINIT_ENULL;
    if ((unsigned)method > (unsigned)CLINIT_KAIMING_NORMAL)
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
    *init = d;
    return CLINIT_OK;
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

clinit_status clinit_resolve(const clinit_tensor *t, const clinit_init *init,
                             clinit_resolved *out)
{
    clinit_resolved r;
    clinit_status st;
    uint64_t numel;
    double std, bound;
    int uniform;

    if (!t || !init || !out)
        return CLINIT_ENULL;
    if ((st = check_shape(t->ndim, t->shape, &numel)) != CLINIT_OK)
        return st;
    if ((unsigned)init->method > (unsigned)CLINIT_KAIMING_NORMAL)
        return CLINIT_EMETHOD;
    if (t->dtype != CLINIT_F32)
        return CLINIT_EDTYPE; /* f16, bf16, f64: not yet implemented */

    memset(&r, 0, sizeof r);
    r.gain = NAN;
    r.fan = NAN;
    r.lo = r.hi = r.mean = r.std = r.value = NAN;

    switch (init->method) {
    case CLINIT_UNIFORM:
        if (!finite_float(init->a) || !finite_float(init->b) ||
            !((float)init->a < (float)init->b) ||
            !finite_float((double)(float)init->b - (double)(float)init->a))
            return CLINIT_EPARAM;
        r.dist = CLINIT_DIST_UNIFORM;
        r.lo = init->a;
        r.hi = init->b;
        break;
    case CLINIT_NORMAL:
        if (!finite_float(init->mean) || !finite_float(init->std) ||
            !(init->std >= 0))
            return CLINIT_EPARAM;
        r.dist = CLINIT_DIST_NORMAL;
        r.mean = init->mean;
        r.std = init->std;
        break;
    case CLINIT_CONSTANT:
    case CLINIT_ZEROS:
    case CLINIT_ONES:
        if (init->method == CLINIT_CONSTANT && !finite_float(init->val))
            return CLINIT_EPARAM;
        r.dist = CLINIT_DIST_CONSTANT;
        r.value = init->method == CLINIT_CONSTANT ? (double)(float)init->val
                  : init->method == CLINIT_ONES   ? 1.0
                                                  : 0.0;
        break;
    case CLINIT_XAVIER_UNIFORM:
    case CLINIT_XAVIER_NORMAL:
        if ((st = clinit_fans(t->ndim, t->shape, &r.fan_in, &r.fan_out)) !=
            CLINIT_OK)
            return st;
        if (!isfinite(init->gain) || !(init->gain >= 0))
            return CLINIT_EPARAM;
        r.gain = init->gain;
        /* torch: std = gain * sqrt(2 / (fan_in + fan_out)),
         * uniform bound a = sqrt(3) * std */
        std = init->gain * sqrt(2.0 / (double)(r.fan_in + r.fan_out));
        uniform = init->method == CLINIT_XAVIER_UNIFORM;
        goto scaled;
    case CLINIT_KAIMING_UNIFORM:
    case CLINIT_KAIMING_NORMAL:
        if ((st = clinit_fans(t->ndim, t->shape, &r.fan_in, &r.fan_out)) !=
            CLINIT_OK)
            return st;
        if ((unsigned)init->mode > (unsigned)CLINIT_FAN_OUT)
            return CLINIT_EMODE;
        if ((st = clinit_calculate_gain(init->nonlinearity, init->a,
                                        &r.gain)) != CLINIT_OK)
            return st;
        if (isnan(init->a)) /* kaiming's a is a number, default 0 */
            return CLINIT_EPARAM;
        r.fan = (double)(init->mode == CLINIT_FAN_IN ? r.fan_in : r.fan_out);
        /* torch: std = gain / sqrt(fan), bound = sqrt(3) * std */
        std = r.gain / sqrt(r.fan);
        uniform = init->method == CLINIT_KAIMING_UNIFORM;
    scaled:
        if (!finite_float(std))
            return CLINIT_EPARAM;
        if (uniform) {
            bound = sqrt(3.0) * std;
            if ((float)bound == 0.0f) { /* gain 0: U(-0, 0) is all zeros */
                r.dist = CLINIT_DIST_CONSTANT;
                r.value = 0.0;
            } else {
                r.dist = CLINIT_DIST_UNIFORM;
                r.lo = -bound;
                r.hi = bound;
            }
        } else {
            r.dist = CLINIT_DIST_NORMAL;
            r.mean = 0.0;
            r.std = std;
        }
        break;
    default:
        return CLINIT_EMETHOD;
    }
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

clinit_status clinit_plan_make(const clinit_tensor *t, const clinit_init *init,
                               uint64_t lo, uint64_t hi, clinit_plan *plan)
{
    clinit_resolved r;
    clinit_status st;
    uint64_t numel;
    clinit_plan p;

    if (!plan)
        return CLINIT_ENULL;
    if ((st = clinit_resolve(t, init, &r)) != CLINIT_OK)
        return st;
    (void)clinit_numel(t, &numel);
    if (lo > hi || hi > numel)
        return CLINIT_ERANGE;

    memset(&p, 0, sizeof p);
    p.dist = r.dist;
    p.dtype = t->dtype;
    p.k0 = (uint32_t)t->seed;
    p.k1 = (uint32_t)(t->seed >> 32);
    p.s0 = (uint32_t)t->stream;
    p.s1 = (uint32_t)(t->stream >> 32);
    p.lo = lo;
    p.hi = hi;
    switch (r.dist) {
    case CLINIT_DIST_UNIFORM: {
        float a = param_f32(r.lo), b = param_f32(r.hi);
        double scale = (double)b - (double)a;
        if (!(a < b) || !finite_float(scale))
            return CLINIT_EPARAM;
        p.p0 = a;
        /* a denormal scale would be flushed by some devices: flush it
         * everywhere (every value is then a) */
        p.p1 = param_f32(scale);
        p.p2 = nextafterf(b, -INFINITY);
        break;
    }
    case CLINIT_DIST_NORMAL:
        p.p0 = param_f32(r.mean);
        p.p1 = param_f32(r.std);
        break;
    case CLINIT_DIST_CONSTANT:
        p.p0 = (float)r.value; /* exact: value is already a float */
        break;
    }
    *plan = p;
    return CLINIT_OK;
}

clinit_status clinit_fill_host(clinit_ctx *ctx, const clinit_tensor *t,
                               const clinit_init *init, uint64_t lo,
                               uint64_t hi, void *dst)
{
    clinit_plan plan;
    clinit_status st;
    if (!t || !init || !dst)
        return CLINIT_ENULL;
    if ((st = clinit_plan_make(t, init, lo, hi, &plan)) != CLINIT_OK)
        return st;
    if (hi - lo > SIZE_MAX / clinit_dtype_size(t->dtype))
        return CLINIT_EOVERFLOW;
    return clinit_cpu_fill(&plan, ctx ? clinit_ctx_cpu_threads_(ctx) : 0,
                           dst);
}

clinit_status clinit_enqueue_fill(clinit_ctx *ctx, const clinit_tensor *t,
                                  const clinit_init *init, uint64_t lo,
                                  uint64_t hi, cl_mem buf, size_t offset,
                                  cl_uint num_wait, const cl_event *wait,
                                  cl_event *out_event)
{
    clinit_plan plan;
    clinit_status st;
    if (!ctx || !t || !init || !buf || (num_wait > 0 && !wait))
        return CLINIT_ENULL;
    if ((st = clinit_plan_make(t, init, lo, hi, &plan)) != CLINIT_OK)
        return st;
    return clinit_ocl_fill(ctx, &plan, buf, offset, num_wait, wait,
                           out_event);
}
