/* cli_util.h - helpers shared by the clinit command's files (clinit.c,
 * init_cmd.c, depth/): the one-line error messages on stderr and the
 * exit statuses, strict number parsing, --name[=]value option scanning,
 * opening a context for --device, and a few small utilities.
 *
 * Every error is one line on stderr starting "clinit: " (EBUILD adds the
 * build log after it); the functions that print return the exit status
 * to give.
 */
#ifndef CLINIT_CLI_UTIL_H
#define CLINIT_CLI_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "clinit.h"

#define EXIT_FAIL 1  /* a library, device or I/O call failed */
#define EXIT_USAGE 2 /* the command line is wrong */

/* ---- errors -------------------------------------------------------------- */

/* "clinit: PREFIXMESSAGE" (prefix e.g. "" or "depth: "). Returns
 * status. */
int cli_vfail(const char *prefix, int status, const char *fmt, va_list ap);

/* "clinit: MESSAGE". Returns status. */
int cli_fail(int status, const char *fmt, ...);

/* "clinit: PREFIXWHAT failed: <message>" plus detail from ctx (may be
 * NULL): the cl_int of EOPENCL on the same line; for ENOFP64, when
 * fp64_hint is not NULL, the device name and "use --device cpu or
 * FP64_HINT"; the build log of EBUILD after the line. Returns EXIT_FAIL. */
int cli_lib_fail(const char *prefix, const char *what, clinit_status st,
                 const clinit_ctx *ctx, const char *fp64_hint);

/* A failed OpenCL call made by the command itself:
 * "clinit: WHAT failed: CALL: OpenCL error N". Returns EXIT_FAIL. */
int cli_cl_fail(const char *what, const char *call, cl_int err);

/* errno's message, or a generic one when the C library set none. */
const char *cli_io_msg(int e);

/* "clinit: WHAT failed: writing 'PATH': <message>": errno `error` for
 * CLINIT_EIO, else the status' message. Returns EXIT_FAIL. */
int cli_write_fail(const char *what, const char *path, clinit_status st,
                   int error);

/* --out's value: "-" (standard output) is refused when stdout is a
 * terminal. Returns 0, or EXIT_USAGE after the error. */
int cli_check_out(const char *out);

/* The end of a command's argument parsing: for rc < 0 (--help) prints
 * `usage` on stdout and returns 0, else returns rc. */
int cli_help_or(int rc, const char *usage);

/* ---- options ------------------------------------------------------------- */

/* Whether arg is --help or -h. */
int cli_is_help(const char *arg);

/* arg ("--NAME" or "--NAME=VALUE"): the index of NAME in names[0..n)
 * among those whose bit (1u << index) is set in `allowed`, or -1. *len:
 * the length of NAME. */
int cli_option_id(const char *arg, const char *const *names, int n,
                  unsigned allowed, size_t *len);

/* The value of the option argv[*i]: what follows its '=', else the next
 * argument, which *i then moves to (a value may start with '-', as in
 * --a -0.5, never with "--"). NULL when there is none. */
const char *cli_option_value(int argc, char **argv, int *i);

/* ---- numbers ------------------------------------------------------------- */

/* Unsigned decimal or 0x hex, the whole of s, no sign, no spaces. Returns
 * 1, or 0 if malformed or out of range. */
int cli_parse_u64(const char *s, uint64_t *out);

/* --NAME's value s as cli_parse_u64. Returns 0, or EXIT_USAGE after the
 * error. */
int cli_opt_u64(const char *s, const char *name, uint64_t *out);

/* --dtype's value s. Returns 0, or EXIT_USAGE after the error. */
int cli_opt_dtype(const char *s, clinit_dtype *out);

/* ---- contexts ------------------------------------------------------------ */

/* The device string was malformed (CLINIT_EDEVICESPEC): --device's
 * value when `device` is not NULL or empty, else $CLINIT_DEVICE's.
 * Returns EXIT_USAGE. */
int cli_device_spec_fail(const char *device);

/* Creates the context for --device (NULL: the library's default). Returns
 * 0, EXIT_USAGE for a malformed --device or $CLINIT_DEVICE, EXIT_FAIL
 * for a device that is not there or a library failure ("WHAT failed"). */
int cli_open_ctx(const char *what, const char *device, clinit_ctx **ctx);

/* Whether the context's OpenCL device has fp64: 1, 0, or -1 when it
 * cannot be told here (the fill itself then reports ENOFP64). */
int cli_ctx_has_fp64(const clinit_ctx *ctx);

/* ---- misc ---------------------------------------------------------------- */

/* Element i of p (dtype dtype) as a double; f16 and bf16 exactly. */
double cli_element_as_double(clinit_dtype dtype, const void *p, uint64_t i);

/* Monotonic seconds. */
double cli_now_s(void);

/* ---- commands ------------------------------------------------------------ */

/* The commands. devices, fill and raw (clinit.c) take main's argv
 * (argv[1] = the command); init (init_cmd.c) and depth (depth/depth.c)
 * argv + 1 (argv[0] = the command). Return the exit status. */
int clinit_cmd_devices(int argc, char **argv);
int clinit_cmd_fill(int argc, char **argv);
int clinit_cmd_raw(int argc, char **argv);
int clinit_cmd_init(int argc, char **argv);
int clinit_cmd_depth(int argc, char **argv);

/* The argument checks of `clinit fill` (argv[1] = "fill") and `clinit
 * init` (argv[0] = "init"): everything the command does before it reads
 * a file or touches a device or an output. Return 0, -1 for --help, or
 * the exit status after the error line. For tests/fuzz/fuzz_args.c. */
int clinit_fill_check_args(int argc, char **argv);
int clinit_init_check_args(int argc, char **argv);

#endif /* CLINIT_CLI_UTIL_H */
