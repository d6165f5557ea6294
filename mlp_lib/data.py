"""Seeded toy data sets and the bundled handwritten digits.

Every generator takes a seed and returns the same arrays for the same seed.
Samples are rows: X has shape (m, n). Class labels are ints of shape (m,);
``one_hot`` turns them into T of shape (m, k).
Nothing is downloaded: the digits come from the copy inside scikit-learn.
"""

import numpy as np

from mlp_lib._checks import (
    MAX_ELEMENTS,
    as_float_array,
    as_real_array,
    check_element_count,
    check_positive_int,
    check_real,
    check_seed,
    finite_result,
)


def _samples(m, name="m", per_sample=2):
    """m as a positive int whose data set stays within MAX_ELEMENTS numbers."""
    return check_positive_int(m, name, most=MAX_ELEMENTS // per_sample)


def _noise(noise, name="noise"):
    """A noise level: a finite real number >= 0."""
    return check_real(noise, name, low=0.0)


def linear_1d(m=50, w=2.0, b=-1.0, noise=0.5, seed=0):
    """One-feature regression data t = w x + b + noise.

    m: int >= 1; w, b: finite numbers; noise: finite, >= 0; seed: see
    ``np.random.default_rng``. Returns X: (m, 1) with x in [-2, 2], t: (m,).
    Raises a ValueError if t overflows float64 (|w|, |b| or noise near 1e308).
    """
    m = _samples(m)
    w, b, noise = check_real(w, "w"), check_real(b, "b"), _noise(noise)
    rng = np.random.default_rng(check_seed(seed))
    x = rng.uniform(-2.0, 2.0, size=m)
    t = finite_result(lambda: w * x + b + noise * rng.standard_normal(m), what="t = w x + b + noise",
                      hint="choose smaller w, b or noise")
    return x.reshape(-1, 1), t


def blobs(m=200, distance=3.0, spread=1.0, seed=0):
    """Two Gaussian blobs in 2-D, linearly separable for large distance.

    m: int >= 1; distance, spread: finite numbers >= 0.
    Returns X: (m, 2), labels: (m,) ints in {0, 1}.
    """
    m = _samples(m)
    distance, spread = _noise(distance, "distance"), _noise(spread, "spread")
    rng = np.random.default_rng(check_seed(seed))
    labels = np.arange(m) % 2
    centres = np.array([[-distance / 2, -distance / 4], [distance / 2, distance / 4]])
    X = finite_result(lambda: centres[labels] + spread * rng.standard_normal((m, 2)), what="X",
                      hint="choose a smaller distance or spread")
    return X, labels


def xor(m=200, noise=0.15, seed=0):
    """The XOR problem: four clusters at the corners of [-1, 1]^2.

    Label 1 where the signs of x1 and x2 differ. No line separates the
    classes. m: int >= 1; noise: finite, >= 0.
    Returns X: (m, 2), labels: (m,) ints in {0, 1}.
    """
    m = _samples(m)
    noise = _noise(noise)
    rng = np.random.default_rng(check_seed(seed))
    corners = np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]], dtype=float)
    which = np.arange(m) % 4
    X = finite_result(lambda: corners[which] + noise * rng.standard_normal((m, 2)), what="X",
                      hint="choose a smaller noise")
    labels = np.array([0, 1, 1, 0])[which]
    return X, labels


def moons(m=200, noise=0.1, seed=0):
    """Two interleaving half circles; m: int >= 1; noise: finite, >= 0.

    Returns X: (m, 2), labels: (m,) in {0, 1}.
    """
    m = _samples(m)
    noise = _noise(noise)
    rng = np.random.default_rng(check_seed(seed))
    labels = np.arange(m) % 2
    angle = rng.uniform(0.0, np.pi, size=m)
    upper = np.column_stack([np.cos(angle), np.sin(angle)])
    lower = np.column_stack([1.0 - np.cos(angle), 0.5 - np.sin(angle)])
    X = finite_result(lambda: np.where(labels[:, None] == 0, upper, lower)
                      + noise * rng.standard_normal((m, 2)), what="X", hint="choose a smaller noise")
    return X, labels


def spiral(m_per_class=100, k=3, noise=0.2, seed=0):
    """k interleaved spiral arms (the CS231n toy set).

    m_per_class, k: ints >= 1; noise: finite, >= 0 (in radians).
    Returns X: (m_per_class * k, 2), labels: (m_per_class * k,) in {0, ..., k-1}.
    """
    m_per_class = _samples(m_per_class, "m_per_class")
    k = _samples(k, "k")
    check_element_count(2 * m_per_class * k, "spiral(m_per_class, k)'s X")
    noise = _noise(noise)
    rng = np.random.default_rng(check_seed(seed))
    r = np.tile(np.linspace(0.05, 1.0, m_per_class), k)
    labels = np.repeat(np.arange(k), m_per_class)
    theta = labels * (2 * np.pi / k) + r * 4.0 + noise * rng.standard_normal(r.size)
    if not np.isfinite(theta).all():  # noise near 1e308: sin and cos of inf are NaN
        raise ValueError(f"noise={noise:g} is too large: the angles overflow; choose a smaller noise")
    X = np.column_stack([r * np.sin(theta), r * np.cos(theta)])
    return X, labels


