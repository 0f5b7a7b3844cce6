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
#include "clinit_philox.h"

#define CLINIT_BLOCK32 64 /* elements of a 32-bit dtype per block */
#define CLINIT_DOMAIN_VALUES 0u

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
 * float, clamped to hi_below = the largest float below hi, so hi itself
 * is never returned. */
CLINIT_FN clinit_vf clinit_uniform_f32(clinit_vu x, float lo, float scale,
                                       float hi_below)
{
    clinit_vf v = CLINIT_FMA(clinit_u01_f32(x), CLINIT_VF(scale),
                             CLINIT_VF(lo));
    v = CLINIT_SEL(v > CLINIT_VF(hi_below), CLINIT_VF(hi_below), v);
    return clinit_flush_f32(v);
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
    /* 0 - 2 log(u) is +0, never -0, when u = 1 */
    clinit_vf r = clinit_sqrt_f32(CLINIT_VF(0.0f) -
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

#endif /* CLINIT_STREAM_H */
