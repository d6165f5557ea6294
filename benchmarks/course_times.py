"""How long does the course take to run? Every measured time against its budget.

Measures, on whatever exists when it runs, every time against its budget:

* every notebook in chapters/, solutions/ and exercises/, executed top to
  bottom in a fresh kernel as Run All does (nbclient; kernel start included;
  an error in a cell tagged ``raises-exception`` is expected) -- <= 20 s each
  of wall clock; the kernel's CPU time is shown too (on a busy machine the
  wall clock also counts time the cores spent on other work);
* the whole nbval run, ``pytest -n 2 --dist loadfile`` on those folders
  -- <= 90 s (``--skip-nbval`` leaves it out);
* ``import mlp_lib`` in a fresh interpreter, best wall-clock time of N (CPU
  time shown too: it is larger than the wall clock, because importing numpy
  starts OpenBLAS's threads on both cores) -- <= 150 ms; it also checks that
  matplotlib and ipywidgets are not imported by it;
* the frame time of every widget class of ``mlp_lib.widgets``, in this
  process as in the kernel: ``frame_png(frame)`` (what Play and the slider
  call) on a first visit -- render, draw and PNG encoding -- median CPU time
  over frames spread across the run, <= 100 ms; and on a revisit (the
  frame cache) <= 5 ms (wall clock shown too). The time from Play or a
  slider to the new picture on screen is measured by the browser test
  tests/browser/test_widget_timing.py (the page's own clock, >= 20
  interactions); its last result, test-artifacts/browser/widget_timing.json,
  is reported here against <= 150 ms median and <= 300 ms 95th percentile;
* grading each notebook of exercises/ and solutions/ with
  ``python -m mlp_lib.grade NB --json``, if that module exists -- <= 10 s;
* grading time per submission with the sandbox and with resource limits only
  (``--isolation limits``), and the sandbox's overhead (``--only sandbox``).

    python benchmarks/course_times.py                # everything
    python benchmarks/course_times.py --quick        # no nbval run, fewer repeats
    python benchmarks/course_times.py --only widgets import

Widget classes or the grader that do not exist yet are reported as missing,
not as failures. The machine may be shared: rerun before trusting a miss.
"""

import argparse
import importlib
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOTEBOOK_FOLDERS = ("chapters", "solutions", "exercises")
BUDGET = {
    "notebook": 20.0,       # seconds, each notebook
    "nbval": 90.0,          # seconds, the whole nbval run on 2 workers
    "import": 0.150,        # seconds, import mlp_lib
    "frame": 0.100,         # seconds, frame_png on a first visit: render, draw, PNG
    "revisit": 0.005,       # seconds, frame_png of a frame shown before (cached)
    "screen": 0.150,        # seconds, Play or slider to the new picture on screen, median
    "screen p95": 0.300,    # seconds, the same, 95th percentile
    "grade": 10.0,          # seconds, grading one notebook
}

rows = []  # (what, measured seconds or None, budget seconds or None, note)


def record(what, seconds, budget, note=""):
    rows.append((what, seconds, budget, note))
    print(f"  {what}: {_fmt(seconds)}  {note}", flush=True)


def _fmt(seconds):
    if seconds is None:
        return "-"
    if seconds >= 1:
        return f"{seconds:.1f} s"
    return f"{seconds * 1e3:.0f} ms" if seconds >= 0.01 else f"{seconds * 1e3:.1f} ms"


def notebooks():
    found = []
    for folder in NOTEBOOK_FOLDERS:
        found += sorted((ROOT / folder).glob("*.ipynb"))
    return [nb for nb in found if ".ipynb_checkpoints" not in nb.parts]


