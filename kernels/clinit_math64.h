/* clinit_math64.h - log, sqrt and sincos(2*pi*t) in float64, written once.
 *
 * The double-precision twins of clinit_math.h, under the same rules:
 * integer bit work, + - *, explicit fma (CLINIT_FMA64), int->double
 * conversion and selects; no division, no tables, no branches on values,
 * no OpenCL builtin log/sqrt/sin/cos. C99 and OpenCL C (cl_khr_fp64)
 * therefore give bit-identical results on any conforming device. All
 * intermediates are normal doubles or exact zeros, so flushing double
 * denormals would not change a bit either. Only compiled where the device
 * has doubles (CLINIT_HAVE_F64; always in C).
 *
 * Accuracy, with the ulp of the exact result r taken as
 * 2^(floor(log2|r|) - 52), measured against 80-bit long double glibc
 * (logl, sinl/cosl of the exactly reduced angle), whose own error is below
 * 0.001 ulp of a double here (checked against mpmath on 2 * 10^4 points):
 *
 *   clinit_log_f64(x)    domain: x positive normal finite. Max error
 *                        0.579 ulp over 1.4 * 10^8 inputs: points evenly
 *                        spread over [0.5, 2] (the reduced argument sweeps
 *                        its whole interval there) and random normal
 *                        doubles over the whole range. log(1) = +0 and
 *                        log(2^k) correctly rounded for every k. Any other
 *                        input gives a finite value.
 *   clinit_sqrt_f64(x)   domain: +0 or positive normal finite. Correctly
 *                        rounded by construction (see the function), so
 *                        equal to IEEE sqrt; checked on 1.3 * 10^8 inputs,
 *                        among them exact squares and roots within 1/8 ulp
 *                        of a rounding tie. x < DBL_MIN (denormals, -0,
 *                        negatives) gives +0.
 *   clinit_sincos2pi_f64(k, &s, &c)   t = k * 2^-53, k < 2^53 (bits 53..63
 *                        of k are ignored): sin(2*pi*t) max 0.568 ulp,
 *                        cos(2*pi*t) max 0.567 ulp over 1.1 * 10^8 angles
 *                        (every k < 2^22, k near each eighth-turn point,
 *                        random k), relative to the result also next to the
 *                        zeros (the reduction is exact integer work).
 *                        Exactly +0, 1, -1 at t = 0, 1/4, 1/2, 3/4 (never
 *                        -0); sin and cos(1 - t) are exactly -sin and
 *                        cos(t).
 *
 * Re-measured by the math64 suite of tests/test_trunc.c.
 */
#ifndef CLINIT_MATH64_H
#define CLINIT_MATH64_H

#include "clinit_features.h"

#if CLINIT_HAVE_F64

/* ---- log ------------------------------------------------------------- */

/* log1p(f) ~= f - f^2/2 + f^3 * P(f) on f in [sqrt(1/2) - 1, sqrt(2) - 1),
 * P of degree 19 (P3..P22), weighted minimax for the relative error of
 * log1p, coefficients rounded to double one at a time from the lowest
 * degree, refitting the rest: relative error 2^-59.3. */
#define CLINIT_LOG64_P3 0x1.555555555556bp-2
#define CLINIT_LOG64_P4 (-0x1.ffffffffffe85p-3)
#define CLINIT_LOG64_P5 0x1.9999999994d9ep-3
#define CLINIT_LOG64_P6 (-0x1.555555556ab4cp-3)
#define CLINIT_LOG64_P7 0x1.249249275d021p-3
#define CLINIT_LOG64_P8 (-0x1.fffffff3dd93ap-4)
#define CLINIT_LOG64_P9 0x1.c71c702e9cb4ep-4
#define CLINIT_LOG64_P10 (-0x1.99999a992559ap-4)
#define CLINIT_LOG64_P11 0x1.745d58b9994cfp-4
#define CLINIT_LOG64_P12 (-0x1.5555774cccd16p-4)
#define CLINIT_LOG64_P13 0x1.3b0d7afa39896p-4
#define CLINIT_LOG64_P14 (-0x1.248945b7c1d4bp-4)
#define CLINIT_LOG64_P15 0x1.1169e23012e95p-4
#define CLINIT_LOG64_P16 (-0x1.00cfc49eef572p-4)
#define CLINIT_LOG64_P17 0x1.dc9996a8003a9p-5
#define CLINIT_LOG64_P18 (-0x1.b45e95a634a64p-5)
#define CLINIT_LOG64_P19 0x1.bba56412c088bp-5
#define CLINIT_LOG64_P20 (-0x1.010404dea86cbp-4)
#define CLINIT_LOG64_P21 0x1.d2bbdebb82b11p-5
#define CLINIT_LOG64_P22 (-0x1.8dd767addb814p-6)
/* ln2 = HI + LO; HI has 42 significant bits, so e * HI is exact for every
 * exponent |e| < 2^11. */
