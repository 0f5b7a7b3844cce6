/* tp_init.c - tensor-parallel initialization across MPI ranks with box
 * fills (docs/SHARDS.md).
 *
 * Every rank creates its own clinit context, allocates its Megatron-style
 * shard of a small GPT-2 model in device memory (one arena buffer) and
 * fills all of it with one clinit_enqueue_fill_box_batch call:
 *   column-parallel (Shard(0) of [out, in]): wte, attn.c_attn, mlp.c_fc
 *     and their biases;
 *   row-parallel (Shard(1) of [out, in]): attn.c_proj, mlp.c_proj;
 *   replicated: the layer norms and the row-parallel biases.
 * Rank 0 then gathers every tensor's shards (MPI_Gatherv), reassembles them
 * and checks them bit for bit against a single-process fill of the whole
 * tensor on the CPU path (clinit_fill_host_all). Fans always come from the
 * global shape, so no rank needs to know the others' layout.
 *
 * usage: mpirun -np N tp_init [DEVICE]   (DEVICE: opencl (default),
 * opencl:P.D, cpu: a CPU-path context fills host memory instead, or
 * mixed: opencl on even ranks, cpu on odd ones -- the shards agree
 * whoever computes them).
 * Exit status 0 when every tensor reassembles bit-exactly, 1 otherwise. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinit.h"

#define WIDTH 128
#define BLOCKS 2
#define VOCAB 501 /* odd: the last ranks' vocab shards are shorter */

typedef struct tensor {
    char name[64];
    int ndim;
    int64_t shape[2];
    clinit_method method;
    clinit_dtype dtype;
    int shard_dim; /* -1: replicated */
} tensor;

#define MAX_TENSORS (2 + 12 * BLOCKS)

/* The model, in order; returns the number of tensors. */
static int model(tensor *t)
{
    int n = 0;
    const int64_t E = WIDTH;
#define ADD(nm, nd, s0, s1, m, dt, sd)                                         \
    do {                                                                       \
        tensor *x_ = &t[n++];                                                  \
        snprintf(x_->name, sizeof x_->name, "%s", nm);                         \
        x_->ndim = nd;                                                         \
        x_->shape[0] = s0;                                                     \
        x_->shape[1] = s1;                                                     \
        x_->method = m;                                                        \
        x_->dtype = dt;                                                        \
        x_->shard_dim = sd;                                                    \
    } while (0)
    ADD("wte.weight", 2, VOCAB, E, CLINIT_NORMAL, CLINIT_F32, 0);
    ADD("wpe.weight", 2, 128, E, CLINIT_NORMAL, CLINIT_F32, -1);
    for (int b = 0; b < BLOCKS; b++) {
        char p[16];
        char nm[64];
        snprintf(p, sizeof p, "h.%d.", b);
#define NM(s) (snprintf(nm, sizeof nm, "%s%s", p, s), nm)
        ADD(NM("ln_1.weight"), 1, E, 1, CLINIT_ONES, CLINIT_F32, -1);
        ADD(NM("attn.c_attn.weight"), 2, 3 * E, E, CLINIT_XAVIER_UNIFORM,
            CLINIT_F32, 0);
        ADD(NM("attn.c_attn.bias"), 1, 3 * E, 1, CLINIT_ZEROS, CLINIT_F32, 0);
        ADD(NM("attn.c_proj.weight"), 2, E, E, CLINIT_KAIMING_UNIFORM,
            CLINIT_BF16, 1);
        ADD(NM("attn.c_proj.bias"), 1, E, 1, CLINIT_ZEROS, CLINIT_F32, -1);
        ADD(NM("ln_2.weight"), 1, E, 1, CLINIT_ONES, CLINIT_F32, -1);
        ADD(NM("mlp.c_fc.weight"), 2, 4 * E, E, CLINIT_TRUNC_NORMAL,
            CLINIT_F16, 0);
        ADD(NM("mlp.c_fc.bias"), 1, 4 * E, 1, CLINIT_UNIFORM, CLINIT_F32, 0);
        ADD(NM("mlp.c_proj.weight"), 2, E, 4 * E, CLINIT_ORTHOGONAL,
            CLINIT_F32, 1);
        ADD(NM("mlp.c_proj.bias"), 1, E, 1, CLINIT_ZEROS, CLINIT_F32, -1);
#undef NM
    }
#undef ADD
    return n;
}

