/* model.c - JSON model specs expanded into named tensors (clinit_model.h;
 * the format is docs/MODEL.md). cJSON does the JSON; everything here is
 * validation, with one "PATH: PROBLEM" line for the first problem found.
 *
 * Hostile input is bounded before cJSON sees it (NUL bytes, nesting
 * depth), and afterwards by the limits in clinit_model.h: every layer
 * emits at least one tensor, so the tensor cap also bounds the work that
 * repeats can ask for. */
#include "clinit_model.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

/* Largest integer that every JSON number parser carries exactly, and
 * that no larger input rounds down to (2^53 - 1). */
#define JSON_INT_MAX 9007199254740991.0
#define MAX_LAYER_NAME 256
#define PATH_CAP 512

/* ---- the model ------------------------------------------------------------
 */

typedef struct mtensor {
    char *name;
    const char *kind, *param;
    clinit_tensor t; /* seed unset: the model's seed is applied on read */
    clinit_init init;
    uint64_t numel;
} mtensor;

struct clinit_model {
    char *name;
    uint64_t seed;
    mtensor *ts;
    size_t n, cap;
    uint64_t numel;
};

/* ---- layer kinds, rules, method parameters --------------------------------
 */

enum kind_id {
    K_LINEAR,
    K_CONV1D,
    K_CONV2D,
    K_CONV3D,
    K_CONVT1D,
    K_CONVT2D,
    K_CONVT3D,
    K_EMBEDDING,
    K_LAYER_NORM,
    K_BATCH_NORM,
    K_TENSOR,
    K_REPEAT,
    K_COUNT_,
    K_CONV_GROUP = K_COUNT_, /* rule key "conv.*": every conv kind */
    K_RULES_
};

static const char *const kind_names[K_RULES_] = {"linear",
                                                 "conv1d",
                                                 "conv2d",
                                                 "conv3d",
                                                 "conv_transpose1d",
                                                 "conv_transpose2d",
                                                 "conv_transpose3d",
                                                 "embedding",
                                                 "layer_norm",
                                                 "batch_norm",
                                                 "tensor",
                                                 "repeat",
                                                 "conv"};

enum { P_WEIGHT, P_BIAS, P_COUNT_ };
static const char *const param_names[P_COUNT_] = {"weight", "bias"};

static int is_conv(int k)
{
    return k >= K_CONV1D && k <= K_CONVT3D;
}
static int is_convt(int k)
{
    return k >= K_CONVT1D && k <= K_CONVT3D;
}
static int conv_dims(int k)
{
    return is_convt(k) ? k - K_CONVT1D + 1 : k - K_CONV1D + 1;
}
static int kind_has_bias(int k)
{
    return k != K_EMBEDDING && k != K_TENSOR && k != K_REPEAT;
}

/* Rule sets (clinit_rule_set, step 4 of docs/MODEL.md §4): per kind with
 * parameters and per parameter, the init as a canonical-text method
 * ("METHOD KEY=VALUE ...", read by rule_text through clinit_init_set) or a
 * spec-only method (uniform_fan_in). NULL: the kind has no such tensor. */
#define CONV_RULES(w, b)                                                       \
    [K_CONV1D] = {w, b}, [K_CONV2D] = {w, b}, [K_CONV3D] = {w, b},             \
    [K_CONVT1D] = {w, b}, [K_CONVT2D] = {w, b}, [K_CONVT3D] = {w, b}
/* torch's kaiming_uniform_(weight, a=math.sqrt(5)) */
#define TORCH_WEIGHT                                                           \
    "kaiming_uniform a=2.2360679774997898 mode=fan_in nonlinearity=leaky_relu"

static const char *const set_rules[CLINIT_RULES_COUNT][K_TENSOR][P_COUNT_] = {
    /* the textbook _init_weights */
    [CLINIT_RULES_TEXTBOOK] =
        {
            [K_LINEAR] = {"xavier_uniform gain=1", "constant val=0.01"},
            CONV_RULES("kaiming_normal a=0 mode=fan_out nonlinearity=relu",
                       "zeros"),
            [K_EMBEDDING] = {"normal mean=0 std=0.02", NULL},
            [K_LAYER_NORM] = {"ones", "zeros"},
            [K_BATCH_NORM] = {"ones", "zeros"},
        },
    /* torch 1.13's reset_parameters of nn.Linear, nn.Conv*d and
     * nn.ConvTranspose*d (_ConvNd's), nn.Embedding (no padding_idx in
     * specs), nn.LayerNorm, nn.BatchNorm*d */
    [CLINIT_RULES_TORCH] =
        {
            [K_LINEAR] = {TORCH_WEIGHT, "uniform_fan_in"},
            CONV_RULES(TORCH_WEIGHT, "uniform_fan_in"),
            [K_EMBEDDING] = {"normal mean=0 std=1", NULL},
            [K_LAYER_NORM] = {"ones", "zeros"},
            [K_BATCH_NORM] = {"ones", "zeros"},
        },
};

static const char *const rule_set_names[CLINIT_RULES_COUNT] = {
    [CLINIT_RULES_TEXTBOOK] = "textbook", [CLINIT_RULES_TORCH] = "torch"};

#define MB(x) (1u << (x))

/* The parameters each method takes (CLINIT_P_* masks, names from
 * CLINIT_PARAM_MAP) and the ones it needs. */
static unsigned method_keys(clinit_method m)
{
    return clinit_method_params(m);
}

static unsigned method_required(clinit_method m)
{
    return m == CLINIT_CONSTANT ? CLINIT_P_VAL
           : m == CLINIT_SPARSE ? CLINIT_P_SPARSITY
                                : 0;
}

/* ", "-joined names of the set bits of mask, or "no parameters". */
static void key_list(unsigned mask, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (unsigned k = 0; k < CLINIT_PARAM_COUNT; k++)
        if (mask & MB(k)) {
            int w = snprintf(buf + n, cap - n, "%s%s", n ? ", " : "",
                             clinit_param_name(k));
            if (w < 0 || (size_t)w >= cap - n)
                return;
            n += (size_t)w;
        }
    if (n == 0)
        snprintf(buf, cap, "no parameters");
}

/* An init as a spec states it: a library method, or the spec-only
 * uniform_fan_in, torch's bias init U(+-1/sqrt(fan_in)) with the fan_in of
 * the layer's weight, which emit turns into a uniform once that shape is
 * known (no kernel knows of it). */
#define UNIFORM_FAN_IN "uniform_fan_in"
typedef struct sinit {
    clinit_init init;
    int fan_in_bound; /* uniform_fan_in */
    int wn;           /* the shape whose fan_in it takes: the layer's */
    const int64_t *w; /* weight (a tensor layer's own), set by the caller */
} sinit;

/* ---- parser state and errors --------------------------------------------- */

typedef struct rule {
    int set;
    sinit init;
    char origin[PATH_CAP];
} rule;

typedef struct pctx {
    clinit_model *m;
    char *err;
    size_t errlen;
    clinit_status st;
    rule rules[K_RULES_][P_COUNT_];
    clinit_rule_set rule_set;            /* the spec's, else the caller's */
    int set_ready;                       /* set_inits read */
    sinit set_inits[K_TENSOR][P_COUNT_]; /* set_rules[rule_set], read */
    size_t *set; /* open addressing: tensor index + 1, 0 = empty */
    size_t setcap;
    uint64_t bytes;
    size_t name_bytes;
} pctx;

static int perr(pctx *p, const char *path, const char *fmt, ...)
{
    if (p->st == CLINIT_OK) {
        p->st = CLINIT_EPARAM;
        if (p->err && p->errlen > 0) {
            va_list ap;
            int n = snprintf(p->err, p->errlen, "%s: ", path);
            if (n >= 0 && (size_t)n < p->errlen) {
                va_start(ap, fmt);
                vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
                va_end(ap);
            }
        }
    }
    return -1;
}

static int oom(pctx *p)
{
    if (p->st == CLINIT_OK) {
        p->st = CLINIT_ENOMEM;
        if (p->err && p->errlen > 0)
            snprintf(p->err, p->errlen, "out of memory");
    }
    return -1;
}

