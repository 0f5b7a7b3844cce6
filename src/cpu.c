/* cpu.c - the CPU path: the same kernels/ math as the OpenCL kernels,
 * lane by lane, threads over contiguous ranges of blocks. The thread count
 * and the split never change a value: each block is a pure function of
 * its index. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clinit_internal.h"
#include "clinit_stream.h"

/* Below this many blocks per thread, starting a thread costs more than it
 * saves (64 Ki elements). */
#define MIN_BLOCKS_PER_THREAD 1024u

unsigned clinit_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1u : (unsigned)n;
}

/* The inner loops, one variant per instruction set (cpu_kernels.c). */
typedef void (*blocks32_fn)(const clinit_plan *, uint64_t, uint64_t, float *);
typedef void (*round16_fn)(clinit_dtype, const float *, size_t, uint16_t *);
#define CLINIT_DECLARE_VARIANT_(isa)                                           \
    void clinit_cpu_blocks32_##isa(const clinit_plan *, uint64_t, uint64_t,    \
                                   float *);                                   \
    void clinit_cpu_round16_##isa(clinit_dtype, const float *, size_t,         \
                                  uint16_t *);
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
    if (__builtin_cpu_supports("avx512f") &&
        __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma") &&
        __builtin_cpu_supports("bmi2"))
        return CLINIT_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
        __builtin_cpu_supports("bmi2"))
        return CLINIT_ISA_AVX2;
#endif
    return CLINIT_ISA_GENERIC;
}

typedef struct variant {
    blocks32_fn blocks32;
    round16_fn round16;
} variant;

static variant pick_variant(void)
{
    variant v = {clinit_cpu_blocks32_generic, clinit_cpu_round16_generic};
#if CLINIT_X86_VARIANTS
    switch (clinit_cpu_isa()) {
    case CLINIT_ISA_AVX512:
        v.blocks32 = clinit_cpu_blocks32_avx512;
        v.round16 = clinit_cpu_round16_avx512;
        break;
    case CLINIT_ISA_AVX2:
        v.blocks32 = clinit_cpu_blocks32_avx2;
        v.round16 = clinit_cpu_round16_avx2;
        break;
    default:
        break;
    }
#endif
    return v;
}

/* Blocks computed per inner call: 16 KiB of f32, stays in L1/L2. */
#define CHUNK_BLOCKS 64

typedef struct work {
    const clinit_plan *plan;
    uint64_t lo, hi; /* element sub-range of plan->lo..hi */
    void *dst;       /* element plan->lo */
} work;

/* Fills elements [lo, hi) of the plan into dst (element plan->lo). */
static void fill_part(const work *wk)
{
    const clinit_plan *p = wk->plan;
    size_t es = clinit_dtype_size(p->dtype);
    unsigned char *dst = (unsigned char *)wk->dst;
    uint64_t lo = wk->lo, hi = wk->hi;
    variant var;
    float tmp[CHUNK_BLOCKS * CLINIT_BLOCK32];

    if (lo >= hi)
        return;
    if (p->dist == CLINIT_DIST_CONSTANT) {
        /* one element, then copies of what is already written, doubling */
        unsigned char *d = dst + (lo - p->lo) * es;
        size_t total = (size_t)(hi - lo) * es, done = es;
        memcpy(d, p->bits, es);
        while (done < total) {
            size_t n = done < total - done ? done : total - done;
            if (n > ((size_t)1 << 20))
                n = (size_t)1 << 20; /* keep the source in cache */
            memcpy(d + done, d, n);
            done += n;
        }
        return;
    }
    if (p->dtype == CLINIT_F64) {
        clinit_cpu_fill64(p, lo, hi, dst + (lo - p->lo) * es);
        return;
    }
    var = pick_variant();
    for (uint64_t B = lo / CLINIT_BLOCK32; B * CLINIT_BLOCK32 < hi;) {
        uint64_t first = B * CLINIT_BLOCK32;
        uint64_t nb = (hi - first + CLINIT_BLOCK32 - 1) / CLINIT_BLOCK32;
        uint64_t a, e;
        if (nb > CHUNK_BLOCKS)
            nb = CHUNK_BLOCKS;
        a = first < lo ? lo : first; /* in range: [a, e) */
        e = first + nb * CLINIT_BLOCK32 > hi ? hi : first + nb * CLINIT_BLOCK32;
        if (p->dtype == CLINIT_F32 && a == first &&
            e == first + nb * CLINIT_BLOCK32) {
            /* whole blocks straight into dst */
            var.blocks32(p, B, nb, (float *)(dst + (first - p->lo) * 4));
        } else {
            var.blocks32(p, B, nb, tmp);
            if (p->dtype == CLINIT_F32)
                memcpy(dst + (a - p->lo) * 4, tmp + (a - first),
                       (size_t)(e - a) * 4);
            else
                var.round16(p->dtype, tmp + (a - first), (size_t)(e - a),
                            (uint16_t *)(dst + (a - p->lo) * 2));
        }
        B += nb;
    }
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

    if (n == 0)
        return CLINIT_OK;
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
