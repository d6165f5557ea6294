"""Checks for exercises/ex01_linear_regression: predict, mse, mse_gradient, gradient_descent."""

import numpy as np

from mlp_lib.grading._framework import (
    Call,
    Check,
    FunctionSpec,
    Mismatch,
    need_array,
    need_number,
    need_tuple,
    unchanged_check,
    value_judge,
)

SHAPES = [(7, 3), (5, 1), (11, 4)]


def _linear_cases(seed, with_t=False):
    rng = np.random.default_rng(seed)
    calls = []
    for i, (m, n) in enumerate(SHAPES):
        X = rng.normal(size=(m, n))
        w = rng.normal(size=n)
        b = float(rng.uniform(0.5, 1.5) * rng.choice([-1, 1]))
        if with_t:
            t = X @ rng.normal(size=n) + rng.normal(size=m)
            calls.append(Call(f"c{i}", X, w, b, t))
        else:
            calls.append(Call(f"c{i}", X, w, b))
    return calls


def _m(call):
    return call.args[0].shape[0]


def _case(call):
    return " on X of shape %s" % (call.args[0].shape,)


# ---- predict(X, w, b) -> (m,)

def _predict_parse(value, call):
    X = call.args[0]
    return [need_array(value, (X.shape[0],))]


def _sigmoid(a):
    return 0.5 * (1 + np.tanh(0.5 * a))


PREDICT_MISTAKES = [
    ("it equals X @ w without the bias: you forgot the bias b (return X @ w + b)",
     lambda c: [c.args[0] @ c.args[1]]),
    ("it equals X @ w - b: the bias is subtracted instead of added",
     lambda c: [c.args[0] @ c.args[1] - c.args[2]]),
    ("it equals X @ w + 2b: the bias is added twice", lambda c: [c.args[0] @ c.args[1] + 2 * c.args[2]]),
    ("it equals (X @ w) * b: the bias is multiplied instead of added",
     lambda c: [(c.args[0] @ c.args[1]) * c.args[2]]),
    ("a sigmoid is applied: linear regression predicts X @ w + b itself",
     lambda c: [_sigmoid(c.args[0] @ c.args[1] + c.args[2])]),
    ("only the first feature is used", lambda c: [c.args[0][:, 0] * c.args[1][0] + c.args[2]]),
]

_predict_calls = lambda: _linear_cases(101)  # noqa: E731
PREDICT = FunctionSpec("predict", ["X", "w", "b"], [
    Check("shape (m,) on random cases", _predict_calls,
          lambda rs: [_predict_parse(r.value, r.call) for r in rs], gate=True),
    Check("values on random cases", _predict_calls,
          value_judge(_predict_parse, lambda c: [c.args[0] @ c.args[1] + c.args[2]], PREDICT_MISTAKES,
                      ["the prediction"], _m, describe_case=_case)),
    unchanged_check(["X", "w", "b"], _predict_calls),
])


# ---- mse(y, t) -> float

def _mse_calls():
    rng = np.random.default_rng(102)
    calls = []
    for i, m in enumerate([7, 5, 11]):
        calls.append(Call(f"c{i}", rng.normal(size=m), rng.normal(size=m) + 0.3))
    return calls


def _mse_parse(value, call):
    return [np.asarray(need_number(value, "the result", " over the samples"))]


def _mse_ref(c):
    y, t = c.args
    return [np.mean((y - t) ** 2)]


MSE_MISTAKES = [
    ("it is the mean of |y - t|, not of (y - t)^2: square the differences",
     lambda c: [np.mean(np.abs(c.args[0] - c.args[1]))]),
    ("it is the square root of the mean squared error (the RMSE): leave out the square root",
     lambda c: [np.sqrt(np.mean((c.args[0] - c.args[1]) ** 2))]),
    ("it squares the mean difference, (mean(y - t))^2: average the squares instead",
     lambda c: [np.mean(c.args[0] - c.args[1]) ** 2]),
    ("the differences are not squared: mean(y - t)", lambda c: [np.mean(c.args[0] - c.args[1])]),
    ("it is mean(y^2 - t^2): square the difference (y - t), not each term",
     lambda c: [np.mean(c.args[0] ** 2 - c.args[1] ** 2)]),
]

MSE = FunctionSpec("mse", ["y", "t"], [
    Check("returns one number", _mse_calls, lambda rs: [_mse_parse(r.value, r.call) for r in rs], gate=True),
    Check("values on random cases", _mse_calls,
          value_judge(_mse_parse, _mse_ref, MSE_MISTAKES, ["the loss"], lambda c: c.args[0].shape[0])),
    unchanged_check(["y", "t"], _mse_calls),
])


# ---- mse_gradient(X, w, b, t) -> (dw, db)

def _grad_parse(value, call):
    X = call.args[0]
    dw, db = need_tuple(value, 2, ["dw", "db"])
    return [need_array(dw, (X.shape[1],), "dw"), np.asarray(need_number(db, "db", " over the samples"))]


def _grad(c, bias=True, factor=2.0, sign=1.0, db_mode="sum"):
    X, w, b, t = c.args
    m = X.shape[0]
    r = X @ w + (b if bias else 0.0) - t
    dw = sign * factor * X.T @ r / m
    if db_mode == "sum":
        db = sign * factor * np.sum(r) / m
    else:
        db = db_mode(r, m)
    return [dw, np.asarray(db)]


