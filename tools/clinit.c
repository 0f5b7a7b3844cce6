/* clinit.c - the clinit command: list devices, fill a tensor into an .npy
 * file (through the OpenCL device when the context has one), and stream
 * raw generator words for statistical batteries.
 *
 * Exit status: 0 success; 2 bad input: the command line is wrong
 * (unknown command or option, missing or malformed value, unknown name,
 * a flag the method does not take, --range outside the tensor) or the
 * library rejects the tensor or a parameter (std < 0, a >= b, sparsity
 * outside [0, 1], groups not dividing the out channels, non-finite
 * values, a value the dtype cannot hold, too many elements, the
 * orthogonal size cap): the library decides what is valid, the command
 * names the flag (fill_reject); 1 the environment or a run-time failure
 * (the device, the library, an output that cannot be written). Every
 * error is one line on stderr ("clinit: ..."), followed by the build log
 * for EBUILD. Outputs are written crash-safe (tools/io/fileio.h).
 */
#define _POSIX_C_SOURCE 200809L /* isatty, fileno */

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clinit.h"
#include "clinit_model.h" /* clinit_ortho_check */
#include "cli_util.h"
#include "writer.h"

/* Elements per fill call and words per raw call unless --chunk says
 * otherwise: bounded host and device memory whatever the tensor size. */
#define DEFAULT_FILL_CHUNK ((uint64_t)1 << 22)
#define DEFAULT_RAW_CHUNK ((uint64_t)1 << 20)

static const char devices_usage[] =
    "usage: clinit devices\n"
    "\n"
    "Lists the CPU path (its thread count) and every OpenCL device: the id\n"
    "to give --device, name, platform, version, GPU or CPU, fp64, global\n"
    "memory, compute units. [default] marks what --device's default picks:\n"
    "$CLINIT_DEVICE, else the first GPU, else the first OpenCL device, else\n"
    "cpu.\n"
    "\n"
    "options:\n"
    "  -h, --help        this text\n";

static const char fill_usage[] =
    "usage: clinit fill --method M --shape D0,D1,... --out FILE.npy "
    "[options]\n"
    "\n"
    "Fills one tensor with a torch.nn.init or Keras method and writes it as\n"
    ".npy (through the OpenCL device when the context has one).\n"
    "\n"
    "options:\n"
    "  -m, --method M    torch.nn.init names: uniform normal trunc_normal\n"
    "                    constant zeros ones eye dirac xavier_uniform\n"
    "                    xavier_normal kaiming_uniform kaiming_normal\n"
    "                    orthogonal sparse (a trailing '_' is accepted);\n"
    "                    Keras names: variance_scaling lecun_uniform\n"
    "                    lecun_normal glorot_uniform glorot_normal\n"
    "                    he_uniform he_normal\n"
    "      --shape D0,D1,... tensor shape in torch layout [out, in, k...]\n"
    "  -t, --dtype T     f32 (default), f16, bf16, f64, f8e4m3, f8e5m2 (or\n"
    "                    float32, float16/half, bfloat16, float64/double,\n"
    "                    float8_e4m3fn, float8_e5m2; .npy stores FP8 as u1)\n"
    "  -s, --seed N      Philox key, default 0\n"
    "      --stream N    stream of the tensor, default 0\n"
    "  -d, --device D    cpu, opencl or opencl:P.D (see clinit devices);\n"
    "                    default: $CLINIT_DEVICE, else first GPU, else first\n"
    "                    OpenCL device, else cpu\n"
    "      --range LO:HI write only flat elements [LO, HI) as a 1-D array\n"
    "      --box S0:C0,S1:C1,... write only the box of C0 x C1 x ... elements\n"
    "                    starting at S0, S1, ... (one START:COUNT per\n"
    "                    dimension); the .npy has the box's shape\n"
    "      --shard D:R/W write only rank R's shard of W along dim D, as\n"
    "                    torch.chunk / DTensor Shard(D) split it (chunks of\n"
    "                    ceil(size / W), trailing ranks may be empty); give it\n"
    "                    twice for a 2-D mesh (the second splits the first's\n"
    "                    shard); not with --range or --box\n"
    "      --chunk N     elements per fill call (default 4194304; orthogonal:\n"
    "                    the whole range, as every call redoes its QR); the\n"
    "                    output does not depend on it\n"
    "  -o, --out FILE    output .npy (f32 <f4, f16 <f2, f64 <f8; bf16 is\n"
    "                    stored as raw uint16 bits, <u2), or - for standard\n"
    "                    output (the summary then goes to stderr); written\n"
    "                    to a temporary renamed over FILE when complete, so\n"
    "                    a failure or SIGINT/SIGTERM/SIGHUP leaves the old\n"
    "                    FILE as it was\n"
    "  -f, --format F    npy, the one format of a single unnamed array (the\n"
    "                    default whatever FILE's name; named tensors: init)\n"
    "  -q, --quiet       no summary: nothing but errors\n"
    "  -h, --help        this text\n"
    "  method parameters (torch's or Keras' names and defaults); a flag\n"
    "  the method does not take is an error:\n"
    "    uniform: --a 0 --b 1 (values in [a, b))\n"
    "    normal: --mean 0 --std 1\n"
    "    trunc_normal: --mean 0 --std 1 --a -2 --b 2 (absolute bounds,\n"
    "                  values in [a, b])\n"
    "    constant: --val X (required)\n"
    "    xavier_*, orthogonal: --gain 1\n"
    "    kaiming_*: --a 0 (negative slope) --mode fan_in|fan_out\n"
    "               --nonlinearity leaky_relu (relu, tanh, selu, ...)\n"
    "    sparse (2-D): --sparsity X (required, zeros per column\n"
    "                  ceil(X * rows)) --std 0.01\n"
    "    dirac (3-5-D): --groups 1\n"
    "    eye (2-D), zeros, ones: none\n"
    "    variance_scaling: --scale 1 --mode fan_in|fan_out|fan_avg\n"
    "                      --distribution truncated_normal|\n"
    "                      untruncated_normal|uniform\n"
    "    lecun_*, glorot_*, he_*: none (fixed variance_scaling presets)\n"
    "  fill prints the resolved parameters as 'key: value' lines:\n"
    "  'distribution' is what is drawn (uniform, normal, constant,\n"
    "  truncated_normal, sparse, pattern, orthogonal); variance_scaling's\n"
    "  own choice is printed as 'vs_distribution'.\n"
    "Numbers are decimal or 0x hex.\n"
    "\n"
    "exit status: 0 ok; 2 bad input, one line naming the flag: the command\n"
    "line (unknown option or name, a flag the method does not take, a\n"
    "missing required flag, a malformed number) or values the method\n"
    "rejects (std < 0, --sparsity outside [0, 1], --groups not dividing D0,\n"
    "a --shape it cannot take, the orthogonal size cap); 1 the environment\n"
    "or a run-time failure (the device, e.g. f64 without fp64, the library,\n"
    "an output that cannot be written: the old file is then untouched).\n";

