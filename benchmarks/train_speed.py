"""How fast does mlp_lib train, next to PyTorch, scikit-learn and a per-sample loop?

One run, on the same seeded data (10 000 MNIST-shaped rows: 784 features in
[0, 1], 10 classes), with BLAS and torch pinned to ONE thread:

* one epoch of a 784-128-64-10 network (relu hidden layers, softmax output,
  cross-entropy, plain SGD, batch 64) for
    - mlp_lib ``MLP.fit`` in float64 and float32,
    - PyTorch CPU in float64 and float32 (the usual loop: index a batch,
      forward, loss, zero_grad, backward, step; it sums the loss and counts
      the right answers per epoch, the bookkeeping ``MLP.fit`` does for
      its history),
    - scikit-learn ``MLPClassifier(solver="sgd", max_iter=1, batch_size=64,
      momentum=0, alpha=0, warm_start=True)``,
    - a per-sample loop in the style of classic teaching code (column
      vectors, one ``backprop(x, y)`` per sample, gradients summed over the
      mini-batch); it is timed on a fraction of the epoch and extrapolated,
    - the matmul floor: the eight matrix products of every batch alone
      (three forward, five backward), into preallocated arrays;
* the time of one training step on a tiny 8-8-8-10 net, batch 64
  (mlp_lib ``fit`` and the PyTorch loop, per batch);
* minor page faults per mlp_lib epoch (``resource.getrusage``).

The contenders run in turns, round after round (each round in a rotated
order), after one warm-up run each; the table reports medians of the
wall-clock and of the process CPU time. Every contender is single-threaded
here, so on a machine shared with other work the CPU time is the steadier
measure of what the code costs; the ratio lines use it. Read the ratios,
not the absolute times.

    python benchmarks/train_speed.py            # full run (~1-2 min)
    python benchmarks/train_speed.py --quick    # short run (< 60 s)
    python benchmarks/train_speed.py --breakdown  # where an mlp_lib epoch spends its time

The run ends with the ``ratio ...:`` lines of COURSE_SPEC section 8.
"""

import argparse
import os
import platform
import resource
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlp_lib import MLP  # noqa: E402

M, N_IN, K = 10_000, 784, 10
SIZES = [N_IN, 128, 64, K]
TINY_SIZES = [8, 8, 8, 10]
BATCH = 64
LR = 0.01


# ---- data -----------------------------------------------------------------
def make_data(m=M, n=N_IN, k=K, seed=0):
    """Rows like flattened 28x28 images in [0, 1]; labels from a random linear teacher."""
    rng = np.random.default_rng(seed)
    X = rng.random((m, n))
    labels = np.argmax(X @ rng.standard_normal((n, k)), axis=1)
    T = np.zeros((m, k))
    T[np.arange(m), labels] = 1.0
    return X, T, labels


# ---- contenders: each returns a function that runs one epoch ----------------
def mlp_lib_epoch(X, T, dtype, sizes=SIZES):
    net = MLP(sizes, hidden_activation="relu", output_activation="softmax",
              loss="cross_entropy", seed=0, dtype=dtype)
    X, T = X.astype(dtype), T.astype(dtype)
    state = {"seed": 0}

    def run():
        state["seed"] += 1
        net.fit(X, T, epochs=1, lr=LR, batch_size=BATCH, seed=state["seed"])

    return run


def autodiff_epoch(X, T, sizes=SIZES):
    """The same network and SGD written with mlp_lib.autodiff: graph built and swept every batch."""
    from mlp_lib.autodiff import Tensor

    net = MLP(sizes, hidden_activation="relu", output_activation="softmax", loss="cross_entropy", seed=0)
    params = [Tensor(p) for layer in net.layers for p in (layer.W, layer.b)]
    rng = np.random.default_rng(0)

    def run():
        order = rng.permutation(len(X))
        for start in range(0, len(X), BATCH):
            idx = order[start:start + BATCH]
            H, Tb = X[idx], T[idx]                      # constants: no gradient wanted
            for l in range(0, len(params), 2):
                A = H @ params[l] + params[l + 1]
                H = A.relu() if l + 2 < len(params) else A
            Z = A - A.data.max(axis=1, keepdims=True)   # log-softmax, shifted for stability
            J = -((Z - Z.exp().sum(axis=1, keepdims=True).log()) * Tb).sum() / len(idx)
            for p in params:
                p.grad = None
            J.backward()
            for p in params:
                p.data -= LR * p.grad

    return run


