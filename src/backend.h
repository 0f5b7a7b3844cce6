/* backend.h - the interface between the device-independent core (src/ctx.c,
 * src/api.c) and a device backend (host/ocl.c: OpenCL). The core validates
 * and plans every fill (src/plan.c) and calls down through these
 * operations; a backend never calls up into the API layer. Host-memory
 * fills are the CPU backend's (src/cpu/backend.c: clinit_cpu_fill), which
 * every context has. Not installed. */
#ifndef CLINIT_BACKEND_H
#define CLINIT_BACKEND_H

#include "clinit_internal.h"

/* Runs of a box per item at most (an item is one descriptor and one box
 * map however many runs it has, kernels/clinit_abi.h; the bound keeps a
 * work-item's run arithmetic in 32 bits for runs under 2^22 elements), and
 * items per launch: keeps a launch's table at 28 MiB. */
#define CLINIT_MAX_RUNS_PER_ITEM (UINT64_C(1) << 16)
#define CLINIT_MAX_ITEMS_PER_LAUNCH ((size_t)1 << 16)

/* One fill to enqueue: a plan (non-empty range) and its destination. When
 * host is set the values were computed on the host (orthogonal_) and the
 * backend only copies them. When runs is set the item is the box runs
 * [r0, r1) (at most CLINIT_MAX_RUNS_PER_ITEM, src/box.c) of the plan's
 * tensor, run r0 at element offset of buf and the others after it (one
 * descriptor and box map for all); plan.lo..hi then only covers them. */
typedef struct clinit_item {
    cl_mem buf;
    uint64_t offset; /* element of buf receiving plan.lo (run r0) */
    const void *host;
    clinit_plan plan;
    const clinit_runs *runs;
    uint64_t r0, r1;
} clinit_item;

typedef struct clinit_backend clinit_backend;

typedef struct clinit_backend_ops {
    const char *name;
    void (*destroy)(clinit_backend *be);
    /* everything an enqueue of plan into buf at element offset can fail
     * on, except the enqueue itself */
    clinit_status (*check_item)(clinit_backend *be, const clinit_plan *plan,
                                cl_mem buf, uint64_t offset);
    clinit_status (*check_wait)(clinit_backend *be, cl_uint num_wait,
                                const cl_event *wait);
    /* Enqueues items[0..n) (checked; reorders them) after the wait list;
     * *out_event (if not NULL) completes with all of them. n == 0 gives
     * only the event. */
    clinit_status (*enqueue)(clinit_backend *be, clinit_item *items, size_t n,
                             cl_uint num_wait, const cl_event *wait,
                             cl_event *out_event);
    clinit_status (*warmup)(clinit_backend *be);
    /* raw Philox words into buf at word `offset`, after the wait list;
     * *out_event (if not NULL) completes with them; `block`: returns
     * when the queue has finished */
    clinit_status (*raw_words)(clinit_backend *be, const uint32_t key[2],
                               const uint32_t counter[4], uint64_t nwords,
                               cl_mem buf, uint64_t offset, cl_uint num_wait,
                               const cl_event *wait, cl_event *out_event,
                               int block);
    /* test probes (clinit_debug_*): kernel `which` (0 math, 1 philox) */
    clinit_status (*probe)(clinit_backend *be, int which, int op,
                           const void *in, size_t in_bytes, void *out,
                           size_t out_bytes, size_t global);
    cl_context (*context)(const clinit_backend *be);
    cl_command_queue (*queue)(const clinit_backend *be);
    const char *(*build_log)(const clinit_backend *be);
    cl_int (*cl_error)(const clinit_backend *be);
} clinit_backend_ops;

struct clinit_backend {
    const clinit_backend_ops *ops;
    char device_name[300];
    char device_id[32];
    /* counters per work-item of the fill kernels: 16 (CPU-shaped) or 1
     * (GPU-shaped); the same bits either way */
    unsigned kernel_lanes;
    /* 1 when the device's program came from the binary cache
     * (host/cache.h), 0 when it was built from source or not yet built */
    int program_cached;
};

/* A context: the CPU backend always (host fills), a device backend when
 * it has one. */
struct clinit_ctx {
    unsigned cpu_threads; /* 0: every online CPU */
    clinit_backend *dev;  /* NULL: the CPU path only */
};

/* The checks every device batch makes first, in this order: NULL
 * arguments (descs may be NULL only when n is 0), a device, the wait
 * list. */
clinit_status clinit_enqueue_batch_check(clinit_ctx *ctx, size_t n,
                                        const void *descs, cl_uint num_wait,
                                        const cl_event *wait);

/* Enqueues items[0..n) (validated) on ctx's device after the wait list;
 * orthogonal_ items are computed on the host first (src/api.c). */
clinit_status clinit_enqueue_items(clinit_ctx *ctx, clinit_item *items,
                                   size_t n, cl_uint num_wait,
                                   const cl_event *wait, cl_event *out_event);

/* The OpenCL backend (host/ocl.c). want_p / want_d: platform and device
 * index, -1 = automatic (first GPU, else first device). */
clinit_status clinit_ocl_open(long want_p, long want_d, clinit_backend **out);
clinit_status clinit_ocl_wrap(cl_command_queue queue, clinit_backend **out);

#endif /* CLINIT_BACKEND_H */
