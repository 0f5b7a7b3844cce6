/* c99_compliance.c - include/clinit.h compiled as strict C99
 * (-std=c99 -pedantic -Werror, see tests/CMakeLists.txt) and linked into
 * test_cxx, which calls the function below. */
#include "clinit.h"
#include "clinit_model.h"

/* Uses the header's macros, enums and structs so that they are compiled,
 * not just declared. Returns clinit_version() when everything agrees. */
unsigned clinit_c99_compliance(void);

unsigned clinit_c99_compliance(void)
{
    static const int statuses[] = {
#define CLINIT_C99_X_(name, value, msg) CLINIT_##name,
        CLINIT_STATUS_MAP(CLINIT_C99_X_)
#undef CLINIT_C99_X_
    };
    clinit_init in;
    clinit_tensor t = {CLINIT_F32, 2, {4, 4}, 1, 2};
    clinit_model_options opt = {CLINIT_RULES_TORCH};
    uint64_t n = 0;
    if (clinit_init_default(&in, CLINIT_XAVIER_UNIFORM) != CLINIT_OK ||
        clinit_numel(&t, &n) != CLINIT_OK || n != 16 ||
        sizeof statuses / sizeof statuses[0] < 21 ||
        clinit_rule_set_name(opt.rules) == NULL ||
        CLINIT_RULES_COUNT != 2)
        return 0;
    return clinit_version();
}