/* A user string made safe to print: at most 64 bytes, bytes outside
 * printable ASCII as '?', "..." when cut. */
static const char *safe(const char *s, char *buf, size_t cap)
{
    size_t i = 0, len = strlen(s), lim = cap - 4 < 64 ? cap - 4 : 64;
    for (; i < len && i < lim; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[i] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
    }
    if (i < len)
        memcpy(buf + i, "...", 4);
    else
        buf[i] = '\0';
    return buf;
}

/* The value as shown after "got": numbers shortest round-trip, strings
 * quoted, other types by name. */
static const char *show(const cJSON *v, char *buf, size_t cap)
{
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (isinf(d))
            snprintf(buf, cap, "%s",
                     d > 0 ? "a number too large" : "a number too small");
        else
            for (int prec = 1; prec <= 17; prec++) {
                snprintf(buf, cap, "%.*g", prec, d);
                if (strtod(buf, NULL) == d)
                    break;
            }
    } else if (cJSON_IsString(v)) {
        char tmp[80];
        snprintf(buf, cap, "'%s'", safe(v->valuestring, tmp, sizeof tmp));
    } else if (cJSON_IsBool(v)) {
        snprintf(buf, cap, "%s", cJSON_IsTrue(v) ? "true" : "false");
    } else if (cJSON_IsNull(v)) {
        snprintf(buf, cap, "null");
    } else if (cJSON_IsArray(v)) {
        snprintf(buf, cap, "an array");
    } else {
        snprintf(buf, cap, "an object");
    }
    return buf;
}

static void path_key(char *dst, const char *base, const char *key)
{
    char tmp[80];
    safe(key, tmp, sizeof tmp);
    if (*base)
        snprintf(dst, PATH_CAP, "%s.%s", base, tmp);
    else
        snprintf(dst, PATH_CAP, "%s", tmp);
}

static void path_index(char *dst, const char *base, size_t i)
{
    snprintf(dst, PATH_CAP, "%s[%zu]", base, i);
}

/* Every key of obj is one of allowed[0..n) (else "unknown key") and none
 * is repeated. `what` names the object in the message. */
static int check_keys(pctx *p, const cJSON *obj, const char *path,
                      const char *const *allowed, int n, const char *what)
{
    uint64_t seen = 0;
    for (const cJSON *c = obj->child; c; c = c->next) {
        char kp[PATH_CAP];
        int k = 0;
        path_key(kp, path, c->string ? c->string : "");
        while (k < n && strcmp(allowed[k], c->string ? c->string : "") != 0)
            k++;
        if (k == n) {
            char list[512];
            size_t len = 0;
            list[0] = '\0';
            for (int j = 0; j < n && len < sizeof list; j++) {
                int w = snprintf(list + len, sizeof list - len, "%s%s",
                                 j ? ", " : "", allowed[j]);
                if (w < 0)
                    break;
                len += (size_t)w;
            }
            return perr(p, kp, "unknown key for %s (expected %s)", what, list);
        }
        if (seen & ((uint64_t)1 << k))
            return perr(p, kp, "duplicate key");
        seen |= (uint64_t)1 << k;
    }
    return 0;
}

/* ---- typed values ----------------------------------------------------------
 */

/* An integral JSON number in [min, max] (max <= 2^53). */
static int get_uint(pctx *p, const cJSON *v, const char *path, uint64_t min,
                    uint64_t max, uint64_t *out)
{
    char got[64];
    const char *what =
        min >= 1 ? "a positive integer" : "a non-negative integer";
    double d;
    if (!cJSON_IsNumber(v))
        return perr(p, path, "must be %s (got %s)", what,
                    show(v, got, sizeof got));
    d = v->valuedouble;
    if (!(d >= (double)min) || d != floor(d) || isinf(d))
        return perr(p, path, "must be %s (got %s)", what,
                    show(v, got, sizeof got));
    if (d > (double)max)
        return perr(p, path, "must be at most %llu (got %s)",
                    (unsigned long long)max, show(v, got, sizeof got));
    *out = (uint64_t)d;
    return 0;
}

static int get_double(pctx *p, const cJSON *v, const char *path, double *out)
{
    char got[64];
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return perr(p, path, "must be a finite number (got %s)",
                    show(v, got, sizeof got));
    *out = v->valuedouble;
    return 0;
}

static int get_bool(pctx *p, const cJSON *v, const char *path, int *out)
{
    char got[64];
    if (!cJSON_IsBool(v))
        return perr(p, path, "must be true or false (got %s)",
                    show(v, got, sizeof got));
    *out = cJSON_IsTrue(v) ? 1 : 0;
    return 0;
}

static int get_string(pctx *p, const cJSON *v, const char *path,
                      const char **out)
{
    char got[64];
    if (!cJSON_IsString(v) || !v->valuestring)
        return perr(p, path, "must be a string (got %s)",
                    show(v, got, sizeof got));
    *out = v->valuestring;
    return 0;
}

static int get_dtype(pctx *p, const cJSON *v, const char *path,
                     clinit_dtype *out)
{
    const char *s = "";
    char tmp[80];
    if (get_string(p, v, path, &s))
        return -1;
    if (clinit_dtype_from_name(s, out) != CLINIT_OK)
        return perr(p, path,
                    "unknown dtype '%s' (expected f32, f16, bf16 or f64)",
                    safe(s, tmp, sizeof tmp));
    return 0;
}

/* A positive dimension (<= 2^53). */
static int get_dim(pctx *p, const cJSON *obj, const char *key, const char *path,
                   int64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    char kp[PATH_CAP];
    uint64_t u = 0;
    if (!v)
        return perr(p, path, "missing key '%s'", key);
    path_key(kp, path, key);
    if (get_uint(p, v, kp, 1, (uint64_t)JSON_INT_MAX, &u))
        return -1;
    *out = (int64_t)u;
    return 0;
}

/* A positive integer or a list of 1..max of them ("kernel", layer_norm's
 * "dim", "shape"). exact > 0: an int is repeated exact times and a list
 * must have exactly that length. Returns the count, -1 on error. */
static int get_dims(pctx *p, const cJSON *v, const char *path, int exact,
                    int max, int allow_int, int64_t *out)
{
    char got[64], msg[96];
    int n = 0;
    if (exact > 0)
        snprintf(msg, sizeof msg,
                 "a positive integer or a list of %d positive integers", exact);
    else
        snprintf(msg, sizeof msg, "%sa list of 1 to %d positive integers",
                 allow_int ? "a positive integer or " : "", max);
    if (allow_int && cJSON_IsNumber(v)) {
        uint64_t u = 0;
        if (get_uint(p, v, path, 1, (uint64_t)JSON_INT_MAX, &u))
            return -1;
        for (n = 0; n < (exact > 0 ? exact : 1); n++)
            out[n] = (int64_t)u;
        return n;
    }
    if (!cJSON_IsArray(v))
        return perr(p, path, "must be %s (got %s)", msg,
                    show(v, got, sizeof got));
    {
        int len = cJSON_GetArraySize(v);
        if (len == 0 || len > max || (exact > 0 && len != exact))
            return perr(p, path, "must be %s (got a list of %d)", msg, len);
    }
    for (const cJSON *c = v->child; c; c = c->next) {
        char ip[PATH_CAP];
        uint64_t u = 0;
        path_index(ip, path, (size_t)n);
        if (get_uint(p, c, ip, 1, (uint64_t)JSON_INT_MAX, &u))
            return -1;
        out[n++] = (int64_t)u;
    }
    return n;
}

/* What is wrong with s as text written to the safetensors header, or
 * NULL: it must be valid UTF-8 without control characters (C0, DEL, C1;
 * escaped or raw), and without spaces unless allow_space. */
static const char *bad_text(const char *s, int allow_space)
{
    const unsigned char *u = (const unsigned char *)s;
    while (*u) {
        uint32_t cp;
        size_t n = clinit_utf8_len(u, &cp);
        if (n == 0)
            return "is not valid UTF-8";
        if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
            return "holds a control character";
        if (cp == ' ' && !allow_space)
            return "holds a space";
        u += n;
    }
    return NULL;
}

/* Names: non-empty, valid UTF-8, no spaces or control characters (they
 * are keys of the safetensors header and words of the canonical text). */
