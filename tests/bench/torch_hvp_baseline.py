#!/usr/bin/env python3
"""PyTorch baseline for bench-hvp: one Hessian-vector product by double backward.

MNIST 784-200-200-10 ReLU, cross-entropy (mean over the images), the first N training
images standardized as Relief does (pixels / 255, then the training set's scalar mean and
std), all on the device before the clock starts.  The product is
torch.autograd.grad of (grad . v) with the gradient's graph kept (create_graph=True), as
PyHessian and hessian-eigenthings compute it; one plain gradient is timed beside it, and
the product from a graph made once and kept (retain_graph=True, PyHessian's full-batch
way; its first call, which makes the graph, is the warm-up).
Medians of the repeats after one warm-up.  Prints
"torch gradient <s> s, hvp <s> s (graph kept <s> s) on <device> (<threads> threads, BLAS <name>)".

    torch_hvp_baseline.py MNIST-DIR [--samples N] [--repeats N] [--device cpu|cuda] [--threads N]
"""
import argparse
import gzip
import os
import statistics
import time

import numpy as np
import torch


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find(directory, name):
    for candidate in (name, name + ".gz"):
        path = os.path.join(directory, candidate)
        if os.path.exists(path):
            return path
    raise SystemExit(f"{name} not found in {directory}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mnist_dir")
    parser.add_argument("--samples", type=int, default=10000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=0,
                        help="intra-op threads (bench-hvp passes OpenBLAS's count; 0: PyTorch's default)")
    args = parser.parse_args()
    device = torch.device(args.device)
    if args.threads > 0:
        torch.set_num_threads(args.threads)

    images = read_idx(find(args.mnist_dir, "train-images-idx3-ubyte"))
    labels = read_idx(find(args.mnist_dir, "train-labels-idx1-ubyte"))
    x = torch.tensor(images.reshape(len(images), -1), dtype=torch.float32) / 255.0
    x = ((x - x.mean()) / x.std())[:args.samples].to(device)
    y = torch.tensor(labels, dtype=torch.int64)[:args.samples].to(device)

    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 200), torch.nn.ReLU(),
        torch.nn.Linear(200, 200), torch.nn.ReLU(),
        torch.nn.Linear(200, 10)).to(device)
    params = list(model.parameters())
    v = [torch.randn_like(p) for p in params]
    loss_fn = torch.nn.CrossEntropyLoss()

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    def gradient():
        loss = loss_fn(model(x), y)
        return torch.autograd.grad(loss, params)

    def hvp():
        loss = loss_fn(model(x), y)
        grads = torch.autograd.grad(loss, params, create_graph=True)
        dot = sum((g * w).sum() for g, w in zip(grads, v))
        return torch.autograd.grad(dot, params)

    def timed(fn):
        times = []
        for r in range(args.repeats + 1):
            sync()
            start = time.perf_counter()
            fn()
            sync()
            if r > 0:
                times.append(time.perf_counter() - start)
        return statistics.median(times)

    kept = {}

    def hvp_kept():
        # PyHessian's full-batch product: the gradient's graph made once, kept for each v
        if "grads" not in kept:
            loss = loss_fn(model(x), y)
            kept["grads"] = torch.autograd.grad(loss, params, create_graph=True)
        return torch.autograd.grad(kept["grads"], params, grad_outputs=v, retain_graph=True)

    grad_s = timed(gradient)
    hvp_s = timed(hvp)
    kept_s = timed(hvp_kept)
    blas = next((item.split("=", 1)[1] for item in torch.__config__.show().replace(",", "\n").split()
                 if item.startswith("BLAS_INFO=")), "unknown")
    # Debian's build says "generic": the libblas.so.3 it loads is whichever the system picks
    try:
        with open("/proc/self/maps") as maps:
            loaded = {line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line}
        if loaded:
            blas += " = " + ", ".join(sorted(os.path.basename(os.path.dirname(path)) + "/" +
                                             os.path.basename(path) for path in loaded))
    except OSError:
        pass
    print(f"torch gradient {grad_s:.4f} s, hvp {hvp_s:.4f} s (graph kept {kept_s:.4f} s) on {device.type} "
          f"({torch.get_num_threads()} threads, BLAS {blas}): {hvp_s / grad_s:.2f}x a gradient")


if __name__ == "__main__":
    main()
