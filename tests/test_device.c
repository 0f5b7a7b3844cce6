/* test_device.c - the device API (include/clinit/device.h): test kernels
 * built like a user's (clBuildProgram with -I to the staged headers, with
 * the descriptor in __global and in __constant memory) compute elements of
 * every method x every dtype, at element ranges and buffer offsets off the
 * 16/64 grid and past 2^40, and must equal clinit_fill_host bit for bit
 * (memcmp), leaving the rest of the buffer untouched. The same header
 * compiled as C is checked the same way, and clinit_device_desc's errors
 * leave the descriptor untouched. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
/* the C99 reading of the device API, next to the library's own */
#include "clinit/device.h"

#ifndef CLINIT_TEST_DEVICE_INCLUDE
#error                                                                         \
    "CLINIT_TEST_DEVICE_INCLUDE: the staged device headers (tests/CMakeLists.txt)"
#endif

/* Work-item k writes element first + k at x[off + k]. */
/* clang-format off */
static const char *kernel_src =
    "#include \"clinit/device.h\"\n"
    "#define GEN(DT, T, F)                                                 \\\n"
    "__kernel void gen_##DT(__global T *x, CLINIT_DESC_SPACE const ulong *d, \\\n"
    "                       ulong first, ulong off, ulong n)               \\\n"
    "{                                                                     \\\n"
    "    ulong k = get_global_id(0);                                       \\\n"
    "    if (k < n)                                                        \\\n"
    "        x[off + k] = (T)F(d, first + k);                              \\\n"
    "}\n"
    "GEN(f32, float, clinit_dev_f32)\n"
    "GEN(f16, ushort, clinit_dev_f16)\n"
    "GEN(bf16, ushort, clinit_dev_bf16)\n"
    "GEN(f8e4m3, uchar, clinit_dev_f8e4m3)\n"
    "GEN(f8e5m2, uchar, clinit_dev_f8e5m2)\n"
    "#if CLINIT_HAVE_F64\n"
    "GEN(f64, double, clinit_dev_f64)\n"
    "#endif\n"
    "__kernel void meta(CLINIT_DESC_SPACE const ulong *d, __global ulong *out,\n"
    "                   uint dtype)\n"
    "{\n"
    "    out[0] = clinit_dev_dtype(d);\n"
    "    out[1] = clinit_dev_numel(d);\n"
    "    out[2] = (ulong)clinit_dev_check(d, dtype);\n"
    "}\n";
/* clang-format on */

static clinit_ctx *ctx;
static cl_context cx;
static cl_command_queue q;
static cl_device_id dev;
static cl_program progs[2]; /* descriptor in __global, in __constant */

static cl_program build(const char *extra)
{
    char opts[2048];
    cl_int err;
    size_t len = strlen(kernel_src);
    cl_program p = clCreateProgramWithSource(cx, 1, &kernel_src, &len, &err);
    cr_assert(p != NULL, "clCreateProgramWithSource: %d", err);
    snprintf(opts, sizeof opts, "-I %s %s", CLINIT_TEST_DEVICE_INCLUDE, extra);
    err = clBuildProgram(p, 1, &dev, opts, NULL, NULL);
    if (err != CL_SUCCESS) {
        static char log[1 << 16];
        clGetProgramBuildInfo(p, dev, CL_PROGRAM_BUILD_LOG, sizeof log - 1, log,
                              NULL);
        cr_assert_fail("clBuildProgram(%s): %d\n%s", opts, err, log);
    }
    return p;
}

static void setup(void)
{
    ctx = test_opencl_ctx();
    cx = clinit_ctx_context(ctx);
    q = clinit_ctx_queue(ctx);
    cr_assert_eq(
        clGetCommandQueueInfo(q, CL_QUEUE_DEVICE, sizeof dev, &dev, NULL),
        CL_SUCCESS);
}

/* The program with the descriptor in __global (0) or __constant (1),
 * built on first use. */
static cl_program prog_of(int k)
{
    if (!progs[k])
        progs[k] = build(k ? "-DCLINIT_DESC_SPACE=__constant" : "");
    return progs[k];
}

