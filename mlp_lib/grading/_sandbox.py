"""Where a submission's kernel runs: its own bubblewrap sandbox on Linux, resource limits elsewhere.

``Isolation.for_run(...)`` decides once per grading run. Then, for each
submission, ``wrap(cmd, scratch)`` turns the kernel's command line into one
that runs it

- in "sandbox" mode (Linux with bubblewrap and user namespaces, or as root):
  in a fresh PID namespace that dies with the grader (``--die-with-parent``,
  so no process outlives the submission), without network, with the system
  and the Python environment read-only, the scratch folder (this submission's
  copy and nothing else) as the only writable place besides a small private
  /tmp, no home folder, no other submission, no ``solutions/``, no gradebook,
  and ``mlp_lib/grading`` reduced to the modules that hold no reference
  answers (``SANDBOX_VISIBLE``: every other module, present or future, is
  masked);
- in "limits" mode: as a plain process (its own process group, killed with
  the kernel), with the same resource limits.

Both modes set per-process limits on address space (``--memory``), CPU time
(the notebook budget), file size, open files and, where the kernel can count
them, processes; both give the kernel a scratch HOME and an environment
without the instructor's variables.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import mlp_lib

SANDBOX_VISIBLE = ("__init__.py", "_calls.py", "_framework.py", "_running.py", "_diagnosing.py")
"""The files of mlp_lib/grading that a learner's kernel may import: no reference answers in them.
Everything else in that folder (ex01.py, _nets.py, ..., any module added later) is masked."""

PROCESS_BUDGET = 256
"""Processes and threads a submission may have at once (a kernel uses about 10)."""

FILE_MB = 256
"""Largest file a submission may write."""

OPEN_FILES = 1024

TMP_MB = 64
"""Size of the private /tmp inside the sandbox (it lives in memory)."""

SANDBOX_UID_BASE = 1_900_000_000
"""When the grader runs as root, each sandbox runs as its own unprivileged user id from here on,
so that the process limit applies (root is exempt from it) and submissions do not share it."""

_IGNORE_SIGINT_THEN_EXEC = (
    "import os, signal, sys\n"
    "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"  # bwrap must survive the kernel's interrupts
    "os.execvp(sys.argv[1], sys.argv[1:])\n"
)

_LIMIT_THEN_EXEC = (
    "import json, os, sys\n"
    "cfg = json.loads(sys.argv[1])\n"
    "try:\n"
    "    import resource\n"
    "except ImportError:\n"
    "    resource = None\n"
    "if resource is not None:\n"
    "    for name, value in cfg['rlimits'].items():\n"
    "        which = getattr(resource, name, None)\n"
    "        if which is None:\n"
    "            continue\n"
    "        soft, hard = resource.getrlimit(which)\n"
    "        if hard != resource.RLIM_INFINITY:\n"
    "            value = min(value, hard)\n"
    "        try:\n"
    "            resource.setrlimit(which, (value, value))\n"
    "        except (ValueError, OSError):\n"
    "            pass\n"
    "if cfg.get('ignore_sigint'):\n"
    "    import signal\n"
    "    signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
    "os.execvp(sys.argv[2], sys.argv[2:])\n"
)

_BECOME_USER_THEN_EXEC = (  # inside the sandbox, when the grader runs as root
    "import os, sys\n"
    "uid = int(sys.argv[1])\n"
    "argv = sys.argv[2:]\n"
    "if '-f' in argv:\n"
    "    os.chown(argv[argv.index('-f') + 1], uid, uid)\n"  # the connection file
    "os.setgroups([])\n"
    "os.setgid(uid)\n"
    "os.setuid(uid)\n"
    "os.chdir(os.environ['HOME'])\n"  # the scratch folder, which only that user may enter
    "os.execvp(argv[0], argv)\n"
)


def _bwrap():
    return shutil.which("bwrap") if sys.platform.startswith("linux") else None


def _tasks_of(uid):
    """Processes and threads that user ``uid`` has now (Linux), or None where that cannot be counted."""
    if not sys.platform.startswith("linux"):
        return None
    total = 0
    try:
        entries = os.listdir("/proc")
    except OSError:
        return None
    for name in entries:
        if not name.isdigit():
            continue
        try:
            if os.stat(f"/proc/{name}").st_uid != uid:
                continue
            with open(f"/proc/{name}/status") as fh:
                for line in fh:
                    if line.startswith("Threads:"):
                        total += int(line.split()[1])
                        break
        except (OSError, ValueError):
            continue
    return total


class Isolation:
    """How every submission of one grading run is isolated: ``mode`` is "sandbox" or "limits".

    memory_mb: address space per process; cpu_seconds: CPU time of the
    kernel (the notebook budget); why: when ``mode`` is "limits", the reason
    the sandbox is not used (said on stderr).
    """

    def __init__(self, mode, memory_mb=2048, cpu_seconds=600, why=""):
        if mode not in ("sandbox", "limits"):
            raise ValueError(f"isolation mode must be 'sandbox' or 'limits', got {mode!r}")
        self.mode = mode
        self.memory_mb = int(memory_mb)
        self.cpu_seconds = int(max(1, cpu_seconds))
        self.why = why
        self.is_root = hasattr(os, "geteuid") and os.geteuid() == 0
        self.package = Path(mlp_lib.__file__).resolve().parent
        self.uid = None

    @classmethod
    def for_run(cls, wanted="auto", memory_mb=2048, cpu_seconds=600):
        """"auto": the sandbox where it works, else limits. "sandbox": the sandbox or ValueError."""
        if wanted == "limits":
            return cls("limits", memory_mb, cpu_seconds, why="--isolation limits was asked for")
        ok, why = sandbox_works()
        if ok:
            return cls("sandbox", memory_mb, cpu_seconds)
        if wanted == "sandbox":
            raise ValueError(f"the sandbox cannot run here: {why}")
        return cls("limits", memory_mb, cpu_seconds, why=why)

    # ---- what the kernel gets
    def rlimits(self):
        mb = 2**20
        limits = {"RLIMIT_AS": self.memory_mb * mb, "RLIMIT_CPU": self.cpu_seconds,
                  "RLIMIT_FSIZE": FILE_MB * mb, "RLIMIT_NOFILE": OPEN_FILES, "RLIMIT_CORE": 0}
        if self.mode == "sandbox" and self.is_root:
            limits["RLIMIT_NPROC"] = PROCESS_BUDGET  # counted for the sandbox's own user id
        elif not self.is_root and hasattr(os, "getuid"):
            now = _tasks_of(os.getuid())
            if now is not None:  # the count is per user: leave the instructor's own processes room
                limits["RLIMIT_NPROC"] = now + PROCESS_BUDGET
        return limits

    def environment(self, scratch):
        """The kernel's environment: none of the instructor's variables, a scratch HOME."""
        scratch = str(scratch)
        bin_dir = os.path.dirname(sys.executable)
        env = {
            "PATH": os.pathsep.join([bin_dir, "/usr/local/bin", "/usr/bin", "/bin"]),
            "HOME": scratch, "USERPROFILE": scratch,
            "TMPDIR": "/tmp" if self.mode == "sandbox" else scratch,
            "LANG": "C.UTF-8", "PYTHONPATH": str(self.package.parent), "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONNOUSERSITE": "1", "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": os.path.join(scratch, ".matplotlib"),
            "IPYTHONDIR": os.path.join(scratch, ".ipython"),
            "JUPYTER_RUNTIME_DIR": os.path.join(scratch, ".jupyter"),
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "MALLOC_ARENA_MAX": "2", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        }
        for name in ("SYSTEMROOT", "WINDIR", "COMSPEC"):  # Windows needs these to start Python
            if name in os.environ:
                env[name] = os.environ[name]
        return env

    def prepare(self, scratch):
        """Make the scratch folder ready for a kernel: matplotlib's font list, ownership."""
        mpl = Path(scratch) / ".matplotlib"
        mpl.mkdir(exist_ok=True)
        cache = Path(os.environ.get("MPLCONFIGDIR") or Path(os.environ.get("XDG_CACHE_HOME") or
                                                             Path.home() / ".cache") / "matplotlib")
        try:
            for f in cache.glob("fontlist-*.json"):  # saves rebuilding it (seconds) in every kernel
                shutil.copyfile(f, mpl / f.name)
        except OSError:
            pass
        if self.mode == "sandbox" and self.is_root:
            import secrets

            while True:  # a user id that no process has: this submission's process count starts at 0
                self.uid = SANDBOX_UID_BASE + secrets.randbelow(100_000_000)
                if not _tasks_of(self.uid):
                    break
            for root, dirs, files in os.walk(scratch):
                for name in [root] + [os.path.join(root, n) for n in dirs + files]:
                    os.chown(name, self.uid, self.uid)

    def wrap(self, cmd, scratch):
        """The kernel command ``cmd`` (a list) as this mode runs it, for the submission in ``scratch``."""
        if os.name == "nt":  # no resource limits there, and exec would end the process jupyter watches
            return list(cmd)
        limiter = [sys.executable, "-I", "-S", "-c", _LIMIT_THEN_EXEC,
                   json.dumps({"rlimits": self.rlimits(), "ignore_sigint": self.mode == "sandbox"})]
        if self.mode == "limits":
            return limiter + list(cmd)
        inner = list(cmd)
        if self.is_root:
            inner = [sys.executable, "-I", "-S", "-c", _BECOME_USER_THEN_EXEC, str(self.uid)] + inner
        return limiter + bwrap_arguments(self.package, scratch, as_root=self.is_root) + ["--"] + inner


