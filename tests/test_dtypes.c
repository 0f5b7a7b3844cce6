/* test_dtypes.c - the storage dtypes (f32, f16, bf16, f64) on both paths:
 *  - the CPU vs OpenCL bit-equality matrix: every method x every dtype,
 *    memcmp of clinit_fill_host against clinit_enqueue_fill over odd
 *    shapes, non-zero buffer offsets (guard elements around the range must
 *    stay untouched), sub-ranges that start and end inside a block (32
 *    elements for f64, 64 for the others) and two (seed, stream) pairs;
 *    the matrix is printed with cr_log_info (run with --verbose);
 *  - f16 rounding: clinit_f16_bits (C) against vstore_half16_rte on the
 *    device (clinit_debug_math_device op 3) and against an independent
 *    reference in double, exhaustively over several binades and densely
 *    over every float that rounds into or next to the range of half:
 *    halfway cases, subnormal halves, overflow to infinity from 65520;
 *    bf16 (op 4) against clinit_bf16_bits and the same kind of reference;
 *  - f16/bf16 fills are the f32 fill of the same tensor rounded once
 *    (clamped to the dtype's bounds for uniform and trunc_normal);
 *  - f64 uniform and normal carry 53 random bits, not 24.
 * The CPU path is the oracle (ggml test-backend-ops style). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinit_dtype.h"
#include "common.h"

static clinit_ctx *ctx;

static void setup(void)
{
    ctx = test_opencl_ctx();
}
static void teardown(void)
{
    clinit_ctx_destroy(ctx);
}

TestSuite(dtypes, .init = setup, .fini = teardown, .timeout = 300);

static const clinit_dtype all_dtypes[] = {CLINIT_F32,    CLINIT_F16,
                                          CLINIT_BF16,   CLINIT_F64,
                                          CLINIT_F8E4M3, CLINIT_F8E5M2};
#define NDTYPES 6

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    cr_assert(p != NULL, "out of memory (%zu bytes)", n);
    return p;
}

/* ---- the equality matrix ----------------------------------------------- */

/* One row of the matrix: a method, and for variance_scaling the
 * distribution (-1 for every other method). */
typedef struct row {
    const char *name;
    clinit_method method;
    int distribution;
} row;

static const row rows[] = {
    {"uniform", CLINIT_UNIFORM, -1},
    {"normal", CLINIT_NORMAL, -1},
    {"constant", CLINIT_CONSTANT, -1},
    {"zeros", CLINIT_ZEROS, -1},
    {"ones", CLINIT_ONES, -1},
    {"xavier_uniform", CLINIT_XAVIER_UNIFORM, -1},
    {"xavier_normal", CLINIT_XAVIER_NORMAL, -1},
    {"kaiming_uniform", CLINIT_KAIMING_UNIFORM, -1},
    {"kaiming_normal", CLINIT_KAIMING_NORMAL, -1},
    {"trunc_normal", CLINIT_TRUNC_NORMAL, -1},
    {"sparse", CLINIT_SPARSE, -1},
    {"eye", CLINIT_EYE, -1},
    {"dirac", CLINIT_DIRAC, -1},
    {"orthogonal", CLINIT_ORTHOGONAL, -1},
    {"variance_scaling(truncated_normal)", CLINIT_VARIANCE_SCALING,
     CLINIT_VS_TRUNCATED_NORMAL},
    {"variance_scaling(untruncated_normal)", CLINIT_VARIANCE_SCALING,
     CLINIT_VS_UNTRUNCATED_NORMAL},
    {"variance_scaling(uniform)", CLINIT_VARIANCE_SCALING, CLINIT_VS_UNIFORM},
    {"lecun_uniform", CLINIT_LECUN_UNIFORM, -1},
    {"lecun_normal", CLINIT_LECUN_NORMAL, -1},
    {"glorot_uniform", CLINIT_GLOROT_UNIFORM, -1},
    {"glorot_normal", CLINIT_GLOROT_NORMAL, -1},
    {"he_uniform", CLINIT_HE_UNIFORM, -1},
    {"he_normal", CLINIT_HE_NORMAL, -1},
};
#define NROWS (sizeof rows / sizeof rows[0])

typedef struct shape {
    int ndim;
    int64_t dims[5];
} shape;

