"""ReverseSweepAnimator: the reverse sweep of ``mlp_lib.autodiff`` over a small graph, edge by edge.

    from mlp_lib.autodiff import Tensor
    from mlp_lib.widgets import ReverseSweepAnimator
    x, y = Tensor(2.0), Tensor(3.0)
    J = (x * y + x) ** 2
    ReverseSweepAnimator(J, names={"x": x, "y": y})

The graph of J is drawn with its inputs on the left and J on the right; each
node shows its value and, once the sweep has reached it, dJ/d(node); each
edge carries the local derivative of the node it feeds (for one-number
nodes). Frame 0 is the forward pass, frame 1 the seed dJ/dJ = 1, then one
frame per edge in the order the sweep uses them: the local rule applied with
its numbers, and the gradient it adds to the input. A node used twice shows
its first contribution, then the sum. The learner's tensors are not changed
(``.grad`` stays as it was): the widget runs its own sweep.

It is a ``FrameWidget``: Play and the slider show ``frame_png(frame)``
(cached per frame), and ``alt_text()`` says in words what the frame shows,
with its numbers: the values, the edge, the rule and the gradient it adds.
"""

import numpy as np

from mlp_lib.autodiff import Tensor, topological_order
from mlp_lib.plots import COLORS, new_figure
from mlp_lib.widgets._base import FrameWidget

MAX_NODES = 14

RULES = {  # op -> the local rule per input: dJ/d(input) from G = dJ/d(output) (y: the output)
    "+": ("G", "G"), "-": ("G", "−G"), "*": ("G × {b}", "G × {a}"), "/": ("G / {b}", "−G × {a} / {b}²"),
    "@": ("G {b}ᵀ", "{a}ᵀ G"), "neg": ("−G",), "exp": ("G × exp({a})",), "log": ("G / {a}",),
    "sigmoid": ("G × {y}(1 − {y})",), "tanh": ("G × (1 − {y}²)",), "relu": ("G × [{a} > 0]",),
    "T": ("Gᵀ",), "reshape": ("G reshaped back",), "sum": ("G copied to every summand",),
    "mean": ("G / count, copied",),
}
SYMBOLS = {"+": "+", "-": "−", "*": "·", "/": "/", "@": "@"}


def _fmt(a):
    a = np.asarray(a, dtype=float)
    if a.size == 1:
        return f"{float(a.reshape(-1)[0]):.4g}"
    if a.size <= 3:
        return "[" + ", ".join(f"{v:.3g}" for v in a.reshape(-1)) + "]"
    return f"{a.shape}, ‖·‖ {np.linalg.norm(a):.3g}"


def _spoken(text):
    """``text`` with the picture's short array notation in words: '(4, 2) array of norm 1.58'."""
    return text.replace(", ‖·‖ ", " array of norm ")


