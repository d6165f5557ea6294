"""mlp_lib.grading: every solution passes, and classic mistakes are caught and named.

The mutants below are the "held-out style" test: each is a solution function
with one classic mistake injected. Every one must fail a check, and the
feedback must name the mistake (the keywords).
"""

import textwrap

import numpy as np
import pytest

from mlp_lib.grading import EXERCISES, max_score, run_checks, specs
from mlp_lib.grading._framework import format_verdict

# ---------------------------------------------------------------- correct functions (the solutions)

SOLUTIONS = '''
from mlp_lib import MLP
from mlp_lib.activations import sigmoid as _lib_sigmoid

def predict(X, w, b):
    return X @ w + b

def mse(y, t):
    return float(np.mean((y - t) ** 2))

def mse_gradient(X, w, b, t):
    m = X.shape[0]
    r = predict(X, w, b) - t
    return 2.0 / m * (X.T @ r), 2.0 / m * float(np.sum(r))

def gradient_descent(X, t, lr, steps):
    w = np.zeros(X.shape[1]); b = 0.0; losses = []
    for _ in range(steps):
        losses.append(mse(predict(X, w, b), t))
        dw, db = mse_gradient(X, w, b, t)
        w = w - lr * dw
        b = b - lr * db
    return w, b, losses

def sigmoid(a):
    a = np.asarray(a, dtype=float)
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

def binary_cross_entropy(y, t):
    y = np.clip(y, 1e-12, 1 - 1e-12)
    return float(-np.mean(t * np.log(y) + (1 - t) * np.log(1 - y)))

def logistic_gradient(X, w, b, t):
    m = X.shape[0]
    r = sigmoid(X @ w + b) - t
    return X.T @ r / m, float(np.sum(r) / m)

def softmax(A):
    E = np.exp(A - A.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)

def softmax_gradient(X, W, b, T):
    m = X.shape[0]
    D = softmax(X @ W + b) - T
    return X.T @ D / m, D.sum(axis=0) / m

def sigmoid_derivative(y):
    return y * (1.0 - y)

def forward(X, W1, b1, W2, b2):
    H = sigmoid(X @ W1 + b1)
    Y = sigmoid(H @ W2 + b2)
    return H, Y

def backward(X, H, Y, T, W2):
    m = X.shape[0]
    delta2 = (Y - T) / m
    dW2 = H.T @ delta2
    db2 = delta2.sum(axis=0)
    delta1 = (delta2 @ W2.T) * H * (1 - H)
    return X.T @ delta1, delta1.sum(axis=0), dW2, db2

def output_delta(Y, T):
    return (Y - T) / Y.shape[0]

def hidden_delta(delta_next, W_next, H):
    return (delta_next @ W_next.T) * H * (1.0 - H)

def layer_gradients(H_prev, delta):
    return H_prev.T @ delta, delta.sum(axis=0)

def backprop(X, T, weights, biases):
    outputs = [X]
    for W, b in zip(weights, biases):
        outputs.append(sigmoid(outputs[-1] @ W + b))
    delta = output_delta(outputs[-1], T)
    grads = [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        grads[l] = layer_gradients(outputs[l], delta)
        if l > 0:
            delta = hidden_delta(delta, weights[l], outputs[l])
    return grads

def numerical_gradient(f, x, eps=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        fp = f(x)
        x[i] = old - eps
        fm = f(x)
        x[i] = old
        grad[i] = (fp - fm) / (2 * eps)
    return grad

def iterate_minibatches(X, T, batch_size, rng):
    m = X.shape[0]
    order = rng.permutation(m)
    for start in range(0, m, batch_size):
        idx = order[start:start + batch_size]
        yield X[idx], T[idx]

def xavier_init(n_in, n_out, rng):
    return rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / (n_in + n_out))

def he_init(n_in, n_out, rng):
    return rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)

def momentum_step(param, grad, velocity, lr, beta):
    v = beta * velocity - lr * grad
    return param + v, v

def train(X, T, hidden=64, epochs=20, lr=0.1, batch_size=32, beta=0.9, seed=0):
    rng = np.random.default_rng(seed)
    net = MLP([X.shape[1], hidden, T.shape[1]], hidden_activation="relu",
              output_activation="softmax", loss="cross_entropy", seed=seed)
    for layer in net.layers:
        layer.W = he_init(layer.W.shape[0], layer.W.shape[1], rng)
    vel = [[np.zeros_like(l.W), np.zeros_like(l.b)] for l in net.layers]
    for epoch in range(epochs):
        for Xb, Tb in iterate_minibatches(X, T, batch_size, rng):
            net.forward(Xb)
            for layer, (dW, db), v in zip(net.layers, net.backward(Tb), vel):
                layer.W, v[0] = momentum_step(layer.W, dW, v[0], lr, beta)
                layer.b, v[1] = momentum_step(layer.b, db, v[1], lr, beta)
    return net
'''


def namespace(extra=""):
    """The solutions, then ``extra`` (a mutant) defined over them, with their source in linecache
    as in a notebook (so feedback can quote the line that raised)."""
    import linecache

    ns = {"np": np}
    exec(SOLUTIONS, ns)
    if extra:
        src = textwrap.dedent(extra)
        filename = f"<mutant-{abs(hash(src))}>"
        linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
        exec(compile(src, filename, "exec"), ns)
    return ns


