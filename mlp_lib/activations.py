"""Activation functions y = f(a), their derivatives, and one table of them.

Notation (COURSE_SPEC): a is a unit's pre-activation, y = f(a) its output.
Every function works elementwise on arrays of any shape, except softmax,
which works on rows: A has shape (m, k), one sample per row.

Each activation offers its derivative two ways:

- ``derivative(a)``: f'(a), from the pre-activation;
- ``derivative_from_output(y)``: the same number written from the OUTPUT
  y = f(a), where that is possible: sigmoid' = y (1 - y), tanh' = 1 - y**2,
  relu' = [y > 0], identity' = 1. This is the ``derivative=True`` idiom many
  tutorials use: the backward pass needs only what the forward pass kept.

Softmax couples the units of a row, so it has no elementwise derivative; it
offers ``backward(Y, dY)``, the product of its Jacobian with dY, row by row.
"""

import numpy as np


def _float_dtype(x):
    """float32 stays float32; everything else computes in float64."""
    return x.dtype if x.dtype in (np.float32, np.float64) else np.float64


def sigmoid(a):
    """Logistic sigmoid 1 / (1 + exp(-a)), stable for any finite a.

    a: array of any shape -> same shape. Never overflows: for a < 0 it is
    computed as exp(a) / (1 + exp(a)), so exp only ever sees values <= 0.
    """
    a = np.asarray(a)
    a = a.astype(_float_dtype(a), copy=False)
    e = np.exp(-np.abs(a))  # in (0, 1]: no overflow
    y = 1.0 / (1.0 + e)  # sigma(|a|)
    return np.where(a >= 0, y, e * y)  # for a < 0: e / (1 + e) = e * sigma(|a|)


def sigmoid_derivative(a):
    """sigma'(a) = sigma(a) (1 - sigma(a)); a: any shape -> same shape."""
    y = sigmoid(a)
    return y * (1.0 - y)


def sigmoid_derivative_from_output(y):
    """sigma'(a) written from the output y = sigma(a): y (1 - y)."""
    return y * (1.0 - y)


def tanh(a):
    """Hyperbolic tangent; a: any shape -> same shape."""
    return np.tanh(a)


def tanh_derivative(a):
    """tanh'(a) = 1 - tanh(a)**2."""
    y = np.tanh(a)
    return 1.0 - y * y


def tanh_derivative_from_output(y):
    """tanh'(a) written from the output y = tanh(a): 1 - y**2."""
    return 1.0 - y * y


def relu(a):
    """Rectified linear unit max(0, a); a: any shape -> same shape."""
    return np.maximum(a, 0.0)


def relu_derivative(a):
    """relu'(a) = 1 where a > 0, else 0 (0 is used at a = 0)."""
    a = np.asarray(a)
    return (a > 0).astype(_float_dtype(a))


def relu_derivative_from_output(y):
    """relu'(a) written from the output y = relu(a): 1 where y > 0."""
    y = np.asarray(y)
    return (y > 0).astype(_float_dtype(y))


def identity(a):
    """f(a) = a; the output of a linear-regression unit."""
    a = np.asarray(a)
    return a.astype(_float_dtype(a), copy=False)


def identity_derivative(a):
    """f'(a) = 1."""
    a = np.asarray(a)
    return np.ones(a.shape, dtype=_float_dtype(a))


identity_derivative_from_output = identity_derivative


def softmax(A):
    """Row-wise softmax: Y_ik = exp(A_ik) / sum_j exp(A_ij).

    A: (m, k) -> Y: (m, k), every row sums to 1. Stable: the row maximum is
    subtracted before exp, so exp never sees a positive number.
    """
    A = np.asarray(A)
    A = A.astype(_float_dtype(A), copy=False)
    if A.ndim != 2:
        raise ValueError(f"softmax expects A of shape (m, k), got shape {A.shape}")
    E = np.exp(A - A.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def softmax_backward(Y, dY):
    """Jacobian-vector product of softmax, row by row.

    Y: (m, k) softmax outputs; dY: (m, k) = dJ/dY.
    Returns dJ/dA: (m, k), dA_ik = Y_ik (dY_ik - sum_j Y_ij dY_ij).
    """
    return Y * (dY - np.sum(Y * dY, axis=1, keepdims=True))


class Activation:
    """One activation: its name, f, f' from a, and f' from y = f(a).

    ``derivative_from_output`` is None where f' cannot be written from y alone
    (softmax: use ``softmax_backward``).
    """

    def __init__(self, name, function, derivative, derivative_from_output):
        self.name = name
        self.function = function
        self.derivative = derivative
        self.derivative_from_output = derivative_from_output

    def __call__(self, a):
        return self.function(a)

    def __repr__(self):
        return f"Activation({self.name!r})"


ACTIVATIONS = {
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_derivative, sigmoid_derivative_from_output),
    "tanh": Activation("tanh", tanh, tanh_derivative, tanh_derivative_from_output),
    "relu": Activation("relu", relu, relu_derivative, relu_derivative_from_output),
    "identity": Activation("identity", identity, identity_derivative, identity_derivative_from_output),
    "softmax": Activation("softmax", softmax, None, None),
}
"""Every activation by name; ``softmax`` is valid only for an output layer."""

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "identity")


def get_activation(name):
    """Return the :class:`Activation` called ``name``, or raise a ValueError listing the valid names."""
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {name!r}; valid names are: {', '.join(sorted(ACTIVATIONS))}"
        )
    return ACTIVATIONS[name]
