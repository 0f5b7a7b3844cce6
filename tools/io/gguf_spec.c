/* gguf_spec.c - the model spec's "gguf" object as GGUF metadata; see
 * gguf_spec.h for the rules and docs/MODEL.md §8 for the user's view. */
#include "gguf_spec.h"

#include "utf8.h" /* src/: the model parser's rule for valid UTF-8 */

#include <cjson/cJSON.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest integer a JSON number carries exactly (2^53 - 1). */
#define JSON_INT_MAX 9007199254740991.0
#define MAX_KEY 65535 /* GGUF: keys of at most 2^16 - 1 bytes */
#define DEFAULT_ARCH "clinit"
#define PATH_CAP 256 /* a key path is at most ~80 bytes; items add ~40 */
#define N_ADDED 6    /* general.architecture, general.name, 4 clinit.* */

typedef struct gctx {
    char *err;
    size_t errlen;
    clinit_io_item *items; /* the next free item */
} gctx;

static int gerr(gctx *c, const char *path, const char *fmt, ...)
{
    if (c->err && c->errlen > 0) {
        va_list ap;
        int n = snprintf(c->err, c->errlen, "%s: ", path);
        if (n >= 0 && (size_t)n < c->errlen) {
            va_start(ap, fmt);
            vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return -1;
}

/* key cut at 64 bytes ("..." after), bytes outside printable ASCII (and
 * quotes, backslashes) as '?', so an error stays one printable line. */
static void clean_key(char k[72], const char *key)
{
    size_t i = 0, len = strlen(key);
    for (; i < len && i < 64; i++) {
        unsigned char ch = (unsigned char)key[i];
        k[i] =
            ch < 0x20 || ch >= 0x7f || ch == '"' || ch == '\\' ? '?' : (char)ch;
    }
    if (i < len)
        memcpy(k + i, "...", 4);
    else
        k[i] = '\0';
}

/* `gguf["KEY"]`, the key as clean_key makes it. */
static void key_path(char *dst, const char *key)
{
    char k[72];
    clean_key(k, key);
    snprintf(dst, PATH_CAP, "gguf[\"%s\"]", k);
}

/* What a JSON value is, for messages. */
static const char *kind(const cJSON *v)
{
    return cJSON_IsString(v)   ? "a string"
           : cJSON_IsBool(v)   ? "a bool"
           : cJSON_IsNumber(v) ? "a number"
           : cJSON_IsNull(v)   ? "null"
           : cJSON_IsArray(v)  ? "an array"
                               : "an object";
}

static int utf8_ok(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    while (*u) {
        uint32_t cp;
        size_t n = clinit_utf8_len(u, &cp);
        if (!n)
            return 0;
        u += n;
    }
    return 1;
}

static int vtype_of(const char *s, clinit_io_vtype *t)
{
    for (int k = 0; k < CLINIT_IO_VTYPE_COUNT; k++)
        if (strcmp(clinit_io_vtype_name((clinit_io_vtype)k), s) == 0) {
            *t = (clinit_io_vtype)k;
            return 1;
        }
    return 0;
}

static int is_signed(clinit_io_vtype t)
{
    return t == CLINIT_IO_I8 || t == CLINIT_IO_I16 || t == CLINIT_IO_I32 ||
           t == CLINIT_IO_I64;
}

/* The range of an integer type. */
static void int_range(clinit_io_vtype t, int64_t *lo, uint64_t *hi)
{
    switch (t) {
    case CLINIT_IO_U8:
        *lo = 0, *hi = UINT8_MAX;
        break;
    case CLINIT_IO_I8:
        *lo = INT8_MIN, *hi = INT8_MAX;
        break;
    case CLINIT_IO_U16:
        *lo = 0, *hi = UINT16_MAX;
        break;
    case CLINIT_IO_I16:
        *lo = INT16_MIN, *hi = INT16_MAX;
        break;
    case CLINIT_IO_U32:
        *lo = 0, *hi = UINT32_MAX;
        break;
    case CLINIT_IO_I32:
        *lo = INT32_MIN, *hi = INT32_MAX;
        break;
    case CLINIT_IO_I64:
        *lo = INT64_MIN, *hi = INT64_MAX;
        break;
    default: /* U64 */
        *lo = 0, *hi = UINT64_MAX;
    }
}

/* An integer as JSON gives it: a number below 2^53 in magnitude, or a
 * decimal / 0x hex string (an optional '-'). *neg and *mag: its sign and
 * magnitude. Returns 0, or -1 with nothing reported. */
static int json_int(const cJSON *v, int *neg, uint64_t *mag)
{
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (!isfinite(d) || d != floor(d) || fabs(d) > JSON_INT_MAX)
            return -1;
        *neg = d < 0;
        *mag = (uint64_t)fabs(d);
        return 0;
    }
    if (cJSON_IsString(v)) {
        const char *s = v->valuestring, *dg;
        int hex;
        char *e;
        *neg = *s == '-';
        s += *neg;
        hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
        dg = hex ? s + 2 : s;
        for (const char *q = dg; *q; q++)
            if (!(hex ? (*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f') ||
                            (*q >= 'A' && *q <= 'F')
                      : (*q >= '0' && *q <= '9')))
                return -1;
        if (!*dg)
            return -1;
        errno = 0;
        *mag = (uint64_t)strtoull(dg, &e, hex ? 16 : 10);
        return errno == 0 && *e == '\0' ? 0 : -1;
    }
    return -1;
}

static int get_int(gctx *c, const cJSON *v, const char *path, clinit_io_vtype t,
                   clinit_io_item *out)
{
    int64_t lo;
    uint64_t hi;
    int neg;
    uint64_t mag;
    const char *tn = clinit_io_vtype_name(t);
    int_range(t, &lo, &hi);
    if (json_int(v, &neg, &mag) != 0)
        return gerr(c, path,
                    "must be an integer (a JSON number below 2^53 in "
                    "magnitude, or a decimal or 0x hex string) for type %s "
                    "(got %s)",
                    tn, kind(v));
    if (neg && mag == 0)
        neg = 0;
    if ((neg && (lo == 0 || mag > (uint64_t)INT64_MAX + 1 ||
                 -(int64_t)(mag - 1) - 1 < lo)) ||
        (!neg && mag > hi))
        return gerr(c, path, "%s%llu is out of range for type %s",
                    neg ? "-" : "", (unsigned long long)mag, tn);
    if (is_signed(t))
        out->i = neg ? -(int64_t)(mag - 1) - 1 : (int64_t)mag;
    else
        out->u = mag;
    return 0;
}

/* One value of type t (never ARRAY). */
static int get_scalar(gctx *c, const cJSON *v, const char *path,
                      clinit_io_vtype t, clinit_io_item *out)
{
    switch (t) {
    case CLINIT_IO_BOOL:
        if (!cJSON_IsBool(v))
            return gerr(c, path, "must be true or false for type bool (got %s)",
                        kind(v));
        out->u = cJSON_IsTrue(v) ? 1 : 0;
        return 0;
    case CLINIT_IO_STRING:
        if (!cJSON_IsString(v))
            return gerr(c, path, "must be a string for type string (got %s)",
                        kind(v));
        if (!utf8_ok(v->valuestring))
            return gerr(c, path, "must be valid UTF-8");
        out->s = v->valuestring;
        return 0;
    case CLINIT_IO_F32:
    case CLINIT_IO_F64:
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
            return gerr(c, path, "must be a finite number for type %s (got %s)",
                        clinit_io_vtype_name(t), kind(v));
        if (t == CLINIT_IO_F32 && fabs(v->valuedouble) > FLT_MAX)
            return gerr(c, path,
                        "%g does not fit type f32 (give {\"type\": \"f64\", "
                        "\"value\": ...})",
                        v->valuedouble);
        out->f = v->valuedouble;
        return 0;
    default:
        return get_int(c, v, path, t, out);
    }
}

/* The type a plain JSON value gets (gguf_spec.h). Numbers: *lo and *hi
 * widened to hold it, *frac set for a number that is not integral. */
static int infer(gctx *c, const cJSON *v, const char *path, clinit_io_vtype *t,
                 double *lo, double *hi, int *frac)
{
    if (cJSON_IsString(v)) {
        *t = CLINIT_IO_STRING;
    } else if (cJSON_IsBool(v)) {
        *t = CLINIT_IO_BOOL;
    } else if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) {
        double d = v->valuedouble;
        if (d != floor(d))
            *frac = 1;
        else if (fabs(d) > JSON_INT_MAX)
            return gerr(
                c, path,
                "integers of 2^53 and more lose digits in JSON: give "
                "{\"type\": \"u64\" or \"i64\", \"value\": \"DIGITS\"}");
        *lo = d < *lo ? d : *lo;
        *hi = d > *hi ? d : *hi;
        *t = CLINIT_IO_F32; /* a number: narrowed by num_type */
    } else {
        return gerr(c, path,
                    "must be a string, a bool, a number, an array of them "
                    "or {\"type\": ..., \"value\": ...} (got %s)",
                    kind(v));
    }
    return 0;
}

/* The default type of numbers in [lo, hi] (frac: not all integral). */
static clinit_io_vtype num_type(double lo, double hi, int frac)
{
    if (frac)
        return CLINIT_IO_F32;
    if (lo >= 0)
        return hi <= (double)UINT32_MAX ? CLINIT_IO_U32 : CLINIT_IO_U64;
    return lo >= (double)INT32_MIN && hi <= (double)INT32_MAX ? CLINIT_IO_I32
                                                              : CLINIT_IO_I64;
}

/* The items of JSON array a, of type t (given), into val. */
static int get_items(gctx *c, const cJSON *a, const char *path,
                     clinit_io_vtype t, clinit_io_value *val)
{
    char ip[PATH_CAP];
    size_t k = 0;
    val->type = t;
    val->array = 1;
    val->items = c->items;
    val->n = 0;
    for (const cJSON *it = a->child; it; it = it->next, k++) {
        snprintf(ip, sizeof ip, "%.160s[%zu]", path, k);
        if (get_scalar(c, it, ip, t, &c->items[val->n]))
            return -1;
        val->n++;
    }
    c->items += val->n;
    return 0;
}

/* A plain JSON array: its items' common type. */
static int plain_array(gctx *c, const cJSON *a, const char *path,
                       clinit_io_value *val)
{
    clinit_io_vtype t = CLINIT_IO_ARRAY, it_t;
    double lo = 0, hi = 0;
    int frac = 0;
    size_t k = 0;
    char ip[PATH_CAP];
    if (!a->child)
        return gerr(c, path,
                    "an empty array has no item type: give {\"type\": "
                    "\"array\", \"of\": TYPE, \"value\": []}");
    for (const cJSON *it = a->child; it; it = it->next, k++) {
        snprintf(ip, sizeof ip, "%.160s[%zu]", path, k);
        if (cJSON_IsArray(it) || cJSON_IsObject(it))
            return gerr(c, ip,
                        "arrays of arrays or objects cannot be written "
                        "(GGUF readers such as llama.cpp's refuse nested "
                        "arrays)");
        if (infer(c, it, ip, &it_t, &lo, &hi, &frac))
            return -1;
        if (t != CLINIT_IO_ARRAY && it_t != t)
            return gerr(c, ip,
                        "an array holds one type: this item is %s, the first "
                        "one was not (give {\"type\": \"array\", \"of\": ...})",
                        kind(it));
        t = it_t;
    }
    if (t == CLINIT_IO_F32)
        t = num_type(lo, hi, frac);
    return get_items(c, a, path, t, val);
}

/* {"type": T, "value": V} or {"type": "array", "of": T, "value": [...]}. */
static int typed(gctx *c, const cJSON *o, const char *path,
                 clinit_io_value *val)
{
    const cJSON *ty = cJSON_GetObjectItemCaseSensitive(o, "type");
    const cJSON *of = cJSON_GetObjectItemCaseSensitive(o, "of");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "value");
    char kp[PATH_CAP];
    clinit_io_vtype t, it_t;
    for (const cJSON *k = o->child; k; k = k->next)
        if (strcmp(k->string, "type") && strcmp(k->string, "of") &&
            strcmp(k->string, "value")) {
            char ck[72];
            clean_key(ck, k->string);
            snprintf(kp, sizeof kp, "%.160s.%s", path, ck);
            return gerr(c, kp, "unknown key (expected type, value, of)");
        }
    snprintf(kp, sizeof kp, "%.160s.type", path);
    if (!ty)
        return gerr(c, path, "missing key 'type'");
    if (!cJSON_IsString(ty) || !vtype_of(ty->valuestring, &t))
        return gerr(c, kp,
                    "must be one of u8, i8, u16, i16, u32, i32, u64, i64, "
                    "f32, f64, bool, string, array");
    snprintf(kp, sizeof kp, "%.160s.value", path);
    if (!v)
        return gerr(c, path, "missing key 'value'");
    if (t != CLINIT_IO_ARRAY) {
        if (of) {
            snprintf(kp, sizeof kp, "%.160s.of", path);
            return gerr(c, kp, "only for type array");
        }
        val->type = t;
        val->array = 0;
        val->n = 1;
        val->items = c->items;
        return get_scalar(c, v, kp, t, c->items++);
    }
    if (!cJSON_IsArray(v))
        return gerr(c, kp, "must be an array for type array (got %s)", kind(v));
    snprintf(kp, sizeof kp, "%.160s.of", path);
    if (!of)
        return gerr(c, path, "missing key 'of' (the items' type)");
    if (!cJSON_IsString(of) || !vtype_of(of->valuestring, &it_t))
        return gerr(c, kp,
                    "must be one of u8, i8, u16, i16, u32, i32, u64, i64, "
                    "f32, f64, bool, string");
    if (it_t == CLINIT_IO_ARRAY)
        return gerr(c, kp,
                    "arrays of arrays cannot be written (GGUF readers such "
                    "as llama.cpp's refuse nested arrays)");
    snprintf(kp, sizeof kp, "%.160s.value", path);
    return get_items(c, v, kp, it_t, val);
}

