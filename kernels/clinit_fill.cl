/* clinit_fill.cl - OpenCL kernels. Built once per context from the
 * embedded source (the kernels/ headers pasted in front of this file by
 * cmake/embed.cmake). Every value comes from clinit_stream.h, the same code
 * the C path runs; this file only schedules and stores.
 *
 * Work-item g handles block B = b0 + g: CLINIT_LANES Philox counters in one
 * vector, 64 contiguous elements of a 32-bit dtype. Whole blocks inside
 * [lo, hi) are written with four vstore16; the (at most two) partial
 * blocks at the ends of the range store element by element.
 */
#include "clinit_stream.h"

/* Stores the 64 slots of block B that fall in [lo, hi) at
 * dst[off + (i - lo)]. */
static inline void clinit_store_block_f32(__global float *dst, ulong lo,
                                          ulong hi, ulong off, ulong B,
                                          const float16 *v)
{
    ulong first = B * CLINIT_BLOCK32;
    if (first >= lo && first + CLINIT_BLOCK32 <= hi) {
        __global float *p = dst + (off + (first - lo));
        vstore16(v[0], 0, p);
        vstore16(v[1], 1, p);
        vstore16(v[2], 2, p);
        vstore16(v[3], 3, p);
    } else {
        float tmp[CLINIT_BLOCK32];
        for (int w = 0; w < 4; w++)
            vstore16(v[w], w, tmp);
        for (int j = 0; j < CLINIT_BLOCK32; j++) {
            ulong i = first + (ulong)j;
            if (i >= lo && i < hi)
                dst[off + (i - lo)] = tmp[j];
        }
    }
}

__kernel void clinit_k_uniform_f32(__global float *dst, ulong lo, ulong hi,
                                 ulong off, ulong b0, ulong nblocks, uint k0,
                                 uint k1, uint s0, uint s1, float a,
                                 float scale, float b_below)
{
    ulong g = get_global_id(0);
    if (g >= nblocks)
        return;
    ulong B = b0 + g;
    uint16 x[4];
    float16 v[4];
    clinit_block_words(B, CLINIT_LANE_IDS, CLINIT_DOMAIN_VALUES, k0, k1, s0,
                       s1, x);
    for (int w = 0; w < 4; w++)
        v[w] = clinit_uniform_f32(x[w], a, scale, b_below);
    clinit_store_block_f32(dst, lo, hi, off, B, v);
}

__kernel void clinit_k_normal_f32(__global float *dst, ulong lo, ulong hi,
                                ulong off, ulong b0, ulong nblocks, uint k0,
                                uint k1, uint s0, uint s1, float mean,
                                float std, float unused)
{
    ulong g = get_global_id(0);
    if (g >= nblocks)
        return;
    ulong B = b0 + g;
    uint16 x[4];
    float16 v[4];
    clinit_block_words(B, CLINIT_LANE_IDS, CLINIT_DOMAIN_VALUES, k0, k1, s0,
                       s1, x);
    clinit_normal4_f32(x, mean, std, v);
    clinit_store_block_f32(dst, lo, hi, off, B, v);
}

/* Raw Philox words: out[j] = word j % 4 of philox(counter + j / 4, key),
 * j < nwords, the counter a 128-bit integer (c0 lowest). Work-item g
 * handles counters counter + 16 g + l. */
__kernel void clinit_k_philox_raw(__global uint *out, ulong nwords, uint k0,
                                uint k1, uint c0, uint c1, uint c2, uint c3)
{
    ulong g = get_global_id(0);
    ulong base = ((ulong)c1 << 32) | c0;
    ulong hiw = ((ulong)c3 << 32) | c2;
    uint w[4][CLINIT_LANES];
    for (int l = 0; l < CLINIT_LANES; l++) {
        ulong n = g * CLINIT_LANES + (ulong)l;
        ulong lo64 = base + n;
        ulong hi64 = hiw + (lo64 < base ? 1ul : 0ul);
        w[0][l] = (uint)lo64;
        w[1][l] = (uint)(lo64 >> 32);
        w[2][l] = (uint)hi64;
        w[3][l] = (uint)(hi64 >> 32);
    }
    uint16 x[4];
    for (int i = 0; i < 4; i++)
        x[i] = vload16(0, w[i]);
    clinit_philox4x32_10(x, (uint16)(k0), (uint16)(k1));
    for (int i = 0; i < 4; i++)
        vstore16(x[i], 0, w[i]);
    for (int l = 0; l < CLINIT_LANES; l++)
        for (int i = 0; i < 4; i++) {
            ulong j = (g * CLINIT_LANES + (ulong)l) * 4 + (ulong)i;
            if (j < nwords)
                out[j] = w[i][l];
        }
}

/* Test hook for the shared math: op 0 log, 1 sqrt (in = float bits),
 * 2 sincos2pi (in = word; out[2k] = sin, out[2k+1] = cos). n is a
 * multiple of 16. */
__kernel void clinit_k_math_probe(__global const uint *in, __global float *out,
                                int op)
{
    ulong g = get_global_id(0);
    uint16 x = vload16(g, in);
    if (op == 0) {
        vstore16(clinit_log_f32(as_float16(x)), g, out);
    } else if (op == 1) {
        vstore16(clinit_sqrt_f32(as_float16(x)), g, out);
    } else {
        float16 s, c;
        clinit_sincos2pi_f32(x, &s, &c);
        vstore16(s, 2 * g, out);
        vstore16(c, 2 * g + 1, out);
    }
}

/* Test hook for Philox itself: pair p has counter in[6p .. 6p+3] and key
 * in[6p+4], in[6p+5]; out[4p .. 4p+3] receives philox4x32_10. Work-item g
 * handles pairs 16 g .. 16 g + 15, one per lane. */
__kernel void clinit_k_philox_probe(__global const uint *in, __global uint *out)
{
    ulong g = get_global_id(0);
    uint w[6][CLINIT_LANES];
    for (int l = 0; l < CLINIT_LANES; l++)
        for (int i = 0; i < 6; i++)
            w[i][l] = in[(g * CLINIT_LANES + (ulong)l) * 6 + (ulong)i];
    uint16 x[4];
    for (int i = 0; i < 4; i++)
        x[i] = vload16(0, w[i]);
    clinit_philox4x32_10(x, vload16(0, w[4]), vload16(0, w[5]));
    for (int i = 0; i < 4; i++)
        vstore16(x[i], 0, w[i]);
    for (int l = 0; l < CLINIT_LANES; l++)
        for (int i = 0; i < 4; i++)
            out[(g * CLINIT_LANES + (ulong)l) * 4 + (ulong)i] = w[i][l];
}
