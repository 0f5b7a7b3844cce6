/* cli_util.c - helpers shared by the clinit command; see cli_util.h. */
#define _POSIX_C_SOURCE 199309L /* clock_gettime */

#include "cli_util.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clinit_dtype.h"
#include "fileio.h"

/* ---- errors -------------------------------------------------------------- */

int cli_vfail(const char *prefix, int status, const char *fmt, va_list ap)
{
    fputs("clinit: ", stderr);
    fputs(prefix, stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    return status;
}

int cli_fail(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    status = cli_vfail("", status, fmt, ap);
    va_end(ap);
    return status;
}

int cli_lib_fail(const char *prefix, const char *what, clinit_status st,
                 const clinit_ctx *ctx, const char *fp64_hint)
{
    if (st == CLINIT_EOPENCL && ctx && clinit_ctx_cl_error(ctx) != CL_SUCCESS)
        fprintf(stderr, "clinit: %s%s failed: %s (cl_int %d)\n", prefix, what,
                clinit_strerror(st), (int)clinit_ctx_cl_error(ctx));
    else if (st == CLINIT_ENOFP64 && ctx && fp64_hint)
        fprintf(stderr,
                "clinit: %s%s failed: %s (%s); use --device cpu or %s\n",
                prefix, what, clinit_strerror(st), clinit_ctx_device_name(ctx),
                fp64_hint);
    else
        fprintf(stderr, "clinit: %s%s failed: %s\n", prefix, what,
                clinit_strerror(st));
    if (st == CLINIT_EBUILD && ctx) {
        const char *log = clinit_ctx_build_log(ctx);
        fputs(log, stderr);
        if (*log && log[strlen(log) - 1] != '\n')
            fputc('\n', stderr);
    }
    return EXIT_FAIL;
}

int cli_cl_fail(const char *what, const char *call, cl_int err)
{
    return cli_fail(EXIT_FAIL, "%s failed: %s: OpenCL error %d", what, call,
                    (int)err);
}

const char *cli_io_msg(int e)
{
    return e ? strerror(e) : "I/O error";
}

int cli_write_fail(const char *what, const char *path, clinit_status st,
                   int error)
{
    return cli_fail(EXIT_FAIL, "%s failed: writing '%s': %s", what, path,
                    st == CLINIT_EIO ? cli_io_msg(error) : clinit_strerror(st));
}

int cli_check_out(const char *out)
{
    if (clinit_outfile_is_stdout(out) && isatty(fileno(stdout)))
        return cli_fail(EXIT_USAGE, "--out -: standard output is a terminal; "
                                    "redirect it or give a file name");
    return 0;
}

int cli_help_or(int rc, const char *usage)
{
    if (rc < 0) {
        fputs(usage, stdout);
        return 0;
    }
    return rc;
}

/* ---- options ------------------------------------------------------------- */

#define CLI_HELP_VAL 0x200 /* getopt's value for --help (the letter h too) */
#define CLI_LONG_VAL 0x100 /* + k: long-only option k */

/* A parse error, one line: sp->prefix, else "CMD: " when with_cmd.
 * Returns EXIT_USAGE. */
static int parse_fail(const cli_spec *sp, int with_cmd, const char *fmt, ...)
{
    char cmd[40];
    va_list ap;
    snprintf(cmd, sizeof cmd, "%s: ", sp->cmd);
    va_start(ap, fmt);
    cli_vfail(sp->prefix ? sp->prefix
              : with_cmd ? cmd
                         : "",
              EXIT_USAGE, fmt, ap);
    va_end(ap);
    return EXIT_USAGE;
}

/* The option index of getopt's answer c, or -1. */
static int opt_of(const cli_spec *sp, int c)
{
    for (int k = 0; k < sp->nopts; k++)
        if ((sp->opts[k].letter && c == (unsigned char)sp->opts[k].letter) ||
            c == CLI_LONG_VAL + k)
            return k;
    return -1;
}

/* The long names of the options and "help", for cli_suggest. */
static size_t opt_names(const cli_spec *sp, const char **names)
{
    int k;
    for (k = 0; k < sp->nopts; k++)
        names[k] = sp->opts[k].name;
    names[k++] = "help";
    return (size_t)k;
}

static int unknown_opt(const cli_spec *sp, const char *shown, size_t len,
                       const char *name)
{
    const char *names[CLI_MAX_OPTS + 1];
    char hint[96], given[72];
    size_t n = opt_names(sp, names);
    snprintf(given, sizeof given, "%.*s", (int)(len < 64 ? len : 64), name);
    return parse_fail(
        sp, 1, "unknown option '%s'%s", shown,
        cli_did_you_mean(hint, sizeof hint, "--", given, names, n));
}

/* Checks an argument getopt is about to read as options, where getopt
 * itself would be lenient: --NAME must be a full name, a flag takes no
 * =VALUE, and -NAME (one dash, a long name) is a typo, not -N AME.
 * Returns 0 or EXIT_USAGE after the error. */
static int precheck(const cli_spec *sp, const char *arg)
{
    const char *name = arg + 2, *eq;
    size_t len;
    if (arg[0] != '-' || arg[1] == '\0' || strcmp(arg, "--") == 0)
        return 0;
    if (arg[1] != '-') { /* -x, -xVALUE, -qx: a long name given one dash? */
        name = arg + 1;
        eq = strchr(name, '=');
        len = eq ? (size_t)(eq - name) : strlen(name);
        for (int k = 0; len >= 2 && k < sp->nopts; k++)
            if (strlen(sp->opts[k].name) == len &&
                memcmp(sp->opts[k].name, name, len) == 0)
                return parse_fail(sp, 1,
                                  "unknown option '%s'; did you mean --%s?",
                                  arg, sp->opts[k].name);
        return 0;
    }
    eq = strchr(name, '=');
    len = eq ? (size_t)(eq - name) : strlen(name);
    if (len == 4 && memcmp(name, "help", 4) == 0)
        return eq ? parse_fail(sp, 0, "--help takes no value") : 0;
    for (int k = 0; k < sp->nopts; k++)
        if (strlen(sp->opts[k].name) == len &&
            memcmp(sp->opts[k].name, name, len) == 0) {
            if (eq && !sp->opts[k].takes_value)
                return parse_fail(sp, 0, "--%s takes no value",
                                  sp->opts[k].name);
            return 0;
        }
    {
        char shown[80];
        snprintf(shown, sizeof shown, "--%.*s", (int)(len < 64 ? len : 64),
                 name);
        return unknown_opt(sp, shown, len, name);
    }
}

/* Builds getopt_long's tables for sp. */
static void getopt_tables(const cli_spec *sp, struct option *lo, char *shorts)
{
    char *s = shorts;
    int k;
    *s++ = '-'; /* positionals in order, argv never permuted */
    *s++ = ':'; /* ':' for a missing value */
    *s++ = 'h';
    for (k = 0; k < sp->nopts; k++) {
        const cli_opt *o = &sp->opts[k];
        lo[k].name = o->name;
        lo[k].has_arg = o->takes_value ? required_argument : no_argument;
        lo[k].flag = NULL;
        lo[k].val = o->letter ? (unsigned char)o->letter : CLI_LONG_VAL + k;
        if (o->letter) {
            *s++ = o->letter;
            if (o->takes_value)
                *s++ = ':';
        }
    }
    lo[k].name = "help";
    lo[k].has_arg = no_argument;
    lo[k].flag = NULL;
    lo[k].val = CLI_HELP_VAL;
    memset(&lo[k + 1], 0, sizeof lo[k + 1]);
    *s = '\0';
}

/* A positional argument. Returns 0 or EXIT_USAGE. */
static int add_pos(const cli_spec *sp, cli_args *out, const char *arg)
{
    if (out->npos >= sp->max_pos)
        return parse_fail(sp, 1, "unexpected argument '%s'%s", arg,
                          sp->pos_too_many ? sp->pos_too_many : "");
    out->pos[out->npos++] = arg;
    return 0;
}

/* getopt's answer c for one option (not a positional). Returns 0, -1
 * for help, or EXIT_USAGE after the error. */
static int take_opt(const cli_spec *sp, int argc, char **argv, int c,
                    cli_args *out)
{
    int k;
    if (c == 'h' || c == CLI_HELP_VAL)
        return -1;
    if (c == ':') {
        k = optopt == 'h' ? -1 : opt_of(sp, optopt);
        return parse_fail(sp, 0, "--%s needs a value",
                          k >= 0 ? sp->opts[k].name : "?");
    }
    if (c == '?') { /* an unknown letter (precheck caught the long names) */
        char shown[3] = {'-', (char)optopt, '\0'};
        const char *names[CLI_MAX_OPTS + 1];
        size_t n = opt_names(sp, names);
        for (size_t i = 0; optopt && i < n; i++)
            if (names[i][0] == optopt && names[i][1] == '\0')
                return parse_fail(sp, 1,
                                  "unknown option '%s'; did you mean --%s?",
                                  shown, names[i]);
        return parse_fail(sp, 1, "unknown option '%s'",
                          optopt ? shown : argv[optind - 1]);
    }
    if ((k = opt_of(sp, c)) < 0)
        return parse_fail(sp, 1, "unknown option");
    /* a value that was the next argument and looks like an option */
    if (sp->opts[k].takes_value && optind >= 1 && optind <= argc &&
        optarg == argv[optind - 1] && strncmp(optarg, "--", 2) == 0)
        return parse_fail(sp, 0, "--%s needs a value", sp->opts[k].name);
    if (out->val[k] && (sp->twice >> k & 1u) && !out->val2[k]) {
        out->val2[k] = sp->opts[k].takes_value ? optarg : "";
        return 0;
    }
    if (out->val[k])
        return parse_fail(sp, 0, "--%s given %s", sp->opts[k].name,
                          sp->twice >> k & 1u ? "more than twice" : "twice");
    out->val[k] = sp->opts[k].takes_value ? optarg : "";
    return 0;
}

int cli_parse(const cli_spec *sp, int argc, char **argv, cli_args *out)
{
    struct option lo[CLI_MAX_OPTS + 2];
    char shorts[3 * CLI_MAX_OPTS + 4];
    int checked = 0, rc;
    memset(out, 0, sizeof *out);
    if (sp->nopts > CLI_MAX_OPTS || sp->max_pos > CLI_MAX_POS)
        return parse_fail(sp, 1, "too many options");
    getopt_tables(sp, lo, shorts);
    optind = 0; /* glibc and musl: start over, forgetting any earlier scan */
    opterr = 0;
    for (;;) {
        int at = optind ? optind : 1, c;
        /* each argument once, before getopt reads it as options (in a
         * cluster such as -qo, optind stays on it) */
        if (at < argc && at != checked) {
            checked = at;
            if ((rc = precheck(sp, argv[at])) != 0)
                return rc;
        }
        c = getopt_long(argc, argv, shorts, lo, NULL);
        if (c == -1)
            break;
        rc = c == 1 ? add_pos(sp, out, optarg)
                    : take_opt(sp, argc, argv, c, out);
        if (rc != 0)
            return rc;
    }
    for (int i = optind; i < argc; i++) /* after "--" */
        if ((rc = add_pos(sp, out, argv[i])) != 0)
            return rc;
    return 0;
}

/* Edit distance with adjacent transpositions (optimal string alignment),
 * for strings of at most 64 bytes. */
static int edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    int d[65][65];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            int del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            int v = sub < del ? sub : del;
            v = v < ins ? v : ins;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
                a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[n][m];
}

