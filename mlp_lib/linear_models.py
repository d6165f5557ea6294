"""Linear and logistic regression: costs, gradients and gradient descent.

The single-layer models of chapters 01 and 02, written out as plain
functions (no network object), so that chapters and the loss-surface
widget share one implementation. Samples are ROWS: X has shape (m, n).

    linear:    y = X w + b                     J = (1/m) sum_i (y_i - t_i)**2
    logistic:  y = sigmoid(X w + b)            J = -(1/m) sum_i [t_i log y_i + (1 - t_i) log(1 - y_i)]
    softmax:   Y = softmax(X W + b)            J = -(1/m) sum_i sum_k T_ik log Y_ik

and their gradients, which all have the same form (the error times the input):

    dJ/dw = (c/m) X^T (y - t)      dJ/db = (c/m) sum_i (y_i - t_i)

with c = 2 for the squared error and c = 1 for the cross-entropies.

``descend`` runs gradient descent (optionally with momentum) on any
function of a parameter vector, using the course's optimisers from
``mlp_lib.optimizers``, and notices when a run diverges.
"""

import numpy as np

from mlp_lib._checks import (
    as_float_array,
    as_real_array,
    check_callable,
    check_distributions,
    check_positive_float,
    check_positive_int,
    check_real,
    check_unit_interval,
    finite_result,
    scalar_result,
)
from mlp_lib.activations import _sigmoid, _softmax
from mlp_lib.layers import affine
from mlp_lib.losses import _bce_from_logits, _ce_from_logits
from mlp_lib.optimizers import make_optimizer

MAX_STEPS = 1_000_000
"""Most gradient-descent steps ``descend`` takes in one run."""


def _check_Xw(X, w, b):
    X = as_float_array(X, "X", ndim=2)
    w = as_float_array(w, "w", ndim=1)
    if w.shape[0] != X.shape[1]:
        raise ValueError(f"w must have shape ({X.shape[1]},) for X of shape {X.shape}, got {w.shape}")
    b = float(as_float_array(b, "b", ndim=0)) if isinstance(b, np.ndarray) else check_real(b, "b")
    return X, w, b


def _check_t(t, m, name="t", probabilities=False):
    t = as_float_array(t, name)
    if t.shape != (m,):
        raise ValueError(f"{name} must have shape ({m},), one target per row of X, got {t.shape}")
    if probabilities:
        check_unit_interval(t, name, "logistic regression targets are probabilities of class 1")
    return t


# ---- linear regression --------------------------------------------------------
def linear_predict(X, w, b):
    """y = X w + b. X: (m, n), w: (n,), b: number -> y: (m,)."""
    X, w, b = _check_Xw(X, w, b)
    return finite_result(affine, X, w, b, what="y = X w + b")


def linear_cost(X, w, b, t):
    """Mean squared error J = (1/m) sum (y - t)**2 of y = X w + b; -> float."""
    y = linear_predict(X, w, b)
    t = _check_t(t, y.shape[0])
    return finite_result(lambda: float(np.mean((y - t) ** 2)), what="the cost J")


def linear_gradient(X, w, b, t):
    """Gradient of ``linear_cost``: (dw (n,), db float).

    dw = (2/m) X^T (y - t),  db = (2/m) sum (y - t).
    """
    X, w, b = _check_Xw(X, w, b)
    t = _check_t(t, X.shape[0])

    def gradient():
        error = affine(X, w, b) - t
        m = X.shape[0]
        return 2.0 * (X.T @ error) / m, float(2.0 * error.sum() / m)
    return finite_result(gradient, what="the gradient")


# ---- logistic regression ------------------------------------------------------
def logistic_predict(X, w, b):
    """y = sigmoid(X w + b), the probability of class 1. X: (m, n) -> y: (m,)."""
    X, w, b = _check_Xw(X, w, b)
    return finite_result(lambda: _sigmoid(_saturate(affine(X, w, b))), what="y")


def logistic_cost(X, w, b, t):
    """Mean binary cross-entropy of y = sigmoid(X w + b) against t in {0, 1}; -> float.

    Computed from the pre-activation a = X w + b, so it is exact and finite
    for any finite a (no log of 0).
    """
    X, w, b = _check_Xw(X, w, b)
    t = _check_t(t, X.shape[0], probabilities=True)
    return finite_result(lambda: _bce_from_logits(_saturate(affine(X, w, b)), t), what="the cost J")


def logistic_gradient(X, w, b, t):
    """Gradient of ``logistic_cost``: (dw (n,), db float).

    dw = (1/m) X^T (y - t),  db = (1/m) sum (y - t): the form of linear
    regression's, because sigmoid'(a) cancels against the cross-entropy.
    """
    X, w, b = _check_Xw(X, w, b)
    t = _check_t(t, X.shape[0], probabilities=True)

    def gradient():
        error = _sigmoid(_saturate(affine(X, w, b))) - t
        m = X.shape[0]
        return (X.T @ error) / m, float(error.sum() / m)
    return finite_result(gradient, what="the gradient")


# ---- softmax regression -------------------------------------------------------
def _check_XWT(X, W, b, T):
    X = as_float_array(X, "X", ndim=2)
    W = as_float_array(W, "W", ndim=2)
    b = as_float_array(b, "b", ndim=1)
    if W.shape[0] != X.shape[1]:
        raise ValueError(f"W must have shape ({X.shape[1]}, k) for X of shape {X.shape}, got {W.shape}")
    if b.shape != (W.shape[1],):
        raise ValueError(f"b must have shape ({W.shape[1]},) for W of shape {W.shape}, got {b.shape}")
    T = as_float_array(T, "T")
    if T.shape != (X.shape[0], W.shape[1]):
        raise ValueError(
            f"T must have shape ({X.shape[0]}, {W.shape[1]}) (one-hot rows), got {T.shape};"
            " for class labels use mlp_lib.data.one_hot(labels, k)"
        )
    check_distributions(T, "T")
    return X, W, b, T


