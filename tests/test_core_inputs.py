"""Numerical stability at extreme inputs, and clear errors for bad input."""

import warnings

import numpy as np
import pytest

from mlp_lib import MLP, TrainingDiverged, _checks, data, gradcheck, losses
from mlp_lib import activations as act
from mlp_lib.data import one_hot


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# ---- stability -------------------------------------------------------------
EXTREME = np.array([[-1e4, -800.0, -30.0, 0.0, 30.0, 800.0, 1e4]])


def test_sigmoid_is_stable_and_exact_at_extremes():
    y = act.sigmoid(EXTREME)
    assert np.all(np.isfinite(y))
    assert y[0, 0] == 0.0 and y[0, -1] == 1.0 and y[0, 3] == 0.5
    assert np.all(np.diff(y) >= 0)


def test_softmax_is_stable_for_huge_logits():
    Y = act.softmax(np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4]]))
    assert np.all(np.isfinite(Y))
    np.testing.assert_allclose(Y.sum(axis=1), 1.0)
    np.testing.assert_allclose(Y[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(Y[1], [1 / 3] * 3)


def test_cross_entropies_at_probabilities_of_exactly_0_and_1():
    Y = np.array([[0.0, 1.0], [1.0, 0.0]])
    T = np.array([[1.0, 1.0], [1.0, 0.0]])
    J = losses.binary_cross_entropy(Y, T)
    assert np.isfinite(J) and J > 10
    assert np.all(np.isfinite(losses.binary_cross_entropy_gradient(Y, T)))
    assert losses.binary_cross_entropy(T, T) == pytest.approx(0.0, abs=1e-9)
    J = losses.cross_entropy(np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]]))
    assert np.isfinite(J) and J > 10
    assert np.all(np.isfinite(losses.cross_entropy_gradient(np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]]))))


def test_losses_from_logits_are_exact_at_extremes():
    A = np.array([[1e4], [-1e4]])
    T = np.array([[0.0], [0.0]])
    assert losses.binary_cross_entropy_from_logits(A, T) == pytest.approx(1e4 / 2)
    A = np.array([[1e4, -1e4]])
    assert losses.cross_entropy_from_logits(A, np.array([[0.0, 1.0]])) == pytest.approx(2e4)


@pytest.mark.parametrize(
    "output,loss,k", [("sigmoid", "binary_cross_entropy", 1), ("softmax", "cross_entropy", 3)]
)
def test_network_stays_finite_with_saturated_outputs(output, loss, k):
    net = MLP([2, 3, k], "sigmoid", output, loss, seed=0)
    net.layers[-1].W[...] = 1e4
    X = np.array([[1.0, 1.0], [-1.0, -1.0]])
    T = np.zeros((2, k))
    T[:, 0] = 1
    J = net.loss(X, T)
    assert np.isfinite(J)
    net.forward(X)
    for dW, db in net.backward(T):
        assert np.all(np.isfinite(dW)) and np.all(np.isfinite(db))


# ---- bad input -------------------------------------------------------------
@pytest.fixture
def net():
    return MLP([2, 4, 1], seed=0)


def test_wrong_number_of_features(net):
    with pytest.raises(ValueError, match=r"X must have shape \(m, 2\).*got \(3, 5\)"):
        net.forward(np.zeros((3, 5)))


@pytest.mark.parametrize("shape", [(2,), (2, 2, 2)])
def test_X_must_be_2d(net, shape):
    with pytest.raises(ValueError, match=r"X must be a 2-D array, got shape"):
        net.forward(np.zeros(shape))


def test_1d_X_hint_mentions_rows(net):
    with pytest.raises(ValueError, match="samples are rows"):
        net.forward(np.zeros(2))


def test_empty_batch(net):
    with pytest.raises(ValueError, match=r"X is empty \(shape \(0, 2\)\)"):
        net.forward(np.zeros((0, 2)))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_X(net, bad):
    X = np.zeros((3, 2))
    X[1, 0] = bad
    with pytest.raises(ValueError, match=r"X contains NaN or inf \(first at index \(1, 0\)\)"):
        net.forward(X)


def test_non_finite_T(net):
    X = np.zeros((2, 2))
    with pytest.raises(ValueError, match="T contains NaN or inf"):
        net.loss(X, [[0.0], [np.nan]])


