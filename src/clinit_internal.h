/* clinit_internal.h - what src/ and host/ share; not installed. */
#ifndef CLINIT_INTERNAL_H
#define CLINIT_INTERNAL_H

#include "clinit.h"
#include "clinit_abi.h"

/* A validated fill, reduced to what the kernels take: a base
 * distribution with its parameters already rounded to the compute type
 * (f32 for the 32-bit-word dtypes, double for f64), the generator
 * coordinates and the element range. Both backends consume exactly this
 * (as the descriptor of kernels/clinit_abi.h, clinit_plan_desc), so they
 * cannot disagree on parameters. Slots: p (f32) or d (f64) by the
 * CLINIT_P_* names of kernels/clinit_abi.h, q by its CLINIT_Q_* names;
 * a constant is its value in the dtype in bits. */
typedef struct clinit_plan {
    clinit_dist dist;
    clinit_dtype dtype;
    uint32_t key[4]; /* seed lo, seed hi, stream lo, stream hi */
    float p[16];
    double d[16];
    uint64_t q[8];
    unsigned char bits[8];
    uint64_t lo, hi; /* element range [lo, hi) of the tensor */
    /* the whole tensor (orthogonal and sub-range bookkeeping) */
    uint64_t numel;
} clinit_plan;

/* Elements per block: 64 for 32-bit-word dtypes, 32 for f64. */
#define CLINIT_BLOCK_ELEMS(dtype) ((dtype) == CLINIT_F64 ? 32u : 64u)

/* Validates everything and fills *plan (t, init, range). */
clinit_status clinit_plan_make(const clinit_tensor *t, const clinit_init *init,
                               uint64_t lo, uint64_t hi, clinit_plan *plan);

/* CPU path: fills plan->lo..hi into dst with `threads` workers (0 = all
 * CPUs). Not for ORTHOGONAL (clinit_ortho_fill). */
clinit_status clinit_cpu_fill(const clinit_plan *plan, unsigned threads,
                              void *dst);
/* A box (include/clinit.h) as contiguous runs of the global flat index:
 * run j is elements [clinit_runs_lo(r, j), + len), and the box's element
 * j * len + k is run j's element k. Trailing dimensions the box spans
 * whole merge into the run (a row slab is one run); outer dimensions of
 * count 1 add no runs. n == 0 for an empty box. */
typedef struct clinit_runs {
    uint64_t n, len;
    uint64_t base; /* flat index of run 0's first element */
    int nouter;    /* outer dimensions iterated, slowest first */
    uint64_t cnt[CLINIT_MAX_DIMS], stride[CLINIT_MAX_DIMS];
} clinit_runs;

/* Checks box against t's shape (CLINIT_EBOX) and makes its runs. */
clinit_status clinit_runs_make(const clinit_tensor *t, const clinit_box *box,
                               clinit_runs *r);
uint64_t clinit_runs_lo(const clinit_runs *r, uint64_t j);

/* An odometer over runs: clinit_runs_at sets it to run j (divisions once),
 * clinit_runs_next steps it to the next run (adds only); lo is the run's
 * first flat index. */
typedef struct clinit_runs_it {
    uint64_t lo, idx[CLINIT_MAX_DIMS];
} clinit_runs_it;
void clinit_runs_at(const clinit_runs *r, uint64_t j, clinit_runs_it *it);
static inline void clinit_runs_next(const clinit_runs *r, clinit_runs_it *it)
{
    for (int d = r->nouter - 1; d >= 0; d--) {
        it->lo += r->stride[d];
        if (++it->idx[d] < r->cnt[d])
            return;
        it->lo -= r->cnt[d] * r->stride[d];
        it->idx[d] = 0;
    }
}

/* CPU path: runs[r0, r1) of plan's tensor (plan->lo..hi covers them) into
 * dst (run r0's first element at dst[0]), `threads` workers over whole
 * runs. Not for ORTHOGONAL. */
clinit_status clinit_cpu_fill_runs(const clinit_plan *plan,
                                   const clinit_runs *runs, uint64_t r0,
                                   uint64_t r1, unsigned threads, void *dst);
/* orthogonal_ for a box: the whole QR (the span of the runs), then the
 * runs copied out densely into dst. */
clinit_status clinit_box_ortho(const clinit_plan *plan, const clinit_runs *r,
                               unsigned threads, void *dst);
/* Instruction-set variants of the CPU path's loops (all give the same
 * bits). clinit_cpu_isa() is the one in use; tests force each in turn. */
enum { CLINIT_ISA_GENERIC = 0, CLINIT_ISA_AVX2 = 1, CLINIT_ISA_AVX512 = 2 };
int clinit_cpu_isa(void);
void clinit_cpu_force_isa(int isa); /* -1: automatic */

/* The plan as a backend descriptor (kernels/clinit_abi.h): d[FIRST] =
 * first, d[OFF] = off, float parameters in the plan's compute type
 * (f32, or f64 for f64; a constant as its value in the dtype). */
void clinit_plan_desc(const clinit_plan *plan, uint64_t first, uint64_t off,
                      uint64_t d[CLINIT_DESC_WORDS]);

/* The bits of f in dtype dt, rounded once to nearest even, as the kernels
 * round (f32: f's own bits; not for f64). */
uint32_t clinit_dtype_round_bits(clinit_dtype dt, float f);

/* orthogonal_: the whole [rows, cols] matrix computed on the host in
 * double (src/ortho.c), elements [plan->lo, plan->hi) written to dst in
 * plan->dtype. */
clinit_status clinit_ortho_fill(const clinit_plan *plan, unsigned threads,
                                void *dst);

/* Online CPUs, at least 1. */
unsigned clinit_cpu_count(void);

/* Test hook: runs kernel clinit_k_math_probe (op 0 log, 1 sqrt, 2
 * sincos2pi, 3 f16 rounding via vstore_half_rte, 4 bf16 rounding) on n
 * words (n % 16 == 0) and reads back n (ops 0, 1, 3, 4: for 3 and 4 the
 * 16-bit pattern in the low bits of each word) or 2n floats (op 2: sin/cos
 * interleaved per 16-lane vector, as the kernel stores them). Blocks. */
clinit_status clinit_debug_math_device(clinit_ctx *ctx, int op,
                                       const uint32_t *in, size_t n, float *out);

/* Test hook: philox4x32_10 on the device for npairs (npairs % 16 == 0)
 * independent (counter, key) pairs: in[6p..6p+3] counter, in[6p+4..6p+5]
 * key; out[4p..4p+3]. Blocks. */
clinit_status clinit_debug_philox_device(clinit_ctx *ctx, const uint32_t *in,
                                         size_t npairs, uint32_t *out);

/* Test hook: the fill kernels' counters per work-item on ctx's device (16
 * CPU-shaped, 1 GPU-shaped; chosen by device type, or CLINIT_KERNEL_SHAPE
 * = cpu | gpu), 0 for a CPU-only context. */
unsigned clinit_debug_kernel_lanes(const clinit_ctx *ctx);
/* 1 when ctx's OpenCL program was loaded from the binary cache (tests). */
int clinit_debug_program_cached(const clinit_ctx *ctx);

#endif /* CLINIT_INTERNAL_H */