/* odd sizes, none a multiple of 32 or 64 */
static const shape shapes_any[] = {
    {2, {37, 41}}, {4, {6, 5, 3, 7}}, {3, {10, 13, 11}}};
static const shape shapes_2d[] = {{2, {37, 41}}, {2, {130, 7}}};
static const shape shapes_dirac[] = {
    {3, {10, 13, 11}}, {4, {6, 5, 3, 7}}, {5, {4, 3, 3, 5, 5}}};
static const shape shapes_ortho[] = {{2, {37, 41}}, {3, {41, 5, 3}}};

static const shape *shapes_for(clinit_method m, size_t *count)
{
    switch (m) {
    case CLINIT_SPARSE:
    case CLINIT_EYE:
        *count = sizeof shapes_2d / sizeof shapes_2d[0];
        return shapes_2d;
    case CLINIT_DIRAC:
        *count = sizeof shapes_dirac / sizeof shapes_dirac[0];
        return shapes_dirac;
    case CLINIT_ORTHOGONAL:
        *count = sizeof shapes_ortho / sizeof shapes_ortho[0];
        return shapes_ortho;
    default:
        *count = sizeof shapes_any / sizeof shapes_any[0];
        return shapes_any;
    }
}

/* Parameters per variant v (0 or 1); variant 1 reaches the subnormal
 * halves of f16 where it can (normal std 1e-5, constant 2.5e-6). */
static clinit_init row_init(const row *r, int v)
{
    clinit_init in = test_init(r->method);
    switch (r->method) {
    case CLINIT_UNIFORM: /* variant 1: bounds no 16-bit dtype represents */
        in.a = v ? 0.1 : -3.0;
        in.b = v ? 0.3 : 7.5;
        break;
    case CLINIT_NORMAL:
        in.mean = v ? 0.0 : 0.5;
        in.std = v ? 1e-5 : 2.0;
        break;
    case CLINIT_CONSTANT:
        in.val = v ? -2.5e-6 : 0.1;
        break;
    case CLINIT_XAVIER_UNIFORM:
    case CLINIT_XAVIER_NORMAL:
    case CLINIT_ORTHOGONAL:
        in.gain = v ? 5.0 / 3 : 1.0;
        break;
    case CLINIT_KAIMING_UNIFORM:
    case CLINIT_KAIMING_NORMAL:
        in.mode = v ? CLINIT_FAN_OUT : CLINIT_FAN_IN;
        in.nonlinearity = v ? CLINIT_NL_RELU : CLINIT_NL_LEAKY_RELU;
        in.a = v ? 0.0 : 0.2;
        break;
    case CLINIT_TRUNC_NORMAL: /* variant 1: the far right tail */
        in.mean = v ? 0.0 : 0.1;
        in.std = v ? 1e-3 : 1.5;
        in.a = v ? 3e-3 : -2.0;
        in.b = v ? 6e-3 : 3.0;
        break;
    case CLINIT_SPARSE:
        in.sparsity = v ? 0.9 : 0.3;
        in.std = v ? 1.0 : 0.01;
        break;
    case CLINIT_DIRAC:
        in.groups = v ? 2 : 1; /* every dirac shape has an even out dim */
        break;
    case CLINIT_VARIANCE_SCALING:
        in.distribution = (clinit_distribution)r->distribution;
        in.scale = v ? 2.0 : 0.5;
        in.mode = v ? CLINIT_FAN_AVG : CLINIT_FAN_OUT;
        break;
    default:
        break;
    }
    return in;
}

/* Fills [lo, hi) of t on the CPU path and into a device buffer at element
 * `off`, between guard elements; 0 when the bytes are identical and the
 * guards untouched, else 1 with a description in msg. */
