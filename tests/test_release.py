"""The class edition (``make release``): no answers in it, and the same verdicts as the full edition.

- Verdicts: every solution, every untouched exercise, every injected mutant of tests/test_grading.py
  (ex06's: tests/test_grading_ex06.py) and every entry of the real-mistake catalogue is checked by both editions (each in its own
  process, the class edition from its built folder); every check's verdict, points and feedback
  must be the same.
- Leaks: no solution line and no reference or mistake function (its source, its distinctive
  expressions, its compiled form) is anywhere in the class edition.
- The instructor's grader grades a notebook made from the class edition's exercises, solved: full marks.
"""

import ast
import importlib
import io
import json
import os
import re
import subprocess
import sys
import textwrap
import tokenize
from pathlib import Path

import nbformat
import pytest

from mlp_lib.grading import EXERCISES as TABLE

pytestmark = [
    pytest.mark.slow,  # builds the class edition (about a minute), then grades in two editions
    pytest.mark.skipif(sys.version_info < (3, 11), reason="make release needs Python 3.11+ on the instructor's"
                       " machine (it reads lambdas' column positions)"),
]

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = list(TABLE)


def _env(*paths):
    return dict(os.environ, PYTHONPATH=os.pathsep.join(str(p) for p in paths), MPLBACKEND="Agg")


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    dest = tmp_path_factory.mktemp("class-edition") / "course"
    out = subprocess.run([sys.executable, "-m", "mlp_lib.release", str(dest)], cwd=ROOT, env=_env(ROOT),
                         capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    return dest


# ---------------------------------------------------------------- what it contains


def test_release_contains_the_course_and_no_answers(release):
    names = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()}
    assert {f"chapters/{p.name}" for p in (ROOT / "chapters").glob("*.ipynb")} <= names
    assert {f"exercises/{p.name}" for p in (ROOT / "exercises").glob("*.ipynb")} <= names
    assert "mlp_lib/__init__.py" in names and "mlp_lib/grading/_release_data.json" in names
    assert not [n for n in names if n.startswith("solutions/")]
    assert not [n for n in names if n.endswith((".pyc", ".pyo")) or "__pycache__" in n]
    assert "mlp_lib/grade.py" not in names and "mlp_lib/release.py" not in names
    size = sum((release / n).stat().st_size for n in names if n.startswith("mlp_lib/grading/_release_data"))
    assert size < 800_000, f"the recorded answers take {size} bytes"


# ---------------------------------------------------------------- same verdicts


def _stub_code(exercise):
    """The untouched exercise notebook's graded cells (the stubs), as one source."""
    nb = nbformat.read(ROOT / "exercises" / f"{TABLE[exercise][0]}.ipynb", as_version=4)
    return "\n\n".join(c.source for c in nb.cells
                       if c.metadata.get("mlp_course", {}).get("role") == "solution")


def _mutants(exercise):
    """The injected mutants of the grading tests: tests/test_grading.py, ex06's in its own file."""
    module = "tests.test_grading_ex06" if exercise == "ex06" else "tests.test_grading"
    return importlib.import_module(module)


def _jobs(exercise):
    from tests.real_mistakes import catalogue

    names = TABLE[exercise][1]
    jobs = [("solution", exercise, n, "") for n in names]
    jobs += [("exercise", exercise, n, _stub_code(exercise)) for n in names]
    jobs += [("mutant", exercise, n, src) for n, src, _ in _mutants(exercise).MUTANTS if n in names]
    jobs += [("mistake", ex, m.function, m.code) for ex, _, m in catalogue() if ex == exercise]
    return jobs


def run_jobs(jobs):
    """Every job's CheckResults as data, in this process's edition of mlp_lib (run by _verdicts)."""
    import mlp_lib
    from mlp_lib.grading import run_checks
    from tests import real_mistakes

    out = [mlp_lib.__file__]
    for kind, exercise, function, code in jobs:
        ns = _mutants(exercise).namespace(code) if kind == "mutant" else real_mistakes.namespace(exercise, code)
        out.append([[r.name, r.passed, r.points, r.feedback] for r in run_checks(ns[function], function)])
    return out


