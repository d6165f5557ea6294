"""LossSurfaceExplorer: every frame renders, the path is gradient descent, divergence is shown."""

import warnings

import numpy as np
import pytest

from mlp_lib import MLP, data
from mlp_lib.widgets import LossSurfaceExplorer


@pytest.fixture(scope="module")
def line_data():
    return data.linear_1d(m=40, seed=3)


@pytest.fixture(scope="module")
def class_data():
    return data.blobs(m=120, seed=2)


def canvas_pixels(widget):
    widget.fig.canvas.draw()
    return np.asarray(widget.fig.canvas.buffer_rgba()).copy()


def test_defaults_and_every_frame_render(line_data):
    X, t = line_data
    explorer = LossSurfaceExplorer(X, t)
    assert explorer.n_frames == explorer.steps + 1
    n_axes = len(explorer.fig.axes)
    for frame in range(explorer.n_frames):
        explorer.render(frame)
        xs, ys = explorer._path.get_data()
        assert len(xs) == frame + 1
        explorer.fig.canvas.draw()
    assert len(explorer.fig.axes) == n_axes  # the one figure is reused, no new axes
    assert explorer.verdict.startswith("good")
    assert "J = " in explorer._status.get_text() and "∇J" in explorer._status.get_text()


def test_logistic_model_renders_every_frame_with_momentum(class_data):
    X, labels = class_data
    explorer = LossSurfaceExplorer(X, labels, model="logistic", momentum=0.5, steps=15)
    assert explorer.param_names == ("w_1", "w_2")
    for frame in range(explorer.n_frames):
        explorer.render(frame)
        explorer.fig.canvas.draw()
    # the probability picture and the boundary follow the current weights
    w = explorer.run.params[-1]
    prob = np.asarray(explorer._prob.get_array())
    assert prob.min() < 0.5 < prob.max()
    bx, by = explorer._model_line.get_data()
    assert np.allclose(w[0] * np.asarray(bx) + w[1] * np.asarray(by), 0.0, atol=1e-9)


def test_frames_change_the_picture(line_data):
    X, t = line_data
    explorer = LossSurfaceExplorer(X, t, steps=10)
    explorer.render(0)
    first = canvas_pixels(explorer)
    explorer.render(10)
    last = canvas_pixels(explorer)
    assert np.mean(np.any(first != last, axis=2)) > 0.001


def test_linear_path_is_mlp_full_batch_gradient_descent(line_data):
    """The path equals MLP.fit on a 1-1 identity/MSE network, full batch, step by step."""
    X, t = line_data
    start, lr, momentum, steps = [-1.0, 2.0], 0.15, 0.6, 12
    explorer = LossSurfaceExplorer(X, t, lr=lr, start=start, momentum=momentum, steps=steps)

    net = MLP([1, 1], output_activation="identity", loss="mse")
    net.set_params([(np.array([[start[0]]]), np.array([start[1]]))])
    seen = [list(start)]

    class Record:
        def on_batch_end(self, net, info):
            (W, b), = net.get_params()
            seen.append([W[0, 0], b[0]])

    net.fit(X, t.reshape(-1, 1), epochs=steps, lr=lr, batch_size=len(X), momentum=momentum,
            shuffle=False, callbacks=[Record()])
    assert np.allclose(explorer.run.params, np.array(seen), rtol=1e-10, atol=1e-12)
    explorer.render(steps)
    xs, ys = explorer._path.get_data()
    assert np.allclose(np.column_stack([xs, ys]), seen)


def test_logistic_path_is_gradient_descent_on_cross_entropy(class_data):
    """An independent loop: w <- w - lr * X^T (sigmoid(X w + b) - t) / m."""
    X, labels = class_data
    explorer = LossSurfaceExplorer(X, labels, model="logistic", lr=2.0, start=[-1.0, 3.0],
                                   steps=10, bias=0.25)
    w = np.array([-1.0, 3.0])
    expected = [w]
    for _ in range(10):
        y = 1.0 / (1.0 + np.exp(-(X @ w + 0.25)))
        w = w - 2.0 * X.T @ (y - labels) / len(X)
        expected.append(w)
    assert np.allclose(explorer.run.params, expected, rtol=1e-10, atol=1e-12)
    J = -np.mean(labels * np.log(y) + (1 - labels) * np.log(1 - y))
    assert explorer.run.costs[-2] == pytest.approx(J)


