"""The PyTorch bridge (python/plstar): conversion, round trip, certificates, refusals.

Run by tests/test_torch_bridge.sh with PYTHONPATH=$PLSTAR_SOURCE_ROOT/python, in a scratch directory.
Three models on real data (sklearn's diabetes and iris, standardised): no bias / bias, 1 and 3 outputs,
standard and NTK scaling, are certified at w0 through the shell command and the function API, and each
verdict and exit status is compared with plstar run directly on the files the bridge wrote. A
hand-corrupted model.json (wrong scaling) and w0.npy must fail the round trip with one line naming the
mismatch; unsupported modules must be refused naming the module (index and class).
"""
import copy
import json
import os
import subprocess
import sys
import warnings

import numpy as np
import torch
from sklearn.datasets import load_diabetes, load_iris

import plstar.torch as pt
from plstar.errors import PlstarError

EXE = os.environ["PLSTAR_EXE"]
VERDICT_STATUS = {"certified": 0, "refuted": 1, "inconclusive": 2}
failures = passes = 0


def check(what, ok, detail=""):
    global failures, passes
    if ok:
        passes += 1
        print("ok   %s" % what)
    else:
        failures += 1
        print("FAIL %s%s" % (what, ": " + detail if detail else ""))


def bridge(*args):
    """python3 -m plstar.torch ARGS: (status, stdout, stderr)."""
    p = subprocess.run([sys.executable, "-m", "plstar.torch"] + list(args), capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def plstar_direct(args):
    p = subprocess.run([EXE] + args, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def standardise(a):
    return (a - a.mean(0)) / a.std(0)


# ---- data: a few dozen samples of real data sets (offline loaders) --------------------------------------
Xd, yd = load_diabetes(return_X_y=True)
X_diab, y_diab = standardise(Xd[:24]), standardise(yd[:24]).reshape(-1, 1)
Xi, yi = load_iris(return_X_y=True)
pick = np.arange(0, 150, 5)                     # 30 samples, 10 per class, no repeated rows
X_iris, y_iris = standardise(Xi[pick]), np.eye(3)[yi[pick]]
assert len(np.unique(X_iris, axis=0)) == len(pick)
torch.save(torch.from_numpy(X_diab), "X_diab.pt")
torch.save(torch.from_numpy(y_diab), "y_diab.pt")
np.save("X_iris.npy", X_iris)
np.save("y_iris.npy", y_iris)

# ---- model A: no bias, 1 output, standard scaling (nn.Linear), float64, shell command --------------------
torch.manual_seed(1)
net_a = torch.nn.Sequential(torch.nn.Linear(10, 16, bias=False), torch.nn.Tanh(),
                            torch.nn.Linear(16, 1, bias=False)).double()
torch.save(net_a, "net_a.pt")
desc = pt.convert(net_a).description
check("A: the description states every key", desc == {
    "model": "mlp", "input_dim": 10, "widths": [16], "outputs": 1, "activation": "tanh",
    "output_activation": "linear", "scaling": "standard", "bias": False}, json.dumps(desc))


def same_as_direct(name, out_dir, status, check_words, extra=()):
    """The bridge's verdict and exit status equal plstar's own on the files in out_dir/bundle/."""
    b = os.path.join(out_dir, "bundle")
    args = (["certify"] + check_words + ["--model", b + "/model.json", "--data", b + "/X.npy",
                                         "--weights", b + "/w0.npy"]
            + (["--labels", b + "/y.npy"] if os.path.exists(os.path.join(out_dir, "y.npy")) else [])
            + list(extra) + ["--json", name + "_direct.json"])
    st, _, err = plstar_direct(args)
    try:
        with open(os.path.join(out_dir, "report.json")) as f:
            ours = json.load(f)
        with open(name + "_direct.json") as f:
            theirs = json.load(f)
    except OSError as e:
        check("%s: both reports were written" % name, False, str(e))
        return {}
    check("%s: exit status %d is plstar's own (%d) on the bridge's files" % (name, status, st), status == st, err)
    check("%s: verdict %s is plstar's own (%s)" % (name, ours["verdict"], theirs["verdict"]),
          ours["verdict"] == theirs["verdict"] and VERDICT_STATUS[ours["verdict"]] == status)
    return ours


st, out, err = bridge("certify", "point", "net_a.pt", "X_diab.pt", "y_diab.pt", "--out", "A")
check("A: certify point exits 0", st == 0, out + err)
check("A: the round trip passed before the certificate", "round trip: pass" in out, out)
check("A: plstar's lines are printed", "certify point: certified for every label vector" in out, out)
check("A: no warning for a float64 model", err == "", err)
rep = same_as_direct("A", "A", st, ["point"])
check("A: verdict certified", rep.get("verdict") == "certified", str(rep.get("verdict")))
check("A: the round trip report passes every output",
      os.path.isfile("A/roundtrip.json") and json.load(open("A/roundtrip.json"))["verdict"] == "pass")

# gd --path through the shell: the plots land in DIR, the status is the report's verdict
st, out, err = bridge("certify", "gd", "net_a.pt", "X_diab.pt", "y_diab.pt", "--path", "--steps", "10",
                      "--out", "A_gd")
gd = json.load(open("A_gd/report.json")) if os.path.isfile("A_gd/report.json") else {}
check("A: certify gd --path exits with its verdict's status (%s, %d)" % (gd["verdict"], st),
      VERDICT_STATUS.get(gd["verdict"]) == st, out + err)
check("A: certify gd --path plots into DIR", os.path.isfile("A_gd/gd_path.dat"))

# ---- model B: bias, 3 outputs, NTK scaling (NTKLinear), float32, a .py file with build() -----------------
with open("net_b.py", "w") as f:
    f.write("import torch\nfrom plstar.torch import NTKLinear\n\n"
            "def build():\n    torch.manual_seed(2)\n"
            "    return torch.nn.Sequential(NTKLinear(4, 24), torch.nn.Tanh(), NTKLinear(24, 24), torch.nn.Tanh(),\n"
            "                               NTKLinear(24, 3))\n"
            "\nif __name__ == '__main__':\n    raise SystemExit('the main block must not run')\n")
st, out, err = bridge("certify", "point", "net_b.py", "X_iris.npy", "y_iris.npy", "--out", "B")
check("B: certify point exits 0", st == 0, out + err)
check("B: the description is ntk with biases and 3 outputs",
      '"outputs": 3' in out and '"scaling": "ntk"' in out and '"bias": true' in out, out)
check("B: float32 parameters are converted with a one-line warning",
      err.count("\n") == 1 and "warning: parameters are float32" in err, err)
rep = same_as_direct("B", "B", st, ["point"])
check("B: verdict certified", rep.get("verdict") == "certified", str(rep.get("verdict")))

# the function API on the same model gives the same report
ns = {}
exec(open("net_b.py").read(), ns)
net_b = ns["build"]()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    try:
        rep_api = pt.certify(net_b, torch.from_numpy(X_iris), torch.from_numpy(y_iris), check="point")
    except PlstarError as e:
        rep_api = pt.Report()
        check("B: certify() runs", False, e.message)
check("B: certify() returns the parsed report, status 0",
      rep_api.get("verdict") == "certified" and rep_api.status == 0, str(rep_api.get("verdict")))
check("B: certify() agrees with the shell on lambda_min",
      rep_api.get("quantities", {}).get("lambda_min") == rep.get("quantities", {}).get("lambda_min"))
check("B: certify() warned once about float32", sum("float32" in str(w.message) for w in caught) == 1,
      [str(w.message) for w in caught])

# its tangent kernel, by PyTorch's autograd, passes plstar validate on the bridge's bundle (J's columns in w0's
# order, the 1/sqrt(fan_in) inside the derivatives)
net_b64 = copy.deepcopy(net_b).double()
params = list(net_b64.parameters())
out_b = net_b64(torch.from_numpy(X_iris)).reshape(-1)   # sample-major, as plstar's rows
Jm = torch.stack([torch.cat([g.reshape(-1) for g in torch.autograd.grad(out_b[r], params, retain_graph=True)])
                  for r in range(out_b.numel())])
np.save("K_torch.npy", (Jm @ Jm.T).detach().numpy())
st, out, err = plstar_direct(["validate", "--bundle", "B/bundle", "--kernel", "K_torch.npy"])
check("B: PyTorch's J J^T passes plstar validate --kernel on the bridge's bundle", st == 0, out + err)

st, out, err = bridge("kernel", "net_b.py", "X_iris.npy", "--out", "B_kernel")
check("B: kernel writes DIR/K.npy (exit 0)", st == 0 and os.path.isfile("B_kernel/K.npy"), out + err)
if st == 0:
    st2, out2, err2 = plstar_direct(["validate", "--bundle", "B_kernel/bundle", "--kernel", "B_kernel/K.npy"])
    check("B: that K passes plstar validate --kernel", st2 == 0, out2 + err2)

# ---- model C: bias, 3 outputs, standard scaling, GELU, a leading Flatten and Dropout(0), function API ------
torch.manual_seed(3)
net_c = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 32), torch.nn.GELU(), torch.nn.Dropout(0.0),
                            torch.nn.Linear(32, 3)).double()
