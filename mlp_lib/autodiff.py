"""A small reverse-mode automatic differentiation over NumPy arrays (chapter 06).

    x = Tensor(np.array([[1.0, 2.0]]))      # wraps a float64 copy of the array
    W = Tensor(np.ones((2, 3)))
    J = ((x @ W + 1.0).sigmoid() ** 2).mean()
    J.backward()                            # J holds one value: dJ/dJ = 1 is the seed
    W.grad                                  # dJ/dW, an array of W's shape

Every operation makes a new ``Tensor`` that records its ``inputs`` and, for
each input, a small local backward rule: a function that turns the gradient
G = dJ/d(output) into dJ/d(input), the chain rule for one edge of the graph.
``backward()`` orders the graph so that every node comes after its inputs
(without recursion, so a chain of 100 000 operations works), seeds the root
with dJ/dJ = 1 and walks that order backwards. A node used several times
receives one gradient per use and adds them up (the sum over paths).

Broadcasting is undone in backward (``unbroadcast``); Python numbers and
NumPy arrays in an expression are constants. Unlike PyTorch, which keeps
only the leaves' gradients, every node keeps its ``.grad`` after backward.
"""

import numbers

import numpy as np

from mlp_lib.activations import sigmoid as _sigmoid


def unbroadcast(G, shape):
    """Sum G over the axes that broadcasting added or stretched, so it gets ``shape``.

    G: the gradient of a broadcast result; shape: the operand's own shape.
    (m, n) -> (n,) sums over the rows; (m, n) -> (m, 1) sums each row.
    """
    if G.shape == tuple(shape):
        return G
    G = G.sum(axis=tuple(range(G.ndim - len(shape))))          # axes added in front
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and G.shape[i] != 1)
    return G.sum(axis=stretched, keepdims=True) if stretched else G


def topological_order(root):
    """Every node that ``root`` depends on, each after all of its inputs; root last.

    A depth-first search with an explicit stack (no recursion): a node is
    pushed once to be expanded, and once more to be emitted after its inputs.
    """
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        stack.extend((x, False) for x in node.inputs if x not in seen)
    return order


def _as_data(value, op):
    """The array of an operand: a Tensor's data, or a number / numeric ndarray as a constant."""
    if isinstance(value, Tensor):
        return value.data
    if isinstance(value, numbers.Real) or (isinstance(value, np.ndarray) and value.dtype.kind in "biuf"):
        return np.asarray(value, dtype=np.float64)
    raise TypeError(f"unsupported operand for {op}: {type(value).__name__}; a Tensor combines with"
                    " a Tensor, a Python number or a numeric NumPy array")


def _broadcast(a, b, op):
    if a.shape == b.shape or a.ndim == 0 or b.ndim == 0:
        return
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"shapes {a.shape} and {b.shape} cannot be broadcast together for {op}:"
                         " trailing axes must be equal or 1") from None


