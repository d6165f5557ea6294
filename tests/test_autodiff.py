"""mlp_lib.autodiff: every operation against central differences, broadcasting in every direction,
random expression graphs, a 100 000-operation chain, accumulation and clear errors."""

import warnings

import numpy as np
import pytest

from mlp_lib import MLP
from mlp_lib.autodiff import Tensor, topological_order, unbroadcast
from mlp_lib.gradcheck import numerical_gradient, relative_error

TOL = 1e-7


def grads_match(f, arrays):
    """f(*tensors) -> Tensor of any shape; J = sum(C * f) with random C. Autograd vs central differences."""
    rng = np.random.default_rng(len(arrays))
    out = f(*[Tensor(a) for a in arrays])
    C = rng.normal(size=out.shape)
    leaves = [Tensor(a) for a in arrays]
    J = (f(*leaves) * C).sum()
    J.backward()
    for i, (a, leaf) in enumerate(zip(arrays, leaves)):
        def J_of(x, i=i):
            args = [Tensor(x if j == i else b) for j, b in enumerate(arrays)]
            return float(np.sum(f(*args).data * C))
        num = numerical_gradient(J_of, a)
        assert leaf.grad.shape == a.shape
        assert relative_error(leaf.grad, num) < TOL, (i, leaf.grad, num)


SHAPE_PAIRS = [((3, 4), (3, 4)), ((3, 4), (4,)), ((4,), (3, 4)), ((3, 1), (1, 4)), ((1, 4), (3, 1)),
               ((3, 4), (3, 1)), ((2, 3, 4), (3, 1)), ((3, 1), (2, 3, 4)), ((), (3, 4)), ((3, 4), ())]
BINARY = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
          "/": lambda a, b: a / b}


@pytest.mark.parametrize("op", BINARY)
@pytest.mark.parametrize("shapes", SHAPE_PAIRS, ids=str)
def test_binary_ops_with_broadcasting(op, shapes):
    rng = np.random.default_rng(1)
    a, b = (rng.uniform(0.5, 2.0, size=s) * rng.choice([-1, 1], size=s) for s in shapes)
    grads_match(BINARY[op], [a, b])


@pytest.mark.parametrize("op", BINARY)
def test_constants_on_either_side(op):
    rng = np.random.default_rng(2)
    a = rng.uniform(0.5, 2.0, size=(3, 4))
    c = rng.uniform(0.5, 2.0, size=(4,))
    for const in (2.5, c, np.float64(1.5)):
        grads_match(lambda x, c=const: BINARY[op](x, c), [a])
        grads_match(lambda x, c=const: BINARY[op](c, x), [a])
    out = BINARY[op](c, Tensor(a))          # an ndarray on the left hands over to the Tensor
    assert isinstance(out, Tensor) and out.inputs and out.shape == (3, 4)


UNARY = {
    "neg": lambda x: -x, "exp": lambda x: x.exp(), "log": lambda x: (x * x + 0.5).log(),
    "sigmoid": lambda x: x.sigmoid(), "tanh": lambda x: x.tanh(), "relu": lambda x: x.relu(),
    "pow2": lambda x: x ** 2, "pow3": lambda x: x ** 3, "pow-half": lambda x: (x * x + 1.0) ** -0.5,
    "T": lambda x: x.T, "reshape": lambda x: x.reshape(2, 6), "reshape-tuple": lambda x: x.reshape((12,)),
}


@pytest.mark.parametrize("op", UNARY)
def test_unary_ops(op):
    a = np.random.default_rng(3).uniform(0.1, 1.5, size=(3, 4)) * np.array([1, -1, 1, -1])
    grads_match(UNARY[op], [a])


@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2), (1,)])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("reduce", ["sum", "mean"])
def test_sum_and_mean(axis, keepdims, reduce):
    a = np.random.default_rng(4).normal(size=(2, 3, 4))
    grads_match(lambda x: getattr(x, reduce)(axis=axis, keepdims=keepdims), [a])
    got = getattr(Tensor(a), reduce)(axis=axis, keepdims=keepdims).data
    np.testing.assert_allclose(got, getattr(a, reduce)(axis=axis, keepdims=keepdims))