try:
    rep_c = pt.certify(net_c, torch.from_numpy(X_iris).reshape(30, 2, 2), y_iris, check="point", out_dir="C")
except PlstarError as e:
    rep_c = pt.Report()
    check("C: certify() runs", False, e.message)
check("C: certify() on (n, 2, 2) inputs after a Flatten: verdict certified, status 0",
      rep_c.get("verdict") == "certified" and rep_c.status == 0, str(rep_c.get("verdict")))
check("C: the description", os.path.isfile("C/model.json") and json.load(open("C/model.json")) == {
    "model": "mlp", "input_dim": 4, "widths": [32], "outputs": 3, "activation": "gelu",
    "output_activation": "linear", "scaling": "standard", "bias": True})
same_as_direct("C", "C", rep_c.status, ["point"])

# ---- a model that cannot be certified: N = 90 equations, P = 19 parameters -------------------------------
torch.manual_seed(4)
torch.save(torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.Tanh(), torch.nn.Linear(2, 3)).double(),
           "net_small.pt")
st, out, err = bridge("certify", "point", "net_small.pt", "X_iris.npy", "y_iris.npy", "--out", "S")
check("S: an underparameterized net is not certified (exit %d)" % st, st in (1, 2), out + err)
if os.path.isfile("S/report.json"):
    same_as_direct("S", "S", st, ["point"])
