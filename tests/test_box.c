/* test_box.c - box fills and shard placements (docs/SHARDS.md):
 *  - a box fill equals the same slice of the whole fill, gathered here
 *    element by element from clinit_fill_host_all, for every method x
 *    every dtype over 1-D to 5-D odd shapes and random boxes (empty ones
 *    included), on the host, into a device buffer at an offset between
 *    guard bytes, and as one device batch and one host batch;
 *  - thin column boxes whose run edges fall inside blocks and 16-element
 *    words (starts and lengths below a word, runs crossing blocks, rows
 *    sharing a block), every method x dtype, on every CPU variant this
 *    machine runs and on the device, and boxes of more runs than one
 *    device item holds;
 *  - boxes whose global indices cross 2^32 of a [2^20, 2^13] tensor that
 *    is never allocated, against clinit_fill_host ranges row by row;
 *  - torch.chunk's split (sizes 0..12 x world 1..8, the table printed by
 *    torch 1.13) and DTensor-style shards: for world 1..8 and every dim
 *    the shards reassemble to the whole, and 2-D meshes cover it once;
 *  - (ctest box_gpu_shape runs it all again with the GPU-shaped kernels)
 *  - how a box becomes runs (a row slab is one run, a column slab one run
 *    per row) and the error statuses, destination untouched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static clinit_ctx *dev;

static void setup(void)
{
    dev = test_opencl_ctx();
}
static void teardown(void)
{
    clinit_ctx_destroy(dev);
}

/* 540 s: the GPU-shaped run on pocl takes minutes on a loaded 2-core machine */
TestSuite(box, .init = setup, .fini = teardown, .timeout = 540);

static const clinit_dtype dtypes[] = {CLINIT_F32,    CLINIT_F16,
                                      CLINIT_BF16,   CLINIT_F64,
                                      CLINIT_F8E4M3, CLINIT_F8E5M2};
#define NDT (sizeof dtypes / sizeof dtypes[0])

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    cr_assert(p != NULL, "out of memory (%zu bytes)", n);
    return p;
}

/* A small deterministic generator for the random boxes. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rnd(uint64_t n)
{
    rng_state = rng_state * 6364136223846793005u + 1442695040888963407u;
    return n ? (rng_state >> 33) % n : 0;
}

typedef struct shape {
    int ndim;
    int64_t d[5];
} shape;

static const shape any_shapes[] = {{1, {203}},
                                   {2, {37, 41}},
                                   {3, {10, 13, 11}},
                                   {4, {6, 5, 3, 7}},
                                   {5, {4, 3, 3, 5, 5}}};
static const shape two_d[] = {{2, {37, 41}}, {2, {130, 7}}};
static const shape dirac_shapes[] = {
    {3, {10, 13, 11}}, {4, {6, 5, 3, 7}}, {5, {4, 3, 3, 5, 5}}};
static const shape ortho_shapes[] = {{2, {37, 41}}, {3, {41, 5, 3}}};

static const shape *shapes_for(clinit_method m, size_t *n)
{
    switch (m) {
    case CLINIT_SPARSE:
    case CLINIT_EYE:
        *n = 2;
        return two_d;
    case CLINIT_DIRAC:
        *n = 3;
        return dirac_shapes;
    case CLINIT_ORTHOGONAL:
        *n = 2;
        return ortho_shapes;
    default:
        *n = 5;
        return any_shapes;
    }
}

static clinit_init init_for(clinit_method m)
{
    clinit_init in = test_init(m);
    if (m == CLINIT_CONSTANT)
        in.val = 0.1;
    if (m == CLINIT_SPARSE)
        in.sparsity = 0.3;
    if (m == CLINIT_DIRAC)
        in.groups = 2; /* every dirac shape has an even out dim */
    return in;
}

/* Box k of a shape: 0 the whole, 1 empty, 2 a single element, 3 a row
 * slab, then random sub-boxes. */
static clinit_box box_for(const clinit_tensor *t, int k)
{
    clinit_box b;
    cr_assert_eq(clinit_box_full(t->ndim, t->shape, &b), CLINIT_OK);
    for (int d = 0; d < t->ndim; d++) {
        int64_t s = t->shape[d];
        if (k == 1 && d == t->ndim - 1)
            b.start[d] = (int64_t)rnd((uint64_t)s + 1), b.count[d] = 0;
        else if (k == 2)
            b.start[d] = (int64_t)rnd((uint64_t)s), b.count[d] = 1;
        else if (k == 3 && d == 0)
            b.start[d] = s / 3, b.count[d] = s - s / 3 - (s > 2);
        else if (k >= 4) {
            b.start[d] = (int64_t)rnd((uint64_t)s);
            b.count[d] = 1 + (int64_t)rnd((uint64_t)(s - b.start[d]));
        }
    }
    return b;
}
#define NBOX 8

