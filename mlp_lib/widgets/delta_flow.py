"""DeltaFlowAnimator: one step of backpropagation, frame by frame, with real numbers.

    from mlp_lib.widgets import DeltaFlowAnimator
    DeltaFlowAnimator(net, X, T)      # net: a small mlp_lib.MLP; X: (m, n_in); T: (m, n_out)

The network is drawn as nodes (units) and edges (weights). Play walks through

1. the input: the features of one sample are the outputs y of layer 0;
2. the forward pass, layer by layer: a_j = sum_i y_i w_ij + b_j, y_j = f(a_j),
   nodes coloured by y;
3. the output error: delta_j = dJ/da_j of the output units;
4. delta flowing backward, layer by layer: delta_j = f'(a_j) sum_k w_jk delta_k,
   nodes coloured by delta;
5. the gradients dJ/dw_ij = sum over samples of y_i delta_j, on the edges
   (width and colour), layer by layer from the top;
6. the update w_ij <- w_ij - η dJ/dw_ij (η the learning rate, ``lr``), layer
   by layer.

Each frame prints the equation being applied with the numbers of one
highlighted unit (ringed in black) for one sample; the ``unit`` and
``sample`` controls choose them. Layers are l = 0 (input) .. L (output), and
every quantity on screen carries its layer: δ⁽²⁾₁ is δ of unit 1 of layer 2.
The screen counts units and samples from 1, as the equations do, and prints
the 0-based index the code uses next to it ("unit 1 ... in code unit=0").
Node and edge colours use one scale across all layers, written on the figure.

The numbers come from the network's own ``forward`` and ``backward`` on a
copy of the network (the learner's network is never changed); the tests
check each frame's arithmetic against them.
"""

import numpy as np

from mlp_lib._checks import check_positive_float
from mlp_lib.losses import FUSED_PAIRS
from mlp_lib.network import MLP
from mlp_lib.plots import DIVERGING_CMAP, new_figure
from mlp_lib.widgets._base import FrameWidget

MAX_LAYERS = 6
"""Most layers (input included) the animator draws."""
MAX_UNITS = 8
"""Most units in one layer the animator draws."""

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_GREY = np.array([0.86, 0.86, 0.86, 1.0])
_EDGE_GREY = np.array([0.75, 0.75, 0.75, 0.6])


def _sub(n):
    """Unit number n (1-based) as a subscript: 12 -> '₁₂'."""
    return str(n).translate(_SUB)


def _sup(n):
    """Layer number n as a superscript: 2 -> '²'."""
    return str(n).translate(_SUP)


def _sym(symbol, l, unit):
    """A quantity of unit ``unit`` in layer l as the screen writes it: _sym("δ", 2, 1) -> 'δ⁽²⁾₁'.

    unit: a unit number counted from 1 (written as a subscript) or a ready-made subscript ('ᵢ').
    """
    index = _sub(unit) if isinstance(unit, (int, np.integer)) else unit
    return f"{symbol}⁽{_sup(l)}⁾{index}"


def _num(v):
    """A number as the equations print it: 3 significant digits, unicode minus."""
    v = float(v)
    if v == 0.0:
        return "0"
    text = f"{v:.3g}" if 1e-3 <= abs(v) < 1e4 else f"{v:.2e}"
    return text.replace("-", "−")


def _factor(v):
    """A number as a factor in a product: negative ones in parentheses."""
    text = _num(v)
    return f"({text})" if v < 0 else text


def _wrap(terms, sep, per_line, indent, width=100):
    """Join terms with sep, starting a new line (with indent) every per_line terms
    or before a line would grow longer than width characters."""
    lines, line, count = [], "", 0
    for term in terms:
        if line and (count == per_line or len(line) + len(sep) + len(term) > width):
            lines.append(line)
            line, count = "", 0
        line = term if not line else line + sep + term
        count += 1
    lines.append(line)
    return (sep.rstrip() + "\n" + indent).join(lines)