const char *cli_suggest(const char *given, const char *const *cands, size_t n)
{
    size_t len = strlen(given), nprefix = 0;
    const char *prefix = NULL, *best = NULL;
    int best_d = 3;
    if (len == 0 || len > 64)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (!cands[i] || strlen(cands[i]) > 64)
            continue;
        if (strncmp(cands[i], given, len) == 0 && strcmp(cands[i], given)) {
            /* the same name listed twice is one candidate */
            if (!prefix || strcmp(prefix, cands[i]) != 0)
                nprefix++;
            prefix = cands[i];
        }
    }
    if (nprefix == 1)
        return prefix;
    for (size_t i = 0; i < n; i++) {
        int d;
        if (!cands[i] || strlen(cands[i]) > 64)
            continue;
        d = edit_distance(given, cands[i]);
        if (d < best_d && (size_t)d < len) {
            best_d = d;
            best = cands[i];
        }
    }
    return best;
}

const char *cli_did_you_mean(char *buf, size_t cap, const char *prefix,
                             const char *given, const char *const *cands,
                             size_t n)
{
    const char *s = cli_suggest(given, cands, n);
    if (s)
        snprintf(buf, cap, "; did you mean %s%s?", prefix, s);
    else if (cap > 0)
        buf[0] = '\0';
    return buf;
}