def torch_epoch(torch, X, labels, dtype, sizes=SIZES):
    nn = torch.nn
    layers = []
    for l in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[l], sizes[l + 1]))
        if l < len(sizes) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers).to(dtype)
    Xt = torch.from_numpy(np.ascontiguousarray(X)).to(dtype)
    yt = torch.from_numpy(labels.astype(np.int64))
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(0)
    m = Xt.shape[0]

    def run():
        order = torch.randperm(m, generator=generator)
        total, correct = 0.0, 0
        for start in range(0, m, BATCH):
            idx = order[start:start + BATCH]
            xb, yb = Xt[idx], yt[idx]
            logits = model(xb)
            loss = loss_fn(logits, yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
            correct += (logits.argmax(dim=1) == yb).sum().item()
        return total / m, correct / m

    return run


def sklearn_epoch(X, labels):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(
        hidden_layer_sizes=tuple(SIZES[1:-1]), activation="relu", solver="sgd",
        batch_size=BATCH, learning_rate_init=LR, momentum=0.0, alpha=0.0,
        max_iter=1, shuffle=True, random_state=0, warm_start=True,
        tol=0.0, n_iter_no_change=10**9,
    )

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, labels)

    return run


class ClassicNetwork:
    """Teaching-style network: column vectors, one backprop(x, y) per sample.

    Weights are (n_out, n_in) as in the classic texts; the update sums the
    per-sample gradients over a mini-batch and then takes one step.
    """

    def __init__(self, sizes, seed=0):
        rng = np.random.default_rng(seed)
        self.weights = [rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in)
                        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)]
        self.biases = [np.zeros((n_out, 1)) for n_out in sizes[1:]]

    def backprop(self, x, y):
        activation, activations, zs = x, [x], []
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = np.dot(w, activation) + b
            zs.append(z)
            if i < len(self.weights) - 1:
                activation = np.maximum(z, 0.0)
            else:
                e = np.exp(z - np.max(z))
                activation = e / np.sum(e)
            activations.append(activation)
        nabla_w = [None] * len(self.weights)
        nabla_b = [None] * len(self.biases)
        delta = activations[-1] - y  # softmax + cross-entropy
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].T)
        for l in range(2, len(self.weights) + 1):
            delta = np.dot(self.weights[-l + 1].T, delta) * (zs[-l] > 0)
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].T)
        return nabla_b, nabla_w

    def update_mini_batch(self, batch, lr):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b, strict=True)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w, strict=True)]
        self.weights = [w - (lr / len(batch)) * nw for w, nw in zip(self.weights, nabla_w, strict=True)]
        self.biases = [b - (lr / len(batch)) * nb for b, nb in zip(self.biases, nabla_b, strict=True)]


def per_sample_epoch(X, T, n_batches):
    """Runs n_batches mini-batches of the classic loop; returns the factor to a whole epoch."""
    net = ClassicNetwork(SIZES)
    data = [(x.reshape(-1, 1), t.reshape(-1, 1)) for x, t in zip(X, T, strict=True)]
    rng = np.random.default_rng(0)
    factor = (len(data) / BATCH) / n_batches

    def run():
        order = rng.permutation(len(data))[: n_batches * BATCH]
        for start in range(0, len(order), BATCH):
            net.update_mini_batch([data[i] for i in order[start:start + BATCH]], LR)

    return run, factor


