#!/usr/bin/env python3
"""Rebuild a plstar bundle's network in PyTorch and write what `plstar validate` checks.

    torch_client.py BUNDLE OUTDIR [BUNDLE OUTDIR ...] [--dtype float64|float32|both] [--steps T]
                    [--lr ETA|auto] [--mutate none|drop-scaling|transpose]

For each dtype it writes OUTDIR/<dtype>/:
    F.npy           the outputs, shape (n, c)
    J.npy           the Jacobian dF/dw, shape (N, P), rows sample-major (i*c + k), columns in w0's order
    K.npy           the tangent kernel J J^T, shape (N, N)
    L.npy           L(w_0), ..., L(w_T) of gradient descent w <- w - lr * grad L, L = 0.5 * sum((F - y)^2)
    lambda_min.txt  the smallest eigenvalue of K (torch.linalg.eigvalsh)
    run.json        dtype, lr, steps, mutation, torch version
Arrays are saved in the dtype they were computed in ('<f4' for float32). The step used is printed
on stdout, one line per bundle (pass it to plstar validate --lr).

Everything it needs comes from the bundle's bundle.json: the layers, their parameter offsets
(loaded with torch.nn.utils.vector_to_parameters), the scale of each layer and its activation.
--mutate introduces the bugs the end-to-end test expects plstar to catch: drop-scaling forgets the
1/sqrt(fan_in) factors; transpose transposes one weight matrix (a square one if there is one,
else the first layer's read in column-major order).
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch


def activation(name):
    """plstar's activation `name` in torch (bench/peers/ntk_torch.py uses it too); the functions
    plstar_act names, as their formulas in a bundle's manifest say (core/act_*.c)."""
    f = torch.nn.functional
    table = {
        "linear": lambda z: z,
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
        # log(1 + exp(z)) exactly: torch's softplus returns z itself for z > 20 (threshold=20), which
        # is off by up to 2.1e-9 -- a different function at float64 accuracy
        "softplus": lambda z: torch.logaddexp(z, torch.zeros_like(z)),
        "sin": torch.sin,
        "erf": torch.erf,
        "gelu": lambda z: f.gelu(z, approximate="none"),
        "relu": torch.relu,
        "leaky_relu": lambda z: f.leaky_relu(z, 0.01),
    }
    if name not in table:
        sys.exit("torch_client: unknown activation %r" % name)
    return table[name]


class Layer(torch.nn.Module):
    """z = (W a) * scale + b, then the activation; W is (out, in) as torch.nn.Linear.weight."""

    def __init__(self, spec, dtype):
        super().__init__()
        out, inn = spec["out"], spec["in"]
        if spec["weight"]["trainable"]:
            self.weight = torch.nn.Parameter(torch.zeros(out, inn, dtype=dtype))
        else:  # the shallow model's fixed output signs, W[0, j] = (-1)^j
            signs = torch.tensor([(-1.0) ** j for j in range(out * inn)], dtype=dtype).reshape(out, inn)
            self.register_buffer("weight", signs)
        self.bias = torch.nn.Parameter(torch.zeros(out, dtype=dtype)) if spec["bias"] else None
        self.scale = float(spec["scale"])
        self.act = activation(spec["activation"])

    def forward(self, a):
        z = torch.nn.functional.linear(a, self.weight)
        if self.scale != 1.0:
            z = z * self.scale
        if self.bias is not None:
            z = z + self.bias
        return self.act(z)


def build(manifest, w0, dtype, mutate):
    model = torch.nn.Sequential(*[Layer(spec, dtype) for spec in manifest["layers"]])
    params = list(model.parameters())
    torch.nn.utils.vector_to_parameters(torch.tensor(w0, dtype=dtype), params)
    if mutate == "drop-scaling":
        for layer in model:
            layer.scale = 1.0
    elif mutate == "transpose":
        layers = [l for l in model if isinstance(l.weight, torch.nn.Parameter)]
        square = [l for l in layers if l.weight.shape[0] == l.weight.shape[1]]
        target = (square or layers)[0]
        with torch.no_grad():
            rows, cols = target.weight.shape
            target.weight.copy_(target.weight.reshape(cols, rows).t().contiguous())
    return model, params


