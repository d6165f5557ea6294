"""Reference forward/backward passes with switchable classic mistakes (ex03, ex04).

Sigmoid hidden layers, sigmoid output, mean binary cross-entropy; samples are rows.
``backprop_variant(X, T, Ws, bs, bug)`` returns what a network with one
classic mistake ``bug`` would return, so a learner's answer can be matched
against it and the mistake named.
"""

import numpy as np


def sig(a):
    a = np.asarray(a, dtype=float)
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def forward_all(X, Ws, bs, bias=True):
    Hs = [X]
    for W, b in zip(Ws, bs):
        Hs.append(sig(Hs[-1] @ W + (b if bias else 0.0)))
    return Hs


def backprop_variant(X, T, Ws, bs, bug=None):
    """Gradients [(dW, db)] bottom layer first, with an optional classic mistake."""
    L = len(Ws)
    Hs = forward_all(X, Ws, bs, bias=(bug != "no_bias"))
    Y = Hs[-1]
    m = X.shape[0]
    delta = (Y - T) / m
    if bug == "sign":
        delta = -delta
    if bug == "no_m":
        delta = Y - T
    if bug == "mean_all":
        delta = (Y - T) / Y.size
    if bug == "out_deriv":
        delta = delta * Y * (1 - Y)
    if bug == "dJdY":
        Yc = np.clip(Y, 1e-12, 1 - 1e-12)
        delta = (Yc - T) / (Yc * (1 - Yc)) / m
    grads = [None] * L
    for l in range(L - 1, -1, -1):
        H_in = Hs[l]
        if bug == "wrong_acts" and l == L - 1 and L >= 2:
            H_in = Hs[l - 1]          # the output layer updated with the layer below's input (z for z2)
        if bug == "wrong_acts_all" and l >= 1:
            H_in = Hs[l - 1]
        dW = H_in.T @ delta
        if bug == "transposed":
            dW = (delta.T @ H_in).T if dW.shape[0] != dW.shape[1] else delta.T @ H_in
        db = delta.sum(axis=0)
        if bug == "extra_m":
            dW = dW / m
            db = db / m
        if bug == "db_mean":
            db = delta.mean(axis=0)
        grads[l] = (dW, db)
        if l == 0:
            break
        W_rec = Ws[l]
        if bug == "wrong_weights":
            W_rec = Ws[l + 1] if l + 1 < L else Ws[l]
            if l + 1 >= L:
                W_rec = Ws[l]
        if bug == "wrong_weights_below":
            W_rec = Ws[l - 1]
        if bug == "no_transpose":
            back = delta @ W_rec
        else:
            back = delta @ W_rec.T
        H = Hs[l]
        if bug == "no_deriv":
            deriv = 1.0
        elif bug == "sig_of_output":
            deriv = sig(H) * (1 - sig(H))
        elif bug == "tanh_deriv":
            deriv = 1 - H ** 2
        elif bug == "deriv_H":
            deriv = H
        elif bug == "deriv_next":
            deriv = Hs[l + 1] * (1 - Hs[l + 1]) if Hs[l + 1].shape == H.shape else None
        else:
            deriv = H * (1 - H)
        if deriv is None:
            return None
        delta = back * deriv
    return grads


BUGS = {
    "wrong_acts": "the output layer's dW uses the wrong layer's activations: the input of the output layer"
                  " is the last hidden layer's output, not the one below it (the z instead of z2 bug)",
    "wrong_acts_all": "each layer's dW uses the wrong layer's activations: dW_l = H_(l-1)^T delta_l, where"
                      " H_(l-1) is the input of layer l (the output of the layer just below)",
    "wrong_weights": "the recursion uses the wrong layer's weights: delta_(l-1) = (delta_l @ W_l.T) * f',"
                     " with the weights W_l of the layer whose delta you have",
    "wrong_weights_below": "the recursion uses the wrong layer's weights (the layer below's): delta_(l-1) ="
                           " (delta_l @ W_l.T) * f'",
    "no_transpose": "the recursion multiplies by W instead of W.T: a missing transpose (delta @ W.T)",
    "no_deriv": "the activation derivative is missing in the recursion: multiply by f'(a) = H (1 - H)",
    "sig_of_output": "the derivative is taken of the wrong quantity: σ applied to an output that is already"
                     " σ(a). With H = σ(A), σ'(A) = H (1 - H), not σ(H)(1 - σ(H))",
    "tanh_deriv": "the derivative 1 - H^2 is tanh's; for a sigmoid layer it is H (1 - H)",
    "deriv_H": "the derivative is H instead of H (1 - H)",
    "deriv_next": "the derivative comes from the wrong layer (the layer above's output)",
    "out_deriv": "the output delta is multiplied by Y (1 - Y): for sigmoid + cross-entropy the σ' cancels"
                 " and delta = (Y - T) / m",
    "dJdY": "the output delta is dJ/dY, not dJ/dA: for sigmoid + cross-entropy dJ/dA = (Y - T) / m",
    "no_bias": "the forward pass inside leaves out the biases",
    "transposed": "dW is transposed: dW = H_in.T @ delta has the shape of W (n_in, n_out)",
    "extra_m": "1/m is applied twice: delta already holds the 1/m of the mean, do not divide dW and db again",
    "db_mean": "db is a mean over the rows, but delta already holds 1/m: db = delta.sum(axis=0)",
    "mean_all": "the output delta is divided by m·k (a mean over every entry) instead of m",
    "no_m": "the mean's 1/m is missing: delta at the output is (Y - T) / m",
    "sign": "a sign is flipped: the output delta is (Y - T) / m, not (T - Y) / m",
}
