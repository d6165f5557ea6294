"""Checks for exercises/ex02_logistic_regression: sigmoid, binary_cross_entropy, logistic_gradient,
softmax, softmax_gradient."""

import numpy as np

from mlp_lib.grading._framework import (
    Call,
    Check,
    Mismatch,
    close,
    contract,
    fixed,
    graded,
    need_number,
    no_warnings,
    value_judge,
)
from mlp_lib.grading._nets import sig, softmax


def _same_shape(name):
    return [(name, lambda a: np.shape(a))]


def _stable(title, calls, ref, hint):
    """A property check at extreme inputs: finite, no RuntimeWarning, right values."""
    def judge(parse):
        def run(results):
            for r in results:
                if r.warnings:
                    kind, msg = r.warnings[0]
                    raise Mismatch(f"{kind} at extreme inputs ({msg}): an unstable exp or log. {hint}")
                got = parse(r.value, r.call)[0]
                want = r.call.apply(ref)
                if not np.all(np.isfinite(got)):
                    raise Mismatch(f"NaN or inf at extreme inputs: an unstable exp. {hint}")
                if not close(got, want, rtol=1e-6, atol=1e-12):
                    raise Mismatch(f"wrong at extreme inputs: expected {np.round(want, 4).tolist()},"
                                   f" got {np.round(got, 4).tolist()}. {hint}")
        return run
    return lambda make_calls, parse: Check(title, fixed(calls), judge(parse), role="property",
                                           after_values=True)


SIGMOID = graded(
    "sigmoid", "a", lambda rng: [(rng.normal(size=7) * 3,), (rng.normal(size=(4, 3)) * 3,),
                                 (np.linspace(-6, 6, 9),), (rng.integers(-4, 5, size=(2, 3)),)],
    _same_shape("σ(a)"), sig, {
        "it equals 1 / (1 + exp(a)): the sign in the exponent is flipped; σ(a) = 1 / (1 + exp(-a))":
            lambda a: sig(-a),
        "it is tanh(a), not the logistic sigmoid 1 / (1 + exp(-a))": np.tanh,
        "it equals 1 + exp(-a): the reciprocal is missing": lambda a: 1 + np.exp(-a),
        "it equals 1 / (1 - exp(-a)): a sign in the denominator is flipped": lambda a: 1 / (1 - np.exp(-a)),
        "it is σ(a)(1 - σ(a)), the derivative, not σ(a) itself": lambda a: sig(a) * (1 - sig(a)),
        "it equals exp(-a) / (1 + exp(-a)) = 1 - σ(a)": lambda a: 1 - sig(a),
        "it is a · σ(a) = a / (1 + exp(-a)) (the swish or SiLU): the numerator of σ(a) = 1 / (1 + exp(-a))"
        " is 1, not a": lambda a: a * sig(a),
    }, seed=201, shape="the same shape as a", extra=[_stable(
        "stable at a = ±1e4 (no overflow, no RuntimeWarning)",
        lambda: [Call("x0", np.array([-1e4, -800.0, -40.0, 0.0, 40.0, 800.0, 1e4]))], sig,
        "exp(-a) overflows for large negative a: use exp(-|a|), which is always <= 1:"
        " σ(a) = 1 / (1 + exp(-|a|)) for a >= 0 and exp(-|a|) / (1 + exp(-|a|)) for a < 0 (np.where).")])


# ---- binary_cross_entropy(y, t)

def _bce(y, t, log=np.log):
    y = np.clip(y, 1e-12, 1 - 1e-12)
    return float(-np.mean(t * log(y) + (1 - t) * log(1 - y)))


