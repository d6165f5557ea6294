"""Checks for exercises/ex02_logistic_regression: sigmoid, binary_cross_entropy, logistic_gradient,
softmax, softmax_gradient."""

import numpy as np

from mlp_lib.grading._framework import (
    Call,
    Check,
    FunctionSpec,
    Mismatch,
    close,
    need_array,
    need_number,
    need_tuple,
    no_warnings,
    unchanged_check,
    value_judge,
)


def _sig(a):
    a = np.asarray(a, dtype=float)
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _softmax(A, axis=1):
    E = np.exp(A - A.max(axis=axis, keepdims=True))
    return E / E.sum(axis=axis, keepdims=True)


def _same_shape(value, call):
    return [need_array(value, np.shape(call.args[0]))]


# ---- sigmoid(a)

def _sigmoid_calls():
    rng = np.random.default_rng(201)
    return [Call("c0", rng.normal(size=7) * 3), Call("c1", rng.normal(size=(4, 3)) * 3),
            Call("c2", np.linspace(-6, 6, 9))]


def _sigmoid_extreme():
    return [Call("x0", np.array([-1e4, -800.0, -40.0, 0.0, 40.0, 800.0, 1e4]))]


SIGMOID_MISTAKES = [
    ("it equals 1 / (1 + exp(a)): the sign in the exponent is flipped; σ(a) = 1 / (1 + exp(-a))",
     lambda c: [_sig(-c.args[0])]),
    ("it is tanh(a), not the logistic sigmoid 1 / (1 + exp(-a))", lambda c: [np.tanh(c.args[0])]),
    ("it equals 1 + exp(-a): the reciprocal is missing", lambda c: [1 + np.exp(-c.args[0])]),
    ("it equals 1 / (1 - exp(-a)): a sign in the denominator is flipped",
     lambda c: [1 / (1 - np.exp(-c.args[0]))]),
    ("it is σ(a)(1 - σ(a)), the derivative, not σ(a) itself",
     lambda c: [_sig(c.args[0]) * (1 - _sig(c.args[0]))]),
    ("it equals exp(-a) / (1 + exp(-a)) = 1 - σ(a)", lambda c: [1 - _sig(c.args[0])]),
]


def _stable_judge(ref, name, hint):
    def judge(results):
        for r in results:
            if r.warnings:
                kind, msg = r.warnings[0]
                raise Mismatch(f"{kind} at extreme inputs ({msg}): an unstable exp or log. {hint}")
            got = _same_shape(r.value, r.call)[0]
            if not np.all(np.isfinite(got)):
                raise Mismatch(f"{name} gives NaN or inf at extreme inputs (|a| up to 1e4): an unstable"
                               f" exp. {hint}")
            if not close(got, ref(r.call.args[0]), rtol=1e-6, atol=1e-12):
                raise Mismatch(f"{name} is wrong at extreme inputs: expected {ref(r.call.args[0])},"
                               f" got {got}. {hint}")
    return judge


SIGMOID_HINT = ("exp(-a) overflows for large negative a: use exp(-|a|), which is always <= 1:"
                " σ(a) = 1 / (1 + exp(-|a|)) for a >= 0 and exp(-|a|) / (1 + exp(-|a|)) for a < 0"
                " (np.where).")

SIGMOID = FunctionSpec("sigmoid", ["a"], [
    Check("same shape as a", _sigmoid_calls, lambda rs: [_same_shape(r.value, r.call) for r in rs],
          gate=True),
    Check("values on random cases", _sigmoid_calls,
          value_judge(_same_shape, lambda c: [_sig(c.args[0])], SIGMOID_MISTAKES, ["σ(a)"])),
    Check("stable at a = ±1e4 (no overflow, no RuntimeWarning)", _sigmoid_extreme,
          _stable_judge(_sig, "sigmoid", SIGMOID_HINT)),
    unchanged_check(["a"], lambda: _sigmoid_calls() + _sigmoid_extreme()),
])


# ---- binary_cross_entropy(y, t)

def _bce(y, t):
    y = np.clip(y, 1e-12, 1 - 1e-12)
    return float(-np.mean(t * np.log(y) + (1 - t) * np.log(1 - y)))


