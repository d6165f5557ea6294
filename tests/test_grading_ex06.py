"""Exercise 06 (autodiff): the solution passes every check, the named mistakes are caught and named."""

import textwrap

import numpy as np
import pytest

from mlp_lib.grading import EXERCISES, run_checks, specs
from mlp_lib.grading._framework import format_verdict

SOLUTIONS = '''
def unbroadcast(G, shape):
    G = G.sum(axis=tuple(range(G.ndim - len(shape))))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and G.shape[i] != 1)
    return G.sum(axis=stretched, keepdims=True) if stretched else G

def matmul_backward(G, A, B):
    return G @ B.T, A.T @ G

def sigmoid_backward(G, Y):
    return G * Y * (1.0 - Y)

def log_backward(G, X):
    return G / X

def sum_backward(G, shape, axis=None, keepdims=False):
    if not keepdims and axis is not None:
        G = np.expand_dims(G, axis)
    return np.broadcast_to(G, shape).copy()

def mean_backward(G, shape, axis=None, keepdims=False):
    axes = range(len(shape)) if axis is None else np.atleast_1d(axis)
    return sum_backward(G, shape, axis, keepdims) / np.prod([shape[i] for i in axes])

def topological_order(inputs, root):
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

def backward_pass(inputs, local, root):
    grad = np.zeros(len(inputs))
    grad[root] = 1.0
    for i in reversed(topological_order(inputs, root)):
        for j, d in zip(inputs[i], local[i]):
            grad[j] += d * grad[i]
    return grad
'''


def namespace(extra=""):
    """The solutions, then ``extra`` over them, with its source in linecache as in a notebook (so feedback
    can quote the line that raised)."""
    import linecache

    ns = {"np": np}
    exec(SOLUTIONS, ns)
    src = textwrap.dedent(extra)
    filename = f"<mutant-{abs(hash(src))}>"
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    exec(compile(src, filename, "exec"), ns)
    return ns


@pytest.mark.parametrize("name", EXERCISES["ex06"][1])
def test_solution_passes_every_check(name):
    results = run_checks(namespace()[name], name)
    assert all(r.passed for r in results), format_verdict(name, results)


@pytest.mark.parametrize("name", EXERCISES["ex06"][1])
def test_not_implemented_scores_zero(name):
    ns = namespace(f"def {name}(*args, **kwargs):\n    raise NotImplementedError('Exercise')\n")
    results = run_checks(ns[name], name)
    assert sum(r.points for r in results) == 0
    assert format_verdict(name, results).startswith(f"… {name}: not done yet")


SWEEP = '''
def backward_pass(inputs, local, root):
    grad = np.zeros(len(inputs))
    grad[root] = {seed}
    for i in {order}(topological_order(inputs, root)):
        for j, d in zip(inputs[i], local[i]):
            grad[j] {assign} d * grad[i]
    return grad
'''

OTHER_ORDER = '''
def backward_pass(inputs, local, root):
    need, done, order = set(topological_order(inputs, root)), set(), []
    while len(order) < len(need):   # another valid order: Kahn's, the {pick} ready node first
        v = {pick}(u for u in need - done if all(j in done for j in inputs[u]))
        order.append(v)
        done.add(v)
    grad = np.zeros(len(inputs))
    grad[root] = 1.0
    for i in reversed(order):
        for j, d in zip(inputs[i], local[i]):
            grad[j] = d * grad[i]
    return grad
'''