@pytest.mark.parametrize("shapes", [((3, 4), (4, 2)), ((1, 5), (5, 1)), ((4, 4), (4, 4)), ((5, 1), (1, 3))])
def test_matmul(shapes):
    rng = np.random.default_rng(5)
    grads_match(lambda A, B: A @ B, [rng.normal(size=s) for s in shapes])
    A, B = (rng.normal(size=s) for s in shapes)
    grads_match(lambda x: A @ x, [B])       # ndarray @ Tensor
    grads_match(lambda x: x @ B, [A])


# ---------------------------------------------------------------- random expression graphs

RANDOM_UNARY = {"exp": lambda x: x.tanh().exp(), "log": lambda x: (x * x + 1.0).log(),
                "sigmoid": lambda x: x.sigmoid(), "tanh": lambda x: x.tanh(), "pow2": lambda x: x ** 2,
                "neg": lambda x: -x}


def random_program(seed, n_ops=12):
    """A random expression over three leaves, reusing earlier nodes (so nodes are used several times)."""
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (4,), (3, 1)]
    steps = []
    pool = list(shapes)
    for _ in range(n_ops):
        kind = rng.choice(["bin", "bin", "un", "matmul", "reduce", "T"])
        i, j = rng.integers(len(pool), size=2)
        si, sj = pool[i], pool[j]
        if kind == "bin":
            try:
                shape = np.broadcast_shapes(si, sj)
            except ValueError:
                continue
            steps.append(("bin", str(rng.choice(list(BINARY))), i, j))
        elif kind == "un":
            shape = si
            steps.append(("un", str(rng.choice(["exp", "log", "sigmoid", "tanh", "pow2", "neg"])), i, None))
        elif kind == "matmul":
            if len(si) != 2 or len(sj) != 2 or si[1] != sj[0]:
                continue
            shape = (si[0], sj[1])
            steps.append(("matmul", None, i, j))
        elif kind == "reduce":
            if len(si) == 0:
                continue
            axis = int(rng.integers(len(si)))
            shape = tuple(n for k, n in enumerate(si) if k != axis)
            steps.append((str(rng.choice(["sum", "mean"])), axis, i, None))
        else:
            if len(si) != 2:
                continue
            shape = si[::-1]
            steps.append(("T", None, i, None))
        pool.append(shape)

    def f(*leaves):
        nodes = list(leaves)
        for kind, op, i, j in steps:
            x = nodes[i]
            if kind == "bin":
                y = nodes[j]
                if op == "/":               # keep the divisor away from 0
                    y = y * y + 1.0
                out = BINARY[op](x, y)
            elif kind == "un":
                out = RANDOM_UNARY[op](x)
            elif kind == "matmul":
                out = x @ nodes[j]
            elif kind in ("sum", "mean"):
                out = getattr(x, kind)(axis=op)
            else:
                out = x.T
            nodes.append(out)
        total = nodes[-1].sum()
        for node in nodes[:-1]:             # every node reaches J: more paths, more reuse
            total = total + 0.1 * node.mean()
        return total

    return f, shapes


@pytest.mark.parametrize("seed", range(25))
def test_random_expression_graphs(seed):
    f, shapes = random_program(seed)
    rng = np.random.default_rng(100 + seed)
    grads_match(f, [rng.normal(size=s) * 0.8 for s in shapes])


# ---------------------------------------------------------------- the sweep itself

