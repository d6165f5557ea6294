"""Real learners' mistakes in ex01 (linear regression): predict, mse, mse_gradient, gradient_descent."""

from tests.real_mistakes import Mistake

MISTAKES = [
    Mistake(
        "mse_gradient",
        '''
def mse_gradient(X, w, b, t):
    n = X.shape[1]
    r = X @ w + b - t
    return 2.0 / n * (X.T @ r), 2.0 / n * float(np.sum(r))
''',
        "the gradient is averaged over the number of features n instead of the number of examples m",
        "https://stackoverflow.com/questions/17784587/gradient-descent-using-python-and-numpy",
        (r"features", r"number of (samples|examples|rows)", r"\bn instead of m\b"),
    ),
]
MISTAKES += [
    Mistake(
        "gradient_descent",
        '''
def gradient_descent(X, t, lr, steps):
    w = np.zeros(X.shape[1])
    b = 0.0
    losses = []
    for _ in range(steps):
        losses.append(mse(predict(X, w, b), t))
        dw, _ = mse_gradient(X, w, b, t)
        w = w - lr * dw
        _, db = mse_gradient(X, w, b, t)      # computed with the already-updated w
        b = b - lr * db
    return w, b, losses
''',
        "the output weights are updated first and the next gradient is then computed with the updated weights",
        "https://github.com/joelgrus/data-science-from-scratch/issues/31",
        (r"simultaneous", r"(already[- ])?updated w", r"before .*(other|b'?s?) gradient"),
    ),
    Mistake(
        "gradient_descent",
        '''
def gradient_descent(X, t, lr, steps):
    w = np.zeros(X.shape[1])
    b = 0.0
    losses = []
    for _ in range(steps):
        losses.append(mse(predict(X, w, b), t))
        _, db = mse_gradient(X, w, b, t)
        b = b - lr * db
        dw, _ = mse_gradient(X, w, b, t)      # uses the altered b
        w = w - lr * dw
    return w, b, losses
''',
        "the error for the lower part is computed with a weight that was already altered by its correction",
        "https://github.com/kim-marcel/basic_neural_network/issues/7",
        (r"simultaneous", r"(already[- ])?updated b", r"before .*(other|w'?s?) gradient"),
    ),
    Mistake(
        "mse",
        '''
def mse(y, t):
    return float(np.sum((y - t) ** 2))
''',
        "the MSE is defined as a sum instead of a mean",
        "https://github.com/acids-ircam/creative_ml/pull/6",
        (r"1/m is missing", r"sum instead of (a |the )?mean"),
    ),
    Mistake(
        "mse_gradient",
        '''
def mse_gradient(X, w, b, t):
    m = X.shape[0]
    r = X @ w + b - t
    return (X.T @ r) / m, float(np.sum(r)) / m
''',
        "the gradient omits the factor 2 (written for a cost with 1/2 in front)",
        "https://github.com/Open-Deep-ML/DML-OpenProblem/issues/97",
        (r"factor (of )?2", r"factor two", r"1/2"),
    ),
    Mistake(
        "mse_gradient",
        '''
def mse_gradient(X, w, b, t):
    y = X @ w + b
    s = np.sum(X)
    return -(2 / s) * (X.T @ (t - y)), -(2 / s) * float(np.sum(t - y))
''',
        "the partial derivatives are divided by sum(x) instead of len(x)",
        "https://github.com/djib2011/python_ml_tutorial/issues/1",
        (r"number of (samples|examples|rows)", r"sum of (x|X|the inputs|the features)", r"divide[ds]? by m\b"),
    ),
    Mistake(
        "mse_gradient",
        '''
def mse_gradient(X, w, b, t):
    y = X @ w + b
    return -(t - y) @ X, -float(np.sum(t - y))
''',
        "grad_w = -(y - y_pred).dot(X) with no 1/training_size (nor the 2)",
        "https://github.com/eriklindernoren/ML-From-Scratch/issues/74",
        (r"1/m (and the factor 2 )?(are|is)( both)? missing", r"sum instead of (a |the )?mean"),
    ),
    Mistake(
        "mse_gradient",
        '''
def mse_gradient(X, w, b, t):
    m = X.shape[0]
    r = X @ w + b - t
    dw = 2 * (X.T @ r) / m
    db = 2 * float(np.mean(r))
    return dw / m, db / m          # the optimiser divides by the batch size again
''',
        "the loss is averaged with l.mean() and the SGD step divides by batch_size once more",
        "https://github.com/d2l-ai/d2l-en/pull/1000",
        (r"1/m (is )?applied twice", r"divided by m twice", r"twice"),
    ),
]
MISTAKES += [
    Mistake(
        "mse",
        '''
def mse(y, t):
    return float(np.mean((y.reshape(-1, 1) - t) ** 2))
''',
        "a (128,)-tensor y subtracted from a (128, 1) prediction broadcasts to (128, 128): the wrong MSE",
        "https://github.com/manzilzaheer/DeepSets/pull/1",
        (r"broadcast", r"\(m, ?m\)", r"\(m, ?1\)"),
    ),
    Mistake(
        "predict",
        '''
def predict(X, w, b):
    return X @ w.reshape(-1, 1) + b
''',
        "the prediction has shape [n, 1] while the target has shape [n]; the loss silently broadcasts",
        "https://github.com/pytorch/pytorch/issues/16045",
        (r"flatten", r"\(m, ?1\)", r"column", r"1-?d", r"\(m,\)"),
    ),
]
MISTAKES += [
    Mistake(
        "gradient_descent",
        '''
def gradient_descent(X, t, lr, steps):
    w = np.zeros(X.shape[1])
    b = 0.0
    losses = []
    for _ in range(steps):
        losses.append(mse(predict(X, w, b), t))
        dw, db = mse_gradient(X, w, b, t)
        w = w - dw
        b = b - db
    return w, b, losses
''',
        "the learning rate is not used in the gradient update rule",
        "https://github.com/aimacode/aima-python/issues/285",
        (r"learning rate", r"\blr\b"),
    ),
    Mistake(
        "gradient_descent",
        '''
def gradient_descent(X, t, lr, steps):
    w = np.zeros(X.shape[1])
    b = 0.0
    losses = []
    for _ in range(steps):
        losses.append(mse(predict(X, w, b), t))
        dw, db = mse_gradient(X, w, b, t)
        w = -lr * dw
        b = -lr * db
    return w, b, losses
''',
        "self.weight = input.T.dot(input) replaces the weights each call instead of adding to them",
        "https://github.com/itdxer/neupy/issues/218",
        (r"replac", r"overwrit", r"instead of (being )?(moved|updated|added)", r"w ?- ?lr ?(\*|·) ?dw", r"from the current w"),
    ),
    Mistake(
        "mse_gradient",
        '''
def mse_gradient(X, w, b, t):
    r = X @ w + b - t
    return 2 * (X.T @ r), 2 * float(np.sum(r))
''',
        "the manual gradient np.dot(2*x, y_pred - y).mean() is a sum: the 1/N is lost",
        "https://github.com/patrickloeber/pytorchTutorial/pull/10",
        (r"1/m is missing", r"sum instead of (a |the )?mean"),
    ),
]
MISTAKES += [
    Mistake(
        "gradient_descent",
        '''
def gradient_descent(X, t, lr, steps):
    w = np.zeros(X.shape[1])
    b = 0.0
    losses = []
    for _ in range(steps):
        dw, db = mse_gradient(X, w, b, t)
        w = w - lr * dw
        b = b - lr * db
        losses.append(mse(predict(X, w, b), t))
    return w, b, losses
''',
        "grad_desc computes the cost after updating w and b, so the recorded costs are shifted by one step",
        "https://kishan-ved.github.io/Blogs/posts/mlalgos/gradient_descent_from_scratch.html",
        (r"after the update", r"before (each|the) update"),
    ),
    Mistake(
        "gradient_descent",
        '''
def gradient_descent(X, t, lr, steps):
    w = np.zeros(X.shape[1])
    b = 0.0
    losses = []
    for _ in range(steps):
        losses.append(mse(predict(X, w, b), t))
        for i in range(len(t)):                      # updated sample by sample inside one step
            dw, db = mse_gradient(X[i:i + 1], w, b, t[i:i + 1])
            w = w - lr * dw
            b = b - lr * db
    return w, b, losses
''',
        "the vectors are updated in the same loop that computes the gradients, one example at a time",
        "https://github.com/hans/glove.py/issues/6",
        (r"full[- ]batch", r"(each|every|per) sample", r"one update per step", r"whole (data ?set|batch)"),
    ),
    Mistake(
        "mse_gradient",
        '''
def mse_gradient(X, w, b, t):
    m = X.shape[0]
    r = (X @ w + b).reshape(-1, 1) - t
    return 2.0 / m * (X.T @ r).sum(axis=1), 2.0 / m * float(np.sum(r))
''',
        "MSELoss between shapes (N, 1) and (N) silently broadcasts and gives a different value",
        "https://github.com/pytorch/pytorch/issues/19699",
        (r"broadcast", r"\(m, ?m\)", r"\(m, ?1\)"),
    ),
]
MISTAKES += [
    Mistake(
        "predict",
        '''
def predict(X, w, b):
    return X @ w
''',
        "training prepends the column of ones for the bias, but predicting does not: the intercept is left out",
        "https://github.com/alirezadir/AIMLInterviews/pull/18",
        (r"bias",),
    ),
]
MISTAKES += [
    Mistake(
        "mse",
        '''
def mse(y, t):
    return float(np.sqrt(np.mean((y - t) ** 2)))
''',
        "the square root of the mean squared error is taken, which is the RMSE, not the MSE",
        "https://github.com/chiphuyen/python-is-cool/issues/7",
        (r"rmse", r"square root"),
    ),
    Mistake(
        "mse",
        '''
def mse(y, t):
    return float(np.sqrt(np.sum((y - t) ** 2)))
''',
        "the cost is the root of the summed square error: never divided by n",
        "https://github.com/pybop-team/PyBOP/issues/106",
        (r"rmse", r"square root", r"1/m"),
    ),
    Mistake(
        "mse",
        '''
def mse(y, t):
    return float(np.mean(np.sqrt((y - t) ** 2)))
''',
        "the root is taken before the mean, which turns the squared loss into a mean absolute error",
        "https://github.com/accord-net/framework/issues/2034",
        (r"\|y ?- ?t\|", r"absolute", r"square root"),
    ),
]
