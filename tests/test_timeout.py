"""mlp_lib._timeout: check() stops an endless loop on every platform.

Windows has no signal.setitimer; there the watchdog thread does the work. These
tests force that path on Linux (use_signal=False, or setitimer removed).
"""

import signal
import threading
import time

import pytest

from mlp_lib import _timeout
from mlp_lib._timeout import time_limit


class Stop(Exception):
    pass


def spin():
    while True:
        pass


@pytest.mark.parametrize("use_signal", [False, True], ids=["watchdog thread", "signal timer"])
def test_an_endless_loop_is_stopped(use_signal):
    if use_signal and not _timeout.alarm_available():
        pytest.skip("no signal.setitimer here")
    start = time.perf_counter()
    with pytest.raises(Stop):
        with time_limit(0.3, Stop, use_signal=use_signal):
            spin()
    assert time.perf_counter() - start < 5.0


@pytest.mark.parametrize("use_signal", [False, True], ids=["watchdog thread", "signal timer"])
def test_a_quick_body_is_left_alone_and_nothing_fires_later(use_signal):
    if use_signal and not _timeout.alarm_available():
        pytest.skip("no signal.setitimer here")
    with time_limit(0.2, Stop, use_signal=use_signal):
        total = sum(range(1000))
    assert total == 499500
    deadline = time.perf_counter() + 0.5  # well past the limit: no stray exception arrives
    while time.perf_counter() < deadline:
        pass
    assert not [t for t in threading.enumerate() if t.name == "mlp_lib time limit"]


def test_the_watchdog_is_chosen_where_setitimer_is_missing(monkeypatch):
    monkeypatch.delattr(signal, "setitimer")  # what Windows looks like
    assert not _timeout.alarm_available()
    with pytest.raises(TimeoutError):
        with time_limit(0.3):
            spin()


def test_the_watchdog_works_outside_the_main_thread():
    caught = []

    def worker():
        assert not _timeout.alarm_available()
        try:
            with time_limit(0.3, Stop):
                spin()
        except Stop:
            caught.append("stopped")

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(10)
    assert caught == ["stopped"]


@pytest.mark.parametrize("remove_setitimer", [True, False], ids=["without setitimer", "with setitimer"])
def test_check_reports_a_timeout(monkeypatch, remove_setitimer):
    from mlp_lib.grading import run_checks

    if remove_setitimer:
        monkeypatch.delattr(signal, "setitimer", raising=False)

    def predict(X, w, b):
        spin()

    start = time.perf_counter()
    results = run_checks(predict, timeout=0.3)
    assert results and not any(r.passed for r in results)
    assert any("did not finish" in r.feedback for r in results), [r.feedback for r in results]
    assert time.perf_counter() - start < 30.0


@pytest.mark.parametrize("use_signal", [False, True], ids=["watchdog thread", "signal timer"])
def test_code_that_catches_the_exception_is_still_stopped(use_signal):
    """Like the grading harness, which records each call's exception and goes on to the next call."""
    if use_signal and not _timeout.alarm_available():
        pytest.skip("no signal.setitimer here")
    swallowed = []
    start = time.perf_counter()
    with pytest.raises(Stop):
        with time_limit(0.3, Stop, use_signal=use_signal):
            for _ in range(5):
                try:
                    spin()
                except Stop:
                    swallowed.append(1)
    assert swallowed and time.perf_counter() - start < 5.0
