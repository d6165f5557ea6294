"""Render the course to static HTML for reading without installing: ``make site``.

    python -m mlp_lib.site site          # site/index.html and one page per chapter

Every ``chapters/*.ipynb`` (in file-name order, so chapters added later join
in their place) is executed in a fresh kernel, two at a time, and rendered
with nbconvert. Figures are embedded as PNG. A course widget leaves its
picture as an ordinary output (see ``mlp_lib.widgets._base``), so the page
shows the frame it opens with (the first step; the last epoch for a training
dashboard's replay); its Play button and sliders cannot work without a kernel,
so they are replaced by a note saying so. The index lists the
chapters in course order with their titles.
"""

import argparse
import html
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = (
    '<p class="mlp-static-note"><em>Interactive controls (Play, sliders) appear when you run'
    " this notebook in Jupyter; below is the picture the widget opens with.</em></p>"
)


def chapter_paths(root=ROOT):
    """chapters/*.ipynb under ``root``, in file-name (= course) order."""
    return sorted((Path(root) / "chapters").glob("*.ipynb"))


def title_of(nb, fallback):
    """The text of the notebook's first markdown heading, or ``fallback``."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if line.startswith("#"):
                return line.lstrip("#").strip()
    return fallback


def make_static(nb):
    """Replace widget views (which need a kernel) with a note; everything else stays. Returns nb."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_MIME in data:
                output["data"] = {"text/html": WIDGET_NOTE, "text/plain": "(interactive controls)"}
    nb.metadata.pop("widgets", None)
    return nb


def render_chapter(path, out_dir, timeout=120):
    """Execute one chapter and write ``out_dir/<name>.html``; returns (file name, title, seconds)."""
    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    start = time.perf_counter()
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    make_static(nb)
    title = title_of(nb, path.stem)
    exporter = HTMLExporter(template_name="lab")
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    name = path.stem + ".html"
    (Path(out_dir) / name).write_text(body, encoding="utf-8")
    return name, title, time.perf_counter() - start


def index_html(entries):
    """The index page: ``entries`` is [(file name, title)] in course order."""
    items = "\n".join(
        f'  <li><a href="{html.escape(name)}">{html.escape(title)}</a></li>' for name, title in entries
    )
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<title>Backpropagation from Scratch</title>\n"
        "<style>body{font-family:sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5}"
        "</style>\n</head>\n<body>\n<h1>Backpropagation from Scratch</h1>\n"
        "<p>The chapters, executed, with their figures. Widgets show their first frame; to play them,"
        " and to do the exercises, run the course in Jupyter (see the README).</p>\n"
        f"<ol class=\"chapters\">\n{items}\n</ol>\n</body>\n</html>\n"
    )


def build(out_dir, chapters=None, jobs=2, timeout=120):
    """Render ``chapters`` (default: every chapter) into ``out_dir`` with an index; returns the entries."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    chapters = list(chapters) if chapters is not None else chapter_paths()
    with ProcessPoolExecutor(max_workers=max(1, int(jobs))) as pool:
        done = list(pool.map(render_chapter, chapters, [out_dir] * len(chapters), [timeout] * len(chapters)))
    for name, _, seconds in done:
        print(f"{name}: {seconds:.1f} s")
    entries = [(name, title) for name, title, _ in done]
    (out_dir / "index.html").write_text(index_html(entries), encoding="utf-8")
    return entries


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="site", help="output folder (default: site)")
    parser.add_argument("--jobs", type=int, default=2, help="chapters executed at a time (default: 2)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    entries = build(args.out, jobs=args.jobs)
    print(f"{len(entries)} chapters rendered into {args.out}/ in {time.perf_counter() - start:.0f} s;"
          f" open {Path(args.out) / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