static int check_name(pctx *p, const char *s, const char *path, size_t max)
{
    size_t len = strlen(s);
    const char *why;
    if (len == 0 || len > max)
        return perr(p, path, "must be a name of 1 to %zu bytes", max);
    if ((why = bad_text(s, 0)) != NULL)
        return perr(p, path,
                    "must be a name of valid UTF-8 without spaces or control "
                    "characters (this one %s)",
                    why);
    return 0;
}

/* ---- method objects -------------------------------------------------------
 */

/* Parameter k of the method in *out from the JSON value c: a number, or a
 * name for mode, nonlinearity and distribution, through clinit_init_set
 * (the one parser of parameter values, shared with the clinit command). */
static int parse_param(pctx *p, const cJSON *c, const char *kp, unsigned k,
                       clinit_init *out)
{
    unsigned bit = MB(k);
    const char *m = clinit_method_name(out->method), *s = "";
    char text[40], tmp[80];
    clinit_status st;
    if (bit & (CLINIT_P_MODE | CLINIT_P_NONLINEARITY | CLINIT_P_DISTRIBUTION)) {
        if (get_string(p, c, kp, &s))
            return -1;
    } else if (bit == CLINIT_P_GROUPS) {
        uint64_t g = 0;
        if (get_uint(p, c, kp, 1, 2147483647u, &g))
            return -1;
        snprintf(text, sizeof text, "%llu", (unsigned long long)g);
        s = text;
    } else {
        double x = 0;
        if (get_double(p, c, kp, &x))
            return -1;
        snprintf(text, sizeof text, "%.17g", x); /* exact round trip */
        s = text;
    }
    if ((st = clinit_init_set(out, clinit_param_name(k), s)) == CLINIT_OK)
        return 0;
    if (st == CLINIT_EMODE)
        return perr(p, kp, "unknown mode '%s' for %s (expected %s)",
                    safe(s, tmp, sizeof tmp), m,
                    out->method == CLINIT_VARIANCE_SCALING
                        ? "fan_in, fan_out or fan_avg"
                        : "fan_in or fan_out");
    if (st == CLINIT_ENONLINEARITY)
        return perr(p, kp, "unknown nonlinearity '%s'",
                    safe(s, tmp, sizeof tmp));
    if (st == CLINIT_EDISTRIBUTION)
        return perr(p, kp,
                    "unknown distribution '%s' (expected truncated_normal, "
                    "untruncated_normal or uniform)",
                    safe(s, tmp, sizeof tmp));
    return perr(p, kp, "%s", clinit_strerror(st));
}

/* Reads "method" and its parameters from obj into *out (its shape fields
 * are the caller's). Keys in skip[] are the caller's (already checked);
 * any other key must be a parameter the method takes. uniform_fan_in
 * takes none. */
static int parse_method(pctx *p, const cJSON *obj, const char *path,
                        const char *const *skip, int nskip, sinit *out)
{
    const cJSON *mv = cJSON_GetObjectItemCaseSensitive(obj, "method");
    char kp[PATH_CAP], tmp[80], list[160];
    const char *ms = "", *mname;
    clinit_method m = CLINIT_UNIFORM;
    unsigned seen = 0, takes, missing;

    if (!mv)
        return perr(p, path, "missing key 'method'");
    path_key(kp, path, "method");
    if (get_string(p, mv, kp, &ms))
        return -1;
    memset(out, 0, sizeof *out);
    out->fan_in_bound = strcmp(ms, UNIFORM_FAN_IN) == 0;
    if (!out->fan_in_bound && clinit_method_from_name(ms, &m) != CLINIT_OK)
        return perr(p, kp, "unknown method '%s'", safe(ms, tmp, sizeof tmp));
    clinit_init_default(&out->init, m);
    mname = out->fan_in_bound ? UNIFORM_FAN_IN : clinit_method_name(m);
    takes = out->fan_in_bound ? 0 : method_keys(m);
    key_list(takes, list, sizeof list);
    for (const cJSON *c = obj->child; c; c = c->next) {
        const char *key = c->string ? c->string : "";
        unsigned k = 0;
        int skipped = strcmp(key, "method") == 0;
        for (int j = 0; j < nskip && !skipped; j++)
            skipped = strcmp(key, skip[j]) == 0;
        if (skipped) {
            if (nskip == 0 && c != mv) {
                path_key(kp, path, "method");
                return perr(p, kp, "duplicate key");
            }
            continue;
        }
        path_key(kp, path, key);
        while (k < CLINIT_PARAM_COUNT && strcmp(clinit_param_name(k), key) != 0)
            k++;
        if (k == CLINIT_PARAM_COUNT)
            return perr(p, kp, "unknown key (method %s takes %s)", mname, list);
        if (!(takes & MB(k)))
            return perr(p, kp, "does not apply to method %s (it takes %s)",
                        mname, list);
        if (seen & MB(k))
            return perr(p, kp, "duplicate key");
        seen |= MB(k);
        if (parse_param(p, c, kp, k, &out->init))
            return -1;
    }
    missing = out->fan_in_bound ? 0 : method_required(m) & ~seen;
    for (unsigned k = 0; k < CLINIT_PARAM_COUNT; k++)
        if (missing & MB(k))
            return perr(p, path, "method %s needs '%s'", mname,
                        clinit_param_name(k));
    return 0;
}

/* An init object: {"method": ..., params...}. */
static int parse_init_obj(pctx *p, const cJSON *obj, const char *path,
                          sinit *out)
{
    char got[64];
    if (!cJSON_IsObject(obj))
        return perr(p, path, "must be an object with a 'method' (got %s)",
                    show(obj, got, sizeof got));
    return parse_method(p, obj, path, NULL, 0, out);
}

/* ---- rules ------------------------------------------------------------------
 */

/* A rule set's name: the value of "rules", or of its "base". */
static int parse_rule_set(pctx *p, const cJSON *v, const char *path)
{
    char got[64], tmp[80];
    if (!cJSON_IsString(v) || !v->valuestring)
        return perr(p, path,
                    "must be a rule set name: textbook or torch (got %s)",
                    show(v, got, sizeof got));
    if (clinit_rule_set_from_name(v->valuestring, &p->rule_set) != CLINIT_OK)
        return perr(p, path,
                    "unknown rule set '%s' (expected textbook or torch)",
                    safe(v->valuestring, tmp, sizeof tmp));
    return 0;
}

/* "rules": a rule set's name, or an object of an optional "base" (a rule
 * set) and KIND.PARAM rules. */
static int parse_rules(pctx *p, const cJSON *rules)
{
    char got[64];
    int base = 0;
    if (cJSON_IsString(rules))
        return parse_rule_set(p, rules, "rules");
    if (!cJSON_IsObject(rules))
        return perr(p, "rules",
                    "must be a rule set name (textbook or torch) or an object "
                    "(got %s)",
                    show(rules, got, sizeof got));
    for (const cJSON *c = rules->child; c; c = c->next) {
        const char *key = c->string ? c->string : "", *dot = strrchr(key, '.');
        char rp[PATH_CAP], tmp[80];
        int k = 0, prm = 0;
        if (strcmp(key, "base") == 0) {
            if (base++)
                return perr(p, "rules.base", "duplicate key");
            if (parse_rule_set(p, c, "rules.base"))
                return -1;
            continue;
        }
        snprintf(rp, sizeof rp, "rules[\"%s\"]", safe(key, tmp, sizeof tmp));
        if (dot) {
            while (k < K_RULES_ &&
                   !(strlen(kind_names[k]) == (size_t)(dot - key) &&
                     memcmp(kind_names[k], key, (size_t)(dot - key)) == 0))
                k++;
            while (prm < P_COUNT_ && strcmp(param_names[prm], dot + 1) != 0)
                prm++;
        }
        if (!dot || k == K_RULES_ || k == K_TENSOR || k == K_REPEAT ||
            prm == P_COUNT_ || (prm == P_BIAS && !kind_has_bias(k)))
            return perr(p, rp,
                        "unknown rule (expected base, KIND.weight or KIND.bias "
                        "for KIND linear, conv, conv1d, conv2d, conv3d, "
                        "conv_transpose1d, conv_transpose2d, conv_transpose3d, "
                        "layer_norm, batch_norm; embedding.weight)");
        if (p->rules[k][prm].set)
            return perr(p, rp, "duplicate key");
        if (parse_init_obj(p, c, rp, &p->rules[k][prm].init))
            return -1;
        p->rules[k][prm].set = 1;
        snprintf(p->rules[k][prm].origin, PATH_CAP, "%s", rp);
    }
    return 0;
}