class DeltaFlowAnimator(FrameWidget):
    """Backpropagation on a small MLP, drawn and explained frame by frame.

    net: an ``mlp_lib.MLP`` with at most 6 layers (input included) of at most
    8 units; X: (m, n_in) a small batch; T: (m, n_out) targets (or (m,) for
    one output); lr: the learning rate η of the update frames; unit, sample:
    the highlighted unit and the sample whose numbers are shown, counted
    from 0 in code (unit=0 is the unit the screen calls unit 1; the screen
    prints both).

    Attributes after construction:
    ``record``: dict of lists indexed by layer l = 0 (input) .. L (output):
    "Y" (m, n_l) outputs (Y[0] = X), "A" pre-activations, "delta" dJ/dA,
    "W" (n_{l-1}, n_l) the weights into layer l, "b", "dW", "db", "W_new",
    "b_new" (None where a layer has none);
    ``frames``: one (kind, l) per frame, kind in "input", "forward", "error",
    "delta", "gradient", "update";
    after ``render(frame)``: ``equation_text`` (the panel's text) and
    ``highlight`` (the numbers behind it, see ``equation``).
    """

    frame_label = "frame"
    play_interval = 1500
    description = "A small network drawn as nodes and edges, coloured by one step of backpropagation"

    def __init__(self, net, X, T, lr=0.5, unit=0, sample=0):
        if not isinstance(net, MLP):
            raise TypeError(f"net must be an mlp_lib.MLP, got {type(net).__name__}")
        sizes = list(net.sizes)
        if len(sizes) > MAX_LAYERS or max(sizes) > MAX_UNITS:
            raise ValueError(
                f"net is too large to draw: sizes {sizes}; the animator draws at most {MAX_LAYERS}"
                f" layers (input included) of at most {MAX_UNITS} units, like [2, 3, 3, 1]"
            )
        X = net._check_X(X)
        T = net._check_T(T, X.shape[0])
        lr = check_positive_float(lr, "lr")
        self.net = net.copy()  # the learner's network is never touched
        self.X, self.T, self.lr = X, T, lr
        self.sizes = sizes
        self.L = len(sizes) - 1
        self.m = X.shape[0]
        self.unit = self._check_index(unit, "unit", max(sizes))
        self.sample = self._check_index(sample, "sample", self.m)
        self.record = self._compute()
        self.frames = self._plan_frames()
        self.n_frames = len(self.frames)
        self.equation_text = ""
        self.highlight = None
        self._build_figure()
        self.render(0)

    @staticmethod
    def _check_index(value, name, n):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
        if not 0 <= value < n:
            raise ValueError(f"{name} must be in 0..{n - 1}, got {value}")
        return int(value)

    # ---- the numbers -----------------------------------------------------
    def _compute(self):
        """Forward, backward and the update by the network's own public forward and backward."""
        net = self.net
        net.forward(self.X)
        grads = net.backward(self.T)
        layers = net.layers
        record = {
            "Y": [self.X] + [layer.Y for layer in layers],
            "A": [None] + [layer.A for layer in layers],
            "delta": [None] + [layer.delta for layer in layers],
            "W": [None] + [layer.W for layer in layers],
            "b": [None] + [layer.b for layer in layers],
            "dW": [None] + [dW for dW, _ in grads],
            "db": [None] + [db for _, db in grads],
        }
        record["W_new"] = [None] + [W - self.lr * dW for W, dW in zip(record["W"][1:], record["dW"][1:])]
        record["b_new"] = [None] + [b - self.lr * db for b, db in zip(record["b"][1:], record["db"][1:])]
        return record

    def _output_kind(self):
        if (self.net.output_activation, self.net.loss_name) in FUSED_PAIRS:
            return "fused"
        if self.net.output_activation == "softmax":
            return "softmax"
        return "chain"

    def _plan_frames(self):
        L = self.L
        frames = [("input", 0)]
        frames += [("forward", l) for l in range(1, L + 1)]
        frames.append(("error", L))
        frames += [("delta", l) for l in range(L - 1, 0, -1)]
        frames += [("gradient", l) for l in range(L, 0, -1)]
        frames += [("update", l) for l in range(L, 0, -1)]
        return frames

    def layer_name(self, l):
        """'input layer', 'hidden layer 1', ..., 'output layer' for l = 0 .. L."""
        if l == 0:
            return "input layer"
        if l == self.L:
            return "output layer"
        return f"hidden layer {l}"

    def _the(self, l):
        """'the input', 'hidden layer 2', 'the output layer': a layer inside a sentence."""
        if l == 0:
            return "the input"
        return self.layer_name(l) if 0 < l < self.L else "the output layer"

    def _activation_name(self, l):
        return self.net.layers[l - 1].activation.name

    def _f_prime_text(self, l, y, J):
        """f'(a_J) of layer l written from the output y_J, with numbers: (text, value)."""
        name = self._activation_name(l)
        yJ = _sym("y", l, J)
        if name == "sigmoid":
            value = y * (1.0 - y)
            return f"{yJ}(1 − {yJ}) = {_factor(y)} × {_factor(1.0 - y)} = {_num(value)}", value
        if name == "tanh":
            value = 1.0 - y * y
            return f"1 − {yJ}² = 1 − {_factor(y)}² = {_num(value)}", value
        if name == "relu":
            value = float(y > 0)
            return f"(1 if {yJ} > 0, else 0) = {_num(value)}", value
        return "1  (identity)", 1.0

    def equation(self, frame, unit=None, sample=None):
        """The equation panel of ``frame`` for one unit and sample: (text, info).

        unit, sample: counted from 0, default the animator's current ones;
        unit is clipped to the frame's layer. info holds "kind", "layer" l,
        "unit" j and "sample" s (both from 0) and "value": the number the
        equation ends with -- y_j (input, forward), delta_j (error, delta),
        the column dJ/dW[:, j] over the batch (gradient) or the new column
        W[:, j] (update) -- plus the intermediate numbers it prints.
        """
        kind, l = self.frames[frame]
        unit = self.unit if unit is None else unit
        s = self.sample if sample is None else sample
        j = min(unit, self.sizes[l] - 1)
        info = {"kind": kind, "layer": l, "unit": j, "sample": s}
        where = (f"{self.layer_name(l)}, unit {j + 1}, sample {s + 1} of {self.m}"
                 f"; in code unit={j}, sample={s}")
        text = _EQUATIONS[kind](self, l, j, s, info)
        return text.replace("{where}", where, 1), info

    # ---- drawing ---------------------------------------------------------
    def _build_figure(self):
        from matplotlib import colormaps
        from matplotlib.collections import LineCollection

        self._cmap = colormaps[DIVERGING_CMAP]
        sizes, L = self.sizes, self.L
        self.fig = new_figure(figsize=(9.0, 5.8), layout=None)
        self.ax = self.fig.add_axes([0.01, 0.25, 0.98, 0.73])
        self.ax_eq = self.fig.add_axes([0.01, 0.0, 0.98, 0.24])
        ax = self.ax
        ax.set_axis_off()
        self.ax_eq.set_axis_off()
        self.ax_eq.add_patch(self._panel_patch(self.ax_eq))

        # node positions: layer l at x = l, its units from top to bottom
        self._nodes = [(l, i) for l, n in enumerate(sizes) for i in range(n)]
        self._pos = np.array([(l, (sizes[l] - 1) / 2.0 - i) for l, i in self._nodes])
        self._node_index = {node: idx for idx, node in enumerate(self._nodes)}
        # edges: w_ij from unit i of layer l-1 to unit j of layer l
        self._edges = [(l, i, j) for l in range(1, L + 1)
                       for i in range(sizes[l - 1]) for j in range(sizes[l])]
        segments = [[self._pos[self._node_index[(l - 1, i)]], self._pos[self._node_index[(l, j)]]]
                    for l, i, j in self._edges]
        self._edge_l, self._edge_i, self._edge_j = (np.array(column) for column in zip(*self._edges))
        self._edge_lines = LineCollection(segments, colors=[_EDGE_GREY], linewidths=1.0, zorder=1)
        ax.add_collection(self._edge_lines)
        half = max(sizes) / 2.0
        bottom = -half - 0.05
        top = bottom + (half + 0.05 - bottom) / 0.80  # nodes fill the lower 80 %
        ax.set_xlim(-0.5, L + 0.5)
        ax.set_ylim(bottom, top)
        # node diameter about half the spacing between units, at most 30 pt
        points_per_unit = 0.73 * 5.8 * 72 / (top - bottom)
        diameter = min(30.0, 0.5 * points_per_unit)
        self._scatter = ax.scatter(self._pos[:, 0], self._pos[:, 1], s=diameter ** 2, c=[_GREY],
                                   edgecolors="0.4", linewidths=1.0, zorder=3)
        label_size = 8 if max(sizes) <= 6 else 7
        self._labels = [
            ax.text(x, y - 0.5 * diameter / points_per_unit - 0.03, "", ha="center", va="top",
                    fontsize=label_size, zorder=4)
            for x, y in self._pos
        ]
        names = ax.get_xaxis_transform()  # x in data, y in axes coordinates
        for l in range(len(sizes)):
            name = f"{self.layer_name(l).replace(' layer', '')} (l = {l})"
            if 0 < l:
                name += f"\n{self._activation_name(l)}"
            ax.text(l, 0.9, name, transform=names, ha="center", va="top", fontsize=9, color="0.25")
        self._title = ax.text(0.0, 1.0, "", transform=ax.transAxes, ha="left", va="top",
                              fontsize=11, fontweight="bold")
        self._legend = ax.text(0.0, 0.955, "", transform=ax.transAxes, ha="left", va="top",
                               fontsize=8, color="0.3")
        self._eq = self.ax_eq.text(0.015, 0.9, "", transform=self.ax_eq.transAxes, ha="left",
                                   va="top", fontsize=10, linespacing=1.45)

    @staticmethod
    def _panel_patch(ax):
        from matplotlib.patches import FancyBboxPatch

        return FancyBboxPatch((0.005, 0.03), 0.99, 0.94, boxstyle="round,pad=0.0,rounding_size=0.02",
                              transform=ax.transAxes, facecolor="#F4F4F4", edgecolor="0.8")

    def live_artists(self):
        return [self._scatter, self._edge_lines, *self._labels, self._title, self._legend, self._eq]

    def frame_state(self):
        return (self.unit, self.sample)

    def alt_text(self):
        return (f"{self.description}; frame {self.frame + 1} of {self.n_frames}. "
                + self.equation_text.replace("\n", " "))

    def _colours(self, values, vmax):
        """Diverging colours for signed values, white at 0, full colour at |v| = vmax."""
        scaled = 0.5 + 0.5 * np.clip(np.asarray(values) / (vmax if vmax > 0 else 1.0), -1.0, 1.0)
        return self._cmap(scaled)

    def render(self, frame):
        """Draw ``frame``: node colours, edge colours and widths, labels and the equation."""
        frame = self._check_frame(frame)
        kind, l = self.frames[frame]
        text, info = self.equation(frame)
        self.equation_text, self.highlight = text, info
        scale = self._draw_nodes(kind, l, info["unit"])
        self._draw_edges(kind, l, info["unit"])
        self._title.set_text(f"{frame + 1}/{self.n_frames} · {_PHASES[kind].format(the=self._the(l), l=l)}")
        legend = "red > 0, blue < 0, white ≈ 0 · black ring: the unit in the equation"
        self._legend.set_text(f"{legend} · {scale}")
        self._eq.set_text(text)

    def _draw_nodes(self, kind, l, j):
        """Colour and label the nodes: y in the forward phase, δ after. Returns the colour scale's text."""
        r, s = self.record, self.sample
        if kind in ("input", "forward"):
            symbol, key, shown = "y", "Y", range(l + 1)
        else:
            symbol, key, shown = "δ", "delta", range(l if kind in ("error", "delta") else 1, self.L + 1)
        face = np.tile(_GREY, (len(self._nodes), 1))
        labels = [""] * len(self._nodes)
        vmax = max(np.abs(r[key][q][s]).max() for q in shown)  # one scale for every layer
        for q in shown:
            for i, colour in enumerate(self._colours(r[key][q][s], vmax)):
                idx = self._node_index[(q, i)]
                face[idx] = colour
                labels[idx] = f"{_sym(symbol, q, i + 1)}={_num(r[key][q][s, i])}"
        widths = np.full(len(self._nodes), 1.0)
        rings = np.tile(np.array([0.4, 0.4, 0.4, 1.0]), (len(self._nodes), 1))
        hi = self._node_index[(l, j)]
        widths[hi] = 3.5
        rings[hi] = (0.0, 0.0, 0.0, 1.0)
        self._scatter.set_facecolor(face)
        self._scatter.set_edgecolor(rings)
        self._scatter.set_linewidths(widths)
        for label, value in zip(self._labels, labels):
            label.set_text(value)
        return f"nodes: one colour scale for all layers, full colour at |{symbol}| = {_num(vmax)}"

    def _draw_edges(self, kind, l, j):
        """Edges: the weights, or the gradients, or the new weights; the equation's own edges stand out."""
        r = self.record
        el, ei, ej = self._edge_l, self._edge_i, self._edge_j
        source = {"gradient": "dW", "update": "W_new"}.get(kind, "W")
        values = np.array([r[source][q][i, jj] for q, i, jj in self._edges])
        active = {
            "input": np.ones(len(values), dtype=bool),
            "forward": el <= l,
            "error": np.zeros(len(values), dtype=bool),
            "delta": el == l + 1,
        }.get(kind, el >= l)
        top = np.abs(values[active]).max() if active.any() else 1.0  # one scale for every layer
        top = top or 1.0
        colours = np.tile(_EDGE_GREY, (len(values), 1))
        colours[active] = self._colours(values, top)[active]
        widths = np.full(len(values), 0.8)
        widths[active] = 0.8 + 4.0 * np.abs(values[active]) / top
        if kind == "delta":  # out of unit j
            mine = (el == l + 1) & (ei == j)
        elif kind in ("forward", "gradient", "update"):  # into unit j
            mine = (el == l) & (ej == j)
        else:
            mine = np.zeros(len(values), dtype=bool)
        colours[active & ~mine, 3] = 0.8 if kind == "input" else 0.35
        colours[mine, 3] = 1.0
        widths[mine] += 1.0
        self._edge_lines.set_color(colours)
        self._edge_lines.set_linewidths(widths)

    # ---- controls --------------------------------------------------------
    def extra_controls(self):
        import ipywidgets as widgets

        unit = widgets.Dropdown(options=[(f"{i + 1} (unit={i})", i) for i in range(max(self.sizes))],
                                value=self.unit, description="unit")
        sample = widgets.Dropdown(options=[(f"{s + 1} (sample={s})", s) for s in range(self.m)],
                                  value=self.sample, description="sample")

        def changed(_):
            self.unit, self.sample = unit.value, sample.value
            self.changed()

        unit.observe(changed, names="value")
        sample.observe(changed, names="value")
        self.controls = {"unit": unit, "sample": sample}
        return [widgets.HBox([unit, sample])]


