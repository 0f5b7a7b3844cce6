/* test_sparse.c - sparse_'s zero pattern bit for bit against a plain
 * reference written from docs/STREAM.md (mix32 rounds, the round keys from
 * Philox domain 1, cycle walking, one element at a time): the kernels'
 * evaluation (kernels/clinit_stream.h: mix32's outer xorshifts folded, the
 * halves kept xor u, 2 or 4 vectors interleaved) on every half width h,
 * and whole fills on every CPU variant, every dtype, narrow and wide
 * shapes, shapes that walk and shapes that do not, sub-ranges, and the
 * OpenCL device. Deterministic (fixed seeds). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinit_stream.h"
#include "common.h"

TestSuite(sparse);

/* splitmix64: test inputs only */
static uint64_t mix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* ---- the reference: docs/STREAM.md's text, one element at a time ------- */

static uint32_t ref_mix32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x85ebca6bu;
    x ^= x >> 13;
    x *= 0xc2b2ae35u;
    x ^= x >> 16;
    return x;
}

/* six rounds on 2h bits, round j: mix32(R ^ mix32(c) ^ (K[j mod 4] +
 * j 0x9E3779B9)) & (2^h - 1) */
static uint32_t ref_feistel(uint32_t v, uint32_t c, unsigned h,
                            const uint32_t K[4])
{
    uint32_t mask = (uint32_t)((UINT64_C(1) << h) - 1), L = v >> h,
             R = v & mask;
    for (uint32_t j = 0; j < 6; j++) {
        uint32_t f =
            ref_mix32(R ^ ref_mix32(c) ^ (K[j % 4] + j * 0x9E3779B9u)) & mask;
        uint32_t t = L ^ f;
        L = R;
        R = t;
    }
    return (L << h) | R;
}

/* pi_c(r), r < n: cycle walking */
static uint32_t ref_perm(uint32_t r, uint32_t c, uint32_t n, unsigned h,
                         const uint32_t K[4])
{
    uint32_t x = ref_feistel(r, c, h, K);
    while (x >= n)
        x = ref_feistel(x, c, h, K);
    return x;
}

/* the least h >= 1 with 4^h >= rows */
static unsigned ref_half(uint64_t rows)
{
    unsigned h = 1;
    while ((UINT64_C(1) << (2 * h)) < rows)
        h++;
    return h;
}

/* the words of Philox counter (0, 1 << 24, stream lo, stream hi) under
 * the seed: the permutation keys */
static void ref_keys(uint64_t seed, uint64_t stream, uint32_t K[4])
{
    K[0] = 0;
    K[1] = 1u << 24;
    K[2] = (uint32_t)stream;
    K[3] = (uint32_t)(stream >> 32);
    clinit_philox4x32_10(K, (uint32_t)seed, (uint32_t)(seed >> 32));
}

/* ---- the kernels' evaluation of pi_c --------------------------------------
 */

/* pi_c(r) of nv = 2 or 4 (row, column) pairs through the kernels' code */
static void kernel_perm(int nv, uint32_t *x, const uint32_t *c, uint32_t n,
                        unsigned h, const uint32_t K[4])
{
    uint32_t ks[6];
    clinit_feistel_keys(K[0], K[1], K[2], K[3], ks);
    if (nv == 4)
        clinit_sparse_perm4(x, c, n, h, ks);
    else
        clinit_sparse_perm2(x, c, n, h, ks);
}

/* for h: every row r < n of n = 4^h (no walk), 4^(h-1) + 1 (the longest
 * walks) and one n in between; all rows for h <= 6, else 3000 of each */
