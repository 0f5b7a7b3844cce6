/* clinit_trunc.h - truncated normal by a single-pass inverse CDF.
 *
 * torch.nn.init.trunc_normal_(mean, std, a, b): N(mean, std^2) conditioned
 * on [a, b]. With alpha = (a - mean) / std and beta = (b - mean) / std the
 * kernels return z in [alpha, beta], distributed as a standard normal
 * conditioned on [alpha, beta]; the caller computes fma(z, std, mean) and
 * clamps to [a, b]. One value is a pure function of one 32-bit word (f32,
 * also used for f16 and bf16) or of one 53-bit integer (f64): no rejection,
 * no loop.
 *
 * Notation: Q(x) = P(Z > x) = erfc(x / sqrt 2) / 2, the upper tail, and
 * Phi0(x) = 1/2 - Q(x) = erf(x / sqrt 2) / 2, the mass between 0 and x.
 *
 * The recipe (docs/STREAM.md). The random integer gives an index i in
 * [0, N), N = 2^31 (f32: i = word >> 1) or 2^53 (f64: i = k53). The
 * interval is sampled in "distance from 0" coordinates |z|, which makes the
 * two sides of 0 mirror images of each other:
 *   - alpha >= 0: every index is on the right, |z| in [alpha, beta];
 *   - beta <= 0: every index is on the left, |z| in [-beta, -alpha];
 *   - alpha < 0 < beta: indices below a threshold X go left (|z| in
 *     [0, -alpha]), the others right (|z| in [0, beta]); X is the left mass
 *     Phi0(-alpha) / M (M = total mass) times N, rounded to a multiple of
 *     2^8 (f32) or 2 (f64), so the side is chosen with a probability error
 *     below 2^-24 (f32) or 2^-53 (f64).
 * On each side |z| = Qinv(p) where the upper-tail probability p = Q(|z|) is
 * an affine function of the index with slope s = M / N, counted from the
 * far end of the side (p = Q(far end) + (j + 1/2) s), and also, for the
 * same index, q = 1/2 - p = Phi0(|z|) counted from the near end (q =
 * Phi0(near end) + (j' + 1/2) s, j' = the distance of the index from the
 * near end). Both are exact-ish: p has full relative precision however
 * small it gets (far tails), q however small it gets (|z| near 0, and
 * narrow intervals around 0). Qinv uses q when q <= 0.425 (|z| <= 1.44:
 * z = q A(q^2) / B(q^2)) and -log(p) otherwise (r = sqrt(-log p), a
 * rational function of r - 1.6 or r - 5): Wichura's AS 241 (Applied
 * Statistics 37, 1988, 477-484) structure and coefficients, PPND16 for f64
 * and PPND7 for f32, evaluated without division (a Newton reciprocal of the
 * denominator plus one residual correction). Far tails that a float could
 * not hold are scaled: when an interval lies on one side of 0 and its near
 * end is at least 2 from 0, the host passes p * e^L and L, and Qinv uses
 * -log(p) = L - log(p e^L) (q is never needed there: |z| >= 2 > 1.44).
 *
 * Why two coordinates: an inverse CDF driven by one float u in [0, 1)
 * loses the far tails (1 - u rounds to 0 or to a coarse grid) and the
 * middle of narrow intervals around 0 (Phi(z) near 1/2 has an absolute
 * precision of 2^-25 in float). Counting p from the far end of each side
 * and q from its near end keeps full relative precision at both ends of
 * both sides, the split at 0 costs one integer compare, and everything
 * is integer work plus one fma per coordinate: deterministic bits.
 *
 * Accuracy (tests/test_trunc.c, against long double erfl/erfcl): Qinv max
 * relative error 3.9e-7 in f32 (3.3 * 2^-23) and 7.3e-16 in f64
 * (3.3 * 2^-52), on |z| <= 38.06 (-log p <= 722); the host's Q and Phi0
 * 7e-16. On a stratified grid of 2^20 words, |F(z) - u| (F the exact
 * truncated-normal CDF, u the stratum's centre) is <= 1.6e-7 in f32 for
 * (-2, 2), (0, 2), (-0.1, 0.1), (-6, 30), and 3.4e-6, 1.4e-5, 1.0e-4 for
 * the tails (3, 6), (8, 9), (-20, -19), where a float z is that coarse
 * (one ulp of 20 is 1.9e-6, 4e-5 of the local scale 1/20); <= 2.1e-13 in
 * f64. |alpha| and |beta| are clamped to 38 (Q(38) = 2.9e-316, the end of
 * AS 241's range), so an interval entirely beyond 38 standard deviations
 * gives z = 0, which the caller's clamp moves to the nearer bound.
 *
 * Host parameters (per tensor, clinit_trunc_params_f32/f64 below, C only):
 *   p0 = threshold X / 2^8 (f32) or X / 2 (f64), an integer-valued float:
 *        0 = every index right, 2^23 (f32) / 2^52 (f64) = every index left
 *   p1 = left side: Q(far end) e^L + s / 2     (far end = -alpha)
 *   p2 = right side: Q(far end) e^L + s / 2    (far end = beta)
 *        (a side no index uses holds 0.25)
 *   p3 = s e^L
 *   p4 = Phi0(near end) + s / 2, or 1/2 on a scaled (far-tail) interval,
 *        where q is not needed and stays 1/2
 *   p5 = L, an integer, 0 unless scaled
 * Each is a double rounded once to the kernel's type, and flushed to 0 below
 * its smallest normal. The host evaluates Q, Phi0 and exp with + - * / fma
 * and floor only (correctly rounded, or exact, in every C library): no libm
 * erfc/exp/log, whose last bits differ between C libraries.
 */
