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
