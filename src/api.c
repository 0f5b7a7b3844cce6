/* api.c - the fill entry points: validate and plan every fill
 * (src/resolve.c), then call down: host memory to the CPU backend
 * (src/cpu/backend.c, orthogonal_ to src/ortho.c), device buffers to the
 * context's device backend (src/backend.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"

static unsigned threads_of(const clinit_ctx *ctx)
{
    return ctx ? ctx->cpu_threads : 0;
}

clinit_status clinit_fill_host(clinit_ctx *ctx, const clinit_tensor *t,
                               const clinit_init *init, uint64_t lo,
                               uint64_t hi, void *dst)
{
    clinit_plan plan;
    clinit_status st;
    if (!t || !init || !dst)
        return CLINIT_ENULL;
    if ((st = clinit_plan_make(t, init, lo, hi, &plan)) != CLINIT_OK)
        return st;
    if (hi - lo > SIZE_MAX / clinit_dtype_size(t->dtype))
        return CLINIT_EOVERFLOW;
    if (plan.dist == CLINIT_DIST_ORTHOGONAL)
        return clinit_ortho_fill(&plan, threads_of(ctx), dst);
    return clinit_cpu_fill(&plan, threads_of(ctx), dst);
}

clinit_status clinit_fill_host_batch(clinit_ctx *ctx,
                                     const clinit_fill_desc *descs, size_t n,
                                     size_t *bad_index)
{
    clinit_plan plan;
    if (n > 0 && !descs)
        return CLINIT_ENULL;
    /* validate everything before writing anything */
    for (size_t i = 0; i < n; i++) {
        const clinit_fill_desc *d = &descs[i];
        clinit_status st = !d->host ? CLINIT_ENULL
                                    : clinit_plan_make(&d->tensor, &d->init,
                                                       d->lo, d->hi, &plan);
        if (st == CLINIT_OK &&
            d->hi - d->lo > SIZE_MAX / clinit_dtype_size(d->tensor.dtype))
            st = CLINIT_EOVERFLOW;
        if (st != CLINIT_OK) {
            if (bad_index)
                *bad_index = i;
            return st;
        }
    }
    for (size_t i = 0; i < n; i++) {
        const clinit_fill_desc *d = &descs[i];
        clinit_status st =
            clinit_fill_host(ctx, &d->tensor, &d->init, d->lo, d->hi, d->host);
        if (st != CLINIT_OK) { /* ENOMEM in orthogonal: cannot be undone */
            if (bad_index)
                *bad_index = i;
            return st;
        }
    }
    return CLINIT_OK;
}

/* items[0..n) to the device; orthogonal ones (whole boxes among them)
 * are computed on the host first (their buffers, and any host buffer an
 * item comes with, are freed here). */
clinit_status clinit_enqueue_items(clinit_ctx *ctx, clinit_item *items,
                                   size_t n, cl_uint num_wait,
                                   const cl_event *wait, cl_event *out_event)
{
    clinit_status st = CLINIT_OK;
    for (size_t i = 0; i < n && st == CLINIT_OK; i++) {
        clinit_plan *p = &items[i].plan;
        const clinit_runs *r = items[i].runs;
        uint64_t n = r ? r->n * r->len : p->hi - p->lo;
        void *host;
        if (p->dist != CLINIT_DIST_ORTHOGONAL || items[i].host)
            continue;
        host = malloc((size_t)n * clinit_dtype_size(p->dtype));
        st = !host ? CLINIT_ENOMEM
             : r   ? clinit_box_ortho(p, r, ctx->cpu_threads, host)
                   : clinit_ortho_fill(p, ctx->cpu_threads, host);
        items[i].host = host;
        if (r) { /* now the dense box: one write */
            items[i].runs = NULL;
            p->lo = 0;
            p->hi = n;
        }
    }
    if (st == CLINIT_OK)
        st = ctx->dev->ops->enqueue(ctx->dev, items, n, num_wait, wait,
                                    out_event);
    for (size_t i = 0; i < n; i++)
        free((void *)items[i].host);
    return st;
}

