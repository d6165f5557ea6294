"""Argument checks shared by every public function of mlp_lib.

Each check raises a ``TypeError`` (wrong kind of thing) or ``ValueError``
(right kind, wrong value) that names the argument, what was received and
what was expected, so that a learner never meets a bare NumPy error from
deep inside the library. The rules, in one place:

- arrays: real numbers only (bool, int, uint, float16/32/64/longdouble);
  strings, bytes, objects, complex numbers, datetimes and timedeltas are
  refused; every value finite, and finite still in the dtype computed in;
- ints: Python or NumPy integers, never bools (True is a slip, not a 1);
- real numbers: Python or NumPy reals (ints included, bools not), finite;
- seeds: what ``np.random.default_rng`` accepts -- None, an int >= 0, a
  1-D sequence of ints >= 0, a SeedSequence, a BitGenerator or a Generator;
- sizes and counts: capped (``MAX_PARAMETERS``, ``MAX_LAYERS``,
  ``MAX_ELEMENTS``) and checked before anything is allocated;
- results: a loss, output or gradient that overflows float64 (or float32)
  is refused with a ValueError instead of being returned as inf or NaN.
"""

import math
import numbers

import numpy as np

MAX_PARAMETERS = 50_000_000
"""Largest network (weights + biases) an MLP may have: 400 MB in float64,
far beyond what this course trains on a CPU, and well below what makes
a machine swap or NumPy fail with a MemoryError."""

MAX_LAYERS = 1_000
"""Most layers (widths in ``sizes``) an MLP may have."""

MAX_ELEMENTS = 50_000_000
"""Most numbers a data generator or one_hot may create in one array."""

_REAL_KINDS = "biuf"  # bool, signed int, unsigned int, float


def _describe(value):
    """A short description of a value for a message: its type and repr."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def as_float_array(x, name, ndim=None, dtype=np.float64, allow_empty=False):
    """Return ``x`` as a finite float array, or raise a clear error.

    x: array-like; name: the argument's name for the message;
    ndim: required number of dimensions (None: any);
    dtype: the float dtype wanted, or None to keep float32/float64 as given
    (anything else becomes float64).
    The input is never modified; a copy is made only when needed.
    """
    arr = as_real_array(x, name)
    if ndim is not None and arr.ndim != ndim:
        hint = ""
        if ndim == 2 and arr.ndim == 1:
            hint = " (samples are rows: reshape a single feature with x.reshape(-1, 1))"
        raise ValueError(
            f"{name} must be a {ndim}-D array, got shape {arr.shape} ({arr.ndim}-D){hint}"
        )
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} is empty (shape {arr.shape}); it needs at least one sample")
    if dtype is None:  # keep float32/float64, turn everything else into float64
        dtype = arr.dtype if arr.dtype in (np.float32, np.float64) else np.float64
    if arr.dtype != dtype:
        if not _all_finite(arr):
            _raise_not_finite(arr, name)
        with np.errstate(over="ignore", invalid="ignore"):
            arr = arr.astype(dtype)
        if not _all_finite(arr):
            bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
            raise ValueError(
                f"{name}{list(bad)} is too large for {np.dtype(dtype).name}, the dtype it is"
                f" computed in (largest {np.finfo(dtype).max:.3g})"
            )
    elif not _all_finite(arr):
        _raise_not_finite(arr, name)
    return arr


def as_real_array(x, name):
    """np.asarray(x) if it holds real numbers (bool/int/uint/float), else a TypeError."""
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be a numeric array, got a {type(x).__name__}: {x!r:.40}")
    if isinstance(x, (set, frozenset, dict)):
        raise TypeError(f"{name} must be a numeric array, got a {type(x).__name__} (which has no order)")
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be a numeric array, got {type(x).__name__} ({exc})") from None
    if arr.dtype.kind not in _REAL_KINDS:
        kinds = {"c": "complex numbers (take .real if that is what you mean)",
                 "m": "timedeltas", "M": "datetimes", "U": "strings", "S": "bytes",
                 "O": "Python objects (mixed types, None, or ints too large?)"}
        what = kinds.get(arr.dtype.kind, "a non-numeric type")
        raise TypeError(f"{name} must be a numeric array of real numbers, got dtype {arr.dtype}: {what}")
    return arr


def _raise_not_finite(arr, name):
    bad = np.argwhere(~np.isfinite(arr))[0]
    raise ValueError(
        f"{name} contains NaN or inf (first at index {tuple(int(i) for i in bad)});"
        " all values must be finite"
    )


def _all_finite(arr, chunk=65_536):
    """np.all(np.isfinite(arr)), checked a block of rows at a time.

    The one-line version makes a boolean temporary as large as ``arr``; for a
    training set that is megabytes, which the system hands out and takes back
    as fresh pages (page faults) on every call. Blocks of about ``chunk``
    values reuse the same small piece of memory.
    Integer and bool arrays are always finite.
    """
    if arr.dtype.kind in "biu":
        return True
    if arr.ndim == 0 or arr.size <= chunk:
        return bool(np.all(np.isfinite(arr)))
    rows = max(1, chunk * len(arr) // arr.size)
    return all(np.all(np.isfinite(arr[i:i + rows])) for i in range(0, len(arr), rows))


def check_positive_int(value, name, allow_zero=False, most=None):
    """Return ``value`` as an int if it is a positive (or >= 0) integer, at most ``most``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {_describe(value)}")
    lowest = 0 if allow_zero else 1
    if value < lowest:
        want = "a non-negative int" if allow_zero else "a positive int"
        raise ValueError(f"{name} must be {want}, got {value}")
    if most is not None and value > most:
        raise ValueError(f"{name} must be at most {most:,}, got {int(value):,}")
    return int(value)


