/* cpu64.c - the CPU path for f64: 32 elements per block, 53 random bits
 * per value, double-precision transforms from kernels/ (the same code the
 * OpenCL f64 kernels run). */
#include <string.h>

#include "clinit_internal.h"
#include "clinit_stream.h"

#define L CLINIT_LANES

/* The 32 values of f64 block B in slot order (slot 16 p + l). */
static void block64(const clinit_plan *p, uint64_t B, double *v)
{
    const double *d = p->d;
    uint64_t k0[L], k1[L];
    for (uint32_t l = 0; l < L; l++) {
        uint32_t w[4];
        clinit_block_words(B, l, CLINIT_DOMAIN_VALUES, p->key[0], p->key[1],
                           p->key[2], p->key[3], w);
        k0[l] = clinit_k53(w[0], w[1]);
        k1[l] = clinit_k53(w[2], w[3]);
    }
    switch (p->dist) {
    case CLINIT_DIST_UNIFORM:
        for (int l = 0; l < L; l++) {
            v[l] = clinit_uniform_f64(k0[l], d[0], d[1], d[2], d[3]);
            v[L + l] = clinit_uniform_f64(k1[l], d[0], d[1], d[2], d[3]);
        }
        break;
    case CLINIT_DIST_NORMAL:
    case CLINIT_DIST_SPARSE:
        for (int l = 0; l < L; l++)
            clinit_normal_pair_f64(k0[l], k1[l], d[0], d[1], &v[l], &v[L + l]);
        break;
    case CLINIT_DIST_TRUNCATED:
        for (int l = 0; l < L; l++) {
            v[l] = clinit_truncated_f64(k0[l], d[0], d[1], d[2], d[3], d[4],
                                        d[5], d[6], d[7], d[8], d[9]);
            v[L + l] = clinit_truncated_f64(k1[l], d[0], d[1], d[2], d[3], d[4],
                                            d[5], d[6], d[7], d[8], d[9]);
        }
        break;
    default:
        memset(v, 0, CLINIT_BLOCK64 * sizeof *v);
        break;
    }
}

/* Zeros of sparse_ and the pattern of eye_/dirac_, as in cpu_kernels.c. */
static double structural(const clinit_plan *p, uint64_t i, double v)
{
    const uint64_t *q = p->q;
    if (p->dist == CLINIT_DIST_SPARSE) {
        uint32_t r = (uint32_t)(i / q[0]), c = (uint32_t)(i % q[0]);
        uint32_t pr = clinit_sparse_perm(
            r, clinit_mix32(c), (uint32_t)q[1], (uint32_t)q[3], (uint32_t)q[4],
            (uint32_t)(q[4] >> 32), (uint32_t)q[5], (uint32_t)(q[5] >> 32));
        return pr < (uint32_t)q[2] ? 0.0 : v;
    }
    if (p->dist == CLINIT_DIST_PATTERN) {
        return clinit_pattern_one(i, q[0], q[1], q[2], q[3], q[4]) ? 1.0 : 0.0;
    }
    return v;
}

void clinit_cpu_fill64(const clinit_plan *p, uint64_t lo, uint64_t hi,
                       void *dst)
{
    double *out = (double *)dst; /* element lo */
    for (uint64_t B = lo / CLINIT_BLOCK64; B * CLINIT_BLOCK64 < hi; B++) {
        uint64_t first = B * CLINIT_BLOCK64;
        uint64_t a = first < lo ? lo : first;
        uint64_t e = first + CLINIT_BLOCK64 > hi ? hi : first + CLINIT_BLOCK64;
        double v[CLINIT_BLOCK64];
        if (p->dist == CLINIT_DIST_PATTERN)
            memset(v, 0, sizeof v);
        else
            block64(p, B, v);
        for (uint64_t i = a; i < e; i++)
            out[i - lo] = structural(p, i, v[i - first]);
    }
}
