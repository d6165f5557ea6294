"""The promises about installing the course: one truth about versions, a lean learner install.

requirements.txt (learners, version ranges), requirements-dev.txt (plus the
test and lint tools), constraints/ (CI's exact pins), pyproject.toml (floors,
requires-python), mlp_lib.environment (what the set-up check demands),
runtime.txt (Binder's Python), the README and .ci/run must all agree.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from mlp_lib import environment, site

ROOT = Path(__file__).resolve().parents[1]
DEV_TOOLS = {"pytest", "pytest-xdist", "pytest-timeout", "nbval", "playwright", "ruff", "hypothesis"}
TESTED = [(3, minor) for minor in range(environment.MIN_PYTHON[1], environment.NEWEST_TESTED_PYTHON[1] + 1)]

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = None


def lines(name):
    """The non-comment, non-empty lines of a file at the top of the repo."""
    out = []
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out


def requirements(name):
    """{canonical name: Requirement} of a requirements file's package lines."""
    return {canonicalize_name(r.name): r for r in (Requirement(x) for x in lines(name) if not x.startswith("-"))}


def floor(specifier):
    """The version of the ``>=`` clause of a SpecifierSet."""
    found = [s.version for s in specifier if s.operator == ">="]
    assert len(found) == 1, f"expected one >= clause in {specifier}"
    return found[0]


def pyproject():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    if tomllib is not None:
        return tomllib.loads(text)["project"]
    deps = re.search(r"^dependencies = \[(.*?)\]", text, re.M | re.S).group(1)
    return {"requires-python": re.search(r'^requires-python = "(.*)"', text, re.M).group(1),
            "dependencies": re.findall(r'"([^"]+)"', deps)}


def pins(path):
    out = {}
    for line in (ROOT / path).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            assert re.fullmatch(r"[A-Za-z0-9_.-]+==[A-Za-z0-9_.+!-]+", line), f"{path}: not an exact pin: {line}"
            name, version = line.split("==")
            out[canonicalize_name(name)] = version
    return out


def runtime_version():
    text = (ROOT / "runtime.txt").read_text(encoding="utf-8").strip()
    match = re.fullmatch(r"python-(\d+)\.(\d+)", text)
    assert match, f"runtime.txt must read python-3.X, got {text!r}"
    return int(match.group(1)), int(match.group(2))


# ---------------------------------------------------------------- the learner's file


def test_the_learners_requirements_hold_no_test_or_lint_tools():
    names = set(requirements("requirements.txt"))
    assert not names & DEV_TOOLS, f"developer tools in requirements.txt: {sorted(names & DEV_TOOLS)}"
    assert not {n for n in names if n.startswith(("pytest", "coverage"))}


def test_the_learners_requirements_end_with_the_editable_course_package():
    assert lines("requirements.txt")[-1] == "-e ."


def test_every_learner_requirement_is_a_bounded_range():
    for name, req in requirements("requirements.txt").items():
        ops = {s.operator for s in req.specifier}
        assert ops == {">=", "<"}, f"{name}: give a range >=floor,<next (got {req.specifier})"


def test_the_developers_file_adds_the_tools_to_the_learners_file():
    dev = lines("requirements-dev.txt")
    assert dev[0] == "-r requirements.txt"
    assert DEV_TOOLS <= set(requirements("requirements-dev.txt"))


# ---------------------------------------------------------------- one truth about versions


def test_floors_agree_across_requirements_pyproject_and_the_environment_check():
    learner = {name: floor(req.specifier) for name, req in requirements("requirements.txt").items()}
    declared = {canonicalize_name(r.name): floor(r.specifier)
                for r in map(Requirement, pyproject()["dependencies"])}
    checked = {canonicalize_name(name): minimum for name, minimum, _ in environment.REQUIRED}
    for name, version in declared.items():
        assert learner.get(name) == version, f"{name}: pyproject says >={version}, requirements.txt {learner.get(name)}"
    for name, version in checked.items():
        assert learner.get(name) == version, f"{name}: environment.py says {version}, requirements.txt {learner.get(name)}"
    assert set(declared) <= set(checked), "every dependency of mlp_lib is in the set-up check"
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    names = {"numpy": "NumPy"}
    for name, version in checked.items():
        assert f"{names.get(name, name)} {version}" in readme, f"the README does not name {name}'s floor {version}"


def test_the_python_range_agrees_everywhere():
    low, high = environment.MIN_PYTHON, environment.NEWEST_TESTED_PYTHON
    low_s, high_s = ".".join(map(str, low)), ".".join(map(str, high))
    assert pyproject()["requires-python"] == f">={low_s}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"Python {low_s} to {high_s}" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert f"for version in {low_s} {high_s}; do" in ci, "CI runs the fast suite at both ends of the range"


@pytest.mark.parametrize("version", TESTED, ids=lambda v: "py%d.%d" % v)
def test_ci_pins_every_requirement_within_its_range(version):
    path = environment.constraints_file(version)
    assert path.exists(), f"no constraints file for Python {version}"
    pinned = pins(path.relative_to(ROOT))
    for source in ("requirements.txt", "requirements-dev.txt"):
        for name, req in requirements(source).items():
            if req.marker is not None and not req.marker.evaluate({"python_version": "%d.%d" % version}):
                continue  # not installed on this Python (e.g. nbgrader on 3.10)
            assert name in pinned, f"{path.name} does not pin {name}"
            assert req.specifier.contains(pinned[name]), f"{path.name}: {name}=={pinned[name]} is outside {req.specifier}"


