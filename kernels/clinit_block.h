/* clinit_block.h - the block pipeline, written once: descriptor + block
 * index -> Philox words -> values of every base distribution -> the
 * block's element slots.
 *
 * Compiled by OpenCL C (clinit_v* = 16-wide OpenCL vectors) and by the
 * CPU backend as C with explicit 16-lane vectors (CLINIT_C_VECTORS = 1,
 * kernels/clinit_features.h). Both run exactly these functions, so the
 * CPU path and every device schedule compute the same values; only the
 * stores (kernels/clinit_fill.cl, src/cpu/kernels.c) differ.
 *
 * 32-bit-word dtypes (f32, f16, bf16; values in f32): block B holds
 * elements 64 B .. 64 B + 63, slot j of it word j / 16 of lane j % 16's
 * counter. A call computes the lanes l0 .. l0 + CLINIT_VLANES - 1 (all 16
 * on OpenCL, l0 = 0; the native vector width on the CPU) and v[w]
 * receives slots 16 w + l0 .. 16 w + l0 + CLINIT_VLANES - 1. f64: block B
 * holds elements 32 B .. 32 B + 31 and v[p] receives slots 16 p + l0 ..
 * (docs/STREAM.md).
 */
#ifndef CLINIT_BLOCK_H
#define CLINIT_BLOCK_H

#include "clinit_abi.h"
#include "clinit_features.h"
#include "clinit_stream.h"


/* The four Philox words of lanes l0 .. of block B. */
CLINIT_FN void clinit_desc_words(clinit_desc d, clinit_u64 B, clinit_u32 l0,
                                 CLINIT_PRIV clinit_vu *x)
{
    clinit_u64 k = d[CLINIT_DW_KEY], s = d[CLINIT_DW_STREAM];
    clinit_block_words(B, CLINIT_LANE_IDS + CLINIT_VU(l0), CLINIT_DOMAIN_VALUES,
                       (clinit_u32)k, (clinit_u32)(k >> 32), (clinit_u32)s,
                       (clinit_u32)(s >> 32), x);
}

#if !CLINIT_OPENCL
/* x[w][l]: the four Philox words of every lane l < CLINIT_LANES of block
 * B (clinit_desc_words of all lanes at once, kernels/clinit_philox.h); ks
 * from clinit_desc_keys(d). */
CLINIT_FN void clinit_desc_words_all(clinit_desc d, clinit_u64 B,
                                     const clinit_philox_keys *ks,
                                     clinit_u32 x[4][CLINIT_LANES])
{
    clinit_u64 s = d[CLINIT_DW_STREAM];
    clinit_philox_block((clinit_u32)(B << 4),
                        (clinit_u32)(B >> 28) | (CLINIT_DOMAIN_VALUES << 24),
                        (clinit_u32)s, (clinit_u32)(s >> 32), ks, x);
}

/* The round keys of d's seed, once per fill (clinit_desc_words_all). */
CLINIT_FN void clinit_desc_keys(clinit_desc d, clinit_philox_keys *ks)
{
    clinit_u64 k = d[CLINIT_DW_KEY];
    clinit_philox_key_schedule((clinit_u32)k, (clinit_u32)(k >> 32), ks);
}
#endif

/* ---- sparse_ ----------------------------------------------------------- */

/* sparse_'s parameters, read from the descriptor once per call */
typedef struct {
    clinit_u64 cols;
    clinit_u32 n, h, nz;
    clinit_u32 ks[6]; /* clinit_feistel_keys */
} clinit_sparse_args;

CLINIT_FN void clinit_sparse_load(clinit_desc d,
                                  CLINIT_PRIV clinit_sparse_args *a)
{
    clinit_u64 k01 = CLINIT_DESC_Q(d, CLINIT_Q_SPARSE_KEY01);
    clinit_u64 k23 = CLINIT_DESC_Q(d, CLINIT_Q_SPARSE_KEY23);
    a->cols = CLINIT_DESC_Q(d, CLINIT_Q_SPARSE_COLS);
    a->n = (clinit_u32)CLINIT_DESC_Q(d, CLINIT_Q_SPARSE_ROWS);
    a->h = (clinit_u32)CLINIT_DESC_Q(d, CLINIT_Q_SPARSE_HALF);
    a->nz = (clinit_u32)CLINIT_DESC_Q(d, CLINIT_Q_SPARSE_NZEROS);
    clinit_feistel_keys((clinit_u32)k01, (clinit_u32)(k01 >> 32),
                        (clinit_u32)k23, (clinit_u32)(k23 >> 32), a->ks);
}