#ifndef CLINIT_TRUNC_H
#define CLINIT_TRUNC_H

#include "clinit_features.h"
#include "clinit_math.h"
#include "clinit_math64.h"

/* AS 241's split points and shifts 0.425, 0.180625 = 0.425^2, 5 and 1.6,
 * rounded to float and to double */
#define CLINIT_QI32_SPLIT1 0x1.b33334p-2f
#define CLINIT_QI32_CONST1 0x1.71eb86p-3f
#define CLINIT_QI32_SPLIT2 0x1.4p+2f
#define CLINIT_QI32_CONST2 0x1.99999ap+0f
#define CLINIT_QI64_SPLIT1 0x1.b333333333333p-2
#define CLINIT_QI64_CONST1 0x1.71eb851eb851fp-3
#define CLINIT_QI64_SPLIT2 0x1.4p+2
#define CLINIT_QI64_CONST2 0x1.999999999999ap+0

/* ---- f32: PPND7 (approximation error 1.2e-7) -------------------------- */
#define CLINIT_QI32_A0 0x1.b18d90p+1f
#define CLINIT_QI32_A1 0x1.937964p+5f
#define CLINIT_QI32_A2 0x1.3e9510p+7f
#define CLINIT_QI32_A3 0x1.d8e000p+5f
#define CLINIT_QI32_B1 0x1.1e529ep+4f
#define CLINIT_QI32_B2 0x1.3b07f2p+6f
#define CLINIT_QI32_B3 0x1.0cc010p+6f
#define CLINIT_QI32_C0 0x1.6c6662p+0f
#define CLINIT_QI32_C1 0x1.60df54p+1f
#define CLINIT_QI32_C2 0x1.4e85c2p+0f
#define CLINIT_QI32_C3 0x1.5ca5dap-3f
#define CLINIT_QI32_D1 0x1.795848p-1f
#define CLINIT_QI32_D2 0x1.ec62b8p-4f
#define CLINIT_QI32_E0 0x1.aa1b1ep+2f
#define CLINIT_QI32_E1 0x1.8a65a0p+1f
#define CLINIT_QI32_E2 0x1.b6f8aap-2f
#define CLINIT_QI32_E3 0x1.1c0d82p-6f
#define CLINIT_QI32_F1 0x1.ef92a8p-3f
#define CLINIT_QI32_F2 0x1.91ad42p-7f

/* 1/d for d positive normal, d < 2^125: bit-level seed (relative error
 * < 12.5%), three Newton steps (~2^-24). */
CLINIT_FN clinit_vf clinit_recip_f32(clinit_vf d)
{
    clinit_vf y = CLINIT_AS_F(CLINIT_VU(0x7ef311c3u) - CLINIT_AS_U(d));
    clinit_vf one = CLINIT_VF(1.0f);
    y = CLINIT_FMA(y, CLINIT_FMA(-d, y, one), y);
    y = CLINIT_FMA(y, CLINIT_FMA(-d, y, one), y);
    y = CLINIT_FMA(y, CLINIT_FMA(-d, y, one), y);
    return y;
}

