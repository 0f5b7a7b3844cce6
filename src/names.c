/* names.c - torch spellings of methods, modes, nonlinearities, dtypes. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinit.h"

typedef struct name_entry {
    const char *name;
    int value;
} name_entry;

#define CLINIT_METHOD_NAME_(name, value, str, params) {str, CLINIT_##name},
static const name_entry methods[] = {CLINIT_METHOD_MAP(CLINIT_METHOD_NAME_){
    NULL, 0}};
#undef CLINIT_METHOD_NAME_

static const name_entry modes[] = {{"fan_in", CLINIT_FAN_IN},
                                   {"fan_out", CLINIT_FAN_OUT},
                                   {"fan_avg", CLINIT_FAN_AVG},
                                   {NULL, 0}};

static const name_entry distributions[] = {
    {"truncated_normal", CLINIT_VS_TRUNCATED_NORMAL},
    {"untruncated_normal", CLINIT_VS_UNTRUNCATED_NORMAL},
    {"uniform", CLINIT_VS_UNIFORM},
    {"normal", CLINIT_VS_TRUNCATED_NORMAL}, /* Keras 2 alias */
    {NULL, 0}};

static const name_entry nonlinearities[] = {
    {"linear", CLINIT_NL_LINEAR},
    {"conv1d", CLINIT_NL_CONV1D},
    {"conv2d", CLINIT_NL_CONV2D},
    {"conv3d", CLINIT_NL_CONV3D},
    {"conv_transpose1d", CLINIT_NL_CONV_TRANSPOSE1D},
    {"conv_transpose2d", CLINIT_NL_CONV_TRANSPOSE2D},
    {"conv_transpose3d", CLINIT_NL_CONV_TRANSPOSE3D},
    {"sigmoid", CLINIT_NL_SIGMOID},
    {"tanh", CLINIT_NL_TANH},
    {"relu", CLINIT_NL_RELU},
    {"leaky_relu", CLINIT_NL_LEAKY_RELU},
    {"selu", CLINIT_NL_SELU},
    {NULL, 0}};

/* canonical names first, then aliases */
#define CLINIT_DTYPE_NAME_(name, value, str, bytes) {str, CLINIT_##name},
static const name_entry dtypes[] = {
    CLINIT_DTYPE_MAP(CLINIT_DTYPE_NAME_)
    /* torch's spellings */
    {"float32", CLINIT_F32},
    {"float16", CLINIT_F16},
    {"bfloat16", CLINIT_BF16},
    {"float64", CLINIT_F64},
    {"float", CLINIT_F32},
    {"half", CLINIT_F16},
    {"double", CLINIT_F64},
    {"float8_e4m3fn", CLINIT_F8E4M3},
    {"float8_e5m2", CLINIT_F8E5M2},
    {NULL, 0}};
#undef CLINIT_DTYPE_NAME_

static int lookup(const name_entry *t, const char *name, size_t len, int *out)
{
    for (; t->name; t++) {
        if (strlen(t->name) == len && memcmp(t->name, name, len) == 0) {
            *out = t->value;
            return 1;
        }
    }
    return 0;
}

static const char *reverse(const name_entry *t, int value)
{
    for (; t->name; t++)
        if (t->value == value)
            return t->name;
    return NULL;
}

clinit_status clinit_method_from_name(const char *name, clinit_method *out)
{
    int v;
    size_t len;
    if (!name || !out)
        return CLINIT_ENULL;
    len = strlen(name);
    if (len > 0 && name[len - 1] == '_') /* torch's in-place spelling */
        len--;
    if (!lookup(methods, name, len, &v))
        return CLINIT_EMETHOD;
    *out = (clinit_method)v;
    return CLINIT_OK;
}

const char *clinit_method_name(clinit_method m)
{
    return reverse(methods, (int)m);
}

clinit_status clinit_mode_from_name(const char *name, clinit_mode *out)
{
    int v;
    if (!name || !out)
        return CLINIT_ENULL;
    if (!lookup(modes, name, strlen(name), &v))
        return CLINIT_EMODE;
    *out = (clinit_mode)v;
    return CLINIT_OK;
}

const char *clinit_mode_name(clinit_mode m)
{
    return reverse(modes, (int)m);
}

clinit_status clinit_nonlinearity_from_name(const char *name,
                                            clinit_nonlinearity *out)
{
    int v;
    if (!name || !out)
        return CLINIT_ENULL;
    if (!lookup(nonlinearities, name, strlen(name), &v))
        return CLINIT_ENONLINEARITY;
    *out = (clinit_nonlinearity)v;
    return CLINIT_OK;
}

const char *clinit_nonlinearity_name(clinit_nonlinearity nl)
{
    return reverse(nonlinearities, (int)nl);
}

clinit_status clinit_dtype_from_name(const char *name, clinit_dtype *out)
{
    int v;
    if (!name || !out)
        return CLINIT_ENULL;
    if (!lookup(dtypes, name, strlen(name), &v))
        return CLINIT_EDTYPE;
    *out = (clinit_dtype)v;
    return CLINIT_OK;
}

clinit_status clinit_distribution_from_name(const char *name,
                                            clinit_distribution *out)
{
    int v;
    if (!name || !out)
        return CLINIT_ENULL;
    if (!lookup(distributions, name, strlen(name), &v))
        return CLINIT_EDISTRIBUTION;
    *out = (clinit_distribution)v;
    return CLINIT_OK;
}

