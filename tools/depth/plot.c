/* plot.c - `clinit depth --plot`: a raster, a 5x7 font, line drawing and
 * a PNG encoder of our own (stored deflate blocks: no plotting or
 * compression dependency), written crash-safe (fileio.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "depth.h"
#include "fileio.h"

typedef struct raster {
    int w, h;
    unsigned char *px; /* RGB, row-major */
} raster;

typedef struct rgb {
    unsigned char r, g, b;
} rgb;

/* Printable ASCII 32..126, 7 rows of 5 pixels each, bit 4 = leftmost;
 * g p q y are drawn 2 rows lower (descenders), so lines are 9 rows. */
static const unsigned char font5x7[95][7] = {
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /* ' ' */
    {0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x04}, /* '!' */
    {0x0a, 0x0a, 0x0a, 0x00, 0x00, 0x00, 0x00}, /* '"' */
    {0x0a, 0x0a, 0x1f, 0x0a, 0x1f, 0x0a, 0x0a}, /* '#' */
    {0x04, 0x0f, 0x14, 0x0e, 0x05, 0x1e, 0x04}, /* '$' */
    {0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03}, /* '%' */
    {0x0c, 0x12, 0x14, 0x08, 0x15, 0x12, 0x0d}, /* '&' */
    {0x04, 0x04, 0x08, 0x00, 0x00, 0x00, 0x00}, /* "'" */
    {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02}, /* '(' */
    {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08}, /* ')' */
    {0x00, 0x04, 0x15, 0x0e, 0x15, 0x04, 0x00}, /* star */
    {0x00, 0x04, 0x04, 0x1f, 0x04, 0x04, 0x00}, /* '+' */
    {0x00, 0x00, 0x00, 0x00, 0x0c, 0x04, 0x08}, /* ',' */
    {0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00}, /* '-' */
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x0c}, /* '.' */
    {0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00}, /* slash */
    {0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e}, /* '0' */
    {0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e}, /* '1' */
    {0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f}, /* '2' */
    {0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e}, /* '3' */
    {0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02}, /* '4' */
    {0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e}, /* '5' */
    {0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e}, /* '6' */
    {0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}, /* '7' */
    {0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e}, /* '8' */
    {0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c}, /* '9' */
    {0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x0c, 0x00}, /* ':' */
    {0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x04, 0x08}, /* ';' */
    {0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02}, /* '<' */
    {0x00, 0x00, 0x1f, 0x00, 0x1f, 0x00, 0x00}, /* '=' */
    {0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08}, /* '>' */
    {0x0e, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04}, /* '?' */
    {0x0e, 0x11, 0x01, 0x0d, 0x15, 0x15, 0x0e}, /* '@' */
    {0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11}, /* 'A' */
    {0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e}, /* 'B' */
    {0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e}, /* 'C' */
    {0x1c, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1c}, /* 'D' */
    {0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f}, /* 'E' */
    {0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10}, /* 'F' */
    {0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f}, /* 'G' */
    {0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11}, /* 'H' */
    {0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e}, /* 'I' */
    {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c}, /* 'J' */
    {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11}, /* 'K' */
    {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f}, /* 'L' */
    {0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11}, /* 'M' */
    {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11}, /* 'N' */
    {0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e}, /* 'O' */
    {0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10}, /* 'P' */
    {0x0e, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0d}, /* 'Q' */
    {0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11}, /* 'R' */
    {0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e}, /* 'S' */
    {0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}, /* 'T' */
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e}, /* 'U' */
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x0a, 0x04}, /* 'V' */
    {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0a}, /* 'W' */
    {0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11}, /* 'X' */
    {0x11, 0x11, 0x0a, 0x04, 0x04, 0x04, 0x04}, /* 'Y' */
    {0x1f, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1f}, /* 'Z' */
    {0x0e, 0x08, 0x08, 0x08, 0x08, 0x08, 0x0e}, /* '[' */
    {0x00, 0x10, 0x08, 0x04, 0x02, 0x01, 0x00}, /* backslash */
    {0x0e, 0x02, 0x02, 0x02, 0x02, 0x02, 0x0e}, /* ']' */
    {0x04, 0x0a, 0x11, 0x00, 0x00, 0x00, 0x00}, /* '^' */
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1f}, /* '_' */
    {0x08, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00}, /* '`' */
    {0x00, 0x00, 0x0e, 0x01, 0x0f, 0x11, 0x0f}, /* 'a' */
    {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1e}, /* 'b' */
    {0x00, 0x00, 0x0e, 0x10, 0x10, 0x11, 0x0e}, /* 'c' */
    {0x01, 0x01, 0x0d, 0x13, 0x11, 0x11, 0x0f}, /* 'd' */
    {0x00, 0x00, 0x0e, 0x11, 0x1f, 0x10, 0x0e}, /* 'e' */
    {0x06, 0x09, 0x08, 0x1c, 0x08, 0x08, 0x08}, /* 'f' */
    {0x0f, 0x11, 0x11, 0x11, 0x0f, 0x01, 0x0e}, /* 'g' */
    {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11}, /* 'h' */
    {0x04, 0x00, 0x0c, 0x04, 0x04, 0x04, 0x0e}, /* 'i' */
    {0x02, 0x00, 0x06, 0x02, 0x02, 0x12, 0x0c}, /* 'j' */
    {0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12}, /* 'k' */
    {0x0c, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e}, /* 'l' */
    {0x00, 0x00, 0x1a, 0x15, 0x15, 0x11, 0x11}, /* 'm' */
    {0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11}, /* 'n' */
    {0x00, 0x00, 0x0e, 0x11, 0x11, 0x11, 0x0e}, /* 'o' */
    {0x1e, 0x11, 0x11, 0x11, 0x1e, 0x10, 0x10}, /* 'p' */
    {0x0f, 0x11, 0x11, 0x11, 0x0f, 0x01, 0x01}, /* 'q' */
    {0x00, 0x00, 0x16, 0x19, 0x10, 0x10, 0x10}, /* 'r' */
    {0x00, 0x00, 0x0f, 0x10, 0x0e, 0x01, 0x1e}, /* 's' */
    {0x08, 0x08, 0x1c, 0x08, 0x08, 0x09, 0x06}, /* 't' */
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0d}, /* 'u' */
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x0a, 0x04}, /* 'v' */
    {0x00, 0x00, 0x11, 0x11, 0x15, 0x15, 0x0a}, /* 'w' */
    {0x00, 0x00, 0x11, 0x0a, 0x04, 0x0a, 0x11}, /* 'x' */
    {0x11, 0x11, 0x11, 0x11, 0x0f, 0x01, 0x0e}, /* 'y' */
    {0x00, 0x00, 0x1f, 0x02, 0x04, 0x08, 0x1f}, /* 'z' */
    {0x02, 0x04, 0x04, 0x08, 0x04, 0x04, 0x02}, /* '{' */
    {0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}, /* '|' */
    {0x08, 0x04, 0x04, 0x02, 0x04, 0x04, 0x08}, /* '}' */
    {0x00, 0x00, 0x08, 0x15, 0x02, 0x00, 0x00}, /* '~' */
};

