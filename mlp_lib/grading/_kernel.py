"""Run a submitted notebook's code in a fresh kernel, and call its functions from the grader.

``KernelSession`` executes code cells one by one in a fresh IPython kernel
(``allow_errors``: a cell that raises does not stop the rest), gives each
cell a time limit (then interrupts the kernel, or restarts it when an
interrupt is not enough), and restarts a kernel that died (``os._exit``,
``exit()``) and replays the cells that ran before, leaving out the one that
killed it.

``RemoteRunner`` then calls one learner function per request: the calls are
written to a JSON file in the scratch folder, the kernel runs the harness
(``_calls.py``, sent as source text and run in a fresh namespace), and the
results come back as data in another file whose name the learner's code
cannot guess. The verdict is computed by the grader, never by the kernel.

Everything the kernel sends back is untrusted: the response file is size-capped
and read with ``json`` and ``_calls.decode`` only, each field is checked for
its type, and a result that is too large or malformed becomes a failed call
with a clear message ("UnreadableResult"), never an exception in the grader.
Kernel messages larger than ``MAX_MESSAGE_BYTES`` are dropped by ZeroMQ.
With an ``Isolation`` (see ``_sandbox``), the kernel runs in its sandbox or
under its limits, talks over Unix sockets in the scratch folder, and its
connection file lives there too.
"""

import json
import os
import secrets
import subprocess
import time
from pathlib import Path
from queue import Empty

from mlp_lib.grading import _calls
from mlp_lib.grading._framework import KernelDied, Missing, Result, Timeout
from mlp_lib.grading._running import source_of

HARNESS_SOURCE = Path(_calls.__file__).read_text()

MAX_RESPONSE_BYTES = 2 * _calls.MAX_BYTES
"""Largest response file read back (base64 makes 64 MB of arrays about 86 MB of text)."""

MAX_MESSAGE_BYTES = 64 * 2**20
"""Largest kernel message the grader receives (a cell printing gigabytes is cut off here)."""


def _kernel_manager_class(isolation, scratch):
    """A KernelManager whose kernel command goes through ``isolation.wrap``."""
    from jupyter_client import KernelManager

    class WrappedKernelManager(KernelManager):
        def format_kernel_cmd(self, extra_arguments=None):
            return isolation.wrap(super().format_kernel_cmd(extra_arguments), scratch)

    return WrappedKernelManager


def _clean_text(value, limit=500):
    return value[:limit] if isinstance(value, str) else ""