static int get_value(gctx *c, const cJSON *e, const char *path,
                     clinit_io_value *val)
{
    clinit_io_vtype t;
    double lo = 0, hi = 0;
    int frac = 0;
    if (cJSON_IsObject(e))
        return typed(c, e, path, val);
    if (cJSON_IsArray(e))
        return plain_array(c, e, path, val);
    if (infer(c, e, path, &t, &lo, &hi, &frac))
        return -1;
    if (t == CLINIT_IO_F32)
        t = num_type(lo, hi, frac);
    val->type = t;
    val->array = 0;
    val->n = 1;
    val->items = c->items;
    return get_scalar(c, e, path, t, c->items++);
}

/* The key's own rules: printable ASCII, unique, not reserved, and the
 * types llama.cpp insists on for the general.* keys clinit knows. */
static int check_key(gctx *c, const char *key, const char *path,
                     const clinit_io_value *v)
{
    size_t len = strlen(key);
    int str = !v->array && v->type == CLINIT_IO_STRING;
    if (len == 0 || len > MAX_KEY)
        return gerr(c, path, "keys are 1 to 65535 bytes");
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)key[i] <= 0x20 || (unsigned char)key[i] >= 0x7f)
            return gerr(c, path,
                        "keys are printable ASCII without spaces (GGUF's "
                        "rule)");
    if (strncmp(key, "clinit.", 7) == 0)
        return gerr(c, path, "reserved: clinit writes the clinit.* keys");
    if ((strcmp(key, "general.architecture") == 0 ||
         strcmp(key, "general.name") == 0) &&
        !str)
        return gerr(c, path, "must be a string");
    if (strcmp(key, "general.alignment") == 0 &&
        (v->array || v->type != CLINIT_IO_U32 || v->items[0].u == 0 ||
         (v->items[0].u & (v->items[0].u - 1))))
        return gerr(c, path,
                    "must be a u32 power of two (llama.cpp refuses other "
                    "alignments)");
    return 0;
}

