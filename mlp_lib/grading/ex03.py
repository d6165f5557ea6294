"""Checks for exercises/ex03_backprop_one_hidden: sigmoid_derivative, forward, backward."""

import numpy as np

from mlp_lib.grading._framework import (
    Call,
    Check,
    FunctionSpec,
    Mismatch,
    close,
    compare_values,
    need_array,
    need_tuple,
    unchanged_check,
    value_judge,
)
from mlp_lib.grading._nets import BUGS, backprop_variant, sig

# ---- sigmoid_derivative(y)


def _sd_calls():
    rng = np.random.default_rng(301)
    return [Call("c0", rng.uniform(0.02, 0.98, size=6)), Call("c1", rng.uniform(0.02, 0.98, size=(3, 4)))]


def _same(value, call):
    return [need_array(value, call.args[0].shape)]


SD_MISTAKES = [
    ("σ is applied to an output that is already σ(a): the argument is y = σ(a), so σ'(a) = y (1 - y),"
     " not σ(y)(1 - σ(y))", lambda c: [sig(c.args[0]) * (1 - sig(c.args[0]))]),
    ("1 - y^2 is the derivative of tanh; for the sigmoid it is y (1 - y)", lambda c: [1 - c.args[0] ** 2]),
    ("it equals y (1 + y); the sigmoid's derivative is y (1 - y)", lambda c: [c.args[0] * (1 + c.args[0])]),
    ("it equals 1 - y; the sigmoid's derivative is y (1 - y)", lambda c: [1 - c.args[0]]),
    ("it returns y itself; the derivative is y (1 - y)", lambda c: [c.args[0]]),
]

SIGMOID_DERIVATIVE = FunctionSpec("sigmoid_derivative", ["y"], [
    Check("same shape as y", _sd_calls, lambda rs: [_same(r.value, r.call) for r in rs], gate=True),
    Check("values on random cases", _sd_calls,
          value_judge(_same, lambda c: [c.args[0] * (1 - c.args[0])], SD_MISTAKES, ["σ'(a)"],
                      lambda c: 1e9)),
    unchanged_check(["y"], _sd_calls),
])


# ---- forward(X, W1, b1, W2, b2) -> (H, Y)

SIZES = [(7, 3, 5, 2), (6, 4, 4, 4), (8, 2, 3, 1)]


def _net_case(rng, m, n, h, k):
    X = rng.normal(size=(m, n))
    W1, b1 = rng.normal(size=(n, h)), rng.normal(size=h) * 0.5
    W2, b2 = rng.normal(size=(h, k)), rng.normal(size=k) * 0.5
    return X, W1, b1, W2, b2


def _fw_calls():
    rng = np.random.default_rng(302)
    return [Call(f"c{i}", *_net_case(rng, *s)) for i, s in enumerate(SIZES)]


def _fw_parse(value, call):
    X, W1, b1, W2, b2 = call.args
    H, Y = need_tuple(value, 2, ["H", "Y"])
    return [need_array(H, (X.shape[0], W1.shape[1]), "H"), need_array(Y, (X.shape[0], W2.shape[1]), "Y")]


def _fw(c, f1=sig, f2=sig, bias1=True, bias2=True, pre=False):
    X, W1, b1, W2, b2 = c.args
    A1 = X @ W1 + (b1 if bias1 else 0)
    H = f1(A1)
    A2 = H @ W2 + (b2 if bias2 else 0)
    if pre:
        return [A1, A2]
    return [H, f2(A2)]


FW_MISTAKES = [
    ("the hidden layer has no sigmoid: H = σ(X @ W1 + b1)", lambda c: _fw(c, f1=lambda a: a)),
    ("the output has no sigmoid: Y = σ(H @ W2 + b2)", lambda c: _fw(c, f2=lambda a: a)),
    ("it returns the pre-activations A = X W + b instead of the outputs σ(A)", lambda c: _fw(c, pre=True)),
    ("the hidden layer leaves out the bias b1", lambda c: _fw(c, bias1=False)),
    ("the output layer leaves out the bias b2", lambda c: _fw(c, bias2=False)),
    ("the hidden layer uses tanh; this network is sigmoid throughout", lambda c: _fw(c, f1=np.tanh)),
    ("the hidden layer uses relu; this network is sigmoid throughout",
     lambda c: _fw(c, f1=lambda a: np.maximum(a, 0))),
]

