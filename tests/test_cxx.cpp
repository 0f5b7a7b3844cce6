// test_cxx.cpp - include/clinit.h compiles as C++11 and the shared library's
// exported symbols link from C++; also links the strict-C99 compile of the
// header (c99_compliance.c).
#include <criterion/criterion.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "clinit.h"
#include "clinit_model.h"

extern "C" unsigned clinit_c99_compliance(void);

TestSuite(cxx);

Test(cxx, version)
{
    cr_expect_eq(clinit_version(), (unsigned)CLINIT_VERSION_NUMBER);
    cr_expect_str_eq(clinit_version_string(), CLINIT_VERSION_STRING);
    // the C99 object agrees with the C++ view of the same header
    cr_expect_eq(clinit_c99_compliance(), clinit_version());
}

Test(cxx, init_default_and_fill_host)
{
    clinit_init in;
    std::memset(&in, 0xff, sizeof in);
    cr_assert_eq(clinit_init_default(&in, CLINIT_KAIMING_UNIFORM), CLINIT_OK);
    cr_expect_eq(in.method, CLINIT_KAIMING_UNIFORM);
    cr_expect_eq(in.mode, CLINIT_FAN_IN);
    cr_expect_eq(in.nonlinearity, CLINIT_NL_LEAKY_RELU);
    cr_expect(in.a == 0.0);

    clinit_tensor t = clinit_tensor();
    t.dtype = CLINIT_F32;
    t.ndim = 2;
    t.shape[0] = 8;
    t.shape[1] = 25;
    t.seed = 1;
    t.stream = 2;
    std::vector<float> v(200, -100.0f), w(200, -100.0f);
    cr_assert_eq(clinit_fill_host(nullptr, &t, &in, 0, 200, v.data()),
                 CLINIT_OK);
    cr_assert_eq(clinit_fill_host(nullptr, &t, &in, 0, 200, w.data()),
                 CLINIT_OK);
    // kaiming_uniform, a = 0: bound = sqrt(3) * sqrt(2) / sqrt(fan_in = 25)
    const float bound = (float)(std::sqrt(3.0) * std::sqrt(2.0) / 5.0);
    for (size_t i = 0; i < v.size(); i++)
        cr_expect(v[i] >= -bound && v[i] < bound, "v[%zu] = %g", i, v[i]);
    cr_expect(v == w, "fill is not deterministic");
    cr_expect_eq(clinit_fill_host(nullptr, &t, &in, 0, 201, v.data()),
                 CLINIT_ERANGE);
    cr_expect_str_eq(clinit_status_name(CLINIT_ERANGE), "ERANGE");
}

Test(cxx, new_methods_and_enums)
{
    // the enums added with variance_scaling are usable from C++
    clinit_init in;
    std::memset(&in, 0xff, sizeof in);
    cr_assert_eq(clinit_init_default(&in, CLINIT_HE_NORMAL), CLINIT_OK);
    cr_expect(in.scale == 2.0);
    cr_expect_eq(in.mode, CLINIT_FAN_IN);
    cr_expect_eq(in.distribution, CLINIT_VS_TRUNCATED_NORMAL);
    clinit_distribution d = CLINIT_VS_UNIFORM;
    cr_expect_eq(clinit_distribution_from_name("untruncated_normal", &d),
                 CLINIT_OK);
    cr_expect_eq(d, CLINIT_VS_UNTRUNCATED_NORMAL);
    cr_expect_str_eq(clinit_distribution_name(CLINIT_VS_UNIFORM), "uniform");
    cr_expect_str_eq(clinit_mode_name(CLINIT_FAN_AVG), "fan_avg");
    cr_expect_str_eq(clinit_status_name(CLINIT_EDISTRIBUTION), "EDISTRIBUTION");

    // eye_ in bf16 through the shared library: 1.0 is 0x3f80
    clinit_tensor t = clinit_tensor();
    t.dtype = CLINIT_BF16;
    t.ndim = 2;
    t.shape[0] = 3;
    t.shape[1] = 5;
    cr_assert_eq(clinit_init_default(&in, CLINIT_EYE), CLINIT_OK);
    std::vector<uint16_t> v(15, 0x5a5a);
    cr_assert_eq(clinit_fill_host(nullptr, &t, &in, 0, 15, v.data()),
                 CLINIT_OK);
    for (size_t i = 0; i < v.size(); i++)
        cr_expect_eq(v[i], (i / 5 == i % 5) ? 0x3f80 : 0, "v[%zu] = %#x", i,
                     (unsigned)v[i]);
}

Test(cxx, model_rule_set_option)
{
    // clinit_model_options value-initialized from C++, the torch set chosen
    static const char spec[] =
        "{\"layers\": [{\"kind\": \"linear\", \"name\": \"fc\", \"in\": 16, "
        "\"out\": 2}]}";
    clinit_model_options opt = clinit_model_options();
    clinit_rule_set set = CLINIT_RULES_TEXTBOOK;
    clinit_model *m = nullptr;
    clinit_model_tensor_info ti;
    char err[256];
    cr_expect_eq(opt.rules, CLINIT_RULES_TEXTBOOK);
    cr_assert_eq(clinit_rule_set_from_name("torch", &set), CLINIT_OK);
    opt.rules = set;
    cr_assert_eq(clinit_model_parse_opts(spec, sizeof spec - 1, &opt, &m, err,
                                         sizeof err),
                 CLINIT_OK, "%s", err);
    cr_assert_eq(clinit_model_tensor(m, 1, &ti), CLINIT_OK);
    cr_expect_eq(ti.init.method, CLINIT_UNIFORM);
    cr_expect(ti.init.b == 0.25); // 1 / sqrt(16)
    cr_expect_str_eq(clinit_rule_set_name(CLINIT_RULES_TORCH), "torch");
    clinit_model_destroy(m);
}