static const char raw_usage[] =
    "usage: clinit raw --key K0,K1 [--counter C0,C1,C2,C3] --count N "
    "[--device D]\n"
    "                  [--chunk W]\n"
    "       clinit raw --seed S [--stream T] --count N [--chunk W]\n"
    "\n"
    "Writes little-endian uint32 words to stdout (not to a terminal).\n"
    "\n"
    "options:\n"
    "      --key K0,K1   the words philox4x32_10(counter + j/4, key) word\n"
    "                    j%4, the counter a 128-bit integer; on the device\n"
    "                    when the context is OpenCL\n"
    "      --counter C0,C1,C2,C3\n"
    "                    the first counter, C0 lowest (default 0)\n"
    "  -s, --seed S      instead of --key: the words a uniform f32 fill of\n"
    "                    (seed, stream) consumes, in element order (host)\n"
    "      --stream T    the stream for --seed (default 0)\n"
    "  -n, --count N     words to write\n"
    "  -d, --device D    with --key: cpu, opencl or opencl:P.D\n"
    "      --chunk W     words per call, a multiple of 4 (default 1048576)\n"
    "  -h, --help        this text\n"
    "Numbers are decimal or 0x hex.\n"
    "\n"
    "exit status: 0 ok; 2 bad input (one line naming the flag); 1 the\n"
    "device, the library or stdout failed.\n";

/* ---- errors -------------------------------------------------------------- */

/* "clinit: WHAT failed: <message>" plus detail from ctx (cli_util.h). */
static int lib_fail(const char *what, clinit_status st, const clinit_ctx *ctx)
{
    return cli_lib_fail("", what, st, ctx, "another device for f64");
}

/* ---- options ------------------------------------------------------------- */

enum opt_id {
    O_METHOD,
    O_SHAPE,
    O_DTYPE,
    O_SEED,
    O_STREAM,
    O_DEVICE,
    O_RANGE,
    O_CHUNK,
    O_OUT,
    O_A,
    O_B,
    O_MEAN,
    O_STD,
    O_VAL,
    O_GAIN,
    O_MODE,
    O_NL,
    O_SCALE,
    O_DISTRIBUTION,
    O_SPARSITY,
    O_GROUPS,
    O_KEY,
    O_COUNTER,
    O_COUNT,
    O_FORMAT,
    O_QUIET,
    O_BOX,
    O_SHARD,
    O_COUNT_
};

/* The options (long name, short letter, takes a value), in opt_id
 * order; the method parameters' (O_A .. O_GROUPS, in CLINIT_PARAM_MAP
 * order) are the library's names. */
#define CLINIT_OPT_PARAM_(k, name) {#name, 0, 1},
static const cli_opt all_opts[O_COUNT_] = {
    {"method", 'm', 1}, {"shape", 0, 1},
    {"dtype", 't', 1},  {"seed", 's', 1},
    {"stream", 0, 1},   {"device", 'd', 1},
    {"range", 0, 1},    {"chunk", 0, 1},
    {"out", 'o', 1},    CLINIT_PARAM_MAP(CLINIT_OPT_PARAM_){"key", 0, 1},
    {"counter", 0, 1},  {"count", 'n', 1},
    {"format", 'f', 1}, {"quiet", 'q', 0},
    {"box", 0, 1},      {"shard", 0, 1}};
#undef CLINIT_OPT_PARAM_

#define opt_name(o) (all_opts[o].name)
#define BIT(o) (1u << (o))

/* Parses main's argv[2..argc) (argv[1]: the command) with the options
 * whose bit is in `allowed` (a mask of BIT(opt_id)) into val[] (a flag's
 * value: "" when given). Returns 0, EXIT_USAGE after printing the error,
 * or -1 for --help/-h. */
static int parse_options(const char *cmd, int argc, char **argv,
                         unsigned allowed, const char *val[O_COUNT_],
                         const char *val2[O_COUNT_])
{
    cli_opt opts[O_COUNT_];
    int ids[O_COUNT_], n = 0, rc;
    cli_spec sp;
    cli_args a;
    for (int o = 0; o < O_COUNT_; o++)
        if (allowed & BIT(o)) {
            opts[n] = all_opts[o];
            ids[n++] = o;
        }
    sp.cmd = cmd;
    sp.opts = opts;
    sp.nopts = n;
    sp.max_pos = 0;
    sp.pos_too_many = NULL;
    sp.prefix = NULL;
    sp.twice = 0;
    for (int k = 0; k < n; k++)
        if (ids[k] == O_SHARD) /* a 2-D mesh: two placements */
            sp.twice |= 1u << k;
    rc = cli_parse(&sp, argc - 1, argv + 1, &a);
    for (int o = 0; o < O_COUNT_; o++)
        val[o] = NULL;
    for (int k = 0; k < n; k++)
        val[ids[k]] = a.val[k];
    for (int k = 0; val2 && k < n; k++)
        val2[ids[k]] = a.val2[k];
    return rc;
}

/* ---- numbers ------------------------------------------------------------- */

/* Exactly `n` comma-separated unsigned values, each <= max. */
static int parse_u64_list(const char *s, int n, uint64_t max, uint64_t *out)
{
    char tok[64];
    int k = 0;
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        if (k >= n || len >= sizeof tok)
            return 0;
        memcpy(tok, s, len);
        tok[len] = '\0';
        if (!cli_parse_u64(tok, &out[k]) || out[k] > max)
            return 0;
        k++;
        if (!comma)
            break;
        s = comma + 1;
    }
    return k == n;
}

/* Comma-separated positive integers, at most CLINIT_MAX_DIMS. Returns
 * ndim, 0 if malformed, -1 if too many dimensions. */
static int parse_shape(const char *s, int64_t *shape)
{
    char tok[64];
    int k = 0;
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        uint64_t v;
        if (k >= CLINIT_MAX_DIMS)
            return -1;
        if (len >= sizeof tok)
            return 0;
        memcpy(tok, s, len);
        tok[len] = '\0';
        if (!cli_parse_u64(tok, &v) || v < 1 || v > (uint64_t)INT64_MAX)
            return 0;
        shape[k++] = (int64_t)v;
        if (!comma)
            return k;
        s = comma + 1;
    }
}

/* ---- devices ------------------------------------------------------------- */

static void format_bytes(uint64_t b, char *buf, size_t cap)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)b;
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    snprintf(buf, cap, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
}

