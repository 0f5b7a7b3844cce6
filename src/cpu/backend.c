/* backend.c - the CPU backend: the block pipeline of kernels/ in explicit
 * vectors (kernels.c), threads over contiguous ranges of blocks. The thread count
 * and the split never change a value: each block is a pure function of
 * its index. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clinit_internal.h"

#if CLINIT_X86_VARIANTS
#include <cpuid.h>
#endif

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
/* runs32 / runs64: a thread's share of a box's runs in one call. */
typedef void (*runs_fn)(const uint64_t *, clinit_dtype, const clinit_runs *,
                        uint64_t, uint64_t, void *);
#define CLINIT_DECLARE_VARIANT_(isa)                                           \
    void clinit_cpu_run32_##isa(const uint64_t *, clinit_dtype, uint64_t,      \
                                uint64_t, void *);                             \
    void clinit_cpu_run64_##isa(const uint64_t *, clinit_dtype, uint64_t,      \
                                uint64_t, void *);                             \
    void clinit_cpu_runs32_##isa(const uint64_t *, clinit_dtype,               \
                                 const clinit_runs *, uint64_t, uint64_t,      \
                                 void *);                                      \
    void clinit_cpu_runs64_##isa(const uint64_t *, clinit_dtype,               \
                                 const clinit_runs *, uint64_t, uint64_t,      \
                                 void *);
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

#if CLINIT_X86_VARIANTS
/* Bits of CPUID leaf 1 ECX, leaf 7 EBX and leaf 0x80000001 ECX, and of XCR0:
 * read directly, since compilers differ in which names
 * __builtin_cpu_supports knows (clang 14 has no "lzcnt", "movbe", "f16c"). */
#define CPUID1_FMA (1u << 12)
#define CPUID1_MOVBE (1u << 22)
#define CPUID1_OSXSAVE (1u << 27)
#define CPUID1_AVX (1u << 28)
#define CPUID1_F16C (1u << 29)
#define CPUID7_BMI1 (1u << 3)
#define CPUID7_AVX2 (1u << 5)
#define CPUID7_BMI2 (1u << 8)
/* AVX-512 F, DQ, CD, BW, VL */
#define CPUID7_AVX512                                                          \
    ((1u << 16) | (1u << 17) | (1u << 28) | (1u << 30) | (1u << 31))
#define CPUIDX_LZCNT (1u << 5)
#define XCR0_YMM 0x06u  /* SSE and AVX state */
#define XCR0_ZMM 0xe0u  /* opmask, ZMM0-15 upper halves, ZMM16-31 */

static unsigned xcr0(void)
{
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    return lo;
}

/* haswell = AVX2, FMA, BMI1/2, LZCNT, MOVBE, F16C (the -march of the avx2
 * variant, CMakeLists.txt); skylake-avx512 adds AVX-512 F/CD/BW/DQ/VL. A VM
 * may mask any of them, and the OS must save the registers (XCR0). */
static int x86_isa(void)
{
    unsigned a, b, c1, d, b7, cx;
    if (!__get_cpuid(1, &a, &b, &c1, &d))
        return CLINIT_ISA_GENERIC;
    unsigned need1 = CPUID1_FMA | CPUID1_MOVBE | CPUID1_OSXSAVE | CPUID1_AVX |
                     CPUID1_F16C;
    if ((c1 & need1) != need1 || (xcr0() & XCR0_YMM) != XCR0_YMM)
        return CLINIT_ISA_GENERIC;
    if (!__get_cpuid_count(7, 0, &a, &b7, &c1, &d) ||
        !__get_cpuid(0x80000001u, &a, &b, &cx, &d))
        return CLINIT_ISA_GENERIC;
    unsigned need7 = CPUID7_BMI1 | CPUID7_AVX2 | CPUID7_BMI2;
    if ((b7 & need7) != need7 || !(cx & CPUIDX_LZCNT))
        return CLINIT_ISA_GENERIC;
    if ((b7 & CPUID7_AVX512) == CPUID7_AVX512 &&
        (xcr0() & XCR0_ZMM) == XCR0_ZMM)
        return CLINIT_ISA_AVX512;
    return CLINIT_ISA_AVX2;
}
#endif

#if CLINIT_X86_VARIANTS
/* CPUID traps to the hypervisor in a VM: read it once per process. */
static int detected_isa;
static pthread_once_t detect_once = PTHREAD_ONCE_INIT;
static void detect_isa(void)
{
    detected_isa = x86_isa();
}
#endif

