"""Checks for exercises/ex04_deep_backprop: output_delta, hidden_delta, layer_gradients, backprop,
numerical_gradient."""

import numpy as np

from mlp_lib.grading._framework import (
    Call,
    Check,
    Fn,
    FunctionSpec,
    Mismatch,
    need_array,
    unchanged_check,
    value_judge,
)
from mlp_lib.grading._nets import BUGS, backprop_variant, forward_all, sig
from mlp_lib.grading.ex03 import backprop_judge

# ---- output_delta(Y, T)


def _od_calls():
    rng = np.random.default_rng(401)
    out = []
    Y = sig(rng.normal(size=(7, 1)))
    out.append(Call("c0", Y, rng.integers(0, 2, size=Y.shape).astype(float)))
    Y = sig(rng.normal(size=(5, 3)))
    out.append(Call("c1", Y, rng.integers(0, 2, size=Y.shape).astype(float)))
    A = rng.normal(size=(9, 4))
    Y = np.exp(A) / np.exp(A).sum(axis=1, keepdims=True)
    out.append(Call("c2", Y, np.eye(4)[rng.integers(0, 4, size=9)]))
    return out


def _same(value, call):
    return [need_array(value, call.args[0].shape)]


OD_MISTAKES = [
    ("it is multiplied by Y (1 - Y): with sigmoid + cross-entropy (and softmax + cross-entropy) σ' cancels,"
     " delta = (Y - T) / m",
     lambda c: [(c.args[0] - c.args[1]) * c.args[0] * (1 - c.args[0]) / len(c.args[0])]),
    ("it is dJ/dY = -T / Y / m (or the BCE's dJ/dY), not dJ/dA = (Y - T) / m",
     lambda c: [-c.args[1] / c.args[0] / len(c.args[0])]),
    ("it is divided by m·k (a mean over every entry) instead of by m",
     lambda c: [(c.args[0] - c.args[1]) / c.args[0].size]),
]

OUTPUT_DELTA = FunctionSpec("output_delta", ["Y", "T"], [
    Check("same shape as Y", _od_calls, lambda rs: [_same(r.value, r.call) for r in rs], gate=True),
    Check("values for sigmoid + BCE and softmax + CE", _od_calls,
          value_judge(_same, lambda c: [(c.args[0] - c.args[1]) / len(c.args[0])], OD_MISTAKES, ["delta"],
                      lambda c: c.args[0].shape[0],
                      describe_case=lambda c: f" on Y of shape {c.args[0].shape}")),
    unchanged_check(["Y", "T"], _od_calls),
])


# ---- hidden_delta(delta_next, W_next, H)

def _hd_calls():
    rng = np.random.default_rng(402)
    out = []
    for i, (m, n, k) in enumerate([(7, 5, 3), (6, 4, 4), (5, 2, 3)]):
        out.append(Call(f"c{i}", rng.normal(size=(m, k)) / m, rng.normal(size=(n, k)),
                        sig(rng.normal(size=(m, n)))))
    return out


def _hd_parse(value, call):
    return [need_array(value, call.args[2].shape, "delta")]


def _hd(c, bug=None):
    d, W, H = c.args
    back = d @ W if bug == "no_transpose" else d @ W.T
    deriv = {"no_deriv": 1.0, "sig_of_output": sig(H) * (1 - sig(H)), "tanh": 1 - H ** 2,
             "H": H}.get(bug, H * (1 - H))
    return [back * deriv]


HD_MISTAKES = [
    ("W_next is not transposed: the recursion is (delta_next @ W_next.T) * H (1 - H)",
     lambda c: _hd(c, "no_transpose")),
    ("the activation derivative is missing: multiply by f'(a) = H (1 - H)", lambda c: _hd(c, "no_deriv")),
    ("the derivative is taken of the wrong quantity: σ applied to an output that is already σ(a);"
     " with H = σ(A) the derivative is H (1 - H)", lambda c: _hd(c, "sig_of_output")),
    ("1 - H^2 is the tanh derivative; for a sigmoid layer it is H (1 - H)", lambda c: _hd(c, "tanh")),
    ("it multiplies by H instead of by H (1 - H)", lambda c: _hd(c, "H")),
]

HIDDEN_DELTA = FunctionSpec("hidden_delta", ["delta_next", "W_next", "H"], [
    Check("shape (m, n) like H", _hd_calls, lambda rs: [_hd_parse(r.value, r.call) for r in rs], gate=True),
    Check("values on random cases (incl. a square W)", _hd_calls,
          value_judge(_hd_parse, _hd, HD_MISTAKES, ["delta"], lambda c: c.args[0].shape[0],
                      describe_case=lambda c: f" on delta_next {c.args[0].shape}, W_next {c.args[1].shape}")),
    unchanged_check(["delta_next", "W_next", "H"], _hd_calls),
])


# ---- layer_gradients(H_prev, delta)

def _lg_calls():
    rng = np.random.default_rng(403)
    return [Call(f"c{i}", sig(rng.normal(size=(m, n))), rng.normal(size=(m, k)) / m)
            for i, (m, n, k) in enumerate([(7, 3, 4), (5, 4, 4), (6, 5, 2)])]


