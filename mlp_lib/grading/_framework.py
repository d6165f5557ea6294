"""Declaring a graded function, and grading it: checks, points, verdicts.

``graded(...)`` declares a graded function from data: its parameters, a case
generator, the shape contract of what it returns, a reference, its known
mistakes ``{cause text: function}`` and properties. It builds the standard
checks: a gate (types and shapes), the values (naming a known mistake or a
general one: a factor m, a flipped sign, a log base 2, ...), then properties
(inputs unchanged). A special judge (a function raising ``Mismatch``) takes
the place of the value comparison where one is needed.

Points only for real answers: the gate and the property checks earn their
points only when the values are right too.
"""

import numpy as np

from mlp_lib.grading._diagnosing import (  # noqa: F401  (re-exported for the exercise modules)
    NOT_DONE,
    Mismatch,
    NotRecorded,
    _finish,
    close,
    diagnose,
    divisors_of,
    explain_exception,
    need_array,
    need_number,
    need_tuple,
    no_warnings,
    report,
    unchanged,
)
from mlp_lib.grading._running import (  # noqa: F401  (re-exported: the grader's runners use them)
    Call,
    Fn,
    KernelDied,
    LocalRunner,
    Missing,
    Result,
    Rng,
    Timeout,
    Unsendable,
)

# ---------------------------------------------------------------- checks


class Check:
    """One graded check: a name, points, the calls it makes and the judge of their results.

    make_calls(seed) -> list of Call; judge(results) -> None, or raises Mismatch.
    gate: when it fails, the later checks of the function are skipped.
    after_values: skipped while a values check fails (so that its hint is not a false one).
    role: "gate", "values" or "property"; gate and property checks earn their
    points only when every "values" check of the function passes.
    """

    def __init__(self, name, make_calls, judge, points=1.0, gate=False, role="values", allow_errors=False,
                 after_values=False):
        self.name = name
        self.after_values = after_values
        self.make_calls = make_calls
        self.judge = judge
        self.points = float(points)
        self.gate = gate
        self.role = role
        self.allow_errors = allow_errors


class FunctionSpec:
    """A graded function: name, parameter names, ordered checks, hints for lines that raised.

    reference: the correct function (used in place of a learner's helper to
    tell whose mistake it is); helpers: names of graded functions this one
    may call; note_helpers_ruled_out: say so in the feedback when the helpers
    are not the cause.
    """

    def __init__(self, name, params, checks, line_hints=(), reference=None, helpers=(),
                 note_helpers_ruled_out=False):
        self.name = name
        self.note_helpers_ruled_out = note_helpers_ruled_out
        self.params = list(params)
        self.checks = checks
        self.line_hints = list(line_hints)
        self.reference = reference
        self.helpers = list(helpers)


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


def case_rng(base, seed):
    """The generator of a function's cases: fixed (``seed=None``, the notebook's check()) or fresh."""
    return np.random.default_rng(base if seed is None else [int(seed) % 2 ** 63, base])


def _run(spec, runner, calls, timeout, cache, replace=None):
    todo = [c for c in calls if c.key not in cache]
    if todo:
        try:
            out = runner.run(spec.name, todo, timeout, replace=replace) if replace else \
                runner.run(spec.name, todo, timeout)
            for c, r in zip(todo, out):
                cache[c.key] = r
        except (Timeout, KernelDied) as exc:
            for c in todo:
                cache[c.key] = exc
    for c in calls:
        if isinstance(cache[c.key], Exception):
            raise cache[c.key]
    return [cache[c.key] for c in calls]


def _judge(spec, check, results):
    if not check.allow_errors:
        for r in results:
            if r.status == "error" and not getattr(r.call, "optional", False):
                raise Mismatch(explain_exception(spec, r))
    with np.errstate(all="ignore"):  # the learner's values may hold NaN, inf or zeros
        check.judge(results)


def grade_function(spec, runner, timeout=None, seed=None):
    """Run every check of ``spec`` with ``runner``; return a list of CheckResult.

    seed: None draws the fixed cases (the notebook's check()); an int draws
    every case from a fresh generator derived from it (the grader's --seed).
    """
    out = []
    skip_reason = None
    cache = {}  # call key -> Result or the exception it raised: each distinct call runs once
    calls_of = {}
    for check in spec.checks:
        def result(passed, feedback, check=check):
            out.append(CheckResult(spec.name, check.name, passed,
                                   check.points if passed else 0.0, check.points, feedback))
        if skip_reason:
            result(False, skip_reason)
            continue
        if check.after_values and not all(r.passed for c, r in zip(spec.checks, out) if c.role == "values"):
            result(False, "not checked until the values are right")
            continue
        try:
            calls_of[check] = check.make_calls(seed)
            _judge(spec, check, _run(spec, runner, calls_of[check], timeout, cache))
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
    _attribute_to_helpers(spec, runner, timeout, out, calls_of, seed)
    _points_only_for_right_values(spec, out)
    return out


