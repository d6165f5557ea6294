"""Activation functions y = f(a), their derivatives, and one table of them.

Notation: a is a unit's pre-activation, y = f(a) its output.
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

from mlp_lib._checks import as_float_array, check_unit_interval, finite_result


def _float_dtype(x):
    """float32 stays float32; everything else computes in float64."""
    return x.dtype if x.dtype in (np.float32, np.float64) else np.float64


def _sigmoid(a):
    """Logistic sigmoid 1 / (1 + exp(-a)), stable for any finite a.

    a: array of any shape -> same shape. Never overflows: for a < 0 it is
    computed as exp(a) / (1 + exp(a)), so exp only ever sees values <= 0.
    """
    a = np.asarray(a)
    a = a.astype(_float_dtype(a), copy=False)
    e = np.exp(-np.abs(a))  # in (0, 1]: no overflow
    y = 1.0 / (1.0 + e)  # sigma(|a|)
    return np.where(a >= 0, y, e * y)  # for a < 0: e / (1 + e) = e * sigma(|a|)


def _sigmoid_derivative(a):
    """sigma'(a) = sigma(a) (1 - sigma(a)); a: any shape -> same shape."""
    y = _sigmoid(a)
    return y * (1.0 - y)


def _sigmoid_derivative_from_output(y):
    """sigma'(a) written from the output y = sigma(a): y (1 - y)."""
    return y * (1.0 - y)


def _tanh(a):
    """Hyperbolic tangent; a: any shape -> same shape."""
    return np.tanh(a)


def _tanh_derivative(a):
    """tanh'(a) = 1 - tanh(a)**2."""
    y = np.tanh(a)
    return 1.0 - y * y


def _tanh_derivative_from_output(y):
    """tanh'(a) written from the output y = tanh(a): 1 - y**2."""
    return 1.0 - y * y


def _relu(a):
    """Rectified linear unit max(0, a); a: any shape -> same shape."""
    return np.maximum(a, 0.0)


def _relu_derivative(a):
    """relu'(a) = 1 where a > 0, else 0 (0 is used at a = 0)."""
    a = np.asarray(a)
    return (a > 0).astype(_float_dtype(a))


def _relu_derivative_from_output(y):
    """relu'(a) written from the output y = relu(a): 1 where y > 0."""
    y = np.asarray(y)
    return (y > 0).astype(_float_dtype(y))


def _identity(a):
    """f(a) = a; the output of a linear-regression unit."""
    a = np.asarray(a)
    return a.astype(_float_dtype(a), copy=False)


def _identity_derivative(a):
    """f'(a) = 1."""
    a = np.asarray(a)
    return np.ones(a.shape, dtype=_float_dtype(a))


_identity_derivative_from_output = _identity_derivative


def _softmax(A):
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


def _softmax_backward(Y, dY):
    """Jacobian-vector product of softmax, row by row.

    Y: (m, k) softmax outputs; dY: (m, k) = dJ/dY.
    Returns dJ/dA: (m, k), dA_ik = Y_ik (dY_ik - sum_j Y_ij dY_ij).
    """
    return Y * (dY - np.sum(Y * dY, axis=1, keepdims=True))




# ---- the public, checked functions -------------------------------------------
# Each takes finite real numbers (any shape; softmax (m, k)) and keeps float32
# as float32 (everything else computes in float64). The derivatives written
# from an output y also check that y is an output the activation can give.
def _values(a, name="a"):
    return as_float_array(a, name, dtype=None, allow_empty=True)


def _outputs(y, low, high, activation):
    y = _values(y, "y")
    if y.size and ((low is not None and y.min() < low) or (high is not None and y.max() > high)):
        span = f"[{low:g}, {high:g}]" if high is not None else f">= {low:g}"
        bad = y[(y < low) | ((y > high) if high is not None else False)][0]
        raise ValueError(f"y must be an output of {activation}, in {span}, got {bad:g}")
    return y


def sigmoid(a):
    """Logistic sigmoid 1 / (1 + exp(-a)), stable for any finite a; a: any shape -> same shape."""
    return _sigmoid(_values(a))


