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
/* true if the comparison holds in any lane */
#define CLINIT_ANY(c) any(c)
#define CLINIT_AS_F(x) as_float16(x)
#define CLINIT_AS_U(x) as_uint16(x)
#define CLINIT_AS_I(x) as_int16(x)
#define CLINIT_I2F(x) convert_float16(x) /* round to nearest even */
#define CLINIT_FMA(a, b, c) fma((a), (b), (c))
/* lane index vector 0..15 */
#define CLINIT_LANE_IDS                                                        \
    ((clinit_vu)(0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u, 11u, 12u, 13u,   \
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
#define CLINIT_ANY(c) (c)
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
#if CLINIT_OPENCL
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
#define CLINIT_FMA64(a, b, c) fma((a), (b), (c))
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
#endif /* CLINIT_HAVE_F64 */

#endif /* CLINIT_FEATURES_H */
