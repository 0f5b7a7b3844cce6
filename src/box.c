/* box.c - box fills and shard placements (docs/SHARDS.md): a box of the
 * global tensor is a set of contiguous runs of its flat row-major index
 * (clinit_runs); host fills hand each thread its share of the runs
 * (src/cpu/backend.c), device fills hand them down as items of up to
 * CLINIT_MAX_RUNS_PER_ITEM runs, one descriptor and box map each
 * (src/backend.h), so a box is one launch and never a value of its own:
 * every element is the whole fill's. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"

clinit_status clinit_runs_make(const clinit_tensor *t, const clinit_box *box,
                               clinit_runs *r)
{
    int nd = t->ndim, k;
    uint64_t stride[CLINIT_MAX_DIMS] = {0}, s = 1, n = 1;
    if (box->ndim != nd)
        return CLINIT_EBOX;
    for (int d = nd - 1; d >= 0; d--) {
        if (box->start[d] < 0 || box->count[d] < 0 ||
            box->start[d] > t->shape[d] - box->count[d])
            return CLINIT_EBOX;
        stride[d] = s;
        s *= (uint64_t)t->shape[d];
    }
    memset(r, 0, sizeof *r);
    for (int d = 0; d < nd; d++)
        n = box->count[d] == 0 ? 0 : n;
    if (n == 0)
        return CLINIT_OK; /* empty: no runs */
    /* k: the innermost dimension the box does not span whole */
    for (k = nd - 1; k > 0 && box->count[k] == t->shape[k]; k--)
        ;
    r->len = (uint64_t)box->count[k] * stride[k];
    r->n = 1;
    for (int d = 0; d <= k; d++)
        r->base += (uint64_t)box->start[d] * stride[d];
    for (int d = 0; d < k; d++) {
        if (box->count[d] == 1)
            continue; /* adds no runs */
        r->cnt[r->nouter] = (uint64_t)box->count[d];
        r->stride[r->nouter++] = stride[d];
        r->n *= (uint64_t)box->count[d];
    }
    return CLINIT_OK;
}

void clinit_runs_at(const clinit_runs *r, uint64_t j, clinit_runs_it *it)
{
    it->lo = r->base;
    for (int d = r->nouter - 1; d >= 0; d--) {
        it->idx[d] = j % r->cnt[d];
        it->lo += it->idx[d] * r->stride[d];
        j /= r->cnt[d];
    }
}

uint64_t clinit_runs_lo(const clinit_runs *r, uint64_t j)
{
    clinit_runs_it it;
    clinit_runs_at(r, j, &it);
    return it.lo;
}

clinit_status clinit_box_full(int ndim, const int64_t *shape, clinit_box *out)
{
    if (!shape || !out)
        return CLINIT_ENULL;
    if (ndim < 1 || ndim > CLINIT_MAX_DIMS)
        return CLINIT_ESHAPE;
    for (int d = 0; d < ndim; d++)
        if (shape[d] < 1)
            return CLINIT_ESHAPE;
    memset(out, 0, sizeof *out);
    out->ndim = ndim;
    for (int d = 0; d < ndim; d++)
        out->count[d] = shape[d];
    return CLINIT_OK;
}

clinit_status clinit_box_numel(const clinit_tensor *t, const clinit_box *box,
                               uint64_t *numel)
{
    uint64_t total;
    clinit_runs r;
    clinit_status st;
    if (!t || !box || !numel)
        return CLINIT_ENULL;
    if ((st = clinit_numel(t, &total)) != CLINIT_OK ||
        (st = clinit_runs_make(t, box, &r)) != CLINIT_OK)
        return st;
    *numel = r.n * r.len; /* <= the tensor's numel: no overflow */
    return CLINIT_OK;
}

/* torch.chunk's split of [0, size): chunk = ceil(size / world). */
static void chunk_of(int64_t size, int64_t rank, int64_t world, int64_t *lo,
                     int64_t *n)
{
    int64_t chunk = size / world + (size % world != 0);
    int64_t a = rank > size / (chunk ? chunk : 1) ? size : rank * chunk;
    int64_t b;
    if (a > size)
        a = size;
    b = size - a < chunk ? size : a + chunk;
    *lo = a;
    *n = b - a;
}

