"""One notation everywhere (COURSE_SPEC section 3).

The learning rate is eta (`lr` in code); l is only ever a layer index. a is
the pre-activation: the article's name for it, "activation value", appears
only in the one sentence that names the article's term. Scanned: the
markdown and code of every chapter, exercise and solution notebook, and every
string (docstrings, captions, feedback messages) in mlp_lib/widgets and
mlp_lib/grading.
"""

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for d in ("chapters", "exercises", "solutions") for p in (ROOT / d).glob("*.ipynb"))
MODULES = sorted(p for d in ("widgets", "grading") for p in (ROOT / "mlp_lib" / d).glob("*.py"))

LEARNING_RATE_AS_L = [
    re.compile(r"learning[ -]rate\s*(\(\w+\)\s*)?\$?\\?l\b(?!r)"),       # "learning rate l", "learning rate $l$"
    re.compile(r"(?<![\w\\{])l\s*=\s*\d*\.\d"),                           # "l = 0.5" (a layer index is whole)
    re.compile(r"[-−]\s*l\s*(\\,|\\nabla|\\frac|\\partial|\\cdot|[·⋅*×]|\s+g\b|\s*\\?\(?g_)"),  # "- l\,dJ", "−l·g"
    re.compile(r"\\frac\{l\}"),                                           # "\frac{l}{1-\beta}"
    re.compile(r"(?<![\w\\{])l\s*/\s*\(1\s*-"),                             # "l/(1-\beta)"
    re.compile(r"\$l\$[^$\n]{0,40}\blearning rate"),                        # "$l$ the learning rate"
]
ACTIVATION_VALUE = re.compile(r"activation\s+values?", re.IGNORECASE)


def notebook_texts(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        yield f"{path.parent.name}/{path.name} cell {i}", text


def module_strings(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield f"mlp_lib/{path.parent.name}/{path.name} line {node.lineno}", node.value


def learning_rate_as_l(text):
    return [m.group(0) for pattern in LEARNING_RATE_AS_L for m in pattern.finditer(text)]


def activation_value_outside_the_naming_sentence(text):
    """Each "activation value" whose sentence does not name the article's term."""
    bad = []
    for m in ACTIVATION_VALUE.finditer(text):
        start = max(text.rfind(".", 0, m.start()), text.rfind("\n\n", 0, m.start())) + 1
        end = min((i for i in (text.find(". ", m.end()), text.find("\n\n", m.end())) if i >= 0),
                  default=len(text))
        if "article" not in text[start:end]:
            bad.append(text[start:end].strip())
    return bad


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebooks_write_the_learning_rate_as_eta(path):
    bad = [(where, hit) for where, text in notebook_texts(path) for hit in learning_rate_as_l(text)]
    assert not bad, f"the learning rate is eta, l is a layer index: {bad}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_widget_and_grader_strings_write_the_learning_rate_as_eta(path):
    bad = [(where, hit) for where, text in module_strings(path) for hit in learning_rate_as_l(text)]
    assert not bad, f"the learning rate is eta (η), l is a layer index: {bad}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebooks_say_pre_activation(path):
    bad = [(where, s) for where, text in notebook_texts(path)
           for s in activation_value_outside_the_naming_sentence(text)]
    assert not bad, f'a is the "pre-activation"; "activation value" only where the article\'s term is named: {bad}'


@pytest.mark.parametrize("path", MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_widget_and_grader_strings_say_pre_activation(path):
    bad = [(where, s) for where, text in module_strings(path)
           for s in activation_value_outside_the_naming_sentence(text)]
    assert not bad, f'a is the "pre-activation", not an "activation value": {bad}'


def test_the_article_term_is_named_once_where_a_is_defined():
    hits = [where for p in sorted((ROOT / "chapters").glob("*.ipynb"))
            for where, text in notebook_texts(p) if ACTIVATION_VALUE.search(text)]
    assert len(hits) == 1 and hits[0].startswith("chapters/03_"), hits


def test_chapter_01_design_matrix_is_not_A():
    text = "\n".join(t for _, t in notebook_texts(ROOT / "chapters" / "01_linear_regression.ipynb"))
    assert not re.search(r"A\^\\top A|A\.T @ A|\bA = np\.column_stack", text), \
        "A is the pre-activation matrix; the design matrix needs another letter"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bracket_notation_is_defined_where_used(path):
    texts = [t for _, t in notebook_texts(path)]
    if any(re.search(r"\[\s*c\s*=\s*j\s*\]", t) for t in texts):
        assert any(re.search(r"\[\s*c\s*=\s*j\s*\]\$?\s+is 1 if", t) for t in texts), \
            "define [c = j] (1 if c = j, else 0) where it is first used"


@pytest.mark.parametrize("text, hits", [
    ("the learning rate l = 0.5", 2),
    (r"$w \leftarrow w - l\,\partial J/\partial w$", 1),
    ("v ← βv − l·g", 1),
    (r"$v_\infty = -\frac{l}{1-\beta} g$", 1),
    (r"the effective step is $l/(1-\beta)$", 1),
    ("| $l$ | `lr` | learning rate |", 1),
    (r"for $l = L, L-1, \dots, 1$: $\Delta_{l-1} = (\Delta_l W_l^\top)$", 0),
    (r"$w \leftarrow w - \eta\,\nabla J$, lr = 0.5", 0),
    ("layers l = 1, ..., L", 0),
])
def test_the_learning_rate_patterns(text, hits):
    assert len(learning_rate_as_l(text)) == hits, learning_rate_as_l(text)


def test_the_activation_value_rule():
    assert activation_value_outside_the_naming_sentence(
        "The article calls a_j the activation value. Fine.") == []
    assert activation_value_outside_the_naming_sentence(
        "A1 holds the hidden layer's activation values. Wrong.") != []
