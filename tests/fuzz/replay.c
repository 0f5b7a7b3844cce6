/* replay.c - a main() for a libFuzzer harness built without libFuzzer (by
 * gcc too): feeds every file named on the command line, or every file in
 * a directory named there, to LLVMFuzzerTestOneInput once. The ctests
 * fuzz_spec_replay and fuzz_args_replay run it over the committed corpus,
 * so that every build, sanitized or not, checks every input the fuzzers
 * ever kept (and every crash that was fixed). */
#define _POSIX_C_SOURCE 200809L /* opendir */

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Runs one file. Returns 0, or 1 if it cannot be read. */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t n = 0, cap = 0;
    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return 1;
    }
    for (;;) {
        if (n == cap) {
            unsigned char *nb = realloc(buf, cap = cap ? 2 * cap : 4096);
            if (!nb) {
                free(buf);
                fclose(f);
                fprintf(stderr, "replay: out of memory on %s\n", path);
                return 1;
            }
            buf = nb;
        }
        {
            size_t got = fread(buf + n, 1, cap - n, f);
            n += got;
            if (got == 0)
                break;
        }
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    int bad = 0;
    size_t runs = 0;
    for (int a = 1; a < argc; a++) {
        struct stat sb;
        DIR *d;
        struct dirent *e;
        if (stat(argv[a], &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            bad |= replay_file(argv[a]);
            runs++;
            continue;
        }
        if (!(d = opendir(argv[a]))) {
            fprintf(stderr, "replay: cannot open %s\n", argv[a]);
            bad = 1;
            continue;
        }
        while ((e = readdir(d)) != NULL) {
            size_t len = strlen(argv[a]) + strlen(e->d_name) + 2;
            char *p;
            if (e->d_name[0] == '.')
                continue;
            if (!(p = malloc(len))) {
                bad = 1;
                break;
            }
            snprintf(p, len, "%s/%s", argv[a], e->d_name);
            bad |= replay_file(p);
            runs++;
            free(p);
        }
        closedir(d);
    }
    printf("replay: %zu inputs\n", runs);
    /* an empty corpus is a broken test, not a pass */
    return bad || runs == 0;
}
