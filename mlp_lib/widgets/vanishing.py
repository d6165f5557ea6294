"""VanishingGradientExplorer: per-layer gradient norms against depth, activation and init.

    from mlp_lib.widgets import VanishingGradientExplorer
    VanishingGradientExplorer(depth=6, activation="sigmoid", init_scale=1.0)

A deep network (``depth`` hidden layers of ``width`` units, one sigmoid
output, binary cross-entropy) is built with weights N(0, (init_scale /
sqrt(width))**2) and trained with plain full-batch gradient descent on a
seeded random batch (or the learner's own X, T). Frame k shows, on a log
axis, ||dJ/dW_l|| for every layer l after k steps; the faint line is step 0.
Controls: depth, activation (sigmoid / tanh / relu) and init scale.
"""

import numpy as np

from mlp_lib import diagnostics
from mlp_lib._checks import (
    as_float_array,
    check_choice,
    check_positive_float,
    check_positive_int,
    check_unit_interval,
    check_widget_options,
)
from mlp_lib.network import mean_loss
from mlp_lib.plots import COLORS, new_figure
from mlp_lib.widgets._base import FrameWidget

ACTIVATION_CHOICES = ("sigmoid", "tanh", "relu")
MAX_DEPTH = 12


class VanishingGradientExplorer(FrameWidget):
    """Per-layer gradient norms of a deep MLP, on a log axis, as it trains.

    depth: hidden layers (1..12); activation: "sigmoid" | "tanh" | "relu";
    init_scale: weights start as N(0, (init_scale / sqrt(width))**2);
    width: units per hidden layer; steps: gradient-descent steps to animate;
    lr: the learning rate η; X, T: optional batch (m, n_in), (m, 1) -- by default
    a seeded random batch of 64 rows (``diagnostics.random_batch``); seed:
    seeds weights and batch.

    After construction (and after every control change):
    ``self.norms``: (steps + 1, depth + 1), row k the norms after k steps,
    bottom layer first; ``self.losses``: (steps + 1,) the loss J at each step.
    """

    frame_label = "GD step"
    play_interval = 150

    def __init__(self, depth=6, activation="sigmoid", init_scale=1.0, width=16, steps=30, lr=0.5,
                 X=None, T=None, seed=0):
        check_widget_options(seed=seed, steps=steps, allow_zero_steps=True)
        self.depth = self._check_depth(depth)
        self.activation = check_choice(activation, "activation", ACTIVATION_CHOICES)
        self.init_scale = check_positive_float(init_scale, "init_scale")
        self.width = check_positive_int(width, "width")
        self.steps = check_positive_int(steps, "steps", allow_zero=True)
        self.lr = check_positive_float(lr, "lr")
        self.seed = seed
        if (X is None) != (T is None):
            raise ValueError("give both X and T, or neither (a seeded random batch is used)")
        if X is None:
            X, T = diagnostics.random_batch(self.width, m=64, seed=seed)
        X = as_float_array(X, "X", ndim=2)
        T = as_float_array(T, "T")
        if T.ndim == 1:
            T = T.reshape(-1, 1)
        if T.shape != (X.shape[0], 1):
            raise ValueError(f"T must have shape ({X.shape[0]}, 1) (one 0/1 target per row of X),"
                             f" got {T.shape}")
        check_unit_interval(T, "T", "the network's output is a sigmoid probability")
        self.X, self.T = X, T
        self._build_figure()
        self.recompute()

    @staticmethod
    def _check_depth(depth):
        depth = check_positive_int(depth, "depth")
        if depth > MAX_DEPTH:
            raise ValueError(f"depth must be between 1 and {MAX_DEPTH}, got {depth}")
        return depth

    # ---- the numbers -----------------------------------------------------
    def make_net(self):
        """The network for the current controls, freshly initialised."""
        return diagnostics.deep_net(self.depth, self.width, self.activation, self.init_scale,
                                    seed=self.seed, n_in=self.X.shape[1])

    def recompute(self):
        """Train a fresh network for ``steps`` steps, recording norms and losses.

        If training diverges (the loss becomes NaN or inf, or grows past 100
        times its start), it stops there: ``self.diverged_at`` is that step
        (else None) and the later frames repeat it.
        """
        net = self.make_net()
        norms, losses = [], []
        self.diverged_at = None
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for step in range(self.steps + 1):
                if self.diverged_at is not None:
                    norms.append(norms[-1])
                    losses.append(losses[-1])
                    continue
                Y = net.forward(self.X)
                loss = mean_loss(net, net.layers[-1].A, self.T, Y)
                grads = net.backward(self.T)
                row = [np.linalg.norm(dW) for dW, _ in grads]
                if not (np.isfinite(loss) and np.all(np.isfinite(row))) or (
                        step > 0 and loss > 100 * max(losses[0], 1.0)):
                    self.diverged_at = step
                    if step > 0 and not (np.isfinite(loss) and np.all(np.isfinite(row))):
                        row, loss = norms[-1], losses[-1]  # keep the last finite picture
                norms.append(row)
                losses.append(loss)
                if step < self.steps:
                    for layer, (dW, db) in zip(net.layers, grads):
                        layer.W -= self.lr * dW
                        layer.b -= self.lr * db
        self.norms = np.array(norms)
        self.losses = np.array(losses)
        self.n_frames = self.steps + 1
        self.set_n_frames(self.n_frames)
        self.thaw()  # the axes change: the next picture freezes a new background
        self._rescale()
        self.render(min(self.frame, self.n_frames - 1))

    # ---- what a frame changes: the current line and its text ------------
    def live_artists(self):
        return [self._line, self._ratio_text]

    def frame_state(self):
        return (self.depth, self.activation, self.init_scale)

    def alt_text(self):
        return (f"Per-layer gradient norms of a network with {self.depth} hidden {self.activation}"
                f" layers (init scale {self.init_scale:g}), on a log axis, after {self.frame} of"
                f" {self.steps} gradient-descent steps; " + self._ratio_text.get_text().replace("\n", " "))

    # ---- drawing ---------------------------------------------------------
    def _build_figure(self):
        self.fig = new_figure(figsize=(7.0, 3.6))
        self.ax = self.fig.add_subplot()
        ax = self.ax
        ax.set_yscale("log")
        from matplotlib.ticker import LogLocator, NullFormatter, NullLocator

        ax.yaxis.set_major_locator(LogLocator(base=10, numticks=8))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("layer (last = output)")
        ax.set_ylabel(r"$\|\partial J / \partial W_l\|$")
        (self._start_line,) = ax.plot([], [], color=COLORS["black"], alpha=0.35, lw=1.5, ls="--",
                                      marker="o", ms=4, label="step 0")
        (self._line,) = ax.plot([], [], color=COLORS["vermillion"], lw=2.5, marker="o", ms=7,
                                label="current step")
        ax.legend(loc="lower right", fontsize=8, frameon=False)
        self._ratio_text = ax.text(0.02, 0.97, "", transform=ax.transAxes, va="top", fontsize=9,
                                   color=COLORS["black"])

    def _rescale(self):
        layers = np.arange(1, self.depth + 2)
        finite = self.norms[np.isfinite(self.norms) & (self.norms > 0)]
        lo, hi = (finite.min(), finite.max()) if finite.size else (1e-8, 1.0)
        # log-axis headroom: the text sits above the lines, the legend below them
        top, bottom = np.log10(hi * 3.0), np.log10(lo / 3.0)
        span = top - bottom
        self.ax.set_ylim(10.0 ** (bottom - 0.18 * span), 10.0 ** (top + 0.3 * span))
        self.ax.set_xlim(0.5, self.depth + 1.5)
        self.ax.set_xticks(layers)
        self._start_line.set_data(layers, self.norms[0])
        self.ax.set_title(f"{self.depth} hidden layers of {self.width} {self.activation} units,"
                          f" init scale {self.init_scale:g}", fontsize=10)

    def render(self, frame):
        """Draw the per-layer norms after ``frame`` gradient-descent steps."""
        frame = self._check_frame(frame)
        norms = self.norms[frame]
        self._line.set_data(np.arange(1, self.depth + 2), norms)
        first, last = norms[0], norms[-1]
        ratio = first / last if last > 0 else np.inf
        if self.diverged_at is not None and frame >= self.diverged_at:
            self._ratio_text.set_text(
                f"step {frame}: training diverged at step {self.diverged_at}"
                f" (loss {self.losses[frame]:.2g}):\nthe gradients exploded; try a smaller init scale"
            )
        else:
            self._ratio_text.set_text(
                f"step {frame}: loss J = {self.losses[frame]:.3f}\n"
                f"first layer / output layer = {ratio:.1e}"
            )

    # ---- controls --------------------------------------------------------
    def extra_controls(self):
        import ipywidgets as widgets

        depth = widgets.IntSlider(value=self.depth, min=1, max=MAX_DEPTH, description="depth",
                                  continuous_update=False)
        activation = widgets.Dropdown(options=list(ACTIVATION_CHOICES), value=self.activation,
                                      description="activation")
        scale = widgets.FloatLogSlider(value=self.init_scale, base=10, min=-1, max=1, step=0.05,
                                       description="init scale", continuous_update=False)

        def changed(_):
            self.depth = depth.value
            self.activation = activation.value
            self.init_scale = float(scale.value)
            self.recompute()  # new axes: it thaws the background
            self.changed()

        for control in (depth, activation, scale):
            control.observe(changed, names="value")
        self.controls = {"depth": depth, "activation": activation, "init_scale": scale}
        return [widgets.HBox([depth, activation, scale])]
