/* clinit/device.h - element i of any clinit fill, computed in your own
 * OpenCL kernel (like cuRAND's curand_kernel.h). Compiles as OpenCL C and
 * as C99 (a host reference with the same bits).
 *
 *   host:   uint64_t desc[CLINIT_DEVICE_DESC_WORDS];
 *           clinit_device_desc(&tensor, &init, desc);     (include/clinit.h)
 *           copy desc into a buffer (or pass it as you like, see below)
 *   kernel: #include "clinit/device.h"     build with -I <prefix>/include
 *           float v = clinit_dev_f32(desc, i);
 *
 * clinit_dev_f32(desc, i) is bit for bit what clinit_fill_host and
 * clinit_enqueue_fill write for element i of (tensor, init): the same
 * block pipeline (kernels/clinit_block.h) in the GPU-shaped vocabulary,
 * one Philox counter per call. The API and the descriptor layout are
 * versioned (CLINIT_DEV_API_VERSION, docs/DEVICE.md); within a version
 * nothing changes, and a value never changes within a stream contract
 * version.
 *
 * Including this header sets `#pragma OPENCL FP_CONTRACT OFF` for the rest
 * of the program and refuses -cl-fast-relaxed-math (kernels/
 * clinit_features.h): both would change bits. Define CLINIT_DESC_SPACE
 * before including it to read descriptors from __constant memory, or
 * define it empty for a private copy; the default is __global.
 */
#ifndef CLINIT_DEVICE_H
#define CLINIT_DEVICE_H

/* one counter per call: the GPU-shaped (scalar-lane) vocabulary */
#if defined(CLINIT_OCL_LANES) && CLINIT_OCL_LANES != 1
#error "clinit/device.h needs CLINIT_OCL_LANES 1 (scalar lanes)"
#endif
#if defined(CLINIT_C_VECTORS) && CLINIT_C_VECTORS != 0
#error "clinit/device.h needs scalar C (CLINIT_C_VECTORS 0)"
#endif
#ifndef CLINIT_OCL_LANES
#define CLINIT_OCL_LANES 1
#endif

#include "clinit_block.h"
#include "clinit_dtype.h"

/* A device descriptor (CLINIT_DESC_WORDS 64-bit words) in
 * CLINIT_DESC_SPACE memory. */
typedef clinit_desc clinit_dev_desc;

/* The clinit_dtype value the descriptor was made for. */
CLINIT_FN clinit_u32 clinit_dev_dtype(clinit_dev_desc d)
{
    return (clinit_u32)(d[CLINIT_DW_TAG] & 0xffu);
}

/* Number of elements of the whole tensor. */
CLINIT_FN clinit_u64 clinit_dev_numel(clinit_dev_desc d)
{
    return d[CLINIT_DW_HI];
}

/* 1 if d is a descriptor of this API version and stream contract for
 * dtype `dtype` (a clinit_dtype value), else 0. */
CLINIT_FN int clinit_dev_check(clinit_dev_desc d, clinit_u32 dtype)
{
    return d[CLINIT_DW_TAG] == CLINIT_DEV_TAG(dtype);
}

/* ---- 32-bit-word dtypes (f32, f16, bf16, f8e4m3, f8e5m2) -------------- */

/* The four f32 values of Philox counter n (n < 2^56): v[w] is element
 * 64 (n / 16) + 16 w + n % 16, w < 4, before rounding to the dtype. One
 * Philox call for four elements. A descriptor of no kernel distribution
 * gives NaN. */
CLINIT_FN void clinit_dev_counter32(clinit_dev_desc d, clinit_u64 n,
                                    CLINIT_PRIV float *v)
{
    clinit_u64 B = n / CLINIT_LANES;
    clinit_u32 l = (clinit_u32)(n % CLINIT_LANES);
    switch ((clinit_u32)d[CLINIT_DW_DIST]) {
#define CLINIT_DEV_CASE32_(NAME, id, name)                                     \
    case id:                                                                   \
        clinit_block32_##name(d, B, l, v);                                     \
        return;
        CLINIT_KERNEL_DIST_LIST(CLINIT_DEV_CASE32_)
#undef CLINIT_DEV_CASE32_
    default:
        break;
    }
    for (int w = 0; w < 4; w++)
        v[w] = CLINIT_F32_OF_BITS(0x7fc00000u);
}

/* Element i's value in f32: what an f32 fill stores; for the narrower
 * dtypes the value before its one rounding (clinit_dev_f16 etc.). */
CLINIT_FN float clinit_dev_f32(clinit_dev_desc d, clinit_u64 i)
{
    float v[4];
    clinit_u32 j = (clinit_u32)(i % CLINIT_BLOCK32);
    clinit_dev_counter32(
        d, i / CLINIT_BLOCK32 * CLINIT_LANES + j % CLINIT_LANES, v);
    return v[j / CLINIT_LANES];
}

/* clinit_dev_f16, clinit_dev_bf16, clinit_dev_f8e4m3, clinit_dev_f8e5m2:
 * element i's stored bits (in the low 16 or 8 bits), rounded by the
 * routine of kernels/clinit_dtype.h that every path uses. One function
 * per row of CLINIT_BITS_DTYPE_LIST. */
#define CLINIT_DEV_BITS_(A, id, name, T, bytes, round, widen, overflow, store) \
    CLINIT_FN clinit_u32 clinit_dev_##name(clinit_dev_desc d, clinit_u64 i)    \
    {                                                                          \
        return round(clinit_dev_f32(d, i));                                    \
    }
CLINIT_BITS_DTYPE_LIST(CLINIT_DEV_BITS_, _)
#undef CLINIT_DEV_BITS_

/* ---- f64 (devices with cl_khr_fp64; always in C) ----------------------- */
#if CLINIT_HAVE_F64

/* The two values of counter n of an f64 fill: v[p] is element
 * 32 (n / 16) + 16 p + n % 16, p < 2. NaN as clinit_dev_counter32. */
CLINIT_FN void clinit_dev_counter64(clinit_dev_desc d, clinit_u64 n,
                                    CLINIT_PRIV double *v)
{
    clinit_u64 B = n / CLINIT_LANES;
    clinit_u32 l = (clinit_u32)(n % CLINIT_LANES);
    switch ((clinit_u32)d[CLINIT_DW_DIST]) {
#define CLINIT_DEV_CASE64_(NAME, id, name)                                     \
    case id:                                                                   \
        clinit_block64_##name(d, B, l, v);                                     \
        return;
        CLINIT_KERNEL_DIST_LIST(CLINIT_DEV_CASE64_)
#undef CLINIT_DEV_CASE64_
    default:
        break;
    }
    v[0] = v[1] = CLINIT_F64_OF_BITS((clinit_u64)0x7ff80000u << 32);
}

/* Element i of an f64 fill. */
CLINIT_FN double clinit_dev_f64(clinit_dev_desc d, clinit_u64 i)
{
    double v[2];
    clinit_u32 j = (clinit_u32)(i % CLINIT_BLOCK64);
    clinit_dev_counter64(
        d, i / CLINIT_BLOCK64 * CLINIT_LANES + j % CLINIT_LANES, v);
    return v[j / CLINIT_LANES];
}

#endif /* CLINIT_HAVE_F64 */

#endif /* CLINIT_DEVICE_H */