# ---- notebooks ----------------------------------------------------------------
def time_notebooks():
    import nbformat
    from nbclient import NotebookClient

    paths = notebooks()
    if not paths:
        print("  no notebooks yet")
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": str(path.parent)}})
        t0 = time.perf_counter()
        cpu = None
        try:
            with client.setup_kernel():
                pid = getattr(client.km.provisioner, "pid", None)
                for index, cell in enumerate(nb.cells):
                    client.execute_cell(cell, index)
                cpu = _cpu_seconds(pid)
            note = _unexpected_errors(nb)
        except Exception as exc:  # a dead kernel, a timeout
            note = f"FAILED to execute: {type(exc).__name__}: {str(exc)[:80]}"
        if cpu is not None:
            note = f"kernel CPU {_fmt(cpu)}" + (f"; {note}" if note else "")
        record(str(path.relative_to(ROOT)), time.perf_counter() - t0, BUDGET["notebook"], note)


def _cpu_seconds(pid):
    """CPU time (user + system, with finished children) of process ``pid`` so far, or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError, TypeError):
        return None
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _unexpected_errors(nb):
    bad = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "raises-exception" in cell.metadata.get("tags", []):
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                bad.append(f"cell {i}: {out.get('ename')}: {out.get('evalue', '')[:60]}")
    return ("unexpected errors: " + ", ".join(bad[:3])) if bad else ""


def time_nbval():
    folders = [f for f in NOTEBOOK_FOLDERS if list((ROOT / f).glob("*.ipynb"))]
    if not folders:
        print("  no notebooks yet")
        return
    cmd = [sys.executable, "-m", "pytest", "-q", "-n", "2", "--dist", "loadfile", "-p", "no:randomly",
           *folders]
    t0, c0 = time.perf_counter(), _children_cpu()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    seconds, cpu = time.perf_counter() - t0, _children_cpu() - c0
    tail = (proc.stdout.strip().splitlines() or ["(no output)"])[-1]
    record("nbval run: pytest -n 2 " + " ".join(folders), seconds, BUDGET["nbval"],
           f"{tail}; CPU of all its processes {_fmt(cpu)}")


def _children_cpu():
    """CPU time (user + system) of this process's finished children and their waited-for children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# ---- import -------------------------------------------------------------------
IMPORT_PROBE = """
import sys, time
c0, t0 = time.process_time(), time.perf_counter()
import {module}
t1, c1 = time.perf_counter(), time.process_time()
heavy = [m for m in ("matplotlib", "ipywidgets", "torch", "sklearn", "scipy") if m in sys.modules]
print(c1 - c0, t1 - t0, ",".join(heavy) or "-")
"""


def _import_times(module, repeats):
    """Best CPU and wall time of ``import module`` in fresh interpreters; the heavy modules it loaded."""
    cpu, wall, heavy = [], [], "-"
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", IMPORT_PROBE.format(module=module)], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.split()
        cpu.append(float(out[0]))
        wall.append(float(out[1]))
        heavy = out[2]
    return min(cpu), min(wall), heavy


def time_import(repeats):
    cpu, wall, heavy = _import_times("mlp_lib", repeats)
    note = f"wall, best of {repeats}; CPU {_fmt(cpu)} (all threads); "
    note += f"also imports {heavy}" if heavy != "-" else "matplotlib/ipywidgets not imported"
    record("import mlp_lib", wall, BUDGET["import"], note)
    cpu, wall, _ = _import_times("numpy", repeats)
    record("  of which import numpy", wall, None, f"wall, best of {repeats}; CPU {_fmt(cpu)} (all threads)")