/* Rows r and columns c of the CLINIT_VLANES elements from the one at row
 * rw, column cw < cols. No division: lane l is at column cw + l of row rw
 * unless the row ends first (rem = cols - cw lanes left in it), then at
 * column l - rem of row rw + 1, l - rem - cols of row rw + 2, ... */
CLINIT_FN void clinit_sparse_rowcol(clinit_u64 cols, clinit_u64 rw,
                                    clinit_u64 cw, CLINIT_PRIV clinit_vu *r,
                                    CLINIT_PRIV clinit_vu *c)
{
    clinit_vu lane = CLINIT_LANE_IDS;
    clinit_u64 rem = cols - cw;
    *r = CLINIT_VU((clinit_u32)rw);
    *c = CLINIT_VU((clinit_u32)cw) + lane;
    for (clinit_u32 k = 1; rem < CLINIT_VLANES; k++, rem += cols) {
        clinit_vu next = lane - CLINIT_VU((clinit_u32)rem);
        *c = CLINIT_SEL(lane >= CLINIT_VU((clinit_u32)rem), next, *c);
        *r = CLINIT_SEL(lane >= CLINIT_VU((clinit_u32)rem),
                        CLINIT_VU((clinit_u32)(rw + k)), *r);
    }
}

/* Row and column of element i + step, from those of i (col < cols) */
CLINIT_FN void clinit_sparse_step(clinit_u64 cols, clinit_u64 step,
                                  CLINIT_PRIV clinit_u64 *row,
                                  CLINIT_PRIV clinit_u64 *col)
{
    *col += step;
    if (*col >= cols) {
        *row += *col / cols;
        *col %= cols;
    }
}

/* ---- 32-bit-word dtypes: 64 values in f32 ------------------------------ */

/* clinit_words32_<dist>(d, B, l0, x, v): the values v of lanes l0 .. of
 * block B from their Philox words x (clinit_desc_words);
 * clinit_block32_<dist> computes the words too. The CPU path computes a
 * whole block's words at once (clinit_desc_words_all) and calls the
 * former. */
CLINIT_FN void clinit_words32_uniform(clinit_desc d, clinit_u64 B,
                                      clinit_u32 l0, CLINIT_PRIV clinit_vu *x,
                                      CLINIT_PRIV clinit_vf *v)
{
    float lo = CLINIT_DESC_P32(d, CLINIT_P_UNIFORM_LO);
    float scale = CLINIT_DESC_P32(d, CLINIT_P_UNIFORM_SCALE);
    float top = CLINIT_DESC_P32(d, CLINIT_P_UNIFORM_TOP);
    float bottom = CLINIT_DESC_P32(d, CLINIT_P_UNIFORM_BOTTOM);
    (void)B;
    (void)l0;
    /* the parameters decide (the CPU loops test it once per fill) */
    if (clinit_uniform_fast_ok(lo, scale, top, bottom)) {
        float c = scale * 0x1p-24f; /* exact here */
        for (int w = 0; w < 4; w++)
            v[w] = clinit_uniform_fast_f32(x[w], lo, c, top, bottom);
    } else {
        for (int w = 0; w < 4; w++)
            v[w] = clinit_uniform_f32(x[w], lo, scale, top, bottom);
    }
}

CLINIT_FN void clinit_words32_normal(clinit_desc d, clinit_u64 B,
                                     clinit_u32 l0, CLINIT_PRIV clinit_vu *x,
                                     CLINIT_PRIV clinit_vf *v)
{
    (void)B;
    (void)l0;
    clinit_normal4_f32(x, CLINIT_DESC_P32(d, CLINIT_P_NORMAL_MEAN),
                       CLINIT_DESC_P32(d, CLINIT_P_NORMAL_STD), v);
}

