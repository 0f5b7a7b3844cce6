/* depth.cl - the forward pass of `clinit depth`: one fully connected layer
 * Y = act(X W^T + b) for every configuration at once (get_group_id(2)),
 * with the statistics of Y reduced per work-group in the same launch.
 *
 * Layouts (row-major): X [cfg][M][K] (x_cstride elements between
 * configurations; 0 when every configuration reads the same input),
 * W [cfg][N][K] (torch's [out, in]), b [N] (shared), Y [cfg][M][N].
 * Both operands are K-contiguous. Two variants of the main loop:
 *  - tiled (GPUs): tiles of X and W staged in local memory transposed
 *    ([k][row]); every work-item accumulates an RM x RN register block
 *    whose rows and columns are strided by TY and TX, so the work-items of
 *    a row read consecutive local addresses (no bank conflicts);
 *  - vector (-DDEPTH_VECTOR=1, CPU devices): see below.
 * The work-group size TX * TY must be a power of two (the reductions).
 *
 * Build options: -DTX= -DTY= (work-group shape), -DRM= -DRN= (outputs per
 * work-item), -DTK= (k per tile), -DDEPTH_EXACT=1 when M, N and K are
 * multiples of the tile sizes (no bounds checks), -DDEPTH_VECTOR=1
 * -DVW=8|16 for the vector variant.
 */
#ifndef TX
#define TX 16
#endif
#ifndef TY
#define TY 16
#endif
#ifndef RM
#define RM 4
#endif
#ifndef RN
#define RN 4
#endif
#ifndef TK
#define TK 16
#endif
#ifndef DEPTH_EXACT
#define DEPTH_EXACT 0
#endif
#ifndef DEPTH_VECTOR
#define DEPTH_VECTOR 0
#endif
#ifndef VW
#define VW 16
#endif

#if DEPTH_VECTOR
/* CPU devices: no local memory and no barrier in the k loop, so the
 * accumulators stay in registers (pocl keeps values that live across a
 * barrier in per-work-item memory); explicit VW-wide vectors along k,
 * which both operands have contiguous; the caches do the tiling. Each
 * work-item owns RM consecutive rows and RN consecutive columns. */
#define ROW(i) (ty * RM + (i))
#define COL(j) (tx * RN + (j))
#if VW == 16
#define VEC float16
#define VLOAD vload16
static float hsum(float16 v)
{
    float8 h = v.lo + v.hi;
    float4 q = h.lo + h.hi;
    float2 d = q.lo + q.hi;
    return d.x + d.y;
}
#else
#define VEC float8
#define VLOAD vload8
static float hsum(float8 v)
{
    float4 q = v.lo + v.hi;
    float2 d = q.lo + q.hi;
    return d.x + d.y;
}
#endif
#else
/* rows and columns strided by TY and TX (see the top) */
#define ROW(i) (ty + (i)*TY)
#define COL(j) (tx + (j)*TX)
#endif

#define TM (TY * RM) /* rows of X (batch) per work-group */
#define TN (TX * RN) /* rows of W (outputs) per work-group */
#define WG (TX * TY)
#define LDA (TM + 1) /* +1: the transposed stores hit distinct banks */
#define LDB (TN + 1)
/* the tiles, reused for the reductions (3 floats per work-item) */
#if DEPTH_VECTOR
#define LMEM (3 * WG)
#else
#define LMEM_TILES (TK * (LDA + LDB))
#define LMEM (LMEM_TILES > 3 * WG ? LMEM_TILES : 3 * WG)
#endif

#define ACT_SIGMOID 0
#define ACT_TANH 1
#define ACT_RELU 2

static float act_apply(float z, int act)
{
    if (act == ACT_SIGMOID)
        return 1.0f / (1.0f + exp(-z));
    if (act == ACT_TANH)
        return tanh(z);
    return z < 0.0f ? 0.0f : z; /* keeps NaN visible, unlike fmax */
}

