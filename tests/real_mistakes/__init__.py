"""A catalogue of mistakes that real learners made and posted publicly, in this course's signatures.

Each module ``exNN.py`` holds a list ``MISTAKES`` of :class:`Mistake` entries:

- ``function``: the graded function the mistake lives in (``"mse_gradient"``, ``"hidden_delta"``, ...).
- ``code``: the buggy function, written afresh in the course's signature, keeping the bug's
  essence. It may define more than one function (e.g. a helper the graded one calls); every
  function it defines replaces the solution's, the rest of the solution is kept.
- ``bug``: one line on the bug as the poster had it.
- ``source``: the public address where the poster showed it (a question, a forum thread, an issue,
  a published notebook).
- ``cause``: alternative phrasings (regular expressions, case-insensitive) of the mistake's CAUSE,
  as a good tutor would say it; the grader's feedback must contain at least one of them. A
  symptom ("values differ", "a constant factor", "times the expected value") is not a cause.

``tests/test_real_mistakes.py`` injects each entry into the solution's namespace, grades the
function in this process (``mlp_lib.grading.run_checks``) and asserts that (a) it is caught (not
full marks) and (b) the grader's OWN words name the cause: the learner's code echoed in the
feedback (backticked spans and lines that occur in ``code``, an exception's own message, argument
lists "(called with ...)") is removed first, and so is every sentence the grader says about several unrelated cause-less
failures of the same function (noise added to the reference's output, two arbitrary constant
factors, an unrelated exception: see ``baseline_sentences``).

Measure the share caught and named, per exercise:

    python -m tests.real_mistakes.measure            # add -v to list every unnamed entry
"""

import copy
import dataclasses
import json
import linecache
import re
import textwrap
from pathlib import Path

import numpy as np

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"
NOTEBOOKS = {
    "ex01": "ex01_linear_regression",
    "ex02": "ex02_logistic_regression",
    "ex03": "ex03_backprop_one_hidden",
    "ex04": "ex04_deep_backprop",
    "ex05": "ex05_training",
    "ex06": "ex06_autodiff",
}


@dataclasses.dataclass(frozen=True)
class Mistake:
    function: str
    code: str
    bug: str
    source: str
    cause: tuple

    def __post_init__(self):
        if isinstance(self.cause, str):
            object.__setattr__(self, "cause", (self.cause,))