CLINIT_FN void clinit_words32_truncated(clinit_desc d, clinit_u64 B,
                                        clinit_u32 l0, CLINIT_PRIV clinit_vu *x,
                                        CLINIT_PRIV clinit_vf *v)
{
    float t[10];
    (void)B;
    (void)l0;
    for (int k = 0; k < 10; k++)
        t[k] = CLINIT_DESC_P32(d, k);
#pragma GCC unroll 4
    for (int w = 0; w < 4; w++)
        v[w] = clinit_truncated_f32(x[w], t[CLINIT_P_TRUNC_MEAN],
                                    t[CLINIT_P_TRUNC_STD],
                                    t[CLINIT_P_TRUNC_BOTTOM],
                                    t[CLINIT_P_TRUNC_TOP], t[4], t[5], t[6],
                                    t[7], t[8], t[9]);
}

/* clinit_wordsel32_<dist>(d, x, w0, w1, v): v[w] for the words w0 <= w <
 * w1 only, the same bits as clinit_words32_<dist> (normal: the Box-Muller
 * pairs (0, 1), (2, 3) those words fall in); a box run that covers a block
 * in part computes no value it does not store. */
CLINIT_FN void clinit_wordsel32_uniform(clinit_desc d,
                                        CLINIT_PRIV clinit_vu *x,
                                        clinit_u32 w0, clinit_u32 w1,
                                        CLINIT_PRIV clinit_vf *v)
{
    float lo = CLINIT_DESC_P32(d, CLINIT_P_UNIFORM_LO);
    float scale = CLINIT_DESC_P32(d, CLINIT_P_UNIFORM_SCALE);
    float top = CLINIT_DESC_P32(d, CLINIT_P_UNIFORM_TOP);
    float bottom = CLINIT_DESC_P32(d, CLINIT_P_UNIFORM_BOTTOM);
    int fast = clinit_uniform_fast_ok(lo, scale, top, bottom);
    float c = scale * 0x1p-24f; /* exact where fast */
    for (clinit_u32 w = 0; w < 4; w++) /* a fixed count: v in registers */
        if (w >= w0 && w < w1)
            v[w] = fast ? clinit_uniform_fast_f32(x[w], lo, c, top, bottom)
                        : clinit_uniform_f32(x[w], lo, scale, top, bottom);
}

CLINIT_FN void clinit_wordsel32_normal(clinit_desc d, CLINIT_PRIV clinit_vu *x,
                                       clinit_u32 w0, clinit_u32 w1,
                                       CLINIT_PRIV clinit_vf *v)
{
    float mean = CLINIT_DESC_P32(d, CLINIT_P_NORMAL_MEAN);
    float std = CLINIT_DESC_P32(d, CLINIT_P_NORMAL_STD);
    if (w0 < 2)
        clinit_normal_pair_f32(x[0], x[1], mean, std, &v[0], &v[1]);
    if (w1 > 2)
        clinit_normal_pair_f32(x[2], x[3], mean, std, &v[2], &v[3]);
}

CLINIT_FN void clinit_wordsel32_truncated(clinit_desc d,
                                          CLINIT_PRIV clinit_vu *x,
                                          clinit_u32 w0, clinit_u32 w1,
                                          CLINIT_PRIV clinit_vf *v)
{
    float t[10];
    for (int k = 0; k < 10; k++)
        t[k] = CLINIT_DESC_P32(d, k);
#pragma GCC unroll 4
    for (clinit_u32 w = 0; w < 4; w++)
        if (w >= w0 && w < w1)
            v[w] = clinit_truncated_f32(x[w], t[CLINIT_P_TRUNC_MEAN],
                                        t[CLINIT_P_TRUNC_STD],
                                        t[CLINIT_P_TRUNC_BOTTOM],
                                        t[CLINIT_P_TRUNC_TOP], t[4], t[5],
                                        t[6], t[7], t[8], t[9]);
}

#define CLINIT_BLOCK_OF_WORDS_(bits, name, T)                                  \
    CLINIT_FN void clinit_block##bits##_##name(                                \
        clinit_desc d, clinit_u64 B, clinit_u32 l0, CLINIT_PRIV T *v)          \
    {                                                                          \
        clinit_vu x[4];                                                        \
        clinit_desc_words(d, B, l0, x);                                        \
        clinit_words##bits##_##name(d, B, l0, x, v);                           \
    }
