/* clinit_stream.h - the stream contract (docs/STREAM.md, version 1).
 *
 * Element i of a tensor with a 32-bit dtype lives in block B = i / 64 at
 * slot j = i % 64; slot j is word w = j / 16 of Philox counter 16 * B + l,
 * l = j % 16. A block is thus one CLINIT_LANES-wide vector of counters, and
 * its four output words are four contiguous runs of 16 elements.
 *
 * Counter of (block B, lane l, domain d) for (seed, stream):
 *   c0 = low 32 bits of 16 * B + l     c1 = (d << 24) | bits 32..55 of it
 *   c2 = low 32 bits of stream         c3 = high 32 bits of stream
 *   key = {low 32 bits of seed, high 32 bits of seed}
 *
 * Every function here is a pure function of its arguments and is compiled
 * both by the C path (lane = scalar l) and by OpenCL (lane = 0..15).
 */
#ifndef CLINIT_STREAM_H
#define CLINIT_STREAM_H

#include "clinit_features.h"
#include "clinit_math.h"
#include "clinit_math64.h"
#include "clinit_philox.h"
#include "clinit_trunc.h"

#define CLINIT_BLOCK32 64 /* elements of a 32-bit dtype per block */
#define CLINIT_DOMAIN_VALUES 0u
#define CLINIT_DOMAIN_SPARSE 1u /* the keys of sparse_ permutations */

/* x[w] = word w of philox(counter(B, lane, domain, stream), key(seed)). */
CLINIT_FN void clinit_block_words(clinit_u64 B, clinit_vu lane,
                                  clinit_u32 domain, clinit_u32 k0,
                                  clinit_u32 k1, clinit_u32 s0, clinit_u32 s1,
                                  CLINIT_PRIV clinit_vu *x)
{
    x[0] = CLINIT_VU((clinit_u32)(B << 4)) + lane;
    x[1] = CLINIT_VU((clinit_u32)(B >> 28) | (domain << 24));
    x[2] = CLINIT_VU(s0);
    x[3] = CLINIT_VU(s1);
    clinit_philox4x32_10(x, CLINIT_VU(k0), CLINIT_VU(k1));
}

/* A value whose magnitude is below FLT_MIN becomes a zero of the same
 * sign, so devices that flush denormals agree with those that do not. */
CLINIT_FN clinit_vf clinit_flush_f32(clinit_vf v)
{
    clinit_vu u = CLINIT_AS_U(v);
    return CLINIT_SEL((u & CLINIT_VU(0x7f800000u)) == CLINIT_VU(0u),
                      CLINIT_AS_F(u & CLINIT_VU(0x80000000u)), v);
}

/* The top 24 bits of x as a float in [0, 1 - 2^-24], exact. */
CLINIT_FN clinit_vf clinit_u01_f32(clinit_vu x)
{
    return CLINIT_I2F(CLINIT_AS_I(x >> 8)) * CLINIT_VF(0x1p-24f);
}

/* uniform on [lo, hi): fma(u, scale, lo) with scale = hi - lo rounded to
 * float, then clamped to [bottom, top]: top is the largest value of the
 * output dtype below hi and bottom the smallest one >= lo (for f32, bottom
 * is lo itself, a no-op), so after rounding to the dtype the value stays in
 * [lo, hi) and hi itself is never returned. */
CLINIT_FN clinit_vf clinit_uniform_f32(clinit_vu x, float lo, float scale,
                                       float top, float bottom)
{
    clinit_vf v =
        CLINIT_FMA(clinit_u01_f32(x), CLINIT_VF(scale), CLINIT_VF(lo));
    v = CLINIT_SEL(v > CLINIT_VF(top), CLINIT_VF(top), v);
    v = CLINIT_SEL(v < CLINIT_VF(bottom), CLINIT_VF(bottom), v);
    return clinit_flush_f32(v);
}

/* 1 iff clinit_uniform_f32(x, lo, scale, top, bottom) equals
 * clinit_uniform_fast_f32(x, lo, scale * 2^-24, top, bottom) for every x.
 * With n = x >> 8 and u = n 2^-24 (exact): scale = m 2^(E - 150), m < 2^24
 * an integer, E its biased exponent; for E >= 48, c = scale 2^-24 =
 * m 2^(E - 174) is a float (exact) and n c a multiple of 2^-126; lo is 0
 * or, for a biased exponent >= 24, a multiple of 2^-126 too. Then
 * fma(n, c, lo) and fma(u, scale, lo) round the same exact value once,
 * and that value is 0 or of magnitude >= FLT_MIN (rounding is monotone and
 * FLT_MIN a float); with top and bottom 0 or normal, the flush never
 * changes a value. The clamps are the same comparisons as CLINIT_MIN_F /
 * CLINIT_MAX_F. tests/test_uniform_fast.c checks every n for edge-case
 * and random parameters. */
