/* cpu_kernels.c - the CPU path's inner loops, compiled once per
 * instruction set (src/cpu_kernels_*.c define CLINIT_ISA and include this
 * file; CMakeLists.txt gives each its -march) and chosen at run time in
 * cpu.c. Every variant computes the same bits: the math is kernels/'s, fma
 * is exactly rounded whether an instruction or a libm call, and
 * contraction is off. */
#include "clinit_internal.h"
#include "clinit_stream.h"

#ifndef CLINIT_ISA
#define CLINIT_ISA generic
#endif
#define CLINIT_CAT2_(a, b) a##_##b
#define CLINIT_CAT_(a, b) CLINIT_CAT2_(a, b)
#define CLINIT_KNAME(name) CLINIT_CAT_(name, CLINIT_ISA)

/* Values of the nb whole blocks B0 .. B0 + nb - 1, 64 floats each, in slot
 * order, to out. */
void CLINIT_KNAME(clinit_cpu_blocks_f32)(const clinit_plan *p, uint64_t B0,
                                         uint64_t nb, float *out)
{
    const float p0 = p->p0, p1 = p->p1, p2 = p->p2;
    const uint32_t k0 = p->k0, k1 = p->k1, s0 = p->s0, s1 = p->s1;
    const int uniform = p->dist == CLINIT_DIST_UNIFORM;
    for (uint64_t b = 0; b < nb; b++) {
        uint32_t x0[CLINIT_LANES], x1[CLINIT_LANES], x2[CLINIT_LANES],
            x3[CLINIT_LANES];
        float *v = out + b * CLINIT_BLOCK32;
        for (uint32_t l = 0; l < CLINIT_LANES; l++) {
            uint32_t w[4];
            clinit_block_words(B0 + b, l, CLINIT_DOMAIN_VALUES, k0, k1, s0, s1,
                               w);
            x0[l] = w[0];
            x1[l] = w[1];
            x2[l] = w[2];
            x3[l] = w[3];
        }
        if (uniform) {
            for (int l = 0; l < CLINIT_LANES; l++) {
                v[l] = clinit_uniform_f32(x0[l], p0, p1, p2);
                v[16 + l] = clinit_uniform_f32(x1[l], p0, p1, p2);
                v[32 + l] = clinit_uniform_f32(x2[l], p0, p1, p2);
                v[48 + l] = clinit_uniform_f32(x3[l], p0, p1, p2);
            }
        } else {
            for (int l = 0; l < CLINIT_LANES; l++) {
                float a, c, d, e;
                clinit_normal_pair_f32(x0[l], x1[l], p0, p1, &a, &c);
                clinit_normal_pair_f32(x2[l], x3[l], p0, p1, &d, &e);
                v[l] = a;
                v[16 + l] = c;
                v[32 + l] = d;
                v[48 + l] = e;
            }
        }
    }
}