static int check(const clinit_tensor *t, const clinit_init *in, uint64_t lo,
                 uint64_t hi, size_t off, char *msg, size_t cap)
{
    const size_t es = clinit_dtype_size(t->dtype), guard = 23;
    size_t n = (size_t)(hi - lo), total = off + n + guard;
    unsigned char *host = xmalloc(n * es), *dev = xmalloc(total * es);
    cl_mem b = test_buffer(ctx, total * es, 0x7f);
    cl_event ev = NULL;
    clinit_status st;
    int bad = 0;

    st = clinit_fill_host(NULL, t, in, lo, hi, host);
    if (st != CLINIT_OK) {
        snprintf(msg, cap, "host fill: %s", clinit_strerror(st));
        bad = 1;
        goto out;
    }
    st = clinit_enqueue_fill(ctx, t, in, lo, hi, b, off, 0, NULL, &ev);
    if (st != CLINIT_OK) {
        snprintf(msg, cap, "device fill: %s %s", clinit_strerror(st),
                 clinit_ctx_build_log(ctx));
        bad = 1;
        goto out;
    }
    cr_assert_eq(clWaitForEvents(1, &ev), CL_SUCCESS);
    clReleaseEvent(ev);
    test_read(ctx, b, 0, total * es, dev);
    for (size_t i = 0; i < off * es; i++)
        if (dev[i] != 0x7f) {
            snprintf(msg, cap,
                     "wrote byte %zu before the offset (%zu elements)", i, off);
            bad = 1;
            goto out;
        }
    for (size_t i = (off + n) * es; i < total * es; i++)
        if (dev[i] != 0x7f) {
            snprintf(msg, cap, "wrote byte %zu past the end",
                     i - (off + n) * es);
            bad = 1;
            goto out;
        }
    if (memcmp(host, dev + off * es, n * es) != 0) {
        size_t i = 0;
        uint64_t hb = 0, db = 0;
        while (memcmp(host + i * es, dev + (off + i) * es, es) == 0)
            i++;
        memcpy(&hb, host + i * es, es);
        memcpy(&db, dev + (off + i) * es, es);
        snprintf(msg, cap, "element %llu differs: cpu %0*llx opencl %0*llx",
                 (unsigned long long)(lo + i), (int)(2 * es),
                 (unsigned long long)hb, (int)(2 * es), (unsigned long long)db);
        bad = 1;
    }
out:
    clReleaseMemObject(b);
    free(host);
    free(dev);
    return bad;
}

/* Ranges of a tensor of n elements with blocks of be elements: the whole,
 * ends and starts inside blocks, single elements, whole blocks only. */
static size_t ranges_for(uint64_t n, uint64_t be, uint64_t r[][2])
{
    const uint64_t v[][2] = {{0, n},
                             {1, n - 1},
                             {be - 1, be + 1},
                             {be / 2, 3 * be + be / 2 + 1},
                             {2 * be, 4 * be},
                             {n - 1, n},
                             {7, 8},
                             {be + 3, n - be + 5},
                             {n - be - 1, n - 3}};
    size_t k = sizeof v / sizeof v[0];
    memcpy(r, v, sizeof v);
    return k;
}

/* The rows of the matrix that are sparse_ (sparse_only) or all the
 * others: compares, prints the matrix, fails on any difference. */
