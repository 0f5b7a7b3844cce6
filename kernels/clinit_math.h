/* clinit_math.h - log, sqrt and sincos(2*pi*t) in float32, written once.
 *
 * Box-Muller and friends need these, and the OpenCL builtins (log, sqrt,
 * sin, cos, native_*, /) may round differently from device to device, so
 * the stream contract cannot use them. Everything below is integer bit
 * work, + - *, and explicit fma (CLINIT_FMA): no division, no tables, no
 * branches on values. C99 and OpenCL C therefore give bit-identical results
 * on any conforming device. Every product that feeds an addition is either
 * exact or already inside an fma, so the bits do not even depend on
 * contraction being off; they do depend on signed zeros and on the order of
 * operations, so never build with -cl-fast-relaxed-math,
 * -cl-unsafe-math-optimizations, -cl-no-signed-zeros or -ffast-math. All
 * intermediates stay in the normal float range (or are exact zeros), so
 * devices that flush denormals give the same bits too.
 *
 * Accuracy, measured against double-precision glibc (log, sqrt, and sin/cos
 * of 2*pi*t computed in double from the exact t), with the ulp of the exact
 * result r taken as 2^(floor(log2|r|) - 23):
 *
 *   clinit_log_f32(x)    domain: x positive normal finite (FLT_MIN..FLT_MAX).
 *                        Max error 0.741 ulp, exhaustive over every positive
 *                        normal float (so over [2^-33, 4] too); 99.9% are
 *                        correctly rounded. log(1) = +0 exactly, log(2^k)
 *                        correctly rounded for every k. Any other input gives
 *                        a finite value.
 *   clinit_sqrt_f32(x)   domain: +0 or positive normal finite. Correctly
 *                        rounded (0.5 ulp): equal to IEEE sqrtf for every
 *                        positive normal float (exhaustive). x < FLT_MIN
 *                        (denormals, -0, negatives) gives +0, as a device
 *                        that flushes denormals would; +inf and NaN give
 *                        finite garbage.
 *   clinit_sincos2pi_f32(w, &s, &c)   t = (w >> 8) * 2^-24, every t:
 *                        sin(2*pi*t) and cos(2*pi*t) both max 0.859 ulp;
 *                        96.6% correctly rounded. The ulp is relative to the
 *                        result also next to the zeros: the reduction is
 *                        exact integer work, so the tiny results near t = 0,
 *                        1/4, 1/2, 3/4 keep full relative accuracy. In
 *                        absolute terms the error is at most 0.859 * 2^-24.
 *                        Exactly +0, 1, -1 at t = 0, 1/4, 1/2, 3/4 (never
 *                        -0); sin and cos(1 - t) are exactly -sin and cos(t).
 *
 * tests/test_math.c re-measures these bounds and compares the OpenCL device
 * with the C path bit for bit.
 */
#ifndef CLINIT_MATH_H
#define CLINIT_MATH_H

#include "clinit_features.h"

/* ---- log ------------------------------------------------------------- */

/* log1p(f) ~= f + f^2 * P(f) on f in [sqrt(1/2) - 1, sqrt(2) - 1), fitted
 * (weighted minimax, coefficients rounded to float one at a time from the
 * lowest degree, refitting the rest) for relative error ~2^-30.3 in log1p. */
#define CLINIT_LOG_P2 (-0x1p-1f)
#define CLINIT_LOG_P3 0x1.555548p-2f
#define CLINIT_LOG_P4 (-0x1.000006p-2f)
#define CLINIT_LOG_P5 0x1.99a476p-3f
#define CLINIT_LOG_P6 (-0x1.555c44p-3f)
#define CLINIT_LOG_P7 0x1.233ba2p-3f
#define CLINIT_LOG_P8 (-0x1.fc28c8p-4f)
#define CLINIT_LOG_P9 0x1.e6c00ap-4f
#define CLINIT_LOG_P10 (-0x1.de0204p-4f)
#define CLINIT_LOG_P11 0x1.147382p-4f
/* ln2 = HI + LO; HI has 15 significant bits, so e * HI is exact for every
 * exponent e in [-126, 128]. */
#define CLINIT_LN2_HI 0x1.62e4p-1f
#define CLINIT_LN2_LO 0x1.7f7d1cp-20f

