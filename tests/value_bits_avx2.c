/* value_bits_avx2.c - the exhaustive passes of tests/test_value_bits.c
 * that need the AVX2 variant's own vectors: kernels/ compiled as in
 * src/cpu/kernels.c's AVX2 build (-march=haswell, CLINIT_C_VECTORS = 8,
 * tests/CMakeLists.txt), so the portable forms checked are the vector code
 * that variant would otherwise run, at vector speed. */
#define CLINIT_C_VECTORS 8
#include "clinit_dtype.h"
#include "clinit_math.h"

#include "value_bits.h"

/* The bits of lanes b .. b + 7 as floats */
static clinit_vf lanes_of(uint64_t b)
{
    clinit_vu u = CLINIT_VU((uint32_t)b) + CLINIT_LANE_IDS;
    return CLINIT_AS_F(u);
}

static void note(uint64_t *bad, uint32_t *example, uint32_t u)
{
    if (!*bad)
        *example = u;
    (*bad)++;
}

uint64_t clinit_test_f16c_diffs(uint64_t first, uint64_t count,
                                uint32_t *example)
{
    uint64_t bad = 0;
    for (uint64_t b = first; b < first + count; b += 8) {
        clinit_vf v = lanes_of(b);
        clinit_vu want = clinit_f16_bits(v);
        clinit_vh got = clinit_f16_bits_narrow(v); /* vcvtps2ph */
        for (int l = 0; l < 8; l++) {
            uint32_t u = (uint32_t)b + (uint32_t)l;
            if ((u & 0x7fffffffu) > 0x7f800000u) /* NaN */
                continue;
            if (got[l] != want[l])
                note(&bad, example, u);
        }
    }
    return bad;
}

/* clinit_sqrt_hw_f32 (fin = 0) or clinit_sqrt_fin_f32 (fin = 1) against
 * clinit_sqrt_f32 on [first, first + count), the lanes of each one's
 * domain: +0 and the positive normal floats for the first, every finite
 * float for the second; other lanes are skipped */
static uint64_t sqrt_diffs(uint64_t first, uint64_t count, uint32_t *example,
                           int fin)
{
    uint64_t bad = 0;
    for (uint64_t b = first; b < first + count; b += 8) {
        clinit_vf v = lanes_of(b);
        clinit_vu want = CLINIT_AS_U(clinit_sqrt_f32(v));
        clinit_vu got = CLINIT_AS_U(fin ? clinit_sqrt_fin_f32(v)
                                        : clinit_sqrt_hw_f32(v));
        clinit_vi d = CLINIT_AS_I(want ^ got);
        if (CLINIT_ANY(d != CLINIT_VI(0)))
            for (int l = 0; l < 8; l++) {
                uint32_t x = (uint32_t)b + (uint32_t)l;
                int domain =
                    fin ? (x & 0x7fffffffu) < 0x7f800000u
                        : x == 0u || (x >= 0x00800000u && x < 0x7f800000u);
                if (domain && want[l] != got[l])
                    note(&bad, example, x);
            }
    }
    return bad;
}

uint64_t clinit_test_sqrt_diffs(uint64_t first, uint64_t count,
                                uint32_t *example)
{
    return sqrt_diffs(first, count, example, 0);
}

uint64_t clinit_test_sqrt_fin_diffs(uint64_t first, uint64_t count,
                                    uint32_t *example)
{
    return sqrt_diffs(first, count, example, 1);
}

/* r^2 = 0 - 2 log(u) of Box-Muller (kernels/clinit_stream.h) for every
 * n = xa >> 1 in [first, first + count): the lanes where it is neither +0
 * nor a positive normal finite float (where clinit_sqrt_hw_f32 would
 * differ from clinit_sqrt_f32) */
uint64_t clinit_test_r2_outside(uint64_t first, uint64_t count,
                                uint32_t *example)
{
    uint64_t bad = 0;
    for (uint64_t b = first; b < first + count; b += 8) {
        clinit_vu n = CLINIT_VU((uint32_t)b) + CLINIT_LANE_IDS;
        clinit_vf u = CLINIT_FMA(CLINIT_I2F(CLINIT_AS_I(n)),
                                 CLINIT_VF(0x1p-31f), CLINIT_VF(0x1p-32f));
        clinit_vf x = CLINIT_VF(0.0f) - CLINIT_VF(2.0f) * clinit_log_f32(u);
        clinit_vu xb = CLINIT_AS_U(x);
        for (int l = 0; l < 8; l++)
            if (xb[l] != 0u && (xb[l] < 0x00800000u || xb[l] >= 0x7f800000u))
                note(&bad, example, (uint32_t)b + (uint32_t)l);
    }
    return bad;
}
