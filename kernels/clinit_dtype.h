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

/* FP8 bits of v (in the low 8 bits of each lane), round to nearest even,
 * the same integer method as clinit_f16_bits: normal results by integer
 * arithmetic on the f32 bits (shift = 23 - mantissa bits, ebias = (127 -
 * bias) << 23, nmin = the f32 bits of the smallest normal), subnormal ones
 * by one IEEE addition of sub (|v| + sub rounds |v| to a multiple of the
 * subnormal unit; sub's own bits are subtracted after). Magnitudes past
 * the largest finite value (hmax) give hmax: validation keeps every fill
 * inside the finite range (CLINIT_ESUPPORT), so this never triggers for a
 * value clinit writes, and no bit pattern written is an infinity or NaN. */
CLINIT_FN clinit_vu clinit_f8_bits_(clinit_vf v, clinit_u32 shift,
                                    clinit_u32 ebias, clinit_u32 nmin,
                                    float sub, clinit_u32 hmax)
{
    clinit_vu u = CLINIT_AS_U(v);
    clinit_vu sign = (u >> 24) & CLINIT_VU(0x80u);
    clinit_vu a = u & CLINIT_VU(0x7fffffffu);
    clinit_vu norm = (a - CLINIT_VU(ebias) +
                      CLINIT_VU((1u << (shift - 1)) - 1u) +
                      ((a >> shift) & CLINIT_VU(1u))) >>
                     shift;
    clinit_vu subn =
        CLINIT_AS_U(CLINIT_AS_F(a) + CLINIT_VF(sub)) - CLINIT_AS_U(CLINIT_VF(sub));
    clinit_vu h = CLINIT_SEL(a < CLINIT_VU(nmin), subn, norm);
    h = CLINIT_SEL(h > CLINIT_VU(hmax), CLINIT_VU(hmax), h);
    return sign | h;
}

/* OCP E4M3FN: bias 7, 3 mantissa bits, subnormal unit 2^-9, largest 448
 * (0x7e; 0x7f is NaN, there is no infinity). */
CLINIT_FN clinit_vu clinit_f8e4m3_bits(clinit_vf v)
{
    return clinit_f8_bits_(v, 20u, 120u << 23, 121u << 23, 0x1p14f, 0x7eu);
}

/* OCP E5M2: bias 15, 2 mantissa bits, subnormal unit 2^-16, largest 57344
 * (0x7b; 0x7c is infinity). */
CLINIT_FN clinit_vu clinit_f8e5m2_bits(clinit_vf v)
{
    return clinit_f8_bits_(v, 21u, 112u << 23, 113u << 23, 0x1p7f, 0x7bu);
}

/* The dtypes stored as the integer bits of a rounded f32 value, one row
 * each: X(A, id, name, storage type on OpenCL, bytes, rounding, widening,
 * overflow, OpenCL store), A the caller's own argument. id is
 * include/clinit.h's clinit_dtype value (tests/test_fp8.c checks); rounding
 * is the function above that the CPU backend runs; widening (host only,
 * below) gives a pattern's exact value; overflow is where rounding to
 * nearest passes the largest finite value (it plus half a step); the
 * OpenCL store is `bits` (the rounding function, as on the CPU) or `half`
 * (vstore_half_rte, the device's own conversion, which gives exactly
 * clinit_f16_bits' bits: tests/test_dtypes.c). */
#define CLINIT_BITS_DTYPE_LIST(X, A)                                           \
    X(A, 1, f16, ushort, 2, clinit_f16_bits, clinit_f32_from_f16, 65520.0,     \
      half)                                                                    \
    X(A, 2, bf16, ushort, 2, clinit_bf16_bits, clinit_f32_from_bf16,           \
      0x1.ffp127, bits)                                                        \
    X(A, 4, f8e4m3, uchar, 1, clinit_f8e4m3_bits, clinit_f32_from_f8e4m3,      \
      464.0, bits)                                                             \
    X(A, 5, f8e5m2, uchar, 1, clinit_f8e5m2_bits, clinit_f32_from_f8e5m2,      \
      61440.0, bits)