CLINIT_BLOCK_OF_WORDS_(32, uniform, clinit_vf)
CLINIT_BLOCK_OF_WORDS_(32, normal, clinit_vf)
CLINIT_BLOCK_OF_WORDS_(32, truncated, clinit_vf)

CLINIT_FN void clinit_block32_constant(clinit_desc d, clinit_u64 B, clinit_u32 l0,
                                       CLINIT_PRIV clinit_vf *v)
{
    (void)B;
    (void)l0;
    for (int w = 0; w < 4; w++)
        v[w] = CLINIT_VF(CLINIT_DESC_P32(d, CLINIT_P_CONSTANT_VALUE));
}

/* sparse_: element (r, c) is 0 iff pi_c(r) < nzeros, else normal's value.
 * z[i] = -1 per lane where vector i of the call (elements first + 16 i +
 * lane: a word of 32-bit dtypes, a pair of f64) is 0, else 0. */
CLINIT_FN void clinit_sparse_zeros(clinit_desc d, int nv, clinit_u64 first,
                                   CLINIT_PRIV clinit_vi *z)
{
    clinit_sparse_args a;
    clinit_vu r[4], c[4];
    clinit_u64 row, col;
    clinit_sparse_load(d, &a);
    row = first / a.cols;
    col = first % a.cols;
    for (int i = 0; i < nv; i++) {
        clinit_sparse_rowcol(a.cols, row, col, &r[i], &c[i]);
        clinit_sparse_step(a.cols, CLINIT_LANES, &row, &col);
    }
    if (nv == 4)
        clinit_sparse_perm4(r, c, a.n, a.h, a.ks);
    else
        clinit_sparse_perm2(r, c, a.n, a.h, a.ks);
    for (int i = 0; i < nv; i++)
        z[i] = r[i] < CLINIT_VU(a.nz);
}

CLINIT_FN void clinit_words32_sparse(clinit_desc d, clinit_u64 B,
                                     clinit_u32 l0, CLINIT_PRIV clinit_vu *x,
                                     CLINIT_PRIV clinit_vf *v)
{
    clinit_vi z[4];
    clinit_words32_normal(d, B, l0, x, v);
    clinit_sparse_zeros(d, 4, B * CLINIT_BLOCK32 + l0, z);
    for (int w = 0; w < 4; w++)
        v[w] = CLINIT_SEL(z[w], CLINIT_VF(0.0f), v[w]);
}

CLINIT_BLOCK_OF_WORDS_(32, sparse, clinit_vf)

/* the pattern of the n elements from first: clinit_pattern_run, or for
 * single elements (one-lane schedules) the per-element rule, which takes
 * fewer instructions there */
CLINIT_FN void clinit_desc_pattern_run(clinit_desc d, clinit_u64 first, int n,
                                       CLINIT_PRIV float *t)
{
    if (CLINIT_VLANES == 1) {
        t[0] = clinit_pattern_one(
                   first, CLINIT_DESC_Q(d, CLINIT_Q_PATTERN_IN_S),
                   CLINIT_DESC_Q(d, CLINIT_Q_PATTERN_S),
                   CLINIT_DESC_Q(d, CLINIT_Q_PATTERN_OUT_PER_GROUP),
                   CLINIT_DESC_Q(d, CLINIT_Q_PATTERN_CENTRE),
                   CLINIT_DESC_Q(d, CLINIT_Q_PATTERN_MIN_DIM))
                   ? 1.0f
                   : 0.0f;
        return;
    }
    clinit_pattern_run(first, n, CLINIT_DESC_Q(d, CLINIT_Q_PATTERN_IN_S),
                       CLINIT_DESC_Q(d, CLINIT_Q_PATTERN_S),
                       CLINIT_DESC_Q(d, CLINIT_Q_PATTERN_OUT_PER_GROUP),
                       CLINIT_DESC_Q(d, CLINIT_Q_PATTERN_CENTRE),
                       CLINIT_DESC_Q(d, CLINIT_Q_PATTERN_MIN_DIM), t);
}