def one_hot(labels, k=None):
    """Integer labels (m,) -> T: (m, k) with T[i, labels[i]] = 1.

    labels: 1-D ints >= 0 (a list or an int array; whole-number floats such as
    1.0 are accepted too); k: the number of classes, an int > every label
    (default: the largest label + 1; needed when labels is empty).
    """
    labels = _labels(labels)
    if k is None:
        if labels.size == 0:
            raise ValueError("labels is empty: give the number of classes k")
        k = int(labels.max()) + 1
    k = check_positive_int(k, "k")
    check_element_count(labels.size * k, f"one_hot's T ({labels.size} rows x {k} classes)")
    if labels.size and labels.max() >= k:
        raise ValueError(f"labels must be < k = {k}, got {labels.max()}")
    T = np.zeros((labels.size, k))
    T[np.arange(labels.size), labels] = 1.0
    return T


def _labels(labels, name="labels"):
    """Class labels as a 1-D int64 array of values >= 0, or a clear error."""
    arr = as_real_array(labels, name)
    if arr.ndim != 1:
        hint = "; for one-hot rows use T.argmax(axis=1)" if arr.ndim == 2 else ""
        raise ValueError(f"{name} must be a 1-D array of class labels (ints), got shape {arr.shape}{hint}")
    if arr.dtype.kind == "b":
        raise TypeError(f"{name} must be ints, got dtype bool (use labels.astype(int))")
    if arr.dtype.kind == "f":
        arr = as_float_array(arr, name, allow_empty=True)
        if not np.all(arr == np.round(arr)):
            bad = arr[arr != np.round(arr)][0]
            raise ValueError(f"{name} must be whole numbers (class indices), got {bad}")
    if arr.size and arr.min() < 0:
        raise ValueError(f"{name} must be >= 0, got {arr.min()}")
    if arr.size and arr.max() >= MAX_ELEMENTS:
        raise ValueError(f"{name} must be class indices below {MAX_ELEMENTS:,}, got {arr.max()}")
    return arr.astype(np.int64)


def train_test_split(X, labels, test_fraction=0.25, seed=0):
    """Shuffle with ``seed`` and split, stratified by label.

    X: (m, n) finite numbers; labels: (m,) class labels (see ``one_hot``);
    test_fraction: a number strictly between 0 and 1.
    Returns X_train, X_test, labels_train, labels_test. Each class keeps the
    same share in both parts; both parts must get at least one row.
    """
    test_fraction = check_real(test_fraction, "test_fraction", 0.0, 1.0, low_open=True, high_open=True)
    X = as_float_array(X, "X", ndim=2, dtype=None)
    original_labels = labels
    labels = _labels(labels)
    if len(X) != len(labels):
        raise ValueError(f"X and labels must have the same number of rows, got {len(X)} and {len(labels)}")
    rng = np.random.default_rng(check_seed(seed))
    test = []
    for c in np.unique(labels):
        rows = rng.permutation(np.flatnonzero(labels == c))
        test.extend(rows[: int(round(test_fraction * len(rows)))])
    is_test = np.zeros(len(X), dtype=bool)
    is_test[test] = True
    if is_test.all() or not is_test.any():
        raise ValueError(
            f"test_fraction={test_fraction:g} of {len(X)} rows leaves the "
            f"{'training' if is_test.all() else 'test'} part empty; use more rows or another fraction"
        )
    train_idx = rng.permutation(np.flatnonzero(~is_test))
    test_idx = rng.permutation(np.flatnonzero(is_test))
    labels = np.asarray(original_labels)  # returned as given (ints stay ints)
    return X[train_idx], X[test_idx], labels[train_idx], labels[test_idx]


def _load_digits():
    """All 1,797 digits as (X: (1797, 64) pixels 0..16, labels: (1797,)).

    Read straight from the CSV file that scikit-learn bundles, which is what
    ``sklearn.datasets.load_digits`` reads too, without paying the second it
    takes to import scikit-learn; ``load_digits`` is the fallback.
    """
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("sklearn")
    path = Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz" if spec else None
    if path is not None and path.exists():
        raw = np.loadtxt(path, delimiter=",")
        return raw[:, :-1], raw[:, -1].astype(np.int64)
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return bunch.data, bunch.target.astype(np.int64)


def digits(test_fraction=0.25, seed=0):
    """The 8x8 handwritten digits bundled with scikit-learn (1,797 images).

    Pixels are scaled to [0, 1]. Returns X_train: (m_train, 64),
    X_test: (m_test, 64), labels_train: (m_train,), labels_test: (m_test,),
    a stratified split that is the same for the same seed. Reshape a row
    with ``x.reshape(8, 8)`` to see the image. Nothing is downloaded.
    """
    X, labels = _load_digits()
    return train_test_split(X / 16.0, labels, test_fraction, seed)