/* The box's elements gathered from the whole tensor `all` (row-major),
 * with the index arithmetic written out independently of src/box.c. */
static uint64_t gather(const clinit_tensor *t, const clinit_box *b,
                       const unsigned char *all, unsigned char *out)
{
    size_t es = clinit_dtype_size(t->dtype);
    int64_t idx[CLINIT_MAX_DIMS] = {0};
    uint64_t n = 1, k;
    for (int d = 0; d < t->ndim; d++)
        n *= (uint64_t)b->count[d];
    for (k = 0; k < n; k++) {
        uint64_t flat = 0;
        for (int d = 0; d < t->ndim; d++)
            flat = flat * (uint64_t)t->shape[d] +
                   (uint64_t)(b->start[d] + idx[d]);
        memcpy(out + k * es, all + flat * es, es);
        for (int d = t->ndim - 1; d >= 0; d--) {
            if (++idx[d] < b->count[d])
                break;
            idx[d] = 0;
        }
    }
    return n;
}

/* Host, device and batch box fills of every box of (t, in) against the
 * gathered slices; returns the number of boxes checked. */
static int check_tensor(const clinit_tensor *t, const clinit_init *in,
                        const char *what)
{
    size_t es = clinit_dtype_size(t->dtype), guard = 5, off = 3;
    uint64_t numel, total = 0, nk[NBOX];
    clinit_box boxes[NBOX];
    unsigned char *all, *ref, *got, *dv;
    clinit_fill_box_desc ds[NBOX];
    cl_mem buf;
    cl_event ev;
    clinit_status st;
    size_t nb = 0;

    cr_assert_eq(clinit_numel(t, &numel), CLINIT_OK);
    all = xmalloc(numel * es);
    st = clinit_fill_host_all(NULL, t, in, all);
    if (st != CLINIT_OK) { /* e.g. ESUPPORT: the box says the same */
        clinit_box b = box_for(t, 0);
        cr_expect_eq(clinit_fill_host_box(NULL, t, in, &b, all), st, "%s",
                     what);
        free(all);
        return 0;
    }
    for (int k = 0; k < NBOX; k++) {
        boxes[k] = box_for(t, k);
        cr_assert_eq(clinit_box_numel(t, &boxes[k], &nk[k]), CLINIT_OK);
        total += nk[k];
    }
    ref = xmalloc(total * es);
    got = xmalloc((total + guard) * es);
    dv = xmalloc((off + total + guard) * es);
    /* host, one box at a time, with guard bytes after it */
    for (int k = 0, at = 0; k < NBOX; at += (int)nk[k], k++) {
        unsigned char *r = ref + (size_t)at * es;
        cr_assert_eq(gather(t, &boxes[k], all, r), nk[k]);
        memset(got, 0x5a, (nk[k] + guard) * es);
        cr_assert_eq(clinit_fill_host_box(NULL, t, in, &boxes[k], got),
                     CLINIT_OK, "%s box %d", what, k);
        cr_expect(memcmp(got, r, nk[k] * es) == 0, "%s: host box %d", what,
                  k);
        for (size_t i = nk[k] * es; i < (nk[k] + guard) * es; i++)
            cr_assert_eq(got[i], 0x5a, "%s: host box %d overran", what, k);
    }
    /* host batch: all boxes back to back */
    memset(&ds, 0, sizeof ds);
    for (int k = 0, at = 0; k < NBOX; at += (int)nk[k], k++) {
        ds[k].tensor = *t;
        ds[k].init = *in;
        ds[k].box = boxes[k];
        ds[k].host = got + (size_t)at * es;
    }
    cr_assert_eq(clinit_fill_host_box_batch(NULL, ds, NBOX, NULL), CLINIT_OK);
    cr_expect(memcmp(got, ref, total * es) == 0, "%s: host batch", what);
    if (t->dtype == CLINIT_F64 && !test_has_fp64(dev))
        goto out;
    /* device: one box at a time at an offset, then one batch */
    buf = test_buffer(dev, (off + total + guard) * es, 0x7f);
    for (int k = 0, at = 0; k < NBOX; at += (int)nk[k], k++) {
        cr_assert_eq(clinit_enqueue_fill_box(dev, t, in, &boxes[k], buf,
                                             off + (size_t)at, 0, NULL, &ev),
                     CLINIT_OK, "%s box %d: %s", what, k,
                     clinit_ctx_build_log(dev));
        cr_assert_eq(clWaitForEvents(1, &ev), CL_SUCCESS);
        clReleaseEvent(ev);
    }
    test_read(dev, buf, 0, (off + total + guard) * es, dv);
    for (size_t i = 0; i < off * es; i++)
        cr_assert_eq(dv[i], 0x7f, "%s: wrote before the offset", what);
    for (size_t i = (off + total) * es; i < (off + total + guard) * es; i++)
        cr_assert_eq(dv[i], 0x7f, "%s: wrote past the end", what);
    cr_expect(memcmp(dv + off * es, ref, total * es) == 0, "%s: device",
              what);
    clReleaseMemObject(buf);
    buf = test_buffer(dev, (off + total + guard) * es, 0x7f);
    for (int k = 0, at = 0; k < NBOX; at += (int)nk[k], k++) {
        ds[k].host = NULL;
        ds[k].buf = buf;
        ds[k].offset = off + (size_t)at;
    }
    cr_assert_eq(clinit_enqueue_fill_box_batch(dev, ds, NBOX, 0, NULL, &ev,
                                               NULL),
                 CLINIT_OK);
    cr_assert_eq(clWaitForEvents(1, &ev), CL_SUCCESS);
    clReleaseEvent(ev);
    test_read(dev, buf, 0, (off + total + guard) * es, dv);
    cr_expect(memcmp(dv + off * es, ref, total * es) == 0,
              "%s: device batch", what);
    clReleaseMemObject(buf);
out:
    free(all);
    free(ref);
    free(got);
    free(dv);
    nb = NBOX;
    return (int)nb;
}

