"""VanishingGradientExplorer: its norms equal a direct computation; controls; bad input."""

import numpy as np
import pytest

from mlp_lib import activations, diagnostics
from mlp_lib.widgets import VanishingGradientExplorer


def direct_norms(weights, biases, X, T, f, f_prime):
    """||dJ/dW_l|| from scratch: hidden f, sigmoid output, mean binary cross-entropy."""
    Ys, As = [X], []
    for l, (W, b) in enumerate(zip(weights, biases)):
        A = Ys[-1] @ W + b
        As.append(A)
        Ys.append(activations.sigmoid(A) if l == len(weights) - 1 else f(A))
    delta = (Ys[-1] - T) / X.shape[0]
    norms = [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        norms[l] = np.sqrt(np.sum((Ys[l].T @ delta) ** 2))
        if l > 0:
            delta = (delta @ weights[l].T) * f_prime(As[l - 1])
    return np.array(norms)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("scale", [0.5, 1.0, 3.0])
def test_norms_equal_direct_computation(activation, scale):
    w = VanishingGradientExplorer(depth=5, activation=activation, init_scale=scale, width=8, steps=3)
    net = w.make_net()
    weights = [layer.W.copy() for layer in net.layers]
    biases = [layer.b.copy() for layer in net.layers]
    act = activations.ACTIVATIONS[activation]
    np.testing.assert_allclose(w.norms[0], direct_norms(weights, biases, w.X, w.T, act.function,
                                                        act.derivative), rtol=1e-9)
    # and after each plain gradient-descent step
    for step in range(1, 4):
        net.forward(w.X)
        for layer, (dW, db) in zip(net.layers, net.backward(w.T)):
            layer.W -= w.lr * dW
            layer.b -= w.lr * db
        weights = [layer.W for layer in net.layers]
        biases = [layer.b for layer in net.layers]
        np.testing.assert_allclose(w.norms[step], direct_norms(weights, biases, w.X, w.T, act.function,
                                                               act.derivative), rtol=1e-8)


def test_shapes_and_initial_weights():
    w = VanishingGradientExplorer(depth=4, width=10, steps=7, init_scale=2.0)
    assert w.norms.shape == (8, 5) and w.losses.shape == (8,) and w.n_frames == 8
    net = w.make_net()
    assert net.sizes == [10, 10, 10, 10, 10, 1]
    W = np.concatenate([layer.W.ravel() for layer in net.layers[:-1]])
    assert np.std(W) == pytest.approx(2.0 / np.sqrt(10), rel=0.15)


def test_sigmoid_vanishes_and_relu_with_he_scale_does_not():
    sig = VanishingGradientExplorer(depth=8, activation="sigmoid", init_scale=1.0, steps=0)
    relu = VanishingGradientExplorer(depth=8, activation="relu", init_scale=np.sqrt(2), steps=0)
    assert sig.norms[0, 0] / sig.norms[0, -1] < 1e-3
    assert 0.1 < relu.norms[0, 0] / relu.norms[0, -1] < 10


def test_render_every_frame_and_reuse_figure():
    w = VanishingGradientExplorer(depth=3, steps=5)
    fig, axes = w.fig, list(w.fig.axes)
    for frame in range(w.n_frames):
        w.render(frame)
        w.fig.canvas.draw()
        np.testing.assert_array_equal(w._line.get_ydata(), w.norms[frame])
    assert w.fig is fig and w.fig.axes == axes
    with pytest.raises(ValueError):
        w.render(w.n_frames)


def test_controls_recompute():
    pytest.importorskip("ipywidgets")
    w = VanishingGradientExplorer(depth=3, steps=4)
    w.extra_controls()
    w.controls["depth"].value = 6
    assert w.norms.shape == (5, 7)
    w.controls["activation"].value = "relu"
    relu = w.norms.copy()
    w.controls["init_scale"].value = 3.0
    assert w.activation == "relu" and w.init_scale == pytest.approx(3.0)
    assert not np.allclose(relu, w.norms)
    assert len(w._line.get_xdata()) == 7


def test_own_data():
    X, T = diagnostics.random_batch(5, m=20, seed=3)
    w = VanishingGradientExplorer(depth=2, X=X, T=T[:, 0], steps=2)
    assert w.make_net().sizes[0] == 5 and w.norms.shape == (3, 3)


def test_bad_arguments():
    with pytest.raises(ValueError, match="depth must be between 1 and 12"):
        VanishingGradientExplorer(depth=13)
    with pytest.raises(ValueError, match="depth must be a positive int"):
        VanishingGradientExplorer(depth=0)
    with pytest.raises(ValueError, match="unknown activation 'softmax'"):
        VanishingGradientExplorer(activation="softmax")
    with pytest.raises(ValueError, match="init_scale must be a finite number > 0"):
        VanishingGradientExplorer(init_scale=-1.0)
    with pytest.raises(ValueError, match="give both X and T"):
        VanishingGradientExplorer(X=np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"T must have shape \(4, 1\)"):
        VanishingGradientExplorer(X=np.zeros((4, 2)), T=np.zeros((4, 2)))


def test_exploding_run_stops_cleanly():
    w = VanishingGradientExplorer(depth=10, activation="relu", init_scale=3.0, steps=10)
    assert w.diverged_at is not None
    assert np.all(np.isfinite(w.norms)) and np.all(np.isfinite(w.losses))
    w.render(w.n_frames - 1)
    w.fig.canvas.draw()
    assert "diverged" in w._ratio_text.get_text()
    calm = VanishingGradientExplorer(depth=4, activation="tanh", steps=10)
    assert calm.diverged_at is None


def _pixels(fig):
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def test_frozen_background_shows_the_same_picture():
    """Frames redraw only the current line and text over a frozen picture: same pixels as a full draw."""
    from mlp_lib.widgets import VanishingGradientExplorer

    explorer = VanishingGradientExplorer(depth=5, activation="tanh", steps=6)
    for depth in (5, 9):  # and again after a control changed the axes
        explorer.depth = depth
        explorer.recompute()
        assert len(explorer.fig.axes) == 1  # recompute leaves the figure thawed
        explorer.frame_png(0)  # the first picture freezes the background
        assert len(explorer.fig.axes) == 2  # the plot and one background, never more
        for frame in (0, 3, explorer.n_frames - 1):
            explorer.render(frame)
            frozen = _pixels(explorer.fig)
            explorer.thaw()
            full = _pixels(explorer.fig)
            explorer.freeze()
            assert np.array_equal(frozen, full), f"depth {depth}, frame {frame}"
        ticks = [t.get_text() for t in explorer.ax.get_xticklabels()]
        assert ticks[-1] == str(depth + 1)