def _bce_extreme_judge(results):
    no_warnings(results, "at predictions of exactly 0 and 1",
                " Clip first: y = np.clip(y, 1e-12, 1 - 1e-12) (a new array; y itself stays as it was).")
    right = need_number(results[0].value, "the loss")
    want = -np.log(0.3) / 5
    if not np.isfinite(right) or abs(right - want) > 1e-6:
        raise Mismatch(f"with y = [0, 1, 0, 1, 0.3] and t = [0, 1, 0, 1, 1] the loss should be"
                       f" -log(0.3)/5 = {want:.6f} (a right prediction of exactly 0 or 1 costs nothing),"
                       f" got {right}. Clip y to [eps, 1 - eps] (eps = 1e-12) before the logs.")
    wrong = need_number(results[1].value, "the loss")
    if not np.isfinite(wrong) or wrong < 5:
        raise Mismatch(f"with y = [0, 1, 0.5] and t = [1, 0, 1] (confidently wrong) the loss should be large"
                       f" but finite, got {wrong}. Clip y to [eps, 1 - eps] (eps = 1e-12) before the logs.")


BCE_FORMULA = "J = -(1/m) Σ [t log y + (1 - t) log(1 - y)]"

BINARY_CROSS_ENTROPY = graded(
    "binary_cross_entropy", "y, t",
    lambda rng: [(rng.uniform(0.05, 0.95, size=m), rng.integers(0, 2, size=m).astype(float))
                 for m in (7, 5, 11)],
    [("the loss", float)], _bce, {
        f"the (1 - t) log(1 - y) term is missing: {BCE_FORMULA}": lambda y, t: -np.mean(t * np.log(y)),
        f"the t log y term is missing: {BCE_FORMULA}": lambda y, t: -np.mean((1 - t) * np.log(1 - y)),
        "y and 1 - y are swapped inside the logs": lambda y, t: _bce(1 - y, t),
        f"the prediction and the label are swapped (t log y is written y log t): {BCE_FORMULA}":
            lambda y, t: _bce(t, y),
        f"the minus sign is misplaced: it negates only the first term; {BCE_FORMULA}":
            lambda y, t: np.mean(-t * np.log(y) + (1 - t) * np.log(1 - y)),
        f"the minus sign is misplaced: it negates only the second term; {BCE_FORMULA}":
            lambda y, t: np.mean(t * np.log(y) - (1 - t) * np.log(1 - y)),
        "it is the mean squared error, not the cross-entropy": lambda y, t: np.mean((y - t) ** 2),
        f"the log is missing in the second term, (1 - t) log(1 - y): {BCE_FORMULA}":
            lambda y, t: -np.mean(t * np.log(y) + (1 - t) * (1 - y)),
        f"the log is missing in the first term, t log y: {BCE_FORMULA}":
            lambda y, t: -np.mean(t * y + (1 - t) * np.log(1 - y)),
    }, seed=202, m=lambda y, t: len(y), rows=(0, 1), shape="one number", extra=[
        lambda make_calls, parse: Check(
            "stable at y = 0 and y = 1 (finite, no RuntimeWarning)",
            fixed(lambda: [Call("x0", np.array([0.0, 1.0, 0.0, 1.0, 0.3]),
                                np.array([0.0, 1.0, 0.0, 1.0, 1.0])),
                           Call("x1", np.array([0.0, 1.0, 0.5]), np.array([1.0, 0.0, 1.0]))]),
            _bce_extreme_judge, role="property", after_values=True)])


# ---- logistic_gradient(X, w, b, t)

def _lg(X, w, b, t, act=sig, bias=True, extra=None):
    y = act(X @ w + (b if bias else 0.0))
    r = {"dsig": (y - t) * y * (1 - y), "mse": 2 * (y - t) * y * (1 - y)}.get(extra, y - t)
    return X.T @ r / len(X), np.sum(r) / len(X)


