"""Real learners' mistakes in ex03."""

from tests.real_mistakes import Mistake

MISTAKES = [
]
MISTAKES += [
    Mistake(
        "sigmoid_derivative",
        '''
def sigmoid_derivative(y):
    return sigmoid(y) * (1.0 - sigmoid(y))
''',
        "the learner 'corrects' x*(1-x) to sigmoid(x)*(1-sigmoid(x)), though x is already the sigmoid's output",
        "https://github.com/PacktPublishing/Neural-Network-Projects-with-Python/issues/4",
        (r"already σ\(a\)", r"already (the )?(sigmoid'?s? )?output", r"sigmoid of (the|an) output", r"applied twice"),
    ),
    Mistake(
        "backward",
        '''
def backward(X, H, Y, T, W2):
    m = X.shape[0]
    A1 = np.log(H / (1 - H))            # the pre-activation a, recovered from H = σ(a)
    delta2 = (Y - T) / m
    delta1 = (delta2 @ W2.T) * A1 * (1 - A1)
    return X.T @ delta1, delta1.sum(axis=0), H.T @ delta2, delta2.sum(axis=0)
''',
        "the sigmoid derivative is written x*(1-x) with x the pre-activation instead of the output y",
        "https://github.com/BoltzmannEntropy/interviews.ai/issues/4",
        (r"pre-?activation", r"of a,? not (of )?(the output|y|h)", r"output y = σ\(a\)"),
    ),
]
MISTAKES += [
    Mistake(
        "sigmoid_derivative",
        '''
def sigmoid_derivative(y):
    return y * (y - 1.0)
''',
        "the gradient of the sigmoid taken as s(x)(s(x) - 1): the sign is wrong",
        "https://github.com/JuliaAI/MLJLinearModels.jl/issues/104",
        (r"\bsigns?\b",),
    ),
]
MISTAKES += [
    Mistake(
        "forward",
        '''
def forward(X, W1, b1, W2, b2):
    H = sigmoid(sigmoid(X) @ W1 + b1)
    Y = sigmoid(H @ W2 + b2)
    return H, Y
''',
        "the input layer is put through the activation too: k0 = nonlin(X) instead of k0 = X",
        "https://github.com/llSourcell/how_to_do_math_for_deep_learning/issues/6",
        (r"sigmoid (of|on|to) (the )?(input|X)", r"input .*as (it )?is", r"X (itself|unchanged)"),
    ),
    Mistake(
        "backward",
        '''
def backward(X, H, Y, T, W2):
    m = X.shape[0]
    delta2 = (Y - T) / m
    delta1 = (delta2 * W2.T) * H * (1 - H)
    return X.T @ delta1, delta1.sum(axis=0), H.T @ delta2, delta2.sum(axis=0)
''',
        "dZ1 computed with np.multiply (elementwise) between W2^T and dZ2 instead of a dot product",
        "https://community.deeplearning.ai/t/week-3-exercise-6-cost-function/723602/2",
        (r"elementwise", r"matrix product"),
    ),
    Mistake(
        "backward",
        '''
def backward(X, H, Y, T, W2):
    m = X.shape[0]
    delta2 = (Y - T) / m
    delta1 = (delta2 @ W2.T) * H * (1 - H)
    return X.T @ delta1, delta1, H.T @ delta2, delta2
''',
        "Db_layer = layer_delta: the bias gradients are the per-sample deltas, never summed over the batch",
        "https://datascience.stackexchange.com/questions/54364/back-propagation-on-matrix-of-weights",
        (r"sum(med)? over (the )?(samples|rows|batch|examples)", r"axis ?=? ?0", r"not summed"),
    ),
    Mistake(
        "backward",
        '''
def backward(X, H, Y, T, W2):
    m = X.shape[0]
    delta2 = (Y - T) * Y * (1 - Y) / m
    delta1 = (delta2 @ W2.T) * H * (1 - H)
    return X.T @ delta1, delta1.sum(axis=0), H.T @ delta2, delta2.sum(axis=0)
''',
        "the learner asks to multiply the output error by sigmoid'(z) although the loss is cross-entropy",
        "https://github.com/parasdahal/tinyml/issues/1",
        (r"cancels", r"no (extra )?σ′ at the output", r"(sigmoid'?s? )?derivative .*(cancel|not needed)"),
    ),
]
MISTAKES += [
    Mistake(
        "sigmoid_derivative",
        '''
def sigmoid_derivative(y):
    return sigmoid(1 - sigmoid(y))
''',
        "sigmoid_backward written as sigmoid_forward(1 - sigmoid_forward(dz))",
        "https://github.com/yizt/numpy_neural_network/issues/3",
        (r"y ?\(1 ?- ?y\)", r"y ?\* ?\(1 ?- ?y\)", r"already σ\(a\)", r"already (the )?(sigmoid'?s? )?output"),
    ),
    Mistake(
        "backward",
        '''
def backward(X, H, Y, T, W2):
    m = X.shape[0]
    delta2 = (Y - T) / m
    d_act = sigmoid(H) * (1 - sigmoid(H))
    delta1 = (delta2 @ W2.T) * d_act
    return X.T @ delta1, delta1.sum(axis=0), H.T @ delta2, delta2.sum(axis=0)
''',
        "d_act = a.*(1-a) questioned and rewritten sigm(a).*(1-sigm(a)), though a already holds the sigmoid",
        "https://github.com/rasmusbergpalm/DeepLearnToolbox/issues/165",
        (r"already σ\(a\)", r"already (the )?(sigmoid'?s? )?output", r"applied twice"),
    ),
    Mistake(
        "forward",
        '''
def forward(X, W1, b1, W2, b2):
    H = sigmoid(X @ W1)
    Y = sigmoid(H @ W2)
    return H, Y
''',
        "the hidden and output layers are computed as sigm(a * W') with no bias term",
        "https://github.com/rasmusbergpalm/DeepLearnToolbox/issues/148",
        (r"bias",),
    ),
]
MISTAKES += [
    Mistake(
        "forward",
        '''
def forward(X, W1, b1, W2, b2):
    H = sigmoid(X @ W1.T + b1)
    Y = sigmoid(H @ W2.T + b2)
    return H, Y
''',
        "the learner proposes z2 = np.dot(X, W1.T) although samples are rows and W1 is (inputs, hidden)",
        "https://github.com/stephencwelch/Neural-Networks-Demystified/issues/23",
        (r"transpose", r"samples are rows", r"\(n_in, n_out\)"),
    ),
    Mistake(
        "backward",
        '''
def backward(X, H, Y, T, W2):
    m = X.shape[0]
    delta2 = (T - Y) / m
    delta1 = (delta2 @ W2.T) * H * (1 - H)
    return X.T @ delta1, delta1.sum(axis=0), H.T @ delta2, delta2.sum(axis=0)
''',
        "the output error is training_set_outputs - output, target minus prediction",
        "https://github.com/jiexunsee/Neural-Network-with-Python/issues/1",
        (r"\bsigns?\b",),
    ),
    Mistake(
        "backward",
        '''
def backward(X, H, Y, T, W2):
    m = X.shape[0]
    delta2 = (Y - T) / m
    delta1 = (delta2 @ W2.T) * H * (1 - H)
    return X.T @ delta1, delta1.sum(axis=0), 2 * (H.T @ delta2), delta2.sum(axis=0)
''',
        "dW2 = 1./m * np.dot(dZ2, A1.T) * 2: an extra factor 2 on one weight gradient the learner could not find",
        "https://github.com/bighuang624/Andrew-Ng-Deep-Learning-notes/issues/10",
        (r"factor (of )?2", r"twice"),
    ),
    Mistake(
        "backward",
        '''
def backward(X, H, Y, T, W2):
    m = X.shape[0]
    delta2 = (Y - T) / m
    delta1 = (delta2 @ W2.T) * H * (1 - H)
    return X.T @ delta1, 4 * delta1.sum(axis=0), H.T @ delta2, delta2.sum(axis=0)
''',
        "db1 = 4./m * np.sum(dZ1, ...): a stray factor 4 on the hidden bias gradient",
        "https://github.com/bighuang624/Andrew-Ng-Deep-Learning-notes/issues/10",
        (r"factor (of )?4", r"4 times", r"four times"),
    ),
    Mistake(
        "backward",
        '''
def backward(X, H, Y, T, W2):
    m = X.shape[0]
    delta2 = (Y - T) / m
    dW2 = H.T @ delta2
    delta1 = (delta2 @ dW2.T) * H * (1 - H)
    return X.T @ delta1, delta1.sum(axis=0), dW2, delta2.sum(axis=0)
''',
        "the learner asks whether the hidden gradient should use grad_w2.t() instead of w2.t()",
        "https://github.com/jcjohnson/pytorch-examples/issues/28",
        (r"weights?,? not (its|the) gradient", r"W2,? not dW2", r"gradient instead of (the )?weights?"),
    ),
    Mistake(
        "backward",
        '''
_ACC = {}

def backward(X, H, Y, T, W2):
    m = X.shape[0]
    delta2 = (Y - T) / m
    delta1 = (delta2 @ W2.T) * H * (1 - H)
    grads = (X.T @ delta1, delta1.sum(axis=0), H.T @ delta2, delta2.sum(axis=0))
    key = tuple(g.shape for g in grads)
    old = _ACC.get(key, tuple(np.zeros_like(g) for g in grads))
    _ACC[key] = tuple(o + g for o, g in zip(old, grads))      # Delta = Delta + A^T delta
    return _ACC[key]
''',
        "the gradient is written Delta = Delta + (A_in)^T delta, accumulating over calls",
        "https://github.com/rasbt/python-machine-learning-book-2nd-edition/issues/94",
        (r"accumulat", r"(earlier|previous) call", r"\bstate\b", r"start(s)? from zero"),
    ),
]
MISTAKES += [
    Mistake(
        "backward",
        '''
def backward(X, H, Y, T, W2):
    m = X.shape[0]
    A1 = np.log(H / (1 - H))             # Z1, recovered from H
    delta2 = (Y - T) / m
    delta1 = (delta2 @ W2.T) * (H * (1 - H)) * A1
    return X.T @ delta1, delta1.sum(axis=0), H.T @ delta2, delta2.sum(axis=0)
''',
        "g1'(Z1) read as a product: the derivative is multiplied by Z1 as well",
        "https://community.deeplearning.ai/t/w3-a1-dimensional-analysis-shapes-not-aligned/290850",
        (r"pre-?activation", r"multiplied by a\b", r"extra factor a"),
    ),
    Mistake(
        "backward",
        '''
def backward(X, H, Y, T, W2):
    m = X.shape[0]
    delta2 = (Y - T) / m
    delta1 = (delta2 @ W2.T) * H * (1 - H) / m
    return X.T @ delta1, delta1.sum(axis=0), H.T @ delta2, delta2.sum(axis=0)
''',
        "dZ1 is multiplied by 1/m and then dW1 = dot(dZ1, X.T) * 1/m once more",
        "https://community.deeplearning.ai/t/course-1-week-3-planar-assignment-4-5-exercise-6-backward-propagation-error-for-dw1-values/63071",
        (r"1/m (is )?applied twice", r"divided by m twice", r"twice"),
    ),
]
MISTAKES += [
    Mistake(
        "sigmoid_derivative",
        '''
def sigmoid_derivative(y):
    return y - (1 - y)
''',
        "the derivative of the sigmoid is written σ(x) - (1 - σ(x)) instead of σ(x)(1 - σ(x))",
        "https://github.com/sausheong/gonn/issues/8",
        (r"product", r"y ?\(1 ?- ?y\)", r"y ?\* ?\(1 ?- ?y\)", r"minus instead of times"),
    ),
]
MISTAKES += [
    Mistake(
        "forward",
        '''
def forward(X, W1, b1, W2, b2):
    H = sigmoid(X @ W1 + b1)
    Y = H @ W2 + b2
    return H, Y
''',
        "the sigmoid is not applied to the output of the last layer",
        "https://github.com/guoyang9/NCF/issues/27",
        (r"no sigmoid", r"sigmoid .*(missing|not applied)", r"output .*sigmoid"),
    ),
    Mistake(
        "forward",
        '''
def forward(X, W1, b1, W2, b2):
    H = sigmoid(X @ W1 + b1)
    Y = sigmoid(sigmoid(H @ W2 + b2))
    return H, Y
''',
        "the last layer's output is passed through a sigmoid twice (once in forward, once more afterwards)",
        "https://github.com/nmi-lab/decolle-public/issues/16",
        (r"twice", r"already"),
    ),
]
