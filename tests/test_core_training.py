"""Training with MLP.fit, the optimisers, the data sets, and import hygiene."""

import subprocess
import sys

import numpy as np
import pytest

from mlp_lib import MLP, SGD, Momentum, data
from mlp_lib.data import one_hot


def test_fit_solves_xor():
    X, labels = data.xor(200, seed=0)
    net = MLP([2, 8, 1], "tanh", "sigmoid", "binary_cross_entropy", seed=0)
    history = net.fit(X, labels, epochs=300, lr=0.5, batch_size=32, seed=0)
    assert history["loss"][-1] < 0.02
    assert history["accuracy"][-1] == 1.0
    assert net.accuracy(X, labels) == 1.0


def test_fit_solves_two_moons():
    X, labels = data.moons(300, noise=0.1, seed=1)
    net = MLP([2, 16, 16, 1], "relu", "sigmoid", "binary_cross_entropy", seed=0)
    history = net.fit(X, labels, epochs=300, lr=0.1, batch_size=32, momentum=0.9)
    assert history["loss"][-1] < 0.02
    assert net.accuracy(X, labels) == 1.0


def test_digits_64_64_10_reaches_97_percent():
    X_train, X_test, y_train, y_test = data.digits()
    net = MLP([64, 64, 10], "relu", "softmax", "cross_entropy", seed=0)
    history = net.fit(X_train, one_hot(y_train, 10), epochs=30, lr=0.1, batch_size=32, momentum=0.9,
                      X_val=X_test, T_val=one_hot(y_test, 10))
    assert net.accuracy(X_test, one_hot(y_test, 10)) >= 0.97
    assert len(history["val_accuracy"]) == 30
    assert history["val_accuracy"][-1] == pytest.approx(net.accuracy(X_test, one_hot(y_test, 10)))


def test_fit_is_reproducible_and_leaves_the_data_alone():
    X, labels = data.moons(100, seed=2)
    X_before = X.copy()
    nets = [MLP([2, 5, 1], seed=3) for _ in range(2)]
    histories = [n.fit(X, labels, epochs=5, lr=0.3, batch_size=16, seed=7) for n in nets]
    assert histories[0] == histories[1]
    for a, b in zip(nets[0].layers, nets[1].layers):
        np.testing.assert_array_equal(a.W, b.W)
    np.testing.assert_array_equal(X, X_before)


def test_full_batch_fit_equals_hand_written_gradient_descent():
    X, labels = data.blobs(40, seed=0)
    net = MLP([2, 3, 1], seed=0)
    reference = net.copy()
    net.fit(X, labels, epochs=3, lr=0.2, batch_size=1000, shuffle=False)
    for _ in range(3):
        reference.forward(X)
        for layer, (dW, db) in zip(reference.layers, reference.backward(labels)):
            layer.W -= 0.2 * dW
            layer.b -= 0.2 * db
    for a, b in zip(net.layers, reference.layers):
        np.testing.assert_allclose(a.W, b.W, rtol=1e-12)


def test_callbacks_see_every_batch_and_epoch_and_can_stop():
    X, labels = data.blobs(50, seed=0)
    seen = {"batches": 0, "epochs": [], "begin": 0, "end": 0}

    class Recorder:
        def on_train_begin(self, net, info):
            seen["begin"] += 1

        def on_batch_end(self, net, info):
            seen["batches"] += 1

        def on_epoch_end(self, net, info):
            seen["epochs"].append(info["epoch"])

        def on_train_end(self, net, info):
            seen["end"] += 1

    MLP([2, 3, 1]).fit(X, labels, epochs=4, batch_size=10, callbacks=[Recorder()])
    assert seen == {"batches": 20, "epochs": [0, 1, 2, 3], "begin": 1, "end": 1}
    history = MLP([2, 3, 1]).fit(X, labels, epochs=10, callbacks=[lambda net, info: info["epoch"] < 2])
    assert history["epoch"] == [1, 2, 3]


def test_zero_epochs_changes_nothing():
    net = MLP([2, 3, 1])
    before = net.get_params()
    history = net.fit(np.zeros((4, 2)), np.zeros(4), epochs=0)
    assert history["loss"] == []
    np.testing.assert_array_equal(before[0][0], net.layers[0].W)


