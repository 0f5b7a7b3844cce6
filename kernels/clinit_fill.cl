/* clinit_fill.cl - OpenCL kernels. Built once per context from the
 * embedded source (the kernels/ headers pasted in front of this file by
 * cmake/embed.cmake). Every value comes from kernels/clinit_block.h, the
 * same code the CPU backend runs; this file only schedules and stores.
 *
 * One launch path: a fill is a batch of tensors of one buffer, dtype and
 * base distribution (a single-tensor fill is a batch of one). desc holds
 * CLINIT_DESC_WORDS ulongs per item (kernels/clinit_abi.h), ascending in
 * CLINIT_DW_FIRST, then each item's box map; work-item g is launch-global
 * block g, finds its item by binary search and its block through the map
 * (a range directly; a box: which run, which block of it). Work-item g
 * handles block B: CLINIT_LANES Philox counters in one vector, 64
 * contiguous elements of a 32-bit-word dtype (f32, f16, bf16) or 32 of
 * f64. Whole blocks inside [lo, hi) are stored as whole vectors; a block
 * that [lo, hi) covers in part (a range's ends, a thin box's run edges)
 * computes and stores only the 16-slot words it touches.
 */
#include "clinit_block.h"
#include "clinit_dtype.h"

static inline int clinit_whole(ulong first, ulong n, ulong lo, ulong hi)
{
    return first >= lo && first + n <= hi;
}

/* ---- values ----------------------------------------------------------------
 * clinit_values<32|64>_<distribution>(d, B, l0, lo, hi, v): the values of
 * lanes l0 .. of block B as clinit_block* computes them, where the block
 * lies inside [lo, hi); of a block [lo, hi) covers in part (a box run's or
 * a range's end) only the 16-slot words with a slot in it, for the
 * distributions with clinit_wordsel* (kernels/clinit_block.h), so a thin
 * box computes no value it does not store. One row per distribution. */
#define CLINIT_VALUES_SEL_(bits, name, T)                                      \
    static inline void clinit_values##bits##_##name(                           \
        clinit_desc d, ulong B, uint l0, ulong lo, ulong hi, T *v)             \
    {                                                                          \
        ulong first = B * CLINIT_BLOCK##bits;                                  \
        uint a, e;                                                             \
        clinit_vu x[4];                                                        \
        if (clinit_whole(first, CLINIT_BLOCK##bits, lo, hi)) {                 \
            clinit_block##bits##_##name(d, B, l0, v);                          \
            return;                                                            \
        }                                                                      \
        a = first < lo ? (uint)(lo - first) : 0u;                              \
        e = hi - first < CLINIT_BLOCK##bits ? (uint)(hi - first)               \
                                            : CLINIT_BLOCK##bits;              \
        clinit_desc_words(d, B, l0, x);                                        \
        clinit_wordsel##bits##_##name(d, x, a / CLINIT_LANES,                  \
                                      (e + CLINIT_LANES - 1) / CLINIT_LANES,   \
                                      v);                                      \
    }
#define CLINIT_VALUES_ALL_(bits, name, T)                                      \
    static inline void clinit_values##bits##_##name(                           \
        clinit_desc d, ulong B, uint l0, ulong lo, ulong hi, T *v)             \
    {                                                                          \
        (void)lo;                                                              \
        (void)hi;                                                              \
        clinit_block##bits##_##name(d, B, l0, v);                              \
    }
#define CLINIT_VALUES_ROWS_(bits, T)                                           \
    CLINIT_VALUES_SEL_(bits, uniform, T)                                       \
    CLINIT_VALUES_SEL_(bits, normal, T)                                        \
    CLINIT_VALUES_SEL_(bits, truncated, T)                                     \
    CLINIT_VALUES_ALL_(bits, sparse, T)                                        \
    CLINIT_VALUES_ALL_(bits, constant, T)                                      \
    CLINIT_VALUES_ALL_(bits, pattern, T)
CLINIT_VALUES_ROWS_(32, clinit_vf)
#if CLINIT_HAVE_F64
CLINIT_VALUES_ROWS_(64, clinit_vd)
#endif

#if CLINIT_VLANES == 16
/* ---- stores ----------------------------------------------------------------
 */

