"""Plots shared by the chapters, and the course's colours.

Imports matplotlib on first use only (``import mlp_lib`` stays fast).
Colours are the Okabe-Ito palette, readable with every common colour-vision
deficiency.
"""

import numpy as np

COLORS = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
CYCLE = [COLORS[c] for c in ("blue", "orange", "green", "vermillion", "sky", "purple", "black")]
DIVERGING_CMAP = "RdBu_r"
"""Signed quantities (deltas, gradients): blue negative, red positive."""
SEQUENTIAL_CMAP = "viridis"


def new_figure(figsize=(6.0, 4.0), **kwargs):
    """A matplotlib Figure that is not managed by pyplot.

    It is drawn with the Agg canvas and never shown twice by the inline
    backend: widgets display it themselves. kwargs go to Figure().
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    kwargs.setdefault("layout", "constrained")
    fig = Figure(figsize=figsize, **kwargs)
    FigureCanvasAgg(fig)
    return fig


def grid_2d(X, steps=200, margin=0.5):
    """A grid covering the rows of X: (m, 2), with a margin.

    Returns xx, yy: (steps, steps) and the grid points as rows: (steps**2, 2).
    """
    X = np.asarray(X, dtype=float)
    lo = X.min(axis=0) - margin
    hi = X.max(axis=0) + margin
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], steps), np.linspace(lo[1], hi[1], steps))
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def plot_classes(ax, X, labels, **kwargs):
    """Scatter 2-D points X: (m, 2) coloured by integer label (m,)."""
    labels = np.asarray(labels)
    for c in np.unique(labels):
        rows = labels == c
        ax.scatter(X[rows, 0], X[rows, 1], s=kwargs.get("s", 18), color=CYCLE[int(c) % len(CYCLE)],
                   edgecolor="white", linewidth=0.5, label=f"class {c}", zorder=3)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return ax


def plot_decision_boundary(ax, predict, X, labels, steps=200, title=None):
    """Shade where ``predict`` says each class, then scatter the data.

    predict: function from points (n, 2) to outputs (n, k) or (n,): class
    probabilities, or a single probability of class 1. X: (m, 2); labels: (m,).
    """
    from matplotlib.colors import ListedColormap

    xx, yy, points = grid_2d(X, steps)
    P = np.asarray(predict(points))
    if P.ndim == 2 and P.shape[1] > 1:
        Z = P.argmax(axis=1)
        k = P.shape[1]
    else:
        Z = (P.reshape(-1) > 0.5).astype(int)
        k = 2
    cmap = ListedColormap(CYCLE[:k])
    ax.contourf(xx, yy, Z.reshape(xx.shape), levels=np.arange(k + 1) - 0.5, cmap=cmap, alpha=0.25)
    if k == 2 and not (P.ndim == 2 and P.shape[1] > 1):
        ax.contour(xx, yy, P.reshape(xx.shape), levels=[0.5], colors="k", linewidths=1)
    plot_classes(ax, X, labels)
    if title:
        ax.set_title(title)
    return ax


def freeze_background(fig, live):
    """Draw everything of ``fig`` except the ``live`` artists once, and keep it as one picture.

    A widget's frame changes only a few artists (a path, a marker, a text);
    the rest (contours, a 3-D surface, tick labels, titles) is the same in
    every frame but costs most of the drawing time. After this call the
    figure shows that unchanging part as a single image on a full-figure
    background axes, and its axes draw only the ``live`` artists on top, so
    ``fig.canvas.draw()`` costs a few milliseconds instead of tens. The
    picture looks the same; what a frame changes must be in ``live``.

    Call it once, after the figure is complete and the live artists are
    created (they are drawn over the whole background, in their zorder).
    The layout is frozen too (no constrained layout on every draw).
    Returns the background axes; ``thaw_background`` undoes the freeze.
    """
    live = list(live)
    live_ids = {id(a) for a in live}
    fig.canvas.draw()  # the layout, with the live artists in it: then keep it fixed
    fig.set_layout_engine("none")
    shown = [(a, a.get_visible()) for ax in fig.axes for a in (ax, *ax.get_children())]
    shown += [(t, t.get_visible()) for t in fig.texts]  # fig.suptitle's text is one of fig.texts
    axes_3d_on = [ax for ax in fig.axes if hasattr(ax, "get_zlim") and ax.axison]
    for artist in live:
        artist.set_visible(False)
    fig.canvas.draw()
    picture = np.array(fig.canvas.buffer_rgba())  # (height, width, 4) at fig.dpi
    region = fig.canvas.copy_from_bbox(fig.bbox)
    for artist in live:
        artist.set_visible(True)
    for ax in list(fig.axes):
        if not any(id(a) in live_ids for a in ax.get_children()):
            ax.set_visible(False)
            continue
        if hasattr(ax, "get_zlim"):  # 3-D axes: panes, grid and ticks go with the axis
            ax.set_axis_off()
        for child in ax.get_children():
            if id(child) not in live_ids:
                child.set_visible(False)
    for text in fig.texts:
        if id(text) not in live_ids:
            text.set_visible(False)
    background = fig.add_axes((0.0, 0.0, 1.0, 1.0), zorder=-10)
    image = _FrozenPicture(background, picture, region, fig.dpi)
    background.add_image(image)
    background.set_xlim(0.0, 1.0)
    background.set_ylim(0.0, 1.0)
    background.set_axis_off()
    background.frozen_state = (shown, axes_3d_on)
    return background


def thaw_background(background):
    """Undo ``freeze_background``: remove its picture and show every artist as before.

    The layout stays fixed; freeze again once the figure has changed.
    """
    shown, axes_3d_on = background.frozen_state
    background.remove()
    for artist, visible in shown:
        artist.set_visible(visible)
    for ax in axes_3d_on:
        ax.set_axis_on()


def _frozen_picture_class():
    from matplotlib.image import AxesImage

    class FrozenPicture(AxesImage):
        """The unchanging part of a figure, drawn by copying its pixels back.

        When the canvas has the size and dpi it had when the picture was taken
        (every ``fig.canvas.draw()``), the saved pixels are copied into the
        renderer (as blitting does). Otherwise (a PNG at another dpi, a cropped
        ``bbox_inches="tight"`` save) it is drawn as an ordinary image.
        """

        def __init__(self, ax, picture, region, dpi):
            super().__init__(ax, extent=(0.0, 1.0, 0.0, 1.0), interpolation="none")
            self.set_data(picture)
            self.frozen_region = region
            self.frozen_size = (picture.shape[1], picture.shape[0])
            self.frozen_dpi = dpi

        def draw(self, renderer):
            same_canvas = (
                hasattr(renderer, "restore_region")
                and (renderer.width, renderer.height) == self.frozen_size
                and renderer.dpi == self.frozen_dpi
            )
            if same_canvas and self.get_visible():
                renderer.restore_region(self.frozen_region)
                self.stale = False
                return
            super().draw(renderer)

    return FrozenPicture


def _FrozenPicture(ax, picture, region, dpi):
    return _frozen_picture_class()(ax, picture, region, dpi)


# ---- chapter 05: comparing runs, confusion matrix, digits -------------------
def plot_runs(ax, runs, x="epoch", y="loss", logy=True, logx=False):
    """One curve per run: runs is {name: history}, each history a dict of lists.

    x: "epoch" or "time" (the "time" list of ``mlp_lib.compare.timed_fit``);
    y: a key such as "loss", "val_loss" or "val_accuracy". Log axes get
    plain tick labels (0.1, 1, 10).
    """
    from matplotlib.ticker import FormatStrFormatter, NullFormatter

    for i, (name, history) in enumerate(runs.items()):
        ax.plot(history[x], history[y], color=CYCLE[i % len(CYCLE)], lw=2, label=name)
    ax.set_xlabel({"epoch": "epoch", "time": "wall time (s)"}.get(x, x))
    ax.set_ylabel(y.replace("_", " "))
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    for axis, log in ((ax.xaxis, logx), (ax.yaxis, logy)):
        if log:
            axis.set_major_formatter(FormatStrFormatter("%g"))
            axis.set_minor_formatter(NullFormatter())
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return ax


def confusion_matrix(labels_true, labels_pred, k=None):
    """Counts C: (k, k), C[i, j] = how many samples of class i were predicted as j."""
    labels_true = np.asarray(labels_true, dtype=int)
    labels_pred = np.asarray(labels_pred, dtype=int)
    if labels_true.shape != labels_pred.shape or labels_true.ndim != 1:
        raise ValueError(
            f"labels_true and labels_pred must be 1-D and the same shape, got {labels_true.shape}"
            f" and {labels_pred.shape}"
        )
    if k is None:
        k = int(max(labels_true.max(), labels_pred.max())) + 1
    C = np.zeros((k, k), dtype=int)
    np.add.at(C, (labels_true, labels_pred), 1)
    return C


def plot_confusion_matrix(ax, labels_true, labels_pred, k=None):
    """Draw the confusion matrix with its counts; the diagonal is what was right. Returns C."""
    C = confusion_matrix(labels_true, labels_pred, k)
    k = C.shape[0]
    shown = np.log1p(C)  # a log scale, so the few mistakes stand out next to the big diagonal
    ax.imshow(shown, cmap="Blues")
    for i in range(k):
        for j in range(k):
            if C[i, j]:
                dark = shown[i, j] > 0.6 * shown.max()
                ax.text(j, i, str(C[i, j]), ha="center", va="center", fontsize=8,
                        color="white" if dark else "black", fontweight="bold" if i != j else None)
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    return C


def plot_digit_grid(ax, images, titles=None, ncols=8, shape=(8, 8)):
    """Small grey images tiled in a grid on one axes (fast: one image, not one axes each).

    images: (n, h*w) rows; titles: n short strings shown above the tiles.
    """
    images = np.asarray(images, dtype=float)
    n = len(images)
    h, w = shape
    ncols = max(1, min(ncols, n))
    nrows = max(1, -(-n // ncols))
    gap_x, gap_y = 2, 5 if titles is not None else 2  # room between tiles for the titles
    H, W = nrows * (h + gap_y), ncols * (w + gap_x)
    mosaic = np.full((H, W), np.nan)
    for i, image in enumerate(images):
        r, c = divmod(i, ncols)
        y0, x0 = r * (h + gap_y) + gap_y - 1, c * (w + gap_x)
        mosaic[y0:y0 + h, x0:x0 + w] = image.reshape(shape)
        if titles is not None:
            ax.text(x0 + w / 2 - 0.5, y0 - 0.7, titles[i], ha="center", va="bottom", fontsize=8)
    import matplotlib

    cmap = matplotlib.colormaps["gray_r"].with_extremes(bad="white")
    ax.imshow(mosaic, cmap=cmap, vmin=0, vmax=np.nanmax(mosaic), interpolation="nearest")
    ax.set_axis_off()
    return ax


def plot_histograms(axes, arrays, titles, bins=40, value_range=None, color=None):
    """One histogram per axes: arrays a list of arrays (flattened), titles a list of strings."""
    for i, (ax, values, title) in enumerate(zip(axes, arrays, titles)):
        ax.hist(np.ravel(values), bins=bins, range=value_range, color=color or CYCLE[i % len(CYCLE)])
        ax.set_title(title, fontsize=9)
        ax.set_yticks([])
    return axes


def plot_gradient_norms(ax, norms, label=None, color=None, marker="o", **kwargs):
    """Per-layer gradient norms on a log axis, layer 1 (first hidden) to the output layer.

    norms: (L,) as from ``mlp_lib.diagnostics.gradient_norms``, bottom layer
    first. kwargs go to ``ax.plot``. Returns the line.
    """
    norms = np.asarray(norms, dtype=float)
    layers = np.arange(1, norms.size + 1)
    (line,) = ax.plot(layers, norms, marker=marker, label=label, color=color, **kwargs)
    ax.set_yscale("log")
    ax.set_xlabel("layer (1 = first hidden layer, last = output layer)")
    ax.set_ylabel(r"$\|\partial J / \partial W\|$")
    return line
