"""Checks for exercises/ex01_linear_regression: predict, mse, mse_gradient, gradient_descent."""

import numpy as np

from mlp_lib.grading._framework import Mismatch, graded, need_array, need_number, need_tuple, value_judge
from mlp_lib.grading._nets import sig

SHAPES = [(7, 3), (5, 1), (11, 4)]


def _linear_cases(with_t):
    def cases(rng):
        out = []
        for m, n in SHAPES:
            X, w = rng.normal(size=(m, n)), rng.normal(size=n)
            b = float(rng.uniform(0.5, 1.5) * rng.choice([-1, 1]))
            out.append((X, w, b, X @ rng.normal(size=n) + rng.normal(size=m)) if with_t else (X, w, b))
        return out
    return cases


def _m(X, *rest):
    return X.shape[0]


def _n(X, *rest):
    return X.shape[1]


def _on_X(c):
    return f" on X of shape {c.args[0].shape}"


PREDICT = graded(
    "predict", "X, w, b", _linear_cases(False), [("the prediction", lambda X, w, b: (X.shape[0],))],
    lambda X, w, b: X @ w + b, {
        "it equals X @ w without the bias: you forgot the bias b (return X @ w + b)": lambda X, w, b: X @ w,
        "it equals X @ w - b: the bias is subtracted instead of added": lambda X, w, b: X @ w - b,
        "it equals X @ w + 2b: the bias is added twice": lambda X, w, b: X @ w + 2 * b,
        "it equals (X @ w) * b: the bias is multiplied instead of added": lambda X, w, b: (X @ w) * b,
        "a sigmoid is applied: linear regression predicts X @ w + b itself": lambda X, w, b: sig(X @ w + b),
        "only the first feature is used": lambda X, w, b: X[:, 0] * w[0] + b,
    }, seed=101, m=_m, n=_n, case=_on_X, shape="shape (m,)")


def _mse_cases(rng):
    return [(rng.normal(size=m), rng.normal(size=m) + 0.3) for m in (7, 5, 11)]


MSE = graded(
    "mse", "y, t", _mse_cases, [("the loss", float)], lambda y, t: np.mean((y - t) ** 2), {
        "it is the mean of |y - t|, not of (y - t)^2: square the differences":
            lambda y, t: np.mean(np.abs(y - t)),
        "it is the square root of the mean squared error (the RMSE): leave out the square root":
            lambda y, t: np.sqrt(np.mean((y - t) ** 2)),
        "it squares the mean difference, (mean(y - t))^2: average the squares instead":
            lambda y, t: np.mean(y - t) ** 2,
        "the differences are not squared: mean(y - t)": lambda y, t: np.mean(y - t),
        "it is mean(y^2 - t^2): square the difference (y - t), not each term":
            lambda y, t: np.mean(y ** 2 - t ** 2),
        "it is the square root of the sum of squares: the mean (1/m) is missing and no root belongs;"
        " mse = mean((y - t)^2)": lambda y, t: np.sqrt(np.sum((y - t) ** 2)),
        "a column (m, 1) minus a row (m,) broadcasts to an (m, m) table of every pair: keep y and t 1-D"
        " (reshape(-1)) so that y - t has shape (m,)": lambda y, t: np.mean((y[:, None] - t) ** 2),
    }, seed=102, m=lambda y, t: len(y), rows=(0, 1), shape="one number")


def _grad(X, w, b, t, bias=True, db_of=lambda r: 2 * np.mean(r)):
    r = X @ w + (b if bias else 0.0) - t
    return 2 * X.T @ r / len(X), db_of(r)


MSE_GRADIENT = graded(
    "mse_gradient", "X, w, b, t", _linear_cases(True),
    [("dw", lambda X, w, b, t: (X.shape[1],)), ("db", float)], _grad, {
        "the prediction inside leaves out the bias: use y = X @ w + b":
            lambda X, w, b, t: _grad(X, w, b, t, bias=False),
        "the bias gradient is missing its factor 2 / m: db = (2/m) * sum(y - t)":
            lambda X, w, b, t: _grad(X, w, b, t, db_of=np.sum),
        "db is the mean of (y - t) without the factor 2": lambda X, w, b, t: _grad(X, w, b, t, db_of=np.mean),
        "a column (m, 1) minus a row (m,) broadcasts to an (m, m) table of every pair: keep the prediction"
        " and t 1-D (reshape(-1)) so that y - t has shape (m,)":
            lambda X, w, b, t: (2 / len(X) * (X.T @ ((X @ w + b)[:, None] - t)).sum(1),
                                2 / len(X) * np.sum((X @ w + b)[:, None] - t)),
    }, seed=103, m=_m, n=_n, case=_on_X, rows=(0, 3), shape="(dw, db) of the right shapes",
    helpers=["predict"])


# ---- gradient_descent(X, t, lr, steps) -> (w, b, losses)

def _gd_cases(rng):
    out = []
    for m, n, lr, steps in [(20, 1, 0.1, 25), (15, 3, 0.05, 30), (9, 2, 0.2, 12)]:
        X = rng.normal(size=(m, n))
        out.append((X, X @ rng.normal(size=n) + 1.5 + 0.3 * rng.normal(size=m), lr, steps))
    return out


