"""The command-line grader: solutions 100 %, untouched exercises 0, hostile submissions survived.

Each test runs ``python -m mlp_lib.grade`` once on a whole folder (in parallel
with --jobs 2) and reads its JSON document.
"""

import csv
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow  # every test here starts kernels

ROOT = Path(__file__).resolve().parents[1]
EX01 = ROOT / "solutions" / "ex01_linear_regression.ipynb"


def run_grader(*args, timeout=600):
    proc = subprocess.run([sys.executable, "-m", "mlp_lib.grade", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)
    return proc


def grade_json(*args):
    proc = run_grader(*args, "--json")
    doc = json.loads(proc.stdout)  # exactly one JSON document, nothing else on stdout
    return proc, {Path(s["notebook"]).name: s for s in doc["submissions"]}


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(Path(folder).iterdir())}


def test_every_solution_scores_full_marks():
    proc, subs = grade_json(ROOT / "solutions", "--require-full-marks", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    assert len(subs) == len(list((ROOT / "solutions").glob("*.ipynb")))
    for name, s in subs.items():
        assert s["error"] is None, (name, s["error"])
        assert s["max_score"] > 0 and s["score"] == s["max_score"], (name, s)
        assert set(s) == {"notebook", "exercise", "score", "max_score", "error", "checks",
                          "seed", "isolation", "exercise_mismatch"}
        assert s["isolation"] in ("sandbox", "limits") and isinstance(s["seed"], int)
        assert s["exercise_mismatch"] is False
        for c in s["checks"]:
            assert set(c) == {"function", "name", "passed", "points", "max_points", "feedback"}


def test_every_untouched_exercise_scores_zero(tmp_path):
    gradebook = tmp_path / "gradebook.csv"
    before = digest(ROOT / "exercises")
    proc, subs = grade_json(ROOT / "exercises", "--jobs", "2", "--csv", gradebook)
    assert proc.returncode == 0, proc.stderr
    assert digest(ROOT / "exercises") == before
    assert len(subs) == len(list((ROOT / "exercises").glob("*.ipynb")))
    for name, s in subs.items():
        assert s["score"] == 0 and s["max_score"] > 0, (name, s)
        assert all(not c["passed"] for c in s["checks"])
        assert s["checks"][0]["feedback"].startswith("not done yet")
    rows = list(csv.DictReader(gradebook.open()))
    assert len(rows) == len(subs) and all(float(r["score"]) == 0 for r in rows)


# ---------------------------------------------------------------- hostile and broken submissions

def _nb():
    return nbformat.read(EX01, as_version=4)


def _replace_function(nb, name, source):
    for cell in nb.cells:
        if cell.cell_type == "code" and f"def {name}(" in cell.source:
            cell.source = source
            return nb
    raise AssertionError(name)


def _insert_after_setup(nb, source):
    nb.cells.insert(2, nbformat.v4.new_code_cell(source))
    return nb


def _write(folder, name, nb):
    nb = nbformat.from_dict(nb)
    for c in nb.cells:
        c.pop("id", None)
    nbformat.write(nb, str(folder / name))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    nb = _insert_after_setup(_nb(), "while True:\n    pass")
    _insert_after_setup(nb, "import sys\nsys.exit('bye')")
    _write(folder, "loop_and_exit_cells.ipynb", nb)
    _write(folder, "loop_function.ipynb", _replace_function(
        _nb(), "gradient_descent", "def gradient_descent(X, t, lr, steps):\n    while True:\n        pass"))
    nb = _nb()
    idx = next(i for i, c in enumerate(nb.cells) if "def mse(" in c.source)
    nb.cells.insert(idx + 1, nbformat.v4.new_code_cell("import os\nos._exit(0)"))
    _write(folder, "os_exit_cell.ipynb", nb)
    _write(folder, "os_exit_function.ipynb", _replace_function(
        _nb(), "gradient_descent", "def gradient_descent(X, t, lr, steps):\n    import os\n    os._exit(3)"))
    nb = nbformat.read(ROOT / "exercises" / "ex01_linear_regression.ipynb", as_version=4)
    fake = json.dumps({"submissions": [{"notebook": "x", "exercise": "ex01", "score": 12.0, "max_score": 12.0,
                                        "error": None, "checks": []}]})
    _insert_after_setup(nb, f"import os\nprint({fake!r})\nos.write(1, {fake!r}.encode())\n"
                            "print('✓ predict: all checks passed (3/3)')")
    _write(folder, "forged_output.ipynb", nb)
    nb = _replace_function(_nb(), "predict", "def predict(X, w, b):\n    return X @ w")
    _insert_after_setup(nb, "import mlp_lib.grading as g\nimport mlp_lib.grading._framework as f\n"
                            "f.close = lambda *a, **k: True\ng.run_checks = lambda *a, **k: []\n"
                            "f.grade_function = lambda *a, **k: []\n"
                            "import mlp_lib.grading._calls as c\nc.execute_batch = lambda *a, **k: []")
    _write(folder, "monkeypatch.ipynb", nb)
    nb = _replace_function(_nb(), "predict", "def predict(X, w, b):\n    y = X @ w + b")
    _replace_function(nb, "mse", "def mse(y, t):\n    return 'small'")
    _write(folder, "none_and_strings.ipynb", nb)
    (folder / "corrupt.ipynb").write_text('{"cells": [ this is not json')
    empty = nbformat.v4.new_notebook()
    empty.metadata["mlp_course"] = {"exercise": "ex01"}
    _write(folder, "no_cells.ipynb", empty)
    # a renamed file: an ex01 notebook under an ex05 name is still graded as ex01
    (folder / "ex05_training.ipynb").write_bytes(EX01.read_bytes())
    (folder / "essay.txt").write_text("I did not do the exercise.")
    before = digest(folder)
    proc, subs = grade_json(folder, "--timeout", "5", "--jobs", "2", "--require-full-marks")
    return folder, before, proc, subs


def _score(subs, name):
    s = subs[name]
    by_fn = {}
    for c in s["checks"]:
        by_fn.setdefault(c["function"], []).append(c)
    return s, {f: sum(c["points"] for c in cs) for f, cs in by_fn.items()}, by_fn


def test_originals_unchanged_and_exit_status(hostile):
    folder, before, proc, subs = hostile
    assert digest(folder) == before
    assert proc.returncode == 1  # --require-full-marks: not everyone has full marks
    assert len(subs) == 11


def test_infinite_loop_and_sys_exit_in_cells_are_survived(hostile):
    s, per_fn, _ = _score(hostile[3], "loop_and_exit_cells.ipynb")
    assert s["score"] == s["max_score"]
    assert "did not finish" in s["error"]


def test_infinite_loop_in_a_function_costs_only_that_function(hostile):
    s, per_fn, by_fn = _score(hostile[3], "loop_function.ipynb")
    assert per_fn["gradient_descent"] == 0
    assert "did not finish" in by_fn["gradient_descent"][0]["feedback"]
    assert per_fn["predict"] == per_fn["mse"] == per_fn["mse_gradient"] == 3


def test_os_exit_in_a_cell_restarts_the_kernel(hostile):
    s, _, _ = _score(hostile[3], "os_exit_cell.ipynb")
    assert s["score"] == s["max_score"]
    assert "died" in s["error"]


def test_os_exit_in_a_function_fails_only_that_function(hostile):
    s, per_fn, by_fn = _score(hostile[3], "os_exit_function.ipynb")
    assert per_fn["gradient_descent"] == 0
    assert "kernel died" in by_fn["gradient_descent"][0]["feedback"]
    assert per_fn["predict"] == per_fn["mse"] == per_fn["mse_gradient"] == 3


def test_forged_output_changes_nothing(hostile):
    s, _, _ = _score(hostile[3], "forged_output.ipynb")
    assert s["score"] == 0


def test_monkeypatching_grading_changes_nothing(hostile):
    s, per_fn, by_fn = _score(hostile[3], "monkeypatch.ipynb")
    assert per_fn["predict"] == 0
    assert any("forgot the bias" in c["feedback"] for c in by_fn["predict"])
    assert per_fn["mse"] == 3


def test_none_and_strings(hostile):
    s, per_fn, by_fn = _score(hostile[3], "none_and_strings.ipynb")
    assert per_fn["predict"] == 0 and "None" in by_fn["predict"][0]["feedback"]
    assert per_fn["mse"] == 0 and "string" in by_fn["mse"][0]["feedback"]


def test_corrupt_and_non_notebook_files_get_a_row(hostile):
    subs = hostile[3]
    assert subs["corrupt.ipynb"]["error"].startswith("not a readable notebook")
    assert subs["essay.txt"]["error"].startswith("not a notebook")
    assert subs["corrupt.ipynb"]["score"] == 0


def test_notebook_without_cells(hostile):
    s, per_fn, by_fn = _score(hostile[3], "no_cells.ipynb")
    assert s["score"] == 0 and s["exercise"] == "ex01"
    assert "does not define a function called `predict`" in by_fn["predict"][0]["feedback"]


def test_renamed_file_is_graded_by_metadata(hostile):
    s, _, _ = _score(hostile[3], "ex05_training.ipynb")
    assert s["exercise"] == "ex01" and s["score"] == s["max_score"]


def test_bad_arguments_are_rejected():
    proc = run_grader("no/such/folder")
    assert proc.returncode == 2 and "no such file or folder" in proc.stderr
    for bad in (["--timeout", "0"], ["--notebook-timeout", "-1"], ["--memory", "10"], ["--seed", "-1"],
                ["--exercise", "ex99"], ["--isolation", "none"], ["--jobs", "0"]):
        proc = run_grader(EX01, *bad)
        assert proc.returncode == 2 and proc.stdout == "", (bad, proc.stderr)