#define CLINIT_LN2_HI64 0x1.62e42fefa3800p-1
#define CLINIT_LN2_LO64 0x1.ef35793c76730p-45

/* Natural log of x, x positive normal finite. Other inputs give finite
 * garbage, never a trap. Same structure as clinit_log_f32. */
CLINIT_FN clinit_vd clinit_log_f64(clinit_vd x)
{
    clinit_vul u = CLINIT_AS_UL(x);
    /* k = biased exponent of x, plus one when the mantissa is >= that of
     * sqrt(2) rounded (0x3ff6a09e667f3bcd): 2^52 - 0x6a09e667f3bcd. */
    clinit_vul k = (u + CLINIT_VUL(0x00095f619980c433u)) >> 52;
    /* m = x * 2^-(k - 1023) in [0x3fe6a09e667f3bcd, 0x3ff6a09e667f3bcd) */
    clinit_vd m = CLINIT_AS_D(u - (k << 52) + CLINIT_VUL(0x3ff0000000000000u));
    clinit_vd e = CLINIT_L2D(CLINIT_UL2L(k) - CLINIT_VL(1023));
    clinit_vd f = m - CLINIT_VD(1.0); /* exact (Sterbenz) */
    clinit_vd f2 = f * f;
    clinit_vd p = CLINIT_VD(CLINIT_LOG64_P22);
    p = CLINIT_FMA64(p, f, CLINIT_VD(CLINIT_LOG64_P21));
    p = CLINIT_FMA64(p, f, CLINIT_VD(CLINIT_LOG64_P20));
    p = CLINIT_FMA64(p, f, CLINIT_VD(CLINIT_LOG64_P19));
    p = CLINIT_FMA64(p, f, CLINIT_VD(CLINIT_LOG64_P18));
    p = CLINIT_FMA64(p, f, CLINIT_VD(CLINIT_LOG64_P17));
    p = CLINIT_FMA64(p, f, CLINIT_VD(CLINIT_LOG64_P16));
    p = CLINIT_FMA64(p, f, CLINIT_VD(CLINIT_LOG64_P15));
    p = CLINIT_FMA64(p, f, CLINIT_VD(CLINIT_LOG64_P14));
    p = CLINIT_FMA64(p, f, CLINIT_VD(CLINIT_LOG64_P13));
    p = CLINIT_FMA64(p, f, CLINIT_VD(CLINIT_LOG64_P12));
    p = CLINIT_FMA64(p, f, CLINIT_VD(CLINIT_LOG64_P11));
    p = CLINIT_FMA64(p, f, CLINIT_VD(CLINIT_LOG64_P10));
    p = CLINIT_FMA64(p, f, CLINIT_VD(CLINIT_LOG64_P9));
    p = CLINIT_FMA64(p, f, CLINIT_VD(CLINIT_LOG64_P8));
    p = CLINIT_FMA64(p, f, CLINIT_VD(CLINIT_LOG64_P7));
    p = CLINIT_FMA64(p, f, CLINIT_VD(CLINIT_LOG64_P6));
    p = CLINIT_FMA64(p, f, CLINIT_VD(CLINIT_LOG64_P5));
    p = CLINIT_FMA64(p, f, CLINIT_VD(CLINIT_LOG64_P4));
    p = CLINIT_FMA64(p, f, CLINIT_VD(CLINIT_LOG64_P3));
    /* log(x) = e*HI + f - f^2/2 + e*LO + f^3 * p. The three leading terms
     * are summed exactly (f^2 = f2 + f2l, -f2/2 is exact, two Fast2Sums:
     * |hi| >= 0.69 > |f| or hi = 0, and |hi + f| >= 0.27 > f2/2 or hi = 0),
     * so only f^3 * p (|f^3 p| < 0.02) and the final addition round. */
    clinit_vd hi = e * CLINIT_VD(CLINIT_LN2_HI64);
    clinit_vd h = CLINIT_VD(-0.5) * f2;
    clinit_vd t1 = hi + f;
    clinit_vd err1 = (hi - t1) + f;
    clinit_vd t = t1 + h;
    clinit_vd err2 = (t1 - t) + h;
    clinit_vd f2l = CLINIT_FMA64(f, f, -f2);
    /* f^3 = f3 + f3l to ~2^-104 relative */
    clinit_vd f3 = f2 * f;
    clinit_vd f3l = CLINIT_FMA64(f2l, f, CLINIT_FMA64(f2, f, -f3));
    clinit_vd lo = CLINIT_FMA64(e, CLINIT_VD(CLINIT_LN2_LO64), err1 + err2);
    lo = CLINIT_FMA64(CLINIT_VD(-0.5), f2l, lo);
    lo = CLINIT_FMA64(f3l, p, lo);
    lo = CLINIT_FMA64(f3, p, lo);
    return t + lo;
}

