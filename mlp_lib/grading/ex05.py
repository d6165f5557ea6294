"""Checks for exercises/ex05_training: iterate_minibatches, xavier_init, he_init, momentum_step, train."""

import numpy as np

from mlp_lib.grading._framework import (
    Call,
    Check,
    FunctionSpec,
    Mismatch,
    Rng,
    need_array,
    need_tuple,
    unchanged_check,
    value_judge,
)

# ---- iterate_minibatches(X, T, batch_size, rng)


def _mb_data(m, n=3, k=2):
    X = np.arange(m * n, dtype=float).reshape(m, n) / 10.0   # row i starts with 0.1 * n * i
    T = np.column_stack([np.arange(m, dtype=float)] + [-np.arange(m, dtype=float)] * (k - 1))
    return X, T


def _mb_calls():
    X, T = _mb_data(23)
    X2, T2 = _mb_data(20)
    return [Call("a", X, T, 5, Rng(1), post="materialize"),
            Call("a2", X, T, 5, Rng(1), post="materialize"),
            Call("b", X, T, 5, Rng(2), post="materialize"),
            Call("c", X2, T2, 7, Rng(3), post="materialize"),
            Call("d", X2, T2, 20, Rng(4), post="materialize")]


def _mb_parse(value, call):
    X, T, bs = call.args[:3]
    if value is None:
        raise Mismatch("nothing came back: iterate_minibatches must be a generator that yields (Xb, Tb)"
                       " pairs (use `yield`, not `return`)")
    if not isinstance(value, list):
        raise Mismatch(f"iterating over the result gave {type(value).__name__}, expected (Xb, Tb) pairs")
    batches = []
    for j, item in enumerate(value):
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise Mismatch(f"item {j} is {type(item).__name__}, expected a pair (Xb, Tb): yield Xb, Tb")
        Xb = np.asarray(item[0]) if isinstance(item[0], np.ndarray) else None
        Tb = np.asarray(item[1]) if isinstance(item[1], np.ndarray) else None
        if Xb is None or Tb is None or Xb.ndim != 2 or Tb.ndim != 2:
            raise Mismatch(f"batch {j}: Xb and Tb must be 2-D arrays with samples as rows, got"
                           f" {type(item[0]).__name__} and {type(item[1]).__name__}")
        if Xb.shape[1] != X.shape[1] or Tb.shape[1] != T.shape[1]:
            raise Mismatch(f"batch {j}: Xb has shape {Xb.shape} and Tb {Tb.shape};"
                           f" rows of X have {X.shape[1]}"
                           f" columns and rows of T {T.shape[1]}: slice rows, X[idx], not columns")
        if len(Xb) != len(Tb):
            raise Mismatch(f"batch {j}: Xb has {len(Xb)} rows but Tb {len(Tb)}: X and T must be sliced alike")
        if len(Xb) > bs:
            raise Mismatch(f"batch {j} has {len(Xb)} rows, more than batch_size = {bs}")
        batches.append((Xb, Tb))
    sizes = [len(b[0]) for b in batches]
    if sizes and any(s != bs for s in sizes[:-1]):
        raise Mismatch(f"batch sizes are {sizes} for m = {len(X)}, batch_size = {bs}: every batch but the"
                       " last must be full")
    return batches


def _rows(batches, X):
    firsts = np.concatenate([b[0][:, 0] for b in batches]) if batches else np.array([])
    return np.rint(firsts * 10 / X.shape[1]).astype(int)


def _mb_rows_judge(results):
    for r in results:
        X = r.call.args[0]
        m, bs = len(X), r.call.args[2]
        batches = _mb_parse(r.value, r.call)
        idx = _rows(batches, X)
        if len(idx) < m and len(set(idx.tolist())) == len(idx):
            short = m - len(idx)
            if short == m % bs:
                raise Mismatch(f"with m = {m} and batch_size = {bs}, {short} rows are missing: the last,"
                               " smaller batch is dropped. Yield the remainder too (range(0, m, batch_size)"
                               " with slices that may run past m).")
            raise Mismatch(f"with m = {m} and batch_size = {bs}, only {len(idx)} rows come out: mini-batches"
                           " drop rows; every row must appear exactly once per epoch")
        counts = np.bincount(idx, minlength=m) if len(idx) and idx.min() >= 0 else None
        if counts is None or len(counts) != m or np.any(counts != 1):
            raise Mismatch(f"with m = {m}, some rows appear twice and others never: draw a permutation of the"
                           " row indices (rng.permutation(m)), do not sample with replacement")


