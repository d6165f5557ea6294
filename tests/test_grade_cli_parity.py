"""The command-line grader (the learner's code in a sandboxed kernel) gives the feedback check() gives.

Two features of the feedback depend on how a call runs: "blame the right function" runs a failing
function again with the REFERENCE helpers in place of the learner's (sent into the kernel as
source, one way), and "blame the right line" reads the traceback's frames of a learner's
exception (sent back as data). Submissions built from the real-mistake catalogue are graded by
``python -m mlp_lib.grade`` and in this process with the same seed; points, verdicts and the cause
named must agree.

    python -m tests.test_grade_cli_parity [N]   # N catalogue entries across exercises (default 25)
"""

import json
import linecache
import random
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from mlp_lib.grading import _calls
from mlp_lib.grading._framework import CheckResult
from mlp_lib.grading._running import source_of
from tests.real_mistakes import NOTEBOOKS, SOLUTIONS, catalogue, named, namespace, solution_code

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261201


def submission(exercise, code):
    """The solution notebook with ``code`` in a cell at its end (its functions replace the solution's)."""
    nb = nbformat.read(SOLUTIONS / f"{NOTEBOOKS[exercise]}.ipynb", as_version=4)
    cell = nbformat.v4.new_code_cell(code)
    cell.pop("id", None)  # the solutions are nbformat 4.4, whose cells carry no id
    nb.cells.append(cell)
    return nb


def grade_cli(entries, folder, seed=SEED, jobs=1):
    """{file name: [CheckResult]} from ``python -m mlp_lib.grade --json`` on one submission per entry."""
    names = {}
    for ex, i, m in entries:
        name = f"{ex}-{i:02d}.ipynb"
        nbformat.write(submission(ex, m.code), folder / name)
        names[name] = (ex, i, m)
    proc = subprocess.run([sys.executable, "-m", "mlp_lib.grade", "--json", "--seed", str(seed),
                           "--jobs", str(jobs), str(folder)], cwd=ROOT, capture_output=True, text=True,
                          timeout=1800)
    doc = json.loads(proc.stdout)
    out = {}
    for s in doc["submissions"]:
        assert not s["error"], s
        out[Path(s["notebook"]).name] = [CheckResult(**c) for c in s["checks"]]
    return out


def grade_here(exercise, code, seed=SEED):
    """[CheckResult] of every function of ``exercise``, graded in this process with the CLI's seed."""
    from mlp_lib.grading import specs
    from mlp_lib.grading._framework import LocalRunner, grade_function

    src = solution_code(exercise)  # its lines quoted in tracebacks, as a notebook's are
    linecache.cache[f"<solution-{exercise}>"] = (len(src), None, src.splitlines(True), f"<solution-{exercise}>")
    ns = namespace(exercise, code)
    out = []
    for name, spec in specs(exercise).items():
        out += grade_function(spec, LocalRunner(ns[name]), seed=seed)
    return out


def differences(cli, here):
    """What differs between two gradings of one submission: points, verdict, or feedback, per check."""
    diffs = []
    for a, b in zip(cli, here):
        if (a.function, a.name) != (b.function, b.name):
            return [f"different checks: {a.function}/{a.name} vs {b.function}/{b.name}"]
        if a.passed != b.passed or abs(a.points - b.points) > 1e-9:
            diffs.append(f"{a.function} / {a.name}: CLI {a.points:g} ({a.feedback[:300]!r})"
                         f" vs in-process {b.points:g} ({b.feedback[:300]!r})")
        elif a.feedback != b.feedback:
            diffs.append(f"{a.function} / {a.name} feedback: CLI {a.feedback[:400]!r}"
                         f" vs in-process {b.feedback[:400]!r}")
    if len(cli) != len(here):
        diffs.append(f"{len(cli)} checks vs {len(here)}")
    return diffs


def _entries(predicate):
    return [e for e in catalogue() if predicate(*e)]


# entries whose bug lives in a helper that backprop (ex03, ex04) or train (ex05) calls, and one whose
# exception's traceback passes through the learner's correct code (a helper called with a wrong argument)
PARITY = _entries(lambda ex, i, m: (ex, i) in {("ex03", 0), ("ex04", 2), ("ex04", 7), ("ex04", 13), ("ex05", 8)})


@pytest.mark.slow
def test_the_cli_names_the_cause_and_gives_the_points_that_check_gives(tmp_path):
    from mlp_lib.grading import specs

    assert len(PARITY) == 5
    cli = grade_cli(PARITY, tmp_path, jobs=2)
    for ex, i, m in PARITY:
        here = grade_here(ex, m.code)
        there = cli[f"{ex}-{i:02d}.ipynb"]
        assert not differences(there, here), (m.bug, differences(there, here))
        assert named(ex, m, [r for r in there if r.function == m.function]), (m.bug, there)
        for name, spec in specs(ex).items():
            if m.function not in spec.helpers:
                continue
            rows = [r for r in there if r.function == name]
            for c, r in zip(spec.checks, rows):
                # the helper is blamed, and its caller earns the points it earns with a correct helper
                assert c.role != "values" or (r.passed and f"`{m.function}`" in r.feedback), r.feedback
        if ex == "ex04" and i == 13:  # the line that passed the wrong argument is named
            assert any("called from the line" in r.feedback for r in there), [r.feedback for r in there]


