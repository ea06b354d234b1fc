#!/usr/bin/env python3
"""PyTorch peer for the tangent kernel and a GD step (bench/bench_ntk.sh).

Reads a plstar model description (model.json), inputs X.npy (n x d) and flat
weights w.npy in plstar's layout (README, "Models"; docs/validate.md: per layer W row-major (out, in),
then its bias; z = W a / sqrt(s) + b with s = in under "ntk" scaling), builds
the same network in float64 and times, on 2 threads:

  jacobian   the functorch recipe "Jacobian contraction" as published: vmap(jacrev)
             of the per-sample output at x1 and at x2 (here both X), then the sum
             over layers of einsum(J1, J2)
  jacobian_shared
             the same with one Jacobian used twice (stronger than the recipe)
  ntkvp      NTK-vector products: K e_j = J (J^T e_j) through vjp then jvp over
             the whole batch, vmapped over chunks of basis vectors
  gd         one autograd GD step on the square loss 1/2 ||F - y||^2
             (forward, backward, in-place update), averaged over --steps

Prints one JSON line per recipe with its computation time alone (imports,
file reading and model building excluded): "seconds" is the fastest run,
"times" every timed run (a GD run is averaged over --steps steps). With
--warmup W, W untimed runs come first, except that a run longer than --long
seconds is timed instead (a warm-up buys nothing there); runs then repeat until
--repeat are done or, once --min-repeat are done, --budget seconds have been
spent (`plstar bench` uses the same policy for its own timings). With --check
K.npy, the recipe's kernel is compared with plstar's; with --save-kernel DIR it
is written to DIR/K_<recipe>.npy. The GD recipe reports the losses L(w_0),
L(w_1), ... of the first steps it ran ("losses", warm-up included). Exits 0
with a message when torch is absent.
"""
import argparse
import json
import sys
import time

try:
    import numpy as np
except ImportError:  # pragma: no cover
    print(json.dumps({"peer": "torch", "skipped": "numpy is not installed"}))
    sys.exit(0)
try:
    import torch
except ImportError:
    print(json.dumps({"peer": "torch", "skipped": "torch is not installed (apt-get install python3-torch)"}))
    sys.exit(0)

try:  # functorch ships with torch 1.13 (torch.func from 2.0 on)
    from functorch import jacrev, jvp, make_functional, vjp, vmap
    FT = "functorch"
except ImportError:
    try:
        from torch.func import jacrev, jvp, vjp, vmap  # type: ignore
        make_functional = None
        FT = "torch.func"
    except ImportError:
        FT = None


# plstar's activations in torch: one table for both peers (torch_client.py, next to this file)
from torch_client import activation  # noqa: E402


def layers_of(desc, d):
    """(in, out, activation, scale_div, trainable, bias, fixed) per layer, as core/model.c builds them."""
    kind = desc["model"]
    if kind == "linear":
        return [(d, 1, "linear", 1, True, False, None)]
    if kind == "shallow":
        m = desc["width"]
        signs = torch.tensor([[1.0 if j % 2 == 0 else -1.0 for j in range(m)]], dtype=torch.float64)
        return [(d, m, desc.get("activation", "tanh"), 1, True, False, None),
                (m, 1, "linear", m, False, False, signs)]
    ntk = desc.get("scaling", "ntk") == "ntk"
    bias = bool(desc.get("bias", False))
    widths = list(desc.get("widths", [])) + [desc.get("outputs", 1)]
    out, prev = [], d
    for k, w in enumerate(widths):
        act = desc.get("activation", "tanh") if k + 1 < len(widths) else desc.get("output_activation", "linear")
        out.append((prev, w, act, prev if ntk else 1, True, bias, None))
        prev = w
    return out


