/* clinit_philox.h - Philox4x32-10 (Salmon et al., SC'11), written once.
 *
 * Same constants and round structure as Random123's philox4x32(): ten
 * rounds, the key bumped by the Weyl constants between rounds. On OpenCL
 * every argument is a CLINIT_LANES-wide vector (one counter per lane); in
 * C it is a scalar. Tested against Random123's known-answer vectors and
 * against librandom123 itself (tests/test_philox.c).
 */
#ifndef CLINIT_PHILOX_H
#define CLINIT_PHILOX_H

#include "clinit_features.h"

#define CLINIT_PHILOX_M0 0xD2511F53u
#define CLINIT_PHILOX_M1 0xCD9E8D57u
#define CLINIT_PHILOX_W0 0x9E3779B9u
#define CLINIT_PHILOX_W1 0xBB67AE85u

#define CLINIT_PHILOX_ROUND_(x0, x1, x2, x3, k0, k1)                           \
    do {                                                                       \
        clinit_vu hi0_, lo0_, hi1_, lo1_;                                      \
        CLINIT_MULHILO(CLINIT_VU(CLINIT_PHILOX_M0), x0, hi0_, lo0_);           \
        CLINIT_MULHILO(CLINIT_VU(CLINIT_PHILOX_M1), x2, hi1_, lo1_);           \
        x0 = hi1_ ^ x1 ^ k0;                                                   \
        x1 = lo1_;                                                             \
        x2 = hi0_ ^ x3 ^ k1;                                                   \
        x3 = lo0_;                                                             \
    } while (0)

#define CLINIT_PHILOX_BUMP_(k0, k1)                                            \
    do {                                                                       \
        k0 += CLINIT_VU(CLINIT_PHILOX_W0);                                     \
        k1 += CLINIT_VU(CLINIT_PHILOX_W1);                                     \
    } while (0)

/* Replaces the counter x[0..3] by philox4x32_10(x, {k0, k1}). */
CLINIT_FN void clinit_philox4x32_10(CLINIT_PRIV clinit_vu *x, clinit_vu k0,
                                    clinit_vu k1)
{
    clinit_vu x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3];
    CLINIT_PHILOX_ROUND_(x0, x1, x2, x3, k0, k1); /* 1 */
    CLINIT_PHILOX_BUMP_(k0, k1);
    CLINIT_PHILOX_ROUND_(x0, x1, x2, x3, k0, k1); /* 2 */
    CLINIT_PHILOX_BUMP_(k0, k1);
    CLINIT_PHILOX_ROUND_(x0, x1, x2, x3, k0, k1); /* 3 */
    CLINIT_PHILOX_BUMP_(k0, k1);
    CLINIT_PHILOX_ROUND_(x0, x1, x2, x3, k0, k1); /* 4 */
    CLINIT_PHILOX_BUMP_(k0, k1);
    CLINIT_PHILOX_ROUND_(x0, x1, x2, x3, k0, k1); /* 5 */
    CLINIT_PHILOX_BUMP_(k0, k1);
    CLINIT_PHILOX_ROUND_(x0, x1, x2, x3, k0, k1); /* 6 */
    CLINIT_PHILOX_BUMP_(k0, k1);
    CLINIT_PHILOX_ROUND_(x0, x1, x2, x3, k0, k1); /* 7 */
    CLINIT_PHILOX_BUMP_(k0, k1);
    CLINIT_PHILOX_ROUND_(x0, x1, x2, x3, k0, k1); /* 8 */
    CLINIT_PHILOX_BUMP_(k0, k1);
    CLINIT_PHILOX_ROUND_(x0, x1, x2, x3, k0, k1); /* 9 */
    CLINIT_PHILOX_BUMP_(k0, k1);
    CLINIT_PHILOX_ROUND_(x0, x1, x2, x3, k0, k1); /* 10 */
    x[0] = x0;
    x[1] = x1;
    x[2] = x2;
    x[3] = x3;
}

/* ---- C: all CLINIT_LANES counters of a block at once -------------------
 * clinit_philox_block(c0, c1, c2, c3, ks, x): x[w][l] = word w of
 * philox4x32_10({c0 + l, c1, c2, c3}, {k0, k1}) for every lane l < 16,
 * ks = clinit_philox_key_schedule(k0, k1)
 * (c0 + l wraps at 2^32), the same bits as clinit_philox4x32_10 lane by
 * lane. With SSE2 / AVX2 / AVX-512 (and without CLINIT_PHILOX_PORTABLE,
 * the portable loop below, also what the guard's regression check builds)
 * the counters are kept as 64-bit lanes, even counters in one register
 * and odd ones in another: one unsigned 32x32->64 multiply (pmuludq)
 * gives hi:lo of a lane at once, the low 32 bits of a lane are its word
 * and the high 32 bits are don't-care (pmuludq reads only the low ones).
 * The 16 counters are 2 to 8 such registers, independent chains that the
 * core overlaps. Rounds 1 and 2 multiply a lane-invariant word once, in
 * scalar code. The round keys come from clinit_philox_key_schedule. */