Test(box, every_method_and_dtype_equals_the_slice)
{
    int checked = 0;
    for (int m = 0; m < CLINIT_METHOD_COUNT; m++) {
        size_t ns;
        const shape *sh;
        clinit_init in;
        if (!clinit_method_name((clinit_method)m))
            continue;
        sh = shapes_for((clinit_method)m, &ns);
        in = init_for((clinit_method)m);
        for (size_t s = 0; s < ns; s++)
            for (size_t k = 0; k < NDT; k++) {
                char what[160];
                clinit_tensor t = test_tensor(sh[s].ndim, sh[s].d,
                                              1234 + k, 77 + s);
                t.dtype = dtypes[k];
                if (sh[s].ndim < 2 &&
                    clinit_resolve(&t, &in, &(clinit_resolved){0}) ==
                        CLINIT_EFANS)
                    continue;
                snprintf(what, sizeof what, "%s %s %d-D",
                         clinit_method_name((clinit_method)m),
                         clinit_dtype_name(dtypes[k]), sh[s].ndim);
                checked += check_tensor(&t, &in, what);
            }
    }
    cr_log_info("%d boxes checked", checked);
    cr_assert_gt(checked, 1000);
}

/* The boxes of `nb` in one host batch (CPU variant in use) and one device
 * batch, each against the gathered slices of the whole fill `all`. */
static void check_boxes(const clinit_tensor *t, const clinit_init *in,
                        const clinit_box *bx, size_t nb,
                        const unsigned char *all, int device, const char *what)
{
    size_t es = clinit_dtype_size(t->dtype), total = 0, at = 0;
    clinit_fill_box_desc ds[64];
    unsigned char *ref, *got;
    cl_mem buf = NULL;
    cl_event ev;
    cr_assert(nb <= 64);
    memset(ds, 0, sizeof ds);
    for (size_t k = 0; k < nb; k++) {
        uint64_t n;
        cr_assert_eq(clinit_box_numel(t, &bx[k], &n), CLINIT_OK);
        total += (size_t)n;
    }
    ref = xmalloc(total * es);
    got = xmalloc(total * es);
    memset(got, 0x5a, total * es);
    if (device)
        buf = test_buffer(dev, total * es, 0x7f);
    for (size_t k = 0; k < nb; k++) {
        ds[k].tensor = *t;
        ds[k].init = *in;
        ds[k].box = bx[k];
        ds[k].host = device ? NULL : got + at * es;
        ds[k].buf = buf;
        ds[k].offset = at;
        at += (size_t)gather(t, &bx[k], all, ref + at * es);
    }
    if (!device) {
        cr_assert_eq(clinit_fill_host_box_batch(NULL, ds, nb, NULL), CLINIT_OK);
    } else {
        cr_assert_eq(clinit_enqueue_fill_box_batch(dev, ds, nb, 0, NULL, &ev,
                                                   NULL),
                     CLINIT_OK, "%s: %s", what, clinit_ctx_build_log(dev));
        cr_assert_eq(clWaitForEvents(1, &ev), CL_SUCCESS);
        clReleaseEvent(ev);
        test_read(dev, buf, 0, total * es, got);
        clReleaseMemObject(buf);
    }
    for (size_t k = 0; k < nb; k++) {
        size_t o = (size_t)ds[k].offset * es;
        size_t e = k + 1 < nb ? (size_t)ds[k + 1].offset * es : total * es;
        cr_expect(memcmp(got + o, ref + o, e - o) == 0,
                  "%s: %s box %zu (cols %lld + %lld)", what,
                  device ? "device" : "host", k, (long long)bx[k].start[1],
                  (long long)bx[k].count[1]);
    }
    free(ref);
    free(got);
}