def test_non_numeric_X(net):
    with pytest.raises(TypeError, match="X must be a numeric array.*dtype <U"):
        net.forward(np.array([["a", "b"]]))
    with pytest.raises(TypeError, match="X must be a numeric array"):
        net.forward("hello")


def test_unknown_activation_lists_the_valid_names():
    with pytest.raises(ValueError, match="unknown hidden_activation 'sigmod'; valid names are: identity, relu, sigmoid, tanh"):
        MLP([2, 2, 1], hidden_activation="sigmod")
    with pytest.raises(ValueError, match="unknown activation 'soft'; valid names are: identity, relu, sigmoid, softmax, tanh"):
        MLP([2, 2, 1], output_activation="soft")


def test_unknown_loss_lists_the_valid_names():
    with pytest.raises(ValueError, match="unknown loss 'bce'; valid names are: binary_cross_entropy, cross_entropy, mse"):
        MLP([2, 2, 1], loss="bce")


def test_incompatible_output_and_loss():
    with pytest.raises(ValueError, match="loss 'cross_entropy' needs output_activation in"):
        MLP([2, 3], output_activation="sigmoid", loss="cross_entropy")


@pytest.mark.parametrize(
    "sizes,err,msg",
    [
        ([2, 0, 1], ValueError, r"sizes\[1\] must be a positive int, got 0"),
        ([2, -3, 1], ValueError, r"sizes\[1\] must be a positive int, got -3"),
        ([2, 2.5, 1], TypeError, r"sizes\[1\] must be an int, got float 2.5"),
        ([2], ValueError, "at least an input and an output width"),
        (5, TypeError, "sizes must be a list of layer widths"),
        ("2-3-1", TypeError, "sizes must be a list of layer widths"),
    ],
)
def test_layer_sizes(sizes, err, msg):
    with pytest.raises(err, match=msg):
        MLP(sizes)


def test_softmax_needs_two_outputs():
    with pytest.raises(ValueError, match="softmax needs at least 2 output units, got sizes\\[-1\\] = 1"):
        MLP([2, 3, 1], output_activation="softmax", loss="cross_entropy")


def test_backward_before_forward(net):
    with pytest.raises(RuntimeError, match="backward called before forward"):
        net.backward(np.zeros((3, 1)))


def test_targets_of_the_wrong_shape(net):
    net.forward(np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"T must have shape \(3, 1\), got \(3, 2\)"):
        net.backward(np.zeros((3, 2)))
    soft = MLP([2, 3], output_activation="softmax", loss="cross_entropy")
    with pytest.raises(ValueError, match="one_hot"):
        soft.loss(np.zeros((4, 2)), np.array([0, 1, 2, 0]))


def test_one_dimensional_targets_are_accepted_for_one_output(net):
    X = np.zeros((3, 2))
    assert net.loss(X, np.array([0, 1, 1])) == net.loss(X, np.array([[0], [1], [1]]))


@pytest.mark.parametrize(
    "kwargs,err,msg",
    [
        ({"lr": 0}, ValueError, "lr must be a finite number > 0, got 0"),
        ({"lr": -0.1}, ValueError, "lr must be a finite number > 0, got -0.1"),
        ({"lr": "fast"}, TypeError, "lr must be a number, got str"),
        ({"batch_size": 0}, ValueError, "batch_size must be a positive int, got 0"),
        ({"batch_size": 2.0}, TypeError, "batch_size must be an int, got float"),
        ({"epochs": -1}, ValueError, "epochs must be a non-negative int, got -1"),
        ({"momentum": 1.5}, ValueError, r"momentum must be in \[0, 1\), got 1.5"),
        ({"callbacks": [42]}, TypeError, "each callback must have"),
        ({"X_val": np.zeros((2, 2))}, ValueError, "give both X_val and T_val"),
    ],
)
def test_fit_arguments(net, kwargs, err, msg):
    with pytest.raises(err, match=msg):
        net.fit(np.zeros((4, 2)), np.zeros((4, 1)), **kwargs)


def test_diverging_training_stops_with_advice():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 1)) * 10
    T = 3 * X
    net = MLP([1, 1], output_activation="identity", loss="mse")
    with pytest.raises(TrainingDiverged, match=r"diverged.*Try a smaller learning rate \(for example lr=10\)"):
        net.fit(X, T, epochs=200, lr=100, batch_size=40)


