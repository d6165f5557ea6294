"""Build the class edition: chapters, exercises and mlp_lib, without the answers.

    python -m mlp_lib.release DEST        (or: make release DEST=folder)

The repository is the self-study edition: ``solutions/`` and the grader's
reference answers ship with it. The class edition is what an instructor hands
to a class. It holds no ``solutions/`` and no code that computes an answer:

- The grading modules that hold references and known mistakes (every module
  the exercises' checks import beyond the framework, discovered, not listed)
  are copied with each reference or mistake function replaced by a stub that
  returns the output the instructor's reference gave on the same arguments
  (``mlp_lib.grading._data_checks``). Contracts, judges and feedback stay as
  they are, so ``check(f)`` and ``score_table()`` give the same verdicts.
- Which functions are answers is found by running the checks here, on the
  instructor's side, on the solutions, the untouched stubs and deliberately
  wrong answers, and watching every call into those modules: a function
  that builds the checks (called on import) or that reads the learner's
  output is kept; one that only ever maps the fixed cases to a value is an
  answer, and only its outputs are written, to
  ``mlp_lib/grading/_release_data.json``.
- The instructor's grader (``python -m mlp_lib.grade``) is left out; it stays
  with the full edition and grades the class's notebooks unchanged.
"""

import argparse
import ast
import copy
import itertools
import json
import re
import shutil
import sys
import time
import types
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ["chapters", "exercises", "mlp_lib", "requirements.txt", "pyproject.toml", "runtime.txt", "LICENSE"]
LEFT_OUT = {
    "mlp_lib/grade.py",
    "mlp_lib/release.py",
    "mlp_lib/make_exercises.py",
    "mlp_lib/grading/_kernel.py",
}
"""The instructor's tools: the grader and the builders of the editions."""
LARGE = 50_000
"""Recorded outputs of more bytes: a loader (the digits) is kept as code, any other answer is not shipped."""
LARGE_ANSWER = 150_000
"""An answer whose recorded outputs take more bytes is not shipped (its stub says it cannot judge)."""
PRODUCT_MAX = 256
GENERATOR = 0x20

# ---------------------------------------------------------------- where the answers are


class Node:
    """A function or lambda of an answer-key module: its AST node and its place in the source."""

    def __init__(self, module, node, parent, code):
        self.module, self.node, self.parent, self.code = module, node, parent, code
        self.id = f"§{module}:{node.lineno}:{node.col_offset}"
        self.entries = []
        self.keep = None
        self.code_runtime = None


def _lambda_col(code):
    cols = [
        c
        for line, _, c, end in code.co_positions()
        if c is not None and line == code.co_firstlineno and not (c == 0 and end == 0)
    ]
    return min(cols) if cols else 0


def _codes(code):
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            if not c.co_name.startswith("<") or c.co_name == "<lambda>":
                yield c
            yield from _codes(c)


def _signature(code):
    return (
        code.co_filename,
        code.co_firstlineno,
        code.co_name,
        _lambda_col(code) if code.co_name == "<lambda>" else 0,
    )


def index_module(name, path):
    """{signature of a code object: Node} for every def and lambda of one module."""
    source = path.read_text()
    tree = ast.parse(source)
    parents = {}
    for outer in ast.walk(tree):
        for child in ast.iter_child_nodes(outer):
            parents[child] = outer
    compiled = list(_codes(compile(source, str(path), "exec")))
    stem = name.rsplit(".", 1)[-1]
    by_line = {}
    for c in compiled:
        by_line.setdefault((c.co_firstlineno, c.co_name), []).append(c)
    funcs = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.Lambda))]
    lam_by_line = {}
    for n in funcs:
        if isinstance(n, ast.Lambda):
            lam_by_line.setdefault(n.lineno, []).append(n)
    nodes = {}
    for n in funcs:
        if isinstance(n, ast.FunctionDef):
            code = next(c for c in by_line[(n.lineno, n.name)])
        else:
            same = sorted(lam_by_line[n.lineno], key=lambda x: x.col_offset)
            codes = sorted(by_line[(n.lineno, "<lambda>")], key=_lambda_col)
            code = codes[same.index(n)]
        up = parents.get(n)
        while up is not None and not isinstance(up, (ast.FunctionDef, ast.Lambda)):
            up = parents.get(up)
        nodes[n] = Node(stem, n, up, code)
    for node in nodes.values():
        node.parent = nodes.get(node.parent)
    return {_signature(nd.code): nd for nd in nodes.values()}


