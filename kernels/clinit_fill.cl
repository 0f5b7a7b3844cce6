/* clinit_fill.cl - OpenCL kernels. Built once per context from the
 * embedded source (the kernels/ headers pasted in front of this file by
 * cmake/embed.cmake). Every value comes from the shared headers, the same
 * code the C path runs; this file only schedules and stores.
 *
 * Work-item g handles block B = b0 + g: CLINIT_LANES Philox counters in one
 * vector, 64 contiguous elements of a 32-bit-word dtype (f32, f16, bf16) or
 * 32 of f64. Whole blocks inside [lo, hi) are stored as whole vectors; the
 * (at most two) partial blocks at the ends of a range store element by
 * element.
 *
 * Every fill kernel takes the same arguments:
 *   dst, lo, hi (tensor elements), off (dst element of lo), b0, nblocks,
 *   key = (seed lo, seed hi, stream lo, stream hi),
 *   P = float parameters (double16 D for f64), Q = integer parameters,
 * laid out per distribution as src/clinit_internal.h documents.
 */
#include "clinit_dtype.h"
#include "clinit_stream.h"

/* ---- values of one block, 32-bit-word dtypes ---------------------------- */

static inline void clinit_words(ulong B, uint4 key, uint domain, uint16 *x)
{
    clinit_block_words(B, CLINIT_LANE_IDS, domain, key.s0, key.s1, key.s2,
                       key.s3, x);
}

static inline void clinit_values_uniform(ulong B, uint4 key, float16 P,
                                         ulong8 Q, float16 *v)
{
    uint16 x[4];
    clinit_words(B, key, CLINIT_DOMAIN_VALUES, x);
    for (int w = 0; w < 4; w++)
        v[w] = clinit_uniform_f32(x[w], P.s0, P.s1, P.s2, P.s3);
}

static inline void clinit_values_normal(ulong B, uint4 key, float16 P, ulong8 Q,
                                        float16 *v)
{
    uint16 x[4];
    clinit_words(B, key, CLINIT_DOMAIN_VALUES, x);
    clinit_normal4_f32(x, P.s0, P.s1, v);
}

static inline void clinit_values_truncated(ulong B, uint4 key, float16 P,
                                           ulong8 Q, float16 *v)
{
    uint16 x[4];
    clinit_words(B, key, CLINIT_DOMAIN_VALUES, x);
    for (int w = 0; w < 4; w++)
        v[w] = clinit_truncated_f32(x[w], P.s0, P.s1, P.s2, P.s3, P.s4, P.s5,
                                    P.s6, P.s7, P.s8, P.s9);
}

/* normal(0, std) with the zeros of sparse_: element (r, c) of the
 * [rows, cols] matrix is 0 iff pi_c(r) < nzeros.
 * Q: s0 cols, s1 rows, s2 nzeros, s3 h, s4 keys 0|1, s5 keys 2|3. */
static inline void clinit_values_sparse(ulong B, uint4 key, float16 P, ulong8 Q,
                                        float16 *v)
{
    uint16 x[4];
    clinit_words(B, key, CLINIT_DOMAIN_VALUES, x);
    clinit_normal4_f32(x, P.s0, P.s1, v);
    for (int w = 0; w < 4; w++) {
        uint r[CLINIT_LANES], c[CLINIT_LANES];
        for (int l = 0; l < CLINIT_LANES; l++) {
            ulong i = B * CLINIT_BLOCK32 + (ulong)(w * CLINIT_LANES + l);
            r[l] = (uint)(i / Q.s0);
            c[l] = (uint)(i % Q.s0);
        }
        uint16 pr = clinit_sparse_perm(
            vload16(0, r), clinit_mix32(vload16(0, c)), (uint)Q.s1, (uint)Q.s3,
            (uint)Q.s4, (uint)(Q.s4 >> 32), (uint)Q.s5, (uint)(Q.s5 >> 32));
        v[w] = select(v[w], (float16)(0.0f), pr < (uint16)((uint)Q.s2));
    }
}

/* pi_c(r) for one element (the f64 kernels' scalar path) */
static inline uint clinit_sparse_perm_1(uint r, uint c, ulong8 Q)
{
    uint16 pr = clinit_sparse_perm(
        (uint16)(r), clinit_mix32((uint16)(c)), (uint)Q.s1, (uint)Q.s3,
        (uint)Q.s4, (uint)(Q.s4 >> 32), (uint)Q.s5, (uint)(Q.s5 >> 32));
    return pr.s0;
}

