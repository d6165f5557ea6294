"""LossLandscape: a two-direction slice of an MLP's loss around its weights.

    rec = PathRecorder()
    net.fit(X, T, epochs=50, callbacks=[rec])
    LossLandscape(net, X, T, path=rec)      # contour + 3-D view, Play along the path

The slice (Li et al. 2018, *Visualizing the Loss Landscape of Neural Nets*):
pick two directions d1, d2 in weight space and evaluate

    J(alpha, beta) = J(theta* + alpha d1 + beta d2)

on a grid, where theta* are the trained weights, so the centre (0, 0) is the
trained network. Random directions are rescaled filter by filter: the
column of d that feeds unit j gets the norm of the column of W that feeds
unit j, so a step of 1 along d changes every unit's weights by about their own
size, whatever the layer's scale ("filter normalisation"). Bias directions
are zero, as in the paper.

A training path theta_0, theta_1, ... is projected onto the plane by least
squares: (alpha_t, beta_t) minimise || theta_t - theta* - alpha d1 - beta d2 ||.
Random directions are nearly orthogonal to any path in many dimensions, so
the projected path looks short; ``directions="pca"`` uses the two principal
directions of the path itself instead (section 7 of the paper), which show
it best.

The grid is computed in vectorised batches: the weights of many grid points
are stacked, (c, n_in, n_out), and one batched matmul runs the forward pass
of all of them at once.
"""

import numpy as np

from mlp_lib._checks import MAX_GRID_STEPS, check_params, check_positive_int, check_widget_options
from mlp_lib.network import MLP, mean_loss, output_preactivation
from mlp_lib.plots import COLORS, SEQUENTIAL_CMAP, new_figure
from mlp_lib.threads import single_threaded_blas
from mlp_lib.widgets._base import FrameWidget

NORMALIZATIONS = ("filter", "layer", "none")
DIRECTIONS = ("random", "pca")


class PathRecorder:
    """A callback for ``MLP.fit`` that keeps a copy of the weights as training goes.

    every: keep a snapshot every this many epochs (the last epoch is always kept).
    After fit: ``.snapshots`` a list of [(W, b), ...] (as from
    ``net.get_params()``), the first taken before training; ``.epochs`` the
    epoch of each snapshot (0 = before training).
    Each fit starts a new path.
    """

    def __init__(self, every=1):
        self.every = check_positive_int(every, "every")
        self.snapshots = []
        self.epochs = []

    def on_train_begin(self, net, info):
        self.snapshots = [net.get_params()]
        self.epochs = [0]

    def on_epoch_end(self, net, info):
        epoch = info["epoch"] + 1
        if epoch % self.every == 0:
            self.snapshots.append(net.get_params())
            self.epochs.append(epoch)

    def on_train_end(self, net, info):
        final = net.get_params()
        last = self.snapshots[-1] if self.snapshots else None
        if last is None or any(not np.array_equal(W, W2) or not np.array_equal(b, b2)
                               for (W, b), (W2, b2) in zip(last, final)):
            self.snapshots.append(final)
            self.epochs.append(info["epoch"] + 1)

    def __len__(self):
        return len(self.snapshots)

    def __repr__(self):
        return f"PathRecorder({len(self.snapshots)} snapshots)"


# ---- weights as flat vectors ----------------------------------------------
def flatten(params):
    """[(W, b), ...] -> one vector of every weight and bias, layer by layer."""
    return np.concatenate([np.concatenate([np.ravel(W), np.ravel(b)]) for W, b in params])


def unflatten(vector, like):
    """The inverse of ``flatten``: a vector -> [(W, b), ...] shaped like ``like``."""
    out, i = [], 0
    for W, b in like:
        W_new = vector[i:i + W.size].reshape(W.shape)
        i += W.size
        b_new = vector[i:i + b.size].reshape(b.shape)
        i += b.size
        out.append((W_new, b_new))
    return out