static clinit_tensor tensor_of(const tensor *x, uint64_t seed)
{
    clinit_tensor t;
    memset(&t, 0, sizeof t);
    t.dtype = x->dtype;
    t.ndim = x->ndim;
    t.shape[0] = x->shape[0];
    t.shape[1] = x->shape[1];
    t.seed = seed;
    t.stream = clinit_stream_of(x->name);
    return t;
}

/* Rank r's box of tensor x (the whole for a replicated one). */
static clinit_box box_of(const tensor *x, int r, int world)
{
    clinit_box b;
    if (x->shard_dim < 0)
        (void)clinit_box_full(x->ndim, x->shape, &b);
    else
        (void)clinit_shard_box(x->ndim, x->shape, x->shard_dim, r, world, &b);
    return b;
}

static int fail(const char *what, clinit_status st, clinit_ctx *ctx)
{
    fprintf(stderr, "tp_init: %s: %s %s\n", what, clinit_strerror(st),
            ctx ? clinit_ctx_build_log(ctx) : "");
    return 1;
}

/* This rank's shards of every tensor into host[] (one allocation, shard
 * i at host + off[i] bytes): one box batch into a device arena, read back;
 * or, on a CPU-path context, one host box batch. */
static int fill_shards(clinit_ctx *ctx, const tensor *ts, int n, int rank,
                       int world, uint64_t seed, unsigned char *host,
                       const size_t *off, size_t bytes)
{
    clinit_fill_box_desc d[MAX_TENSORS];
    clinit_init in;
    clinit_status st;
    cl_mem arena = NULL;
    cl_int err = CL_SUCCESS;
    int device = clinit_ctx_is_opencl(ctx);
    if (device && bytes > 0 &&
        !(arena = clCreateBuffer(clinit_ctx_context(ctx), CL_MEM_READ_WRITE,
                                 bytes, NULL, &err)))
        return fail("clCreateBuffer", CLINIT_EOPENCL, NULL);
    for (int i = 0; i < n; i++) {
        memset(&d[i], 0, sizeof d[i]);
        d[i].tensor = tensor_of(&ts[i], seed);
        (void)clinit_init_default(&in, ts[i].method);
        if (ts[i].method == CLINIT_NORMAL)
            in.std = 0.02; /* GPT-2's */
        d[i].init = in;
        d[i].box = box_of(&ts[i], rank, world);
        d[i].buf = arena;
        d[i].offset = off[i] / clinit_dtype_size(ts[i].dtype);
        d[i].host = host + off[i];
    }
    st = device ? clinit_enqueue_fill_box_batch(ctx, d, (size_t)n, 0, NULL,
                                                NULL, NULL)
                : clinit_fill_host_box_batch(ctx, d, (size_t)n, NULL);
    if (st == CLINIT_OK && arena)
        err = clEnqueueReadBuffer(clinit_ctx_queue(ctx), arena, CL_TRUE, 0,
                                  bytes, host, 0, NULL, NULL);
    if (arena)
        clReleaseMemObject(arena);
    if (st != CLINIT_OK)
        return fail("fill", st, ctx);
    return err == CL_SUCCESS ? 0 : fail("read", CLINIT_EOPENCL, NULL);
}

/* Rank 0: scatters the gathered boxes of tensor x into whole (row-major)
 * and compares with the single-process fill. Returns 0 when identical. */
static int check_tensor(const tensor *x, int world, uint64_t seed,
                        const unsigned char *gathered, const int *displs)
{
    clinit_tensor t = tensor_of(x, seed);
    clinit_init in;
    size_t es = clinit_dtype_size(x->dtype);
    uint64_t numel = 0;
    unsigned char *whole, *re;
    int bad;
    (void)clinit_numel(&t, &numel);
    (void)clinit_init_default(&in, x->method);
    if (x->method == CLINIT_NORMAL)
        in.std = 0.02;
    whole = malloc(numel * es);
    re = calloc(numel, es);
    if (!whole || !re || clinit_fill_host_all(NULL, &t, &in, whole) != 0) {
        free(whole);
        free(re);
        return 1;
    }
    for (int r = 0; r < world; r++) {
        clinit_box b = box_of(x, r, world);
        /* a replicated tensor: every rank's copy must be the whole */
        int64_t cols = x->ndim == 2 ? x->shape[1] : 1;
        int64_t bc = x->ndim == 2 ? b.count[1] : 1, k = 0;
        int64_t bs = x->ndim == 2 ? b.start[1] : 0;
        if (x->shard_dim < 0 &&
            memcmp(gathered + displs[r], whole, numel * es) != 0) {
            fprintf(stderr, "tp_init: %s: rank %d's replica differs\n",
                    x->name, r);
            free(whole);
            free(re);
            return 1;
        }
        for (int64_t i = 0; i < b.count[0]; i++)
            for (int64_t j = 0; j < bc; j++, k++)
                memcpy(re + ((b.start[0] + i) * cols + bs + j) * es,
                       gathered + displs[r] + k * (int64_t)es, es);
    }
    bad = memcmp(re, whole, numel * es) != 0;
    if (bad)
        fprintf(stderr, "tp_init: %s does not reassemble\n", x->name);
    free(whole);
    free(re);
    return bad;
}

