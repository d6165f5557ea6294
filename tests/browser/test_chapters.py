"""Every chapter, worked through in JupyterLab in headless Chromium.

For each chapters/*.ipynb that exists when the tests run: open it, Run All,
wait for every cell, check that no cell shows an error (cells tagged
``raises-exception`` may), press each widget's Play (or move its slider when
it has none) and check that its figure changes on screen. A screenshot of
the whole notebook, and the before/after pictures of each widget, are saved
in test-artifacts/browser/.
"""

import pytest

from tests.browser import lab

pytestmark = pytest.mark.browser

CHAPTERS = lab.chapter_notebooks()


def test_chapters_exist():
    assert CHAPTERS, f"no notebooks in {lab.course_source() / 'chapters'}"


@pytest.mark.timeout(480)
@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_runs_and_widgets_animate(page, lab_server, artifacts, name):
    path = f"chapters/{name}"
    stem = name.removesuffix(".ipynb")
    lab.open_notebook(page, lab_server, path)
    final = lab.run_all(page)

    problems = lab.problems(final)
    if not problems:  # a second opinion, from what the page shows
        problems += [f"on the page: {p}" for p in lab.dom_error_outputs(page)]

    expected, rendered, broken = lab.wait_widgets_rendered(page)
    problems += [f"widget did not display: {b}" for b in broken]
    if rendered < expected:
        problems.append(f"{expected} widget outputs, only {rendered} rendered on the page")

    # Every widget with Play or a slider: its figure must change when driven.
    page.evaluate("() => { window.__bt_errors = []; }")
    page.evaluate("""() => {
      const kernel = window.__bt.panel().sessionContext.session.kernel;
      kernel.iopubMessage.connect((_, msg) => {
        const t = msg.header.msg_type;
        if (t === 'error') window.__bt_errors.push(msg.content.ename + ': ' + msg.content.evalue);
        if (t === 'stream' && msg.content.name === 'stderr' && /Traceback|Error/.test(msg.content.text))
          window.__bt_errors.push(msg.content.text.slice(-800));
      });
    }""")
    controls = lab.widget_controls(page)
    n_widgets = controls.count()
    if expected and not n_widgets:
        problems.append(f"{expected} widget outputs, but no Play button or slider on the page")
    for k in range(n_widgets):
        control = controls.nth(k)

        def figure(k=k):
            return lab.widget_figure(controls.nth(k))

        before = lab.shot(figure())
        (artifacts / f"{stem}-widget{k + 1}-before.png").write_bytes(before)
        how = lab.drive_widget(control)
        after = lab.wait_picture_change(figure, before)
        lab.pause_widget(control)
        if after is None and how == "Play":
            # A widget shown at its last frame (a replayed training run) ends Play
            # where it began; one look at its first frame tells it moves.
            how = "Play, then moving the slider to the start"
            lab.move_slider(control, "Home")
            after = lab.wait_picture_change(figure, before, timeout=20)
        if after is None:
            problems.append(f"widget {k + 1} of {n_widgets}: the figure did not change after {how}")
        else:
            (artifacts / f"{stem}-widget{k + 1}-after.png").write_bytes(after)
    # Let the frames asked for so far arrive, then look for errors from the callbacks.
    page.wait_for_timeout(500)
    lab.wait_idle(page, timeout=60)
    errors = list(dict.fromkeys(page.evaluate("() => window.__bt_errors")))
    problems += [f"while driving widgets: {e}" for e in errors[:5]]

    lab.save_page(page, stem, artifacts)
    problems += [f"page error: {e}" for e in page.page_errors]
    assert not problems, f"{name}:\n" + "\n\n".join(problems)