int clinit_cpu_isa(void)
{
    if (forced_isa >= 0)
        return forced_isa;
#if CLINIT_X86_VARIANTS
    pthread_once(&detect_once, detect_isa);
    return detected_isa;
#else
    return CLINIT_ISA_GENERIC;
#endif
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

static runs_fn pick_runs_variant(clinit_dtype dt)
{
    int f64 = dt == CLINIT_F64;
#if CLINIT_X86_VARIANTS
    switch (clinit_cpu_isa()) {
    case CLINIT_ISA_AVX512:
        return f64 ? clinit_cpu_runs64_avx512 : clinit_cpu_runs32_avx512;
    case CLINIT_ISA_AVX2:
        return f64 ? clinit_cpu_runs64_avx2 : clinit_cpu_runs32_avx2;
    default:
        break;
    }
#endif
    return f64 ? clinit_cpu_runs64_generic : clinit_cpu_runs32_generic;
}

typedef struct work {
    const clinit_plan *plan;
    const uint64_t *desc; /* the plan's descriptor (kernels/clinit_abi.h) */
    uint64_t lo, hi; /* element sub-range of plan->lo..hi */
    void *dst;       /* element plan->lo */
    const clinit_runs *runs; /* set: runs [lo, hi), run lo at dst */
    /* the ISA variant, picked once per fill: CPUID traps to the
     * hypervisor in a VM (tens of microseconds), too slow per run */
    run_fn fn;
    runs_fn rfn; /* runs set: the variant for a share of runs */
} work;

/* Fills elements [lo, hi) of the plan's tensor into dst (element lo). */
static void fill_range(const clinit_plan *p, run_fn fn, const uint64_t *desc,
                       uint64_t lo, uint64_t hi, unsigned char *dst)
{
    size_t es = clinit_dtype_size(p->dtype);
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
    fn(desc, p->dtype, lo, hi, dst);
}

/* Fills elements [lo, hi) of the plan, or runs [lo, hi) of a box. */
static void fill_part(const work *wk)
{
    const clinit_plan *p = wk->plan;
    size_t es = clinit_dtype_size(p->dtype);
    unsigned char *dst = wk->dst;
    if (!wk->runs) {
        if (wk->lo < wk->hi)
            fill_range(p, wk->fn, wk->desc, wk->lo, wk->hi,
                       dst + (wk->lo - p->lo) * es);
        return;
    }
    if (p->dist != CLINIT_DIST_CONSTANT) { /* one call for the share */
        wk->rfn(wk->desc, p->dtype, wk->runs, wk->lo, wk->hi, dst);
        return;
    }
    clinit_runs_it it;
    clinit_runs_at(wk->runs, wk->lo, &it);
    for (uint64_t j = wk->lo; j < wk->hi; j++) {
        fill_range(p, wk->fn, wk->desc, it.lo, it.lo + wk->runs->len, dst);
        dst += wk->runs->len * es;
        clinit_runs_next(wk->runs, &it);
    }
}

static void *worker(void *arg)
{
    fill_part((const work *)arg);
    return NULL;
}

/* wk[0..t) on t threads (this one included). */
static void run_works(work *wk, unsigned t)
{
    int started[64];
    pthread_t tid[64];
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
}

clinit_status clinit_cpu_fill(const clinit_plan *plan, unsigned threads,
                              void *dst)
{
    uint64_t n = plan->hi - plan->lo;
    uint64_t nblocks, per, be;
    unsigned t;
    work wk[64];
    uint64_t desc[CLINIT_DESC_WORDS];
    run_fn fn;

    if (n == 0)
        return CLINIT_OK;
    clinit_plan_desc(plan, 0, 0, desc);
    fn = pick_variant(plan->dtype);
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
        wk[i].runs = NULL;
        wk[i].fn = fn;
        wk[i].rfn = NULL;
    }
    run_works(wk, t);
    return CLINIT_OK;
}

clinit_status clinit_cpu_fill_runs(const clinit_plan *plan,
                                   const clinit_runs *runs, uint64_t r0,
                                   uint64_t r1, unsigned threads, void *dst)
{
    uint64_t be = CLINIT_BLOCK_ELEMS(plan->dtype), per, work_blocks;
    size_t es = clinit_dtype_size(plan->dtype);
    unsigned t;
    work wk[64];
    uint64_t desc[CLINIT_DESC_WORDS];
    run_fn fn;
    runs_fn rfn;

    if (r1 <= r0)
        return CLINIT_OK;
    clinit_plan_desc(plan, 0, 0, desc);
    fn = pick_variant(plan->dtype);
    rfn = pick_runs_variant(plan->dtype);
    /* blocks computed: a run touches up to len / be + 2 of them */
    work_blocks = (r1 - r0) * (runs->len / be + 2);
    t = threads ? threads : clinit_cpu_count();
    if (t > 64)
        t = 64;
    if ((uint64_t)t > work_blocks / MIN_BLOCKS_PER_THREAD)
        t = (unsigned)(work_blocks / MIN_BLOCKS_PER_THREAD);
    if (t < 1)
        t = 1;
    if ((uint64_t)t > r1 - r0)
        t = (unsigned)(r1 - r0);
    per = (r1 - r0 + t - 1) / t; /* whole runs per thread */
    for (unsigned i = 0; i < t; i++) {
        uint64_t a = r0 + i * per, b = a + per;
        wk[i].plan = plan;
        wk[i].desc = desc;
        wk[i].runs = runs;
        wk[i].fn = fn;
        wk[i].rfn = rfn;
        wk[i].lo = a < r1 ? a : r1;
        wk[i].hi = b < r1 ? b : r1;
        wk[i].dst = (unsigned char *)dst + (wk[i].lo - r0) * runs->len * es;
    }
    run_works(wk, t);
    return CLINIT_OK;
}
