/* plot.c - `clinit depth --plot`: the std curves drawn with cairo (its
 * toy text API: real fonts through fontconfig, no pango), as a PNG or an
 * SVG chosen by the file name, streamed into a crash-safe output
 * (fileio.h). */
#include <cairo-svg.h>
#include <cairo.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli_util.h"
#include "depth.h"
#include "fileio.h"

enum { FMT_PNG, FMT_SVG };

/* 8-bit sRGB, as the PNG stores it where a line or text covers a pixel */
typedef struct colour {
    unsigned char r, g, b;
} colour;

static const colour C_TEXT = {30, 30, 30}, C_SOFT = {90, 90, 90},
                    C_GRID = {225, 225, 225}, C_MINOR = {242, 242, 242},
                    C_AXIS = {0, 0, 0};
static const colour init_colour[N_INIT] = {
    {31, 119, 180}, {255, 127, 14}, {44, 160, 44}, {214, 39, 40}};
/* Xavier wide underneath, Kaiming dashed on top: by default they coincide
 * (docs/DEPTH.md). */
static const double init_width[N_INIT] = {2.0, 2.0, 5.5, 2.0};
static const int init_dashed[N_INIT] = {0, 0, 0, 1};

#define FONT "sans-serif"
#define PI 3.14159265358979323846
#define TICK_PT 13.0 /* tick labels; exponents at 0.7 of it */

/* Panel frames: one per activation, PLOT_W / N_ACT wide. */
#define FRAME_L 86 /* from the panel's left edge */
#define FRAME_R 404
#define FRAME_T 84
#define FRAME_B 420

static int ends_with_nocase(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    if (k > n)
        return 0;
    s += n - k;
    for (size_t i = 0; i < k; i++) {
        unsigned char a = (unsigned char)s[i];
        if (a >= 'A' && a <= 'Z')
            a = (unsigned char)(a - 'A' + 'a');
        if (a != (unsigned char)suffix[i])
            return 0;
    }
    return 1;
}

static int plot_format(const char *path)
{
    if (ends_with_nocase(path, ".png"))
        return FMT_PNG;
    if (ends_with_nocase(path, ".svg"))
        return FMT_SVG;
    return -1;
}

int depth_plot_check(const char *path)
{
    if (plot_format(path) < 0)
        return depth_fail(EXIT_USAGE,
                          "--plot: '%s' does not end in .png or .svg (the "
                          "format is chosen by the extension)",
                          path);
    return 0;
}

const char *depth_plot_kind(const char *path)
{
    return plot_format(path) == FMT_SVG ? "SVG" : "PNG";
}

/* ---- drawing ------------------------------------------------------------- */

static void set_colour(cairo_t *cr, colour c)
{
    cairo_set_source_rgb(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0);
}

/* `s` with its baseline at y; align 0 = starts at x, 0.5 = centred on x,
 * 1 = ends at x. Returns the advance. */
static double text(cairo_t *cr, double x, double y, double size, int bold,
                   double align, const char *s)
{
    cairo_text_extents_t e;
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD
                                : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_text_extents(cr, s, &e);
    cairo_move_to(cr, x - align * e.x_advance, y);
    cairo_show_text(cr, s);
    return e.x_advance;
}

static double text_width(cairo_t *cr, double size, const char *s)
{
    cairo_text_extents_t e;
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                           CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_text_extents(cr, s, &e);
    return e.x_advance;
}

/* "10" with the exponent d raised, ending at x (a y tick label). */
static void decade_label(cairo_t *cr, double x, double y, int d)
{
    char ex[16];
    double we;
    /* U+2212, the minus sign */
    snprintf(ex, sizeof ex, "%s%d", d < 0 ? "\xe2\x88\x92" : "",
             d < 0 ? -d : d);
    we = text_width(cr, 0.7 * TICK_PT, ex);
    text(cr, x - we, y, TICK_PT, 0, 1, "10");
    text(cr, x - we, y - 0.45 * TICK_PT, 0.7 * TICK_PT, 0, 0, ex);
}

/* A horizontal or vertical 1-unit line on the pixel grid (crisp in PNG). */
static void hair(cairo_t *cr, double x0, double y0, double x1, double y1,
                 colour c)
{
    double ox = x0 == x1 ? 0.5 : 0, oy = y0 == y1 ? 0.5 : 0;
    set_colour(cr, c);
    cairo_set_line_width(cr, 1);
    cairo_move_to(cr, x0 + ox, y0 + oy);
    cairo_line_to(cr, x1 + ox, y1 + oy);
    cairo_stroke(cr);
}

static void set_init_style(cairo_t *cr, int i)
{
    static const double dash[2] = {7, 5};
    set_colour(cr, init_colour[i]);
    cairo_set_line_width(cr, init_width[i]);
    cairo_set_dash(cr, dash, init_dashed[i] ? 2 : 0, 0);
}