def _mb_pair_judge(results):
    for r in results:
        X = r.call.args[0]
        for Xb, Tb in _mb_parse(r.value, r.call):
            rows = np.rint(Xb[:, 0] * 10 / X.shape[1]).astype(int)
            if not np.array_equal(Tb[:, 0], rows.astype(float)):
                raise Mismatch("the rows of Xb and Tb no longer belong together: X and T are unpaired"
                               " (shuffled separately?). Index both with the same permutation:"
                               " X[idx], T[idx]")


def _mb_shuffle_judge(results):
    by = {r.call.key: r for r in results}
    X = by["a"].call.args[0]
    order = {k: _rows(_mb_parse(r.value, r.call), r.call.args[0]) for k, r in by.items()}
    if np.array_equal(order["a"], np.arange(len(X))):
        raise Mismatch("the rows come out in their original order: shuffle them each epoch with the rng"
                       " argument (idx = rng.permutation(m))")
    if not np.array_equal(order["a"], order["a2"]):
        raise Mismatch("two calls with the same rng seed give different orders: the shuffle ignores the rng"
                       " argument (np.random.* uses a global generator); use rng.permutation(m)")
    if np.array_equal(order["a"], order["b"]):
        raise Mismatch("rngs with different seeds give the same order: the shuffle must use rng")


ITERATE_MINIBATCHES = FunctionSpec("iterate_minibatches", ["X", "T", "batch_size", "rng"], [
    Check("yields (Xb, Tb) pairs of at most batch_size rows", _mb_calls,
          lambda rs: [_mb_parse(r.value, r.call) for r in rs], gate=True),
    Check("every row exactly once per epoch (none dropped)", _mb_calls, _mb_rows_judge),
    Check("rows of X and T stay paired", _mb_calls, _mb_pair_judge),
    Check("shuffled by rng (same seed, same order)", _mb_calls, _mb_shuffle_judge),
    unchanged_check(["X", "T", "batch_size", "rng"], _mb_calls),
])


# ---- xavier_init / he_init (n_in, n_out, rng)

def _init_calls():
    return [Call("big", 300, 200, Rng(5)), Call("big2", 300, 200, Rng(5)), Call("other", 60, 90, Rng(6)),
            Call("small", 64, 10, Rng(7))]


def _init_shape(value, call):
    return [need_array(value, (call.args[0], call.args[1]), "W")]


