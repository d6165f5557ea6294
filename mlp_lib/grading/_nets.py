"""Reference maths of the grader: one sigmoid, one softmax, and backprop with switchable classic mistakes.

Sigmoid hidden layers, sigmoid output, mean binary cross-entropy; samples are
rows. ``backprop_from(Hs, T, Ws, bug)`` returns what backprop with one classic
mistake ``bug`` gives, so a learner's answer can be matched against it and the
mistake named.
"""

import numpy as np


def sig(a):
    """The logistic sigmoid, stable for any a."""
    a = np.asarray(a, dtype=float)
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softmax(A, axis=1):
    E = np.exp(A - A.max(axis=axis, keepdims=True))
    return E / E.sum(axis=axis, keepdims=True)


def forward_all(X, Ws, bs, bias=True):
    Hs = [X]
    for W, b in zip(Ws, bs):
        Hs.append(sig(Hs[-1] @ W + (b if bias else 0.0)))
    return Hs


def _output_delta(Y, T, bug):
    m = Y.shape[0]
    e = Y - T
    return {"sign": -e / m, "no_m": e, "mean_all": e / Y.size, "out_deriv": e * Y * (1 - Y) / m,
            "dJdY": (e / np.clip(Y * (1 - Y), 1e-12, None)) / m, "e1e": e * (1 - e) / m}.get(bug, e / m)


def logit(H):
    """The pre-activation a of a sigmoid layer, from its output H = σ(a)."""
    H = np.clip(H, 1e-300, 1 - 1e-16)
    return np.log(H) - np.log1p(-H)


def _deriv(H, back, bug, above):
    if bug == "deriv_pre":
        A = logit(H)
        return A * (1 - A)
    if bug == "times_pre":
        return logit(H) * H * (1 - H)
    return {"no_deriv": 1.0, "sig_of_output": sig(H) * (1 - sig(H)), "tanh_deriv": 1 - H ** 2,
            "deriv_H": H, "one_minus_sig": 1 - sig(H), "deriv_of_grad": back * (1 - back),
            "deriv_next": above * (1 - above) if above.shape == H.shape else None}.get(bug, H * (1 - H))


def hidden_delta_variant(delta, W, H, bug=None, above=None, below=None):
    """delta of a sigmoid layer with output H, from the delta above and its weights W.

    above: the output of the layer above (for "deriv_next"); below: the layer's input (for "deriv_below").
    """
    if bug == "deriv_below":
        if below is None or below.shape != H.shape:
            return None
        H = below
    if bug == "no_transpose":
        back = delta @ W
    elif bug == "elementwise":
        back = delta * W.T if delta.shape[1] == 1 else None
    elif bug == "not_through_W":
        back = delta if delta.shape[1] in (1, H.shape[1]) else None
    else:
        back = delta @ W.T
    if back is None:
        return None
    deriv = _deriv(H, back, bug, above if above is not None else H)
    if deriv is None:
        return None
    if bug == "deriv_of_grad":
        return deriv
    return back * deriv


def backprop_from(Hs, T, Ws, bug=None):
    """Gradients [(dW, db)] bottom layer first from the outputs Hs = [X, H1, ..., Y] of every layer."""
    L = len(Ws)
    m = Hs[0].shape[0]
    delta = _output_delta(Hs[-1], T, bug)
    grads = [None] * L
    for l in range(L - 1, -1, -1):
        H_in = Hs[l]
        if bug == "wrong_acts" and l == L - 1 and L >= 2:
            H_in = Hs[l - 1]          # the output layer's dW from the layer below's input
        if bug == "wrong_acts_all" and l >= 1:
            H_in = Hs[l - 1]
        if bug == "input_pre" and l >= 1:
            H_in = logit(Hs[l])
        dW = H_in.T @ delta
        if bug == "transposed":
            dW = (delta.T @ H_in).T if dW.shape[0] != dW.shape[1] else delta.T @ H_in
        db = delta.sum(axis=0)
        if bug == "extra_m":
            dW, db = dW / m, db / m
        if bug == "db_mean":
            db = delta.mean(axis=0)
        grads[l] = (dW, db)
        if l == 0:
            break
        W_rec = Ws[l]
        if bug == "wrong_weights":
            W_rec = Ws[l + 1] if l + 1 < L else Ws[l]
        if bug == "wrong_weights_below":
            W_rec = Ws[l - 1]
        if bug == "grad_for_W":
            W_rec = dW
        if W_rec is None:
            return None
        delta = hidden_delta_variant(delta, W_rec, Hs[l], bug, Hs[l + 1], Hs[l - 1])
        if delta is None:
            return None
    return grads


