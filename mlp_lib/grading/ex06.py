"""Checks for exercises/ex06_autodiff: local backward rules, the topological order, a full sweep.

A graph is given as data: ``inputs[i]`` lists the nodes node i was computed
from, ``local[i][k]`` is the local derivative of node i with respect to its
k-th input, and ``root`` is the node J. Every rule takes G = dJ/d(output).
"""

import numpy as np

from mlp_lib.grading._diagnosing import describe
from mlp_lib.grading._framework import (
    Call,
    Check,
    Mismatch,
    case_rng,
    contract,
    explain_exception,
    graded,
    need_array,
    need_tuple,
    value_judge,
)
from mlp_lib.grading._nets import sig


def _dims(rng, k=3):
    """k different sizes: a rule that mixes up two axes then fails on a shape, not by luck."""
    return [int(d) for d in rng.choice(np.arange(2, 8), size=k, replace=False)]


def _rule(name, params, cases, parse, ref, mistakes, names, seed, case, scaled=None, **kw):
    """A graded rule whose contract needs its own parse (a named shape mistake)."""
    return graded(name, params, cases, parse, ref, seed=seed, judge=value_judge(
        parse, ref, mistakes, names, case=case, params=[p.strip() for p in params.split(",")],
        scaled=scaled), **kw)


# ---- unbroadcast(G, shape)

def _ub_cases(rng):
    m, n, p = _dims(rng)
    return [(rng.normal(size=g), s) for g, s in [
        ((m, n), (n,)), ((m, n), (m, 1)), ((p, m, n), (m, 1)), ((p, m, n), (1, n)), ((m, n), ()),
        ((n, m), (n, m))]]


def _ub_ref(G, shape):
    G = G.sum(axis=tuple(range(G.ndim - len(shape))))
    return G.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1), keepdims=True).reshape(shape)


def _ub_parse(value, call):
    G, shape = call.args[0], tuple(call.args[1])
    got = np.shape(value)
    if shape != G.shape and got == G.shape:
        if len(shape) == G.ndim:
            raise Mismatch(f"the result has shape {got}, the shape of G, expected {shape}: broadcasting is"
                           " not undone along the axes where the operand had size 1. Sum G over those"
                           " axes with keepdims=True.")
        raise Mismatch(f"the result has shape {got}, the shape of G, expected {shape}: broadcasting is not"
                       " undone. Sum G over the axes broadcasting added in front, then over the axes where"
                       " the operand had size 1 (keepdims=True).")
    if len(got) > len(shape) and got[len(got) - len(shape):] == shape:
        raise Mismatch(f"the result has shape {got}, expected {shape}: broadcasting is not undone over the"
                       f" {len(got) - len(shape)} axes it added in front; sum them away (axis=0, ...).")
    if 1 in shape and got == tuple(n for n in shape if n != 1):
        raise Mismatch(f"the result has shape {got}, expected {shape}: an axis of size 1 was summed away;"
                       " sum it with keepdims=True.")
    return [need_array(value, shape, "the gradient")]


UNBROADCAST = _rule(
    "unbroadcast", "G, shape", _ub_cases, _ub_parse, _ub_ref, {
        "it averages over the broadcast axes: every copy of the operand passes its gradient on in full,"
        " so the gradients are summed, not averaged":
            lambda G, shape: _ub_ref(G, shape) * max(np.prod(shape), 1) / G.size,
    }, ["the gradient"], 601, lambda c: f" on G {c.args[0].shape} to shape {tuple(c.args[1])}",
    shape="the operand's shape")


# ---- matmul_backward(G, A, B)

def _mm_cases(rng):
    m, n, k = _dims(rng)
    s = int(rng.integers(2, 6))
    return [(rng.normal(size=(a, c)), rng.normal(size=(a, b)), rng.normal(size=(b, c)))
            for a, b, c in [(m, n, k), (s, s, s), (k, m, n), (n, k, m)]]


