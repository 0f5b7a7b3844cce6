/* test_batch.c - batched fills (one launch per buffer and dtype) give
 * exactly the bits of filling each tensor on its own, on the device and
 * on the host; name-derived streams are stable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

TestSuite(batch, .timeout = 120);

typedef struct spec {
    const char *name;
    clinit_method method;
    clinit_dtype dtype;
    int ndim;
    int64_t shape[4];
} spec;

/* a small model: weights and biases of mixed methods and dtypes */
static const spec model[] = {
    {"wte.weight", CLINIT_NORMAL, CLINIT_F32, 2, {500, 64}},
    {"h.0.attn.c_attn.weight", CLINIT_XAVIER_UNIFORM, CLINIT_F32, 2, {192, 64}},
    {"h.0.attn.c_attn.bias", CLINIT_ZEROS, CLINIT_F32, 1, {192}},
    {"h.0.ln_1.weight", CLINIT_ONES, CLINIT_F32, 1, {64}},
    {"h.0.mlp.c_fc.weight", CLINIT_KAIMING_NORMAL, CLINIT_F32, 2, {256, 64}},
    {"h.0.mlp.c_fc.bias", CLINIT_CONSTANT, CLINIT_F32, 1, {256}},
    {"conv.weight", CLINIT_TRUNC_NORMAL, CLINIT_F32, 4, {16, 3, 3, 3}},
    {"sparse.weight", CLINIT_SPARSE, CLINIT_F32, 2, {33, 17}},
    {"dirac.weight", CLINIT_DIRAC, CLINIT_F32, 3, {4, 4, 3}},
    {"ortho.weight", CLINIT_ORTHOGONAL, CLINIT_F32, 2, {12, 7}},
    {"half.weight", CLINIT_LECUN_NORMAL, CLINIT_F16, 2, {37, 29}},
    {"bf.weight", CLINIT_HE_UNIFORM, CLINIT_BF16, 2, {41, 3}},
    {"bf.bias", CLINIT_CONSTANT, CLINIT_BF16, 1, {7}},
    {"double.weight", CLINIT_XAVIER_NORMAL, CLINIT_F64, 2, {19, 23}},
    {"double.bias", CLINIT_UNIFORM, CLINIT_F64, 1, {5}},
};
#define NT (sizeof model / sizeof model[0])
#define NT_F64 2 /* the last two are f64 */

/* The tensors a batch on ctx's device holds: all of them, or without the
 * f64 ones where the device has no fp64 -- after checking that the whole
 * batch is refused with CLINIT_ENOFP64 and nothing of `watch` (watch_bytes,
 * every byte `pattern`) was written. */
static size_t batch_count(clinit_ctx *ctx, const clinit_fill_desc *d,
                          cl_mem watch, size_t watch_bytes,
                          unsigned char pattern)
{
    unsigned char *v;
    if (test_has_fp64(ctx))
        return NT;
    cr_assert_eq(clinit_enqueue_fill_batch(ctx, d, NT, 0, NULL, NULL, NULL),
                 CLINIT_ENOFP64);
    v = malloc(watch_bytes);
    cr_assert(v);
    test_read(ctx, watch, 0, watch_bytes, v);
    for (size_t k = 0; k < watch_bytes; k++)
        cr_assert_eq(v[k], pattern, "byte %zu written by a refused batch", k);
    free(v);
    return NT - NT_F64;
}

static clinit_fill_desc desc_of(const spec *s, uint64_t seed)
{
    clinit_fill_desc d;
    memset(&d, 0, sizeof d);
    d.tensor = test_tensor(s->ndim, s->shape, seed, clinit_stream_of(s->name));
    d.tensor.dtype = s->dtype;
    d.init = test_init(s->method);
    if (s->method == CLINIT_CONSTANT)
        d.init.val = 0.01;
    if (s->method == CLINIT_SPARSE)
        d.init.sparsity = 0.3;
    cr_assert_eq(clinit_numel(&d.tensor, &d.hi), CLINIT_OK);
    return d;
}

