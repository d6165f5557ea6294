"""Checks for exercises/ex06_autodiff: local backward rules, the topological order, a full sweep.

A graph is given as data: ``inputs[i]`` lists the nodes node i was computed
from, ``local[i][k]`` is the local derivative of node i with respect to its
k-th input, and ``root`` is the node J. Every rule takes G = dJ/d(output).
"""

import numpy as np

from mlp_lib.grading._framework import (
    Call,
    Check,
    FunctionSpec,
    Mismatch,
    close,
    describe,
    need_array,
    need_tuple,
    unchanged_check,
    value_judge,
)
from mlp_lib.grading._nets import sig


def _values(name, params, calls, parse, ref, mistakes, names, title="values on random cases"):
    """The usual three checks: shapes (gate), values naming known mistakes, inputs unchanged."""
    return FunctionSpec(name, params, [
        Check("returns the shapes of the inputs", calls, lambda rs: [parse(r.value, r.call) for r in rs],
              gate=True),
        Check(title, calls, value_judge(parse, ref, mistakes, names)),
        unchanged_check(params, calls),
    ])


# ---- unbroadcast(G, shape)

def _ub_calls():
    rng = np.random.default_rng(601)
    cases = [((4, 3), (3,)), ((4, 3), (4, 1)), ((2, 4, 3), (4, 1)), ((4, 3), ()), ((3, 2), (3, 2))]
    return [Call(f"c{i}", rng.normal(size=g), s) for i, (g, s) in enumerate(cases)]


def _ub_ref(c):
    G, shape = c.args[0], tuple(c.args[1])
    G = G.sum(axis=tuple(range(G.ndim - len(shape))))
    return [G.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1), keepdims=True).reshape(shape)]


def _ub_parse(value, call):
    G, shape = call.args[0], tuple(call.args[1])
    if shape != G.shape and np.shape(value) == G.shape:
        raise Mismatch(f"the result has shape {G.shape}, the shape of G, expected {shape}: broadcasting is"
                       " not undone. Sum G over the axes broadcasting added in front, then over the"
                       " axes where the operand had size 1 (keepdims=True).")
    if 1 in shape and np.shape(value) == tuple(n for n in shape if n != 1):
        raise Mismatch(f"the result has shape {np.shape(value)}, expected {shape}: an axis of size 1 was"
                       " summed away; sum it with keepdims=True.")
    return [need_array(value, shape)]


UNBROADCAST = _values("unbroadcast", ["G", "shape"], _ub_calls, _ub_parse, _ub_ref, [
    ("it averages over the broadcast axes: every copy of the operand passes its gradient on in full,"
     " so the gradients are summed, not averaged",
     lambda c: [_ub_ref(c)[0] * np.prod(_ub_ref(c)[0].shape or (1,)) / c.args[0].size]),
], ["the gradient"])


# ---- matmul_backward(G, A, B)

def _mm_calls():
    rng = np.random.default_rng(602)
    return [Call(f"c{i}", rng.normal(size=(m, k)), rng.normal(size=(m, n)), rng.normal(size=(n, k)))
            for i, (m, n, k) in enumerate([(5, 3, 2), (4, 4, 4), (3, 3, 3), (6, 2, 4)])]


def _mm_parse(value, call):
    G, A, B = call.args
    dA, dB = need_tuple(value, 2, ["dA", "dB"])
    if np.shape(dA) == B.shape and np.shape(dB) == A.shape and A.shape != B.shape:
        raise Mismatch(f"dA has B's shape {B.shape} and dB has A's shape {A.shape}: dA and dB are swapped;"
                       " return (dA, dB) = (G @ B.T, A.T @ G).")
    return [need_array(dA, A.shape, "dA"), need_array(dB, B.shape, "dB")]


MATMUL_BACKWARD = _values("matmul_backward", ["G", "A", "B"], _mm_calls, _mm_parse,
                          lambda c: [c.args[0] @ c.args[2].T, c.args[1].T @ c.args[0]], [
    ("the matmul rule is transposed: dA = G @ B.T has A's shape (m, n), dB = A.T @ G has B's shape (n, k)",
     lambda c: [(c.args[0] @ c.args[2].T).T, (c.args[1].T @ c.args[0]).T]),
    ("a factor is not transposed: dA = G @ B.T and dB = A.T @ G",
     lambda c: [c.args[0] @ c.args[2], c.args[1] @ c.args[0]]),
    ("dA and dB are swapped", lambda c: [c.args[1].T @ c.args[0], c.args[0] @ c.args[2].T]),
], ["dA", "dB"], "values on random cases (incl. square matrices)")


# ---- sigmoid_backward(G, Y) and log_backward(G, X)