def test_a_100000_operation_chain():
    x = Tensor(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.00001 + 0.0
    assert len(topological_order(y)) == 200_001
    y.backward()
    assert np.isclose(x.grad, 1.00001 ** 100_000, rtol=1e-9)


def test_node_used_twice_accumulates_and_backward_twice_adds_up():
    a = Tensor(3.0)
    y = a * a + a                   # dy/da = 2a + 1 = 7: three uses, three paths
    y.backward()
    assert a.grad == 7.0
    y.backward()                    # like PyTorch: gradients accumulate into .grad
    assert a.grad == 14.0
    a.grad = None
    (a + a).backward()
    assert a.grad == 2.0


def test_topological_order_puts_inputs_first():
    a, b = Tensor(1.0), Tensor(2.0)
    c = a * b
    d = c + a
    e = d * c
    order = topological_order(e)
    pos = {node: k for k, node in enumerate(order)}
    assert order[-1] is e and len(order) == 5
    for node in order:
        assert all(pos[x] < pos[node] for x in node.inputs)


def test_unbroadcast():
    G = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(unbroadcast(G, (4,)), G.sum(axis=(0, 1)))
    np.testing.assert_array_equal(unbroadcast(G, (3, 1)), G.sum(axis=(0, 2))[:, None])
    np.testing.assert_array_equal(unbroadcast(G, ()), G.sum())
    assert unbroadcast(G, (2, 3, 4)) is G


def test_input_never_mutated_and_data_is_float64():
    raw = np.array([[1, 2], [3, 4]])
    x = Tensor(raw)
    assert x.data.dtype == np.float64 and x.grad is None
    x.data += 1
    assert raw[0, 0] == 1
    W = np.ones((2, 2))
    J = (x @ W).sum()
    J.backward()
    assert (W == 1).all() and (raw == [[1, 2], [3, 4]]).all()


def test_sigmoid_is_stable():
    x = Tensor(np.array([-1e4, -50.0, 0.0, 50.0, 1e4]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = x.sigmoid()
        y.sum().backward()
    assert np.all(np.isfinite(y.data)) and np.all(np.isfinite(x.grad))
    assert y.data[0] == 0.0 and y.data[-1] == 1.0 and y.data[2] == 0.5


def test_reproduces_mlp_backward_on_a_deep_network():
    rng = np.random.default_rng(6)
    net = MLP([4, 6, 6, 5, 3], hidden_activation="tanh", output_activation="sigmoid",
              loss="binary_cross_entropy", seed=1)
    X, T = rng.normal(size=(7, 4)), rng.integers(0, 2, size=(7, 3)).astype(float)
    net.forward(X)
    expected = net.backward(T)
    params = [(Tensor(layer.W), Tensor(layer.b)) for layer in net.layers]
    H = X
    for l, (W, b) in enumerate(params):
        A = H @ W + b
        H = A.tanh() if l < len(params) - 1 else A.sigmoid()
    J = -(T * H.log() + (1 - T) * (1 - H).log()).sum() / len(X)
    J.backward()
    assert np.isclose(J.data, net.loss(X, T), rtol=1e-12)
    for (W, b), (dW, db) in zip(params, expected):
        assert relative_error(W.grad, dW) < 1e-10 and relative_error(b.grad, db) < 1e-10


# ---------------------------------------------------------------- clear errors

def test_backward_on_a_non_scalar_needs_a_gradient():
    y = Tensor(np.ones((2, 3))) * 2
    with pytest.raises(ValueError, match=r"one value.*\(2, 3\)"):
        y.backward()
    with pytest.raises(ValueError, match=r"grad has shape \(3,\), expected \(2, 3\)"):
        y.backward(np.ones(3))
    y.backward(np.ones((2, 3)))
    assert y.inputs[0].grad.shape == (2, 3)


def test_shapes_that_cannot_broadcast_are_named_at_op_time():
    a = Tensor(np.ones((3, 4)))
    for bad, text in ((np.ones(3), r"\(3, 4\) and \(3,\)"), (Tensor(np.ones((2, 4))), r"\(3, 4\) and \(2, 4\)")):
        with pytest.raises(ValueError, match=text):
            a + bad
        with pytest.raises(ValueError, match="cannot be broadcast"):
            bad * a
    with pytest.raises(ValueError, match=r"\(3, 4\) @ \(3, 4\)"):
        a @ a
    with pytest.raises(ValueError, match="2-D"):
        a @ Tensor(np.ones(4))


def test_unsupported_operands_are_type_errors():
    a = Tensor(np.ones(2))
    for bad in ("2", [1, 2], None, {"a": 1}):
        with pytest.raises(TypeError, match="unsupported operand"):
            a + bad
        with pytest.raises(TypeError, match="unsupported operand"):
            bad * a
    with pytest.raises(TypeError, match="k a number"):
        a ** a
    with pytest.raises(TypeError, match="numbers"):
        Tensor("abc")
