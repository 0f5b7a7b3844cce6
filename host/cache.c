/* cache.c - the OpenCL program-binary cache (cache.h). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "clinit_version.h"

/* File layout (little-endian as written by this host; another byte order
 * fails the magic): "CLINITPB", u32 format version, u32 key bytes, the key
 * text, u64 binary bytes, u64 FNV-1a-64 of the binary, the binary. */
static const char MAGIC[8] = {'C', 'L', 'I', 'N', 'I', 'T', 'P', 'B'};
#define FORMAT_VERSION 1u
#define MAX_KEY (1u << 16)
#define MAX_BINARY (UINT64_C(1) << 30)

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * UINT64_C(0x100000001b3);
    return h;
}
#define FNV_BASIS UINT64_C(0xcbf29ce484222325)

/* Appends "label=value\n" for a string info of the device or platform. */
static int add_info(char **key, size_t *len, const char *label, int is_dev,
                    void *obj, cl_uint param)
{
    size_t n = 0, ll = strlen(label);
    char *k;
    cl_int err = is_dev ? clGetDeviceInfo(obj, param, 0, NULL, &n)
                        : clGetPlatformInfo(obj, param, 0, NULL, &n);
    if (err != CL_SUCCESS)
        n = 0;
    if (!(k = realloc(*key, *len + ll + n + 3)))
        return -1;
    *key = k;
    memcpy(k + *len, label, ll);
    k[*len + ll] = '=';
    *len += ll + 1;
    if (n) {
        err = is_dev ? clGetDeviceInfo(obj, param, n, k + *len, NULL)
                     : clGetPlatformInfo(obj, param, n, k + *len, NULL);
        n = err == CL_SUCCESS ? strnlen(k + *len, n) : 0;
    }
    *len += n;
    k[(*len)++] = '\n';
    k[*len] = 0;
    return 0;
}

/* $CLINIT_CACHE_DIR, else $XDG_CACHE_HOME/clinit, else ~/.cache/clinit;
 * NULL when off or unknown. */
static char *cache_dir(void)
{
    const char *off = getenv("CLINIT_CACHE"), *d, *sub;
    char *out;
    if (off && strcmp(off, "0") == 0)
        return NULL;
    if ((d = getenv("CLINIT_CACHE_DIR")) && *d)
        sub = "";
    else if ((d = getenv("XDG_CACHE_HOME")) && *d)
        sub = "/clinit";
    else if ((d = getenv("HOME")) && *d)
        sub = "/.cache/clinit";
    else
        return NULL;
    if (!(out = malloc(strlen(d) + strlen(sub) + 1)))
        return NULL;
    strcpy(out, d);
    strcat(out, sub);
    return out;
}

int clinit_cache_entry_make(clinit_cache_entry *e, cl_platform_id platform,
                            cl_device_id device, const char *src, size_t len,
                            const char *options)
{
    char head[160], *dir;
    size_t klen = 0;
    uint64_t h;
    e->key = e->path = NULL;
    snprintf(head, sizeof head,
             "clinit %s\nsource=%016llx %zu\noptions=%s\n",
             CLINIT_VERSION_STRING,
             (unsigned long long)fnv1a(FNV_BASIS, src, len), len, options);
    if (!(e->key = strdup(head)))
        return -1;
    klen = strlen(head);
    if (add_info(&e->key, &klen, "platform", 0, platform, CL_PLATFORM_NAME) ||
        add_info(&e->key, &klen, "platform_version", 0, platform,
                 CL_PLATFORM_VERSION) ||
        add_info(&e->key, &klen, "vendor", 1, device, CL_DEVICE_VENDOR) ||
        add_info(&e->key, &klen, "device", 1, device, CL_DEVICE_NAME) ||
        add_info(&e->key, &klen, "device_version", 1, device,
                 CL_DEVICE_VERSION) ||
        add_info(&e->key, &klen, "driver", 1, device, CL_DRIVER_VERSION)) {
        clinit_cache_entry_free(e);
        return -1;
    }
    h = fnv1a(FNV_BASIS, e->key, klen);
    if ((dir = cache_dir())) {
        if ((e->path = malloc(strlen(dir) + 32)))
            sprintf(e->path, "%s/%016llx.bin", dir, (unsigned long long)h);
        free(dir);
    }
    return 0;
}

void clinit_cache_entry_free(clinit_cache_entry *e)
{
    free(e->key);
    free(e->path);
    e->key = e->path = NULL;
}