static void teardown(void)
{
    for (int k = 0; k < 2; k++)
        if (progs[k])
            clReleaseProgram(progs[k]);
    clinit_ctx_destroy(ctx);
}

TestSuite(device, .init = setup, .fini = teardown, .timeout = 300);

static int device_fp64(void)
{
    cl_device_fp_config cfg = 0;
    clGetDeviceInfo(dev, CL_DEVICE_DOUBLE_FP_CONFIG, sizeof cfg, &cfg, NULL);
    return cfg != 0;
}

/* Elements [first, first + n) of (t, in) by kernel gen_<dtype> of program
 * `prog` into a buffer at element `off`, compared with clinit_fill_host;
 * the buffer's other bytes must keep their pattern. */
static void check_range(int prog, const clinit_tensor *t, const clinit_init *in,
                        uint64_t first, uint64_t n, uint64_t off,
                        const char *what)
{
    uint64_t desc[CLINIT_DEVICE_DESC_WORDS];
    size_t es = clinit_dtype_size(t->dtype), guard = 3;
    size_t bytes = (size_t)(off + n + guard) * es;
    unsigned char *got = malloc(bytes), *want = malloc((size_t)n * es);
    char name[32];
    cl_mem bx, bd;
    cl_kernel k;
    cl_int err;
    /* one work-group size (pocl compiles a kernel per size) */
    size_t local = 64, global = (size_t)(n + 63) / 64 * 64;
    cr_assert(got && want);
    cr_assert_eq(clinit_device_desc(t, in, desc), CLINIT_OK, "%s", what);
    cr_assert_eq(clinit_fill_host(NULL, t, in, first, first + n, want),
                 CLINIT_OK, "%s", what);
    snprintf(name, sizeof name, "gen_%s", clinit_dtype_name(t->dtype));
    k = clCreateKernel(prog_of(prog), name, &err);
    cr_assert(k != NULL, "%s: %d", name, err);
    bx = test_buffer(ctx, bytes, 0xAB);
    bd = clCreateBuffer(cx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                        sizeof desc, desc, &err);
    cr_assert(bd != NULL);
    cl_ulong a[3] = {first, off, n};
    cr_assert_eq(clSetKernelArg(k, 0, sizeof bx, &bx), CL_SUCCESS);
    cr_assert_eq(clSetKernelArg(k, 1, sizeof bd, &bd), CL_SUCCESS);
    for (int j = 0; j < 3; j++)
        cr_assert_eq(clSetKernelArg(k, 2 + j, sizeof a[j], &a[j]), CL_SUCCESS);
    cr_assert_eq(
        clEnqueueNDRangeKernel(q, k, 1, NULL, &global, &local, 0, NULL, NULL),
        CL_SUCCESS);
    test_read(ctx, bx, 0, bytes, got);
    cr_expect(memcmp(got + off * es, want, (size_t)n * es) == 0,
              "%s: device API != clinit_fill_host (%s, first %llu, n %llu, "
              "%s descriptor)",
              what, clinit_dtype_name(t->dtype), (unsigned long long)first,
              (unsigned long long)n, prog ? "__constant" : "__global");
    for (size_t b = 0; b < bytes; b++)
        if (b < off * es || b >= (off + n) * es)
            cr_assert_eq(got[b], 0xAB, "%s: byte %zu outside the range", what,
                         b);
    clReleaseMemObject(bx);
    clReleaseMemObject(bd);
    clReleaseKernel(k);
    free(got);
    free(want);
}

/* The tensor and init of method m for the matrix: default parameters,
 * plus the required ones. */
static void case_of(clinit_method m, clinit_dtype dt, clinit_tensor *t,
                    clinit_init *in)
{
    static const int64_t s2[2] = {67, 45}, s4[4] = {6, 3, 5, 7};
    *t = m == CLINIT_DIRAC ? test_tensor(4, s4, 42, 7)
                           : test_tensor(2, s2, 42, 7);
    t->dtype = dt;
    *in = test_init(m);
    if (m == CLINIT_CONSTANT)
        in->val = -2.5;
    if (m == CLINIT_SPARSE)
        in->sparsity = 0.3;
}