def test_one_hot_rejects_bad_labels():
    with pytest.raises(ValueError, match="labels must be < k = 3, got 3"):
        one_hot(np.array([0, 3]), 3)
    with pytest.raises(ValueError, match="whole numbers"):
        one_hot(np.array([0.5, 1.0]))


def test_unknown_init():
    with pytest.raises(ValueError, match="unknown init 'glorot'; valid names are: he, small, xavier, zeros"):
        MLP([2, 2, 1], init="glorot")


# ---- every bad input gets a clear error --------------------------------------------
@pytest.mark.parametrize("dtype,what", [("m8[s]", "timedeltas"), ("M8[D]", "datetimes"), ("U3", "strings"),
                                        ("complex128", "complex"), ("object", "Python objects")])
def test_non_real_dtypes_are_refused_with_the_argument_named(net, dtype, what):
    def make(shape):
        ones = np.ones(shape, dtype=np.int64)
        return ones.astype(dtype) if dtype != "object" else np.full(shape, None, dtype=object)
    X = make((4, 2))
    with pytest.raises(TypeError, match=f"X must be a numeric array of real numbers, got dtype .*{what}"):
        net.forward(X)
    with pytest.raises(TypeError, match=f"T must be a numeric array.*{what}"):
        net.loss(np.ones((4, 2)), make((4, 1)))
    with pytest.raises(TypeError, match=f"Y must be a numeric array.*{what}"):
        losses.mse(make(2), np.ones(2))


def test_ints_bools_float32_and_lists_are_still_numbers(net):
    assert np.isfinite(net.loss([[0, 1], [1, 0]], [1, 0]))
    assert np.isfinite(net.loss(np.ones((2, 2), dtype=bool), np.array([[True], [False]])))
    assert net.forward(np.ones((2, 2), dtype=np.float32)).shape == (2, 1)
    assert net.forward(np.asfortranarray(np.ones((3, 2)))).shape == (3, 1)
    assert net.forward(np.ones((6, 4))[::2, ::2]).shape == (3, 1)


@pytest.mark.parametrize("T", [np.full((4, 1), -2.0), np.full((4, 1), 1.5)])
def test_binary_cross_entropy_targets_must_be_probabilities(net, T):
    X = np.zeros((4, 2))
    with pytest.raises(ValueError, match=r"T must lie in \[0, 1\].*binary cross-entropy"):
        net.loss(X, T)
    with pytest.raises(ValueError, match=r"T must lie in \[0, 1\]"):
        net.fit(X, T, epochs=1)
    with pytest.raises(ValueError, match=r"T_val must lie in \[0, 1\]"):
        net.fit(X, np.zeros((4, 1)), epochs=1, X_val=X, T_val=T)
    with pytest.raises(ValueError, match=r"T must lie in \[0, 1\]"):
        losses.binary_cross_entropy(np.full((4, 1), 0.5), T)
    with pytest.raises(ValueError, match=r"T must lie in \[0, 1\]"):
        losses.binary_cross_entropy_from_logits(np.zeros((4, 1)), T)


def test_binary_cross_entropy_outputs_must_be_probabilities():
    with pytest.raises(ValueError, match=r"Y must lie in \[0, 1\]"):
        losses.binary_cross_entropy(np.array([[1.5]]), np.array([[1.0]]))


@pytest.mark.parametrize("T,msg", [
    (np.array([[0.5, 0.6, 0.0], [1.0, 0.0, 0.0]]), "row 0 sums to 1.1"),
    (np.array([[1.0, 0.0, 0.0], [1.5, -0.5, 0.0]]), "row 1 has a negative value"),
    (np.zeros((2, 3)), "row 0 sums to 0"),
])
def test_cross_entropy_target_rows_must_be_distributions(T, msg):
    soft = MLP([2, 3, 3], "tanh", "softmax", "cross_entropy", seed=0)
    X = np.zeros((2, 2))
    for call in (lambda: soft.loss(X, T), lambda: soft.fit(X, T, epochs=1),
                 lambda: losses.cross_entropy(np.full((2, 3), 1 / 3), T),
                 lambda: losses.cross_entropy_from_logits(np.zeros((2, 3)), T)):
        with pytest.raises(ValueError, match=f"T rows must be distributions.*{msg}"):
            call()