def sigmoid_derivative(a):
    """sigma'(a) = sigma(a) (1 - sigma(a)); a: any shape -> same shape."""
    return _sigmoid_derivative(_values(a))


def sigmoid_derivative_from_output(y):
    """sigma'(a) written from the output y = sigma(a) in [0, 1]: y (1 - y)."""
    return _sigmoid_derivative_from_output(_outputs(y, 0.0, 1.0, "sigmoid"))


def tanh(a):
    """Hyperbolic tangent; a: any shape -> same shape."""
    return _tanh(_values(a))


def tanh_derivative(a):
    """tanh'(a) = 1 - tanh(a)**2."""
    return _tanh_derivative(_values(a))


def tanh_derivative_from_output(y):
    """tanh'(a) written from the output y = tanh(a) in [-1, 1]: 1 - y**2."""
    return _tanh_derivative_from_output(_outputs(y, -1.0, 1.0, "tanh"))


def relu(a):
    """Rectified linear unit max(0, a); a: any shape -> same shape."""
    return _relu(_values(a))


def relu_derivative(a):
    """relu'(a) = 1 where a > 0, else 0 (0 is used at a = 0)."""
    return _relu_derivative(_values(a))


def relu_derivative_from_output(y):
    """relu'(a) written from the output y = relu(a) >= 0: 1 where y > 0."""
    return _relu_derivative_from_output(_outputs(y, 0.0, None, "relu"))


def identity(a):
    """f(a) = a; the output of a linear-regression unit."""
    return _identity(_values(a))


def identity_derivative(a):
    """f'(a) = 1."""
    return _identity_derivative(_values(a))


def identity_derivative_from_output(y):
    """f'(a) = 1, written from the output y = a."""
    return _identity_derivative(_values(y, "y"))


def softmax(A):
    """Row-wise softmax: Y_ik = exp(A_ik) / sum_j exp(A_ij).

    A: (m, k) finite -> Y: (m, k), every row sums to 1. Stable: the row
    maximum is subtracted before exp, so exp never sees a positive number.
    """
    A = as_float_array(A, "A", ndim=2, dtype=None, allow_empty=True)
    if A.shape[1] == 0:
        raise ValueError(f"A must have at least one column (class), got shape {A.shape}")
    return finite_result(_softmax, A, what="softmax")


def softmax_backward(Y, dY):
    """Jacobian-vector product of softmax, row by row.

    Y: (m, k) softmax outputs (in [0, 1]); dY: (m, k) = dJ/dY, finite.
    Returns dJ/dA: (m, k), dA_ik = Y_ik (dY_ik - sum_j Y_ij dY_ij).
    """
    Y = as_float_array(Y, "Y", ndim=2, dtype=None, allow_empty=True)
    check_unit_interval(Y, "Y", "softmax outputs are probabilities")
    dY = as_float_array(dY, "dY", ndim=2, dtype=None, allow_empty=True)
    if dY.shape != Y.shape:
        raise ValueError(f"dY must have the shape of Y {Y.shape}, got {dY.shape}")
    return finite_result(_softmax_backward, Y, dY, what="softmax_backward")


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
        """f(a) with a checked (``function`` itself is the unchecked kernel layers call)."""
        return CHECKED[self.name](a)

    def __repr__(self):
        return f"Activation({self.name!r})"


ACTIVATIONS = {
    "sigmoid": Activation("sigmoid", _sigmoid, _sigmoid_derivative, _sigmoid_derivative_from_output),
    "tanh": Activation("tanh", _tanh, _tanh_derivative, _tanh_derivative_from_output),
    "relu": Activation("relu", _relu, _relu_derivative, _relu_derivative_from_output),
    "identity": Activation("identity", _identity, _identity_derivative, _identity_derivative_from_output),
    "softmax": Activation("softmax", _softmax, None, None),
}
"""Every activation by name; ``softmax`` is valid only for an output layer."""

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "identity")

CHECKED = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu, "identity": identity, "softmax": softmax}
"""The checked f(a) of every activation, by name."""


def get_activation(name):
    """Return the :class:`Activation` called ``name``, or raise a ValueError listing the valid names."""
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {name!r}; valid names are: {', '.join(sorted(ACTIVATIONS))}"
        )
    return ACTIVATIONS[name]