ALL_FUNCTIONS = [f for _, names in EXERCISES.values() for f in names]


@pytest.mark.parametrize("name", [f for f in ALL_FUNCTIONS if f != "train"])
def test_solution_passes_every_check(name):
    results = run_checks(namespace()[name], name)
    assert all(r.passed for r in results), format_verdict(name, results)


def test_train_solution_passes():
    results = run_checks(namespace()["train"], "train")
    assert all(r.passed for r in results), format_verdict("train", results)


def test_not_implemented_scores_zero_and_says_not_done():
    ns = namespace('''
    def predict(X, w, b):
        raise NotImplementedError("Exercise: implement predict(X, w, b)")
    ''')
    results = run_checks(ns["predict"])
    assert sum(r.points for r in results) == 0
    text = format_verdict("predict", results)
    assert text.startswith("… predict: not done yet")


def test_pass_message_and_forgot_bias_message(capsys):
    from mlp_lib.grading import check

    ns = namespace()
    assert check(ns["predict"]) is None  # a notebook cell shows only the verdict
    assert capsys.readouterr().out.strip() == "✓ predict: all checks passed (3/3)"
    bad = namespace("def predict(X, w, b):\n    return X @ w\n")["predict"]
    check(bad)
    out = capsys.readouterr().out
    assert out.startswith("✗ predict: 2/3 checks passed")
    assert "you forgot the bias b" in out


def test_check_names_exercise_from_function_name_and_rejects_unknown():
    with pytest.raises(ValueError, match="no exercise has a function called"):
        run_checks(lambda x: x, "not_a_graded_function")


def test_max_scores_are_positive_and_specs_match_the_table():
    for ex, (_, names) in EXERCISES.items():
        assert list(specs(ex)) == names
        assert max_score(ex) > 0


# ---------------------------------------------------------------- mutants: (function, source, keywords)