CLINIT_FN void clinit_block32_pattern(clinit_desc d, clinit_u64 B, clinit_u32 l0,
                                      CLINIT_PRIV clinit_vf *v)
{
    float t[4 * CLINIT_VLANES];
    for (int w = 0; w < 4; w++)
        clinit_desc_pattern_run(d,
                                B * CLINIT_BLOCK32 +
                                    (clinit_u64)(w * CLINIT_LANES) + l0,
                                CLINIT_VLANES, t + w * CLINIT_VLANES);
    for (int w = 0; w < 4; w++)
        v[w] = CLINIT_VLOAD_F(w, t);
}

/* ---- f64: 32 values in double ------------------------------------------ */
#if CLINIT_HAVE_F64

/* The two 53-bit integers of every lane of f64 block B from its words. */
CLINIT_FN void clinit_desc_k53(CLINIT_PRIV clinit_vu *x,
                               CLINIT_PRIV clinit_vul *k)
{
    k[0] = clinit_k53(x[0], x[1]);
    k[1] = clinit_k53(x[2], x[3]);
}

CLINIT_FN void clinit_words64_uniform(clinit_desc d, clinit_u64 B,
                                      clinit_u32 l0, CLINIT_PRIV clinit_vu *x,
                                      CLINIT_PRIV clinit_vd *v)
{
    (void)B;
    (void)l0;
    clinit_vul k[2];
    double lo = CLINIT_DESC_P64(d, CLINIT_P_UNIFORM_LO);
    double scale = CLINIT_DESC_P64(d, CLINIT_P_UNIFORM_SCALE);
    double top = CLINIT_DESC_P64(d, CLINIT_P_UNIFORM_TOP);
    double bottom = CLINIT_DESC_P64(d, CLINIT_P_UNIFORM_BOTTOM);
    clinit_desc_k53(x, k);
    if (clinit_uniform_fast_ok64(lo, scale, top, bottom)) {
        double c = scale * 0x1p-53; /* exact here */
        for (int p = 0; p < 2; p++)
            v[p] = clinit_uniform_fast_f64(k[p], lo, c, top, bottom);
    } else {
        for (int p = 0; p < 2; p++)
            v[p] = clinit_uniform_f64(k[p], lo, scale, top, bottom);
    }
}

CLINIT_FN void clinit_words64_normal(clinit_desc d, clinit_u64 B,
                                     clinit_u32 l0, CLINIT_PRIV clinit_vu *x,
                                     CLINIT_PRIV clinit_vd *v)
{
    (void)B;
    (void)l0;
    clinit_vul k[2];
    clinit_desc_k53(x, k);
    clinit_normal_pair_f64(k[0], k[1], CLINIT_DESC_P64(d, CLINIT_P_NORMAL_MEAN),
                           CLINIT_DESC_P64(d, CLINIT_P_NORMAL_STD), &v[0],
                           &v[1]);
}

CLINIT_FN void clinit_words64_truncated(clinit_desc d, clinit_u64 B,
                                        clinit_u32 l0, CLINIT_PRIV clinit_vu *x,
                                        CLINIT_PRIV clinit_vd *v)
{
    (void)B;
    (void)l0;
    clinit_vul k[2];
    double t[10];
    for (int j = 0; j < 10; j++)
        t[j] = CLINIT_DESC_P64(d, j);
    clinit_desc_k53(x, k);
#pragma GCC unroll 2
    for (int p = 0; p < 2; p++)
        v[p] = clinit_truncated_f64(k[p], t[CLINIT_P_TRUNC_MEAN],
                                    t[CLINIT_P_TRUNC_STD],
                                    t[CLINIT_P_TRUNC_BOTTOM],
                                    t[CLINIT_P_TRUNC_TOP], t[4], t[5], t[6],
                                    t[7], t[8], t[9]);
}

/* clinit_wordsel64_<dist>(d, x, p0, p1, v): v[p] for p0 <= p < p1 only,
 * as clinit_words64_<dist> (normal: both, one Box-Muller pair). */
