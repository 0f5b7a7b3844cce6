/* test_gguf_writer.c - the GGUF writer (tools/io/gguf.c) through the
 * writer interface (tools/io/writer.h): known-answer bytes of a small file
 * (written out by hand from the GGUF v3 layout), the encoding of every
 * value type, appends split anywhere (across tensors too), and every
 * refused input returning its status with the target untouched and no
 * temporary left. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "writer.h"

static char dir[128];
static char target[160];
static const char old_bytes[] = "old file";

static void setup(void)
{
    FILE *f;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/clinit-gguf-XXXXXX",
             tmp && *tmp && strlen(tmp) < 100 ? tmp : "/tmp");
    cr_assert(mkdtemp(dir) != NULL);
    snprintf(target, sizeof target, "%s/out.gguf", dir);
    cr_assert((f = fopen(target, "wb")) != NULL);
    fwrite(old_bytes, 1, sizeof old_bytes, f);
    fclose(f);
}

static void teardown(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        char p[512];
        if (e->d_name[0] == '.' && (!e->d_name[1] || e->d_name[1] == '.'))
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

TestSuite(gguf_writer, .init = setup, .fini = teardown);

/* The target's bytes (malloc'd) and their count. */
static unsigned char *slurp(size_t *n)
{
    FILE *f = fopen(target, "rb");
    unsigned char *p;
    long len;
    cr_assert(f != NULL);
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    rewind(f);
    p = malloc((size_t)len + 1);
    cr_assert(p != NULL);
    cr_assert_eq(fread(p, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return p;
}

/* The old file is there, byte for byte, and nothing else. */
static void expect_untouched(void)
{
    size_t n;
    unsigned char *p = slurp(&n);
    DIR *d = opendir(dir);
    struct dirent *e;
    int files = 0;
    cr_expect_eq(n, sizeof old_bytes);
    cr_expect(n == sizeof old_bytes && memcmp(p, old_bytes, n) == 0,
              "the old file changed");
    free(p);
    while (d && (e = readdir(d)) != NULL)
        files += e->d_name[0] != '.' || strstr(e->d_name, ".tmp-") != NULL;
    closedir(d);
    cr_expect_eq(files, 1, "a temporary was left behind");
}

static const int64_t shape23[] = {2, 3};

Test(gguf_writer, known_answer_bytes)
{
    static const unsigned char hdr[] = {
        'G', 'G', 'U', 'F', 3,   0,   0,   0, /* magic, version 3 */
        1,   0,   0,   0,   0,   0,   0,   0, /* 1 tensor */
        2,   0,   0,   0,   0,   0,   0,   0, /* 2 pairs */
        20,  0,   0,   0,   0,   0,   0,   0, /* key length */
        'g', 'e', 'n', 'e', 'r', 'a', 'l', '.', 'a', 'r', 'c', 'h',
        'i', 't', 'e', 'c', 't', 'u', 'r', 'e', 8,   0,   0,   0, /* string */
        1,   0,   0,   0,   0,   0,   0,   0,   'x',              /* "x" */
        1,   0,   0,   0,   0,   0,   0,   0,   'k',              /* key "k" */
        0,   0,   0,   0,   7,                                    /* u8 7 */
        1,   0,   0,   0,   0,   0,   0,   0,   't', /* tensor "t" */
        2,   0,   0,   0,                            /* 2 dims */
        3,   0,   0,   0,   0,   0,   0,   0,        /* ne[0]: torch's last */
        2,   0,   0,   0,   0,   0,   0,   0,        /* ne[1] */
        0,   0,   0,   0,                            /* F32 */
        0,   0,   0,   0,   0,   0,   0,   0,        /* offset 0 */
        0,   0,   0,   0,   0,   0,   0,   0,        /* 120 -> 128: padding */
    };
    const float data[6] = {1, 2, 3, 4, 5, 6};
    clinit_io_item x = {.u = 7};
    clinit_io_value u8 = {CLINIT_IO_U8, 0, 1, &x};
    clinit_io_meta meta[2] = {{"general.architecture", "x", NULL},
                              {"k", NULL, &u8}};
    clinit_io_tensor t = {"t", CLINIT_F32, 2, shape23};
    clinit_io_writer w;
    unsigned char *p;
    size_t n;
    memset(&w, 0, sizeof w);
    cr_assert_eq(sizeof hdr, 128);
    cr_assert_eq(clinit_io_format_for("A.GGUF", NULL), &clinit_io_gguf);
    cr_assert_str_eq(clinit_io_gguf.name, "gguf");
    cr_assert_eq(clinit_io_create(&w, &clinit_io_gguf, target, meta, 2, &t, 1),
                 CLINIT_OK);
    cr_assert_eq(clinit_io_append(&w, data, sizeof data), CLINIT_OK);
    cr_assert_eq(clinit_io_finish(&w), CLINIT_OK);
    p = slurp(&n);
    cr_assert_eq(n, 128 + 32, "size %zu", n);
    cr_expect(memcmp(p, hdr, sizeof hdr) == 0, "header bytes differ");
    cr_expect(memcmp(p + 128, data, sizeof data) == 0);
    for (size_t i = 128 + sizeof data; i < n; i++)
        cr_expect_eq(p[i], 0, "padding byte %zu", i);
    free(p);
}

/* Bytes of the value of the only pair of a file without tensors: after
 * the 24-byte preamble, the key "v" (9 bytes) and the u32 type. */
static unsigned char *value_bytes(const clinit_io_value *v, size_t *n)
{
    clinit_io_meta m = {"v", NULL, v};
    clinit_io_writer w;
    unsigned char *p;
    memset(&w, 0, sizeof w);
    cr_assert_eq(clinit_io_create(&w, &clinit_io_gguf, target, &m, 1, NULL, 0),
                 CLINIT_OK);
    cr_assert_eq(clinit_io_finish(&w), CLINIT_OK);
    p = slurp(n);
    cr_assert_geq(*n, 24 + 9 + 4);
    *n -= 24 + 9;
    memmove(p, p + 24 + 9, *n);
    return p;
}

Test(gguf_writer, every_value_type)
{
    static const struct {
        clinit_io_vtype t;
        clinit_io_item it;
        size_t n;
        unsigned char bytes[12];
    } cases[] = {
        {CLINIT_IO_U8, {.u = 255}, 5, {0, 0, 0, 0, 0xff}},
        {CLINIT_IO_I8, {.i = -2}, 5, {1, 0, 0, 0, 0xfe}},
        {CLINIT_IO_U16, {.u = 0x1234}, 6, {2, 0, 0, 0, 0x34, 0x12}},
        {CLINIT_IO_I16, {.i = -2}, 6, {3, 0, 0, 0, 0xfe, 0xff}},
        {CLINIT_IO_U32, {.u = 0x01020304}, 8, {4, 0, 0, 0, 4, 3, 2, 1}},
        {CLINIT_IO_I32, {.i = -1}, 8, {5, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}},
        {CLINIT_IO_F32, {.f = 0.5}, 8, {6, 0, 0, 0, 0, 0, 0, 0x3f}},
        {CLINIT_IO_BOOL, {.u = 1}, 5, {7, 0, 0, 0, 1}},
        {CLINIT_IO_U64,
         {.u = UINT64_MAX},
         12,
         {10, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
        {CLINIT_IO_I64,
         {.i = INT64_MIN},
         12,
         {11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80}},
        {CLINIT_IO_F64,
         {.f = 2.0},
         12,
         {12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x40}},
    };
    static const unsigned char arr[] = {
        9, 0, 0, 0, 8, 0, 0, 0, /* of string */
        2, 0, 0, 0, 0, 0, 0, 0, /* 2 items */
        2, 0, 0, 0, 0, 0, 0, 0, 'a', 'b', 0, 0, 0, 0, 0, 0, 0, 0}; /* "" */
    clinit_io_item strs[2] = {{.s = "ab"}, {.s = ""}};
    clinit_io_value sv = {CLINIT_IO_STRING, 1, 2, strs};
    unsigned char *p;
    size_t n;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clinit_io_value v = {cases[i].t, 0, 1, &cases[i].it};
        p = value_bytes(&v, &n);
        cr_expect(n >= cases[i].n && memcmp(p, cases[i].bytes, cases[i].n) == 0,
                  "type %s", clinit_io_vtype_name(cases[i].t));
        free(p);
    }
    p = value_bytes(&sv, &n);
    cr_expect(n >= sizeof arr && memcmp(p, arr, sizeof arr) == 0);
    free(p);
}

/* Two tensors (f16 [3], bf16 [5]: 6 and 10 bytes, both padded to 32) with
 * the data appended in pieces of `step` bytes. */
static unsigned char *split_file(size_t step, size_t *n)
{
    static const int64_t s3[] = {3}, s5[] = {5};
    clinit_io_tensor t[2] = {{"a", CLINIT_F16, 1, s3},
                             {"b", CLINIT_BF16, 1, s5}};
    clinit_io_meta m = {"general.architecture", "x", NULL};
    unsigned char data[16];
    clinit_io_writer w;
    for (int i = 0; i < 16; i++)
        data[i] = (unsigned char)(i + 1);
    memset(&w, 0, sizeof w);
    cr_assert_eq(clinit_io_create(&w, &clinit_io_gguf, target, &m, 1, t, 2),
                 CLINIT_OK);
    for (size_t off = 0; off < 16; off += step)
        cr_assert_eq(
            clinit_io_append(&w, data + off, off + step < 16 ? step : 16 - off),
            CLINIT_OK);
    cr_assert_eq(clinit_io_finish(&w), CLINIT_OK);
    return slurp(n);
}

Test(gguf_writer, appends_split_anywhere)
{
    size_t n1, n;
    unsigned char *one = split_file(16, &n1);
    size_t data = n1 - 64;
    cr_assert_eq(n1 % 32, 0);
    cr_expect_eq(one[data + 0], 1);
    cr_expect_eq(one[data + 6], 0, "padding after the first tensor");
    cr_expect_eq(one[data + 32], 7, "the second tensor at offset 32");
    for (size_t step = 1; step < 16; step++) {
        unsigned char *p = split_file(step, &n);
        cr_expect(n == n1 && memcmp(p, one, n) == 0, "step %zu", step);
        free(p);
    }
    free(one);
}

Test(gguf_writer, alignment_from_the_metadata)
{
    clinit_io_item a = {.u = 64};
    clinit_io_value av = {CLINIT_IO_U32, 0, 1, &a};
    clinit_io_meta m = {"general.alignment", NULL, &av};
    clinit_io_tensor t = {"t", CLINIT_F32, 2, shape23};
    float data[6] = {0};
    clinit_io_writer w;
    size_t n;
    unsigned char *p;
    memset(&w, 0, sizeof w);
    cr_assert_eq(clinit_io_create(&w, &clinit_io_gguf, target, &m, 1, &t, 1),
                 CLINIT_OK);
    cr_assert_eq(clinit_io_append(&w, data, sizeof data), CLINIT_OK);
    cr_assert_eq(clinit_io_finish(&w), CLINIT_OK);
    p = slurp(&n);
    /* 24 + 33 (the pair) + 41 (the info) = 98 bytes of header, padded to
     * 128; 24 bytes of data padded to 64 */
    cr_expect_eq(n, 192, "size %zu", n);
    for (size_t i = 98; i < 128 && i < n; i++)
        cr_expect_eq(p[i], 0, "header padding byte %zu", i);
    free(p);
}

Test(gguf_writer, refused_before_anything_is_created)
{
    static const int64_t s5[] = {1, 1, 1, 1, 1}, s0[] = {2, 0};
    char name64[65];
    clinit_io_item big = {.u = 256}, al = {.u = 48}, one = {.u = 1};
    clinit_io_value u8big = {CLINIT_IO_U8, 0, 1, &big};
    clinit_io_value al48 = {CLINIT_IO_U32, 0, 1, &al};
    clinit_io_value al64 = {CLINIT_IO_U64, 0, 1, &one};
    clinit_io_value nested = {CLINIT_IO_ARRAY, 1, 1, &one};
    clinit_io_value two = {CLINIT_IO_U8, 0, 2, &one};
    const struct {
        clinit_io_meta m;
        clinit_io_tensor t;
        clinit_status st;
        int refused; /* the format's refuse() names the tensor */
    } cases[] = {
        {{"k", "v", NULL}, {"t", CLINIT_F64, 2, shape23}, CLINIT_EDTYPE, 1},
        {{"k", "v", NULL}, {"t", CLINIT_F8E4M3, 2, shape23}, CLINIT_EDTYPE, 1},
        {{"k", "v", NULL}, {"t", CLINIT_F32, 5, s5}, CLINIT_ESHAPE, 1},
        {{"k", "v", NULL}, {"t", CLINIT_F32, 2, s0}, CLINIT_ESHAPE, 0},
        {{"k", "v", NULL}, {name64, CLINIT_F32, 2, shape23}, CLINIT_EPARAM, 1},
        {{"k", "v", NULL}, {"\xff", CLINIT_F32, 2, shape23}, CLINIT_EPARAM, 0},
        {{"k", NULL, &u8big}, {"t", CLINIT_F32, 2, shape23}, CLINIT_EPARAM, 0},
        {{"k", NULL, &nested}, {"t", CLINIT_F32, 2, shape23}, CLINIT_EPARAM, 0},
        {{"k", NULL, &two}, {"t", CLINIT_F32, 2, shape23}, CLINIT_ENULL, 0},
        {{"k", NULL, NULL}, {"t", CLINIT_F32, 2, shape23}, CLINIT_ENULL, 0},
        {{"", "v", NULL}, {"t", CLINIT_F32, 2, shape23}, CLINIT_EPARAM, 0},
        {{"k", "\xc0\x80", NULL},
         {"t", CLINIT_F32, 2, shape23},
         CLINIT_EPARAM,
         0},
        {{"general.alignment", NULL, &al48},
         {"t", CLINIT_F32, 2, shape23},
         CLINIT_EPARAM,
         0},
        {{"general.alignment", NULL, &al64},
         {"t", CLINIT_F32, 2, shape23},
         CLINIT_EPARAM,
         0},
        {{"general.alignment", "32", NULL},
         {"t", CLINIT_F32, 2, shape23},
         CLINIT_EPARAM,
         0},
    };
    memset(name64, 'n', 64);
    name64[64] = '\0';
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clinit_io_writer w;
        memset(&w, 0, sizeof w);
        cr_expect_eq(clinit_io_create(&w, &clinit_io_gguf, target, &cases[i].m,
                                      1, &cases[i].t, 1),
                     cases[i].st, "case %zu", i);
        cr_expect_eq(clinit_io_gguf.refuse(&cases[i].t) != NULL,
                     cases[i].refused, "case %zu", i);
        clinit_io_abort(&w);
    }
    {
        /* duplicate keys */
        clinit_io_meta m[3] = {
            {"a", "1", NULL}, {"b", "2", NULL}, {"a", "3", NULL}};
        clinit_io_tensor t = {"t", CLINIT_F32, 2, shape23};
        clinit_io_writer w;
        memset(&w, 0, sizeof w);
        cr_expect_eq(clinit_io_create(&w, &clinit_io_gguf, target, m, 3, &t, 1),
                     CLINIT_EPARAM);
    }
    {
        /* safetensors holds string metadata only */
        clinit_io_meta m = {"k", NULL, &u8big};
        clinit_io_tensor t = {"t", CLINIT_F32, 2, shape23};
        clinit_io_writer w;
        memset(&w, 0, sizeof w);
        cr_expect_eq(
            clinit_io_create(&w, &clinit_io_safetensors, target, &m, 1, &t, 1),
            CLINIT_ENULL);
    }
    expect_untouched();
}

Test(gguf_writer, too_many_or_too_few_bytes_leave_the_target)
{
    clinit_io_tensor t = {"t", CLINIT_F32, 2, shape23};
    clinit_io_meta m = {"general.architecture", "x", NULL};
    float data[7] = {0};
    clinit_io_writer w;
    memset(&w, 0, sizeof w);
    cr_assert_eq(clinit_io_create(&w, &clinit_io_gguf, target, &m, 1, &t, 1),
                 CLINIT_OK);
    cr_expect_eq(clinit_io_append(&w, data, sizeof data), CLINIT_ERANGE);
    cr_expect_eq(clinit_io_append(&w, data, 4), CLINIT_ENULL, "closed");
    clinit_io_abort(&w);
    expect_untouched();

    memset(&w, 0, sizeof w);
    cr_assert_eq(clinit_io_create(&w, &clinit_io_gguf, target, &m, 1, &t, 1),
                 CLINIT_OK);
    cr_expect_eq(clinit_io_append(&w, data, 20), CLINIT_OK);
    cr_expect_eq(clinit_io_finish(&w), CLINIT_ERANGE);
    clinit_io_abort(&w);
    expect_untouched();

    memset(&w, 0, sizeof w);
    cr_assert_eq(clinit_io_create(&w, &clinit_io_gguf, target, &m, 1, &t, 1),
                 CLINIT_OK);
    clinit_io_abort(&w);
    clinit_io_abort(&w);
    expect_untouched();
}
