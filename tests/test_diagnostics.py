"""mlp_lib.diagnostics: per-layer gradient and delta norms, the deep test networks."""

import numpy as np
import pytest

from mlp_lib import MLP, diagnostics


def test_gradient_norms_are_the_norms_of_backward(rng):
    net = MLP([3, 5, 4, 2], "tanh", "softmax", "cross_entropy", seed=1)
    X = rng.standard_normal((7, 3))
    T = np.eye(2)[rng.integers(0, 2, 7)]
    norms = diagnostics.gradient_norms(net, X, T)
    net.forward(X)
    expected = [np.sqrt(np.sum(dW ** 2)) for dW, _ in net.backward(T)]
    np.testing.assert_allclose(norms, expected, rtol=1e-12)
    assert norms.shape == (3,)


def test_delta_norms(rng):
    net = MLP([3, 4, 1], seed=2)
    X = rng.standard_normal((6, 3))
    T = rng.integers(0, 2, (6, 1)).astype(float)
    d = diagnostics.delta_norms(net, X, T)
    Y = net.forward(X)
    np.testing.assert_allclose(d[-1], np.sqrt(np.mean((Y - T) ** 2)), rtol=1e-12)


def test_weights_unchanged(rng):
    net = MLP([2, 3, 1], seed=0)
    before = net.get_params()
    diagnostics.gradient_norms(net, rng.standard_normal((4, 2)), np.ones((4, 1)))
    for (W0, _), (W1, _) in zip(before, net.get_params()):
        np.testing.assert_array_equal(W0, W1)


def test_random_batch_is_seeded_and_learnable():
    X1, T1 = diagnostics.random_batch(4, m=30, seed=5)
    X2, T2 = diagnostics.random_batch(4, m=30, seed=5)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(T1, T2)
    assert X1.shape == (30, 4) and T1.shape == (30, 1) and set(np.unique(T1)) <= {0.0, 1.0}


def test_deep_net():
    net = diagnostics.deep_net(3, width=6, activation="tanh", init_scale=1.0, n_in=2)
    assert net.sizes == [2, 6, 6, 6, 1] and net.hidden_activation == "tanh"
    with pytest.raises(ValueError):
        diagnostics.deep_net(0)
    with pytest.raises(TypeError, match="net must be an mlp_lib.MLP"):
        diagnostics.gradient_norms("net", np.zeros((1, 1)), np.zeros((1, 1)))


def test_plot_gradient_norms_draws_on_a_log_axis():
    from mlp_lib.plots import new_figure, plot_gradient_norms

    fig = new_figure()
    ax = fig.add_subplot()
    line = plot_gradient_norms(ax, [1e-6, 1e-3, 1.0], label="sigmoid")
    assert ax.get_yscale() == "log"
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(line.get_ydata(), [1e-6, 1e-3, 1.0])
    assert line.get_label() == "sigmoid"
