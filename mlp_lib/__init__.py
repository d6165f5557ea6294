"""mlp_lib: the small NumPy library behind Backpropagation from Scratch.

    from mlp_lib import MLP
    net = MLP([2, 8, 1], hidden_activation="tanh", output_activation="sigmoid",
              loss="binary_cross_entropy", seed=0)
    Y = net.forward(X)        # X: (m, 2) -> Y: (m, 1)
    grads = net.backward(T)   # [(dW, db), ...] of the mean loss
    history = net.fit(X, T, epochs=100, lr=0.5, batch_size=32)

Modules: activations, losses, initializers, optimizers, layers, network,
gradcheck, data; and, importing matplotlib or ipywidgets only when used,
plots, widgets and grading.
"""

from mlp_lib import activations, data, gradcheck, losses
from mlp_lib.layers import Dense
from mlp_lib.network import MLP, TrainingDiverged
from mlp_lib.optimizers import SGD, Momentum

__version__ = "0.1.0"
__all__ = [
    "MLP", "Dense", "SGD", "Momentum", "TrainingDiverged",
    "activations", "losses", "gradcheck", "data",
]
