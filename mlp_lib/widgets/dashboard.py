"""TrainingDashboard: live loss and accuracy curves while ``MLP.fit`` runs.

    dash = TrainingDashboard(X_val=X_test, T_val=T_test, every=20)
    history = net.fit(X, T, epochs=30, lr=0.1, callbacks=[dash])
    dash          # afterwards: replay the run epoch by epoch with Play

The dashboard is a callback (``on_train_begin``, ``on_batch_end``,
``on_epoch_end``, ``on_train_end``) and a FrameWidget (``.fig``,
``.n_frames`` = epochs recorded, ``.render(frame)``). It shows a progress
bar, train and test loss and accuracy against epochs and, given 2-D training
data, the decision boundary as it forms.

Cost: it redraws one reused figure at most every ``every`` batches, and only
while the pictures so far, this one and the final one fit in its budget
(``budget=0.1``: 10 % of the expected training time). In a notebook the
final picture is drawn when the cell's code has finished, like a plot made
after training. The first live
picture waits ``delay`` seconds, so a run shorter than that shows only its
final picture. Pictures go to the notebook as PNGs made in one draw (the
notebook's own figure display would draw twice). Headless, the final picture
stays in the notebook. It reads the weights and never writes them, and it
scores the network with ``mlp_lib.network.evaluate`` (on one BLAS thread),
which leaves the layers' caches alone, so training gives the same weights
with or without it. A test accuracy shown for an epoch that was not scored
(the budget skipped it) is marked stale, with the epoch it comes from.

After the run (the final picture, the replay, any ``render(frame)``) the
whole run's axis limits are fixed and everything but the curves, the bar and
the boundary image is frozen into one picture
(``FrameWidget.freeze``), so a frame is quick (tick labels, legend and
axis labels are not redrawn). The next ``fit`` thaws it.
"""

import time

import numpy as np

from mlp_lib._checks import as_float_array, check_positive_int, check_widget_options
from mlp_lib.network import evaluate, output_preactivation
from mlp_lib.plots import COLORS, CYCLE, grid_2d, new_figure, plot_classes
from mlp_lib.threads import single_threaded_blas
from mlp_lib.widgets._base import FrameWidget


def _labels_from(T):
    """Class labels (m,) from one-hot T (m, k), probabilities (m, 1) or labels (m,)."""
    if T.ndim == 1:
        return T.astype(int) if np.all(T == np.round(T)) else (T > 0.5).astype(int)
    if T.shape[1] == 1:
        return (T[:, 0] > 0.5).astype(int)
    return T.argmax(axis=1)


def _paired_rows(X_val, T_val):
    """(X_val, T_val) checked: both None, or (m, n) and (m, k) arrays with the same rows."""
    if (X_val is None) != (T_val is None):
        raise ValueError("give both X_val and T_val, or neither")
    if X_val is None:
        return None, None
    X_val = as_float_array(X_val, "X_val", ndim=2)
    T_val = as_float_array(T_val, "T_val")
    if T_val.ndim == 1:
        T_val = T_val.reshape(-1, 1)
    if len(X_val) != len(T_val):
        raise ValueError(
            f"X_val and T_val must have the same number of rows, got {len(X_val)} and {len(T_val)}"
        )
    return X_val, T_val


def _boundary_data(X_train, T_train):
    """(X_train, labels) for the decision boundary, checked; (None, None) without them."""
    if (X_train is None) != (T_train is None):
        raise ValueError("give both X_train and T_train (for the decision boundary), or neither")
    if X_train is None:
        return None, None
    X_train = as_float_array(X_train, "X_train", ndim=2)
    if X_train.shape[1] != 2:
        raise ValueError(
            "X_train is only used to draw a 2-D decision boundary, so it must have shape"
            f" (m, 2), got {X_train.shape}"
        )
    labels = _labels_from(as_float_array(T_train, "T_train"))
    if len(labels) != len(X_train):
        raise ValueError(
            f"X_train and T_train must have the same number of rows, got {len(X_train)}"
            f" and {len(labels)}"
        )
    return X_train, labels