def _verdicts(jobs, *paths):
    code = ("import json, sys; from tests.test_release import run_jobs;"
            " print(json.dumps(run_jobs(json.load(sys.stdin))))")
    # -P: the working folder does not come first on sys.path; the first of ``paths`` does
    out = subprocess.run([sys.executable, "-P", "-c", code], input=json.dumps(jobs), cwd=ROOT, env=_env(*paths),
                         capture_output=True, text=True, timeout=3000)
    assert out.returncode == 0, out.stderr[-3000:]
    where, *results = json.loads(out.stdout.strip().splitlines()[-1])
    assert Path(where).is_relative_to(paths[0]), where
    return results


RULED_OUT = re.compile(r"\nRuled out: your helpers \(([^)]*)\); with the reference helpers in their place it still"
                       r" fails, so the mistake is in `(\w+)` itself\.")


def _as_the_class_edition_says_it(result):
    """The one documented difference (README): the full edition re-runs a learner's failing `train` with the
    reference helpers and may rule them out; the class edition cannot when that run calls the helpers (their
    answers inside the learner's own training run are not recorded), and says so instead of a verdict it has
    no evidence for. (A `train` not done yet calls no helper: both editions rule them out.)"""
    def cannot(m):
        return (f"\nNot attributed: the class edition cannot re-run your `{m[2]}` with the reference helpers"
                f" ({m[1]}) in place of yours, so it cannot tell whether the mistake is in `{m[2]}` or in a"
                " helper (see their own checks); the instructor's grader can.")
    return [[name, passed, points, RULED_OUT.sub(cannot, feedback)] for name, passed, points, feedback in result]


@pytest.mark.parametrize("exercise", EXERCISES)
def test_both_editions_give_the_same_verdicts(release, exercise):
    jobs = _jobs(exercise)
    full = _verdicts(jobs, ROOT)
    cls = _verdicts(jobs, release, ROOT)
    differ = []
    for job, a, b in zip(jobs, full, cls):
        if b not in (a, _as_the_class_edition_says_it(a)):
            differ.append(f"{job[0]} {job[2]}:\n{textwrap.indent(job[3], '    ')}\n  full:  {a}\n  class: {b}")
    assert not differ, f"{len(differ)} of {len(jobs)} differ:\n" + "\n".join(differ[:5])
    assert any(not all(c[1] for c in r) for r in full)       # the jobs hold wrong answers
    assert any(all(c[1] for c in r) for r in full)           # and right ones


WRONG_HELPER = """
def momentum_step(param, grad, velocity, lr, beta):
    velocity = beta * velocity + lr * grad
    return param + velocity, velocity
"""


def test_the_class_edition_does_not_rule_out_helpers_it_cannot_run(release):
    """A learner's `train` whose helper is wrong: the full edition finds the helper; the class edition
    cannot re-run `train` with the reference helpers, says so, and claims nothing about the helpers."""
    jobs = [("mistake", "ex05", "momentum_step", WRONG_HELPER), ("mistake", "ex05", "train", WRONG_HELPER)]
    (full_helper, full_train), (cls_helper, cls_train) = _verdicts(jobs, ROOT), _verdicts(jobs, release, ROOT)
    assert full_helper == cls_helper and not all(c[1] for c in cls_helper)   # the helper's own check fails
    full_text = "\n".join(c[3] for c in full_train)
    assert all(c[1] for c in full_train) and "your helper `momentum_step`" in full_text, full_text
    text = "\n".join(c[3] for c in cls_train)
    assert not all(c[1] for c in cls_train), text
    assert "Ruled out" not in text and "Not attributed" in text and "the instructor's grader can" in text, text
    assert "momentum_step" in text, text


# ---------------------------------------------------------------- no answers in it


def _release_text(release):
    out = {}
    for p in release.rglob("*"):
        if p.is_file():
            out[p.relative_to(release).as_posix()] = p.read_bytes().decode("utf-8", "replace")
    return out


