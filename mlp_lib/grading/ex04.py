"""Checks for exercises/ex04_deep_backprop: output_delta, hidden_delta, layer_gradients, backprop,
numerical_gradient."""

import numpy as np

from mlp_lib.grading._framework import (
    Call,
    Check,
    Fn,
    Mismatch,
    backprop_judge,
    graded,
    need_array,
    value_judge,
)
from mlp_lib.grading._nets import BUGS, HIDDEN_BUGS, backprop_variant, forward_all, hidden_delta_variant, sig


def _od_cases(rng):
    Y1, Y2, A = sig(rng.normal(size=(7, 1))), sig(rng.normal(size=(5, 3))), rng.normal(size=(9, 4))
    Y3 = np.exp(A) / np.exp(A).sum(axis=1, keepdims=True)
    return [(Y1, rng.integers(0, 2, size=Y1.shape).astype(float)),
            (Y2, rng.integers(0, 2, size=Y2.shape).astype(float)),
            (Y3, np.eye(4)[rng.integers(0, 4, size=9)])]


OUTPUT_DELTA = graded(
    "output_delta", "Y, T", _od_cases, [("delta", lambda Y, T: Y.shape)], lambda Y, T: (Y - T) / len(Y), {
        "it is multiplied by Y (1 - Y): with sigmoid + cross-entropy (and softmax + cross-entropy) σ'"
        " cancels, delta = (Y - T) / m": lambda Y, T: (Y - T) * Y * (1 - Y) / len(Y),
        "it is e (1 - e) with e = Y - T: σ'(a) = y (1 - y) is written of the error instead of the output,"
        " and with cross-entropy it cancels anyway: delta = (Y - T) / m":
            lambda Y, T: (Y - T) * (1 - Y + T) / len(Y),
        "it is dJ/dY = -T / Y / m (or the BCE's dJ/dY), not dJ/dA = (Y - T) / m":
            lambda Y, T: -T / Y / len(Y),
        "it is σ'(a) = Y (1 - Y) alone: the error Y - T is missing; with cross-entropy the output delta is"
        " (Y - T) / m": lambda Y, T: Y * (1 - Y) / len(Y),
        "it is divided by m·k (a mean over every entry) instead of by m": lambda Y, T: (Y - T) / Y.size,
    }, seed=401, m=lambda Y, T: len(Y), n=lambda Y, T: Y.shape[1],
    case=lambda c: f" on Y of shape {c.args[0].shape}", shape="the same shape as Y",
    values="values for sigmoid + BCE and softmax + CE")


def _hd_cases(rng):
    return [(rng.normal(size=(m, k)) / m, rng.normal(size=(n, k)), sig(rng.normal(size=(m, n))))
            for m, n, k in [(7, 5, 3), (6, 4, 4), (5, 2, 3), (4, 3, 1)]]


HIDDEN_DELTA = graded(
    "hidden_delta", "delta_next, W_next, H", _hd_cases, [("delta", lambda d, W, H: H.shape)],
    hidden_delta_variant, {text: (lambda d, W, H, bug=bug: hidden_delta_variant(d, W, H, bug))
                           for bug, text in HIDDEN_BUGS.items() if bug != "deriv_next"},
    seed=402, m=lambda d, W, H: len(d), shape="shape (m, n) like H", scaled={
        "the derivative factor is one number everywhere: it does not depend on H, the layer's output;"
        " multiply by H (1 - H), computed from H": lambda d, W, H: d @ W.T},
    values="values on random cases (incl. a square W and one output unit)",
    case=lambda c: f" on delta_next {c.args[0].shape}, W_next {c.args[1].shape}")