_PHASES = {
    "input": "the input; edges: the weights w (width ∝ |w|)",
    "forward": "forward pass into {the} (colour: y)",
    "error": "the output error δ = ∂J/∂a (colour: δ)",
    "delta": "δ flows back to layer l = {l} (colour: δ)",
    "gradient": "∂J/∂w into {the} (edges: width and colour)",
    "update": "update of the weights into {the} (edges: new w)",
}


# ---- the equation of each kind of frame: (animator, l, j, s, info) -> text ----
def _input_equation(anim, l, j, s, info):
    x = anim.record["Y"][0][s]
    info["value"] = float(x[j])
    values = ",   ".join(f"{_sym('y', 0, i + 1)} = x{_sub(i + 1)} = {_num(v)}" for i, v in enumerate(x))
    return f"Input ({{where}}): the sample's features x are the outputs y of layer 0.\n{values}"


def _forward_equation(anim, l, j, s, info):
    r, J = anim.record, j + 1
    y_prev, w, bj = r["Y"][l - 1][s], r["W"][l][:, j], r["b"][l][j]
    a, y = r["A"][l][s, j], r["Y"][l][s, j]
    info.update(terms=y_prev * w, a=float(a), value=float(y))
    terms = [f"{_factor(yi)}×{_factor(wi)}" for yi, wi in zip(y_prev, w)]
    aJ, yJ = _sym("a", l, J), _sym("y", l, J)
    return (f"Forward ({{where}}):\n"
            f"{aJ} = Σᵢ {_sym('y', l - 1, 'ᵢ')} {_sym('w', l, 'ᵢ' + _sub(J))} + {_sym('b', l, J)} = "
            + _wrap(terms, " + ", 4, "        ") + f" + {_factor(bj)} = {_num(a)}\n"
            f"{yJ} = f({aJ}) = {anim._activation_name(l)}({_num(a)}) = {_num(y)}")


