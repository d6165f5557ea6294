"""mlp_lib.figures: a chapter figure carries its alt text into the notebook and into nbconvert's HTML."""

import base64

import nbformat
import pytest

from mlp_lib.figures import figure_bundle


@pytest.fixture
def fig():
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 1.5))
    figure.add_subplot().plot([0, 1, 2], [0, 1, 4])
    return figure


def test_bundle_carries_the_alt_text(fig):
    data, metadata = figure_bundle(fig, "a parabola\n  rising to the right")
    assert metadata == {"image/png": {"alt": "a parabola rising to the right"}}
    assert data["text/plain"] == "a parabola rising to the right"
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    assert 'alt="a parabola rising to the right"' in data["text/html"]
    assert data["image/png"] in data["text/html"]


def test_alt_text_is_escaped_in_html(fig):
    data, _ = figure_bundle(fig, 'a "quoted" <b>label</b>')
    assert 'alt="a &quot;quoted&quot; &lt;b&gt;label&lt;/b&gt;"' in data["text/html"]


@pytest.mark.parametrize("alt", [None, "", "   ", 3])
def test_alt_text_is_required(fig, alt):
    with pytest.raises(ValueError, match="alt"):
        figure_bundle(fig, alt)


@pytest.mark.parametrize("template", ["lab", "classic"])
def test_nbconvert_html_has_the_alt_attribute(fig, template):
    from nbconvert import HTMLExporter

    data, metadata = figure_bundle(fig, "a parabola")
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("show_figure(fig, 'a parabola')")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=metadata)]
    nb.cells = [cell]
    html, _ = HTMLExporter(template_name=template).from_notebook_node(nb)
    assert 'alt="a parabola"' in html
    assert "No description has been provided" not in html