/* ---- tensors ----------------------------------------------------------------
 */

static int name_insert(pctx *p, size_t idx)
{
    clinit_model *m = p->m;
    if ((m->n + 1) * 2 > p->setcap) {
        size_t ncap = p->setcap ? p->setcap * 2 : 256;
        size_t *ns = calloc(ncap, sizeof *ns);
        if (!ns)
            return oom(p);
        for (size_t i = 0; i < p->setcap; i++)
            if (p->set[i]) {
                size_t h = (size_t)m->ts[p->set[i] - 1].t.stream & (ncap - 1);
                while (ns[h])
                    h = (h + 1) & (ncap - 1);
                ns[h] = p->set[i];
            }
        free(p->set);
        p->set = ns;
        p->setcap = ncap;
    }
    {
        size_t h = (size_t)m->ts[idx].t.stream & (p->setcap - 1);
        while (p->set[h]) {
            if (strcmp(m->ts[p->set[h] - 1].name, m->ts[idx].name) == 0)
                return 1;
            h = (h + 1) & (p->setcap - 1);
        }
        p->set[h] = idx + 1;
    }
    return 0;
}

static void shape_text(const clinit_tensor *t, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int d = 0; d < t->ndim && n < cap; d++) {
        int w = snprintf(buf + n, cap - n, "%s%lld", d ? "," : "[",
                         (long long)t->shape[d]);
        if (w < 0)
            return;
        n += (size_t)w;
    }
    if (n < cap)
        snprintf(buf + n, cap - n, "]");
}

/* The init si stands for on tensor t, into *out: uniform_fan_in becomes
 * torch's bias bound, uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) with
 * math.sqrt's (IEEE) rounding, from si's shape. Every dimension is >= 1,
 * so fan_in >= 1: torch's bound 0 for fan_in 0 cannot arise. */
static int expand_init(pctx *p, const sinit *si, const mtensor *t,
                       const char *origin, clinit_init *out)
{
    uint64_t fan_in, fan_out;
    char tmp[80], sh[256], wsh[256];
    clinit_tensor w;
    *out = si->init;
    if (!si->fan_in_bound)
        return 0;
    memset(&w, 0, sizeof w);
    w.ndim = si->wn;
    memcpy(w.shape, si->w, (size_t)si->wn * sizeof *si->w);
    if (clinit_fans(w.ndim, w.shape, &fan_in, &fan_out) != CLINIT_OK) {
        shape_text(&t->t, sh, sizeof sh);
        shape_text(&w, wsh, sizeof wsh);
        return perr(
            p, origin,
            UNIFORM_FAN_IN " cannot initialize '%s' %s %s: %s %s has "
                           "no fan_in (fewer than 2 dimensions)",
            safe(t->name, tmp, sizeof tmp), sh, clinit_dtype_name(t->t.dtype),
            t->param && strcmp(t->param, "bias") == 0 ? "the layer's weight"
                                                      : "the tensor",
            wsh);
    }
    out->a = -(1.0 / sqrt((double)fan_in));
    out->b = 1.0 / sqrt((double)fan_in);
    return 0;
}

/* Appends tensor prefix+lname[.param] with `shape`. `path` is the layer's
 * path (name errors go to path.name), `origin` the path of the init's
 * rule, layer init or layer (for method errors). */
static int emit(pctx *p, const char *path, const char *prefix,
                const char *lname, int kind, int param, clinit_dtype dt,
                int ndim, const int64_t *shape, const sinit *si,
                const char *origin)
{
    clinit_model *m = p->m;
    char np[PATH_CAP], tmp[80], sh[256];
    size_t plen = strlen(prefix), llen = strlen(lname), len;
    const char *pn = param >= 0 ? param_names[param] : NULL;
    mtensor *t;
    clinit_resolved r;
    clinit_status st;
    uint64_t es;

    path_key(np, path, "name");
    len = plen + llen + (pn ? 1 + strlen(pn) : 0);
    if (len > CLINIT_MODEL_MAX_NAME)
        return perr(p, np, "tensor name longer than %d bytes",
                    CLINIT_MODEL_MAX_NAME);
    if (m->n >= CLINIT_MODEL_MAX_TENSORS)
        return perr(p, path, "the model has more than %d tensors",
                    CLINIT_MODEL_MAX_TENSORS);
    if (p->name_bytes + len + 1 > CLINIT_MODEL_MAX_NAME_BYTES)
        return perr(p, path, "the tensor names take more than %lu bytes",
                    (unsigned long)CLINIT_MODEL_MAX_NAME_BYTES);
    p->name_bytes += len + 1;
    if (m->n == m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 64;
        mtensor *nt = realloc(m->ts, ncap * sizeof *nt);
        if (!nt)
            return oom(p);
        m->ts = nt;
        m->cap = ncap;
    }
    t = &m->ts[m->n];
    memset(t, 0, sizeof *t);
    if (!(t->name = malloc(len + 1)))
        return oom(p);
    memcpy(t->name, prefix, plen);
    memcpy(t->name + plen, lname, llen);
    if (pn) {
        t->name[plen + llen] = '.';
        memcpy(t->name + plen + llen + 1, pn, strlen(pn));
    }
    t->name[len] = '\0';
    t->t.stream = clinit_stream_of(t->name); /* also the set's hash */
    m->n++; /* owned from here on (freed with the model) */
    if (strcmp(t->name, "__metadata__") == 0)
        return perr(p, np, "tensor name '__metadata__' is reserved");
    {
        int dup = name_insert(p, m->n - 1);
        if (dup < 0)
            return -1;
        if (dup)
            return perr(p, np, "duplicate tensor name '%s'",
                        safe(t->name, tmp, sizeof tmp));
    }
    t->kind = kind_names[kind];
    t->param = pn;
    t->t.dtype = dt;
    t->t.ndim = ndim;
    memcpy(t->t.shape, shape, (size_t)ndim * sizeof *shape);
    shape_text(&t->t, sh, sizeof sh);
    if ((st = clinit_numel(&t->t, &t->numel)) != CLINIT_OK)
        return perr(p, path, "tensor '%s' %s has more than 2^56 elements",
                    safe(t->name, tmp, sizeof tmp), sh);
    if (expand_init(p, si, t, origin, &t->init))
        return -1;
    if (t->init.method == CLINIT_ORTHOGONAL &&
        clinit_ortho_check(&t->t) == CLINIT_EORTHOSIZE)
        return perr(p, origin, "orthogonal cannot initialize '%s' %s: %s",
                    safe(t->name, tmp, sizeof tmp), sh,
                    clinit_strerror(CLINIT_EORTHOSIZE));
    if ((st = clinit_resolve(&t->t, &t->init, &r)) != CLINIT_OK)
        return perr(p, origin, "%s cannot initialize '%s' %s %s: %s",
                    si->fan_in_bound ? UNIFORM_FAN_IN
                                     : clinit_method_name(t->init.method),
                    safe(t->name, tmp, sizeof tmp), sh, clinit_dtype_name(dt),
                    clinit_strerror(st));
    es = clinit_dtype_size(dt);
    if (m->numel > UINT64_MAX - t->numel || t->numel > UINT64_MAX / es ||
        p->bytes > UINT64_MAX - t->numel * es)
        return perr(p, path, "the model's total size overflows 64 bits");
    m->numel += t->numel;
    p->bytes += t->numel * es;
    return 0;
}

/* Reads a set_rules text, "METHOD KEY=VALUE ..." (or uniform_fan_in),
 * into *out. The table is constant: failing is a bug in it. */