# ---------------------------------------------------------------- watching the checks run


class Entry:
    __slots__ = ("args", "free", "globals", "phase", "outer", "out", "learner")


def _frozen(v):
    """A generator's state as it was at the call (the call goes on to draw from it)."""
    if isinstance(v, np.random.Generator):
        return copy.deepcopy(v)
    return v


class Recorder:
    """A profile hook that records every call into the answer-key modules: arguments, result, caller."""

    def __init__(self, files):
        self.files = set(files)
        self.index = {}
        self.stack = []
        self.phase = "import"
        self.learner_ids = set()
        self.keep_alive = []
        self.calls = {}  # graded function -> {case key: the case a learner's function was called on}
        self.function = None

    def node_of(self, code):
        return self.index.get(_signature(code))

    def __call__(self, frame, event, arg):
        if event == "call":
            code = frame.f_code
            if code.co_filename not in self.files or (
                code.co_name.startswith("<") and code.co_name != "<lambda>"
            ):
                return
            node = self.node_of(code)
            if node is None:
                return
            e = Entry()
            loc = frame.f_locals
            n = code.co_argcount + code.co_kwonlyargcount + bool(code.co_flags & 4) + bool(code.co_flags & 8)
            e.args = tuple(_frozen(loc.get(v)) for v in code.co_varnames[:n])
            e.free = tuple(loc.get(v) for v in code.co_freevars)
            e.globals, e.phase = frame.f_globals, self.phase
            e.outer = tuple(s[1] for s in self.stack)
            e.learner = self._learner(e.args) or self._learner(e.free)
            e.out = None
            node.code_runtime = code
            self.stack.append((frame, node, e))
        elif event == "return" and self.stack and self.stack[-1][0] is frame:
            _, node, e = self.stack.pop()
            e.out = arg
            if not (node.code.co_flags & GENERATOR):
                node.entries.append(e)

    def _learner(self, values, depth=0):
        from mlp_lib.grading._framework import CheckResult, Result

        for v in values:
            if isinstance(v, (Result, CheckResult)) or id(v) in self.learner_ids:
                return True
            if depth < 3 and isinstance(v, (list, tuple)) and self._learner(v, depth + 1):
                return True
            if depth < 3 and isinstance(v, dict) and self._learner(list(v.values()), depth + 1):
                return True
        return False

    def watch_results(self):
        """Note every value a learner's function returned, so that functions reading them are kept."""
        from mlp_lib.grading import _running

        init = _running.Result.__init__
        recorder = self

        def noted(self, *a, **k):
            init(self, *a, **k)
            recorder.note(self.value)
            recorder.calls.setdefault(recorder.function, {}).setdefault(self.call.key, self.call)

        _running.Result.__init__ = noted

        from mlp_lib.grading import _framework

        grade = _framework.grade_function

        def grading(spec, *a, **k):
            recorder.function = spec.name
            return grade(spec, *a, **k)

        _framework.grade_function = grading

    def note(self, v, depth=0):
        if v is None or isinstance(v, (bool, int, float, str)):
            return
        self.keep_alive.append(v)
        self.learner_ids.add(id(v))
        if depth < 3 and isinstance(v, (list, tuple)):
            for x in v:
                self.note(x, depth + 1)


# ---------------------------------------------------------------- the answers a learner's check can ask for