def _error_equation(anim, l, j, s, info):
    r, J, m = anim.record, j + 1, anim.m
    y, t, d = r["Y"][l][s, j], anim.T[s, j], r["delta"][l][s, j]
    info.update(y=float(y), t=float(t), value=float(d))
    dJ, yJ, tJ, aJ = _sym("δ", l, J), _sym("y", l, J), f"t{_sub(J)}", _sym("a", l, J)
    out = anim._output_kind()
    if out == "fused":
        net = anim.net
        return (f"Output error ({{where}}):\n"
                f"{dJ} = ∂J/∂{aJ} = ({yJ} − {tJ}) / m = ({_num(y)} − {_num(t)}) / {m} = {_num(d)}\n"
                f"({net.output_activation} output with {net.loss_name}: the f′ of the output cancels;"
                " 1/m because J is a mean)")
    if out == "chain":
        dY = anim.net.loss_function.gradient(r["Y"][l], anim.T)[s, j]
        f_text, f_value = anim._f_prime_text(l, y, J)
        info.update(dJ_dy=float(dY), f_prime=float(f_value))
        return (f"Output error ({{where}}):\n"
                f"{dJ} = ∂J/∂{yJ} · f′({aJ}) = 2({yJ} − {tJ})/m · f′({aJ})"
                f" = 2({_num(y)} − {_num(t)})/{m} × {_num(f_value)} = {_num(d)}\n"
                f"f′({aJ}) = {f_text}")
    return (f"Output error ({{where}}):\n"
            f"{dJ} = Σₖ ∂J/∂{_sym('y', l, 'ₖ')} · ∂{_sym('y', l, 'ₖ')}/∂{aJ}  (softmax couples the outputs)"
            f" = {_num(d)}")