MUTANTS = [
    # ex01
    ("predict", "def predict(X, w, b):\n    return X @ w", ["forgot the bias"]),
    ("predict", "def predict(X, w, b):\n    return X @ w - b", ["subtracted"]),
    ("predict", "def predict(X, w, b):\n    return (X @ w + b).reshape(-1, 1)", ["flatten"]),
    ("predict", "def predict(X, w, b):\n    return w @ X.T + b * 2", ["bias is added twice"]),
    ("mse", "def mse(y, t):\n    return float(np.sum((y - t) ** 2))", ["1/m is missing"]),
    ("mse", "def mse(y, t):\n    return 0.5 * float(np.mean((y - t) ** 2))", ["factor 2"]),
    ("mse", "def mse(y, t):\n    return float(np.mean(np.abs(y - t)))", ["|y - t|"]),
    ("mse", "def mse(y, t):\n    return (y - t) ** 2", ["sum or average"]),
    ("mse", "def mse(y, t):\n    return float(np.sqrt(np.mean((y - t) ** 2)))", ["rmse"]),
    ("mse_gradient", """
def mse_gradient(X, w, b, t):
    r = X @ w + b - t
    return X.T @ r / len(t), np.mean(r)""", ["factor 2"]),
    ("mse_gradient", """
def mse_gradient(X, w, b, t):
    r = X @ w + b - t
    return 2 * X.T @ r, 2 * np.sum(r)""", ["1/m is missing"]),
    ("mse_gradient", """
def mse_gradient(X, w, b, t):
    r = t - (X @ w + b)
    return 2 * X.T @ r / len(t), 2 * np.mean(r)""", ["sign"]),
    ("mse_gradient", """
def mse_gradient(X, w, b, t):
    r = X @ w - t
    return 2 * X.T @ r / len(t), 2 * np.mean(r)""", ["leaves out the bias"]),
    ("mse_gradient", """
def mse_gradient(X, w, b, t):
    r = X @ w + b - t
    return 2 * X @ r / len(t), 2 * np.mean(r)""", ["transpose"]),
    ("mse_gradient", """
def mse_gradient(X, w, b, t):
    r = X @ w + b - t
    return 2 * X.T @ r / len(t) / len(t), 2 * np.mean(r) / len(t)""", ["1/m is applied twice"]),
    ("gradient_descent", """
def gradient_descent(X, t, lr, steps):
    w = np.zeros(X.shape[1]); b = 0.0; losses = []
    for _ in range(steps):
        dw, db = mse_gradient(X, w, b, t)
        w = w + lr * dw
        b = b + lr * db
        losses.append(mse(predict(X, w, b), t))
    return w, b, losses""", ["ascent", "sign"]),
    ("gradient_descent", """
def gradient_descent(X, t, lr, steps):
    w = np.zeros(X.shape[1]); b = 0.0; losses = []
    for _ in range(steps):
        dw, db = mse_gradient(X, w, b, t)
        w = w - lr * dw
        b = b - lr * db
        losses.append(mse(predict(X, w, b), t))
    return w, b, losses""", ["after the update"]),
    ("gradient_descent", """
def gradient_descent(X, t, lr, steps):
    w = np.zeros(X.shape[1]); b = 0.0; losses = []
    for _ in range(steps):
        losses.append(mse(predict(X, w, b), t))
        dw, db = mse_gradient(X, w, b, t)
        w = w - lr * dw
    return w, b, losses""", ["never updated"]),
    ("gradient_descent", """
def gradient_descent(X, t, lr, steps):
    w = np.zeros(X.shape[1]); b = 0.0; losses = []
    for _ in range(steps - 1):
        losses.append(mse(predict(X, w, b), t))
        dw, db = mse_gradient(X, w, b, t)
        w = w - lr * dw; b = b - lr * db
    return w, b, losses""", ["one per step"]),
    # ex02
    ("sigmoid", "def sigmoid(a):\n    return 1 / (1 + np.exp(-a))", ["unstable exp"]),
    ("sigmoid", "def sigmoid(a):\n    return 1 / (1 + np.exp(a))", ["sign in the exponent"]),
    ("sigmoid", "def sigmoid(a):\n    return np.tanh(a)", ["tanh"]),
    ("sigmoid", """
def sigmoid(a):
    a = np.asarray(a, dtype=float)
    a[a < -500] = -500
    return 1 / (1 + np.exp(-a))""", ["mutated", "in place"]),
    ("binary_cross_entropy", "def binary_cross_entropy(y, t):\n"
     "    return float(-np.mean(t * np.log(y) + (1 - t) * np.log(1 - y)))", ["runtimewarning", "clip"]),
    ("binary_cross_entropy", "def binary_cross_entropy(y, t):\n"
     "    y = np.clip(y, 1e-12, 1 - 1e-12)\n    return float(np.mean(t * np.log(y) + (1 - t) * np.log(1 - y)))",
     ["sign"]),
    ("binary_cross_entropy", "def binary_cross_entropy(y, t):\n"
     "    y = np.clip(y, 1e-12, 1 - 1e-12)\n    return float(-np.sum(t * np.log(y) + (1 - t) * np.log(1 - y)))",
     ["1/m is missing"]),
    ("binary_cross_entropy", "def binary_cross_entropy(y, t):\n"
     "    y = np.clip(y, 1e-12, 1 - 1e-12)\n    return float(-np.mean(t * np.log(y)))", ["term is missing"]),
    ("binary_cross_entropy", "def binary_cross_entropy(y, t):\n"
     "    np.clip(y, 1e-12, 1 - 1e-12, out=y)\n    return float(-np.mean(t * np.log(y) + (1 - t) * np.log(1 - y)))",
     ["in place"]),
    ("logistic_gradient", """
def logistic_gradient(X, w, b, t):
    r = X @ w + b - t
    return X.T @ r / len(t), np.mean(r)""", ["sigmoid is missing"]),
    ("logistic_gradient", """
def logistic_gradient(X, w, b, t):
    y = sigmoid(X @ w + b)
    r = (y - t) * y * (1 - y)
    return X.T @ r / len(t), np.mean(r)""", ["cancels"]),
    ("logistic_gradient", """
def logistic_gradient(X, w, b, t):
    r = sigmoid(X @ w + b) - t
    return X.T @ r, np.sum(r)""", ["1/m is missing"]),
    ("logistic_gradient", """
def logistic_gradient(X, w, b, t):
    r = t - sigmoid(X @ w + b)
    return X.T @ r / len(t), np.mean(r)""", ["sign"]),
    ("softmax", "def softmax(A):\n    E = np.exp(A)\n    return E / E.sum(axis=1, keepdims=True)",
     ["overflow", "unstable exp"]),
    ("softmax", "def softmax(A):\n    E = np.exp(A - A.max(axis=0, keepdims=True))\n"
     "    return E / E.sum(axis=0, keepdims=True)", ["wrong axis"]),
    ("softmax", "def softmax(A):\n    E = np.exp(A - A.max())\n    return E / E.sum(axis=1, keepdims=True)",
     ["each row's maximum", "whole array"]),
    ("softmax", "def softmax(A):\n    E = np.exp(A - A.max(axis=1))\n    return E / E.sum(axis=1, keepdims=True)",
     ["keepdims"]),
    ("softmax", "def softmax(A):\n    A -= A.max(axis=1, keepdims=True)\n    E = np.exp(A)\n"
     "    return E / E.sum(axis=1, keepdims=True)", ["in place"]),
    ("softmax_gradient", """
def softmax_gradient(X, W, b, T):
    D = softmax(X @ W + b) - T
    return D.T @ X / len(X), D.sum(axis=0) / len(X)""", ["transpose"]),
    ("softmax_gradient", """
def softmax_gradient(X, W, b, T):
    D = softmax(X @ W + b) - T
    return X.T @ D / len(X), D.sum(axis=1) / len(X)""", ["wrong axis"]),
    ("softmax_gradient", """
def softmax_gradient(X, W, b, T):
    D = softmax(X @ W + b) - T
    return X.T @ D, D.sum(axis=0)""", ["1/m is missing"]),
    ("softmax_gradient", """
def softmax_gradient(X, W, b, T):
    A = X @ W + b
    E = np.exp(A - A.max(axis=0, keepdims=True)); Y = E / E.sum(axis=0, keepdims=True)
    D = Y - T
    return X.T @ D / len(X), D.sum(axis=0) / len(X)""", ["wrong axis"]),
    # ex03
    ("sigmoid_derivative", "def sigmoid_derivative(y):\n    return sigmoid(y) * (1 - sigmoid(y))",
     ["already σ(a)"]),
    ("sigmoid_derivative", "def sigmoid_derivative(y):\n    return 1 - y ** 2", ["tanh"]),
    ("sigmoid_derivative", "def sigmoid_derivative(y):\n    return y * (y - 1)", ["sign"]),
    ("forward", """
def forward(X, W1, b1, W2, b2):
    H = sigmoid(X @ W1 + b1)
    return H, H @ W2 + b2""", ["no sigmoid"]),
    ("forward", """
def forward(X, W1, b1, W2, b2):
    H = sigmoid(X @ W1)
    return H, sigmoid(H @ W2 + b2)""", ["bias b1"]),
    ("forward", """
def forward(X, W1, b1, W2, b2):
    H = sigmoid(X @ W1 + b1)
    return H, sigmoid(X @ W2 + b2)""", ["wrong layer's activations"]),
    ("backward", """
def backward(X, H, Y, T, W2):
    m = X.shape[0]
    d2 = (Y - T) / m
    d1 = (d2 @ W2.T)
    return X.T @ d1, d1.sum(0), H.T @ d2, d2.sum(0)""", ["derivative is missing", "layer 1"]),
    ("backward", """
def backward(X, H, Y, T, W2):
    m = X.shape[0]
    d2 = (Y - T) / m
    d1 = (d2 @ W2.T) * sigmoid(H) * (1 - sigmoid(H))
    return X.T @ d1, d1.sum(0), H.T @ d2, d2.sum(0)""", ["already σ(a)"]),
    ("backward", """
def backward(X, H, Y, T, W2):
    d2 = (Y - T)
    d1 = (d2 @ W2.T) * H * (1 - H)
    return X.T @ d1, d1.sum(0), H.T @ d2, d2.sum(0)""", ["1/m is missing"]),
    ("backward", """
def backward(X, H, Y, T, W2):
    m = X.shape[0]
    d2 = (Y - T) / m
    d1 = (d2 @ W2.T) * H * (1 - H)
    return X.T @ d1, d1.sum(0), d2.T @ H, d2.sum(0)""", ["transpose"]),
    ("backward", """
def backward(X, H, Y, T, W2):
    m = X.shape[0]
    d2 = (Y - T) / m
    d1 = (d2 @ W2) * H * (1 - H)
    return X.T @ d1, d1.sum(0), H.T @ d2, d2.sum(0)""", ["transpose"]),
    ("backward", """
def backward(X, H, Y, T, W2):
    m = X.shape[0]
    d2 = (Y - T) / m * Y * (1 - Y)
    d1 = (d2 @ W2.T) * H * (1 - H)
    return X.T @ d1, d1.sum(0), H.T @ d2, d2.sum(0)""", ["cancels"]),
    ("backward", """
def backward(X, H, Y, T, W2):
    m = X.shape[0]
    d2 = (Y - T) / m
    d1 = (d2 @ W2.T) * H * (1 - H)
    return X.T @ d1, d1.sum(1), H.T @ d2, d2.sum(0)""", ["wrong axis", "summed"]),
    ("backward", """
def backward(X, H, Y, T, W2):
    m = X.shape[0]
    d2 = (T - Y) / m
    d1 = (d2 @ W2.T) * H * (1 - H)
    return X.T @ d1, d1.sum(0), H.T @ d2, d2.sum(0)""", ["sign"]),
    # ex04
    ("output_delta", "def output_delta(Y, T):\n    return Y - T", ["1/m is missing"]),
    ("output_delta", "def output_delta(Y, T):\n    return (T - Y) / len(Y)", ["sign"]),
    ("output_delta", "def output_delta(Y, T):\n    return (Y - T) * Y * (1 - Y) / len(Y)", ["cancels"]),
    ("output_delta", "def output_delta(Y, T):\n    return (Y - T) / Y.size", ["m·k"]),
    ("hidden_delta", "def hidden_delta(delta_next, W_next, H):\n    return delta_next @ W_next.T",
     ["derivative is missing"]),
    ("hidden_delta", "def hidden_delta(delta_next, W_next, H):\n    return (delta_next @ W_next) * H * (1 - H)",
     ["transpose"]),
    ("hidden_delta", "def hidden_delta(delta_next, W_next, H):\n"
     "    return (delta_next @ W_next.T) * sigmoid(H) * (1 - sigmoid(H))", ["already σ(a)"]),
    ("hidden_delta", "def hidden_delta(delta_next, W_next, H):\n"
     "    return (delta_next @ W_next.T) * (1 - H ** 2)", ["tanh"]),
    ("layer_gradients", "def layer_gradients(H_prev, delta):\n    return delta.T @ H_prev, delta.sum(0)",
     ["transpose"]),
    ("layer_gradients", "def layer_gradients(H_prev, delta):\n    return H_prev.T @ delta, delta.sum(1)",
     ["wrong axis", "summed"]),
    ("layer_gradients", "def layer_gradients(H_prev, delta):\n    return H_prev.T @ delta, delta.mean(0)",
     ["applied twice"]),
    ("layer_gradients", "def layer_gradients(H_prev, delta):\n"
     "    return H_prev.T @ delta / len(delta), delta.sum(0) / len(delta)", ["applied twice"]),
    ("backprop", """
def backprop(X, T, weights, biases):
    outputs = [X]
    for W, b in zip(weights, biases):
        outputs.append(sigmoid(outputs[-1] @ W + b))
    delta = output_delta(outputs[-1], T)
    grads = [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        H_in = outputs[l - 1] if l == len(weights) - 1 and l >= 1 else outputs[l]
        grads[l] = layer_gradients(H_in, delta)
        if l > 0:
            delta = hidden_delta(delta, weights[l], outputs[l])
    return grads""", ["wrong layer's activations", "output layer"]),
    ("backprop", """
def backprop(X, T, weights, biases):
    outputs = [X]
    for W, b in zip(weights, biases):
        outputs.append(sigmoid(outputs[-1] @ W + b))
    delta = output_delta(outputs[-1], T)
    grads = [None] * len(weights)
    L = len(weights)
    for l in range(L - 1, -1, -1):
        grads[l] = layer_gradients(outputs[l], delta)
        if l > 0:
            W_rec = weights[l + 1] if l + 1 < L else weights[l]
            delta = hidden_delta(delta, W_rec, outputs[l])
    return grads""", ["wrong layer's weights"]),
    ("backprop", """
def backprop(X, T, weights, biases):
    outputs = [X]
    for W, b in zip(weights, biases):
        outputs.append(sigmoid(outputs[-1] @ W + b))
    delta = output_delta(outputs[-1], T)
    grads = []
    for l in range(len(weights) - 1, -1, -1):
        grads.append(layer_gradients(outputs[l], delta))
        if l > 0:
            delta = hidden_delta(delta, weights[l], outputs[l])
    return grads""", ["bottom layer first"]),
    ("backprop", """
def backprop(X, T, weights, biases):
    outputs = [X]
    for W, b in zip(weights, biases):
        outputs.append(sigmoid(outputs[-1] @ W))
    delta = output_delta(outputs[-1], T)
    grads = [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        grads[l] = layer_gradients(outputs[l], delta)
        if l > 0:
            delta = hidden_delta(delta, weights[l], outputs[l])
    return grads""", ["biases"]),
    ("backprop", """
def backprop(X, T, weights, biases):
    outputs = [X]
    for W, b in zip(weights, biases):
        outputs.append(sigmoid(outputs[-1] @ W + b))
    delta = output_delta(outputs[-1], T)
    grads = [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        grads[l] = layer_gradients(outputs[l], delta)
        if l > 0:
            delta = delta @ weights[l].T
    return grads""", ["derivative is missing", "layer"]),
    ("numerical_gradient", """
def numerical_gradient(f, x, eps=1e-5):
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    f0 = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]; x[i] = old + eps; g[i] = (f(x) - f0) / eps; x[i] = old
    return g""", ["forward differences"]),
    ("numerical_gradient", """
def numerical_gradient(f, x, eps=1e-5):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps; fp = f(x)
        x[i] = old - eps; fm = f(x)
        g[i] = (fp - fm) / (2 * eps)
    return g""", ["x is changed", "mutated"]),
    ("numerical_gradient", """
def numerical_gradient(f, x, eps=1e-5):
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]; x[i] = old + eps; fp = f(x); x[i] = old - eps; fm = f(x); x[i] = old
        g[i] = (fp - fm) / eps
    return g""", ["2 eps"]),
    ("numerical_gradient", """
def numerical_gradient(f, x, eps=1e-5):
    x = np.array(x, dtype=float)
    g = np.zeros(len(x))
    for i in range(len(x)):
        e = np.zeros_like(x); e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g""", ["shape"]),
    # ex05
    ("iterate_minibatches", """
def iterate_minibatches(X, T, batch_size, rng):
    order = rng.permutation(len(X))
    for start in range(0, len(X) - batch_size + 1, batch_size):
        idx = order[start:start + batch_size]
        yield X[idx], T[idx]""", ["dropped"]),
    ("iterate_minibatches", """
def iterate_minibatches(X, T, batch_size, rng):
    i1 = rng.permutation(len(X)); i2 = rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        yield X[i1[start:start + batch_size]], T[i2[start:start + batch_size]]""", ["unpaired"]),
    ("iterate_minibatches", """
def iterate_minibatches(X, T, batch_size, rng):
    for start in range(0, len(X), batch_size):
        yield X[start:start + batch_size], T[start:start + batch_size]""", ["original order"]),
    ("iterate_minibatches", """
def iterate_minibatches(X, T, batch_size, rng):
    order = np.random.permutation(len(X))
    for start in range(0, len(X), batch_size):
        idx = order[start:start + batch_size]
        yield X[idx], T[idx]""", ["ignores the rng"]),
    ("iterate_minibatches", """
def iterate_minibatches(X, T, batch_size, rng):
    idx = rng.integers(0, len(X), size=len(X))
    for start in range(0, len(X), batch_size):
        yield X[idx[start:start + batch_size]], T[idx[start:start + batch_size]]""", ["appear twice"]),
    ("iterate_minibatches", """
def iterate_minibatches(X, T, batch_size, rng):
    state = rng.bit_generator.state
    rng.shuffle(X)
    rng.bit_generator.state = state
    rng.shuffle(T)
    for start in range(0, len(X), batch_size):
        yield X[start:start + batch_size], T[start:start + batch_size]""", ["in place"]),
    ("xavier_init", "def xavier_init(n_in, n_out, rng):\n"
     "    return rng.standard_normal((n_in, n_out)) * np.sqrt(1.0 / n_in)", ["lecun"]),
    ("xavier_init", "def xavier_init(n_in, n_out, rng):\n"
     "    return rng.standard_normal((n_in, n_out)) * 2.0 / (n_in + n_out)", ["square root"]),
    ("xavier_init", "def xavier_init(n_in, n_out, rng):\n"
     "    return rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / (n_in + n_out))", ["transpose"]),
    ("xavier_init", "def xavier_init(n_in, n_out, rng):\n"
     "    return np.random.standard_normal((n_in, n_out)) * np.sqrt(2.0 / (n_in + n_out))", ["np.random"]),
    ("he_init", "def he_init(n_in, n_out, rng):\n"
     "    return rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / (n_in + n_out))", ["xavier"]),
    ("he_init", "def he_init(n_in, n_out, rng):\n"
     "    return rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_out)", ["n_out where n_in"]),
    ("he_init", "def he_init(n_in, n_out, rng):\n"
     "    return rng.standard_normal((n_in, n_out)) * np.sqrt(1.0 / n_in)", ["lecun"]),
    ("momentum_step", "def momentum_step(param, grad, velocity, lr, beta):\n"
     "    v = beta * velocity + lr * grad\n    return param + v, v", ["sign"]),
    ("momentum_step", "def momentum_step(param, grad, velocity, lr, beta):\n"
     "    p = param + velocity\n    return p, beta * velocity - lr * grad", ["old velocity"]),
    ("momentum_step", "def momentum_step(param, grad, velocity, lr, beta):\n"
     "    velocity *= beta\n    velocity -= lr * grad\n    return param + velocity, velocity", ["in place"]),
    ("momentum_step", "def momentum_step(param, grad, velocity, lr, beta):\n"
     "    v = lr * velocity - beta * grad\n    return param + v, v", ["swapped"]),
    ("momentum_step", "def momentum_step(param, grad, velocity, lr, beta):\n"
     "    v = beta * velocity - lr * grad\n    return v, param + v", ["swapped"]),
    ("gradient_descent", """
def gradient_descent(X, t, lr, steps):
    w = np.ones(X.shape[1]); b = 0.0; losses = []
    for _ in range(steps):
        losses.append(mse(predict(X, w, b), t))
        dw, db = mse_gradient(X, w, b, t)
        w = w - lr * dw; b = b - lr * db
    return w, b, losses""", ["start from zeros"]),
    ("softmax", "def softmax(A):\n    E = np.exp(A - A.max(axis=1, keepdims=True))\n    return E / E.sum()",
     ["whole array"]),
    ("backprop", """
def backprop(X, T, weights, biases):
    outputs = [X]
    for W, b in zip(weights, biases):
        outputs.append(sigmoid(outputs[-1] @ W + b))
    delta = output_delta(outputs[-1], T)
    grads = [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        grads[l] = layer_gradients(outputs[l], delta)
        if l > 0:
            W_rec = weights[l - 1] if weights[l - 1].shape == weights[l].shape else weights[l]
            delta = hidden_delta(delta, W_rec, outputs[l])
    return grads""", ["wrong layer's weights"]),
    ("numerical_gradient", """
def numerical_gradient(f, x, eps=1e-5):
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]; x[i] = old + 1e-2; fp = f(x); x[i] = old - 1e-2; fm = f(x); x[i] = old
        g[i] = (fp - fm) / (2 * 1e-2)
    return g""", ["eps argument"]),
    ("numerical_gradient", """
def numerical_gradient(f, x, eps=1e-5):
    return np.ones_like(x) * (f(x + eps) - f(x - eps)) / (2 * eps)""", ["one entry at a time"]),
    ("backward", """
def backward(X, H, Y, T, W2):
    m = X.shape[0]
    d2 = (Y - T) / m
    d1 = (d2 @ W2.T) * H * (1 - H)
    return X.T @ d1, d2.sum(0), H.T @ d2, d2.sum(0)""", ["delta2"]),
    ("xavier_init", "def xavier_init(n_in, n_out, rng):\n"
     "    return 2 * rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / (n_in + n_out))", ["off by a factor"]),
    ("train", """
def train(X, T, hidden=64, epochs=20, lr=0.1, batch_size=32, beta=0.9, seed=0):
    net = MLP([X.shape[1], hidden, T.shape[1]], hidden_activation="relu",
              output_activation="softmax", loss="cross_entropy", seed=seed)
    for epoch in range(3):
        for Xb, Tb in iterate_minibatches(X, T, batch_size, np.random.default_rng(0)):
            net.forward(Xb)
            for layer, (dW, db) in zip(net.layers, net.backward(Tb)):
                layer.W = layer.W + 0.1 * dW
                layer.b = layer.b + 0.1 * db
    return net""", ["accuracy"]),
]


