"""export, the round-trip check, certificates and kernels for a PyTorch model.

The round trip is judged by plstar's reference, not by this package: the problem files are turned into a
bundle (`plstar export`), and the module's own float64 forward pass on X is handed to `plstar validate
--outputs`, which passes only when every output is within the float64 rounding tolerance of the exact F(w0)
of the network the files describe (docs/validate.md). No certificate runs before it passes.
"""

import contextlib
import json
import os
import tempfile

import numpy as np

from plstar.errors import EXIT_DATA, EXIT_NOINPUT, EXIT_USAGE, PlstarError
from plstar.files import MLP_KEYS, last_line, option_args, run, save_npy, write_problem
from plstar.torch._convert import convert, data, forward, labels

CHECKS = ("point", "ball", "gd")
# plstar's loss conventions (--loss): "sum" is (1/2)||F - y||^2, "mean" is nn.MSELoss()'s (1/N)||F - y||^2
LOSSES = ("sum", "mean")


def check_loss(loss, check=None):
    """The loss convention, checked: one of LOSSES, and "mean" only for the gd certificates."""
    if loss not in LOSSES:
        raise PlstarError(EXIT_USAGE, "loss is \"sum\" ((1/2)||F - y||^2) or \"mean\" ((1/N)||F - y||^2, "
                          "nn.MSELoss()), not %r" % (loss,))
    words = check.split() if isinstance(check, str) else list(check or [])
    if loss != "sum" and check is not None and (not words or words[0] != "gd"):
        raise PlstarError(EXIT_USAGE, "loss=%r applies to the gd certificates (Theorem 6), not to %s" %
                          (loss, " ".join(words) or "this command"))
    return loss


class RoundTripError(PlstarError):
    """The files do not reproduce the module's forward pass (status 1), or that could not be decided (2),
    or plstar refused the files (its status). `report` is plstar validate's report when there is one."""

    def __init__(self, status, message, report=None):
        super().__init__(status, message)
        self.report = report


class Report(dict):
    """plstar's JSON report, with `status` (plstar's exit status), `stdout` (its printed lines when they
    were captured), `roundtrip` (plstar validate's report of the round trip) and `files` (the problem)."""

    status = None
    stdout = ""
    roundtrip = None
    files = None


def export(model, X, y=None, out_dir="."):
    """Writes out_dir/model.json, X.npy, w0.npy (and y.npy) for `model` on inputs X and labels y (tensors
    or arrays). Returns the paths by role ("model", "data", "weights", "labels")."""
    conv = convert(model)
    Xa = data(conv, X)
    return write_problem(out_dir, conv.description, Xa, conv.w0, labels(conv, y, Xa.shape[0]))


def _export(conv, Xa, ya, out_dir):
    return write_problem(out_dir, conv.description, Xa, conv.w0, ya)


def problem_files(out_dir):
    """The problem files of out_dir by role; y.npy only when present. Missing files: exit status 66."""
    files = {"model": "model.json", "data": "X.npy", "weights": "w0.npy", "labels": "y.npy"}
    paths = {role: os.path.join(out_dir, name) for role, name in files.items()}
    for role in ("model", "data", "weights"):
        if not os.path.isfile(paths[role]):
            raise PlstarError(EXIT_NOINPUT, "%s: cannot open: no such file (write the files with export first)" %
                              paths[role])
    if not os.path.isfile(paths["labels"]):
        del paths["labels"]
    return paths


def problem_args(paths):
    """plstar's MODEL arguments (and --labels) for these files."""
    args = ["--model", paths["model"], "--data", paths["data"], "--weights", paths["weights"]]
    return args + (["--labels", paths["labels"]] if "labels" in paths else [])