CLINIT_FN int clinit_uniform_fast_ok(float lo, float scale, float top,
                                     float bottom)
{
    clinit_u32 s = CLINIT_BITS_OF_F32(scale), l = CLINIT_BITS_OF_F32(lo);
    clinit_u32 t = CLINIT_BITS_OF_F32(top), b = CLINIT_BITS_OF_F32(bottom);
    int scale_ok = ((s >> 23) & 0xffu) >= 48u;
    int lo_ok = (l & 0x7fffffffu) == 0u || ((l >> 23) & 0xffu) >= 24u;
    int top_ok = (t & 0x7fffffffu) == 0u || (t & 0x7f800000u) != 0u;
    int bottom_ok = (b & 0x7fffffffu) == 0u || (b & 0x7f800000u) != 0u;
    return scale_ok && lo_ok && top_ok && bottom_ok;
}

/* clinit_uniform_f32 where clinit_uniform_fast_ok holds; c = scale * 2^-24
 * (exact there): one conversion, one fma, a min and a max. */
CLINIT_FN clinit_vf clinit_uniform_fast_f32(clinit_vu x, float lo, float c,
                                            float top, float bottom)
{
    clinit_vf v = CLINIT_FMA(CLINIT_I2F(CLINIT_AS_I(x >> 8)), CLINIT_VF(c),
                             CLINIT_VF(lo));
    v = CLINIT_MIN_F(CLINIT_VF(top), v);
    return CLINIT_MAX_F(CLINIT_VF(bottom), v);
}

/* Box-Muller: the words (xa, xb) of one counter give two standard normals.
 * u = (xa >> 1) * 2^-31 + 2^-32 in [2^-32, 1] (never 0: |z| <= 6.67),
 * angle 2*pi*t from the top 24 bits of xb. */
CLINIT_FN void clinit_boxmuller_f32(clinit_vu xa, clinit_vu xb,
                                    CLINIT_PRIV clinit_vf *z0,
                                    CLINIT_PRIV clinit_vf *z1)
{
    clinit_vf u = CLINIT_FMA(CLINIT_I2F(CLINIT_AS_I(xa >> 1)),
                             CLINIT_VF(0x1p-31f), CLINIT_VF(0x1p-32f));
    /* 0 - 2 log(u) is +0, never -0, when u = 1, else a positive normal
     * float for every xa (tests/test_value_bits.c): the domain where
     * clinit_sqrt_hw_f32 is clinit_sqrt_f32 */
    clinit_vf r = clinit_sqrt_hw_f32(CLINIT_VF(0.0f) -
                                     CLINIT_VF(2.0f) * clinit_log_f32(u));
    clinit_vf s, c;
    clinit_sincos2pi_f32(xb, &s, &c);
    *z0 = r * c;
    *z1 = r * s;
}

/* normal(mean, std) from the words (xa, xb) of one counter: z0 goes to
 * xa's slot, z1 to xb's. */
CLINIT_FN void clinit_normal_pair_f32(clinit_vu xa, clinit_vu xb, float mean,
                                      float std, CLINIT_PRIV clinit_vf *v0,
                                      CLINIT_PRIV clinit_vf *v1)
{
    clinit_vf z0, z1;
    clinit_boxmuller_f32(xa, xb, &z0, &z1);
    *v0 = clinit_flush_f32(CLINIT_FMA(z0, CLINIT_VF(std), CLINIT_VF(mean)));
    *v1 = clinit_flush_f32(CLINIT_FMA(z1, CLINIT_VF(std), CLINIT_VF(mean)));
}

/* The 64 normal(mean, std) values of one block: out[w] holds slots
 * 16w .. 16w+15; words (0, 1) and (2, 3) are Box-Muller pairs. */
CLINIT_FN void clinit_normal4_f32(CLINIT_PRIV const clinit_vu *x, float mean,
                                  float std, CLINIT_PRIV clinit_vf *out)
{
    clinit_normal_pair_f32(x[0], x[1], mean, std, &out[0], &out[1]);
    clinit_normal_pair_f32(x[2], x[3], mean, std, &out[2], &out[3]);
}

