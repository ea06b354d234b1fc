"""python3 -m plstar.torch: a PyTorch model to plstar's files, the round trip, then plstar's own command."""

import os
import runpy
import sys
import warnings

from plstar.errors import EXIT_DATA, EXIT_NOINPUT, EXIT_UNAVAILABLE, EXIT_USAGE, PlstarError

USAGE = """\
usage: python3 -m plstar.torch certify point|ball|gd NET X [Y] [--out DIR] [--plstar EXE] [plstar options]
       python3 -m plstar.torch certify gd NET X Y --loss mean [--path | --apriori] [plstar options]
       python3 -m plstar.torch kernel NET X --out DIR [--plstar EXE] [plstar options]
       python3 -m plstar.torch export NET X [Y] --out DIR
       python3 -m plstar.torch roundtrip NET DIR [--plstar EXE]
NET is a torch.save'd module (.pt) or a Python file defining `model` (an nn.Module) or `build()`;
X and Y are torch.save'd tensors or .npy arrays.
certify and kernel write DIR/model.json, X.npy, w0.npy (and y.npy), export them to DIR/bundle/, check
the round trip (the module's float64 forward pass on X must pass plstar validate --outputs), then run
plstar certify CHECK ... --json DIR/report.json (or plstar kernel ... --out DIR/K.npy) on DIR/bundle/
with the plstar options given; certify gd --path also plots to DIR. Without --out, certify works in a
temporary directory. export writes the files only; roundtrip checks an existing DIR against NET.
--loss mean (certify gd): --lr, --mu, --eps and the losses reported are nn.MSELoss()'s, (1/N)|F - y|^2,
as torch.optim.SGD(lr=ETA) on it; DIR/bundle/bundle.json states it. Default: sum, (1/2)|F - y|^2.
The plstar executable: --plstar EXE, else $PLSTAR_EXE, else plstar on PATH, else this package's build tree.
Exit status: certify and kernel, plstar's (0 certified, 1 refuted, 2 inconclusive); roundtrip, 0 pass,
1 fail, 2 inconclusive; 64 usage error; 65 a module or array plstar cannot represent exactly, or a
round trip that did not pass (nothing is certified then); 66 an input cannot be opened; 69 PyTorch or
the plstar executable is missing; 73 DIR cannot be written."""

# what the bridge itself passes to plstar
OWN_OPTIONS = ("--model", "--data", "--weights", "--seed", "--labels")
POSITIONALS = {"certify": (2, 3), "kernel": (2, 2), "export": (2, 3), "roundtrip": (2, 2)}
ARGUMENTS = {"certify": "NET X [Y]", "kernel": "NET X", "export": "NET X [Y]", "roundtrip": "NET DIR"}


def say(line):
    print("plstar.torch: " + line, flush=True)


def _one_line_warnings(message, category, filename, lineno, file=None, line=None):
    print("plstar.torch: warning: %s" % message, file=sys.stderr, flush=True)


def _opened(path):
    if not os.path.isfile(path):
        raise PlstarError(EXIT_NOINPUT, "%s: cannot open: %s" % (path, "a directory" if os.path.isdir(path)
                                                                 else "no such file"))


def load_model(path):
    """The nn.Module in `path`: a torch.save'd module, or a Python file defining `model` or `build()`."""
    import torch
    _opened(path)
    if path.endswith(".py"):
        try:  # not as __main__: a training script's main block does not run
            ns = runpy.run_path(path, run_name="__plstar_model__")
        except Exception as e:
            raise PlstarError(EXIT_DATA, "%s: running it raised %s: %s" % (path, type(e).__name__, e)) from None
        if isinstance(ns.get("model"), torch.nn.Module):
            return ns["model"]
        if callable(ns.get("build")):
            try:
                model = ns["build"]()
            except Exception as e:
                raise PlstarError(EXIT_DATA, "%s: build() raised %s: %s" % (path, type(e).__name__, e)) from None
            if isinstance(model, torch.nn.Module):
                return model
            raise PlstarError(EXIT_DATA, "%s: build() returned a %s, not a torch.nn.Module" %
                              (path, type(model).__name__))
        raise PlstarError(EXIT_DATA, "%s defines neither `model` (a torch.nn.Module) nor `build()`" % path)
    try:
        obj = torch.load(path, map_location="cpu")
    except Exception as e:
        raise PlstarError(EXIT_DATA, "%s: torch.load cannot read it: %s" % (path, str(e).splitlines()[0]
                                                                            if str(e) else type(e).__name__)) from None
    if isinstance(obj, dict):
        raise PlstarError(EXIT_DATA, "%s holds a state_dict, not a module: save the module (torch.save(model, "
                          "path)) or give a Python file defining `model` or `build()`" % path)
    if not isinstance(obj, torch.nn.Module):
        raise PlstarError(EXIT_DATA, "%s holds a %s, not a torch.nn.Module" % (path, type(obj).__name__))
    return obj


def load_array(path):
    """A .npy array or a torch.save'd tensor (or array)."""
    import numpy as np
    import torch
    _opened(path)
    try:
        obj = np.load(path, allow_pickle=False) if path.endswith(".npy") else torch.load(path, map_location="cpu")
    except Exception as e:
        raise PlstarError(EXIT_DATA, "%s: cannot read it: %s" % (path, str(e).splitlines()[0] if str(e)
                                                                 else type(e).__name__)) from None
    if not isinstance(obj, (torch.Tensor, np.ndarray)):
        raise PlstarError(EXIT_DATA, "%s holds a %s, not a tensor or an array" % (path, type(obj).__name__))
    return obj