static int rule_text(const char *text, sinit *out)
{
    char word[96];
    size_t n = strcspn(text, " ");
    clinit_method m;
    memset(out, 0, sizeof *out);
    if (n >= sizeof word)
        return -1;
    memcpy(word, text, n);
    word[n] = '\0';
    out->fan_in_bound = strcmp(word, UNIFORM_FAN_IN) == 0;
    if (out->fan_in_bound)
        m = CLINIT_UNIFORM;
    else if (clinit_method_from_name(word, &m) != CLINIT_OK)
        return -1;
    clinit_init_default(&out->init, m);
    for (text += n; *text == ' '; text += n) {
        const char *eq;
        n = strcspn(++text, " ");
        if (n >= sizeof word || !(eq = memchr(text, '=', n)))
            return -1;
        memcpy(word, text, n);
        word[n] = '\0';
        word[eq - text] = '\0';
        if (clinit_init_set(&out->init, word, word + (eq - text) + 1) !=
            CLINIT_OK)
            return -1;
    }
    return 0;
}

/* The rule set's init of (kind, param); the set is read once per parse,
 * after the spec's "rules" chose it. */
static int set_init(pctx *p, int kind, int param, sinit *out)
{
    if (!p->set_ready) {
        for (int k = 0; k < K_TENSOR; k++)
            for (int prm = 0; prm < P_COUNT_; prm++) {
                const char *text = set_rules[p->rule_set][k][prm];
                if (text && rule_text(text, &p->set_inits[k][prm]))
                    return perr(p, "rules",
                                "internal error: rule set %s: "
                                "bad rule '%s'",
                                rule_set_names[p->rule_set], text);
            }
        p->set_ready = 1;
    }
    *out = p->set_inits[kind][param];
    return 0;
}

/* The init of (kind, param): the layer's own "init", else the spec's rule
 * for the kind, else its "conv" rule, else the rule set's. Its fan_in
 * shape (uniform_fan_in) is the layer's weight w[0..wn). */
static int pick_init(pctx *p, const cJSON *layer_init, const char *path,
                     int kind, int param, int wn, const int64_t *w, sinit *out,
                     char *origin)
{
    const cJSON *li =
        layer_init
            ? cJSON_GetObjectItemCaseSensitive(layer_init, param_names[param])
            : NULL;
    if (li) {
        char ip[PATH_CAP];
        path_key(ip, path, "init");
        path_key(origin, ip, param_names[param]);
        if (parse_init_obj(p, li, origin, out))
            return -1;
    } else if (p->rules[kind][param].set) {
        *out = p->rules[kind][param].init;
        snprintf(origin, PATH_CAP, "%s", p->rules[kind][param].origin);
    } else if (is_conv(kind) && p->rules[K_CONV_GROUP][param].set) {
        *out = p->rules[K_CONV_GROUP][param].init;
        snprintf(origin, PATH_CAP, "%s", p->rules[K_CONV_GROUP][param].origin);
    } else {
        if (set_init(p, kind, param, out))
            return -1;
        snprintf(origin, PATH_CAP, "%s", path);
    }
    out->wn = wn;
    out->w = w;
    return 0;
}

/* ---- layers
 * ------------------------------------------------------------------ */

static int parse_layers(pctx *p, const cJSON *arr, const char *path,
                        const char *prefix, clinit_dtype dt, int depth);

/* ---- layer kinds: one row each ------------------------------------------ */

static const char *const keys_linear[] = {"kind",    "name", "dtype", "init",
                                          "comment", "in",   "out",   "bias"};
static const char *const keys_conv[] = {"kind",    "name",  "dtype", "init",
                                        "comment", "in",    "out",   "bias",
                                        "kernel",  "groups"};
static const char *const keys_embedding[] = {"kind",    "name", "dtype", "init",
                                             "comment", "num",  "dim"};
static const char *const keys_layer_norm[] = {
    "kind", "name", "dtype", "init", "comment", "dim", "bias"};
static const char *const keys_batch_norm[] = {"kind", "name",    "dtype",
                                              "init", "comment", "dim"};
static const char *const keys_repeat[] = {"kind",    "name",  "dtype",
                                          "comment", "count", "layers"};
/* kind "tensor": its own keys, then every method parameter */
static const char *const keys_tensor[] = {
    "kind",         "name",     "dtype", "comment",      "shape",
    "method",       "a",        "b",     "mean",         "std",
    "val",          "gain",     "mode",  "nonlinearity", "scale",
    "distribution", "sparsity", "groups"};
#define NKEYS(a) ((int)(sizeof a / sizeof a[0]))

/* A layer's tensors: the weight's shape (w, *wn dims) and the bias's (b,
 * *bn dims), read from the layer object l. */
typedef int (*shapes_fn)(pctx *p, const cJSON *l, const char *path, int kind,
                         int64_t *w, int *wn, int64_t *b, int *bn);

static int shapes_linear(pctx *p, const cJSON *l, const char *path, int kind,
                         int64_t *w, int *wn, int64_t *b, int *bn)
{
    (void)kind;
    if (get_dim(p, l, "in", path, &w[1]) || get_dim(p, l, "out", path, &w[0]))
        return -1;
    b[0] = w[0]; /* torch: [out, in], bias [out] */
    *wn = 2;
    *bn = 1;
    return 0;
}

static int shapes_embedding(pctx *p, const cJSON *l, const char *path,
                            int kind, int64_t *w, int *wn, int64_t *b, int *bn)
{
    (void)kind;
    (void)b;
    *wn = 2;
    *bn = 0;
    return get_dim(p, l, "num", path, &w[0]) ||
                   get_dim(p, l, "dim", path, &w[1])
               ? -1
               : 0;
}

static int shapes_batch_norm(pctx *p, const cJSON *l, const char *path,
                             int kind, int64_t *w, int *wn, int64_t *b, int *bn)
{
    (void)kind;
    if (get_dim(p, l, "dim", path, &w[0]))
        return -1;
    b[0] = w[0];
    *wn = *bn = 1;
    return 0;
}

static int shapes_layer_norm(pctx *p, const cJSON *l, const char *path,
                             int kind, int64_t *w, int *wn, int64_t *b, int *bn)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(l, "dim");
    char kp[PATH_CAP];
    (void)kind;
    if (!v)
        return perr(p, path, "missing key 'dim'");
    path_key(kp, path, "dim");
    if ((*wn = get_dims(p, v, kp, 0, CLINIT_MAX_DIMS, 1, w)) < 0)
        return -1;
    memcpy(b, w, (size_t)*wn * sizeof *w); /* the bias has the weight's shape */
    *bn = *wn;
    return 0;
}

static int shapes_conv(pctx *p, const cJSON *l, const char *path, int kind,
                       int64_t *w, int *wn, int64_t *b, int *bn)
{
    const cJSON *v;
    char kp[PATH_CAP];
    int nk = conv_dims(kind);
    int64_t in = 0, out = 0, k[3];
    uint64_t groups = 1;
    if (get_dim(p, l, "in", path, &in) || get_dim(p, l, "out", path, &out))
        return -1;
    if (!(v = cJSON_GetObjectItemCaseSensitive(l, "kernel")))
        return perr(p, path, "missing key 'kernel'");
    path_key(kp, path, "kernel");
    if (get_dims(p, v, kp, nk, nk, 1, k) < 0)
        return -1;
    if ((v = cJSON_GetObjectItemCaseSensitive(l, "groups"))) {
        path_key(kp, path, "groups");
        if (get_uint(p, v, kp, 1, (uint64_t)JSON_INT_MAX, &groups))
            return -1;
        if ((uint64_t)in % groups || (uint64_t)out % groups)
            return perr(p, kp, "must divide in (%lld) and out (%lld)",
                        (long long)in, (long long)out);
    }
    /* torch: conv [out, in/groups, k...]; transposed [in, out/groups, k...] */
    w[0] = is_convt(kind) ? in : out;
    w[1] = (is_convt(kind) ? out : in) / (int64_t)groups;
    for (int d = 0; d < nk; d++)
        w[2 + d] = k[d];
    *wn = 2 + nk;
    b[0] = out;
    *bn = 1;
    return 0;
}

/* Per kind (enum kind_id order): its keys and its tensors' shapes (NULL:
 * tensor and repeat, parsed on their own). Names: kind_names; default
 * rules: set_rules. */
