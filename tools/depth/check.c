/* check.c - `clinit depth --cpu-check`: the first layers recomputed on the
 * host in double from clinit's host fills. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli_util.h"
#include "depth.h"

static double act_host(int act, double z)
{
    if (act == 0)
        return 1.0 / (1.0 + exp(-z));
    if (act == 1)
        return tanh(z);
    return z < 0 ? 0.0 : z;
}

/* out[b][o] = act(z), z = sum_k in[b][k] w[o][k] in double (biases are
 * zero), and mag[b][o] = sum_k |in[b][k] w[o][k]|. */
static void layer_host(int act, const double *in, const float *w, size_t B,
                       size_t W, double *out, double *mag)
{
    for (size_t b = 0; b < B; b++)
        for (size_t o = 0; o < W; o++) {
            const double *x = in + b * W;
            const float *wr = w + o * W;
            double z = 0, m = 0;
            for (size_t k = 0; k < W; k++) {
                double t = x[k] * (double)wr[k];
                z += t;
                m += fabs(t);
            }
            out[b * W + o] = act_host(act, z);
            mag[b * W + o] = m;
        }
}

/* max over elements of |dev - host| / mag: the error of an f32 dot product
 * scales with the sum of its terms' magnitudes, not with its result (which
 * cancels), and sigmoid, tanh and relu have slopes <= 1. */
static double rel_err(const float *dev, const double *host, const double *mag,
                      size_t n)
{
    double e = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)dev[i] - host[i]);
        if (mag[i] > 0)
            d /= mag[i];
        if (!(d <= e)) /* NaN too */
            e = d;
    }
    return e;
}

/* Population std in double, two passes. */
static double std_host(const double *v, size_t n)
{
    double mean = 0, m2 = 0;
    for (size_t i = 0; i < n; i++)
        mean += v[i];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++)
        m2 += (v[i] - mean) * (v[i] - mean);
    return sqrt(m2 / (double)n);
}

/* Layers 1 and 2 of every configuration on the host from clinit's host
 * fills, against the device outputs dev[0], dev[1] ([cfg][B][W]) and the
 * device-reduced stds std[cfg * L + l]. */
int depth_cpu_check(clinit_ctx *ctx, const depth_args *a, float *const dev[2],
                    const double *std, const clinit_init *inits, int *ok)
{
    size_t B = (size_t)a->batch, W = (size_t)a->width;
    size_t nl = a->layers < 2 ? 1 : 2;
    clinit_tensor xt, wt;
    clinit_init in;
    clinit_status st;
    float *xf = malloc(B * W * sizeof *xf), *w = malloc(W * W * sizeof *w);
    double *x = malloc(B * W * sizeof *x), *h[2];
    double *mag = malloc(B * W * sizeof *mag);
    int rc = 0;
    h[0] = malloc(B * W * sizeof *h[0]);
    h[1] = malloc(B * W * sizeof *h[1]);
    *ok = 1;
    if (!xf || !w || !x || !mag || !h[0] || !h[1]) {
        rc = depth_fail(EXIT_FAIL, "--cpu-check: out of memory");
        goto done;
    }
    depth_input_tensor(a, &xt);
    clinit_init_default(&in, CLINIT_NORMAL);
    if ((st = clinit_fill_host(ctx, &xt, &in, 0, B * W, xf)) != CLINIT_OK) {
        rc = depth_lib_fail("host fill of the input", st, ctx);
        goto done;
    }
    for (size_t i = 0; i < B * W; i++)
        x[i] = xf[i];
    printf("\ncpu-check: layers 1-%d recomputed on the host in double "
           "(limit %.0e); layer: max |device - host| / sum_k |x_k w_k|, "
           "std: |device - host| / host\n",
           (int)nl, CHECK_TOL);
    printf("%-8s %-15s %11s %11s %11s %11s\n", "act", "init", "layer 1",
           nl > 1 ? "layer 2" : "", "std 1", nl > 1 ? "std 2" : "");
    for (int c = 0; c < N_CFG; c++) {
        double e[2] = {0, 0}, es[2] = {0, 0};
        int good = 1;
        for (size_t l = 0; l < nl; l++) {
            depth_weight_tensor(a, l, &wt);
            st = clinit_fill_host(ctx, &wt, &inits[c], 0, W * W, w);
            if (st != CLINIT_OK) {
                rc = depth_lib_fail("host fill of the weights", st, ctx);
                goto done;
            }
            layer_host(c / N_INIT, l == 0 ? x : h[0], w, B, W, h[l], mag);
            e[l] = rel_err(dev[l] + (size_t)c * B * W, h[l], mag, B * W);
            {
                double hs = std_host(h[l], B * W);
                double ds = std[(size_t)c * a->layers + l];
                es[l] = hs > 0 ? fabs(ds - hs) / hs : fabs(ds);
            }
            if (!(e[l] <= CHECK_TOL) || !(es[l] <= CHECK_TOL))
                good = 0;
        }
        if (nl > 1)
            printf("%-8s %-15s %11.3e %11.3e %11.3e %11.3e  %s\n",
                   depth_act_names[c / N_INIT], depth_init_names[c % N_INIT],
                   e[0], e[1], es[0], es[1], good ? "ok" : "MISMATCH");
        else
            printf("%-8s %-15s %11.3e %11s %11.3e %11s  %s\n",
                   depth_act_names[c / N_INIT], depth_init_names[c % N_INIT],
                   e[0], "-", es[0], "-", good ? "ok" : "MISMATCH");
        if (!good)
            *ok = 0;
    }
    printf("cpu-check: %s\n", *ok ? "passed" : "FAILED");
done:
    free(xf);
    free(w);
    free(x);
    free(mag);
    free(h[0]);
    free(h[1]);
    return rc;
}
