"""Weight initialisers, chosen by name: one table, no if/elif at call sites.

Each takes (n_in, n_out, rng, dtype) and returns W: (n_in, n_out).
Biases always start at zero.

- ``xavier`` (Glorot): N(0, 2 / (n_in + n_out)); keeps the variance of the
  signal steady through sigmoid and tanh layers.
- ``he``: N(0, 2 / n_in); the same for ReLU, which zeroes half its inputs.
- ``small``: N(0, 0.01**2); the classic "small random numbers".
- ``zeros``: all zeros; every hidden unit stays identical (the symmetry problem).

A positive float is also accepted wherever an initialiser name is: it is the
standard deviation of a plain N(0, std**2) initialisation.
"""

import numpy as np

from mlp_lib._checks import check_dtype, check_parameter_count, check_positive_int, check_real


def _check(n_in, n_out, rng, dtype):
    """n_in, n_out: ints >= 1 (at most MAX_PARAMETERS weights); rng: a numpy Generator."""
    n_in, n_out = check_positive_int(n_in, "n_in"), check_positive_int(n_out, "n_out")
    check_parameter_count([n_in, n_out])
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy Generator (np.random.default_rng(seed)), got {type(rng).__name__}"
        )
    return n_in, n_out, check_dtype(dtype)


def _normal(n_in, n_out, rng, dtype, std):
    """N(0, std**2) weights (n_in, n_out) in dtype; a ValueError if they overflow it."""
    n_in, n_out, dtype = _check(n_in, n_out, rng, dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        W = (rng.standard_normal((n_in, n_out)) * std).astype(dtype)
    if not np.isfinite(W).all():
        raise ValueError(
            f"an init standard deviation of {std:g} gives weights beyond the range of {dtype.name}"
        )
    return W


def xavier(n_in, n_out, rng, dtype=np.float64):
    """Glorot/Xavier normal: std = sqrt(2 / (n_in + n_out)); -> (n_in, n_out)."""
    n_in, n_out, dtype = _check(n_in, n_out, rng, dtype)
    return _normal(n_in, n_out, rng, dtype, np.sqrt(2.0 / (n_in + n_out)))


def he(n_in, n_out, rng, dtype=np.float64):
    """He normal: std = sqrt(2 / n_in); -> (n_in, n_out)."""
    n_in, n_out, dtype = _check(n_in, n_out, rng, dtype)
    return _normal(n_in, n_out, rng, dtype, np.sqrt(2.0 / n_in))


def small(n_in, n_out, rng, dtype=np.float64):
    """N(0, 0.01**2); -> (n_in, n_out)."""
    return _normal(n_in, n_out, rng, dtype, 0.01)


def zeros(n_in, n_out, rng, dtype=np.float64):
    """All zeros; -> (n_in, n_out). Shown in chapter 05 as what NOT to do."""
    n_in, n_out, dtype = _check(n_in, n_out, rng, dtype)
    return np.zeros((n_in, n_out), dtype=dtype)


INITIALIZERS = {"xavier": xavier, "he": he, "small": small, "zeros": zeros}


def get_initializer(init):
    """Return an initialiser function for a name in INITIALIZERS or a positive std.

    init: one of the names, or a finite real number > 0 (bools refused).
    """
    if isinstance(init, (int, float, np.integer, np.floating)) and not isinstance(init, (bool, np.bool_)):
        std = check_real(init, "init (a standard deviation)", low=0.0, low_open=True)
        return lambda n_in, n_out, rng, dtype=np.float64: _normal(n_in, n_out, rng, dtype, std)
    if not isinstance(init, str) or init not in INITIALIZERS:
        raise ValueError(
            f"unknown init {init!r:.60}; valid names are: {', '.join(sorted(INITIALIZERS))}"
            " (or a positive float: the standard deviation of a normal init)"
        )
    return INITIALIZERS[init]