def _points_only_for_right_values(spec, out):
    values_ok = all(r.passed for c, r in zip(spec.checks, out) if c.role == "values")
    if values_ok:
        return
    for c, r in zip(spec.checks, out):
        if c.role != "values" and r.passed:
            r.points = 0.0
            r.feedback = "right, but it earns its points only once the values are right too"


def _attribute_to_helpers(spec, runner, timeout, out, calls_of, seed):
    """A wrong value caused by a wrong helper: run again with the reference helpers in their place.

    When that makes the values right, the helper is named as the cause and
    this function earns the points of those checks.
    """
    import inspect

    failed = [(c, r) for c, r in zip(spec.checks, out) if c.role != "property" and not r.passed]
    if not failed or not spec.helpers or not any(c.role == "values" for c, _ in failed):
        return
    if "replace" not in inspect.signature(runner.run).parameters:
        return  # this runner cannot put reference helpers in place
    from mlp_lib.grading import spec_for

    refs = {h: spec_for(h).reference for h in spec.helpers if spec_for(h).reference}

    def right_with(names):
        try:
            for c, _ in failed:
                calls = calls_of.get(c) or c.make_calls(seed)
                results = _run(spec, runner, calls, timeout, {}, replace={h: refs[h] for h in names})
                if any((r.exc or {}).get("type") == NotRecorded.__name__ for r in results):
                    raise NotRecorded(f"no recorded answers of the reference helpers inside `{spec.name}`")
                _judge(spec, c, results)
            return True
        except NotRecorded:
            raise
        except (Mismatch, Timeout, KernelDied, Missing):
            return False

    try:
        helpers_right = right_with(list(refs))
        culprits = [h for h in refs if not right_with([g for g in refs if g != h])] if helpers_right else []
    except Unsendable:  # a reference the runner cannot put in place: no attribution
        return
    except NotRecorded:  # the class edition: the reference helpers' answers here were never recorded
        for c, r in failed if spec.note_helpers_ruled_out else ():
            if c.role == "values":
                r.feedback += (f"\nNot attributed: the class edition cannot re-run your `{spec.name}` with"
                               f" the reference helpers ({', '.join(refs)}) in place of yours, so it cannot"
                               f" tell whether the mistake is in `{spec.name}` or in a helper (see their own"
                               " checks); the instructor's grader can.")
        return
    if not helpers_right:
        for c, r in failed if spec.note_helpers_ruled_out else ():
            if c.role != "values":
                continue
            r.feedback += (f"\nRuled out: your helpers ({', '.join(refs)}); with the reference helpers in"
                           f" their place it still fails, so the mistake is in `{spec.name}` itself.")
        return
    culprits = culprits or list(refs)
    names = " and ".join(f"`{h}`" for h in culprits)
    for _, r in failed:
        r.passed = True
        r.points = r.max_points
        r.feedback = (f"the mistake is in your helper {names} (see its own checks), which `{spec.name}`"
                      f" calls: with a correct {names} in its place, your `{spec.name}` is right, so it"
                      f" earns these points. Fix the helper and this function is right too.")


# ---------------------------------------------------------------- declaring a graded function


def contract(returns):
    """A parse(value, call) -> list of float arrays from a contract.

    returns: a callable parse; or a list of (name, shape) where shape is
    ``float`` (a single number) or a function of the call's arguments giving
    the array's shape. Several components make a tuple.
    """
    if callable(returns):
        return returns

    def component(value, shape, name, args):
        if shape is float:
            return np.asarray(need_number(value, name, " over the samples"))
        return need_array(value, shape(*args), name)

    def parse(value, call):
        args = call.args
        if len(returns) == 1:
            (name, shape), = returns
            return [component(value, shape, name, args)]
        parts = need_tuple(value, [n for n, _ in returns])
        return [component(v, shape, name, args) for v, (name, shape) in zip(parts, returns)]
    return parse


def _as_list(out, k):
    if out is None:
        return None
    return list(out) if k > 1 else [out]


