"""FrameWidget: what every course widget shares.

A widget draws its frames on one reused figure; this base class owns the
rest: the Play button and the step slider, turning a frame into the PNG a
learner sees (``frame_png``), a cache of those PNGs, freezing the unchanging
part of the figure into one background picture, the display and the static
picture left behind when a notebook runs headless.

What a subclass writes:

- ``__init__``: build the artists once on ``self.fig`` (made with
  ``mlp_lib.plots.new_figure``) and set ``self.n_frames``;
- ``render(frame)``: update those artists for one frame (``set_data``,
  ``set_text``, ``set_offsets``...), never by creating figures or axes;
- ``live_artists()`` (optional): the artists ``render`` changes. Everything
  else is drawn once into a background picture and copied on later frames.
  Return None (the default) to draw the whole figure every frame;
- ``frame_state()`` (optional): a hashable value of whatever besides the
  frame number decides the picture (a learning rate, a highlighted unit).
  PNGs are cached under (frame, frame_state());
- ``alt_text()`` (optional): one short sentence saying what the picture
  shows, for screen readers and for anyone whose images do not load;
- ``extra_controls()`` (optional): more ipywidgets under Play and the
  slider. When a control changes the run, the handler updates the widget
  and calls ``self.changed(n_frames, redraw_background)``, which shows the
  current frame of the new run (its new ``frame_state()`` keeps the cached
  PNGs of the old run apart) and, if asked, draws the background again.
"""

import io

import numpy as np

MIN_PLAY_INTERVAL_MS = 100
MAX_CACHED_FRAMES = 256