@pytest.mark.parametrize("lr", [0.9, 5.0, 1e3])
def test_diverging_run_is_shown_as_diverging(line_data, lr):
    X, t = line_data
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow or invalid-value warnings anywhere
        explorer = LossSurfaceExplorer(X, t, lr=lr, steps=60)
        assert explorer.verdict.startswith("diverging")
        assert explorer.run.diverged
        assert explorer._verdict_text.get_text().startswith("diverging")
        pictures = []
        for frame in range(explorer.n_frames):
            explorer.render(frame)
            if frame in (0, explorer.n_frames - 1):
                pictures.append(canvas_pixels(explorer))
    assert "DIVERGED" in explorer._status.get_text()
    xs, ys = explorer._path.get_data()
    assert np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))  # drawable, not NaN
    (w_lo, w_hi), (b_lo, b_hi) = explorer.ranges
    assert not (w_lo <= xs[-1] <= w_hi and b_lo <= ys[-1] <= b_hi)  # it left the plot
    last = pictures[-1]
    assert last[..., :3].std() > 10  # not a blank picture
    assert np.mean(np.any(pictures[0] != last, axis=2)) > 0.001


def test_learning_rates_give_the_four_behaviours(line_data):
    X, t = line_data
    explorer = LossSurfaceExplorer(X, t, steps=40)
    verdicts = {}
    for lr in (0.003, 0.1, 0.6, 0.9):
        explorer.set_run(lr=lr)
        verdicts[lr] = explorer.verdict.split(":")[0].split(",")[0]
    assert verdicts == {0.003: "slow", 0.1: "good", 0.6: "oscillating", 0.9: "diverging"}


def test_set_run_changes_the_frames(line_data):
    X, t = line_data
    explorer = LossSurfaceExplorer(X, t, steps=10)
    explorer.render(10)
    explorer.set_run(steps=5, start=[0.0, 0.0])
    assert explorer.n_frames == 6 and explorer.frame <= 5
    assert np.allclose(explorer.run.params[0], [0.0, 0.0])
    with pytest.raises(ValueError, match="frame must be in 0..5"):
        explorer.render(6)


def test_show_headless_builds_controls_that_change_the_run(line_data, capsys):
    X, t = line_data
    explorer = LossSurfaceExplorer(X, t, steps=10)
    explorer.show()
    assert explorer._play.interval >= 100
    explorer.controls["lr"].value = 0.9
    assert explorer.verdict.startswith("diverging")
    explorer.controls["steps"].value = 20
    assert explorer.n_frames == 21 and explorer._slider.max == 20
    explorer.controls["momentum"].value = 0.5
    assert explorer.run.momentum == 0.5


@pytest.mark.parametrize("args, kwargs, error, match", [
    ("two_features", {}, ValueError, r"X must be one-feature regression data, shape \(m, 1\)"),
    ("flat_x", {}, ValueError, "X must be a 2-D array"),
    ("short_t", {}, ValueError, r"t must have shape \(40,\)"),
    ("column_t", {}, ValueError, r"t\.ravel\(\)"),
    ("ok", {"lr": 0.0}, ValueError, "lr must be a finite number > 0, got 0.0"),
    ("ok", {"lr": -0.5}, ValueError, "lr must be a finite number > 0, got -0.5"),
    ("ok", {"lr": float("nan")}, ValueError, "lr must be a finite number > 0"),
    ("ok", {"lr": "fast"}, TypeError, "lr must be a number"),
    ("ok", {"start": [np.inf, 0.0]}, ValueError, "start contains NaN or inf"),
    ("ok", {"start": [1.0, 2.0, 3.0]}, ValueError, r"start must be two numbers \(w, b\)"),
    ("ok", {"momentum": 1.0}, ValueError, r"momentum must be in \[0, 1\)"),
    ("ok", {"steps": 0}, ValueError, "steps must be a positive int"),
    ("ok", {"model": "quadratic"}, ValueError, "unknown model 'quadratic'; valid names are: linear, logistic"),
    ("ok", {"w_range": (3, 1)}, ValueError, "w_range must be"),
])
def test_bad_arguments_get_clear_errors(line_data, args, kwargs, error, match):
    X, t = line_data
    inputs = {
        "ok": (X, t),
        "two_features": (np.column_stack([X, X]), t),
        "flat_x": (X[:, 0], t),
        "short_t": (X, t[:-1]),
        "column_t": (X, t.reshape(-1, 1)),
    }[args]
    with pytest.raises(error, match=match):
        LossSurfaceExplorer(*inputs, **kwargs)


