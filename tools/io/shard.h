/* shard.h - sharded safetensors checkpoints as Hugging Face writes them
 * (`clinit init --max-shard-size`; docs/MODEL.md §7), used by the clinit
 * command (not part of the library API; not installed).
 *
 * A checkpoint of K > 1 shards is K safetensors files
 * STEM-00001-of-0000K.safetensors ... next to the target STEM.safetensors
 * and the index STEM.safetensors.index.json, {"metadata": {"total_size":
 * N}, "weight_map": {"tensor": "file", ...}} with N the tensors' data
 * bytes. The functions here only compute: the size, the assignment, the
 * names and the index text. No function here exits or prints.
 */
#ifndef CLINIT_IO_SHARD_H
#define CLINIT_IO_SHARD_H

#include <stddef.h>
#include <stdint.h>

#include "clinit.h"

/* The byte count of a --max-shard-size value, as transformers'
 * convert_file_size_to_int reads it: decimal digits alone (bytes), or
 * followed by a unit, compared ignoring case: KIB 2^10, MIB 2^20, GIB
 * 2^30, KB 10^3, MB 10^6, GB 10^9, where a unit spelled with a lowercase
 * final 'b' ("5Gb", "5gb") is in bits (the bytes are a GB value / 8,
 * rounded down, as transformers does). Also TiB and TB (2^40, 10^12),
 * which transformers lacks. Returns 1 and *out (at least 1), or 0 for an
 * empty, malformed, zero or overflowing value. */
int clinit_shard_parse_size(const char *s, uint64_t *out);

/* Assigns the n tensors of data sizes bytes[0..n), in spec order, to
 * shards as huggingface_hub's split_state_dict_into_shards_factory does
 * (what transformers' save_pretrained calls): a tensor larger than max
 * becomes a shard of its own at once (the shard being filled stays open
 * for the tensors after it); otherwise, when adding it would take the
 * open shard past max, the open shard is closed and a new one opened;
 * the open shard is closed at the end. Shards are numbered in the order
 * they were closed. shard_of[i] gets tensor i's shard (0-based), *nshards
 * the count (0 for n = 0). Errors: CLINIT_ENULL, CLINIT_ENOMEM. */
clinit_status clinit_shard_assign(const uint64_t *bytes, size_t n, uint64_t max,
                                  size_t *shard_of, size_t *nshards);

/* Whether `path` ends with ".safetensors" (ASCII case ignored), which a
 * sharded target must. */
int clinit_shard_target_ok(const char *path);

/* The path of shard i (0-based) of k next to target STEM.safetensors,
 * "STEM-%05zu-of-%05zu.safetensors" (numbered from 1), or with index !=
 * 0 the index's path "STEM.safetensors.index.json"; a new string, NULL
 * when out of memory. */
char *clinit_shard_path(const char *target, size_t i, size_t k, int index);

/* The index text, as Python's json.dumps(index, indent=2,
 * sort_keys=True) + "\n" writes it (what transformers writes): tensors
 * sorted by name (code point order), non-ASCII escaped as \uXXXX. names
 * are the n tensors' names (valid UTF-8), shard_of their shards, k the
 * shard count, target the checkpoint's path (the weight map holds the
 * shards' file names without their directory). A new string in *out
 * (*len bytes). Errors: CLINIT_ENULL, CLINIT_EPARAM (a name that is not
 * valid UTF-8), CLINIT_ENOMEM. */
clinit_status clinit_shard_index(const char *const *names,
                                 const size_t *shard_of, size_t n, size_t k,
                                 uint64_t total_size, const char *target,
                                 char **out, size_t *len);

#endif /* CLINIT_IO_SHARD_H */
