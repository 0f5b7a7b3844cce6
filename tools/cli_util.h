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

/* One option of a command: its long name (--NAME), its short letter
 * (-L; 0: none) and whether it takes a value (--NAME VALUE, --NAME=VALUE,
 * -L VALUE, -LVALUE) or is a flag. */
typedef struct cli_opt {
    const char *name;
    char letter;
    char takes_value;
} cli_opt;

#define CLI_MAX_OPTS 32 /* options of one command */
#define CLI_MAX_POS 4   /* positional arguments kept */

/* A command's options and positional arguments, for cli_parse. */
typedef struct cli_spec {
    const char *cmd; /* "fill": messages say "fill: unknown option ..." */
    const cli_opt *opts;
    int nopts;                /* <= CLI_MAX_OPTS */
    int max_pos;              /* positional arguments allowed, <= CLI_MAX_POS */
    const char *pos_too_many; /* appended to "unexpected argument 'X'" */
    /* NULL: messages about an unknown option or argument start "CMD: ",
     * the others ("--X needs a value") with the flag; else every message
     * starts with this ("depth: ") */
    const char *prefix;
    /* bit k: opts[k] may be given twice (the second value in
     * cli_args.val2; a third time is an error) */
    unsigned twice;
} cli_spec;

/* What cli_parse found: val[k] the value of opts[k] (a flag: "" when
 * given), NULL when absent; val2[k] its second value (options that may
 * be given twice), NULL when given once; pos[0..npos) the positional
 * arguments. */
typedef struct cli_args {
    const char *val[CLI_MAX_OPTS];
    const char *val2[CLI_MAX_OPTS];
    const char *pos[CLI_MAX_POS];
    int npos;
} cli_args;

/* Parses argv[1..argc) (argv[0]: the command word) with getopt_long:
 * options and positionals in any order, "--" ends the options (what
 * follows is positional, "--"-looking or not), long names only in full
 * (no abbreviations: a new option never breaks a script), -h/--help on
 * every command. A value given as the next argument may start with '-'
 * (--a -0.5) but not with "--" (--out --seed is a missing value). Errors,
 * one line each, in argument order: an unknown option ("CMD: unknown
 * option '--X'", with "; did you mean --Y?" when one is near, see
 * cli_suggest; a single-dash long name, -out, is unknown too), a value
 * given to a flag, a missing value, an option given twice (three times for one that
 * may be given twice), too many
 * positionals. Returns 0, -1 for --help, or EXIT_USAGE after the error.
 * Uses getopt's globals (optind is reset first), so it is not
 * reentrant. */
int cli_parse(const cli_spec *spec, int argc, char **argv, cli_args *out);

/* The candidate `given` most likely meant: the only one that `given` is
 * a prefix of, else the nearest by edit distance (insertions, deletions,
 * substitutions, adjacent transpositions) when that is at most 2 and
 * less than strlen(given) (first of equals). NULL if none, or if given is
 * empty or longer than 64 bytes. cands[i] may be NULL (skipped). */
const char *cli_suggest(const char *given, const char *const *cands, size_t n);

/* "; did you mean PREFIXNAME?" for cli_suggest's answer into buf, or ""
 * when there is none. Returns buf. */
const char *cli_did_you_mean(char *buf, size_t cap, const char *prefix,
                             const char *given, const char *const *cands,
                             size_t n);

/* The suggestion text for an unknown method name (trailing '_' ignored),
 * dtype name or nonlinearity name, from the library's names; "" when
 * none is near. */
const char *cli_method_hint(char *buf, size_t cap, const char *given);
const char *cli_dtype_hint(char *buf, size_t cap, const char *given);
const char *cli_nonlinearity_hint(char *buf, size_t cap, const char *given);

/* ---- numbers ------------------------------------------------------------- */

/* Unsigned decimal or 0x hex, the whole of s, no sign, no spaces. Returns
 * 1, or 0 if malformed or out of range. */
int cli_parse_u64(const char *s, uint64_t *out);

/* --NAME's value s as cli_parse_u64. Returns 0, or EXIT_USAGE after the
 * error. */
int cli_opt_u64(const char *s, const char *name, uint64_t *out);

/* --dtype's value s. Returns 0, or EXIT_USAGE after the error (with a
 * did-you-mean for a near name). */
int cli_opt_dtype(const char *s, clinit_dtype *out);

/* ---- contexts ------------------------------------------------------------ */

/* The device string was malformed (CLINIT_EDEVICESPEC): --device's
 * value when `device` is not NULL or empty, else $CLINIT_DEVICE's (with
 * a did-you-mean: cpu or opencl). Returns EXIT_USAGE. */
int cli_device_spec_fail(const char *device);

/* Creates the context for --device (NULL: the library's default). Returns
 * 0, EXIT_USAGE for a malformed --device or $CLINIT_DEVICE, EXIT_FAIL
 * for a device that is not there (with a did-you-mean among the listed
 * devices) or a library failure ("WHAT failed"). */
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