def _variance_judge(name, want, text_want):
    variants = [
        ("1 / n_in (LeCun's variance)", lambda a, b: 1.0 / a),
        ("2 / n_in (He's variance, meant for ReLU layers)", lambda a, b: 2.0 / a),
        ("2 / n_out (n_out where n_in belongs)", lambda a, b: 2.0 / b),
        ("1 / n_out", lambda a, b: 1.0 / b),
        ("2 / (n_in + n_out) (Xavier/Glorot's variance, meant for sigmoid and tanh layers)",
         lambda a, b: 2.0 / (a + b)),
        ("1 / (n_in + n_out): the 2 is missing", lambda a, b: 1.0 / (a + b)),
        ("6 / (n_in + n_out): the uniform limit sqrt(6 / (n_in + n_out)) was used as the standard deviation",
         lambda a, b: 6.0 / (a + b)),
        ("(2 / (n_in + n_out))^2: the variance was used as the standard deviation (missing square root)",
         lambda a, b: (2.0 / (a + b)) ** 2),
        ("(2 / n_in)^2: the variance was used as the standard deviation (missing square root)",
         lambda a, b: (2.0 / a) ** 2),
        ("1: the standard normal was not scaled", lambda a, b: 1.0),
        ("1e-4: small random numbers (std 0.01), not a scaled initialisation", lambda a, b: 1e-4),
    ]

    def judge(results):
        by = {r.call.key: r for r in results}
        stats = []
        for key in ("big", "other"):
            r = by[key]
            W = _init_shape(r.value, r.call)[0]
            a, b = r.call.args[:2]
            stats.append((a, b, float(W.var()), float(W.mean()), float(np.std(W))))
        for a, b, var, mean, std in stats:
            if std == 0:
                raise Mismatch(f"all weights are equal ({mean:g}): random numbers are needed to break the"
                               " symmetry between units")
            if abs(mean) > 5 * np.sqrt(var / (a * b)) + 1e-12:
                raise Mismatch(f"the mean of the weights is {mean:.4g}, not 0: draw from a distribution"
                               " centred on 0")
        def fits(f):
            return all(abs(var / f(a, b) - 1) < 0.1 for a, b, var, _, _ in stats)
        if fits(want):
            return
        for text, f in variants:
            if fits(f):
                raise Mismatch(f"the variance of the weights is {text}; {name} wants {text_want}")
        a, b, var, _, _ = stats[0]
        k = var / want(a, b)
        raise Mismatch(f"for n_in = {a}, n_out = {b} the weights have variance {var:.4g}, {k:.3g} times what"
                       f" {name} wants ({text_want} = {want(a, b):.4g}): the standard deviation is off"
                       " by a factor"
                       f" {np.sqrt(k):.3g} (std = sqrt(variance))")
    return judge


def _rng_judge(results):
    by = {r.call.key: r for r in results}
    w1 = _init_shape(by["big"].value, by["big"].call)[0]
    w2 = _init_shape(by["big2"].value, by["big2"].call)[0]
    if not np.array_equal(w1, w2):
        raise Mismatch("two calls with the same rng seed give different weights: draw from the rng argument"
                       " (rng.normal or rng.standard_normal), not from np.random")


def _init_spec(name, want, text_want):
    return FunctionSpec(name, ["n_in", "n_out", "rng"], [
        Check("shape (n_in, n_out)", _init_calls, lambda rs: [_init_shape(r.value, r.call) for r in rs],
              gate=True),
        Check(f"mean 0 and variance {text_want}", _init_calls, _variance_judge(name, want, text_want)),
        Check("drawn from rng (same seed, same weights)", _init_calls, _rng_judge),
    ])


XAVIER_INIT = _init_spec("xavier_init", lambda a, b: 2.0 / (a + b), "2 / (n_in + n_out)")
HE_INIT = _init_spec("he_init", lambda a, b: 2.0 / a, "2 / n_in")


# ---- momentum_step(param, grad, velocity, lr, beta)

def _ms_calls():
    rng = np.random.default_rng(501)
    return [Call(f"c{i}", rng.normal(size=s), rng.normal(size=s), rng.normal(size=s), lr, beta)
            for i, (s, lr, beta) in enumerate([((4, 3), 0.1, 0.9), ((5,), 0.05, 0.8), ((2, 2), 0.3, 0.5)])]


def _ms_parse(value, call):
    p = call.args[0]
    new_p, new_v = need_tuple(value, 2, ["new_param", "new_velocity"])
    return [need_array(new_p, p.shape, "new_param"), need_array(new_v, p.shape, "new_velocity")]


def _ms(c, bug=None):
    p, g, v, lr, beta = c.args
    nv = beta * v - lr * g
    if bug == "sign":
        nv = beta * v + lr * g
    if bug == "swap_lr_beta":
        nv = lr * v - beta * g
    if bug == "no_beta":
        nv = v - lr * g
    if bug == "beta_both":
        nv = beta * (v - lr * g)
    np_ = p + nv
    if bug == "old_v":
        np_ = p + v
    if bug == "minus_v":
        np_ = p - nv
    if bug == "sgd":
        np_ = p - lr * g
    if bug == "swapped":
        return [nv, np_]
    return [np_, nv]


