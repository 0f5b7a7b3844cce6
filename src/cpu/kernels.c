/* kernels.c - the CPU backend's inner loops: kernels/clinit_block.h
 * compiled as C with explicit vectors (CLINIT_C_VECTORS lanes, the native
 * width of the instruction set), once per instruction set and pipeline
 * (CMakeLists.txt builds it with CLINIT_ISA = generic / avx2 / avx512, the
 * matching -march, and CLINIT_KERNEL_F64 = 0 for the 32-bit-word dtypes,
 * 1 for f64); backend.c picks the variant at run time. A 16-counter block
 * is computed CLINIT_VLANES lanes at a time; lane l here is lane l of an
 * OpenCL work-item's vectors, so every variant computes the same bits (fma
 * is one rounding whether an instruction or C99's fmaf; contraction is
 * off). This file only schedules blocks and stores them. */
#if !defined(CLINIT_ISA) || !defined(CLINIT_KERNEL_F64)
#error "built by CMakeLists.txt with CLINIT_ISA and CLINIT_KERNEL_F64"
#endif

/* The native vector, in 32-bit lanes or (f64) 64-bit lanes. x86-64
 * without FMA (the generic variant there) computes one lane at a time in
 * kernels/' scalar vocabulary: its fma is a libm call per lane, a call
 * clobbers every vector register, so vectors would only add spills, and
 * scalar selects let the compiler skip the side not taken. */
#if defined(__AVX512F__)
#define CLINIT_NATIVE_BYTES_ 64
#elif defined(__AVX2__)
#define CLINIT_NATIVE_BYTES_ 32
#elif defined(__FMA__) || !defined(__x86_64__)
#define CLINIT_NATIVE_BYTES_ 16
#else
#define CLINIT_NATIVE_BYTES_ 0
#endif
#if CLINIT_NATIVE_BYTES_ == 0
#define CLINIT_C_VECTORS 0 /* scalar C: kernels/' one-lane vocabulary */
#elif CLINIT_KERNEL_F64
#define CLINIT_C_VECTORS (CLINIT_NATIVE_BYTES_ / 8)
#else
#define CLINIT_C_VECTORS (CLINIT_NATIVE_BYTES_ / 4)
#endif
#include "clinit_block.h"
#include "clinit_dtype.h"

#include "clinit_internal.h"

/* v to p (any alignment): one unaligned vector store, where memcpy
 * could become a loop of 16-byte moves */
#if CLINIT_C_VECTORS
#define CLINIT_STORE_(T, p, v)                                                 \
    do {                                                                       \
        typedef T clinit_su_ __attribute__((aligned(1)));                      \
        *(clinit_su_ *)(void *)(p) = (v);                                      \
    } while (0)
#else
#define CLINIT_STORE_(T, p, v) memcpy((p), &(v), sizeof(T))
#endif

/* d: a private copy of the descriptor d0; the stores to dst cannot alias
 * it, so the loops keep the parameters in registers instead of reloading
 * them after every store */