Test(device, every_method_and_dtype_equals_fill_host)
{
    int fp64 = device_fp64();
    for (int dt = 0; dt < CLINIT_DTYPE_COUNT; dt++) {
        if (dt == CLINIT_F64 && !fp64)
            continue;
        for (int m = 0; m < CLINIT_METHOD_COUNT; m++) {
            clinit_tensor t;
            clinit_init in;
            uint64_t numel;
            if (m == CLINIT_ORTHOGONAL)
                continue;
            case_of((clinit_method)m, (clinit_dtype)dt, &t, &in);
            cr_assert_eq(clinit_numel(&t, &numel), CLINIT_OK);
            check_range(0, &t, &in, 0, numel, 0,
                        clinit_method_name((clinit_method)m));
            check_range(0, &t, &in, 37, 577, 5,
                        clinit_method_name((clinit_method)m));
            check_range(m & 1, &t, &in, numel - 83, 83, 1,
                        clinit_method_name((clinit_method)m));
        }
    }
    cr_expect(fp64, "the test device has no fp64: f64 was not checked");
}

Test(device, parameters_and_indices_past_2_40)
{
    /* 2^41 elements: 64-bit element indices and counters, fans of 2^20 */
    const int64_t big[2] = {INT64_C(1) << 21, INT64_C(1) << 20};
    const uint64_t at = (UINT64_C(1) << 40) + 13;
    clinit_tensor t =
        test_tensor(2, big, 0xFEEDFACECAFEBEEFull, 0x0123456789ABCDEFull);
    clinit_init u = test_init(CLINIT_UNIFORM),
                tn = test_init(CLINIT_TRUNC_NORMAL),
                nn = test_init(CLINIT_KAIMING_NORMAL);
    u.a = -3.0;
    u.b = 0.25;
    tn.mean = 1.0;
    tn.std = 2.0;
    tn.a = 4.0; /* one-sided: the right tail only */
    tn.b = 9.0;
    for (int dt = 0; dt < CLINIT_DTYPE_COUNT; dt++) {
        t.dtype = (clinit_dtype)dt;
        if (dt == CLINIT_F64 && !device_fp64())
            continue;
        check_range(0, &t, &u, at, 301, 2, "uniform(-3, 0.25)");
        check_range(1, &t, &tn, at + 64, 255, 7, "trunc_normal(1, 2, 4, 9)");
        check_range(dt & 1, &t, &nn, at - 1000, 1000, 0, "kaiming_normal");
    }
}

/* The header compiled as C99: clinit_dev_* on the host equal the fill. */
Test(device, c99_reading_equals_fill_host)
{
    for (int dt = 0; dt < CLINIT_DTYPE_COUNT; dt++)
        for (int m = 0; m < CLINIT_METHOD_COUNT; m++) {
            clinit_tensor t;
            clinit_init in;
            uint64_t desc[CLINIT_DEVICE_DESC_WORDS], numel;
            unsigned char want[3015 * 8];
            if (m == CLINIT_ORTHOGONAL)
                continue;
            case_of((clinit_method)m, (clinit_dtype)dt, &t, &in);
            cr_assert_eq(clinit_numel(&t, &numel), CLINIT_OK);
            cr_assert_eq(clinit_device_desc(&t, &in, desc), CLINIT_OK);
            cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, numel, want),
                         CLINIT_OK);
            cr_expect(clinit_dev_check(desc, (clinit_u32)dt));
            cr_expect_eq(clinit_dev_numel(desc), numel);
            for (uint64_t i = 0; i < numel; i++) {
                uint64_t got = 0, w = 0;
                size_t es = clinit_dtype_size((clinit_dtype)dt);
                if (dt == CLINIT_F64) {
                    double v = clinit_dev_f64(desc, i);
                    memcpy(&got, &v, 8);
                } else if (dt == CLINIT_F32) {
                    float v = clinit_dev_f32(desc, i);
                    memcpy(&got, &v, 4);
                } else if (dt == CLINIT_F16) {
                    got = clinit_dev_f16(desc, i);
                } else if (dt == CLINIT_BF16) {
                    got = clinit_dev_bf16(desc, i);
                } else if (dt == CLINIT_F8E4M3) {
                    got = clinit_dev_f8e4m3(desc, i);
                } else {
                    got = clinit_dev_f8e5m2(desc, i);
                }
                memcpy(&w, want + i * es, es);
                if (got != w)
                    cr_assert_fail("%s %s element %llu: %llx != %llx",
                                   clinit_method_name((clinit_method)m),
                                   clinit_dtype_name((clinit_dtype)dt),
                                   (unsigned long long)i,
                                   (unsigned long long)got,
                                   (unsigned long long)w);
            }
        }
}