def _mutant_id(m):
    return f"{m[0]}-{MUTANTS.index(m)}"


@pytest.mark.parametrize("mutant", MUTANTS, ids=_mutant_id)
def test_mutant_is_caught_and_named(mutant):
    name, source, keywords = mutant
    results = run_checks(namespace(source)[name], name)
    text = format_verdict(name, results)
    assert not all(r.passed for r in results), f"not caught:\n{source}"
    assert any(k.lower() in text.lower() for k in keywords), f"not named ({keywords}):\n{text}"


def test_functions_returning_none_or_strings_get_plain_feedback():
    ns = namespace('''
    def predict(X, w, b):
        y = X @ w + b
    def mse(y, t):
        return "0.5"
    ''')
    text = format_verdict("predict", run_checks(ns["predict"]))
    assert "None" in text and "return" in text
    text = format_verdict("mse", run_checks(ns["mse"]))
    assert "string" in text


def test_exception_is_summarised_with_a_transpose_hint():
    ns = namespace('''
    def hidden_delta(delta_next, W_next, H):
        return (delta_next @ W_next) * H * (1 - H)
    ''')
    results = run_checks(ns["hidden_delta"])
    text = format_verdict("hidden_delta", results)
    assert "raised ValueError" in text and "transpose" in text
    assert "Traceback" not in text


