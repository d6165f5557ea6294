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

HARNESS_SOURCE = Path(_calls.__file__).read_text()


class KernelSession:
    def __init__(self, cwd, cell_timeout=10.0, max_restarts=4):
        self.cwd = str(cwd)
        self.cell_timeout = float(cell_timeout)
        self.max_restarts = max_restarts
        self.restarts = 0
        self.km = None
        self.kc = None
        self.history = []      # code that ran without killing the kernel, to replay after a restart
        self.log = []          # (cell index, outcome) for the report

    # ---- kernel life cycle
    def start(self):
        from jupyter_client import KernelManager

        env = dict(os.environ)
        env.update({"MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                    "PYDEVD_DISABLE_FILE_VALIDATION": "1"})
        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(cwd=self.cwd, env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             extra_arguments=["--HistoryManager.enabled=False"])
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    def shutdown(self):
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None:
            try:
                self.km.shutdown_kernel(now=True)
            except Exception:
                pass
        self.km = self.kc = None

    def restart(self):
        self.restarts += 1
        self.shutdown()
        self.start()
        for code in self.history:
            status = self._execute(code, self.cell_timeout)
            if status in ("died", "stuck"):
                self.shutdown()
                self.start()
                return

    # ---- executing code
    def _execute(self, code, timeout):
        """Run code; return "ok", "error", "timeout" (interrupted), "stuck" or "died"."""
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
        elif self.restarts < self.max_restarts:
            self.restart()
        return status

    def call(self, name, calls, timeout):
        """Run a learner function on encoded calls in the kernel; return the raw result dicts."""
        token = secrets.token_hex(8)
        req = os.path.join(self.cwd, f".grading-{token}-request.json")
        resp = os.path.join(self.cwd, f".grading-{token}-response.json")
        with open(req, "w") as fh:
            json.dump({"function": name, "calls": calls}, fh)
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
                if self.restarts < self.max_restarts:
                    self.restart()
                raise KernelDied() if status == "died" else Timeout()
            try:
                with open(resp) as fh:
                    out = json.load(fh)
            except (OSError, ValueError):
                raise KernelDied() from None
            if out.get("missing"):
                kind = out.get("type")
                if kind:
                    raise Missing(f"`{name}` in your notebook is a {kind}, not a function")
                raise Missing(f"your notebook does not define a function called `{name}`"
                              " (renamed, or its cell deleted?)")
            return out["results"]
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

    def run(self, name, calls, timeout=None):
        if self.session.km is None or not self.session.km.is_alive():
            raise KernelDied()
        raw = self.session.call(name, [c.encode() for c in calls], timeout or self.session.cell_timeout)
        return [Result(c, r) for c, r in zip(calls, raw)]
