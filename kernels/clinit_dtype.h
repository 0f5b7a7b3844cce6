/* clinit_dtype.h - rounding f32 values to the 16-bit storage dtypes.
 *
 * Values of f32, f16 and bf16 tensors are computed in f32 and rounded once,
 * at the store, to nearest even. bf16 rounds by integer arithmetic here
 * (both paths). f16 rounds with OpenCL's vstore_half_rte on devices (no
 * cl_khr_fp16 needed) and with clinit_f16_bits below on the CPU path, which
 * gives the same bits (tests/test_dtypes.c). Inputs are finite (the
 * generators never produce NaN); magnitudes past the dtype's range round
 * to infinity, as IEEE conversion does.
 */
#ifndef CLINIT_DTYPE_H
#define CLINIT_DTYPE_H

#include "clinit_features.h"

/* bf16 bits of v (in the low 16 bits of each lane), round to nearest
 * even. */
CLINIT_FN clinit_vu clinit_bf16_bits(clinit_vf v)
{
    clinit_vu u = CLINIT_AS_U(v);
    return (u + CLINIT_VU(0x7fffu) + ((u >> 16) & CLINIT_VU(1u))) >> 16;
}

/* f16 bits of v, round to nearest even, branch-free so the CPU loops
 * vectorize. Normal halves round by integer arithmetic on the f32 bits;
 * subnormal halves (|v| < 2^-14) by an IEEE addition: |v| + 0.5 rounds
 * |v| to a multiple of 2^-24, the subnormal half's unit. */
CLINIT_FN clinit_vu clinit_f16_bits(clinit_vf v)
{
    clinit_vu u = CLINIT_AS_U(v);
    clinit_vu sign = (u >> 16) & CLINIT_VU(0x8000u);
    clinit_vu a = u & CLINIT_VU(0x7fffffffu);
    clinit_vu norm = (a - CLINIT_VU(0x38000000u) + CLINIT_VU(0xfffu) +
                      ((a >> 13) & CLINIT_VU(1u))) >>
                     13;
    clinit_vu sub =
        CLINIT_AS_U(CLINIT_AS_F(a) + CLINIT_VF(0.5f)) - CLINIT_VU(0x3f000000u);
    clinit_vu h = CLINIT_SEL(a < CLINIT_VU(0x38800000u), sub, norm);
    h = CLINIT_SEL(a >= CLINIT_VU(0x477ff000u), CLINIT_VU(0x7c00u), h);
    return sign | h;
}

#if !CLINIT_OPENCL
/* Host helpers: widen 16-bit patterns back to float, exactly. */
static inline float clinit_f32_from_bf16(uint16_t h)
{
    return CLINIT_F32_OF_BITS((uint32_t)h << 16);
}

static inline float clinit_f32_from_f16(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
    if (e == 0x1f)
        return CLINIT_F32_OF_BITS(sign | 0x7f800000u | (m << 13));
    if (e == 0) /* zero or subnormal: m * 2^-24, exact in float */
        return CLINIT_F32_OF_BITS(sign) + (sign ? -1.0f : 1.0f) * (float)m * 0x1p-24f;
    return CLINIT_F32_OF_BITS(sign | ((e + 112) << 23) | (m << 13));
}
#endif

#endif /* CLINIT_DTYPE_H */
