"""Diagnosing what came back: contracts (types and shapes), value comparison, named causes, exceptions.

Judges raise ``Mismatch(message)``; the message is what the learner reads:
one line per distinct cause, then the case it was seen on.
"""

import re

import numpy as np

from mlp_lib.grading import _calls


class Mismatch(Exception):
    """Raised by a judge: the message is the learner's feedback."""


class NotRecorded(Mismatch):
    """The class edition holds no recorded answer for these arguments (``_data_checks.lookup``)."""


NOT_DONE = "not done yet: replace the line `raise NotImplementedError(...)` with your code"

# ---------------------------------------------------------------- exceptions

_HINTS = [
    (("matmul", "not aligned", "core dimension"),
     "a matrix product got shapes that do not fit: check which factor needs a transpose (.T)."
     " Samples are rows: X is (m, n), W is (n_in, n_out), delta is (m, n_out)."),
    (("could not be broadcast",),
     "two arrays whose shapes do not broadcast: a missing transpose, a sum over the wrong axis,"
     " or a missing keepdims=True?"),
    (("out of bounds for array of dimension", "axis 1 is out of bounds"),
     "an axis that the array does not have: 1-D arrays have only axis 0."),
    (("NoneType",),
     "something in your code is None: did a helper forget its `return`?"),
    (("takes", "positional argument"),
     "the function has a different number of parameters than the exercise asks for."),
    (("unexpected keyword argument",),
     "the function has a different parameter name than the exercise asks for."),
    (("cannot unpack", "too many values to unpack", "not enough values to unpack"),
     "unpacking the wrong number of values: check what each of your helper functions returns."),
    (("maximum recursion depth",), "the function calls itself without end."),
    (("only length-1 arrays", "only size-1 arrays", "only 0-dimensional arrays"),
     "a function for single numbers (math.exp, math.log, float(...)) got an array: use NumPy's np.exp,"
     " np.log, which work on every entry."),
    (("Cannot cast ufunc",),
     "an in-place operation (out=..., +=, *=, **=) writes into an existing array, here one of integers that"
     " cannot hold the result; done on an argument, it also changes the caller's array in place (mutated)."
     " Build a new float array instead: a = np.asarray(a, dtype=float), then a = a + 1.0."),
    (("division by zero",), "a division by zero."),
    (("index", "out of bounds for axis 0"),
     "an index past the end: a loop that runs one step too far, or a layer index off by one?"),
]


def _name_error_hint(name, spec):
    if name in ("np", "numpy"):
        return "NumPy is not imported where the function runs: `import numpy as np` in the setup cell."
    for p in spec.params:
        if p.lower() == name.lower():
            return (f"the parameter is called `{p}`, not `{name}`: Python names are case-sensitive.")
    from mlp_lib.grading import FUNCTION_TO_EXERCISE

    if name in FUNCTION_TO_EXERCISE:
        return (f"`{name}` is not defined when your function runs: run (or add) the cell that defines it"
                " before this one.")
    return (f"`{name}` is neither an argument of `{spec.name}` nor defined in the notebook when it runs:"
            " a misspelling, or a variable from a cell that was renamed or not run?")


