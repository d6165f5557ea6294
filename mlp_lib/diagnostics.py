"""Diagnostics of a network's gradients: how large they are, layer by layer.

Used by chapter 04 and by the vanishing-gradient explorer.

    norms = gradient_norms(net, X, T)     # (L,) ||dJ/dW_l||, bottom layer first

A network whose first layers get gradients a thousand times smaller than its
last layers learns only at the top: that is the vanishing-gradient problem.
"""

import numpy as np

from mlp_lib._checks import (
    MAX_ELEMENTS,
    MAX_LAYERS,
    check_choice,
    check_element_count,
    check_positive_float,
    check_positive_int,
    check_seed,
    finite_result,
)
from mlp_lib.activations import HIDDEN_ACTIVATIONS
from mlp_lib.network import MLP


def _check_net(net):
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an mlp_lib.MLP, got {type(net).__name__}")
    return net


def gradient_norms(net, X, T):
    """Frobenius norm of dJ/dW for every layer, bottom layer first.

    net: an MLP; X: (m, n_in); T: (m, n_out). Returns an array (L,) with
    ||dJ/dW_l|| = sqrt(sum_ij (dJ/dw_ij)**2) of the MEAN loss. The network's
    weights are not changed (its forward/backward cache is overwritten).
    """
    _check_net(net)
    net.forward(X)
    grads = net.backward(T)
    return finite_result(lambda: np.array([_norm(dW) for dW, _ in grads]), what="a gradient norm")


def delta_norms(net, X, T):
    """Root-mean-square size of delta = dJ/dA per layer, bottom layer first: (L,).

    sqrt(mean over rows and units of delta**2) times m, i.e. the size of one
    sample's delta (the 1/m of the mean loss taken out).
    """
    _check_net(net)
    net.forward(X)
    net.backward(T)
    m = net.layers[-1].delta.shape[0]
    return finite_result(lambda: np.array([_norm(layer.delta) / np.sqrt(layer.delta.size) * m
                                           for layer in net.layers]), what="a delta norm")


def _norm(a):
    """||a||, computed scaled so that entries near the float limits do not overflow the squares."""
    scale = float(np.max(np.abs(a))) if a.size else 0.0
    return 0.0 if scale == 0.0 else scale * float(np.linalg.norm(a / scale))


def random_batch(n_in, m=64, seed=0):
    """A seeded random batch for gradient experiments.

    X: (m, n_in) standard normal; T: (m, 1) labels 0/1 given by the sign of
    a fixed random direction, so the task is learnable.
    """
    n_in = check_positive_int(n_in, "n_in", most=MAX_ELEMENTS)
    m = check_positive_int(m, "m", most=MAX_ELEMENTS)
    check_element_count(m * n_in, f"random_batch's X ({m} x {n_in})")
    rng = np.random.default_rng(check_seed(seed))
    X = rng.standard_normal((m, n_in))
    direction = rng.standard_normal(n_in)
    T = (X @ direction > 0).astype(float).reshape(-1, 1)
    return X, T


def deep_net(depth, width=16, activation="sigmoid", init_scale=1.0, seed=0, n_in=None):
    """An MLP with ``depth`` hidden layers of ``width`` units and one sigmoid output.

    Every weight starts as N(0, (init_scale / sqrt(width))**2): init_scale 1
    keeps the variance of a linear layer's output equal to its input's
    (LeCun's scale); sqrt(2) is He's scale for relu. n_in defaults to width.
    Loss: binary cross-entropy.
    """
    depth = check_positive_int(depth, "depth", most=MAX_LAYERS - 2)
    width = check_positive_int(width, "width")
    check_choice(activation, "activation", HIDDEN_ACTIVATIONS)
    init_scale = check_positive_float(init_scale, "init_scale")
    n_in = width if n_in is None else check_positive_int(n_in, "n_in")
    check_seed(seed)
    sizes = [n_in] + [width] * depth + [1]
    net = MLP(sizes, activation, "sigmoid", "binary_cross_entropy", seed=seed,
              init=init_scale / np.sqrt(width))
    if n_in != width:  # the first layer's std follows its own fan-in
        rng = np.random.default_rng(seed + 1 if isinstance(seed, (int, np.integer)) else seed)
        net.layers[0].W[...] = rng.standard_normal((n_in, width)) * init_scale / np.sqrt(n_in)
    return net
