"""Helpers that work a notebook in JupyterLab (or Notebook 7) like a learner.

Actions go through the page: the menu bar's Run > Run All Cells, clicks on
Play, keys typed into a cell's editor. What the tests then check is read
from the page and from ``window.jupyterapp`` (the server runs with
``expose_app_in_browser``): execution counts, error outputs and cell tags
come from the cell models, pictures from screenshots.
"""

import json
import os
import re
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VIEWPORT_WIDTH = 1280
VIEWPORT_HEIGHT = 900
MAX_SHOT_HEIGHT = 16_000
RUN_TIMEOUT = 240
WIDGET_CHANGE_TIMEOUT = 45
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

# Installed in the page once the app is up. ``panel()`` is the open notebook;
# ``state()`` a small summary of its cells (no image data, so polling is cheap).
_HELPERS_JS = r"""
() => {
  if (window.__bt) return true;
  const app = window.jupyterapp;
  if (!app || !app.shell) return false;
  const isNotebook = (w) => w && w.content && w.sessionContext && w.context;
  window.__bt = {
    panel() {
      const cur = app.shell.currentWidget;
      if (isNotebook(cur)) return cur;
      for (const w of app.shell.widgets('main')) { if (isNotebook(w)) return w; }
      return null;
    },
    summary(output) {
      const o = {type: output.output_type};
      if (output.output_type === 'error') {
        o.ename = output.ename; o.evalue = output.evalue;
        o.traceback = (output.traceback || []).join('\n');
      } else if (output.output_type === 'stream') {
        o.name = output.name;
        o.text = Array.isArray(output.text) ? output.text.join('') : String(output.text);
      } else {
        o.mimes = Object.keys(output.data || {});
        const text = (output.data || {})['text/plain'];
        if (text !== undefined) o.text = Array.isArray(text) ? text.join('') : String(text);
      }
      return o;
    },
    state() {
      const p = this.panel();
      if (!p || !p.context.isReady) return null;
      const kernel = p.sessionContext.session ? p.sessionContext.session.kernel : null;
      return {
        path: p.context.path,
        kernel: kernel ? kernel.status : null,
        cells: p.content.widgets.map((c) => {
          const code = c.model.type === 'code';
          const prompt = code ? c.node.querySelector('.jp-InputPrompt') : null;
          return {
            type: c.model.type,
            count: code ? c.model.executionCount : null,
            prompt: prompt ? prompt.textContent.trim() : '',
            tags: c.model.getMetadata('tags') || [],
            source: c.model.sharedModel.getSource(),
            outputs: code ? c.model.outputs.toJSON().map((o) => this.summary(o)) : [],
          };
        }),
      };
    },
  };
  return true;
}
"""


# Errors Notebook 7's own front end throws on its single-document page, with
# or without this course (seen with notebook 7.6); they are not the course's.
NOTEBOOK7_OWN_ERRORS = (
    "Cannot read properties of undefined (reading 'schema')",
    "Command 'filebrowser:open-path' not registered.",
)


def course_source():
    """The course folder the tests copy: this checkout, unless MLP_BROWSER_COURSE names another."""
    return Path(os.environ.get("MLP_BROWSER_COURSE", REPO))


def chapter_notebooks():
    """chapters/*.ipynb as they exist now, by name."""
    return sorted(p.name for p in (course_source() / "chapters").glob("*.ipynb"))


