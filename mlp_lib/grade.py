"""Grade submitted exercise notebooks:  python -m mlp_lib.grade PATH... [options]

    python -m mlp_lib.grade submissions/                 # a table on stdout
    python -m mlp_lib.grade submissions/ --csv gradebook.csv
    python -m mlp_lib.grade a.ipynb b.ipynb --json       # one JSON document on stdout
    python -m mlp_lib.grade solutions --require-full-marks

PATH: notebooks, or folders (every non-hidden file in them is a submission).
Options: --json, --csv FILE, --timeout S (time limit of each cell and of each
check, default 10), --jobs N (grade N submissions in parallel),
--require-full-marks (exit status 1 unless every submission scores 100 %).

For each submission, the grader copies the file into a scratch folder, runs
its code cells in a fresh kernel there (cells that raise, hang, exit or kill
the kernel are survived), then calls every graded function itself, from this
process, on fresh seeded cases, and judges the returned data here: edited or
deleted check cells, monkeypatched grading code and printed text change
nothing. The exercise is read from the notebook's metadata
(``metadata.mlp_course.exercise``), not from its file name.

NOT A SANDBOX: a submission's code runs with your rights and can read or
delete your files. Grade untrusted work inside a container without network.
"""

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from mlp_lib.grading import EXERCISES, FUNCTION_TO_EXERCISE, max_score, specs

CHECK_CALL = re.compile(r"^\s*(check|score_table)\s*\(.*\)\s*;?\s*$")


def _is_check_cell(cell):
    """Check cells (and the plots of the learner's result) are not run: the grader checks by itself."""
    meta = cell.get("metadata", {}).get("mlp_course", {})
    if isinstance(meta, dict) and meta.get("role") in ("check", "plot"):
        return True
    lines = [ln for ln in cell.get("source", "").splitlines()
             if ln.strip() and not ln.strip().startswith("#")]
    return bool(lines) and all(CHECK_CALL.match(ln) for ln in lines)


def _guess_exercise(nb):
    found = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            for name in re.findall(r"^\s*def\s+(\w+)\s*\(", cell.get("source", ""), re.M):
                if name in FUNCTION_TO_EXERCISE:
                    found.append(FUNCTION_TO_EXERCISE[name])
    return max(set(found), key=found.count) if found else None


def _row(path, exercise=None, error=None, checks=(), seconds=0.0):
    score = sum(c["points"] for c in checks)
    top = max_score(exercise) if exercise else 0.0
    return {"notebook": str(path), "exercise": exercise, "score": score, "max_score": top,
            "error": error, "checks": list(checks), "seconds": round(seconds, 2)}


class _Empty:
    """The runner for a notebook without code: every function is missing."""

    def run(self, name, calls, timeout=None):
        from mlp_lib.grading._framework import Missing

        raise Missing(f"your notebook does not define a function called `{name}` (it has no code cells)")


def grade_notebook(path, timeout=10.0):
    """Grade one submission; return its JSON-able row. Never raises for a bad submission."""
    import nbformat

    from mlp_lib.grading._framework import grade_function
    from mlp_lib.grading._kernel import KernelSession, RemoteRunner

    start = time.perf_counter()
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return _row(path, error=f"cannot read the file: {exc.strerror or exc}")
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    except Exception as exc:
        kind = "not a notebook" if path.suffix != ".ipynb" else "not a readable notebook"
        return _row(path, error=f"{kind}: {type(exc).__name__}: {str(exc)[:150]}")
    meta = nb.get("metadata", {}).get("mlp_course", {})
    exercise = meta.get("exercise") if isinstance(meta, dict) else None
    note = None
    if exercise not in EXERCISES:
        guessed = _guess_exercise(nb)
        if guessed is None:
            return _row(path, error="cannot tell which exercise this is: metadata.mlp_course.exercise"
                                    " is missing and the notebook defines no graded function")
        note = f"metadata.mlp_course.exercise missing; graded as {guessed} from its function names"
        exercise = guessed
    cells = [c for c in nb.get("cells", []) if c.get("cell_type") == "code" and not _is_check_cell(c)]
    if not any(c.get("source", "").strip() for c in cells):  # nothing to run: no kernel needed
        checks = []
        for spec in specs(exercise).values():
            checks.extend(r.as_dict() for r in grade_function(spec, _Empty(), timeout))
        return _row(path, exercise, note, checks, time.perf_counter() - start)
    scratch = Path(tempfile.mkdtemp(prefix="mlp-grade-"))
    session = None
    try:
        shutil.copy(path, scratch / path.name)  # run from a copy: the original is never written
        session = KernelSession(scratch, cell_timeout=timeout)
        try:
            session.start()
        except Exception as exc:
            return _row(path, exercise, error=f"the kernel did not start: {exc}")
        for i, cell in enumerate(cells):
            if session.km is None:
                break
            session.run_cell(i, cell.get("source", ""))
        runner = RemoteRunner(session)
        checks = []
        for spec in specs(exercise).values():
            checks.extend(r.as_dict() for r in grade_function(spec, runner, timeout))
        problems = [s for _, s in session.log if s in ("timeout", "stuck", "died")]
        error = note
        if problems:
            what = ", ".join(sorted(set(problems)))
            error = ((error + "; ") if error else "") + f"some cells did not finish ({what}) and were skipped"
        return _row(path, exercise, error, checks, time.perf_counter() - start)
    finally:
        if session is not None:
            session.shutdown()
        shutil.rmtree(scratch, ignore_errors=True)


