"""`make site`: the static HTML pages show the chapters' figures in a real browser.

mlp_lib.site builds the first chapter and the first chapter with a course
widget into a scratch folder; headless Chromium opens the index from disk,
follows its links, and every figure must be a PNG the browser decoded. Requests
that leave the disk (the math renderer nbconvert links to) are refused, as on a
machine without network: the figures must not depend on them.
"""

import pytest

from mlp_lib import site
from tests.browser import lab

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    chapters = site.chapter_paths()
    widget_chapter = lab.first_chapter_with_widget(site.ROOT)
    chosen = [chapters[0]] + [p for p in chapters if p.name == widget_chapter and p != chapters[0]]
    out = tmp_path_factory.mktemp("site")
    entries = site.build(out, chosen)
    return out, entries, widget_chapter


@pytest.fixture
def offline_page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
                  else route.abort())
    pg = context.new_page()
    yield pg
    context.close()


def figures(page):
    """[(src prefix, decoded width)] of every <img> in the page."""
    return page.evaluate("""() => Array.from(document.images).map(
        img => [img.src.slice(0, 22), img.complete ? img.naturalWidth : 0])""")


def test_the_index_lists_the_chapters_in_order_and_links_to_them(built_site, offline_page, artifacts):
    out, entries, _ = built_site
    page = offline_page
    page.goto((out / "index.html").as_uri())
    links = page.locator("ol.chapters a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [n for n, _ in entries]
    assert [n for n, _ in entries] == sorted(n for n, _ in entries)
    page.screenshot(path=str(artifacts / "site-index.png"))
    links.first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith(entries[0][0])
    assert page.locator(".jp-Cell").count() > 3


def test_a_widget_chapter_shows_its_figures_and_its_first_frame(built_site, offline_page, artifacts):
    out, entries, widget_chapter = built_site
    if widget_chapter is None:
        pytest.skip("no chapter builds a course widget")
    page = offline_page
    page.goto((out / widget_chapter.replace(".ipynb", ".html")).as_uri())
    page.wait_for_load_state("load")
    shown = figures(page)
    assert shown, "no <img> in the page"
    assert all(src.startswith("data:image/png;base64") for src, _ in shown), shown
    assert all(width > 100 for _, width in shown), f"figures not decoded: {shown}"
    notes = page.locator(".mlp-static-note")
    assert notes.count() >= 1, "the widget's controls were not replaced by the static note"
    # The note stands right above the widget's first frame: a figure follows it in the page.
    follows = page.evaluate("""() => {
        const note = document.querySelector('.mlp-static-note');
        return Array.from(document.images).some(
            img => note.compareDocumentPosition(img) & Node.DOCUMENT_POSITION_FOLLOWING);
    }""")
    assert follows
    assert "VBox(children" not in page.content()
    page.screenshot(path=str(artifacts / f"site-{widget_chapter.replace('.ipynb', '')}.png"), full_page=False)