def first_chapter_with_widget(course_dir):
    """The first chapters/*.ipynb in ``course_dir`` with a code cell that builds a course widget."""
    from mlp_lib.widgets import _CLASSES

    names = "|".join(sorted(n for n in _CLASSES if n != "FrameWidget"))
    builds = re.compile(rf"\b({names})\(")
    for path in sorted((Path(course_dir) / "chapters").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb.get("cells", []):
            source = "".join(cell.get("source", []))
            if cell.get("cell_type") == "code" and builds.search(source):
                return path.name
    return None


def wait_for(predicate, timeout, interval=0.25, message="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


def state(page):
    page.evaluate(_HELPERS_JS)
    return page.evaluate("() => window.__bt.state()")


def open_notebook(page, server, path, ui="lab", timeout=90):
    """Open ``path`` (relative to the served folder) and wait for its kernel to be idle.

    ui="lab": JupyterLab, in a workspace of its own so no tab from an earlier
    test is restored; ui="notebook": Notebook 7's single-document page.
    """
    if ui == "lab":
        url = server.url(f"lab/workspaces/t{uuid.uuid4().hex[:10]}/tree/{path}")
    else:
        url = server.url(f"notebooks/{path}")
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=timeout * 1000)
    assert page.evaluate(_HELPERS_JS)

    def ready():
        s = page.evaluate("() => window.__bt.state()")
        return s if s and s["path"] == path and s["kernel"] == "idle" and s["cells"] else None

    st = wait_for(ready, timeout, message=f"{path} to open with an idle kernel")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(state="visible")
    return st


def click_menu(page, menu, *commands):
    """Menu bar ``menu`` > the item that runs the first of ``commands`` (JupyterLab command ids)."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(rf"^\s*{re.escape(menu)}\s*$")).first.click()
    item = page.locator(", ".join(f'.lm-Menu-item[data-command="{c}"]' for c in commands)).first
    item.wait_for(state="visible")
    item.click()


def _pending(s):
    return [i for i, c in enumerate(s["cells"]) if c["type"] == "code" and "*" in c["prompt"]]


def wait_idle(page, timeout=RUN_TIMEOUT, started=None):
    """Wait until no cell waits or runs and the kernel is idle; return the final state.

    ``started`` (a state -> bool) says the run has begun, so a poll made
    before the first cell is queued does not count as the end.
    """
    t0 = time.monotonic()
    if started is not None:
        wait_for(lambda: started(state(page)), min(timeout, 30), message="the run to start")
    calm = 0

    def done():
        nonlocal calm
        s = state(page)
        if s and s["kernel"] == "idle" and not _pending(s):
            calm += 1
        else:
            calm = 0
        return s if calm >= 3 else None

    try:
        return wait_for(done, max(timeout - (time.monotonic() - t0), 1), interval=0.2,
                        message="every cell to finish")
    except TimeoutError:
        s = state(page)
        running = _pending(s) if s else []
        raise TimeoutError(f"cells still waiting or running after {timeout} s: {running}; "
                           f"kernel {s and s['kernel']}") from None


def run_all(page, timeout=RUN_TIMEOUT):
    """Run > Run All Cells, then wait for the kernel to finish every cell."""
    click_menu(page, "Run", "runmenu:run-all", "notebook:run-all-cells")

    def started(s):
        code = [c for c in s["cells"] if c["type"] == "code"]
        return _pending(s) or (code and all(c["count"] is not None for c in code))

    return wait_idle(page, timeout, started)


def problems(s):
    """What went wrong in a run: errors outside ``raises-exception`` cells, cells not run."""
    found = []
    for i, cell in enumerate(s["cells"]):
        if cell["type"] != "code":
            continue
        expected = "raises-exception" in cell["tags"]
        head = cell["source"].strip().splitlines()[0][:80] if cell["source"].strip() else "(empty)"
        for out in cell["outputs"]:
            if out["type"] == "error" and not expected:
                tb = ANSI.sub("", out["traceback"])[-1500:]
                found.append(f"cell {i} ({head!r}) raised {out['ename']}: {out['evalue']}\n{tb}")
            elif out["type"] == "stream" and out.get("name") == "stderr" and "Traceback" in out["text"]:
                found.append(f"cell {i} ({head!r}) printed a traceback:\n{out['text'][-1500:]}")
        if cell["count"] is None and cell["source"].strip():
            found.append(f"cell {i} ({head!r}) was not executed")
    return found


def dom_error_outputs(page):
    """Error outputs shown on the page in cells not tagged raises-exception (a second opinion)."""
    return page.evaluate(r"""() => {
      const bad = [];
      window.__bt.panel().content.widgets.forEach((c, i) => {
        if (c.model.type !== 'code') return;
        if ((c.model.getMetadata('tags') || []).includes('raises-exception')) return;
        for (const el of c.node.querySelectorAll(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')) {
          if (/Traceback|Error:/.test(el.textContent)) bad.push(`cell ${i}: ${el.textContent.slice(0, 300)}`);
        }
      });
      return bad;
    }""")


def widget_outputs_rendered(page):
    """(expected, rendered, broken): widget-view outputs in the models vs. views on the page."""
    return page.evaluate(r"""() => {
      let expected = 0, rendered = 0; const broken = [];
      window.__bt.panel().content.widgets.forEach((c, i) => {
        if (c.model.type !== 'code') return;
        for (const o of c.model.outputs.toJSON()) {
          if (o.data && o.data['application/vnd.jupyter.widget-view+json']) expected += 1;
        }
        for (const el of c.node.querySelectorAll('.jp-OutputArea-output')) {
          if (el.querySelector(':scope > .jupyter-widgets')) rendered += 1;
          if (/Error displaying widget|model not found|Error rendering/i.test(el.textContent))
            broken.push(`cell ${i}: ${el.textContent.slice(0, 200)}`);
        }
      });
      return [expected, rendered, broken];
    }""")


def wait_widgets_rendered(page, timeout=30):
    def ok():
        expected, rendered, broken = widget_outputs_rendered(page)
        return (expected, rendered, broken) if broken or rendered >= expected else None

    try:
        return wait_for(ok, timeout, message="widget views to render")
    except TimeoutError:
        return widget_outputs_rendered(page)


_CHILD = "contains(concat(' ', normalize-space(@class), ' '), ' jp-OutputArea-child ')"


def widget_controls(page):
    """Output children holding a widget with a Play button or a slider, in page order."""
    return page.locator(".jp-Notebook .jp-OutputArea-child:has(.widget-play), "
                        ".jp-Notebook .jp-OutputArea-child:has(.widget-slider)")


def widget_figure(control):
    """The figure a widget draws: the picture output that follows its controls (the base class
    displays it next), else an Output widget or picture inside it.

    The element returned is the output's image renderer, which stays in the page while Play
    replaces the <img> in it frame after frame; a screenshot of it is of the figure alone.
    """
    fig = control.locator(f"xpath=following-sibling::div[{_CHILD}][.//img][1]").first
    if fig.count():
        return fig.locator(".jp-OutputArea-output:has(img)").first
    for inner in (".widget-output", "img", "canvas"):
        found = control.locator(inner).first
        if found.count():
            return found
    return control


def shot(locator):
    locator.scroll_into_view_if_needed()
    return locator.screenshot(animations="disabled")


def drive_widget(control):
    """Press Play, or move the slider to its end when there is no Play."""
    play = control.locator(".widget-play button:has(.fa-play)").first
    if play.count():
        play.click()
        return "Play"
    move_slider(control, "End")
    return "moving the slider"


def move_slider(control, key):
    """Focus the widget's first slider and press ``key`` (End, Home, ArrowRight...)."""
    handle = control.locator(".widget-slider .noUi-handle").first
    handle.click()
    handle.press(key)
    if key == "End":
        for _ in range(3):
            handle.press("ArrowRight")


def pause_widget(control):
    """Press Pause if the widget is still playing (it stops by itself at its last frame)."""
    pause = control.locator(".widget-play button:has(.fa-pause)").first
    if pause.count():
        pause.click()


def wait_picture_change(figure_of, before, timeout=WIDGET_CHANGE_TIMEOUT):
    """Screenshots of ``figure_of()`` until one differs from ``before``; returns it (or None)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.25)
        try:
            after = shot(figure_of())
        except Exception:  # the output is being re-rendered; look again
            continue
        if after != before:
            return after
    return None


def save_page(page, stem, folder):
    """Screenshots of the whole open notebook: the viewport grows to its height (up to a cap),
    and a longer notebook is saved in parts. Returns the files written."""
    scroller = ".jp-NotebookPanel .jp-WindowedPanel-outer"
    page.locator(scroller).first.wait_for(state="attached")
    page.evaluate("() => { const s = window.jupyterapp.shell; if (s.collapseLeft) s.collapseLeft(); }")
    dims = page.evaluate(f"""() => {{
        const el = document.querySelector('{scroller}');
        return [el.scrollHeight, el.clientHeight];
    }}""")
    extra = max(dims[0] - dims[1], 0)
    height = min(VIEWPORT_HEIGHT + extra + 20, MAX_SHOT_HEIGHT)
    page.set_viewport_size({"width": VIEWPORT_WIDTH, "height": height})
    page.wait_for_timeout(600)
    files = []
    try:
        scroll, client = page.evaluate(f"""() => {{
            const el = document.querySelector('{scroller}');
            el.scrollTop = 0; return [el.scrollHeight, el.clientHeight];
        }}""")
        parts = 1 if scroll - client < 40 else -(-scroll // max(client, 1))
        for k in range(parts):
            if k:
                page.evaluate(f"() => {{ document.querySelector('{scroller}').scrollTop = {k * client}; }}")
                page.wait_for_timeout(300)
            name = f"{stem}.png" if parts == 1 else f"{stem}-part{k + 1}.png"
            path = Path(folder) / name
            page.screenshot(path=str(path), animations="disabled", timeout=120_000)
            files.append(path)
    finally:
        page.set_viewport_size({"width": VIEWPORT_WIDTH, "height": VIEWPORT_HEIGHT})
    return files


def cell_index(s, pattern, start=0):
    """Index of the first code cell at or after ``start`` whose source matches ``pattern``."""
    rx = re.compile(pattern)
    for i, cell in enumerate(s["cells"]):
        if i >= start and cell["type"] == "code" and rx.search(cell["source"]):
            return i
    return None


def replace_cell_source(page, index, code):
    """Click into cell ``index``'s editor, select everything and type ``code`` over it.

    The text goes in as one input event (as a paste would), so the editor's
    auto-indent and bracket closing do not add to it.
    """
    editor = page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".cm-content")
    editor.scroll_into_view_if_needed()
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code.rstrip("\n"))
    return page.evaluate(f"() => window.__bt.panel().content.widgets[{index}].model.sharedModel.getSource()")


def run_cell(page, index, timeout=60):
    """Select cell ``index`` and press Shift+Enter; wait for it to finish; return its state."""
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.locator(".cm-content").click()
    before = state(page)["cells"][index]["count"]
    page.keyboard.press("Shift+Enter")

    def finished():
        s = state(page)
        c = s["cells"][index]
        if s["kernel"] == "idle" and "*" not in c["prompt"] and c["count"] is not None and c["count"] != before:
            return s
        return None

    s = wait_for(finished, timeout, interval=0.2, message=f"cell {index} to run")
    return s["cells"][index]


def cell_output_text(page, index):
    """What a learner reads under cell ``index``."""
    return page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-OutputArea").inner_text()
