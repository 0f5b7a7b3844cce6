/* clinit_features.h - one vocabulary for C99 and OpenCL C.
 *
 * Every value-producing routine in kernels/ is written once against the
 * types and operations below. OpenCL C compiles them on CLINIT_LANES-wide
 * vectors (one vector lane per Philox counter); C99 compiles them on
 * scalars and the CPU path calls them in a loop over the lanes, which the
 * compiler may vectorize. Only operations that both compilers must round
 * identically appear here: integer ops, + - *, fma, bit casts and int->float
 * conversion (round to nearest even). Signed zeros and the order of
 * operations are part of the contract.
 *
 * Caveats of the vocabulary: CLINIT_AS_I takes a clinit_vu (a bit
 * reinterpretation; C wraps like OpenCL's as_int16), CLINIT_I2F takes a
 * clinit_vi, CLINIT_AS_F/AS_U convert between clinit_vu and clinit_vf only.
 * Comparisons are 0/1 in C and 0/-1 per lane in OpenCL: use them only
 * inside CLINIT_SEL, never in arithmetic.
 * Floating-point contraction is off in both (see the pragma below and the
 * -ffp-contract=off flag in CMakeLists.txt).
 */
#ifndef CLINIT_FEATURES_H
#define CLINIT_FEATURES_H

#if defined(__OPENCL_C_VERSION__) || defined(__OPENCL_VERSION__)
#define CLINIT_OPENCL 1
#else
#define CLINIT_OPENCL 0
#endif
#ifndef CLINIT_C_VECTORS
#define CLINIT_C_VECTORS 0 /* scalar C unless the includer asks for vectors */
#endif

/* Counters per work-item vector / per C lane loop. Part of the stream
 * contract (docs/STREAM.md): never change it. */
#define CLINIT_LANES 16

#if CLINIT_OPENCL

#pragma OPENCL FP_CONTRACT OFF
#if defined(__FAST_RELAXED_MATH__)
#error "clinit kernels must not be built with -cl-fast-relaxed-math"
#endif
#if defined(cl_khr_fp64)
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#define CLINIT_HAVE_F64 1
#else
#define CLINIT_HAVE_F64 0
#endif

typedef uint clinit_u32;
typedef ulong clinit_u64;
typedef int clinit_i32;
#define CLINIT_FN static inline
/* private-memory pointer (the default address space in OpenCL C 1.2) */
#define CLINIT_PRIV
#define CLINIT_MULHILO(a, b, hi, lo)                                           \
    do {                                                                       \
        (hi) = mul_hi((a), (b));                                               \
        (lo) = (a) * (b);                                                      \
    } while (0)
#define CLINIT_FMA(a, b, c) fma((a), (b), (c))
/* CLINIT_MIN_F(a, b) = a < b ? a : b, CLINIT_MAX_F(a, b) = a > b ? a : b,
 * lane-wise on clinit_vf (never fmin / fmax: their choice between signed
 * zeros is unspecified); C's x86 vectors use minps / maxps, which return
 * exactly these (the second operand unless the comparison holds). */
#define CLINIT_MIN_F(a, b) CLINIT_SEL((a) < (b), (a), (b))
#define CLINIT_MAX_F(a, b) CLINIT_SEL((a) > (b), (a), (b))

/* CLINIT_OCL_LANES (a build option): 16 = the CPU-shaped variant, one
 * work-item per block with a 16-lane vector of counters; 1 = the
 * GPU-shaped variant, one counter (block lane) per work-item, scalar
 * values (kernels/clinit_fill.cl). The same functions, the same bits. */
#ifndef CLINIT_OCL_LANES
#define CLINIT_OCL_LANES 16
#endif
#if CLINIT_OCL_LANES == 16
#define CLINIT_VLANES 16 /* lanes per vector: one work-item's counters */
typedef uint16 clinit_vu; /* one 32-bit word per lane */
typedef int16 clinit_vi;
typedef float16 clinit_vf;
#define CLINIT_VU(s) ((clinit_vu)(s))
#define CLINIT_VI(s) ((clinit_vi)(s))
#define CLINIT_VF(s) ((clinit_vf)(s))
/* c is the result of a vector comparison (all bits set where true) */
#define CLINIT_SEL(c, a, b) select((b), (a), (c))
/* true if the comparison holds in any lane */
#define CLINIT_ANY(c) any(c)
#define CLINIT_AS_F(x) as_float16(x)
#define CLINIT_AS_U(x) as_uint16(x)
#define CLINIT_AS_I(x) as_int16(x)
#define CLINIT_I2F(x) convert_float16(x) /* round to nearest even */
/* lane index vector 0..15 */
#define CLINIT_LANE_IDS                                                        \
    ((clinit_vu)(0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u, 11u, 12u, 13u,   \
                 14u, 15u))