#define CLINIT_LOCAL_DESC_(d, d0)                                              \
    uint64_t d##_copy_[CLINIT_DESC_WORDS];                                     \
    clinit_desc d = d##_copy_;                                                 \
    memcpy(d##_copy_, (d0), sizeof d##_copy_)

#define CLINIT_CAT3_(a, b, c) a##b##_##c
#define CLINIT_CAT_(a, b, c) CLINIT_CAT3_(a, b, c)
#define W CLINIT_VLANES

/* The values of lanes l0 .. of block B to v, from the block's Philox words
 * xw (clinit_desc_words_all: all 16 lanes at once, kernels/clinit_philox.h)
 * for the distributions that draw words; constant and pattern draw none. */
#define CLINIT_CHUNK_WORDS_(bits, name, T)                                     \
    enum { words_##name = 1 };                                                 \
    static inline __attribute__((always_inline)) void chunk_##name(           \
        clinit_desc d, uint64_t B, unsigned l0,                                \
        const uint32_t xw[4][CLINIT_LANES], T *v)                              \
    {                                                                          \
        clinit_vu x[4];                                                        \
        for (int w = 0; w < 4; w++)                                            \
            x[w] = CLINIT_VLOAD_U(0, &xw[w][l0]);                              \
        clinit_words##bits##_##name(d, B, l0, x, v);                           \
    }
#define CLINIT_CHUNK_PLAIN_(bits, name, T)                                     \
    enum { words_##name = 0 };                                                 \
    static inline __attribute__((always_inline)) void chunk_##name(           \
        clinit_desc d, uint64_t B, unsigned l0,                                \
        const uint32_t xw[4][CLINIT_LANES], T *v)                              \
    {                                                                          \
        (void)xw;                                                              \
        clinit_block##bits##_##name(d, B, l0, v);                              \
    }
/* chunk_sel_<name>(d, B, l0, xw, v, w0, w1): chunk_<name> for the 16-slot
 * words [w0, w1) of the block only (kernels/clinit_block.h's
 * clinit_wordsel*), for blocks a box run covers in part; ALL_ computes
 * every word. */
#define CLINIT_CHUNK_SEL_(bits, name, T)                                       \
    CLINIT_CHUNK_WORDS_(bits, name, T)                                         \
    static inline __attribute__((always_inline)) void chunk_sel_##name(       \
        clinit_desc d, uint64_t B, unsigned l0,                                \
        const uint32_t xw[4][CLINIT_LANES], T *v, unsigned w0, unsigned w1)    \
    {                                                                          \
        clinit_vu x[4];                                                        \
        (void)B;                                                               \
        for (int w = 0; w < 4; w++)                                            \
            x[w] = CLINIT_VLOAD_U(0, &xw[w][l0]);                              \
        clinit_wordsel##bits##_##name(d, x, w0, w1, v);                        \
    }
#define CLINIT_CHUNK_ALL_(name, T)                                             \
    static inline __attribute__((always_inline)) void chunk_sel_##name(       \
        clinit_desc d, uint64_t B, unsigned l0,                                \
        const uint32_t xw[4][CLINIT_LANES], T *v, unsigned w0, unsigned w1)    \
    {                                                                          \
        (void)w0;                                                              \
        (void)w1;                                                              \
        chunk_##name(d, B, l0, xw, v);                                         \
    }
#define CLINIT_CHUNKS_(bits, T)                                                \
    CLINIT_CHUNK_SEL_(bits, uniform, T)                                        \
    CLINIT_CHUNK_SEL_(bits, normal, T)                                         \
    CLINIT_CHUNK_SEL_(bits, truncated, T)                                      \
    CLINIT_CHUNK_WORDS_(bits, sparse, T)                                       \
    CLINIT_CHUNK_ALL_(sparse, T)                                               \
    CLINIT_CHUNK_PLAIN_(bits, constant, T)                                     \
    CLINIT_CHUNK_ALL_(constant, T)                                             \
    CLINIT_CHUNK_PLAIN_(bits, pattern, T)                                      \
    CLINIT_CHUNK_ALL_(pattern, T)

/* Block B's slots [a, e) to dst: stored in place when the block is whole
 * (put), else through a block-sized buffer; the block's Philox words
 * first where the distribution draws them. */