def _lg_parse(value, call):
    from mlp_lib.grading._framework import need_tuple

    H, d = call.args
    dW, db = need_tuple(value, 2, ["dW", "db"])
    return [need_array(dW, (H.shape[1], d.shape[1]), "dW"), need_array(db, (d.shape[1],), "db")]


LG_MISTAKES = [
    ("dW is transposed: delta.T @ H_prev; dW = H_prev.T @ delta has the shape of W (n_in, n_out)",
     lambda c: [c.args[1].T @ c.args[0], c.args[1].sum(0)]),
    ("dW is divided by m again, but delta already holds the 1/m of the mean: 1/m is applied twice",
     lambda c: [c.args[0].T @ c.args[1] / len(c.args[0]), c.args[1].sum(0) / len(c.args[0])]),
    ("db is a mean over the rows, but delta already holds the 1/m of the mean: 1/m is applied twice;"
     " db = delta.sum(axis=0)", lambda c: [c.args[0].T @ c.args[1], c.args[1].mean(0)]),
]

LAYER_GRADIENTS = FunctionSpec("layer_gradients", ["H_prev", "delta"], [
    Check("returns (dW, db) of shapes (n_in, n_out) and (n_out,)", _lg_calls,
          lambda rs: [_lg_parse(r.value, r.call) for r in rs], gate=True),
    Check("values on random cases (incl. a square W)", _lg_calls,
          value_judge(_lg_parse, lambda c: [c.args[0].T @ c.args[1], c.args[1].sum(0)], LG_MISTAKES,
                      ["dW", "db"], lambda c: c.args[0].shape[0],
                      describe_case=lambda c: f" on H_prev {c.args[0].shape}, delta {c.args[1].shape}")),
    unchanged_check(["H_prev", "delta"], _lg_calls),
])


# ---- backprop(X, T, weights, biases)

NETS = {"one": (7, [3, 5, 2]), "equal": (6, [4, 6, 6, 3]), "deep": (5, [3, 4, 4, 4, 2]),
        "square": (6, [4, 4, 4, 4])}
SEEDS = {"one": 404, "equal": 405, "deep": 406, "square": 408}


