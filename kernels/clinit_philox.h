/* clinit_philox.h - Philox4x32-10 (Salmon et al., SC'11), written once.
 *
 * Same constants and round structure as Random123's philox4x32(): ten
 * rounds, the key bumped by the Weyl constants between rounds. On OpenCL
 * every argument is a CLINIT_LANES-wide vector (one counter per lane); in
 * C it is a scalar. Tested against Random123's known-answer vectors and
 * against librandom123 itself (tests/test_philox.c).
 */
#ifndef CLINIT_PHILOX_H
#define CLINIT_PHILOX_H

#include "clinit_features.h"

#define CLINIT_PHILOX_M0 0xD2511F53u
#define CLINIT_PHILOX_M1 0xCD9E8D57u
#define CLINIT_PHILOX_W0 0x9E3779B9u
#define CLINIT_PHILOX_W1 0xBB67AE85u

#define CLINIT_PHILOX_ROUND_(x0, x1, x2, x3, k0, k1)                           \
    do {                                                                       \
        clinit_vu hi0_, lo0_, hi1_, lo1_;                                      \
        CLINIT_MULHILO(CLINIT_VU(CLINIT_PHILOX_M0), x0, hi0_, lo0_);           \
        CLINIT_MULHILO(CLINIT_VU(CLINIT_PHILOX_M1), x2, hi1_, lo1_);           \
        x0 = hi1_ ^ x1 ^ k0;                                                   \
        x1 = lo1_;                                                             \
        x2 = hi0_ ^ x3 ^ k1;                                                   \
        x3 = lo0_;                                                             \
    } while (0)

#define CLINIT_PHILOX_BUMP_(k0, k1)                                            \
    do {                                                                       \
        k0 += CLINIT_VU(CLINIT_PHILOX_W0);                                     \
        k1 += CLINIT_VU(CLINIT_PHILOX_W1);                                     \
    } while (0)

/* Replaces the counter x[0..3] by philox4x32_10(x, {k0, k1}). */
CLINIT_FN void clinit_philox4x32_10(CLINIT_PRIV clinit_vu *x, clinit_vu k0,
                                    clinit_vu k1)
{
    clinit_vu x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3];
    CLINIT_PHILOX_ROUND_(x0, x1, x2, x3, k0, k1); /* 1 */
    CLINIT_PHILOX_BUMP_(k0, k1);
    CLINIT_PHILOX_ROUND_(x0, x1, x2, x3, k0, k1); /* 2 */
    CLINIT_PHILOX_BUMP_(k0, k1);
    CLINIT_PHILOX_ROUND_(x0, x1, x2, x3, k0, k1); /* 3 */
    CLINIT_PHILOX_BUMP_(k0, k1);
    CLINIT_PHILOX_ROUND_(x0, x1, x2, x3, k0, k1); /* 4 */
    CLINIT_PHILOX_BUMP_(k0, k1);
    CLINIT_PHILOX_ROUND_(x0, x1, x2, x3, k0, k1); /* 5 */
    CLINIT_PHILOX_BUMP_(k0, k1);
    CLINIT_PHILOX_ROUND_(x0, x1, x2, x3, k0, k1); /* 6 */
    CLINIT_PHILOX_BUMP_(k0, k1);
    CLINIT_PHILOX_ROUND_(x0, x1, x2, x3, k0, k1); /* 7 */
    CLINIT_PHILOX_BUMP_(k0, k1);
    CLINIT_PHILOX_ROUND_(x0, x1, x2, x3, k0, k1); /* 8 */
    CLINIT_PHILOX_BUMP_(k0, k1);
    CLINIT_PHILOX_ROUND_(x0, x1, x2, x3, k0, k1); /* 9 */
    CLINIT_PHILOX_BUMP_(k0, k1);
    CLINIT_PHILOX_ROUND_(x0, x1, x2, x3, k0, k1); /* 10 */
    x[0] = x0;
    x[1] = x1;
    x[2] = x2;
    x[3] = x3;
}

#endif /* CLINIT_PHILOX_H */
