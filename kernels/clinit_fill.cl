/* clinit_fill.cl - OpenCL kernels. Built once per context from the
 * embedded source (the kernels/ headers pasted in front of this file by
 * cmake/embed.cmake). Every value comes from kernels/clinit_block.h, the
 * same code the CPU backend runs; this file only schedules and stores.
 *
 * One launch path: a fill is a batch of tensors of one buffer, dtype and
 * base distribution (a single-tensor fill is a batch of one). desc holds
 * CLINIT_DESC_WORDS ulongs per tensor (kernels/clinit_abi.h), ascending in
 * CLINIT_DW_FIRST; work-item g is launch-global block g and finds its
 * tensor by binary search. Work-item g handles block B: CLINIT_LANES
 * Philox counters in one vector, 64 contiguous elements of a 32-bit-word
 * dtype (f32, f16, bf16) or 32 of f64. Whole blocks inside [lo, hi) are
 * stored as whole vectors; the (at most two) partial blocks at the ends of
 * a range store element by element.
 */
#include "clinit_block.h"
#include "clinit_dtype.h"

#if CLINIT_VLANES == 16
/* ---- stores ----------------------------------------------------------------
 */

static inline int clinit_whole(ulong first, ulong n, ulong lo, ulong hi)
{
    return first >= lo && first + n <= hi;
}

/* One 64-element block of a 32-bit-word dtype: whole blocks as four
 * vector stores into dst, partial ones through a block-sized buffer.
 * VST(x, w, p, R, T16, AS) stores vector x as the w-th 16 elements at p
 * (address space AS) in the dtype: as is (f32), as the bits of R(x)
 * narrowed to T16 (kernels/clinit_dtype.h's rounding), or through
 * vstore_half_rte (f16: the same bits at the device's conversion speed,
 * no cl_khr_fp16 needed). */
#define CLINIT_STORE32_(DT, T, T16, ROUND, VST)                                \
    static inline void clinit_store_##DT(__global T *dst, ulong lo, ulong hi,  \
                                         ulong off, ulong B, const float16 *v) \
    {                                                                          \
        ulong first = B * CLINIT_BLOCK32;                                      \
        if (clinit_whole(first, CLINIT_BLOCK32, lo, hi)) {                     \
            __global T *p = dst + (off + (first - lo));                        \
            for (int w = 0; w < 4; w++)                                        \
                VST(v[w], w, p, ROUND, T16, __global);                         \
        } else {                                                               \
            T tmp[CLINIT_BLOCK32];                                             \
            for (int w = 0; w < 4; w++)                                        \
                VST(v[w], w, tmp, ROUND, T16, __private);                      \
            for (int j = 0; j < CLINIT_BLOCK32; j++) {                         \
                ulong i = first + (ulong)j;                                    \
                if (i >= lo && i < hi)                                         \
                    dst[off + (i - lo)] = tmp[j];                              \
            }                                                                  \
        }                                                                      \
    }
