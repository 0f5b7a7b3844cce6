/* guard_fill.c - clinit-guard-fill: a sequence of single-threaded CPU-path
 * fills, one per SPEC, for the instruction-count guard (tests/guard/guard.py).
 *
 *   clinit-guard-fill NUMEL ISA:DTYPE:METHOD ...
 *
 * ISA is generic, avx2 or avx512 (forced through the library's internal
 * test hook clinit_cpu_force_isa, linked from clinit_static), DTYPE f32,
 * f16, bf16 or f64, METHOD a torch.nn.init name with torch's defaults
 * (constant: val 0.5; sparse: sparsity 0, which still permutes every
 * column). Each spec is one clinit_fill_host of a [NUMEL/256, 256] tensor
 * (seed 1234, stream 1; bench/fill_case.h) on a "cpu" context with
 * cpu_threads 1, so that
 *   valgrind --tool=callgrind --toggle-collect=clinit_cpu_fill \
 *       --dump-after=clinit_cpu_fill clinit-guard-fill ...
 * writes one profile per spec, in order, holding that fill's instructions
 * and nothing else. The same fill as bench/fill_one.c's, so the counts
 * compare with bench/callgrind.sh.
 * Exit status: 0 success, 1 a library call failed, 2 bad arguments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fill_case.h" /* bench/: the fill of bench/fill_one.c */

static int usage(const char *msg, const char *arg)
{
    fprintf(stderr,
            "clinit-guard-fill: %s%s%s\n"
            "usage: clinit-guard-fill NUMEL ISA:DTYPE:METHOD ...\n",
            msg, arg ? ": " : "", arg ? arg : "");
    return 2;
}

int main(int argc, char **argv)
{
    clinit_ctx_options opt = {"cpu", 1};
    clinit_ctx *ctx = NULL;
    unsigned long long numel;
    clinit_status st;
    char *end;
    void *dst;
    int rc = 0;

    if (argc < 3)
        return usage("too few arguments", NULL);
    numel = strtoull(argv[1], &end, 10);
    if (*end || numel < 256 || numel % 256 || numel > (1ull << 30))
        return usage("NUMEL must be a multiple of 256, at most 2^30", argv[1]);
    if (!(dst = calloc((size_t)numel, 8))) {
        fprintf(stderr, "clinit-guard-fill: out of memory\n");
        return 1;
    }
    if ((st = clinit_ctx_create(&ctx, &opt)) != CLINIT_OK) {
        fprintf(stderr, "clinit-guard-fill: %s\n", clinit_strerror(st));
        free(dst);
        return 1;
    }
    for (int i = 2; i < argc && rc == 0; i++) {
        char spec[96], *dname, *mname;
        clinit_method method;
        clinit_dtype dtype;
        clinit_init init;
        clinit_tensor t;
        int isa;

        if (strlen(argv[i]) >= sizeof spec) {
            rc = usage("spec too long", argv[i]);
            break;
        }
        strcpy(spec, argv[i]);
        if (!(dname = strchr(spec, ':')) || !(mname = strchr(dname + 1, ':'))) {
            rc = usage("spec is not ISA:DTYPE:METHOD", argv[i]);
            break;
        }
        *dname++ = '\0';
        *mname++ = '\0';
        if ((isa = fill_case_isa(spec)) < 0 ||
            clinit_dtype_from_name(dname, &dtype) != CLINIT_OK ||
            clinit_method_from_name(mname, &method) != CLINIT_OK) {
            rc = usage("unknown ISA, dtype or method", argv[i]);
            break;
        }
        fill_case(method, dtype, numel, &init, &t);
        clinit_cpu_force_isa(isa);
        if ((st = clinit_fill_host(ctx, &t, &init, 0, numel, dst)) !=
            CLINIT_OK) {
            fprintf(stderr, "clinit-guard-fill: %s: %s\n", argv[i],
                    clinit_strerror(st));
            rc = 1;
        }
    }
    clinit_cpu_force_isa(-1);
    clinit_ctx_destroy(ctx);
    free(dst);
    return rc;
}