const char *cli_method_hint(char *buf, size_t cap, const char *given)
{
    const char *names[CLINIT_METHOD_COUNT];
    char g[72];
    size_t len = strlen(given);
    for (int m = 0; m < CLINIT_METHOD_COUNT; m++)
        names[m] = clinit_method_name((clinit_method)m);
    if (len > 1 && given[len - 1] == '_') /* torch's in-place spelling */
        len--;
    snprintf(g, sizeof g, "%.*s", (int)(len < 70 ? len : 70), given);
    return cli_did_you_mean(buf, cap, "", g, names, CLINIT_METHOD_COUNT);
}

const char *cli_dtype_hint(char *buf, size_t cap, const char *given)
{
    const char *names[CLINIT_DTYPE_COUNT];
    for (int d = 0; d < CLINIT_DTYPE_COUNT; d++)
        names[d] = clinit_dtype_name((clinit_dtype)d);
    return cli_did_you_mean(buf, cap, "", given, names, CLINIT_DTYPE_COUNT);
}

const char *cli_nonlinearity_hint(char *buf, size_t cap, const char *given)
{
    const char *names[32];
    size_t n = 0;
    /* the values are 0, 1, ...: the names end at the first NULL */
    while (n < 32 && (names[n] = clinit_nonlinearity_name(
                          (clinit_nonlinearity)n)) != NULL)
        n++;
    return cli_did_you_mean(buf, cap, "", given, names, n);
}