def _missing(e):
    """What an ImportError means for the bridge, in one line."""
    name = ""
    while e is not None and not name:
        name, e = (getattr(e, "name", None) or "").split(".")[0], e.__cause__
    package = {"numpy": "NumPy (Debian: apt install python3-numpy)",
               "torch": "PyTorch (Debian: apt install python3-torch)"}.get(name)
    if package is None:
        return "cannot import %s" % (name or "a module it needs")
    return "needs %s, which %s cannot import" % (package, sys.executable)


def parse(argv):
    """(command, check, positionals, out, exe, json, forwarded plstar arguments)."""
    if not argv or argv[0] not in POSITIONALS:
        raise PlstarError(EXIT_USAGE, "the command is one of %s%s" % (", ".join(POSITIONALS),
                                                                      ", not %r" % argv[0] if argv else ""))
    cmd, rest, check = argv[0], argv[1:], None
    if cmd == "certify":
        if not rest or rest[0].startswith("-"):
            raise PlstarError(EXIT_USAGE, "certify needs a check: point, ball or gd")
        check, rest = rest[0], rest[1:]
    pos = []
    while rest and not rest[0].startswith("-"):
        pos.append(rest.pop(0))
    lo, hi = POSITIONALS[cmd]
    if not lo <= len(pos) <= hi:
        raise PlstarError(EXIT_USAGE, "%s takes %s before its options, not %d argument%s" % (
            cmd, ARGUMENTS[cmd], len(pos), "" if len(pos) == 1 else "s"))
    own, forwarded, i = {}, [], 0
    while i < len(rest):
        name, eq, value = rest[i].partition("=")
        if name in ("--out", "--plstar", "--json", "--loss"):
            if not eq:
                if i + 1 >= len(rest):
                    raise PlstarError(EXIT_USAGE, "%s needs a value" % name)
                i, value = i + 1, rest[i + 1]
            own[name] = value
        elif name in OWN_OPTIONS:
            raise PlstarError(EXIT_USAGE, "%s: the bridge gives plstar %s itself (from NET, X and Y)" %
                              (name, ", ".join(OWN_OPTIONS)))
        else:
            forwarded.append(rest[i])
        i += 1
    if cmd in ("export", "roundtrip") and (forwarded or "--json" in own):
        raise PlstarError(EXIT_USAGE, "%s takes no plstar options (%s)" % (cmd, " ".join(forwarded) or "--json"))
    if cmd == "export" and "--out" not in own or cmd == "kernel" and "--out" not in own:
        raise PlstarError(EXIT_USAGE, "%s needs --out DIR" % cmd)
    if cmd == "roundtrip" and "--out" in own:
        raise PlstarError(EXIT_USAGE, "roundtrip reads DIR, given as its second argument")
    if "--loss" in own and cmd != "certify":
        raise PlstarError(EXIT_USAGE, "--loss applies to certify gd, not to %s" % cmd)
    return cmd, check, pos, own.get("--out"), own.get("--plstar"), own.get("--json"), own.get("--loss", "sum"), \
        forwarded


def _files_line(net, out_dir, shown):
    from plstar.torch._api import problem_files
    import json
    paths = problem_files(out_dir)
    with open(paths["model"]) as f:
        desc = json.load(f)
    return "%s -> %s (%s): model %s" % (net, shown, ", ".join(os.path.basename(p) for p in paths.values()),
                                        json.dumps(desc))


def run_command(argv):
    cmd, check, pos, out, exe, json_path, loss, forwarded = parse(argv)
    try:
        import plstar.torch._api  # noqa: F401  (NumPy and PyTorch)
    except ImportError as e:
        raise PlstarError(EXIT_UNAVAILABLE, _missing(e)) from None
    from plstar.files import run
    from plstar.torch._api import (RoundTripError, certify_args, check_loss, export, problem_args, roundtrip,
                                   roundtrip_summary, workdir, prepare)
    if cmd == "roundtrip":
        model = load_model(pos[0])
        try:
            report = roundtrip(model, pos[1], None, exe)
        except RoundTripError as e:
            if e.status >= 64:
                raise
            print("plstar.torch: " + e.message, file=sys.stderr)
            return e.status
        say(roundtrip_summary(report))
        return 0
    model, X = load_model(pos[0]), load_array(pos[1])
    y = load_array(pos[2]) if len(pos) > 2 else None
    if cmd == "export":
        export(model, X, y, out)
        say(_files_line(pos[0], out, out + "/"))
        return 0
    if cmd == "certify":
        check_loss(loss, check)
    with workdir(out) as d:
        try:
            paths, rt = prepare(model, X, y, d, exe, loss)
        except RoundTripError as e:
            if e.status >= 64:
                raise
            raise PlstarError(EXIT_DATA, e.message + "; nothing certified") from None
        say(_files_line(pos[0], d, d + "/" if out else "a temporary directory (--out DIR keeps the files)"))
        say(roundtrip_summary(rt))
        if cmd == "kernel":
            args = ["kernel"] + problem_args(paths) + forwarded + ["--out", os.path.join(d, "K.npy")]
        else:
            args = certify_args(check, paths, forwarded, out, json_path or os.path.join(d, "report.json"), loss)
        return run(args, exe, capture=False).returncode


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] == "help" or "-h" in argv or "--help" in argv:
        print(USAGE)
        return 0
    warnings.showwarning = _one_line_warnings
    try:
        return run_command(argv)
    except PlstarError as e:
        print("plstar.torch: " + e.message, file=sys.stderr)
        return e.status


if __name__ == "__main__":
    sys.exit(main())