#if !CLINIT_OPENCL
#if defined(__SSE2__) && !defined(CLINIT_PHILOX_PORTABLE)
#include <immintrin.h>
#if defined(__AVX512F__)
#define CLINIT_PH_BYTES_ 64
#define CLINIT_PH_MUL_(a, b) ((clinit_ph_v_)_mm512_mul_epu32((__m512i)(a), (__m512i)(b)))
#define CLINIT_PH_JOIN_(e, o)                                                  \
    _mm512_mask_blend_epi32(0xAAAA, (__m512i)(e), (__m512i)((o) << 32))
#elif defined(__AVX2__)
#define CLINIT_PH_BYTES_ 32
#define CLINIT_PH_MUL_(a, b) ((clinit_ph_v_)_mm256_mul_epu32((__m256i)(a), (__m256i)(b)))
#define CLINIT_PH_JOIN_(e, o)                                                  \
    _mm256_blend_epi32((__m256i)(e), (__m256i)((o) << 32), 0xAA)
#else
#define CLINIT_PH_BYTES_ 16
#define CLINIT_PH_MUL_(a, b) ((clinit_ph_v_)_mm_mul_epu32((__m128i)(a), (__m128i)(b)))
#define CLINIT_PH_JOIN_(e, o) (((e) & 0xffffffffu) | ((o) << 32))
#endif
#define CLINIT_PH_L_ (CLINIT_PH_BYTES_ / 8)   /* 64-bit lanes per register */
#define CLINIT_PH_H_ (CLINIT_LANES / CLINIT_PH_L_) /* registers per word */
/* registers per word computed together: four independent chains where
 * there are four (AVX2, SSE2), so that the multiplies' latency is hidden
 * (llvm-mca -mcpu=znver3: 109 instead of 174 cycles per block on AVX2);
 * AVX-512 has two */
#define CLINIT_PH_G_ (CLINIT_PH_H_ >= 4 ? 4 : CLINIT_PH_H_)
typedef unsigned long long clinit_ph_v_
    __attribute__((vector_size(CLINIT_PH_BYTES_)));

static inline __attribute__((always_inline)) clinit_ph_v_
clinit_ph_splat_(unsigned long long s)
{
    clinit_ph_v_ v;
    for (int j = 0; j < CLINIT_PH_L_; j++)
        v[j] = s;
    return v;
}

/* The round keys of {k0, k1}: k[r] of round r + 1 as scalars and, for
 * rounds 3 .. 10, splat; computed once per fill (clinit_philox_block
 * reads them from memory, one operand of an xor each). */
typedef struct {
    clinit_ph_v_ v[10][2];
    clinit_u32 k[10][2];
} clinit_philox_keys;

static inline void clinit_philox_key_schedule(clinit_u32 k0, clinit_u32 k1,
                                              clinit_philox_keys *ks)
{
    for (int r = 0; r < 10; r++) {
        ks->k[r][0] = k0;
        ks->k[r][1] = k1;
        ks->v[r][0] = clinit_ph_splat_(k0);
        ks->v[r][1] = clinit_ph_splat_(k1);
        k0 += CLINIT_PHILOX_W0;
        k1 += CLINIT_PHILOX_W1;
    }
}