/* ---- numbers ------------------------------------------------------------- */

int cli_parse_u64(const char *s, uint64_t *out)
{
    unsigned long long v;
    char *end;
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
              (*s >= 'A' && *s <= 'F')))
            return 0;
    } else if (!(*s >= '0' && *s <= '9')) {
        return 0; /* empty, sign or space: strtoull would accept those */
    }
    errno = 0;
    v = strtoull(s, &end, base);
    if (errno != 0 || *end != '\0')
        return 0;
    *out = (uint64_t)v;
    return 1;
}

int cli_opt_u64(const char *s, const char *name, uint64_t *out)
{
    if (!cli_parse_u64(s, out))
        return cli_fail(EXIT_USAGE,
                        "--%s: '%s' is not a non-negative integer (decimal "
                        "or 0x hex) below 2^64",
                        name, s);
    return 0;
}

int cli_opt_dtype(const char *s, clinit_dtype *out)
{
    char hint[64];
    if (clinit_dtype_from_name(s, out) != CLINIT_OK)
        return cli_fail(EXIT_USAGE,
                        "--dtype: unknown dtype '%s' (expected f32, f16, "
                        "bf16, f64, f8e4m3 or f8e5m2)%s",
                        s, cli_dtype_hint(hint, sizeof hint, s));
    return 0;
}

