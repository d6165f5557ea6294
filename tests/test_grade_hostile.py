"""The grader against hostile and broken submissions: each test is one hole a class folder could use.

Every test runs ``python -m mlp_lib.grade`` as an instructor would and reads
its JSON document or its gradebook. Tests of what only the sandbox prevents
are skipped (and say so) where bubblewrap does not run.
"""

import base64
import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

from mlp_lib.grading._sandbox import sandbox_works

ROOT = Path(__file__).resolve().parents[1]
EX01 = ROOT / "solutions" / "ex01_linear_regression.ipynb"
EX04 = ROOT / "solutions" / "ex04_deep_backprop.ipynb"
EX01_STUB = ROOT / "exercises" / "ex01_linear_regression.ipynb"

needs_sandbox = pytest.mark.skipif(not sandbox_works()[0], reason=f"no sandbox here: {sandbox_works()[1]}")


def grader(*args, cwd=ROOT, timeout=600, preexec_fn=None):
    return subprocess.run([sys.executable, "-m", "mlp_lib.grade", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, preexec_fn=preexec_fn)


def grade_json(*args, **kw):
    proc = grader(*args, "--json", **kw)
    assert proc.stdout.strip(), proc.stderr
    doc = json.loads(proc.stdout)
    return proc, {Path(s["notebook"]).name: s for s in doc["submissions"]}


def points(row):
    out = {}
    for c in row["checks"]:
        out[c["function"]] = out.get(c["function"], 0) + c["points"]
    return out


def nb(path=EX01):
    return nbformat.read(path, as_version=4)


def with_cell(notebook, source, after_setup=True):
    notebook.cells.insert(2 if after_setup else len(notebook.cells), nbformat.v4.new_code_cell(source))
    return notebook


def replace_function(notebook, name, source):
    for cell in notebook.cells:
        if cell.cell_type == "code" and f"def {name}(" in cell.source:
            cell.source = source
            return notebook
    raise AssertionError(name)


def write(folder, name, notebook):
    notebook = nbformat.from_dict(notebook)
    for c in notebook.cells:
        c.pop("id", None)
    path = Path(folder) / name
    nbformat.write(notebook, str(path))
    return path


def no_code(exercise="ex01"):
    empty = nbformat.v4.new_notebook()
    empty.metadata["mlp_course"] = {"exercise": exercise}
    return empty


# ---------------------------------------------------------------- results are data, never code

def test_decode_reads_data_only():
    from mlp_lib.grading import _calls

    arr = np.arange(6.0).reshape(2, 3)
    assert np.array_equal(_calls.decode(_calls.encode(arr)), arr)
    assert _calls.decode(_calls.encode((1, [2.5, "x"], None))) == (1, [2.5, "x"], None)
    bad = [
        {"__fn": "__import__('os').getcwd()"},                  # code: never evaluated
        {"__rng": 3},                                           # only the grader sends generators
        {"__nd": "|O", "shape": [1], "b64": "AAAAAAAAAAA="},     # object arrays: pickles
        {"__nd": "<U4", "shape": [1], "b64": "AAAAAAAAAAAAAAAAAAAAAA=="},
        {"__nd": "<f8", "shape": [3], "b64": "AAAAAAAAAAA="},     # bytes and shape disagree
        {"__nd": "<f8", "shape": [-1], "b64": ""},
        {"__nd": "<f8", "shape": [2**20, 2**20], "b64": ""},    # far beyond the size cap
        {"__nd": "<f8", "shape": [1], "b64": "!!!!!!!!!!!="},
        {"__tuple": "not a list"}, {"anything": 1}, [1, 2], 10**100,
    ]
    for data in bad:
        with pytest.raises(_calls.BadData):
            _calls.decode(data)
    nested = 1.0
    for _ in range(20):
        nested = {"__list": [nested]}
    with pytest.raises(_calls.BadData):
        _calls.decode(nested)
    with pytest.raises(ValueError):  # the learner's side refuses to send more than the cap
        _calls.encode(np.zeros(_calls.MAX_BYTES // 8 + 1))


def test_a_malformed_response_becomes_failed_calls(tmp_path):
    from mlp_lib.grading._framework import Call
    from mlp_lib.grading._kernel import read_response

    calls = [Call("a", np.ones(2)), Call("b", np.ones(2))]
    response = tmp_path / "response.json"
    for doc in ([1, 2], {"results": "x"}, {"results": [{"status": "ok", "value": {"__fn": "1"}}]},
                {"results": [{"status": "ok", "value": 1.0, "exc": [1], "warnings": "w", "seconds": "s",
                              "arg_prints": {"x": 1}}] * 3}):
        response.write_text(json.dumps(doc))
        missing, _, results = read_response(str(response), calls)
        assert not missing and len(results) == 2
        for r in results:
            assert r["status"] in ("ok", "error") and isinstance(r["warnings"], list)
            assert r["status"] == "error" or r["value"] == 1.0
    response.write_text("{" * 100000)
    assert all(r["status"] == "error" for r in read_response(str(response), calls)[2])


FORGE = """
import json
_dump = json.dump
def _forged(obj, fh, *a, **k):
    for r in obj.get("results", []):
        r["status"] = "ok"
        r["value"] = {VALUE}
    return _dump(obj, fh, *a, **k)
json.dump = _forged
"""


@pytest.mark.slow
def test_forged_results_are_data_and_cost_only_their_author(tmp_path):
    pwned = tmp_path / "pwned"
    code = f"__import__('pathlib').Path({str(pwned)!r}).write_text('x') or 1.0"
    folder = tmp_path / "class"
    folder.mkdir()
    write(folder, "a_forged_fn.ipynb", with_cell(nb(), FORGE.replace("{VALUE}", repr({"__fn": code}))))
    write(folder, "b_bad_dtype.ipynb", with_cell(nb(), FORGE.replace(
        "{VALUE}", repr({"__nd": "|O", "shape": [1], "b64": base64.b64encode(b"\0" * 8).decode()}))))
    write(folder, "c_bad_shape.ipynb", with_cell(nb(), FORGE.replace(
        "{VALUE}", repr({"__nd": "<f8", "shape": [10**9, 10**9], "b64": ""}))))
    write(folder, "d_honest.ipynb", nb())  # graded after the forgers, in the same process (--jobs 1)
    write(folder, "e_rmtree.ipynb", with_cell(nb(), "import os, shutil\nshutil.rmtree(os.getcwd(), True)"))
    proc, subs = grade_json(folder, "--timeout", "20")
    assert proc.returncode == 0, proc.stderr
    assert not pwned.exists(), "the grader ran code that came from a kernel"
    for name in ("a_forged_fn.ipynb", "b_bad_dtype.ipynb", "c_bad_shape.ipynb"):
        s = subs[name]
        assert s["score"] == 0, (name, points(s))
        assert any("could not read" in c["feedback"] for c in s["checks"]), name
    assert "dtype" in " ".join(c["feedback"] for c in subs["b_bad_dtype.ipynb"]["checks"])
    assert subs["d_honest.ipynb"]["score"] == subs["d_honest.ipynb"]["max_score"]
    assert subs["e_rmtree.ipynb"]["score"] == subs["e_rmtree.ipynb"]["max_score"]  # a new scratch folder


def test_invalid_notebooks_each_get_a_row(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    base = json.loads(EX01.read_text())
    for name, change in [("source_int", lambda d: d["cells"][1].__setitem__("source", 123)),
                         ("source_null", lambda d: d["cells"][1].__setitem__("source", None)),
                         ("cells_dict", lambda d: d.__setitem__("cells", {"a": 1})),
                         ("cell_str", lambda d: d["cells"].__setitem__(0, "print(1)")),
                         ("metadata_list", lambda d: d.__setitem__("metadata", [1, 2]))]:
        doc = json.loads(json.dumps(base))
        change(doc)
        (folder / f"{name}.ipynb").write_text(json.dumps(doc))
    (folder / "list.ipynb").write_text("[1, 2, 3]")
    (folder / "deep.ipynb").write_text("[" * 100000 + "]" * 100000)
    (folder / "latin1.ipynb").write_bytes(b'{"cells": [], "x": "\xe9"}')
    doc = json.loads(json.dumps(base))
    doc["metadata"]["mlp_course"]["exercise"] = ["ex01", "ex02"]
    doc["cells"] = [c for c in doc["cells"] if c["cell_type"] == "markdown"]
    (folder / "exercise_list.ipynb").write_text(json.dumps(doc))
    gradebook = tmp_path / "gradebook.csv"
    for jobs in ("1", "2"):
        proc, subs = grade_json(folder, "--jobs", jobs, "--csv", gradebook)
        assert proc.returncode == 0, proc.stderr
        assert len(subs) == 9
        for name in ("source_int", "source_null", "cells_dict", "cell_str"):
            assert subs[f"{name}.ipynb"]["error"].startswith("not a valid notebook"), subs[f"{name}.ipynb"]
        assert "not a readable notebook" in subs["deep.ipynb"]["error"]
        assert "not a readable notebook" in subs["latin1.ipynb"]["error"]
        assert "not an exercise id" in subs["exercise_list.ipynb"]["error"] or \
            "cannot tell which exercise" in subs["exercise_list.ipynb"]["error"]
        assert all(not s["error"].startswith("grading failed") for s in subs.values()), subs
        assert len(list(csv.DictReader(gradebook.open()))) == 9


# ---------------------------------------------------------------- nothing separates one submission from another

COPIER = r"""
import glob, json, os
found = set()
for cmd in glob.glob("/proc/*/cmdline"):
    try:
        args = open(cmd, "rb").read().decode(errors="replace").split("\0")
        cwd = os.readlink(os.path.dirname(cmd) + "/cwd")
    except OSError:
        continue
    for a in args:
        p = os.path.join(cwd, a)
        if os.path.isdir(p):
            found.update(glob.glob(os.path.join(p, "*.ipynb")))
        elif p.endswith(".ipynb"):
            found.update(glob.glob(os.path.join(os.path.dirname(p), "*.ipynb")))
    found.update(glob.glob(os.path.join(cwd, "solutions", "*.ipynb")))
import mlp_lib
found.update(glob.glob(os.path.join(os.path.dirname(os.path.dirname(mlp_lib.__file__)), "solutions", "*.ipynb")))
for path in sorted(found):
    try:
        cells = json.load(open(path))["cells"]
    except Exception:
        continue
    for c in cells:
        src = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        if c["cell_type"] == "code" and "def " in src and "NotImplementedError" not in src:
            try:
                exec(src, globals())
            except Exception:
                pass
"""


@pytest.mark.slow
@needs_sandbox
def test_a_copier_cannot_read_its_neighbours_or_the_solutions(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    write(folder, "a_honest.ipynb", nb())
    write(folder, "b_copier.ipynb", with_cell(nb(EX01_STUB), COPIER, after_setup=False))
    proc, subs = grade_json(folder, "--timeout", "20")
    assert subs["a_honest.ipynb"]["score"] == subs["a_honest.ipynb"]["max_score"]
    assert subs["b_copier.ipynb"]["score"] == 0, points(subs["b_copier.ipynb"])


DAEMON = """
import os
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv("/bin/sleep", ["sleep", "{MARK}"])
    os._exit(0)
"""


def _sleepers(mark):
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/cmdline", "rb") as fh:
                    if fh.read().split(b"\0")[:2] == [b"sleep", mark.encode()]:
                        out.append(int(p))
            except OSError:
                pass
    return out


def _wait_until_gone(find, seconds=5.0):
    deadline = time.monotonic() + seconds
    while find() and time.monotonic() < deadline:
        time.sleep(0.1)
    return find()


@pytest.mark.slow
@needs_sandbox
def test_no_process_outlives_its_submission(tmp_path):
    mark = "27.18281"
    folder = tmp_path / "class"
    folder.mkdir()
    write(folder, "daemon.ipynb", with_cell(nb(), DAEMON.replace("{MARK}", mark)))
    proc, subs = grade_json(folder, "--timeout", "20")
    assert subs["daemon.ipynb"]["score"] == subs["daemon.ipynb"]["max_score"]
    left = _wait_until_gone(lambda: _sleepers(mark))
    for pid in left:  # clean up after a grader that let it live
        os.kill(pid, signal.SIGKILL)
    assert left == [], "a process of the submission outlived its grading"


FORK_BOMB = """
import os, time
for _ in range(2000):                  # bounded, so that the machine survives a grader without limits
    try:
        if os.fork() == 0:
            os.execv("/bin/sleep", ["sleep", "{MARK}"])
    except OSError:
        break
"""


@pytest.mark.slow
@needs_sandbox
def test_a_fork_bomb_costs_its_neighbours_nothing(tmp_path):
    mark = "14.14213"
    folder = tmp_path / "class"
    folder.mkdir()
    write(folder, "a_bomb.ipynb", with_cell(nb(), FORK_BOMB.replace("{MARK}", mark)))
    for i in range(3):
        write(folder, f"b_honest_{i}.ipynb", nb())

    def outer_limit():  # the test machine survives even if the grader does not protect it
        import resource

        resource.setrlimit(resource.RLIMIT_NPROC, (6000, 6000))
    seen = []
    proc = subprocess.Popen([sys.executable, "-m", "mlp_lib.grade", "--json", "--jobs", "2", "--timeout", "20",
                             str(folder)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=outer_limit)
    while proc.poll() is None:
        seen.append(len(_sleepers(mark)))
        time.sleep(0.2)
    out, err = proc.communicate()
    subs = {Path(s["notebook"]).name: s for s in json.loads(out)["submissions"]}
    left = _wait_until_gone(lambda: _sleepers(mark))
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert max(seen) < 300, f"the bomb had {max(seen)} processes at once"
    assert left == []
    for i in range(3):
        s = subs[f"b_honest_{i}.ipynb"]
        assert s["score"] == s["max_score"], s
    assert subs["a_bomb.ipynb"]["score"] == subs["a_bomb.ipynb"]["max_score"]  # its kernel still works


MEMORY_HOG = """
def predict(X, w, b):
    import numpy as np
    big = np.ones(200 * 2**20 // 8 * 6)   # 1.2 GB, above --memory 1000
    return X @ w + b + 0 * big[0]
"""


@pytest.mark.slow
def test_a_memory_bomb_stops_at_the_memory_limit(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    write(folder, "hog.ipynb", replace_function(nb(), "predict", MEMORY_HOG))

    def outer_limit():  # the test machine survives even if the grader sets no limit
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (6 * 2**30, 6 * 2**30))
    proc, subs = grade_json(folder, "--memory", "1000", "--timeout", "20", preexec_fn=outer_limit)
    per = points(subs["hog.ipynb"])
    assert per["predict"] == 0
    assert "MemoryError" in " ".join(c["feedback"] for c in subs["hog.ipynb"]["checks"])
    assert per["mse"] == 3  # the kernel survived: the other functions are graded


@pytest.mark.slow
@needs_sandbox
def test_an_imported_reference_earns_nothing(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    write(folder, "imported.ipynb", replace_function(
        nb(EX04), "backprop", "from mlp_lib.grading._nets import backprop_variant as backprop"))
    proc, subs = grade_json(folder, "--timeout", "20")
    per = points(subs["imported.ipynb"])
    assert per["backprop"] == 0
    assert per["output_delta"] > 0 and per["layer_gradients"] > 0


# ---------------------------------------------------------------- fresh cases on every run

def _recorded_predict(seed):
    """A `predict` that replays the answers of a run with ``seed`` (and returns zeros otherwise)."""
    from mlp_lib.grade import _grade_function
    from mlp_lib.grading import specs
    from mlp_lib.grading._framework import LocalRunner

    table = {}

    def predict(X, w, b):
        out = X @ w + b
        table[hashlib.sha256(np.ascontiguousarray(X).tobytes()).hexdigest()] = out.tolist()
        return out
    _grade_function(specs("ex01")["predict"], LocalRunner(predict), 10, seed)
    return ("import hashlib, numpy as np\n"
            f"RECORDED = {table!r}\n"
            "def predict(X, w, b):\n"
            "    got = RECORDED.get(hashlib.sha256(np.ascontiguousarray(X).tobytes()).hexdigest())\n"
            "    return np.zeros(X.shape[0]) if got is None else np.array(got)\n")


@pytest.mark.slow
def test_answers_recorded_from_one_run_fail_the_next(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    write(folder, "recorded.ipynb", replace_function(nb(), "predict", _recorded_predict(1234)))
    _, same = grade_json(folder, "--seed", "1234", "--timeout", "20")
    _, fresh = grade_json(folder, "--timeout", "20")  # a new run: a fresh seed
    assert points(same["recorded.ipynb"])["predict"] == 3  # the recording itself works...
    assert fresh["recorded.ipynb"]["seed"] != 1234
    assert points(fresh["recorded.ipynb"])["predict"] == 0  # ...but not on another run's cases


# ---------------------------------------------------------------- the claimed exercise

@pytest.mark.slow
def test_the_claimed_exercise_is_checked_against_the_functions(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    wrong = nb()
    wrong.metadata["mlp_course"]["exercise"] = "ex05"
    write(folder, "says_ex05.ipynb", wrong)
    write(folder, "honest.ipynb", nb())
    _, subs = grade_json(folder, "--timeout", "20")
    s = subs["says_ex05.ipynb"]
    assert s["exercise"] == "ex01" and s["exercise_mismatch"] is True and "ex05" in s["error"]
    assert s["score"] == s["max_score"]
    assert subs["honest.ipynb"]["exercise_mismatch"] is False and subs["honest.ipynb"]["error"] is None
    _, forced = grade_json(folder, "--exercise", "ex01", "--timeout", "20")
    assert forced["says_ex05.ipynb"]["exercise"] == "ex01"
    assert forced["says_ex05.ipynb"]["exercise_mismatch"] is True


# ---------------------------------------------------------------- files and names

def test_symlinks_are_refused_and_never_followed(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "passwd.ipynb").symlink_to("/etc/passwd")
    (folder / "solution.ipynb").symlink_to(EX01)
    (folder / "fifo.ipynb").touch()
    os.remove(folder / "fifo.ipynb")
    os.mkfifo(folder / "fifo.ipynb")
    (folder / "alice").mkdir()
    (folder / "alice" / "ex01.ipynb").write_bytes(EX01.read_bytes())
    for jobs in ("1", "2"):
        proc, subs = grade_json(folder, "--jobs", jobs, timeout=120)
        assert len(subs) == 4
        assert "a folder, not a notebook" in subs["alice"]["error"]
        for name in ("passwd.ipynb", "solution.ipynb"):
            assert "symbolic link" in subs[name]["error"] and subs[name]["score"] == 0
        assert "not a regular file" in subs["fifo.ipynb"]["error"]
        assert "root:" not in proc.stdout + proc.stderr


@pytest.mark.slow
def test_file_names_are_never_options(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    write(folder, "-h.ipynb", no_code())
    write(folder, "--json.ipynb", no_code())
    write(folder, "--worker.ipynb", nb())
    for jobs in ("1", "2"):
        proc, subs = grade_json(folder, "--jobs", jobs, "--timeout", "20")
        assert set(subs) == {"-h.ipynb", "--json.ipynb", "--worker.ipynb"}, proc.stderr
        assert subs["-h.ipynb"]["exercise"] == "ex01" and subs["-h.ipynb"]["error"] is None
        assert subs["--worker.ipynb"]["score"] == subs["--worker.ipynb"]["max_score"]
    for jobs in ("1", "2"):  # relative names, as an instructor types them in the class folder
        proc = grader("--json", "--jobs", jobs, "--timeout", "20", "--", "-h.ipynb", "--worker.ipynb", cwd=folder)
        subs = {s["notebook"]: s for s in json.loads(proc.stdout)["submissions"]}
        assert subs["-h.ipynb"]["error"] is None and subs["-h.ipynb"]["exercise"] == "ex01"
        assert subs["--worker.ipynb"]["score"] == subs["--worker.ipynb"]["max_score"], subs


def test_odd_bytes_in_a_name_are_escaped(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    odd = os.fsdecode(b"caf\xe9 \xff.ipynb")
    write(folder, odd, no_code())
    write(folder, "plain.ipynb", no_code())
    gradebook = tmp_path / "gradebook.csv"
    for jobs in ("1", "2"):
        proc, subs = grade_json(folder, "--jobs", jobs, "--csv", gradebook)
        assert proc.returncode == 0, proc.stderr
        assert "caf\\xe9 \\xff.ipynb" in subs and "plain.ipynb" in subs
        rows = list(csv.DictReader(gradebook.open(encoding="utf-8")))
        assert sorted(Path(r["notebook"]).name for r in rows) == ["caf\\xe9 \\xff.ipynb", "plain.ipynb"]


# ---------------------------------------------------------------- the gradebook

SLOW_CELL = "import time\nwhile True:\n    time.sleep(0.1)"


def _wait_for(predicate, seconds=120):
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.slow
def test_ctrl_c_keeps_the_finished_rows(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    write(folder, "a_done.ipynb", no_code())
    write(folder, "b_slow.ipynb", with_cell(nb(), SLOW_CELL))
    write(folder, "c_never.ipynb", no_code())
    gradebook = tmp_path / "gradebook.csv"
    proc = subprocess.Popen([sys.executable, "-m", "mlp_lib.grade", str(folder), "--csv", str(gradebook),
                             "--timeout", "60"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)

    def rows():
        try:
            return list(csv.DictReader(gradebook.open()))
        except OSError:
            return []
    _wait_for(lambda: len(rows()) == 1)
    time.sleep(3)  # the slow notebook's kernel is running its endless cell now
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted: 1 of 3 submissions graded" in err
    got = rows()
    assert [Path(r["notebook"]).name for r in got] == ["a_done.ipynb"]
    assert not (tmp_path / "gradebook.csv.lock").exists()


@pytest.mark.slow
def test_a_second_run_on_the_same_gradebook_is_refused(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    write(folder, "a_slow.ipynb", with_cell(nb(), SLOW_CELL))
    write(folder, "b_done.ipynb", no_code())
    gradebook = tmp_path / "gradebook.csv"
    first = subprocess.Popen([sys.executable, "-m", "mlp_lib.grade", str(folder), "--csv", str(gradebook),
                              "--timeout", "8"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    _wait_for(lambda: (tmp_path / "gradebook.csv.lock").exists())
    second = grader(folder, "--csv", gradebook)
    assert second.returncode == 2 and "refused" in second.stderr and "another grading run" in second.stderr
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    names = [Path(r["notebook"]).name for r in csv.DictReader(gradebook.open())]
    assert names == ["a_slow.ipynb", "b_done.ipynb"]


@pytest.mark.slow
def test_the_notebook_budget_ends_a_slow_submission(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    notebook = nb()
    for _ in range(4):
        with_cell(notebook, SLOW_CELL)
    write(folder, "slow.ipynb", notebook)
    start = time.monotonic()
    proc, subs = grade_json(folder, "--timeout", "5", "--notebook-timeout", "12")
    assert time.monotonic() - start < 60
    s = subs["slow.ipynb"]
    assert "ran out of time" in s["error"]


# ---------------------------------------------------------------- a whole class

@pytest.mark.slow
def test_a_class_of_120_mixed_submissions_in_parallel(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    expected = {}  # file name -> "full", "zero", "bias", or the start of the row's error
    solutions = sorted((ROOT / "solutions").glob("ex0[1-5]_*.ipynb"))
    for i in range(12):  # 30 kernels in all, 90 submissions graded without one
        src = solutions[i % len(solutions)]
        (folder / f"sol_{i:02d}.ipynb").write_bytes(src.read_bytes())
        expected[f"sol_{i:02d}.ipynb"] = "full"
        stub = ROOT / "exercises" / src.name
        (folder / f"stub_{i:02d}.ipynb").write_bytes(stub.read_bytes())
        expected[f"stub_{i:02d}.ipynb"] = "zero"
    for i in range(6):
        write(folder, f"bias_{i:02d}.ipynb", replace_function(nb(), "predict", "def predict(X, w, b):\n    return X @ w"))
        expected[f"bias_{i:02d}.ipynb"] = "bias"
    for i in range(15):
        (folder / f"link_{i:02d}.ipynb").symlink_to(EX01)
        expected[f"link_{i:02d}.ipynb"] = "refused: the submission is a symbolic link"
        (folder / f"essay_{i:02d}.txt").write_text("no notebook here")
        expected[f"essay_{i:02d}.txt"] = "not a notebook"
    for i in range(15):
        write(folder, f"empty_{i:02d}.ipynb", no_code())
        expected[f"empty_{i:02d}.ipynb"] = "zero"
        doc = json.loads(EX01.read_text())
        doc["cells"][1]["source"] = 123
        (folder / f"invalid_{i:02d}.ipynb").write_text(json.dumps(doc))
        expected[f"invalid_{i:02d}.ipynb"] = "not a valid notebook"
    for i in range(30):
        (folder / f"corrupt_{i:02d}.ipynb").write_text('{"cells": [ not json')
        expected[f"corrupt_{i:02d}.ipynb"] = "not a readable notebook"
    assert len(expected) == 120
    gradebook = tmp_path / "gradebook.csv"
    proc = grader(folder, "--json", "--jobs", "2", "--timeout", "30", "--csv", gradebook, timeout=1200)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)["submissions"]
    names = [Path(r["notebook"]).name for r in rows]
    assert sorted(names) == sorted(expected)  # every submission once, none twice
    book = [Path(r["notebook"]).name for r in csv.DictReader(gradebook.open())]
    assert sorted(book) == sorted(expected)
    bias_scores = set()
    for r in rows:
        want = expected[Path(r["notebook"]).name]
        if want == "full":
            assert r["error"] is None and r["score"] == r["max_score"] > 0, r
        elif want == "zero":
            assert r["score"] == 0 and r["max_score"] > 0, r
        elif want == "bias":
            assert 0 < r["score"] < r["max_score"] and points(r)["predict"] < 3, r
            bias_scores.add(r["score"])
        else:
            assert r["error"].startswith(want) and r["score"] == 0, r
        assert len({r["seed"] for r in rows}) == 1 and r["isolation"] in ("sandbox", "limits")
    assert len(bias_scores) == 1  # the same answer, the same score, whichever worker graded it


@pytest.mark.slow
def test_without_bubblewrap_the_grader_says_so_and_uses_limits(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    write(folder, "honest.ipynb", nb())
    env = dict(os.environ, PATH=str(tmp_path))  # no bwrap on this PATH
    proc = subprocess.run([sys.executable, "-m", "mlp_lib.grade", str(folder), "--json"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    (row,) = json.loads(proc.stdout)["submissions"]
    assert row["isolation"] == "limits" and row["score"] == row["max_score"]
    assert "WITHOUT a sandbox" in proc.stderr and "bwrap" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "mlp_lib.grade", str(folder), "--isolation", "sandbox"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "sandbox cannot run here" in proc.stderr
