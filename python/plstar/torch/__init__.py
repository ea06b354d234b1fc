"""PyTorch models to plstar certificates.

    from plstar.torch import NTKLinear, certify, export, roundtrip
    net = torch.nn.Sequential(torch.nn.Linear(10, 64), torch.nn.Tanh(), torch.nn.Linear(64, 1))
    report = certify(net, X, y, check="point")          # the parsed JSON report; report.status: exit status
    report["verdict"], report["quantities"]["lambda_min"]

convert(model) reads an nn.Sequential of nn.Linear (plstar's "standard" scaling) or NTKLinear ("ntk":
x Wᵀ/√fan_in + b) layers, each hidden one followed by its activation or none (Tanh, Sigmoid, Softplus with
threshold >= 40, ReLU, LeakyReLU(0.01), GELU in its erf form), an optional output activation, and Identity,
Flatten and eval-mode Dropout; anything else is refused naming the module (UnsupportedModule). Every certificate runs after the
round trip: the module's own forward pass must pass `plstar validate --outputs` on the exported files.
From the shell: python3 -m plstar.torch certify point net.pt X.pt y.pt [--out DIR] [plstar options].

The names load PyTorch when first used (ImportError naming the missing package when it is absent), so that
`python3 -m plstar.torch` can report a missing PyTorch in one line.
"""

import importlib

_WHERE = {"NTKLinear": "_convert", "UnsupportedModule": "_convert", "Conversion": "_convert", "convert": "_convert",
          "forward": "_convert", "SOFTPLUS_MIN_THRESHOLD": "_convert", "Report": "_api", "RoundTripError": "_api",
          "export": "_api", "roundtrip": "_api", "certify": "_api", "kernel": "_api"}
__all__ = list(_WHERE)


def __getattr__(name):
    if name in _WHERE:
        return getattr(importlib.import_module("plstar.torch." + _WHERE[name]), name)
    raise AttributeError("module 'plstar.torch' has no attribute %r" % name)


def __dir__():
    return sorted(list(globals()) + __all__)