#elif CLINIT_OCL_LANES == 1
#define CLINIT_VLANES 1
typedef uint clinit_vu;
typedef int clinit_vi;
typedef float clinit_vf;
#define CLINIT_VU(s) ((clinit_vu)(s))
#define CLINIT_VI(s) ((clinit_vi)(s))
#define CLINIT_VF(s) ((clinit_vf)(s))
/* scalar comparisons are 0 / 1: a plain choice */
#define CLINIT_SEL(c, a, b) ((c) ? (a) : (b))
#define CLINIT_ANY(c) (c)
#define CLINIT_AS_F(x) as_float(x)
#define CLINIT_AS_U(x) as_uint(x)
#define CLINIT_AS_I(x) as_int(x)
#define CLINIT_I2F(x) convert_float(x) /* round to nearest even */
#define CLINIT_LANE_IDS 0u
#else
#error "CLINIT_OCL_LANES must be 16 or 1"
#endif
/* CLINIT_MUL_WIDE (a build option, host/ocl.c: CPU devices, the 16-lane
 * kernels): hi:lo as the C path's x86 vectors compute them (clinit_mulhilo_
 * below): the words as 64-bit lanes, one 32x32->64 product of the even
 * words and one of the odd ones (shifted down), masked and merged back,
 * which CPU compilers turn into vpmuludq and no shuffles; pocl's mul_hi on
 * uint16 is four 16-bit partial products per lane. The same bits either
 * way; GPUs keep mul_hi, their native instruction. */
#if defined(CLINIT_MUL_WIDE) && CLINIT_VLANES == 16
#undef CLINIT_MULHILO
#define CLINIT_MULHILO(a, b, hi, lo)                                           \
    do {                                                                       \
        const ulong8 m_ = (ulong8)0xfffffffful;                                \
        ulong8 a_ = as_ulong8(a), b_ = as_ulong8(b);                           \
        ulong8 pe_ = (a_ & m_) * (b_ & m_);                                    \
        ulong8 po_ = (a_ >> 32) * (b_ >> 32);                                  \
        (hi) = as_uint16((pe_ >> 32) | (po_ & ~m_));                           \
        (lo) = as_uint16((pe_ & m_) | (po_ << 32));                            \
    } while (0)
#endif

#elif CLINIT_C_VECTORS /* C with explicit vectors of CLINIT_C_VECTORS lanes */

/* The CPU backend's kernels (src/cpu/kernels.c) define CLINIT_C_VECTORS
 * to a lane count W (the instruction set's native vector of 32-bit lanes,
 * or of 64-bit lanes for the f64 pipeline) before including any kernels/
 * header: every clinit_v* type is then a GCC/Clang vector of W lanes, and
 * the operations below are lane-wise with OpenCL's semantics (comparisons
 * give 0 / -1 per lane). A 16-counter block is W lanes at a time
 * (CLINIT_VLANES). The compiler emits vector code because the types are
 * native vectors, not because a loop was auto-vectorized (GCC lowers wider
 * than native vectors' comparisons to scalar code, hence W = native). fma
 * is the ISA's fused multiply-add where it has one (one rounding, as
 * OpenCL's fma), else C99's fmaf lane by lane. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <immintrin.h>
#endif

#if defined(__FAST_MATH__)
#error "clinit must not be built with -ffast-math: values would change"
#endif
#if !defined(__GNUC__)
#error "CLINIT_C_VECTORS needs GCC or Clang vector extensions"
#endif

#define CLINIT_VLANES CLINIT_C_VECTORS
#define CLINIT_HAVE_F64 1
typedef uint32_t clinit_u32;
typedef uint64_t clinit_u64;
typedef int32_t clinit_i32;
typedef uint32_t clinit_vu __attribute__((vector_size(4 * CLINIT_VLANES)));
typedef int32_t clinit_vi __attribute__((vector_size(4 * CLINIT_VLANES)));
typedef float clinit_vf __attribute__((vector_size(4 * CLINIT_VLANES)));
typedef uint64_t clinit_vul __attribute__((vector_size(8 * CLINIT_VLANES)));
typedef int64_t clinit_vl __attribute__((vector_size(8 * CLINIT_VLANES)));
typedef double clinit_vd __attribute__((vector_size(8 * CLINIT_VLANES)));
#define CLINIT_FN static inline __attribute__((always_inline))
#define CLINIT_PRIV

#if CLINIT_VLANES == 1
#define CLINIT_SPLAT_(T, s) ((T){(s)})
#define CLINIT_IOTA_ {0u}
#elif CLINIT_VLANES == 2
#define CLINIT_SPLAT_(T, s) ((T){(s), (s)})
#define CLINIT_IOTA_ {0u, 1u}
#elif CLINIT_VLANES == 4
#define CLINIT_SPLAT_(T, s) ((T){(s), (s), (s), (s)})
#define CLINIT_IOTA_ {0u, 1u, 2u, 3u}
#elif CLINIT_VLANES == 8
#define CLINIT_SPLAT_(T, s) ((T){(s), (s), (s), (s), (s), (s), (s), (s)})
#define CLINIT_IOTA_ {0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u}
#elif CLINIT_VLANES == 16
#define CLINIT_SPLAT_(T, s)                                                    \
    ((T){(s), (s), (s), (s), (s), (s), (s), (s), (s), (s), (s), (s), (s), (s),  \
         (s), (s)})
#define CLINIT_IOTA_                                                           \
    {0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u, 11u, 12u, 13u, 14u, 15u}
#else
#error "CLINIT_C_VECTORS must be 1, 2, 4, 8 or 16"
#endif
/* lane index vector 0 .. W - 1 */
#define CLINIT_LANE_IDS ((clinit_vu)CLINIT_IOTA_)

