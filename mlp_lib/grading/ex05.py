"""Checks for exercises/ex05_training: iterate_minibatches, xavier_init, he_init, momentum_step, train."""

import numpy as np

from mlp_lib.grading._framework import Call, Check, Mismatch, Rng, graded, need_array

# ---- iterate_minibatches(X, T, batch_size, rng)


def _mb_data(m, n=3, k=2):
    X = np.arange(m * n, dtype=float).reshape(m, n) / 10.0   # row i starts with 0.1 * n * i
    T = np.column_stack([np.arange(m, dtype=float)] + [-np.arange(m, dtype=float)] * (k - 1))
    return X, T


def _mb_cases(rng):
    s = [int(v) for v in rng.integers(0, 2 ** 31, size=5)]
    X, T = _mb_data(23)
    X2, T2 = _mb_data(20)
    return [Call(key, *data, bs, Rng(seed), post="materialize") for key, data, bs, seed in [
        ("a", (X, T), 5, s[0]), ("a2", (X, T), 5, s[0]), ("b", (X, T), 5, s[1]), ("c", (X2, T2), 7, s[2]),
        ("d", (X2, T2), 20, s[3]), ("e", (X2, T2), 5, s[4])]]


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
        Xb, Tb = item
        if not isinstance(Xb, np.ndarray) or not isinstance(Tb, np.ndarray) or Xb.ndim != 2 or Tb.ndim != 2:
            raise Mismatch(f"batch {j}: Xb and Tb must be 2-D arrays with samples as rows, got"
                           f" {type(Xb).__name__} and {type(Tb).__name__}")
        if Xb.shape[1] != X.shape[1] or Tb.shape[1] != T.shape[1]:
            raise Mismatch(f"batch {j}: Xb has shape {Xb.shape} and Tb {Tb.shape}; rows of X have"
                           f" {X.shape[1]} columns and rows of T {T.shape[1]}: slice rows, X[idx], not"
                           f" columns")
        if len(Xb) != len(Tb):
            raise Mismatch(f"batch {j}: Xb has {len(Xb)} rows but Tb {len(Tb)}: X and T must be sliced alike")
        if len(Xb) == 0 and j == len(value) - 1 and len(X) % bs == 0:
            raise Mismatch(f"batch {j} is empty (m = {len(X)}, batch_size = {bs}): when batch_size divides m"
                           f" the loop runs once too often (range(m // batch_size + 1)?); use range(0, m,"
                           " batch_size)")
        if len(Xb) == 0:
            raise Mismatch(f"batch {j} is empty (m = {len(X)}, batch_size = {bs}): a slice that ends before it"
                           " starts? Batch j holds order[start:start + batch_size] with start = j * batch_size")
        batches.append((Xb, Tb))
    if len(X) > bs and any(len(b[0]) >= 2 * bs or len(b[0]) == len(X) for b in batches):
        raise Mismatch(f"batch sizes are {[len(b[0]) for b in batches]} for m = {len(X)}, batch_size = {bs}:"
                       " mini-batches hold about batch_size rows each")
    return batches


def _rows(batches, X):
    firsts = np.concatenate([b[0][:, 0] for b in batches]) if batches else np.array([])
    return np.rint(firsts * 10 / X.shape[1]).astype(int)


def _own_rows(batches, X, T):
    """Mismatch unless every batch row is a row of X (and of T), unchanged."""
    for j, (Xb, Tb) in enumerate(batches):
        for part, full, name in ((Xb, X, "X"), (Tb, T, "T")):
            rows = {tuple(row) for row in full.tolist()}
            if any(tuple(row) not in rows for row in part.tolist()):
                raise Mismatch(f"batch {j} holds rows that are not rows of {name}: the values were changed"
                               f" (scaled or computed); a batch is a selection of {name}'s rows, {name}[idx],"
                               " unchanged")