/* eye_ / dirac_: 1 where the output channel's group offset equals the
 * input channel and the kernel position is the centre.
 * Q: s0 in*S, s1 S, s2 out channels per group, s3 centre, s4 min dim. */
static inline void clinit_values_pattern(ulong B, uint4 key, float16 P,
                                         ulong8 Q, float16 *v)
{
    float t[CLINIT_BLOCK32];
    for (int j = 0; j < CLINIT_BLOCK32; j++) {
        ulong i = B * CLINIT_BLOCK32 + (ulong)j;
        t[j] =
            clinit_pattern_one(i, Q.s0, Q.s1, Q.s2, Q.s3, Q.s4) ? 1.0f : 0.0f;
    }
    for (int w = 0; w < 4; w++)
        v[w] = vload16(w, t);
}

/* ---- stores ----------------------------------------------------------------
 */

static inline int clinit_whole(ulong first, ulong n, ulong lo, ulong hi)
{
    return first >= lo && first + n <= hi;
}

static inline void clinit_store_f32(__global float *dst, ulong lo, ulong hi,
                                    ulong off, ulong B, const float16 *v)
{
    ulong first = B * CLINIT_BLOCK32;
    if (clinit_whole(first, CLINIT_BLOCK32, lo, hi)) {
        __global float *p = dst + (off + (first - lo));
        for (int w = 0; w < 4; w++)
            vstore16(v[w], w, p);
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

/* f16 through the OpenCL half store functions (no cl_khr_fp16 needed) */
static inline void clinit_store_f16(__global ushort *dst, ulong lo, ulong hi,
                                    ulong off, ulong B, const float16 *v)
{
    ulong first = B * CLINIT_BLOCK32;
    if (clinit_whole(first, CLINIT_BLOCK32, lo, hi)) {
        __global half *p = (__global half *)(dst + (off + (first - lo)));
        for (int w = 0; w < 4; w++)
            vstore_half16_rte(v[w], w, p);
    } else {
        ushort tmp[CLINIT_BLOCK32];
        for (int w = 0; w < 4; w++)
            vstore_half16_rte(v[w], w, (half *)tmp);
        for (int j = 0; j < CLINIT_BLOCK32; j++) {
            ulong i = first + (ulong)j;
            if (i >= lo && i < hi)
                dst[off + (i - lo)] = tmp[j];
        }
    }
}

static inline void clinit_store_bf16(__global ushort *dst, ulong lo, ulong hi,
                                     ulong off, ulong B, const float16 *v)
{
    ulong first = B * CLINIT_BLOCK32;
    ushort16 h[4];
    for (int w = 0; w < 4; w++)
        h[w] = convert_ushort16(clinit_bf16_bits(v[w]));
    if (clinit_whole(first, CLINIT_BLOCK32, lo, hi)) {
        __global ushort *p = dst + (off + (first - lo));
        for (int w = 0; w < 4; w++)
            vstore16(h[w], w, p);
    } else {
        ushort tmp[CLINIT_BLOCK32];
        for (int w = 0; w < 4; w++)
            vstore16(h[w], w, tmp);
        for (int j = 0; j < CLINIT_BLOCK32; j++) {
            ulong i = first + (ulong)j;
            if (i >= lo && i < hi)
                dst[off + (i - lo)] = tmp[j];
        }
    }
}

#define CLINIT_KERNEL32(DIST, DT, T)                                           \
    __kernel void clinit_k_##DIST##_##DT(__global T *dst, ulong lo, ulong hi,  \
                                         ulong off, ulong b0, ulong nblocks,   \
                                         uint4 key, float16 P, ulong8 Q)       \
    {                                                                          \
        ulong g = get_global_id(0);                                            \
        float16 v[4];                                                          \
        if (g >= nblocks)                                                      \
            return;                                                            \
        clinit_values_##DIST(b0 + g, key, P, Q, v);                            \
        clinit_store_##DT(dst, lo, hi, off, b0 + g, v);                        \
    }

#define CLINIT_KERNELS32(DIST)                                                 \
    CLINIT_KERNEL32(DIST, f32, float)                                          \
    CLINIT_KERNEL32(DIST, f16, ushort)                                         \
    CLINIT_KERNEL32(DIST, bf16, ushort)

CLINIT_KERNELS32(uniform)
CLINIT_KERNELS32(normal)
CLINIT_KERNELS32(truncated)
CLINIT_KERNELS32(sparse)
CLINIT_KERNELS32(pattern)

/* ---- f64 (devices with cl_khr_fp64) -----------------------------------------
 */
#if CLINIT_HAVE_F64

/* The 32 values of f64 block B: v[p] holds slots 16p .. 16p+15. */
static inline void clinit_values64(int dist, ulong B, uint4 key, double16 D,
                                   ulong8 Q, double16 *v)
{
    uint16 x[4];
    clinit_words(B, key, CLINIT_DOMAIN_VALUES, x);
    ulong16 k0 = clinit_k53(x[0], x[1]), k1 = clinit_k53(x[2], x[3]);
    if (dist == 0) {
        v[0] = clinit_uniform_f64(k0, D.s0, D.s1, D.s2, D.s3);
        v[1] = clinit_uniform_f64(k1, D.s0, D.s1, D.s2, D.s3);
    } else if (dist == 3) {
        v[0] = clinit_truncated_f64(k0, D.s0, D.s1, D.s2, D.s3, D.s4, D.s5,
                                    D.s6, D.s7, D.s8, D.s9);
        v[1] = clinit_truncated_f64(k1, D.s0, D.s1, D.s2, D.s3, D.s4, D.s5,
                                    D.s6, D.s7, D.s8, D.s9);
    } else {
        clinit_normal_pair_f64(k0, k1, D.s0, D.s1, &v[0], &v[1]);
    }
}

/* dist: 0 uniform, 1 normal, 3 truncated, 4 sparse, 5 pattern (the
 * clinit_dist values) */
static inline void clinit_fill64(int dist, __global double *dst, ulong lo,
                                 ulong hi, ulong off, ulong B, uint4 key,
                                 double16 D, ulong8 Q)
{
    double16 v[2];
    double t[CLINIT_BLOCK64];
    ulong first = B * CLINIT_BLOCK64;
    if (dist != 5)
        clinit_values64(dist, B, key, D, Q, v);
    else
        v[0] = v[1] = (double16)(0.0);
    if (dist == 4 || dist == 5) {
        vstore16(v[0], 0, t);
        vstore16(v[1], 1, t);
        for (int j = 0; j < CLINIT_BLOCK64; j++) {
            ulong i = first + (ulong)j;
            if (dist == 4) {
                uint r = (uint)(i / Q.s0), c = (uint)(i % Q.s0);
                uint pr = clinit_sparse_perm_1(r, c, Q);
                t[j] = pr < (uint)Q.s2 ? 0.0 : t[j];
            } else {
                t[j] = clinit_pattern_one(i, Q.s0, Q.s1, Q.s2, Q.s3, Q.s4)
                           ? 1.0
                           : 0.0;
            }
        }
        v[0] = vload16(0, t);
        v[1] = vload16(1, t);
    }
    if (clinit_whole(first, CLINIT_BLOCK64, lo, hi)) {
        __global double *p = dst + (off + (first - lo));
        vstore16(v[0], 0, p);
        vstore16(v[1], 1, p);
    } else {
        vstore16(v[0], 0, t);
        vstore16(v[1], 1, t);
        for (int j = 0; j < CLINIT_BLOCK64; j++) {
            ulong i = first + (ulong)j;
            if (i >= lo && i < hi)
                dst[off + (i - lo)] = t[j];
        }
    }
}

#define CLINIT_KERNEL64(DIST, ID)                                              \
    __kernel void clinit_k_##DIST##_f64(                                       \
        __global double *dst, ulong lo, ulong hi, ulong off, ulong b0,         \
        ulong nblocks, uint4 key, double16 D, ulong8 Q)                        \
    {                                                                          \
        ulong g = get_global_id(0);                                            \
        if (g < nblocks)                                                       \
            clinit_fill64(ID, dst, lo, hi, off, b0 + g, key, D, Q);            \
    }