def _mm_parse(value, call):
    G, A, B = call.args
    dA, dB = need_tuple(value, ["dA", "dB"])
    if A.shape != B.shape and np.shape(dA) == B.shape and np.shape(dB) == A.shape:
        raise Mismatch(f"dA has B's shape {B.shape} and dB has A's shape {A.shape}: dA and dB are swapped;"
                       " return (dA, dB) = (G @ B.T, A.T @ G).")
    if A.shape != A.shape[::-1] and np.shape(dA) == A.shape[::-1] and np.shape(dB) == B.shape[::-1]:
        raise Mismatch(f"dA has shape {np.shape(dA)} and dB {np.shape(dB)}, the transposes of A {A.shape}"
                       f" and B {B.shape}: the matmul rule is transposed. dA = G @ B.T has A's shape,"
                       " dB = A.T @ G has B's shape.")
    return [need_array(dA, A.shape, "dA"), need_array(dB, B.shape, "dB")]


MATMUL_BACKWARD = _rule(
    "matmul_backward", "G, A, B", _mm_cases, _mm_parse, lambda G, A, B: (G @ B.T, A.T @ G), {
        "the matmul rule is transposed: dA = G @ B.T has A's shape (m, n), dB = A.T @ G has B's shape"
        " (n, k)": lambda G, A, B: ((G @ B.T).T, (A.T @ G).T),
        "a factor is not transposed: dA = G @ B.T and dB = A.T @ G": lambda G, A, B: (G @ B, A @ G),
        "dA and dB are swapped: dA = G @ B.T, dB = A.T @ G": lambda G, A, B: (A.T @ G, G @ B.T),
        "it uses the product's value C = A @ B (the forward output) instead of the incoming gradient G:"
        " dA = G @ B.T, dB = A.T @ G": lambda G, A, B: ((A @ B) @ B.T, A.T @ (A @ B)),
    }, ["dA", "dB"], 602, lambda c: f" on A {c.args[1].shape}, B {c.args[2].shape}",
    shape="(dA, dB) with the shapes of A and B", values="values on random cases (incl. square matrices)",
    line_hints=[(r"@|\bdot\(|matmul\(", "the factors do not fit: a factor is not transposed, or they are in"
                 " the wrong order. dA = G @ B.T has A's shape (m, n), dB = A.T @ G has B's shape (n, k).")])


# ---- sigmoid_backward(G, Y) and log_backward(G, X)

def _ew_cases(positive):
    def cases(rng):
        m, n, p = _dims(rng)
        out = []
        for shape in [(m, n), (p,), (n, m, 2)]:
            X = rng.uniform(0.2, 3.0, size=shape) if positive else sig(rng.normal(size=shape) * 2)
            out.append((rng.normal(size=shape), X))
        return out
    return cases


def _same_shape(name):
    return [(name, lambda G, X: X.shape)]


def _ew_probes(cases, other):
    """The first case again with G doubled, and with another input in place of Y (or X)."""
    def probes(rng):
        G, X = cases(rng)[0]
        return [Call("2G", 2 * G, X), Call("other", G, other(X))]
    return probes


def _ew_judge(parse, ref, mistakes, names, case, x, deriv, rule):
    """The values; an unnamed difference is explained by how the rule treats G and the input ``x``:
    a backward rule is G times a local derivative that depends on ``x``."""
    base = value_judge(parse, ref, mistakes, names, case=case)

    def judge(results):
        main = [r for r in results if r.call.key not in ("2G", "other")]
        try:
            base(main)
        except Mismatch as exc:
            if any(text in str(exc) for text in mistakes):
                raise
            by = {r.call.key: r for r in results}
            first, double, other = main[0], by.get("2G"), by.get("other")
            if not all(r is not None and r.status == "ok" for r in (first, double, other)):
                raise
            f0, f2, fo = (np.asarray(parse(r.value, r.call)[0], dtype=float) for r in (first, double, other))
            G = first.call.args[0]
            said = f"the rule is {rule}"
            if np.allclose(f0, 0):
                raise
            linear = np.allclose(f2, 2 * f0, rtol=1e-6, atol=1e-9)
            uses_x = not np.allclose(fo, f0, rtol=1e-9, atol=1e-12)
            if np.allclose(f0, G):
                cause = f"G passes through unchanged: the local derivative {deriv} is missing"
            elif not linear and not uses_x:
                cause = (f"the result depends on G alone and ignores {x}: the local derivative is taken"
                         f" of the incoming gradient G instead of {x}")
            elif not linear:
                cause = ("the result is not linear in G (doubling G does not double it): G must multiply the"
                         " local derivative once, not enter it or appear twice")
            elif not uses_x:
                cause = f"the result ignores {x}: the local derivative {deriv} depends on {x}"
            else:
                raise
            raise Mismatch(f"{cause}; {said}.") from None
    return judge


