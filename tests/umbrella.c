/* tests/umbrella.c — plstar.h compiles on its own and declares what a program of the library
 * uses: one function of each public header (a header dropped from plstar.h fails the build). */
#include "plstar.h"

int main(void)
{
    void (*const used[])(void) = {
        (void (*)(void))plstar_errmsg,       (void (*)(void))outfile_open,       (void (*)(void))npy_read,
        (void (*)(void))act_name,            (void (*)(void))model_parse_json,   (void (*)(void))report_new,         (void (*)(void))loss_parse,
        (void (*)(void))sha256_file_hex,     (void (*)(void))plstar_commit,      (void (*)(void))progress_begin,
        (void (*)(void))ref_kernel,          (void (*)(void))ref_eig_bounds,     (void (*)(void))ref_kernel_route_force,
        (void (*)(void))ref_hessian_ctx_set, (void (*)(void))fast_kernel_explicit, (void (*)(void))fast_errbound_u,
        (void (*)(void))fast_train,          (void (*)(void))verified_eig_bounds,
        (void (*)(void))check_crosscheck,    (void (*)(void))check_validate,     (void (*)(void))check_pl_point,
        (void (*)(void))check_ball,          (void (*)(void))check_gd_path,      (void (*)(void))demo_example_problem,
    };
    for (size_t k = 0; k < sizeof used / sizeof used[0]; k++)
        if (!used[k])
            return 1;
    return 0;
}