def test_optimizer_step_is_pure_and_update_matches_it():
    param = np.array([1.0, 2.0])
    grad = np.array([0.5, -1.0])
    for opt in (SGD(0.1), Momentum(0.1, 0.9)):
        state = opt.init_state(param)
        p_copy, g_copy = param.copy(), grad.copy()
        new, new_state = opt.step(param, grad, state)
        np.testing.assert_array_equal(param, p_copy)
        np.testing.assert_array_equal(grad, g_copy)
        in_place = param.copy()
        opt.update(in_place, grad.copy(), opt.init_state(param))
        np.testing.assert_allclose(in_place, new)
    new, v = Momentum(0.1, 0.9).step(param, grad, np.array([1.0, 1.0]))
    np.testing.assert_allclose(v, 0.9 * 1.0 - 0.1 * grad)
    np.testing.assert_allclose(new, param + v)


def test_float32_networks_stay_float32():
    net = MLP([4, 6, 3], "relu", "softmax", "cross_entropy", dtype=np.float32)
    X = np.random.default_rng(0).normal(size=(10, 4))
    T = one_hot(np.arange(10) % 3, 3)
    net.fit(X, T, epochs=2, batch_size=4)
    assert net.layers[0].W.dtype == np.float32
    assert net.forward(X).dtype == np.float32


def test_repr_says_what_the_network_is():
    text = repr(MLP([3, 4, 2], "relu", "softmax", "cross_entropy"))
    assert text == "MLP(3-4-2, hidden=relu, output=softmax, loss=cross_entropy, init=he, 26 parameters)"


@pytest.mark.parametrize("make", [data.linear_1d, data.blobs, data.xor, data.moons, data.spiral])
def test_toy_sets_are_seeded(make):
    a, b = make(seed=5), make(seed=5)
    c = make(seed=6)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])
    assert a[0].ndim == 2 and len(a[0]) == len(a[1])


def test_digits_split_is_reproducible_and_stratified():
    first = data.digits(seed=0)
    second = data.digits(seed=0)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    X_train, X_test, y_train, y_test = first
    assert X_train.shape[1] == 64 and 0.0 <= X_train.min() and X_train.max() <= 1.0
    assert len(X_train) + len(X_test) == 1797
    share = np.bincount(y_test, minlength=10) / np.bincount(y_train, minlength=10)
    assert np.all(np.abs(share - 1 / 3) < 0.03)


def test_import_mlp_lib_does_not_import_plotting_or_widgets():
    code = (
        "import sys, mlp_lib, mlp_lib.widgets, mlp_lib.plots\n"
        "heavy = [m for m in ('matplotlib', 'ipywidgets', 'sklearn', 'torch') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_digits_are_the_copy_scikit_learn_bundles():
    from sklearn.datasets import load_digits

    X, labels = data._load_digits()
    bunch = load_digits()
    np.testing.assert_array_equal(X, bunch.data)
    np.testing.assert_array_equal(labels, bunch.target)


def test_float32_mse_fit_stays_float32():
    X = np.random.default_rng(0).random((50, 3)).astype(np.float32)
    net = MLP([3, 4, 2], "tanh", "identity", "mse", dtype=np.float32)
    net.fit(X, X[:, :2] * 2, epochs=2, lr=0.1, batch_size=8)
    assert all(layer.W.dtype == np.float32 for layer in net.layers)


def test_fit_again_with_other_batch_sizes_matches_a_fresh_network():
    """fit reuses its buffers between calls; a change of batch size must not leak old rows."""
    X = np.random.default_rng(0).random((40, 3))
    T = (X[:, :1] > 0.5).astype(float)
    reused, fresh = MLP([3, 4, 1], seed=0), MLP([3, 4, 1], seed=0)
    for batch_size in (8, 16, 8, 40, 7):
        reused.fit(X, T, epochs=1, lr=0.1, batch_size=batch_size)
        state = fresh.get_params()
        fresh = MLP([3, 4, 1], seed=0)
        fresh.set_params(state)
        fresh.fit(X, T, epochs=1, lr=0.1, batch_size=batch_size)
        for a, b in zip(reused.layers, fresh.layers):
            np.testing.assert_array_equal(a.W, b.W)


def test_nan_in_a_large_X_is_found_and_located():
    X = np.zeros((1000, 100))
    X[999, 99] = np.nan
    with pytest.raises(ValueError, match=r"first at index \(999, 99\)"):
        MLP([100, 1]).forward(X)
