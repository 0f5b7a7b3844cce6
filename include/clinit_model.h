/* clinit_model.h - model specs: a whole network's parameters described in
 * JSON (layers, init rules), expanded into named tensors that clinit fills.
 *
 * The format is documented in docs/MODEL.md. Each tensor's stream is
 * clinit_stream_of(name) and the seed is model-wide, so the values of a
 * tensor depend only on (seed, name, shape, dtype, init): adding, removing
 * or reordering other layers never changes them.
 *
 * The conventions of clinit.h apply (statuses, borrowed pointers). A
 * clinit_model is immutable after parsing except for the two overrides
 * below; concurrent readers need no locking, a writer does.
 */
#ifndef CLINIT_MODEL_H
#define CLINIT_MODEL_H

#include "clinit.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits a spec must respect (each violation is a spec error). */
#define CLINIT_MODEL_MAX_TENSORS 262144 /* tensors after expanding repeats */
#define CLINIT_MODEL_MAX_DEPTH 8        /* nested repeat layers */
#define CLINIT_MODEL_MAX_NAME 1024      /* bytes of a full tensor name */
#define CLINIT_MODEL_MAX_NAME_BYTES (1ul << 25) /* all names together */
#define CLINIT_MODEL_MAX_JSON_DEPTH 64 /* nesting of JSON arrays/objects */
#define CLINIT_MODEL_MAX_JSON_NODES (1ul << 18)   /* JSON values in the text */
#define CLINIT_MODEL_MAX_JSON_STRINGS (1ul << 24) /* bytes of all strings */

/* The size cap of orthogonal_ (a QR on the host, single-threaded, in
 * O(max(rows, cols) * min(rows, cols)^2) time and ~20 bytes of memory per
 * element): rows = shape[0], cols = the product of the other dimensions.
 * At the cap it takes about 10 s on one 2024 x86 core and ~330 MB. */
#define CLINIT_ORTHO_MAX_NUMEL (UINT64_C(1) << 24)
#define CLINIT_ORTHO_MAX_WORK (UINT64_C(1) << 32) /* max * min^2 */

typedef struct clinit_model clinit_model;

/* One tensor of a model, as clinit_model_tensor() describes it. */
typedef struct clinit_model_tensor_info {
    const char *name;     /* "h.3.attn.c_attn.weight" (owned by the model) */
    const char *kind;     /* layer kind: "linear", "conv2d", ..., "tensor"
                             (static string) */
    const char *param;    /* "weight", "bias", or NULL for kind "tensor" */
    clinit_tensor tensor; /* shape, dtype, model seed, clinit_stream_of(name) */
    clinit_init init;     /* method and parameters */
    uint64_t numel;       /* elements */
    uint64_t bytes;       /* numel * clinit_dtype_size(tensor.dtype) */
} clinit_model_tensor_info;

/* Parses the JSON model spec json[0..len) (need not be NUL-terminated)
 * into a new model in *out, owned by the caller (clinit_model_destroy).
 * Every tensor is validated as clinit_resolve() would validate it. Never
 * reads beyond `len` bytes and never crashes on malformed input. On a spec
 * error returns CLINIT_EPARAM, sets *out to NULL and writes one line into
 * err (if err is not NULL and errlen > 0; truncated to errlen - 1 bytes,
 * always NUL-terminated), "PATH: PROBLEM", e.g.
 * "layers[3].out: must be a positive integer". Other errors: CLINIT_ENULL
 * (json or out NULL), CLINIT_ENOMEM (err says so too). Does not block. */
CLINIT_API clinit_status clinit_model_parse(const char *json, size_t len,
                                            clinit_model **out, char *err,
                                            size_t errlen);

/* Rule sets: the init of every layer parameter that neither the layer's
 * "init" nor a rule of the spec sets (docs/MODEL.md §4, which has the
 * table of what each kind gets). Values are pinned. A spec chooses one
 * with "rules": "torch" or {"base": "torch", ...}. */
typedef enum clinit_rule_set {
    /* the textbook _init_weights: xavier_uniform linear weights, biases
     * 0.01, kaiming_normal(fan_out, relu) conv weights, embeddings
     * N(0, 0.02), norms ones/zeros. The default: specs that name no set
     * keep the values they always had. */
    CLINIT_RULES_TEXTBOOK = 0,
    /* torch 1.13's reset_parameters: linear and conv weights
     * kaiming_uniform(a=sqrt(5)), their biases U(+-1/sqrt(fan_in of the
     * weight)), embeddings N(0, 1), norms ones/zeros. */
    CLINIT_RULES_TORCH = 1,
    CLINIT_RULES_COUNT /* number of rule sets */
} clinit_rule_set;

/* Options of clinit_model_parse_opts. Zero-initialize it (memset or
 * = {0}) and set what differs, so that fields added later keep their
 * defaults. */
typedef struct clinit_model_options {
    /* The rule set of a spec that names none; a set the spec names wins.
     * Default (0): CLINIT_RULES_TEXTBOOK. */
    clinit_rule_set rules;
} clinit_model_options;