def _bce_calls():
    rng = np.random.default_rng(202)
    out = []
    for i, m in enumerate([7, 5, 11]):
        out.append(Call(f"c{i}", rng.uniform(0.05, 0.95, size=m), rng.integers(0, 2, size=m).astype(float)))
    return out


def _bce_parse(value, call):
    return [np.asarray(need_number(value, "the loss", " over the samples"))]


BCE_MISTAKES = [
    ("the (1 - t) log(1 - y) term is missing: J = -(1/m) Σ [t log y + (1 - t) log(1 - y)]",
     lambda c: [-np.mean(c.args[1] * np.log(c.args[0]))]),
    ("the t log y term is missing: J = -(1/m) Σ [t log y + (1 - t) log(1 - y)]",
     lambda c: [-np.mean((1 - c.args[1]) * np.log(1 - c.args[0]))]),
    ("y and 1 - y are swapped inside the logs", lambda c: [_bce(1 - c.args[0], c.args[1])]),
    ("it uses log10; the cross-entropy uses the natural log np.log",
     lambda c: [_bce(c.args[0], c.args[1]) / np.log(10)]),
    ("it is the mean squared error, not the cross-entropy",
     lambda c: [np.mean((c.args[0] - c.args[1]) ** 2)]),
]


def _bce_extreme():
    return [Call("x0", np.array([0.0, 1.0, 0.0, 1.0, 0.3]), np.array([0.0, 1.0, 0.0, 1.0, 1.0])),
            Call("x1", np.array([0.0, 1.0, 0.5]), np.array([1.0, 0.0, 1.0]))]


def _bce_extreme_judge(results):
    no_warnings(results, "at predictions of exactly 0 and 1",
                " Clip first: y = np.clip(y, 1e-12, 1 - 1e-12) (a new array; y itself stays as it was).")
    matched = need_number(results[0].value, "the loss")
    want = -np.log(0.3) / 5
    if not np.isfinite(matched) or abs(matched - want) > 1e-6:
        raise Mismatch(f"with y = [0, 1, 0, 1, 0.3] and t = [0, 1, 0, 1, 1] the loss should be"
                       f" -log(0.3)/5 = {want:.6f} (a right prediction of exactly 0 or 1 costs nothing),"
                       f" got {matched}. Clip y to [eps, 1 - eps] (eps = 1e-12) before the logs.")
    wrong = need_number(results[1].value, "the loss")
    if not np.isfinite(wrong) or wrong < 5:
        raise Mismatch(f"with y = [0, 1, 0.5] and t = [1, 0, 1] (confidently wrong) the loss should be large"
                       f" but finite, got {wrong}. Clip y to [eps, 1 - eps] (eps = 1e-12) before the logs.")


BINARY_CROSS_ENTROPY = FunctionSpec("binary_cross_entropy", ["y", "t"], [
    Check("returns one number", _bce_calls, lambda rs: [_bce_parse(r.value, r.call) for r in rs], gate=True),
    Check("values on random cases", _bce_calls,
          value_judge(_bce_parse, lambda c: [_bce(*c.args)], BCE_MISTAKES, ["the loss"],
                      lambda c: c.args[0].shape[0])),
    Check("stable at y = 0 and y = 1 (finite, no RuntimeWarning)", _bce_extreme, _bce_extreme_judge),
    unchanged_check(["y", "t"], lambda: _bce_calls() + _bce_extreme()),
])


# ---- logistic_gradient(X, w, b, t)

def _logistic_calls():
    rng = np.random.default_rng(203)
    out = []
    for i, (m, n) in enumerate([(7, 3), (5, 1), (11, 4)]):
        X = rng.normal(size=(m, n))
        out.append(Call(f"c{i}", X, rng.normal(size=n), float(rng.uniform(0.5, 1.0)),
                        rng.integers(0, 2, size=m).astype(float)))
    return out


def _lg(c, act=_sig, bias=True, extra=None):
    X, w, b, t = c.args
    a = X @ w + (b if bias else 0.0)
    y = act(a)
    r = y - t
    if extra == "dsig":
        r = r * y * (1 - y)
    if extra == "mse":
        r = 2 * r * y * (1 - y)
    m = X.shape[0]
    return [X.T @ r / m, np.asarray(np.sum(r) / m)]


def _lg_parse(value, call):
    dw, db = need_tuple(value, 2, ["dw", "db"])
    return [need_array(dw, (call.args[0].shape[1],), "dw"),
            np.asarray(need_number(db, "db", " over the samples"))]