#define CLINIT_VST_F32_(x, w, p, R, T16, AS) vstore16((x), (w), (p))
#define CLINIT_VST_bits_(x, w, p, R, T16, AS)                                  \
    vstore16(convert_##T16(R(x)), (w), (p))
#define CLINIT_VST_half_(x, w, p, R, T16, AS)                                  \
    vstore_half16_rte((x), (w), (AS half *)(p))
CLINIT_STORE32_(f32, float, float16, , CLINIT_VST_F32_)
#define CLINIT_STORE_ROW_(A, id, name, T, bytes, round, widen, overflow,       \
                          store)                                               \
    CLINIT_STORE32_(name, T, T##16, round, CLINIT_VST_##store##_)
CLINIT_BITS_DTYPE_LIST(CLINIT_STORE_ROW_, _)

#if CLINIT_HAVE_F64
static inline void clinit_store_f64(__global double *dst, ulong lo, ulong hi,
                                    ulong off, ulong B, const double16 *v)
{
    ulong first = B * CLINIT_BLOCK64;
    if (clinit_whole(first, CLINIT_BLOCK64, lo, hi)) {
        __global double *p = dst + (off + (first - lo));
        vstore16(v[0], 0, p);
        vstore16(v[1], 1, p);
    } else {
        double t[CLINIT_BLOCK64];
        vstore16(v[0], 0, t);
        vstore16(v[1], 1, t);
        for (int j = 0; j < CLINIT_BLOCK64; j++) {
            ulong i = first + (ulong)j;
            if (i >= lo && i < hi)
                dst[off + (i - lo)] = t[j];
        }
    }
}
#endif
#define CLINIT_VT32_ float16
#define CLINIT_VT64_ double16
#else
/* ---- stores, GPU-shaped: work-item = one lane of one block ----------------
 * Lane l of block B holds slots 16 w + l (w < 4; f64: p < 2), so the 16
 * work-items of a block, and neighbouring blocks, write contiguous runs. */

/* SET(dst, k, x, R) stores value x as element k: as is (f32), as R(x)'s
 * bits, or through vstore_half_rte (f16), as in the CPU-shaped stores */
#define CLINIT_PUT1_(DT, T, ROUND, SET)                                        \
    static inline void clinit_put_##DT(__global T *dst, ulong lo, ulong hi,    \
                                       ulong off, ulong first, uint lane,      \
                                       const float *v)                         \
    {                                                                          \
        for (int w = 0; w < 4; w++) {                                          \
            ulong i = first + (ulong)(w * CLINIT_LANES) + lane;                \
            if (i >= lo && i < hi)                                             \
                SET(dst, off + (i - lo), v[w], ROUND);                         \
        }                                                                      \
    }
#define CLINIT_SET_F32_(d, k, x, R) ((d)[k] = (x))
#define CLINIT_SET_bits_(d, k, x, R) ((d)[k] = R(x))
#define CLINIT_SET_half_(d, k, x, R) vstore_half_rte((x), (k), (__global half *)(d))
CLINIT_PUT1_(f32, float, , CLINIT_SET_F32_)
#define CLINIT_PUT1_ROW_(A, id, name, T, bytes, round, widen, overflow, store) \
    CLINIT_PUT1_(name, T, round, CLINIT_SET_##store##_)
CLINIT_BITS_DTYPE_LIST(CLINIT_PUT1_ROW_, _)

#if CLINIT_HAVE_F64
static inline void clinit_put_f64(__global double *dst, ulong lo, ulong hi,
                                  ulong off, ulong first, uint lane,
                                  const double *v)
{
    for (int p = 0; p < 2; p++) {
        ulong i = first + (ulong)(p * CLINIT_LANES) + lane;
        if (i >= lo && i < hi)
            dst[off + (i - lo)] = v[p];
    }
}
#endif
#define CLINIT_VT32_ float
#define CLINIT_VT64_ double
#endif

/* ---- kernels: clinit_k_<distribution>_<dtype> ------------------------------
 */

static inline clinit_desc clinit_find_desc(clinit_desc desc, uint ndesc,
                                           ulong g)
{
    uint a = 0, b = ndesc;
    while (b - a > 1) {
        uint m = a + (b - a) / 2;
        if (desc[(ulong)m * CLINIT_DESC_WORDS + CLINIT_DW_FIRST] <= g)
            a = m;
        else
            b = m;
    }
    return desc + (ulong)a * CLINIT_DESC_WORDS;
}

/* Per-kernel programs: built with -DCLINIT_ONLY_KERNEL=dist * 8 + dtype,
 * a program compiles the body of that one fill kernel (the others are
 * empty: a constant-false branch emits no code) and no test hook; -1 is
 * the test hooks alone. Without it, every fill kernel (clinit_ctx_warmup)
 * and no test hook. */
#define CLINIT_KID_ROW_(NAME, id, name) CLINIT_KID_##name = id,
enum { CLINIT_KERNEL_DIST_LIST(CLINIT_KID_ROW_) };
#undef CLINIT_KID_ROW_
#ifdef CLINIT_ONLY_KERNEL
#define CLINIT_WANT_(DIST, DTID) (CLINIT_KID_##DIST * 8 + (DTID) == CLINIT_ONLY_KERNEL)
#else
#define CLINIT_WANT_(DIST, DTID) 1
#endif

#if CLINIT_VLANES == 16
#define CLINIT_KERNEL_(DIST, DT, DTID, T, VT, NV, BW)                          \
    __kernel void clinit_k_##DIST##_##DT(                                      \
        __global T *dst, clinit_desc desc, uint ndesc, ulong total)            \
    {                                                                          \
        ulong g = get_global_id(0);                                            \
        if (!CLINIT_WANT_(DIST, DTID) || g >= total)                           \
            return;                                                            \
        clinit_desc d = clinit_find_desc(desc, ndesc, g);                      \
        ulong B = d[CLINIT_DW_B0] + (g - d[CLINIT_DW_FIRST]);                  \
        VT v[NV];                                                              \
        clinit_block##BW##_##DIST(d, B, 0, v);                                    \
        clinit_store_##DT(dst, d[CLINIT_DW_LO], d[CLINIT_DW_HI],               \
                          d[CLINIT_DW_OFF], B, v);                             \
    }