/* Thin column boxes whose run edges fall inside blocks and 16-element
 * words: odd starts, lengths 1 .. 15, a word exactly, runs crossing a
 * block boundary, over rows whose stride is a multiple of the block (768),
 * odd (203) and shorter than a block (40: runs share blocks); every
 * method x dtype, on every CPU variant this machine runs and the device. */
Test(box, thin_runs_with_edges_inside_blocks_and_words)
{
    static const int64_t cols[] = {768, 203, 40};
    static const int64_t spans[][2] = {
        {0, 1},  {1, 1},  {15, 1}, {16, 1},  {17, 3},  {5, 15},  {16, 16},
        {31, 2}, {60, 10}, {63, 2}, {33, 30}, {7, 26}, {0, 40}, {1, 39}};
    static const clinit_method methods[] = {
        CLINIT_UNIFORM, CLINIT_NORMAL, CLINIT_TRUNC_NORMAL, CLINIT_CONSTANT,
        CLINIT_SPARSE, CLINIT_EYE, CLINIT_KAIMING_NORMAL};
    int best = clinit_cpu_isa(), checked = 0;
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++)
        for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++)
            for (size_t k = 0; k < NDT; k++) {
                int64_t shape[2] = {9, cols[c]};
                clinit_tensor t = test_tensor(2, shape, 31 + m, 3 + k);
                clinit_init in = init_for(methods[m]);
                clinit_box bx[64];
                size_t nb = 0, es = clinit_dtype_size(dtypes[k]);
                unsigned char *all;
                char what[160];
                t.dtype = dtypes[k];
                all = xmalloc((size_t)(9 * cols[c]) * es);
                if (clinit_fill_host_all(NULL, &t, &in, all) != CLINIT_OK) {
                    free(all); /* e.g. ESUPPORT for this dtype */
                    continue;
                }
                for (size_t i = 0; i < sizeof spans / sizeof spans[0]; i++) {
                    if (spans[i][0] + spans[i][1] > cols[c])
                        continue;
                    cr_assert_eq(clinit_box_full(2, shape, &bx[nb]), CLINIT_OK);
                    bx[nb].start[0] = (int64_t)(i % 3);
                    bx[nb].count[0] = 9 - (int64_t)(i % 3) - (int64_t)(i % 2);
                    bx[nb].start[1] = spans[i][0] + (cols[c] > 300 ? 288 : 0);
                    bx[nb++].count[1] = spans[i][1];
                }
                snprintf(what, sizeof what, "%s %s [9, %lld]",
                         clinit_method_name(methods[m]),
                         clinit_dtype_name(dtypes[k]), (long long)cols[c]);
                for (int isa = CLINIT_ISA_GENERIC; isa <= best; isa++) {
                    clinit_cpu_force_isa(isa);
                    check_boxes(&t, &in, bx, nb, all, 0, what);
                }
                clinit_cpu_force_isa(-1);
                if (t.dtype != CLINIT_F64 || test_has_fp64(dev))
                    check_boxes(&t, &in, bx, nb, all, 1, what);
                checked += (int)nb;
                free(all);
            }
    cr_log_info("%d thin boxes checked", checked);
    cr_assert_gt(checked, 1000);
}

/* More runs than one device item holds (CLINIT_MAX_RUNS_PER_ITEM = 2^16):
 * 70001 runs of 1 and of 3 elements, alone and batched with a small box. */