def explain_exception(spec, result):
    """One short paragraph about an exception raised by the learner's function, with a hint.

    When the traceback ends in another graded function (a helper), the line that
    called the helper is blamed: the helper usually got a wrong argument there.
    """
    exc = result.exc or {}
    kind = exc.get("type", "Error")
    message = exc.get("message", "")
    if kind == "NotImplementedError":
        return NOT_DONE
    from mlp_lib.grading import FUNCTION_TO_EXERCISE

    where = f" in the line `{exc['line']}`" if exc.get("line") else ""
    frames = exc.get("frames") or []
    if len(frames) >= 2 and frames[-1][0] in FUNCTION_TO_EXERCISE and frames[-1][0] != spec.name:
        caller = next((f for f in reversed(frames[:-1]) if f[0] != frames[-1][0]), None)
        if caller:
            where = (f" inside your `{frames[-1][0]}` (line `{frames[-1][-1]}`), called from the line"
                     f" `{caller[-1]}`: check the arguments that line passes")
    low = f"{kind}: {message}"
    hint = next((text for needles, text in _HINTS if any(n in low for n in needles)), "")
    pair = re.search(r"broadcast together with shapes \((\d+),(\d+)\) \((\d+),(\d+)\)", message)
    if pair and (pair.group(2) == pair.group(3) or pair.group(1) == pair.group(4)):
        hint = ("these two shapes fit a matrix product, not an elementwise one: an elementwise *"
                " (np.multiply) where a matrix product (@ or np.dot) belongs.")
    elif pair and pair.group(1) == pair.group(3) and pair.group(2) != pair.group(4):
        hint = ("two arrays with the same number of rows (samples) but different widths: quantities of two"
                " different layers are combined. A delta reaches the layer below only through the weights,"
                " delta @ W.T, and each layer's derivative uses that layer's own output.")
    found = re.search(r"name '(\w+)' is not defined", message)
    if found:
        hint = _name_error_hint(found.group(1), spec)
    if kind == "SystemExit":
        hint = "never call sys.exit() or exit() in an exercise function."
    if re.search(r"\bd[Ww]\w*\s*=.*(\bW\w*|weights\[[^\]]*\])(\.T)?\s*(@|\.dot)", exc.get("line") or "") \
            or re.search(r"\bd[Ww]\w*\s*=.*(@|dot\()\s*(\bW\w*|weights\[[^\]]*\])", exc.get("line") or ""):
        hint = ("dW is built from the weights; it is built from the layer's input: dW = H_in.T @ delta, where"
                " H_in is the output of the layer below (X for the first layer).")
    for pattern, text in spec.line_hints:
        if exc.get("line") and re.search(pattern, exc["line"]):
            hint = text
            break
    args = ", ".join(f"{p}{_shape_of(a)}" for p, a in zip(spec.params, result.call.args))
    short = message if len(message) < 200 else message[:200] + "..."
    return f"raised {kind}: {short}{where} (called with {args}).{' Hint: ' + hint if hint else ''}"


def _shape_of(a):
    if isinstance(a, np.ndarray):
        return f" of shape {a.shape}"
    if isinstance(a, (bool, np.bool_)):
        return f"={bool(a)}"
    if isinstance(a, (int, float)):
        return f"={a:g}"
    return ""


# ---------------------------------------------------------------- contracts


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


def _no_return(value, what):
    if value is None:
        raise Mismatch(f"{what} is None: did you forget the `return` statement?")


def need_array(value, shape, what="the result"):
    """``value`` as a float array of ``shape``; Mismatch naming the contract otherwise.

    Lists are refused: the contract is a NumPy array (the next cell of the
    notebook does array arithmetic with it).
    """
    _no_return(value, what)
    shape = tuple(shape)
    if isinstance(value, (list, tuple)):
        raise Mismatch(f"{what} is {describe(value)}; the contract is a NumPy array of shape {shape}:"
                       " build it with NumPy operations (or np.array(...)), not a Python list.")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = np.asarray(float(value))
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
        raise Mismatch(f"{what} is {describe(value)}, expected an array of shape {shape}.")
    if value.shape != shape:
        raise Mismatch(f"{what} has shape {value.shape}, expected {shape}.{_shape_hint(value, shape)}")
    return value.astype(float)


def _shape_hint(value, shape):
    got = value.shape
    if value.ndim == 0:
        return (" You returned a single number: summed over all axes? Sum over the rows only"
                " (axis=0), or check where a sum or mean was taken too early.")
    if len(shape) == 2 and got == shape[::-1]:
        return " That is the transpose of the expected shape: swap the factors or the .T."
    if len(shape) == 1 and got == (1, shape[0]):
        return (" A (1, k) row: a sum with keepdims=True, or a 2-D vector? Flatten it (reshape(-1)) or keep"
                " 1-D vectors 1-D.")
    if len(shape) == 1 and got == (shape[0], 1):
        return " Flatten it (reshape(-1)) or keep 1-D vectors 1-D."
    if len(shape) == 2 and got == (shape[1],) and value.size != np.prod(shape):
        return " Summed over the wrong axis?"
    if len(shape) == 1 and len(got) == 1:
        return " Summed or averaged over the wrong axis?"
    if len(shape) == 1 and len(got) == 2 and got[0] == shape[0]:
        return (" 2-D where a vector belongs: an elementwise * where a matrix product @ belongs, or a sum"
                " over the wrong axis?")
    if len(shape) == 1 and len(got) == 2 and shape[0] in got:
        return " Did you forget a sum over the rows (axis=0), or is a vector 2-D?"
    return ""


