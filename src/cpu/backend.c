/* backend.c - the CPU backend: the block pipeline of kernels/ in explicit
 * vectors (kernels.c), threads over contiguous ranges of blocks. The thread count
 * and the split never change a value: each block is a pure function of
 * its index. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clinit_internal.h"

/* Below this many blocks per thread, starting a thread costs more than it
 * saves (64 Ki elements). */
#define MIN_BLOCKS_PER_THREAD 1024u

unsigned clinit_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1u : (unsigned)n;
}

/* The inner loops, one variant per instruction set and pipeline
 * (kernels.c): run32 for the 32-bit-word dtypes, run64 for f64. */
typedef void (*run_fn)(const uint64_t *, clinit_dtype, uint64_t, uint64_t,
                       void *);
#define CLINIT_DECLARE_VARIANT_(isa)                                           \
    void clinit_cpu_run32_##isa(const uint64_t *, clinit_dtype, uint64_t,      \
                                uint64_t, void *);                             \
    void clinit_cpu_run64_##isa(const uint64_t *, clinit_dtype, uint64_t,      \
                                uint64_t, void *);
CLINIT_DECLARE_VARIANT_(generic)
#if CLINIT_X86_VARIANTS
CLINIT_DECLARE_VARIANT_(avx2)
CLINIT_DECLARE_VARIANT_(avx512)
#endif

static int forced_isa = -1;

void clinit_cpu_force_isa(int isa)
{
    forced_isa = isa;
}

int clinit_cpu_isa(void)
{
    if (forced_isa >= 0)
        return forced_isa;
#if CLINIT_X86_VARIANTS
    __builtin_cpu_init();
    /* every extension the variant's -march enables (CMakeLists.txt):
     * haswell = AVX2, FMA, BMI1/2, LZCNT, MOVBE, F16C; skylake-avx512 adds
     * AVX-512 F/CD/BW/DQ/VL (a VM may mask some of them) */
    int haswell = __builtin_cpu_supports("avx2") &&
                  __builtin_cpu_supports("fma") &&
                  __builtin_cpu_supports("bmi") &&
                  __builtin_cpu_supports("bmi2") &&
                  __builtin_cpu_supports("lzcnt") &&
                  __builtin_cpu_supports("movbe") &&
                  __builtin_cpu_supports("f16c");
    if (haswell && __builtin_cpu_supports("avx512f") &&
        __builtin_cpu_supports("avx512cd") &&
        __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl"))
        return CLINIT_ISA_AVX512;
    if (haswell)
        return CLINIT_ISA_AVX2;
#endif
    return CLINIT_ISA_GENERIC;
}

static run_fn pick_variant(clinit_dtype dt)
{
    int f64 = dt == CLINIT_F64;
#if CLINIT_X86_VARIANTS
    switch (clinit_cpu_isa()) {
    case CLINIT_ISA_AVX512:
        return f64 ? clinit_cpu_run64_avx512 : clinit_cpu_run32_avx512;
    case CLINIT_ISA_AVX2:
        return f64 ? clinit_cpu_run64_avx2 : clinit_cpu_run32_avx2;
    default:
        break;
    }
#endif
    return f64 ? clinit_cpu_run64_generic : clinit_cpu_run32_generic;
}

typedef struct work {
    const clinit_plan *plan;
    const uint64_t *desc; /* the plan's descriptor (kernels/clinit_abi.h) */
    uint64_t lo, hi; /* element sub-range of plan->lo..hi */
    void *dst;       /* element plan->lo */
} work;

/* Fills elements [lo, hi) of the plan into dst (element plan->lo). */
static void fill_part(const work *wk)
{
    const clinit_plan *p = wk->plan;
    size_t es = clinit_dtype_size(p->dtype);
    unsigned char *dst = (unsigned char *)wk->dst + (wk->lo - p->lo) * es;
    uint64_t lo = wk->lo, hi = wk->hi;

    if (lo >= hi)
        return;
    if (p->dist == CLINIT_DIST_CONSTANT) {
        /* one element, then copies of what is already written, doubling */
        size_t total = (size_t)(hi - lo) * es, done = es;
        memcpy(dst, p->bits, es);
        while (done < total) {
            size_t n = done < total - done ? done : total - done;
            if (n > ((size_t)1 << 20))
                n = (size_t)1 << 20; /* keep the source in cache */
            memcpy(dst + done, dst, n);
            done += n;
        }
        return;
    }
    pick_variant(p->dtype)(wk->desc, p->dtype, lo, hi, dst);
}

static void *worker(void *arg)
{
    fill_part((const work *)arg);
    return NULL;
}

clinit_status clinit_cpu_fill(const clinit_plan *plan, unsigned threads,
                              void *dst)
{
    uint64_t n = plan->hi - plan->lo;
    uint64_t nblocks, per, be;
    unsigned t;
    int started[64];
    work wk[64];
    pthread_t tid[64];
    uint64_t desc[CLINIT_DESC_WORDS];

    if (n == 0)
        return CLINIT_OK;
    clinit_plan_desc(plan, 0, 0, desc);
    be = CLINIT_BLOCK_ELEMS(plan->dtype);
    nblocks = (plan->hi - 1) / be - plan->lo / be + 1;
    t = threads ? threads : clinit_cpu_count();
    if (t > 64)
        t = 64;
    if ((uint64_t)t > nblocks / MIN_BLOCKS_PER_THREAD)
        t = (unsigned)(nblocks / MIN_BLOCKS_PER_THREAD);
    if (t < 1)
        t = 1;
    /* whole blocks per thread, so threads never share a block */
    per = (nblocks + t - 1) / t * be;
    for (unsigned i = 0; i < t; i++) {
        uint64_t a = plan->lo - plan->lo % be + i * per;
        uint64_t b = a + per;
        wk[i].plan = plan;
        wk[i].desc = desc;
        wk[i].lo = a < plan->lo ? plan->lo : a;
        wk[i].hi = b > plan->hi ? plan->hi : b;
        if (wk[i].lo > wk[i].hi)
            wk[i].lo = wk[i].hi;
        wk[i].dst = dst;
    }
    for (unsigned i = 1; i < t; i++) {
        /* a worker that cannot start runs here instead: same values */
        started[i] = pthread_create(&tid[i], NULL, worker, &wk[i]) == 0;
        if (!started[i])
            fill_part(&wk[i]);
    }
    fill_part(&wk[0]);
    for (unsigned i = 1; i < t; i++)
        if (started[i])
            pthread_join(tid[i], NULL);
    return CLINIT_OK;
}