Test(box, more_runs_than_one_item)
{
    const int64_t shape[2] = {70001, 5};
    const clinit_dtype dts[] = {CLINIT_F32, CLINIT_BF16};
    for (size_t k = 0; k < 2; k++) {
        clinit_tensor t = test_tensor(2, shape, 5, 6 + k);
        clinit_init in = init_for(CLINIT_NORMAL);
        clinit_box bx[3];
        unsigned char *all;
        t.dtype = dts[k];
        all = xmalloc(70001 * 5 * clinit_dtype_size(t.dtype));
        cr_assert_eq(clinit_fill_host_all(NULL, &t, &in, all), CLINIT_OK);
        for (int b = 0; b < 3; b++)
            cr_assert_eq(clinit_box_full(2, shape, &bx[b]), CLINIT_OK);
        bx[0].start[1] = 2;
        bx[0].count[1] = 1;
        bx[1].start[0] = 3;
        bx[1].count[0] = 70001 - 3;
        bx[1].start[1] = 1;
        bx[1].count[1] = 3;
        bx[2].start[0] = 1000;
        bx[2].count[0] = 2;
        bx[2].start[1] = 4;
        bx[2].count[1] = 1;
        for (int device = 0; device < 2; device++) {
            check_boxes(&t, &in, bx, 1, all, device, "70001 x 1");
            check_boxes(&t, &in, bx + 1, 1, all, device, "69998 x 3");
            check_boxes(&t, &in, bx, 3, all, device, "a batch of three");
        }
        free(all);
    }
}

/* [2^20, 2^13]: 2^33 elements, never allocated. Box rows are checked
 * against clinit_fill_host of the same global range. */
Test(box, indices_past_2_32)
{
    const int64_t shape[2] = {INT64_C(1) << 20, INT64_C(1) << 13};
    const clinit_method methods[] = {CLINIT_NORMAL, CLINIT_KAIMING_UNIFORM,
                                     CLINIT_TRUNC_NORMAL, CLINIT_EYE,
                                     CLINIT_CONSTANT};
    /* rows across 2^32 / 2^13 = 2^19, and the last rows */
    const clinit_box boxes[] = {{2, {(1 << 19) - 2, 5}, {4, 70}},
                                {2, {(1 << 20) - 3, (1 << 13) - 100}, {3, 100}},
                                {2, {(1 << 19) - 1, 0}, {2, 1 << 13}}};
    for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++)
        for (size_t k = 0; k < NDT; k++)
            for (size_t b = 0; b < sizeof boxes / sizeof boxes[0]; b++) {
                clinit_tensor t = test_tensor(2, shape, 99, 5 + k);
                clinit_init in = init_for(methods[m]);
                const clinit_box *x = &boxes[b];
                size_t es = clinit_dtype_size(dtypes[k]);
                uint64_t n, w = (uint64_t)x->count[1];
                unsigned char *ref, *h, *d;
                cl_mem buf;
                t.dtype = dtypes[k];
                cr_assert_eq(clinit_box_numel(&t, x, &n), CLINIT_OK);
                ref = xmalloc(n * es);
                h = xmalloc(n * es);
                d = xmalloc(n * es);
                for (int64_t r = 0; r < x->count[0]; r++) {
                    uint64_t lo = (uint64_t)(x->start[0] + r) << 13 |
                                  (uint64_t)x->start[1];
                    cr_assert_eq(clinit_fill_host(NULL, &t, &in, lo, lo + w,
                                                  ref + r * w * es),
                                 CLINIT_OK);
                }
                cr_assert_eq(clinit_fill_host_box(NULL, &t, &in, x, h),
                             CLINIT_OK);
                cr_expect(memcmp(h, ref, n * es) == 0, "host %s %s box %zu",
                          clinit_method_name(methods[m]),
                          clinit_dtype_name(dtypes[k]), b);
                if (dtypes[k] != CLINIT_F64 || test_has_fp64(dev)) {
                    buf = test_buffer(dev, n * es, 0);
                    cr_assert_eq(clinit_enqueue_fill_box(dev, &t, &in, x, buf,
                                                         0, 0, NULL, NULL),
                                 CLINIT_OK);
                    test_read(dev, buf, 0, n * es, d);
                    cr_expect(memcmp(d, ref, n * es) == 0,
                              "device %s %s box %zu",
                              clinit_method_name(methods[m]),
                              clinit_dtype_name(dtypes[k]), b);
                    clReleaseMemObject(buf);
                }
                free(ref);
                free(h);
                free(d);
            }
}

