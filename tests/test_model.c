/* Model descriptions: valid ones parse to the documented layout, invalid ones
 * are refused with PLSTAR_EDATA and a message naming the problem; every key
 * that changes the function is required. Problems remember where their inputs
 * came from (paths and SHA-256 digests), for the provenance of reports. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/model.h"
#include "core/npy.h"
#include "core/sha256.h"

static int parse(plstar_model *m, const char *json)
{
    plstar_model_init(m);
    return plstar_model_parse_json(m, json, "m.json");
}

Test(model, mlp_layout_and_count)
{
    plstar_model m;
    cr_assert_eq(parse(&m, "{\"model\":\"mlp\",\"input_dim\":10,\"widths\":[7,5],\"outputs\":3,"
                           "\"activation\":\"tanh\",\"output_activation\":\"linear\",\"scaling\":\"ntk\",\"bias\":true}"), PLSTAR_OK);
    cr_assert_eq(m.nlayers, 3);
    cr_assert_eq(m.nparams, 10 * 7 + 7 + 7 * 5 + 5 + 5 * 3 + 3);
    cr_assert_eq(m.layers[1].w_offset, 77);
    cr_assert_eq(m.layers[1].b_offset, 77 + 35);
    cr_assert_eq(m.layers[0].scale_div, 10);
    cr_assert_eq(m.layers[2].scale_div, 5);
    cr_assert_eq(m.layers[2].act, ACT_LINEAR);
    cr_assert_eq(plstar_model_width(&m), 5);
    plstar_model_clear(&m);
}

Test(model, standard_scaling_and_init)
{
    plstar_model m;
    cr_assert_eq(parse(&m, "{\"model\":\"mlp\",\"input_dim\":4,\"widths\":[400],\"outputs\":1,\"activation\":\"tanh\","
                           "\"output_activation\":\"linear\",\"scaling\":\"standard\",\"bias\":false}"), PLSTAR_OK);
    cr_assert_eq(m.layers[0].scale_div, 1);
    double *w = malloc(m.nparams * sizeof(double));
    plstar_model_init_weights(w, &m, 7);
    double var = 0;
    for (size_t k = 0; k < 1600; k++)
        var += w[k] * w[k];
    var /= 1600;
    cr_assert(var > 0.25 * 0.8 && var < 0.25 * 1.2, "first layer variance %g should be near 1/4", var);
    double *w2 = malloc(m.nparams * sizeof(double));
    plstar_model_init_weights(w2, &m, 7);
    cr_assert_eq(memcmp(w, w2, m.nparams * sizeof(double)), 0, "seeded init must be reproducible");
    free(w), free(w2);
    plstar_model_clear(&m);
}

Test(model, shallow_signs_fixed_and_not_parameters)
{
    plstar_model m;
    cr_assert_eq(parse(&m, "{\"model\":\"shallow\",\"input_dim\":3,\"width\":5,\"activation\":\"tanh\"}"), PLSTAR_OK);
    cr_assert_eq(m.nparams, 15);
    cr_assert_eq(m.layers[1].trainable, 0);
    cr_assert_eq(m.layers[1].scale_div, 5);
    cr_assert_eq(m.layers[1].fixed[0], 1.0);
    cr_assert_eq(m.layers[1].fixed[1], -1.0);
    cr_assert_eq(m.activation, ACT_TANH);
    plstar_model_clear(&m);
}

Test(model, linear_takes_dim_from_data)
{
    plstar_model m;
    cr_assert_eq(parse(&m, "{\"model\":\"linear\"}"), PLSTAR_OK);
    cr_assert_eq(plstar_model_set_input_dim(&m, 12), PLSTAR_OK);
    cr_assert_eq(m.nparams, 12);
    plstar_model_clear(&m);
}

Test(model, canonical_json_round_trip)
{
    plstar_model m, m2;
    cr_assert_eq(parse(&m, "{\"model\":\"mlp\",\"input_dim\":2,\"widths\":[3,4],\"outputs\":2,\"activation\":\"gelu\","
                           "\"output_activation\":\"sigmoid\",\"bias\":true,\"scaling\":\"standard\"}"), PLSTAR_OK);
    char *s = plstar_model_to_json(&m);
    cr_assert_eq(parse(&m2, s), PLSTAR_OK, "%s", plstar_errmsg());
    cr_assert_eq(m2.nparams, m.nparams);
    cr_assert_eq(m2.output_activation, ACT_SIGMOID);
    cr_assert_eq(m2.scaling, SCALING_STANDARD);
    free(s);
    plstar_model_clear(&m), plstar_model_clear(&m2);
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

/* A complete mlp description with `body` inserted: {"model":"mlp",<body>}. */
#define MLP(body) "{\"model\":\"mlp\"," body "}"
#define REST "\"outputs\":1,\"activation\":\"tanh\",\"output_activation\":\"linear\",\"scaling\":\"ntk\",\"bias\":false"