def _ew_calls(seed, positive):
    def calls():
        rng = np.random.default_rng(seed)
        out = []
        for i, shape in enumerate([(4, 3), (5,), (2, 3, 2)]):
            X = rng.uniform(0.2, 3.0, size=shape) if positive else sig(rng.normal(size=shape) * 2)
            out.append(Call(f"c{i}", rng.normal(size=shape), X))
        return out
    return calls


def _same(value, call):
    return [need_array(value, call.args[1].shape)]


SIGMOID_BACKWARD = _values("sigmoid_backward", ["G", "Y"], _ew_calls(603, False), _same,
                           lambda c: [c.args[0] * c.args[1] * (1 - c.args[1])], [
    ("G is missing: the local derivative Y (1 - Y) must multiply the gradient G arriving from above",
     lambda c: [c.args[1] * (1 - c.args[1])]),
    ("the derivative is taken of the wrong quantity: σ applied to Y, which is already σ(a);"
     " the rule is G * Y * (1 - Y)", lambda c: [c.args[0] * sig(c.args[1]) * (1 - sig(c.args[1]))]),
    ("1 - Y^2 is the tanh rule; for the sigmoid it is G * Y * (1 - Y)",
     lambda c: [c.args[0] * (1 - c.args[1] ** 2)]),
], ["dA"])

LOG_BACKWARD = _values("log_backward", ["G", "X"], _ew_calls(604, True), _same,
                       lambda c: [c.args[0] / c.args[1]], [
    ("G is missing: multiply the local derivative 1/X by the gradient G", lambda c: [1 / c.args[1]]),
    ("it multiplies by log X: the derivative of log x is 1/x", lambda c: [c.args[0] * np.log(c.args[1])]),
    ("it multiplies by X instead of dividing by X", lambda c: [c.args[0] * c.args[1]]),
], ["dX"])


# ---- sum_backward / mean_backward(G, shape, axis, keepdims)

REDUCE = [((4, 3), None, False), ((4, 3), 0, False), ((4, 3), 1, True), ((2, 3, 4), 1, False),
          ((2, 3, 4), (0, 2), True), ((5,), 0, False)]


def _red_calls(seed):
    def calls():
        rng = np.random.default_rng(seed)
        out = []
        for i, (shape, axis, keep) in enumerate(REDUCE):
            G = rng.normal(size=np.zeros(shape).sum(axis=axis, keepdims=keep).shape)
            G = float(G) if G.ndim == 0 else G   # a number: 0-d arrays travel as (1,)
            out.append(Call(f"c{i}", G, shape, axis, keep))
        return out
    return calls


def _spread(c):
    G, shape, axis, keep = c.args
    if not keep and axis is not None:
        G = np.expand_dims(G, axis)
    return np.broadcast_to(G, shape).astype(float)


def _count(c):
    return np.prod(c.args[1]) / np.size(c.args[0])


def _red_parse(value, call):
    if np.shape(value) == np.shape(call.args[0]) and np.shape(value) != tuple(call.args[1]):
        raise Mismatch(f"the result has the shape of G {np.shape(value)}, expected the input's shape"
                       f" {tuple(call.args[1])}: every entry that was summed gets G, so G must be copied"
                       " back along the summed axes (np.expand_dims when keepdims is False,"
                       " then np.broadcast_to).")
    return [need_array(value, call.args[1])]


SUM_BACKWARD = _values("sum_backward", ["G", "shape", "axis", "keepdims"], _red_calls(605), _red_parse,
                       lambda c: [_spread(c)], [
    ("it divides by the number of summed values: that is the mean's rule; each summand's"
     " derivative is 1, so sum's rule copies G unchanged", lambda c: [_spread(c) / _count(c)]),
], ["the gradient"], "values for axis None, an int, a tuple, with and without keepdims")

MEAN_BACKWARD = _values("mean_backward", ["G", "shape", "axis", "keepdims"], _red_calls(606), _red_parse,
                        lambda c: [_spread(c) / _count(c)], [
    ("1/count is missing: that is the sum's rule; the mean divides by the number of values averaged",
     lambda c: [_spread(c)]),
    ("it divides by the size of the whole input, not by the number of values along the averaged"
     " axes", lambda c: [_spread(c) / np.prod(c.args[1])]),
], ["the gradient"], "values for axis None, an int, a tuple, with and without keepdims")


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
DEEP = 3000


def _graph_calls(seed, deep):
    rng = np.random.default_rng(seed)
    out = [Call(k, *_relabel(ins, root, rng)) for k, (ins, root) in GRAPHS.items()]
    if deep:
        out.append(Call("deep", *_relabel([[]] + [[i] for i in range(DEEP - 1)], DEEP - 1, rng)))
    return out


def _reached(inputs, root):
    seen, stack = {root}, [root]
    while stack:
        for j in inputs[stack.pop()]:
            if j not in seen:
                seen.add(j)
                stack.append(j)
    return seen


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