def _public_text():
    """What both editions show anyway: the chapters, the exercises, mlp_lib outside the answer key."""
    parts = [p.read_text() for p in (ROOT / "chapters").glob("*.ipynb")]
    parts += [p.read_text() for p in (ROOT / "exercises").glob("*.ipynb")]
    key = set(_answer_key())
    parts += [p.read_text() for p in (ROOT / "mlp_lib").rglob("*.py") if p not in key]
    return _squash("\n".join(parts))


def _code_and_strings(name, body):
    """A release file as (its code without string literals, its string literals); data files are all code."""
    if not name.endswith(".py"):
        return body, ""
    code, strings = [], []
    for tok in tokenize.generate_tokens(io.StringIO(body).readline):
        (strings if tok.type == tokenize.STRING else code).append(tok.string)
    return " ".join(code), "\n".join(strings)


FEEDBACK_FORMULAS = {
    "dW2 = H.T @ delta2": "ex03's feedback to a learner whose dW2 is built from X (the wrong layer's input)",
    "a = np.asarray(a, dtype=float)": "the framework's hint for an in-place cast into an integer array",
}
"""Solution lines that the feedback states as the fix (string literals, shown in both editions)."""


def _squash(text):
    return re.sub(r"\s+", "", text.replace("\\n", "\n").replace('\\"', '"'))


def _solution_lines():
    out = set()
    for nb_path in (ROOT / "solutions").glob("*.ipynb"):
        nb = nbformat.read(nb_path, as_version=4)
        for cell in nb.cells:
            inside = False
            for line in cell.source.split("\n"):
                s = line.strip()
                if s in ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS"):
                    inside = True
                elif s in ("### END SOLUTION", "### END HIDDEN TESTS"):
                    inside = False
                elif inside:
                    code = s.split("#")[0].strip()
                    if len(re.sub(r"\s", "", code)) >= 12:   # non-trivial: not `return H, Y`, `m = len(X)`
                        out.add(code)
    return sorted(out)


def _answer_key():
    """The full edition's answer-key modules: each exercise's checks and the modules they import for it."""
    def imports(path):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mlp_lib.grading."):
                yield ROOT / (node.module.replace(".", "/") + ".py")

    framework, todo = set(), [ROOT / "mlp_lib/grading" / f for f in ("__init__.py", "_framework.py",
                                                                       "_data_checks.py")]
    while todo:   # the framework: what check() needs whatever the exercise
        path = todo.pop()
        if path not in framework and path.exists():
            framework.add(path)
            todo += list(imports(path))
    paths = {}
    for ex in TABLE:
        path = ROOT / "mlp_lib" / "grading" / f"{ex}.py"
        for p in [path, *imports(path)]:
            if p not in framework:
                paths[p] = ast.parse(p.read_text())
    return paths


def _answer_functions():
    """Every reference and known-mistake function of the full edition: [(where, AST node)].

    Found in the source, independently of the builder: the lambdas that are values of a mistakes
    table ({cause: function}) or the reference argument of graded(...), every module-level function they
    call, the references' helpers, and every function of the modules the checks import for their maths.
    """
    out = []
    for path, tree in _answer_key().items():
        defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
        found = []
        if not path.stem.startswith("ex"):
            found += list(defs.values())
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                found += [v for v in node.values if isinstance(v, ast.Lambda)]
            if isinstance(node, ast.DictComp) and isinstance(node.value, ast.Lambda):
                found.append(node.value)
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "graded" and len(node.args) >= 5:
                ref = node.args[4]
                found += [ref] if isinstance(ref, ast.Lambda) else [defs[ref.id]] if getattr(ref, "id", "") in defs \
                    else []
        seen = set()
        while found:
            node = found.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            out.append((f"{path.stem}:{node.lineno}", node))
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and sub.id in defs and sub.id not in ("graded", "need_array"):
                    found.append(defs[sub.id])
    return out


def _distinctive(node):
    """The expressions of a function's body that compute something (sums, products, calls)."""
    body = [node.body] if isinstance(node, ast.Lambda) else node.body
    out = []
    for stmt in body:
        for sub in ast.walk(stmt):
            if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and all(
                    isinstance(a, ast.Name) for a in sub.args) and not sub.keywords:
                continue   # f(a, b): a call passing its arguments on reads like any def line
            if isinstance(sub, (ast.BinOp, ast.Call)):
                text = ast.unparse(sub)
                if len(re.sub(r"\s", "", text)) >= 14 and not text.startswith(("Mismatch(", "need_")):
                    out.append(text)
    return out