/* trunc_normal: one word, one value. z in [alpha, beta] by the inverse
 * CDF of clinit_trunc.h (parameters t[0..5] from the host), then
 * mean + std * z clamped to [bottom, top], the dtype's values inside
 * [a, b], so no value leaves [a, b] after rounding. */
CLINIT_FN clinit_vf clinit_truncated_f32(clinit_vu x, float mean, float std,
                                         float bottom, float top, float t0,
                                         float t1, float t2, float t3, float t4,
                                         float t5)
{
    clinit_vf z = clinit_trunc_z_f32(x, t0, t1, t2, t3, t4, t5);
    clinit_vf v = CLINIT_FMA(z, CLINIT_VF(std), CLINIT_VF(mean));
    /* v > top ? top : v, then v < bottom ? bottom : v */
    v = CLINIT_MIN_F(CLINIT_VF(top), v);
    v = CLINIT_MAX_F(CLINIT_VF(bottom), v);
    return clinit_flush_f32(v);
}

/* ---- sparse_: a keyed permutation of the rows of each column ----------- */

/* pi_c, the Feistel bijection of docs/STREAM.md: six rounds on halves of
 * h bits (1 <= h <= 16), round j computing
 *   F_j(R) = mix32(R ^ tweak ^ k_j) & mask,  k_j = key[j mod 4] + j 0x9E3779B9,
 * tweak = mix32(c) (mix32: murmur3's finalizer), restricted to [0, n) by
 * cycle walking. It is evaluated here with less work per lane and the
 * same bits (tests/test_sparse.c checks it against those plain rounds):
 * - mix32 begins with y ^= y >> 16. For y = R ^ t, t = tweak ^ k_j, R < 2^h
 *   <= 2^16 gives y >> 16 = t >> 16, so y ^ (y >> 16) = R ^ s(tweak) ^
 *   s(k_j) with s(y) = y ^ (y >> 16). mix32 ends with the same step,
 *   tweak = s(u) with u = mix32(c) but its last step, and s(s(u)) = u
 *   (the top half of s(u) is u's). So F_j(R) = g(R ^ u ^ s(k_j)) & mask,
 *   g = mix32 without its first step: u once per column, s(k_j) once per
 *   fill, one xor per round.
 * - the halves are kept as L ^ u and R ^ u: round j is then
 *   (Lu, Ru) <- (Ru, Lu ^ g(Ru ^ s(k_j)) & mask), and a pass's result
 *   (L << h) | R = (Lu << h) ^ Ru ^ uw, uw = (u << h) ^ u.
 * A round is two multiplies deep, so one vector alone is bound by that
 * latency: clinit_sparse_perm2/4 interleave the rounds of 2 or 4. */

/* g: mix32 without its first xorshift */
CLINIT_FN clinit_vu clinit_mix32_tail(clinit_vu x)
{
    x *= CLINIT_VU(0x85ebca6bu);
    x ^= x >> 13;
    x *= CLINIT_VU(0xc2b2ae35u);
    x ^= x >> 16;
    return x;
}

/* u of column c: mix32(c) but its last step */
CLINIT_FN clinit_vu clinit_sparse_u(clinit_vu c)
{
    c ^= c >> 16;
    c *= CLINIT_VU(0x85ebca6bu);
    c ^= c >> 13;
    return c * CLINIT_VU(0xc2b2ae35u);
}

/* ks[j] = s(k_j) of the six rounds, from the four keys */
CLINIT_FN void clinit_feistel_keys(clinit_u32 key0, clinit_u32 key1,
                                   clinit_u32 key2, clinit_u32 key3,
                                   CLINIT_PRIV clinit_u32 *ks)
{
    clinit_u32 keys[4] = {key0, key1, key2, key3};
    for (clinit_u32 j = 0; j < 6; j++) {
        clinit_u32 k = keys[j & 3] + j * 0x9E3779B9u;
        ks[j] = k ^ (k >> 16);
    }
}

/* The halves of v < 2^(2h) as L ^ u, R ^ u */
CLINIT_FN void clinit_feistel_start(clinit_vu v, clinit_vu u, clinit_u32 h,
                                    clinit_vu mask, CLINIT_PRIV clinit_vu *L,
                                    CLINIT_PRIV clinit_vu *R)
{
    *L = (v >> h) ^ u;
    *R = (v & mask) ^ u;
}