static void check_half(unsigned h, uint64_t *s)
{
    uint64_t full = UINT64_C(1) << (2 * h), lo = (full >> 2) + 1;
    uint64_t ns[3] = {full, lo, lo + mix(s) % (full - lo + 1)};
    uint32_t K[4];
    size_t bad = 0, checked = 0;
    for (int k = 0; k < 4; k++)
        K[k] = (uint32_t)mix(s);
    if (h == 1) /* 4^0 + 1 = 2 */
        ns[1] = 2;
    for (int ni = 0; ni < 3; ni++) {
        uint32_t n = (uint32_t)(ns[ni] > UINT32_MAX ? UINT32_MAX : ns[ni]);
        uint64_t count = h <= 6 ? n : 3000;
        for (uint64_t i = 0; i < count; i += 4) {
            uint32_t r[4], c[4], x[4], nv = i % 8 == 0 ? 4 : 2;
            for (uint32_t l = 0; l < 4; l++) {
                uint64_t row = h <= 6 ? (i + l) % n : mix(s) % n;
                r[l] = x[l] = (uint32_t)row;
                /* columns: small, large, and equal in two lanes */
                c[l] = l == 3 ? c[0] : (uint32_t)(l == 1 ? mix(s) : i + l);
            }
            kernel_perm((int)nv, x, c, n, h, K);
            for (uint32_t l = 0; l < nv; l++, checked++)
                bad += x[l] != ref_perm(r[l], c[l], n, h, K);
        }
    }
    cr_expect_eq(bad, 0, "h %u: %zu of %zu rows permuted differently", h, bad,
                 checked);
}

Test(sparse, kernel_permutation_matches_reference)
{
    uint64_t s = 42;
    for (unsigned h = 1; h <= 16; h++)
        check_half(h, &s);
}

Test(sparse, rows_past_the_end_terminate)
{
    /* a lane past the tensor's end (row >= n) starts from row 0: it ends
     * in [0, n) whatever n, even where the Feistel cycle of the row itself
     * never enters [0, n) */
    uint64_t s = 7;
    uint32_t K[4] = {1, 2, 3, 4};
    for (unsigned h = 1; h <= 8; h++) {
        uint32_t n = (uint32_t)((UINT64_C(1) << (2 * (h - 1))) + 1);
        for (int i = 0; i < 64; i++) {
            uint32_t c[4], x[4], want[4];
            for (int l = 0; l < 4; l++) {
                c[l] = (uint32_t)mix(&s);
                x[l] = n + (uint32_t)(mix(&s) % 64);
                want[l] = ref_perm(0, c[l], n, h, K);
            }
            kernel_perm(4, x, c, n, h, K);
            for (int l = 0; l < 4; l++)
                cr_expect_eq(x[l], want[l], "h %u n %u: lane %d", h, n, l);
        }
    }
}

/* ---- whole fills ------------------------------------------------------ */

static const clinit_dtype dtypes[] = {CLINIT_F32, CLINIT_F16,    CLINIT_BF16,
                                      CLINIT_F64, CLINIT_F8E4M3, CLINIT_F8E5M2};
#define NDT (sizeof dtypes / sizeof dtypes[0])

static uint64_t bits_at(const unsigned char *v, size_t es, size_t k)
{
    uint64_t b = 0;
    memcpy(&b, v + k * es, es); /* little-endian */
    return b;
}

/* The sparse_ fill [lo, hi) of [rows, cols] in dt on ctx (NULL: host):
 * every element the reference zeroes is +0, every other one has the bits
 * of normal_(0, std) at the same index. Returns the mismatches. */
static size_t check_fill(clinit_ctx *ctx, int64_t rows, int64_t cols,
                         double sparsity, clinit_dtype dt, uint64_t lo,
                         uint64_t hi, uint64_t seed, uint64_t stream)
{
    const int64_t shape[2] = {rows, cols};
    clinit_tensor t = test_tensor(2, shape, seed, stream);
    clinit_init in = test_init(CLINIT_SPARSE), nin = test_init(CLINIT_NORMAL);
    size_t n = (size_t)(hi - lo), es = clinit_dtype_size(dt), bad = 0;
    unsigned char *v = malloc(n * es), *z = malloc(n * es);
    uint32_t K[4], nz = (uint32_t)ceil(sparsity * (double)rows);
    unsigned h = ref_half((uint64_t)rows);
    cr_assert(v && z);
    t.dtype = dt;
    in.sparsity = sparsity;
    in.std = nin.std = 0.05;
    ref_keys(seed, stream, K);
    if (ctx) {
        cl_mem b = test_buffer(ctx, n * es, 0xa5);
        cr_assert_eq(
            clinit_enqueue_fill(ctx, &t, &in, lo, hi, b, 0, 0, NULL, NULL),
            CLINIT_OK);
        test_read(ctx, b, 0, n * es, v);
        clReleaseMemObject(b);
    } else {
        cr_assert_eq(clinit_fill_host(NULL, &t, &in, lo, hi, v), CLINIT_OK);
    }
    cr_assert_eq(clinit_fill_host(NULL, &t, &nin, lo, hi, z), CLINIT_OK);
    for (size_t k = 0; k < n; k++) {
        uint64_t i = lo + k;
        uint32_t r = (uint32_t)(i / (uint64_t)cols),
                 c = (uint32_t)(i % (uint64_t)cols);
        int zero = ref_perm(r, c, (uint32_t)rows, h, K) < nz;
        bad += bits_at(v, es, k) != (zero ? 0 : bits_at(z, es, k));
    }
    free(v);
    free(z);
    return bad;
}

