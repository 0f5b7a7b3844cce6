/* common.h - helpers shared by the Criterion tests. */
#ifndef CLINIT_TEST_COMMON_H
#define CLINIT_TEST_COMMON_H

#include <criterion/criterion.h>
#include <stdint.h>

#include "clinit.h"
#include "clinit_internal.h"

/* A context on an OpenCL device ("opencl": the first GPU, else the first
 * device; pocl in CI). Fails the test (cr_assert) when there is none: a run
 * without an OpenCL device is a failure, not a skip. */
clinit_ctx *test_opencl_ctx(void);

/* Whether ctx's device computes f64 (CL_DEVICE_DOUBLE_FP_CONFIG; the
 * CPU path always does). Where it does not, every f64 fill must return
 * CLINIT_ENOFP64 and leave the destination untouched: test_f64_refused
 * checks that for one fill into a fresh buffer. */
int test_has_fp64(clinit_ctx *ctx);
void test_f64_refused(clinit_ctx *ctx, const clinit_tensor *t,
                      const clinit_init *in, uint64_t lo, uint64_t hi);

/* A tensor description with torch's layout. */
clinit_tensor test_tensor(int ndim, const int64_t *shape, uint64_t seed,
                          uint64_t stream);

/* An init with torch's defaults for `method`. */
clinit_init test_init(clinit_method method);

/* A device buffer of `bytes`, every byte set to `pattern`. */
cl_mem test_buffer(clinit_ctx *ctx, size_t bytes, unsigned char pattern);

/* Blocking read of `bytes` at byte `off` of `buf`. */
void test_read(clinit_ctx *ctx, cl_mem buf, size_t off, size_t bytes,
               void *dst);

/* Bits of a float. */
uint32_t test_bits(float f);

#endif