def test_every_reference_helper_is_rebuilt_from_its_source_alone():
    # what the kernel does with the grader's reference helpers: no mlp_lib in the names it runs with
    from mlp_lib.grading import EXERCISES, spec_for

    helpers = {h for _, names in EXERCISES.values() for n in names for h in spec_for(n).helpers}
    assert helpers
    for h in sorted(helpers):
        spec = spec_for(h)
        sent = json.loads(json.dumps(source_of(spec.reference, h)))
        assert "mlp_lib" not in sent["src"], h
        built = _calls.build_function(sent)
        for call in spec.checks[0].make_calls(7):
            want, got = call.apply(spec.reference), call.apply(built)
            if call.post == "materialize":
                want, got = list(want), list(got)
            assert _same(want, got), h


def _same(a, b):
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return np.allclose(a, b, equal_nan=True)


def test_a_replacement_lasts_one_batch_and_the_learners_helper_comes_back(tmp_path):
    ns = {"np": np}
    exec("def helper(x):\n    return x + 1.0\n\ndef f(x):\n    return helper(x)\n", ns)
    helper = ns["helper"]
    request = {"function": "f", "calls": [{"key": "c0", "args": [_calls.encode(np.ones(2))]}],
               "replace": {"helper": source_of(lambda x: x * 10.0, "helper")}}
    (tmp_path / "req.json").write_text(json.dumps(request))
    _calls.run_request(str(tmp_path / "req.json"), str(tmp_path / "resp.json"), ns)
    got = json.loads((tmp_path / "resp.json").read_text())["results"][0]
    assert _calls.decode(got["value"]).tolist() == [10.0, 10.0]
    assert ns["helper"] is helper


def test_frames_come_back_as_capped_data():
    from mlp_lib.grading._kernel import sanitize
    from mlp_lib.grading._running import Call

    def inner(x):
        return x @ np.ones((3, 3))

    def outer(x):
        return inner(x[:, :2])

    res = _calls.execute_batch(outer, [{"key": "c0", "args": [_calls.encode(np.ones((2, 3)))]}])[0]
    frames = res["exc"]["frames"]
    assert [f[0] for f in frames] == ["outer", "inner"]
    assert frames[0][2] == "return inner(x[:, :2])"
    clean = sanitize(json.loads(json.dumps(res)), Call("c0", np.ones((2, 3))))
    assert clean["exc"]["frames"] == [tuple(f) for f in frames]
    # hostile frames: wrong types and too many are cut to data of the expected shape
    res["exc"]["frames"] = [["x" * 10_000, "12", None]] * 1000 + [{"a": 1}, 5]
    clean = sanitize(res, Call("c0", np.ones((2, 3))))["exc"]["frames"]
    assert len(clean) <= _calls.MAX_FRAMES
    assert all(len(f[0]) <= 100 and f[1] is None and f[2] == "" for f in clean)


def main(n=25):
    """Grade ``n`` catalogue entries (spread across exercises) through the CLI and in process; print the agreement."""
    import tempfile

    rng = random.Random(SEED)
    entries = catalogue()
    by_ex = {}
    for e in entries:
        by_ex.setdefault(e[0], []).append(e)
    sample = []
    while len(sample) < n and any(by_ex.values()):
        for ex in sorted(by_ex):
            if by_ex[ex] and len(sample) < n:
                sample.append(by_ex[ex].pop(rng.randrange(len(by_ex[ex]))))
    with tempfile.TemporaryDirectory() as folder:
        cli = grade_cli(sample, Path(folder), jobs=2)
    same_points = same_feedback = same_named = 0
    for ex, i, m in sample:
        here = grade_here(ex, m.code)
        there = cli[f"{ex}-{i:02d}.ipynb"]
        diffs = differences(there, here)
        points = not any(" feedback: " not in d for d in diffs)
        same_points += points
        same_feedback += not diffs
        agree = named(ex, m, [r for r in there if r.function == m.function]) == \
            named(ex, m, [r for r in here if r.function == m.function])
        same_named += agree
        for d in diffs:
            print(f"{ex}-{i:02d} {m.function}: {d}")
    print(f"{len(sample)} submissions: same points and verdicts {same_points}/{len(sample)},"
          f" same cause named {same_named}/{len(sample)}, identical feedback {same_feedback}/{len(sample)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 25)
