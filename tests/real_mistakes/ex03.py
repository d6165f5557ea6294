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