def solution_namespace(exercise):
    """The solution notebook's graded code run in a fresh namespace (imports, then every solution cell)."""
    import nbformat

    from mlp_lib.grading import EXERCISES

    nb = nbformat.read(ROOT / "solutions" / f"{EXERCISES[exercise][0]}.ipynb", as_version=4)
    ns = {"__name__": f"solution_{exercise}"}
    for cell in nb.cells:
        role = cell.metadata.get("mlp_course", {}).get("role")
        if cell.cell_type != "code" or role not in ("setup", "solution"):
            continue
        src = "\n".join(ln for ln in cell.source.split("\n") if not ln.lstrip().startswith(("%", "!")))
        exec(compile(src, f"<{exercise} {role}>", "exec"), ns)
    return ns


def _perturb(v, which=None, factor=1.5, depth=0):
    if isinstance(v, np.ndarray) and v.dtype.kind == "f":
        return v * factor
    if isinstance(v, float):
        return v * factor
    if isinstance(v, types.GeneratorType):
        v = list(v)
    if isinstance(v, (list, tuple)) and depth < 3:
        out = [
            x if which is not None and i != which else _perturb(x, None, factor, depth + 1)
            for i, x in enumerate(v)
        ]
        return type(v)(out) if isinstance(v, tuple) else out
    return v


def _wrong(func, which=None, factor=1.5):
    env = {"_orig": func, "_perturb": _perturb, "_which": which, "_factor": factor}
    exec(f"def {func.__name__}(*a, **k):\n    return _perturb(_orig(*a, **k), _which, _factor)\n", env)
    return env[func.__name__]


def _not_done(name):
    env = {}
    exec(f"def {name}(*a, **k):\n    raise NotImplementedError('Exercise')\n", env)
    return env[name]


def exercise_runs(log=print):
    """Run every graded function's checks on right, unfinished and wrong answers (the recording)."""
    from mlp_lib.grading import EXERCISES, run_checks, spec_for

    for ex, (_, names) in EXERCISES.items():
        ns = solution_namespace(ex)
        for name in names:
            spec, right = spec_for(name), ns[name]
            t0 = time.time()
            run_checks(right, name)
            slow = time.time() - t0 > 5
            run_checks(_not_done(name), name)
            n_parts = 1
            try:
                out = spec.checks[0].make_calls(None)[0].apply(right)
                n_parts = len(out) if isinstance(out, (list, tuple)) else 1
            except Exception:
                pass
            variants = [_wrong(right), _wrong(right, factor=1 + 1e-4), _wrong(right, factor=0.0)]
            variants += [_wrong(right, which=i) for i in range(n_parts)] if n_parts > 1 else []
            for wrong in variants:
                run_checks(wrong, name)
            if not slow:
                for h in spec.helpers:
                    if h in ns:
                        saved = ns[h]
                        ns[h] = _wrong(saved)
                        try:
                            run_checks(ns[name], name)
                        finally:
                            ns[h] = saved
            log(f"  recorded {ex} {name} ({time.time() - t0:.1f} s)")


# ---------------------------------------------------------------- deciding, and writing the data


def _same_outputs(entries, fid):
    from mlp_lib.grading._data_checks import fingerprint

    seen = {}
    for e in entries:
        k = fingerprint(e.args, e.free, fid)
        o = fingerprint((e.out,), (), fid)
        if seen.setdefault(k, o) != o:
            return False
    return True


def _size(entries, fid):
    from mlp_lib.grading._data_checks import fingerprint, pack

    seen = {fingerprint(e.args, e.free, fid): e for e in entries}
    pool = {}
    rows = [pack(e.out, pool) for e in seen.values()]
    return len(json.dumps(rows)) + len(json.dumps(pool))


