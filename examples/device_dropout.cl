/* device_dropout.cl - a user's own kernels drawing clinit's values with
 * the device API (include/clinit/device.h, docs/DEVICE.md). Built by the
 * user's clBuildProgram with -I <prefix>/include (examples/
 * device_dropout.c). Work-item k handles x[k], which is element first + k
 * of the clinit fill the descriptor `desc` stands for: the same bits as
 * clinit_fill_host(tensor, init, first, first + n) writes.
 */
#include "clinit/device.h"

/* Dropout in place: keep x[k] (times scale = 1 / keep) iff element
 * first + k of the uniform(0, 1) fill `desc` is below `keep`, else 0. */
__kernel void dropout_f32(__global float *x, __global const ulong *desc,
                          ulong first, ulong n, float keep, float scale)
{
    ulong k = get_global_id(0);
    if (k >= n)
        return;
    x[k] = clinit_dev_f32(desc, first + k) < keep ? x[k] * scale : 0.0f;
}

/* Gaussian (or any other clinit) noise added in place: x[k] += element
 * first + k of the f32 fill `desc` (normal_, trunc_normal_, ...). */
__kernel void add_noise_f32(__global float *x, __global const ulong *desc,
                            ulong first, ulong n)
{
    ulong k = get_global_id(0);
    if (k >= n)
        return;
    x[k] = x[k] + clinit_dev_f32(desc, first + k);
}

/* Noise written as the bits of a 16-bit fill: x[k] = element first + k of
 * the f16 (clinit_dev_f16) or bf16 (clinit_dev_bf16) fill `desc`. */
__kernel void noise_f16(__global ushort *x, __global const ulong *desc,
                        ulong first, ulong n)
{
    ulong k = get_global_id(0);
    if (k < n)
        x[k] = (ushort)clinit_dev_f16(desc, first + k);
}

__kernel void noise_bf16(__global ushort *x, __global const ulong *desc,
                         ulong first, ulong n)
{
    ulong k = get_global_id(0);
    if (k < n)
        x[k] = (ushort)clinit_dev_bf16(desc, first + k);
}

/* Four elements per Philox counter: work-item c computes counter
 * c0 + c (clinit_dev_counter32) and writes the elements of it that lie in
 * [first, first + n): element 64 (m / 16) + 16 w + m % 16 of counter m. */
__kernel void noise_counters_f32(__global float *x, __global const ulong *desc,
                                 ulong first, ulong n, ulong c0)
{
    ulong m = c0 + get_global_id(0);
    float v[4];
    clinit_dev_counter32(desc, m, v);
    for (int w = 0; w < 4; w++) {
        ulong i = 64 * (m / 16) + 16 * (ulong)w + m % 16;
        if (i >= first && i - first < n)
            x[i - first] = v[w];
    }
}