static void run_matrix(int sparse_only)
{
    /* per cell: '=' identical everywhere, 'X' a difference, '-' not
     * available (f64 on a device without cl_khr_fp64) */
    char cell[NROWS][NDTYPES];
    char first[NROWS][NDTYPES][256];
    unsigned checks[NROWS][NDTYPES];
    static const uint64_t seeds[2] = {42, 0xdeadbeefcafef00dull};
    static const uint64_t streams[2] = {0, 0x100000003ull};
    unsigned total = 0;
    int fp64 = 1;

    for (size_t ri = 0; ri < NROWS; ri++)
        for (int di = 0; di < NDTYPES; di++) {
            const row *r = &rows[ri];
            clinit_dtype dt = all_dtypes[di];
            size_t nshapes;
            const shape *sh = shapes_for(r->method, &nshapes);
            cell[ri][di] = '=';
            first[ri][di][0] = 0;
            checks[ri][di] = 0;
            if ((r->method == CLINIT_SPARSE) != !!sparse_only) {
                cell[ri][di] = 0; /* not in this run */
                continue;
            }
            if (dt == CLINIT_F64 && !fp64) {
                cell[ri][di] = '-';
                continue;
            }
            for (size_t s = 0; s < nshapes && cell[ri][di] == '='; s++)
                for (int v = 0; v < 2 && cell[ri][di] == '='; v++) {
                    clinit_tensor t = test_tensor(sh[s].ndim, sh[s].dims,
                                                  seeds[v], streams[v]);
                    clinit_init in = row_init(r, v);
                    uint64_t n, rg[16][2];
                    size_t nr;
                    t.dtype = dt;
                    cr_assert_eq(clinit_numel(&t, &n), CLINIT_OK);
                    nr = ranges_for(n, CLINIT_BLOCK_ELEMS(dt), rg);
                    for (size_t k = 0; k < nr; k++) {
                        size_t off =
                            (k == 0 && v == 0) ? 0 : 1 + (k * 5 + 3) % 13;
                        char msg[200];
                        if (dt == CLINIT_F64 && k == 0 && s == 0 && v == 0) {
                            /* a device without double precision says so */
                            cl_mem b = test_buffer(ctx, 8, 0);
                            clinit_status st = clinit_enqueue_fill(
                                ctx, &t, &in, 0, 1, b, 0, 0, NULL, NULL);
                            clFinish(clinit_ctx_queue(ctx));
                            clReleaseMemObject(b);
                            if (st == CLINIT_ENOFP64) {
                                fp64 = 0;
                                cell[ri][di] = '-';
                                break;
                            }
                        }
                        checks[ri][di]++;
                        if (check(&t, &in, rg[k][0], rg[k][1], off, msg,
                                  sizeof msg)) {
                            cell[ri][di] = 'X';
                            snprintf(first[ri][di], sizeof first[ri][di],
                                     "shape#%zu variant %d range [%llu, %llu) "
                                     "offset %zu: %s",
                                     s, v, (unsigned long long)rg[k][0],
                                     (unsigned long long)rg[k][1], off, msg);
                            break;
                        }
                    }
                }
            total += checks[ri][di];
        }

    cr_log_info("CPU path vs %s: '=' bit-identical, 'X' differs, '-' n/a "
                "(%u fills compared)",
                clinit_ctx_device_name(ctx), total);
    cr_log_info("%-38s %-5s %-5s %-5s %-5s %-7s %-7s", "method", "f32", "f16",
                "bf16", "f64", "f8e4m3", "f8e5m2");
    for (size_t ri = 0; ri < NROWS; ri++)
        if (cell[ri][0])
            cr_log_info("%-38s %-5c %-5c %-5c %-5c %-7c %-7c", rows[ri].name,
                        cell[ri][0], cell[ri][1], cell[ri][2], cell[ri][3],
                        cell[ri][4], cell[ri][5]);
    for (size_t ri = 0; ri < NROWS; ri++)
        for (int di = 0; di < NDTYPES; di++)
            cr_expect(cell[ri][di] != 'X', "%s in %s: %s", rows[ri].name,
                      clinit_dtype_name(all_dtypes[di]), first[ri][di]);
}

/* Every row but sparse_, which has its own test below so that a hang in
 * it (a timeout) cannot hide the rest of the matrix. 240 s: a kernel
 * build per dtype on Rusticl, which compiles at kernel creation, with the
 * machine loaded. */
Test(dtypes, cpu_opencl_equality_matrix)
{
    run_matrix(0);
}

Test(dtypes, cpu_opencl_equality_matrix_sparse, .timeout = 240)
{
    run_matrix(1);
}

/* ---- reference roundings, in double ------------------------------------ */

/* f16 bits of the finite double x, round to nearest even, computed from
 * the definition: the multiple of the half's unit in x's binade nearest to
 * x (nearbyint: ties to even in the default rounding mode), infinity from
 * 65520 = 65504 + half a unit up. */
static uint16_t ref_f16(double x)
{
    uint16_t sign = signbit(x) ? 0x8000u : 0;
    double a = fabs(x), r, m;
    int e, q;
    if (a == 0)
        return sign;
    (void)frexp(a, &e); /* a in [2^(e-1), 2^e) */
    q = e - 1 - 10;     /* the unit of a half in that binade */
    if (q < -24)
        q = -24; /* subnormal halves: unit 2^-24 */
    m = nearbyint(ldexp(a, -q));
    r = ldexp(m, q);
    if (r >= 65536.0)
        return sign | 0x7c00u;
    if (r < 0x1p-14) /* subnormal or zero: m units of 2^-24 */
        return (uint16_t)(sign | (uint16_t)m);
    (void)frexp(r, &e);
    return (uint16_t)(sign | (uint16_t)((e - 1 + 15) << 10) |
                      (uint16_t)(ldexp(r, 10 - (e - 1)) - 1024.0));
}

