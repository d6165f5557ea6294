"""Run a learner's function on a batch of calls and describe what came back, as plain data.

This one file serves both sides of grading:

- in a notebook, ``check(f)`` imports it and calls ``execute_batch`` directly;
- the command-line grader sends its source text into the learner's kernel and
  runs it there in a fresh namespace, with the calls read from a JSON file
  and the results written to another one.

The wire format is data only: JSON with numbers, strings, lists and numeric
arrays (base64 bytes, a whitelisted dtype and a shape). The grader reads what
comes back with ``decode``, which builds nothing but those values, checks
every size, and raises ``BadData`` for anything else; nothing from the
kernel is ever evaluated, unpickled or imported. Functions go one way only:
``decode_arg`` (run on the learner's side) turns the grader's ``{"__fn": source}``
and ``{"__rng": seed}`` into a function and a generator, and ``build_function``
builds the reference helpers the grader sends to put in place of the learner's.
"""

import base64
import hashlib
import json
import time
import traceback
import warnings

import numpy as np

MAX_ITEMS = 5000
"""Longest list or generator that is turned into data."""

MAX_BYTES = 64 * 2**20
"""Largest value (array bytes, summed over a whole result) that crosses the wire."""

MAX_DEPTH = 6
"""Deepest nesting of lists and tuples that crosses the wire."""

MAX_TEXT = 500
"""Longest string kept from the learner's side."""

