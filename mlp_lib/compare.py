"""Training runs that can be compared: wall time per epoch, and scikit-learn's MLP.

    history = timed_fit(net, X, T, epochs=20, lr=0.1, batch_size=32)
    history["time"]        # seconds since training began, one entry per epoch

    clf = sklearn_mlp(hidden=(128,), activation="relu", lr=0.02, momentum=0.9,
                      batch_size=16, epochs=40, seed=0)
    seconds = fit_sklearn(clf, X_train, labels_train)

``sklearn_mlp`` sets scikit-learn's ``MLPClassifier`` up to do what
``MLP.fit`` does: plain mini-batch SGD with classical (not Nesterov)
momentum, a constant learning rate, no L2 penalty, no early stopping, and
exactly ``epochs`` passes over the data. Its initial weights and shuffling
differ, so the two runs agree in kind, not digit for digit.
"""

import contextlib
import time
import warnings

import numpy as np

from mlp_lib._checks import check_positive_int
from mlp_lib.threads import single_threaded_blas


class EpochTimer:
    """A callback for ``MLP.fit``: ``.times`` holds the seconds since training began, per epoch."""

    def __init__(self):
        self.times = []
        self._t0 = None

    def on_train_begin(self, net, info):
        self.times = []
        self._t0 = time.perf_counter()

    def on_epoch_end(self, net, info):
        self.times.append(time.perf_counter() - self._t0)

    def __repr__(self):
        return f"EpochTimer({len(self.times)} epochs)"


def timed_fit(net, X, T, callbacks=(), one_thread=True, **fit_kwargs):
    """``net.fit(X, T, **fit_kwargs)`` with the wall time of every epoch.

    Returns fit's history dict with one more list, "time": seconds since
    training began at the end of each epoch. With ``one_thread`` (default)
    the matrix products run on one thread (``single_threaded_blas``), so
    that timings compare like with like and do not depend on how busy the
    machine's other cores are.
    """
    timer = EpochTimer()
    with single_threaded_blas() if one_thread else contextlib.nullcontext():
        history = net.fit(X, T, callbacks=[timer, *callbacks], **fit_kwargs)
    history["time"] = list(timer.times)
    return history


def sklearn_mlp(hidden=(128,), activation="relu", lr=0.1, momentum=0.9, batch_size=32, epochs=20,
                seed=0):
    """An unfitted ``sklearn.neural_network.MLPClassifier`` trained the way ``MLP.fit`` trains.

    hidden: the hidden widths, e.g. (128,); activation: "relu", "tanh",
    "logistic" (sigmoid) or "identity"; lr, momentum, batch_size and epochs
    as in ``MLP.fit``. Softmax output and cross-entropy are scikit-learn's
    default for several classes.
    """
    from sklearn.neural_network import MLPClassifier

    epochs = check_positive_int(epochs, "epochs")
    if activation == "sigmoid":
        activation = "logistic"
    return MLPClassifier(
        hidden_layer_sizes=tuple(hidden), activation=activation, solver="sgd",
        learning_rate="constant", learning_rate_init=lr, momentum=momentum,
        nesterovs_momentum=False, batch_size=batch_size, max_iter=epochs, alpha=0.0,
        shuffle=True, random_state=seed, early_stopping=False,
        tol=0.0, n_iter_no_change=epochs + 1,  # never stop early: exactly `epochs` passes
    )


def fit_sklearn(clf, X, labels):
    """Fit a scikit-learn classifier on X: (m, n), labels: (m,); returns the seconds it took.

    scikit-learn warns that the optimiser "has not converged" whenever it
    stops at max_iter, which is what a fixed number of epochs means here;
    that warning is silenced.
    """
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        clf.fit(X, labels)
        return time.perf_counter() - start


def preactivation_std(net, X):
    """The spread of every layer's pre-activations: (n_layers,) with std(A_l) over all units and rows.

    Runs ``net.forward(X)`` (X: (m, n_in)) and reads each layer's cached A.
    With a good initialisation the numbers stay about the same from the
    first layer to the last; they grow when weights are too large and shrink
    towards 0 when they are too small.
    """
    net.forward(X)
    return np.array([float(np.std(layer.A)) for layer in net.layers])