class ReverseSweepAnimator(FrameWidget):
    """The reverse sweep over the graph of a one-number Tensor ``J``, one edge per frame.

    J: a Tensor holding one value, made by ``mlp_lib.autodiff`` operations
    (at most 14 nodes); names: optional {label: Tensor} for the leaves (and
    any node) -- other nodes are called v1, v2, ... in forward order.

    After construction: ``self.order`` (the nodes, inputs first),
    ``self.steps``: one (node, input index k, input, contribution) per edge
    in sweep order, ``self.grads``: {node: dJ/d(node)} at the end.
    """

    frame_label = "frame"
    play_interval = 700
    description = "The reverse sweep over the graph of J, one edge at a time"

    def __init__(self, J, names=None):
        if not isinstance(J, Tensor):
            raise TypeError(f"J must be a mlp_lib.autodiff Tensor, got {type(J).__name__}")
        if J.data.size != 1:
            raise ValueError(f"J must hold one value (the cost), got shape {J.shape}: take .sum() or .mean()")
        self.J = J
        self.order = topological_order(J)
        if len(self.order) > MAX_NODES:
            raise ValueError(f"the graph has {len(self.order)} nodes; the drawing fits at most {MAX_NODES}")
        given = {id(t): label for label, t in (names or {}).items()}
        self.labels, k = {}, 0
        for node in self.order:
            if id(node) not in given:
                k += 1
            self.labels[node] = given.get(id(node), "J" if node is J else f"v{k}")
        self._sweep()
        self.n_frames = 2 + len(self.steps)
        self._place_nodes()
        self._build_figure()
        self.render(0)

    # ---- the numbers -----------------------------------------------------
    def _sweep(self):
        """The sweep of Tensor.backward, recorded edge by edge (no .grad is touched)."""
        grads = {self.J: np.ones_like(self.J.data)}
        self.steps, self.after = [], []   # after[s]: {node: gradient so far} after step s
        for node in reversed(self.order):
            G = grads[node]
            for k, (x, rule) in enumerate(zip(node.inputs, node.rules)):
                g = rule(G)
                grads[x] = grads[x] + g if x in grads else g
                self.steps.append((node, k, x, g))
                self.after.append(dict(grads))
        self.grads = grads

    def _operands(self, node):
        """The labels of the operands in order, "c" for a constant."""
        names = ["c", "c"] if node.op in SYMBOLS else ["c"]
        for slot, x in zip(node.slots, node.inputs):
            names[slot] = self.labels[x]
        return names

    def definition(self, node):
        """'v2 = x · y' for an operation node, the label for a leaf."""
        label = self.labels[node]
        if not node.op:
            return label
        names = self._operands(node)
        if node.op in SYMBOLS:
            return f"{label} = {names[0]} {SYMBOLS[node.op]} {names[1]}"
        if node.op == "neg":
            return f"{label} = −{names[0]}"
        if node.op.startswith("**"):
            return f"{label} = {names[0]}^{node.op[2:]}"
        return f"{label} = {node.op}({names[0]})"

    def local_derivative(self, node, k):
        """d node / d input k as a number for one-number nodes, else None."""
        if node.data.size != 1 or node.inputs[k].data.size != 1:
            return None
        return float(np.asarray(node.rules[k](np.ones_like(node.data))).reshape(-1)[0])

    def rule_words(self, node, k):
        """The local rule of ``node`` for its input k in words, e.g. 'G × y' (G = dJ/d node)."""
        names = self._operands(node)
        if node.op.startswith("**"):
            return f"G × {node.op[2:]} {names[0]}^({node.op[2:]} − 1)"
        words = RULES[node.op][node.slots[k]]
        return words.format(a=names[0], b=names[-1], y=self.labels[node])

    # ---- what the base asks of a widget ----------------------------------
    def live_artists(self):
        """None: the whole figure is drawn every frame.

        Every artist changes from frame to frame (node texts and colours,
        arrow colours, title, caption) except the edge labels, and those lie
        over arrows that do change, so a frozen background would hold little
        more than the white page and would not make a frame faster.
        """
        return None

    def alt_text(self):
        """What the current frame shows, in words with its numbers (the edge, its rule, the gradient)."""
        title, caption = self.words(self.frame)
        head = f"{self.description}. {title}."   # the title names the step: no frame count to misread
        caption = "; ".join(line.strip() for line in caption.splitlines()).rstrip(".") + "."
        if self.frame == 0:
            nodes = ", ".join(f"{self.definition(n)} = {_fmt(n.data)}" for n in self.order)
            edges = ", ".join(text.get_text() if self.local_derivative(node, k) is not None else
                              f"{self.labels[node.inputs[k]]} → {self.labels[node]}: {text.get_text()}"
                              for (node, k), text in self.edge_text.items())
            return _spoken(f"{head} Nodes: {nodes}. Edges: {edges}. {caption}")
        known = self.known(self.frame)
        grads = ", ".join(f"∂J/∂{self.labels[n]} = {_fmt(known[n])}"
                          for n in reversed(self.order) if n in known)
        return _spoken(f"{head} {caption} Gradients known: {grads}.")

    # ---- drawing ---------------------------------------------------------
    def _place_nodes(self):
        level = {}
        for node in self.order:
            level[node] = 1 + max((level[x] for x in node.inputs), default=-1)
        columns = {}
        for node in self.order:
            columns.setdefault(level[node], []).append(node)
        self.pos = {}
        for lv, nodes in columns.items():
            for i, node in enumerate(nodes):
                self.pos[node] = (float(lv), (len(nodes) - 1) / 2.0 - i)
        self.n_levels = max(level.values()) + 1
        self.height = max(len(c) for c in columns.values())

    def _build_figure(self):
        wide = any(node.data.size > 1 for node in self.order)   # array nodes need wider boxes
        width = max(6.5, (3.0 if wide else 2.3) * self.n_levels + 1.0)
        self.fig = new_figure(figsize=(width, 1.5 + 1.1 * self.height), layout=None)
        ax = self.ax = self.fig.add_axes((0.0, 0.17, 1.0, 0.66))
        ax.set_axis_off()
        ax.set_xlim(-0.6, self.n_levels - 0.4)
        half = max(self.height / 2.0, 1.0)
        ax.set_ylim(-half, half)
        self.edge_art, self.edge_text = {}, {}
        for node in self.order:
            for k, x in enumerate(node.inputs):
                (x0, y0), (x1, y1) = self.pos[x], self.pos[node]
                skip = x1 - x0 > 1 or (x0, y0) == (x1, y1)
                bend = 0.35 if k == 0 else -0.35
                if not skip and node.inputs.count(x) > 1:
                    bend = 0.25 * (1 if k == 0 else -1)
                elif not skip:
                    bend = 0.0
                arrow = ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                                    arrowprops=dict(arrowstyle="-|>", color=COLORS["black"], lw=1.2,
                                                    shrinkA=34, shrinkB=34,
                                                    connectionstyle=f"arc3,rad={bend}"))
                self.edge_art[(node, k)] = arrow
                d = self.local_derivative(node, k)
                text = f"∂{self.labels[node]}/∂{self.labels[x]} = {d:.3g}" if d is not None else \
                    self.rule_words(node, k)
                self.edge_text[(node, k)] = ax.text(*self._label_point(x0, y0, x1, y1, bend), text,
                                                    ha="center", va="center", fontsize=8,
                                                    color=COLORS["blue"],
                                                    backgroundcolor="white" if bend else "none")
        self.node_text = {}
        for node in self.order:
            self.node_text[node] = ax.text(*self.pos[node], "", ha="center", va="center", fontsize=9,
                                           bbox=dict(boxstyle="round,pad=0.45", fc="white",
                                                     ec=COLORS["black"], lw=1.0))
        self.title = self.fig.text(0.5, 0.97, "", ha="center", va="top", fontsize=10, weight="bold")
        self.key = self.fig.text(0.5, 0.89, "yellow: the node whose rule is applied   orange: the input it"
                                 " feeds   blue: gradient known", ha="center", va="top", fontsize=8,
                                 color="0.35")
        self.caption = self.fig.text(0.02, 0.03, "", ha="left", va="bottom", fontsize=9,
                                     family="monospace")

    def _label_point(self, x0, y0, x1, y1, bend):
        """The middle of an arc3 edge (a quadratic curve, bent in screen space), in data coordinates."""
        to_screen = self.ax.transData
        (p0, p1) = to_screen.transform([(x0, y0), (x1, y1)])
        mid = (p0 + p1) / 2
        control = mid + bend * np.array([p1[1] - p0[1], -(p1[0] - p0[0])])
        apex = (mid + control) / 2
        xm, ym = to_screen.inverted().transform(apex)
        return xm, ym + (0.0 if bend else 0.15)

    def known(self, frame):
        """{node: dJ/d(node)} as far as the sweep has come at ``frame`` (nothing before the seed)."""
        if frame >= 2:
            return self.after[frame - 2]
        return {self.J: np.ones_like(self.J.data)} if frame == 1 else {}

    def words(self, frame):
        """The title and the caption of ``frame``: what happens in it, with its numbers."""
        if frame == 0:
            return ("Forward pass: every node's value; the local derivatives on the edges",
                    f"J = {_fmt(self.J.data)}. The sweep will visit the nodes in reverse order:"
                    f" {', '.join(self.labels[n] for n in reversed(self.order))}.")
        if frame == 1:
            return ("The seed: ∂J/∂J = 1",
                    "Every gradient in the graph is this 1, multiplied along paths by local derivatives.")
        s = frame - 2
        node, k, x, g = self.steps[s]
        name, xn = self.labels[node], self.labels[x]
        G = self.after[s].get(node)
        uses = sum(1 for st in self.steps if st[2] is x)
        seen = sum(1 for st in self.steps[:s + 1] if st[2] is x)
        d = self.local_derivative(node, k)
        product = f" = {_fmt(G)} × {d:.4g}" if d is not None and G is not None else ""
        total = (f"\n{xn} is used {uses} times: this is contribution {seen} of {uses},"
                 f" ∂J/∂{xn} so far = {_fmt(self.after[s][x])}") if uses > 1 else ""
        rule = self.rule_words(node, k).replace("G", f"∂J/∂{name}")
        return (f"Sweep step {s + 1} of {len(self.steps)}: edge {xn} → {name}",
                f"rule of {node.op!r}: ∂J/∂{xn} += {rule}{product} = {_fmt(g)}{total}")

    def render(self, frame):
        """Frame 0: forward values; 1: the seed; 2 + s: edge s of the sweep applied."""
        frame = self._check_frame(frame)
        s = frame - 2
        known = self.known(frame)
        current = self.steps[s] if s >= 0 else None
        done = {st[0] for st in self.steps[:max(s, 0)]}
        for node, text in self.node_text.items():
            grad = "∂J/∂" + self.labels[node] + (f" = {_fmt(known[node])}" if node in known else " = ?")
            text.set_text(f"{self.definition(node)}\nvalue {_fmt(node.data)}\n{grad}")
            colour = "white"
            if node in known:
                colour = "#dcecf7"
            if current is not None and node is current[2]:
                colour = "#fbe3c4"
            elif current is not None and node is current[0]:
                colour = "#fff6c4"
            text.get_bbox_patch().set_facecolor(colour)
        for (node, k), arrow in self.edge_art.items():
            on = current is not None and node is current[0] and k == current[1]
            used = node in done or (current is not None and node is current[0] and k < current[1])
            colour = COLORS["vermillion"] if on else COLORS["blue"] if used else COLORS["black"]
            arrow.arrow_patch.set_color(colour)
            arrow.arrow_patch.set_linewidth(2.6 if on else 1.2)
        self.key.set_visible(frame > 0)
        title, caption = self.words(frame)
        self.title.set_text(title)
        self.caption.set_text(caption)