static const struct kind_row {
    const char *const *keys;
    int nkeys;
    shapes_fn shapes;
} kind_rows[K_COUNT_] = {
    [K_LINEAR] = {keys_linear, NKEYS(keys_linear), shapes_linear},
    [K_CONV1D] = {keys_conv, NKEYS(keys_conv), shapes_conv},
    [K_CONV2D] = {keys_conv, NKEYS(keys_conv), shapes_conv},
    [K_CONV3D] = {keys_conv, NKEYS(keys_conv), shapes_conv},
    [K_CONVT1D] = {keys_conv, NKEYS(keys_conv), shapes_conv},
    [K_CONVT2D] = {keys_conv, NKEYS(keys_conv), shapes_conv},
    [K_CONVT3D] = {keys_conv, NKEYS(keys_conv), shapes_conv},
    [K_EMBEDDING] = {keys_embedding, NKEYS(keys_embedding), shapes_embedding},
    [K_LAYER_NORM] = {keys_layer_norm, NKEYS(keys_layer_norm),
                      shapes_layer_norm},
    [K_BATCH_NORM] = {keys_batch_norm, NKEYS(keys_batch_norm),
                      shapes_batch_norm},
    [K_TENSOR] = {keys_tensor, NKEYS(keys_tensor), NULL},
    [K_REPEAT] = {keys_repeat, NKEYS(keys_repeat), NULL},
};

/* "kind": its row index, or -1 after the error. */
static int layer_kind(pctx *p, const cJSON *l, const char *path,
                      const char **ks)
{
    const cJSON *v;
    char kp[PATH_CAP], tmp[80], got[64], list[256];
    size_t n = 0;
    int kind = 0;
    if (!cJSON_IsObject(l))
        return perr(p, path, "must be a layer object (got %s)",
                    show(l, got, sizeof got));
    if (!(v = cJSON_GetObjectItemCaseSensitive(l, "kind")))
        return perr(p, path, "missing key 'kind'");
    path_key(kp, path, "kind");
    if (get_string(p, v, kp, ks))
        return -1;
    while (kind < K_COUNT_ && strcmp(kind_names[kind], *ks) != 0)
        kind++;
    if (kind < K_COUNT_)
        return check_keys(p, l, path, kind_rows[kind].keys,
                          kind_rows[kind].nkeys, *ks)
                   ? -1
                   : kind;
    list[0] = '\0';
    for (int k = 0; k < K_COUNT_; k++) {
        int w = snprintf(list + n, sizeof list - n, "%s%s",
                         k == 0             ? ""
                         : k == K_COUNT_ - 1 ? " or "
                                            : ", ",
                         kind_names[k]);
        n += w > 0 && (size_t)w < sizeof list - n ? (size_t)w : 0;
    }
    return perr(p, kp, "unknown layer kind '%s' (expected %s)",
                safe(*ks, tmp, sizeof tmp), list);
}

/* The keys every kind may have: name, comment, dtype, bias, init. */
static int layer_common(pctx *p, const cJSON *l, const char *path, int kind,
                        const char *ks, const char **name, clinit_dtype *dt,
                        int *has_bias, const cJSON **init)
{
    const cJSON *v;
    char kp[PATH_CAP], got[64];
    const char *s = "";
    if (!(v = cJSON_GetObjectItemCaseSensitive(l, "name")))
        return perr(p, path, "missing key 'name'");
    path_key(kp, path, "name");
    if (get_string(p, v, kp, name) || check_name(p, *name, kp, MAX_LAYER_NAME))
        return -1;
    path_key(kp, path, "comment");
    if ((v = cJSON_GetObjectItemCaseSensitive(l, "comment")) &&
        get_string(p, v, kp, &s))
        return -1;
    path_key(kp, path, "dtype");
    if ((v = cJSON_GetObjectItemCaseSensitive(l, "dtype")) &&
        get_dtype(p, v, kp, dt))
        return -1;
    *has_bias = kind_has_bias(kind);
    path_key(kp, path, "bias");
    if ((v = cJSON_GetObjectItemCaseSensitive(l, "bias")) &&
        get_bool(p, v, kp, has_bias))
        return -1;
    if (kind == K_EMBEDDING)
        *has_bias = 0; /* batch_norm: always weight and bias */
    if ((*init = cJSON_GetObjectItemCaseSensitive(l, "init"))) {
        const char *const ikeys[] = {"weight", "bias"};
        char what[64];
        path_key(kp, path, "init");
        if (!cJSON_IsObject(*init))
            return perr(p, kp, "must be an object with 'weight'%s (got %s)",
                        *has_bias ? " and/or 'bias'" : "",
                        show(*init, got, sizeof got));
        snprintf(what, sizeof what, "the init of %s%s", ks,
                 *has_bias ? "" : " without bias");
        if (check_keys(p, *init, kp, ikeys, *has_bias ? 2 : 1, what))
            return -1;
    }
    return 0;
}

/* kind "repeat": count copies of its layers, named prefix.name.i. */
static int parse_repeat(pctx *p, const cJSON *l, const char *path,
                        const char *prefix, const char *name, clinit_dtype dt,
                        int depth)
{
    const cJSON *v, *ls;
    char kp[PATH_CAP], *np;
    uint64_t count = 0;
    size_t plen = strlen(prefix), cap = plen + strlen(name) + 24;
    int rc = 0;
    if (depth >= CLINIT_MODEL_MAX_DEPTH)
        return perr(p, path, "repeats nested deeper than %d levels",
                    CLINIT_MODEL_MAX_DEPTH);
    if (!(v = cJSON_GetObjectItemCaseSensitive(l, "count")))
        return perr(p, path, "missing key 'count'");
    path_key(kp, path, "count");
    if (get_uint(p, v, kp, 1, CLINIT_MODEL_MAX_TENSORS, &count))
        return -1;
    if (!(ls = cJSON_GetObjectItemCaseSensitive(l, "layers")))
        return perr(p, path, "missing key 'layers'");
    path_key(kp, path, "layers");
    /* prefix + name + "." + index + "." */
    if (!(np = malloc(cap)))
        return oom(p);
    for (uint64_t i = 0; i < count && rc == 0; i++) {
        snprintf(np, cap, "%s%s.%llu.", prefix, name, (unsigned long long)i);
        rc = parse_layers(p, ls, kp, np, dt, depth + 1);
    }
    free(np);
    return rc;
}

static int parse_layer(pctx *p, const cJSON *l, const char *path,
                       const char *prefix, clinit_dtype dt, int depth)
{
    const cJSON *init = NULL;
    const char *ks = "", *name = "";
    int kind, has_bias = 0, wn = 0, bn = 0;
    int64_t w[CLINIT_MAX_DIMS], b[CLINIT_MAX_DIMS];
    sinit win, bin;
    char worigin[PATH_CAP], borigin[PATH_CAP];

    if ((kind = layer_kind(p, l, path, &ks)) < 0 ||
        layer_common(p, l, path, kind, ks, &name, &dt, &has_bias, &init))
        return -1;
    if (kind == K_REPEAT)
        return parse_repeat(p, l, path, prefix, name, dt, depth);
    if (kind == K_TENSOR) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(l, "shape");
        char kp[PATH_CAP];
        if (!v)
            return perr(p, path, "missing key 'shape'");
        path_key(kp, path, "shape");
        if ((wn = get_dims(p, v, kp, 0, CLINIT_MAX_DIMS, 0, w)) < 0 ||
            parse_method(p, l, path, keys_tensor, 5, &win))
            return -1;
        win.wn = wn; /* uniform_fan_in: its own fan_in */
        win.w = w;
        return emit(p, path, prefix, name, kind, -1, dt, wn, w, &win, path);
    }
    if (kind_rows[kind].shapes(p, l, path, kind, w, &wn, b, &bn) ||
        pick_init(p, init, path, kind, P_WEIGHT, wn, w, &win, worigin) ||
        emit(p, path, prefix, name, kind, P_WEIGHT, dt, wn, w, &win, worigin))
        return -1;
    if (has_bias && bn > 0 &&
        (pick_init(p, init, path, kind, P_BIAS, wn, w, &bin, borigin) ||
         emit(p, path, prefix, name, kind, P_BIAS, dt, bn, b, &bin, borigin)))
        return -1;
    return 0;
}