def test_the_makefile_picks_the_same_constraints_file_as_the_environment_check():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    rule = re.search(r"^CONSTRAINTS \?= constraints/\$\(if \$\(filter ([\d.]+),\$\(PYVER\)\),(\S+),(\S+)\)$",
                     makefile, re.M)
    assert rule, "the Makefile's CONSTRAINTS rule changed: update this test"
    own_version, own_file, other_file = rule.groups()
    for version in TESTED:
        expected = own_file if "%d.%d" % version == own_version else other_file
        assert environment.constraints_file(version).name == expected


def test_the_tested_column_reads_cis_pins_for_this_python():
    pinned = environment.pinned_versions()
    assert pinned["numpy"] == pins(environment.constraints_file().relative_to(ROOT))["numpy"]


# ---------------------------------------------------------------- Binder, the README, make site


def test_binders_runtime_names_a_tested_python():
    version = runtime_version()
    assert version in TESTED
    assert environment.constraints_file(version).exists()


def test_the_readme_gives_both_ways_to_install_and_a_binder_link():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make lab" in readme and "make test" in readme
    assert "py -m venv .venv" in readme and r".venv\Scripts\python -m pip install -r requirements.txt" in readme
    assert "python3 -m venv .venv" in readme and ".venv/bin/python -m pip install -r requirements.txt" in readme
    link = re.search(r"https://mybinder\.org/v2/gh/[^/\s]+/[^/\s]+/[^?\s]+\?labpath=(\S+)", readme)
    assert link, "no launch-on-Binder link (or link template)"
    assert link.group(1) == "chapters%2F00_start_here.ipynb"
    assert "make site" in readme


def test_site_chapters_are_found_in_course_order(tmp_path):
    for name in ("A1_appendix.ipynb", "06_more.ipynb", "00_start.ipynb", "10_later.ipynb"):
        (tmp_path / "chapters").mkdir(exist_ok=True)
        (tmp_path / "chapters" / name).write_text("{}")
    assert [p.name for p in site.chapter_paths(tmp_path)] == [
        "00_start.ipynb", "06_more.ipynb", "10_later.ipynb", "A1_appendix.ipynb"]
    page = site.index_html([("00_start.html", "00 · Start"), ("06_more.html", "06 · <More>")])
    assert page.index("00_start.html") < page.index("06_more.html")
    assert "06 · &lt;More&gt;" in page


def test_site_replaces_widget_controls_by_a_note():
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {"state": {}}
    cell = nbformat.v4.new_code_cell("w")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        site.WIDGET_MIME: {"model_id": "x"}, "text/plain": "VBox(children=(...))"}),
        nbformat.v4.new_output("display_data", data={"image/png": "iVBOR", "text/plain": "<Figure>"})]
    nb.cells.append(cell)
    site.make_static(nb)
    assert "widgets" not in nb.metadata
    assert "mlp-static-note" in cell.outputs[0]["data"]["text/html"]
    assert cell.outputs[1]["data"]["image/png"] == "iVBOR"


# ---------------------------------------------------------------- the learner's install, for real


def _interpreter(version):
    """A Python of ``version`` (major, minor) on this machine, or None."""
    if tuple(sys.version_info[:2]) == version:
        return getattr(sys, "_base_executable", sys.executable)
    name = "python%d.%d" % version
    candidates = [shutil.which(name)]
    for root in (os.environ.get("PYENV_ROOT"), str(Path.home() / ".pyenv")):
        if root:
            candidates += sorted((Path(root) / "versions").glob("%d.%d.*/bin/python" % version))
    for candidate in filter(None, candidates):
        probe = subprocess.run([str(candidate), "-c", "import sys; print(sys.version_info[:2])"],
                               capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.strip() == str(version):
            return str(candidate)
    return None


@pytest.mark.slow
def test_requirements_install_into_a_fresh_venv_on_runtime_python(tmp_path):
    """What Binder does: requirements.txt alone, on runtime.txt's Python. The set-up check passes."""
    version = runtime_version()
    python = _interpreter(version)
    if python is None:
        pytest.skip(f"SKIPPED: no Python {version[0]}.{version[1]} (runtime.txt's) on this machine")
    venv = tmp_path / "venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    vpy = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([str(vpy), "-m", "pip", "install", "-q", "-r", "requirements.txt"],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    listed = subprocess.run([str(vpy), "-m", "pip", "list", "--format=freeze"], env=env,
                            capture_output=True, text=True, check=True).stdout
    installed = {canonicalize_name(line.split("==")[0]) for line in listed.splitlines() if "==" in line}
    assert not installed & DEV_TOOLS, f"the learner's install holds {sorted(installed & DEV_TOOLS)}"
    assert {"jupyterlab", "notebook", "ipykernel", "ipywidgets", "numpy", "matplotlib"} <= installed
    report = subprocess.run(
        [str(vpy), "-c", "from mlp_lib.environment import environment_check as c; import sys;"
                         " import mlp_lib.widgets, mlp_lib.grading; sys.exit(0 if c().ok else 1)"],
        cwd=tmp_path, env=env, capture_output=True, text=True)
    assert report.returncode == 0, report.stdout + report.stderr
    assert "You are ready" in report.stdout

