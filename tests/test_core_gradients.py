"""Analytic gradients of MLP against central differences, for every
hidden activation x (output activation, loss) pairing x depth 1-4."""

import numpy as np
import pytest

from mlp_lib import MLP
from mlp_lib.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, softmax_backward
from mlp_lib.gradcheck import (
    check_gradients,
    max_relative_error,
    numerical_gradient,
    relative_error,
)
from mlp_lib.losses import COMPATIBLE_OUTPUTS, LOSSES

PAIRINGS = [(out, loss) for loss, outs in COMPATIBLE_OUTPUTS.items() for out in outs]
WIDTHS = [3, 5, 4, 4, 3]  # equal widths included: a wrong-layer bug cannot hide


def make_targets(rng, m, k, loss):
    if loss == "cross_entropy":
        return np.eye(k)[rng.integers(0, k, size=m)]
    if loss == "binary_cross_entropy":
        return rng.integers(0, 2, size=(m, k)).astype(float)
    return rng.normal(size=(m, k))


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize("output,loss", PAIRINGS)
@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
def test_backward_matches_central_differences(hidden, output, loss, depth):
    rng = np.random.default_rng(depth * 100 + len(hidden) + len(output))
    sizes = WIDTHS[:depth] + [3]
    m = 6
    X = rng.normal(size=(m, sizes[0]))
    T = make_targets(rng, m, sizes[-1], loss)
    net = MLP(sizes, hidden, output, loss, seed=depth)
    for layer in net.layers:  # nonzero biases: no pre-activation sits exactly on relu's kink
        layer.b[...] = rng.normal(scale=0.5, size=layer.b.shape)
    report = check_gradients(net, X, T)
    assert len(report) == depth
    assert max_relative_error(report) < 1e-7, report


def test_gradients_have_the_shapes_of_the_parameters():
    net = MLP([4, 7, 3, 2], "tanh", "softmax", "cross_entropy")
    X = np.ones((5, 4))
    net.forward(X)
    grads = net.backward(np.eye(2)[[0, 1, 0, 1, 1]])
    for layer, (dW, db) in zip(net.layers, grads):
        assert dW.shape == layer.W.shape
        assert db.shape == layer.b.shape


def test_backward_returns_fresh_arrays_each_call():
    net = MLP([2, 3, 1], seed=0)
    X = np.array([[0.5, -1.0], [1.5, 2.0]])
    net.forward(X)
    first = net.backward([[1.0], [0.0]])
    kept = [dW.copy() for dW, _ in first]
    net.forward(X * 3)
    net.backward([[0.0], [1.0]])
    for a, b in zip(first, kept):
        np.testing.assert_array_equal(a[0], b)


@pytest.mark.parametrize("name", HIDDEN_ACTIVATIONS)
def test_derivative_from_output_equals_derivative(name, rng):
    act = ACTIVATIONS[name]
    a = rng.normal(size=(4, 5)) * 3
    a[np.abs(a) < 1e-3] = 0.5  # keep away from relu's kink
    np.testing.assert_allclose(act.derivative_from_output(act(a)), act.derivative(a), atol=1e-12)
    numeric = (act(a + 1e-6) - act(a - 1e-6)) / 2e-6
    np.testing.assert_allclose(act.derivative(a), numeric, atol=1e-7)


def test_softmax_backward_is_the_jacobian_product(rng):
    A = rng.normal(size=(3, 4))
    dY = rng.normal(size=(3, 4))
    Y = ACTIVATIONS["softmax"](A)
    numeric = numerical_gradient(lambda a: np.sum(ACTIVATIONS["softmax"](a) * dY), A)
    assert relative_error(softmax_backward(Y, dY), numeric) < 1e-8


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_gradients_match_central_differences(name, rng):
    loss = LOSSES[name]
    if name == "cross_entropy":
        Y = ACTIVATIONS["softmax"](rng.normal(size=(5, 3)))
        T = np.eye(3)[[0, 2, 1, 1, 0]]
    else:
        Y = rng.uniform(0.1, 0.9, size=(5, 3))
        T = rng.integers(0, 2, size=(5, 3)).astype(float)
    numeric = numerical_gradient(lambda y: loss.value(y, T), Y, eps=1e-6)
    assert relative_error(loss.gradient(Y, T), numeric) < 1e-7


def test_losses_from_logits_agree_with_losses_of_probabilities(rng):
    A = rng.normal(size=(6, 3))
    T = np.eye(3)[[0, 1, 2, 2, 1, 0]]
    sig = ACTIVATIONS["sigmoid"](A)
    assert np.isclose(LOSSES["binary_cross_entropy"].from_logits(A, T),
                      LOSSES["binary_cross_entropy"].value(sig, T))
    soft = ACTIVATIONS["softmax"](A)
    assert np.isclose(LOSSES["cross_entropy"].from_logits(A, T), LOSSES["cross_entropy"].value(soft, T))


