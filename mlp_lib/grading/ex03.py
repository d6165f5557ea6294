"""Checks for exercises/ex03_backprop_one_hidden: sigmoid_derivative, forward, backward."""

import numpy as np

from mlp_lib.grading._framework import Mismatch, backprop_judge, graded, need_array, need_tuple
from mlp_lib.grading._nets import BUGS, backprop_from, sig

SIGMOID_DERIVATIVE = graded(
    "sigmoid_derivative", "y",
    lambda rng: [(rng.uniform(0.02, 0.98, size=6),), (rng.uniform(0.02, 0.98, size=(3, 4)),)],
    [("σ'(a)", np.shape)], lambda y: y * (1 - y), {
        "σ is applied to an output that is already σ(a): the argument is y = σ(a), so σ'(a) = y (1 - y),"
        " not σ(y)(1 - σ(y))": lambda y: sig(y) * (1 - sig(y)),
        "it is 1 - σ(y): the argument is already y = σ(a), and σ'(a) = y (1 - y)": lambda y: 1 - sig(y),
        "it is y (1 - σ(y)): the argument is already y = σ(a), and σ'(a) = y (1 - y)":
            lambda y: y * (1 - sig(y)),
        "1 - y^2 is the derivative of tanh; for the sigmoid it is y (1 - y)": lambda y: 1 - y ** 2,
        "it is σ(1 - σ(y)): σ is applied to an output that is already σ(a), and the product is missing;"
        " σ'(a) = y (1 - y)": lambda y: sig(1 - sig(y)),
        "it is y − (1 − y): a minus where the product belongs; σ'(a) = y (1 − y)": lambda y: y - (1 - y),
        "it equals y (1 + y); the sigmoid's derivative is y (1 - y)": lambda y: y * (1 + y),
        "it equals 1 - y; the sigmoid's derivative is y (1 - y)": lambda y: 1 - y,
        "it returns y itself; the derivative is y (1 - y)": lambda y: y,
    }, seed=301, m=lambda y: 1e9, shape="the same shape as y")


# ---- forward(X, W1, b1, W2, b2) -> (H, Y)

SIZES = [(7, 3, 5, 2), (6, 4, 4, 4), (8, 2, 3, 1)]


def _nets(rng):
    out = []
    for m, n, h, k in SIZES:
        out.append((rng.normal(size=(m, n)), rng.normal(size=(n, h)), rng.normal(size=h) * 0.5,
                    rng.normal(size=(h, k)), rng.normal(size=k) * 0.5))
    return out


def _fw(X, W1, b1, W2, b2, f1=sig, f2=sig, bias1=True, bias2=True, pre=False):
    A1 = X @ W1 + (b1 if bias1 else 0)
    A2 = f1(A1) @ W2 + (b2 if bias2 else 0)
    return (A1, A2) if pre else (f1(A1), f2(A2))


FORWARD = graded(
    "forward", "X, W1, b1, W2, b2", _nets,
    [("H", lambda X, W1, *r: (len(X), W1.shape[1])), ("Y", lambda X, W1, b1, W2, b2: (len(X), W2.shape[1]))],
    _fw, {
        "the hidden layer has no sigmoid: H = σ(X @ W1 + b1)": lambda *a: _fw(*a, f1=lambda z: z),
        "the output has no sigmoid: Y = σ(H @ W2 + b2)": lambda *a: _fw(*a, f2=lambda z: z),
        "it returns the pre-activations A = X W + b instead of the outputs σ(A)":
            lambda *a: _fw(*a, pre=True),
        "the hidden layer leaves out the bias b1": lambda *a: _fw(*a, bias1=False),
        "the bias b1 is added after the sigmoid: it belongs inside, H = σ(X @ W1 + b1)":
            lambda X, W1, b1, W2, b2: (lambda H: (H, sig(H @ W2 + b2)))(sig(X @ W1) + b1),
        "the bias b2 is added after the sigmoid: it belongs inside, Y = σ(H @ W2 + b2)":
            lambda X, W1, b1, W2, b2: (lambda H: (H, sig(H @ W2) + b2))(sig(X @ W1 + b1)),
        "H is the hidden pre-activation X @ W1 + b1: return the hidden layer's output σ(X @ W1 + b1)":
            lambda *a: (_fw(*a, pre=True)[0], _fw(*a)[1]),
        "Y is the output pre-activation H @ W2 + b2: return the output σ(H @ W2 + b2)":
            lambda *a: (_fw(*a)[0], _fw(*a, pre=True)[1]),
        "the output goes through σ twice: Y = σ(H @ W2 + b2) applies it once, and its result is already a"
        " probability": lambda *a: _fw(*a, f2=lambda z: sig(sig(z))),
        "the hidden layer goes through σ twice: H = σ(X @ W1 + b1) applies it once":
            lambda *a: _fw(*a, f1=lambda z: sig(sig(z))),
        "σ is applied to the input X too: the input layer passes X as it is, H = σ(X @ W1 + b1)":
            lambda X, *a: _fw(sig(X), *a),
        "the output layer leaves out the bias b2": lambda *a: _fw(*a, bias2=False),
        "the hidden layer uses tanh; this network is sigmoid throughout": lambda *a: _fw(*a, f1=np.tanh),
        "the hidden layer uses relu; this network is sigmoid throughout":
            lambda *a: _fw(*a, f1=lambda z: np.maximum(z, 0)),
    }, seed=302, case=lambda c: f" on X {c.args[0].shape}, W1 {c.args[1].shape}, W2 {c.args[3].shape}",
    shape="(H, Y) of shapes (m, h) and (m, k)", values="values on random cases (incl. equal widths)",
    helpers=["sigmoid"],
    line_hints=[(r"\bX\b\s*(@|\.dot\()\s*W2|dot\(\s*X\s*,\s*W2",
                 "the output layer's input is H, the hidden layer's output, not X:"
                 " the wrong layer's activations (Y = σ(H @ W2 + b2)).")])


