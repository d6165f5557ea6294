"""Seeded toy data sets and the bundled handwritten digits.

Every generator takes a seed and returns the same arrays for the same seed.
Samples are rows: X has shape (m, n). Class labels are ints of shape (m,);
``one_hot`` turns them into T of shape (m, k).
Nothing is downloaded: the digits come from the copy inside scikit-learn.
"""

import numpy as np

from mlp_lib._checks import check_positive_int


def linear_1d(m=50, w=2.0, b=-1.0, noise=0.5, seed=0):
    """One-feature regression data t = w x + b + noise.

    Returns X: (m, 1) with x in [-2, 2], t: (m,).
    """
    m = check_positive_int(m, "m")
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2.0, 2.0, size=m)
    t = w * x + b + noise * rng.standard_normal(m)
    return x.reshape(-1, 1), t


def blobs(m=200, distance=3.0, spread=1.0, seed=0):
    """Two Gaussian blobs in 2-D, linearly separable for large distance.

    Returns X: (m, 2), labels: (m,) ints in {0, 1}.
    """
    m = check_positive_int(m, "m")
    rng = np.random.default_rng(seed)
    labels = np.arange(m) % 2
    centres = np.array([[-distance / 2, -distance / 4], [distance / 2, distance / 4]])
    X = centres[labels] + spread * rng.standard_normal((m, 2))
    return X, labels


def xor(m=200, noise=0.15, seed=0):
    """The XOR problem: four clusters at the corners of [-1, 1]^2.

    Label 1 where the signs of x1 and x2 differ. No line separates the
    classes. Returns X: (m, 2), labels: (m,) ints in {0, 1}.
    """
    m = check_positive_int(m, "m")
    rng = np.random.default_rng(seed)
    corners = np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]], dtype=float)
    which = np.arange(m) % 4
    X = corners[which] + noise * rng.standard_normal((m, 2))
    labels = np.array([0, 1, 1, 0])[which]
    return X, labels


def moons(m=200, noise=0.1, seed=0):
    """Two interleaving half circles. Returns X: (m, 2), labels: (m,) in {0, 1}."""
    m = check_positive_int(m, "m")
    rng = np.random.default_rng(seed)
    labels = np.arange(m) % 2
    angle = rng.uniform(0.0, np.pi, size=m)
    upper = np.column_stack([np.cos(angle), np.sin(angle)])
    lower = np.column_stack([1.0 - np.cos(angle), 0.5 - np.sin(angle)])
    X = np.where(labels[:, None] == 0, upper, lower) + noise * rng.standard_normal((m, 2))
    return X, labels


def spiral(m_per_class=100, k=3, noise=0.2, seed=0):
    """k interleaved spiral arms (the CS231n toy set).

    Returns X: (m_per_class * k, 2), labels: (m_per_class * k,) in {0, ..., k-1}.
    """
    m_per_class = check_positive_int(m_per_class, "m_per_class")
    k = check_positive_int(k, "k")
    rng = np.random.default_rng(seed)
    r = np.tile(np.linspace(0.05, 1.0, m_per_class), k)
    labels = np.repeat(np.arange(k), m_per_class)
    theta = labels * (2 * np.pi / k) + r * 4.0 + noise * rng.standard_normal(r.size)
    X = np.column_stack([r * np.sin(theta), r * np.cos(theta)])
    return X, labels


def one_hot(labels, k=None):
    """Integer labels (m,) -> T: (m, k) with T[i, labels[i]] = 1."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"labels must be a 1-D array of ints, got shape {labels.shape}, dtype {labels.dtype}"
        )
    if labels.size and labels.min() < 0:
        raise ValueError(f"labels must be >= 0, got {labels.min()}")
    k = int(labels.max()) + 1 if k is None else check_positive_int(k, "k")
    if labels.size and labels.max() >= k:
        raise ValueError(f"labels must be < k = {k}, got {labels.max()}")
    T = np.zeros((labels.size, k))
    T[np.arange(labels.size), labels] = 1.0
    return T


def train_test_split(X, labels, test_fraction=0.25, seed=0):
    """Shuffle with ``seed`` and split, stratified by label.

    Returns X_train, X_test, labels_train, labels_test. Each class keeps the
    same share in both parts.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    X = np.asarray(X)
    labels = np.asarray(labels)
    if len(X) != len(labels):
        raise ValueError(f"X and labels must have the same number of rows, got {len(X)} and {len(labels)}")
    rng = np.random.default_rng(seed)
    test = []
    for c in np.unique(labels):
        rows = rng.permutation(np.flatnonzero(labels == c))
        test.extend(rows[: int(round(test_fraction * len(rows)))])
    is_test = np.zeros(len(X), dtype=bool)
    is_test[test] = True
    train_idx = rng.permutation(np.flatnonzero(~is_test))
    test_idx = rng.permutation(np.flatnonzero(is_test))
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
