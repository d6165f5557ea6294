"""Grade submitted exercise notebooks:  python -m mlp_lib.grade PATH... [options]

    python -m mlp_lib.grade submissions/                 # a table on stdout
    python -m mlp_lib.grade submissions/ --csv gradebook.csv --jobs 2
    python -m mlp_lib.grade a.ipynb b.ipynb --json       # one JSON document on stdout
    python -m mlp_lib.grade solutions --require-full-marks

PATH: notebooks, or folders (every non-hidden file in them is a submission).
Options: --json, --csv FILE, --timeout S (each cell and each check, default
10), --notebook-timeout S (a whole submission, default 600), --memory MB (per
process of a submission, default 2048), --jobs N (grade N submissions in
parallel), --seed N (reproduce a run; default: a fresh seed, recorded in every
row), --exercise exNN (grade every submission as that exercise),
--isolation auto|sandbox|limits, --require-full-marks (exit status 1 unless
every submission scores 100 %).

For each submission, the grader copies the file into a scratch folder, runs
its code cells in a fresh kernel there (cells that raise, hang, exit or kill
the kernel are survived), then calls every graded function itself, from this
process, on cases drawn from the run's seed, and judges the returned data
here: edited or deleted check cells, monkeypatched grading code and printed
text change nothing. What comes back from the kernel is read as data only.
The exercise is read from the notebook's metadata
(``metadata.mlp_course.exercise``) and checked against the functions the
notebook defines; a mismatch is flagged and graded as the functions' exercise.

Isolation: on Linux with bubblewrap, every submission runs in a sandbox of
its own (no network, no other submission, no solutions, no home folder, no
reference answers, no process that outlives it; see
``mlp_lib.grading._sandbox``). Elsewhere the grader says so on stderr and
runs each kernel with resource limits only ("isolation": "limits").
"""

import argparse
import json
import os
import re
import secrets
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from mlp_lib.gradebook import Gradebook, GradebookLocked
from mlp_lib.gradebook import write_csv as write_csv  # the module's public name, as before
from mlp_lib.grading import EXERCISES, FUNCTION_TO_EXERCISE, max_score, specs

CHECK_CALL = re.compile(r"^\s*(check|score_table)\s*\(.*\)\s*;?\s*$")

MAX_NOTEBOOK_MB = 20
"""Largest submission read (a notebook with many images is a few MB)."""


class Settings:
    """What one grading run uses for every submission."""

    def __init__(self, timeout=10.0, notebook_timeout=600.0, memory_mb=2048, seed=None, exercise=None,
                 isolation="auto"):
        from mlp_lib.grading._sandbox import Isolation

        self.timeout = float(timeout)
        self.notebook_timeout = float(notebook_timeout)
        self.memory_mb = int(memory_mb)
        self.seed = secrets.randbelow(2**31) if seed is None else int(seed)
        self.exercise = exercise
        self.isolation = (isolation if isinstance(isolation, Isolation) else
                          Isolation.for_run(isolation, memory_mb, notebook_timeout))

    def worker_args(self):
        return ["--timeout", repr(self.timeout), "--notebook-timeout", repr(self.notebook_timeout),
                "--memory", str(self.memory_mb), "--seed", str(self.seed),
                "--isolation", self.isolation.mode] + (["--exercise", self.exercise] if self.exercise else [])


def shown(path):
    """A path as text for the gradebook: bytes that are not UTF-8 escaped as \\xNN."""
    return os.fsencode(str(path)).decode("utf-8", "backslashreplace")


def _is_check_cell(cell):
    """Check cells (and the plots of the learner's result) are not run: the grader checks by itself."""
    meta = cell.get("metadata", {}).get("mlp_course", {})
    if isinstance(meta, dict) and meta.get("role") in ("check", "plot"):
        return True
    lines = [ln for ln in cell["source"].splitlines() if ln.strip() and not ln.strip().startswith("#")]
    return bool(lines) and all(CHECK_CALL.match(ln) for ln in lines)


class InvalidNotebook(Exception):
    """The file is JSON but not a notebook the grader can run; the message says what is wrong."""


def _cells(nb):
    """The notebook's cells as dicts with "cell_type", "source" (text) and "metadata" (a dict)."""
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise InvalidNotebook("it has no list of cells")
    out = []
    for i, cell in enumerate(cells):
        if not isinstance(cell, dict):
            raise InvalidNotebook(f"cell {i} is a {type(cell).__name__}, not a cell")
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(x, str) for x in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise InvalidNotebook(f"the source of cell {i} is {type(source).__name__}, not text")
        meta = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        out.append({"cell_type": cell.get("cell_type"), "source": source, "metadata": meta})
    return out