static inline __attribute__((always_inline)) void
clinit_philox_block(clinit_u32 c0, clinit_u32 c1, clinit_u32 c2,
                    clinit_u32 c3, const clinit_philox_keys *ks,
                    clinit_u32 x[4][CLINIT_LANES])
{
    /* register h holds counters (h / 2) * 2L + 2 j + h % 2, lane j < L;
     * CLINIT_PH_G_ registers (even / odd pairs) at a time, all ten rounds:
     * their independent chains overlap each other's multiply latency (with
     * a pair at a time, the core could not overlap the next pair's: the
     * loop was bound by the rounds' latency) */
    clinit_ph_v_ m0 = clinit_ph_splat_(CLINIT_PHILOX_M0);
    clinit_ph_v_ m1 = clinit_ph_splat_(CLINIT_PHILOX_M1);
    clinit_ph_v_ vc0 = clinit_ph_splat_(c0);
    clinit_u64 p1 = (clinit_u64)CLINIT_PHILOX_M1 * c2;
    clinit_u32 r0 = (clinit_u32)(p1 >> 32) ^ c1 ^ ks->k[0][0];
    clinit_u32 r1 = (clinit_u32)p1;
    clinit_u64 p0 = (clinit_u64)CLINIT_PHILOX_M0 * r0;
    clinit_ph_v_ s1 = clinit_ph_splat_(c3 ^ ks->k[0][1]);
    clinit_ph_v_ s2 = clinit_ph_splat_(r1 ^ ks->k[1][0]);
    clinit_ph_v_ s3 = clinit_ph_splat_((clinit_u32)(p0 >> 32) ^ ks->k[1][1]);
    clinit_ph_v_ s4 = clinit_ph_splat_((clinit_u32)p0);
    for (int g = 0; g < CLINIT_PH_H_; g += CLINIT_PH_G_) {
        clinit_ph_v_ a0[CLINIT_PH_G_], a1[CLINIT_PH_G_], a2[CLINIT_PH_G_],
            a3[CLINIT_PH_G_];
        for (int i = 0; i < CLINIT_PH_G_; i++) {
            clinit_ph_v_ c; /* the counters; the low 32 bits count */
            for (int j = 0; j < CLINIT_PH_L_; j++)
                c[j] = (unsigned long long)((g + i) / 2 * 2 * CLINIT_PH_L_ +
                                            2 * j + i % 2);
            /* round 1: x1 .. x3 lane-invariant, M1 * x2 is p1 */
            a3[i] = CLINIT_PH_MUL_(vc0 + c, m0);
            a2[i] = (a3[i] >> 32) ^ s1;
            /* round 2: x0 = r0, x1 = r1 lane-invariant, M0 * r0 is p0 */
            a1[i] = CLINIT_PH_MUL_(a2[i], m1);
            a0[i] = (a1[i] >> 32) ^ s2;
            a2[i] = a3[i] ^ s3;
            a3[i] = s4;
        }
#pragma GCC unroll 8
        for (int r = 2; r < 10; r++) { /* rounds 3 .. 10 */
            for (int i = 0; i < CLINIT_PH_G_; i++) {
                clinit_ph_v_ q0 = CLINIT_PH_MUL_(a0[i], m0);
                clinit_ph_v_ q1 = CLINIT_PH_MUL_(a2[i], m1);
                a0[i] = (q1 >> 32) ^ (a1[i] ^ ks->v[r][0]);
                a1[i] = q1;
                a2[i] = (q0 >> 32) ^ (a3[i] ^ ks->v[r][1]);
                a3[i] = q0;
            }
        }
        for (int h = 0; h < CLINIT_PH_G_; h += 2) { /* even / odd pairs */
            size_t at = (size_t)(g + h) * CLINIT_PH_L_;
            clinit_ph_v_ w0 = (clinit_ph_v_)CLINIT_PH_JOIN_(a0[h], a0[h + 1]);
            clinit_ph_v_ w1 = (clinit_ph_v_)CLINIT_PH_JOIN_(a1[h], a1[h + 1]);
            clinit_ph_v_ w2 = (clinit_ph_v_)CLINIT_PH_JOIN_(a2[h], a2[h + 1]);
            clinit_ph_v_ w3 = (clinit_ph_v_)CLINIT_PH_JOIN_(a3[h], a3[h + 1]);
            memcpy(&x[0][at], &w0, sizeof w0);
            memcpy(&x[1][at], &w1, sizeof w1);
            memcpy(&x[2][at], &w2, sizeof w2);
            memcpy(&x[3][at], &w3, sizeof w3);
        }
    }
}
#else /* portable: lane by lane in the scalar vocabulary's arithmetic */
typedef struct {
    clinit_u32 k[10][2];
} clinit_philox_keys;

static inline void clinit_philox_key_schedule(clinit_u32 k0, clinit_u32 k1,
                                              clinit_philox_keys *ks)
{
    for (int r = 0; r < 10; r++) {
        ks->k[r][0] = k0;
        ks->k[r][1] = k1;
        k0 += CLINIT_PHILOX_W0;
        k1 += CLINIT_PHILOX_W1;
    }
}

static inline void clinit_philox_block(clinit_u32 c0, clinit_u32 c1,
                                       clinit_u32 c2, clinit_u32 c3,
                                       const clinit_philox_keys *ks,
                                       clinit_u32 x[4][CLINIT_LANES])
{
    for (int l = 0; l < CLINIT_LANES; l++) {
        clinit_u32 y0 = c0 + (clinit_u32)l, y1 = c1, y2 = c2, y3 = c3;
        for (int r = 0; r < 10; r++) {
            clinit_u32 q0 = ks->k[r][0], q1 = ks->k[r][1];
            clinit_u64 p0 = (clinit_u64)CLINIT_PHILOX_M0 * y0;
            clinit_u64 p1 = (clinit_u64)CLINIT_PHILOX_M1 * y2;
            y0 = (clinit_u32)(p1 >> 32) ^ y1 ^ q0;
            y1 = (clinit_u32)p1;
            y2 = (clinit_u32)(p0 >> 32) ^ y3 ^ q1;
            y3 = (clinit_u32)p0;
        }
        x[0][l] = y0;
        x[1][l] = y1;
        x[2][l] = y2;
        x[3][l] = y3;
    }
}
#endif
#endif /* !CLINIT_OPENCL */

#endif /* CLINIT_PHILOX_H */