def _finite(x, y):
    """The points of (x, y) where y is a number (epochs whose test set was not scored are nan)."""
    keep = [i for i, v in enumerate(y) if np.isfinite(v)]
    return [x[i] for i in keep], [y[i] for i in keep]


def _log_ticks(lo, hi, most=6):
    """Tick values 1, 2, 5 x 10^k inside [lo, hi] (only 1 x 10^k when that gives too many)."""
    decades = np.arange(np.floor(np.log10(lo)), np.ceil(np.log10(hi)) + 1)
    for subs in ((1.0, 2.0, 5.0), (1.0, 3.0), (1.0,)):
        ticks = [s * 10.0**d for d in decades for s in subs if lo <= s * 10.0**d <= hi]
        if len(ticks) <= most:
            return ticks
    step = int(np.ceil(len(ticks) / most))
    return ticks[::step]


class TrainingDashboard(FrameWidget):
    """A callback for ``MLP.fit`` that draws the run as it happens.

    X_val, T_val: optional held-out data, (m_val, n_in) and (m_val, n_out),
        scored after every epoch for the "test" curves (after fewer epochs
        if scoring every epoch would break the budget; always after the
        first and the last). Without them the
        dashboard shows the ``val_loss`` that ``fit`` computes when it gets
        X_val/T_val itself, or train curves only.
    every: redraw at most every this many batches (an int >= 1).
    X_train, T_train: optional training data with 2 features; the decision
        boundary is then drawn on a grid covering it. T_train may be
        one-hot (m, k), (m, 1) probabilities or (m,) labels.
    live: draw during training (True), or only when training ends (False);
        None (default) draws live inside a notebook kernel only.
    delay: seconds of training before the first live picture (a run shorter
        than that shows only its final picture).
    budget: the share of the (expected) training time that the dashboard may
        take for drawing and scoring X_val, in (0, 1]; the final picture is
        always drawn. 1 means no limit beyond ``every``.
    grid_steps: resolution of the decision-boundary grid.

    After ``fit``: ``.history`` (per epoch: "epoch", "loss", "accuracy",
    "val_loss", "val_accuracy", "time"), ``.n_frames`` (epochs recorded),
    ``.n_redraws`` (live pictures drawn during training), ``.draw_time``
    (seconds they took), ``.eval_time`` (seconds scoring X_val),
    ``.train_time`` (seconds from the start to the end of fit) and
    ``.final_draw_time`` (seconds for the final picture). Display the object
    to replay the run with Play.
    """

    frame_label = "epoch"
    play_interval = 150
    description = "live loss and accuracy curves of a training run, with a progress bar"

    def alt_text(self):
        return f"{self.description}: {self._bar_text.get_text()}"

    def __init__(self, X_val=None, T_val=None, every=10, X_train=None, T_train=None,
                 live=None, budget=0.1, delay=0.3, grid_steps=40, figsize=None):
        check_widget_options(figsize=figsize, grid_steps=grid_steps, budget=budget, delay=delay)
        self.every = check_positive_int(every, "every")
        self.X_val, self.T_val = _paired_rows(X_val, T_val)
        self.X_train, self.labels_train = _boundary_data(X_train, T_train)
        if live not in (None, True, False):
            raise TypeError(f"live must be True, False or None, got {live!r}")
        self.live = live
        if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not 0 < budget <= 1:
            raise ValueError(f"budget must be a number in (0, 1] (a share of the time), got {budget!r}")
        self.budget = float(budget)
        if isinstance(delay, bool) or not isinstance(delay, (int, float)) or not delay >= 0:
            raise ValueError(f"delay must be a number of seconds >= 0, got {delay!r}")
        self.delay = float(delay)
        self.grid_steps = check_positive_int(grid_steps, "grid_steps")
        self._reset_records()
        self._n_batches = 1
        self._run = 0  # which fit: part of the frame cache's key
        self._finished = False  # a run has ended: its frames can be replayed from a frozen figure
        self._final_pending = False
        self._build(figsize)
        self.n_frames = 1
        self.render(0)

    # ---- the figure, built once ------------------------------------------
    def _build(self, figsize):
        boundary = self.X_train is not None
        if figsize is None:
            figsize = (11.0, 3.9) if boundary else (9.0, 3.5)
        # A fixed layout: constrained layout would cost more than the rest of a frame.
        self.fig = fig = new_figure(figsize, layout=None)
        ncols = 3 if boundary else 2
        gs = fig.add_gridspec(2, ncols, height_ratios=[1, 9], left=0.8 / figsize[0], right=0.98, bottom=0.13,
                              top=0.96, wspace=0.3, hspace=0.25)
        self.ax_bar = fig.add_subplot(gs[0, :])
        self.ax_loss = fig.add_subplot(gs[1, 0])
        self.ax_acc = fig.add_subplot(gs[1, 1])

        ax = self.ax_bar
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ax.spines.values():
            side.set_color("#999999")
        from matplotlib.patches import Rectangle

        self._bar = Rectangle((0, 0), 0, 1, color=COLORS["sky"], alpha=0.6)
        ax.add_patch(self._bar)
        self._bar_text = ax.text(0.5, 0.5, "", ha="center", va="center", fontsize=9)

        ax = self.ax_loss
        (self._batch_line,) = ax.plot([], [], color=COLORS["sky"], lw=0.7, alpha=0.6, label="batch")
        (self._loss_line,) = ax.plot([], [], color=COLORS["blue"], lw=2, label="train")
        (self._val_loss_line,) = ax.plot([], [], color=COLORS["vermillion"], lw=2, ls="--", label="test")
        ax.set_yscale("log")
        from matplotlib.ticker import FormatStrFormatter, MaxNLocator, NullLocator

        # Plain tick labels and no minor ticks: mathtext labels ("10^-1") would
        # cost more to draw than everything else in the frame.
        ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss J (log scale)", labelpad=2)
        ax.legend(loc="upper right", fontsize=8)
        ax.grid(alpha=0.3)

        ax = self.ax_acc
        (self._acc_line,) = ax.plot([], [], color=COLORS["blue"], lw=2, label="train")
        (self._val_acc_line,) = ax.plot([], [], color=COLORS["vermillion"], lw=2, ls="--", label="test")
        ax.set_xlabel("epoch")
        ax.set_ylabel("accuracy")
        ax.grid(alpha=0.3)
        for ax in (self.ax_loss, self.ax_acc):
            ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
        self.ax_acc.yaxis.set_major_locator(MaxNLocator(5))

        self.ax_boundary = fig.add_subplot(gs[1, 2]) if boundary else None
        if boundary:
            self._build_boundary(self.ax_boundary)

    def _build_boundary(self, ax):
        """The decision-boundary panel: an image of the class probabilities under the training points."""
        from matplotlib.colors import to_rgb

        xx, yy, self._grid = grid_2d(self.X_train, self.grid_steps)
        extent = (xx.min(), xx.max(), yy.min(), yy.max())
        self._image = ax.imshow(np.ones(xx.shape + (3,)), origin="lower", extent=extent,
                                aspect="auto", interpolation="bilinear", zorder=0)
        plot_classes(ax, self.X_train, self.labels_train, s=10)
        ax.set_ylabel("")
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("decision boundary")
        k = max(int(self.labels_train.max()) + 1, 2)
        self._class_rgb = np.array([to_rgb(CYCLE[c % len(CYCLE)]) for c in range(k)])

    # ---- records -----------------------------------------------------------
    def _reset_records(self):
        self.history = {"epoch": [], "loss": [], "accuracy": [], "val_loss": [],
                        "val_accuracy": [], "time": []}
        self._batch_loss = []  # batch k (counted over the run) ends at epoch (k + 1) / n_batches
        self._snapshots = []
        self._epochs_total = 0
        self.n_redraws = 0
        self.draw_time = 0.0
        self.eval_time = 0.0
        self._eval_estimate = 0.0
        self.final_draw_time = 0.0
        self.train_time = 0.0

    def _boundary_rgb(self, params):
        """Pastel class colours weighted by the predicted probabilities on the grid.

        params: [(W, b), ...] per layer (the live arrays or a snapshot).
        """
        with single_threaded_blas():  # small products: threads cost more than they save
            A = output_preactivation(self._net, self._grid, params)
        P = self._net.layers[-1].activation.function(A)
        if P.shape[1] == 1:
            P = np.hstack([1.0 - P, P])
        rgb = P @ self._class_rgb[: P.shape[1]]
        rgb = 1.0 - 0.45 * (1.0 - rgb)  # lighten towards white so the points stay visible
        return rgb.reshape(self.grid_steps, self.grid_steps, 3)

    # ---- callback hooks ----------------------------------------------------
    def on_train_begin(self, net, info):
        self.thaw()
        self._finished = False
        if self.X_val is not None:
            net._check_X(self.X_val, "X_val")
            net._check_T(self.T_val, len(self.X_val), "T_val")
        if self.X_train is not None and net.sizes[0] != 2:
            raise ValueError(f"X_train has 2 features but the network takes {net.sizes[0]} inputs")
        self._reset_records()
        self._net = net  # its layers and activations; the dashboard never writes the weights
        self._run += 1
        self._epochs_total = int(info.get("epochs", 0))
        self._n_batches = int(info.get("n_batches", 1))
        self._batches_since = 0
        self._t0 = time.perf_counter()
        self.ax_loss.set_xlim(0, max(self._epochs_total, 1))
        self.ax_acc.set_xlim(0, max(self._epochs_total, 1))
        self.ax_acc.set_visible(net.output_activation in ("sigmoid", "softmax"))
        self._live = self._in_kernel() if self.live is None else self.live
        self.n_frames = 1
        self._handle = None
        self._next_draw = self._t0 + self.delay  # a short run shows only its final picture
        self._cost_estimate = 0.1  # seconds per picture until one has been measured

    def on_batch_end(self, net, info):
        # kept short: it runs after every batch
        self._batch_loss.append(info["loss"])
        self._batches_since += 1
        if not (self._live and self._batches_since >= self.every):
            return
        start = time.perf_counter()
        done = len(self._batch_loss) / self._n_batches
        if start < self._next_draw:
            return
        if self.budget < 1.0:
            # room for this picture and the final one within budget x the expected training time
            expected_total = (start - self._t0) * max(self._epochs_total, 1) / done
            spent = self.draw_time + self.eval_time
            if spent + 2.0 * self._cost_estimate > self.budget * expected_total:
                return
        self._update(len(self.history["epoch"]), done, net.parameters(), self._status(done))
        self.show_png(self.current_png())
        self._account_draw(start)

    def on_epoch_end(self, net, info):
        hist = info.get("history", {})
        h = self.history
        h["epoch"].append(info["epoch"] + 1)
        h["loss"].append(hist["loss"][-1] if hist.get("loss") else info["loss"])
        h["time"].append(time.perf_counter() - self._t0)
        if self.X_val is not None:
            J, acc = self._evaluate_within_budget(net, info)
        else:
            J = hist["val_loss"][-1] if hist.get("val_loss") else np.nan
            acc = hist["val_accuracy"][-1] if hist.get("val_accuracy") else np.nan
        h["val_loss"].append(J)
        h["val_accuracy"].append(np.nan if acc is None else acc)
        h["accuracy"].append(hist["accuracy"][-1] if hist.get("accuracy") else np.nan)
        if self.X_train is not None:
            self._snapshots.append(net.get_params())
        self.n_frames = len(h["epoch"])

    def _evaluate_within_budget(self, net, info):
        """Score (X_val, T_val) after this epoch if the budget allows; else (nan, nan).

        The first and the last epoch are always scored. Scoring a large test
        set after every short epoch could cost more than the budget; then
        some epochs are skipped and the test curves have fewer points.
        """
        start = time.perf_counter()
        first, last = not self.history["val_loss"], info["epoch"] + 1 >= self._epochs_total
        spent = self.draw_time + self.eval_time + self._eval_estimate
        # half the budget at most, the rest is for pictures and the per-batch bookkeeping
        if not (first or last or self.budget >= 1.0 or spent <= 0.5 * self.budget * (start - self._t0)):
            return np.nan, np.nan
        with single_threaded_blas():
            J, acc = evaluate(net, self.X_val, self.T_val)
        self._eval_estimate = time.perf_counter() - start
        self.eval_time += self._eval_estimate
        return J, acc

    def on_train_end(self, net, info):
        self.n_frames = max(len(self.history["epoch"]), 1)
        self.frame = self.n_frames - 1
        self.train_time = time.perf_counter() - self._t0
        self._finished = True
        if not self._live:
            self._render(self.frame)  # keep the figure current (no drawing, no freezing inside fit)
            return
        # The final picture is the result of the run, like a plot made after
        # training: inside a notebook it is drawn once the cell's code has
        # finished (IPython's post_execute event), so it does not slow fit.
        shell = self._shell()
        if shell is None:
            self._final_picture()
        elif not self._final_pending:
            self._final_pending = True
            shell.events.register("post_execute", self._final_picture)

    def _final_picture(self):
        """Draw the last epoch and show it (replacing any live picture)."""
        if self._final_pending:
            self._final_pending = False
            self._shell().events.unregister("post_execute", self._final_picture)
        start = time.perf_counter()
        self.show_png(self.frame_png(self.frame))
        self.final_draw_time = time.perf_counter() - start

    # ---- drawing -----------------------------------------------------------
    @staticmethod
    def _in_kernel():
        shell = TrainingDashboard._shell()
        return shell is not None and getattr(shell, "kernel", None) is not None

    @staticmethod
    def _shell():
        """The running IPython shell, or None (plain Python, tests)."""
        try:
            from IPython import get_ipython
        except ImportError:
            return None
        return get_ipython()

    def _account_draw(self, start):
        end = time.perf_counter()
        cost = end - start
        self.draw_time += cost
        self.n_redraws += 1
        self._batches_since = 0
        self._cost_estimate = cost
        # and space the pictures out so that drawing stays within the budget
        self._next_draw = end + cost * (1.0 - self.budget) / self.budget

    def _status(self, done):
        h = self.history
        text = f"epoch {min(int(done) + 1, max(self._epochs_total, 1))}/{self._epochs_total}"
        elapsed = time.perf_counter() - self._t0
        text += f"  ·  {elapsed:.1f} s"
        if done > 0 and self._epochs_total:
            text += f"  ·  about {elapsed * (self._epochs_total - done) / done:.1f} s left"
        return text + _test_accuracy_text(h["epoch"], h["val_accuracy"], len(h["epoch"]) - 1)

    def _update(self, n_epochs, done, boundary_source, text):
        """Show the first ``n_epochs`` epochs, the batch curve up to ``done`` epochs, and the bar."""
        h = self.history
        x = h["epoch"][:n_epochs]
        self._loss_line.set_data(x, h["loss"][:n_epochs])
        self._val_loss_line.set_data(*_finite(x, h["val_loss"][:n_epochs]))
        self._acc_line.set_data(x, h["accuracy"][:n_epochs])
        self._val_acc_line.set_data(*_finite(x, h["val_accuracy"][:n_epochs]))
        n_b = min(int(round(done * self._n_batches)), len(self._batch_loss))
        self._batch_line.set_data(np.arange(1, n_b + 1) / self._n_batches, self._batch_loss[:n_b])
        if self._background is None:  # a frozen (replay) figure keeps the whole run's limits
            self._set_limits(n_epochs, n_b)
        total = max(self._epochs_total, 1)
        self._bar.set_width(min(done / total, 1.0))
        self._bar_text.set_text(text)
        if self.ax_boundary is not None and boundary_source is not None:
            self._image.set_data(self._boundary_rgb(boundary_source))

    def _set_limits(self, n_epochs, n_b):
        """y ranges that hold the first n_epochs epochs and n_b batches."""
        h = self.history
        # the y range follows the epoch curves (single batches may dip far below them)
        losses = [v for v in h["loss"][:n_epochs] + h["val_loss"][:n_epochs] + self._batch_loss[:n_b][:1]
                  if np.isfinite(v) and v > 0]
        if losses:
            lo, hi = min(losses) / 2.0, max(losses + self._batch_loss[:n_b]) * 1.2
            self.ax_loss.set_ylim(lo, hi)
            self.ax_loss.set_yticks(_log_ticks(lo, hi))
        accs = [v for v in h["accuracy"][:n_epochs] + h["val_accuracy"][:n_epochs] if np.isfinite(v)]
        if accs:
            lo = min(accs)
            self.ax_acc.set_ylim(max(0.0, lo - 0.05 * (1.0 - lo) - 0.01), 1.005)

    # ---- replay: a frozen background ----------------------------------------
    def live_artists(self):
        """After a run: what a replay frame changes (else None: live pictures draw everything)."""
        if not (self._finished and self.history["epoch"]):
            return None
        live = [self._batch_line, self._loss_line, self._val_loss_line, self._acc_line,
                self._val_acc_line, self._bar, self._bar_text]
        if self.ax_boundary is not None:
            # the data points must be drawn over the (changing) boundary image
            live.append(self._image)
            live.extend(self.ax_boundary.collections)
        # drawn over the curves, the bar and the image, as in a full draw: the
        # frames of the axes and the legend (a few lines and three words)
        for ax in (self.ax_bar, self.ax_loss, self.ax_acc, self.ax_boundary):
            if ax is not None:
                live.extend(ax.spines.values())
        live.append(self.ax_loss.get_legend())
        return live

    def freeze(self):
        """Fix the whole run's limits and keep everything else as one picture (fast replay frames)."""
        if self._background is None and self.live_artists() is not None:
            self._set_limits(len(self.history["epoch"]), len(self._batch_loss))
        super().freeze()

    def frame_state(self):
        return self._run

    def render(self, frame):
        """Show the run as it was at the end of epoch ``frame + 1``.

        After a run has ended the figure is frozen first (once), so frames are quick.
        """
        if self._finished and self._background is None:
            self._check_frame(frame)
            self.freeze()
        self._render(frame)

    def _render(self, frame):
        if not self.history["epoch"]:
            self._check_frame(frame)
            self._update(0, 0.0, None, "waiting for MLP.fit(..., callbacks=[dashboard])")
            return
        frame = self._check_frame(frame)
        h = self.history
        text = (f"epoch {h['epoch'][frame]}/{self._epochs_total}  ·  {h['time'][frame]:.1f} s"
                f"  ·  train loss {h['loss'][frame]:.3g}")
        text += _test_accuracy_text(h["epoch"], h["val_accuracy"], frame)
        source = self._snapshots[frame] if self._snapshots else None
        self._update(frame + 1, float(h["epoch"][frame]), source, text)

    def __repr__(self):
        return (f"TrainingDashboard(every={self.every}, epochs recorded={len(self.history['epoch'])},"
                f" redraws={self.n_redraws})")


def _test_accuracy_text(epochs, accuracies, frame):
    """"  ·  test accuracy 91.0 %" for epoch ``frame``, marked stale when it was scored earlier."""
    scored = [i for i in range(frame + 1) if np.isfinite(accuracies[i])]
    if not scored:
        return ""
    last = scored[-1]
    text = f"  ·  test accuracy {100 * accuracies[last]:.1f} %"
    if last != frame:
        text += f" (stale: last scored at epoch {epochs[last]})"
    return text