#else
#define CLINIT_KERNEL_(DIST, DT, DTID, T, VT, NV, BW)                          \
    __kernel void clinit_k_##DIST##_##DT(                                      \
        __global T *dst, clinit_desc desc, uint ndesc, ulong total)            \
    {                                                                          \
        ulong gi = get_global_id(0), g = gi / CLINIT_LANES;                    \
        uint lane = (uint)(gi % CLINIT_LANES);                                 \
        if (!CLINIT_WANT_(DIST, DTID) || g >= total)                           \
            return;                                                            \
        clinit_desc d = clinit_find_desc(desc, ndesc, g);                      \
        ulong B = d[CLINIT_DW_B0] + (g - d[CLINIT_DW_FIRST]);                  \
        VT v[NV];                                                              \
        clinit_block##BW##_##DIST(d, B, lane, v);                              \
        clinit_put_##DT(dst, d[CLINIT_DW_LO], d[CLINIT_DW_HI],                 \
                        d[CLINIT_DW_OFF], B * CLINIT_BLOCK##BW##_ELEMS_, lane, \
                        v);                                                    \
    }
#define CLINIT_BLOCK32_ELEMS_ CLINIT_BLOCK32
#define CLINIT_BLOCK64_ELEMS_ CLINIT_BLOCK64
#endif

/* per distribution: f32, then one kernel per bits dtype */
#define CLINIT_KERNEL_BITS_(dist, id, dt, T, bytes, round, widen, overflow, store)    \
    CLINIT_KERNEL_(dist, dt, id, T, CLINIT_VT32_, 4, 32)
#define CLINIT_KERNELS32_(NAME, id, name)                                      \
    CLINIT_KERNEL_(name, f32, 0, float, CLINIT_VT32_, 4, 32)                   \
    CLINIT_BITS_DTYPE_LIST(CLINIT_KERNEL_BITS_, name)
#if !defined(CLINIT_ONLY_KERNEL) || CLINIT_ONLY_KERNEL >= 0
CLINIT_KERNEL_DIST_LIST(CLINIT_KERNELS32_)
#endif

#if CLINIT_HAVE_F64 && (!defined(CLINIT_ONLY_KERNEL) || CLINIT_ONLY_KERNEL >= 0)
#define CLINIT_KERNELS64_(NAME, id, name)                                      \
    CLINIT_KERNEL_(name, f64, 3, double, CLINIT_VT64_, 2, 64)
CLINIT_KERNEL_DIST_LIST(CLINIT_KERNELS64_)
#endif

/* the test hooks (raw words, probes): only in the -DCLINIT_ONLY_KERNEL=-1
 * program */
#if defined(CLINIT_ONLY_KERNEL) && CLINIT_ONLY_KERNEL < 0
/* ---- test hooks
 * -------------------------------------------------------------- */

