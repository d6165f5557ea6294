"""Smoke test in Notebook 7's single-document page (/notebooks/...).

The first chapter that builds one of mlp_lib.widgets' classes is opened there, run with Run > Run All Cells, and
its first widget must render: Play, the slider and the figure on screen, and
the figure must change when Play is pressed.
"""

import pytest

from tests.browser import lab

pytestmark = pytest.mark.browser


@pytest.mark.timeout(420)
def test_notebook7_chapter_widget_renders(page, lab_server, artifacts, course_dir):
    name = lab.first_chapter_with_widget(course_dir)
    if name is None:
        pytest.skip("no chapter uses mlp_lib.widgets yet")
    path = f"chapters/{name}"
    lab.open_notebook(page, lab_server, path, ui="notebook")
    s = lab.run_all(page)
    problems = lab.problems(s)
    assert not problems, "\n\n".join(problems)

    expected, rendered, broken = lab.wait_widgets_rendered(page)
    assert not broken, broken
    assert expected and rendered >= expected, f"{expected} widget outputs, {rendered} rendered"

    controls = lab.widget_controls(page)
    assert controls.count() >= 1, "no Play button or slider on the page"
    control = controls.first
    assert control.locator(".widget-play, .widget-slider").first.is_visible()
    figure = lab.widget_figure(control)
    assert figure.is_visible()
    box = figure.bounding_box()
    assert box["width"] > 100 and box["height"] > 100, f"the widget's figure is tiny: {box}"

    before = lab.shot(figure)
    lab.drive_widget(control)
    after = lab.wait_picture_change(lambda: lab.widget_figure(lab.widget_controls(page).first), before)
    lab.pause_widget(lab.widget_controls(page).first)
    assert after is not None, "the figure did not change after Play"
    lab.wait_idle(page, timeout=60)
    lab.save_page(page, f"notebook7-{name.removesuffix('.ipynb')}", artifacts)
    errors = [e for e in page.page_errors if e not in lab.NOTEBOOK7_OWN_ERRORS]
    assert not errors, errors
