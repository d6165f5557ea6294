"""Losses J(Y, T), their gradients dJ/dY, and one table of them.

Over a batch of m rows (Y outputs, T targets, both (m, k)):

- ``mse``:                  J = (1/m) sum_i sum_k (Y_ik - T_ik)**2
- ``binary_cross_entropy``: J = -(1/m) sum_i sum_k [T log Y + (1 - T) log(1 - Y)]
- ``cross_entropy``:        J = -(1/m) sum_i sum_k T_ik log Y_ik   (softmax outputs, T one-hot)

Every J is the MEAN over samples, so every gradient carries a factor 1/m.

Stability: the cross-entropies clip probabilities to [EPS, 1 - EPS] so that
outputs of exactly 0 or 1 give a large finite loss, never NaN or a
RuntimeWarning. A network should not pass probabilities at all: the
``*_from_logits`` versions take the output layer's pre-activation A and are
exact and stable for any finite A (|A| = 1e4 included). ``MLP`` uses those.
"""

import math

import numpy as np

from mlp_lib._checks import (
    as_float_array,
    check_targets,
    check_unit_interval,
    finite_result,
)

EPS = 1e-12
"""Probabilities are clipped to [EPS, 1 - EPS] inside log and division."""


# ---- the kernels: no checks, for callers that checked already ---------------
def _pair(Y, T):
    Y = np.asarray(Y, dtype=float)
    T = np.asarray(T, dtype=float)
    if Y.shape != T.shape:
        raise ValueError(f"Y and T must have the same shape, got Y {Y.shape} and T {T.shape}")
    if Y.ndim == 0:
        raise ValueError("Y and T must be arrays of samples, got scalars")
    return Y, T


def _m(Y):
    return Y.shape[0]


def _mse(Y, T):
    Y, T = _pair(Y, T)
    D = Y - T
    return float((D * D).sum() / _m(Y))


def _mse_gradient(Y, T):
    Y, T = _pair(Y, T)
    return 2.0 * (Y - T) / _m(Y)


def _bce(Y, T):
    Y, T = _pair(Y, T)
    Yc = np.clip(Y, EPS, 1.0 - EPS)
    return float(-(T * np.log(Yc) + (1.0 - T) * np.log1p(-Yc)).sum() / _m(Y))


def _bce_gradient(Y, T):
    Y, T = _pair(Y, T)
    Yc = np.clip(Y, EPS, 1.0 - EPS)
    return (Yc - T) / (Yc * (1.0 - Yc)) / _m(Y)


def _ce(Y, T):
    Y, T = _pair(Y, T)
    return float(-(T * np.log(np.clip(Y, EPS, 1.0))).sum() / _m(Y))


def _ce_gradient(Y, T):
    Y, T = _pair(Y, T)
    return -T / np.clip(Y, EPS, 1.0) / _m(Y)


def _bce_from_logits(A, T):
    A, T = _pair(A, T)
    per_unit = np.maximum(A, 0.0) - A * T + np.log1p(np.exp(-np.abs(A)))
    return float(per_unit.sum() / _m(A))


def _ce_from_logits(A, T):
    A, T = _pair(A, T)
    shifted = A - A.max(axis=1, keepdims=True)
    log_Y = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    J = float(-(T * log_Y).sum() / _m(A))
    if not math.isfinite(J):  # a shift beyond the float range gave 0 * log 0: those terms are 0
        J = float(-np.where(T != 0, T * log_Y, 0.0).sum() / _m(A))
    return J


# ---- the public, checked functions ---------------------------------------------
def _checked(Y, T, loss_name, y_name="Y"):
    """Y, T as finite float arrays of one shape with at least one sample, T right for the loss."""
    Y = as_float_array(Y, y_name)
    T = as_float_array(T, "T")
    if Y.ndim == 0:
        raise ValueError(f"{y_name} and T must be arrays of samples (m,) or (m, k), got scalars")
    if Y.shape != T.shape:
        raise ValueError(f"{y_name} and T must have the same shape, got {y_name} {Y.shape} and T {T.shape}")
    if loss_name == "cross_entropy" and Y.ndim != 2:
        raise ValueError(f"{y_name} and T must be (m, k), one row per sample, got shape {Y.shape}")
    check_targets(T, loss_name)
    if y_name == "Y" and loss_name != "mse":
        check_unit_interval(Y, "Y", "the outputs must be probabilities")
    return Y, T