typedef struct keyref {
    const char *key;
    size_t idx;
} keyref;

static int keyref_cmp(const void *a, const void *b)
{
    const keyref *x = a, *y = b;
    int r = strcmp(x->key, y->key);
    return r ? r : (x->idx > y->idx) - (x->idx < y->idx);
}

/* The first repeated key, reported at its second place. */
static clinit_status check_unique(gctx *c, const cJSON *gg, size_t n)
{
    keyref *r;
    size_t k = 0, bad = n;
    const char *key = NULL;
    if (n < 2)
        return CLINIT_OK;
    if (!(r = malloc(n * sizeof *r)))
        return CLINIT_ENOMEM;
    for (const cJSON *e = gg->child; e; e = e->next, k++) {
        r[k].key = e->string;
        r[k].idx = k;
    }
    qsort(r, n, sizeof *r, keyref_cmp);
    for (k = 1; k < n; k++)
        if (strcmp(r[k - 1].key, r[k].key) == 0 && r[k].idx < bad) {
            bad = r[k].idx;
            key = r[k].key;
        }
    free(r);
    if (key) {
        char path[PATH_CAP];
        key_path(path, key);
        gerr(c, path, "duplicate key");
        return CLINIT_EPARAM;
    }
    return CLINIT_OK;
}