static void put_px(raster *r, int x, int y, rgb c)
{
    unsigned char *p;
    if (x < 0 || y < 0 || x >= r->w || y >= r->h)
        return;
    p = r->px + 3 * ((size_t)y * r->w + x);
    p[0] = c.r;
    p[1] = c.g;
    p[2] = c.b;
}

static void fill_rect(raster *r, int x0, int y0, int x1, int y1, rgb c)
{
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++)
            put_px(r, x, y, c);
}

/* Text at (x, y) = top left, each font pixel a scale x scale square;
 * vertical = rotated 90 degrees counter-clockwise, (x, y) its bottom
 * left. Returns the advance in pixels. */
static int draw_text(raster *r, int x, int y, int scale, int vertical, rgb c,
                     const char *s)
{
    int adv = 0;
    for (; *s; s++, adv += 6 * scale) {
        int ch = (unsigned char)*s;
        const unsigned char *g =
            font5x7[(ch < 32 || ch > 126) ? '?' - 32 : ch - 32];
        int drop = (ch == 'g' || ch == 'p' || ch == 'q' || ch == 'y') ? 2 : 0;
        for (int row = 0; row < 7; row++)
            for (int col = 0; col < 5; col++) {
                int gx, gy;
                if (!(g[row] & (0x10 >> col)))
                    continue;
                gx = adv + col * scale;
                gy = (row + drop) * scale;
                if (vertical)
                    fill_rect(r, x + gy, y - gx - scale + 1, x + gy + scale - 1,
                              y - gx, c);
                else
                    fill_rect(r, x + gx, y + gy, x + gx + scale - 1,
                              y + gy + scale - 1, c);
            }
    }
    return adv;
}