/* n / d without division: n * (1/d) plus one residual correction. */
CLINIT_FN clinit_vf clinit_div_f32(clinit_vf n, clinit_vf d)
{
    clinit_vf y = clinit_recip_f32(d);
    clinit_vf z = n * y;
    return CLINIT_FMA(CLINIT_FMA(-z, d, n), y, z);
}

/* z >= 0 with Q(z) = p e^-L, where q = 1/2 - p e^-L is given separately
 * (the caller computes each where it is accurate): q <= 0.425 uses q, else
 * p. Needs q in [0, 1/2] and p > 0 normal wherever q > 0.425. Selects the
 * coefficients of one of three rationals per lane (no branches). */
CLINIT_FN clinit_vf clinit_qinv_f32(clinit_vf q, clinit_vf p, float L)
{
    clinit_vf r = clinit_sqrt_fin_f32(CLINIT_VF(L) - clinit_log_f32(p));
    /* q^2 is taken of max(q, 2^-40) so it never goes subnormal; the
     * difference vanishes in CONST1 - q^2. The square is fma(qc, qc, +0):
     * the same bits as qc * qc (a square is never -0), but no compiler may
     * fuse it into the subtraction, whatever it does with FP_CONTRACT
     * (docs/STREAM.md, conformance) */
    clinit_vf qc = CLINIT_SEL(q < CLINIT_VF(0x1p-40f), CLINIT_VF(0x1p-40f), q);
    clinit_vf xc = CLINIT_VF(CLINIT_QI32_CONST1) -
                   CLINIT_FMA(qc, qc, CLINIT_VF(0.0f));
    /* per lane: central (cen), else first tail (r <= 5, t1), else second
     * tail */
    clinit_vi cen = q <= CLINIT_VF(CLINIT_QI32_SPLIT1);
#if CLINIT_HAVE_PICK3
    /* k = 0, 1, 2 for the three; each coefficient one permute */
    clinit_vi k = (CLINIT_VI(2) + (r <= CLINIT_VF(CLINIT_QI32_SPLIT2))) & ~cen;
#define CLINIT_QI32_PICK_(c0, c1, c2) CLINIT_PICK3_F(k, (c0), (c1), (c2))
    clinit_vf x = CLINIT_SEL(
        cen, xc,
        r - CLINIT_QI32_PICK_(0.0f, CLINIT_QI32_CONST2, CLINIT_QI32_SPLIT2));
#else
    clinit_vi t1 = r <= CLINIT_VF(CLINIT_QI32_SPLIT2);
#define CLINIT_QI32_PICK_(c0, c1, c2)                                          \
    CLINIT_SEL(cen, CLINIT_VF(c0), CLINIT_SEL(t1, CLINIT_VF(c1), CLINIT_VF(c2)))
    clinit_vf x =
        CLINIT_SEL(cen, xc,
                   CLINIT_SEL(t1, r - CLINIT_VF(CLINIT_QI32_CONST2),
                              r - CLINIT_VF(CLINIT_QI32_SPLIT2)));
#endif
    clinit_vf n =
        CLINIT_QI32_PICK_(CLINIT_QI32_A3, CLINIT_QI32_C3, CLINIT_QI32_E3);
    n = CLINIT_FMA(
        n, x,
        CLINIT_QI32_PICK_(CLINIT_QI32_A2, CLINIT_QI32_C2, CLINIT_QI32_E2));
    n = CLINIT_FMA(
        n, x,
        CLINIT_QI32_PICK_(CLINIT_QI32_A1, CLINIT_QI32_C1, CLINIT_QI32_E1));
    n = CLINIT_FMA(
        n, x,
        CLINIT_QI32_PICK_(CLINIT_QI32_A0, CLINIT_QI32_C0, CLINIT_QI32_E0));
    clinit_vf d = CLINIT_QI32_PICK_(CLINIT_QI32_B3, 0.0f, 0.0f);
    d = CLINIT_FMA(
        d, x,
        CLINIT_QI32_PICK_(CLINIT_QI32_B2, CLINIT_QI32_D2, CLINIT_QI32_F2));
    d = CLINIT_FMA(
        d, x,
        CLINIT_QI32_PICK_(CLINIT_QI32_B1, CLINIT_QI32_D1, CLINIT_QI32_F1));
    d = CLINIT_FMA(d, x, CLINIT_VF(1.0f));
#undef CLINIT_QI32_PICK_
    /* central: z = q n / d */
    n = CLINIT_SEL(cen, q * n, n);
    return clinit_div_f32(n, d);
}