def _ew(name, params, positive, returns, ref, mistakes, seed, x, deriv, rule, other, **kw):
    cases = _ew_cases(positive)
    case = lambda c: f" on {x} of shape {c.args[1].shape}"   # noqa: E731
    parse = contract(returns)
    return graded(name, params, cases, returns, ref, seed=seed, case=case, probes=_ew_probes(cases, other),
                  judge=_ew_judge(parse, ref, mistakes, [n for n, _ in returns], case, x, deriv, rule),
                  **kw)


SIGMOID_BACKWARD = _ew(
    "sigmoid_backward", "G, Y", False, _same_shape("dA"), lambda G, Y: G * Y * (1 - Y), {
        "G is missing: the local derivative Y (1 - Y) must multiply the gradient G arriving from above":
            lambda G, Y: Y * (1 - Y),
        "the derivative is taken of the wrong quantity: σ applied to Y, which is already σ(a);"
        " the rule is G * Y * (1 - Y)": lambda G, Y: G * sig(Y) * (1 - sig(Y)),
        "1 - Y^2 is the tanh rule; for the sigmoid it is G * Y * (1 - Y)": lambda G, Y: G * (1 - Y ** 2),
        "1 - Y is missing: the sigmoid's derivative is Y (1 - Y), so the rule is G * Y * (1 - Y)":
            lambda G, Y: G * Y,
    }, 603, "Y", "Y (1 - Y)", "G * Y * (1 - Y)", lambda Y: 1 - Y ** 2, shape="the shape of Y")

LOG_BACKWARD = _ew(
    "log_backward", "G, X", True, _same_shape("dX"), lambda G, X: G / X, {
        "G is missing: multiply the local derivative 1/X by the gradient G": lambda G, X: 1 / X,
        "it multiplies by log X: the derivative of log x is 1/x": lambda G, X: G * np.log(X),
        "it multiplies by X instead of dividing by X: the derivative of log x is 1/x":
            lambda G, X: G * X,
        "it divides by X^2: that is the derivative of -1/x; the derivative of log x is 1/x":
            lambda G, X: G / X ** 2,
        "the sign is flipped: the derivative of log x is +1/x": lambda G, X: -G / X,
    }, 604, "X", "1/X", "G / X", lambda X: X + 0.5, shape="the shape of X")


# ---- sum_backward / mean_backward(G, shape, axis, keepdims)

def _red_cases(rng):
    m, n, p = _dims(rng)
    out = []
    for shape, axis, keep in [((m, n), None, False), ((m, n), 0, False), ((m, n), 1, True),
                              ((p, m, n), 1, False), ((p, m, n), (0, 2), True), ((n,), 0, False),
                              ((n, p), 1, False)]:
        G = rng.normal(size=np.zeros(shape).sum(axis=axis, keepdims=keep).shape)
        out.append((float(G) if G.ndim == 0 else G, shape, axis, keep))   # a number: the sum of all
    return out


def _spread(G, shape, axis=None, keepdims=False):
    if not keepdims and axis is not None:
        G = np.expand_dims(G, axis)
    return np.broadcast_to(G, shape).astype(float)


def _count(G, shape, *rest):
    return np.prod(shape) / np.size(G)


