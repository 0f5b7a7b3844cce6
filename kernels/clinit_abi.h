/* clinit_abi.h - the numbers the host and the kernels share, in one place.
 *
 * Compiled as C99 and as OpenCL C. A fill reaches a backend as a
 * descriptor of CLINIT_DESC_WORDS 64-bit words per tensor (the "batch
 * descriptor"); the CPU backend and every OpenCL kernel read the same
 * words through the accessors below, so the layout exists once.
 *
 *   word  CLINIT_DW_FIRST   first launch-global block of the tensor (batch
 *                           lookup; 0 on the CPU backend)
 *         CLINIT_DW_LO      element range [lo, hi) of the tensor
 *         CLINIT_DW_HI
 *         CLINIT_DW_OFF     destination element of lo
 *         CLINIT_DW_B0      block of element lo
 *         CLINIT_DW_DIST    the base distribution (CLINIT_DIST_LIST id)
 *         CLINIT_DW_KEY     seed lo | seed hi << 32
 *         CLINIT_DW_STREAM  stream lo | stream hi << 32
 *         CLINIT_DW_Q ..+7  integer parameters q0..q7
 *         CLINIT_DW_P ..+15 float parameters: 16 f32 (p0 in the low half of
 *                           word P, p1 in its high half, ...) for 32-bit
 *                           dtypes, or 16 f64 for f64
 *
 * A device descriptor (clinit_device_desc, include/clinit/device.h) is
 * the descriptor of the whole tensor (LO = 0, HI = numel, OFF = B0 = 0)
 * with word CLINIT_DW_TAG (the FIRST word, which only batch lookups read)
 * holding CLINIT_DEV_TAG(dtype).
 */
#ifndef CLINIT_ABI_H
#define CLINIT_ABI_H

#include "clinit_features.h"

/* X(NAME, id, kernel name): the base distributions the kernels compute.
 * ids are part of the ABI with include/clinit.h's clinit_dist (checked
 * in src/resolve.c). ORTHOGONAL has no kernel: the host computes it. */
#define CLINIT_KERNEL_DIST_LIST(X)                                             \
    X(UNIFORM, 0, uniform)                                                     \
    X(NORMAL, 1, normal)                                                       \
    X(CONSTANT, 2, constant)                                                   \
    X(TRUNCATED, 3, truncated)                                                 \
    X(SPARSE, 4, sparse)                                                       \
    X(PATTERN, 5, pattern)
#define CLINIT_ABI_DIST_ORTHOGONAL 6
#define CLINIT_ABI_DIST_COUNT 7

#define CLINIT_ABI_DIST_(NAME, id, name) CLINIT_ABI_DIST_##NAME = id,
enum clinit_abi_dist { CLINIT_KERNEL_DIST_LIST(CLINIT_ABI_DIST_) };
#undef CLINIT_ABI_DIST_

/* descriptor words */
#define CLINIT_DW_FIRST 0
#define CLINIT_DW_LO 1
#define CLINIT_DW_HI 2
#define CLINIT_DW_OFF 3
#define CLINIT_DW_B0 4
#define CLINIT_DW_DIST 5
#define CLINIT_DW_KEY 6
#define CLINIT_DW_STREAM 7
#define CLINIT_DW_Q 8
#define CLINIT_DW_P 16
#define CLINIT_DESC_WORDS 32

/* Box maps (host/ocl.c <-> kernels/clinit_fill.cl only; not the device
 * API): a launch's descriptor table is followed by CLINIT_MAP_WORDS words
 * per descriptor, in the same order. MW_LEN = 0: the descriptor is a range
 * (LO, HI, OFF, B0). Else it is box runs R0, R0 + 1, .. (src/box.c's
 * clinit_runs) of MW_LEN elements each, run R0 + k at destination element
 * OFF + k * MW_LEN; its launch block q = g - FIRST is block q % MW_NBPR of
 * run R0 + q / MW_NBPR, counted from the run's first block (none when that
 * lies past the run's end). Run j starts at element MW_BASE + sum over
 * outer dimensions t of (digit t of j) * MW_STRIDE + t, the digits of j in
 * the radices MW_CNT + t, t < MW_NOUTER, slowest first. */