/* Row r, or 0 for r >= n: a lane past the tensor's end (never stored)
 * starts from 0, so its walk ends. */
CLINIT_FN clinit_vu clinit_sparse_row(clinit_vu r, clinit_u32 n)
{
    return CLINIT_SEL(r < CLINIT_VU(n), r, CLINIT_VU(0u));
}

/* round j, k = s(k_j): (Lu, Ru) <- (Ru, Lu ^ g(Ru ^ k) & mask) */
CLINIT_FN void clinit_feistel_round(clinit_vu k, clinit_vu mask,
                                    CLINIT_PRIV clinit_vu *L,
                                    CLINIT_PRIV clinit_vu *R)
{
    clinit_vu t = *L ^ (clinit_mix32_tail(*R ^ k) & mask);
    *L = *R;
    *R = t;
}

/* The first pass's result x = (Lu << h) ^ Ru ^ uw, then the cycle walk:
 * re-encrypt while out of [0, n) (this terminates because the orbit of
 * a row r < n returns to [0, n)). */
CLINIT_FN clinit_vu clinit_sparse_walk(clinit_vu L, clinit_vu R, clinit_vu u,
                                       clinit_u32 n, clinit_u32 h,
                                       CLINIT_PRIV const clinit_u32 *ks)
{
    clinit_vu mask = CLINIT_VU((clinit_u32)((((clinit_u64)1) << h) - 1u));
    clinit_vu uw = (u << h) ^ u, x = (L << h) ^ R ^ uw;
    while (CLINIT_ANY(x >= CLINIT_VU(n))) {
        clinit_vu Lw, Rw;
        clinit_feistel_start(x, u, h, mask, &Lw, &Rw);
        for (clinit_u32 j = 0; j < 6; j++)
            clinit_feistel_round(CLINIT_VU(ks[j]), mask, &Lw, &Rw);
        x = CLINIT_SEL(x >= CLINIT_VU(n), (Lw << h) ^ Rw ^ uw, x);
    }
    return x;
}

/* x[i] = pi_c(x[i]) for c = c[i], i < 2 (rows x[i] < n; a lane with
 * x[i] >= n gets some value in [0, n)); ks from clinit_feistel_keys. */
CLINIT_FN void clinit_sparse_perm2(CLINIT_PRIV clinit_vu *x,
                                   CLINIT_PRIV const clinit_vu *c, clinit_u32 n,
                                   clinit_u32 h,
                                   CLINIT_PRIV const clinit_u32 *ks)
{
    clinit_vu mask = CLINIT_VU((clinit_u32)((((clinit_u64)1) << h) - 1u));
    clinit_vu u0 = clinit_sparse_u(c[0]), u1 = clinit_sparse_u(c[1]);
    clinit_vu L0, R0, L1, R1;
    clinit_feistel_start(clinit_sparse_row(x[0], n), u0, h, mask, &L0, &R0);
    clinit_feistel_start(clinit_sparse_row(x[1], n), u1, h, mask, &L1, &R1);
    for (clinit_u32 j = 0; j < 6; j++) {
        clinit_vu k = CLINIT_VU(ks[j]);
        clinit_feistel_round(k, mask, &L0, &R0);
        clinit_feistel_round(k, mask, &L1, &R1);
    }
    x[0] = clinit_sparse_walk(L0, R0, u0, n, h, ks);
    x[1] = clinit_sparse_walk(L1, R1, u1, n, h, ks);
}

