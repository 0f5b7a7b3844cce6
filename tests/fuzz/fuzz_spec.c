/* fuzz_spec.c - libFuzzer harness for the model-spec parser
 * (clinit_model_parse_opts, src/model.c): any bytes, as a spec, under the
 * textbook rule set for even sizes and the torch set for odd. It must return
 * a status, never crash, leak or read past the input, and a spec it
 * accepts must describe itself (canonical text, hash, every tensor) and
 * survive the overrides `clinit init` applies; its "gguf" object must be
 * read (tools/io/gguf_spec.c) into metadata or refused with one line. Built
 * with clang -fsanitize=fuzzer (CLINIT_BUILD_FUZZERS) and, with replay.c's
 * main(), by every compiler as the ctest that replays tests/fuzz/corpus/spec.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clinit_model.h"
#include "gguf_spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The GGUF metadata of an accepted spec: pairs with a key and a typed
 * value each, or one error line. */
static void gguf_meta(const char *json, size_t size, const clinit_model *m)
{
    char err[512];
    clinit_gguf_meta g;
    clinit_status st =
        clinit_gguf_spec_meta(json, size, clinit_model_name(m), 42,
                              clinit_model_spec_hash(m), &g, err, sizeof err);
    if (st == CLINIT_EPARAM &&
        (strlen(err) >= sizeof err || !err[0] || strchr(err, '\n')))
        abort();
    if (st != CLINIT_OK && st != CLINIT_EPARAM && st != CLINIT_ENOMEM)
        abort();
    for (size_t i = 0; st == CLINIT_OK && i < g.n; i++)
        if (!g.meta[i].key || !g.meta[i].typed ||
            (g.meta[i].typed->n > 0 && !g.meta[i].typed->items))
            abort();
    if (st == CLINIT_OK && g.n < 6)
        abort();
    clinit_gguf_meta_free(&g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    clinit_model *m = NULL;
    clinit_model_options opt;
    /* a copy of exactly `size` bytes, so that ASan sees any overread */
    char *json = malloc(size ? size : 1);
    clinit_status st;
    if (!json)
        return 0;
    memcpy(json, data, size);
    memset(&opt, 0, sizeof opt);
    opt.rules = size % 2 ? CLINIT_RULES_TORCH : CLINIT_RULES_TEXTBOOK;
    st = clinit_model_parse_opts(json, size, &opt, &m, err, sizeof err);
    if (st != CLINIT_OK) {
        free(json);
        /* one line, NUL-terminated within the buffer */
        if (strlen(err) >= sizeof err || strchr(err, '\n'))
            abort();
        if (m)
            abort();
        return 0;
    }
    {
        size_t n = clinit_model_canonical(m, NULL, 0);
        char *text = malloc(n + 1);
        if (text) {
            if (clinit_model_canonical(m, text, n + 1) != n ||
                strlen(text) != n)
                abort();
            free(text);
        }
        (void)clinit_model_spec_hash(m);
        for (size_t i = 0; i < clinit_model_size(m); i++) {
            clinit_model_tensor_info ti;
            clinit_fill_desc d;
            if (clinit_model_tensor(m, i, &ti) != CLINIT_OK ||
                clinit_model_fill_desc(m, i, &d) != CLINIT_OK ||
                d.hi != ti.numel || !ti.name[0])
                abort();
        }
        gguf_meta(json, size, m);
        clinit_model_set_seed(m, 42);
        clinit_model_set_dtype(m, CLINIT_F16);
        (void)clinit_model_check(m, err, sizeof err);
    }
    free(json);
    clinit_model_destroy(m);
    return 0;
}