def _mb_rows_judge(results):
    for r in results:
        X, m, bs = r.call.args[0], len(r.call.args[0]), r.call.args[2]
        batches = _mb_parse(r.value, r.call)
        _own_rows(batches, X, r.call.args[1])
        idx = _rows(batches, X)
        if len(idx) < m and len(set(idx.tolist())) == len(idx):
            short = m - len(idx)
            if short == m % bs:
                raise Mismatch(f"with m = {m} and batch_size = {bs}, {short} rows are missing: the last,"
                               f" smaller batch is dropped. Yield the remainder too (range(0, m, batch_size)"
                               " with slices that may run past m).")
            raise Mismatch(f"with m = {m} and batch_size = {bs}, only {len(idx)} rows come out: mini-batches"
                           " drop rows; every row must appear exactly once per epoch")
        counts = np.bincount(idx, minlength=m) if len(idx) and idx.min() >= 0 else None
        if counts is None or len(counts) != m or np.any(counts != 1):
            raise Mismatch(f"with m = {m}, some rows appear twice (duplicated) and others never: draw a"
                           " permutation of the row indices, idx = rng.permutation(m), and index with it; do"
                           " not sample with replacement, and do not shuffle a NumPy array with Python's"
                           " random.shuffle (it swaps views, which repeats rows)")


def _mb_pair_judge(results):
    for r in results:
        X = r.call.args[0]
        batches = _mb_parse(r.value, r.call)
        _own_rows(batches, X, r.call.args[1])
        for Xb, Tb in batches:
            rows = np.rint(Xb[:, 0] * 10 / X.shape[1]).astype(int)
            if not np.array_equal(Tb[:, 0], rows.astype(float)):
                raise Mismatch("the rows of Xb and Tb no longer belong together: X and T are unpaired"
                               " (rows and targets shuffled separately). Index both with the same"
                               " permutation: X[idx], T[idx]")


def _mb_shuffle_judge(results):
    by = {r.call.key: r for r in results}
    X = by["a"].call.args[0]
    order = {k: _rows(_mb_parse(r.value, r.call), r.call.args[0]) for k, r in by.items()}
    if np.array_equal(order["a"], np.arange(len(X))):
        raise Mismatch("the rows come out in their original order: shuffle them each epoch with the rng"
                       " argument (idx = rng.permutation(m))")
    if np.array_equal(order["a"], order["b"]):
        raise Mismatch("two calls with differently seeded rngs give the same order: the rows are shuffled"
                       " once (a fixed order, or a global seed), not by the rng of each call; each epoch"
                       " needs a new permutation, idx = rng.permutation(m)")
    if not np.array_equal(order["a"], order["a2"]):
        raise Mismatch("two calls with the same rng seed give different orders: the shuffle ignores the rng"
                       " argument (np.random.* uses a global generator); use rng.permutation(m)")


def _mb_ref(X, T, batch_size, rng):
    order = rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        yield X[order[start:start + batch_size]], T[order[start:start + batch_size]]


def _mb_check(title, judge):
    return lambda make_calls, parse: Check(title, make_calls, judge)


ITERATE_MINIBATCHES = graded(
    "iterate_minibatches", "X, T, batch_size, rng", _mb_cases, _mb_parse, _mb_ref, seed=501,
    judge=_mb_rows_judge, shape="(Xb, Tb) pairs of about batch_size rows",
    values="every row exactly once per epoch (none dropped)", extra=[
        _mb_check("rows of X and T stay paired", _mb_pair_judge),
        _mb_check("shuffled by rng (same seed, same order)", _mb_shuffle_judge)])


# ---- xavier_init / he_init (n_in, n_out, rng)

def _init_cases(rng):
    s = [int(v) for v in rng.integers(0, 2 ** 31, size=3)]
    return [Call("big", 300, 200, Rng(s[0])), Call("big2", 300, 200, Rng(s[0])),
            Call("other", 60, 90, Rng(s[1])), Call("small", 64, 10, Rng(s[2]))]


