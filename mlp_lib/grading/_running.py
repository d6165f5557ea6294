"""Running calls of a learner's function: the arguments sent, the results that come back.

A check makes ``Call``s (cases drawn from a seeded generator); a runner
executes them (``LocalRunner`` in this process for ``check(f)`` in a
notebook; the command-line grader's runner in the learner's kernel) and
returns one ``Result`` per call, decoded as data.
"""

import numpy as np

from mlp_lib.grading import _calls


class Rng:
    """An argument that becomes ``np.random.default_rng(seed)`` on the learner's side."""

    def __init__(self, seed):
        self.seed = int(seed)

    def local(self):
        return np.random.default_rng(self.seed)


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


def local(a):
    """An argument as the learner's function receives it (Rng and Fn turned into the real thing)."""
    return a.local() if isinstance(a, (Rng, Fn)) else a


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

    def apply(self, fn):
        """``fn`` called with this call's arguments (as the learner's function receives them)."""
        return fn(*[local(a) for a in self.args], **{k: local(v) for k, v in self.kwargs.items()})


class Result:
    """What one call returned, decoded: ``value``, or ``exc`` (dict), ``warnings``, ``changed`` args."""

    def __init__(self, call, raw):
        self.call = call
        self.status = raw.get("status", "error")
        self.exc = raw.get("exc")
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
    """Runs calls on a function object in this process (``check(f)`` in a notebook).

    ``run(..., replace={name: function})`` runs them with those names of the
    function's globals (its helpers) replaced, and then restored.
    """

    def __init__(self, func, timeout=60.0):
        self.func = func
        self.timeout = timeout

    def run(self, name, calls, timeout=None, replace=None):
        from mlp_lib._timeout import time_limit

        func = self.func
        encoded = [c.encode() for c in calls]
        limit = timeout or self.timeout
        scope = getattr(func, "__globals__", {})
        saved = {k: scope[k] for k in (replace or {}) if k in scope}
        try:
            scope.update(replace or {})
            with time_limit(limit, Timeout):
                raw = _calls.execute_batch(func, encoded)
        finally:
            for k in replace or {}:
                if k in saved:
                    scope[k] = saved[k]
                else:
                    scope.pop(k, None)
        return [Result(c, r) for c, r in zip(calls, raw)]


# ---------------------------------------------------------------- a grader-side function as source text

_MODULES = ("numpy", "math")
"""The only modules a function sent as source may use (imported again on the learner's side)."""


class Unsendable(ValueError):
    """A grader-side function that ``source_of`` cannot turn into source text."""


def _globals_used(code):
    """The global names ``code`` (and the code nested in it) loads."""
    import dis

    names = set()
    for ins in dis.get_instructions(code):
        if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME"):
            names.add(ins.argval)
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            names |= _globals_used(const)
    return names


def _code_spots(code):
    """{(line, column)} where the instructions of ``code`` start and end, or None before Python 3.11."""
    if not hasattr(code, "co_positions"):
        return None
    spots = {(p[0], p[2]) for p in code.co_positions() if None not in p[:3] and p[2] > 0}
    return spots | {(p[1], p[3]) for p in code.co_positions() if None not in p and p[3] > 0}


def _steps(code):
    """The operations of ``code`` with every kind of name load counted as one (a lambda compiled
    on its own loads its outer names as globals, where the original may load them from a closure)."""
    import dis

    loads = ("LOAD_GLOBAL", "LOAD_DEREF", "LOAD_NAME", "LOAD_FAST", "LOAD_CLASSDEREF")
    return [("LOAD" if i.opname in loads else i.opname, i.argval if i.opname in loads else None)
            for i in dis.get_instructions(code)]


def _same_steps(text, code):
    """Whether the lambda source ``text`` compiles to the operations of ``code``."""
    try:
        compiled = compile(f"({text})", "<lambda>", "eval")
    except SyntaxError:
        return False
    inner = [c for c in compiled.co_consts if hasattr(c, "co_code")]
    return bool(inner) and _steps(inner[0]) == _steps(code)


def _lambda_text(fn):
    """The source text of a lambda: the smallest lambda in its file that spans all of its code's positions."""
    import ast
    import dis
    import inspect
    import linecache

    filename = inspect.getsourcefile(fn)
    src = "".join(linecache.getlines(filename))
    spots = _code_spots(fn.__code__)
    lambdas = [n for n in ast.walk(ast.parse(src)) if isinstance(n, ast.Lambda)]
    if spots is not None:  # Python 3.11 and newer: the columns of every instruction
        found = [n for n in lambdas
                 if all((n.lineno, n.col_offset) <= s <= (n.end_lineno, n.end_col_offset) for s in spots)]
    else:  # Python 3.10: lines only; the lambda starts on the code's first line with the same arguments
        code = fn.__code__
        args = code.co_varnames[:code.co_argcount]
        spots = {line for _, line in dis.findlinestarts(code) if line} | {code.co_firstlineno}
        found = [n for n in lambdas if n.lineno == code.co_firstlineno
                 and tuple(a.arg for a in n.args.args) == args
                 and all(n.lineno <= line <= n.end_lineno for line in spots)
                 and _same_steps(ast.get_source_segment(src, n), code)]
    if not spots or not found:
        raise Unsendable(f"no source found for {fn!r}")
    node = min(found, key=lambda n: (n.end_lineno - n.lineno, n.end_col_offset - n.col_offset))
    return f"({ast.get_source_segment(src, node)})"


def source_of(fn, name="ref"):
    """Python source that rebuilds the grader's function ``fn`` where this package is not importable.

    Returns ``{"src": program, "data": {name: encoded value}, "entry": name}``: ``program``
    defines ``name`` (and every function of the grader's it uses, its global and closure
    values) with only ``np`` and ``data`` as names; ``_calls.build_function`` runs it on the
    learner's side. Raises ``Unsendable`` for a function that cannot be sent this way.
    """
    import builtins
    import inspect
    import json
    import textwrap
    import types

    lines, data, bound = [], {}, {}

    def need(label, obj):
        if label in bound:
            if bound[label] is not obj:
                raise Unsendable(f"two different values named {label}")
            return
        bound[label] = obj
        if isinstance(obj, types.ModuleType):
            if obj.__name__ not in _MODULES:
                raise Unsendable(f"uses the module {obj.__name__}")
            lines.append(f"import {obj.__name__} as {label}")
        elif isinstance(obj, types.FunctionType):
            scope = obj.__globals__
            for g in sorted(_globals_used(obj.__code__)):
                if g in scope:
                    need(g, scope[g])
                elif not hasattr(builtins, g):
                    raise Unsendable(f"{obj.__name__} uses the unknown name {g}")
            for free, cell in zip(obj.__code__.co_freevars, obj.__closure__ or ()):
                need(free, cell.cell_contents)
            own = obj.__name__
            if own == "<lambda>":
                lines.append(f"{label} = {_lambda_text(obj)}")
                return
            if bound.get(own, obj) is not obj:
                raise Unsendable(f"two different values named {own}")
            if own == label or own not in bound:  # not defined yet
                bound[own] = obj
                lines.append(textwrap.dedent(inspect.getsource(obj)))
            if own != label:
                lines.append(f"{label} = {own}")
        else:
            try:
                data[label] = _calls.encode(obj)
            except ValueError:
                raise Unsendable(f"the value {label} is too large to send") from None
            if '"__obj"' in json.dumps(data[label]):
                raise Unsendable(f"the value {label} is not data")

    need(name, fn)
    return {"src": "\n".join(lines) + "\n", "data": data, "entry": name}