CLINIT_KERNEL64(uniform, 0)
CLINIT_KERNEL64(normal, 1)
CLINIT_KERNEL64(truncated, 3)
CLINIT_KERNEL64(sparse, 4)
CLINIT_KERNEL64(pattern, 5)

#endif /* CLINIT_HAVE_F64 */

/* ---- batches: one launch for many tensors of one buffer and dtype ---------
 * desc holds CLINIT_DESC_WORDS ulongs per tensor: 0 first global block of
 * the tensor (ascending), 1 lo, 2 hi, 3 off, 4 first block index b0, 5 dist
 * (clinit_dist), 6 key 0|1, 7 key 2|3, 8..15 Q, 16..31 P (16 floats in
 * 16..23) or D (16 doubles). Work-item g finds its tensor by binary search.
 */
#define CLINIT_DESC_WORDS 32

static inline __global const ulong *clinit_find_desc(__global const ulong *desc,
                                                     uint ndesc, ulong g)
{
    uint a = 0, b = ndesc;
    while (b - a > 1) {
        uint m = a + (b - a) / 2;
        if (desc[(ulong)m * CLINIT_DESC_WORDS] <= g)
            a = m;
        else
            b = m;
    }
    return desc + (ulong)a * CLINIT_DESC_WORDS;
}

