"""mlp_lib reaches matplotlib only through its public API.

Anything reached through a leading underscore on a matplotlib object (a
renderer's ``_renderer``, ``fig._suptitle``, a font's ``_layout``...) and
swapping an object's ``__class__`` break with the next matplotlib release.
The AST of every module is searched: an attribute with one leading
underscore may only be read on the project's own objects, named below.
"""

import ast
from pathlib import Path

import mlp_lib

PACKAGE = Path(mlp_lib.__file__).parent
# names that hold the project's own objects (self, an MLP, a widget, an optimizer, an autodiff Tensor) or the standard library's
OWN = {"self", "cls", "net", "anim", "surface", "optimizer", "TrainingDashboard", "Tensor", "sys"}


def private_attributes(source):
    """[(line, attribute, base)] of single-underscore attributes read on anything but OWN names."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Attribute):
            continue
        name = node.attr
        if not name.startswith("_") or (name.startswith("__") and name.endswith("__")):
            continue
        if isinstance(node.value, ast.Name) and node.value.id in OWN:
            continue
        found.append((node.lineno, name, ast.unparse(node.value)))
    return found


def class_swaps(source):
    """Lines that assign to some object's __class__."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        else:
            continue
        lines += [node.lineno for t in targets if isinstance(t, ast.Attribute) and t.attr == "__class__"]
    return lines


def _modules():
    return sorted(PACKAGE.rglob("*.py"))


def test_no_private_names_of_other_objects():
    found = [f"{path.relative_to(PACKAGE.parent)}:{line}: .{name} on {base}"
             for path in _modules() for line, name, base in private_attributes(path.read_text())]
    assert not found, "private attributes of objects that are not the project's own:\n" + "\n".join(found)


def test_no_class_swapping():
    found = [f"{path.relative_to(PACKAGE.parent)}:{line}"
             for path in _modules() for line in class_swaps(path.read_text())]
    assert not found, f"__class__ assigned at {found}"


def test_the_names_of_the_old_glyph_cache_are_gone():
    banned = ("_renderer", "_suptitle", "_prepare_font", "_layout(", "_set_transform", "_render_glyph",
              "_glyph_cache", "draw_text_image")
    for path in _modules():
        text = path.read_text()
        for name in banned:
            assert name not in text, f"{name} in {path.relative_to(PACKAGE.parent)}"


def test_the_checks_catch_what_they_look_for():
    """The searches above do see fig._suptitle and a swapped class (a check that cannot fail proves nothing)."""
    source = "title = fig._suptitle\ntext.__class__ = Other\nok = self._own\n"
    assert private_attributes(source) == [(1, "_suptitle", "fig")]
    assert class_swaps(source) == [2]
