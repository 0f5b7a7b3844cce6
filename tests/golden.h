/* golden.h - the golden-value tables of the stream contract: what a case
 * is and how its values are computed. tests/test_stream.c checks every
 * table on every CPU variant and on OpenCL; tests/golden_gen.c (a program,
 * never a test) prints a table's entries recomputed, for a new table or a
 * new contract version. Never edit an expected value to make a change
 * pass. */
#ifndef CLINIT_TEST_GOLDEN_H
#define CLINIT_TEST_GOLDEN_H

#include <string.h>

#include "common.h"

typedef struct golden {
    const char *name;
    clinit_method method;
    double p0, p1; /* uniform a,b | normal mean,std | constant val |
                      xavier gain | kaiming a (slope), mode */
    int ndim;
    int64_t shape[4];
    uint64_t seed, stream, lo, hi;
    uint64_t fnv;      /* FNV-1a 64 of the output bytes */
    uint32_t first[4]; /* bits of the first four elements */
} golden;

static uint64_t fnv1a(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static clinit_init golden_init(const golden *g)
{
    clinit_init in = test_init(g->method);
    switch (g->method) {
    case CLINIT_UNIFORM:
        in.a = g->p0;
        in.b = g->p1;
        break;
    case CLINIT_NORMAL:
        in.mean = g->p0;
        in.std = g->p1;
        break;
    case CLINIT_CONSTANT:
        in.val = g->p0;
        break;
    case CLINIT_XAVIER_UNIFORM:
    case CLINIT_XAVIER_NORMAL:
        in.gain = g->p0;
        break;
    case CLINIT_KAIMING_UNIFORM:
    case CLINIT_KAIMING_NORMAL:
        in.a = g->p0;
        in.mode = g->p1 != 0 ? CLINIT_FAN_OUT : CLINIT_FAN_IN;
        break;
    default:
        break;
    }
    return in;
}

typedef struct golden2 {
    const char *name;
    clinit_method method;
    clinit_dtype dtype;
    double p0, p1, p2, p3; /* per method, see golden2_init */
    int ndim;
    int64_t shape[4];
    uint64_t seed, stream, lo, hi;
    uint64_t fnv;      /* FNV-1a 64 of the output bytes */
    uint64_t first[4]; /* bits of the first four elements */
} golden2;

static clinit_init golden2_init(const golden2 *g)
{
    clinit_init in = test_init(g->method);
    switch (g->method) {
    case CLINIT_UNIFORM:
        in.a = g->p0;
        in.b = g->p1;
        break;
    case CLINIT_NORMAL:
        in.mean = g->p0;
        in.std = g->p1;
        break;
    case CLINIT_TRUNC_NORMAL:
        in.mean = g->p0;
        in.std = g->p1;
        in.a = g->p2;
        in.b = g->p3;
        break;
    case CLINIT_CONSTANT:
        in.val = g->p0;
        break;
    case CLINIT_SPARSE:
        in.sparsity = g->p0;
        in.std = g->p1;
        break;
    case CLINIT_DIRAC:
        in.groups = (int)g->p0;
        break;
    case CLINIT_ORTHOGONAL:
    case CLINIT_XAVIER_UNIFORM:
    case CLINIT_XAVIER_NORMAL:
        in.gain = g->p0;
        break;
    case CLINIT_VARIANCE_SCALING:
        in.scale = g->p0;
        in.mode = (clinit_mode)(int)g->p1;
        in.distribution = (clinit_distribution)(int)g->p2;
        break;
    default:
        break;
    }
    return in;
}

static uint64_t elem_bits(const void *v, size_t es, size_t k)
{
    uint64_t b = 0;
    memcpy(&b, (const unsigned char *)v + k * es, es);
    return b;
}

/* The tables (cases and their frozen values). */
#include "golden_v1.h"
#include "golden_v1_f8.h"
#include "golden_v1_methods.h"

#endif
