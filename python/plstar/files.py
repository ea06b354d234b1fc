"""plstar's problem files and the plstar command, from Python (numpy only).

A problem is the four files every plstar command reads (README, "Models" and "Files"):

    model.json   the model description; every key that changes the function is present
    X.npy        inputs, (n, d), float64
    y.npy        labels, (n, c), float64 (optional)
    w0.npy       the flat parameter vector, (P,), float64: each layer's W (out, in) row-major, then its bias

`plstar export --model model.json --data X.npy --weights w0.npy --out DIR` turns them into a bundle that
`plstar validate` reads. The executable is found by find_executable(): $PLSTAR_EXE, else `plstar` on PATH,
else the build tree or installation prefix this package sits in.
"""

import json
import os
import shutil
import subprocess
import tempfile

try:
    import numpy as np
except ImportError as e:
    raise ImportError("plstar's Python files need NumPy (Debian: apt install python3-numpy): %s" % e) from e

from plstar.errors import EXIT_CANTCREAT, EXIT_DATA, EXIT_UNAVAILABLE, PlstarError

# the MLP's keys in plstar's own order (plstar_model_to_json); all of them change the function
MLP_KEYS = ("model", "input_dim", "widths", "outputs", "activation", "output_activation", "scaling", "bias")


def _candidates():
    """Where an executable may sit relative to this package: the source tree's build/ (python/plstar/ is
    two levels below the top of the clone), or an installation prefix's bin/ (prefix/lib/python3*/
    {site,dist}-packages/plstar/)."""
    here = os.path.dirname(os.path.abspath(__file__))
    yield os.path.join(here, os.pardir, os.pardir, "build", "cli", "plstar")
    up = here
    for _ in range(5):
        up = os.path.dirname(up)
        yield os.path.join(up, "bin", "plstar")


def find_executable(explicit=None):
    """The plstar executable: `explicit`, else $PLSTAR_EXE, else `plstar` on PATH, else the build tree or
    prefix of this package. A path that is named but not executable is an error, never skipped."""
    for named, origin in ((explicit, "the plstar executable"), (os.environ.get("PLSTAR_EXE"), "$PLSTAR_EXE")):
        if named:
            if os.path.isfile(named) and os.access(named, os.X_OK):
                return named
            raise PlstarError(EXIT_UNAVAILABLE, "%s %s is not an executable file" % (origin, named))
    on_path = shutil.which("plstar")
    if on_path:
        return on_path
    for path in _candidates():
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return os.path.normpath(path)
    raise PlstarError(EXIT_UNAVAILABLE, "cannot find the plstar executable: set PLSTAR_EXE, put plstar on PATH "
                      "(export PATH=\"$PWD/build/cli:$PATH\" in the clone) or build it (ninja -C build)")


def run(args, exe=None, capture=True):
    """Runs plstar with `args` (a list of strings); returns the subprocess.CompletedProcess. With
    capture=False its output goes to this process's stdout and stderr."""
    cmd = [find_executable(exe)] + [str(a) for a in args]
    try:
        return subprocess.run(cmd, capture_output=capture, text=True, check=False)
    except OSError as e:
        raise PlstarError(EXIT_UNAVAILABLE, "cannot run %s: %s" % (cmd[0], e.strerror)) from None


def last_line(text):
    """The last non-empty line of a command's output ('' when there is none)."""
    lines = [line for line in (text or "").splitlines() if line.strip()]
    return lines[-1] if lines else ""


def option_args(options):
    """Keyword options as plstar arguments: record_every=5 -> --record-every 5, path=True -> --path;
    False and None are left out."""
    args = []
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if value is None or value is False:
            continue
        args += [flag] if value is True else [flag, repr(value) if isinstance(value, float) else str(value)]
    return args


def _replace_atomically(path, write):
    """Writes through a temporary file in the same directory, then renames: no half-written file."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def save_npy(path, array):
    """`array` as a little-endian float64 C-order .npy at `path`, atomically."""
    a = np.ascontiguousarray(array, dtype="<f8")
    _replace_atomically(path, lambda f: np.save(f, a, allow_pickle=False))


def save_json(path, obj):
    _replace_atomically(path, lambda f: f.write((json.dumps(obj) + "\n").encode()))


def _float64(name, a):
    a = np.asarray(a)
    if a.dtype != np.float64:
        raise PlstarError(EXIT_DATA, "%s must be float64, not %s" % (name, a.dtype))
    bad = np.flatnonzero(~np.isfinite(a))
    if bad.size:
        raise PlstarError(EXIT_DATA, "%s has a non-finite value at flat index %d" % (name, bad[0]))
    return a


def write_problem(out_dir, description, X, w0, y=None):
    """Writes out_dir/model.json, X.npy, w0.npy and y.npy (or removes a stale y.npy when y is None).
    X is (n, d), w0 (P,), y (n, c); all float64 and finite. Returns the paths by role."""
    X, w0 = _float64("X", X), _float64("w0", w0)
    if X.ndim != 2 or w0.ndim != 1:
        raise PlstarError(EXIT_DATA, "X must be (n, d) and w0 (P,), not %s and %s" % (X.shape, w0.shape))
    if y is not None:
        y = _float64("y", y)
        if y.ndim != 2 or y.shape[0] != X.shape[0]:
            raise PlstarError(EXIT_DATA, "y must be (n, c) with n = %d, not %s" % (X.shape[0], y.shape))
    try:
        os.makedirs(out_dir, exist_ok=True)
        paths = {role: os.path.join(out_dir, name) for role, name in
                 (("model", "model.json"), ("data", "X.npy"), ("weights", "w0.npy"), ("labels", "y.npy"))}
        save_json(paths["model"], description)
        save_npy(paths["data"], X)
        save_npy(paths["weights"], w0)
        if y is not None:
            save_npy(paths["labels"], y)
        else:
            del paths["labels"]
            if os.path.exists(os.path.join(out_dir, "y.npy")):
                os.unlink(os.path.join(out_dir, "y.npy"))
    except OSError as e:
        raise PlstarError(EXIT_CANTCREAT, "%s: cannot write: %s" % (e.filename or out_dir, e.strerror)) from None
    return paths