def solution_code(exercise):
    """The solution notebook's graded code: its imports, then every solution cell, as one source."""
    import ast

    nb = json.loads((SOLUTIONS / f"{NOTEBOOKS[exercise]}.ipynb").read_text())
    imports, cells = [], []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"])
        role = cell.get("metadata", {}).get("mlp_course", {}).get("role")
        if role == "solution":
            cells.append(src)
            continue
        try:
            tree = ast.parse(src)
        except SyntaxError:  # IPython magics
            tree = ast.parse("\n".join(l for l in src.splitlines() if not l.lstrip().startswith(("%", "!"))))
        imports += [ast.unparse(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    return "\n".join(imports) + "\n\n" + "\n\n".join(cells)


_CODE = {}


def namespace(exercise, extra=""):
    """The solution's namespace, then ``extra`` defined over it (its source in linecache, as in a notebook)."""
    if exercise not in _CODE:
        _CODE[exercise] = compile(solution_code(exercise), f"<solution-{exercise}>", "exec")
    ns = {"np": np, "__name__": "__main__"}
    exec(_CODE[exercise], ns)
    if extra:
        src = textwrap.dedent(extra).strip("\n") + "\n"
        filename = f"<learner-{abs(hash(src))}>"
        linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
        exec(compile(src, filename, "exec"), ns)
    return ns


def grade(exercise, function, extra=""):
    """The CheckResults of ``function`` in the solution namespace with ``extra`` injected."""
    from mlp_lib.grading import run_checks

    return run_checks(namespace(exercise, extra)[function], function)


def feedback_text(results):
    return "\n".join(f"{r.name}: {r.feedback}" for r in results if not r.passed)


def caught(results):
    return sum(r.points for r in results) < sum(r.max_points for r in results) - 1e-9


# ---------------------------------------------------------------- the grader's own words

_NUM = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?", re.I)


def _norm(sentence):
    s = re.sub(r"\[[^\]]*\]", "[]", sentence)      # printed arrays
    s = re.sub(r"\([^()]*\)", lambda m: m.group(0) if len(m.group(0)) < 4 else "()", s)
    s = _NUM.sub("#", s)
    return re.sub(r"\s+", " ", s).strip().lower()


def strip_echo(text, code=""):
    """Remove from feedback what is not the grader's own words: the learner's code it quotes, the
    message of an exception the learner's code raised, and the argument lists it prints."""
    code_lines = {l.strip() for l in textwrap.dedent(code).splitlines() if l.strip()}
    compact = re.sub(r"\s+", "", code)

    def unquote(m):
        inner = m.group(1)
        if inner.strip() in code_lines or (len(inner) > 2 and re.sub(r"\s+", "", inner) in compact):
            return "`…`"
        return m.group(0)

    text = re.sub(r"`([^`\n]*)`", unquote, text)
    # an exception's own message is Python's or NumPy's words, not the grader's
    text = re.sub(r"(raised \w+:) .*?(?= in the line `| \(called with|\n|$)", r"\1 …", text, flags=re.S)
    text = _drop_called_with(text)
    text = re.sub(r"with arguments? [^.;:\n]*", "", text)
    lines = [l for l in text.splitlines() if l.strip() not in code_lines]
    return "\n".join(lines)


def _drop_called_with(text):
    """Remove every "(called with ...)" with its nested parentheses."""
    while True:
        start = text.find("(called with")
        if start < 0:
            return text
        depth, end = 0, len(text)
        for i in range(start, len(text)):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            if depth == 0:
                end = i + 1
                break
        text = text[:start] + text[end:]


def sentences(text):
    parts = re.split(r"(?<=[.!?:;])\s+|\n", text)
    return [p.strip() for p in parts if p.strip()]


BASELINE = {
    # cause-less failures: whatever the grader says about them names no cause (for train, the
    # reference's trained model with its weights drowned in noise, or its classes rotated)
    "noise": "    out = {ref}\n    return _noise(out)",
    "factor": "    out = {ref}\n    return _scale(out, 1.37)",
    "other factor": "    out = {ref}\n    return _scale(out, 0.61)",
    "raises": "    raise ValueError('an unrelated failure')",
}


def _noise(out, scale=0.3):
    rng = np.random.default_rng(12345)
    if hasattr(out, "layers"):  # a trained model: noise on every weight, far larger than the weights
        out = copy.deepcopy(out)
        for layer in out.layers:
            layer.W = layer.W + 3.0 * (np.abs(layer.W).max() + 1.0) * rng.standard_normal(layer.W.shape)
        return out
    if isinstance(out, tuple):
        return tuple(_noise(o, scale) for o in out)
    if isinstance(out, list):
        return [_noise(o, scale) for o in out]
    if isinstance(out, (float, np.floating)):
        return float(out) + scale * (1 + abs(float(out)))
    if isinstance(out, np.ndarray):
        return out + scale * (1 + np.abs(out)) * rng.standard_normal(out.shape)
    return out


def _scale(out, f):
    if hasattr(out, "layers"):  # a trained model: the output layer's classes rotated
        out = copy.deepcopy(out)
        shift = 1 + int(round(10 * f)) % (out.layers[-1].W.shape[1] - 1)
        out.layers[-1].W = np.roll(out.layers[-1].W, shift, axis=1)
        out.layers[-1].b = np.roll(out.layers[-1].b, shift)
        return out
    if isinstance(out, tuple):
        return tuple(_scale(o, f) for o in out)
    if isinstance(out, list):
        return [_scale(o, f) for o in out]
    if isinstance(out, (float, np.floating, np.ndarray)):
        return out * f
    return out


_BASELINE_CACHE = {}


def baseline_sentences(exercise, function):
    """Normalised sentences the grader says about at least two of the cause-less failures of ``function``
    (the words it prints for every failure: check names, "differs from the expected values", ...)."""
    key = (exercise, function)
    if key in _BASELINE_CACHE:
        return _BASELINE_CACHE[key]
    import inspect

    ref = namespace(exercise)[function]
    params = list(inspect.signature(ref).parameters.values())
    sig = ", ".join(p.name if p.default is inspect._empty else f"{p.name}={p.default!r}" for p in params)
    call = ", ".join(p.name for p in params)
    seen = {}
    for body in BASELINE.values():
        if inspect.isgeneratorfunction(ref):
            body = body.replace("{ref}", f"list(_ref({call}))").replace("return ", "yield from ")
        else:
            body = body.replace("{ref}", f"_ref({call})")
        src = f"def {function}({sig}):\n{body}\n"
        ns = namespace(exercise)
        ns.update(_ref=ref, _noise=_noise, _scale=_scale)
        exec(compile(src, f"<baseline-{function}>", "exec"), ns)
        from mlp_lib.grading import run_checks

        results = run_checks(ns[function], function)
        for s in {_norm(s) for s in sentences(strip_echo(feedback_text(results), src))}:
            seen[s] = seen.get(s, 0) + 1
    found = {s for s, n in seen.items() if n >= 2}
    _BASELINE_CACHE[key] = found
    return found


def own_words(exercise, mistake, results):
    """The grader's own words about this mistake: echo and baseline sentences removed."""
    base = baseline_sentences(exercise, mistake.function)
    text = strip_echo(feedback_text(results), mistake.code)
    kept = []
    for s in sentences(text):
        # drop the check's name prefix "name: " when judging whether a sentence is generic
        if _norm(s) in base:
            continue
        kept.append(s)
    return "\n".join(kept)


def named(exercise, mistake, results):
    words = own_words(exercise, mistake, results)
    return any(re.search(c, words, re.I | re.S) for c in mistake.cause)


def catalogue():
    """[(exercise, index, Mistake)] of every module."""
    import importlib

    out = []
    for ex in NOTEBOOKS:
        module = importlib.import_module(f"tests.real_mistakes.{ex}")
        out += [(ex, i, m) for i, m in enumerate(module.MISTAKES)]
    return out
