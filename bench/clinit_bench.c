/* clinit_bench.c - clinit-bench: fill throughput of clinit on the OpenCL
 * and CPU paths, next to the memory limits (parallel memset and parallel
 * non-temporal stores on the host, clEnqueueFillBuffer and a
 * device-to-device clEnqueueCopyBuffer on the device),
 * plus per-call latency and process
 * startup time. A performance program, not a test (see bench/README.md).
 *
 * Uses the public API only. Every number is the median of timed
 * repetitions, after one untimed warm-up call; the OpenCL program is built
 * before anything is timed (clinit_ctx_warmup).
 *
 * Exit status: 0 success; 1 a library, OpenCL or system call failed; 2 the
 * command line is wrong. Errors are one line on stderr ("clinit-bench:
 * ..."); methods and dtypes that this build of the library rejects are
 * skipped with a note on stderr, so the tool keeps working as they land.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, posix_memalign, readlink */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__SSE2__)
#include <immintrin.h> /* the stream limit's non-temporal stores */
#endif

#include "clinit.h"
#include "clinit_model.h"

#define EXIT_FAIL 1
#define EXIT_USAGE 2

#define KIB ((uint64_t)1 << 10)
#define MIB ((uint64_t)1 << 20)
#define GIB ((uint64_t)1 << 30)

/* All buffers of one size together stay below this (host + device). */
#define MEM_BUDGET (5 * GIB / 2)

#define MAX_LIST 32
#define MAX_NAME 32

/* Adaptive repetitions: at least MIN_REPS and MIN_SECONDS, at most
 * MAX_REPS; rows slower than SLOW_SECONDS in all stop at SLOW_REPS (the
 * median of 3 still drops one outlier), so a sweep to 1 GiB stays short
 * on a slow path. */
#define MIN_REPS 5
#define MIN_SECONDS 0.2
#define MAX_REPS 200
#define SLOW_REPS 3
#define SLOW_SECONDS 2.0

#define OVERHEAD_BYTES KIB
#define OVERHEAD_CALLS 1000
#define STARTUP_BYTES MIB
#define STARTUP_RUNS 5

/* memset and the CPU path both start one thread per this many bytes at
 * most (the library: 64 Ki f32 elements per thread), so the limit does
 * not pay for thread starts it does not need at small sizes. */
#define MEMSET_BYTES_PER_THREAD (256 * KIB)

/* Elements of each OpenCL result compared with the CPU path. */
#define CHECK_ELEMS 4096

/* The value of constant rows (torch.nn.init.constant_ needs one). */
#define CONSTANT_VAL 0.5

#define HIDDEN_STARTUP_CHILD "--startup-child-internal"

enum path {
    PATH_OPENCL = 1,
    PATH_CPU = 2,
    PATH_MEMSET = 4,
    PATH_FILLBUFFER = 8,
    PATH_STREAM = 16,
    PATH_COPY = 32, /* device-to-device copy of the same bytes */
    PATH_LAST = PATH_COPY,
    PATH_ALL = 63
};

/* The limits, in the order they are measured and printed. */
#define NLIMITS 4
static const unsigned limit_paths[NLIMITS] = {PATH_MEMSET, PATH_STREAM,
                                              PATH_FILLBUFFER, PATH_COPY};
#define HOST_PATHS (PATH_CPU | PATH_MEMSET | PATH_STREAM)
#define DEV_PATHS (PATH_OPENCL | PATH_FILLBUFFER | PATH_COPY)
#define IS_LIMIT(p)                                                            \
    ((p) == PATH_MEMSET || (p) == PATH_STREAM || (p) == PATH_FILLBUFFER ||     \
     (p) == PATH_COPY)

/* The library's fill paths, cpu first. */
static const unsigned fill_paths[2] = {PATH_CPU, PATH_OPENCL};
static const unsigned fill_paths_mask = PATH_CPU | PATH_OPENCL;

enum mode { M_THROUGHPUT = 1, M_OVERHEAD = 2, M_STARTUP = 4, M_MODEL = 8 };

/* What one timed repetition of the opencl or cpu path fills (job.kind). */
enum kind {
    K_TENSOR = 0,    /* j->t, whole, in one call (every mode but --model) */
    K_BATCH = 1,     /* every tensor of the model in one batch call */
    K_PER_TENSOR = 2 /* every tensor of the model, one call each */
};

/* Largest model spec read (bytes). */
#define MAX_MODEL_FILE (64 * MIB)

static const char *const default_methods[] = {
    "uniform",  "normal",       "kaiming_uniform", "xavier_normal",
    "constant", "trunc_normal", "sparse"};

static const char usage_text[] =
    "usage: clinit-bench [options]\n"
    "  --size LIST     bytes per tensor, comma list, suffixes K M G (KiB,\n"
    "                  MiB, GiB); default 1K,4K,16K,...,1G (powers of 4)\n"
    "  --method LIST   torch.nn.init names; default uniform,normal,\n"
    "                  kaiming_uniform,xavier_normal,constant,trunc_normal,\n"
    "                  sparse (those the library rejects are skipped)\n"
    "  --dtype LIST    f32 (default), f16, bf16, f64\n"
    "  --path LIST     opencl,cpu,memset,stream,fillbuffer,copy (default:\n"
    "                  all; copy: clEnqueueCopyBuffer of the same bytes from\n"
    "                  a second device buffer, GB/s of bytes written)\n"
    "  --reps N        timed repetitions per row (default: adaptive, at\n"
    "                  least 5 and 0.2 s, or 3 and 2 s; at most 200)\n"
    "  --device D      OpenCL device of the opencl, fillbuffer and copy paths\n"
    "                  (opencl or opencl:P.D; default opencl); the startup\n"
    "                  child uses it too (default: the library's default)\n"
    "  --throughput    measure throughput (GB/s, Gelem/s)\n"
    "  --overhead      measure per-call latency of a 1 KiB fill (us)\n"
    "  --startup       measure process start to end of the first 1 MiB\n"
    "                  fill in a fresh process (us)\n"
    "  --model FILE    a whole model (JSON spec, docs/MODEL.md) in one\n"
    "                  arena: one batch call, one tensor of the same bytes,\n"
    "                  one call per tensor (s, GB/s); --dtype overrides\n"
    "                  the model's dtypes\n"
    "                  (none of the four: --throughput --overhead)\n"
    "  --json          one JSON object per line on stdout, nothing else\n"
    "  --help          this text\n";

typedef struct options {
    uint64_t sizes[MAX_LIST];
    int nsizes;
    char methods[MAX_LIST][MAX_NAME];
    int nmethods;
    char dtypes[MAX_LIST][MAX_NAME];
    int ndtypes;
    unsigned paths;
    unsigned modes;
    int reps; /* 0: adaptive */
    const char *device;
    const char *model; /* --model FILE */
    int dtype_given;   /* --dtype was on the command line */
    int json;
    int startup_child;
} options;

/* What one timed call needs, for every path. */
typedef struct job {
    clinit_ctx *cpu; /* CPU-path context */
    clinit_ctx *ocl; /* OpenCL context (owns the queue) */
    cl_command_queue queue;
    const clinit_tensor *t;
    const clinit_init *init;
    uint64_t numel;
    size_t bytes;
    void *host;                    /* bytes, pre-touched */
    cl_mem dev;                    /* bytes */
    cl_mem src;                    /* bytes, the copy path's source */
    unsigned threads;              /* memset threads */
    cl_int cl_err;                 /* last failed OpenCL call made here */
    int kind;                      /* enum kind, for the opencl and cpu paths */
    const clinit_fill_desc *descs; /* K_BATCH, K_PER_TENSOR: the model */
    size_t ndescs;
    size_t bad; /* the failing descriptor of a model call */
} job;

/* One throughput result. */
typedef struct row {
    unsigned path;
    char method[MAX_NAME];
    char dtype[MAX_NAME];
    uint64_t bytes;
    double gbps, gelems;
} row;

/* The state of a run. */
typedef struct bench {
    options o;
    unsigned ncpu;
    clinit_ctx *cpu;
    clinit_ctx *ocl;
    cl_command_queue queue;
    cl_context cl_ctx;
    uint64_t max_alloc;
    clinit_method methods[MAX_LIST];
    char method_names[MAX_LIST][MAX_NAME];
    int nmethods;
    clinit_dtype dtypes[MAX_LIST];
    int ndtypes;
    /* [dtype][method]: paths on which the library rejected the pair */
    unsigned rejected[MAX_LIST][MAX_LIST];
    int header_done;
    clinit_model *model; /* --model, parsed before anything is set up */
} bench;