/* w[0..3][l] = philox4x32_10 of counter w[0..3][l] and key (w[4][l],
 * w[5][l]), for the 16 lanes, in either variant's vocabulary. */
static inline void clinit_philox_lanes(uint w[6][CLINIT_LANES])
{
#if CLINIT_VLANES == 16
    uint16 x[4];
    for (int i = 0; i < 4; i++)
        x[i] = vload16(0, w[i]);
    clinit_philox4x32_10(x, vload16(0, w[4]), vload16(0, w[5]));
    for (int i = 0; i < 4; i++)
        vstore16(x[i], 0, w[i]);
#else
    for (int l = 0; l < CLINIT_LANES; l++) {
        uint x[4] = {w[0][l], w[1][l], w[2][l], w[3][l]};
        clinit_philox4x32_10(x, w[4][l], w[5][l]);
        for (int i = 0; i < 4; i++)
            w[i][l] = x[i];
    }
#endif
}

/* Raw Philox words: out[off + j] = word j % 4 of philox(counter + j / 4,
 * key), j < nwords, the counter a 128-bit integer (c0 lowest). Work-item
 * g handles counters counter + 16 g + l. */
__kernel void clinit_k_philox_raw(__global uint *out, ulong off, ulong nwords,
                                  uint k0, uint k1, uint c0, uint c1, uint c2,
                                  uint c3)
{
    ulong g = get_global_id(0);
    ulong base = ((ulong)c1 << 32) | c0;
    ulong hiw = ((ulong)c3 << 32) | c2;
    uint w[6][CLINIT_LANES];
    for (int l = 0; l < CLINIT_LANES; l++) {
        ulong n = g * CLINIT_LANES + (ulong)l;
        w[4][l] = k0;
        w[5][l] = k1;
        ulong lo64 = base + n;
        ulong hi64 = hiw + (lo64 < base ? 1ul : 0ul);
        w[0][l] = (uint)lo64;
        w[1][l] = (uint)(lo64 >> 32);
        w[2][l] = (uint)hi64;
        w[3][l] = (uint)(hi64 >> 32);
    }
    clinit_philox_lanes(w);
    for (int l = 0; l < CLINIT_LANES; l++)
        for (int i = 0; i < 4; i++) {
            ulong j = (g * CLINIT_LANES + (ulong)l) * 4 + (ulong)i;
            if (j < nwords)
                out[off + j] = w[i][l];
        }
}

/* The shared math on the device: op 0 log, 1 sqrt (in = float bits),
 * 2 sincos2pi (in = word; out[2k] = sin, out[2k+1] = cos vectors), 3 f16
 * rounding through vstore_half (in = float bits; out = half bits in the low
 * 16 bits of each word), 4 bf16 rounding. */
#if CLINIT_VLANES == 16
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
#else
__kernel void clinit_k_math_probe(__global const uint *in, __global float *out,
                                  int op)
{
    ulong g = get_global_id(0);
    for (ulong l = 0; l < CLINIT_LANES; l++) {
        ulong k = g * CLINIT_LANES + l;
        uint x = in[k];
        if (op == 0) {
            out[k] = clinit_log_f32(as_float(x));
        } else if (op == 1) {
            out[k] = clinit_sqrt_f32(as_float(x));
        } else if (op == 2) { /* the vector layout: 16 sines, 16 cosines */
            float sv, cv;
            clinit_sincos2pi_f32(x, &sv, &cv);
            out[2 * g * CLINIT_LANES + l] = sv;
            out[(2 * g + 1) * CLINIT_LANES + l] = cv;
        } else if (op == 3) {
            ushort h;
            vstore_half_rte(as_float(x), 0, (half *)&h);
            out[k] = as_float((uint)h);
        } else {
            out[k] = as_float(clinit_bf16_bits(as_float(x)));
        }
    }
}
#endif

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
    clinit_philox_lanes(w);
    for (int l = 0; l < CLINIT_LANES; l++)
        for (int i = 0; i < 4; i++)
            out[(g * CLINIT_LANES + (ulong)l) * 4 + (ulong)i] = w[i][l];
}
#endif