def need_number(value, what="the result", shape_hint=""):
    """``value`` as a float: a Python float, a NumPy float or a 0-d array; not a list or (1,)-array."""
    _no_return(value, what)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        if value.ndim == 0:
            return float(value)
        if value.size == 1:
            raise Mismatch(f"{what} is {describe(value)} holding one number; the contract is a single"
                           " number (a float): take it out with float(...) or .item(), or sum without"
                           " keepdims.")
        raise Mismatch(f"{what} is {describe(value)}, expected a single number (a float)."
                       f" Did you forget to sum or average{shape_hint}?")
    if isinstance(value, (list, tuple)):
        raise Mismatch(f"{what} is {describe(value)}; the contract is a single number (a float).")
    raise Mismatch(f"{what} is {describe(value)}, expected a single number (a float).")


def need_tuple(value, names, what="the result"):
    if value is None:
        raise Mismatch(f"{what} is None: did you forget the `return` statement?"
                       f" Return ({', '.join(names)}).")
    if not isinstance(value, (tuple, list)) or len(value) != len(names):
        raise Mismatch(f"{what} is {describe(value)}, expected a tuple of {len(names)}:"
                       f" ({', '.join(names)}).")
    return list(value)


# ---------------------------------------------------------------- values


def close(a, b, rtol=1e-5, atol=1e-8):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return False
    if not np.all(np.isfinite(a)) or not np.all(np.isfinite(b)):
        return bool(np.array_equal(a, b, equal_nan=True))
    scale = max(1.0, float(np.max(np.abs(b))) if b.size else 1.0)
    return bool(np.allclose(a, b, rtol=rtol, atol=atol * scale))


def fmt(a, n=4):
    a = np.asarray(a, dtype=float)
    if a.ndim == 0:
        return f"{float(a):.6g}"
    flat = a.reshape(-1)
    body = ", ".join(f"{x:.4g}" for x in flat[:n])
    return f"[{body}{', ...' if flat.size > n else ''}]"


def _ratio_table(ms, ns):
    def per(f):
        return [f(m, n) for m, n in zip(ms, ns)]
    one = [1.0] * len(ms)
    return [
        ([-1.0] * len(ms), "the opposite sign: a sign is flipped (t - y instead of y - t, or + instead of -"
                           " somewhere), which would make gradient descent climb"),
        ([2.0] * len(ms), "twice the expected value: an extra factor 2 (doubled)"),
        ([0.5] * len(ms), "half the expected value: a missing factor 2 (halved)"),
        ([-2.0] * len(ms), "-2 times the expected value: a flipped sign and an extra factor 2"),
        ([-0.5] * len(ms), "-1/2 times the expected value: a flipped sign and a missing factor 2"),
        ([1 / np.log(2)] * len(ms), "1.443 = 1/ln 2 times the expected value: a log base 2 (np.log2);"
                                    " the cross-entropy uses the natural log np.log"),
        ([1 / np.log(10)] * len(ms), "0.434 = 1/ln 10 times the expected value: a log base 10"
                                     " (np.log10); the cross-entropy uses the natural log np.log"),
        (per(lambda m, n: m), "m times too large: the mean's 1/m is missing (a sum instead of a mean)"),
        (per(lambda m, n: m / n), "m/n times the expected value: divided by n (the number of features)"
                                  " instead of m (the number of samples)"),
        (per(lambda m, n: 1.0 / m), "m times too small: 1/m is applied twice"),
        (per(lambda m, n: -m), "-m times the expected value: a flipped sign and a missing 1/m"),
        (per(lambda m, n: 2.0 * m), "2m times too large: the 1/m and the factor 2 are both missing"),
        (per(lambda m, n: m / 2.0), "m/2 times too large: the 1/m is missing and the factor 2 too"),
        (per(lambda m, n: 0.5 / m), "2m times too small: 1/m applied twice and a missing factor 2"),
        (per(lambda m, n: 2.0 / m), "m/2 times too small: 1/m applied twice and an extra factor 2"),
        ([0.0] * len(ms), "all zeros"),
        (one, None),
    ]


