/* consumer_check.h - what every packaging consumer (tests/package/) runs
 * against the installed library: the frozen f32 values of
 * tests/golden_v1.h through clinit_fill_host, and a model spec through
 * clinit_model_parse (so that a static link needs cJSON too). C99 and
 * C++11; include it after clinit.h and clinit_model.h. */
#ifndef CLINIT_CONSUMER_CHECK_H
#define CLINIT_CONSUMER_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* tests/golden.h's row layout, which tests/golden_v1.h initializes. */
typedef struct golden {
    const char *name;
    clinit_method method;
    double p0, p1;
    int ndim;
    int64_t shape[4];
    uint64_t seed, stream, lo, hi;
    uint64_t fnv;
    uint32_t first[4];
} golden;

#include "golden_v1.h"

static uint64_t consumer_fnv1a(const unsigned char *b, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

/* tests/golden.h's golden_init: which parameter p0 and p1 are. */
static int consumer_init(const golden *g, clinit_init *in)
{
    if (clinit_init_default(in, g->method) != CLINIT_OK)
        return -1;
    switch (g->method) {
    case CLINIT_UNIFORM:
        in->a = g->p0;
        in->b = g->p1;
        break;
    case CLINIT_NORMAL:
        in->mean = g->p0;
        in->std = g->p1;
        break;
    case CLINIT_CONSTANT:
        in->val = g->p0;
        break;
    case CLINIT_XAVIER_UNIFORM:
    case CLINIT_XAVIER_NORMAL:
        in->gain = g->p0;
        break;
    case CLINIT_KAIMING_UNIFORM:
    case CLINIT_KAIMING_NORMAL:
        in->a = g->p0;
        in->mode = g->p1 != 0 ? CLINIT_FAN_OUT : CLINIT_FAN_IN;
        break;
    default:
        break;
    }
    return 0;
}

/* 0 when case g gives its frozen bytes, else 1 (printed). */
static int consumer_golden(const golden *g)
{
    clinit_tensor t;
    clinit_init in;
    size_t n = (size_t)(g->hi - g->lo);
    uint32_t *v = (uint32_t *)malloc(n * sizeof *v);
    int bad = 1;
    memset(&t, 0, sizeof t);
    t.dtype = CLINIT_F32;
    t.ndim = g->ndim;
    for (int d = 0; d < g->ndim; d++)
        t.shape[d] = g->shape[d];
    t.seed = g->seed;
    t.stream = g->stream;
    if (v && consumer_init(g, &in) == 0 &&
        clinit_fill_host(NULL, &t, &in, g->lo, g->hi, v) == CLINIT_OK)
        bad =
            n < 4 ||
            consumer_fnv1a((const unsigned char *)v, n * sizeof *v) != g->fnv ||
            memcmp(v, g->first, sizeof g->first) != 0;
    if (bad)
        fprintf(stderr, "golden %s: wrong values\n", g->name);
    free(v);
    return bad;
}

/* 0 when every check passes, else the number of failed checks. */
static int consumer_check(void)
{
    static const char spec[] =
        "{\"name\": \"seed_net\", \"layers\": ["
        "{\"kind\": \"linear\", \"name\": \"fc1\", \"in\": 1, \"out\": 2},"
        "{\"kind\": \"linear\", \"name\": \"fc2\", \"in\": 2, \"out\": 1}]}";
    clinit_model *m = NULL;
    char err[256];
    int bad = 0;
    size_t ncases = sizeof goldens / sizeof goldens[0];
    for (size_t i = 0; i < ncases; i++)
        bad += consumer_golden(&goldens[i]);
    if (clinit_model_parse(spec, strlen(spec), &m, err, sizeof err) !=
            CLINIT_OK ||
        clinit_model_size(m) != 4 || clinit_model_numel(m) != 7) {
        fprintf(stderr, "model spec: %s\n", m ? "wrong tensors" : err);
        bad++;
    }
    clinit_model_destroy(m);
    if (ncases < 14) {
        fprintf(stderr, "only %u golden cases\n", (unsigned)ncases);
        bad++;
    }
    printf("%u golden cases and a model spec: %s\n", (unsigned)ncases,
           bad ? "FAILED" : "ok");
    return bad;
}

#endif
