"""TrainingDashboard: a callback that sees every epoch and never changes training."""

import numpy as np
import pytest

from mlp_lib import MLP
from mlp_lib.data import one_hot, spiral, train_test_split
from mlp_lib.widgets import TrainingDashboard


@pytest.fixture
def spiral_split():
    X, labels = spiral(40, 3, seed=0)
    X_train, X_test, l_train, l_test = train_test_split(X, labels, 0.25, seed=0)
    return X_train, one_hot(l_train, 3), X_test, one_hot(l_test, 3)


def _net(seed=0):
    return MLP([2, 12, 3], "tanh", "softmax", "cross_entropy", seed=seed)


class _Handle:
    def __init__(self):
        self.updates = 0

    def update(self, fig):
        self.updates += 1


@pytest.fixture
def fake_display(monkeypatch):
    """Let live=True run outside a notebook: display() returns a handle that counts updates."""
    import IPython.display

    handles = []

    def display(*objs, display_id=None, **kwargs):
        handles.append(_Handle())
        return handles[-1]

    monkeypatch.setattr(IPython.display, "display", display)
    return handles


FIT = dict(epochs=12, lr=0.2, batch_size=8, momentum=0.9, seed=3)


def test_receives_every_epoch(spiral_split):
    X, T, X_val, T_val = spiral_split
    net = _net()
    dash = TrainingDashboard(X_val=X_val, T_val=T_val, every=2, live=False)
    history = net.fit(X, T, callbacks=[dash], **FIT)
    assert dash.history["epoch"] == list(range(1, FIT["epochs"] + 1))
    assert dash.n_frames == FIT["epochs"]
    np.testing.assert_allclose(dash.history["loss"], history["loss"])
    np.testing.assert_allclose(dash.history["accuracy"], history["accuracy"])
    assert dash.history["val_loss"][-1] == pytest.approx(net.loss(X_val, T_val), rel=1e-12)
    assert dash.history["val_accuracy"][-1] == pytest.approx(net.accuracy(X_val, T_val))
    assert len(dash._batch_loss) == FIT["epochs"] * -(-len(X) // FIT["batch_size"])
    assert np.all(np.diff(dash.history["time"]) >= 0)


def test_uses_fit_validation_when_it_has_none(spiral_split):
    X, T, X_val, T_val = spiral_split
    net = _net()
    dash = TrainingDashboard(live=False)
    history = net.fit(X, T, X_val=X_val, T_val=T_val, callbacks=[dash], **FIT)
    np.testing.assert_allclose(dash.history["val_loss"], history["val_loss"])
    np.testing.assert_allclose(dash.history["val_accuracy"], history["val_accuracy"])


def test_same_seed_same_weights_with_live_redraws(spiral_split, fake_display):
    X, T, X_val, T_val = spiral_split
    plain = _net()
    plain.fit(X, T, **FIT)
    watched = _net()
    dash = TrainingDashboard(X_val=X_val, T_val=T_val, every=6, X_train=X, T_train=T,
                             live=True, budget=1.0, delay=0)
    watched.fit(X, T, callbacks=[dash], **FIT)
    assert dash.n_redraws > 3, "live mode should have redrawn during training"
    # the first live picture is displayed, later ones and the final one update it
    assert len(fake_display) == 1 and fake_display[0].updates == dash.n_redraws
    for a, b in zip(plain.layers, watched.layers):
        assert np.array_equal(a.W, b.W)
        assert np.array_equal(a.b, b.b)


def test_every_limits_redraws(spiral_split, fake_display):
    X, T, _, _ = spiral_split
    n_batches = -(-len(X) // FIT["batch_size"])
    dash = TrainingDashboard(every=n_batches * 100, live=True, budget=1.0, delay=0)
    _net().fit(X, T, callbacks=[dash], **FIT)
    assert dash.n_redraws == 0  # no live picture: only the final one
    assert len(fake_display) == 1


def test_budget_leaves_a_short_run_without_live_pictures(spiral_split, fake_display):
    X, T, _, _ = spiral_split
    dash = TrainingDashboard(every=1, live=True, budget=0.01, delay=0)
    _net().fit(X, T, callbacks=[dash], **FIT)
    assert dash.n_redraws == 0  # one live picture would exceed 1 % of this short run
    assert len(fake_display) == 1 and dash.final_draw_time > 0


def test_short_run_shows_only_the_final_picture(spiral_split, fake_display):
    X, T, _, _ = spiral_split
    dash = TrainingDashboard(every=1, live=True, budget=0.99, delay=60)
    _net().fit(X, T, callbacks=[dash], **FIT)
    assert dash.n_redraws == 0
    assert len(fake_display) == 1 and fake_display[0].updates == 0


def test_in_a_notebook_the_final_picture_comes_after_the_cell(spiral_split, fake_display, monkeypatch):
    class Events:
        def __init__(self):
            self.callbacks = []

        def register(self, event, fn):
            assert event == "post_execute"
            self.callbacks.append(fn)

        def unregister(self, event, fn):
            self.callbacks.remove(fn)

    class Shell:
        events = Events()

    shell = Shell()
    monkeypatch.setattr(TrainingDashboard, "_shell", staticmethod(lambda: shell))
    X, T, _, _ = spiral_split
    dash = TrainingDashboard(live=True, delay=60)
    _net().fit(X, T, callbacks=[dash], **FIT)
    assert fake_display == [] and len(shell.events.callbacks) == 1  # nothing drawn inside fit
    for fn in list(shell.events.callbacks):  # what IPython does when the cell's code is done
        fn()
    assert len(fake_display) == 1 and shell.events.callbacks == []


def test_replay_frames_and_boundary_change(spiral_split):
    X, T, X_val, T_val = spiral_split
    dash = TrainingDashboard(X_val=X_val, T_val=T_val, X_train=X, T_train=T, live=False)
    _net().fit(X, T, callbacks=[dash], **FIT)
    first = None
    for frame in range(dash.n_frames):
        dash.render(frame)
        if frame == 0:
            first = np.array(dash._image.get_array())
        x, _ = dash._loss_line.get_data()
        assert len(x) == frame + 1
    assert not np.allclose(first, dash._image.get_array()), "the boundary should move while training"
    dash.fig.canvas.draw()
    with pytest.raises(ValueError, match="frame"):
        dash.render(dash.n_frames)
    with pytest.raises(TypeError, match="frame"):
        dash.render(True)


def test_before_training_and_regression_net():
    dash = TrainingDashboard(live=False)
    assert dash.n_frames == 1
    dash.render(0)
    dash.fig.canvas.draw()
    X = np.linspace(-1, 1, 20).reshape(-1, 1)
    net = MLP([1, 4, 1], "tanh", "identity", "mse", seed=0)
    net.fit(X, 2 * X, epochs=3, lr=0.1, batch_size=5, callbacks=[dash])
    assert dash.n_frames == 3
    assert not dash.ax_acc.get_visible()
    dash.fig.canvas.draw()


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        (dict(every=0), ValueError, "every"),
        (dict(every=2.5), TypeError, "every"),
        (dict(X_val=np.zeros((3, 2))), ValueError, "T_val"),
        (dict(X_val=np.zeros((3, 2)), T_val=np.zeros((4, 3))), ValueError, "same number of rows"),
        (dict(X_train=np.zeros((5, 3)), T_train=np.zeros(5)), ValueError, r"\(m, 2\)"),
        (dict(X_train=np.zeros((5, 2))), ValueError, "T_train"),
        (dict(budget=1.5), ValueError, "budget"),
        (dict(budget=0), ValueError, "budget"),
        (dict(live="yes"), TypeError, "live"),
        (dict(delay=-1), ValueError, "delay"),
        (dict(X_val="abc", T_val=np.zeros(3)), TypeError, "X_val"),
    ],
)
def test_bad_arguments(kwargs, error, words):
    with pytest.raises(error, match=words):
        TrainingDashboard(**kwargs)