# ---- widgets ------------------------------------------------------------------
def _widget_factories(w):
    """Ways to build each widget class on small course data, tried in turn (the first that works is used).

    Each is a function of the class; widgets that replay a training run get one.
    """
    import numpy as np

    from mlp_lib import MLP, data

    x, t = data.linear_1d(m=50, seed=0)
    X1 = np.asarray(x).reshape(-1, 1)
    t1 = np.asarray(t).ravel()
    Xx, lx = data.xor(m=8, seed=0)
    Tx = np.asarray(lx).reshape(-1, 1).astype(float)
    Xm, lm = data.moons(m=200, seed=0)
    Tm = np.asarray(lm).reshape(-1, 1).astype(float)

    def small_net():
        return MLP([2, 3, 1], "sigmoid", "sigmoid", "binary_cross_entropy", seed=0)

    def trained_net(callbacks=()):
        net = MLP([2, 8, 8, 1], "tanh", "sigmoid", "binary_cross_entropy", seed=0)
        net.fit(Xm, Tm, epochs=30, lr=0.5, batch_size=32, callbacks=list(callbacks))
        return net

    def dashboard(cls):
        dash = cls(X_val=Xm, T_val=Tm, X_train=Xm, T_train=Tm)
        trained_net([dash])
        return dash

    def landscape(cls):
        recorder = importlib.import_module(w._CLASSES["LossLandscape"]).PathRecorder()
        net = trained_net([recorder])
        return cls(net, Xm, Tm, path=recorder)

    def reverse_sweep(cls):
        from mlp_lib.autodiff import Tensor

        u, v = Tensor(2.0), Tensor(3.0)
        return cls((u * v + u) ** 2, names={"x": u, "y": v})   # chapter 06's J = (xy + x)^2

    return {
        "LossSurfaceExplorer": [lambda cls: cls(X1, t1), lambda cls: cls(x, t)],
        "DeltaFlowAnimator": [lambda cls: cls(small_net(), Xx[:4], Tx[:4])],
        "VanishingGradientExplorer": [lambda cls: cls()],
        "TrainingDashboard": [dashboard, lambda cls: cls()],
        "LossLandscape": [landscape, lambda cls: cls(trained_net(), Xm, Tm)],
        "ReverseSweepAnimator": [reverse_sweep],
    }


def time_widgets(max_frames):
    import matplotlib

    matplotlib.use("Agg")
    import mlp_lib.widgets as w

    factories = _widget_factories(w)
    for name, module in w._CLASSES.items():
        if name == "FrameWidget":
            continue
        if importlib.util.find_spec(module) is None:
            record(f"widget {name}", None, BUDGET["frame"], f"missing ({module} does not exist yet)")
            continue
        try:
            cls = getattr(w, name)
        except Exception as exc:
            record(f"widget {name}", None, BUDGET["frame"], f"import failed: {type(exc).__name__}: {exc}")
            continue
        widget, error = None, ""
        for factory in factories.get(name, [lambda cls: cls()]):
            try:
                widget = factory(cls)
                break
            except Exception as exc:
                error = f"{type(exc).__name__}: {str(exc)[:90]}"
        if widget is None:
            record(f"widget {name}", None, BUDGET["frame"], f"could not construct it here ({error})")
            continue
        try:
            first, revisit, n = _frame_times(widget, max_frames)
        except Exception:
            last = traceback.format_exc().strip().splitlines()[-1]
            record(f"widget {name} frame_png first visit", None, BUDGET["frame"], f"failed: {last[:100]}")
            continue
        record(f"widget {name} frame_png first visit", first[0], BUDGET["frame"],
               f"CPU, median of {n} frames; wall {_fmt(first[1])}")
        record(f"widget {name} frame_png revisit", revisit[0], BUDGET["revisit"],
               f"CPU, median of {n} frames; wall {_fmt(revisit[1])}")


def _frame_times(widget, max_frames):
    """frame_png times, first visits and revisits: ((CPU, wall), (CPU, wall), frames measured).

    Medians over up to max_frames frames spread over the run, after one
    warm-up frame (the first picture also freezes the widget's background).
    Drawing is single-threaded work in this process, so its CPU time does
    not count the time other processes held the core.
    """
    n = min(int(widget.n_frames), max_frames + 1)
    frames = sorted({round(i * (widget.n_frames - 1) / max(n - 1, 1)) for i in range(n)})
    warm_up, frames = frames[0], frames[1:] or frames
    widget.frame_png(warm_up)
    timings = {"first": ([], []), "revisit": ([], [])}
    for visit in ("first", "revisit"):
        cpu, wall = timings[visit]
        for frame in frames:
            c0, t0 = time.process_time(), time.perf_counter()
            png = widget.frame_png(frame)
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            assert png.startswith(b"\x89PNG")
    first, revisit = ((statistics.median(c), statistics.median(w)) for c, w in timings.values())
    return first, revisit, len(frames)