/* bf16 bits of the finite, normal-or-zero float x, the same way (bf16 has
 * f32's exponent range; infinity from 2^128 - 2^119). */
static uint16_t ref_bf16(float x)
{
    uint16_t sign = signbit(x) ? 0x8000u : 0;
    double a = fabs((double)x), r;
    int e;
    if (a == 0)
        return sign;
    (void)frexp(a, &e);
    r = ldexp(nearbyint(ldexp(a, -(e - 1 - 7))), e - 1 - 7);
    if (r >= 0x1p128)
        return sign | 0x7f80u;
    return (uint16_t)(sign | (test_bits((float)r) >> 16));
}

static uint32_t f32bits(int sign, uint32_t biased_exp, uint32_t mant)
{
    return (sign ? 0x80000000u : 0) | (biased_exp << 23) | (mant & 0x7fffffu);
}

/* A batch of inputs for the rounding probe, flushed to the device and
 * compared when full. */
#define BATCH (1u << 22)

typedef struct probe {
    int op; /* 3 f16, 4 bf16 */
    uint32_t *in;
    float *out;
    size_t n;
    uint64_t total, dev_diff, ref_diff;
    char first_dev[160], first_ref[160];
} probe;

static void probe_flush(probe *p)
{
    size_t n = p->n;
    if (n == 0)
        return;
    while (n % 16) /* pad with +0 */
        p->in[n++] = 0;
    cr_assert_eq(clinit_debug_math_device(ctx, p->op, p->in, n, p->out),
                 CLINIT_OK, "math probe op %d: %s", p->op,
                 clinit_ctx_build_log(ctx));
    for (size_t i = 0; i < p->n; i++) {
        float f;
        uint32_t got, want, ref;
        memcpy(&f, &p->in[i], 4);
        memcpy(&got, &p->out[i], 4);
        if (p->op == 3) {
            want = clinit_f16_bits(f);
            ref = ref_f16((double)f);
        } else {
            want = clinit_bf16_bits(f);
            ref = ref_bf16(f);
        }
        if (got != want && p->dev_diff++ == 0)
            snprintf(p->first_dev, sizeof p->first_dev,
                     "%a (%08x): device %04x, C %04x", (double)f, p->in[i], got,
                     want);
        if (ref != want && p->ref_diff++ == 0)
            snprintf(p->first_ref, sizeof p->first_ref,
                     "%a (%08x): reference %04x, C %04x", (double)f, p->in[i],
                     ref, want);
    }
    p->total += p->n;
    p->n = 0;
}

static void probe_push(probe *p, uint32_t bits)
{
    p->in[p->n++] = bits;
    if (p->n == BATCH)
        probe_flush(p);
}

static void probe_init(probe *p, int op)
{
    memset(p, 0, sizeof *p);
    p->op = op;
    p->in = xmalloc(BATCH * sizeof *p->in);
    p->out = xmalloc(BATCH * sizeof *p->out);
}

static void probe_finish(probe *p, const char *what)
{
    probe_flush(p);
    cr_log_info("%s: %llu floats, %llu device/C differences, %llu "
                "reference/C differences",
                what, (unsigned long long)p->total,
                (unsigned long long)p->dev_diff,
                (unsigned long long)p->ref_diff);
    cr_expect_eq(p->dev_diff, 0, "%s: %llu of %llu differ, first %s", what,
                 (unsigned long long)p->dev_diff, (unsigned long long)p->total,
                 p->first_dev);
    cr_expect_eq(p->ref_diff, 0,
                 "%s: C differs from the reference %llu "
                 "times, first %s",
                 what, (unsigned long long)p->ref_diff, p->first_ref);
    free(p->in);
    free(p->out);
}