class Tensor:
    """An array with a gradient: ``.data`` (float64), ``.grad`` (None until backward).

    ``op`` names the operation that made it ("" for a leaf), ``inputs`` are
    the Tensors it was computed from, ``rules`` one local backward rule per
    input, ``slots`` each input's operand position (constants are not inputs).
    """

    __array_ufunc__ = None  # ndarray + Tensor hands over to Tensor.__radd__

    def __init__(self, data):
        if isinstance(data, Tensor):
            data = data.data
        try:
            if isinstance(data, (str, bytes)):
                raise TypeError
            self.data = np.array(data, dtype=np.float64)  # a copy: the caller's array is never touched
        except (TypeError, ValueError):
            raise TypeError(f"Tensor needs numbers or a numeric array, got {type(data).__name__}") from None
        self.grad = None
        self.op, self.inputs, self.rules, self.slots = "", (), (), ()

    @classmethod
    def _result(cls, data, op, edges):
        """A new node computed by ``op``; edges: (operand, rule) pairs, constants left out."""
        out = cls.__new__(cls)
        out.data, out.grad, out.op = data, None, op
        kept = [(slot, x, rule) for slot, (x, rule) in enumerate(edges) if isinstance(x, Tensor)]
        out.inputs = tuple(x for _, x, _ in kept)
        out.rules = tuple(rule for _, _, rule in kept)
        out.slots = tuple(slot for slot, _, _ in kept)   # operand position of each input: 0 left, 1 right
        return out

    shape = property(lambda self: self.data.shape)

    def __repr__(self):
        made = f", op={self.op!r}" if self.op else ""
        return f"Tensor({np.array2string(self.data, precision=4, threshold=8)}{made})"

    # ---- the sweep

    def backward(self, grad=None):
        """Add dJ/d(node) to ``.grad`` of every node this one depends on (J is this Tensor).

        grad: dJ/d(self), an array of self's shape; may be left out only when
        self holds one value (then the seed is dJ/dJ = 1).
        """
        if grad is None:
            if self.data.size != 1:
                raise ValueError(f"backward() without a gradient needs a Tensor holding one value, this"
                                 f" one has shape {self.shape}: take .sum() or .mean() first, or pass"
                                 f" grad, an array of shape {self.shape}")
            grad = np.ones_like(self.data)
        else:
            grad = np.asarray(grad, dtype=np.float64)
            if grad.shape != self.shape:
                raise ValueError(f"grad has shape {grad.shape}, expected {self.shape} (this Tensor's shape)")
        pending = {self: grad}            # gradients received by nodes not yet processed
        for node in reversed(topological_order(self)):
            G = pending.pop(node)         # complete: every node that uses this one came before
            node.grad = np.array(G) if node.grad is None else node.grad + G
            for x, rule in zip(node.inputs, node.rules):
                g = rule(G)
                pending[x] = pending[x] + g if x in pending else g   # a node used twice: add up

    # ---- operations with two operands (NumPy's broadcasting)

    def _binary(self, other, op, forward, rule_a, rule_b, reverse=False):
        a, b = self.data, _as_data(other, op)
        if reverse:
            a, b = b, a
        _broadcast(a, b, op)
        left, right = (other, self) if reverse else (self, other)
        return Tensor._result(forward(a, b), op, [
            (left, lambda G: unbroadcast(rule_a(G, a, b), a.shape)),
            (right, lambda G: unbroadcast(rule_b(G, a, b), b.shape))])

    def __add__(self, other, reverse=False):
        return self._binary(other, "+", np.add, lambda G, a, b: G, lambda G, a, b: G, reverse)

    def __sub__(self, other, reverse=False):
        return self._binary(other, "-", np.subtract, lambda G, a, b: G, lambda G, a, b: -G, reverse)

    def __mul__(self, other, reverse=False):
        return self._binary(other, "*", np.multiply, lambda G, a, b: G * b, lambda G, a, b: G * a, reverse)

    def __truediv__(self, other, reverse=False):
        return self._binary(other, "/", np.divide, lambda G, a, b: G / b,
                            lambda G, a, b: -G * a / (b * b), reverse)

    # a number or array on the left: 2 - x calls x.__rsub__(2)
    def __radd__(self, other): return self.__add__(other, reverse=True)             # noqa: E704
    def __rsub__(self, other): return self.__sub__(other, reverse=True)             # noqa: E704
    def __rmul__(self, other): return self.__mul__(other, reverse=True)             # noqa: E704
    def __rtruediv__(self, other): return self.__truediv__(other, reverse=True)     # noqa: E704
    def __rmatmul__(self, other): return self.__matmul__(other, reverse=True)       # noqa: E704

    def __matmul__(self, other, reverse=False):
        A, B = self.data, _as_data(other, "@")
        left, right = (other, self) if reverse else (self, other)
        if reverse:
            A, B = B, A
        if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
            raise ValueError(f"@ needs two 2-D arrays (m, n) @ (n, k), got {A.shape} @ {B.shape}")
        return Tensor._result(A @ B, "@", [(left, lambda G: G @ B.T),     # dJ/dA = G B^T  (m, n)
                                           (right, lambda G: A.T @ G)])   # dJ/dB = A^T G  (n, k)

    # ---- operations with one operand

    def _unary(self, op, value, rule):
        return Tensor._result(value, op, [(self, rule)])

    def __neg__(self):
        return self._unary("neg", -self.data, lambda G: -G)

    def __pow__(self, k):
        if not isinstance(k, numbers.Real):
            raise TypeError(f"a ** k needs k a number, got {type(k).__name__}")
        a = self.data
        return self._unary(f"**{k:g}", a ** k, lambda G: G * k * a ** (k - 1))

    def exp(self):
        y = np.exp(self.data)
        return self._unary("exp", y, lambda G: G * y)

    def log(self):
        a = self.data
        return self._unary("log", np.log(a), lambda G: G / a)

    def sigmoid(self):
        y = _sigmoid(self.data)
        return self._unary("sigmoid", y, lambda G: G * y * (1.0 - y))

    def tanh(self):
        y = np.tanh(self.data)
        return self._unary("tanh", y, lambda G: G * (1.0 - y * y))

    def relu(self):
        a = self.data
        return self._unary("relu", np.maximum(a, 0.0), lambda G: G * (a > 0))

    @property
    def T(self):
        return self._unary("T", self.data.T, lambda G: G.T)

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        old = self.shape
        return self._unary("reshape", self.data.reshape(shape), lambda G: G.reshape(old))

    def sum(self, axis=None, keepdims=False):
        """Sum over ``axis`` (None: all); backward copies G back along the summed axes."""
        shape = self.shape
        return self._unary("sum", self.data.sum(axis=axis, keepdims=keepdims),
                           lambda G: _spread(G, shape, axis, keepdims))

    def mean(self, axis=None, keepdims=False):
        """Mean over ``axis`` (None: all); backward spreads G / count back over the averaged axes."""
        shape = self.shape
        axes = range(len(shape)) if axis is None else np.atleast_1d(axis)
        count = int(np.prod([shape[i] for i in axes]))
        return self._unary("mean", self.data.mean(axis=axis, keepdims=keepdims),
                           lambda G: _spread(G, shape, axis, keepdims) / count)


def _spread(G, shape, axis, keepdims):
    """G of a sum over ``axis`` back to the summed array's ``shape``: every summand gets G."""
    if not keepdims and axis is not None:
        G = np.expand_dims(G, axis)
    return np.broadcast_to(G, shape)
