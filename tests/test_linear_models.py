"""mlp_lib.linear_models: costs, gradients (against central differences) and descend."""

import numpy as np
import pytest

from mlp_lib import MLP
from mlp_lib.data import one_hot
from mlp_lib.gradcheck import numerical_gradient, relative_error
from mlp_lib.linear_models import (
    descend,
    linear_cost,
    linear_gradient,
    linear_predict,
    logistic_cost,
    logistic_gradient,
    logistic_predict,
    softmax_cost,
    softmax_gradient,
    softmax_predict,
)


@pytest.fixture
def problem(rng):
    X = rng.standard_normal((30, 3))
    w = rng.standard_normal(3)
    return X, w, 0.3


def test_linear_cost_is_the_mean_squared_error(problem, rng):
    X, w, b = problem
    t = rng.standard_normal(30)
    y = linear_predict(X, w, b)
    assert y.shape == (30,)
    assert linear_cost(X, w, b, t) == pytest.approx(np.mean((X @ w + b - t) ** 2))


@pytest.mark.parametrize("kind", ["linear", "logistic"])
def test_gradients_match_central_differences(problem, rng, kind):
    X, w, b = problem
    if kind == "linear":
        t, cost, grad = rng.standard_normal(30), linear_cost, linear_gradient
    else:
        t, cost, grad = (rng.random(30) > 0.5).astype(float), logistic_cost, logistic_gradient
    dw, db = grad(X, w, b, t)
    assert dw.shape == (3,) and isinstance(db, float)
    assert relative_error(dw, numerical_gradient(lambda v: cost(X, v, b, t), w)) < 1e-7
    num_db = numerical_gradient(lambda v: cost(X, w, float(v[0]), t), np.array([b]))[0]
    assert relative_error(db, num_db) < 1e-7


def test_logistic_cost_is_stable_when_saturated():
    X = np.array([[1e4], [-1e4]])
    t = np.array([1.0, 0.0])
    assert logistic_cost(X, np.array([1.0]), 0.0, t) == pytest.approx(0.0, abs=1e-12)
    assert logistic_cost(X, np.array([-1.0]), 0.0, t) == pytest.approx(1e4)
    y = logistic_predict(X, np.array([1.0]), 0.0)
    assert np.all(np.isfinite(y))


def test_softmax_gradient_matches_central_differences(rng):
    X = rng.standard_normal((20, 3))
    W = rng.standard_normal((3, 4))
    b = rng.standard_normal(4)
    T = one_hot(rng.integers(0, 4, 20), 4)
    dW, db = softmax_gradient(X, W, b, T)
    assert dW.shape == (3, 4) and db.shape == (4,)
    assert relative_error(dW, numerical_gradient(lambda V: softmax_cost(X, V, b, T), W)) < 1e-7
    assert relative_error(db, numerical_gradient(lambda v: softmax_cost(X, W, v, T), b)) < 1e-7
    assert np.allclose(softmax_predict(X, W, b).sum(axis=1), 1.0)


def test_bad_shapes_are_named(problem):
    X, w, b = problem
    with pytest.raises(ValueError, match=r"w must have shape \(3,\)"):
        linear_predict(X, w[:2], b)
    with pytest.raises(ValueError, match=r"t must have shape \(30,\)"):
        linear_cost(X, w, b, np.zeros(29))
    with pytest.raises(ValueError, match="T must have shape"):
        softmax_cost(X, np.zeros((3, 2)), np.zeros(2), np.zeros(30))


def test_descend_is_plain_gradient_descent():
    # J(p) = p0**2 + 10 p1**2, so one step multiplies p by (1 - 2 lr, 1 - 20 lr).
    cost = lambda p: p[0] ** 2 + 10 * p[1] ** 2  # noqa: E731
    grad = lambda p: np.array([2 * p[0], 20 * p[1]])  # noqa: E731
    run = descend(cost, grad, [1.0, 1.0], lr=0.01, steps=5)
    expected = np.array([[0.98 ** k, 0.8 ** k] for k in range(6)])
    assert np.allclose(run.params, expected)
    assert np.allclose(run.costs, [cost(p) for p in expected])
    assert not run.diverged and run.n_steps == 5


def test_descend_with_momentum_matches_the_formula():
    grad = lambda p: 2 * p  # noqa: E731
    run = descend(lambda p: float(p @ p), grad, [1.0, -2.0], lr=0.1, steps=4, momentum=0.5)
    p, v = np.array([1.0, -2.0]), np.zeros(2)
    for k in range(1, 5):
        v = 0.5 * v - 0.1 * grad(p)
        p = p + v
        assert np.allclose(run.params[k], p)


def test_descend_equals_mlp_fit_full_batch(rng):
    X = rng.standard_normal((25, 1))
    t = 3 * X[:, 0] - 1 + 0.1 * rng.standard_normal(25)
    run = descend(lambda p: linear_cost(X, p[:1], p[1], t),
                  lambda p: np.array([linear_gradient(X, p[:1], p[1], t)[0][0],
                                      linear_gradient(X, p[:1], p[1], t)[1]]),
                  [0.5, 0.2], lr=0.1, steps=6, momentum=0.9)
    net = MLP([1, 1], output_activation="identity", loss="mse")
    net.set_params([(np.array([[0.5]]), np.array([0.2]))])
    net.fit(X, t.reshape(-1, 1), epochs=6, lr=0.1, batch_size=25, momentum=0.9, shuffle=False)
    (W, b), = net.get_params()
    assert np.allclose(run.params[-1], [W[0, 0], b[0]])


def test_descend_stops_a_diverging_run_without_warnings():
    cost = lambda p: float(p @ p)  # noqa: E731
    with np.errstate(all="raise"):
        run = descend(cost, lambda p: 2 * p, [1.0, 1.0], lr=5.0, steps=500, limit=1e6)
    assert run.diverged
    assert run.diverged_at == run.n_steps < 500
    assert np.all(np.abs(run.params[:-1]) <= 1e6)
    assert np.all(np.isfinite(run.params))
    assert "diverged" in repr(run)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(lr=0.0), ValueError, "lr must be a finite number > 0"),
    (dict(lr=-1.0), ValueError, "lr must be a finite number > 0"),
    (dict(steps=-1), ValueError, "steps"),
    (dict(start=[np.nan, 0.0]), ValueError, "start contains NaN"),
])
def test_descend_rejects_bad_arguments(kwargs, error, match):
    args = dict(cost=lambda p: 0.0, gradient=lambda p: p, start=[1.0, 0.0], lr=0.1, steps=3)
    args.update(kwargs)
    with pytest.raises(error, match=match):
        descend(**args)
