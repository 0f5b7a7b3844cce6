/* fill_case.h - the one CPU-path fill that bench/fill_one.c times and
 * valgrind counts, and that tests/guard/guard_fill.c counts for the
 * instruction-count guard: kept in one place so the two counts are of the
 * same fill (bench/callgrind.sh next to tests/guard/ceilings.txt).
 *
 * A [NUMEL/256, 256] tensor, seed 1234, stream 1, METHOD with torch's
 * defaults (clinit_init_default), constant's value 0.5; sparse keeps
 * sparsity 0, which still permutes every column. Not a public API: it
 * declares the library's internal test hooks (src/clinit_internal.h),
 * which clinit_static exports to static links only. */
#ifndef CLINIT_BENCH_FILL_CASE_H
#define CLINIT_BENCH_FILL_CASE_H

#include <string.h>

#include "clinit.h"

/* 0 generic, 1 AVX2, 2 AVX-512, -1 automatic; and the variant in use. */
void clinit_cpu_force_isa(int isa);
int clinit_cpu_isa(void);

/* The names of clinit_cpu_force_isa's variants 0, 1, 2. */
static const char *const fill_case_isa_names[3] = {"generic", "avx2", "avx512"};

/* The variant number of an --isa name, or -1 for an unknown name. */
static inline int fill_case_isa(const char *name)
{
    for (int i = 0; i < 3; i++)
        if (!strcmp(name, fill_case_isa_names[i]))
            return i;
    return -1;
}

/* *init and *t of the fill of numel (a multiple of 256) elements. */
static inline void fill_case(clinit_method method, clinit_dtype dtype,
                             unsigned long long numel, clinit_init *init,
                             clinit_tensor *t)
{
    clinit_init_default(init, method);
    init->val = 0.5;
    memset(t, 0, sizeof *t);
    t->dtype = dtype;
    t->ndim = 2;
    t->shape[0] = (int64_t)(numel / 256);
    t->shape[1] = 256;
    t->seed = 1234;
    t->stream = 1;
}

#endif /* CLINIT_BENCH_FILL_CASE_H */