/* The same for i < 4 */
CLINIT_FN void clinit_sparse_perm4(CLINIT_PRIV clinit_vu *x,
                                   CLINIT_PRIV const clinit_vu *c, clinit_u32 n,
                                   clinit_u32 h,
                                   CLINIT_PRIV const clinit_u32 *ks)
{
    clinit_vu mask = CLINIT_VU((clinit_u32)((((clinit_u64)1) << h) - 1u));
    clinit_vu u0 = clinit_sparse_u(c[0]), u1 = clinit_sparse_u(c[1]);
    clinit_vu u2 = clinit_sparse_u(c[2]), u3 = clinit_sparse_u(c[3]);
    clinit_vu L0, R0, L1, R1, L2, R2, L3, R3;
    clinit_feistel_start(clinit_sparse_row(x[0], n), u0, h, mask, &L0, &R0);
    clinit_feistel_start(clinit_sparse_row(x[1], n), u1, h, mask, &L1, &R1);
    clinit_feistel_start(clinit_sparse_row(x[2], n), u2, h, mask, &L2, &R2);
    clinit_feistel_start(clinit_sparse_row(x[3], n), u3, h, mask, &L3, &R3);
    for (clinit_u32 j = 0; j < 6; j++) {
        clinit_vu k = CLINIT_VU(ks[j]);
        clinit_feistel_round(k, mask, &L0, &R0);
        clinit_feistel_round(k, mask, &L1, &R1);
        clinit_feistel_round(k, mask, &L2, &R2);
        clinit_feistel_round(k, mask, &L3, &R3);
    }
    x[0] = clinit_sparse_walk(L0, R0, u0, n, h, ks);
    x[1] = clinit_sparse_walk(L1, R1, u1, n, h, ks);
    x[2] = clinit_sparse_walk(L2, R2, u2, n, h, ks);
    x[3] = clinit_sparse_walk(L3, R3, u3, n, h, ks);
}

/* ---- eye_ / dirac_ --------------------------------------------------------
 */

/* 1 iff element i of a [out, in, k...] tensor is on dirac_'s pattern:
 * with S = prod(k) (in_s = in * S), o = i / in_s, j = (i mod in_s) / S and
 * s = i mod S: s == centre, j < min_dim and j == o mod out_per_group.
 * eye_ is the same rule with S = 1 and one group. */
CLINIT_FN int clinit_pattern_one(clinit_u64 i, clinit_u64 in_s, clinit_u64 S,
                                 clinit_u64 out_per_group, clinit_u64 centre,
                                 clinit_u64 min_dim)
{
    clinit_u64 o = i / in_s, rem = i % in_s, j = rem / S, s = rem % S;
    return s == centre && j < min_dim && j == o % out_per_group;
}

/* t[k] = clinit_pattern_one(first + k, ...) ? 1 : 0 for k < n: each row o
 * (in_s elements from o in_s) holds at most one 1, at o in_s + j S + centre
 * with j = o mod out_per_group, where j < min_dim and j S + centre < in_s
 * (j < in) and centre < S. One division for the first row and one modulo,
 * then a step per row that meets [first, first + n), instead of three
 * divisions per element (tests/test_value_bits.c compares the two). */
CLINIT_FN void clinit_pattern_run(clinit_u64 first, int n, clinit_u64 in_s,
                                  clinit_u64 S, clinit_u64 out_per_group,
                                  clinit_u64 centre, clinit_u64 min_dim,
                                  CLINIT_PRIV float *t)
{
    clinit_u64 o = first / in_s, j = o % out_per_group;
    clinit_u64 end = first + (clinit_u64)n;
    for (int k = 0; k < n; k++)
        t[k] = 0.0f;
    for (clinit_u64 row = o * in_s; row < end; row += in_s) {
        clinit_u64 at = row + j * S + centre;
        if (j < min_dim && centre < S && j * S + centre < in_s &&
            at >= first && at < end)
            t[at - first] = 1.0f;
        j = j + 1u == out_per_group ? 0u : j + 1u;
    }
}

/* ---- f64: 32 elements per block, 53 random bits per value ------------- */
#if CLINIT_HAVE_F64

#define CLINIT_BLOCK64 32 /* f64 elements per block */

/* Slot j = 16 p + l of an f64 block takes words 2p, 2p+1 of lane l's
 * counter: k = (word[2p] << 21) | (word[2p+1] >> 11), 53 bits. */
CLINIT_FN clinit_vul clinit_k53(clinit_vu hi, clinit_vu lo)
{
    return (CLINIT_U2UL(hi) << 21) | CLINIT_U2UL(lo >> 11);
}

CLINIT_FN clinit_vd clinit_flush_f64(clinit_vd v)
{
    clinit_vul u = CLINIT_AS_UL(v);
    return CLINIT_SEL((u & CLINIT_VUL(0x7ff0000000000000ul)) == CLINIT_VUL(0ul),
                      CLINIT_AS_D(u & CLINIT_VUL(0x8000000000000000ul)), v);
}

/* k * 2^-53 in [0, 1 - 2^-53], exact */
CLINIT_FN clinit_vd clinit_u01_f64(clinit_vul k)
{
    return clinit_k2d(k) * CLINIT_VD(0x1p-53);
}

