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
        (r"\bsigns?\b",),
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
MISTAKES += [
    Mistake(
        "logistic_gradient",
        '''
def logistic_gradient(X, w, b, t):
    y = sigmoid(X @ w + b)
    return -(t - y) @ X, -float(np.sum(t - y))
''',
        "the logistic-regression gradient -(y - y_pred).dot(X) misses the 1/n_samples factor",
        "https://github.com/eriklindernoren/ML-From-Scratch/issues/124",
        (r"1/m is missing", r"sum instead of (a |the )?mean"),
    ),
    Mistake(
        "softmax_gradient",
        '''
def softmax_gradient(X, W, b, T):
    m = X.shape[0]
    D = softmax(X @ W + b) - T
    db = np.full(W.shape[1], D.sum() / m)
    return X.T @ D / m, db
''',
        "the bias gradient is a single sum over all classes, broadcast to every bias",
        "https://github.com/rasbt/stat453-deep-learning-ss21/issues/5",
        (r"whole array", r"(every|all) (entries|classes|columns)", r"axis ?=? ?0", r"per class", r"each class"),
    ),
    Mistake(
        "binary_cross_entropy",
        '''
def binary_cross_entropy(y, t):
    y = np.clip(y, 1e-12, 1 - 1e-12)
    return float(-np.sum(t * np.log(y) + (1 - t) * np.log(1 - y)))
''',
        "the binary cross-entropy uses np.sum where the formula is a mean",
        "https://github.com/PacktPublishing/Modern-Computer-Vision-with-PyTorch/issues/35",
        (r"1/m is missing", r"sum instead of (a |the )?mean"),
    ),
    Mistake(
        "binary_cross_entropy",
        '''
def binary_cross_entropy(y, t):
    y = np.clip(y, 1e-12, 1 - 1e-12)
    return float(-np.mean(np.log(np.where(t == 1, 1 - y, y))))
''',
        "torch.where(targets==1, 1-inputs, inputs): the probability of the wrong class is scored",
        "https://github.com/fastai/fastbook/pull/480",
        (r"swapped", r"1 ?- ?y where", r"wrong class", r"y and 1 ?- ?y"),
    ),
    Mistake(
        "sigmoid",
        '''
def sigmoid(a):
    return 1.0 / (1 + np.exp(-1 * a))
''',
        "the sigmoid 1/(1+exp(-x)) raises 'RuntimeWarning: overflow encountered in exp' for large negative inputs",
        "https://github.com/ahmedfgad/NumPyCNN/issues/13",
        (r"overflow", r"unstable exp", r"stable"),
    ),
    Mistake(
        "sigmoid",
        '''
def sigmoid(a):
    np.exp(-a, out=a)
    a += 1.0
    a **= -1.0
    return a
''',
        "an in-place sigmoid: exp(-X, out=X); X += 1; X **= -1 overwrites the caller's array",
        "https://github.com/explosion/thinc/pull/648",
        (r"in place", r"mutat", r"changed its argument"),
    ),
]
MISTAKES += [
    Mistake(
        "sigmoid",
        '''
def sigmoid(a):
    return a / (1 + np.exp(-a))
''',
        "Sigmoid(x) := x / (1 + Exp(-x)): the numerator is x instead of 1 (it behaves like a leaky ReLU)",
        "https://github.com/joaopauloschuler/neural-api/issues/21",
        (r"numerator", r"a ?· ?σ\(a\)", r"a times σ", r"swish", r"silu"),
    ),
]
MISTAKES += [
    Mistake(
        "logistic_gradient",
        '''
def logistic_gradient(X, w, b, t):
    m = X.shape[0]
    r = sigmoid(-(X @ w + b)) - t
    return X.T @ r / m, float(np.sum(r)) / m
''',
        "the weight-update formula lost the minus in the sigmoid's argument",
        "https://github.com/Yorko/mlcourse.ai/issues/640",
        (r"\bsigns?\b",),
    ),
    Mistake(
        "softmax",
        '''
def softmax(A):
    E = np.exp(A)
    return E / E.sum(axis=1, keepdims=True)
''',
        "the softmax takes exp of the raw input and gives NaN for large inputs (no max subtracted per row)",
        "https://github.com/deeplearning4j/deeplearning4j/issues/6039",
        (r"overflow", r"unstable exp", r"subtract .*max"),
    ),
    Mistake(
        "softmax",
        '''
def softmax(A):
    shift = np.maximum(A.max(axis=1, keepdims=True), 0.0)
    E = np.exp(A - shift)
    return E / E.sum(axis=1, keepdims=True)
''',
        "softmax subtracted max(0, row max) instead of the row max, failing for softmax([-10000, -10000])",
        "https://github.com/FluxML/NNlib.jl/pull/43",
        (r"max\(0", r"row'?s? (own )?max", r"underflow"),
    ),
]
MISTAKES += [
    Mistake(
        "softmax",
        '''
def softmax(A):
    result = np.zeros_like(A)
    for i in range(A.shape[0]):
        e = np.exp(A[i] - A[i].max())
        result[i] = e / e.sum()
    return result
''',
        "result = np.zeros_like(x) on an integer input array: every probability is truncated to 0",
        "https://splunktool.com/in-python-calculate-the-softmax-of-an-array-columnwise-using-numpy",
        (r"integer", r"dtype", r"zeros_like"),
    ),
]
MISTAKES += [
    Mistake(
        "logistic_gradient",
        '''
def logistic_gradient(X, w, b, t):
    m = X.shape[0]
    r = sigmoid(X @ w + b) - t
    return X @ r / m, float(np.sum(r)) / m
''',
        "the logistic-regression gradient is derived without transposing the data matrix",
        "https://github.com/apachecn/ailearning/issues/443",
        (r"transpose", r"X\.T"),
    ),
    Mistake(
        "sigmoid",
        '''
def sigmoid(a):
    a = np.asarray(a, dtype=float)
    return 1.0 / (1.0 + np.exp(a))
''',
        "sigmoid(x) = 1 / (1 + exp(-x)), but the implementation had no minus",
        "https://github.com/pytorch/torcharrow/pull/523",
        (r"\bsigns?\b",),
    ),
    Mistake(
        "binary_cross_entropy",
        '''
def binary_cross_entropy(y, t):
    y = np.clip(y, 1e-12, 1 - 1e-12)
    return float(-np.mean(t * np.log10(y) + (1 - t) * np.log10(1 - y)))
''',
        "the log loss is computed with log10 instead of the natural log",
        "https://github.com/srendle/libfm/issues/21",
        (r"natural log", r"log10", r"base", r"\bln\b"),
    ),
    Mistake(
        "binary_cross_entropy",
        '''
def binary_cross_entropy(y, t):
    y = np.clip(y, 1e-12, 1 - 1e-12)
    return float(np.mean(t * np.log(y) + (1 - t) * np.log(1 - y)))
''',
        "the cross-entropy loss is written log(1/3) instead of -log(1/3): the leading minus is missing",
        "https://github.com/cs231n/cs231n.github.io/pull/244",
        (r"\bsigns?\b",),
    ),
    Mistake(
        "binary_cross_entropy",
        '''
def binary_cross_entropy(y, t):
    y = np.clip(y, 1e-12, 1 - 1e-12)
    return float(np.mean(-t * np.log(y) + (1 - t) * np.log(1 - y)))
''',
        "the loss's second term lacks its minus: r = (1 - y) * log(1 - y_pred) should be -(1 - y) * log(1 - y_pred)",
        "https://github.com/eriklindernoren/ML-From-Scratch/issues/16",
        (r"\bsigns?\b", r"minus"),
    ),
    Mistake(
        "softmax_gradient",
        '''
def softmax_gradient(X, W, b, T):
    m = X.shape[0]
    D = softmax(softmax(X @ W + b)) - T
    return X.T @ D / m, D.sum(axis=0) / m
''',
        "log_softmax is computed and then cross_entropy applies log_softmax again: softmax twice",
        "https://github.com/speedinghzl/Pytorch-Deeplab/issues/2",
        (r"twice", r"already (a )?probabilit", r"softmax of (the|a) softmax"),
    ),
]
MISTAKES += [
    Mistake(
        "logistic_gradient",
        '''
def logistic_gradient(X, w, b, t):
    m = X.shape[0]
    y = sigmoid(X @ w + b)
    d = (y - t) * y * (1 - y)
    return X.T @ d / m, float(np.sum(d)) / m
''',
        "d_layer1 = diff * sigma_prime(layer1) with a cross-entropy loss: the sigmoid's derivative should not be there",
        "https://github.com/hunkim/DeepLearningZeroToAll/issues/20",
        (r"cancels", r"(sigmoid'?s? )?derivative .*(cancel|not needed)"),
    ),
]
MISTAKES += [
    Mistake(
        "softmax_gradient",
        '''
def softmax_gradient(X, W, b, T):
    D = softmax(X @ W + b) - T
    return X.T @ D / D.size, D.sum(axis=0) / D.size
''',
        "the softmax-loss derivative is normalised by numel(x) (samples times classes) instead of the batch size",
        "https://github.com/victorlempitsky/Mate/issues/2",
        (r"m·k", r"m ?\* ?k", r"number of (outputs|classes)", r"every entry", r"\.size\b"),
    ),
]
MISTAKES += [
    Mistake(
        "binary_cross_entropy",
        '''
def binary_cross_entropy(y, t):
    y = np.clip(y, 1e-12, 1 - 1e-12)
    return float(-np.mean(t * np.log(y)))
''',
        "CrossEntropy.compute() is missing the (1 - t) log(1 - p) term, so target-0 samples cost nothing",
        "https://github.com/RubixML/ML/pull/424",
        (r"term is missing", r"one of the two terms", r"\(1 ?- ?t\)", r"second term"),
    ),
    Mistake(
        "binary_cross_entropy",
        '''
def binary_cross_entropy(y, t):
    y = np.clip(y, 1e-12, 1 - 1e-12)
    return float(-np.mean(t * np.log(y) + (1 - t) * (1 - y)))
''',
        "a log operation is missing after (1 - pred): the loss can be negative",
        "https://github.com/deepjavalibrary/djl/issues/1316",
        (r"log .*missing", r"without (the )?log", r"log\(1 ?- ?y\)"),
    ),
    Mistake(
        "binary_cross_entropy",
        '''
def binary_cross_entropy(y, t):
    t_ = np.clip(t, 1e-12, 1 - 1e-12)
    return float(-np.mean(y * np.log(t_) + (1 - y) * np.log(1 - t_)))
''',
        "the log-loss takes the logarithm of the labels instead of the estimated probabilities (hats swapped)",
        "https://github.com/CamDavidsonPilon/Probabilistic-Programming-and-Bayesian-Methods-for-Hackers/pull/438",
        (r"swapped", r"log of (the )?labels?", r"prediction and (the )?label", r"roles"),
    ),
]
