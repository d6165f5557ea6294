"""Optimisers behind one interface: ``step(param, grad, state) -> (param, state)``.

``step`` is pure: it returns new arrays and never touches its inputs.
``update`` does the same step in place on a parameter the caller owns (the
training loop of ``MLP.fit`` uses it on the network's own weights, to avoid
allocating a new weight matrix on every batch); it may also scale ``grad``
in place, so pass it only a gradient buffer you no longer need. ``step``
checks its arguments (finite real arrays of one shape) and refuses a step
that overflows; ``update`` is the training loop's unchecked fast path.

The state of an optimiser for one parameter comes from ``init_state(param)``.
"""

import numpy as np

from mlp_lib._checks import as_float_array, check_positive_float, check_real, finite_result


def _check_step(param, grad, state, velocity):
    """param, grad: finite float arrays of one shape; state: None for SGD, else like param."""
    param = as_float_array(param, "param", dtype=None, allow_empty=True)
    grad = as_float_array(grad, "grad", dtype=None, allow_empty=True)
    if grad.shape != param.shape:
        raise ValueError(f"grad must have the shape of param {param.shape}, got {grad.shape}")
    if not velocity and state is not None:
        raise TypeError(
            f"SGD keeps no state: state must be None (from init_state), got {type(state).__name__}"
        )
    if velocity:
        state = as_float_array(state, "state", dtype=None, allow_empty=True)
        if state.shape != param.shape:
            raise ValueError(
                f"state (the velocity) must have the shape of param {param.shape}, got {state.shape};"
                " start it with init_state(param)"
            )
    return param, grad, state


def _check_beta(beta, name):
    return check_real(beta, name, 0.0, 1.0, high_open=True)


class SGD:
    """Plain gradient descent: p <- p - lr * g."""

    def __init__(self, lr):
        self.lr = check_positive_float(lr, "lr")

    def init_state(self, param):
        """SGD keeps no state."""
        return None

    def step(self, param, grad, state):
        """Return (param - lr * grad, state); inputs unchanged. Raises a ValueError on overflow."""
        param, grad, state = _check_step(param, grad, state, velocity=False)
        return finite_result(self._step, param, grad, state, what="the step", hint="use a smaller lr")

    def _step(self, param, grad, state):
        """``step`` without checks (for callers that handle overflow themselves)."""
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
        self.beta = _check_beta(beta, "beta")

    def init_state(self, param):
        """The velocity, zeros like param (a finite real array)."""
        return np.zeros_like(as_float_array(param, "param", dtype=None, allow_empty=True))

    def step(self, param, grad, state):
        """Return (param + v, v) with v = beta * state - lr * grad; inputs unchanged."""
        param, grad, state = _check_step(param, grad, state, velocity=True)
        return finite_result(self._step, param, grad, state, what="the step", hint="use a smaller lr")

    def _step(self, param, grad, state):
        """``step`` without checks (for callers that handle overflow themselves)."""
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
    """SGD when momentum is 0, else Momentum(lr, beta=momentum); momentum in [0, 1)."""
    momentum = _check_beta(momentum, "momentum")
    if momentum:
        return Momentum(lr, momentum)
    return SGD(lr)