def classify(nodes, fid, calls=None):
    """Decide for every node: kept as code, or an answer (stub + recorded outputs)."""
    from mlp_lib.grading._data_checks import fingerprint
    from mlp_lib.grading._framework import Rng

    for nd in nodes:
        called = [e for e in nd.entries]
        reason = None
        if any(e.phase == "import" for e in called):
            reason = "builds the checks"
        elif any(e.learner for e in called):
            reason = "reads the learner's output"
        elif not _same_outputs(called, fid):
            reason = "depends on more than its arguments"
        else:
            try:
                size = _size(called, fid)
            except TypeError:
                reason = "returns something that is not data"
            else:
                loader = all(isinstance(a, (np.random.Generator, Rng)) for e in called for a in e.args)
                if size > LARGE and loader:
                    reason = "loads data"
        nd.keep = reason
    case_arrays = set()
    for c in [c for g in (calls or {}).values() for c in g.values()]:
        stack = list(c.args)
        while stack:
            a = stack.pop()
            if isinstance(a, np.ndarray):
                case_arrays.add(fingerprint((a,), ()))
            elif isinstance(a, (list, tuple)):
                stack += list(a)
    for nd in nodes:  # called by a judge on arrays that are not a case's: computed from the learner's output
        if nd.keep is None and any(
            isinstance(a, np.ndarray) and fingerprint((a,), ()) not in case_arrays
            for e in nd.entries
            if e.outer and e.outer[-1].keep == "reads the learner's output"
            for a in e.args
        ):
            nd.keep = "reads what a judge computed from the learner's output"
    for nd in nodes:  # what is nested in a kept judge closes over the learner's data: keep it too
        up = nd.parent
        while up is not None and nd.keep is None:
            if up.keep == "reads the learner's output":
                nd.keep = "inside a judge"
            up = up.parent
    judged = {
        (nd.module, name)
        for nd in nodes
        if nd.keep == "reads the learner's output"
        for code in [nd.code, *(c for c in nd.code.co_consts if isinstance(c, types.CodeType))]
        for name in code.co_names
    }  # its own names and its comprehensions
    for nd in nodes:  # a kept judge calls it by name, on arrays no case holds (or never while recording)
        if (
            nd.keep is None
            and nd.parent is None
            and isinstance(nd.node, ast.FunctionDef)
            and (nd.module, nd.node.name) in judged
            and all(
                any(isinstance(a, np.ndarray) and fingerprint((a,), ()) not in case_arrays for a in e.args)
                for e in nd.entries
            )
        ):
            nd.keep = "a judge calls it on the learner's output"


def _invoke(nd, e, args):
    code = nd.code_runtime
    cells = tuple(types.CellType(v) for v in e.free)
    f = types.FunctionType(code, e.globals, code.co_name, None, cells or None)
    npos = code.co_argcount
    kw = {
        name: v
        for name, v in zip(
            code.co_varnames[npos : npos + code.co_kwonlyargcount], args[npos : npos + code.co_kwonlyargcount]
        )
    }
    rest = list(args[npos + code.co_kwonlyargcount :])
    star = list(rest.pop(0)) if code.co_flags & 4 else []
    if code.co_flags & 8:
        kw.update(rest.pop(0))
    with np.errstate(all="ignore"):
        return f(*args[:npos], *star, **kw)


def _products(nd, entries):
    """Entries for every combination of the scalar arguments seen (a judge may stop early on one case)."""
    if not entries or not all(
        a is None or isinstance(a, (bool, int, float, str)) for e in entries for a in e.args
    ):
        return entries
    free_keys = {repr(e.free) for e in entries}
    if len(free_keys) != 1 or getattr(nd, "code_runtime", None) is None:
        return entries
    columns = [sorted({a for a in col}, key=repr) for col in zip(*[e.args for e in entries])]
    combos = list(itertools.product(*columns))
    if len(combos) > PRODUCT_MAX:
        return entries
    out = []
    for args in combos:
        e = copy.copy(entries[0])
        e.args = tuple(args)
        try:
            e.out = _invoke(nd, entries[0], e.args)
        except Exception:
            continue
        out.append(e)
    return out


def _siblings(nodes):
    """Groups of stubbed lambdas that are the values of one table (a mistakes dict): {node: group}."""
    by_place = {(nd.code.co_filename, nd.node.lineno, nd.node.col_offset): nd for nd in nodes}
    groups = {}
    for path in {nd.code.co_filename for nd in nodes}:
        for d in ast.walk(ast.parse(Path(path).read_text())):
            values = d.values if isinstance(d, ast.Dict) else [d.value] if isinstance(d, ast.DictComp) else []
            found = [
                by_place.get((path, v.lineno, v.col_offset)) for v in values if isinstance(v, ast.Lambda)
            ]
            group = [nd for nd in found if nd is not None and nd.keep is None]
            for nd in group:
                groups[nd] = group
    return groups


