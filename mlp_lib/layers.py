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

from mlp_lib.activations import get_activation
from mlp_lib.initializers import get_initializer


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
        self.activation = get_activation(activation)
        rng = np.random.default_rng(rng)
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
