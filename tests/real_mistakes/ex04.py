"""Real learners' mistakes in ex04."""

from tests.real_mistakes import Mistake

MISTAKES = [
]
MISTAKES += [
    Mistake(
        "hidden_delta",
        '''
def hidden_delta(delta_next, W_next, H):
    s = sigmoid(H)
    return (delta_next @ W_next.T) * s * (1 - s)
''',
        "nonlin(x, deriv=True) 'fixed' to s = sigmoid(x); s*(1-s), on a layer output that is already a sigmoid",
        "https://github.com/iamtrask/iamtrask.github.io/issues/12",
        (r"already σ\(a\)", r"already (the )?(sigmoid'?s? )?output", r"applied twice"),
    ),
    Mistake(
        "numerical_gradient",
        '''
def numerical_gradient(f, x, eps=1e-5):
    grad = np.zeros_like(x, dtype=float)
    for i in np.ndindex(x.shape):
        old = x[i]
        x_plus = x
        x_plus[i] = old + eps
        x_minus = x
        x_minus[i] = old - eps
        grad[i] = (f(x_plus) - f(x_minus)) / (2 * eps)
    return grad
''',
        "x_plus = x is a shallow copy sharing x's data, so the nudges overwrite each other and x itself",
        "https://github.com/HomericIntelligence/Odyssey/pull/2089",
        (r"cop(y|ies)", r"same array", r"alias"),
    ),
]
MISTAKES += [
    Mistake(
        "hidden_delta",
        '''
def hidden_delta(delta_next, W_next, H):
    return delta_next @ W_next.T
''',
        "the hidden error is W^T times the output error, without the hidden layer's derivative",
        "https://github.com/makeyourownneuralnetwork/makeyourownneuralnetwork/issues/88",
        (r"derivative (is )?missing", r"without (the )?(sigmoid'?s? )?derivative", r"H ?\* ?\(1 ?- ?H\)"),
    ),
    Mistake(
        "layer_gradients",
        '''
def layer_gradients(H_prev, delta):
    return H_prev.T @ delta, np.mean(delta, axis=0)
''',
        "d_b1 = mean(d_h2) where the bias gradient is the sum over the batch",
        "https://github.com/kvfrans/notes/issues/5",
        (r"applied twice", r"mean instead of (a |the )?sum", r"divided by m twice"),
    ),
    Mistake(
        "layer_gradients",
        '''
def layer_gradients(H_prev, delta):
    return H_prev.T @ delta, delta
''',
        "the broadcast bias receives the whole (m, n) gradient; it is never summed back over the batch",
        "https://github.com/jimfleming/differentiation/issues/1",
        (r"sum(med)? over (the )?(samples|rows|batch|examples)", r"axis ?=? ?0", r"not summed"),
    ),
    Mistake(
        "layer_gradients",
        '''
def layer_gradients(H_prev, delta):
    dW = H_prev.T @ delta
    return dW, np.sum(dW, axis=0)
''',
        "the bias gradients are computed from the weight gradient np.dot(l1, x.T) summed, not from delta alone",
        "https://github.com/rust0258/Deeplearning.ai-Natural-Language-Processing-Specialization/issues/62",
        (r"delta alone", r"sum of delta", r"without (the )?(input|H_prev)", r"from dW", r"(input|H_prev) .*bias"),
    ),
]
