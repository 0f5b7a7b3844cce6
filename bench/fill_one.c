/* fill_one.c - clinit-fill-one: one CPU-path fill, single-threaded, for
 * instruction counts under valgrind and for the single-core element rate
 * those counts are compared with (docs/PERF.md, "Where the time goes").
 *
 *   clinit-fill-one METHOD [NUMEL] [--isa generic|avx2|avx512]
 *                   [--reps N] [--dtype f32|f16|bf16|f64]
 *   clinit-fill-one --clock
 *
 * Fills NUMEL (default 1048576) elements of a [NUMEL/256, 256] tensor with
 * METHOD (torch defaults as clinit-bench: constant 0.5, sparse sparsity
 * 0, which still permutes every column) through
 * clinit_fill_host on a "cpu" context with cpu_threads 1. With --reps 0
 * (the default) it fills once and prints nothing: run it under
 *   valgrind --tool=callgrind --toggle-collect=clinit_cpu_fill \
 *       clinit-fill-one normal
 * and divide the Ir of the collected part by NUMEL (bench/callgrind.sh
 * does this). With --reps N it times N fills after one warm-up and prints
 * the median as "METHOD DTYPE ISA NUMEL SECONDS ELEMS_PER_S".
 *
 * --isa forces the CPU path's instruction-set variant through the
 * library's internal test hook clinit_cpu_force_isa (src/cpu.c; linked
 * from clinit_static), so that the AVX2 variant valgrind counts can be
 * timed natively on a machine that would pick AVX-512. Not a public API.
 * --clock measures the core clock instead: a chain of dependent register
 * adds (one cycle each on every x86-64 core of the last 15 years), timed,
 * median of 11 runs of 2^27 adds; prints "clock GHZ". x86-64 only.
 * Exit status: 0 success, 1 a library call failed, 2 bad arguments.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fill_case.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* GHz of the core this runs on: 2^27 dependent register adds, one cycle
 * each. */
static double clock_ghz(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    double t[11];
    for (int r = 0; r < 11; r++) {
        /* register adds: an add of an immediate can be folded away at
         * rename on recent cores (Golden Cove), a register add cannot */
        unsigned long x = 0, n = 1ul << 24, one = 1; /* 8 adds/iteration */
        double a = now_s();
        __asm__ volatile("1:\n\t"
                         "add %2, %0\n\tadd %2, %0\n\tadd %2, %0\n\t"
                         "add %2, %0\n\tadd %2, %0\n\tadd %2, %0\n\t"
                         "add %2, %0\n\tadd %2, %0\n\t"
                         "dec %1\n\tjnz 1b"
                         : "+r"(x), "+r"(n)
                         : "r"(one)
                         : "cc");
        t[r] = now_s() - a;
    }
    qsort(t, 11, sizeof *t, cmp_double);
    return (double)(1ul << 27) / t[5] * 1e-9;
#else
    return 0;
#endif
}

static int usage(const char *msg)
{
    fprintf(stderr,
            "clinit-fill-one: %s\n"
            "usage: clinit-fill-one METHOD [NUMEL] [--isa "
            "generic|avx2|avx512] [--reps N] [--dtype D]\n",
            msg);
    return 2;
}

int main(int argc, char **argv)
{
    const char *mname = NULL, *dname = "f32";
    unsigned long long numel = 1u << 20;
    int isa = -1, reps = 0;
    clinit_method method;
    clinit_dtype dtype;
    clinit_init init;
    clinit_tensor t;
    clinit_ctx *ctx = NULL;
    clinit_ctx_options opt = {"cpu", 1};
    clinit_status st;
    void *dst;
    double *times = NULL;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--clock")) {
            double g = clock_ghz();
            if (g <= 0) {
                fprintf(stderr, "clinit-fill-one: --clock is x86-64 only\n");
                return 1;
            }
            printf("clock %.3f\n", g);
            return 0;
        }
        if (!strcmp(argv[i], "--isa") && i + 1 < argc) {
            if ((isa = fill_case_isa(argv[++i])) < 0)
                return usage("bad --isa");
        } else if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
            reps = atoi(argv[++i]);
            if (reps < 0 || reps > 100000)
                return usage("bad --reps");
        } else if (!strcmp(argv[i], "--dtype") && i + 1 < argc) {
            dname = argv[++i];
        } else if (argv[i][0] == '-') {
            return usage("unknown option");
        } else if (!mname) {
            mname = argv[i];
        } else {
            char *end;
            numel = strtoull(argv[i], &end, 10);
            if (*end || numel < 256 || numel % 256)
                return usage("NUMEL must be a multiple of 256");
        }
    }
    if (!mname)
        return usage("no method");
    if (clinit_method_from_name(mname, &method) != CLINIT_OK)
        return usage("unknown method");
    if (clinit_dtype_from_name(dname, &dtype) != CLINIT_OK)
        return usage("unknown dtype");
    fill_case(method, dtype, numel, &init, &t);
    if (isa >= 0)
        clinit_cpu_force_isa(isa);
    if (!(dst = malloc((size_t)numel * clinit_dtype_size(dtype))) ||
        (reps && !(times = malloc((size_t)reps * sizeof *times)))) {
        fprintf(stderr, "clinit-fill-one: out of memory\n");
        return 1;
    }
    memset(dst, 0, (size_t)numel * clinit_dtype_size(dtype));
    if ((st = clinit_ctx_create(&ctx, &opt)) != CLINIT_OK ||
        (st = clinit_fill_host(ctx, &t, &init, 0, numel, dst)) != CLINIT_OK) {
        fprintf(stderr, "clinit-fill-one: %s\n", clinit_strerror(st));
        return 1;
    }
    for (int r = 0; r < reps; r++) {
        double a = now_s();
        clinit_fill_host(ctx, &t, &init, 0, numel, dst);
        times[r] = now_s() - a;
    }
    if (reps) {
        double med;
        qsort(times, (size_t)reps, sizeof *times, cmp_double);
        med = reps % 2 ? times[reps / 2]
                       : (times[reps / 2 - 1] + times[reps / 2]) / 2;
        printf("%s %s %s %llu %.6f %.4e\n", clinit_method_name(method),
               clinit_dtype_name(dtype), fill_case_isa_names[clinit_cpu_isa()],
               numel, med, (double)numel / med);
    }
    clinit_ctx_destroy(ctx);
    free(times);
    free(dst);
    return 0;
}