FORWARD = FunctionSpec("forward", ["X", "W1", "b1", "W2", "b2"], [
    Check("returns (H, Y) of shapes (m, h) and (m, k)", _fw_calls,
          lambda rs: [_fw_parse(r.value, r.call) for r in rs], gate=True),
    Check("values on random cases (incl. equal widths)", _fw_calls,
          value_judge(_fw_parse, _fw, FW_MISTAKES, ["H", "Y"],
                      describe_case=lambda c: f" on X {c.args[0].shape}, W1 {c.args[1].shape},"
                                              f" W2 {c.args[3].shape}")),
    unchanged_check(["X", "W1", "b1", "W2", "b2"], _fw_calls),
], line_hints=[(r"\bX\b\s*(@|\.dot\()\s*W2|dot\(\s*X\s*,\s*W2",
                "the output layer's input is H, the hidden layer's output, not X:"
                " the wrong layer's activations (Y = σ(H @ W2 + b2)).")])


# ---- backward(X, H, Y, T, W2) -> (dW1, db1, dW2, db2)

def _bw_calls():
    rng = np.random.default_rng(303)
    out = []
    for i, s in enumerate(SIZES):
        X, W1, b1, W2, b2 = _net_case(rng, *s)
        H = sig(X @ W1 + b1)
        Y = sig(H @ W2 + b2)
        T = rng.integers(0, 2, size=Y.shape).astype(float)
        out.append(Call(f"c{i}", X, H, Y, T, W2, _net=(W1, b1, b2)))
    return out


def _bw_call(key, X, H, Y, T, W2, _net):
    c = Call(key, X, H, Y, T, W2)
    c.net = _net
    return c


def _bw_calls_clean():
    return [_bw_call(c.key, *c.args, _net=c.kwargs["_net"]) for c in _bw_calls()]


def _bw_parse(value, call):
    X, H, Y, T, W2 = call.args
    W1_shape = (X.shape[1], H.shape[1])
    dW1, db1, dW2, db2 = need_tuple(value, 4, ["dW1", "db1", "dW2", "db2"])
    k = W2.shape[1]
    if np.shape(dW1) == (X.shape[1], k) and k != H.shape[1]:
        raise Mismatch(f"dW1 has shape {np.shape(dW1)}, expected {W1_shape}: it is built from delta2,"
                       " the output layer's delta; the hidden layer needs its own"
                       " delta1 = (delta2 @ W2.T) * H (1 - H).")
    if np.shape(db1) == (k,) and k != H.shape[1]:
        raise Mismatch(f"db1 has shape {np.shape(db1)}, the shape of b2, expected ({H.shape[1]},):"
                       " it is summed from delta2, the output layer's delta, instead of delta1"
                       " (the hidden layer's).")
    dW1 = need_array(dW1, W1_shape, "dW1")
    db1 = need_array(db1, (H.shape[1],), "db1")
    try:
        dW2 = need_array(dW2, W2.shape, "dW2")
    except Mismatch as exc:
        if np.shape(dW2) == (X.shape[1], W2.shape[1]):
            raise Mismatch(f"{exc} That is X.T @ delta2: dW2 uses the wrong layer's activations;"
                           " the input of the output layer is H, so dW2 = H.T @ delta2.") from None
        raise
    return [dW1, db1, dW2, need_array(db2, (W2.shape[1],), "db2")]


def _bw_variant(call, bug=None):
    X, H, Y, T, W2 = call.args
    W1, b1, b2 = call.net
    g = backprop_variant(X, T, [W1, W2], [b1, b2], bug)
    if g is None:
        return None
    return [g[0][0], g[0][1], g[1][0], g[1][1]]


def _bw_input_variant(call, bug):
    """Mistakes that only exist in backward's own arguments (X used where H belongs)."""
    X, H, Y, T, W2 = call.args
    m = X.shape[0]
    d2 = (Y - T) / m
    if bug == "X_for_dW2":
        d1 = (d2 @ W2.T) * H * (1 - H)
        return [X.T @ d1, d1.sum(0), X.T @ d2, d2.sum(0)]
    if bug == "Y_for_deriv":
        d1 = (d2 @ W2.T) * Y * (1 - Y)
        return [X.T @ d1, d1.sum(0), H.T @ d2, d2.sum(0)]
    return None


LAYER_NAMES = {1: "layer 1 (the hidden layer)", 2: "layer 2 (the output layer)"}


