"""Argument checks shared by every public function of mlp_lib.

Each check raises a ``TypeError`` or ``ValueError`` that names the argument,
what was received and what was expected, so that a learner never meets a bare
NumPy broadcasting error from deep inside the library.
"""

import numbers

import numpy as np


def as_float_array(x, name, ndim=None, dtype=np.float64, allow_empty=False):
    """Return ``x`` as a finite float array, or raise a clear error.

    x: array-like; name: the argument's name for the message;
    ndim: required number of dimensions (None: any);
    dtype: the float dtype wanted, or None to keep float32/float64 as given.
    The input is never modified; a copy is made only when needed.
    """
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be a numeric array, got a {type(x).__name__}: {x!r:.40}")
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be a numeric array, got {type(x).__name__} ({exc})") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(
            f"{name} must be a numeric array, got an array of dtype {arr.dtype}"
            " (strings or mixed objects?)"
        )
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name} must be real, got complex dtype {arr.dtype}")
    if ndim is not None and arr.ndim != ndim:
        hint = ""
        if ndim == 2 and arr.ndim == 1:
            hint = " (samples are rows: reshape a single feature with x.reshape(-1, 1))"
        raise ValueError(
            f"{name} must be a {ndim}-D array, got shape {arr.shape} ({arr.ndim}-D){hint}"
        )
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} is empty (shape {arr.shape}); it needs at least one sample")
    if dtype is None:  # keep float32/float64, turn ints and bools into float64
        if arr.dtype not in (np.float32, np.float64):
            arr = arr.astype(np.float64)
    elif arr.dtype != dtype:
        arr = arr.astype(dtype)
    if not _all_finite(arr):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(
            f"{name} contains NaN or inf (first at index {tuple(int(i) for i in bad)});"
            " all values must be finite"
        )
    return arr


def _all_finite(arr, chunk=65_536):
    """np.all(np.isfinite(arr)), checked a block of rows at a time.

    The one-line version makes a boolean temporary as large as ``arr``; for a
    training set that is megabytes, which the system hands out and takes back
    as fresh pages (page faults) on every call. Blocks of about ``chunk``
    values reuse the same small piece of memory (COURSE_SPEC section 8).
    """
    if arr.ndim == 0 or arr.size <= chunk:
        return bool(np.all(np.isfinite(arr)))
    rows = max(1, chunk * len(arr) // arr.size)
    return all(np.all(np.isfinite(arr[i:i + rows])) for i in range(0, len(arr), rows))


def check_positive_int(value, name, allow_zero=False):
    """Return ``value`` as an int if it is a positive (or >= 0) integer."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    lowest = 0 if allow_zero else 1
    if value < lowest:
        want = "a non-negative int" if allow_zero else "a positive int"
        raise ValueError(f"{name} must be {want}, got {value}")
    return int(value)


def check_positive_float(value, name):
    """Return ``value`` as a float if it is a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value}")
    return float(value)


def check_choice(value, name, choices):
    """Return ``value`` if it is one of ``choices`` (a dict or sequence of names)."""
    names = sorted(choices)
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"unknown {name} {value!r}; valid names are: {', '.join(names)}")
    return value