CLINIT_FN clinit_vd clinit_uniform_f64(clinit_vul k, double lo, double scale,
                                       double top, double bottom)
{
    clinit_vd v =
        CLINIT_FMA64(clinit_u01_f64(k), CLINIT_VD(scale), CLINIT_VD(lo));
    v = CLINIT_SEL(v > CLINIT_VD(top), CLINIT_VD(top), v);
    v = CLINIT_SEL(v < CLINIT_VD(bottom), CLINIT_VD(bottom), v);
    return clinit_flush_f64(v);
}

/* clinit_uniform_fast_ok's rule in double: with u = k 2^-53 (k < 2^53)
 * and scale = m 2^(E - 1075), m < 2^53, c = scale 2^-53 = m 2^(E - 1128)
 * is exact and k c a multiple of 2^-1022 for E >= 106; lo is 0 or a
 * multiple of 2^-1022 for a biased exponent >= 53; top and bottom 0 or
 * normal. Then fma(k, c, lo) = fma(u, scale, lo), 0 or of magnitude >=
 * DBL_MIN, and the flush changes nothing (tests/test_value_bits.c). */
CLINIT_FN int clinit_uniform_fast_ok64(double lo, double scale, double top,
                                       double bottom)
{
    clinit_u64 s = CLINIT_BITS_OF_F64(scale), l = CLINIT_BITS_OF_F64(lo);
    clinit_u64 t = CLINIT_BITS_OF_F64(top), b = CLINIT_BITS_OF_F64(bottom);
    const clinit_u64 mag = 0x7ffffffffffffffful, ex = 0x7ff0000000000000ul;
    int scale_ok = ((s >> 52) & 0x7ffu) >= 106u;
    int lo_ok = (l & mag) == 0u || ((l >> 52) & 0x7ffu) >= 53u;
    int top_ok = (t & mag) == 0u || (t & ex) != 0u;
    int bottom_ok = (b & mag) == 0u || (b & ex) != 0u;
    return scale_ok && lo_ok && top_ok && bottom_ok;
}

/* clinit_uniform_f64 where clinit_uniform_fast_ok64 holds; c = scale *
 * 2^-53 */
CLINIT_FN clinit_vd clinit_uniform_fast_f64(clinit_vul k, double lo, double c,
                                            double top, double bottom)
{
    clinit_vd v = CLINIT_FMA64(clinit_k2d(k), CLINIT_VD(c), CLINIT_VD(lo));
    v = CLINIT_MIN_D(CLINIT_VD(top), v);
    return CLINIT_MAX_D(CLINIT_VD(bottom), v);
}

/* Box-Muller in double: u = (ka + 1) 2^-53 in (0, 1] (never 0; |z| <=
 * 8.57), angle 2 pi kb 2^-53; z0 to slot p = 0, z1 to p = 1. */
CLINIT_FN void clinit_normal_pair_f64(clinit_vul ka, clinit_vul kb, double mean,
                                      double std, CLINIT_PRIV clinit_vd *v0,
                                      CLINIT_PRIV clinit_vd *v1)
{
    clinit_vd u =
        clinit_k2d(ka + CLINIT_VUL(1ul)) * CLINIT_VD(0x1p-53);
    clinit_vd r =
        clinit_sqrt_f64(CLINIT_VD(0.0) - CLINIT_VD(2.0) * clinit_log_f64(u));
    clinit_vd s, c;
    clinit_sincos2pi_f64(kb, &s, &c);
    *v0 =
        clinit_flush_f64(CLINIT_FMA64(r * c, CLINIT_VD(std), CLINIT_VD(mean)));
    *v1 =
        clinit_flush_f64(CLINIT_FMA64(r * s, CLINIT_VD(std), CLINIT_VD(mean)));
}

CLINIT_FN clinit_vd clinit_truncated_f64(clinit_vul k, double mean, double std,
                                         double bottom, double top, double t0,
                                         double t1, double t2, double t3,
                                         double t4, double t5)
{
    clinit_vd z = clinit_trunc_z_f64(k, t0, t1, t2, t3, t4, t5);
    clinit_vd v = CLINIT_FMA64(z, CLINIT_VD(std), CLINIT_VD(mean));
    v = CLINIT_MIN_D(CLINIT_VD(top), v); /* as in f32 */
    v = CLINIT_MAX_D(CLINIT_VD(bottom), v);
    return clinit_flush_f64(v);
}

#endif /* CLINIT_HAVE_F64 */

#endif /* CLINIT_STREAM_H */
