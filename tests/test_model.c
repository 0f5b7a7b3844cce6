/* test_model.c - JSON model specs (clinit_model.h, docs/MODEL.md): the
 * examples expand to the right names, shapes and counts; bad specs give
 * one exact "PATH: PROBLEM" line and never crash (a table of hostile
 * inputs plus truncations and mutations of a real spec); a tensor's
 * values depend only on its own name, shape, dtype and init. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinit_model.h"
#include "common.h"

TestSuite(model, .timeout = 300);

/* ---- helpers --------------------------------------------------------------
 */

/* examples/NAME, found next to this file (CMake compiles it by its full
 * path) or under $CLINIT_EXAMPLES_DIR. */
static char *read_example(const char *name, size_t *len)
{
    char path[1024];
    const char *dir = getenv("CLINIT_EXAMPLES_DIR");
    FILE *f;
    char *buf;
    long n;
    if (dir) {
        snprintf(path, sizeof path, "%s/%s", dir, name);
    } else {
        const char *slash = strrchr(__FILE__, '/');
        int keep = slash ? (int)(slash - __FILE__) : 0;
        snprintf(path, sizeof path, "%.*s%s../examples/%s", keep, __FILE__,
                 slash ? "/" : "", name);
    }
    f = fopen(path, "rb");
    cr_assert(f != NULL, "cannot open %s (set CLINIT_EXAMPLES_DIR)", path);
    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    cr_assert(n > 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    cr_assert(buf != NULL);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static clinit_model *parse_ok(const char *json)
{
    char err[512];
    clinit_model *m = NULL;
    clinit_status st =
        clinit_model_parse(json, strlen(json), &m, err, sizeof err);
    cr_assert_eq(st, CLINIT_OK, "spec rejected: %s\n%s", err, json);
    cr_assert(m != NULL);
    return m;
}

static clinit_model *parse_example(const char *name)
{
    size_t len;
    char *json = read_example(name, &len), err[512];
    clinit_model *m = NULL;
    clinit_status st = clinit_model_parse(json, len, &m, err, sizeof err);
    free(json);
    cr_assert_eq(st, CLINIT_OK, "%s rejected: %s", name, err);
    return m;
}

static clinit_model_tensor_info info_of(const clinit_model *m, size_t i)
{
    clinit_model_tensor_info ti;
    cr_assert_eq(clinit_model_tensor(m, i, &ti), CLINIT_OK);
    return ti;
}

/* Index of the tensor called name, or SIZE_MAX. */
static size_t find(const clinit_model *m, const char *name)
{
    for (size_t i = 0; i < clinit_model_size(m); i++)
        if (strcmp(info_of(m, i).name, name) == 0)
            return i;
    return SIZE_MAX;
}

static void expect_shape(const clinit_model_tensor_info *ti, int ndim,
                         const int64_t *shape)
{
    cr_expect_eq(ti->tensor.ndim, ndim, "%s: ndim %d, expected %d", ti->name,
                 ti->tensor.ndim, ndim);
    for (int d = 0; d < ndim && d < ti->tensor.ndim; d++)
        cr_expect_eq(ti->tensor.shape[d], shape[d],
                     "%s: dim %d is %lld, expected %lld", ti->name, d,
                     (long long)ti->tensor.shape[d], (long long)shape[d]);
}

/* All bytes of tensor i, filled on the host. */
static unsigned char *fill_all(const clinit_model *m, size_t i, size_t *bytes)
{
    clinit_model_tensor_info ti = info_of(m, i);
    unsigned char *buf = malloc((size_t)ti.bytes);
    cr_assert(buf != NULL);
    cr_assert_eq(clinit_fill_host(NULL, &ti.tensor, &ti.init, 0, ti.numel, buf),
                 CLINIT_OK, "%s", ti.name);
    *bytes = (size_t)ti.bytes;
    return buf;
}

/* ---- the examples -----------------------------------------------------------
 */

Test(model, seed_net)
{
    clinit_model *m = parse_example("seed_net.json");
    static const char *const names[] = {"fc1.weight", "fc1.bias", "fc2.weight",
                                        "fc2.bias"};
    static const int64_t shapes[4][2] = {{2, 1}, {2, 0}, {1, 2}, {1, 0}};
    cr_assert_eq(clinit_model_size(m), 4);
    cr_expect_eq(clinit_model_numel(m), 7);
    cr_expect_eq(clinit_model_bytes(m), 28);
    cr_expect_str_eq(clinit_model_name(m), "seed_net");
    cr_expect_eq(clinit_model_seed(m), 0);
    for (size_t i = 0; i < 4; i++) {
        clinit_model_tensor_info ti = info_of(m, i);
        int bias = (i % 2) == 1;
        cr_expect_str_eq(ti.name, names[i]);
        cr_expect_str_eq(ti.kind, "linear");
        cr_expect_str_eq(ti.param, bias ? "bias" : "weight");
        expect_shape(&ti, bias ? 1 : 2, shapes[i]);
        cr_expect_eq(ti.tensor.dtype, CLINIT_F32);
        cr_expect_eq(ti.tensor.stream, clinit_stream_of(names[i]));
        cr_expect_eq(ti.init.method,
                     bias ? CLINIT_CONSTANT : CLINIT_XAVIER_UNIFORM);
        if (bias)
            cr_expect_eq(ti.init.val, 0.01);
        else
            cr_expect_eq(ti.init.gain, 1.0);
    }
    clinit_model_destroy(m);
}

Test(model, seed_net_canonical_text_and_hash)
{
    static const char want[] = "fc1.weight f32 [2,1] xavier_uniform gain=1\n"
                               "fc1.bias f32 [2] constant val=0.01\n"
                               "fc2.weight f32 [1,2] xavier_uniform gain=1\n"
                               "fc2.bias f32 [1] constant val=0.01\n";
    clinit_model *m = parse_example("seed_net.json");
    char buf[512], small[10];
    uint64_t h = 0xcbf29ce484222325ull;
    size_t n = clinit_model_canonical(m, buf, sizeof buf);
    cr_expect_eq(n, strlen(want));
    cr_expect_str_eq(buf, want);
    /* snprintf-like: truncated, NUL-terminated, full length returned */
    cr_expect_eq(clinit_model_canonical(m, small, sizeof small), strlen(want));
    cr_expect_str_eq(small, "fc1.weigh");
    cr_expect_eq(clinit_model_canonical(m, NULL, 0), strlen(want));
    for (const char *c = want; *c; c++)
        h = (h ^ (unsigned char)*c) * 0x100000001b3ull;
    cr_expect_eq(clinit_model_spec_hash(m), h);
    /* the seed is not hashed, the dtype is */
    clinit_model_set_seed(m, 7);
    cr_expect_eq(clinit_model_spec_hash(m), h);
    clinit_model_set_dtype(m, CLINIT_BF16);
    cr_expect_neq(clinit_model_spec_hash(m), h);
    clinit_model_destroy(m);
}

Test(model, gpt2_small)
{
    static const char *const block[] = {
        "ln_1.weight",      "ln_1.bias",          "attn.c_attn.weight",
        "attn.c_attn.bias", "attn.c_proj.weight", "attn.c_proj.bias",
        "ln_2.weight",      "ln_2.bias",          "mlp.c_fc.weight",
        "mlp.c_fc.bias",    "mlp.c_proj.weight",  "mlp.c_proj.bias"};
    static const int64_t bshape[12][2] = {
        {768}, {768}, {2304, 768}, {2304}, {768, 768},  {768},
        {768}, {768}, {3072, 768}, {3072}, {768, 3072}, {768}};
    clinit_model *m = parse_example("gpt2_small.json");
    clinit_model_tensor_info ti;
    const double resid = 0.02 / sqrt(24.0);
    cr_assert_eq(clinit_model_size(m), 2 + 12 * 12 + 2);
    /* 50257*768 + 1024*768 + 12 * 7087872 + 2*768 */
    cr_expect_eq(clinit_model_numel(m), UINT64_C(124439808));
    cr_expect_eq(clinit_model_bytes(m), UINT64_C(124439808) * 4);

    ti = info_of(m, 0);
    cr_expect_str_eq(ti.name, "wte.weight");
    expect_shape(&ti, 2, (const int64_t[]){50257, 768});
    cr_expect_eq(ti.init.method, CLINIT_NORMAL);
    cr_expect_eq(ti.init.std, 0.02);
    ti = info_of(m, 1);
    cr_expect_str_eq(ti.name, "wpe.weight");
    expect_shape(&ti, 2, (const int64_t[]){1024, 768});
    for (int l = 0; l < 12; l++)
        for (int k = 0; k < 12; k++) {
            char want[64];
            int bias = strstr(block[k], "bias") != NULL;
            snprintf(want, sizeof want, "h.%d.%s", l, block[k]);
            ti = info_of(m, 2 + (size_t)(12 * l + k));
            cr_expect_str_eq(ti.name, want);
            expect_shape(&ti, bshape[k][1] ? 2 : 1, bshape[k]);
            if (strstr(block[k], "ln_"))
                cr_expect_eq(ti.init.method, bias ? CLINIT_ZEROS : CLINIT_ONES,
                             "%s", want);
            else if (bias)
                cr_expect_eq(ti.init.method, CLINIT_ZEROS, "%s", want);
            else {
                cr_expect_eq(ti.init.method, CLINIT_NORMAL, "%s", want);
                cr_expect_eq(ti.init.mean, 0.0);
                if (strstr(block[k], "c_proj"))
                    cr_expect(fabs(ti.init.std - resid) < 1e-17,
                              "%s: std %.17g, expected 0.02/sqrt(24)", want,
                              ti.init.std);
                else
                    cr_expect_eq(ti.init.std, 0.02, "%s", want);
            }
        }
    cr_expect_str_eq(info_of(m, 146).name, "ln_f.weight");
    cr_expect_str_eq(info_of(m, 147).name, "ln_f.bias");
    cr_expect_eq(clinit_model_tensor(m, 148, &ti), CLINIT_ERANGE);
    clinit_model_destroy(m);
}

Test(model, resnet18)
{
    clinit_model *m = parse_example("resnet18.json");
    clinit_model_tensor_info ti;
    clinit_resolved r;
    size_t i;
    /* conv1 + bn1 + 4 stages x 2 blocks x (2 convs + 2 bns) + 3
     * downsamples x (conv + bn) + fc */
    cr_expect_eq(clinit_model_size(m), 1 + 2 + 4 * 2 * (2 + 2 * 2) + 3 * 3 + 2);
    cr_expect_eq(clinit_model_numel(m), UINT64_C(11689512));

    ti = info_of(m, find(m, "conv1.weight"));
    expect_shape(&ti, 4, (const int64_t[]){64, 3, 7, 7});
    cr_expect_eq(ti.init.method, CLINIT_KAIMING_NORMAL);
    cr_expect_eq(ti.init.mode, CLINIT_FAN_OUT);
    cr_expect_eq(ti.init.nonlinearity, CLINIT_NL_RELU);
    cr_assert_eq(clinit_resolve(&ti.tensor, &ti.init, &r), CLINIT_OK);
    cr_expect(fabs(r.std - sqrt(2.0 / (64 * 49))) < 1e-15);
    cr_expect_eq(find(m, "conv1.bias"), SIZE_MAX);

    i = find(m, "layer3.0.downsample.0.weight");
    cr_assert_neq(i, SIZE_MAX);
    ti = info_of(m, i);
    expect_shape(&ti, 4, (const int64_t[]){256, 128, 1, 1});
    ti = info_of(m, find(m, "layer3.0.downsample.1.weight"));
    cr_expect_eq(ti.init.method, CLINIT_ONES);
    cr_expect_str_eq(ti.kind, "batch_norm");
    ti = info_of(m, find(m, "layer4.1.bn2.bias"));
    cr_expect_eq(ti.init.method, CLINIT_ZEROS);
    expect_shape(&ti, 1, (const int64_t[]){512});
    cr_expect_eq(find(m, "layer1.0.downsample.0.weight"), SIZE_MAX);

    ti = info_of(m, find(m, "fc.weight"));
    expect_shape(&ti, 2, (const int64_t[]){1000, 512});
    cr_assert_eq(clinit_resolve(&ti.tensor, &ti.init, &r), CLINIT_OK);
    cr_expect(fabs(r.hi - 1 / sqrt(512.0)) < 1e-12, "fc bound %.17g", r.hi);
    ti = info_of(m, find(m, "fc.bias"));
    cr_expect_eq(ti.init.method, CLINIT_UNIFORM);
    clinit_model_destroy(m);
}

/* ---- layer kinds, rules, overrides
 * -------------------------------------------- */

Test(model, layer_kinds_and_shapes)
{
    clinit_model *m = parse_ok(
        "{\"dtype\": \"bf16\", \"layers\": ["
        "{\"kind\": \"conv1d\", \"name\": \"c1\", \"in\": 4, \"out\": 6, "
        "\"kernel\": 5, \"groups\": 2},"
        "{\"kind\": \"conv3d\", \"name\": \"c3\", \"in\": 2, \"out\": 3, "
        "\"kernel\": [1, 2, 3], \"bias\": false},"
        "{\"kind\": \"conv_transpose2d\", \"name\": \"t2\", \"in\": 4, "
        "\"out\": 6, \"kernel\": 3, \"groups\": 2},"
        "{\"kind\": \"layer_norm\", \"name\": \"ln\", \"dim\": [3, 5], "
        "\"dtype\": \"f64\"},"
        "{\"kind\": \"layer_norm\", \"name\": \"ln2\", \"dim\": 7, \"bias\": "
        "false},"
        "{\"kind\": \"embedding\", \"name\": \"emb\", \"num\": 11, \"dim\": 3},"
        "{\"kind\": \"tensor\", \"name\": \"cls_token\", \"shape\": [1, 1, 8], "
        "\"method\": \"trunc_normal\", \"std\": 0.02},"
        "{\"kind\": \"repeat\", \"name\": \"blk\", \"count\": 2, \"dtype\": "
        "\"f16\", \"layers\": ["
        "  {\"kind\": \"repeat\", \"name\": \"sub\", \"count\": 2, \"layers\": "
        "["
        "    {\"kind\": \"linear\", \"name\": \"fc\", \"in\": 3, \"out\": 2, "
        "\"dtype\": \"f32\"}]},"
        "  {\"kind\": \"batch_norm\", \"name\": \"bn\", \"dim\": 2}]}"
        "]}");
    static const struct {
        const char *name, *kind;
        int ndim;
        int64_t shape[5];
        clinit_dtype dtype;
        clinit_method method;
    } want[] = {
        {"c1.weight",
         "conv1d",
         3,
         {6, 2, 5},
         CLINIT_BF16,
         CLINIT_KAIMING_NORMAL},
        {"c1.bias", "conv1d", 1, {6}, CLINIT_BF16, CLINIT_ZEROS},
        {"c3.weight",
         "conv3d",
         5,
         {3, 2, 1, 2, 3},
         CLINIT_BF16,
         CLINIT_KAIMING_NORMAL},
        {"t2.weight",
         "conv_transpose2d",
         4,
         {4, 3, 3, 3},
         CLINIT_BF16,
         CLINIT_KAIMING_NORMAL},
        {"t2.bias", "conv_transpose2d", 1, {6}, CLINIT_BF16, CLINIT_ZEROS},
        {"ln.weight", "layer_norm", 2, {3, 5}, CLINIT_F64, CLINIT_ONES},
        {"ln.bias", "layer_norm", 2, {3, 5}, CLINIT_F64, CLINIT_ZEROS},
        {"ln2.weight", "layer_norm", 1, {7}, CLINIT_BF16, CLINIT_ONES},
        {"emb.weight", "embedding", 2, {11, 3}, CLINIT_BF16, CLINIT_NORMAL},
        {"cls_token", "tensor", 3, {1, 1, 8}, CLINIT_BF16, CLINIT_TRUNC_NORMAL},
        {"blk.0.sub.0.fc.weight",
         "linear",
         2,
         {2, 3},
         CLINIT_F32,
         CLINIT_XAVIER_UNIFORM},
        {"blk.0.sub.0.fc.bias", "linear", 1, {2}, CLINIT_F32, CLINIT_CONSTANT},
        {"blk.0.sub.1.fc.weight",
         "linear",
         2,
         {2, 3},
         CLINIT_F32,
         CLINIT_XAVIER_UNIFORM},
        {"blk.0.sub.1.fc.bias", "linear", 1, {2}, CLINIT_F32, CLINIT_CONSTANT},
        {"blk.0.bn.weight", "batch_norm", 1, {2}, CLINIT_F16, CLINIT_ONES},
        {"blk.0.bn.bias", "batch_norm", 1, {2}, CLINIT_F16, CLINIT_ZEROS},
        {"blk.1.sub.0.fc.weight",
         "linear",
         2,
         {2, 3},
         CLINIT_F32,
         CLINIT_XAVIER_UNIFORM},
        {"blk.1.sub.0.fc.bias", "linear", 1, {2}, CLINIT_F32, CLINIT_CONSTANT},
        {"blk.1.sub.1.fc.weight",
         "linear",
         2,
         {2, 3},
         CLINIT_F32,
         CLINIT_XAVIER_UNIFORM},
        {"blk.1.sub.1.fc.bias", "linear", 1, {2}, CLINIT_F32, CLINIT_CONSTANT},
        {"blk.1.bn.weight", "batch_norm", 1, {2}, CLINIT_F16, CLINIT_ONES},
        {"blk.1.bn.bias", "batch_norm", 1, {2}, CLINIT_F16, CLINIT_ZEROS},
    };
    size_t n = sizeof want / sizeof want[0];
    cr_assert_eq(clinit_model_size(m), n);
    for (size_t i = 0; i < n; i++) {
        clinit_model_tensor_info ti = info_of(m, i);
        cr_expect_str_eq(ti.name, want[i].name);
        cr_expect_str_eq(ti.kind, want[i].kind, "%s", ti.name);
        expect_shape(&ti, want[i].ndim, want[i].shape);
        cr_expect_eq(ti.tensor.dtype, want[i].dtype, "%s", ti.name);
        cr_expect_eq(ti.init.method, want[i].method, "%s", ti.name);
        cr_expect_eq(ti.bytes, ti.numel * clinit_dtype_size(ti.tensor.dtype));
    }
    {
        /* torch's fans for conv_transpose: computed from [in, out/g, k...]
         * as if it were [out, in, k...]: fan_in = out/groups * prod(k) */
        clinit_model_tensor_info ti = info_of(m, find(m, "t2.weight"));
        clinit_resolved r;
        cr_assert_eq(clinit_resolve(&ti.tensor, &ti.init, &r), CLINIT_OK);
        cr_expect_eq(r.fan_in, 3 * 9);
        cr_expect_eq(r.fan_out, 4 * 9);
        ti = info_of(m, find(m, "cls_token"));
        cr_expect_eq(ti.init.std, 0.02);
        cr_expect_eq(ti.init.a, -2.0); /* torch's default bounds */
        cr_expect_null(ti.param);
    }
    clinit_model_destroy(m);
}

Test(model, rule_precedence)
{
    clinit_model *m = parse_ok(
        "{\"rules\": {"
        "  \"conv.weight\": {\"method\": \"xavier_normal\", \"gain\": 2},"
        "  \"conv2d.weight\": {\"method\": \"orthogonal\"},"
        "  \"linear.bias\": {\"method\": \"uniform\", \"a\": -1, \"b\": 1}},"
        " \"layers\": ["
        "  {\"kind\": \"conv1d\", \"name\": \"a\", \"in\": 2, \"out\": 4, "
        "\"kernel\": 3},"
        "  {\"kind\": \"conv2d\", \"name\": \"b\", \"in\": 2, \"out\": 4, "
        "\"kernel\": 3},"
        "  {\"kind\": \"conv2d\", \"name\": \"c\", \"in\": 2, \"out\": 4, "
        "\"kernel\": 3,"
        "   \"init\": {\"weight\": {\"method\": \"dirac\"}, \"bias\": "
        "{\"method\": \"ones\"}}},"
        "  {\"kind\": \"linear\", \"name\": \"d\", \"in\": 2, \"out\": 4,"
        "   \"init\": {\"weight\": {\"method\": \"kaiming_uniform\", \"a\": "
        "0.1, \"mode\": \"fan_out\", \"nonlinearity\": \"leaky_relu\"}}}"
        "]}");
    clinit_model_tensor_info ti;
    ti = info_of(m, find(m, "a.weight"));
    cr_expect_eq(ti.init.method, CLINIT_XAVIER_NORMAL);
    cr_expect_eq(ti.init.gain, 2.0);
    cr_expect_eq(info_of(m, find(m, "a.bias")).init.method, CLINIT_ZEROS);
    cr_expect_eq(info_of(m, find(m, "b.weight")).init.method,
                 CLINIT_ORTHOGONAL);
    cr_expect_eq(info_of(m, find(m, "c.weight")).init.method, CLINIT_DIRAC);
    cr_expect_eq(info_of(m, find(m, "c.bias")).init.method, CLINIT_ONES);
    ti = info_of(m, find(m, "d.weight"));
    cr_expect_eq(ti.init.method, CLINIT_KAIMING_UNIFORM);
    cr_expect_eq(ti.init.a, 0.1);
    cr_expect_eq(ti.init.mode, CLINIT_FAN_OUT);
    ti = info_of(m, find(m, "d.bias"));
    cr_expect_eq(ti.init.method, CLINIT_UNIFORM);
    cr_expect_eq(ti.init.a, -1.0);
    cr_expect_eq(ti.init.b, 1.0);
    clinit_model_destroy(m);
}

/* ---- rule sets and uniform_fan_in
 * ------------------------------------------------ */

/* One layer of every kind with parameters, for the rule-set tests. */
#define EVERY_KIND                                                             \
    "{\"kind\": \"linear\", \"name\": \"fc\", \"in\": 768, \"out\": 8},"       \
    "{\"kind\": \"conv1d\", \"name\": \"c1\", \"in\": 4, \"out\": 6, "         \
    "\"kernel\": 5, \"groups\": 2},"                                           \
    "{\"kind\": \"conv2d\", \"name\": \"c2\", \"in\": 3, \"out\": 4, "         \
    "\"kernel\": 3},"                                                          \
    "{\"kind\": \"conv3d\", \"name\": \"c3\", \"in\": 2, \"out\": 4, "         \
    "\"kernel\": [1, 2, 3]},"                                                  \
    "{\"kind\": \"conv_transpose1d\", \"name\": \"t1\", \"in\": 6, \"out\": "  \
    "4, "                                                                      \
    "\"kernel\": 3, \"groups\": 2},"                                           \
    "{\"kind\": \"conv_transpose2d\", \"name\": \"t2\", \"in\": 8, \"out\": "  \
    "6, \"kernel\": [3, 2]},"                                                  \
    "{\"kind\": \"conv_transpose3d\", \"name\": \"t3\", \"in\": 3, \"out\": "  \
    "5, \"kernel\": 2},"                                                       \
    "{\"kind\": \"embedding\", \"name\": \"emb\", \"num\": 10, \"dim\": 4},"   \
    "{\"kind\": \"layer_norm\", \"name\": \"ln\", \"dim\": [2, 3]},"           \
    "{\"kind\": \"batch_norm\", \"name\": \"bn\", \"dim\": 5}"

static clinit_model *parse_opts_ok(const char *json, clinit_rule_set set)
{
    char err[512];
    clinit_model *m = NULL;
    clinit_model_options opt;
    memset(&opt, 0, sizeof opt);
    opt.rules = set;
    cr_assert_eq(
        clinit_model_parse_opts(json, strlen(json), &opt, &m, err, sizeof err),
        CLINIT_OK, "spec rejected: %s\n%s", err, json);
    return m;
}

/* The canonical text, malloc'd. */
static char *canonical(const clinit_model *m)
{
    size_t n = clinit_model_canonical(m, NULL, 0);
    char *buf = malloc(n + 1);
    cr_assert(buf != NULL);
    cr_assert_eq(clinit_model_canonical(m, buf, n + 1), n);
    return buf;
}

/* torch 1.13 reset_parameters, by the formulas of torch.nn.init: weights
 * kaiming_uniform_(a=sqrt(5)) (bound sqrt(3) * gain / sqrt(fan_in), gain
 * sqrt(2 / (1 + a^2))), biases U(+-1/sqrt(fan_in of the weight)), with
 * torch's fans of the stored layout (conv_transpose: fan_in = out/groups *
 * prod(k), dim 1 of [in, out/groups, k...]). tests/test_rules.py checks
 * the same against torch itself. */
static void expect_torch(const clinit_model *m)
{
    static const struct {
        const char *layer;
        uint64_t fan_in;
    } conv_like[] = {{"fc", 768},   {"c1", 2 * 5}, {"c2", 3 * 9}, {"c3", 2 * 6},
                     {"t1", 2 * 3}, {"t2", 6 * 6}, {"t3", 5 * 8}};
    clinit_model_tensor_info ti;
    clinit_resolved r;
    for (size_t i = 0; i < sizeof conv_like / sizeof conv_like[0]; i++) {
        char name[64];
        double gain = sqrt(2.0 / (1 + sqrt(5.0) * sqrt(5.0)));
        double wb = sqrt(3.0) * (gain / sqrt((double)conv_like[i].fan_in));
        double bb = 1.0 / sqrt((double)conv_like[i].fan_in);
        snprintf(name, sizeof name, "%s.weight", conv_like[i].layer);
        ti = info_of(m, find(m, name));
        cr_expect_eq(ti.init.method, CLINIT_KAIMING_UNIFORM, "%s", name);
        cr_expect_eq(ti.init.a, sqrt(5.0), "%s", name);
        cr_expect_eq(ti.init.mode, CLINIT_FAN_IN, "%s", name);
        cr_expect_eq(ti.init.nonlinearity, CLINIT_NL_LEAKY_RELU, "%s", name);
        cr_assert_eq(clinit_resolve(&ti.tensor, &ti.init, &r), CLINIT_OK);
        cr_expect_eq(r.fan_in, conv_like[i].fan_in, "%s", name);
        cr_expect_eq(r.hi, wb, "%s: bound %.17g, torch %.17g", name, r.hi, wb);
        snprintf(name, sizeof name, "%s.bias", conv_like[i].layer);
        ti = info_of(m, find(m, name));
        cr_expect_eq(ti.init.method, CLINIT_UNIFORM, "%s", name);
        cr_expect_eq(ti.init.a, -bb, "%s: a %.17g", name, ti.init.a);
        cr_expect_eq(ti.init.b, bb, "%s: b %.17g", name, ti.init.b);
    }
    ti = info_of(m, find(m, "emb.weight"));
    cr_expect_eq(ti.init.method, CLINIT_NORMAL);
    cr_expect_eq(ti.init.mean, 0.0);
    cr_expect_eq(ti.init.std, 1.0);
    cr_expect_eq(info_of(m, find(m, "ln.weight")).init.method, CLINIT_ONES);
    cr_expect_eq(info_of(m, find(m, "ln.bias")).init.method, CLINIT_ZEROS);
    cr_expect_eq(info_of(m, find(m, "bn.weight")).init.method, CLINIT_ONES);
    cr_expect_eq(info_of(m, find(m, "bn.bias")).init.method, CLINIT_ZEROS);
}

Test(model, torch_rule_set)
{
    clinit_model *a =
        parse_ok("{\"rules\": \"torch\", \"layers\": [" EVERY_KIND "]}");
    clinit_model *b = parse_ok(
        "{\"rules\": {\"base\": \"torch\"}, \"layers\": [" EVERY_KIND "]}");
    clinit_model *c =
        parse_opts_ok("{\"layers\": [" EVERY_KIND "]}", CLINIT_RULES_TORCH);
    char *ta, *tb, *tc;
    expect_torch(a);
    ta = canonical(a);
    tb = canonical(b);
    tc = canonical(c);
    cr_expect_str_eq(ta, tb);
    cr_expect_str_eq(ta, tc);
    cr_expect_eq(clinit_model_spec_hash(a), clinit_model_spec_hash(c));
    free(ta);
    free(tb);
    free(tc);
    clinit_model_destroy(a);
    clinit_model_destroy(b);
    clinit_model_destroy(c);
}

/* The textbook set is what specs always got, spelled out (the canonical
 * text pins every parameter, so the same text is the same bits). */
Test(model, textbook_rule_set_is_the_default)
{
    static const char want[] =
        "fc.weight f32 [8,768] xavier_uniform gain=1\n"
        "fc.bias f32 [8] constant val=0.01\n"
        "c1.weight f32 [6,2,5] kaiming_normal a=0 mode=fan_out "
        "nonlinearity=relu\n"
        "c1.bias f32 [6] zeros\n"
        "c2.weight f32 [4,3,3,3] kaiming_normal a=0 mode=fan_out "
        "nonlinearity=relu\n"
        "c2.bias f32 [4] zeros\n"
        "c3.weight f32 [4,2,1,2,3] kaiming_normal a=0 mode=fan_out "
        "nonlinearity=relu\n"
        "c3.bias f32 [4] zeros\n"
        "t1.weight f32 [6,2,3] kaiming_normal a=0 mode=fan_out "
        "nonlinearity=relu\n"
        "t1.bias f32 [4] zeros\n"
        "t2.weight f32 [8,6,3,2] kaiming_normal a=0 mode=fan_out "
        "nonlinearity=relu\n"
        "t2.bias f32 [6] zeros\n"
        "t3.weight f32 [3,5,2,2,2] kaiming_normal a=0 mode=fan_out "
        "nonlinearity=relu\n"
        "t3.bias f32 [5] zeros\n"
        "emb.weight f32 [10,4] normal mean=0 std=0.02\n"
        "ln.weight f32 [2,3] ones\n"
        "ln.bias f32 [2,3] zeros\n"
        "bn.weight f32 [5] ones\n"
        "bn.bias f32 [5] zeros\n";
    static const char *const specs[] = {
        "{\"layers\": [" EVERY_KIND "]}",
        "{\"rules\": \"textbook\", \"layers\": [" EVERY_KIND "]}",
        "{\"rules\": {}, \"layers\": [" EVERY_KIND "]}",
        "{\"rules\": {\"base\": \"textbook\"}, \"layers\": [" EVERY_KIND "]}",
    };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        clinit_model *m = parse_ok(specs[i]);
        char *t = canonical(m);
        cr_expect_str_eq(t, want, "%s", specs[i]);
        free(t);
        clinit_model_destroy(m);
    }
    /* a set the spec names wins over the caller's */
    {
        clinit_model *m = parse_opts_ok(specs[1], CLINIT_RULES_TORCH);
        char *t = canonical(m);
        cr_expect_str_eq(t, want);
        free(t);
        clinit_model_destroy(m);
    }
}

/* Layer init > the kind's rule > the conv rule > the base set. */
Test(model, rule_set_with_overrides)
{
    clinit_model *m = parse_opts_ok(
        "{\"rules\": {\"linear.bias\": {\"method\": \"zeros\"},"
        " \"conv.weight\": {\"method\": \"kaiming_normal\", \"mode\": "
        "\"fan_out\", \"nonlinearity\": \"relu\"},"
        " \"conv2d.bias\": {\"method\": \"constant\", \"val\": 0.5}},"
        " \"layers\": [" EVERY_KIND ","
        " {\"kind\": \"linear\", \"name\": \"own\", \"in\": 4, \"out\": 2, "
        "\"init\": {\"bias\": {\"method\": \"ones\"}}}]}",
        CLINIT_RULES_TORCH);
    clinit_model_tensor_info ti = info_of(m, find(m, "fc.weight"));
    cr_expect_eq(ti.init.method, CLINIT_KAIMING_UNIFORM); /* base: torch */
    cr_expect_eq(info_of(m, find(m, "fc.bias")).init.method, CLINIT_ZEROS);
    ti = info_of(m, find(m, "t2.weight"));
    cr_expect_eq(ti.init.method, CLINIT_KAIMING_NORMAL);
    cr_expect_eq(ti.init.mode, CLINIT_FAN_OUT);
    cr_expect_eq(info_of(m, find(m, "c2.bias")).init.method, CLINIT_CONSTANT);
    ti = info_of(m, find(m, "c1.bias")); /* base: 1/sqrt(2 * 5) */
    cr_expect_eq(ti.init.method, CLINIT_UNIFORM);
    cr_expect_eq(ti.init.b, 1.0 / sqrt(10.0));
    cr_expect_eq(info_of(m, find(m, "emb.weight")).init.std, 1.0);
    cr_expect_eq(info_of(m, find(m, "own.bias")).init.method, CLINIT_ONES);
    cr_expect_eq(info_of(m, find(m, "own.weight")).init.method,
                 CLINIT_KAIMING_UNIFORM);
    clinit_model_destroy(m);
}

/* uniform_fan_in is a uniform with torch's double bound: the same
 * canonical text (so spec hash and bits) as the uniform spelled out. */
Test(model, uniform_fan_in)
{
    clinit_model *m = parse_ok(
        "{\"rules\": {\"linear.bias\": {\"method\": \"uniform_fan_in\"},"
        " \"conv.bias\": {\"method\": \"uniform_fan_in\"}},"
        " \"layers\": ["
        " {\"kind\": \"linear\", \"name\": \"fc\", \"in\": 512, \"out\": 3},"
        " {\"kind\": \"linear\", \"name\": \"one\", \"in\": 1, \"out\": 3},"
        " {\"kind\": \"conv2d\", \"name\": \"dw\", \"in\": 8, \"out\": 8, "
        "\"kernel\": 1, \"groups\": 8},"
        " {\"kind\": \"conv_transpose2d\", \"name\": \"t\", \"in\": 8, "
        "\"out\": 6, \"kernel\": 3, \"groups\": 2},"
        " {\"kind\": \"linear\", \"name\": \"w\", \"in\": 9, \"out\": 2, "
        "\"dtype\": \"f16\", \"init\": {\"weight\": {\"method\": "
        "\"uniform_fan_in\"}}},"
        " {\"kind\": \"tensor\", \"name\": \"tt\", \"shape\": [3, 4, 4], "
        "\"method\": \"uniform_fan_in\"}]}");
    clinit_model *e = parse_ok(
        "{\"layers\": [{\"kind\": \"linear\", \"name\": \"fc\", \"in\": 512, "
        "\"out\": 3, \"init\": {\"bias\": {\"method\": \"uniform\", \"a\": "
        "-0.044194173824159216, \"b\": 0.044194173824159216}}}]}");
    clinit_model_tensor_info ti = info_of(m, find(m, "fc.bias")), te;
    char line[256];
    size_t n;
    cr_expect_eq(ti.init.a, -1.0 / sqrt(512.0));
    cr_expect_eq(ti.init.b, 1.0 / sqrt(512.0));
    te = info_of(e, find(e, "fc.bias"));
    cr_expect_eq(te.init.a, ti.init.a);
    cr_expect_eq(te.init.b, ti.init.b);
    /* fan_in 1 (in 1; a depthwise 1x1 conv): bound exactly 1 */
    ti = info_of(m, find(m, "one.bias"));
    cr_expect_eq(ti.init.a, -1.0);
    cr_expect_eq(ti.init.b, 1.0);
    ti = info_of(m, find(m, "dw.bias"));
    cr_expect_eq(ti.init.b, 1.0);
    ti = info_of(m, find(m, "t.bias")); /* fan_in of [8, 3, 3, 3]: 27 */
    cr_expect_eq(ti.init.b, 1.0 / sqrt(27.0));
    ti = info_of(m, find(m, "w.weight")); /* its own fan_in */
    cr_expect_eq(ti.init.b, 1.0 / 3.0);
    cr_expect_eq(ti.init.a, -1.0 / 3.0);
    ti = info_of(m, find(m, "tt")); /* fan_in of [3, 4, 4]: 16 */
    cr_expect_eq(ti.init.method, CLINIT_UNIFORM);
    cr_expect_eq(ti.init.b, 0.25);
    /* the first canonical lines agree (fc.weight, fc.bias) */
    n = clinit_model_canonical(e, line, sizeof line);
    cr_assert(n < sizeof line);
    {
        char *all = canonical(m);
        cr_expect(strncmp(all, line, n) == 0, "%s\nvs\n%s", all, line);
        free(all);
    }
    clinit_model_destroy(m);
    clinit_model_destroy(e);
}

Test(model, parse_opts_and_rule_set_names)
{
    clinit_model *m = (clinit_model *)&m; /* must become NULL */
    clinit_model_options opt;
    clinit_rule_set s = CLINIT_RULES_TORCH;
    char err[128];
    const char *spec = "{\"layers\": [" EVERY_KIND "]}";
    memset(&opt, 0, sizeof opt);
    cr_expect_eq(opt.rules, CLINIT_RULES_TEXTBOOK); /* zeroed: textbook */
    opt.rules = CLINIT_RULES_COUNT;
    cr_expect_eq(
        clinit_model_parse_opts(spec, strlen(spec), &opt, &m, err, sizeof err),
        CLINIT_EPARAM);
    cr_expect_null(m);
    cr_expect_str_eq(err, "options.rules: unknown rule set 2");
    opt.rules = (clinit_rule_set)-1;
    cr_expect_eq(clinit_model_parse_opts(spec, strlen(spec), &opt, &m, NULL, 0),
                 CLINIT_EPARAM);
    cr_expect_eq(clinit_model_parse_opts(spec, strlen(spec), &opt, NULL, err,
                                         sizeof err),
                 CLINIT_ENULL);
    /* NULL options: clinit_model_parse */
    cr_assert_eq(
        clinit_model_parse_opts(spec, strlen(spec), NULL, &m, err, sizeof err),
        CLINIT_OK);
    cr_expect_eq(info_of(m, find(m, "fc.weight")).init.method,
                 CLINIT_XAVIER_UNIFORM);
    clinit_model_destroy(m);
    for (int i = 0; i < CLINIT_RULES_COUNT; i++) {
        const char *name = clinit_rule_set_name((clinit_rule_set)i);
        cr_assert(name != NULL);
        cr_expect_eq(clinit_rule_set_from_name(name, &s), CLINIT_OK);
        cr_expect_eq((int)s, i);
    }
    cr_expect_str_eq(clinit_rule_set_name(CLINIT_RULES_TORCH), "torch");
    cr_expect_str_eq(clinit_rule_set_name(CLINIT_RULES_TEXTBOOK), "textbook");
    cr_expect_null(clinit_rule_set_name(CLINIT_RULES_COUNT));
    cr_expect_eq(clinit_rule_set_from_name("keras", &s), CLINIT_EPARAM);
    cr_expect_eq(s, CLINIT_RULES_TORCH); /* untouched */
    cr_expect_eq(clinit_rule_set_from_name(NULL, &s), CLINIT_ENULL);
    cr_expect_eq(clinit_rule_set_from_name("torch", NULL), CLINIT_ENULL);
}

Test(model, seed_and_dtype_overrides)
{
    clinit_model *m =
        parse_ok("{\"seed\": \"0xfedcba9876543210\", \"layers\": ["
                 "{\"kind\": \"tensor\", \"name\": \"big\", \"shape\": [4], "
                 "\"method\": \"constant\", \"val\": 100000},"
                 "{\"kind\": \"linear\", \"name\": \"fc\", \"in\": 3, \"out\": "
                 "2, \"dtype\": \"f64\"}]}");
    char err[256];
    clinit_fill_desc d;
    cr_expect_eq(clinit_model_seed(m), UINT64_C(0xfedcba9876543210));
    cr_expect_eq(info_of(m, 0).tensor.seed, UINT64_C(0xfedcba9876543210));
    cr_expect_eq(clinit_model_check(m, err, sizeof err), CLINIT_OK);
    clinit_model_set_seed(m, 42);
    cr_expect_eq(info_of(m, 1).tensor.seed, 42);
    cr_assert_eq(clinit_model_fill_desc(m, 1, &d), CLINIT_OK);
    cr_expect_eq(d.tensor.seed, 42);
    cr_expect_eq(d.lo, 0);
    cr_expect_eq(d.hi, 6);
    cr_expect_null(d.buf);
    cr_expect_null(d.host);
    cr_expect_eq(clinit_model_bytes(m), 4 * 4 + 6 * 8 + 2 * 8);
    /* every tensor follows the override, also those with their own dtype */
    clinit_model_set_dtype(m, CLINIT_F16);
    cr_expect_eq(info_of(m, 1).tensor.dtype, CLINIT_F16);
    cr_expect_eq(clinit_model_bytes(m), (4 + 6 + 2) * 2);
    /* 100000 overflows f16 */
    cr_expect_eq(clinit_model_check(m, err, sizeof err), CLINIT_EPARAM);
    cr_expect(strncmp(err, "big: constant in f16: ", 22) == 0, "%s", err);
    clinit_model_destroy(m);
}

Test(model, null_and_range_arguments)
{
    clinit_model *m = NULL;
    clinit_model_tensor_info ti;
    clinit_fill_desc d;
    char err[64];
    cr_expect_eq(clinit_model_parse("{}", 2, NULL, err, sizeof err),
                 CLINIT_ENULL);
    cr_expect_eq(clinit_model_parse(NULL, 2, &m, err, sizeof err),
                 CLINIT_ENULL);
    cr_expect_null(m);
    /* err may be NULL */
    cr_expect_eq(clinit_model_parse("{}", 2, &m, NULL, 0), CLINIT_EPARAM);
    cr_expect_null(m);
    clinit_model_destroy(NULL);
    cr_expect_eq(clinit_model_size(NULL), 0);
    cr_expect_eq(clinit_model_numel(NULL), 0);
    cr_expect_eq(clinit_model_spec_hash(NULL), 0);
    cr_expect_str_eq(clinit_model_name(NULL), "");
    cr_expect_eq(clinit_model_tensor(NULL, 0, &ti), CLINIT_ENULL);
    cr_expect_eq(clinit_model_check(NULL, err, sizeof err), CLINIT_ENULL);
    clinit_model_set_seed(NULL, 1);
    clinit_model_set_dtype(NULL, CLINIT_F16);
    m = parse_example("seed_net.json");
    cr_expect_eq(clinit_model_tensor(m, 0, NULL), CLINIT_ENULL);
    cr_expect_eq(clinit_model_tensor(m, 4, &ti), CLINIT_ERANGE);
    cr_expect_eq(clinit_model_fill_desc(m, 4, &d), CLINIT_ERANGE);
    cr_expect_eq(clinit_model_fill_desc(m, 0, NULL), CLINIT_ENULL);
    clinit_model_destroy(m);
}

/* ---- values depend only on the tensor itself
 * ----------------------------------- */

Test(model, other_layers_never_change_a_tensor)
{
    static const char *const layers[] = {
        "{\"kind\": \"linear\", \"name\": \"a\", \"in\": 17, \"out\": 9}",
        "{\"kind\": \"embedding\", \"name\": \"e\", \"num\": 40, \"dim\": 8}",
        "{\"kind\": \"conv2d\", \"name\": \"c\", \"in\": 3, \"out\": 5, "
        "\"kernel\": 3}",
        "{\"kind\": \"tensor\", \"name\": \"t\", \"shape\": [33], \"method\": "
        "\"uniform\"}"};
    char a[2048], b[2048], c[2048];
    clinit_model *ma, *mb, *mc;
    int checked = 0;
    snprintf(a, sizeof a, "{\"seed\": 99, \"layers\": [%s, %s, %s, %s]}",
             layers[0], layers[1], layers[2], layers[3]);
    /* a layer added at the front */
    snprintf(b, sizeof b,
             "{\"seed\": 99, \"layers\": [{\"kind\": \"linear\", \"name\": "
             "\"new\", \"in\": 5, \"out\": 5}, %s, %s, %s, %s]}",
             layers[0], layers[1], layers[2], layers[3]);
    /* reordered, one removed */
    snprintf(c, sizeof c, "{\"seed\": 99, \"layers\": [%s, %s, %s]}", layers[3],
             layers[2], layers[0]);
    ma = parse_ok(a);
    mb = parse_ok(b);
    mc = parse_ok(c);
    cr_assert_eq(clinit_model_size(mb), clinit_model_size(ma) + 2);
    for (size_t i = 0; i < clinit_model_size(ma); i++) {
        clinit_model_tensor_info ti = info_of(ma, i);
        size_t ib = find(mb, ti.name), ic = find(mc, ti.name), n1, n2;
        unsigned char *x = fill_all(ma, i, &n1), *y;
        cr_assert_neq(ib, SIZE_MAX, "%s", ti.name);
        y = fill_all(mb, ib, &n2);
        cr_assert_eq(n1, n2);
        cr_expect_eq(memcmp(x, y, n1), 0, "%s changed when a layer was added",
                     ti.name);
        free(y);
        if (ic != SIZE_MAX) {
            y = fill_all(mc, ic, &n2);
            cr_expect_eq(memcmp(x, y, n1), 0, "%s changed when reordered",
                         ti.name);
            free(y);
            checked++;
        }
        free(x);
    }
    cr_expect_eq(checked, 5);
    /* and a different seed does change it */
    {
        size_t n1, n2;
        unsigned char *x = fill_all(ma, 0, &n1), *y;
        clinit_model_set_seed(ma, 100);
        y = fill_all(ma, 0, &n2);
        cr_expect_neq(memcmp(x, y, n1), 0);
        free(x);
        free(y);
    }
    clinit_model_destroy(ma);
    clinit_model_destroy(mb);
    clinit_model_destroy(mc);
}

/* ---- spec errors
 * ----------------------------------------------------------------- */

#define L(body) "{\"layers\": [" body "]}"
#define LIN "{\"kind\": \"linear\", \"name\": \"a\", \"in\": 3, \"out\": 4}"

static const struct bad_spec {
    const char *json, *err;
} bad_specs[] = {
    /* the document */
    {"", "spec: empty (expected a JSON object)"},
    {"  \n ", "spec: empty (expected a JSON object)"},
    {"[]", "spec: must be a JSON object (got an array)"},
    {"42", "spec: must be a JSON object (got 42)"},
    {"{}", "spec: missing key 'layers'"},
    {"{\"layers\": [" LIN,
     "line 1, column 62: unexpected end of the JSON text"},
    {"{\"layers\": [" LIN "]",
     "line 1, column 63: unexpected end of the JSON text"},
    {"{\"layers\": \"x", "line 1, column 13: unexpected end of the JSON text"},
    {"{\"layers\": [" LIN "]} x",
     "line 1, column 66: unexpected text after the JSON value"},
    {"{\"layers\": [" LIN ",]}", "line 1, column 64: invalid JSON"},
    {"{\n  \"layers\": [\n    nope\n  ]\n}", "line 3, column 5: invalid JSON"},
    {"{\"layers\": [], \"laers\": 1}",
     "laers: unknown key for a model spec (expected name, dtype, seed, rules, "
     "layers, comment, gguf)"},
    {"{\"gguf\": 3, \"layers\": [" LIN "]}",
     "gguf: must be an object of GGUF metadata (got 3)"},
    {"{\"gguf\": [], \"layers\": [" LIN "]}",
     "gguf: must be an object of GGUF metadata (got an array)"},
    {"{\"layers\": [" LIN "], \"layers\": []}", "layers: duplicate key"},
    {"{\"name\": 3, \"layers\": [" LIN "]}", "name: must be a string (got 3)"},
    {"{\"dtype\": \"f8\", \"layers\": [" LIN "]}",
     "dtype: unknown dtype 'f8' (expected f32, f16, bf16 or f64)"},
    {"{\"seed\": -1, \"layers\": [" LIN "]}",
     "seed: must be a non-negative integer (got -1)"},
    {"{\"seed\": 0.5, \"layers\": [" LIN "]}",
     "seed: must be a non-negative integer (got 0.5)"},
    {"{\"seed\": 9007199254740992, \"layers\": [" LIN "]}",
     "seed: must be at most 9007199254740991 (got 9007199254740992)"},
    {"{\"seed\": \"0x1ffffffffffffffff\", \"layers\": [" LIN "]}",
     "seed: must be an integer below 2^53 or a string of a 64-bit integer, "
     "decimal or 0x hex (got '0x1ffffffffffffffff')"},
    {"{\"seed\": \"-1\", \"layers\": [" LIN "]}",
     "seed: must be an integer below 2^53 or a string of a 64-bit integer, "
     "decimal or 0x hex (got '-1')"},
    {"{\"seed\": true, \"layers\": [" LIN "]}",
     "seed: must be a non-negative integer (got true)"},
    /* layers */
    {L(""), "layers: must be a non-empty list of layers (got an empty list)"},
    {"{\"layers\": {}}",
     "layers: must be a non-empty list of layers (got an object)"},
    {L("3"), "layers[0]: must be a layer object (got 3)"},
    {L("{\"name\": \"a\"}"), "layers[0]: missing key 'kind'"},
    {L("{\"kind\": 1}"), "layers[0].kind: must be a string (got 1)"},
    {L("{\"kind\": \"dense\", \"name\": \"a\"}"),
     "layers[0].kind: unknown layer kind 'dense' (expected linear, conv1d, "
     "conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d, "
     "embedding, layer_norm, batch_norm, tensor or repeat)"},
    {L("{\"kind\": \"linear\", \"in\": 3, \"out\": 4}"),
     "layers[0]: missing key 'name'"},
    {L("{\"kind\": \"linear\", \"name\": \"\", \"in\": 3, \"out\": 4}"),
     "layers[0].name: must be a name of 1 to 256 bytes"},
    {L("{\"kind\": \"linear\", \"name\": \"a b\", \"in\": 3, \"out\": 4}"),
     "layers[0].name: must be a name of valid UTF-8 without spaces or control "
     "characters (this one holds a space)"},
    {L("{\"kind\": \"linear\", \"name\": \"a\\u0001\", \"in\": 3, \"out\": 4}"),
     "layers[0].name: must be a name of valid UTF-8 without spaces or control "
     "characters (this one holds a control character)"},
    /* names are valid UTF-8 (so that the header never has to replace a
     * byte, which would merge w\x80 and w\x81 into one key) without C1
     * controls (U+0085 NEL, raw or escaped) */
    {L("{\"kind\": \"linear\", \"name\": \"w\x80\", \"in\": 3, \"out\": 4}"),
     "layers[0].name: must be a name of valid UTF-8 without spaces or control "
     "characters (this one is not valid UTF-8)"},
    {L("{\"kind\": \"linear\", \"name\": \"w\xc0\xaf\", \"in\": 3, \"out\": "
       "4}"),
     "layers[0].name: must be a name of valid UTF-8 without spaces or control "
     "characters (this one is not valid UTF-8)"},
    {L("{\"kind\": \"linear\", \"name\": \"w\xed\xa0\x80\", \"in\": 3, "
       "\"out\": 4}"),
     "layers[0].name: must be a name of valid UTF-8 without spaces or control "
     "characters (this one is not valid UTF-8)"},
    {L("{\"kind\": \"linear\", \"name\": \"w\xc2\x85\", \"in\": 3, \"out\": "
       "4}"),
     "layers[0].name: must be a name of valid UTF-8 without spaces or control "
     "characters (this one holds a control character)"},
    {L("{\"kind\": \"linear\", \"name\": \"w\\u0085\", \"in\": 3, \"out\": 4}"),
     "layers[0].name: must be a name of valid UTF-8 without spaces or control "
     "characters (this one holds a control character)"},
    {L("{\"kind\": \"linear\", \"name\": \"w\x7f\", \"in\": 3, \"out\": 4}"),
     "layers[0].name: must be a name of valid UTF-8 without spaces or control "
     "characters (this one holds a control character)"},
    {"{\"name\": \"m\xff\", \"layers\": [" LIN "]}",
     "name: must be valid UTF-8 without control characters (this one is not "
     "valid UTF-8)"},
    /* an escaped NUL would cut the string in cJSON: "a\u0000b" -> "a" */
    {L("{\"kind\": \"linear\", \"name\": \"a\\u0000b\", \"in\": 3, \"out\": "
       "4}"),
     "line 1, column 42: escaped NUL (\\u0000) in a string"},
    {L("{\"kind\": \"linear\", \"name\": \"a\", \"in\\u0000zz\": 3, \"out\": "
       "4}"),
     "line 1, column 48: escaped NUL (\\u0000) in a string"},
    /* brackets that do not match: where they stop matching */
    {"]]]][[[[{}", "line 1, column 1: unexpected ']'"},
    {"{\"layers\": [}", "line 1, column 13: unexpected '}'"},
    {"[[[[{}", "line 1, column 6: unexpected end of the JSON text"},
    {"{\"layers\" 1} [", "line 1, column 11: invalid JSON"},
    {L("{\"kind\": \"linear\", \"name\": [], \"in\": 3, \"out\": 4}"),
     "layers[0].name: must be a string (got an array)"},
    {L("{\"kind\": \"linear\", \"name\": \"a\", \"in\": 3}"),
     "layers[0]: missing key 'out'"},
    {L("{\"kind\": \"linear\", \"name\": \"a\", \"in\": 3, \"out\": 0}"),
     "layers[0].out: must be a positive integer (got 0)"},
    {L("{\"kind\": \"linear\", \"name\": \"a\", \"in\": 3, \"out\": -3}"),
     "layers[0].out: must be a positive integer (got -3)"},
    {L("{\"kind\": \"linear\", \"name\": \"a\", \"in\": 2.5, \"out\": 4}"),
     "layers[0].in: must be a positive integer (got 2.5)"},
    {L("{\"kind\": \"linear\", \"name\": \"a\", \"in\": \"3\", \"out\": 4}"),
     "layers[0].in: must be a positive integer (got '3')"},
    {L("{\"kind\": \"linear\", \"name\": \"a\", \"in\": null, \"out\": 4}"),
     "layers[0].in: must be a positive integer (got null)"},
    {L("{\"kind\": \"linear\", \"name\": \"a\", \"in\": 1e300, \"out\": 4}"),
     "layers[0].in: must be at most 9007199254740991 (got 1e+300)"},
    {L("{\"kind\": \"linear\", \"name\": \"a\", \"in\": 1e999, \"out\": 4}"),
     "layers[0].in: must be a positive integer (got a number too large)"},
    {L("{\"kind\": \"linear\", \"name\": \"a\", \"in\": 3, \"out\": 4, "
       "\"bias\": 1}"),
     "layers[0].bias: must be true or false (got 1)"},
    {L("{\"kind\": \"linear\", \"name\": \"a\", \"in\": 3, \"ot\": 4}"),
     "layers[0].ot: unknown key for linear (expected kind, name, dtype, init, "
     "comment, in, out, bias)"},
    {L("{\"kind\": \"linear\", \"name\": \"a\", \"in\": 3, \"out\": 4, \"in\": "
       "5}"),
     "layers[0].in: duplicate key"},
    {L("{\"kind\": \"linear\", \"name\": \"a\", \"in\": 3, \"out\": 4, "
       "\"dtype\": \"int8\"}"),
     "layers[0].dtype: unknown dtype 'int8' (expected f32, f16, bf16 or f64)"},
    {L("{\"kind\": \"linear\", \"name\": \"a\", \"in\": 3, \"out\": 4, "
       "\"comment\": 5}"),
     "layers[0].comment: must be a string (got 5)"},
    {L("{\"kind\": \"embedding\", \"name\": \"e\", \"num\": 3, \"dim\": 4, "
       "\"bias\": true}"),
     "layers[0].bias: unknown key for embedding (expected kind, name, dtype, "
     "init, comment, num, dim)"},
    {L("{\"kind\": \"batch_norm\", \"name\": \"b\", \"dim\": [4]}"),
     "layers[0].dim: must be a positive integer (got an array)"},
    {L("{\"kind\": \"layer_norm\", \"name\": \"n\", \"dim\": []}"),
     "layers[0].dim: must be a positive integer or a list of 1 to 8 positive "
     "integers (got a list of 0)"},
    {L("{\"kind\": \"layer_norm\", \"name\": \"n\", \"dim\": "
       "[1,1,1,1,1,1,1,1,1]}"),
     "layers[0].dim: must be a positive integer or a list of 1 to 8 positive "
     "integers (got a list of 9)"},
    {L("{\"kind\": \"layer_norm\", \"name\": \"n\", \"dim\": [4, 0]}"),
     "layers[0].dim[1]: must be a positive integer (got 0)"},
    /* conv */
    {L("{\"kind\": \"conv2d\", \"name\": \"c\", \"in\": 3, \"out\": 8}"),
     "layers[0]: missing key 'kernel'"},
    {L("{\"kind\": \"conv2d\", \"name\": \"c\", \"in\": 3, \"out\": 8, "
       "\"kernel\": [3, 3, 3]}"),
     "layers[0].kernel: must be a positive integer or a list of 2 positive "
     "integers (got a list of 3)"},
    {L("{\"kind\": \"conv2d\", \"name\": \"c\", \"in\": 3, \"out\": 8, "
       "\"kernel\": [3, -1]}"),
     "layers[0].kernel[1]: must be a positive integer (got -1)"},
    {L("{\"kind\": \"conv2d\", \"name\": \"c\", \"in\": 3, \"out\": 8, "
       "\"kernel\": \"3x3\"}"),
     "layers[0].kernel: must be a positive integer or a list of 2 positive "
     "integers (got '3x3')"},
    {L("{\"kind\": \"conv2d\", \"name\": \"c\", \"in\": 3, \"out\": 8, "
       "\"kernel\": 3, \"groups\": 2}"),
     "layers[0].groups: must divide in (3) and out (8)"},
    {L("{\"kind\": \"conv2d\", \"name\": \"c\", \"in\": 4, \"out\": 8, "
       "\"kernel\": 3, \"groups\": 0}"),
     "layers[0].groups: must be a positive integer (got 0)"},
    {L("{\"kind\": \"conv_transpose1d\", \"name\": \"c\", \"in\": 4, \"out\": "
       "8, \"kernel\": 3, \"stride\": 2}"),
     "layers[0].stride: unknown key for conv_transpose1d (expected kind, name, "
     "dtype, init, comment, in, out, bias, kernel, groups)"},
    /* tensor */
    {L("{\"kind\": \"tensor\", \"name\": \"t\", \"method\": \"zeros\"}"),
     "layers[0]: missing key 'shape'"},
    {L("{\"kind\": \"tensor\", \"name\": \"t\", \"shape\": [], \"method\": "
       "\"zeros\"}"),
     "layers[0].shape: must be a list of 1 to 8 positive integers (got a list "
     "of 0)"},
    {L("{\"kind\": \"tensor\", \"name\": \"t\", \"shape\": 4, \"method\": "
       "\"zeros\"}"),
     "layers[0].shape: must be a list of 1 to 8 positive integers (got 4)"},
    {L("{\"kind\": \"tensor\", \"name\": \"t\", \"shape\": [4]}"),
     "layers[0]: missing key 'method'"},
    {L("{\"kind\": \"tensor\", \"name\": \"t\", \"shape\": [4], \"method\": "
       "\"nromal\"}"),
     "layers[0].method: unknown method 'nromal'"},
    {L("{\"kind\": \"tensor\", \"name\": \"t\", \"shape\": [4], \"method\": "
       "\"normal\", \"gain\": 2}"),
     "layers[0].gain: does not apply to method normal (it takes mean, std)"},
    {L("{\"kind\": \"tensor\", \"name\": \"t\", \"shape\": [4], \"method\": "
       "\"normal\", \"sd\": 2}"),
     "layers[0].sd: unknown key for tensor (expected kind, name, dtype, "
     "comment, shape, method, a, b, mean, std, val, gain, mode, nonlinearity, "
     "scale, distribution, sparsity, groups)"},
    {L("{\"kind\": \"tensor\", \"name\": \"t\", \"shape\": [4], \"method\": "
       "\"normal\", \"init\": {}}"),
     "layers[0].init: unknown key for tensor (expected kind, name, dtype, "
     "comment, shape, method, a, b, mean, std, val, gain, mode, nonlinearity, "
     "scale, distribution, sparsity, groups)"},
    {L("{\"kind\": \"tensor\", \"name\": \"t\", \"shape\": [4], \"method\": "
       "\"constant\"}"),
     "layers[0]: method constant needs 'val'"},
    {L("{\"kind\": \"tensor\", \"name\": \"t\", \"shape\": [4], \"method\": "
       "\"normal\", \"std\": -1}"),
     "layers[0]: normal cannot initialize 't' [4] f32: bad method parameter "
     "(non-finite value, std < 0, a >= b, or a range that is empty or "
     "overflows in the output dtype)"},
    {L("{\"kind\": \"tensor\", \"name\": \"t\", \"shape\": [4], \"method\": "
       "\"uniform\", \"a\": 1, \"b\": 1}"),
     "layers[0]: uniform cannot initialize 't' [4] f32: bad method parameter "
     "(non-finite value, std < 0, a >= b, or a range that is empty or "
     "overflows in the output dtype)"},
    {L("{\"kind\": \"tensor\", \"name\": \"t\", \"shape\": [4], \"method\": "
       "\"eye\"}"),
     "layers[0]: eye cannot initialize 't' [4] f32: bad shape: ndim must be "
     "1..CLINIT_MAX_DIMS and every dimension >= 1, and the method's own rule "
     "must hold (2-D for sparse and eye, 3-5-D for dirac, >= 2-D for "
     "orthogonal)"},
    {L("{\"kind\": \"tensor\", \"name\": \"t\", \"shape\": [4], \"method\": "
       "\"normal\", \"std\": \"0.1\"}"),
     "layers[0].std: must be a finite number (got '0.1')"},
    {L("{\"kind\": \"tensor\", \"name\": \"t\", \"shape\": [4], \"method\": "
       "\"normal\", \"std\": -1e999}"),
     "layers[0].std: must be a finite number (got a number too small)"},
    {L("{\"kind\": \"tensor\", \"name\": \"t\", \"shape\": [4294967296, "
       "4294967296, 4294967296], \"method\": \"zeros\"}"),
     "layers[0]: tensor 't' [4294967296,4294967296,4294967296] has more than "
     "2^56 elements"},
    {L("{\"kind\": \"tensor\", \"name\": \"__metadata__\", \"shape\": [1], "
       "\"method\": \"zeros\"}"),
     "layers[0].name: tensor name '__metadata__' is reserved"},
    {L("{\"kind\": \"tensor\", \"name\": \"t\", \"shape\": [4, 4], \"method\": "
       "\"kaiming_normal\", \"mode\": \"fan_avg\"}"),
     "layers[0].mode: unknown mode 'fan_avg' for kaiming_normal (expected "
     "fan_in or fan_out)"},
    {L("{\"kind\": \"tensor\", \"name\": \"t\", \"shape\": [4, 4], \"method\": "
       "\"kaiming_normal\", \"nonlinearity\": \"gelu\"}"),
     "layers[0].nonlinearity: unknown nonlinearity 'gelu'"},
    {L("{\"kind\": \"tensor\", \"name\": \"t\", \"shape\": [4, 4], \"method\": "
       "\"variance_scaling\", \"distribution\": \"gaussian\"}"),
     "layers[0].distribution: unknown distribution 'gaussian' (expected "
     "truncated_normal, untruncated_normal or uniform)"},
    {L("{\"kind\": \"tensor\", \"name\": \"t\", \"shape\": [4, 4, 3], "
       "\"method\": \"dirac\", \"groups\": 1.5}"),
     "layers[0].groups: must be a positive integer (got 1.5)"},
    /* layer init */
    {L("{\"kind\": \"linear\", \"name\": \"a\", \"in\": 3, \"out\": 4, "
       "\"init\": []}"),
     "layers[0].init: must be an object with 'weight' and/or 'bias' (got an "
     "array)"},
    {L("{\"kind\": \"linear\", \"name\": \"a\", \"in\": 3, \"out\": 4, "
       "\"init\": {\"wieght\": {}}}"),
     "layers[0].init.wieght: unknown key for the init of linear (expected "
     "weight, bias)"},
    {L("{\"kind\": \"linear\", \"name\": \"a\", \"in\": 3, \"out\": 4, "
       "\"bias\": false, \"init\": {\"bias\": {\"method\": \"zeros\"}}}"),
     "layers[0].init.bias: unknown key for the init of linear without bias "
     "(expected weight)"},
    {L("{\"kind\": \"linear\", \"name\": \"a\", \"in\": 3, \"out\": 4, "
       "\"init\": {\"weight\": \"normal\"}}"),
     "layers[0].init.weight: must be an object with a 'method' (got 'normal')"},
    {L("{\"kind\": \"linear\", \"name\": \"a\", \"in\": 3, \"out\": 4, "
       "\"init\": {\"weight\": {\"std\": 1}}}"),
     "layers[0].init.weight: missing key 'method'"},
    {L("{\"kind\": \"linear\", \"name\": \"a\", \"in\": 3, \"out\": 4, "
       "\"init\": {\"weight\": {\"method\": \"normal\", \"method\": "
       "\"zeros\"}}}"),
     "layers[0].init.weight.method: duplicate key"},
    {L("{\"kind\": \"linear\", \"name\": \"a\", \"in\": 3, \"out\": 4, "
       "\"init\": {\"weight\": {\"method\": \"normal\", \"std\": 1, \"std\": "
       "2}}}"),
     "layers[0].init.weight.std: duplicate key"},
    {L("{\"kind\": \"linear\", \"name\": \"a\", \"in\": 3, \"out\": 4, "
       "\"init\": {\"bias\": {\"method\": \"xavier_uniform\"}}}"),
     "layers[0].init.bias: xavier_uniform cannot initialize 'a.bias' [4] f32: "
     "the method needs fan_in/fan_out: the tensor must have at least 2 "
     "dimensions"},
    {L("{\"kind\": \"linear\", \"name\": \"a\", \"in\": 3, \"out\": 4, "
       "\"init\": {\"weight\": {\"method\": \"sparse\", \"sparsity\": 2}}}"),
     "layers[0].init.weight: sparse cannot initialize 'a.weight' [4,3] f32: "
     "bad method parameter (non-finite value, std < 0, a >= b, or a range that "
     "is empty or overflows in the output dtype)"},
    /* rules */
    {"{\"rules\": [], \"layers\": [" LIN "]}",
     "rules: must be a rule set name (textbook or torch) or an object (got an "
     "array)"},
    {"{\"rules\": 5, \"layers\": [" LIN "]}",
     "rules: must be a rule set name (textbook or torch) or an object (got 5)"},
    {"{\"rules\": \"pytorch\", \"layers\": [" LIN "]}",
     "rules: unknown rule set 'pytorch' (expected textbook or torch)"},
    {"{\"rules\": \"\", \"layers\": [" LIN "]}",
     "rules: unknown rule set '' (expected textbook or torch)"},
    {"{\"rules\": {\"base\": \"Torch\"}, \"layers\": [" LIN "]}",
     "rules.base: unknown rule set 'Torch' (expected textbook or torch)"},
    {"{\"rules\": {\"base\": 1}, \"layers\": [" LIN "]}",
     "rules.base: must be a rule set name: textbook or torch (got 1)"},
    {"{\"rules\": {\"base\": {\"method\": \"zeros\"}}, \"layers\": [" LIN "]}",
     "rules.base: must be a rule set name: textbook or torch (got an object)"},
    {"{\"rules\": {\"base\": \"torch\", \"linear.bias\": {\"method\": "
     "\"zeros\"}, \"base\": \"torch\"}, \"layers\": [" LIN "]}",
     "rules.base: duplicate key"},
    {"{\"rules\": {\"linear.bias\": {\"method\": \"uniform_fan_in\", "
     "\"a\": -1}}, \"layers\": [" LIN "]}",
     "rules[\"linear.bias\"].a: does not apply to method uniform_fan_in (it "
     "takes no parameters)"},
    {"{\"rules\": {\"linear.bias\": {\"method\": \"uniform_fan_in\", "
     "\"bound\": 1}}, \"layers\": [" LIN "]}",
     "rules[\"linear.bias\"].bound: unknown key (method uniform_fan_in takes "
     "no parameters)"},
    {"{\"rules\": {\"linear.bias\": {\"method\": \"uniform_fan_in_\"}}, "
     "\"layers\": [" LIN "]}",
     "rules[\"linear.bias\"].method: unknown method 'uniform_fan_in_'"},
    {"{\"rules\": {\"layer_norm.bias\": {\"method\": \"uniform_fan_in\"}}, "
     "\"layers\": [{\"kind\": \"layer_norm\", \"name\": \"ln\", \"dim\": 4}]}",
     "rules[\"layer_norm.bias\"]: uniform_fan_in cannot initialize 'ln.bias' "
     "[4] f32: the layer's weight [4] has no fan_in (fewer than 2 "
     "dimensions)"},
    {L("{\"kind\": \"batch_norm\", \"name\": \"bn\", \"dim\": 3, \"init\": "
       "{\"weight\": {\"method\": \"uniform_fan_in\"}}}"),
     "layers[0].init.weight: uniform_fan_in cannot initialize 'bn.weight' [3] "
     "f32: the tensor [3] has no fan_in (fewer than 2 dimensions)"},
    {L("{\"kind\": \"tensor\", \"name\": \"t\", \"shape\": [5], "
       "\"method\": \"uniform_fan_in\"}"),
     "layers[0]: uniform_fan_in cannot initialize 't' [5] f32: the tensor [5] "
     "has no fan_in (fewer than 2 dimensions)"},
    /* 1/sqrt(2^50) = 2^-25 rounds to 0 in f16: an empty range */
    {L("{\"kind\": \"linear\", \"name\": \"a\", \"in\": 1125899906842624, "
       "\"out\": 1, \"dtype\": \"f16\", \"init\": {\"weight\": {\"method\": "
       "\"zeros\"}, \"bias\": {\"method\": \"uniform_fan_in\"}}}"),
     "layers[0].init.bias: uniform_fan_in cannot initialize 'a.bias' [1] f16: "
     "bad method parameter (non-finite value, std < 0, a >= b, or a range that "
     "is empty or overflows in the output dtype)"},
    {"{\"rules\": {\"lnear.weight\": {\"method\": \"zeros\"}}, \"layers\": "
     "[" LIN "]}",
     "rules[\"lnear.weight\"]: unknown rule (expected base, KIND.weight or "
     "KIND.bias for KIND linear, conv, conv1d, conv2d, conv3d, "
     "conv_transpose1d, "
     "conv_transpose2d, conv_transpose3d, layer_norm, batch_norm; "
     "embedding.weight)"},
    {"{\"rules\": {\"embedding.bias\": {\"method\": \"zeros\"}}, \"layers\": "
     "[" LIN "]}",
     "rules[\"embedding.bias\"]: unknown rule (expected base, KIND.weight "
     "or KIND.bias for KIND linear, conv, conv1d, conv2d, conv3d, "
     "conv_transpose1d, conv_transpose2d, conv_transpose3d, layer_norm, "
     "batch_norm; embedding.weight)"},
    {"{\"rules\": {\"tensor.weight\": {\"method\": \"zeros\"}}, \"layers\": "
     "[" LIN "]}",
     "rules[\"tensor.weight\"]: unknown rule (expected base, KIND.weight "
     "or KIND.bias for KIND linear, conv, conv1d, conv2d, conv3d, "
     "conv_transpose1d, conv_transpose2d, conv_transpose3d, layer_norm, "
     "batch_norm; embedding.weight)"},
    {"{\"rules\": {\"linear.weight\": {\"method\": \"zeros\"}, "
     "\"linear.weight\": {\"method\": \"ones\"}}, \"layers\": [" LIN "]}",
     "rules[\"linear.weight\"]: duplicate key"},
    {"{\"rules\": {\"linear.weight\": {\"method\": \"constant\"}}, \"layers\": "
     "[" LIN "]}",
     "rules[\"linear.weight\"]: method constant needs 'val'"},
    {"{\"rules\": {\"linear.weight\": {\"method\": \"xavier_uniform\", "
     "\"mode\": \"fan_in\"}}, \"layers\": [" LIN "]}",
     "rules[\"linear.weight\"].mode: does not apply to method xavier_uniform "
     "(it takes gain)"},
    {"{\"rules\": {\"linear.weight\": {\"method\": \"he_normal\", \"scale\": "
     "2}}, \"layers\": [" LIN "]}",
     "rules[\"linear.weight\"].scale: does not apply to method he_normal (it "
     "takes no parameters)"},
    {"{\"rules\": {\"linear.weight\": {\"method\": \"normal\", \"kind\": 1}}, "
     "\"layers\": [" LIN "]}",
     "rules[\"linear.weight\"].kind: unknown key (method normal takes mean, "
     "std)"},
    {"{\"rules\": {\"layer_norm.weight\": {\"method\": \"orthogonal\"}}, "
     "\"layers\": [{\"kind\": \"layer_norm\", \"name\": \"ln\", \"dim\": 4}]}",
     "rules[\"layer_norm.weight\"]: orthogonal cannot initialize 'ln.weight' "
     "[4] f32: bad shape: ndim must be 1..CLINIT_MAX_DIMS and every dimension "
     ">= 1, and the method's own rule must hold (2-D for sparse and eye, 3-5-D "
     "for dirac, >= 2-D for orthogonal)"},
    {"{\"dtype\": \"f16\", \"rules\": {\"linear.bias\": {\"method\": "
     "\"constant\", \"val\": 70000}}, \"layers\": [" LIN "]}",
     "rules[\"linear.bias\"]: constant cannot initialize 'a.bias' [4] f16: bad "
     "method parameter (non-finite value, std < 0, a >= b, or a range that is "
     "empty or overflows in the output dtype)"},
    /* names */
    {L(LIN ", " LIN), "layers[1].name: duplicate tensor name 'a.weight'"},
    {L("{\"kind\": \"tensor\", \"name\": \"a.bias\", \"shape\": [1], "
       "\"method\": \"zeros\"}, " LIN),
     "layers[1].name: duplicate tensor name 'a.bias'"},
    {L("{\"kind\": \"repeat\", \"name\": \"h\", \"count\": 2, \"layers\": [" LIN
       "]}, "
       "{\"kind\": \"linear\", \"name\": \"h.1.a\", \"in\": 3, \"out\": 4}"),
     "layers[1].name: duplicate tensor name 'h.1.a.weight'"},
    /* repeat */
    {L("{\"kind\": \"repeat\", \"name\": \"h\", \"layers\": [" LIN "]}"),
     "layers[0]: missing key 'count'"},
    {L("{\"kind\": \"repeat\", \"name\": \"h\", \"count\": 2}"),
     "layers[0]: missing key 'layers'"},
    {L("{\"kind\": \"repeat\", \"name\": \"h\", \"count\": 0, \"layers\": [" LIN
       "]}"),
     "layers[0].count: must be a positive integer (got 0)"},
    {L("{\"kind\": \"repeat\", \"name\": \"h\", \"count\": 1e6, \"layers\": "
       "[" LIN "]}"),
     "layers[0].count: must be at most 262144 (got 1e+06)"},
    {L("{\"kind\": \"repeat\", \"name\": \"h\", \"count\": 2, \"layers\": []}"),
     "layers[0].layers: must be a non-empty list of layers (got an empty "
     "list)"},
    {L("{\"kind\": \"repeat\", \"name\": \"h\", \"count\": 2, \"layers\": "
       "[{\"kind\": \"linear\", \"name\": \"a\", \"in\": 3, \"out\": 4, "
       "\"init\": 7}]}"),
     "layers[0].layers[0].init: must be an object with 'weight' and/or 'bias' "
     "(got 7)"},
    {L("{\"kind\": \"repeat\", \"name\": \"h\", \"count\": 2, \"init\": {}, "
       "\"layers\": [" LIN "]}"),
     "layers[0].init: unknown key for repeat (expected kind, name, dtype, "
     "comment, count, layers)"},
    {L("{\"kind\": \"repeat\", \"name\": \"h\", \"count\": 600, \"layers\": "
       "[{\"kind\": \"repeat\", \"name\": \"g\", \"count\": 300, \"layers\": "
       "[" LIN "]}]}"),
     "layers[0].layers[0].layers[0]: the model has more than 262144 tensors"},
    /* nine nested repeats */
    {L("{\"kind\": \"repeat\", \"name\": \"r\", \"count\": 1, \"layers\": ["
       "{\"kind\": \"repeat\", \"name\": \"r\", \"count\": 1, \"layers\": ["
       "{\"kind\": \"repeat\", \"name\": \"r\", \"count\": 1, \"layers\": ["
       "{\"kind\": \"repeat\", \"name\": \"r\", \"count\": 1, \"layers\": ["
       "{\"kind\": \"repeat\", \"name\": \"r\", \"count\": 1, \"layers\": ["
       "{\"kind\": \"repeat\", \"name\": \"r\", \"count\": 1, \"layers\": ["
       "{\"kind\": \"repeat\", \"name\": \"r\", \"count\": 1, \"layers\": ["
       "{\"kind\": \"repeat\", \"name\": \"r\", \"count\": 1, \"layers\": ["
       "{\"kind\": \"repeat\", \"name\": \"r\", \"count\": 1, \"layers\": [" LIN
       "]}]}]}]}]}]}]}]}]}"),
     "layers[0].layers[0].layers[0].layers[0].layers[0].layers[0].layers[0]."
     "layers[0].layers[0]: repeats nested deeper than 8 levels"},
    /* raw control bytes: cJSON takes them in strings, names refuse them */
    {L("{\"kind\": \"linear\", \"name\": \"a\x01\", \"in\": 3, \"out\": 4}"),
     "layers[0].name: must be a name of valid UTF-8 without spaces or control "
     "characters (this one holds a control character)"},
};

/* The gguf object is GGUF metadata (tools/io/gguf_spec.c reads it): the
 * library takes any object and it changes no tensor and no hash. */
Test(model, gguf_object_is_metadata_only)
{
    clinit_model *a = parse_ok(L(LIN));
    clinit_model *b =
        parse_ok("{\"gguf\": {\"general.architecture\": \"llama\", \"k\": "
                 "[1, {\"x\": null}]}, \"layers\": [" LIN "]}");
    cr_assert_eq(clinit_model_size(a), clinit_model_size(b));
    cr_expect_eq(clinit_model_spec_hash(a), clinit_model_spec_hash(b));
    clinit_model_destroy(a);
    clinit_model_destroy(b);
}

Test(model, bad_specs_give_exact_messages)
{
    for (size_t i = 0; i < sizeof bad_specs / sizeof bad_specs[0]; i++) {
        char err[1024];
        clinit_model *m = (clinit_model *)&err; /* must be reset to NULL */
        clinit_status st = clinit_model_parse(
            bad_specs[i].json, strlen(bad_specs[i].json), &m, err, sizeof err);
        cr_expect_eq(st, CLINIT_EPARAM, "case %zu accepted: %s", i,
                     bad_specs[i].json);
        cr_expect_null(m, "case %zu", i);
        if (st == CLINIT_EPARAM)
            cr_expect_str_eq(err, bad_specs[i].err, "case %zu: %s", i,
                             bad_specs[i].json);
    }
}

static clinit_status parse_str(const char *s, size_t len, char *err, size_t cap)
{
    clinit_model *m = NULL;
    clinit_status st = clinit_model_parse(s, len, &m, err, cap);
    clinit_model_destroy(m);
    return st;
}

Test(model, hostile_inputs)
{
    size_t n = 100000;
    char *s = malloc(2 * n + 64), err[256];
    cr_assert(s != NULL);
    /* deep nesting, of every kind */
    memset(s, '[', 10000);
    cr_expect_eq(parse_str(s, 10000, err, sizeof err), CLINIT_EPARAM);
    cr_expect_str_eq(err,
                     "line 1, column 65: JSON nested deeper than 64 levels");
    strcpy(s, "{\"layers\": ");
    {
        size_t k = strlen(s);
        for (size_t i = 0; i < 10000; i++)
            memcpy(s + k + 5 * i, "{\"a\":", 5);
        cr_expect_eq(parse_str(s, k + 50000, err, sizeof err), CLINIT_EPARAM);
        cr_expect_str_eq(
            err, "line 1, column 327: JSON nested deeper than 64 levels");
    }
    /* 64 levels are fine for the JSON, then the spec must be valid */
    memset(s, '[', 64);
    memset(s + 64, ']', 64);
    cr_expect_eq(parse_str(s, 128, err, sizeof err), CLINIT_EPARAM);
    cr_expect_str_eq(err, "spec: must be a JSON object (got an array)");
    /* brackets inside strings do not count */
    {
        const char *q = "{\"name\": "
                        "\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
                        "[[[[[[[[[[[[[[[[[[[[\", \"layers\": [" LIN "]}";
        cr_expect_eq(parse_str(q, strlen(q), err, sizeof err), CLINIT_OK, "%s",
                     err);
    }
    /* a NUL byte, and the length is honoured (no NUL terminator needed) */
    {
        const char q[] = "{\"layers\": [" LIN "]}\0garbage";
        cr_expect_eq(parse_str(q, sizeof q - 1, err, sizeof err),
                     CLINIT_EPARAM);
        cr_expect_str_eq(err, "line 1, column 65: NUL byte in the spec");
        cr_expect_eq(parse_str(q, strlen(q), err, sizeof err), CLINIT_OK);
        /* cut at every length: never reads past len */
        for (size_t len = 0; len < strlen(q); len++) {
            char *copy = malloc(len ? len : 1);
            cr_assert(copy != NULL);
            memcpy(copy, q, len);
            cr_expect_eq(parse_str(copy, len, err, sizeof err), CLINIT_EPARAM,
                         "prefix of %zu bytes", len);
            free(copy);
        }
    }
    /* a long error line is cut to errlen, NUL-terminated */
    {
        char tiny[8];
        memset(tiny, 'x', sizeof tiny);
        cr_expect_eq(parse_str("[]", 2, tiny, sizeof tiny), CLINIT_EPARAM);
        cr_expect_str_eq(tiny, "spec: m");
        cr_expect_eq(parse_str("[]", 2, tiny, 0), CLINIT_EPARAM);
    }
    /* long names are cut in messages and refused when too long */
    {
        char *q = malloc(5000);
        cr_assert(q != NULL);
        snprintf(q, 5000,
                 "{\"layers\": [{\"kind\": \"tensor\", \"name\": \"%0300d\", "
                 "\"shape\": [1], \"method\": \"zeros\"}]}",
                 0);
        cr_expect_eq(parse_str(q, strlen(q), err, sizeof err), CLINIT_EPARAM);
        cr_expect_str_eq(err,
                         "layers[0].name: must be a name of 1 to 256 bytes");
        free(q);
    }
    /* a huge number of layers: stopped at the tensor cap (a flat list of
     * that many is past the JSON value cap, so a repeat) */
    {
        static const char q[] =
            "{\"layers\": [{\"kind\": \"repeat\", \"name\": \"r\", \"count\": "
            "140000, \"layers\": [{\"kind\":\"linear\",\"name\":\"t\","
            "\"in\":1,\"out\":1}]}]}";
        cr_expect_eq(parse_str(q, strlen(q), err, sizeof err), CLINIT_EPARAM);
        cr_expect_str_eq(err, "layers[0].layers[0]: the model has more than "
                              "262144 tensors");
    }
    /* too many JSON values, too many bytes of strings: refused by the
     * prescan, before cJSON builds a tree of them (a 64 MiB "[1,1,...]"
     * cost 2.7 GB and 27 s) */
    {
        size_t n = ((size_t)1 << 19), k;
        char *q = malloc(2 * n + 64);
        cr_assert(q != NULL);
        k = (size_t)sprintf(q, "{\"layers\": [");
        for (size_t i = 0; i < n; i++) {
            q[k++] = i ? ',' : ' ';
            q[k++] = '1';
        }
        k += (size_t)sprintf(q + k, "]}");
        cr_expect_eq(parse_str(q, k, err, sizeof err), CLINIT_EPARAM);
        cr_expect_str_eq(err,
                         "line 1, column 524297: more than 262144 JSON values");
        free(q);
    }
    {
        size_t n = ((size_t)1 << 24) + 16, k;
        char *q = malloc(n + 64);
        cr_assert(q != NULL);
        k = (size_t)sprintf(q, "{\"comment\": \"");
        memset(q + k, 'c', n);
        k += n;
        k += (size_t)sprintf(q + k, "\", \"layers\": [1]}");
        cr_expect_eq(parse_str(q, k, err, sizeof err), CLINIT_EPARAM);
        cr_expect_str_eq(err,
                         "line 1, column 16777222: the strings take more than "
                         "16777216 bytes");
        free(q);
    }
    /* total elements overflow 64 bits (each tensor below 2^56) */
    {
        char q[4096];
        size_t k = (size_t)sprintf(
            q, "{\"layers\": [{\"kind\": \"repeat\", \"name\": \"r\", "
               "\"count\": 300, \"layers\": [{\"kind\": \"tensor\", "
               "\"name\": \"t\", \"shape\": [4294967296, 16777215], "
               "\"method\": \"zeros\"}]}]}");
        cr_expect_eq(parse_str(q, k, err, sizeof err), CLINIT_EPARAM);
        cr_expect_str_eq(
            err,
            "layers[0].layers[0]: the model's total size overflows 64 bits");
    }
    free(s);
}

/* A small xorshift, so the fuzz cases are the same every run. */
static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void check_outcome(const char *buf, size_t len, const char *what)
{
    char err[512];
    clinit_model *m = NULL;
    clinit_status st;
    memset(err, 'x', sizeof err);
    st = clinit_model_parse(buf, len, &m, err, sizeof err);
    cr_assert(st == CLINIT_OK || st == CLINIT_EPARAM, "%s: status %d", what,
              st);
    if (st == CLINIT_OK) {
        cr_assert(m != NULL);
        cr_assert_eq(clinit_model_check(m, NULL, 0), CLINIT_OK);
    } else {
        cr_assert_null(m);
        cr_assert(memchr(err, '\0', sizeof err) != NULL, "%s: err unterminated",
                  what);
        cr_assert(strlen(err) > 0 && strchr(err, '\n') == NULL, "%s: '%s'",
                  what, err);
        cr_assert(strstr(err, ": ") != NULL, "%s: '%s' is not PATH: PROBLEM",
                  what, err);
    }
    clinit_model_destroy(m);
}

Test(model, fuzz_truncations_and_mutations)
{
    static const char alphabet[] = "{}[]\",:-.0123456789eE \nabtrufnlsx\\";
    size_t len, step;
    char *json = read_example("gpt2_small.json", &len), *buf = malloc(len + 1);
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    cr_assert(buf != NULL);
    /* every prefix (every 3rd byte of the big example, to keep it quick) */
    step = 3;
    for (size_t k = 0; k < len; k += step) {
        char what[64];
        memcpy(buf, json, k);
        snprintf(what, sizeof what, "prefix %zu", k);
        check_outcome(buf, k, what);
    }
    /* 1 to 3 random bytes replaced, inserted or deleted */
    for (int it = 0; it < 3000; it++) {
        size_t n = len;
        char what[64];
        int edits = 1 + (int)(next_rand(&seed) % 3);
        memcpy(buf, json, len);
        for (int e = 0; e < edits; e++) {
            size_t pos = (size_t)(next_rand(&seed) % n);
            char c = alphabet[next_rand(&seed) % (sizeof alphabet - 1)];
            switch (next_rand(&seed) % 3) {
            case 0:
                buf[pos] = c;
                break;
            case 1:
                if (n < len) { /* room: only after a deletion */
                    memmove(buf + pos + 1, buf + pos, n - pos);
                    buf[pos] = c;
                    n++;
                } else {
                    buf[pos] = c;
                }
                break;
            default:
                memmove(buf + pos, buf + pos + 1, n - pos - 1);
                n--;
            }
        }
        snprintf(what, sizeof what, "mutation %d", it);
        check_outcome(buf, n, what);
    }
    free(buf);
    free(json);
}

/* ---- the orthogonal size cap
 * -------------------------------------------------------- */

static clinit_status ortho2(int64_t rows, int64_t cols)
{
    clinit_tensor t = {CLINIT_F32, 2, {rows, cols}, 0, 0};
    return clinit_ortho_check(&t);
}

Test(model, orthogonal_size_cap)
{
    /* max * min^2 <= 2^32 and numel <= 2^24, exactly at the boundary */
    cr_expect_eq(ortho2(4096, 1024), CLINIT_OK);
    cr_expect_eq(ortho2(1024, 4096), CLINIT_OK);
    cr_expect_eq(ortho2(4097, 1024), CLINIT_EORTHOSIZE);
    cr_expect_eq(ortho2(1025, 4096), CLINIT_EORTHOSIZE);
    cr_expect_eq(ortho2(1625, 1625), CLINIT_OK); /* 4,291,015,625 */
    cr_expect_eq(ortho2(1626, 1626), CLINIT_EORTHOSIZE);
    cr_expect_eq(ortho2(65536, 256), CLINIT_OK);
    cr_expect_eq(ortho2(4096, 16384), CLINIT_EORTHOSIZE);
    cr_expect_eq(ortho2((int64_t)1 << 24, 1), CLINIT_OK);
    cr_expect_eq(ortho2(((int64_t)1 << 24) + 1, 1), CLINIT_EORTHOSIZE);
    cr_expect_eq(ortho2((int64_t)1 << 40, (int64_t)1 << 20), CLINIT_EOVERFLOW);
    {
        /* trailing dimensions flattened: [1024, 4160] */
        clinit_tensor t = {CLINIT_F32, 3, {1024, 64, 65}, 0, 0};
        cr_expect_eq(clinit_ortho_check(&t), CLINIT_EORTHOSIZE);
        t.ndim = 1;
        cr_expect_eq(clinit_ortho_check(&t), CLINIT_ESHAPE);
        cr_expect_eq(clinit_ortho_check(NULL), CLINIT_ENULL);
    }
    /* in a spec: its own message, at the init's path */
    {
        static const char spec[] =
            "{\"layers\": [{\"kind\": \"linear\", \"name\": \"fc\", \"in\": "
            "4097, \"out\": 4097, \"init\": {\"weight\": {\"method\": "
            "\"orthogonal\"}}}]}";
        char err[512];
        clinit_model *m = NULL;
        cr_expect_eq(
            clinit_model_parse(spec, strlen(spec), &m, err, sizeof err),
            CLINIT_EPARAM);
        cr_expect_str_eq(err, "layers[0].init.weight: orthogonal cannot "
                              "initialize 'fc.weight' [4097,4097]: orthogonal "
                              "tensor too large for the host QR (at most 2^24 "
                              "elements and min(rows, cols)^2 * max(rows, "
                              "cols) <= 2^32)");
        cr_expect_null(m);
    }
}