def _red_parse(value, call):
    G, shape = call.args[:2]
    if np.shape(value) == np.shape(G) and np.shape(value) != tuple(shape):
        raise Mismatch(f"the result has the shape of G {np.shape(value)}, expected the input's shape"
                       f" {tuple(shape)}: every entry that was summed gets G, so G must be copied"
                       " back along the summed axes (np.expand_dims when keepdims is False,"
                       " then np.broadcast_to).")
    return [need_array(value, shape, "the gradient")]


def _red_case(c):
    G, shape, axis, keep = c.args
    return f" on an input of shape {tuple(shape)} with axis={axis}, keepdims={keep}"


EXPAND = [(r"broadcast_to\(", "G has lost the summed axes: when keepdims is False, put them back first,"
           " G = np.expand_dims(G, axis), then np.broadcast_to(G, shape).")]


def _mean_ref(*a):
    return _spread(*a) / _count(*a)


SUM_BACKWARD = _rule(
    "sum_backward", "G, shape, axis, keepdims", _red_cases, _red_parse, _spread, {
        "it divides by the number of summed values: that is the mean's rule; each summand's"
        " derivative is 1, so sum's rule copies G unchanged": _mean_ref,
        "G is missing: every entry gets 1, the local derivative alone; each entry gets G, copied back"
        " along the summed axes": lambda G, shape, *r: np.ones(shape),
    }, ["the gradient"], 605, _red_case, shape="the input's shape", line_hints=EXPAND,
    values="values for axis None, an int, a tuple, with and without keepdims")

MEAN_BACKWARD = _rule(
    "mean_backward", "G, shape, axis, keepdims", _red_cases, _red_parse, _mean_ref, {
        "1/count is missing: that is the sum's rule; the mean divides by the number of values averaged":
            _spread,
        "it divides by the size of the whole input, not by the number of values along the averaged"
        " axes": lambda G, shape, *r: _spread(G, shape, *r) / np.prod(shape),
        "it multiplies by the count instead of dividing by it: each of the count values gets G / count":
            lambda *a: _spread(*a) * _count(*a),
        "it divides by the size of the result (of G), not by the number of values averaged along the axes:"
        " count = the product of shape[i] over the averaged axes":
            lambda G, shape, *r: _spread(G, shape, *r) / np.size(G),
        "G is missing: every entry gets 1/count, the local derivative alone; the rule is G / count,"
        " with G copied back along the averaged axes":
            lambda G, shape, *r: _mean_ref(np.ones_like(G), shape, *r),
    }, ["the gradient"], 606, _red_case, scaled={
        "the count is a fixed number, not the number of values averaged: compute it from shape and axis"
        " (the product of shape[i] over the averaged axes; all of them for axis=None)": _spread},
    shape="the input's shape", helpers=["sum_backward"],
    line_hints=EXPAND,
    values="values for axis None, an int, a tuple, with and without keepdims")


# ---- topological_order(inputs, root)

def _relabel(inputs, root, rng):
    """The same graph with shuffled node ids, so that ids say nothing about the order."""
    perm = rng.permutation(len(inputs))
    new = [None] * len(inputs)
    for i, ins in enumerate(inputs):
        new[perm[i]] = [int(perm[j]) for j in ins]
    return new, int(perm[root])


GRAPHS = {  # (inputs, root) before relabelling
    "diamond": ([[], [0], [0], [1, 2]], 3),
    "square": ([[], [0, 0], [1, 0]], 2),
    "unreached": ([[], [], [0], [1, 0], [2, 2], [0]], 4),
    "mlp": ([[], [], [], [0, 1], [3, 2], [4], [5], [6, 3]], 7),
}
DEEP = 4000  # a chain deeper than Python's recursion limit (about 1000 calls)


def _random_graph(rng):
    """Leaves, then nodes computed from one or two earlier ones (maybe the same twice); the last unreached."""
    n, leaves = int(rng.integers(7, 11)), int(rng.integers(2, 4))
    inputs = [[] for _ in range(leaves)]
    inputs += [[int(j) for j in rng.integers(0, i, size=int(rng.integers(1, 3)))] for i in range(leaves, n)]
    return inputs, n - 2


