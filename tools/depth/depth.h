/* depth.h - the parts of `clinit depth` (tools/depth/): the command line
 * and configurations (depth.c), the GEMM program and its work-group shape
 * (gemm.c), the host check (check.c) and the plot (plot.c, cairo).
 * Internal to the clinit command. */
#ifndef CLINIT_DEPTH_H
#define CLINIT_DEPTH_H

#include <stddef.h>
#include <stdint.h>

#include "clinit.h"

#define CHECK_TOL 1e-4 /* --cpu-check: largest relative error */
#define PLOT_W 1260    /* --plot: the image in pixels (SVG: px units) */
#define PLOT_H 520

enum { GEMM_AUTO, GEMM_TILED, GEMM_VECTOR };

typedef struct depth_args {
    uint64_t layers, width, batch, seed, every; /* every 0: default rows */
    const char *device, *plot;
    double xavier_gain; /* NAN: calculate_gain(activation) */
    int cpu_check;
    int gemm; /* GEMM_* */
} depth_args;

#define N_ACT 3
#define N_INIT 4
#define N_CFG (N_ACT * N_INIT) /* cfg = act * N_INIT + init (depth.cl) */

extern const char *const depth_act_names[N_ACT];
extern const char *const depth_init_names[N_INIT];

/* "clinit: depth: MESSAGE" (cli_util.h); returns status. */
int depth_fail(int status, const char *fmt, ...);
/* "clinit: depth: WHAT failed: <message>" plus detail from ctx. */
int depth_lib_fail(const char *what, clinit_status st, const clinit_ctx *ctx);
/* "clinit: depth: CALL failed: OpenCL error ERR"; returns EXIT_FAIL. */
int depth_cl_fail(const char *call, cl_int err);

/* The f32 weight [width, width] of `layer` and the input [batch, width]
 * (seed a->seed, streams of their names). */
void depth_weight_tensor(const depth_args *a, uint64_t layer, clinit_tensor *t);
void depth_input_tensor(const depth_args *a, clinit_tensor *t);

/* Work-group TX x TY, RM x RN outputs per work-item; tk: the k tile
 * (tiled variant) or the vector width along k (vector variant). */
typedef struct gemm_shape {
    int tx, ty, rm, rn, tk, vector;
} gemm_shape;

typedef struct depth_cl {
    cl_context context;
    cl_command_queue queue;
    cl_device_id device;
    cl_program program;
    cl_kernel kernel;
    gemm_shape g;
    size_t groups_x, groups_y; /* work-groups per configuration */
} depth_cl;

/* Builds the GEMM (tools/depth/depth.cl) for the first work-group shape
 * the device and the compiled kernel accept into cl->program, cl->kernel,
 * cl->g and the group counts; cl->context, queue and device are the
 * caller's. Returns 0 or EXIT_FAIL after printing the error. */
int depth_build_gemm(depth_cl *cl, const depth_args *a);

/* Enqueues one layer, Y = act(X W^T + bias), for every configuration
 * (full) or for one work-group (a warm-up), its statistics into `slot`
 * of the stats buffer. Returns 0 or EXIT_FAIL after printing the error. */
int depth_enqueue_layer(const depth_cl *cl, const depth_args *a, cl_mem x,
                        cl_ulong x_cstride, cl_mem w, cl_mem bias, cl_mem y,
                        cl_mem stats, size_t slot, int full);

/* --cpu-check: layers 1 and 2 of every configuration on the host from
 * clinit's host fills, against the device outputs dev[0], dev[1]
 * ([cfg][B][W]) and the device-reduced stds std[cfg * L + l]; prints the
 * table, *ok = 0 on a mismatch. Returns 0 or EXIT_FAIL (printed). */
int depth_cpu_check(clinit_ctx *ctx, const depth_args *a, float *const dev[2],
                    const double *std, const clinit_init *inits, int *ok);

/* --plot FILE: 0 if FILE ends in .png or .svg (any case), else
 * EXIT_USAGE after printing the error. */
int depth_plot_check(const char *path);
/* "PNG" or "SVG": the format depth_plot writes for `path`. */
const char *depth_plot_kind(const char *path);
/* --plot: std[cfg * L + l] drawn with cairo into a->plot (PNG or SVG by
 * its extension, checked by depth_plot_check), written crash-safe; a
 * failure leaves an existing file untouched. *bytes: the file's size.
 * Returns 0 or EXIT_FAIL (printed). */
int depth_plot(const depth_args *a, const char *device, const double *std,
               const char *xavier_label, uint64_t *bytes);

#endif /* CLINIT_DEPTH_H */
