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
6. the update w_ij <- w_ij - l dJ/dw_ij, layer by layer.

Each frame prints the equation being applied with the numbers of one
highlighted unit (ringed in black) for one sample; the ``unit`` and
``sample`` controls choose them. Layers are counted k = 0 (input) .. L
(output); units are numbered from 1 on screen, as in the equations.

The numbers are computed here from the textbook formulas, unit by unit, on
a copy of the network (the learner's network is never changed), and are
exactly the numbers ``net.backward`` computes -- the tests check it.
"""

import numpy as np

from mlp_lib._checks import check_positive_float
from mlp_lib.activations import softmax_backward
from mlp_lib.network import MLP
from mlp_lib.plots import DIVERGING_CMAP, new_figure
from mlp_lib.widgets._base import FrameWidget

MAX_LAYERS = 6
"""Most layers (input included) the animator draws."""
MAX_UNITS = 8
"""Most units in one layer the animator draws."""

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_GREY = np.array([0.86, 0.86, 0.86, 1.0])
_EDGE_GREY = np.array([0.75, 0.75, 0.75, 0.6])


def _sub(n):
    """Unit number n (1-based) as a subscript: 12 -> '₁₂'."""
    return str(n).translate(_SUB)


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


class _GlyphCache:
    """Draws a Text's lines by replaying the glyph bitmaps of an earlier draw.

    Agg renders every glyph of every text anew on each draw (tens of
    microseconds a glyph), which made text most of a frame's time. The node
    labels and the fixed captions come back unchanged in frame after frame,
    so the first draw of a line at a pixel position records the glyph
    bitmaps Agg blends in, and later draws of the same line at the same
    position, size and dpi blend exactly those bitmaps again: the same
    pixels, without laying out and rasterising the glyphs. Anything else
    (other renderers such as PDF or SVG, mathtext) is drawn normally.
    """

    MAX_ENTRIES = 256

    def __init__(self):
        self.entries = {}

    def draw(self, text, renderer):
        """Draw ``text`` (a matplotlib Text) on ``renderer`` through the cache."""
        agg = getattr(renderer, "_renderer", None)
        if (agg is None or not hasattr(agg, "draw_text_image") or text.get_usetex()
                or text.get_path_effects() or "draw_text" in vars(renderer)):
            # vars: matplotlib itself has replaced draw_text for this draw (a
            # bbox_inches="tight" measuring pass draws nothing): leave it alone
            return _text_classes()[0].draw(text, renderer)
        from matplotlib import rcParams

        cache = self.entries
        draw_text = renderer.draw_text  # the renderer's own method

        def cached_draw_text(gc, x, y, s, prop, angle, ismath=False, mtext=None):
            if ismath:
                return draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
            key = (s, float(x), float(y), angle, hash(prop), prop.get_size_in_points(), renderer.dpi,
                   renderer.width, renderer.height, gc.get_antialiased(), rcParams["text.hinting"],
                   rcParams["text.hinting_factor"])
            glyphs = cache.get(key)
            if glyphs is None and angle == 0 and gc.get_antialiased():
                glyphs = _rasterize_line(renderer, x, y, s, prop, mtext)
                if glyphs is not None:
                    glyphs = _merged(glyphs)
                    if len(cache) >= self.MAX_ENTRIES:
                        cache.clear()
                    cache[key] = glyphs
            if glyphs is None:
                glyphs = []
                recorder = _Recorder(agg, glyphs)
                renderer._renderer = recorder
                try:
                    draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
                finally:
                    renderer._renderer = agg
                if recorder.other_calls:  # something besides plain glyphs: never replay it
                    return None
                if len(cache) >= self.MAX_ENTRIES:
                    cache.clear()
                cache[key] = _merged(glyphs)
                return None
            for buffer, gx, gy in glyphs:
                agg.draw_text_image(buffer, gx, gy, 0, gc)
            return None

        renderer.draw_text = cached_draw_text
        try:
            return _text_classes()[0].draw(text, renderer)
        finally:
            del renderer.draw_text  # back to the class's method


def _rasterize_line(renderer, x, y, s, prop, mtext):
    """The glyph bitmaps Agg's ``draw_text`` would blend for one unrotated line, or None.

    The same steps as matplotlib's Agg renderer (layout, then every glyph
    rendered at its 1/64-pixel position), except that the font size is set
    once per font rather than once per glyph, which halves the time. Returns
    [(bitmap, x, y_bottom)], or None when matplotlib's internals differ from
    what this expects (then the text is drawn the ordinary way).
    """
    try:
        from matplotlib.backends.backend_agg import get_hinting_flag
        from matplotlib.ft2font import RenderMode

        flags = get_hinting_flag()
        font = renderer._prepare_font(prop)
        items = font._layout(
            s, flags=flags,
            features=mtext.get_fontfeatures() if mtext is not None else None,
            language=mtext.get_language() if mtext is not None else None)
        size = prop.get_size_in_points()
        identity = np.array([[0x10000, 0], [0, 0x10000]])
        height = renderer.height
        sized = {}  # id -> face, for the faces of this call (alive meanwhile)
        glyphs = []
        normal = RenderMode.NORMAL
        base_y = height - y
        for item in items:
            face = item.ft_object
            if id(face) not in sized:
                face.set_size(size, renderer.dpi)
                sized[id(face)] = face
            face._set_transform(identity, [round(0x40 * (x + item.x)), round(0x40 * (base_y + item.y))])
            bitmap = face._render_glyph(item.glyph_index, flags, normal)
            buffer = np.array(bitmap.buffer, dtype=np.uint8, copy=True)
            glyphs.append((buffer, bitmap.left, int(height) - bitmap.top + buffer.shape[0]))
        return glyphs
    except (AttributeError, ImportError, TypeError, ValueError):
        return None


def _merged(glyphs):
    """The glyph bitmaps of one line as one bitmap, blended in one call.

    Only when no pixel is covered by two glyphs (blending the one bitmap then
    gives exactly the pixels of blending the glyphs one by one); otherwise
    the glyphs are kept apart. glyphs: [(bitmap (h, w) uint8, x, y_bottom)].
    """
    if len(glyphs) < 2:
        return glyphs
    left = min(x for _, x, _ in glyphs)
    right = max(x + b.shape[1] for b, x, _ in glyphs)
    top = min(y - b.shape[0] for b, _, y in glyphs)
    bottom = max(y for _, _, y in glyphs)
    line = np.zeros((bottom - top, right - left), dtype=np.uint8)
    inked = 0  # pixels with ink, glyph by glyph: more than the merged line has means overlap
    for bitmap, x, y in glyphs:
        region = line[y - bitmap.shape[0] - top: y - top, x - left: x - left + bitmap.shape[1]]
        np.maximum(region, bitmap, out=region)
        inked += np.count_nonzero(bitmap)
    if inked != np.count_nonzero(line):
        return glyphs
    return [(line, left, bottom)]


class _Recorder:
    """Stands in for Agg's C renderer while one line of text is drawn: passes
    every call on and keeps a copy of each glyph bitmap it blends in."""

    def __init__(self, agg, glyphs):
        self._agg, self._glyphs, self.other_calls = agg, glyphs, False

    def draw_text_image(self, buffer, x, y, angle, gc):
        if angle != 0:
            self.other_calls = True
        self._glyphs.append((np.array(buffer, copy=True), x, y))
        return self._agg.draw_text_image(buffer, x, y, angle, gc)

    def __getattr__(self, name):
        self.other_calls = True
        return getattr(self._agg, name)


def _cached_text(ax, *args, **kwargs):
    """``ax.text(...)`` whose drawing goes through a glyph cache (same pixels, quicker)."""
    text = ax.text(*args, **kwargs)
    text.__class__ = _text_classes()[1]
    text._glyph_cache = _GlyphCache()
    return text


_TEXT_CLASSES = []


def _text_classes():
    """(matplotlib's Text, CachedText), made on first use (matplotlib is imported lazily)."""
    if _TEXT_CLASSES:
        return _TEXT_CLASSES
    from matplotlib.text import Text

    class CachedText(Text):
        """A Text drawn through its ``_glyph_cache`` (see ``_GlyphCache``)."""

        def draw(self, renderer):
            if renderer is None or not self.get_visible() or not self.get_text():
                return Text.draw(self, renderer)
            return self._glyph_cache.draw(self, renderer)

    _TEXT_CLASSES.extend([Text, CachedText])
    return _TEXT_CLASSES


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
    one output); lr: the learning rate l of the update frames; unit, sample:
    the highlighted unit (0-based index, clipped to each layer's width) and
    the sample whose numbers are shown (0-based row of X).

    Attributes after construction:
    ``record``: dict of lists indexed by layer k = 0 (input) .. L (output):
    "Y" (m, n_k) outputs (Y[0] = X), "A" pre-activations, "delta" dJ/dA,
    "W" (n_{k-1}, n_k) the weights into layer k, "b", "dW", "db", "W_new",
    "b_new" (None where a layer has none);
    ``frames``: one (kind, k) per frame, kind in "input", "forward", "error",
    "delta", "gradient", "update";
    after ``render(frame)``: ``equation_text`` (the panel's text) and
    ``highlight`` (the numbers behind it, see ``equation``).
    """

    frame_label = "frame"
    play_interval = 1500

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
        """Forward, backward, gradients and update with the textbook formulas."""
        layers = self.net.layers
        L = self.L
        Y, A = [self.X], [None]
        for layer in layers:  # a_j = sum_i y_i w_ij + b_j,  y_j = f(a_j)
            A.append(Y[-1] @ layer.W + layer.b)
            Y.append(layer.activation.function(A[-1]))
        W = [None] + [layer.W.copy() for layer in layers]
        b = [None] + [layer.b.copy() for layer in layers]
        delta = [None] * (L + 1)
        delta[L] = self._output_delta(Y[L], A[L])
        for k in range(L - 1, 0, -1):  # delta_j = f'(a_j) sum_k w_jk delta_k
            f_prime = layers[k - 1].activation.derivative_from_output(Y[k])
            delta[k] = f_prime * (delta[k + 1] @ W[k + 1].T)
        dW = [None] + [Y[k - 1].T @ delta[k] for k in range(1, L + 1)]
        db = [None] + [delta[k].sum(axis=0) for k in range(1, L + 1)]
        W_new = [None] + [W[k] - self.lr * dW[k] for k in range(1, L + 1)]
        b_new = [None] + [b[k] - self.lr * db[k] for k in range(1, L + 1)]
        return {"Y": Y, "A": A, "delta": delta, "W": W, "b": b, "dW": dW, "db": db,
                "W_new": W_new, "b_new": b_new}

    def _output_kind(self):
        net = self.net
        if net._fused:
            return "fused"
        if net.output_activation == "softmax":
            return "softmax"
        return "chain"

    def _output_delta(self, Y, A):
        T, m = self.T, self.m
        kind = self._output_kind()
        if kind == "fused":  # sigmoid + BCE, softmax + CE: f' cancels
            return (Y - T) / m
        dY = self.net.loss_function.gradient(Y, T)
        if kind == "softmax":
            return softmax_backward(Y, dY)
        return dY * self.net.layers[-1].activation.derivative_from_output(Y)

    def _plan_frames(self):
        L = self.L
        frames = [("input", 0)]
        frames += [("forward", k) for k in range(1, L + 1)]
        frames.append(("error", L))
        frames += [("delta", k) for k in range(L - 1, 0, -1)]
        frames += [("gradient", k) for k in range(L, 0, -1)]
        frames += [("update", k) for k in range(L, 0, -1)]
        return frames

    def layer_name(self, k):
        """'input', 'hidden layer 1', ..., 'output layer' for k = 0 .. L."""
        if k == 0:
            return "input layer"
        if k == self.L:
            return "output layer"
        return f"hidden layer {k}"

    def _the(self, k):
        """'the input', 'hidden layer 2', 'the output layer': a layer inside a sentence."""
        if k == 0:
            return "the input"
        return self.layer_name(k) if 0 < k < self.L else "the output layer"

    def _activation_name(self, k):
        return self.net.layers[k - 1].activation.name

    def _f_prime_text(self, k, y, J):
        """f'(a_J) written from the output y_J, with numbers: (text, value)."""
        name = self._activation_name(k)
        yJ = f"y{_sub(J)}"
        if name == "sigmoid":
            value = y * (1.0 - y)
            return f"{yJ}(1 − {yJ}) = {_factor(y)} × {_factor(1.0 - y)} = {_num(value)}", value
        if name == "tanh":
            value = 1.0 - y * y
            return f"1 − {yJ}² = 1 − {_factor(y)}² = {_num(value)}", value
        if name == "relu":
            value = float(y > 0)
            return f"[{yJ} > 0] = {_num(value)}", value
        return "1  (identity)", 1.0

    def equation(self, frame, unit=None, sample=None):
        """The equation panel of ``frame`` for one unit and sample: (text, info).

        unit, sample: default the animator's current ones; unit is clipped to
        the frame's layer. info holds "kind", "layer" k, "unit" j (0-based),
        "sample" s and "value": the number the equation ends with -- y_j
        (input, forward), delta_j (error, delta), the column dJ/dW[:, j] over
        the batch (gradient) or the new column W[:, j] (update) -- plus the
        intermediate numbers it prints.
        """
        kind, k = self.frames[frame]
        unit = self.unit if unit is None else unit
        s = self.sample if sample is None else sample
        j = min(unit, self.sizes[k] - 1)
        J = j + 1
        r = self.record
        info = {"kind": kind, "layer": k, "unit": j, "sample": s}
        where = f"{self.layer_name(k)}, unit {J}, sample {s + 1} of {self.m}"

        if kind == "input":
            x = r["Y"][0][s]
            info["value"] = float(x[j])
            values = ",   ".join(f"y{_sub(i + 1)} = x{_sub(i + 1)} = {_num(v)}" for i, v in enumerate(x))
            text = (f"Input ({where}): the sample's features x are the outputs y of layer 0.\n"
                    f"{values}")
        elif kind == "forward":
            y_prev = r["Y"][k - 1][s]
            w = r["W"][k][:, j]
            bj = r["b"][k][j]
            a = r["A"][k][s, j]
            y = r["Y"][k][s, j]
            info.update(terms=y_prev * w, a=float(a), value=float(y))
            terms = [f"{_factor(yi)}×{_factor(wi)}" for yi, wi in zip(y_prev, w)]
            name = self._activation_name(k)
            text = (f"Forward ({where}):\n"
                    f"a{_sub(J)} = Σᵢ yᵢ wᵢ{_sub(J)} + b{_sub(J)} = "
                    + _wrap(terms, " + ", 4, "        ") + f" + {_factor(bj)} = {_num(a)}\n"
                    f"y{_sub(J)} = f(a{_sub(J)}) = {name}({_num(a)}) = {_num(y)}")
        elif kind == "error":
            y = r["Y"][k][s, j]
            t = self.T[s, j]
            d = r["delta"][k][s, j]
            info.update(y=float(y), t=float(t), value=float(d))
            out = self._output_kind()
            if out == "fused":
                pair = f"{self.net.output_activation} output with {self.net.loss_name}"
                text = (f"Output error ({where}):\n"
                        f"δ{_sub(J)} = ∂J/∂a{_sub(J)} = (y{_sub(J)} − t{_sub(J)}) / m"
                        f" = ({_num(y)} − {_num(t)}) / {self.m} = {_num(d)}\n"
                        f"({pair}: the f′ of the output cancels; 1/m because J is a mean)")
            elif out == "chain":
                dY = self.net.loss_function.gradient(r["Y"][k], self.T)[s, j]
                f_text, f_value = self._f_prime_text(k, y, J)
                info.update(dJ_dy=float(dY), f_prime=float(f_value))
                yJ, tJ, aJ = f"y{_sub(J)}", f"t{_sub(J)}", f"a{_sub(J)}"
                text = (f"Output error ({where}):\n"
                        f"δ{_sub(J)} = ∂J/∂{yJ} · f′({aJ}) = 2({yJ} − {tJ})/m · f′({aJ})"
                        f" = 2({_num(y)} − {_num(t)})/{self.m} × {_num(f_value)} = {_num(d)}\n"
                        f"f′(a{_sub(J)}) = {f_text}")
            else:
                text = (f"Output error ({where}):\n"
                        f"δ{_sub(J)} = Σₖ ∂J/∂yₖ · ∂yₖ/∂a{_sub(J)}  (softmax couples the outputs)"
                        f" = {_num(d)}")
        elif kind == "delta":
            y = r["Y"][k][s, j]
            w_out = r["W"][k + 1][j, :]
            d_next = r["delta"][k + 1][s]
            total = float(w_out @ d_next)
            f_text, f_value = self._f_prime_text(k, y, J)
            d = r["delta"][k][s, j]
            info.update(terms=w_out * d_next, sum=total, f_prime=float(f_value), value=float(d))
            terms = [f"{_factor(wk)}×{_factor(dk)}" for wk, dk in zip(w_out, d_next)]
            text = (f"Backward ({where}); k runs over the units of {self._the(k + 1)}:\n"
                    f"δ{_sub(J)} = f′(a{_sub(J)}) · Σₖ w{_sub(J)}ₖ δₖ = {_num(f_value)} × ("
                    + _wrap(terms, " + ", 4, "          ") + ")\n"
                    f"    = {_num(f_value)} × {_factor(total)} = {_num(d)}"
                    f"        with f′(a{_sub(J)}) = {f_text}")
        elif kind == "gradient":
            y_prev = r["Y"][k - 1]
            d = r["delta"][k][:, j]
            sample_terms = y_prev[s] * d[s]
            grad = r["dW"][k][:, j]
            info.update(sample_terms=sample_terms, db=float(r["db"][k][j]), value=grad.copy())
            n = len(grad)
            per = 3 if n > 3 else n
            shown = [f"y{_sub(i + 1)}δ{_sub(J)} = {_factor(y_prev[s, i])}×{_factor(d[s])} = {_num(v)}"
                     for i, v in enumerate(sample_terms)]
            sums = [f"∂J/∂w{_sub(i + 1)}{_sub(J)} = {_num(v)}" for i, v in enumerate(grad)]
            below = self._the(k - 1)
            text = (f"Gradients into {self.layer_name(k)}, unit {J}: ∂J/∂wᵢ{_sub(J)} = Σ over samples of"
                    f" yᵢ δ{_sub(J)}  (yᵢ: outputs of {below})\n"
                    f"sample {s + 1}:  " + _wrap(shown, ",   ", per, "               ") + "\n"
                    f"summed over the {self.m} samples:  " + _wrap(sums, ",  ", 4, "      ")
                    + f",  ∂J/∂b{_sub(J)} = Σ δ{_sub(J)} = {_num(r['db'][k][j])}")
        else:  # update
            w = r["W"][k][:, j]
            grad = r["dW"][k][:, j]
            new = r["W_new"][k][:, j]
            info.update(old=w.copy(), grad=grad.copy(), b_new=float(r["b_new"][k][j]), value=new.copy())
            terms = [f"w{_sub(i + 1)}{_sub(J)}: {_num(wi)} − {_num(self.lr)}×{_factor(gi)} = {_num(ni)}"
                     for i, (wi, gi, ni) in enumerate(zip(w, grad, new))]
            wJ = f"wᵢ{_sub(J)}"
            text = (f"Update ({self.layer_name(k)}, unit {J}): {wJ} ← {wJ} − l · ∂J/∂{wJ}"
                    f"  with learning rate l = {_num(self.lr)}\n"
                    + _wrap(terms, ",    ", 3, "") + "\n"
                    f"b{_sub(J)}: {_num(r['b'][k][j])} − {_num(self.lr)}×{_factor(r['db'][k][j])}"
                    f" = {_num(r['b_new'][k][j])}")
        return text, info

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

        # node positions: layer k at x = k, its units from top to bottom
        self._nodes = []  # (k, i) per node
        pos = []
        for k, n in enumerate(sizes):
            for i in range(n):
                self._nodes.append((k, i))
                pos.append((k, (n - 1) / 2.0 - i))
        self._pos = np.array(pos)
        self._node_index = {node: idx for idx, node in enumerate(self._nodes)}
        # edges: w_ij from unit i of layer k-1 to unit j of layer k
        self._edges = []
        segments = []
        for k in range(1, L + 1):
            for i in range(sizes[k - 1]):
                for j in range(sizes[k]):
                    self._edges.append((k, i, j))
                    segments.append([self._pos[self._node_index[(k - 1, i)]],
                                     self._pos[self._node_index[(k, j)]]])
        self._edge_k = np.array([e[0] for e in self._edges])
        self._edge_i = np.array([e[1] for e in self._edges])
        self._edge_j = np.array([e[2] for e in self._edges])
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
            _cached_text(ax, x, y - 0.5 * diameter / points_per_unit - 0.03, "", ha="center", va="top",
                    fontsize=label_size, zorder=4)
            for x, y in self._pos
        ]
        names = ax.get_xaxis_transform()  # x in data, y in axes coordinates
        for k in range(len(sizes)):
            name = self.layer_name(k).replace(" layer", "")
            if 0 < k:
                name += f" ({self._activation_name(k)})"
            _cached_text(ax, k, 0.88, name, transform=names, ha="center", va="top", fontsize=9, color="0.25")
        self._title = _cached_text(ax, 0.0, 1.0, "", transform=ax.transAxes, ha="left", va="top",
                              fontsize=11, fontweight="bold")
        self._legend = _cached_text(ax, 0.0, 0.945, "", transform=ax.transAxes, ha="left", va="top",
                               fontsize=8, color="0.3")
        self._eq = _cached_text(self.ax_eq, 0.015, 0.9, "", transform=self.ax_eq.transAxes, ha="left",
                                   va="top", fontsize=10, linespacing=1.45)

    @staticmethod
    def _panel_patch(ax):
        from matplotlib.patches import FancyBboxPatch

        return FancyBboxPatch((0.005, 0.03), 0.99, 0.94, boxstyle="round,pad=0.0,rounding_size=0.02",
                              transform=ax.transAxes, facecolor="#F4F4F4", edgecolor="0.8")

    def _colours(self, values, vmax):
        """Diverging colours for signed values, white at 0, full colour at |v| = vmax."""
        scaled = 0.5 + 0.5 * np.clip(np.asarray(values) / (vmax if vmax > 0 else 1.0), -1.0, 1.0)
        return self._cmap(scaled)

    def render(self, frame):
        """Draw ``frame``: node colours, edge colours and widths, labels and the equation."""
        frame = self._check_frame(frame)
        kind, k = self.frames[frame]
        r, s, L = self.record, self.sample, self.L
        text, info = self.equation(frame)
        j = info["unit"]
        self.equation_text, self.highlight = text, info

        # ---- nodes: y in the forward phase, delta in the backward phase
        n_nodes = len(self._nodes)
        face = np.tile(_GREY, (n_nodes, 1))
        labels = [""] * n_nodes
        forward = kind in ("input", "forward")
        if forward:
            vmax = max(np.abs(r["Y"][q][s]).max() for q in range(k + 1))
            for q in range(k + 1):
                cols = self._colours(r["Y"][q][s], vmax)
                for i in range(self.sizes[q]):
                    idx = self._node_index[(q, i)]
                    face[idx] = cols[i]
                    labels[idx] = f"y={_num(r['Y'][q][s, i])}"
        else:
            lowest = k if kind in ("error", "delta") else 1
            for q in range(lowest, L + 1):  # scaled per layer: deep deltas are tiny
                cols = self._colours(r["delta"][q][s], np.abs(r["delta"][q][s]).max())
                for i in range(self.sizes[q]):
                    idx = self._node_index[(q, i)]
                    face[idx] = cols[i]
                    labels[idx] = f"δ={_num(r['delta'][q][s, i])}"
        widths = np.full(n_nodes, 1.0)
        edge_colours = np.tile(np.array([0.4, 0.4, 0.4, 1.0]), (n_nodes, 1))
        hi = self._node_index[(k, j)]
        widths[hi] = 3.5
        edge_colours[hi] = (0.0, 0.0, 0.0, 1.0)
        self._scatter.set_facecolor(face)
        self._scatter.set_edgecolor(edge_colours)
        self._scatter.set_linewidths(widths)
        for label, value in zip(self._labels, labels):
            label.set_text(value)

        # ---- edges: weights, or gradients, or new weights
        ek, ei, ej = self._edge_k, self._edge_i, self._edge_j
        n_edges = len(self._edges)
        colours = np.tile(_EDGE_GREY, (n_edges, 1))
        lw = np.full(n_edges, 0.8)
        source = {"input": "W", "forward": "W", "error": "W", "delta": "W", "gradient": "dW",
                  "update": "W_new"}[kind]
        values = np.array([r[source][q][i, jj] for q, i, jj in self._edges])
        if kind == "input":  # the starting weights, all of them
            active = np.ones(n_edges, dtype=bool)
        elif kind == "forward":
            active = ek <= k
        elif kind in ("error", "delta"):
            active = ek == k + 1 if kind == "delta" else np.zeros(n_edges, dtype=bool)
        else:
            active = ek >= k
        if kind == "gradient":  # scale per layer: deep layers' gradients are tiny
            scale = np.ones(n_edges)
            for q in range(1, L + 1):
                in_q = ek == q
                scale[in_q] = np.abs(values[in_q]).max() or 1.0
            norm = np.abs(values) / scale
            cols = self._colours(values / scale, 1.0)
        else:
            top = np.abs(values[active]).max() if active.any() else 1.0
            norm = np.abs(values) / (top or 1.0)
            cols = self._colours(values, top)
        colours[active] = cols[active]
        lw[active] = 0.8 + 4.0 * norm[active]
        # the edges of the equation: into unit j (forward, gradient, update) or out of it (delta)
        if kind == "delta":
            mine = (ek == k + 1) & (ei == j)
        elif kind in ("forward", "gradient", "update"):
            mine = (ek == k) & (ej == j)
        else:
            mine = np.zeros(n_edges, dtype=bool)
        colours[active & ~mine, 3] = 0.8 if kind == "input" else 0.35
        colours[mine, 3] = 1.0
        lw[mine] += 1.0
        self._edge_lines.set_color(colours)
        self._edge_lines.set_linewidths(lw)

        phase = {
            "input": "the input; edges: the weights w (width ∝ |w|)",
            "forward": f"forward pass into {self._the(k)} (colour: y)",
            "error": "the output error δ = ∂J/∂a (colour: δ)",
            "delta": f"δ flows back to {self.layer_name(k)} (colour: δ)",
            "gradient": f"∂J/∂w into {self._the(k)} (edges: width and colour)",
            "update": f"update of the weights into {self._the(k)} (edges: new w)",
        }[kind]
        self._title.set_text(f"{frame + 1}/{self.n_frames} · {phase}")
        self._legend.set_text(
            "red > 0, blue < 0, white ≈ 0 · black ring: the unit in the equation"
            if forward else
            "red > 0, blue < 0 · colours scaled within each layer: read the numbers for sizes"
        )
        self._eq.set_text(text)

    # ---- controls --------------------------------------------------------
    def extra_controls(self):
        import ipywidgets as widgets

        unit = widgets.Dropdown(options=[(str(i + 1), i) for i in range(max(self.sizes))],
                                value=self.unit, description="unit")
        sample = widgets.Dropdown(options=[(str(s + 1), s) for s in range(self.m)],
                                  value=self.sample, description="sample")

        def changed(_):
            self.unit, self.sample = unit.value, sample.value
            self.refresh()

        unit.observe(changed, names="value")
        sample.observe(changed, names="value")
        self.controls = {"unit": unit, "sample": sample}
        return [widgets.HBox([unit, sample])]