/* Items needed for the object's values (an upper bound). */
static size_t count_items(const cJSON *gg)
{
    size_t total = N_ADDED;
    for (const cJSON *e = gg ? gg->child : NULL; e; e = e->next) {
        const cJSON *v = cJSON_IsObject(e)
                             ? cJSON_GetObjectItemCaseSensitive(e, "value")
                             : e;
        total += cJSON_IsArray(v) ? (size_t)cJSON_GetArraySize(v) + 1 : 1;
    }
    return total;
}

/* A pair clinit adds: one item of type t, stored in the next free item. */
static void add_pair(gctx *c, clinit_gguf_meta *g, const char *key,
                     clinit_io_vtype t, clinit_io_item it)
{
    clinit_io_value *v = &g->values[g->n];
    *c->items = it;
    v->type = t;
    v->array = 0;
    v->n = 1;
    v->items = c->items++;
    g->meta[g->n].key = key;
    g->meta[g->n].value = NULL;
    g->meta[g->n].typed = v;
    g->n++;
}

/* The spec's pairs (general.architecture and general.name first). */
static clinit_status spec_pairs(gctx *c, clinit_gguf_meta *g, const cJSON *gg,
                                const char *name)
{
    const char *first[2] = {"general.architecture", "general.name"};
    clinit_io_item dflt[2];
    dflt[0].s = DEFAULT_ARCH;
    dflt[1].s = name;
    for (int pass = 0; pass < 3; pass++) {
        int found = pass == 2;
        for (const cJSON *e = gg ? gg->child : NULL; e; e = e->next) {
            char path[PATH_CAP];
            clinit_io_value *v = &g->values[g->n];
            int is_first = strcmp(e->string, first[0]) == 0 ||
                           strcmp(e->string, first[1]) == 0;
            if (pass < 2 ? strcmp(e->string, first[pass]) != 0 : is_first)
                continue;
            key_path(path, e->string);
            if (get_value(c, e, path, v) || check_key(c, e->string, path, v))
                return CLINIT_EPARAM;
            g->meta[g->n].key = e->string;
            g->meta[g->n].value = NULL;
            g->meta[g->n].typed = v;
            g->n++;
            found = 1;
        }
        if (!found)
            add_pair(c, g, first[pass], CLINIT_IO_STRING, dflt[pass]);
    }
    return CLINIT_OK;
}

