"""Diagnostic checks for the exercises, shared by the notebooks and the command-line grader.

In an exercise notebook:

    from mlp_lib.grading import check, score_table
    check(predict)     # prints "✓ predict: all checks passed (3/3)" or what is wrong
    score_table()      # every graded function of this notebook, with points

``check`` knows the exercise from the function's name. Each function is run
on random cases (not only the visible example; fixed seeds here, fresh ones
from the grader's seed): shapes first, then values, then properties (inputs
unchanged, no warnings at extreme inputs). Shape and property checks earn
their points only once the values are right. Where a wrong answer matches
a known mistake, or a general one (a factor m, a flipped sign, a log base 2,
an integer array, a wrong helper), the feedback names its cause.

The command-line grader (``python -m mlp_lib.grade``) runs the very same
checks, but from its own process: see ``mlp_lib.grade``.
"""

import importlib

EXERCISES = {
    "ex01": ("ex01_linear_regression",
             ["predict", "mse", "mse_gradient", "gradient_descent"]),
    "ex02": ("ex02_logistic_regression",
             ["sigmoid", "binary_cross_entropy", "logistic_gradient", "softmax", "softmax_gradient"]),
    "ex03": ("ex03_backprop_one_hidden", ["sigmoid_derivative", "forward", "backward"]),
    "ex04": ("ex04_deep_backprop",
             ["output_delta", "hidden_delta", "layer_gradients", "backprop", "numerical_gradient"]),
    "ex05": ("ex05_training",
             ["iterate_minibatches", "xavier_init", "he_init", "momentum_step", "train"]),
    "ex06": ("ex06_autodiff",
             ["unbroadcast", "matmul_backward", "sigmoid_backward", "log_backward", "sum_backward",
              "mean_backward", "topological_order", "backward_pass"]),
}
"""Exercise id -> (notebook stem, graded function names in order)."""

FUNCTION_TO_EXERCISE = {f: ex for ex, (_, names) in EXERCISES.items() for f in names}

_loaded = {}


def specs(exercise):
    """The FunctionSpecs of an exercise id ("ex01" ... "ex06"), in notebook order."""
    if exercise not in EXERCISES:
        raise ValueError(f"unknown exercise {exercise!r}; valid ids are: {', '.join(EXERCISES)}")
    if exercise not in _loaded:
        module = importlib.import_module(f"mlp_lib.grading.{exercise}")
        _loaded[exercise] = {spec.name: spec for spec in module.FUNCTIONS}
    return _loaded[exercise]


def spec_for(name):
    """The FunctionSpec of a graded function name, or None."""
    exercise = FUNCTION_TO_EXERCISE.get(name)
    return specs(exercise)[name] if exercise else None


def max_score(exercise):
    return sum(c.points for s in specs(exercise).values() for c in s.checks)


def run_checks(func, name=None, timeout=60.0, seed=None):
    """Grade a function object in this process; return a list of CheckResult.

    seed: None for the fixed cases of check(); an int draws fresh cases from it.
    """
    from mlp_lib.grading._framework import LocalRunner, grade_function

    name = name or getattr(func, "__name__", None)
    spec = spec_for(name)
    if spec is None:
        raise ValueError(
            f"no exercise has a function called {name!r}; graded functions are: "
            + ", ".join(sorted(FUNCTION_TO_EXERCISE))
        )
    return grade_function(spec, LocalRunner(func, timeout), timeout, seed=seed)


def check(func, name=None):
    """Check one exercise function and print a short verdict.

    func: your function, e.g. ``check(predict)``. name: the exercise name,
    only needed if your function has another name. Never raises for a
    wrong or unfinished answer: the verdict says what is wrong. Returns
    None, so a notebook cell shows only the verdict; ``run_checks`` gives
    the results as data.

    Under nbgrader's autograde (``NBGRADER_EXECUTION=autograde``) a function
    that misses any point raises AssertionError after the verdict, so the
    check cell, an autograded test worth the function's points, scores 0.
    """
    import os

    from mlp_lib.grading._framework import format_verdict

    autograde = os.environ.get("NBGRADER_EXECUTION") == "autograde"
    if not callable(func):
        print(f"✗ check() needs a function, like check(predict); got {type(func).__name__}")
        if autograde:
            raise AssertionError("check() needs a function")
        return None
    results = run_checks(func, name)
    print(format_verdict(name or func.__name__, results))
    if autograde and not all(r.passed and r.points == r.max_points for r in results):
        raise AssertionError(f"{name or func.__name__} does not pass every check")
    return None


def score_table(exercise=None, namespace=None):
    """Print the score of every graded function defined in the notebook (returns None).

    exercise: "ex01" ... "ex06"; by default, the exercise whose functions the
    notebook defines. namespace: where to look for the functions (default:
    the caller's globals, i.e. the notebook).
    """
    import sys

    from mlp_lib.grading._framework import LocalRunner, grade_function

    ns = namespace if namespace is not None else sys._getframe(1).f_globals
    if exercise is None:
        found = [FUNCTION_TO_EXERCISE[k] for k in ns if k in FUNCTION_TO_EXERCISE and callable(ns[k])]
        exercise = max(set(found), key=found.count) if found else "ex01"
    rows = []
    total = top = 0.0
    for name, spec in specs(exercise).items():
        func = ns.get(name)
        if callable(func):
            results = grade_function(spec, LocalRunner(func), None)
        else:
            results = []
        got = sum(r.points for r in results)
        most = sum(c.points for c in spec.checks)
        if not results:
            status = "not defined"
        elif all(r.passed for r in results):
            status = "✓ all checks passed"
        elif results[0].feedback.startswith("not done yet"):
            status = "… not done yet"
        else:
            status = "✗ " + next(r.name for r in results if not r.passed)
        rows.append((name, got, most, status))
        total += got
        top += most
    width = max(len(r[0]) for r in rows)
    print(f"{'function':<{width}}  points  status")
    for name, got, most, status in rows:
        print(f"{name:<{width}}  {got:>2g}/{most:<3g}  {status}")
    print(f"{'total':<{width}}  {total:g}/{top:g}  ({100 * total / top:.0f} %)")