/* Plans descs[i] into *it and checks it against the device. */
static clinit_status plan_item(clinit_ctx *ctx, const clinit_fill_desc *d,
                               clinit_item *it)
{
    clinit_status st = d->buf ? clinit_plan_make(&d->tensor, &d->init, d->lo,
                                                 d->hi, &it->plan)
                              : CLINIT_ENULL;
    if (st == CLINIT_OK)
        st = ctx->dev->ops->check_item(ctx->dev, &it->plan, d->buf, d->offset);
    it->buf = d->buf;
    it->offset = d->offset;
    it->host = NULL;
    return st;
}

clinit_status clinit_enqueue_batch_check(clinit_ctx *ctx, size_t n,
                                        const void *descs, cl_uint num_wait,
                                        const cl_event *wait)
{
    if (!ctx || (n > 0 && !descs) || (num_wait > 0 && !wait))
        return CLINIT_ENULL;
    if (!ctx->dev)
        return CLINIT_ENODEVICE;
    return ctx->dev->ops->check_wait(ctx->dev, num_wait, wait);
}

clinit_status clinit_enqueue_fill_batch(clinit_ctx *ctx,
                                        const clinit_fill_desc *descs, size_t n,
                                        cl_uint num_wait, const cl_event *wait,
                                        cl_event *out_event, size_t *bad_index)
{
    clinit_item *items;
    size_t m = 0;
    clinit_status st;

    if ((st = clinit_enqueue_batch_check(ctx, n, descs, num_wait, wait)) !=
        CLINIT_OK)
        return st;
    if (!(items = calloc(n ? n : 1, sizeof *items)))
        return CLINIT_ENOMEM;
    /* validate everything before enqueueing anything */
    for (size_t i = 0; i < n; i++) {
        if ((st = plan_item(ctx, &descs[i], &items[m])) != CLINIT_OK) {
            if (bad_index)
                *bad_index = i;
            free(items);
            return st;
        }
        if (descs[i].hi > descs[i].lo)
            m++; /* empty ranges write nothing */
    }
    st = clinit_enqueue_items(ctx, items, m, num_wait, wait, out_event);
    free(items);
    return st;
}

clinit_status clinit_enqueue_fill(clinit_ctx *ctx, const clinit_tensor *t,
                                  const clinit_init *init, uint64_t lo,
                                  uint64_t hi, cl_mem buf, size_t offset,
                                  cl_uint num_wait, const cl_event *wait,
                                  cl_event *out_event)
{
    clinit_item it = {buf, offset, NULL, {0}, NULL, 0, 0};
    clinit_status st;
    if (!ctx || !t || !init || !buf || (num_wait > 0 && !wait))
        return CLINIT_ENULL;
    if ((st = clinit_plan_make(t, init, lo, hi, &it.plan)) != CLINIT_OK)
        return st;
    if (!ctx->dev)
        return CLINIT_ENODEVICE;
    /* a single fill is a batch of one: the same checks, the same launch */
    if ((st = ctx->dev->ops->check_wait(ctx->dev, num_wait, wait)) !=
            CLINIT_OK ||
        (st = ctx->dev->ops->check_item(ctx->dev, &it.plan, buf, offset)) !=
            CLINIT_OK)
        return st;
    return clinit_enqueue_items(ctx, &it, hi > lo ? 1 : 0, num_wait, wait, out_event);
}

clinit_status clinit_fill_host_all(clinit_ctx *ctx, const clinit_tensor *t,
                                   const clinit_init *init, void *dst)
{
    /* an invalid shape fails validation first, with the fill's own status */
    uint64_t numel = 0;
    (void)clinit_numel(t, &numel);
    return clinit_fill_host(ctx, t, init, 0, numel, dst);
}

clinit_status clinit_enqueue_fill_all(clinit_ctx *ctx, const clinit_tensor *t,
                                      const clinit_init *init, cl_mem buf,
                                      size_t offset, cl_uint num_wait,
                                      const cl_event *wait, cl_event *out_event)
{
    uint64_t numel = 0;
    (void)clinit_numel(t, &numel);
    return clinit_enqueue_fill(ctx, t, init, 0, numel, buf, offset, num_wait,
                               wait, out_event);
}

