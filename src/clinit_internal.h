/* clinit_internal.h - what src/ and host/ share; not installed. */
#ifndef CLINIT_INTERNAL_H
#define CLINIT_INTERNAL_H

#include "clinit.h"

/* A validated fill, reduced to what the kernels take: a base
 * distribution with its parameters already rounded to the output dtype's
 * compute type, the generator coordinates, and the element range. Both
 * paths consume exactly this, so they cannot disagree on parameters. */
typedef struct clinit_plan {
    clinit_dist dist;
    clinit_dtype dtype;
    uint32_t k0, k1; /* key: seed */
    uint32_t s0, s1; /* counter words 2, 3: stream */
    float p0, p1, p2; /* uniform: lo, scale, hi_below; normal: mean, std,
                         0; constant: value, 0, 0 */
    uint64_t lo, hi;  /* element range [lo, hi) of the tensor */
} clinit_plan;

/* Validates everything and fills *plan (t, init, range). */
clinit_status clinit_plan_make(const clinit_tensor *t, const clinit_init *init,
                               uint64_t lo, uint64_t hi, clinit_plan *plan);

/* CPU path: fills plan->lo..hi into dst with `threads` workers (0 = all
 * CPUs). */
clinit_status clinit_cpu_fill(const clinit_plan *plan, unsigned threads,
                              void *dst);
/* Instruction-set variants of the CPU path's loops (all give the same
 * bits). clinit_cpu_isa() is the one in use; tests force each in turn. */
enum { CLINIT_ISA_GENERIC = 0, CLINIT_ISA_AVX2 = 1, CLINIT_ISA_AVX512 = 2 };
int clinit_cpu_isa(void);
void clinit_cpu_force_isa(int isa); /* -1: automatic */

/* Online CPUs, at least 1. */
unsigned clinit_cpu_count(void);

/* Context accessors used by src/ (defined in host/ocl.c). */
unsigned clinit_ctx_cpu_threads_(const clinit_ctx *ctx);

/* OpenCL path (host/ocl.c). */
clinit_status clinit_ocl_fill(clinit_ctx *ctx, const clinit_plan *plan,
                              cl_mem buf, size_t offset, cl_uint num_wait,
                              const cl_event *wait, cl_event *out_event);

/* Test hook: runs kernel clinit_math_probe (op 0 log, 1 sqrt, 2 sincos2pi)
 * on n words (n % 16 == 0) and reads back n (ops 0, 1) or 2n floats (op
 * 2: sin/cos interleaved per 16-lane vector, as the kernel stores them).
 * Blocks. */
CLINIT_API clinit_status clinit_debug_math_device(clinit_ctx *ctx, int op,
                                                  const uint32_t *in,
                                                  size_t n, float *out);

/* Test hook: philox4x32_10 on the device for npairs (npairs % 16 == 0)
 * independent (counter, key) pairs: in[6p..6p+3] counter, in[6p+4..6p+5]
 * key; out[4p..4p+3]. Blocks. */
CLINIT_API clinit_status clinit_debug_philox_device(clinit_ctx *ctx,
                                                   const uint32_t *in,
                                                   size_t npairs,
                                                   uint32_t *out);

#endif /* CLINIT_INTERNAL_H */