def report_screen_times():
    """The browser test's last measurement of Play/slider -> picture on screen, if there is one."""
    path = ROOT / "test-artifacts" / "browser" / "widget_timing.json"
    if not path.exists():
        record("widgets on screen", None, BUDGET["screen"],
               "not measured: run pytest -m browser tests/browser/test_widget_timing.py")
        return
    result = json.loads(path.read_text())
    age = (time.time() - path.stat().st_mtime) / 3600
    note = (f"{result['interactions']} interactions, load average {result.get('load_average', 0):.1f},"
            f" measured {age:.1f} h ago")
    record("widgets on screen, median", result["median_ms"] / 1e3, BUDGET["screen"], note)
    record("widgets on screen, 95th percentile", result["p95_ms"] / 1e3, BUDGET["screen p95"], note)
    for name, row in result["widgets"].items():
        record(f"widget {name} on screen", row["median_ms"] / 1e3, BUDGET["screen"],
               f"median; 95th percentile {row['p95_ms']:.0f} ms; Play {row['play_ms']:.0f} ms")


# ---- grading ------------------------------------------------------------------
def time_grading():
    if importlib.util.find_spec("mlp_lib.grade") is None:
        record("grading", None, BUDGET["grade"], "missing (python -m mlp_lib.grade does not exist yet)")
        return
    paths = [p for p in notebooks() if p.parent.name in ("exercises", "solutions")]
    if not paths:
        print("  no exercise or solution notebooks yet")
    for path in paths:
        t0, c0 = time.perf_counter(), _children_cpu()
        proc = subprocess.run([sys.executable, "-m", "mlp_lib.grade", str(path), "--json"],
                              cwd=ROOT, capture_output=True, text=True)
        seconds, cpu = time.perf_counter() - t0, _children_cpu() - c0
        try:
            sub = json.loads(proc.stdout)["submissions"][0]
            note = f"score {sub['score']:g}/{sub['max_score']:g}; CPU {_fmt(cpu)}"
            if sub["error"]:
                note += f", error {sub['error']}"
        except Exception:
            last = (proc.stderr.strip().splitlines() or [""])[-1]
            note = f"exit {proc.returncode}, no JSON: {last[:80]}"
        record(f"grade {path.relative_to(ROOT)}", seconds, BUDGET["grade"], note)


def time_grading_isolation(rounds=2):
    """Grading time per submission with the sandbox against without it (--isolation limits).

    Grades the five solution notebooks with --jobs 1, alternating the two
    modes ``rounds`` times, and reports the best run of each mode divided by
    the number of submissions (the grader's start-up is shared among them).
    """
    if importlib.util.find_spec("mlp_lib.grading._sandbox") is None:
        record("grading, sandbox vs limits", None, BUDGET["grade"], "missing (no sandbox module)")
        return
    from mlp_lib.grading._sandbox import sandbox_works

    ok, why = sandbox_works()
    if not ok:
        record("grading, sandbox vs limits", None, BUDGET["grade"], f"no sandbox here: {why}")
        return
    folder = ROOT / "solutions"
    n = len(list(folder.glob("*.ipynb")))
    best = {}
    for _ in range(rounds):
        for mode in ("sandbox", "limits"):
            t0 = time.perf_counter()
            cmd = [sys.executable, "-m", "mlp_lib.grade", str(folder), "--json",
                   "--isolation", mode, "--seed", "1"]
            proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
            seconds = (time.perf_counter() - t0) / n
            subs = json.loads(proc.stdout)["submissions"] if proc.stdout.strip() else []
            full = len(subs) == n and all(
                s["score"] == s["max_score"] and s["isolation"] == mode for s in subs)
            if not full:
                record(f"grade per submission, {mode}", None, BUDGET["grade"],
                       f"not full marks: {proc.stderr[-80:]}")
                return
            best[mode] = min(best.get(mode, seconds), seconds)
    starts = _kernel_starts(5)
    extra = best["sandbox"] - best["limits"]
    how = f"{n} solutions, --jobs 1, best of {rounds}"
    record("grade per submission, sandbox", best["sandbox"], BUDGET["grade"], how)
    record("grade per submission, limits only", best["limits"], BUDGET["grade"], how)
    record("sandbox overhead per submission", extra, None,
           f"ratio sandbox/limits: {best['sandbox'] / best['limits']:.2f} (noisy on a shared machine)")
    record("kernel start, sandbox", starts["sandbox"], None, "median of 5, alternating with limits")
    record("kernel start, limits only", starts["limits"], None,
           f"sandbox overhead per kernel start: {_fmt(starts['sandbox'] - starts['limits'])}")


