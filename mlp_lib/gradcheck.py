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

from mlp_lib._checks import (
    as_float_array,
    check_callable,
    check_real,
    finite_result,
    scalar_result,
)

EPS_FACTOR = 1000 * np.finfo(np.float64).eps
"""eps must be at least EPS_FACTOR * max(1, |x_i|) (about 2.2e-13 near 0).

Below that, x_i + eps and x_i - eps differ from x_i by a few units in the
last place of float64 (or not at all: 1e-300 vanishes next to 1), so the
difference f(x + eps) - f(x - eps) is rounding noise, not a slope."""


def check_eps(eps, x, name="eps"):
    """Return ``eps`` as a float if it can measure a difference at every x_i, else a clear error.

    Valid: a finite real number with eps >= EPS_FACTOR * max(1, |x_i|) for
    every element x_i (1000 machine epsilons relative to x), and x_i +- eps
    still finite.
    """
    eps = check_real(eps, name, low=0.0, low_open=True)
    biggest = float(np.max(np.abs(x))) if x.size else 0.0
    need = EPS_FACTOR * max(1.0, biggest)
    if eps < need:
        raise ValueError(
            f"{name}={eps:g} is too small to measure a difference in float64 at |x| up to"
            f" {biggest:g}: x + eps would round to (nearly) x. Use eps >= {need:.2g}"
            " (1000 machine epsilons times max(1, |x|)); 1e-5 suits x of order 1"
        )
    if not np.isfinite(biggest + eps):
        raise ValueError(f"{name}={eps:g} is too large: x + eps overflows float64 (|x| up to {biggest:g})")
    return eps


def numerical_gradient(f, x, eps=1e-5):
    """Central-difference gradient of a scalar function f at x.

    f: callable taking an array shaped like x and returning one finite
    number; x: array of any shape (finite real numbers); eps: the step, a
    finite number >= 1000 machine epsilons times max(1, |x_i|) (see
    ``check_eps``). Returns an array of x's shape. x itself is never
    modified (f sees a private copy, restored after every probe).
    Raises a ValueError when a slope overflows float64.
    """
    check_callable(f, "f")
    x = as_float_array(x, "x", allow_empty=True)
    eps = check_eps(eps, x)
    xp = np.array(x, dtype=np.float64, copy=True)
    grad = np.zeros_like(xp)
    for i in np.ndindex(xp.shape):
        old = xp[i]
        xp[i] = old + eps
        f_plus = scalar_result(f(xp), "f")
        xp[i] = old - eps
        f_minus = scalar_result(f(xp), "f")
        xp[i] = old
        grad[i] = finite_result(_slope, f_plus, f_minus, eps, what=f"the slope at index {i}",
                                hint="f changes too fast for eps")
    return grad


def _slope(f_plus, f_minus, eps):
    return (f_plus - f_minus) / (2.0 * eps)


def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||): one number for two arrays (or numbers) of one shape.

    0 for identical arrays (two zero arrays included), 1 when one of them is
    zero and the other is not; see the module docstring for what counts as
    correct. a, b: finite real numbers; computed scaled, so values near the
    float limits give a finite answer.
    """
    a = as_float_array(a, "a", allow_empty=True)
    b = as_float_array(b, "b", allow_empty=True)
    if a.shape != b.shape:
        raise ValueError(f"relative_error needs arrays of the same shape, got {a.shape} and {b.shape}")
    scale = max(float(np.max(np.abs(a))) if a.size else 0.0, float(np.max(np.abs(b))) if b.size else 0.0)
    if scale == 0.0:
        return 0.0
    a, b = a / scale, b / scale  # |values| <= 1: no overflow; the ratio is unchanged
    num = np.linalg.norm(a - b)
    den = np.linalg.norm(a) + np.linalg.norm(b)
    return float(num / den)


def _check_net(net):
    from mlp_lib.network import MLP

    if not isinstance(net, MLP):
        raise TypeError(f"net must be an mlp_lib.MLP, got {type(net).__name__}")
    return net


def numerical_gradients(net, X, T, eps=1e-5):
    """Central-difference gradients of net.loss(X, T) for every weight and bias.

    Returns [(dW, db), ...] per layer, like ``net.backward``. The network is
    not touched: a copy of it is perturbed. eps: see ``numerical_gradient``.
    """
    _check_net(net)
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
    _check_net(net)
    net.forward(X)
    analytic = net.backward(T)
    numeric = numerical_gradients(net, X, T, eps)
    return [
        {"layer": l, "W": relative_error(a[0], n[0]), "b": relative_error(a[1], n[1])}
        for l, (a, n) in enumerate(zip(analytic, numeric))
    ]


def max_relative_error(report):
    """The largest relative error in a ``check_gradients`` report."""
    if not isinstance(report, (list, tuple)) or not report or not all(
        isinstance(row, dict) and "W" in row and "b" in row for row in report
    ):
        raise TypeError(f"report must be the non-empty list that check_gradients returns, got {report!r:.80}")
    return max(max(row["W"], row["b"]) for row in report)
