"""Running calls of a learner's function: the arguments sent, the results that come back.

A check makes ``Call``s (cases drawn from a seeded generator); a runner
executes them (``LocalRunner`` in this process for ``check(f)`` in a
notebook; the command-line grader's runner in the learner's kernel) and
returns one ``Result`` per call, decoded as data.
"""

import sys
import traceback

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


def _frames(tb):
    """The learner's frames of a traceback, outermost first: [(function name, line text)]."""
    out = []
    for f in traceback.extract_tb(tb):
        if f.filename == _calls.__file__ or f.filename == __file__ or "site-packages" in f.filename \
                or "/lib/python" in f.filename:
            continue
        out.append((f.name, (f.line or "").strip()[:200]))
    return out


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

        frames = {}
        func = self.func

        def traced(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except Exception:
                frames[len(frames)] = _frames(sys.exc_info()[2])
                raise

        encoded = [c.encode() for c in calls]
        limit = timeout or self.timeout
        scope = getattr(func, "__globals__", {})
        saved = {k: scope[k] for k in (replace or {}) if k in scope}
        try:
            scope.update(replace or {})
            raw = []
            with time_limit(limit, Timeout):
                for c in encoded:
                    n = len(frames)
                    raw.extend(_calls.execute_batch(traced, [c]))
                    if raw[-1].get("exc") and len(frames) > n:
                        raw[-1]["exc"]["frames"] = frames[n]
        finally:
            for k in replace or {}:
                if k in saved:
                    scope[k] = saved[k]
                else:
                    scope.pop(k, None)
        return [Result(c, r) for c, r in zip(calls, raw)]
