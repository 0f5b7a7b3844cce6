/* ortho.c - orthogonal_ (Saxe et al. 2013), as torch.nn.init.orthogonal_:
 * a [rows, cols] matrix (trailing dims flattened) of normal(0, 1) values,
 * transposed when rows < cols, its thin QR, Q times the signs of R's
 * diagonal, transposed back, times gain.
 *
 * It runs on the host, in double, for both paths: the factorization is
 * O(rows * cols * min(rows, cols)) sequential work, tiny next to the
 * memory traffic of the rest of a model, and one host code means the CPU
 * and every OpenCL device get the same bits (docs/STREAM.md). The normal
 * values are exactly normal_(0, 1)'s f32 stream at the same (seed, stream,
 * index). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clinit_dtype.h"
#include "clinit_internal.h"

/* Householder QR of the m x n column-major a (m >= n), overwritten by the
 * thin Q with a positive-diagonal R convention. */
static clinit_status thin_q(double *a, uint64_t m, uint64_t n)
{
    double *v = malloc((size_t)(m * n) * sizeof *v); /* reflectors */
    double *sign = malloc((size_t)n * sizeof *sign);
    if (!v || !sign) {
        free(v);
        free(sign);
        return CLINIT_ENOMEM;
    }
    for (uint64_t k = 0; k < n; k++) {
        double *ak = a + k * m, *vk = v + k * m, norm = 0, alpha, vnorm = 0;
        for (uint64_t i = k; i < m; i++)
            norm += ak[i] * ak[i];
        norm = sqrt(norm);
        alpha = ak[k] > 0 ? -norm : norm; /* R[k][k] */
        sign[k] = alpha < 0 ? -1.0 : 1.0; /* torch's sign(0) = 0; we use +1 */
        for (uint64_t i = 0; i < m; i++)
            vk[i] = i < k ? 0.0 : ak[i];
        vk[k] -= alpha;
        for (uint64_t i = k; i < m; i++)
            vnorm += vk[i] * vk[i];
        vnorm = sqrt(vnorm);
        if (vnorm > 0)
            for (uint64_t i = k; i < m; i++)
                vk[i] /= vnorm;
        /* A[k:, k:] -= 2 v (v^T A[k:, k:]) */
        for (uint64_t j = k; j < n; j++) {
            double *aj = a + j * m, dot = 0;
            for (uint64_t i = k; i < m; i++)
                dot += vk[i] * aj[i];
            for (uint64_t i = k; i < m; i++)
                aj[i] -= 2 * dot * vk[i];
        }
    }
    /* Q = H0 ... H(n-1) I[:, :n], then column j times sign(R[j][j]) */
    memset(a, 0, (size_t)(m * n) * sizeof *a);
    for (uint64_t j = 0; j < n; j++)
        a[j * m + j] = 1.0;
    for (uint64_t k = n; k-- > 0;) {
        const double *vk = v + k * m;
        for (uint64_t j = 0; j < n; j++) {
            double *qj = a + j * m, dot = 0;
            for (uint64_t i = k; i < m; i++)
                dot += vk[i] * qj[i];
            for (uint64_t i = k; i < m; i++)
                qj[i] -= 2 * dot * vk[i];
        }
    }
    for (uint64_t j = 0; j < n; j++)
        for (uint64_t i = 0; i < m; i++)
            a[j * m + i] *= sign[j];
    free(v);
    free(sign);
    return CLINIT_OK;
}

clinit_status clinit_ortho_fill(const clinit_plan *p, unsigned threads,
                                void *dst)
{
    uint64_t rows = p->q[CLINIT_Q_ORTHO_ROWS], cols = p->q[CLINIT_Q_ORTHO_COLS],
             n = rows * cols;
    uint64_t m = rows > cols ? rows : cols, k = rows > cols ? cols : rows;
    float *z = malloc((size_t)n * sizeof *z);
    double *a = malloc((size_t)n * sizeof *a);
    clinit_plan np;
    clinit_status st;

    if (!z || !a) {
        free(z);
        free(a);
        return CLINIT_ENOMEM;
    }
    /* normal_(0, 1) in f32 over the whole flattened tensor */
    memset(&np, 0, sizeof np);
    np.dist = CLINIT_DIST_NORMAL;
    np.dtype = CLINIT_F32;
    memcpy(np.key, p->key, sizeof np.key);
    np.p[CLINIT_P_NORMAL_MEAN] = 0.0f;
    np.p[CLINIT_P_NORMAL_STD] = 1.0f;
    np.lo = 0;
    np.hi = n;
    np.numel = n;
    if ((st = clinit_cpu_fill(&np, threads, z)) != CLINIT_OK)
        goto done;
    /* column-major m x k: the flattened [rows, cols] if rows >= cols (its
     * columns), else its transpose */
    for (uint64_t r = 0; r < rows; r++)
        for (uint64_t c = 0; c < cols; c++) {
            double x = z[r * cols + c];
            if (rows >= cols)
                a[c * m + r] = x;
            else
                a[r * m + c] = x;
        }
    if ((st = thin_q(a, m, k)) != CLINIT_OK)
        goto done;
    for (uint64_t i = p->lo; i < p->hi; i++) {
        size_t es = clinit_dtype_size(p->dtype);
        uint64_t r = i / cols, c = i % cols;
        double x = (rows >= cols ? a[c * m + r] : a[r * m + c]) * p->d[CLINIT_P_ORTHO_GAIN];
        if (p->dtype == CLINIT_F64) {
            ((double *)dst)[i - p->lo] = x;
        } else { /* rounded once, as the kernels round; little-endian */
            uint32_t h = clinit_dtype_round_bits(p->dtype, (float)x);
            memcpy((unsigned char *)dst + (i - p->lo) * es, &h, es);
        }
    }
done:
    free(z);
    free(a);
    return st;
}
