/*
 * plstar.h — the whole public interface of libplstar.
 *
 * core/       model description, activations, .npy files, reports, errors
 * reference/  Arb ball-arithmetic enclosures (slow, rigorous)
 * fast/       double precision with BLAS/LAPACK, with proven rounding-error bounds
 * proofs-checks/  one check per statement of docs/theory.md, each with a verdict
 */
#ifndef PLSTAR_H
#define PLSTAR_H

#include "core/error.h"
#include "core/outfile.h"
#include "core/npy.h"
#include "core/activation.h"
#include "core/model.h"
#include "core/report.h"
#include "reference/network.h"
#include "reference/hessian.h"
#include "fast/network.h"
#include "fast/errbound.h"
#include "fast/ntk.h"
#include "fast/train.h"
#include "fast/hessian.h"
#include "proofs-checks/crosscheck.h"
#include "proofs-checks/validate.h"

#endif