def matmul_floor_epoch(dtype, m=M):
    """The eight batch matmuls of one epoch alone, into preallocated outputs.

    forward: X W1, H1 W2, H2 W3; backward: H2^T D3, D3 W3^T, H1^T D2, D2 W2^T, X^T D1.
    """
    rng = np.random.default_rng(1)
    n0, n1, n2, n3 = SIZES
    X = rng.random((m, n0)).astype(dtype)
    W1, W2, W3 = (rng.standard_normal(s).astype(dtype) * 0.05 for s in [(n0, n1), (n1, n2), (n2, n3)])
    H1, H2, Y = (np.empty((BATCH, n), dtype) for n in (n1, n2, n3))
    D3, D2, D1 = (np.empty((BATCH, n), dtype) for n in (n3, n2, n1))
    dW1, dW2, dW3 = np.empty_like(W1), np.empty_like(W2), np.empty_like(W3)
    D3[...] = rng.standard_normal(D3.shape) * 0.01
    D2[...] = rng.standard_normal(D2.shape) * 0.01
    D1[...] = rng.standard_normal(D1.shape) * 0.01

    def run():
        for start in range(0, m, BATCH):
            Xb = X[start:start + BATCH]
            r = len(Xb)
            h1, h2, y, d3, d2, d1 = H1[:r], H2[:r], Y[:r], D3[:r], D2[:r], D1[:r]
            np.dot(Xb, W1, out=h1)
            np.dot(h1, W2, out=h2)
            np.dot(h2, W3, out=y)
            np.dot(h2.T, d3, out=dW3)
            np.dot(d3, W3.T, out=h2)
            np.dot(h1.T, d2, out=dW2)
            np.dot(d2, W2.T, out=h1)
            np.dot(Xb.T, d1, out=dW1)

    return run


def fit_breakdown(X, T, repeats=5):
    """Process CPU time of each part of an mlp_lib epoch, in ms (best of ``repeats``), and the floor's.

    Replays the loop of ``MLP.fit`` (float64, plain SGD) with a clock around
    each part: input checks, shuffling, gathering the batch, forward, loss,
    accuracy, backward, update. It uses the same private helpers as fit.
    """
    from mlp_lib.network import mean_loss, n_correct
    from mlp_lib.optimizers import SGD

    net = MLP(SIZES, hidden_activation="relu", output_activation="softmax",
              loss="cross_entropy", seed=0)
    optimizer = SGD(LR)
    floor = matmul_floor_epoch(np.float64, m=len(X))
    clock = time.process_time
    best = {}
    for r in range(repeats + 1):  # the first is a warm-up
        part = dict.fromkeys(["input checks", "shuffle", "gather batch", "forward", "loss", "accuracy",
                              "backward", "SGD update"], 0.0)
        t = clock()
        net._check_X(X)
        net._check_T(T, len(X))
        part["input checks"] += clock() - t
        t = clock()
        order = np.random.default_rng(r).permutation(len(X))
        part["shuffle"] += clock() - t
        Xb_full, Tb_full, grad_buffers = net._training_buffers(BATCH)
        for start in range(0, len(X), BATCH):
            t0 = clock()
            idx = order[start:start + BATCH]
            Xb, Tb = Xb_full[:len(idx)], Tb_full[:len(idx)]
            X.take(idx, axis=0, out=Xb, mode="clip")
            T.take(idx, axis=0, out=Tb, mode="clip")
            t1 = clock()
            Y = Xb
            for layer in net.layers:
                Y = layer.forward(Y)
            t2 = clock()
            mean_loss(net, net.layers[-1].A, Tb, Y)
            t3 = clock()
            n_correct(Y, Tb)
            t4 = clock()
            grads = net._gradients_into(Tb, grad_buffers)
            t5 = clock()
            for layer, (dW, db) in zip(net.layers, grads, strict=True):
                optimizer.update(layer.W, dW, None)
                optimizer.update(layer.b, db, None)
            t6 = clock()
            for name, dt in zip(["gather batch", "forward", "loss", "accuracy", "backward", "SGD update"],
                                [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5], strict=True):
                part[name] += dt
        t = clock()
        floor()
        part["matmul floor"] = clock() - t
        if r:
            for name, seconds in part.items():
                best[name] = min(best.get(name, seconds), seconds)
    return {name: seconds * 1e3 for name, seconds in best.items()}


# ---- timing -----------------------------------------------------------------
def run_rounds(contenders, rounds):
    """Run each contender once per round, in a rotated order, after one warm-up run each.

    Returns {name: {"wall": [s], "cpu": [s], "faults": [n]}}: wall-clock and
    process CPU time (user + system, all threads) and minor page faults of
    every run. On a shared machine the wall clock also counts the time other
    processes held the core; the CPU time does not.
    """
    names = list(contenders)
    for name in names:
        contenders[name]()
    runs = {name: {"wall": [], "cpu": [], "faults": []} for name in names}
    for r in range(rounds):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            c0, t0 = time.process_time(), time.perf_counter()
            contenders[name]()
            t1, c1 = time.perf_counter(), time.process_time()
            runs[name]["faults"].append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0)
            runs[name]["wall"].append(t1 - t0)
            runs[name]["cpu"].append(c1 - c0)
    return runs