clinit_status clinit_shard_box_of(const clinit_box *in, int dim, int64_t rank,
                                  int64_t world, clinit_box *out)
{
    int64_t lo, n;
    if (!in || !out)
        return CLINIT_ENULL;
    if (in->ndim < 1 || in->ndim > CLINIT_MAX_DIMS || dim < 0 ||
        dim >= in->ndim || world < 1 || rank < 0 || rank >= world)
        return CLINIT_EBOX;
    for (int d = 0; d < in->ndim; d++)
        if (in->start[d] < 0 || in->count[d] < 0 ||
            in->start[d] > INT64_MAX - in->count[d])
            return CLINIT_EBOX;
    chunk_of(in->count[dim], rank, world, &lo, &n);
    if (out != in)
        memcpy(out, in, sizeof *out);
    out->start[dim] = in->start[dim] + lo;
    out->count[dim] = n;
    return CLINIT_OK;
}

clinit_status clinit_shard_box(int ndim, const int64_t *shape, int dim,
                               int64_t rank, int64_t world, clinit_box *out)
{
    clinit_box b;
    clinit_status st;
    if (!out)
        return CLINIT_ENULL;
    if ((st = clinit_box_full(ndim, shape, &b)) != CLINIT_OK ||
        (st = clinit_shard_box_of(&b, dim, rank, world, &b)) != CLINIT_OK)
        return st;
    *out = b;
    return CLINIT_OK;
}

/* Validates (t, init, box) as a fill does and gives its runs and a plan
 * whose range covers them (lo == hi for an empty box). */
static clinit_status box_plan(const clinit_tensor *t, const clinit_init *init,
                              const clinit_box *box, clinit_runs *r,
                              clinit_plan *plan)
{
    clinit_status st;
    if (!t || !init || !box)
        return CLINIT_ENULL;
    if ((st = clinit_plan_make(t, init, 0, 0, plan)) != CLINIT_OK ||
        (st = clinit_runs_make(t, box, r)) != CLINIT_OK)
        return st;
    if (r->n > 0) {
        plan->lo = r->base;
        plan->hi = clinit_runs_lo(r, r->n - 1) + r->len;
    }
    if (r->n * r->len > SIZE_MAX / clinit_dtype_size(t->dtype))
        return CLINIT_EOVERFLOW;
    return CLINIT_OK;
}

clinit_status clinit_box_ortho(const clinit_plan *plan, const clinit_runs *r,
                               unsigned threads, void *dst)
{
    size_t es = clinit_dtype_size(plan->dtype);
    unsigned char *all, *out = dst;
    clinit_runs_it it;
    clinit_status st;
    if (r->n == 0)
        return CLINIT_OK;
    /* the whole QR is needed for any element: compute the span of the
     * runs, then copy the runs out */
    if (!(all = malloc((size_t)(plan->hi - plan->lo) * es)))
        return CLINIT_ENOMEM;
    clinit_runs_at(r, 0, &it);
    if ((st = clinit_ortho_fill(plan, threads, all)) == CLINIT_OK)
        for (uint64_t j = 0; j < r->n;
             j++, out += r->len * es, clinit_runs_next(r, &it))
            memcpy(out, all + (it.lo - plan->lo) * es, (size_t)r->len * es);
    free(all);
    return st;
}

static clinit_status host_box(clinit_ctx *ctx, const clinit_plan *plan,
                              const clinit_runs *r, void *dst)
{
    unsigned threads = ctx ? ctx->cpu_threads : 0;
    if (plan->dist == CLINIT_DIST_ORTHOGONAL)
        return clinit_box_ortho(plan, r, threads, dst);
    return clinit_cpu_fill_runs(plan, r, 0, r->n, threads, dst);
}

clinit_status clinit_fill_host_box(clinit_ctx *ctx, const clinit_tensor *t,
                                   const clinit_init *init,
                                   const clinit_box *box, void *dst)
{
    clinit_plan plan;
    clinit_runs r;
    clinit_status st;
    if (!dst)
        return CLINIT_ENULL;
    if ((st = box_plan(t, init, box, &r, &plan)) != CLINIT_OK)
        return st;
    return host_box(ctx, &plan, &r, dst);
}

clinit_status clinit_fill_host_box_batch(clinit_ctx *ctx,
                                         const clinit_fill_box_desc *descs,
                                         size_t n, size_t *bad_index)
{
    clinit_plan plan;
    clinit_runs r;
    if (n > 0 && !descs)
        return CLINIT_ENULL;
    /* validate everything before writing anything */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            const clinit_fill_box_desc *d = &descs[i];
            clinit_status st = !d->host ? CLINIT_ENULL
                                        : box_plan(&d->tensor, &d->init,
                                                   &d->box, &r, &plan);
            if (st == CLINIT_OK && pass == 1)
                st = host_box(ctx, &plan, &r, d->host);
            if (st != CLINIT_OK) { /* pass 1: ENOMEM in orthogonal */
                if (bad_index)
                    *bad_index = i;
                return st;
            }
        }
    return CLINIT_OK;
}