def _graphs(rng):
    return [(k, *_relabel(ins, root, rng)) for k, (ins, root) in
            list(GRAPHS.items()) + [("random", _random_graph(rng)), ("random2", _random_graph(rng))]]


def _reached(inputs, root):
    seen, stack = {root}, [root]
    while stack:
        for j in inputs[stack.pop()]:
            if j not in seen:
                seen.add(j)
                stack.append(j)
    return seen


def _topo_ref(inputs, root):
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((j, False) for j in inputs[node] if j not in seen)
    return order


def _order_parse(value, call):
    if value is None:
        raise Mismatch("the result is None: did you forget the `return` statement?")
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = list(value)
    if not isinstance(value, (list, tuple)):
        raise Mismatch(f"the result is {describe(value)}, expected a list of node numbers.")
    try:
        return [int(np.asarray(v)) for v in value]
    except (TypeError, ValueError):
        raise Mismatch("the list should hold node numbers (ints).") from None


def _order_judge(results):
    for r in results:
        inputs, root = r.call.args
        order = _order_parse(r.value, r.call)
        where = f" (graph {r.call.key!r} with {len(inputs)} nodes, root {root})"
        if len(set(order)) < len(order):
            raise Mismatch(f"a node appears twice{where}: keep a set of visited nodes and add each once,"
                           " even when it is used by several nodes.")
        need = _reached(inputs, root)
        if set(order) - need:
            raise Mismatch(f"the order contains nodes that root does not depend on{where}: start from root"
                           " and follow only the inputs.")
        if set(order) != need:
            raise Mismatch(f"nodes that root depends on are missing{where}: {sorted(need - set(order))[:5]}.")
        pos = {v: k for k, v in enumerate(order)}
        if order and order[0] == root and len(order) > 1:
            raise Mismatch(f"the order starts at root{where}: it must END with root, every node after its"
                           " inputs (the backward sweep then walks it in reverse).")
        for v in order:
            late = [j for j in inputs[v] if pos[j] > pos[v]]
            if late:
                raise Mismatch(f"node {v} comes before its input {late[0]}{where}: every node must come"
                               " after all of its inputs (emit a node only once its inputs are out).")


def _deep_calls(seed=None):
    chain = [[]] + [[i] for i in range(DEEP - 1)]
    return [Call("deep", *_relabel(chain, DEEP - 1, case_rng(609, seed)))]


def _deep_judge(results):
    for r in results:
        if r.status == "error" and "Recursion" in (r.exc or {}).get("type", ""):
            raise Mismatch(f"a recursive sort fails on a deep graph: a chain of {DEEP} nodes gives"
                           " RecursionError (Python stops at about 1000 nested calls). Use a loop with an"
                           " explicit stack instead of a function that calls itself.")
        if r.status == "error":
            raise Mismatch(explain_exception(TOPOLOGICAL_ORDER, r))
    _order_judge(results)


TOPOLOGICAL_ORDER = graded(
    "topological_order", "inputs, root", lambda rng: [Call(k, ins, root) for k, ins, root in _graphs(rng)],
    _order_parse, _topo_ref, seed=607, judge=_order_judge, mutates=True, shape="a list of node numbers",
    values="every node once, after its inputs, root last (a node used twice, unreached nodes)", extra=[
        lambda make_calls, parse: Check(f"a chain of {DEEP} nodes (no recursion)", _deep_calls, _deep_judge,
                                        allow_errors=True)])


# ---- backward_pass(inputs, local, root)

def _pushed(inputs, local, root):
    """The gradients of a depth-first walk from root in which each node passes on its gradient as soon as
    it is visited, complete or not (a recursive backward without the topological order)."""
    grad = np.zeros(len(inputs))
    grad[root], stack = 1.0, [root]
    while stack:
        i = stack.pop()
        for j, d in zip(inputs[i], local[i]):
            grad[j] += d * grad[i]
        stack.extend(reversed(inputs[i]))
    return grad


