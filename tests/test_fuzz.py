"""Property-based fuzzing of mlp_lib's public API (hypothesis).

Every call gets random arguments: arrays of random dtypes (floats, ints,
bools, complex, strings, objects, datetimes, timedeltas), shapes, memory
orders (C, Fortran, strided views) and values (NaN, inf, +-1e308, the
smallest subnormal, negative zero), and scalars of the wrong type or range.
The property: each call either succeeds with finite results, or raises a
ValueError or TypeError whose raising frame is inside mlp_lib -- never
another exception, never one from inside NumPy, never a warning.

Reproducible: the examples are derandomized, so CI sees the same calls.
"""

import os
import traceback
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mlp_lib
from mlp_lib import MLP, activations, data, diagnostics, gradcheck, initializers, linear_models, losses
from mlp_lib.optimizers import SGD, Momentum, make_optimizer

PACKAGE = os.path.dirname(os.path.abspath(mlp_lib.__file__))

FUZZ = settings(max_examples=int(os.environ.get("MLP_FUZZ_EXAMPLES", 250)), deadline=None,
                derandomize=not os.environ.get("MLP_FUZZ_RANDOM"), database=None,
                suppress_health_check=list(HealthCheck))

# ---- values --------------------------------------------------------------------
NUMBERS = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 3.0, -2.5, 1e4, -1e4, 1e308, -1e308, 1.7976931348623157e308,
           5e-324, -5e-324, 1e-300, np.nan, np.inf, -np.inf]
DTYPES = ["float64", "float32", "float16", "longdouble", "int64", "int8", "uint8", "uint64", "bool",
          "complex128", "m8[s]", "M8[D]", "U3", "S2", "object"]


@st.composite
def arrays(draw, shape=None, dtypes=DTYPES, values=NUMBERS):
    """An ndarray of a random dtype, shape, memory order and values."""
    if shape is None:
        shape = tuple(draw(st.lists(st.integers(0, 4), min_size=0, max_size=3)))
    dtype = draw(st.sampled_from(dtypes))
    flat = draw(st.lists(st.sampled_from(values), min_size=1, max_size=8))
    n = int(np.prod(shape))
    raw = np.resize(np.array(flat, dtype=float), n * 2 if n else 0)
    order = draw(st.sampled_from(["C", "F", "strided", "transposed"]))
    if order == "strided":
        base = raw[::2] if n else raw
    else:
        base = raw[:n]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if dtype in ("U3", "S2", "object"):
            arr = base.astype(dtype).reshape(shape) if dtype != "object" else base.astype(object).reshape(shape)
        elif dtype.startswith(("m8", "M8")):
            arr = np.nan_to_num(base, nan=1, posinf=2, neginf=-2).clip(-1e6, 1e6).astype(np.int64).astype(dtype).reshape(shape)
        else:
            arr = base.astype(dtype).reshape(shape)
    if order == "F":
        arr = np.asfortranarray(arr)
    elif order == "transposed" and arr.ndim >= 2:
        arr = np.ascontiguousarray(arr.T).T if arr.shape[0] == arr.shape[-1] else arr
    return arr


def good_arrays(shape, low=-3.0, high=3.0):
    """Finite float64 arrays of a fixed shape (the happy path, to reach deeper checks)."""
    return st.lists(st.floats(low, high, allow_nan=False), min_size=int(np.prod(shape)),
                    max_size=int(np.prod(shape))).map(lambda v: np.array(v, dtype=float).reshape(shape))


def extreme_arrays(shape):
    """Finite float64 arrays of a fixed shape with values up to +-1e308 (valid but extreme)."""
    finite = [v for v in NUMBERS if np.isfinite(v)]
    return st.lists(st.sampled_from(finite), min_size=int(np.prod(shape)),
                    max_size=int(np.prod(shape))).map(lambda v: np.array(v, dtype=float).reshape(shape))