/* One 64-element block of a 32-bit-word dtype: whole blocks as four
 * vector stores into dst; of a partial one, each 16-slot word inside [lo,
 * hi) as one vector store, a word that sticks out through a word-sized
 * buffer, and a word outside it not at all.
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
            return;                                                            \
        }                                                                      \
        for (int w = 0; w < 4; w++) {                                          \
            ulong s = first + (ulong)(w * CLINIT_LANES);                       \
            T tmp[CLINIT_LANES];                                               \
            if (clinit_whole(s, CLINIT_LANES, lo, hi)) {                       \
                __global T *p = dst + (off + (s - lo));                        \
                VST(v[w], 0, p, ROUND, T16, __global);                         \
                continue;                                                      \
            }                                                                  \
            if (s >= hi || s + CLINIT_LANES <= lo)                             \
                continue; /* a word clinit_values did not compute */           \
            VST(v[w], 0, tmp, ROUND, T16, __private);                          \
            for (int l = 0; l < CLINIT_LANES; l++) {                           \
                ulong i = s + (ulong)l;                                        \
                if (i >= lo && i < hi)                                         \
                    dst[off + (i - lo)] = tmp[l];                              \
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
        return;
    }
    for (int h = 0; h < 2; h++) { /* as the 32-bit stores' words */
        ulong s = first + (ulong)(h * CLINIT_LANES);
        double t[CLINIT_LANES];
        if (clinit_whole(s, CLINIT_LANES, lo, hi)) {
            vstore16(v[h], 0, dst + (off + (s - lo)));
            continue;
        }
        if (s >= hi || s + CLINIT_LANES <= lo)
            continue;
        vstore16(v[h], 0, t);
        for (int l = 0; l < CLINIT_LANES; l++) {
            ulong i = s + (ulong)l;
            if (i >= lo && i < hi)
                dst[off + (i - lo)] = t[l];
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

/* The descriptor of launch block g: the last one whose FIRST <= g. */
static inline uint clinit_find_idx(clinit_desc desc, uint ndesc, ulong g)
{
    uint a = 0, b = ndesc;
    while (b - a > 1) {
        uint m = a + (b - a) / 2;
        if (desc[(ulong)m * CLINIT_DESC_WORDS + CLINIT_DW_FIRST] <= g)
            a = m;
        else
            b = m;
    }
    return a;
}

/* n / dv, and n % dv in *r: in 32 bits where both fit (a 64-bit division
 * is a long call on most devices) */
static inline ulong clinit_divmod(ulong n, ulong dv, ulong *r)
{
    ulong q;
    if (((n | dv) >> 32) == 0) {
        uint q32 = (uint)n / (uint)dv;
        *r = (ulong)((uint)n - q32 * (uint)dv);
        return q32;
    }
    q = n / dv;
    *r = n - q * dv;
    return q;
}

/* Launch block g of a table of ndesc descriptors and their box maps
 * (kernels/clinit_abi.h): its descriptor *dp, block *B, and the elements
 * [*lo, *hi) of the tensor stored from destination element *off on. 0
 * when g has nothing to do: a block past its box run's end. */
static inline int clinit_locate(clinit_desc desc, uint ndesc, ulong g,
                                ulong be, clinit_desc *dp, ulong *B,
                                ulong *lo, ulong *hi, ulong *off)
{
    uint i = clinit_find_idx(desc, ndesc, g);
    clinit_desc d = desc + (ulong)i * CLINIT_DESC_WORDS;
    clinit_desc m = desc + (ulong)ndesc * CLINIT_DESC_WORDS +
                    (ulong)i * CLINIT_MAP_WORDS;
    ulong q = g - d[CLINIT_DW_FIRST], len = m[CLINIT_MW_LEN], k, b, j, a;
    *dp = d;
    if (len == 0) { /* a range */
        *B = d[CLINIT_DW_B0] + q;
        *lo = d[CLINIT_DW_LO];
        *hi = d[CLINIT_DW_HI];
        *off = d[CLINIT_DW_OFF];
        return 1;
    }
    k = clinit_divmod(q, m[CLINIT_MW_NBPR], &b);
    j = m[CLINIT_MW_R0] + k;
    a = m[CLINIT_MW_BASE];
    for (int t = (int)m[CLINIT_MW_NOUTER] - 1; t >= 0; t--) {
        ulong digit;
        j = clinit_divmod(j, m[CLINIT_MW_CNT + t], &digit);
        a += digit * m[CLINIT_MW_STRIDE + t];
    }
    *B = a / be + b;
    *lo = a;
    *hi = a + len;
    *off = d[CLINIT_DW_OFF] + k * len;
    return *B * be < a + len;
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
        ulong g = get_global_id(0), B, lo, hi, off;                            \
        clinit_desc d;                                                         \
        VT v[NV];                                                              \
        if (!CLINIT_WANT_(DIST, DTID) || g >= total ||                         \
            !clinit_locate(desc, ndesc, g, CLINIT_BLOCK##BW, &d, &B, &lo, &hi, \
                           &off))                                              \
            return;                                                            \
        clinit_values##BW##_##DIST(d, B, 0, lo, hi, v);                        \
        clinit_store_##DT(dst, lo, hi, off, B, v);                             \
    }
#else
#define CLINIT_KERNEL_(DIST, DT, DTID, T, VT, NV, BW)                          \
    __kernel void clinit_k_##DIST##_##DT(                                      \
        __global T *dst, clinit_desc desc, uint ndesc, ulong total)            \
    {                                                                          \
        ulong gi = get_global_id(0), g = gi / CLINIT_LANES, B, lo, hi, off;    \
        uint lane = (uint)(gi % CLINIT_LANES);                                 \
        clinit_desc d;                                                         \
        VT v[NV];                                                              \
        if (!CLINIT_WANT_(DIST, DTID) || g >= total ||                         \
            !clinit_locate(desc, ndesc, g, CLINIT_BLOCK##BW, &d, &B, &lo, &hi, \
                           &off))                                              \
            return;                                                            \
        clinit_values##BW##_##DIST(d, B, lane, lo, hi, v);                     \
        clinit_put_##DT(dst, lo, hi, off, B * CLINIT_BLOCK##BW, lane, v);      \
    }
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