/* torch.chunk(torch.arange(size), world) sizes, size 0..12 and world
 * 1..8, padded with 0 to `world` entries (DTensor's Shard), as printed by
 * /usr/bin/python3 with torch 1.13 (tests/test_shard.py checks the CLI
 * against torch itself). */
static void torch_chunk(int64_t size, int64_t world, int64_t *out)
{
    int64_t c = (size + world - 1) / world, left = size;
    for (int64_t r = 0; r < world; r++) {
        out[r] = left < c ? left : c;
        left -= out[r];
    }
}

Test(box, shard_helper_is_torch_chunk)
{
    /* rows of torch.chunk's sizes that surprise: fewer chunks than asked */
    static const struct {
        int64_t size, world, sizes[8];
    } known[] = {{10, 4, {3, 3, 3, 1}},       {5, 4, {2, 2, 1, 0}},
                 {6, 4, {2, 2, 2, 0}},        {7, 8, {1, 1, 1, 1, 1, 1, 1, 0}},
                 {0, 3, {0, 0, 0}},           {1, 3, {1, 0, 0}},
                 {9, 3, {3, 3, 3}},           {12, 5, {3, 3, 3, 3, 0}},
                 {11, 8, {2, 2, 2, 2, 2, 1, 0, 0}}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        int64_t ref[8];
        torch_chunk(known[i].size, known[i].world, ref);
        for (int64_t r = 0; r < known[i].world; r++)
            cr_assert_eq(ref[r], known[i].sizes[r]);
    }
    for (int64_t size = 1; size <= 12; size++)
        for (int64_t w = 1; w <= 8; w++) {
            int64_t ref[8], at = 0;
            torch_chunk(size, w, ref);
            for (int64_t r = 0; r < w; r++) {
                int64_t shape[2] = {3, size};
                clinit_box b;
                cr_assert_eq(clinit_shard_box(2, shape, 1, r, w, &b),
                             CLINIT_OK);
                cr_expect_eq(b.count[1], ref[r], "size %lld world %lld rank %lld",
                             (long long)size, (long long)w, (long long)r);
                cr_expect_eq(b.start[1], at);
                cr_expect_eq(b.start[0], 0);
                cr_expect_eq(b.count[0], 3);
                at += ref[r];
            }
        }
}

/* Scatters the box's dense values into the whole-tensor buffer. */
static void scatter(const clinit_tensor *t, const clinit_box *b,
                    const unsigned char *v, unsigned char *all)
{
    size_t es = clinit_dtype_size(t->dtype);
    int64_t idx[CLINIT_MAX_DIMS] = {0};
    uint64_t n = 1;
    for (int d = 0; d < t->ndim; d++)
        n *= (uint64_t)b->count[d];
    for (uint64_t k = 0; k < n; k++) {
        uint64_t flat = 0;
        for (int d = 0; d < t->ndim; d++)
            flat = flat * (uint64_t)t->shape[d] +
                   (uint64_t)(b->start[d] + idx[d]);
        memcpy(all + flat * es, v + k * es, es);
        for (int d = t->ndim - 1; d >= 0; d--) {
            if (++idx[d] < b->count[d])
                break;
            idx[d] = 0;
        }
    }
}

/* DTensor Shard(d) for world 1..8 and every d, and 2-D meshes (Shard(a),
 * Shard(b)) of 2 x 3 and 4 x 2: the shards cover the whole exactly. */
