"""The machinery every exercise's checks share: calls, checks, verdicts, diagnosis helpers.

A graded function has a ``FunctionSpec``: its name, its parameters and an
ordered list of ``Check``s (shapes first, then values, then properties).
A check makes its ``Call``s (fresh, seeded random cases), a runner executes
them (in this process for ``check(f)`` in a notebook; in the learner's kernel
for the command-line grader), and the check's ``judge`` turns the returned
data into a verdict. Judges raise ``Mismatch(message)`` to fail; the message
is what the learner reads, so it says what was expected, what came back and,
where the answer matches a known mistake, which mistake.
"""

import numpy as np

from mlp_lib.grading import _calls

# ---------------------------------------------------------------- calls


class Rng:
    """An argument that becomes ``np.random.default_rng(seed)`` on the learner's side."""

    def __init__(self, seed):
        self.seed = int(seed)


class Fn:
    """An argument that becomes a function on the learner's side: ``eval(src)`` with ``data`` names."""

    def __init__(self, src, **data):
        self.src = src
        self.data = data

    def local(self):
        env = {"np": np}
        env.update(self.data)
        return eval(self.src, env)


def _encode_arg(a):
    if isinstance(a, Rng):
        return {"__rng": a.seed}
    if isinstance(a, Fn):
        return {"__fn": a.src, "data": {k: _calls.encode(v) for k, v in a.data.items()}}
    return _calls.encode(a)


class Call:
    """One call of the learner's function: positional and keyword arguments, and an optional post step.

    post: None; "materialize" (turn the returned iterable into a list); or
    ("predict", X) (call the returned model's predict/forward on X).
    """

    def __init__(self, key, *args, post=None, **kwargs):
        self.key = key
        self.args = args
        self.kwargs = kwargs
        self.post = post

    def encode(self):
        post = None
        if self.post == "materialize":
            post = {"kind": "materialize"}
        elif isinstance(self.post, tuple) and self.post[0] == "predict":
            post = {"kind": "predict", "X": _calls.encode(self.post[1])}
        return {"key": self.key, "args": [_encode_arg(a) for a in self.args],
                "kwargs": {k: _encode_arg(v) for k, v in self.kwargs.items()}, "post": post}

    def arg(self, i):
        return self.args[i]


class Result:
    """What one call returned, decoded: ``value``, or ``exc`` (dict), ``warnings``, ``changed`` args."""

    def __init__(self, call, raw):
        self.call = call
        self.status = raw.get("status", "error")
        self.exc = raw.get("exc")
        self.seconds = raw.get("seconds", 0.0)
        self.warnings = [tuple(w) for w in raw.get("warnings", [])]
        self.value = _calls.decode(raw.get("value")) if self.status == "ok" else None
        prints = raw.get("arg_prints", [])
        self.changed = [
            i for i, a in enumerate(call.args)
            if _calls.fingerprint(a) is not None and i < len(prints) and prints[i] != _calls.fingerprint(a)
        ]


class Timeout(Exception):
    """The learner's function did not finish within the time limit."""


class KernelDied(Exception):
    """The kernel running the learner's code died (os._exit, exit(), out of memory)."""


class Missing(Exception):
    """The notebook defines no function of that name."""


class LocalRunner:
    """Runs calls on a function object in this process (``check(f)`` in a notebook)."""

    def __init__(self, func, timeout=60.0):
        self.func = func
        self.timeout = timeout

    def run(self, name, calls, timeout=None):
        from mlp_lib._timeout import time_limit  # signal timer, or a watchdog thread (Windows)

        encoded = [c.encode() for c in calls]
        with time_limit(timeout or self.timeout, Timeout):
            raw = _calls.execute_batch(self.func, encoded)
        return [Result(c, r) for c, r in zip(calls, raw)]


# ---------------------------------------------------------------- checks


class Mismatch(Exception):
    """Raised by a judge: the message is the learner's feedback."""


class Check:
    """One graded check: a name, points, the calls it makes and the judge of their results.

    make_calls() -> list of Call; judge(results) -> None, or raises Mismatch.
    gate: when it fails, the later checks of the function are skipped
    (values are not compared while the shapes are wrong).
    """

    def __init__(self, name, make_calls, judge, points=1.0, gate=False, allow_errors=False):
        self.name = name
        self.make_calls = make_calls
        self.judge = judge
        self.points = float(points)
        self.gate = gate
        self.allow_errors = allow_errors