CLINIT_FN clinit_vu clinit_vu_(clinit_u32 s) { return CLINIT_SPLAT_(clinit_vu, s); }
CLINIT_FN clinit_vi clinit_vi_(clinit_i32 s) { return CLINIT_SPLAT_(clinit_vi, s); }
CLINIT_FN clinit_vf clinit_vf_(float s) { return CLINIT_SPLAT_(clinit_vf, s); }
CLINIT_FN clinit_vd clinit_vd_(double s) { return CLINIT_SPLAT_(clinit_vd, s); }
CLINIT_FN clinit_vul clinit_vul_(uint64_t s) { return CLINIT_SPLAT_(clinit_vul, s); }
CLINIT_FN clinit_vl clinit_vl_(int64_t s) { return CLINIT_SPLAT_(clinit_vl, s); }
#define CLINIT_VU(s) clinit_vu_(s)
#define CLINIT_VI(s) clinit_vi_(s)
#define CLINIT_VF(s) clinit_vf_(s)

/* hi:lo = a * b, the 64-bit products of 32-bit lanes. On x86 one unsigned
 * 32x32->64 multiply per pair of lanes (the even lanes, then the odd ones
 * shifted down) gives both halves, blended back together. */
CLINIT_FN void clinit_mulhilo_(clinit_vu a, clinit_vu b, clinit_vu *hi,
                               clinit_vu *lo)
{
#if CLINIT_VLANES == 16 && defined(__AVX512F__)
    __m512i x = (__m512i)a, y = (__m512i)b;
    __m512i pe = _mm512_mul_epu32(x, y);
    __m512i po = _mm512_mul_epu32(_mm512_srli_epi64(x, 32),
                                  _mm512_srli_epi64(y, 32));
    *hi = (clinit_vu)_mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(pe, 32),
                                             po);
    *lo = (clinit_vu)_mm512_mask_blend_epi32(0xAAAA, pe,
                                             _mm512_slli_epi64(po, 32));
#elif CLINIT_VLANES == 8 && defined(__AVX2__)
    __m256i x = (__m256i)a, y = (__m256i)b;
    __m256i pe = _mm256_mul_epu32(x, y);
    __m256i po = _mm256_mul_epu32(_mm256_srli_epi64(x, 32),
                                  _mm256_srli_epi64(y, 32));
    *hi = (clinit_vu)_mm256_blend_epi32(_mm256_srli_epi64(pe, 32), po, 0xAA);
    *lo = (clinit_vu)_mm256_blend_epi32(pe, _mm256_slli_epi64(po, 32), 0xAA);
#elif CLINIT_VLANES == 4 && defined(__SSE2__)
    __m128i x = (__m128i)a, y = (__m128i)b;
    __m128i pe = _mm_mul_epu32(x, y);
    __m128i po = _mm_mul_epu32(_mm_srli_epi64(x, 32), _mm_srli_epi64(y, 32));
    __m128i odd = _mm_set_epi32(-1, 0, -1, 0);
    *hi = (clinit_vu)_mm_or_si128(_mm_andnot_si128(odd, _mm_srli_epi64(pe, 32)),
                                  _mm_and_si128(odd, po));
    *lo = (clinit_vu)_mm_or_si128(_mm_andnot_si128(odd, pe),
                                  _mm_and_si128(odd, _mm_slli_epi64(po, 32)));
#else
    clinit_vul p = __builtin_convertvector(a, clinit_vul) *
                   __builtin_convertvector(b, clinit_vul);
    *hi = __builtin_convertvector(p >> 32, clinit_vu);
    *lo = a * b;
