"""Every claim a notebook verifies is asserted, so that nbval fails when it stops holding.

nbval runs in lax mode: a cell that only PRINTS "relative error 1e-3" or
"agree: False" passes. These tests hold the notebooks to the rule of the
course's design: every chapter has asserting cells, and a cell that prints a
verification line (a relative error, an agreement, an equality) also asserts it.
Every figure a chapter draws is shown with an alt text (mlp_lib.figures.show_figure).
"""

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))

VERIFYING = re.compile(
    r"relative error|\bagrees?\b|\bequals?\b|==|\bidentical\b|\bsame (as|result|weights)\b"
    r"|largest difference|\bmatches\b|recover|\bnumerical\b|least squares|\bformula\b.*\bmeasured\b|\bmeasured\b.*\bformula\b",
    re.IGNORECASE,
)


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def code_cells(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [(i, source(c)) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]


def printed_strings(code):
    """The string constants inside the print(...) calls a cell makes (f-string parts included).

    Prints inside a function or class the cell only defines are left to the
    cells that call it (they assert what it returns).
    """
    text = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    found = []
    top = [stmt for stmt in tree.body if not isinstance(stmt, (ast.FunctionDef, ast.ClassDef))]
    for node in (sub for stmt in top for sub in ast.walk(stmt)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
            for sub in ast.walk(node):
                if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                    found.append(sub.value)
    return found


def asserts(code):
    try:
        tree = ast.parse("\n".join(l for l in code.splitlines() if not l.lstrip().startswith(("%", "!"))))
    except SyntaxError:
        return 0
    return sum(isinstance(node, ast.Assert) for node in ast.walk(tree))


def unasserted_verifications(cells):
    """[(cell index, printed text)] of cells that print a verification line without an assert."""
    bad = []
    for i, code in cells:
        lines = [s for s in printed_strings(code) if VERIFYING.search(s)]
        if lines and not asserts(code):
            bad.append((i, lines[0].strip()))
    return bad


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_chapter_asserts_its_claims(path):
    n = sum(asserts(code) for _, code in code_cells(path))
    assert n >= 3, f"{path.name} has {n} assert statements; every derivation check must assert"


@pytest.mark.parametrize("path", CHAPTERS + SOLUTIONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_cell_that_prints_a_verification_asserts_it(path):
    bad = unasserted_verifications(code_cells(path))
    assert not bad, f"cells that print a verification without asserting it: {bad}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_chapter_figure_has_alt_text(path):
    for i, code in code_cells(path):
        if "plt.show()" in code:
            pytest.fail(f"cell {i} shows a figure with plt.show(): use show_figure(fig, alt)")
        draws = len(re.findall(r"plt\.(subplots|figure)\(", code))
        shown = len(re.findall(r"show_figure\(\s*fig\s*,\s*f?[\"']\S", code))
        assert shown >= draws, f"cell {i} draws {draws} figure(s) but shows {shown} with an alt text"


def test_the_checker_catches_a_print_without_assert():
    cells = [(0, 'print("relative error:", relative_error(a, b))'),
             (1, 'e = relative_error(a, b)\nprint("relative error:", e)\nassert e < 1e-7'),
             (2, 'print("agree:", np.allclose(x, y))'),
             (3, 'print(f"J = {J:.3f}")'),
             (4, 'def check(a, b):\n    print("relative error", relative_error(a, b))')]
    assert unasserted_verifications(cells) == [(0, "relative error:"), (2, "agree:")]