LOGISTIC_MISTAKES = [
    ("the sigmoid is missing: the prediction is y = σ(X @ w + b), not X @ w + b",
     lambda c: _lg(c, act=lambda a: a)),
    ("it is multiplied by σ'(a) = y (1 - y): with cross-entropy that factor cancels, the gradient is"
     " X^T (y - t) / m", lambda c: _lg(c, extra="dsig")),
    ("it is the gradient of the mean squared error through a sigmoid, not of the cross-entropy",
     lambda c: _lg(c, extra="mse")),
    ("the prediction inside leaves out the bias b", lambda c: _lg(c, bias=False)),
    ("the sigmoid's sign is flipped (1 / (1 + exp(a)))", lambda c: _lg(c, act=lambda a: _sig(-a))),
]

LOGISTIC_GRADIENT = FunctionSpec("logistic_gradient", ["X", "w", "b", "t"], [
    Check("returns (dw, db) of the right shapes", _logistic_calls,
          lambda rs: [_lg_parse(r.value, r.call) for r in rs], gate=True),
    Check("values on random cases", _logistic_calls,
          value_judge(_lg_parse, _lg, LOGISTIC_MISTAKES, ["dw", "db"], lambda c: c.args[0].shape[0],
                      describe_case=lambda c: f" on X of shape {c.args[0].shape}")),
    unchanged_check(["X", "w", "b", "t"], _logistic_calls),
])


# ---- softmax(A)

def _softmax_calls():
    rng = np.random.default_rng(204)
    return [Call("c0", rng.normal(size=(5, 3)) * 2), Call("c1", rng.normal(size=(4, 4)) * 2),
            Call("c2", rng.normal(size=(2, 6)) * 2)]


def _softmax_extreme():
    return [Call("x0", np.array([[1e4, 0.0, -1e4, 5.0], [-1e4, -1e4, -1e4 + 1.0, -1e4],
                                 [800.0, 799.0, 0.0, 1.0]]))]


SOFTMAX_MISTAKES = [
    ("softmax over the wrong axis: the columns sum to 1 instead of the rows; use axis=1 (one sample per row)",
     lambda c: [_softmax(c.args[0], axis=0)]),
    ("it is normalised over the whole array instead of each row: divide by each row's sum"
     " (axis=1, keepdims=True)", lambda c: [np.exp(c.args[0]) / np.exp(c.args[0]).sum()]),
    ("the exp is missing: softmax is exp(A) / (row sums of exp(A))",
     lambda c: [c.args[0] / c.args[0].sum(axis=1, keepdims=True)]),
    ("it is the elementwise sigmoid, not the softmax", lambda c: [_sig(c.args[0])]),
    ("the row maxima are subtracted along the wrong axis (a missing keepdims=True)",
     lambda c: [(lambda E: E / E.sum(axis=1, keepdims=True))(np.exp(c.args[0] - c.args[0].max(axis=1)))]),
]


def _softmax_extreme_judge(results):
    r = results[0]
    A = r.call.args[0]
    got = _same_shape(r.value, r.call)[0]
    if r.warnings or not np.all(np.isfinite(got)):
        text = " ".join(w[1] for w in r.warnings)
        if "overflow" in text:
            raise Mismatch(f"RuntimeWarning at |A| = 1e4 ({text}): an unstable exp. Subtract each row's"
                           " maximum first, exp(A - A.max(axis=1, keepdims=True)): the result is the same"
                           " and exp never sees a positive number.")
        raise Mismatch(f"NaN or a RuntimeWarning at |A| = 1e4 ({text or 'NaN in the result'}):"
                       " a row became all"
                       " zeros before the division. Subtract each ROW's maximum"
                       " (A.max(axis=1, keepdims=True)), not the maximum of the whole array.")
    if not close(got, _softmax(A), atol=1e-12):
        raise Mismatch(f"wrong values at |A| = 1e4: expected {_softmax(A).round(4).tolist()}, got"
                       f" {np.round(got, 4).tolist()}")


