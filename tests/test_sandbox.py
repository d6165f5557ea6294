"""The sandbox of one submission (mlp_lib.grading._sandbox), probed from inside a real kernel.

Each test starts a kernel the way the grader does, defines a probe function
in it and calls it through the grader's runner, so what the probe returns
came back over the grader's data-only wire.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

import pytest

from mlp_lib.grading._framework import Call
from mlp_lib.grading._kernel import KernelSession, RemoteRunner
from mlp_lib.grading._sandbox import PROCESS_BUDGET, Isolation, sandbox_works

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not sandbox_works()[0], reason=f"no sandbox here: {sandbox_works()[1]}")]


@pytest.fixture(scope="module")
def kernel():
    """One sandboxed kernel (512 MB) for the probes that do not break it."""
    iso = Isolation.for_run("sandbox", memory_mb=512, cpu_seconds=120)
    scratch = Path(tempfile.mkdtemp(prefix="mlp-test-sandbox-"))
    iso.prepare(scratch)
    session = KernelSession(scratch, cell_timeout=20, isolation=iso)
    session.start()
    yield session
    session.shutdown()
    import shutil

    shutil.rmtree(scratch, ignore_errors=True)


def probe(session, source, timeout=30):
    """Define ``probe()`` from ``source`` (its body) in the kernel, call it, return its value."""
    body = "\n".join("    " + line for line in source.strip().splitlines())
    assert session.run_cell(0, "def probe():\n" + body) == "ok"
    (result,) = RemoteRunner(session).run("probe", [Call("p")], timeout)
    assert result.status == "ok", result.exc
    return result.value


def test_no_network(kernel):
    got = probe(kernel, """
import socket
try:
    socket.create_connection(("192.0.2.1", 80), timeout=2)
    return "connected"
except OSError as exc:
    return type(exc).__name__ + str(exc.errno)
""")
    assert got != "connected"


def test_sees_only_its_own_processes(kernel):
    pids = probe(kernel, "import os\nreturn sorted(int(p) for p in os.listdir('/proc') if p.isdigit())")
    assert len(pids) < 20 and max(pids) < 100  # a PID namespace of its own: the grader is not in it


def test_sees_none_of_the_instructors_files(kernel):
    other = Path(tempfile.mkdtemp(prefix="mlp-grade-neighbour-"))  # like another submission's scratch
    (other / "submission.ipynb").write_text("{}")
    paths = [str(ROOT / "solutions"), str(ROOT / "README.md"), str(ROOT / "exercises"), str(other)]
    got = probe(kernel, f"""
import os
home = {str(Path.home())!r}
return [[p for p in {paths!r} if os.path.exists(p)],
        sorted(os.listdir(home)) if os.path.isdir(home) else [], sorted(os.listdir("/tmp"))]
""")
    seen, home_entries, tmp_entries = got
    assert seen == []
    # the home folder, if the Python install lives in it, holds only the way to that install
    assert all(os.path.join(str(Path.home()), e) in sys.base_prefix for e in home_entries), home_entries
    # a private /tmp: at most the way to its own scratch folder, and to the course's package and
    # environment where those live under /tmp (a checkout there: bound read-only, the rest of it unseen)
    ways = [Path(kernel.cwd), ROOT / "mlp_lib", Path(sys.prefix)]
    own = {w.relative_to("/tmp").parts[0] for w in ways if w.is_relative_to("/tmp")}
    assert set(tmp_entries) <= own


def test_reference_answers_are_not_importable_but_check_is(kernel):
    got = probe(kernel, """
import importlib, os
out = []
for name in ("mlp_lib.grading._nets", "mlp_lib.grading.ex01", "mlp_lib.grading.ex04"):
    try:
        importlib.import_module(name)
        out.append(name)
    except ImportError:
        pass
from mlp_lib.grading import check, score_table
import mlp_lib.grading
folder = os.path.dirname(mlp_lib.grading.__file__)
return [out, sorted(os.listdir(folder))]
""")
    imported, listing = got
    assert imported == []
    assert not any(n.startswith(("ex0", "_nets")) for n in listing), listing


def test_environment_is_read_only_and_limited(kernel):
    got = probe(kernel, """