def _bp_call(key, seed):
    m, sizes = NETS[key]
    rng = np.random.default_rng(seed)
    Ws = [rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    bs = [rng.normal(size=b) * 0.5 for b in sizes[1:]]
    X = rng.normal(size=(m, sizes[0]))
    T = rng.integers(0, 2, size=(m, sizes[-1])).astype(float)
    return Call(key, X, T, Ws, bs)


def _bp_all():
    return [_bp_call(key, seed) for key, seed in SEEDS.items()]


def _bp_parse(value, call):
    X, T, Ws, bs = call.args
    L = len(Ws)
    if value is None:
        raise Mismatch("the result is None: did you forget the `return` statement?"
                       " Return a list of (dW, db), one per layer, bottom layer first.")
    if not isinstance(value, (list, tuple)):
        raise Mismatch(f"the result is a {type(value).__name__}, expected a list of {L} (dW, db) pairs.")
    if len(value) != L:
        raise Mismatch(f"the list has {len(value)} entries for a net with {L} layers (sizes"
                       f" {[W.shape[0] for W in Ws] + [Ws[-1].shape[1]]}): one (dW, db) per layer.")
    out = []
    shapes = [W.shape for W in Ws]
    got_shapes = [np.shape(p[0]) if isinstance(p, (list, tuple)) and len(p) == 2 else None for p in value]
    if got_shapes == shapes[::-1] and shapes != shapes[::-1]:
        raise Mismatch("the list is ordered from the output down: return the bottom layer first"
                       " (grads[0] belongs to weights[0]); reverse the list before returning it.")
    widths = [W.shape[0] for W in Ws] + [Ws[-1].shape[1]]
    for l, (pair, W, b) in enumerate(zip(value, Ws, bs), start=1):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise Mismatch(f"entry {l - 1} is a {type(pair).__name__}, expected a pair (dW, db).")
        try:
            out.append(need_array(pair[0], W.shape, f"dW of layer {l}"))
        except Mismatch as exc:
            got = np.shape(pair[0])
            if len(got) == 2 and got[1] == W.shape[1] and got[0] in widths[:l - 1] + widths[l:]:
                which = "the output layer's" if l == L else f"layer {l}'s"
                raise Mismatch(f"{exc} Its rows match another layer's width ({got[0]}): {which} dW uses the"
                               f" wrong layer's activations. dW of layer {l} ="
                               f" (input of layer {l}).T @ delta,"
                               f" and the input of layer {l} is the output of layer {l - 1}"
                               f"{' (X for layer 1)' if l == 1 else ''}.") from None
            raise
        out.append(need_array(pair[1], b.shape, f"db of layer {l}"))
    return out


def _bp_variant(call, bug=None):
    X, T, Ws, bs = call.args
    g = backprop_variant(X, T, Ws, bs, bug)
    if g is None:
        return None
    return [a for pair in g for a in pair]


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


def _bp_check(key, title):
    return Check(title, lambda: [_bp_call(key, SEEDS[key])],
                 backprop_judge(_bp_parse, _bp_variant, lambda c: len(c.args[2]), BUGS,
                                m_of=lambda c: c.args[0].shape[0], probe=_bp_probe))


BACKPROP = FunctionSpec("backprop", ["X", "T", "weights", "biases"], [
    # not a gate: a shape error on one net must not hide what the other nets reveal
    Check("returns one (dW, db) per layer, bottom first, with the shapes of W and b", _bp_all,
          lambda rs: [_bp_parse(r.value, r.call) for r in rs]),
    _bp_check("one", "gradients on a 2-layer net (one hidden layer)"),
    _bp_check("equal", "gradients on a 3-layer net (two hidden layers of equal width)"),
    _bp_check("deep", "gradients on a 4-layer net (three hidden layers)"),
    _bp_check("square", "gradients on a 3-layer net whose layers all have the same width"),
    unchanged_check(["X", "T", "weights", "biases"], _bp_all),
])


# ---- numerical_gradient(f, x, eps=1e-5)

F_SRC = "lambda x: float(np.sum(C * np.sin(x)) + 0.5 * np.sum(D * x ** 3))"


def _ng_calls():
    rng = np.random.default_rng(407)
    out = []
    for i, shape in enumerate([(5,), (3, 4)]):
        C = rng.normal(size=shape)
        D = rng.normal(size=shape)
        out.append(Call(f"c{i}", Fn(F_SRC, C=C, D=D), rng.normal(size=shape)))
    C, D = rng.normal(size=(4,)), rng.normal(size=(4,))
    out.append(Call("c2", Fn(F_SRC, C=C, D=D), rng.normal(size=4), eps=1e-4))
    return out


def _eps(c):
    return c.kwargs.get("eps", 1e-5)


def _diff(c, kind="central", eps=None):
    f = c.args[0].local()
    x = np.array(c.args[1], dtype=float)
    h = eps or _eps(c)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        f0 = f(x)
        g[i] = {"central": (fp - fm) / (2 * h), "forward": (fp - f0) / h, "backward": (f0 - fm) / h,
                "no2": (fp - fm) / h}.get(kind, 0.0)
    if kind == "all_at_once":
        x = np.array(c.args[1], dtype=float)
        g = np.full(x.shape, (f(x + h) - f(x - h)) / (2 * h))
    return [g]


def _ng_parse(value, call):
    return [need_array(value, call.args[1].shape, "the gradient")]


NG_MISTAKES = [
    ("it uses forward differences (f(x + eps) - f(x)) / eps: use central differences"
     " (f(x + eps) - f(x - eps)) / (2 eps), whose error shrinks like eps^2", lambda c: _diff(c, "forward")),
    ("it uses backward differences (f(x) - f(x - eps)) / eps: use central differences"
     " (f(x + eps) - f(x - eps)) / (2 eps)", lambda c: _diff(c, "backward")),
    ("it divides by eps instead of 2 eps: central differences are (f(x + eps) - f(x - eps)) / (2 eps)",
     lambda c: _diff(c, "no2")),
    ("every entry of x is moved at once (x + eps): move one entry at a time, x[i] + eps, and keep the"
     " others fixed", lambda c: _diff(c, "all_at_once")),
]


def _ng_values(results):
    try:
        value_judge(_ng_parse, _diff, NG_MISTAKES, ["the gradient"], None, rtol=1e-6, atol=1e-9,
                    describe_case=lambda c: f" on x of shape {c.args[1].shape}")(results)
    except Mismatch as exc:
        rough = all(np.allclose(_ng_parse(r.value, r.call)[0], _diff(r.call)[0], rtol=1e-2, atol=1e-6)
                    for r in results)
        if rough and "wrong:" not in str(exc):
            raise Mismatch(f"{exc} That is close, but less accurate than central differences with the"
                           " given eps should be: does your function use the eps argument, and"
                           " (f(x + eps) - f(x - eps))"
                           " / (2 eps)?") from None
        raise


def _ng_unchanged(results):
    for r in results:
        if r.changed:
            raise Mismatch("x is changed afterwards: the input was mutated in place. Restore every entry"
                           " exactly (save old = x[i], put x[i] = old back; x[i] += eps followed by"
                           " x[i] -= eps leaves rounding errors), or work on a copy of x.")


NUMERICAL_GRADIENT = FunctionSpec("numerical_gradient", ["f", "x", "eps"], [
    Check("same shape as x (1-D and 2-D x)", _ng_calls, lambda rs: [_ng_parse(r.value, r.call) for r in rs],
          gate=True),
    Check("central differences match the exact gradient", _ng_calls, _ng_values),
    Check("x unchanged afterwards", _ng_calls, _ng_unchanged),
])

FUNCTIONS = [OUTPUT_DELTA, HIDDEN_DELTA, LAYER_GRADIENTS, BACKPROP, NUMERICAL_GRADIENT]
