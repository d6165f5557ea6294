"""FrameWidget: what every course widget shares.

A subclass builds its artists once in ``__init__`` on ``self.fig`` (made with
``mlp_lib.plots.new_figure``), sets ``self.n_frames``, and implements
``render(frame)`` by updating those artists (``set_data``, ``set_text``,
``set_offsets``...), never by creating new figures or axes. The base class
supplies the Play button and the step slider, the display, and the static
picture left behind when a notebook runs headless.

Subclasses with more controls (sliders for learning rate, depth, ...) return
them from ``extra_controls()``; when a control changes what the frames are,
they recompute and call ``self.set_n_frames(n)`` and ``self.refresh()``.
"""

import numpy as np

MIN_PLAY_INTERVAL_MS = 100


class FrameWidget:
    """Base class: ``.fig``, ``.n_frames``, ``.render(frame)``, ``.show()``."""

    play_interval = 200
    """Milliseconds between frames when Play runs (never below 100)."""

    frame_label = "step"

    fig = None
    n_frames = 1
    frame = 0
    _handle = None
    _play = None
    _slider = None

    def render(self, frame):
        """Redraw the reused figure for ``frame`` (0 <= frame < n_frames)."""
        raise NotImplementedError

    def _check_frame(self, frame):
        """Return ``frame`` as an int in range, or raise a clear error."""
        if isinstance(frame, bool) or not isinstance(frame, (int, np.integer)):
            raise TypeError(f"frame must be an int, got {type(frame).__name__} {frame!r}")
        if not 0 <= frame < self.n_frames:
            raise ValueError(f"frame must be in 0..{self.n_frames - 1}, got {frame}")
        self.frame = int(frame)
        return self.frame

    def extra_controls(self):
        """ipywidgets shown under Play and the slider; subclasses override."""
        return []

    def set_n_frames(self, n_frames):
        """Change the number of frames (after a control changed the run)."""
        self.n_frames = int(n_frames)
        if self.frame >= self.n_frames:
            self.frame = self.n_frames - 1
        for control in (self._play, self._slider):
            if control is not None:
                control.max = self.n_frames - 1

    def refresh(self):
        """Render the current frame again and push the picture to the notebook."""
        self.render(self.frame)
        self._push()

    def _push(self):
        if self._handle is not None:
            self._handle.update(self.fig)

    def _on_slider(self, change):
        self.render(change["new"])
        self._push()

    def show(self):
        """Display the controls and the figure; Play and the slider call ``render``."""
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
        self.render(self.frame)
        display(widgets.VBox([widgets.HBox([self._play, self._slider]), *self.extra_controls()]))
        # The figure is shown as an ordinary output and updated in place, so a
        # notebook executed headless keeps a static picture of frame 0.
        self._handle = display(self.fig, display_id=True)
        return None

    def _ipython_display_(self):
        self.show()
