"""The work of `swift run -c release bench`, in PyTorch (float64, one thread).

Run from the repository root:  python3 Tools/benchmarks/torch_bench.py [--quick]
An optional tool for BENCHMARKS.md; the course never depends on it.
"""
import os, sys, time
import numpy as np
import torch

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)
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


torch.manual_seed(1)
print("PyTorch", torch.__version__, "benchmark (one thread; best of repeated runs)\n")
print("matmul [n, k] x [k, m]                 GFLOP/s")
shapes = [("64^3", 64, 64, 64, False, False), ("128^3", 128, 128, 128, False, False),
          ("256^3", 256, 256, 256, False, False), ("512^3", 512, 512, 512, False, False),
          ("[32,64]x[64,128]  (forward)", 32, 64, 128, False, False),
          ("[32,128]x[128,10] (forward)", 32, 128, 10, False, False),
          ("[32,10]x[128,10]T (dx)", 32, 10, 128, False, True),
          ("[32,64]Tx[32,128] (dW)", 64, 32, 128, True, False)]
with torch.no_grad():
    for name, n, k, m, ta, tb in shapes:
        a = torch.randn((k, n) if ta else (n, k))
        b = torch.randn((m, k) if tb else (k, m))
        op = (lambda: a.T @ b) if ta else (lambda: a @ b.T) if tb else (lambda: a @ b)
        print(f"  {name:38s} {2 * n * k * m / best_time(op) / 1e9:.1f}")

    print("\noperation                               time (us)")
    big, big2 = torch.randn(1000, 1000), torch.randn(1000, 1000) * 0.5
    row, column = torch.randn(1000), torch.randn(1000, 1)
    small, small_row = torch.randn(64, 128), torch.randn(128)

    def in_place():
        x = big.clone()
        x += big2
        return x

    ops = [("[1000,1000] + [1000,1000]", lambda: big + big2),
           ("[1000,1000] + [1000] (row broadcast)", lambda: big + row),
           ("[1000,1000] + [1000,1] (column broadcast)", lambda: big + column),
           ("[1000,1000] * 2.5", lambda: big * 2.5),
           ("[1000,1000] += [1000,1000] (in place)", in_place),
           ("maximum([1000,1000], 0)", lambda: torch.clamp_min(big, 0)),
           ("exp([1000,1000])", lambda: torch.exp(big)),
           ("[1000,1000].sum(axis: 0)", lambda: big.sum(0)),
           ("[1000,1000].sum(axis: 1)", lambda: big.sum(1)),
           ("[1000,1000].max(axis: 1)", lambda: big.max(1).values),
           ("[1000,1000].transposed()", lambda: big.T.contiguous()),
           ("[64,128] + [128] (row broadcast)", lambda: small + small_row),
           ("[64,128].sum(axis: 0)", lambda: small.sum(0)),
           ("[64,128].transposed()", lambda: small.T.contiguous())]
    for name, op in ops:
        print(f"  {name:38s} {best_time(op) * 1e6:.1f}")

# Lesson 04's demo training with autograd and torch.optim.SGD, the loss with (λ/2)ΣW².
data = np.loadtxt(os.path.join("Data", "digits.csv"), delimiter=",")
X_all, y_all = torch.tensor(data[:, :64]), torch.tensor(data[:, 64]).long()
order = torch.randperm(len(y_all))
train_idx, val_idx = order[:1222], order[1222:1438]
mean, spread = X_all[train_idx].mean(0), X_all[train_idx].std(0, unbiased=False) + 0.05
X, y = (X_all[train_idx] - mean) / spread, y_all[train_idx]
Xv, yv = (X_all[val_idx] - mean) / spread, y_all[val_idx]
model = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
lam, epochs = 1e-4, 3 if quick else 30
weights = [model[0].weight, model[2].weight]
start = time.perf_counter()
for epoch in range(epochs):
    perm = torch.randperm(len(y))
    for s in range(0, len(y), 32):
        idx = perm[s:s + 32]
        loss = torch.nn.functional.cross_entropy(model(X[idx]), y[idx]) + 0.5 * lam * sum((W * W).sum() for W in weights)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        train_acc = (model(X).argmax(1) == y).double().mean().item()
        val_acc = (model(Xv).argmax(1) == yv).double().mean().item()
seconds = time.perf_counter() - start
print(f"\nlesson 04 demo training: {len(y)} digits, [64, 128, 10], batch 32, {epochs} epochs with per-epoch accuracy: "
      f"{seconds:.3f} s (validation accuracy {100 * val_acc:.1f}%)")
