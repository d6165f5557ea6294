"""The grader's CSV gradebook: one row per submission, written atomically after every row.

    with Gradebook("gradebook.csv") as book:   # refused while another run holds it
        book.add(row)                          # the file on disk now has every finished row

Each ``add`` rewrites the whole file into a temporary file next to it and
renames it over the old one, so the gradebook on disk is always complete and
readable, and a run stopped by Ctrl-C keeps every finished row. A lock file
(``FILE.lock``, held with an OS lock that ends with the process) refuses a
second run on the same gradebook while the first one is running.
"""

import csv
import os
import tempfile

COLUMNS = ["notebook", "exercise", "score", "max_score", "percent", "error", "failed_checks",
           "seed", "isolation", "exercise_mismatch"]


class GradebookLocked(Exception):
    """Another grading run is writing this gradebook."""


def _lock(fh):
    """Take an exclusive, non-blocking OS lock on an open file; False if someone else holds it."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def csv_row(r):
    pct = f"{100 * r['score'] / r['max_score']:.1f}" if r["max_score"] else "0.0"
    failed = "; ".join(f"{c['function']}: {c['name']}" for c in r["checks"] if not c["passed"])
    return [r["notebook"], r["exercise"] or "", f"{r['score']:g}", f"{r['max_score']:g}", pct,
            r["error"] or "", failed, "" if r.get("seed") is None else str(r["seed"]),
            r.get("isolation") or "", "yes" if r.get("exercise_mismatch") else ""]


def write_csv(rows, path):
    """Write ``rows`` to ``path`` atomically (a temporary file renamed over it)."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".gradebook-", suffix=".csv.part", dir=folder)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8", errors="backslashreplace") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS)
            for r in rows:
                writer.writerow(csv_row(r))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise


class Gradebook:
    """A CSV gradebook that this run alone writes; ``add`` puts a finished row on disk at once."""

    def __init__(self, path):
        self.path = str(path)
        self.rows = []
        self._lock_file = None

    def __enter__(self):
        lock_path = self.path + ".lock"
        fh = open(lock_path, "a+")
        if not _lock(fh):
            fh.close()
            raise GradebookLocked(f"another grading run is writing {self.path} (it holds {lock_path});"
                                  " wait until it ends, or choose another --csv file")
        self._lock_file = fh
        write_csv(self.rows, self.path)
        return self

    def add(self, row):
        self.rows.append(row)
        write_csv(self.rows, self.path)

    def __exit__(self, *exc):
        if self._lock_file is not None:
            try:
                os.remove(self.path + ".lock")
            except OSError:
                pass
            self._lock_file.close()
            self._lock_file = None
        return False