def random_direction(params, rng, normalization="filter"):
    """A random direction shaped like params [(W, b), ...], rescaled as in Li et al. 2018.

    normalization: "filter" (each column d[:, j], the weights into unit j,
    gets the norm of W[:, j]), "layer" (each d gets the norm of its W) or
    "none" (plain standard normal). Bias directions are zero.
    """
    direction = []
    for W, b in params:
        d = rng.standard_normal(W.shape)
        if normalization == "filter":
            d *= np.linalg.norm(W, axis=0) / np.maximum(np.linalg.norm(d, axis=0), 1e-12)
        elif normalization == "layer":
            d *= np.linalg.norm(W) / max(np.linalg.norm(d), 1e-12)
        direction.append((d, np.zeros_like(b)))
    return direction


def project_path(path, center, d1, d2):
    """Least-squares coordinates of each snapshot in the plane center + alpha d1 + beta d2.

    path: list of [(W, b), ...]; center, d1, d2: [(W, b), ...].
    Returns (len(path), 2): (alpha_t, beta_t) per snapshot.
    """
    D = np.column_stack([flatten(d1), flatten(d2)])  # (n_params, 2)
    offsets = np.column_stack([flatten(p) - flatten(center) for p in path])  # (n_params, n)
    coords, *_ = np.linalg.lstsq(D, offsets, rcond=None)
    return coords.T


def pca_directions(path, center):
    """The two principal directions (unit vectors) of the path's snapshots around their mean.

    Returns d1, d2 ([(W, b), ...]) and the share of the path's variance each explains.
    """
    M = np.stack([flatten(p) - flatten(center) for p in path])  # (n, n_params)
    M = M - M.mean(axis=0)
    _, s, Vt = np.linalg.svd(M, full_matrices=False)
    share = s**2 / max(np.sum(s**2), 1e-300)
    return unflatten(Vt[0], center), unflatten(Vt[1], center), share[:2]