/* ---- sqrt ------------------------------------------------------------ */

/* Square root of x, x = +0 or positive normal finite; x < DBL_MIN gives +0.
 * x = m * 4^n with m in [1, 4) by bit operations; an rsqrt seed and three
 * Newton steps give y ~ 1/sqrt(m) to ~2^-34, one Markstein step gives s
 * within 0.5 ulp + 2^-60 of sqrt(m), and then the exact residual
 * r = m - s^2 (exact because s is that close) fixes the last bit: with
 * u = 2^-52 the ulp of s in [1, 2), sqrt(m) is above s + u/2 iff r > s*u and
 * below s - u/2 iff r <= -s*u (r - s*u and r + s*u are multiples of 2^-103
 * while u^2/4 = 2^-106, so there are no ties). The result is therefore
 * correctly rounded for every input, not just the tested ones. */
CLINIT_FN clinit_vd clinit_sqrt_f64(clinit_vd x)
{
    clinit_vul u = CLINIT_AS_UL(x);
    clinit_vul be = u >> 52; /* biased exponent 1..2046 in the domain */
    /* exponent 1023 for odd be, 1024 for even be: m in [1, 4) */
    clinit_vul mu = (u & CLINIT_VUL(0x000fffffffffffffu)) |
                    ((CLINIT_VUL(1024u) - (be & CLINIT_VUL(1u))) << 52);
    clinit_vd m = CLINIT_AS_D(mu);
    clinit_vd h = CLINIT_VD(0.5);
    /* rsqrt seed (relative error < 3.5%), then three Newton steps */
    clinit_vd y = CLINIT_AS_D(CLINIT_VUL(0x5fe6eb50c7b537a9u) - (mu >> 1));
    clinit_vd r;
    r = CLINIT_FMA64(-(m * y), y, CLINIT_VD(1.0));
    y = CLINIT_FMA64(h * y, r, y);
    r = CLINIT_FMA64(-(m * y), y, CLINIT_VD(1.0));
    y = CLINIT_FMA64(h * y, r, y);
    r = CLINIT_FMA64(-(m * y), y, CLINIT_VD(1.0));
    y = CLINIT_FMA64(h * y, r, y);
    clinit_vd s = m * y;
    s = CLINIT_FMA64(CLINIT_FMA64(-s, s, m), h * y, s);
    /* sqrt(m) < 2 - 2^-53, so the correctly rounded value is <= 2 - 2^-52 */
    s = CLINIT_SEL(s > CLINIT_VD(0x1.fffffffffffffp+0),
                   CLINIT_VD(0x1.fffffffffffffp+0), s);
    clinit_vd su = s * CLINIT_VD(0x1p-52); /* exact */
    r = CLINIT_FMA64(-s, s, m);            /* exact */
    s = CLINIT_SEL(r > su, s + CLINIT_VD(0x1p-52), s);
    s = CLINIT_SEL(r <= -su, s - CLINIT_VD(0x1p-52), s);
    /* sqrt(x) = s * 2^n, n = ((be + 1) >> 1) - 512 for both parities */
    clinit_vul sb = CLINIT_AS_UL(s) + (((be + CLINIT_VUL(1u)) >> 1) << 52) -
                    CLINIT_VUL(0x2000000000000000u); /* 512 << 52 */
    /* signed compare: denormals, -0 and negative x all give +0 */
    return CLINIT_SEL(CLINIT_UL2L(u) < CLINIT_VL(0x0010000000000000),
                      CLINIT_VD(0.0), CLINIT_AS_D(sb));
}