/* clinit_model_parse with options; opt may be NULL (the defaults, which
 * is clinit_model_parse). Errors as clinit_model_parse, and
 * CLINIT_EPARAM with "options.rules: unknown rule set N" in err for a
 * rule set that is not one of clinit_rule_set. Does not block. */
CLINIT_API clinit_status clinit_model_parse_opts(
    const char *json, size_t len, const clinit_model_options *opt,
    clinit_model **out, char *err, size_t errlen);

/* Rule set <-> its name in specs ("textbook", "torch"). from_name:
 * CLINIT_OK, CLINIT_ENULL, or CLINIT_EPARAM for an unknown name (*out
 * untouched). name: a static string, NULL for an unknown value. */
CLINIT_API clinit_status clinit_rule_set_from_name(const char *name,
                                                   clinit_rule_set *out);
CLINIT_API const char *clinit_rule_set_name(clinit_rule_set set);

/* Whether orthogonal_ accepts the shape of t under the size cap above:
 * CLINIT_OK, or CLINIT_EORTHOSIZE (more than CLINIT_ORTHO_MAX_NUMEL
 * elements, or max * min^2 of rows and cols above CLINIT_ORTHO_MAX_WORK),
 * CLINIT_ENULL, CLINIT_ESHAPE (fewer than 2 dimensions or a dimension
 * < 1), CLINIT_EOVERFLOW (more than CLINIT_MAX_NUMEL elements). Does not
 * block. */
CLINIT_API clinit_status clinit_ortho_check(const clinit_tensor *t);

/* Frees the model and every string it owns. Accepts NULL. */
CLINIT_API void clinit_model_destroy(clinit_model *model);

/* Number of tensors (0 for NULL). */
CLINIT_API size_t clinit_model_size(const clinit_model *model);

/* Describes tensor i (spec order: the order of the layers, repeats
 * expanded, weight before bias). The strings stay valid until the model is
 * destroyed. Errors: CLINIT_ENULL, CLINIT_ERANGE (i >= size). */
CLINIT_API clinit_status clinit_model_tensor(const clinit_model *model,
                                             size_t i,
                                             clinit_model_tensor_info *out);

/* A descriptor for filling all of tensor i: tensor, init, lo = 0,
 * hi = numel; buf, offset and host zeroed for the caller to set. Errors:
 * CLINIT_ENULL, CLINIT_ERANGE. */
CLINIT_API clinit_status clinit_model_fill_desc(const clinit_model *model,
                                                size_t i,
                                                clinit_fill_desc *out);

/* Total elements of all tensors (0 for NULL). Parsing guarantees it fits. */
CLINIT_API uint64_t clinit_model_numel(const clinit_model *model);

/* Total bytes of all tensors in their dtypes (0 for NULL), or UINT64_MAX
 * if a dtype override made it overflow (clinit_model_check reports it). */
CLINIT_API uint64_t clinit_model_bytes(const clinit_model *model);

/* The spec's "name" ("" when absent; owned by the model). */
CLINIT_API const char *clinit_model_name(const clinit_model *model);

/* The model-wide seed (the spec's "seed", default 0, or the override). */
CLINIT_API uint64_t clinit_model_seed(const clinit_model *model);

/* Overrides: the seed of every tensor; the dtype of every tensor (also of
 * layers that set their own "dtype"). Accept NULL (no-op). A new dtype
 * can make a tensor invalid (a constant that overflows f16, byte totals):
 * call clinit_model_check afterwards. */
CLINIT_API void clinit_model_set_seed(clinit_model *model, uint64_t seed);
CLINIT_API void clinit_model_set_dtype(clinit_model *model, clinit_dtype dtype);

/* Validates every tensor as it is now (after overrides) with
 * clinit_resolve and checks the byte totals. Returns CLINIT_OK, or the
 * first failing tensor's status with one line in err ("TENSOR_NAME:
 * PROBLEM"), or CLINIT_ENULL. */
CLINIT_API clinit_status clinit_model_check(const clinit_model *model,
                                            char *err, size_t errlen);

/* The canonical text of the model as it is now (after overrides), one
 * line per tensor in spec order:
 *   NAME DTYPE [D0,D1,...] METHOD KEY=VALUE ...\n
 * with the method's parameters (those it takes, defaults included) in a
 * fixed order, numbers as %.17g, modes and nonlinearities by name. The
 * seed is not part of it. Writes at most cap bytes (NUL included, when
 * cap > 0) into buf (may be NULL when cap is 0) and returns the full
 * length without the NUL, like snprintf; 0 for NULL model. */
CLINIT_API size_t clinit_model_canonical(const clinit_model *model, char *buf,
                                         size_t cap);

/* FNV-1a 64 of clinit_model_canonical's text: two models with the same
 * hash and the same seed produce the same bytes (0 for NULL). */
CLINIT_API uint64_t clinit_model_spec_hash(const clinit_model *model);

#ifdef __cplusplus
}
#endif

#endif /* CLINIT_MODEL_H */