def ratio_cause(gots, exps, ms, ns=None, divisors=None):
    """If every got = r * expected for one known r, the cause in plain words; else None.

    divisors: per case {text: number}; got = (m / number) * expected names a wrong divisor.
    """
    ratios = []
    for g, e in zip(gots, exps):
        g = np.asarray(g, dtype=float).reshape(-1)
        e = np.asarray(e, dtype=float).reshape(-1)
        ee = float(e @ e)
        if ee < 1e-300 or g.shape != e.shape:
            return None
        r = float(g @ e) / ee
        if not close(g, r * e, rtol=1e-4, atol=1e-10):
            return None
        ratios.append(r)
    if not ratios:
        return None
    ms = [float(m) for m in ms]
    ns = [float(n) for n in (ns or [np.nan] * len(ms))]
    for values, text in _ratio_table(ms, ns):
        if text and all(abs(r - v) <= 1e-3 * max(1.0, abs(v)) for r, v in zip(ratios, values)):
            return text
    if len(set(round(r, 6) for r in ratios)) == 1:
        r = ratios[0]
        for k in (3, 4, 5, 10, 100):
            if abs(abs(r) - k) < 1e-3 * k or abs(abs(r) - 1 / k) < 1e-3 / k:
                big = abs(r) > 1
                return (f"{r:.4g} times the expected value: {'an extra' if big else 'a division by a'}"
                        f" factor {k} ({k} times too"
                        f" {'large' if big else 'small'}{', and the sign flipped' if r < 0 else ''})")
        return f"{r:.4g} times the expected value: a wrong constant factor"
    if divisors is not None:
        for text in divisors[0]:
            if all(text in d and abs(r * d[text] - m) <= 1e-3 * abs(m)
                   for r, d, m in zip(ratios, divisors, ms)):
                return (f"divided by {text} instead of by m, the number of samples (the mean over the"
                        " samples divides by m)")
    return None


def _finish(text):
    return text if text.endswith((".", "?", ")")) else text + "."


def divisors_of(params, args):
    """Numbers a learner may have divided by in place of m: sizes and sums of the array arguments."""
    out = {}
    for p, a in zip(params, args):
        if isinstance(a, np.ndarray) and a.dtype.kind in "biuf" and a.size:
            out[f"the sum of {p}"] = float(np.sum(a))
            if a.ndim == 2:
                out[f"{p}.size (a mean over every entry, m·{'n' if p.startswith(('X', 'H')) else 'k'})"] = \
                    float(a.size)
                out[f"{p}.shape[1] (the number of columns)"] = float(a.shape[1])
    return out


def diagnose(gots, exps, calls, mistakes=(), ms=None, ns=None, rtol=1e-5, atol=1e-8, divisors=None):
    """The cause of a wrong output over all cases: (cause or None, index of the first wrong case).

    mistakes: [(text, per-case outputs of that mistake)]; None when every case is right.
    """
    bad = [i for i, (g, e) in enumerate(zip(gots, exps)) if not close(g, e, rtol, atol)]
    if not bad:
        return None
    ratio = ratio_cause(gots, exps, ms, ns, divisors) if ms is not None else None
    if ratio and "a wrong constant factor" not in ratio and ratio != "all zeros":  # one factor: simplest
        return _finish("it is " + ratio), bad[0]
    for text, outs in mistakes:
        if all(o is not None and close(g, o, rtol, atol) for g, o in zip(gots, outs)):
            return _finish(text), bad[0]
    if any(not np.all(np.isfinite(np.asarray(g, dtype=float))) for g in gots):
        return ("it contains NaN or inf: an overflow, a log of 0, a division by 0, or a negative number"
                " raised to a fractional power (** where * belongs?)."), bad[0]
    return (_finish("it is " + ratio) if ratio else ""), bad[0]


def report(problems, describe_case):
    """The feedback for wrong components: one line per distinct cause, then the case it was seen on.

    problems: [(component name, cause, i, got, expected, call)].
    """
    lines = []
    by_cause = {}
    for name, cause, _, got, exp, call in problems:
        if cause:
            by_cause.setdefault(cause, []).append((name, call))
            continue
        g, e = np.asarray(got, dtype=float), np.asarray(exp, dtype=float)
        err = float(np.max(np.abs(g - e))) if g.shape == e.shape else float("nan")
        lines.append(f"{name} differs from the expected values{describe_case(call)}: expected {fmt(e)},"
                     f" got {fmt(g)} (largest difference {err:.3g}).")
    for cause, seen in by_cause.items():
        names = [n for n, _ in seen]
        subject = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        verb = "is" if len(names) == 1 else "are"
        where = describe_case(seen[0][1])
        lines.insert(0, f"{subject} {verb} wrong: {cause}" + (f" (seen{where})" if where else ""))
    return "\n".join(lines)


# ---------------------------------------------------------------- properties


def unchanged(params, results):
    """Mismatch if any call changed an array argument in place."""
    for r in results:
        if r.changed:
            names = ", ".join(f"`{params[i]}`" for i in r.changed)
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
