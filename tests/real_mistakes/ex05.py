"""Real learners' mistakes in ex05."""

from tests.real_mistakes import Mistake

MISTAKES = [
]
MISTAKES += [
    Mistake(
        "momentum_step",
        '''
def momentum_step(param, grad, velocity, lr, beta):
    if not np.any(velocity):          # first step: start the velocity at the gradient
        new_velocity = -grad
    else:
        new_velocity = beta * velocity - lr * grad
    return param + new_velocity, new_velocity
''',
        "on the first update the velocity is initialised to the gradient without the learning rate",
        "https://github.com/zc911/MatrixSlow/pull/17",
        (r"first step", r"zero velocity", r"learning rate"),
    ),
    Mistake(
        "momentum_step",
        '''
def momentum_step(param, grad, velocity, lr, beta):
    new_velocity = lr * (beta * velocity - grad)
    return param + new_velocity, new_velocity
''',
        "the previous increment is multiplied both by the momentum and by the learning rate",
        "https://github.com/dfdx/Boltzmann.jl/issues/14",
        (r"learning rate (also )?(multiplies|scales|on) the (old |previous )?velocity", r"βv is (also )?(multiplied|scaled)",
         r"velocity .*learning rate"),
    ),
    Mistake(
        "momentum_step",
        '''
def momentum_step(param, grad, velocity, lr, beta):
    step = beta * velocity - lr * grad
    return param + step, -lr * grad
''',
        "the last increment is added to the weights but not kept in the velocity carried to the next step",
        "https://github.com/dfdx/Boltzmann.jl/issues/16",
        (r"(returned|new) velocity", r"velocity (is )?not (carried|kept|accumulated)", r"βv .*missing"),
    ),
    Mistake(
        "momentum_step",
        '''
def momentum_step(param, grad, velocity, lr, beta):
    new_velocity = beta * velocity - lr * grad
    return param + velocity, new_velocity
''',
        "the step uses the momentum term from one step before (not yet updated with the current gradient)",
        "https://github.com/mdenil/dropout/issues/4",
        (r"old velocity", r"stale", r"previous velocity", r"one step (too )?(old|late)"),
    ),
    Mistake(
        "momentum_step",
        '''
def momentum_step(param, grad, velocity, lr, beta):
    new_velocity = beta * velocity + (1.0 - beta) * grad
    return param - lr * new_velocity, new_velocity
''',
        "momentum written as an exponential moving average mom*v + (1-mom)*g, then a step of -lr*v",
        "https://github.com/mdenil/dropout/issues/7",
        (r"convention", r"moving average"),
    ),
    Mistake(
        "momentum_step",
        '''
def momentum_step(param, grad, velocity, lr, beta):
    new_velocity = beta * velocity + lr * grad
    return param - new_velocity, new_velocity
''',
        "momentum stepper proposed as v = gamma*v + alpha*g, theta -= v: the same step, a velocity of the opposite sign",
        "https://github.com/IDSIA/brainstorm/issues/96",
        (r"velocity .*(sign|opposite)", r"(sign|opposite) .*velocity", r"convention"),
    ),
    Mistake(
        "momentum_step",
        '''
def momentum_step(param, grad, velocity, lr, beta):
    new_velocity = beta * velocity + grad
    return param - lr * (grad + beta * new_velocity), new_velocity
''',
        "Nesterov momentum with velocity = mu*v + g and param -= lr*(g + mu*v)",
        "https://github.com/PaddlePaddle/Paddle/pull/12231",
        (r"nesterov", r"convention"),
    ),
    Mistake(
        "momentum_step",
        '''
def momentum_step(param, grad, velocity, lr, beta):
    new_velocity = beta * velocity - (1.0 - beta) * lr * grad
    return param + new_velocity, new_velocity
''',
        "the new gradient is scaled by (1 - momentum), an exponentially averaged momentum",
        "https://github.com/pjreddie/darknet/issues/2203",
        (r"convention", r"moving average", r"1 ?- ?(β|beta)"),
    ),
    Mistake(
        "momentum_step",
        '''
def momentum_step(param, grad, velocity, lr, beta):
    new_velocity = lr * velocity - beta * grad
    return param + new_velocity, new_velocity
''',
        "the learning rate and the momentum are swapped in the update",
        "https://github.com/jeffheaton/t81_558_deep_learning/pull/1",
        (r"swapped", r"(lr|learning rate) and (beta|β|momentum)"),
    ),
    Mistake(
        "momentum_step",
        '''
def momentum_step(param, grad, velocity, lr, beta):
    new_velocity = velocity * beta + lr * grad
    return param + new_velocity, new_velocity
''',
        "velocity = past_velocity * momentum + learning_rate * gradient: the gradient term's sign",
        "https://github.com/fchollet/deep-learning-with-python-notebooks/issues/19",
        (r"\bsigns?\b",),
    ),
    Mistake(
        "iterate_minibatches",
        '''
def iterate_minibatches(X, T, batch_size, rng):
    order = rng.permutation(len(X))
    n_batches = len(X) // batch_size + 1
    for k in range(n_batches):
        idx = order[k * batch_size:(k + 1) * batch_size]
        yield X[idx], T[idx]
''',
        "if the batch size divides the data set, the last batch has a leading axis of zero",
        "https://github.com/kmheckel/spyx/issues/23",
        (r"empty",),
    ),
    Mistake(
        "iterate_minibatches",
        '''
def iterate_minibatches(X, T, batch_size, rng):
    Xs, Ts = X.copy(), T.copy()
    rng.shuffle(Xs)
    rng.shuffle(Ts)
    for start in range(0, len(X), batch_size):
        yield Xs[start:start + batch_size], Ts[start:start + batch_size]
''',
        "features and labels are shuffled separately (different orders) and the quiz still passes",
        "https://github.com/udacity/sdc-issue-reports/issues/1326",
        (r"unpaired", r"separately", r"same (order|permutation)", r"pairs?"),
    ),
    Mistake(
        "iterate_minibatches",
        '''
def iterate_minibatches(X, T, batch_size, rng):
    for start in range(0, len(X), batch_size):
        Xb = X[start:start + batch_size]
        Tb = T[start:start + batch_size]
        yield Xb[rng.permutation(len(Xb))], Tb[rng.permutation(len(Tb))]
''',
        "data and ground-truth labels got shuffled separately in the training pipeline",
        "https://github.com/mlcommons/GaNDLF/pull/870",
        (r"unpaired", r"separately", r"same (order|permutation)", r"pairs?"),
    ),
    Mistake(
        "iterate_minibatches",
        '''
def iterate_minibatches(X, T, batch_size, rng):
    import random
    data = np.hstack([X, T])
    random.Random(int(rng.integers(1 << 30))).shuffle(data)
    n = X.shape[1]
    for start in range(0, len(data), batch_size):
        yield data[start:start + batch_size, :n], data[start:start + batch_size, n:]
''',
        "Python's random.shuffle on a NumPy array repeats some rows in one batch (it swaps views)",
        "https://github.com/mnielsen/neural-networks-and-deep-learning/issues/50",
        (r"twice", r"more than once", r"duplicat", r"repeat", r"random\.shuffle"),
    ),
    Mistake(
        "xavier_init",
        '''
def xavier_init(n_in, n_out, rng):
    return rng.standard_normal((n_in, n_out)) * np.sqrt(1.0 / n_in)
''',
        "Xavier/Glorot is given a sigma of sqrt(1/fan_in), which is LeCun's",
        "https://github.com/harvard-edge/cs249r_book/issues/1161",
        (r"lecun", r"n_in \+ n_out"),
    ),
    Mistake(
        "xavier_init",
        '''
def xavier_init(n_in, n_out, rng):
    return rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in + n_out)
''',
        "std = sqrt(2.0 / fan_in + fan_out) is missing the brackets",
        "https://github.com/mlverse/torch/issues/555",
        (r"parenthes", r"bracket", r"precedence"),
    ),
    Mistake(
        "xavier_init",
        '''
def xavier_init(n_in, n_out, rng):
    return rng.standard_normal((n_in, n_out)) * np.sqrt(3.0 / (n_in + n_out))
''',
        "normal Xavier weights get a standard deviation of sqrt(3 / (in + out)) instead of sqrt(2 / (in + out))",
        "https://github.com/tflearn/tflearn/issues/870",
        (r"uniform", r"3 instead of 2", r"2 ?/ ?\(n_in ?\+ ?n_out\)"),
    ),
    Mistake(
        "xavier_init",
        '''
def xavier_init(n_in, n_out, rng):
    return rng.standard_normal((n_in, n_out)) * np.sqrt(6.0 / (n_in + n_out))
''',
        "the uniform distribution's sqrt(6 / (fan_in + fan_out)) used as the normal's standard deviation",
        "https://github.com/denizyuret/Knet.jl/pull/311",
        (r"uniform",),
    ),
    Mistake(
        "he_init",
        '''
def he_init(n_in, n_out, rng):
    return rng.standard_normal((n_in, n_out)) * np.sqrt(1.0 / n_in)
''',
        "the He initializer was using LeCun initialization instead",
        "https://github.com/LBANN/lbann/pull/316",
        (r"lecun", r"factor (of )?2 (is )?missing", r"2 ?/ ?n_in"),
    ),
    Mistake(
        "he_init",
        '''
def he_init(n_in, n_out, rng):
    return rng.uniform(-np.sqrt(3.0 / n_in), np.sqrt(3.0 / n_in), size=(n_in, n_out))
''',
        "Kaiming written as U(-sqrt(3/fan_in), sqrt(3/fan_in)): variance 1/fan_in, not 2/fan_in",
        "https://github.com/denizyuret/Knet.jl/pull/311",
        (r"lecun", r"factor (of )?2 (is )?missing", r"2 ?/ ?n_in", r"uniform"),
    ),
    Mistake(
        "he_init",
        '''
def he_init(n_in, n_out, rng):
    return rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_out)
''',
        "He initialization computed with the fan_out mode instead of fan_in",
        "https://github.com/ClementPinard/FlowNetPytorch/issues/19",
        (r"n_out where n_in", r"fan.?out", r"n_out instead of n_in"),
    ),
    Mistake(
        "he_init",
        '''
def he_init(n_in, n_out, rng):
    gain = np.sqrt(2.0)
    return rng.standard_normal((n_in, n_out)) * gain ** 2 / np.sqrt(n_in)
''',
        "the gain is squared in the standard deviation (std = gain**2 / sqrt(fan))",
        "https://github.com/pytorch/pytorch/issues/30947",
        (r"variance .*standard deviation", r"standard deviation .*variance", r"square root"),
    ),
]
MISTAKES += [
    Mistake(
        "iterate_minibatches",
        '''
_ORDER = {}

def iterate_minibatches(X, T, batch_size, rng):
    if len(X) not in _ORDER:                     # shuffled once, reused every epoch
        _ORDER[len(X)] = rng.permutation(len(X))
    order = _ORDER[len(X)]
    for start in range(0, len(X), batch_size):
        idx = order[start:start + batch_size]
        yield X[idx], T[idx]
''',
        "the optimiser does not shuffle the whole dataset again after each epoch",
        "https://github.com/lengstrom/fast-style-transfer/issues/63",
        (r"(every|each) epoch", r"same order", r"shuffled once"),
    ),
    Mistake(
        "iterate_minibatches",
        '''
def iterate_minibatches(X, T, batch_size, rng):
    for start in range(0, len(X), batch_size):
        end = start + batch_size
        yield X[start:end], T[start:end]
''',
        "the samples of each epoch are sliced in order, never shuffled",
        "https://github.com/openai/random-network-distillation/issues/17",
        (r"original order", r"not shuffled", r"never shuffled", r"shuffle"),
    ),
]
_TRAIN_HEAD = '''
def train(X, T, hidden=64, epochs=20, lr=0.1, batch_size=32, beta=0.9, seed=0):
    rng = np.random.default_rng(seed)
    net = MLP([X.shape[1], hidden, T.shape[1]], hidden_activation="relu",
              output_activation="softmax", loss="cross_entropy", seed=seed)
    for layer in net.layers:
        layer.W = he_init(layer.W.shape[0], layer.W.shape[1], rng)
    velocities = [[np.zeros_like(layer.W), np.zeros_like(layer.b)] for layer in net.layers]
    for epoch in range(epochs):
        for Xb, Tb in iterate_minibatches(X, T, batch_size, rng):
            net.forward(Xb)
            for layer, (dW, db), v in zip(net.layers, net.backward(Tb), velocities):
'''