/* ---- contexts ------------------------------------------------------------ */

/* "; did you mean X?" for a device string: cpu, opencl (also for "gpu",
 * which is what the first-GPU default of opencl means) or, with
 * `listed`, the ids of the OpenCL devices there are. */
static const char *device_hint(char *buf, size_t cap, const char *given,
                               int listed)
{
    const char *names[66] = {"cpu", "opencl"};
    clinit_device_info devs[64];
    size_t n = 2, got = 0;
    if (strcmp(given, "gpu") == 0 || strcmp(given, "GPU") == 0) {
        snprintf(buf, cap, "; did you mean opencl (the first GPU)?");
        return buf;
    }
    if (listed && clinit_list_devices(devs, 64, &got) == CLINIT_OK)
        for (size_t i = 0; i < got && i < 64; i++)
            names[n++] = devs[i].id;
    return cli_did_you_mean(buf, cap, "", given, names, n);
}

int cli_device_spec_fail(const char *device)
{
    const char *env = getenv("CLINIT_DEVICE");
    char hint[96];
    if (device && *device)
        return cli_fail(EXIT_USAGE,
                        "--device: '%s' is not cpu, opencl or opencl:P.D%s",
                        device, device_hint(hint, sizeof hint, device, 0));
    return cli_fail(
        EXIT_USAGE, "CLINIT_DEVICE: '%s' is not cpu, opencl or opencl:P.D%s",
        env ? env : "", device_hint(hint, sizeof hint, env ? env : "", 0));
}

int cli_open_ctx(const char *what, const char *device, clinit_ctx **ctx)
{
    clinit_ctx_options opt;
    clinit_status st;
    char hint[96];
    memset(&opt, 0, sizeof opt);
    opt.device = device;
    *ctx = NULL;
    st = clinit_ctx_create(ctx, &opt);
    if (st == CLINIT_EDEVICESPEC)
        return cli_device_spec_fail(device);
    if (st == CLINIT_ENODEVICE)
        return cli_fail(
            EXIT_FAIL,
            "%s failed: no OpenCL device '%s' (see clinit "
            "devices)%s",
            what, device ? device : "",
            device_hint(hint, sizeof hint, device ? device : "", 1));
    if (st != CLINIT_OK)
        return cli_lib_fail("", what, st, NULL, NULL);
    return 0;
}

int cli_ctx_has_fp64(const clinit_ctx *ctx)
{
    clinit_device_info *devs;
    size_t n = 0, got = 0;
    int has = -1;
    if (clinit_list_devices(NULL, 0, &n) != CLINIT_OK || n == 0 ||
        !(devs = calloc(n, sizeof *devs)))
        return -1;
    if (clinit_list_devices(devs, n, &got) == CLINIT_OK)
        for (size_t i = 0; i < got && i < n; i++)
            if (strcmp(devs[i].id, clinit_ctx_device_id(ctx)) == 0)
                has = devs[i].has_fp64 != 0;
    free(devs);
    return has;
}

/* ---- misc ---------------------------------------------------------------- */

double cli_element_as_double(clinit_dtype dtype, const void *p, uint64_t i)
{
    const unsigned char *b =
        (const unsigned char *)p + i * clinit_dtype_size(dtype);
    uint32_t h = 0;
    float f;
    double d;
    switch ((int)dtype) {
    case CLINIT_F32:
        memcpy(&f, b, 4);
        return f;
    case CLINIT_F64:
        memcpy(&d, b, 8);
        return d;
        /* the bits dtypes, widened exactly (kernels/clinit_dtype.h's table;
         * little-endian) */
#define CLI_WIDEN_(A, id, name, T, bytes, round, widen, overflow, store)       \
    case id:                                                                   \
        memcpy(&h, b, bytes);                                                  \
        return widen(h);
        CLINIT_BITS_DTYPE_LIST(CLI_WIDEN_, _)
#undef CLI_WIDEN_
    default:
        return NAN;
    }
}

double cli_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
