"""LossLandscape: the slice, the projected path, the batched grid, and bad arguments."""

import numpy as np
import pytest

from mlp_lib import MLP
from mlp_lib.data import moons, one_hot, spiral
from mlp_lib.widgets import LossLandscape
from mlp_lib.widgets.landscape import (
    PathRecorder,
    flatten,
    pca_directions,
    project_path,
    random_direction,
    stacked_losses,
    unflatten,
)


@pytest.fixture(scope="module")
def trained():
    X, labels = spiral(30, 3, seed=1)
    T = one_hot(labels, 3)
    net = MLP([2, 10, 8, 3], "tanh", "softmax", "cross_entropy", seed=0)
    rec = PathRecorder()
    net.fit(X, T, epochs=15, lr=0.2, batch_size=10, momentum=0.9, callbacks=[rec])
    return net, X, T, rec


def test_centre_is_the_trained_loss(trained):
    net, X, T, rec = trained
    land = LossLandscape(net, X, T, path=rec, steps=21)
    centre = land.Z[len(land.betas) // 2, len(land.alphas) // 2]
    assert land.alphas[10] == 0.0 and land.betas[10] == 0.0
    assert centre == pytest.approx(net.loss(X, T), rel=1e-12)


def test_path_ends_at_the_origin_and_starts_at_the_initial_weights(trained):
    net, X, T, rec = trained
    assert len(rec.snapshots) == 16 and rec.epochs == list(range(16))
    initial = MLP([2, 10, 8, 3], "tanh", "softmax", "cross_entropy", seed=0).get_params()
    assert np.array_equal(flatten(rec.snapshots[0]), flatten(initial))
    land = LossLandscape(net, X, T, path=rec, steps=11)
    assert land.n_frames == 16
    np.testing.assert_allclose(land.path_coords[-1], [0.0, 0.0], atol=1e-12)
    assert land.path_loss[-1] == pytest.approx(net.loss(X, T), rel=1e-12)
    assert np.abs(land.path_coords[0]).max() > 1e-3
    for frame in range(land.n_frames):
        land.render(frame)
    land.fig.canvas.draw()


@pytest.mark.parametrize(
    "output, loss, k",
    [("softmax", "cross_entropy", 3), ("sigmoid", "binary_cross_entropy", 1), ("identity", "mse", 2),
     ("softmax", "mse", 2)],
)
def test_batched_grid_matches_one_network_at_a_time(output, loss, k):
    X, labels = moons(25, seed=2)
    T = one_hot(labels, k) if k > 1 else labels.reshape(-1, 1).astype(float)
    net = MLP([2, 6, 5, k], "relu", output, loss, seed=4)
    center = net.get_params()
    rng = np.random.default_rng(0)
    d1, d2 = random_direction(center, rng), random_direction(center, rng)
    coords = rng.uniform(-1, 1, size=(7, 2))
    batched = stacked_losses(net, X, T, center, d1, d2, coords, max_bytes=2000)  # forces chunks
    probe = net.copy()
    for (a, b), J in zip(coords, batched):
        probe.set_params(unflatten(flatten(center) + a * flatten(d1) + b * flatten(d2), center))
        assert J == pytest.approx(probe.loss(X, T), rel=1e-10)


def test_filter_normalisation(trained):
    net, *_ = trained
    params = net.get_params()
    d = random_direction(params, np.random.default_rng(0), "filter")
    for (W, _), (dW, db) in zip(params, d):
        np.testing.assert_allclose(np.linalg.norm(dW, axis=0), np.linalg.norm(W, axis=0))
        assert not np.any(db)
    d = random_direction(params, np.random.default_rng(0), "layer")
    for (W, _), (dW, _) in zip(params, d):
        assert np.linalg.norm(dW) == pytest.approx(np.linalg.norm(W))


def test_projection_recovers_points_in_the_plane(trained):
    net, *_ = trained
    center = net.get_params()
    rng = np.random.default_rng(5)
    d1, d2 = random_direction(center, rng), random_direction(center, rng)
    want = np.array([[0.3, -0.2], [1.5, 0.25], [0.0, 0.0]])
    path = [unflatten(flatten(center) + a * flatten(d1) + b * flatten(d2), center) for a, b in want]
    np.testing.assert_allclose(project_path(path, center, d1, d2), want, atol=1e-10)


def test_pca_directions(trained):
    net, X, T, rec = trained
    d1, d2, share = pca_directions(rec.snapshots, net.get_params())
    v1, v2 = flatten(d1), flatten(d2)
    assert np.linalg.norm(v1) == pytest.approx(1.0)
    assert np.linalg.norm(v2) == pytest.approx(1.0)
    assert abs(v1 @ v2) < 1e-10
    assert 0 < share[1] <= share[0] <= 1
    land = LossLandscape(net, X, T, path=rec, directions="pca", steps=11)
    assert land.explained is not None
    np.testing.assert_allclose(land.path_coords[-1], 0.0, atol=1e-12)
    # the grid holds the whole path
    assert np.abs(land.path_coords).max() <= land.span


def test_given_directions_and_no_path(trained):
    net, X, T, _ = trained
    center = net.get_params()
    rng = np.random.default_rng(1)
    land = LossLandscape(net, X, T, directions=(random_direction(center, rng),
                                                random_direction(center, rng)), steps=5, span=0.5)
    assert land.n_frames == 1 and land.Z.shape == (5, 5)
    assert land.alphas[0] == -0.5
    land.render(0)
    land.fig.canvas.draw()


def test_network_is_not_changed(trained):
    net, X, T, rec = trained
    before = flatten(net.get_params())
    LossLandscape(net, X, T, path=rec, steps=7)
    assert np.array_equal(before, flatten(net.get_params()))


def test_path_recorder_every():
    X, labels = moons(20, seed=0)
    net = MLP([2, 4, 1], "tanh", "sigmoid", "binary_cross_entropy", seed=0)
    rec = PathRecorder(every=4)
    net.fit(X, labels, epochs=10, lr=0.1, batch_size=5, callbacks=[rec])
    assert rec.epochs == [0, 4, 8, 10]
    assert np.array_equal(flatten(rec.snapshots[-1]), flatten(net.get_params()))
    with pytest.raises(ValueError, match="every"):
        PathRecorder(every=0)


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        (dict(steps=20), ValueError, "odd"),
        (dict(steps=1), ValueError, "odd"),
        (dict(steps=4.0), TypeError, "steps"),
        (dict(normalization="batch"), ValueError, "normalization"),
        (dict(directions="sideways"), ValueError, "directions"),
        (dict(directions=42), TypeError, "directions"),
        (dict(directions="pca"), ValueError, "pca"),
        (dict(span=-1.0), ValueError, "span"),
        (dict(path=[]), ValueError, "path"),
        (dict(path=[[(np.zeros((2, 2)), np.zeros(2))]]), ValueError, r"path\[0\]"),
    ],
)
def test_bad_arguments(trained, kwargs, error, words):
    net, X, T, _ = trained
    with pytest.raises(error, match=words):
        LossLandscape(net, X, T, **kwargs)


def test_bad_net_and_data(trained):
    net, X, T, _ = trained
    with pytest.raises(TypeError, match="MLP"):
        LossLandscape("net", X, T)
    with pytest.raises(ValueError, match="X"):
        LossLandscape(net, X[:, :1], T)
    with pytest.raises(ValueError, match="T"):
        LossLandscape(net, X, T[:, :2])
    land = LossLandscape(net, X, T, steps=5)
    with pytest.raises(ValueError, match="frame"):
        land.render(1)