VARIANCES = {
    "1 / n_in (LeCun's variance)": lambda a, b: 1.0 / a,
    "2 / n_in (He's variance, meant for ReLU layers)": lambda a, b: 2.0 / a,
    "2 / n_out (n_out where n_in belongs)": lambda a, b: 2.0 / b,
    "1 / n_out": lambda a, b: 1.0 / b,
    "2 / (n_in + n_out) (Xavier/Glorot's variance, meant for sigmoid and tanh layers)":
        lambda a, b: 2.0 / (a + b),
    "1 / (n_in + n_out): the 2 is missing": lambda a, b: 1.0 / (a + b),
    "6 / (n_in + n_out): the uniform limit sqrt(6 / (n_in + n_out)) was used as the standard deviation":
        lambda a, b: 6.0 / (a + b),
    "(2 / (n_in + n_out))^2: the variance was used as the standard deviation (missing square root)":
        lambda a, b: (2.0 / (a + b)) ** 2,
    "(2 / n_in)^2: the variance was used as the standard deviation (missing square root)":
        lambda a, b: (2.0 / a) ** 2,
    "1: the standard normal was not scaled": lambda a, b: 1.0,
    "2 / (n_in + n_out)^2: the square root covers only the 2, sqrt(2) / (n_in + n_out); the standard"
    " deviation is sqrt(2 / (n_in + n_out))": lambda a, b: 2.0 / (a + b) ** 2,
    "2 / n_in^2: the square root covers only the 2, sqrt(2) / n_in; the standard deviation is sqrt(2 / n_in)":
        lambda a, b: 2.0 / a ** 2,
    "2 / n_in + n_out: the parentheses around (n_in + n_out) are missing (operator precedence)":
        lambda a, b: 2.0 / a + b,
    "3 / (n_in + n_out): a constant of the uniform form (U(-r, r) has variance r^2 / 3); Xavier's normal form"
    " has variance 2 / (n_in + n_out)": lambda a, b: 3.0 / (a + b),
    "4 / n_in: the factor 2 multiplies the standard deviation, but it belongs to the variance, inside the"
    " square root (std = sqrt(2 / n_in))": lambda a, b: 4.0 / a,
    "4 / (n_in + n_out): the factor 2 multiplies the standard deviation, but it belongs to the variance,"
    " inside the square root (std = sqrt(2 / (n_in + n_out)))": lambda a, b: 4.0 / (a + b),
    "1e-4: small random numbers (std 0.01), not a scaled initialisation": lambda a, b: 1e-4,
}


def _weights(r):
    W = need_array(r.value, r.call.args[:2], "W")
    if not np.all(np.isfinite(W)):
        raise Mismatch("the weights contain NaN or inf: a negative number raised to a fractional power"
                       " (** where * belongs?) or a division by 0")
    return W


def _variance_judge(name, want, text_want):
    def judge(results):
        stats = []
        for r in results:
            if r.call.key in ("big", "other"):
                W = _weights(r)
                a, b = r.call.args[:2]
                stats.append((a, b, float(W.var()), float(W.mean()), float(np.std(W))))
        for a, b, var, mean, std in stats:
            if std == 0:
                raise Mismatch(f"all weights are equal ({mean:g}): random numbers are needed to break the"
                               " symmetry between units")
            if abs(mean) > 5 * np.sqrt(var / (a * b)) + 1e-12:
                raise Mismatch(f"the mean of the weights is {mean:.4g}, not 0: draw from a distribution"
                               f" centred on 0")

        def fits(f):
            return all(abs(var / f(a, b) - 1) < 0.1 for a, b, var, _, _ in stats)
        if fits(want):
            return
        for text, f in VARIANCES.items():
            if fits(f):
                raise Mismatch(f"the variance of the weights is {text}; {name} wants {text_want}")
        a, b, var, _, _ = stats[0]
        k = var / want(a, b)
        raise Mismatch(f"for n_in = {a}, n_out = {b} the weights have variance {var:.4g}, {k:.3g} times what"
                       f" {name} wants ({text_want} = {want(a, b):.4g}): the standard deviation is off by a"
                       f" factor {np.sqrt(k):.3g} (std = sqrt(variance))")
    return judge