def _apply(fn, call, k):
    try:
        with np.errstate(all="ignore"):
            return _as_list(call.apply(fn), k)
    except Exception:
        return None


def _integer_inputs(params, calls, bad):
    """The cause when exactly the cases with an integer array argument are wrong, else None."""
    ints = [i for i, c in enumerate(calls)
            if any(isinstance(a, np.ndarray) and a.dtype.kind in "iu" for a in c.args)]
    if not bad or set(bad) != set(ints) or len(bad) == len(calls):
        return None
    c = calls[ints[0]]
    p = next((params or [])[k] if k < len(params or []) else "the input" for k, a in enumerate(c.args)
             if isinstance(a, np.ndarray) and a.dtype.kind in "iu")
    return (f"it is wrong only when {p} is an integer array: an array made from it, np.zeros_like({p}) or"
            f" {p}.copy(), keeps its integer dtype, so every value written into it is truncated to an"
            f" integer. Make float arrays: np.zeros({p}.shape) or {p}.astype(float).")


def _common_factor(gots, outs):
    """c when every got = c * out (one c for all cases, c not 0 or 1), else None."""
    cs = []
    for g, o in zip(gots, outs):
        g, o = np.asarray(g, dtype=float).reshape(-1), np.asarray(o, dtype=float).reshape(-1)
        oo = float(o @ o)
        if g.shape != o.shape or oo < 1e-300:
            return None
        cs.append(float(g @ o) / oo)
        if not close(g, cs[-1] * o, 1e-4, 1e-10):
            return None
    if cs and all(abs(c - cs[0]) <= 1e-4 * max(1.0, abs(cs[0])) for c in cs) and abs(cs[0]) > 1e-9 \
            and abs(cs[0] - 1) > 1e-6:
        return cs[0]
    return None


def value_judge(parse, ref, mistakes, names, m=None, n=None, case=None, rows=(), rtol=1e-5, atol=1e-8,
                params=None, scaled=None):
    """A judge comparing every output component with ``ref``, naming the cause of a difference.

    mistakes: {cause text: function of the call's arguments giving what that
    mistake returns}. rows: the argument positions that hold samples as rows;
    then "only the last sample" is recognised too. scaled: {cause text: function} for mistakes
    that give that function's result times any constant.
    """
    k = len(names)
    mistakes = dict(mistakes)
    if rows:
        def one_row(which):
            def fn(*args):
                return ref(*[a[which] if i in rows else a for i, a in enumerate(args)])
            return fn
        mistakes.setdefault("only the last sample counts: a loop overwrites its result instead of adding"
                            " to it (+=), or the mean/sum is taken after the loop over one sample",
                            one_row(slice(-1, None)))
        mistakes.setdefault("only the first sample counts (a return inside the loop?)", one_row(slice(0, 1)))

    def judge(results):
        gots = [parse(r.value, r.call) for r in results]
        calls = [r.call for r in results]
        exps = [_apply(ref, c, k) for c in calls]
        outs = [(text, [_apply(fn, c, k) for c in calls]) for text, fn in mistakes.items()]
        ms = [c.apply(m) for c in calls] if m else None
        ns = [c.apply(n) for c in calls] if n else None
        divisors = [divisors_of(params, c.args) for c in calls] if params and m else None
        bad = [i for i, (g, e) in enumerate(zip(gots, exps)) if not all(close(a, b) for a, b in zip(g, e))]
        cause = _integer_inputs(params, calls, bad)
        if cause:
            raise Mismatch(cause)
        for text, fn in (scaled or {}).items():
            outs_ = [_apply(fn, c, k) for c in calls]
            if bad and all(o is not None for o in outs_) and all(
                    _common_factor([g[j] for g in gots], [o[j] for o in outs_]) is not None
                    for j in range(k) if not all(close(g[j], e[j]) for g, e in zip(gots, exps))):
                raise Mismatch(_finish(text))
        problems = []
        for j, name in enumerate(names):
            g_j = [g[j] for g in gots]
            e_j = [e[j] for e in exps]
            cands = []
            for text, per_case in outs:
                if any(o is None for o in per_case):
                    continue
                vals = [o[j] for o in per_case]
                if not all(close(v, e) for v, e in zip(vals, e_j)):  # this mistake changes component j
                    cands.append((text, vals))
            found = diagnose(g_j, e_j, calls, cands, ms, ns, rtol, atol, divisors)
            if found:
                cause, i = found
                problems.append((name, cause, i, g_j[i], e_j[i], calls[i]))
        if problems:
            raise Mismatch(report(problems, case or (lambda c: "")))
    return judge