class FunctionSpec:
    """A graded function: name, parameter names, ordered checks, and hints for lines that raised.

    line_hints: [(regex, text)]; when the function raises in a line matching
    regex, the text is the hint (e.g. the output layer fed with X instead of H).
    """

    def __init__(self, name, params, checks, doc="", line_hints=()):
        self.name = name
        self.params = params
        self.checks = checks
        self.doc = doc
        self.line_hints = list(line_hints)


class CheckResult:
    def __init__(self, function, name, passed, points, max_points, feedback):
        self.function = function
        self.name = name
        self.passed = passed
        self.points = points
        self.max_points = max_points
        self.feedback = feedback

    def as_dict(self):
        return {"function": self.function, "name": self.name, "passed": self.passed,
                "points": self.points, "max_points": self.max_points, "feedback": self.feedback}


NOT_DONE = "not done yet: replace the line `raise NotImplementedError(...)` with your code"


def grade_function(spec, runner, timeout=None):
    """Run every check of ``spec`` with ``runner``; return a list of CheckResult."""
    out = []
    skip_reason = None
    cache = {}  # call key -> Result or the exception it raised: each distinct call runs once
    for check in spec.checks:
        def result(passed, feedback, check=check):
            out.append(CheckResult(spec.name, check.name, passed,
                                   check.points if passed else 0.0, check.points, feedback))
        if skip_reason:
            result(False, skip_reason)
            continue
        try:
            calls = check.make_calls()
            todo = [c for c in calls if c.key not in cache]
            if todo:
                try:
                    for c, r in zip(todo, runner.run(spec.name, todo, timeout)):
                        cache[c.key] = r
                except (Timeout, KernelDied) as exc:
                    for c in todo:
                        cache[c.key] = exc
            for c in calls:
                if isinstance(cache[c.key], Exception):
                    raise cache[c.key]
            results = [cache[c.key] for c in calls]
            if not check.allow_errors:
                for r in results:
                    if r.status == "error":
                        raise Mismatch(explain_exception(spec, r))
            check.judge(results)
        except Mismatch as exc:
            msg = str(exc)
            result(False, msg)
            if msg.startswith("not done yet"):
                skip_reason = "not done yet"
            elif check.gate:
                skip_reason = f"not checked until '{check.name}' passes"
            continue
        except Timeout:
            limit = f"{timeout:g} s" if timeout else "the time limit"
            result(False, f"stopped after {limit}: the function did not finish"
                          " (an endless loop, or far too many steps?)")
            continue
        except KernelDied:
            result(False, "the Python kernel died while running your function"
                          " (does it call sys.exit, os._exit or exit(), or use all the memory?)")
            continue
        except Missing as exc:
            msg = str(exc) or f"your notebook does not define a function called {spec.name}"
            result(False, msg)
            skip_reason = msg
            continue
        result(True, "ok")
    return out


def summary_line(name, results):
    got = sum(r.points for r in results)
    top = sum(r.max_points for r in results)
    n_ok = sum(r.passed for r in results)
    if n_ok == len(results):
        return f"✓ {name}: all checks passed ({n_ok}/{len(results)})"
    if results and results[0].feedback.startswith("not done yet"):
        return f"… {name}: {NOT_DONE}"
    return f"✗ {name}: {n_ok}/{len(results)} checks passed ({got:g}/{top:g} points)"


def format_verdict(name, results):
    """The text ``check(f)`` prints: one summary line, then the failed checks and their feedback."""
    lines = [summary_line(name, results)]
    if all(r.passed for r in results) or (results and results[0].feedback.startswith("not done yet")):
        return "\n".join(lines)
    for r in results:
        mark = "✓" if r.passed else "✗"
        if r.passed:
            lines.append(f"  {mark} {r.name}")
        else:
            body = r.feedback.replace("\n", "\n      ")
            lines.append(f"  {mark} {r.name}: {body}")
    return "\n".join(lines)


# ---------------------------------------------------------------- diagnosis helpers