def fmt_time(seconds):
    if seconds >= 0.1:
        return f"{seconds * 1e3:8.0f} ms"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:8.1f} ms"
    return f"{seconds * 1e6:8.1f} us"


def blas_report():
    lines = []
    for info in threadpool_info():
        lines.append(
            f"  {info.get('internal_api')} {info.get('version')} ({info.get('user_api')}),"
            f" kernel {info.get('architecture', '-')}, {info.get('num_threads')} threads by default,"
            f" {Path(info.get('filepath', '')).name}"
        )
    env = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ}
    lines.append(f"  OPENBLAS_* set in the environment: {env or 'none'}")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run (< 60 s)")
    parser.add_argument("--rounds", type=int, default=None, help="rounds of alternating runs")
    parser.add_argument("--breakdown", action="store_true",
                        help="only: CPU time of each part of an mlp_lib epoch, against the matmul floor")
    args = parser.parse_args(argv)
    if args.breakdown:
        X, T, _ = make_data()
        with threadpool_limits(limits=1):
            parts = fit_breakdown(X, T)
        kernels = [i.get("architecture", "-") for i in threadpool_info() if i["user_api"] == "blas"]
        print(f"BLAS kernel: {', '.join(kernels)}; process CPU time per epoch, best of 5, float64:")
        for name, ms in parts.items():
            print(f"  {name:14} {ms:7.2f} ms")
        extra = parts["forward"] + parts["backward"] - parts["matmul floor"]
        print(f"  forward + backward beyond the matmul floor: {extra:.2f} ms")
        return
    rounds = args.rounds or (5 if args.quick else 15)
    per_sample_batches = 8 if args.quick else 20
    tiny_batches = 200

    try:
        import torch
    except ImportError:
        torch = None
        print("PyTorch is not installed: pip install -r benchmarks/requirements.txt", file=sys.stderr)
    if torch is not None:
        torch.set_num_threads(1)

    print(f"python {platform.python_version()}, numpy {np.__version__}"
          + (f", torch {torch.__version__}" if torch else "")
          + f", cpu: {_cpu_name()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print("BLAS libraries (threadpoolctl), pinned to 1 thread for this run:")
    for line in blas_report():
        print(line)

    X, T, labels = make_data()
    started = time.perf_counter()
    with threadpool_limits(limits=1):
        epoch = {
            "mlp_lib float64": mlp_lib_epoch(X, T, np.float64),
            "mlp_lib float32": mlp_lib_epoch(X, T, np.float32),
            "autodiff float64": autodiff_epoch(X, T),
            "matmul floor float64": matmul_floor_epoch(np.float64),
            "matmul floor float32": matmul_floor_epoch(np.float32),
            "sklearn MLPClassifier": sklearn_epoch(X, labels),
        }
        if torch is not None:
            epoch["torch float64"] = torch_epoch(torch, X, labels, torch.float64)
            epoch["torch float32"] = torch_epoch(torch, X, labels, torch.float32)
        per_sample_run, per_sample_factor = per_sample_epoch(X, T, per_sample_batches)
        epoch["per-sample loop"] = per_sample_run

        Xs, Ts, ls = make_data(m=BATCH * tiny_batches, n=TINY_SIZES[0], k=TINY_SIZES[-1], seed=2)
        tiny = {"mlp_lib tiny": mlp_lib_epoch(Xs, Ts, np.float64, TINY_SIZES)}
        if torch is not None:
            tiny["torch tiny"] = torch_epoch(torch, Xs, ls, torch.float64, TINY_SIZES)

        runs = run_rounds({**epoch, **tiny}, rounds)
    elapsed = time.perf_counter() - started

    # Per epoch (the per-sample loop extrapolated) and per step for the tiny net.
    scale = {name: 1.0 for name in runs}
    scale["per-sample loop"] = per_sample_factor
    for name in tiny:
        scale[name] = 1.0 / tiny_batches
    wall = {name: statistics.median(r["wall"]) * scale[name] for name, r in runs.items()}
    cpu = {name: statistics.median(r["cpu"]) * scale[name] for name, r in runs.items()}
    best = {name: min(r["cpu"]) * scale[name] for name, r in runs.items()}
    faults = {name: statistics.median(r["faults"]) for name, r in runs.items()}

    base = cpu["mlp_lib float64"]
    print()
    print(f"One epoch, {M} rows, {'-'.join(map(str, SIZES))} (relu, softmax + cross-entropy),"
          f" batch {BATCH}, plain SGD, 1 thread; medians of {rounds} alternating runs after warm-up")
    print(f"{'implementation':34} {'wall':>11} {'CPU':>11} {'best CPU':>11} {'CPU vs mlp_lib':>15}"
          f" {'page faults':>12}")
    order = ["mlp_lib float64", "mlp_lib float32", "autodiff float64", "torch float64", "torch float32",
             "sklearn MLPClassifier", "per-sample loop", "matmul floor float64", "matmul floor float32"]
    for name in order:
        if name not in cpu:
            continue
        label = name + (" (extrapolated)" if name == "per-sample loop" else "")
        pf = f"{faults[name]:12.0f}" if name.startswith("mlp_lib") else ""
        print(f"{label:34} {fmt_time(wall[name]):>11} {fmt_time(cpu[name]):>11} {fmt_time(best[name]):>11}"
              f" {cpu[name] / base:14.2f}x {pf}")
    print(f"(per-sample loop: {per_sample_batches} of {M / BATCH:.0f} batches timed,"
          f" x{per_sample_factor:.1f})")
    print()
    print(f"One training step, tiny net {'-'.join(map(str, TINY_SIZES))}, batch {BATCH}"
          f" (an epoch of {tiny_batches} batches / {tiny_batches})")
    for name in tiny:
        print(f"{name:34} {fmt_time(wall[name]):>11} {fmt_time(cpu[name]):>11} {fmt_time(best[name]):>11}")
    print()
    print(f"page faults per mlp_lib epoch (ru_minflt, median): float64 {faults['mlp_lib float64']:.0f},"
          f" float32 {faults['mlp_lib float32']:.0f}")
    print(f"benchmark time: {elapsed:.1f} s; load average at the end {os.getloadavg()[0]:.1f}")
    print()

    def ratio(a, b, times=cpu):
        return f"{times[a] / times[b]:.2f}" if a in times and b in times else "n/a"

    pairs = [("torch epoch", "mlp_lib float64", "torch float64"),
             ("torch small", "mlp_lib tiny", "torch tiny"),
             ("sklearn epoch", "mlp_lib float64", "sklearn MLPClassifier"),
             ("per-sample epoch", "mlp_lib float64", "per-sample loop"),
             ("matmul-floor epoch", "mlp_lib float64", "matmul floor float64"),
             ("torch epoch float32", "mlp_lib float32", "torch float32"),
             ("matmul-floor epoch float32", "mlp_lib float32", "matmul floor float32")]
    for title, times in (("median wall-clock times", wall), ("best CPU times", best),
                         ("median CPU times (the ratio lines below)", cpu)):
        print(f"ratios of {title}:")
        print("  " + ", ".join(f"{label} {ratio(a, b, times)}" for label, a, b in pairs))
    print()
    print(f"ratio mlp_lib/torch epoch: {ratio('mlp_lib float64', 'torch float64')}")
    print(f"ratio mlp_lib/torch small: {ratio('mlp_lib tiny', 'torch tiny')}")
    print(f"ratio mlp_lib/sklearn epoch: {ratio('mlp_lib float64', 'sklearn MLPClassifier')}")
    print(f"ratio mlp_lib/per-sample epoch: {ratio('mlp_lib float64', 'per-sample loop')}")
    print(f"ratio mlp_lib/matmul-floor epoch: {ratio('mlp_lib float64', 'matmul floor float64')}")
    print(f"ratio autodiff/mlp_lib epoch: {ratio('autodiff float64', 'mlp_lib float64')}")


def _cpu_name():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


if __name__ == "__main__":
    main()
