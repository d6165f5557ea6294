"""Is this Python ready for the course? One table, and what to do if not.

    from mlp_lib.environment import environment_check
    environment_check()        # prints the table; returns an EnvironmentReport

Each package the course needs is looked up in the running Python (the
notebook's kernel) with ``importlib.metadata``, without importing it, so the
check works even when a package is broken or missing. The minimum versions
are the oldest the course supports (the floors of requirements.txt and
pyproject.toml: a test keeps them equal); the "tested" column is what CI pins
for this Python in constraints/ (what the course's tests ran with), when that
folder is next to this package.
"""

import sys
from importlib import metadata
from pathlib import Path

REQUIRED = (
    # (distribution name, minimum version, what the course uses it for)
    ("numpy", "1.26", "all the maths"),
    ("matplotlib", "3.10.7", "every figure"),
    ("ipywidgets", "8.1", "the Play buttons and sliders"),
    ("ipykernel", "6.29", "the notebook's Python kernel"),
    ("scikit-learn", "1.3", "the handwritten digits (chapter 05)"),
)
MIN_PYTHON = (3, 10)
NEWEST_TESTED_PYTHON = (3, 13)  # CI runs the course on the oldest and the newest

FIX = (
    "How to fix it: in a terminal, in the course folder, run\n"
    "    make lab\n"
    "(it creates .venv, installs everything and opens JupyterLab with the right kernel), or install\n"
    "into the Python this notebook runs on:\n"
    "    {python} -m pip install -r requirements.txt\n"
    "Then restart the kernel (Kernel > Restart Kernel) and run this cell again."
)


def parse_version(text):
    """'1.26.4' -> (1, 26, 4); stops at the first part that is not a number ('2.0rc1' -> (2, 0))."""
    parts = []
    for piece in str(text).split("."):
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            break
        parts.append(int(digits))
        if len(digits) != len(piece):
            break
    return tuple(parts)


def _installed_version(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def constraints_file(version_info=None):
    """The file of CI's exact pins for a Python version (default: this one); it may not exist.

    3.10 has its own (the newest numpy, matplotlib and scikit-learn stopped
    supporting it); 3.11 to 3.13 share one.
    """
    major, minor = tuple(version_info or sys.version_info)[:2]
    name = "py3.10.txt" if (major, minor) <= (3, 10) else "py3.11-3.13.txt"
    return Path(__file__).resolve().parent.parent / "constraints" / name


def pinned_versions(path=None):
    """{name: version} pinned with == in a requirements or constraints file (empty if not found).

    path: default, :func:`constraints_file` for this Python.
    """
    path = Path(path) if path is not None else constraints_file()
    pins = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return pins
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[name.strip().lower()] = version.strip()
    return pins


class EnvironmentReport:
    """The result of ``environment_check``.

    rows: one dict per package with keys name, installed (str or None),
    required (minimum, str), tested (str or None), status ("ok", "missing" or
    "too old") and purpose. problems: one sentence per row that is not ok.
    ok: True when nothing is wrong.
    """

    def __init__(self, rows, python_version, python_ok, executable):
        self.rows = rows
        self.python_version = python_version
        self.python_ok = python_ok
        self.executable = executable

    @property
    def problems(self):
        out = []
        if not self.python_ok:
            need = ".".join(map(str, MIN_PYTHON))
            out.append(f"Python {self.python_version} is too old: the course needs Python >= {need}.")
        for row in self.rows:
            if row["status"] == "missing":
                out.append(f"{row['name']} is not installed (needed for {row['purpose']}).")
            elif row["status"] == "too old":
                out.append(
                    f"{row['name']} {row['installed']} is too old: the course needs >= {row['required']}"
                    f" (for {row['purpose']})."
                )
        return out

    @property
    def ok(self):
        return not self.problems

    def table(self):
        """The report as a fixed-width text table."""
        header = ("package", "installed", "required", "tested", "status")
        py_need = ">= " + ".".join(map(str, MIN_PYTHON))
        py_tested = "-".join(".".join(map(str, v)) for v in (MIN_PYTHON, NEWEST_TESTED_PYTHON))
        lines = [("python", self.python_version, py_need, py_tested, "ok" if self.python_ok else "TOO OLD")]
        for row in self.rows:
            lines.append((
                row["name"],
                row["installed"] or "-",
                ">= " + row["required"],
                row["tested"] or "",
                {"ok": "ok", "missing": "MISSING", "too old": "TOO OLD"}[row["status"]],
            ))
        widths = [max(len(str(r[i])) for r in [header, *lines]) for i in range(len(header))]
        fmt = "  ".join(f"{{:<{w}}}" for w in widths)
        out = [fmt.format(*header), fmt.format(*("-" * w for w in widths))]
        out += [fmt.format(*map(str, r)) for r in lines]
        return "\n".join(out)

    def __str__(self):
        text = [self.table(), ""]
        here = Path(__file__).resolve().parent
        text.append(f"The course package mlp_lib is loaded from {here}")
        text.append(f"This notebook's Python is {self.executable}")
        text.append("")
        if self.ok:
            text.append("Everything the course needs is installed. You are ready.")
        else:
            text.append("Something is wrong:")
            text += [f"  - {p}" for p in self.problems]
            text.append("")
            text.append(FIX.format(python=self.executable))
        return "\n".join(text)

    def __repr__(self):
        state = "ok" if self.ok else f"{len(self.problems)} problem(s)"
        return f"EnvironmentReport({state})"


def check_environment(required=REQUIRED, version_of=_installed_version, tested=None):
    """Look up every required package; return an :class:`EnvironmentReport` (prints nothing).

    required: (name, minimum version, purpose) triples; version_of: name ->
    installed version string or None (the default asks importlib.metadata);
    tested: {name: version} for the "tested" column (default: CI's pins for this Python).
    """
    tested = pinned_versions() if tested is None else {k.lower(): v for k, v in tested.items()}
    rows = []
    for name, minimum, purpose in required:
        installed = version_of(name)
        if installed is None:
            status = "missing"
        elif parse_version(installed) < parse_version(minimum):
            status = "too old"
        else:
            status = "ok"
        rows.append({"name": name, "installed": installed, "required": minimum,
                     "tested": tested.get(name.lower()), "status": status, "purpose": purpose})
    python_version = ".".join(map(str, sys.version_info[:3]))
    return EnvironmentReport(rows, python_version, tuple(sys.version_info[:2]) >= MIN_PYTHON,
                             sys.executable)


def environment_check(**kwargs):
    """Print the environment table and what to do if anything is missing or too old.

    Returns the :class:`EnvironmentReport` (``report.ok`` is True when all is
    well). kwargs go to :func:`check_environment`.
    """
    report = check_environment(**kwargs)
    print(report)
    return report
