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
    A1 = X @ np.linalg.pinv(X) @ np.log(H / (1 - H))  # the pre-activation, recovered
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
        (r"sign",),
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
        (r"elementwise", r"matrix product", r"np\.dot", r"@"),
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
