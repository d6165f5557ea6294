"""The exercises in JupyterLab: every one opens and runs; one is solved through the UI.

Every exercises/*.ipynb: Run All must finish with no error outside the stub
cells (tagged ``raises-exception``: they raise NotImplementedError until the
learner writes the code).

exercises/ex01_linear_regression.ipynb: Run All (the stubs raise, as they
should), type a correct ``predict`` into its stub cell, run it and the
``check(predict)`` cell under it and read the pass message; then type a
known mistake (the bias left out) and read feedback that names it. The texts
asserted on are the grading module's contract for this exercise.
"""

import pytest

from tests.browser import lab

pytestmark = pytest.mark.browser

EXERCISE = "ex01_linear_regression.ipynb"

CORRECT = '''def predict(X, w, b):
    """Linear prediction y = X w + b; X: (m, n), w: (n,), b: float -> (m,)."""
    return X @ w + b
'''
FORGOT_BIAS = '''def predict(X, w, b):
    """Linear prediction y = X w + b; X: (m, n), w: (n,), b: float -> (m,)."""
    return X @ w
'''
NOT_DONE = "predict: not done yet"
PASSED = "✓ predict: all checks passed"
FORGOT_BIAS_FEEDBACK = "you forgot the bias b"

# ex01 is run untouched at the start of the end-to-end test below.
EXERCISES = sorted(p.name for p in (lab.course_source() / "exercises").glob("*.ipynb") if p.name != EXERCISE)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", EXERCISES)
def test_exercise_runs_untouched(page, lab_server, artifacts, name):
    lab.open_notebook(page, lab_server, f"exercises/{name}")
    s = lab.run_all(page)
    problems = lab.problems(s)
    lab.save_page(page, name.removesuffix(".ipynb"), artifacts)
    problems += [f"page error: {e}" for e in page.page_errors]
    assert not problems, f"{name}:\n" + "\n\n".join(problems)


@pytest.fixture
def exercise_path():
    if not (lab.course_source() / "exercises" / EXERCISE).is_file():
        pytest.skip(f"exercises/{EXERCISE} does not exist yet")
    return f"exercises/{EXERCISE}"


def _solve(page, stub, check, code):
    typed = lab.replace_cell_source(page, stub, code)
    assert typed.strip() == code.strip(), f"the editor holds something else than was typed:\n{typed}"
    lab.run_cell(page, stub)
    lab.run_cell(page, check)
    return lab.cell_output_text(page, check)


@pytest.mark.timeout(300)
def test_exercise_feedback_in_the_notebook(page, lab_server, artifacts, exercise_path):
    lab.open_notebook(page, lab_server, exercise_path)
    s = lab.run_all(page)
    problems = lab.problems(s)
    assert not problems, "\n\n".join(problems)

    stub = lab.cell_index(s, r"def predict\(")
    assert stub is not None, "no cell defines predict(X, w, b)"
    check = lab.cell_index(s, r"check\(predict\)", start=stub + 1)
    assert check is not None, "no check(predict) cell after the predict stub"
    assert NOT_DONE in lab.cell_output_text(page, check)

    text = _solve(page, stub, check, CORRECT)
    assert PASSED in text, f"a correct predict got:\n{text}"

    text = _solve(page, stub, check, FORGOT_BIAS)
    assert PASSED not in text, f"predict without the bias passed:\n{text}"
    assert FORGOT_BIAS_FEEDBACK in text, f"the feedback does not name the missing bias:\n{text}"

    lab.save_page(page, "ex01_linear_regression-forgot-bias", artifacts)
    assert not page.page_errors, page.page_errors