/* ---- f64: PPND16 (approximation error 1.8e-16) ------------------------ */
#if CLINIT_HAVE_F64
#define CLINIT_QI64_A0 0x1.b18d91e9eef75p+1
#define CLINIT_QI64_A1 0x1.0a4888b1a436ep+7
#define CLINIT_QI64_A2 0x1.ece5d2213c0ccp+10
#define CLINIT_QI64_A3 0x1.ad1d8cd4ee71dp+13
#define CLINIT_QI64_A4 0x1.66c3e869b752ap+15
#define CLINIT_QI64_A5 0x1.06c1c55b78f20p+16
#define CLINIT_QI64_A6 0x1.052d26b2e45e4p+15
#define CLINIT_QI64_A7 0x1.39a296f7d925ep+11
#define CLINIT_QI64_B1 0x1.5281b386e1ab5p+5
#define CLINIT_QI64_B2 0x1.5797efdc8b3f7p+9
#define CLINIT_QI64_B3 0x1.512322e75c89fp+12
#define CLINIT_QI64_B4 0x1.4b772d5d65266p+14
#define CLINIT_QI64_B5 0x1.3317caa64f4bep+15
#define CLINIT_QI64_B6 0x1.c0e457cb1ae76p+14
#define CLINIT_QI64_B7 0x1.46a7eca984b69p+12
#define CLINIT_QI64_C0 0x1.6c665fde9526ap+0
#define CLINIT_QI64_C1 0x1.2857748cab19bp+2
#define CLINIT_QI64_C2 0x1.713f71462256ap+2
#define CLINIT_QI64_C3 0x1.d2ecb1a3d02c4p+1
#define CLINIT_QI64_C4 0x1.453cc085375b2p+0
#define CLINIT_QI64_C5 0x1.ef2abb9b85c37p-3
#define CLINIT_QI64_C6 0x1.744eb6c45ec67p-6
#define CLINIT_QI64_C7 0x1.9615ac0b7ace9p-11
#define CLINIT_QI64_D1 0x1.06cefbb46a449p+1
#define CLINIT_QI64_D2 0x1.ad278e6526633p+0
#define CLINIT_QI64_D3 0x1.61292f23385c9p-1
#define CLINIT_QI64_D4 0x1.2f5123394f040p-3
#define CLINIT_QI64_D5 0x1.f207a7eab17bfp-7
#define CLINIT_QI64_D6 0x1.1f18cbfdf2728p-11
#define CLINIT_QI64_D7 0x1.20d3f686439e4p-30
#define CLINIT_QI64_E0 0x1.aa1b1c13ee526p+2
#define CLINIT_QI64_E1 0x1.5daea6e875003p+2
#define CLINIT_QI64_E2 0x1.c8ea6461fa445p+0
#define CLINIT_QI64_E3 0x1.2fad9315255cfp-2
#define CLINIT_QI64_E4 0x1.b2b41193b4ee7p-6
#define CLINIT_QI64_E5 0x1.45c1908425345p-10
#define CLINIT_QI64_E6 0x1.c6ec6cc59e02ap-16
#define CLINIT_QI64_E7 0x1.afb74d693bf93p-23
#define CLINIT_QI64_F1 0x1.331d34fc7d77fp-1
#define CLINIT_QI64_F2 0x1.186eb183443fbp-3
#define CLINIT_QI64_F3 0x1.e76f93215462ap-7
#define CLINIT_QI64_F4 0x1.9c8bc979dc5d7p-11
#define CLINIT_QI64_F5 0x1.35c2c496374bfp-16
#define CLINIT_QI64_F6 0x1.31446f740b9e0p-23
#define CLINIT_QI64_F7 0x1.269bff1f8c190p-49

/* 1/d for d positive normal, d < 2^1021: seed (< 12.5%), four Newton
 * steps (~2^-48). */