/* Natural log of x, x positive normal finite. Other inputs give finite
 * garbage (m below is in range for any bit pattern), never a trap. */
CLINIT_FN clinit_vf clinit_log_f32(clinit_vf x)
{
    clinit_vu u = CLINIT_AS_U(x);
    /* k = biased exponent of x, plus one when the mantissa is >= the float
     * just below sqrt(2) (0x3fb504f3): 0x800000 - 0x3504f3 = 0x4afb0d. */
    clinit_vu k = (u + CLINIT_VU(0x004afb0du)) >> 23;
    /* m = x * 2^-(k - 127) in [0x3f3504f3, 0x3fb504f3) ~ [0.7071, 1.4142) */
    clinit_vf m = CLINIT_AS_F(u - (k << 23) + CLINIT_VU(0x3f800000u));
    clinit_vf e = CLINIT_I2F(CLINIT_AS_I(k) - CLINIT_VI(127));
    clinit_vf f = m - CLINIT_VF(1.0f); /* exact (Sterbenz) */
    clinit_vf f2 = f * f;
    clinit_vf p = CLINIT_VF(CLINIT_LOG_P11);
    p = CLINIT_FMA(p, f, CLINIT_VF(CLINIT_LOG_P10));
    p = CLINIT_FMA(p, f, CLINIT_VF(CLINIT_LOG_P9));
    p = CLINIT_FMA(p, f, CLINIT_VF(CLINIT_LOG_P8));
    p = CLINIT_FMA(p, f, CLINIT_VF(CLINIT_LOG_P7));
    p = CLINIT_FMA(p, f, CLINIT_VF(CLINIT_LOG_P6));
    p = CLINIT_FMA(p, f, CLINIT_VF(CLINIT_LOG_P5));
    p = CLINIT_FMA(p, f, CLINIT_VF(CLINIT_LOG_P4));
    p = CLINIT_FMA(p, f, CLINIT_VF(CLINIT_LOG_P3));
    p = CLINIT_FMA(p, f, CLINIT_VF(CLINIT_LOG_P2));
    /* hi + f as t + err exactly (Fast2Sum: |hi| >= 0.69 > |f|, or hi = 0),
     * so only the final addition rounds at full magnitude. */
    clinit_vf hi = e * CLINIT_VF(CLINIT_LN2_HI);
    clinit_vf t = hi + f;
    clinit_vf err = (hi - t) + f;
    /* f^2 = f2 + f2l exactly; the f2l * p term buys ~0.1 ulp near |f| = 0.4 */
    clinit_vf f2l = CLINIT_FMA(f, f, -f2);
    clinit_vf lo = CLINIT_FMA(e, CLINIT_VF(CLINIT_LN2_LO), err);
    lo = CLINIT_FMA(f2, p, CLINIT_FMA(f2l, p, lo));
    return t + lo;
}

/* ---- sqrt ------------------------------------------------------------ */

/* All ones where the float with bits u is +0 or positive normal, else 0
 * (denormals, -0, negatives): a signed compare, an integer mask that C
 * compilers if-convert inside vectorized loops. clinit_sqrt_f32's
 * domain, and where clinit_sqrt_fin_f32 keeps the instruction's root. */
CLINIT_FN clinit_vu clinit_sqrt_keep_(clinit_vu u)
{
    return CLINIT_SEL(CLINIT_AS_I(u) < CLINIT_VI(0x00800000), CLINIT_VU(0u),
                      CLINIT_VU(0xffffffffu));
}

/* Square root of x, x = +0 or positive normal finite; x < FLT_MIN gives +0.
 * x is split into m * 4^n with m in [1, 4) by bit operations, so the
 * iteration sees the same numbers whatever the exponent and never leaves the
 * normal range; sqrt(m) is scaled back by adding n to the exponent field. */