def _kernel_starts(repeats):
    """Median seconds to start a grading kernel (and shut it down) in each isolation mode."""
    import tempfile

    from mlp_lib.grading._kernel import KernelSession
    from mlp_lib.grading._sandbox import Isolation

    times = {"sandbox": [], "limits": []}
    for _ in range(repeats):
        for mode in times:
            iso = Isolation.for_run(mode)
            with tempfile.TemporaryDirectory(prefix="mlp-bench-") as scratch:
                t0 = time.perf_counter()
                iso.prepare(scratch)
                session = KernelSession(scratch, isolation=iso)
                session.start()
                session.shutdown()
                times[mode].append(time.perf_counter() - t0)
    return {mode: statistics.median(t) for mode, t in times.items()}


# ---- report -------------------------------------------------------------------
def print_table():
    print()
    print(f"{'what':52} {'time':>9} {'budget':>9}  status  note")
    missed = 0
    for what, seconds, budget, note in rows:
        if seconds is None:
            status = "-"
        elif budget is None:
            status = ""
        elif seconds <= budget:
            status = "ok"
        else:
            status, missed = "OVER", missed + 1
        print(f"{what[:52]:52} {_fmt(seconds):>9} {_fmt(budget):>9}  {status:6}  {note}")
    print()
    print(f"{missed} budget(s) missed" if missed else "every measured time is within its budget")
    return missed


PARTS = ("import", "widgets", "notebooks", "nbval", "grading", "sandbox")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="no nbval run, fewer repeats and frames")
    parser.add_argument("--skip-nbval", action="store_true", help="leave out the whole nbval run")
    parser.add_argument("--only", nargs="+", choices=PARTS, help="measure only these parts")
    args = parser.parse_args(argv)
    parts = args.only or [p for p in PARTS if not (p == "nbval" and (args.quick or args.skip_nbval))]
    os.environ.setdefault("MPLBACKEND", "Agg")
    # Kernels, the grader and pytest find mlp_lib here even without `pip install -e .`.
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    print(f"python {sys.version.split()[0]} at {sys.executable};"
          f" load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if "import" in parts:
        print("import time (fresh interpreter):")
        time_import(3 if args.quick else 7)
    if "widgets" in parts:
        print("widget frames (frame_png: first visit, revisit):")
        time_widgets(10 if args.quick else 30)
        print("widgets on screen (from the browser test):")
        report_screen_times()
    if "notebooks" in parts:
        print("notebooks (nbclient, fresh kernel, kernel start included):")
        time_notebooks()
    if "nbval" in parts:
        print("the whole nbval run:")
        time_nbval()
    if "grading" in parts:
        print("grading (python -m mlp_lib.grade NB --json):")
        time_grading()
    if "sandbox" in parts:
        print("grading with the sandbox and without it (--isolation limits):")
        time_grading_isolation(1 if args.quick else 3)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print_table()


if __name__ == "__main__":
    main()