CLINIT_FN clinit_vd clinit_recip_f64(clinit_vd d)
{
    clinit_vd y =
        CLINIT_AS_D(CLINIT_VUL(0x7fde6238502484bau) - CLINIT_AS_UL(d));
    clinit_vd one = CLINIT_VD(1.0);
    y = CLINIT_FMA64(y, CLINIT_FMA64(-d, y, one), y);
    y = CLINIT_FMA64(y, CLINIT_FMA64(-d, y, one), y);
    y = CLINIT_FMA64(y, CLINIT_FMA64(-d, y, one), y);
    y = CLINIT_FMA64(y, CLINIT_FMA64(-d, y, one), y);
    return y;
}

CLINIT_FN clinit_vd clinit_div_f64(clinit_vd n, clinit_vd d)
{
    clinit_vd y = clinit_recip_f64(d);
    clinit_vd z = n * y;
    return CLINIT_FMA64(CLINIT_FMA64(-z, d, n), y, z);
}

/* As clinit_qinv_f32, in double with PPND16. */
CLINIT_FN clinit_vd clinit_qinv_f64(clinit_vd q, clinit_vd p, double L)
{
    clinit_vd r = clinit_sqrt_f64(CLINIT_VD(L) - clinit_log_f64(p));
    clinit_vd qc = CLINIT_SEL(q < CLINIT_VD(0x1p-300), CLINIT_VD(0x1p-300), q);
    clinit_vd xc = CLINIT_VD(CLINIT_QI64_CONST1) -
                   CLINIT_FMA64(qc, qc, CLINIT_VD(0.0)); /* as in f32 */
    clinit_vl cen = q <= CLINIT_VD(CLINIT_QI64_SPLIT1);
#if CLINIT_HAVE_PICK3_D
    clinit_vl k = (CLINIT_VL(2) + (r <= CLINIT_VD(CLINIT_QI64_SPLIT2))) & ~cen;
#define CLINIT_QI64_PICK_(c0, c1, c2) CLINIT_PICK3_D(k, (c0), (c1), (c2))
    clinit_vd x = CLINIT_SEL(
        cen, xc,
        r - CLINIT_QI64_PICK_(0.0, CLINIT_QI64_CONST2, CLINIT_QI64_SPLIT2));
#else
    clinit_vl t1 = r <= CLINIT_VD(CLINIT_QI64_SPLIT2);
#define CLINIT_QI64_PICK_(c0, c1, c2)                                          \
    CLINIT_SEL(cen, CLINIT_VD(c0), CLINIT_SEL(t1, CLINIT_VD(c1), CLINIT_VD(c2)))
    clinit_vd x =
        CLINIT_SEL(cen, xc,
                   CLINIT_SEL(t1, r - CLINIT_VD(CLINIT_QI64_CONST2),
                              r - CLINIT_VD(CLINIT_QI64_SPLIT2)));
#endif
    clinit_vd n =
        CLINIT_QI64_PICK_(CLINIT_QI64_A7, CLINIT_QI64_C7, CLINIT_QI64_E7);
    n = CLINIT_FMA64(
        n, x,
        CLINIT_QI64_PICK_(CLINIT_QI64_A6, CLINIT_QI64_C6, CLINIT_QI64_E6));
    n = CLINIT_FMA64(
        n, x,
        CLINIT_QI64_PICK_(CLINIT_QI64_A5, CLINIT_QI64_C5, CLINIT_QI64_E5));
    n = CLINIT_FMA64(
        n, x,
        CLINIT_QI64_PICK_(CLINIT_QI64_A4, CLINIT_QI64_C4, CLINIT_QI64_E4));
    n = CLINIT_FMA64(
        n, x,
        CLINIT_QI64_PICK_(CLINIT_QI64_A3, CLINIT_QI64_C3, CLINIT_QI64_E3));
    n = CLINIT_FMA64(
        n, x,
        CLINIT_QI64_PICK_(CLINIT_QI64_A2, CLINIT_QI64_C2, CLINIT_QI64_E2));
    n = CLINIT_FMA64(
        n, x,
        CLINIT_QI64_PICK_(CLINIT_QI64_A1, CLINIT_QI64_C1, CLINIT_QI64_E1));
    n = CLINIT_FMA64(
        n, x,
        CLINIT_QI64_PICK_(CLINIT_QI64_A0, CLINIT_QI64_C0, CLINIT_QI64_E0));
    clinit_vd d =
        CLINIT_QI64_PICK_(CLINIT_QI64_B7, CLINIT_QI64_D7, CLINIT_QI64_F7);
    d = CLINIT_FMA64(
        d, x,
        CLINIT_QI64_PICK_(CLINIT_QI64_B6, CLINIT_QI64_D6, CLINIT_QI64_F6));
    d = CLINIT_FMA64(
        d, x,
        CLINIT_QI64_PICK_(CLINIT_QI64_B5, CLINIT_QI64_D5, CLINIT_QI64_F5));
    d = CLINIT_FMA64(
        d, x,
        CLINIT_QI64_PICK_(CLINIT_QI64_B4, CLINIT_QI64_D4, CLINIT_QI64_F4));
    d = CLINIT_FMA64(
        d, x,
        CLINIT_QI64_PICK_(CLINIT_QI64_B3, CLINIT_QI64_D3, CLINIT_QI64_F3));
    d = CLINIT_FMA64(
        d, x,
        CLINIT_QI64_PICK_(CLINIT_QI64_B2, CLINIT_QI64_D2, CLINIT_QI64_F2));
    d = CLINIT_FMA64(
        d, x,
        CLINIT_QI64_PICK_(CLINIT_QI64_B1, CLINIT_QI64_D1, CLINIT_QI64_F1));
    d = CLINIT_FMA64(d, x, CLINIT_VD(1.0));
#undef CLINIT_QI64_PICK_
    n = CLINIT_SEL(cen, q * n, n);
    return clinit_div_f64(n, d);
}
#endif /* CLINIT_HAVE_F64 */

