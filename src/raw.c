/* raw.c - raw Philox words for tests and statistical batteries. */
#include "clinit_internal.h"
#include "clinit_stream.h"

clinit_status clinit_philox_raw(const uint32_t key[2],
                                const uint32_t counter[4], uint64_t nwords,
                                uint32_t *out)
{
    uint64_t lo64, hi64;
    if (!key || !counter || (nwords > 0 && !out))
        return CLINIT_ENULL;
    lo64 = ((uint64_t)counter[1] << 32) | counter[0];
    hi64 = ((uint64_t)counter[3] << 32) | counter[2];
    for (uint64_t j = 0; j < nwords; j += 4) {
        uint32_t x[4] = {(uint32_t)lo64, (uint32_t)(lo64 >> 32), (uint32_t)hi64,
                         (uint32_t)(hi64 >> 32)};
        clinit_philox4x32_10(x, key[0], key[1]);
        for (uint64_t i = 0; i < 4 && j + i < nwords; i++)
            out[j + i] = x[i];
        if (++lo64 == 0)
            hi64++;
    }
    return CLINIT_OK;
}

clinit_status clinit_stream_words(uint64_t seed, uint64_t stream,
                                  uint64_t first, uint64_t nwords,
                                  uint32_t *out)
{
    uint64_t end;
    if (nwords > 0 && !out)
        return CLINIT_ENULL;
    if (first > CLINIT_MAX_NUMEL || nwords > CLINIT_MAX_NUMEL - first)
        return CLINIT_EOVERFLOW;
    end = first + nwords;
    for (uint64_t i = first; i < end;) {
        uint64_t B = i / CLINIT_BLOCK32;
        uint32_t x[4][CLINIT_LANES];
        for (uint32_t l = 0; l < CLINIT_LANES; l++) {
            uint32_t w[4];
            clinit_block_words(B, l, CLINIT_DOMAIN_VALUES, (uint32_t)seed,
                               (uint32_t)(seed >> 32), (uint32_t)stream,
                               (uint32_t)(stream >> 32), w);
            for (int k = 0; k < 4; k++)
                x[k][l] = w[k];
        }
        for (; i < end && i / CLINIT_BLOCK32 == B; i++) {
            uint32_t j = (uint32_t)(i % CLINIT_BLOCK32);
            out[i - first] = x[j / CLINIT_LANES][j % CLINIT_LANES];
        }
    }
    return CLINIT_OK;
}