/* [rows, cols], sparsity: wide and narrow (a vector of lanes spanning
 * many rows), 4^h rows (no walk) and just above (long walks) */
static const struct {
    int64_t rows, cols;
    double sparsity;
} shapes[] = {
    {256, 256, 0.5}, {257, 64, 0.3},  {33, 19, 0.3}, {300, 7, 0.9},
    {1000, 3, 0.25}, {40, 1, 0.5},    {1, 40, 1.0},  {4097, 5, 0.1},
    {129, 130, 0.7}, {70000, 2, 0.7}, {17, 16, 0.5}, {65, 15, 0.2},
    {2, 33, 0.5},    {1025, 8, 0.0},  {5, 17, 0.99},
};
#define NSHAPES (sizeof shapes / sizeof shapes[0])

/* a sub-range of [0, numel) that starts and ends inside blocks */
static void sub_range(uint64_t numel, uint64_t *s, uint64_t *lo, uint64_t *hi)
{
    *lo = mix(s) % numel;
    *hi = *lo + 1 + mix(s) % (numel - *lo);
}

Test(sparse, fills_match_reference_every_cpu_variant)
{
    int best = clinit_cpu_isa();
    uint64_t s = 99;
    for (int isa = CLINIT_ISA_GENERIC; isa <= best; isa++) {
        clinit_cpu_force_isa(isa);
        for (size_t i = 0; i < NSHAPES; i++)
            for (size_t d = 0; d < NDT; d++) {
                uint64_t numel = (uint64_t)(shapes[i].rows * shapes[i].cols);
                uint64_t lo, hi;
                sub_range(numel, &s, &lo, &hi);
                cr_expect_eq(check_fill(NULL, shapes[i].rows, shapes[i].cols,
                                        shapes[i].sparsity, dtypes[d], 0, numel,
                                        1000 + i, d),
                             0, "isa %d [%lld, %lld] %s: elements differ", isa,
                             (long long)shapes[i].rows,
                             (long long)shapes[i].cols,
                             clinit_dtype_name(dtypes[d]));
                cr_expect_eq(check_fill(NULL, shapes[i].rows, shapes[i].cols,
                                        shapes[i].sparsity, dtypes[d], lo, hi,
                                        1000 + i, d),
                             0, "isa %d [%lld, %lld] %s [%llu, %llu)", isa,
                             (long long)shapes[i].rows,
                             (long long)shapes[i].cols,
                             clinit_dtype_name(dtypes[d]),
                             (unsigned long long)lo, (unsigned long long)hi);
            }
    }
    clinit_cpu_force_isa(-1);
}

Test(sparse, device_fills_match_reference)
{
    clinit_ctx *ctx = test_opencl_ctx();
    uint64_t s = 5;
    for (size_t i = 0; i < NSHAPES; i++) {
        uint64_t numel = (uint64_t)(shapes[i].rows * shapes[i].cols), lo, hi;
        sub_range(numel, &s, &lo, &hi);
        cr_expect_eq(check_fill(ctx, shapes[i].rows, shapes[i].cols,
                                shapes[i].sparsity, CLINIT_F32, lo, hi, 7 + i,
                                3),
                     0, "opencl [%lld, %lld] [%llu, %llu): elements differ",
                     (long long)shapes[i].rows, (long long)shapes[i].cols,
                     (unsigned long long)lo, (unsigned long long)hi);
    }
    clinit_ctx_destroy(ctx);
}
