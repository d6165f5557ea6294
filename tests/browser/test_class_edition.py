"""The class edition in JupyterLab: an exercise from ``make release``, solved with a mistake, names it.

The class edition is built into a scratch folder and served by a JupyterLab of
its own, whose kernels import that folder's mlp_lib only (its checks run from
recorded data; no reference code in it). In exercises/ex01_linear_regression.ipynb
a learner types an ``mse_gradient`` without the factor 2/m, runs it and the
``check(mse_gradient)`` cell under it, and reads feedback that names the
mistake. The page is saved to the browser-test artifacts.
"""

import os
import subprocess
import sys

import pytest

from tests.browser import conftest, lab

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EXERCISE = "exercises/ex01_linear_regression.ipynb"
NO_FACTOR = '''def mse_gradient(X, w, b, t):
    """Gradient of the mse of y = X w + b; X: (m, n), w: (n,), b: float, t: (m,) -> (dw (n,), db float)."""
    r = X @ w + b - t
    return X.T @ r, np.sum(r)


import mlp_lib.grading
print("graded by", mlp_lib.grading.__file__)
'''
NAMED = "the 1/m is missing and the factor 2 too"


@pytest.fixture(scope="module")
def class_edition(tmp_path_factory):
    dest = tmp_path_factory.mktemp("class-edition") / "course"
    env = dict(os.environ, PYTHONPATH=str(lab.REPO), MPLBACKEND="Agg")
    out = subprocess.run([sys.executable, "-m", "mlp_lib.release", str(dest)], cwd=lab.REPO, env=env,
                         capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    assert not (dest / "solutions").exists() and (dest / EXERCISE).is_file()
    return dest


@pytest.fixture(scope="module")
def class_server(class_edition, chromium_path, tmp_path_factory):
    server = conftest._start_server(class_edition, tmp_path_factory.mktemp("jupyter-class"),
                                    pythonpath=class_edition)
    yield server
    conftest._stop_server(server)


@pytest.mark.timeout(1200)
def test_a_mistake_is_named_in_the_class_edition(page, class_server, class_edition, artifacts):
    lab.open_notebook(page, class_server, EXERCISE)
    s = lab.run_all(page)
    assert not lab.problems(s), "\n\n".join(lab.problems(s))

    stub = lab.cell_index(s, r"def mse_gradient\(")
    check = lab.cell_index(s, r"check\(mse_gradient\)", start=stub + 1)
    assert stub is not None and check is not None
    assert "mse_gradient: not done yet" in lab.cell_output_text(page, check)

    typed = lab.replace_cell_source(page, stub, NO_FACTOR)
    assert typed.strip() == NO_FACTOR.strip(), typed
    lab.run_cell(page, stub)
    where = lab.cell_output_text(page, stub)
    assert str(class_edition / "mlp_lib" / "grading") in where, f"the kernel's grader is not the release's: {where}"
    lab.run_cell(page, check)
    text = lab.cell_output_text(page, check)
    assert "✗ mse_gradient" in text and NAMED in text, f"the feedback does not name the missing 2/m:\n{text}"

    page.locator(".jp-Notebook .jp-Cell").nth(check).scroll_into_view_if_needed()
    lab.save_page(page, "class-edition-ex01-mse-gradient-without-2-over-m", artifacts)
    assert not page.page_errors, page.page_errors