CLINIT_FN void clinit_wordsel64_uniform(clinit_desc d,
                                        CLINIT_PRIV clinit_vu *x,
                                        clinit_u32 p0, clinit_u32 p1,
                                        CLINIT_PRIV clinit_vd *v)
{
    double lo = CLINIT_DESC_P64(d, CLINIT_P_UNIFORM_LO);
    double scale = CLINIT_DESC_P64(d, CLINIT_P_UNIFORM_SCALE);
    double top = CLINIT_DESC_P64(d, CLINIT_P_UNIFORM_TOP);
    double bottom = CLINIT_DESC_P64(d, CLINIT_P_UNIFORM_BOTTOM);
    for (clinit_u32 p = p0; p < p1; p++)
        v[p] = clinit_uniform_f64(clinit_k53(x[2 * p], x[2 * p + 1]), lo,
                                  scale, top, bottom);
}

CLINIT_FN void clinit_wordsel64_normal(clinit_desc d, CLINIT_PRIV clinit_vu *x,
                                       clinit_u32 p0, clinit_u32 p1,
                                       CLINIT_PRIV clinit_vd *v)
{
    (void)p0;
    (void)p1;
    clinit_words64_normal(d, 0, 0, x, v);
}

CLINIT_FN void clinit_wordsel64_truncated(clinit_desc d,
                                          CLINIT_PRIV clinit_vu *x,
                                          clinit_u32 p0, clinit_u32 p1,
                                          CLINIT_PRIV clinit_vd *v)
{
    double t[10];
    for (int j = 0; j < 10; j++)
        t[j] = CLINIT_DESC_P64(d, j);
    for (clinit_u32 p = p0; p < p1; p++)
        v[p] = clinit_truncated_f64(clinit_k53(x[2 * p], x[2 * p + 1]),
                                    t[CLINIT_P_TRUNC_MEAN],
                                    t[CLINIT_P_TRUNC_STD],
                                    t[CLINIT_P_TRUNC_BOTTOM],
                                    t[CLINIT_P_TRUNC_TOP], t[4], t[5], t[6],
                                    t[7], t[8], t[9]);
}

CLINIT_BLOCK_OF_WORDS_(64, uniform, clinit_vd)
CLINIT_BLOCK_OF_WORDS_(64, normal, clinit_vd)
CLINIT_BLOCK_OF_WORDS_(64, truncated, clinit_vd)

CLINIT_FN void clinit_block64_constant(clinit_desc d, clinit_u64 B, clinit_u32 l0,
                                       CLINIT_PRIV clinit_vd *v)
{
    (void)B;
    (void)l0;
    v[0] = v[1] = CLINIT_VD(CLINIT_DESC_P64(d, CLINIT_P_CONSTANT_VALUE));
}

CLINIT_FN void clinit_words64_sparse(clinit_desc d, clinit_u64 B,
                                     clinit_u32 l0, CLINIT_PRIV clinit_vu *x,
                                     CLINIT_PRIV clinit_vd *v)
{
    clinit_vi z[2];
    clinit_words64_normal(d, B, l0, x, v);
    clinit_sparse_zeros(d, 2, B * CLINIT_BLOCK64 + l0, z);
    /* the 32-bit lane masks widened to the 64-bit lanes of v */
    for (int p = 0; p < 2; p++)
        v[p] = CLINIT_SEL(CLINIT_I2L(z[p]) != CLINIT_VL(0), CLINIT_VD(0.0),
                          v[p]);
}

CLINIT_BLOCK_OF_WORDS_(64, sparse, clinit_vd)

CLINIT_FN void clinit_block64_pattern(clinit_desc d, clinit_u64 B, clinit_u32 l0,
                                      CLINIT_PRIV clinit_vd *v)
{
    float f[2 * CLINIT_VLANES];
    double t[2 * CLINIT_VLANES];
    for (int p = 0; p < 2; p++)
        clinit_desc_pattern_run(d,
                                B * CLINIT_BLOCK64 +
                                    (clinit_u64)(p * CLINIT_LANES) + l0,
                                CLINIT_VLANES, f + p * CLINIT_VLANES);
    for (int k = 0; k < 2 * CLINIT_VLANES; k++)
        t[k] = (double)f[k]; /* 0 or 1 */
    v[0] = CLINIT_VLOAD_D(0, t);
    v[1] = CLINIT_VLOAD_D(1, t);
}

#endif /* CLINIT_HAVE_F64 */

#endif /* CLINIT_BLOCK_H */
