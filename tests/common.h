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
