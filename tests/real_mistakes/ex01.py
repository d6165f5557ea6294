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