def _rng_judge(results):
    by = {r.call.key: r for r in results}
    if not np.array_equal(_weights(by["big"]), _weights(by["big2"])):
        raise Mismatch("two calls with the same rng seed give different weights: draw from the rng argument"
                       " (rng.normal or rng.standard_normal), not from np.random")


def _init_spec(name, want, text_want, seed):
    return graded(name, "n_in, n_out, rng", _init_cases, [("W", lambda a, b, rng: (a, b))],
                  lambda a, b, rng: rng.standard_normal((a, b)) * np.sqrt(want(a, b)), seed=seed,
                  judge=_variance_judge(name, want, text_want), shape="shape (n_in, n_out)",
                  values=f"mean 0 and variance {text_want}", mutates=True, extra=[
                      lambda make_calls, parse: Check("drawn from rng (same seed, same weights)", make_calls,
                                                      _rng_judge, role="property")])


XAVIER_INIT = _init_spec("xavier_init", lambda a, b: 2.0 / (a + b), "2 / (n_in + n_out)", 502)
HE_INIT = _init_spec("he_init", lambda a, b: 2.0 / a, "2 / n_in", 503)


# ---- momentum_step(param, grad, velocity, lr, beta)

def _ms_cases(rng):
    out = [(rng.normal(size=s), rng.normal(size=s), rng.normal(size=s), lr, beta)
           for s, lr, beta in [((4, 3), 0.1, 0.9), ((5,), 0.05, 0.8), ((2, 2), 0.3, 0.5)]]
    return out + [(rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), np.zeros((3, 2)), 0.2, 0.9)]


def _ms(p, g, v, lr, beta):
    nv = beta * v - lr * g
    return p + nv, nv


CONVENTION = "a different convention: this course uses v ← βv − ηg, then p ← p + v"

MOMENTUM_STEP = graded(
    "momentum_step", "param, grad, velocity, lr, beta", _ms_cases,
    [("new_param", lambda p, *r: p.shape), ("new_velocity", lambda p, *r: p.shape)], _ms, {
        "the velocity adds + η g: with p ← p + v that climbs the gradient; a sign is flipped (v ← βv − ηg)":
            lambda p, g, v, lr, beta: (p + beta * v + lr * g, beta * v + lr * g),
        "the parameter moves with the old velocity: update v first (v ← βv − ηg), then p ← p + v with the"
        " new v (the order of the two updates is swapped)":
            lambda p, g, v, lr, beta: (p + v, beta * v - lr * g),
        "the returned velocity is the old one (stale velocity): return the new v ← βv − ηg":
            lambda p, g, v, lr, beta: (p + beta * v - lr * g, v),
        "p ← p − v: with v ← βv − ηg the update is p ← p + v (a sign is flipped)":
            lambda p, g, v, lr, beta: (p - beta * v + lr * g, beta * v - lr * g),
        "η and β are swapped: v ← βv − ηg":
            lambda p, g, v, lr, beta: (p + lr * v - beta * g, lr * v - beta * g),
        "β is missing: v ← βv − ηg": lambda p, g, v, lr, beta: (p + v - lr * g, v - lr * g),
        "β multiplies the gradient step too: v ← βv − ηg, not β (v − ηg)":
            lambda p, g, v, lr, beta: (p + beta * (v - lr * g), beta * (v - lr * g)),
        "the parameter takes a plain gradient step p − ηg; with momentum p ← p + v":
            lambda p, g, v, lr, beta: (p - lr * g, beta * v - lr * g),
        "the two results are swapped: return (new_param, new_velocity)":
            lambda p, g, v, lr, beta: (beta * v - lr * g, p + beta * v - lr * g),
        "the old velocity is multiplied by the learning rate η too: v ← βv − ηg, not η (βv − g)":
            lambda p, g, v, lr, beta: (p + lr * (beta * v - g), lr * (beta * v - g)),
        "the returned velocity is only the gradient step −ηg: βv is missing from the new velocity, so it is"
        " not carried to the next step; return the whole step v ← βv − ηg":
            lambda p, g, v, lr, beta: (p + beta * v - lr * g, -lr * g),
        "on the first step (zero velocity) the velocity starts at −g, without the learning rate η:"
        " v ← βv − ηg holds on the first step too, giving −ηg":
            lambda p, g, v, lr, beta: (p - g, -g) if not np.any(v) else _ms(p, g, v, lr, beta),
        "new_param is param unchanged: the update went to a copy (or a local name) that is never returned":
            lambda p, g, v, lr, beta: (p, beta * v - lr * g),
        "η is missing from the velocity (v ← βv − g): on the first step, from zero velocity, the parameter"
        " moves by the whole gradient":
            lambda p, g, v, lr, beta: (p + beta * v - g, beta * v - g),
        f"the velocity is v ← βv + g and p ← p − ηv (PyTorch's form): {CONVENTION}":
            lambda p, g, v, lr, beta: (p - lr * (beta * v + g), beta * v + g),
        f"the velocity is an exponential moving average v ← βv + (1 − β)g with p ← p − ηv: {CONVENTION}":
            lambda p, g, v, lr, beta: (p - lr * (beta * v + (1 - beta) * g), beta * v + (1 - beta) * g),
        f"the velocity is an exponential moving average v ← βv − (1 − β)ηg: {CONVENTION}":
            lambda p, g, v, lr, beta: (p + beta * v - (1 - beta) * lr * g, beta * v - (1 - beta) * lr * g),
        f"the parameter takes a Nesterov step p ← p + βv_new − ηg: {CONVENTION}":
            lambda p, g, v, lr, beta: (p + beta * (beta * v - lr * g) - lr * g, beta * v - lr * g),
    }, seed=504, m=lambda *a: 1e9)


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


