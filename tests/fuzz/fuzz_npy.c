/*
 * tests/fuzz/fuzz_npy.c — libFuzzer target for the .npy parser.
 *
 * Any input must either parse into a consistent array or be refused with
 * PLSTAR_EDATA; sanitizers catch out-of-bounds reads, overflows and leaks.
 */
#include "core/error.h"
#include "core/npy.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    plstar_array a;
    plstar_npy_init(&a);
    int st = plstar_npy_parse(&a, data, size, "fuzz.npy");
    if (st != PLSTAR_OK && st != PLSTAR_EDATA)
        abort();
    if (st == PLSTAR_OK) {
        size_t n = 1;
        for (size_t k = 0; k < a.ndim; k++)
            n *= a.shape[k];
        /* the array must be backed by the input, never by the header's word */
        if (n != a.size || (a.size && !a.data) || a.size * (size_t)a.source_itemsize > size)
            abort();
        volatile double sink = 0; /* touch every element */
        for (size_t i = 0; i < a.size; i++)
            sink = a.data[i];
        (void)sink;
    }
    plstar_npy_clear(&a);
    return 0;
}