typedef struct panel {
    double x0, x1, y0, y1; /* the frame */
    int dlo, dhi;          /* y range: decades */
    size_t L;
} panel;

static double panel_x(const panel *p, double layer) /* layer 1 .. L */
{
    return p->L > 1 ? p->x0 + (layer - 1) / (double)(p->L - 1) * (p->x1 - p->x0)
                    : (p->x0 + p->x1) / 2;
}

/* log10(v) in the frame; 0 runs off the bottom, inf and NaN off the top */
static double panel_y(const panel *p, double v)
{
    double lv = v > 0 && isfinite(v) ? log10(v)
                : v == 0             ? p->dlo - 1.0
                                     : p->dhi + 1.0;
    return p->y1 - (lv - p->dlo) / (p->dhi - p->dlo) * (p->y1 - p->y0);
}

/* Whole decades around the finite positive stds, clamped to 1e-12..1e12,
 * with a margin so that no curve runs along the frame. */
static void panel_range(panel *p, const double *std, int act)
{
    double lmin = INFINITY, lmax = -INFINITY;
    for (int i = 0; i < N_INIT; i++)
        for (size_t l = 0; l < p->L; l++) {
            double v = std[(size_t)(act * N_INIT + i) * p->L + l];
            if (v > 0 && isfinite(v)) {
                lmin = fmin(lmin, log10(v));
                lmax = fmax(lmax, log10(v));
            }
        }
    if (!isfinite(lmin)) {
        lmin = -1;
        lmax = 1;
    }
    p->dlo = (int)floor(lmin - 0.05);
    p->dhi = (int)ceil(lmax + 0.05);
    p->dlo = p->dlo < -12 ? -12 : p->dlo > 11 ? 11 : p->dlo;
    p->dhi = p->dhi > 12 ? 12 : p->dhi < p->dlo + 1 ? p->dlo + 1 : p->dhi;
}

/* Grid, ticks and tick labels: a labelled decade every `step` (at most 8
 * intervals), minor ticks at the other decades, and at 2..9 x 10^d when
 * the panel spans at most 3 decades. */
static void panel_y_axis(cairo_t *cr, const panel *p)
{
    int span = p->dhi - p->dlo, step = (span + 7) / 8;
    for (int d = p->dlo; d <= p->dhi; d++) {
        double y = floor(panel_y(p, pow(10, d)));
        if ((d - p->dlo) % step == 0) {
            hair(cr, p->x0, y, p->x1, y, C_GRID);
            hair(cr, p->x0 - 6, y, p->x0, y, C_AXIS);
            set_colour(cr, C_TEXT);
            decade_label(cr, p->x0 - 9, y + 0.35 * TICK_PT, d);
        } else {
            hair(cr, p->x0 - 3, y, p->x0, y, C_AXIS);
        }
        for (int m = 2; span <= 3 && d < p->dhi && m <= 9; m++) {
            double ym = floor(panel_y(p, m * pow(10, d)));
            hair(cr, p->x0 + 1, ym, p->x1, ym, C_MINOR);
            hair(cr, p->x0 - 3, ym, p->x0, ym, C_AXIS);
        }
    }
}

/* Ticks at layer 1 and every 1, 2, 5, 10, 20, 50, ... (at most 6 steps). */
static void panel_x_axis(cairo_t *cr, const panel *p)
{
    static const int nice[3] = {1, 2, 5};
    size_t xstep = 1;
    char buf[32];
    for (int k = 0;; k++) {
        xstep = (size_t)nice[k % 3];
        for (int q = 0; q < k / 3; q++)
            xstep *= 10;
        if (p->L / xstep <= 6)
            break;
    }
    for (size_t lay = 1; lay <= p->L;
         lay = lay == 1 && xstep > 1 ? xstep : lay + xstep) {
        double x = floor(panel_x(p, (double)lay));
        hair(cr, x, p->y0, x, p->y1, C_GRID);
        hair(cr, x, p->y1, x, p->y1 + 6, C_AXIS);
        snprintf(buf, sizeof buf, "%zu", lay);
        set_colour(cr, C_TEXT);
        text(cr, x + 0.5, p->y1 + 9 + TICK_PT, TICK_PT, 0, 0.5, buf);
    }
}

/* A curve whose last layer lies off the frame gets its value written
 * where it leaves, inside the frame along that edge; *n_top and *n_bottom
 * count the labels there, which stack inwards. */