def _mismatches(conv, paths, X):
    """What differs between the files and the module, as '; '-joined phrases ('' when nothing does)."""
    said = []
    try:
        with open(paths["model"]) as f:
            desc = json.load(f)
    except (OSError, ValueError) as e:
        desc = None
        said.append("%s is not readable JSON (%s)" % (paths["model"], e))
    if isinstance(desc, dict):
        for key in MLP_KEYS:
            ours = json.dumps(conv.description[key])
            if key not in desc:
                said.append("%s has no \"%s\" (the module's is %s)" % (paths["model"], key, ours))
            elif desc[key] != conv.description[key]:
                said.append("%s has \"%s\": %s, the module's is %s" % (paths["model"], key, json.dumps(desc[key]),
                                                                      ours))
    for role, ours, name in (("weights", conv.w0, None), ("data", X, "X")):
        if ours is None:
            continue
        try:
            theirs = np.load(paths[role], allow_pickle=False)
        except (OSError, ValueError):
            continue  # plstar names an unreadable file itself
        if theirs.shape != ours.shape:
            said.append("%s has shape %s, the module's %s %s" % (paths[role], theirs.shape,
                                                                 name or "parameters are", ours.shape))
            continue
        differ = np.flatnonzero(theirs.reshape(-1) != ours.reshape(-1))
        if differ.size:
            where = conv.parameter_name(differ[0]) if role == "weights" else "flat index %d" % differ[0]
            said.append("%s differs from the module's %s at %d entries, first %s" % (
                paths[role], "parameters" if role == "weights" else "X", differ.size, where))
    return "; ".join(said)


def _worst_output(report):
    q = report.get("quantities", {}).get("outputs", {})
    worst = (q.get("worst") or [None])[0]
    if not worst:
        return "no entry named"
    ref = worst.get("reference_mid")
    return "worst %s: module %.17g, plstar %.17g ± %.2g (ratio %s of the float64 tolerance)" % (
        worst.get("where"), worst.get("theirs"), ref if ref is not None else float("nan"),
        worst.get("reference_rad") or 0.0, "%.3g" % worst["ratio"] if worst.get("ratio") is not None else "inf")


def roundtrip(model, out_dir, X=None, exe=None, loss="sum"):
    """Checks that out_dir's files describe `model`: the module's float64 forward pass on out_dir/X.npy
    must pass `plstar validate --outputs` on the bundle out_dir/bundle/ exported from them. Returns the
    validate report; raises RoundTripError naming what differs (a key of model.json, an entry of w0.npy;
    of X.npy too when the original X is given)."""
    conv = convert(model)
    return _roundtrip(model, conv, out_dir, data(conv, X) if X is not None else None, exe, check_loss(loss))


def _roundtrip(model, conv, out_dir, Xref, exe, loss="sum"):
    paths = problem_files(out_dir)
    bundle = os.path.join(out_dir, "bundle")  # its bundle.json states the loss convention for plstar validate
    p = run(["export"] + problem_args(paths) + ["--loss", loss, "--out", bundle], exe)
    if p.returncode != 0:
        why = _mismatches(conv, paths, Xref)
        raise RoundTripError(p.returncode, "round trip: %s%s" % (last_line(p.stderr), "; " + why if why else ""))
    Xfile = np.load(paths["data"], allow_pickle=False)
    F = forward(model, Xfile)
    if F.shape != (Xfile.shape[0], conv.outputs):
        raise RoundTripError(EXIT_DATA, "round trip: the module's forward pass gives shape %s on X of shape %s, "
                             "not (%d, %d)" % (tuple(F.shape), Xfile.shape, Xfile.shape[0], conv.outputs))
    F_path, rt_path = os.path.join(out_dir, "F_module.npy"), os.path.join(out_dir, "roundtrip.json")
    save_npy(F_path, F)
    p = run(["validate", "--bundle", bundle, "--outputs", F_path, "--precision", "float64", "--json", rt_path], exe)
    if p.returncode >= 64:
        raise PlstarError(p.returncode, "round trip: " + last_line(p.stderr))
    with open(rt_path) as f:
        report = json.load(f)
    if p.returncode != 0:
        why = _mismatches(conv, paths, Xref) or "the files match the module, which computes something else"
        raise RoundTripError(p.returncode, "round trip %s: plstar's F(w0) from %s is not the module's forward pass "
                             "(%s); %s" % ("failed" if p.returncode == 1 else "inconclusive", out_dir,
                                           _worst_output(report), why), report)
    return report


def roundtrip_summary(report):
    """One line for a passed round trip."""
    q = report["quantities"]["outputs"]
    return ("round trip: pass, the module's float64 forward pass equals plstar's F(w0) on %d entries "
            "(worst %.2g of the float64 tolerance)" % (q["entries"], q["worst_ratio"]))