def stacked_losses(net, X, T, center, d1, d2, coords, max_bytes=32e6):
    """J(center + alpha d1 + beta d2) for many (alpha, beta) at once.

    coords: (P, 2). The points go through the network in chunks of c points:
    the weights of a chunk are stacked to (c, n_in, n_out), so each layer is
    one batched matmul, (c, m, n_in) @ (c, n_in, n_out), in the network's own
    forward pass (``output_preactivation``) and loss (``mean_loss``).
    Returns (P,) losses.
    """
    coords = np.asarray(coords, dtype=float).reshape(-1, 2)
    m = X.shape[0]
    widest = max(net.sizes)
    chunk = int(max(1, min(len(coords), max_bytes // (8 * m * widest * 3))))
    out = np.empty(len(coords))
    for start in range(0, len(coords), chunk):
        a = coords[start:start + chunk, 0][:, None, None]
        b = coords[start:start + chunk, 1][:, None, None]
        params = [(W0 + a * W1 + b * W2, b0 + a * b1 + b * b2)  # (c, n_in, n_out), (c, 1, n_out)
                  for (W0, b0), (W1, b1), (W2, b2) in zip(center, d1, d2)]
        A = output_preactivation(net, X, params)  # (c, m, n_out)
        out[start:start + chunk] = [mean_loss(net, A_point, T) for A_point in A]
    return out


def _check_params(params, like, name):
    if not isinstance(params, (list, tuple)) or len(params) != len(like):
        raise ValueError(
            f"{name} must be a list of {len(like)} (W, b) pairs like net.get_params(), got {params!r:.80}"
        )
    for l, (pair, (W, b)) in enumerate(zip(params, like)):
        if (not isinstance(pair, (list, tuple)) or len(pair) != 2
                or np.shape(pair[0]) != W.shape or np.shape(pair[1]) != b.shape):
            got = tuple(np.shape(p) for p in pair) if isinstance(pair, (list, tuple)) else type(pair).__name__
            raise ValueError(f"{name}[{l}] must be (W, b) with shapes {W.shape} and {b.shape}, got {got}")
    return check_params(params, like, np.float64, name)


class LossLandscape(FrameWidget):
    """A 2-D slice of ``net``'s loss on (X, T) around its current weights.

    net: a trained MLP; X: (m, n_in); T: (m, n_out) (or (m,) for one output).
    path: None, a PathRecorder, or a list of snapshots [(W, b), ...] (as
        from ``net.get_params()``), projected onto the slice; Play walks along it.
    directions: "random" (filter-normalised, see ``normalization``), "pca"
        (the path's two principal directions; needs a path), or a pair
        (d1, d2) of [(W, b), ...].
    span: the grid covers alpha, beta in [-span, span]; None picks 1 for
        random directions, or enough to hold the path.
    steps: grid points per axis, odd so that the centre is the trained
        weights exactly. seed: for the random directions.
    log_scale: contour levels and height in log10 J (default True).

    Attributes: ``alphas``, ``betas`` (steps,), ``Z`` (steps, steps) with
    Z[i, j] = J(alpha_j, beta_i), ``path_coords`` (n, 2), ``path_loss`` (n,)
    (the loss at the projected points, on the slice), ``d1``, ``d2``,
    ``explained`` (PCA only), ``grid_time`` (seconds to compute Z).
    """

    frame_label = "epoch"
    play_interval = 150

    def __init__(self, net, X, T, path=None, directions="random", span=None, steps=41, seed=0,
                 normalization="filter", log_scale=True, figsize=(10.0, 4.3)):
        import time

        check_widget_options(seed=seed, figsize=figsize, steps=steps, most_steps=MAX_GRID_STEPS,
                             log_scale=log_scale)
        X, T, path = self._check_arguments(net, X, T, path, span, steps, normalization)
        center = net.get_params()
        d1, d2 = self._pick_directions(directions, center, path, seed, normalization)
        self.net, self.X, self.T = net, X, T
        self.center, self.d1, self.d2 = center, d1, d2
        self.directions = directions if isinstance(directions, str) else "given"
        self.log_scale = bool(log_scale)

        if path is not None:
            self.path_coords = project_path(path, center, d1, d2)
        else:
            self.path_coords = np.zeros((0, 2))
        if span is None:
            reach = np.abs(self.path_coords).max() if len(self.path_coords) else 0.0
            span = max(1.0 if self.directions == "random" else 0.0, 1.15 * reach)
            if span == 0.0:
                span = 1.0
        self.span = float(span)
        self.alphas = np.linspace(-self.span, self.span, steps)
        self.betas = self.alphas.copy()
        self.alphas[steps // 2] = self.betas[steps // 2] = 0.0
        AA, BB = np.meshgrid(self.alphas, self.betas)
        start = time.perf_counter()
        with single_threaded_blas():
            self.Z = stacked_losses(net, X, T, center, d1, d2,
                                    np.column_stack([AA.ravel(), BB.ravel()])).reshape(AA.shape)
            self.grid_time = time.perf_counter() - start
            self.path_loss = (stacked_losses(net, X, T, center, d1, d2, self.path_coords)
                              if len(self.path_coords) else np.zeros(0))
        self.n_frames = max(len(self.path_coords), 1)
        self._build(AA, BB, figsize)
        self.render(self.n_frames - 1)

    def _check_arguments(self, net, X, T, path, span, steps, normalization):
        """(X, T, path) checked; path as a list of snapshots or None. Sets the frames' epochs."""
        if not isinstance(net, MLP):
            raise TypeError(f"net must be an mlp_lib MLP, got {type(net).__name__}")
        X = net._check_X(X)
        T = net._check_T(T, X.shape[0])
        steps = check_positive_int(steps, "steps")
        if steps < 3 or steps % 2 == 0:
            raise ValueError(f"steps must be odd and >= 3 so that the grid's centre is the trained"
                             f" weights, got {steps}")
        if normalization not in NORMALIZATIONS:
            raise ValueError(f"unknown normalization {normalization!r}; valid names are:"
                             f" {', '.join(NORMALIZATIONS)}")
        if span is not None and (isinstance(span, bool) or not isinstance(span, (int, float))
                                 or not np.isfinite(span) or span <= 0):
            raise ValueError(f"span must be a number > 0 or None, got {span!r}")
        self._epochs = None
        if isinstance(path, PathRecorder):
            self._epochs = list(path.epochs)
            path = path.snapshots
        if path is not None:
            if not isinstance(path, (list, tuple)) or len(path) == 0:
                raise ValueError(f"path must be a PathRecorder or a non-empty list of snapshots"
                                 f" [(W, b), ...], got {path!r:.80}")
            center = net.get_params()
            path = [_check_params(p, center, f"path[{t}]") for t, p in enumerate(path)]
        return X, T, path

    def _pick_directions(self, directions, center, path, seed, normalization):
        """(d1, d2): random, the path's principal directions, or the given pair. Sets ``explained``."""
        self.explained = None
        if isinstance(directions, (list, tuple)) and len(directions) == 2:
            return (_check_params(directions[0], center, "directions[0]"),
                    _check_params(directions[1], center, "directions[1]"))
        if not isinstance(directions, str):
            raise TypeError(f"directions must be 'random', 'pca' or a pair (d1, d2), got {directions!r:.80}")
        if directions not in DIRECTIONS:
            raise ValueError(f"unknown directions {directions!r}; valid: 'random', 'pca'"
                             " or a pair (d1, d2) of [(W, b), ...]")
        if directions == "random":
            rng = np.random.default_rng(seed)
            return random_direction(center, rng, normalization), random_direction(center, rng, normalization)
        if path is None or len(path) < 3:
            raise ValueError("directions='pca' needs a path of at least 3 snapshots"
                             " (record one with PathRecorder)")
        d1, d2, self.explained = pca_directions(path, center)
        return d1, d2

    def _height(self, J):
        return np.log10(np.maximum(J, 1e-12)) if self.log_scale else J

    def _build(self, AA, BB, figsize):
        self.fig = fig = new_figure(figsize, layout=None)
        from matplotlib.ticker import FormatStrFormatter, MaxNLocator

        self.ax = ax = fig.add_axes([0.09, 0.12, 0.36, 0.76])
        self.ax3d = ax3 = fig.add_axes([0.5, 0.02, 0.48, 0.92], projection="3d")
        H = self._height(self.Z)
        levels = np.linspace(H.min(), H.max(), 16)
        filled = ax.contourf(AA, BB, H, levels=levels, cmap=SEQUENTIAL_CMAP)
        # solid lines: a single-colour contour would draw negative levels (log10 J < 0) dashed
        ax.contour(AA, BB, H, levels=levels, colors="white", linewidths=0.4, alpha=0.6,
                   linestyles="solid")
        cbar = fig.colorbar(filled, ax=ax, fraction=0.05, pad=0.02)
        zlabel = "log$_{10}$ J" if self.log_scale else "J"
        cbar.set_label(zlabel)
        cbar.ax.yaxis.set_major_locator(MaxNLocator(6))
        cbar.ax.yaxis.set_major_formatter(FormatStrFormatter("%.1f"))
        # few tick labels: text is most of the cost of a frame
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.yaxis.set_major_locator(MaxNLocator(5))
        label = {"random": "random direction", "pca": "principal direction", "given": "direction"}[
            self.directions]
        ax.set_xlabel(rf"$\alpha$ ({label} 1)")
        ax.set_ylabel(rf"$\beta$ ({label} 2)")
        # the star is drawn over the path's marker, which ends on it
        (self._star,) = ax.plot([0], [0], ls="none", marker="*", ms=16, color=COLORS["orange"],
                                mec="black", zorder=6, label="trained weights (0, 0)")
        (self._path_line,) = ax.plot([], [], color="white", lw=1.8, zorder=3)
        (self._path_dots,) = ax.plot([], [], ls="none", marker="o", ms=3, color="white", zorder=3)
        (self._marker,) = ax.plot([], [], ls="none", marker="o", ms=10, color=COLORS["vermillion"],
                                  mec="white", zorder=5, label="training path")
        ax.plot([], [], color="white", lw=0.8, label=f"contour lines of {zlabel}")
        ax.legend(loc="upper right", fontsize=8, framealpha=0.85, facecolor="0.75")
        ax.set_xlim(self.alphas[0], self.alphas[-1])
        ax.set_ylim(self.betas[0], self.betas[-1])
        # a plain text, not ax.set_title: a title's automatic placement
        # misbehaves once freeze_background has hidden the axis
        self._title = ax.text(0.5, 1.02, "", transform=ax.transAxes, ha="center", va="bottom",
                              fontsize=10)

        ax3.computed_zorder = False  # keep the path drawn over the surface
        stride = max(1, (len(self.alphas) - 1) // 16)  # about 16 x 16 faces keep a frame fast
        ax3.plot_surface(AA, BB, H, cmap=SEQUENTIAL_CMAP, rstride=stride, cstride=stride,
                         linewidth=0, antialiased=False, alpha=0.85)
        ax3.set_xlabel(r"$\alpha$", labelpad=2)
        ax3.set_ylabel(r"$\beta$", labelpad=2)
        ax3.set_zlabel(zlabel, labelpad=0)
        ax3.tick_params(labelsize=7, pad=-1)
        for axis in (ax3.xaxis, ax3.yaxis, ax3.zaxis):
            axis.set_major_locator(MaxNLocator(4))
        ax3.view_init(elev=35, azim=-60)
        lift = 0.02 * (H.max() - H.min())
        self._lift = lift
        (self._star3d,) = ax3.plot(
            [0], [0], [self._height(self.Z[len(self.betas) // 2, len(self.alphas) // 2]) + lift],
            ls="none", marker="*", ms=14, color=COLORS["orange"], mec="black", zorder=12)
        (self._path3d,) = ax3.plot([], [], [], color="white", lw=2, zorder=10)
        (self._marker3d,) = ax3.plot([], [], [], ls="none", marker="o", ms=8,
                                     color=COLORS["vermillion"], mec="white", zorder=11)
        if not len(self.path_coords):
            self._marker.set_label("_none")
            ax.legend(loc="upper right", fontsize=8, framealpha=0.85, facecolor="0.75")

    def live_artists(self):
        # contours, surface and labels never change: they are kept as one picture
        return [self._path_line, self._path_dots, self._marker, self._star, self._path3d,
                self._marker3d, self._star3d, self._title]

    def alt_text(self):
        return (f"Contours and a 3-D surface of the loss J on a two-direction slice through the"
                f" trained weights (the star at the centre); {self._title.get_text()}")

    def render(self, frame):
        """Draw the path up to snapshot ``frame`` and mark where training was then."""
        frame = self._check_frame(frame)
        if not len(self.path_coords):
            J0 = self.Z[len(self.betas) // 2, len(self.alphas) // 2]
            self._title.set_text(f"J at the trained weights = {J0:.4g}"
                                 f"  ({self.grid_time:.2f} s for the grid)")
            return
        a, b = self.path_coords[: frame + 1, 0], self.path_coords[: frame + 1, 1]
        z = self._height(self.path_loss[: frame + 1]) + self._lift
        self._path_line.set_data(a, b)
        self._path_dots.set_data(a, b)
        self._marker.set_data([a[-1]], [b[-1]])
        self._path3d.set_data_3d(a, b, z)
        self._marker3d.set_data_3d([a[-1]], [b[-1]], [z[-1]])
        if self._epochs and frame < len(self._epochs):
            where = f"epoch {self._epochs[frame]}"
        else:
            where = f"snapshot {frame}"
        self._title.set_text(f"{where}: J on the slice = {self.path_loss[frame]:.4g}")

    def __repr__(self):
        return (f"LossLandscape({len(self.alphas)}x{len(self.betas)} grid, span {self.span:g},"
                f" {self.directions} directions, {len(self.path_coords)} path points)")