/* ---- C: a block's rounded lanes as stored (src/cpu/kernels.c) ---------
 * <rounding>_narrow(v): the rounding of CLINIT_BITS_DTYPE_LIST's row as
 * the dtype's own lanes (clinit_vh: 16-bit, clinit_vb: 8-bit), the same
 * bits as truncating each 32-bit lane of <rounding>(v) (whose values fit:
 * at most 0xffff and 0xff); AVX2 packs them with unsigned saturation, two
 * instructions. On x86 vectors with F16C, f16 is the instruction vcvtps2ph
 * with round to nearest even (imm 0), 16-bit lanes at once: the same bits
 * as clinit_f16_bits for every f32 value but NaN (tests/test_value_bits.c,
 * all 2^32 - 2^24 non-NaN patterns; NaN becomes a quiet NaN there,
 * infinity in clinit_f16_bits, and no generator returns NaN). With
 * MXCSR's DAZ set it would zero f32 subnormal inputs, which round to a
 * zero half anyway. */
#if !CLINIT_OPENCL
#if CLINIT_C_VECTORS
typedef uint16_t clinit_vh __attribute__((vector_size(2 * CLINIT_VLANES)));
typedef uint8_t clinit_vb __attribute__((vector_size(CLINIT_VLANES)));
CLINIT_FN clinit_vh clinit_narrow16_(clinit_vu x) /* lanes <= 0xffff */
{
#if CLINIT_VLANES == 8 && defined(__AVX2__)
    __m256i y = (__m256i)x;
    return (clinit_vh)_mm_packus_epi32(_mm256_castsi256_si128(y),
                                       _mm256_extracti128_si256(y, 1));
#else
    return __builtin_convertvector(x, clinit_vh);
#endif
}
CLINIT_FN clinit_vb clinit_narrow8_(clinit_vu x) /* lanes <= 0xff */
{
#if CLINIT_VLANES == 8 && defined(__AVX2__)
    __m128i h = (__m128i)clinit_narrow16_(x);
    __m128i b = _mm_packus_epi16(h, h);
    clinit_vb r;
    memcpy(&r, &b, sizeof r);
    return r;
#else
    return __builtin_convertvector(x, clinit_vb);
#endif
}
CLINIT_FN clinit_vh clinit_f16_bits_narrow(clinit_vf v)
{
#if defined(__F16C__) && CLINIT_VLANES == 8
    return (clinit_vh)_mm256_cvtps_ph((__m256)v, _MM_FROUND_TO_NEAREST_INT);
#elif defined(__AVX512F__) && CLINIT_VLANES == 16
    return (clinit_vh)_mm512_cvtps_ph((__m512)v, _MM_FROUND_TO_NEAREST_INT);
#else
    return clinit_narrow16_(clinit_f16_bits(v));
#endif
}
#else /* scalar C */
typedef uint16_t clinit_vh;
typedef uint8_t clinit_vb;
#define clinit_narrow16_(x) ((clinit_vh)(x))
#define clinit_narrow8_(x) ((clinit_vb)(x))
CLINIT_FN clinit_vh clinit_f16_bits_narrow(clinit_vf v)
{
    return clinit_narrow16_(clinit_f16_bits(v));
}
#endif
CLINIT_FN clinit_vh clinit_bf16_bits_narrow(clinit_vf v)
{
    return clinit_narrow16_(clinit_bf16_bits(v));
}
CLINIT_FN clinit_vb clinit_f8e4m3_bits_narrow(clinit_vf v)
{
    return clinit_narrow8_(clinit_f8e4m3_bits(v));
}
CLINIT_FN clinit_vb clinit_f8e5m2_bits_narrow(clinit_vf v)
{
    return clinit_narrow8_(clinit_f8e5m2_bits(v));
}

/* Host helpers: widen 16-bit and 8-bit patterns back to float, exactly. */
static inline float clinit_f32_from_f8_(uint8_t h, unsigned mbits, int bias,
                                        int has_inf)
{
    float sign = (h & 0x80u) ? -1.0f : 1.0f;
    unsigned e = (h & 0x7fu) >> mbits, m = h & ((1u << mbits) - 1u);
    unsigned emax = (0x7fu >> mbits);
    if (e == emax && (has_inf || m == (1u << mbits) - 1u)) /* inf or NaN */
        return has_inf && m == 0 ? sign * INFINITY : NAN;
    if (e == 0) /* zero or subnormal: m * 2^(1 - bias - mbits), exact */
        return sign * ldexpf((float)m, 1 - bias - (int)mbits);
    return sign * ldexpf((float)((1u << mbits) + m), (int)e - bias - (int)mbits);
}
static inline float clinit_f32_from_f8e4m3(uint8_t h)
{
    return clinit_f32_from_f8_(h, 3, 7, 0);
}
static inline float clinit_f32_from_f8e5m2(uint8_t h)
{
    return clinit_f32_from_f8_(h, 2, 15, 1);
}

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
