/* golden_gen.c - prints a golden table of tests/golden.h with every value
 * recomputed on the CPU path: for filling in a new table (write its cases
 * with zero values, build, run, replace the file) or the tables of a new
 * stream contract version. A program, never a test: the tests only check.
 *
 *   golden_gen v1|methods|f8 > tests/golden_v1<...>.h
 *
 * Exit status: 0, 1 if a fill failed, 2 for a bad argument. */
#include <stdio.h>
#include <stdlib.h>

#include "golden.h"

static void *fill(const clinit_tensor *t, const clinit_init *in, uint64_t lo,
                  uint64_t hi, const char *name)
{
    size_t es = clinit_dtype_size(t->dtype);
    void *v = calloc((size_t)(hi - lo) + 4, es);
    clinit_status st;
    if (!v || (st = clinit_fill_host(NULL, t, in, lo, hi, v)) != CLINIT_OK) {
        fprintf(stderr, "golden_gen: %s: %s\n", name,
                v ? clinit_strerror(st) : "out of memory");
        exit(1);
    }
    return v;
}

/* "kaiming_uniform" -> "CLINIT_KAIMING_UNIFORM" (static buffer) */
static const char *enum_name(const char *name)
{
    static char buf[2][64];
    static int k;
    char *b = buf[k ^= 1];
    size_t i = 0;
    strcpy(b, "CLINIT_");
    for (i = 0; name[i] && i < 50; i++)
        b[7 + i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32
                                                           : name[i]);
    b[7 + i] = 0;
    return b;
}

static void print_v1(const golden *g)
{
    clinit_tensor t = test_tensor(g->ndim, g->shape, g->seed, g->stream);
    clinit_init in = golden_init(g);
    size_t n = (size_t)(g->hi - g->lo);
    float *v = fill(&t, &in, g->lo, g->hi, g->name);
    printf("    {\"%s\", %s, %.17g, %.17g, %d, {%lld, %lld, %lld, %lld}, "
           "%lluu, %lluu, %lluu, %lluu,\n     0x%016llxull, {0x%08x, "
           "0x%08x, 0x%08x, 0x%08x}},\n",
           g->name, enum_name(clinit_method_name(g->method)), g->p0, g->p1, g->ndim,
           (long long)g->shape[0], (long long)g->shape[1],
           (long long)g->shape[2], (long long)g->shape[3],
           (unsigned long long)g->seed, (unsigned long long)g->stream,
           (unsigned long long)g->lo, (unsigned long long)g->hi,
           (unsigned long long)fnv1a(v, n * 4), test_bits(v[0]),
           test_bits(v[1]), test_bits(v[2]), test_bits(v[3]));
    free(v);
}

static void print_v2(const golden2 *g)
{
    clinit_tensor t = test_tensor(g->ndim, g->shape, g->seed, g->stream);
    clinit_init in = golden2_init(g);
    size_t n = (size_t)(g->hi - g->lo), es = clinit_dtype_size(g->dtype);
    void *v;
    t.dtype = g->dtype;
    v = fill(&t, &in, g->lo, g->hi, g->name);
    printf("    {\"%s\", %s, %s, %.17g, %.17g, %.17g, %.17g, %d, {%lld, "
           "%lld, %lld, %lld}, %lluu, %lluu, %lluu, %lluu,\n     "
           "0x%016llxull, {0x%llxu, 0x%llxu, 0x%llxu, 0x%llxu}},\n",
           g->name, enum_name(clinit_method_name(g->method)),
           enum_name(clinit_dtype_name(g->dtype)), g->p0, g->p1, g->p2, g->p3,
           g->ndim, (long long)g->shape[0], (long long)g->shape[1],
           (long long)g->shape[2], (long long)g->shape[3],
           (unsigned long long)g->seed, (unsigned long long)g->stream,
           (unsigned long long)g->lo, (unsigned long long)g->hi,
           (unsigned long long)fnv1a(v, n * es),
           (unsigned long long)elem_bits(v, es, 0),
           (unsigned long long)elem_bits(v, es, 1),
           (unsigned long long)elem_bits(v, es, 2),
           (unsigned long long)elem_bits(v, es, 3));
    free(v);
}

int main(int argc, char **argv)
{
    const char *which = argc == 2 ? argv[1] : "";
    if (strcmp(which, "v1") == 0) {
        for (size_t i = 0; i < sizeof goldens / sizeof goldens[0]; i++)
            print_v1(&goldens[i]);
    } else if (strcmp(which, "methods") == 0) {
        for (size_t i = 0; i < sizeof goldens2 / sizeof goldens2[0]; i++)
            print_v2(&goldens2[i]);
    } else if (strcmp(which, "f8") == 0) {
        for (size_t i = 0; i < sizeof goldens_f8 / sizeof goldens_f8[0]; i++)
            print_v2(&goldens_f8[i]);
    } else {
        fprintf(stderr, "usage: golden_gen v1|methods|f8\n");
        return 2;
    }
    return 0;
}