def test_backprop_names_the_first_wrong_layer_from_the_output():
    ns = namespace('''
    def backprop(X, T, weights, biases):
        outputs = [X]
        for W, b in zip(weights, biases):
            outputs.append(sigmoid(outputs[-1] @ W + b))
        delta = output_delta(outputs[-1], T)
        grads = [None] * len(weights)
        for l in range(len(weights) - 1, -1, -1):
            dW, db = layer_gradients(outputs[l], delta)
            grads[l] = (dW * (2.0 if l == 0 else 1.0), db)
            if l > 0:
                delta = hidden_delta(delta, weights[l], outputs[l])
        return grads
    ''')
    text = format_verdict("backprop", run_checks(ns["backprop"]))
    assert "is in layer 1 of 3" in text or "is in layer 1 of 4" in text, text
    assert "layer 2 of 2" not in text.split("first wrong")[0]


def test_grader_digits_split_is_the_notebooks_split():
    from mlp_lib import data
    from mlp_lib.grading.ex05 import digits_split

    X_train, T_train, X_test, labels_test = digits_split()
    ref = data.digits(test_fraction=0.25, seed=0)
    assert np.array_equal(X_train, ref[0]) and np.array_equal(X_test, ref[1])
    assert np.array_equal(T_train, data.one_hot(ref[2], 10)) and np.array_equal(labels_test, ref[3])


