/* Model descriptions: valid ones parse to the documented layout, invalid ones
 * are refused with PLSTAR_EDATA and a message naming the problem. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/error.h"
#include "core/model.h"

static int parse(plstar_model *m, const char *json)
{
    model_init(m);
    return model_parse_json(m, json, "m.json");
}

Test(model, mlp_layout_and_count)
{
    plstar_model m;
    cr_assert_eq(parse(&m, "{\"model\":\"mlp\",\"input_dim\":10,\"widths\":[7,5],\"outputs\":3,"
                           "\"activation\":\"tanh\",\"bias\":true}"), PLSTAR_OK);
    cr_assert_eq(m.nlayers, 3);
    cr_assert_eq(m.nparams, 10 * 7 + 7 + 7 * 5 + 5 + 5 * 3 + 3);
    cr_assert_eq(m.layers[1].w_offset, 77);
    cr_assert_eq(m.layers[1].b_offset, 77 + 35);
    cr_assert_eq(m.layers[0].scale_div, 10);
    cr_assert_eq(m.layers[2].scale_div, 5);
    cr_assert_eq(m.layers[2].act, ACT_LINEAR);
    cr_assert_eq(model_width(&m), 5);
    model_clear(&m);
}

Test(model, standard_scaling_and_init)
{
    plstar_model m;
    cr_assert_eq(parse(&m, "{\"model\":\"mlp\",\"input_dim\":4,\"widths\":[400],\"scaling\":\"standard\"}"), PLSTAR_OK);
    cr_assert_eq(m.layers[0].scale_div, 1);
    double *w = malloc(m.nparams * sizeof(double));
    model_init_weights(w, &m, 7);
    double var = 0;
    for (size_t k = 0; k < 1600; k++)
        var += w[k] * w[k];
    var /= 1600;
    cr_assert(var > 0.25 * 0.8 && var < 0.25 * 1.2, "first layer variance %g should be near 1/4", var);
    double *w2 = malloc(m.nparams * sizeof(double));
    model_init_weights(w2, &m, 7);
    cr_assert_eq(memcmp(w, w2, m.nparams * sizeof(double)), 0, "seeded init must be reproducible");
    free(w), free(w2);
    model_clear(&m);
}

Test(model, shallow_signs_fixed_and_not_parameters)
{
    plstar_model m;
    cr_assert_eq(parse(&m, "{\"model\":\"shallow\",\"input_dim\":3,\"width\":5}"), PLSTAR_OK);
    cr_assert_eq(m.nparams, 15);
    cr_assert_eq(m.layers[1].trainable, 0);
    cr_assert_eq(m.layers[1].scale_div, 5);
    cr_assert_eq(m.layers[1].fixed[0], 1.0);
    cr_assert_eq(m.layers[1].fixed[1], -1.0);
    cr_assert_eq(m.activation, ACT_TANH);
    model_clear(&m);
}

Test(model, linear_takes_dim_from_data)
{
    plstar_model m;
    cr_assert_eq(parse(&m, "{\"model\":\"linear\"}"), PLSTAR_OK);
    cr_assert_eq(model_set_input_dim(&m, 12), PLSTAR_OK);
    cr_assert_eq(m.nparams, 12);
    model_clear(&m);
}

Test(model, canonical_json_round_trip)
{
    plstar_model m, m2;
    cr_assert_eq(parse(&m, "{\"model\":\"mlp\",\"input_dim\":2,\"widths\":[3,4],\"outputs\":2,\"activation\":\"gelu\","
                           "\"output_activation\":\"sigmoid\",\"bias\":true,\"scaling\":\"standard\"}"), PLSTAR_OK);
    char *s = model_to_json(&m);
    cr_assert_eq(parse(&m2, s), PLSTAR_OK, "%s", plstar_errmsg());
    cr_assert_eq(m2.nparams, m.nparams);
    cr_assert_eq(m2.output_activation, ACT_SIGMOID);
    cr_assert_eq(m2.scaling, SCALING_STANDARD);
    free(s);
    model_clear(&m), model_clear(&m2);
}

static void refused(const char *json, const char *needle)
{
    plstar_model m;
    int st = parse(&m, json);
    cr_assert_eq(st, PLSTAR_EDATA, "expected refusal of %s", json);
    cr_assert(strstr(plstar_errmsg(), "m.json"), "message names the file: %s", plstar_errmsg());
    cr_assert(strstr(plstar_errmsg(), needle), "message '%s' should mention '%s'", plstar_errmsg(), needle);
    cr_assert(!strchr(plstar_errmsg(), '\n'));
}

Test(model, invalid_descriptions)
{
    refused("{", "invalid JSON");
    refused("[1,2]", "JSON object");
    refused("{\"input_dim\":3}", "missing \"model\"");
    refused("{\"model\":\"cnn\"}", "unknown model");
    refused("{\"model\":\"mlp\",\"input_dim\":3,\"widths\":[0]}", "widths[0]");
    refused("{\"model\":\"mlp\",\"input_dim\":3,\"widths\":[-4]}", "widths[0]");
    refused("{\"model\":\"mlp\",\"input_dim\":0,\"widths\":[4]}", "input_dim");
    refused("{\"model\":\"mlp\",\"input_dim\":3,\"widths\":[4],\"activation\":\"swish\"}", "unknown activation");
    refused("{\"model\":\"mlp\",\"input_dim\":3,\"widths\":4}", "widths");
    refused("{\"model\":\"mlp\",\"input_dim\":3,\"widths\":[4],\"scaling\":\"mup\"}", "scaling");
    refused("{\"model\":\"mlp\",\"input_dim\":3,\"widths\":[4],\"bias\":1}", "bias");
    refused("{\"model\":\"mlp\",\"input_dim\":3,\"widths\":[4],\"widht\":2}", "unknown key");
    refused("{\"model\":\"shallow\",\"input_dim\":3}", "width");
    refused("{\"model\":\"mlp\",\"input_dim\":3,\"input_dim\":4,\"widths\":[4]}", "invalid JSON");
    refused("{\"model\":\"mlp\",\"input_dim\":67108864,\"widths\":[67108864, 67108864]}", "too many weights");
    refused("{\"model\":\"mlp\",\"input_dim\":3,\"widths\":[99999999999]}", "widths[0]");
}
