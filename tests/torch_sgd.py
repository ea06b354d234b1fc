"""torch.optim.SGD on nn.MSELoss() against plstar's GD on the mean loss (--loss mean), step for step.

A Linear/Tanh network in float64 on 24 patients of scikit-learn's diabetes data (N = 24: the mean's
2/N is not a double) is trained for 100 full-batch steps of torch.optim.SGD(lr=ETA). Its 101 losses
must pass `plstar validate --losses` on the bundle of that model (whose bundle.json says "mean"), with
and without --loss mean, and fail with --loss sum at the same ETA (the test can fail); they must match
`plstar train --loss mean --lr ETA`; and `plstar certify gd --path --loss mean --lr ETA --steps 100` must
certify the run, through the bridge's function API, its report in the mean loss's numbers.
Run by tests/test_torch_sgd.sh with PYTHONPATH=python and PLSTAR_EXE set.
"""

import copy
import json
import os
import subprocess
import sys

import numpy as np
import torch
from sklearn.datasets import load_diabetes

import plstar.torch as pt
from plstar.errors import PlstarError

ETA, STEPS = 0.05, 100
EXE = os.environ["PLSTAR_EXE"]
failures, checks = [], []


def check(ok, what):
    print("%s: %s" % ("ok" if ok else "FAIL", what), flush=True)
    checks.append(what)
    if not ok:
        failures.append(what)


def plstar(*args):
    p = subprocess.run([EXE] + [str(a) for a in args], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


X, y = load_diabetes(return_X_y=True)
X, y = X[:24], y[:24]
X = (X - X.mean(0)) / X.std(0)
y = ((y - y.mean()) / y.std()).reshape(-1, 1)
torch.manual_seed(0)
net = torch.nn.Sequential(torch.nn.Linear(10, 32), torch.nn.Tanh(), torch.nn.Linear(32, 16), torch.nn.Tanh(),
                          torch.nn.Linear(16, 1)).double()
net0 = copy.deepcopy(net)
Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

# 100 steps of torch.optim.SGD on nn.MSELoss(): L(w_0), ..., L(w_100)
opt, mse, losses = torch.optim.SGD(net.parameters(), lr=ETA), torch.nn.MSELoss(), []
for t in range(STEPS + 1):
    opt.zero_grad()
    loss = mse(net(Xt), yt)
    losses.append(loss.item())
    if t < STEPS:
        loss.backward()
        opt.step()
np.save("torch_losses.npy", np.array(losses))
check(losses[-1] < 0.5 * losses[0], "SGD reduces the mean loss: %.6g -> %.6g" % (losses[0], losses[-1]))

# the problem files of the initial module and their bundle, with the round trip, under the mean loss
pt.export(net0, X, y, "problem")
rt = pt.roundtrip(net0, "problem", X, loss="mean")
check(rt["verdict"] == "pass", "round trip of the initial module")
with open("problem/bundle/bundle.json") as f:
    check(json.load(f)["loss_convention"] == "mean", "the bundle states the mean loss")

status, out = plstar("validate", "--bundle", "problem/bundle", "--losses", "torch_losses.npy", "--lr", ETA,
                     "--json", "validate.json")
check(status == 0, "validate passes PyTorch's losses on the mean bundle, step for step:\n" + out)
with open("validate.json") as f:
    v = json.load(f)
check(v["loss"]["convention"] == "mean" and v["quantities"]["losses"]["entries"] == STEPS + 1,
      "the validate report states the mean loss and judges every step")
status, out = plstar("validate", "--bundle", "problem/bundle", "--losses", "torch_losses.npy", "--lr", ETA,
                     "--loss", "mean")
check(status == 0, "validate --loss mean passes them:\n" + out)
status, out = plstar("validate", "--bundle", "problem/bundle", "--losses", "torch_losses.npy", "--lr", ETA,
                     "--loss", "sum")
check(status == 1, "validate --loss sum at the same lr fails them (exit %d)" % status)

# plstar's own trainer on the mean loss: the same trajectory
args = ["--model", "problem/model.json", "--data", "problem/X.npy", "--weights", "problem/w0.npy",
        "--labels", "problem/y.npy"]
status, out = plstar("train", *args, "--loss", "mean", "--lr", ETA, "--steps", STEPS, "--out", "train")
check(status == 0, "plstar train --loss mean runs:\n" + out)
ours = np.load("train/trajectory.npy")[:, 1]
gap = np.max(np.abs(ours - np.array(losses)) / np.array(losses))
check(ours.shape == (STEPS + 1,) and gap < 1e-12, "plstar train --loss mean matches SGD (relative gap %.2g)" % gap)

# the certificate of the run, through the bridge
report = pt.certify(net0, X, y, check="gd", path=True, steps=STEPS, lr=ETA, loss="mean", out_dir="cert")
check(report.status == 0 and report["verdict"] == "certified",
      "certify gd --path --loss mean --lr %g --steps %d: %s" % (ETA, STEPS, report["verdict"]))
check(report["lr"] == ETA and report["loss"]["convention"] == "mean", "the report's lr is the one given, its loss mean")
L0, L100 = report["quantities"]["loss_initial"], report["quantities"]["loss_final"]
check(abs(L0["lower"] - losses[0]) < 1e-12 * losses[0] and abs(L100["lower"] - losses[-1]) < 1e-10 * losses[-1],
      "its losses are the mean loss's: L(w0) in [%.17g, %.17g] (PyTorch %.17g), L(w_100) %.17g (PyTorch %.17g)" %
      (L0["lower"], L0["upper"], losses[0], L100["lower"], losses[-1]))
try:
    pt.certify(net0, X, y, check="point", loss="mean")
    check(False, "loss='mean' on certify point is refused")
except PlstarError as e:
    check(getattr(e, "status", None) == 64, "loss='mean' on certify point is refused (64): %s" % e)

print("%d passed, %d failed" % (len(checks) - len(failures), len(failures)))
sys.exit(1 if failures else 0)