/* The per-counter form: four elements of one Philox counter. */
Test(device, counter_values_are_the_elements)
{
    const int64_t s2[2] = {300, 7};
    clinit_tensor t = test_tensor(2, s2, 5, 6);
    clinit_init in = test_init(CLINIT_XAVIER_NORMAL);
    uint64_t desc[CLINIT_DEVICE_DESC_WORDS];
    static float want[2100];
    static double want64[2100];
    cr_assert_eq(clinit_device_desc(&t, &in, desc), CLINIT_OK);
    cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, 2100, want), CLINIT_OK);
    for (uint64_t n = 0; n < 2100 / 4; n++) {
        float v[4];
        clinit_dev_counter32(desc, n, v);
        for (int w = 0; w < 4; w++) {
            uint64_t i = 64 * (n / 16) + 16 * (uint64_t)w + n % 16;
            if (i < 2100)
                cr_assert_eq(test_bits(v[w]), test_bits(want[i]),
                             "counter %llu word %d", (unsigned long long)n, w);
        }
    }
    t.dtype = CLINIT_F64;
    cr_assert_eq(clinit_device_desc(&t, &in, desc), CLINIT_OK);
    cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, 2100, want64), CLINIT_OK);
    for (uint64_t n = 0; n < 2100 / 2; n++) {
        double v[2];
        clinit_dev_counter64(desc, n, v);
        for (int p = 0; p < 2; p++) {
            uint64_t i = 32 * (n / 16) + 16 * (uint64_t)p + n % 16;
            if (i < 2100)
                cr_assert(memcmp(&v[p], &want64[i], 8) == 0, "counter %llu",
                          (unsigned long long)n);
        }
    }
}

/* The descriptor's metadata, read on the device and on the host. */
Test(device, descriptor_tag_dtype_and_numel)
{
    const int64_t s2[2] = {10, 33};
    clinit_tensor t = test_tensor(2, s2, 1, 2);
    clinit_init in = test_init(CLINIT_NORMAL);
    uint64_t desc[CLINIT_DEVICE_DESC_WORDS];
    cl_ulong out[3];
    cl_int err;
    t.dtype = CLINIT_BF16;
    cr_assert_eq(clinit_device_desc(&t, &in, desc), CLINIT_OK);
    cr_expect_eq(desc[0] >> 32, 0x434c4e49u);
    cr_expect_eq((desc[0] >> 24) & 0xff, CLINIT_STREAM_VERSION);
    cr_expect_eq((desc[0] >> 16) & 0xff, CLINIT_DEVICE_API_VERSION);
    cr_expect_eq(desc[0] & 0xff, CLINIT_BF16);
    for (int prog = 0; prog < 2; prog++)
        for (cl_uint dt = 0; dt < CLINIT_DTYPE_COUNT; dt++) {
            cl_kernel k = clCreateKernel(prog_of(prog), "meta", &err);
            cl_mem bd =
                clCreateBuffer(cx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                               sizeof desc, desc, &err);
            cl_mem bo = test_buffer(ctx, sizeof out, 0);
            size_t one = 1;
            cr_assert(k && bd);
            clSetKernelArg(k, 0, sizeof bd, &bd);
            clSetKernelArg(k, 1, sizeof bo, &bo);
            clSetKernelArg(k, 2, sizeof dt, &dt);
            cr_assert_eq(clEnqueueNDRangeKernel(q, k, 1, NULL, &one, NULL, 0,
                                                NULL, NULL),
                         CL_SUCCESS);
            test_read(ctx, bo, 0, sizeof out, out);
            cr_expect_eq(out[0], CLINIT_BF16);
            cr_expect_eq(out[1], 330);
            cr_expect_eq(out[2], dt == CLINIT_BF16, "check(dtype %u)", dt);
            cr_expect_eq(clinit_dev_check(desc, dt), dt == CLINIT_BF16);
            clReleaseMemObject(bd);
            clReleaseMemObject(bo);
            clReleaseKernel(k);
        }
    /* another API version or a foreign descriptor fails the check */
    desc[0] ^= (uint64_t)1 << 16;
    cr_expect_eq(clinit_dev_check(desc, CLINIT_BF16), 0);
    /* a distribution without a kernel gives NaN, never a plausible value */
    desc[CLINIT_DW_DIST] = CLINIT_DIST_ORTHOGONAL;
    cr_expect(isnan(clinit_dev_f32(desc, 3)));
    cr_expect(isnan(clinit_dev_f64(desc, 3)));
}