MUTANTS = [  # (function, source, keywords the feedback must contain)
    ("backward_pass", SWEEP.format(seed=1.0, order="reversed", assign="="), ["overwritten", "accumulated"]),
    ("backward_pass", SWEEP.format(seed=1.0, order="list", assign="+="), ["forward order"]),
    ("backward_pass", SWEEP.format(seed=0.0, order="reversed", assign="+="), ["seed gradient is missing"]),
    ("backward_pass", SWEEP.format(seed=2.0, order="reversed", assign="+="), ["seed gradient is not one"]),
    ("backward_pass", SWEEP.format(seed=-1.0, order="reversed", assign="+="), ["seed gradient is not one"]),
    ("topological_order", """
def topological_order(inputs, root):
    order, seen = [], set()
    def visit(v):
        if v not in seen:
            seen.add(v)
            for j in inputs[v]:
                visit(j)
            order.append(v)
    visit(root)
    return order
""", ["recursive sort fails on a deep graph"]),
    ("topological_order", """
def topological_order(inputs, root):
    order, seen, stack = [], set(), [root]
    while stack:
        v = stack.pop()
        if v not in seen:
            seen.add(v)
            order.append(v)
            stack.extend(inputs[v])
    return order
""", ["starts at root", "before its input"]),
    ("topological_order", """
def topological_order(inputs, root):
    order, stack = [], [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        else:
            stack.append((node, True))
            stack.extend((j, False) for j in inputs[node])
    return order
""", ["appears twice"]),
    ("topological_order", "def topological_order(inputs, root):\n    return list(range(len(inputs)))",
     ["does not depend on", "before its input"]),
    ("unbroadcast", "def unbroadcast(G, shape):\n    return G", ["broadcasting is not undone"]),
    ("unbroadcast", """
def unbroadcast(G, shape):
    G = G.mean(axis=tuple(range(G.ndim - len(shape))))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and G.shape[i] != 1)
    return G.mean(axis=stretched, keepdims=True) if stretched else G
""", ["summed, not averaged"]),
    ("unbroadcast", """
def unbroadcast(G, shape):
    G = G.sum(axis=tuple(range(G.ndim - len(shape))))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and G.shape[i] != 1)
    return G.sum(axis=stretched) if stretched else G
""", ["keepdims=True"]),
    ("matmul_backward", "def matmul_backward(G, A, B):\n    return (G @ B.T).T, (A.T @ G).T", ["transpose"]),
    ("matmul_backward", "def matmul_backward(G, A, B):\n    return B.T @ G, G @ A.T", ["transpose"]),
    ("matmul_backward", "def matmul_backward(G, A, B):\n    return A.T @ G, G @ B.T", ["transpose", "swapped"]),
    ("sigmoid_backward", "def sigmoid_backward(G, Y):\n    return Y * (1 - Y)", ["G is missing"]),
    ("sigmoid_backward", "def sigmoid_backward(G, Y):\n"
     "    s = 1 / (1 + np.exp(-Y))\n    return G * s * (1 - s)", ["already σ(a)"]),
    ("sigmoid_backward", "def sigmoid_backward(G, Y):\n    return G * (1 - Y ** 2)", ["tanh"]),
    ("log_backward", "def log_backward(G, X):\n    return 1 / X", ["G is missing"]),
    ("log_backward", "def log_backward(G, X):\n    return G * X", ["instead of dividing"]),
    ("sum_backward", """
def sum_backward(G, shape, axis=None, keepdims=False):
    if not keepdims and axis is not None:
        G = np.expand_dims(G, axis)
    return np.broadcast_to(G, shape) * np.size(G) / np.prod(shape)
""", ["mean's rule"]),
    ("sum_backward", "def sum_backward(G, shape, axis=None, keepdims=False):\n"
     "    return np.broadcast_to(G, shape)", ["np.expand_dims(G, axis)"]),
    ("sum_backward", "def sum_backward(G, shape, axis=None, keepdims=False):\n    return G",
     ["copied back along the summed axes"]),
    ("mean_backward", "def mean_backward(G, shape, axis=None, keepdims=False):\n"
     "    return sum_backward(G, shape, axis, keepdims)", ["1/count is missing"]),
    ("mean_backward", "def mean_backward(G, shape, axis=None, keepdims=False):\n"
     "    return sum_backward(G, shape, axis, keepdims) / np.prod(shape)", ["size of the whole input"]),
    ("mean_backward", "def mean_backward(G, shape, axis=None, keepdims=False):\n"
     "    return sum_backward(G, shape, axis, keepdims) * np.prod(shape) / np.size(G)",
     ["multiplies by the count"]),
    ("backward_pass", OTHER_ORDER.format(pick="max"), ["overwritten", "accumulated"]),
    ("backward_pass", OTHER_ORDER.format(pick="min"), ["overwritten", "accumulated"]),
    ("topological_order", """
_seen = set()
def topological_order(inputs, root):
    order, stack = [], [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif node not in _seen:
            _seen.add(node)
            stack.append((node, True))
            stack.extend((j, False) for j in inputs[node] if j not in _seen)
    return order
""", ["keeps state between calls"]),
    ("unbroadcast", "def unbroadcast(G, shape):\n    return G.sum(axis=tuple(range(G.ndim - len(shape))))",
     ["size 1"]),
    ("unbroadcast", """
def unbroadcast(G, shape):
    stretched = tuple(i for i, n in enumerate(shape) if n == 1)
    return G.sum(axis=tuple(i + G.ndim - len(shape) for i in stretched), keepdims=True) if stretched else G
""", ["added in front"]),
    ("matmul_backward", "def matmul_backward(G, A, B):\n    return G @ B, A @ G", ["transpose"]),
    ("sigmoid_backward", "def sigmoid_backward(G, Y):\n    return G * Y", ["1 - Y is missing"]),
    ("log_backward", "def log_backward(G, X):\n    return -G / X", ["sign is flipped"]),
    ("log_backward", "def log_backward(G, X):\n    return G / X ** 2", ["-1/x"]),
]