def jacobian(model, params, X):
    F = model(X).reshape(-1)  # sample-major: i*c + k
    rows = []
    for r in range(F.numel()):
        grads = torch.autograd.grad(F[r], params, retain_graph=True)
        rows.append(torch.cat([g.reshape(-1) for g in grads]))
    return torch.stack(rows)


def run(bundle, outdir, dtype_name, steps, lr, mutate):
    manifest = json.load(open(os.path.join(bundle, "bundle.json")))
    dtype = {"float64": torch.float64, "float32": torch.float32}[dtype_name]
    X = torch.tensor(np.load(os.path.join(bundle, "X.npy")), dtype=dtype)
    w0 = np.load(os.path.join(bundle, "w0.npy"))
    labels = manifest["files"]["labels"]
    Y = torch.tensor(np.load(os.path.join(bundle, labels)), dtype=dtype) if labels else None
    model, params = build(manifest, w0, dtype, mutate)
    out = os.path.join(outdir, dtype_name)
    os.makedirs(out, exist_ok=True)
    with torch.no_grad():
        F = model(X)
    J = jacobian(model, params, X)
    K = J @ J.t()
    lam = torch.linalg.eigvalsh(K)[0].item()
    np.save(os.path.join(out, "F.npy"), F.detach().numpy())
    np.save(os.path.join(out, "J.npy"), J.detach().numpy())
    np.save(os.path.join(out, "K.npy"), K.detach().numpy())
    with open(os.path.join(out, "lambda_min.txt"), "w") as f:
        f.write("%.17g\n" % lam)
    losses = []
    if Y is not None and steps is not None:
        opt = torch.optim.SGD(params, lr=lr)
        for t in range(steps + 1):
            opt.zero_grad()
            loss = 0.5 * ((model(X) - Y) ** 2).sum()
            losses.append(loss.item())
            if t == steps:
                break
            loss.backward()
            opt.step()
        np.save(os.path.join(out, "L.npy"), np.array(losses, dtype=np.float32 if dtype_name == "float32" else np.float64))
    info = {"dtype": dtype_name, "lr": lr, "steps": steps,
            "lambda_min": lam, "mutate": mutate, "torch": torch.__version__}
    with open(os.path.join(out, "run.json"), "w") as f:
        json.dump(info, f, indent=2)
    return lam


def auto_lr(bundle):
    """0.5 / lambda_max(K(w0)) in float64, rounded to 3 significant digits so it is easy to pass on."""
    manifest = json.load(open(os.path.join(bundle, "bundle.json")))
    X = torch.tensor(np.load(os.path.join(bundle, "X.npy")), dtype=torch.float64)
    model, params = build(manifest, np.load(os.path.join(bundle, "w0.npy")), torch.float64, "none")
    J = jacobian(model, params, X)
    lmax = torch.linalg.eigvalsh(J @ J.t())[-1].item()
    return float("%.3g" % (0.5 / lmax))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pairs", nargs="+", metavar="BUNDLE OUTDIR",
                    help="a bundle and where to write its results; several pairs share one torch start-up")
    ap.add_argument("--dtype", choices=["float64", "float32", "both"], default="both")
    ap.add_argument("--steps", type=int, default=10, help="gradient-descent steps T (L has T + 1 values)")
    ap.add_argument("--lr", default="auto", help="step size, or 'auto' = 0.5 / lambda_max(K(w0)) to 3 digits")
    ap.add_argument("--mutate", choices=["none", "drop-scaling", "transpose"], default="none")
    a = ap.parse_args()
    if len(a.pairs) % 2:
        ap.error("give BUNDLE OUTDIR pairs")
    torch.manual_seed(0)
    for bundle, outdir in zip(a.pairs[0::2], a.pairs[1::2]):
        lr = auto_lr(bundle) if a.lr == "auto" else float(a.lr)
        for d in (["float64", "float32"] if a.dtype == "both" else [a.dtype]):
            run(bundle, outdir, d, a.steps, lr, a.mutate)
        print(repr(lr))


if __name__ == "__main__":
    main()
