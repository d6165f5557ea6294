"""Mistakes real learners posted publicly, injected into the solutions: each is caught and its cause named.

The catalogue is data (tests/real_mistakes/exNN.py); see tests/real_mistakes/__init__.py for its
format and for how the grader's own words are separated from the learner's code it echoes and from
what it says about every failure.
"""

import re

import pytest

from tests.real_mistakes import Mistake, catalogue, caught, feedback_text, grade, named, own_words

CATALOGUE = catalogue()


def _id(entry):
    ex, i, m = entry
    return f"{ex}-{i:02d}-{m.function}"


@pytest.mark.parametrize("entry", CATALOGUE, ids=_id)
def test_real_mistake_is_caught_and_its_cause_named(entry):
    ex, _, mistake = entry
    results = grade(ex, mistake.function, mistake.code)
    text = feedback_text(results)
    assert caught(results), f"not caught: {mistake.bug} ({mistake.source})"
    assert named(ex, mistake, results), (
        f"cause not named: {mistake.bug} ({mistake.source})\nwanted one of {mistake.cause}\n"
        f"the grader's own words:\n{own_words(ex, mistake, results)}\nfull feedback:\n{text}")


def test_catalogue_size_and_spread():
    from mlp_lib.grading import EXERCISES

    assert len(CATALOGUE) >= 120
    per_function = {}
    for ex, _, m in CATALOGUE:
        per_function.setdefault((ex, m.function), []).append(m)
    for ex, (_, names) in EXERCISES.items():
        assert sum(1 for e, _, _ in CATALOGUE if e == ex) >= 15, ex
        for name in names:
            assert per_function.get((ex, name)), f"no real mistake for {name}"
    sources = [m.source for _, _, m in CATALOGUE]
    assert all(re.match(r"https?://", s) for s in sources)
    codes = [re.sub(r"\s+", "", m.code) for _, _, m in CATALOGUE]
    assert len(set(codes)) == len(codes), "two entries carry the same code"


def test_the_matcher_ignores_echoed_code_and_generic_words():
    # a cause word that occurs only in the learner's code (here "simultaneous") must not count
    m = Mistake("predict", "def predict(X, w, b):\n    simultaneous = 1.37\n    return (X @ w + b) * simultaneous\n",
                "a factor", "https://example.org", ("simultaneous", "differ", "times the expected"))
    results = grade("ex01", m.function, m.code)
    assert caught(results)
    assert not named("ex01", m, results), own_words("ex01", m, results)


# ---------------------------------------------------------------- the walkthrough's cases


def _verdict(name, results):
    try:
        from mlp_lib.grading import format_verdict
    except ImportError:
        from mlp_lib.grading._framework import format_verdict
    return format_verdict(name, results)


def test_sigmoid_returning_a_list_is_rejected_with_the_contract():
    code = '''
def sigmoid(a):
    return [1.0 / (1.0 + np.exp(-x)) for x in np.asarray(a, dtype=float)]
'''
    results = grade("ex02", "sigmoid", code)
    assert caught(results)
    words = own_words("ex02", Mistake("sigmoid", code, "", "", ()), results)
    assert re.search(r"\blist\b", words, re.I), words                      # what came back
    assert re.search(r"numpy array|np\.ndarray", words, re.I), words       # what the contract is
    assert re.search(r"shape", words, re.I), words


def test_batches_from_array_split_score_full_marks():
    code = '''
def iterate_minibatches(X, T, batch_size, rng):
    order = rng.permutation(len(X))
    n_batches = int(np.ceil(len(X) / batch_size))
    for idx in np.array_split(order, n_batches):
        yield X[idx], T[idx]
'''
    results = grade("ex05", "iterate_minibatches", code)
    assert all(r.passed for r in results), _verdict("iterate_minibatches", results)


@pytest.mark.parametrize("helper, code", [
    ("hidden_delta", "def hidden_delta(delta_next, W_next, H):\n    return delta_next @ W_next.T\n"),
    ("output_delta", "def output_delta(Y, T):\n    return Y - T\n"),
    ("layer_gradients", "def layer_gradients(H_prev, delta):\n    return delta.T @ H_prev, delta.sum(axis=0)\n"),
])
def test_backprop_with_a_wrong_helper_blames_the_helper(helper, code):
    # the learner's backprop is right; only the helper it calls is wrong
    results = grade("ex04", "backprop", code)
    text = "\n".join(r.feedback for r in results) + "\n" + _verdict("backprop", results)
    assert helper in text, text
    # backprop earns what it earns with the reference helpers in their place: here, every point
    assert sum(r.points for r in results) == sum(r.max_points for r in results), text


def test_one_cause_is_said_once():
    code = '''
def layer_gradients(H_prev, delta):
    return H_prev @ delta, delta.sum(axis=0)
'''
    results = grade("ex04", "layer_gradients", code)
    text = _verdict("layer_gradients", results)
    raised = [l for l in text.splitlines() if "raised ValueError" in l or "ValueError" in l]
    assert len(raised) <= 1, text
    lines = [re.sub(r"[-+]?\d+(\.\d+)?", "#", l.split(":", 1)[-1]).strip()
             for l in text.splitlines()[1:] if l.strip().startswith("✗")]
    assert len(lines) == len(set(lines)), text
