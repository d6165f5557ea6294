"""Every committed notebook is stored clean and follows the course's conventions."""

import ast
import json
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for d in ("chapters", "solutions", "exercises") for p in (ROOT / d).glob("*.ipynb"))
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_there_are_notebooks():
    assert (ROOT / "chapters" / "00_start_here.ipynb").exists()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebook_is_stored_clean(path):
    nb = load(path)
    assert "widgets" not in nb["metadata"], "widget state is stored in metadata.widgets"
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3"
    for i, cell in enumerate(code_cells(nb)):
        tags = cell.get("metadata", {}).get("tags", [])
        if "nbval-check-output" in tags:
            continue
        assert cell.get("outputs") == [], f"code cell {i} stores outputs"
        assert cell.get("execution_count") is None, f"code cell {i} stores an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_setup_cell_and_tags(path):
    cells = code_cells(load(path))
    assert cells, "a notebook without code"
    assert "%matplotlib inline" in source(cells[0]), "the first code cell must be the setup cell"
    for cell in cells:
        assert "NBVAL_" not in source(cell), "use cell tags, not NBVAL_* comments"


def test_no_helper_is_defined_in_two_notebooks():
    """Anything used twice lives in mlp_lib: no function or class body appears in two
    chapters, under any name. (Exercises ask learners to write their own functions, so
    only the chapters are compared.)"""
    where = defaultdict(set)
    for path in CHAPTERS:
        for cell in code_cells(load(path)):
            text = "\n".join(
                line for line in source(cell).splitlines() if not line.lstrip().startswith(("%", "!"))
            )
            try:
                tree = ast.parse(text)
            except SyntaxError:
                continue
            for node in tree.body:
                if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                    body = ast.dump(ast.Module(body=node.body, type_ignores=[]))
                    where[body].add(f"{path.name}:{node.name}")
    copied = [sorted(places) for places in where.values()
              if len({place.split(":")[0] for place in places}) > 1]
    assert not copied, f"helpers defined in more than one notebook (move them to mlp_lib): {copied}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_opens_with_goals_and_ends_with_summary(path):
    cells = load(path)["cells"]
    markdown = [source(c).lower() for c in cells if c["cell_type"] == "markdown"]
    assert any("you will" in text for text in markdown[:2]), \
        "a chapter opens with what the learner will be able to do"
    assert "summary" in "\n".join(markdown[-3:]), "a chapter ends with a summary"