static void exit_label(cairo_t *cr, const panel *p, const double *s, int i,
                       int *n_top, int *n_bottom)
{
    double ylast = panel_y(p, s[p->L - 1]), xc = p->x0, edge, w, x, y;
    int below = ylast > p->y1;
    char buf[64];
    if (!below && ylast >= p->y0)
        return;
    edge = below ? p->y1 : p->y0;
    for (size_t l = p->L - 1; l-- > 0;) {
        double ya = panel_y(p, s[l]), yb = panel_y(p, s[l + 1]);
        if (ya >= p->y0 && ya <= p->y1) { /* the crossing after layer l+1 */
            double t = (edge - ya) / (yb - ya);
            t = isfinite(t) ? fmin(fmax(t, 0), 1) : 0;
            xc = panel_x(p, (double)l + 1 + t);
            break;
        }
    }
    /* U+2193 / U+2191: down and up arrows */
    snprintf(buf, sizeof buf, "%s layer %zu: %.2g",
             below ? "\xe2\x86\x93" : "\xe2\x86\x91", p->L, s[p->L - 1]);
    w = text_width(cr, 11, buf);
    x = xc + 5 + w > p->x1 - 4 ? p->x1 - 4 - w : xc + 5;
    y = below ? p->y1 - 6 - 13 * (*n_bottom)++ : p->y0 + 15 + 13 * (*n_top)++;
    set_colour(cr, init_colour[i]);
    text(cr, x, y, 11, 1, 0, buf);
}

static void panel_curves(cairo_t *cr, const panel *p, const double *std,
                         int act)
{
    int n_top = 0, n_bottom = 0;
    cairo_save(cr);
    cairo_rectangle(cr, p->x0, p->y0, p->x1 - p->x0 + 1, p->y1 - p->y0 + 1);
    cairo_clip(cr); /* off-frame values are clipped where they leave */
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    for (int i = 0; i < N_INIT; i++) {
        const double *s = std + (size_t)(act * N_INIT + i) * p->L;
        set_init_style(cr, i);
        if (p->L == 1) {
            cairo_arc(cr, panel_x(p, 1), panel_y(p, s[0]), 4, 0, 2 * PI);
            cairo_fill(cr);
            continue;
        }
        for (size_t l = 0; l < p->L; l++)
            cairo_line_to(cr, panel_x(p, (double)l + 1), panel_y(p, s[l]));
        cairo_stroke(cr);
    }
    cairo_restore(cr);
    for (int i = 0; i < N_INIT && p->L > 1; i++)
        exit_label(cr, p, std + (size_t)(act * N_INIT + i) * p->L, i, &n_top,
                   &n_bottom);
}

static void draw_panel(cairo_t *cr, int act, const double *std, size_t L)
{
    const double px = act * (PLOT_W / N_ACT);
    panel p;
    p.x0 = px + FRAME_L;
    p.x1 = px + FRAME_R;
    p.y0 = FRAME_T;
    p.y1 = FRAME_B;
    p.L = L;
    panel_range(&p, std, act);

    panel_y_axis(cr, &p);
    panel_x_axis(cr, &p);
    panel_curves(cr, &p, std, act);
    set_colour(cr, C_AXIS);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, p.x0 + 0.5, p.y0 + 0.5, p.x1 - p.x0, p.y1 - p.y0);
    cairo_stroke(cr);

    set_colour(cr, C_TEXT);
    text(cr, (p.x0 + p.x1) / 2, p.y0 - 10, 16, 1, 0.5, depth_act_names[act]);
    set_colour(cr, C_SOFT);
    text(cr, (p.x0 + p.x1) / 2, p.y1 + 44, 14, 0, 0.5, "layer");
    cairo_save(cr);
    cairo_translate(cr, px + 22, (p.y0 + p.y1) / 2);
    cairo_rotate(cr, -PI / 2);
    text(cr, 0, 0, 14, 0, 0.5, "activation std (log scale)");
    cairo_restore(cr);
}

/* One row under the panels, centred: never over a curve. */
static void draw_legend(cairo_t *cr, const char *xavier_label)
{
    const double sample = 40, gap = 10, sep = 34, size = 14, y = 494;
    double total = 0, x;
    for (int i = 0; i < N_INIT; i++)
        total +=
            sample + gap +
            text_width(cr, size, i == 2 ? xavier_label : depth_init_names[i]) +
            (i + 1 < N_INIT ? sep : 0);
    x = (PLOT_W - total) / 2;
    for (int i = 0; i < N_INIT; i++) {
        const char *label = i == 2 ? xavier_label : depth_init_names[i];
        cairo_save(cr);
        set_init_style(cr, i);
        cairo_move_to(cr, x, y - 0.35 * size);
        cairo_line_to(cr, x + sample, y - 0.35 * size);
        cairo_stroke(cr);
        cairo_restore(cr);
        x += sample + gap;
        set_colour(cr, C_TEXT);
        x += text(cr, x, y, size, 0, 0, label) + sep;
    }
}

/* `s` cut to printable ASCII (a device name may hold anything; the toy
 * text API refuses invalid UTF-8). */