Test(batch, device_arena_equals_per_tensor_fills)
{
    clinit_ctx *ctx = test_opencl_ctx();
    clinit_fill_desc d[NT];
    size_t bytes = 0, off[NT], nt;
    unsigned char *a, *b;
    cl_mem arena1, arena2;
    cl_event ev = NULL;
    /* one arena, each tensor at an element offset of its dtype */
    for (size_t i = 0; i < NT; i++) {
        size_t es;
        d[i] = desc_of(&model[i], 1234);
        es = clinit_dtype_size(d[i].tensor.dtype);
        bytes = (bytes + 7) / 8 * 8 + 8 * es; /* a gap, aligned */
        off[i] = bytes;
        d[i].offset = bytes / es;
        bytes += (size_t)d[i].hi * es;
    }
    bytes += 64;
    arena1 = test_buffer(ctx, bytes, 0x5c);
    arena2 = test_buffer(ctx, bytes, 0x5c);
    for (size_t i = 0; i < NT; i++)
        d[i].buf = arena1;
    nt = batch_count(ctx, d, arena1, bytes, 0x5c);
    cr_assert_eq(clinit_enqueue_fill_batch(ctx, d, nt, 0, NULL, &ev, NULL),
                 CLINIT_OK, "%s", clinit_ctx_build_log(ctx));
    cr_assert_eq(clWaitForEvents(1, &ev), CL_SUCCESS);
    clReleaseEvent(ev);
    for (size_t i = 0; i < nt; i++)
        cr_assert_eq(clinit_enqueue_fill(ctx, &d[i].tensor, &d[i].init, 0,
                                         d[i].hi, arena2, d[i].offset, 0, NULL,
                                         NULL),
                     CLINIT_OK, "%s", model[i].name);
    cr_assert_eq(clFinish(clinit_ctx_queue(ctx)), CL_SUCCESS);
    a = malloc(bytes);
    b = malloc(bytes);
    test_read(ctx, arena1, 0, bytes, a);
    test_read(ctx, arena2, 0, bytes, b);
    for (size_t i = 0; i < nt; i++) {
        size_t n = (size_t)d[i].hi * clinit_dtype_size(d[i].tensor.dtype);
        cr_expect_arr_eq(a + off[i], b + off[i], n, "%s differs",
                         model[i].name);
    }
    /* the gaps between tensors are untouched */
    cr_expect_arr_eq(a, b, bytes);
    cr_expect_eq(a[0], 0x5c);
    free(a);
    free(b);
    clReleaseMemObject(arena1);
    clReleaseMemObject(arena2);
    clinit_ctx_destroy(ctx);
}

Test(batch, host_batch_equals_device_batch_with_sub_ranges)
{
    clinit_ctx *ctx = test_opencl_ctx();
    clinit_fill_desc d[NT];
    void *host[NT], *dev[NT];
    cl_mem bufs[NT];
    size_t nt;
    for (size_t i = 0; i < NT; i++) {
        size_t es;
        d[i] = desc_of(&model[i], 99);
        es = clinit_dtype_size(d[i].tensor.dtype);
        /* a sub-range starting mid-block for the larger tensors */
        if (d[i].hi > 100)
            d[i].lo = 37, d[i].hi -= 11;
        host[i] = malloc((size_t)(d[i].hi - d[i].lo) * es + 1);
        dev[i] = malloc((size_t)(d[i].hi - d[i].lo) * es + 1);
        bufs[i] = test_buffer(ctx, (size_t)(d[i].hi - d[i].lo) * es + 1, 0);
        d[i].host = host[i];
        d[i].buf = bufs[i];
    }
    cr_assert_eq(clinit_fill_host_batch(NULL, d, NT, NULL), CLINIT_OK);
    nt = batch_count(ctx, d, bufs[0], (size_t)(d[0].hi - d[0].lo) * 4, 0);
    cr_assert_eq(clinit_enqueue_fill_batch(ctx, d, nt, 0, NULL, NULL, NULL),
                 CLINIT_OK);
    cr_assert_eq(clFinish(clinit_ctx_queue(ctx)), CL_SUCCESS);
    for (size_t i = 0; i < NT; i++) {
        size_t n =
            (size_t)(d[i].hi - d[i].lo) * clinit_dtype_size(d[i].tensor.dtype);
        test_read(ctx, bufs[i], 0, n, dev[i]);
        if (i < nt)
            cr_expect_arr_eq(host[i], dev[i], n, "%s", model[i].name);
        free(host[i]);
        free(dev[i]);
        clReleaseMemObject(bufs[i]);
    }
    clinit_ctx_destroy(ctx);
}