/* ---- per-element transforms ------------------------------------------- */

/* z in [alpha, beta] (up to rounding) for the word x; p0..p5 from
 * clinit_trunc_params_f32. Index i = x >> 1 (bit 0 of x is not used). */
CLINIT_FN clinit_vf clinit_trunc_z_f32(clinit_vu x, float p0, float p1,
                                       float p2, float p3, float p4, float p5)
{
    const clinit_vu m31 = CLINIT_VU(0x7fffffffu);
    clinit_vu i = x >> 1;
    /* X = p0 * 2^8: p0 + 2^23 is exact for integer p0 <= 2^23 and its low
     * 23 bits are p0 (0 for p0 = 2^23: X = 2^31 = 0 mod 2^31) */
    clinit_vu X = (CLINIT_AS_U(CLINIT_VF(p0) + CLINIT_VF(0x1p23f)) &
                   CLINIT_VU(0x007fffffu))
                  << 8;
    /* left iff i < X, i.e. (i >> 8) < p0, compared exactly */
    clinit_vi left = CLINIT_I2F(CLINIT_AS_I(i >> 8)) < CLINIT_VF(p0);
    clinit_vu d = (i - X) & m31;
    /* p counts from the side's far end, q from its near end (0 or the
     * side's inner bound) */
    clinit_vu ip = CLINIT_SEL(left, i, i ^ m31);
    clinit_vu iq = CLINIT_SEL(left, d ^ m31, d);
    clinit_vf p = CLINIT_FMA(CLINIT_I2F(CLINIT_AS_I(ip)), CLINIT_VF(p3),
                             CLINIT_SEL(left, CLINIT_VF(p1), CLINIT_VF(p2)));
    clinit_vf q =
        CLINIT_FMA(CLINIT_I2F(CLINIT_AS_I(iq)), CLINIT_VF(p3), CLINIT_VF(p4));
    q = CLINIT_SEL(q > CLINIT_VF(0.5f), CLINIT_VF(0.5f), q);
    clinit_vf z = clinit_qinv_f32(q, p, p5);
    return CLINIT_SEL(left, -z, z);
}

#if CLINIT_HAVE_F64
/* z in [alpha, beta] (up to rounding) for k53 < 2^53 (bits 53..63 are
 * ignored); p0..p5 from clinit_trunc_params_f64. Index i = k53. */