def _delta_equation(anim, l, j, s, info):
    r, J = anim.record, j + 1
    y = r["Y"][l][s, j]
    w_out, d_next = r["W"][l + 1][j, :], r["delta"][l + 1][s]
    total = float(w_out @ d_next)
    f_text, f_value = anim._f_prime_text(l, y, J)
    d = r["delta"][l][s, j]
    info.update(terms=w_out * d_next, sum=total, f_prime=float(f_value), value=float(d))
    terms = [f"{_factor(wk)}×{_factor(dk)}" for wk, dk in zip(w_out, d_next)]
    aJ = _sym("a", l, J)
    return (f"Backward ({{where}}); k runs over the units of {anim._the(l + 1)}:\n"
            f"{_sym('δ', l, J)} = f′({aJ}) · Σₖ {_sym('w', l + 1, _sub(J) + 'ₖ')} {_sym('δ', l + 1, 'ₖ')}"
            f" = {_num(f_value)} × (" + _wrap(terms, " + ", 4, "          ") + ")\n"
            f"    = {_num(f_value)} × {_factor(total)} = {_num(d)}"
            f"        with f′({aJ}) = {f_text}")


def _gradient_equation(anim, l, j, s, info):
    r, J = anim.record, j + 1
    y_prev, d = r["Y"][l - 1], r["delta"][l][:, j]
    sample_terms = y_prev[s] * d[s]
    grad = r["dW"][l][:, j]
    info.update(sample_terms=sample_terms, db=float(r["db"][l][j]), value=grad.copy())
    per = 3 if len(grad) > 3 else len(grad)
    dJ = _sym("δ", l, J)
    shown = [f"{_sym('y', l - 1, i + 1)}{dJ} = {_factor(y_prev[s, i])}×{_factor(d[s])} = {_num(v)}"
             for i, v in enumerate(sample_terms)]
    sums = [f"∂J/∂{_sym('w', l, _sub(i + 1) + _sub(J))} = {_num(v)}" for i, v in enumerate(grad)]
    wiJ = _sym("w", l, "ᵢ" + _sub(J))
    return (f"Gradients into {anim.layer_name(l)}, unit {J}: ∂J/∂{wiJ} = Σ over samples of"
            f" {_sym('y', l - 1, 'ᵢ')} {dJ}  (y⁽{_sup(l - 1)}⁾: outputs of {anim._the(l - 1)})\n"
            f"sample {s + 1}:  " + _wrap(shown, ",   ", per, "               ") + "\n"
            f"summed over the {anim.m} samples:  " + _wrap(sums, ",  ", 4, "      ")
            + f",  ∂J/∂{_sym('b', l, J)} = Σ {dJ} = {_num(r['db'][l][j])}")