LOGISTIC_GRADIENT = graded(
    "logistic_gradient", "X, w, b, t",
    lambda rng: [(rng.normal(size=(m, n)), rng.normal(size=n), float(rng.uniform(0.5, 1.0)),
                  rng.integers(0, 2, size=m).astype(float)) for m, n in [(7, 3), (5, 1), (11, 4)]],
    [("dw", lambda X, w, b, t: (X.shape[1],)), ("db", float)], _lg, {
        "the sigmoid is missing: the prediction is y = σ(X @ w + b), not X @ w + b":
            lambda *a: _lg(*a, act=lambda z: z),
        "it is multiplied by σ'(a) = y (1 - y): with cross-entropy that factor cancels, the gradient is"
        " X^T (y - t) / m": lambda *a: _lg(*a, extra="dsig"),
        "it is the gradient of the mean squared error through a sigmoid, not of the cross-entropy":
            lambda *a: _lg(*a, extra="mse"),
        "the prediction inside leaves out the bias b": lambda *a: _lg(*a, bias=False),
        "the sigmoid's sign is flipped (1 / (1 + exp(a)))": lambda *a: _lg(*a, act=lambda z: sig(-z)),
    }, seed=203, m=lambda X, *r: len(X), n=lambda X, *r: X.shape[1], rows=(0, 3),
    case=lambda c: f" on X of shape {c.args[0].shape}", shape="(dw, db) of the right shapes",
    helpers=["sigmoid"])


# ---- softmax(A)

def _softmax_values(results):
    for r in results:
        Y = np.asarray(r.value, dtype=float)
        if not np.all(np.isfinite(Y)):
            continue
        rows = Y.sum(axis=1)
        if not np.allclose(rows, 1.0, atol=1e-6):
            if np.allclose(Y.sum(axis=0), 1.0, atol=1e-6):
                raise Mismatch("the columns of your result sum to 1, not the rows: softmax over the wrong"
                               " axis; normalise each row (axis=1, keepdims=True): one sample per row")
            if abs(Y.sum() - 1.0) < 1e-6:
                raise Mismatch("the whole result sums to 1 instead of each row: normalised over the whole"
                               " array; divide by each row's sum, E.sum(axis=1, keepdims=True)")
            if np.allclose(Y / Y.sum(axis=1, keepdims=True), softmax(r.call.args[0]), atol=1e-8):
                raise Mismatch(f"the rows of your result sum to {np.round(rows, 4).tolist()}, not 1: divide"
                               f" by each row's own sum, E.sum(axis=1, keepdims=True)")
    _softmax_compare(results)


_softmax_compare = value_judge(contract(_same_shape("softmax(A)")), softmax, {
        "softmax over the wrong axis: the columns sum to 1 instead of the rows; use axis=1 (one sample per"
        " row)":
            lambda A: softmax(A, axis=0),
        "it is normalised over the whole array instead of each row: divide by each row's sum"
        " (axis=1, keepdims=True)": lambda A: np.exp(A) / np.exp(A).sum(),
        "the exp is missing: softmax is exp(A) / (row sums of exp(A))":
            lambda A: A / A.sum(axis=1, keepdims=True),
        "it is the elementwise sigmoid, not the softmax": sig,
        "the row maxima are subtracted along the wrong axis (a missing keepdims=True)":
            lambda A: (lambda E: E / E.sum(axis=1, keepdims=True))(np.exp(A - A.max(axis=1))),
    }, ["softmax(A)"], case=lambda c: f" on A of shape {c.args[0].shape}", params=["A"])

SOFTMAX_STABLE_HINT = ("Subtract each row's maximum first, exp(A - A.max(axis=1, keepdims=True)): the result"
                       " is the same and exp never sees a positive number.")


def _softmax_extreme_judge(results):
    r = results[0]
    got = np.asarray(r.value, dtype=float)
    if r.warnings or not np.all(np.isfinite(got)):
        text = " ".join(w[1] for w in r.warnings)
        if "overflow" in text:
            raise Mismatch(f"RuntimeWarning at |A| = 1e4 ({text}): an unstable exp. {SOFTMAX_STABLE_HINT}")
        raise Mismatch(f"NaN or a RuntimeWarning at |A| = 1e4 ({text or 'NaN in the result'}): a row became"
                       f" all zeros before the division. Subtract each ROW's maximum (A.max(axis=1,"
                       " keepdims=True)), not the maximum of the whole array.")
    if not close(got, softmax(r.call.args[0]), atol=1e-12):
        raise Mismatch(f"wrong values at |A| = 1e4: expected {softmax(r.call.args[0]).round(4).tolist()}, got"
                       f" {np.round(got, 4).tolist()}")