int clinit_cmd_devices(int argc, char **argv)
{
    const char *val[O_COUNT_];
    clinit_device_info *devs = NULL;
    clinit_ctx *ctx = NULL;
    char def[40] = "";
    size_t n = 0, got = 0;
    clinit_status st, def_st;
    int rc;

    if ((rc = parse_options("devices", argc, argv, 0, val, NULL)) != 0)
        return cli_help_or(rc, devices_usage);
    /* the default choice: what clinit_ctx_create(NULL device) picks */
    def_st = clinit_ctx_create(&ctx, NULL);
    if (def_st == CLINIT_OK) {
        snprintf(def, sizeof def, "%s", clinit_ctx_device_id(ctx));
    }
    clinit_ctx_destroy(ctx);

    if ((st = clinit_list_devices(NULL, 0, &n)) == CLINIT_OK && n > 0) {
        if (!(devs = calloc(n, sizeof *devs)))
            st = CLINIT_ENOMEM;
        else
            st = clinit_list_devices(devs, n, &got);
        if (got < n)
            n = got; /* a device went away between the calls */
    }

    printf("%-12s CPU path (%u threads)%s\n", "cpu",
           clinit_ctx_cpu_threads(NULL),
           strcmp(def, "cpu") == 0 ? "  [default]" : "");
    for (size_t i = 0; st == CLINIT_OK && i < n; i++) {
        const clinit_device_info *d = &devs[i];
        char mem[32];
        format_bytes(d->global_mem_bytes, mem, sizeof mem);
        printf("%-12s %s | %s | %s | %s | fp64 %s | %s | %u CUs%s\n", d->id,
               d->name, d->platform, d->version, d->is_gpu ? "GPU" : "CPU",
               d->has_fp64 ? "yes" : "no", mem, d->compute_units,
               strcmp(def, d->id) == 0 ? "  [default]" : "");
    }
    free(devs);
    if (fflush(stdout) != 0)
        return cli_fail(EXIT_FAIL, "devices: write to stdout failed");
    if (st != CLINIT_OK)
        return lib_fail("listing OpenCL devices", st, NULL);
    if (def_st == CLINIT_EDEVICESPEC)
        return cli_device_spec_fail(NULL);
    if (def_st != CLINIT_OK)
        return lib_fail("creating the default context", def_st, NULL);
    return 0;
}

/* ---- fill ---------------------------------------------------------------- */

/* Running mean and sum of squared deviations, merged chunk by chunk
 * (Chan et al.), so a long fill loses no precision to sum of squares. */
typedef struct stats {
    uint64_t n;
    double mean, m2;
} stats;

static void stats_add_chunk(stats *s, clinit_dtype dtype, const void *p,
                            size_t n)
{
    double sum = 0, mean, m2 = 0, delta;
    uint64_t total;
    if (n == 0)
        return;
    for (size_t i = 0; i < n; i++)
        sum += cli_element_as_double(dtype, p, i);
    mean = sum / (double)n;
    for (size_t i = 0; i < n; i++) {
        double d = cli_element_as_double(dtype, p, i) - mean;
        m2 += d * d;
    }
    total = s->n + n;
    delta = mean - s->mean;
    s->mean += delta * ((double)n / (double)total);
    s->m2 += m2 + delta * delta * ((double)s->n * (double)n / (double)total);
    s->n = total;
}

/* Which parameter flags each method takes: O_A .. O_GROUPS are in the
 * library's CLINIT_P_* order. */
typedef char clinit_opt_order_check_
    [(O_GROUPS - O_A == 11 && O_DISTRIBUTION - O_A == 9) ? 1 : -1];

static unsigned method_params(clinit_method m)
{
    return clinit_method_params(m) << O_A;
}

static int is_kaiming(clinit_method m)
{
    return m == CLINIT_KAIMING_UNIFORM || m == CLINIT_KAIMING_NORMAL;
}

/* variance_scaling and its Keras presets (values 14..20, pinned) */
static int is_vs(clinit_method m)
{
    return m >= CLINIT_VARIANCE_SCALING && m <= CLINIT_HE_NORMAL;
}

typedef struct fill_args {
    clinit_tensor t;
    clinit_init init;
    const char *device, *out;
    int has_range, has_chunk, quiet, has_box;
    uint64_t lo, hi, chunk;
    clinit_box box; /* --box or --shard (has_box) */
    const char *val[O_COUNT_]; /* the options as given */
    const char *shard2;        /* a second --shard */
} fill_args;

/* --format for fill: npy, the one format of a single unnamed array.
 * Returns 0 or EXIT_USAGE after the error. */
static int fill_format(const char *name)
{
    const char *names[] = {clinit_io_npy.name};
    char hint[64];
    if (strcmp(name, clinit_io_npy.name) == 0)
        return 0;
    if (clinit_io_format_named(name))
        return cli_fail(EXIT_USAGE,
                        "--format: '%s' holds named tensors; fill writes one "
                        "unnamed array as npy (clinit init writes %s)",
                        name, name);
    return cli_fail(EXIT_USAGE,
                    "--format: unknown format '%s' (fill writes "
                    "npy)%s",
                    name,
                    cli_did_you_mean(hint, sizeof hint, "", name, names, 1));
}

/* --box S0:C0,S1:C1,...: one start:count per dimension into fa->box. */
static int parse_box_flag(fill_args *fa, const char *v)
{
    const char *p = v;
    clinit_box *b = &fa->box;
    uint64_t n;
    b->ndim = fa->t.ndim;
    for (int d = 0; d < fa->t.ndim; d++) {
        char tok[64], *colon;
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        uint64_t st, ct;
        if ((d < fa->t.ndim - 1) != (end != NULL) || len >= sizeof tok)
            return cli_fail(EXIT_USAGE,
                            "--box: '%s' is not %d START:COUNT pairs (one per "
                            "dimension of [%s])",
                            v, fa->t.ndim, fa->val[O_SHAPE]);
        memcpy(tok, p, len);
        tok[len] = '\0';
        if ((colon = strchr(tok, ':')) != NULL)
            *colon = '\0';
        if (!colon || !cli_parse_u64(tok, &st) ||
            !cli_parse_u64(colon + 1, &ct) || st > INT64_MAX ||
            ct > INT64_MAX)
            return cli_fail(EXIT_USAGE,
                            "--box: '%.*s' is not START:COUNT with integers",
                            (int)len, p);
        b->start[d] = (int64_t)st;
        b->count[d] = (int64_t)ct;
        p = end ? end + 1 : p + len;
    }
    if (clinit_box_numel(&fa->t, b, &n) != CLINIT_OK)
        return cli_fail(EXIT_USAGE,
                        "--box: '%s' goes beyond the tensor's shape [%s]", v,
                        fa->val[O_SHAPE]);
    return 0;
}

/* --shard D:R/W (rank R of W along dim D, torch.chunk's split) applied to
 * fa->box. */
static int parse_shard_flag(fill_args *fa, const char *v)
{
    char extra;
    long long d, r, w;
    if (sscanf(v, "%lld:%lld/%lld%c", &d, &r, &w, &extra) != 3 ||
        strspn(v, "0123456789:/") != strlen(v))
        return cli_fail(EXIT_USAGE, "--shard: '%s' is not DIM:RANK/WORLD", v);
    if (d >= fa->t.ndim)
        return cli_fail(EXIT_USAGE,
                        "--shard: '%s': dim %lld is not a dimension of [%s]",
                        v, d, fa->val[O_SHAPE]);
    if (w < 1 || r >= w)
        return cli_fail(EXIT_USAGE,
                        "--shard: '%s': need WORLD >= 1 and RANK < WORLD", v);
    if (clinit_shard_box_of(&fa->box, (int)d, r, w, &fa->box) != CLINIT_OK)
        return cli_fail(EXIT_USAGE, "--shard: '%s' is not a valid shard", v);
    return 0;
}