# ---------------------------------------------------------------- points only for real answers; fresh cases


def _zeros_like_output(out):
    if isinstance(out, tuple):
        return tuple(_zeros_like_output(o) for o in out)
    if isinstance(out, list):
        return [_zeros_like_output(o) for o in out]
    if isinstance(out, np.ndarray):
        return np.zeros_like(out, dtype=float)
    if isinstance(out, (float, np.floating)):
        return 0.0
    return out


@pytest.mark.parametrize("name", [f for f in ALL_FUNCTIONS if f != "train"])
def test_a_stub_returning_zeros_of_the_right_shape_scores_nothing(name):
    import inspect

    right = namespace()[name]
    if inspect.isgeneratorfunction(right):
        def stub(*args, **kwargs):
            for Xb, Tb in right(*args, **kwargs):
                yield np.zeros_like(Xb), np.zeros_like(Tb)
    else:
        def stub(*args, **kwargs):
            return _zeros_like_output(right(*args, **kwargs))
    results = run_checks(stub, name)
    assert sum(r.points for r in results) == 0, format_verdict(name, results)


def test_shape_and_property_checks_pass_but_earn_points_only_with_right_values():
    ns = namespace("def predict(X, w, b):\n    return X @ w\n")
    results = run_checks(ns["predict"])
    assert [r.passed for r in results] == [True, False, True]
    assert sum(r.points for r in results) == 0
    assert "only once the values are right" in format_verdict("predict", results)