def check_real(value, name, low=None, high=None, low_open=False, high_open=False):
    """Return ``value`` as a float if it is a finite real number in the given range.

    low/high: bounds (None: none); *_open: the bound itself is excluded.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_describe(value)}")
    try:
        number = float(value)
    except OverflowError:  # an int beyond float64
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value}")
    too_low = low is not None and (number <= low if low_open else number < low)
    too_high = high is not None and (number >= high if high_open else number > high)
    if too_low or too_high:
        if high is None:
            want = f"{'>' if low_open else '>='} {low:g}"
        elif low is None:
            want = f"{'<' if high_open else '<='} {high:g}"
        else:
            want = f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be {want}, got {value}")
    return number


def check_positive_float(value, name):
    """Return ``value`` as a float if it is a finite number > 0."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {_describe(value)}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value}")
    return number


def check_bool(value, name):
    """Return ``value`` as a bool if it is True or False (NumPy bools included)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {_describe(value)}")
    return bool(value)


def check_choice(value, name, choices):
    """Return ``value`` if it is one of ``choices`` (a dict or sequence of names)."""
    names = sorted(choices)
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"unknown {name} {value!r:.60}; valid names are: {', '.join(names)}")
    return value


def check_callable(value, name):
    """Return ``value`` if it can be called."""
    if not callable(value):
        raise TypeError(f"{name} must be a function, got {_describe(value)}")
    return value


def check_seed(seed, name="seed"):
    """Return ``seed`` if ``np.random.default_rng`` accepts it, else a clear error.

    Valid: None (fresh entropy), an int >= 0, a 1-D list/tuple/array of ints
    >= 0, a SeedSequence, a BitGenerator or a Generator. Bools are refused.
    """
    if seed is None or isinstance(seed, (np.random.SeedSequence, np.random.BitGenerator,
                                         np.random.Generator)):
        return seed
    want = ("None, an int >= 0, a list of ints >= 0, a SeedSequence or a Generator")
    if isinstance(seed, np.ndarray) and seed.ndim == 0 and seed.dtype.kind in "iu":
        seed = seed.item()  # a 0-d int array is an int
    if isinstance(seed, (bool, np.bool_)):
        raise TypeError(f"{name} must be {want}, got {_describe(seed)}")
    if isinstance(seed, numbers.Integral):
        if seed < 0:
            raise ValueError(f"{name} must be >= 0, got {seed}")
        return seed
    if isinstance(seed, (list, tuple, np.ndarray)):
        if isinstance(seed, np.ndarray) and seed.ndim == 0:
            raise TypeError(f"{name} must be {want}, got a 0-d array of dtype {seed.dtype}")
        if isinstance(seed, np.ndarray) and seed.ndim != 1:
            raise ValueError(f"{name} as an array must be 1-D, got shape {seed.shape}")
        items = list(seed)
        for item in items:
            if isinstance(item, (bool, np.bool_)) or not isinstance(item, numbers.Integral):
                raise TypeError(f"{name} as a sequence must hold ints >= 0, got {_describe(item)}")
            if item < 0:
                raise ValueError(f"{name} as a sequence must hold ints >= 0, got {item}")
        return seed
    raise TypeError(f"{name} must be {want}, got {_describe(seed)}")


def check_dtype(dtype, name="dtype"):
    """Return np.dtype(dtype) if it is float32 or float64 (types, dtypes or names)."""
    if dtype is None or isinstance(dtype, bool):
        raise TypeError(f"{name} must be np.float64 or np.float32, got {dtype!r}")
    try:
        dt = np.dtype(dtype)
    except Exception:
        raise TypeError(f"{name} must be np.float64 or np.float32, got {_describe(dtype)}") from None
    if dt not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float64 or float32, got {dt}")
    return dt


def check_sizes(sizes):
    """Return the layer widths [n_in, h1, ..., n_out] as a list of ints, or raise.

    sizes: a list, tuple or 1-D integer array (something with an order) of
    2 to MAX_LAYERS positive ints, with at most MAX_PARAMETERS weights and
    biases in all. Checked before anything is allocated.
    """
    example = "a list of layer widths like [2, 8, 1]"
    if isinstance(sizes, np.ndarray):
        if sizes.ndim != 1:
            raise ValueError(f"sizes must be {example}, got an array of shape {sizes.shape}")
        if sizes.dtype.kind not in "iu":
            raise TypeError(f"sizes must be {example}, got an array of dtype {sizes.dtype}")
        sizes = sizes.tolist()
    if isinstance(sizes, (set, frozenset, dict)):
        raise TypeError(f"sizes must be {example}, got a {type(sizes).__name__}, which has no order")
    if not isinstance(sizes, (list, tuple, range)):
        raise TypeError(f"sizes must be {example}, got {_describe(sizes)}")
    if len(sizes) < 2:
        raise ValueError(
            f"sizes must list at least an input and an output width, like [2, 1], got {list(sizes)}"
        )
    if len(sizes) > MAX_LAYERS:
        raise ValueError(f"sizes may list at most {MAX_LAYERS} widths, got {len(sizes)}")
    for i, n in enumerate(sizes):
        check_positive_int(n, f"sizes[{i}]")
    sizes = [int(n) for n in sizes]
    check_parameter_count(sizes)
    return sizes


def check_parameter_count(sizes):
    """Raise a ValueError if a network of these widths exceeds MAX_PARAMETERS."""
    sizes = [int(n) for n in sizes]
    total = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    if total > MAX_PARAMETERS:
        raise ValueError(
            f"sizes {_short(sizes)} make a network of {total:,} weights and biases"
            f" ({8 * total / 2**30:,.1f} GiB in float64); the most mlp_lib builds is"
            f" {MAX_PARAMETERS:,}"
        )
    return total


def _short(sizes):
    text = str(list(sizes))
    return text if len(text) <= 60 else text[:57] + "...]"


def check_element_count(n, what):
    """Raise a ValueError if an array of ``n`` numbers would exceed MAX_ELEMENTS."""
    if n > MAX_ELEMENTS:
        raise ValueError(f"{what} would hold {n:,} numbers; the most mlp_lib makes is {MAX_ELEMENTS:,}")
    return n


# ---- targets and probabilities ---------------------------------------------
DISTRIBUTION_TOLERANCE = 1e-6
"""How far a cross-entropy target row may sum from 1 (times the number of columns)."""


def check_targets(T, loss_name, name="T"):
    """Check a finite target array against its loss; return it unchanged.

    binary_cross_entropy: every value in [0, 1] (a probability of class 1);
    cross_entropy: every row a distribution: values >= 0 summing to 1 within
    DISTRIBUTION_TOLERANCE * k (one-hot rows, or smoothed labels);
    mse: any finite number.
    """
    if loss_name == "binary_cross_entropy":
        check_unit_interval(T, name, "binary cross-entropy targets are probabilities of class 1")
    elif loss_name == "cross_entropy":
        check_distributions(T, name)
    return T


def check_unit_interval(values, name, why):
    """Raise a ValueError unless every value of a float array lies in [0, 1]."""
    if values.size and (values.min() < 0.0 or values.max() > 1.0):
        bad = np.flatnonzero((values.ravel() < 0) | (values.ravel() > 1))[0]
        index = tuple(int(i) for i in np.unravel_index(bad, values.shape))
        raise ValueError(
            f"{name} must lie in [0, 1] ({why}), got {values.ravel()[bad]:g} at index {index}"
        )
    return values


def check_distributions(T, name):
    """Raise a ValueError unless every row of T (m, k) is >= 0 and sums to 1."""
    if T.ndim != 2:
        raise ValueError(f"{name} must be (m, k), one distribution per row, got shape {T.shape}")
    if T.size and T.min() < 0.0:
        row = int(np.flatnonzero((T < 0).any(axis=1))[0])
        raise ValueError(
            f"{name} rows must be distributions over the classes (values >= 0 summing to 1,"
            f" e.g. one-hot), but row {row} has a negative value: {T[row].tolist()!s:.80}"
        )
    sums = T.sum(axis=1, dtype=np.float64)
    tol = DISTRIBUTION_TOLERANCE * max(1, T.shape[1])
    off = np.abs(sums - 1.0) > tol
    if off.any():
        row = int(np.flatnonzero(off)[0])
        raise ValueError(
            f"{name} rows must be distributions over the classes (values >= 0 summing to 1,"
            f" e.g. one-hot from mlp_lib.data.one_hot), but row {row} sums to {sums[row]:.6g}"
        )
    return T


# ---- results ---------------------------------------------------------------
def finite_result(compute, *args, what="the result", hint="scale the inputs down"):
    """compute(*args) with NumPy's overflow warnings silenced; the result must be finite.

    The result may be a number, an array, or a (nested) list/tuple of arrays.
    Returns it, or raises a ValueError saying that ``what`` overflows.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        result = compute(*args)
    if not _finite_tree(result):
        raise ValueError(
            f"{what} overflows: it is not finite in floating point (the inputs or weights are"
            f" too large for it); {hint}"
        )
    return result