CLINIT_FN clinit_vf clinit_sqrt_f32(clinit_vf x)
{
    clinit_vu u = CLINIT_AS_U(x);
    clinit_vu be = u >> 23; /* biased exponent, 1..254 */
    /* exponent 127 for odd be, 128 for even be: m in [1, 4) */
    clinit_vu mu = (u & CLINIT_VU(0x007fffffu)) |
                   ((CLINIT_VU(128u) - (be & CLINIT_VU(1u))) << 23);
    clinit_vf m = CLINIT_AS_F(mu);
    clinit_vf h = CLINIT_VF(0.5f);
    /* rsqrt seed (relative error < 3.5%), then three Newton steps */
    clinit_vf y = CLINIT_AS_F(CLINIT_VU(0x5f3759dfu) - (mu >> 1));
    clinit_vf r;
    r = CLINIT_FMA(-(m * y), y, CLINIT_VF(1.0f));
    y = CLINIT_FMA(h * y, r, y);
    r = CLINIT_FMA(-(m * y), y, CLINIT_VF(1.0f));
    y = CLINIT_FMA(h * y, r, y);
    r = CLINIT_FMA(-(m * y), y, CLINIT_VF(1.0f));
    y = CLINIT_FMA(h * y, r, y);
    /* s = m*y, then one correction with the exact residual m - s^2 */
    clinit_vf s = m * y;
    s = CLINIT_FMA(CLINIT_FMA(-s, s, m), h * y, s);
    /* sqrt(x) = s * 2^n with n = (be - 127 - (m >= 2)) / 2 = ((be + 1) >> 1)
     * - 64 for both parities of be; s is normal, so adding n to its exponent
     * field is an exact multiplication. */
    clinit_vu su = CLINIT_AS_U(s) + (((be + CLINIT_VU(1u)) >> 1) << 23) -
                   CLINIT_VU(64u << 23);
    /* denormals, -0 and negative x all give +0 */
    return CLINIT_AS_F(su & clinit_sqrt_keep_(u));
}

/* clinit_sqrt_f32(x) for x = +0 or positive normal finite only: there
 * both are correctly rounded, so x86 vectors use the instruction (vsqrtps;
 * tests/test_value_bits.c compares every such x), other targets
 * clinit_sqrt_f32 (OpenCL's sqrt() is a device built-in, whose bits
 * cannot be checked on devices clinit has not seen). Elsewhere they
 * differ (vsqrtps gives NaN, -0, a denormal's root): callers prove
 * their argument's domain. */
CLINIT_FN clinit_vf clinit_sqrt_hw_f32(clinit_vf x)
{
#if CLINIT_C_VECTORS && CLINIT_VLANES == 16 && defined(__AVX512F__)
    return (clinit_vf)_mm512_sqrt_ps((__m512)x);
#elif CLINIT_C_VECTORS && CLINIT_VLANES == 8 && defined(__AVX__)
    return (clinit_vf)_mm256_sqrt_ps((__m256)x);
#else
    return clinit_sqrt_f32(x);
#endif
}

/* clinit_sqrt_f32(x) for every finite x: vsqrtps where the bits agree
 * (+0 and positive normal x, clinit_sqrt_hw_f32), and +0 elsewhere, as
 * clinit_sqrt_f32 gives (the same signed compare on the bits) */
CLINIT_FN clinit_vf clinit_sqrt_fin_f32(clinit_vf x)
{
#if CLINIT_C_VECTORS && ((CLINIT_VLANES == 16 && defined(__AVX512F__)) ||     \
                         (CLINIT_VLANES == 8 && defined(__AVX__)))
    return CLINIT_AS_F(CLINIT_AS_U(clinit_sqrt_hw_f32(x)) &
                       clinit_sqrt_keep_(CLINIT_AS_U(x)));
#else
    return clinit_sqrt_f32(x);
#endif
}

/* ---- sincos(2*pi*t) -------------------------------------------------- */

/* On a in [0, 1/8] turn:
 *   sin(2*pi*a) ~= a * (S1 + a^2 * (S3 + a^2 * (S5 + a^2 * (S7 + a^2 * S9))))
 *   cos(2*pi*a) ~= 1 + a^2 * (C2 + a^2 * (C4 + a^2 * (C6 + a^2 * C8)))
 * with S1 = 2*pi = S1_HI + S1_LO, fitted like the log polynomial. */