def graded(name, params, cases, returns, ref=None, mistakes=None, *, seed, judge=None, m=None, n=None,
           case=None, rows=(), scaled=None, shape="the right types and shapes",
           values="values on random cases",
           extra=(), mutates=False, line_hints=(), helpers=(), note_helpers_ruled_out=False, gate=True,
           repeat=True, probes=None,
           rtol=1e-5, atol=1e-8):
    """Declare a graded function; return its FunctionSpec with the standard checks.

    params: "X, w, b". cases(rng) -> list of argument tuples (or Calls).
    returns: the contract (see ``contract``). ref: the correct function.
    mistakes: {cause text: function}. seed: the fixed seed of the cases.
    judge: a special value judge (raises Mismatch) instead of the comparison
    with ref. probes(rng) -> more Calls for the values judge only, whose errors
    are allowed (a diagnosis may use them). m, n: functions of the arguments giving the number of samples
    and of features (for the factor diagnosis). extra: more checks, e.g.
    ``stable(...)``, after the values; values=None leaves the main values
    check out (then ``extra`` holds the value checks). mutates: True when changing the inputs
    is allowed; else an "inputs unchanged" check is added.
    """
    params = [p.strip() for p in params.split(",")]
    parse = contract(returns)

    def make_calls(seed_=None):
        out = []
        for i, c in enumerate(cases(case_rng(seed, seed_))):
            out.append(c if isinstance(c, Call) else Call(f"c{i}", *c))
        # the first case once more: a function that keeps state between calls answers differently
        # (not for random functions: their own check asks for the same answer from the same seed)
        if repeat and not any(isinstance(a, Rng) for a in out[0].args):
            out.append(Call("again", *out[0].args, post=out[0].post, **out[0].kwargs))
        return out

    names = [n_ for n_, _ in returns] if not callable(returns) else ["the result"]
    mistakes = dict(mistakes or {})
    if "lr" in params and ref is not None:
        i = params.index("lr")
        mistakes.setdefault("the learning rate η (lr) is never used: the step is the whole gradient; multiply"
                            " it by η", lambda *a: ref(*a[:i], 1.0, *a[i + 1:]))
    if judge is None:
        judge = value_judge(parse, ref, mistakes, names, m, n, case, rows, rtol, atol, params, scaled)
    if repeat:
        judge = _same_when_repeated(parse, judge)
    checks = [Check(f"returns {shape}", make_calls, lambda rs: [parse(r.value, r.call) for r in rs],
                    gate=gate, role="gate")]
    if values:
        def value_calls(seed_=None):
            extra_calls = probes(case_rng(seed, seed_)) if probes else []
            for c in extra_calls:
                c.optional = True
            return make_calls(seed_) + extra_calls
        checks.append(Check(values, value_calls, judge))
    for c in extra:
        checks.append(c if isinstance(c, Check) else c(make_calls, parse))
    if not mutates:
        before = list(checks)

        def all_calls(seed_=None):
            seen = {}
            for c in before:
                for call in c.make_calls(seed_):
                    seen.setdefault(call.key, call)
            return list(seen.values())
        checks.append(Check("inputs unchanged", all_calls,
                            lambda rs: unchanged(params, rs), role="property"))
    return FunctionSpec(name, params, checks, line_hints, reference=ref, helpers=helpers,
                        note_helpers_ruled_out=note_helpers_ruled_out)


def _same(a, b):
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return False
    return close(a, b, 1e-9, 1e-12)


def _same_when_repeated(parse, judge):
    """A judge that first compares the repeated first case with the first one, then judges the rest."""
    def run(results):
        first = results[0]
        again = next((r for r in results if r.call.key == "again"), first)
        if again is not first and first.status == again.status == "ok":
            a, b = parse(first.value, first.call), parse(again.value, again.call)
            if not _same(a, b):
                raise Mismatch("called twice with the same arguments it answers differently: the function"
                               " keeps state between calls (it accumulates into a global, an attribute or a"
                               " default argument). Start from zero in every call.")
        judge([r for r in results if r.call.key != "again"])
    return run


def fixed(calls):
    """make_calls for cases that do not depend on the seed (extreme inputs)."""
    return lambda seed=None: calls()


