"""Lesson 06's demo CNN trained in PyTorch: the same data, split, architecture, batch and epochs.

Run from the repository root:  python3 Tools/benchmarks/torch_cnn.py [--epochs N]
One thread, float64, as `swift run -c release course demo 6` trains (part 3): the 5,000
MNIST digits of Data/, shuffled with the course's SeededGenerator (seed 6, ported below) so
that the 4,000 training and 1,000 held-out digits are the demo's own; conv 3x3 (8 filters,
padding 1) -> ReLU -> 2x2 max pool -> conv 3x3 (16) -> ReLU -> 2x2 max pool -> affine 784 -> 10;
minibatches of 32, every training image shifted by a random -2..2 pixels in each direction,
softmax cross-entropy plus 0.5 * 1e-4 * the squared weights, Adam (0.9, 0.999, 1e-8) with
half an epoch of linear warmup and cosine decay from 3e-3 to 1e-5, 15 epochs, held-out
accuracy after every epoch. Prints the training time, wall and CPU (the CPU time of the
process is the steadier figure on a shared machine).
An optional tool for BENCHMARKS.md; the course never depends on it.
"""
import math, sys, time
import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)
epochs = int(sys.argv[sys.argv.index("--epochs") + 1]) if "--epochs" in sys.argv else 15
M = (1 << 64) - 1


class SeededGenerator:
    """CourseKit's SeededGenerator: xoshiro256** seeded by SplitMix64."""
    def __init__(self, seed):
        self.s, z = [], seed
        for _ in range(4):
            z = (z + 0x9E3779B97F4A7C15) & M
            x = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
            x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M
            self.s.append(x ^ (x >> 31))

    def next(self):
        s, rotl = self.s, lambda x, k: ((x << k) | (x >> (64 - k))) & M
        result = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def next_int(self, low, high):  # low..<high
        width = high - low
        limit = M - M % width
        bits = self.next()
        while bits >= limit:
            bits = self.next()
        return low + bits % width

    def permutation(self, n):
        result = list(range(n))
        for i in range(n - 1, 0, -1):
            j = self.next_int(0, i + 1)
            result[i], result[j] = result[j], result[i]
        return result


images = np.fromfile("Data/mnist-5k-images.idx3-ubyte", dtype=np.uint8, offset=16).reshape(-1, 1, 28, 28) / 255.0
labels = np.fromfile("Data/mnist-5k-labels.idx1-ubyte", dtype=np.uint8, offset=8).astype(np.int64)
order = SeededGenerator(6).permutation(len(labels))
trainX, trainY = torch.tensor(images[order[:4000]]), torch.tensor(labels[order[:4000]])
testX, testY = torch.tensor(images[order[4000:5000]]), torch.tensor(labels[order[4000:5000]])

torch.manual_seed(6)
rng = np.random.default_rng(6)
he = lambda shape, fan_in: (torch.randn(shape) * math.sqrt(2 / fan_in)).requires_grad_()
params = [he((8, 1, 3, 3), 9), torch.zeros(8, requires_grad=True), he((16, 8, 3, 3), 72), torch.zeros(16, requires_grad=True),
          he((784, 10), 784), torch.zeros(10, requires_grad=True)]
w1, b1, w2, b2, wf, bf = params


def scores(x):
    x = F.max_pool2d(F.relu(F.conv2d(x, w1, b1, padding=1)), 2)
    x = F.max_pool2d(F.relu(F.conv2d(x, w2, b2, padding=1)), 2)
    return x.reshape(x.shape[0], -1) @ wf + bf


def shifted(x):
    out = torch.zeros_like(x)
    for i, (dy, dx) in enumerate(rng.integers(-2, 3, size=(x.shape[0], 2))):
        out[i, :, max(0, dy):min(28, 28 + dy), max(0, dx):min(28, 28 + dx)] = \
            x[i, :, max(0, -dy):min(28, 28 - dy), max(0, -dx):min(28, 28 - dx)]
    return out


batch, perEpoch = 32, (4000 + 31) // 32
total, warmup = epochs * perEpoch, perEpoch // 2
optimizer = torch.optim.Adam(params, lr=3e-3, betas=(0.9, 0.999), eps=1e-8)
step = 0
start, cpuStart = time.perf_counter(), time.process_time()
for epoch in range(epochs):
    shuffled = torch.tensor(rng.permutation(4000))
    for s in range(0, 4000, batch):
        idx = shuffled[s:s + batch]
        rate = 3e-3 * (step + 1) / warmup if step < warmup else \
            1e-5 + 0.5 * (3e-3 - 1e-5) * (1 + math.cos(math.pi * (step - warmup) / (total - warmup)))
        for group in optimizer.param_groups:
            group["lr"] = rate
        loss = F.cross_entropy(scores(shifted(trainX[idx])), trainY[idx]) + 0.5e-4 * sum((w * w).sum() for w in (w1, w2, wf))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step += 1
    with torch.no_grad():
        accuracy = sum((scores(testX[i:i + 250]).argmax(1) == testY[i:i + 250]).sum().item() for i in range(0, 1000, 250)) / 1000
seconds, cpu = time.perf_counter() - start, time.process_time() - cpuStart
print(f"PyTorch {torch.__version__}, one thread: {epochs} epochs in {seconds:.1f} s wall, {cpu:.1f} s CPU time "
      f"({cpu / epochs:.2f} s CPU per epoch; held-out accuracy {100 * accuracy:.1f}%)")
