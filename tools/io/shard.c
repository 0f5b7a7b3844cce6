/* shard.c - sharded safetensors checkpoints; see shard.h. */
#include "shard.h"

#include "utf8.h" /* src/: the model parser's rule for a valid name */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ST_EXT ".safetensors"
#define ST_EXT_LEN (sizeof ST_EXT - 1)

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Whether s ends with suffix, ASCII case ignored. */
static int ends_nocase(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    if (k > n)
        return 0;
    for (size_t i = 0; i < k; i++)
        if (lower((unsigned char)s[n - k + i]) != suffix[i])
            return 0;
    return 1;
}

int clinit_shard_parse_size(const char *s, uint64_t *out)
{
    static const struct {
        const char *unit; /* lowercase */
        uint64_t mul;
        int bits_if_lower_b; /* "5Gb": bits */
    } units[] = {{"tib", (uint64_t)1 << 40, 0},
                 {"gib", (uint64_t)1 << 30, 0},
                 {"mib", (uint64_t)1 << 20, 0},
                 {"kib", (uint64_t)1 << 10, 0},
                 {"tb", UINT64_C(1000000000000), 1},
                 {"gb", 1000000000, 1},
                 {"mb", 1000000, 1},
                 {"kb", 1000, 1}};
    size_t n, digits = 0;
    uint64_t v = 0, mul = 1;
    int bits = 0;
    if (!s || !out)
        return 0;
    n = strlen(s);
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++)
        if (ends_nocase(s, n, units[u].unit)) {
            mul = units[u].mul;
            bits = units[u].bits_if_lower_b && s[n - 1] == 'b';
            n -= strlen(units[u].unit);
            break;
        }
    for (; digits < n; digits++) {
        unsigned d = (unsigned)(unsigned char)s[digits] - '0';
        if (d > 9 || v > (UINT64_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    if (digits == 0 || v == 0 || v > UINT64_MAX / mul)
        return 0;
    v *= mul;
    if (bits)
        v /= 8;
    if (v == 0)
        return 0;
    *out = v;
    return 1;
}

clinit_status clinit_shard_assign(const uint64_t *bytes, size_t n, uint64_t max,
                                  size_t *shard_of, size_t *nshards)
{
    /* groups are opened in spec order and numbered when closed */
    size_t *pos, groups = 0, closed = 0, open = (size_t)-1;
    uint64_t size = 0;
    if ((n > 0 && (!bytes || !shard_of)) || !nshards)
        return CLINIT_ENULL;
    *nshards = 0;
    if (n == 0)
        return CLINIT_OK;
    if (!(pos = malloc(n * sizeof *pos)))
        return CLINIT_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (bytes[i] > max) { /* its own shard, closed at once */
            pos[groups] = closed++;
            shard_of[i] = groups++;
            continue;
        }
        if (open != (size_t)-1 && bytes[i] > max - size) {
            pos[open] = closed++;
            open = (size_t)-1;
        }
        if (open == (size_t)-1) {
            open = groups++;
            size = 0;
        }
        shard_of[i] = open;
        size += bytes[i];
    }
    if (open != (size_t)-1)
        pos[open] = closed++;
    for (size_t i = 0; i < n; i++)
        shard_of[i] = pos[shard_of[i]];
    free(pos);
    *nshards = closed;
    return CLINIT_OK;
}

int clinit_shard_target_ok(const char *path)
{
    size_t n = path ? strlen(path) : 0;
    return n > ST_EXT_LEN && path[n - ST_EXT_LEN - 1] != '/' &&
           ends_nocase(path, n, ST_EXT);
}

char *clinit_shard_path(const char *target, size_t i, size_t k, int index)
{
    size_t n = strlen(target), stem = n >= ST_EXT_LEN ? n - ST_EXT_LEN : n;
    size_t cap = n + 64;
    char *p = malloc(cap);
    if (!p)
        return NULL;
    if (index)
        snprintf(p, cap, "%s.index.json", target);
    else
        snprintf(p, cap, "%.*s-%05zu-of-%05zu%s", (int)stem, target, i + 1, k,
                 target + stem);
    return p;
}

/* A growing string; `bad` sticks (1 out of memory, 2 invalid UTF-8). */
typedef struct jbuf {
    char *p;
    size_t len, cap;
    int bad;
} jbuf;

static void jb_put(jbuf *b, const char *s, size_t n)
{
    if (b->bad)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 4096;
        char *np;
        while (nc < b->len + n + 1)
            nc *= 2;
        if (!(np = realloc(b->p, nc))) {
            b->bad = 1;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void jb_str(jbuf *b, const char *s)
{
    jb_put(b, s, strlen(s));
}

/* s as Python's json.dumps writes a str (ensure_ascii). */
static void jb_json(jbuf *b, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    char e[16];
    jb_put(b, "\"", 1);
    while (*u) {
        uint32_t cp;
        size_t n = clinit_utf8_len(u, &cp);
        if (n == 0) {
            b->bad = b->bad ? b->bad : 2;
            return;
        }
        u += n;
        if (cp == '"' || cp == '\\') {
            e[0] = '\\';
            e[1] = (char)cp;
            jb_put(b, e, 2);
        } else if (cp == '\n' || cp == '\r' || cp == '\t' || cp == '\b' ||
                   cp == '\f') {
            e[0] = '\\';
            e[1] = cp == '\n'   ? 'n'
                   : cp == '\r' ? 'r'
                   : cp == '\t' ? 't'
                   : cp == '\b' ? 'b'
                                : 'f';
            jb_put(b, e, 2);
        } else if (cp >= 0x20 && cp < 0x7f + 1) {
            e[0] = (char)cp;
            jb_put(b, e, 1);
        } else if (cp < 0x10000) {
            jb_put(b, e, (size_t)snprintf(e, sizeof e, "\\u%04x", cp));
        } else {
            uint32_t v = cp - 0x10000;
            jb_put(b, e,
                   (size_t)snprintf(e, sizeof e, "\\u%04x\\u%04x",
                                    0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff)));
        }
    }
    jb_put(b, "\"", 1);
}

static const char *const *sort_names; /* qsort's context */

static int by_name(const void *a, const void *b)
{
    return strcmp(sort_names[*(const size_t *)a],
                  sort_names[*(const size_t *)b]);
}

clinit_status clinit_shard_index(const char *const *names,
                                 const size_t *shard_of, size_t n, size_t k,
                                 uint64_t total_size, const char *target,
                                 char **out, size_t *len)
{
    jbuf b = {NULL, 0, 0, 0};
    size_t *ord;
    char num[32];
    if (!out || !len || !target || (n > 0 && (!names || !shard_of)))
        return CLINIT_ENULL;
    if (!(ord = malloc((n ? n : 1) * sizeof *ord)))
        return CLINIT_ENOMEM;
    for (size_t i = 0; i < n; i++)
        ord[i] = i;
    sort_names = names; /* byte order of UTF-8 is code point order */
    qsort(ord, n, sizeof *ord, by_name);
    snprintf(num, sizeof num, "%llu", (unsigned long long)total_size);
    jb_str(&b, "{\n  \"metadata\": {\n    \"total_size\": ");
    jb_str(&b, num);
    jb_str(&b, "\n  },\n  \"weight_map\": {");
    for (size_t j = 0; j < n; j++) {
        char *p = clinit_shard_path(target, shard_of[ord[j]], k, 0);
        const char *base = p ? strrchr(p, '/') : NULL;
        if (!p) {
            b.bad = 1;
            break;
        }
        jb_str(&b, j ? ",\n    " : "\n    ");
        jb_json(&b, names[ord[j]]);
        jb_str(&b, ": ");
        jb_json(&b, base ? base + 1 : p);
        free(p);
    }
    jb_str(&b, n ? "\n  }\n}\n" : "}\n}\n");
    free(ord);
    if (b.bad) {
        free(b.p);
        return b.bad == 1 ? CLINIT_ENOMEM : CLINIT_EPARAM;
    }
    *out = b.p;
    *len = b.len;
    return CLINIT_OK;
}