static int parse_layers(pctx *p, const cJSON *arr, const char *path,
                        const char *prefix, clinit_dtype dt, int depth)
{
    char got[64];
    size_t i = 0;
    if (!cJSON_IsArray(arr) || !arr->child)
        return perr(p, path, "must be a non-empty list of layers (got %s)",
                    cJSON_IsArray(arr) ? "an empty list"
                                       : show(arr, got, sizeof got));
    for (const cJSON *c = arr->child; c; c = c->next, i++) {
        char lp[PATH_CAP];
        path_index(lp, path, i);
        if (parse_layer(p, c, lp, prefix, dt, depth))
            return -1;
    }
    return 0;
}

/* ---- the document
 * ------------------------------------------------------------ */

/* Line and column (1-based) of json[pos]. */
static void line_col(const char *json, size_t pos, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < pos; i++) {
        if (json[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* "line L, column C" of json[pos] as the path of an error. */
static int perr_at(pctx *p, const char *json, size_t pos, const char *fmt, ...)
{
    char where[64], msg[160];
    size_t line, col;
    va_list ap;
    line_col(json, pos, &line, &col);
    snprintf(where, sizeof where, "line %zu, column %zu", line, col);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return perr(p, where, "%s", msg);
}

/* What cJSON must not see, checked on the text in one pass before cJSON
 * allocates anything: NUL bytes, raw or escaped (cJSON would cut the
 * string there: "a\u0000b" would become "a"), nesting deeper than
 * CLINIT_MODEL_MAX_JSON_DEPTH, brackets that do not match, more than
 * CLINIT_MODEL_MAX_JSON_NODES values (each costs cJSON ~100 bytes: a
 * 64 MiB "[1,1,...]" cost 2.7 GB) and more than
 * CLINIT_MODEL_MAX_JSON_STRINGS bytes of strings (cJSON copies them), so
 * that the tree costs at most ~40 MB whatever the text. A tree has at
 * most one value per ',' and per opening bracket, plus one. *open is set
 * when the text ends inside a string, array or object (truncated). */
static int prescan(pctx *p, const char *json, size_t len, int *open)
{
    char stack[CLINIT_MODEL_MAX_JSON_DEPTH];
    int depth = 0, in_str = 0;
    unsigned long nodes = 1, str_bytes = 0;
    for (size_t i = 0; i < len; i++) {
        char c = json[i];
        if (c == '\0')
            return perr_at(p, json, i, "NUL byte in the spec");
        if (in_str && ++str_bytes > CLINIT_MODEL_MAX_JSON_STRINGS)
            return perr_at(p, json, i, "the strings take more than %lu bytes",
                           (unsigned long)CLINIT_MODEL_MAX_JSON_STRINGS);
        if (in_str) {
            if (c == '\\') {
                if (len - i > 5 && memcmp(json + i + 1, "u0000", 5) == 0)
                    return perr_at(p, json, i,
                                   "escaped NUL (\\u0000) in a string");
                i++;
            } else if (c == '"') {
                in_str = 0;
            }
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '[' || c == '{') {
            if (depth == CLINIT_MODEL_MAX_JSON_DEPTH)
                return perr_at(p, json, i, "JSON nested deeper than %d levels",
                               CLINIT_MODEL_MAX_JSON_DEPTH);
            stack[depth++] = c;
            nodes++;
        } else if (c == ']' || c == '}') {
            if (depth == 0 || stack[depth - 1] != (c == ']' ? '[' : '{'))
                return perr_at(p, json, i, "unexpected '%c'", c);
            depth--;
        } else if (c == ',') {
            nodes++;
        }
        if (nodes > CLINIT_MODEL_MAX_JSON_NODES)
            return perr_at(p, json, i, "more than %lu JSON values",
                           (unsigned long)CLINIT_MODEL_MAX_JSON_NODES);
    }
    *open = in_str || depth > 0;
    return 0;
}

static const char *const keys_top[] = {"name",   "dtype",   "seed", "rules",
                                       "layers", "comment", "gguf"};

static int parse_doc(pctx *p, const char *json, size_t len)
{
    const char *end = NULL;
    cJSON *doc;
    const cJSON *v;
    clinit_dtype dt = CLINIT_F32;
    char got[64];
    size_t i = 0;
    int rc = -1, open = 0;

    while (i < len && is_ws(json[i]))
        i++;
    if (i == len)
        return perr(p, "spec", "empty (expected a JSON object)");
    if (prescan(p, json, len, &open))
        return -1;
    doc = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    if (!doc) {
        size_t pos =
            end && end >= json && end <= json + len ? (size_t)(end - json) : 0;
        size_t last = len;
        while (last > 0 && is_ws(json[last - 1]))
            last--;
        /* cJSON reports an error at the end as the last byte */
        return perr_at(p, json, pos, "%s",
                       open && pos + 1 >= last
                           ? "unexpected end of the JSON text"
                           : "invalid JSON");
    }
    for (i = (size_t)(end - json); i < len && is_ws(json[i]); i++)
        ;
    if (i < len) {
        perr_at(p, json, i, "unexpected text after the JSON value");
        goto out;
    }
    if (!cJSON_IsObject(doc)) {
        perr(p, "spec", "must be a JSON object (got %s)",
             show(doc, got, sizeof got));
        goto out;
    }
    if (check_keys(p, doc, "", keys_top, NKEYS(keys_top), "a model spec"))
        goto out;
    if ((v = cJSON_GetObjectItemCaseSensitive(doc, "name"))) {
        const char *s = "";
        const char *why;
        if (get_string(p, v, "name", &s))
            goto out;
        if ((why = bad_text(s, 1)) != NULL) {
            perr(p, "name",
                 "must be valid UTF-8 without control characters (this one "
                 "%s)",
                 why);
            goto out;
        }
        if (!(p->m->name = malloc(strlen(s) + 1))) {
            oom(p);
            goto out;
        }
        memcpy(p->m->name, s, strlen(s) + 1);
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(doc, "comment"))) {
        const char *s = "";
        if (get_string(p, v, "comment", &s))
            goto out;
    }
    /* GGUF metadata: read by the GGUF writer's side (tools/io/gguf_spec.c) */
    if ((v = cJSON_GetObjectItemCaseSensitive(doc, "gguf")) &&
        !cJSON_IsObject(v)) {
        perr(p, "gguf", "must be an object of GGUF metadata (got %s)",
             show(v, got, sizeof got));
        goto out;
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(doc, "dtype")) &&
        get_dtype(p, v, "dtype", &dt))
        goto out;
    if ((v = cJSON_GetObjectItemCaseSensitive(doc, "seed"))) {
        if (cJSON_IsString(v)) {
            /* the full 64-bit range, decimal or 0x hex */
            const char *s = v->valuestring;
            int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
            const char *digits = hex ? s + 2 : s;
            unsigned long long u = 0;
            char *e;
            int ok = *digits != '\0';
            for (const char *q = digits; ok && *q; q++)
                ok = hex ? isxdigit((unsigned char)*q) != 0
                         : (*q >= '0' && *q <= '9');
            if (ok) {
                errno = 0;
                u = strtoull(digits, &e, hex ? 16 : 10);
                ok = errno == 0 && *e == '\0';
            }
            if (!ok) {
                perr(p, "seed",
                     "must be an integer below 2^53 or a string of a "
                     "64-bit integer, decimal or 0x hex (got %s)",
                     show(v, got, sizeof got));
                goto out;
            }
            p->m->seed = (uint64_t)u;
        } else if (get_uint(p, v, "seed", 0, (uint64_t)JSON_INT_MAX,
                            &p->m->seed)) {
            goto out;
        }
    }
    if ((v = cJSON_GetObjectItemCaseSensitive(doc, "rules")) &&
        parse_rules(p, v))
        goto out;
    if (!(v = cJSON_GetObjectItemCaseSensitive(doc, "layers"))) {
        perr(p, "spec", "missing key 'layers'");
        goto out;
    }
    if (parse_layers(p, v, "layers", "", dt, 0))
        goto out;
    rc = 0;
out:
    cJSON_Delete(doc);
    return rc;
}

clinit_status clinit_rule_set_from_name(const char *name, clinit_rule_set *out)
{
    if (!name || !out)
        return CLINIT_ENULL;
    for (int i = 0; i < CLINIT_RULES_COUNT; i++)
        if (strcmp(name, rule_set_names[i]) == 0) {
            *out = (clinit_rule_set)i;
            return CLINIT_OK;
        }
    return CLINIT_EPARAM;
}

const char *clinit_rule_set_name(clinit_rule_set set)
{
    return (unsigned)set < (unsigned)CLINIT_RULES_COUNT ? rule_set_names[set]
                                                        : NULL;
}

clinit_status clinit_model_parse(const char *json, size_t len,
                                 clinit_model **out, char *err, size_t errlen)
{
    return clinit_model_parse_opts(json, len, NULL, out, err, errlen);
}

clinit_status clinit_model_parse_opts(const char *json, size_t len,
                                      const clinit_model_options *opt,
                                      clinit_model **out, char *err,
                                      size_t errlen)
{
    pctx *p;
    clinit_status st;
    if (err && errlen > 0)
        err[0] = '\0';
    if (!out)
        return CLINIT_ENULL;
    *out = NULL;
    if (!json && len > 0)
        return CLINIT_ENULL;
    if (opt && (unsigned)opt->rules >= (unsigned)CLINIT_RULES_COUNT) {
        if (err && errlen > 0)
            snprintf(err, errlen, "options.rules: unknown rule set %d",
                     (int)opt->rules);
        return CLINIT_EPARAM;
    }
    /* the rules table is large: heap, not stack */
    if (!(p = calloc(1, sizeof *p)) || !(p->m = calloc(1, sizeof *p->m))) {
        free(p);
        if (err && errlen > 0)
            snprintf(err, errlen, "out of memory");
        return CLINIT_ENOMEM;
    }
    p->err = err;
    p->errlen = errlen;
    p->st = CLINIT_OK;
    p->rule_set = opt ? opt->rules : CLINIT_RULES_TEXTBOOK;
    if (parse_doc(p, json ? json : "", len) != 0 && p->st == CLINIT_OK)
        p->st = CLINIT_EPARAM;
    st = p->st;
    if (st == CLINIT_OK)
        *out = p->m;
    else
        clinit_model_destroy(p->m);
    free(p->set);
    free(p);
    return st;
}


/* ---- accessors
 * ----------------------------------------------------------------- */

void clinit_model_destroy(clinit_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        free(m->ts[i].name);
    free(m->ts);
    free(m->name);
    free(m);
}

size_t clinit_model_size(const clinit_model *m)
{
    return m ? m->n : 0;
}

clinit_status clinit_model_tensor(const clinit_model *m, size_t i,
                                  clinit_model_tensor_info *out)
{
    const mtensor *t;
    if (!m || !out)
        return CLINIT_ENULL;
    if (i >= m->n)
        return CLINIT_ERANGE;
    t = &m->ts[i];
    memset(out, 0, sizeof *out);
    out->name = t->name;
    out->kind = t->kind;
    out->param = t->param;
    out->tensor = t->t;
    out->tensor.seed = m->seed;
    out->init = t->init;
    out->numel = t->numel;
    /* numel < 2^56, so at most 2^59 bytes */
    out->bytes = t->numel * clinit_dtype_size(t->t.dtype);
    return CLINIT_OK;
}

clinit_status clinit_model_fill_desc(const clinit_model *m, size_t i,
                                     clinit_fill_desc *out)
{
    clinit_model_tensor_info info;
    clinit_status st;
    if (!out)
        return CLINIT_ENULL;
    if ((st = clinit_model_tensor(m, i, &info)) != CLINIT_OK)
        return st;
    memset(out, 0, sizeof *out);
    out->tensor = info.tensor;
    out->init = info.init;
    out->lo = 0;
    out->hi = info.numel;
    return CLINIT_OK;
}

uint64_t clinit_model_numel(const clinit_model *m)
{
    return m ? m->numel : 0;
}

uint64_t clinit_model_bytes(const clinit_model *m)
{
    uint64_t b = 0;
    if (!m)
        return 0;
    for (size_t i = 0; i < m->n; i++) {
        uint64_t x = m->ts[i].numel * clinit_dtype_size(m->ts[i].t.dtype);
        if (b > UINT64_MAX - x)
            return UINT64_MAX;
        b += x;
    }
    return b;
}

const char *clinit_model_name(const clinit_model *m)
{
    return m && m->name ? m->name : "";
}

uint64_t clinit_model_seed(const clinit_model *m)
{
    return m ? m->seed : 0;
}

void clinit_model_set_seed(clinit_model *m, uint64_t seed)
{
    if (m)
        m->seed = seed;
}

void clinit_model_set_dtype(clinit_model *m, clinit_dtype dtype)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++)
        m->ts[i].t.dtype = dtype;
}