/* --box or --shard (twice for a 2-D mesh) into fa->box; numel > 0. */
static int parse_box(fill_args *fa)
{
    const char *bv = fa->val[O_BOX], *sv = fa->val[O_SHARD];
    int rc;
    if (!bv && !sv)
        return 0;
    if (fa->has_range)
        return cli_fail(EXIT_USAGE, "--%s: cannot be combined with --range",
                        bv ? "box" : "shard");
    if (bv && sv)
        return cli_fail(EXIT_USAGE, "--shard: cannot be combined with --box");
    fa->has_box = 1;
    if (bv)
        return parse_box_flag(fa, bv);
    (void)clinit_box_full(fa->t.ndim, fa->t.shape, &fa->box);
    if ((rc = parse_shard_flag(fa, sv)) != 0)
        return rc;
    return fa->shard2 ? parse_shard_flag(fa, fa->shard2) : 0;
}

static int parse_fill(int argc, char **argv, fill_args *fa)
{
    const unsigned params = BIT(O_A) | BIT(O_B) | BIT(O_MEAN) | BIT(O_STD) |
                            BIT(O_VAL) | BIT(O_GAIN) | BIT(O_MODE) | BIT(O_NL) |
                            BIT(O_SCALE) | BIT(O_DISTRIBUTION) |
                            BIT(O_SPARSITY) | BIT(O_GROUPS);
    const unsigned allowed = BIT(O_METHOD) | BIT(O_SHAPE) | BIT(O_DTYPE) |
                             BIT(O_SEED) | BIT(O_STREAM) | BIT(O_DEVICE) |
                             BIT(O_RANGE) | BIT(O_CHUNK) | BIT(O_OUT) |
                             BIT(O_FORMAT) | BIT(O_QUIET) | BIT(O_BOX) |
                             BIT(O_SHARD) | params;
    const char *val[O_COUNT_], *val2[O_COUNT_];
    clinit_method method;
    uint64_t numel;
    char hint[64];
    int rc, ndim;

    memset(fa, 0, sizeof *fa);
    if ((rc = parse_options("fill", argc, argv, allowed, val, val2)) != 0)
        return rc;
    memcpy(fa->val, val, sizeof fa->val);
    fa->shard2 = val2[O_SHARD];
    if (!val[O_METHOD])
        return cli_fail(EXIT_USAGE, "fill: --method is required");
    if (!val[O_SHAPE])
        return cli_fail(EXIT_USAGE, "fill: --shape is required");
    if (!val[O_OUT])
        return cli_fail(EXIT_USAGE, "fill: --out is required");
    if (!*val[O_OUT])
        return cli_fail(EXIT_USAGE, "--out: empty file name");
    if ((rc = cli_check_out(val[O_OUT])) != 0)
        return rc;
    if (val[O_FORMAT] && (rc = fill_format(val[O_FORMAT])) != 0)
        return rc;
    fa->out = val[O_OUT];
    fa->device = val[O_DEVICE];
    fa->quiet = val[O_QUIET] != NULL;

    if (clinit_method_from_name(val[O_METHOD], &method) != CLINIT_OK)
        return cli_fail(EXIT_USAGE, "--method: unknown method '%s'%s",
                        val[O_METHOD],
                        cli_method_hint(hint, sizeof hint, val[O_METHOD]));
    (void)clinit_init_default(&fa->init, method);
    for (int o = 0; o < O_COUNT_; o++)
        if ((params & BIT(o)) && val[o] && !(method_params(method) & BIT(o)))
            return cli_fail(EXIT_USAGE, "--%s does not apply to method %s",
                            opt_name(o), clinit_method_name(method));
    if (method == CLINIT_CONSTANT && !val[O_VAL])
        return cli_fail(EXIT_USAGE, "fill: method constant needs --val");
    if (method == CLINIT_SPARSE && !val[O_SPARSITY])
        return cli_fail(EXIT_USAGE, "fill: method sparse needs --sparsity");

    ndim = parse_shape(val[O_SHAPE], fa->t.shape);
    if (ndim < 0)
        return cli_fail(EXIT_USAGE, "--shape: '%s' has more than %d dimensions",
                        val[O_SHAPE], CLINIT_MAX_DIMS);
    if (ndim == 0)
        return cli_fail(EXIT_USAGE,
                        "--shape: '%s' is not a list of positive integers",
                        val[O_SHAPE]);
    fa->t.ndim = ndim;
    fa->t.dtype = CLINIT_F32;
    if (val[O_DTYPE] && (rc = cli_opt_dtype(val[O_DTYPE], &fa->t.dtype)))
        return rc;
    if (val[O_SEED] && (rc = cli_opt_u64(val[O_SEED], "seed", &fa->t.seed)))
        return rc;
    if (val[O_STREAM] &&
        (rc = cli_opt_u64(val[O_STREAM], "stream", &fa->t.stream)))
        return rc;
    fa->chunk = DEFAULT_FILL_CHUNK;
    fa->has_chunk = val[O_CHUNK] != NULL;
    if (val[O_CHUNK] &&
        ((rc = cli_opt_u64(val[O_CHUNK], "chunk", &fa->chunk)) ||
         fa->chunk == 0))
        return rc ? rc : cli_fail(EXIT_USAGE, "--chunk: must be at least 1");

    for (int o = O_A; o <= O_GROUPS; o++) {
        const char *v = val[o], *name = opt_name(o);
        clinit_status st;
        if (!v || (st = clinit_init_set(&fa->init, name, v)) == CLINIT_OK)
            continue;
        if (st == CLINIT_EMODE)
            return cli_fail(
                EXIT_USAGE, "--mode: unknown mode '%s' for %s (expected %s)", v,
                clinit_method_name(method),
                method == CLINIT_VARIANCE_SCALING ? "fan_in, fan_out or fan_avg"
                                                  : "fan_in or fan_out");
        if (st == CLINIT_EDISTRIBUTION)
            return cli_fail(EXIT_USAGE,
                            "--distribution: unknown distribution '%s' "
                            "(expected truncated_normal, untruncated_normal "
                            "or uniform)",
                            v);
        if (st == CLINIT_ENONLINEARITY)
            return cli_fail(EXIT_USAGE,
                            "--nonlinearity: unknown nonlinearity '%s'%s", v,
                            cli_nonlinearity_hint(hint, sizeof hint, v));
        if (o == O_GROUPS)
            return cli_fail(
                EXIT_USAGE,
                "--groups: '%s' is not a positive integer below 2^31", v);
        return cli_fail(EXIT_USAGE, "--%s: '%s' is not a number", name, v);
    }

    /* Shape overflow is reported in cmd_fill (fill_reject). */
    if (clinit_numel(&fa->t, &numel) != CLINIT_OK)
        numel = 0;
    if (val[O_RANGE]) {
        const char *colon = strchr(val[O_RANGE], ':');
        char lo[64];
        size_t len = colon ? (size_t)(colon - val[O_RANGE]) : 0;
        if (!colon || len >= sizeof lo)
            return cli_fail(EXIT_USAGE, "--range: '%s' is not LO:HI",
                            val[O_RANGE]);
        memcpy(lo, val[O_RANGE], len);
        lo[len] = '\0';
        if (!cli_parse_u64(lo, &fa->lo) || !cli_parse_u64(colon + 1, &fa->hi) ||
            fa->lo > fa->hi)
            return cli_fail(EXIT_USAGE,
                            "--range: '%s' is not LO:HI with integers 0 <= LO "
                            "<= HI",
                            val[O_RANGE]);
        if (numel > 0 && fa->hi > numel)
            return cli_fail(EXIT_USAGE,
                            "--range: '%s' goes beyond the tensor's %llu "
                            "elements",
                            val[O_RANGE], (unsigned long long)numel);
        fa->has_range = 1;
    } else {
        fa->lo = 0;
        fa->hi = numel;
    }
    return numel > 0 ? parse_box(fa) : 0;
}