class Net(torch.nn.Module):
    def __init__(self, layers, w):
        super().__init__()
        self.spec, self.fixed = [], []
        self.params = torch.nn.ParameterList()
        off = 0
        for (i, o, act, s, trainable, bias, fixed) in layers:
            if trainable:
                W = torch.tensor(w[off:off + i * o].reshape(o, i))
                off += i * o
                self.params.append(torch.nn.Parameter(W))
                if bias:
                    self.params.append(torch.nn.Parameter(torch.tensor(w[off:off + o])))
                    off += o
            self.spec.append((trainable, bias, activation(act), 1.0 / float(s) ** 0.5, fixed))
        if off != w.size:
            raise SystemExit(f"ntk_torch: w.npy has {w.size} parameters, the model {off}")

    def forward(self, x):
        k, a = 0, x
        for (trainable, bias, act, scale, fixed) in self.spec:
            if trainable:
                W = self.params[k]
                k += 1
                z = torch.nn.functional.linear(a, W) * scale
                if bias:
                    z = z + self.params[k]
                    k += 1
            else:
                z = torch.nn.functional.linear(a, fixed) * scale
            a = act(z)
        return a


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def repeat_timed(fn, args):
    """Runs fn under the warm-up/repetition policy; returns (times, warm-ups done, last result)."""
    times, warm, out = [], 0, None
    for _ in range(args.warmup):
        out, t = timed(fn)
        if t > args.long:  # too long to throw away: it is the first timed run
            times.append(t)
            break
        warm += 1
    while len(times) < max(args.repeat, 1):
        if len(times) >= max(args.min_repeat, 1) and args.budget > 0 and sum(times) >= args.budget:
            break
        out, t = timed(fn)
        times.append(t)
    return times, warm, out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--labels")
    ap.add_argument("--recipes", default="jacobian,ntkvp,gd")
    ap.add_argument("--check", help="plstar K.npy to compare the recipes' kernels with")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=10, help="GD steps to average over")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--chunk", type=int, default=32, help="basis vectors per vmap in ntkvp")
    ap.add_argument("--repeat", type=int, default=1, help="runs per recipe; the fastest is reported")
    ap.add_argument("--warmup", type=int, default=0, help="untimed runs before timing")
    ap.add_argument("--min-repeat", type=int, default=1, help="timed runs at least, whatever --budget")
    ap.add_argument("--budget", type=float, default=0.0, help="stop repeating after this many timed seconds")
    ap.add_argument("--long", type=float, default=2.0, help="a warm-up run longer than this is timed instead")
    ap.add_argument("--save-kernel", help="directory to write each recipe's kernel to (K_<recipe>.npy)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.set_default_dtype(torch.float64)
    desc = json.load(open(args.model))
    X = torch.tensor(np.load(args.data), dtype=torch.float64)
    w = np.load(args.weights).astype(np.float64).ravel()
    n, d = X.shape
    net = Net(layers_of(desc, d), w)
    c = desc.get("outputs", 1) if desc["model"] == "mlp" else 1
    Kref = np.load(args.check) if args.check else None
    base = {"peer": "torch", "torch": torch.__version__, "functional": FT, "threads": torch.get_num_threads(),
            "n": n, "parameters": int(w.size)}

    def report(recipe, times, warm, K=None, **extra):
        rec = dict(base, recipe=recipe, seconds=min(times), times=times, warmup=warm, **extra)
        if K is not None:
            Kn = K.detach().numpy().reshape(n * c, n * c)
            if Kref is not None:
                rec["max_abs_diff_vs_plstar"] = float(np.abs(Kn - Kref).max())
                rec["max_abs_plstar"] = float(np.abs(Kref).max())
            if args.save_kernel:
                path = f"{args.save_kernel}/K_{recipe}.npy"
                np.save(path, np.ascontiguousarray(Kn, dtype=np.float64))
                rec["kernel_file"] = path
        print(json.dumps(rec), flush=True)

    recipes = [r for r in args.recipes.split(",") if r]
    if FT is None and any(r in ("jacobian", "jacobian_shared", "ntkvp") for r in recipes):
        print(json.dumps(dict(base, skipped="neither functorch nor torch.func is importable")))
        recipes = [r for r in recipes if r == "gd"]

    if FT == "functorch":
        fnet, params = make_functional(net)
    else:
        params = tuple(net.parameters())

        def fnet(p, x):
            return torch.func.functional_call(net, {f"params.{k}": v for k, v in enumerate(p)}, (x,))

    params = tuple(p.detach() for p in params)

    def f_batch(p, x):
        return fnet(p, x).reshape(-1)

    def f_single(p, x):
        return fnet(p, x.unsqueeze(0)).squeeze(0)

    if "jacobian" in recipes:
        # as published (functorch tutorial "Neural Tangent Kernels",
        # empirical_ntk_jacobian_contraction(fnet_single, params, x1, x2)),
        # called with x1 = x2 = X: the two Jacobians are formed separately
        def jac_contraction(x1=X, x2=X):
            jac1 = [j.reshape(n, c, -1) for j in vmap(jacrev(f_single), (None, 0))(params, x1)]
            jac2 = [j.reshape(n, c, -1) for j in vmap(jacrev(f_single), (None, 0))(params, x2)]
            return torch.stack([torch.einsum("Naf,Mbf->NaMb", j1, j2) for j1, j2 in zip(jac1, jac2)]).sum(0)
        times, warm, K = repeat_timed(jac_contraction, args)
        report("jacobian_contraction", times, warm, K)
        del K

    if "jacobian_shared" in recipes:
        # a stronger peer than the published recipe: one Jacobian, used twice
        def jac_contraction_shared():
            jac = [j.reshape(n, c, -1) for j in vmap(jacrev(f_single), (None, 0))(params, X)]
            return torch.stack([torch.einsum("Naf,Mbf->NaMb", j, j) for j in jac]).sum(0)
        times, warm, K = repeat_timed(jac_contraction_shared, args)
        report("jacobian_contraction_shared", times, warm, K)
        del K

    if "ntkvp" in recipes:
        def ntk_vps():
            out, vjp_fn = vjp(lambda p: f_batch(p, X), params)
            N = out.numel()
            cols = []
            for j0 in range(0, N, args.chunk):
                E = torch.zeros(min(args.chunk, N - j0), N)
                E[torch.arange(E.shape[0]), torch.arange(j0, j0 + E.shape[0])] = 1.0
                vj = vmap(vjp_fn)(E)
                cols.append(vmap(lambda *v: jvp(lambda p: f_batch(p, X), (params,), (tuple(v),))[1])(*vj[0]))
            return torch.cat(cols, 0).T
        times, warm, K = repeat_timed(ntk_vps, args)
        report("ntk_vector_products", times, warm, K)
        del K

    if "gd" in recipes:
        if args.labels:
            y = torch.tensor(np.load(args.labels), dtype=torch.float64).reshape(-1)
        else:
            y = torch.zeros(n * c)
        ps = list(net.parameters())
        losses = []  # L(w_0), L(w_1), ... in the order the steps ran

        def step():
            loss = 0.5 * ((net(X).reshape(-1) - y) ** 2).sum()
            loss.backward()
            with torch.no_grad():
                for p in ps:
                    p -= args.lr * p.grad
                    p.grad = None
            if len(losses) < 64:
                losses.append(float(loss))
            return loss
        step()  # warm-up (also the first step of the loss record)

        def run():
            for _ in range(args.steps):
                loss = step()
            return loss
        times, warm, loss = repeat_timed(run, args)
        report("autograd_gd_step", [t / args.steps for t in times], warm, None, steps=args.steps,
               last_loss=float(loss), losses=losses)


if __name__ == "__main__":
    main()
