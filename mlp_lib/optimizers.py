"""Optimisers behind one interface: ``step(param, grad, state) -> (param, state)``.

``step`` is pure: it returns new arrays and never touches its inputs.
``update`` does the same step in place on a parameter the caller owns (the
training loop of ``MLP.fit`` uses it on the network's own weights, to avoid
allocating a new weight matrix on every batch); it may also scale ``grad``
in place, so pass it only a gradient buffer you no longer need.

The state of an optimiser for one parameter comes from ``init_state(param)``.
"""

import numpy as np

from mlp_lib._checks import check_positive_float


class SGD:
    """Plain gradient descent: p <- p - lr * g."""

    def __init__(self, lr):
        self.lr = check_positive_float(lr, "lr")

    def init_state(self, param):
        """SGD keeps no state."""
        return None

    def step(self, param, grad, state):
        """Return (param - lr * grad, state); inputs unchanged."""
        return param - self.lr * grad, state

    def update(self, param, grad, state):
        """In place: param -= lr * grad (grad is scaled in place). Returns state."""
        np.multiply(grad, self.lr, out=grad)
        param -= grad
        return state

    def __repr__(self):
        return f"SGD(lr={self.lr:g})"


class Momentum:
    """Gradient descent with momentum: v <- beta v - lr g;  p <- p + v."""

    def __init__(self, lr, beta=0.9):
        self.lr = check_positive_float(lr, "lr")
        if not (0.0 <= beta < 1.0):
            raise ValueError(f"momentum beta must be in [0, 1), got {beta}")
        self.beta = float(beta)

    def init_state(self, param):
        """The velocity, zeros like param."""
        return np.zeros_like(param)

    def step(self, param, grad, state):
        """Return (param + v, v) with v = beta * state - lr * grad; inputs unchanged."""
        velocity = self.beta * state - self.lr * grad
        return param + velocity, velocity

    def update(self, param, grad, state):
        """In place on param and on the velocity ``state`` (grad is scaled in place)."""
        state *= self.beta
        np.multiply(grad, self.lr, out=grad)
        state -= grad
        param += state
        return state

    def __repr__(self):
        return f"Momentum(lr={self.lr:g}, beta={self.beta:g})"


def make_optimizer(lr, momentum=0.0):
    """SGD when momentum is 0, else Momentum(lr, beta=momentum)."""
    if momentum:
        return Momentum(lr, momentum)
    return SGD(lr)