Test(model, invalid_descriptions)
{
    refused("{", "invalid JSON");
    refused("[1,2]", "JSON object");
    refused("{\"input_dim\":3}", "missing \"model\"");
    refused("{\"model\":\"cnn\"}", "unknown model");
    refused(MLP("\"input_dim\":3,\"widths\":[0]," REST), "widths[0]");
    refused(MLP("\"input_dim\":3,\"widths\":[-4]," REST), "widths[0]");
    refused(MLP("\"input_dim\":0,\"widths\":[4]," REST), "input_dim");
    refused("{\"model\":\"mlp\",\"input_dim\":3,\"widths\":[4],\"outputs\":1,\"activation\":\"swish\","
            "\"output_activation\":\"linear\",\"scaling\":\"ntk\",\"bias\":false}", "unknown activation");
    refused(MLP("\"input_dim\":3,\"widths\":4," REST), "widths");
    refused("{\"model\":\"mlp\",\"input_dim\":3,\"widths\":[4],\"outputs\":1,\"activation\":\"tanh\","
            "\"output_activation\":\"linear\",\"scaling\":\"mup\",\"bias\":false}", "scaling");
    refused("{\"model\":\"mlp\",\"input_dim\":3,\"widths\":[4],\"outputs\":1,\"activation\":\"tanh\","
            "\"output_activation\":\"linear\",\"scaling\":\"ntk\",\"bias\":1}", "bias");
    refused(MLP("\"input_dim\":3,\"widths\":[4],\"widht\":2," REST), "unknown key");
    refused("{\"model\":\"shallow\",\"input_dim\":3,\"activation\":\"tanh\"}", "width");
    refused(MLP("\"input_dim\":3,\"input_dim\":4,\"widths\":[4]," REST), "invalid JSON");
    refused(MLP("\"input_dim\":67108864,\"widths\":[67108864, 67108864]," REST), "too many weights");
    refused(MLP("\"input_dim\":3,\"widths\":[99999999999]," REST), "widths[0]");
}

/* Each key that changes the function, left out of an otherwise complete
 * description, is refused by name: no default stands in for it. */
static void each_key_required(const char *kind, const char *const *keys, const char *const *values)
{
    for (size_t drop = 0; keys[drop]; drop++) {
        char json[512];
        int len = snprintf(json, sizeof json, "{\"model\":\"%s\"", kind);
        for (size_t k = 0; keys[k]; k++)
            if (k != drop)
                len += snprintf(json + len, sizeof json - (size_t)len, ",\"%s\":%s", keys[k], values[k]);
        snprintf(json + len, sizeof json - (size_t)len, "}");
        char needle[64];
        snprintf(needle, sizeof needle, "missing \"%s\"", keys[drop]);
        refused(json, needle);
    }
}

Test(model, keys_that_change_the_function_are_required)
{
    static const char *const mlp_keys[] = {"input_dim", "widths", "outputs", "activation", "output_activation",
                                           "scaling", "bias", NULL};
    static const char *const mlp_values[] = {"3", "[4]", "1", "\"tanh\"", "\"linear\"", "\"standard\"", "false"};
    each_key_required("mlp", mlp_keys, mlp_values);
    static const char *const shallow_keys[] = {"input_dim", "width", "activation", NULL};
    static const char *const shallow_values[] = {"3", "8", "\"tanh\""};
    each_key_required("shallow", shallow_keys, shallow_values);
}

/* A PyTorch nn.Sequential(Linear(3, 4, bias=False), Tanh(), Linear(4, 1, bias=False)) described
 * without its scaling and bias was read as an NTK-scaled net with the same parameter count. */