/* ---- small helpers ------------------------------------------------------ */

static void usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("clinit-bench: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(" (see --help)\n", stderr);
}

static void note(const char *fmt, ...)
{
    va_list ap;
    fputs("clinit-bench: note: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Reports a failed library call; ctx (may be NULL) gives the detail. */
static void lib_error(const char *what, clinit_status st, clinit_ctx *ctx)
{
    fprintf(stderr, "clinit-bench: %s: %s (%s)", what, clinit_strerror(st),
            clinit_status_name(st));
    if (st == CLINIT_EOPENCL && ctx)
        fprintf(stderr, " [cl error %d]", (int)clinit_ctx_cl_error(ctx));
    fputc('\n', stderr);
    if (st == CLINIT_EBUILD && ctx && *clinit_ctx_build_log(ctx))
        fprintf(stderr, "%s\n", clinit_ctx_build_log(ctx));
}

static void cl_error(const char *what, cl_int err)
{
    fprintf(stderr, "clinit-bench: %s failed: OpenCL error %d\n", what,
            (int)err);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v. */
static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static const char *path_name(unsigned p)
{
    switch (p) {
    case PATH_OPENCL:
        return "opencl";
    case PATH_CPU:
        return "cpu";
    case PATH_MEMSET:
        return "memset";
    case PATH_FILLBUFFER:
        return "fillbuffer";
    case PATH_STREAM:
        return "stream";
    case PATH_COPY:
        return "copy";
    }
    return "?";
}

/* rows x cols = numel with cols the largest divisor <= 256: 2-D, so that
 * the fans methods accept it. */
static void shape_2d(uint64_t numel, int64_t shape[2])
{
    uint64_t cols = numel < 256 ? numel : 256;
    while (numel % cols)
        cols--;
    shape[0] = (int64_t)(numel / cols);
    shape[1] = (int64_t)cols;
}

/* ---- command line ------------------------------------------------------- */

/* "1048576", "64K", "1M", "1G", "4MiB": bytes in *out. */
static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    unsigned shift = 0;
    unsigned long long v;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno)
        return -1;
    switch (*end) {
    case 'K':
    case 'k':
        shift = 10;
        end++;
        break;
    case 'M':
    case 'm':
        shift = 20;
        end++;
        break;
    case 'G':
    case 'g':
        shift = 30;
        end++;
        break;
    }
    if (shift && strcmp(end, "iB") == 0)
        end += 2;
    else if (*end == 'B')
        end++;
    if (*end || v == 0 || v > (UINT64_MAX >> shift))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

/* Splits a comma list into names; returns the count or -1. */
static int split_names(const char *flag, const char *s,
                       char names[MAX_LIST][MAX_NAME])
{
    int n = 0;
    const char *p = s;
    for (;;) {
        size_t len = strcspn(p, ",");
        if (len == 0 || len >= MAX_NAME || n == MAX_LIST) {
            usage_error("bad %s list '%s'", flag, s);
            return -1;
        }
        memcpy(names[n], p, len);
        names[n++][len] = '\0';
        if (!p[len])
            return n;
        p += len + 1;
    }
}

static int parse_args(int argc, char **argv, options *o)
{
    char tmp[MAX_LIST][MAX_NAME];
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL, *eq;
        char flag[32];
        int takes_value;
        if (strncmp(a, "--", 2) != 0) {
            usage_error("unexpected argument '%s'", a);
            return -1;
        }
        eq = strchr(a, '=');
        if (eq) {
            if ((size_t)(eq - a) >= sizeof flag) {
                usage_error("unknown option '%s'", a);
                return -1;
            }
            memcpy(flag, a, (size_t)(eq - a));
            flag[eq - a] = '\0';
            val = eq + 1;
        } else {
            snprintf(flag, sizeof flag, "%s", a);
        }
        takes_value = !strcmp(flag, "--size") || !strcmp(flag, "--method") ||
                      !strcmp(flag, "--dtype") || !strcmp(flag, "--path") ||
                      !strcmp(flag, "--reps") || !strcmp(flag, "--device") ||
                      !strcmp(flag, "--model");
        if (takes_value && !val) {
            if (i + 1 >= argc) {
                usage_error("%s needs a value", flag);
                return -1;
            }
            val = argv[++i];
        } else if (!takes_value && val) {
            usage_error("%s takes no value", flag);
            return -1;
        }

        if (!strcmp(flag, "--size")) {
            int n = split_names("--size", val, tmp);
            if (n < 0)
                return -1;
            for (int k = 0; k < n; k++)
                if (parse_size(tmp[k], &o->sizes[k]) != 0) {
                    usage_error("bad size '%s'", tmp[k]);
                    return -1;
                }
            o->nsizes = n;
        } else if (!strcmp(flag, "--method")) {
            if ((o->nmethods = split_names("--method", val, o->methods)) < 0)
                return -1;
        } else if (!strcmp(flag, "--dtype")) {
            if ((o->ndtypes = split_names("--dtype", val, o->dtypes)) < 0)
                return -1;
            o->dtype_given = 1;
        } else if (!strcmp(flag, "--path")) {
            int n = split_names("--path", val, tmp);
            if (n < 0)
                return -1;
            o->paths = 0;
            for (int k = 0; k < n; k++) {
                unsigned p;
                for (p = 1; p <= PATH_LAST; p <<= 1)
                    if (!strcmp(tmp[k], path_name(p)))
                        break;
                if (p > PATH_LAST) {
                    usage_error("unknown path '%s' (expected opencl, cpu, "
                                "memset, stream, fillbuffer or copy)",
                                tmp[k]);
                    return -1;
                }
                o->paths |= p;
            }
        } else if (!strcmp(flag, "--reps")) {
            char *end;
            long v;
            errno = 0;
            v = strtol(val, &end, 10);
            if (errno || *end || end == val || v < 1 || v > 1000000) {
                usage_error("bad --reps '%s' (expected 1..1000000)", val);
                return -1;
            }
            o->reps = (int)v;
        } else if (!strcmp(flag, "--device")) {
            if (!*val) {
                usage_error("--device needs a value");
                return -1;
            }
            o->device = val;
        } else if (!strcmp(flag, "--model")) {
            if (!*val) {
                usage_error("--model needs a file");
                return -1;
            }
            o->model = val;
            o->modes |= M_MODEL;
        } else if (!strcmp(flag, "--json")) {
            o->json = 1;
        } else if (!strcmp(flag, "--throughput")) {
            o->modes |= M_THROUGHPUT;
        } else if (!strcmp(flag, "--overhead")) {
            o->modes |= M_OVERHEAD;
        } else if (!strcmp(flag, "--startup")) {
            o->modes |= M_STARTUP;
        } else if (!strcmp(flag, HIDDEN_STARTUP_CHILD)) {
            o->startup_child = 1;
        } else if (!strcmp(flag, "--help")) {
            fputs(usage_text, stdout);
            exit(0);
        } else {
            usage_error("unknown option '%s'", a);
            return -1;
        }
    }
    if (!o->nsizes)
        for (uint64_t s = KIB; s <= GIB; s *= 4)
            o->sizes[o->nsizes++] = s;
    if (!o->nmethods) {
        o->nmethods = (int)(sizeof default_methods / sizeof *default_methods);
        for (int k = 0; k < o->nmethods; k++)
            snprintf(o->methods[k], MAX_NAME, "%s", default_methods[k]);
    }
    if (!o->ndtypes) {
        o->ndtypes = 1;
        snprintf(o->dtypes[0], MAX_NAME, "f32");
    }
    if (!o->paths)
        o->paths = PATH_ALL;
    if (!o->modes)
        o->modes = M_THROUGHPUT | M_OVERHEAD;
    return 0;
}

/* ---- timed operations ---------------------------------------------------- */

typedef struct memset_part {
    unsigned char *p;
    size_t n;
} memset_part;

static void *memset_worker(void *arg)
{
    memset_part *m = arg;
    memset(m->p, 0x3f, m->n);
    return NULL;
}

/* The bytes of memset_worker with non-temporal (cache-bypassing) stores,
 * the widest the compiler's target has (SSE2 on every x86-64: 16 bytes;
 * 32 with -mavx), four to a 64-byte line, then an sfence so the stores
 * are done when the thread is. glibc's memset switches to such stores
 * only above a size threshold of its own; this is the write limit without
 * that choice. Without SSE2 it is memset. */
static void *stream_worker(void *arg)
{
    memset_part *m = arg;
    unsigned char *p = m->p;
    size_t n = m->n;
#if defined(__SSE2__)
    for (; n && (uintptr_t)p % 64; p++, n--) /* parts start aligned */
        *p = 0x3f;
#endif
#if defined(__AVX__)
    const __m256i v = _mm256_set1_epi8(0x3f);
    for (; n >= 64; p += 64, n -= 64) {
        _mm256_stream_si256((__m256i *)(void *)p, v);
        _mm256_stream_si256((__m256i *)(void *)(p + 32), v);
    }
    _mm_sfence();
#elif defined(__SSE2__)
    const __m128i v = _mm_set1_epi8(0x3f);
    for (; n >= 64; p += 64, n -= 64) {
        _mm_stream_si128((__m128i *)(void *)p, v);
        _mm_stream_si128((__m128i *)(void *)(p + 16), v);
        _mm_stream_si128((__m128i *)(void *)(p + 32), v);
        _mm_stream_si128((__m128i *)(void *)(p + 48), v);
    }
    _mm_sfence();
#endif
    memset(p, 0x3f, n);
    return NULL;
}

/* worker over bytes with `threads` threads, contiguous, cache-line
 * aligned parts; the caller's thread does part 0. */
static clinit_status par_write(void *buf, size_t bytes, unsigned threads,
                               void *(*worker)(void *))
{
    memset_part part[64];
    pthread_t tid[64];
    int started[64] = {0};
    size_t per;
    clinit_status st = CLINIT_OK;

    if (threads > 64)
        threads = 64;
    if (threads < 1)
        threads = 1;
    per = (bytes / threads + 63) / 64 * 64;
    for (unsigned i = 0; i < threads; i++) {
        size_t a = (size_t)i * per < bytes ? (size_t)i * per : bytes;
        size_t b = a + per < bytes ? a + per : bytes;
        part[i].p = (unsigned char *)buf + a;
        part[i].n = b - a;
    }
    for (unsigned i = 1; i < threads; i++) {
        started[i] = pthread_create(&tid[i], NULL, worker, &part[i]) == 0;
        if (!started[i])
            st = CLINIT_ETHREAD;
    }
    worker(&part[0]);
    for (unsigned i = 1; i < threads; i++)
        if (started[i])
            pthread_join(tid[i], NULL);
    return st;
}

static clinit_status run_once(job *j, unsigned path)
{
    static const unsigned char pattern[16] = {
        0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f,
        0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f};
    size_t psize = 16;
    clinit_status st;
    cl_int err = CL_SUCCESS;

    j->cl_err = CL_SUCCESS;
    switch (path) {
    case PATH_CPU:
        if (j->kind == K_BATCH)
            return clinit_fill_host_batch(j->cpu, j->descs, j->ndescs, &j->bad);
        if (j->kind == K_PER_TENSOR) {
            for (size_t i = 0; i < j->ndescs; i++) {
                const clinit_fill_desc *d = &j->descs[i];
                if ((st = clinit_fill_host(j->cpu, &d->tensor, &d->init, d->lo,
                                           d->hi, d->host)) != CLINIT_OK) {
                    j->bad = i;
                    return st;
                }
            }
            return CLINIT_OK;
        }
        return clinit_fill_host(j->cpu, j->t, j->init, 0, j->numel, j->host);
    case PATH_MEMSET:
        return par_write(j->host, j->bytes, j->threads, memset_worker);
    case PATH_STREAM:
        return par_write(j->host, j->bytes, j->threads, stream_worker);
    case PATH_OPENCL:
        if (j->kind == K_BATCH) {
            st = clinit_enqueue_fill_batch(j->ocl, j->descs, j->ndescs, 0, NULL,
                                           NULL, &j->bad);
        } else if (j->kind == K_PER_TENSOR) {
            st = CLINIT_OK;
            for (size_t i = 0; i < j->ndescs && st == CLINIT_OK; i++) {
                const clinit_fill_desc *d = &j->descs[i];
                st = clinit_enqueue_fill(j->ocl, &d->tensor, &d->init, d->lo,
                                         d->hi, d->buf, d->offset, 0, NULL,
                                         NULL);
                if (st != CLINIT_OK)
                    j->bad = i;
            }
        } else {
            st = clinit_enqueue_fill(j->ocl, j->t, j->init, 0, j->numel, j->dev,
                                     0, 0, NULL, NULL);
        }
        if (st != CLINIT_OK) {
            clFinish(j->queue); /* per-tensor: the fills already enqueued */
            return st;
        }
        err = clFinish(j->queue);
        break;
    case PATH_FILLBUFFER:
        while (j->bytes % psize) /* the widest pattern that divides */
            psize /= 2;
        err = clEnqueueFillBuffer(j->queue, j->dev, pattern, psize, 0, j->bytes,
                                  0, NULL, NULL);
        if (err == CL_SUCCESS)
            err = clFinish(j->queue);
        break;
    case PATH_COPY:
        err = clEnqueueCopyBuffer(j->queue, j->src, j->dev, 0, 0, j->bytes, 0,
                                  NULL, NULL);
        if (err == CL_SUCCESS)
            err = clFinish(j->queue);
        break;
    }
    j->cl_err = err;
    return err == CL_SUCCESS ? CLINIT_OK : CLINIT_EOPENCL;
}

/* One untimed warm-up call, then timed calls: `reps` of them, or (reps 0)
 * adaptively (MIN_REPS above). The median in *median_s. */
static clinit_status measure(job *j, unsigned path, int reps, double *median_s)
{
    int cap = reps > 0 ? reps : MAX_REPS, n = 0;
    double total = 0, *t = malloc((size_t)cap * sizeof *t);
    clinit_status st;

    if (!t)
        return CLINIT_ENOMEM;
    st = run_once(j, path);
    while (st == CLINIT_OK && n < cap) {
        double a = now_s(), b;
        st = run_once(j, path);
        b = now_s();
        t[n++] = b - a;
        total += b - a;
        if (reps == 0 && ((n >= MIN_REPS && total >= MIN_SECONDS) ||
                          (n >= SLOW_REPS && total >= SLOW_SECONDS)))
            break;
    }
    if (st == CLINIT_OK)
        *median_s = median(t, n);
    free(t);
    return st;
}

/* Reports a failed timed call of `path`. */
static void run_error(const job *j, unsigned path, clinit_status st,
                      const char *what)
{
    char buf[160];
    snprintf(buf, sizeof buf, "%s (%s path)", what, path_name(path));
    if (st == CLINIT_EOPENCL && j->cl_err != CL_SUCCESS) /* a call of ours */
        cl_error(buf, j->cl_err);
    else
        lib_error(buf, st, path == PATH_CPU ? j->cpu : j->ocl);
}

/* A status that means "this build of the library does not do that": the
 * row is skipped, not an error. */
static int is_rejection(clinit_status st)
{
    return st == CLINIT_EMETHOD || st == CLINIT_EDTYPE ||
           st == CLINIT_ENOFP64 || st == CLINIT_EPARAM || st == CLINIT_EFANS;
}

/* ---- output ----------------------------------------------------------- */

static void print_json_rate(const row *r)
{
    printf("{\"path\": \"%s\", \"method\": \"%s\", \"dtype\": \"%s\", "
           "\"bytes\": %" PRIu64 ", \"gbps\": %.3f, \"gelems\": %.3f}\n",
           path_name(r->path), r->method, r->dtype, r->bytes, r->gbps,
           r->gelems);
    fflush(stdout);
}

static void print_json_us(unsigned path, const char *what, const char *dtype,
                          uint64_t bytes, double us)
{
    printf("{\"path\": \"%s\", \"method\": \"%s\", \"dtype\": \"%s\", "
           "\"bytes\": %" PRIu64 ", \"us\": %.2f}\n",
           path_name(path), what, dtype, bytes, us);
    fflush(stdout);
}

static const row *find_row(const row *rows, int n, unsigned path,
                           const char *method, const char *dtype)
{
    for (int i = 0; i < n; i++)
        if (rows[i].path == path && !strcmp(rows[i].method, method) &&
            (!dtype || !strcmp(rows[i].dtype, dtype)))
            return &rows[i];
    return NULL;
}

/* The human table block of one size: the limits, then cpu and opencl rows
 * with their ratio to the limit (the host's: the faster of memset and
 * stream) and opencl/cpu. */
static void print_table(bench *b, const row *rows, int n)
{
    const row *ms = find_row(rows, n, PATH_MEMSET, "memset", NULL);
    const row *sm = find_row(rows, n, PATH_STREAM, "stream", NULL);
    const row *fb = find_row(rows, n, PATH_FILLBUFFER, "fillbuffer", NULL);
    if (n && !b->header_done) {
        printf("%-10s  %-16s  %-5s  %11s  %9s  %9s  %8s  %8s\n", "path",
               "method", "dtype", "bytes", "GB/s", "Gelem/s", "vs-limit",
               "ocl/cpu");
        b->header_done = 1;
    }
    if (!ms || (sm && sm->gbps > ms->gbps))
        ms = sm;
    for (int i = 0; i < n; i++) {
        const row *r = &rows[i];
        const row *lim = r->path == PATH_CPU      ? ms
                         : r->path == PATH_OPENCL ? fb
                                                  : NULL;
        const row *cpu = r->path == PATH_OPENCL
                             ? find_row(rows, n, PATH_CPU, r->method, r->dtype)
                             : NULL;
        char vs[16] = "-", oc[16] = "-";
        if (lim && lim->gbps > 0)
            snprintf(vs, sizeof vs, "%.2f", r->gbps / lim->gbps);
        if (cpu && cpu->gbps > 0)
            snprintf(oc, sizeof oc, "%.2f", r->gbps / cpu->gbps);
        printf("%-10s  %-16s  %-5s  %11" PRIu64 "  %9.3f  %9.3f  %8s  %8s\n",
               path_name(r->path), r->method, r->dtype, r->bytes, r->gbps,
               r->gelems, vs, oc);
    }
    if (n)
        putchar('\n');
    fflush(stdout);
}

/* ---- throughput -------------------------------------------------------- */

/* Checks the first elements of the OpenCL result against the CPU path
 * (the library promises the same bits): a warning, not an error, since
 * this is a benchmark. */
static int check_device(bench *b, job *j, size_t esize)
{
    uint64_t k = j->numel < CHECK_ELEMS ? j->numel : CHECK_ELEMS;
    void *dev = malloc((size_t)k * esize), *ref = malloc((size_t)k * esize);
    int rc = 0;
    cl_int err;
    clinit_status st;
    if (!dev || !ref) {
        fprintf(stderr, "clinit-bench: out of memory\n");
        rc = -1;
        goto out;
    }
    err = clEnqueueReadBuffer(b->queue, j->dev, CL_TRUE, 0, (size_t)k * esize,
                              dev, 0, NULL, NULL);
    if (err != CL_SUCCESS) {
        cl_error("clEnqueueReadBuffer", err);
        rc = -1;
        goto out;
    }
    if ((st = clinit_fill_host(b->cpu, j->t, j->init, 0, k, ref)) !=
        CLINIT_OK) {
        lib_error("clinit_fill_host (check)", st, NULL);
        rc = -1;
        goto out;
    }
    if (memcmp(dev, ref, (size_t)k * esize) != 0)
        fprintf(stderr,
                "clinit-bench: warning: %s %s: the opencl result differs "
                "from the cpu path in its first %" PRIu64 " elements\n",
                clinit_method_name(j->init->method),
                clinit_dtype_name(j->t->dtype), k);
out:
    free(dev);
    free(ref);
    return rc;
}

/* Measures one method x dtype on one path into *r (returns 1), or skips a
 * rejection (returns 0), or fails (-1). */
static int bench_fill(bench *b, job *j, int di, int mi, unsigned path, row *r)
{
    double s;
    clinit_status st = measure(j, path, b->o.reps, &s);
    if (is_rejection(st)) {
        /* a rejected dtype or method is rejected whatever it is paired
         * with: one note for all its rows */
        if (st == CLINIT_EDTYPE || st == CLINIT_ENOFP64) {
            note("dtype %s on the %s path: %s; skipped",
                 clinit_dtype_name(b->dtypes[di]), path_name(path),
                 clinit_strerror(st));
            for (int k = 0; k < b->nmethods; k++)
                b->rejected[di][k] |= path;
        } else if (st == CLINIT_EMETHOD) {
            note("method %s on the %s path: %s; skipped", b->method_names[mi],
                 path_name(path), clinit_strerror(st));
            for (int k = 0; k < b->ndtypes; k++)
                b->rejected[k][mi] |= path;
        } else {
            note("%s %s on the %s path: %s; skipped", b->method_names[mi],
                 clinit_dtype_name(b->dtypes[di]), path_name(path),
                 clinit_strerror(st));
            b->rejected[di][mi] |= path;
        }
        return 0;
    }
    if (st != CLINIT_OK) {
        run_error(j, path, st, "fill");
        return -1;
    }
    r->path = path;
    snprintf(r->method, sizeof r->method, "%s", b->method_names[mi]);
    snprintf(r->dtype, sizeof r->dtype, "%s", clinit_dtype_name(b->dtypes[di]));
    r->bytes = j->bytes;
    r->gbps = (double)j->bytes / s * 1e-9;
    r->gelems = (double)j->numel / s * 1e-9;
    return 1;
}

static int bench_size(bench *b, uint64_t bytes)
{
    unsigned paths = b->o.paths;
    unsigned host_paths = paths & HOST_PATHS;
    unsigned dev_paths = paths & DEV_PATHS;
    int nbuf = (host_paths != 0) + (dev_paths != 0) +
               ((dev_paths & PATH_COPY) != 0),
        n = 0, rc = 0;
    row *rows = NULL;
    job j;
    cl_int err;

    memset(&j, 0, sizeof j);
    j.cpu = b->cpu;
    j.ocl = b->ocl;
    j.queue = b->queue;
    j.bytes = (size_t)bytes;
    if (bytes > SIZE_MAX || bytes * (uint64_t)nbuf >= MEM_BUDGET) {
        note("%" PRIu64 " bytes x %d buffers is over the %" PRIu64
             " MiB memory cap; size skipped",
             bytes, nbuf, MEM_BUDGET / MIB);
        return 0;
    }
    if (dev_paths && bytes > b->max_alloc) {
        note("%" PRIu64 " bytes is over the device's max allocation (%" PRIu64
             "); opencl, fillbuffer and copy skipped at this size",
             bytes, b->max_alloc);
        paths &= ~dev_paths;
        dev_paths = 0;
    }
    rows =
        malloc((size_t)(NLIMITS + 2 * b->ndtypes * b->nmethods) * sizeof *rows);
    if (!rows) {
        fprintf(stderr, "clinit-bench: out of memory\n");
        return -1;
    }
    if (host_paths) {
        if (posix_memalign(&j.host, 4096, (size_t)bytes) != 0) {
            j.host = NULL;
            note("cannot allocate %" PRIu64 " bytes of host memory; size "
                 "skipped",
                 bytes);
            goto out;
        }
        memset(j.host, 0, (size_t)bytes); /* pre-touch: no page faults timed */
        j.threads = (unsigned)(bytes / MEMSET_BYTES_PER_THREAD);
        if (j.threads > b->ncpu)
            j.threads = b->ncpu;
        if (j.threads < 1)
            j.threads = 1;
    }
    if (dev_paths) {
        j.dev = clCreateBuffer(b->cl_ctx, CL_MEM_READ_WRITE, (size_t)bytes,
                               NULL, &err);
        if (!j.dev) {
            cl_error("clCreateBuffer", err);
            rc = -1;
            goto out;
        }
    }
    if (dev_paths & PATH_COPY) {
        static const unsigned char zero = 0;
        j.src = clCreateBuffer(b->cl_ctx, CL_MEM_READ_WRITE, (size_t)bytes,
                               NULL, &err);
        if (j.src) /* written once, so the copy reads real pages */
            err = clEnqueueFillBuffer(b->queue, j.src, &zero, 1, 0,
                                      (size_t)bytes, 0, NULL, NULL);
        if (err == CL_SUCCESS)
            err = clFinish(b->queue);
        if (err != CL_SUCCESS) {
            cl_error(j.src ? "clEnqueueFillBuffer" : "clCreateBuffer", err);
            rc = -1;
            goto out;
        }
    }

    /* the limits, once per size */
    for (int li = 0; li < NLIMITS; li++) {
        unsigned p = limit_paths[li];
        double s;
        clinit_status st;
        row *r = &rows[n];
        if (!(paths & p))
            continue;
        if ((st = measure(&j, p, b->o.reps, &s)) != CLINIT_OK) {
            run_error(&j, p, st, "limit");
            rc = -1;
            goto out;
        }
        r->path = p;
        snprintf(r->method, sizeof r->method, "%s", path_name(p));
        snprintf(r->dtype, sizeof r->dtype, "u8");
        r->bytes = bytes;
        r->gbps = r->gelems = (double)bytes / s * 1e-9;
        if (b->o.json)
            print_json_rate(r);
        n++;
    }

    for (int di = 0; di < b->ndtypes; di++) {
        size_t esize = clinit_dtype_size(b->dtypes[di]);
        clinit_tensor t;
        int live = 0;
        for (int mi = 0; mi < b->nmethods; mi++)
            live |= (paths & fill_paths_mask & ~b->rejected[di][mi]) != 0;
        if (!live)
            continue;
        if (bytes % esize) {
            note("%" PRIu64 " bytes is not a whole number of %s elements; "
                 "skipped",
                 bytes, clinit_dtype_name(b->dtypes[di]));
            continue;
        }
        memset(&t, 0, sizeof t);
        t.dtype = b->dtypes[di];
        t.ndim = 2;
        shape_2d(bytes / esize, t.shape);
        t.seed = 1234;
        t.stream = 1;
        j.t = &t;
        j.numel = bytes / esize;
        for (int mi = 0; mi < b->nmethods; mi++) {
            clinit_init init;
            clinit_status st = clinit_init_default(&init, b->methods[mi]);
            if (st != CLINIT_OK) {
                if (!b->rejected[di][mi])
                    note("%s: %s; skipped", b->method_names[mi],
                         clinit_strerror(st));
                b->rejected[di][mi] = PATH_ALL;
                continue;
            }
            if (init.method == CLINIT_CONSTANT)
                init.val = CONSTANT_VAL;
            j.init = &init;
            /* the cpu row first: opencl rows compare with it */
            for (int pi = 0; pi < 2; pi++) {
                unsigned path = fill_paths[pi];
                int got;
                if (!(paths & path) || (b->rejected[di][mi] & path))
                    continue;
                got = bench_fill(b, &j, di, mi, path, &rows[n]);
                if (got < 0) {
                    rc = -1;
                    goto out;
                }
                if (!got)
                    continue;
                if (b->o.json)
                    print_json_rate(&rows[n]);
                n++;
                if (path == PATH_OPENCL && check_device(b, &j, esize) != 0) {
                    rc = -1;
                    goto out;
                }
            }
        }
    }
    if (!b->o.json)
        print_table(b, rows, n);
out:
    if (j.dev)
        clReleaseMemObject(j.dev);
    if (j.src)
        clReleaseMemObject(j.src);
    free(j.host);
    free(rows);
    return rc;
}

/* ---- overhead and startup -------------------------------------------------
 */

/* Median latency of OVERHEAD_CALLS uniform f32 fills of 1 KiB, call to
 * completion, on the cpu and opencl paths. */
static int bench_overhead(bench *b)
{
    clinit_dtype dt = CLINIT_F32;
    size_t esize = clinit_dtype_size(dt);
    uint64_t numel = OVERHEAD_BYTES / esize;
    clinit_tensor t;
    clinit_init init;
    clinit_status st;
    job j;
    int rc = 0;
    cl_int err;

    memset(&t, 0, sizeof t);
    t.dtype = dt;
    t.ndim = 2;
    shape_2d(numel, t.shape);
    t.seed = 1234;
    t.stream = 2;
    if ((st = clinit_init_default(&init, CLINIT_UNIFORM)) != CLINIT_OK) {
        lib_error("clinit_init_default", st, NULL);
        return -1;
    }
    memset(&j, 0, sizeof j);
    j.cpu = b->cpu;
    j.ocl = b->ocl;
    j.queue = b->queue;
    j.t = &t;
    j.init = &init;
    j.numel = numel;
    j.bytes = OVERHEAD_BYTES;
    if (!b->o.json)
        printf("%-10s  %-16s  %-5s  %11s  %9s\n", "path", "method", "dtype",
               "bytes", "us/call");
    for (int pi = 0; pi < 2; pi++) {
        unsigned path = fill_paths[pi];
        double s;
        if (!(b->o.paths & path))
            continue;
        if (path == PATH_CPU && !(j.host = malloc(OVERHEAD_BYTES))) {
            fprintf(stderr, "clinit-bench: out of memory\n");
            rc = -1;
            break;
        }
        if (path == PATH_OPENCL &&
            !(j.dev = clCreateBuffer(b->cl_ctx, CL_MEM_READ_WRITE,
                                     OVERHEAD_BYTES, NULL, &err))) {
            cl_error("clCreateBuffer", err);
            rc = -1;
            break;
        }
        st = measure(&j, path, OVERHEAD_CALLS, &s);
        if (is_rejection(st)) {
            note("overhead on the %s path: %s; skipped", path_name(path),
                 clinit_strerror(st));
            continue;
        }
        if (st != CLINIT_OK) {
            run_error(&j, path, st, "overhead");
            rc = -1;
            break;
        }
        if (b->o.json)
            print_json_us(path, "overhead", clinit_dtype_name(dt),
                          OVERHEAD_BYTES, s * 1e6);
        else
            printf("%-10s  %-16s  %-5s  %11" PRIu64 "  %9.2f\n",
                   path_name(path), "overhead", clinit_dtype_name(dt),
                   (uint64_t)OVERHEAD_BYTES, s * 1e6);
    }
    if (!b->o.json)
        putchar('\n');
    if (j.dev)
        clReleaseMemObject(j.dev);
    free(j.host);
    return rc;
}

/* The hidden child of --startup: a fresh process that creates a context on
 * the default device (or --device), fills 1 MiB of uniform f32 and prints
 * "<path> <CLOCK_MONOTONIC seconds at the end>" on stdout. */
static int startup_child(const options *o)
{
    clinit_ctx_options copt = {o->device, 0};
    clinit_ctx *ctx = NULL;
    clinit_tensor t;
    clinit_init init;
    clinit_status st;
    cl_mem buf = NULL;
    void *host = NULL;
    uint64_t numel = STARTUP_BYTES / 4;
    int rc = EXIT_FAIL;
    double end;

    memset(&t, 0, sizeof t);
    t.dtype = CLINIT_F32;
    t.ndim = 2;
    shape_2d(numel, t.shape);
    if ((st = clinit_init_default(&init, CLINIT_UNIFORM)) != CLINIT_OK) {
        lib_error("clinit_init_default", st, NULL);
        return EXIT_FAIL;
    }
    if ((st = clinit_ctx_create(&ctx, &copt)) != CLINIT_OK) {
        lib_error("clinit_ctx_create", st, NULL);
        return EXIT_FAIL;
    }
    if (clinit_ctx_is_opencl(ctx)) {
        cl_context cx = NULL;
        cl_command_queue q = clinit_ctx_queue(ctx);
        cl_int err =
            clGetCommandQueueInfo(q, CL_QUEUE_CONTEXT, sizeof cx, &cx, NULL);
        if (err != CL_SUCCESS) {
            cl_error("clGetCommandQueueInfo", err);
            goto out;
        }
        if (!(buf = clCreateBuffer(cx, CL_MEM_READ_WRITE, STARTUP_BYTES, NULL,
                                   &err))) {
            cl_error("clCreateBuffer", err);
            goto out;
        }
        if ((st = clinit_enqueue_fill(ctx, &t, &init, 0, numel, buf, 0, 0, NULL,
                                      NULL)) != CLINIT_OK) {
            lib_error("clinit_enqueue_fill", st, ctx);
            goto out;
        }
        if ((err = clFinish(q)) != CL_SUCCESS) {
            cl_error("clFinish", err);
            goto out;
        }
    } else {
        if (!(host = malloc(STARTUP_BYTES))) {
            fprintf(stderr, "clinit-bench: out of memory\n");
            goto out;
        }
        if ((st = clinit_fill_host(ctx, &t, &init, 0, numel, host)) !=
            CLINIT_OK) {
            lib_error("clinit_fill_host", st, ctx);
            goto out;
        }
    }
    end = now_s();
    printf("%s %.9f\n", clinit_ctx_is_opencl(ctx) ? "opencl" : "cpu", end);
    rc = fflush(stdout) == 0 ? 0 : EXIT_FAIL;
out:
    if (buf)
        clReleaseMemObject(buf);
    free(host);
    clinit_ctx_destroy(ctx);
    return rc;
}

/* Runs the startup child once: seconds from just before fork to the end of
 * its fill in *s, its path in path (opencl or cpu). */
static int spawn_startup(const options *o, const char *self, double *s,
                         char path[16])
{
    int fd[2], status, rc = 0;
    char out[128];
    size_t got = 0;
    double t0, end;
    pid_t pid;
    char *argv[5];
    int argc = 0;

    argv[argc++] = (char *)self;
    argv[argc++] = (char *)HIDDEN_STARTUP_CHILD;
    if (o->device) {
        argv[argc++] = (char *)"--device";
        argv[argc++] = (char *)o->device;
    }
    argv[argc] = NULL;
    if (pipe(fd) != 0) {
        fprintf(stderr, "clinit-bench: pipe: %s\n", strerror(errno));
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    t0 = now_s();
    pid = fork();
    if (pid < 0) {
        fprintf(stderr, "clinit-bench: fork: %s\n", strerror(errno));
        close(fd[0]);
        close(fd[1]);
        return -1;
    }
    if (pid == 0) {
        close(fd[0]);
        if (dup2(fd[1], STDOUT_FILENO) < 0)
            _exit(127);
        close(fd[1]);
        execv(self, argv);
        _exit(127);
    }
    close(fd[1]);
    for (;;) {
        ssize_t r = read(fd[0], out + got, sizeof out - 1 - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
        if (got == sizeof out - 1)
            break;
    }
    out[got] = '\0';
    close(fd[0]);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            fprintf(stderr, "clinit-bench: waitpid: %s\n", strerror(errno));
            return -1;
        }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        sscanf(out, "%15s %lf", path, &end) != 2) {
        fprintf(stderr, "clinit-bench: the startup child failed (%s %d)\n",
                WIFEXITED(status) ? "exit status" : "signal",
                WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        rc = -1;
    } else {
        *s = end - t0;
    }
    return rc;
}

/* Median over STARTUP_RUNS fresh processes, after one more that warms the
 * OpenCL compiler's cache. */
static int bench_startup(bench *b)
{
    char self[4096], path[16] = "";
    double t[STARTUP_RUNS];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) {
        fprintf(stderr, "clinit-bench: cannot find my own executable "
                        "(/proc/self/exe)\n");
        return -1;
    }
    self[len] = '\0';
    for (int i = -1; i < STARTUP_RUNS; i++) {
        double s;
        if (spawn_startup(&b->o, self, &s, path) != 0)
            return -1;
        if (i >= 0)
            t[i] = s;
    }
    {
        unsigned p = !strcmp(path, "opencl") ? PATH_OPENCL : PATH_CPU;
        double us = median(t, STARTUP_RUNS) * 1e6;
        if (b->o.json) {
            print_json_us(p, "startup", "f32", STARTUP_BYTES, us);
        } else {
            printf("%-10s  %-16s  %-5s  %11s  %9s\n", "path", "method", "dtype",
                   "bytes", "us");
            printf("%-10s  %-16s  %-5s  %11" PRIu64 "  %9.0f\n\n", path_name(p),
                   "startup", "f32", (uint64_t)STARTUP_BYTES, us);
        }
    }
    return 0;
}

/* ---- whole models (--model) -----------------------------------------------
 */

/* One row of the --model mode. */
typedef struct mrow {
    unsigned path;
    const char *method; /* model-batch, model-single-tensor, ... or a limit */
    const char *dtype;
    uint64_t bytes, numel;
    double s;  /* median seconds */
    double vs; /* s / the single-tensor row of the path; 0: none */
} mrow;

/* Reads all of `path` (at most MAX_MODEL_FILE bytes) into a new buffer. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;

    if (!f) {
        fprintf(stderr, "clinit-bench: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    for (;;) {
        size_t got;
        if (n == cap) {
            char *nb;
            if (cap >= MAX_MODEL_FILE) {
                fprintf(stderr, "clinit-bench: %s: larger than %u MiB\n", path,
                        (unsigned)(MAX_MODEL_FILE / MIB));
                goto fail;
            }
            cap = cap ? 2 * cap : 65536;
            if (!(nb = realloc(buf, cap))) {
                fprintf(stderr, "clinit-bench: out of memory\n");
                goto fail;
            }
            buf = nb;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                fprintf(stderr, "clinit-bench: %s: read error\n", path);
                goto fail;
            }
            break;
        }
    }
    fclose(f);
    *len = n;
    return buf;
fail:
    fclose(f);
    free(buf);
    return NULL;
}

static void print_mrow(const bench *b, const clinit_model *m, size_t ntensors,
                       const mrow *r)
{
    double gbps = (double)r->bytes / r->s * 1e-9;
    double gelems = (double)r->numel / r->s * 1e-9;
    if (b->o.json) {
        printf("{\"path\": \"%s\", \"method\": \"%s\", \"dtype\": \"%s\", "
               "\"bytes\": %" PRIu64 ", \"gbps\": %.3f, \"gelems\": %.3f, "
               "\"seconds\": %.6f, \"model\": \"%s\", \"tensors\": %zu",
               path_name(r->path), r->method, r->dtype, r->bytes, gbps, gelems,
               r->s, clinit_model_name(m), ntensors);
        if (r->vs > 0)
            printf(", \"vs_single\": %.3f", r->vs);
        printf("}\n");
    } else {
        char vs[16] = "-";
        if (r->vs > 0)
            snprintf(vs, sizeof vs, "%.2f", r->vs);
        printf("%-10s  %-25s  %-5s  %11" PRIu64 "  %10.6f  %9.3f  %9.3f  %9s\n",
               path_name(r->path), r->method, r->dtype, r->bytes, r->s, gbps,
               gelems, vs);
    }
    fflush(stdout);
}

/* Compares the tensors of the device arena with the host arena (the cpu
 * batch's result): a warning on a difference, like check_device. */
static int check_model(bench *b, job *j, size_t arena, const char *what)
{
    unsigned char *dev = malloc(arena);
    size_t bad = 0, nbad = 0;
    cl_int err;
    if (!dev) {
        note("no memory to check the %s result; not checked", what);
        return 0;
    }
    err = clEnqueueReadBuffer(b->queue, j->dev, CL_TRUE, 0, arena, dev, 0, NULL,
                              NULL);
    if (err != CL_SUCCESS) {
        cl_error("clEnqueueReadBuffer", err);
        free(dev);
        return -1;
    }
    for (size_t i = 0; i < j->ndescs; i++) {
        const clinit_fill_desc *d = &j->descs[i];
        size_t es = clinit_dtype_size(d->tensor.dtype);
        size_t off = d->offset * es, n = (size_t)(d->hi - d->lo) * es;
        if (memcmp(dev + off, (const unsigned char *)d->host, n) != 0) {
            if (!nbad)
                bad = i;
            nbad++;
        }
    }
    if (nbad)
        fprintf(stderr,
                "clinit-bench: warning: opencl %s: %zu tensors differ from "
                "the cpu batch (the first: tensor %zu)\n",
                what, nbad, bad);
    free(dev);
    return 0;
}

/* Times one model (as it is now, after overrides): the arena, the single
 * tensor of the same bytes and the per-tensor calls, on every path. */
static int bench_model_one(bench *b, clinit_model *m)
{
    size_t n = clinit_model_size(m), arena = 0;
    clinit_fill_desc *descs = calloc(n ? n : 1, sizeof *descs);
    unsigned paths = b->o.paths;
    uint64_t numel = clinit_model_numel(m), bytes = clinit_model_bytes(m);
    /* bytes per (method, dtype), and the largest tensor of each */
    static uint64_t mbytes[64][4], mlbytes[64][4];
    static size_t mlargest[64][4];
    int dom_m = -1, dom_d = 0, mixed = 0, nbuf, rc = 0, nr = 0;
    const char *dtname;
    clinit_tensor single;
    clinit_init sinit;
    clinit_model_tensor_info info;
    clinit_status st;
    mrow rows[12];
    clinit_fill_desc sdesc;
    job j;
    cl_int err;

    memset(&j, 0, sizeof j);
    memset(mbytes, 0, sizeof mbytes);
    memset(mlbytes, 0, sizeof mlbytes);
    if (!descs) {
        fprintf(stderr, "clinit-bench: out of memory\n");
        return -1;
    }
    if (n == 0) {
        note("model '%s' has no tensors; skipped", clinit_model_name(m));
        goto out;
    }
    /* the arena: tensors in spec order, each at a multiple of its element
     * size (no padding for a single-dtype model) */
    for (size_t i = 0; i < n; i++) {
        clinit_fill_desc *d = &descs[i];
        size_t es;
        int mi, di;
        if ((st = clinit_model_fill_desc(m, i, d)) != CLINIT_OK ||
            (st = clinit_model_tensor(m, i, &info)) != CLINIT_OK) {
            lib_error("clinit_model_fill_desc", st, NULL);
            rc = -1;
            goto out;
        }
        es = clinit_dtype_size(d->tensor.dtype);
        arena = (arena + es - 1) / es * es;
        d->offset = arena / es;
        arena += (size_t)info.bytes;
        mi = (int)d->init.method;
        di = (int)d->tensor.dtype;
        if (mi >= 0 && mi < 64 && di >= 0 && di < 4) {
            if (info.bytes > mlbytes[mi][di]) {
                mlbytes[mi][di] = info.bytes;
                mlargest[mi][di] = i;
            }
            mbytes[mi][di] += info.bytes;
        }
        if (d->tensor.dtype != descs[0].tensor.dtype)
            mixed = 1;
    }
    for (int mi = 0; mi < 64; mi++)
        for (int di = 0; di < 4; di++)
            if (mbytes[mi][di] &&
                (dom_m < 0 || mbytes[mi][di] > mbytes[dom_m][dom_d])) {
                dom_m = mi;
                dom_d = di;
            }
    dtname = mixed ? "mixed" : clinit_dtype_name(descs[0].tensor.dtype);

    /* (b): one tensor of the same bytes, the dominant method and dtype,
     * with the parameters of the largest tensor that uses them */
    single = descs[mlargest[dom_m][dom_d]].tensor;
    sinit = descs[mlargest[dom_m][dom_d]].init;
    if (sinit.method == CLINIT_ORTHOGONAL || sinit.method == CLINIT_DIRAC ||
        sinit.method == CLINIT_EYE) {
        note("the model's dominant method %s has no single-tensor "
             "equivalent of that size; normal instead",
             clinit_method_name(sinit.method));
        clinit_init_default(&sinit, CLINIT_NORMAL);
    }
    single.ndim = 2;
    single.stream = 1;
    shape_2d(bytes / clinit_dtype_size(single.dtype), single.shape);

    nbuf = ((paths & HOST_PATHS) != 0) + ((paths & DEV_PATHS) != 0);
    if ((uint64_t)arena * (uint64_t)nbuf >= MEM_BUDGET) {
        note("model of %zu bytes x %d buffers is over the %" PRIu64
             " MiB memory cap; skipped",
             arena, nbuf, MEM_BUDGET / MIB);
        goto out;
    }
    if ((paths & DEV_PATHS) && arena > b->max_alloc) {
        note("model of %zu bytes is over the device's max allocation (%" PRIu64
             "); opencl and fillbuffer skipped",
             arena, b->max_alloc);
        paths &= ~(unsigned)DEV_PATHS;
    }
    j.cpu = b->cpu;
    j.ocl = b->ocl;
    j.queue = b->queue;
    j.bytes = arena;
    j.descs = descs;
    j.ndescs = n;
    if (paths & HOST_PATHS) {
        if (posix_memalign(&j.host, 4096, arena) != 0) {
            j.host = NULL;
            fprintf(stderr, "clinit-bench: out of memory (%zu bytes)\n", arena);
            rc = -1;
            goto out;
        }
        memset(j.host, 0, arena); /* pre-touch */
        j.threads = (unsigned)(arena / MEMSET_BYTES_PER_THREAD);
        if (j.threads > b->ncpu)
            j.threads = b->ncpu;
        if (j.threads < 1)
            j.threads = 1;
    }
    if (paths & DEV_PATHS) {
        j.dev = clCreateBuffer(b->cl_ctx, CL_MEM_READ_WRITE, arena, NULL, &err);
        if (!j.dev) {
            cl_error("clCreateBuffer", err);
            rc = -1;
            goto out;
        }
    }
    memset(&sdesc, 0, sizeof sdesc);
    sdesc.tensor = single;
    sdesc.init = sinit;
    sdesc.hi = bytes / clinit_dtype_size(single.dtype);
    sdesc.buf = j.dev;
    sdesc.host = j.host;
    for (size_t i = 0; i < n; i++) {
        size_t es = clinit_dtype_size(descs[i].tensor.dtype);
        descs[i].buf = j.dev;
        descs[i].host =
            j.host ? (unsigned char *)j.host + descs[i].offset * es : NULL;
    }

    if (!b->o.json) {
        printf("model %s: %zu tensors, %" PRIu64 " elements, %" PRIu64
               " bytes (%s), one arena buffer of %zu bytes\n",
               *clinit_model_name(m) ? clinit_model_name(m) : "(unnamed)", n,
               numel, bytes, dtname, arena);
        printf("single tensor: %s %s [%" PRId64 ", %" PRId64
               "] (the method and dtype of %.1f%% of the bytes)\n\n",
               clinit_method_name(sinit.method),
               clinit_dtype_name(single.dtype), single.shape[0],
               single.shape[1],
               100.0 * (double)mbytes[dom_m][dom_d] / (double)bytes);
        printf("%-10s  %-25s  %-5s  %11s  %10s  %9s  %9s  %9s\n", "path",
               "method", "dtype", "bytes", "seconds", "GB/s", "Gelem/s",
               "vs-single");
    }

    /* the limits, then cpu (the host arena keeps the cpu batch's result
     * for the checks), then opencl; the single tensors last, since they
     * overwrite the arenas */
    {
        static const struct {
            unsigned path;
            int kind;
            int one; /* a batch of one descriptor: the single tensor */
            const char *name;
        } plan[] = {
            {PATH_MEMSET, K_TENSOR, 0, "memset"},
            {PATH_STREAM, K_TENSOR, 0, "stream"},
            {PATH_FILLBUFFER, K_TENSOR, 0, "fillbuffer"},
            {PATH_CPU, K_PER_TENSOR, 0, "model-per-tensor"},
            {PATH_CPU, K_BATCH, 0, "model-batch"},
            {PATH_OPENCL, K_BATCH, 0, "model-batch"},
            {PATH_OPENCL, K_PER_TENSOR, 0, "model-per-tensor"},
            {PATH_CPU, K_TENSOR, 0, "model-single-tensor"},
            {PATH_OPENCL, K_TENSOR, 0, "model-single-tensor"},
            /* where a batch's time goes: the batch kernel on the single
             * tensor, no tensor lookups to speak of */
            {PATH_OPENCL, K_BATCH, 1, "model-single-tensor-batch"},
        };
        for (size_t k = 0; k < sizeof plan / sizeof *plan; k++) {
            unsigned path = plan[k].path;
            int limit = IS_LIMIT(path);
            mrow *r = &rows[nr];
            double s;
            if (!(paths & path))
                continue;
            j.kind = plan[k].kind;
            j.descs = plan[k].one ? &sdesc : descs;
            j.ndescs = plan[k].one ? 1 : n;
            if (limit) {
                j.bytes = (size_t)bytes; /* the tensors' bytes */
            } else if (j.kind == K_TENSOR || plan[k].one) {
                j.t = &single;
                j.init = &sinit;
                j.numel = bytes / clinit_dtype_size(single.dtype);
                j.bytes = (size_t)(j.numel * clinit_dtype_size(single.dtype));
            }
            st = measure(&j, path, b->o.reps, &s);
            if (is_rejection(st)) {
                note("model %s on the %s path: %s; skipped", plan[k].name,
                     path_name(path), clinit_strerror(st));
                continue;
            }
            if (st != CLINIT_OK) {
                char what[64];
                if (j.kind != K_TENSOR) {
                    clinit_model_tensor_info ti;
                    if (clinit_model_tensor(m, j.bad, &ti) == CLINIT_OK)
                        fprintf(stderr, "clinit-bench: at tensor %zu (%s)\n",
                                j.bad, ti.name);
                }
                snprintf(what, sizeof what, "model %s", plan[k].name);
                run_error(&j, path, st, what);
                rc = -1;
                goto out;
            }
            r->path = path;
            r->method = plan[k].name;
            r->dtype = limit ? "u8"
                       : j.kind == K_TENSOR || plan[k].one
                           ? clinit_dtype_name(single.dtype)
                           : dtname;
            r->bytes = limit                               ? bytes
                       : j.kind == K_TENSOR || plan[k].one ? (uint64_t)j.bytes
                                                           : bytes;
            r->numel = limit                               ? bytes
                       : j.kind == K_TENSOR || plan[k].one ? j.numel
                                                           : numel;
            r->s = s;
            r->vs = 0;
            nr++;
            if (path == PATH_OPENCL && j.kind != K_TENSOR && !plan[k].one &&
                j.host && (paths & PATH_CPU) &&
                check_model(b, &j, arena, r->method)) {
                rc = -1;
                goto out;
            }
        }
    }
    for (int i = 0; i < nr; i++) {
        for (int k = 0; k < nr; k++)
            if (rows[k].path == rows[i].path &&
                !strcmp(rows[k].method, "model-single-tensor") &&
                !IS_LIMIT(rows[i].path))
                rows[i].vs = rows[i].s / rows[k].s;
        print_mrow(b, m, n, &rows[i]);
    }
    if (!b->o.json) {
        for (int pi = 1; pi >= 0; pi--) {
            unsigned path = fill_paths[pi];
            const mrow *a = NULL, *c = NULL;
            for (int i = 0; i < nr; i++)
                if (rows[i].path == path && rows[i].vs > 0) {
                    if (!strcmp(rows[i].method, "model-batch"))
                        a = &rows[i];
                    else if (!strcmp(rows[i].method, "model-per-tensor"))
                        c = &rows[i];
                }
            if (a && c)
                printf("%s: (a) one batch / (b) one tensor = %.2f; (c) one "
                       "call per tensor / (b) = %.2f\n",
                       path_name(path), a->vs, c->vs);
        }
        putchar('\n');
    }
out:
    if (j.dev)
        clReleaseMemObject(j.dev);
    free(j.host);
    free(descs);
    return rc;
}

/* --model: parses the spec and times it as it is, or once per --dtype
 * (clinit_model_set_dtype). */
static int load_model(bench *b)
{
    size_t len;
    char err[512] = "";
    char *json = read_file(b->o.model, &len);
    clinit_status st;

    if (!json)
        return -1;
    st = clinit_model_parse(json, len, &b->model, err, sizeof err);
    free(json);
    if (st != CLINIT_OK) {
        fprintf(stderr, "clinit-bench: %s: %s\n", b->o.model,
                *err ? err : clinit_strerror(st));
        return -1;
    }
    return 0;
}

static int bench_model(bench *b)
{
    char err[512] = "";
    clinit_model *m = b->model;
    clinit_status st;
    int rc = 0;

    if (!b->o.dtype_given) {
        rc = bench_model_one(b, m);
    } else {
        for (int di = 0; di < b->ndtypes && rc == 0; di++) {
            clinit_model_set_dtype(m, b->dtypes[di]);
            if ((st = clinit_model_check(m, err, sizeof err)) != CLINIT_OK) {
                note("model as %s: %s; skipped",
                     clinit_dtype_name(b->dtypes[di]), err);
                continue;
            }
            rc = bench_model_one(b, m);
        }
    }
    return rc;
}

/* ---- setup -------------------------------------------------------------- */

/* Resolves the requested names, noting those the library rejects. */
static void resolve_names(bench *b)
{
    for (int i = 0; i < b->o.nmethods; i++) {
        clinit_method m;
        clinit_status st = clinit_method_from_name(b->o.methods[i], &m);
        if (st != CLINIT_OK) {
            note("method '%s': %s; skipped", b->o.methods[i],
                 clinit_strerror(st));
            continue;
        }
        b->methods[b->nmethods] = m;
        snprintf(b->method_names[b->nmethods], MAX_NAME, "%s",
                 clinit_method_name(m) ? clinit_method_name(m)
                                       : b->o.methods[i]);
        b->nmethods++;
    }
    for (int i = 0; i < b->o.ndtypes; i++) {
        clinit_dtype d;
        clinit_status st = clinit_dtype_from_name(b->o.dtypes[i], &d);
        if (st != CLINIT_OK || clinit_dtype_size(d) == 0) {
            note("dtype '%s': %s; skipped", b->o.dtypes[i],
                 clinit_strerror(st != CLINIT_OK ? st : CLINIT_EDTYPE));
            continue;
        }
        b->dtypes[b->ndtypes++] = d;
    }
}

/* Creates the contexts the paths need; drops the device paths (with a
 * note) when there is no OpenCL device. */
static int setup(bench *b)
{
    clinit_status st;
    cl_int err;
    cl_device_id dev;
    cl_ulong max_alloc = 0;

    if (b->o.paths & PATH_CPU) {
        clinit_ctx_options copt = {"cpu", 0};
        if ((st = clinit_ctx_create(&b->cpu, &copt)) != CLINIT_OK) {
            lib_error("clinit_ctx_create(cpu)", st, NULL);
            return -1;
        }
    }
    if (!(b->o.paths & DEV_PATHS))
        return 0;
    {
        clinit_ctx_options copt = {b->o.device ? b->o.device : "opencl", 0};
        st = clinit_ctx_create(&b->ocl, &copt);
        if (st == CLINIT_EDEVICESPEC) {
            lib_error(copt.device, st, NULL);
            return EXIT_USAGE;
        }
        /* an explicit device that is missing is an error; no device at
         * all for the default is not */
        if (b->o.device && st == CLINIT_ENODEVICE) {
            lib_error(copt.device, st, NULL);
            return -1;
        }
        if (st == CLINIT_ENODEVICE ||
            (st == CLINIT_OK && !clinit_ctx_is_opencl(b->ocl))) {
            note("device '%s': no OpenCL device; opencl, fillbuffer and "
                 "copy skipped",
                 copt.device);
            clinit_ctx_destroy(b->ocl);
            b->ocl = NULL;
            b->o.paths &= ~(unsigned)DEV_PATHS;
            return 0;
        }
        if (st != CLINIT_OK) {
            lib_error("clinit_ctx_create", st, NULL);
            return -1;
        }
    }
    if ((st = clinit_ctx_warmup(b->ocl)) != CLINIT_OK) {
        lib_error("clinit_ctx_warmup", st, b->ocl);
        return -1;
    }
    b->queue = clinit_ctx_queue(b->ocl);
    if ((err = clGetCommandQueueInfo(b->queue, CL_QUEUE_CONTEXT,
                                     sizeof b->cl_ctx, &b->cl_ctx, NULL)) !=
            CL_SUCCESS ||
        (err = clGetCommandQueueInfo(b->queue, CL_QUEUE_DEVICE, sizeof dev,
                                     &dev, NULL)) != CL_SUCCESS ||
        (err = clGetDeviceInfo(dev, CL_DEVICE_MAX_MEM_ALLOC_SIZE,
                               sizeof max_alloc, &max_alloc, NULL)) !=
            CL_SUCCESS) {
        cl_error("querying the queue's device", err);
        return -1;
    }
    b->max_alloc = max_alloc;
    return 0;
}

int main(int argc, char **argv)
{
    static bench b; /* large; zeroed */
    long ncpu;
    int rc = 0;

    if (parse_args(argc, argv, &b.o) != 0)
        return EXIT_USAGE;
    if (b.o.startup_child)
        return startup_child(&b.o);
    ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    b.ncpu = ncpu < 1 ? 1u : (unsigned)ncpu;
    resolve_names(&b);
    if (b.o.model && load_model(&b) != 0) {
        rc = EXIT_FAIL;
        goto out;
    }
    if ((rc = setup(&b)) != 0) {
        rc = rc == EXIT_USAGE ? EXIT_USAGE : EXIT_FAIL;
        goto out;
    }
    if (!b.o.json) {
        printf("clinit-bench, clinit %s: cpu path %u threads; opencl path "
               "%s; reps ",
               clinit_version_string(), b.ncpu,
               b.ocl ? clinit_ctx_device_name(b.ocl) : "(none)");
        if (b.o.reps)
            printf("%d", b.o.reps);
        else
            printf("adaptive (>= %d and >= %.1f s, or >= %d and >= %.0f s; "
                   "<= %d)",
                   MIN_REPS, MIN_SECONDS, SLOW_REPS, SLOW_SECONDS, MAX_REPS);
        printf("; median; GB = 1e9 bytes\n\n");
    }
    if (b.o.modes & M_THROUGHPUT)
        for (int i = 0; i < b.o.nsizes && rc == 0; i++)
            if (bench_size(&b, b.o.sizes[i]) != 0)
                rc = EXIT_FAIL;
    if (rc == 0 && (b.o.modes & M_OVERHEAD) &&
        (b.o.paths & (PATH_CPU | PATH_OPENCL)) && bench_overhead(&b) != 0)
        rc = EXIT_FAIL;
    if (rc == 0 && (b.o.modes & M_STARTUP) && bench_startup(&b) != 0)
        rc = EXIT_FAIL;
    if (rc == 0 && (b.o.modes & M_MODEL) && bench_model(&b) != 0)
        rc = EXIT_FAIL;
out:
    clinit_ctx_destroy(b.cpu);
    clinit_ctx_destroy(b.ocl);
    clinit_model_destroy(b.model);
    return rc;
}