_HINTS = [
    (("matmul", "not aligned", "core dimension"),
     "a matrix product got shapes that do not fit: check which factor needs a transpose (.T)."
     " Samples are rows: X is (m, n), W is (n_in, n_out), delta is (m, n_out)."),
    (("could not be broadcast",),
     "two arrays whose shapes do not broadcast: a missing transpose, a sum over the wrong axis,"
     " or a missing keepdims=True?"),
    (("out of bounds for array of dimension", "axis 1 is out of bounds"),
     "an axis that the array does not have: 1-D arrays have only axis 0."),
    (("is not defined",),
     "the function uses a name it does not define: use only its arguments, not the notebook's"
     " variables (they are not there when the grader calls your function), and check the spelling."),
    (("NoneType",),
     "something in your code is None: did a helper forget its `return`?"),
    (("takes", "positional argument"),
     "the function has a different number of parameters than the exercise asks for."),
    (("unexpected keyword argument",),
     "the function has a different parameter name than the exercise asks for."),
    (("cannot unpack", "too many values to unpack", "not enough values to unpack"),
     "unpacking the wrong number of values: check what each of your helper functions returns."),
    (("maximum recursion depth",), "the function calls itself without end."),
    (("division by zero",), "a division by zero."),
]


def explain_exception(spec, result):
    """One short paragraph about an exception raised by the learner's function, with a hint."""
    exc = result.exc or {}
    kind = exc.get("type", "Error")
    message = exc.get("message", "")
    if kind == "NotImplementedError":
        return NOT_DONE
    where = ""
    if exc.get("line"):
        where = f" in the line `{exc['line']}`"
    hint = ""
    low = f"{kind}: {message}"
    for needles, text in _HINTS:
        if any(n in low for n in needles):
            hint = " Hint: " + text
            break
    if kind == "SystemExit":
        hint = " Hint: never call sys.exit() or exit() in an exercise function."
    import re

    for pattern, text in getattr(spec, "line_hints", []):
        if exc.get("line") and re.search(pattern, exc["line"]):
            hint = " Hint: " + text
            break
    args = ", ".join(f"{p}{_shape_of(a)}" for p, a in zip(spec.params, result.call.args))
    short = message if len(message) < 200 else message[:200] + "..."
    return f"raised {kind}: {short}{where} (called with {args}).{hint}"


def _shape_of(a):
    if isinstance(a, np.ndarray):
        return f" of shape {a.shape}"
    if isinstance(a, (int, float)):
        return f"={a:g}"
    return ""


def describe(value):
    """Plain words for a returned value: 'None', 'a str', 'an array of shape (3, 2)'."""
    if value is None:
        return "None"
    if isinstance(value, str):
        return f"the string {value[:40]!r}"
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return f"the number {float(value):.6g}"
        return f"an array of shape {value.shape}"
    if isinstance(value, bool):
        return f"the bool {value}"
    if isinstance(value, (int, float)):
        return f"the number {value:.6g}"
    if isinstance(value, tuple):
        return f"a tuple of {len(value)} items"
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    if isinstance(value, _calls.Opaque):
        return f"a {value.type_name} object"
    return f"a {type(value).__name__}"


def need_array(value, shape, what="the result"):
    """``value`` as a float array of ``shape``, or Mismatch with a hint about the shape."""
    if value is None:
        raise Mismatch(f"{what} is None: did you forget the `return` statement?")
    if isinstance(value, str):
        raise Mismatch(f"{what} is {describe(value)}, expected an array of shape {shape}.")
    if isinstance(value, (list, tuple)):
        try:
            value = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise Mismatch(f"{what} is {describe(value)}, expected an array of shape {shape}.") from None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = np.asarray(float(value))
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
        raise Mismatch(f"{what} is {describe(value)}, expected an array of shape {shape}.")
    shape = tuple(shape)
    if value.shape != shape:
        got = value.shape
        hint = ""
        if value.ndim == 0:
            hint = (" You returned a single number: summed over all axes? Sum over the rows only"
                    " (axis=0), or check where a sum or mean was taken too early.")
        elif len(shape) == 2 and got == shape[::-1]:
            hint = " That is the transpose of the expected shape: swap the factors or the .T."
        elif len(shape) == 1 and got in ((shape[0], 1), (1, shape[0])):
            hint = " Flatten it (reshape(-1)) or keep 1-D vectors 1-D."
        elif len(shape) == 2 and got == (shape[1],) and value.size != np.prod(shape):
            hint = " Summed over the wrong axis?"
        elif len(shape) == 1 and len(got) == 1:
            hint = " Summed or averaged over the wrong axis?"
        elif len(shape) == 1 and len(got) == 2 and shape[0] in got:
            hint = " Did you forget a sum over the rows (axis=0), or is a vector 2-D?"
        raise Mismatch(f"{what} has shape {got}, expected {shape}.{hint}")
    return value.astype(float)