def _defined_exercises(cells):
    """How many graded functions of each exercise the cells define: {exercise: count}."""
    found = {}
    for cell in cells:
        if cell["cell_type"] == "code":
            for name in set(re.findall(r"^\s*def\s+(\w+)\s*\(", cell["source"], re.M)):
                if name in FUNCTION_TO_EXERCISE:
                    ex = FUNCTION_TO_EXERCISE[name]
                    found[ex] = found.get(ex, 0) + 1
    return found


def _which_exercise(nb, cells, forced=None):
    """(exercise or None, note or None, mismatch flag) from --exercise, the metadata and the functions."""
    meta = nb.get("metadata", {}).get("mlp_course", {}) if isinstance(nb.get("metadata"), dict) else {}
    claimed = meta.get("exercise") if isinstance(meta, dict) else None
    claimed_ok = isinstance(claimed, str) and claimed in EXERCISES
    found = _defined_exercises(cells)
    guessed = max(sorted(found), key=lambda ex: found[ex]) if found else None
    if forced:
        mismatch = claimed_ok and claimed != forced
        note = f"metadata says {claimed}; graded as {forced} (--exercise)" if mismatch else None
        return forced, note, mismatch
    if not claimed_ok:
        if guessed is None:
            return None, ("cannot tell which exercise this is: metadata.mlp_course.exercise is missing or"
                          " not an exercise id, and the notebook defines no graded function"), False
        what = "missing" if claimed is None else f"{shown(repr(claimed))[:40]}, not an exercise id"
        return guessed, (f"metadata.mlp_course.exercise is {what}; graded as {guessed}"
                         " from its function names"), False
    if guessed is not None and guessed != claimed and found[guessed] > found.get(claimed, 0):
        return guessed, (f"metadata says {claimed}, but the notebook's functions are those of {guessed};"
                         f" graded as {guessed}"), True
    return claimed, None, False


def _row(path, exercise=None, error=None, checks=(), seconds=0.0, settings=None, mismatch=False):
    score = sum(c["points"] for c in checks)
    top = max_score(exercise) if exercise else 0.0
    return {"notebook": shown(path), "exercise": exercise, "score": score, "max_score": top,
            "error": error, "checks": list(checks),
            "seed": settings.seed if settings else None,
            "isolation": settings.isolation.mode if settings else None,
            "exercise_mismatch": bool(mismatch), "seconds": round(seconds, 2)}


def _grade_function(spec, runner, timeout, seed):
    """``grade_function`` on cases drawn from the run's seed."""
    from mlp_lib.grading._framework import grade_function

    return grade_function(spec, runner, timeout, seed=seed)


def _grade_all_functions(exercise, runner, settings):
    checks = []
    for spec in specs(exercise).values():
        checks.extend(r.as_dict() for r in _grade_function(spec, runner, settings.timeout, settings.seed))
    return checks


class _Empty:
    """The runner for a notebook without code: every function is missing."""

    def run(self, name, calls, timeout=None):
        from mlp_lib.grading._framework import Missing

        raise Missing(f"your notebook does not define a function called `{name}` (it has no code cells)")


class _Budgeted:
    """A runner that stops calling once the notebook's wall-clock budget is spent."""

    def __init__(self, runner, deadline):
        self.runner = runner
        self.deadline = deadline
        self.ran_out = False

    def run(self, name, calls, timeout=None, replace=None):
        from mlp_lib.grading._framework import Timeout

        left = self.deadline - time.monotonic()
        if left <= 0:
            self.ran_out = True
            raise Timeout()
        return self.runner.run(name, calls, min(timeout, left) if timeout else left, replace=replace)


