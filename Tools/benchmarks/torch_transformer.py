"""Lesson 08's demo (part 1, reversal) trained in PyTorch: the same model, batch and steps.

Run from the repository root:  python3 Tools/benchmarks/torch_transformer.py [--steps N]
One thread, float64, as `swift run -c release course demo 8` trains its TinyTransformer:
strings of 8 random digits reversed, a 2-layer pre-norm encoder (D = 32, 2 heads,
feed-forward 64 with tanh-GELU, learned positions, final layer norm, linear read-out),
500 steps of 32 fresh strings, Adam with linear warmup (100 steps) and cosine decay
from 3e-3, gradients clipped to global norm 1. Prints milliseconds per training step, wall and CPU time (the CPU time of
the process is the steadier figure on a shared machine).
An optional tool for BENCHMARKS.md; the course never depends on it.
"""
import math, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)
steps = int(sys.argv[sys.argv.index("--steps") + 1]) if "--steps" in sys.argv else 500
length, digits, width, hidden, layers, heads, batch = 8, 10, 32, 64, 2, 2, 32


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(width, eps=1e-5), nn.LayerNorm(width, eps=1e-5)
        self.q, self.k, self.v, self.o = (nn.Linear(width, width) for _ in range(4))
        self.ff1, self.ff2 = nn.Linear(width, hidden), nn.Linear(hidden, width)

    def forward(self, x):
        b, t, d = x.shape
        n = self.norm1(x)
        split = lambda y: y.view(b, t, heads, d // heads).transpose(1, 2)
        q, k, v = split(self.q(n)), split(self.k(n)), split(self.v(n))
        weights = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // heads), dim=-1)
        x = x + self.o((weights @ v).transpose(1, 2).reshape(b, t, d))
        return x + self.ff2(F.gelu(self.ff1(self.norm2(x)), approximate="tanh"))


class TinyTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.tokens, self.positions = nn.Embedding(digits, width), nn.Embedding(length, width)
        self.blocks = nn.ModuleList(Block() for _ in range(layers))
        self.norm, self.readOut = nn.LayerNorm(width, eps=1e-5), nn.Linear(width, digits)

    def forward(self, tokens):
        x = self.tokens(tokens) + self.positions(torch.arange(tokens.shape[1]))
        for block in self.blocks:
            x = block(x)
        return self.readOut(self.norm(x)).reshape(-1, digits)


torch.manual_seed(8)
model = TinyTransformer()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3, betas=(0.9, 0.999), eps=1e-8)
warmup = min(100, steps // 5)
schedule = lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (steps - warmup)))
scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
generator = torch.Generator().manual_seed(8)
start, cpuStart = time.perf_counter(), time.process_time()
for step in range(steps):
    tokens = torch.randint(0, digits, (batch, length), generator=generator)
    loss = F.cross_entropy(model(tokens), tokens.flip(1).reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    scheduler.step()
seconds, cpu = time.perf_counter() - start, time.process_time() - cpuStart
with torch.no_grad():
    held = torch.randint(0, digits, (500, length), generator=generator)
    right = (model(held).argmax(1).reshape(500, length) == held.flip(1)).all(1).double().mean().item()
print(f"PyTorch {torch.__version__}, one thread: {steps} steps in {seconds:.2f} s = {1000 * seconds / steps:.1f} ms/step wall, "
      f"{1000 * cpu / steps:.1f} ms/step CPU time "
      f"(final loss {loss.item():.4f}, held-out sequences right {100 * right:.1f}%)")