#define CLINIT_RUN_BLOCKS_(BLOCK, ES, name, put)                               \
    for (uint64_t B = lo / (BLOCK); B * (BLOCK) < hi; B++) {                   \
        uint64_t first = B * (BLOCK);                                          \
        unsigned a = first < lo ? (unsigned)(lo - first) : 0u;                 \
        unsigned e = hi - first < (BLOCK) ? (unsigned)(hi - first) : (BLOCK);  \
        if (words_##name)                                                      \
            clinit_desc_words_all(d, B, &ks, xw);                              \
        if (a == 0 && e == (BLOCK)) {                                          \
            unsigned char *out = dst + (first - lo) * (ES);                    \
            _Pragma("GCC unroll 2")                                            \
            for (unsigned l0 = 0; l0 < CLINIT_LANES; l0 += W)                  \
                put;                                                           \
        } else {                                                               \
            unsigned char tmp[(BLOCK) * 8], *out = tmp;                        \
            for (unsigned l0 = 0; l0 < CLINIT_LANES; l0 += W)                  \
                put;                                                           \
            memcpy(dst + (first + a - lo) * (ES), tmp + a * (ES),              \
                   (e - a) * (ES));                                            \
        }                                                                      \
    }

/* Box runs [r0, r1) (src/box.c's clinit_runs) to dst densely, run r0 at
 * dst: per run, its whole blocks stored in place as in CLINIT_RUN_BLOCKS_;
 * of a block it covers in part (slots [a, e)) only the 16-slot words
 * [a / 16, ceil(e / 16)) are computed (chunk_sel), stored whole into a
 * block buffer (putb: lane group l0 of v at buf) and [a, e) copied out
 * (one memcpy measured faster than a store per word, docs/SHARDS.md).
 * put: lane group l0 of v to the block's place in dst. */
#define CLINIT_RUN_RUNS_(BLOCK, ES, name, put, putb)                           \
    clinit_runs_it it_;                                                        \
    clinit_runs_at(runs, r0, &it_);                                            \
    for (uint64_t j = r0; j < r1; j++, clinit_runs_next(runs, &it_)) {         \
        uint64_t lo = it_.lo, hi = lo + runs->len;                             \
        unsigned char *dst = dst0 + (j - r0) * runs->len * (ES);               \
        for (uint64_t B = lo / (BLOCK); B * (BLOCK) < hi; B++) {               \
            uint64_t first = B * (BLOCK);                                      \
            unsigned a = first < lo ? (unsigned)(lo - first) : 0u;             \
            unsigned e =                                                       \
                hi - first < (BLOCK) ? (unsigned)(hi - first) : (BLOCK);       \
            unsigned w0 = a / CLINIT_LANES;                                    \
            unsigned w1 = (e + CLINIT_LANES - 1) / CLINIT_LANES;               \
            if (words_##name)                                                  \
                clinit_desc_words_all(d, B, &ks, xw);                          \
            if (a == 0 && e == (BLOCK)) {                                      \
                for (unsigned l0 = 0; l0 < CLINIT_LANES; l0 += W)              \
                    put;                                                       \
                continue;                                                      \
            }                                                                  \
            for (unsigned l0 = 0; l0 < CLINIT_LANES; l0 += W) {                \
                chunk_sel_##name(d, B, l0, xw, v, w0, w1);                     \
                putb;                                                          \
            }                                                                  \
            memcpy(dst + (first + a - lo) * (ES), buf + a * (ES),              \
                   (e - a) * (ES));                                            \
        }                                                                      \
    }

#if !CLINIT_KERNEL_F64
CLINIT_CHUNKS_(32, clinit_vf)

/* narrow lanes: 2-byte and 1-byte patterns (kernels/clinit_dtype.h) */
typedef clinit_vh clinit_vn2;
typedef clinit_vb clinit_vn1;

/* Lanes l0 .. of a block's values v (f32) to the block at out, in dt:
 * f32 as is, the bits dtypes rounded once (kernels/clinit_dtype.h's
 * CLINIT_BITS_DTYPE_LIST, the rounding the OpenCL stores run). */
static inline void put32(clinit_dtype dt, const clinit_vf *v, unsigned l0,
                         unsigned char *out)
{
    switch ((int)dt) { /* once per call: the 4 vectors in each case */
#define CLINIT_PUT_(A, id, name, T, bytes, round, widen, overflow, store)             \
    case id:                                                                   \
        for (int w = 0; w < 4; w++) {                                          \
            clinit_vn##bytes n = round##_narrow(v[w]);                 \
            memcpy(out + ((unsigned)w * CLINIT_LANES + l0) * (bytes), &n,      \
                   sizeof n);                                                  \
        }                                                                      \
        break;
        CLINIT_BITS_DTYPE_LIST(CLINIT_PUT_, _)
#undef CLINIT_PUT_
    default:
        for (int w = 0; w < 4; w++)
            CLINIT_STORE_(clinit_vf, out + ((unsigned)w * CLINIT_LANES + l0) * 4,
                          v[w]);
        break;
    }
}

/* Box runs [r0, r1) of the tensor in d, dtype dt, to dst (run r0 first). */
#define CLINIT_RUNS_(NAME, id, name)                                           \
    static __attribute__((noinline)) void runs_##name(                         \
        clinit_desc d0, clinit_dtype dt, const clinit_runs *runs, uint64_t r0, \
        uint64_t r1, unsigned char *dst0)                                      \
    {                                                                          \
        CLINIT_LOCAL_DESC_(d, d0);                                             \
        size_t es = clinit_dtype_size(dt);                                     \
        /* words chunk_sel skips keep these: stored to buf, never out */     \
        clinit_vf v[4] = {CLINIT_VF(0.0f), CLINIT_VF(0.0f), CLINIT_VF(0.0f),   \
                          CLINIT_VF(0.0f)};                                    \
        uint32_t xw[4][CLINIT_LANES] __attribute__((aligned(64)));             \
        unsigned char buf[CLINIT_BLOCK32 * 4];                                 \
        clinit_philox_keys ks;                                                 \
        if (words_##name)                                                      \
            clinit_desc_keys(d, &ks);                                          \
        CLINIT_RUN_RUNS_(CLINIT_BLOCK32, es, name,                             \
                         (chunk_##name(d, B, l0, xw, v),                       \
                          put32(dt, v, l0, dst + (first - lo) * es)),          \
                         put32(dt, v, l0, buf))                                \
    }

/* Elements [lo, hi) of the tensor in d, dtype dt, to dst (element lo). */
#define CLINIT_RUN_(NAME, id, name)                                            \
    static __attribute__((noinline)) void run_##name(                          \
        clinit_desc d0, clinit_dtype dt, uint64_t lo, uint64_t hi,             \
        unsigned char *dst)                                                    \
    {                                                                          \
        CLINIT_LOCAL_DESC_(d, d0);                                             \
        size_t es = clinit_dtype_size(dt);                                     \
        clinit_vf v[4];                                                        \
        uint32_t xw[4][CLINIT_LANES] __attribute__((aligned(64)));             \
        clinit_philox_keys ks;                                                 \
        if (words_##name)                                                      \
            clinit_desc_keys(d, &ks);                                          \
        CLINIT_RUN_BLOCKS_(CLINIT_BLOCK32, es, name,                           \
                           (chunk_##name(d, B, l0, xw, v),                     \
                            put32(dt, v, l0, out)))                            \
    }

#else
CLINIT_CHUNKS_(64, clinit_vd)

/* Lanes l0 .. of an f64 block's values v to the block at out. */
static inline void put64(const clinit_vd *v, unsigned l0, unsigned char *out)
{
    for (int p = 0; p < 2; p++)
        CLINIT_STORE_(clinit_vd, out + ((unsigned)p * CLINIT_LANES + l0) * 8,
                      v[p]);
}

#define CLINIT_RUNS_(NAME, id, name)                                           \
    static __attribute__((noinline)) void runs_##name(                         \
        clinit_desc d0, clinit_dtype dt, const clinit_runs *runs, uint64_t r0, \
        uint64_t r1, unsigned char *dst0)                                      \
    {                                                                          \
        CLINIT_LOCAL_DESC_(d, d0);                                             \
        clinit_vd v[2] = {CLINIT_VD(0.0), CLINIT_VD(0.0)};                     \
        uint32_t xw[4][CLINIT_LANES] __attribute__((aligned(64)));             \
        unsigned char buf[CLINIT_BLOCK64 * 8];                                 \
        clinit_philox_keys ks;                                                 \
        if (words_##name)                                                      \
            clinit_desc_keys(d, &ks);                                          \
        (void)dt;                                                              \
        CLINIT_RUN_RUNS_(CLINIT_BLOCK64, 8, name,                              \
                         (chunk_##name(d, B, l0, xw, v),                       \
                          put64(v, l0, dst + (first - lo) * 8)),               \
                         put64(v, l0, buf))                                    \
    }

#define CLINIT_RUN_(NAME, id, name)                                            \
    static __attribute__((noinline)) void run_##name(                          \
        clinit_desc d0, clinit_dtype dt, uint64_t lo, uint64_t hi,             \
        unsigned char *dst)                                                    \
    {                                                                          \
        CLINIT_LOCAL_DESC_(d, d0);                                             \
        clinit_vd v[2];                                                        \
        uint32_t xw[4][CLINIT_LANES] __attribute__((aligned(64)));             \
        clinit_philox_keys ks;                                                 \
        if (words_##name)                                                      \
            clinit_desc_keys(d, &ks);                                          \
        (void)dt;                                                              \
        CLINIT_RUN_BLOCKS_(CLINIT_BLOCK64, 8, name,                            \
                           (chunk_##name(d, B, l0, xw, v),                     \
                            put64(v, l0, out)))                                \
    }

#endif /* CLINIT_KERNEL_F64 */

CLINIT_KERNEL_DIST_LIST(CLINIT_RUN_)
CLINIT_KERNEL_DIST_LIST(CLINIT_RUNS_)
#undef CLINIT_RUN_
#undef CLINIT_RUNS_

/* Elements [lo, hi) of the tensor described by d, in dtype dt, to dst
 * (element lo): clinit_cpu_run32_<isa> for f32, f16 and bf16,
 * clinit_cpu_run64_<isa> for f64. */
#if CLINIT_KERNEL_F64
#define CLINIT_RUN_NAME_ CLINIT_CAT_(clinit_cpu_run, 64, CLINIT_ISA)
#else
#define CLINIT_RUN_NAME_ CLINIT_CAT_(clinit_cpu_run, 32, CLINIT_ISA)
#endif
void CLINIT_RUN_NAME_(const uint64_t *d, clinit_dtype dt, uint64_t lo,
                      uint64_t hi, void *dst)
{
    unsigned char *out = (unsigned char *)dst;
#define CLINIT_CASE_(NAME, id, name)                                           \
    case id:                                                                   \
        run_##name(d, dt, lo, hi, out);                                        \
        break;
    switch ((int)d[CLINIT_DW_DIST]) {
        CLINIT_KERNEL_DIST_LIST(CLINIT_CASE_)
    default: /* orthogonal is the host's (src/ortho.c) */
        break;
    }
#undef CLINIT_CASE_
}

/* Box runs [r0, r1) (src/box.c) of the tensor described by d, in dtype
 * dt, densely to dst (run r0 first): clinit_cpu_runs32_<isa> /
 * clinit_cpu_runs64_<isa>, one call per thread's share of the runs. */
#if CLINIT_KERNEL_F64
#define CLINIT_RUNS_NAME_ CLINIT_CAT_(clinit_cpu_runs, 64, CLINIT_ISA)
#else
#define CLINIT_RUNS_NAME_ CLINIT_CAT_(clinit_cpu_runs, 32, CLINIT_ISA)
#endif
void CLINIT_RUNS_NAME_(const uint64_t *d, clinit_dtype dt,
                       const clinit_runs *runs, uint64_t r0, uint64_t r1,
                       void *dst)
{
    unsigned char *out = (unsigned char *)dst;
#define CLINIT_CASE_(NAME, id, name)                                           \
    case id:                                                                   \
        runs_##name(d, dt, runs, r0, r1, out);                                 \
        break;
    switch ((int)d[CLINIT_DW_DIST]) {
        CLINIT_KERNEL_DIST_LIST(CLINIT_CASE_)
    default: /* orthogonal is the host's (src/ortho.c) */
        break;
    }
#undef CLINIT_CASE_
}
