/* model_dump.c - prints what a model spec expands to, exactly: one JSON
 * object per line and tensor, with the canonical line and what
 * clinit_resolve made of it (numbers as %.17g, which read back to the same
 * double). A program for tests/test_rules.py, not a test by itself.
 *
 *   model_dump SPEC.json [textbook|torch]
 *
 * The optional rule set is passed to clinit_model_parse_opts (the spec's
 * own "rules" still win). Exit status: 0, 2 for a spec error (its line on
 * stderr), 1 otherwise. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinit.h"
#include "clinit_model.h"

static const char *const dist_names[] = {"uniform",   "normal", "constant",
                                         "truncated", "sparse", "pattern",
                                         "orthogonal"};

static void num(const char *key, double x)
{
    if (isfinite(x))
        printf(", \"%s\": %.17g", key, x);
    else
        printf(", \"%s\": null", key);
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
        *len = fread(buf, 1, (size_t)n, f);
        if (*len != (size_t)n) {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

/* The canonical line of tensor i without its name and newline. */
static void canonical_of(const clinit_model *m, size_t i, char *out, size_t cap)
{
    size_t n = clinit_model_canonical(m, NULL, 0), line = 0, start = 0;
    char *all = malloc(n + 1);
    out[0] = '\0';
    if (!all)
        return;
    clinit_model_canonical(m, all, n + 1);
    for (size_t k = 0; k < n; k++)
        if (all[k] == '\n') {
            if (line++ == i) {
                size_t len = k - start;
                snprintf(out, cap, "%.*s", (int)len, all + start);
                break;
            }
            start = k + 1;
        }
    free(all);
}

int main(int argc, char **argv)
{
    clinit_model_options opt;
    clinit_model *m = NULL;
    char err[512], canon[4096];
    size_t len = 0;
    char *json;
    memset(&opt, 0, sizeof opt);
    if (argc < 2 || argc > 3 ||
        (argc == 3 &&
         clinit_rule_set_from_name(argv[2], &opt.rules) != CLINIT_OK)) {
        fprintf(stderr, "usage: model_dump SPEC.json [textbook|torch]\n");
        return 1;
    }
    if (!(json = read_all(argv[1], &len))) {
        fprintf(stderr, "model_dump: cannot read %s\n", argv[1]);
        return 1;
    }
    if (clinit_model_parse_opts(json, len, &opt, &m, err, sizeof err) !=
        CLINIT_OK) {
        fprintf(stderr, "%s\n", err);
        free(json);
        return 2;
    }
    free(json);
    for (size_t i = 0; i < clinit_model_size(m); i++) {
        clinit_model_tensor_info ti;
        clinit_resolved r;
        if (clinit_model_tensor(m, i, &ti) != CLINIT_OK ||
            clinit_resolve(&ti.tensor, &ti.init, &r) != CLINIT_OK) {
            fprintf(stderr, "model_dump: tensor %zu does not resolve\n", i);
            clinit_model_destroy(m);
            return 1;
        }
        canonical_of(m, i, canon, sizeof canon);
        /* names and canonical lines hold no '"' or '\\' in the tests */
        printf("{\"name\": \"%s\", \"kind\": \"%s\", \"param\": \"%s\", "
               "\"method\": \"%s\", \"canonical\": \"%s\", \"dist\": \"%s\", "
               "\"fan_in\": %llu, \"fan_out\": %llu",
               ti.name, ti.kind, ti.param ? ti.param : "",
               clinit_method_name(ti.init.method), canon,
               (unsigned)r.dist < sizeof dist_names / sizeof dist_names[0]
                   ? dist_names[r.dist]
                   : "?",
               (unsigned long long)r.fan_in, (unsigned long long)r.fan_out);
        num("gain", r.gain);
        num("lo", r.lo);
        num("hi", r.hi);
        num("mean", r.mean);
        num("std", r.std);
        num("value", r.value);
        printf("}\n");
    }
    clinit_model_destroy(m);
    return 0;
}