def _finite_tree(value):
    if isinstance(value, (list, tuple)):
        return all(_finite_tree(v) for v in value)
    if value is None:
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    return _all_finite(np.asarray(value))


def scalar_result(value, name, finite=True):
    """A callable's return value as a float: one real number (finite unless finite=False)."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must return one number, got {_describe(value)}")
    if isinstance(value, numbers.Real):
        number = float(value)
    else:
        arr = as_real_array(value, f"the value {name} returned")
        if arr.size != 1 or arr.dtype == bool:
            raise TypeError(
                f"{name} must return one number (for example the sum or the mean), got an array of"
                f" shape {arr.shape}"
            )
        number = float(arr.reshape(()))
    if finite and not math.isfinite(number):
        raise ValueError(f"{name} returned {number}; it must return a finite number")
    return number


# ---- model arguments -------------------------------------------------------
def check_params(params, like, dtype, name="params"):
    """Validate [(W, b), ...] against ``like`` [(W, b), ...] (shapes); return float arrays.

    Every W and b must be a real, finite array of exactly the shape of its
    counterpart in ``like``, and finite still in ``dtype``.
    """
    if not isinstance(params, (list, tuple)):
        raise TypeError(f"{name} must be a list of (W, b) pairs, one per layer, got {_describe(params)}")
    if len(params) != len(like):
        raise ValueError(f"{name} must hold {len(like)} (W, b) pairs, got {len(params)}")
    checked = []
    for l, (pair, (W0, b0)) in enumerate(zip(params, like)):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise TypeError(f"{name}[{l}] must be a pair (W, b), got {_describe(pair)}")
        W = as_float_array(pair[0], f"{name}[{l}][0] (W)", dtype=dtype, allow_empty=True)
        b = as_float_array(pair[1], f"{name}[{l}][1] (b)", dtype=dtype, allow_empty=True)
        if W.shape != np.shape(W0) or b.shape != np.shape(b0):
            raise ValueError(
                f"{name}[{l}] must have shapes {np.shape(W0)} and {np.shape(b0)},"
                f" got {W.shape} and {b.shape}"
            )
        checked.append((W, b))
    return checked


def check_callbacks(callbacks):
    """None, one callback, or a list/tuple of them -> a list of callbacks.

    A callback has any of the methods on_train_begin, on_batch_end,
    on_epoch_end, on_train_end, or is a plain function (used as on_epoch_end).
    """
    if callbacks is None:
        return []
    if _is_callback(callbacks):
        return [callbacks]
    if not isinstance(callbacks, (list, tuple)):
        raise TypeError(
            "callbacks must be a list of callbacks (objects with on_epoch_end/on_batch_end"
            f" methods, or functions), got {_describe(callbacks)}"
        )
    for i, cb in enumerate(callbacks):
        if not _is_callback(cb):
            raise TypeError(
                f"each callback must have an on_epoch_end/on_batch_end method or be callable,"
                f" got callbacks[{i}] = {_describe(cb)}"
            )
    return list(callbacks)


def _is_callback(cb):
    hooks = ("on_train_begin", "on_batch_end", "on_epoch_end", "on_train_end")
    return callable(cb) or any(hasattr(cb, h) for h in hooks)


def check_fit_options(epochs, lr, batch_size, seed, momentum, shuffle):
    """The scalar options of MLP.fit: epochs int >= 0, lr > 0, batch_size int >= 1,
    seed (see check_seed), momentum in [0, 1), shuffle True/False.
    Returns (epochs, lr, batch_size) as Python int, float, int."""
    epochs = check_positive_int(epochs, "epochs", allow_zero=True)
    lr = check_positive_float(lr, "lr")
    batch_size = check_positive_int(batch_size, "batch_size")
    check_seed(seed)
    check_real(momentum, "momentum", 0.0, 1.0, high_open=True)
    check_bool(shuffle, "shuffle")
    return epochs, lr, batch_size


def all_weights_finite(layers):
    """True when every weight and bias of these layers is finite (training did not blow up)."""
    return all(_all_finite(layer.W) and _all_finite(layer.b) for layer in layers)


def check_input_scale(X, W, name="X"):
    """Refuse training inputs so large that X W overflows (fit cannot learn from them)."""
    fmax = float(np.finfo(X.dtype).max)
    # max and min, not abs(X): no temporary as large as the training set on every fit
    big = max(-float(X.min()), float(X.max())) if X.size else 0.0
    scale = max(1.0, float(np.max(np.abs(W))) if W.size else 0.0) * X.shape[1] * 1e3
    if big > fmax / scale:
        raise ValueError(
            f"{name} holds values up to {big:.3g}: too large to train on, since the first layer's"
            f" X W would overflow {X.dtype.name}; standardize the inputs (subtract the mean,"
            " divide by the standard deviation)"
        )


# ---- widgets -----------------------------------------------------------------
MAX_WIDGET_STEPS = 10_000
"""Most steps (frames) a widget computes up front: each is drawn on request, but computed now."""

MAX_GRID_STEPS = 401
"""Most grid points per axis of a widget's loss grid or decision-boundary grid."""