def _int_or_none(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _clean_frames(frames):
    """Traceback frames from the kernel: at most ``MAX_FRAMES`` [name, line number, line text], else []."""
    if not isinstance(frames, list):
        return []
    return [(_clean_text(f[0], 100), _int_or_none(f[1]), _clean_text(f[2], 200))
            for f in frames[-_calls.MAX_FRAMES:] if isinstance(f, list) and len(f) == 3]


def sanitize(raw, call):
    """One result dict from the kernel, with every field checked; a bad value becomes an error result."""
    if not isinstance(raw, dict):
        raw = {}
    status = raw.get("status") if raw.get("status") in ("ok", "error") else "error"
    exc = raw.get("exc") if isinstance(raw.get("exc"), dict) else {}
    clean = {
        "key": call.key, "status": status, "value": None,
        "exc": {"type": _clean_text(exc.get("type"), 100) or "Error",
                "message": _clean_text(exc.get("message")),
                "lineno": _int_or_none(exc.get("lineno")),
                "line": _clean_text(exc.get("line"), 200),
                "frames": _clean_frames(exc.get("frames"))} if status == "error" else None,
        "warnings": [[_clean_text(w[0], 100), _clean_text(w[1], 200)] for w in raw.get("warnings", [])[:5]
                     if isinstance(w, list) and len(w) == 2] if isinstance(raw.get("warnings"), list) else [],
        "seconds": float(raw["seconds"]) if isinstance(raw.get("seconds"), (int, float))
        and not isinstance(raw.get("seconds"), bool) else 0.0,
        "arg_prints": [p if isinstance(p, str) else None for p in raw.get("arg_prints", [])[:len(call.args)]]
        if isinstance(raw.get("arg_prints"), list) else [],
    }
    if status == "ok":
        try:
            _calls.decode(raw.get("value"))
            clean["value"] = raw.get("value")
        except _calls.BadData as exc:
            clean.update(status="error", exc=unreadable(f"the grader could not read what your function"
                                                        f" returned: {exc}"))
        except (RecursionError, MemoryError, OverflowError, TypeError):
            clean.update(status="error",
                         exc=unreadable("the grader could not read what your function returned"))
    return clean


def unreadable(message):
    return {"type": "UnreadableResult", "message": message, "lineno": None, "line": "", "frames": []}


def read_response(path, calls):
    """The kernel's response file as (missing, type name, clean result dicts); never raises for bad data."""
    size = os.path.getsize(path)
    if size > MAX_RESPONSE_BYTES:
        msg = f"the result is larger than the {_calls.MAX_BYTES // 2**20} MB the grader reads"
        return False, None, [dict(sanitize({}, c), exc=unreadable(msg)) for c in calls]
    with open(path, "rb") as fh:
        text = fh.read()
    try:
        out = json.loads(text)
    except (ValueError, RecursionError):
        out = None
    if not isinstance(out, dict):
        msg = "the grader could not read the results: they are not the data it sent for"
        return False, None, [dict(sanitize({}, c), exc=unreadable(msg)) for c in calls]
    if out.get("missing") is True:
        kind = out.get("type")
        return True, (_clean_text(kind, 60) or None), []
    results = out.get("results") if isinstance(out.get("results"), list) else []
    clean = []
    for i, c in enumerate(calls):  # in the order sent; the keys are the grader's own
        if i < len(results):
            clean.append(sanitize(results[i], c))
        else:
            clean.append(dict(sanitize({}, c), exc=unreadable("no result came back for this call")))
    return False, None, clean


class KernelSession:
    """A learner's kernel in the folder ``cwd``; ``isolation``: an ``_sandbox.Isolation`` (None: as is)."""

    def __init__(self, cwd, cell_timeout=10.0, max_restarts=4, isolation=None):
        self.cwd = str(cwd)
        self.cell_timeout = float(cell_timeout)
        self.max_restarts = max_restarts
        self.isolation = isolation
        self.deadline = None   # time.monotonic() after which nothing runs long (the notebook's budget)
        self.restarts = 0
        self.starts = 0
        self.km = None
        self.kc = None
        self.history = []      # code that ran without killing the kernel, to replay after a restart
        self.log = []          # (cell index, outcome) for the report

    # ---- kernel life cycle
    def start(self):
        import zmq
        from jupyter_client import KernelManager

        self.starts += 1
        if not os.path.isdir(self.cwd) or not os.access(self.cwd, os.W_OK | os.X_OK):
            self._renew_scratch()
        context = zmq.Context()
        context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
        if self.isolation is None:
            env = dict(os.environ)
            env.update({"MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                        "PYDEVD_DISABLE_FILE_VALIDATION": "1"})
            self.km = KernelManager(kernel_name="python3", context=context)
        else:
            env = self.isolation.environment(self.cwd)
            # Unix sockets and the connection file in the scratch folder: the sandbox has no network
            self.km = _kernel_manager_class(self.isolation, self.cwd)(
                kernel_name="python3", context=context, transport="ipc",
                ip=os.path.join(self.cwd, f".k{self.starts}"),
                connection_file=os.path.join(self.cwd, f".kernel-{self.starts}.json"))
        self._context = context
        self.km.start_kernel(cwd=self.cwd, env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             extra_arguments=["--HistoryManager.enabled=False"])
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    def _renew_scratch(self):
        """A fresh scratch folder at the same path, after the submission removed or locked its own."""
        import shutil

        if os.path.isdir(self.cwd):
            os.chmod(self.cwd, 0o700)
            shutil.rmtree(self.cwd, ignore_errors=True)
        os.makedirs(self.cwd, exist_ok=True)
        if self.isolation is not None:
            self.isolation.prepare(self.cwd)

    def shutdown(self):
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None:
            try:
                self.km.shutdown_kernel(now=True)
            except Exception:
                pass
            try:
                self._context.destroy(linger=0)
            except Exception:
                pass
        self.km = self.kc = None

    def restart(self):
        self.restarts += 1
        self.shutdown()
        self.start()
        for code in self.history:
            if self.deadline is not None and time.monotonic() > self.deadline:
                return
            status = self._execute(code, self.cell_timeout)
            if status in ("died", "stuck"):
                self.shutdown()
                self.start()
                return

    # ---- executing code
    def _execute(self, code, timeout):
        """Run code; return "ok", "error", "timeout" (interrupted), "stuck" or "died"."""
        if self.deadline is not None:  # replays after a restart count against the budget too
            timeout = min(timeout, max(0.5, self.deadline - time.monotonic()))
        kc = self.kc
        msg_id = kc.execute(code, silent=False, store_history=False, allow_stdin=False, stop_on_error=False)
        deadline = time.monotonic() + timeout
        interrupted_at = None
        while True:
            try:
                reply = kc.get_shell_msg(timeout=0.05)
            except Empty:
                reply = None
            self._drain()
            if reply is not None and reply.get("parent_header", {}).get("msg_id") == msg_id:
                if interrupted_at is not None:
                    return "timeout"
                return "ok" if reply["content"].get("status") == "ok" else "error"
            if not self.km.is_alive():
                return "died"
            now = time.monotonic()
            if interrupted_at is None and now > deadline:
                self.km.interrupt_kernel()
                interrupted_at = now
            elif interrupted_at is not None and now > interrupted_at + 3.0:
                return "stuck"

    def _drain(self):
        try:
            while True:
                self.kc.get_iopub_msg(timeout=0)
        except Empty:
            pass

    def run_cell(self, index, code):
        """Execute one notebook cell; restart the kernel if it died or hangs."""
        status = self._execute(code, self.cell_timeout)
        self.log.append((index, status))
        if status in ("ok", "error"):
            self.history.append(code)
        elif status == "timeout":
            pass  # interrupted: the kernel is fine, the cell's work is lost
        else:
            self.recover()
        return status

    def recover(self):
        """After a death or a hang: restart, or, once the restarts are used up, give up at once
        (every later call then fails fast instead of waiting out its time limit)."""
        if self.restarts < self.max_restarts:
            try:
                self.restart()
                return
            except Exception:  # the kernel did not start again (out of processes, ...)
                pass
        self.shutdown()

    def call(self, name, calls, timeout, replace=None):
        """Run a learner function on ``Call``s in the kernel; return checked result dicts (``sanitize``).

        replace: {helper name: ``_running.source_of`` text}, put in place of the learner's own
        helpers for these calls only.
        """
        token = secrets.token_hex(8)
        req = os.path.join(self.cwd, f".grading-{token}-request.json")
        resp = os.path.join(self.cwd, f".grading-{token}-response.json")
        try:
            with open(req, "w") as fh:
                json.dump({"function": name, "calls": [c.encode() for c in calls],
                           "replace": replace or {}}, fh)
        except OSError:  # the submission removed or locked its scratch folder
            self.recover()
            raise KernelDied() from None
        program = (
            HARNESS_SOURCE
            + f"\nrun_request({req!r}, {resp!r}, __import__('IPython').get_ipython().user_ns)\n"
        )
        code = (
            f"exec(compile({program!r}, '<mlp_grading>', 'exec'),"
            " {'__name__': '__mlp_grading__', '__file__': '<mlp_grading>'})"
        )
        try:
            status = self._execute(code, timeout)
            if status == "timeout":
                raise Timeout()
            if status in ("died", "stuck"):
                self.recover()
                raise KernelDied() if status == "died" else Timeout()
            try:
                missing, kind, results = read_response(resp, calls)
            except OSError:
                raise KernelDied() from None
            if missing:
                if kind:
                    raise Missing(f"`{name}` in your notebook is a {kind}, not a function")
                raise Missing(f"your notebook does not define a function called `{name}`"
                              " (renamed, or its cell deleted?)")
            return results
        finally:
            for path in (req, resp, resp + ".part"):
                try:
                    os.remove(path)
                except OSError:
                    pass


class RemoteRunner:
    """The runner ``grade_function`` uses for a submission: calls go to the kernel."""

    def __init__(self, session):
        self.session = session

    def run(self, name, calls, timeout=None, replace=None):
        """``replace``: {helper name: the grader's function}, sent as source (``source_of``) and put in
        place of the learner's helpers for these calls only (``LocalRunner.run`` does it in process).
        Raises ``Unsendable`` for a function that cannot be sent as source."""
        if self.session.km is None or not self.session.km.is_alive():
            raise KernelDied()
        sent = {k: source_of(f, k) for k, f in (replace or {}).items()}
        raw = self.session.call(name, calls, timeout or self.session.cell_timeout, replace=sent)
        return [Result(c, r) for c, r in zip(calls, raw)]