Test(box, shards_reassemble_to_the_whole)
{
    const int64_t shape[3] = {13, 7, 10};
    clinit_tensor t = test_tensor(3, shape, 42, 7);
    clinit_init in = init_for(CLINIT_XAVIER_NORMAL);
    uint64_t n;
    unsigned char *all, *re, *part;
    cr_assert_eq(clinit_numel(&t, &n), CLINIT_OK);
    all = xmalloc(n * 4);
    re = xmalloc(n * 4);
    part = xmalloc(n * 4);
    cr_assert_eq(clinit_fill_host_all(NULL, &t, &in, all), CLINIT_OK);
    for (int d = 0; d < 3; d++)
        for (int64_t w = 1; w <= 8; w++) {
            uint64_t got = 0;
            memset(re, 0, n * 4);
            for (int64_t r = 0; r < w; r++) {
                clinit_box b;
                uint64_t k;
                cr_assert_eq(clinit_shard_box(3, shape, d, r, w, &b),
                             CLINIT_OK);
                cr_assert_eq(clinit_box_numel(&t, &b, &k), CLINIT_OK);
                cr_assert_eq(clinit_fill_host_box(NULL, &t, &in, &b, part),
                             CLINIT_OK);
                scatter(&t, &b, part, re);
                got += k;
            }
            cr_expect_eq(got, n);
            cr_expect(memcmp(re, all, n * 4) == 0, "dim %d world %lld", d,
                      (long long)w);
        }
    const int mesh[][4] = {{0, 2, 1, 3}, {1, 4, 2, 2}, {0, 2, 0, 3}};
    for (size_t m = 0; m < 3; m++) {
        uint64_t got = 0;
        memset(re, 0, n * 4);
        for (int a = 0; a < mesh[m][1]; a++)
            for (int b = 0; b < mesh[m][3]; b++) {
                clinit_box x;
                uint64_t k;
                cr_assert_eq(
                    clinit_shard_box(3, shape, mesh[m][0], a, mesh[m][1], &x),
                    CLINIT_OK);
                cr_assert_eq(
                    clinit_shard_box_of(&x, mesh[m][2], b, mesh[m][3], &x),
                    CLINIT_OK);
                cr_assert_eq(clinit_box_numel(&t, &x, &k), CLINIT_OK);
                cr_assert_eq(clinit_fill_host_box(NULL, &t, &in, &x, part),
                             CLINIT_OK);
                scatter(&t, &x, part, re);
                got += k;
            }
        cr_expect_eq(got, n, "mesh %zu", m);
        cr_expect(memcmp(re, all, n * 4) == 0, "mesh %zu", m);
    }
    free(all);
    free(re);
    free(part);
}

Test(box, runs_merge_whole_trailing_dims)
{
    const int64_t s2[2] = {50257, 768}, s4[4] = {6, 5, 3, 7};
    clinit_tensor t = test_tensor(2, s2, 1, 1), u = test_tensor(4, s4, 1, 1);
    clinit_box b;
    clinit_runs r;
    cr_assert_eq(clinit_shard_box(2, s2, 1, 3, 8, &b), CLINIT_OK);
    cr_assert_eq(clinit_runs_make(&t, &b, &r), CLINIT_OK);
    cr_expect_eq(r.n, 50257);
    cr_expect_eq(r.len, 96);
    cr_expect_eq(clinit_runs_lo(&r, 0), 288);
    cr_expect_eq(clinit_runs_lo(&r, 2), 2 * 768 + 288);
    cr_assert_eq(clinit_shard_box(2, s2, 0, 1, 4, &b), CLINIT_OK);
    cr_assert_eq(clinit_runs_make(&t, &b, &r), CLINIT_OK);
    cr_expect_eq(r.n, 1); /* a row slab is one run */
    cr_expect_eq(r.len, 12565 * 768);
    cr_expect_eq(r.base, 12565 * 768);
    /* [2:4, 1, :, :] of [6, 5, 3, 7]: dim 1 has count 1, dims 2-3 whole */
    b = (clinit_box){4, {2, 1, 0, 0}, {2, 1, 3, 7}};
    cr_assert_eq(clinit_runs_make(&u, &b, &r), CLINIT_OK);
    cr_expect_eq(r.n, 2);
    cr_expect_eq(r.len, 21);
    cr_expect_eq(clinit_runs_lo(&r, 1), 3 * 105 + 21);
    b = (clinit_box){4, {0, 0, 0, 0}, {6, 5, 3, 7}};
    cr_assert_eq(clinit_runs_make(&u, &b, &r), CLINIT_OK);
    cr_expect_eq(r.n, 1);
    cr_expect_eq(r.len, 630);
    b.count[2] = 0;
    cr_assert_eq(clinit_runs_make(&u, &b, &r), CLINIT_OK);
    cr_expect_eq(r.n, 0);
}

