"""Numerical gradients by central differences, and how to compare them.

    dJ/dx_i ~ (J(x + eps e_i) - J(x - eps e_i)) / (2 eps)

The error of this estimate shrinks like eps**2 (a forward difference only
like eps), so with eps = 1e-5 in float64 it agrees with a correct analytic
gradient to about 1e-9 relative error.

Tolerances for ``relative_error`` in float64:
    < 1e-7         correct
    1e-7 .. 1e-4   look again (kinks of relu, or a loss with clipping)
    > 1e-4         wrong

Nothing here mutates its input: functions of arrays are evaluated on a
private copy, and networks are perturbed through a copy of the network.
"""

import numpy as np

from mlp_lib._checks import as_float_array


def numerical_gradient(f, x, eps=1e-5):
    """Central-difference gradient of a scalar function f at x.

    f: callable taking an array shaped like x and returning a number;
    x: array of any shape. Returns an array of x's shape. x itself is never
    modified (f sees a private copy, restored after every probe).
    """
    x = as_float_array(x, "x", allow_empty=True)
    xp = np.array(x, dtype=np.float64, copy=True)
    grad = np.zeros_like(xp)
    for i in np.ndindex(xp.shape):
        old = xp[i]
        xp[i] = old + eps
        f_plus = float(f(xp))
        xp[i] = old - eps
        f_minus = float(f(xp))
        xp[i] = old
        grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def relative_error(a, b):
    """||a - b|| / max(||a|| + ||b||, 1e-300): one number for two arrays (or numbers).

    0 for identical arrays, 1 when one of them is zero and the other is not;
    see the module docstring for what counts as correct.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error needs arrays of the same shape, got {a.shape} and {b.shape}")
    num = np.linalg.norm(a - b)
    den = np.linalg.norm(a) + np.linalg.norm(b)
    return float(num / max(den, 1e-300))


def numerical_gradients(net, X, T, eps=1e-5):
    """Central-difference gradients of net.loss(X, T) for every weight and bias.

    Returns [(dW, db), ...] per layer, like ``net.backward``. The network is
    not touched: a copy of it is perturbed.
    """
    probe = net.copy()
    grads = []
    for layer in probe.layers:
        pair = []
        for param in (layer.W, layer.b):
            def J(value, param=param):
                param[...] = value
                return probe.loss(X, T)
            original = param.copy()
            pair.append(numerical_gradient(J, original, eps))
            param[...] = original
        grads.append(tuple(pair))
    return grads


def check_gradients(net, X, T, eps=1e-5):
    """Compare net.backward with central differences on (X, T).

    Returns a list, one dict per layer (bottom layer first), with keys
    "layer", "W" and "b": the relative errors of dW and db. The network's
    weights are unchanged afterwards.
    """
    net.forward(X)
    analytic = net.backward(T)
    numeric = numerical_gradients(net, X, T, eps)
    return [
        {"layer": l, "W": relative_error(a[0], n[0]), "b": relative_error(a[1], n[1])}
        for l, (a, n) in enumerate(zip(analytic, numeric))
    ]


def max_relative_error(report):
    """The largest relative error in a ``check_gradients`` report."""
    return max(max(row["W"], row["b"]) for row in report)
