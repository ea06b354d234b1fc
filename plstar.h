/*
 * plstar.h — the whole public interface of libplstar.
 *
 * core/       model description, activations, .npy files, reports, errors
 * verified/   floating-point steps with proven bounds, shared by fast/ and reference/
 * reference/  Arb ball-arithmetic enclosures (slow, rigorous)
 * fast/       double precision with BLAS/LAPACK, with proven rounding-error bounds
 * proofs-checks/  one check per statement of docs/theory.md, each with a verdict
 * examples/   the embedded example of plstar demo
 *
 * Every header that is installed is included here (the test "umbrella" checks it).
 */
#ifndef PLSTAR_H
#define PLSTAR_H

#include "core/error.h"
#include "core/outfile.h"
#include "core/npy.h"
#include "core/activation.h"
#include "core/model.h"
#include "core/report.h"
#include "core/loss.h"
#include "core/sha256.h"
#include "core/provenance.h"
#include "core/progress.h"
#include "core/layout.h"
#include "verified/eig.h"
#include "reference/network.h"
#include "reference/eig.h"
#include "reference/shallow.h"
#include "reference/hessian.h"
#include "fast/network.h"
#include "fast/errbound.h"
#include "fast/ntk.h"
#include "fast/train.h"
#include "fast/eig.h"
#include "fast/hessian.h"
#include "proofs-checks/crosscheck.h"
#include "proofs-checks/validate.h"
#include "proofs-checks/pl_point.h"
#include "proofs-checks/ball.h"
#include "proofs-checks/gd_path.h"
#include "proofs-checks/spectrum.h"
#include "proofs-checks/checks.h"
#include "examples/demo_example.h"

#endif