def _train_cases(rng):
    X, T, X_test, _ = digits_split()
    return [Call("digits", X.copy(), T.copy(), post=("predict", X_test))]


PROBE_ROWS = 400


def _train_probes(rng):
    """Short runs whose predictions on training rows tell causes apart.

    No training, one epoch, and one epoch at η = 0.
    """
    X, T, _, _ = digits_split()
    post = ("predict", X[:PROBE_ROWS])
    return [Call("e0", X.copy(), T.copy(), epochs=0, post=post), Call("e1", X.copy(), T.copy(), epochs=1,
        post=post),
            Call("lr0", X.copy(), T.copy(), epochs=1, lr=0.0, post=post)]


def _predicted_labels(value, call):
    m = len(call.post[1])
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
                   f" (class scores) or ({m},) (labels)")


CANDIDATES = {
    "zero": "all-zero (or all-equal) initial weights",
    "lr": "a learning rate η that is not used",
    "stored": "updates never written back to the layer (a copy or a local name is updated)",
    "sign": "a sign flipped in the update (p + η g)",
    "other": "only some parameters updated, a learning rate far off, or X and T unpaired in the mini-batches",
}


def _probe_causes(by):
    """The causes the probes tell (predictions after 0 and 1 epochs, 1 at η = 0), and those ruled out."""
    T = digits_split()[1][:PROBE_ROWS]
    P = {}
    for k in ("e0", "e1", "lr0"):
        r = by.get(k)
        if r is not None and r.status == "ok" and isinstance(r.value,
            np.ndarray) and r.value.shape == T.shape \
                and np.all(np.isfinite(r.value)):
            P[k] = r.value.astype(float)
    causes, ruled = [], []
    if "e0" in P:
        if np.ptp(P["e0"], axis=0).max() < 1e-9:
            causes.append("before training every sample gets the same scores: the weights start all zero (or"
                          " all equal), so every hidden unit computes the same thing and they stay equal"
                          " (the symmetry is never broken). Initialise the weights randomly, with he_init.")
        else:
            ruled.append("zero")
    if "e0" in P and "lr0" in P:
        if not np.allclose(P["lr0"], P["e0"], atol=1e-9):
            causes.append("with lr=0, one epoch still changes the predictions: the learning rate η (lr) is"
                          " not used in the update (a fixed number stands in its place).")
        else:
            ruled.append("lr")
    if "e0" in P and "e1" in P:
        def loss(Y):
            Y = np.clip(Y / np.maximum(Y.sum(axis=1, keepdims=True), 1e-300), 1e-12, 1.0)
            return float(-np.mean(np.sum(T * np.log(Y), axis=1)))
        L0, L1 = loss(P["e0"]), loss(P["e1"])
        if np.array_equal(P["e0"], P["e1"]):
            causes.append("one epoch of training changes nothing: the updated parameters are never written"
                          " back to the layer (a copy, or a local name, is updated and then dropped).")
        elif _permuted_share(P["e1"].argmax(axis=1), T.argmax(axis=1)) > 0.5:
            causes.append("the network learns, but its outputs are assigned to the wrong classes: a fixed"
                          " permutation of the classes would make most predictions right. The output columns"
                          " and the one-hot columns of T are in different orders (or a class index is"
                          " shifted).")
        else:
            ruled.append("stored")
            if L1 > 1.5 * L0 + 0.1:
                causes.append(f"one epoch raises the training loss from {L0:.3g} to {L1:.3g}: the update"
                              f" climbs the gradient, gradient ascent (a sign flipped: p + η g instead of p"
                              " − η g).")
            else:
                ruled.append("sign")
    return causes, ruled