def _python_dirs():
    """The folders the kernel's Python needs: the interpreter's prefixes and installed packages."""
    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    for p in sys.path:
        if p.endswith(("site-packages", "dist-packages")):
            dirs.add(p)
    out = []
    for d in sorted({os.path.realpath(d) for d in dirs} | dirs):
        if os.path.isdir(d) and not d.startswith(("/usr/", "/etc/")) and d not in ("/usr", "/"):
            out.append(d)
    return [d for d in out if not any(d != o and d.startswith(o + os.sep) for o in out)]


def bwrap_arguments(package, scratch, as_root=False):
    """bwrap's command line (up to, not including, "--") for one submission's sandbox."""
    scratch = str(Path(scratch).resolve())
    # as root, no user namespace: the kernel then becomes an ordinary user of its own (see wrap)
    unshare = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    # no --new-session: the kernel must stay in the process group that jupyter_client interrupts
    # (it has no terminal to abuse: jupyter_client starts it in a session of its own, stdin /dev/null)
    args = [_bwrap() or "bwrap", "--die-with-parent", *unshare,
            "--hostname", "grading", "--proc", "/proc", "--dev", "/dev",
            # the kernel's parent is the sandbox's init (pid 1); it dies with the grader anyway
            "--setenv", "JPY_PARENT_PID", "1",
            "--size", str(TMP_MB * 2**20), "--tmpfs", "/tmp"]
    for d in ("/usr", "/etc"):  # /opt, /srv, /home, ...: only the Python folders found below
        if os.path.isdir(d) and not os.path.islink(d):
            args += ["--ro-bind", d, d]
    for d in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(d):
            args += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            args += ["--ro-bind", d, d]
    made = {"/", "/usr", "/etc", "/tmp"}

    def bind(path, how="--ro-bind"):
        parents = []
        for parent in Path(path).parents:  # folders that lead to a bound one: traversable by anyone
            if str(parent) in made:
                break
            parents.append(str(parent))
        for parent in reversed(parents):
            args.extend(["--perms", "0755", "--dir", parent])
            made.add(parent)
        args.extend([how, path, path])
        made.add(path)

    for d in _python_dirs():
        bind(d)
    pkg = str(package)
    bind(pkg)
    grading = os.path.join(pkg, "grading")
    args += ["--tmpfs", grading]  # reference answers masked, by default
    for name in SANDBOX_VISIBLE:
        path = os.path.join(grading, name)
        if os.path.isfile(path):
            args += ["--ro-bind", path, path]
    args += ["--remount-ro", grading]
    bind(scratch, "--bind")
    if not as_root:
        args += ["--unshare-user", "--chdir", scratch]
    else:
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_CHOWN"]
    return args


_probe = {}


def sandbox_works():
    """(True, "") where bubblewrap runs here; else (False, the reason in plain words)."""
    if "result" in _probe:
        return _probe["result"]
    bwrap = _bwrap()
    if not sys.platform.startswith("linux"):
        result = (False, f"bubblewrap needs Linux, this is {sys.platform}")
    elif bwrap is None:
        result = (False, "bubblewrap (bwrap) is not installed")
    else:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="mlp-grade-probe-") as tmp:
            cmd = bwrap_arguments(Path(mlp_lib.__file__).resolve().parent, tmp) + [
                "--", sys.executable, "-I", "-S", "-c", "pass"]
            try:
                proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                      timeout=30)
                ok = proc.returncode == 0
                why = (proc.stderr.strip().splitlines() or ["exit status %d" % proc.returncode])[-1]
            except (OSError, subprocess.TimeoutExpired) as exc:
                ok, why = False, str(exc)
        result = (True, "") if ok else (False, f"bubblewrap does not run here ({why[:200]})")
    _probe["result"] = result
    return result