Test(device, desc_errors_leave_it_untouched)
{
    const int64_t s2[2] = {8, 8}, s1[1] = {8}, bad[2] = {8, 0};
    clinit_tensor t = test_tensor(2, s2, 1, 2), t1 = test_tensor(1, s1, 1, 2),
                  tb = test_tensor(2, bad, 1, 2);
    clinit_init ok = test_init(CLINIT_NORMAL);
    uint64_t desc[CLINIT_DEVICE_DESC_WORDS], ref[CLINIT_DEVICE_DESC_WORDS];
    struct {
        const clinit_tensor *t;
        clinit_init in;
        clinit_dtype dt;
        clinit_status want;
    } cases[] = {
        {&t, test_init(CLINIT_ORTHOGONAL), CLINIT_F32, CLINIT_EHOSTONLY},
        {&t, test_init(CLINIT_ORTHOGONAL), CLINIT_F16, CLINIT_EHOSTONLY},
        {&tb, ok, CLINIT_F32, CLINIT_ESHAPE},
        {&t1, test_init(CLINIT_XAVIER_UNIFORM), CLINIT_F32, CLINIT_EFANS},
        {&t, ok, (clinit_dtype)99, CLINIT_EDTYPE},
        {&t, test_init(CLINIT_UNIFORM), CLINIT_F32, CLINIT_EPARAM},
        {&t, ok, CLINIT_F16, CLINIT_ESUPPORT},
        {&t, ok, CLINIT_F32, CLINIT_EMETHOD},
    };
    cases[7].in.method = (clinit_method)77;
    cases[5].in.a = 2.0;   /* a >= b */
    cases[6].in.std = 1e4; /* beyond f16's 65504 */
    memset(ref, 0xCD, sizeof ref);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        clinit_tensor tt = *cases[c].t;
        tt.dtype = cases[c].dt;
        memcpy(desc, ref, sizeof desc);
        cr_expect_eq(
            clinit_device_desc(&tt, &cases[c].in, desc), cases[c].want,
            "case %zu: %s", c,
            clinit_status_name(clinit_device_desc(&tt, &cases[c].in, desc)));
        cr_expect(memcmp(desc, ref, sizeof ref) == 0, "case %zu wrote", c);
    }
    memcpy(desc, ref, sizeof desc);
    cr_expect_eq(clinit_device_desc(NULL, &ok, desc), CLINIT_ENULL);
    cr_expect_eq(clinit_device_desc(&t, NULL, desc), CLINIT_ENULL);
    cr_expect_eq(clinit_device_desc(&t, &ok, NULL), CLINIT_ENULL);
    cr_expect(memcmp(desc, ref, sizeof ref) == 0);
}