#endif
}
#define CLINIT_MULHILO(a, b, hi, lo) clinit_mulhilo_((a), (b), &(hi), &(lo))
/* c: a lane-wise comparison (0 / -1, the width of a's lanes); a bit-wise
 * blend, as OpenCL's select */
#if CLINIT_VLANES == 1
/* one lane: a branch, so the compiler may skip the side not taken */
#define CLINIT_SEL(c, a, b) ((c)[0] ? (a) : (b))
#else
#define CLINIT_SEL(c, a, b)                                                    \
    ((__typeof__(a))(((__typeof__(c))(a) & (c)) |                              \
                     ((__typeof__(c))(b) & ~(c))))
#endif
CLINIT_FN int clinit_any_(clinit_vi c)
{
#if CLINIT_VLANES == 16 && defined(__AVX512F__)
    return _mm512_test_epi32_mask((__m512i)c, (__m512i)c) != 0;
#elif CLINIT_VLANES == 8 && defined(__AVX__)
    return !_mm256_testz_si256((__m256i)c, (__m256i)c); /* one vptest */
#elif CLINIT_VLANES == 4 && defined(__SSE4_1__)
    return !_mm_testz_si128((__m128i)c, (__m128i)c);
#else
    clinit_i32 r = 0;
    for (int l = 0; l < CLINIT_VLANES; l++)
        r |= c[l];
    return r != 0;
#endif
}
#define CLINIT_ANY(c) clinit_any_(c)
CLINIT_FN clinit_vf clinit_vas_f_(clinit_vu x) { return (clinit_vf)x; }
CLINIT_FN clinit_vu clinit_vas_u_(clinit_vf x) { return (clinit_vu)x; }
CLINIT_FN clinit_vi clinit_vas_i_(clinit_vu x) { return (clinit_vi)x; }
CLINIT_FN clinit_vf clinit_i2f_(clinit_vi x)
{
    return __builtin_convertvector(x, clinit_vf); /* round to nearest even */
}
#define CLINIT_AS_F(x) clinit_vas_f_(x)
#define CLINIT_AS_U(x) clinit_vas_u_(x)
#define CLINIT_AS_I(x) clinit_vas_i_(x)
#define CLINIT_I2F(x) clinit_i2f_(x)

CLINIT_FN clinit_vf clinit_fma_(clinit_vf a, clinit_vf b, clinit_vf c)
{
#if CLINIT_VLANES == 16 && defined(__AVX512F__)
    return (clinit_vf)_mm512_fmadd_ps((__m512)a, (__m512)b, (__m512)c);
#elif CLINIT_VLANES == 8 && defined(__FMA__)
    return (clinit_vf)_mm256_fmadd_ps((__m256)a, (__m256)b, (__m256)c);
#elif CLINIT_VLANES == 4 && defined(__FMA__)
    return (clinit_vf)_mm_fmadd_ps((__m128)a, (__m128)b, (__m128)c);
#else
    clinit_vf r;
    for (int l = 0; l < CLINIT_VLANES; l++)
        r[l] = fmaf(a[l], b[l], c[l]);
    return r;
#endif
}
#define CLINIT_FMA(a, b, c) clinit_fma_((a), (b), (c))

/* a < b ? a : b and a > b ? a : b lane-wise (OpenCL's CLINIT_MIN_F) */
CLINIT_FN clinit_vf clinit_min_f_(clinit_vf a, clinit_vf b)
{
#if CLINIT_VLANES == 16 && defined(__AVX512F__)
    return (clinit_vf)_mm512_min_ps((__m512)a, (__m512)b);
#elif CLINIT_VLANES == 8 && defined(__AVX__)
    return (clinit_vf)_mm256_min_ps((__m256)a, (__m256)b);
#elif CLINIT_VLANES == 4 && defined(__SSE__)
    return (clinit_vf)_mm_min_ps((__m128)a, (__m128)b);
#else
    return CLINIT_SEL(a < b, a, b);
#endif
}
CLINIT_FN clinit_vf clinit_max_f_(clinit_vf a, clinit_vf b)
{
#if CLINIT_VLANES == 16 && defined(__AVX512F__)
    return (clinit_vf)_mm512_max_ps((__m512)a, (__m512)b);
#elif CLINIT_VLANES == 8 && defined(__AVX__)
    return (clinit_vf)_mm256_max_ps((__m256)a, (__m256)b);
#elif CLINIT_VLANES == 4 && defined(__SSE__)
    return (clinit_vf)_mm_max_ps((__m128)a, (__m128)b);
#else
    return CLINIT_SEL(a > b, a, b);
#endif
}
#define CLINIT_MIN_F(a, b) clinit_min_f_((a), (b))
#define CLINIT_MAX_F(a, b) clinit_max_f_((a), (b))