def collect(paths):
    """Submissions from files and folders (non-hidden files, sorted), in the order given."""
    out = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for q in sorted(p.iterdir()):
                if q.is_file() and not q.name.startswith("."):
                    out.append(q)
        else:
            out.append(p)
    return out


def _grade_in_subprocess(path, timeout):
    with tempfile.TemporaryDirectory(prefix="mlp-grade-job-") as tmp:
        out = Path(tmp) / "row.json"
        cmd = [sys.executable, "-m", "mlp_lib.grade", "--worker", str(out),
               "--timeout", str(timeout), str(path)]
        try:
            subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=max(120.0, 40 * timeout), check=False)
            return json.loads(out.read_text())
        except Exception as exc:
            return _row(path, error=f"grading failed: {type(exc).__name__}: {exc}")


def grade_all(paths, timeout=10.0, jobs=1):
    subs = collect(paths)
    if jobs <= 1 or len(subs) <= 1:
        return [grade_notebook(p, timeout) for p in subs]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda p: _grade_in_subprocess(p, timeout), subs))


def write_csv(rows, path):
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["notebook", "exercise", "score", "max_score", "percent", "error", "failed_checks"])
        for r in rows:
            pct = f"{100 * r['score'] / r['max_score']:.1f}" if r["max_score"] else "0.0"
            failed = "; ".join(f"{c['function']}: {c['name']}" for c in r["checks"] if not c["passed"])
            writer.writerow([r["notebook"], r["exercise"] or "", f"{r['score']:g}", f"{r['max_score']:g}",
                             pct, r["error"] or "", failed])


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


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m mlp_lib.grade", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", metavar="PATH", help="notebooks or folders of notebooks")
    parser.add_argument("--json", action="store_true", help="print exactly one JSON document on stdout")
    parser.add_argument("--csv", metavar="FILE", help="write a gradebook, one row per submission")
    parser.add_argument("--timeout", type=float, default=10.0, metavar="S",
                        help="time limit in seconds for each cell and each check (default 10)")
    parser.add_argument("--jobs", type=int, default=1, metavar="N", help="grade N submissions in parallel")
    parser.add_argument("--require-full-marks", action="store_true",
                        help="exit with status 1 unless every submission scores full marks")
    parser.add_argument("--worker", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.timeout <= 0:
        parser.error(f"--timeout must be > 0, got {args.timeout}")
    if args.jobs < 1:
        parser.error(f"--jobs must be >= 1, got {args.jobs}")

    if args.worker:
        row = grade_notebook(args.paths[0], args.timeout)
        Path(args.worker).write_text(json.dumps(row))
        return 0

    missing = [p for p in args.paths if not os.path.exists(p)]
    if missing:
        parser.error(f"no such file or folder: {', '.join(missing)}")
    rows = grade_all(args.paths, args.timeout, args.jobs)
    for r in rows:
        r.pop("seconds", None) if args.json else None
    if args.csv:
        write_csv(rows, args.csv)
    if args.json:
        json.dump({"submissions": rows}, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print_report(rows)
        if args.csv:
            print(f"gradebook written to {args.csv}")
    if args.require_full_marks:
        short = [r for r in rows if r["error"] or not r["max_score"] or r["score"] < r["max_score"]]
        if short:
            names = ", ".join(r["notebook"] for r in short)
            print(f"not full marks: {names}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