def test_validation_data_must_fit_the_network(spiral_split):
    X, T, _, _ = spiral_split
    dash = TrainingDashboard(X_val=np.zeros((4, 5)), T_val=np.zeros((4, 3)), live=False)
    with pytest.raises(ValueError, match="X_val"):
        _net().fit(X, T, callbacks=[dash], **FIT)


def test_replay_is_frozen_and_a_new_fit_unfreezes(spiral_split, fake_display):
    X, T, X_val, T_val = spiral_split
    dash = TrainingDashboard(X_val=X_val, T_val=T_val, X_train=X, T_train=T, live=False)
    _net().fit(X, T, callbacks=[dash], **FIT)
    dash.show()  # the replay: Play and slider; the static parts become one picture
    assert dash._background is not None
    limits = dash.ax_loss.get_ylim()
    for frame in (0, dash.n_frames // 2, dash.n_frames - 1):
        dash.render(frame)
        dash.fig.canvas.draw()
        assert dash.ax_loss.get_ylim() == limits
    dash._slider.value = 2  # what the slider and Play do
    assert dash.frame == 2
    _net(seed=1).fit(X, T, callbacks=[dash], **FIT)
    assert dash._background is None
    assert dash.ax_loss.get_legend().get_visible() and dash.ax_loss.yaxis.get_visible()
    assert len(dash.fig.axes) == 4  # bar, loss, accuracy, boundary: no background axes left


def test_scoring_the_test_set_keeps_to_the_budget(spiral_split):
    X, T, X_val, T_val = spiral_split
    every_epoch = TrainingDashboard(X_val=X_val, T_val=T_val, live=False, budget=1.0)
    _net().fit(X, T, callbacks=[every_epoch], **FIT)
    assert np.all(np.isfinite(every_epoch.history["val_loss"]))
    thrifty = TrainingDashboard(X_val=X_val, T_val=T_val, live=False, budget=1e-9)
    _net().fit(X, T, callbacks=[thrifty], **FIT)
    scored = np.isfinite(thrifty.history["val_loss"])
    assert scored[0] and scored[-1] and not scored[1:-1].any()  # first and last epoch only
    thrifty.render(5)  # frames between scored epochs still draw
    x, y = thrifty._val_loss_line.get_data()
    assert list(x) == [1]
    thrifty.fig.canvas.draw()


def test_after_a_run_frames_are_frozen_and_look_the_same(spiral_split):
    """render() after fit freezes the static parts once; the pixels equal a full draw."""
    X, T, X_val, T_val = spiral_split
    dash = TrainingDashboard(X_val=X_val, T_val=T_val, X_train=X, T_train=T, live=False)
    _net().fit(X, T, callbacks=[dash], **FIT)
    assert dash._background is None  # nothing is drawn inside fit
    for frame in (0, dash.n_frames // 2, dash.n_frames - 1):
        dash.render(frame)
        assert dash._background is not None
        dash.fig.canvas.draw()
        frozen = np.asarray(dash.fig.canvas.buffer_rgba()).copy()
        dash.thaw()
        dash.fig.canvas.draw()
        full = np.asarray(dash.fig.canvas.buffer_rgba()).copy()
        assert np.array_equal(frozen, full), f"frame {frame} differs"


def test_replay_marks_a_test_accuracy_scored_at_an_earlier_epoch_as_stale(spiral_split):
    X, T, X_val, T_val = spiral_split
    dash = TrainingDashboard(X_val=X_val, T_val=T_val, live=False)
    _net().fit(X, T, callbacks=[dash], **FIT)
    scored = np.isfinite(dash.history["val_accuracy"])
    dash.history["val_accuracy"][4] = np.nan  # as when the budget skipped scoring epoch 5
    dash.render(4)
    text = dash._bar_text.get_text()
    last = max(i for i in range(4) if scored[i])
    assert f"{100 * dash.history['val_accuracy'][last]:.1f} % (stale: last scored at epoch {last + 1})" in text
    dash.render(dash.n_frames - 1)  # the last epoch is always scored: no mark
    assert "test accuracy" in dash._bar_text.get_text() and "stale" not in dash._bar_text.get_text()
    assert dash.alt_text().startswith("live loss")


def test_frame_png_is_cached_and_carries_alt_text(spiral_split, monkeypatch):
    import IPython.display

    X, T, X_val, T_val = spiral_split
    dash = TrainingDashboard(X_val=X_val, T_val=T_val, live=False)
    _net().fit(X, T, callbacks=[dash], **FIT)
    png = dash.frame_png(3)
    assert png.startswith(b"\x89PNG") and dash.frame_png(3) is png
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, display_id=None: shown.append(obj) or _Handle())
    dash.show_png(png)
    from IPython.core.formatters import DisplayFormatter

    _, metadata = DisplayFormatter().format(shown[0])  # what the notebook stores with the picture
    assert metadata["image/png"]["alt"] == dash.alt_text()