@pytest.mark.parametrize("seed", [None, 12345])
@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: f"{m[0]}-{MUTANTS.index(m)}")
def test_mutant_is_caught_and_named(mutant, seed):
    name, source, keywords = mutant
    results = run_checks(namespace(source)[name], name, seed=seed)
    text = format_verdict(name, results)
    assert not all(r.passed for r in results), f"not caught:\n{source}"
    assert any(k.lower() in text.lower() for k in keywords), f"not named ({keywords}):\n{text}"


@pytest.mark.parametrize("seed", [12345, 7, -3])
@pytest.mark.parametrize("name", EXERCISES["ex06"][1])
def test_solution_passes_on_fresh_cases(name, seed):
    results = run_checks(namespace()[name], name, seed=seed)
    assert all(r.passed for r in results), format_verdict(name, results)


@pytest.mark.parametrize("name", EXERCISES["ex06"][1])
def test_fresh_seeds_draw_fresh_cases(name):
    make = specs("ex06")[name].checks[1].make_calls

    def same(a, b):
        return repr([c.args for c in a]) == repr([c.args for c in b])
    assert same(make(None), make(None)) and same(make(5), make(5))
    assert not same(make(None), make(5)) and not same(make(5), make(6))


def _zeros(out):
    if isinstance(out, tuple):
        return tuple(_zeros(o) for o in out)
    if isinstance(out, list):  # the order: node numbers, all 0
        return [0 for _ in out]
    return np.zeros_like(out, dtype=float)


@pytest.mark.parametrize("name", EXERCISES["ex06"][1])
def test_a_stub_returning_zeros_of_the_right_shape_scores_nothing(name):
    right = namespace()[name]
    results = run_checks(lambda *a, **k: _zeros(right(*a, **k)), name)
    assert sum(r.points for r in results) == 0, format_verdict(name, results)


@pytest.mark.parametrize("name, helper, source", [
    ("mean_backward", "sum_backward", "def sum_backward(G, shape, axis=None, keepdims=False):\n"
     "    return 2.0 * np.broadcast_to(G if keepdims or axis is None else np.expand_dims(G, axis), shape)\n"),
    ("backward_pass", "topological_order", "def topological_order(inputs, root):\n"
     "    return list(range(len(inputs)))\n"),
])
def test_a_wrong_helper_is_blamed_and_the_caller_earns_its_points(name, helper, source):
    results = run_checks(namespace(source)[name], name)
    assert sum(r.points for r in results) == sum(r.max_points for r in results)
    assert f"your helper `{helper}`" in format_verdict(name, results)