LAYER_GRADIENTS = graded(
    "layer_gradients", "H_prev, delta",
    lambda rng: [(sig(rng.normal(size=(m, n))), rng.normal(size=(m, k)) / m) for m, n, k in
                 [(7, 3, 4), (5, 4, 4), (6, 5, 2)]],
    [("dW", lambda H, d: (H.shape[1], d.shape[1])), ("db", lambda H, d: (d.shape[1],))],
    lambda H, d: (H.T @ d, d.sum(0)), {
        "dW is transposed: delta.T @ H_prev; dW = H_prev.T @ delta has the shape of W (n_in, n_out)":
            lambda H, d: (d.T @ H, d.sum(0)),
        "dW is divided by m again, but delta already holds the 1/m of the mean: 1/m is applied twice":
            lambda H, d: (H.T @ d / len(H), d.sum(0) / len(H)),
        "db is a mean over the rows, but delta already holds the 1/m of the mean: 1/m is applied twice;"
        " db = delta.sum(axis=0)": lambda H, d: (H.T @ d, d.mean(0)),
        "dW is the outer product of the averaged input and the summed delta: the average is taken before the"
        " product; dW = H_prev.T @ delta sums the per-sample products":
            lambda H, d: (np.outer(H.mean(0), d.sum(0)), d.sum(0)),
        "db is summed from dW, the weight gradient, instead of from delta alone: db = delta.sum(axis=0)":
            lambda H, d: (H.T @ d, (H.T @ d).sum(0)),
    }, seed=403, m=lambda H, d: len(H), n=lambda H, d: H.shape[1],
    shape="(dW, db) of shapes (n_in, n_out) and (n_out,)", values="values on random cases (incl. a square W)",
    case=lambda c: f" on H_prev {c.args[0].shape}, delta {c.args[1].shape}")


# ---- backprop(X, T, weights, biases)

NETS = {"one": (7, [3, 5, 2]), "equal": (6, [4, 6, 6, 3]), "deep": (5, [3, 4, 4, 4, 2]),
        "square": (6, [4, 4, 4, 4])}


