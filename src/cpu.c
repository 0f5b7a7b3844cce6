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
typedef void (*blocks_fn)(const clinit_plan *, uint64_t, uint64_t, float *);
void clinit_cpu_blocks_f32_generic(const clinit_plan *, uint64_t, uint64_t,
                                   float *);
#if CLINIT_X86_VARIANTS
void clinit_cpu_blocks_f32_avx2(const clinit_plan *, uint64_t, uint64_t,
                                float *);
void clinit_cpu_blocks_f32_avx512(const clinit_plan *, uint64_t, uint64_t,
                                  float *);
#endif

static int forced_isa = -1;

void clinit_cpu_force_isa(int isa) { forced_isa = isa; }

int clinit_cpu_isa(void)
{
    if (forced_isa >= 0)
        return forced_isa;
#if CLINIT_X86_VARIANTS
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2"))
        return CLINIT_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
        __builtin_cpu_supports("bmi2"))
        return CLINIT_ISA_AVX2;
#endif
    return CLINIT_ISA_GENERIC;
}

static blocks_fn pick_blocks_f32(void)
{
#if CLINIT_X86_VARIANTS
    switch (clinit_cpu_isa()) {
    case CLINIT_ISA_AVX512:
        return clinit_cpu_blocks_f32_avx512;
    case CLINIT_ISA_AVX2:
        return clinit_cpu_blocks_f32_avx2;
    default:
        break;
    }
#endif
    return clinit_cpu_blocks_f32_generic;
}

/* Blocks computed per inner call: 16 KiB of f32, stays in L1/L2. */
#define CHUNK_BLOCKS 64

typedef struct work {
    const clinit_plan *plan;
    uint64_t lo, hi; /* element sub-range of plan->lo..hi */
    void *dst;       /* element plan->lo */
} work;

static void fill_part(const work *wk)
{
    const clinit_plan *p = wk->plan;
    float *dst = (float *)wk->dst;
    if (wk->lo >= wk->hi)
        return;
    if (p->dist == CLINIT_DIST_CONSTANT) {
        for (uint64_t i = wk->lo; i < wk->hi; i++)
            dst[i - p->lo] = p->p0;
        return;
    }
    {
        blocks_fn blocks = pick_blocks_f32();
        uint64_t B = wk->lo / CLINIT_BLOCK32, Bend = (wk->hi - 1) / CLINIT_BLOCK32 + 1;
        float tmp[CHUNK_BLOCKS * CLINIT_BLOCK32];
        /* a partial first block */
        if (wk->lo % CLINIT_BLOCK32 || wk->hi < (B + 1) * CLINIT_BLOCK32) {
            uint64_t first = B * CLINIT_BLOCK32;
            uint64_t j1 = wk->hi < first + CLINIT_BLOCK32 ? wk->hi - first
                                                          : CLINIT_BLOCK32;
            blocks(p, B, 1, tmp);
            memcpy(dst + (wk->lo - p->lo), tmp + (wk->lo - first),
                   (size_t)(j1 - (wk->lo - first)) * 4);
            B++;
        }
        /* whole blocks straight into dst */
        while (B < Bend && (B + 1) * CLINIT_BLOCK32 <= wk->hi) {
            uint64_t n = wk->hi / CLINIT_BLOCK32 - B;
            if (n > CHUNK_BLOCKS)
                n = CHUNK_BLOCKS;
            blocks(p, B, n, dst + (B * CLINIT_BLOCK32 - p->lo));
            B += n;
        }
        /* a partial last block */
        if (B < Bend) {
            blocks(p, B, 1, tmp);
            memcpy(dst + (B * CLINIT_BLOCK32 - p->lo), tmp,
                   (size_t)(wk->hi - B * CLINIT_BLOCK32) * 4);
        }
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
    uint64_t nblocks, per;
    unsigned t;
    int started[64];
    work wk[64];
    pthread_t tid[64];

    if (n == 0)
        return CLINIT_OK;
    nblocks = (plan->hi - 1) / CLINIT_BLOCK32 - plan->lo / CLINIT_BLOCK32 + 1;
    t = threads ? threads : clinit_cpu_count();
    if (t > 64)
        t = 64;
    if ((uint64_t)t > nblocks / MIN_BLOCKS_PER_THREAD)
        t = (unsigned)(nblocks / MIN_BLOCKS_PER_THREAD);
    if (t < 1)
        t = 1;
    /* whole blocks per thread, so threads never share a block */
    per = (nblocks + t - 1) / t * CLINIT_BLOCK32;
    for (unsigned i = 0; i < t; i++) {
        uint64_t a = plan->lo - plan->lo % CLINIT_BLOCK32 + i * per;
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