Test(batch, bad_descriptor_enqueues_nothing)
{
    clinit_ctx *ctx = test_opencl_ctx();
    clinit_fill_desc d[3];
    size_t bad = 99;
    cl_mem b = test_buffer(ctx, 4096, 0xab);
    unsigned char back[4096];
    for (int i = 0; i < 3; i++) {
        d[i] = desc_of(&model[1], 1);
        d[i].buf = b;
        d[i].hi = 256;
        d[i].offset = (size_t)i * 256;
    }
    d[2].init.gain = -1; /* EPARAM */
    cr_assert_eq(clinit_enqueue_fill_batch(ctx, d, 3, 0, NULL, NULL, &bad),
                 CLINIT_EPARAM);
    cr_expect_eq(bad, 2);
    cr_assert_eq(clFinish(clinit_ctx_queue(ctx)), CL_SUCCESS);
    test_read(ctx, b, 0, sizeof back, back);
    for (size_t i = 0; i < sizeof back; i++)
        cr_assert_eq(back[i], 0xab, "byte %zu written", i);
    clReleaseMemObject(b);
    clinit_ctx_destroy(ctx);
}

/* A batch of two groups (two buffers) whose wait list is bad: the old
 * code enqueued the first group's launch before the second one failed on
 * the wait list. Now the wait list is checked first: an error, and
 * neither buffer written. */
Test(batch, bad_wait_list_enqueues_nothing)
{
    clinit_ctx *ctx = test_opencl_ctx(), *other = test_opencl_ctx();
    clinit_fill_desc d[2];
    cl_mem b0 = test_buffer(ctx, 1024, 0xab), b1 = test_buffer(ctx, 1024, 0xab);
    cl_int err;
    /* an event of another context, and a NULL entry */
    cl_event foreign = clCreateUserEvent(clinit_ctx_context(other), &err);
    cl_event waits[2][1] = {{foreign}, {NULL}};
    const clinit_status want[2] = {CLINIT_EQUEUE, CLINIT_ENULL};
    unsigned char back[1024];
    cr_assert_eq(err, CL_SUCCESS);
    for (int i = 0; i < 2; i++) {
        d[i] = desc_of(&model[1], 1);
        d[i].buf = i ? b1 : b0;
        d[i].hi = 256;
        d[i].offset = 0;
    }
    for (int w = 0; w < 2; w++) {
        cl_event ev = (cl_event)&err; /* untouched on error */
        cr_expect_eq(clinit_enqueue_fill_batch(ctx, d, 2, 1, waits[w], &ev,
                                               NULL),
                     want[w], "wait list %d", w);
        cr_expect(ev == (cl_event)&err, "an event came back");
        cr_expect_eq(clinit_enqueue_fill(ctx, &d[0].tensor, &d[0].init, 0,
                                         256, b0, 0, 1, waits[w], NULL),
                     want[w], "single fill, wait list %d", w);
    }
    cr_assert_eq(clFinish(clinit_ctx_queue(ctx)), CL_SUCCESS);
    for (int k = 0; k < 2; k++) {
        test_read(ctx, k ? b1 : b0, 0, sizeof back, back);
        for (size_t i = 0; i < sizeof back; i++)
            cr_assert_eq(back[i], 0xab, "buffer %d byte %zu written", k, i);
    }
    clReleaseEvent(foreign);
    clReleaseMemObject(b0);
    clReleaseMemObject(b1);
    clinit_ctx_destroy(other);
    clinit_ctx_destroy(ctx);
}

Test(batch, stream_of_names_is_fnv1a_64)
{
    /* pinned: these are part of the contract */
    cr_expect_eq(clinit_stream_of(""), 0xcbf29ce484222325ull);
    cr_expect_eq(clinit_stream_of("a"), 0xaf63dc4c8601ec8cull);
    cr_expect_eq(clinit_stream_of("h.3.attn.c_attn.weight"),
                 0x5da43c0de454f772ull); /* FNV-1a 64, computed apart */
    cr_expect_neq(clinit_stream_of("h.3.attn.c_attn.weight"),
                  clinit_stream_of("h.4.attn.c_attn.weight"));
}
