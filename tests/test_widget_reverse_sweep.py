"""ReverseSweepAnimator: its numbers are Tensor.backward's, every frame renders on one figure, bad input."""

import io

import numpy as np
import pytest

from mlp_lib.autodiff import Tensor
from mlp_lib.widgets import ReverseSweepAnimator


def chapter_graph():
    x, y = Tensor(2.0), Tensor(3.0)
    return x, y, (x * y + x) ** 2


def test_final_gradients_are_backward_and_the_learners_tensors_are_untouched():
    x, y, J = chapter_graph()
    w = ReverseSweepAnimator(J, names={"x": x, "y": y})
    assert x.grad is None and y.grad is None and J.grad is None
    J.backward()
    for node in w.order:
        assert np.allclose(w.grads[node], node.grad)
    assert w.grads[x] == 64.0 and w.grads[y] == 32.0
    assert w.n_frames == 2 + 5                 # forward, seed, one frame per edge


def test_steps_run_in_reverse_order_and_a_node_used_twice_adds_up():
    x, y, J = chapter_graph()
    w = ReverseSweepAnimator(J, names={"x": x, "y": y})
    pos = {node: k for k, node in enumerate(w.order)}
    nodes = [step[0] for step in w.steps]
    assert all(pos[a] >= pos[b] for a, b in zip(nodes, nodes[1:]))   # from J down
    into_x = [step[3] for step in w.steps if step[2] is x]
    assert len(into_x) == 2 and np.isclose(sum(into_x), 64.0)        # 16 * 1 + 16 * 3
    captions = []
    for f in range(w.n_frames):
        w.render(f)
        captions.append(w.caption.get_text())
    first = next(f for f, c in enumerate(captions) if "contribution 1 of 2, ∂J/∂x so far = 16" in c)
    assert "contribution 2 of 2, ∂J/∂x so far = 64" in captions[first + 1]


def test_captions_show_the_rule_with_its_numbers():
    x, y, J = chapter_graph()
    w = ReverseSweepAnimator(J, names={"x": x, "y": y})
    texts = []
    for f in range(w.n_frames):
        w.render(f)
        texts.append(w.caption.get_text())
    assert "J = 64" in texts[0]
    w.render(1)
    assert w.title.get_text() == "The seed: ∂J/∂J = 1"
    assert any("∂J/∂x += ∂J/∂v1 × y = 16 × 3 = 48" in t for t in texts), texts
    assert any("∂J/∂x so far = 64" in t for t in texts), texts
    w.render(w.n_frames - 1)
    labels = {w.node_text[n].get_text().splitlines()[-1] for n in w.order}
    assert {"∂J/∂x = 64", "∂J/∂y = 32", "∂J/∂J = 1"} <= labels


def test_render_every_frame_reuses_the_figure():
    x, y, J = chapter_graph()
    w = ReverseSweepAnimator(J, names={"x": x, "y": y})
    fig, n_artists = w.fig, len(w.ax.get_children())
    pictures = set()
    for f in range(w.n_frames):
        w.render(f)
        buf = io.BytesIO()
        w.fig.savefig(buf, format="png")
        pictures.add(buf.getvalue())
    assert w.fig is fig and len(w.ax.get_children()) == n_artists
    assert len(pictures) == w.n_frames
    with pytest.raises(ValueError, match="frame must be in"):
        w.render(w.n_frames)


def test_vector_graph_with_broadcasting_and_matmul():
    rng = np.random.default_rng(0)
    X, W, b = rng.normal(size=(4, 3)), Tensor(rng.normal(size=(3, 2))), Tensor(np.zeros(2))
    J = (X @ W + b).sigmoid().mean()
    w = ReverseSweepAnimator(J, names={"W": W, "b": b})
    J.backward()
    assert np.allclose(w.grads[W], W.grad) and np.allclose(w.grads[b], b.grad)
    for f in range(w.n_frames):
        w.render(f)
    v1 = next(n for n in w.order if n.op == "@")
    assert v1.slots == (1,) and w.definition(v1) == "v1 = c @ W"     # the constant X sits on the left
    assert w.rule_words(v1, 0) == "cᵀ G"                               # dJ/dW = X^T G
    w.render(w.n_frames - 1)
    assert w.caption.get_text().startswith("rule of '@': ∂J/∂W += cᵀ ∂J/∂v1")


def test_bad_arguments():
    with pytest.raises(TypeError, match="Tensor"):
        ReverseSweepAnimator(3.0)
    with pytest.raises(ValueError, match="one value"):
        ReverseSweepAnimator(Tensor(np.ones(3)) * 2)
    x = Tensor(1.0)
    y = x
    for _ in range(20):
        y = y * 2.0
    with pytest.raises(ValueError, match="at most 14"):
        ReverseSweepAnimator(y)


def test_alt_text_says_the_edge_the_rule_and_the_gradient_with_numbers():
    x, y, J = chapter_graph()
    w = ReverseSweepAnimator(J, names={"x": x, "y": y})
    w.frame_png(0)
    first = w.alt_text()
    assert first.startswith(w.description + ". Forward pass")
    assert "v1 = x · y = 6" in first and "J = v2^2 = 64" in first and "∂J/∂v2 = 16" in first
    step = next(f for f in range(2, w.n_frames) if w.steps[f - 2][2] is x and w.steps[f - 2][0].op == "*")
    w.frame_png(step)
    text = w.alt_text()
    assert "edge x → v1" in text and "∂J/∂x += ∂J/∂v1 × y = 16 × 3 = 48" in text, text
    assert "contribution 2 of 2, ∂J/∂x so far = 64" in text and "∂J/∂v2 = 16" in text
    assert "\n" not in text


def test_alt_text_of_an_array_graph_names_its_edges_and_speaks_its_norms():
    rng = np.random.default_rng(0)
    W = Tensor(rng.normal(size=(3, 2)))
    J = (rng.normal(size=(4, 3)) @ W).sigmoid().mean()
    w = ReverseSweepAnimator(J, names={"W": W})
    w.frame_png(0)
    assert "W → v1: cᵀ G" in w.alt_text() and "‖" not in w.alt_text()
    w.frame_png(w.n_frames - 1)
    assert f"∂J/∂W = (3, 2) array of norm {np.linalg.norm(w.grads[W]):.3g}" in w.alt_text()


def test_frame_png_is_cached_and_shown_with_its_alt_text():
    x, y, J = chapter_graph()
    w = ReverseSweepAnimator(J, names={"x": x, "y": y})
    first = w.frame_png(3)
    assert first.startswith(b"\x89PNG") and w.frame_png(3) is first
    assert w.frame_png(4) != first
    shown = []

    class Handle:
        def update(self, picture):
            shown.append(picture)

    w._handle = Handle()
    w._on_slider({"old": 4, "new": 5})
    assert shown[0].data == w.frame_png(5) and shown[0].alt == w.alt_text()
    assert "Sweep step 4 of 5" in shown[0].alt and w.frame == 5
