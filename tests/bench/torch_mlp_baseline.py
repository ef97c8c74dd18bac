#!/usr/bin/env python3
"""PyTorch baseline for bench-train-mlp: the same epoch in plain eager PyTorch.

MNIST 784-200-200-10 ReLU, batch 128, SGD momentum 0.9, lr 0.01, one epoch, data
standardized as Relief does (pixels / 255, then the training set's scalar mean and std),
the whole data set on the device before the clock starts.  Prints
"torch epoch <seconds> s on <device>".

    torch_mlp_baseline.py MNIST-DIR [--device cuda|cpu]
"""
import argparse
import gzip
import os
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
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()
    device = torch.device(args.device)

    images = read_idx(find(args.mnist_dir, "train-images-idx3-ubyte"))
    labels = read_idx(find(args.mnist_dir, "train-labels-idx1-ubyte"))
    x = torch.tensor(images.reshape(len(images), -1), dtype=torch.float32) / 255.0
    x = ((x - x.mean()) / x.std()).to(device)
    y = torch.tensor(labels, dtype=torch.int64).to(device)

    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 200), torch.nn.ReLU(),
        torch.nn.Linear(200, 200), torch.nn.ReLU(),
        torch.nn.Linear(200, 10)).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    batch = 128

    def epoch(limit=None):
        perm = torch.randperm(len(x), device=device)
        steps = 0
        for start in range(0, len(x), batch):
            idx = perm[start:start + batch]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            optimizer.step()
            steps += 1
            if limit is not None and steps >= limit:
                break
        return loss

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    epoch(limit=20)  # warm-up: kernels loaded, allocator primed
    sync()
    start = time.perf_counter()
    loss = epoch()
    sync()
    seconds = time.perf_counter() - start
    print(f"torch last batch loss {loss.item():.4f}")
    print(f"torch epoch {seconds:.4f} s on {device.type}")


if __name__ == "__main__":
    main()
