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

import numbers

import numpy as np


def xavier(n_in, n_out, rng, dtype=np.float64):
    """Glorot/Xavier normal: std = sqrt(2 / (n_in + n_out)); -> (n_in, n_out)."""
    return (rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / (n_in + n_out))).astype(dtype)


def he(n_in, n_out, rng, dtype=np.float64):
    """He normal: std = sqrt(2 / n_in); -> (n_in, n_out)."""
    return (rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)).astype(dtype)


def small(n_in, n_out, rng, dtype=np.float64):
    """N(0, 0.01**2); -> (n_in, n_out)."""
    return (rng.standard_normal((n_in, n_out)) * 0.01).astype(dtype)


def zeros(n_in, n_out, rng, dtype=np.float64):
    """All zeros; -> (n_in, n_out). Shown in chapter 05 as what NOT to do."""
    return np.zeros((n_in, n_out), dtype=dtype)


INITIALIZERS = {"xavier": xavier, "he": he, "small": small, "zeros": zeros}


def get_initializer(init):
    """Return an initialiser function for a name in INITIALIZERS or a positive std."""
    if isinstance(init, numbers.Real) and not isinstance(init, bool):
        if not np.isfinite(init) or init <= 0:
            raise ValueError(f"init as a number is a standard deviation and must be > 0, got {init}")
        std = float(init)
        return lambda n_in, n_out, rng, dtype=np.float64: (
            rng.standard_normal((n_in, n_out)) * std
        ).astype(dtype)
    if not isinstance(init, str) or init not in INITIALIZERS:
        raise ValueError(
            f"unknown init {init!r}; valid names are: {', '.join(sorted(INITIALIZERS))}"
            " (or a positive float: the standard deviation of a normal init)"
        )
    return INITIALIZERS[init]