import os, sys, resource, mlp_lib
out = []
for folder in (os.path.dirname(mlp_lib.__file__), sys.prefix, "/usr"):
    try:
        open(os.path.join(folder, "written-by-a-submission"), "w").close()
        out.append(folder)
    except OSError:
        pass
return [out, resource.getrlimit(resource.RLIMIT_AS)[0], resource.getrlimit(resource.RLIMIT_NPROC)[0],
        resource.getrlimit(resource.RLIMIT_FSIZE)[0], sorted(k for k in os.environ if "TOKEN" in k or "KEY" in k)]
""")
    written, address_space, nproc, fsize, secrets = got
    assert written == []
    assert address_space == 512 * 2**20
    assert 0 < nproc <= 10 * PROCESS_BUDGET and fsize > 0
    assert secrets == []


def test_memory_bomb_stops_at_the_limit(kernel):
    mb = probe(kernel, """
chunks = []
try:
    while len(chunks) < 64:             # bounded: 64 x 64 MB = 4 GB at most
        chunks.append(bytearray(64 * 2**20))
except MemoryError:
    pass
n = len(chunks)
del chunks
return n * 64
""")
    assert mb < 512


def test_fork_bomb_stops_at_the_process_limit():
    iso = Isolation.for_run("sandbox", memory_mb=1024, cpu_seconds=120)
    scratch = Path(tempfile.mkdtemp(prefix="mlp-test-sandbox-"))
    iso.prepare(scratch)
    session = KernelSession(scratch, cell_timeout=30, isolation=iso)
    session.start()
    try:
        n = probe(session, """
import os, time
n = 0
for _ in range(3000):                   # bounded: at most 3000 sleeping children
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    n += 1
return n
""", timeout=60)
        assert n < PROCESS_BUDGET
    finally:
        session.shutdown()
    assert _gone(lambda: _processes_of(iso.uid if iso.is_root else None))


def _gone(find, seconds=5.0):
    """True once ``find()`` is empty (a dying PID namespace takes a moment to reap its processes)."""
    deadline = time.monotonic() + seconds
    while find():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _processes_of(uid):
    """Pids of processes of ``uid`` (the sandbox's own user id when grading as root)."""
    if uid is None:
        return []
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                if os.stat(f"/proc/{p}").st_uid == uid:
                    out.append(int(p))
            except OSError:
                pass
    return out


def test_no_process_outlives_the_submission():
    iso = Isolation.for_run("sandbox", memory_mb=1024, cpu_seconds=120)
    scratch = Path(tempfile.mkdtemp(prefix="mlp-test-sandbox-"))
    iso.prepare(scratch)
    session = KernelSession(scratch, cell_timeout=30, isolation=iso)
    session.start()
    marker = "31.4159"
    assert session.run_cell(0, f"""
import os
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv("/bin/sleep", ["sleep", "{marker}"])
    os._exit(0)
""") == "ok"
    time.sleep(0.5)
    assert _sleepers(marker), "the daemon did not start: the test proves nothing"
    session.shutdown()
    assert _gone(lambda: _sleepers(marker))


def _sleepers(marker):
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/cmdline", "rb") as fh:
                    if fh.read().split(b"\0")[:2] == [b"sleep", marker.encode()]:
                        out.append(int(p))
            except OSError:
                pass
    return out


def test_limits_mode_still_limits_memory():
    iso = Isolation.for_run("limits", memory_mb=512, cpu_seconds=120)
    scratch = Path(tempfile.mkdtemp(prefix="mlp-test-limits-"))
    iso.prepare(scratch)
    session = KernelSession(scratch, cell_timeout=30, isolation=iso)
    session.start()
    try:
        got = probe(session, "import resource, os\nreturn [resource.getrlimit(resource.RLIMIT_AS)[0], os.environ['HOME']]")
        assert got == [512 * 2**20, str(scratch)]
    finally:
        session.shutdown()