/* the special values both roundings must get right */
static void push_specials(probe *p)
{
    static const float sp[] = {0.0f,
                               FLT_MIN,
                               1.0f,
                               65504.0f,
                               0x1.ffdffep15f, /* just below 65520 */
                               65520.0f,       /* the tie to infinity */
                               0x1.ffe002p15f,
                               65536.0f,
                               1e5f,
                               1e10f,
                               FLT_MAX,
                               0x1p-24f,
                               0x1p-25f, /* the tie between 0 and 2^-24 */
                               0x1.000002p-25f,
                               0x1.fffffep-26f,
                               0x1p-14f,
                               0x1.ff8p-15f, /* the tie to 2^-14 */
                               0x1.fefffep127f,
                               0x1.ff0000p127f, /* bf16's tie to infinity */
                               0x1.ff0002p127f};
    for (size_t i = 0; i < sizeof sp / sizeof sp[0]; i++)
        for (int s = 0; s < 2; s++)
            probe_push(p, test_bits(s ? -sp[i] : sp[i]));
}

Test(dtypes, f16_rounding_matches_vstore_half_rte)
{
    probe p;
    probe_init(&p, 3);
    push_specials(&p);
    /* exhaustively, every float of the binades where the rounding changes
     * character: 2^-25 (to 0 or the least subnormal), 2^-15 (subnormal
     * halves, ties to 2^-14), 2^-14 (the least normal binade), 2^-1, 2^15
     * (the top binade, 65504, the tie at 65520 and past it) and 2^16 (all
     * infinity); both signs for 2^-15 and 2^15 */
    {
        static const int binades[] = {-25, -15, -14, -1, 15, 16};
        for (size_t b = 0; b < sizeof binades / sizeof binades[0]; b++) {
            int both = binades[b] == -15 || binades[b] == 15;
            for (int s = 0; s <= both; s++)
                for (uint32_t m = 0; m < (1u << 23); m++)
                    probe_push(&p, f32bits(s, (uint32_t)(127 + binades[b]), m));
        }
    }
    /* every binade of [2^-26, 2^17), both signs: 2^16 spread mantissas */
    for (int e = -26; e < 17; e++)
        for (int s = 0; s < 2; s++)
            for (uint32_t j = 0; j < (1u << 16); j++)
                probe_push(&p, f32bits(s, (uint32_t)(127 + e),
                                       j * 0x9E3779B1u + (uint32_t)e * 77u));
    /* every halfway case of the normal halves (13 dropped bits = 0x1000)
     * and both neighbours, each binade 2^-14 .. 2^15, both signs */
    for (int e = -14; e <= 15; e++)
        for (int s = 0; s < 2; s++)
            for (uint32_t k = 0; k < 1024; k++)
                for (uint32_t d = 0; d < 3; d++)
                    probe_push(&p, f32bits(s, (uint32_t)(127 + e),
                                           (k << 13) | (0xfffu + d)));
    /* every halfway case of the subnormal halves, (k + 1/2) 2^-24, and
     * both neighbours */
    for (uint32_t k = 0; k < 1024; k++)
        for (int s = 0; s < 2; s++) {
            float t = ((float)k + 0.5f) * 0x1p-24f;
            if (s)
                t = -t;
            probe_push(&p, test_bits(t));
            probe_push(&p, test_bits(t) + 1);
            probe_push(&p, test_bits(t) - 1);
        }
    /* far outside: normal floats below 2^-26 (to zero) and from 2^17 (to
     * infinity), 4096 mantissas per binade */
    for (uint32_t E = 1; E < 255; E++) {
        if (E >= 127 - 26 && E < 127 + 17)
            continue;
        for (int s = 0; s < 2; s++)
            for (uint32_t j = 0; j < 4096; j++)
                probe_push(&p, f32bits(s, E, j * 0x9E3779B1u + E));
    }
    probe_finish(&p, "f16 rounding (vstore_half16_rte vs clinit_f16_bits)");
}