/* Items of a box: ceil(runs / CLINIT_MAX_RUNS_PER_ITEM) (orthogonal_:
 * one, computed on the host in clinit_enqueue_items). */
static size_t box_items(const clinit_plan *plan, const clinit_runs *r)
{
    if (r->n == 0)
        return 0;
    if (plan->dist == CLINIT_DIST_ORTHOGONAL)
        return 1;
    return (size_t)((r->n - 1) / CLINIT_MAX_RUNS_PER_ITEM + 1);
}

/* Validates descs[i] for the device: its plan, runs, and the buffer's
 * room for the whole box at d->offset. */
static clinit_status box_check(clinit_ctx *ctx, const clinit_fill_box_desc *d,
                               clinit_runs *r, clinit_plan *plan)
{
    clinit_plan whole;
    clinit_status st = d->buf ? box_plan(&d->tensor, &d->init, &d->box, r, plan)
                              : CLINIT_ENULL;
    if (st != CLINIT_OK)
        return st;
    whole = *plan; /* the buffer must hold the dense box */
    whole.lo = 0;
    whole.hi = r->n * r->len;
    return ctx->dev->ops->check_item(ctx->dev, &whole, d->buf, d->offset);
}

/* The items of descs[i] (plan and runs checked) into items. */
static size_t put_items(const clinit_fill_box_desc *d, const clinit_plan *plan,
                        const clinit_runs *r, clinit_item *items)
{
    size_t m = box_items(plan, r);
    for (size_t k = 0; k < m; k++) {
        clinit_item *it = &items[k];
        uint64_t r0 = k * CLINIT_MAX_RUNS_PER_ITEM, r1 = r0 +
                                                         CLINIT_MAX_RUNS_PER_ITEM;
        it->buf = d->buf;
        it->plan = *plan;
        it->runs = r;
        it->r0 = r0;
        it->r1 = m == 1 || r1 > r->n ? r->n : r1;
        it->offset = d->offset + r0 * r->len;
        it->host = NULL;
    }
    return m;
}

clinit_status clinit_enqueue_fill_box_batch(
    clinit_ctx *ctx, const clinit_fill_box_desc *descs, size_t n,
    cl_uint num_wait, const cl_event *wait, cl_event *out_event,
    size_t *bad_index)
{
    clinit_runs *runs;
    clinit_item *items = NULL;
    clinit_plan plan;
    size_t m = 0;
    clinit_status st;

    if ((st = clinit_enqueue_batch_check(ctx, n, descs, num_wait, wait)) !=
        CLINIT_OK)
        return st;
    if (!(runs = calloc(n ? n : 1, sizeof *runs)))
        return CLINIT_ENOMEM;
    /* validate everything before enqueueing anything */
    for (size_t i = 0; i < n; i++) {
        if ((st = box_check(ctx, &descs[i], &runs[i], &plan)) != CLINIT_OK) {
            if (bad_index)
                *bad_index = i;
            free(runs);
            return st;
        }
        m += box_items(&plan, &runs[i]);
    }
    if (!(items = calloc(m ? m : 1, sizeof *items))) {
        free(runs);
        return CLINIT_ENOMEM;
    }
    m = 0;
    for (size_t i = 0; i < n; i++) {
        (void)box_plan(&descs[i].tensor, &descs[i].init, &descs[i].box,
                       &runs[i], &plan);
        m += put_items(&descs[i], &plan, &runs[i], items + m);
    }
    st = clinit_enqueue_items(ctx, items, m, num_wait, wait, out_event);
    free(items);
    free(runs);
    return st;
}

clinit_status clinit_enqueue_fill_box(clinit_ctx *ctx, const clinit_tensor *t,
                                      const clinit_init *init,
                                      const clinit_box *box, cl_mem buf,
                                      size_t offset, cl_uint num_wait,
                                      const cl_event *wait, cl_event *out_event)
{
    clinit_fill_box_desc d;
    if (!ctx || !t || !init || !box || !buf || (num_wait > 0 && !wait))
        return CLINIT_ENULL;
    memset(&d, 0, sizeof d);
    d.tensor = *t;
    d.init = *init;
    d.box = *box;
    d.buf = buf;
    d.offset = offset;
    /* a single box is a batch of one: the same checks, the same launch */
    return clinit_enqueue_fill_box_batch(ctx, &d, 1, num_wait, wait, out_event,
                                         NULL);
}