static void ascii_copy(char *dst, size_t n, const char *s)
{
    size_t k = 0;
    for (; s && *s && k + 1 < n; s++)
        dst[k++] = (*s >= 32 && *s < 127) ? *s : '?';
    dst[k] = '\0';
}

static void draw_plot(cairo_t *cr, const depth_args *a, const char *device,
                      const double *std, const char *xavier_label)
{
    char buf[320], dev[128];
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);

    snprintf(buf, sizeof buf,
             "clinit depth: activation std per layer (%llu layer%s, width "
             "%llu, batch %llu, seed %llu)",
             (unsigned long long)a->layers, a->layers == 1 ? "" : "s",
             (unsigned long long)a->width, (unsigned long long)a->batch,
             (unsigned long long)a->seed);
    set_colour(cr, C_TEXT);
    text(cr, 16, 26, 18, 1, 0, buf);
    ascii_copy(dev, sizeof dev, device);
    snprintf(buf, sizeof buf,
             "device: %s. y clipped to 1e-12 .. 1e12: a std of 0 runs off "
             "the bottom, an f32 overflow (inf, nan) off the top.",
             dev);
    set_colour(cr, C_SOFT);
    text(cr, 16, 46, 12, 0, 0, buf);

    for (int act = 0; act < N_ACT; act++)
        draw_panel(cr, act, std, (size_t)a->layers);
    draw_legend(cr, xavier_label);
}

/* ---- output -------------------------------------------------------------- */

/* cairo's output stream into the crash-safe file. */
typedef struct plot_sink {
    clinit_outfile o;
    int failed; /* clinit_outfile_write failed: the output is abandoned */
    uint64_t bytes;
} plot_sink;

static cairo_status_t sink_write(void *closure, const unsigned char *data,
                                 unsigned int n)
{
    plot_sink *s = closure;
    if (s->failed)
        return CAIRO_STATUS_WRITE_ERROR;
    errno = 0;
    if (clinit_outfile_write(&s->o, data, n) != CLINIT_OK) {
        s->failed = 1;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    s->bytes += n;
    return CAIRO_STATUS_SUCCESS;
}

/* Draws and writes; returns cairo's first error (the file still open). */
static cairo_status_t render(plot_sink *sink, int fmt, const depth_args *a,
                             const char *device, const double *std,
                             const char *xavier_label)
{
    cairo_surface_t *sf;
    cairo_status_t cs;
    cairo_t *cr;
    if (fmt == FMT_SVG) {
        sf = cairo_svg_surface_create_for_stream(sink_write, sink, PLOT_W,
                                                 PLOT_H);
        cairo_svg_surface_set_document_unit(sf, CAIRO_SVG_UNIT_PX);
    } else {
        sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, PLOT_W, PLOT_H);
    }
    cr = cairo_create(sf);
    draw_plot(cr, a, device, std, xavier_label);
    cs = cairo_status(cr);
    cairo_destroy(cr);
    if (cs == CAIRO_STATUS_SUCCESS && fmt == FMT_PNG)
        cs = cairo_surface_write_to_png_stream(sf, sink_write, sink);
    cairo_surface_finish(sf); /* the SVG is written here */
    if (cs == CAIRO_STATUS_SUCCESS)
        cs = cairo_surface_status(sf);
    cairo_surface_destroy(sf);
    /* cairo's font caches (and the fontconfig patterns they hold) go now,
     * not at exit: what leak checkers (the ASan CI run) would report */
    cairo_debug_reset_static_data();
    return cs;
}

int depth_plot(const depth_args *a, const char *device, const double *std,
               const char *xavier_label, uint64_t *bytes)
{
    plot_sink sink;
    cairo_status_t cs;
    memset(&sink, 0, sizeof sink);
    if (clinit_outfile_create(&sink.o, a->plot, 0) != CLINIT_OK)
        return depth_fail(EXIT_FAIL, "--plot: cannot write '%s': %s", a->plot,
                          cli_io_msg(sink.o.error));
    cs = render(&sink, plot_format(a->plot), a, device, std, xavier_label);
    if (cs != CAIRO_STATUS_SUCCESS) {
        if (!sink.failed)
            clinit_outfile_fail(&sink.o);
        if (cs == CAIRO_STATUS_WRITE_ERROR)
            return depth_fail(EXIT_FAIL, "--plot: writing '%s' failed: %s",
                              a->plot, cli_io_msg(sink.o.error));
        return depth_fail(EXIT_FAIL, "--plot: drawing '%s' failed: %s", a->plot,
                          cairo_status_to_string(cs));
    }
    if (clinit_outfile_finish(&sink.o) != CLINIT_OK)
        return depth_fail(EXIT_FAIL, "--plot: writing '%s' failed: %s", a->plot,
                          cli_io_msg(sink.o.error));
    *bytes = sink.bytes;
    return 0;
}