@contextlib.contextmanager
def workdir(out_dir):
    """out_dir, or a temporary directory removed afterwards."""
    if out_dir is not None:
        yield out_dir
        return
    with tempfile.TemporaryDirectory(prefix="plstar-torch-") as tmp:
        yield tmp


def prepare(model, X, y, out_dir, exe=None, loss="sum"):
    """export + roundtrip: the problem files of out_dir/bundle/ (what the round trip validated; its
    bundle.json states the loss convention) and the round trip's report."""
    conv = convert(model)
    Xa = data(conv, X)
    _export(conv, Xa, labels(conv, y, Xa.shape[0]), out_dir)
    report = _roundtrip(model, conv, out_dir, Xa, exe, check_loss(loss))
    bundle = os.path.join(out_dir, "bundle")  # its y.npy may be stale: the labels are those of out_dir
    return {role: os.path.join(bundle, os.path.basename(p)) for role, p in problem_files(out_dir).items()}, report


def certify_args(check, paths, extra, out_dir, json_path, loss="sum"):
    """plstar's arguments for `certify CHECK` on the files with the plstar arguments `extra` (and --loss for
    the gd certificates); the plots of gd --path go to out_dir when there is one."""
    words = check.split() if isinstance(check, str) else list(check)
    if not words or words[0] not in CHECKS:
        raise PlstarError(EXIT_USAGE, "the check is one of %s, not %r" % (", ".join(CHECKS), check))
    extra = list(extra) + (["--loss", check_loss(loss, words)] if words[0] == "gd" else [])
    if words[0] == "gd" and out_dir is not None and "--path" in words + extra and "--out" not in extra:
        extra += ["--out", out_dir]
    return ["certify"] + words + problem_args(paths) + extra + ["--json", json_path]


def certify(model, X, y=None, check="point", out_dir=None, exe=None, verbose=False, loss="sum", **options):
    """Runs `plstar certify CHECK` on `model` at its current weights, after the round trip. Options are
    plstar's (mu=0.1, steps=50, path=True, record_every=5, ...). loss="mean" (gd only) makes lr, mu, eps
    and the losses reported those of nn.MSELoss(), as torch.optim.SGD(lr=...) on it uses them; the
    default "sum" is plstar's (1/2)||F - y||^2. Returns the parsed report (a dict with
    "verdict", "quantities", ...) as a Report; .status is plstar's exit status (0 certified, 1 refuted,
    2 inconclusive). Raises UnsupportedModule, RoundTripError, or PlstarError for plstar's errors (64+).
    With out_dir the files stay there (model.json, X.npy, w0.npy, y.npy, bundle/, report.json)."""
    check_loss(loss, check)
    with workdir(out_dir) as d:
        paths, rt = prepare(model, X, y, d, exe, loss)
        json_path = options.pop("json", None) or os.path.join(d, "report.json")
        p = run(certify_args(check, paths, option_args(options), out_dir, json_path, loss), exe)
        if verbose:
            print(p.stdout, end="")
        if p.returncode >= 64 or not os.path.isfile(json_path):
            raise PlstarError(p.returncode, last_line(p.stderr) or "plstar certify wrote no report")
        with open(json_path) as f:
            report = Report(json.load(f))
        report.status, report.stdout, report.roundtrip, report.files = p.returncode, p.stdout, rt, paths
        return report


def kernel(model, X, impl="fast", out_dir=None, exe=None, **options):
    """The tangent kernel K(w0) = DF DFᵀ of `model` on X by `plstar kernel --impl IMPL`, after the round
    trip: an (N, N) array, N = n·c sample-major; for impl="reference" the pair (midpoints, radii)."""
    with workdir(out_dir) as d:
        paths, _ = prepare(model, X, None, d, exe)
        K_path = os.path.join(d, "K.npy")
        p = run(["kernel"] + problem_args(paths) + ["--impl", impl] + option_args(options) + ["--out", K_path], exe)
        if p.returncode != 0:
            raise PlstarError(p.returncode, last_line(p.stderr))
        K = np.load(K_path)
        return (K, np.load(os.path.join(d, "K.rad.npy"))) if impl == "reference" else K