def _softmax_values(results):
    for r in results:
        Y = _same_shape(r.value, r.call)[0]
        if not np.all(np.isfinite(Y)):
            continue
        rows, cols = Y.sum(axis=1), Y.sum(axis=0)
        if not np.allclose(rows, 1.0, atol=1e-6):
            if np.allclose(cols, 1.0, atol=1e-6):
                raise Mismatch("the columns of your result sum to 1, not the rows:"
                               " softmax over the wrong axis;"
                               " normalise each row (axis=1, keepdims=True): one sample per row")
            if abs(Y.sum() - 1.0) < 1e-6:
                raise Mismatch("the whole result sums to 1 instead of each row:"
                               " normalised over the whole array;"
                               " divide by each row's sum, E.sum(axis=1, keepdims=True)")
            if np.allclose(Y / Y.sum(axis=1, keepdims=True), _softmax(r.call.args[0]), atol=1e-8):
                raise Mismatch(f"the rows of your result sum to {np.round(rows, 4).tolist()}, not 1:"
                               " divide by"
                               " each row's own sum, E.sum(axis=1, keepdims=True)")
    value_judge(_same_shape, lambda c: [_softmax(c.args[0])], SOFTMAX_MISTAKES, ["softmax(A)"],
                describe_case=lambda c: f" on A of shape {c.args[0].shape}")(results)


SOFTMAX = FunctionSpec("softmax", ["A"], [
    Check("same shape as A", _softmax_calls, lambda rs: [_same_shape(r.value, r.call) for r in rs],
          gate=True),
    Check("values on random cases (rows sum to 1)", _softmax_calls, _softmax_values),
    Check("stable at |A| = 1e4 (no overflow, no RuntimeWarning)", _softmax_extreme, _softmax_extreme_judge),
    unchanged_check(["A"], lambda: _softmax_calls() + _softmax_extreme()),
])


# ---- softmax_gradient(X, W, b, T)

def _sg_calls():
    rng = np.random.default_rng(205)
    out = []
    for i, (m, n, k) in enumerate([(7, 3, 4), (6, 4, 4), (5, 2, 3)]):
        X = rng.normal(size=(m, n))
        T = np.eye(k)[rng.integers(0, k, size=m)]
        out.append(Call(f"c{i}", X, rng.normal(size=(n, k)), rng.normal(size=k), T))
    return out


def _sg(c, axis=1, bias=True, act=None, transpose=False, extra=None):
    X, W, b, T = c.args
    A = X @ W + (b if bias else 0.0)
    Y = act(A) if act else _softmax(A, axis)
    D = Y - T
    if extra == "dsig":
        D = D * Y * (1 - Y)
    m = X.shape[0]
    dW = (D.T @ X) / m if transpose else X.T @ D / m
    return [dW, D.sum(axis=0) / m]


def _sg_parse(value, call):
    X, W, b, T = call.args
    dW, db = need_tuple(value, 2, ["dW", "db"])
    return [need_array(dW, W.shape, "dW"), need_array(db, b.shape, "db")]


SG_MISTAKES = [
    ("dW is transposed: (Y - T).T @ X has shape (k, n); dW = X.T @ (Y - T) / m has the shape of W (n, k)",
     lambda c: _sg(c, transpose=True)),
    ("the softmax inside is taken over the wrong axis (columns): use axis=1", lambda c: _sg(c, axis=0)),
    ("the scores inside leave out the bias b: A = X @ W + b", lambda c: _sg(c, bias=False)),
    ("a sigmoid is used instead of the softmax", lambda c: _sg(c, act=_sig)),
    ("it is multiplied by Y (1 - Y): with softmax and cross-entropy, dJ/dA is simply (Y - T) / m",
     lambda c: _sg(c, extra="dsig")),
]

SOFTMAX_GRADIENT = FunctionSpec("softmax_gradient", ["X", "W", "b", "T"], [
    Check("returns (dW, db) with the shapes of W and b", _sg_calls,
          lambda rs: [_sg_parse(r.value, r.call) for r in rs], gate=True),
    Check("values on random cases", _sg_calls,
          value_judge(_sg_parse, _sg, SG_MISTAKES, ["dW", "db"], lambda c: c.args[0].shape[0],
                      describe_case=lambda c: f" on X {c.args[0].shape}, W {c.args[1].shape}")),
    unchanged_check(["X", "W", "b", "T"], _sg_calls),
])

FUNCTIONS = [SIGMOID, BINARY_CROSS_ENTROPY, LOGISTIC_GRADIENT, SOFTMAX, SOFTMAX_GRADIENT]