static inline uint4 clinit_desc_key(__global const ulong *d)
{
    return (uint4)((uint)d[6], (uint)(d[6] >> 32), (uint)d[7],
                   (uint)(d[7] >> 32));
}

#define CLINIT_BATCH32(DT, T)                                                  \
    __kernel void clinit_k_batch_##DT(                                         \
        __global T *dst, __global const ulong *desc, uint ndesc, ulong total)  \
    {                                                                          \
        ulong g = get_global_id(0);                                            \
        if (g >= total)                                                        \
            return;                                                            \
        __global const ulong *d = clinit_find_desc(desc, ndesc, g);            \
        ulong B = d[4] + (g - d[0]);                                           \
        uint4 key = clinit_desc_key(d);                                        \
        ulong8 Q = vload8(0, d + 8);                                           \
        float16 P = as_float16(vload8(0, d + 16));                             \
        float16 v[4];                                                          \
        switch ((int)d[5]) {                                                   \
        case 0:                                                                \
            clinit_values_uniform(B, key, P, Q, v);                            \
            break;                                                             \
        case 1:                                                                \
            clinit_values_normal(B, key, P, Q, v);                             \
            break;                                                             \
        case 3:                                                                \
            clinit_values_truncated(B, key, P, Q, v);                          \
            break;                                                             \
        case 4:                                                                \
            clinit_values_sparse(B, key, P, Q, v);                             \
            break;                                                             \
        case 5:                                                                \
            clinit_values_pattern(B, key, P, Q, v);                            \
            break;                                                             \
        default: /* 2: constant, P.s0 exactly a value of the dtype */          \
            v[0] = v[1] = v[2] = v[3] = (float16)(P.s0);                       \
            break;                                                             \
        }                                                                      \
        clinit_store_##DT(dst, d[1], d[2], d[3], B, v);                        \
    }

CLINIT_BATCH32(f32, float)
CLINIT_BATCH32(f16, ushort)
CLINIT_BATCH32(bf16, ushort)

#if CLINIT_HAVE_F64
__kernel void clinit_k_batch_f64(__global double *dst,
                                 __global const ulong *desc, uint ndesc,
                                 ulong total)
{
    ulong g = get_global_id(0);
    if (g >= total)
        return;
    __global const ulong *d = clinit_find_desc(desc, ndesc, g);
    ulong B = d[4] + (g - d[0]);
    double16 D = as_double16(vload16(0, d + 16));
    if ((int)d[5] == 2) { /* constant */
        ulong first = B * CLINIT_BLOCK64;
        for (int j = 0; j < CLINIT_BLOCK64; j++) {
            ulong i = first + (ulong)j;
            if (i >= d[1] && i < d[2])
                dst[d[3] + (i - d[1])] = D.s0;
        }
        return;
    }
    clinit_fill64((int)d[5], dst, d[1], d[2], d[3], B, clinit_desc_key(d), D,
                  vload8(0, d + 8));
}
#endif

/* ---- test hooks
 * -------------------------------------------------------------- */

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

/* The shared math on the device: op 0 log, 1 sqrt (in = float bits),
 * 2 sincos2pi (in = word; out[2k] = sin, out[2k+1] = cos vectors), 3 f16
 * rounding through vstore_half (in = float bits; out = half bits in the low
 * 16 bits of each word), 4 bf16 rounding. */
__kernel void clinit_k_math_probe(__global const uint *in, __global float *out,
                                  int op)
{
    ulong g = get_global_id(0);
    uint16 x = vload16(g, in);
    if (op == 0) {
        vstore16(clinit_log_f32(as_float16(x)), g, out);
    } else if (op == 1) {
        vstore16(clinit_sqrt_f32(as_float16(x)), g, out);
    } else if (op == 2) {
        float16 s, c;
        clinit_sincos2pi_f32(x, &s, &c);
        vstore16(s, 2 * g, out);
        vstore16(c, 2 * g + 1, out);
    } else if (op == 3) {
        ushort h[16];
        vstore_half16_rte(as_float16(x), 0, (half *)h);
        vstore16(as_float16(convert_uint16(vload16(0, h))), g, out);
    } else {
        vstore16(as_float16(clinit_bf16_bits(as_float16(x))), g, out);
    }
}

/* Philox itself on the device: pair p has counter in[6p .. 6p+3] and key
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