def test_cross_entropy_accepts_smoothed_and_float32_one_hot_targets():
    soft = MLP([2, 3, 3], "tanh", "softmax", "cross_entropy", seed=0, dtype=np.float32)
    smoothed = np.full((2, 3), 0.1 / 3) + 0.9 * np.eye(3)[[0, 2]]
    assert np.isfinite(soft.loss(np.zeros((2, 2)), smoothed))
    assert np.isfinite(soft.loss(np.zeros((2, 2)), np.eye(3, dtype=np.float32)[[1, 2]]))


@pytest.mark.parametrize("eps,err,msg", [
    (0, ValueError, "eps must be > 0, got 0"),
    (-1e-5, ValueError, "eps must be > 0"),
    (np.nan, ValueError, "eps must be a finite number, got nan"),
    (np.inf, ValueError, "eps must be a finite number"),
    (1e-300, ValueError, r"eps=1e-300 is too small to measure a difference in float64.*eps >= 4.4e-13"),
    (1.7e308, ValueError, "too large: x \\+ eps overflows"),
    ("1e-5", TypeError, "eps must be a real number, got str"),
    (True, TypeError, "eps must be a real number, got bool"),
    (1j, TypeError, "eps must be a real number, got complex"),
])
def test_numerical_gradient_eps_must_measure_a_difference(eps, err, msg):
    with pytest.raises(err, match=msg):
        gradcheck.numerical_gradient(lambda v: float(np.sum(v)), np.array([1e308] if eps == 1.7e308 else [1.0, 2.0]), eps)


def test_eps_is_judged_relative_to_x():
    x = np.array([1e12])
    with pytest.raises(ValueError, match=r"at \|x\| up to 1e\+12.*eps >= 0.22"):
        gradcheck.numerical_gradient(lambda v: float(v[0]), x)  # 1e12 + 1e-5 == 1e12 in float64
    assert gradcheck.numerical_gradient(lambda v: float(v[0]), x, eps=1.0) == pytest.approx([1.0])
    assert gradcheck.numerical_gradient(lambda v: float(v[0] ** 3), np.array([0.0]), eps=1e-12) == pytest.approx([0.0])


def test_numerical_gradient_f_must_return_one_number():
    x = np.array([1.0, 2.0])
    with pytest.raises(TypeError, match=r"f must return one number.*got an array of shape \(2,\)"):
        gradcheck.numerical_gradient(lambda v: v ** 2, x)
    with pytest.raises(TypeError, match="numeric array"):
        gradcheck.numerical_gradient(lambda v: "1.0", x)
    with pytest.raises(ValueError, match="f returned nan; it must return a finite number"):
        gradcheck.numerical_gradient(lambda v: np.nan, x)
    with pytest.raises(TypeError, match="f must be a function"):
        gradcheck.numerical_gradient(3, x)
    assert gradcheck.numerical_gradient(lambda v: np.array([v @ v]), x) == pytest.approx([2.0, 4.0])


@pytest.mark.parametrize("sizes,err,msg", [
    ({3, 4, 1}, TypeError, "got a set, which has no order"),
    ({3: 4}, TypeError, "got a dict, which has no order"),
    ([3, True, 1], TypeError, r"sizes\[1\] must be an int, got bool"),
    (np.array([2.0, 1.0]), TypeError, "array of dtype float64"),
    ([3, 10**12, 1], ValueError, r"5,000,000,000,001 weights and biases.*the most mlp_lib builds is 50,000,000"),
    ([3, 2**63, 1], ValueError, "weights and biases"),
    ([1] * 1001, ValueError, "at most 1000 widths, got 1001"),
])
def test_sizes_are_ordered_positive_ints_checked_before_allocation(sizes, err, msg):
    with pytest.raises(err, match=msg):
        MLP(sizes)


def test_sizes_may_be_a_tuple_or_an_int_array():
    assert MLP((2, 3, 1)).sizes == MLP(np.array([2, 3, 1])).sizes == [2, 3, 1]


