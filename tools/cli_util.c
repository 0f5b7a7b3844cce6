/* cli_util.c - helpers shared by the clinit command; see cli_util.h. */
#define _POSIX_C_SOURCE 199309L /* clock_gettime */

#include "cli_util.h"

#include <errno.h>
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

int cli_is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

int cli_option_id(const char *arg, const char *const *names, int n,
                  unsigned allowed, size_t *len)
{
    const char *name = arg + 2, *eq = strchr(name, '=');
    int id = -1;
    *len = eq ? (size_t)(eq - name) : strlen(name);
    for (int o = 0; o < n; o++)
        if (strlen(names[o]) == *len && memcmp(names[o], name, *len) == 0 &&
            (allowed & (1u << o)))
            id = o;
    return id;
}

const char *cli_option_value(int argc, char **argv, int *i)
{
    const char *eq = strchr(argv[*i] + 2, '=');
    if (eq)
        return eq + 1;
    if (*i + 1 >= argc || strncmp(argv[*i + 1], "--", 2) == 0)
        return NULL;
    return argv[++*i];
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
    if (clinit_dtype_from_name(s, out) != CLINIT_OK)
        return cli_fail(EXIT_USAGE,
                        "--dtype: unknown dtype '%s' (expected f32, f16, "
                        "bf16 or f64)",
                        s);
    return 0;
}

/* ---- contexts ------------------------------------------------------------ */

int cli_device_spec_fail(const char *device)
{
    const char *env = getenv("CLINIT_DEVICE");
    if (device && *device)
        return cli_fail(EXIT_USAGE,
                        "--device: '%s' is not cpu, opencl or opencl:P.D",
                        device);
    return cli_fail(EXIT_USAGE,
                    "CLINIT_DEVICE: '%s' is not cpu, opencl or opencl:P.D",
                    env ? env : "");
}

int cli_open_ctx(const char *what, const char *device, clinit_ctx **ctx)
{
    clinit_ctx_options opt;
    clinit_status st;
    memset(&opt, 0, sizeof opt);
    opt.device = device;
    *ctx = NULL;
    st = clinit_ctx_create(ctx, &opt);
    if (st == CLINIT_EDEVICESPEC)
        return cli_device_spec_fail(device);
    if (st == CLINIT_ENODEVICE)
        return cli_fail(EXIT_FAIL,
                        "%s failed: no OpenCL device '%s' (see clinit "
                        "devices)",
                        what, device ? device : "");
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
#define CLI_WIDEN_(A, id, name, T, bytes, round, widen, overflow, store)              \
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