const char *clinit_distribution_name(clinit_distribution d)
{
    return reverse(distributions, (int)d);
}

const char *clinit_dtype_name(clinit_dtype d)
{
    return reverse(dtypes, (int)d);
}

size_t clinit_dtype_size(clinit_dtype d)
{
#define CLINIT_DTYPE_SIZE_(name, value, str, bytes) bytes,
    static const unsigned char sizes[] = {CLINIT_DTYPE_MAP(CLINIT_DTYPE_SIZE_)};
#undef CLINIT_DTYPE_SIZE_
    return (unsigned)d < (unsigned)CLINIT_DTYPE_COUNT ? sizes[d] : 0;
}

/* ---- parameters ---------------------------------------------------------- */

const char *clinit_param_name(unsigned k)
{
#define CLINIT_PARAM_NAME_(k, name) #name,
    static const char *const names[CLINIT_PARAM_COUNT] = {
        CLINIT_PARAM_MAP(CLINIT_PARAM_NAME_)};
#undef CLINIT_PARAM_NAME_
    return k < CLINIT_PARAM_COUNT ? names[k] : NULL;
}

/* k for a parameter name the method takes, else CLINIT_PARAM_COUNT */
static unsigned param_of(const clinit_init *init, const char *key)
{
    unsigned k;
    for (k = 0; k < CLINIT_PARAM_COUNT; k++)
        if (strcmp(key, clinit_param_name(k)) == 0)
            break;
    if (k < CLINIT_PARAM_COUNT &&
        !(clinit_method_params(init->method) & (1u << k)))
        k = CLINIT_PARAM_COUNT;
    return k;
}

clinit_status clinit_init_get(const clinit_init *init, const char *key,
                              char *buf, size_t cap)
{
    const double f[] = {init ? init->a : 0,     init ? init->b : 0,
                        init ? init->mean : 0,  init ? init->std : 0,
                        init ? init->val : 0,   init ? init->gain : 0,
                        0,                      0,
                        init ? init->scale : 0, 0,
                        init ? init->sparsity : 0};
    const char *name;
    unsigned k;
    int n;
    if (!init || !key || !buf)
        return CLINIT_ENULL;
    if ((k = param_of(init, key)) == CLINIT_PARAM_COUNT)
        return CLINIT_EPARAMNAME;
    switch (1u << k) {
    case CLINIT_P_MODE:
        if (!(name = clinit_mode_name(init->mode)))
            return CLINIT_EMODE;
        n = snprintf(buf, cap, "%s", name);
        break;
    case CLINIT_P_NONLINEARITY:
        if (!(name = clinit_nonlinearity_name(init->nonlinearity)))
            return CLINIT_ENONLINEARITY;
        n = snprintf(buf, cap, "%s", name);
        break;
    case CLINIT_P_DISTRIBUTION:
        if (!(name = clinit_distribution_name(init->distribution)))
            return CLINIT_EDISTRIBUTION;
        n = snprintf(buf, cap, "%s", name);
        break;
    case CLINIT_P_GROUPS:
        n = snprintf(buf, cap, "%d", init->groups);
        break;
    default:
        n = snprintf(buf, cap, "%.17g", f[k]);
        break;
    }
    return n >= 0 && (size_t)n < cap ? CLINIT_OK : CLINIT_EOVERFLOW;
}

/* The whole text as a double (strtod), or 0; a finite text past the
 * double range is not a number either ("nan" and "inf" are, and are
 * clinit_resolve's to refuse). */
static int parse_number(const char *s, double *out)
{
    char *end;
    if (!*s || isspace((unsigned char)*s))
        return 0;
    errno = 0;
    *out = strtod(s, &end);
    return *end == '\0' && !(errno == ERANGE && fabs(*out) == HUGE_VAL);
}

clinit_status clinit_init_set(clinit_init *init, const char *key,
                              const char *value)
{
    clinit_init t;
    double x = 0;
    unsigned k;
    clinit_status st = CLINIT_OK;
    if (!init || !key || !value)
        return CLINIT_ENULL;
    if ((k = param_of(init, key)) == CLINIT_PARAM_COUNT)
        return CLINIT_EPARAMNAME;
    t = *init;
    switch (1u << k) {
    case CLINIT_P_MODE: /* kaiming_* has no fan_avg (torch) */
        st = clinit_mode_from_name(value, &t.mode);
        if (st == CLINIT_OK && t.mode == CLINIT_FAN_AVG &&
            init->method != CLINIT_VARIANCE_SCALING)
            st = CLINIT_EMODE;
        break;
    case CLINIT_P_NONLINEARITY:
        st = clinit_nonlinearity_from_name(value, &t.nonlinearity);
        break;
    case CLINIT_P_DISTRIBUTION:
        st = clinit_distribution_from_name(value, &t.distribution);
        break;
    case CLINIT_P_GROUPS:
        if (!parse_number(value, &x) || x != floor(x) || !(x >= 1) ||
            x > INT_MAX)
            return CLINIT_EPARAM;
        t.groups = (int)x;
        break;
    default: {
        double *f[] = {&t.a, &t.b, &t.mean, &t.std, &t.val, &t.gain,
                       NULL, NULL, &t.scale, NULL, &t.sparsity};
        if (!parse_number(value, &x))
            return CLINIT_EPARAM;
        *f[k] = x;
        break;
    }
    }
    if (st == CLINIT_OK)
        *init = t;
    return st;
}