ODD = [None, "x", "0.9", b"1", 1j, True, False, [1, [2, 3]], {1, 2}, {"a": 1}, (), object(), np.nan,
       -1, 1.5, 10**30, -(10**30), np.int64(-3), np.float32(0.25), np.uint64(2**63), 2**63, slice(1)]


def anything():
    """A value of any kind: an array, a list, a scalar, or something odd."""
    return st.one_of(arrays(), st.sampled_from(ODD), st.sampled_from(NUMBERS),
                     st.lists(st.sampled_from(NUMBERS + [1, 0, "a"]), max_size=4),
                     st.lists(st.lists(st.sampled_from([0.0, 1.0, 2.0]), max_size=3), max_size=3))


def maybe(good, bad_weight=1):
    """Mostly a good value, sometimes anything."""
    return st.one_of(good, anything()) if bad_weight else good


INTS = st.sampled_from([1, 2, 3, 0, -1, 2.0, True, "2", None, np.int32(2), 10**12, 2**63, 1j, [2]])
REALS = st.sampled_from([0.1, 0.5, 0.0, 1.0, -0.1, 1e-300, 5e-324, 1e308, np.nan, np.inf, -np.inf, "0.1",
                         True, None, 1j, np.float32(0.3), np.int64(1), [0.1], 10**400 if False else 10**30])
SEEDS = st.sampled_from([0, 1, None, -1, 1.5, "x", True, [1, 2], [-1], [1.5], np.array([3, 4]), np.array([[1]]),
                         np.random.SeedSequence(3), np.random.default_rng(1), np.int64(7), np.uint8(3),
                         2**70, {1}, 1j, np.array([1.0])])
NAMES = st.sampled_from(["sigmoid", "tanh", "relu", "identity", "softmax", "mse", "binary_cross_entropy",
                         "cross_entropy", "xavier", "he", "small", "zeros", "Sigmoid", "", None, 1, 0.5, ["relu"]])


# ---- the property --------------------------------------------------------------
def finite(result):
    """True when every number inside result (arrays, lists, tuples, dicts, objects' arrays) is finite."""
    if result is None or isinstance(result, (str, bool, np.bool_)):
        return True
    if isinstance(result, dict):
        return all(finite(v) for v in result.values())
    if isinstance(result, (list, tuple)):
        return all(finite(v) for v in result)
    if isinstance(result, (MLP, SGD, Momentum, linear_models.DescentRun)) or callable(result):
        return True
    arr = np.asarray(result)
    if arr.dtype.kind in "biu":
        return True
    assert arr.dtype.kind == "f", f"unexpected result dtype {arr.dtype}"
    return bool(np.all(np.isfinite(arr)))


