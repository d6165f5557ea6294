"""A time limit that works on every platform, so that ``check(f)`` stops a learner's endless loop.

    with time_limit(5.0, Timeout):   # raises Timeout() in this thread after 5 s
        run_the_learners_function()

Two ways to stop the code, chosen by :func:`time_limit`:

- ``signal.setitimer`` (Linux, macOS) when called from the main thread: SIGALRM
  interrupts the code even inside a ``time.sleep``.
- A watchdog thread everywhere else (Windows has no ``setitimer``; a thread
  that is not the main one cannot take signals). When time is up it raises the
  exception in the calling thread with ``PyThreadState_SetAsyncExc``. The
  exception lands at the next Python instruction, so a Python loop stops at
  once; a single long call into C (one ``time.sleep(60)``, one huge matrix
  product) finishes first.
"""

import ctypes
import signal
import threading
from contextlib import contextmanager


def alarm_available():
    """True where the signal timer can be used: it exists here and this is the main thread."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds, exception=TimeoutError, use_signal=None):
    """Raise ``exception()`` in the calling thread if the ``with`` body runs longer than ``seconds``.

    Once time is up the exception is raised again every ``REPEAT`` seconds
    until the body ends, so code that catches it (a harness that records each
    call's error, a learner's ``except Exception``) still stops; and the
    ``with`` raises it at its end when time ran out, even if the body caught
    every shot. use_signal: None picks the signal timer where
    :func:`alarm_available`, else the watchdog thread; False forces the
    watchdog (what Windows gets), which is how the tests exercise it on Linux.
    """
    if use_signal is None:
        use_signal = alarm_available()
    guard = _signal_limit if use_signal else _thread_limit
    fired = []
    with guard(float(seconds), exception, fired):
        yield
    if fired:
        raise exception()


REPEAT = 0.05  # seconds between shots once time is up


@contextmanager
def _signal_limit(seconds, exception, fired):
    state = {"on": True}

    def _alarm(signum, frame):
        if state["on"]:
            fired.append(True)
            raise exception()

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds, REPEAT)
    try:
        try:
            yield
        finally:
            state["on"] = False
    finally:  # runs even when a shot landed in the line above
        state["on"] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _raise_in_thread(thread_id, exception):
    """Schedule ``exception`` in the thread ``thread_id``; ``None`` cancels one still pending."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exception) if exception is not None else None
    )


@contextmanager
def _thread_limit(seconds, exception, fired):
    target = threading.get_ident()
    finished = threading.Event()
    lock = threading.Lock()  # no shot after the body's end has been marked

    def watchdog():
        wait = seconds
        while not finished.wait(wait):
            with lock:
                if finished.is_set():
                    return
                fired.append(True)
                _raise_in_thread(target, exception)
            wait = REPEAT

    dog = threading.Thread(target=watchdog, name="mlp_lib time limit", daemon=True)
    dog.start()
    try:
        try:
            yield
        finally:
            with lock:
                finished.set()
    finally:  # runs even when a shot landed in the lines above
        with lock:
            finished.set()
        _raise_in_thread(target, None)  # cancel a shot fired but not landed yet
        dog.join()
