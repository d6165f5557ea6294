"""single_threaded_blas: run NumPy's matrix products on one thread for a while.

    with single_threaded_blas():
        Y = X @ W

Used by the widgets (which evaluate networks while a learner waits) and by
``mlp_lib.compare.timed_fit``.
"""

import contextlib

_BLAS_LIBRARIES = []


def _blas_libraries():
    """threadpoolctl's controllers of the loaded BLAS libraries (found once)."""
    if not _BLAS_LIBRARIES:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
            _BLAS_LIBRARIES.append([])
        else:
            controller = ThreadpoolController()
            _BLAS_LIBRARIES.append([lib for lib in controller.lib_controllers if lib.user_api == "blas"])
    return _BLAS_LIBRARIES[0]


@contextlib.contextmanager
def single_threaded_blas():
    """A context manager that runs NumPy's matrix products on one thread.

    Mid-sized products (a few hundred rows) make OpenBLAS start its threads;
    on a machine whose other cores are busy, those threads wait on each
    other and the product gets ten times slower than on one thread. The
    widgets evaluate in this context. It costs microseconds (threadpoolctl's
    own ``limit`` re-reads every library's details each time, milliseconds).
    Without threadpoolctl it does nothing.
    """
    libraries = _blas_libraries()
    before = [lib.get_num_threads() for lib in libraries]
    for lib in libraries:
        lib.set_num_threads(1)
    try:
        yield
    finally:
        for lib, n in zip(libraries, before):
            lib.set_num_threads(n)