def check_call(function, *args, **kwargs):
    """Run one call; assert it succeeds finitely or raises ValueError/TypeError from mlp_lib, silently."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = function(*args, **kwargs)
        except (ValueError, TypeError) as exc:
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            assert os.path.abspath(frame.filename).startswith(PACKAGE), (
                f"{type(exc).__name__} raised outside mlp_lib, in {frame.filename}:{frame.lineno}: {exc}"
            )
            assert str(exc), "an error without a message"
            result = None
    assert not caught, f"warnings: {[str(w.message) for w in caught]}"
    assert finite(result), f"non-finite result {result!r:.200}"
    return result


# ---- the network ----------------------------------------------------------------
def small_net(hidden="sigmoid", output="sigmoid", loss="binary_cross_entropy", k=1):
    return MLP([2, 3, k], hidden, output, loss, seed=0)


NETS = st.sampled_from([
    ("sigmoid", "sigmoid", "binary_cross_entropy", 1), ("tanh", "softmax", "cross_entropy", 3),
    ("relu", "identity", "mse", 2), ("identity", "tanh", "mse", 1), ("tanh", "sigmoid", "mse", 1),
])


@FUZZ
@given(sizes=st.one_of(st.lists(INTS, max_size=4), st.sampled_from(
           [[2, 1], (3, 4, 1), np.array([2, 3]), {3, 4, 1}, {"a": 1}, "231", 5, None, [3, 10**12, 1],
            [3, 2**63, 1], [True, 2], np.array([2.0, 1.0]), [1] * 1001, range(2, 4)])),
       hidden=NAMES, output=NAMES, loss=NAMES, seed=SEEDS,
       init=st.sampled_from([None, "he", 0.1, -1.0, 0.0, np.nan, 1e308, 1e-320, True, "x", [1]]),
       dtype=st.sampled_from([np.float64, np.float32, "float32", np.int64, None, "x", float, np.float16, 3]))
def test_mlp_constructor(sizes, hidden, output, loss, seed, init, dtype):
    check_call(MLP, sizes, hidden, output, loss, seed, init, dtype)


@FUZZ
@given(kind=NETS, X=st.one_of(anything(), extreme_arrays((3, 2)), good_arrays((3, 2))),
       T=st.one_of(anything(), good_arrays((3, 1), -1, 2), good_arrays((3, 3), 0, 1),
                   st.sampled_from([np.eye(3), np.zeros((3, 2)), np.array([0, 1, 1]), np.full((3, 1), -2.0)])),
       method=st.sampled_from(["forward", "predict", "loss", "accuracy", "backward", "call"]),
       float32=st.booleans())
def test_mlp_forward_loss_backward(kind, X, T, method, float32):
    hidden, output, loss, k = kind
    net = MLP([2, 3, k], hidden, output, loss, seed=0, dtype=np.float32 if float32 else np.float64)
    if method in ("forward", "predict"):
        check_call(getattr(net, method), X)
    elif method == "call":
        check_call(net, X)
    elif method in ("loss", "accuracy"):
        check_call(getattr(net, method), X, T)
    else:
        if check_call(net.forward, X) is not None:
            check_call(net.backward, T)


@FUZZ
@given(kind=NETS, X=st.one_of(good_arrays((4, 2)), extreme_arrays((4, 2)), anything()),
       epochs=st.sampled_from([0, 1, 2, -1, 1.0, "3", None, True]), lr=REALS,
       batch_size=st.sampled_from([1, 2, 4, 100, 0, -1, 2.5, "2", None, True, np.int64(2)]),
       seed=SEEDS, momentum=st.sampled_from([0.0, 0.9, 0, 1.0, -0.1, "0.9", np.nan, None, True, 0.5]),
       callbacks=st.sampled_from([(), [], None, 5, "cb", [5], [lambda net, info: None], {lambda n, i: None},
                                  lambda net, info: None, [None]]),
       val=st.sampled_from(["none", "good", "X only", "bad T", "bad shape"]),
       shuffle=st.sampled_from([True, False, np.True_, 0, 1, "no", None]))
def test_mlp_fit(kind, X, epochs, lr, batch_size, seed, momentum, callbacks, val, shuffle):
    hidden, output, loss, k = kind
    net = MLP([2, 3, k], hidden, output, loss, seed=0)
    T = np.eye(k)[[0, 1, 0, 1][:4]] if k > 1 else np.array([[0.0], [1.0], [1.0], [0.0]])
    extra = {}
    if val == "good":
        extra = {"X_val": np.zeros((2, 2)), "T_val": T[:2]}
    elif val == "X only":
        extra = {"X_val": np.zeros((2, 2))}
    elif val == "bad T":
        extra = {"X_val": np.zeros((2, 2)), "T_val": T[:2] * 3 - 2}
    elif val == "bad shape":
        extra = {"X_val": np.zeros((2, 3)), "T_val": T[:2]}
    history = check_call(net.fit, X, T, epochs=epochs, lr=lr, batch_size=batch_size, seed=seed,
                         momentum=momentum, callbacks=callbacks, shuffle=shuffle, **extra)
    assert history is None or all(np.isfinite(W).all() and np.isfinite(b).all() for W, b in net.parameters())


@FUZZ
@given(params=st.one_of(
    anything(),
    st.tuples(st.one_of(arrays(), good_arrays((2, 3)), extreme_arrays((2, 3))),
              st.one_of(arrays(), good_arrays((3,)))).map(lambda p: [p, (np.zeros((3, 1)), np.zeros(1))]),
    st.sampled_from([[(np.zeros((2, 3)), np.zeros(3))], [(1, 2), (3, 4)], [None, None], [(np.zeros((2, 3)),), 1]])),
    float32=st.booleans())
def test_set_params(params, float32):
    net = MLP([2, 3, 1], seed=0, dtype=np.float32 if float32 else np.float64)
    check_call(net.set_params, params)
    assert all(np.isfinite(W).all() and np.isfinite(b).all() for W, b in net.parameters())


# ---- gradcheck --------------------------------------------------------------------
FUNCTIONS = st.sampled_from([
    lambda v: float(np.sum(np.clip(v, -1e100, 1e100) ** 2)), lambda v: np.clip(v, -1e100, 1e100) ** 2 if v.size > 1 else 1.0, lambda v: "1", lambda v: None, lambda v: np.nan,
    lambda v: 1j, lambda v: True, lambda v: np.array([1.0]), lambda v: np.float32(2.0), lambda v: [1, 2],
    lambda v: float(np.sum(np.exp(np.clip(v, -50, 50)))), lambda v: 1e308 * float(np.sum(np.clip(v, -1e300, 1e300))), 3, "f",
])


@FUZZ
@given(f=FUNCTIONS, x=st.one_of(arrays(), good_arrays((2,)), extreme_arrays((2,)), st.sampled_from(NUMBERS)),
       eps=st.sampled_from([1e-5, 1e-3, 0, -1e-5, np.nan, np.inf, 1e-300, 1e-14, 1e308, "1e-5", None, True,
                            1j, np.float32(1e-3), 1, 10**400 if False else 10**30]))
def test_numerical_gradient(f, x, eps):
    check_call(gradcheck.numerical_gradient, f, x, eps)


@FUZZ
@given(a=st.one_of(anything(), extreme_arrays((3,))), b=st.one_of(anything(), extreme_arrays((3,))))
def test_relative_error(a, b):
    check_call(gradcheck.relative_error, a, b)


@FUZZ
@given(kind=NETS, X=st.one_of(good_arrays((2, 2)), arrays()), T=st.one_of(good_arrays((2, 1), 0, 1), arrays()),
       eps=st.sampled_from([1e-5, 0, 1e-300, np.nan, "x"]),
       fn=st.sampled_from(["check_gradients", "numerical_gradients", "max_relative_error"]),
       net_or_junk=st.sampled_from(["net", "net", "junk"]))
def test_gradient_checks(kind, X, T, eps, fn, net_or_junk):
    hidden, output, loss, k = kind
    net = MLP([2, 2, k], hidden, output, loss, seed=0) if net_or_junk == "net" else "a network"
    if fn == "max_relative_error":
        check_call(gradcheck.max_relative_error, [X] if net_or_junk == "junk" else [{"W": 0.1, "b": 0.2}])
    else:
        check_call(getattr(gradcheck, fn), net, X, T, eps)


# ---- losses and activations ------------------------------------------------------------
LOSS_FUNCTIONS = [losses.mse, losses.mse_gradient, losses.binary_cross_entropy,
                  losses.binary_cross_entropy_gradient, losses.cross_entropy, losses.cross_entropy_gradient,
                  losses.binary_cross_entropy_from_logits, losses.cross_entropy_from_logits,
                  losses.get_loss("mse"), losses.get_loss("cross_entropy")]


@FUZZ
@given(fn=st.sampled_from(LOSS_FUNCTIONS),
       Y=st.one_of(arrays(), extreme_arrays((2, 2)), good_arrays((2, 2), 0, 1)),
       T=st.one_of(arrays(), good_arrays((2, 2), -1, 2), st.sampled_from([np.eye(2), np.full((2, 2), 0.5)])))
def test_losses(fn, Y, T):
    check_call(fn, Y, T)


ACTIVATION_FUNCTIONS = [activations.sigmoid, activations.sigmoid_derivative,
                        activations.sigmoid_derivative_from_output, activations.tanh,
                        activations.tanh_derivative, activations.tanh_derivative_from_output, activations.relu,
                        activations.relu_derivative, activations.relu_derivative_from_output,
                        activations.identity, activations.identity_derivative,
                        activations.identity_derivative_from_output, activations.softmax,
                        activations.get_activation("tanh"), activations.get_activation]


@FUZZ
@given(fn=st.sampled_from(ACTIVATION_FUNCTIONS), a=st.one_of(anything(), extreme_arrays((2, 3))),
       dY=st.one_of(arrays(), extreme_arrays((2, 3))))
def test_activations(fn, a, dY):
    check_call(fn, a)
    check_call(activations.softmax_backward, a, dY)


# ---- data, initializers, optimizers, linear models, diagnostics -------------------------
@FUZZ
@given(which=st.sampled_from(["linear_1d", "blobs", "xor", "moons", "spiral", "one_hot", "split", "digits"]),
       n=INTS, a=REALS, b=REALS, seed=SEEDS, X=anything(), labels=anything(), k=INTS)
def test_data(which, n, a, b, seed, X, labels, k):
    if which == "linear_1d":
        check_call(data.linear_1d, n, a, b, a, seed)
    elif which == "blobs":
        check_call(data.blobs, n, a, b, seed)
    elif which in ("xor", "moons"):
        check_call(getattr(data, which), n, a, seed)
    elif which == "spiral":
        check_call(data.spiral, n, k, a, seed)
    elif which == "one_hot":
        check_call(data.one_hot, labels, k if k != 1 else None)
    elif which == "split":
        check_call(data.train_test_split, X, labels, a, seed)
        check_call(data.train_test_split, np.zeros((8, 2)), labels, 0.25, seed)
    else:
        check_call(data.digits, a, seed)


@FUZZ
@given(name=st.sampled_from(["xavier", "he", "small", "zeros"]), n_in=INTS, n_out=INTS,
       rng=st.sampled_from([np.random.default_rng(0), 0, None, "rng", np.random.SeedSequence(1)]),
       dtype=st.sampled_from([np.float64, np.float32, "int", None, "float32"]),
       init=st.sampled_from(["he", 0.5, -1.0, np.nan, 1e308, True, None, "glorot", ["he"]]))
def test_initializers(name, n_in, n_out, rng, dtype, init):
    check_call(getattr(initializers, name), n_in, n_out, rng, dtype)
    fn = check_call(initializers.get_initializer, init)
    if fn is not None:
        check_call(fn, 3, 2, np.random.default_rng(0), np.float32)


@FUZZ
@given(lr=REALS, beta=REALS, param=st.one_of(arrays(), good_arrays((3,)), extreme_arrays((3,))),
       grad=st.one_of(arrays(), good_arrays((3,)), extreme_arrays((3,))),
       state=st.one_of(st.none(), arrays(), good_arrays((3,)), extreme_arrays((3,))))
def test_optimizers(lr, beta, param, grad, state):
    sgd = check_call(SGD, lr)
    if sgd is not None:
        check_call(sgd.step, param, grad, state)
    mom = check_call(Momentum, lr, beta)
    if mom is not None:
        check_call(mom.step, param, grad, state)
    check_call(make_optimizer, lr, beta)


@FUZZ
@given(which=st.sampled_from(["linear", "logistic", "softmax", "descend"]),
       X=st.one_of(good_arrays((3, 2)), extreme_arrays((3, 2)), arrays()),
       w=st.one_of(good_arrays((2,)), extreme_arrays((2,)), arrays()),
       W=st.one_of(good_arrays((2, 2)), extreme_arrays((2, 2)), arrays()),
       b=st.one_of(st.sampled_from(NUMBERS + ["1", None, True, 1j]), good_arrays((2,)), arrays()),
       t=st.one_of(good_arrays((3,), 0, 1), good_arrays((3,), -5, 5), arrays()),
       T=st.one_of(st.just(np.eye(3)[:, :2] + np.array([[0, 0], [0, 0], [0.5, 0.5]])), arrays()),
       lr=REALS, steps=INTS, momentum=REALS)
def test_linear_models(which, X, w, W, b, t, T, lr, steps, momentum):
    if which in ("linear", "logistic"):
        for fn in ("predict", "cost", "gradient"):
            args = (X, w, b) if fn == "predict" else (X, w, b, t)
            check_call(getattr(linear_models, f"{which}_{fn}"), *args)
    elif which == "softmax":
        check_call(linear_models.softmax_predict, X, W, b)
        check_call(linear_models.softmax_cost, X, W, b, T)
        check_call(linear_models.softmax_gradient, X, W, b, T)
    else:
        steps = steps if not isinstance(steps, int) or steps < 50 else 5
        check_call(linear_models.descend, lambda p: float(p @ p), lambda p: 2 * p, w, lr, steps, momentum)
        check_call(linear_models.descend, lambda p: p, lambda p: "g", [1.0, 2.0], 0.1, 2)


@FUZZ
@given(which=st.sampled_from(["gradient_norms", "delta_norms", "random_batch", "deep_net"]),
       X=st.one_of(good_arrays((3, 2)), extreme_arrays((3, 2)), arrays()),
       T=st.one_of(good_arrays((3, 1), 0, 1), arrays()), n=INTS, m=INTS, seed=SEEDS, scale=REALS,
       activation=NAMES)
def test_diagnostics(which, X, T, n, m, seed, scale, activation):
    if which in ("gradient_norms", "delta_norms"):
        net = MLP([2, 3, 1], "tanh", seed=0)
        check_call(getattr(diagnostics, which), net, X, T)
    elif which == "random_batch":
        check_call(diagnostics.random_batch, n, m, seed)
    else:
        check_call(diagnostics.deep_net, n, m, activation, scale, seed)


# ---- valid but extreme input gives finite results ------------------------------------------
@pytest.mark.parametrize("hidden", ["sigmoid", "tanh"])
@pytest.mark.parametrize("output,loss,k", [("sigmoid", "binary_cross_entropy", 1),
                                           ("softmax", "cross_entropy", 3), ("tanh", "mse", 2)])
def test_extreme_inputs_through_sigmoid_and_tanh_networks_stay_finite(hidden, output, loss, k):
    net = MLP([3, 4, 4, k], hidden, output, loss, seed=0)
    X = np.array([[1e308, -1e308, 1e308], [-1.7976931348623157e308, 0.0, 5e-324], [1.0, -2.0, 3.0]])
    T = np.eye(k)[[0, k - 1, 0]] if k > 1 else np.array([[1.0], [0.0], [1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Y = net.forward(X)
        assert np.all(np.isfinite(Y))
        assert np.isfinite(net.loss(X, T))
        net.forward(X)
        for dW, db in net.backward(T):
            assert np.all(np.isfinite(dW)) and np.all(np.isfinite(db))
        assert 0.0 <= net.accuracy(X, T) <= 1.0
    np.testing.assert_allclose(Y[2], MLP([3, 4, 4, k], hidden, output, loss, seed=0).forward(X[2:])[0])


# ---- the widgets' constructors: bad options are refused before any figure is made -------------
BAD_WIDGET_OPTIONS = [
    {"seed": -1}, {"seed": "x"}, {"seed": 1.5}, {"figsize": (-1, 3)}, {"figsize": "big"}, {"figsize": (np.nan, 3)},
    {"steps": 10**9}, {"steps": "3"}, {"steps": True}, {"momentum": "0.9"}, {"momentum": 1.0},
    {"bias": np.inf}, {"log_scale": "no"}, {"budget": np.nan}, {"delay": np.inf}, {"grid_steps": 10**6},
    {"lr": -1.0}, {"lr": np.nan}, {"every": 0}, {"unit": -1}, {"sample": 1.0}, {"span": np.inf},
    {"depth": 0}, {"width": 10**7}, {"init_scale": "1"}, {"activation": "softmax"}, {"model": "tree"},
    {"start": [np.nan, 0.0]}, {"w_range": (1.0, 0.0)}, {"X": np.ones((4, 2), "m8[s]")}, {"T": np.full(4, 2.0)},
    {"path": 5}, {"directions": 5}, {"normalization": "x"}, {"live": "yes"},
]
WIDGETS = {
    "LossSurfaceExplorer": ("X", "T", "lr", "steps", "start", "momentum", "bias", "w_range", "model", "figsize"),
    "LossLandscape": ("net", "X", "T", "path", "directions", "span", "steps", "seed", "normalization",
                      "log_scale", "figsize"),
    "VanishingGradientExplorer": ("depth", "activation", "init_scale", "width", "steps", "lr", "X", "T", "seed"),
    "TrainingDashboard": ("every", "live", "budget", "delay", "grid_steps", "figsize"),
    "DeltaFlowAnimator": ("net", "X", "T", "lr", "unit", "sample"),
}


def widget_cases():
    for name, accepted in WIDGETS.items():
        for option in BAD_WIDGET_OPTIONS:
            (key, value), = option.items()
            if key in accepted and (name, key) != ("LossSurfaceExplorer", "T"):  # any real t suits regression
                yield pytest.param(name, key, value, id=f"{name}-{key}-{value!r:.20}")


@pytest.mark.parametrize("name,key,value", list(widget_cases()))
def test_widget_constructors_refuse_bad_options(name, key, value):
    from mlp_lib import widgets

    net = MLP([2, 3, 1], seed=0)
    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    T = np.array([1.0, 1.0, 0.0, 0.0])
    args = {"LossSurfaceExplorer": {"X": X[:, :1], "t": T},
            "LossLandscape": {"net": net, "X": X, "T": T},
            "DeltaFlowAnimator": {"net": net, "X": X, "T": T}}.get(name, {})
    if name == "VanishingGradientExplorer" and key in ("X", "T"):
        args = {"X": np.zeros((4, 16)), "T": np.zeros(4)}
    if name == "LossSurfaceExplorer" and key == "X":
        value = value[:, :1]
    args[key] = value
    with pytest.raises((ValueError, TypeError)) as info:
        check_call_raises(getattr(widgets, name), **args)
    frame = traceback.extract_tb(info.value.__traceback__)[-1]
    assert os.path.abspath(frame.filename).startswith(PACKAGE), f"raised in {frame.filename}: {info.value}"


def check_call_raises(function, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        function(**kwargs)


def test_extreme_inputs_through_identity_and_relu_networks_are_finite_where_possible():
    net = MLP([2, 1], output_activation="identity", loss="mse")
    net.set_params([(np.array([[2.0], [2.0]]), np.array([1.0]))])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # 2e308 - 2e308 overflows term by term, but the sum is exactly 1: no NaN
        assert net.forward(np.array([[1e308, -1e308]]))[0, 0] == 1.0
        relu = MLP([2, 2, 1], "relu", "identity", "mse", seed=0)
        relu.set_params([(np.array([[0.5, -0.5], [0.25, 1.0]]), np.zeros(2)), (np.array([[1e-300], [1e-300]]), np.zeros(1))])
        Y = relu.forward(np.array([[1e308, 1e308]]))
        assert np.isfinite(Y).all() and Y[0, 0] == pytest.approx(1.25e8)
        with pytest.raises(ValueError, match="outputs overflow"):
            relu.forward(np.array([[-1e308, 1.7e308]]))