def _bp_cases(rng):
    out = []
    for key, (m, sizes) in NETS.items():
        Ws = [rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
        bs = [rng.normal(size=b) * 0.5 for b in sizes[1:]]
        X = rng.normal(size=(m, sizes[0]))
        out.append(Call(key, X, rng.integers(0, 2, size=(m, sizes[-1])).astype(float), Ws, bs))
    return out


def _bp_parse(value, call):
    X, T, Ws, bs = call.args
    L = len(Ws)
    if value is None:
        raise Mismatch("the result is None: did you forget the `return` statement?"
                       " Return a list of (dW, db), one per layer, bottom layer first.")
    if not isinstance(value, (list, tuple)):
        raise Mismatch(f"the result is a {type(value).__name__}, expected a list of {L} (dW, db) pairs.")
    widths = [W.shape[0] for W in Ws] + [Ws[-1].shape[1]]
    if len(value) != L:
        raise Mismatch(f"the list has {len(value)} entries for a net with {L} layers (sizes {widths}):"
                       " one (dW, db) per layer.")
    shapes = [W.shape for W in Ws]
    got_shapes = [np.shape(p[0]) if isinstance(p, (list, tuple)) and len(p) == 2 else None for p in value]
    if got_shapes == shapes[::-1] and shapes != shapes[::-1]:
        raise Mismatch("the list is ordered from the output down: return the bottom layer first"
                       " (grads[0] belongs to weights[0]); reverse the list before returning it.")
    out = []
    for l, (pair, W, b) in enumerate(zip(value, Ws, bs), start=1):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            if pair is None:
                raise Mismatch(f"entry {l - 1} is None: the loop never fills layer {l} (a range that stops"
                               f" one layer early, e.g. range(L - 1, 0, -1) leaves out layer 0?)")
            raise Mismatch(f"entry {l - 1} is a {type(pair).__name__}, expected a pair (dW, db).")
        got = np.shape(pair[0])
        other_widths = widths[:l - 1] + widths[l:]
        if got != W.shape and len(got) == 2 and got[1] == W.shape[1] and got[0] in other_widths:
            which = "the output layer's" if l == L else f"layer {l}'s"
            raise Mismatch(f"dW of layer {l} has shape {got}, expected {W.shape}. Its rows match another"
                           f" layer's width ({got[0]}): {which} dW uses the wrong layer's activations. dW of"
                           f" layer {l} = (input of layer {l}).T @ delta, and the input of layer {l} is the"
                           f" output of layer {l - 1}{' (X for layer 1)' if l == 1 else ''}.")
        out += [need_array(pair[0], W.shape, f"dW of layer {l}"),
                need_array(pair[1], b.shape, f"db of layer {l}")]
    return out


def _bp_variant(call, bug=None):
    g = backprop_variant(*call.args, bug)
    return None if g is None else [a for pair in g for a in pair]


def _bp_probe(call, l):
    """Candidate dW of layer l (1-based) built from another layer's activations or weights."""
    X, T, Ws, bs = call.args
    Hs = forward_all(X, Ws, bs)
    L = len(Ws)
    deltas = {L: (Hs[L] - T) / X.shape[0]}
    for j in range(L - 1, 0, -1):
        deltas[j] = (deltas[j + 1] @ Ws[j].T) * Hs[j] * (1 - Hs[j])
    out = []
    for k, H in enumerate(Hs):
        if k != l - 1 and H.shape[1] == Ws[l - 1].shape[0]:
            src = "X" if k == 0 else f"the output of layer {k}"
            out.append((f"dW of layer {l} uses the wrong layer's activations: {src} instead of its own input"
                        f" ({'X' if l == 1 else f'the output of layer {l - 1}'})", H.T @ deltas[l]))
    if l < L:
        for j, W in enumerate(Ws):
            if j != l and W.shape == Ws[l].shape:
                d = (deltas[l + 1] @ W.T) * Hs[l] * (1 - Hs[l])
                out.append((f"the recursion uses the wrong layer's weights: delta of layer {l} must come from"
                            f" weights[{l}] (the layer above it), not weights[{j}]", Hs[l - 1].T @ d))
    return out


_bp_judge = backprop_judge(_bp_parse, _bp_variant, BUGS, probe=_bp_probe, m=lambda X, *r: len(X))


def _bp_net(key, title):
    return lambda make_calls, parse: Check(
        title, lambda seed=None: [c for c in make_calls(seed) if c.key == key], _bp_judge)


BACKPROP = graded(
    "backprop", "X, T, weights, biases", _bp_cases, _bp_parse, lambda *a: backprop_variant(*a), seed=404,
    gate=False,  # a shape error on one net must not hide what the other nets reveal
    shape="one (dW, db) per layer, bottom first, with the shapes of W and b", values=None, extra=[
        _bp_net("one", "gradients on a 2-layer net (one hidden layer)"),
        _bp_net("equal", "gradients on a 3-layer net (two hidden layers of equal width)"),
        _bp_net("deep", "gradients on a 4-layer net (three hidden layers)"),
        _bp_net("square", "gradients on a 3-layer net whose layers all have the same width")],
    helpers=["sigmoid", "output_delta", "hidden_delta", "layer_gradients"])


# ---- numerical_gradient(f, x, eps=1e-5)

F_SRC = "lambda x: float(np.sum(C * np.sin(x)) + 0.5 * np.sum(D * x ** 3))"


def _ng_cases(rng):
    out = [Call(f"c{i}", Fn(F_SRC, C=rng.normal(size=s), D=rng.normal(size=s)), rng.normal(size=s))
           for i, s in enumerate([(5,), (3, 4)])]
    out.append(Call("int", Fn(F_SRC, C=rng.normal(size=3), D=rng.normal(size=3)),
                    rng.integers(-3, 4, size=3)))
    return out + [Call("c2", Fn(F_SRC, C=rng.normal(size=4), D=rng.normal(size=4)), rng.normal(size=4),
                       eps=1e-4)]


def _diff(f, x, eps=1e-5, kind="central"):
    x = np.array(x, dtype=float)
    if kind == "rows" and x.ndim == 2:
        row = np.arange(len(x))[:, None]
        return np.stack([np.full(x.shape[1:], (f(np.where(row == i, x + eps, x))
                                               - f(np.where(row == i, x - eps, x))) / (2 * eps))
                         for i in range(len(x))])
    if kind == "rows":
        kind = "central"
    if kind == "all_at_once":
        return np.full(x.shape, (f(x + eps) - f(x - eps)) / (2 * eps))
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        fp = f(x)
        x[i] = old - eps
        fm = f(x)
        x[i] = old
        f0 = f(x)
        g[i] = {"central": (fp - fm) / (2 * eps), "forward": (fp - f0) / eps, "backward": (f0 - fm) / eps,
                "no2": (fp - fm) / eps}[kind]
    return g


def _ng_kind(kind):
    return lambda f, x, eps=1e-5: _diff(f, x, eps, kind)


_ng_compare = value_judge(
    lambda v, c: [need_array(v, c.args[1].shape, "the gradient")], _diff, {
        "it uses forward differences (f(x + eps) - f(x)) / eps: use central differences"
        " (f(x + eps) - f(x - eps)) / (2 eps), whose error shrinks like eps^2": _ng_kind("forward"),
        "it uses backward differences (f(x) - f(x - eps)) / eps: use central differences"
        " (f(x + eps) - f(x - eps)) / (2 eps)": _ng_kind("backward"),
        "it divides by eps instead of 2 eps: central differences are (f(x + eps) - f(x - eps)) / (2 eps)":
            _ng_kind("no2"),
        "it divides by 2 and then multiplies by eps: a / 2 * eps is (a / 2) * eps; write a / (2 * eps)":
            lambda f, x, eps=1e-5: _diff(f, x, eps) * eps * eps,
        "every entry of x is moved at once (x + eps): move one entry at a time, x[i] + eps, and keep the"
        " others fixed": _ng_kind("all_at_once"),
        "on a 2-D x, x[i] is a whole row, so a whole row is moved at once: move one entry at a time,"
        " iterating over every index with np.ndindex(x.shape)": _ng_kind("rows"),
    }, ["the gradient"], rtol=1e-6, atol=1e-9, case=lambda c: f" on x of shape {c.args[1].shape}",
    params=["f", "x", "eps"])


def _ng_values(results):
    try:
        _ng_compare(results)
    except Mismatch as exc:
        rough = all(np.allclose(need_array(r.value, r.call.args[1].shape), r.call.apply(_diff), rtol=1e-2,
                                atol=1e-6) for r in results)
        if rough and "wrong:" not in str(exc):
            raise Mismatch(f"{exc} That is close, but less accurate than central differences with the given"
                           f" eps should be: does your function use the eps argument, and (f(x + eps) - f(x"
                           " - eps)) / (2 eps)?") from None
        raise


def _ng_unchanged(results):
    for r in results:
        if r.changed:
            raise Mismatch("x is changed afterwards: x not restored, the input was mutated in place. Restore"
                           " every entry exactly (save old = x[i], put x[i] = old back; x[i] += eps followed"
                           " by x[i] -= eps leaves rounding errors), or work on a copy of x.")


NUMERICAL_GRADIENT = graded(
    "numerical_gradient", "f, x, eps", _ng_cases, lambda v, c: [need_array(v, c.args[1].shape,
        "the gradient")],
    _diff, seed=407, judge=_ng_values, shape="the same shape as x (1-D and 2-D x)",
    values="central differences match the exact gradient", mutates=True, extra=[
        lambda make_calls, parse: Check("x unchanged afterwards", make_calls, _ng_unchanged, role="property"),
    ])

FUNCTIONS = [OUTPUT_DELTA, HIDDEN_DELTA, LAYER_GRADIENTS, BACKPROP, NUMERICAL_GRADIENT]