Test(box, errors_leave_the_destination_untouched)
{
    const int64_t shape[3] = {5, 6, 7};
    clinit_tensor t = test_tensor(3, shape, 1, 2);
    clinit_init in = init_for(CLINIT_NORMAL);
    clinit_box good, b;
    clinit_ctx *cpu = NULL;
    unsigned char dst[1024], zero[1024];
    cl_mem buf;
    uint64_t n;
    clinit_fill_box_desc ds[2];
    size_t bad = 99;
    const struct {
        int dim;
        int64_t start, count;
    } bad_boxes[] = {{0, -1, 2}, {1, 0, -1}, {2, 3, 5}, {0, 5, 1}, {2, 0, 8}};

    memset(zero, 0xee, sizeof zero);
    cr_assert_eq(clinit_box_full(3, shape, &good), CLINIT_OK);
    for (size_t i = 0; i < sizeof bad_boxes / sizeof bad_boxes[0]; i++) {
        b = good;
        b.start[bad_boxes[i].dim] = bad_boxes[i].start;
        b.count[bad_boxes[i].dim] = bad_boxes[i].count;
        memset(dst, 0xee, sizeof dst);
        cr_expect_eq(clinit_fill_host_box(NULL, &t, &in, &b, dst), CLINIT_EBOX,
                     "bad box %zu", i);
        cr_expect_eq(clinit_box_numel(&t, &b, &n), CLINIT_EBOX);
        cr_expect(memcmp(dst, zero, sizeof dst) == 0);
    }
    b = good;
    b.ndim = 2;
    cr_expect_eq(clinit_fill_host_box(NULL, &t, &in, &b, dst), CLINIT_EBOX);
    cr_expect_eq(clinit_fill_host_box(NULL, NULL, &in, &good, dst),
                 CLINIT_ENULL);
    cr_expect_eq(clinit_fill_host_box(NULL, &t, &in, NULL, dst), CLINIT_ENULL);
    cr_expect_eq(clinit_fill_host_box(NULL, &t, &in, &good, NULL),
                 CLINIT_ENULL);
    t.shape[1] = 0;
    cr_expect_eq(clinit_fill_host_box(NULL, &t, &in, &good, dst),
                 CLINIT_ESHAPE);
    t.shape[1] = 6;
    /* shards */
    cr_expect_eq(clinit_shard_box(3, shape, 3, 0, 2, &b), CLINIT_EBOX);
    cr_expect_eq(clinit_shard_box(3, shape, -1, 0, 2, &b), CLINIT_EBOX);
    cr_expect_eq(clinit_shard_box(3, shape, 0, 2, 2, &b), CLINIT_EBOX);
    cr_expect_eq(clinit_shard_box(3, shape, 0, -1, 2, &b), CLINIT_EBOX);
    cr_expect_eq(clinit_shard_box(3, shape, 0, 0, 0, &b), CLINIT_EBOX);
    cr_expect_eq(clinit_shard_box(0, shape, 0, 0, 1, &b), CLINIT_ESHAPE);
    cr_expect_eq(clinit_shard_box(3, NULL, 0, 0, 1, &b), CLINIT_ENULL);
    cr_expect_eq(clinit_shard_box_of(NULL, 0, 0, 1, &b), CLINIT_ENULL);
    b = good;
    b.count[1] = -2;
    cr_expect_eq(clinit_shard_box_of(&b, 0, 0, 1, &b), CLINIT_EBOX);
    /* device: a CPU context, a buffer too small, a bad box in a batch */
    cr_assert_eq(clinit_ctx_create(&cpu, &(clinit_ctx_options){.device = "cpu"}),
                 CLINIT_OK);
    buf = test_buffer(dev, 4 * 210, 0xee);
    cr_expect_eq(clinit_enqueue_fill_box(cpu, &t, &in, &good, buf, 0, 0, NULL,
                                         NULL),
                 CLINIT_ENODEVICE);
    cr_expect_eq(clinit_enqueue_fill_box(dev, &t, &in, &good, buf, 1, 0, NULL,
                                         NULL),
                 CLINIT_EBUFFER);
    memset(ds, 0, sizeof ds);
    ds[0].tensor = ds[1].tensor = t;
    ds[0].init = ds[1].init = in;
    cr_assert_eq(clinit_shard_box(3, shape, 0, 0, 2, &ds[0].box), CLINIT_OK);
    ds[1].box = good;
    ds[1].box.start[2] = 1;
    ds[0].buf = ds[1].buf = buf;
    ds[1].offset = 105;
    cr_expect_eq(clinit_enqueue_fill_box_batch(dev, ds, 2, 0, NULL, NULL, &bad),
                 CLINIT_EBOX);
    cr_expect_eq(bad, 1);
    test_read(dev, buf, 0, 4 * 210, dst);
    cr_expect(memcmp(dst, zero, 4 * 210) == 0, "a refused batch wrote");
    ds[0].host = dst;
    ds[1].host = dst + 512;
    bad = 99;
    cr_expect_eq(clinit_fill_host_box_batch(NULL, ds, 2, &bad), CLINIT_EBOX);
    cr_expect_eq(bad, 1);
    cr_expect(memcmp(dst, zero, sizeof dst) == 0, "a refused batch wrote");
    clReleaseMemObject(buf);
    clinit_ctx_destroy(cpu);
}