def backprop_judge(parse, variant, n_layers_of, bug_texts, extra=(), m_of=None, layer_names=None, probe=None):
    """Compare per layer from the output down; name the first wrong layer and the mistake."""
    def judge(results):
        gots = [parse(r.value, r.call) for r in results]
        calls = [r.call for r in results]
        exps = [variant(c) for c in calls]
        n_comp = len(exps[0])
        bad = [k for k in range(n_comp)
               if not all(close(g[k], e[k], 1e-5, 1e-9) for g, e in zip(gots, exps))]
        if not bad:
            return
        L = n_layers_of(calls[0]) if callable(n_layers_of) else n_layers_of
        # components are (dW, db) per layer, bottom first; layer numbers 1..L
        wrong_layers = sorted({k // 2 + 1 for k in bad}, reverse=True)
        first = wrong_layers[0]
        names = layer_names or {}
        def lname(l):
            return names.get(l, f"layer {l} of {L}" + (" (the output layer)" if l == L else ""))
        head = f"the first wrong gradient, counted from the output, is in {lname(first)}"
        if first < L:
            head += f"; {lname(L)}" + (" and the layers above it are" if first < L - 1 else " is") + " right"
        candidates = [(text, bug) for bug, text in bug_texts.items()] + list(extra)
        for text, bug in candidates:
            outs = [_safe_variant(variant, c, bug) for c in calls]
            if any(o is None for o in outs):
                continue
            if all(close(g[k], o[k], 1e-5, 1e-9) for g, o in zip(gots, outs) for k in range(n_comp)):
                raise Mismatch(f"{head}. It looks like {text}.")
        # no single known mistake: is the first wrong layer's dW built from the wrong activations or weights?
        if probe is not None:
            k = 2 * (first - 1)
            per_case = [probe(c, first) for c in calls]
            for text, _ in per_case[0]:
                cands = [dict(pc).get(text) for pc in per_case]
                if all(cand is not None and close(g[k], cand, 1e-5, 1e-9) for g, cand in zip(gots, cands)):
                    raise Mismatch(f"{head}. It looks like {text}.")
        # describe the first wrong layer's components
        lines = [head + "."]
        for k in bad:
            if k // 2 + 1 != first:
                continue
            label = ("dW" if k % 2 == 0 else "db") + str(first)
            try:
                compare_values(label, [g[k] for g in gots], [e[k] for e in exps], calls, [],
                               [m_of(c) for c in calls] if m_of else None)
            except Mismatch as exc:
                lines.append(str(exc))
        raise Mismatch("\n".join(lines))
    return judge


def _safe_variant(variant, call, bug):
    try:
        with np.errstate(all="ignore"):
            return variant(call, bug)
    except Exception:
        return None


def _bw_any_variant(call, bug=None):
    if bug in ("X_for_dW2", "Y_for_deriv"):
        return _bw_input_variant(call, bug)
    return _bw_variant(call, bug)


BW_EXTRA = [
    ("dW2 uses X instead of H: the wrong layer's activations (the input of the output layer is H)",
     "X_for_dW2"),
    ("the derivative in the hidden delta is taken from Y; it must be H (1 - H),"
     " the hidden layer's own output",
     "Y_for_deriv"),
]

BACKWARD = FunctionSpec("backward", ["X", "H", "Y", "T", "W2"], [
    Check("returns (dW1, db1, dW2, db2) with the shapes of W1, b1, W2, b2", _bw_calls_clean,
          lambda rs: [_bw_parse(r.value, r.call) for r in rs], gate=True),
    Check("gradients of the mean cross-entropy on random nets (incl. equal widths)", _bw_calls_clean,
          backprop_judge(_bw_parse, _bw_any_variant, 2, BUGS, BW_EXTRA, lambda c: c.args[0].shape[0],
                         LAYER_NAMES)),
    unchanged_check(["X", "H", "Y", "T", "W2"], _bw_calls_clean),
], line_hints=[(r"\bX\.T\s*(@|\.dot\()\s*(delta2|d2|delta_2|output_delta)\b",
                "dW2 uses X: the wrong layer's activations; the input of the output layer is H,"
                " so dW2 = H.T @ delta2."),
               (r"(delta2|d2|delta_2)\s*@\s*W2\b(?!\.T)", "delta2 @ W2 needs W2.T: a missing transpose"
                " (delta1 = (delta2 @ W2.T) * H (1 - H)).")])

FUNCTIONS = [SIGMOID_DERIVATIVE, FORWARD, BACKWARD]