def format_verdict(name, results):
    """The text ``check(f)`` prints: a summary line, then each failed check's feedback, said once."""
    got = sum(r.points for r in results)
    top = sum(r.max_points for r in results)
    n_ok = sum(r.passed for r in results)
    if n_ok == len(results) and got == top:
        notes = sorted({r.feedback for r in results if r.feedback != "ok"})
        return "\n".join([f"✓ {name}: all checks passed ({n_ok}/{len(results)})"] + [f"  {n}" for n in notes])
    if results and results[0].feedback.startswith("not done yet"):
        return f"… {name}: {NOT_DONE}"
    lines = [f"✗ {name}: {n_ok}/{len(results)} checks passed ({got:g}/{top:g} points)"]
    said = {}
    skipped = {}
    for r in results:
        if not r.passed and r.feedback.startswith("not checked"):
            if r.feedback in skipped:
                at = skipped[r.feedback]
                lines[at] = lines[at].replace(": not checked", f", {r.name}: not checked", 1)
                continue
            skipped[r.feedback] = len(lines)
        if r.passed:
            extra = "" if r.feedback == "ok" else f" ({r.feedback})"
            lines.append(f"  ✓ {r.name}{extra}")
        elif _gist(r.feedback) in said:
            lines.append(f"  ✗ {r.name}: the same as '{said[_gist(r.feedback)]}'")
        else:
            said[_gist(r.feedback)] = r.name
            body = r.feedback.replace("\n", "\n      ")
            lines.append(f"  ✗ {r.name}: {body}")
    return "\n".join(lines)


def _gist(feedback):
    """Feedback without its numbers and argument list: one cause seen on several cases has one gist."""
    import re

    text = re.sub(r"\(called with [^)]*(\([^)]*\)[^)]*)*\)", "", feedback)
    return re.sub(r"[-+]?\d+(\.\d+)?(e[-+]?\d+)?", "#", text)


# ---------------------------------------------------------------- special judges


def backprop_judge(parse, variant, bugs, probe=None, layer_names=None, m=None):
    """A judge comparing gradients per layer from the output down.

    parse(value, call) -> [dW1, db1, dW2, db2, ...] (bottom layer first);
    variant(call, bug) -> the same list for a known mistake ``bug`` (None: correct);
    bugs: {bug: cause text}; probe(call, l) -> [(text, dW)] candidates for layer l.
    Names the first wrong layer counted from the output and the mistake.
    """
    def judge(results):
        gots = [parse(r.value, r.call) for r in results]
        calls = [r.call for r in results]
        exps = [variant(c) for c in calls]
        n_comp = len(exps[0])
        bad = [k for k in range(n_comp) if not all(close(g[k], e[k], 1e-5, 1e-9) for g, e in zip(gots, exps))]
        if not bad:
            return
        L = n_comp // 2
        first = max(k // 2 + 1 for k in bad)
        names = layer_names or {}

        def lname(l):
            return names.get(l, f"layer {l} of {L}" + (" (the output layer)" if l == L else ""))
        head = f"the first wrong gradient, counted from the output, is in {lname(first)}"
        if first < L:
            head += f"; {lname(L)}" + (" and the layers above it are" if first < L - 1 else " is") + " right"
        for bug, text in bugs.items():
            outs = [_safe_variant(variant, c, bug) for c in calls]
            if all(o is not None and all(close(g[k], o[k], 1e-5, 1e-9) for k in range(n_comp))
                   for g, o in zip(gots, outs)):
                raise Mismatch(f"{head}. It looks like {text}.")
        if probe is not None:  # the first wrong layer's dW from the wrong activations or weights?
            k = 2 * (first - 1)
            per_case = [dict(probe(c, first)) for c in calls]
            for text in per_case[0]:
                if all(text in pc and close(g[k], pc[text], 1e-5, 1e-9) for g, pc in zip(gots, per_case)):
                    raise Mismatch(f"{head}. It looks like {text}.")
        problems = []
        for k in bad:
            if k // 2 + 1 == first:
                g_k, e_k = [g[k] for g in gots], [e[k] for e in exps]
                cause, i = diagnose(g_k, e_k, calls, (), [c.apply(m) for c in calls] if m else None)
                label = ("dW" if k % 2 == 0 else "db") + str(first)
                problems.append((label, cause, i, g_k[i], e_k[i], calls[i]))
        raise Mismatch(head + ".\n" + report(problems, lambda c: ""))
    return judge


def _safe_variant(variant, call, bug):
    try:
        with np.errstate(all="ignore"):
            return variant(call, bug)
    except Exception:
        return None