static void print_shape(FILE *out, const clinit_tensor *t)
{
    fprintf(out, "shape: [");
    for (int d = 0; d < t->ndim; d++)
        fprintf(out, d ? ", %lld" : "%lld", (long long)t->shape[d]);
    fprintf(out, "]\n");
}

/* The name printed as 'distribution' for what is drawn. */
static const char *dist_name(clinit_dist d)
{
    switch (d) {
    case CLINIT_DIST_UNIFORM:
        return "uniform";
    case CLINIT_DIST_NORMAL:
        return "normal";
    case CLINIT_DIST_CONSTANT:
        return "constant";
    case CLINIT_DIST_TRUNCATED:
        return "truncated_normal";
    case CLINIT_DIST_SPARSE:
        return "sparse";
    case CLINIT_DIST_PATTERN:
        return "pattern";
    case CLINIT_DIST_ORTHOGONAL:
        return "orthogonal";
    }
    return "unknown";
}

/* On `out`: stdout, or stderr when the array itself goes to stdout. */
static void print_summary(FILE *out, const fill_args *fa,
                          const clinit_resolved *r, const clinit_ctx *ctx,
                          uint64_t numel, const stats *s)
{
    const clinit_init *in = &fa->init;
    clinit_method m = in->method;
    int kaiming = is_kaiming(m), vs = is_vs(m);
    int scaled = kaiming || vs || m == CLINIT_XAVIER_UNIFORM ||
                 m == CLINIT_XAVIER_NORMAL;

    fprintf(out, "method: %s\n", clinit_method_name(m));
    print_shape(out, &fa->t);
    fprintf(out, "numel: %llu\n", (unsigned long long)numel);
    fprintf(out, "dtype: %s\n", clinit_dtype_name(fa->t.dtype));
    fprintf(out, "device: %s\n", clinit_ctx_device_name(ctx));
    fprintf(out, "seed: %llu\n", (unsigned long long)fa->t.seed);
    fprintf(out, "stream: %llu\n", (unsigned long long)fa->t.stream);
    if (fa->has_box) {
        fprintf(out, "box: ");
        for (int d = 0; d < fa->t.ndim; d++)
            fprintf(out, d ? ",%lld:%lld" : "%lld:%lld",
                    (long long)fa->box.start[d], (long long)fa->box.count[d]);
        fprintf(out, "\n");
    } else {
        fprintf(out, "range: %llu:%llu\n", (unsigned long long)fa->lo,
                (unsigned long long)fa->hi);
    }
    if (scaled) {
        fprintf(out, "fan_in: %llu\n", (unsigned long long)r->fan_in);
        fprintf(out, "fan_out: %llu\n", (unsigned long long)r->fan_out);
    }
    if (kaiming) {
        fprintf(out, "mode: %s\n", clinit_mode_name(in->mode));
        fprintf(out, "nonlinearity: %s\n",
                clinit_nonlinearity_name(in->nonlinearity));
        fprintf(out, "a: %.17g\n", in->a);
        fprintf(out, "fan: %.17g\n", r->fan);
    }
    if (vs) {
        /* the presets' fixed values, not the (unused) fields of fa */
        clinit_init p = *in;
        if (m != CLINIT_VARIANCE_SCALING)
            (void)clinit_init_default(&p, m);
        fprintf(out, "scale: %.17g\n", p.scale);
        fprintf(out, "mode: %s\n", clinit_mode_name(p.mode));
        fprintf(out, "vs_distribution: %s\n",
                clinit_distribution_name(p.distribution));
        fprintf(out, "fan: %.17g\n", r->fan);
    }
    if (!isnan(r->gain))
        fprintf(out, "gain: %.17g\n", r->gain);
    fprintf(out, "distribution: %s\n", dist_name(r->dist));
    switch (r->dist) {
    case CLINIT_DIST_UNIFORM:
        if (vs)
            fprintf(out, "limit: %.17g\n", r->hi);
        else if (scaled)
            fprintf(out, "bound: %.17g\n", r->hi);
        fprintf(out, "lo: %.17g\nhi: %.17g\n", r->lo, r->hi);
        break;
    case CLINIT_DIST_NORMAL:
        fprintf(out, "mean: %.17g\nstd: %.17g\n", r->mean, r->std);
        break;
    case CLINIT_DIST_CONSTANT:
        fprintf(out, "value: %.17g\n", r->value);
        break;
    case CLINIT_DIST_TRUNCATED:
        /* kaiming never truncates, so 'a' is not printed twice */
        fprintf(out, "mean: %.17g\nstd: %.17g\n", r->mean, r->std);
        fprintf(out, "a: %.17g\nb: %.17g\n", r->lo, r->hi);
        break;
    case CLINIT_DIST_SPARSE:
        fprintf(out, "sparsity: %.17g\n", in->sparsity);
        fprintf(out, "std: %.17g\n", r->std);
        fprintf(out, "zeros_per_column: %llu\n", (unsigned long long)r->nzeros);
        break;
    case CLINIT_DIST_PATTERN:
        fprintf(out, "groups: %d\n", m == CLINIT_DIRAC ? in->groups : 1);
        break;
    case CLINIT_DIST_ORTHOGONAL: {
        uint64_t rows = (uint64_t)fa->t.shape[0];
        fprintf(out, "rows: %llu\ncols: %llu\n", (unsigned long long)rows,
                (unsigned long long)(numel / rows));
        break;
    }
    }
    fprintf(out, "out: %s\n", fa->out);
    fprintf(out, "written: %llu\n", (unsigned long long)s->n);
    if (s->n > 0) {
        fprintf(out, "sample_mean: %.9g\n", s->mean);
        fprintf(out, "sample_std: %.9g\n", sqrt(s->m2 / (double)s->n));
    } else {
        fprintf(out, "sample_mean: nan\nsample_std: nan\n");
    }
}

/* Sets method parameter `o` (an O_A..O_GROUPS option) of *in to its value
 * in *def. */
static void reset_param(clinit_init *in, const clinit_init *def, int o)
{
    switch (o) {
    case O_A:
        in->a = def->a;
        break;
    case O_B:
        in->b = def->b;
        break;
    case O_MEAN:
        in->mean = def->mean;
        break;
    case O_STD:
        in->std = def->std;
        break;
    case O_VAL:
        in->val = def->val;
        break;
    case O_GAIN:
        in->gain = def->gain;
        break;
    case O_MODE:
        in->mode = def->mode;
        break;
    case O_NL:
        in->nonlinearity = def->nonlinearity;
        break;
    case O_SCALE:
        in->scale = def->scale;
        break;
    case O_DISTRIBUTION:
        in->distribution = def->distribution;
        break;
    case O_SPARSITY:
        in->sparsity = def->sparsity;
        break;
    case O_GROUPS:
        in->groups = def->groups;
        break;
    }
}

