"""MLP: a stack of Dense layers with forward, backward, loss and fit.

Backpropagation in one loop (samples are rows, delta = dJ/dA per layer),
which is ``MLP.backward``:

    delta = dJ/dA of the output layer          (Y - T) / m for sigmoid + BCE
                                               and softmax + CE
    for each layer from the top down:
        dX, dW, db = layer.backward(delta)     dW = X^T delta, db = row sum,
                                               dX = delta W^T
        delta = dX * f'(A of the layer below)  f' written from that layer's Y

The same line serves every hidden layer, however many there are.
``fit`` runs the same loop through ``_gradients_into``, which writes the
gradients into arrays it reuses batch after batch; a test holds the two equal.
"""

import math

import numpy as np

from mlp_lib._checks import (
    all_weights_finite,
    as_float_array,
    check_callbacks,
    check_choice,
    check_dtype,
    check_fit_options,
    check_input_scale,
    check_params,
    check_seed,
    check_targets,
    finite_result,
)
from mlp_lib._checks import check_sizes as _check_sizes
from mlp_lib.activations import HIDDEN_ACTIVATIONS, _softmax_backward, get_activation
from mlp_lib.layers import Dense, forward_pass
from mlp_lib.losses import COMPATIBLE_OUTPUTS, FUSED_PAIRS, get_loss
from mlp_lib.optimizers import make_optimizer


class TrainingDiverged(FloatingPointError, ValueError):
    """Raised by ``MLP.fit`` when the loss becomes NaN or infinite (a ValueError: lr too large)."""


# ---- the one forward pass, loss and accuracy outside the layer caches --------
def output_preactivation(net, X, params=None):
    """A of the output layer for X: (m, n_in), without touching the layers' caches.

    params: [(W, b), ...] per layer, default the network's own. Weights may
    be stacked along a leading axis, W (c, n_in, n_out) with b (c, 1, n_out):
    then A is (c, m, n_out), one network per slice (the loss landscape).
    """
    if params is None:
        params = net.parameters()
    H = X
    last = len(net.layers) - 1
    for l, (layer, (W, b)) in enumerate(zip(net.layers, params)):
        A = layer.pre_activation(H, W, b)
        if l < last:
            H = layer.activation.function(A)
    return A


def mean_loss(net, A, T, Y=None):
    """J of ``net``'s loss for output pre-activations A: (m, n_out) and targets T. -> float.

    The cross-entropies are computed from A (exact and stable even for
    saturated outputs); mse from Y = f(A) (Y, if given, saves computing it).
    """
    loss = net.loss_function
    if loss.from_logits is not None:
        return loss.from_logits(A, T)
    if Y is None:
        Y = net.layers[-1].activation.function(A)
    return loss.value(Y, T)


def n_correct(Y, T):
    """How many rows are classified right: argmax for several outputs, Y > 0.5 for one."""
    if Y.shape[1] == 1:
        return int(np.count_nonzero((Y > 0.5) == (T > 0.5)))
    return int(np.count_nonzero(Y.argmax(axis=1) == T.argmax(axis=1)))


def evaluate(net, X, T):
    """(J, accuracy) of ``net`` on X: (m, n_in), T: (m, n_out); the layers' caches are untouched.

    accuracy is None for a network whose output is not a probability.
    """
    A = output_preactivation(net, X)
    Y = net.layers[-1].activation.function(A)
    J = float(mean_loss(net, A, T, Y))
    if not net.is_classifier:
        return J, None
    return J, n_correct(Y, T) / len(Y)



