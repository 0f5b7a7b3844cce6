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

/* The 64 values of block B in slot order. */
static void block_f32(const clinit_plan *p, uint64_t B, float *v)
{
    uint32_t x[4][CLINIT_LANES];
    for (uint32_t l = 0; l < CLINIT_LANES; l++) {
        uint32_t w[4];
        clinit_block_words(B, l, CLINIT_DOMAIN_VALUES, p->k0, p->k1, p->s0,
                           p->s1, w);
        x[0][l] = w[0];
        x[1][l] = w[1];
        x[2][l] = w[2];
        x[3][l] = w[3];
    }
    if (p->dist == CLINIT_DIST_UNIFORM) {
        for (int w = 0; w < 4; w++)
            for (int l = 0; l < CLINIT_LANES; l++)
                v[w * CLINIT_LANES + l] =
                    clinit_uniform_f32(x[w][l], p->p0, p->p1, p->p2);
    } else {
        for (int l = 0; l < CLINIT_LANES; l++) {
            uint32_t xs[4] = {x[0][l], x[1][l], x[2][l], x[3][l]};
            float z[4];
            clinit_normal4_f32(xs, p->p0, p->p1, z);
            for (int w = 0; w < 4; w++)
                v[w * CLINIT_LANES + l] = z[w];
        }
    }
}

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
    for (uint64_t B = wk->lo / CLINIT_BLOCK32; B <= (wk->hi - 1) / CLINIT_BLOCK32;
         B++) {
        uint64_t first = B * CLINIT_BLOCK32;
        uint64_t j0 = wk->lo > first ? wk->lo - first : 0;
        uint64_t j1 = wk->hi < first + CLINIT_BLOCK32 ? wk->hi - first
                                                      : CLINIT_BLOCK32;
        float v[CLINIT_BLOCK32];
        block_f32(p, B, v);
        memcpy(dst + (first + j0 - p->lo), v + j0, (size_t)(j1 - j0) * 4);
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