def _plain(args):
    return all(a is None or isinstance(a, (bool, int, float)) for a in args)


def complete(nodes, modules, calls):
    """Add the calls a judge may make but the recording did not (it stops at the first match).

    - every function of a mistakes table is evaluated on the arguments seen by any of them;
    - a function of one case (a Call) is evaluated on every case of the same check.
    """
    from mlp_lib.grading._data_checks import fingerprint
    from mlp_lib.grading._framework import Call

    groups = _siblings(nodes)
    numbers = {}  # arity -> the numbers a case starts with (n_in, n_out of an init's case)
    for c in [c for g in calls.values() for c in g.values()]:
        k = next((i for i, a in enumerate(c.args) if not _plain((a,))), len(c.args))
        for n in range(1, k + 1):
            numbers.setdefault(n, set()).add(tuple(c.args[:n]))
    for nd in [n for n in nodes if n.keep is None and n.code_runtime is not None and not n.code.co_freevars]:
        base = [e for e in nd.entries if not any(o.keep is None for o in e.outer)]
        todo = []
        for other in groups.get(nd, []):
            todo += [
                e.args
                for e in other.entries
                if other.code.co_argcount == nd.code.co_argcount
                and not other.code.co_freevars
                and not (other.code.co_flags | nd.code.co_flags) & 12
            ]
        plain = [e for other in groups.get(nd, [nd]) for e in other.entries if e.args and _plain(e.args)]
        if plain and nd in groups and not nd.code.co_flags & 12:  # a table of formulas of the case's numbers
            todo += sorted(numbers.get(nd.code.co_argcount, ()), key=repr)[:PRODUCT_MAX]
        for e in base:
            for k, a in enumerate(e.args):
                if not isinstance(a, Call):
                    continue
                mine = fingerprint((a,), ())
                same = next(
                    (
                        list(g.values())
                        for g in calls.values()
                        if a.key in g and fingerprint((g[a.key],), ()) == mine
                    ),
                    [],
                )
                todo += [e.args[:k] + (c,) + e.args[k + 1 :] for c in same if c.key != a.key]
        if not todo:
            continue
        have = {fingerprint(e.args, ()) for e in nd.entries}
        todo = [
            args for key, args in {fingerprint(args, ()): args for args in todo}.items() if key not in have
        ]
        template = Entry()
        template.free, template.phase, template.outer, template.learner = (), "check", (), False
        template.globals = vars(modules[nd.module])
        for args in todo:
            e = copy.copy(template)
            e.args = args
            try:
                e.out = _invoke(nd, e, args)
            except Exception:
                continue
            nd.entries.append(e)


def tables(nodes, fid, near_codes, pool, log=print):
    from mlp_lib.grading._data_checks import fingerprint, pack

    stubbed = {nd for nd in nodes if nd.keep is None}
    out = {}
    for nd in stubbed:
        rows, seen = [], set()
        entries = [e for e in nd.entries if not any(o in stubbed for o in e.outer)]
        size = 0
        for e in _products(nd, entries):
            key = fingerprint(e.args, e.free, fid)
            if key in seen:
                continue
            seen.add(key)
            before = set(pool)
            try:
                row = [key, pack(e.out, pool)]
            except TypeError:
                continue
            if nd.code_runtime in near_codes:
                try:
                    row += [pack(tuple(e.args), pool), fingerprint((), e.free, fid)]
                except TypeError:
                    pass
            size += len(json.dumps(row)) + sum(len(json.dumps(pool[k])) for k in set(pool) - before)
            if size > LARGE_ANSWER:  # e.g. every step of a training run: the first calls are the checks' own
                log(f"  {nd.id} {nd.code.co_name}: the first {len(rows)} of {len(entries)} calls shipped")
                break
            rows.append(row)
        if rows:
            out[nd.id] = rows
    return out