_UNSET = object()


def check_widget_options(*, seed=_UNSET, figsize=_UNSET, steps=_UNSET, allow_zero_steps=False,
                         most_steps=MAX_WIDGET_STEPS, grid_steps=_UNSET, momentum=_UNSET, bias=_UNSET,
                         log_scale=_UNSET, budget=_UNSET, delay=_UNSET):
    """The options widget constructors share, each checked when given.

    seed: see check_seed; figsize: None or (width, height) in inches, each
    finite and in (0, 100]; steps: an int >= 1 (>= 0 with allow_zero_steps)
    and <= most_steps; grid_steps: an int in 1..MAX_GRID_STEPS; momentum:
    a number in [0, 1); bias: a finite number; log_scale: True/False;
    budget: a number in (0, 1]; delay: a finite number of seconds >= 0.
    """
    if seed is not _UNSET:
        check_seed(seed)
    if figsize is not _UNSET and figsize is not None:
        if not isinstance(figsize, (list, tuple, np.ndarray)) or len(figsize) != 2:
            raise TypeError(f"figsize must be None or (width, height) in inches, got {_describe(figsize)}")
        for i, side in enumerate(figsize):
            check_real(side, f"figsize[{i}]", 0.0, 100.0, low_open=True)
    if steps is not _UNSET:
        check_positive_int(steps, "steps", allow_zero=allow_zero_steps, most=most_steps)
    if grid_steps is not _UNSET:
        check_positive_int(grid_steps, "grid_steps", most=MAX_GRID_STEPS)
    if momentum is not _UNSET:
        check_real(momentum, "momentum", 0.0, 1.0, high_open=True)
    if bias is not _UNSET:
        check_real(bias, "bias")
    if log_scale is not _UNSET:
        check_bool(log_scale, "log_scale")
    if budget is not _UNSET:
        check_real(budget, "budget", 0.0, 1.0, low_open=True)
    if delay is not _UNSET:
        check_real(delay, "delay", low=0.0)