#define CLINIT_SIN_S1_HI 0x1.921fb6p+2f
#define CLINIT_SIN_S1_LO (-0x1.777a5cp-23f)
#define CLINIT_SIN_S3 (-0x1.4abbcep+5f)
#define CLINIT_SIN_S5 0x1.466b78p+6f
#define CLINIT_SIN_S7 (-0x1.32ada6p+6f)
#define CLINIT_SIN_S9 0x1.443816p+5f
#define CLINIT_COS_C2 (-0x1.3bd3ccp+4f)
#define CLINIT_COS_C4 0x1.03c1b0p+6f
#define CLINIT_COS_C6 (-0x1.55b2b6p+6f)
#define CLINIT_COS_C8 0x1.d4f7eep+5f

/* *s = sin(2*pi*t), *c = cos(2*pi*t) with t = (w >> 8) * 2^-24 in [0, 1):
 * the top 24 bits of w. The range reduction is exact integer work: the top
 * two of the 24 bits pick the quadrant, the remaining 22 bits are reflected
 * into [0, 1/8] turn, and the quadrant swaps and negates the results. */
CLINIT_FN void clinit_sincos2pi_f32(clinit_vu w, CLINIT_PRIV clinit_vf *s,
                                    CLINIT_PRIV clinit_vf *c)
{
    clinit_vu i = w >> 8;
    clinit_vu q = i >> 22;                    /* quadrant 0..3 */
    clinit_vu j = i & CLINIT_VU(0x003fffffu); /* 2^-24 turns into it */
    clinit_vu refl = (CLINIT_VU(0x00200000u) - j) >> 31; /* j > 1/8 turn */
    clinit_vu jr =
        CLINIT_SEL(refl != CLINIT_VU(0u), CLINIT_VU(0x00400000u) - j, j);
    clinit_vf a = CLINIT_I2F(CLINIT_AS_I(jr)) * CLINIT_VF(0x1p-24f); /* exact */
    clinit_vf a2 = a * a;
    clinit_vf ps = CLINIT_VF(CLINIT_SIN_S9);
    ps = CLINIT_FMA(ps, a2, CLINIT_VF(CLINIT_SIN_S7));
    ps = CLINIT_FMA(ps, a2, CLINIT_VF(CLINIT_SIN_S5));
    ps = CLINIT_FMA(ps, a2, CLINIT_VF(CLINIT_SIN_S3));
    ps = CLINIT_FMA(ps, a2, CLINIT_VF(CLINIT_SIN_S1_LO));
    clinit_vf sa = CLINIT_FMA(a, CLINIT_VF(CLINIT_SIN_S1_HI), a * ps);
    clinit_vf pc = CLINIT_VF(CLINIT_COS_C8);
    pc = CLINIT_FMA(pc, a2, CLINIT_VF(CLINIT_COS_C6));
    pc = CLINIT_FMA(pc, a2, CLINIT_VF(CLINIT_COS_C4));
    pc = CLINIT_FMA(pc, a2, CLINIT_VF(CLINIT_COS_C2));
    clinit_vf ca = CLINIT_FMA(a2, pc, CLINIT_VF(1.0f));
    /* (sin, cos) of q*pi/2 + theta: swap for odd q (or a reflection, not
     * both), sin negative in quadrants 2 and 3, cos in 1 and 2. */
    clinit_vu swap = (q ^ refl) & CLINIT_VU(1u);
    clinit_vf sv = CLINIT_SEL(swap != CLINIT_VU(0u), ca, sa);
    clinit_vf cv = CLINIT_SEL(swap != CLINIT_VU(0u), sa, ca);
    /* The sign bits, except on a zero result: negating sin(0) would make
     * -0. sa is zero exactly when jr is, ca never, so whether sv / cv is
     * zero is integer work on jr and swap (some OpenCL compilers drop an
     * "x + 0.0f" that would clear the sign). nz = (jr != 0) as 0/1,
     * jr <= 2^21. */
    clinit_vu nz = (jr + CLINIT_VU(0x003fffffu)) >> 22;
    clinit_vu ssign = ((q >> 1) & (nz | swap)) << 31;
    clinit_vu csign =
        ((q ^ (q >> 1)) & (nz | (swap ^ CLINIT_VU(1u))) & CLINIT_VU(1u)) << 31;
    *s = CLINIT_AS_F(CLINIT_AS_U(sv) ^ ssign);
    *c = CLINIT_AS_F(CLINIT_AS_U(cv) ^ csign);
}

#endif /* CLINIT_MATH_H */