else:
    check("S: a report was written", False, err)

# ---- the round trip catches hand-corrupted files ---------------------------------------------------------
st, out, err = bridge("export", "net_a.pt", "X_diab.pt", "y_diab.pt", "--out", "E")
check("export writes the four files (exit 0)", st == 0 and all(
    os.path.isfile("E/" + f) for f in ("model.json", "X.npy", "w0.npy", "y.npy")), out + err)
st, out, err = bridge("roundtrip", "net_a.pt", "E")
check("the round trip of untouched files passes (exit 0)", st == 0 and "round trip: pass" in out, out + err)

m = json.load(open("E/model.json")) if os.path.isfile("E/model.json") else dict(desc)
m["scaling"] = "ntk"
json.dump(m, open("E/model.json", "w"))
st, out, err = bridge("roundtrip", "net_a.pt", "E")
check("wrong scaling in model.json: the round trip fails (exit 1)", st == 1, "exit %d: %s" % (st, err))
check("wrong scaling: one line on stderr", err.count("\n") == 1, err)
check("wrong scaling: the line names the mismatch",
      'E/model.json has "scaling": "ntk", the module\'s is "standard"' in err, err)
check("wrong scaling: the line names the worst output", "worst F[" in err, err)
try:
    pt.roundtrip(net_a, "E")
    check("roundtrip() raises on the wrong scaling", False)
except pt.RoundTripError as e:
    check("roundtrip() raises RoundTripError, status 1, naming scaling",
          e.status == 1 and '"scaling": "ntk"' in e.message and "\n" not in e.message, e.message)
st, out, err = bridge("certify", "point", "net_a.pt", "X_diab.pt", "y_diab.pt", "--out", "E")
check("certify rewrites the files and passes again", st == 0, out + err)

w0 = np.load("E/w0.npy")
w0[37] *= 1 + 1e-9
np.save("E/w0.npy", w0)
st, out, err = bridge("roundtrip", "net_a.pt", "E")
check("one weight off by 1e-9 relative: the round trip fails naming it",
      st == 1 and "E/w0.npy differs from the module's parameters at 1 entries, first module 0 (Linear) weight[3, 7]"
      in err and err.count("\n") == 1, "exit %d: %s" % (st, err))

m["scaling"], m["widths"] = "standard", [17]
json.dump(m, open("E/model.json", "w"))
np.save("E/w0.npy", pt.convert(net_a).w0)
st, out, err = bridge("roundtrip", "net_a.pt", "E")
check("wrong widths: plstar refuses the files (exit 65) and the line names widths",
      st == 65 and '"widths": [17]' in err and err.count("\n") == 1, "exit %d: %s" % (st, err))