static int text_width(const char *s, int scale)
{
    return (int)strlen(s) * 6 * scale - scale;
}

/* A line of thickness `th`; dashed when dash > 0 (on/off runs of dash
 * pixels, phase carried in *run across the segments of a polyline). */
static void draw_line(raster *r, int x0, int y0, int x1, int y1, int th,
                      int dash, long *run, rgb c)
{
    int dx = abs(x1 - x0), dy = -abs(y1 - y0);
    int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, err = dx + dy;
    for (;;) {
        if (dash <= 0 || (*run / dash) % 2 == 0)
            fill_rect(r, x0 - th / 2, y0 - th / 2, x0 - th / 2 + th - 1,
                      y0 - th / 2 + th - 1, c);
        (*run)++;
        if (x0 == x1 && y0 == y1)
            break;
        int e2 = 2 * err;
        if (e2 >= dy) {
            err += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            err += dx;
            y0 += sy;
        }
    }
}

static uint32_t crc_table[256];

static void crc_init(void)
{
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
}

static uint32_t crc_update(uint32_t crc, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return crc;
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static int write_chunk(FILE *f, const char *type, const unsigned char *data,
                       size_t n)
{
    unsigned char hdr[8], tail[4];
    uint32_t crc;
    put_be32(hdr, (uint32_t)n);
    memcpy(hdr + 4, type, 4);
    crc = crc_update(0xffffffffu, hdr + 4, 4);
    crc = crc_update(crc, data, n) ^ 0xffffffffu;
    put_be32(tail, crc);
    return fwrite(hdr, 1, 8, f) == 8 && fwrite(data, 1, n, f) == n &&
           fwrite(tail, 1, 4, f) == 4;
}

/* An 8-bit RGB PNG whose zlib stream is made of stored (uncompressed)
 * deflate blocks: no compression library needed. */
static int write_png(const raster *r, const char *path)
{
    static const unsigned char sig[8] = {0x89, 'P',  'N',  'G',
                                         '\r', '\n', 0x1a, '\n'};
    size_t row = 1 + 3 * (size_t)r->w, raw = row * (size_t)r->h;
    size_t nblocks = (raw + 65534) / 65535;
    size_t zlen = 2 + raw + 5 * nblocks + 4, pos = 0, done = 0;
    unsigned char ihdr[13], *z = malloc(zlen);
    uint32_t s1 = 1, s2 = 0;
    clinit_outfile o;
    int ok;

    if (!z)
        return depth_fail(EXIT_FAIL, "--plot: out of memory");
    z[pos++] = 0x78; /* deflate, 32 KiB window; 0x7801 % 31 == 0 */
    z[pos++] = 0x01;
    for (size_t b = 0; b < nblocks; b++) {
        size_t n = raw - done < 65535 ? raw - done : 65535;
        z[pos++] = b + 1 == nblocks; /* BFINAL, BTYPE 00 */
        z[pos++] = (unsigned char)(n & 0xff);
        z[pos++] = (unsigned char)(n >> 8);
        z[pos++] = (unsigned char)(~n & 0xff);
        z[pos++] = (unsigned char)((~n >> 8) & 0xff);
        for (size_t i = 0; i < n; i++, done++) {
            size_t y = done / row, x = done % row;
            unsigned char v = x == 0 ? 0 /* filter: none */
                                     : r->px[y * 3 * (size_t)r->w + (x - 1)];
            z[pos++] = v;
            s1 = (s1 + v) % 65521;
            s2 = (s2 + s1) % 65521;
        }
    }
    put_be32(z + pos, (s2 << 16) | s1);
    pos += 4;

    put_be32(ihdr, (uint32_t)r->w);
    put_be32(ihdr + 4, (uint32_t)r->h);
    ihdr[8] = 8;  /* bit depth */
    ihdr[9] = 2;  /* RGB */
    ihdr[10] = 0; /* deflate */
    ihdr[11] = 0; /* adaptive filtering */
    ihdr[12] = 0; /* no interlace */
    crc_init();
    /* crash-safe: a temporary renamed over the target (fileio.h) */
    memset(&o, 0, sizeof o);
    if (clinit_outfile_create(&o, path, 0) != CLINIT_OK) {
        free(z);
        return depth_fail(EXIT_FAIL, "--plot: cannot write '%s': %s", path,
                          cli_io_msg(o.error));
    }
    errno = 0;
    ok = fwrite(sig, 1, 8, o.f) == 8 && write_chunk(o.f, "IHDR", ihdr, 13) &&
         write_chunk(o.f, "IDAT", z, pos) && write_chunk(o.f, "IEND", z, 0);
    free(z);
    if (!ok)
        clinit_outfile_fail(&o);
    else if (clinit_outfile_finish(&o) != CLINIT_OK)
        ok = 0;
    if (!ok)
        return depth_fail(EXIT_FAIL, "--plot: writing '%s' failed: %s", path,
                          cli_io_msg(o.error));
    return 0;
}

static const rgb C_WHITE = {255, 255, 255}, C_BLACK = {0, 0, 0},
                 C_GRID = {225, 225, 225}, C_TEXT = {40, 40, 40};
static const rgb init_color[N_INIT] = {
    {31, 119, 180}, {255, 127, 14}, {44, 160, 44}, {214, 39, 40}};
static const int init_thick[N_INIT] = {3, 3, 6, 3};
static const int init_dash[N_INIT] = {0, 0, 0, 7}; /* kaiming on top */

/* Clips the segment to y in [ylo, yhi] (pixels, ylo < yhi); 0 if empty. */
static int clip_y(double *x0, double *y0, double *x1, double *y1, double ylo,
                  double yhi)
{
    double t0 = 0, t1 = 1, dy = *y1 - *y0, dx = *x1 - *x0;
    double p[2] = {-dy, dy}, q[2] = {*y0 - ylo, yhi - *y0};
    for (int i = 0; i < 2; i++) {
        if (p[i] == 0) {
            if (q[i] < 0)
                return 0;
        } else {
            double t = q[i] / p[i];
            if (p[i] < 0 && t > t0)
                t0 = t;
            if (p[i] > 0 && t < t1)
                t1 = t;
        }
    }
    if (t0 > t1)
        return 0;
    *x1 = *x0 + t1 * dx;
    *y1 = *y0 + t1 * dy;
    *x0 += t0 * dx;
    *y0 += t0 * dy;
    return 1;
}

/* std[cfg * L + l]. Log scale per panel, whole decades, clamped to
 * 1e-12 .. 1e12; 0 and overflow (inf, NaN) run off the bottom / top. */
int depth_plot_png(const depth_args *a, const char *device, const double *std,
                   const char *xavier_label)
{
    raster r;
    size_t L = (size_t)a->layers;
    char buf[256];
    int rc;

    r.w = PLOT_W;
    r.h = PLOT_H;
    if (!(r.px = malloc((size_t)r.w * r.h * 3)))
        return depth_fail(EXIT_FAIL, "--plot: out of memory");
    fill_rect(&r, 0, 0, r.w - 1, r.h - 1, C_WHITE);

    snprintf(buf, sizeof buf,
             "clinit depth: activation std per layer (%llu layer%s, width "
             "%llu, batch %llu, seed %llu)",
             (unsigned long long)a->layers, a->layers == 1 ? "" : "s",
             (unsigned long long)a->width, (unsigned long long)a->batch,
             (unsigned long long)a->seed);
    draw_text(&r, 12, 8, 2, 0, C_BLACK, buf);
    snprintf(buf, sizeof buf,
             "device: %.100s. Log scale clipped to 1e-12..1e12; a std of 0 "
             "or an f32 overflow runs off the frame.",
             device);
    draw_text(&r, 12, 32, 1, 0, C_TEXT, buf);

    for (int act = 0; act < N_ACT; act++) {
        const int px = act * (PLOT_W / N_ACT);
        const int x0 = px + 92, x1 = px + 404, y0 = 84, y1 = 424;
        double lmin = INFINITY, lmax = -INFINITY;
        int dlo, dhi, step, xstep;

        for (int i = 0; i < N_INIT; i++)
            for (size_t l = 0; l < L; l++) {
                double v = std[(size_t)(act * N_INIT + i) * L + l];
                if (v > 0 && isfinite(v)) {
                    lmin = fmin(lmin, log10(v));
                    lmax = fmax(lmax, log10(v));
                }
            }
        if (!isfinite(lmin)) {
            lmin = -1;
            lmax = 1;
        }
        dlo = (int)floor(lmin - 0.05); /* a margin: no curve on the frame */
        dhi = (int)ceil(lmax + 0.05);
        dlo = dlo < -12 ? -12 : dlo > 11 ? 11 : dlo;
        dhi = dhi > 12 ? 12 : dhi < dlo + 1 ? dlo + 1 : dhi;
        step = (dhi - dlo + 7) / 8;

        /* grid, ticks and labels */
        for (int d = dlo; d <= dhi; d += step) {
            int y =
                y1 - (int)lround((double)(d - dlo) / (dhi - dlo) * (y1 - y0));
            fill_rect(&r, x0, y, x1, y, C_GRID);
            fill_rect(&r, x0 - 5, y, x0 - 1, y, C_BLACK);
            snprintf(buf, sizeof buf, "1e%d", d);
            draw_text(&r, x0 - 9 - text_width(buf, 2), y - 6, 2, 0, C_TEXT,
                      buf);
        }
        for (int k = 0;; k++) { /* 1 2 5 10 20 50 ...: at most 6 steps */
            static const int nice[3] = {1, 2, 5};
            xstep = nice[k % 3];
            for (int p = 0; p < k / 3; p++)
                xstep *= 10;
            if (L / (size_t)xstep <= 6)
                break;
        }
        for (size_t lay = 1; lay <= L;
             lay = lay == 1 && xstep > 1 ? (size_t)xstep : lay + xstep) {
            int x =
                L > 1
                    ? x0 + (int)lround((double)(lay - 1) / (L - 1) * (x1 - x0))
                    : (x0 + x1) / 2;
            fill_rect(&r, x, y0, x, y1, C_GRID);
            fill_rect(&r, x, y1 + 1, x, y1 + 5, C_BLACK);
            snprintf(buf, sizeof buf, "%zu", lay);
            draw_text(&r, x - text_width(buf, 2) / 2, y1 + 9, 2, 0, C_TEXT,
                      buf);
        }
        draw_text(&r, (x0 + x1 - text_width("layer", 2)) / 2, y1 + 30, 2, 0,
                  C_TEXT, "layer");
        draw_text(&r, px + 4, (y0 + y1 + text_width("activation std", 2)) / 2,
                  2, 1, C_TEXT, "activation std");
        draw_text(&r, (x0 + x1 - text_width(depth_act_names[act], 2)) / 2, 60,
                  2, 0, C_BLACK, depth_act_names[act]);

        /* the curves, clipped to the frame */
        for (int i = 0; i < N_INIT; i++) {
            const double *s = std + (size_t)(act * N_INIT + i) * L;
            double pxp = 0, pyp = 0;
            long run = 0;
            for (size_t l = 0; l < L; l++) {
                double v = s[l], lv, xx, yy;
                if (v > 0 && isfinite(v))
                    lv = log10(v);
                else
                    lv = v == 0 ? dlo - 1.0 : dhi + 1.0; /* off the frame */
                xx = L > 1 ? x0 + (double)l / (L - 1) * (x1 - x0)
                           : (x0 + x1) / 2.0;
                yy = y1 - (lv - dlo) / (dhi - dlo) * (y1 - y0);
                if (L == 1 && yy >= y0 && yy <= y1)
                    fill_rect(&r, (int)xx - 3, (int)yy - 3, (int)xx + 3,
                              (int)yy + 3, init_color[i]);
                if (l > 0) {
                    double ax = pxp, ay = pyp, bx = xx, by = yy;
                    if (clip_y(&ax, &ay, &bx, &by, y0, y1))
                        draw_line(&r, (int)lround(ax), (int)lround(ay),
                                  (int)lround(bx), (int)lround(by),
                                  init_thick[i], init_dash[i], &run,
                                  init_color[i]);
                }
                pxp = xx;
                pyp = yy;
            }
        }
        /* frame last, over the curves' ends */
        fill_rect(&r, x0, y0, x1, y0, C_BLACK);
        fill_rect(&r, x0, y1, x1, y1, C_BLACK);
        fill_rect(&r, x0, y0, x0, y1, C_BLACK);
        fill_rect(&r, x1, y0, x1, y1, C_BLACK);
    }

    /* legend */
    for (int i = 0, x = 92; i < N_INIT; i++) {
        long run = 0;
        const char *label = i == 2 ? xavier_label : depth_init_names[i];
        draw_line(&r, x, 490, x + 36, 490, init_thick[i], init_dash[i], &run,
                  init_color[i]);
        x += 46;
        x += draw_text(&r, x, 484, 2, 0, C_BLACK, label) + 36;
    }

    rc = write_png(&r, a->plot);
    free(r.px);
    return rc;
}
