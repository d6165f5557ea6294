"""Numerical stability at extreme inputs, and clear errors for bad input."""

import warnings

import numpy as np
import pytest

from mlp_lib import MLP, TrainingDiverged, losses
from mlp_lib import activations as act
from mlp_lib.data import one_hot


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# ---- stability -------------------------------------------------------------
EXTREME = np.array([[-1e4, -800.0, -30.0, 0.0, 30.0, 800.0, 1e4]])


def test_sigmoid_is_stable_and_exact_at_extremes():
    y = act.sigmoid(EXTREME)
    assert np.all(np.isfinite(y))
    assert y[0, 0] == 0.0 and y[0, -1] == 1.0 and y[0, 3] == 0.5
    assert np.all(np.diff(y) >= 0)


def test_softmax_is_stable_for_huge_logits():
    Y = act.softmax(np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4]]))
    assert np.all(np.isfinite(Y))
    np.testing.assert_allclose(Y.sum(axis=1), 1.0)
    np.testing.assert_allclose(Y[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(Y[1], [1 / 3] * 3)


def test_cross_entropies_at_probabilities_of_exactly_0_and_1():
    Y = np.array([[0.0, 1.0], [1.0, 0.0]])
    T = np.array([[1.0, 1.0], [1.0, 0.0]])
    J = losses.binary_cross_entropy(Y, T)
    assert np.isfinite(J) and J > 10
    assert np.all(np.isfinite(losses.binary_cross_entropy_gradient(Y, T)))
    assert losses.binary_cross_entropy(T, T) == pytest.approx(0.0, abs=1e-9)
    J = losses.cross_entropy(np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]]))
    assert np.isfinite(J) and J > 10
    assert np.all(np.isfinite(losses.cross_entropy_gradient(np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]]))))


def test_losses_from_logits_are_exact_at_extremes():
    A = np.array([[1e4], [-1e4]])
    T = np.array([[0.0], [0.0]])
    assert losses.binary_cross_entropy_from_logits(A, T) == pytest.approx(1e4 / 2)
    A = np.array([[1e4, -1e4]])
    assert losses.cross_entropy_from_logits(A, np.array([[0.0, 1.0]])) == pytest.approx(2e4)


@pytest.mark.parametrize(
    "output,loss,k", [("sigmoid", "binary_cross_entropy", 1), ("softmax", "cross_entropy", 3)]
)
def test_network_stays_finite_with_saturated_outputs(output, loss, k):
    net = MLP([2, 3, k], "sigmoid", output, loss, seed=0)
    net.layers[-1].W[...] = 1e4
    X = np.array([[1.0, 1.0], [-1.0, -1.0]])
    T = np.zeros((2, k))
    T[:, 0] = 1
    J = net.loss(X, T)
    assert np.isfinite(J)
    net.forward(X)
    for dW, db in net.backward(T):
        assert np.all(np.isfinite(dW)) and np.all(np.isfinite(db))


# ---- bad input -------------------------------------------------------------
@pytest.fixture
def net():
    return MLP([2, 4, 1], seed=0)


def test_wrong_number_of_features(net):
    with pytest.raises(ValueError, match=r"X must have shape \(m, 2\).*got \(3, 5\)"):
        net.forward(np.zeros((3, 5)))


@pytest.mark.parametrize("shape", [(2,), (2, 2, 2)])
def test_X_must_be_2d(net, shape):
    with pytest.raises(ValueError, match=r"X must be a 2-D array, got shape"):
        net.forward(np.zeros(shape))


def test_1d_X_hint_mentions_rows(net):
    with pytest.raises(ValueError, match="samples are rows"):
        net.forward(np.zeros(2))


def test_empty_batch(net):
    with pytest.raises(ValueError, match=r"X is empty \(shape \(0, 2\)\)"):
        net.forward(np.zeros((0, 2)))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_X(net, bad):
    X = np.zeros((3, 2))
    X[1, 0] = bad
    with pytest.raises(ValueError, match=r"X contains NaN or inf \(first at index \(1, 0\)\)"):
        net.forward(X)


def test_non_finite_T(net):
    X = np.zeros((2, 2))
    with pytest.raises(ValueError, match="T contains NaN or inf"):
        net.loss(X, [[0.0], [np.nan]])


def test_non_numeric_X(net):
    with pytest.raises(TypeError, match="X must be a numeric array.*dtype <U"):
        net.forward(np.array([["a", "b"]]))
    with pytest.raises(TypeError, match="X must be a numeric array"):
        net.forward("hello")