MS_MISTAKES = [
    ("the velocity adds + lr * g: with p <- p + v that climbs the gradient; a sign is flipped"
     " (v <- beta v - lr g)", lambda c: _ms(c, "sign")),
    ("the parameter moves with the old velocity: update v first (v <- beta v - lr g), then p <- p + v with"
     " the new v (the order of the two updates is swapped)", lambda c: _ms(c, "old_v")),
    ("p <- p - v: with v <- beta v - lr g the update is p <- p + v (a sign is flipped)",
     lambda c: _ms(c, "minus_v")),
    ("lr and beta are swapped: v <- beta v - lr g", lambda c: _ms(c, "swap_lr_beta")),
    ("beta is missing: v <- beta v - lr g", lambda c: _ms(c, "no_beta")),
    ("beta multiplies the gradient step too: v <- beta v - lr g, not beta (v - lr g)",
     lambda c: _ms(c, "beta_both")),
    ("the parameter takes a plain gradient step p - lr g; with momentum p <- p + v", lambda c: _ms(c, "sgd")),
    ("the two results are swapped: return (new_param, new_velocity)", lambda c: _ms(c, "swapped")),
]

MOMENTUM_STEP = FunctionSpec("momentum_step", ["param", "grad", "velocity", "lr", "beta"], [
    Check("returns (new_param, new_velocity) shaped like param", _ms_calls,
          lambda rs: [_ms_parse(r.value, r.call) for r in rs], gate=True),
    Check("values on random cases", _ms_calls,
          value_judge(_ms_parse, _ms, MS_MISTAKES, ["new_param", "new_velocity"], lambda c: 1e9)),
    unchanged_check(["param", "grad", "velocity", "lr", "beta"], _ms_calls),
])


# ---- train(X, T, ...)

_DIGITS = {}


def digits_split():
    """The split of exercise 05 (``mlp_lib.data.digits(0.25, seed=0)``): X_train, T_train (one-hot),
    X_test, labels_test."""
    if not _DIGITS:
        from mlp_lib import data

        X_train, X_test, l_train, l_test = data.digits(test_fraction=0.25, seed=0)
        _DIGITS.update(X_train=X_train, T_train=data.one_hot(l_train, 10), X_test=X_test, l_test=l_test)
    d = _DIGITS
    return d["X_train"], d["T_train"], d["X_test"], d["l_test"]


def _train_calls():
    X, T, X_test, _ = digits_split()
    return [Call("digits", X.copy(), T.copy(), post=("predict", X_test))]


def _predicted_labels(value, m):
    if value is None:
        raise Mismatch("the model's predict(X_test) returned None")
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
        raise Mismatch(f"the model's predict(X_test) gave {type(value).__name__}, expected an array of"
                       f" shape ({m}, 10)")
    if value.shape == (m, 10):
        return value.argmax(axis=1)
    if value.shape == (m,):
        return value.astype(int)
    raise Mismatch(f"the model's predict(X_test) has shape {value.shape}, expected ({m}, 10)"
                   " (class scores) or ({m},) (labels)")


def _train_shape(results):
    m = len(digits_split()[2])
    _predicted_labels(results[0].value, m)


def _train_accuracy(results):
    labels = digits_split()[3]
    pred = _predicted_labels(results[0].value, len(labels))
    acc = float(np.mean(pred == labels))
    if acc < 0.95:
        hint = ""
        if acc < 0.2:
            hint = (" That is chance level: the network did not learn (a sign flipped in the update, a"
                    " learning rate far off, X and T unpaired in the mini-batches, or all-zero weights?)")
        hint = hint or " Train longer or tune lr."
        raise Mismatch(f"test accuracy {100 * acc:.1f} %, needs >= 95 %.{hint}")


TRAIN = FunctionSpec("train", ["X", "T"], [
    Check("returns a model whose predict(X) gives (m, 10) class scores", _train_calls, _train_shape,
          gate=True),
    Check("test accuracy >= 95 % on the digits split", _train_calls, _train_accuracy, points=2.0),
    unchanged_check(["X", "T"], _train_calls),
])

FUNCTIONS = [ITERATE_MINIBATCHES, XAVIER_INIT, HE_INIT, MOMENTUM_STEP, TRAIN]