Test(dtypes, bf16_rounding)
{
    probe p;
    probe_init(&p, 4);
    push_specials(&p);
    /* exhaustively: the binade of 1 and the top binade (infinity from
     * 0x7f7f8000, the tie) */
    for (int s = 0; s < 2; s++)
        for (uint32_t m = 0; m < (1u << 23); m++) {
            probe_push(&p, f32bits(s, 127, m));
            probe_push(&p, f32bits(s, 254, m));
        }
    /* every normal binade, both signs: spread mantissas, every halfway
     * case (16 dropped bits = 0x8000) and its neighbours */
    for (uint32_t E = 1; E < 255; E++)
        for (int s = 0; s < 2; s++) {
            for (uint32_t j = 0; j < 4096; j++)
                probe_push(&p, f32bits(s, E, j * 0x9E3779B1u + E));
            for (uint32_t k = 0; k < 128; k++)
                for (uint32_t d = 0; d < 3; d++)
                    probe_push(&p, f32bits(s, E, (k << 16) | (0x7fffu + d)));
        }
    probe_finish(&p, "bf16 rounding (device vs clinit_bf16_bits)");
}

/* ---- 16-bit fills are the f32 fill rounded ---------------------------------
 */

static float widen16(clinit_dtype dt, uint16_t h)
{
    return dt == CLINIT_F16 ? clinit_f32_from_f16(h) : clinit_f32_from_bf16(h);
}

static uint16_t round16(clinit_dtype dt, float f)
{
    return (uint16_t)(dt == CLINIT_F16 ? clinit_f16_bits(f)
                                       : clinit_bf16_bits(f));
}

/* next 16-bit pattern up or down (sign-magnitude) */
static uint16_t step16(uint16_t h, int up)
{
    if ((h & 0x7fffu) == 0)
        return up ? 0x0001u : 0x8001u;
    if (!(h & 0x8000u) == !!up)
        return (uint16_t)(h + 1);
    return (uint16_t)(h - 1);
}

static uint16_t nearest16(clinit_dtype dt, double x)
{
    return dt == CLINIT_F16 ? ref_f16(x) : ref_bf16((float)x);
}

/* smallest value of the dtype >= x (up), largest <= x (!up), or largest
 * < x (!up && strict) */
static float bound16(clinit_dtype dt, double x, int up, int strict)
{
    uint16_t h = nearest16(dt, x);
    if (up)
        while ((double)widen16(dt, h) < x)
            h = step16(h, 1);
    else
        while ((double)widen16(dt, h) > x ||
               (strict && (double)widen16(dt, h) == x))
            h = step16(h, 0);
    return widen16(dt, h);
}

Test(dtypes, f16_bf16_fills_are_rounded_f32_fills)
{
    static const int64_t dims[2] = {1000, 1001};
    const size_t n = 1000 * 1001;
    typedef struct fcase {
        clinit_method m;
        double a, b, mean, std, sparsity;
    } fcase;
    static const fcase cases[] = {
        {CLINIT_NORMAL, 0, 0, 0.5, 2.0, 0},
        {CLINIT_NORMAL, 0, 0, 0.0, 1e-5, 0},  /* f16 subnormals */
        /* near f16's top: mean + 6.66 std = 60245 (a support past 65520,
         * where f16 rounding overflows, is CLINIT_ESUPPORT: test_fp8.c) */
        {CLINIT_NORMAL, 0, 0, 300.0, 9e3, 0},
        {CLINIT_XAVIER_NORMAL, 0, 0, 0, 0, 0},
        {CLINIT_KAIMING_NORMAL, 0, 0, 0, 0, 0},
        {CLINIT_SPARSE, 0, 0, 0, 0.5, 0.3},
        {CLINIT_UNIFORM, -3.0, 7.5, 0, 0, 0},
        {CLINIT_UNIFORM, 0.1, 0.3, 0, 0, 0},
        {CLINIT_TRUNC_NORMAL, -2.0, 2.0, 0.0, 1.0, 0},
        {CLINIT_TRUNC_NORMAL, -0.1, 0.3, 0.1, 1.5, 0},
    };
    float *f = xmalloc(n * 4);
    uint16_t *h = xmalloc(n * 2);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (int k = 0; k < 2; k++) {
            clinit_dtype dt = k ? CLINIT_BF16 : CLINIT_F16;
            clinit_tensor t = test_tensor(2, dims, 1234 + c, 7);
            clinit_init in = test_init(cases[c].m);
            float lo = -INFINITY, hi = INFINITY;
            size_t bad = 0, first = 0;
            in.a = cases[c].a;
            in.b = cases[c].b;
            in.mean = cases[c].mean;
            in.std = cases[c].std;
            in.sparsity = cases[c].sparsity;
            if (cases[c].m == CLINIT_UNIFORM) { /* [a', b') of the dtype */
                lo = widen16(dt, nearest16(dt, in.a));
                hi = bound16(dt, widen16(dt, nearest16(dt, in.b)), 0, 1);
            } else if (cases[c].m == CLINIT_TRUNC_NORMAL) { /* [a, b] */
                lo = bound16(dt, in.a, 1, 0);
                hi = bound16(dt, in.b, 0, 0);
            }
            cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, n, f), CLINIT_OK);
            t.dtype = dt;
            cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, n, h), CLINIT_OK);
            for (size_t i = 0; i < n; i++) {
                float v = f[i] > hi ? hi : f[i] < lo ? lo : f[i];
                if (round16(dt, v) != h[i] && bad++ == 0)
                    first = i;
            }
            cr_expect_eq(bad, 0,
                         "%s case %zu in %s: %zu values are not the f32 fill "
                         "rounded; element %zu: f32 %a -> %04x, got %04x",
                         clinit_method_name(cases[c].m), c,
                         clinit_dtype_name(dt), bad, first, (double)f[first],
                         round16(dt, f[first]), h[first]);
        }
    free(f);
    free(h);
}