clinit_status clinit_gguf_spec_meta(const char *json, size_t len,
                                    const char *name, uint64_t seed,
                                    uint64_t spec_hash, clinit_gguf_meta *g,
                                    char *err, size_t errlen)
{
    cJSON *doc;
    const cJSON *gg;
    size_t n, nitems;
    gctx c;
    clinit_status st;
    clinit_io_item it;
    if (err && errlen)
        err[0] = '\0';
    if (!g)
        return CLINIT_ENULL;
    memset(g, 0, sizeof *g);
    if (!json || !name)
        return CLINIT_ENULL;
    c.err = err;
    c.errlen = errlen;
    if (!(doc = cJSON_ParseWithLength(json, len)))
        return cJSON_GetErrorPtr() ? CLINIT_EPARAM : CLINIT_ENOMEM;
    g->doc = doc;
    gg = cJSON_GetObjectItemCaseSensitive(doc, "gguf");
    if (gg && !cJSON_IsObject(gg)) {
        gerr(&c, "gguf", "must be an object of GGUF metadata (got %s)",
             kind(gg));
        return CLINIT_EPARAM;
    }
    n = gg ? (size_t)cJSON_GetArraySize(gg) : 0;
    nitems = count_items(gg);
    g->meta = calloc(n + N_ADDED, sizeof *g->meta);
    g->values = calloc(n + N_ADDED, sizeof *g->values);
    g->items = calloc(nitems, sizeof *g->items);
    if (!g->meta || !g->values || !g->items)
        return CLINIT_ENOMEM;
    c.items = g->items;
    if ((st = check_unique(&c, gg, n)) != CLINIT_OK ||
        (st = spec_pairs(&c, g, gg, name)) != CLINIT_OK)
        return st;
    snprintf(g->hash, sizeof g->hash, "%016llx", (unsigned long long)spec_hash);
    it.s = clinit_version_string();
    add_pair(&c, g, "clinit.version", CLINIT_IO_STRING, it);
    it.u = 1; /* docs/STREAM.md: contract version 1 */
    add_pair(&c, g, "clinit.stream_contract", CLINIT_IO_U32, it);
    it.u = seed;
    add_pair(&c, g, "clinit.seed", CLINIT_IO_U64, it);
    it.s = g->hash;
    add_pair(&c, g, "clinit.spec_hash", CLINIT_IO_STRING, it);
    return CLINIT_OK;
}

void clinit_gguf_meta_free(clinit_gguf_meta *g)
{
    if (!g)
        return;
    cJSON_Delete(g->doc);
    free(g->meta);
    free(g->values);
    free(g->items);
    memset(g, 0, sizeof *g);
}