/* The tensor and method the library rejects (clinit_resolve's status
 * st): bad input, so exit 2 with the flag at fault. For EPARAM that is
 * the first given parameter whose default would be accepted (a value
 * that does not fit the dtype, such as --val 1e5 in f16, names --val);
 * shape problems name --shape. */
static int fill_reject(const fill_args *fa, clinit_status st)
{
    const clinit_init *in = &fa->init;
    const char *m = clinit_method_name(in->method);
    const char *dt = clinit_dtype_name(fa->t.dtype);
    if (st == CLINIT_EOVERFLOW)
        return cli_fail(EXIT_USAGE, "--shape: '%s' has more than 2^56 elements",
                        fa->val[O_SHAPE]);
    if (st == CLINIT_ESHAPE || st == CLINIT_EFANS || st == CLINIT_EORTHOSIZE)
        return cli_fail(EXIT_USAGE, "--shape: %s cannot initialize [%s]: %s", m,
                        fa->val[O_SHAPE], clinit_strerror(st));
    if (st == CLINIT_EPARAM || st == CLINIT_ESUPPORT) {
        clinit_init def;
        clinit_resolved r;
        (void)clinit_init_default(&def, in->method);
        for (int o = O_A; o <= O_GROUPS; o++) {
            clinit_init t = *in;
            if (!fa->val[o])
                continue;
            reset_param(&t, &def, o);
            if (in->method == CLINIT_CONSTANT && o == O_VAL)
                t.val = 0; /* constant has no default val */
            if (in->method == CLINIT_SPARSE && o == O_SPARSITY)
                t.sparsity = 0.5;
            if (clinit_resolve(&fa->t, &t, &r) == CLINIT_OK)
                return cli_fail(EXIT_USAGE,
                                "--%s: '%s' is not valid for %s of [%s] %s: %s",
                                opt_name(o), fa->val[o], m, fa->val[O_SHAPE],
                                dt, clinit_strerror(st));
        }
        return cli_fail(EXIT_USAGE,
                        "fill: the parameters of %s for [%s] %s: %s", m,
                        fa->val[O_SHAPE], dt, clinit_strerror(st));
    }
    return lib_fail("fill", st, NULL);
}

/* The command line and every parameter error, before a device or the
 * file is touched. Returns 0, -1 for --help, or the exit status after the
 * error. */
static int fill_prepare(int argc, char **argv, fill_args *fa,
                        clinit_resolved *r)
{
    clinit_status st;
    int rc;
    if ((rc = parse_fill(argc, argv, fa)) != 0)
        return rc;
    if (fa->init.method == CLINIT_ORTHOGONAL &&
        (st = clinit_ortho_check(&fa->t)) == CLINIT_EORTHOSIZE)
        return fill_reject(fa, st);
    if ((st = clinit_resolve(&fa->t, &fa->init, r)) != CLINIT_OK)
        return fill_reject(fa, st);
    return 0;
}

int clinit_fill_check_args(int argc, char **argv)
{
    fill_args fa;
    clinit_resolved r;
    return fill_prepare(argc, argv, &fa, &r);
}

/* Elements per fill call for a box: whole rows of its dim 0 (the .npy is
 * row-major), at least one. */
static uint64_t box_chunk(const clinit_box *b, uint64_t n, uint64_t chunk)
{
    uint64_t inner = n / (uint64_t)b->count[0];
    uint64_t rows = chunk / inner ? chunk / inner : 1;
    return rows * inner;
}

/* Output elements [done, done + *m) of fa (*m: at most chunk of the n)
 * into host, through buf on a device. Returns 0 or the exit status after
 * the error. */
static int fill_chunk(clinit_ctx *ctx, const fill_args *fa, uint64_t done,
                      uint64_t n, uint64_t chunk, cl_mem buf, void *host,
                      uint64_t *m)
{
    clinit_box sub = fa->box;
    uint64_t lo = fa->lo + done;
    clinit_status st;
    *m = n - done < chunk ? n - done : chunk;
    if (fa->has_box) { /* rows done / inner .. of the box's dim 0 */
        uint64_t inner = n / (uint64_t)fa->box.count[0];
        sub.start[0] += (int64_t)(done / inner);
        sub.count[0] = (int64_t)(*m / inner);
    }
    if (buf) {
        cl_int err;
        st = fa->has_box ? clinit_enqueue_fill_box(ctx, &fa->t, &fa->init,
                                                   &sub, buf, 0, 0, NULL, NULL)
                         : clinit_enqueue_fill(ctx, &fa->t, &fa->init, lo,
                                               lo + *m, buf, 0, 0, NULL, NULL);
        if (st != CLINIT_OK)
            return lib_fail("fill", st, ctx);
        err = clEnqueueReadBuffer(clinit_ctx_queue(ctx), buf, CL_TRUE, 0,
                                  (size_t)*m * clinit_dtype_size(fa->t.dtype),
                                  host, 0, NULL, NULL);
        if (err != CL_SUCCESS)
            return cli_cl_fail("fill", "clEnqueueReadBuffer", err);
        return 0;
    }
    st = fa->has_box
             ? clinit_fill_host_box(ctx, &fa->t, &fa->init, &sub, host)
             : clinit_fill_host(ctx, &fa->t, &fa->init, lo, lo + *m, host);
    return st == CLINIT_OK ? 0 : lib_fail("fill", st, ctx);
}

