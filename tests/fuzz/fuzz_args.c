/* fuzz_args.c - libFuzzer harness for the clinit command's argument
 * parsing: the input is split at NUL bytes into arguments, after a first
 * byte that picks the command (fill or init), and handed to the checks
 * the command runs before it touches a file or a device
 * (clinit_fill_check_args, clinit_init_check_args in tools/). They must
 * return 0, -1 (--help) or an exit status, never crash. Error lines go to
 * stderr (libFuzzer's -close_fd_mask=2 hides them). Built as fuzz_spec.c
 * is, and replayed over tests/fuzz/corpus/args by every build. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf, *argv[MAX_ARGS + 3];
    int argc = 0, rc, fill;
    size_t start = 1;
    if (size == 0)
        return 0;
    fill = data[0] & 1;
    if (!(buf = malloc(size + 1)))
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    argv[argc++] = fill ? "clinit" : "init";
    if (fill)
        argv[argc++] = "fill";
    for (size_t i = 1; i <= size && argc < MAX_ARGS; i++)
        if (buf[i] == '\0' || i == size) {
            buf[i] = '\0';
            argv[argc++] = buf + start;
            start = i + 1;
        }
    argv[argc] = NULL;
    rc = fill ? clinit_fill_check_args(argc, argv)
              : clinit_init_check_args(argc, argv);
    free(buf);
    if (rc != 0 && rc != -1 && rc != EXIT_FAIL && rc != EXIT_USAGE)
        abort();
    return 0;
}