def _permuted_share(pred, labels):
    """How much better than the identity the best (greedy) relabelling of the predicted classes does."""
    k = int(max(pred.max(), labels.max())) + 1
    C = np.zeros((k, k))
    np.add.at(C, (labels, pred), 1)
    best = 0.0
    for _ in range(k):
        i, j = np.unravel_index(np.argmax(C), C.shape)
        best += C[i, j]
        C[i, :] = -1
        C[:, j] = -1
    return (best - np.sum(pred == labels)) / len(pred)


def _train_accuracy(results):
    by = {r.call.key: r for r in results}
    labels = digits_split()[3]
    acc = float(np.mean(_predicted_labels(by["digits"].value, by["digits"].call) == labels))
    if acc >= 0.95:
        return
    head = f"test accuracy {100 * acc:.1f} %, needs >= 95 %"
    causes, ruled = _probe_causes(by)
    if causes:
        raise Mismatch(f"{head}. " + " ".join(causes))
    if not np.all(np.isfinite(by["digits"].value)):
        raise Mismatch(f"{head}: the predictions contain NaN or inf, so training diverged: a learning rate"
                       f" far too large, or an exp or log that overflows (an unstable softmax or"
                       " cross-entropy).")
    if acc >= 0.9:
        raise Mismatch(f"{head}: nearly there; train longer or tune η (lr).")
    left = [text for key, text in CANDIDATES.items() if key not in ruled]
    out = [text for key, text in CANDIDATES.items() if key in ruled]
    raise Mismatch(head + (": chance level, the network did not learn" if acc < 0.2 else "")
                   + f". Candidates: {'; '.join(left)}."
                   + (f" Ruled out by short probe runs: {'; '.join(out)}." if out else ""))


TRAIN = graded(
    "train", "X, T", _train_cases, _predicted_labels, None, seed=505, judge=_train_accuracy,
    shape="a model whose predict(X) gives (m, 10) class scores",
    values="test accuracy >= 95 % on the digits split", repeat=False, probes=_train_probes,
    helpers=["iterate_minibatches", "momentum_step", "he_init", "xavier_init"], note_helpers_ruled_out=True)
TRAIN.checks[1].points = 2.0

FUNCTIONS = [ITERATE_MINIBATCHES, XAVIER_INIT, HE_INIT, MOMENTUM_STEP, TRAIN]