int clinit_cmd_fill(int argc, char **argv)
{
    fill_args fa;
    clinit_resolved r;
    clinit_status st;
    clinit_ctx *ctx = NULL;
    clinit_io_writer w;
    clinit_io_tensor out;
    cl_mem buf = NULL;
    void *host = NULL;
    stats s = {0, 0, 0};
    uint64_t numel, n, chunk;
    int64_t npy_shape[CLINIT_MAX_DIMS];
    size_t esize;
    int rc;

    memset(&w, 0, sizeof w);
    if ((rc = fill_prepare(argc, argv, &fa, &r)) != 0)
        return cli_help_or(rc, fill_usage);
    (void)clinit_numel(&fa.t, &numel);
    esize = clinit_dtype_size(fa.t.dtype);
    n = fa.hi - fa.lo;
    if (fa.has_box)
        (void)clinit_box_numel(&fa.t, &fa.box, &n);
    /* every orthogonal call computes the whole QR: one call by default */
    chunk = r.dist == CLINIT_DIST_ORTHOGONAL && !fa.has_chunk ? n
            : n < fa.chunk                                    ? n
                                                              : fa.chunk;
    if (fa.has_box && n > 0) /* whole rows of the box's dim 0 */
        chunk = box_chunk(&fa.box, n, chunk);
    if (chunk > SIZE_MAX / esize)
        return lib_fail("fill", CLINIT_EOVERFLOW, NULL);
    if ((rc = cli_open_ctx("fill", fa.device, &ctx)) != 0)
        return rc;
    /* before the file is created; the fill would say the same later */
    if (fa.t.dtype == CLINIT_F64 && clinit_ctx_is_opencl(ctx) &&
        cli_ctx_has_fp64(ctx) == 0) {
        rc = lib_fail("fill", CLINIT_ENOFP64, ctx);
        goto done;
    }

    out.name = NULL; /* .npy: one unnamed array */
    out.dtype = fa.t.dtype;
    out.shape = npy_shape;
    if (fa.has_range) {
        out.ndim = 1;
        npy_shape[0] = (int64_t)n; /* n <= numel <= 2^56 */
    } else if (fa.has_box) {
        out.ndim = fa.t.ndim;
        for (int d = 0; d < fa.t.ndim; d++)
            npy_shape[d] = fa.box.count[d];
    } else {
        out.ndim = fa.t.ndim;
        for (int d = 0; d < fa.t.ndim; d++)
            npy_shape[d] = fa.t.shape[d];
    }
    if (chunk > 0 && !(host = malloc((size_t)chunk * esize))) {
        rc = lib_fail("fill", CLINIT_ENOMEM, ctx);
        goto done;
    }
    if (chunk > 0 && clinit_ctx_is_opencl(ctx)) {
        cl_int err = CL_SUCCESS;
        cl_context cx = NULL;
        cx = clinit_ctx_context(ctx);
        if (cx)
            buf = clCreateBuffer(cx, CL_MEM_READ_WRITE, (size_t)chunk * esize,
                                 NULL, &err);
        if (!buf) {
            rc = cli_cl_fail("fill", "clCreateBuffer", err);
            goto done;
        }
    }
    if ((st = clinit_io_create(&w, &clinit_io_npy, fa.out, NULL, 0, &out, 1)) !=
        CLINIT_OK) {
        if (st == CLINIT_EIO)
            rc = cli_fail(EXIT_FAIL, "fill failed: cannot write '%s': %s",
                          fa.out, cli_io_msg(w.file.error));
        else
            rc = lib_fail("fill", st, ctx);
        goto done;
    }
    for (uint64_t done = 0, m; done < n; done += m) {
        if ((rc = fill_chunk(ctx, &fa, done, n, chunk, buf, host, &m)) != 0)
            goto done;
        stats_add_chunk(&s, fa.t.dtype, host, (size_t)m);
        if ((st = clinit_io_append(&w, host, m * esize)) != CLINIT_OK) {
            rc = cli_write_fail("fill", fa.out, st, w.file.error);
            goto done;
        }
    }
    if ((st = clinit_io_finish(&w)) != CLINIT_OK) {
        rc = cli_write_fail("fill", fa.out, st, w.file.error);
        goto done;
    }
    if (!fa.quiet)
        print_summary(clinit_outfile_is_stdout(fa.out) ? stderr : stdout, &fa,
                      &r, ctx, numel, &s);
    rc = fflush(stdout) != 0
             ? cli_fail(EXIT_FAIL, "fill: write to stdout failed")
             : 0;
done:
    clinit_io_abort(&w); /* no-op once closed */
    if (buf)
        clReleaseMemObject(buf);
    free(host);
    clinit_ctx_destroy(ctx);
    return rc;
}

/* ---- raw ----------------------------------------------------------------- */

/* Writes n words to stdout as little-endian uint32. */
static int write_words(uint32_t *w, size_t n)
{
    if (!clinit_host_is_little_endian())
        for (size_t i = 0; i < n; i++) {
            uint32_t x = w[i];
            unsigned char b[4] = {(unsigned char)x, (unsigned char)(x >> 8),
                                  (unsigned char)(x >> 16),
                                  (unsigned char)(x >> 24)};
            memcpy(&w[i], b, 4);
        }
    if (fwrite(w, 4, n, stdout) != n)
        return cli_fail(EXIT_FAIL, "raw: write to stdout failed: %s",
                        strerror(errno));
    return 0;
}

/* counter += k as a 128-bit little-endian integer. */
static void counter_add(uint32_t c[4], uint64_t k)
{
    uint64_t lo = ((uint64_t)c[1] << 32) | c[0];
    uint64_t hi = ((uint64_t)c[3] << 32) | c[2];
    uint64_t sum = lo + k;
    if (sum < lo)
        hi++;
    c[0] = (uint32_t)sum;
    c[1] = (uint32_t)(sum >> 32);
    c[2] = (uint32_t)hi;
    c[3] = (uint32_t)(hi >> 32);
}

