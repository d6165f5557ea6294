"""LossSurfaceExplorer: watch gradient descent walk down a loss surface.

    from mlp_lib.widgets import LossSurfaceExplorer
    LossSurfaceExplorer(X, t)                        # X: (m, 1), t: (m,): y = w x + b
    LossSurfaceExplorer(X, labels, model="logistic") # X: (m, 2), labels in {0, 1}

Three panels: the contours of J over the two parameters with the descent
path, the same surface in 3-D, and the current model on the data (the
fitted line, or the decision boundary and the probability of class 1).
Play and the step slider walk the path; the sliders under them change the
learning rate (log scale), the momentum, the number of steps and the start.

The path is ``mlp_lib.linear_models.descend`` on the model's cost and
gradient (``linear_cost``/``linear_gradient`` or ``logistic_cost``/
``logistic_gradient``), the same SGD/Momentum steps ``MLP.fit`` takes on
the full batch. A run that blows up stops where it leaves a wide box around
the plot; the figure then says "diverging" and the path runs off the plot.
"""


import numpy as np

from mlp_lib._checks import (
    as_float_array,
    check_choice,
    check_positive_float,
    check_positive_int,
    check_widget_options,
)
from mlp_lib.activations import sigmoid
from mlp_lib.linear_models import (
    descend,
    linear_cost,
    linear_gradient,
    logistic_cost,
    logistic_gradient,
)
from mlp_lib.plots import COLORS, SEQUENTIAL_CMAP, new_figure
from mlp_lib.widgets._base import FrameWidget

MODELS = ("linear", "logistic")

ESCAPE = 20.0
"""A run counts as diverged once a parameter is more than ESCAPE half-widths of the plot from its centre."""


def _check_range(value, name):
    if value is None:
        return None
    arr = as_float_array(value, name, ndim=1)
    if arr.shape != (2,) or not arr[0] < arr[1]:
        raise ValueError(f"{name} must be (low, high) with low < high, got {tuple(arr.tolist())}")
    return arr


def _check_momentum(momentum):
    if isinstance(momentum, bool) or not np.isscalar(momentum) or not np.isreal(momentum):
        raise TypeError(f"momentum must be a number in [0, 1), got {momentum!r}")
    if not 0.0 <= float(momentum) < 1.0:
        raise ValueError(f"momentum must be in [0, 1) (0: plain gradient descent), got {momentum}")
    return float(momentum)