def test_no_solution_line_is_in_the_release(release):
    text = _release_text(release)
    public = _public_text()
    lines = _solution_lines()
    assert len(lines) > 60
    split = {name: [_squash(part) for part in _code_and_strings(name, body)] for name, body in text.items()}
    leaked, told = [], set()
    for line in lines:
        key = _squash(line)
        if key in public:      # the chapters teach it, or the exercise's instructions give it
            continue
        leaked += [f"{line!r} in the code of {name}" for name, (code, _) in split.items() if key in code]
        if any(key in strings for _, strings in split.values()):
            told.add(line)
    assert not leaked, "\n".join(leaked)
    assert told <= set(FEEDBACK_FORMULAS), f"feedback states solution lines: {told - set(FEEDBACK_FORMULAS)}"


def test_no_reference_body_is_in_the_release(release):
    """In the code; feedback (string literals) may name the right formula, as it does in both editions."""
    text = {n: _squash(_code_and_strings(n, t)[0]) for n, t in _release_text(release).items()}
    public = _public_text()
    funcs = _answer_functions()
    assert len(funcs) > 100
    checked, leaked = 0, []
    for name, node in funcs:
        for expr in _distinctive(node):
            key = _squash(expr)
            if key in public:
                continue
            checked += 1
            where = [n for n, body in text.items() if key in body]
            if where:
                leaked.append(f"{name}: {expr!r} in {where}")
    assert checked > 100
    assert not leaked, "\n".join(leaked[:20])


def _code_objects(code):
    yield code
    for c in code.co_consts:
        if hasattr(c, "co_code"):
            yield from _code_objects(c)


def test_no_compiled_reference_is_in_the_release(release):
    """No .pyc, and no code object of the release computes what a reference or a mistake computes."""
    assert not list(release.rglob("*.pyc"))
    ours = set()
    for p in (release / "mlp_lib").rglob("*.py"):
        ours |= {(c.co_code, c.co_names) for c in _code_objects(compile(p.read_text(), str(p), "exec"))}
    found, n = [], 0
    for name, node in _answer_functions():
        module = ast.fix_missing_locations(ast.Module(
            body=[node if isinstance(node, ast.FunctionDef) else ast.Expr(node)], type_ignores=[]))
        for c in list(_code_objects(compile(module, name, "exec")))[1:2]:
            if len(c.co_names) >= 2 or len(c.co_code) > 40:
                n += 1
                if (c.co_code, c.co_names) in ours:
                    found.append(name)
    assert n > 60
    assert not found, found


# ---------------------------------------------------------------- the instructor's grader


def test_the_full_grader_gives_full_marks_to_a_solved_release_notebook(release, tmp_path):
    """A notebook from the class edition's exercises, solved, graded by the instructor's grader."""
    solved = nbformat.read(ROOT / "solutions" / "ex01_linear_regression.ipynb", as_version=4)
    nb = nbformat.read(release / "exercises" / "ex01_linear_regression.ipynb", as_version=4)
    answers = [c.source for c in solved.cells if c.metadata.get("mlp_course", {}).get("role") == "solution"]
    stubs = [c for c in nb.cells if c.metadata.get("mlp_course", {}).get("role") == "solution"]
    assert len(answers) == len(stubs) and all("NotImplementedError" in c.source for c in stubs)
    for cell, src in zip(stubs, answers):
        cell.source = src
    path = tmp_path / "learner.ipynb"
    nbformat.write(nb, path)
    out = subprocess.run([sys.executable, "-m", "mlp_lib.grade", str(path), "--json"], cwd=tmp_path,
                         env=_env(ROOT), capture_output=True, text=True, timeout=600)
    doc = json.loads(out.stdout)
    row = doc["submissions"][0]
    assert row["error"] is None and row["score"] == row["max_score"] > 0, row