def _recursion_hint(results):
    for r in results:
        if r.status == "error" and "Recursion" in (r.exc or {}).get("type", ""):
            raise Mismatch(f"a recursive sort fails on a deep graph: a chain of {DEEP} nodes gives"
                           " RecursionError (Python stops at about 1000 nested calls). Use a loop with an"
                           " explicit stack instead of a function that calls itself.")
    from mlp_lib.grading._framework import explain_exception

    for r in results:
        if r.status == "error":
            raise Mismatch(explain_exception(TOPOLOGICAL_ORDER, r))
    _order_judge(results)


TOPOLOGICAL_ORDER = FunctionSpec("topological_order", ["inputs", "root"], [
    Check("a list of node numbers", lambda: _graph_calls(607, False),
          lambda rs: [_order_parse(r.value, r.call) for r in rs], gate=True),
    Check("every node once, after its inputs, root last (a node used twice, unreached nodes)",
          lambda: _graph_calls(607, False), _order_judge, points=2),
    Check(f"a chain of {DEEP} nodes (no recursion)", lambda: _graph_calls(607, True)[-1:],
          _recursion_hint, allow_errors=True),
])


# ---- backward_pass(inputs, local, root)

def sweep_variant(inputs, local, root, bug=None):
    """dJ/d(node) for every node: the reference sweep, or one with a classic mistake ``bug``."""
    n = len(inputs)
    need = _reached(inputs, root)
    order, done = [], set()
    while len(order) < len(need):        # Kahn-like: emit nodes whose inputs are all out
        for v in sorted(need - done):
            if all(j in done for j in inputs[v]):
                order.append(v)
                done.add(v)
    grad = np.zeros(n)
    grad[root] = {"no_seed": 0.0, "seed_2": 2.0}.get(bug, 1.0)
    for v in (order if bug == "forward_order" else reversed(order)):
        for j, d in zip(inputs[v], local[v]):
            if bug == "overwrite":
                grad[j] = d * grad[v]
            else:
                grad[j] += d * grad[v]
    return grad


SWEEP_BUGS = {
    "overwrite": "gradients overwritten instead of accumulated: a node used twice (or by two nodes) must"
                 " ADD each contribution, grad[j] += local * grad[i]; it is the sum over paths",
    "forward_order": "the sweep runs in forward order: walk the topological order in REVERSE, from root"
                     " down, so a node's gradient is complete before it is passed on",
    "no_seed": "the seed gradient is missing: every gradient is 0; start with grad[root] = 1 (dJ/dJ)",
}


def _sweep_calls():
    rng = np.random.default_rng(608)
    out = []
    for key, (ins, root) in GRAPHS.items():
        ins, root = _relabel(ins, root, rng)
        local = [[float(rng.uniform(0.5, 2.0) * rng.choice([-1, 1])) for _ in i] for i in ins]
        out.append(Call(key, ins, local, root))
    return out


def _sweep_parse(value, call):
    return need_array(value, (len(call.args[0]),), "the gradients")


def _sweep_judge(results):
    gots = [_sweep_parse(r.value, r.call) for r in results]
    exps = [sweep_variant(*r.call.args) for r in results]
    if all(close(g, e, 1e-9, 1e-12) for g, e in zip(gots, exps)):
        return
    for bug, text in SWEEP_BUGS.items():
        if all(close(g, sweep_variant(*r.call.args, bug), 1e-9, 1e-12) for g, r in zip(gots, results)):
            raise Mismatch(f"the gradients are wrong: {text}.")
    ratios = {round(float(g @ e / (e @ e)), 9) for g, e in zip(gots, exps)}
    if len(ratios) == 1 and all(close(g, e * next(iter(ratios))) for g, e in zip(gots, exps)):
        r = next(iter(ratios))
        raise Mismatch(f"every gradient is {r:g} times the expected one: the seed gradient is not one;"
                       " grad[root] = 1, since dJ/dJ = 1.")
    k = next(i for i, (g, e) in enumerate(zip(gots, exps)) if not close(g, e, 1e-9, 1e-12))
    node = int(np.argmax(np.abs(gots[k] - exps[k])))
    raise Mismatch(f"on graph {results[k].call.key!r} (root {results[k].call.args[2]}) the gradient of node"
                   f" {node} is {gots[k][node]:.6g}, expected {exps[k][node]:.6g}.")


BACKWARD_PASS = FunctionSpec("backward_pass", ["inputs", "local", "root"], [
    Check("one gradient per node", _sweep_calls, lambda rs: [_sweep_parse(r.value, r.call) for r in rs],
          gate=True),
    Check("gradients on graphs with nodes used twice and unreached nodes", _sweep_calls, _sweep_judge,
          points=2),
])

FUNCTIONS = [UNBROADCAST, MATMUL_BACKWARD, SIGMOID_BACKWARD, LOG_BACKWARD, SUM_BACKWARD, MEAN_BACKWARD,
             TOPOLOGICAL_ORDER, BACKWARD_PASS]