/* include/clinit.h's device API numbers are kernels/clinit_abi.h's */
typedef char clinit_device_abi_[(CLINIT_DEVICE_DESC_WORDS == CLINIT_DESC_WORDS &&
                                 CLINIT_DEVICE_API_VERSION ==
                                     CLINIT_DEV_API_VERSION &&
                                 CLINIT_STREAM_VERSION ==
                                     CLINIT_DEV_STREAM_VERSION)
                                    ? 1
                                    : -1];

clinit_status clinit_device_desc(const clinit_tensor *t, const clinit_init *init,
                                 uint64_t desc[CLINIT_DEVICE_DESC_WORDS])
{
    clinit_plan plan;
    uint64_t numel = 0, d[CLINIT_DESC_WORDS];
    clinit_status st;
    if (!t || !init || !desc)
        return CLINIT_ENULL;
    (void)clinit_numel(t, &numel);
    if ((st = clinit_plan_make(t, init, 0, numel, &plan)) != CLINIT_OK)
        return st;
    if (plan.dist == CLINIT_DIST_ORTHOGONAL)
        return CLINIT_EHOSTONLY;
    /* the whole tensor's descriptor, as the CPU backend's */
    clinit_plan_desc(&plan, 0, 0, d);
    d[CLINIT_DW_TAG] = CLINIT_DEV_TAG(plan.dtype);
    memcpy(desc, d, sizeof d);
    return CLINIT_OK;
}

clinit_status clinit_enqueue_philox_raw(clinit_ctx *ctx, const uint32_t key[2],
                                        const uint32_t counter[4],
                                        uint64_t nwords, cl_mem buf,
                                        size_t offset, cl_uint num_wait,
                                        const cl_event *wait,
                                        cl_event *out_event)
{
    if (!ctx || !key || !counter || !buf || (num_wait > 0 && !wait))
        return CLINIT_ENULL;
    if (!ctx->dev)
        return CLINIT_ENODEVICE;
    return ctx->dev->ops->raw_words(ctx->dev, key, counter, nwords, buf, offset,
                                    num_wait, wait, out_event, 0);
}

clinit_status clinit_philox_raw_device(clinit_ctx *ctx, const uint32_t key[2],
                                       const uint32_t counter[4],
                                       uint64_t nwords, cl_mem buf)
{
    if (!ctx || !key || !counter || !buf)
        return CLINIT_ENULL;
    if (!ctx->dev)
        return CLINIT_ENODEVICE;
    return ctx->dev->ops->raw_words(ctx->dev, key, counter, nwords, buf, 0, 0,
                                    NULL, NULL, 1);
}

clinit_status clinit_debug_math_device(clinit_ctx *ctx, int op,
                                       const uint32_t *in, size_t n, float *out)
{
    if (!ctx || !in || !out)
        return CLINIT_ENULL;
    if (n == 0 || n % 16 || op < 0)
        return CLINIT_ERANGE;
    if (!ctx->dev)
        return CLINIT_ENODEVICE;
    return ctx->dev->ops->probe(ctx->dev, 0, op, in, n * 4, out,
                                (op == 2 ? 2 * n : n) * 4, n / 16);
}

clinit_status clinit_debug_philox_device(clinit_ctx *ctx, const uint32_t *in,
                                         size_t npairs, uint32_t *out)
{
    if (!ctx || !in || !out)
        return CLINIT_ENULL;
    if (npairs == 0 || npairs % 16)
        return CLINIT_ERANGE;
    if (!ctx->dev)
        return CLINIT_ENODEVICE;
    return ctx->dev->ops->probe(ctx->dev, 1, -1, in, npairs * 24, out,
                                npairs * 16, npairs / 16);
}

unsigned clinit_debug_kernel_lanes(const clinit_ctx *ctx)
{
    return ctx && ctx->dev ? ctx->dev->kernel_lanes : 0;
}

int clinit_debug_program_cached(const clinit_ctx *ctx)
{
    return ctx && ctx->dev ? ctx->dev->program_cached : 0;
}
