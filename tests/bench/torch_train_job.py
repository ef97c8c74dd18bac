#!/usr/bin/env python3
"""PyTorch side of bench-train-process: the whole job `relief train` does, as a plain script.

MNIST 784-200-200-10 ReLU, batch 128, SGD momentum 0.9, lr 0.05, one epoch, data
standardized as Relief does (pixels / 255, then the training set's scalar mean and std),
then the test accuracy over the whole test set.  The benchmark times the whole process:
the interpreter's start, importing torch, reading the IDX files, training and the test.
Prints "torch test accuracy <percent> % (<threads> threads)".

    torch_train_job.py MNIST-DIR
"""
import os
import sys

import torch

from torch_mlp_baseline import find, read_idx


def load(directory, prefix):
    images = read_idx(find(directory, f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(find(directory, f"{prefix}-labels-idx1-ubyte"))
    x = torch.tensor(images.reshape(len(images), -1), dtype=torch.float32) / 255.0
    return x, torch.tensor(labels, dtype=torch.int64)


def main():
    directory = sys.argv[1]
    # All the machine's cores, as OpenBLAS takes them for Relief (Debian's torch may pick one).
    torch.set_num_threads(len(os.sched_getaffinity(0)))
    x_train, y_train = load(directory, "train")
    x_test, y_test = load(directory, "t10k")
    mean, std = x_train.mean(), x_train.std()
    x_train = (x_train - mean) / std
    x_test = (x_test - mean) / std

    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 200), torch.nn.ReLU(),
        torch.nn.Linear(200, 200), torch.nn.ReLU(),
        torch.nn.Linear(200, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    batch = 128

    perm = torch.randperm(len(x_train))
    for start in range(0, len(x_train), batch):
        idx = perm[start:start + batch]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x_train[idx]), y_train[idx])
        loss.backward()
        optimizer.step()

    with torch.no_grad():
        correct = (model(x_test).argmax(dim=1) == y_test).sum().item()
    print(f"torch test accuracy {100.0 * correct / len(x_test):.2f} % ({torch.get_num_threads()} threads)")


if __name__ == "__main__":
    main()