CLINIT_FN clinit_vd clinit_trunc_z_f64(clinit_vul k53, double p0, double p1,
                                       double p2, double p3, double p4,
                                       double p5)
{
    const clinit_vul m53 = CLINIT_VUL(0x001fffffffffffffu);
    clinit_vul i = k53 & m53;
    /* X = 2 p0, p0 an integer <= 2^52 (X = 2^53 = 0 mod 2^53) */
    clinit_vul X = (CLINIT_AS_UL(CLINIT_VD(p0) + CLINIT_VD(0x1p52)) &
                    CLINIT_VUL(0x000fffffffffffffu))
                   << 1;
    clinit_vl left = clinit_k2d(i >> 1) < CLINIT_VD(p0);
    clinit_vul d = (i - X) & m53;
    clinit_vul ip = CLINIT_SEL(left, i, i ^ m53);
    clinit_vul iq = CLINIT_SEL(left, d ^ m53, d);
    clinit_vd p = CLINIT_FMA64(clinit_k2d(ip), CLINIT_VD(p3),
                               CLINIT_SEL(left, CLINIT_VD(p1), CLINIT_VD(p2)));
    clinit_vd q =
        CLINIT_FMA64(clinit_k2d(iq), CLINIT_VD(p3), CLINIT_VD(p4));
    q = CLINIT_SEL(q > CLINIT_VD(0.5), CLINIT_VD(0.5), q);
    clinit_vd z = clinit_qinv_f64(q, p, p5);
    return CLINIT_SEL(left, -z, z);
}
#endif /* CLINIT_HAVE_F64 */

/* ---- host: per-tensor parameters (C only) ------------------------------ */
#if !CLINIT_OPENCL

/* |alpha|, |beta| beyond this are clamped (AS 241 covers Q >= 1e-316) */
#define CLINIT_TRUNC_ZMAX 38.0
#define CLINIT_INV_SQRT2PI 0x1.9884533d43651p-2
#define CLINIT_LOG2E 0x1.71547652b82fep+0

/* e^y for y <= 1, deterministic (+ - * / fma floor and bit work only):
 * y = n ln2 + r, |r| <= ln2/2, degree-14 Taylor of e^r (error < 2^-60
 * relative), times 2^n. 0 when e^y < DBL_MIN. */
static inline double clinit_exp_host(double y)
{
    double n = floor(y * CLINIT_LOG2E + 0.5);
    if (!(n >= -1022.0))
        return 0.0;
    double r = fma(-n, CLINIT_LN2_HI64, y); /* n * HI is exact */
    r = fma(-n, CLINIT_LN2_LO64, r);
    double e = 1.0;
    for (int k = 14; k >= 1; k--)
        e = fma(r / k, e, 1.0);
    uint64_t b = (uint64_t)(int64_t)(n + 1023.0) << 52;
    return e * CLINIT_F64_OF_BITS(b);
}

/* Phi0(x) = erf(x / sqrt 2) / 2 for 0 <= x < 0.75: the Taylor series,
 * alternating with terms below 0.29^n / n!, summed to 40 terms. */
static inline double clinit_phi0_series_host(double x)
{
    double x2 = x * x, term = x, sum = x;
    for (int n = 1; n <= 40; n++) {
        term *= -x2 / (2.0 * n);
        sum += term / (2.0 * n + 1.0);
    }
    return sum * CLINIT_INV_SQRT2PI;
}

/* Mills ratio Q(x) / phi(x) for x >= 0.75: the continued fraction
 * 1 / (x + 1 / (x + 2 / (x + 3 / ...))) evaluated backwards from depth
 * 1000 (truncation error < 1e-18 relative at x = 0.75). */
static inline double clinit_mills_host(double x)
{
    double t = x;
    for (int k = 1000; k >= 1; k--)
        t = x + k / t;
    return 1.0 / t;
}

/* Q(x) e^L for x >= 0 (L = 0 for x < 0.75), relative error ~1e-16; 0 when
 * it is below DBL_MIN. */
static inline double clinit_upper_host(double x, double L)
{
    if (x < 0.75)
        return 0.5 - clinit_phi0_series_host(x);
    /* e^(-x^2/2 + L) with -x^2/2 = hi + lo exactly; hi + L is exact
     * (L = floor(x^2/2) or 0) */
    double sq = x * x;
    double hi = -0.5 * sq, lo = -0.5 * fma(x, x, -sq);
    double e = clinit_exp_host(hi + L);
    return fma(e, lo, e) * clinit_mills_host(x) * CLINIT_INV_SQRT2PI;
}

/* Phi0(x) = 1/2 - Q(x) for x >= 0 */
static inline double clinit_phi0_host(double x)
{
    return x < 0.75 ? clinit_phi0_series_host(x)
                    : 0.5 - clinit_upper_host(x, 0.0);
}

/* The six parameters in double, before rounding to the kernel's type:
 * N = 2^31 (f32) or 2^53 (f64) indices, threshold unit 2^8 or 2. */