class MLP:
    """A feed-forward network of Dense layers.

    sizes: [n_in, h1, ..., n_out]; hidden_activation: "sigmoid" | "tanh" |
    "relu" | "identity"; output_activation: the same or "softmax";
    loss: "mse" | "binary_cross_entropy" | "cross_entropy";
    seed: seeds the initial weights; init: an initialiser name ("xavier",
    "he", "small", "zeros") or a std, default "he" for relu and "xavier"
    otherwise; dtype: np.float64 (default) or np.float32.

    net.layers[l].W: (n_in, n_out); net.layers[l].b: (n_out,).
    """

    def __init__(
        self,
        sizes,
        hidden_activation="sigmoid",
        output_activation="sigmoid",
        loss="binary_cross_entropy",
        seed=0,
        init=None,
        dtype=np.float64,
    ):
        sizes = _check_sizes(sizes)
        dtype, seed = check_dtype(dtype), check_seed(seed)
        check_choice(hidden_activation, "hidden_activation", HIDDEN_ACTIVATIONS)
        get_activation(output_activation)
        self.loss_function = get_loss(loss)
        if output_activation not in COMPATIBLE_OUTPUTS[loss]:
            raise ValueError(
                f"loss {loss!r} needs output_activation in {COMPATIBLE_OUTPUTS[loss]},"
                f" got {output_activation!r}"
            )
        if output_activation == "softmax" and sizes[-1] < 2:
            raise ValueError(
                "softmax needs at least 2 output units, got sizes[-1] = 1;"
                " for two classes use one sigmoid output unit with binary_cross_entropy"
            )
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float64 or float32, got {self.dtype}")
        if init is None:
            init = "he" if hidden_activation == "relu" else "xavier"
        self.sizes = sizes
        self.hidden_activation = hidden_activation
        self.output_activation = output_activation
        self.loss_name = loss
        self.seed = seed
        self.init = init
        rng = np.random.default_rng(seed)
        n_layers = len(sizes) - 1
        self.layers = [
            Dense(
                sizes[l],
                sizes[l + 1],
                hidden_activation if l < n_layers - 1 else output_activation,
                init,
                rng,
                self.dtype,
            )
            for l in range(n_layers)
        ]
        self._fused = (output_activation, loss) in FUSED_PAIRS
        self._fit_buffers = None  # made by the first call of fit, see _training_buffers

    # ---- argument checks -------------------------------------------------
    def _check_X(self, X, name="X"):
        X = as_float_array(X, name, ndim=2, dtype=self.dtype)
        if X.shape[1] != self.sizes[0]:
            raise ValueError(
                f"{name} must have shape (m, {self.sizes[0]}) for this network, got {X.shape}"
            )
        return X

    def _check_T(self, T, m, name="T"):
        k = self.sizes[-1]
        T = as_float_array(T, name, dtype=self.dtype)
        if T.ndim == 1 and k == 1:
            T = T.reshape(-1, 1)
        if T.shape != (m, k):
            hint = ""
            if T.ndim == 1 and k > 1:
                hint = "; for class labels use mlp_lib.data.one_hot(labels, k)"
            raise ValueError(f"{name} must have shape ({m}, {k}), got {T.shape}{hint}")
        return check_targets(T, self.loss_name, name)

    # ---- forward, backward, loss -----------------------------------------
    def forward(self, X):
        """X: (m, n_in) -> Y: (m, n_out). Caches each layer's X, A and Y for backward."""
        X = self._check_X(X)
        return forward_pass(self.layers, X)

    __call__ = forward

    def predict(self, X):
        """Outputs Y: (m, n_out) for X: (m, n_in), like forward."""
        return self.forward(X)

    @property
    def is_classifier(self):
        """True when the outputs are probabilities (sigmoid or softmax output)."""
        return self.output_activation in ("sigmoid", "softmax")

    def output_delta(self, T):
        """delta = dJ/dA of the output layer, (m, n_out), from the cached forward pass.

        For sigmoid + BCE and softmax + CE the derivative of f cancels and
        delta = (Y - T) / m; otherwise delta = dJ/dY * f'(A) (for softmax,
        whose outputs are coupled, the Jacobian-vector product).
        """
        out = self.layers[-1]
        if out.Y is None:
            raise RuntimeError("backward called before forward: run net.forward(X) first")
        if self._fused:
            return (out.Y - T) / out.Y.shape[0]
        # The losses compute in float64; a float32 network keeps float32 deltas.
        dY = self.loss_function.gradient(out.Y, T).astype(out.Y.dtype, copy=False)
        if out.activation.name == "softmax":
            return _softmax_backward(out.Y, dY)
        return dY * out.activation.derivative_from_output(out.Y)

    def backward(self, T):
        """Gradients of the MEAN loss J for the last forward pass.

        T: (m, n_out) targets (or (m,) when n_out == 1).
        Returns a list, one (dW, db) per layer, bottom layer first:
        dW: (n_in, n_out), db: (n_out,). Each layer keeps its delta = dJ/dA
        in ``layer.delta``.
        """
        if self.layers[-1].Y is None:
            raise RuntimeError("backward called before forward: run net.forward(X) first")
        T = self._check_T(T, self.layers[-1].Y.shape[0])
        return finite_result(self._backward, T, what="the gradients")

    def _backward(self, T):
        grads = []
        delta = self.output_delta(T)
        for l in reversed(range(len(self.layers))):
            dX, dW, db = self.layers[l].backward(delta)
            grads.append((dW, db))
            if l > 0:
                below = self.layers[l - 1]
                delta = dX * below.activation.derivative_from_output(below.Y)
        return grads[::-1]

    def loss(self, X, T):
        """J, the mean loss over the rows of X: (m, n_in) against T: (m, n_out). -> float.

        Runs a forward pass (so it replaces the cache that backward uses).
        The cross-entropies are computed from the output pre-activations,
        which is exact and stable even for saturated outputs.
        """
        X = self._check_X(X)
        T = self._check_T(T, X.shape[0])
        forward_pass(self.layers, X)
        out = self.layers[-1]
        return finite_result(mean_loss, self, out.A, T, out.Y, what="the loss")

    def accuracy(self, X, T):
        """Fraction of rows classified right: argmax for several outputs, Y > 0.5 for one."""
        Y = self.forward(X)
        T = self._check_T(T, Y.shape[0])
        return n_correct(Y, T) / len(Y)

    # ---- parameters ------------------------------------------------------
    def parameters(self):
        """[(W, b), ...] per layer: the network's own arrays (not copies)."""
        return [(layer.W, layer.b) for layer in self.layers]

    def get_params(self):
        """A copy of every weight and bias: [(W, b), ...]."""
        return [(layer.W.copy(), layer.b.copy()) for layer in self.layers]

    def set_params(self, params):
        """Copy [(W, b), ...] (as from get_params) into the network."""
        params = check_params(params, self.parameters(), self.dtype)
        if len(params) != len(self.layers):
            raise ValueError(f"params must hold {len(self.layers)} (W, b) pairs, got {len(params)}")
        for l, (layer, (W, b)) in enumerate(zip(self.layers, params)):
            if np.shape(W) != layer.W.shape or np.shape(b) != layer.b.shape:
                raise ValueError(
                    f"params[{l}] must have shapes {layer.W.shape} and {layer.b.shape},"
                    f" got {np.shape(W)} and {np.shape(b)}"
                )
            layer.W[...] = W
            layer.b[...] = b

    def copy(self):
        """An independent copy of the network (same architecture and weights)."""
        other = MLP(
            self.sizes, self.hidden_activation, self.output_activation, self.loss_name,
            self.seed, self.init, self.dtype,
        )
        other.set_params(self.get_params())
        return other

    # ---- training --------------------------------------------------------
    def fit(
        self,
        X,
        T,
        epochs=10,
        lr=0.1,
        batch_size=32,
        seed=0,
        momentum=0.0,
        callbacks=(),
        X_val=None,
        T_val=None,
        shuffle=True,
    ):
        """Train with mini-batch gradient descent (optionally with momentum).

        X: (m, n_in); T: (m, n_out); epochs >= 0; lr: the learning rate
        η > 0; batch_size >= 1 (batch_size >= m is full-batch descent, 1 is
        online); seed: the shuffling order; momentum: β in [0, 1), 0 for
        plain SGD; callbacks: objects with any of the methods
        ``on_train_begin(net, info)``, ``on_batch_end(net, info)``,
        ``on_epoch_end(net, info)``, ``on_train_end(net, info)`` (a plain
        function is used as on_epoch_end). info holds epoch, batch,
        n_batches, loss and history. X_val, T_val: optional held-out data,
        scored after every epoch.

        Returns a history dict of lists, one entry per epoch:
        "epoch", "loss" (mean of the epoch's batch losses), "val_loss" and,
        for classifiers, "accuracy" and "val_accuracy".
        Raises TrainingDiverged if the loss becomes NaN or inf.
        """
        epochs, lr, batch_size = check_fit_options(epochs, lr, batch_size, seed, momentum, shuffle)
        callbacks = check_callbacks(callbacks)
        X, T, X_val, T_val = self._check_fit_arguments(X, T, X_val, T_val)
        callbacks = [_as_callback(cb) for cb in callbacks]
        optimizer = make_optimizer(lr, momentum)
        batch_size = min(batch_size, X.shape[0])
        n_batches = -(-X.shape[0] // batch_size)
        rng = np.random.default_rng(seed)
        buffers = self._training_buffers(batch_size)
        states = [(optimizer.init_state(layer.W), optimizer.init_state(layer.b)) for layer in self.layers]
        history = self._new_history(X_val is not None)
        info = {"epoch": 0, "batch": 0, "n_batches": n_batches, "epochs": epochs,
                "loss": None, "history": history}
        _call(callbacks, "on_train_begin", self, info)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for epoch in range(epochs):
                loss_sum, correct = 0.0, 0
                for batch, (Xb, Tb) in enumerate(_batches(X, T, buffers, rng, shuffle)):
                    batch_loss, Y = self._training_step(Xb, Tb, optimizer, states, buffers[2])
                    if not math.isfinite(batch_loss):
                        raise TrainingDiverged(
                            f"training diverged: the loss became {batch_loss} at epoch {epoch + 1},"
                            f" batch {batch + 1}, with lr={lr:g}. Try a smaller learning rate"
                            f" (for example lr={lr / 10:g})."
                        )
                    loss_sum += batch_loss * len(Y)
                    if self.is_classifier:
                        correct += n_correct(Y, Tb)
                    if callbacks:
                        info.update(epoch=epoch, batch=batch, loss=batch_loss)
                        _call(callbacks, "on_batch_end", self, info)
                self._record_epoch(history, epoch, loss_sum, correct, X.shape[0], X_val, T_val)
                info.update(epoch=epoch, batch=n_batches - 1, loss=history["loss"][-1])
                if _call(callbacks, "on_epoch_end", self, info) is False:
                    break
        if not all_weights_finite(self.layers):
            raise TrainingDiverged(f"training diverged: the weights overflowed with lr={lr:g}."
                                   f" Try a smaller learning rate (for example lr={lr / 10:g}).")
        _call(callbacks, "on_train_end", self, info)
        for layer in self.layers:  # the cache would point into reused buffers
            layer.X = layer.A = layer.Y = layer.delta = None
        return history

    def _check_fit_arguments(self, X, T, X_val, T_val):
        """fit's data checked and converted: (X, T, X_val, T_val); its options by check_fit_options."""
        X = self._check_X(X)
        check_input_scale(X, self.layers[0].W)
        T = self._check_T(T, X.shape[0])
        if X_val is not None or T_val is not None:
            if X_val is None or T_val is None:
                raise ValueError("give both X_val and T_val, or neither")
            X_val = self._check_X(X_val, "X_val")
            T_val = self._check_T(T_val, X_val.shape[0], "T_val")
        return X, T, X_val, T_val

    def _training_step(self, Xb, Tb, optimizer, states, grads):
        """One batch of fit: forward, loss, gradients into ``grads``, update. -> (J, Y).

        A loss that is not finite leaves the weights as they were (fit stops there).
        """
        Y = Xb
        for layer in self.layers:
            Y = layer.forward(Y)
        batch_loss = mean_loss(self, self.layers[-1].A, Tb, Y)
        if not math.isfinite(batch_loss):
            return batch_loss, Y
        for layer, (dW, db), (sW, sb) in zip(self.layers, self._gradients_into(Tb, grads), states):
            optimizer.update(layer.W, dW, sW)
            optimizer.update(layer.b, db, sb)
        return batch_loss, Y

    def _gradients_into(self, T, grads):
        """``backward(T)`` written into the arrays grads = [(dW, db), ...]; returns grads.

        The same loop as ``backward``: dW = X^T delta, db = row sum of delta,
        delta of the layer below = delta W^T * f'. Only the gradients go into
        reused arrays (no dX for the bottom layer, no delta kept on the
        layers): fresh arrays of 100 KB and more on every batch make the
        system hand the memory back and fault it in again, which doubles the
        time of an epoch.
        """
        delta = self.output_delta(T)
        for l in reversed(range(len(self.layers))):
            layer = self.layers[l]
            dW, db = grads[l]
            np.dot(layer.X.T, delta, out=dW)
            delta.sum(axis=0, out=db)
            if l > 0:
                below = self.layers[l - 1]
                delta = np.dot(delta, layer.W.T) * below.activation.derivative_from_output(below.Y)
        return grads

    def _training_buffers(self, batch_size):
        """The arrays fit reuses on every batch: (Xb, Tb, [(dW, db), ...]).

        Kept on the network for later calls of fit with the same batch size.
        """
        shapes = (batch_size, [layer.W.shape for layer in self.layers])
        if self._fit_buffers is None or self._fit_buffers[0] != shapes:
            Xb = np.empty((batch_size, self.sizes[0]), dtype=self.dtype)
            Tb = np.empty((batch_size, self.sizes[-1]), dtype=self.dtype)
            grads = [(np.empty_like(layer.W), np.empty_like(layer.b)) for layer in self.layers]
            self._fit_buffers = (shapes, (Xb, Tb, grads))
        return self._fit_buffers[1]

    def _new_history(self, with_validation):
        keys = ["epoch", "loss"]
        if self.is_classifier:
            keys.append("accuracy")
        if with_validation:
            keys += ["val_loss", "val_accuracy"] if self.is_classifier else ["val_loss"]
        return {key: [] for key in keys}

    def _record_epoch(self, history, epoch, loss_sum, correct, m, X_val, T_val):
        """Append one epoch to the history: its mean loss, accuracy and the held-out scores."""
        history["epoch"].append(epoch + 1)
        history["loss"].append(loss_sum / m)
        if self.is_classifier:
            history["accuracy"].append(correct / m)
        if X_val is not None:
            J, accuracy = evaluate(self, X_val, T_val)
            history["val_loss"].append(J)
            if self.is_classifier:
                history["val_accuracy"].append(accuracy)

    def __repr__(self):
        arch = "-".join(str(n) for n in self.sizes)
        hidden = f"hidden={self.hidden_activation}, " if len(self.sizes) > 2 else ""
        return (
            f"MLP({arch}, {hidden}output={self.output_activation},"
            f" loss={self.loss_name}, init={self.init}, {self.n_params} parameters)"
        )

    @property
    def n_params(self):
        """Number of weights and biases."""
        return sum(layer.W.size + layer.b.size for layer in self.layers)


def _batches(X, T, buffers, rng, shuffle):
    """The epoch's mini-batches (Xb, Tb), gathered into the reused arrays of ``buffers``."""
    Xb_full, Tb_full, _ = buffers
    m, batch_size = X.shape[0], Xb_full.shape[0]
    order = rng.permutation(m) if shuffle else np.arange(m)
    for start in range(0, m, batch_size):
        idx = order[start:start + batch_size]
        Xb, Tb = Xb_full[: len(idx)], Tb_full[: len(idx)]
        # mode="clip" changes nothing here (idx is a permutation, always in
        # range); the default mode="raise" would copy through a temporary.
        X.take(idx, axis=0, out=Xb, mode="clip")
        T.take(idx, axis=0, out=Tb, mode="clip")
        yield Xb, Tb


class _FunctionCallback:
    def __init__(self, function):
        self.on_epoch_end = function


def _as_callback(cb):
    hooks = ("on_train_begin", "on_batch_end", "on_epoch_end", "on_train_end")
    if any(hasattr(cb, h) for h in hooks):
        return cb
    if callable(cb):
        return _FunctionCallback(cb)
    raise TypeError(f"each callback must have an on_epoch_end/on_batch_end method or be callable, got {cb!r}")


def _call(callbacks, hook, net, info):
    result = None
    for cb in callbacks:
        method = getattr(cb, hook, None)
        if method is not None and method(net, info) is False:
            result = False
    return result