#define CLINIT_MW_LEN 0
#define CLINIT_MW_NBPR 1
#define CLINIT_MW_R0 2
#define CLINIT_MW_NOUTER 3
#define CLINIT_MW_BASE 4
#define CLINIT_MW_CNT 5
#define CLINIT_MAP_OUTER 7 /* outer dimensions at most: CLINIT_MAX_DIMS - 1 */
#define CLINIT_MW_STRIDE (CLINIT_MW_CNT + CLINIT_MAP_OUTER)
#define CLINIT_MAP_WORDS (CLINIT_MW_STRIDE + CLINIT_MAP_OUTER)

/* Device descriptors (docs/DEVICE.md): word CLINIT_DW_TAG is
 * CLINIT_DEV_MAGIC << 32 | stream contract version << 24 | device API
 * version << 16 | dtype (clinit_dtype value). Part of the device API's
 * ABI: a new layout is a new CLINIT_DEVICE_API_VERSION. */
#define CLINIT_DW_TAG CLINIT_DW_FIRST
#define CLINIT_DEV_MAGIC 0x434c4e49u /* "CLNI" */
#define CLINIT_DEV_STREAM_VERSION 1u /* include/clinit.h's CLINIT_STREAM_VERSION */
#define CLINIT_DEV_API_VERSION 1u    /* include/clinit.h's CLINIT_DEVICE_API_VERSION */
#define CLINIT_DEV_TAG(dtype)                                                  \
    (((clinit_u64)CLINIT_DEV_MAGIC << 32) |                                    \
     ((clinit_u64)CLINIT_DEV_STREAM_VERSION << 24) |                           \
     ((clinit_u64)CLINIT_DEV_API_VERSION << 16) | (clinit_u64)(dtype))

/* Parameter slots per distribution (p: float slot, q: integer slot),
 * filled by src/plan.c, read by kernels/clinit_block.h. */
#define CLINIT_P_UNIFORM_LO 0
#define CLINIT_P_UNIFORM_SCALE 1
#define CLINIT_P_UNIFORM_TOP 2
#define CLINIT_P_UNIFORM_BOTTOM 3
#define CLINIT_P_NORMAL_MEAN 0
#define CLINIT_P_NORMAL_STD 1
#define CLINIT_P_TRUNC_MEAN 0
#define CLINIT_P_TRUNC_STD 1
#define CLINIT_P_TRUNC_BOTTOM 2
#define CLINIT_P_TRUNC_TOP 3
#define CLINIT_P_TRUNC_T 4 /* t0..t5 of clinit_trunc.h: slots 4..9 */
#define CLINIT_P_CONSTANT_VALUE 0 /* exactly a value of the dtype */
/* sparse: normal(mean = 0, std) in the normal slots, and */
#define CLINIT_Q_SPARSE_COLS 0
#define CLINIT_Q_SPARSE_ROWS 1
#define CLINIT_Q_SPARSE_NZEROS 2
#define CLINIT_Q_SPARSE_HALF 3  /* Feistel half width in bits */
#define CLINIT_Q_SPARSE_KEY01 4 /* Feistel keys 0 | 1 << 32 */
#define CLINIT_Q_SPARSE_KEY23 5 /* Feistel keys 2 | 3 << 32 */
/* pattern (eye_, dirac_): see clinit_pattern_one */
#define CLINIT_Q_PATTERN_IN_S 0
#define CLINIT_Q_PATTERN_S 1
#define CLINIT_Q_PATTERN_OUT_PER_GROUP 2
#define CLINIT_Q_PATTERN_CENTRE 3
#define CLINIT_Q_PATTERN_MIN_DIM 4
/* orthogonal (host only) */
#define CLINIT_Q_ORTHO_ROWS 0
#define CLINIT_Q_ORTHO_COLS 1
#define CLINIT_P_ORTHO_GAIN 0

/* Where a descriptor lives: global memory on OpenCL. A user kernel of
 * the device API may define it first (__constant, or empty for a private
 * copy); the library's kernels never do. */
#ifndef CLINIT_DESC_SPACE
#if CLINIT_OPENCL
#define CLINIT_DESC_SPACE __global
#else
#define CLINIT_DESC_SPACE
#endif
#endif
typedef CLINIT_DESC_SPACE const clinit_u64 *clinit_desc;

#define CLINIT_DESC_Q(d, k) ((d)[CLINIT_DW_Q + (k)])
#define CLINIT_DESC_P32(d, k)                                                  \
    CLINIT_F32_OF_BITS((d)[CLINIT_DW_P + ((k) >> 1)] >> (32 * ((k) & 1)))
#define CLINIT_DESC_P64(d, k) CLINIT_F64_OF_BITS((d)[CLINIT_DW_P + (k)])

#endif /* CLINIT_ABI_H */