def _sweep(inputs, local, root, seed=1.0, forward=False, overwrite=False):
    """dJ/d(node) for every node: the reference sweep, or one with a classic mistake."""
    grad = np.zeros(len(inputs))
    grad[root] = seed
    order = _topo_ref(inputs, root)
    for v in (order if forward else reversed(order)):
        for j, d in zip(inputs[v], local[v]):
            grad[j] = d * grad[v] + (0.0 if overwrite else grad[j])
    return grad


OVERWRITTEN = ("gradients overwritten instead of accumulated: a node used twice (or by two nodes) must ADD"
               " each contribution, grad[j] += local * grad[i]; it is the sum over paths")
SWEEP_MISTAKES = {
    OVERWRITTEN: lambda *g: _sweep(*g, overwrite=True),
    "the sweep runs in forward order: walk the topological order in REVERSE, from root down, so a node's"
    " gradient is complete before it is passed on": lambda *g: _sweep(*g, forward=True),
    "the seed gradient is missing: every gradient is 0; start with grad[root] = 1 (dJ/dJ)":
        lambda *g: _sweep(*g, seed=0.0),
    "a node passes its gradient on before it is complete: a depth-first walk from root (a recursive"
    " backward) sends each contribution down at once, so a node reached by two paths sends partial sums."
    " Walk the reverse topological order, so every gradient is complete before it is passed on": _pushed,
}
SEED_NOT_ONE = ("every gradient is the same multiple of the right one: the seed gradient is not one;"
                " grad[root] = 1, since dJ/dJ = 1")


def _grad_parse(value, call):
    return [need_array(value, (len(call.args[0]),), "grad")]


def _sweep_cases(rng):
    return [Call(k, ins, [[float(rng.uniform(0.5, 2.0) * rng.choice([-1, 1])) for _ in i] for i in ins], root)
            for k, ins, root in _graphs(rng)]


def _overwritten_somehow(grad, inputs, local, root):
    """True when every gradient is ONE of its incoming contributions (the last written, in any order)."""
    need = _reached(inputs, root)
    parts = {j: [] for j in need}
    for v in need:
        for k, j in enumerate(inputs[v]):
            parts[j].append(local[v][k] * grad[v])
    return abs(grad[root] - 1) < 1e-9 and all(
        any(abs(grad[j] - p) <= 1e-6 * max(1.0, abs(p)) for p in parts[j]) for j in need if j != root)


_sweep_values = value_judge(_grad_parse, _sweep, SWEEP_MISTAKES,
                            ["grad"], case=lambda c: f" on graph {c.key!r} (root {c.args[2]})",
                            scaled={SEED_NOT_ONE: _sweep}, rtol=1e-9, atol=1e-12)


def _sweep_judge(results):
    """The values; a node used by two nodes overwritten in another order than the reference's is named too."""
    try:
        _sweep_values(results)
    except Mismatch as exc:
        named = any(text in str(exc) for text in list(SWEEP_MISTAKES) + [SEED_NOT_ONE])
        if not named and all(_overwritten_somehow(_grad_parse(r.value, r.call)[0], *r.call.args)
                             for r in results):
            raise Mismatch(f"grad is wrong: {OVERWRITTEN}.") from None
        raise


BACKWARD_PASS = graded(
    "backward_pass", "inputs, local, root", _sweep_cases, _grad_parse,
    _sweep, seed=608, judge=_sweep_judge, mutates=True, helpers=["topological_order"],
    shape="one gradient per node", values="gradients on graphs with nodes used twice and unreached nodes")

FUNCTIONS = [UNBROADCAST, MATMUL_BACKWARD, SIGMOID_BACKWARD, LOG_BACKWARD, SUM_BACKWARD, MEAN_BACKWARD,
             TOPOLOGICAL_ORDER, BACKWARD_PASS]
