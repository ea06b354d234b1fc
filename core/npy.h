/*
 * core/npy.h — NumPy .npy arrays (format versions 1.0, 2.0 and 3.0).
 *
 * Reads little-endian float64 ('<f8'), float32 ('<f4') and IEEE half ('<f2'),
 * the narrow ones widened exactly to double, in C or Fortran order; the result is always a C-order double array.
 * Everything else (big-endian, complex, object, integer dtypes, truncated data,
 * a header whose shape disagrees with the file size, more than PLSTAR_NPY_MAXDIM
 * dimensions) is refused with PLSTAR_EDATA and a one-line message naming the
 * file and the problem; nothing is allocated from the header's claim before the
 * file size has confirmed it. A missing file gives PLSTAR_ENOINPUT.
 *
 * Writing produces format 1.0, '<f8', C order, atomically (core/outfile.h).
 */
#ifndef PLSTAR_CORE_NPY_H
#define PLSTAR_CORE_NPY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PLSTAR_NPY_MAXDIM 8

typedef struct {
    double *data;                   /* C order, owned */
    size_t ndim;
    size_t shape[PLSTAR_NPY_MAXDIM];
    size_t size;                    /* product of shape (1 for ndim == 0) */
    int source_itemsize;            /* 8 for '<f8', 4 for '<f4', 2 for '<f2' */
} plstar_array;

void plstar_npy_init(plstar_array *a);
void plstar_npy_clear(plstar_array *a);

/* Reads `path` into `a` (which must be initialised; previous data is freed).
 * `path` may also be a pipe or FIFO. On failure `a` is left unchanged. */
int plstar_npy_read(plstar_array *a, const char *path);

/* Parses an in-memory .npy image; `name` is used in messages. On failure `a`
 * is left unchanged. */
int plstar_npy_parse(plstar_array *a, const unsigned char *buf, size_t len, const char *name);

/* The IEEE binary16 number with bit pattern h, exactly (subnormals, ±0, ±inf; NaN for NaNs). */
double plstar_npy_half_to_double(uint16_t h);

/* Writes a C-order double array of the given shape atomically. */
int plstar_npy_write(const char *path, const double *data, size_t ndim, const size_t *shape);

/* Convenience: 1-D and 2-D writers. */
int plstar_npy_write_vector(const char *path, const double *data, size_t n);
int plstar_npy_write_matrix(const char *path, const double *data, size_t rows, size_t cols);

#ifdef __cplusplus
}
#endif

#endif