def test_logistic_bad_arguments(class_data, line_data):
    X, labels = class_data
    with pytest.raises(ValueError, match="class labels 0 and 1"):
        LossSurfaceExplorer(X, labels * 2.0, model="logistic")
    with pytest.raises(ValueError, match=r"two-feature class data, shape \(m, 2\)"):
        LossSurfaceExplorer(line_data[0], line_data[1], model="logistic")
    explorer = LossSurfaceExplorer(X, labels, model="logistic", steps=3)
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        explorer.set_run(lr=-1)
    with pytest.raises(ValueError, match="start contains NaN"):
        explorer.set_run(start=[np.nan, 1.0])


def test_plot_descent_names_the_behaviour(line_data):
    from mlp_lib.plots import new_figure
    from mlp_lib.widgets.loss_surface import plot_descent

    X, t = line_data
    fig = new_figure((8, 3))
    ax1, ax2 = fig.subplots(1, 2)
    slow = plot_descent(ax1, X, t, lr=0.003, steps=20)
    wild = plot_descent(ax2, X, t, lr=0.9, steps=20)
    assert ax1.get_title().endswith("slow") and ax2.get_title().endswith("diverging")
    assert slow.n_steps == 20 and wild.diverged
    fig.canvas.draw()


def _two_panel_figure():
    from mlp_lib.plots import new_figure

    fig = new_figure((6, 3))
    ax1, ax2 = fig.subplots(1, 2)
    ax1.contourf(*np.meshgrid(np.arange(5), np.arange(5)), np.arange(25).reshape(5, 5))
    ax1.set_title("static")
    (line,) = ax2.plot([0, 1], [0, 1], color="red")
    text = fig.suptitle("live title")
    return fig, line, text


def test_freeze_background_draws_the_same_picture():
    from mlp_lib.plots import freeze_background

    reference, line_ref, text_ref = _two_panel_figure()
    frozen, line, text = _two_panel_figure()
    freeze_background(frozen, [line, text])
    for fig, ln, tx in ((reference, line_ref, text_ref), (frozen, line, text)):
        ln.set_data([0, 0.5, 1], [1, 0, 1])
        tx.set_text("frame 7")
        fig.canvas.draw()
    a = np.asarray(reference.canvas.buffer_rgba()).astype(int)
    b = np.asarray(frozen.canvas.buffer_rgba()).astype(int)
    assert a.shape == b.shape
    assert np.mean(np.abs(a - b) > 8) < 0.005  # the same picture, up to antialiasing


def test_widget_saves_at_other_sizes(line_data, tmp_path):
    X, t = line_data
    explorer = LossSurfaceExplorer(X, t, steps=5)
    explorer.render(3)
    explorer.fig.savefig(tmp_path / "big.png", dpi=2 * explorer.fig.dpi)
    explorer.fig.savefig(tmp_path / "tight.png", bbox_inches="tight")
    from matplotlib.image import imread

    big = imread(tmp_path / "big.png")
    assert big.shape[1] == 2 * int(explorer.fig.bbox.width)
    assert big[..., :3].std() > 0.05  # not blank: the background was drawn as an image


def test_thaw_background_restores_every_artist():
    import matplotlib

    matplotlib.use("Agg")
    from mlp_lib.plots import freeze_background, new_figure, thaw_background

    fig = new_figure()
    ax = fig.add_subplot()
    (static,) = ax.plot([0, 1], [0, 1])
    (moving,) = ax.plot([0, 1], [1, 0])
    title = fig.suptitle("a title")
    fig.canvas.draw()
    before = np.asarray(fig.canvas.buffer_rgba()).copy()
    background = freeze_background(fig, [moving])
    assert not static.get_visible() and not title.get_visible() and moving.get_visible()
    thaw_background(background)
    assert static.get_visible() and title.get_visible() and ax.get_visible()
    assert background not in fig.axes
    fig.canvas.draw()
    assert np.array_equal(np.asarray(fig.canvas.buffer_rgba()), before)