static inline void clinit_trunc_params_(double mean, double std, double a,
                                        double b, double N, double unit,
                                        double p[6])
{
    double kmax = N / unit;
    /* degenerate (also NaN or infinite std): z = 0 everywhere, which the
     * caller's clamp turns into the bound nearest to the mean */
    p[0] = 0.0;
    p[1] = 0.25;
    p[2] = 0.25;
    p[3] = 0.0;
    p[4] = 0.0;
    p[5] = 0.0;
    if (!(std > 0.0) || !(std <= DBL_MAX))
        return;
    double al = (a - mean) / std, be = (b - mean) / std;
    if (al != al || be != be)
        return;
    al = al < -CLINIT_TRUNC_ZMAX  ? -CLINIT_TRUNC_ZMAX
         : al > CLINIT_TRUNC_ZMAX ? CLINIT_TRUNC_ZMAX
                                  : al;
    be = be < -CLINIT_TRUNC_ZMAX  ? -CLINIT_TRUNC_ZMAX
         : be > CLINIT_TRUNC_ZMAX ? CLINIT_TRUNC_ZMAX
                                  : be;
    if (!(al < be))
        return;
    int side; /* 0: all right, 1: all left, 2: both */
    double near, far, k = 0.0;
    if (al >= 0.0) {
        side = 0, near = al, far = be;
    } else if (be <= 0.0) {
        side = 1, near = -be, far = -al;
    } else {
        double mL = clinit_phi0_host(-al), mR = clinit_phi0_host(be);
        k = floor(mL / (mL + mR) * kmax + 0.5);
        if (k <= 0.0)
            side = 0, near = 0.0, far = be;
        else if (k >= kmax)
            side = 1, near = 0.0, far = -al;
        else
            side = 2, near = 0.0, far = 0.0;
    }
    if (side == 2) {
        double s = (clinit_phi0_host(-al) + clinit_phi0_host(be)) / N;
        p[0] = k;
        p[1] = clinit_upper_host(-al, 0.0) + 0.5 * s;
        p[2] = clinit_upper_host(be, 0.0) + 0.5 * s;
        p[3] = s;
        p[4] = 0.5 * s;
        p[5] = 0.0;
        return;
    }
    /* one side: p from Q(far), q from Phi0(near); scaled by e^L when
     * near >= 2 (there Qinv never needs q: z >= 2 > 1.44) */
    double L = near >= 2.0 ? floor(0.5 * near * near) : 0.0;
    double qn = clinit_upper_host(near, L), qf = clinit_upper_host(far, L);
    double M;
    if (L > 0.0)
        M = qn - qf;
    else {
        /* the difference with less cancellation */
        double fn = clinit_phi0_host(near), ff = clinit_phi0_host(far);
        M = qn < ff ? qn - qf : ff - fn;
    }
    if (!(M > 0.0))
        M = 0.0;
    double s = M / N;
    p[0] = side == 1 ? kmax : 0.0;
    p[1] = side == 1 ? qf + 0.5 * s : 0.25;
    p[2] = side == 1 ? 0.25 : qf + 0.5 * s;
    p[3] = s;
    p[4] = L > 0.0 ? 0.5 : clinit_phi0_host(near) + 0.5 * s;
    p[5] = L;
}

/* Parameters of clinit_trunc_z_f32 for trunc_normal_(mean, std, a, b). */
static inline void clinit_trunc_params_f32(double mean, double std, double a,
                                           double b, float p[6])
{
    double d[6];
    clinit_trunc_params_(mean, std, a, b, 0x1p31, 0x1p8, d);
    for (int j = 0; j < 6; j++) {
        float f = (float)d[j];
        p[j] = f < FLT_MIN ? 0.0f : f; /* all are >= 0 */
    }
}

/* Parameters of clinit_trunc_z_f64 for trunc_normal_(mean, std, a, b). */
static inline void clinit_trunc_params_f64(double mean, double std, double a,
                                           double b, double p[6])
{
    double d[6];
    clinit_trunc_params_(mean, std, a, b, 0x1p53, 2.0, d);
    for (int j = 0; j < 6; j++)
        p[j] = d[j] < DBL_MIN ? 0.0 : d[j];
}

#endif /* !CLINIT_OPENCL */

#endif /* CLINIT_TRUNC_H */
