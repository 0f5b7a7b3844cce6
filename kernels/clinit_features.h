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
typedef uint16 clinit_vu; /* one 32-bit word per lane */
typedef int16 clinit_vi;
typedef float16 clinit_vf;
#define CLINIT_FN static inline
/* private-memory pointer (the default address space in OpenCL C 1.2) */
#define CLINIT_PRIV

#define CLINIT_VU(s) ((clinit_vu)(s))
#define CLINIT_VI(s) ((clinit_vi)(s))
#define CLINIT_VF(s) ((clinit_vf)(s))
#define CLINIT_MULHI(a, b) mul_hi((a), (b))
/* c is the result of a vector comparison (all bits set where true) */
#define CLINIT_SEL(c, a, b) select((b), (a), (c))
#define CLINIT_AS_F(x) as_float16(x)
#define CLINIT_AS_U(x) as_uint16(x)
#define CLINIT_AS_I(x) as_int16(x)
#define CLINIT_I2F(x) convert_float16(x) /* round to nearest even */
#define CLINIT_FMA(a, b, c) fma((a), (b), (c))
/* lane index vector 0..15 */
#define CLINIT_LANE_IDS                                                        \
    ((clinit_vu)(0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u, 11u, 12u, 13u,  \
                 14u, 15u))

#else /* C99 */

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
#define CLINIT_MULHI(a, b) ((uint32_t)(((uint64_t)(a) * (uint64_t)(b)) >> 32))
#define CLINIT_SEL(c, a, b) ((c) ? (a) : (b))
#define CLINIT_AS_F(x) clinit_as_f_(x)
#define CLINIT_AS_U(x) clinit_as_u_(x)
#define CLINIT_AS_I(x) ((int32_t)(x))
#define CLINIT_I2F(x) ((float)(int32_t)(x)) /* round to nearest even */
#define CLINIT_FMA(a, b, c) fmaf((a), (b), (c))

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

#endif /* CLINIT_FEATURES_H */