def read_submission(path):
    """The bytes of a submission, or raise ValueError saying why it is refused (never follows a link)."""
    try:
        st = os.lstat(path)
    except OSError as exc:
        raise ValueError(f"cannot read the file: {exc.strerror or exc}") from None
    if stat.S_ISLNK(st.st_mode):
        raise ValueError("refused: the submission is a symbolic link, not a file"
                         " (submit the notebook itself)")
    if stat.S_ISDIR(st.st_mode):
        raise ValueError("refused: a folder, not a notebook (name the folder itself to grade what is in it)")
    if not stat.S_ISREG(st.st_mode):
        raise ValueError("refused: not a regular file")
    if st.st_size > MAX_NOTEBOOK_MB * 2**20:
        raise ValueError(f"refused: the file is larger than {MAX_NOTEBOOK_MB} MB"
                         " (clear the outputs and submit it again)")
    flags = os.O_RDONLY
    for name in ("O_NOFOLLOW", "O_NONBLOCK", "O_BINARY"):  # never a link, never wait on a FIFO
        flags |= getattr(os, name, 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ValueError(f"cannot read the file: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise ValueError("refused: not a regular file")
        raw = fh.read(MAX_NOTEBOOK_MB * 2**20 + 1)
    if len(raw) > MAX_NOTEBOOK_MB * 2**20:
        raise ValueError(f"refused: the file is larger than {MAX_NOTEBOOK_MB} MB")
    return raw


def _parse(raw, path):
    """The notebook as a dict (nbformat 4); ValueError with a short reason for anything else."""
    kind = "not a notebook" if not str(path).endswith(".ipynb") else "not a readable notebook"
    try:
        nb = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ValueError(f"{kind}: {type(exc).__name__}: {str(exc)[:150]}") from None
    if isinstance(nb, dict) and isinstance(nb.get("nbformat"), int) and nb["nbformat"] < 4:
        import nbformat

        try:
            nb = json.loads(nbformat.writes(nbformat.reads(raw.decode("utf-8"), as_version=4)))
        except Exception as exc:
            raise ValueError(f"{kind}: {type(exc).__name__}: {str(exc)[:150]}") from None
    if not isinstance(nb, dict):
        raise ValueError(f"{kind}: the file is JSON, but a {type(nb).__name__}, not a notebook")
    return nb


def grade_notebook(path, timeout=10.0, settings=None):
    """Grade one submission; return its JSON-able row. Never raises for a bad submission."""
    settings = settings or Settings(timeout=timeout)
    start = time.perf_counter()
    try:
        return _grade_notebook(Path(path), settings, start)
    except Exception as exc:  # a bug, or a submission nobody foresaw: this submission's row, never the run's
        return _row(path, error=f"grading failed: {type(exc).__name__}: {shown(str(exc))[:200]}",
                    settings=settings, seconds=time.perf_counter() - start)


def _grade_notebook(path, settings, start):
    from mlp_lib.grading._kernel import KernelSession, RemoteRunner

    try:
        raw = read_submission(path)
        nb = _parse(raw, path)
        cells = _cells(nb)
    except InvalidNotebook as exc:
        return _row(path, error=f"not a valid notebook: {exc}", settings=settings)
    except ValueError as exc:
        return _row(path, error=str(exc), settings=settings)
    exercise, note, mismatch = _which_exercise(nb, cells, settings.exercise)
    if exercise is None:
        return _row(path, error=note, settings=settings)

    def row(checks, error=note):
        return _row(path, exercise, error, checks, time.perf_counter() - start, settings, mismatch)

    cells = [c for c in cells if c["cell_type"] == "code" and not _is_check_cell(c)]
    deadline = time.monotonic() + settings.notebook_timeout
    if not any(c["source"].strip() for c in cells):  # nothing to run: no kernel needed
        return row(_grade_all_functions(exercise, _Empty(), settings))
    scratch = Path(tempfile.mkdtemp(prefix="mlp-grade-"))
    session = None
    try:
        (scratch / "submission.ipynb").write_bytes(raw)  # run from a copy: the original is never written
        settings.isolation.prepare(scratch)
        session = KernelSession(scratch, cell_timeout=settings.timeout, isolation=settings.isolation)
        session.deadline = deadline
        for attempt in (1, 2):  # a busy machine may fail a start once; nothing of the submission ran yet
            try:
                session.start()
                break
            except Exception as exc:
                session.shutdown()
                if attempt == 2:
                    return _row(path, exercise, f"the kernel did not start: {shown(str(exc))[:200]}",
                                settings=settings, mismatch=mismatch)
                time.sleep(1.0)
        out_of_time = False
        for i, cell in enumerate(cells):
            left = deadline - time.monotonic()
            if session.km is None or left <= 0:
                out_of_time = left <= 0
                break
            session.cell_timeout = min(settings.timeout, left)
            session.run_cell(i, cell["source"])
        session.cell_timeout = settings.timeout
        runner = _Budgeted(RemoteRunner(session), deadline)
        checks = _grade_all_functions(exercise, runner, settings)
        problems = [s for _, s in session.log if s in ("timeout", "stuck", "died")]
        notes = [note] if note else []
        if problems:
            what = ", ".join(sorted(set(problems)))
            notes.append(f"some cells did not finish ({what}) and were skipped")
        if out_of_time or runner.ran_out:
            notes.append(f"ran out of time: the whole notebook has {settings.notebook_timeout:g} s"
                         " (--notebook-timeout); what did not run scores 0")
        return row(checks, "; ".join(notes) or None)
    finally:
        if session is not None:
            session.shutdown()
        _remove(scratch)


def _remove(folder):
    import shutil

    def retry(func, name, _exc):  # a read-only folder left by the submission
        try:
            os.chmod(os.path.dirname(name), 0o700)
            os.chmod(name, 0o700)
            func(name)
        except OSError:
            pass
    shutil.rmtree(folder, onerror=retry)


def collect(paths):
    """Submissions from files and folders (non-hidden entries, sorted), in the order given.

    A folder's entries are taken as they are: a symbolic link or a folder
    among them is a submission too, and ``read_submission`` refuses it with a
    clear row, so that nothing handed in is silently left out.
    """
    out = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for q in sorted(p.iterdir(), key=lambda q: os.fsencode(q.name)):
                if not q.name.startswith("."):
                    out.append(q)
        else:
            out.append(p)
    return out


# ---------------------------------------------------------------- running many submissions

_running = set()  # worker processes of --jobs, to stop on Ctrl-C
_running_lock = threading.Lock()


def _grade_in_subprocess(path, settings):
    with tempfile.TemporaryDirectory(prefix="mlp-grade-job-") as tmp:
        out = Path(tmp) / "row.json"
        cmd = [sys.executable, "-m", "mlp_lib.grade", "--worker", str(out), *settings.worker_args(),
               "--", str(path)]
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError as exc:
            return _row(path, error=f"grading failed: the worker did not start: {exc}", settings=settings)
        with _running_lock:
            _running.add(proc)
        try:
            proc.wait(timeout=settings.notebook_timeout + 120)
        except subprocess.TimeoutExpired:
            _stop(proc)
            return _row(path, error=f"ran out of time: grading took longer than the notebook's"
                                    f" {settings.notebook_timeout:g} s", settings=settings)
        finally:
            with _running_lock:
                _running.discard(proc)
        try:
            row = json.loads(out.read_text())
            if not isinstance(row, dict) or "checks" not in row:
                raise ValueError
            return row
        except (OSError, ValueError):
            return _row(path, error=f"grading failed: the worker ended without a result"
                                    f" (exit status {proc.returncode})", settings=settings)


def _stop(proc):
    """Stop a worker and everything it started: SIGTERM (it shuts its kernel down), then SIGKILL."""
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except (OSError, AttributeError):
            proc.kill() if sig == signal.SIGKILL else proc.terminate()
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def grade_all(paths, timeout=10.0, jobs=1, settings=None, on_row=None):
    """Grade every submission; ``on_row(row)`` as each one finishes. Returns the rows in input order.

    Ctrl-C (KeyboardInterrupt) stops the run: running workers are stopped and
    the exception is re-raised with ``.rows`` set to the finished rows.
    """
    settings = settings or Settings(timeout=timeout)
    subs = collect(paths)
    done = {}

    def finish(i, row):
        done[i] = row
        if on_row:
            on_row(row)

    try:
        if jobs <= 1 or len(subs) <= 1:
            for i, p in enumerate(subs):
                finish(i, grade_notebook(p, settings=settings))
        else:
            pool = ThreadPoolExecutor(max_workers=jobs)
            try:
                futures = {pool.submit(_grade_in_subprocess, p, settings): i for i, p in enumerate(subs)}
                for fut in as_completed(futures):
                    finish(futures[fut], fut.result())
            finally:
                pool.shutdown(wait=False, cancel_futures=True)
    except KeyboardInterrupt as exc:
        with _running_lock:
            procs = list(_running)
        for proc in procs:
            _stop(proc)
        exc.rows = [done[i] for i in sorted(done)]
        exc.total = len(subs)
        raise
    return [done[i] for i in sorted(done)]


def print_report(rows, out=sys.stdout):
    for r in rows:
        pct = 100 * r["score"] / r["max_score"] if r["max_score"] else 0.0
        print(f"{r['notebook']}  {r['exercise'] or '-'}  {r['score']:g}/{r['max_score']:g}"
              f"  ({pct:.0f} %)  [{r.get('seconds', 0):.1f} s]", file=out)
        if r["error"]:
            print(f"    ! {r['error']}", file=out)
        by_function = {}
        for c in r["checks"]:
            by_function.setdefault(c["function"], []).append(c)
        for name, checks in by_function.items():
            got = sum(c["points"] for c in checks)
            top = sum(c["max_points"] for c in checks)
            if all(c["passed"] for c in checks):
                print(f"    ✓ {name}  {got:g}/{top:g}", file=out)
                continue
            if checks[0]["feedback"].startswith("not done yet"):
                print(f"    … {name}  0/{top:g}  not done yet", file=out)
                continue
            print(f"    ✗ {name}  {got:g}/{top:g}", file=out)
            for c in checks:
                if c["passed"] or c["feedback"].startswith("not checked until"):
                    continue
                body = c["feedback"].replace("\n", "\n          ")
                print(f"        ✗ {c['name']}: {body}", file=out)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _exit_now(signum, frame):
    sys.exit(128 + signum)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m mlp_lib.grade", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", metavar="PATH", help="notebooks or folders of notebooks")
    parser.add_argument("--json", action="store_true", help="print exactly one JSON document on stdout")
    parser.add_argument("--csv", metavar="FILE", help="write a gradebook, one row per submission")
    parser.add_argument("--timeout", type=float, default=10.0, metavar="S",
                        help="time limit in seconds for each cell and each check (default 10)")
    parser.add_argument("--notebook-timeout", type=float, default=600.0, metavar="S",
                        help="wall-clock budget of a whole submission in seconds (default 600)")
    parser.add_argument("--memory", type=int, default=2048, metavar="MB",
                        help="address space of each process of a submission in MB (default 2048)")
    parser.add_argument("--jobs", type=int, default=1, metavar="N", help="grade N submissions in parallel")
    parser.add_argument("--seed", type=int, default=None, metavar="N",
                        help="seed of the graded cases (default: a fresh one, recorded in every row)")
    parser.add_argument("--exercise", choices=sorted(EXERCISES), default=None,
                        help="grade every submission as this exercise, whatever its metadata says")
    parser.add_argument("--isolation", choices=("auto", "sandbox", "limits"), default="auto",
                        help="auto (default): a bubblewrap sandbox per submission where it works, else"
                             " resource limits only; sandbox: refuse to run without it")
    parser.add_argument("--require-full-marks", action="store_true",
                        help="exit with status 1 unless every submission scores full marks")
    parser.add_argument("--worker", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for name in ("timeout", "notebook_timeout"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be > 0, got {getattr(args, name)}")
    if args.memory < 512:
        parser.error(f"--memory must be at least 512 MB (a kernel needs about 360), got {args.memory}")
    if args.jobs < 1:
        parser.error(f"--jobs must be >= 1, got {args.jobs}")
    if args.seed is not None and not 0 <= args.seed < 2**63:
        parser.error(f"--seed must be a whole number >= 0, got {args.seed}")
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        settings = Settings(args.timeout, args.notebook_timeout, args.memory, args.seed, args.exercise,
                            args.isolation)
    except ValueError as exc:
        parser.error(str(exc))

    if args.worker:
        signal.signal(signal.SIGTERM, _exit_now)  # stopped by the main process: shut the kernel down
        row = grade_notebook(args.paths[0], settings=settings)
        Path(args.worker).write_text(json.dumps(row))
        return 0

    missing = [shown(p) for p in args.paths if not os.path.lexists(p)]
    if missing:
        parser.error(f"no such file or folder: {', '.join(missing)}")
    if settings.isolation.mode != "sandbox":
        print(f"warning: grading WITHOUT a sandbox ({settings.isolation.why}): each submission runs with"
              " resource limits only and can read your files; see the README, 'For instructors'",
              file=sys.stderr)
    signal.signal(signal.SIGTERM, _interrupt)
    if args.csv and not os.path.isdir(os.path.dirname(os.path.abspath(args.csv))):
        parser.error(f"--csv: no such folder for {shown(args.csv)}")
    try:
        if args.csv:
            with Gradebook(args.csv) as book:
                rows = grade_all(args.paths, jobs=args.jobs, settings=settings, on_row=book.add)
        else:
            rows = grade_all(args.paths, jobs=args.jobs, settings=settings)
        interrupted = False
    except GradebookLocked as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        rows = getattr(exc, "rows", [])
        interrupted = True
        where = f"; the gradebook {args.csv} has their rows" if args.csv else ""
        print(f"interrupted: {len(rows)} of {getattr(exc, 'total', '?')} submissions graded{where}",
              file=sys.stderr)
    for r in rows:
        r.pop("seconds", None) if args.json else None
    if args.json:
        doc = {"submissions": rows}
        if interrupted:
            doc["interrupted"] = True
        json.dump(doc, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print_report(rows)
        if args.csv:
            print(f"gradebook written to {args.csv}")
    if interrupted:
        return 130
    if args.require_full_marks:
        short = [r for r in rows if r["error"] or not r["max_score"] or r["score"] < r["max_score"]]
        if short:
            names = ", ".join(r["notebook"] for r in short)
            print(f"not full marks: {names}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