/* CLINIT_PICK3_F(k, c0, c1, c2): per lane c0, c1 or c2 (float constants)
 * for k = 0, 1, 2 (clinit_vi, any other k unspecified), in one permute
 * where x86 has one (vpermps); CLINIT_HAVE_PICK3 is 1 there. kernels/
 * write the choice as nested CLINIT_SEL of comparisons and use this form
 * only where CLINIT_HAVE_PICK3 says it is one instruction: a selection,
 * so both forms give the same bits. */
#if CLINIT_VLANES == 16 && defined(__AVX512F__)
#define CLINIT_HAVE_PICK3 1
#define CLINIT_PICK3_F(k, c0, c1, c2)                                          \
    ((clinit_vf)_mm512_permutexvar_ps(                                         \
        (__m512i)(k), _mm512_setr_ps((c0), (c1), (c2), (c2), (c2), (c2),       \
                                     (c2), (c2), (c2), (c2), (c2), (c2),       \
                                     (c2), (c2), (c2), (c2))))
#elif CLINIT_VLANES == 8 && defined(__AVX2__)
#define CLINIT_HAVE_PICK3 1
#define CLINIT_PICK3_F(k, c0, c1, c2)                                          \
    ((clinit_vf)_mm256_permutevar8x32_ps(                                      \
        _mm256_setr_ps((c0), (c1), (c2), (c2), (c2), (c2), (c2), (c2)),        \
        (__m256i)(k)))
#else
#define CLINIT_HAVE_PICK3 0
#endif

#else /* C99, scalar: one lane at a time (host code, test oracles) */

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__FAST_MATH__)
#error "clinit must not be built with -ffast-math: values would change"
#endif
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD != 0
#error "clinit needs FLT_EVAL_METHOD == 0 (SSE2 or equivalent float math)"
#endif

#define CLINIT_HAVE_F64 1
#define CLINIT_VLANES 1
typedef uint32_t clinit_u32;
typedef uint64_t clinit_u64;
typedef int32_t clinit_i32;
typedef uint32_t clinit_vu;
typedef int32_t clinit_vi;
typedef float clinit_vf;
/* always inlined, so the CPU path's lane loops vectorize */
#if defined(__GNUC__)
#define CLINIT_FN static inline __attribute__((always_inline))
#else
#define CLINIT_FN static inline
#endif
#define CLINIT_PRIV

#define CLINIT_VU(s) ((clinit_vu)(s))
#define CLINIT_VI(s) ((clinit_vi)(s))
#define CLINIT_VF(s) ((clinit_vf)(s))
#define CLINIT_MULHILO(a, b, hi, lo)                                           \
    do {                                                                       \
        uint64_t p_ = (uint64_t)(a) * (uint64_t)(b);                           \
        (hi) = (uint32_t)(p_ >> 32);                                           \
        (lo) = (uint32_t)p_;                                                   \
    } while (0)
#define CLINIT_SEL(c, a, b) ((c) ? (a) : (b))
#define CLINIT_ANY(c) (c)
#define CLINIT_AS_F(x) clinit_as_f_(x)
#define CLINIT_AS_U(x) clinit_as_u_(x)
#define CLINIT_AS_I(x) ((int32_t)(x))
#define CLINIT_I2F(x) ((float)(int32_t)(x)) /* round to nearest even */
#define CLINIT_FMA(a, b, c) fmaf((a), (b), (c))
#define CLINIT_LANE_IDS 0u
#define CLINIT_MIN_F(a, b) ((a) < (b) ? (a) : (b))
#define CLINIT_MAX_F(a, b) ((a) > (b) ? (a) : (b))

