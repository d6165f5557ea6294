"""Run a learner's function on a batch of calls and describe what came back, as plain data.

This one file serves both sides of grading:

- in a notebook, ``check(f)`` imports it and calls ``execute_batch`` directly;
- the command-line grader sends its source text into the learner's kernel and
  runs it there in a fresh namespace, with the calls read from a JSON file
  and the results written to another one.

Results are data only (numbers, strings, arrays as base64 bytes), never
pickles, so nothing the learner's kernel writes can run code in the grader,
and the verdict itself is always computed by the grader from these data.
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


def encode(value, depth=0):
    """A JSON-able description of ``value``; see ``decode``."""
    if value is None or isinstance(value, (bool, int, float, str)):
        if isinstance(value, str):
            return {"__str": value[:300]}
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
            return float(value)
        return value
    if isinstance(value, np.generic) and np.issubdtype(type(value), np.number):
        value = np.asarray(value)
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        arr = np.ascontiguousarray(value)
        if arr.dtype.kind == "f" and arr.dtype.itemsize not in (4, 8):
            arr = arr.astype(np.float64)
        return {"__nd": arr.dtype.str, "shape": list(arr.shape),
                "b64": base64.b64encode(arr.tobytes()).decode("ascii")}
    if isinstance(value, (list, tuple)) and depth < 4:
        tag = "__tuple" if isinstance(value, tuple) else "__list"
        return {tag: [encode(v, depth + 1) for v in value[:MAX_ITEMS]], "n": len(value)}
    try:
        text = repr(value)[:200]
    except Exception:  # a hostile __repr__
        text = "?"
    return {"__obj": type(value).__name__, "repr": text}


def decode(data):
    """The value ``encode`` described: arrays, tuples, lists, numbers, None, str, or ``Opaque``."""
    if not isinstance(data, dict):
        return data
    if "__str" in data:
        return str(data["__str"])
    if "__nd" in data:
        raw = base64.b64decode(data["b64"])
        return np.frombuffer(raw, dtype=np.dtype(data["__nd"])).reshape(data["shape"]).copy()
    if "__tuple" in data:
        return tuple(decode(v) for v in data["__tuple"])
    if "__list" in data:
        return [decode(v) for v in data["__list"]]
    if "__obj" in data:
        return Opaque(data["__obj"], data.get("repr", ""))
    if "__rng" in data:
        return np.random.default_rng(int(data["__rng"]))
    if "__fn" in data:
        env = {"np": np}
        env.update({k: decode(v) for k, v in data.get("data", {}).items()})
        return eval(data["__fn"], env)  # source written by the grader, never by the learner
    return data


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


def _where(tb_exc, harness_files):
    """The last line of the learner's own code in a traceback: (lineno, text)."""
    frames = [f for f in traceback.extract_tb(tb_exc)
              if f.filename not in harness_files]
    own = [f for f in frames if "site-packages" not in f.filename and "/lib/python" not in f.filename]
    pick = own[-1] if own else (frames[-1] if frames else None)
    if pick is None:
        return None, ""
    return pick.lineno, (pick.line or "").strip()


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
        X = decode(post["X"])
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
    "warnings", "arg_prints", "seconds"}.
    """
    harness_files = set(harness_files) | {__file__, "<mlp_grading>"}
    results = []
    for call in calls:
        args = [decode(a) for a in call["args"]]
        kwargs = {k: decode(v) for k, v in call.get("kwargs", {}).items()}
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
                lineno, line = _where(exc.__traceback__, harness_files)
                res["status"] = "error"
                try:
                    message = str(exc)[:500]
                except Exception:
                    message = "?"
                res["exc"] = {"type": type(exc).__name__, "message": message,
                              "lineno": lineno, "line": line[:200]}
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
        out = {"missing": False, "results": execute_batch(func, request["calls"])}
    with open(response_path + ".part", "w") as fh:
        json.dump(out, fh)
    import os

    os.replace(response_path + ".part", response_path)