/* ---- f64 carries 53 bits
 * ----------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

Test(dtypes, f64_uniform_and_normal_have_53_bits)
{
    /* A bit that is set with probability 1/2 in N samples has sd
     * 0.5 / sqrt(N); two-sided alpha = 1e-3 for all 53 bits together
     * (Bonferroni, 1e-3 / 53 each): z = Phi^-1(1 - 1e-3 / 106) = 4.2779. */
    enum { N = 1 << 16 };
    const double z = 4.277882877182038;
    const int64_t dims[1] = {N};
    double *v = xmalloc(N * sizeof *v);
    clinit_tensor t = test_tensor(1, dims, 53, 1);
    clinit_init in = test_init(CLINIT_UNIFORM);
    size_t not_f32 = 0, ones[53] = {0}, fine = 0;
    double gap = INFINITY;
    t.dtype = CLINIT_F64;
    cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, N, v), CLINIT_OK);
    for (size_t i = 0; i < N; i++) {
        double k = ldexp(v[i], 53);
        uint64_t ki = (uint64_t)k;
        cr_assert(v[i] >= 0 && v[i] < 1 && k == (double)ki,
                  "v[%zu] = %a is not a multiple of 2^-53 in [0, 1)", i, v[i]);
        not_f32 += (double)(float)v[i] != v[i];
        for (int b = 0; b < 53; b++)
            ones[b] += (ki >> b) & 1;
    }
    cr_expect_geq(not_f32, N - N / 100,
                  "only %zu of %d f64 uniforms are not floats", not_f32, N);
    for (int b = 0; b < 53; b++)
        cr_expect(fabs((double)ones[b] / N - 0.5) <= z * 0.5 / sqrt((double)N),
                  "bit %d of k = v * 2^53 is set in %zu of %d values", b,
                  ones[b], N);
    qsort(v, N, sizeof *v, cmp_double);
    for (size_t i = 1; i < N; i++)
        if (v[i] > v[i - 1]) {
            double g = v[i] - v[i - 1];
            gap = g < gap ? g : gap;
            fine += g < 0x1p-24;
        }
    /* the smallest spacing of N uniforms is about 1 / N^2 = 2^-32; on a
     * 2^-24 grid it could not be below 2^-24 */
    cr_log_info("f64 uniform: %zu of %d not representable in f32, smallest "
                "spacing %a, %zu spacings below 2^-24",
                not_f32, N, gap, fine);
    cr_expect_lt(gap, 0x1p-24, "smallest spacing of sorted f64 uniforms %a",
                 gap);
    cr_expect_gt(fine, 0, "no spacing of sorted f64 uniforms below 2^-24");

    /* normal: values that are not floats, and fine spacing too */
    in = test_init(CLINIT_NORMAL);
    cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, N, v), CLINIT_OK);
    not_f32 = 0;
    for (size_t i = 0; i < N; i++)
        not_f32 += (double)(float)v[i] != v[i];
    cr_expect_geq(not_f32, N - N / 100,
                  "only %zu of %d f64 normals are not floats", not_f32, N);
    free(v);
}