def _saturate(A):
    """A with +-inf (a pre-activation beyond the float range) replaced by +-the largest float."""
    limit = np.finfo(A.dtype).max
    return np.clip(A, -limit, limit, out=A)


def softmax_predict(X, W, b):
    """Y = softmax(X W + b): class probabilities, rows sum to 1. X: (m, n), W: (n, k), b: (k,) -> (m, k)."""
    X = as_float_array(X, "X", ndim=2)
    W = as_float_array(W, "W", ndim=2)
    b = as_float_array(b, "b", ndim=1)
    if W.shape[0] != X.shape[1] or b.shape != (W.shape[1],):
        raise ValueError(f"W must be ({X.shape[1]}, k) and b (k,) for X of shape {X.shape},"
                         f" got W {W.shape} and b {b.shape}")
    return finite_result(lambda: _softmax(_saturate(affine(X, W, b))), what="Y")


def softmax_cost(X, W, b, T):
    """Mean cross-entropy -(1/m) sum T log softmax(X W + b); T: (m, k) one-hot; -> float."""
    X, W, b, T = _check_XWT(X, W, b, T)
    return finite_result(lambda: _ce_from_logits(_saturate(affine(X, W, b)), T), what="the cost J")


def softmax_gradient(X, W, b, T):
    """Gradient of ``softmax_cost``: (dW (n, k), db (k,)); dW = (1/m) X^T (Y - T)."""
    X, W, b, T = _check_XWT(X, W, b, T)

    def gradient():
        delta = (_softmax(_saturate(affine(X, W, b))) - T) / X.shape[0]
        return X.T @ delta, delta.sum(axis=0)
    return finite_result(gradient, what="the gradient")


# ---- gradient descent ---------------------------------------------------------
class DescentRun:
    """The result of ``descend``: where gradient descent went, step by step.

    params: (k + 1, p)  the parameters before step 1, after step 1, ..., after step k
    costs:  (k + 1,)    J at each of them
    grads:  (k + 1, p)  the gradient of J at each of them
    diverged: True when the run blew up (J or the parameters non-finite, or
        the parameters beyond ``limit``); it then stopped early, so k can be
        smaller than the steps asked for.
    diverged_at: the index of the first row that blew up (None if it did not).
    """

    def __init__(self, params, costs, grads, diverged, diverged_at, lr, momentum):
        self.params = params
        self.costs = costs
        self.grads = grads
        self.diverged = diverged
        self.diverged_at = diverged_at
        self.lr = lr
        self.momentum = momentum

    @property
    def n_steps(self):
        """How many steps were taken (rows of params minus one)."""
        return self.params.shape[0] - 1

    def __repr__(self):
        state = f"diverged at step {self.diverged_at}" if self.diverged else f"J = {self.costs[-1]:.4g}"
        return f"DescentRun(lr={self.lr:g}, momentum={self.momentum:g}, {self.n_steps} steps, {state})"


def descend(cost, gradient, start, lr, steps, momentum=0.0, limit=1e6):
    """Gradient descent p <- p - lr * dJ/dp from ``start`` (with momentum if > 0).

    cost: function p -> J (a number); gradient: function p -> dJ/dp (shape of p);
    start: (p,) the first parameters; lr > 0; steps >= 0;
    momentum: beta in [0, 1): v <- beta v - lr g, p <- p + v (0: plain descent);
    limit: a run whose parameters leave |p_i| <= limit, or whose J is not
    finite, counts as diverged and stops there.

    Each step is ``mlp_lib.optimizers`` SGD/Momentum ``step``, the same
    update ``MLP.fit`` makes. Returns a :class:`DescentRun`.
    """
    check_callable(cost, "cost")
    check_callable(gradient, "gradient")
    start = as_float_array(start, "start", ndim=1)
    lr = check_positive_float(lr, "lr")
    steps = check_positive_int(steps, "steps", allow_zero=True, most=MAX_STEPS)
    limit = check_positive_float(limit, "limit")
    optimizer = make_optimizer(lr, momentum)
    p = start.copy()
    state = optimizer.init_state(p)
    params, costs, grads = [p], [], []
    diverged_at = None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for k in range(steps + 1):
            if np.all(np.isfinite(p)):
                J = scalar_result(cost(p), "cost", finite=False)
                g = _gradient_value(gradient(p), p.shape)
            else:  # a step overflowed: nothing left to evaluate
                J, g = np.inf, np.full(p.shape, np.nan)
            costs.append(J)
            grads.append(g)
            if not (np.isfinite(J) and np.all(np.isfinite(g)) and np.all(np.abs(p) <= limit)):
                diverged_at = k
                break
            if k == steps:
                break
            p, state = optimizer._step(p, g, state)
            params.append(p)
    return DescentRun(np.array(params), np.array(costs), np.array(grads),
                      diverged_at is not None, diverged_at, lr, float(momentum))


def _gradient_value(g, shape):
    """What ``gradient`` returned, as a float array of ``shape`` (NaN and inf allowed: divergence)."""
    g = as_real_array(g, "the value gradient returned").astype(float)
    if g.size != int(np.prod(shape)):
        raise ValueError(
            f"gradient must return an array of shape {shape} (like the parameters), got {g.shape}"
        )
    return g.reshape(shape)