Test(model, pytorch_net_must_state_scaling_and_bias)
{
    plstar_model m;
    refused("{\"model\":\"mlp\",\"input_dim\":3,\"widths\":[4],\"outputs\":1,\"activation\":\"tanh\","
            "\"output_activation\":\"linear\"}", "missing \"scaling\"");
    cr_assert_eq(parse(&m, "{\"model\":\"mlp\",\"input_dim\":3,\"widths\":[4],\"outputs\":1,\"activation\":\"tanh\","
                           "\"output_activation\":\"linear\",\"scaling\":\"standard\",\"bias\":false}"), PLSTAR_OK);
    cr_assert_eq(m.layers[0].scale_div, 1, "standard scaling: no 1/sqrt(fan-in) in the forward pass");
    cr_assert_eq(m.layers[0].has_bias, 0);
    plstar_model_clear(&m);
}

/* ---- problems and their provenance -------------------------------------- */

static char dir[64];

static void make_dir(void)
{
    strcpy(dir, "/tmp/plstar-model-XXXXXX");
    cr_assert(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

static char *in_dir(const char *name)
{
    static char buf[4][128];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs(text, f);
    fclose(f);
}

Test(model, sha256_known_answers)
{
    /* FIPS 180-4 examples: "abc" and the empty message */
    char hex[PLSTAR_SHA256_HEX];
    plstar_sha256_hex(hex, "abc", 3);
    cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    plstar_sha256_hex(hex, "", 0);
    cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    make_dir();
    write_text(in_dir("abc.txt"), "abc");
    cr_assert_eq(plstar_sha256_file_hex(hex, in_dir("abc.txt")), PLSTAR_OK);
    cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    cr_assert_eq(plstar_sha256_file_hex(hex, in_dir("missing.txt")), PLSTAR_ENOINPUT);
    cr_assert(strstr(plstar_errmsg(), "missing.txt"));
    remove_dir();
}

Test(model, problem_load_remembers_files_and_seed)
{
    make_dir();
    static const char desc[] = MLP("\"input_dim\":2,\"widths\":[3]," REST);
    write_text(in_dir("m.json"), desc);
    double X[4] = {1, 0, 0, 1}, y[2] = {0.5, -0.5}, w[9] = {0};
    cr_assert_eq(plstar_npy_write_matrix(in_dir("X.npy"), X, 2, 2), PLSTAR_OK);
    cr_assert_eq(plstar_npy_write_vector(in_dir("y.npy"), y, 2), PLSTAR_OK);
    cr_assert_eq(plstar_npy_write_vector(in_dir("w.npy"), w, 9), PLSTAR_OK);
    plstar_problem p;
    plstar_problem_init(&p);
    cr_assert_eq(plstar_problem_load(&p, in_dir("m.json"), in_dir("X.npy"), NULL, 42, in_dir("y.npy")), PLSTAR_OK, "%s",
                 plstar_errmsg());
    char hex[PLSTAR_SHA256_HEX];
    plstar_sha256_hex(hex, desc, strlen(desc));
    cr_assert_str_eq(p.files[PROBLEM_MODEL].path, in_dir("m.json"));
    cr_assert_str_eq(p.files[PROBLEM_MODEL].sha256, hex, "the digest of the bytes of m.json");
    cr_assert_str_eq(p.files[PROBLEM_DATA].path, in_dir("X.npy"));
    cr_assert_eq(strlen(p.files[PROBLEM_DATA].sha256), 64);
    cr_assert_str_eq(p.files[PROBLEM_LABELS].path, in_dir("y.npy"));
    cr_assert_null(p.files[PROBLEM_WEIGHTS].path, "weights drawn from a seed are not a file");
    cr_assert(p.weights_from_seed && p.seed == 42);
    char *line = plstar_problem_describe(&p);
    cr_assert(strstr(line, "\"scaling\": \"ntk\"") && strstr(line, "\"bias\": false"), "%s", line);
    cr_assert(strstr(line, "9 parameters") && strstr(line, "weights from seed 42"), "%s", line);
    free(line);
    /* weights from a file: its digest, no seed */
    cr_assert_eq(plstar_problem_load(&p, in_dir("m.json"), in_dir("X.npy"), in_dir("w.npy"), 0, NULL), PLSTAR_OK);
    cr_assert_str_eq(p.files[PROBLEM_WEIGHTS].path, in_dir("w.npy"));
    cr_assert_eq(strlen(p.files[PROBLEM_WEIGHTS].sha256), 64);
    cr_assert_null(p.files[PROBLEM_LABELS].path);
    cr_assert_eq(p.weights_from_seed, 0);
    /* a refused load leaves nothing behind */
    write_text(in_dir("bad.json"), "{\"model\":\"mlp\",\"input_dim\":2,\"widths\":[3]}");
    cr_assert_eq(plstar_problem_load(&p, in_dir("bad.json"), in_dir("X.npy"), NULL, 1, NULL), PLSTAR_EDATA);
    cr_assert_null(p.files[PROBLEM_MODEL].path);
    plstar_problem_clear(&p);
    remove_dir();
}

Test(model, problem_set_is_in_memory)
{
    plstar_model m;
    cr_assert_eq(parse(&m, "{\"model\":\"linear\",\"input_dim\":2}"), PLSTAR_OK);
    double X[4] = {1, 2, 3, 4}, w[2] = {1, 1};
    plstar_problem p;
    plstar_problem_init(&p);
    cr_assert_eq(plstar_problem_set(&p, &m, X, 2, w, NULL), PLSTAR_OK);
    cr_assert_str_eq(p.origin, "in memory");
    for (int k = 0; k < PROBLEM_NINPUTS; k++)
        cr_assert_null(p.files[k].path);
    char *line = plstar_problem_describe(&p);
    cr_assert(strstr(line, "\"input_dim\": 2") && strstr(line, "weights in memory"), "%s", line);
    free(line);
    plstar_problem_clear(&p);
    plstar_model_clear(&m);
}

#define TAIL "\"outputs\":2,\"output_activation\":\"linear\",\"scaling\":\"ntk\",\"bias\":true"

Test(model, per_layer_activations)
{
    plstar_model m, m2;
    cr_assert_eq(parse(&m, MLP("\"input_dim\":3,\"widths\":[4,5,6],\"activation\":[\"tanh\",\"relu\",\"gelu\"]," TAIL)),
                 PLSTAR_OK, "%s", plstar_errmsg());
    cr_assert_eq(m.layers[0].act, ACT_TANH);
    cr_assert_eq(m.layers[1].act, ACT_RELU);
    cr_assert_eq(m.layers[2].act, ACT_GELU);
    cr_assert_eq(m.layers[3].act, ACT_LINEAR);
    cr_assert_eq(m.activation, ACT_TANH);
    cr_assert_not(plstar_model_activations_uniform(&m));
    cr_assert_not(plstar_model_twice_differentiable(&m));
    char *s = plstar_model_to_json(&m);
    cr_assert(strstr(s, "\"activation\": [\"tanh\", \"relu\", \"gelu\"]"), "%s", s);
    cr_assert_eq(parse(&m2, s), PLSTAR_OK, "%s", plstar_errmsg());
    for (size_t l = 0; l < m.nlayers; l++)
        cr_assert_eq(m2.layers[l].act, m.layers[l].act);
    free(s);
    plstar_model_clear(&m), plstar_model_clear(&m2);

    /* a list whose entries agree is the one-name form, canonically */
    cr_assert_eq(parse(&m, MLP("\"input_dim\":3,\"widths\":[4,5],\"activation\":[\"sin\",\"sin\"]," TAIL)), PLSTAR_OK);
    cr_assert(plstar_model_activations_uniform(&m));
    s = plstar_model_to_json(&m);
    cr_assert(strstr(s, "\"activation\": \"sin\""), "%s", s);
    free(s);
    plstar_model_clear(&m);
    cr_assert_eq(parse(&m, MLP("\"input_dim\":3,\"widths\":[],\"activation\":[]," TAIL)), PLSTAR_OK);
    cr_assert_eq(m.nlayers, 1);
    plstar_model_clear(&m);

    refused(MLP("\"input_dim\":3,\"widths\":[4,5],\"activation\":[\"tanh\"]," TAIL), "lists 1 activations for 2");
    refused(MLP("\"input_dim\":3,\"widths\":[4,5],\"activation\":[\"tanh\",\"swish\"]," TAIL), "activation[1]");
    refused(MLP("\"input_dim\":3,\"widths\":[4,5],\"activation\":[\"tanh\",3]," TAIL), "\"activation[1]\" must be a string");
    refused(MLP("\"input_dim\":3,\"widths\":[4],\"activation\":{}," TAIL), "\"activation\" must be a string");
}
