/* test_cache.c - the OpenCL program-binary cache (host/cache.h): a second
 * context loads the program from the cache and gives the same bits; a
 * corrupt, truncated or foreign file is ignored and replaced; concurrent
 * processes leave one whole file; CLINIT_CACHE=0 and an unusable folder
 * build from source. */
#define _XOPEN_SOURCE 700 /* mkdtemp, setenv */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

TestSuite(cache, .timeout = 300);

enum { N = 4099 };

/* A fresh cache folder, named by CLINIT_CACHE_DIR. */
static void fresh_dir(char *dir, size_t cap)
{
    snprintf(dir, cap, "%s/clinit-cache-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    cr_assert(mkdtemp(dir));
    cr_assert_eq(setenv("CLINIT_CACHE_DIR", dir, 1), 0);
    unsetenv("CLINIT_CACHE");
}

/* Files in dir: *bins ending in .bin, *others anything else. */
static void count_files(const char *dir, int *bins, int *others, char *bin,
                        size_t cap)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    *bins = *others = 0;
    cr_assert(d);
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (e->d_name[0] == '.')
            continue;
        if (n > 4 && strcmp(e->d_name + n - 4, ".bin") == 0) {
            ++*bins;
            if (bin)
                snprintf(bin, cap, "%s/%s", dir, e->d_name);
        } else {
            ++*others;
        }
    }
    closedir(d);
}

/* A context's normal f32 fill of N elements; *cached says whether its
 * program came from the cache. */
static void fill_once(float *out, int *cached)
{
    clinit_ctx *ctx = test_opencl_ctx();
    const int64_t shape[1] = {N};
    clinit_tensor t = test_tensor(1, shape, 7, 3);
    clinit_init in = test_init(CLINIT_NORMAL);
    cl_mem b = test_buffer(ctx, N * 4, 0);
    cr_assert_eq(clinit_ctx_warmup(ctx), CLINIT_OK, "%s",
                 clinit_ctx_build_log(ctx));
    cr_assert_eq(clinit_enqueue_fill(ctx, &t, &in, 0, N, b, 0, 0, NULL, NULL),
                 CLINIT_OK);
    test_read(ctx, b, 0, N * 4, out);
    *cached = clinit_debug_program_cached(ctx);
    clReleaseMemObject(b);
    clinit_ctx_destroy(ctx);
}

static void host_fill(float *out)
{
    const int64_t shape[1] = {N};
    clinit_tensor t = test_tensor(1, shape, 7, 3);
    clinit_init in = test_init(CLINIT_NORMAL);
    cr_assert_eq(clinit_fill_host(NULL, &t, &in, 0, N, out), CLINIT_OK);
}

Test(cache, second_context_loads_the_program_and_gives_the_same_bits)
{
    static float a[N], b[N], h[N];
    char dir[512];
    int cached, bins, others;
    fresh_dir(dir, sizeof dir);
    host_fill(h);
    fill_once(a, &cached);
    cr_expect_eq(cached, 0, "an empty cache cannot hold the program");
    count_files(dir, &bins, &others, NULL, 0);
    cr_assert_eq(bins, 1, "the build is stored: %d files", bins);
    cr_expect_eq(others, 0, "no temporary file is left");
    fill_once(b, &cached);
    cr_expect_eq(cached, 1, "the second context loads the stored binary");
    cr_expect_arr_eq(a, h, sizeof a);
    cr_expect_arr_eq(b, h, sizeof b);
}

/* Damages the cache file (flips byte `at` from the end, or truncates to
 * `keep` bytes when keep >= 0) and checks the next context rebuilds,
 * gives the same bits and repairs the file. */
static void damaged(long at, long keep)
{
    static float a[N], h[N];
    char dir[512], bin[1024];
    int cached, bins, others, fd;
    struct stat st;
    fresh_dir(dir, sizeof dir);
    host_fill(h);
    fill_once(a, &cached);
    count_files(dir, &bins, &others, bin, sizeof bin);
    cr_assert_eq(bins, 1);
    cr_assert_eq(stat(bin, &st), 0);
    fd = open(bin, O_RDWR);
    cr_assert(fd >= 0);
    if (keep >= 0) {
        cr_assert_eq(ftruncate(fd, keep), 0);
    } else {
        unsigned char c;
        cr_assert_eq(pread(fd, &c, 1, st.st_size - at), 1);
        c ^= 0x40;
        cr_assert_eq(pwrite(fd, &c, 1, st.st_size - at), 1);
    }
    close(fd);
    memset(a, 0, sizeof a);
    fill_once(a, &cached);
    cr_expect_eq(cached, 0, "a damaged file is not used");
    cr_expect_arr_eq(a, h, sizeof a);
    fill_once(a, &cached);
    cr_expect_eq(cached, 1, "the rebuild replaced the damaged file");
    cr_expect_arr_eq(a, h, sizeof a);
}

Test(cache, a_flipped_binary_byte_is_ignored_and_replaced)
{
    damaged(1, -1);
}

Test(cache, a_truncated_file_is_ignored_and_replaced)
{
    damaged(0, 40);
}

Test(cache, an_empty_file_is_ignored_and_replaced)
{
    damaged(0, 0);
}

Test(cache, off_builds_from_source_and_stores_nothing)
{
    static float a[N], h[N];
    char dir[512];
    int cached, bins, others;
    fresh_dir(dir, sizeof dir);
    cr_assert_eq(setenv("CLINIT_CACHE", "0", 1), 0);
    host_fill(h);
    fill_once(a, &cached);
    fill_once(a, &cached);
    cr_expect_eq(cached, 0);
    count_files(dir, &bins, &others, NULL, 0);
    cr_expect_eq(bins + others, 0, "CLINIT_CACHE=0 writes nothing");
    cr_expect_arr_eq(a, h, sizeof a);
}

Test(cache, an_unusable_folder_builds_from_source)
{
    static float a[N], h[N];
    char dir[512], file[600];
    int cached, fd;
    fresh_dir(dir, sizeof dir);
    /* the cache folder's parent is a file: nothing can be created */
    snprintf(file, sizeof file, "%s/plain", dir);
    fd = open(file, O_CREAT | O_WRONLY, 0600);
    cr_assert(fd >= 0);
    close(fd);
    snprintf(file, sizeof file, "%s/plain/sub", dir);
    cr_assert_eq(setenv("CLINIT_CACHE_DIR", file, 1), 0);
    host_fill(h);
    fill_once(a, &cached);
    cr_expect_eq(cached, 0);
    cr_expect_arr_eq(a, h, sizeof a);
}

Test(cache, concurrent_processes_leave_one_whole_file)
{
    static float a[N], h[N];
    enum { P = 4 };
    char dir[512];
    pid_t pid[P];
    int cached, bins, others;
    fresh_dir(dir, sizeof dir);
    host_fill(h);
    for (int i = 0; i < P; i++) {
        pid[i] = fork();
        cr_assert(pid[i] >= 0);
        if (pid[i] == 0) {
            static float c[N];
            int k;
            fill_once(c, &k);
            _exit(memcmp(c, h, sizeof c) != 0);
        }
    }
    for (int i = 0; i < P; i++) {
        int status = 0;
        cr_assert_eq(waitpid(pid[i], &status, 0), pid[i]);
        cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "process %d: status %#x", i, status);
    }
    count_files(dir, &bins, &others, NULL, 0);
    cr_expect_eq(bins, 1);
    cr_expect_eq(others, 0, "no temporary file is left");
    fill_once(a, &cached);
    cr_expect_eq(cached, 1, "the file the processes left is whole");
    cr_expect_arr_eq(a, h, sizeof a);
}