# ---------------------------------------------------------------- writing the stubbed modules


def _params(node):
    a = node.args
    names = [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs]
    names += [a.vararg.arg] if a.vararg else []
    names += [a.kwarg.arg] if a.kwarg else []
    return names


def _tuple(names):
    return "(" + ", ".join(names) + ("," if len(names) == 1 else "") + ")"


def _in_body(node, outer):
    first = outer.body if isinstance(outer, ast.Lambda) else outer.body[0]
    return (node.lineno, node.col_offset) >= (first.lineno, first.col_offset)


def stubbed_source(path, nodes):
    """The module's source with every answer node's body replaced by a lookup (line numbers unchanged)."""
    lines = path.read_bytes().split(b"\n")  # AST columns count UTF-8 bytes
    todo = []
    for nd in nodes:
        up, inside = nd.parent, False
        while up is not None:  # replaced with the body of a stubbed function (not in its defaults)
            inside = inside or (up.keep is None and _in_body(nd.node, up.node))
            up = up.parent
        if nd.keep is None and not inside:
            todo.append(nd)
    for nd in sorted(todo, key=lambda x: (x.node.lineno, x.node.col_offset), reverse=True):
        call = f'_release_table("{nd.id}", {_tuple(_params(nd.node))}, {_tuple(list(nd.code.co_freevars))})'
        if isinstance(nd.node, ast.Lambda):
            b = nd.node.body
            start, end = (b.lineno - 1, b.col_offset), (b.end_lineno - 1, b.end_col_offset)
            text = call
        else:
            first = nd.node.body[0]
            end = (nd.node.end_lineno - 1, len(lines[nd.node.end_lineno - 1]))
            if first.lineno == nd.node.lineno:
                start, text = (first.lineno - 1, first.col_offset), f"return {call}"
            else:
                start = (first.lineno - 1, 0)
                text = " " * first.col_offset + f"return {call}"
        head = lines[start[0]][: start[1]]
        tail = lines[end[0]][end[1] :]
        n = end[0] - start[0]
        lines[start[0] : end[0] + 1] = [head + text.encode() + tail] + [b""] * n
    lines.append(b"from mlp_lib.grading._data_checks import lookup as _release_table  # noqa: E402")
    return b"\n".join(lines).decode()


# ---------------------------------------------------------------- the build


def record(log=print):
    """Import the checks and run them under the recorder; return (answer-key modules, nodes, near codes)."""
    import importlib

    import mlp_lib.grading as grading
    import mlp_lib.grading._data_checks  # noqa: F401
    import mlp_lib.grading._framework  # noqa: F401

    framework = {m for m in sys.modules if m.startswith("mlp_lib.")}
    files = {}
    for ex in grading.EXERCISES:  # find the modules first, without importing them
        spec = importlib.util.find_spec(f"mlp_lib.grading.{ex}")
        files[spec.origin] = f"mlp_lib.grading.{ex}"
    rec = Recorder(files)
    # answer-key modules: what the exercise modules import beyond the framework (found by importing them)
    probe = {}
    for ex in grading.EXERCISES:
        src = Path(importlib.util.find_spec(f"mlp_lib.grading.{ex}").origin).read_text()
        for node in ast.walk(ast.parse(src)):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("mlp_lib.grading.")
                and node.module not in framework
            ):
                probe[importlib.util.find_spec(node.module).origin] = node.module
    files.update(probe)
    rec.files = set(files)
    for path, name in files.items():
        for sig, nd in index_module(name, Path(path)).items():
            rec.index[sig] = nd
    rec.watch_results()
    sys.setprofile(rec)
    try:
        for ex in grading.EXERCISES:
            grading.specs(ex)
        rec.phase = "check"
        exercise_runs(log)
    finally:
        sys.setprofile(None)
    nodes = list(rec.index.values())
    import gc

    for obj in gc.get_objects():  # the functions never called, too (a judge may receive one as data)
        if isinstance(obj, types.FunctionType) and obj.__code__.co_filename in rec.files:
            nd = rec.node_of(obj.__code__)
            if nd is not None and nd.code_runtime is None:
                nd.code_runtime = obj.__code__
    near = set()
    for ex in grading.EXERCISES:
        for spec in grading.specs(ex).values():
            for h in spec.helpers:
                ref = grading.spec_for(h).reference if grading.spec_for(h) else None
                if ref is not None:
                    near.add(ref.__code__)
    return files, nodes, near, rec.calls


