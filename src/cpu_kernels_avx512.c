/* AVX-512 variant of cpu_kernels.c (built with -march=skylake-avx512). */
#define CLINIT_ISA avx512
#include "cpu_kernels.c"
