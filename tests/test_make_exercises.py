"""exercises/ is generated from solutions/: in sync, no solution text leaks, markers handled."""

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from mlp_lib.grading import EXERCISES
from mlp_lib.make_exercises import ExerciseError, make_exercise, strip_regions

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("ex*.ipynb"))


def test_one_solution_and_one_exercise_per_exercise_id():
    stems = {stem for stem, _ in EXERCISES.values()}
    assert {p.stem for p in SOLUTIONS} == stems
    assert {p.stem for p in (ROOT / "exercises").glob("ex*.ipynb")} == stems


def test_committed_exercises_are_in_sync(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "mlp_lib.make_exercises", str(ROOT / "solutions"), str(tmp_path)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    for sol in SOLUTIONS:
        fresh = (tmp_path / sol.name).read_text()
        committed = (ROOT / "exercises" / sol.name).read_text()
        assert fresh == committed, f"exercises/{sol.name} is out of date: run `make exercises`"


def _regions(source, begin, end):
    out, inside = [], False
    for line in source.split("\n"):
        if line.strip() == begin:
            inside = True
        elif line.strip() == end:
            inside = False
        elif inside:
            out.append(line.strip())
    return out


@pytest.mark.parametrize("sol", SOLUTIONS, ids=lambda p: p.stem)
def test_no_solution_text_leaks(sol):
    nb = nbformat.read(sol, as_version=4)
    ex_text = (ROOT / "exercises" / sol.name).read_text()
    ex_nb = nbformat.read(ROOT / "exercises" / sol.name, as_version=4)
    outside = "\n".join(
        "\n".join(ln for ln in c.source.split("\n")) for c in nb.cells
        if "### BEGIN" not in c.source
    )
    secret = []
    for c in nb.cells:
        secret += _regions(c.source, "### BEGIN SOLUTION", "### END SOLUTION")
        secret += _regions(c.source, "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
    secret = [s for s in secret if len(s) > 8 and not s.startswith("#") and s not in outside]
    assert secret, "every solution notebook has solution regions"
    ex_sources = "\n".join(c.source for c in ex_nb.cells)
    for line in secret:
        assert line not in ex_sources, f"solution text leaked into exercises/{sol.name}: {line}"
    assert "BEGIN SOLUTION" not in ex_text and "HIDDEN TESTS" not in ex_text


@pytest.mark.parametrize("sol", SOLUTIONS, ids=lambda p: p.stem)
def test_exercise_structure(sol):
    ex = nbformat.read(ROOT / "exercises" / sol.name, as_version=4)
    assert ex.metadata["mlp_course"]["exercise"] == sol.stem[:4]
    assert "widgets" not in ex.metadata
    graded = EXERCISES[sol.stem[:4]][1]
    code = [c for c in ex.cells if c.cell_type == "code"]
    assert code[0].source.startswith("%matplotlib inline")
    for c in code:
        assert c.outputs == [] and c.execution_count is None
    stubs = [c for c in code if "NotImplementedError(\"Exercise:" in c.source]
    defined = {re.search(r"def (\w+)\(", c.source).group(1) for c in stubs}
    assert set(graded) <= defined
    for c in ex.cells:
        role = c.metadata.get("mlp_course", {}).get("role")
        if c.cell_type == "markdown" or role in ("check", "setup"):
            assert c.metadata.get("editable") is False and c.metadata.get("deletable") is False
        if role == "solution":
            assert "editable" not in c.metadata
    # every graded function's stub is directly followed by its check cell
    for i, c in enumerate(ex.cells):
        m = re.search(r"^def (\w+)\(", c.source, re.M)
        if m and m.group(1) in graded:
            assert ex.cells[i + 1].source.startswith(f"check({m.group(1)})")
    # cells that call a graded function raise until it is solved, and are tagged for nbval
    for c in code:
        role = c.metadata.get("mlp_course", {}).get("role")
        calls = any(re.search(rf"\b{f}\s*\(", c.source) for f in graded)
        if role in ("demo", "plot") and calls:
            assert "raises-exception" in c.metadata.get("tags", [])


def test_ex01_stub_then_check_cell_for_the_browser_test():
    ex = nbformat.read(ROOT / "exercises" / "ex01_linear_regression.ipynb", as_version=4)
    i = next(i for i, c in enumerate(ex.cells) if c.source.startswith("def predict("))
    assert 'raise NotImplementedError("Exercise: implement predict(X, w, b)")' in ex.cells[i].source
    assert ex.cells[i + 1].source == "check(predict)"


def test_strip_regions_keeps_indentation_and_names_the_function():
    src = "def f(x, y):\n    \"\"\"Doc.\"\"\"\n    ### BEGIN SOLUTION\n    return x + y\n    ### END SOLUTION\n"
    out, names = strip_regions(src)
    assert out == 'def f(x, y):\n    """Doc."""\n    raise NotImplementedError("Exercise: implement f(x, y)")'
    assert names == ["f"]
    out, _ = strip_regions("check(f)\n### BEGIN HIDDEN TESTS\nassert f(1, 2) == 3\n### END HIDDEN TESTS")
    assert out == "check(f)"


@pytest.mark.parametrize("bad", [
    "### BEGIN SOLUTION\nx = 1\n",
    "x = 1\n### END SOLUTION\n",
    "### BEGIN HIDDEN TESTS\nassert True\n",
])
def test_unpaired_markers_are_an_error(bad):
    with pytest.raises(ExerciseError):
        strip_regions(bad)


def test_make_exercise_clears_outputs():
    nb = nbformat.read(SOLUTIONS[0], as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="hi")]
    nb.cells[1].execution_count = 3
    out = make_exercise(nb)
    assert out.cells[1].outputs == [] and out.cells[1].execution_count is None
    assert json.loads(nbformat.writes(out))  # still a valid notebook
