"""Generate the learners' exercise notebooks from the instructors' solutions.

    python -m mlp_lib.make_exercises solutions exercises

For every solutions/exNN_*.ipynb it writes exercises/exNN_*.ipynb where:

- each region between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` becomes
  ``raise NotImplementedError("Exercise: implement name(args)")`` at the
  region's indentation (nbgrader's markers);
- each region between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``
  is removed;
- outputs and execution counts are cleared;
- code cells that call a graded function directly (examples, plots) are
  tagged ``raises-exception``: they raise until the exercise is solved, and
  nbval lets them;
- instruction (markdown), setup and check cells are read-only
  (``editable: false``, ``deletable: false``).

The output is deterministic, so a test can regenerate into a temporary
folder and compare with the committed exercises/.
"""

import argparse
import copy
import re
import sys
from pathlib import Path

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
READ_ONLY_ROLES = {"instructions", "setup", "check"}


class ExerciseError(ValueError):
    """A solution notebook whose markers do not pair up."""


def _enclosing_def(lines, index, indent):
    """The 'name(args)' of the def that encloses line ``index`` at ``indent``, or None."""
    for line in reversed(lines[:index]):
        m = re.match(r"^(\s*)def\s+(\w+)\s*\((.*?)\)\s*(->.*)?:\s*$", line)
        if m and len(m.group(1)) < indent:
            return f"{m.group(2)}({m.group(3)})"
    return None


def strip_regions(source, where=""):
    """Return (new source, list of solution function names) for one cell's source."""
    lines = source.split("\n")
    out = []
    names = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped == BEGIN_SOLUTION:
            indent = len(line) - len(line.lstrip())
            j = i + 1
            while j < len(lines) and lines[j].strip() != END_SOLUTION:
                if lines[j].strip() in (BEGIN_SOLUTION, BEGIN_HIDDEN):
                    raise ExerciseError(f"{where}: nested marker at line {j + 1}")
                j += 1
            if j == len(lines):
                raise ExerciseError(f"{where}: {BEGIN_SOLUTION} at line {i + 1} has no {END_SOLUTION}")
            target = _enclosing_def(lines, i, indent)
            text = f"implement {target}" if target else "write this part"
            out.append(" " * indent + f'raise NotImplementedError("Exercise: {text}")')
            if target:
                names.append(target.split("(")[0])
            i = j + 1
            continue
        if stripped == BEGIN_HIDDEN:
            j = i + 1
            while j < len(lines) and lines[j].strip() != END_HIDDEN:
                j += 1
            if j == len(lines):
                raise ExerciseError(f"{where}: {BEGIN_HIDDEN} at line {i + 1} has no {END_HIDDEN}")
            i = j + 1
            continue
        if stripped in (END_SOLUTION, END_HIDDEN):
            raise ExerciseError(f"{where}: {stripped} at line {i + 1} without its BEGIN")
        out.append(line)
        i += 1
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out), names


def make_exercise(nb):
    """Return the exercise version of a solution notebook (a new nbformat object)."""
    from mlp_lib.grading import EXERCISES

    nb = copy.deepcopy(nb)
    exercise = nb.metadata.get("mlp_course", {}).get("exercise")
    graded = list(EXERCISES[exercise][1]) if exercise in EXERCISES else []
    calls = re.compile(r"\b(" + "|".join(map(re.escape, graded)) + r")\s*\(") if graded else None
    for k, cell in enumerate(nb.cells):
        meta = cell.metadata
        role = meta.get("mlp_course", {}).get("role")
        if cell.cell_type == "code":
            cell.source, _ = strip_regions(cell.source, where=f"cell {k}")
            cell.outputs = []
            cell.execution_count = None
            tags = [t for t in meta.get("tags", []) if t != "raises-exception"]
            body = "\n".join(ln for ln in cell.source.split("\n")
                             if not re.match(r"\s*def\s", ln) and "NotImplementedError" not in ln)
            if role not in ("check", "solution") and calls is not None and calls.search(body):
                tags.append("raises-exception")
            if tags:
                meta["tags"] = tags
            else:
                meta.pop("tags", None)
        if role in READ_ONLY_ROLES or cell.cell_type == "markdown":
            meta["editable"] = False
            meta["deletable"] = False
        else:
            meta.pop("editable", None)
            meta.pop("deletable", None)
    nb.metadata.pop("widgets", None)
    return nb


def main(argv=None):
    import nbformat

    parser = argparse.ArgumentParser(prog="python -m mlp_lib.make_exercises",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("solutions", help="folder of solution notebooks")
    parser.add_argument("exercises", help="folder to write the exercise notebooks to")
    args = parser.parse_args(argv)
    src = Path(args.solutions)
    dst = Path(args.exercises)
    dst.mkdir(parents=True, exist_ok=True)
    notebooks = sorted(src.glob("ex*.ipynb"))
    if not notebooks:
        parser.error(f"no ex*.ipynb notebooks in {src}")
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        try:
            out = make_exercise(nb)
        except ExerciseError as exc:
            print(f"{path}: {exc}", file=sys.stderr)
            return 1
        nbformat.write(out, dst / path.name)
        print(f"wrote {dst / path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