class LossSurfaceExplorer(FrameWidget):
    """Gradient descent on the loss surface J of a two-parameter model.

    X, t: the data. model="linear" (default): X (m, 1), t (m,) real
    targets, y = w x + b, J = mean squared error over (w, b).
    model="logistic": X (m, 2), t (m,) in {0, 1}, y = sigmoid(w1 x1 + w2 x2 + bias)
    with the bias held fixed (``bias``, default 0), J = mean binary
    cross-entropy over (w1, w2).

    lr > 0: learning rate (default: about a quarter of the largest stable
    one, 2 / the largest curvature of J, rounded); steps >= 1: gradient-descent steps (frames are
    steps + 1: frame 0 is the start); start: (2,) the first parameters
    (default: a corner of the plot); momentum in [0, 1): 0 is plain descent;
    w_range, b_range: (low, high) of the plotted parameters (first and
    second), default centred on the minimum.

    ``.run`` is the current :class:`mlp_lib.linear_models.DescentRun`;
    ``.verdict`` says in words how the run behaves (good, slow, oscillating,
    diverging). ``set_run(lr=..., start=..., momentum=..., steps=...)``
    changes the run, as the sliders do.
    """

    play_interval = 150

    def __init__(self, X, t, model="linear", lr=None, steps=40, start=None, momentum=0.0,
                 bias=0.0, w_range=None, b_range=None, figsize=(11.0, 3.9)):
        check_widget_options(figsize=figsize)
        self._init_model(X, t, model, lr, steps, start, momentum, bias, w_range, b_range)
        self._build_figure(figsize)
        self._compute_run()
        self.n_frames = self.steps + 1
        self.render(0)

    def _init_model(self, X, t, model, lr, steps, start, momentum, bias, w_range, b_range):
        """Everything but the figure: data, minimum, plotted ranges and run settings."""
        check_widget_options(steps=steps, momentum=momentum, bias=bias)
        self.model = check_choice(model, "model", MODELS)
        self._set_data(X, t, bias)
        self._best = self._find_minimum()
        self._set_ranges(_check_range(w_range, "w_range"), _check_range(b_range, "b_range"))
        self.lr = self._default_lr() if lr is None else check_positive_float(lr, "lr")
        self.steps = check_positive_int(steps, "steps")
        self.start = self._default_start() if start is None else self._check_start(start)
        self.momentum = _check_momentum(momentum)

    # ---- data and model ------------------------------------------------------
    def _set_data(self, X, t, bias):
        n_features = 1 if self.model == "linear" else 2
        X = as_float_array(X, "X", ndim=2)
        if X.shape[1] != n_features:
            what = ("one-feature regression data, shape (m, 1)" if self.model == "linear"
                    else "two-feature class data, shape (m, 2)")
            raise ValueError(f"X must be {what} for model={self.model!r}, got shape {X.shape}")
        t = as_float_array(t, "t")
        if t.shape != (X.shape[0],):
            raise ValueError(
                f"t must have shape ({X.shape[0]},), one target per row of X, got {t.shape}"
                + ("; flatten it with t.ravel()" if t.shape == (X.shape[0], 1) else "")
            )
        if self.model == "logistic" and not np.all((t == 0) | (t == 1)):
            raise ValueError(
                f"t must hold class labels 0 and 1 for model='logistic', got values {np.unique(t)[:5]}"
            )
        if isinstance(bias, bool) or not np.isscalar(bias) or not np.isfinite(bias):
            raise TypeError(f"bias must be a finite number, got {bias!r}")
        self.X, self.t, self.bias = X, t, float(bias)
        if self.model == "linear":
            self.param_names = ("w", "b")
        else:
            self.param_names = ("w_1", "w_2")

    def cost(self, p):
        """J at the parameters p = (w, b) or (w1, w2)."""
        if self.model == "linear":
            return linear_cost(self.X, p[:1], p[1], self.t)
        return logistic_cost(self.X, p, self.bias, self.t)

    def gradient(self, p):
        """dJ/dp at p, shape (2,)."""
        if self.model == "linear":
            dw, db = linear_gradient(self.X, p[:1], p[1], self.t)
            return np.array([dw[0], db])
        return logistic_gradient(self.X, p, self.bias, self.t)[0]

    def _cost_grid(self, P, Q):
        """J on a grid of parameter values P, Q (same shape), vectorised."""
        X, t = self.X, self.t
        if self.model == "linear":
            x = X[:, 0]
            Y = np.multiply.outer(P, x) + Q[..., None]          # (..., m)
            return np.mean((Y - t) ** 2, axis=-1)
        A = np.multiply.outer(P, X[:, 0]) + np.multiply.outer(Q, X[:, 1]) + self.bias
        return np.mean(np.logaddexp(0.0, A) - t * A, axis=-1)   # BCE from the logits

    def _find_minimum(self):
        """The parameters of least J: exact for linear, Newton's method for logistic."""
        X, t = self.X, self.t
        if self.model == "linear":
            A = np.column_stack([X[:, 0], np.ones(len(X))])
            p = np.linalg.lstsq(A, t, rcond=None)[0]
            return p
        p = np.zeros(2)
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(50):
                y = sigmoid(X @ p + self.bias)
                g = X.T @ (y - t) / len(X)
                H = (X.T * (y * (1 - y))) @ X / len(X) + 1e-9 * np.eye(2)
                step = np.linalg.solve(H, g)
                if not np.all(np.isfinite(step)):
                    break
                p = p - step
                if np.linalg.norm(step) < 1e-10 or np.linalg.norm(p) > 50:
                    break
        if np.linalg.norm(p) > 50:  # separable data: no finite minimum; centre on a long way along
            p = p / np.linalg.norm(p) * 10
        return p

    def _set_ranges(self, w_range, b_range):
        half = max(2.0, 1.5 * float(np.max(np.abs(self._best))))
        centre = self._best
        self.ranges = [
            w_range if w_range is not None else np.array([centre[0] - half, centre[0] + half]),
            b_range if b_range is not None else np.array([centre[1] - half, centre[1] + half]),
        ]
        self._centre = np.array([r.mean() for r in self.ranges])
        self._half = np.array([(r[1] - r[0]) / 2 for r in self.ranges])

    def _default_start(self):
        return self._centre + np.array([-0.7, 0.7]) * self._half

    def _curvature(self):
        """The largest eigenvalue of the Hessian of J at the minimum."""
        X = self.X
        if self.model == "linear":
            A = np.column_stack([X[:, 0], np.ones(len(X))])
            H = 2 * A.T @ A / len(X)
        else:
            y = sigmoid(X @ self._best + self.bias)
            H = (X.T * (y * (1 - y))) @ X / len(X)
        return float(max(np.linalg.eigvalsh(H).max(), 1e-12))

    def _default_lr(self):
        """About a quarter of the largest stable learning rate 2/lambda_max, rounded."""
        lr = 0.5 / self._curvature()
        power = 10.0 ** np.floor(np.log10(lr))
        return float(max(d for d in (1, 2, 5) if d * power <= lr) * power)

    def _check_start(self, start):
        start = as_float_array(start, "start", ndim=1)
        if start.shape != (2,):
            raise ValueError(
                f"start must be two numbers ({', '.join(self.param_names)}), got shape {start.shape}"
            )
        return start

    # ---- the run -------------------------------------------------------------
    def set_run(self, lr=None, start=None, momentum=None, steps=None):
        """Change the run (any of lr, start, momentum, steps) and redraw."""
        if lr is not None:
            self.lr = check_positive_float(lr, "lr")
        if start is not None:
            self.start = self._check_start(start)
        if momentum is not None:
            self.momentum = _check_momentum(momentum)
        if steps is not None:
            self.steps = check_positive_int(steps, "steps")
        self._compute_run()
        self.changed(self.steps + 1)

    def _descend(self):
        limit = float(np.max(np.abs(self._centre) + ESCAPE * self._half))
        self.run = descend(self.cost, self.gradient, self.start, self.lr, self.steps,
                           momentum=self.momentum, limit=limit)
        self.verdict = self._judge(self.run)
        return self.run

    def _compute_run(self):
        self._descend()
        colour = COLORS["vermillion"] if self.verdict.startswith("diverging") else COLORS["black"]
        self._verdict_text.set_text(self.verdict)
        self._verdict_text.set_color(colour)
        self._start_marker.set_data([self.start[0]], [self.start[1]])

    def _judge(self, run):
        """One line that names what the run does: diverging, oscillating, slow or good."""
        J = run.costs
        if run.diverged or J[-1] > J[0]:
            return "diverging: J grows instead of falling"
        J_best = min(self.cost(self._best), float(np.min(J)))
        gap = (J - J_best) / max(J[0] - J_best, 1e-12)       # 1 at the start, 0 at the minimum
        far = np.flatnonzero(gap > 0.01)
        settled_at = 0 if far.size == 0 else int(far[-1]) + 1  # from here on J stays close
        settled = settled_at <= run.n_steps
        moves = np.diff(run.params, axis=0)
        turns = np.mean(np.sum(moves[1:] * moves[:-1], axis=1) < 0) if len(moves) > 1 else 0.0
        ups = np.mean(np.diff(J) > 0)
        if turns > 0.3 or ups > 0.2:
            if settled:
                return f"oscillating, settles in {settled_at} steps"
            return "oscillating: zigzags, not settling"
        if not settled:
            return f"slow: still far off after {run.n_steps} steps"
        return f"good: at the minimum in {settled_at} steps"

    # ---- the figure ----------------------------------------------------------
    def _build_figure(self, figsize):
        fig = new_figure(figsize)
        self.fig = fig
        grid = fig.add_gridspec(1, 3, width_ratios=[1.0, 1.15, 1.0])
        ax_c = fig.add_subplot(grid[0])
        ax_3d = fig.add_subplot(grid[1], projection="3d", computed_zorder=False)
        ax_m = fig.add_subplot(grid[2])
        self.ax_contour, self.ax_3d, self.ax_model = ax_c, ax_3d, ax_m
        p_name, q_name = (f"${n}$" for n in self.param_names)

        # contours of J
        self._draw_contours(ax_c)
        (lo_p, hi_p), (lo_q, hi_q) = self.ranges
        loss = "mean squared error" if self.model == "linear" else "cross-entropy"
        ax_c.set_title(f"J({p_name}, {q_name}): {loss}", fontsize=10)

        # the same surface in 3-D, coarse (3-D axes are slow to draw)
        P3, Q3 = np.meshgrid(np.linspace(lo_p, hi_p, 21), np.linspace(lo_q, hi_q, 21))
        J3 = self._cost_grid(P3, Q3)
        ax_3d.plot_surface(P3, Q3, J3, cmap=SEQUENTIAL_CMAP, linewidth=0.2, edgecolor="white",
                           alpha=0.85, antialiased=False)
        ax_3d.set_xlim(lo_p, hi_p)
        ax_3d.set_ylim(lo_q, hi_q)
        ax_3d.set_zlim(0, float(J3.max()))
        self._z_top = 10.0 * float(J3.max())
        ax_3d.view_init(elev=32, azim=-55)
        ax_3d.set_xlabel(p_name, labelpad=-4)
        ax_3d.set_ylabel(q_name, labelpad=-4)
        ax_3d.set_zlabel("J", labelpad=-6)
        ax_3d.tick_params(labelsize=7, pad=0)
        ax_3d.set_title("the same J as a surface", fontsize=10)

        # live artists: the path and where it is now
        path_style = dict(color=COLORS["vermillion"], linewidth=1.6, marker="o", markersize=3)
        (self._path,) = ax_c.plot([], [], **path_style, label="descent path")
        (self._now,) = ax_c.plot([], [], "o", color=COLORS["orange"], markersize=9,
                                 markeredgecolor="black", label="now")
        (self._start_marker,) = ax_c.plot([], [], "s", color="white", markeredgecolor="black",
                                          markersize=6, label="start")
        ax_c.legend(loc="lower left", fontsize=7, framealpha=0.85, handlelength=1.5)
        self._verdict_text = ax_c.text(0.02, 0.97, "", transform=ax_c.transAxes, fontsize=8.5,
                                       va="top", ha="left", fontweight="bold",
                                       bbox=dict(boxstyle="round,pad=0.25", fc="white", ec="none",
                                                 alpha=0.85))
        (self._path3d,) = ax_3d.plot([], [], [], axlim_clip=True, **path_style)
        (self._now3d,) = ax_3d.plot([], [], [], "o", color=COLORS["orange"], markersize=8,
                                    markeredgecolor="black", axlim_clip=True)
        # placeholder text, so that the layout leaves room for the status line
        self._status = fig.suptitle("step 0: J", fontsize=10, family="monospace")
        live = [self._path, self._now, self._start_marker, self._verdict_text,
                self._path3d, self._now3d, self._status]
        live += self._build_model_panel(ax_m)
        self._live = live

    def _draw_contours(self, ax):
        """Filled contours of J over the plotted ranges, and the minimum as a star."""
        (lo_p, hi_p), (lo_q, hi_q) = self.ranges
        P, Q = np.meshgrid(np.linspace(lo_p, hi_p, 80), np.linspace(lo_q, hi_q, 80))
        Jg = self._cost_grid(P, Q)
        J_best = float(min(Jg.min(), self.cost(self._best)))
        levels = J_best + (Jg.max() - J_best) * np.linspace(0, 1, 16)[1:] ** 2
        levels = np.concatenate([[J_best], levels])
        ax.contourf(P, Q, Jg, levels=levels, cmap=SEQUENTIAL_CMAP, extend="max")
        ax.contour(P, Q, Jg, levels=levels[1:], colors="white", linewidths=0.4, alpha=0.6)
        ax.plot(*self._best, marker="*", markersize=13, color="white", markeredgecolor="black",
                linestyle="none", label="minimum")
        ax.set_xlim(lo_p, hi_p)
        ax.set_ylim(lo_q, hi_q)
        ax.set_xlabel(f"${self.param_names[0]}$")
        ax.set_ylabel(f"${self.param_names[1]}$")

    def _build_model_panel(self, ax):
        X, t = self.X, self.t
        if self.model == "linear":
            x = X[:, 0]
            ax.scatter(x, t, s=14, color=COLORS["blue"], edgecolor="white", linewidth=0.4,
                       label="data", zorder=3)
            pad_x = 0.1 * (np.ptp(x) or 1.0)
            pad_t = 0.25 * (np.ptp(t) or 1.0)
            self._xs = np.array([x.min() - pad_x, x.max() + pad_x])
            ax.plot(self._xs, self._best[0] * self._xs + self._best[1], "--", color="0.45",
                    linewidth=1.2, label="best fit")
            (self._model_line,) = ax.plot([], [], color=COLORS["vermillion"], linewidth=2.2,
                                          label="current $y = wx + b$")
            ax.set_xlim(*self._xs)
            ax.set_ylim(t.min() - pad_t, t.max() + pad_t)
            ax.set_xlabel("$x$")
            ax.set_ylabel("$t$ and $y$")
            # no legend (a live line would cross it): the title names the lines
            ax.set_title("current line $y = wx + b$ (orange),\nbest fit (dashed)", fontsize=9.5)
            return [self._model_line]
        from matplotlib.colors import LinearSegmentedColormap

        margin = 0.5
        lo = X.min(axis=0) - margin
        hi = X.max(axis=0) + margin
        self._box = (lo, hi)
        gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], 60), np.linspace(lo[1], hi[1], 60))
        self._grid_points = np.column_stack([gx.ravel(), gy.ravel()])
        cmap = LinearSegmentedColormap.from_list("classes", [COLORS["blue"], "white", COLORS["orange"]])
        self._prob = ax.imshow(np.zeros((60, 60)), origin="lower", extent=(lo[0], hi[0], lo[1], hi[1]),
                               cmap=cmap, vmin=0, vmax=1, alpha=0.55, aspect="auto", interpolation="bilinear")
        scatters = []
        for c, colour in ((0, COLORS["blue"]), (1, COLORS["orange"])):
            rows = t == c
            scatters.append(ax.scatter(X[rows, 0], X[rows, 1], s=14, color=colour, edgecolor="black",
                                       linewidth=0.3, label=f"class {c}", zorder=3))
        (self._model_line,) = ax.plot([], [], color="black", linewidth=2, label="boundary (y = 0.5)")
        ax.set_xlim(lo[0], hi[0])
        ax.set_ylim(lo[1], hi[1])
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.set_title("P(class 1): blue 0 to orange 1;\nblack line: the decision boundary", fontsize=9.5)
        return [self._prob, *scatters, self._model_line]

    # ---- one frame -----------------------------------------------------------
    def render(self, frame):
        """Draw the path up to step ``frame`` (0: the start) and the model at that step."""
        frame = self._check_frame(frame)
        run = self.run
        k = min(frame, run.n_steps)           # a diverged run stops early: show where it left
        P = run.params[: k + 1]
        self._path.set_data(P[:, 0], P[:, 1])
        self._now.set_data([P[k, 0]], [P[k, 1]])
        z = np.nan_to_num(run.costs[: k + 1], nan=self._z_top, posinf=self._z_top)
        z = np.minimum(z, self._z_top)        # off the top of the 3-D box: hidden by axlim_clip
        self._path3d.set_data_3d(P[:, 0], P[:, 1], z)
        self._now3d.set_data_3d(P[k:k + 1, 0], P[k:k + 1, 1], z[-1:])
        self._draw_model(P[k])
        p0, p1 = (n.replace("_", "") for n in self.param_names)
        g = run.grads[k]
        line = (f"step {frame:>3} of {self.steps}   {p0} = {P[k, 0]:.4g}, {p1} = {P[k, 1]:.4g}   "
                f"J = {run.costs[k]:.4g}   ∇J = ({g[0]:.3g}, {g[1]:.3g})   η = {self.lr:.3g}")
        if self.momentum:
            line += f", momentum = {self.momentum:g}"
        if run.diverged and frame >= run.diverged_at:
            line = (f"step {frame:>3}: DIVERGED, stopped at step {run.diverged_at} far outside the plot"
                    f"   η = {self.lr:.3g}")
        self._status.set_text(line)
        self._status.set_color(COLORS["vermillion"] if run.diverged and frame >= run.diverged_at
                               else "black")

    def _draw_model(self, p):
        if self.model == "linear":
            with np.errstate(over="ignore", invalid="ignore"):
                self._model_line.set_data(self._xs, p[0] * self._xs + p[1])
            return
        with np.errstate(over="ignore", invalid="ignore"):
            A = self._grid_points @ p + self.bias
        self._prob.set_data(sigmoid(A).reshape(60, 60))
        (lo, hi) = self._box
        w1, w2 = p
        if abs(w2) >= abs(w1) and w2 != 0:    # x2 = -(w1 x1 + b) / w2
            xs = np.array([lo[0], hi[0]])
            self._model_line.set_data(xs, -(w1 * xs + self.bias) / w2)
        elif w1 != 0:                          # x1 = -(w2 x2 + b) / w1
            ys = np.array([lo[1], hi[1]])
            self._model_line.set_data(-(w2 * ys + self.bias) / w1, ys)
        else:
            self._model_line.set_data([], [])

    def live_artists(self):
        return self._live

    def frame_state(self):
        return (self.lr, self.momentum, self.steps, tuple(self.start))

    def alt_text(self):
        return (f"Contours and a 3-D surface of the cost J over two parameters, with the"
                f" gradient-descent path up to step {self.frame} ({self.verdict});"
                f" the model at that step on the right")

    def extra_controls(self):
        """Learning rate (log scale), momentum, steps and the start point."""
        import ipywidgets as widgets

        lam = self._curvature()
        lo_exp = int(np.floor(np.log10(min(0.005 / lam, self.lr))))
        hi_exp = int(np.ceil(np.log10(max(5.0 / lam, self.lr))))
        style = {"description_width": "80px"}
        layout = widgets.Layout(width="420px")
        lr = widgets.FloatLogSlider(value=self.lr, base=10, min=lo_exp, max=hi_exp, step=0.05,
                                    description="η (lr)", readout_format=".3g", continuous_update=False,
                                    style=style, layout=layout)
        momentum = widgets.FloatSlider(value=self.momentum, min=0.0, max=0.95, step=0.05,
                                       description="momentum", continuous_update=False,
                                       style=style, layout=layout)
        steps = widgets.IntSlider(value=self.steps, min=1, max=max(200, self.steps), description="steps",
                                  continuous_update=False, style=style, layout=layout)
        starts = [
            widgets.FloatSlider(value=float(self.start[i]),
                                min=float(min(self.ranges[i][0], self.start[i])),
                                max=float(max(self.ranges[i][1], self.start[i])),
                                step=float(np.ptp(self.ranges[i]) / 100),
                                description=f"start {self.param_names[i].replace('_', '')}",
                                readout_format=".2f", continuous_update=False, style=style,
                                layout=layout)
            for i in range(2)
        ]

        def changed(_change):
            self.set_run(lr=lr.value, momentum=momentum.value, steps=steps.value,
                         start=[starts[0].value, starts[1].value])

        for control in (lr, momentum, steps, *starts):
            control.observe(changed, names="value")
        self.controls = {"lr": lr, "momentum": momentum, "steps": steps, "start": starts}
        return [widgets.HBox([lr, momentum]), widgets.HBox([steps]), widgets.HBox(starts)]

    def __repr__(self):
        return (f"LossSurfaceExplorer(model={self.model!r}, m={len(self.X)}, lr={self.lr:g}, "
                f"steps={self.steps}, momentum={self.momentum:g}: {self.verdict})")