MISTAKES += [
    Mistake(
        "train",
        _TRAIN_HEAD + '''
                layer.W, v[0] = momentum_step(layer.W, -dW, v[0], lr, beta)
                layer.b, v[1] = momentum_step(layer.b, -db, v[1], lr, beta)
    return net
''',
        "velocity = past_velocity * momentum + learning_rate * gradient: the training step climbs the loss",
        "https://github.com/fchollet/deep-learning-with-python-notebooks/issues/19",
        (r"\bsigns?\b", r"ascent", r"climb"),
    ),
    Mistake(
        "train",
        _TRAIN_HEAD + '''
                layer.W, v[0] = momentum_step(layer.W, dW, v[0], 1.0, beta)
                layer.b, v[1] = momentum_step(layer.b, db, v[1], 1.0, beta)
    return net
''',
        "the learning rate is not used in the update rule of the training loop",
        "https://github.com/aimacode/aima-python/issues/285",
        (r"learning rate", r"\blr\b"),
    ),
    Mistake(
        "train",
        _TRAIN_HEAD + '''
                W = layer.W.copy()
                W, v[0] = momentum_step(W, dW, v[0], lr, beta)       # the copy is stepped, never stored
                layer.b, v[1] = momentum_step(layer.b, db, v[1], lr, beta)
    return net
''',
        "some weights are never updated by the training loop (they are left out of what gets written back)",
        "https://github.com/fzenke/spytorch/issues/7",
        (r"written back", r"never (stored|assigned|updated)", r"\bcop(y|ies)\b"),
    ),
]
MISTAKES += [
    Mistake(
        "momentum_step",
        '''
def momentum_step(param, grad, velocity, lr, beta):
    new_velocity = beta * velocity + grad
    return param - lr * new_velocity, new_velocity
''',
        "momentum as velocity = mu * velocity + gradient, param -= lr * velocity (mu * velocity not scaled by lr)",
        "https://github.com/PaddlePaddle/Paddle/pull/12231",
        (r"convention",),
    ),
    Mistake(
        "xavier_init",
        '''
def xavier_init(n_in, n_out, rng):
    return rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)
''',
        "Xavier init is needed but only he_normal (2.0 / fan_in) is found and used",
        "https://github.com/amsukdu/SimplePythonCNN/issues/2",
        (r"\bhe\b", r"n_in \+ n_out", r"relu"),
    ),
]
MISTAKES += [
    Mistake(
        "he_init",
        '''
def he_init(n_in, n_out, rng):
    return rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in)
''',
        "n_in and n_out are swapped in the initialisers: the weights come out (n_out, n_in)",
        "https://github.com/gradientinstitute/aboleth/issues/192",
        (r"transpose", r"\(n_in, n_out\)", r"swapped"),
    ),
    Mistake(
        "he_init",
        '''
def he_init(n_in, n_out, rng):
    return rng.random((n_in, n_out)) * np.sqrt(2.0 / n_in)
''',
        "weights initialised with small positive random numbers (uniform on [0, 1), not centred on 0)",
        "https://github.com/JacobBumgarner/learning-repo/pull/5",
        (r"mean (of )?(0|zero)", r"positive", r"uniform", r"cent(red|ered)"),
    ),
]
MISTAKES += [
    Mistake(
        "iterate_minibatches",
        '''
def iterate_minibatches(X, T, batch_size, rng):
    order = rng.permutation(len(X))
    for k in range(len(X) // batch_size):
        idx = order[k * batch_size:(k + 1) * batch_size]
        yield X[idx], T[idx]
''',
        "datasets whose size is not a multiple of batch_size have their last (partial) batch dropped",
        "https://github.com/NervanaSystems/neon/issues/9",
        (r"dropped", r"remainder", r"every row", r"left out"),
    ),
    Mistake(
        "iterate_minibatches",
        '''
def iterate_minibatches(X, T, batch_size, rng):
    m = len(X) - len(X) % batch_size
    order = rng.permutation(m)               # the last rows never take part
    for start in range(0, m, batch_size):
        idx = order[start:start + batch_size]
        yield X[idx], T[idx]
''',
        "the sampler drops the same last samples in every epoch, so they are never used in training",
        "https://github.com/NVlabs/VILA/pull/123",
        (r"dropped", r"never used", r"every row", r"remainder", r"left out"),
    ),
]
MISTAKES += [
    Mistake(
        "he_init",
        '''
def he_init(n_in, n_out, rng):
    return np.zeros((n_in, n_out))
''',
        "the weights are left at zero: a network with a hidden layer then gets no useful gradients",
        "https://github.com/davharris/mistnet/issues/87",
        (r"\bzeros?\b", r"all-zero", r"symmetr", r"\brandom\b"),
    ),
    Mistake(
        "train",
        _TRAIN_HEAD.replace("layer.W = he_init(layer.W.shape[0], layer.W.shape[1], rng)",
                            "layer.W = np.zeros_like(layer.W)") + '''
                layer.W, v[0] = momentum_step(layer.W, dW, v[0], lr, beta)
                layer.b, v[1] = momentum_step(layer.b, db, v[1], lr, beta)
    return net
''',
        "all the weights are initialised as zeros, so every hidden unit computes the same thing",
        "https://github.com/wagonhelm/NaNmnist/issues/2",
        (r"\bzeros?\b", r"all-zero", r"symmetr", r"random init"),
    ),
]