GRAD_MISTAKES = [
    ("the prediction inside leaves out the bias: use y = X @ w + b", lambda c: _grad(c, bias=False)),
    ("the bias gradient is missing its factor 2 / m: db = (2/m) * sum(y - t)",
     lambda c: _grad(c, db_mode=lambda r, m: np.sum(r))),
    ("db is the mean of (y - t) without the factor 2", lambda c: _grad(c, db_mode=lambda r, m: np.mean(r))),
]

_grad_calls = lambda: _linear_cases(103, with_t=True)  # noqa: E731
MSE_GRADIENT = FunctionSpec("mse_gradient", ["X", "w", "b", "t"], [
    Check("returns (dw, db) of the right shapes", _grad_calls,
          lambda rs: [_grad_parse(r.value, r.call) for r in rs], gate=True),
    Check("values on random cases", _grad_calls,
          value_judge(_grad_parse, _grad, GRAD_MISTAKES, ["dw", "db"], _m, describe_case=_case)),
    unchanged_check(["X", "w", "b", "t"], _grad_calls),
])


# ---- gradient_descent(X, t, lr, steps) -> (w, b, losses)

def _gd_calls():
    rng = np.random.default_rng(104)
    calls = []
    for i, (m, n, lr, steps) in enumerate([(20, 1, 0.1, 25), (15, 3, 0.05, 30), (9, 2, 0.2, 12)]):
        X = rng.normal(size=(m, n))
        t = X @ rng.normal(size=n) + 1.5 + 0.3 * rng.normal(size=m)
        calls.append(Call(f"c{i}", X, t, lr, steps))
    return calls


def _gd(c, variant=None):
    X, t, lr, steps = c.args
    m, n = X.shape
    w = np.zeros(n)
    b = 0.0
    losses = []
    n_steps = steps + (1 if variant == "one_more" else 0) - (1 if variant == "one_less" else 0)
    for _ in range(n_steps):
        r = X @ w + b - t
        if variant != "after":
            losses.append(np.sum(r * r) if variant == "sum_loss" else np.mean(r * r))
        factor = {"no2": 1.0, "no_m": 2.0 * m, "ascent": -2.0}.get(variant, 2.0)
        dw = factor * X.T @ r / m
        db = factor * np.sum(r) / m
        if variant == "dw_only":
            db = 0.0
        if variant == "stale_b":
            w_new = w - lr * dw
            b = b - lr * (factor * np.sum(X @ w_new + b - t) / m)
            w = w_new
        else:
            w = w - lr * dw
            b = b - lr * db
        if variant == "after":
            r = X @ w + b - t
            losses.append(np.mean(r * r))
    return [w, np.asarray(b), np.asarray(losses[:steps]) if variant != "one_more" else np.asarray(losses)]


def _gd_parse(value, call):
    X, t, lr, steps = call.args
    w, b, losses = need_tuple(value, 3, ["w", "b", "losses"])
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


GD_MISTAKES = [
    ("the loss is recorded after the update; record it before (losses[0] is the loss at w = 0, b = 0)",
     lambda c: _gd(c, "after")),
    ("it moves up the gradient (w + lr * dw): gradient ascent; the sign of the update is flipped",
     lambda c: _gd(c, "ascent")),
    ("the gradient inside misses its factor 2", lambda c: _gd(c, "no2")),
    ("the gradient inside misses its 1/m (a sum instead of a mean)", lambda c: _gd(c, "no_m")),
    ("the bias b is never updated", lambda c: _gd(c, "dw_only")),
    ("the losses are sums of squares, not means: use the mse (1/m)", lambda c: _gd(c, "sum_loss")),
    ("it runs one step too few", lambda c: _gd(c, "one_less")),
    ("b is updated with a gradient computed after w changed: compute dw and db first, then update both",
     lambda c: _gd(c, "stale_b")),
]

def _gd_case(c):
    return f" (X {c.args[0].shape}, lr={c.args[2]}, steps={c.args[3]})"


def _gd_judge(results):
    try:
        value_judge(_gd_parse, _gd, GD_MISTAKES, ["w", "b", "losses"],
                    describe_case=_gd_case)(results)
    except Mismatch as exc:
        if "is wrong:" in str(exc):
            raise
        for r in results:  # no known mistake: does it start from zeros?
            t = r.call.args[1]
            loss0 = _gd_parse(r.value, r.call)[2][0]
            start = float(np.mean(t ** 2))
            if abs(loss0 - start) > 1e-6 * max(1.0, start):
                raise Mismatch(f"losses[0] is {loss0:.6g}, but the loss at the start w = 0, b = 0 is"
                               f" mean(t^2) = {start:.6g}: start from zeros (w = np.zeros(n), b = 0.0) and"
                               " record the loss before each update.") from None
        raise


GRADIENT_DESCENT = FunctionSpec("gradient_descent", ["X", "t", "lr", "steps"], [
    Check("returns (w, b, losses) of the right shapes", _gd_calls,
          lambda rs: [_gd_parse(r.value, r.call) for r in rs], gate=True),
    Check("w, b and losses after the given steps, starting from zeros", _gd_calls, _gd_judge),
    unchanged_check(["X", "t", "lr", "steps"], _gd_calls),
])

FUNCTIONS = [PREDICT, MSE, MSE_GRADIENT, GRADIENT_DESCENT]