def plot_descent(ax, X, t, lr, steps=40, model="linear", start=None, momentum=0.0, bias=0.0,
                 w_range=None, b_range=None):
    """One static picture: the contours of J and a whole gradient-descent path on ``ax``.

    The arguments are those of :class:`LossSurfaceExplorer` (same data checks,
    same default start and ranges), so several calls side by side compare
    learning rates. The title says how the run behaves. Returns the
    :class:`mlp_lib.linear_models.DescentRun`.
    """
    surface = LossSurfaceExplorer.__new__(LossSurfaceExplorer)
    surface._init_model(X, t, model, lr, steps, start, momentum, bias, w_range, b_range)
    run = surface._descend()
    surface._draw_contours(ax)
    ax.plot(run.params[:, 0], run.params[:, 1], color=COLORS["vermillion"], linewidth=1.5,
            marker="o", markersize=2.5)
    ax.plot(*surface.start, "s", color="white", markeredgecolor="black", markersize=6)
    name = surface.verdict.split(":")[0].split(",")[0]
    colour = COLORS["vermillion"] if name == "diverging" else "black"
    label = f"η = {surface.lr:g}" + (f", momentum {surface.momentum:g}" if surface.momentum else "")
    ax.set_title(f"{label}: {name}", fontsize=10, color=colour)
    return run