@pytest.mark.parametrize("seed,err,msg", [
    (-1, ValueError, "seed must be >= 0, got -1"),
    (1.5, TypeError, "seed must be None, an int >= 0.*got float 1.5"),
    ("x", TypeError, "got str 'x'"),
    (True, TypeError, "got bool True"),
    ([1, -2], ValueError, "seed as a sequence must hold ints >= 0, got -2"),
    (np.array([1.0]), TypeError, "seed as a sequence must hold ints"),
])
def test_seeds_are_checked_before_numpy_sees_them(net, seed, err, msg):
    X, T = np.zeros((4, 2)), np.zeros((4, 1))
    for call in (lambda: MLP([2, 1], seed=seed), lambda: net.fit(X, T, epochs=1, seed=seed),
                 lambda: data.xor(8, seed=seed), lambda: data.linear_1d(8, seed=seed),
                 lambda: data.train_test_split(X, [0, 1, 0, 1], 0.5, seed=seed)):
        with pytest.raises(err, match=msg):
            call()


@pytest.mark.parametrize("seed", [None, 0, 2**70, np.int64(3), [1, 2], np.array([4, 5]),
                                  np.random.SeedSequence(1), np.random.default_rng(2)])
def test_every_seed_numpy_accepts_is_accepted(seed):
    assert MLP([2, 1], seed=seed).n_params == 3
    assert data.moons(6, seed=seed)[0].shape == (6, 2)


def test_train_test_split_with_one_hot_labels_says_what_to_do():
    X, labels = data.blobs(20)
    with pytest.raises(ValueError, match=r"labels must be a 1-D array of class labels.*T.argmax\(axis=1\)"):
        data.train_test_split(X, np.eye(2)[labels])
    with pytest.raises(ValueError, match="X and labels must have the same number of rows"):
        data.train_test_split(X, labels[:5])
    with pytest.raises(ValueError, match=r"test_fraction must be in \(0, 1\), got 1.0"):
        data.train_test_split(X, labels, 1.0)
    with pytest.raises(ValueError, match="leaves the test part empty"):
        data.train_test_split(X[:2], labels[:2], 0.1)


@pytest.mark.parametrize("kwargs,err,msg", [
    ({"momentum": "0.9"}, TypeError, "momentum must be a real number, got str '0.9'"),
    ({"momentum": np.nan}, ValueError, "momentum must be a finite number"),
    ({"callbacks": 5}, TypeError, "callbacks must be a list of callbacks.*got int 5"),
    ({"callbacks": "on_epoch_end"}, TypeError, "callbacks must be a list"),
    ({"callbacks": [None]}, TypeError, r"callbacks\[0\] = NoneType"),
    ({"shuffle": "no"}, TypeError, "shuffle must be True or False, got str 'no'"),
    ({"epochs": True}, TypeError, "epochs must be an int, got bool"),
    ({"lr": np.inf}, ValueError, "lr must be a finite number > 0, got inf"),
    ({"batch_size": "8"}, TypeError, "batch_size must be an int"),
    ({"X_val": np.zeros((2, 3)), "T_val": np.zeros((2, 1))}, ValueError, r"X_val must have shape \(m, 2\)"),
])
def test_every_fit_argument_is_checked(net, kwargs, err, msg):
    with pytest.raises(err, match=msg):
        net.fit(np.zeros((4, 2)), np.zeros((4, 1)), **kwargs)


def test_fit_accepts_one_callback_or_none(net):
    seen = []
    net.fit(np.zeros((4, 2)), np.zeros((4, 1)), epochs=2, callbacks=lambda n, info: seen.append(info["epoch"]))
    net.fit(np.zeros((4, 2)), np.zeros((4, 1)), epochs=1, callbacks=None)
    assert seen == [0, 1]


@pytest.mark.parametrize("bad,err,msg", [
    (np.nan, ValueError, r"params\[0\]\[0\] \(W\) contains NaN or inf"),
    (np.inf, ValueError, "contains NaN or inf"),
    ("a", TypeError, r"params\[0\]\[0\] \(W\) must be a numeric array"),
])
def test_set_params_refuses_non_finite_and_non_numeric_weights(net, bad, err, msg):
    W = np.zeros((2, 4)).astype(object if isinstance(bad, str) else float)
    W[0, 0] = bad
    before = net.get_params()
    with pytest.raises(err, match=msg):
        net.set_params([(W.astype(str) if isinstance(bad, str) else W, np.zeros(4)), before[1]])
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(before, net.get_params()))


