/* value_bits.h - tests/value_bits_avx2.c's passes (tests/test_value_bits.c):
 * each returns how many inputs of [first, first + count) fail (count a
 * multiple of 8) and the first of them in *example. */
#ifndef CLINIT_TEST_VALUE_BITS_H
#define CLINIT_TEST_VALUE_BITS_H
#include <stdint.h>

/* F16C's conversion against clinit_f16_bits, every non-NaN f32 pattern */
uint64_t clinit_test_f16c_diffs(uint64_t first, uint64_t count,
                                uint32_t *example);
/* vsqrtps (clinit_sqrt_hw_f32) against clinit_sqrt_f32, the patterns of +0
 * and of the positive normal floats among [first, first + count) */
uint64_t clinit_test_sqrt_diffs(uint64_t first, uint64_t count,
                                uint32_t *example);
/* clinit_sqrt_fin_f32 against clinit_sqrt_f32, the finite patterns among
 * [first, first + count) */
uint64_t clinit_test_sqrt_fin_diffs(uint64_t first, uint64_t count,
                                    uint32_t *example);
/* Box-Muller's r^2 outside {+0} and the positive normal floats, n = xa >> 1 */
uint64_t clinit_test_r2_outside(uint64_t first, uint64_t count,
                                uint32_t *example);
#endif