def test_loss_definitions_are_means_over_samples():
    Y = np.array([[0.0], [2.0]])
    T = np.array([[1.0], [0.0]])
    assert LOSSES["mse"].value(Y, T) == pytest.approx((1 + 4) / 2)
    P = np.array([[0.8], [0.4]])
    expected = -(np.log(0.8) + np.log(0.6)) / 2
    assert LOSSES["binary_cross_entropy"].value(P, T) == pytest.approx(expected)
    Ys = np.array([[0.7, 0.3], [0.2, 0.8]])
    Ts = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert LOSSES["cross_entropy"].value(Ys, Ts) == pytest.approx(-(np.log(0.7) + np.log(0.8)) / 2)


def test_net_loss_matches_the_definition():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(8, 3))
    T = np.eye(4)[rng.integers(0, 4, 8)]
    net = MLP([3, 5, 4], "relu", "softmax", "cross_entropy", seed=2)
    Y = net.forward(X)
    assert net.loss(X, T) == pytest.approx(-np.sum(T * np.log(Y)) / 8, rel=1e-12)


def test_numerical_gradient_leaves_its_input_unchanged(rng):
    x = rng.normal(size=(3, 2))
    before = x.copy()
    grad = numerical_gradient(lambda v: np.sum(v ** 3), x)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_allclose(grad, 3 * x ** 2, atol=1e-8)


def test_gradcheck_leaves_the_network_unchanged():
    rng = np.random.default_rng(0)
    net = MLP([2, 4, 1], "tanh", seed=1)
    X = rng.normal(size=(5, 2))
    T = rng.integers(0, 2, size=(5, 1))
    before = net.get_params()
    check_gradients(net, X, T)
    for (W, b), layer in zip(before, net.layers):
        np.testing.assert_array_equal(W, layer.W)
        np.testing.assert_array_equal(b, layer.b)


def test_relative_error_scale():
    a = np.array([1.0, 2.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(a, np.zeros(2)) == 1.0
    assert relative_error(a, a * (1 + 1e-9)) < 1e-8
    with pytest.raises(ValueError, match="same shape"):
        relative_error(a, np.zeros(3))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("output,loss", PAIRINGS)
def test_training_step_gradients_equal_the_public_backward(output, loss, dtype):
    """fit's private step (reused buffers) computes exactly what MLP.backward computes."""
    rng = np.random.default_rng(7)
    net = MLP([4, 5, 3, 3], "tanh", output, loss, seed=3, dtype=dtype)
    X = rng.normal(size=(6, 4)).astype(dtype)
    T = make_targets(rng, 6, 3, loss).astype(dtype)
    net.forward(X)
    public = net.backward(T)
    buffers = [(np.full_like(dW, np.nan), np.full_like(db, np.nan)) for dW, db in public]
    fast = net._gradients_into(T, buffers)
    for (dW, db), (fW, fb) in zip(public, fast, strict=True):
        np.testing.assert_array_equal(fW, dW)
        np.testing.assert_array_equal(fb, db)


def test_dense_backward_is_the_formula(rng):
    """Dense.backward(delta) returns delta W^T, X^T delta and the row sum of delta, and keeps delta."""
    from mlp_lib.layers import Dense

    layer = Dense(3, 2, "sigmoid", rng=0)
    X = rng.normal(size=(5, 3))
    layer.forward(X)
    delta = rng.normal(size=(5, 2))
    dX, dW, db = layer.backward(delta)
    np.testing.assert_allclose(dX, delta @ layer.W.T)
    np.testing.assert_allclose(dW, X.T @ delta)
    np.testing.assert_allclose(db, delta.sum(axis=0))
    assert layer.delta is delta


def test_backward_is_the_loop_of_dense_backward(rng):
    """MLP.backward = output delta, then layer.backward and dX * f'(from Y) downwards."""
    net = MLP([3, 4, 4, 2], "sigmoid", "softmax", "cross_entropy", seed=1)
    X = rng.normal(size=(5, 3))
    T = np.eye(2)[[0, 1, 1, 0, 1]]
    net.forward(X)
    grads = net.backward(T)
    Y1, Y2, Y3 = (layer.Y for layer in net.layers)
    d3 = (Y3 - T) / 5
    d2 = (d3 @ net.layers[2].W.T) * Y2 * (1 - Y2)
    d1 = (d2 @ net.layers[1].W.T) * Y1 * (1 - Y1)
    for (dW, db), below, d in zip(grads, (X, Y1, Y2), (d1, d2, d3), strict=True):
        np.testing.assert_allclose(dW, below.T @ d)
        np.testing.assert_allclose(db, d.sum(axis=0))


def test_repr_says_what_is_there():
    assert "hidden" not in repr(MLP([2, 1]))
    assert "hidden=tanh" in repr(MLP([2, 3, 1], "tanh"))
