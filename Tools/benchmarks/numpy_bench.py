"""The work of `swift run -c release bench`, in numpy (float64, one thread).

Run from the repository root:  OPENBLAS_NUM_THREADS=1 python3 Tools/benchmarks/numpy_bench.py [--quick]
An optional tool for BENCHMARKS.md; the course never depends on it.
"""
import os, sys, time
import numpy as np

quick = "--quick" in sys.argv
budget = 0.05 if quick else 0.3


def best_time(body):
    body()
    best, spent, runs = float("inf"), 0.0, 0
    while spent < budget or runs < 3:
        start = time.perf_counter()
        body()
        t = time.perf_counter() - start
        best, spent, runs = min(best, t), spent + t, runs + 1
    return best


rng = np.random.default_rng(1)
print("numpy", np.__version__, "benchmark (one thread; best of repeated runs)\n")
print("matmul [n, k] x [k, m]                 GFLOP/s")
shapes = [("64^3", 64, 64, 64, False, False), ("128^3", 128, 128, 128, False, False),
          ("256^3", 256, 256, 256, False, False), ("512^3", 512, 512, 512, False, False),
          ("[32,64]x[64,128]  (forward)", 32, 64, 128, False, False),
          ("[32,128]x[128,10] (forward)", 32, 128, 10, False, False),
          ("[32,10]x[128,10]T (dx)", 32, 10, 128, False, True),
          ("[32,64]Tx[32,128] (dW)", 64, 32, 128, True, False)]
for name, n, k, m, ta, tb in shapes:
    a = rng.standard_normal((k, n) if ta else (n, k))
    b = rng.standard_normal((m, k) if tb else (k, m))
    op = (lambda: a.T @ b) if ta else (lambda: a @ b.T) if tb else (lambda: a @ b)
    print(f"  {name:38s} {2 * n * k * m / best_time(op) / 1e9:.1f}")

print("\noperation                               time (us)")
big, big2 = rng.standard_normal((1000, 1000)), rng.standard_normal((1000, 1000)) * 0.5
row, column = rng.standard_normal(1000), rng.standard_normal((1000, 1))
small, small_row = rng.standard_normal((64, 128)), rng.standard_normal(128)


def in_place():
    x = big.copy()
    x += big2
    return x


ops = [("[1000,1000] + [1000,1000]", lambda: big + big2),
       ("[1000,1000] + [1000] (row broadcast)", lambda: big + row),
       ("[1000,1000] + [1000,1] (column broadcast)", lambda: big + column),
       ("[1000,1000] * 2.5", lambda: big * 2.5),
       ("[1000,1000] += [1000,1000] (in place)", in_place),
       ("maximum([1000,1000], 0)", lambda: np.maximum(big, 0)),
       ("exp([1000,1000])", lambda: np.exp(big)),
       ("[1000,1000].sum(axis: 0)", lambda: big.sum(axis=0)),
       ("[1000,1000].sum(axis: 1)", lambda: big.sum(axis=1)),
       ("[1000,1000].max(axis: 1)", lambda: big.max(axis=1)),
       ("[1000,1000].transposed()", lambda: np.ascontiguousarray(big.T)),
       ("[64,128] + [128] (row broadcast)", lambda: small + small_row),
       ("[64,128].sum(axis: 0)", lambda: small.sum(axis=0)),
       ("[64,128].transposed()", lambda: np.ascontiguousarray(small.T))]
for name, op in ops:
    print(f"  {name:38s} {best_time(op) * 1e6:.1f}")

# Lesson 04's demo training, written from scratch as in the chapter.
data = np.loadtxt(os.path.join("Data", "digits.csv"), delimiter=",")
X_all, y_all = data[:, :64], data[:, 64].astype(int)
order = rng.permutation(len(y_all))
train_idx, val_idx = order[:1222], order[1222:1438]
mean, spread = X_all[train_idx].mean(0), X_all[train_idx].std(0) + 0.05
X, y = (X_all[train_idx] - mean) / spread, y_all[train_idx]
Xv, yv = (X_all[val_idx] - mean) / spread, y_all[val_idx]
sizes = [64, 128, 10]
layers = [(rng.standard_normal((i, o)) * np.sqrt(2 / i), np.zeros(o)) for i, o in zip(sizes, sizes[1:])]
lr, lam, epochs = 0.1, 1e-4, 3 if quick else 30


def scores(layers, X):
    h = X
    for index, (W, b) in enumerate(layers):
        h = h @ W + b
        if index < len(layers) - 1:
            h = np.maximum(h, 0)
    return h


def loss_and_gradients(layers, X, y):
    hs, h = [], X
    for W, b in layers[:-1]:
        a = h @ W + b
        hs.append((h, a))
        h = np.maximum(a, 0)
    W, b = layers[-1]
    s = h @ W + b
    shifted = s - s.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = len(y)
    loss = -logp[np.arange(n), y].mean() + 0.5 * lam * sum((W * W).sum() for W, _ in layers)
    d = np.exp(logp)
    d[np.arange(n), y] -= 1
    d /= n
    grads = [None] * len(layers)
    grads[-1] = (h.T @ d + lam * W, d.sum(0))
    dh = d @ W.T
    for index in range(len(layers) - 2, -1, -1):
        hin, a = hs[index]
        da = dh * (a > 0)
        Wi = layers[index][0]
        grads[index] = (hin.T @ da + lam * Wi, da.sum(0))
        dh = da @ Wi.T
    return loss, grads


start = time.perf_counter()
for epoch in range(epochs):
    perm = rng.permutation(len(y))
    for s in range(0, len(y), 32):
        idx = perm[s:s + 32]
        loss, grads = loss_and_gradients(layers, X[idx], y[idx])
        layers = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(layers, grads)]
    train_acc = (scores(layers, X).argmax(1) == y).mean()
    val_acc = (scores(layers, Xv).argmax(1) == yv).mean()
seconds = time.perf_counter() - start
print(f"\nlesson 04 demo training: {len(y)} digits, [64, 128, 10], batch 32, {epochs} epochs with per-epoch accuracy: "
      f"{seconds:.3f} s (validation accuracy {100 * val_acc:.1f}%)")