NEEDS_PYTHON = (3, 11)
"""The builder places each lambda by the columns of its compiled code (``co_positions``, Python 3.11+)."""


def build(dest, log=print):
    if sys.version_info < NEEDS_PYTHON:
        raise SystemExit("make release needs Python %d.%d or newer on the instructor's machine (it maps"
                         " compiled lambdas to their source columns); the class edition it builds runs on"
                         " every Python the course supports" % NEEDS_PYTHON)
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise SystemExit(f"{dest} exists and is not empty: give a new folder")
    files, nodes, near, calls = record(log)
    by_code = {nd.code_runtime: nd for nd in nodes if nd.code_runtime is not None}

    def fid(f):
        nd = by_code.get(getattr(f, "__code__", None))
        return nd.id if nd is not None and nd.keep is None else None

    classify(nodes, fid, calls)
    complete(nodes, {name.rsplit(".", 1)[1]: sys.modules[name] for name in files.values()}, calls)
    pool = {}
    data = {"tables": tables(nodes, fid, near, pool, log)}
    used = set(re.findall(r'"pool": "(\w+)"', json.dumps(data["tables"])))
    data["arrays"] = {k: v for k, v in pool.items() if k in used}  # not those of a row left out
    answer_files = {Path(p).resolve().relative_to(ROOT).as_posix(): p for p in files}
    for top in SHIPPED:
        src = ROOT / top
        if src.is_file():
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / top)
        elif src.is_dir():
            for f in sorted(src.rglob("*")):
                rel = f.relative_to(ROOT).as_posix()
                if (
                    f.is_dir()
                    or "__pycache__" in rel
                    or f.suffix in (".pyc", ".pyo")
                    or rel in LEFT_OUT
                    or ".ipynb_checkpoints" in rel
                    or ".egg-info" in rel
                ):
                    continue
                out = dest / rel
                out.parent.mkdir(parents=True, exist_ok=True)
                if rel in answer_files:
                    mine = [nd for nd in nodes if Path(nd.code.co_filename).resolve() == f.resolve()]
                    out.write_text(stubbed_source(f, mine))
                else:
                    shutil.copy2(f, out)
    (dest / "mlp_lib/grading/_release_data.json").write_text(json.dumps(data, separators=(",", ":")))
    (dest / "README.md").write_text(README)
    kept = sorted(f"{nd.id} {nd.code.co_name}: {nd.keep}" for nd in nodes if nd.keep)
    for line in kept:
        log(f"  kept: {line}")
    log(
        f"class edition in {dest}: {len(data['tables'])} answers recorded, {len(kept)} functions kept as code"
    )
    return {"answers": len(data["tables"]), "kept": kept}


README = """# Backpropagation from Scratch: class edition

The chapters, the exercises and the course's package `mlp_lib`, for a graded class.

    python -m venv .venv && .venv/bin/pip install -r requirements.txt
    .venv/bin/jupyter lab chapters/00_start_here.ipynb

Work through the chapters, then solve the notebooks in `exercises/`. In each
exercise notebook, `check(f)` runs your function on fixed cases and says what is
right and, where something is not, which mistake it looks like; `score_table()`
gives your points. Hand in the exercise notebooks; your instructor grades them.
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description="Build the class edition (no solutions, no reference code).")
    parser.add_argument("dest", help="a new or empty folder")
    args = parser.parse_args(argv)
    build(args.dest)


if __name__ == "__main__":
    main()