/* ---- sincos(2*pi*t) -------------------------------------------------- */

/* On a in [0, 1/8] turn:
 *   sin(2*pi*a) ~= a*(S1_HI + S1_LO) + a^3 * (S3 + a^2 * (S5 + ... S15))
 *   cos(2*pi*a) ~= 1 + a^2 * (C2_HI + C2_LO) + a^4 * (C4 + ... + a^10 C14)
 * with S1 = 2*pi and C2 = -2*pi^2 split in two doubles; the rest fitted
 * (weighted minimax for the relative error, coefficients rounded to double
 * one at a time from the lowest degree, refitting the rest): relative
 * errors 2^-63.5 (sin) and 2^-63.9 (cos). */
#define CLINIT_SIN64_S1_HI 0x1.921fb54442d18p+2
#define CLINIT_SIN64_S1_LO 0x1.1a62633145c07p-52
#define CLINIT_SIN64_S3 (-0x1.4abbce625be53p+5)
#define CLINIT_SIN64_S5 0x1.466bc6775ab7cp+6
#define CLINIT_SIN64_S7 (-0x1.32d2cce63af7fp+6)
#define CLINIT_SIN64_S9 0x1.5078349d9d9c9p+5
#define CLINIT_SIN64_S11 (-0x1.e3076ec7ec049p+3)
#define CLINIT_SIN64_S13 0x1.e908d670ed426p+1
#define CLINIT_SIN64_S15 (-0x1.73d478d15fee2p-1)
#define CLINIT_COS64_C2_HI (-0x1.3bd3cc9be45dep+4)
#define CLINIT_COS64_C2_LO (-0x1.692b71366cc04p-50)
#define CLINIT_COS64_C4 0x1.03c1f081b5abcp+6
#define CLINIT_COS64_C6 (-0x1.55d3c7e3ca609p+6)
#define CLINIT_COS64_C8 0x1.e1f506850a7b8p+5
#define CLINIT_COS64_C10 (-0x1.a6d1eda04730cp+4)
#define CLINIT_COS64_C12 0x1.f9cd09bc0d594p+2
#define CLINIT_COS64_C14 (-0x1.b29adb85220f8p+0)

/* *s = sin(2*pi*t), *c = cos(2*pi*t) with t = k * 2^-53, k < 2^53 (bits
 * 53..63 ignored). Exact integer range reduction as in the f32 version:
 * bits 51..52 pick the quadrant, the remaining 51 bits are reflected into
 * [0, 1/8] turn. The cosine's leading term 1 + C2 a^2 is summed in double-
 * double (Fast2Sum), so only the final addition rounds at full magnitude. */