int clinit_cmd_raw(int argc, char **argv)
{
    const unsigned allowed = BIT(O_KEY) | BIT(O_COUNTER) | BIT(O_COUNT) |
                             BIT(O_DEVICE) | BIT(O_SEED) | BIT(O_STREAM) |
                             BIT(O_CHUNK);
    const char *val[O_COUNT_];
    uint64_t key64[2], ctr64[4] = {0, 0, 0, 0};
    uint64_t seed = 0, stream = 0, count, chunk = DEFAULT_RAW_CHUNK;
    uint32_t key[2], ctr[4];
    clinit_ctx *ctx = NULL;
    cl_mem buf = NULL;
    uint32_t *host = NULL;
    clinit_status st;
    size_t words;
    int rc, seeded;

    if ((rc = parse_options("raw", argc, argv, allowed, val, NULL)) != 0)
        return cli_help_or(rc, raw_usage);
    seeded = val[O_SEED] != NULL;
    if (seeded && (val[O_KEY] || val[O_COUNTER]))
        return cli_fail(EXIT_USAGE, "raw: --seed cannot be combined with "
                                    "--key/--counter");
    if (!seeded && !val[O_KEY])
        return cli_fail(EXIT_USAGE, "raw: --key or --seed is required");
    if (!val[O_COUNT])
        return cli_fail(EXIT_USAGE, "raw: --count is required");
    if (seeded && val[O_DEVICE])
        return cli_fail(EXIT_USAGE,
                        "raw: --device needs --key (--seed words are "
                        "computed on the host)");
    if (!seeded && val[O_STREAM])
        return cli_fail(EXIT_USAGE, "raw: --stream needs --seed");
    if ((rc = cli_opt_u64(val[O_COUNT], "count", &count)) != 0)
        return rc;
    if (val[O_CHUNK] && (rc = cli_opt_u64(val[O_CHUNK], "chunk", &chunk)) != 0)
        return rc;
    if (chunk == 0 || chunk % 4 != 0 || chunk > ((uint64_t)1 << 28))
        return cli_fail(EXIT_USAGE,
                        "--chunk: '%s' is not a multiple of 4 in 4..2^28",
                        val[O_CHUNK]);
    if (seeded) {
        if ((rc = cli_opt_u64(val[O_SEED], "seed", &seed)) != 0 ||
            (val[O_STREAM] &&
             (rc = cli_opt_u64(val[O_STREAM], "stream", &stream)) != 0))
            return rc;
        /* the whole request is within the stream, before any output */
        if ((st = clinit_stream_words(seed, stream, count, 0, NULL)) ==
            CLINIT_EOVERFLOW)
            return cli_fail(EXIT_USAGE,
                            "--count: '%s' words go beyond the stream's 2^56 "
                            "elements: %s",
                            val[O_COUNT], clinit_strerror(st));
        if (st != CLINIT_OK)
            return lib_fail("raw", st, NULL);
    } else {
        if (!parse_u64_list(val[O_KEY], 2, UINT32_MAX, key64))
            return cli_fail(EXIT_USAGE,
                            "--key: '%s' is not two 32-bit integers K0,K1",
                            val[O_KEY]);
        if (val[O_COUNTER] &&
            !parse_u64_list(val[O_COUNTER], 4, UINT32_MAX, ctr64))
            return cli_fail(EXIT_USAGE,
                            "--counter: '%s' is not four 32-bit integers "
                            "C0,C1,C2,C3",
                            val[O_COUNTER]);
        for (int i = 0; i < 2; i++)
            key[i] = (uint32_t)key64[i];
        for (int i = 0; i < 4; i++)
            ctr[i] = (uint32_t)ctr64[i];
    }
    if (isatty(fileno(stdout)))
        return cli_fail(EXIT_USAGE, "raw: stdout is a terminal; redirect it to "
                                    "a file or a pipe");

    words = (size_t)(count < chunk ? count : chunk);
    if (words > 0 && !(host = malloc(words * 4)))
        return lib_fail("raw", CLINIT_ENOMEM, NULL);
    if (!seeded) {
        if ((rc = cli_open_ctx("raw", val[O_DEVICE], &ctx)) != 0)
            goto done;
        if (words > 0 && clinit_ctx_is_opencl(ctx)) {
            cl_int err;
            cl_context cx = NULL;
            cx = clinit_ctx_context(ctx);
            if (cx)
                buf = clCreateBuffer(cx, CL_MEM_READ_WRITE, words * 4, NULL,
                                     &err);
            if (!buf) {
                rc = cli_cl_fail("raw", "clCreateBuffer", err);
                goto done;
            }
        }
    }
    for (uint64_t done_words = 0; done_words < count;) {
        size_t m =
            (size_t)(count - done_words < words ? count - done_words : words);
        if (seeded) {
            st = clinit_stream_words(seed, stream, done_words, m, host);
        } else if (buf) {
            st = clinit_philox_raw_device(ctx, key, ctr, m, buf);
            if (st == CLINIT_OK) {
                cl_int err =
                    clEnqueueReadBuffer(clinit_ctx_queue(ctx), buf, CL_TRUE, 0,
                                        m * 4, host, 0, NULL, NULL);
                if (err != CL_SUCCESS) {
                    rc = cli_cl_fail("raw", "clEnqueueReadBuffer", err);
                    goto done;
                }
            }
        } else {
            st = clinit_philox_raw(key, ctr, m, host);
        }
        if (st != CLINIT_OK) {
            rc = lib_fail("raw", st, ctx);
            goto done;
        }
        if ((rc = write_words(host, m)) != 0)
            goto done;
        done_words += m;
        if (!seeded)
            counter_add(ctr, m / 4); /* m % 4 != 0 only for the last */
    }
    rc = fflush(stdout) != 0 ? cli_fail(EXIT_FAIL,
                                        "raw: write to stdout failed: "
                                        "%s",
                                        strerror(errno))
                             : 0;
done:
    if (buf)
        clReleaseMemObject(buf);
    free(host);
    clinit_ctx_destroy(ctx);
    return rc;
}

/* ---- main ---------------------------------------------------------------- */

#if !CLINIT_NO_MAIN /* 1 in the argument fuzzer (tests/fuzz/fuzz_args.c) */
static const char usage_text[] =
    "usage: clinit COMMAND [options]      (clinit COMMAND --help: its own)\n"
    "\n"
    "commands:\n"
    "  devices   the CPU path and the OpenCL devices (ids for --device)\n"
    "  fill      one tensor, by a torch.nn.init or Keras method, into .npy\n"
    "  raw       Philox words for statistical batteries, on stdout\n"
    "  init      every tensor of a model spec MODEL.json into .safetensors\n"
    "  depth     activation stds of a deep MLP for each initialization\n"
    "  version   the version and the stream contract (also --version)\n"
    "  help      this text; help COMMAND: that command's (also -h, --help)\n"
    "\n"
    "examples:\n"
    "  clinit fill -m normal --shape 768,768 --std 0.02 -o w.npy\n"
    "  clinit init examples/gpt2_small.json -o gpt2.safetensors\n"
    "\n"
    "Options are --name VALUE or --name=VALUE, in any order, in full (no\n"
    "abbreviations); \"--\" ends them. Short options, one letter for one\n"
    "meaning in every command: -o --out, -d --device, -s --seed,\n"
    "-t --dtype, -f --format, -q --quiet, -h --help; fill: -m --method;\n"
    "raw: -n --count. Numbers are decimal or 0x hex.\n"
    "\n"
    "exit status: 0 ok; 2 bad input, one line naming the flag (or the JSON\n"
    "path); 1 the environment or a run-time failure (a device, the\n"
    "library, an output that cannot be written: the old file is then\n"
    "untouched).\n";

/* The commands: name, entry point, whether it takes main's argv (else
 * argv + 1, argv[0] the command). */
static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    int main_argv;
} commands[] = {
    {"devices", clinit_cmd_devices, 1}, {"fill", clinit_cmd_fill, 1},
    {"raw", clinit_cmd_raw, 1},         {"init", clinit_cmd_init, 0},
    {"depth", clinit_cmd_depth, 0},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

/* `clinit help [COMMAND]`: the global text, or the command's --help. */
static int help(int argc, char **argv)
{
    char *args[3];
    if (argc < 3) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (argc > 3)
        return cli_fail(EXIT_USAGE, "help: unexpected argument '%s'", argv[3]);
    for (size_t c = 0; c < N_COMMANDS; c++)
        if (strcmp(argv[2], commands[c].name) == 0) {
            args[0] = argv[0];
            args[1] = argv[2];
            args[2] = "--help";
            return commands[c].main_argv ? commands[c].run(3, args)
                                         : commands[c].run(2, args + 1);
        }
    return cli_fail(EXIT_USAGE, "help: unknown command '%s'", argv[2]);
}

int main(int argc, char **argv)
{
    const char *cmd, *names[N_COMMANDS + 2];
    char hint[64];
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
        strcmp(cmd, "help") == 0)
        return help(argc, argv);
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        if (argc > 2)
            return cli_fail(EXIT_USAGE, "version: unexpected argument '%s'",
                            argv[2]);
        printf("clinit %s (stream contract %d)\n", clinit_version_string(),
               CLINIT_STREAM_VERSION);
        return 0;
    }
    for (size_t c = 0; c < N_COMMANDS; c++) {
        names[c] = commands[c].name;
        if (strcmp(cmd, commands[c].name) == 0)
            return commands[c].main_argv ? commands[c].run(argc, argv)
                                         : commands[c].run(argc - 1, argv + 1);
    }
    names[N_COMMANDS] = "version";
    names[N_COMMANDS + 1] = "help";
    return cli_fail(
        EXIT_USAGE, "unknown command '%s' (try clinit --help)%s", cmd,
        cli_did_you_mean(hint, sizeof hint, "", cmd, names, N_COMMANDS + 2));
}
#endif