def test_unknown_activation_lists_the_valid_names():
    with pytest.raises(ValueError, match="unknown hidden_activation 'sigmod'; valid names are: identity, relu, sigmoid, tanh"):
        MLP([2, 2, 1], hidden_activation="sigmod")
    with pytest.raises(ValueError, match="unknown activation 'soft'; valid names are: identity, relu, sigmoid, softmax, tanh"):
        MLP([2, 2, 1], output_activation="soft")


def test_unknown_loss_lists_the_valid_names():
    with pytest.raises(ValueError, match="unknown loss 'bce'; valid names are: binary_cross_entropy, cross_entropy, mse"):
        MLP([2, 2, 1], loss="bce")


def test_incompatible_output_and_loss():
    with pytest.raises(ValueError, match="loss 'cross_entropy' needs output_activation in"):
        MLP([2, 3], output_activation="sigmoid", loss="cross_entropy")


@pytest.mark.parametrize(
    "sizes,err,msg",
    [
        ([2, 0, 1], ValueError, r"sizes\[1\] must be a positive int, got 0"),
        ([2, -3, 1], ValueError, r"sizes\[1\] must be a positive int, got -3"),
        ([2, 2.5, 1], TypeError, r"sizes\[1\] must be an int, got float 2.5"),
        ([2], ValueError, "at least an input and an output width"),
        (5, TypeError, "sizes must be a list of layer widths"),
        ("2-3-1", TypeError, "sizes must be a list of layer widths"),
    ],
)
def test_layer_sizes(sizes, err, msg):
    with pytest.raises(err, match=msg):
        MLP(sizes)


def test_softmax_needs_two_outputs():
    with pytest.raises(ValueError, match="softmax needs at least 2 output units, got sizes\\[-1\\] = 1"):
        MLP([2, 3, 1], output_activation="softmax", loss="cross_entropy")


def test_backward_before_forward(net):
    with pytest.raises(RuntimeError, match="backward called before forward"):
        net.backward(np.zeros((3, 1)))


def test_targets_of_the_wrong_shape(net):
    net.forward(np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"T must have shape \(3, 1\), got \(3, 2\)"):
        net.backward(np.zeros((3, 2)))
    soft = MLP([2, 3], output_activation="softmax", loss="cross_entropy")
    with pytest.raises(ValueError, match="one_hot"):
        soft.loss(np.zeros((4, 2)), np.array([0, 1, 2, 0]))


def test_one_dimensional_targets_are_accepted_for_one_output(net):
    X = np.zeros((3, 2))
    assert net.loss(X, np.array([0, 1, 1])) == net.loss(X, np.array([[0], [1], [1]]))


@pytest.mark.parametrize(
    "kwargs,err,msg",
    [
        ({"lr": 0}, ValueError, "lr must be a finite number > 0, got 0"),
        ({"lr": -0.1}, ValueError, "lr must be a finite number > 0, got -0.1"),
        ({"lr": "fast"}, TypeError, "lr must be a number, got str"),
        ({"batch_size": 0}, ValueError, "batch_size must be a positive int, got 0"),
        ({"batch_size": 2.0}, TypeError, "batch_size must be an int, got float"),
        ({"epochs": -1}, ValueError, "epochs must be a non-negative int, got -1"),
        ({"momentum": 1.5}, ValueError, r"momentum must be in \[0, 1\), got 1.5"),
        ({"callbacks": [42]}, TypeError, "each callback must have"),
        ({"X_val": np.zeros((2, 2))}, ValueError, "give both X_val and T_val"),
    ],
)
def test_fit_arguments(net, kwargs, err, msg):
    with pytest.raises(err, match=msg):
        net.fit(np.zeros((4, 2)), np.zeros((4, 1)), **kwargs)


def test_diverging_training_stops_with_advice():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 1)) * 10
    T = 3 * X
    net = MLP([1, 1], output_activation="identity", loss="mse")
    with pytest.raises(TrainingDiverged, match=r"diverged.*Try a smaller learning rate \(for example lr=10\)"):
        net.fit(X, T, epochs=200, lr=100, batch_size=40)


def test_one_hot_rejects_bad_labels():
    with pytest.raises(ValueError, match="labels must be < k = 3, got 3"):
        one_hot(np.array([0, 3]), 3)
    with pytest.raises(ValueError, match="whole numbers"):
        one_hot(np.array([0.5, 1.0]))


def test_unknown_init():
    with pytest.raises(ValueError, match="unknown init 'glorot'; valid names are: he, small, xavier, zeros"):
        MLP([2, 2, 1], init="glorot")
