"""Real learners' mistakes in ex02."""

from tests.real_mistakes import Mistake

MISTAKES = [
]
MISTAKES += [
    Mistake(
        "binary_cross_entropy",
        '''
def binary_cross_entropy(y, t):
    return float(-np.mean(t * np.log(y) + (1 - t) * np.log(1 - y)))
''',
        "the cost becomes NaN once a prediction rounds to exactly 0 or 1: log(0), nothing keeps y off 0 and 1",
        "https://community.deeplearning.ai/t/cost-nan/754037",
        (r"clip", r"log\(0\)|log of 0|log of zero"),
    ),
    Mistake(
        "softmax",
        '''
def softmax(A):
    E = np.exp(A - np.max(A))
    return E / E.sum()
''',
        "softmax normalises by the sum over the whole 2-D array instead of over each row",
        "https://stackoverflow.com/questions/34968722/how-to-implement-the-softmax-function-in-python",
        (r"whole array", r"each row", r"axis=1"),
    ),
]
MISTAKES += [
    Mistake(
        "softmax",
        '''
def softmax(A):
    E = np.exp(A - np.max(A))
    return E / np.sum(E, axis=1, keepdims=True)
''',
        "the maximum for the overflow shift is taken over the whole 2-D array, not per row (NaN losses)",
        "https://github.com/manassharma07/crysx_nn/issues/7",
        (r"each row'?s? max", r"row'?s? (own )?max", r"per row"),
    ),
    Mistake(
        "softmax_gradient",
        '''
def softmax_gradient(X, W, b, T):
    m = X.shape[0]
    A = X @ W + b
    E = np.exp(A - A.max(axis=0, keepdims=True))
    Y = E / E.sum(axis=0, keepdims=True)
    D = Y - T
    return X.T @ D / m, D.sum(axis=0) / m
''',
        "softmax inside the gradient is taken over dimension 0 (the batch) instead of over the classes",
        "https://github.com/deeplearning4j/deeplearning4j/issues/345",
        (r"wrong axis", r"axis ?=? ?1", r"over (the )?classes", r"each row"),
    ),
    Mistake(
        "softmax_gradient",
        '''
def softmax_gradient(X, W, b, T):
    m = X.shape[0]
    D = T - softmax(X @ W + b)
    return X.T @ D / m, D.sum(axis=0) / m
''',
        "the loss gradient is labels - p instead of p - labels",
        "https://github.com/deeplearning4j/deeplearning4j/issues/345",
        (r"sign",),
    ),
    Mistake(
        "softmax_gradient",
        '''
def softmax_gradient(X, W, b, T):
    m = X.shape[0]
    D = softmax(X @ W + b) - T
    return 2 * X.T @ D / m, 2 * D.sum(axis=0) / m
''',
        "the softmax gradient is off by a factor of two",
        "https://github.com/markroxor/fromscratchtoml/issues/65",
        (r"factor (of )?2", r"factor (of )?two"),
    ),
]
