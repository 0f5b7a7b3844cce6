/* gguf_spec.h - the model spec's "gguf" object (docs/MODEL.md §8) as the
 * typed metadata of a GGUF file (writer.h, gguf.c), for `clinit init`
 * (not part of the library API; not installed).
 *
 * The library's parser (src/model.c) accepts a top-level "gguf" object
 * and checks only that it is one; this reads the same spec text again
 * with cJSON (the text has passed the library's bounds already) and turns
 * every key into a metadata pair:
 *   JSON string -> string; true/false -> bool; an integral number below
 *   2^53 -> u32 if it fits, else i32 if it fits, else u64 / i64; another
 *   number -> f32; a plain array of strings, bools or numbers -> an array
 *   of that type (numbers: the narrowest of u32, i32, u64, i64 holding
 *   every item, f32 if one is not integral); {"type": T, "value": V} the
 *   value as type T (u8 i8 u16 i16 u32 i32 u64 i64 f32 f64 bool string;
 *   integers also as decimal or 0x hex strings); {"type": "array", "of":
 *   T, "value": [...]} an array of T.
 * Added: general.architecture ("clinit" unless given) and general.name
 * (the spec's "name" unless given) first, and clinit.version,
 * clinit.stream_contract, clinit.seed, clinit.spec_hash last (clinit.*
 * keys are reserved).
 *
 * No function here exits or prints.
 */
#ifndef CLINIT_IO_GGUF_SPEC_H
#define CLINIT_IO_GGUF_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "writer.h"

/* The metadata list; everything it points to is owned by it. */
typedef struct clinit_gguf_meta {
    clinit_io_meta *meta;
    size_t n;
    /* private */
    void *doc;
    clinit_io_value *values;
    clinit_io_item *items;
    char hash[17];
} clinit_gguf_meta;

/* The metadata of the spec json[0..len) for a model named `name` (the
 * spec's "name"), written with `seed` and spec hash `spec_hash`, into *g
 * (free with clinit_gguf_meta_free, also after an error). Returns
 * CLINIT_OK; CLINIT_EPARAM with one line "PATH: PROBLEM" in err (e.g.
 * `gguf["llama.block_count"]: must be ...`); CLINIT_ENOMEM; CLINIT_ENULL. */
clinit_status clinit_gguf_spec_meta(const char *json, size_t len,
                                    const char *name, uint64_t seed,
                                    uint64_t spec_hash, clinit_gguf_meta *g,
                                    char *err, size_t errlen);

/* Frees what *g owns and zeroes it. Accepts NULL and a zeroed *g. */
void clinit_gguf_meta_free(clinit_gguf_meta *g);

#endif /* CLINIT_IO_GGUF_SPEC_H */
