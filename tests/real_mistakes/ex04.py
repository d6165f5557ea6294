"""Real learners' mistakes in ex04."""

from tests.real_mistakes import Mistake

MISTAKES = [
]
MISTAKES += [
    Mistake(
        "hidden_delta",
        '''
def hidden_delta(delta_next, W_next, H):
    s = sigmoid(H)
    return (delta_next @ W_next.T) * s * (1 - s)
''',
        "nonlin(x, deriv=True) 'fixed' to s = sigmoid(x); s*(1-s), on a layer output that is already a sigmoid",
        "https://github.com/iamtrask/iamtrask.github.io/issues/12",
        (r"already σ\(a\)", r"already (the )?(sigmoid'?s? )?output", r"applied twice"),
    ),
    Mistake(
        "numerical_gradient",
        '''
def numerical_gradient(f, x, eps=1e-5):
    grad = np.zeros_like(x, dtype=float)
    for i in np.ndindex(x.shape):
        old = x[i]
        x_plus = x
        x_plus[i] = old + eps
        x_minus = x
        x_minus[i] = old - eps
        grad[i] = (f(x_plus) - f(x_minus)) / (2 * eps)
    return grad
''',
        "x_plus = x is a shallow copy sharing x's data, so the nudges overwrite each other and x itself",
        "https://github.com/HomericIntelligence/Odyssey/pull/2089",
        (r"cop(y|ies)", r"same array", r"alias"),
    ),
]
MISTAKES += [
    Mistake(
        "hidden_delta",
        '''
def hidden_delta(delta_next, W_next, H):
    return delta_next @ W_next.T
''',
        "the hidden error is W^T times the output error, without the hidden layer's derivative",
        "https://github.com/makeyourownneuralnetwork/makeyourownneuralnetwork/issues/88",
        (r"derivative (is )?missing", r"without (the )?(sigmoid'?s? )?derivative", r"H ?\* ?\(1 ?- ?H\)"),
    ),
    Mistake(
        "layer_gradients",
        '''
def layer_gradients(H_prev, delta):
    return H_prev.T @ delta, np.mean(delta, axis=0)
''',
        "d_b1 = mean(d_h2) where the bias gradient is the sum over the batch",
        "https://github.com/kvfrans/notes/issues/5",
        (r"applied twice", r"mean instead of (a |the )?sum", r"divided by m twice"),
    ),
    Mistake(
        "layer_gradients",
        '''
def layer_gradients(H_prev, delta):
    return H_prev.T @ delta, delta
''',
        "the broadcast bias receives the whole (m, n) gradient; it is never summed back over the batch",
        "https://github.com/jimfleming/differentiation/issues/1",
        (r"sum(med)? over (the )?(samples|rows|batch|examples)", r"axis ?=? ?0", r"not summed"),
    ),
    Mistake(
        "layer_gradients",
        '''
def layer_gradients(H_prev, delta):
    dW = H_prev.T @ delta
    return dW, np.sum(dW, axis=0)
''',
        "the bias gradients are computed from the weight gradient np.dot(l1, x.T) summed, not from delta alone",
        "https://github.com/rust0258/Deeplearning.ai-Natural-Language-Processing-Specialization/issues/62",
        (r"delta alone", r"sum of delta", r"without (the )?(input|H_prev)", r"from dW", r"(input|H_prev) .*bias"),
    ),
]
MISTAKES += [
    Mistake(
        "numerical_gradient",
        '''
def numerical_gradient(f, x, eps=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    fx = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        grad[i] = (f(x) - fx) / eps
        x[i] = old
    return grad
''',
        "the numerical gradient checker uses (f(x + h) - f(x)) / h instead of the centred difference",
        "https://github.com/apache/mxnet/issues/3693",
        (r"forward difference", r"central", r"centred", r"one-sided"),
    ),
    Mistake(
        "output_delta",
        '''
def output_delta(Y, T):
    return (Y - T) * Y * (1 - Y) / Y.shape[0]
''',
        "the output delta a_out - y is 'corrected' to include the sigmoid derivative, with a cross-entropy loss",
        "https://github.com/rasbt/python-machine-learning-book-2nd-edition/issues/54",
        (r"cancels", r"(sigmoid'?s? )?derivative .*(cancel|not needed)"),
    ),
    Mistake(
        "output_delta",
        '''
def output_delta(Y, T):
    return (T - Y) / Y.shape[0]
''',
        "the cross-entropy output error written as (target - output) instead of (output - target)",
        "https://github.com/haifengl/smile/pull/151",
        (r"\bsigns?\b",),
    ),
    Mistake(
        "output_delta",
        '''
def output_delta(Y, T):
    return Y * (1 - Y) / Y.shape[0]
''',
        "the derivative of the cross-entropy is expected to be output*(1-output)",
        "https://github.com/JuliaML/LossFunctions.jl/issues/135",
        (r"y ?- ?t\b.*missing", r"without (the )?(error|y ?- ?t)", r"σ′ alone", r"only (the )?(sigmoid'?s? )?derivative",
         r"e\(1 ?- ?e\)", r"y\(1 ?- ?y\) instead"),
    ),
    Mistake(
        "output_delta",
        '''
def output_delta(Y, T):
    return (Y - T) / Y.size
''',
        "with sigmoid outputs the crossentropy gradient is off by the number of outputs (a mean over outputs too)",
        "https://github.com/oysteijo/simd_neuralnet/issues/1",
        (r"m·k", r"m ?\* ?k", r"number of outputs", r"Y\.size", r"every entry"),
    ),
    Mistake(
        "layer_gradients",
        '''
def layer_gradients(H_prev, delta):
    return (H_prev.T @ delta).T, delta.sum(axis=0)
''',
        "weight_deltas = outer_prod(input, delta) is the transpose of what the weights need",
        "https://github.com/iamtrask/Grokking-Deep-Learning/issues/23",
        (r"transpose",),
    ),
    Mistake(
        "backprop",
        '''
def backprop(X, T, weights, biases):
    pre, outputs = [X], [X]
    for W, b in zip(weights, biases):
        A = outputs[-1] @ W + b
        pre.append(A)
        outputs.append(sigmoid(A))
    delta = output_delta(outputs[-1], T)
    grads = [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        grads[l] = layer_gradients(pre[l], delta)      # pre-activations, not outputs
        if l > 0:
            delta = hidden_delta(delta, weights[l], outputs[l])
    return grads
''',
        "the weight gradient multiplies the delta by the layer input's pre-activation H instead of its activation A",
        "https://github.com/maziarraissi/backprop/issues/1",
        (r"pre-?activation", r"layer'?s? input .*output", r"outputs? of the layer below", r"activations? .*not .*pre"),
    ),
    Mistake(
        "backprop",
        '''
def backprop(X, T, weights, biases):
    outputs = [X]
    for W, b in zip(weights, biases):
        outputs.append(sigmoid(outputs[-1] @ W + b))
    delta = output_delta(outputs[-1], T)
    grads = [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        grads[l] = layer_gradients(outputs[l], delta)
        if l > 0:
            delta = hidden_delta(delta, weights[l], outputs[l - 1])   # the layer's input, not its output
    return grads
''',
        "the layer's delta uses the activator's derivative at the layer's input instead of at its output",
        "https://github.com/hanbt/learn_dl/issues/23",
        (r"wrong layer'?s? (activations|output)", r"outputs\[l\]", r"output of (this|the) layer", r"layer'?s? (own )?output"),
    ),
]
MISTAKES += [
    Mistake(
        "backprop",
        '''
def backprop(X, T, weights, biases):
    pre, outputs = [X], [X]
    for W, b in zip(weights, biases):
        pre.append(outputs[-1] @ W + b)
        outputs.append(sigmoid(pre[-1]))
    delta = output_delta(outputs[-1], T)
    grads = [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        grads[l] = layer_gradients(outputs[l], delta)
        if l > 0:
            delta = hidden_delta(delta, weights[l], pre[l])   # x(1 - x) of the pre-activation
    return grads
''',
        "applyDerivative(x) = x(1 - x) is applied to the neuron's input sum, not to its sigmoid output",
        "https://github.com/apache/incubator-retired-horn/pull/8",
        (r"pre-?activation", r"of a,? not (of )?(the output|y|h)", r"output y = σ\(a\)", r"outputs? .*not .*pre"),
    ),
]
MISTAKES += [
    Mistake(
        "numerical_gradient",
        '''
def numerical_gradient(f, x, eps=1e-5):
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        tmp = x[idx]
        x[idx] = float(tmp) + eps
        fxh1 = f(x)
        x[idx] = tmp - eps
        fxh2 = f(x)
        grad[idx] = (fxh1 - fxh2) / (2 * eps)
        x[idx] = tmp
    return grad
''',
        "numerical_gradient on an integer array x: zeros_like(x) and the nudged x[idx] are integers",
        "https://github.com/oreilly-japan/deep-learning-from-scratch/issues/51",
        (r"integer", r"dtype", r"float"),
    ),
    Mistake(
        "numerical_gradient",
        '''
def numerical_gradient(f, x, eps=1e-5):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        x[i] += eps
        f_plus = f(x)
        x[i] -= 2 * eps
        f_minus = f(x)
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad
''',
        "the finite-difference gradient perturbs x in place and leaves the caller's x changed",
        "https://github.com/JuliaDiff/FiniteDiff.jl/issues/111",
        (r"x is changed", r"restor", r"mutat", r"in place"),
    ),
]
MISTAKES += [
    Mistake(
        "hidden_delta",
        '''
def hidden_delta(delta_next, W_next, H):
    return (delta_next @ W_next.T) * (11 * (1 - 11))      # nonlin(11, deriv=True): 11, not l1
''',
        "the derivative is evaluated as nonlin(11, deriv=True), the number 11 typed for the layer l1",
        "https://github.com/numpy/numpy/issues/11737",
        (r"does(n'?t| not) (depend|use)", r"H ?\(1 ?- ?H\)", r"H ?\* ?\(1 ?- ?H\)", r"the layer'?s? output"),
    ),
    Mistake(
        "layer_gradients",
        '''
def layer_gradients(H_prev, delta):
    x_mean = np.sum(H_prev, axis=0) / H_prev.shape[0]
    return np.outer(x_mean, delta.sum(axis=0)), delta.sum(axis=0)
''',
        "the input is averaged over the batch first, so the weight update is an outer product of averages",
        "https://github.com/FesianXu/AI_Blog/issues/1",
        (r"per[- ]sample", r"averag\w* (the )?inputs?", r"H_prev\.T ?@ ?delta", r"product of (the )?(means|averages)"),
    ),
    Mistake(
        "backprop",
        '''
def backprop(X, T, weights, biases):
    outputs = [X]
    for W, b in zip(weights, biases):
        outputs.append(sigmoid(outputs[-1] @ W + b))
    delta = output_delta(outputs[-1], T)
    grads = [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        grads[l] = layer_gradients(outputs[l], delta)
        if l > 0:
            delta = hidden_delta(delta, weights[l], outputs[l + 1])   # index one too far
    return grads
''',
        "grads['dA' + str(l + 1)] where the loop needs dA of layer l + 2: an index off by one layer",
        "https://github.com/fanghao6666/neural-networks-and-deep-learning/pull/13",
        (r"wrong layer'?s? (activations|output)", r"outputs\[l\]", r"off[- ]by[- ]one", r"layer'?s? (own )?output"),
    ),
]
MISTAKES += [
    Mistake(
        "output_delta",
        '''
def output_delta(Y, T):
    return Y - T
''',
        "the gradients are summed over the minibatch instead of averaged, so their size depends on the batch size",
        "https://github.com/davharris/mistnet/issues/33",
        (r"1/m is missing", r"sum instead of (a |the )?mean", r"averag"),
    ),
]
MISTAKES += [
    Mistake(
        "numerical_gradient",
        '''
def numerical_gradient(f, x, eps=1e-5):
    h = 1e-10
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
''',
        "a fixed epsilon of 1e-10 is used for the finite differences: round-off swamps the difference",
        "https://github.com/itdxer/neupy/issues/74",
        (r"eps argument", r"round-?off", r"too small", r"ignores eps"),
    ),
]