class FrameWidget:
    """Base class: ``.fig``, ``.n_frames``, ``.render(frame)``, ``.frame_png(frame)``, ``.show()``."""

    play_interval = 200
    """Milliseconds between frames when Play runs (never below 100)."""

    frame_label = "step"
    description = "an interactive figure"
    """What the picture shows, in a few words (the default alt text)."""

    fig = None
    n_frames = 1
    frame = 0
    _handle = None
    _play = None
    _slider = None
    _background = None
    _png_cache = None

    # ---- what a subclass implements ----------------------------------------
    def render(self, frame):
        """Redraw the reused figure for ``frame`` (0 <= frame < n_frames)."""
        raise NotImplementedError

    def live_artists(self):
        """The artists ``render`` changes, or None to redraw the whole figure every frame."""
        return None

    def frame_state(self):
        """A hashable value of what besides the frame number decides the picture."""
        return ()

    def alt_text(self):
        """A short text saying what the current picture shows."""
        return f"{self.description}, {self.frame_label} {self.frame + 1} of {self.n_frames}"

    def extra_controls(self):
        """ipywidgets shown under Play and the slider; subclasses override."""
        return []

    # ---- frames as pictures ------------------------------------------------
    def _check_frame(self, frame):
        """Return ``frame`` as an int in range, or raise a clear error."""
        if isinstance(frame, bool) or not isinstance(frame, (int, np.integer)):
            raise TypeError(f"frame must be an int, got {type(frame).__name__} {frame!r}")
        if not 0 <= frame < self.n_frames:
            raise ValueError(f"frame must be in 0..{self.n_frames - 1}, got {frame}")
        self.frame = int(frame)
        return self.frame

    def frame_png(self, frame):
        """The PNG (bytes) a learner sees for ``frame``: rendered on a first visit, cached after.

        The cache is keyed by (frame, ``frame_state()``), so a frame drawn
        before for the same settings costs a dictionary look-up.
        """
        frame = self._check_frame(frame)
        if self._png_cache is None:
            self._png_cache = {}
        key = (frame, self.frame_state())
        png = self._png_cache.pop(key, None)
        if png is None:
            self.render(frame)
            png = self.current_png()
        elif len(self._png_cache) >= MAX_CACHED_FRAMES:
            self._png_cache.pop(next(iter(self._png_cache)))
        self._png_cache[key] = png  # most recently used last
        return png

    def current_png(self):
        """The figure as it is now, as PNG bytes, at its own size and dpi.

        The first call freezes the background (see ``live_artists``); a
        whole-canvas PNG at the figure's dpi then copies that background
        rather than drawing it again.
        """
        self.freeze()
        buffer = io.BytesIO()
        self.fig.savefig(buffer, format="png", dpi=self.fig.dpi, pil_kwargs={"compress_level": 1})
        return buffer.getvalue()

    def freeze(self):
        """Draw everything but ``live_artists()`` once into one background picture (if not yet)."""
        live = self.live_artists()
        if live is not None and self._background is None:
            from mlp_lib.plots import freeze_background

            self._background = freeze_background(self.fig, live)

    def thaw(self):
        """Show every artist again as before ``freeze`` (for a change of more than the live artists)."""
        if self._background is not None:
            from mlp_lib.plots import thaw_background

            thaw_background(self._background)
            self._background = None

    def changed(self, n_frames=None, redraw_background=False):
        """Call after a control changed the run: show the current frame of the new run.

        n_frames: the new number of frames, if it changed; redraw_background:
        True when more than the live artists changed (axis limits, titles),
        so the frozen background must be drawn again.
        """
        if redraw_background:
            self.thaw()
        if n_frames is not None:
            self.set_n_frames(n_frames)
        self.refresh()

    def set_n_frames(self, n_frames):
        """Change the number of frames (after a control changed the run)."""
        self.n_frames = int(n_frames)
        if self.frame >= self.n_frames:
            self.frame = self.n_frames - 1
        for control in (self._play, self._slider):
            if control is not None:
                control.max = self.n_frames - 1

    # ---- the notebook ------------------------------------------------------
    def refresh(self):
        """Draw the current frame again (after a change of settings) and show it if displayed."""
        png = self.frame_png(self.frame)
        if self._handle is not None:
            self.show_png(png)

    def show_png(self, png):
        """Put ``png`` in the notebook with its alt text, replacing the picture shown before."""
        from IPython.display import Image, display

        picture = Image(data=png, format="png", alt=self.alt_text())
        if self._handle is None:
            self._handle = display(picture, display_id=True)
        else:
            self._handle.update(picture)

    def _on_slider(self, change):
        self.show_png(self.frame_png(change["new"]))
        # The picture is on its way; draw the next frame in the direction of
        # travel now, so that the next step of Play or of the slider is a
        # cached picture rather than a wait for a first drawing.
        step = 1 if change["new"] >= change["old"] else -1
        self.prefetch(change["new"] + step)

    def prefetch(self, frame):
        """Render and cache ``frame``'s PNG (if it exists and is not cached) without showing it."""
        if not 0 <= frame < self.n_frames or (frame, self.frame_state()) in (self._png_cache or {}):
            return
        current = self.frame
        self.frame_png(frame)
        self.frame = current

    def _on_play(self, change):
        # Play's own timer waits one interval before its first step (1.5 s in
        # the delta-flow animator); step at once, so pressing Play shows
        # the next frame right away. Play then carries on from there.
        if change["new"] and self._play.value < self._play.max:
            self._play.value += 1

    def show(self):
        """Display the controls and the picture; Play and the slider show ``frame_png``."""
        import ipywidgets as widgets
        from IPython.display import display

        interval = max(int(self.play_interval), MIN_PLAY_INTERVAL_MS)
        last = max(self.n_frames - 1, 0)
        self._play = widgets.Play(value=self.frame, min=0, max=last, step=1, interval=interval,
                                  description="Play")
        self._slider = widgets.IntSlider(value=self.frame, min=0, max=last,
                                         description=self.frame_label, continuous_update=True)
        widgets.jslink((self._play, "value"), (self._slider, "value"))
        self._slider.observe(self._on_slider, names="value")
        self._play.observe(self._on_play, names="playing")
        display(widgets.VBox([widgets.HBox([self._play, self._slider]), *self.extra_controls()]))
        # The picture is an ordinary output updated in place, so a notebook
        # executed headless keeps a static picture of the first frame.
        self._handle = None
        self.show_png(self.frame_png(self.frame))

    def _ipython_display_(self):
        self.show()
