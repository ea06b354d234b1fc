/* tests/umbrella.c — plstar.h compiles on its own and declares what a program of the library
 * uses: one function of each public header (a header dropped from plstar.h fails the build). */
#include "plstar.h"

int main(void)
{
    void (*const used[])(void) = {
        (void (*)(void))plstar_errmsg,       (void (*)(void))plstar_outfile_open,       (void (*)(void))plstar_npy_read,
        (void (*)(void))plstar_act_name,            (void (*)(void))plstar_model_parse_json,   (void (*)(void))plstar_report_new,         (void (*)(void))plstar_loss_parse,
        (void (*)(void))plstar_sha256_file_hex,     (void (*)(void))plstar_commit,      (void (*)(void))plstar_progress_begin,
        (void (*)(void))plstar_ref_kernel,          (void (*)(void))plstar_ref_eig_bounds,     (void (*)(void))plstar_ref_kernel_route_force,
        (void (*)(void))plstar_ref_hessian_ctx_set, (void (*)(void))plstar_fast_kernel_explicit, (void (*)(void))plstar_fast_errbound_u,
        (void (*)(void))plstar_fast_train,          (void (*)(void))plstar_verified_eig_bounds,
        (void (*)(void))plstar_check_crosscheck,    (void (*)(void))plstar_check_validate,     (void (*)(void))plstar_check_pl_point,
        (void (*)(void))plstar_check_ball,          (void (*)(void))plstar_check_gd_path,      (void (*)(void))plstar_demo_example_problem,
        (void (*)(void))plstar_layer_weights,       (void (*)(void))plstar_fast_eig_lapack,    (void (*)(void))plstar_check_spectrum,
        (void (*)(void))plstar_check_find,
    };
    for (size_t k = 0; k < sizeof used / sizeof used[0]; k++)
        if (!used[k])
            return 1;
    return 0;
}
