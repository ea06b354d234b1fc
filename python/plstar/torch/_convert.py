"""An nn.Sequential as plstar's "mlp" model (README, "Models"; docs/theory.md §5, Eq. 17), exactly or not at all.

plstar's MLP is  z_l = W_l a_{l-1} / sqrt(s_l) + b_l,  a_l = sigma_l(z_l),  with an activation for each hidden
layer (one for all, or one each), an output activation, s_l = fan-in under "ntk" scaling and 1 under "standard", biases on every layer or
none. A module that does not fit this form, or fits it only approximately, is refused with a message that names
it (its index in the Sequential and its class): certifying a nearby network instead would be a silent error.
"""

import copy
import math
import warnings

import numpy as np

try:
    import torch
    from torch import nn
except ImportError as e:
    raise ImportError("plstar.torch needs PyTorch (Debian: apt install python3-torch): %s" % e) from e

from plstar.errors import EXIT_DATA, PlstarError

# core/activation.h: PLSTAR_LEAKY_SLOPE, the double nearest 1/100 (the same double as Python's 0.01)
LEAKY_SLOPE = 0.01
# nn.Softplus returns z itself for z > threshold. From 40 on that is log(1 + e^z) correctly rounded to
# float64, and its derivative 1 is sigmoid(z) correctly rounded: e^-40 < 4.3e-18 is below half an ulp of
# z >= 40 (3.6e-15) and of 1 (5.6e-17). Below 40 the two functions differ by up to e^-threshold.
SOFTPLUS_MIN_THRESHOLD = 40.0

SUPPORTED = ("Linear or plstar.torch.NTKLinear layers, hidden activations among Tanh, Sigmoid, Softplus, ReLU, "
             "LeakyReLU, GELU, an optional output activation, and Identity, Flatten, Dropout (eval mode)")


