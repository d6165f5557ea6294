"""nbgrader, for real: the solution notebooks carry its cell metadata, and its round trip works.

- ``nbgrader generate_assignment`` on solutions/ in a scratch course folder gives student notebooks
  that match exercises/ in every cell that matters (sources with the solution regions stubbed,
  the hidden tests gone, the course's cell roles), with no solution text in them;
- ``nbgrader autograde`` gives a solution full marks and an untouched exercise 0;
- the points of each check cell are the points the course's grader gives that function.

nbgrader runs in a subprocess: ``python -m nbgrader`` of this environment (requirements-dev), or of
the Python named by the environment variable NBGRADER_PYTHON. Without either, the round trip is skipped
and says so.
"""

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from mlp_lib.grading import EXERCISES, specs

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = {ex: stem for ex, (stem, _) in EXERCISES.items()}


def _nbgrader_python():
    exe = os.environ.get("NBGRADER_PYTHON") or sys.executable
    ok = subprocess.run([exe, "-c", "import nbgrader"], capture_output=True).returncode == 0
    return exe if ok else None


# ---------------------------------------------------------------- the metadata (fast)


def _cells(ex):
    return nbformat.read(ROOT / "solutions" / f"{NOTEBOOKS[ex]}.ipynb", as_version=4).cells


@pytest.mark.parametrize("ex", list(EXERCISES))
def test_solution_cells_carry_nbgrader_metadata(ex):
    ids = []
    points = {name: sum(c.points for c in s.checks) for name, s in specs(ex).items()}
    graded = {}
    for cell in _cells(ex):
        role = cell.metadata.get("mlp_course", {}).get("role")
        nbg = cell.metadata.get("nbgrader")
        if "### BEGIN SOLUTION" in cell.source:
            assert nbg and nbg["solution"] and not nbg["grade"] and not nbg["locked"], cell.source[:80]
        if "### BEGIN HIDDEN TESTS" in cell.source or (role == "check" and cell.source.startswith("check(")):
            assert nbg and nbg["grade"] and nbg["locked"] and not nbg["solution"], cell.source[:80]
            name = re.match(r"check\((\w+)\)", cell.source).group(1)
            graded[name] = nbg["points"]
        if role in ("instructions", "setup") or cell.source.startswith("score_table("):
            assert nbg and nbg["locked"] and not nbg["grade"] and not nbg["solution"], cell.source[:80]
        if nbg:
            assert nbg["schema_version"] == 3
            ids.append(nbg["grade_id"])
    assert len(ids) == len(set(ids)), "grade_ids are unique"
    assert graded == points, "each function's check cell is worth the course grader's points for it"


def test_exercises_carry_the_same_nbgrader_metadata():
    for ex, stem in NOTEBOOKS.items():
        sol = [c.metadata.get("nbgrader") for c in _cells(ex)]
        exe = [c.metadata.get("nbgrader") for c in
               nbformat.read(ROOT / "exercises" / f"{stem}.ipynb", as_version=4).cells]
        assert sol == exe, ex


def test_check_fails_the_cell_only_under_autograde(monkeypatch, capsys):
    from mlp_lib.grading import check

    def predict(X, w, b):
        return X @ w

    check(predict)                                   # prints the verdict, never raises for a learner
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(AssertionError):
        check(predict)

    def predict(X, w, b):  # noqa: F811
        return X @ w + b
    check(predict)
    assert "✓ predict" in capsys.readouterr().out


# ---------------------------------------------------------------- the round trip with real nbgrader (slow)


def _run(py, course, *args, force=True):
    out = subprocess.run([py, "-m", "nbgrader", *args] + (["--force"] if force else []), cwd=course, capture_output=True, text=True,
                         timeout=1200, env=dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg",
                                                PATH=str(Path(py).parent) + os.pathsep + os.environ["PATH"]))
    assert out.returncode == 0, f"nbgrader {' '.join(args)}:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}"
    return out


def _stubbed(source):
    """A cell's source with every stub line made alike (nbgrader's and make_exercises' differ in wording)."""
    lines = [ln for ln in source.split("\n") if ln.strip() != "# YOUR CODE HERE"]
    return "\n".join(re.sub(r"raise NotImplementedError\(.*\)", "raise NotImplementedError()", ln)
                     for ln in lines).rstrip()


def _solution_lines(source):
    inside, out = False, []
    for line in source.split("\n"):
        if line.strip() in ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS"):
            inside = True
        elif line.strip() in ("### END SOLUTION", "### END HIDDEN TESTS"):
            inside = False
        elif inside and len(line.strip()) > 8:
            out.append(line.strip())
    return out


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    py = _nbgrader_python()
    if py is None:
        pytest.skip("nbgrader is not installed here (requirements-dev.txt; or set NBGRADER_PYTHON)")
    course = tmp_path_factory.mktemp("nbgrader-course")
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.root = %r\nc.Execute.timeout = 300\n" % str(course))
    for ex, stem in NOTEBOOKS.items():
        (course / "source" / ex).mkdir(parents=True)
        shutil.copy(ROOT / "solutions" / f"{stem}.ipynb", course / "source" / ex)
        _run(py, course, "generate_assignment", ex)
    return py, course


@pytest.mark.slow
@pytest.mark.parametrize("ex", list(EXERCISES))
def test_generate_assignment_gives_the_exercises(course, ex):
    _, root = course
    stem = NOTEBOOKS[ex]
    student = nbformat.read(root / "release" / ex / f"{stem}.ipynb", as_version=4)
    ours = nbformat.read(ROOT / "exercises" / f"{stem}.ipynb", as_version=4)
    assert len(student.cells) == len(ours.cells)
    for s, o in zip(student.cells, ours.cells):
        assert s.cell_type == o.cell_type
        assert s.metadata.get("mlp_course") == o.metadata.get("mlp_course")
        assert _stubbed(s.source) == _stubbed(o.source), f"{ex}:\n{s.source}\n---\n{o.source}"
    text = json.dumps(student.cells)
    given = json.dumps(ours.cells)   # what the exercise shows anyway (its instructions quote some lines)
    solution = nbformat.read(ROOT / "solutions" / f"{stem}.ipynb", as_version=4)
    for line in {ln for c in solution.cells for ln in _solution_lines(c.source)}:
        if json.dumps(line)[1:-1] not in given:
            assert json.dumps(line)[1:-1] not in text, f"{ex}: solution text {line!r} in the student version"


def _scores(py, root, ex):
    _run(py, root, "export", "--to", str(root / "grades.csv"), force=False)
    with open(root / "grades.csv") as f:
        return {(r["assignment"], r["student_id"]): (float(r["raw_score"]), float(r["max_score"]))
                for r in csv.DictReader(f)}


@pytest.mark.slow
@pytest.mark.parametrize("ex", list(EXERCISES))
def test_autograde_gives_a_solution_full_marks_and_an_untouched_exercise_zero(course, ex):
    py, root = course
    stem = NOTEBOOKS[ex]
    for student, nb in (("solver", ROOT / "solutions" / f"{stem}.ipynb"),
                        ("untouched", root / "release" / ex / f"{stem}.ipynb")):
        (root / "submitted" / student / ex).mkdir(parents=True, exist_ok=True)
        shutil.copy(nb, root / "submitted" / student / ex / f"{stem}.ipynb")
        _run(py, root, "autograde", ex, "--student", student)
    scores = _scores(py, root, ex)
    top = sum(c.points for s in specs(ex).values() for c in s.checks)
    assert scores[(ex, "solver")] == (top, top)
    assert scores[(ex, "untouched")] == (0.0, top)