def test_set_params_shapes_and_float32_range():
    net = MLP([2, 4, 1], seed=0, dtype=np.float32)
    good = net.get_params()
    with pytest.raises(ValueError, match=r"params\[1\] must have shapes \(4, 1\) and \(1,\), got \(1, 4\)"):
        net.set_params([good[0], (np.zeros((1, 4)), np.zeros(1))])
    with pytest.raises(ValueError, match="too large for float32"):
        net.set_params([(np.full((2, 4), 1e300), np.zeros(4)), good[1]])
    with pytest.raises(TypeError, match="params must be a list of"):
        net.set_params(5)
    with pytest.raises(TypeError, match=r"params\[0\] must be a pair \(W, b\)"):
        net.set_params([np.zeros((2, 4)), good[1]])


@pytest.mark.parametrize("call,msg", [
    (lambda: data.xor(noise=np.nan), "noise must be a finite number, got nan"),
    (lambda: data.moons(noise=np.inf), "noise must be a finite number"),
    (lambda: data.spiral(noise=-0.1), "noise must be >= 0, got -0.1"),
    (lambda: data.linear_1d(w=np.nan), "w must be a finite number"),
    (lambda: data.linear_1d(w=1e308), "t = w x \\+ b \\+ noise overflows"),
    (lambda: data.blobs(spread=-1.0), "spread must be >= 0"),
    (lambda: data.xor(m=10**12), "m must be at most"),
    (lambda: data.spiral(m_per_class=10**6, k=10**6), "would hold"),
    (lambda: data.one_hot([0, 2**62]), "class indices below"),
    (lambda: data.one_hot([]), "labels is empty: give the number of classes k"),
    (lambda: data.one_hot(np.array([True, False])), "dtype bool"),
])
def test_data_generators_refuse_bad_arguments(call, msg):
    with pytest.raises((ValueError, TypeError), match=msg):
        call()


# ---- extreme but valid: finite, or a clear error where the true answer overflows ------
def test_overflowing_results_are_refused_not_returned_as_inf():
    with pytest.raises(ValueError, match="mse overflows"):
        losses.mse(np.array([1e308]), np.array([-1e308]))
    net = MLP([1, 1], output_activation="identity", loss="mse")
    net.set_params([(np.array([[4.0]]), np.zeros(1))])
    with pytest.raises(ValueError, match="outputs overflow"):
        net.forward(np.array([[1e308]]))
    relu = MLP([1, 2, 1], "relu", "identity", "mse")
    relu.set_params([(np.array([[4.0, 4.0]]), np.zeros(2)), (np.ones((2, 1)), np.zeros(1))])
    with pytest.raises(ValueError, match="outputs overflow"):
        relu.loss(np.array([[1e308]]), np.zeros((1, 1)))


def test_fit_refuses_inputs_too_large_to_train_on(net):
    with pytest.raises(ValueError, match="X holds values up to 1e\\+308: too large to train on"):
        net.fit(np.full((4, 2), 1e308), np.zeros((4, 1)), epochs=1)


def test_diverging_training_is_a_value_error():
    assert issubclass(TrainingDiverged, ValueError) and issubclass(TrainingDiverged, FloatingPointError)


def test_extreme_values_in_the_helpers_stay_finite():
    big = np.array([1e308, -1e308, 1.7976931348623157e308])
    assert gradcheck.relative_error(big, big) == 0.0
    assert gradcheck.relative_error(big, -big) == pytest.approx(1.0)
    assert gradcheck.relative_error(np.array([5e-324]), np.array([0.0])) == pytest.approx(1.0)
    assert np.all(np.isfinite(act.sigmoid(big))) and np.all(np.isfinite(act.tanh(big)))
    assert np.allclose(act.softmax(np.array([[1e308, -1e308]])), [[1.0, 0.0]])
    assert losses.binary_cross_entropy_from_logits(np.array([[1e308], [-1e308]]), np.array([[1.0], [0.0]])) == 0.0
    assert losses.cross_entropy_from_logits(np.array([[1e308, -1e308]]), np.array([[1.0, 0.0]])) == 0.0


def test_checks_module_caps_are_documented_numbers():
    assert _checks.MAX_PARAMETERS >= 10**7 and _checks.MAX_LAYERS >= 100


def test_weights_that_overflow_in_the_last_step_count_as_divergence():
    net = MLP([2, 3, 1], "relu", "identity", "mse", seed=0)
    with pytest.raises(TrainingDiverged, match="the weights overflowed with lr=1e\\+308"):
        net.fit(np.array([[1.0, 2.0], [3.0, -4.0]]), np.array([[1.0], [0.0]]), epochs=1, lr=1e308, batch_size=2)
