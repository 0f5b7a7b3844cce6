/* utf8.h - strict UTF-8 decoding shared by the model parser (names must
 * be valid UTF-8) and the safetensors writer (which refuses anything
 * else), so that both agree on what a valid name is. Internal; not
 * installed. */
#ifndef CLINIT_UTF8_H
#define CLINIT_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length (1..4) of the valid UTF-8 sequence at s, 0 if invalid (overlong,
 * surrogate, above U+10FFFF, truncated: never reads past a NUL); *cp gets
 * the code point. */
static inline size_t clinit_utf8_len(const unsigned char *s, uint32_t *cp)
{
    size_t n;
    uint32_t c;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xe0) == 0xc0) {
        n = 2;
        c = s[0] & 0x1f;
    } else if ((s[0] & 0xf0) == 0xe0) {
        n = 3;
        c = s[0] & 0x0f;
    } else if ((s[0] & 0xf8) == 0xf0) {
        n = 4;
        c = s[0] & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3f);
    }
    if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) ||
        (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
        (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return n;
}

#endif /* CLINIT_UTF8_H */