CLINIT_FN void clinit_sincos2pi_f64(clinit_vul k, CLINIT_PRIV clinit_vd *s,
                                    CLINIT_PRIV clinit_vd *c)
{
    clinit_vul q = (k >> 51) & CLINIT_VUL(3u);          /* quadrant */
    clinit_vul j = k & CLINIT_VUL(0x0007ffffffffffffu); /* 2^-53 turns */
    clinit_vul refl = (CLINIT_VUL(0x0004000000000000u) - j) >> 63; /* > 1/8 */
    clinit_vul jr = CLINIT_SEL(refl != CLINIT_VUL(0u),
                               CLINIT_VUL(0x0008000000000000u) - j, j);
    clinit_vd a = clinit_k2d(jr) * CLINIT_VD(0x1p-53); /* exact */
    clinit_vd a2 = a * a;
    clinit_vd ps = CLINIT_VD(CLINIT_SIN64_S15);
    ps = CLINIT_FMA64(ps, a2, CLINIT_VD(CLINIT_SIN64_S13));
    ps = CLINIT_FMA64(ps, a2, CLINIT_VD(CLINIT_SIN64_S11));
    ps = CLINIT_FMA64(ps, a2, CLINIT_VD(CLINIT_SIN64_S9));
    ps = CLINIT_FMA64(ps, a2, CLINIT_VD(CLINIT_SIN64_S7));
    ps = CLINIT_FMA64(ps, a2, CLINIT_VD(CLINIT_SIN64_S5));
    /* sin = a*S1_HI + (a*S1_LO + a^3 * S3 + a^5 * ps): a^3 = a3 + a3l to
     * ~2^-104 relative, so the bracket (|.| < 0.08) rounds once and the
     * final fma once. */
    clinit_vd a2l = CLINIT_FMA64(a, a, -a2);
    clinit_vd a3 = a2 * a;
    clinit_vd a3l = CLINIT_FMA64(a2l, a, CLINIT_FMA64(a2, a, -a3));
    clinit_vd b = CLINIT_FMA64(a3 * a2, ps, a * CLINIT_VD(CLINIT_SIN64_S1_LO));
    b = CLINIT_FMA64(a3l, CLINIT_VD(CLINIT_SIN64_S3), b);
    b = CLINIT_FMA64(a3, CLINIT_VD(CLINIT_SIN64_S3), b);
    clinit_vd sa = CLINIT_FMA64(a, CLINIT_VD(CLINIT_SIN64_S1_HI), b);
    clinit_vd pc = CLINIT_VD(CLINIT_COS64_C14);
    pc = CLINIT_FMA64(pc, a2, CLINIT_VD(CLINIT_COS64_C12));
    pc = CLINIT_FMA64(pc, a2, CLINIT_VD(CLINIT_COS64_C10));
    pc = CLINIT_FMA64(pc, a2, CLINIT_VD(CLINIT_COS64_C8));
    pc = CLINIT_FMA64(pc, a2, CLINIT_VD(CLINIT_COS64_C6));
    pc = CLINIT_FMA64(pc, a2, CLINIT_VD(CLINIT_COS64_C4));
    /* a^2 = a2 + a2l and a2 * C2_HI = p + pl exactly; 1 + p = t + tl
     * exactly (Fast2Sum, |p| <= 0.31) */
    clinit_vd p = a2 * CLINIT_VD(CLINIT_COS64_C2_HI);
    clinit_vd pl = CLINIT_FMA64(a2, CLINIT_VD(CLINIT_COS64_C2_HI), -p);
    clinit_vd t = CLINIT_VD(1.0) + p;
    clinit_vd tl = (CLINIT_VD(1.0) - t) + p;
    clinit_vd lo = CLINIT_FMA64(a2, CLINIT_VD(CLINIT_COS64_C2_LO), tl + pl);
    lo = CLINIT_FMA64(a2l, CLINIT_VD(CLINIT_COS64_C2_HI), lo);
    lo = CLINIT_FMA64(a2 * a2, pc, lo);
    clinit_vd ca = t + lo;
    /* (sin, cos) of q*pi/2 + theta, as in clinit_sincos2pi_f32 */
    clinit_vul swap = (q ^ refl) & CLINIT_VUL(1u);
    clinit_vd sv = CLINIT_SEL(swap != CLINIT_VUL(0u), ca, sa);
    clinit_vd cv = CLINIT_SEL(swap != CLINIT_VUL(0u), sa, ca);
    clinit_vul ssign = (q >> 1) << 63;
    clinit_vul csign = ((q ^ (q >> 1)) & CLINIT_VUL(1u)) << 63;
    clinit_vul su = CLINIT_AS_UL(sv) ^ ssign, cu = CLINIT_AS_UL(cv) ^ csign;
    const clinit_vul mag = CLINIT_VUL(0x7fffffffffffffffu);
    /* zeros lose their sign by integer ops, as in clinit_sincos2pi_f32 */
    *s = CLINIT_AS_D(CLINIT_SEL((su & mag) == CLINIT_VUL(0u), CLINIT_VUL(0u), su));
    *c = CLINIT_AS_D(CLINIT_SEL((cu & mag) == CLINIT_VUL(0u), CLINIT_VUL(0u), cu));
}

#endif /* CLINIT_HAVE_F64 */

#endif /* CLINIT_MATH64_H */