static inline float clinit_as_f_(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}
static inline uint32_t clinit_as_u_(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

#endif /* CLINIT_OPENCL */

/* ---- f64 vocabulary (clinit_math64.h, clinit_trunc.h) -----------------
 * Only where the device has doubles (CLINIT_HAVE_F64; always in C). Same
 * rules as above: clinit_vd / clinit_vul / clinit_vl are double16 / ulong16
 * / long16 on OpenCL, double / uint64_t / int64_t in C. Comparisons of
 * doubles or 64-bit integers give long16 masks on OpenCL, so CLINIT_SEL
 * takes them with double, ulong or long operands, never with 32-bit ones
 * (nor a 32-bit comparison with 64-bit operands). CLINIT_AS_D / CLINIT_AS_UL
 * reinterpret bits between clinit_vul and clinit_vd only; CLINIT_UL2L
 * reinterprets clinit_vul as clinit_vl (two's complement, like as_long16);
 * CLINIT_L2D converts clinit_vl to double rounding to nearest even;
 * CLINIT_U2UL zero-extends a clinit_vu to clinit_vul. Shift counts on 64-bit
 * lanes stay in [0, 63]. */
#if CLINIT_HAVE_F64
#if CLINIT_OPENCL && CLINIT_VLANES == 16
typedef double16 clinit_vd;
typedef ulong16 clinit_vul;
typedef long16 clinit_vl;
#define CLINIT_VD(s) ((clinit_vd)(s))
#define CLINIT_VUL(s) ((clinit_vul)(s))
#define CLINIT_VL(s) ((clinit_vl)(s))
#define CLINIT_AS_D(x) as_double16(x)
#define CLINIT_AS_UL(x) as_ulong16(x)
#define CLINIT_UL2L(x) as_long16(x)
#define CLINIT_L2D(x) convert_double16(x) /* round to nearest even */
#define CLINIT_U2UL(x) convert_ulong16(x)
#define CLINIT_I2L(x) convert_long16(x) /* sign-extends */
#define CLINIT_FMA64(a, b, c) fma((a), (b), (c))
#elif CLINIT_OPENCL /* scalar lanes */
typedef double clinit_vd;
typedef ulong clinit_vul;
typedef long clinit_vl;
#define CLINIT_VD(s) ((clinit_vd)(s))
#define CLINIT_VUL(s) ((clinit_vul)(s))
#define CLINIT_VL(s) ((clinit_vl)(s))
#define CLINIT_AS_D(x) as_double(x)
#define CLINIT_AS_UL(x) as_ulong(x)
#define CLINIT_UL2L(x) as_long(x)
#define CLINIT_L2D(x) convert_double(x) /* round to nearest even */
#define CLINIT_U2UL(x) convert_ulong(x)
#define CLINIT_I2L(x) convert_long(x) /* sign-extends */
#define CLINIT_FMA64(a, b, c) fma((a), (b), (c))
#elif CLINIT_C_VECTORS
#define CLINIT_VD(s) clinit_vd_(s)
#define CLINIT_VUL(s) clinit_vul_(s)
#define CLINIT_VL(s) clinit_vl_(s)
CLINIT_FN clinit_vd clinit_vas_d_(clinit_vul x) { return (clinit_vd)x; }
CLINIT_FN clinit_vul clinit_vas_ul_(clinit_vd x) { return (clinit_vul)x; }
CLINIT_FN clinit_vl clinit_ul2l_(clinit_vul x) { return (clinit_vl)x; }
CLINIT_FN clinit_vd clinit_l2d_(clinit_vl x)
{
    return __builtin_convertvector(x, clinit_vd); /* round to nearest even */
}
CLINIT_FN clinit_vul clinit_u2ul_(clinit_vu x)
{
#if CLINIT_VLANES == 4 && defined(__AVX2__)
    /* one vpmovzxdq (GCC's generic lowering takes four) */
    return (clinit_vul)_mm256_cvtepu32_epi64((__m128i)x);
#else
    return __builtin_convertvector(x, clinit_vul);
#endif
}
#define CLINIT_AS_D(x) clinit_vas_d_(x)
#define CLINIT_AS_UL(x) clinit_vas_ul_(x)
#define CLINIT_UL2L(x) clinit_ul2l_(x)
#define CLINIT_L2D(x) clinit_l2d_(x)
#define CLINIT_U2UL(x) clinit_u2ul_(x)
CLINIT_FN clinit_vl clinit_i2l_(clinit_vi x)
{
    return __builtin_convertvector(x, clinit_vl);
}
#define CLINIT_I2L(x) clinit_i2l_(x)
CLINIT_FN clinit_vd clinit_fma64_(clinit_vd a, clinit_vd b, clinit_vd c)
{
#if CLINIT_VLANES == 8 && defined(__AVX512F__)
    return (clinit_vd)_mm512_fmadd_pd((__m512d)a, (__m512d)b, (__m512d)c);
#elif CLINIT_VLANES == 4 && defined(__FMA__)
    return (clinit_vd)_mm256_fmadd_pd((__m256d)a, (__m256d)b, (__m256d)c);
#elif CLINIT_VLANES == 2 && defined(__FMA__)
    return (clinit_vd)_mm_fmadd_pd((__m128d)a, (__m128d)b, (__m128d)c);
#else
    clinit_vd r;
    for (int l = 0; l < CLINIT_VLANES; l++)
        r[l] = fma(a[l], b[l], c[l]);
    return r;
#endif
}
#define CLINIT_FMA64(a, b, c) clinit_fma64_((a), (b), (c))
#else /* C99 */
typedef double clinit_vd;
typedef uint64_t clinit_vul;
typedef int64_t clinit_vl;
#define CLINIT_VD(s) ((clinit_vd)(s))
#define CLINIT_VUL(s) ((clinit_vul)(s))
#define CLINIT_VL(s) ((clinit_vl)(s))
#define CLINIT_AS_D(x) clinit_as_d_(x)
#define CLINIT_AS_UL(x) clinit_as_ul_(x)
/* uint64 -> int64 wraps (two's complement) with every C99 compiler clinit
 * supports; only the bits matter */
#define CLINIT_UL2L(x) ((int64_t)(uint64_t)(x))
#define CLINIT_L2D(x) ((double)(int64_t)(x)) /* round to nearest even */
#define CLINIT_U2UL(x) ((uint64_t)(uint32_t)(x))
#define CLINIT_I2L(x) ((int64_t)(int32_t)(x))
#define CLINIT_FMA64(a, b, c) fma((a), (b), (c))

static inline double clinit_as_d_(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}
static inline uint64_t clinit_as_ul_(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}
#endif /* CLINIT_OPENCL */

/* k (0 <= k <= 2^53) as a double, exact, by adding its two 32-bit halves
 * placed in magic doubles: (2^84 + h 2^32) - (2^84 + 2^52) = h 2^32 - 2^52
 * and + (2^52 + l) = k are both exact (each result a multiple of its unit
 * below 2^53). tests/test_value_bits.c checks it against C's conversion. */
CLINIT_FN clinit_vd clinit_k2d_magic(clinit_vul k)
{
    clinit_vd h =
        CLINIT_AS_D((k >> 32) | CLINIT_VUL(0x4530000000000000ul)) -
        CLINIT_VD(0x1.00000001p84);
    return h + CLINIT_AS_D((k & CLINIT_VUL(0xfffffffful)) |
                           CLINIT_VUL(0x4330000000000000ul));
}

/* k (0 <= k <= 2^53) as a double: the conversion (exact, so rounding plays
 * no part), or clinit_k2d_magic where x86 has no packed 64-bit conversion
 * (AVX2 without AVX512DQ converts lane by lane through scalar registers) */
CLINIT_FN clinit_vd clinit_k2d(clinit_vul k)
{
#if CLINIT_C_VECTORS && defined(__AVX2__) && !defined(__AVX512DQ__)
    return clinit_k2d_magic(k);
#else
    return CLINIT_L2D(CLINIT_UL2L(k));
#endif
}

/* CLINIT_MIN_D(a, b) = a < b ? a : b, CLINIT_MAX_D(a, b) = a > b ? a : b
 * lane-wise on clinit_vd (CLINIT_MIN_F's rules: x86's minpd / maxpd
 * return exactly these) */
#if CLINIT_C_VECTORS
CLINIT_FN clinit_vd clinit_min_d_(clinit_vd a, clinit_vd b)
{
#if CLINIT_VLANES == 8 && defined(__AVX512F__)
    return (clinit_vd)_mm512_min_pd((__m512d)a, (__m512d)b);
#elif CLINIT_VLANES == 4 && defined(__AVX__)
    return (clinit_vd)_mm256_min_pd((__m256d)a, (__m256d)b);
#elif CLINIT_VLANES == 2 && defined(__SSE2__)
    return (clinit_vd)_mm_min_pd((__m128d)a, (__m128d)b);
#else
    return CLINIT_SEL(a < b, a, b);
#endif
}
CLINIT_FN clinit_vd clinit_max_d_(clinit_vd a, clinit_vd b)
{
#if CLINIT_VLANES == 8 && defined(__AVX512F__)
    return (clinit_vd)_mm512_max_pd((__m512d)a, (__m512d)b);
#elif CLINIT_VLANES == 4 && defined(__AVX__)
    return (clinit_vd)_mm256_max_pd((__m256d)a, (__m256d)b);
#elif CLINIT_VLANES == 2 && defined(__SSE2__)
    return (clinit_vd)_mm_max_pd((__m128d)a, (__m128d)b);
#else
    return CLINIT_SEL(a > b, a, b);
#endif
}
#define CLINIT_MIN_D(a, b) clinit_min_d_((a), (b))
#define CLINIT_MAX_D(a, b) clinit_max_d_((a), (b))
/* CLINIT_PICK3_D(k, c0, c1, c2): CLINIT_PICK3_F's choice for doubles, k
 * a clinit_vl of 0, 1, 2 (CLINIT_HAVE_PICK3_D: one vpermpd / vpermps) */
#if CLINIT_VLANES == 8 && defined(__AVX512F__)
#define CLINIT_HAVE_PICK3_D 1
#define CLINIT_PICK3_D(k, c0, c1, c2)                                          \
    ((clinit_vd)_mm512_permutexvar_pd(                                         \
        (__m512i)(k),                                                          \
        _mm512_setr_pd((c0), (c1), (c2), (c2), (c2), (c2), (c2), (c2))))
#elif CLINIT_VLANES == 4 && defined(__AVX2__)
#define CLINIT_HAVE_PICK3_D 1
/* 64-bit lane k as the 32-bit index pair (2k, 2k + 1) */
CLINIT_FN __m256i clinit_pick3_pairs_(clinit_vl k)
{
    clinit_vl k2 = k + k;
    return (__m256i)(k2 | (k2 << 32) | CLINIT_VL(0x100000000l));
}
#define CLINIT_PICK3_D(k, c0, c1, c2)                                          \
    ((clinit_vd)_mm256_permutevar8x32_ps(                                      \
        _mm256_castpd_ps(_mm256_setr_pd((c0), (c1), (c2), (c2))),              \
        clinit_pick3_pairs_(k)))
#else
#define CLINIT_HAVE_PICK3_D 0
#endif
#elif CLINIT_OPENCL
#define CLINIT_MIN_D(a, b) CLINIT_SEL((a) < (b), (a), (b))
#define CLINIT_MAX_D(a, b) CLINIT_SEL((a) > (b), (a), (b))
#else
#define CLINIT_MIN_D(a, b) ((a) < (b) ? (a) : (b))
#define CLINIT_MAX_D(a, b) ((a) > (b) ? (a) : (b))
#endif
#endif /* CLINIT_HAVE_F64 */

/* ---- scalar bit casts, every mode (descriptor words to parameters) ---- */
#if CLINIT_OPENCL
#define CLINIT_F32_OF_BITS(u) as_float((uint)(u))
#define CLINIT_BITS_OF_F32(f) as_uint((float)(f))
#if CLINIT_HAVE_F64
#define CLINIT_F64_OF_BITS(u) as_double((ulong)(u))
#define CLINIT_BITS_OF_F64(f) as_ulong((double)(f))
#endif
#else
static inline float clinit_f32_of_bits_(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}
static inline double clinit_f64_of_bits_(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}
static inline uint32_t clinit_bits_of_f32_(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}
#define CLINIT_F32_OF_BITS(u) clinit_f32_of_bits_((uint32_t)(u))
#define CLINIT_BITS_OF_F32(f) clinit_bits_of_f32_((float)(f))
static inline uint64_t clinit_bits_of_f64_(double f)
{
    uint64_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}
#define CLINIT_F64_OF_BITS(u) clinit_f64_of_bits_((uint64_t)(u))
#define CLINIT_BITS_OF_F64(f) clinit_bits_of_f64_((double)(f))
#endif

/* ---- loads of CLINIT_LANES values from private arrays ----------------- */
#if CLINIT_OPENCL && CLINIT_VLANES == 16
#define CLINIT_VLOAD_U(w, a) vload16((w), (a))
#define CLINIT_VLOAD_F(w, a) vload16((w), (a))
#define CLINIT_VLOAD_D(w, a) vload16((w), (a))
#elif CLINIT_C_VECTORS
CLINIT_FN clinit_vu clinit_vload_u_(size_t w, const clinit_u32 *a)
{
    clinit_vu v;
    memcpy(&v, a + w * CLINIT_VLANES, sizeof v);
    return v;
}
CLINIT_FN clinit_vf clinit_vload_f_(size_t w, const float *a)
{
    clinit_vf v;
    memcpy(&v, a + w * CLINIT_VLANES, sizeof v);
    return v;
}
CLINIT_FN clinit_vd clinit_vload_d_(size_t w, const double *a)
{
    clinit_vd v;
    memcpy(&v, a + w * CLINIT_VLANES, sizeof v);
    return v;
}
#define CLINIT_VLOAD_U(w, a) clinit_vload_u_((w), (a))
#define CLINIT_VLOAD_F(w, a) clinit_vload_f_((w), (a))
#define CLINIT_VLOAD_D(w, a) clinit_vload_d_((w), (a))
#else /* one lane */
#define CLINIT_VLOAD_U(w, a) ((a)[(w)])
#define CLINIT_VLOAD_F(w, a) ((a)[(w)])
#define CLINIT_VLOAD_D(w, a) ((a)[(w)])
#endif

/* the one-instruction choices of three constants, where there are none */
#ifndef CLINIT_HAVE_PICK3
#define CLINIT_HAVE_PICK3 0
#endif
#ifndef CLINIT_HAVE_PICK3_D
#define CLINIT_HAVE_PICK3_D 0
#endif

#endif /* CLINIT_FEATURES_H */