class NTKLinear(nn.Module):
    """A dense layer in the NTK parameterization (plstar's "scaling": "ntk"):
    forward(x) = x Wᵀ / √in_features + b, with W ~ N(0, 1) and b = 0 at initialisation."""

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = nn.Parameter(torch.randn(out_features, in_features, device=device, dtype=dtype))
        if bias:
            self.bias = nn.Parameter(torch.zeros(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)

    def forward(self, x):
        z = x @ self.weight.T / math.sqrt(self.in_features)
        return z if self.bias is None else z + self.bias

    def extra_repr(self):
        return "in_features=%d, out_features=%d, bias=%s" % (self.in_features, self.out_features,
                                                              self.bias is not None)


# pickles (torch.save of a whole model) name the public path, which stays when files move
NTKLinear.__module__ = "plstar.torch"


class UnsupportedModule(PlstarError):
    """A module plstar cannot represent exactly (exit status 65)."""

    def __init__(self, message):
        super().__init__(EXIT_DATA, message)


def label(name, module):
    """How messages name a module: its index in the Sequential (dotted when nested) and its class."""
    return "module %s (%s)" % (name, type(module).__name__) if name else "the model (%s)" % type(module).__name__


def _leaves(model, prefix=""):
    """(name, module) of every module in order, nested Sequentials opened."""
    if isinstance(model, nn.Sequential):
        if type(model).forward is not nn.Sequential.forward:
            raise UnsupportedModule("%s overrides nn.Sequential.forward, which plstar cannot read" %
                                    label(prefix, model))
        # what forward iterates: named_children() would list a module placed twice only once
        for name, child in model._modules.items():
            if child is None:
                raise UnsupportedModule("module %s is None" % (prefix + "." + name if prefix else name))
            yield from _leaves(child, prefix + "." + name if prefix else name)
    else:
        yield prefix, model


def _scaling(module):
    """"standard" for nn.Linear, "ntk" for NTKLinear, None for anything else (subclasses may compute
    something else, so only the exact classes are read)."""
    return {nn.Linear: "standard", NTKLinear: "ntk"}.get(type(module))


def _activation(where, m):
    """plstar's name for the activation m; None when m is no activation; refuses an activation whose
    parameters give a function other than plstar's."""
    t = type(m)
    simple = {nn.Tanh: "tanh", nn.Sigmoid: "sigmoid", nn.ReLU: "relu"}
    if t in simple:
        return simple[t]
    if t is nn.LeakyReLU:
        if m.negative_slope != LEAKY_SLOPE:
            raise UnsupportedModule("%s: negative_slope=%r, plstar's leaky_relu has slope 0.01 only" %
                                    (where, m.negative_slope))
        return "leaky_relu"
    if t is nn.GELU:
        if getattr(m, "approximate", "none") != "none":
            raise UnsupportedModule("%s: approximate=%r is not plstar's gelu, the exact erf form x*Phi(x) "
                                    "(approximate='none')" % (where, m.approximate))
        return "gelu"
    if t is nn.Softplus:
        if m.beta != 1:
            raise UnsupportedModule("%s: beta=%r, plstar's softplus is log(1 + e^z) (beta=1)" % (where, m.beta))
        if not m.threshold >= SOFTPLUS_MIN_THRESHOLD:
            raise UnsupportedModule(
                "%s: threshold=%r makes PyTorch return z itself for z > %r, up to %.2g away from plstar's exact "
                "log(1 + e^z); set threshold=%g or more, where the two agree to float64 rounding" %
                (where, m.threshold, m.threshold, math.log1p(math.exp(-m.threshold)), SOFTPLUS_MIN_THRESHOLD))
        return "softplus"
    return None


def _passthrough(where, m):
    """1 for a module that is the identity on (n, features) rows, "flatten" for a flattening one; None
    when m is neither; refuses Flatten and Dropout settings that are something else."""
    t = type(m)
    if t is nn.Identity:
        return 1
    if t is nn.Flatten:
        if m.start_dim != 1 or m.end_dim != -1:
            raise UnsupportedModule("%s: start_dim=%d, end_dim=%d; only Flatten(1, -1) keeps one row per "
                                    "sample" % (where, m.start_dim, m.end_dim))
        return "flatten"
    if t is nn.Dropout:
        if m.p != 0 and m.training:
            raise UnsupportedModule("%s: p=%r in training mode is random; call model.eval() (plstar certifies "
                                    "the eval-mode network, where Dropout is the identity)" % (where, m.p))
        return 1
    return None


def _unsupported(where, m):
    hint = ""
    if type(m).__name__.startswith("BatchNorm"):
        hint = " (an eval-mode BatchNorm can be folded into the neighbouring Linear layer)"
    return UnsupportedModule("%s is not representable in plstar's MLP%s: it has %s" % (where, hint, SUPPORTED))


class Conversion:
    """The result of convert(): `description` (model.json), `w0` (float64 (P,), plstar's layout, which is
    also the order of model.parameters()), `flatten_input` (a leading Flatten), and per layer its label,
    in_features, out_features and parameter offset."""

    def __init__(self, description, w0, flatten_input, layers):
        self.description, self.w0, self.flatten_input, self.layers = description, w0, flatten_input, layers

    @property
    def input_dim(self):
        return self.description["input_dim"]

    @property
    def outputs(self):
        return self.description["outputs"]

    def parameter_name(self, k):
        """'module 2 (Linear) weight[0, 3]' for flat index k of w0."""
        for layer in self.layers:
            size = layer["out"] * layer["in"]
            if k < layer["offset"] + size:
                r, c = divmod(k - layer["offset"], layer["in"])
                return "%s weight[%d, %d]" % (layer["label"], r, c)
            if layer["bias"] and k < layer["offset"] + size + layer["out"]:
                return "%s bias[%d]" % (layer["label"], k - layer["offset"] - size)
        return "index %d" % k


def _walk(model):
    """The dense layers in order, each with the activation that follows it, and whether a Flatten comes
    first."""
    layers, flatten_input = [], False
    for name, m in _leaves(model):
        where = label(name, m)
        scaling = _scaling(m)
        if scaling:
            layers.append({"label": where, "module": m, "scaling": scaling, "act": None, "act_label": None})
            continue
        act = _activation(where, m)
        if act:
            if not layers:
                raise UnsupportedModule("%s comes before the first Linear layer; plstar's MLP starts with a "
                                        "linear layer" % where)
            if layers[-1]["act"]:
                raise UnsupportedModule("%s follows %s with no linear layer between them" %
                                        (where, layers[-1]["act_label"]))
            layers[-1]["act"], layers[-1]["act_label"] = act, where
            continue
        kind = _passthrough(where, m)
        if kind is None:
            raise _unsupported(where, m)
        flatten_input |= kind == "flatten" and not layers
    if not layers:
        raise UnsupportedModule("%s has no Linear layer" % label("", model))
    return layers, flatten_input


def _check_uniform(layers):
    """One scaling, biases everywhere or nowhere, matching shapes."""
    first = layers[0]
    for prev, layer in zip(layers, layers[1:]):
        m, p = layer["module"], prev["module"]
        if layer["scaling"] != first["scaling"]:
            raise UnsupportedModule("%s mixes %s scaling with %s's %s; plstar's MLP has one scaling for every "
                                    "layer" % (layer["label"], layer["scaling"], first["label"], first["scaling"]))
        if (m.bias is None) != (first["module"].bias is None):
            raise UnsupportedModule("%s has %s, %s %s; plstar's MLP has biases on every layer or on none" %
                                    (layer["label"], "no bias" if m.bias is None else "a bias", first["label"],
                                     "has one" if m.bias is None else "has none"))
        if m.in_features != p.out_features:
            raise UnsupportedModule("%s takes %d inputs, %s gives %d" % (layer["label"], m.in_features,
                                                                         prev["label"], p.out_features))


def _parameters(model, layers):
    """w0 in plstar's layout; refuses shared layers, parameters outside the layers and frozen ones; warns
    when parameters are converted to float64."""
    seen, offset, chunks, infos, dtypes = {}, 0, [], [], set()
    for layer in layers:
        m = layer["module"]
        if id(m) in seen:
            raise UnsupportedModule("%s is the same layer as %s (shared weights); plstar's layers have their own "
                                    "parameters" % (layer["label"], seen[id(m)]))
        seen[id(m)] = layer["label"]
        infos.append({"label": layer["label"], "in": m.in_features, "out": m.out_features,
                      "bias": m.bias is not None, "offset": offset})
        for pname in ("weight", "bias"):
            t = getattr(m, pname)
            if t is None:
                continue
            if not t.requires_grad:
                raise UnsupportedModule("%s: %s has requires_grad=False; plstar differentiates with respect to "
                                        "every parameter" % (layer["label"], pname))
            dtypes.add(t.dtype)
            chunks.append(t.detach().cpu().to(torch.float64).reshape(-1).numpy())
            offset += t.numel()
    ours = {id(getattr(l["module"], p)) for l in layers for p in ("weight", "bias") if getattr(l["module"], p) is not None}
    for pname, t in model.named_parameters():
        if id(t) not in ours:
            raise UnsupportedModule("the model has a parameter outside its layers: %s" % pname)
    others = sorted(str(d).replace("torch.", "") for d in dtypes if d != torch.float64)
    if others:
        warnings.warn("parameters are %s: plstar certifies the float64 network with these weights (converting "
                      "them is exact), and the round trip runs the module in float64" % ", ".join(others),
                      stacklevel=3)
    return np.concatenate(chunks), infos


def _hidden_activations(hidden):
    """The description's "activation": one name when every hidden layer has the same one, else the list."""
    names = [h["act"] or "linear" for h in hidden]
    return names[0] if len(set(names)) == 1 else names if names else "linear"


def convert(model):
    """The Conversion of `model` (an nn.Sequential, or one Linear/NTKLinear); UnsupportedModule when it is
    not exactly one of plstar's MLPs."""
    if not isinstance(model, nn.Module):
        raise UnsupportedModule("the model is a %s, not a torch.nn.Module" % type(model).__name__)
    if not isinstance(model, nn.Sequential) and _scaling(model) is None:
        raise UnsupportedModule("%s is not an nn.Sequential: plstar.torch reads an nn.Sequential (or one Linear "
                                "layer), whose forward pass is the composition of its modules" % label("", model))
    layers, flatten_input = _walk(model)
    _check_uniform(layers)
    w0, infos = _parameters(model, layers)
    first, last, hidden = layers[0]["module"], layers[-1], layers[:-1]
    description = {"model": "mlp", "input_dim": first.in_features,
                   "widths": [l["module"].out_features for l in hidden], "outputs": last["module"].out_features,
                   "activation": _hidden_activations(hidden),
                   "output_activation": last["act"] or "linear", "scaling": layers[0]["scaling"],
                   "bias": first.bias is not None}
    return Conversion(description, w0, flatten_input, infos)


def _numpy(name, a):
    """A tensor or array as float64 numpy, warning when that converts it."""
    if isinstance(a, torch.Tensor):
        a = a.detach().cpu()
        if a.dtype != torch.float64:
            warnings.warn("%s is %s: converted to float64" % (name, str(a.dtype).replace("torch.", "")),
                          stacklevel=4)
        if a.is_complex():
            raise PlstarError(EXIT_DATA, "%s is complex" % name)
        return a.to(torch.float64).numpy()
    a = np.asarray(a)
    if a.dtype.kind not in "fiub":
        raise PlstarError(EXIT_DATA, "%s has dtype %s, not a real number type" % (name, a.dtype))
    if a.dtype != np.float64:
        warnings.warn("%s is %s: converted to float64" % (name, a.dtype), stacklevel=4)
    return a.astype(np.float64)


def data(conv, X):
    """X as plstar's (n, d) float64 inputs: (n, d), or any (n, ...) when the model starts with a Flatten."""
    X = _numpy("X", X)
    if X.ndim > 2 and conv.flatten_input:
        X = X.reshape(X.shape[0], -1)
    if X.ndim != 2 or X.shape[1] != conv.input_dim or X.shape[0] < 1:
        raise PlstarError(EXIT_DATA, "X has shape %s; %s takes (n, %d)%s" % (
            tuple(X.shape), conv.layers[0]["label"], conv.input_dim,
            "" if X.ndim <= 2 else " (or (n, ...) after a leading nn.Flatten())"))
    return X


def labels(conv, y, n):
    """y as plstar's (n, c) float64 labels: given as (n, c), (n*c,) sample-major, or (n,) when c = 1."""
    if y is None:
        return None
    y = _numpy("y", y)
    c = conv.outputs
    if y.shape == (n, c) or y.shape == (n * c,) or (c == 1 and y.shape == (n,)):
        return y.reshape(n, c)
    raise PlstarError(EXIT_DATA, "y has shape %s; the model has %d output%s for %d samples: (%d, %d)%s" % (
        tuple(y.shape), c, "s" if c > 1 else "", n, n, c,
        " (one-hot encode class labels)" if c > 1 and y.shape == (n,) else ""))


def forward(model, X):
    """The module's own forward pass on X (float64 numpy (n, d)), in float64, as (n, c)."""
    m = copy.deepcopy(model).to(device="cpu", dtype=torch.float64).eval()
    with torch.no_grad():
        out = m(torch.from_numpy(np.ascontiguousarray(X)))
    return out.reshape(X.shape[0], -1).numpy()