def need_number(value, what="the result", shape_hint=""):
    """``value`` as a float; a Python float, a NumPy float or a 0-d array are all fine."""
    if value is None:
        raise Mismatch(f"{what} is None: did you forget the `return` statement?")
    if isinstance(value, bool) or isinstance(value, str) or isinstance(value, _calls.Opaque):
        raise Mismatch(f"{what} is {describe(value)}, expected a single number (a float).")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        if value.size == 1 and value.ndim <= 2:
            return float(value.reshape(-1)[0])
        raise Mismatch(f"{what} is {describe(value)}, expected a single number (a float)."
                       f" Did you forget to sum or average{shape_hint}?")
    raise Mismatch(f"{what} is {describe(value)}, expected a single number (a float).")


def need_tuple(value, n, names, what="the result"):
    if value is None:
        raise Mismatch(f"{what} is None: did you forget the `return` statement?"
                       f" Return ({', '.join(names)}).")
    if not isinstance(value, (tuple, list)) or len(value) != n:
        raise Mismatch(f"{what} is {describe(value)}, expected a tuple of {n}: ({', '.join(names)}).")
    return list(value)


def close(a, b, rtol=1e-5, atol=1e-8):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return False
    if not np.all(np.isfinite(a)) or not np.all(np.isfinite(b)):
        return bool(np.array_equal(a, b, equal_nan=True))
    scale = max(1.0, float(np.max(np.abs(b))) if b.size else 1.0)
    return bool(np.allclose(a, b, rtol=rtol, atol=atol * scale))


def _fmt(a, n=4):
    a = np.asarray(a, dtype=float)
    if a.ndim == 0:
        return f"{float(a):.6g}"
    flat = a.reshape(-1)
    body = ", ".join(f"{x:.4g}" for x in flat[:n])
    return f"[{body}{', ...' if flat.size > n else ''}]"


def ratio_diagnosis(gots, exps, ms, what):
    """If every got = r * expected for one r, name r in plain words; else None."""
    ratios = []
    for g, e in zip(gots, exps):
        g = np.asarray(g, dtype=float).reshape(-1)
        e = np.asarray(e, dtype=float).reshape(-1)
        ee = float(e @ e)
        if ee < 1e-300:
            return None
        r = float(g @ e) / ee
        if not close(g, r * e, rtol=1e-4, atol=1e-10):
            return None
        ratios.append(r)
    if not ratios:
        return None
    ms = [float(m) for m in ms]
    def all_near(values):
        return all(abs(r - v) <= 1e-3 * max(1.0, abs(v)) for r, v in zip(ratios, values))
    table = [
        ([-1.0] * len(ms), "has the opposite sign: a sign is flipped (t - y instead of y - t, or"
                           " + instead of - somewhere), which would make gradient descent climb"),
        ([2.0] * len(ms), "is twice the expected value: an extra factor 2"),
        ([0.5] * len(ms), "is half the expected value: a missing factor 2"),
        ([-2.0] * len(ms), "is -2 times the expected value: a flipped sign and an extra factor 2"),
        ([-0.5] * len(ms), "is -1/2 times the expected value: a flipped sign and a missing factor 2"),
        (ms, "is m times too large: the mean's 1/m is missing (a sum instead of a mean)"),
        ([1.0 / m for m in ms], "is m times too small: 1/m is applied twice"),
        ([-m for m in ms], "is -m times the expected value: a flipped sign and a missing 1/m"),
        ([2.0 * m for m in ms], "is 2m times too large: the 1/m and the factor 2 are both missing"),
        ([m / 2.0 for m in ms], "is m/2 times too large: the 1/m is missing and the factor 2 too"),
        ([0.5 / m for m in ms], "is 2m times too small: 1/m applied twice and a missing factor 2"),
        ([2.0 / m for m in ms], "is m/2 times too small: 1/m applied twice and an extra factor 2"),
        ([0.0] * len(ms), "is all zeros"),
    ]
    for values, text in table:
        if all_near(values):
            return f"{what} {text}."
    if len(set(round(r, 6) for r in ratios)) == 1:
        return f"{what} is {ratios[0]:.4g} times the expected value: a wrong constant factor."
    return None