static int read_all(int fd, void *p, size_t n)
{
    unsigned char *b = p;
    while (n) {
        ssize_t r = read(fd, b, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        b += r;
        n -= (size_t)r;
    }
    return 0;
}

static int write_all(int fd, const void *p, size_t n)
{
    const unsigned char *b = p;
    while (n) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The binary of e's file if every check passes, else NULL. */
static unsigned char *load_binary(const clinit_cache_entry *e, size_t *n)
{
    char magic[8];
    uint32_t ver, klen;
    uint64_t blen, hash;
    size_t want = strlen(e->key);
    char *key = NULL;
    unsigned char *bin = NULL;
    int fd = open(e->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    if (read_all(fd, magic, 8) || memcmp(magic, MAGIC, 8) ||
        read_all(fd, &ver, 4) || ver != FORMAT_VERSION ||
        read_all(fd, &klen, 4) || klen != want || klen > MAX_KEY ||
        !(key = malloc(klen)) || read_all(fd, key, klen) ||
        memcmp(key, e->key, klen) || read_all(fd, &blen, 8) ||
        read_all(fd, &hash, 8) || blen == 0 || blen > MAX_BINARY ||
        !(bin = malloc((size_t)blen)) || read_all(fd, bin, (size_t)blen) ||
        fnv1a(FNV_BASIS, bin, (size_t)blen) != hash) {
        free(bin);
        bin = NULL;
    }
    free(key);
    close(fd);
    *n = bin ? (size_t)blen : 0;
    return bin;
}

cl_program clinit_cache_load(const clinit_cache_entry *e, cl_context context,
                             cl_device_id device, const char *options)
{
    size_t n;
    unsigned char *bin;
    const unsigned char *bins[1];
    cl_int st = CL_SUCCESS, err;
    cl_program prog;
    if (!e->path || !(bin = load_binary(e, &n)))
        return NULL;
    bins[0] = bin;
    prog = clCreateProgramWithBinary(context, 1, &device, &n, bins, &st, &err);
    free(bin);
    if (!prog)
        return NULL;
    if (err != CL_SUCCESS || st != CL_SUCCESS ||
        clBuildProgram(prog, 1, &device, options, NULL, NULL) != CL_SUCCESS) {
        clReleaseProgram(prog);
        return NULL;
    }
    return prog;
}

/* mkdir -p of path's folder (mode 0700 for what it creates). */
static int make_dirs(const char *path)
{
    char *p = strdup(path);
    int rc = 0;
    if (!p)
        return -1;
    for (char *s = p + 1; *s && rc == 0; s++)
        if (*s == '/') {
            *s = 0;
            if (mkdir(p, 0700) != 0 && errno != EEXIST)
                rc = -1;
            *s = '/';
        }
    free(p);
    return rc;
}

static int write_file(int fd, const clinit_cache_entry *e,
                      const unsigned char *bin, size_t n)
{
    uint32_t ver = FORMAT_VERSION, klen = (uint32_t)strlen(e->key);
    uint64_t blen = n, hash = fnv1a(FNV_BASIS, bin, n);
    return write_all(fd, MAGIC, 8) || write_all(fd, &ver, 4) ||
           write_all(fd, &klen, 4) || write_all(fd, e->key, klen) ||
           write_all(fd, &blen, 8) || write_all(fd, &hash, 8) ||
           write_all(fd, bin, n);
}

void clinit_cache_store(const clinit_cache_entry *e, cl_program prog)
{
    size_t n = 0;
    unsigned char *bin, *bins[1];
    char *tmp;
    int fd;
    if (!e->path || strlen(e->key) > MAX_KEY ||
        clGetProgramInfo(prog, CL_PROGRAM_BINARY_SIZES, sizeof n, &n, NULL) !=
            CL_SUCCESS ||
        n == 0 || n > MAX_BINARY || !(bin = malloc(n)))
        return;
    bins[0] = bin;
    if (clGetProgramInfo(prog, CL_PROGRAM_BINARIES, sizeof bins, bins, NULL) !=
            CL_SUCCESS ||
        make_dirs(e->path) || !(tmp = malloc(strlen(e->path) + 16))) {
        free(bin);
        return;
    }
    sprintf(tmp, "%s.tmp.XXXXXX", e->path);
    if ((fd = mkstemp(tmp)) >= 0) {
        int bad = write_file(fd, e, bin, n);
        bad |= close(fd);
        /* rename is atomic: readers see the old file, the new one or none */
        if (bad || rename(tmp, e->path) != 0)
            unlink(tmp);
    }
    free(tmp);
    free(bin);
}