# ---- backward(X, H, Y, T, W2) -> (dW1, db1, dW2, db2)

def _bw_cases(rng):
    out = []
    for X, W1, b1, W2, b2 in _nets(rng):
        H = sig(X @ W1 + b1)
        Y = sig(H @ W2 + b2)
        out.append((X, H, Y, rng.integers(0, 2, size=Y.shape).astype(float), W2))
    return out


def _bw_parse(value, call):
    X, H, Y, T, W2 = call.args
    W1_shape, k = (X.shape[1], H.shape[1]), W2.shape[1]
    dW1, db1, dW2, db2 = need_tuple(value, ["dW1", "db1", "dW2", "db2"])
    if np.shape(dW1) == (X.shape[1], k) and k != H.shape[1]:
        raise Mismatch(f"dW1 has shape {np.shape(dW1)}, expected {W1_shape}: it is built from delta2,"
                       " the output layer's delta; the hidden layer needs its own"
                       " delta1 = (delta2 @ W2.T) * H (1 - H).")
    if np.shape(db1) == (k,) and k != H.shape[1]:
        raise Mismatch(f"db1 has shape {np.shape(db1)}, the shape of b2, expected ({H.shape[1]},):"
                       " it is summed from delta2, the output layer's delta, instead of delta1"
                       " (the hidden layer's).")
    dW1, db1 = need_array(dW1, W1_shape, "dW1"), need_array(db1, (H.shape[1],), "db1")
    if np.shape(dW2) == (X.shape[1], k) and X.shape[1] != H.shape[1]:
        raise Mismatch(f"dW2 has shape {np.shape(dW2)}, expected {W2.shape}. That is X.T @ delta2: dW2 uses"
                       " the wrong layer's activations; the input of the output layer is H, so"
                       " dW2 = H.T @ delta2.")
    return [dW1, db1, need_array(dW2, W2.shape, "dW2"), need_array(db2, (k,), "db2")]


def _backward(X, H, Y, T, W2, bug=None):
    """backward's gradients as a list, with an optional classic mistake ``bug``."""
    if bug == "X_for_dW2" or bug == "Y_for_deriv":
        d2 = (Y - T) / len(X)
        d1 = (d2 @ W2.T) * (Y * (1 - Y) if bug == "Y_for_deriv" else H * (1 - H))
        return [X.T @ d1, d1.sum(0), (X if bug == "X_for_dW2" else H).T @ d2, d2.sum(0)]
    g = backprop_from([X, H, Y], T, [None, W2], bug)
    return None if g is None else [g[0][0], g[0][1], g[1][0], g[1][1]]


BACKWARD = graded(
    "backward", "X, H, Y, T, W2", _bw_cases, _bw_parse,
    lambda *a: tuple(_backward(*a)), seed=303, judge=backprop_judge(
        _bw_parse, lambda call, bug=None: _backward(*call.args, bug=bug), dict(BUGS, **{
            "X_for_dW2": "dW2 uses X instead of H: the wrong layer's activations (the input of the output"
                         " layer is H)",
            "Y_for_deriv": "the derivative in the hidden delta is taken from Y; it must be H (1 - H), the"
                           " hidden layer's own output"}),
        layer_names={1: "layer 1 (the hidden layer)", 2: "layer 2 (the output layer)"},
        m=lambda X, *r: len(X)),
    shape="(dW1, db1, dW2, db2) with the shapes of W1, b1, W2, b2",
    values="gradients of the mean cross-entropy on random nets (incl. equal widths)",
    helpers=["sigmoid_derivative"],
    line_hints=[(r"\bX\.T\s*(@|\.dot\()\s*(delta2|d2|delta_2|output_delta)\b",
                 "dW2 uses X: the wrong layer's activations; the input of the output layer is H,"
                 " so dW2 = H.T @ delta2."),
                (r"(delta2|d2|delta_2)\s*@\s*W2\b(?!\.T)", "delta2 @ W2 needs W2.T: a missing transpose"
                 " (delta1 = (delta2 @ W2.T) * H (1 - H)).")])

FUNCTIONS = [SIGMOID_DERIVATIVE, FORWARD, BACKWARD]