# ---- refusals: the message names the module by index and class -------------------------------------------
nn = torch.nn
L, T = nn.Linear, nn.Tanh
shared = L(8, 8)
frozen = nn.Sequential(L(4, 8), T(), L(8, 1))
frozen[2].bias.requires_grad_(False)
refused = [
    ("SiLU", nn.Sequential(L(4, 8), T(), L(8, 8), nn.SiLU(), L(8, 1)), "module 3 (SiLU) is not representable"),
    ("BatchNorm", nn.Sequential(L(4, 8), nn.BatchNorm1d(8), T(), L(8, 1)), "module 1 (BatchNorm1d)"),
    ("thresholded Softplus", nn.Sequential(L(4, 8), nn.Softplus(), L(8, 1)), "module 1 (Softplus): threshold=20"),
    ("Softplus beta", nn.Sequential(L(4, 8), nn.Softplus(beta=2, threshold=40), L(8, 1)),
     "module 1 (Softplus): beta=2"),
    ("GELU tanh form", nn.Sequential(L(4, 8), nn.GELU(approximate="tanh"), L(8, 1)),
     "module 1 (GELU): approximate='tanh'"),
    ("LeakyReLU slope", nn.Sequential(L(4, 8), nn.LeakyReLU(0.2), L(8, 1)), "module 1 (LeakyReLU): negative_slope=0.2"),
    ("bias on some layers", nn.Sequential(L(4, 8), T(), L(8, 1, bias=False)), "module 2 (Linear) has no bias"),
    ("mixed scaling", nn.Sequential(pt.NTKLinear(4, 8), T(), L(8, 1)), "module 2 (Linear) mixes standard scaling"),
    ("training-mode Dropout", nn.Sequential(L(4, 8), T(), nn.Dropout(0.5), L(8, 1)), "module 2 (Dropout): p=0.5"),
    ("nested", nn.Sequential(nn.Sequential(L(4, 8), T()), nn.Sequential(L(8, 8), nn.ReLU6())),
     "module 1.1 (ReLU6)"),
    ("two activations in a row", nn.Sequential(L(4, 8), T(), T(), L(8, 1)), "module 2 (Tanh) follows module 1 (Tanh)"),
    ("shared layer", nn.Sequential(L(4, 8), T(), shared, T(), shared), "module 4 (Linear) is the same layer as module 2"),
    ("frozen parameter", frozen, "module 2 (Linear): bias has requires_grad=False"),
    ("not a Sequential", nn.Bilinear(2, 2, 1), "the model (Bilinear) is not an nn.Sequential"),
]
warnings.simplefilter("ignore")  # float32 layers: the warning is tested above
for what, model, expected in refused:
    try:
        pt.convert(model)
        check("refused: %s" % what, False, "accepted")
    except pt.UnsupportedModule as e:
        check("refused: %s" % what, expected in e.message and e.status == 65 and "\n" not in e.message, e.message)

accepted = [
    ("Softplus(threshold=40), sigmoid output", nn.Sequential(L(4, 8), nn.Softplus(threshold=40), L(8, 2), nn.Sigmoid()),
     {"activation": "softplus", "output_activation": "sigmoid", "outputs": 2}),
    ("LeakyReLU(), Identity, eval Dropout", nn.Sequential(L(4, 8), nn.Identity(), nn.LeakyReLU(), nn.Dropout(0.3).eval(),
                                                          L(8, 1)), {"activation": "leaky_relu"}),
    ("ReLU, two hidden layers, no bias", nn.Sequential(L(4, 8, bias=False), nn.ReLU(), L(8, 6, bias=False), nn.ReLU(),
                                                       L(6, 1, bias=False)),
     {"activation": "relu", "widths": [8, 6], "bias": False}),
    ("one Linear layer", L(4, 2), {"widths": [], "activation": "linear", "outputs": 2}),
    ("a linear hidden layer", nn.Sequential(L(4, 8), L(8, 1)), {"widths": [8], "activation": "linear"}),
    ("an activation per hidden layer", nn.Sequential(L(4, 8), T(), L(8, 8), nn.Sigmoid(), L(8, 1)),
     {"widths": [8, 8], "activation": ["tanh", "sigmoid"]}),
    ("a hidden layer without activation", nn.Sequential(L(4, 8), T(), L(8, 8), L(8, 1)),
     {"widths": [8, 8], "activation": ["tanh", "linear"]}),
]
for what, model, keys in accepted:
    try:
        d = pt.convert(model).description
        check("accepted: %s" % what, all(d[k] == v for k, v in keys.items()), json.dumps(d))
    except PlstarError as e:
        check("accepted: %s" % what, False, e.message)