clinit_status clinit_model_check(const clinit_model *m, char *err,
                                 size_t errlen)
{
    if (err && errlen > 0)
        err[0] = '\0';
    if (!m)
        return CLINIT_ENULL;
    for (size_t i = 0; i < m->n; i++) {
        const mtensor *t = &m->ts[i];
        clinit_tensor tt = t->t;
        clinit_resolved r;
        clinit_status st;
        tt.seed = m->seed;
        if ((st = clinit_resolve(&tt, &t->init, &r)) != CLINIT_OK) {
            if (err && errlen > 0)
                snprintf(err, errlen, "%s: %s in %s: %s", t->name,
                         clinit_method_name(t->init.method),
                         clinit_dtype_name(tt.dtype), clinit_strerror(st));
            return st;
        }
    }
    if (clinit_model_bytes(m) == UINT64_MAX) {
        if (err && errlen > 0)
            snprintf(err, errlen,
                     "%s: the model's total size overflows 64 bits",
                     clinit_model_name(m));
        return CLINIT_EOVERFLOW;
    }
    return CLINIT_OK;
}

/* ---- canonical text
 * ---------------------------------------------------------------- */

/* One tensor's canonical line into buf (cap >= 2048: name <= 1024 plus
 * 8 dims and 12 parameters). Returns its length. */
static size_t canon_line(const mtensor *t, char *buf, size_t cap)
{
    const clinit_init *in = &t->init;
    unsigned keys = method_keys(in->method);
    char sh[256];
    size_t n;
    int w;
    shape_text(&t->t, sh, sizeof sh);
    w = snprintf(buf, cap, "%s %s %s %s", t->name,
                 clinit_dtype_name(t->t.dtype), sh,
                 clinit_method_name(in->method));
    n = w > 0 ? (size_t)w : 0;
    for (unsigned k = 0; k < CLINIT_PARAM_COUNT && n < cap; k++) {
        char v[40];
        if (!(keys & MB(k)) ||
            clinit_init_get(in, clinit_param_name(k), v, sizeof v) != CLINIT_OK)
            continue;
        w = snprintf(buf + n, cap - n, " %s=%s", clinit_param_name(k), v);
        n += w > 0 ? (size_t)w : 0;
    }
    if (n + 1 < cap) {
        buf[n++] = '\n';
        buf[n] = '\0';
    }
    return n;
}

size_t clinit_model_canonical(const clinit_model *m, char *buf, size_t cap)
{
    char line[2048];
    size_t total = 0;
    if (!m)
        return 0;
    for (size_t i = 0; i < m->n; i++) {
        size_t n = canon_line(&m->ts[i], line, sizeof line);
        if (buf && total < cap) {
            size_t room = cap - total - 1, k = n < room ? n : room;
            memcpy(buf + total, line, k);
            buf[total + k] = '\0';
        }
        total += n;
    }
    if (buf && cap > 0 && total < cap)
        buf[total] = '\0';
    return total;
}

uint64_t clinit_model_spec_hash(const clinit_model *m)
{
    char line[2048];
    uint64_t h = 0xcbf29ce484222325ull;
    if (!m)
        return 0;
    for (size_t i = 0; i < m->n; i++) {
        size_t n = canon_line(&m->ts[i], line, sizeof line);
        for (size_t k = 0; k < n; k++)
            h = (h ^ (unsigned char)line[k]) * 0x100000001b3ull;
    }
    return h;
}