def _update_equation(anim, l, j, s, info):
    r, J, lr = anim.record, j + 1, anim.lr
    w, grad, new = r["W"][l][:, j], r["dW"][l][:, j], r["W_new"][l][:, j]
    info.update(old=w.copy(), grad=grad.copy(), b_new=float(r["b_new"][l][j]), value=new.copy())
    terms = [f"{_sym('w', l, _sub(i + 1) + _sub(J))}: {_num(wi)} − {_num(lr)}×{_factor(gi)} = {_num(ni)}"
             for i, (wi, gi, ni) in enumerate(zip(w, grad, new))]
    wJ = _sym("w", l, "ᵢ" + _sub(J))
    return (f"Update ({anim.layer_name(l)}, unit {J}): {wJ} ← {wJ} − η · ∂J/∂{wJ}"
            f"  with the learning rate η = {_num(lr)}\n"
            + _wrap(terms, ",    ", 3, "") + "\n"
            f"{_sym('b', l, J)}: {_num(r['b'][l][j])} − {_num(lr)}×{_factor(r['db'][l][j])}"
            f" = {_num(r['b_new'][l][j])}")


_EQUATIONS = {
    "input": _input_equation,
    "forward": _forward_equation,
    "error": _error_equation,
    "delta": _delta_equation,
    "gradient": _gradient_equation,
    "update": _update_equation,
}
