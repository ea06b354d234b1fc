"""PyTorch side of tests/test_layouts.sh: a tanh MLP on iris, its F, J and K in every layout that
`plstar validate --layout` reads, and forward passes in float32, bfloat16 and float16.

    layouts.py problem DIR WIDTH    model.json, X.npy, y.npy, w.npy of a 4 -> WIDTH -> 3 tanh MLP
                                    (standard scaling, biases) on 12 iris flowers, standardised
    layouts.py compute BUNDLE OUT   F, J, K in each layout (float64), from the bundle's X.npy, w0.npy
    layouts.py narrow BUNDLE OUT    F in float32 and bfloat16 (torch) and float16 (NumPy, rounded
                                    after every operation: PyTorch's CPU has no float16 matmul)
    layouts.py plant IN OUT I...    IN with entry [I...] times 1 + 1e-6
    layouts.py shift IN REPORT OUT  IN with its worst entry (from REPORT) moved 3 allowances away

The Jacobian comes from torch.func when this PyTorch has it, else from functorch, else from
torch.autograd.functional.jacobian; `compute` prints which.
"""
import json
import sys

import numpy as np


def network(width):
    import torch

    return torch.nn.Sequential(torch.nn.Linear(4, width), torch.nn.Tanh(), torch.nn.Linear(width, 3)).double()


def problem(out, width):
    import torch

    from sklearn.datasets import load_iris

    X, labels = load_iris(return_X_y=True)
    pick = np.r_[0:4, 50:54, 100:104]  # four flowers of each species
    X = X[pick]
    X = (X - X.mean(0)) / X.std(0)
    y = np.eye(3)[labels[pick]]
    torch.manual_seed(3)
    net = network(width)
    w = torch.nn.utils.parameters_to_vector(net.parameters()).detach().numpy()
    model = {"model": "mlp", "input_dim": 4, "widths": [width], "outputs": 3, "activation": "tanh",
             "output_activation": "linear", "scaling": "standard", "bias": True}
    with open(out + "/model.json", "w") as f:
        json.dump(model, f)
    np.save(out + "/X.npy", X)
    np.save(out + "/y.npy", y)
    np.save(out + "/w.npy", w)


def load(bundle):
    import torch

    X = torch.from_numpy(np.load(bundle + "/X.npy"))
    w = torch.from_numpy(np.load(bundle + "/w0.npy"))
    width = json.load(open(bundle + "/model.json"))["widths"][0]
    net = network(width)
    torch.nn.utils.vector_to_parameters(w, net.parameters())
    return net, X


def jacobian(net, X):
    """(n, c, P), columns in the order of net.parameters(), and the API that computed it."""
    import torch

    names = [k for k, _ in net.named_parameters()]
    params = tuple(p.detach() for p in net.parameters())
    n = X.shape[0]
    try:
        from torch.func import functional_call, jacrev

        jac = jacrev(lambda *ps: functional_call(net, dict(zip(names, ps)), (X,)), argnums=tuple(range(len(params))))(*params)
        api = "torch.func.jacrev"
    except ImportError:
        try:
            from functorch import jacrev, make_functional

            fmodel, fparams = make_functional(net)
            jac = jacrev(lambda *ps: fmodel(ps, X), argnums=tuple(range(len(fparams))))(*fparams)
            api = "functorch.jacrev"
        except ImportError:
            from torch.nn.utils import stateless

            call = lambda *ps: stateless.functional_call(net, dict(zip(names, ps)), (X,))  # noqa: E731
            jac = torch.autograd.functional.jacobian(call, params)
            api = "torch.autograd.functional.jacobian"
    J = torch.cat([j.reshape(n, 3, -1) for j in jac], dim=2)
    return J.detach().numpy(), api


def compute(bundle, out):
    import torch

    net, X = load(bundle)
    J, api = jacobian(net, X)
    n, c, P = J.shape
    F = net(X).detach().numpy()
    np.save(out + "/F.npy", F)                                      # (n, c)
    np.save(out + "/J_plstar.npy", J.reshape(n * c, P))             # (N, P)
    np.save(out + "/J_nc.npy", J)                                   # (n, c, P)
    Jf = J.reshape(n * c, P)
    np.save(out + "/K_plstar.npy", Jf @ Jf.T)                       # (N, N)
    np.save(out + "/K_functorch.npy", np.einsum("iap,jbp->iajb", J, J))        # (n, c, n, c)
    np.save(out + "/K_neural-tangents.npy", np.einsum("iap,jbp->ijab", J, J))  # (n, n, c, c)
    np.save(out + "/K_traced.npy", np.einsum("iap,jap->ij", J, J))             # (n, n)
    print("J (%d, %d, %d) and the kernels computed with %s, PyTorch %s" % (n, c, P, api, torch.__version__))


def narrow(bundle, out):
    import torch

    net, X = load(bundle)
    with torch.no_grad():
        np.save(out + "/F_float32.npy", net.float()(X.float()).numpy())           # '<f4'
        net, X = load(bundle)
        np.save(out + "/F_bfloat16.npy", net.bfloat16()(X.bfloat16()).float().numpy())  # bfloat16 values, '<f4'
    # float16 in NumPy: every operation of the forward pass rounds to float16
    h = np.float16
    Xh = np.load(bundle + "/X.npy").astype(h)
    ps = [p.detach().numpy().astype(h) for p in load(bundle)[0].parameters()]
    W1, b1, W2, b2 = ps
    a = np.tanh(matvec(Xh, W1) + b1)
    np.save(out + "/F_float16.npy", matvec(a, W2) + b2)                         # '<f2'


def matvec(A, W):
    """A Wᵀ summed term by term in A's dtype (NumPy's float16 matmul may accumulate wider)."""
    out = np.zeros((A.shape[0], W.shape[0]), dtype=A.dtype)
    for k in range(A.shape[1]):
        out = out + A[:, k:k + 1] * W[:, k]
    return out


def plant(src, dst, index):
    K = np.load(src)
    K[tuple(index)] *= 1 + 1e-6
    np.save(dst, K)


def shift(src, report, dst):
    F = np.load(src)
    worst = json.load(open(report))["quantities"]["outputs"]["worst"][0]
    flat = F.reshape(-1)
    flat[worst["index"]] = worst["reference_mid"] + 3 * worst["allowance"]
    np.save(dst, flat.reshape(F.shape).astype(F.dtype))
    print("F[%d] moved to %.6g: 3 allowances (%.3g) from the exact value" % (
        worst["index"], flat[worst["index"]], worst["allowance"]))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "problem":
        problem(args[0], int(args[1]))
    elif cmd == "compute":
        compute(*args)
    elif cmd == "narrow":
        narrow(*args)
    elif cmd == "plant":
        plant(args[0], args[1], [int(i) for i in args[2:]])
    elif cmd == "shift":
        shift(*args)
    else:
        sys.exit("unknown command " + cmd)