def mse(Y, T):
    """Mean squared error J = (1/m) sum (Y - T)**2; Y, T: (m, k) or (m,) -> float.

    Raises a ValueError when J overflows float64 (|Y - T| beyond about 1e154).
    """
    return finite_result(_mse, *_checked(Y, T, "mse"), what="mse")


def mse_gradient(Y, T):
    """dJ/dY of ``mse``: 2 (Y - T) / m, same shape as Y."""
    return finite_result(_mse_gradient, *_checked(Y, T, "mse"), what="mse_gradient")


def binary_cross_entropy(Y, T):
    """J = -(1/m) sum [T log Y + (1 - T) log(1 - Y)]; Y, T in [0, 1], same shape; -> float."""
    return finite_result(_bce, *_checked(Y, T, "binary_cross_entropy"), what="binary_cross_entropy")


def binary_cross_entropy_gradient(Y, T):
    """dJ/dY of ``binary_cross_entropy``: (Y - T) / (Y (1 - Y)) / m."""
    return finite_result(_bce_gradient, *_checked(Y, T, "binary_cross_entropy"),
                         what="binary_cross_entropy_gradient")


def cross_entropy(Y, T):
    """J = -(1/m) sum T log Y for outputs Y in [0, 1] and target distributions T (rows), both (m, k)."""
    return finite_result(_ce, *_checked(Y, T, "cross_entropy"), what="cross_entropy")


def cross_entropy_gradient(Y, T):
    """dJ/dY of ``cross_entropy``: -T / Y / m."""
    return finite_result(_ce_gradient, *_checked(Y, T, "cross_entropy"), what="cross_entropy_gradient")


def binary_cross_entropy_from_logits(A, T):
    """Binary cross-entropy of Y = sigmoid(A), computed from A; exact for any finite A.

    Uses -[t log s(a) + (1 - t) log(1 - s(a))] = max(a, 0) - a t + log(1 + exp(-|a|)).
    A: any finite values; T in [0, 1], same shape.
    """
    A, T = _checked(A, T, "binary_cross_entropy", "A")
    return finite_result(_bce_from_logits, A, T, what="binary_cross_entropy_from_logits")


def cross_entropy_from_logits(A, T):
    """Cross-entropy of Y = softmax(A), computed from A with log-sum-exp; exact for any finite A.

    A: (m, k) any finite values; T: (m, k) rows that are distributions (one-hot).
    """
    A, T = _checked(A, T, "cross_entropy", "A")
    return finite_result(_ce_from_logits, A, T, what="cross_entropy_from_logits")


class Loss:
    """One loss: its name, J(Y, T), dJ/dY, and J from logits where it has one.

    ``value``, ``gradient`` and ``from_logits`` are the kernels the network
    calls on arrays it has checked already; calling the Loss object itself
    checks its arguments like the module's functions do.
    """

    def __init__(self, name, value, gradient, from_logits=None):
        self.name = name
        self.value = value
        self.gradient = gradient
        self.from_logits = from_logits

    def __call__(self, Y, T):
        """J(Y, T) with every argument checked (``value`` itself is the unchecked kernel)."""
        return CHECKED[self.name](Y, T)

    def __repr__(self):
        return f"Loss({self.name!r})"


LOSSES = {
    "mse": Loss("mse", _mse, _mse_gradient),
    "binary_cross_entropy": Loss("binary_cross_entropy", _bce, _bce_gradient, _bce_from_logits),
    "cross_entropy": Loss("cross_entropy", _ce, _ce_gradient, _ce_from_logits),
}

CHECKED = {"mse": mse, "binary_cross_entropy": binary_cross_entropy, "cross_entropy": cross_entropy}
"""The checked J(Y, T) of every loss, by name."""

COMPATIBLE_OUTPUTS = {
    "mse": ("identity", "sigmoid", "tanh", "relu", "softmax"),
    "binary_cross_entropy": ("sigmoid",),
    "cross_entropy": ("softmax",),
}
"""Which output activations each loss can be paired with."""

FUSED_PAIRS = {("sigmoid", "binary_cross_entropy"), ("softmax", "cross_entropy")}
"""(output activation, loss) pairs whose output delta dJ/dA is simply (Y - T) / m."""


def get_loss(name):
    """Return the :class:`Loss` called ``name``, or raise a ValueError listing the valid names."""
    if not isinstance(name, str) or name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; valid names are: {', '.join(sorted(LOSSES))}")
    return LOSSES[name]
