"""Show a chapter's matplotlib figure with a short alt text.

    fig, ax = plt.subplots()
    ax.plot(...)
    show_figure(fig, "the cost J falls from 4 to 0.25 in 50 steps")

The figure is displayed as one output with three representations of the
same PNG, each carrying the alt text:

- ``text/html``: ``<img src="data:image/png;base64,..." alt="...">``. JupyterLab
  and Notebook 7 render it for outputs of the running session (trusted
  outputs prefer HTML), and nbconvert's ``lab`` and ``classic`` HTML
  templates copy it as it is, so a rendered site has the alt attribute too.
- ``image/png`` with the output metadata ``{"image/png": {"alt": ...}}``,
  which nbconvert's ``classic`` template reads; JupyterLab falls back to this
  plain picture for an untrusted notebook, where it does not render HTML.
- ``text/plain``: the alt text itself, for a front end that shows text only.

The figure is then closed, so the inline backend does not show it again.

Imports matplotlib and IPython on first use only (``import mlp_lib`` stays fast).
"""

import base64
import html
import io

__all__ = ["show_figure", "figure_bundle"]


def figure_bundle(fig, alt):
    """The display bundle of fig: (data, metadata) with the PNG and its alt text.

    fig: a matplotlib Figure; alt: a short, non-empty description of what the
    figure shows. Returns ({"image/png": base64 str, "text/plain": alt},
    {"image/png": {"alt": alt}}).
    """
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"alt must be a non-empty string saying what the figure shows, got {alt!r}")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", facecolor="white")
    png = base64.b64encode(buffer.getvalue()).decode("ascii")
    alt = " ".join(alt.split())
    tag = f'<img src="data:image/png;base64,{png}" alt="{html.escape(alt, quote=True)}"/>'
    return {"text/html": tag, "image/png": png, "text/plain": alt}, {"image/png": {"alt": alt}}


def show_figure(fig=None, alt=None):
    """Display fig (default: pyplot's current figure) with the alt text alt, then close it.

    Call it where a chapter would call plt.show(). Returns None.
    """
    import matplotlib.pyplot as plt
    from IPython.display import display

    if fig is None:
        fig = plt.gcf()
    data, metadata = figure_bundle(fig, alt)
    display(data, raw=True, metadata=metadata)
    plt.close(fig)
