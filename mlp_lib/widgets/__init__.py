"""Interactive widgets of the course (ipywidgets 8 + matplotlib).

Every widget is a class with the same contract, from the base class
``FrameWidget`` (``mlp_lib.widgets._base``): ``.fig`` its one matplotlib
figure, ``.n_frames``, ``.render(frame)`` which redraws that reused figure
for one frame, ``.frame_png(frame)`` the PNG a learner sees for that frame
(cached), and ``.show()`` (or just leaving the object as the last line of a
cell) which puts the controls and the picture in the notebook. Executed
headless, a widget leaves a static picture of its first frame with an alt
text.

The classes are imported on first use, so ``import mlp_lib`` stays fast.
"""

_CLASSES = {
    "FrameWidget": "mlp_lib.widgets._base",
    "LossSurfaceExplorer": "mlp_lib.widgets.loss_surface",
    "DeltaFlowAnimator": "mlp_lib.widgets.delta_flow",
    "VanishingGradientExplorer": "mlp_lib.widgets.vanishing",
    "TrainingDashboard": "mlp_lib.widgets.dashboard",
    "LossLandscape": "mlp_lib.widgets.landscape",
    "ReverseSweepAnimator": "mlp_lib.widgets.reverse_sweep",
}

__all__ = sorted(_CLASSES)


def __getattr__(name):
    if name in _CLASSES:
        import importlib

        return getattr(importlib.import_module(_CLASSES[name]), name)
    raise AttributeError(f"module 'mlp_lib.widgets' has no attribute {name!r}")