SOFTMAX = graded(
    "softmax", "A", lambda rng: [(rng.normal(size=s) * 2,) for s in [(5, 3), (4, 4), (2, 6)]]
    + [(rng.integers(-3, 4, size=(3, 4)),)],
    _same_shape("softmax(A)"), softmax, seed=204, judge=_softmax_values, shape="the same shape as A",
    values="values on random cases (rows sum to 1)", extra=[
        lambda make_calls, parse: Check(
            "stable at |A| = 1e4 (no overflow, no RuntimeWarning)",
            fixed(lambda: [Call("x0", np.array([[1e4, 0.0, -1e4, 5.0], [-1e4, -1e4, -1e4 + 1.0, -1e4],
                                                [800.0, 799.0, 0.0, 1.0]]))]),
            _softmax_extreme_judge, role="property", after_values=True)])


# ---- softmax_gradient(X, W, b, T)

def _sg(X, W, b, T, axis=1, bias=True, act=None, transpose=False, extra=None):
    A = X @ W + (b if bias else 0.0)
    Y = act(A) if act else softmax(A, axis)
    D = (Y - T) * Y * (1 - Y) if extra == "dsig" else Y - T
    return ((D.T @ X) if transpose else X.T @ D) / len(X), D.sum(axis=0) / len(X)


def _sg_cases(rng):
    out = []
    for m, n, k in [(7, 3, 4), (6, 4, 4), (5, 2, 3)]:
        out.append((rng.normal(size=(m, n)), rng.normal(size=(n, k)), rng.normal(size=k),
                    np.eye(k)[rng.integers(0, k, size=m)]))
    return out


SOFTMAX_GRADIENT = graded(
    "softmax_gradient", "X, W, b, T", _sg_cases,
    [("dW", lambda X, W, b, T: W.shape), ("db", lambda X, W, b, T: b.shape)], _sg, {
        "dW is transposed: (Y - T).T @ X has shape (k, n); dW = X.T @ (Y - T) / m has the shape of W (n, k)":
            lambda *a: _sg(*a, transpose=True),
        "the softmax inside is taken over the wrong axis (columns): use axis=1": lambda *a: _sg(*a, axis=0),
        "the scores inside leave out the bias b: A = X @ W + b": lambda *a: _sg(*a, bias=False),
        "a sigmoid is used instead of the softmax": lambda *a: _sg(*a, act=sig),
        "it is multiplied by Y (1 - Y): with softmax and cross-entropy, dJ/dA is simply (Y - T) / m":
            lambda *a: _sg(*a, extra="dsig"),
        "the softmax is applied twice (a softmax of a softmax): the scores A are turned into probabilities"
        " once, Y = softmax(A)": lambda *a: _sg(*a, act=lambda A: softmax(softmax(A))),
        "db sums (Y - T) over every entry, all classes at once, instead of over the samples per class:"
        " db = (Y - T).sum(axis=0) / m":
            lambda X, W, b, T: (_sg(X, W, b, T)[0], np.full(len(b), (softmax(X @ W + b) - T).sum() / len(X))),
    }, seed=205, m=lambda X, *r: len(X), n=lambda X, *r: X.shape[1], rows=(0, 3),
    case=lambda c: f" on X {c.args[0].shape}, W {c.args[1].shape}",
    shape="(dW, db) with the shapes of W and b", helpers=["softmax"])

FUNCTIONS = [SIGMOID, BINARY_CROSS_ENTROPY, LOGISTIC_GRADIENT, SOFTMAX, SOFTMAX_GRADIENT]
