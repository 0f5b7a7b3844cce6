/* cpu_kernels.c - the CPU path's inner loops, compiled once per
 * instruction set (src/cpu_kernels_*.c define CLINIT_ISA and include this
 * file; CMakeLists.txt gives each its -march) and chosen at run time in
 * cpu.c. Every variant computes the same bits: the math is kernels/'s, fma
 * is exactly rounded whether an instruction or a libm call, and
 * contraction is off. Lane l of a block here is lane l of an OpenCL
 * work-item's vectors. */
#include <string.h>

#include "clinit_dtype.h"
#include "clinit_internal.h"
#include "clinit_stream.h"

#ifndef CLINIT_ISA
#define CLINIT_ISA generic
#endif
#define CLINIT_CAT2_(a, b) a##_##b
#define CLINIT_CAT_(a, b) CLINIT_CAT2_(a, b)
#define CLINIT_KNAME(name) CLINIT_CAT_(name, CLINIT_ISA)

#define L CLINIT_LANES

/* The four words of each lane of block B. */
static inline void words(const clinit_plan *p, uint64_t B, uint32_t domain,
                         uint32_t x[4][L])
{
    for (uint32_t l = 0; l < L; l++) {
        uint32_t w[4];
        clinit_block_words(B, l, domain, p->key[0], p->key[1], p->key[2],
                           p->key[3], w);
        x[0][l] = w[0];
        x[1][l] = w[1];
        x[2][l] = w[2];
        x[3][l] = w[3];
    }
}

static void uniform_blocks(const clinit_plan *p, uint64_t B0, uint64_t nb,
                           float *out)
{
    const float lo = p->p[0], scale = p->p[1], top = p->p[2], bottom = p->p[3];
    for (uint64_t b = 0; b < nb; b++) {
        uint32_t x[4][L];
        float *v = out + b * CLINIT_BLOCK32;
        words(p, B0 + b, CLINIT_DOMAIN_VALUES, x);
        for (int l = 0; l < L; l++) {
            v[l] = clinit_uniform_f32(x[0][l], lo, scale, top, bottom);
            v[L + l] = clinit_uniform_f32(x[1][l], lo, scale, top, bottom);
            v[2 * L + l] = clinit_uniform_f32(x[2][l], lo, scale, top, bottom);
            v[3 * L + l] = clinit_uniform_f32(x[3][l], lo, scale, top, bottom);
        }
    }
}

static void normal_blocks(const clinit_plan *p, uint64_t B0, uint64_t nb,
                          float *out)
{
    const float mean = p->p[0], std = p->p[1];
    for (uint64_t b = 0; b < nb; b++) {
        uint32_t x[4][L];
        float *v = out + b * CLINIT_BLOCK32;
        words(p, B0 + b, CLINIT_DOMAIN_VALUES, x);
        for (int l = 0; l < L; l++) {
            float a, c, d, e;
            clinit_normal_pair_f32(x[0][l], x[1][l], mean, std, &a, &c);
            clinit_normal_pair_f32(x[2][l], x[3][l], mean, std, &d, &e);
            v[l] = a;
            v[L + l] = c;
            v[2 * L + l] = d;
            v[3 * L + l] = e;
        }
    }
}

static void truncated_blocks(const clinit_plan *p, uint64_t B0, uint64_t nb,
                             float *out)
{
    const float *q = p->p;
    for (uint64_t b = 0; b < nb; b++) {
        uint32_t x[4][L];
        float *v = out + b * CLINIT_BLOCK32;
        words(p, B0 + b, CLINIT_DOMAIN_VALUES, x);
        for (int w = 0; w < 4; w++)
            for (int l = 0; l < L; l++)
                v[w * L + l] =
                    clinit_truncated_f32(x[w][l], q[0], q[1], q[2], q[3], q[4],
                                         q[5], q[6], q[7], q[8], q[9]);
    }
}

static void sparse_blocks(const clinit_plan *p, uint64_t B0, uint64_t nb,
                          float *out)
{
    const uint64_t cols = p->q[0];
    const uint32_t rows = (uint32_t)p->q[1], nz = (uint32_t)p->q[2],
                   h = (uint32_t)p->q[3];
    const uint32_t k0 = (uint32_t)p->q[4], k1 = (uint32_t)(p->q[4] >> 32),
                   k2 = (uint32_t)p->q[5], k3 = (uint32_t)(p->q[5] >> 32);
    normal_blocks(p, B0, nb, out);
    for (uint64_t j = 0; j < nb * CLINIT_BLOCK32; j++) {
        uint64_t i = B0 * CLINIT_BLOCK32 + j;
        uint32_t r = (uint32_t)(i / cols), c = (uint32_t)(i % cols);
        if (clinit_sparse_perm(r, clinit_mix32(c), rows, h, k0, k1, k2, k3) <
            nz)
            out[j] = 0.0f;
    }
}

static void pattern_blocks(const clinit_plan *p, uint64_t B0, uint64_t nb,
                           float *out)
{
    const uint64_t *q = p->q;
    for (uint64_t j = 0; j < nb * CLINIT_BLOCK32; j++) {
        uint64_t i = B0 * CLINIT_BLOCK32 + j;
        out[j] =
            clinit_pattern_one(i, q[0], q[1], q[2], q[3], q[4]) ? 1.0f : 0.0f;
    }
}

/* Values of the nb whole blocks B0 .. B0 + nb - 1 of a 32-bit-word dtype,
 * 64 per block in slot order, as f32 (rounded to the dtype by
 * clinit_cpu_round16_*). */
void CLINIT_KNAME(clinit_cpu_blocks32)(const clinit_plan *p, uint64_t B0,
                                       uint64_t nb, float *out)
{
    switch (p->dist) {
    case CLINIT_DIST_UNIFORM:
        uniform_blocks(p, B0, nb, out);
        break;
    case CLINIT_DIST_NORMAL:
        normal_blocks(p, B0, nb, out);
        break;
    case CLINIT_DIST_TRUNCATED:
        truncated_blocks(p, B0, nb, out);
        break;
    case CLINIT_DIST_SPARSE:
        sparse_blocks(p, B0, nb, out);
        break;
    case CLINIT_DIST_PATTERN:
        pattern_blocks(p, B0, nb, out);
        break;
    default: /* constant and orthogonal never come here */
        memset(out, 0, (size_t)(nb * CLINIT_BLOCK32) * sizeof *out);
        break;
    }
}

/* n f32 values rounded to f16 or bf16 bits. */
void CLINIT_KNAME(clinit_cpu_round16)(clinit_dtype dt, const float *v, size_t n,
                                      uint16_t *out)
{
    if (dt == CLINIT_F16)
        for (size_t i = 0; i < n; i++)
            out[i] = (uint16_t)clinit_f16_bits(v[i]);
    else
        for (size_t i = 0; i < n; i++)
            out[i] = (uint16_t)clinit_bf16_bits(v[i]);
}
