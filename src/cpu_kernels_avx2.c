/* AVX2 + FMA variant of cpu_kernels.c (built with -march=haswell). */
#define CLINIT_ISA avx2
#include "cpu_kernels.c"
