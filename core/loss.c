#include "core/loss.h"
#include "core/report.h"

#include <string.h>

/* Far above 53 + log2(N) bits: the enclosures of s·x and x/s are then narrow enough that
 * rounding the midpoint to nearest is the correctly rounded result. */
#define LOSS_PREC 192

int plstar_loss_parse(plstar_loss *out, const char *name)
{
    if (name && !strcmp(name, "sum"))
        return *out = LOSS_SUM, 0;
    if (name && !strcmp(name, "mean"))
        return *out = LOSS_MEAN, 0;
    return -1;
}

const char *plstar_loss_name(plstar_loss conv) { return conv == LOSS_MEAN ? "mean" : "sum"; }

const char *plstar_loss_formula(plstar_loss conv)
{
    return conv == LOSS_MEAN ? "(1/N)||F - y||^2" : "(1/2)||F - y||^2";
}

void plstar_loss_scale_arb(arb_t s, plstar_loss conv, size_t N, slong prec)
{
    arb_one(s);
    if (conv == LOSS_MEAN && N > 0) {
        arb_mul_2exp_si(s, s, 1);
        arb_div_ui(s, s, (ulong)N, prec);
    }
}

static double rounded(const arb_t x, loss_round dir)
{
    if (dir == LOSS_DOWN)
        return plstar_arb_lower_d(x);
    if (dir == LOSS_UP)
        return plstar_arb_upper_d(x);
    return arf_get_d(arb_midref(x), ARF_RND_NEAR);
}

static double convert(plstar_loss conv, size_t N, double x, loss_round dir, int divide)
{
    if (conv == LOSS_SUM)
        return x;
    arb_t s, v;
    arb_init(s), arb_init(v);
    plstar_loss_scale_arb(s, conv, N, LOSS_PREC);
    arb_set_d(v, x);
    if (divide)
        arb_div(v, v, s, LOSS_PREC);
    else
        arb_mul(v, v, s, LOSS_PREC);
    double r = rounded(v, dir);
    arb_clear(s), arb_clear(v);
    return r;
}

double plstar_loss_mul_scale(plstar_loss conv, size_t N, double x, loss_round dir) { return convert(conv, N, x, dir, 0); }
double plstar_loss_div_scale(plstar_loss conv, size_t N, double x, loss_round dir) { return convert(conv, N, x, dir, 1); }

json_t *plstar_loss_report(plstar_loss conv, size_t N)
{
    json_t *o = json_object();
    arb_t s;
    arb_init(s);
    plstar_loss_scale_arb(s, conv, N, LOSS_PREC);
    json_object_set_new(o, "convention", json_string(plstar_loss_name(conv)));
    json_object_set_new(o, "formula", json_string(plstar_loss_formula(conv)));
    json_object_set_new(o, "equations", json_integer((json_int_t)N));
    json_object_set_new(o, "scale_to_half_sum", plstar_report_interval_arb(s));
    json_object_set_new(o, "meaning",
                        json_string(conv == LOSS_MEAN
                                        ? "L = s (1/2)||F - y||^2 with s = 2/N (nn.MSELoss()): losses and gradients "
                                          "are s times plstar's, a PL* constant is s times, lr is 1/s times (GD with "
                                          "lr on L is GD with s lr on (1/2)||F - y||^2), lr * mu and the rate are "
                                          "the same; kernel quantities (lambda_min(K), L_F, radii, path lengths) do "
                                          "not depend on the loss"
                                        : "plstar's loss (1/2)||F - y||^2, a sum: s = 1"));
    arb_clear(s);
    return o;
}
