"""Real learners' mistakes in ex06 (autodiff): backward rules, the topological order, the sweep.

Most were posted about scalar or array autograd engines (micrograd and its forks, small NumPy
autograds, course exercises); each is written afresh in this course's signatures.
"""

from tests.real_mistakes import Mistake

MISTAKES = [
    # ---- unbroadcast(G, shape)
    Mistake(
        "unbroadcast",
        '''
def unbroadcast(G, shape):
    return G
''',
        "broadcast add [3,4] + [1,4]: the row's gradient comes back [3,4], never summed over the rows",
        "https://github.com/deeplearning4j/nd4j/issues/2424",
        (r"not undone", r"sum(med)? G over", r"not summed"),
    ),
    Mistake(
        "unbroadcast",
        '''
def unbroadcast(G, shape):
    while G.ndim > len(shape):
        G = G.sum(axis=0)
    return G
''',
        "backward of [B,1,T,H] * [B,1,T,1] does not reduce the size-1 broadcast axis of the smaller operand",
        "https://github.com/tenstorrent/tt-metal/issues/40008",
        (r"size 1", r"keepdims"),
    ),
    Mistake(
        "unbroadcast",
        '''
def unbroadcast(G, shape):
    full = (1,) * (G.ndim - len(shape)) + tuple(shape)
    axes = tuple(i for i, n in enumerate(full) if n == 1 and G.shape[i] != 1)
    return G.sum(axis=axes, keepdims=True)
''',
        "the gradient of a (1,) tensor broadcast against (1, 2) comes back (1, 1): the leading axes are"
        " summed but kept",
        "https://github.com/minitorch/Module-2/pull/14",
        (r"added in front", r"leading ax"),
    ),
    # ---- matmul_backward(G, A, B)
    Mistake(
        "matmul_backward",
        '''
def matmul_backward(G, A, B):
    return G @ B, A @ G
''',
        "the backward GEMMs of Y = A @ B are built with trans_B=False and trans_A=False: dA = dY @ B,"
        " dB = A @ dY",
        "https://github.com/tile-ai/TileOPs/pull/54",
        (r"not transposed", r"B\.T", r"A\.T"),
    ),
    Mistake(
        "matmul_backward",
        '''
def matmul_backward(G, A, B):
    C = A @ B
    return C @ B.T, A.T @ C
''',
        "matmul backward multiplies the forward output C by B^T and A^T instead of the output's gradient",
        "https://github.com/Shubham-cyber-prog/100-Days-Of-Web-Development-ECWoC26/pull/1378",
        (r"instead of (the incoming gradient )?G", r"product's value", r"forward (output|value|result)"),
    ),
    # ---- sigmoid_backward(G, Y)
    Mistake(
        "sigmoid_backward",
        '''
def sigmoid_backward(G, Y):
    s = 1 / (1 + np.exp(-G))
    return 1 / (1 + np.exp(-(1 - s)))
''',
        "sigmoid_backward(next_dz) returns sigmoid(1 - sigmoid(next_dz)): the derivative is taken of the"
        " incoming gradient, and the layer's output never enters",
        "https://github.com/yizt/numpy_neural_network/issues/3",
        (r"ignores Y", r"does not depend on Y", r"of G\b", r"incoming gradient"),
    ),
    Mistake(
        "sigmoid_backward",
        '''
def sigmoid_backward(G, Y):
    return G
''',
        "the output layer's gradient skips the sigmoid's derivative: the error is passed on as it is",
        "https://github.com/Bot-Academy/NeuralNetworkFromScratch/pull/3",
        (r"derivative .*missing", r"Y ?\(1 ?- ?Y\) is missing", r"unchanged"),
    ),
    Mistake(
        "sigmoid_backward",
        '''
def sigmoid_backward(G, Y):
    return Y * (1 - Y)
''',
        "a custom backward returns the local derivative alone; it must multiply by the output's gradient",
        "https://github.com/k2-fsa/k2/issues/341",
        (r"G is missing", r"multiply .*gradient G"),
    ),
    Mistake(
        "sigmoid_backward",
        '''
def sigmoid_backward(G, Y):
    s = 1 / (1 + np.exp(-Y))
    return G * s * (1 - s)
''',
        "d_act = sigm(a) .* (1 - sigm(a)) proposed where a already holds the sigmoid's output",
        "https://github.com/rasmusbergpalm/DeepLearnToolbox/issues/165",
        (r"already σ\(a\)", r"wrong quantity", r"applied twice"),
    ),
    # ---- log_backward(G, X)
    Mistake(
        "log_backward",
        '''
def log_backward(G, X):
    return G * np.log(X)
''',
        "a node's local derivative taken from the wrong end: its output's value used where its input's goes",
        "https://github.com/karpathy/nn-zero-to-hero/issues/52",
        (r"log X", r"derivative of log x is 1/x"),
    ),
    Mistake(
        "log_backward",
        '''
def log_backward(G, X):
    gx = G / X
    return G * gx
''',
        "the log's gradient multiplies the head gradient twice, ograd^2 f'(x) instead of ograd f'(x)",
        "https://github.com/apache/mxnet/pull/15120",
        (r"linear in G", r"G (enters|appears|multiplies) (only )?once", r"twice"),
    ),
    # ---- sum_backward / mean_backward(G, shape, axis, keepdims)
    Mistake(
        "sum_backward",
        '''
def sum_backward(G, shape, axis=None, keepdims=False):
    return np.broadcast_to(G, shape).copy()
''',
        "x.pow(2).mean(0).backward() fails: with keepdim False the backward never unsqueezes the reduced dim",
        "https://github.com/pytorch/pytorch/issues/1813",
        (r"expand_dims", r"lost the summed axes", r"put them back"),
    ),
    Mistake(
        "mean_backward",
        '''
def mean_backward(G, shape, axis=None, keepdims=False):
    return sum_backward(G, shape, axis, keepdims) / np.size(G)
''',
        "the mean's gradient is computed from the output tensor's size instead of the input's",
        "https://github.com/pocketpy/cTensor/pull/24",
        (r"size of the result", r"number of values (averaged|along)", r"output'?s? size"),
    ),
    Mistake(
        "sum_backward",
        '''
def sum_backward(G, shape, axis=None, keepdims=False):
    return np.ones(shape)
''',
        "Sum.backward returns ones_like(subject): the local derivative without the incoming gradient",
        "https://github.com/haydnv/tinychain/pull/141",
        (r"G is missing", r"each entry gets G"),
    ),
    Mistake(
        "mean_backward",
        '''
def mean_backward(G, shape, axis=None, keepdims=False):
    return sum_backward(G, shape, axis, keepdims) / 4
''',
        "the gradient of z = mean(x^2) written with the count of the example's x: right for 4 elements only",
        "https://github.com/udacity/deep-learning-v2-pytorch/pull/158",
        (r"fixed number", r"count .*(from shape|averaged)"),
    ),
    # ---- topological_order(inputs, root)
    Mistake(
        "topological_order",
        '''
def topological_order(inputs, root):
    order, seen = [], set()
    def build(v):
        if v not in seen:
            seen.add(v)
            for j in inputs[v]:
                build(j)
            order.append(v)
    build(root)
    return order
''',
        "a recursive build_topo raises RecursionError once the graph is deeper than 1000 operations",
        "https://github.com/karpathy/micrograd/pull/90",
        (r"recurs",),
    ),
    Mistake(
        "topological_order",
        '''
def topological_order(inputs, root):
    order = []
    def build(v):
        for j in inputs[v]:
            build(j)
        order.append(v)
    build(root)
    return order
''',
        "the visited set dropped, on the belief that each node is reached by one path only",
        "https://github.com/karpathy/micrograd/pull/23",
        (r"twice", r"visited"),
    ),
    Mistake(
        "topological_order",
        '''
def topological_order(inputs, root):
    stack, order = [root], []
    while stack:
        v = stack.pop()
        if v not in order:
            order.append(v)
            stack.extend(inputs[v])
    return order
''',
        "the graph walked from the root with a stack, each node listed when popped: root first, not last",
        "https://github.com/karpathy/micrograd/issues/91",
        (r"end with root", r"after (all of )?its inputs"),
    ),
    # ---- backward_pass(inputs, local, root)
    Mistake(
        "backward_pass",
        '''
def backward_pass(inputs, local, root):
    grad = np.zeros(len(inputs))
    grad[root] = 1.0
    for i in reversed(topological_order(inputs, root)):
        for j, d in zip(inputs[i], local[i]):
            grad[j] = d * grad[i]
    return grad
''',
        "grads[parent] = in_grad instead of adding to it: a node with two children keeps one contribution",
        "https://github.com/callummcdougall/ARENA_2.0/pull/18",
        (r"accumulat", r"overwrit", r"\+="),
    ),
    Mistake(
        "backward_pass",
        '''
def backward_pass(inputs, local, root):
    grad = np.zeros(len(inputs))
    grad[root] = 1.0
    def push(i):
        for j, d in zip(inputs[i], local[i]):
            grad[j] += d * grad[i]
        for j in inputs[i]:
            push(j)
    push(root)
    return grad
''',
        "backpropagation made recursive without the topological sort: each node pushes its gradient on"
        " before all of it has arrived (wrong for a = 1; b = a + a; c = b + b)",
        "https://github.com/karpathy/micrograd/pull/64",
        (r"topological order", r"before (it is|its gradient is) complete", r"complete"),
    ),
    Mistake(
        "backward_pass",
        '''
def backward_pass(inputs, local, root):
    grad = np.zeros(len(inputs))
    grad[root] = 1.0
    for i in topological_order(inputs, root):
        for j, d in zip(inputs[i], local[i]):
            grad[j] += d * grad[i]
    return grad
''',
        "a post-order DFS that runs each node's backward after its children's: the sweep goes leaves first",
        "https://github.com/karpathy/micrograd/issues/96",
        (r"forward order", r"in reverse"),
    ),
    Mistake(
        "backward_pass",
        '''
_GRAD = {}

def backward_pass(inputs, local, root):
    for i in range(len(inputs)):
        _GRAD.setdefault(i, 0.0)
    _GRAD[root] = 1.0
    for i in reversed(topological_order(inputs, root)):
        for j, d in zip(inputs[i], local[i]):
            _GRAD[j] += d * _GRAD[i]
    return np.array([_GRAD[i] for i in range(len(inputs))])
''',
        "backward() is not idempotent: the gradients are never reset, so a second call adds onto the first",
        "https://github.com/karpathy/micrograd/issues/53",
        (r"state between calls", r"start from zero", r"zero"),
    ),
]