# a different activation per hidden layer: the round trip (plstar's outputs are the module's) and the certificate
torch.manual_seed(5)
net_mixed = nn.Sequential(L(4, 24), nn.ReLU(), L(24, 24), T(), L(24, 16), nn.GELU(), L(16, 1)).double()
try:
    rep_m = pt.certify(net_mixed, torch.from_numpy(X_iris), y_iris[:, :1], check="point", out_dir="M")
except PlstarError as e:
    rep_m = pt.Report()
    check("mixed activations: certify() runs", False, e.message)
check("mixed activations: the model.json lists them",
      json.load(open("M/model.json"))["activation"] == ["relu", "tanh", "gelu"] if os.path.isfile("M/model.json")
      else False)
check("mixed activations: round trip passed, verdict certified",
      rep_m.get("verdict") == "certified" and rep_m.status == 0, str(rep_m.get("verdict")))

# the flat vector is model.parameters() in order (torch.nn.utils.parameters_to_vector)
check("w0 is parameters_to_vector(model.parameters())", np.array_equal(
    pt.convert(net_b).w0, torch.nn.utils.parameters_to_vector(net_b.parameters()).detach().numpy()))

# ---- the command's own errors ----------------------------------------------------------------------------
torch.save(nn.Sequential(L(4, 8), T(), L(8, 8), nn.SiLU(), L(8, 1)), "net_silu.pt")
st, out, err = bridge("certify", "point", "net_silu.pt", "X_iris.npy", "--out", "U")
check("shell: an unsupported module exits 65 with one line naming it",
      st == 65 and err.count("\n") == 1 and "module 3 (SiLU)" in err, "exit %d: %s" % (st, err))
check("shell: nothing is written for a refused model", not os.path.exists("U"))
torch.save(net_a.state_dict(), "state.pt")
st, out, err = bridge("certify", "point", "state.pt", "X_diab.pt")
check("shell: a state_dict is refused (65)", st == 65 and "state_dict" in err, "exit %d: %s" % (st, err))
st, out, err = bridge("certify", "point", "missing.pt", "X_diab.pt")
check("shell: a missing file exits 66", st == 66 and "missing.pt" in err, "exit %d: %s" % (st, err))
st, out, err = bridge("certify", "point", "net_a.pt", "X_iris.npy")
check("shell: X of the wrong width exits 65 naming the first layer",
      st == 65 and "module 0 (Linear) takes (n, 10)" in err, "exit %d: %s" % (st, err))
st, out, err = bridge("certify", "point", "net_b.py", "X_iris.npy", "X_iris.npy")
check("shell: labels of the wrong shape exit 65", st == 65 and "y has shape (30, 4)" in err, "exit %d: %s" % (st, err))
st, out, err = bridge("certify", "point", "net_a.pt", "X_diab.pt", "--seed", "1")
check("shell: --seed is the bridge's own (usage, 64)", st == 64, "exit %d: %s" % (st, err))
st, out, err = bridge("certify", "sideways", "net_a.pt", "X_diab.pt")
check("shell: an unknown check is a usage error (64)", st == 64, "exit %d: %s" % (st, err))
st, out, err = bridge("certify", "point", "net_a.pt", "X_diab.pt", "y_diab.pt", "--mu", "-1")
check("shell: plstar's usage error passes through (64)", st == 64 and "mu" in err, "exit %d: %s" % (st, err))
env = dict(os.environ, PLSTAR_EXE="/nonexistent/plstar")
p = subprocess.run([sys.executable, "-m", "plstar.torch", "certify", "point", "net_a.pt", "X_diab.pt"],
                   capture_output=True, text=True, env=env)
check("shell: a PLSTAR_EXE that is not there exits 69 naming it",
      p.returncode == 69 and "/nonexistent/plstar" in p.stderr, "exit %d: %s" % (p.returncode, p.stderr))

print("%d passed, %d failed" % (passes, failures))
sys.exit(1 if failures else 0)