def test_seed_none_keeps_the_fixed_cases_and_a_seed_draws_fresh_reproducible_ones():
    spec = specs("ex01")["mse_gradient"]
    make = spec.checks[1].make_calls
    fixed1, fixed2 = make(None), make(None)
    fresh1, fresh1_again, fresh2 = make(7), make(7), make(8)
    same = lambda a, b: all(np.array_equal(x, y) for c, d in zip(a, b) for x, y in zip(c.args, d.args))  # noqa
    assert same(fixed1, fixed2) and same(fresh1, fresh1_again)
    assert not same(fixed1, fresh1) and not same(fresh1, fresh2)


@pytest.mark.parametrize("name", ["predict", "mse_gradient", "softmax", "backprop", "iterate_minibatches",
                                  "momentum_step", "numerical_gradient", "he_init"])
def test_solutions_pass_on_fresh_cases(name):
    results = run_checks(namespace()[name], name, seed=12345)
    assert all(r.passed for r in results), format_verdict(name, results)


def test_answers_recorded_on_the_fixed_cases_fail_on_fresh_ones():
    right = namespace()["mse"]
    spec = specs("ex01")["mse"]
    recorded = {c.args[0].tobytes(): right(*c.args) for c in spec.checks[1].make_calls(None)}

    def replay(y, t):
        return recorded.get(y.tobytes(), 0.0)
    assert all(r.passed for r in run_checks(replay, "mse"))
    assert sum(r.points for r in run_checks(replay, "mse", seed=2024)) == 0


# ---------------------------------------------------------------- feedback like a tutor