def _gd(X, t, lr, steps, variant=None):
    m, n = X.shape
    w, b, losses = np.zeros(n), 0.0, []
    n_steps = steps - (variant == "one_less")
    factor = {"no2": 1.0, "no_m": 2.0 * m, "ascent": -2.0}.get(variant, 2.0)
    if variant == "no_lr":
        lr = 1.0
    for _ in range(n_steps):
        if variant == "per_sample":
            losses.append(np.mean((X @ w + b - t) ** 2))
            for x_i, t_i in zip(X, t):
                r_i = x_i @ w + b - t_i
                w, b = w - lr * 2 * r_i * x_i, b - lr * 2 * r_i
            continue
        r = X @ w + b - t
        if variant != "after":
            losses.append(np.sum(r * r) if variant == "sum_loss" else np.mean(r * r))
        dw, db = factor * X.T @ r / m, factor * np.sum(r) / m
        if variant == "frozen":
            continue
        if variant == "replace":
            w, b = -lr * dw, -lr * db
            continue
        w_new = w - lr * dw
        if variant == "stale_b":  # b's gradient computed after w changed
            db = factor * np.sum(X @ w_new + b - t) / m
        b = b - lr * db * (variant != "dw_only")
        if variant == "db_only":
            w_new = w
        if variant == "stale_w":  # w's gradient computed after b changed
            w_new = w - lr * factor * X.T @ (X @ w + b - t) / m
        w = w_new
        if variant == "mid":  # recorded between the two updates
            losses[-1] = np.mean((X @ w + b + lr * db - t) ** 2)
        if variant == "after":
            losses.append(np.mean((X @ w + b - t) ** 2))
    return w, b, np.asarray(losses)


def _gd_parse(value, call):
    X, t, lr, steps = call.args
    w, b, losses = need_tuple(value, ["w", "b", "losses"])
    w = need_array(w, (X.shape[1],), "w")
    b = np.asarray(need_number(b, "b"))
    if losses is None or not hasattr(losses, "__len__"):
        raise Mismatch(f"losses is {type(losses).__name__}, expected a list of {steps} numbers")
    if len(losses) != steps:
        raise Mismatch(f"losses has {len(losses)} entries, expected one per step: {steps}."
                       " Append the loss once in every step, before the update.")
    try:
        losses = np.asarray([need_number(v, "each loss") for v in losses])
    except Mismatch as exc:
        raise Mismatch(f"losses must hold numbers: {exc}") from None
    return [w, b, losses]


GD_MISTAKES = {
    "the loss is recorded after the update; record it before (losses[0] is the loss at w = 0, b = 0)":
        "after",
    "the loss is recorded in the middle of the update, after w changed and before b does; record it before"
    " both (losses[0] is the loss at w = 0, b = 0)": "mid",
    "it moves up the gradient (w + η dw): gradient ascent; the sign of the update is flipped": "ascent",
    "the gradient inside misses its factor 2": "no2",
    "the gradient inside misses its 1/m (a sum instead of a mean)": "no_m",
    "the bias b is never updated": "dw_only",
    "w is never updated (only b is)": "db_only",
    "w and b never change: the update is computed but never stored back into w and b": "frozen",
    "the losses are sums of squares, not means: use the mse (1/m)": "sum_loss",
    "it runs one step too few": "one_less",
    "the update is not simultaneous: b is updated with a gradient computed after w changed; compute dw and"
    " db first, then update both": "stale_b",
    "the update is not simultaneous: w is updated with a gradient computed after b changed; compute dw and"
    " db first, then update both": "stale_w",
    "w and b are replaced by -η dw and -η db each step instead of being moved from their current values:"
    " w ← w − η dw": "replace",
    "the learning rate η (lr) is never used: the step is the whole gradient; multiply it by η": "no_lr",
    "w and b are updated after each sample inside one step (stochastic updates): one step of gradient descent"
    " makes one update with the gradient of the whole batch (the mean over every sample)": "per_sample",
}

_gd_values = value_judge(_gd_parse, _gd, {text: (lambda *a, v=v: _gd(*a, variant=v)) for text, v in
                                          GD_MISTAKES.items()}, ["w", "b", "losses"],
                         case=lambda c: f" (X {c.args[0].shape}, η={c.args[2]}, steps={c.args[3]})")


def _gd_judge(results):
    try:
        _gd_values(results)
    except Mismatch as exc:
        if "is wrong:" in str(exc) or "are wrong:" in str(exc):
            raise
        for r in results:  # no known mistake: does it start from zeros?
            loss0, start = _gd_parse(r.value, r.call)[2][0], float(np.mean(r.call.args[1] ** 2))
            if abs(loss0 - start) > 1e-6 * max(1.0, start):
                raise Mismatch(f"losses[0] is {loss0:.6g}, but the loss at the start w = 0, b = 0 is"
                               f" mean(t^2) = {start:.6g}: start from zeros (w = np.zeros(n), b = 0.0) and"
                               " record the loss before each update.") from None
        raise


GRADIENT_DESCENT = graded(
    "gradient_descent", "X, t, lr, steps", _gd_cases, _gd_parse, _gd, seed=104, judge=_gd_judge,
    shape="(w, b, losses) of the right shapes",
    values="w, b and losses after the given steps, starting from zeros",
    helpers=["predict", "mse", "mse_gradient"])

FUNCTIONS = [PREDICT, MSE, MSE_GRADIENT, GRADIENT_DESCENT]
