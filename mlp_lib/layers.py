"""Dense: a fully connected layer whose forward and backward are a pair.

Notation: samples are ROWS.  X: (m, n_in) the layer's input (the outputs of
the layer below), W: (n_in, n_out) with W[i, j] = w_ij, the weight from unit i
below to unit j of this layer, b: (n_out,).

forward:   A = X W + b            pre-activations a_j,  (m, n_out)
           Y = f(A)               outputs y_j,          (m, n_out)
backward:  given delta = dJ/dA    (m, n_out)
           dW    = X^T delta      (n_in, n_out)   i.e. dJ/dw_ij = sum_rows y_i delta_j
           db    = sum_rows delta (n_out,)
           dX    = delta W^T      (m, n_in)   = dJ/dY of the layer below
"""

import numpy as np

from mlp_lib._checks import check_positive_int, check_seed
from mlp_lib.activations import get_activation
from mlp_lib.initializers import get_initializer

BOUNDED = ("sigmoid", "tanh", "softmax")
"""Activations whose output stays finite however large the pre-activation."""


def affine(X, W, b):
    """A = X W + b for X: (m, n), W: (n, k) (or (n,)), b: (k,) or a number, without spurious NaN.

    For inputs near the float limit (|x| ~ 1e308) the plain product overflows
    term by term and +inf + -inf gives NaN. Here each row of X is first
    scaled by a power of two (exact), multiplied, and scaled back: a
    pre-activation too large to represent comes out as +-inf, never NaN.
    Call it under np.errstate(over="ignore").
    """
    A = np.dot(X, W)
    A += b
    if np.isfinite(A).all():
        return A
    rowmax = np.max(np.abs(X), axis=1) if X.size else np.zeros(len(X))
    _, e = np.frexp(np.where(rowmax > 0, rowmax, 1.0))
    back = e[:, None] if np.ndim(W) == 2 else e
    A = np.ldexp(np.dot(np.ldexp(X, -e[:, None]), W), back)
    A += b
    return A


def forward_pass(layers, X):
    """Y = the last layer's output for X, every layer's cache set; finite or a ValueError.

    The checked forward pass behind ``MLP.forward`` and ``MLP.loss``. With
    sigmoid, tanh or softmax layers any finite X gives finite outputs (a
    pre-activation beyond the float range saturates the unit, and is kept
    as +-the largest float); identity and relu layers whose outputs overflow
    raise a ValueError that says so.
    """
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        Y = X
        for layer in layers:
            Y = layer.forward(Y)
        if all(np.isfinite(layer.A).all() for layer in layers):
            return Y
        Y = X
        for l, layer in enumerate(layers):
            A = affine(Y, layer.W, layer.b)
            if layer.activation.name in BOUNDED:
                limit = np.finfo(A.dtype).max
                np.clip(A, -limit, limit, out=A)
            layer.X, layer.A = Y, A
            Y = layer.Y = layer.activation.function(A)
            if not (np.isfinite(A).all() and np.isfinite(Y).all()):
                raise ValueError(
                    f"the network's outputs overflow (layer {l} gives values beyond the float range):"
                    " X or the weights are too large; scale the inputs down"
                )
    return Y


class Dense:
    """One fully connected layer, y = f(x W + b).

    What ``forward`` keeps for ``backward`` (overwritten by each forward):
        X: (m, n_in)   the input
        A: (m, n_out)  the pre-activations
        Y: (m, n_out)  the outputs
    What ``backward`` keeps (for plots and the delta-flow animator):
        delta: (m, n_out)  dJ/dA of the last backward pass
    """

    def __init__(self, n_in, n_out, activation="sigmoid", init="xavier", rng=None, dtype=np.float64):
        check_positive_int(n_in, "n_in")
        check_positive_int(n_out, "n_out")
        self.activation = get_activation(activation)
        rng = np.random.default_rng(check_seed(rng, "rng"))
        self.W = get_initializer(init)(n_in, n_out, rng, dtype)
        self.b = np.zeros(n_out, dtype=dtype)
        self.X = self.A = self.Y = self.delta = None

    @property
    def n_in(self):
        return self.W.shape[0]

    @property
    def n_out(self):
        return self.W.shape[1]

    def pre_activation(self, X, W=None, b=None):
        """A = X W + b: (m, n_out) for X: (m, n_in); nothing is cached.

        W, b default to the layer's own. Other weights of the same shape may
        be given, also stacked along a leading axis: W (c, n_in, n_out) with
        b (c, 1, n_out) gives A (c, m, n_out), one network per slice.
        """
        W = self.W if W is None else W
        b = self.b if b is None else b
        # np.dot is the same product as X @ W, with less overhead on the small
        # shapes of the first chapters (an inner size of 1 makes @ 2-4x slower).
        A = np.dot(X, W) if W.ndim == 2 else np.matmul(X, W)
        A += b
        return A

    def forward(self, X):
        """X: (m, n_in) -> Y = f(X W + b): (m, n_out); keeps X, A and Y for backward."""
        self.X = X
        self.A = self.pre_activation(X)
        self.Y = self.activation.function(self.A)
        return self.Y

    def backward(self, delta):
        """delta = dJ/dA: (m, n_out) of the last forward -> (dX, dW, db).

        dX = delta W^T: (m, n_in), dJ/dY of the layer below;
        dW = X^T delta: (n_in, n_out); db = delta summed over the rows: (n_out,).
        Keeps delta in ``self.delta``.
        """
        if self.X is None:
            raise RuntimeError("backward called before forward: run forward(X) first")
        self.delta = delta
        dX = np.dot(delta, self.W.T)
        dW = np.dot(self.X.T, delta)
        db = delta.sum(axis=0)
        return dX, dW, db

    def __repr__(self):
        return f"Dense({self.n_in} -> {self.n_out}, {self.activation.name})"