def test_a_wrong_helper_is_blamed_and_backprop_earns_its_points():
    ns = namespace("def hidden_delta(delta_next, W_next, H):\n    return delta_next @ W_next.T\n")
    results = run_checks(ns["backprop"], "backprop")
    assert sum(r.points for r in results) == sum(r.max_points for r in results)
    assert "your helper `hidden_delta`" in format_verdict("backprop", results)


def test_an_error_inside_a_correct_helper_blames_the_calling_line():
    ns = namespace('''
    def backprop(X, T, weights, biases):
        outputs = [X]
        for W, b in zip(weights, biases):
            outputs.append(sigmoid(outputs[-1] @ W + b))
        delta = output_delta(outputs[-1], T)
        grads = [None] * len(weights)
        for l in range(len(weights) - 1, -1, -1):
            grads[l] = layer_gradients(outputs[l], delta)
            if l > 0:
                delta = hidden_delta(delta, weights[l - 1], outputs[l])
        return grads
    ''')
    text = format_verdict("backprop", run_checks(ns["backprop"], "backprop"))
    assert "called from the line `delta = hidden_delta(delta, weights[l - 1], outputs[l])`" in text, text


def test_one_exception_is_reported_once():
    ns = namespace("def backprop(X, T, weights, biases):\n    return [(W @ W, b) for W, b in zip(weights, biases)]\n")
    text = format_verdict("backprop", run_checks(ns["backprop"], "backprop"))
    assert text.count("raised ValueError") == 1, text


def test_name_error_hints_are_true_for_the_name():
    ns = namespace('''
    def predict(X, w, b):
        return x @ w + b
    def mse(y, t):
        return float(np.mean((y - t) ** 2)) + undefined_helper(y)
    ''')
    text = format_verdict("predict", run_checks(ns["predict"]))
    assert "the parameter is called `X`, not `x`" in text, text
    text = format_verdict("mse", run_checks(ns["mse"]))
    assert "`undefined_helper` is neither an argument" in text, text


def test_train_at_chance_names_what_the_probes_rule_out():
    ns = namespace('''
    def train(X, T, hidden=64, epochs=20, lr=0.1, batch_size=32, beta=0.9, seed=0):
        rng = np.random.default_rng(seed)
        net = MLP([X.shape[1], hidden, T.shape[1]], hidden_activation="relu",
                  output_activation="softmax", loss="cross_entropy", seed=seed)
        for epoch in range(epochs):
            for Xb, Tb in iterate_minibatches(X, T, batch_size, rng):
                net.forward(Xb)
                for layer, (dW, db) in zip(net.layers, net.backward(Tb)):
                    W = layer.W - lr * dW
                    b = layer.b - lr * db
        return net
    ''')
    text = format_verdict("train", run_checks(ns["train"], "train"))
    assert "never written back" in text, text
    assert "helpers" in text and "still fails" in text, text


@pytest.mark.parametrize("name, source, words", [
    ("softmax", "def softmax(A):\n    out = np.zeros_like(A)\n    for i in range(len(A)):\n"
     "        e = np.exp(A[i] - A[i].max())\n        out[i] = e / e.sum()\n    return out\n", "integer"),
    ("mse", "_seen = []\ndef mse(y, t):\n    _seen.append(float(np.mean((y - t) ** 2)))\n    return sum(_seen)\n",
     "keeps state between calls"),
    ("hidden_delta", "def hidden_delta(delta_next, W_next, H):\n    return (delta_next * W_next.T) * H * (1 - H)\n",
     "matrix product"),
    ("momentum_step", "def momentum_step(param, grad, velocity, lr, beta):\n"
     "    v = beta * velocity + (1 - beta) * grad\n    return param - lr * v, v\n", "different convention"),
    ("mse_gradient", "def mse_gradient(X, w, b, t):\n    r = X @ w + b - t\n"
     "    return 2 * X.T @ r / X.shape[1], 2 * np.sum(r) / X.shape[1]\n", "instead of m"),
    ("binary_cross_entropy", "def binary_cross_entropy(y, t):\n    y = np.clip(y, 1e-12, 1 - 1e-12)\n"
     "    return float(-np.mean(t * np.log2(y) + (1 - t) * np.log2(1 - y)))\n", "log base 2"),
])
def test_mistake_classes_are_named_in_general(name, source, words):
    text = format_verdict(name, run_checks(namespace(source)[name], name))
    assert words in text, text


def test_zero_initial_weights_are_named_by_the_probes():
    ns = namespace('''
    def train(X, T, hidden=64, epochs=20, lr=0.1, batch_size=32, beta=0.9, seed=0):
        rng = np.random.default_rng(seed)
        net = MLP([X.shape[1], hidden, T.shape[1]], hidden_activation="relu",
                  output_activation="softmax", loss="cross_entropy", seed=seed)
        for layer in net.layers:
            layer.W = np.zeros_like(layer.W)
        for epoch in range(epochs):
            for Xb, Tb in iterate_minibatches(X, T, batch_size, rng):
                net.forward(Xb)
                for layer, (dW, db) in zip(net.layers, net.backward(Tb)):
                    layer.W = layer.W - lr * dW
                    layer.b = layer.b - lr * db
        return net
    ''')
    text = format_verdict("train", run_checks(ns["train"], "train"))
    assert "all zero" in text and "symmetry" in text, text