def backprop_variant(X, T, Ws, bs, bug=None):
    """Gradients [(dW, db)] of a net with weights Ws and biases bs, with an optional classic mistake."""
    return backprop_from(forward_all(X, Ws, bs, bias=(bug != "no_bias")), T, Ws, bug)


HIDDEN_BUGS = {
    "no_transpose": "the recursion multiplies by W instead of W.T: a missing transpose (delta @ W.T)",
    "elementwise": "delta is multiplied elementwise (*) by the weights where a matrix product belongs:"
                   " delta_next @ W_next.T (the same numbers only when there is one output unit)",
    "not_through_W": "the hidden delta is never sent back through the weights: delta = (delta_next @"
                     " W_next.T) * H (1 - H), the weights of the layer above carry it down",
    "no_deriv": "the activation derivative is missing in the recursion: multiply by f'(a) = H (1 - H)",
    "sig_of_output": "σ' is taken of the pre-activation formula applied to an output: σ applied to an output"
                     " that is already σ(a). With H = σ(A), σ'(A) = H (1 - H), not σ(H)(1 - σ(H))",
    "one_minus_sig": "the derivative is 1 - σ(H); with H = σ(A) it is H (1 - H)",
    "tanh_deriv": "the derivative 1 - H^2 is tanh's; for a sigmoid layer it is H (1 - H)",
    "deriv_H": "the derivative is H instead of H (1 - H)",
    "deriv_of_grad": "σ' is taken of the incoming gradient (g (1 - g) with g = delta_next @ W_next.T);"
                     " it belongs to the layer's output H: (delta_next @ W_next.T) * H (1 - H)",
    "deriv_next": "the derivative comes from the wrong layer's output (the layer above's: an index off by"
                  " one); use this layer's own output, H (1 - H)",
    "times_pre": "σ'(a) = H (1 - H) is multiplied by the pre-activation a as well: an extra factor a; g'(a)"
                 " is the derivative evaluated at a, not a product with a",
    "deriv_pre": "σ' is written a (1 - a) of the pre-activation a; the formula y (1 - y) takes the layer's"
                 " output y = σ(a), here H: H (1 - H)",
}

BUGS = dict(HIDDEN_BUGS, **{
    "deriv_below": "the derivative in the recursion is taken of the layer's input (the output of the layer"
                   " below), not of the layer's own output: H (1 - H) with H = outputs[l], this layer's"
                   " output",
    "input_pre": "dW is built from the pre-activations of the layer below, not from its output: the input of"
                 " layer l is the activation (output) of the layer below, dW = H_(l-1)^T delta",
    "grad_for_W": "the recursion uses the gradient instead of the weights: delta = (delta_next @ W_next.T) *"
                  " H (1 - H) takes the weights, not the gradient dW",
    "wrong_acts": "the output layer's dW uses the wrong layer's activations: the input of the output layer"
                  " is the last hidden layer's output, not the one below it",
    "wrong_acts_all": "each layer's dW uses the wrong layer's activations: dW_l = H_(l-1)^T delta_l, where"
                      " H_(l-1) is the input of layer l (the output of the layer just below)",
    "wrong_weights": "the recursion uses the wrong layer's weights: delta_(l-1) = (delta_l @ W_l.T) * f',"
                     " with the weights W_l of the layer whose delta you have",
    "wrong_weights_below": "the recursion uses the wrong layer's weights (the layer below's): delta_(l-1) ="
                           " (delta_l @ W_l.T) * f'",
    "out_deriv": "the output delta is multiplied by Y (1 - Y): for sigmoid + cross-entropy the σ' cancels"
                 " and delta = (Y - T) / m",
    "e1e": "the output delta is e (1 - e) with e = Y - T: σ'(a) = y (1 - y) is written of the error instead"
           " of the output, and for sigmoid + cross-entropy it cancels anyway: delta = (Y - T) / m",
    "dJdY": "the output delta is dJ/dY, not dJ/dA: for sigmoid + cross-entropy dJ/dA = (Y - T) / m",
    "no_bias": "the forward pass inside leaves out the biases",
    "transposed": "dW is transposed: dW = H_in.T @ delta has the shape of W (n_in, n_out)",
    "extra_m": "1/m is applied twice: delta already holds the 1/m of the mean, do not divide dW and db again",
    "db_mean": "db is a mean over the rows, but delta already holds 1/m: db = delta.sum(axis=0)",
    "mean_all": "the output delta is divided by m·k (a mean over every entry) instead of m",
    "no_m": "the mean's 1/m is missing: delta at the output is (Y - T) / m",
    "sign": "a sign is flipped: the output delta is (Y - T) / m, not (T - Y) / m",
})
