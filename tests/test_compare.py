"""mlp_lib.compare and the chapter-05 plots: timing helpers, scikit-learn set-up, confusion matrix."""

import numpy as np
import pytest

from mlp_lib import MLP
from mlp_lib.compare import (
    EpochTimer,
    fit_sklearn,
    preactivation_std,
    single_threaded_blas,
    sklearn_mlp,
    timed_fit,
)
from mlp_lib.data import digits, moons, one_hot
from mlp_lib.plots import confusion_matrix, new_figure, plot_confusion_matrix, plot_digit_grid, plot_runs


def test_timed_fit_adds_increasing_times_and_keeps_the_result():
    X, labels = moons(60, seed=0)
    a = MLP([2, 6, 1], "tanh", "sigmoid", "binary_cross_entropy", seed=1)
    b = MLP([2, 6, 1], "tanh", "sigmoid", "binary_cross_entropy", seed=1)
    history = timed_fit(a, X, labels, epochs=7, lr=0.3, batch_size=8, seed=2)
    plain = b.fit(X, labels, epochs=7, lr=0.3, batch_size=8, seed=2)
    assert len(history["time"]) == 7 and np.all(np.diff(history["time"]) >= 0)
    assert history["loss"] == plain["loss"]
    assert np.array_equal(a.layers[0].W, b.layers[0].W)


def test_epoch_timer_restarts_each_fit():
    X, labels = moons(20, seed=0)
    net = MLP([2, 3, 1], seed=0)
    timer = EpochTimer()
    net.fit(X, labels, epochs=3, callbacks=[timer])
    net.fit(X, labels, epochs=2, callbacks=[timer])
    assert len(timer.times) == 2


def test_single_threaded_blas_gives_the_same_numbers():
    A = np.random.default_rng(0).standard_normal((300, 64))
    B = np.random.default_rng(1).standard_normal((64, 50))
    with single_threaded_blas():
        inside = A @ B
    np.testing.assert_allclose(inside, A @ B, rtol=1e-12)


def test_preactivation_std_follows_the_init():
    X = np.random.default_rng(0).standard_normal((400, 50))
    he = preactivation_std(MLP([50] * 6, "relu", "identity", "mse", init="he", seed=0), X)
    tiny = preactivation_std(MLP([50] * 6, "relu", "identity", "mse", init="small", seed=0), X)
    assert he.shape == (5,)
    assert 0.5 < he[-1] / he[0] < 2.0          # He keeps the spread
    assert tiny[-1] / tiny[0] < 1e-4           # std 0.01 kills it


def test_sklearn_mlp_is_set_up_like_fit():
    clf = sklearn_mlp(hidden=(16,), activation="sigmoid", lr=0.05, momentum=0.8, batch_size=10, epochs=3)
    params = clf.get_params()
    assert params["activation"] == "logistic" and params["solver"] == "sgd"
    assert params["alpha"] == 0.0 and params["nesterovs_momentum"] is False
    assert params["max_iter"] == 3 and params["n_iter_no_change"] > 3
    X, labels = moons(50, seed=0)
    seconds = fit_sklearn(clf, X, labels)
    assert seconds > 0 and clf.n_iter_ == 3
    with pytest.raises(ValueError, match="epochs"):
        sklearn_mlp(epochs=0)


def test_digits_classifier_of_chapter_05_reaches_97_percent():
    """The chapter's recipe: standardised pixels, 64-128-10 ReLU, 40 epochs of SGD with momentum."""
    X_train, X_test, labels_train, labels_test = digits(test_fraction=0.25, seed=0)
    mean, spread = X_train.mean(axis=0), X_train.std(axis=0) + 0.1
    X_train, X_test = (X_train - mean) / spread, (X_test - mean) / spread
    net = MLP([64, 128, 10], "relu", "softmax", "cross_entropy", seed=0)
    net.fit(X_train, one_hot(labels_train, 10), epochs=40, lr=0.02, batch_size=16, momentum=0.9, seed=0)
    assert net.accuracy(X_test, one_hot(labels_test, 10)) >= 0.97


def test_confusion_matrix_counts():
    C = confusion_matrix([0, 1, 2, 2, 1], [0, 2, 2, 2, 1], k=4)
    assert C.shape == (4, 4) and C.sum() == 5
    assert C[1, 2] == 1 and C[2, 2] == 2 and np.trace(C) == 4
    with pytest.raises(ValueError, match="same shape"):
        confusion_matrix([0, 1], [0])


def test_chapter_plots_draw():
    fig = new_figure((8, 3))
    ax1, ax2, ax3 = fig.subplots(1, 3)
    plot_runs(ax1, {"a": {"epoch": [1, 2], "loss": [1.0, 0.5]}}, x="epoch", y="loss")
    C = plot_confusion_matrix(ax2, [0, 1, 1], [0, 1, 0])
    assert C.tolist() == [[1, 0], [1, 1]]
    plot_digit_grid(ax3, np.random.default_rng(0).random((5, 64)), titles=list("abcde"), ncols=3)
    assert len(ax3.texts) == 5 and len(ax3.images) == 1
    fig.canvas.draw()