def compare_values(name, gots, exps, calls, mistakes=(), ms=None, describe_case=None,
                   rtol=1e-5, atol=1e-8):
    """Compare one output (``name``) over all cases; raise Mismatch naming the mistake if any.

    gots, exps: lists of arrays (one per case); mistakes: list of (text, list
    of arrays the mistake would give on each case); ms: batch size m per case.
    """
    bad = [i for i, (g, e) in enumerate(zip(gots, exps)) if not close(g, e, rtol, atol)]
    if not bad:
        return
    for g in gots:
        if not np.all(np.isfinite(np.asarray(g, dtype=float))):
            raise Mismatch(f"{name} contains NaN or inf: an overflow, a log of 0, or a division by 0?")
    for text, outs in mistakes:
        if outs is None:
            continue
        if all(o is not None and close(g, o, rtol, atol) for g, o in zip(gots, outs)):
            return_text = text if text.endswith((".", "?", ")")) else text + "."
            raise Mismatch(f"{name} is wrong: {return_text}")
    if ms is not None:
        diag = ratio_diagnosis(gots, exps, ms, name)
        if diag:
            raise Mismatch(diag)
    i = bad[0]
    case = describe_case(calls[i]) if describe_case else ""
    g = np.asarray(gots[i], dtype=float)
    e = np.asarray(exps[i], dtype=float)
    err = float(np.max(np.abs(g - e))) if g.shape == e.shape else float("nan")
    raise Mismatch(f"{name} differs from the expected values{case}: expected {_fmt(e)},"
                   f" got {_fmt(g)} (largest difference {err:.3g}).")


def unchanged(spec, results):
    """Mismatch if any call changed an array argument in place."""
    for r in results:
        if r.changed:
            names = ", ".join(f"`{spec.params[i]}`" for i in r.changed)
            raise Mismatch(
                f"your function changed its argument {names} in place (an in-place operation such as"
                " `x -= ...`, `x *= ...`, `x[...] = ...`, `np.random.shuffle(x)` or out=...):"
                " the input was mutated. Work on a copy (`x = x.copy()`) or build new arrays."
            )


def no_warnings(results, what="at extreme inputs", hint=""):
    for r in results:
        if r.warnings:
            kind, msg = r.warnings[0]
            raise Mismatch(f"{kind} {what}: {msg}. This is an unstable exp or log: rewrite it so"
                           f" that exp never sees a large positive number and log never sees 0.{hint}")


# ---------------------------------------------------------------- building blocks for the exercises


def _safe(fn, call):
    try:
        with np.errstate(all="ignore"):
            out = fn(call)
        return out
    except Exception:
        return None


def value_judge(parse, ref, mistakes, names, m_of=None, rtol=1e-5, atol=1e-8, describe_case=None):
    """A judge comparing every output component with ``ref`` and naming matching ``mistakes``.

    parse(value, call) -> list of arrays (raises Mismatch for bad types/shapes);
    ref(call) -> list of expected arrays; mistakes: [(text, fn(call) -> list of
    arrays the mistake gives)]; names: a name per component; m_of(call) -> m.
    """
    def judge(results):
        gots = [parse(r.value, r.call) for r in results]
        calls = [r.call for r in results]
        exps = [ref(c) for c in calls]
        ms = [m_of(c) for c in calls] if m_of else None
        outs = [(text, [_safe(fn, c) for c in calls]) for text, fn in mistakes]
        problems = []
        for k, name in enumerate(names):
            g_k = [g[k] for g in gots]
            e_k = [e[k] for e in exps]
            cands = []
            for text, per_case in outs:
                vals = [None if o is None else o[k] for o in per_case]
                if any(v is None for v in vals):
                    continue
                if all(close(v, e) for v, e in zip(vals, e_k)):
                    continue  # this mistake does not change component k
                cands.append((text, vals))
            try:
                compare_values(name, g_k, e_k, calls, cands, ms, describe_case, rtol, atol)
            except Mismatch as exc:
                problems.append(str(exc))
        if problems:
            raise Mismatch("\n".join(problems))
    return judge


def unchanged_check(spec_params, make_calls, name="inputs unchanged"):
    class _S:
        params = spec_params
    return Check(name, make_calls, lambda results: unchanged(_S, results))