DTYPES = frozenset(np.dtype(t).str for t in (
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float32", "float64"))
"""The only array dtypes the wire carries (little-endian, as NumPy spells them here)."""


class BadData(ValueError):
    """What came back is not data the grader reads: its message says why, in plain words."""


def encode(value, depth=0, budget=None):
    """A JSON-able description of ``value``; see ``decode``. Raises ValueError past ``MAX_BYTES``."""
    budget = [MAX_BYTES] if budget is None else budget
    if value is None or isinstance(value, (bool, int, float, str)):
        if isinstance(value, str):
            return {"__str": value[:MAX_TEXT]}
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
            return float(value)
        return value
    if isinstance(value, np.generic) and np.issubdtype(type(value), np.number):
        value = np.asarray(value)
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        arr = np.ascontiguousarray(value)
        if arr.dtype.kind == "f" and arr.dtype.itemsize not in (4, 8):
            arr = arr.astype(np.float64)
        if arr.dtype.str not in DTYPES:  # big-endian or an exotic width
            arr = arr.astype(arr.dtype.newbyteorder("<") if arr.dtype.kind != "b" else bool)
        budget[0] -= arr.nbytes
        if budget[0] < 0:
            raise ValueError(f"the result is larger than the {MAX_BYTES // 2**20} MB the grader reads")
        return {"__nd": arr.dtype.str, "shape": list(arr.shape),
                "b64": base64.b64encode(arr.tobytes()).decode("ascii")}
    if isinstance(value, (list, tuple)) and depth < 4:
        tag = "__tuple" if isinstance(value, tuple) else "__list"
        return {tag: [encode(v, depth + 1, budget) for v in value[:MAX_ITEMS]], "n": len(value)}
    try:
        text = repr(value)[:200]
    except Exception:  # a hostile __repr__
        text = "?"
    return {"__obj": type(value).__name__[:100], "repr": text}


def _text(data, what):
    if not isinstance(data, str):
        raise BadData(f"{what} is a {type(data).__name__}, not text")
    return data[:MAX_TEXT]


def _array(data, budget):
    dtype, shape, b64 = data.get("__nd"), data.get("shape"), data.get("b64")
    if not isinstance(dtype, str) or dtype not in DTYPES:
        raise BadData(f"an array of dtype {str(dtype)[:40]!r}, which the grader does not read"
                      f" (numbers and booleans only)")
    def dim(n):
        return isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= MAX_BYTES

    if not isinstance(shape, list) or len(shape) > 8 or not all(dim(n) for n in shape):
        raise BadData("an array with a malformed shape")
    if not isinstance(b64, str):
        raise BadData("an array without its bytes")
    dt = np.dtype(dtype)
    size = dt.itemsize * int(np.prod(shape, dtype=np.float64))
    budget[0] -= size
    if budget[0] < 0:
        raise BadData(f"a result larger than the {MAX_BYTES // 2**20} MB the grader reads")
    if len(b64) != 4 * ((size + 2) // 3):
        raise BadData("an array whose bytes do not match its shape")
    try:
        raw = base64.b64decode(b64, validate=True)
    except ValueError:
        raise BadData("an array whose bytes are not base64") from None
    if len(raw) != size:
        raise BadData("an array whose bytes do not match its shape")
    return np.frombuffer(raw, dtype=dt).reshape(shape).copy()


def decode(data, depth=0, budget=None):
    """The value ``encode`` described, read as data only; raises ``BadData`` for anything else.

    Returns numbers, bools, None, str, NumPy arrays (whitelisted dtypes),
    tuples, lists, or ``Opaque`` (the type name and repr of anything else).
    """
    budget = [MAX_BYTES] if budget is None else budget
    if data is None or isinstance(data, (bool, float)):
        return data
    if isinstance(data, int):
        if abs(data) > 2**63:
            raise BadData("an integer too large to be a result")
        return data
    if isinstance(data, str):
        budget[0] -= len(data)
        return data[:MAX_TEXT]
    if not isinstance(data, dict):
        raise BadData(f"a bare JSON {type(data).__name__}, which the wire format never carries")
    if depth > MAX_DEPTH:
        raise BadData(f"values nested deeper than {MAX_DEPTH} levels")
    if "__str" in data:
        return _text(data["__str"], "a string value")
    if "__nd" in data:
        return _array(data, budget)
    for tag, kind in (("__tuple", tuple), ("__list", list)):
        if tag in data:
            items = data[tag]
            if not isinstance(items, list) or len(items) > MAX_ITEMS + 1:
                raise BadData("a malformed or too long list")
            return kind(decode(v, depth + 1, budget) for v in items)
    if "__obj" in data:
        return Opaque(_text(data["__obj"], "a type name"), _text(data.get("repr", ""), "a repr"))
    keys = ", ".join(sorted(str(k)[:20] for k in data)[:5])
    raise BadData(f"an object with the keys {keys}, which the wire format never carries")


def decode_arg(data):
    """An argument the GRADER encoded, on the learner's side: ``decode``, plus generators and functions.

    ``{"__rng": seed}`` becomes ``np.random.default_rng(seed)``; ``{"__fn": src,
    "data": {...}}`` becomes ``eval(src)`` with ``np`` and the data as names.
    Used only where the grader's calls arrive; results are read with ``decode``.
    """
    if isinstance(data, dict) and "__rng" in data:
        return np.random.default_rng(int(data["__rng"]))
    if isinstance(data, dict) and "__fn" in data:
        env = {"np": np}
        env.update({k: decode_arg(v) for k, v in data.get("data", {}).items()})
        return eval(data["__fn"], env)  # the grader's own source, sent to the learner's side
    return decode(data)


def build_function(sent):
    """A function the GRADER sent as source (``_running.source_of``), built on the learner's side.

    Used only where the grader's requests arrive, like ``decode_arg``'s ``{"__fn": src}``.
    """
    env = {"np": np}
    env.update({k: decode_arg(v) for k, v in sent.get("data", {}).items()})
    exec(sent["src"], env)  # the grader's own source, sent to the learner's side
    return env[sent["entry"]]


class Opaque:
    """Something that is not data (a model, a dict, a class instance): its type and repr."""

    def __init__(self, type_name, text):
        self.type_name = type_name
        self.text = text

    def __repr__(self):
        return f"<{self.type_name}: {self.text}>"


def fingerprint(value):
    """A hash of an array's (or a list of arrays') dtype, shape and bytes; None for anything else."""
    if isinstance(value, np.ndarray):
        h = hashlib.sha256(f"{value.dtype.str}{value.shape}".encode())
        h.update(np.ascontiguousarray(value).tobytes())
        return h.hexdigest()[:24]
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, np.ndarray) for v in value):
        return f"{len(value)}:" + ",".join(fingerprint(v) for v in value)
    return None


MAX_FRAMES = 20
"""Most traceback frames of the learner's own code reported with an exception (the innermost ones)."""


def _frames(tb_exc, harness_files):
    """The learner's own frames of a traceback, outermost first: [[function name, line number, line text]]."""
    frames = [f for f in traceback.extract_tb(tb_exc) if f.filename not in harness_files]
    own = [f for f in frames if "site-packages" not in f.filename and "/lib/python" not in f.filename]
    kept = (own or frames[-1:])[-MAX_FRAMES:]
    return [[f.name[:100], f.lineno, (f.line or "").strip()[:200]] for f in kept]


def _post(result, post):
    if not post:
        return result
    if post["kind"] == "materialize":
        out = []
        for item in result:
            out.append(item)
            if len(out) > MAX_ITEMS:
                break
        return out
    if post["kind"] == "predict":
        X = decode_arg(post["X"])
        for name in ("predict", "forward"):
            method = getattr(result, name, None)
            if callable(method):
                return method(X)
        if callable(result):
            return result(X)
        raise TypeError(
            f"train returned {type(result).__name__}, which has no predict(X) or forward(X) method"
        )
    raise ValueError(post)


def execute_batch(func, calls, harness_files=()):
    """Call ``func`` once per encoded call; return one result dict per call.

    Each call: {"key", "args": [...], "kwargs": {...}, "post": None | {...}},
    arguments encoded with ``encode`` (plus {"__rng": seed} and {"__fn": src}).
    Each result: {"key", "status": "ok" | "error", "value", "exc",
    "warnings", "arg_prints", "seconds"}; ``exc``: {"type", "message", "lineno",
    "line", "frames"}, frames as ``_frames`` gives them.
    """
    harness_files = set(harness_files) | {__file__, "<mlp_grading>"}
    results = []
    for call in calls:
        args = [decode_arg(a) for a in call["args"]]
        kwargs = {k: decode_arg(v) for k, v in call.get("kwargs", {}).items()}
        res = {"key": call["key"], "status": "ok", "value": None, "exc": None, "warnings": []}
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught, np.errstate(
                divide="warn", over="warn", invalid="warn", under="ignore"):
            warnings.simplefilter("always")
            try:
                value = _post(func(*args, **kwargs), call.get("post"))
                res["value"] = encode(value)
            except BaseException as exc:  # SystemExit and KeyboardInterrupt included
                if isinstance(exc, KeyboardInterrupt):
                    raise
                frames = _frames(exc.__traceback__, harness_files)
                _, lineno, line = frames[-1] if frames else (None, None, "")
                res["status"] = "error"
                try:
                    message = str(exc)[:500]
                except Exception:
                    message = "?"
                res["exc"] = {"type": type(exc).__name__, "message": message,
                              "lineno": lineno, "line": line, "frames": frames}
        res["seconds"] = time.perf_counter() - start
        res["warnings"] = [[w.category.__name__, str(w.message)[:200]] for w in caught[:5]]
        res["arg_prints"] = [fingerprint(a) for a in args]
        results.append(res)
    return results


def run_request(request_path, response_path, namespace):
    """Kernel side: read calls for one function, run them, write results (JSON)."""
    with open(request_path) as fh:
        request = json.load(fh)
    name = request["function"]
    func = namespace.get(name)
    if not callable(func):
        out = {"missing": True, "type": type(func).__name__ if name in namespace else None}
    else:
        replace = {k: build_function(v) for k, v in request.get("replace", {}).items()}
        saved = {k: namespace[k] for k in replace if k in namespace}
        try:
            namespace.update(replace)
            out = {"missing": False, "results": execute_batch(func, request["calls"])}
        finally:  # the learner's own helpers back in place, even after an interrupt
            for k in replace:
                if k in saved:
                    namespace[k] = saved[k]
                else:
                    namespace.pop(k, None)
    with open(response_path + ".part", "w") as fh:
        json.dump(out, fh)
    import os

    os.replace(response_path + ".part", response_path)