/* Gathers tensor i's shards to rank 0 and checks them there. */
static int gather_check(const tensor *x, int rank, int world, uint64_t seed,
                        const unsigned char *mine)
{
    size_t es = clinit_dtype_size(x->dtype);
    int *counts = calloc((size_t)world, sizeof *counts);
    int *displs = calloc((size_t)world, sizeof *displs);
    unsigned char *all = NULL;
    uint64_t n = 0;
    int total = 0, bad = 0;
    clinit_tensor t = tensor_of(x, seed);
    clinit_box b = box_of(x, rank, world);
    if (!counts || !displs)
        MPI_Abort(MPI_COMM_WORLD, 1);
    for (int r = 0; r < world; r++) {
        clinit_box rb = box_of(x, r, world);
        uint64_t k = 0;
        (void)clinit_box_numel(&t, &rb, &k);
        counts[r] = (int)(k * es);
        displs[r] = total;
        total += counts[r];
    }
    (void)clinit_box_numel(&t, &b, &n);
    if (rank == 0 && !(all = malloc((size_t)total + 1)))
        MPI_Abort(MPI_COMM_WORLD, 1);
    MPI_Gatherv(mine, (int)(n * es), MPI_BYTE, all, counts, displs, MPI_BYTE,
                0, MPI_COMM_WORLD);
    if (rank == 0)
        bad = check_tensor(x, world, seed, all, displs);
    free(all);
    free(counts);
    free(displs);
    return bad;
}

int main(int argc, char **argv)
{
    tensor ts[MAX_TENSORS];
    size_t off[MAX_TENSORS], bytes = 0;
    const uint64_t seed = 2024;
    int rank, world, n, bad = 0, any = 0;
    clinit_ctx_options opt;
    clinit_ctx *ctx = NULL;
    clinit_status st;
    unsigned char *host;

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &world);
    n = model(ts);
    for (int i = 0; i < n; i++) { /* the arena: shards back to back, 8-aligned */
        clinit_tensor t = tensor_of(&ts[i], seed);
        clinit_box b = box_of(&ts[i], rank, world);
        uint64_t k = 0;
        (void)clinit_box_numel(&t, &b, &k);
        off[i] = bytes;
        bytes += (k * clinit_dtype_size(ts[i].dtype) + 7) / 8 * 8;
    }
    memset(&opt, 0, sizeof opt);
    opt.device = argc > 1 ? argv[1] : "opencl";
    if (strcmp(opt.device, "mixed") == 0)
        opt.device = rank % 2 ? "cpu" : "opencl";
    opt.cpu_threads = 1; /* ranks share the machine */
    if ((st = clinit_ctx_create(&ctx, &opt)) != CLINIT_OK) {
        fprintf(stderr, "tp_init: rank %d: no context for '%s': %s\n", rank,
                opt.device, clinit_strerror(st));
        bad = 1;
    }
    host = malloc(bytes + 1);
    if (!bad && (!host || fill_shards(ctx, ts, n, rank, world, seed, host, off,
                                      bytes) != 0))
        bad = 1;
    MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    for (int i = 0; i < n && !any; i++)
        bad |= gather_check(&ts[i], rank, world, seed, host + off[i]);
    MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (rank == 0)
        printf("tp_init: %d ranks on %s, %d tensors (GPT-2 style, width %d, "
               "%d blocks): %s\n",
               world, ctx ? clinit_ctx_device_name(ctx) : "-", n, WIDTH,
               BLOCKS,
               any ? "MISMATCH" : "every tensor reassembles bit-exactly");
    free(host);
    clinit_ctx_destroy(ctx);
    MPI_Finalize();
    return any ? 1 : 0;
}