/* Chan et al.'s pairwise update of (count, mean, M2). */
static void chan_merge(float *n, float *m, float *m2, float nb, float mb,
                       float m2b)
{
    float nt = *n + nb;
    if (nb > 0.0f) {
        float d = mb - *m;
        *m += d * (nb / nt);
        *m2 += m2b + d * d * (*n * nb / nt);
        *n = nt;
    }
}

/* get_group_id(2) is the configuration: activation = cfg / n_init.
 * stats + stats_off receives 4 floats per (cfg, group) of the group's
 * outputs y: count, mean / 2^e, M2 / 2^2e (M2: sum of squared deviations)
 * and e, the exponent of max |y| (0 when all y are 0). When some y is
 * inf or NaN, the 4th float is that inf or NaN instead. */
__kernel __attribute__((reqd_work_group_size(TX, TY, 1))) void
depth_layer(__global const float *X, ulong x_cstride, __global const float *W,
            __global const float *bias, __global float *Y,
            __global float *stats, ulong stats_off, int M, int N, int K,
            int n_init)
{
    __local float lmem[LMEM];
    const int tx = get_local_id(0), ty = get_local_id(1);
    const int lid = ty * TX + tx;
    const int cfg = get_group_id(2);
    const int act = cfg / n_init;
    const int n0 = get_group_id(0) * TN, m0 = get_group_id(1) * TM;
    __global const float *Xc = X + (size_t)cfg * x_cstride;
    __global const float *Wc = W + (size_t)cfg * N * K;
    __global float *Yc = Y + (size_t)cfg * M * N;
    float acc[RM][RN];

#if DEPTH_VECTOR
    /* rows m0 + ROW(i), columns n0 + COL(j); out-of-range ones read the
     * last row / column and are not stored */
    {
        VEC vacc[RM][RN];
        __global const float *xr[RM], *wr[RN];
        int k = 0;
        for (int i = 0; i < RM; i++) {
            int m = min(m0 + ROW(i), M - 1);
            xr[i] = Xc + (size_t)m * K;
        }
        for (int j = 0; j < RN; j++) {
            int n = min(n0 + COL(j), N - 1);
            wr[j] = Wc + (size_t)n * K;
        }
        for (int i = 0; i < RM; i++)
            for (int j = 0; j < RN; j++)
                vacc[i][j] = (VEC)(0.0f);
        for (; k + VW <= K; k += VW) {
            VEC a[RM], b[RN];
            for (int i = 0; i < RM; i++)
                a[i] = VLOAD(0, xr[i] + k);
            for (int j = 0; j < RN; j++)
                b[j] = VLOAD(0, wr[j] + k);
            for (int i = 0; i < RM; i++)
                for (int j = 0; j < RN; j++)
                    vacc[i][j] = fma(a[i], b[j], vacc[i][j]);
        }
        for (int i = 0; i < RM; i++)
            for (int j = 0; j < RN; j++) {
                float t = hsum(vacc[i][j]);
                for (int kk = k; kk < K; kk++)
                    t = fma(xr[i][kk], wr[j][kk], t);
                acc[i][j] = t;
            }
    }
#else
    {
        __local float *As = lmem;            /* [TK][LDA] */
        __local float *Bs = lmem + TK * LDA; /* [TK][LDB] */
        for (int i = 0; i < RM; i++)
            for (int j = 0; j < RN; j++)
                acc[i][j] = 0.0f;
        for (int k0 = 0; k0 < K; k0 += TK) {
            /* consecutive work-items load consecutive k of one row */
            for (int e = lid; e < TM * TK; e += WG) {
                int r = e / TK, k = e % TK;
#if DEPTH_EXACT
                As[k * LDA + r] = Xc[(size_t)(m0 + r) * K + k0 + k];
#else
                As[k * LDA + r] = (m0 + r < M && k0 + k < K)
                                      ? Xc[(size_t)(m0 + r) * K + k0 + k]
                                      : 0.0f;
#endif
            }
            for (int e = lid; e < TN * TK; e += WG) {
                int r = e / TK, k = e % TK;
#if DEPTH_EXACT
                Bs[k * LDB + r] = Wc[(size_t)(n0 + r) * K + k0 + k];
#else
                Bs[k * LDB + r] = (n0 + r < N && k0 + k < K)
                                      ? Wc[(size_t)(n0 + r) * K + k0 + k]
                                      : 0.0f;
#endif
            }
            barrier(CLK_LOCAL_MEM_FENCE);
            for (int k = 0; k < TK; k++) {
                float a[RM], b[RN];
                for (int i = 0; i < RM; i++)
                    a[i] = As[k * LDA + ROW(i)];
                for (int j = 0; j < RN; j++)
                    b[j] = Bs[k * LDB + COL(j)];
                for (int i = 0; i < RM; i++)
                    for (int j = 0; j < RN; j++)
                        acc[i][j] = fma(a[i], b[j], acc[i][j]);
            }
            barrier(CLK_LOCAL_MEM_FENCE);
        }
    }
#endif

    /* activation, store, and this work-item's count and max |y| */
    float cnt = 0.0f, mx = 0.0f;
    for (int i = 0; i < RM; i++) {
        int m = m0 + ROW(i);
        for (int j = 0; j < RN; j++) {
            int n = n0 + COL(j);
            float y = act_apply(acc[i][j] + bias[n < N ? n : 0], act);
            acc[i][j] = y;
#if !DEPTH_EXACT
            if (m < M && n < N)
#endif
            {
                Yc[(size_t)m * N + n] = y;
                cnt += 1.0f;
                /* NaN must win: fmax would drop it */
                mx = (isnan(y) || isnan(mx)) ? NAN : fmax(mx, fabs(y));
            }
        }
    }

    /* group max |y| (the lmem tiles are free after the last barrier) */
    __local float *red = lmem;
    red[lid] = mx;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = WG / 2; s > 0; s >>= 1) {
        if (lid < s) {
            float o = red[lid + s];
            red[lid] = (isnan(o) || isnan(red[lid])) ? NAN : fmax(red[lid], o);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float gmx = red[0];
    barrier(CLK_LOCAL_MEM_FENCE);

    /* mean and M2 of this work-item's outputs divided by 2^e, e the
     * exponent of the group's max |y| (exact; the squares stay finite
     * from FLT_MAX down to denormals), then merged */
    const int scaled = isfinite(gmx) && gmx > 0.0f;
    const int ex = scaled ? ilogb(gmx) : 0;
    float mean = 0.0f, m2 = 0.0f;
    if (cnt > 0.0f) {
        float sum = 0.0f;
        for (int i = 0; i < RM; i++)
            for (int j = 0; j < RN; j++) {
#if !DEPTH_EXACT
                if (m0 + ROW(i) < M && n0 + COL(j) < N)
#endif
                    sum += ldexp(acc[i][j], -ex);
            }
        mean = sum / cnt;
        for (int i = 0; i < RM; i++)
            for (int j = 0; j < RN; j++) {
#if !DEPTH_EXACT
                if (m0 + ROW(i) < M && n0 + COL(j) < N)
#endif
                {
                    float d = ldexp(acc[i][j], -ex) - mean;
                    m2 += d * d;
                }
            }
    }
    __local float *rn = lmem, *rm = lmem + WG, *rq = lmem + 2 * WG;
    rn[lid] = cnt;
    rm[lid] = mean;
    rq[lid] = m2;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = WG / 2; s > 0; s >>= 1) {
        if (lid < s) {
            float n = rn[lid], mm = rm[lid], q = rq[lid];
            chan_merge(&n, &mm, &q, rn[lid + s], rm[lid + s], rq[lid + s]);
            rn[lid] = n;
            rm[lid] = mm;
            rq[lid] = q;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) {
        size_t g = ((size_t)cfg * get_num_groups(1) + get_group_id(1)) *
                       get_num_groups(0) +
                   get_group_id(0);
        stats += stats_off;
        stats[4 * g + 0] = rn[0];
        stats[4 * g + 1] = rm[0];
        stats[4 * g + 2] = rq[0];
        stats[4 * g + 3] = scaled ? (float)ex : gmx; /* 0, inf or NaN */
    }
}
